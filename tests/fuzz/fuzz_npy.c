/* fuzz_npy.c: the .npy reader (src/npy.c) on arbitrary bytes.
 *
 * Input: the whole .npy file. Properties:
 *   - npy_parse_header either fails with a printable message naming the file, or returns a shape
 *     whose data lies inside the buffer (sizes computed from the header cannot overflow);
 *   - npy_read_into with the header's own shape then reads every value, or fails only because of
 *     a NaN, an infinity or a float64 beyond float range, and it fails with the header's message
 *     when the header is bad; values read are finite;
 *   - any other shape is refused;
 *   - what was read survives npy_write (float32) and a second read bit for bit. */
#include "fuzz.h"

#include <math.h>

#include "npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    NpyInfo info;
    DigitsError err = {{0}};
    const char *name = "x.npy";
    int rc = npy_parse_header(data, size, name, &info, &err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc) {
        FUZZ_CHECK(fuzz_message_ok(err.msg, sizeof err.msg));
        FUZZ_CHECK(strncmp(err.msg, "x.npy: ", 7) == 0);
        /* Without a name the message starts with the problem itself. */
        DigitsError plain = {{0}};
        FUZZ_CHECK(npy_parse_header(data, size, NULL, &info, &plain) == -1);
        FUZZ_CHECK(strcmp(plain.msg, err.msg + 7) == 0);
        /* The reader reports the same header problem, whatever shape it wanted. */
        float one;
        DigitsError again = {{0}};
        FUZZ_CHECK(npy_read_into(data, size, name, &one, 1, 1, &again) == -1);
        FUZZ_CHECK(strcmp(again.msg, err.msg) == 0);
        return 0;
    }

    FUZZ_CHECK(info.dtype == NPY_F16 || info.dtype == NPY_F32 || info.dtype == NPY_F64);
    FUZZ_CHECK(info.ndim == 1 || info.ndim == 2);
    FUZZ_CHECK(info.rows >= 1 && info.cols >= 1 && (info.ndim == 2 || info.cols == 1));
    FUZZ_CHECK(info.data_offset >= 10 && info.data_offset <= size);
    FUZZ_CHECK(info.rows <= (size - info.data_offset) / info.cols / (size_t)info.dtype); /* data fits */
    size_t count = info.rows * info.cols;

    float *out = malloc(count * sizeof *out);
    FUZZ_CHECK(out != NULL);
    rc = npy_read_into(data, size, name, out, info.rows, info.cols, &err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc) {
        FUZZ_CHECK(fuzz_message_ok(err.msg, sizeof err.msg));
        FUZZ_CHECK(strstr(err.msg, " is NaN") || strstr(err.msg, " is infinite") ||
                   strstr(err.msg, " is too large for a float32"));
        free(out);
        return 0;
    }
    for (size_t k = 0; k < count; k++) FUZZ_CHECK(isfinite(out[k]));

    /* Every other shape is refused (a 1-D file reads as a column, so (rows, 1) is the same). */
    float spare;
    FUZZ_CHECK(npy_read_into(data, size, name, &spare, info.rows + 1, info.cols, &err) == -1);
    FUZZ_CHECK(strstr(err.msg, "does not match the expected") != NULL);
    if (info.cols > 1 || info.rows > 1) {
        FUZZ_CHECK(npy_read_into(data, size, name, &spare, 1, 1, &err) == -1);
        FUZZ_CHECK(fuzz_message_ok(err.msg, sizeof err.msg));
    }

    /* Round trip through the writer. */
    size_t wsize = npy_write_size(info.rows, info.cols, NPY_F32);
    FUZZ_CHECK(wsize > 0);
    uint8_t *file = malloc(wsize);
    float *back = malloc(count * sizeof *back);
    FUZZ_CHECK(file && back);
    FUZZ_CHECK(npy_write(file, wsize, out, info.rows, info.cols, NPY_F32) == wsize);
    FUZZ_CHECK(npy_write(file, wsize - 1, out, info.rows, info.cols, NPY_F32) == 0); /* too small */
    FUZZ_CHECK(npy_read_into(file, wsize, name, back, info.rows, info.cols, &err) == 0);
    FUZZ_CHECK(memcmp(out, back, count * sizeof *out) == 0);
    free(file);
    free(back);
    free(out);
    return 0;
}
