/* cli.c: the native `digits` command: train, eval, predict. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibration.h"
#include "dataset.h"
#include "files.h"
#include "model_io.h"
#include "nn.h"
#include "quant.h"
#include "recognizer.h"
#include "train.h"

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
    "W1.npy b1.npy W2.npy b2.npy into the output directory, and calibration.txt: the temperature\n"
    "of the shown probabilities and the threshold below which a drawing is \"not a digit\", both\n"
    "fitted on digits held out from training (docs/not-a-digit.md).\n"
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
    "    --thicken PX       then bolder by up to PX pixels (default 0)\n"
    "  --outliers X         outlier exposure: add X non-digit images per digit to every batch,\n"
    "                       trained as an eleventh class (default 0: off)\n"
    "  --outlier-data FILE  a CSV of non-digit images (labels ignored) to mix in as outliers\n"
    "  --outlier-weights L  relative frequency of each kind of outlier, 8 numbers for scribble,\n"
    "                       strokes,polygon,arcs,pictogram,fragment,overlap,external\n"
    "                       (default 1,1,1,1,1,1,1,7)\n"
    "  --background-logit M the eleventh class's constant logit (default 0)\n"
    "  --energy-weight X    the energy hinge, with --outliers: add X max(0, IN - E)^2 for every\n"
    "                       digit and X max(0, E - OUT)^2 for every outlier, E the logsumexp of\n"
    "                       the ten logits (the score) (default 0: off)\n"
    "  --energy-in IN       the digits' margin (default 0)\n"
    "  --energy-out OUT     the outliers' margin, at most IN (default 0)\n"
    "  --outlier-mining K   with --outliers: draw K times as many outliers as a batch takes and\n"
    "                       keep the most digit-like (highest score) (default 1: keep all)\n"
    "  --outlier-mining-skip Q  first skip the top Q fraction of the candidates, 0..1-1/K\n"
    "                       (default 0)\n"
    "  --teacher DIR[,DIR..]  distillation, for fine-tuning: each digit's target mixes its label\n"
    "                       with this model's probabilities for the same image (any hidden size);\n"
    "                       several directories, comma-separated (up to 8): their mean\n"
    "  --teacher-weight X   the teacher's share of the target, 0..1 (default 0.5)\n"
    "  --teacher-temperature T  the teacher's probabilities are softmax(z / T) (default 1)\n"
    "  --teacher-rows N     only the first N rows of --data take the teacher's target (its plain\n"
    "                       digits, before their traced copies); needs --calibrate FILE or\n"
    "                       --calibration-split 0, as a split reorders the rows (default: all)\n"
    "  --calibrate FILE     labelled CSV of digits never trained on, to fit calibration.txt on\n"
    "  --calibration-split X  without --calibrate: hold this fraction of each digit of --data out\n"
    "                       of training to fit calibration.txt on (default 0.1; 0: write the\n"
    "                       default calibration, max-softmax 0.5, temperature 1)\n"
    "  --accept X           the share of calibration digits the threshold accepts (default 0.995)\n"
    "  --temperature-data FILE  labelled CSV of digits never trained on to fit the temperature on\n"
    "                       instead (the threshold stays that of --calibrate or the split)\n"
    "  --dtype T            f32 or f16 for the saved files (default f32)\n"
    "  --grid               save W1 on the integer grid (each unit's weights whole numbers up to\n"
    "                       2047 times a power of two; moves a weight by half a step at most,\n"
    "                       under 1/2047 of its unit's largest): the page then runs the first\n"
    "                       layer in exact integers\n"
    "  --grid-bits N        a coarser grid (implies --grid): whole numbers of N bits with the\n"
    "                       sign, up to M = 2^(N-1)-1, moving a weight under 1/M of its unit's\n"
    "                       largest; 2..12 (default 12); 7 (M = 63) packs W1 for the page in a\n"
    "                       third of the bytes of 12\n"
    "  --log FILE           write one CSV line per epoch (the learning curve)\n"
    "  --quiet              no progress output\n";

static const char EVAL_USAGE[] =
    "usage: digits eval [--model DIR] [--data FILE] [--outliers FILE]\n"
    "\n"
    "Prints the accuracy, the accuracy of each digit and the confusion matrix of the model in DIR\n"
    "(default model) on a labelled Kaggle-format CSV (default data/holdout.csv); then, with the\n"
    "model's calibration.txt, how many of those digits it rejects as \"not a digit\", the expected\n"
    "calibration error of its shown probabilities, and, given --outliers, a CSV of images that are\n"
    "no digit (labels ignored), how many of them it accepts as digits.\n";

static const char PREDICT_USAGE[] =
    "usage: digits predict [--model DIR] [--data FILE] [--out FILE] [--probabilities]\n"
    "\n"
    "Classifies every row of a Kaggle-format CSV (test.csv: pixel0..pixel783, or a labelled\n"
    "train-format file) and writes a submission \"ImageId,Label\" (default submission.csv;\n"
    "--out - writes to standard output). Defaults: --model model, --data data/test.csv.\n"
    "--probabilities adds the ten class probabilities to each line (ImageId,Label,p0..p9), at the\n"
    "temperature of the model's calibration.txt.\n";

/* ---- options: each command is a table of them ---- */

