/* test_bad_input.c: docs/bad-input.md, executed.
 *
 * Each row of the table in docs/bad-input.md names a test. For the rows run through the `digits`
 * command, that test is here: it writes the row's input files into a fresh temporary directory,
 * runs the row's Command cell as it is written (`digits ...`, with the built binary), and checks
 * the exit code and the WHOLE output (stdout and stderr) against the row, character for character
 * ("…" in a row stands for a number that depends on floating-point details).
 * So the table cannot drift from what users see. The rows for the browser module are checked the
 * same way by tests/wasm/bad_input.test.mjs; bad_input_table_should_name_only_real_tests checks
 * that every row names a test that exists. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "files.h"
#include "model_io.h"

#define DOC DIGITS_SOURCE_DIR "/docs/bad-input.md"

static char tmpdir[] = "/tmp/digits_bad_input_XXXXXX";

/* ---- the table: a row is "| input | `command` | exit | `message` | `test` |" ---- */

typedef struct {
    char input[1024], command[1024], exit_code[16], message[1024], test[256];
} Row;

static char *doc; /* docs/bad-input.md */

/* Reads the table line at line into row; 0 unless it has five cells. Backticks around a cell go. */
static int read_row(const char *line, Row *row) {
    char *cells[5] = {row->input, row->command, row->exit_code, row->message, row->test};
    size_t caps[5] = {sizeof row->input, sizeof row->command, sizeof row->exit_code, sizeof row->message, sizeof row->test};
    const char *eol = strchr(line, '\n');
    if (strncmp(line, "| ", 2) || !eol) return 0;
    const char *p = line + 2;
    for (int i = 0; i < 5; i++) {
        const char *end = strstr(p, i < 4 ? " | " : " |\n");
        if (!end || end > eol) return 0;
        int tick = end - p >= 2 && *p == '`' && end[-1] == '`';
        snprintf(cells[i], caps[i], "%.*s", (int)(end - p) - 2 * tick, p + tick);
        p = end + 3;
    }
    return 1;
}

/* The row whose Test cell is `test`. */
static int find_row(const char *test, Row *row) {
    char key[300];
    snprintf(key, sizeof key, " | `%s` |\n", test);
    const char *line = strstr(doc, key);
    if (!line) return -1;
    while (line > doc && line[-1] != '\n') line--;
    return read_row(line, row) ? 0 : -1;
}

/* ---- running the CLI in the temporary directory ---- */

static void remove_tmpdir(void) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}

static char *slurp(const char *path) {
    uint8_t *buf;
    size_t len;
    if (files_read(path, &buf, &len, NULL)) return NULL;
    char *text = realloc(buf, len + 1);
    if (!text) {
        free(buf);
        return NULL;
    }
    text[len] = '\0';
    return text;
}

static void setup(void) {
    if (tmpdir[strlen(tmpdir) - 1] != 'X') return;
    if (!(doc = slurp(DOC))) {
        fprintf(stderr, "cannot read %s\n", DOC);
        exit(2);
    }
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        exit(2);
    }
    atexit(remove_tmpdir);
}

static char output[65536];

/* Runs a shell command line in tmpdir, "digits" at its start replaced by the built binary, with
 * stdout and stderr captured into `output` (one trailing newline removed). Returns the exit code. */
