// gradcheck.h — compare the model's analytic gradients with central finite differences of
// the loss (accumulated in double), with halting decisions frozen and, when the truncation
// window is shorter than the loops run, the loops before the window replayed from a saved
// state: the check covers exactly the graph that backprop touches.
#ifndef LOOPT_GRADCHECK_H
#define LOOPT_GRADCHECK_H

#include "loopt/model.h"
#include "loopt/rng.h"

typedef struct {
    double max_rel[NUM_PARAM_TENSORS];   // per tensor, max of entries and direction; -1 if empty
    double dir_rel[NUM_PARAM_TENSORS];   // per tensor: error of the directional derivative
    int checked[NUM_PARAM_TENSORS];
    double worst;                        // max over tensors
    int total;                           // entries checked
} GradcheckResult;

// Steps 1 and 2 of the check (gradcheck_model runs them first): a plain forward fixes the
// halting decisions and the window, the state entering the window is saved, then grads are
// zeroed and one forward + backward runs with both held. m->grads_memory and m->loss (ce_loss,
// ponder, n_halt) are then the analytic result the differences are compared with — and what
// `loopt gradcheck --dump` writes for tests/reference_torch.py. The differences then run with
// the same decisions and replayed prefix, passed as forward options (model.h).
// fo: the forward's options (loops, halting, window, loss_scale; frozen and prefix are set here).
void gradcheck_analytic(Model *m, const int *tokens, const int *targets, const ForwardOpts *fo);

// Differences use a five-point stencil. The error measure for one entry:
// |g - fd| / max(|g|, |fd|, floor), with floor = 1e-2 x the largest |g| in the tensor or in the
// model, whichever is larger (plus 1e-6): float32 rounding puts an absolute noise floor under
// the differences, so entries far below the gradient's scale are judged against that scale.
// Each tensor is also checked along the direction of its own gradient (g·v against the
// difference along v = g / max|g|), relative error without a floor: it sees every entry at once.
// Checks up to `samples` random entries per tensor (all entries if the tensor is smaller).
// m must be allocated for training; tokens/targets (B, seq_len).
void gradcheck_model(Model *m, const int *tokens, const int *targets, const ForwardOpts *fo, int samples,
                     float step, Rng *r, GradcheckResult *res);

#endif