typedef enum { ARG_TEXT, ARG_INT, ARG_FLOAT, ARG_FLAG, ARG_CHOICE } ArgKind;

typedef struct {
    const char *name;
    int value;
} Choice;

typedef struct {
    const char *name;      /* "--epochs" */
    ArgKind kind;
    void *target;          /* const char **, int *, float *; ARG_FLAG and ARG_CHOICE: int * */
    double lo, hi;         /* ARG_INT, ARG_FLOAT: the allowed range */
    const Choice *choices; /* ARG_CHOICE: ends with {NULL, 0} */
    int *also;             /* if not NULL, set to 1 when the option is given */
} Option;

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

static int is_help(const char *s) { return !strcmp(s, "--help") || !strcmp(s, "-h"); }

/* Stores value v of option o; 0, or 1 after saying what is wrong. */
static int set_option(const Option *o, const char *v, const char *cmd) {
    char *end;
    errno = 0;
    if (o->kind == ARG_TEXT) {
        *(const char **)o->target = v;
    } else if (o->kind == ARG_INT) {
        long x = strtol(v, &end, 10);
        if (errno || *v == '\0' || *end != '\0' || x < o->lo || x > o->hi)
            return fail(cmd, "%s '%s' must be a whole number from %.0f to %.0f", o->name, v, o->lo, o->hi);
        *(int *)o->target = (int)x;
    } else if (o->kind == ARG_FLOAT) {
        double x = strtod(v, &end);
        if (errno || *v == '\0' || *end != '\0' || !isfinite(x) || x < o->lo || x > o->hi)
            return fail(cmd, "%s '%s' must be a number from %g to %g", o->name, v, o->lo, o->hi);
        *(float *)o->target = (float)x;
    } else {
        const Choice *c = o->choices;
        while (c->name && strcmp(c->name, v)) c++;
        if (!c->name) {
            char list[64] = "";
            for (c = o->choices; c->name; c++) snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", c == o->choices ? "" : ", ", c->name);
            return fail(cmd, "%s '%s' is not one of %s", o->name, v, list);
        }
        *(int *)o->target = c->value;
    }
    return 0;
}

/* Reads argv[1..] into the options' targets. Returns -1 to go on, or the exit code: 0 after
 * printing usage for --help, 1 after saying what is wrong. */
static int parse_options(int argc, char **argv, const char *cmd, const Option *options, int n, const char *usage) {
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) return fputs(usage, stdout), 0;
        const Option *o = options;
        while (o < options + n && strcmp(o->name, argv[i])) o++;
        if (o == options + n) return fail(cmd, "unknown option '%s' (see 'digits %s --help')", argv[i], cmd);
        if (o->also) *o->also = 1;
        if (o->kind == ARG_FLAG) {
            *(int *)o->target = 1;
            continue;
        }
        if (i + 1 >= argc) return fail(cmd, "option %s needs a value (see 'digits %s --help')", o->name, cmd);
        if (set_option(o, argv[++i], cmd)) return 1;
    }
    return -1;
}

/* ---- progress output ---- */

typedef struct {
    int tty, quiet;
    FILE *log;
    double last_draw;
    double samples, loss_sum, correct; /* the run's sums when this epoch began */
} Reporter;

