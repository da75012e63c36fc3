/* fuzz_csv.c: the streaming Kaggle CSV parser (src/dataset.c) on arbitrary bytes.
 *
 * Input: byte 0 chooses the chunking, the rest is the CSV. The CSV is parsed twice, in one piece
 * and in chunks whose sizes (0 included) come from byte 0, each chunk copied to the very end of a
 * heap buffer so that AddressSanitizer catches a read past it.
 * Properties:
 *   - both parses give the same result: the same Dataset, or the same error message, after the
 *     same number of bytes consumed;
 *   - a failed parser stays failed: later feeds and csv_finish repeat the first message;
 *   - csv_finish hands out a Dataset only on success (n >= 1, labels 0..9, labels present exactly
 *     when the header starts with 'label'), and nothing on failure;
 *   - error messages are printable ASCII (raw input bytes are escaped);
 *   - progress getters never go backwards. */
#include "fuzz.h"

#include "dataset.h"

typedef struct {
    int rc;              /* 0, or -1 at the first failing call */
    DigitsError err;     /* the first error */
    uint64_t bytes;      /* csv_bytes after the last feed */
    int has_labels;      /* csv_has_labels after the last feed */
    Dataset d;
} Parse;

/* Parses csv[0..len) in one csv_feed. */
static void parse_whole(const uint8_t *csv, size_t len, Parse *out) {
    memset(out, 0, sizeof *out);
    CsvParser *p = csv_parser_new(&out->err);
    FUZZ_CHECK(p != NULL);
    uint8_t *copy = fuzz_copy(csv, len);
    out->rc = csv_feed(p, copy, len, &out->err);
    free(copy);
    out->bytes = csv_bytes(p);
    out->has_labels = csv_has_labels(p);
    if (out->rc == 0) out->rc = csv_finish(p, &out->d, &out->err);
    csv_parser_free(p);
}

/* Parses csv[0..len) in chunks of random sizes 0..max_chunk, and checks stickiness on the way. */
static void parse_chunked(const uint8_t *csv, size_t len, uint64_t seed, size_t max_chunk, Parse *out) {
    memset(out, 0, sizeof *out);
    CsvParser *p = csv_parser_new(&out->err);
    FUZZ_CHECK(p != NULL);
    /* Each chunk is copied to the end of this buffer, so reading past a chunk is a heap overflow. */
    uint8_t *buf = malloc(max_chunk);
    FUZZ_CHECK(buf != NULL);
    size_t rows = 0;
    for (size_t at = 0; at < len;) {
        size_t n = (size_t)(fuzz_next(&seed) % (max_chunk + 1));
        if (n > len - at) n = len - at;
        uint8_t *chunk = buf + max_chunk - n;
        memcpy(chunk, csv + at, n);
        DigitsError e = {{0}};
        uint64_t before = csv_bytes(p);
        int rc = csv_feed(p, n ? chunk : NULL, n, &e); /* an empty chunk may come with a NULL pointer */
        FUZZ_CHECK(rc == 0 || rc == -1);
        if (rc) FUZZ_CHECK(fuzz_message_ok(e.msg, sizeof e.msg));
        if (out->rc == 0 && rc == -1) {
            out->rc = -1;
            out->err = e;
            out->bytes = csv_bytes(p);
            FUZZ_CHECK(out->bytes > before && out->bytes <= before + n); /* it failed inside this chunk */
        } else if (out->rc == -1) {
            FUZZ_CHECK(rc == -1 && strcmp(e.msg, out->err.msg) == 0); /* sticky */
            FUZZ_CHECK(csv_bytes(p) == out->bytes);
        } else {
            FUZZ_CHECK(csv_bytes(p) == before + n);
        }
        FUZZ_CHECK(csv_rows(p) >= rows);
        rows = csv_rows(p);
        at += n;
    }
    free(buf);
    if (out->rc == 0) {
        out->bytes = csv_bytes(p);
        out->has_labels = csv_has_labels(p);
    }
    Dataset d = {.n = 12345};
    DigitsError e = {{0}};
    int rc = csv_finish(p, &d, &e);
    if (out->rc == -1) {
        FUZZ_CHECK(rc == -1 && strcmp(e.msg, out->err.msg) == 0);
    } else {
        out->rc = rc;
        if (rc) out->err = e;
    }
    if (rc) {
        FUZZ_CHECK(d.n == 12345 && d.pixels == NULL && d.labels == NULL); /* nothing handed out */
    } else {
        out->d = d;
        FUZZ_CHECK(csv_rows(p) == d.n);
        FUZZ_CHECK(csv_feed(p, csv, len, &e) == -1); /* finished parsers refuse more input */
        FUZZ_CHECK(csv_finish(p, &d, &e) == -1);
    }
    csv_parser_free(p);
}

static int same_dataset(const Dataset *a, const Dataset *b) {
    if (a->n != b->n || (a->labels == NULL) != (b->labels == NULL)) return 0;
    if (memcmp(a->pixels, b->pixels, a->n * DATASET_PIXELS) != 0) return 0;
    return !a->labels || memcmp(a->labels, b->labels, a->n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    static const size_t MAX_CHUNKS[4] = {3, 17, 300, 5000};
    size_t max_chunk = MAX_CHUNKS[data[0] & 3];
    uint64_t seed = (uint64_t)(data[0] >> 2) << 32 | size;
    const uint8_t *csv = data + 1;
    size_t len = size - 1;

    Parse whole, chunked;
    parse_whole(csv, len, &whole);
    parse_chunked(csv, len, seed, max_chunk, &chunked);

    FUZZ_CHECK(whole.rc == chunked.rc);
    FUZZ_CHECK(whole.bytes == chunked.bytes);
    if (whole.rc) {
        if (strcmp(whole.err.msg, chunked.err.msg) != 0)
            fprintf(stderr, "whole:   %s\nchunked: %s\n", whole.err.msg, chunked.err.msg);
        FUZZ_CHECK(strcmp(whole.err.msg, chunked.err.msg) == 0);
        FUZZ_CHECK(fuzz_message_ok(whole.err.msg, sizeof whole.err.msg));
    } else {
        FUZZ_CHECK(whole.bytes == len);
        FUZZ_CHECK(whole.has_labels == chunked.has_labels);
        FUZZ_CHECK(same_dataset(&whole.d, &chunked.d));
        FUZZ_CHECK(whole.d.n >= 1 && whole.d.pixels != NULL);
        FUZZ_CHECK((whole.d.labels != NULL) == (whole.has_labels == 1));
        for (size_t i = 0; whole.d.labels && i < whole.d.n; i++) FUZZ_CHECK(whole.d.labels[i] <= 9);
    }
    dataset_free(&whole.d);
    dataset_free(&chunked.d);
    return 0;
}
