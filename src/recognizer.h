/* recognizer.h: reading digits with a trained model, one image or a batch at a time, and saying
 * when a drawing is no digit at all.
 *
 *   Recognizer *r = recognizer_new(&model, &err);    // takes the model; NULL only when out of memory
 *   recognizer_set_calibration(r, &calibration, &err); // from calibration.txt; a default otherwise
 *   Reading reading;
 *   int digit = recognizer_predict(r, x, &reading, &err); // 0..9, or -1 with err set
 *   recognizer_free(r);
 *
 * The recogniser owns everything recognition needs: the model, its calibration (calibration.h:
 * the score, threshold and temperature), the integer form of its first layer when W1 is on the
 * grid (quant.h; otherwise the float kernels run, to the same answer) and its scratch. One
 * recogniser serves one caller at a time. */
#ifndef DIGITS_RECOGNIZER_H
#define DIGITS_RECOGNIZER_H

#include "calibration.h"
#include "error.h"
#include "nn.h"

typedef struct Recognizer Recognizer;

/* What the recogniser reads in one image. */
typedef struct {
    int digit;                       /* 0..9: the largest logit, whether or not it is a digit */
    int is_digit;                    /* 1 when score >= the calibration's threshold */
    float score;                     /* the calibration's score of the logits */
    float probabilities[NN_OUTPUTS]; /* softmax(logits / the calibration's temperature) */
    float logits[NN_OUTPUTS];        /* z: the output layer before the softmax */
} Reading;

/* Takes ownership of *m in every case: its contents move into the recogniser, and *m is left
 * zeroed (on failure the model is freed). The calibration starts as calibration_default(). NULL
 * with err set only when out of memory. */
Recognizer *recognizer_new(Model *m, DigitsError *err);
void recognizer_free(Recognizer *r); /* NULL-safe */

/* One image: x is 784 values in 0..1. Fills *out and returns the digit 0..9, or -1 with err set
 * when x holds a NaN, an infinity or a value outside [0, 1] ("input value 7 (row 0, column 7)
 * is NaN"), or when the model's outputs overflow (its weights are too large). */
int recognizer_predict(Recognizer *r, const float *x, Reading *out, DigitsError *err);

/* n images of 784 values into out[0 .. n-1]. Returns 0, or -1 with err naming the first bad image
 * ("image 3: input value ..."). */
int recognizer_predict_batch(Recognizer *r, const float *X, int n, Reading *out, DigitsError *err);

/* Replaces the calibration after checking it (calibration_check); on failure the old one stays. */
int recognizer_set_calibration(Recognizer *r, const Calibration *c, DigitsError *err);
const Calibration *recognizer_calibration(const Recognizer *r);

/* The model in use (for exporting it). */
const Model *recognizer_model(const Recognizer *r);

/* 1 while the first layer runs in integers; recognizer_drop_integers goes back to the float
 * kernels for good (the benchmark compares the two). */
int recognizer_uses_integers(const Recognizer *r);
void recognizer_drop_integers(Recognizer *r);

/* The integer first layer alone (quant_hidden_layer): z1 (H) for an 8-bit x, returning 1; 0 when
 * the recogniser has no integer layer or x is not 8-bit. For tests of the SIMD kernel. */
int recognizer_integer_layer(Recognizer *r, const float *x, float *z1);

#endif
