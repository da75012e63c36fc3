/* wasm.c: the Emscripten exports for reading digits, and nothing else: the page's module
 * (digits_recognizer) is this file alone; the worker's (digits_wasm) adds wasm_train.c. Every
 * EMSCRIPTEN_KEEPALIVE function of the two files is exported, and nothing else is (but malloc and
 * free): they are the export list. The only file with a global: the last error message
 * (wasm.h), which wasm_train.c shares.
 *
 * Conventions for JavaScript (web/wasm.js, web/recognizer.js and web/training.js wrap all of this):
 *   - pointers are offsets into HEAPU8; JS copies results out before the next call;
 *   - a function that fails returns 0 / NULL / -1 and dg_last_error() says why. */
#include "wasm.h"

#include <stdlib.h>
#include <string.h>

#include "calibration.h"
#include "model_io.h"
#include "nn.h"
#include "pack.h"
#include "recognizer.h"

DigitsError wasm_last_error;
static char calibration_text[CALIBRATION_TEXT_MAX]; /* dg_recognizer_calibration_text's answer */

EMSCRIPTEN_KEEPALIVE const char *dg_version(void) { return DIGITS_VERSION; }
EMSCRIPTEN_KEEPALIVE const char *dg_last_error(void) { return wasm_last_error.msg; }

/* ---- models ---- */

EMSCRIPTEN_KEEPALIVE void dg_model_free(Model *m) {
    nn_model_free(m);
    free(m);
}

EMSCRIPTEN_KEEPALIVE int dg_model_hidden(const Model *m) { return m->hidden; }

/* A new model from the four .npy files' bytes, or NULL with the reason in dg_last_error(). */
EMSCRIPTEN_KEEPALIVE Model *dg_model_load_npy(const uint8_t *w1, size_t n_w1, const uint8_t *b1, size_t n_b1,
                                              const uint8_t *w2, size_t n_w2, const uint8_t *b2, size_t n_b2) {
    const uint8_t *bufs[NN_TENSORS] = {w1, b1, w2, b2};
    size_t lens[NN_TENSORS] = {n_w1, n_b1, n_w2, n_b2};
    Model *m = malloc(sizeof *m);
    if (!m) { error_set(&wasm_last_error, "out of memory"); return NULL; }
    if (model_from_npy(m, bufs, lens, &wasm_last_error)) { free(m); return NULL; }
    return m;
}

/* A new model from a packed model's len bytes (pack.h), or NULL with the reason in dg_last_error(). */
EMSCRIPTEN_KEEPALIVE Model *dg_model_load_pack(const uint8_t *buf, size_t len) {
    Model *m = malloc(sizeof *m);
    if (!m) { error_set(&wasm_last_error, "out of memory"); return NULL; }
    if (pack_decode(m, buf, len, NULL, &wasm_last_error)) { free(m); return NULL; }
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
    Recognizer *r = recognizer_new(m, &wasm_last_error);
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

/* x: len floats (must be 784). Writes the 10 shown probabilities (tempered, calibration.h) to
 * probs and 1 or 0 to *is_digit; returns the digit or -1. */
EMSCRIPTEN_KEEPALIVE int dg_predict(Recognizer *r, const float *x, int len, float *probs, int *is_digit) {
    if (len != NN_INPUTS) return error_set(&wasm_last_error, "expected %d input values (28x28), got %d", NN_INPUTS, len);
    Reading reading;
    int digit = recognizer_predict(r, x, &reading, &wasm_last_error);
    if (digit < 0) return -1;
    memcpy(probs, reading.probabilities, sizeof reading.probabilities);
    *is_digit = reading.is_digit;
    return digit;
}

/* n images of 784 floats; writes n * 10 probabilities and n isDigit flags; returns 0 or -1
 * (naming the image). */
EMSCRIPTEN_KEEPALIVE int dg_predict_batch(Recognizer *r, const float *X, int n, float *probs, int *is_digit) {
    Reading *readings = malloc((size_t)(n > 0 ? n : 1) * sizeof *readings);
    if (!readings) return error_set(&wasm_last_error, "out of memory");
    int status = recognizer_predict_batch(r, X, n, readings, &wasm_last_error);
    for (int i = 0; i < n && status == 0; i++) {
        memcpy(probs + (size_t)i * NN_OUTPUTS, readings[i].probabilities, sizeof readings[i].probabilities);
        is_digit[i] = readings[i].is_digit;
    }
    free(readings);
    return status;
}

/* ---- calibration (calibration.h): the score, threshold and temperature of calibration.txt ---- */

/* Parses calibration.txt's bytes (name: the file as the user knows it, for the error) into the
 * recogniser; 0, or -1 with the old calibration kept. len 0 with text NULL: the default. */
EMSCRIPTEN_KEEPALIVE int dg_recognizer_set_calibration(Recognizer *r, const char *text, size_t len, const char *name) {
    Calibration c = calibration_default();
    if (text && calibration_parse(&c, text, len, name, &wasm_last_error)) return -1;
    return recognizer_set_calibration(r, &c, &wasm_last_error);
}

/* The recogniser's calibration as calibration.txt's text (valid until the next call). */
EMSCRIPTEN_KEEPALIVE const char *dg_recognizer_calibration_text(const Recognizer *r) {
    calibration_format(recognizer_calibration(r), calibration_text, sizeof calibration_text);
    return calibration_text;
}

