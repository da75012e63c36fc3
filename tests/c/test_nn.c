/* test_nn.c: the network's math against hand-computed values, finite differences, and the fast
 * kernels against the reference pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "models.h"
#include "nn.h"
#include "rng.h"

TEST(forward_should_match_a_hand_computed_tiny_network) {
    Model m;
    tiny_model(&m);
    float X[2 * NN_INPUTS] = {0};
    X[0] = 0.5f, X[1] = 1.0f, X[2] = 0.25f;
    memcpy(X + NN_INPUTS, X, NN_INPUTS * sizeof *X); /* the same row twice: a batch of 2 */
    Activations a;
    CHECK(nn_activations_alloc(&a, 2, 2, NULL) == 0);
    nn_forward(&a, &m, X, 2);
    for (int b = 0; b < 2; b++) {
        CHECK_NEAR(a.Z1[b * 2 + 0], 0.85, 1e-6);
        CHECK_NEAR(a.Z1[b * 2 + 1], -0.2, 1e-6);
        CHECK_NEAR(a.A1[b * 2 + 0], 0.85, 1e-6);
        CHECK(a.A1[b * 2 + 1] == 0.0f);
        CHECK_NEAR(a.Z2[b * 10 + 3], 0.755, 1e-6);
        CHECK_NEAR(a.Z2[b * 10 + 9], 0.765, 1e-6);
        for (int j = 0; j < NN_OUTPUTS; j++) CHECK_NEAR(a.A2[b * 10 + j], TINY_A2[j], 1e-6);
    }
    nn_activations_free(&a);
    nn_model_free(&m);
}

TEST(forward_should_agree_with_the_reference_pass) {
    Model m;
    CHECK(nn_model_alloc(&m, 33, NULL) == 0);
    nn_model_init_he(&m, 7);
    Rng rng;
    rng_seed(&rng, 3);
    for (size_t i = 0; i < m.count; i++) m.params[i] += 0.01f * rng_normal(&rng); /* non-zero biases too */
    enum { B = 9 };
    float *X = malloc(B * NN_INPUTS * sizeof *X);
    random_inputs(X, B, &rng);
    Activations fast, ref;
    nn_activations_alloc(&fast, B, 33, NULL);
    nn_activations_alloc(&ref, B, 33, NULL);
    nn_forward(&fast, &m, X, B);
    nn_forward_reference(&ref, &m, X, B);
    for (int i = 0; i < B * 33; i++) CHECK_NEAR(fast.Z1[i], ref.Z1[i], 1e-5);
    for (int i = 0; i < B * 10; i++) CHECK_NEAR(fast.A2[i], ref.A2[i], 1e-6);
    nn_activations_free(&fast);
    nn_activations_free(&ref);
    free(X);
    nn_model_free(&m);
}

TEST(softmax_should_sum_to_one) {
    float z[NN_OUTPUTS] = {-3, 0, 1, 2.5f, 7, -1, 0.3f, 4, 4, -8}, p[NN_OUTPUTS];
    nn_softmax(p, z, NN_OUTPUTS);
    double sum = 0;
    for (int i = 0; i < NN_OUTPUTS; i++) {
        CHECK(p[i] > 0.0f && p[i] < 1.0f);
        sum += p[i];
    }
    CHECK_NEAR(sum, 1.0, 1e-6);
    CHECK(nn_argmax(p, NN_OUTPUTS) == 4);
}

TEST(softmax_should_survive_huge_logits) {
    float z[4] = {1e30f, 1e30f, -1e30f, 0.0f}, p[4];
    nn_softmax(p, z, 4);
    CHECK_NEAR(p[0], 0.5, 1e-7);
    CHECK_NEAR(p[1], 0.5, 1e-7);
    CHECK(p[2] == 0.0f && p[3] == 0.0f);
    float big[3] = {1000.0f, 999.0f, -1000.0f};
    nn_softmax(big, big, 3); /* in place */
    CHECK_NEAR(big[0], 1.0 / (1.0 + exp(-1.0)), 1e-6);
    CHECK(!isnan(big[2]));
}

TEST(cross_entropy_should_be_minus_log_of_the_true_class_probability) {
    Model m;
    tiny_model(&m);
    float X[NN_INPUTS] = {0.5f, 1.0f, 0.25f};
    Activations a;
    nn_activations_alloc(&a, 1, 2, NULL);
    nn_forward(&a, &m, X, 1);
    uint8_t y = 3;
    CHECK_NEAR(nn_cross_entropy(&a, &y, 1), -log(TINY_A2[3]), 1e-6);
    nn_activations_free(&a);
    nn_model_free(&m);
}

