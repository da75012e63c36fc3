/* test_quant.c: the integer first layer (src/quant.c): the grid, its detection, exact sums against
 * hand-computed and integer references, and the images it leaves to the float path. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "models.h"
#include "model_io.h"
#include "nn.h"
#include "quant.h"

/* An 8-bit image: about a fifth of the pixels inked, at levels 1..255. */
static void image_8bit(float *x, int32_t *levels, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    for (int k = 0; k < NN_INPUTS; k++) {
        int32_t p = rng_uniform(&rng) < 0.2f ? 1 + (int32_t)(rng_uniform(&rng) * 254.99f) : 0;
        levels[k] = p;
        x[k] = (float)p / 255.0f;
    }
}

TEST(rounding_should_put_every_unit_on_a_power_of_two_grid_of_11_bit_integers) {
    Model m;
    random_model(&m, 37, 0.05f, 1);
    W1_AT(&m, 5, 3) = 0.0f; /* a unit with a zero weight, and one with none at all */
    for (int k = 0; k < NN_INPUTS; k++) W1_AT(&m, 9, k) = 0.0f;
    Model before;
    nn_model_alloc(&before, 37, NULL);
    nn_model_copy(&before, &m);
    CHECK(!quant_on_grid(&m));
    quant_round_w1(&m, QUANT_BITS);
    CHECK(quant_on_grid(&m));
    for (int h = 0; h < m.hidden; h++) {
        float largest = 0.0f, smallest_step = INFINITY;
        for (int k = 0; k < NN_INPUTS; k++) largest = fmaxf(largest, fabsf(W1_AT(&before, h, k)));
        if (largest == 0.0f) continue;
        float step = 0x1p-24f; /* the smallest power of two with largest <= 2047 step */
        while (largest > 2047.0f * step) step *= 2.0f;
        for (int k = 0; k < NN_INPUTS; k++) {
            float w = W1_AT(&m, h, k), q = w / step;
            CHECK(q == nearbyintf(q) && fabsf(q) <= QUANT_MAX);
            CHECK(fabsf(w - W1_AT(&before, h, k)) <= step / 2); /* the nearest grid point */
            if (w != 0.0f) smallest_step = fminf(smallest_step, fabsf(w));
        }
        CHECK(smallest_step >= step); /* every non-zero weight is at least one step */
        CHECK(largest > 2047.0f * step / 2); /* no coarser than needed: the error is under largest / 2047 */
    }
    CHECK(W1_AT(&m, 5, 3) == 0.0f);
    /* rounding again changes nothing */
    nn_model_copy(&before, &m);
    quant_round_w1(&m, QUANT_BITS);
    CHECK(memcmp(before.W1, m.W1, (size_t)m.hidden * NN_INPUTS * sizeof *m.W1) == 0);
    nn_model_free(&m), nn_model_free(&before);
}

TEST(a_rounded_model_should_always_be_recognised_as_on_the_grid) {
    /* Units whose largest weight sits at the edges of a step: just under and exactly at 2047
     * steps (it rounds up to 2047 q), at 1023.5 steps, a power of two, and tiny ones. */
    const float largest[] = {2046.7f * 0x1p-10f, 2047.0f * 0x1p-10f, 1023.5f * 0x1p-10f, 1023.6f * 0x1p-10f, 0.25f,
                             0.2500001f, 3e-7f, 1e-30f, 60000.0f};
    enum { N = sizeof largest / sizeof *largest };
    Model m;
    random_model(&m, N, 0.05f, 7);
    for (int h = 0; h < N; h++) {
        for (int k = 0; k < NN_INPUTS; k++)
            W1_AT(&m, h, k) = fmaxf(-largest[h], fminf(largest[h], W1_AT(&m, h, k) * largest[h] * 5.0f));
        W1_AT(&m, h, h) = -largest[h];
    }
    quant_round_w1(&m, QUANT_BITS);
    CHECK(quant_on_grid(&m));
    for (int seed = 0; seed < 50; seed++) { /* and random scales */
        Model r;
        random_model(&r, 8, 0.05f, 100 + (uint64_t)seed);
        for (size_t i = 0; i < (size_t)8 * NN_INPUTS; i++) r.W1[i] *= exp2f((float)(seed % 25) - 12.0f);
        quant_round_w1(&r, QUANT_BITS);
        CHECK(quant_on_grid(&r));
        nn_model_free(&r);
    }
    nn_model_free(&m);
}

