/* test_npy.c: NumPy .npy read/write (src/npy.c).
 * Fixtures written by NumPy itself live in tests/c/fixtures/npy/ (see make_fixtures.py there). */
#include "npy.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#ifndef DIGITS_SOURCE_DIR
#error "DIGITS_SOURCE_DIR (the repository root, as a string) must be defined"
#endif
#define FIXTURES DIGITS_SOURCE_DIR "/tests/c/fixtures/npy/"

/* ---- helpers ---- */

/* A .npy built by hand: preamble for version major.0, the header text as given, then the data. */
static size_t build_npy(uint8_t *buf, size_t cap, int major, const char *header, const void *data, size_t nbytes) {
    size_t hlen = strlen(header), start = major == 1 ? 10 : 12;
    if (start + hlen + nbytes > cap) abort();
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)major;
    buf[7] = 0;
    for (size_t i = 0; i < start - 8; i++) buf[8 + i] = (uint8_t)(hlen >> (8 * i));
    memcpy(buf + start, header, hlen);
    if (nbytes) memcpy(buf + start + hlen, data, nbytes);
    return start + hlen + nbytes;
}

/* Little-endian bytes of floats and doubles, whatever the host. */
static void put_f32(uint8_t *p, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(u >> (8 * i));
}

static void put_f64(uint8_t *p, double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(u >> (8 * i));
}

/* npy_read_into on an exactly-sized heap copy of buf, so the sanitizers see any over-read. */
static int read_exact(const uint8_t *buf, size_t len, const char *name, float *out, size_t rows, size_t cols,
                      DigitsError *err) {
    uint8_t *copy = malloc(len ? len : 1);
    float *scratch = malloc((rows * cols + 1) * sizeof *scratch);
    if (!copy || !scratch) abort();
    if (len) memcpy(copy, buf, len);
    err->msg[0] = '\0';
    int rc = npy_read_into(copy, len, name, out ? out : scratch, rows, cols, err);
    free(copy);
    free(scratch);
    return rc;
}