/* The mean cross-entropy loss computed in double precision straight from the definition. */
static double loss_double(const Model *m, const float *X, const uint8_t *Y, int B) {
    int H = m->hidden;
    double total = 0;
    for (int b = 0; b < B; b++) {
        double a1[64], z2[NN_OUTPUTS], max = -1e300, sum = 0;
        for (int h = 0; h < H; h++) {
            double z = m->b1[h];
            for (int k = 0; k < NN_INPUTS; k++) z += (double)W1_AT(m, h, k) * X[b * NN_INPUTS + k];
            a1[h] = z > 0 ? z : 0;
        }
        for (int j = 0; j < NN_OUTPUTS; j++) {
            z2[j] = m->b2[j];
            for (int h = 0; h < H; h++) z2[j] += (double)m->W2[j * H + h] * a1[h];
            if (z2[j] > max) max = z2[j];
        }
        for (int j = 0; j < NN_OUTPUTS; j++) sum += exp(z2[j] - max);
        total -= z2[Y[b]] - max - log(sum);
    }
    return total / B;
}

TEST(backward_should_match_finite_differences) {
    enum { H = 6, B = 4 };
    Model m, grad;
    nn_model_alloc(&m, H, NULL);
    nn_model_alloc(&grad, H, NULL);
    nn_model_init_he(&m, 11);
    Rng rng;
    rng_seed(&rng, 5);
    for (size_t i = 0; i < m.count; i++) m.params[i] += 0.05f * rng_normal(&rng);
    float X[B * NN_INPUTS];
    random_inputs(X, B, &rng);
    uint8_t Y[B] = {3, 7, 0, 3};
    Activations a;
    nn_activations_alloc(&a, B, H, NULL);
    void *scratch = malloc(nn_backward_scratch_bytes(B, H));
    nn_forward(&a, &m, X, B);
    nn_model_zero(&grad);
    nn_backward(&grad, &m, &a, X, Y, scratch, B);

    int checked = 0;
    for (size_t i = 0; i < m.count; i++) {
        /* every bias and W2 entry, a sample of W1; a pixel blank in every row has zero gradient */
        int is_w1 = i < (size_t)H * NN_INPUTS;
        if (is_w1) {
            size_t k = i / H; /* W1 is (784, H) */
            int inked = 0;
            for (int b = 0; b < B; b++) inked |= X[b * NN_INPUTS + k] != 0.0f;
            if (!inked) {
                CHECK(grad.params[i] == 0.0f);
                continue;
            }
            if (i % 7 != 0) continue; /* a sample of W1 keeps the test fast */
        }
        float saved = m.params[i];
        double eps = 1e-3;
        m.params[i] = saved + (float)eps;
        double up = loss_double(&m, X, Y, B);
        m.params[i] = saved - (float)eps;
        double down = loss_double(&m, X, Y, B);
        m.params[i] = saved;
        double numeric = (up - down) / (2 * eps);
        CHECK_NEAR(grad.params[i], numeric, 2e-4 + 1e-3 * fabs(numeric));
        checked++;
    }
    CHECK(checked > 100);
    /* backward accumulates: a second call doubles the gradient */
    float before = grad.b2[3];
    nn_backward(&grad, &m, &a, X, Y, scratch, B);
    CHECK_NEAR(grad.b2[3], 2 * before, 1e-6);
    free(scratch);
    nn_activations_free(&a);
    nn_model_free(&m);
    nn_model_free(&grad);
}

TEST(one_gradient_step_should_lower_the_loss_and_raise_the_true_class) {
    enum { H = 16, B = 8 };
    Model m, grad;
    nn_model_alloc(&m, H, NULL);
    nn_model_alloc(&grad, H, NULL);
    nn_model_init_he(&m, 2);
    Rng rng;
    rng_seed(&rng, 9);
    float X[B * NN_INPUTS];
    random_inputs(X, B, &rng);
    uint8_t Y[B] = {0, 1, 2, 3, 4, 5, 6, 7};
    Activations a;
    nn_activations_alloc(&a, B, H, NULL);
    void *scratch = malloc(nn_backward_scratch_bytes(B, H));
    nn_forward(&a, &m, X, B);
    float loss0 = nn_cross_entropy(&a, Y, B), p0 = a.A2[0 * 10 + 0];
    nn_model_zero(&grad);
    nn_backward(&grad, &m, &a, X, Y, scratch, B);
    for (size_t i = 0; i < m.count; i++) m.params[i] -= 0.05f * grad.params[i];
    nn_forward(&a, &m, X, B);
    CHECK(nn_cross_entropy(&a, Y, B) < loss0);
    CHECK(a.A2[0] > p0);
    free(scratch);
    nn_activations_free(&a);
    nn_model_free(&m);
    nn_model_free(&grad);
}

