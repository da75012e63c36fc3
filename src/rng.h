/* rng.h: a small seeded PRNG (xoshiro128+ style state seeded through splitmix64).
 * Same seed, same numbers, native or wasm. The state is a plain struct the caller owns. */
#ifndef DIGITS_RNG_H
#define DIGITS_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[2];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_u64(Rng *r);
uint32_t rng_below(Rng *r, uint32_t n); /* uniform in [0, n), n > 0 */
float rng_uniform(Rng *r);              /* uniform in [0, 1) */
float rng_normal(Rng *r);               /* mean 0, variance 1, bell-shaped (Irwin-Hall) */
void rng_shuffle(Rng *r, uint32_t *v, size_t n); /* Fisher-Yates: a uniformly random order of v */

#endif