static void format_eta(char *buf, size_t n, double seconds) {
    if (!(seconds >= 0) || seconds > 359999) { snprintf(buf, n, "--:--"); return; }
    int s = (int)(seconds + 0.5);
    if (s >= 3600) snprintf(buf, n, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    else snprintf(buf, n, "%02d:%02d", s / 60, s % 60);
}

static int on_progress(const TrainProgress *p, void *user) {
    Reporter *r = user;
    double seen = p->samples - r->samples; /* this epoch's */
    float loss = seen > 0 ? (float)((p->loss_sum - r->loss_sum) / seen) : 0.0f;
    float accuracy = seen > 0 ? (float)(p->correct - r->correct) / (float)seen : 0.0f;
    double per_sec = p->seconds > 0 ? p->samples / p->seconds : 0.0;
    int epoch = (int)p->epoch, epochs = (int)p->epochs;
    if (p->epoch_done) r->samples = p->samples, r->loss_sum = p->loss_sum, r->correct = p->correct;
    if (p->epoch_done && r->log) {
        fprintf(r->log, "%d,%.6f,%.6f,%.6f,%.6g,%.2f\n", epoch, (double)loss, (double)accuracy, p->val_accuracy, p->lr,
                p->seconds);
        fflush(r->log); /* a live learning curve for whoever watches it */
    }
    if (r->quiet) return 0;
    double now = train_clock();
    double eta = per_sec > 0 && p->step > 0 ? p->seconds * (p->steps - p->step) / p->step : -1;
    char eta_s[16];
    format_eta(eta_s, sizeof eta_s, eta);
    if (r->tty && (p->epoch_done || now - r->last_draw > 0.1)) {
        r->last_draw = now;
        int width = 24, filled = (int)((double)width * p->batch / p->batches);
        char bar[32];
        for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\repoch %d/%d [%s] loss %.4f  acc %.2f%%  %.0f samples/s  ETA %s\033[K", epoch, epochs, bar,
                (double)loss, 100.0 * accuracy, per_sec, eta_s);
    }
    if (p->epoch_done) {
        char val[32] = "";
        if (p->val_accuracy >= 0) snprintf(val, sizeof val, "  val %.2f%%", 100.0 * p->val_accuracy);
        fprintf(stderr, "%sepoch %d/%d  loss %.4f  train %.2f%%%s  lr %.2g  %.0f samples/s  ETA %s\n", r->tty ? "\r" : "",
                epoch, epochs, (double)loss, 100.0 * accuracy, val, p->lr, per_sec, eta_s);
        if (r->tty) fprintf(stderr, "\033[K");
    }
    return 0;
}

static void on_csv_progress(uint64_t bytes, uint64_t total, size_t rows, void *user) {
    const Reporter *r = user;
    if (r->tty && !r->quiet)
        fprintf(stderr, "\rreading %.1f / %.1f MB, %zu rows\033[K", (double)bytes / 1e6, (double)total / 1e6, rows);
}

/* Loads a CSV; if labels_for is not NULL the data must be labelled, for that purpose. */
static int load_csv(Dataset *d, const char *path, const char *labels_for, Reporter *r, DigitsError *err) {
    int status = files_load_csv(d, path, on_csv_progress, r, err);
    if (r->tty && !r->quiet) fprintf(stderr, "\r\033[K");
    if (status == 0 && labels_for && !d->labels)
        status = error_set(err, "%s has no label column: %s", path, labels_for);
    return status;
}

/* ---- train ---- */

/* --outlier-weights: OUTLIER_KINDS comma-separated numbers >= 0 into w; 0, or 1 after saying what
 * is wrong. */
static int parse_weights(const char *text, float *w) {
    const char *p = text;
    for (int k = 0; k < OUTLIER_KINDS; k++) {
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (errno || end == p || !isfinite(x) || x < 0 || x > 1000 || *end != (k + 1 < OUTLIER_KINDS ? ',' : '\0'))
            return fail("train", "--outlier-weights '%s' must be %d numbers from 0 to 1000, separated by commas (%s, ...)",
                        text, OUTLIER_KINDS, OUTLIER_KIND_NAMES[0]);
        w[k] = (float)x;
        p = end + 1;
    }
    return 0;
}

enum { TEACHERS_MAX = 8 };

/* Loads the comma-separated model directories of --teacher into teachers (TEACHERS_MAX, zeroed);
 * their number, or -1 with err naming the directory that failed. */
static int load_teachers(Model *teachers, const char *list, DigitsError *err) {
    int n = 0;
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        char dir[1024];
        if (len == 0 || len >= sizeof dir)
            return error_set(err, "--teacher '%.200s' must be model directories separated by commas", list);
        if (n == TEACHERS_MAX) return error_set(err, "--teacher: at most %d models", TEACHERS_MAX);
        memcpy(dir, p, len);
        dir[len] = '\0';
        if (files_load_model(&teachers[n], dir, err)) {
            DigitsError why = *err;
            return error_set(err, "--teacher: %.200s", why.msg);
        }
        n++;
        p += len;
        if (!*p) return n;
    }
}

