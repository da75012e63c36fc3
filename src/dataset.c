/* dataset.c: the Dataset type and the streaming Kaggle "Digit Recognizer" CSV parser.
 *
 * The parser is a byte-at-a-time state machine, so a chunk boundary may fall anywhere (inside a
 * number, between \r and \n, inside the BOM) without changing the result or the error. It never
 * buffers a line: data fields are accumulated as numbers and written straight into the growing
 * pixel and label arrays; the only text kept is the current header field or bad field, at most
 * FIELD_MAX bytes, for the error message. The hot loop (data_run) handles digits and commas with
 * local state; every other byte goes through step(), which is called about once a line.
 *
 * Choices dataset.h leaves open:
 *   - a value is plain ASCII digits: no spaces, signs, quotes or decimal points (" 7", "+7", "-0",
 *     "\"7\"", "7.0" are errors); leading zeros are fine ("007" is 7).
 *   - a field longer than FIELD_MAX bytes is an error at once, so a huge line without commas
 *     fails after 17 bytes and a huge line of "0," after 786 fields.
 *   - a lone \r is an error, except as the very last byte of the file (read as the line end).
 *   - blank lines are allowed only at the end of the file; one before more data is an error.
 *   - on failure csv_finish leaves *out untouched. */
#include "dataset.h"

#include "rng.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 16  /* longest field accepted, in bytes (header names are at most 8) */
#define FIRST_ROWS 64 /* rows allocated once the header is read; the capacity doubles from there */
#define MAX_ROWS (SIZE_MAX / DATASET_PIXELS)
#define TRAIN_HEADER "'label,pixel0,...,pixel783' (train.csv)"
#define TEST_HEADER "'pixel0,...,pixel783' (test.csv)"

typedef enum {
    M_BOM,    /* at the start, matching an optional UTF-8 BOM */
    M_HEADER, /* reading the header line */
    M_DATA,   /* reading a data field (digits so far in val/ndig) */
    M_BAD,    /* reading the rest of a field that is not a number, to quote it in the error */
    M_CR,     /* after a \r: only \n may follow */
    M_BLANKS, /* after one or more blank lines: only more blank lines may follow */
    M_DONE,   /* csv_finish succeeded */
    M_DEAD    /* an error happened; err holds it */
} Mode;

struct CsvParser {
    Mode mode;
    int header_done;         /* the header line has been read and checked */
    int labelled;            /* train format (label first); known after header column 1 */
    unsigned ncols;          /* 785 or 784 once known, else 0 */
    unsigned col;            /* 1-based index of the field being read */
    unsigned ndig;           /* digits read in the current data field */
    uint64_t val;            /* their value (at most FIELD_MAX digits, so it cannot overflow) */
    unsigned bom_len;        /* bytes of the UTF-8 BOM matched so far */
    unsigned toklen;         /* bytes kept in tok */
    char tok[FIELD_MAX + 1]; /* the current header field, or the bad field being reported */
    uint64_t line;           /* 1-based line being read */
    uint64_t blank_line;     /* first blank line seen in the data, or 0 */
    uint64_t bytes;          /* bytes consumed */
    size_t rows, cap;        /* complete data rows; rows the arrays can hold */
    uint8_t *pixels;         /* cap * 784 */
    uint8_t *labels;         /* cap, or NULL for the test format */
    DigitsError err;         /* the first error, repeated by every later call */
};

static const uint8_t BOM[3] = {0xEF, 0xBB, 0xBF};