TEST(he_init_should_be_seeded_and_scaled) {
    Model a, b, c;
    nn_model_alloc(&a, 128, NULL);
    nn_model_alloc(&b, 128, NULL);
    nn_model_alloc(&c, 128, NULL);
    nn_model_init_he(&a, 42);
    nn_model_init_he(&b, 42);
    nn_model_init_he(&c, 43);
    CHECK(memcmp(a.params, b.params, a.count * sizeof(float)) == 0);
    CHECK(memcmp(a.params, c.params, a.count * sizeof(float)) != 0);
    double sum = 0, sq = 0;
    size_t n = 128 * NN_INPUTS;
    for (size_t i = 0; i < n; i++) sum += a.W1[i], sq += (double)a.W1[i] * a.W1[i];
    CHECK_NEAR(sum / n, 0.0, 0.002);
    CHECK_NEAR(sqrt(sq / n), sqrt(2.0 / 784), 0.02 * sqrt(2.0 / 784));
    for (int h = 0; h < 128; h++) CHECK(a.b1[h] == 0.0f);
    nn_model_free(&a);
    nn_model_free(&b);
    nn_model_free(&c);
}

TEST(model_alloc_should_reject_bad_hidden_sizes) {
    Model m;
    DigitsError err;
    CHECK(nn_model_alloc(&m, 0, &err) == -1);
    CHECK_CONTAINS(err.msg, "hidden size 0 is outside 1..4096");
    CHECK(m.params == NULL);
    CHECK(nn_model_alloc(&m, NN_MAX_HIDDEN + 1, &err) == -1);
    CHECK(nn_model_alloc(&m, 3, &err) == 0);
    CHECK(m.count == 3 * 784 + 3 + 30 + 10);
    CHECK(m.b1 == m.W1 + 3 * 784 && m.W2 == m.b1 + 3 && m.b2 == m.W2 + 30);
    nn_model_free(&m);
    nn_model_free(&m); /* twice is harmless */
}

/* The fast kernels against the reference pass for one hidden size H. */
static void check_kernels(int H) {
    enum { B = 6 };
    Model m, g, gref;
    nn_model_alloc(&m, H, NULL), nn_model_alloc(&g, H, NULL), nn_model_alloc(&gref, H, NULL);
    nn_model_init_he(&m, 21);
    Rng rng;
    rng_seed(&rng, 4);
    for (size_t i = 0; i < m.count; i++) m.params[i] += 0.02f * rng_normal(&rng);
    float X[B * NN_INPUTS];
    random_inputs(X, B, &rng);
    uint8_t Y[B] = {1, 2, 3, 4, 5, 9};
    Activations ref, fast;
    nn_activations_alloc(&ref, B, H, NULL), nn_activations_alloc(&fast, B, H, NULL);
    void *scratch = malloc(nn_backward_scratch_bytes(B, H));
    nn_forward_reference(&ref, &m, X, B);
    nn_forward(&fast, &m, X, B);
    for (int i = 0; i < B * H; i++) CHECK_NEAR(fast.Z1[i], ref.Z1[i], 1e-5);
    for (int i = 0; i < B * NN_OUTPUTS; i++) CHECK_NEAR(fast.A2[i], ref.A2[i], 1e-6);
    /* the weight gradients of both layers and the biases */
    nn_model_zero(&g), nn_model_zero(&gref);
    nn_backward_reference(&gref, &m, &ref, X, Y, B);
    nn_backward(&g, &m, &ref, X, Y, scratch, B);
    for (size_t i = 0; i < m.count; i++) CHECK_NEAR(g.params[i], gref.params[i], 1e-6);
    free(scratch);
    nn_activations_free(&ref), nn_activations_free(&fast);
    nn_model_free(&m), nn_model_free(&g), nn_model_free(&gref);
}

/* Sizes that reach every path of the kernels at every vector width (4, 8 or 16 floats): whole
 * blocks of vectors, single vectors and the scalar tail. */
