/* model_io.c: see model_io.h. The one place where W1 changes layout: the files hold (H, 784),
 * memory (784, H) (nn.h). */
#include "model_io.h"

#include <string.h>

const char *const MODEL_FILE_NAMES[NN_TENSORS] = {"W1.npy", "b1.npy", "W2.npy", "b2.npy"};

/* The file's shape of tensor t: (H, 784), (H, 1), (10, H), (10, 1). */
static size_t file_rows(int hidden, NnTensor t) { return t == NN_W1 || t == NN_B1 ? (size_t)hidden : NN_OUTPUTS; }
static size_t file_cols(int hidden, NnTensor t) { return t == NN_W1 ? NN_INPUTS : t == NN_W2 ? (size_t)hidden : 1; }

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
    if (nn_model_alloc(&tmp, (int)info.rows, err)) return -1;
    for (int i = 0; i < NN_TENSORS; i++) {
        NnTensor t = (NnTensor)i;
        if ((t == NN_W1 ? npy_read_transposed : npy_read_into)(bufs[t], lens[t], MODEL_FILE_NAMES[t], nn_tensor(&tmp, t),
                                                               file_rows(tmp.hidden, t), file_cols(tmp.hidden, t), err)) {
            nn_model_free(&tmp);
            return -1;
        }
    }
    *m = tmp;
    return 0;
}

size_t model_npy_size(const Model *m, NnTensor t, NpyDtype dtype) {
    return npy_write_size(file_rows(m->hidden, t), file_cols(m->hidden, t), dtype);
}

size_t model_to_npy(const Model *m, NnTensor t, NpyDtype dtype, uint8_t *out, size_t cap) {
    return (t == NN_W1 ? npy_write_transposed : npy_write)(out, cap, nn_tensor(m, t), file_rows(m->hidden, t),
                                                          file_cols(m->hidden, t), dtype);
}