void dataset_free(Dataset *d) {
    if (!d) return;
    free(d->pixels);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

static int dataset_alloc(Dataset *d, size_t n, int labelled) {
    d->n = n;
    d->pixels = malloc(n * DATASET_PIXELS);
    d->labels = labelled ? malloc(n) : NULL;
    return d->pixels && (d->labels || !labelled) ? 0 : -1;
}

int dataset_from_pixels(Dataset *d, size_t n, const uint8_t *pixels, const uint8_t *labels, DigitsError *err) {
    memset(d, 0, sizeof *d);
    if (n == 0 || n > MAX_ROWS) return error_set(err, "the number of images, %zu, must be 1..%zu", n, (size_t)MAX_ROWS);
    for (size_t i = 0; i < n; i++)
        if (labels[i] > 9) return error_set(err, "image %zu: label %d is outside 0..9", i, labels[i]);
    if (dataset_alloc(d, n, 1)) {
        dataset_free(d);
        return error_set(err, "out of memory");
    }
    memcpy(d->pixels, pixels, n * DATASET_PIXELS);
    memcpy(d->labels, labels, n);
    return 0;
}

int dataset_split(const Dataset *src, double fraction, uint64_t seed, Dataset *train, Dataset *val,
                  DigitsError *err) {
    memset(train, 0, sizeof *train);
    memset(val, 0, sizeof *val);
    if (!src->labels) return error_set(err, "cannot split unlabelled data into training and validation parts");
    if (!(fraction > 0.0 && fraction < 1.0)) return error_set(err, "validation fraction %g must be between 0 and 1", fraction);
    size_t count[10] = {0}, held[10], n_val = 0;
    for (size_t i = 0; i < src->n; i++) count[src->labels[i] % 10]++;
    for (int c = 0; c < 10; c++) {
        held[c] = (size_t)((double)count[c] * fraction + 0.999999);
        if (held[c] > count[c]) held[c] = count[c];
        n_val += held[c];
    }
    if (n_val == 0 || n_val >= src->n)
        return error_set(err, "%zu rows are too few to set %.0f%% aside for validation", src->n, 100.0 * fraction);
    uint32_t *order = malloc(src->n * sizeof *order);
    if (!order || dataset_alloc(train, src->n - n_val, 1) || dataset_alloc(val, n_val, 1)) {
        free(order);
        dataset_free(train);
        dataset_free(val);
        return error_set(err, "out of memory splitting %zu rows", src->n);
    }
    Rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < src->n; i++) order[i] = (uint32_t)i;
    rng_shuffle(&rng, order, src->n); /* one seeded shuffle; each class then keeps its order */
    size_t taken[10] = {0}, nt = 0, nv = 0;
    for (size_t i = 0; i < src->n; i++) {
        size_t row = order[i];
        int c = src->labels[row] % 10;
        Dataset *dst = taken[c] < held[c] ? val : train;
        size_t at = dst == val ? nv++ : nt++;
        if (dst == val) taken[c]++;
        memcpy(dst->pixels + at * DATASET_PIXELS, src->pixels + row * DATASET_PIXELS, DATASET_PIXELS);
        dst->labels[at] = src->labels[row];
    }
    free(order);
    return 0;
}

/* ---- error messages ---- */

/* The header name of column col (1-based): "label", "pixel0", ... */
static void column_name(const CsvParser *p, unsigned col, char name[24]) {
    if (p->labelled && col == 1)
        snprintf(name, 24, "label");
    else
        snprintf(name, 24, "pixel%u", col - 1 - (p->labelled ? 1u : 0u));
}

/* Records "line L, column C (name): <message>" (no prefix when col is 0) and kills the parser. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail_at(CsvParser *p, unsigned col, const char *fmt, ...) {
    char *msg = p->err.msg;
    size_t size = sizeof p->err.msg, n = 0;
    if (col > 0) {
        char name[24] = "";
        if (p->header_done && col <= p->ncols) column_name(p, col, name);
        int k = snprintf(msg, size, "line %llu, column %u%s%s%s: ", (unsigned long long)p->line, col,
                         name[0] ? " (" : "", name, name[0] ? ")" : "");
        n = k < 0 ? 0 : (size_t)k < size ? (size_t)k : size - 1;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, size - n, fmt, ap);
    va_end(ap);
    p->mode = M_DEAD;
    return -1;
}

static int is_binary(unsigned char c) { return (c < 0x20 && c != '\t') || c >= 0x7f; }

/* Writes text quoted, with unprintable bytes, quotes and backslashes as \xHH, and "..." inside
 * the closing quote when the text was cut short: 'ab\x00c...'. dst holds at least 80 bytes. */
