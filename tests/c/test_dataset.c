/* test_dataset.c: the Kaggle CSV parser, fed whole, in every chunking, and with every kind of
 * broken input. CSVs are built in memory from row numbers, so the expected values are known. */
#include <stdarg.h>
#include <stdint.h>

#include "check.h"
#include "dataset.h"

/* ---- building CSV text ---- */

typedef struct {
    char *s;
    size_t n, cap;
} Text;

static void put_bytes(Text *t, const char *s, size_t n) {
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->n + n + 1) cap *= 2;
        char *grown = realloc(t->s, cap);
        if (!grown) abort();
        t->s = grown;
        t->cap = cap;
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void put(Text *t, const char *s) { put_bytes(t, s, strlen(s)); }

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void putf(Text *t, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(t, tmp);
}

static unsigned label_of(size_t r) { return (unsigned)((r * 7 + 3) % 10); }
/* Row 0 holds every value 0..255 (37 is odd), other rows shift it: 1, 2 and 3 digit numbers. */
static unsigned pixel_of(size_t r, unsigned i) { return (unsigned)((r * 131 + i * 37) % 256); }

static unsigned ncols_of(int labelled) { return DATASET_PIXELS + (labelled ? 1u : 0u); }

/* Appends `count` header fields; field `col` (1-based), if not 0, becomes `text`. */
static void put_header_fields(Text *t, int labelled, unsigned count, unsigned col, const char *text) {
    for (unsigned k = 1; k <= count; k++) {
        if (k > 1) put(t, ",");
        if (text && k == col)
            put(t, text);
        else if (labelled && k == 1)
            put(t, "label");
        else
            putf(t, "pixel%u", k - 1 - (labelled ? 1u : 0u));
    }
}

/* Appends `count` fields of data row r; field `col` (1-based), if not 0, becomes `text`. */
static void put_row_fields(Text *t, int labelled, size_t r, unsigned count, unsigned col, const char *text) {
    for (unsigned k = 1; k <= count; k++) {
        if (k > 1) put(t, ",");
        if (text && k == col)
            put(t, text);
        else if (labelled && k == 1)
            putf(t, "%u", label_of(r));
        else
            putf(t, "%u", pixel_of(r, (k - 1 - (labelled ? 1u : 0u)) % DATASET_PIXELS));
    }
}

typedef struct {
    int labelled, crlf, bom, no_final_newline, trailing_blanks;
} Shape;

/* A well-formed CSV of `rows` rows in the given shape. */
static Text make_csv(size_t rows, Shape sh) {
    Text t = {0};
    const char *eol = sh.crlf ? "\r\n" : "\n";
    if (sh.bom) put(&t, "\xEF\xBB\xBF");
    put_header_fields(&t, sh.labelled, ncols_of(sh.labelled), 0, NULL);
    put(&t, eol);
    for (size_t r = 0; r < rows; r++) {
        put_row_fields(&t, sh.labelled, r, ncols_of(sh.labelled), 0, NULL);
        if (r + 1 < rows || !sh.no_final_newline) put(&t, eol);
    }
    for (int b = 0; b < sh.trailing_blanks; b++) put(&t, eol);
    return t;
}

/* A train CSV: header, `good` complete rows, then `tail` verbatim (the line under test). */
static Text train_then(size_t good, const char *tail) {
    Text t = make_csv(good, (Shape){.labelled = 1});
    put(&t, tail);
    return t;
}

/* A train CSV whose data row 0 (line 2) has `count` fields, field `col` replaced by `text`. */
static Text train_with_row(unsigned count, unsigned col, const char *text) {
    Text t = make_csv(0, (Shape){.labelled = 1});
    put_row_fields(&t, 1, 0, count, col, text);
    put(&t, "\n");
    return t;
}

/* ---- parsing helpers ---- */

