/* npy.c: NumPy .npy read/write in memory.
 * The format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *
 *   "\x93NUMPY" major minor  header-length (u16 LE for 1.0, u32 LE for 2.0/3.0)  header  data
 *
 * The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }
 * padded with spaces and ending in '\n'. We parse exactly that grammar (keys in any order, any
 * whitespace, optional trailing comma) rather than evaluating Python. */
#include "npy.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64         /* numpy aligns the data start to 64 bytes */
#define NPY_SHOWN_DIMS 4     /* dimensions kept for error messages */
#define NPY_DESCR_SHOWN 24   /* characters of a dtype string shown in error messages */

/* 2^128 - 2^103: the smallest double that rounds to infinity as a float. */
#define NPY_FLOAT_OVERFLOW 0x1.ffffffp127

#if defined(__GNUC__)
#define NPY_PRINTF(fmt_arg, first_arg) __attribute__((format(printf, fmt_arg, first_arg)))
#else
#define NPY_PRINTF(fmt_arg, first_arg)
#endif

/* Sets err to "<name>: <message>" (just the message when name is NULL). Returns -1. */
static int npy_fail(DigitsError *err, const char *name, const char *fmt, ...) NPY_PRINTF(3, 4);

static int npy_fail(DigitsError *err, const char *name, const char *fmt, ...) {
    char msg[DIGITS_ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return error_set(err, "%s%s%s", name ? name : "", name ? ": " : "", msg);
}

/* ---- little-endian bytes, independent of the host's byte order and alignment ---- */

static uint32_t load_u16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

static uint32_t load_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t load_u64(const uint8_t *p) { return (uint64_t)load_u32(p) | (uint64_t)load_u32(p + 4) << 32; }

static void store_u16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void store_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- IEEE half precision ---- */

float npy_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0x1f) {                  /* inf, or NaN (payload kept) */
        bits = sign | 0x7f800000u | mant << 13;
    } else if (exp != 0) {              /* normal: rebias 15 -> 127 */
        bits = sign | (exp + 112) << 23 | mant << 13;
    } else if (mant == 0) {             /* +-0 */
        bits = sign;
    } else {                            /* subnormal mant * 2^-24: normalise it */
        uint32_t e = 113;
        while (!(mant & 0x400u)) {
            mant <<= 1;
            e--;
        }
        bits = sign | e << 23 | (mant & 0x3ffu) << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

uint16_t npy_float_to_half(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    uint32_t sign = (bits >> 16) & 0x8000u;
    uint32_t exp = (bits >> 23) & 0xffu;
    uint32_t mant = bits & 0x7fffffu;
    if (exp == 0xff) /* inf stays inf; NaN stays a (quiet) NaN */
        return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u | (mant >> 13) : 0));
    int e = (int)exp - 127 + 15;       /* the half's biased exponent */
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    uint32_t q, rem, halfway;
    if (e <= 0) {                       /* half subnormal (or zero): units of 2^-24 */
        if (e < -10) return (uint16_t)sign; /* below 2^-25: rounds to zero */
        uint32_t m = mant | 0x800000u;
        uint32_t shift = (uint32_t)(14 - e); /* 14..24 */
        q = m >> shift;
        rem = m & ((1u << shift) - 1);
        halfway = 1u << (shift - 1);
    } else {
        q = (uint32_t)e << 10 | mant >> 13;
        rem = mant & 0x1fffu;
        halfway = 0x1000u;
    }
    if (rem > halfway || (rem == halfway && (q & 1u))) q++; /* a carry may reach inf: correct */
    return (uint16_t)(sign | q);
}

/* ---- header text ---- */

typedef struct {
    const char *at, *end;   /* the header text not yet read */
    const char *start;      /* for byte positions in messages */
} HeaderText;