static int cmd_train(int argc, char **argv) {
    const char *data = "data/train.csv", *val_path = NULL, *out = "model-out", *init = NULL, *log_path = NULL;
    const char *outlier_path = NULL, *weights = NULL, *calib_path = NULL, *temp_path = NULL, *teacher_dir = NULL;
    int hidden = 128, seed = 1, quiet = 0, grid = 0, grid_bits = QUANT_BITS, use_aug = 0, teacher_set = 0;
    int teacher_rows = 0;
    int energy_set = 0, mining_set = 0;
    float calib_split = 0.1f, accept = 0.995f;
    int schedule = LR_COSINE, optimizer = OPT_ADAM, dtype = NPY_F32;
    TrainConfig cfg = train_defaults();
    AugmentConfig aug = augment_defaults();
    static const Choice schedules[] = {{"cosine", LR_COSINE}, {"constant", LR_CONSTANT}, {NULL, 0}};
    static const Choice optimizers[] = {{"adam", OPT_ADAM}, {"sgd", OPT_SGD}, {NULL, 0}};
    static const Choice dtypes[] = {{"f32", NPY_F32}, {"f16", NPY_F16}, {NULL, 0}};
    const Option options[] = {
        {"--data", ARG_TEXT, &data, 0, 0, NULL, NULL},
        {"--val", ARG_TEXT, &val_path, 0, 0, NULL, NULL},
        {"--out", ARG_TEXT, &out, 0, 0, NULL, NULL},
        {"--init", ARG_TEXT, &init, 0, 0, NULL, NULL},
        {"--log", ARG_TEXT, &log_path, 0, 0, NULL, NULL},
        {"--hidden", ARG_INT, &hidden, 1, NN_MAX_HIDDEN, NULL, NULL},
        {"--epochs", ARG_INT, &cfg.epochs, 1, 100000, NULL, NULL},
        {"--batch", ARG_INT, &cfg.batch, 1, 65536, NULL, NULL},
        {"--warmup", ARG_INT, &cfg.warmup_epochs, 0, 100000, NULL, NULL},
        {"--seed", ARG_INT, &seed, 0, 2147483647, NULL, NULL},
        {"--lr", ARG_FLOAT, &cfg.lr, 1e-9f, 99.0f, NULL, NULL},
        {"--lr-final", ARG_FLOAT, &cfg.lr_final, 0, 1, NULL, NULL},
        {"--momentum", ARG_FLOAT, &cfg.momentum, 0, 0.9999f, NULL, NULL},
        {"--weight-decay", ARG_FLOAT, &cfg.weight_decay, 0, 0.9999f, NULL, NULL},
        {"--schedule", ARG_CHOICE, &schedule, 0, 0, schedules, NULL},
        {"--optimizer", ARG_CHOICE, &optimizer, 0, 0, optimizers, NULL},
        {"--dtype", ARG_CHOICE, &dtype, 0, 0, dtypes, NULL},
        {"--augment", ARG_FLAG, &use_aug, 0, 0, NULL, NULL},
        {"--rotate", ARG_FLOAT, &aug.rotate, 0, 180, NULL, &use_aug},
        {"--scale", ARG_FLOAT, &aug.scale, 0, 0.9f, NULL, &use_aug},
        {"--shear", ARG_FLOAT, &aug.shear, 0, 2, NULL, &use_aug},
        {"--translate", ARG_FLOAT, &aug.translate, 0, 14, NULL, &use_aug},
        {"--elastic-alpha", ARG_FLOAT, &aug.elastic_alpha, 0, 100, NULL, &use_aug},
        {"--elastic-sigma", ARG_FLOAT, &aug.elastic_sigma, 0, 28, NULL, &use_aug},
        {"--thickness", ARG_FLOAT, &aug.thickness, 0, 3, NULL, &use_aug},
        {"--thicken", ARG_FLOAT, &aug.thicken, 0, 3, NULL, &use_aug},
        {"--outliers", ARG_FLOAT, &cfg.outliers.share, 0, 16, NULL, NULL},
        {"--outlier-data", ARG_TEXT, &outlier_path, 0, 0, NULL, NULL},
        {"--outlier-weights", ARG_TEXT, &weights, 0, 0, NULL, NULL},
        {"--background-logit", ARG_FLOAT, &cfg.outliers.background_logit, -100, 100, NULL, NULL},
        {"--energy-weight", ARG_FLOAT, &cfg.outliers.energy_weight, 0, 100, NULL, &energy_set},
        {"--energy-in", ARG_FLOAT, &cfg.outliers.energy_in, -100, 100, NULL, &energy_set},
        {"--energy-out", ARG_FLOAT, &cfg.outliers.energy_out, -100, 100, NULL, &energy_set},
        {"--outlier-mining", ARG_INT, &cfg.outliers.mining, 1, 64, NULL, &mining_set},
        {"--outlier-mining-skip", ARG_FLOAT, &cfg.outliers.mining_skip, 0, 1, NULL, &mining_set},
        {"--teacher", ARG_TEXT, &teacher_dir, 0, 0, NULL, NULL},
        {"--teacher-weight", ARG_FLOAT, &cfg.teacher_weight, 0, 1, NULL, &teacher_set},
        {"--teacher-temperature", ARG_FLOAT, &cfg.teacher_temperature, 0.05f, 100, NULL, &teacher_set},
        {"--teacher-rows", ARG_INT, &teacher_rows, 1, 1000000000, NULL, &teacher_set},
        {"--calibrate", ARG_TEXT, &calib_path, 0, 0, NULL, NULL},
        {"--calibration-split", ARG_FLOAT, &calib_split, 0, 0.5f, NULL, NULL},
        {"--accept", ARG_FLOAT, &accept, 0.5f, 1, NULL, NULL},
        {"--temperature-data", ARG_TEXT, &temp_path, 0, 0, NULL, NULL},
        {"--grid", ARG_FLAG, &grid, 0, 0, NULL, NULL},
        {"--grid-bits", ARG_INT, &grid_bits, 2, QUANT_BITS, NULL, &grid},
        {"--quiet", ARG_FLAG, &quiet, 0, 0, NULL, NULL},
        {"-q", ARG_FLAG, &quiet, 0, 0, NULL, NULL},
    };
    int code = parse_options(argc, argv, "train", options, (int)(sizeof options / sizeof *options), TRAIN_USAGE);
    if (code >= 0) return code;
    cfg.seed = (uint64_t)seed;
    cfg.schedule = (LrSchedule)schedule;
    cfg.optimizer = (Optimizer)optimizer;
    if (use_aug) cfg.augment = aug;
    if (weights && parse_weights(weights, cfg.outliers.weight)) return 1;
    if (energy_set && !(cfg.outliers.share > 0.0f))
        return fail("train", "--energy-weight, --energy-in and --energy-out need --outliers");
    if (mining_set && !(cfg.outliers.share > 0.0f))
        return fail("train", "--outlier-mining and --outlier-mining-skip need --outliers");
    if (teacher_set && !teacher_dir)
        return fail("train", "--teacher-weight, --teacher-temperature and --teacher-rows need --teacher DIR");
    if (teacher_rows && !calib_path && calib_split > 0.0f)
        return fail("train", "--teacher-rows needs --calibrate FILE or --calibration-split 0: a calibration split reorders --data's rows");
    cfg.teacher_rows = (size_t)teacher_rows;

    Reporter rep = {isatty(STDERR_FILENO), quiet, NULL, 0, 0, 0, 0};
    Dataset all = {0}, train = {0}, val = {0}, calib = {0}, temp = {0}, outliers = {0};
    Model m = {0}, teachers[TEACHERS_MAX] = {{0}};
    Calibration calibration = calibration_default();
    DigitsError err;
    int status = -1;
    /* An --out that cannot be written fails now, not after the whole run. */
    if (files_check_dir(out, &err)) goto done;
    if (load_csv(&all, data, "training needs a train.csv (label,pixel0..pixel783)", &rep, &err)) goto done;
    if (val_path && load_csv(&val, val_path, "--val needs a labelled CSV", &rep, &err)) goto done;
    if (calib_path && load_csv(&calib, calib_path, "--calibrate needs labelled digits", &rep, &err)) goto done;
    if (temp_path && load_csv(&temp, temp_path, "--temperature-data needs labelled digits", &rep, &err)) goto done;
    if (outlier_path && load_csv(&outliers, outlier_path, NULL, &rep, &err)) goto done;
    if (outlier_path) cfg.outliers.external = &outliers;
    DigitsError no_split = {{0}}; /* a data set too small to split trains whole, with the default calibration */
    if (!calib_path && calib_split > 0.0f && dataset_split(&all, calib_split, cfg.seed, &train, &calib, &no_split) == 0)
        dataset_free(&all);
    else
        train = all, all = (Dataset){0};
    if (init ? files_load_model(&m, init, &err) : nn_model_alloc(&m, hidden, &err)) goto done;
    if (!init) nn_model_init_he(&m, cfg.seed);
    if (teacher_dir) {
        if ((cfg.teacher_count = load_teachers(teachers, teacher_dir, &err)) < 0) goto done;
        cfg.teacher = teachers;
    }
    if (log_path && !(rep.log = fopen(log_path, "w"))) {
        error_set(&err, "%s: cannot write: %s", log_path, strerror(errno));
        goto done;
    }
    if (rep.log) fprintf(rep.log, "epoch,loss,train_accuracy,val_accuracy,lr,seconds\n");
    if (!quiet)
        fprintf(stderr, "training 784-%d-10 on %zu digits from %s: %d epochs, batch %d, %s lr %g%s%s\n", m.hidden, train.n,
                data, cfg.epochs, cfg.batch, cfg.optimizer == OPT_ADAM ? "adam" : "sgd", (double)cfg.lr,
                augment_is_identity(&cfg.augment) ? "" : ", augmented", cfg.outliers.share > 0 ? ", with outliers" : "");
    if (train_run(&m, &train, val_path ? &val : NULL, &cfg, on_progress, &rep, &err)) {
        if (rep.tty && !quiet) fputc('\n', stderr);
        DigitsError why = err;
        error_set(&err, "%.200s; nothing was saved", why.msg);
        goto done;
    }
    if (grid) quant_round_w1(&m, grid_bits);
    /* The model trained with outliers scores by logsumexp (its eleventh class's complement). */
    CalibrationScore score = cfg.outliers.share > 0.0f ? CALIBRATION_LOGSUMEXP : CALIBRATION_MAX_SOFTMAX;
    if (calib.n && calibration_fit(&calibration, &m, &calib, score, accept, &err)) goto done;
    if (calib.n && temp.n) {
        Calibration other;
        if (calibration_fit(&other, &m, &temp, score, accept, &err)) goto done;
        calibration.temperature = other.temperature;
    }
    if (files_save_model(&m, out, (NpyDtype)dtype, &err) || files_save_calibration(&calibration, out, &err)) goto done;
    if (!quiet)
        fprintf(stderr, "saved %s/{W1,b1,W2,b2}.npy and %s (%s >= %g is a digit, temperature %g%s)\n", out,
                CALIBRATION_FILE_NAME, calibration_score_name(calibration.score), (double)calibration.threshold,
                (double)calibration.temperature, calib.n ? "" : no_split.msg[0] ? "; the default: too few digits to hold some out" : "; the default");
    status = 0;
done:
    if (rep.log) fclose(rep.log);
    nn_model_free(&m);
    for (int k = 0; k < TEACHERS_MAX; k++) nn_model_free(&teachers[k]);
    Dataset *sets[] = {&all, &train, &val, &calib, &temp, &outliers};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) dataset_free(sets[i]);
    return status ? fail("train", "%s", err.msg) : 0;
}

