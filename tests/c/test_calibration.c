/* test_calibration.c: the score, the threshold, the temperature, the ECE against hand-computed
 * values; calibration.txt's round trip and every bad file's error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calibration.h"
#include "check.h"
#include "models.h"

/* z = (0, ln 2, ln 3, -inf-ish...): e^z = 1, 2, 3 and seven e^-30 (about 0). */
static void three_logits(float z[NN_OUTPUTS]) {
    for (int j = 0; j < NN_OUTPUTS; j++) z[j] = -30.0f;
    z[0] = 0.0f, z[1] = logf(2.0f), z[2] = logf(3.0f);
}

TEST(scores_should_match_hand_computed_values) {
    float z[NN_OUTPUTS], p[NN_OUTPUTS];
    three_logits(z);
    /* logsumexp = ln 6; the top probability 3 / 6 */
    CHECK_NEAR(calibration_score(CALIBRATION_LOGSUMEXP, z), log(6.0), 1e-6);
    CHECK_NEAR(calibration_score(CALIBRATION_MAX_SOFTMAX, z), 0.5, 1e-6);
    /* huge logits stay finite: logsumexp(1000, 1000) = 1000 + ln 2 */
    float big[NN_OUTPUTS] = {1000.0f, 1000.0f};
    CHECK_NEAR(calibration_score(CALIBRATION_LOGSUMEXP, big), 1000.0 + log(2.0), 1e-3);
    /* temperature 0.5 squares e^z: 1, 4, 9 over 14 */
    Calibration c = {CALIBRATION_LOGSUMEXP, 0.0f, 0.5f};
    calibration_probabilities(&c, z, p);
    CHECK_NEAR(p[0], 1.0 / 14, 1e-6);
    CHECK_NEAR(p[1], 4.0 / 14, 1e-6);
    CHECK_NEAR(p[2], 9.0 / 14, 1e-6);
    /* temperature 2: square roots 1, 1.414, 1.732 */
    c.temperature = 2.0f;
    calibration_probabilities(&c, z, p);
    double s = 1 + sqrt(2.0) + sqrt(3.0);
    CHECK_NEAR(p[2], sqrt(3.0) / s, 1e-5);
}

TEST(the_threshold_should_accept_the_asked_share) {
    float scores[10] = {5, 1, 9, 3, 7, 2, 8, 4, 6, 10};
    /* accept 0.8 of ten: reject the two lowest (1, 2): threshold 3 */
    CHECK(calibration_threshold(scores, 10, 0.8f) == 3.0f);
    float again[10] = {5, 1, 9, 3, 7, 2, 8, 4, 6, 10};
    CHECK(calibration_threshold(again, 10, 1.0f) == 1.0f); /* everything */
    float third[10] = {5, 1, 9, 3, 7, 2, 8, 4, 6, 10};
    CHECK(calibration_threshold(third, 10, 0.75f) == 3.0f); /* at least 7.5: 8 accepted */
    float one = 4.0f;
    CHECK(calibration_threshold(&one, 1, 0.5f) == 4.0f);
}

/* Logits that are 2 x the true log-probabilities of a sharp distribution: the fitted temperature
 * is the 2 that undoes it. Rows: each label drawn from softmax(z / 2). */
TEST(the_fitted_temperature_should_undo_a_known_overconfidence) {
    enum { N = 4000 };
    float *Z = malloc(N * NN_OUTPUTS * sizeof *Z);
    uint8_t *labels = malloc(N);
    Rng rng;
    rng_seed(&rng, 3);
    for (int i = 0; i < N; i++) {
        float *z = Z + i * NN_OUTPUTS, p[NN_OUTPUTS];
        for (int j = 0; j < NN_OUTPUTS; j++) z[j] = 6.0f * rng_uniform(&rng);
        Calibration truth = {CALIBRATION_MAX_SOFTMAX, 0.5f, 2.0f};
        calibration_probabilities(&truth, z, p);
        float u = rng_uniform(&rng), sum = 0.0f;
        int y = NN_OUTPUTS - 1;
        for (int j = 0; j < NN_OUTPUTS; j++)
            if ((sum += p[j]) > u) { y = j; break; }
        labels[i] = (uint8_t)y;
    }
    float t = calibration_fit_temperature(Z, labels, N);
    CHECK(t > 1.8f && t < 2.2f);
    free(Z), free(labels);
}

