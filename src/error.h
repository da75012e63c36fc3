/* error.h: how every fallible function in the core reports failure.
 *
 * A function that can fail takes a `DigitsError *err` (may be NULL) as its last argument and
 * returns 0 on success, -1 on failure (or NULL for pointers). On failure err->msg holds one
 * sentence a person can act on, e.g. "line 3, column 12 (pixel10): '25x' is not an integer".
 * The core never prints and never exits. */
#ifndef DIGITS_ERROR_H
#define DIGITS_ERROR_H

#define DIGITS_ERROR_LEN 256

typedef struct {
    char msg[DIGITS_ERROR_LEN];
} DigitsError;

/* printf-style; a NULL err is allowed and ignored. Always returns -1 so callers can write
 * `return error_set(err, "...")`. */
int error_set(DigitsError *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
