#include "model_io.h"

#include <string.h>

const char *const MODEL_FILE_NAMES[NN_TENSORS] = {"W1.npy", "b1.npy", "W2.npy", "b2.npy"};

int model_from_npy(Model *m, const uint8_t *const bufs[NN_TENSORS], const size_t lens[NN_TENSORS],
                   DigitsError *err) {
    memset(m, 0, sizeof *m);
    NpyInfo info;
    if (npy_parse_header(bufs[NN_W1], lens[NN_W1], MODEL_FILE_NAMES[NN_W1], &info, err)) return -1;
    if (info.ndim != 2 || info.cols != NN_INPUTS)
        return error_set(err, "W1.npy: shape (%zu%s%zu) is not (H, 784): W1 maps the 784 pixels to H hidden units",
                         info.rows, info.ndim == 2 ? ", " : ",", info.ndim == 2 ? info.cols : 0);
    if (info.rows < 1 || info.rows > NN_MAX_HIDDEN)
        return error_set(err, "W1.npy: hidden size %zu is outside 1..%d", info.rows, NN_MAX_HIDDEN);
    Model tmp;
    if (model_alloc(&tmp, (int)info.rows, err)) return -1;
    for (int t = 0; t < NN_TENSORS; t++) {
        if (npy_read_into(bufs[t], lens[t], MODEL_FILE_NAMES[t], nn_tensor(&tmp, (NnTensor)t),
                          nn_tensor_rows(tmp.hidden, (NnTensor)t), nn_tensor_cols(tmp.hidden, (NnTensor)t), err)) {
            model_free(&tmp);
            return -1;
        }
    }
    *m = tmp;
    return 0;
}

size_t model_npy_size(const Model *m, NnTensor t, NpyDtype dtype) {
    return npy_write_size(nn_tensor_rows(m->hidden, t), nn_tensor_cols(m->hidden, t), dtype);
}

size_t model_to_npy(const Model *m, NnTensor t, NpyDtype dtype, uint8_t *out, size_t cap) {
    return npy_write(out, cap, nn_tensor(m, t), nn_tensor_rows(m->hidden, t), nn_tensor_cols(m->hidden, t), dtype);
}