TEST(ece_should_match_hand_computed_bins) {
    /* two rows at top probability 0.9 (one right), two at 0.6 (both right):
     * bins 13 and 9: |0.5 - 0.9| * 2/4 + |1 - 0.6| * 2/4 = 0.4 */
    float probs[4 * NN_OUTPUTS] = {0};
    uint8_t labels[4] = {0, 1, 2, 2};
    probs[0 * NN_OUTPUTS + 0] = 0.9f, probs[0 * NN_OUTPUTS + 1] = 0.1f;
    probs[1 * NN_OUTPUTS + 0] = 0.9f, probs[1 * NN_OUTPUTS + 1] = 0.1f;
    probs[2 * NN_OUTPUTS + 2] = 0.6f, probs[2 * NN_OUTPUTS + 3] = 0.4f;
    probs[3 * NN_OUTPUTS + 2] = 0.6f, probs[3 * NN_OUTPUTS + 3] = 0.4f;
    CHECK_NEAR(calibration_ece(probs, labels, 4), 0.4, 1e-6);
}

TEST(a_calibration_should_survive_its_file_round_trip) {
    Calibration c = {CALIBRATION_LOGSUMEXP, -4.24571234f, 0.8251f}, back = calibration_default();
    char text[CALIBRATION_TEXT_MAX];
    size_t len = calibration_format(&c, text, sizeof text);
    CHECK(len > 0 && len == strlen(text));
    DigitsError err;
    CHECK(calibration_parse(&back, text, len, "calibration.txt", &err) == 0);
    CHECK(back.score == c.score && back.threshold == c.threshold && back.temperature == c.temperature);
    CHECK(calibration_format(&c, text, 20) == 0); /* too small */
    /* comments, blank lines, CRLF, tabs and any order are fine */
    const char *loose = "# made by hand\r\n\r\n\ttemperature 1.5   # warmer\r\nscore max-softmax\nthreshold 0.25";
    CHECK(calibration_parse(&back, loose, strlen(loose), "calibration.txt", &err) == 0);
    CHECK(back.score == CALIBRATION_MAX_SOFTMAX && back.threshold == 0.25f && back.temperature == 1.5f);
}