TEST(a_coarser_grid_should_round_to_its_own_whole_numbers_and_lie_on_the_finest) {
    const int bits[] = {2, 5, 8, 11};
    for (size_t b = 0; b < sizeof bits / sizeof *bits; b++) {
        float max = (float)((1 << (bits[b] - 1)) - 1);
        Model m, before;
        random_model(&m, 23, 0.05f, 40 + (uint64_t)b);
        W1_AT(&m, 3, 10) = 3e-6f; /* a unit with tiny and large weights */
        nn_model_alloc(&before, 23, NULL);
        nn_model_copy(&before, &m);
        quant_round_w1(&m, bits[b]);
        CHECK(quant_on_grid(&m)); /* the integer recogniser takes it */
        for (int h = 0; h < m.hidden; h++) {
            float largest = 0.0f;
            for (int k = 0; k < NN_INPUTS; k++) largest = fmaxf(largest, fabsf(W1_AT(&before, h, k)));
            float step = 0x1p-24f; /* the smallest power of two with largest <= max step */
            while (largest > max * step) step *= 2.0f;
            for (int k = 0; k < NN_INPUTS; k++) {
                float w = W1_AT(&m, h, k), q = w / step;
                CHECK(q == nearbyintf(q) && fabsf(q) <= max);
                CHECK(fabsf(w - W1_AT(&before, h, k)) <= step / 2);
            }
        }
        nn_model_free(&m), nn_model_free(&before);
    }
}

TEST(grid_weights_should_survive_float16_storage_exactly) {
    Model m, back;
    random_model(&m, 16, 0.05f, 2);
    W1_AT(&m, 0, 7) = 3e-6f; /* a unit with tiny and large weights */
    W1_AT(&m, 0, 8) = -0.9f;
    quant_round_w1(&m, QUANT_BITS);
    enum { CAP = 1 << 16 };
    uint8_t *bufs[NN_TENSORS];
    size_t lens[NN_TENSORS];
    for (int t = 0; t < NN_TENSORS; t++) {
        bufs[t] = malloc(CAP);
        lens[t] = model_to_npy(&m, (NnTensor)t, NPY_F16, bufs[t], CAP);
        CHECK(lens[t] > 0);
    }
    DigitsError err;
    CHECK(model_from_npy(&back, (const uint8_t *const *)bufs, lens, &err) == 0);
    CHECK(memcmp(back.W1, m.W1, (size_t)m.hidden * NN_INPUTS * sizeof *m.W1) == 0);
    CHECK(quant_on_grid(&back));
    for (int t = 0; t < NN_TENSORS; t++) free(bufs[t]);
    nn_model_free(&m), nn_model_free(&back);
}

TEST(quant_new_should_refuse_weights_off_the_grid) {
    Model m;
    random_model(&m, 12, 0.05f, 3);
    QuantW1 q;
    DigitsError err;
    CHECK(quant_new(&q, &m, &err) == 0); /* plain float weights */
    CHECK(q.pairs == NULL);
    quant_round_w1(&m, QUANT_BITS);
    W1_AT(&m, 4, 100) += W1_AT(&m, 4, 100) == 0.0f ? 1e-7f : W1_AT(&m, 4, 100) * 1e-4f;
    CHECK(quant_new(&q, &m, &err) == 0); /* one weight between grid points */
    quant_round_w1(&m, QUANT_BITS);
    W1_AT(&m, 0, 2) = NAN;
    CHECK(!quant_on_grid(&m));
    W1_AT(&m, 0, 2) = INFINITY;
    CHECK(!quant_on_grid(&m));
    W1_AT(&m, 0, 2) = 0.0f;
    CHECK(quant_new(&q, &m, &err) == 1);
    quant_free(&q);
    quant_free(&q); /* twice is fine, as is NULL */
    quant_free(NULL);
    nn_model_free(&m);
}

/* Unit 0 = {3/4 @ pixel 0, -1/2 @ pixel 1}: on the grid with step 2^-11 (0.75 / 2047 is just under),
 * q = {1536, -1024}, at its coarsest step 2^-2: q = {3, -2}. Unit 1 = {5 @ pixel 2}: q = 5, step 1.
 * b1 = {0.25, -1}. x = {51, 255, 102} / 255:
 * z1[0] = 0.25 + (3 * 51 - 2 * 255) / 4 / 255 = -0.1, z1[1] = -1 + 5 * 102 / 255 = 1. */
TEST(the_integer_layer_should_match_a_hand_computed_example) {
    Model m;
    nn_model_alloc(&m, 2, NULL);
    W1_AT(&m, 0, 0) = 0.75f, W1_AT(&m, 0, 1) = -0.5f, W1_AT(&m, 1, 2) = 5.0f;
    m.b1[0] = 0.25f, m.b1[1] = -1.0f;
    CHECK(quant_on_grid(&m));
    QuantW1 q;
    CHECK(quant_new(&q, &m, NULL) == 1);
    CHECK(q.stride == 16 && !q.wide);
    CHECK(quant_weight(&q, 0, 0) == 3 && quant_weight(&q, 0, 1) == -2 && quant_weight(&q, 1, 2) == 5);
    CHECK(quant_weight(&q, 1, 0) == 0 && quant_weight(&q, 0, 2) == 0 && quant_weight(&q, 1, 783) == 0);
    CHECK(q.scale[0] == ldexpf(1.0f, -2) / 255.0f && q.scale[1] == 1.0f / 255.0f);
    float x[NN_INPUTS] = {51.0f / 255.0f, 1.0f, 102.0f / 255.0f}, z1[2];
    CHECK(quant_hidden_layer(z1, &q, m.b1, x) == 1);
    CHECK_NEAR(z1[0], -0.1, 1e-6);
    CHECK_NEAR(z1[1], 1.0, 1e-6);
    CHECK(q.sums[0] == 3 * 51 - 2 * 255 && q.sums[1] == 5 * 102);
    quant_free(&q);
    nn_model_free(&m);
}

