/* test_model_io.c: models to and from .npy bytes, and the seed project's float64 files. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "files.h"
#include "model_io.h"
#include "train.h"

typedef struct {
    uint8_t *bufs[NN_TENSORS];
    size_t lens[NN_TENSORS];
} Files;

static void encode(Files *f, const Model *m, NpyDtype dtype) {
    for (int t = 0; t < NN_TENSORS; t++) {
        f->lens[t] = model_npy_size(m, (NnTensor)t, dtype);
        f->bufs[t] = malloc(f->lens[t]);
        model_to_npy(m, (NnTensor)t, dtype, f->bufs[t], f->lens[t]);
    }
}

static void encoded_free(Files *f) {
    for (int t = 0; t < NN_TENSORS; t++) free(f->bufs[t]);
}

static int decode(Model *m, const Files *f, DigitsError *err) {
    return model_from_npy(m, (const uint8_t *const *)f->bufs, f->lens, err);
}

TEST(a_float32_round_trip_should_be_exact) {
    Model a, b;
    nn_model_alloc(&a, 37, NULL);
    nn_model_init_he(&a, 9);
    a.b1[5] = 0.125f, a.b2[9] = -3.5f;
    Files f;
    encode(&f, &a, NPY_F32);
    DigitsError err;
    CHECK(decode(&b, &f, &err) == 0);
    CHECK(b.hidden == 37);
    CHECK(memcmp(a.params, b.params, a.count * sizeof(float)) == 0);
    encoded_free(&f);
    nn_model_free(&a);
    nn_model_free(&b);
}

TEST(a_float16_round_trip_should_keep_three_significant_digits) {
    Model a, b;
    nn_model_alloc(&a, 20, NULL);
    nn_model_init_he(&a, 4);
    Files f;
    encode(&f, &a, NPY_F16);
    CHECK(f.lens[NN_W1] < 20 * 784 * 2 + 200);
    CHECK(decode(&b, &f, NULL) == 0);
    for (size_t i = 0; i < a.count; i++) CHECK_NEAR(b.params[i], a.params[i], 1e-3 * fabs(a.params[i]) + 1e-7);
    encoded_free(&f);
    nn_model_free(&a);
    nn_model_free(&b);
}

TEST(the_seed_projects_float64_files_should_load_as_they_are) {
    Model m;
    DigitsError err;
    CHECK(files_load_model(&m, DIGITS_SOURCE_DIR "/tests/c/fixtures/seed_model", &err) == 0);
    CHECK(m.hidden == 3);
    /* the formulas of tests/c/fixtures/seed_model/make_fixture.py */
    for (int h = 0; h < 3; h++) {
        for (int k = 0; k < 784; k++) CHECK(m.W1[k * 3 + h] == (float)((double)((h * 784 + k) % 17 - 8) / 100)); /* (784, H) */
        CHECK(m.b1[h] == (float)(0.1 * h));
    }
    for (int j = 0; j < 10; j++) {
        for (int h = 0; h < 3; h++) CHECK(m.W2[j * 3 + h] == (float)((double)((j * 3 + h) % 5 - 2) / 10));
        CHECK(m.b2[j] == (float)(-0.01 * j));
    }
    nn_model_free(&m);
}

TEST(shapes_that_disagree_should_be_rejected_naming_the_file) {
    Model a, b, c;
    nn_model_alloc(&a, 8, NULL);
    nn_model_alloc(&b, 9, NULL);
    Files fa, fb;
    encode(&fa, &a, NPY_F32);
    encode(&fb, &b, NPY_F32);
    DigitsError err;
    Files mixed = fa;
    mixed.bufs[NN_W2] = fb.bufs[NN_W2], mixed.lens[NN_W2] = fb.lens[NN_W2];
    CHECK(decode(&c, &mixed, &err) == -1);
    CHECK_CONTAINS(err.msg, "W2.npy");
    CHECK_CONTAINS(err.msg, "(10, 8)");
    CHECK(c.params == NULL && c.hidden == 0);
    mixed = fa;
    mixed.bufs[NN_B1] = fb.bufs[NN_B1], mixed.lens[NN_B1] = fb.lens[NN_B1];
    CHECK(decode(&c, &mixed, &err) == -1);
    CHECK_CONTAINS(err.msg, "b1.npy");
    /* W1 must have 784 columns: a b2 file in its place has 1 */
    mixed = fa;
    mixed.bufs[NN_W1] = fa.bufs[NN_B2], mixed.lens[NN_W1] = fa.lens[NN_B2];
    CHECK(decode(&c, &mixed, &err) == -1);
    CHECK_CONTAINS(err.msg, "W1.npy: shape (10, 1) is not (H, 784)");
    encoded_free(&fa);
    encoded_free(&fb);
    nn_model_free(&a);
    nn_model_free(&b);
}

TEST(truncated_or_empty_files_should_be_rejected) {
    Model a, c;
    nn_model_alloc(&a, 4, NULL);
    Files f;
    encode(&f, &a, NPY_F32);
    DigitsError err;
    size_t full = f.lens[NN_B2];
    f.lens[NN_B2] = full - 3;
    CHECK(decode(&c, &f, &err) == -1);
    CHECK_CONTAINS(err.msg, "b2.npy");
    f.lens[NN_B2] = 0;
    CHECK(decode(&c, &f, &err) == -1);
    CHECK_CONTAINS(err.msg, "b2.npy");
    f.lens[NN_B2] = full;
    CHECK(decode(&c, &f, &err) == 0);
    nn_model_free(&c);
    encoded_free(&f);
    nn_model_free(&a);
}

