// scheme.c — the registry of recursion families (scheme.h) and the one door into them: a
// forward's options are checked here against what the model's family and halting rule can
// honour, then the family's row runs it.
// A new family: its file with one `const Scheme` row, a line in SCHEMES below, a name in
// config.h's SCHEME_NAMES (docs/engine.md, "Adding a recursion family").
#include "loopt/scheme.h"

#include "loopt/check.h"
#include "loopt/halting.h"

extern const Scheme SCHEME_LOOP_ROW, SCHEME_TRM_ROW, SCHEME_HRM_ROW, SCHEME_HUGINN_ROW;

// Indexed by recursion.scheme (config.h's SCHEME_NAMES names them).
static const Scheme *const SCHEMES[] = {
    [SCHEME_LOOP] = &SCHEME_LOOP_ROW,
    [SCHEME_TRM] = &SCHEME_TRM_ROW,
    [SCHEME_HRM] = &SCHEME_HRM_ROW,
    [SCHEME_HUGINN] = &SCHEME_HUGINN_ROW,
};

const Scheme *scheme_get(SchemeKind kind) {
    CHECK(kind >= 0 && kind < (int)(sizeof SCHEMES / sizeof *SCHEMES) && SCHEMES[kind],
          "recursion.scheme %d has no row in scheme.c", (int)kind);
    return SCHEMES[kind];
}

double model_forward(Model *m, const int *tokens, const int *targets, int loops) {
    ForwardOpts o = {.loops = loops, .halting = HALT_DEFAULT};
    return model_forward_opts(m, tokens, targets, &o);
}

double model_forward_opts(Model *m, const int *tokens, const int *targets, const ForwardOpts *o) {
    const Scheme *s = m->scheme;
    CHECK(m->acts_memory, "model_forward before model_alloc");
    CHECK(o->loops >= 1, "loops must be >= 1, got %d", o->loops);
    HaltKind halt = o->halting == HALT_DEFAULT ? m->hc.kind : (HaltKind)o->halting;
    CHECK(halt_rule(halt)->head_rows == 0 || halt == m->hc.kind,
          "halting \"%s\" needs its own trained head; this model has \"%s\"", HALT_NAMES[halt],
          HALT_NAMES[m->hc.kind]);
    CHECK(o->resume_loop == 0 || ((s->fwd_opts & FWD_RESUME) && halt == HALT_NONE && o->resume_loop < o->loops
                                  && m->loops_run == o->resume_loop && m->halt == HALT_NONE),
          "resume_loop %d: the last forward must have run that many fixed loops", o->resume_loop);
    CHECK(o->window >= 0 && o->window <= ((s->fwd_opts & FWD_WINDOW) ? m->W : 0),
          "window %d: scheme %s takes at most %d", o->window, s->name, (s->fwd_opts & FWD_WINDOW) ? m->W : 0);
    CHECK(o->loss_scale >= 0.0f && (o->loss_scale == 0.0f || o->loss_scale == 1.0f || (s->fwd_opts & FWD_SCALE)),
          "loss_scale: scheme %s takes none", s->name);
    m->fwd = *o;
    m->halt = halt;
    return s->forward(m, tokens, targets);
}

void model_backward(Model *m) {
    CHECK(m->training && m->grads_memory, "model_backward needs a model allocated for training");
    CHECK(m->n_targets > 0, "model_backward needs a forward with targets");
    m->scheme->backward(m);
}
