/* quant.c: the first layer in exact integer arithmetic (see quant.h). */
#include "quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* The largest whole number of the grid of `bits`-bit weights: 2^(bits-1) - 1. */
static int grid_max(int bits) { return (1 << (bits - 1)) - 1; }

/* The step of a unit whose largest weight is `largest` (> 0) on the grid of `bits`-bit weights:
 * the smallest power of two s with largest <= grid_max(bits) s (so that rounding to the grid and
 * recognising it agree: a rounded unit's largest weight asks for the same s), but no finer than
 * 2^-24, float16's finest step, so that every grid point is a float16 number. */
static float grid_step(float largest, int bits) {
    int e;
    frexpf(largest, &e); /* 2^(e-1) <= largest < 2^e: s is 2^(e-bits+1) or twice that */
    float s = ldexpf(1.0f, e - bits + 1);
    if (largest > (float)grid_max(bits) * s) s *= 2.0f; /* exact: a small integer times 2^k */
    return fmaxf(s, 0x1p-24f);
}

/* Each unit's largest |weight| into largest (H): one pass over W1's rows. */
static void largest_weights(float *largest, const Model *m) {
    int H = m->hidden;
    for (int h = 0; h < H; h++) largest[h] = 0.0f;
    for (int k = 0; k < NN_INPUTS; k++) {
        const float *w = m->W1 + (size_t)k * H;
        for (int h = 0; h < H; h++) largest[h] = fmaxf(largest[h], fabsf(w[h]));
    }
}

void quant_round_w1(Model *m, int bits) {
    int H = m->hidden;
    bits = bits < 2 ? 2 : bits > QUANT_BITS ? QUANT_BITS : bits;
    float step[NN_MAX_HIDDEN];
    largest_weights(step, m);
    for (int h = 0; h < H; h++) /* 0: all zero, or not numbers: nothing to round */
        step[h] = step[h] > 0.0f && !isinf(step[h]) ? grid_step(step[h], bits) : 0.0f;
    for (int k = 0; k < NN_INPUTS; k++) {
        float *w = m->W1 + (size_t)k * H;
        for (int h = 0; h < H; h++)
            if (step[h] > 0.0f) w[h] = nearbyintf(w[h] / step[h]) * step[h];
    }
}

/* Each unit's grid step into step (H), 0 for a unit of zeros; returns 0 if a unit is off the grid. */
static int grid_steps(float *step, const Model *m) {
    int H = m->hidden;
    largest_weights(step, m);
    for (int h = 0; h < H; h++) {
        if (!(step[h] <= 65504.0f)) return 0; /* infinite or beyond float16: not a grid point */
        step[h] = step[h] > 0.0f ? grid_step(step[h], QUANT_BITS) : 0.0f;
    }
    for (int k = 0; k < NN_INPUTS; k++) {
        const float *w = m->W1 + (size_t)k * H;
        for (int h = 0; h < H; h++) {
            if (step[h] == 0.0f) continue;
            float q = w[h] / step[h]; /* exact: a power of two */
            if (q != nearbyintf(q) || fabsf(q) > QUANT_MAX) return 0;
        }
    }
    return 1;
}

int quant_on_grid(const Model *m) {
    float step[NN_MAX_HIDDEN];
    return grid_steps(step, m);
}

int quant_weight(const QuantW1 *q, int h, int k) { return q->Q[(size_t)k * (size_t)q->stride + (size_t)h]; }

void quant_free(QuantW1 *q) {
    if (!q) return;
    free(q->Q); /* the block's start */
    memset(q, 0, sizeof *q);
}

int quant_new(QuantW1 *q, const Model *m, DigitsError *err) {
    memset(q, 0, sizeof *q);
    float step[NN_MAX_HIDDEN];
    if (!grid_steps(step, m)) return 0;
    int H = m->hidden, stride = (H + 7) / 8 * 8;
    BlockPart parts[] = {{&q->Q, (size_t)NN_INPUTS * (size_t)stride, sizeof(int16_t)},
                         {&q->scale, (size_t)H, sizeof(float)}, {&q->sums, (size_t)stride, sizeof(int32_t)}};
    if (!block_alloc(parts, 3)) {
        memset(q, 0, sizeof *q);
        return error_set(err, "out of memory for the integer form of a 784-%d-10 model", H);
    }
    q->hidden = H, q->stride = stride;
    for (int p = 0; p < 256; p++) q->levels[p] = (float)p / 255.0f;
    for (int h = 0; h < H; h++) q->scale[h] = step[h] / 255.0f;
    for (int k = 0; k < NN_INPUTS; k++) {
        const float *w = m->W1 + (size_t)k * H;
        int16_t *row = q->Q + (size_t)k * stride;
        for (int h = 0; h < stride; h++) row[h] = h < H && step[h] > 0.0f ? (int16_t)(w[h] / step[h]) : 0;
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
    for (; n % ROWS; n++) { /* pad to whole passes with pixels of level 0 (n > 0: a row already in use) */
        idx[n] = idx[n - 1];
        level[n] = 0;
    }
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
