/* quant.c: the first layer in exact integer arithmetic (see quant.h). */
#include "quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

enum { PASS = 16 }; /* units whose sums one pass of the kernel keeps in registers */

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

/* Each unit's numbers at its coarsest step: q[h][k] = w / step[h] (whole numbers: the model is on
 * the grid), divided by the largest power of two that divides them all (step[h] multiplied by it).
 * Returns the largest |q| left. */
static int32_t coarsest_numbers(int32_t *Q, float *step, const Model *m) {
    int H = m->hidden;
    int32_t largest = 0;
    for (int h = 0; h < H; h++) {
        uint32_t bits = 0; /* every number's bits ORed: its trailing zeros are the common power of two */
        for (int k = 0; k < NN_INPUTS; k++) {
            int32_t v = step[h] > 0.0f ? (int32_t)(m->W1[(size_t)k * H + h] / step[h]) : 0;
            Q[(size_t)h * NN_INPUTS + k] = v;
            bits |= (uint32_t)abs(v);
        }
        int shift = 0;
        for (; bits && !(bits & 1); bits >>= 1) shift++;
        step[h] = ldexpf(step[h], shift);
        for (int k = 0; k < NN_INPUTS; k++) {
            int32_t v = Q[(size_t)h * NN_INPUTS + k] / (1 << shift);
            Q[(size_t)h * NN_INPUTS + k] = v;
            if (abs(v) > largest) largest = abs(v);
        }
    }
    return largest;
}

int quant_weight(const QuantW1 *q, int h, int k) {
    size_t at = ((size_t)(k / 2) * (size_t)q->stride + (size_t)h) * 2 + (size_t)(k % 2);
    return q->wide ? ((const int16_t *)q->pairs)[at] : ((const int8_t *)q->pairs)[at];
}

void quant_free(QuantW1 *q) {
    if (!q) return;
    free(q->pairs); /* the block's start */
    memset(q, 0, sizeof *q);
}

int quant_new(QuantW1 *q, const Model *m, DigitsError *err) {
    memset(q, 0, sizeof *q);
    float step[NN_MAX_HIDDEN];
    if (!grid_steps(step, m)) return 0;
    int H = m->hidden, stride = (H + PASS - 1) / PASS * PASS;
    int32_t *Q = malloc((size_t)H * NN_INPUTS * sizeof *Q);
    int wide = Q ? coarsest_numbers(Q, step, m) > INT8_MAX : 0;
    BlockPart parts[] = {{&q->pairs, (size_t)NN_INPUTS * (size_t)stride, wide ? sizeof(int16_t) : sizeof(int8_t)},
                         {&q->scale, (size_t)H, sizeof(float)}, {&q->sums, (size_t)stride, sizeof(int32_t)}};
    if (!Q || !block_alloc(parts, BLOCK_COUNT(parts))) {
        free(Q);
        memset(q, 0, sizeof *q);
        return error_set(err, "out of memory for the integer form of a 784-%d-10 model", H);
    }
    q->hidden = H, q->stride = stride, q->wide = wide;
    for (int p = 0; p < 256; p++) q->levels[p] = (float)p / 255.0f;
    for (int h = 0; h < H; h++) q->scale[h] = step[h] / 255.0f;
    for (int k = 0; k < NN_INPUTS; k++) {
        for (int h = 0; h < stride; h++) {
            size_t at = ((size_t)(k / 2) * (size_t)stride + (size_t)h) * 2 + (size_t)(k % 2);
            int32_t v = h < H ? Q[(size_t)h * NN_INPUTS + k] : 0;
            if (wide) ((int16_t *)q->pairs)[at] = (int16_t)v;
            else ((int8_t *)q->pairs)[at] = (int8_t)v;
        }
    }
    free(Q);
    return 1;
}

/* The inked pairs of pixels (2j, 2j + 1) of x: pair[i] = j and level[i] = their levels p | p' << 16,
 * the two 16-bit halves that i32x4.dot_i16x8_s pairs with the pair's interleaved numbers; n of
 * them. 0 if some pixel is not an 8-bit level: not one of q->levels (p / 255.0f, which is also what
 * JavaScript's Float32Array holds for p / 255: division rounded to double and then to float gives
 * the correctly rounded float). Blank runs of eight pixels, most of a digit's frame, are skipped
 * with one test. */
#ifdef __wasm_simd128__
/* Eight pixels at a time: their levels p = (int)(x 255 + 0.5), checked by p / 255.0f == x (f32x4.div
 * rounds correctly, as the table of levels does), narrowed to 16 bits, which puts each pair's two
 * levels side by side in one 32-bit lane. */