typedef struct {
    const char *descr;      /* points into the header; not NUL-terminated */
    size_t descr_len;
    int fortran_order;
    int ndim;
    uint64_t dims[NPY_SHOWN_DIMS]; /* the first NPY_SHOWN_DIMS dimensions */
    int dim_too_large;      /* some dimension does not fit in a size_t */
} Header;

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Header text for an error message: printable ASCII as it is, any other byte (a NUL, a control
 * character, half of a UTF-8 sequence) as \xHH, so a message never carries raw bytes to a
 * terminal. Copies at most max bytes of s; out holds 4 * max + 1 chars. */
static const char *printable(char *out, const char *s, size_t n, size_t max) {
    static const char hex[] = "0123456789abcdef";
    size_t used = 0;
    for (size_t i = 0; i < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[used++] = (char)c;
        } else {
            out[used++] = '\\';
            out[used++] = 'x';
            out[used++] = hex[c >> 4];
            out[used++] = hex[c & 15];
        }
    }
    out[used] = '\0';
    return out;
}

static void skip_space(HeaderText *h) {
    while (h->at < h->end && is_space(*h->at)) h->at++;
}

static int bad_header(DigitsError *err, const char *name, const HeaderText *h, const char *what) {
    if (h->at >= h->end)
        return npy_fail(err, name, "malformed .npy header: it ends before the dictionary is closed "
                                   "(expected %s; is the file truncated?)", what);
    char found[8];
    return npy_fail(err, name, "malformed .npy header: expected %s at byte %zu of the header, found '%s'",
                    what, (size_t)(h->at - h->start), printable(found, h->at, 1, 1));
}

/* Consumes c (after optional whitespace) or fails naming what was expected. */
static int expect(HeaderText *h, char c, const char *what, const char *name, DigitsError *err) {
    skip_space(h);
    if (h->at >= h->end || *h->at != c) return bad_header(err, name, h, what);
    h->at++;
    return 0;
}

/* A Python string literal in single or double quotes, without escapes. */
static int read_string(HeaderText *h, const char **s, size_t *n, const char *name, DigitsError *err) {
    skip_space(h);
    if (h->at >= h->end || (*h->at != '\'' && *h->at != '"')) return bad_header(err, name, h, "a quoted string");
    char quote = *h->at++;
    const char *begin = h->at;
    while (h->at < h->end && *h->at != quote) {
        if (*h->at == '\\' || *h->at == '\n')
            return npy_fail(err, name, "malformed .npy header: escapes and line breaks in strings are not supported");
        h->at++;
    }
    if (h->at >= h->end) return bad_header(err, name, h, "the string's closing quote");
    *s = begin;
    *n = (size_t)(h->at - begin);
    h->at++;
    return 0;
}

static int word_is(const char *s, size_t n, const char *word) { return n == strlen(word) && memcmp(s, word, n) == 0; }

static int read_bool(HeaderText *h, int *value, const char *name, DigitsError *err) {
    skip_space(h);
    const char *begin = h->at;
    while (h->at < h->end && ((*h->at >= 'A' && *h->at <= 'Z') || (*h->at >= 'a' && *h->at <= 'z'))) h->at++;
    size_t n = (size_t)(h->at - begin);
    if (word_is(begin, n, "True")) *value = 1;
    else if (word_is(begin, n, "False")) *value = 0;
    else {
        h->at = begin;
        return bad_header(err, name, h, "True or False for 'fortran_order'");
    }
    return 0;
}

