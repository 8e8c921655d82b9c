// twostate.h — the two-state recursion (twostate.c) that the families trm and hrm fill their
// Scheme rows with; each gives its Cycles. Engine-private.
#ifndef LOOPT_TWOSTATE_H
#define LOOPT_TWOSTATE_H

#include "loopt/scheme.h"

// Scheme row functions (scheme.h says what each does). The forward starts every sample from
// (yinit, zinit) and runs m->fwd.loops supervision steps, the last with gradient when training;
// with halting bce/q outside training a sample stops at its head's word. A training step runs
// one supervision step from the carried state, then its backward.
int twostate_slots(const Model *m, int window, int training);
void twostate_reset_row(Model *m, int b);
double twostate_forward(Model *m, const int *tokens, const int *targets);
void twostate_backward(Model *m);
double twostate_train_step(Model *m, const int *tokens, const int *targets, const TrainStep *ts);
// What both families refuse (model.norm "pre", train.progressive).
void twostate_validate(const Config *c, const char *name);

#endif
