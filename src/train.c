/* train.c: the training loop, optimizer, schedule, evaluation. */
#define _POSIX_C_SOURCE 199309L
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"

/* A batch whose mean loss exceeds this has diverged: a uniform guess scores ln 10 = 2.3, and a
 * working network stays far below; only runaway weights reach it. */
#define DIVERGED_LOSS 20.0f

TrainConfig train_defaults(void) {
    TrainConfig c;
    memset(&c, 0, sizeof c);
    c.epochs = 10;
    c.batch = 64;
    c.lr = 1e-3f;
    c.lr_final = 0.02f;
    c.warmup_epochs = 0;
    c.schedule = LR_COSINE;
    c.optimizer = OPT_ADAM;
    c.momentum = 0.9f;
    c.beta2 = 0.999f;
    c.weight_decay = 0.0f;
    c.seed = 1;
    return c; /* augmentation all zero: off */
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
    const float *a = &c->augment.rotate;
    for (size_t i = 0; i < sizeof c->augment / sizeof(float); i++)
        if (!(a[i] >= 0.0f && a[i] <= 1000.0f)) return error_set(err, "augmentation strength %g must be 0..1000", (double)a[i]);
    return 0;
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
    /* All in the training layout (W1 transposed, see nn.h): the weights being trained, their
     * gradient, the optimizer's moments, and the weights at the start of the epoch. */
    Model work, grad, m1, m2, good;
    Activations act;
    float *X;                 /* (batch, 784) inputs of the current batch */
    uint8_t *Y;               /* (batch) labels */
    void *scratch;            /* backward scratch */
    float *aug_scratch;
    float *raw;               /* one un-augmented image (784) */
    uint32_t *order;          /* shuffled row order of this epoch */
    Rng rng;
    int batches;              /* per epoch */
    long long step;           /* batches done */
    double loss_sum;
    long long seen, correct;  /* this epoch */
    long long samples;        /* in all */
    double seconds;
};

void trainer_free(Trainer *t) {
    if (!t) return;
    model_free(&t->work);
    model_free(&t->grad);
    model_free(&t->m1);
    model_free(&t->m2);
    model_free(&t->good);
    activations_free(&t->act);
    free(t->X);
    free(t->Y);
    free(t->scratch);
    free(t->aug_scratch);
    free(t->raw);
    free(t->order);
    free(t);
}

static void to_training_layout(Model *work, const Model *m) {
    nn_transpose_w1(work->W1, m->W1, m->hidden);
    size_t rest = m->count - (size_t)m->hidden * NN_INPUTS; /* b1, W2, b2 keep their layout */
    memcpy(work->b1, m->b1, rest * sizeof *m->b1);
}

static void from_training_layout(Model *m, const Model *work) {
    nn_untranspose_w1(m->W1, work->W1, m->hidden);
    size_t rest = m->count - (size_t)m->hidden * NN_INPUTS;
    memcpy(m->b1, work->b1, rest * sizeof *m->b1);
}

static void shuffle(uint32_t *order, size_t n, Rng *rng) {
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_below(rng, (uint32_t)i);
        uint32_t tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
}

Trainer *trainer_new(Model *m, const Dataset *data, const TrainConfig *cfg, DigitsError *err) {
    if (train_config_check(cfg, err)) return NULL;
    if (!data || data->n == 0) { error_set(err, "no training data"); return NULL; }
    if (!data->labels) { error_set(err, "training data has no labels (a test-format CSV cannot be trained on)"); return NULL; }
    if (data->n > UINT32_MAX) { error_set(err, "too many training rows (%zu)", data->n); return NULL; }
    Trainer *t = calloc(1, sizeof *t);
    if (!t) { error_set(err, "out of memory"); return NULL; }
    t->m = m;
    t->data = data;
    t->cfg = *cfg;
    int B = cfg->batch < (int)data->n ? cfg->batch : (int)data->n;
    t->cfg.batch = B;
    int H = m->hidden;
    if (model_alloc(&t->work, H, err) || model_alloc(&t->grad, H, err) || model_alloc(&t->m1, H, err) ||
        model_alloc(&t->m2, H, err) ||
        model_alloc(&t->good, H, err) || activations_alloc(&t->act, B, H, err)) {
        trainer_free(t);
        return NULL;
    }
    t->X = malloc((size_t)B * NN_INPUTS * sizeof *t->X);
    t->Y = malloc((size_t)B);
    t->scratch = malloc(nn_backward_scratch_bytes(B, H));
    t->aug_scratch = malloc(augment_scratch_floats() * sizeof *t->aug_scratch);
    t->raw = malloc(NN_INPUTS * sizeof *t->raw);
    t->order = malloc(data->n * sizeof *t->order);
    if (!t->X || !t->Y || !t->scratch || !t->aug_scratch || !t->raw || !t->order) {
        error_set(err, "out of memory for training buffers");
        trainer_free(t);
        return NULL;
    }
    for (size_t i = 0; i < data->n; i++) t->order[i] = (uint32_t)i;
    rng_seed(&t->rng, cfg->seed);
    t->batches = (int)((data->n + (size_t)B - 1) / (size_t)B);
    to_training_layout(&t->work, m);
    model_copy(&t->good, &t->work);
    return t;
}

