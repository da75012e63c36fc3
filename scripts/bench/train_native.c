/* train_native.c: the native side of `npm run bench` (scripts/bench.mjs compiles it against src/
 * with CMake's Release flags, -O3 -std=c11 -fno-math-errno, and runs it; it is not part of the
 * product build).
 *
 *   train_native CSV HIDDEN WARMUP_EPOCHS EPOCHS
 *
 * Parses CSV (Kaggle train format) in memory, then trains a 784-HIDDEN-10 network with the
 * project's defaults (train_defaults(): Adam, lr 1e-3, cosine, batch 64, no augmentation)
 * through the same Trainer API the browser's worker uses, timing every epoch with the trainer's
 * own clock (CSV parsing excluded). Prints one JSON object on stdout:
 *   { "hidden", "rows", "meanInked", "warmupEpochs", "epochSeconds": [...] } */
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv) {
    if (argc != 5) return fail("usage", "train_native CSV HIDDEN WARMUP_EPOCHS EPOCHS");
    const char *path = argv[1];
    int hidden = atoi(argv[2]), warmup = atoi(argv[3]), epochs = atoi(argv[4]);
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

    Model m;
    if (nn_model_alloc(&m, hidden, &err)) return fail("model", err.msg);
    nn_model_init_he(&m, 1);
    TrainConfig cfg = train_defaults();
    cfg.epochs = warmup + epochs;
    cfg.batch = 64;
    Trainer *t = train_new(&m, &d, &cfg, &err);
    if (!t) return fail("trainer", err.msg);
    printf("{\"hidden\":%d,\"rows\":%zu,\"meanInked\":%.4f,\"warmupEpochs\":%d,\"epochSeconds\":[", hidden, d.n,
           (double)inked / (double)d.n, warmup);
    for (int e = 0; e < cfg.epochs; e++) {
        double start = train_clock();
        int more;
        do more = train_step(t, &err);
        while (more > 0 && !train_progress(t)->epoch_done);
        if (more < 0) return fail("training", err.msg);
        printf("%s%.9f", e ? "," : "", train_clock() - start);
    }
    printf("]}\n");
    train_free(t);
    nn_model_free(&m);
    dataset_free(&d);
    return 0;
}