static int run(const char *command) {
    char cmd[4096];
    if (strncmp(command, "digits ", 7) != 0) return -1;
    snprintf(cmd, sizeof cmd, "cd %s && %s %s > out.txt 2>&1", tmpdir, DIGITS_CLI, command + 7);
    int status = system(cmd);
    char path[512];
    snprintf(path, sizeof path, "%s/out.txt", tmpdir);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(output, 1, sizeof output - 1, f) : 0;
    output[n] = '\0';
    if (f) fclose(f);
    if (n && output[n - 1] == '\n') output[n - 1] = '\0';
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* 1 if text is exactly pattern, where each "…" in pattern stands for any text (used where the
 * output holds a number that depends on floating-point details, such as a diverged loss). */
static int matches(const char *text, const char *pattern) {
    static const char ANY[] = "\xe2\x80\xa6"; /* … in UTF-8 */
    const char *any = strstr(pattern, ANY);
    if (!any) return strcmp(text, pattern) == 0;
    size_t head = (size_t)(any - pattern);
    if (strncmp(text, pattern, head) != 0) return 0;
    for (const char *t = text + head; *t; t++)
        if (matches(t, any + 3)) return 1;
    return matches("", any + 3);
}

/* Runs the row named test and compares; prints what differs. 1 if the row matches. */
static int row_holds(const char *test) {
    Row row;
    if (find_row(test, &row)) {
        fprintf(stderr, "docs/bad-input.md has no row whose Test is `%s`\n", test);
        return 0;
    }
    int code = run(row.command);
    int ok = 1;
    if (code != atoi(row.exit_code)) {
        fprintf(stderr, "`%s` exited %d; the table says %s\n", row.command, code, row.exit_code);
        ok = 0;
    }
    if (!matches(output, row.message)) {
        fprintf(stderr, "`%s` printed:\n%s\nthe table says:\n%s\n", row.command, output, row.message);
        ok = 0;
    }
    return ok;
}

/* A test of the row named `name`: its body writes the row's input files into the temporary
 * directory; then the row's command runs and its output is compared with the row. */
#define ROW(name)                                                                \
    static void name##_input(void);                                              \
    TEST(name) {                                                                 \
        setup();                                                                 \
        name##_input();                                                          \
        CHECK(row_holds(#name));                                                 \
    }                                                                            \
    static void name##_input(void)

/* ---- input files ---- */

static FILE *create(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    return f;
}

static void write_bytes(const char *name, const void *bytes, size_t len) {
    FILE *f = create(name);
    fwrite(bytes, 1, len, f);
    fclose(f);
}

static void put_header(FILE *f, int labelled) {
    if (labelled) fputs("label,", f);
    for (int k = 0; k < 784; k++) fprintf(f, "pixel%d%s", k, k < 783 ? "," : "");
}

/* Row r of the generated digits: class r % 10 is a bar at row 4 + 2c. */
static void put_row(FILE *f, int r, int labelled, const char *eol) {
    int c = r % 10;
    if (labelled) fprintf(f, "%d,", c);
    for (int k = 0; k < 784; k++) {
        int v = (k / 28 == 4 + 2 * c && k % 28 > 3 && k % 28 < 24) ? 255 : 0;
        fprintf(f, "%d%s", v, k < 783 ? "," : eol);
    }
}

/* A well-formed CSV of n rows. */
static void write_csv(const char *name, int n, int labelled) {
    FILE *f = create(name);
    put_header(f, labelled);
    fputc('\n', f);
    for (int r = 0; r < n; r++) put_row(f, r, labelled, "\n");
    fclose(f);
}

/* A train CSV with one good row, then `tail` (len bytes) as line 3. */
static void write_csv_then(const char *name, const char *tail, size_t len) {
    FILE *f = create(name);
    put_header(f, 1);
    fputc('\n', f);
    put_row(f, 0, 1, "\n");
    fwrite(tail, 1, len, f);
    fclose(f);
}

/* A train CSV whose line 2 has `count` fields, field `col` (1-based) replaced by `text`. */
static void write_csv_row(const char *name, int count, int col, const char *text) {
    FILE *f = create(name);
    put_header(f, 1);
    fputc('\n', f);
    for (int k = 1; k <= count; k++) fprintf(f, "%s%s", k == col ? text : k == 1 ? "3" : "0", k < count ? "," : "\n");
    fclose(f);
}

/* A model with 8 hidden units in directory dir, as float32 .npy files. */
static void write_model(const char *dir) {
    Model m;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, dir);
    DigitsError err;
    if (nn_model_alloc(&m, 8, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(2);
    }
    nn_model_init_he(&m, 1);
    if (files_save_model(&m, path, NPY_F32, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(2);
    }
    nn_model_free(&m);
}

/* Replaces dir/file with a .npy written by hand: header dict text, then nbytes of data. */
static void write_npy(const char *dir, const char *file, int major, const char *header, const void *data,
                      size_t nbytes) {
    char name[256];
    snprintf(name, sizeof name, "%s/%s", dir, file);
    size_t hlen = strlen(header), start = major == 1 ? 10 : 12;
    FILE *f = create(name);
    fwrite("\x93NUMPY", 1, 6, f);
    fputc(major, f);
    fputc(0, f);
    for (size_t i = 0; i < start - 8; i++) fputc((int)((hlen >> (8 * i)) & 0xff), f);
    fwrite(header, 1, hlen, f);
    if (nbytes) fwrite(data, 1, nbytes, f);
    fclose(f);
}

/* A model directory `dir` whose file `file` is replaced by a hand-made .npy. */
static void write_model_with(const char *dir, const char *file, int major, const char *header, const void *data,
                             size_t nbytes) {
    write_model(dir);
    write_npy(dir, file, major, header, data, nbytes);
}

/* Cuts tmpdir/name to len bytes. */
static void cut(const char *name, off_t len) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    if (truncate(path, len) != 0) {
        perror(path);
        exit(2);
    }
}

/* ---- CSV ---- */

ROW(csv_empty_file_should_be_rejected) { write_bytes("empty.csv", "", 0); }
ROW(csv_header_only_should_be_rejected) { write_csv("header.csv", 0, 1); }
ROW(csv_wrong_header_should_be_rejected) { write_bytes("names.csv", "name,age\nada,36\n", 16); }
ROW(csv_row_with_too_few_columns_should_be_rejected) { write_csv_row("short.csv", 700, 0, NULL); }
ROW(csv_row_with_too_many_columns_should_be_rejected) { write_csv_row("long.csv", 786, 0, NULL); }
ROW(csv_non_numeric_value_should_be_rejected) { write_csv_row("text.csv", 785, 12, "abc"); }
ROW(csv_decimal_value_should_be_rejected) { write_csv_row("decimal.csv", 785, 100, "0.5"); }
ROW(csv_negative_value_should_be_rejected) { write_csv_row("negative.csv", 785, 5, "-1"); }
ROW(csv_pixel_256_should_be_rejected) { write_csv_row("pixel256.csv", 785, 300, "256"); }
ROW(csv_label_10_should_be_rejected) { write_csv_row("label10.csv", 785, 1, "10"); }
ROW(csv_empty_field_should_be_rejected) { write_csv_row("gap.csv", 785, 7, ""); }

ROW(csv_blank_line_in_the_middle_should_be_rejected) {
    FILE *f = create("blank.csv");
    put_header(f, 1);
    fputs("\n", f);
    put_row(f, 0, 1, "\n\n");
    put_row(f, 1, 1, "\n");
    fclose(f);
}

ROW(csv_truncated_last_line_should_be_rejected) { write_csv_then("truncated.csv", "7,0,0,0", 7); }

/* 100 MB on one line: the parser keeps no line in memory and stops at the 786th field. */
TEST(csv_100_mb_line_without_newline_should_fail_at_once_in_little_memory) {
    setup();
    FILE *f = create("oneline.csv");
    put_header(f, 1);
    fputc('\n', f);
    static char block[1 << 20];
    for (size_t i = 0; i < sizeof block; i += 2) memcpy(block + i, "0,", 2);
    for (int i = 0; i < 100; i++) fwrite(block, 1, sizeof block, f);
    fclose(f);
    struct stat st;
    char path[512];
    snprintf(path, sizeof path, "%s/oneline.csv", tmpdir);
    CHECK(stat(path, &st) == 0 && st.st_size > 100 * 1000 * 1000);
    CHECK(row_holds("csv_100_mb_line_without_newline_should_fail_at_once_in_little_memory"));
    struct rusage ru;
    CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0);
    if (ru.ru_maxrss > 64 * 1024) fprintf(stderr, "peak memory %ld KB\n", ru.ru_maxrss);
    CHECK(ru.ru_maxrss < 64 * 1024); /* KB: far below the 100 MB line (ASan builds included) */
    remove(path);
}

ROW(csv_binary_garbage_should_be_rejected) {
    const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x08, 0x5c, 0x2e, 0x6b, 0x65, 0x00, 0x03, 't', 'r', 'a', 'i', 'n'};
    write_bytes("train.csv.gz", gz, sizeof gz);
}

ROW(csv_file_of_nul_bytes_should_be_rejected) {
    FILE *f = create("zeros.csv"); /* e.g. preallocated and never written */
    fclose(f);
    cut("zeros.csv", 1 << 20);
}

ROW(csv_nul_byte_in_a_row_should_be_rejected) { write_csv_then("nul.csv", "3,1\0002,0\n", 8); }
ROW(csv_bare_carriage_return_should_be_rejected) { write_csv_then("cr.csv", "3,0\r0,0\n", 8); }

TEST(csv_crlf_and_bom_should_be_accepted) {
    setup();
    write_model("model");
    FILE *f = create("windows.csv");
    fputs("\xEF\xBB\xBF", f);
    put_header(f, 0);
    fputs("\r\n", f);
    for (int r = 0; r < 3; r++) put_row(f, r, 0, "\r\n");
    fclose(f);
    write_csv("unix.csv", 3, 0);
    CHECK(row_holds("csv_crlf_and_bom_should_be_accepted"));
    /* The same predictions as the plain LF file. */
    static char from_windows[sizeof output];
    CHECK(run("digits predict --model model --data windows.csv --out -") == 0);
    snprintf(from_windows, sizeof from_windows, "%s", output);
    CHECK(run("digits predict --model model --data unix.csv --out -") == 0);
    CHECK(strcmp(output, from_windows) == 0);
    CHECK(strncmp(output, "ImageId,Label\n1,", 16) == 0);
}

ROW(csv_test_format_given_to_train_should_be_rejected) { write_csv("test.csv", 2, 0); }

ROW(csv_test_format_given_to_eval_should_be_rejected) {
    write_model("model");
    write_csv("test.csv", 2, 0);
}

/* ---- .npy model files ---- */

static const char F32_8x784[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (8, 784), }\n";

ROW(model_file_bad_magic_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    write_model("model");
    write_bytes("model/W1.npy", "W1 = [[0.1, 0.2], ...]\n", 23);
}

ROW(model_file_missing_file_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    write_model("model");
    char path[512];
    snprintf(path, sizeof path, "%s/model/b2.npy", tmpdir);
    CHECK(remove(path) == 0);
}

ROW(model_file_truncated_header_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    write_model("model");
    cut("model/W2.npy", 40);
}

ROW(model_file_truncated_data_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    write_model("model");
    cut("model/W1.npy", 128 + 8 * 784 * 4 - 1000); /* a download cut short */
}

ROW(model_file_unsupported_dtype_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    int32_t data[10] = {0};
    write_model_with("model", "b2.npy", 1, "{'descr': '<i4', 'fortran_order': False, 'shape': (10,), }\n", data,
                     sizeof data);
}

ROW(model_file_big_endian_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    double data[10] = {0};
    write_model_with("model", "b2.npy", 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (10, 1), }\n", data,
                     sizeof data);
}