static float learning_rate(const TrainConfig *c, long long step, long long steps, int batches) {
    float lr = c->lr;
    if (c->schedule == LR_COSINE && steps > 1) {
        float progress = (float)step / (float)(steps - 1);
        float lo = c->lr * c->lr_final;
        lr = lo + 0.5f * (c->lr - lo) * (1.0f + cosf(3.14159265358979f * progress));
    }
    long long warm = (long long)c->warmup_epochs * batches;
    if (step < warm) lr *= 0.1f + 0.9f * (float)step / (float)warm;
    return lr;
}

/* Copies rows order[start .. start+B) into X, Y as 0..1 floats, augmenting if configured. */
static void load_batch(Trainer *t, size_t start, int B) {
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
    double tstep = (double)(t->step + 1);
    float corr1 = (float)(1.0 - pow(b1, tstep)), corr2 = (float)(1.0 - pow(b2, tstep));
    float step_size = lr / corr1, inv_sqrt_corr2 = 1.0f / sqrtf(corr2);
    for (size_t i = 0; i < n; i++) {
        v[i] = b1 * v[i] + (1.0f - b1) * g[i];
        s[i] = b2 * s[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= step_size * v[i] / (sqrtf(s[i]) * inv_sqrt_corr2 + 1e-8f);
    }
}

static void fill_progress(const Trainer *t, TrainProgress *p, int epoch, int batch, float lr) {
    memset(p, 0, sizeof *p);
    p->epoch = epoch;
    p->epochs = t->cfg.epochs;
    p->batch = batch;
    p->batches = t->batches;
    p->step = t->step;
    p->steps = (long long)t->batches * t->cfg.epochs;
    p->lr = lr;
    p->loss = t->seen ? (float)(t->loss_sum / (double)t->seen) : 0.0f;
    p->accuracy = t->seen ? (float)t->correct / (float)t->seen : 0.0f;
    p->val_accuracy = -1.0f;
    p->seconds = t->seconds;
    p->samples_per_sec = t->seconds > 0 ? (double)t->samples / t->seconds : 0.0;
    p->epoch_done = batch == t->batches;
}

int trainer_step(Trainer *t, TrainProgress *p, DigitsError *err) {
    long long steps = (long long)t->batches * t->cfg.epochs;
    if (t->step >= steps) {
        fill_progress(t, p, t->cfg.epochs, t->batches, 0.0f);
        return 0;
    }
    double start = train_clock();
    int epoch = (int)(t->step / t->batches), batch = (int)(t->step % t->batches);
    if (batch == 0) {
        shuffle(t->order, t->data->n, &t->rng);
        t->loss_sum = 0.0;
        t->seen = t->correct = 0;
        model_copy(&t->good, &t->work);
    }
    size_t first = (size_t)batch * (size_t)t->cfg.batch;
    int B = (int)((t->data->n - first) < (size_t)t->cfg.batch ? (t->data->n - first) : (size_t)t->cfg.batch);
    float lr = learning_rate(&t->cfg, t->step, steps, t->batches);

    load_batch(t, first, B);
    forward_prop_t(&t->act, &t->work, t->X, B);
    float loss = cross_entropy(&t->act, t->Y, B);
    if (!isfinite(loss) || loss > DIVERGED_LOSS) {
        from_training_layout(t->m, &t->good);
        error_set(err, "training diverged at epoch %d, batch %d (loss %g); try a lower learning rate than %g",
                  epoch + 1, batch + 1, (double)loss, (double)t->cfg.lr);
        t->step = steps; /* the run is over */
        return -1;
    }
    model_zero(&t->grad);
    backward_prop_t(&t->grad, &t->work, &t->act, t->X, t->Y, B, t->scratch);
    update(t, lr);

    for (int b = 0; b < B; b++)
        t->correct += argmax(t->act.A2 + (size_t)b * NN_OUTPUTS, NN_OUTPUTS) == t->Y[b];
    t->loss_sum += (double)loss * B;
    t->seen += B;
    t->samples += B;
    t->step++;
    t->seconds += train_clock() - start;
    fill_progress(t, p, epoch + 1, batch + 1, lr);
    if (!isfinite(t->work.params[0]) || !isfinite(t->work.b2[0])) { /* cheap check that the update kept weights finite */
        from_training_layout(t->m, &t->good);
        error_set(err, "training diverged at epoch %d, batch %d (weights became infinite); try a lower learning rate than %g",
                  epoch + 1, batch + 1, (double)t->cfg.lr);
        t->step = steps;
        return -1;
    }
    if (p->epoch_done) from_training_layout(t->m, &t->work);
    return t->step < steps;
}

int train_run(Model *m, const Dataset *train, const Dataset *val, const TrainConfig *cfg,
              TrainCallback cb, void *user, DigitsError *err) {
    if (val && val->n > 0 && !val->labels) return error_set(err, "validation data has no labels");
    Trainer *t = trainer_new(m, train, cfg, err);
    if (!t) return -1;
    TrainProgress p;
    int more, status = 0;
    do {
        more = trainer_step(t, &p, err);
        if (more < 0) { status = -1; break; }
        if (p.epoch_done && val && val->n > 0) {
            float acc = evaluate(m, val, NULL, err);
            if (acc < 0) { status = -1; break; }
            p.val_accuracy = acc;
        }
        if (cb && cb(&p, user)) break;
    } while (more);
    trainer_free(t);
    return status;
}

int predict_dataset(const Model *m, const Dataset *d, uint8_t *labels, float *probs, DigitsError *err) {
    enum { CHUNK = 256 };
    Activations a;
    if (activations_alloc(&a, CHUNK, m->hidden, err)) return -1;
    float *X = malloc((size_t)CHUNK * NN_INPUTS * sizeof *X);
    if (!X) { activations_free(&a); return error_set(err, "out of memory"); }
    for (size_t start = 0; start < d->n; start += CHUNK) {
        int B = (int)((d->n - start) < CHUNK ? (d->n - start) : CHUNK);
        const uint8_t *px = d->pixels + start * NN_INPUTS;
        for (size_t k = 0; k < (size_t)B * NN_INPUTS; k++) X[k] = (float)px[k] * (1.0f / 255.0f);
        forward_prop(&a, m, X, B);
        for (int b = 0; b < B; b++) {
            const float *probs = a.A2 + (size_t)b * NN_OUTPUTS;
            if (!nn_outputs_finite(probs)) {
                free(X);
                activations_free(&a);
                return error_set(err, "row %zu: the model's outputs overflow (its weights are too large to give probabilities)",
                                 start + (size_t)b + 1);
            }
            labels[start + (size_t)b] = (uint8_t)argmax(probs, NN_OUTPUTS);
        }
        if (probs) memcpy(probs + start * NN_OUTPUTS, a.A2, (size_t)B * NN_OUTPUTS * sizeof *probs);
    }
    free(X);
    activations_free(&a);
    return 0;
}

float evaluate(const Model *m, const Dataset *d, int *confusion, DigitsError *err) {
    if (!d || d->n == 0) return (float)error_set(err, "no data to evaluate");
    if (!d->labels) return (float)error_set(err, "the data has no labels to evaluate against");
    uint8_t *pred = malloc(d->n);
    if (!pred) return (float)error_set(err, "out of memory");
    if (predict_dataset(m, d, pred, NULL, err)) { free(pred); return -1.0f; }
    if (confusion) memset(confusion, 0, NN_OUTPUTS * NN_OUTPUTS * sizeof *confusion);
    size_t correct = 0;
    for (size_t i = 0; i < d->n; i++) {
        correct += pred[i] == d->labels[i];
        if (confusion) confusion[d->labels[i] * NN_OUTPUTS + pred[i]]++;
    }
    free(pred);
    return (float)correct / (float)d->n;
}