static int inked_pairs(int *pair, int32_t *level, int *n, const QuantW1 *q, const float *x) {
    const v128_t zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f), scale = wasm_f32x4_splat(255.0f),
                 half = wasm_f32x4_splat(0.5f);
    (void)q;
    *n = 0;
    for (int k = 0; k < NN_INPUTS; k += 8) {
        v128_t a = wasm_v128_load(x + k), b = wasm_v128_load(x + k + 4);
        if (!wasm_v128_any_true(wasm_v128_or(a, b))) continue; /* all +0 (a -0 goes the long way, to level 0) */
        v128_t pa = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(wasm_f32x4_mul(a, scale), half));
        v128_t pb = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_add(wasm_f32x4_mul(b, scale), half));
        v128_t ok = wasm_v128_and(wasm_v128_and(wasm_f32x4_ge(a, zero), wasm_f32x4_le(a, one)),
                                  wasm_f32x4_eq(wasm_f32x4_div(wasm_f32x4_convert_i32x4(pa), scale), a));
        ok = wasm_v128_and(ok, wasm_v128_and(wasm_v128_and(wasm_f32x4_ge(b, zero), wasm_f32x4_le(b, one)),
                                             wasm_f32x4_eq(wasm_f32x4_div(wasm_f32x4_convert_i32x4(pb), scale), b)));
        if (!wasm_i32x4_all_true(ok)) return 0;
        int32_t pairs[4];
        wasm_v128_store(pairs, wasm_u16x8_narrow_i32x4(pa, pb)); /* p0 | p1 << 16, p2 | p3 << 16, ... */
        for (int l = 0; l < 4; l++) {
            pair[*n] = k / 2 + l;
            level[*n] = pairs[l];
            *n += pairs[l] != 0;
        }
    }
    return 1;
}
#else
/* The 8-bit level (0..255) of pixel value v, or -1. */
static int32_t level_of(const QuantW1 *q, float v) {
    float c = v > 0.0f && v <= 1.0f ? v : 0.0f; /* NaN, negative or above 1: no level, and no safe index */
    int32_t p = (int32_t)(c * 255.0f + 0.5f);   /* p is in 0..255 */
    return c == v && q->levels[p] == v ? p : -1;
}

static int inked_pairs(int *pair, int32_t *level, int *n, const QuantW1 *q, const float *x) {
    *n = 0;
    for (int k = 0; k < NN_INPUTS; k += 8) {
        uint32_t inked = 0;
        for (int l = 0; l < 8; l++) {
            uint32_t u;
            memcpy(&u, &x[k + l], sizeof u);
            inked |= u;
        }
        if (!inked) continue;
        for (int l = 0; l < 8; l += 2) {
            int32_t a = level_of(q, x[k + l]), b = level_of(q, x[k + l + 1]);
            if ((a | b) < 0) return 0;
            pair[*n] = (k + l) / 2;
            level[*n] = a | b << 16;
            *n += (a | b) != 0;
        }
    }
    return 1;
}
#endif

/* sums[h] = sum over the n pairs i of row_i[h] . level_i, for h in [0, stride): row_i are the pair's
 * two interleaved numbers for each unit (int8, or int16 when wide), level_i = p | p' << 16. Exact in
 * any order. n is even. */
#ifdef __wasm_simd128__
/* PASS units at a time, their sums in registers over all pairs: i32x4.dot_i16x8_s multiplies a
 * pair's two numbers for four units by (p, p') and adds each unit's two products. */
static v128_t load_pair4(const void *row, int h, int wide) { /* units h..h+3 of a pair row, as 16-bit */
    return wide ? wasm_v128_load((const int16_t *)row + 2 * h) : wasm_i16x8_load8x8((const int8_t *)row + 2 * h);
}

static void add_pairs(int32_t *sums, const void *const *row, const int32_t *level, int n, int stride, int wide) {
    for (int h = 0; h < stride; h += PASS) {
        v128_t s[PASS / 4];
        for (int v = 0; v < PASS / 4; v++) s[v] = wasm_i32x4_splat(0);
        for (int i = 0; i < n; i += 2) {
            v128_t a = wasm_i32x4_splat(level[i]), b = wasm_i32x4_splat(level[i + 1]);
            for (int v = 0; v < PASS / 4; v++)
                s[v] = wasm_i32x4_add(s[v], wasm_i32x4_add(wasm_i32x4_dot_i16x8(load_pair4(row[i], h + 4 * v, wide), a),
                                                           wasm_i32x4_dot_i16x8(load_pair4(row[i + 1], h + 4 * v, wide), b)));
        }
        for (int v = 0; v < PASS / 4; v++) wasm_v128_store(sums + h + 4 * v, s[v]);
    }
}
#else
static void add_pairs(int32_t *sums, const void *const *row, const int32_t *level, int n, int stride, int wide) {
    memset(sums, 0, (size_t)stride * sizeof *sums);
    for (int i = 0; i < n; i++) {
        int32_t p = level[i] & 0xffff, p2 = level[i] >> 16;
        for (int h = 0; h < stride; h++) {
            int32_t a = wide ? ((const int16_t *)row[i])[2 * h] : ((const int8_t *)row[i])[2 * h];
            int32_t b = wide ? ((const int16_t *)row[i])[2 * h + 1] : ((const int8_t *)row[i])[2 * h + 1];
            sums[h] += a * p + b * p2;
        }
    }
}
#endif

int quant_hidden_layer(float *z1, QuantW1 *q, const float *b1, const float *x) {
    int pair[NN_INPUTS / 2 + 1], n;
    int32_t level[NN_INPUTS / 2 + 1];
    if (!inked_pairs(pair, level, &n, q, x)) return 0;
    const void *row[NN_INPUTS / 2 + 1];
    size_t bytes = (size_t)q->stride * 2 * (q->wide ? sizeof(int16_t) : sizeof(int8_t));
    for (int i = 0; i < n; i++) row[i] = (const char *)q->pairs + (size_t)pair[i] * bytes;
    if (n % 2) row[n] = q->pairs, level[n++] = 0; /* a pair of level 0 to make them even */
    add_pairs(q->sums, row, level, n, q->stride, q->wide);
    float *restrict z = z1;
    const int32_t *restrict sums = q->sums;
    const float *restrict scale = q->scale;
    for (int h = 0; h < q->hidden; h++) z[h] = b1[h] + (float)sums[h] * scale[h];
    return 1;
}