/* ---- eval and predict: a model and a CSV ---- */

/* The accuracy, the accuracy of each digit and the confusion matrix of m on d. */
static int print_evaluation(const Model *m, const char *model_dir, const Dataset *d, const char *data, DigitsError *err) {
    int confusion[NN_OUTPUTS * NN_OUTPUTS];
    float acc = train_evaluate(m, d, confusion, err);
    if (acc < 0) return -1;
    size_t correct = 0;
    for (int i = 0; i < NN_OUTPUTS; i++) correct += (size_t)confusion[i * NN_OUTPUTS + i];
    printf("model %s (784-%d-10) on %s\n", model_dir, m->hidden, data);
    printf("accuracy: %.2f%% (%zu of %zu)\n\n", 100.0 * acc, correct, d->n);
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
    return 0;
}

/* Each row of d read by r into readings (d->n of them). */
static int read_all(Recognizer *r, const Dataset *d, Reading *readings, DigitsError *err) {
    float x[NN_INPUTS];
    for (size_t i = 0; i < d->n; i++) {
        for (int k = 0; k < NN_INPUTS; k++) x[k] = (float)d->pixels[i * NN_INPUTS + k] * (1.0f / 255.0f);
        DigitsError why;
        if (recognizer_predict(r, x, readings + i, &why) < 0) return error_set(err, "row %zu: %.200s", i + 1, why.msg);
    }
    return 0;
}

