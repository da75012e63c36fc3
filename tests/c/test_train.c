/* test_train.c: the training loop on real digits, determinism, stopping, divergence, distillation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "files.h"
#include "models.h"
#include "train.h"

/* The project's real data (npm test runs scripts/prepare-data.mjs first). */
static int load_real(Dataset *d, const char *name, size_t limit) {
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", DIGITS_SOURCE_DIR, name);
    DigitsError err;
    if (files_load_csv(d, path, NULL, NULL, &err)) {
        fprintf(stderr, "%s (run 'npm run data' to create the data set)\n", err.msg);
        return -1;
    }
    if (limit && d->n > limit) d->n = limit; /* use the first rows only */
    return 0;
}

/* n synthetic digits: class c is a bright horizontal bar at row 2 + 2c, plus noise. */
static void synthetic(Dataset *d, size_t n, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    d->n = n;
    d->pixels = calloc(n, 784);
    d->labels = malloc(n);
    for (size_t i = 0; i < n; i++) {
        int c = (int)(i % 10);
        d->labels[i] = (uint8_t)c;
        for (int x = 4; x < 24; x++) d->pixels[i * 784 + (size_t)(2 + 2 * c) * 28 + (size_t)x] = 200;
        for (int k = 0; k < 30; k++) d->pixels[i * 784 + rng_below(&rng, 784)] = (uint8_t)rng_below(&rng, 256);
    }
}

TEST(one_epoch_on_1000_real_digits_should_pass_85_percent) {
    Dataset train = {0}, holdout = {0};
    CHECK(load_real(&train, "train.csv", 1000) == 0);
    CHECK(load_real(&holdout, "holdout.csv", 0) == 0);
    Model m;
    CHECK(nn_model_alloc(&m, 256, NULL) == 0);
    nn_model_init_he(&m, 1);
    TrainConfig cfg = train_defaults(); /* one pass, 100 small momentum-SGD steps */
    cfg.epochs = 1;
    cfg.batch = 10;
    cfg.optimizer = OPT_SGD;
    cfg.lr = 0.05f;
    DigitsError err;
    CHECK(train_run(&m, &train, NULL, &cfg, NULL, NULL, &err) == 0);
    float acc = train_evaluate(&m, &holdout, NULL, &err);
    printf("    one epoch on 1000 digits: %.2f%% on %zu held-out digits\n", 100.0 * acc, holdout.n);
    CHECK(acc > 0.85f);
    nn_model_free(&m);
    dataset_free(&train);
    dataset_free(&holdout);
}

static int count_calls(const TrainProgress *p, void *user) {
    int *calls = user;
    calls[0]++;
    if (p->epoch_done) calls[1]++;
    if (p->epoch_done && p->val_accuracy >= 0) calls[2]++;
    return 0;
}

TEST(training_should_lower_the_loss_and_report_every_batch_and_epoch) {
    Dataset d = {0};
    synthetic(&d, 200, 4);
    Model m;
    nn_model_alloc(&m, 32, NULL);
    nn_model_init_he(&m, 3);
    TrainConfig cfg = train_defaults();
    cfg.epochs = 3;
    cfg.batch = 50;
    cfg.lr = 0.01f;
    int calls[3] = {0};
    DigitsError err;
    CHECK(train_run(&m, &d, &d, &cfg, count_calls, calls, &err) == 0);
    CHECK(calls[0] == 3 * 4);
    CHECK(calls[1] == 3);
    CHECK(calls[2] == 3);
    CHECK(train_evaluate(&m, &d, NULL, &err) > 0.9f);
    nn_model_free(&m);
    dataset_free(&d);
}

TEST(the_same_seed_should_give_the_same_weights) {
    Dataset d = {0};
    synthetic(&d, 120, 8);
    Model a, b, c;
    nn_model_alloc(&a, 16, NULL);
    nn_model_alloc(&b, 16, NULL);
    nn_model_alloc(&c, 16, NULL);
    TrainConfig cfg = train_defaults();
    cfg.epochs = 2;
    cfg.batch = 16;
    cfg.augment = augment_defaults(); /* augmentation draws from the same seeded generator */
    nn_model_init_he(&a, cfg.seed);
    nn_model_init_he(&b, cfg.seed);
    CHECK(train_run(&a, &d, NULL, &cfg, NULL, NULL, NULL) == 0);
    CHECK(train_run(&b, &d, NULL, &cfg, NULL, NULL, NULL) == 0);
    CHECK(memcmp(a.params, b.params, a.count * sizeof(float)) == 0);
    cfg.seed = 2;
    nn_model_init_he(&c, 1);
    CHECK(train_run(&c, &d, NULL, &cfg, NULL, NULL, NULL) == 0);
    CHECK(memcmp(a.params, c.params, a.count * sizeof(float)) != 0);
    nn_model_free(&a);
    nn_model_free(&b);
    nn_model_free(&c);
    dataset_free(&d);
}