ROW(model_file_wrong_shape_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    float data[10 * 9] = {0};
    write_model_with("model", "W2.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 9), }\n", data,
                     sizeof data);
}

ROW(model_file_transposed_w1_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    static float data[784 * 8];
    write_model_with("model", "W1.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 8), }\n", data,
                     sizeof data);
}

ROW(model_file_three_dimensions_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    float data[10] = {0};
    write_model_with("model", "b2.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 1, 1), }\n",
                     data, sizeof data);
}

ROW(model_file_fortran_order_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    static float data[8 * 784];
    write_model_with("model", "W1.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (8, 784), }\n", data,
                     sizeof data);
}

ROW(model_file_header_length_overflow_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    write_model("model");
    const uint8_t bad[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0xff, '{', '}'};
    write_bytes("model/b1.npy", bad, sizeof bad);
}

ROW(model_file_shape_overflow_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    write_model_with("model", "W1.npy", 1,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 784), }\n", NULL, 0);
}

ROW(model_file_nan_weight_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    static float data[8 * 784];
    data[785] = NAN;
    write_model_with("model", "W1.npy", 1, F32_8x784, data, sizeof data);
}

ROW(model_file_infinite_weight_should_be_rejected) {
    write_csv("digits.csv", 2, 1);
    uint16_t data[10] = {0, 0, 0, 0x7c00, 0, 0, 0, 0, 0, 0}; /* float16 +inf */
    write_model_with("model", "b2.npy", 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (10, 1), }\n", data,
                     sizeof data);
}