TEST(the_fast_kernels_should_agree_with_the_reference_pass) {
    static const int sizes[] = {19, 45, 300};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int failures = check_failures;
        check_kernels(sizes[i]);
        if (check_failures != failures) fprintf(stderr, "  (with H = %d)\n", sizes[i]);
    }
}

/* nn_backward sums each weight's gradient over the samples that ink its pixel, a pixel at a
 * time, in chunks of samples; the reference goes a sample at a time over every pixel. The
 * products and their order per weight are the same (a blank pixel adds only zeros), so the
 * gradients must be equal to the last bit, across chunk edges too. */
TEST(the_pixel_major_weight_gradient_should_equal_the_sample_major_one_bit_for_bit) {
    enum { H = 37, B = 600 }; /* H not a multiple of the vector blocks; B spans three chunks */
    Model m, g, gref;
    nn_model_alloc(&m, H, NULL), nn_model_alloc(&g, H, NULL), nn_model_alloc(&gref, H, NULL);
    nn_model_init_he(&m, 3);
    Rng rng;
    rng_seed(&rng, 12);
    float *X = malloc((size_t)B * NN_INPUTS * sizeof *X);
    uint8_t *Y = malloc(B);
    random_inputs(X, B, &rng);
    for (int b = 0; b < B; b++) Y[b] = (uint8_t)rng_below(&rng, 10);
    Activations act;
    nn_activations_alloc(&act, B, H, NULL);
    void *scratch = malloc(nn_backward_scratch_bytes(B, H));
    nn_forward_reference(&act, &m, X, B);
    nn_model_zero(&g), nn_model_zero(&gref);
    nn_backward(&g, &m, &act, X, Y, scratch, B);
    nn_backward_reference(&gref, &m, &act, X, Y, B);
    CHECK(memcmp(g.params, gref.params, m.count * sizeof(float)) == 0);
    free(scratch), free(X), free(Y);
    nn_activations_free(&act);
    nn_model_free(&m), nn_model_free(&g), nn_model_free(&gref);
}

/* nn_nonzero_indices lists, in order, the k with x[k] != 0.0f: -0 is blank, the smallest
 * subnormal and a NaN are not, and runs of eight blank pixels are skipped without losing ink at
 * their edges. */
TEST(nonzero_indices_should_list_exactly_the_pixels_that_are_not_zero) {
    float x[NN_INPUTS] = {0};
    int idx[NN_INPUTS], want[NN_INPUTS];
    CHECK(nn_nonzero_indices(idx, x) == 0);
    x[0] = -0.0f, x[7] = 1.0f, x[8] = 1e-45f, x[15] = NAN, x[16] = -0.0f, x[783] = 0.5f;
    int n = nn_nonzero_indices(idx, x);
    CHECK(n == 4);
    CHECK(idx[0] == 7 && idx[1] == 8 && idx[2] == 15 && idx[3] == 783);
    Rng rng;
    rng_seed(&rng, 9);
    for (int trial = 0; trial < 200; trial++) {
        float density = rng_uniform(&rng);
        int m = 0;
        for (int k = 0; k < NN_INPUTS; k++) {
            x[k] = rng_uniform(&rng) < density ? rng_uniform(&rng) : (rng_uniform(&rng) < 0.5f ? 0.0f : -0.0f);
            if (x[k] != 0.0f) want[m++] = k;
        }
        CHECK(nn_nonzero_indices(idx, x) == m);
        CHECK(memcmp(idx, want, (size_t)m * sizeof *idx) == 0);
    }
}

static const TestCase TESTS[] = {
    T(forward_should_match_a_hand_computed_tiny_network),
    T(forward_should_agree_with_the_reference_pass),
    T(softmax_should_sum_to_one),
    T(softmax_should_survive_huge_logits),
    T(cross_entropy_should_be_minus_log_of_the_true_class_probability),
    T(backward_should_match_finite_differences),
    T(one_gradient_step_should_lower_the_loss_and_raise_the_true_class),
    T(he_init_should_be_seeded_and_scaled),
    T(model_alloc_should_reject_bad_hidden_sizes),
    T(nonzero_indices_should_list_exactly_the_pixels_that_are_not_zero),
    T(the_fast_kernels_should_agree_with_the_reference_pass),
    T(the_pixel_major_weight_gradient_should_equal_the_sample_major_one_bit_for_bit),
};

TEST_MAIN(TESTS)