static int stop_after_two(const TrainProgress *p, void *user) {
    (void)p;
    return ++*(int *)user >= 2;
}

TEST(the_callback_should_be_able_to_stop_the_run) {
    Dataset d = {0};
    synthetic(&d, 100, 1);
    Model m;
    nn_model_alloc(&m, 8, NULL);
    nn_model_init_he(&m, 1);
    TrainConfig cfg = train_defaults();
    cfg.batch = 10;
    int calls = 0;
    CHECK(train_run(&m, &d, NULL, &cfg, stop_after_two, &calls, NULL) == 0);
    CHECK(calls == 2);
    nn_model_free(&m);
    dataset_free(&d);
}

TEST(train_step_should_walk_through_every_batch_of_every_epoch) {
    Dataset d = {0};
    synthetic(&d, 25, 1);
    Model m;
    nn_model_alloc(&m, 8, NULL);
    nn_model_init_he(&m, 1);
    TrainConfig cfg = train_defaults();
    cfg.epochs = 2;
    cfg.batch = 10; /* 3 batches an epoch: 10, 10, 5 */
    Trainer *t = train_new(&m, &d, &cfg, NULL);
    CHECK(t != NULL);
    const TrainProgress *p = train_progress(t);
    int expect_batch[6] = {1, 2, 3, 1, 2, 3}, expect_epoch[6] = {1, 1, 1, 2, 2, 2}, expect_samples[6] = {10, 20, 25, 35, 45, 50};
    for (int i = 0; i < 6; i++) {
        int more = train_step(t, NULL);
        CHECK(more == (i < 5));
        CHECK(p->batch == expect_batch[i] && p->epoch == expect_epoch[i]);
        CHECK(p->batches == 3 && p->steps == 6 && p->step == i + 1);
        CHECK(p->epoch_done == (expect_batch[i] == 3));
        CHECK(p->loss_sum > 0 && isfinite(p->loss_sum));
        CHECK(p->samples == expect_samples[i] && p->correct >= 0 && p->correct <= p->samples); /* since the start */
    }
    CHECK(train_step(t, NULL) == 0); /* finished: further steps do nothing */
    CHECK(p->step == 6 && p->samples == 50);
    train_free(t);
    nn_model_free(&m);
    dataset_free(&d);
}

TEST(divergence_should_stop_with_a_message_and_keep_finite_weights) {
    Dataset d = {0};
    synthetic(&d, 200, 2);
    Model m;
    nn_model_alloc(&m, 32, NULL);
    nn_model_init_he(&m, 1);
    TrainConfig cfg = train_defaults();
    cfg.optimizer = OPT_SGD;
    cfg.schedule = LR_CONSTANT;
    cfg.lr = 90.0f; /* absurd */
    cfg.epochs = 50;
    cfg.batch = 20;
    DigitsError err;
    CHECK(train_run(&m, &d, NULL, &cfg, NULL, NULL, &err) == -1);
    CHECK_CONTAINS(err.msg, "training diverged at epoch");
    CHECK_CONTAINS(err.msg, "try a lower learning rate");
    for (size_t i = 0; i < m.count; i++) CHECK(isfinite(m.params[i]));
    nn_model_free(&m);
    dataset_free(&d);
}

