/* test_outlier.c: the non-digit generators (src/outlier.h) and the background-class training target. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "models.h"
#include "nn.h"
#include "outlier.h"
#include "rng.h"
#include "train.h"

#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define SAMPLES 300 /* images of each kind per test */

static float *scratch(void) { return malloc(outlier_scratch_floats() * sizeof(float)); }

/* Ten "digits" with labels 0..9: a bar at a different slant each, enough for fragments and
 * overlaps (which only need ink and two different labels). */
static Dataset fake_digits(void) {
    Dataset d = {10, malloc(10 * PIXELS), malloc(10)};
    memset(d.pixels, 0, 10 * PIXELS);
    for (int i = 0; i < 10; i++) {
        d.labels[i] = (uint8_t)i;
        for (int y = 4; y < 24; y++)
            for (int w = 0; w < 3; w++) d.pixels[i * PIXELS + y * SIDE + 8 + (y * i) / 20 + w] = 255;
        for (int x = 6; x < 22; x++) d.pixels[i * PIXELS + (6 + i) * SIDE + x] = 200; /* a cross-bar */
    }
    return d;
}

static OutlierConfig generated_only(void) {
    OutlierConfig c = outlier_defaults();
    c.weight[OUTLIER_EXTERNAL] = 0.0f;
    return c;
}

static void draw_seeded(float *out, OutlierKind kind, const OutlierConfig *c, const Dataset *d, uint64_t seed, float *s) {
    Rng rng;
    rng_seed(&rng, seed);
    outlier_draw(out, kind, c, d, &rng, s);
}

TEST(the_same_seed_should_give_the_same_image_and_another_seed_another) {
    Dataset d = fake_digits();
    OutlierConfig c = generated_only();
    float *s = scratch(), a[PIXELS], b[PIXELS];
    for (int k = 0; k < OUTLIER_EXTERNAL; k++) {
        draw_seeded(a, (OutlierKind)k, &c, &d, 42, s);
        draw_seeded(b, (OutlierKind)k, &c, &d, 42, s);
        CHECK(memcmp(a, b, sizeof a) == 0);
        draw_seeded(b, (OutlierKind)k, &c, &d, 43, s);
        CHECK(memcmp(a, b, sizeof a) != 0);
    }
    free(s);
    dataset_free(&d);
}

TEST(every_generated_image_should_have_ink_in_0_to_1_with_the_strongest_at_1) {
    Dataset d = fake_digits();
    OutlierConfig c = generated_only();
    float *s = scratch(), img[PIXELS];
    Rng rng;
    rng_seed(&rng, 1);
    for (int k = 0; k < OUTLIER_EXTERNAL; k++) {
        for (int n = 0; n < SAMPLES; n++) {
            outlier_draw(img, (OutlierKind)k, &c, &d, &rng, s);
            float top = 0.0f, sum = 0.0f;
            for (int i = 0; i < PIXELS; i++) {
                CHECK(img[i] >= 0.0f && img[i] <= 1.0f);
                if (img[i] > top) top = img[i];
                sum += img[i];
            }
            CHECK_NEAR(top, 1.0f, 1e-6);
            CHECK(sum >= 10.0f); /* at least a short stroke's worth */
        }
    }
    free(s);
    dataset_free(&d);
}

/* As web/preprocess.js frames a drawing: longer side of the ink's box (pixels >= 0.2) 20 px, give
 * or take the anti-aliased edge, and the centre of mass within half a pixel of (14, 14) on each
 * axis, unless the ink already touches the frame's edge on the side it would move towards. */
static int centred_on(double c, int lo, int hi) {
    return fabs(c - 14.0) <= 0.5 + 1e-4 || (c < 14.0 && hi == SIDE - 1) || (c > 14.0 && lo == 0);
}