static uint64_t rng_state;
static uint64_t next_random(void) { /* splitmix64: seeded, the same everywhere */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Parses `len` bytes fed in chunks of `chunk` bytes, or of random sizes 0..-chunk when chunk < 0.
 * Returns the result of the first failing call (or of csv_finish). */
static int parse_chunked(const char *s, size_t len, long chunk, Dataset *out, DigitsError *err) {
    CsvParser *p = csv_parser_new(err);
    if (!p) return -1;
    int rc = 0;
    for (size_t at = 0; at < len && rc == 0;) {
        size_t n = chunk > 0 ? (size_t)chunk : (size_t)(next_random() % (uint64_t)(-chunk + 1));
        if (n > len - at) n = len - at;
        rc = csv_feed(p, (const uint8_t *)s + at, n, err);
        at += n;
    }
    if (rc == 0) rc = csv_finish(p, out, err);
    csv_parser_free(p);
    return rc;
}

static int parse_text(const Text *t, Dataset *out, DigitsError *err) {
    return csv_parse((const uint8_t *)t->s, t->n, out, err);
}

/* The message a text fails with, kept in *e; "(parsed without error)" if it does not fail. */
static const char *error_of(const Text *t, DigitsError *e) {
    Dataset d = {0};
    memset(e, 0, sizeof *e);
    if (parse_text(t, &d, e) == 0) {
        dataset_free(&d);
        snprintf(e->msg, sizeof e->msg, "(parsed without error)");
    }
    return e->msg;
}

/* 1 if d holds exactly rows 0..rows-1 as generated above. */
static int has_generated_rows(const Dataset *d, size_t rows, int labelled) {
    if (d->n != rows || !d->pixels) return 0;
    if (labelled != (d->labels != NULL)) return 0;
    for (size_t r = 0; r < rows; r++) {
        if (labelled && d->labels[r] != label_of(r)) return 0;
        for (unsigned i = 0; i < DATASET_PIXELS; i++)
            if (d->pixels[r * DATASET_PIXELS + i] != pixel_of(r, i)) return 0;
    }
    return 1;
}

static int same_dataset(const Dataset *a, const Dataset *b) {
    if (a->n != b->n || (a->labels == NULL) != (b->labels == NULL)) return 0;
    if (memcmp(a->pixels, b->pixels, a->n * DATASET_PIXELS) != 0) return 0;
    return !a->labels || memcmp(a->labels, b->labels, a->n) == 0;
}

/* Parses a shape and checks it yields the generated rows. */
static int shape_parses_to_generated_rows(Shape sh, size_t rows) {
    Text t = make_csv(rows, sh);
    Dataset d = {0};
    DigitsError e = {{0}};
    int ok = parse_text(&t, &d, &e) == 0 && has_generated_rows(&d, rows, sh.labelled);
    if (!ok) fprintf(stderr, "  shape {labelled %d crlf %d bom %d no_nl %d blanks %d}: %s\n", sh.labelled,
                     sh.crlf, sh.bom, sh.no_final_newline, sh.trailing_blanks, e.msg);
    dataset_free(&d);
    free(t.s);
    return ok;
}

/* ---- well-formed input ---- */

TEST(train_csv_should_parse_to_exact_labels_and_pixels) {
    Text t = make_csv(3, (Shape){.labelled = 1});
    Dataset d = {0};
    DigitsError e = {{0}};
    CHECK(parse_text(&t, &d, &e) == 0);
    free(t.s);
    CHECK(d.n == 3);
    CHECK(d.labels != NULL);
    CHECK(d.labels[0] == 3 && d.labels[1] == 0 && d.labels[2] == 7);
    CHECK(d.pixels[0] == 0 && d.pixels[1] == 37 && d.pixels[7] == 3);           /* row 0: i * 37 % 256 */
    CHECK(d.pixels[DATASET_PIXELS + 0] == 131 && d.pixels[DATASET_PIXELS + 1] == 168);
    CHECK(d.pixels[3 * DATASET_PIXELS - 1] == pixel_of(2, 783));
    CHECK(has_generated_rows(&d, 3, 1));
    dataset_free(&d);
}

TEST(test_csv_should_parse_with_null_labels) {
    Text t = make_csv(3, (Shape){.labelled = 0});
    Dataset d = {0};
    DigitsError e = {{0}};
    CHECK(parse_text(&t, &d, &e) == 0);
    free(t.s);
    CHECK(d.labels == NULL);
    CHECK(has_generated_rows(&d, 3, 0));
    dataset_free(&d);
}

TEST(every_value_from_0_to_255_and_leading_zeros_should_be_read_exactly) {
    Text t = make_csv(0, (Shape){.labelled = 1});
    put(&t, "009");
    for (unsigned i = 0; i < DATASET_PIXELS; i++) putf(&t, i == 1 ? ",0255" : ",%u", i % 256);
    put(&t, "\n");
    Dataset d = {0};
    DigitsError e = {{0}};
    CHECK(parse_text(&t, &d, &e) == 0);
    free(t.s);
    CHECK(d.n == 1 && d.labels[0] == 9);
    CHECK(d.pixels[1] == 255);
    for (unsigned i = 0; i < DATASET_PIXELS; i++)
        if (i != 1) CHECK(d.pixels[i] == i % 256);
    dataset_free(&d);
}

TEST(crlf_line_ends_should_give_the_same_data) {
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 1, .crlf = 1}, 4));
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 0, .crlf = 1}, 4));
}

TEST(utf8_bom_should_be_skipped) {
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 1, .bom = 1}, 4));
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 0, .bom = 1, .crlf = 1}, 4));
}