TEST(bad_configurations_should_be_rejected_by_name) {
    TrainConfig cfg = train_defaults();
    DigitsError err;
    CHECK(train_config_check(&cfg, &err) == 0);
    cfg.lr = 0;
    CHECK(train_config_check(&cfg, &err) == -1);
    CHECK_CONTAINS(err.msg, "learning rate 0 must be > 0");
    cfg = train_defaults();
    cfg.batch = 0;
    CHECK(train_config_check(&cfg, &err) == -1);
    CHECK_CONTAINS(err.msg, "batch size 0");
    cfg = train_defaults();
    cfg.epochs = -1;
    CHECK(train_config_check(&cfg, &err) == -1);
    CHECK_CONTAINS(err.msg, "epochs -1");
    cfg = train_defaults();
    cfg.lr = NAN;
    CHECK(train_config_check(&cfg, &err) == -1);
    cfg = train_defaults();
    cfg.teacher_weight = 1.5f;
    CHECK(train_config_check(&cfg, &err) == -1);
    CHECK_CONTAINS(err.msg, "teacher weight 1.5 must be 0..1");
    cfg = train_defaults();
    cfg.teacher_temperature = 0;
    CHECK(train_config_check(&cfg, &err) == -1);
    CHECK_CONTAINS(err.msg, "teacher temperature 0 must be");
    cfg = train_defaults();
    Model none = {0};
    cfg.teacher = &none;
    cfg.teacher_count = 0;
    CHECK(train_config_check(&cfg, &err) == -1);
    CHECK_CONTAINS(err.msg, "teacher count 0 must be at least 1");
    Dataset unlabelled = {3, calloc(3, 784), NULL};
    Model m;
    nn_model_alloc(&m, 4, NULL);
    CHECK(train_new(&m, &unlabelled, &cfg, &err) == NULL);
    cfg = train_defaults();
    CHECK(train_new(&m, &unlabelled, &cfg, &err) == NULL);
    CHECK_CONTAINS(err.msg, "no labels");
    nn_model_free(&m);
    dataset_free(&unlabelled);
}

TEST(evaluate_should_fill_a_confusion_matrix_that_counts_every_row) {
    Dataset d = {0};
    synthetic(&d, 50, 3);
    Model m;
    nn_model_alloc(&m, 8, NULL);
    nn_model_init_he(&m, 5);
    int confusion[100];
    DigitsError err;
    float acc = train_evaluate(&m, &d, confusion, &err);
    int total = 0, diagonal = 0;
    for (int i = 0; i < 100; i++) total += confusion[i];
    for (int i = 0; i < 10; i++) diagonal += confusion[i * 11];
    CHECK(total == 50);
    CHECK_NEAR(acc, diagonal / 50.0, 1e-6);
    for (int c = 0; c < 10; c++) {
        int row = 0;
        for (int j = 0; j < 10; j++) row += confusion[c * 10 + j];
        CHECK(row == 5);
    }
    nn_model_free(&m);
    dataset_free(&d);
}

/* ---- distillation (TrainConfig.teacher) ---- */

/* One row's distillation loss straight from the definitions, in double: the student's 11-way
 * softmax (ten logits z and the constant m), the target (1 - w) e_y + w softmax(zt / T). */
static double distill_loss(const float *z, const float *zt, uint8_t y, double m, double w, double T) {
    double sum = exp(m), tsum = 0.0, q[NN_OUTPUTS], loss = 0.0;
    for (int j = 0; j < NN_OUTPUTS; j++) sum += exp(z[j]), tsum += q[j] = exp(zt[j] / T);
    for (int j = 0; j < NN_OUTPUTS; j++) loss -= ((1 - w) * (j == y) + w * q[j] / tsum) * (z[j] - log(sum));
    return loss;
}

/* A batch for the distillation loss: the student's activations, inputs, the teacher's logits,
 * labels, and the loss's constants. */
typedef struct {
    Activations *a;
    const float *X, *Zt;
    const uint8_t *Y;
    int B;
    double m_logit, w, T;
} DistillBatch;

/* The batch's mean distillation loss for the model m (a BatchLoss). */
static double distill_batch_loss(const Model *m, void *ctx) {
    DistillBatch *d = ctx;
    nn_forward(d->a, m, d->X, d->B);
    double loss = 0.0;
    for (int b = 0; b < d->B; b++)
        loss += distill_loss(d->a->Z2 + b * NN_OUTPUTS, d->Zt + b * NN_OUTPUTS, d->Y[b], d->m_logit, d->w, d->T);
    return loss / d->B;
}

/* A2 <- the 11-way probabilities of the ten digits from Z2, in double: the eleventh logit is m. */
static void background_a2(Activations *a, int B, double m) {
    for (int b = 0; b < B; b++) {
        double sum = exp(m);
        for (int j = 0; j < NN_OUTPUTS; j++) sum += exp(a->Z2[b * NN_OUTPUTS + j]);
        for (int j = 0; j < NN_OUTPUTS; j++) a->A2[b * NN_OUTPUTS + j] = (float)(exp(a->Z2[b * NN_OUTPUTS + j]) / sum);
    }
}