/* How the calibration of r does on the labelled digits d and, if outliers is not NULL, on those
 * non-digits: digits rejected, the shown probabilities' expected calibration error, non-digits
 * accepted. */
static int print_not_a_digit(Recognizer *r, const char *model_dir, const Dataset *d, const Dataset *outliers,
                             const char *outlier_path, DigitsError *err) {
    size_t n = d->n > (outliers ? outliers->n : 0) ? d->n : outliers->n;
    Reading *readings = malloc(n * sizeof *readings);
    float *probs = malloc(d->n * NN_OUTPUTS * sizeof *probs);
    int status = readings && probs ? read_all(r, d, readings, err) : error_set(err, "out of memory");
    if (status == 0) {
        const Calibration *c = recognizer_calibration(r);
        size_t rejected = 0;
        for (size_t i = 0; i < d->n; i++) {
            rejected += !readings[i].is_digit;
            memcpy(probs + i * NN_OUTPUTS, readings[i].probabilities, sizeof readings[i].probabilities);
        }
        printf("\nnot a digit: %s >= %g is a digit; probabilities at temperature %g (%s%s/%s)\n",
               calibration_score_name(c->score), (double)c->threshold, (double)c->temperature,
               files_has_calibration(model_dir) ? "" : "the default: no ", model_dir, CALIBRATION_FILE_NAME);
        printf("digits rejected: %.2f%% (%zu of %zu)\n", 100.0 * (double)rejected / (double)d->n, rejected, d->n);
        printf("expected calibration error: %.2f%%\n", 100.0 * calibration_ece(probs, d->labels, d->n));
    }
    if (status == 0 && outliers && (status = read_all(r, outliers, readings, err)) == 0) {
        size_t accepted = 0;
        for (size_t i = 0; i < outliers->n; i++) accepted += (size_t)readings[i].is_digit;
        printf("non-digits accepted: %.2f%% (%zu of %zu in %s)\n", 100.0 * (double)accepted / (double)outliers->n,
               accepted, outliers->n, outlier_path);
    }
    free(probs);
    free(readings);
    return status;
}