TEST(missing_final_newline_should_be_accepted) {
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 1, .no_final_newline = 1}, 4));
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 0, .no_final_newline = 1, .crlf = 1}, 1));
}

TEST(trailing_blank_lines_should_be_ignored) {
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 1, .trailing_blanks = 1}, 4));
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 1, .trailing_blanks = 5}, 4));
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 0, .trailing_blanks = 3, .crlf = 1}, 4));
}

TEST(last_byte_carriage_return_should_end_the_last_line) {
    Text t = make_csv(2, (Shape){.labelled = 1, .no_final_newline = 1});
    put(&t, "\r");
    Dataset d = {0};
    DigitsError e = {{0}};
    CHECK(parse_text(&t, &d, &e) == 0);
    free(t.s);
    CHECK(has_generated_rows(&d, 2, 1));
    dataset_free(&d);
}

TEST(many_rows_should_grow_storage_and_keep_every_row) {
    CHECK(shape_parses_to_generated_rows((Shape){.labelled = 1}, 300)); /* past several doublings */
}

/* ---- chunking ---- */

static const Shape CHUNK_SHAPES[] = {
    {.labelled = 1, .crlf = 1, .bom = 1, .trailing_blanks = 2},
    {.labelled = 0, .crlf = 1, .bom = 1, .no_final_newline = 1},
    {.labelled = 1},
};

TEST(every_chunk_size_from_1_to_64_should_give_identical_data) {
    for (size_t s = 0; s < sizeof CHUNK_SHAPES / sizeof CHUNK_SHAPES[0]; s++) {
        Text t = make_csv(3, CHUNK_SHAPES[s]);
        for (long chunk = 1; chunk <= 64; chunk++) {
            Dataset d = {0};
            DigitsError e = {{0}};
            CHECK(parse_chunked(t.s, t.n, chunk, &d, &e) == 0);
            CHECK(has_generated_rows(&d, 3, CHUNK_SHAPES[s].labelled));
            dataset_free(&d);
        }
        free(t.s);
    }
}

TEST(random_chunkings_should_give_identical_data) {
    rng_state = 42;
    for (size_t s = 0; s < sizeof CHUNK_SHAPES / sizeof CHUNK_SHAPES[0]; s++) {
        Text t = make_csv(5, CHUNK_SHAPES[s]);
        Dataset whole = {0};
        DigitsError e = {{0}};
        CHECK(parse_text(&t, &whole, &e) == 0);
        for (int trial = 0; trial < 200; trial++) {
            Dataset d = {0};
            long max_chunk = trial % 2 ? -7 : -4000; /* includes empty chunks */
            CHECK(parse_chunked(t.s, t.n, max_chunk, &d, &e) == 0);
            CHECK(same_dataset(&d, &whole));
            dataset_free(&d);
        }
        dataset_free(&whole);
        free(t.s);
    }
}

TEST(errors_should_be_identical_however_the_input_is_chunked) {
    const char *tails[] = {
        "5,1,2\n",  "12a,0\n", "3,,4\n", "3,256\n",     "\n7,0\n",
        "3,0\r5\n", "3,\x00\n", "-1,0",  "3,12345678901234567890\n",
    };
    rng_state = 7;
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        Text t = train_then(2, "");
        put_bytes(&t, tails[i], i == 6 ? 4 : strlen(tails[i]));
        DigitsError whole;
        error_of(&t, &whole);
        CHECK_CONTAINS(whole.msg, "line ");
        for (long chunk = -5; chunk <= 3; chunk++) {
            if (chunk == 0) continue;
            Dataset d = {0};
            DigitsError e = {{0}};
            CHECK(parse_chunked(t.s, t.n, chunk, &d, &e) == -1);
            CHECK(strcmp(e.msg, whole.msg) == 0);
            CHECK(d.pixels == NULL);
        }
        free(t.s);
    }
}

/* ---- errors ---- */

TEST(empty_file_should_be_rejected_as_empty) {
    Text t = {0};
    put(&t, "");
    DigitsError e;
    error_of(&t, &e);
    CHECK_CONTAINS(e.msg, "empty file: expected a header line");
    CHECK_CONTAINS(e.msg, "label,pixel0");
    free(t.s);
}

TEST(bom_only_file_should_be_rejected_as_empty) {
    Text t = {0};
    put(&t, "\xEF\xBB\xBF");
    DigitsError e;
    error_of(&t, &e);
    CHECK_CONTAINS(e.msg, "empty file");
    free(t.s);
}