/* A tuple of non-negative integers: (), (n,), (r, c), (a, b, c)... Python 2's 'L' suffix is allowed. */
static int read_shape(HeaderText *h, Header *hd, const char *name, DigitsError *err) {
    if (expect(h, '(', "'(' starting the shape tuple", name, err)) return -1;
    int comma = 0; /* was the last integer followed by a comma? */
    for (;;) {
        skip_space(h);
        if (h->at < h->end && *h->at == ')') break;
        if (h->at < h->end && *h->at == '-')
            return npy_fail(err, name, "malformed .npy header: the shape has a negative dimension");
        if (h->at >= h->end || *h->at < '0' || *h->at > '9')
            return bad_header(err, name, h, "an integer in the shape");
        const char *digits = h->at;
        while (h->at < h->end && *h->at >= '0' && *h->at <= '9') h->at++;
        uint64_t v = 0;
        for (const char *d = digits; d < h->at; d++) {
            unsigned digit = (unsigned)(*d - '0');
            if (v > (UINT64_MAX - digit) / 10) {
                int n = (int)(h->at - digits);
                return npy_fail(err, name, "shape dimension %.*s%s is too large",
                                n < 30 ? n : 30, digits, n < 30 ? "" : "...");
            }
            v = v * 10 + digit;
        }
        if (h->at < h->end && *h->at == 'L') h->at++;
        if (v > SIZE_MAX) hd->dim_too_large = 1;
        if (hd->ndim < NPY_SHOWN_DIMS) hd->dims[hd->ndim] = v;
        if (hd->ndim < 99) hd->ndim++;
        skip_space(h);
        comma = h->at < h->end && *h->at == ',';
        if (comma) {
            h->at++;
            continue;
        }
        if (h->at < h->end && *h->at == ')') break;
        return bad_header(err, name, h, "',' or ')' in the shape");
    }
    h->at++; /* ')' */
    /* Python needs the comma in a 1-tuple: (5) is the integer 5, which numpy rejects too. */
    if (hd->ndim == 1 && !comma)
        return npy_fail(err, name, "malformed .npy header: the shape is not a tuple (a 1-D shape is written (n,))");
    return 0;
}