/* ---- calibration.txt ---- */

/* The model, with text as its calibration.txt. */
static void write_calibrated_model(const char *text, size_t len) {
    write_csv("digits.csv", 2, 1);
    write_model("model");
    write_bytes("model/calibration.txt", text, len);
}

ROW(calibration_missing_line_should_be_rejected) { write_calibrated_model("score logsumexp\nthreshold -4.2\n", strlen("score logsumexp\nthreshold -4.2\n")); }
ROW(calibration_zero_temperature_should_be_rejected) { write_calibrated_model("score logsumexp\nthreshold -4.2\ntemperature 0\n", strlen("score logsumexp\nthreshold -4.2\ntemperature 0\n")); }
ROW(calibration_threshold_not_a_number_should_be_rejected) { write_calibrated_model("score logsumexp\nthreshold high\ntemperature 1\n", strlen("score logsumexp\nthreshold high\ntemperature 1\n")); }
ROW(calibration_unknown_score_should_be_rejected) { write_calibrated_model("score energy\nthreshold -4.2\ntemperature 1\n", strlen("score energy\nthreshold -4.2\ntemperature 1\n")); }
ROW(calibration_unknown_key_should_be_rejected) { write_calibrated_model("score logsumexp\nbias 3\n", strlen("score logsumexp\nbias 3\n")); }
ROW(calibration_key_given_twice_should_be_rejected) { write_calibrated_model("score logsumexp\nthreshold 1\ntemperature 1\nthreshold 2\n", strlen("score logsumexp\nthreshold 1\ntemperature 1\nthreshold 2\n")); }
ROW(calibration_line_without_key_value_should_be_rejected) { write_calibrated_model("score logsumexp\nthreshold = 1\n", strlen("score logsumexp\nthreshold = 1\n")); }
ROW(calibration_max_softmax_threshold_above_1_should_be_rejected) { write_calibrated_model("score max-softmax\nthreshold 2\ntemperature 1\n", strlen("score max-softmax\nthreshold 2\ntemperature 1\n")); }
ROW(calibration_binary_file_should_be_rejected) {
    static const char npy[] = "\x93NUMPY\x01\x00v\x00";
    write_calibrated_model(npy, sizeof npy - 1);
}

