/* nn.c: the network's math. No I/O, no allocation in the kernels. */
#include "nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "rng.h"

float *nn_tensor(const Model *m, NnTensor t) {
    float *views[NN_TENSORS] = {m->W1, m->b1, m->W2, m->b2};
    return views[t];
}

size_t nn_param_count(int hidden) {
    size_t h = (size_t)hidden;
    return NN_INPUTS * h + h + NN_OUTPUTS * h + NN_OUTPUTS;
}

int nn_model_alloc(Model *m, int hidden, DigitsError *err) {
    memset(m, 0, sizeof *m);
    if (hidden < 1 || hidden > NN_MAX_HIDDEN)
        return error_set(err, "hidden size %d is outside 1..%d", hidden, NN_MAX_HIDDEN);
    size_t h = (size_t)hidden, count = nn_param_count(hidden);
    float *params = calloc(count, sizeof *params);
    if (!params) return error_set(err, "out of memory for a model with %d hidden units", hidden);
    m->hidden = hidden;
    m->count = count;
    m->params = params;
    m->W1 = params;
    m->b1 = m->W1 + NN_INPUTS * h;
    m->W2 = m->b1 + h;
    m->b2 = m->W2 + NN_OUTPUTS * h;
    return 0;
}

void nn_model_free(Model *m) {
    if (!m) return;
    free(m->params);
    memset(m, 0, sizeof *m);
}

void nn_model_zero(Model *m) { memset(m->params, 0, m->count * sizeof *m->params); }

void nn_model_copy(Model *dst, const Model *src) {
    memcpy(dst->params, src->params, src->count * sizeof *src->params);
}

void nn_model_init_he(Model *m, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    nn_model_zero(m);
    int H = m->hidden;
    float s1 = sqrtf(2.0f / NN_INPUTS), s2 = sqrtf(2.0f / (float)H);
    for (int h = 0; h < H; h++)
        for (int k = 0; k < NN_INPUTS; k++) m->W1[(size_t)k * H + h] = s1 * rng_normal(&rng);
    for (size_t i = 0; i < (size_t)H * NN_OUTPUTS; i++) m->W2[i] = s2 * rng_normal(&rng);
}

int nn_activations_alloc(Activations *a, int capacity, int hidden, DigitsError *err) {
    memset(a, 0, sizeof *a);
    if (capacity < 1 || hidden < 1 || hidden > NN_MAX_HIDDEN)
        return error_set(err, "invalid activation size: batch %d, hidden %d", capacity, hidden);
    size_t bh = (size_t)capacity * (size_t)hidden, bo = (size_t)capacity * NN_OUTPUTS;
    BlockPart parts[] = {{&a->Z1, bh, sizeof(float)}, {&a->A1, bh, sizeof(float)},
                         {&a->Z2, bo, sizeof(float)}, {&a->A2, bo, sizeof(float)}};
    if (!block_alloc(parts, BLOCK_COUNT(parts))) return error_set(err, "out of memory for a batch of %d", capacity);
    a->capacity = capacity;
    a->hidden = hidden;
    return 0;
}

void nn_activations_free(Activations *a) {
    if (!a) return;
    free(a->Z1); /* the block's start */
    memset(a, 0, sizeof *a);
}

void nn_softmax(float *out, const float *z, int n) {
    float max = z[0];
    for (int i = 1; i < n; i++)
        if (z[i] > max) max = z[i];
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        out[i] = expf(z[i] - max);
        sum += out[i];
    }
    for (int i = 0; i < n; i++) out[i] /= sum;
}

