/* npy.h: NumPy .npy arrays in memory (format versions 1.0, 2.0 and 3.0).
 *
 * Parsers read from memory (buf, len): the browser hands us bytes, not paths.
 * Reading accepts little-endian float16 ('<f2'), float32 ('<f4') and float64 ('<f8'),
 * C order only, 1-D (n,) or 2-D (rows, cols) shapes; values are converted to float.
 * Every size taken from a header is overflow-checked before use; non-finite values (NaN, Inf)
 * are rejected, because a model with them is silently useless.
 * Writing produces version 1.0, little-endian, C order, float32 or float16. */
#ifndef DIGITS_NPY_H
#define DIGITS_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum { NPY_F16 = 2, NPY_F32 = 4, NPY_F64 = 8 } NpyDtype;

/* What a header says. A 1-D shape (n,) reads as rows = n, cols = 1, ndim = 1. */
typedef struct {
    NpyDtype dtype;
    int ndim;              /* 1 or 2 */
    size_t rows, cols;
    size_t data_offset;    /* where the array data starts in buf */
} NpyInfo;

/* Parses and validates the header of buf[0..len): magic, version, header length, dict keys
 * 'descr', 'fortran_order', 'shape'; checks that len holds all the data.
 * `name` (e.g. "W1.npy") is used in error messages; may be NULL.
 * Returns 0, or -1 with err set ("W1.npy: unsupported dtype '<i4' (expected float16, float32 or float64)"). */
int npy_parse_header(const uint8_t *buf, size_t len, const char *name, NpyInfo *info, DigitsError *err);

/* Reads the whole array into out, which the caller provides with room for exactly
 * want_rows * want_cols floats. The file's shape must be (want_rows, want_cols); a 1-D file
 * of want_rows values is accepted when want_cols == 1. Returns 0, or -1 with err set
 * ("b1.npy: shape (128,) does not match the expected (256, 1)"). */
int npy_read_into(const uint8_t *buf, size_t len, const char *name,
                  float *out, size_t want_rows, size_t want_cols, DigitsError *err);

/* Size in bytes of the .npy that npy_write produces for this shape and dtype (0 on overflow). */
size_t npy_write_size(size_t rows, size_t cols, NpyDtype dtype);

/* Writes a 2-D (rows, cols) array as dtype NPY_F32 or NPY_F16 into out (capacity cap bytes).
 * Returns the number of bytes written, or 0 if cap is too small, dtype is NPY_F64, or a value is
 * NaN, infinite or (for NPY_F16) beyond +-65504, so it never writes a file npy_read_into refuses. */
size_t npy_write(uint8_t *out, size_t cap, const float *data, size_t rows, size_t cols, NpyDtype dtype);

/* As npy_read_into and npy_write, for memory that holds the array transposed, as (cols, rows):
 * element (r, c) of the file at out[c * rows + r]. The model keeps W1 so (nn.h). */
int npy_read_transposed(const uint8_t *buf, size_t len, const char *name,
                        float *out, size_t want_rows, size_t want_cols, DigitsError *err);
size_t npy_write_transposed(uint8_t *out, size_t cap, const float *data, size_t rows, size_t cols, NpyDtype dtype);

/* IEEE half <-> float, round to nearest even; exposed for tests and for the model's f16 storage. */
float npy_half_to_float(uint16_t h);
uint16_t npy_float_to_half(float f);

#endif