static void quote(char dst[80], const char *text, size_t len, int cut) {
    size_t n = 0;
    dst[n++] = '\'';
    for (size_t i = 0; i < len && i < FIELD_MAX; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_binary(c) || c == '\'' || c == '\\' || c == '\t') {
            static const char hex[] = "0123456789abcdef";
            dst[n++] = '\\';
            dst[n++] = 'x';
            dst[n++] = hex[c >> 4];
            dst[n++] = hex[c & 15];
        } else {
            dst[n++] = (char)c;
        }
    }
    if (cut) n += (size_t)snprintf(dst + n, 4, "...");
    dst[n++] = '\'';
    dst[n] = '\0';
}

static int looks_binary(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (is_binary((unsigned char)text[i])) return 1;
    return 0;
}

/* The text of the current data field, which so far is ndig digits: leading zeros included. */
static void digits_text(const CsvParser *p, char out[FIELD_MAX + 1]) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%0*llu", (int)p->ndig, (unsigned long long)p->val);
    memcpy(out, tmp, p->ndig);
    out[p->ndig] = '\0';
}

/* ---- storage ---- */

/* Makes room for one more row than is complete, doubling the capacity. */
static int reserve_row(CsvParser *p) {
    if (p->rows < p->cap) return 0;
    if (p->cap >= MAX_ROWS) return fail_at(p, 0, "out of memory: more than %zu rows", p->cap);
    size_t cap = p->cap == 0 ? FIRST_ROWS : p->cap <= MAX_ROWS / 2 ? p->cap * 2 : MAX_ROWS;
    uint8_t *pixels = realloc(p->pixels, cap * DATASET_PIXELS);
    if (!pixels) return fail_at(p, 0, "out of memory: cannot hold %zu images", cap);
    p->pixels = pixels;
    if (p->labelled) {
        uint8_t *labels = realloc(p->labels, cap);
        if (!labels) return fail_at(p, 0, "out of memory: cannot hold %zu labels", cap);
        p->labels = labels;
    }
    p->cap = cap;
    return 0;
}

/* ---- the header line ---- */

static int tok_is(const CsvParser *p, const char *name) {
    return strlen(name) == p->toklen && memcmp(p->tok, name, p->toklen) == 0;
}

static int header_mismatch(CsvParser *p, int cut) {
    char found[80];
    quote(found, p->tok, p->toklen, cut);
    const char *hint = looks_binary(p->tok, p->toklen) ? " (this does not look like a CSV text file)" : "";
    if (p->col == 1)
        return fail_at(p, 1, "expected header 'label' (train.csv) or 'pixel0' (test.csv), found %s%s",
                       found, hint);
    char want[24];
    column_name(p, p->col, want);
    return fail_at(p, p->col, "expected header '%s', found %s%s", want, found, hint);
}

/* Checks the header field in tok; column 1 decides the format. */
static int header_field(CsvParser *p) {
    if (p->col == 1) {
        if (tok_is(p, "label")) {
            p->labelled = 1;
            p->ncols = DATASET_PIXELS + 1;
            return 0;
        }
        if (tok_is(p, "pixel0")) {
            p->labelled = 0;
            p->ncols = DATASET_PIXELS;
            return 0;
        }
        return header_mismatch(p, 0);
    }
    char want[24];
    column_name(p, p->col, want);
    return tok_is(p, want) ? 0 : header_mismatch(p, 0);
}

static int end_line(CsvParser *p, int at_eof);

/* \n ends the line; after \r only \n may follow. */
static int line_break(CsvParser *p, uint8_t c) {
    if (c == '\n') return end_line(p, 0);
    p->mode = M_CR;
    return 0;
}