/* "(2, 3)", "(5,)", "()", "(1, 2, 3, 4, ...)" */
static void format_shape(char *buf, size_t cap, const Header *hd) {
    size_t used = (size_t)snprintf(buf, cap, "(");
    for (int i = 0; i < hd->ndim && used < cap; i++) {
        if (i == NPY_SHOWN_DIMS) {
            used += (size_t)snprintf(buf + used, cap - used, ", ...");
            break;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%llu", i ? ", " : "", (unsigned long long)hd->dims[i]);
    }
    if (used < cap) snprintf(buf + used, cap - used, hd->ndim == 1 ? ",)" : ")");
}

static int parse_dict(HeaderText *h, Header *hd, const char *name, DigitsError *err) {
    int have_descr = 0, have_fortran = 0, have_shape = 0;
    if (expect(h, '{', "'{' starting the header dictionary", name, err)) return -1;
    for (;;) {
        skip_space(h);
        if (h->at < h->end && *h->at == '}') break;
        const char *key;
        size_t key_len;
        if (read_string(h, &key, &key_len, name, err)) return -1;
        if (expect(h, ':', "':' after a key", name, err)) return -1;
        int *seen;
        if (word_is(key, key_len, "descr")) {
            seen = &have_descr;
            skip_space(h);
            if (h->at < h->end && (*h->at == '[' || *h->at == '('))
                return npy_fail(err, name, "unsupported dtype: structured arrays are not supported "
                                           "(expected float16, float32 or float64)");
            if (read_string(h, &hd->descr, &hd->descr_len, name, err)) return -1;
        } else if (word_is(key, key_len, "fortran_order")) {
            seen = &have_fortran;
            if (read_bool(h, &hd->fortran_order, name, err)) return -1;
        } else if (word_is(key, key_len, "shape")) {
            seen = &have_shape;
            if (read_shape(h, hd, name, err)) return -1;
        } else {
            char shown[4 * 32 + 1];
            return npy_fail(err, name, "malformed .npy header: unexpected key '%s' (expected 'descr', "
                                       "'fortran_order' and 'shape')", printable(shown, key, key_len, 32));
        }
        if (*seen) return npy_fail(err, name, "malformed .npy header: key '%.*s' appears twice", (int)key_len, key);
        *seen = 1;
        skip_space(h);
        if (h->at < h->end && *h->at == ',') {
            h->at++;
            continue;
        }
        if (h->at < h->end && *h->at == '}') break;
        return bad_header(err, name, h, "',' or '}' after a value");
    }
    h->at++; /* '}' */
    skip_space(h);
    if (h->at < h->end)
        return npy_fail(err, name, "malformed .npy header: unexpected text after the dictionary at byte %zu",
                        (size_t)(h->at - h->start));
    const char *missing = !have_descr ? "descr" : !have_fortran ? "fortran_order" : !have_shape ? "shape" : NULL;
    if (missing) return npy_fail(err, name, "malformed .npy header: the key '%s' is missing", missing);
    return 0;
}

/* The dtype from its descr string: '<f2', '<f4', '<f8'. */
static int check_descr(const Header *hd, NpyDtype *dtype, const char *name, DigitsError *err) {
    const char *d = hd->descr;
    size_t n = hd->descr_len;
    int shown = (int)(n < NPY_DESCR_SHOWN ? n : NPY_DESCR_SHOWN);
    char text[4 * NPY_DESCR_SHOWN + 1];
    int is_float = n == 3 && d[1] == 'f' && (d[2] == '2' || d[2] == '4' || d[2] == '8');
    if (is_float && d[0] == '<') {
        *dtype = d[2] == '2' ? NPY_F16 : d[2] == '4' ? NPY_F32 : NPY_F64;
        return 0;
    }
    if (is_float && d[0] == '>')
        return npy_fail(err, name, "big-endian dtype '%.*s' is not supported; re-save it little-endian "
                                   "(a.astype('<%c%c'))", shown, d, d[1], d[2]);
    if (is_float && d[0] == '=')
        return npy_fail(err, name, "native-order dtype '%.*s' is ambiguous; re-save it with an explicit "
                                   "little-endian dtype (a.astype('<%c%c'))", shown, d, d[1], d[2]);
    return npy_fail(err, name, "unsupported dtype '%s' (expected float16, float32 or float64)",
                    printable(text, d, n, NPY_DESCR_SHOWN));
}

int npy_parse_header(const uint8_t *buf, size_t len, const char *name, NpyInfo *info, DigitsError *err) {
    if (!buf || len < NPY_MAGIC_LEN + 4) {
        if (buf && len >= NPY_MAGIC_LEN && memcmp(buf, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
            return npy_fail(err, name, "not a .npy file (bad magic)");
        return npy_fail(err, name, "too short to be a .npy file (%zu bytes; a .npy file has at least "
                                   "a 10-byte preamble)", buf ? len : 0);
    }
    if (memcmp(buf, NPY_MAGIC, NPY_MAGIC_LEN) != 0) return npy_fail(err, name, "not a .npy file (bad magic)");
    unsigned major = buf[6], minor = buf[7];
    if (minor != 0 || major < 1 || major > 3)
        return npy_fail(err, name, "unsupported .npy format version %u.%u (expected 1.0, 2.0 or 3.0)", major, minor);
    size_t start = major == 1 ? 10 : 12;
    if (len < start)
        return npy_fail(err, name, "truncated header: a version %u.0 file has a %zu-byte preamble but the "
                                   "file is %zu bytes", major, start, len);
    size_t header_len = major == 1 ? load_u16(buf + 8) : load_u32(buf + 8);
    if (header_len > len - start)
        return npy_fail(err, name, "truncated header: the header length %zu is beyond the end of the file "
                                   "(%zu bytes after the preamble)", header_len, len - start);

    HeaderText h = {(const char *)buf + start, (const char *)buf + start + header_len, (const char *)buf + start};
    Header hd;
    memset(&hd, 0, sizeof hd);
    if (parse_dict(&h, &hd, name, err)) return -1;

    NpyDtype dtype = NPY_F32;
    if (check_descr(&hd, &dtype, name, err)) return -1;
    char shape[96];
    format_shape(shape, sizeof shape, &hd);
    if (hd.fortran_order)
        return npy_fail(err, name, "Fortran-order arrays are not supported, even 1-D ones; re-save it in C order "
                                   "(np.save(f, np.ascontiguousarray(a)))");
    if (hd.ndim < 1 || hd.ndim > 2)
        return npy_fail(err, name, "%d-D shape %s is not supported (expected (n,) or (rows, cols))", hd.ndim, shape);
    if (hd.dim_too_large) return npy_fail(err, name, "shape %s is too large for this machine", shape);
    size_t rows = (size_t)hd.dims[0], cols = hd.ndim == 2 ? (size_t)hd.dims[1] : 1;
    if (rows == 0 || cols == 0)
        return npy_fail(err, name, "shape %s is empty; a model tensor has at least one value", shape);
    size_t item = (size_t)dtype;
    if (rows > SIZE_MAX / cols || rows * cols > SIZE_MAX / item)
        return npy_fail(err, name, "shape %s is too large (its size in bytes overflows)", shape);
    size_t nbytes = rows * cols * item;
    size_t offset = start + header_len; /* <= len, checked above */
    if (nbytes > len - offset)
        return npy_fail(err, name, "truncated data: expected %zu bytes of data, found %zu", nbytes, len - offset);

    info->dtype = dtype;
    info->ndim = hd.ndim;
    info->rows = rows;
    info->cols = cols;
    info->data_offset = offset;
    return 0;
}

/* ---- reading values ---- */

static int bad_value(const NpyInfo *info, size_t k, double v, const char *name, DigitsError *err) {
    char where[64] = "";
    if (info->ndim == 2) snprintf(where, sizeof where, " (row %zu, column %zu)", k / info->cols, k % info->cols);
    if (isnan(v))
        return npy_fail(err, name, "value %zu is NaN%s; a model with NaN values is unusable, "
                                   "retrain or re-save it", k, where);
    if (isinf(v))
        return npy_fail(err, name, "value %zu is infinite%s; a model with Inf values is unusable, "
                                   "retrain or re-save it", k, where);
    return npy_fail(err, name, "value %zu (%g)%s is too large for a float32", k, v, where);
}

/* out[r * cols + c], or out[c * rows + r] when transposed, for every element (r, c) of the file. */
static int read_values(const uint8_t *buf, size_t len, const char *name, float *out, size_t want_rows,
                       size_t want_cols, int transposed, DigitsError *err) {
    NpyInfo info;
    if (npy_parse_header(buf, len, name, &info, err)) return -1;
    int fits = info.rows == want_rows && info.cols == want_cols; /* a 1-D (n,) has cols == 1 */
    if (!fits) {
        if (info.ndim == 1)
            return npy_fail(err, name, "shape (%zu,) does not match the expected (%zu, %zu)",
                            info.rows, want_rows, want_cols);
        return npy_fail(err, name, "shape (%zu, %zu) does not match the expected (%zu, %zu)",
                        info.rows, info.cols, want_rows, want_cols);
    }
    const uint8_t *p = buf + info.data_offset;
    size_t count = info.rows * info.cols; /* overflow-checked by npy_parse_header */
    for (size_t k = 0; k < count; k++) {
        float f;
        if (info.dtype == NPY_F64) {
            uint64_t bits = load_u64(p + 8 * k);
            double d;
            memcpy(&d, &bits, sizeof d);
            if (!isfinite(d) || fabs(d) >= NPY_FLOAT_OVERFLOW) return bad_value(&info, k, d, name, err);
            f = (float)d;
        } else {
            if (info.dtype == NPY_F32) {
                uint32_t bits = load_u32(p + 4 * k);
                memcpy(&f, &bits, sizeof f);
            } else {
                f = npy_half_to_float((uint16_t)load_u16(p + 2 * k));
            }
            if (!isfinite(f)) return bad_value(&info, k, f, name, err);
        }
        out[transposed ? k % info.cols * info.rows + k / info.cols : k] = f;
    }
    return 0;
}

int npy_read_into(const uint8_t *buf, size_t len, const char *name,
                  float *out, size_t want_rows, size_t want_cols, DigitsError *err) {
    return read_values(buf, len, name, out, want_rows, want_cols, 0, err);
}

int npy_read_transposed(const uint8_t *buf, size_t len, const char *name,
                        float *out, size_t want_rows, size_t want_cols, DigitsError *err) {
    return read_values(buf, len, name, out, want_rows, want_cols, 1, err);
}

/* ---- writing ---- */

/* The header text after the 10-byte preamble, padded with spaces and ending in '\n' so that the
 * data starts at a multiple of NPY_ALIGN. text needs 192 bytes; returns its length. */
static size_t header_text(char *text, size_t rows, size_t cols, NpyDtype dtype) {
    int n = snprintf(text, 192, "{'descr': '<f%c', 'fortran_order': False, 'shape': (%zu, %zu), }",
                     dtype == NPY_F16 ? '2' : '4', rows, cols);
    size_t used = (size_t)n;                                  /* at most ~110: two 20-digit sizes */
    size_t total = NPY_MAGIC_LEN + 4 + used + 1;              /* with the '\n' */
    size_t pad = (NPY_ALIGN - total % NPY_ALIGN) % NPY_ALIGN;
    memset(text + used, ' ', pad);
    text[used + pad] = '\n';
    return used + pad + 1;
}

size_t npy_write_size(size_t rows, size_t cols, NpyDtype dtype) {
    if ((dtype != NPY_F32 && dtype != NPY_F16) || rows == 0 || cols == 0) return 0;
    size_t item = (size_t)dtype;
    if (rows > SIZE_MAX / cols || rows * cols > SIZE_MAX / item) return 0;
    char text[192];
    size_t head = NPY_MAGIC_LEN + 4 + header_text(text, rows, cols, dtype);
    size_t nbytes = rows * cols * item;
    if (nbytes > SIZE_MAX - head) return 0;
    return head + nbytes;
}

/* data[r * cols + c], or data[c * rows + r] when transposed, as element (r, c) of the file. */
static size_t write_values(uint8_t *out, size_t cap, const float *data, size_t rows, size_t cols, NpyDtype dtype,
                           int transposed) {
    size_t size = npy_write_size(rows, cols, dtype);
    if (size == 0 || !out || !data || cap < size) return 0;
    char text[192];
    size_t header_len = header_text(text, rows, cols, dtype);
    memcpy(out, NPY_MAGIC, NPY_MAGIC_LEN);
    out[6] = 1;
    out[7] = 0;
    store_u16(out + 8, (uint32_t)header_len);
    memcpy(out + 10, text, header_len);
    uint8_t *p = out + 10 + header_len;
    size_t count = rows * cols;
    for (size_t k = 0; k < count; k++) {
        float v = data[transposed ? k % cols * rows + k / cols : k];
        if (dtype == NPY_F32) {
            if (!isfinite(v)) return 0; /* npy_read_into would refuse the file */
            uint32_t bits;
            memcpy(&bits, &v, sizeof bits);
            store_u32(p + 4 * k, bits);
        } else {
            uint16_t half = npy_float_to_half(v);
            if ((half & 0x7c00u) == 0x7c00u) return 0; /* NaN, infinite, or beyond float16's +-65504 */
            store_u16(p + 2 * k, half);
        }
    }
    return size;
}

size_t npy_write(uint8_t *out, size_t cap, const float *data, size_t rows, size_t cols, NpyDtype dtype) {
    return write_values(out, cap, data, rows, cols, dtype, 0);
}

size_t npy_write_transposed(uint8_t *out, size_t cap, const float *data, size_t rows, size_t cols, NpyDtype dtype) {
    return write_values(out, cap, data, rows, cols, dtype, 1);
}