static uint8_t *read_fixture(const char *file, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s%s", FIXTURES, file);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* A valid (3, 2) float32 file with values 0..5, used as the base of the error cases. */
static size_t valid_f32_3x2(uint8_t *buf, size_t cap) {
    uint8_t data[24];
    for (int k = 0; k < 6; k++) put_f32(data + 4 * k, (float)k);
    return build_npy(buf, cap, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }\n", data, sizeof data);
}

/* ---- writing and reading back ---- */

TEST(npy_f32_round_trip_should_be_exact) {
    float data[8] = {0.0f, -0.0f, 1.0f, -3.25f, 0.1f, FLT_MAX, -FLT_MIN, 1e-45f /* subnormal */};
    size_t size = npy_write_size(2, 4, NPY_F32);
    uint8_t buf[256];
    CHECK(size > 0 && size <= sizeof buf);
    CHECK(npy_write(buf, sizeof buf, data, 2, 4, NPY_F32) == size);
    float back[8];
    DigitsError err;
    CHECK(read_exact(buf, size, "W.npy", back, 2, 4, &err) == 0);
    for (int i = 0; i < 8; i++) CHECK(same_bits(back[i], data[i]));
}

TEST(npy_f16_round_trip_should_be_within_half_precision) {
    enum { N = 50 };
    float data[N], back[N];
    for (int i = 0; i < N; i++) data[i] = (float)(i - 25) * 0.1234567f + (i % 7) * 1e-3f;
    size_t size = npy_write_size(5, 10, NPY_F16);
    uint8_t buf[512];
    CHECK(size > 0 && size <= sizeof buf);
    CHECK(npy_write(buf, sizeof buf, data, 5, 10, NPY_F16) == size);
    DigitsError err;
    NpyInfo info;
    CHECK(npy_parse_header(buf, size, "W.npy", &info, &err) == 0);
    CHECK(info.dtype == NPY_F16 && info.rows == 5 && info.cols == 10);
    CHECK(read_exact(buf, size, "W.npy", back, 5, 10, &err) == 0);
    for (int i = 0; i < N; i++) {
        CHECK(same_bits(back[i], npy_half_to_float(npy_float_to_half(data[i]))));
        CHECK_NEAR(back[i], data[i], fabs(data[i]) * 0x1p-11 + 0x1p-25); /* half of a half's ulp */
    }
    CHECK(back[30] != data[30]); /* it really went through half precision */
}

TEST(npy_write_should_pad_the_header_to_64_bytes_and_end_with_a_newline) {
    float data[6] = {1, 2, 3, 4, 5, 6};
    uint8_t buf[256];
    size_t size = npy_write(buf, sizeof buf, data, 2, 3, NPY_F32);
    CHECK(size == 128 + 24);
    CHECK(memcmp(buf, "\x93NUMPY\x01\x00", 8) == 0);
    size_t hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
    CHECK(hlen == 118);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    CHECK(memcmp(buf + 10, dict, strlen(dict)) == 0);
    for (size_t i = 10 + strlen(dict); i < 127; i++) CHECK(buf[i] == ' ');
    CHECK(buf[127] == '\n');
    CHECK(buf[128] == 0x00 && buf[129] == 0x00 && buf[130] == 0x80 && buf[131] == 0x3f); /* 1.0f little-endian */

    size = npy_write(buf, sizeof buf, data, 6, 1, NPY_F16);
    CHECK(size == 128 + 12);
    CHECK(memcmp(buf + 10, "{'descr': '<f2', 'fortran_order': False, 'shape': (6, 1), }", 59) == 0);
    CHECK(buf[127] == '\n');
    CHECK(buf[128] == 0x00 && buf[129] == 0x3c); /* 1.0 as a half */

    float big[1] = {0};
    size = npy_write_size(1234567, 89, NPY_F32); /* longer shape text: still aligned */
    CHECK(size == 128 + (size_t)1234567 * 89 * 4);
    CHECK(npy_write(buf, sizeof buf, big, 1234567, 89, NPY_F32) == 0); /* too small a buffer */
}

TEST(npy_write_should_refuse_float64_small_buffers_and_overflowing_shapes) {
    float data[4] = {1, 2, 3, 4};
    uint8_t buf[256];
    CHECK(npy_write_size(2, 2, NPY_F64) == 0);
    CHECK(npy_write(buf, sizeof buf, data, 2, 2, NPY_F64) == 0);
    size_t size = npy_write_size(2, 2, NPY_F32);
    CHECK(size == 128 + 16);
    CHECK(npy_write(buf, size - 1, data, 2, 2, NPY_F32) == 0);
    CHECK(npy_write(buf, size, data, 2, 2, NPY_F32) == size);
    CHECK(npy_write_size(SIZE_MAX, 2, NPY_F32) == 0);
    CHECK(npy_write_size(SIZE_MAX / 4, 1, NPY_F32) == 0); /* data fits, data + header does not */
    CHECK(npy_write_size(SIZE_MAX / 2, 1, NPY_F16) == 0);
    CHECK(npy_write_size(0, 3, NPY_F32) == 0); /* empty: the reader would refuse it */
}

/* A float32 value beyond float16's range would be saved as an infinity, which the reader refuses:
 * a model saved with --dtype f16 could not be loaded again. */
TEST(npy_write_should_refuse_values_the_reader_would_refuse) {
    uint8_t buf[256], back_buf[256];
    float ok16[2] = {65504.0f, -65519.0f}; /* -65519 still rounds to -65504 */
    size_t size = npy_write_size(1, 2, NPY_F16);
    CHECK(npy_write(buf, sizeof buf, ok16, 1, 2, NPY_F16) == size);
    float back[2];
    DigitsError err;
    CHECK(npy_read_into(buf, size, "x.npy", back, 1, 2, &err) == 0);
    CHECK(back[0] == 65504.0f && back[1] == -65504.0f);
    const float refused16[] = {65520.0f, -1e5f, 3.0e38f, INFINITY, NAN};
    for (size_t i = 0; i < sizeof refused16 / sizeof refused16[0]; i++) {
        float data[2] = {1.0f, refused16[i]};
        CHECK(npy_write(buf, sizeof buf, data, 1, 2, NPY_F16) == 0);
    }
    float big[2] = {1.0f, 3.0e38f};
    size = npy_write_size(1, 2, NPY_F32);
    CHECK(npy_write(back_buf, sizeof back_buf, big, 1, 2, NPY_F32) == size); /* fine as float32 */
    const float refused32[] = {INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof refused32 / sizeof refused32[0]; i++) {
        float data[2] = {1.0f, refused32[i]};
        CHECK(npy_write(buf, sizeof buf, data, 1, 2, NPY_F32) == 0);
    }
}

/* ---- reading hand-built files ---- */

TEST(npy_hand_built_float64_file_should_give_the_hand_computed_values) {
    const double values[6] = {0.5, -1.25, 0.1, 1.0 / 3.0, -1e-3, 3.0e38};
    uint8_t data[48], buf[256];
    for (int k = 0; k < 6; k++) put_f64(data + 8 * k, values[k]);
    size_t len = build_npy(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }    \n",
                           data, sizeof data);
    NpyInfo info;
    DigitsError err;
    CHECK(npy_parse_header(buf, len, "W1.npy", &info, &err) == 0);
    CHECK(info.dtype == NPY_F64 && info.ndim == 2 && info.rows == 3 && info.cols == 2);
    CHECK(info.data_offset == len - 48);
    float out[6];
    CHECK(read_exact(buf, len, "W1.npy", out, 3, 2, &err) == 0);
    CHECK(out[0] == 0.5f);
    CHECK(out[1] == -1.25f);
    CHECK(out[2] == 0.1f);                 /* 0x3dcccccd */
    CHECK(out[3] == 0.333333343267f);      /* 0x3eaaaaab */
    CHECK(out[4] == -0.001f);
    CHECK(out[5] == 3.0e38f);
}

