// trm.c — scheme "trm", the Tiny Recursive Model (Jolicoeur-Martineau 2025): a cycle is
// recursion.trm.n updates of the reasoning state z = f(z + y + x), then one of the answer
// y = f(y + z), on one block; a supervision step is recursion.trm.T cycles, the first T − 1
// without gradient, the last with gradient through all its updates. The recursion itself is
// twostate.c's; docs/schemes.md has the equations.
#include <stdio.h>

#include "twostate.h"

static int trm_depth(const RecursionConfig *rc) { return rc->n_sup; }
static int trm_weight_sets(const RecursionConfig *rc) { return 1; }
static Cycles trm_cycles(const RecursionConfig *rc) {
    return (Cycles){.updates = rc->trm_n + 1, .grad_updates = rc->trm_n + 1, .cycles = rc->trm_T};
}

static void trm_describe(const RecursionConfig *rc, char *buf, size_t len) {
    snprintf(buf, len, "%d supervision steps of %d cycles (%d z updates each)", rc->n_sup, rc->trm_T, rc->trm_n);
}

const Scheme SCHEME_TRM_ROW = {
    .name = "trm", .halts = HS_RECUR, .depth = trm_depth, .weight_sets = trm_weight_sets,
    .slots = twostate_slots, .validate = twostate_validate, .describe = trm_describe,
    .forward = twostate_forward, .backward = twostate_backward, .train_step = twostate_train_step,
    .reset_row = twostate_reset_row, .cycles = trm_cycles,
};
