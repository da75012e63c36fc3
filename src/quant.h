/* quant.h: the first layer in exact integer arithmetic, for the recogniser.
 *
 * A model's W1 is "on the grid" when each hidden unit's 784 weights are whole numbers of at
 * most 11 bits and a sign (|q| <= QUANT_MAX) times one power of two for that unit:
 * W1[h][k] = q[h][k] 2^e[h]. float16 (11 significant bits) and float32 hold such weights exactly,
 * so they are ordinary model files, read by NumPy and every other tool as they are.
 * quant_round_w1 moves a model's W1 to the nearest point of a grid of `bits`-bit weights
 * (|q| <= M = 2^(bits-1) - 1), by half a step at most, less than 1/M of the unit's largest weight:
 * with 12 bits, the finest, under 1/2047 of it, about float16's own rounding of the large weights;
 * with 7 bits (M = 63), which costs the default model no accuracy, W1 packs into a third of the
 * bytes (pack.h, docs/model-pack.md). Every coarser grid lies on the finest, so the recogniser
 * takes them all.
 *
 * For an 8-bit image (every pixel a multiple of 1/255, as in MNIST and Kaggle's CSV, and as the
 * page's preprocessing delivers) the first layer is then
 *     z1[h] = b1[h] + 2^e[h] / 255 * sum over inked k of q[h][k] * pixel[k]      (pixel 0..255)
 * where the sum is an exact integer (|sum| <= 2047 * 255 * 784 < 2^31): the same network and
 * the same weights as the float kernels, with less rounding, in 16-bit multiply-adds that wasm's
 * SIMD pairs two at a time (i32x4.dot_i16x8_s): a unit's numbers for two neighbouring pixels lie
 * side by side, so that one instruction takes both pixels of a stroke for four units. Each unit's
 * numbers are kept at its coarsest step; when they all fit 8 bits (a grid of up to 8 bits), they
 * are stored as int8, a quarter of the bytes of float32 weights.
 * Any other model or input takes the float path (recognizer.c chooses). */
#ifndef DIGITS_QUANT_H
#define DIGITS_QUANT_H

#include <stdint.h>

#include "error.h"
#include "nn.h"

#define QUANT_BITS 12  /* the finest grid: |q| <= QUANT_MAX */
#define QUANT_MAX 2047

typedef struct {
    int hidden, stride; /* stride: hidden rounded up to a multiple of 16 (a kernel pass) */
    int wide;           /* 0: the whole numbers fit int8 (|q| <= 127: grids of up to 8 bits); 1: int16 */
    void *pairs;        /* (392, stride, 2), int8 or int16: each unit's numbers for the pixels 2j and
                           2j + 1 side by side, q[h][k] at [(k / 2) * stride + h][k % 2]; padding 0 */
    float *scale;       /* (hidden): 2^e[h] / 255, e[h] the unit's coarsest step */
    int32_t *sums;      /* (stride): scratch for the integer sums */
    float levels[256];  /* p / 255.0f: the pixel values of an 8-bit image */
} QuantW1;

/* Moves W1 to the nearest point of the grid of `bits`-bit weights (2..QUANT_BITS; values outside
 * are clamped to that range). Idempotent. */
void quant_round_w1(Model *m, int bits);

/* 1 if m's W1 is on the grid. */
int quant_on_grid(const Model *m);

/* The whole number q of unit h for pixel k, at the unit's coarsest step: W1[h][k] = q 255 scale[h]. */
int quant_weight(const QuantW1 *q, int h, int k);

/* Builds the integer form of m's W1. Returns 1 when built, 0 when W1 is not on the grid (q zeroed:
 * use the float path), -1 with err set when out of memory. Free with quant_free. */
int quant_new(QuantW1 *q, const Model *m, DigitsError *err);
void quant_free(QuantW1 *q); /* NULL-safe; leaves *q zeroed */

/* z1 = b1 + x W1, before the ReLU, in integers, if x (784 values) is an 8-bit image: returns 1.
 * Returns 0, having written nothing, for any other x (NaN and out-of-range values included). */
int quant_hidden_layer(float *z1, QuantW1 *q, const float *b1, const float *x);

#endif