TEST(npy_one_dimensional_shape_should_read_as_a_column) {
    uint8_t data[12], buf[256];
    for (int k = 0; k < 3; k++) put_f32(data + 4 * k, 1.5f * (float)(k + 1));
    size_t len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n",
                           data, sizeof data);
    NpyInfo info;
    DigitsError err;
    CHECK(npy_parse_header(buf, len, NULL, &info, &err) == 0);
    CHECK(info.ndim == 1 && info.rows == 3 && info.cols == 1);
    float out[3];
    CHECK(read_exact(buf, len, "b1.npy", out, 3, 1, &err) == 0);
    CHECK(out[0] == 1.5f && out[1] == 3.0f && out[2] == 4.5f);
    CHECK(read_exact(buf, len, "b1.npy", NULL, 1, 3, &err) == -1);
    CHECK_CONTAINS(err.msg, "b1.npy: shape (3,) does not match the expected (1, 3)");
}

TEST(npy_header_keys_should_parse_in_any_order_quoting_and_spacing) {
    const char *headers[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n",
        "{'shape': (2, 3), 'descr': '<f4', 'fortran_order': False}\n",
        "{'fortran_order':False,'shape':(2,3),'descr':'<f4'}",
        "  {\t\"descr\" : \"<f4\" ,\n 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }   \n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }\n", /* Python 2 numpy */
    };
    uint8_t data[24], buf[256];
    for (int k = 0; k < 6; k++) put_f32(data + 4 * k, (float)k - 2.5f);
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        for (int major = 1; major <= 3; major++) {
            size_t len = build_npy(buf, sizeof buf, major, headers[i], data, sizeof data);
            float out[6];
            DigitsError err;
            if (read_exact(buf, len, "W.npy", out, 2, 3, &err) != 0) fprintf(stderr, "header %zu: %s\n", i, err.msg);
            CHECK(read_exact(buf, len, "W.npy", out, 2, 3, &err) == 0);
            CHECK(out[0] == -2.5f && out[5] == 2.5f);
        }
    }
}

/* ---- half precision ---- */

TEST(npy_float_to_half_should_convert_known_values) {
    CHECK(npy_float_to_half(1.0f) == 0x3c00);
    CHECK(npy_float_to_half(-2.0f) == 0xc000);
    CHECK(npy_float_to_half(0.5f) == 0x3800);
    CHECK(npy_float_to_half(65504.0f) == 0x7bff);        /* largest finite half */
    CHECK(npy_float_to_half(6.1035e-05f) == 0x0400);     /* smallest normal, 6.103515625e-05 */
    CHECK(npy_float_to_half(5.96e-08f) == 0x0001);       /* smallest subnormal, 2^-24 */
    CHECK(npy_float_to_half(1023 * 0x1p-24f) == 0x03ff); /* largest subnormal */
    CHECK(npy_float_to_half(0.0f) == 0x0000);
    CHECK(npy_float_to_half(-0.0f) == 0x8000);
    CHECK(npy_float_to_half(0.1f) == 0x2e66);
    CHECK(npy_float_to_half(INFINITY) == 0x7c00);
    CHECK(npy_float_to_half(-INFINITY) == 0xfc00);
    CHECK(npy_float_to_half(1e10f) == 0x7c00);           /* overflow goes to inf */
    CHECK(npy_float_to_half(-1e10f) == 0xfc00);
    CHECK(npy_float_to_half(1e-9f) == 0x0000);           /* underflow goes to zero */
    CHECK(npy_float_to_half(-1e-9f) == 0x8000);
    CHECK(npy_float_to_half(FLT_MIN) == 0x0000);
    uint16_t nan = npy_float_to_half(NAN);
    CHECK((nan & 0x7c00) == 0x7c00 && (nan & 0x03ff) != 0);
    uint32_t low_payload = 0x7f800001u; /* a NaN whose payload would vanish in a half: still NaN */
    float low_nan;
    memcpy(&low_nan, &low_payload, sizeof low_nan);
    nan = npy_float_to_half(low_nan);
    CHECK((nan & 0x7c00) == 0x7c00 && (nan & 0x03ff) != 0);
}

TEST(npy_float_to_half_should_round_halfway_cases_to_even) {
    CHECK(npy_float_to_half(1.0f + 0x1p-11f) == 0x3c00);            /* halfway 1.0 | 1+2^-10: even is 1.0 */
    CHECK(npy_float_to_half(1.0f + 3 * 0x1p-11f) == 0x3c02);        /* halfway, the even one is above */
    CHECK(npy_float_to_half(1.0f + 0x1p-11f + 0x1p-20f) == 0x3c01); /* just above halfway */
    CHECK(npy_float_to_half(1.0f + 0x1p-11f - 0x1p-20f) == 0x3c00); /* just below halfway */
    CHECK(npy_float_to_half(2049.0f) == 0x6800);                    /* 2048 */
    CHECK(npy_float_to_half(2051.0f) == 0x6802);                    /* 2052 */
    CHECK(npy_float_to_half(0x1p-25f) == 0x0000);                   /* subnormal halfway 0 | 2^-24 */
    CHECK(npy_float_to_half(3 * 0x1p-25f) == 0x0002);
    CHECK(npy_float_to_half(1.5f * 0x1p-25f) == 0x0001);
    CHECK(npy_float_to_half(0x1p-14f - 0x1p-25f) == 0x0400);        /* rounds up into the normals */
    CHECK(npy_float_to_half(65519.0f) == 0x7bff);
    CHECK(npy_float_to_half(65520.0f) == 0x7c00);                   /* halfway to 65536: rounds to inf */
    CHECK(npy_float_to_half(-65520.0f) == 0xfc00);

    /* Exhaustively: the midpoint between two neighbouring positive halves goes to the even one,
     * and the floats just either side of it go to the nearer one. */
    for (uint32_t h = 0; h < 0x7bff; h++) {
        float lo = npy_half_to_float((uint16_t)h), hi = npy_half_to_float((uint16_t)(h + 1));
        float mid = (float)(((double)lo + (double)hi) / 2);
        uint16_t even = (uint16_t)((h & 1) ? h + 1 : h);
        CHECK(npy_float_to_half(mid) == even);
        CHECK(npy_float_to_half(nextafterf(mid, 0.0f)) == h);
        CHECK(npy_float_to_half(nextafterf(mid, INFINITY)) == h + 1);
        CHECK(npy_float_to_half(-mid) == (0x8000 | even));
    }
}