TEST(outliers_should_be_framed_as_preprocess_frames_a_drawing) {
    Dataset d = fake_digits();
    OutlierConfig c = generated_only();
    float *s = scratch(), img[PIXELS];
    Rng rng;
    rng_seed(&rng, 2);
    for (int k = 0; k < OUTLIER_EXTERNAL; k++) {
        for (int n = 0; n < SAMPLES; n++) {
            outlier_draw(img, (OutlierKind)k, &c, &d, &rng, s);
            int x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1, ix0 = SIDE, iy0 = SIDE, ix1 = -1, iy1 = -1;
            double m = 0, mx = 0, my = 0;
            for (int i = 0; i < PIXELS; i++) {
                int x = i % SIDE, y = i / SIDE;
                m += img[i], mx += img[i] * x, my += img[i] * y;
                if (img[i] > 0.0f) {
                    if (x < ix0) ix0 = x;
                    if (x > ix1) ix1 = x;
                    if (y < iy0) iy0 = y;
                    if (y > iy1) iy1 = y;
                }
                if (img[i] < 0.2f) continue;
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
            int side = (x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0) + 1;
            CHECK(side >= 18 && side <= 22);
            CHECK(centred_on(mx / m, ix0, ix1) && centred_on(my / m, iy0, iy1));
        }
    }
    free(s);
    dataset_free(&d);
}

TEST(spread_should_be_0_for_a_bar_and_1_for_a_plus_sign) {
    float img[PIXELS] = {0};
    for (int x = 4; x <= 24; x++) img[14 * SIDE + x] = 1.0f;
    CHECK_NEAR(outlier_spread(img), 0.0, 1e-9);
    for (int y = 4; y <= 24; y++) img[y * SIDE + 14] = 1.0f; /* now a + with equal arms about (14, 14) */
    CHECK_NEAR(outlier_spread(img), 1.0, 1e-6);
    float blank[PIXELS] = {0};
    CHECK_NEAR(outlier_spread(blank), 0.0, 0.0);
}

/* A straight stroke is a 1: no generator may make one (outlier.h's first rule). */
TEST(no_generated_outlier_should_be_a_bar) {
    Dataset d = fake_digits(); /* slanted bars: fragments and overlaps of them are the hard case */
    OutlierConfig c = generated_only();
    float *s = scratch(), img[PIXELS];
    Rng rng;
    rng_seed(&rng, 3);
    for (int k = 0; k < OUTLIER_EXTERNAL; k++)
        for (int n = 0; n < SAMPLES; n++) {
            outlier_draw(img, (OutlierKind)k, &c, &d, &rng, s);
            CHECK(outlier_spread(img) >= OUTLIER_MIN_SPREAD);
        }
    free(s);
    dataset_free(&d);
}

TEST(kinds_should_be_picked_by_weight_among_those_that_can_be_made) {
    Dataset d = fake_digits(), one = {1, calloc(1, PIXELS), NULL};
    one.pixels[300] = 255;
    OutlierConfig c = outlier_defaults();
    memset(c.weight, 0, sizeof c.weight);
    c.weight[OUTLIER_SCRIBBLE] = 1.0f;
    c.weight[OUTLIER_EXTERNAL] = 3.0f;
    Rng rng;
    rng_seed(&rng, 4);
    CHECK(outlier_pick(&c, &d, &rng) == OUTLIER_SCRIBBLE); /* no external set: never external */
    c.external = &one;
    int external = 0;
    for (int n = 0; n < 4000; n++) {
        int k = outlier_pick(&c, &d, &rng);
        CHECK(k == OUTLIER_SCRIBBLE || k == OUTLIER_EXTERNAL);
        external += k == OUTLIER_EXTERNAL;
    }
    CHECK(external > 2850 && external < 3150); /* 3000 expected, sd 27 */
    memset(c.weight, 0, sizeof c.weight);
    c.weight[OUTLIER_OVERLAP] = 1.0f;
    Dataset same = d;
    uint8_t labels[10] = {0};
    same.labels = labels; /* all one digit: no two different ones to overlap */
    CHECK(outlier_pick(&c, &same, &rng) == -1);
    CHECK(outlier_pick(&c, NULL, &rng) == -1);
    free(one.pixels);
    dataset_free(&d);
}

TEST(an_external_image_should_come_from_the_given_set) {
    Dataset one = {1, calloc(1, PIXELS), NULL};
    for (int i = 0; i < PIXELS; i += 7) one.pixels[i] = (uint8_t)(i % 256);
    OutlierConfig c = outlier_defaults();
    memset(&c.augment, 0, sizeof c.augment); /* no distortion: the image itself */
    c.external = &one;
    float *s = scratch(), img[PIXELS];
    draw_seeded(img, OUTLIER_EXTERNAL, &c, NULL, 5, s);
    for (int i = 0; i < PIXELS; i++) CHECK_NEAR(img[i], one.pixels[i] / 255.0, 1e-7);
    free(s);
    free(one.pixels);
}

TEST(bad_settings_should_be_refused_with_a_reason) {
    DigitsError err;
    OutlierConfig c = outlier_defaults();
    CHECK(outlier_config_check(&c, &err) == 0);
    c.share = -1.0f;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "outlier share -1");
    c = outlier_defaults();
    c.weight[OUTLIER_ARCS] = NAN;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "of arcs");
    c = outlier_defaults();
    Dataset empty = {0};
    c.external = &empty;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "empty");
    c = outlier_defaults();
    c.share = 1.0f;
    c.energy_weight = NAN;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "energy weight nan must be 0..100");
    c.energy_weight = 0.1f;
    c.energy_in = -1.0f;
    c.energy_out = 2.0f;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "the outliers' energy margin 2 must not be above the digits' -1");
    c.energy_out = -200.0f;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "energy margins -1 (digits) and -200 (outliers) must be -100..100");
    c.energy_out = -6.0f;
    CHECK(outlier_config_check(&c, &err) == 0);
    c.share = 0.0f; /* the hinge without outliers would only push the digits */
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "the energy hinge needs outlier exposure");
    c = outlier_defaults();
    c.mining = 0;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "outlier mining 0 must be 1..64");
    c.mining = 4;
    c.mining_skip = 0.8f;
    CHECK(outlier_config_check(&c, &err) == -1);
    CHECK_CONTAINS(err.msg, "outlier mining skip 0.8 must be 0..0.75");
    c.mining_skip = 0.75f;
    CHECK(outlier_config_check(&c, &err) == 0);
}