static int header_byte(CsvParser *p, uint8_t c) {
    if (c == ',') {
        if (header_field(p)) return -1;
        if (p->col == p->ncols)
            return fail_at(p, p->col + 1, "too many columns in the header (expected %u: %s)", p->ncols,
                           p->labelled ? TRAIN_HEADER : TEST_HEADER);
        p->col++;
        p->toklen = 0;
        return 0;
    }
    if (c == '\n' || c == '\r') return line_break(p, c);
    if (p->toklen == FIELD_MAX) return header_mismatch(p, 1);
    p->tok[p->toklen++] = (char)c;
    return 0;
}

static int bom_byte(CsvParser *p, uint8_t c) {
    if (c == BOM[p->bom_len]) {
        if (++p->bom_len == sizeof BOM) p->mode = M_HEADER;
        return 0;
    }
    /* Not a BOM after all: what matched so far is header text (and a wrong header). */
    p->mode = M_HEADER;
    for (unsigned i = 0; i < p->bom_len; i++)
        if (header_byte(p, BOM[i])) return -1;
    return header_byte(p, c);
}

/* ---- data rows ---- */

/* Checks the finished data field in val/ndig and stores it. */
static int end_field(CsvParser *p) {
    if (p->ndig == 0) return fail_at(p, p->col, "empty field (expected an integer)");
    unsigned max = p->labelled && p->col == 1 ? 9 : 255;
    if (p->val > max) {
        char text[FIELD_MAX + 1];
        digits_text(p, text);
        return fail_at(p, p->col, "%s is outside 0..%u", text, max);
    }
    if (p->labelled && p->col == 1)
        p->labels[p->rows] = (uint8_t)p->val;
    else
        p->pixels[p->rows * DATASET_PIXELS + (p->col - 1 - (p->labelled ? 1u : 0u))] = (uint8_t)p->val;
    return 0;
}

/* Reports the field kept in tok, which is not a plain integer. */
static int bad_field(CsvParser *p, int cut) {
    char text[80];
    quote(text, p->tok, p->toklen, cut);
    unsigned max = p->labelled && p->col == 1 ? 9 : 255;
    if (looks_binary(p->tok, p->toklen))
        return fail_at(p, p->col, "binary data %s where an integer was expected (is this a CSV text file?)",
                       text);
    if (p->toklen > 0 && (p->tok[0] == '-' || p->tok[0] == '+'))
        return fail_at(p, p->col, "%s is not a plain integer in 0..%u (no signs allowed)", text, max);
    if (memchr(p->tok, ' ', p->toklen))
        return fail_at(p, p->col, "%s is not an integer (no spaces allowed)", text);
    return fail_at(p, p->col, "%s is not an integer", text);
}

static int bad_byte(CsvParser *p, uint8_t c) {
    if (c == ',' || c == '\n' || c == '\r') return bad_field(p, 0);
    if (p->toklen == FIELD_MAX) return bad_field(p, 1);
    p->tok[p->toklen++] = (char)c;
    return 0;
}

static int data_byte(CsvParser *p, uint8_t c) {
    if ((unsigned)c - '0' <= 9) {
        if (p->ndig == FIELD_MAX) {
            char text[FIELD_MAX + 1], quoted[80];
            digits_text(p, text);
            quote(quoted, text, p->ndig, 1);
            return fail_at(p, p->col, "value too long: %s (more than %d characters)", quoted, FIELD_MAX);
        }
        p->val = p->val * 10 + (c - '0');
        p->ndig++;
        return 0;
    }
    if (c == ',') {
        if (end_field(p)) return -1;
        if (p->col == p->ncols) return fail_at(p, p->col + 1, "too many columns (expected %u)", p->ncols);
        p->col++;
        p->val = 0;
        p->ndig = 0;
        return 0;
    }
    if (c == '\n' || c == '\r') return line_break(p, c);
    /* Not a number: keep the field's text (digits so far, this byte, what follows) to quote it. */
    digits_text(p, p->tok);
    p->toklen = p->ndig;
    p->mode = M_BAD;
    return bad_byte(p, c);
}