TEST(npy_half_to_float_should_convert_known_values) {
    CHECK(npy_half_to_float(0x3c00) == 1.0f);
    CHECK(npy_half_to_float(0xc000) == -2.0f);
    CHECK(npy_half_to_float(0x7bff) == 65504.0f);
    CHECK(npy_half_to_float(0x0400) == 0x1p-14f);
    CHECK(npy_half_to_float(0x0001) == 0x1p-24f);
    CHECK(npy_half_to_float(0x03ff) == 1023 * 0x1p-24f);
    CHECK(npy_half_to_float(0x8001) == -0x1p-24f);
    CHECK(npy_half_to_float(0x3555) == 0.333251953125f);
    CHECK(npy_half_to_float(0x2e66) == 0.0999755859375f);
    CHECK(npy_half_to_float(0x0000) == 0.0f && !signbit(npy_half_to_float(0x0000)));
    CHECK(npy_half_to_float(0x8000) == 0.0f && signbit(npy_half_to_float(0x8000)));
    CHECK(isinf(npy_half_to_float(0x7c00)) && npy_half_to_float(0x7c00) > 0);
    CHECK(isinf(npy_half_to_float(0xfc00)) && npy_half_to_float(0xfc00) < 0);
    CHECK(isnan(npy_half_to_float(0x7e00)));
    CHECK(isnan(npy_half_to_float(0x7c01)));
}

TEST(npy_every_half_should_survive_a_round_trip_through_float) {
    for (uint32_t h = 0; h <= 0xffff; h++) {
        float f = npy_half_to_float((uint16_t)h);
        uint16_t back = npy_float_to_half(f);
        if ((h & 0x7c00) == 0x7c00 && (h & 0x03ff)) CHECK(isnan(f) && (back & 0x7c00) == 0x7c00 && (back & 0x3ff));
        else CHECK(back == h);
    }
}

/* ---- errors ---- */

TEST(npy_bad_magic_should_be_rejected) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    buf[5] = 'X';
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK(strcmp(err.msg, "W1.npy: not a .npy file (bad magic)") == 0);
    const char csv[] = "label,pixel0,pixel1\n";
    CHECK(read_exact((const uint8_t *)csv, sizeof csv - 1, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: not a .npy file (bad magic)");
}

TEST(npy_errors_without_a_name_should_start_with_the_problem) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    buf[0] = 'P';
    DigitsError err;
    CHECK(read_exact(buf, len, NULL, NULL, 3, 2, &err) == -1);
    CHECK(strcmp(err.msg, "not a .npy file (bad magic)") == 0);
    NpyInfo info;
    CHECK(npy_parse_header(buf, len, NULL, &info, NULL) == -1); /* a NULL err is allowed */
}

