/* cli.c: the native `digits` command: train, eval, predict. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "files.h"
#include "model_io.h"
#include "nn.h"
#include "quant.h"
#include "train.h"

#define DIGITS_VERSION "0.1.0"

static const char USAGE[] =
    "usage: digits <command> [options]\n"
    "\n"
    "Handwritten-digit recognition with a 784-H-10 neural network (ReLU, softmax).\n"
    "\n"
    "commands:\n"
    "  train     train a model on a Kaggle-format train.csv and save it as .npy files\n"
    "  eval      accuracy, per-class accuracy and confusion matrix on a labelled CSV\n"
    "  predict   write a Kaggle submission (ImageId,Label) for a CSV of digits\n"
    "\n"
    "'digits <command> --help' describes each command's options. 'digits --version' prints the version.\n";

static const char TRAIN_USAGE[] =
    "usage: digits train [options]\n"
    "\n"
    "Trains a model on a Kaggle \"Digit Recognizer\" train.csv (label,pixel0..pixel783) and writes\n"
    "W1.npy b1.npy W2.npy b2.npy into the output directory.\n"
    "\n"
    "  --data FILE          training CSV (default data/train.csv)\n"
    "  --val FILE           labelled CSV to report validation accuracy on after each epoch\n"
    "  --out DIR            where to write the model (default model-out)\n"
    "  --init DIR           start from this model instead of random weights (fine-tuning)\n"
    "  --hidden N           hidden units (default 128)\n"
    "  --epochs N           passes over the data (default 10)\n"
    "  --batch N            minibatch size (default 64)\n"
    "  --lr X               peak learning rate (default 0.001)\n"
    "  --lr-final X         cosine schedule: final learning rate as a fraction of --lr (default 0.02)\n"
    "  --schedule S         cosine or constant (default cosine)\n"
    "  --warmup N           epochs of linear warm-up (default 0)\n"
    "  --optimizer O        adam or sgd (momentum SGD) (default adam)\n"
    "  --momentum X         SGD momentum / Adam beta1 (default 0.9)\n"
    "  --weight-decay X     decoupled weight decay on W1 and W2 (default 0)\n"
    "  --seed N             random seed for initialisation, shuffling and augmentation (default 1)\n"
    "  --augment            turn on data augmentation with the default strengths, which the\n"
    "                       options below override (each 0 = off):\n"
    "    --rotate DEG  --scale X  --shear X  --translate PX\n"
    "    --elastic-alpha PX  --elastic-sigma PX  --thickness PX\n"
    "  --dtype T            f32 or f16 for the saved files (default f32)\n"
    "  --grid               save W1 on the integer grid (each unit's weights whole numbers up to\n"
    "                       2047 times a power of two; moves a weight by at most 1/4094 of its\n"
    "                       unit's largest): the page then runs the first layer in exact integers\n"
    "  --log FILE           write one CSV line per epoch (the learning curve)\n"
    "  --quiet              no progress output\n";

static const char EVAL_USAGE[] =
    "usage: digits eval [--model DIR] [--data FILE]\n"
    "\n"
    "Prints the accuracy, the accuracy of each digit and the confusion matrix of the model in DIR\n"
    "(default model) on a labelled Kaggle-format CSV (default data/holdout.csv).\n";

static const char PREDICT_USAGE[] =
    "usage: digits predict [--model DIR] [--data FILE] [--out FILE] [--probabilities]\n"
    "\n"
    "Classifies every row of a Kaggle-format CSV (test.csv: pixel0..pixel783, or a labelled\n"
    "train-format file) and writes a submission \"ImageId,Label\" (default submission.csv;\n"
    "--out - writes to standard output). Defaults: --model model, --data data/test.csv.\n"
    "--probabilities adds the ten class probabilities to each line (ImageId,Label,p0..p9).\n";

/* ---- option parsing ---- */

typedef struct {
    int argc, i;
    char **argv;
    const char *cmd;
} Args;

/* Prints "digits CMD: message" to stderr and returns 1 (the exit code for bad use). */
static int fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "digits%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* The value after option argv[i]; NULL (with a message) if missing. */
static const char *value(Args *a) {
    const char *opt = a->argv[a->i];
    if (a->i + 1 >= a->argc) {
        fail(a->cmd, "option %s needs a value (see 'digits %s --help')", opt, a->cmd);
        return NULL;
    }
    return a->argv[++a->i];
}

