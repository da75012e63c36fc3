/* test_recognizer.c: reading digits: hand-computed probabilities, agreement with the reference
 * pass, the integer and float paths, every bad input's error, batches, ownership. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "models.h"
#include "quant.h"
#include "recognizer.h"

/* A recogniser for a copy of m. */
static Recognizer *recognizer_of(const Model *m) {
    Model copy;
    nn_model_alloc(&copy, m->hidden, NULL);
    nn_model_copy(&copy, m);
    return recognizer_new(&copy, NULL);
}

/* An 8-bit image: about a fifth of the pixels inked, at levels 1..255. */
static void image_8bit(float *x, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    for (int k = 0; k < NN_INPUTS; k++)
        x[k] = rng_uniform(&rng) < 0.2f ? (float)(1 + (int32_t)(rng_uniform(&rng) * 254.99f)) / 255.0f : 0.0f;
}

TEST(predict_should_match_the_hand_computed_probabilities) {
    Model m;
    tiny_model(&m);
    Recognizer *r = recognizer_new(&m, NULL);
    CHECK(r != NULL);
    CHECK(m.params == NULL && m.hidden == 0); /* the model moved in */
    float x[NN_INPUTS] = {0.5f, 1.0f, 0.25f};
    Reading rd;
    DigitsError err;
    CHECK(recognizer_predict(r, x, &rd, &err) == 9); /* 0.765 edges out 0.755 */
    CHECK(rd.digit == 9);
    for (int j = 0; j < NN_OUTPUTS; j++) CHECK_NEAR(rd.probabilities[j], TINY_A2[j], 1e-6);
    CHECK(recognizer_model(r)->hidden == 2 && recognizer_model(r)->b2[3] == 0.5f);
    recognizer_free(r);
    recognizer_free(NULL);
}

/* At sizes that reach every vector path of the kernels (see test_nn.c): the float path gives the
 * reference pass's digit and probabilities. */
TEST(predict_should_agree_with_the_reference_pass) {
    static const int sizes[] = {19, 45, 300};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        int H = sizes[s];
        Model m;
        random_model(&m, H, 0.05f, 21 + s);
        Recognizer *r = recognizer_of(&m);
        CHECK(!recognizer_uses_integers(r)); /* random weights are off the grid */
        Rng rng;
        rng_seed(&rng, 4);
        enum { B = 6 };
        float X[B * NN_INPUTS];
        Reading rd;
        random_inputs(X, B, &rng);
        Activations ref;
        nn_activations_alloc(&ref, B, H, NULL);
        nn_forward_reference(&ref, &m, X, B);
        for (int b = 0; b < B; b++) {
            CHECK(recognizer_predict(r, X + b * NN_INPUTS, &rd, NULL) == nn_argmax(ref.A2 + b * NN_OUTPUTS, NN_OUTPUTS));
            for (int j = 0; j < NN_OUTPUTS; j++) CHECK_NEAR(rd.probabilities[j], ref.A2[b * NN_OUTPUTS + j], 1e-6);
        }
        nn_activations_free(&ref);
        recognizer_free(r);
        nn_model_free(&m);
    }
}

TEST(predict_should_reject_nan_infinity_and_values_outside_0_to_1) {
    Model m;
    tiny_model(&m);
    Recognizer *r = recognizer_new(&m, NULL);
    float x[NN_INPUTS] = {0};
    Reading probs;
    DigitsError err;
    x[30] = NAN;
    CHECK(recognizer_predict(r, x, &probs, &err) == -1);
    CHECK_CONTAINS(err.msg, "input value 30 (row 1, column 2) is NaN");
    x[30] = INFINITY;
    CHECK(recognizer_predict(r, x, &probs, &err) == -1);
    CHECK_CONTAINS(err.msg, "infinite");
    x[30] = 1.5f;
    CHECK(recognizer_predict(r, x, &probs, &err) == -1);
    CHECK_CONTAINS(err.msg, "outside 0..1");
    x[30] = -0.01f;
    CHECK(recognizer_predict(r, x, &probs, &err) == -1);
    x[30] = 1.0f;
    CHECK(recognizer_predict(r, x, &probs, &err) >= 0);
    recognizer_free(r);
}

TEST(weights_so_large_that_the_logits_overflow_should_be_an_error_not_nan) {
    Model m;
    tiny_model(&m);
    m.W2[3 * 2 + 0] = 3e38f, m.W2[4 * 2 + 0] = 3e38f; /* finite, but Z2 overflows to infinity */
    W1_AT(&m, 0, 0) = 3e38f;
    Recognizer *r = recognizer_new(&m, NULL);
    float x[NN_INPUTS] = {0.5f, 1.0f, 0.25f};
    Reading probs;
    DigitsError err;
    CHECK(recognizer_predict(r, x, &probs, &err) == -1);
    CHECK_CONTAINS(err.msg, "outputs overflow");
    recognizer_free(r);
}

/* A model on the grid reads 8-bit images with the integer first layer and anything else with the
 * float kernels, to the answer of the float path, with the same errors. */
