// huginn.h — scheme "huginn" (huginn.c): what the tests read beside its Scheme row.
// Engine-private.
#ifndef LOOPT_HUGINN_H
#define LOOPT_HUGINN_H

#include <stdint.h>

#include "loopt/config.h"

// The cap of the sampled depth: recursion.huginn.max_depth, or 4 · recursion.loops for 0.
int huginn_max_depth(const RecursionConfig *rc);
// The depth r of training step `step`: r = min(1 + Poisson(λ), max_depth) with
// λ ~ LogNormal(ln r̄ − σ²/2, σ), r̄ = recursion.loops, σ = recursion.huginn.sigma, drawn from a
// stream of (seed, step) alone, so a resumed run draws the same depths.
int huginn_draw_depth(const RecursionConfig *rc, uint64_t seed, long step);

#endif
