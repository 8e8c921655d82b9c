// hrm.c — scheme "hrm", the Hierarchical Reasoning Model (Wang et al. 2025): a low-level
// module z = f_L(z + y + x) updated recursion.hrm.k times per update of the high-level module
// y = f_H(y + z) (two blocks, or one with recursion.hrm.shared); a supervision step is
// recursion.hrm.N high-level cycles, with the one-step gradient: through the last z- and the
// y-update only. The recursion itself is twostate.c's; docs/schemes.md has the equations.
#include <stdio.h>

#include "twostate.h"

static int hrm_depth(const RecursionConfig *rc) { return rc->n_sup; }
static int hrm_weight_sets(const RecursionConfig *rc) { return rc->hrm_shared ? 1 : 2; }
static Cycles hrm_cycles(const RecursionConfig *rc) {
    return (Cycles){.updates = rc->hrm_k + 1, .grad_updates = 2, .cycles = rc->hrm_N};
}

static void hrm_describe(const RecursionConfig *rc, char *buf, size_t len) {
    snprintf(buf, len, "%d supervision steps of %d high-level cycles (%d low-level steps each%s)", rc->n_sup,
             rc->hrm_N, rc->hrm_k, rc->hrm_shared ? ", one shared block" : "");
}

const Scheme SCHEME_HRM_ROW = {
    .name = "hrm", .halts = HS_RECUR, .depth = hrm_depth, .weight_sets = hrm_weight_sets,
    .slots = twostate_slots, .validate = twostate_validate, .describe = hrm_describe,
    .forward = twostate_forward, .backward = twostate_backward, .train_step = twostate_train_step,
    .reset_row = twostate_reset_row, .cycles = hrm_cycles,
};
