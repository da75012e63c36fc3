/* fuzz_model.c: the model loader (model_from_npy in src/model_io.c) on arbitrary bytes.
 *
 * Input: the four files W1.npy, b1.npy, W2.npy, b2.npy concatenated. The input is cut before
 * each "\x93NUMPY" magic after its first byte: the first piece is W1 (so W1 may have a bad
 * magic), the fourth runs to the end; missing pieces are passed as NULL with length 0. Each piece
 * is an exactly-sized heap copy. Properties:
 *   - model_from_npy either fails with a printable message naming one of the four files and
 *     leaves the Model zeroed, or gives a model with 1..NN_MAX_HIDDEN hidden units and finite
 *     parameters;
 *   - a loaded model saved as float32 loads back bit for bit; saved as float16 it loads back
 *     (the writer refuses values float16 cannot hold rather than write an unloadable file);
 *   - the recogniser of the loaded model gives ten probabilities in 0..1 or an error (see check_predict);
 *   - moved to the integer grid (src/quant.h), the model is recognised as on it whenever its W1
 *     fits float16, and the integer first layer's sums are exact (see check_integer_path). */
#include "fuzz.h"

#include <math.h>

#include "model_io.h"
#include "quant.h"
#include "recognizer.h"

static const uint8_t MAGIC[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

static int names_a_file(const char *msg) {
    for (int t = 0; t < NN_TENSORS; t++)
        if (strncmp(msg, MODEL_FILE_NAMES[t], strlen(MODEL_FILE_NAMES[t])) == 0) return 1;
    return 0;
}

/* Encodes every tensor of m as dtype; returns 0 if the writer refused one. */
static int encode(const Model *m, NpyDtype dtype, uint8_t *bufs[NN_TENSORS], size_t lens[NN_TENSORS]) {
    int ok = 1;
    for (int t = 0; t < NN_TENSORS; t++) {
        lens[t] = model_npy_size(m, (NnTensor)t, dtype);
        FUZZ_CHECK(lens[t] > 0);
        bufs[t] = malloc(lens[t]);
        FUZZ_CHECK(bufs[t] != NULL);
        size_t written = model_to_npy(m, (NnTensor)t, dtype, bufs[t], lens[t]);
        FUZZ_CHECK(written == lens[t] || written == 0);
        if (written == 0) ok = 0;
    }
    return ok;
}

static void check_round_trip(const Model *m) {
    uint8_t *bufs[NN_TENSORS];
    size_t lens[NN_TENSORS];
    Model back;
    DigitsError err = {{0}};
    FUZZ_CHECK(encode(m, NPY_F32, bufs, lens));
    FUZZ_CHECK(model_from_npy(&back, (const uint8_t *const *)bufs, lens, &err) == 0);
    FUZZ_CHECK(back.hidden == m->hidden && memcmp(back.params, m->params, m->count * sizeof *m->params) == 0);
    nn_model_free(&back);
    for (int t = 0; t < NN_TENSORS; t++) free(bufs[t]);

    if (encode(m, NPY_F16, bufs, lens)) {
        if (model_from_npy(&back, (const uint8_t *const *)bufs, lens, &err) != 0)
            fprintf(stderr, "float16 file does not reload: %s\n", err.msg);
        FUZZ_CHECK(back.hidden == m->hidden);
        nn_model_free(&back);
    }
    for (int t = 0; t < NN_TENSORS; t++) free(bufs[t]);
}

/* A recogniser for a copy of m. */
static Recognizer *recognizer_of(const Model *m) {
    Model copy;
    FUZZ_CHECK(nn_model_alloc(&copy, m->hidden, NULL) == 0);
    nn_model_copy(&copy, m);
    Recognizer *r = recognizer_new(&copy, NULL);
    FUZZ_CHECK(r != NULL);
    return r;
}

/* The recogniser gives a digit and ten probabilities in 0..1, or an error: finite but huge weights
 * that overflow the logits are an error (tests/fuzz/regressions/model/huge_weights_*), never NaN. */
static void check_predict(Recognizer *r, const float *x) {
    Reading rd;
    DigitsError err = {{0}};
    int digit = recognizer_predict(r, x, &rd, &err);
    FUZZ_CHECK(digit >= -1 && digit < NN_OUTPUTS);
    if (digit == -1) {
        FUZZ_CHECK(fuzz_message_ok(err.msg, sizeof err.msg));
        return;
    }
    for (int j = 0; j < NN_OUTPUTS; j++) FUZZ_CHECK(rd.probabilities[j] >= 0.0f && rd.probabilities[j] <= 1.0f);
}

/* The model's W1 moved to the grid: on it exactly when every weight fits float16; then the
 * integer sums of an 8-bit image equal a 64-bit reference, and the recogniser answers or fails
 * cleanly on the integer path. */
static void check_integer_path(const Model *m) {
    Model g;
    FUZZ_CHECK(nn_model_alloc(&g, m->hidden, NULL) == 0);
    nn_model_copy(&g, m);
    quant_round_w1(&g, QUANT_BITS);
    float largest = 0.0f;
    for (size_t i = 0; i < (size_t)g.hidden * NN_INPUTS; i++) largest = fmaxf(largest, fabsf(g.W1[i]));
    FUZZ_CHECK(quant_on_grid(&g) == (largest <= 65504.0f));
    QuantW1 q;
    DigitsError err = {{0}};
    int built = quant_new(&q, &g, &err);
    FUZZ_CHECK(built == quant_on_grid(&g));
    if (built == 1) {
        float x[NN_INPUTS], *z1 = malloc((size_t)g.hidden * sizeof *z1);
        FUZZ_CHECK(z1 != NULL);
        for (int k = 0; k < NN_INPUTS; k++) x[k] = (float)((k * 37) % 256 * (k % 3 == 0)) / 255.0f;
        FUZZ_CHECK(quant_hidden_layer(z1, &q, g.b1, x) == 1);
        for (int h = 0; h < g.hidden; h++) {
            int64_t exact = 0;
            for (int k = 0; k < NN_INPUTS; k++)
                exact += (int64_t)quant_weight(&q, h, k) * ((k * 37) % 256 * (k % 3 == 0));
            FUZZ_CHECK(q.sums[h] == exact);
        }
        Recognizer *r = recognizer_of(&g);
        FUZZ_CHECK(recognizer_uses_integers(r));
        check_predict(r, x);
        recognizer_free(r);
        free(z1);
        quant_free(&q);
    }
    nn_model_free(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t starts[NN_TENSORS + 1];
    int pieces = size > 0 ? 1 : 0;
    starts[0] = 0;
    for (size_t at = 1; pieces > 0 && pieces < NN_TENSORS && at + sizeof MAGIC <= size; at++)
        if (memcmp(data + at, MAGIC, sizeof MAGIC) == 0) starts[pieces++] = at;
    starts[pieces] = size;

    uint8_t *bufs[NN_TENSORS] = {0};
    size_t lens[NN_TENSORS] = {0};
    for (int t = 0; t < pieces; t++) {
        lens[t] = starts[t + 1] - starts[t];
        bufs[t] = fuzz_copy(data + starts[t], lens[t]);
    }

    Model m;
    memset(&m, 0xAB, sizeof m);
    DigitsError err = {{0}};
    int rc = model_from_npy(&m, (const uint8_t *const *)bufs, lens, &err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc) {
        FUZZ_CHECK(fuzz_message_ok(err.msg, sizeof err.msg));
        FUZZ_CHECK(names_a_file(err.msg));
        FUZZ_CHECK(m.hidden == 0 && m.count == 0 && m.params == NULL); /* left zeroed */
    } else {
        FUZZ_CHECK(m.hidden >= 1 && m.hidden <= NN_MAX_HIDDEN);
        FUZZ_CHECK(m.count == nn_param_count(m.hidden));
        for (size_t i = 0; i < m.count; i++) FUZZ_CHECK(isfinite(m.params[i]));
        check_round_trip(&m);
        float x[NN_INPUTS];
        for (int k = 0; k < NN_INPUTS; k++) x[k] = (float)(k % 7) / 6.0f;
        Recognizer *r = recognizer_of(&m);
        check_predict(r, x);
        recognizer_free(r);
        check_integer_path(&m);
        nn_model_free(&m);
    }
    for (int t = 0; t < NN_TENSORS; t++) free(bufs[t]);
    return 0;
}