/* With A2 holding the 11-way probabilities (as train.c makes them with outliers on), the label's
 * cross-entropy plus train_distill's part is the distillation loss, and the backward pass from
 * the shifted A2 gives its gradient (finite differences). */
TEST(the_distillation_gradient_should_match_finite_differences) {
    enum { H = 6, B = 2 };
    Model m = {0};
    Activations a = {0};
    DigitsError err;
    CHECK(nn_model_alloc(&m, H, &err) == 0 && nn_activations_alloc(&a, B, H, &err) == 0);
    float X[B * NN_INPUTS];
    gradient_check_setup(&m, X, B, 21);
    const float Zt[B * NN_OUTPUTS] = {0.5f, -1, 2, 0, 1, 3, -2, 0.25f, 1.5f, -0.5f,
                                      4, 1, -1, 0, 0, 2.5f, -3, 1, 0.5f, 2};
    uint8_t Y[B] = {3, 9};
    DistillBatch batch = {&a, X, Zt, Y, B, 0.3, 0.4, 2.0};
    double expected = distill_batch_loss(&m, &batch);
    background_a2(&a, B, batch.m_logit);
    double hard = nn_cross_entropy(&a, Y, B);
    CHECK_NEAR(hard + train_distill(a.A2, Zt, 1, Y, NULL, B, (float)batch.w, (float)batch.T) / B, expected, 1e-5);
    CHECK(gradient_check_worst(&m, &a, X, Y, B, distill_batch_loss, &batch) < 2e-3);
    nn_model_free(&m);
    nn_activations_free(&a);
}

/* Several teachers: their tempered probabilities are averaged. Teacher 1 has equal logits
 * (q = 0.1 each), teacher 2 logit ln 9 at digit 2 and 0 elsewhere (q = 9/18 at 2, 1/18
 * elsewhere): the mean is 0.3 at 2 and (0.1 + 1/18) / 2 elsewhere. The student's p is 0.5 at
 * its label 3 and 0.5/9 elsewhere, so the loss's extra part -w sum_j (q_j - e_j) log p_j is
 * w (1 - q_3) ln 9, and A2 shifts by w (e - q). */
TEST(several_teachers_should_be_averaged) {
    const float w = 0.5f, T = 2.0f, rest = (0.1f + 1.0f / 18) / 2;
    float Zt[2 * NN_OUTPUTS] = {0};
    Zt[NN_OUTPUTS + 2] = T * logf(9.0f); /* at temperature T */
    float A2[NN_OUTPUTS];
    for (int j = 0; j < NN_OUTPUTS; j++) A2[j] = j == 3 ? 0.5f : 0.5f / 9;
    uint8_t Y[1] = {3};
    double extra = train_distill(A2, Zt, 2, Y, NULL, 1, w, T);
    CHECK_NEAR(extra, w * (1 - rest) * log(9.0), 1e-6);
    for (int j = 0; j < NN_OUTPUTS; j++) {
        double p = j == 3 ? 0.5 : 0.5 / 9, q = j == 2 ? 0.3 : rest;
        CHECK_NEAR(A2[j], p + w * ((j == 3) - q), 1e-6);
    }
}

/* A row the mask leaves out (TrainConfig.teacher_rows) keeps its probabilities and adds nothing;
 * the row it takes is distilled as alone. Both rows: p uniform (0.1), the teacher's logits equal
 * (q uniform), labels 3: the taken row's extra loss is -w sum_j (0.1 - e_j) ln 0.1 = 0 (q and p
 * both sum to one) and its A2 moves by w (e - 0.1): +0.45 at 3, -0.05 elsewhere, at w = 0.5. */
TEST(distillation_should_leave_the_rows_it_does_not_use_alone) {
    const float w = 0.5f;
    float Zt[2 * NN_OUTPUTS] = {0}, A2[2 * NN_OUTPUTS];
    for (int i = 0; i < 2 * NN_OUTPUTS; i++) A2[i] = 0.1f;
    const uint8_t Y[2] = {3, 3}, use[2] = {0, 1};
    CHECK_NEAR(train_distill(A2, Zt, 1, Y, use, 2, w, 1.0f), 0.0, 1e-6);
    for (int j = 0; j < NN_OUTPUTS; j++) {
        CHECK(A2[j] == 0.1f);
        CHECK_NEAR(A2[NN_OUTPUTS + j], j == 3 ? 0.55 : 0.05, 1e-6);
    }
}