/* A Kaggle submission (ImageId,Label[,p0..p9]) of r's readings of d, to out ("-": stdout); the
 * probabilities are the calibrated ones the page shows. Built in memory and written in one go, so
 * a failure leaves no half file. */
static int write_submission(Recognizer *r, const Dataset *d, const char *out, int with_probs, DigitsError *err) {
    Reading *readings = malloc(d->n * sizeof *readings);
    int status = readings ? read_all(r, d, readings, err) : error_set(err, "out of memory");
    size_t cap = 64 + d->n * (with_probs ? 16 + NN_OUTPUTS * 16 : 16), len = 0;
    char *text = status == 0 ? malloc(cap) : NULL;
    if (status == 0 && !text) status = error_set(err, "out of memory");
    if (status == 0) {
        len += (size_t)snprintf(text, cap, "ImageId,Label%s\n", with_probs ? ",p0,p1,p2,p3,p4,p5,p6,p7,p8,p9" : "");
        for (size_t i = 0; i < d->n; i++) {
            len += (size_t)snprintf(text + len, cap - len, "%zu,%d", i + 1, readings[i].digit);
            for (int j = 0; with_probs && j < NN_OUTPUTS; j++)
                len += (size_t)snprintf(text + len, cap - len, ",%.9g", (double)readings[i].probabilities[j]);
            text[len++] = '\n';
        }
        if (!strcmp(out, "-")) status = fwrite(text, 1, len, stdout) == len ? 0 : error_set(err, "cannot write to standard output");
        else status = files_write(out, (const uint8_t *)text, len, err);
    }
    if (status == 0 && strcmp(out, "-")) fprintf(stderr, "wrote %zu predictions to %s\n", d->n, out);
    free(text);
    free(readings);
    return status;
}

