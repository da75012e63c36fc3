/* test_coder.c: the range coder (src/coder.c): every bit comes back, predictable bits cost little
 * and random ones a bit each, carries propagate, and a cut or padded stream is noticed without
 * reading past its end. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "coder.h"
#include "rng.h"

enum { CONTEXTS = 4 };

/* n bits, each with one of CONTEXTS probabilities chosen by position; bit i is 1 with chance
 * chance[i % CONTEXTS]. */
static uint8_t *random_bits(size_t n, const float chance[CONTEXTS], uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    uint8_t *bits = malloc(n);
    for (size_t i = 0; i < n; i++) bits[i] = rng_uniform(&rng) < chance[i % CONTEXTS];
    return bits;
}

static uint8_t *encode(const uint8_t *bits, size_t n, size_t *len) {
    CoderProb p[CONTEXTS];
    for (int c = 0; c < CONTEXTS; c++) p[c] = CODER_PROB_INIT;
    CoderWriter w;
    coder_writer_init(&w);
    for (size_t i = 0; i < n; i++) coder_put(&w, &p[i % CONTEXTS], bits[i]);
    return coder_writer_finish(&w, len);
}

/* Decodes n bits of bytes[0..len) and compares them with bits; returns coder_reader_done. */
static int decodes_to(const uint8_t *bytes, size_t len, const uint8_t *bits, size_t n, int *same) {
    CoderProb p[CONTEXTS];
    for (int c = 0; c < CONTEXTS; c++) p[c] = CODER_PROB_INIT;
    CoderReader r;
    coder_reader_init(&r, bytes, len);
    *same = 1;
    for (size_t i = 0; i < n; i++) *same &= coder_get(&r, &p[i % CONTEXTS]) == bits[i];
    return coder_reader_done(&r);
}

TEST(every_bit_should_come_back_whatever_the_probabilities) {
    const float chances[][CONTEXTS] = {{0.5f, 0.5f, 0.5f, 0.5f}, {0.01f, 0.99f, 0.3f, 0.0f}, {1.0f, 1.0f, 1.0f, 1.0f},
                                       {0.0f, 0.0f, 0.0f, 0.0f}, {0.999f, 0.001f, 0.999f, 0.5f}};
    const size_t counts[] = {0, 1, 7, 1000, 200000};
    for (size_t c = 0; c < sizeof chances / sizeof *chances; c++) {
        for (size_t s = 0; s < sizeof counts / sizeof *counts; s++) {
            size_t n = counts[s], len;
            uint8_t *bits = random_bits(n, chances[c], 10 * c + s), *bytes = encode(bits, n, &len);
            CHECK(bytes != NULL && len >= 5 && bytes[0] == 0);
            int same;
            CHECK(decodes_to(bytes, len, bits, n, &same) == 1);
            CHECK(same);
            free(bits), free(bytes);
        }
    }
}

TEST(predictable_bits_should_cost_little_and_random_ones_a_bit_each) {
    const float none[CONTEXTS] = {0}, coin[CONTEXTS] = {0.5f, 0.5f, 0.5f, 0.5f}, skewed[CONTEXTS] = {0.05f, 0.05f, 0.05f, 0.05f};
    size_t n = 80000, len;
    uint8_t *bits = random_bits(n, none, 1), *bytes = encode(bits, n, &len);
    CHECK(len < n / 8 / 40); /* 80,000 zeros: under 2.5% of a bit each (the probabilities stop at 1 - 31/2048) */
    free(bits), free(bytes);
    bits = random_bits(n, coin, 2), bytes = encode(bits, n, &len);
    CHECK(len > n / 8 && len < n / 8 * 102 / 100); /* within 2% of one bit per bit */
    free(bits), free(bytes);
    bits = random_bits(n, skewed, 3), bytes = encode(bits, n, &len);
    /* the entropy of p = 0.05 is 0.286 bits: within 5% of it */
    CHECK(len > (size_t)(0.286 * n / 8) && len < (size_t)(0.286 * n / 8 * 1.05));
    free(bits), free(bytes);
}

TEST(a_cut_or_padded_stream_should_be_noticed_without_reading_past_its_end) {
    const float chance[CONTEXTS] = {0.3f, 0.6f, 0.5f, 0.1f};
    size_t n = 5000, len;
    uint8_t *bits = random_bits(n, chance, 4), *bytes = encode(bits, n, &len);
    int same;
    for (size_t cut = 0; cut < len; cut += len / 7 + 1) {
        uint8_t *part = malloc(cut ? cut : 1); /* exactly the bytes the reader may see (ASan checks) */
        memcpy(part, bytes, cut);
        CHECK(decodes_to(part, cut, bits, n, &same) == 0);
        free(part);
    }
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, bytes, len);
    longer[len] = 0;
    CHECK(decodes_to(longer, len + 1, bits, n, &same) == 0); /* a byte too many */
    CHECK(same);
    longer[0] = 1; /* no encoder writes a first byte but 0 */
    CHECK(decodes_to(longer, len, bits, n, &same) == 0);
    free(longer), free(bits), free(bytes);
}

static const TestCase TESTS[] = {
    T(every_bit_should_come_back_whatever_the_probabilities),
    T(predictable_bits_should_cost_little_and_random_ones_a_bit_each),
    T(a_cut_or_padded_stream_should_be_noticed_without_reading_past_its_end),
};

TEST_MAIN(TESTS)