/* ---- the energy hinge (OutlierConfig.energy_weight) ---- */

/* Ten logits of 0: E = ln 10. A digit under the digits' margin 3 pays w (3 - ln 10)^2 and its
 * probabilities move by -2 w (3 - ln 10) / 10 each; an outlier under the outliers' margin pays
 * nothing and keeps its probabilities. */
TEST(the_energy_hinge_should_charge_only_rows_on_the_wrong_side_of_their_margin) {
    float Z2[2 * NN_OUTPUTS] = {0}, A2[2 * NN_OUTPUTS];
    for (int i = 0; i < 2 * NN_OUTPUTS; i++) A2[i] = 0.05f;
    const uint8_t Y[2] = {4, NN_BACKGROUND};
    double gap = 3.0 - log(10.0); /* 0.697414907 */
    CHECK_NEAR(train_energy_hinge(A2, Z2, Y, 2, 0.5f, 3.0f, 2.5f), 0.5 * gap * gap, 1e-6);
    for (int j = 0; j < NN_OUTPUTS; j++) {
        CHECK_NEAR(A2[j], 0.05 - 2 * 0.5 * gap / 10, 1e-6);
        CHECK_NEAR(A2[NN_OUTPUTS + j], 0.05, 1e-7);
    }
    /* the same outlier above a margin of 1 pays w (ln 10 - 1)^2 */
    CHECK_NEAR(train_energy_hinge(A2, Z2, Y + 1, 1, 0.5f, 3.0f, 1.0f), 0.5 * (log(10.0) - 1) * (log(10.0) - 1), 1e-6);
}

/* One row's loss straight from the definitions, in double: the 11-way cross-entropy (the ten
 * logits z and the constant m) plus the energy hinge. */
static double energy_loss(const float *z, uint8_t y, double m, double w, double in, double out) {
    double sum = 0.0;
    for (int j = 0; j < NN_OUTPUTS; j++) sum += exp(z[j]);
    double E = log(sum), all = log(sum + exp(m));
    double ce = y == NN_BACKGROUND ? all - m : all - z[y];
    double gap = y == NN_BACKGROUND ? E - out : in - E;
    return ce + (gap > 0 ? w * gap * gap : 0.0);
}

typedef struct {
    Activations *a;
    const float *X;
    const uint8_t *Y;
    int B;
    double m_logit, w, in, out;
} EnergyBatch;

static double energy_batch_loss(const Model *m, void *ctx) {
    EnergyBatch *e = ctx;
    nn_forward(e->a, m, e->X, e->B);
    double loss = 0.0;
    for (int b = 0; b < e->B; b++) loss += energy_loss(e->a->Z2 + b * NN_OUTPUTS, e->Y[b], e->m_logit, e->w, e->in, e->out);
    return loss / e->B;
}

/* With A2 holding the 11-way probabilities, the cross-entropy plus train_energy_hinge's part is
 * the loss above, and the backward pass from the shifted A2 gives its gradient (finite
 * differences), for digits and outliers on both sides of their margins. */
TEST(the_energy_hinge_gradient_should_match_finite_differences) {
    enum { H = 6, B = 4 };
    Model m = {0};
    Activations a = {0};
    DigitsError err;
    CHECK(nn_model_alloc(&m, H, &err) == 0 && nn_activations_alloc(&a, B, H, &err) == 0);
    float X[B * NN_INPUTS];
    gradient_check_setup(&m, X, B, 23);
    uint8_t Y[B] = {3, 7, NN_BACKGROUND, NN_BACKGROUND};
    nn_forward(&a, &m, X, B);
    double E[B];
    for (int b = 0; b < B; b++) {
        double sum = 0.0;
        for (int j = 0; j < NN_OUTPUTS; j++) sum += exp(a.Z2[b * NN_OUTPUTS + j]);
        E[b] = log(sum);
    }
    /* each margin halfway between its two rows' energies: one digit and one outlier pay, the
     * others not (the margins sit 0.05 or more away from every row, so no probe crosses a kink) */
    double in = 0.5 * (E[0] + E[1]), out = 0.5 * (E[2] + E[3]);
    CHECK(fabs(E[0] - E[1]) > 0.1 && fabs(E[2] - E[3]) > 0.1);
    EnergyBatch batch = {&a, X, Y, B, 0.3, 0.7, in, out};
    double expected = energy_batch_loss(&m, &batch);
    background_a2(&a, B, batch.m_logit);
    double ce = nn_cross_entropy(&a, Y, B);
    CHECK_NEAR(ce + train_energy_hinge(a.A2, a.Z2, Y, B, 0.7f, (float)in, (float)out) / B, expected, 1e-5);
    CHECK(gradient_check_worst(&m, &a, X, Y, B, energy_batch_loss, &batch) < 2e-3);
    nn_model_free(&m);
    nn_activations_free(&a);
}