/* ---- the command line ---- */

ROW(cli_missing_data_file_should_be_named) {}
ROW(cli_missing_model_directory_should_be_named) { write_csv("digits.csv", 2, 1); }

/* The output directory is checked before the data is even read. */
ROW(cli_unwritable_model_directory_should_fail_before_training) { write_csv("digits.csv", 20, 1); }
ROW(cli_model_directory_that_is_a_file_should_fail_before_training) { write_csv("digits.csv", 20, 1); }

ROW(cli_unwritable_submission_should_be_named) {
    write_model("model");
    write_csv("test.csv", 2, 0);
}

ROW(cli_unwritable_log_should_be_named) { write_csv("digits.csv", 20, 1); }
ROW(cli_unknown_command_should_exit_2) {}
ROW(cli_unknown_option_should_be_named) {}
ROW(cli_option_without_value_should_be_named) {}
ROW(cli_number_out_of_range_should_be_named) {}
ROW(cli_not_a_number_should_be_named) {}
ROW(cli_bad_choice_should_list_the_choices) {}

/* ---- training that goes wrong ---- */

TEST(train_divergence_should_exit_1_and_save_nothing) {
    setup();
    write_csv("digits.csv", 200, 1);
    CHECK(row_holds("train_divergence_should_exit_1_and_save_nothing"));
    char path[512];
    snprintf(path, sizeof path, "%s/model-out", tmpdir);
    CHECK(access(path, F_OK) != 0); /* not even the directory */
}

/* ---- the table itself ---- */