TEST(npy_buffer_shorter_than_ten_bytes_should_be_rejected) {
    uint8_t buf[256];
    valid_f32_3x2(buf, sizeof buf);
    DigitsError err;
    for (size_t len = 0; len < 10; len++) {
        CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
        CHECK_CONTAINS(err.msg, "W1.npy: ");
        CHECK_CONTAINS(err.msg, "too short to be a .npy file");
    }
    CHECK(read_exact(buf, 9, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: too short to be a .npy file (9 bytes");
    NpyInfo info;
    CHECK(npy_parse_header(NULL, 0, "W1.npy", &info, &err) == -1);
    CHECK_CONTAINS(err.msg, "too short");
}

TEST(npy_truncated_header_should_be_rejected) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    DigitsError err;
    CHECK(read_exact(buf, 40, "W1.npy", NULL, 3, 2, &err) == -1); /* cut inside the dict */
    CHECK_CONTAINS(err.msg, "W1.npy: truncated header");
    CHECK_CONTAINS(err.msg, "(30 bytes after the preamble)");
    /* version 2.0 has a 4-byte header length: 11 bytes cannot hold it */
    len = build_npy(buf, sizeof buf, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", "\0\0\0\0", 4);
    CHECK(read_exact(buf, 11, "W1.npy", NULL, 1, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: truncated header: a version 2.0 file has a 12-byte preamble");
    /* every cut of a valid file fails cleanly, never over-reading */
    len = valid_f32_3x2(buf, sizeof buf);
    for (size_t cut = 0; cut < len; cut++) {
        CHECK(read_exact(buf, cut, "W1.npy", NULL, 3, 2, &err) == -1);
        CHECK(strncmp(err.msg, "W1.npy: ", 8) == 0);
    }
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == 0);
}

TEST(npy_header_length_beyond_the_buffer_should_be_rejected) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    buf[8] = 0x60; /* 60000 = 0xea60 */
    buf[9] = 0xea;
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: truncated header: the header length 60000 is beyond the end of the file");
    len = build_npy(buf, sizeof buf, 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n", "\0\0\0\0", 4);
    buf[8] = buf[9] = buf[10] = buf[11] = 0xff; /* 4294967295 */
    CHECK(read_exact(buf, len, "W1.npy", NULL, 1, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "header length 4294967295 is beyond the end of the file");
}

TEST(npy_unsupported_version_should_be_rejected) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    DigitsError err;
    buf[6] = 4;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: unsupported .npy format version 4.0 (expected 1.0, 2.0 or 3.0)");
    buf[6] = 1;
    buf[7] = 1;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "version 1.1");
}

TEST(npy_integer_dtype_should_be_rejected) {
    uint8_t buf[256], data[24] = {0};
    size_t len = build_npy(buf, sizeof buf, 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }\n",
                           data, sizeof data);
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK(strcmp(err.msg, "W1.npy: unsupported dtype '<i4' (expected float16, float32 or float64)") == 0);
    const char *others[] = {"'|u1'", "'<c8'", "'<f16'", "'f4'", "'<U3'", "[('x', '<f4')]"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char header[128];
        snprintf(header, sizeof header, "{'descr': %s, 'fortran_order': False, 'shape': (3, 2), }\n", others[i]);
        len = build_npy(buf, sizeof buf, 1, header, data, sizeof data);
        CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
        CHECK_CONTAINS(err.msg, "W1.npy: unsupported dtype");
    }
}

TEST(npy_big_endian_dtype_should_be_rejected) {
    uint8_t buf[256], data[24] = {0};
    size_t len = build_npy(buf, sizeof buf, 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (3, 2), }\n",
                           data, sizeof data);
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: big-endian dtype '>f4' is not supported");
    CHECK_CONTAINS(err.msg, "a.astype('<f4')");
    len = build_npy(buf, sizeof buf, 1, "{'descr': '=f4', 'fortran_order': False, 'shape': (3, 2), }\n",
                    data, sizeof data);
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: native-order dtype '=f4'");
}

TEST(npy_fortran_order_should_be_rejected) {
    uint8_t buf[256], data[24] = {0};
    size_t len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }\n",
                           data, sizeof data);
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: Fortran-order arrays are not supported, even 1-D ones");
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (6,), }\n",
                    data, sizeof data);
    CHECK(read_exact(buf, len, "b1.npy", NULL, 6, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "b1.npy: Fortran-order");
}

TEST(npy_wrong_shape_should_be_rejected) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 2, 3, &err) == -1);
    CHECK(strcmp(err.msg, "W1.npy: shape (3, 2) does not match the expected (2, 3)") == 0);
    uint8_t data[128 * 4] = {0};
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (128,), }\n", data, 0);
    uint8_t *big = malloc(len + sizeof data);
    CHECK(big != NULL);
    memcpy(big, buf, len);
    memcpy(big + len, data, sizeof data);
    CHECK(read_exact(big, len + sizeof data, "b1.npy", NULL, 256, 1, &err) == -1);
    CHECK(strcmp(err.msg, "b1.npy: shape (128,) does not match the expected (256, 1)") == 0);
    CHECK(read_exact(big, len + sizeof data, "b1.npy", NULL, 128, 1, &err) == 0);
    free(big);
}

TEST(npy_shapes_other_than_one_or_two_dimensions_should_be_rejected) {
    uint8_t buf[256], data[96] = {0};
    size_t len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }\n",
                           data, sizeof data);
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 2, 12, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: 3-D shape (2, 3, 4) is not supported (expected (n,) or (rows, cols))");
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1), }\n",
                    data, 4);
    CHECK(read_exact(buf, len, "W1.npy", NULL, 1, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "6-D shape (1, 1, 1, 1, ...)");
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }\n", data, 4);
    CHECK(read_exact(buf, len, "W1.npy", NULL, 1, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: 0-D shape () is not supported");
}

TEST(npy_empty_shape_should_be_rejected) {
    uint8_t buf[256];
    size_t len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }\n",
                           NULL, 0);
    DigitsError err;
    CHECK(read_exact(buf, len, "W1.npy", NULL, 0, 3, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: shape (0, 3) is empty");
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }\n", NULL, 0);
    CHECK(read_exact(buf, len, "b1.npy", NULL, 0, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "b1.npy: shape (0,) is empty");
}

TEST(npy_overflowing_shape_should_be_rejected) {
    const char *shapes[] = {
        "(18446744073709551615, 2)", /* SIZE_MAX rows on 64-bit */
        "(4611686018427387904, 2)",  /* 2^63 values fit a size_t, their bytes do not */
        "(2, 4611686018427387904)",
        "(4294967296, 4294967296)",
        "(99999999999999999999999999, 1)", /* beyond 64 bits */
    };
    uint8_t buf[256], data[16] = {0};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char header[128];
        snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }\n", shapes[i]);
        size_t len = build_npy(buf, sizeof buf, 1, header, data, sizeof data);
        DigitsError err;
        NpyInfo info;
        CHECK(npy_parse_header(buf, len, "W1.npy", &info, &err) == -1);
        CHECK_CONTAINS(err.msg, "W1.npy: shape ");
        CHECK_CONTAINS(err.msg, "is too large");
    }
}