TEST(partial_bom_should_be_reported_as_a_wrong_header) {
    Text t = {0};
    put(&t, "\xEF\xBB");
    DigitsError e;
    error_of(&t, &e);
    CHECK_CONTAINS(e.msg, "line 1, column 1: expected header 'label' (train.csv) or 'pixel0'");
    CHECK_CONTAINS(e.msg, "found '\\xef\\xbb'");
    free(t.s);
}

TEST(empty_header_line_should_be_rejected) {
    Text t = {0};
    put(&t, "\n0,0\n");
    DigitsError e;
    error_of(&t, &e);
    CHECK_CONTAINS(e.msg, "line 1, column 1: the header line is empty");
    free(t.s);
}

TEST(header_only_should_be_rejected_for_having_no_data_rows) {
    DigitsError e;
    Text t = make_csv(0, (Shape){.labelled = 1});
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 1: no data rows");
    free(t.s);
    t = make_csv(0, (Shape){.labelled = 0, .no_final_newline = 1});
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 1: no data rows");
    free(t.s);
    t = make_csv(0, (Shape){.labelled = 1, .trailing_blanks = 3, .crlf = 1});
    CHECK_CONTAINS(error_of(&t, &e), "no data rows");
    free(t.s);
}

TEST(misspelt_header_column_should_be_named_with_line_and_column) {
    DigitsError e;
    Text t = {0};
    put_header_fields(&t, 1, 785, 3, "pixle1");
    put(&t, "\n");
    CHECK_CONTAINS(error_of(&t, &e), "line 1, column 3: expected header 'pixel1', found 'pixle1'");
    free(t.s);
}

TEST(unknown_first_header_column_should_be_rejected) {
    DigitsError e;
    Text t = {0};
    put_header_fields(&t, 1, 785, 1, "Label");
    put(&t, "\n");
    CHECK_CONTAINS(error_of(&t, &e),
                   "line 1, column 1: expected header 'label' (train.csv) or 'pixel0' (test.csv), found 'Label'");
    free(t.s);
}

TEST(header_with_too_few_columns_should_be_rejected) {
    DigitsError e;
    Text t = {0};
    put_header_fields(&t, 1, 300, 0, NULL);
    put(&t, "\n");
    CHECK_CONTAINS(error_of(&t, &e), "line 1, column 300: too few columns in the header: 300 of 785");
    CHECK_CONTAINS(error_of(&t, &e), "'pixel299'");
    free(t.s);
}

TEST(header_with_too_many_columns_should_be_rejected) {
    DigitsError e;
    Text t = {0};
    put_header_fields(&t, 0, 784, 0, NULL);
    put(&t, ",pixel784\n");
    CHECK_CONTAINS(error_of(&t, &e), "line 1, column 785: too many columns in the header (expected 784");
    free(t.s);
}

