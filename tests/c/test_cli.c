/* test_cli.c: the `digits` command as a user runs it: exit codes, messages, and a small
 * train -> eval -> predict round trip. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static char tmpdir[] = "/tmp/digits_cli_XXXXXX";
static char output[65536];

/* Runs `digits ARGS` (a shell fragment) with stdout+stderr captured into `output`;
 * returns the exit code. */
static int run(const char *args) {
    char cmd[4096], path[512];
    snprintf(path, sizeof path, "%s/out.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "cd %s && %s %s > %s 2>&1", tmpdir, DIGITS_CLI, args, path);
    int status = system(cmd);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(output, 1, sizeof output - 1, f) : 0;
    output[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A tiny labelled CSV: n rows, class c is a bar at row 4 + 2c. */
static void write_csv(const char *name, int n, int labelled) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (labelled) fputs("label,", f);
    for (int k = 0; k < 784; k++) fprintf(f, "pixel%d%s", k, k < 783 ? "," : "\n");
    for (int i = 0; i < n; i++) {
        int c = i % 10;
        if (labelled) fprintf(f, "%d,", c);
        for (int k = 0; k < 784; k++) {
            int row = k / 28, col = k % 28, v = (row == 4 + 2 * c && col > 3 && col < 24) ? 255 : 0;
            fprintf(f, "%d%s", v, k < 783 ? "," : "\n");
        }
    }
    fclose(f);
}

static void setup(void) {
    if (tmpdir[strlen(tmpdir) - 1] == 'X' && !mkdtemp(tmpdir)) {
        perror("mkdtemp");
        exit(2);
    }
}

TEST(no_arguments_should_print_usage_and_exit_2) {
    setup();
    CHECK(run("") == 2);
    CHECK_CONTAINS(output, "usage: digits <command>");
}

TEST(help_should_describe_each_command_and_exit_0) {
    setup();
    CHECK(run("--help") == 0);
    CHECK_CONTAINS(output, "train");
    CHECK(run("train --help") == 0);
    CHECK_CONTAINS(output, "--hidden N");
    CHECK(run("eval --help") == 0);
    CHECK_CONTAINS(output, "confusion matrix");
    CHECK(run("predict --help") == 0);
    CHECK_CONTAINS(output, "ImageId,Label");
    CHECK(run("--version") == 0);
    CHECK_CONTAINS(output, "digits 0.");
}

TEST(an_unknown_command_should_exit_2_with_one_line) {
    setup();
    CHECK(run("trian") == 2);
    CHECK_CONTAINS(output, "digits: unknown command 'trian'");
}

TEST(bad_flags_should_exit_1_naming_the_flag) {
    setup();
    CHECK(run("train --hidden 0") == 1);
    CHECK_CONTAINS(output, "--hidden '0' must be a whole number from 1 to 4096");
    CHECK(run("train --lr abc") == 1);
    CHECK_CONTAINS(output, "--lr 'abc' must be a number");
    CHECK(run("train --epochs") == 1);
    CHECK_CONTAINS(output, "option --epochs needs a value");
    CHECK(run("eval --bogus") == 1);
    CHECK_CONTAINS(output, "unknown option '--bogus'");
    CHECK(run("train --optimizer rmsprop") == 1);
    CHECK_CONTAINS(output, "--optimizer 'rmsprop' is not one of adam, sgd");
}

TEST(a_missing_file_should_exit_1_naming_the_file) {
    setup();
    CHECK(run("train --data nothere.csv") == 1);
    CHECK_CONTAINS(output, "digits train: nothere.csv: cannot open");
    CHECK(run("eval --model nomodel --data x.csv") == 1);
    CHECK_CONTAINS(output, "nomodel/W1.npy: cannot open");
}

TEST(a_malformed_csv_should_exit_1_with_line_and_column) {
    setup();
    char path[512];
    snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
    FILE *f = fopen(path, "w");
    fputs("label", f);
    for (int k = 0; k < 784; k++) fprintf(f, ",pixel%d", k);
    fputs("\n3", f);
    for (int k = 0; k < 784; k++) fputs(k == 10 ? ",300" : ",0", f);
    fputs("\n", f);
    fclose(f);
    CHECK(run("train --data bad.csv") == 1);
    CHECK_CONTAINS(output, "bad.csv: line 2, column 12");
}

TEST(train_eval_and_predict_should_work_end_to_end) {
    setup();
    write_csv("train.csv", 200, 1);
    write_csv("test.csv", 20, 0);
    CHECK(run("train --data train.csv --val train.csv --hidden 32 --epochs 8 --lr 0.01 --out m --log curve.csv") == 0);
    CHECK_CONTAINS(output, "epoch 8/8");
    CHECK_CONTAINS(output, "saved m/");
    CHECK(run("eval --model m --data train.csv") == 0);
    CHECK_CONTAINS(output, "accuracy: 100.00% (200 of 200)");
    CHECK_CONTAINS(output, "confusion matrix");
    CHECK(run("predict --model m --data test.csv --out -") == 0);
    CHECK_CONTAINS(output, "ImageId,Label\n1,0\n2,1\n3,2\n");
    CHECK_CONTAINS(output, "20,9\n");
    CHECK(run("predict --model m --data test.csv --out sub.csv") == 0);
    CHECK_CONTAINS(output, "wrote 20 predictions to sub.csv");
    CHECK(run("eval --model m --data test.csv") == 1);
    CHECK_CONTAINS(output, "has no label column");
    char path[512];
    snprintf(path, sizeof path, "%s/curve.csv", tmpdir);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    int lines = 0;
    for (int c; (c = fgetc(f)) != EOF;) lines += c == '\n';
    fclose(f);
    CHECK(lines == 9); /* header + 8 epochs */
}

TEST(an_unwritable_output_should_exit_1_and_say_why) {
    setup();
    write_csv("small.csv", 20, 1);
    CHECK(run("train --data small.csv --hidden 4 --epochs 1 --out /proc/no/such/dir --quiet") == 1);
    CHECK_CONTAINS(output, "/proc/no/such/dir");
    CHECK(run("train --data small.csv --hidden 4 --epochs 1 --out m2 --quiet") == 0);
    CHECK(run("predict --model m2 --data small.csv --out /proc/no/such/file.csv") == 1);
    CHECK_CONTAINS(output, "/proc/no/such/file.csv: cannot write");
}

static int exists(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return access(path, F_OK) == 0;
}

/* Entries in the directory tmpdir/name other than . and .., or -1. */
static int count_entries(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* The bytes of tmpdir/name, malloc'd (NULL if it cannot be read); *len gets the size. */
static char *slurp(const char *name, size_t *len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

TEST(a_diverging_run_should_exit_1_and_leave_the_model_directory_alone) {
    setup();
    write_csv("train.csv", 200, 1);
    /* A new output directory is not even created. */
    CHECK(run("train --data train.csv --hidden 32 --epochs 3 --lr 50 --optimizer sgd --out fresh") == 1);
    CHECK_CONTAINS(output, "digits train: training diverged at epoch 1, batch ");
    CHECK_CONTAINS(output, "try a lower learning rate than 50");
    CHECK_CONTAINS(output, "; nothing was saved");
    CHECK(strstr(output, "saved fresh") == NULL);
    CHECK(!exists("fresh"));
    /* An existing model is left byte for byte as it was, also when the run started from it. */
    CHECK(run("train --data train.csv --hidden 32 --epochs 1 --lr 0.01 --out kept --quiet") == 0);
    const char *files[] = {"kept/W1.npy", "kept/b1.npy", "kept/W2.npy", "kept/b2.npy", "kept/calibration.txt"};
    char *before[5];
    size_t lens[5];
    for (int t = 0; t < 5; t++) CHECK((before[t] = slurp(files[t], &lens[t])) != NULL);
    CHECK(run("train --data train.csv --hidden 32 --epochs 3 --lr 50 --optimizer sgd --out kept --quiet") == 1);
    CHECK_CONTAINS(output, "training diverged");
    CHECK(run("train --data train.csv --init kept --epochs 3 --lr 50 --optimizer sgd --out kept --quiet") == 1);
    CHECK_CONTAINS(output, "training diverged");
    for (int t = 0; t < 5; t++) {
        size_t len;
        char *after = slurp(files[t], &len);
        CHECK(after != NULL && len == lens[t] && memcmp(after, before[t], len) == 0);
        free(after);
        free(before[t]);
    }
    CHECK(count_entries("kept") == 5); /* no stray temporary files */
}

/* train fits calibration.txt on digits it held out (the logsumexp score with outliers), and eval
 * reports the digits rejected, the ECE and, given --outliers, the non-digits accepted. */
TEST(train_should_write_a_calibration_that_eval_reports) {
    setup();
    write_csv("train.csv", 200, 1);
    CHECK(run("train --data train.csv --hidden 32 --epochs 8 --lr 0.01 --outliers 1 --out oe --quiet") == 0);
    size_t len;
    char *text = slurp("oe/calibration.txt", &len);
    CHECK(text != NULL);
    CHECK_CONTAINS(text, "score logsumexp\nthreshold ");
    free(text);
    CHECK(run("eval --model oe --data train.csv --outliers train.csv") == 0);
    CHECK_CONTAINS(output, "not a digit: logsumexp >= ");
    CHECK_CONTAINS(output, "(oe/calibration.txt)\ndigits rejected: ");
    CHECK_CONTAINS(output, "expected calibration error: ");
    CHECK_CONTAINS(output, "non-digits accepted: ");
    CHECK_CONTAINS(output, " of 200 in train.csv)");
    /* without outliers the score is the top probability; with too few digits to hold any out, the default */
    CHECK(run("train --data train.csv --hidden 32 --epochs 1 --out plain") == 0);
    CHECK_CONTAINS(output, "calibration.txt (max-softmax >= ");
    write_csv("few.csv", 10, 1);
    CHECK(run("train --data few.csv --hidden 8 --epochs 1 --out few") == 0);
    CHECK_CONTAINS(output, "calibration.txt (max-softmax >= 0.5 is a digit, temperature 1; the default: too few digits to hold some out)");
}

/* --outlier-weights takes one weight for each kind of outlier, pictograms among them, and names
 * the kinds when the count is wrong (exit 1, as for every bad value). */
TEST(outlier_weights_should_take_one_number_for_each_kind) {
    setup();
    write_csv("train.csv", 100, 1);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --outliers 1 --outlier-weights 0,0,0,0,1,0,0,0 --out pict --quiet") == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --outliers 1 --outlier-weights 1,1,1,1,1,1,6 --out seven") == 1);
    CHECK_CONTAINS(output, "--outlier-weights '1,1,1,1,1,1,6' must be 8 numbers from 0 to 1000, separated by commas (scribble, ...)");
}

/* The energy hinge and outlier mining ride on outlier exposure: without --outliers, or with the
 * outliers' margin above the digits' or a skip that leaves too few candidates, train refuses
 * before training and saves nothing. */
TEST(train_should_take_the_energy_hinge_and_mining_only_with_outliers) {
    setup();
    write_csv("train.csv", 100, 1);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --outliers 1 --energy-weight 0.1 --energy-in 1 --energy-out -4 --out hinge --quiet") == 0);
    CHECK(run("eval --model hinge --data train.csv") == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --energy-weight 0.1 --out never") == 1);
    CHECK_CONTAINS(output, "--energy-weight, --energy-in and --energy-out need --outliers");
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --outliers 1 --energy-weight 0.1 --energy-in -2 --energy-out 1 --out never --quiet") == 1);
    CHECK_CONTAINS(output, "the outliers' energy margin 1 must not be above the digits' -2");
    CHECK(run("train --data train.csv --outliers 1 --energy-weight -1 --out never") == 1);
    CHECK_CONTAINS(output, "--energy-weight '-1' must be a number from 0 to 100");
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --outliers 1 --outlier-mining 3 --outlier-mining-skip 0.2 --out mined --quiet") == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --outlier-mining 3 --out never") == 1);
    CHECK_CONTAINS(output, "--outlier-mining and --outlier-mining-skip need --outliers");
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --outliers 1 --outlier-mining 2 --outlier-mining-skip 0.6 --out never --quiet") == 1);
    CHECK_CONTAINS(output, "outlier mining skip 0.6 must be 0..0.5");
    CHECK(run("eval --model never --data train.csv") == 1);
}

/* --teacher: a model of any hidden size to distil from, or several (comma-separated); a teacher
 * that cannot be loaded, first or later in the list, stops the run before training, naming the
 * file, and nothing is saved. */
TEST(train_should_take_a_teacher_and_refuse_a_bad_one) {
    setup();
    write_csv("train.csv", 100, 1);
    CHECK(run("train --data train.csv --hidden 4 --epochs 2 --out small --quiet") == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small --teacher-weight 0.7 --teacher-temperature 2 --out taught --quiet") == 0);
    CHECK(run("eval --model taught --data train.csv") == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small,taught --out pair --quiet") == 0);
    CHECK(run("eval --model pair --data train.csv") == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small,noteacher --out never --quiet") == 1);
    CHECK_CONTAINS(output, "digits train: --teacher: noteacher/W1.npy: cannot open");
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small,,taught --out never --quiet") == 1);
    CHECK_CONTAINS(output, "--teacher 'small,,taught' must be model directories separated by commas");
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher s,s,s,s,s,s,s,s,s --out never --quiet") == 1);
    CHECK_CONTAINS(output, "--teacher: s/W1.npy");
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small,small,small,small,small,small,small,small,small --out never --quiet") == 1);
    CHECK_CONTAINS(output, "--teacher: at most 8 models");
    CHECK(run("eval --model never --data train.csv") == 1);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher noteacher --out never --quiet") == 1);
    CHECK_CONTAINS(output, "digits train: --teacher: noteacher/W1.npy: cannot open");
    CHECK(run("eval --model never --data train.csv") == 1);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher train.csv --out never --quiet") == 1);
    CHECK_CONTAINS(output, "--teacher: train.csv/W1.npy");
    CHECK(run("train --data train.csv --teacher-weight 0.5 --out never") == 1);
    CHECK_CONTAINS(output, "--teacher-weight, --teacher-temperature and --teacher-rows need --teacher DIR");
    /* --teacher-rows: only the first N rows of --data, which a calibration split would reorder */
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small --teacher-rows 50 --calibration-split 0 --out firsts --quiet") == 0);
    CHECK(run("eval --model firsts --data train.csv") == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small --teacher-rows 50 --out never --quiet") == 1);
    CHECK_CONTAINS(output, "--teacher-rows needs --calibrate FILE or --calibration-split 0");
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --teacher small --teacher-rows 101 --calibration-split 0 --out never --quiet") == 1);
    CHECK_CONTAINS(output, "teacher rows 101: the training data has only 100 rows");
    CHECK(run("train --data train.csv --teacher-rows 5 --out never") == 1);
    CHECK_CONTAINS(output, "need --teacher DIR");
    CHECK(run("eval --model never --data train.csv") == 1);
    CHECK(run("train --data train.csv --teacher small --teacher-weight 2 --out never") == 1);
    CHECK_CONTAINS(output, "--teacher-weight '2' must be a number from 0 to 1");
}

/* The value of `key` in calibration.txt's text, as written (up to the end of its line). */
static void calibration_value(const char *text, const char *key, char *out, size_t size) {
    const char *at = strstr(text, key);
    size_t n = 0;
    if (at) at += strlen(key) + 1;
    while (at && at[n] && at[n] != '\n' && n + 1 < size) n++;
    memcpy(out, at ? at : "", n);
    out[n] = '\0';
}

/* --temperature-data fits the temperature on other digits; the threshold stays --calibrate's. */
TEST(train_should_take_the_temperature_from_temperature_data) {
    setup();
    write_csv("train.csv", 200, 1);
    write_csv("calib.csv", 50, 1);
    /* the same digits, every other one labelled as the next digit: a far higher temperature fits them */
    write_csv("mixed.csv", 50, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/mixed.csv", tmpdir);
    FILE *f = fopen(path, "r+");
    CHECK(f != NULL);
    char line[8192];
    long at = 0;
    CHECK(fgets(line, sizeof line, f) != NULL);
    for (int i = 0; i < 50 && (at = ftell(f)) >= 0 && fgets(line, sizeof line, f); i++) {
        if (i % 2 == 0) continue;
        fseek(f, at, SEEK_SET);
        fputc('0' + (line[0] - '0' + 1) % 10, f);
        fseek(f, at + (long)strlen(line), SEEK_SET);
    }
    fclose(f);
    const char *base = "train --data train.csv --hidden 8 --epochs 2 --lr 0.01 --quiet";
    char cmd[512], values[3][2][64];
    const char *outs[] = {"--calibrate calib.csv --out a", "--calibrate mixed.csv --out b",
                          "--calibrate calib.csv --temperature-data mixed.csv --out c"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "%s %s", base, outs[k]);
        CHECK(run(cmd) == 0);
        char name[] = "a/calibration.txt";
        name[0] = (char)('a' + k);
        size_t len;
        char *text = slurp(name, &len);
        CHECK(text != NULL);
        calibration_value(text, "threshold", values[k][0], sizeof values[k][0]);
        calibration_value(text, "temperature", values[k][1], sizeof values[k][1]);
        free(text);
    }
    CHECK(strcmp(values[0][1], values[1][1]) != 0); /* the two sets want different temperatures */
    CHECK(strcmp(values[2][0], values[0][0]) == 0);
    CHECK(strcmp(values[2][1], values[1][1]) == 0);
    CHECK(run("train --data train.csv --hidden 8 --epochs 1 --calibrate calib.csv --temperature-data none.csv --out d") == 1);
    CHECK_CONTAINS(output, "none.csv");
}

static const TestCase TESTS[] = {
    T(no_arguments_should_print_usage_and_exit_2),
    T(help_should_describe_each_command_and_exit_0),
    T(an_unknown_command_should_exit_2_with_one_line),
    T(bad_flags_should_exit_1_naming_the_flag),
    T(a_missing_file_should_exit_1_naming_the_file),
    T(a_malformed_csv_should_exit_1_with_line_and_column),
    T(train_eval_and_predict_should_work_end_to_end),
    T(train_should_write_a_calibration_that_eval_reports),
    T(outlier_weights_should_take_one_number_for_each_kind),
    T(train_should_take_the_energy_hinge_and_mining_only_with_outliers),
    T(train_should_take_a_teacher_and_refuse_a_bad_one),
    T(train_should_take_the_temperature_from_temperature_data),
    T(an_unwritable_output_should_exit_1_and_say_why),
    T(a_diverging_run_should_exit_1_and_leave_the_model_directory_alone),
};

TEST_MAIN(TESTS)
