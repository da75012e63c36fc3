/* nn.h: the network. 784 inputs -> H hidden (ReLU) -> 10 outputs (softmax).
 *
 * Shapes (the model files' convention, row-major):
 *   W1 (H, 784)   b1 (H)   W2 (10, H)   b2 (10)
 *   X  (B, 784)   Z1, A1 (B, H)   Z2, A2 (B, 10)          B = batch size
 * Z1 = X W1^T + b1, A1 = ReLU(Z1), Z2 = A1 W2^T + b2, A2 = softmax(Z2) (each row).
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

typedef struct {
    int hidden;      /* H */
    size_t count;    /* number of floats in params */
    float *params;   /* one block: W1 | b1 | W2 | b2 */
    float *W1, *b1, *W2, *b2;
} Model;

/* The four tensors, in file order, for loops that treat them alike (init, save, load). */
typedef enum { NN_W1, NN_B1, NN_W2, NN_B2, NN_TENSORS } NnTensor;
extern const char *const NN_TENSOR_NAMES[NN_TENSORS]; /* "W1", "b1", "W2", "b2" */
size_t nn_tensor_rows(int hidden, NnTensor t);          /* H, H, 10, 10 */
size_t nn_tensor_cols(int hidden, NnTensor t);          /* 784, 1, H, 1 */
float *nn_tensor(const Model *m, NnTensor t);           /* the view */

/* Floats needed for a model with this many hidden units. */
size_t nn_param_count(int hidden);

/* Allocates a zeroed model (one malloc). hidden must be 1..NN_MAX_HIDDEN. Free with model_free. */
int model_alloc(Model *m, int hidden, DigitsError *err);
void model_free(Model *m);              /* NULL-safe; leaves *m zeroed */
void model_zero(Model *m);
void model_copy(Model *dst, const Model *src); /* same hidden size */

/* He initialisation: W ~ N(0, 2/fan_in), biases 0. Same seed, same weights. */
void model_init_he(Model *m, uint64_t seed);

/* Caller-owned activations for a batch of up to `capacity` rows. */
typedef struct {
    int capacity, hidden;
    float *Z1, *A1; /* (capacity, H) */
    float *Z2, *A2; /* (capacity, 10) */
} Activations;

int activations_alloc(Activations *a, int capacity, int hidden, DigitsError *err);
void activations_free(Activations *a);

/* Forward pass for B rows of X (B <= a->capacity): fills a->Z1, A1, Z2, A2.
 * The seed's forward_prop(W1, b1, W2, b2, X). Exploits the zeros in X (most MNIST pixels). */
void forward_prop(Activations *a, const Model *m, const float *X, int B);

/* The plain reference implementation of forward_prop, kept to test the fast one against. */
void forward_prop_reference(Activations *a, const Model *m, const float *X, int B);

/* Softmax of one row of n logits, stable for huge values: out may alias z. */
void softmax(float *out, const float *z, int n);

/* Mean cross-entropy loss of the batch against labels Y (B values in 0..9), from a->A2. */
float cross_entropy(const Activations *a, const uint8_t *Y, int B);

/* Backward pass of the mean softmax cross-entropy loss over the batch:
 * ACCUMULATES (+=) dLoss/dparams into grad (zero it first with model_zero).
 * Needs the activations of the forward pass for the same X. scratch must hold
 * nn_backward_scratch_bytes(B, H) bytes (from malloc: aligned for floats and ints). */
size_t nn_backward_scratch_bytes(int B, int hidden);
void backward_prop(Model *grad, const Model *m, const Activations *a, const float *X,
                   const uint8_t *Y, int B, void *scratch);

/* The plain reference implementation of backward_prop (dense, as the formulas read; no scratch),
 * kept to test the fast ones against. Accumulates into grad as backward_prop does. */
void backward_prop_reference(Model *grad, const Model *m, const Activations *a, const float *X,
                             const uint8_t *Y, int B);

/* ---- the training layout ----
 * Training keeps the first layer transposed, W1T (784, H) in the W1 view of a Model (same size,
 * same place), so that both first-layer kernels stream over contiguous rows of H: for each inked
 * pixel k, z1 += x[k] * W1T[k] (forward) and dW1T[k] += x[k] * dz1 (backward). The optimizer is
 * elementwise, so gradients and moments simply share the layout. */

/* (H, 784) <-> (784, H); dst and src must not overlap. */
void nn_transpose_w1(float *W1T, const float *W1, int hidden);
void nn_untranspose_w1(float *W1, const float *W1T, int hidden);

/* forward_prop and backward_prop for a model (and gradient) in the training layout. */
void forward_prop_t(Activations *a, const Model *mt, const float *X, int B);
void backward_prop_t(Model *gradt, const Model *mt, const Activations *a, const float *X,
                     const uint8_t *Y, int B, void *scratch);

/* One image: x is 784 values in 0..1. Writes the 10 probabilities and returns the digit 0..9,
 * or -1 with err set when x holds a NaN, an infinity or a value outside [0, 1], or when the
 * model's outputs overflow (see nn_outputs_finite).
 * hidden_scratch must hold H floats. */
int predict(const Model *m, const float *x, float probs[NN_OUTPUTS], float *hidden_scratch,
            DigitsError *err);

/* predict for a model in the training layout (W1 transposed): the same result, faster (each
 * inked pixel reads one contiguous row). The recogniser keeps its model in this layout. */
int predict_t(const Model *mt, const float *x, float probs[NN_OUTPUTS], float *hidden_scratch,
              DigitsError *err);

/* ---- pieces of predict, shared with the integer recogniser (quant.c) ---- */

/* 0 if every value of x (784) is a number in [0, 1]; otherwise -1 with err naming the first bad
 * one, e.g. "input value 7 (row 0, column 7) is NaN". */
int nn_check_input(const float *x, DigitsError *err);

/* Indices of the non-zero entries of x (784), ascending, into idx (784); returns their count. */
int nn_nonzero_indices(int *idx, const float *x);

/* The rest of predict once the first layer's z1 (H) is known: ReLU (in place), second layer,
 * softmax, the finite check and the digit. m may be in either layout (W2, b2 are the same). */
int nn_predict_from_z1(const Model *m, float *z1, float probs[NN_OUTPUTS], DigitsError *err);

/* 1 if all ten probabilities are finite numbers. A model with finite but huge weights can
 * overflow its logits; predict, predict_t and predict_dataset then fail instead of answering. */
int nn_outputs_finite(const float probs[NN_OUTPUTS]);

/* Index of the largest of n values (the first on ties). */
int argmax(const float *v, int n);

#endif
