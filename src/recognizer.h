/* recognizer.h: reading digits with a trained model, one image or a batch at a time.
 *
 *   Recognizer *r = recognizer_new(&model, &err);    // takes the model; NULL only when out of memory
 *   int digit = recognizer_predict(r, x, probs, &err); // 0..9, or -1 with err set
 *   recognizer_free(r);
 *
 * The recogniser owns everything recognition needs: the model, the integer form of its first
 * layer when W1 is on the grid (quant.h; otherwise the float kernels run, to the same answer) and
 * its scratch. One recogniser serves one caller at a time. */
#ifndef DIGITS_RECOGNIZER_H
#define DIGITS_RECOGNIZER_H

#include "error.h"
#include "nn.h"

typedef struct Recognizer Recognizer;

/* Takes ownership of *m in every case: its contents move into the recogniser, and *m is left
 * zeroed (on failure the model is freed). NULL with err set only when out of memory. */
Recognizer *recognizer_new(Model *m, DigitsError *err);
void recognizer_free(Recognizer *r); /* NULL-safe */

/* One image: x is 784 values in 0..1. Writes the 10 probabilities and returns the digit 0..9, or
 * -1 with err set when x holds a NaN, an infinity or a value outside [0, 1] ("input value 7
 * (row 0, column 7) is NaN"), or when the model's outputs overflow (its weights are too large). */
int recognizer_predict(Recognizer *r, const float *x, float probs[NN_OUTPUTS], DigitsError *err);

/* n images of 784 values: probs gets n * 10 probabilities, digits (may be NULL) n digits.
 * Returns 0, or -1 with err naming the first bad image ("image 3: input value ..."). */
int recognizer_predict_batch(Recognizer *r, const float *X, int n, float *probs, int *digits, DigitsError *err);

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