/* ---- outlier mining (OutlierConfig.mining) ---- */

/* Six candidates, two kept: the two highest scores, or after skipping the top third the next two;
 * a skip that would leave fewer than two keeps the last two. */
TEST(mining_should_keep_the_most_digit_like_candidates_after_the_skipped_ones) {
    const float scores[6] = {-3.0f, 2.0f, -1.0f, 5.0f, -1.0f, 0.5f};
    TrainRanked r[6];
    for (int k = 0; k < 6; k++) r[k] = (TrainRanked){scores[k], k};
    int first = train_mine(r, 6, 2, 0.0f);
    CHECK(first == 0 && r[0].row == 3 && r[1].row == 1);
    CHECK(r[3].row == 2 && r[4].row == 4 && r[5].row == 0); /* the tie by row */
    first = train_mine(r, 6, 2, 1.0f / 3.0f);
    CHECK(first == 2 && r[first].row == 5 && r[first + 1].row == 2);
    CHECK(train_mine(r, 6, 2, 0.9f) == 4);
}

/* Mining is on the training path: the same seed gives the same weights, and they differ from
 * those trained on the outliers as drawn. */
TEST(mining_should_change_training_and_stay_deterministic) {
    Dataset d = {0};
    synthetic(&d, 120, 4);
    Model a, b, plain;
    TrainConfig cfg = train_defaults();
    cfg.epochs = 2;
    cfg.batch = 20;
    cfg.outliers.share = 0.5f;
    Model *models[] = {&a, &b, &plain};
    for (int i = 0; i < 3; i++) {
        CHECK(nn_model_alloc(models[i], 8, NULL) == 0);
        nn_model_init_he(models[i], 3);
        cfg.outliers.mining = i < 2 ? 4 : 1;
        cfg.outliers.mining_skip = i < 2 ? 0.25f : 0.0f;
        CHECK(train_run(models[i], &d, NULL, &cfg, NULL, NULL, NULL) == 0);
    }
    CHECK(memcmp(a.params, b.params, a.count * sizeof(float)) == 0);
    CHECK(memcmp(a.params, plain.params, a.count * sizeof(float)) != 0);
    for (int i = 0; i < 3; i++) nn_model_free(models[i]);
    dataset_free(&d);
}

/* Trains a fresh 784-16-10 network (seed 5) on d, the teacher's target on its first `rows` rows
 * (0: all); 0 on success. */
static int train_small_rows(Model *m, const Dataset *d, const Model *teacher, float weight, size_t rows) {
    if (nn_model_alloc(m, 16, NULL)) return -1;
    nn_model_init_he(m, 5);
    TrainConfig cfg = train_defaults();
    cfg.epochs = 8;
    cfg.batch = 20;
    cfg.lr = 0.01f;
    cfg.teacher = teacher;
    cfg.teacher_weight = weight;
    cfg.teacher_rows = rows;
    return train_run(m, d, NULL, &cfg, NULL, NULL, NULL);
}

static int train_small(Model *m, const Dataset *d, const Model *teacher, float weight) {
    return train_small_rows(m, d, teacher, weight, 0);
}

/* The same 200 synthetic bars twice: labelled right, and each class's bar called the next digit. */
static void bars_right_and_wrong(Dataset *right, Dataset *wrong) {
    synthetic(right, 200, 4);
    synthetic(wrong, 200, 4);
    for (size_t i = 0; i < wrong->n; i++) wrong->labels[i] = (uint8_t)((wrong->labels[i] + 1) % 10);
}

