/* calibration.h: how a model says "that is not a digit", and what its probabilities mean. Three
 * numbers travel with a model, in calibration.txt beside its four .npy files:
 *
 *   score        what isDigit is decided on, from the ten raw logits z (the output layer before
 *                the softmax, whatever the temperature):
 *                  logsumexp    log sum_j e^z_j (minus the energy): high where the network sees
 *                               a digit; the score of a model trained with outliers (outlier.h)
 *                  max-softmax  the top probability of softmax(z), in 0..1
 *   threshold    isDigit when score >= threshold
 *   temperature  the probabilities shown are softmax(z / temperature); the digit stays argmax z
 *
 * The file is text: one "key value" per line, '#' to the end of a line is a comment, blank lines
 * and spaces around are ignored, every key given exactly once, e.g.
 *
 *   # digits: how this model says "not a digit" (docs/not-a-digit.md); NumPy users can ignore it
 *   score logsumexp
 *   threshold 4.25
 *   temperature 0.83
 *
 * A model without the file gets calibration_default(). Parsing and formatting work on bytes in
 * memory (files.h reads and writes the file natively; the browser hands the bytes over). */
#ifndef DIGITS_CALIBRATION_H
#define DIGITS_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "error.h"
#include "nn.h"

#define CALIBRATION_FILE_NAME "calibration.txt"

typedef enum { CALIBRATION_MAX_SOFTMAX, CALIBRATION_LOGSUMEXP } CalibrationScore;

typedef struct {
    CalibrationScore score;
    float threshold;   /* isDigit when the score is at least this */
    float temperature; /* in [CALIBRATION_MIN_TEMPERATURE, CALIBRATION_MAX_TEMPERATURE] */
} Calibration;

#define CALIBRATION_MIN_TEMPERATURE 0.01f
#define CALIBRATION_MAX_TEMPERATURE 100.0f

/* What a model without calibration.txt gets: max-softmax, threshold 0.5, temperature 1. For a
 * model never trained on outliers that rejects little (a scribble often gets a top probability
 * above one half), and it shows the probabilities as the network gives them. */
Calibration calibration_default(void);

/* "logsumexp" or "max-softmax". */
const char *calibration_score_name(CalibrationScore score);

/* 0 if the three numbers are usable (the threshold finite, within 0..1 for max-softmax; the
 * temperature in range); -1 with err naming the bad one. */
int calibration_check(const Calibration *c, DigitsError *err);

/* Reads calibration.txt's bytes (len of them; no terminating NUL needed) into *c. On failure *c
 * is unchanged and err starts with name (the file's path as the user knows it), then the line,
 * e.g. "model/calibration.txt: line 3: temperature '0' must be a number from 0.01 to 100". */
int calibration_parse(Calibration *c, const char *text, size_t len, const char *name, DigitsError *err);

/* Writes the file's text (with a comment line saying what it is) into out, NUL-terminated.
 * Returns its length without the NUL, or 0 if cap is too small (CALIBRATION_TEXT_MAX always
 * suffices). The numbers are written so that calibration_parse gives back the same floats. */
#define CALIBRATION_TEXT_MAX 512
size_t calibration_format(const Calibration *c, char *out, size_t cap);

/* The score of one row of ten logits z (see the top of this file). */
float calibration_score(CalibrationScore score, const float z[NN_OUTPUTS]);

/* softmax(z / c->temperature) into probs (10); probs may not alias z. */
void calibration_probabilities(const Calibration *c, const float z[NN_OUTPUTS], float probs[NN_OUTPUTS]);

/* ---- fitting, when a model is trained ---- */

/* The temperature in [0.05, 20] that minimises the mean negative log-likelihood of the labels
 * (n of them, 0..9) under softmax(Z / T), Z holding n rows of ten logits: a golden-section search
 * on log T. n must be at least 1. */
float calibration_fit_temperature(const float *Z, const uint8_t *labels, size_t n);

/* The largest threshold that accepts (score >= threshold) at least the fraction `accept` (0..1]
 * of the n scores: the (1 - accept) quantile, rounded down to a score. Sorts scores in place;
 * n must be at least 1. */
float calibration_threshold(float *scores, size_t n, float accept);

/* Fits *c for model m on labelled digits that no training saw (d, at least one row): the
 * temperature by calibration_fit_temperature, and the threshold on `score` that accepts the
 * fraction `accept` (0..1] of them (calibration_threshold, less a millionth, so that the integer
 * path of the recogniser, rounding differently in the last bits, accepts them too). -1 with err set (*c unchanged) for empty or unlabelled data,
 * a bad accept, a model whose outputs overflow, or out of memory. */
int calibration_fit(Calibration *c, const Model *m, const Dataset *d, CalibrationScore score, float accept,
                    DigitsError *err);

/* Expected calibration error of n rows of ten probabilities against their labels: the top
 * probabilities in 15 equal bins of [0, 1], each bin's |accuracy - mean top probability| weighted
 * by its share of the rows. */
#define CALIBRATION_ECE_BINS 15
double calibration_ece(const float *probs, const uint8_t *labels, size_t n);

#endif