/* Every hidden size, with whole numbers of 8 bits and less (kept as int8) and of up to 12 (int16). */
TEST(the_integer_sums_should_be_exact_for_every_hidden_size_and_image) {
    int sizes[] = {1, 7, 8, 9, 16, 17, 33, 600};
    for (int wide = 0; wide <= 1; wide++) {
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            int H = sizes[s];
            Model m;
            random_model(&m, H, 0.05f, 10 + (uint64_t)s);
            quant_round_w1(&m, wide ? QUANT_BITS : 7);
            QuantW1 q;
            CHECK(quant_new(&q, &m, NULL) == 1);
            CHECK(q.wide == wide);
            float x[NN_INPUTS], *z1 = malloc((size_t)H * sizeof *z1);
            int32_t levels[NN_INPUTS];
            for (uint64_t img = 0; img < 6; img++) {
                image_8bit(x, levels, 100 * (uint64_t)s + img);
                if (img == 4) memset(x, 0, sizeof x), memset(levels, 0, sizeof levels); /* a blank page */
                if (img == 5) /* a page all ink at full strength, beside one pixel of level 1 */
                    for (int k = 0; k < NN_INPUTS; k++) levels[k] = k == 400 ? 1 : 255, x[k] = (float)levels[k] / 255.0f;
                CHECK(quant_hidden_layer(z1, &q, m.b1, x) == 1);
                for (int h = 0; h < H; h++) {
                    int64_t exact = 0; /* the integer reference */
                    for (int k = 0; k < NN_INPUTS; k++) exact += (int64_t)quant_weight(&q, h, k) * levels[k];
                    CHECK(q.sums[h] == exact);
                    double ref = m.b1[h]; /* and the real-number value of the float model */
                    for (int k = 0; k < NN_INPUTS; k++) ref += (double)W1_AT(&m, h, k) * levels[k] / 255.0;
                    CHECK_NEAR(z1[h], ref, 1e-5 * (img == 5 ? 100 : 1));
                }
            }
            free(z1);
            quant_free(&q);
            nn_model_free(&m);
        }
    }
}

TEST(images_that_are_not_8_bit_should_be_left_to_the_float_path) {
    Model m;
    random_model(&m, 20, 0.05f, 4);
    quant_round_w1(&m, QUANT_BITS);
    QuantW1 q;
    CHECK(quant_new(&q, &m, NULL) == 1);
    float x[NN_INPUTS], z1[20] = {42.0f};
    int32_t levels[NN_INPUTS];
    image_8bit(x, levels, 5);
    x[300] = 0.5f; /* 127.5 / 255 */
    CHECK(quant_hidden_layer(z1, &q, m.b1, x) == 0);
    CHECK(z1[0] == 42.0f); /* nothing written */
    x[300] = nextafterf(128.0f / 255.0f, 1.0f); /* one float away from a level */
    CHECK(quant_hidden_layer(z1, &q, m.b1, x) == 0);
    const float bad[] = {NAN, INFINITY, 2.0f, -1.0f / 255.0f, 1e30f};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) { /* no level, no crash, nothing written */
        x[300] = bad[i];
        CHECK(quant_hidden_layer(z1, &q, m.b1, x) == 0);
        CHECK(z1[0] == 42.0f);
    }
    x[300] = 128.0f / 255.0f;
    CHECK(quant_hidden_layer(z1, &q, m.b1, x) == 1);
    quant_free(&q);
    nn_model_free(&m);
}

static const TestCase TESTS[] = {
    T(rounding_should_put_every_unit_on_a_power_of_two_grid_of_11_bit_integers),
    T(a_rounded_model_should_always_be_recognised_as_on_the_grid),
    T(a_coarser_grid_should_round_to_its_own_whole_numbers_and_lie_on_the_finest),
    T(grid_weights_should_survive_float16_storage_exactly),
    T(quant_new_should_refuse_weights_off_the_grid),
    T(the_integer_layer_should_match_a_hand_computed_example),
    T(the_integer_sums_should_be_exact_for_every_hidden_size_and_image),
    T(images_that_are_not_8_bit_should_be_left_to_the_float_path),
};

TEST_MAIN(TESTS)