/* A teacher that knows the bars, and labels that are all wrong (each class's bar called the next
 * digit): with the teacher's whole weight the student reads the bars as the teacher does; with
 * none it learns the wrong labels, exactly as without a teacher. */
TEST(a_teacher_should_pull_the_student_towards_its_answers) {
    Dataset right = {0}, wrong = {0};
    bars_right_and_wrong(&right, &wrong);
    Model teacher, taught, untaught, plain;
    CHECK(train_small(&teacher, &right, NULL, 0) == 0);
    CHECK(train_evaluate(&teacher, &right, NULL, NULL) > 0.95f);
    CHECK(train_small(&taught, &wrong, &teacher, 1.0f) == 0);
    CHECK(train_evaluate(&taught, &right, NULL, NULL) > 0.95f);
    CHECK(train_small(&untaught, &wrong, &teacher, 0.0f) == 0);
    CHECK(train_small(&plain, &wrong, NULL, 0) == 0);
    CHECK(train_evaluate(&untaught, &wrong, NULL, NULL) > 0.95f);
    CHECK(memcmp(untaught.params, plain.params, plain.count * sizeof(float)) == 0);
    Model *models[] = {&teacher, &taught, &untaught, &plain};
    for (int i = 0; i < 4; i++) nn_model_free(models[i]);
    dataset_free(&right);
    dataset_free(&wrong);
}

/* teacher_rows: the teacher's target on the first rows only. All of them is the same run as no
 * limit, bit for bit; the first 10 of 200 leave the student learning the wrong labels of the
 * rest; a limit past the data is refused by number. */
TEST(the_teacher_should_teach_only_the_first_rows_it_is_given) {
    Dataset right = {0}, wrong = {0};
    bars_right_and_wrong(&right, &wrong);
    Model teacher, all, every, first;
    CHECK(train_small(&teacher, &right, NULL, 0) == 0);
    CHECK(train_small_rows(&all, &wrong, &teacher, 1.0f, 0) == 0);
    CHECK(train_small_rows(&every, &wrong, &teacher, 1.0f, wrong.n) == 0);
    CHECK(memcmp(all.params, every.params, all.count * sizeof(float)) == 0);
    CHECK(train_small_rows(&first, &wrong, &teacher, 1.0f, 10) == 0);
    CHECK(train_evaluate(&first, &wrong, NULL, NULL) > 0.8f);
    CHECK(train_evaluate(&all, &right, NULL, NULL) > 0.95f);
    Model past;
    DigitsError err;
    CHECK(nn_model_alloc(&past, 16, NULL) == 0);
    TrainConfig cfg = train_defaults();
    cfg.teacher = &teacher;
    cfg.teacher_rows = wrong.n + 1;
    CHECK(train_run(&past, &wrong, NULL, &cfg, NULL, NULL, &err) != 0);
    CHECK_CONTAINS(err.msg, "teacher rows 201: the training data has only 200 rows");
    Model *models[] = {&teacher, &all, &every, &first, &past};
    for (int i = 0; i < 5; i++) nn_model_free(models[i]);
    dataset_free(&right);
    dataset_free(&wrong);
}

static const TestCase TESTS[] = {
    T(one_epoch_on_1000_real_digits_should_pass_85_percent),
    T(training_should_lower_the_loss_and_report_every_batch_and_epoch),
    T(the_same_seed_should_give_the_same_weights),
    T(the_callback_should_be_able_to_stop_the_run),
    T(train_step_should_walk_through_every_batch_of_every_epoch),
    T(divergence_should_stop_with_a_message_and_keep_finite_weights),
    T(bad_configurations_should_be_rejected_by_name),
    T(evaluate_should_fill_a_confusion_matrix_that_counts_every_row),
    T(the_distillation_gradient_should_match_finite_differences),
    T(several_teachers_should_be_averaged),
    T(distillation_should_leave_the_rows_it_does_not_use_alone),
    T(a_teacher_should_pull_the_student_towards_its_answers),
    T(the_teacher_should_teach_only_the_first_rows_it_is_given),
    T(the_energy_hinge_should_charge_only_rows_on_the_wrong_side_of_their_margin),
    T(the_energy_hinge_gradient_should_match_finite_differences),
    T(mining_should_keep_the_most_digit_like_candidates_after_the_skipped_ones),
    T(mining_should_change_training_and_stay_deterministic),
};

TEST_MAIN(TESTS)
