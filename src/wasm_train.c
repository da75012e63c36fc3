/* wasm_train.c: the Emscripten exports for training, parsing CSV files and packing models, beside
 * wasm.c's (see there): the worker's module (digits_wasm) has both files, the page's only wasm.c. */
#include "wasm.h"

#include <stdlib.h>
#include <string.h>

#include "calibration.h"
#include "dataset.h"
#include "nn.h"
#include "pack.h"
#include "quant.h"
#include "train.h"


/* ---- models ---- */

EMSCRIPTEN_KEEPALIVE Model *dg_model_new(int hidden) {
    Model *m = malloc(sizeof *m);
    if (!m) { error_set(&wasm_last_error, "out of memory"); return NULL; }
    if (nn_model_alloc(m, hidden, &wasm_last_error)) { free(m); return NULL; }
    return m;
}

EMSCRIPTEN_KEEPALIVE void dg_model_init(Model *m, unsigned seed) { nn_model_init_he(m, seed); }

/* Puts m's W1 on the integer grid (quant.h). */
EMSCRIPTEN_KEEPALIVE void dg_model_round_grid(Model *m) { quant_round_w1(m, QUANT_BITS); }

/* m as a packed model (pack.h): its bytes (free them with free) and their count in *len, or NULL. */
EMSCRIPTEN_KEEPALIVE uint8_t *dg_model_pack(const Model *m, size_t *len) { return pack_encode(m, len, &wasm_last_error); }

/* ---- CSV parsing ---- */

EMSCRIPTEN_KEEPALIVE CsvParser *dg_csv_new(void) { return csv_parser_new(&wasm_last_error); }
EMSCRIPTEN_KEEPALIVE int dg_csv_feed(CsvParser *p, const uint8_t *buf, size_t len) {
    return csv_feed(p, buf, len, &wasm_last_error);
}
EMSCRIPTEN_KEEPALIVE size_t dg_csv_rows(const CsvParser *p) { return csv_rows(p); }
EMSCRIPTEN_KEEPALIVE int dg_csv_has_labels(const CsvParser *p) { return csv_has_labels(p); }
EMSCRIPTEN_KEEPALIVE void dg_csv_free(CsvParser *p) { csv_parser_free(p); }

/* Ends the input; returns the parsed Dataset (free with dg_dataset_free) or NULL. */
EMSCRIPTEN_KEEPALIVE Dataset *dg_csv_finish(CsvParser *p) {
    Dataset *d = calloc(1, sizeof *d);
    if (!d) { error_set(&wasm_last_error, "out of memory"); return NULL; }
    if (csv_finish(p, d, &wasm_last_error)) { free(d); return NULL; }
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
    if (!d) { error_set(&wasm_last_error, "out of memory"); return NULL; }
    if (dataset_from_pixels(d, n, pixels, labels, &wasm_last_error)) { free(d); return NULL; }
    return d;
}

/* Stratified split: returns the training part and stores the validation part in *val_out
 * (both freed with dg_dataset_free), or NULL. */
EMSCRIPTEN_KEEPALIVE Dataset *dg_dataset_split(const Dataset *src, float fraction, unsigned seed, Dataset **val_out) {
    Dataset *train = calloc(1, sizeof *train), *val = calloc(1, sizeof *val);
    if (!train || !val || dataset_split(src, fraction, seed, train, val, &wasm_last_error)) {
        if (!train || !val) error_set(&wasm_last_error, "out of memory");
        free(train);
        free(val);
        return NULL;
    }
    *val_out = val;
    return train;
}

/* ---- training ---- */

static TrainConfig trainer_config(int epochs, int batch, float lr, unsigned seed, int augment) {
    TrainConfig cfg = train_defaults();
    cfg.epochs = epochs;
    cfg.batch = batch;
    cfg.lr = lr;
    cfg.seed = seed;
    if (augment) cfg.augment = augment_defaults();
    return cfg;
}

/* A trainer for m on d (both borrowed). augment: 0 = off, 1 = the default strengths. */
EMSCRIPTEN_KEEPALIVE Trainer *dg_trainer_new(Model *m, const Dataset *d, int epochs, int batch, float lr,
                                             unsigned seed, int augment) {
    TrainConfig cfg = trainer_config(epochs, batch, lr, seed, augment);
    return train_new(m, d, &cfg, &wasm_last_error);
}

/* dg_trainer_new with outlier exposure (outlier.h): `share` non-digits per digit in every batch,
 * trained as the background class (logit 0): the generated kinds, each of weight 1, and, if
 * `images` is not NULL, its rows (labels ignored; borrowed, it must outlive the trainer) with
 * weight `external`. */
EMSCRIPTEN_KEEPALIVE Trainer *dg_trainer_new_outliers(Model *m, const Dataset *d, int epochs, int batch, float lr,
                                                      unsigned seed, int augment, float share, const Dataset *images,
                                                      float external) {
    TrainConfig cfg = trainer_config(epochs, batch, lr, seed, augment);
    cfg.outliers.share = share;
    cfg.outliers.external = images;
    cfg.outliers.weight[OUTLIER_EXTERNAL] = external;
    return train_new(m, d, &cfg, &wasm_last_error);
}

EMSCRIPTEN_KEEPALIVE void dg_trainer_free(Trainer *t) { train_free(t); }

/* Runs batches until an epoch ends, `batches` batches are done, or the run ends.
 * Returns 1 if more remain, 0 when done, -1 on divergence (dg_last_error() says why). */
EMSCRIPTEN_KEEPALIVE int dg_trainer_step(Trainer *t, int batches) {
    int more = 1;
    for (int i = 0; i < batches && more > 0; i++) {
        more = train_step(t, &wasm_last_error);
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
    return train_evaluate(m, d, confusion, &wasm_last_error);
}

/* Predicted digits of every row of d into labels (d->n bytes). */
EMSCRIPTEN_KEEPALIVE int dg_predict_dataset(const Model *m, const Dataset *d, uint8_t *labels) {
    return train_predict_dataset(m, d, labels, NULL, &wasm_last_error);
}

/* ---- calibration (calibration.h) ---- */

/* Fits a calibration for m on labelled digits it was not trained on (calibration_fit; score:
 * 0 = max-softmax, 1 = logsumexp) and returns it as calibration.txt's text, or NULL. */
EMSCRIPTEN_KEEPALIVE const char *dg_calibrate(const Model *m, const Dataset *d, int score, float accept) {
    static char fitted_text[CALIBRATION_TEXT_MAX]; /* the answer, valid until the next call */
    Calibration c;
    if (calibration_fit(&c, m, d, score ? CALIBRATION_LOGSUMEXP : CALIBRATION_MAX_SOFTMAX, accept, &wasm_last_error)) return NULL;
    calibration_format(&c, fitted_text, sizeof fitted_text);
    return fitted_text;
}
