/* test_pack.c: the packed model (src/pack.c, docs/model-pack.md): every form gives back every
 * float32 bit, the default model decodes to exactly its .npy files' values, the bytes are laid out
 * as the document says, and every bad file is an error that names what is wrong. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "files.h"
#include "models.h"
#include "pack.h"
#include "quant.h"

/* CRC-32 as zlib computes it, written out here again to check the file against a second hand. */
static uint32_t crc32_reference(const uint8_t *p, size_t n) {
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    return ~crc;
}

static uint32_t u32_at(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Recomputes the checksum after a test changed the bytes on purpose. */
static void reseal(uint8_t *buf, size_t len) {
    uint32_t crc = crc32_reference(buf, len - 4);
    for (int i = 0; i < 4; i++) buf[len - 4 + i] = (uint8_t)(crc >> (8 * i));
}

static int same_model(const Model *a, const Model *b) {
    return a->hidden == b->hidden && memcmp(a->params, b->params, a->count * sizeof *a->params) == 0;
}

/* Packs m, unpacks it, and checks every bit came back; returns the packed size. */
static size_t round_trip(const Model *m, int *ok) {
    size_t len;
    DigitsError err;
    uint8_t *buf = pack_encode(m, &len, &err);
    Model back;
    *ok = buf && pack_decode(&back, buf, len, "x.pack", &err) == 0 && same_model(m, &back) &&
          crc32_reference(buf, len - 4) == u32_at(buf + len - 4);
    if (buf && *ok) nn_model_free(&back);
    free(buf);
    return len;
}

TEST(every_form_should_give_back_every_float32_bit) {
    int ok;
    Model m;
    random_model(&m, 37, 0.05f, 1); /* float32 values: every tensor in form 1 */
    m.W2[5] = -0.0f, m.b1[0] = 1e-40f; /* a negative zero and a subnormal */
    size_t f32 = round_trip(&m, &ok);
    CHECK(ok);
    CHECK(f32 == 7 + 4 + 4 * m.count + 4); /* header, 4 forms, the values, checksum */
    for (size_t i = 0; i < m.count; i++) m.params[i] = (float)(int)(m.params[i] * 4096.0f) / 4096.0f; /* float16 values */
    m.W2[5] = -0.0f;
    m.W1[0] = 1.0f / 3.0f; /* one float32 value: W1 stays float32, the rest goes float16 */
    CHECK(round_trip(&m, &ok) < f32 && ok);
    for (int bits = 2; bits <= QUANT_BITS; bits += 3) { /* on the grid: W1 in whole numbers */
        nn_model_free(&m);
        random_model(&m, 37, 0.05f, 2 + (uint64_t)bits);
        W1_AT(&m, 4, 9) = -1e-9f; /* rounds to -0 */
        for (int k = 0; k < NN_INPUTS; k++) W1_AT(&m, 7, k) = 0.0f; /* a unit of zeros */
        quant_round_w1(&m, bits);
        CHECK(signbit(W1_AT(&m, 4, 9)) && W1_AT(&m, 4, 9) == 0.0f);
        CHECK(round_trip(&m, &ok) < f32 / 2 && ok);
    }
    nn_model_free(&m);
    Model one;
    random_model(&one, 1, 3.0f, 9); /* the smallest model */
    quant_round_w1(&one, 8);
    CHECK(round_trip(&one, &ok) > 0 && ok);
    nn_model_free(&one);
}

TEST(the_default_model_should_decode_to_exactly_its_npy_values) {
    Model m, back;
    DigitsError err;
    CHECK(files_load_model(&m, DIGITS_SOURCE_DIR "/model", &err) == 0);
    size_t len;
    uint8_t *buf = pack_encode(&m, &len, &err);
    CHECK(buf != NULL);
    CHECK(buf[7] == 3); /* W1 as whole numbers: the default model is on the grid */
    CHECK(pack_decode(&back, buf, len, "model.pack", &err) == 0);
    CHECK(same_model(&m, &back));
    free(buf);
    nn_model_free(&m), nn_model_free(&back);
}

/* The tiny model of models.h: W1 {0.5, 0.5 | -1, 2} whole numbers (unit 0: 1 x 2^-1 twice, unit 1:
 * -1 and 2 x 2^0), b1 {0.1, -0.2} float32, W2 {0.1 j, 1} float32 (0.1 is no float16), b2 float16. */
TEST(the_bytes_should_be_laid_out_as_the_document_says) {
    Model m;
    tiny_model(&m);
    size_t len;
    DigitsError err;
    uint8_t *buf = pack_encode(&m, &len, &err);
    CHECK(buf != NULL);
    CHECK(memcmp(buf, "DGPK", 4) == 0 && buf[4] == 1 && buf[5] == 2 && buf[6] == 0); /* magic, version, H = 2 */
    CHECK(buf[7] == 3 && (int8_t)buf[8] == -1 && (int8_t)buf[9] == 0); /* W1: whole numbers, exponents -1, 0 */
    size_t coded = u32_at(buf + 10), at = 14 + coded;
    CHECK(coded >= 5 && coded < 60 && buf[14] == 0); /* 1568 numbers, nearly all 0: a few bytes */
    CHECK(buf[at] == 1); /* b1: float32 */
    float b1;
    memcpy(&b1, buf + at + 1, 4); /* little-endian, as every machine we build for */
    CHECK(b1 == 0.1f);
    at += 1 + 2 * 4;
    CHECK(buf[at] == 1); /* W2: float32, (10, 2) */
    at += 1 + 20 * 4;
    CHECK(buf[at] == 2 && buf[at + 1 + 2 * 3] == 0x00 && buf[at + 2 + 2 * 3] == 0x38); /* b2: float16, b2[3] = 0.5 */
    at += 1 + 10 * 2;
    CHECK(len == at + 4);
    CHECK(u32_at(buf + at) == crc32_reference(buf, at));
    free(buf);
    nn_model_free(&m);
}

/* A packed tiny model to spoil; *len gets its size. */
static uint8_t *packed_tiny(size_t *len) {
    Model m;
    tiny_model(&m);
    uint8_t *buf = pack_encode(&m, len, NULL);
    nn_model_free(&m);
    return buf;
}

/* Decoding buf must fail with a message containing `says`, leaving the model zeroed. */
static int refused(const uint8_t *buf, size_t len, const char *says) {
    Model m;
    memset(&m, 0xab, sizeof m);
    DigitsError err = {{0}};
    int ok = pack_decode(&m, buf, len, "model.pack", &err) == -1 && strstr(err.msg, says) != NULL &&
             strncmp(err.msg, "model.pack: ", 12) == 0 && m.params == NULL && m.hidden == 0;
    if (!ok) fprintf(stderr, "  message: %s\n", err.msg);
    return ok;
}

TEST(a_cut_or_damaged_file_should_be_refused_by_its_checksum) {
    size_t len;
    uint8_t *buf = packed_tiny(&len);
    for (size_t cut = 11; cut < len; cut += 7) CHECK(refused(buf, cut, "its checksum does not match: the file is damaged or cut short"));
    for (size_t i = 7; i < len; i += 5) {
        buf[i] ^= 0x10;
        CHECK(refused(buf, len, "its checksum does not match"));
        buf[i] ^= 0x10;
    }
    CHECK(refused(buf, 10, "only 10 bytes: cut short"));
    const char *html = "<!DOCTYPE html><title>404 Not Found</title>"; /* what a server sends for a missing file */
    CHECK(refused((const uint8_t *)html, strlen(html), "not a packed model (it does not start with DGPK)"));
    CHECK(refused(buf, 0, "not a packed model"));
    buf[4] = 2;
    CHECK(refused(buf, len, "packed model version 2, but this program reads version 1"));
    free(buf);
}

TEST(a_well_sealed_file_that_breaks_the_format_should_be_refused_naming_the_problem) {
    size_t len;
    uint8_t *buf = packed_tiny(&len), *bad = malloc(len + 8);
    size_t coded = u32_at(buf + 10), b1 = 14 + coded, w2 = b1 + 9, b2 = w2 + 81;
#define SPOIL(change, says)                                                                                            \
    do {                                                                                                               \
        memcpy(bad, buf, len);                                                                                         \
        change;                                                                                                        \
        reseal(bad, len);                                                                                              \
        CHECK(refused(bad, len, says));                                                                                \
    } while (0)
    SPOIL(bad[5] = 0, "hidden size 0 is outside 1..4096");
    SPOIL(bad[b1] = 7, "b1: unknown form 7 (1: float32, 2: float16, 3: whole numbers)");
    SPOIL(bad[w2] = 3, "W2: only W1 may be stored as whole numbers (form 3)");
    SPOIL(bad[b2] = 1, "b2: 20 bytes of values where 40 are needed");
    SPOIL((bad[b1 + 1] = 0, bad[b1 + 2] = 0, bad[b1 + 3] = 0xc0, bad[b1 + 4] = 0x7f), "b1: value 0 is NaN");
    SPOIL((bad[b2 + 1] = 0x00, bad[b2 + 2] = 0x7c), "b2: value 0 is infinite");
    SPOIL(bad[9] = 127, "W1, unit 1: 2 times 2^127 is not a float32 number");
    SPOIL(bad[10] = (uint8_t)(coded - 1), "W1: its"); /* a byte short of its numbers */
    SPOIL(bad[10] = 0xff, "W1: 255 bytes of whole numbers announced");
    /* one byte more between the model and its checksum */
    memcpy(bad, buf, len - 4);
    bad[len - 4] = 0;
    reseal(bad, len + 1);
    CHECK(refused(bad, len + 1, "1 byte(s) between the model's end and its checksum"));
#undef SPOIL
    free(bad), free(buf);
}

TEST(the_checksum_should_be_the_crc32_of_zlib) {
    const char *check = "123456789"; /* CRC-32's published check value */
    CHECK(pack_checksum((const uint8_t *)check, 9) == 0xcbf43926u);
    CHECK(crc32_reference((const uint8_t *)check, 9) == 0xcbf43926u);
    CHECK(pack_checksum(NULL, 0) == 0);
}

static const TestCase TESTS[] = {
    T(the_checksum_should_be_the_crc32_of_zlib),
    T(every_form_should_give_back_every_float32_bit),
    T(the_default_model_should_decode_to_exactly_its_npy_values),
    T(the_bytes_should_be_laid_out_as_the_document_says),
    T(a_cut_or_damaged_file_should_be_refused_by_its_checksum),
    T(a_well_sealed_file_that_breaks_the_format_should_be_refused_naming_the_problem),
};

TEST_MAIN(TESTS)
