/* nn.h: the network. 784 inputs -> H hidden (ReLU) -> 10 outputs (softmax).
 *
 * Shapes in memory (row-major):
 *   W1 (784, H)   b1 (H)   W2 (10, H)   b2 (10)
 *   X  (B, 784)   Z1, A1 (B, H)   Z2, A2 (B, 10)          B = batch size
 * Z1 = X W1 + b1, A1 = ReLU(Z1), Z2 = A1 W2^T + b2, A2 = softmax(Z2) (each row).
 * W1 is pixel-major, W1[k * H + h], so that every kernel streams one contiguous row of H weights
 * per inked pixel. The model files hold its transpose, (H, 784) as the seed wrote it; model_io
 * transposes at that boundary and nowhere else.
 * Input pixels are 0..1 (pixel / 255), 0 = background, 1 = ink; no other normalisation.
 *
 * All parameters live in one allocation `params`, with W1, b1, W2, b2 as named views into it
 * in that order; a gradient or optimizer state is just another Model of the same H. */
#ifndef DIGITS_NN_H
#define DIGITS_NN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define NN_INPUTS 784
#define NN_OUTPUTS 10
#define NN_MAX_HIDDEN 4096
/* A training label that is none of the ten digits (outlier exposure, outlier.h): the rows of A2
 * then hold an 11-way softmax's probabilities of the ten digits, the eleventh class ("not a
 * digit") being what they leave, 1 - sum_j A2[j]. Its loss is -log(1 - sum_j A2[j]), and every
 * output's target 0. (train.c makes those probabilities; the network stays 784-H-10.) */
#define NN_BACKGROUND 10

typedef struct {
    int hidden;      /* H */
    size_t count;    /* number of floats in params */
    float *params;   /* one block: W1 | b1 | W2 | b2 */
    float *W1, *b1, *W2, *b2;
} Model;

/* The four tensors, in file order, for loops that treat them alike (save, load). */
typedef enum { NN_W1, NN_B1, NN_W2, NN_B2, NN_TENSORS } NnTensor;
float *nn_tensor(const Model *m, NnTensor t); /* the view */

/* Floats needed for a model with this many hidden units. */
size_t nn_param_count(int hidden);

/* Allocates a zeroed model (one malloc). hidden must be 1..NN_MAX_HIDDEN. Free with nn_model_free. */
int nn_model_alloc(Model *m, int hidden, DigitsError *err);
void nn_model_free(Model *m);              /* NULL-safe; leaves *m zeroed */
void nn_model_zero(Model *m);
void nn_model_copy(Model *dst, const Model *src); /* same hidden size */

/* He initialisation: W ~ N(0, 2/fan_in), biases 0. Same seed, same weights: W1 is drawn unit by
 * unit, as (H, 784), then W2. */
void nn_model_init_he(Model *m, uint64_t seed);

/* Caller-owned activations for a batch of up to `capacity` rows. */
typedef struct {
    int capacity, hidden;
    float *Z1, *A1; /* (capacity, H) */
    float *Z2, *A2; /* (capacity, 10) */
} Activations;

int nn_activations_alloc(Activations *a, int capacity, int hidden, DigitsError *err);
void nn_activations_free(Activations *a); /* NULL-safe; leaves *a zeroed */

/* ---- the reference pass: the math as the formulas read, kept to test the fast kernels ---- */

/* X (B,784), W1 (784,H), b1 (H), W2 (10,H), b2 (10) -> Z1, A1 (B,H), Z2, A2 (B,10) in a. */
void nn_forward_reference(Activations *a, const Model *m, const float *X, int B);

/* The gradient of the mean softmax cross-entropy over the batch, ACCUMULATED (+=) into grad
 * (zero it first with nn_model_zero). a holds the forward pass of the same X; Y (B) in 0..9, or
 * NN_BACKGROUND (target 0 for every output). */
void nn_backward_reference(Model *grad, const Model *m, const Activations *a, const float *X,
                           const uint8_t *Y, int B);

/* ---- the fast kernels: the same results, reading only the inked (non-zero) pixels ---- */

/* As nn_forward_reference; the seed's forward_prop(W1, b1, W2, b2, X). */
void nn_forward(Activations *a, const Model *m, const float *X, int B);

/* The rest of nn_forward once a->Z1 holds the first layer's sums (the integer recogniser computes
 * them its own way): A1 = ReLU(Z1), Z2, A2 for B rows. */
void nn_forward_output(Activations *a, const Model *m, int B);

/* One row's logits, for reading one image: Z1 from x (784 values), or with x NULL a->Z1 as it is;
 * then A1 and Z2 of row 0. No softmax: A2 is left as it was (a reader's calibration makes its own
 * probabilities from Z2). */
void nn_forward_logits(Activations *a, const Model *m, const float *x);

/* As nn_backward_reference. scratch holds nn_backward_scratch_bytes(B, H) bytes from malloc. */
size_t nn_backward_scratch_bytes(int B, int hidden);
void nn_backward(Model *grad, const Model *m, const Activations *a, const float *X, const uint8_t *Y,
                 void *scratch, int B);

/* ---- pieces ---- */

/* Softmax of one row of n logits, stable for huge values: out may alias z. */
void nn_softmax(float *out, const float *z, int n);

/* Index of the largest of n values (the first on ties). */
int nn_argmax(const float *v, int n);

/* Mean cross-entropy loss of the batch against labels Y (B values in 0..9 or NN_BACKGROUND),
 * from a->A2. */
float nn_cross_entropy(const Activations *a, const uint8_t *Y, int B);

/* 0 if every value of x (784) is a number in [0, 1]; otherwise -1 with err naming the first bad
 * one, e.g. "input value 7 (row 0, column 7) is NaN". */
int nn_check_input(const float *x, DigitsError *err);

/* Indices of the non-zero entries of x (784), ascending, into idx (784); returns their count. */
int nn_nonzero_indices(int *idx, const float *x);

/* 1 if all ten values (probabilities or logits) are finite. Finite but huge weights can overflow the logits;
 * a caller then reports an error rather than a digit. */
int nn_outputs_finite(const float probs[NN_OUTPUTS]);

#endif
