/* wasm.c: the Emscripten exports, and nothing else. Every EMSCRIPTEN_KEEPALIVE function here is
 * exported, and nothing else is (but malloc and free): this file is the export list. The only
 * file with a global: the last error message.
 *
 * Conventions for JavaScript (web/wasm.js, web/recognizer.js and web/training.js wrap all of this):
 *   - pointers are offsets into HEAPU8; JS copies results out before the next call;
 *   - a function that fails returns 0 / NULL / -1 and dg_last_error() says why. */
#include <emscripten/emscripten.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "model_io.h"
#include "nn.h"
#include "quant.h"
#include "recognizer.h"
#include "train.h"

static DigitsError last_error;

EMSCRIPTEN_KEEPALIVE const char *dg_version(void) { return DIGITS_VERSION; }
EMSCRIPTEN_KEEPALIVE const char *dg_last_error(void) { return last_error.msg; }

/* ---- models ---- */

EMSCRIPTEN_KEEPALIVE Model *dg_model_new(int hidden) {
    Model *m = malloc(sizeof *m);
    if (!m) { error_set(&last_error, "out of memory"); return NULL; }
    if (nn_model_alloc(m, hidden, &last_error)) { free(m); return NULL; }
    return m;
}

EMSCRIPTEN_KEEPALIVE void dg_model_free(Model *m) {
    nn_model_free(m);
    free(m);
}

EMSCRIPTEN_KEEPALIVE int dg_model_hidden(const Model *m) { return m->hidden; }
EMSCRIPTEN_KEEPALIVE void dg_model_init(Model *m, unsigned seed) { nn_model_init_he(m, seed); }

/* Puts m's W1 on the integer grid (quant.h). */
EMSCRIPTEN_KEEPALIVE void dg_model_round_grid(Model *m) { quant_round_w1(m, QUANT_BITS); }

/* A new model from the four .npy files' bytes, or NULL with the reason in dg_last_error(). */
EMSCRIPTEN_KEEPALIVE Model *dg_model_load_npy(const uint8_t *w1, size_t n_w1, const uint8_t *b1, size_t n_b1,
                                              const uint8_t *w2, size_t n_w2, const uint8_t *b2, size_t n_b2) {
    const uint8_t *bufs[NN_TENSORS] = {w1, b1, w2, b2};
    size_t lens[NN_TENSORS] = {n_w1, n_b1, n_w2, n_b2};
    Model *m = malloc(sizeof *m);
    if (!m) { error_set(&last_error, "out of memory"); return NULL; }
    if (model_from_npy(m, bufs, lens, &last_error)) { free(m); return NULL; }
    return m;
}

/* dtype: 4 = float32, 2 = float16. */
EMSCRIPTEN_KEEPALIVE size_t dg_model_npy_size(const Model *m, int tensor, int dtype) {
    if (tensor < 0 || tensor >= NN_TENSORS) return 0;
    return model_npy_size(m, (NnTensor)tensor, (NpyDtype)dtype);
}

EMSCRIPTEN_KEEPALIVE size_t dg_model_save_npy(const Model *m, int tensor, int dtype, uint8_t *out, size_t cap) {
    if (tensor < 0 || tensor >= NN_TENSORS) return 0;
    return model_to_npy(m, (NnTensor)tensor, (NpyDtype)dtype, out, cap);
}

/* ---- recognition ---- */

/* A recogniser for m, which it takes over (m is freed, whatever happens); NULL when out of memory. */
EMSCRIPTEN_KEEPALIVE Recognizer *dg_recognizer_new(Model *m) {
    Recognizer *r = recognizer_new(m, &last_error);
    free(m);
    return r;
}

EMSCRIPTEN_KEEPALIVE void dg_recognizer_free(Recognizer *r) { recognizer_free(r); }
EMSCRIPTEN_KEEPALIVE const Model *dg_recognizer_model(const Recognizer *r) { return recognizer_model(r); }
EMSCRIPTEN_KEEPALIVE int dg_recognizer_integer(const Recognizer *r) { return recognizer_uses_integers(r); }
EMSCRIPTEN_KEEPALIVE void dg_recognizer_drop_integer(Recognizer *r) { recognizer_drop_integers(r); }

/* For tests of the SIMD kernel: see recognizer_integer_layer. */
EMSCRIPTEN_KEEPALIVE int dg_recognizer_integer_layer(Recognizer *r, const float *x, float *z1) {
    return recognizer_integer_layer(r, x, z1);
}

/* x: len floats (must be 784). Writes 10 probabilities to probs; returns the digit or -1. */
EMSCRIPTEN_KEEPALIVE int dg_predict(Recognizer *r, const float *x, int len, float *probs) {
    if (len != NN_INPUTS) return error_set(&last_error, "expected %d input values (28x28), got %d", NN_INPUTS, len);
    return recognizer_predict(r, x, probs, &last_error);
}

/* n images of 784 floats; writes n * 10 probabilities; returns 0 or -1 (naming the image). */
EMSCRIPTEN_KEEPALIVE int dg_predict_batch(Recognizer *r, const float *X, int n, float *probs) {
    return recognizer_predict_batch(r, X, n, probs, NULL, &last_error);
}

/* ---- CSV parsing ---- */