TEST(npy_truncated_data_should_be_rejected) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    DigitsError err;
    CHECK(read_exact(buf, len - 4, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK(strcmp(err.msg, "W1.npy: truncated data: expected 24 bytes of data, found 20") == 0);
    CHECK(read_exact(buf, len - 24, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "expected 24 bytes of data, found 0");
}

TEST(npy_nan_value_should_be_rejected_with_its_index) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    size_t data = len - 24;
    DigitsError err;
    put_f32(buf + data + 4 * 5, NAN);
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: value 5 is NaN (row 2, column 1)");

    uint8_t f64[64], h16[8];
    for (int k = 0; k < 4; k++) put_f64(f64 + 8 * k, k == 2 ? NAN : 1.0);
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }\n", f64, 32);
    CHECK(read_exact(buf, len, "b1.npy", NULL, 4, 1, &err) == -1);
    CHECK(strncmp(err.msg, "b1.npy: value 2 is NaN;", 23) == 0);

    memset(h16, 0, sizeof h16);
    h16[2] = 0x00;
    h16[3] = 0x7e; /* half NaN at index 1 */
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }\n", h16, 8);
    CHECK(read_exact(buf, len, "W2.npy", NULL, 2, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W2.npy: value 1 is NaN (row 0, column 1)");
}

TEST(npy_inf_value_should_be_rejected_with_its_index) {
    uint8_t buf[256];
    size_t len = valid_f32_3x2(buf, sizeof buf);
    DigitsError err;
    put_f32(buf + len - 24 + 4 * 3, -INFINITY);
    CHECK(read_exact(buf, len, "W1.npy", NULL, 3, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: value 3 is infinite (row 1, column 1)");

    uint8_t f64[16], h16[4] = {0x00, 0x00, 0x00, 0x7c};
    put_f64(f64, 1.0);
    put_f64(f64 + 8, INFINITY);
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }\n", f64, 16);
    CHECK(read_exact(buf, len, "b2.npy", NULL, 2, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "b2.npy: value 1 is infinite (row 1, column 0)");
    len = build_npy(buf, sizeof buf, 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }\n", h16, 4);
    CHECK(read_exact(buf, len, "b2.npy", NULL, 2, 1, &err) == -1);
    CHECK_CONTAINS(err.msg, "b2.npy: value 1 is infinite");
}

TEST(npy_float64_value_beyond_float_range_should_be_rejected) {
    uint8_t buf[256], f64[16];
    DigitsError err;
    float out[2];
    put_f64(f64, 0x1.fffffefffffffp127); /* rounds down to FLT_MAX */
    put_f64(f64 + 8, -(double)FLT_MAX);
    const char *header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }\n";
    size_t len = build_npy(buf, sizeof buf, 1, header, f64, 16);
    CHECK(read_exact(buf, len, "W1.npy", out, 1, 2, &err) == 0);
    CHECK(out[0] == FLT_MAX && out[1] == -FLT_MAX);
    put_f64(f64 + 8, -0x1.ffffffp127); /* halfway to 2^128: rounds to -inf */
    len = build_npy(buf, sizeof buf, 1, header, f64, 16);
    CHECK(read_exact(buf, len, "W1.npy", out, 1, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: value 1 (");
    CHECK_CONTAINS(err.msg, "is too large for a float32");
    put_f64(f64 + 8, 1e300);
    len = build_npy(buf, sizeof buf, 1, header, f64, 16);
    CHECK(read_exact(buf, len, "W1.npy", out, 1, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: value 1 (1e+300) (row 0, column 1) is too large for a float32");
}

TEST(npy_malformed_headers_should_be_rejected) {
    const char *headers[] = {
        "",
        "   \n",
        "[1, 2]\n",
        "{'descr': '<f4', 'fortran_order': False}\n",                       /* no shape */
        "{'descr': '<f4', 'shape': (6,)}\n",                                 /* no fortran_order */
        "{'fortran_order': False, 'shape': (6,)}\n",                         /* no descr */
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'extra': 1}\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), } x\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), \n",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (6,), }\n",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,), }\n",
        "{'descr': '<f4', 'fortran_order': Falsey, 'shape': (6,), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': 6, }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-6,), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3), }\n",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (6,), }\n",
        "{'descr' '<f4', 'fortran_order': False, 'shape': (6,), }\n",
        "{descr: '<f4', 'fortran_order': False, 'shape': (6,), }\n",
        "{'descr': 'a\\'b', 'fortran_order': False, 'shape': (6,), }\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }\0\n",
    };
    uint8_t buf[256], data[24] = {0};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        size_t len = build_npy(buf, sizeof buf, 1, headers[i], data, sizeof data);
        if (i == sizeof headers / sizeof headers[0] - 1) { /* the embedded NUL: strlen stopped there */
            len = build_npy(buf, sizeof buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }#\n",
                            data, sizeof data);
            uint8_t *hash = memchr(buf, '#', len);
            if (!hash) abort();
            *hash = '\0';
        }
        DigitsError err;
        if (read_exact(buf, len, "W1.npy", NULL, 6, 1, &err) == 0) fprintf(stderr, "header %zu was accepted\n", i);
        CHECK(read_exact(buf, len, "W1.npy", NULL, 6, 1, &err) == -1);
        CHECK_CONTAINS(err.msg, "W1.npy: malformed .npy header: ");
    }
}