TEST(binary_garbage_file_should_be_rejected_at_the_header) {
    DigitsError e;
    Text t = {0};
    put_bytes(&t, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    CHECK_CONTAINS(error_of(&t, &e), "line 1, column 1: expected header");
    CHECK_CONTAINS(error_of(&t, &e), "found '\\x89PNG' (this does not look like a CSV text file)");
    free(t.s);
}

TEST(row_with_too_many_columns_should_be_rejected_at_the_extra_column) {
    DigitsError e;
    Text t = make_csv(3, (Shape){.labelled = 1});
    put_row_fields(&t, 1, 0, 790, 0, NULL);
    put(&t, "\n");
    CHECK_CONTAINS(error_of(&t, &e), "line 5, column 786: too many columns (expected 785)");
    free(t.s);
}

TEST(trailing_comma_should_be_rejected_as_too_many_columns) {
    DigitsError e;
    Text t = make_csv(1, (Shape){.labelled = 0, .no_final_newline = 1});
    put(&t, ",\n");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 785: too many columns (expected 784)");
    free(t.s);
}

TEST(row_with_too_few_columns_should_be_rejected_at_the_line_end) {
    Text t = train_with_row(500, 0, NULL);
    put_row_fields(&t, 1, 1, 785, 0, NULL); /* a good line after it changes nothing */
    DigitsError e;
    error_of(&t, &e);
    CHECK_CONTAINS(e.msg, "line 2, column 500 (pixel498): too few columns: the line ends after 500 of 785");
    free(t.s);
}

TEST(truncated_last_line_should_be_rejected_as_too_few_columns) {
    Text t = make_csv(2, (Shape){.labelled = 1});
    put(&t, "4,0,12");
    DigitsError e;
    error_of(&t, &e);
    CHECK_CONTAINS(e.msg, "line 4, column 3 (pixel1): too few columns: the file ends after 3 of 785");
    CHECK_CONTAINS(e.msg, "truncated");
    free(t.s);
}

TEST(empty_field_should_be_rejected_with_line_and_column) {
    DigitsError e;
    Text t = train_with_row(785, 7, "");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 7 (pixel5): empty field");
    free(t.s);
    t = train_with_row(785, 785, ""); /* the last field, ended by the newline */
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 785 (pixel783): empty field");
    free(t.s);
}

TEST(non_integer_should_be_rejected_with_quoted_text) {
    DigitsError e;
    Text t = train_with_row(785, 12, "12a");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 12 (pixel10): '12a' is not an integer");
    free(t.s);
    t = train_with_row(785, 785, "abc");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 785 (pixel783): 'abc' is not an integer");
    free(t.s);
    t = train_with_row(785, 2, "1.0");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 2 (pixel0): '1.0' is not an integer");
    free(t.s);
    t = train_with_row(785, 2, "\"7\"");
    CHECK_CONTAINS(error_of(&t, &e), "'\"7\"' is not an integer");
    free(t.s);
}

TEST(long_bad_text_should_be_quoted_truncated_and_escaped) {
    DigitsError e;
    Text t = train_with_row(785, 3, "ab'c\\defghijklmnopqrstuvwxyz");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 3 (pixel1): 'ab\\x27c\\x5cdefghijklmn...' is not an integer");
    free(t.s);
}

TEST(negative_or_signed_values_should_be_rejected) {
    DigitsError e;
    Text t = train_with_row(785, 4, "-1");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 4 (pixel2): '-1' is not a plain integer in 0..255 (no signs");
    free(t.s);
    t = train_with_row(785, 1, "+3");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 1 (label): '+3' is not a plain integer in 0..9");
    free(t.s);
    t = train_with_row(785, 9, "-0");
    CHECK_CONTAINS(error_of(&t, &e), "'-0' is not a plain integer");
    free(t.s);
}

TEST(spaces_around_numbers_should_be_rejected) {
    DigitsError e;
    Text t = train_with_row(785, 5, " 7");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 5 (pixel3): ' 7' is not an integer (no spaces allowed)");
    free(t.s);
    t = train_with_row(785, 5, "7 ");
    CHECK_CONTAINS(error_of(&t, &e), "'7 ' is not an integer (no spaces");
    free(t.s);
}

TEST(pixel_256_should_be_rejected_as_outside_0_to_255) {
    DigitsError e;
    Text t = train_with_row(785, 100, "256");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 100 (pixel98): 256 is outside 0..255");
    free(t.s);
    t = train_with_row(785, 785, "0999"); /* the last field, ended by the newline */
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 785 (pixel783): 0999 is outside 0..255");
    free(t.s);
}

TEST(label_ten_should_be_rejected_with_line_and_column) {
    DigitsError e;
    Text t = make_csv(2, (Shape){.labelled = 1});
    put_row_fields(&t, 1, 2, 785, 1, "10");
    put(&t, "\n");
    CHECK_CONTAINS(error_of(&t, &e), "line 4, column 1 (label): 10 is outside 0..9");
    free(t.s);
}

TEST(value_longer_than_16_characters_should_be_rejected_as_too_long) {
    DigitsError e;
    Text t = train_with_row(785, 6, "00000000000000000");
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 6 (pixel4): value too long: '0000000000000000...'");
    free(t.s);
    t = train_with_row(785, 6, "0000000000000000"); /* 16 characters are still a value */
    CHECK_CONTAINS(error_of(&t, &e), "(parsed without error)");
    free(t.s);
}

TEST(nul_byte_should_be_reported_as_binary_data_with_escape) {
    DigitsError e;
    Text t = train_then(1, "");
    put_bytes(&t, "3,1\0002,0\n", 8);
    CHECK_CONTAINS(error_of(&t, &e), "line 3, column 2 (pixel0): binary data '1\\x002' where an integer was expected");
    free(t.s);
}

TEST(binary_garbage_in_the_data_should_be_rejected) {
    DigitsError e;
    Text t = train_then(1, "");
    put_bytes(&t, "\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00", 10);
    CHECK_CONTAINS(error_of(&t, &e), "line 3, column 1 (label): binary data '\\x7fELF\\x02\\x01\\x01\\x00");
    free(t.s);
}

TEST(blank_line_in_the_middle_should_be_rejected) {
    DigitsError e;
    Text t = train_then(2, "\n\n");
    put_row_fields(&t, 1, 2, 785, 0, NULL);
    CHECK_CONTAINS(error_of(&t, &e), "line 4, column 1: blank line in the middle of the data");
    free(t.s);
    t = train_then(0, "\r\n"); /* right after the header, CRLF */
    put_row_fields(&t, 1, 2, 785, 0, NULL);
    CHECK_CONTAINS(error_of(&t, &e), "line 2, column 1: blank line in the middle of the data");
    free(t.s);
}

TEST(bare_carriage_return_should_be_rejected) {
    DigitsError e;
    Text t = train_then(1, "3,4\r5\n");
    CHECK_CONTAINS(error_of(&t, &e), "line 3, column 2 (pixel0): carriage return not followed by a line feed");
    free(t.s);
}

TEST(ten_megabyte_line_without_commas_should_fail_at_once) {
    size_t big = 10u << 20;
    char *digits = malloc(big);
    CHECK(digits != NULL);
    memset(digits, '1', big);
    Text head = make_csv(1, (Shape){.labelled = 1});
    DigitsError e = {{0}};
    CsvParser *p = csv_parser_new(&e);
    CHECK(csv_feed(p, (const uint8_t *)head.s, head.n, &e) == 0);
    int rc = csv_feed(p, (const uint8_t *)digits, big, &e);
    uint64_t consumed = csv_bytes(p);
    csv_parser_free(p);
    CHECK(rc == -1);
    CHECK_CONTAINS(e.msg, "line 3, column 1 (label): value too long: '1111111111111111...'");
    CHECK(consumed == head.n + 17); /* it stopped at the 17th digit */

    /* The same in the header, and a line of "0,0,0,..." that never ends. */
    CHECK_CONTAINS(csv_parse((const uint8_t *)digits, big, &(Dataset){0}, &e) == -1 ? e.msg : "",
                   "line 1, column 1: expected header 'label' (train.csv) or 'pixel0' (test.csv), found '1111");
    for (size_t i = 1; i < big; i += 2) digits[i] = ',';
    p = csv_parser_new(&e);
    CHECK(csv_feed(p, (const uint8_t *)head.s, head.n, &e) == 0);
    rc = csv_feed(p, (const uint8_t *)digits, big, &e);
    consumed = csv_bytes(p);
    csv_parser_free(p);
    free(digits);
    free(head.s);
    CHECK(rc == -1);
    CHECK_CONTAINS(e.msg, "line 3, column 786: too many columns (expected 785)");
    CHECK(consumed - head.n < 2000); /* it stopped after 786 fields */
}

TEST(errors_should_be_sticky) {
    Text bad = train_with_row(785, 3, "x");
    Text good = make_csv(2, (Shape){.labelled = 1});
    DigitsError e = {{0}};
    CsvParser *p = csv_parser_new(&e);
    CHECK(csv_feed(p, (const uint8_t *)bad.s, bad.n, &e) == -1);
    char first[DIGITS_ERROR_LEN];
    strcpy(first, e.msg);
    CHECK_CONTAINS(first, "line 2, column 3 (pixel1): 'x' is not an integer");
    memset(&e, 0, sizeof e);
    CHECK(csv_feed(p, (const uint8_t *)good.s, good.n, &e) == -1);
    CHECK(strcmp(e.msg, first) == 0);
    memset(&e, 0, sizeof e);
    Dataset d = {.n = 99};
    CHECK(csv_finish(p, &d, &e) == -1);
    CHECK(strcmp(e.msg, first) == 0);
    CHECK(d.n == 99 && d.pixels == NULL && d.labels == NULL); /* nothing handed out */
    CHECK(csv_finish(p, &d, &e) == -1);
    CHECK(strcmp(e.msg, first) == 0);
    csv_parser_free(p);
    free(bad.s);
    free(good.s);
}

TEST(failing_finish_should_hand_out_nothing) {
    Text t = make_csv(3, (Shape){.labelled = 1});
    put(&t, "1,2,3");
    DigitsError e = {{0}};
    CsvParser *p = csv_parser_new(&e);
    CHECK(csv_feed(p, (const uint8_t *)t.s, t.n, &e) == 0);
    CHECK(csv_rows(p) == 3);
    Dataset d = {.n = 7};
    CHECK(csv_finish(p, &d, &e) == -1);
    CHECK_CONTAINS(e.msg, "line 5, column 3 (pixel1): too few columns");
    CHECK(d.n == 7 && d.pixels == NULL && d.labels == NULL);
    csv_parser_free(p);
    free(t.s);
}

TEST(feeding_after_finish_should_fail) {
    Text t = make_csv(1, (Shape){.labelled = 0});
    DigitsError e = {{0}};
    Dataset d = {0};
    CsvParser *p = csv_parser_new(&e);
    CHECK(csv_feed(p, (const uint8_t *)t.s, t.n, &e) == 0);
    CHECK(csv_finish(p, &d, &e) == 0);
    CHECK(csv_feed(p, (const uint8_t *)t.s, t.n, &e) == -1);
    CHECK_CONTAINS(e.msg, "already finished");
    CHECK(csv_finish(p, &d, &e) == -1);
    csv_parser_free(p);
    CHECK(has_generated_rows(&d, 1, 0)); /* the caller's data outlives the parser */
    dataset_free(&d);
    free(t.s);
}

/* ---- progress and ownership ---- */

TEST(progress_getters_should_advance) {
    Text t = make_csv(3, (Shape){.labelled = 1, .crlf = 1, .no_final_newline = 1});
    DigitsError e = {{0}};
    CsvParser *p = csv_parser_new(&e);
    CHECK(csv_rows(p) == 0 && csv_bytes(p) == 0 && csv_has_labels(p) == -1);
    size_t header_end = (size_t)(strchr(t.s, '\n') - t.s) + 1;
    CHECK(csv_feed(p, (const uint8_t *)t.s, header_end - 1, &e) == 0); /* all but the \n */
    CHECK(csv_has_labels(p) == -1 && csv_bytes(p) == header_end - 1);
    CHECK(csv_feed(p, (const uint8_t *)t.s + header_end - 1, 1, &e) == 0);
    CHECK(csv_has_labels(p) == 1 && csv_rows(p) == 0);
    size_t row_end = (size_t)(strchr(t.s + header_end, '\n') - t.s) + 1;
    CHECK(csv_feed(p, (const uint8_t *)t.s + header_end, row_end - header_end - 1, &e) == 0);
    CHECK(csv_rows(p) == 0); /* the row is not complete before its line end */
    CHECK(csv_feed(p, (const uint8_t *)t.s + row_end - 1, t.n - row_end + 1, &e) == 0);
    CHECK(csv_rows(p) == 2 && csv_bytes(p) == t.n); /* the last row has no newline yet */
    Dataset d = {0};
    CHECK(csv_finish(p, &d, &e) == 0);
    CHECK(csv_rows(p) == 3 && d.n == 3);
    csv_parser_free(p);
    dataset_free(&d);
    free(t.s);
}

TEST(has_labels_should_be_zero_for_the_test_format) {
    Text t = make_csv(1, (Shape){.labelled = 0});
    DigitsError e = {{0}};
    CsvParser *p = csv_parser_new(&e);
    CHECK(csv_feed(p, (const uint8_t *)t.s, 10, &e) == 0);
    CHECK(csv_has_labels(p) == -1);
    CHECK(csv_feed(p, (const uint8_t *)t.s + 10, t.n - 10, &e) == 0);
    CHECK(csv_has_labels(p) == 0 && csv_rows(p) == 1);
    csv_parser_free(p);
    free(t.s);
}

TEST(dataset_free_should_accept_zeroed_and_null) {
    Dataset d = {0};
    dataset_free(&d);
    dataset_free(NULL);
    CHECK(d.n == 0 && d.pixels == NULL && d.labels == NULL);
    Text t = make_csv(2, (Shape){.labelled = 1});
    DigitsError e = {{0}};
    CHECK(parse_text(&t, &d, &e) == 0);
    free(t.s);
    dataset_free(&d);
    CHECK(d.n == 0 && d.pixels == NULL && d.labels == NULL);
    dataset_free(&d); /* twice is fine: it was zeroed */
    csv_parser_free(NULL);
}

TEST(dataset_split_should_be_stratified_deterministic_and_complete) {
    enum { N = 1000 };
    Dataset src = {N, malloc((size_t)N * DATASET_PIXELS), malloc(N)};
    for (size_t i = 0; i < N; i++) {
        src.labels[i] = (uint8_t)(i < 500 ? 1 : i % 10); /* lopsided: many 1s */
        memset(src.pixels + i * DATASET_PIXELS, (int)(i % 251), DATASET_PIXELS);
        src.pixels[i * DATASET_PIXELS] = (uint8_t)(i & 0xff), src.pixels[i * DATASET_PIXELS + 1] = (uint8_t)(i >> 8);
    }
    Dataset tr, va, tr2, va2;
    DigitsError err;
    CHECK(dataset_split(&src, 0.1, 7, &tr, &va, &err) == 0);
    size_t per_src[10] = {0}, per_val[10] = {0};
    for (size_t i = 0; i < N; i++) per_src[src.labels[i]]++;
    for (size_t i = 0; i < va.n; i++) per_val[va.labels[i]]++;
    for (int c = 0; c < 10; c++) CHECK(per_val[c] == (per_src[c] + 9) / 10); /* 10% of each digit, rounded up */
    CHECK(tr.n + va.n == N);
    /* every source row lands in exactly one part, pixels and label together */
    int seen[N] = {0};
    for (int part = 0; part < 2; part++) {
        const Dataset *d = part ? &va : &tr;
        for (size_t i = 0; i < d->n; i++) {
            size_t row = d->pixels[i * DATASET_PIXELS] | (size_t)d->pixels[i * DATASET_PIXELS + 1] << 8;
            CHECK(row < N && !seen[row]);
            seen[row] = 1;
            CHECK(d->labels[i] == src.labels[row]);
            CHECK(d->pixels[i * DATASET_PIXELS + 100] == row % 251);
        }
    }
    CHECK(dataset_split(&src, 0.1, 7, &tr2, &va2, &err) == 0);
    CHECK(va2.n == va.n && memcmp(va2.labels, va.labels, va.n) == 0 &&
          memcmp(va2.pixels, va.pixels, va.n * DATASET_PIXELS) == 0);
    dataset_free(&tr2);
    dataset_free(&va2);
    CHECK(dataset_split(&src, 0.1, 8, &tr2, &va2, &err) == 0);
    CHECK(memcmp(va2.pixels, va.pixels, va.n * DATASET_PIXELS) != 0);
    dataset_free(&tr2);
    dataset_free(&va2);
    CHECK(dataset_split(&src, 1.5, 7, &tr2, &va2, &err) == -1);
    CHECK_CONTAINS(err.msg, "validation fraction 1.5");
    Dataset unlabelled = {N, src.pixels, NULL};
    CHECK(dataset_split(&unlabelled, 0.1, 7, &tr2, &va2, &err) == -1);
    CHECK_CONTAINS(err.msg, "unlabelled");
    Dataset one = {1, src.pixels, src.labels};
    CHECK(dataset_split(&one, 0.1, 7, &tr2, &va2, &err) == -1);
    CHECK_CONTAINS(err.msg, "too few");
    dataset_free(&tr);
    dataset_free(&va);
    dataset_free(&src);
}

static const TestCase TESTS[] = {
    T(dataset_split_should_be_stratified_deterministic_and_complete),
    T(train_csv_should_parse_to_exact_labels_and_pixels),
    T(test_csv_should_parse_with_null_labels),
    T(every_value_from_0_to_255_and_leading_zeros_should_be_read_exactly),
    T(crlf_line_ends_should_give_the_same_data),
    T(utf8_bom_should_be_skipped),
    T(missing_final_newline_should_be_accepted),
    T(trailing_blank_lines_should_be_ignored),
    T(last_byte_carriage_return_should_end_the_last_line),
    T(many_rows_should_grow_storage_and_keep_every_row),
    T(every_chunk_size_from_1_to_64_should_give_identical_data),
    T(random_chunkings_should_give_identical_data),
    T(errors_should_be_identical_however_the_input_is_chunked),
    T(empty_file_should_be_rejected_as_empty),
    T(bom_only_file_should_be_rejected_as_empty),
    T(partial_bom_should_be_reported_as_a_wrong_header),
    T(empty_header_line_should_be_rejected),
    T(header_only_should_be_rejected_for_having_no_data_rows),
    T(misspelt_header_column_should_be_named_with_line_and_column),
    T(unknown_first_header_column_should_be_rejected),
    T(header_with_too_few_columns_should_be_rejected),
    T(header_with_too_many_columns_should_be_rejected),
    T(binary_garbage_file_should_be_rejected_at_the_header),
    T(row_with_too_many_columns_should_be_rejected_at_the_extra_column),
    T(trailing_comma_should_be_rejected_as_too_many_columns),
    T(row_with_too_few_columns_should_be_rejected_at_the_line_end),
    T(truncated_last_line_should_be_rejected_as_too_few_columns),
    T(empty_field_should_be_rejected_with_line_and_column),
    T(non_integer_should_be_rejected_with_quoted_text),
    T(long_bad_text_should_be_quoted_truncated_and_escaped),
    T(negative_or_signed_values_should_be_rejected),
    T(spaces_around_numbers_should_be_rejected),
    T(pixel_256_should_be_rejected_as_outside_0_to_255),
    T(label_ten_should_be_rejected_with_line_and_column),
    T(value_longer_than_16_characters_should_be_rejected_as_too_long),
    T(nul_byte_should_be_reported_as_binary_data_with_escape),
    T(binary_garbage_in_the_data_should_be_rejected),
    T(blank_line_in_the_middle_should_be_rejected),
    T(bare_carriage_return_should_be_rejected),
    T(ten_megabyte_line_without_commas_should_fail_at_once),
    T(errors_should_be_sticky),
    T(failing_finish_should_hand_out_nothing),
    T(feeding_after_finish_should_fail),
    T(progress_getters_should_advance),
    T(has_labels_should_be_zero_for_the_test_format),
    T(dataset_free_should_accept_zeroed_and_null),
};

TEST_MAIN(TESTS)
