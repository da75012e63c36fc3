#include "rng.h"

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void rng_seed(Rng *r, uint64_t seed) {
    r->s[0] = splitmix64(&seed);
    r->s[1] = splitmix64(&seed);
    if (r->s[0] == 0 && r->s[1] == 0) r->s[1] = 1;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoroshiro128+ */
uint64_t rng_u64(Rng *r) {
    uint64_t s0 = r->s[0], s1 = r->s[1];
    uint64_t result = s0 + s1;
    s1 ^= s0;
    r->s[0] = rotl(s0, 24) ^ s1 ^ (s1 << 16);
    r->s[1] = rotl(s1, 37);
    return result;
}

uint32_t rng_below(Rng *r, uint32_t n) {
    /* Lemire's multiply-shift; the tiny bias (< n / 2^32) does not matter for shuffling. */
    return (uint32_t)(((rng_u64(r) >> 32) * (uint64_t)n) >> 32);
}

float rng_uniform(Rng *r) { return (float)(rng_u64(r) >> 40) * (1.0f / 16777216.0f); }

/* Irwin-Hall: the sum of 12 uniforms minus 6 has mean 0 and variance 1, lies within +-6, and
 * uses only additions, so it gives the same bits on every platform (libm's log and cos do not). */
float rng_normal(Rng *r) {
    float sum = 0.0f;
    for (int i = 0; i < 12; i++) sum += rng_uniform(r);
    return sum - 6.0f;
}

void rng_shuffle(Rng *r, uint32_t *v, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = rng_below(r, (uint32_t)i);
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}