/* Header bytes are never echoed raw into messages (a terminal would get them). */
TEST(npy_header_bytes_in_messages_should_be_escaped) {
    struct {
        const char *header;
        const char *message;
    } cases[] = {
        {"\xff{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }\n",
         "W1.npy: malformed .npy header: expected '{' starting the header dictionary at byte 0 of the header, "
         "found '\\xff'"},
        {"{'descr'\x1b[2J: '<f4', 'fortran_order': False, 'shape': (6,), }\n",
         "W1.npy: malformed .npy header: expected ':' after a key at byte 8 of the header, found '\\x1b'"},
        {"{'k\xc3\xa9\x07y': '<f4', 'fortran_order': False, 'shape': (6,), }\n",
         "W1.npy: malformed .npy header: unexpected key 'k\\xc3\\xa9\\x07y' (expected 'descr', 'fortran_order' and "
         "'shape')"},
        {"{'descr': '<\x1b" "4', 'fortran_order': False, 'shape': (6,), }\n",
         "W1.npy: unsupported dtype '<\\x1b4' (expected float16, float32 or float64)"},
    };
    uint8_t buf[256], data[24] = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = build_npy(buf, sizeof buf, 1, cases[i].header, data, sizeof data);
        DigitsError err;
        CHECK(read_exact(buf, len, "W1.npy", NULL, 6, 1, &err) == -1);
        if (strcmp(err.msg, cases[i].message) != 0) fprintf(stderr, "  got: %s\n", err.msg);
        CHECK(strcmp(err.msg, cases[i].message) == 0);
    }
}

TEST(npy_corrupted_headers_should_fail_cleanly_or_load) {
    uint8_t buf[256], base[256];
    size_t len = valid_f32_3x2(base, sizeof base);
    const uint8_t bytes[] = {0x00, 0xff, ' ', '(', ')', ',', '9', '\'', '}', '{', ':', 'L', '\n'};
    for (size_t pos = 0; pos < len - 24; pos++) {
        for (size_t b = 0; b < sizeof bytes; b++) {
            memcpy(buf, base, len);
            buf[pos] = bytes[b];
            DigitsError err;
            int rc = read_exact(buf, len, "W1.npy", NULL, 3, 2, &err);
            CHECK(rc == 0 || rc == -1);
            if (rc == -1) CHECK(strncmp(err.msg, "W1.npy: ", 8) == 0 && strlen(err.msg) > 12);
        }
    }
}

/* ---- files written by NumPy ---- */