TEST(saving_and_loading_a_directory_should_round_trip) {
    Model a, b;
    nn_model_alloc(&a, 5, NULL);
    nn_model_init_he(&a, 1);
    char dir[] = "/tmp/digits_test_model_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    DigitsError err;
    CHECK(files_save_model(&a, dir, NPY_F32, &err) == 0);
    CHECK(files_load_model(&b, dir, &err) == 0);
    CHECK(memcmp(a.params, b.params, a.count * sizeof(float)) == 0);
    nn_model_free(&b);
    CHECK(files_load_model(&b, "/nonexistent/model", &err) == -1);
    CHECK_CONTAINS(err.msg, "/nonexistent/model/W1.npy: cannot open");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    nn_model_free(&a);
}

static int file_is(const char *path, const uint8_t *bytes, size_t len) {
    uint8_t *got; /* NULL when files_read fails */
    size_t n;
    int same = files_read(path, &got, &n, NULL) == 0 && n == len && memcmp(got, bytes, len) == 0;
    free(got);
    return same;
}

/* A weight beyond float16's range would be saved as an infinity the loader refuses: nothing is
 * written, the message says why, and an existing model stays whole. */
TEST(a_model_float16_cannot_hold_should_not_be_saved_over_an_existing_one) {
    Model old_model, big;
    nn_model_alloc(&old_model, 2, NULL);
    nn_model_init_he(&old_model, 1);
    nn_model_alloc(&big, 2, NULL);
    nn_model_init_he(&big, 2);
    big.W2[3] = 70000.0f;
    char dir[] = "/tmp/digits_test_model_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    DigitsError err;
    CHECK(files_save_model(&old_model, dir, NPY_F16, &err) == 0);
    Files before;
    encode(&before, &old_model, NPY_F16);
    CHECK(files_save_model(&big, dir, NPY_F16, &err) == -1);
    char want[256];
    snprintf(want, sizeof want, "%s/W2.npy: cannot be saved: it holds a NaN or infinite value, or one beyond "
             "float16's +-65504 (save as f32)", dir);
    CHECK(strcmp(err.msg, want) == 0);
    for (int t = 0; t < NN_TENSORS; t++) { /* W1.npy, encoded before W2.npy, was not written either */
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, MODEL_FILE_NAMES[t]);
        CHECK(file_is(path, before.bufs[t], before.lens[t]));
    }
    CHECK(files_save_model(&big, dir, NPY_F32, &err) == 0); /* float32 holds it */
    Model back;
    CHECK(files_load_model(&back, dir, &err) == 0);
    CHECK(back.W2[3] == 70000.0f);
    big.b1[0] = NAN;
    CHECK(files_save_model(&big, dir, NPY_F32, &err) == -1);
    CHECK_CONTAINS(err.msg, "/b1.npy: cannot be saved: it holds a NaN or infinite value");
    nn_model_free(&back);
    encoded_free(&before);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    nn_model_free(&old_model);
    nn_model_free(&big);
}

/* The shipped model (model/, trained by npm run train:model) on the hold-out no training saw:
 * its floor is 98.5%, and its four files must total at most 1 MB. */
TEST(the_default_model_should_pass_its_accuracy_floor_and_size_limit) {
    Model m;
    DigitsError err;
    CHECK(files_load_model(&m, DIGITS_SOURCE_DIR "/model", &err) == 0);
    Dataset holdout = {0};
    if (files_load_csv(&holdout, DIGITS_SOURCE_DIR "/data/holdout.csv", NULL, NULL, &err)) {
        fprintf(stderr, "%s (run 'npm run data' to create the data set)\n", err.msg);
        CHECK(0);
    }
    float acc = train_evaluate(&m, &holdout, NULL, &err);
    printf("    default model 784-%d-10: %.2f%% on %zu held-out digits\n", m.hidden, 100.0 * acc, holdout.n);
    CHECK(acc >= 0.985f);
    size_t total = 0;
    for (int t = 0; t < NN_TENSORS; t++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/model/%s", DIGITS_SOURCE_DIR, MODEL_FILE_NAMES[t]);
        uint8_t *buf;
        size_t len;
        CHECK(files_read(path, &buf, &len, &err) == 0);
        free(buf);
        total += len;
    }
    CHECK(total <= 1000000);
    dataset_free(&holdout);
    nn_model_free(&m);
}

static const TestCase TESTS[] = {
    T(a_float32_round_trip_should_be_exact),
    T(a_float16_round_trip_should_keep_three_significant_digits),
    T(the_seed_projects_float64_files_should_load_as_they_are),
    T(shapes_that_disagree_should_be_rejected_naming_the_file),
    T(truncated_or_empty_files_should_be_rejected),
    T(saving_and_loading_a_directory_should_round_trip),
    T(the_default_model_should_pass_its_accuracy_floor_and_size_limit),
    T(a_model_float16_cannot_hold_should_not_be_saved_over_an_existing_one),
};

TEST_MAIN(TESTS)
