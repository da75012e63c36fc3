/* check.h: the smallest test harness that is still honest.
 *
 * A test file defines tests with TEST(name) and lists them in a `TESTS` table:
 *
 *   TEST(softmax_should_sum_to_one) { CHECK(...); CHECK_NEAR(a, b, 1e-6); }
 *   static const TestCase TESTS[] = { T(softmax_should_sum_to_one), ... };
 *   TEST_MAIN(TESTS)
 *
 * `./test_nn` runs every test; `./test_nn NAME` runs one (that is how CMake registers each test
 * with ctest under its own name). A failed CHECK prints file:line and the values, and the
 * process exits 1. */
#ifndef DIGITS_CHECK_H
#define DIGITS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    void (*fn)(void);
} TestCase;

static int check_failures;

#define TEST(name) static void name(void)
#define T(name) { #name, name }

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failures++;                                                    \
            return;                                                              \
        }                                                                        \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                    \
    do {                                                                         \
        double check_a_ = (a), check_b_ = (b);                                   \
        if (!(fabs(check_a_ - check_b_) <= (tol))) {                             \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g, tol %g\n", \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_, (double)(tol)); \
            check_failures++;                                                    \
            return;                                                              \
        }                                                                        \
    } while (0)

/* Checks that a string contains a substring (for error messages). */
#define CHECK_CONTAINS(haystack, needle)                                         \
    do {                                                                         \
        const char *check_h_ = (haystack), *check_n_ = (needle);                 \
        if (!check_h_ || !strstr(check_h_, check_n_)) {                          \
            fprintf(stderr, "%s:%d: expected \"%s\" to contain \"%s\"\n",        \
                    __FILE__, __LINE__, check_h_ ? check_h_ : "(null)", check_n_); \
            check_failures++;                                                    \
            return;                                                              \
        }                                                                        \
    } while (0)

static int check_run(const TestCase *tests, size_t n, int argc, char **argv) {
    size_t ran = 0;
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0) continue;
        int before = check_failures;
        tests[i].fn();
        ran++;
        printf("%s %s\n", check_failures == before ? "ok  " : "FAIL", tests[i].name);
    }
    if (ran == 0) {
        fprintf(stderr, "no test named '%s'\n", argc > 1 ? argv[1] : "");
        return 2;
    }
    return check_failures ? 1 : 0;
}

#define TEST_MAIN(tests)                                                         \
    int main(int argc, char **argv) {                                            \
        return check_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);   \
    }

#endif
