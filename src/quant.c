/* quant.c: the first layer in exact integer arithmetic (see quant.h). */
#include "quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* The grid step of a unit whose largest weight is `largest` (> 0): the smallest power of two s
 * with largest <= QUANT_MAX s (so that rounding to the grid and recognising it agree: a rounded
 * unit's largest weight asks for the same s), but no finer than 2^-24, float16's finest step, so
 * that every grid point is a float16 number. */
static float grid_step(float largest) {
    int e;
    frexpf(largest, &e); /* 2^(e-1) <= largest < 2^e: s is 2^(e-11) or 2^(e-10) */
    float s = ldexpf(1.0f, e - 11);
    if (largest > QUANT_MAX * s) s *= 2.0f; /* QUANT_MAX * s is exact: an 11-bit integer times 2^k */
    return fmaxf(s, 0x1p-24f);
}

static float largest_weight(const float *w) {
    float largest = 0.0f;
    for (int k = 0; k < NN_INPUTS; k++) largest = fmaxf(largest, fabsf(w[k]));
    return largest;
}

void quant_round_w1(Model *m) {
    for (int h = 0; h < m->hidden; h++) {
        float *w = m->W1 + (size_t)h * NN_INPUTS, largest = largest_weight(w);
        if (!(largest > 0.0f) || isinf(largest)) continue; /* all zero, or not numbers: nothing to round */
        float step = grid_step(largest);
        for (int k = 0; k < NN_INPUTS; k++) w[k] = nearbyintf(w[k] / step) * step;
    }
}

/* The grid step of unit h if its weights are on the grid; 0 if they are all zero; -1 if not. */
static float unit_step(const float *w) {
    float largest = largest_weight(w);
    if (largest == 0.0f) return 0.0f;
    if (!(largest <= 65504.0f)) return -1.0f; /* NaN, infinite or beyond float16: not a grid point */
    float step = grid_step(largest);
    for (int k = 0; k < NN_INPUTS; k++) {
        float q = w[k] / step; /* exact: a power of two */
        if (q != nearbyintf(q) || fabsf(q) > QUANT_MAX) return -1.0f;
    }
    return step;
}

int quant_on_grid(const Model *m) {
    for (int h = 0; h < m->hidden; h++)
        if (unit_step(m->W1 + (size_t)h * NN_INPUTS) < 0.0f) return 0;
    return 1;
}

int quant_weight(const QuantW1 *q, int h, int k) { return q->Q[(size_t)k * (size_t)q->stride + (size_t)h]; }

void quant_free(QuantW1 *q) {
    if (!q) return;
    free(q->Q);
    free(q->scale);
    free(q->sums);
    memset(q, 0, sizeof *q);
}

int quant_new(QuantW1 *q, const Model *m, DigitsError *err) {
    memset(q, 0, sizeof *q);
    if (!quant_on_grid(m)) return 0;
    int H = m->hidden, stride = (H + 7) / 8 * 8;
    q->hidden = H, q->stride = stride;
    q->Q = calloc((size_t)NN_INPUTS * (size_t)stride, sizeof *q->Q);
    q->scale = malloc((size_t)H * sizeof *q->scale);
    q->sums = malloc((size_t)stride * sizeof *q->sums);
    if (!q->Q || !q->scale || !q->sums) {
        quant_free(q);
        return error_set(err, "out of memory for the integer form of a 784-%d-10 model", H);
    }
    for (int p = 0; p < 256; p++) q->levels[p] = (float)p / 255.0f;
    for (int h = 0; h < H; h++) {
        const float *w = m->W1 + (size_t)h * NN_INPUTS;
        float step = unit_step(w);
        q->scale[h] = step / 255.0f;
        for (int k = 0; k < NN_INPUTS; k++)
            q->Q[(size_t)k * stride + h] = step > 0.0f ? (int16_t)(w[k] / step) : 0;
    }
    return 1;
}

/* The 8-bit levels (0..255) of x's inked pixels, with their indices; n of them. 0 if some pixel
 * is not one of q->levels (p / 255.0f, which is also what JavaScript's Float32Array holds for
 * p / 255: division rounded to double and then to float gives the correctly rounded float). */
static int inked_levels(int *idx, int32_t *level, int *n, const QuantW1 *q, const float *x) {
    *n = nn_nonzero_indices(idx, x);
    int exact = 1;
    for (int i = 0; i < *n; i++) {
        float v = x[idx[i]];
        float c = v > 0.0f && v <= 1.0f ? v : 0.0f; /* NaN, negative or above 1: no level, and no safe index */
        int32_t p = (int32_t)(c * 255.0f + 0.5f);   /* p is in 0..255 */
        exact &= (c == v) & (q->levels[p] == v);
        level[i] = p;
    }
    return exact;
}

enum { ROWS = 8 }; /* inked pixels per pass over the sums: each sum is loaded and stored once per ROWS rows */

/* sums[0..stride) += sum over r of level[r] * row[r][0..stride), for ROWS rows of Q. Exact in any order. */
#ifdef __wasm_simd128__
/* Eight units at a time: two rows' 16-bit weights interleaved unit by unit, times their pair of
 * levels (p, p') repeated, with i32x4.dot_i16x8_s: lane j gets row[j] p + row'[j] p'. */
static void add_rows(int32_t *sums, const int16_t *const row[ROWS], const int32_t level[ROWS], int stride) {
    v128_t pair[ROWS / 2];
    for (int r = 0; r < ROWS; r += 2) pair[r / 2] = wasm_i32x4_splat(level[r] | level[r + 1] << 16);
    for (int h = 0; h < stride; h += 8) {
        v128_t lo = wasm_v128_load(sums + h), hi = wasm_v128_load(sums + h + 4);
        for (int r = 0; r < ROWS; r += 2) {
            v128_t a = wasm_v128_load(row[r] + h), b = wasm_v128_load(row[r + 1] + h);
            lo = wasm_i32x4_add(lo, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11), pair[r / 2]));
            hi = wasm_i32x4_add(hi, wasm_i32x4_dot_i16x8(wasm_i16x8_shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15), pair[r / 2]));
        }
        wasm_v128_store(sums + h, lo);
        wasm_v128_store(sums + h + 4, hi);
    }
}
#else
static void add_rows(int32_t *sums, const int16_t *const row[ROWS], const int32_t level[ROWS], int stride) {
    int32_t *restrict s = sums;
    for (int r = 0; r < ROWS; r++) {
        const int16_t *restrict w = row[r];
        int32_t p = level[r];
        for (int h = 0; h < stride; h++) s[h] += w[h] * p;
    }
}
#endif