/* ---- the background class, the target of outlier exposure ---- */

/* The background-class loss of one row, straight from its logits: an 11-way softmax whose
 * eleventh logit is m, label y (NN_BACKGROUND: the eleventh). */
static double background_loss(const float *z, uint8_t y, double m) {
    double sum = exp(m);
    for (int j = 0; j < NN_OUTPUTS; j++) sum += exp(z[j]);
    return log(sum) - (y == NN_BACKGROUND ? m : z[y]);
}

/* A2 <- the 11-way probabilities of the ten digits, as train.c makes them. */
static void eleven_way(Activations *a, int B, double m_logit) {
    for (int b = 0; b < B; b++) {
        double sum = exp(m_logit);
        for (int j = 0; j < NN_OUTPUTS; j++) sum += exp(a->Z2[b * NN_OUTPUTS + j]);
        for (int j = 0; j < NN_OUTPUTS; j++) a->A2[b * NN_OUTPUTS + j] = (float)(exp(a->Z2[b * NN_OUTPUTS + j]) / sum);
    }
}

/* A batch for the background-class loss: its activations, inputs, labels, the constant logit. */
typedef struct {
    Activations *a;
    const float *X;
    const uint8_t *Y;
    int B;
    double m_logit;
} BackgroundBatch;

/* The batch's mean background-class loss for the model m (a BatchLoss). */
static double background_batch_loss(const Model *m, void *ctx) {
    BackgroundBatch *d = ctx;
    nn_forward(d->a, m, d->X, d->B);
    double loss = 0.0;
    for (int b = 0; b < d->B; b++) loss += background_loss(d->a->Z2 + b * NN_OUTPUTS, d->Y[b], d->m_logit);
    return loss / d->B;
}

/* With A2 holding the 11-way probabilities of the digits, the loss is that softmax's
 * cross-entropy and the backward pass gives its gradient, for a digit row and a background row
 * alike (finite differences). */
