/* train_native.c: the native side of `npm run bench` (scripts/bench.mjs compiles it against src/
 * with CMake's Release flags, -O3 -std=c11 -fno-math-errno, and runs it; it is not part of the
 * product build).
 *
 *   train_native CSV HIDDEN WARMUP_EPOCHS EPOCHS [KERNEL_BATCHES]
 *   train_native --predict CSV HIDDEN CALLS
 *
 * Parses CSV (Kaggle train format) in memory, then trains a 784-HIDDEN-10 network with the
 * project's defaults (train_defaults(): Adam, lr 1e-3, cosine, batch 64, no augmentation)
 * through the same Trainer API the browser's worker uses, timing every epoch with the trainer's
 * own clock (CSV parsing excluded). Then, for a breakdown, times the two kernels alone
 * (forward_prop_t, backward_prop_t) over KERNEL_BATCHES batches (default: three epochs' worth).
 * Prints one JSON object on stdout:
 *   { "hidden", "rows", "meanInked", "epochSeconds": [...], "kernel": { "batches", "samples", "forward",
 *     "zero", "backward" } }               (kernel times in seconds, summed over the batches)
 *
 * --predict times recognising one digit (median of CALLS calls over the CSV's rows, after as many
 * for warm-up) two ways, to show what the layout of W1 costs: predict() as the page calls it
 * (W1 (H, 784): the inked pixels gathered from every row) and forward_prop_t() with B = 1 (W1
 * transposed, (784, H): one contiguous row of H weights per inked pixel). Prints
 *   { "hidden", "calls", "predictNs", "transposedNs" }                 (medians, nanoseconds) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "nn.h"
#include "train.h"

static int fail(const char *what, const char *why) {
    fprintf(stderr, "train_native: %s: %s\n", what, why);
    return 1;
}

static unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 24, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        unsigned char *bigger = realloc(buf, cap * 2);
        if (!bigger) { free(buf); buf = NULL; break; }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int latency(const Dataset *d, int hidden, int calls) {
    DigitsError err = {{0}};
    Model m, mt;
    Activations act;
    if (model_alloc(&m, hidden, &err) || model_alloc(&mt, hidden, &err) || activations_alloc(&act, 1, hidden, &err))
        return fail("predict", err.msg);
    model_init_he(&m, 1);
    model_copy(&mt, &m);
    nn_transpose_w1(mt.W1, m.W1, hidden);
    float *X = malloc(d->n * NN_INPUTS * sizeof *X), *scratch = malloc((size_t)hidden * sizeof *scratch);
    double *t_plain = malloc((size_t)calls * sizeof *t_plain), *t_trans = malloc((size_t)calls * sizeof *t_trans);
    if (!X || !scratch || !t_plain || !t_trans) return fail("predict", "out of memory");
    for (size_t k = 0; k < d->n * NN_INPUTS; k++) X[k] = (float)d->pixels[k] * (1.0f / 255.0f);
    float probs[NN_OUTPUTS];
    int sink = 0;
    for (int pass = 0; pass < 2; pass++) { /* pass 0: warm-up */
        for (int i = 0; i < calls; i++) {
            const float *x = X + (size_t)(i % (int)d->n) * NN_INPUTS;
            double t0 = train_clock();
            sink += predict(&m, x, probs, scratch, &err);
            double t1 = train_clock();
            forward_prop_t(&act, &mt, x, 1);
            sink += argmax(act.A2, NN_OUTPUTS);
            double t2 = train_clock();
            t_plain[i] = t1 - t0, t_trans[i] = t2 - t1;
        }
    }
    printf("{\"hidden\":%d,\"calls\":%d,\"predictNs\":%.1f,\"transposedNs\":%.1f,\"sink\":%d}\n", hidden, calls,
           1e9 * median_of(t_plain, calls), 1e9 * median_of(t_trans, calls), sink);
    free(X), free(scratch), free(t_plain), free(t_trans);
    activations_free(&act);
    model_free(&m);
    model_free(&mt);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && !strcmp(argv[1], "--predict")) {
        DigitsError err = {{0}};
        size_t len = 0;
        unsigned char *bytes = read_file(argv[2], &len);
        Dataset d = {0};
        if (!bytes || csv_parse(bytes, len, &d, &err)) return fail(argv[2], bytes ? err.msg : "cannot read");
        free(bytes);
        int status = latency(&d, atoi(argv[3]), atoi(argv[4]));
        dataset_free(&d);
        return status;
    }
    if (argc < 5) return fail("usage", "train_native CSV HIDDEN WARMUP_EPOCHS EPOCHS [KERNEL_BATCHES]");
    const char *path = argv[1];
    int hidden = atoi(argv[2]), warmup = atoi(argv[3]), epochs = atoi(argv[4]);
    long kernel_batches = argc > 5 ? atol(argv[5]) : -1;
    DigitsError err = {{0}};
    size_t len = 0;
    unsigned char *bytes = read_file(path, &len);
    if (!bytes) return fail(path, "cannot read");
    Dataset d = {0};
    if (csv_parse(bytes, len, &d, &err)) return fail(path, err.msg);
    free(bytes);
    if (!d.labels) return fail(path, "no labels");

    size_t inked = 0;
    for (size_t i = 0; i < d.n * DATASET_PIXELS; i++) inked += d.pixels[i] != 0;
    double mean_inked = (double)inked / (double)d.n;

    /* Training through the Trainer, epoch by epoch. */
    Model m;
    if (model_alloc(&m, hidden, &err)) return fail("model", err.msg);
    model_init_he(&m, 1);
    TrainConfig cfg = train_defaults();
    cfg.epochs = warmup + epochs;
    cfg.batch = 64;
    Trainer *t = trainer_new(&m, &d, &cfg, &err);
    if (!t) return fail("trainer", err.msg);
    double *seconds = calloc((size_t)cfg.epochs, sizeof *seconds);
    TrainProgress p;
    int more = 1;
    for (int e = 0; e < cfg.epochs && more > 0; e++) {
        double start = train_clock();
        do more = trainer_step(t, &p, &err);
        while (more > 0 && !p.epoch_done);
        if (more < 0) return fail("training", err.msg);
        seconds[e] = train_clock() - start;
    }
    trainer_free(t);

    /* The kernels alone, in the training layout, on the same batches (in file order). */
    int B = cfg.batch;
    size_t batches_per_epoch = (d.n + (size_t)B - 1) / (size_t)B;
    long batches = kernel_batches >= 0 ? kernel_batches : 3 * (long)batches_per_epoch;
    size_t samples = 0;
    Model mt, grad;
    Activations act;
    float *X = malloc((size_t)B * NN_INPUTS * sizeof *X);
    void *scratch = malloc(nn_backward_scratch_bytes(B, hidden));
    if (model_alloc(&mt, hidden, &err) || model_alloc(&grad, hidden, &err) || activations_alloc(&act, B, hidden, &err) ||
        !X || !scratch)
        return fail("kernels", err.msg[0] ? err.msg : "out of memory");
    model_copy(&mt, &m);
    nn_transpose_w1(mt.W1, m.W1, hidden);
    double t_fwd = 0, t_zero = 0, t_bwd = 0;
    for (long b = 0; b < batches; b++) {
        size_t first = (size_t)(b % (long)batches_per_epoch) * (size_t)B;
        int n = (int)(d.n - first < (size_t)B ? d.n - first : (size_t)B);
        samples += (size_t)n;
        const uint8_t *px = d.pixels + first * NN_INPUTS;
        for (size_t k = 0; k < (size_t)n * NN_INPUTS; k++) X[k] = (float)px[k] * (1.0f / 255.0f);
        double t0 = train_clock();
        forward_prop_t(&act, &mt, X, n);
        double t1 = train_clock();
        model_zero(&grad);
        double t2 = train_clock();
        backward_prop_t(&grad, &mt, &act, X, d.labels + first, n, scratch);
        double t3 = train_clock();
        t_fwd += t1 - t0, t_zero += t2 - t1, t_bwd += t3 - t2;
    }

    printf("{\"hidden\":%d,\"rows\":%zu,\"meanInked\":%.4f,\"warmupEpochs\":%d,\"epochSeconds\":[", hidden, d.n,
           mean_inked, warmup);
    for (int e = 0; e < cfg.epochs; e++) printf("%s%.9f", e ? "," : "", seconds[e]);
    printf("],\"kernel\":{\"batches\":%ld,\"batch\":%d,\"samples\":%zu,\"forward\":%.9f,\"zero\":%.9f,\"backward\":%.9f},"
           "\"check\":%.6f}\n",
           batches, B, samples, t_fwd, t_zero, t_bwd, (double)grad.b2[0] + (double)act.A2[0]);
    free(seconds);
    free(X);
    free(scratch);
    activations_free(&act);
    model_free(&mt);
    model_free(&grad);
    model_free(&m);
    dataset_free(&d);
    return 0;
}
