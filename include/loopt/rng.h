// rng.h — explicit random number streams (xoshiro128** seeded by splitmix64).
// No rand(), no time(): every stream is a struct, seeded from the config, saved in
// checkpoints so that resume is exact. Separate streams for init, data and halting.
#ifndef LOOPT_RNG_H
#define LOOPT_RNG_H

#include <stdint.h>

typedef struct { uint32_t s[4]; } Rng;

void     rng_seed(Rng *r, uint64_t seed);            // any seed, including 0
uint32_t rng_u32(Rng *r);
uint32_t rng_below(Rng *r, uint32_t n);              // uniform in [0, n), n > 0, unbiased
float    rng_uniform(Rng *r);                        // uniform in [0, 1)
float    rng_normal(Rng *r);                         // standard normal (Box-Muller)
void     rng_shuffle_int(Rng *r, int *a, int n);     // Fisher-Yates
void     rng_permutation(Rng *r, int *a, int n);     // a = random permutation of 0..n-1

#endif