/* The line ends (at \n, or at the end of the file when at_eof). */
static int end_line(CsvParser *p, int at_eof) {
    if (!p->header_done) {
        if (p->col == 1 && p->toklen == 0)
            return fail_at(p, 1, "the header line is empty: expected " TRAIN_HEADER " or " TEST_HEADER);
        if (header_field(p)) return -1;
        if (p->col < p->ncols) {
            char next[24];
            column_name(p, p->col + 1, next);
            return fail_at(p, p->col, "too few columns in the header: %u of %u, missing '%s' onwards", p->col,
                           p->ncols, next);
        }
        p->header_done = 1;
    } else if (p->col == 1 && p->ndig == 0) {
        /* A blank line: fine only if nothing but blank lines follows. */
        if (!p->blank_line) p->blank_line = p->line;
        p->line++;
        p->mode = M_BLANKS;
        return 0;
    } else {
        if (end_field(p)) return -1;
        if (p->col < p->ncols)
            return fail_at(p, p->col, "too few columns: the %s ends after %u of %u%s", at_eof ? "file" : "line",
                           p->col, p->ncols, at_eof ? " (truncated last line?)" : "");
        p->rows++;
    }
    p->line++;
    p->col = 1;
    p->val = 0;
    p->ndig = 0;
    p->toklen = 0;
    p->mode = M_DATA;
    return at_eof ? 0 : reserve_row(p);
}

static int blank_byte(CsvParser *p, uint8_t c) {
    if (c == '\n' || c == '\r') return line_break(p, c);
    return fail_at(p, 0, "line %llu, column 1: blank line in the middle of the data (blank lines are allowed "
                   "only at the end)", (unsigned long long)p->blank_line);
}

/* Consumes one byte in any mode: the slow path. */
static int step(CsvParser *p, uint8_t c) {
    switch (p->mode) {
    case M_BOM: return bom_byte(p, c);
    case M_HEADER: return header_byte(p, c);
    case M_DATA: return data_byte(p, c);
    case M_BAD: return bad_byte(p, c);
    case M_CR:
        if (c == '\n') return end_line(p, 0);
        return fail_at(p, p->col, "carriage return not followed by a line feed (line ends must be LF or CRLF)");
    case M_BLANKS: return blank_byte(p, c);
    case M_DONE:
    case M_DEAD: break;
    }
    return -1;
}

/* The fast path: consumes digits and commas of well-formed data fields and returns where it
 * stopped, at the first byte that needs step() (a line end, anything odd, or any error). */
static const uint8_t *data_run(CsvParser *p, const uint8_t *s, const uint8_t *end) {
    uint64_t val = p->val;
    unsigned ndig = p->ndig, col = p->col;
    const unsigned ncols = p->ncols, label_col = p->labelled ? 1u : 0u, pixel0_col = label_col + 1;
    uint8_t *row = p->pixels + p->rows * DATASET_PIXELS;
    uint8_t *label = p->labels ? p->labels + p->rows : NULL;
    while (s < end) {
        unsigned d = (unsigned)*s - '0';
        if (d <= 9) {
            if (ndig == FIELD_MAX) break;
            val = val * 10 + d;
            ndig++;
            s++;
            continue;
        }
        if (*s != ',' || ndig == 0 || col >= ncols) break;
        if (col == label_col) {
            if (val > 9) break;
            *label = (uint8_t)val;
        } else {
            if (val > 255) break;
            row[col - pixel0_col] = (uint8_t)val;
        }
        col++;
        val = 0;
        ndig = 0;
        s++;
    }
    p->val = val;
    p->ndig = ndig;
    p->col = col;
    return s;
}

/* ---- public API ---- */

CsvParser *csv_parser_new(DigitsError *err) {
    CsvParser *p = calloc(1, sizeof *p);
    if (!p) {
        error_set(err, "out of memory: cannot create a CSV parser");
        return NULL;
    }
    p->mode = M_BOM;
    p->line = 1;
    p->col = 1;
    return p;
}

