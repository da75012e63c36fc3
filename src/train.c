/* train.c: the training loop, optimizer, schedule, evaluation. */
#define _POSIX_C_SOURCE 199309L
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "block.h"
#include "digits.h"
#include "rng.h"

/* A batch whose mean loss exceeds this has diverged: a uniform guess scores ln 10 = 2.3, and a
 * working network stays far below; only runaway weights reach it. */
#define DIVERGED_LOSS 20.0f

TrainConfig train_defaults(void) { /* no warm-up, weight decay, augmentation, outliers or teacher */
    return (TrainConfig){.epochs = 10, .batch = 64, .lr = 1e-3f, .lr_final = 0.02f, .schedule = LR_COSINE,
                         .optimizer = OPT_ADAM, .momentum = 0.9f, .beta2 = 0.999f, .seed = 1,
                         .outliers = outlier_defaults(), .teacher_count = 1, .teacher_weight = 0.5f, .teacher_temperature = 1.0f};
}

int train_config_check(const TrainConfig *c, DigitsError *err) {
    if (c->epochs < 1 || c->epochs > 100000) return error_set(err, "epochs %d must be 1..100000", c->epochs);
    if (c->batch < 1 || c->batch > 65536) return error_set(err, "batch size %d must be 1..65536", c->batch);
    if (!(c->lr > 0.0f) || !(c->lr < 100.0f) || !isfinite(c->lr))
        return error_set(err, "learning rate %g must be > 0 and < 100", (double)c->lr);
    if (!(c->lr_final >= 0.0f && c->lr_final <= 1.0f))
        return error_set(err, "final learning-rate fraction %g must be 0..1", (double)c->lr_final);
    if (c->warmup_epochs < 0 || c->warmup_epochs >= c->epochs + 1)
        return error_set(err, "warm-up epochs %d must be 0..epochs", c->warmup_epochs);
    if (!(c->momentum >= 0.0f && c->momentum < 1.0f))
        return error_set(err, "momentum %g must be in [0, 1)", (double)c->momentum);
    if (!(c->beta2 >= 0.0f && c->beta2 < 1.0f)) return error_set(err, "beta2 %g must be in [0, 1)", (double)c->beta2);
    if (!(c->weight_decay >= 0.0f && c->weight_decay < 1.0f))
        return error_set(err, "weight decay %g must be in [0, 1)", (double)c->weight_decay);
    if (c->optimizer != OPT_SGD && c->optimizer != OPT_ADAM) return error_set(err, "unknown optimizer %d", (int)c->optimizer);
    if (c->schedule != LR_CONSTANT && c->schedule != LR_COSINE) return error_set(err, "unknown schedule %d", (int)c->schedule);
    if (!(c->teacher_weight >= 0.0f && c->teacher_weight <= 1.0f))
        return error_set(err, "teacher weight %g must be 0..1", (double)c->teacher_weight);
    if (c->teacher && c->teacher_count < 1) return error_set(err, "teacher count %d must be at least 1", c->teacher_count);
    if (!(c->teacher_temperature >= 0.05f && c->teacher_temperature <= 100.0f))
        return error_set(err, "teacher temperature %g must be 0.05..100", (double)c->teacher_temperature);
    if (c->teacher_rows && !c->teacher) return error_set(err, "teacher rows %zu given without a teacher", c->teacher_rows);
    if (augment_check(&c->augment, err)) return -1;
    return outlier_config_check(&c->outliers, err);
}