TEST(the_integer_and_float_paths_should_give_the_same_answers_and_errors) {
    Model m;
    random_model(&m, 64, 0.05f, 6);
    quant_round_w1(&m, QUANT_BITS);
    Recognizer *integer = recognizer_of(&m), *floats = recognizer_of(&m);
    CHECK(recognizer_uses_integers(integer));
    recognizer_drop_integers(floats);
    CHECK(!recognizer_uses_integers(floats));
    Activations ref;
    nn_activations_alloc(&ref, 1, 64, NULL);
    float x[NN_INPUTS], z1[64];
    Reading p1, p2;
    for (uint64_t img = 0; img < 20; img++) {
        image_8bit(x, 1000 + img);
        if (img % 2) x[400] = 0.3f; /* not 8-bit: the float path */
        CHECK(recognizer_integer_layer(integer, x, z1) == !(img % 2));
        nn_forward(&ref, &m, x, 1);
        int d = nn_argmax(ref.A2, NN_OUTPUTS);
        CHECK(recognizer_predict(integer, x, &p1, NULL) == d);
        CHECK(recognizer_predict(floats, x, &p2, NULL) == d);
        for (int j = 0; j < NN_OUTPUTS; j++) {
            CHECK_NEAR(p1.probabilities[j], ref.A2[j], 1e-6);
            CHECK_NEAR(p2.probabilities[j], ref.A2[j], 1e-6);
        }
    }
    CHECK(recognizer_integer_layer(floats, x, z1) == 0);
    DigitsError err;
    x[7] = NAN;
    CHECK(recognizer_predict(integer, x, &p1, &err) == -1);
    CHECK_CONTAINS(err.msg, "input value 7 (row 0, column 7) is NaN");
    x[7] = 1.5f;
    CHECK(recognizer_predict(integer, x, &p1, &err) == -1);
    CHECK_CONTAINS(err.msg, "is 1.5, outside 0..1");
    nn_activations_free(&ref);
    recognizer_free(integer), recognizer_free(floats);
    nn_model_free(&m);
}

TEST(a_batch_should_give_each_images_answer_and_name_a_bad_image) {
    Model m;
    random_model(&m, 16, 0.05f, 8);
    Recognizer *r = recognizer_of(&m);
    enum { N = 5 };
    float X[N * NN_INPUTS];
    Reading readings[N], one;
    for (int i = 0; i < N; i++) image_8bit(X + i * NN_INPUTS, 50 + (uint64_t)i);
    CHECK(recognizer_predict_batch(r, X, N, readings, NULL) == 0);
    for (int i = 0; i < N; i++) {
        CHECK(recognizer_predict(r, X + i * NN_INPUTS, &one, NULL) == readings[i].digit);
        CHECK(memcmp(&one, &readings[i], sizeof one) == 0);
    }
    X[3 * NN_INPUTS + 30] = NAN;
    DigitsError err;
    CHECK(recognizer_predict_batch(r, X, N, readings, &err) == -1);
    CHECK(strcmp(err.msg, "image 3: input value 30 (row 1, column 2) is NaN") == 0);
    recognizer_free(r);
    nn_model_free(&m);
}

/* The calibration decides isDigit and the shown probabilities: the tiny model's logits are
 * 0.085 j (+0.5 for j = 3), so logsumexp = 2.768666396 (Python), and at temperature 0.5 the
 * probabilities are softmax(2 z): p9 = 0.171010942, p3 = 0.167624699, p0 = 0.037029969. */
TEST(the_calibration_should_decide_is_digit_and_temper_the_probabilities) {
    Model m;
    tiny_model(&m);
    Recognizer *r = recognizer_new(&m, NULL);
    float x[NN_INPUTS] = {0.5f, 1.0f, 0.25f};
    Reading rd;
    DigitsError err;
    /* the default: max-softmax 0.5, temperature 1: a top probability of 0.135 is no digit */
    CHECK(recognizer_predict(r, x, &rd, &err) == 9);
    CHECK(!rd.is_digit);
    CHECK_NEAR(rd.score, TINY_A2[9], 1e-6);
    Calibration c = {CALIBRATION_LOGSUMEXP, 2.768f, 0.5f};
    CHECK(recognizer_set_calibration(r, &c, &err) == 0);
    CHECK(recognizer_predict(r, x, &rd, &err) == 9);
    CHECK_NEAR(rd.score, 2.768666396, 1e-5);
    CHECK(rd.is_digit); /* 2.76867 >= 2.768 */
    CHECK_NEAR(rd.probabilities[9], 0.171010942, 1e-6);
    CHECK_NEAR(rd.probabilities[3], 0.167624699, 1e-6);
    CHECK_NEAR(rd.probabilities[0], 0.037029969, 1e-6);
    c.threshold = 2.769f;
    CHECK(recognizer_set_calibration(r, &c, &err) == 0);
    CHECK(recognizer_predict(r, x, &rd, &err) == 9);
    CHECK(!rd.is_digit);
    /* a bad calibration is refused and the one in use stays */
    Calibration bad = {CALIBRATION_MAX_SOFTMAX, 1.5f, 1.0f};
    CHECK(recognizer_set_calibration(r, &bad, &err) == -1);
    CHECK_CONTAINS(err.msg, "threshold 1.5 is outside 0..1");
    CHECK(recognizer_calibration(r)->threshold == 2.769f && recognizer_calibration(r)->temperature == 0.5f);
    recognizer_free(r);
}

static const TestCase TESTS[] = {
    T(predict_should_match_the_hand_computed_probabilities),
    T(predict_should_agree_with_the_reference_pass),
    T(the_calibration_should_decide_is_digit_and_temper_the_probabilities),
    T(predict_should_reject_nan_infinity_and_values_outside_0_to_1),
    T(weights_so_large_that_the_logits_overflow_should_be_an_error_not_nan),
    T(the_integer_and_float_paths_should_give_the_same_answers_and_errors),
    T(a_batch_should_give_each_images_answer_and_name_a_bad_image),
};

TEST_MAIN(TESTS)