void csv_parser_free(CsvParser *p) {
    if (!p) return;
    free(p->pixels);
    free(p->labels);
    free(p);
}

int csv_feed(CsvParser *p, const uint8_t *buf, size_t len, DigitsError *err) {
    if (!p) return error_set(err, "csv_feed: no parser");
    if (p->mode == M_DEAD) return error_set(err, "%s", p->err.msg);
    if (p->mode == M_DONE) return error_set(err, "csv_feed: the parser has already finished");
    if (len == 0) return 0;
    if (!buf) return error_set(err, "csv_feed: NULL buffer with length %zu", len);
    const uint8_t *s = buf, *end = buf + len;
    while (s < end) {
        if (p->mode == M_DATA && (s = data_run(p, s, end)) == end) break;
        if (step(p, *s++)) {
            p->bytes += (uint64_t)(s - buf);
            return error_set(err, "%s", p->err.msg);
        }
    }
    p->bytes += len;
    return 0;
}

/* Ends the input: completes or rejects the last line, then requires at least one row. */
static int finish_input(CsvParser *p) {
    if (p->mode == M_BOM && p->bom_len > 0) {
        /* A partial BOM at the end: it was header text after all. */
        unsigned n = p->bom_len;
        p->mode = M_HEADER;
        for (unsigned i = 0; i < n; i++)
            if (header_byte(p, BOM[i])) return -1;
    }
    switch (p->mode) {
    case M_BOM:
    case M_HEADER:
        if (p->mode == M_BOM || (p->col == 1 && p->toklen == 0))
            return fail_at(p, 0, "empty file: expected a header line " TRAIN_HEADER " or " TEST_HEADER);
        if (end_line(p, 1)) return -1;
        break;
    case M_CR:
        if (end_line(p, 1)) return -1;
        break;
    case M_DATA:
        if ((p->col > 1 || p->ndig > 0) && end_line(p, 1)) return -1;
        break;
    case M_BAD: return bad_field(p, 0);
    default: break;
    }
    if (p->rows == 0) return fail_at(p, 0, "line 2, column 1: no data rows: the file has only a header line");
    return 0;
}

int csv_finish(CsvParser *p, Dataset *out, DigitsError *err) {
    if (!p) return error_set(err, "csv_finish: no parser");
    if (p->mode == M_DEAD) return error_set(err, "%s", p->err.msg);
    if (p->mode == M_DONE) return error_set(err, "csv_finish: the parser has already finished");
    if (!out) return error_set(err, "csv_finish: no Dataset to fill");
    if (finish_input(p)) return error_set(err, "%s", p->err.msg);
    /* Give back the unused capacity; if the system cannot shrink, keep the larger block. */
    if (p->rows < p->cap) {
        uint8_t *pixels = realloc(p->pixels, p->rows * DATASET_PIXELS);
        if (pixels) p->pixels = pixels;
        if (p->labels) {
            uint8_t *labels = realloc(p->labels, p->rows);
            if (labels) p->labels = labels;
        }
    }
    out->n = p->rows;
    out->pixels = p->pixels;
    out->labels = p->labels;
    p->pixels = NULL;
    p->labels = NULL;
    p->cap = 0;
    p->mode = M_DONE;
    return 0;
}

size_t csv_rows(const CsvParser *p) { return p ? p->rows : 0; }
uint64_t csv_bytes(const CsvParser *p) { return p ? p->bytes : 0; }
int csv_has_labels(const CsvParser *p) { return p && p->header_done ? p->labelled : -1; }

int csv_parse(const uint8_t *buf, size_t len, Dataset *out, DigitsError *err) {
    CsvParser *p = csv_parser_new(err);
    if (!p) return -1;
    int rc = csv_feed(p, buf, len, err);
    if (rc == 0) rc = csv_finish(p, out, err);
    csv_parser_free(p);
    return rc;
}