TEST(npy_float64_seed_model_files_should_load) {
    size_t len;
    DigitsError err;
    uint8_t *buf = read_fixture("seed_W1_f64.npy", &len);
    CHECK(buf != NULL);
    float w[4 * 64];
    int rc = npy_read_into(buf, len, "W1.npy", w, 4, 64, &err);
    if (rc) fprintf(stderr, "%s\n", err.msg);
    CHECK(rc == 0);
    for (int k = 0; k < 4 * 64; k++) CHECK(w[k] == (float)((double)(k + 1) / 7 - 2));
    CHECK(npy_read_into(buf, len, "W1.npy", w, 64, 4, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: shape (4, 64) does not match the expected (64, 4)");
    free(buf);

    buf = read_fixture("seed_b1_f64.npy", &len);
    CHECK(buf != NULL);
    float b[4];
    CHECK(npy_read_into(buf, len, "b1.npy", b, 4, 1, &err) == 0);
    for (int k = 0; k < 4; k++) CHECK(b[k] == (float)(0.1 * (k + 1)));
    free(buf);
}

TEST(npy_numpy_float16_file_should_load) {
    static const float want[12] = {0.0f, 1.0f, -2.0f, 0.5f, 65504.0f, -65504.0f, 6.103515625e-05f,
                                   5.9604644775390625e-08f, 0.0999755859375f, 3.140625f, 1000.0f, -0.333251953125f};
    size_t len;
    DigitsError err;
    uint8_t *buf = read_fixture("half_f16.npy", &len);
    CHECK(buf != NULL);
    NpyInfo info;
    CHECK(npy_parse_header(buf, len, "h.npy", &info, &err) == 0);
    CHECK(info.dtype == NPY_F16 && info.rows == 3 && info.cols == 4 && info.data_offset % 64 == 0);
    float h[12];
    CHECK(npy_read_into(buf, len, "h.npy", h, 3, 4, &err) == 0);
    for (int k = 0; k < 12; k++) CHECK(h[k] == want[k]);
    free(buf);
}

TEST(npy_numpy_float32_vector_should_load_as_a_column) {
    size_t len;
    DigitsError err;
    uint8_t *buf = read_fixture("vec_f32.npy", &len);
    CHECK(buf != NULL);
    float v[5];
    CHECK(npy_read_into(buf, len, "v.npy", v, 5, 1, &err) == 0);
    CHECK(v[0] == 1.5f && v[1] == -0.25f && v[2] == 0.003f && v[3] == 1e30f && v[4] == 7.0f);
    free(buf);
}

TEST(npy_numpy_version_2_and_3_files_should_load) {
    size_t len;
    DigitsError err;
    NpyInfo info;
    uint8_t *buf = read_fixture("v2_f32.npy", &len);
    CHECK(buf != NULL && len > 8 && buf[6] == 2);
    CHECK(npy_parse_header(buf, len, "v2.npy", &info, &err) == 0);
    CHECK(info.data_offset % 64 == 0);
    float a[6];
    CHECK(npy_read_into(buf, len, "v2.npy", a, 2, 3, &err) == 0);
    CHECK(a[0] == 1 && a[1] == 2 && a[2] == 3 && a[3] == 4 && a[4] == 5 && a[5] == 6.5f);
    free(buf);

    buf = read_fixture("v3_f64.npy", &len);
    CHECK(buf != NULL && len > 8 && buf[6] == 3);
    float b[4];
    CHECK(npy_read_into(buf, len, "v3.npy", b, 2, 2, &err) == 0);
    CHECK(b[0] == 0.25f && b[1] == -0.5f && b[2] == 0.001f && b[3] == 2.0f);
    free(buf);
}

TEST(npy_numpy_fortran_and_big_endian_files_should_be_rejected) {
    size_t len;
    DigitsError err;
    float a[6];
    uint8_t *buf = read_fixture("fortran_f32.npy", &len);
    CHECK(buf != NULL);
    CHECK(npy_read_into(buf, len, "f.npy", a, 2, 3, &err) == -1);
    CHECK_CONTAINS(err.msg, "f.npy: Fortran-order arrays are not supported");
    free(buf);
    buf = read_fixture("big_endian_f8.npy", &len);
    CHECK(buf != NULL);
    CHECK(npy_read_into(buf, len, "be.npy", a, 2, 2, &err) == -1);
    CHECK_CONTAINS(err.msg, "be.npy: big-endian dtype '>f8' is not supported");
    free(buf);
}

static const TestCase TESTS[] = {
    T(npy_f32_round_trip_should_be_exact),
    T(npy_f16_round_trip_should_be_within_half_precision),
    T(npy_write_should_pad_the_header_to_64_bytes_and_end_with_a_newline),
    T(npy_write_should_refuse_float64_small_buffers_and_overflowing_shapes),
    T(npy_write_should_refuse_values_the_reader_would_refuse),
    T(npy_hand_built_float64_file_should_give_the_hand_computed_values),
    T(npy_one_dimensional_shape_should_read_as_a_column),
    T(npy_header_keys_should_parse_in_any_order_quoting_and_spacing),
    T(npy_float_to_half_should_convert_known_values),
    T(npy_float_to_half_should_round_halfway_cases_to_even),
    T(npy_half_to_float_should_convert_known_values),
    T(npy_every_half_should_survive_a_round_trip_through_float),
    T(npy_bad_magic_should_be_rejected),
    T(npy_errors_without_a_name_should_start_with_the_problem),
    T(npy_buffer_shorter_than_ten_bytes_should_be_rejected),
    T(npy_truncated_header_should_be_rejected),
    T(npy_header_length_beyond_the_buffer_should_be_rejected),
    T(npy_unsupported_version_should_be_rejected),
    T(npy_integer_dtype_should_be_rejected),
    T(npy_big_endian_dtype_should_be_rejected),
    T(npy_fortran_order_should_be_rejected),
    T(npy_wrong_shape_should_be_rejected),
    T(npy_shapes_other_than_one_or_two_dimensions_should_be_rejected),
    T(npy_empty_shape_should_be_rejected),
    T(npy_overflowing_shape_should_be_rejected),
    T(npy_truncated_data_should_be_rejected),
    T(npy_nan_value_should_be_rejected_with_its_index),
    T(npy_inf_value_should_be_rejected_with_its_index),
    T(npy_float64_value_beyond_float_range_should_be_rejected),
    T(npy_malformed_headers_should_be_rejected),
    T(npy_header_bytes_in_messages_should_be_escaped),
    T(npy_corrupted_headers_should_fail_cleanly_or_load),
    T(npy_float64_seed_model_files_should_load),
    T(npy_numpy_float16_file_should_load),
    T(npy_numpy_float32_vector_should_load_as_a_column),
    T(npy_numpy_version_2_and_3_files_should_load),
    T(npy_numpy_fortran_and_big_endian_files_should_be_rejected),
};

TEST_MAIN(TESTS)