/* Each bad file: its error names the file and the line, and the calibration is left as it was. */
TEST(every_bad_calibration_file_should_be_refused_naming_file_and_line) {
    static const struct { const char *text, *message; } cases[] = {
        {"score logsumexp\nthreshold 1\n", "m/calibration.txt: no temperature line (expected score, threshold and temperature)"},
        {"score logsumexp\nthreshold 1\ntemperature 0\n", "m/calibration.txt: line 3: temperature '0' must be a number from 0.01 to 100"},
        {"score logsumexp\nthreshold abc\ntemperature 1\n", "m/calibration.txt: line 2: threshold 'abc' is not a finite number"},
        {"score logsumexp\nthreshold nan\ntemperature 1\n", "m/calibration.txt: line 2: threshold 'nan' is not a finite number"},
        {"score energy\nthreshold 1\ntemperature 1\n", "m/calibration.txt: line 1: unknown score 'energy' (expected logsumexp or max-softmax)"},
        {"score logsumexp\nthreshold 1\ntemperature 1\nthreshold 2\n", "m/calibration.txt: line 4: threshold is given twice (first on line 2)"},
        {"score logsumexp\nbias 1\n", "m/calibration.txt: line 2: unknown key 'bias' (expected score, threshold and temperature)"},
        {"score logsumexp\nthreshold = 1\n", "m/calibration.txt: line 2: expected 'key value', found 'threshold = 1'"},
        {"score\n", "m/calibration.txt: line 1: expected 'key value', found 'score'"},
        {"score max-softmax\nthreshold 2\ntemperature 1\n", "m/calibration.txt: threshold 2 is outside 0..1, the range of the max-softmax score"},
        {"\x93NUMPY\x01\x00", "m/calibration.txt: line 1: binary data (a calibration file is text)"},
        {"", "m/calibration.txt: no score line (expected score, threshold and temperature)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Calibration c = {CALIBRATION_LOGSUMEXP, 7.0f, 3.0f};
        DigitsError err;
        CHECK(calibration_parse(&c, cases[i].text, strlen(cases[i].text) + (i == 10 ? 2 : 0), "m/calibration.txt", &err) == -1);
        CHECK_CONTAINS(err.msg, cases[i].message);
        CHECK(c.score == CALIBRATION_LOGSUMEXP && c.threshold == 7.0f && c.temperature == 3.0f);
    }
    char *big = calloc(70000, 1);
    memset(big, ' ', 69999);
    Calibration c = calibration_default();
    DigitsError err;
    CHECK(calibration_parse(&c, big, 69999, "m/calibration.txt", &err) == -1);
    CHECK_CONTAINS(err.msg, "m/calibration.txt: 69999 bytes is too large for a calibration file");
    free(big);
}

/* calibration_fit on the tiny model and two images: accepting all puts the threshold at the lower
 * score, accepting half at the higher. */
TEST(fit_should_set_the_threshold_from_the_digits_and_refuse_bad_data) {
    Model m;
    tiny_model(&m);
    uint8_t pixels[2 * NN_INPUTS] = {0}, labels[2] = {9, 9};
    pixels[0] = 255, pixels[1] = 255; /* x = (1, 1, 0, ...) */
    pixels[NN_INPUTS + 2] = 255;      /* x = (0, 0, 1, ...) */
    Dataset d = {2, pixels, labels};
    Calibration c = calibration_default();
    DigitsError err;
    /* first image: Z1 = (1.1, -1.2), A1 = (1.1, 0): z_j = 0.11 j (+0.5 at 3), logsumexp 2.898027
     * (Python); second: Z1 = (0.1, 1.8): z_j = 0.01 j + 1.8 (+0.5 at 3), logsumexp 4.209920 */
    CHECK(calibration_fit(&c, &m, &d, CALIBRATION_LOGSUMEXP, 1.0f, &err) == 0);
    CHECK(c.score == CALIBRATION_LOGSUMEXP);
    CHECK(c.temperature >= 0.05f && c.temperature <= 20.0f);
    CHECK_NEAR(c.threshold, 2.898027, 1e-5);
    CHECK(calibration_fit(&c, &m, &d, CALIBRATION_LOGSUMEXP, 0.5f, &err) == 0);
    CHECK_NEAR(c.threshold, 4.209920, 1e-5);
    Calibration before = c;
    Dataset unlabelled = {2, pixels, NULL};
    CHECK(calibration_fit(&c, &m, &unlabelled, CALIBRATION_LOGSUMEXP, 0.5f, &err) == -1);
    CHECK_CONTAINS(err.msg, "calibration needs labelled digits");
    CHECK(calibration_fit(&c, &m, &d, CALIBRATION_LOGSUMEXP, 0.0f, &err) == -1);
    CHECK_CONTAINS(err.msg, "must be in (0, 1]");
    CHECK(memcmp(&c, &before, sizeof c) == 0);
    nn_model_free(&m);
}

static const TestCase TESTS[] = {
    T(scores_should_match_hand_computed_values),
    T(the_threshold_should_accept_the_asked_share),
    T(the_fitted_temperature_should_undo_a_known_overconfidence),
    T(ece_should_match_hand_computed_bins),
    T(a_calibration_should_survive_its_file_round_trip),
    T(every_bad_calibration_file_should_be_refused_naming_file_and_line),
    T(fit_should_set_the_threshold_from_the_digits_and_refuse_bad_data),
};

TEST_MAIN(TESTS)