static int parse_int(Args *a, int lo, int hi, int *out) {
    const char *opt = a->argv[a->i], *v = value(a);
    if (!v) return -1;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *v == '\0' || *end != '\0' || x < lo || x > hi)
        return fail(a->cmd, "%s '%s' must be a whole number from %d to %d", opt, v, lo, hi), -1;
    *out = (int)x;
    return 0;
}

static int parse_float(Args *a, float lo, float hi, float *out) {
    const char *opt = a->argv[a->i], *v = value(a);
    if (!v) return -1;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || *v == '\0' || *end != '\0' || !isfinite(x) || x < lo || x > hi)
        return fail(a->cmd, "%s '%s' must be a number from %g to %g", opt, v, (double)lo, (double)hi), -1;
    *out = (float)x;
    return 0;
}

static int is_help(const char *s) { return !strcmp(s, "--help") || !strcmp(s, "-h"); }

/* ---- progress output ---- */

typedef struct {
    int tty, quiet;
    FILE *log;
    double last_draw;
    float best_val;
} Reporter;

static void format_eta(char *buf, size_t n, double seconds) {
    if (!(seconds >= 0) || seconds > 359999) { snprintf(buf, n, "--:--"); return; }
    int s = (int)(seconds + 0.5);
    if (s >= 3600) snprintf(buf, n, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    else snprintf(buf, n, "%02d:%02d", s / 60, s % 60);
}

static int on_progress(const TrainProgress *p, void *user) {
    Reporter *r = user;
    if (p->epoch_done && r->log)
        fprintf(r->log, "%d,%.6f,%.6f,%.6f,%.6g,%.2f\n", p->epoch, (double)p->loss, (double)p->accuracy,
                (double)p->val_accuracy, (double)p->lr, p->seconds);
    if (p->epoch_done && r->log) fflush(r->log); /* a live learning curve for whoever watches it */
    if (r->quiet) return 0;
    double now = train_clock();
    double eta = p->samples_per_sec > 0 && p->step > 0 ? p->seconds * (double)(p->steps - p->step) / (double)p->step : -1;
    char eta_s[16];
    format_eta(eta_s, sizeof eta_s, eta);
    if (r->tty && (p->epoch_done || now - r->last_draw > 0.1)) {
        r->last_draw = now;
        int width = 24, filled = (int)((double)width * (double)p->batch / (double)p->batches);
        char bar[32];
        for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\repoch %d/%d [%s] loss %.4f  acc %.2f%%  %.0f samples/s  ETA %s\033[K", p->epoch, p->epochs,
                bar, (double)p->loss, 100.0 * p->accuracy, p->samples_per_sec, eta_s);
    }
    if (p->epoch_done) {
        char val[32] = "";
        if (p->val_accuracy >= 0) snprintf(val, sizeof val, "  val %.2f%%", 100.0 * p->val_accuracy);
        fprintf(stderr, "%sepoch %d/%d  loss %.4f  train %.2f%%%s  lr %.2g  %.0f samples/s  ETA %s\n", r->tty ? "\r" : "",
                p->epoch, p->epochs, (double)p->loss, 100.0 * p->accuracy, val, (double)p->lr, p->samples_per_sec, eta_s);
        if (r->tty) fprintf(stderr, "\033[K");
    }
    return 0;
}

static void on_csv_progress(uint64_t bytes, uint64_t total, size_t rows, void *user) {
    const Reporter *r = user;
    if (r->tty && !r->quiet)
        fprintf(stderr, "\rreading %.1f / %.1f MB, %zu rows\033[K", (double)bytes / 1e6, (double)total / 1e6, rows);
}

static int load_csv(Dataset *d, const char *path, Reporter *r, const char *cmd) {
    DigitsError err;
    int status = dataset_load_csv(d, path, on_csv_progress, r, &err);
    if (r->tty && !r->quiet) fprintf(stderr, "\r\033[K");
    if (status) return fail(cmd, "%s", err.msg);
    return 0;
}

/* ---- train ---- */

static int cmd_train(int argc, char **argv) {
    Args a = {argc, 1, argv, "train"};
    const char *data = "data/train.csv", *val_path = NULL, *out = "model-out", *init = NULL, *log_path = NULL;
    int hidden = 128, quiet = 0, grid = 0;
    NpyDtype dtype = NPY_F32;
    TrainConfig cfg = train_defaults();
    AugmentConfig aug = augment_defaults();
    int use_aug = 0;
    for (; a.i < argc; a.i++) {
        const char *o = argv[a.i];
        int s = 0;
        if (is_help(o)) { fputs(TRAIN_USAGE, stdout); return 0; }
        else if (!strcmp(o, "--data")) s = (data = value(&a)) ? 0 : -1;
        else if (!strcmp(o, "--val")) s = (val_path = value(&a)) ? 0 : -1;
        else if (!strcmp(o, "--out")) s = (out = value(&a)) ? 0 : -1;
        else if (!strcmp(o, "--init")) s = (init = value(&a)) ? 0 : -1;
        else if (!strcmp(o, "--log")) s = (log_path = value(&a)) ? 0 : -1;
        else if (!strcmp(o, "--hidden")) s = parse_int(&a, 1, NN_MAX_HIDDEN, &hidden);
        else if (!strcmp(o, "--epochs")) s = parse_int(&a, 1, 100000, &cfg.epochs);
        else if (!strcmp(o, "--batch")) s = parse_int(&a, 1, 65536, &cfg.batch);
        else if (!strcmp(o, "--warmup")) s = parse_int(&a, 0, 100000, &cfg.warmup_epochs);
        else if (!strcmp(o, "--lr")) s = parse_float(&a, 1e-9f, 99.0f, &cfg.lr);
        else if (!strcmp(o, "--lr-final")) s = parse_float(&a, 0.0f, 1.0f, &cfg.lr_final);
        else if (!strcmp(o, "--momentum")) s = parse_float(&a, 0.0f, 0.9999f, &cfg.momentum);
        else if (!strcmp(o, "--weight-decay")) s = parse_float(&a, 0.0f, 0.9999f, &cfg.weight_decay);
        else if (!strcmp(o, "--seed")) {
            int seed;
            s = parse_int(&a, 0, 2147483647, &seed);
            cfg.seed = (uint64_t)seed;
        } else if (!strcmp(o, "--schedule") || !strcmp(o, "--optimizer") || !strcmp(o, "--dtype")) {
            const char *v = value(&a);
            if (!v) s = -1;
            else if (!strcmp(o, "--schedule") && (!strcmp(v, "cosine") || !strcmp(v, "constant")))
                cfg.schedule = !strcmp(v, "cosine") ? LR_COSINE : LR_CONSTANT;
            else if (!strcmp(o, "--optimizer") && (!strcmp(v, "adam") || !strcmp(v, "sgd")))
                cfg.optimizer = !strcmp(v, "adam") ? OPT_ADAM : OPT_SGD;
            else if (!strcmp(o, "--dtype") && (!strcmp(v, "f32") || !strcmp(v, "f16")))
                dtype = !strcmp(v, "f32") ? NPY_F32 : NPY_F16;
            else {
                fail("train", "%s '%s' is not one of %s", o, v,
                     !strcmp(o, "--schedule") ? "cosine, constant" : !strcmp(o, "--optimizer") ? "adam, sgd" : "f32, f16");
                s = -1;
            }
        } else if (!strcmp(o, "--augment")) use_aug = 1;
        else if (!strcmp(o, "--grid")) grid = 1;
        else if (!strcmp(o, "--rotate")) { s = parse_float(&a, 0, 180, &aug.rotate); use_aug = 1; }
        else if (!strcmp(o, "--scale")) { s = parse_float(&a, 0, 0.9f, &aug.scale); use_aug = 1; }
        else if (!strcmp(o, "--shear")) { s = parse_float(&a, 0, 2, &aug.shear); use_aug = 1; }
        else if (!strcmp(o, "--translate")) { s = parse_float(&a, 0, 14, &aug.translate); use_aug = 1; }
        else if (!strcmp(o, "--elastic-alpha")) { s = parse_float(&a, 0, 100, &aug.elastic_alpha); use_aug = 1; }
        else if (!strcmp(o, "--elastic-sigma")) { s = parse_float(&a, 0, 28, &aug.elastic_sigma); use_aug = 1; }
        else if (!strcmp(o, "--thickness")) { s = parse_float(&a, 0, 3, &aug.thickness); use_aug = 1; }
        else if (!strcmp(o, "--quiet") || !strcmp(o, "-q")) quiet = 1;
        else return fail("train", "unknown option '%s' (see 'digits train --help')", o);
        if (s) return 1;
    }
    if (use_aug) cfg.augment = aug;
    {   /* An --out that cannot be written fails now, not after the whole run. */
        DigitsError out_err;
        if (dir_check_writable(out, &out_err)) return fail("train", "%s", out_err.msg);
    }

    Reporter rep = {isatty(STDERR_FILENO), quiet, NULL, 0, -1};
    Dataset train = {0}, val = {0};
    if (load_csv(&train, data, &rep, "train")) return 1;
    if (!train.labels) {
        dataset_free(&train);
        return fail("train", "%s has no label column: training needs a train.csv (label,pixel0..pixel783)", data);
    }
    if (val_path && load_csv(&val, val_path, &rep, "train")) { dataset_free(&train); return 1; }
    if (val_path && !val.labels) {
        dataset_free(&train);
        dataset_free(&val);
        return fail("train", "%s has no label column: --val needs a labelled CSV", val_path);
    }

    DigitsError err;
    Model m = {0};
    int status = init ? model_load_dir(&m, init, &err) : model_alloc(&m, hidden, &err);
    if (status == 0 && !init) model_init_he(&m, cfg.seed);
    if (status == 0 && log_path) {
        rep.log = fopen(log_path, "w");
        if (!rep.log) status = error_set(&err, "%s: cannot write: %s", log_path, strerror(errno));
        else fprintf(rep.log, "epoch,loss,train_accuracy,val_accuracy,lr,seconds\n");
    }
    if (status == 0 && !quiet)
        fprintf(stderr, "training 784-%d-10 on %zu digits from %s: %d epochs, batch %d, %s lr %g%s\n", m.hidden, train.n,
                data, cfg.epochs, cfg.batch, cfg.optimizer == OPT_ADAM ? "adam" : "sgd", (double)cfg.lr,
                augment_is_identity(&cfg.augment) ? "" : ", augmented");
    int trained = status == 0 && train_run(&m, &train, val_path ? &val : NULL, &cfg, on_progress, &rep, &err) == 0;
    if (rep.log) fclose(rep.log);
    if (status == 0 && !trained) {
        if (rep.tty && !quiet) fputc('\n', stderr);
        DigitsError why = err;
        status = error_set(&err, "%.200s; nothing was saved", why.msg);
    }
    if (status == 0 && grid) quant_round_w1(&m);
    if (status == 0) status = model_save_dir(&m, out, dtype, &err);
    if (status == 0 && !quiet) fprintf(stderr, "saved %s/{W1,b1,W2,b2}.npy\n", out);
    int code = status ? fail("train", "%s", err.msg) : 0;
    model_free(&m);
    dataset_free(&train);
    dataset_free(&val);
    return code;
}

/* ---- eval ---- */

static int cmd_eval(int argc, char **argv) {
    Args a = {argc, 1, argv, "eval"};
    const char *model_dir = "model", *data = "data/holdout.csv";
    for (; a.i < argc; a.i++) {
        const char *o = argv[a.i];
        if (is_help(o)) { fputs(EVAL_USAGE, stdout); return 0; }
        else if (!strcmp(o, "--model")) { if (!(model_dir = value(&a))) return 1; }
        else if (!strcmp(o, "--data")) { if (!(data = value(&a))) return 1; }
        else return fail("eval", "unknown option '%s' (see 'digits eval --help')", o);
    }
    DigitsError err;
    Model m;
    if (model_load_dir(&m, model_dir, &err)) return fail("eval", "%s", err.msg);
    Reporter rep = {isatty(STDERR_FILENO), 0, NULL, 0, -1};
    Dataset d = {0};
    if (load_csv(&d, data, &rep, "eval")) { model_free(&m); return 1; }
    if (!d.labels) {
        model_free(&m);
        dataset_free(&d);
        return fail("eval", "%s has no label column: eval needs labelled digits (label,pixel0..pixel783)", data);
    }
    int confusion[NN_OUTPUTS * NN_OUTPUTS];
    float acc = evaluate(&m, &d, confusion, &err);
    if (acc < 0) { model_free(&m); dataset_free(&d); return fail("eval", "%s", err.msg); }
    size_t correct = 0;
    for (int i = 0; i < NN_OUTPUTS; i++) correct += (size_t)confusion[i * NN_OUTPUTS + i];
    printf("model %s (784-%d-10) on %s\n", model_dir, m.hidden, data);
    printf("accuracy: %.2f%% (%zu of %zu)\n\n", 100.0 * acc, correct, d.n);
    printf("digit  accuracy   count\n");
    for (int i = 0; i < NN_OUTPUTS; i++) {
        int n = 0;
        for (int j = 0; j < NN_OUTPUTS; j++) n += confusion[i * NN_OUTPUTS + j];
        if (n) printf("  %d    %6.2f%%  %6d\n", i, 100.0 * confusion[i * NN_OUTPUTS + i] / n, n);
        else printf("  %d         -        0\n", i);
    }
    printf("\nconfusion matrix (rows: true digit, columns: predicted)\n     ");
    for (int j = 0; j < NN_OUTPUTS; j++) printf("%5d", j);
    printf("\n");
    for (int i = 0; i < NN_OUTPUTS; i++) {
        printf("%5d", i);
        for (int j = 0; j < NN_OUTPUTS; j++) printf("%5d", confusion[i * NN_OUTPUTS + j]);
        printf("\n");
    }
    model_free(&m);
    dataset_free(&d);
    return 0;
}

/* ---- predict ---- */

static int cmd_predict(int argc, char **argv) {
    Args a = {argc, 1, argv, "predict"};
    const char *model_dir = "model", *data = "data/test.csv", *out = "submission.csv";
    int with_probs = 0;
    for (; a.i < argc; a.i++) {
        const char *o = argv[a.i];
        if (is_help(o)) { fputs(PREDICT_USAGE, stdout); return 0; }
        else if (!strcmp(o, "--probabilities")) with_probs = 1;
        else if (!strcmp(o, "--model")) { if (!(model_dir = value(&a))) return 1; }
        else if (!strcmp(o, "--data")) { if (!(data = value(&a))) return 1; }
        else if (!strcmp(o, "--out")) { if (!(out = value(&a))) return 1; }
        else return fail("predict", "unknown option '%s' (see 'digits predict --help')", o);
    }
    DigitsError err;
    Model m;
    if (model_load_dir(&m, model_dir, &err)) return fail("predict", "%s", err.msg);
    Reporter rep = {isatty(STDERR_FILENO), 0, NULL, 0, -1};
    Dataset d = {0};
    if (load_csv(&d, data, &rep, "predict")) { model_free(&m); return 1; }
    uint8_t *labels = malloc(d.n);
    float *probs = with_probs ? malloc(d.n * NN_OUTPUTS * sizeof *probs) : NULL;
    int status = labels && (probs || !with_probs) ? predict_dataset(&m, &d, labels, probs, &err)
                                                  : error_set(&err, "out of memory");
    /* The submission is built in memory and written in one go, so a failure leaves no half file. */
    size_t cap = 64 + d.n * (with_probs ? 16 + NN_OUTPUTS * 16 : 16), len = 0;
    char *text = status == 0 ? malloc(cap) : NULL;
    if (status == 0 && !text) status = error_set(&err, "out of memory");
    if (status == 0) {
        len += (size_t)snprintf(text, cap, "ImageId,Label%s\n", with_probs ? ",p0,p1,p2,p3,p4,p5,p6,p7,p8,p9" : "");
        for (size_t i = 0; i < d.n; i++) {
            len += (size_t)snprintf(text + len, cap - len, "%zu,%d", i + 1, labels[i]);
            for (int j = 0; with_probs && j < NN_OUTPUTS; j++)
                len += (size_t)snprintf(text + len, cap - len, ",%.9g", (double)probs[i * NN_OUTPUTS + j]);
            text[len++] = '\n';
        }
        if (!strcmp(out, "-")) status = fwrite(text, 1, len, stdout) == len ? 0 : error_set(&err, "cannot write to standard output");
        else status = file_write(out, (const uint8_t *)text, len, &err);
    }
    if (status == 0 && strcmp(out, "-")) fprintf(stderr, "wrote %zu predictions to %s\n", d.n, out);
    free(text);
    free(probs);
    free(labels);
    model_free(&m);
    dataset_free(&d);
    return status ? fail("predict", "%s", err.msg) : 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (is_help(cmd) || !strcmp(cmd, "help")) {
        if (argc > 2 && !strcmp(argv[2], "train")) fputs(TRAIN_USAGE, stdout);
        else if (argc > 2 && !strcmp(argv[2], "eval")) fputs(EVAL_USAGE, stdout);
        else if (argc > 2 && !strcmp(argv[2], "predict")) fputs(PREDICT_USAGE, stdout);
        else fputs(USAGE, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) { printf("digits %s\n", DIGITS_VERSION); return 0; }
    if (!strcmp(cmd, "train")) return cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "eval")) return cmd_eval(argc - 1, argv + 1);
    if (!strcmp(cmd, "predict")) return cmd_predict(argc - 1, argv + 1);
    fprintf(stderr, "digits: unknown command '%s' (expected train, eval or predict; see 'digits --help')\n", cmd);
    return 2;
}