/* `digits eval` (eval = 1) or `digits predict`: the model in --model on the CSV in --data. */
static int cmd_model_on_data(int argc, char **argv, int eval) {
    const char *cmd = eval ? "eval" : "predict";
    const char *model_dir = "model", *data = eval ? "data/holdout.csv" : "data/test.csv", *out = "submission.csv";
    const char *outlier_path = NULL;
    int with_probs = 0;
    const Option eval_options[] = {{"--model", ARG_TEXT, &model_dir, 0, 0, NULL, NULL},
                                   {"--data", ARG_TEXT, &data, 0, 0, NULL, NULL},
                                   {"--outliers", ARG_TEXT, &outlier_path, 0, 0, NULL, NULL}};
    const Option predict_options[] = {{"--model", ARG_TEXT, &model_dir, 0, 0, NULL, NULL},
                                      {"--data", ARG_TEXT, &data, 0, 0, NULL, NULL},
                                      {"--out", ARG_TEXT, &out, 0, 0, NULL, NULL},
                                      {"--probabilities", ARG_FLAG, &with_probs, 0, 0, NULL, NULL}};
    int code = eval ? parse_options(argc, argv, cmd, eval_options, 3, EVAL_USAGE)
                    : parse_options(argc, argv, cmd, predict_options, 4, PREDICT_USAGE);
    if (code >= 0) return code;
    Reporter rep = {isatty(STDERR_FILENO), 0, NULL, 0, 0, 0, 0};
    Model m = {0};
    Dataset d = {0}, outliers = {0};
    Calibration calibration;
    Recognizer *r = NULL;
    DigitsError err;
    int status = files_load_model(&m, model_dir, &err);
    if (status == 0) status = files_load_calibration(&calibration, model_dir, &err);
    if (status == 0) status = (r = recognizer_new(&m, &err)) ? recognizer_set_calibration(r, &calibration, &err) : -1;
    if (status == 0)
        status = load_csv(&d, data, eval ? "eval needs labelled digits (label,pixel0..pixel783)" : NULL, &rep, &err);
    if (status == 0 && outlier_path) status = load_csv(&outliers, outlier_path, NULL, &rep, &err);
    if (status == 0 && !eval) status = write_submission(r, &d, out, with_probs, &err);
    if (status == 0 && eval) status = print_evaluation(recognizer_model(r), model_dir, &d, data, &err);
    if (status == 0 && eval)
        status = print_not_a_digit(r, model_dir, &d, outlier_path ? &outliers : NULL, outlier_path, &err);
    recognizer_free(r);
    nn_model_free(&m);
    dataset_free(&d);
    dataset_free(&outliers);
    return status ? fail(cmd, "%s", err.msg) : 0;
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
    if (!strcmp(cmd, "eval")) return cmd_model_on_data(argc - 1, argv + 1, 1);
    if (!strcmp(cmd, "predict")) return cmd_model_on_data(argc - 1, argv + 1, 0);
    fprintf(stderr, "digits: unknown command '%s' (expected train, eval or predict; see 'digits --help')\n", cmd);
    return 2;
}