int quant_hidden_layer(float *z1, QuantW1 *q, const float *b1, const float *x) {
    int idx[NN_INPUTS + ROWS - 1], n;
    int32_t level[NN_INPUTS + ROWS - 1];
    if (!inked_levels(idx, level, &n, q, x)) return 0;
    for (; n % ROWS; n++) idx[n] = idx[n - 1], level[n] = 0; /* n > 0 here: a row already in use */
    int stride = q->stride;
    memset(q->sums, 0, (size_t)stride * sizeof *q->sums);
    for (int i = 0; i < n; i += ROWS) {
        const int16_t *row[ROWS];
        for (int r = 0; r < ROWS; r++) row[r] = q->Q + (size_t)idx[i + r] * stride;
        add_rows(q->sums, row, level + i, stride);
    }
    float *restrict z = z1;
    const int32_t *restrict sums = q->sums;
    const float *restrict scale = q->scale;
    for (int h = 0; h < q->hidden; h++) z[h] = b1[h] + (float)sums[h] * scale[h];
    return 1;
}

int predict_q(QuantW1 *q, const Model *mt, const float *x, float probs[NN_OUTPUTS], float *hidden_scratch,
              DigitsError *err) {
    if (nn_check_input(x, err)) return -1;
    if (!q || !quant_hidden_layer(hidden_scratch, q, mt->b1, x)) return predict_t(mt, x, probs, hidden_scratch, err);
    return nn_predict_from_z1(mt, hidden_scratch, probs, err);
}
