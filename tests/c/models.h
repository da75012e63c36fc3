/* models.h: small models and inputs the C tests share. */
#ifndef DIGITS_TEST_MODELS_H
#define DIGITS_TEST_MODELS_H

#include <math.h>
#include <stdlib.h>

#include "nn.h"
#include "rng.h"

/* W1's weight from pixel k to hidden unit h (W1 is (784, H) in memory). */
#define W1_AT(m, h, k) ((m)->W1[(size_t)(k) * (size_t)(m)->hidden + (size_t)(h)])

/* A 784-2-10 network small enough to compute by hand:
 *   unit 0 = {0.5 @ pixel 0, 0.5 @ pixel 1}, unit 1 = {-1 @ pixel 0, 2 @ pixel 2}, b1 = {0.1, -0.2}
 *   W2[j] = {0.1 j, 1}, b2 = 0 except b2[3] = 0.5
 *   x = {0.5, 1.0, 0.25, 0, ...}
 * Z1 = {0.1 + 0.25 + 0.5, -0.2 - 0.5 + 0.5} = {0.85, -0.2}; A1 = {0.85, 0}
 * Z2[j] = 0.085 j (+0.5 for j = 3); A2 = softmax(Z2) (computed with Python, 9 digits). */
static inline void tiny_model(Model *m) {
    nn_model_alloc(m, 2, NULL);
    W1_AT(m, 0, 0) = 0.5f;
    W1_AT(m, 0, 1) = 0.5f;
    W1_AT(m, 1, 0) = -1.0f;
    W1_AT(m, 1, 2) = 2.0f;
    m->b1[0] = 0.1f;
    m->b1[1] = -0.2f;
    for (int j = 0; j < NN_OUTPUTS; j++) {
        m->W2[j * 2 + 0] = 0.1f * (float)j;
        m->W2[j * 2 + 1] = 1.0f;
    }
    m->b2[3] = 0.5f;
}

static const float TINY_A2[NN_OUTPUTS] = {0.062745627f, 0.068312235f, 0.074372696f, 0.133498319f, 0.088154317f,
                                          0.095975110f, 0.104489740f, 0.113759763f, 0.123852195f, 0.134839999f};

/* Random sparse inputs like MNIST: about a fifth of the pixels inked. */
static inline void random_inputs(float *X, int B, Rng *rng) {
    for (int i = 0; i < B * NN_INPUTS; i++) X[i] = rng_uniform(rng) < 0.2f ? rng_uniform(rng) : 0.0f;
}

/* A random 784-H-10 model; every parameter ~ N(0, scale). */
static inline void random_model(Model *m, int hidden, float scale, uint64_t seed) {
    nn_model_alloc(m, hidden, NULL);
    Rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < m->count; i++) m->params[i] = scale * rng_normal(&rng);
}

/* For gradient checks: a He-initialised 784-H-10 model (seed) whose hidden units sit well away from
 * the ReLU kink, and B inputs with every third pixel inked at random (seed + 1). */
static inline void gradient_check_setup(Model *m, float *X, int B, uint64_t seed) {
    nn_model_init_he(m, seed);
    for (int h = 0; h < m->hidden; h++) m->b1[h] = 1.0f;
    Rng rng;
    rng_seed(&rng, seed + 1);
    for (int i = 0; i < B * NN_INPUTS; i++) X[i] = i % 3 ? 0.0f : rng_uniform(&rng);
}

/* A batch's loss for the model m, computed from the definitions (ctx: whatever it needs). */
typedef double (*BatchLoss)(const Model *m, void *ctx);

/* The largest difference between the gradient nn_backward gives from a (the forward pass of X, its
 * A2 as the loss sees it) for labels Y and central differences of loss at five parameters spread
 * over W1, W2 and b2 (m is changed and restored); infinity when out of memory. */
static inline double gradient_check_worst(Model *m, const Activations *a, const float *X, const uint8_t *Y, int B,
                                          BatchLoss loss, void *ctx) {
    Model grad = {0};
    void *scratch = malloc(nn_backward_scratch_bytes(B, m->hidden));
    if (!scratch || nn_model_alloc(&grad, m->hidden, NULL)) {
        free(scratch);
        return INFINITY;
    }
    nn_backward(&grad, m, a, X, Y, scratch, B);
    free(scratch);
    size_t count = m->count, H = (size_t)m->hidden;
    size_t probes[] = {H * 3 + 2, H * NN_INPUTS + 4, count - 15, count - 4, count - 1};
    double worst = 0.0;
    for (size_t p = 0; p < sizeof probes / sizeof *probes; p++) {
        size_t i = probes[p];
        float keep = m->params[i], eps = 3e-3f;
        m->params[i] = keep + eps;
        double up = loss(m, ctx);
        m->params[i] = keep - eps;
        double down = loss(m, ctx);
        m->params[i] = keep;
        double diff = fabs(grad.params[i] - (up - down) / (2 * eps));
        worst = diff > worst ? diff : worst;
    }
    nn_model_free(&grad);
    return worst;
}

#endif