EMSCRIPTEN_KEEPALIVE CsvParser *dg_csv_new(void) { return csv_parser_new(&last_error); }
EMSCRIPTEN_KEEPALIVE int dg_csv_feed(CsvParser *p, const uint8_t *buf, size_t len) {
    return csv_feed(p, buf, len, &last_error);
}
EMSCRIPTEN_KEEPALIVE size_t dg_csv_rows(const CsvParser *p) { return csv_rows(p); }
EMSCRIPTEN_KEEPALIVE int dg_csv_has_labels(const CsvParser *p) { return csv_has_labels(p); }
EMSCRIPTEN_KEEPALIVE void dg_csv_free(CsvParser *p) { csv_parser_free(p); }

/* Ends the input; returns the parsed Dataset (free with dg_dataset_free) or NULL. */
EMSCRIPTEN_KEEPALIVE Dataset *dg_csv_finish(CsvParser *p) {
    Dataset *d = calloc(1, sizeof *d);
    if (!d) { error_set(&last_error, "out of memory"); return NULL; }
    if (csv_finish(p, d, &last_error)) { free(d); return NULL; }
    return d;
}

EMSCRIPTEN_KEEPALIVE size_t dg_dataset_count(const Dataset *d) { return d->n; }
EMSCRIPTEN_KEEPALIVE uint8_t *dg_dataset_pixels(const Dataset *d) { return d->pixels; }
EMSCRIPTEN_KEEPALIVE uint8_t *dg_dataset_labels(const Dataset *d) { return d->labels; }
EMSCRIPTEN_KEEPALIVE void dg_dataset_free(Dataset *d) {
    dataset_free(d);
    free(d);
}

/* A new labelled Dataset (free with dg_dataset_free) of copies of n images and their labels; see
 * dataset_from_pixels. */
EMSCRIPTEN_KEEPALIVE Dataset *dg_dataset_from_pixels(size_t n, const uint8_t *pixels, const uint8_t *labels) {
    Dataset *d = malloc(sizeof *d);
    if (!d) { error_set(&last_error, "out of memory"); return NULL; }
    if (dataset_from_pixels(d, n, pixels, labels, &last_error)) { free(d); return NULL; }
    return d;
}

/* Stratified split: returns the training part and stores the validation part in *val_out
 * (both freed with dg_dataset_free), or NULL. */
EMSCRIPTEN_KEEPALIVE Dataset *dg_dataset_split(const Dataset *src, float fraction, unsigned seed, Dataset **val_out) {
    Dataset *train = calloc(1, sizeof *train), *val = calloc(1, sizeof *val);
    if (!train || !val || dataset_split(src, fraction, seed, train, val, &last_error)) {
        if (!train || !val) error_set(&last_error, "out of memory");
        free(train);
        free(val);
        return NULL;
    }
    *val_out = val;
    return train;
}

/* ---- training ---- */

/* A trainer for m on d (both borrowed). augment: 0 = off, 1 = the default strengths. */
EMSCRIPTEN_KEEPALIVE Trainer *dg_trainer_new(Model *m, const Dataset *d, int epochs, int batch, float lr,
                                             unsigned seed, int augment) {
    TrainConfig cfg = train_defaults();
    cfg.epochs = epochs;
    cfg.batch = batch;
    cfg.lr = lr;
    cfg.seed = seed;
    if (augment) cfg.augment = augment_defaults();
    return train_new(m, d, &cfg, &last_error);
}

EMSCRIPTEN_KEEPALIVE void dg_trainer_free(Trainer *t) { train_free(t); }

/* Runs batches until an epoch ends, `batches` batches are done, or the run ends.
 * Returns 1 if more remain, 0 when done, -1 on divergence (dg_last_error() says why). */
EMSCRIPTEN_KEEPALIVE int dg_trainer_step(Trainer *t, int batches) {
    int more = 1;
    for (int i = 0; i < batches && more > 0; i++) {
        more = train_step(t, &last_error);
        if (train_progress(t)->epoch_done) break;
    }
    return more;
}

/* The trainer's progress: a struct of doubles, named in order by dg_trainer_progress_fields. */
EMSCRIPTEN_KEEPALIVE const TrainProgress *dg_trainer_progress(const Trainer *t) { return train_progress(t); }

/* "epoch,epochs,batch,...": the fields of TrainProgress, in order. */
EMSCRIPTEN_KEEPALIVE const char *dg_trainer_progress_fields(void) {
#define TRAIN_PROGRESS_NAME(name) "," #name
    return &TRAIN_PROGRESS_FIELDS(TRAIN_PROGRESS_NAME)[1]; /* without the first comma */
#undef TRAIN_PROGRESS_NAME
}

/* Accuracy of m on d; confusion (100 ints) may be NULL. -1 on failure. */
EMSCRIPTEN_KEEPALIVE float dg_evaluate(const Model *m, const Dataset *d, int *confusion) {
    return train_evaluate(m, d, confusion, &last_error);
}

/* Predicted digits of every row of d into labels (d->n bytes). */
EMSCRIPTEN_KEEPALIVE int dg_predict_dataset(const Model *m, const Dataset *d, uint8_t *labels) {
    return train_predict_dataset(m, d, labels, NULL, &last_error);
}