int nn_argmax(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

float nn_cross_entropy(const Activations *a, const uint8_t *Y, int B) {
    double loss = 0.0;
    for (int b = 0; b < B; b++) {
        const float *p = a->A2 + (size_t)b * NN_OUTPUTS;
        double q = 1.0; /* NN_BACKGROUND: the probability the ten digits leave */
        if (Y[b] == NN_BACKGROUND)
            for (int j = 0; j < NN_OUTPUTS; j++) q -= p[j];
        else
            q = p[Y[b]];
        loss -= log(q > 1e-30 ? q : 1e-30);
    }
    return (float)(loss / B);
}

/* The training target of output j for label y: one-hot for a digit, 0 for NN_BACKGROUND. */
static float target(uint8_t y, int j) { return j == y ? 1.0f : 0.0f; }

/* ---- the reference pass ---- */

void nn_forward_reference(Activations *a, const Model *m, const float *X, int B) {
    int H = m->hidden;
    for (int b = 0; b < B; b++) {
        const float *x = X + (size_t)b * NN_INPUTS;
        float *z1 = a->Z1 + (size_t)b * H, *a1 = a->A1 + (size_t)b * H;
        float *z2 = a->Z2 + (size_t)b * NN_OUTPUTS, *a2 = a->A2 + (size_t)b * NN_OUTPUTS;
        for (int h = 0; h < H; h++) { /* z1 = x W1 + b1, a1 = ReLU(z1) */
            float sum = m->b1[h];
            for (int k = 0; k < NN_INPUTS; k++) sum += x[k] * m->W1[(size_t)k * H + h];
            z1[h] = sum;
            a1[h] = sum > 0.0f ? sum : 0.0f;
        }
        for (int j = 0; j < NN_OUTPUTS; j++) { /* z2 = a1 W2^T + b2 */
            float sum = m->b2[j];
            for (int h = 0; h < H; h++) sum += a1[h] * m->W2[(size_t)j * H + h];
            z2[j] = sum;
        }
        nn_softmax(a2, z2, NN_OUTPUTS); /* a2 = softmax(z2) */
    }
}

void nn_backward_reference(Model *grad, const Model *m, const Activations *a, const float *X,
                           const uint8_t *Y, int B) {
    int H = m->hidden;
    float inv_b = 1.0f / (float)B; /* the loss is the batch's mean */
    for (int b = 0; b < B; b++) {
        const float *x = X + (size_t)b * NN_INPUTS, *a1 = a->A1 + (size_t)b * H, *z1 = a->Z1 + (size_t)b * H;
        float dz2[NN_OUTPUTS];
        for (int j = 0; j < NN_OUTPUTS; j++) /* dz2 = (a2 - target(y)) / B */
            dz2[j] = (a->A2[(size_t)b * NN_OUTPUTS + j] - target(Y[b], j)) * inv_b;
        for (int j = 0; j < NN_OUTPUTS; j++) { /* dW2 += dz2 a1^T, db2 += dz2 */
            for (int h = 0; h < H; h++) grad->W2[(size_t)j * H + h] += dz2[j] * a1[h];
            grad->b2[j] += dz2[j];
        }
        for (int h = 0; h < H; h++) { /* dz1 = (dz2 W2) * ReLU'(z1); dW1 += x^T dz1, db1 += dz1 */
            float dz1 = 0.0f;
            for (int j = 0; j < NN_OUTPUTS; j++) dz1 += dz2[j] * m->W2[(size_t)j * H + h];
            dz1 = z1[h] > 0.0f ? dz1 : 0.0f;
            for (int k = 0; k < NN_INPUTS; k++) grad->W1[(size_t)k * H + h] += x[k] * dz1;
            grad->b1[h] += dz1;
        }
    }
}

/* ---- the fast kernels ---- */

/* Four floats as one SIMD register: SSE natively, v128 in wasm (-msimd128); GCC and clang both
 * accept the vector_size extension. Unaligned loads and stores go through memcpy. The output layer
 * sums across the lanes of its vectors, so it stays at four lanes in every build (the wider fvec
 * below would add in another order, and builds would differ in the last bit). */
typedef float f32x4 __attribute__((vector_size(16)));

static f32x4 load4(const float *p) {
    f32x4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The widest vector the build targets: 16 floats with AVX-512, 8 with AVX, else 4 (SSE2, wasm's
 * SIMD128). Every kernel below is element-wise across lanes, so the width changes no result. */
#if defined(__AVX512F__)
enum { LANES = 16 };
#elif defined(__AVX__)
enum { LANES = 8 };
#else
enum { LANES = 4 };
#endif
typedef float fvec __attribute__((vector_size(LANES * sizeof(float))));

static fvec loadv(const float *p) {
    fvec v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* a1 = max(z1, 0), n values. */
static void relu(float *restrict a1, const float *restrict z1, int n) {
    for (int i = 0; i < n; i++) a1[i] = z1[i] > 0.0f ? z1[i] : 0.0f;
}

/* A float's bits without its sign: 0 exactly for +0 and -0, so "!= 0" on these is "!= 0.0f" on
 * the float (a NaN is not 0 either), in integer arithmetic that vectorises without NaN care. */
static uint32_t magnitude_bits(float v) {
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return u & 0x7fffffffu;
}

/* Blank runs of eight pixels (most of a digit's frame) are skipped with one test; within an
 * inked run the compaction is branch-free, as ink and paper alternate unpredictably. */
int nn_nonzero_indices(int *idx, const float *x) {
    enum { RUN = 8 }; /* divides 784 */
    int n = 0;
    for (int k = 0; k < NN_INPUTS; k += RUN) {
        uint32_t inked = 0;
        for (int l = 0; l < RUN; l++) inked |= magnitude_bits(x[k + l]);
        if (!inked) continue;
        for (int l = 0; l < RUN; l++) {
            idx[n] = k + l;
            n += magnitude_bits(x[k + l]) != 0;
        }
    }
    return n;
}

/* z1 = b1 + sum over inked pixels k of x[k] * W1[k], before the ReLU; x (784), z1 (H).
 * Each inked pixel adds one contiguous row, four rows per pass over z1, so that each z1 element
 * is loaded and stored once per four rows rather than once per row. Padding pixels have value 0:
 * adding 0 * w changes no sum. */
static void hidden_layer(float *z1, const float *x, const Model *m) {
    enum { ROWS = 4 };
    int H = m->hidden, idx[NN_INPUTS + ROWS - 1];
    float v[NN_INPUTS + ROWS - 1];
    int n = nn_nonzero_indices(idx, x);
    for (int i = 0; i < n; i++) v[i] = x[idx[i]];
    for (; n % ROWS; n++) { /* pad to whole passes with pixels of value 0 (n > 0: a row already in use) */
        idx[n] = idx[n - 1];
        v[n] = 0.0f;
    }
    float *restrict z = z1;
    memcpy(z, m->b1, (size_t)H * sizeof *z);
    for (int i = 0; i < n; i += ROWS) {
        const float *restrict w0 = m->W1 + (size_t)idx[i] * H, *restrict w1 = m->W1 + (size_t)idx[i + 1] * H,
                              *restrict w2 = m->W1 + (size_t)idx[i + 2] * H,
                              *restrict w3 = m->W1 + (size_t)idx[i + 3] * H;
        float v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3];
        int h = 0;
        for (; h + 2 * LANES <= H; h += 2 * LANES) {
            fvec za = loadv(z + h), zb = loadv(z + h + LANES);
            za += (v0 * loadv(w0 + h) + v1 * loadv(w1 + h)) + (v2 * loadv(w2 + h) + v3 * loadv(w3 + h));
            zb += (v0 * loadv(w0 + h + LANES) + v1 * loadv(w1 + h + LANES)) + (v2 * loadv(w2 + h + LANES) + v3 * loadv(w3 + h + LANES));
            memcpy(z + h, &za, sizeof za);
            memcpy(z + h + LANES, &zb, sizeof zb);
        }
        for (; h + LANES <= H; h += LANES) {
            fvec za = loadv(z + h);
            za += (v0 * loadv(w0 + h) + v1 * loadv(w1 + h)) + (v2 * loadv(w2 + h) + v3 * loadv(w3 + h));
            memcpy(z + h, &za, sizeof za);
        }
        for (; h < H; h++) z[h] += (v0 * w0[h] + v1 * w1[h]) + (v2 * w2[h] + v3 * w3[h]);
    }
}

/* Z2 = A1 W2^T + b2 for one row: a1 is (H), z2 is (10). One pass over a1, four units at a time,
 * with ten vector sums (one per digit) held in registers: a1 is read once. */
static void output_logits(float *z2, const float *a1, const Model *m) {
    int H = m->hidden, tail = H - H % 4;
    f32x4 acc[NN_OUTPUTS] = {{0}};
    for (int h = 0; h < tail; h += 4) {
        f32x4 v = load4(a1 + h);
        for (int j = 0; j < NN_OUTPUTS; j++) acc[j] += load4(m->W2 + (size_t)j * H + h) * v;
    }
    for (int j = 0; j < NN_OUTPUTS; j++) {
        float sum = m->b2[j];
        for (int h = tail; h < H; h++) sum += m->W2[(size_t)j * H + h] * a1[h];
        z2[j] = sum + ((acc[j][0] + acc[j][1]) + (acc[j][2] + acc[j][3]));
    }
}

/* Row b from its z1: a1 = ReLU(z1), then the output layer's logits, and their softmax if asked. */
static void output_row(Activations *a, const Model *m, int b, int softmax) {
    int H = m->hidden;
    float *a1 = a->A1 + (size_t)b * H, *z2 = a->Z2 + (size_t)b * NN_OUTPUTS;
    relu(a1, a->Z1 + (size_t)b * H, H);
    output_logits(z2, a1, m);
    if (softmax) nn_softmax(a->A2 + (size_t)b * NN_OUTPUTS, z2, NN_OUTPUTS);
}

void nn_forward(Activations *a, const Model *m, const float *X, int B) {
    for (int b = 0; b < B; b++) {
        hidden_layer(a->Z1 + (size_t)b * m->hidden, X + (size_t)b * NN_INPUTS, m);
        output_row(a, m, b, 1);
    }
}

void nn_forward_output(Activations *a, const Model *m, int B) {
    for (int b = 0; b < B; b++) output_row(a, m, b, 1);
}

void nn_forward_logits(Activations *a, const Model *m, const float *x) {
    if (x) hidden_layer(a->Z1, x, m);
    output_row(a, m, 0, 0);
}

/* The backward pass lists, for CHUNK samples at a time, which samples ink each pixel. */
enum { CHUNK = 256 };

typedef struct {
    float *dZ2, *dZ1;   /* (B, 10), (B, H) */
    int *start;         /* (785): where each pixel's list starts */
    int *sample;        /* (min(B, CHUNK) * 784): the lists' samples ... */
    float *value;       /* ... and their pixel values */
} BackwardScratch;

/* The scratch's size in bytes, and with base, where each part lies in it. */
static size_t backward_scratch(BackwardScratch *s, void *base, int B, int hidden) {
    size_t rows = (size_t)(B < CHUNK ? B : CHUNK), b = (size_t)B;
    BlockPart parts[] = {{&s->dZ2, b * NN_OUTPUTS, sizeof(float)}, {&s->dZ1, b * (size_t)hidden, sizeof(float)},
                         {&s->start, NN_INPUTS + 1, sizeof(int)}, {&s->sample, rows * NN_INPUTS, sizeof(int)},
                         {&s->value, rows * NN_INPUTS, sizeof(float)}};
    return block_layout(base, parts, BLOCK_COUNT(parts));
}

size_t nn_backward_scratch_bytes(int B, int hidden) {
    BackwardScratch s;
    return backward_scratch(&s, NULL, B, hidden);
}

/* dZ2 = (A2 - target(Y)) / B, then per row: dW2 += dz2 a1^T, db2 += dz2, dz1 = (dz2 W2) * ReLU'(z1). */
static void output_backward(Model *grad, float *dZ2, float *dZ1, const Model *m, const Activations *a,
                            const uint8_t *Y, int B) {
    int H = m->hidden;
    float inv_b = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        float *dz2 = dZ2 + (size_t)b * NN_OUTPUTS, *dz1 = dZ1 + (size_t)b * H;
        const float *a1 = a->A1 + (size_t)b * H, *z1 = a->Z1 + (size_t)b * H;
        for (int j = 0; j < NN_OUTPUTS; j++)
            dz2[j] = (a->A2[(size_t)b * NN_OUTPUTS + j] - target(Y[b], j)) * inv_b;
        for (int h = 0; h < H; h++) dz1[h] = 0.0f;
        for (int j = 0; j < NN_OUTPUTS; j++) {
            float d = dz2[j];
            float *restrict gw = grad->W2 + (size_t)j * H;
            const float *restrict w = m->W2 + (size_t)j * H;
            for (int h = 0; h < H; h++) {
                gw[h] += d * a1[h];
                dz1[h] += d * w[h];
            }
            grad->b2[j] += d;
        }
        for (int h = 0; h < H; h++) dz1[h] = z1[h] > 0.0f ? dz1[h] : 0.0f;
    }
}

/* Which samples of X[first, first + n) ink each pixel: pixel k's (sample, value) entries, samples
 * ascending, are sample[start[k]] .. sample[start[k + 1] - 1] (and value[...] alike). */
static void pixel_lists(const BackwardScratch *s, const float *X, int first, int n) {
    int idx[NN_INPUTS], *start = s->start;
    memset(start, 0, (NN_INPUTS + 1) * sizeof *start);
    for (int b = first; b < first + n; b++) { /* count, a pixel ahead: start[k + 1] += ... */
        const float *x = X + (size_t)b * NN_INPUTS;
        for (int k = 0; k < NN_INPUTS; k++) start[k + 1] += magnitude_bits(x[k]) != 0;
    }
    for (int k = 0; k < NN_INPUTS; k++) start[k + 1] += start[k];
    int fill[NN_INPUTS];
    memcpy(fill, start, sizeof fill);
    for (int b = first; b < first + n; b++) {
        const float *x = X + (size_t)b * NN_INPUTS;
        int nnz = nn_nonzero_indices(idx, x);
        for (int i = 0; i < nnz; i++) {
            int at = fill[idx[i]]++;
            s->sample[at] = b, s->value[at] = x[idx[i]];
        }
    }
}

/* dW1[k] += sum over the samples b that ink pixel k of x[b][k] * dZ1[b], in sample order, for
 * one row of H: a register-blocked gradient row, loaded and stored once per pixel rather than once
 * per sample. Each element still adds the same products in the same order as one sample at a time
 * would, so the result is the same to the last bit. */
static void gradient_row(float *gw, const int *sample, const float *value, int count, const float *dZ1, int H) {
    enum { VECS = 8 };
    int h = 0;
    for (; h + LANES * VECS <= H; h += LANES * VECS) {
        fvec acc[VECS];
        for (int j = 0; j < VECS; j++) acc[j] = loadv(gw + h + LANES * j);
        for (int e = 0; e < count; e++) {
            const float *dz = dZ1 + (size_t)sample[e] * H + h;
            float v = value[e];
            for (int j = 0; j < VECS; j++) acc[j] += v * loadv(dz + LANES * j);
        }
        memcpy(gw + h, acc, sizeof acc);
    }
    for (; h + LANES <= H; h += LANES) {
        fvec acc = loadv(gw + h);
        for (int e = 0; e < count; e++) acc += value[e] * loadv(dZ1 + (size_t)sample[e] * H + h);
        memcpy(gw + h, &acc, sizeof acc);
    }
    for (; h < H; h++) {
        float acc = gw[h];
        for (int e = 0; e < count; e++) acc += value[e] * dZ1[(size_t)sample[e] * H + h];
        gw[h] = acc;
    }
}

void nn_backward(Model *grad, const Model *m, const Activations *a, const float *X, const uint8_t *Y,
                 void *scratch, int B) {
    int H = m->hidden;
    BackwardScratch s;
    backward_scratch(&s, scratch, B, H);
    output_backward(grad, s.dZ2, s.dZ1, m, a, Y, B);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) grad->b1[h] += s.dZ1[(size_t)b * H + h];
    for (int first = 0; first < B; first += CHUNK) { /* chunks in sample order: the order of every sum holds */
        int n = B - first < CHUNK ? B - first : CHUNK;
        pixel_lists(&s, X, first, n);
        for (int k = 0; k < NN_INPUTS; k++) {
            int count = s.start[k + 1] - s.start[k];
            if (count) gradient_row(grad->W1 + (size_t)k * H, s.sample + s.start[k], s.value + s.start[k], count, s.dZ1, H);
        }
    }
}

int nn_check_input(const float *x, DigitsError *err) {
    int in_range = 1; /* one branch-free pass the compiler vectorises; the loop below only names the culprit */
    for (int k = 0; k < NN_INPUTS; k++) in_range &= (x[k] >= 0.0f) & (x[k] <= 1.0f); /* NaN fails both */
    if (in_range) return 0;
    for (int k = 0; k < NN_INPUTS; k++) {
        float v = x[k];
        if (isnan(v)) return error_set(err, "input value %d (row %d, column %d) is NaN", k, k / 28, k % 28);
        if (isinf(v)) return error_set(err, "input value %d (row %d, column %d) is infinite", k, k / 28, k % 28);
        if (v < 0.0f || v > 1.0f)
            return error_set(err, "input value %d (row %d, column %d) is %g, outside 0..1", k, k / 28, k % 28,
                             (double)v);
    }
    return 0;
}

int nn_outputs_finite(const float probs[NN_OUTPUTS]) {
    for (int j = 0; j < NN_OUTPUTS; j++)
        if (!isfinite(probs[j])) return 0;
    return 1;
}
