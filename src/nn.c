/* nn.c: the network's math. No I/O, no allocation in the kernels. */
#include "nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

const char *const NN_TENSOR_NAMES[NN_TENSORS] = {"W1", "b1", "W2", "b2"};

size_t nn_tensor_rows(int hidden, NnTensor t) {
    return (t == NN_W1 || t == NN_B1) ? (size_t)hidden : NN_OUTPUTS;
}

size_t nn_tensor_cols(int hidden, NnTensor t) {
    switch (t) {
    case NN_W1: return NN_INPUTS;
    case NN_W2: return (size_t)hidden;
    default: return 1;
    }
}

float *nn_tensor(const Model *m, NnTensor t) {
    float *views[NN_TENSORS] = {m->W1, m->b1, m->W2, m->b2};
    return views[t];
}

size_t nn_param_count(int hidden) {
    size_t h = (size_t)hidden;
    return h * NN_INPUTS + h + NN_OUTPUTS * h + NN_OUTPUTS;
}

static void model_set_views(Model *m) {
    size_t h = (size_t)m->hidden;
    m->W1 = m->params;
    m->b1 = m->W1 + h * NN_INPUTS;
    m->W2 = m->b1 + h;
    m->b2 = m->W2 + NN_OUTPUTS * h;
}

int model_alloc(Model *m, int hidden, DigitsError *err) {
    memset(m, 0, sizeof *m);
    if (hidden < 1 || hidden > NN_MAX_HIDDEN)
        return error_set(err, "hidden size %d is outside 1..%d", hidden, NN_MAX_HIDDEN);
    size_t count = nn_param_count(hidden);
    float *params = calloc(count, sizeof *params);
    if (!params) return error_set(err, "out of memory for a model with %d hidden units", hidden);
    m->hidden = hidden;
    m->count = count;
    m->params = params;
    model_set_views(m);
    return 0;
}

void model_free(Model *m) {
    if (!m) return;
    free(m->params);
    memset(m, 0, sizeof *m);
}

void model_zero(Model *m) { memset(m->params, 0, m->count * sizeof *m->params); }

void model_copy(Model *dst, const Model *src) {
    memcpy(dst->params, src->params, src->count * sizeof *src->params);
}

void model_init_he(Model *m, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    model_zero(m);
    float s1 = sqrtf(2.0f / NN_INPUTS), s2 = sqrtf(2.0f / (float)m->hidden);
    size_t n1 = (size_t)m->hidden * NN_INPUTS, n2 = (size_t)m->hidden * NN_OUTPUTS;
    for (size_t i = 0; i < n1; i++) m->W1[i] = s1 * rng_normal(&rng);
    for (size_t i = 0; i < n2; i++) m->W2[i] = s2 * rng_normal(&rng);
}

int activations_alloc(Activations *a, int capacity, int hidden, DigitsError *err) {
    memset(a, 0, sizeof *a);
    if (capacity < 1 || hidden < 1 || hidden > NN_MAX_HIDDEN)
        return error_set(err, "invalid activation size: batch %d, hidden %d", capacity, hidden);
    size_t bh = (size_t)capacity * (size_t)hidden, bo = (size_t)capacity * NN_OUTPUTS;
    float *block = malloc((2 * bh + 2 * bo) * sizeof *block);
    if (!block) return error_set(err, "out of memory for a batch of %d", capacity);
    a->capacity = capacity;
    a->hidden = hidden;
    a->Z1 = block;
    a->A1 = a->Z1 + bh;
    a->Z2 = a->A1 + bh;
    a->A2 = a->Z2 + bo;
    return 0;
}

void activations_free(Activations *a) {
    if (!a) return;
    free(a->Z1);
    memset(a, 0, sizeof *a);
}

