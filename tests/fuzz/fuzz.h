/* fuzz.h: what the fuzz harnesses share.
 *
 * Each harness (fuzz_csv.c, fuzz_npy.c, fuzz_model.c) defines LLVMFuzzerTestOneInput and checks
 * properties that must hold for ANY input bytes; a broken property calls abort(), which libFuzzer
 * reports as a crash and saves the input. The same harness file is built two ways:
 *   - with clang -fsanitize=fuzzer,address,undefined (cmake -DDIGITS_FUZZ=ON): the fuzzer;
 *   - with replay.c's main() (every build): replays the seed corpus and the kept crashers as a
 *     ctest test, with or without the sanitizers. */
#ifndef DIGITS_FUZZ_H
#define DIGITS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                             \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                 \
        }                                                                            \
    } while (0)

/* An error message a person can read: non-empty, NUL-terminated inside the buffer, printable
 * ASCII only (raw input bytes must be escaped, never echoed to a terminal). */
static inline int fuzz_message_ok(const char *msg, size_t cap) {
    const char *end = memchr(msg, '\0', cap);
    if (!end || end == msg) return 0;
    size_t n = (size_t)(end - msg);
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] >= 0x7f) {
            fprintf(stderr, "message with byte 0x%02x at %zu: ", (unsigned char)msg[i], i);
            for (size_t j = 0; j < n; j++)
                fprintf(stderr, (unsigned char)msg[j] < 0x20 || (unsigned char)msg[j] >= 0x7f ? "\\x%02x" : "%c",
                        (unsigned char)msg[j]);
            fputc('\n', stderr);
            return 0;
        }
    }
    return 1;
}

/* splitmix64: chunkings and other choices derived from the input, the same on every run. */
static inline uint64_t fuzz_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* An exactly-sized heap copy, so AddressSanitizer catches a read one byte past the end. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy != NULL);
    if (size) memcpy(copy, data, size);
    return copy;
}

#endif