double train_clock(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct Trainer {
    Model *m;                 /* the caller's model: brought up to date at the end of every epoch */
    const Dataset *data;
    TrainConfig cfg;
    /* The weights being trained, their gradient, the optimizer's moments, the weights at the
     * start of the epoch. */
    Model work, grad, m1, m2, good;
    Activations act;
    Activations teacher_act;  /* one teacher's forward pass of the batch's digits (distillation) */
    Activations pool_act;     /* the forward pass of the outlier candidates (mining) */
    int outliers;             /* non-digits added to a full batch (outlier exposure) */
    void *block;              /* holds the buffers below */
    float *X;                 /* (batch + outliers, 784) inputs of the current batch */
    uint8_t *Y;               /* (batch + outliers) labels: the digits', then NN_BACKGROUND */
    void *scratch;            /* nn_backward's */
    float *aug_scratch;       /* augment_image's */
    float *outlier_scratch;   /* outlier_image's */
    float *raw;               /* one un-augmented image (784) */
    float *pool;              /* (outliers * mining, 784) outlier candidates (mining) */
    TrainRanked *ranked;      /* (outliers * mining) their scores */
    uint32_t *order;          /* shuffled row order of this epoch */
    float *teacher_z;         /* (teachers, batch, 10) every teacher's logits of the batch's digits */
    uint8_t *teacher_use;     /* (batch) which of them take the teacher's target (teacher_rows) */
    Rng rng;
    TrainProgress progress;
};

void train_free(Trainer *t) {
    if (!t) return;
    Model *models[] = {&t->work, &t->grad, &t->m1, &t->m2, &t->good};
    for (int i = 0; i < 5; i++) nn_model_free(models[i]);
    nn_activations_free(&t->act);
    nn_activations_free(&t->teacher_act);
    nn_activations_free(&t->pool_act);
    free(t->block);
    free(t);
}

/* Outliers that go with a batch of B digits: share * B, rounded up. */
static int outliers_for(const OutlierConfig *c, int B) {
    float k = c->share * (float)B;
    int whole = (int)k;
    return whole + ((float)whole < k);
}

Trainer *train_new(Model *m, const Dataset *data, const TrainConfig *cfg, DigitsError *err) {
    if (train_config_check(cfg, err)) return NULL;
    if (!data || data->n == 0) { error_set(err, "no training data"); return NULL; }
    if (!data->labels) { error_set(err, "training data has no labels (a test-format CSV cannot be trained on)"); return NULL; }
    if (data->n > UINT32_MAX) { error_set(err, "too many training rows (%zu)", data->n); return NULL; }
    if (cfg->teacher_rows > data->n) {
        error_set(err, "teacher rows %zu: the training data has only %zu rows", cfg->teacher_rows, data->n);
        return NULL;
    }
    Trainer *t = calloc(1, sizeof *t);
    if (!t) { error_set(err, "out of memory"); return NULL; }
    t->m = m;
    t->data = data;
    t->cfg = *cfg;
    int B = cfg->batch < (int)data->n ? cfg->batch : (int)data->n, H = m->hidden;
    t->cfg.batch = B;
    t->outliers = outliers_for(&cfg->outliers, B);
    Rng probe;
    rng_seed(&probe, 0);
    if (t->outliers > 0 && outlier_pick(&cfg->outliers, data, &probe) < 0) {
        error_set(err, "outlier exposure is on but no kind of outlier can be made (all weights 0, or no outlier images)");
        goto fail;
    }
    int rows = B + t->outliers;
    Model *models[] = {&t->work, &t->grad, &t->m1, &t->m2, &t->good};
    for (int i = 0; i < 5; i++)
        if (nn_model_alloc(models[i], H, err)) goto fail;
    if (nn_activations_alloc(&t->act, rows, H, err)) goto fail;
    int teachers = cfg->teacher ? cfg->teacher_count : 0, teacher_hidden = 1;
    for (int k = 0; k < teachers; k++)
        if (cfg->teacher[k].hidden > teacher_hidden) teacher_hidden = cfg->teacher[k].hidden;
    if (teachers && nn_activations_alloc(&t->teacher_act, B, teacher_hidden, err)) goto fail;
    int candidates = cfg->outliers.mining > 1 ? t->outliers * cfg->outliers.mining : 0;
    if (candidates && nn_activations_alloc(&t->pool_act, candidates, H, err)) goto fail;
    BlockPart parts[] = {{&t->X, (size_t)rows * NN_INPUTS, sizeof(float)}, {&t->Y, (size_t)rows, 1},
                         {&t->scratch, nn_backward_scratch_bytes(rows, H), 1},
                         {&t->aug_scratch, augment_scratch_floats(), sizeof(float)},
                         {&t->outlier_scratch, outlier_scratch_floats(), sizeof(float)},
                         {&t->raw, NN_INPUTS, sizeof(float)}, {&t->order, data->n, sizeof(uint32_t)},
                         {&t->teacher_z, (size_t)teachers * B * NN_OUTPUTS, sizeof(float)},
                         {&t->teacher_use, teachers ? (size_t)B : 0, 1},
                         {&t->pool, (size_t)candidates * NN_INPUTS, sizeof(float)},
                         {&t->ranked, (size_t)candidates, sizeof(TrainRanked)}};
    if (!(t->block = block_alloc(parts, BLOCK_COUNT(parts)))) {
        error_set(err, "out of memory for training buffers");
        goto fail;
    }
    for (size_t i = 0; i < data->n; i++) t->order[i] = (uint32_t)i;
    rng_seed(&t->rng, cfg->seed);
    int batches = (int)((data->n + (size_t)B - 1) / (size_t)B);
    t->progress = (TrainProgress){.epochs = cfg->epochs, .batches = batches, .steps = (double)batches * cfg->epochs,
                                  .val_accuracy = -1};
    nn_model_copy(&t->work, m);
    nn_model_copy(&t->good, m);
    return t;
fail:
    train_free(t);
    return NULL;
}

const TrainProgress *train_progress(const Trainer *t) { return &t->progress; }

static float learning_rate(const TrainConfig *c, long long step, long long steps, int batches) {
    float lr = c->lr;
    if (c->schedule == LR_COSINE && steps > 1) {
        float progress = (float)step / (float)(steps - 1);
        float lo = c->lr * c->lr_final;
        lr = lo + 0.5f * (c->lr - lo) * (1.0f + cosf(DIGITS_PI * progress));
    }
    long long warm = (long long)c->warmup_epochs * batches;
    if (step < warm) lr *= 0.1f + 0.9f * (float)step / (float)warm;
    return lr;
}

static float logsumexp(const float *z) {
    float top = z[nn_argmax(z, NN_OUTPUTS)], sum = 0.0f;
    for (int j = 0; j < NN_OUTPUTS; j++) sum += expf(z[j] - top);
    return top + logf(sum);
}

static int by_score_descending(const void *a, const void *b) {
    const TrainRanked *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return x->row - y->row; /* ties by row, so that the order does not depend on qsort's */
}

int train_mine(TrainRanked *ranked, int n, int K, float skip) {
    qsort(ranked, (size_t)n, sizeof *ranked, by_score_descending);
    int first = (int)(skip * (float)n);
    return first > n - K ? n - K : first;
}

/* Outlier mining: draws K * mining candidates, scores them with the weights being trained, and
 * writes to out (K, 784) the K after the top mining_skip fraction, highest score first. */
static void mine_outliers(Trainer *t, float *out, int K) {
    const OutlierConfig *c = &t->cfg.outliers;
    int n = K * c->mining;
    for (int k = 0; k < n; k++)
        outlier_image(t->pool + (size_t)k * NN_INPUTS, c, t->data, &t->rng, t->outlier_scratch);
    nn_forward(&t->pool_act, &t->work, t->pool, n);
    for (int k = 0; k < n; k++) t->ranked[k] = (TrainRanked){logsumexp(t->pool_act.Z2 + (size_t)k * NN_OUTPUTS), k};
    int skip = train_mine(t->ranked, n, K, c->mining_skip);
    for (int k = 0; k < K; k++)
        memcpy(out + (size_t)k * NN_INPUTS, t->pool + (size_t)t->ranked[skip + k].row * NN_INPUTS, NN_INPUTS * sizeof *out);
}

/* Copies rows order[start .. start+B) into X, Y as 0..1 floats, augmenting if configured, then
 * appends K outliers (mined, if configured). */
static void load_batch(Trainer *t, size_t start, int B, int K) {
    int augment = !augment_is_identity(&t->cfg.augment);
    for (int b = 0; b < B; b++) {
        size_t row = t->order[start + (size_t)b];
        const uint8_t *px = t->data->pixels + row * NN_INPUTS;
        float *x = t->X + (size_t)b * NN_INPUTS;
        float *dst = augment ? t->raw : x;
        for (int k = 0; k < NN_INPUTS; k++) dst[k] = (float)px[k] * (1.0f / 255.0f);
        if (augment) augment_image(x, t->raw, &t->cfg.augment, &t->rng, t->aug_scratch);
        t->Y[b] = t->data->labels[row];
    }
    if (t->cfg.outliers.mining > 1 && K > 0)
        mine_outliers(t, t->X + (size_t)B * NN_INPUTS, K);
    else
        for (int k = B; k < B + K; k++)
            outlier_image(t->X + (size_t)k * NN_INPUTS, &t->cfg.outliers, t->data, &t->rng, t->outlier_scratch);
    for (int k = B; k < B + K; k++) t->Y[k] = NN_BACKGROUND;
}

/* The background-class loss (nn.h, NN_BACKGROUND): each row's ten probabilities become those of
 * an 11-way softmax whose eleventh logit is the constant m, p_j * s with
 * s = 1 / (1 + e^(m - logsumexp z)), which leaves the eleventh class 1 - s. */
static void background_probabilities(Activations *a, int rows, float m) {
    for (int b = 0; b < rows; b++) {
        const float *z = a->Z2 + (size_t)b * NN_OUTPUTS;
        float *p = a->A2 + (size_t)b * NN_OUTPUTS, top = z[nn_argmax(z, NN_OUTPUTS)], sum = 0.0f;
        for (int j = 0; j < NN_OUTPUTS; j++) sum += expf(z[j] - top);
        float s = 1.0f / (1.0f + expf(m - top) / sum);
        for (int j = 0; j < NN_OUTPUTS; j++) p[j] *= s;
    }
}

double train_distill(float *A2, const float *Zt, int K, const uint8_t *Y, const uint8_t *use, int B, float w,
                     float temperature) {
    double extra = 0.0;
    for (int b = 0; b < B; b++) {
        if (use && !use[b]) continue;
        float *p = A2 + (size_t)b * NN_OUTPUTS, q[NN_OUTPUTS] = {0}, qk[NN_OUTPUTS];
        for (int k = 0; k < K; k++) {
            const float *z = Zt + ((size_t)k * B + b) * NN_OUTPUTS;
            for (int j = 0; j < NN_OUTPUTS; j++) qk[j] = z[j] / temperature;
            nn_softmax(qk, qk, NN_OUTPUTS);
            for (int j = 0; j < NN_OUTPUTS; j++) q[j] += qk[j] / (float)K;
        }
        for (int j = 0; j < NN_OUTPUTS; j++) {
            double e = j == Y[b], logp = log(p[j] > 1e-30f ? (double)p[j] : 1e-30);
            extra -= w * (q[j] - e) * logp; /* -sum_j (t_j - e_j) log p_j */
            p[j] += w * (float)(e - q[j]);
        }
    }
    return extra;
}

double train_energy_hinge(float *A2, const float *Z2, const uint8_t *Y, int rows, float w, float in, float out) {
    double total = 0.0;
    for (int b = 0; b < rows; b++) {
        const float *z = Z2 + (size_t)b * NN_OUTPUTS;
        float E = logsumexp(z);
        /* the hinge's gap: how far the row sits on the wrong side of its margin */
        float gap = Y[b] == NN_BACKGROUND ? E - out : in - E;
        if (gap <= 0.0f) continue;
        total += (double)w * gap * gap;
        float dE = Y[b] == NN_BACKGROUND ? 2.0f * w * gap : -2.0f * w * gap;
        float *p = A2 + (size_t)b * NN_OUTPUTS;
        for (int j = 0; j < NN_OUTPUTS; j++) p[j] += dE * expf(z[j] - E); /* dE/dz_j = softmax(z)_j */
    }
    return total;
}

/* One optimizer step over all parameters; weight decay applies to W1 and W2 only. */
static void update(Trainer *t, float lr) {
    const TrainConfig *c = &t->cfg;
    Model *m = &t->work;
    float decay = lr * c->weight_decay;
    size_t nW1 = (size_t)m->hidden * NN_INPUTS, nW2 = (size_t)m->hidden * NN_OUTPUTS;
    if (decay > 0.0f) {
        for (size_t i = 0; i < nW1; i++) m->W1[i] -= decay * m->W1[i];
        for (size_t i = 0; i < nW2; i++) m->W2[i] -= decay * m->W2[i];
    }
    float *restrict p = m->params, *restrict g = t->grad.params, *restrict v = t->m1.params, *restrict s = t->m2.params;
    size_t n = m->count;
    if (c->optimizer == OPT_SGD) {
        float mu = c->momentum;
        for (size_t i = 0; i < n; i++) {
            v[i] = mu * v[i] + g[i];
            p[i] -= lr * v[i];
        }
        return;
    }
    float b1 = c->momentum, b2 = c->beta2;
    double tstep = t->progress.step + 1;
    float corr1 = (float)(1.0 - pow(b1, tstep)), corr2 = (float)(1.0 - pow(b2, tstep));
    float step_size = lr / corr1, inv_sqrt_corr2 = 1.0f / sqrtf(corr2);
    for (size_t i = 0; i < n; i++) {
        v[i] = b1 * v[i] + (1.0f - b1) * g[i];
        s[i] = b2 * s[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= step_size * v[i] / (sqrtf(s[i]) * inv_sqrt_corr2 + 1e-8f);
    }
}

/* Ends the run after a divergence: the caller's model gets the last good epoch's weights. */
static int diverged(Trainer *t, const char *what, DigitsError *err) {
    nn_model_copy(t->m, &t->good);
    t->progress.step = t->progress.steps;
    return error_set(err, "training diverged at epoch %d, batch %d (%s); try a lower learning rate than %g",
                     (int)t->progress.epoch, (int)t->progress.batch, what, (double)t->cfg.lr);
}

int train_step(Trainer *t, DigitsError *err) {
    TrainProgress *p = &t->progress;
    if (p->step >= p->steps) return 0;
    double start = train_clock();
    long long step = (long long)p->step;
    int batch = (int)(step % (int)p->batches);
    if (batch == 0) {
        rng_shuffle(&t->rng, t->order, t->data->n);
        nn_model_copy(&t->good, &t->work);
    }
    size_t first = (size_t)batch * (size_t)t->cfg.batch;
    int B = (int)((t->data->n - first) < (size_t)t->cfg.batch ? (t->data->n - first) : (size_t)t->cfg.batch);
    float lr = learning_rate(&t->cfg, step, (long long)p->steps, (int)p->batches);
    int K = B == t->cfg.batch ? t->outliers : outliers_for(&t->cfg.outliers, B), rows = B + K;
    p->epoch = (double)(step / (int)p->batches + 1);
    p->batch = batch + 1;

    load_batch(t, first, B, K);
    nn_forward(&t->act, &t->work, t->X, rows);
    if (t->cfg.outliers.share > 0.0f) background_probabilities(&t->act, rows, t->cfg.outliers.background_logit);
    float loss = nn_cross_entropy(&t->act, t->Y, rows);
    int correct = 0; /* counted before distillation shifts A2 */
    for (int b = 0; b < B; b++) correct += nn_argmax(t->act.A2 + (size_t)b * NN_OUTPUTS, NN_OUTPUTS) == t->Y[b];
    if (t->cfg.teacher) {
        int teachers = t->cfg.teacher_count;
        for (int k = 0; k < teachers; k++) {
            nn_forward(&t->teacher_act, &t->cfg.teacher[k], t->X, B);
            memcpy(t->teacher_z + (size_t)k * B * NN_OUTPUTS, t->teacher_act.Z2, (size_t)B * NN_OUTPUTS * sizeof(float));
        }
        uint8_t *use = NULL;
        if (t->cfg.teacher_rows) {
            use = t->teacher_use;
            for (int b = 0; b < B; b++) use[b] = t->order[first + (size_t)b] < t->cfg.teacher_rows;
        }
        loss += (float)(train_distill(t->act.A2, t->teacher_z, teachers, t->Y, use, B, t->cfg.teacher_weight,
                                      t->cfg.teacher_temperature) / rows);
    }
    const OutlierConfig *oc = &t->cfg.outliers;
    if (oc->energy_weight > 0.0f) /* after distillation, which reads A2 as probabilities */
        loss += (float)(train_energy_hinge(t->act.A2, t->act.Z2, t->Y, rows, oc->energy_weight, oc->energy_in,
                                           oc->energy_out) / rows);
    if (!isfinite(loss) || loss > DIVERGED_LOSS) {
        char what[64];
        snprintf(what, sizeof what, "loss %g", (double)loss);
        return diverged(t, what, err);
    }
    nn_model_zero(&t->grad);
    nn_backward(&t->grad, &t->work, &t->act, t->X, t->Y, t->scratch, rows);
    update(t, lr);

    p->correct += correct;
    p->loss_sum += (double)loss * B;
    p->samples += B;
    p->step += 1;
    p->lr = lr;
    p->epoch_done = p->batch == p->batches;
    p->val_accuracy = -1;
    p->seconds += train_clock() - start;
    if (!isfinite(t->work.params[0]) || !isfinite(t->work.b2[0])) /* cheap check that the update kept weights finite */
        return diverged(t, "weights became infinite", err);
    if (p->epoch_done) nn_model_copy(t->m, &t->work);
    return p->step < p->steps;
}

int train_run(Model *m, const Dataset *train, const Dataset *val, const TrainConfig *cfg,
              TrainCallback cb, void *user, DigitsError *err) {
    if (val && val->n > 0 && !val->labels) return error_set(err, "validation data has no labels");
    Trainer *t = train_new(m, train, cfg, err);
    if (!t) return -1;
    int more, status = 0;
    do {
        more = train_step(t, err);
        if (more < 0) { status = -1; break; }
        if (t->progress.epoch_done && val && val->n > 0) {
            float acc = train_evaluate(m, val, NULL, err);
            if (acc < 0) { status = -1; break; }
            t->progress.val_accuracy = acc;
        }
        if (cb && cb(&t->progress, user)) break;
    } while (more);
    train_free(t);
    return status;
}

int train_predict_dataset(const Model *m, const Dataset *d, uint8_t *labels, float *probs, DigitsError *err) {
    enum { CHUNK = 256 };
    Activations a;
    if (nn_activations_alloc(&a, CHUNK, m->hidden, err)) return -1;
    float *X = malloc((size_t)CHUNK * NN_INPUTS * sizeof *X);
    if (!X) { nn_activations_free(&a); return error_set(err, "out of memory"); }
    for (size_t start = 0; start < d->n; start += CHUNK) {
        int B = (int)((d->n - start) < CHUNK ? (d->n - start) : CHUNK);
        const uint8_t *px = d->pixels + start * NN_INPUTS;
        for (size_t k = 0; k < (size_t)B * NN_INPUTS; k++) X[k] = (float)px[k] * (1.0f / 255.0f);
        nn_forward(&a, m, X, B);
        for (int b = 0; b < B; b++) {
            const float *probs = a.A2 + (size_t)b * NN_OUTPUTS;
            if (!nn_outputs_finite(probs)) {
                free(X);
                nn_activations_free(&a);
                return error_set(err, "row %zu: the model's outputs overflow (its weights are too large to give probabilities)",
                                 start + (size_t)b + 1);
            }
            labels[start + (size_t)b] = (uint8_t)nn_argmax(probs, NN_OUTPUTS);
        }
        if (probs) memcpy(probs + start * NN_OUTPUTS, a.A2, (size_t)B * NN_OUTPUTS * sizeof *probs);
    }
    free(X);
    nn_activations_free(&a);
    return 0;
}

float train_evaluate(const Model *m, const Dataset *d, int *confusion, DigitsError *err) {
    if (!d || d->n == 0) return (float)error_set(err, "no data to evaluate");
    if (!d->labels) return (float)error_set(err, "the data has no labels to evaluate against");
    uint8_t *pred = malloc(d->n);
    if (!pred) return (float)error_set(err, "out of memory");
    if (train_predict_dataset(m, d, pred, NULL, err)) { free(pred); return -1.0f; }
    if (confusion) memset(confusion, 0, NN_OUTPUTS * NN_OUTPUTS * sizeof *confusion);
    size_t correct = 0;
    for (size_t i = 0; i < d->n; i++) {
        correct += pred[i] == d->labels[i];
        if (confusion) confusion[d->labels[i] * NN_OUTPUTS + pred[i]]++;
    }
    free(pred);
    return (float)correct / (float)d->n;
}
