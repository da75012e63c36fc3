/* dataset.h: labelled digit images, and the streaming Kaggle "Digit Recognizer" CSV parser.
 *
 * CSV formats (told apart by the header):
 *   train: "label,pixel0,...,pixel783" then rows of 785 integers, label 0..9, pixels 0..255
 *   test:  "pixel0,...,pixel783"       then rows of 784 integers, pixels 0..255
 * CRLF or LF line ends, an optional UTF-8 BOM, and a missing final newline are accepted;
 * blank lines at the very end are ignored. Bytes may be fed in chunks of any size (one byte at a
 * time works); memory grows with the rows parsed (785 bytes a row), never with line length.
 * Any malformed input is an error naming the line and column, and no partial Dataset is handed out. */
#ifndef DIGITS_DATASET_H
#define DIGITS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define DATASET_PIXELS 784

/* n images of 784 pixels (row-major 28x28, 0 = background, 255 = ink) and their labels.
 * labels is NULL for unlabelled (test-format) data. Owned by whoever holds the struct;
 * release with dataset_free. */
typedef struct {
    size_t n;
    uint8_t *pixels; /* n * 784 */
    uint8_t *labels; /* n, or NULL */
} Dataset;

void dataset_free(Dataset *d); /* frees and zeroes; NULL and zeroed structs are fine */

/* A new labelled Dataset in *d holding copies of n images (pixels: n * 784 bytes) and their labels
 * (n bytes, each 0..9). Fails (-1, err set, *d zeroed) naming the first bad label, or out of memory. */
int dataset_from_pixels(Dataset *d, size_t n, const uint8_t *pixels, const uint8_t *labels, DigitsError *err);

/* Splits labelled data into a training part and a validation part of about `fraction` of the
 * rows, stratified (the same fraction of every digit, rounded up) and deterministic for a seed.
 * Both outputs are new copies the caller frees; src is unchanged. Fails (-1, err set) for
 * unlabelled data, a fraction outside (0, 1), or a split that would leave either part empty. */
int dataset_split(const Dataset *src, double fraction, uint64_t seed, Dataset *train, Dataset *val,
                  DigitsError *err);

/* Streaming parser. Usage:
 *   CsvParser *p = csv_parser_new(&err);
 *   while (more bytes) if (csv_feed(p, chunk, n, &err)) { ...error... }
 *   if (csv_finish(p, &dataset, &err)) { ...error... }
 *   csv_parser_free(p);
 * After an error the parser is dead: further feeds return -1 with the same message. */
typedef struct CsvParser CsvParser;

CsvParser *csv_parser_new(DigitsError *err);
void csv_parser_free(CsvParser *p);

/* Consumes len bytes. Returns 0, or -1 with err set, e.g.
 *   "line 5, column 786: too many columns (expected 785)"
 *   "line 2, column 1 (label): 12 is outside 0..9"
 *   "line 7, column 300 (pixel298): 'abc' is not an integer"
 * Lines and columns are 1-based; the header is line 1; column k is the k-th comma-separated field. */
int csv_feed(CsvParser *p, const uint8_t *buf, size_t len, DigitsError *err);

/* Ends the input. On success moves the parsed rows into *out (caller then owns them) and
 * returns 0. Fails for an empty file, a header with no rows, or a truncated last line. */
int csv_finish(CsvParser *p, Dataset *out, DigitsError *err);

/* Progress, valid at any time: complete data rows parsed so far, bytes consumed so far, and
 * whether the header said the data is labelled (-1 until the header has been read). */
size_t csv_rows(const CsvParser *p);
uint64_t csv_bytes(const CsvParser *p);
int csv_has_labels(const CsvParser *p);

/* Convenience: parse a whole buffer at once. */
int csv_parse(const uint8_t *buf, size_t len, Dataset *out, DigitsError *err);

#endif