TEST(bad_input_table_should_name_only_real_tests) {
    setup();
    char *c_source = slurp(DIGITS_SOURCE_DIR "/tests/c/test_bad_input.c");
    char *js_source = slurp(DIGITS_SOURCE_DIR "/tests/wasm/bad_input.test.mjs");
    CHECK(c_source != NULL && js_source != NULL);
    int rows = 0, missing = 0;
    for (const char *line = doc; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        Row row;
        if (!read_row(line, &row) || !strcmp(row.test, "Test") || !strncmp(row.test, "---", 3)) continue;
        char as_c[300], as_js[300];
        snprintf(as_c, sizeof as_c, "T(%s)", row.test);
        snprintf(as_js, sizeof as_js, "test('%s'", row.test);
        int by_cli = strncmp(row.command, "digits ", 7) == 0;
        if (!strstr(by_cli ? c_source : js_source, by_cli ? as_c : as_js)) {
            fprintf(stderr, "row '%s' names test `%s`, which %s does not define\n", row.input, row.test,
                    by_cli ? "tests/c/test_bad_input.c" : "tests/wasm/bad_input.test.mjs");
            missing++;
        }
        if (row.message[0] == '\0' || row.exit_code[0] == '\0') {
            fprintf(stderr, "row '%s' has no message or exit code\n", row.input);
            missing++;
        }
        rows++;
    }
    free(c_source);
    free(js_source);
    CHECK(missing == 0);
    CHECK(rows >= 40);
}

static const TestCase TESTS[] = {
    T(csv_empty_file_should_be_rejected),
    T(csv_header_only_should_be_rejected),
    T(csv_wrong_header_should_be_rejected),
    T(csv_row_with_too_few_columns_should_be_rejected),
    T(csv_row_with_too_many_columns_should_be_rejected),
    T(csv_non_numeric_value_should_be_rejected),
    T(csv_decimal_value_should_be_rejected),
    T(csv_negative_value_should_be_rejected),
    T(csv_pixel_256_should_be_rejected),
    T(csv_label_10_should_be_rejected),
    T(csv_empty_field_should_be_rejected),
    T(csv_blank_line_in_the_middle_should_be_rejected),
    T(csv_truncated_last_line_should_be_rejected),
    T(csv_100_mb_line_without_newline_should_fail_at_once_in_little_memory),
    T(csv_binary_garbage_should_be_rejected),
    T(csv_file_of_nul_bytes_should_be_rejected),
    T(csv_nul_byte_in_a_row_should_be_rejected),
    T(csv_bare_carriage_return_should_be_rejected),
    T(csv_crlf_and_bom_should_be_accepted),
    T(csv_test_format_given_to_train_should_be_rejected),
    T(csv_test_format_given_to_eval_should_be_rejected),
    T(model_file_bad_magic_should_be_rejected),
    T(model_file_missing_file_should_be_rejected),
    T(model_file_truncated_header_should_be_rejected),
    T(model_file_truncated_data_should_be_rejected),
    T(model_file_unsupported_dtype_should_be_rejected),
    T(model_file_big_endian_should_be_rejected),
    T(model_file_wrong_shape_should_be_rejected),
    T(model_file_transposed_w1_should_be_rejected),
    T(model_file_three_dimensions_should_be_rejected),
    T(model_file_fortran_order_should_be_rejected),
    T(model_file_header_length_overflow_should_be_rejected),
    T(model_file_shape_overflow_should_be_rejected),
    T(model_file_nan_weight_should_be_rejected),
    T(calibration_missing_line_should_be_rejected),
    T(calibration_zero_temperature_should_be_rejected),
    T(calibration_threshold_not_a_number_should_be_rejected),
    T(calibration_unknown_score_should_be_rejected),
    T(calibration_unknown_key_should_be_rejected),
    T(calibration_key_given_twice_should_be_rejected),
    T(calibration_line_without_key_value_should_be_rejected),
    T(calibration_max_softmax_threshold_above_1_should_be_rejected),
    T(calibration_binary_file_should_be_rejected),
    T(model_file_infinite_weight_should_be_rejected),
    T(cli_missing_data_file_should_be_named),
    T(cli_missing_model_directory_should_be_named),
    T(cli_unwritable_model_directory_should_fail_before_training),
    T(cli_model_directory_that_is_a_file_should_fail_before_training),
    T(cli_unwritable_submission_should_be_named),
    T(cli_unwritable_log_should_be_named),
    T(cli_unknown_command_should_exit_2),
    T(cli_unknown_option_should_be_named),
    T(cli_option_without_value_should_be_named),
    T(cli_number_out_of_range_should_be_named),
    T(cli_not_a_number_should_be_named),
    T(cli_bad_choice_should_list_the_choices),
    T(train_divergence_should_exit_1_and_save_nothing),
    T(bad_input_table_should_name_only_real_tests),
};

TEST_MAIN(TESTS)