TEST(the_background_gradient_should_match_finite_differences) {
    enum { H = 6, B = 2 };
    Model m = {0};
    Activations a = {0};
    DigitsError err;
    CHECK(nn_model_alloc(&m, H, &err) == 0 && nn_activations_alloc(&a, B, H, &err) == 0);
    float X[B * NN_INPUTS];
    gradient_check_setup(&m, X, B, 11);
    uint8_t Y[B] = {7, NN_BACKGROUND};
    BackgroundBatch batch = {&a, X, Y, B, 0.5};
    double expected = background_batch_loss(&m, &batch);
    eleven_way(&a, B, batch.m_logit);
    CHECK_NEAR(nn_cross_entropy(&a, Y, B), expected, 1e-5);
    CHECK(gradient_check_worst(&m, &a, X, Y, B, background_batch_loss, &batch) < 2e-3);
    nn_model_free(&m);
    nn_activations_free(&a);
}

/* logsumexp of the logits of x, the energy score (with the sign that makes digits high). */
static float energy_of(const Model *m, const float *x) {
    Activations a = {0};
    DigitsError err;
    if (nn_activations_alloc(&a, 1, m->hidden, &err)) return NAN;
    nn_forward(&a, m, x, 1);
    float top = a.Z2[nn_argmax(a.Z2, NN_OUTPUTS)], sum = 0.0f;
    for (int j = 0; j < NN_OUTPUTS; j++) sum += expf(a.Z2[j] - top);
    nn_activations_free(&a);
    return top + logf(sum);
}

/* A 784-32-10 network trained on the fake digits, with (share 1) or without outliers; it must
 * read every digit. 0 on success. */
static int train_fake(Model *m, const Dataset *d, int with) {
    DigitsError err;
    if (nn_model_alloc(m, 32, &err)) return -1;
    nn_model_init_he(m, 1);
    TrainConfig cfg = train_defaults();
    cfg.epochs = 60;
    cfg.batch = 10;
    cfg.lr = 0.01f;
    cfg.outliers = generated_only();
    cfg.outliers.share = with ? 1.0f : 0.0f;
    if (train_run(m, d, NULL, &cfg, NULL, NULL, &err) || train_evaluate(m, d, NULL, &err) != 1.0f) {
        nn_model_free(m);
        return -1;
    }
    return 0;
}

/* Mean energy over 100 new outliers (a stream training never drew) minus its mean over the
 * digits d. */
static double outlier_minus_digit(const Model *m, const Dataset *d) {
    OutlierConfig c = generated_only();
    float *s = scratch(), img[PIXELS];
    Rng rng;
    rng_seed(&rng, 77);
    double outliers = 0, digits = 0;
    for (int n = 0; n < 100; n++) {
        outlier_image(img, &c, d, &rng, s);
        outliers += energy_of(m, img) / 100;
    }
    for (size_t i = 0; i < d->n; i++) {
        for (int k = 0; k < PIXELS; k++) img[k] = d->pixels[i * PIXELS + k] / 255.0f;
        digits += energy_of(m, img) / (double)d->n;
    }
    free(s);
    return outliers - digits;
}

/* Outlier exposure does what it is for: new outliers get a lower energy score than the digits,
 * by far more than after training without outliers. */
TEST(training_with_a_background_class_should_lower_the_energy_of_new_outliers) {
    Dataset d = fake_digits();
    double gap[2];
    for (int with = 0; with < 2; with++) {
        Model m;
        CHECK(train_fake(&m, &d, with) == 0);
        gap[with] = outlier_minus_digit(&m, &d);
        nn_model_free(&m);
    }
    CHECK(gap[1] < 0.0 && gap[1] < gap[0] - 2.0);
    dataset_free(&d);
}

static const TestCase TESTS[] = {
    T(the_same_seed_should_give_the_same_image_and_another_seed_another),
    T(every_generated_image_should_have_ink_in_0_to_1_with_the_strongest_at_1),
    T(outliers_should_be_framed_as_preprocess_frames_a_drawing),
    T(spread_should_be_0_for_a_bar_and_1_for_a_plus_sign),
    T(no_generated_outlier_should_be_a_bar),
    T(kinds_should_be_picked_by_weight_among_those_that_can_be_made),
    T(an_external_image_should_come_from_the_given_set),
    T(bad_settings_should_be_refused_with_a_reason),
    T(the_background_gradient_should_match_finite_differences),
    T(training_with_a_background_class_should_lower_the_energy_of_new_outliers),
};

TEST_MAIN(TESTS)