void softmax(float *out, const float *z, int n) {
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

int argmax(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

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

/* a1 = max(z1, 0); a1 may be z1. One loop for each case, so that each vectorises: for pointers
 * that might overlap in part the compiler would fall back to scalar code. */
static void relu(float *a1, const float *z1, int n) {
    if (a1 == z1) {
        for (int i = 0; i < n; i++) a1[i] = a1[i] > 0.0f ? a1[i] : 0.0f;
        return;
    }
    float *restrict out = a1;
    const float *restrict in = z1;
    for (int i = 0; i < n; i++) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

/* Second layer and softmax for one row: Z2 = A1 W2^T + b2, A2 = softmax(Z2).
 * a1 is (H), W2 is (10, H), z2 and a2 are (10). One pass over a1, four units at a time, with ten
 * vector sums (one per digit) held in registers: a1 is read once, not ten times. */
static void output_layer(float *z2, float *a2, const float *a1, const Model *m) {
    int H = m->hidden, tail = H - H % 4;
    f32x4 acc[NN_OUTPUTS] = {{0}};
    for (int h = 0; h < tail; h += 4) {
        f32x4 a = load4(a1 + h);
        for (int j = 0; j < NN_OUTPUTS; j++) acc[j] += load4(m->W2 + (size_t)j * H + h) * a;
    }
    for (int j = 0; j < NN_OUTPUTS; j++) {
        float sum = m->b2[j];
        for (int h = tail; h < H; h++) sum += m->W2[(size_t)j * H + h] * a1[h];
        z2[j] = sum + ((acc[j][0] + acc[j][1]) + (acc[j][2] + acc[j][3]));
    }
    softmax(a2, z2, NN_OUTPUTS);
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

/* First layer for one row, reading only the non-zero inputs:
 * z1 = W1 x + b1, a1 = ReLU(z1). x is (784), W1 is (H, 784), z1 and a1 are (H).
 * Four hidden units at a time share each gathered input (four independent sums). */
static void hidden_layer_sparse(float *z1, float *a1, const float *x, const int *idx, int nnz,
                                const Model *m) {
    int H = m->hidden, h = 0;
    float xs[NN_INPUTS];
    for (int i = 0; i < nnz; i++) xs[i] = x[idx[i]];
    for (; h + 4 <= H; h += 4) {
        const float *w0 = m->W1 + (size_t)h * NN_INPUTS, *w1 = w0 + NN_INPUTS, *w2 = w1 + NN_INPUTS,
                    *w3 = w2 + NN_INPUTS;
        float s0 = m->b1[h], s1 = m->b1[h + 1], s2 = m->b1[h + 2], s3 = m->b1[h + 3];
        for (int i = 0; i < nnz; i++) {
            int k = idx[i];
            float v = xs[i];
            s0 += w0[k] * v;
            s1 += w1[k] * v;
            s2 += w2[k] * v;
            s3 += w3[k] * v;
        }
        z1[h] = s0, z1[h + 1] = s1, z1[h + 2] = s2, z1[h + 3] = s3;
    }
    for (; h < H; h++) {
        const float *w = m->W1 + (size_t)h * NN_INPUTS;
        float sum = m->b1[h];
        for (int i = 0; i < nnz; i++) sum += w[idx[i]] * xs[i];
        z1[h] = sum;
    }
    relu(a1, z1, H);
}

void forward_prop(Activations *a, const Model *m, const float *X, int B) {
    int H = m->hidden;
    int idx[NN_INPUTS];
    for (int b = 0; b < B; b++) {
        const float *x = X + (size_t)b * NN_INPUTS;
        float *z1 = a->Z1 + (size_t)b * H, *a1 = a->A1 + (size_t)b * H;
        int nnz = nn_nonzero_indices(idx, x);
        hidden_layer_sparse(z1, a1, x, idx, nnz, m);
        output_layer(a->Z2 + (size_t)b * NN_OUTPUTS, a->A2 + (size_t)b * NN_OUTPUTS, a1, m);
    }
}

void forward_prop_reference(Activations *a, const Model *m, const float *X, int B) {
    int H = m->hidden;
    for (int b = 0; b < B; b++) {
        const float *x = X + (size_t)b * NN_INPUTS;
        for (int h = 0; h < H; h++) {
            float sum = m->b1[h];
            for (int k = 0; k < NN_INPUTS; k++) sum += m->W1[(size_t)h * NN_INPUTS + k] * x[k];
            a->Z1[(size_t)b * H + h] = sum;
            a->A1[(size_t)b * H + h] = sum > 0.0f ? sum : 0.0f;
        }
        for (int j = 0; j < NN_OUTPUTS; j++) {
            float sum = m->b2[j];
            for (int h = 0; h < H; h++) sum += m->W2[(size_t)j * H + h] * a->A1[(size_t)b * H + h];
            a->Z2[(size_t)b * NN_OUTPUTS + j] = sum;
        }
        softmax(a->A2 + (size_t)b * NN_OUTPUTS, a->Z2 + (size_t)b * NN_OUTPUTS, NN_OUTPUTS);
    }
}

float cross_entropy(const Activations *a, const uint8_t *Y, int B) {
    double loss = 0.0;
    for (int b = 0; b < B; b++) {
        float p = a->A2[(size_t)b * NN_OUTPUTS + Y[b]];
        loss -= log(p > 1e-30f ? p : 1e-30f);
    }
    return (float)(loss / B);
}

/* backward_prop_t lists, for CHUNK samples at a time, which samples ink each pixel. */
enum { CHUNK = 256 };

size_t nn_backward_scratch_bytes(int B, int hidden) {
    size_t rows = (size_t)(B < CHUNK ? B : CHUNK);
    return (size_t)B * ((size_t)hidden + NN_OUTPUTS) * sizeof(float) /* dZ2, dZ1 */
           + (NN_INPUTS + 1) * sizeof(int)                            /* where each pixel's list starts */
           + rows * NN_INPUTS * (sizeof(int) + sizeof(float));       /* its (sample, value) entries */
}

/* dZ2 = (A2 - onehot(Y)) / B, then per row: dW2 += dz2 a1^T, db2 += dz2, dz1 = (W2^T dz2) * ReLU'(z1).
 * dZ2 is (B, 10), dZ1 is (B, H). Shared by both layouts: the second layer is the same. */
static void output_backward(Model *grad, float *dZ2, float *dZ1, const Model *m, const Activations *a,
                            const uint8_t *Y, int B) {
    int H = m->hidden;
    float inv_b = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        float *dz2 = dZ2 + (size_t)b * NN_OUTPUTS, *dz1 = dZ1 + (size_t)b * H;
        const float *a1 = a->A1 + (size_t)b * H, *z1 = a->Z1 + (size_t)b * H;
        for (int j = 0; j < NN_OUTPUTS; j++)
            dz2[j] = (a->A2[(size_t)b * NN_OUTPUTS + j] - (j == Y[b] ? 1.0f : 0.0f)) * inv_b;
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

void backward_prop(Model *grad, const Model *m, const Activations *a, const float *X,
                   const uint8_t *Y, int B, void *scratch) {
    int H = m->hidden;
    float *dZ2 = scratch, *dZ1 = dZ2 + (size_t)B * NN_OUTPUTS;
    int idx[NN_INPUTS];
    float xs[NN_INPUTS];
    output_backward(grad, dZ2, dZ1, m, a, Y, B);
    for (int b = 0; b < B; b++) {
        const float *dz1 = dZ1 + (size_t)b * H, *x = X + (size_t)b * NN_INPUTS;
        int nnz = nn_nonzero_indices(idx, x);
        for (int i = 0; i < nnz; i++) xs[i] = x[idx[i]];
        for (int h = 0; h < H; h++) { /* dW1[h] += dz1[h] * x, inked pixels only; db1 += dz1 */
            float d = dz1[h];
            if (d == 0.0f) continue; /* ReLU was off: nothing flows back */
            float *gw = grad->W1 + (size_t)h * NN_INPUTS;
            for (int i = 0; i < nnz; i++) gw[idx[i]] += d * xs[i];
            grad->b1[h] += d;
        }
    }
}

void backward_prop_reference(Model *grad, const Model *m, const Activations *a, const float *X,
                             const uint8_t *Y, int B) {
    int H = m->hidden;
    for (int b = 0; b < B; b++) {
        const float *x = X + (size_t)b * NN_INPUTS, *a1 = a->A1 + (size_t)b * H, *z1 = a->Z1 + (size_t)b * H;
        float dz2[NN_OUTPUTS];
        for (int j = 0; j < NN_OUTPUTS; j++) /* dZ2 = (A2 - onehot(Y)) / B */
            dz2[j] = (a->A2[(size_t)b * NN_OUTPUTS + j] - (j == Y[b] ? 1.0f : 0.0f)) / (float)B;
        for (int j = 0; j < NN_OUTPUTS; j++) { /* dW2 += dz2 a1^T, db2 += dz2 */
            for (int h = 0; h < H; h++) grad->W2[(size_t)j * H + h] += dz2[j] * a1[h];
            grad->b2[j] += dz2[j];
        }
        for (int h = 0; h < H; h++) { /* dz1 = (W2^T dz2) * ReLU'(z1); dW1 += dz1 x^T, db1 += dz1 */
            float dz1 = 0.0f;
            for (int j = 0; j < NN_OUTPUTS; j++) dz1 += m->W2[(size_t)j * H + h] * dz2[j];
            dz1 = z1[h] > 0.0f ? dz1 : 0.0f;
            for (int k = 0; k < NN_INPUTS; k++) grad->W1[(size_t)h * NN_INPUTS + k] += dz1 * x[k];
            grad->b1[h] += dz1;
        }
    }
}

void nn_transpose_w1(float *W1T, const float *W1, int hidden) {
    for (int h = 0; h < hidden; h++)
        for (int k = 0; k < NN_INPUTS; k++) W1T[(size_t)k * hidden + h] = W1[(size_t)h * NN_INPUTS + k];
}

void nn_untranspose_w1(float *W1, const float *W1T, int hidden) {
    for (int k = 0; k < NN_INPUTS; k++)
        for (int h = 0; h < hidden; h++) W1[(size_t)h * NN_INPUTS + k] = W1T[(size_t)k * hidden + h];
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

/* z1 = b1 + sum over inked pixels k of x[k] * W1T[k], before the ReLU. W1T is (784, H).
 * Each inked pixel adds one contiguous row, four rows per pass over z1: each z1 element is then
 * loaded and stored once per four rows, not once per row, which is what bounds a one-row axpy in
 * wasm (1.4x faster). The last pass is padded with pixels of value 0 (adding 0 * w changes no sum).
 * (Summing a block of z1 in registers over all rows instead is 15% faster with AVX-512 but 15%
 * slower with 4-float vectors, the build the page and the default CLI use.) */
static void hidden_layer_t(float *z1, const float *x, const Model *mt) {
    enum { ROWS = 4 };
    int H = mt->hidden, idx[NN_INPUTS + ROWS - 1];
    float v[NN_INPUTS + ROWS - 1];
    int n = nn_nonzero_indices(idx, x);
    for (int i = 0; i < n; i++) v[i] = x[idx[i]];
    for (; n % ROWS; n++) idx[n] = idx[n - 1], v[n] = 0.0f; /* n > 0 here: a row already in use */
    float *restrict z = z1;
    memcpy(z, mt->b1, (size_t)H * sizeof *z);
    for (int i = 0; i < n; i += ROWS) {
        const float *restrict w0 = mt->W1 + (size_t)idx[i] * H, *restrict w1 = mt->W1 + (size_t)idx[i + 1] * H,
                              *restrict w2 = mt->W1 + (size_t)idx[i + 2] * H,
                              *restrict w3 = mt->W1 + (size_t)idx[i + 3] * H;
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

void forward_prop_t(Activations *a, const Model *mt, const float *X, int B) {
    int H = mt->hidden;
    for (int b = 0; b < B; b++) {
        float *a1 = a->A1 + (size_t)b * H;
        float *z1 = a->Z1 + (size_t)b * H;
        hidden_layer_t(z1, X + (size_t)b * NN_INPUTS, mt);
        relu(a1, z1, H);
        output_layer(a->Z2 + (size_t)b * NN_OUTPUTS, a->A2 + (size_t)b * NN_OUTPUTS, a1, mt);
    }
}

/* Which samples of X[first, first + n) ink each pixel: pixel k's (sample, value) entries, samples
 * ascending, are sample[start[k]] .. sample[start[k + 1] - 1] (and value[...] alike). */
static void pixel_lists(int *start, int *sample, float *value, const float *X, int first, int n) {
    int idx[NN_INPUTS];
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
            sample[at] = b, value[at] = x[idx[i]];
        }
    }
}

/* dW1T[k] += sum over the samples b that ink pixel k of x[b][k] * dZ1[b], in sample order, for
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

void backward_prop_t(Model *gradt, const Model *mt, const Activations *a, const float *X,
                     const uint8_t *Y, int B, void *scratch) {
    int H = mt->hidden;
    float *dZ2 = scratch, *dZ1 = dZ2 + (size_t)B * NN_OUTPUTS;
    int *start = (int *)(dZ1 + (size_t)B * H), *sample = start + NN_INPUTS + 1;
    float *value = (float *)(sample + (size_t)(B < CHUNK ? B : CHUNK) * NN_INPUTS);
    output_backward(gradt, dZ2, dZ1, mt, a, Y, B);
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++) gradt->b1[h] += dZ1[(size_t)b * H + h];
    for (int first = 0; first < B; first += CHUNK) { /* chunks in sample order: the order of every sum holds */
        int n = B - first < CHUNK ? B - first : CHUNK;
        pixel_lists(start, sample, value, X, first, n);
        for (int k = 0; k < NN_INPUTS; k++) {
            int count = start[k + 1] - start[k];
            if (count) gradient_row(gradt->W1 + (size_t)k * H, sample + start[k], value + start[k], count, dZ1, H);
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

/* 1 if the probabilities are numbers; else 0 with err set. Finite weights can still be so large
 * that the logits overflow; the answer is then no answer, not a digit. */
static int finite_outputs(const float probs[NN_OUTPUTS], DigitsError *err) {
    if (nn_outputs_finite(probs)) return 1;
    error_set(err, "the model's outputs overflow for this input (its weights are too large to give probabilities)");
    return 0;
}

int predict(const Model *m, const float *x, float probs[NN_OUTPUTS], float *hidden_scratch,
            DigitsError *err) {
    if (nn_check_input(x, err)) return -1;
    int idx[NN_INPUTS];
    float z2[NN_OUTPUTS];
    int nnz = nn_nonzero_indices(idx, x);
    hidden_layer_sparse(hidden_scratch, hidden_scratch, x, idx, nnz, m);
    output_layer(z2, probs, hidden_scratch, m);
    return finite_outputs(probs, err) ? argmax(probs, NN_OUTPUTS) : -1;
}

int nn_predict_from_z1(const Model *m, float *z1, float probs[NN_OUTPUTS], DigitsError *err) {
    float z2[NN_OUTPUTS];
    relu(z1, z1, m->hidden);
    output_layer(z2, probs, z1, m);
    return finite_outputs(probs, err) ? argmax(probs, NN_OUTPUTS) : -1;
}

int predict_t(const Model *mt, const float *x, float probs[NN_OUTPUTS], float *hidden_scratch,
              DigitsError *err) {
    if (nn_check_input(x, err)) return -1;
    hidden_layer_t(hidden_scratch, x, mt);
    return nn_predict_from_z1(mt, hidden_scratch, probs, err);
}
