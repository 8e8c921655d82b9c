// gradcheck.c — `loopt gradcheck CONFIG`: build the model from a config, run one random batch
// forward and backward, and compare every parameter tensor's gradient with finite differences;
// or, with --dump, write that forward + backward to a file for tests/reference_torch.py.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/ckpt.h"
#include "loopt/cmd.h"
#include "loopt/config.h"
#include "loopt/gradcheck.h"
#include "loopt/model.h"
#include "loopt/modelio.h"
#include "loopt/taskmodel.h"

static const char *USAGE =
    "usage: loopt gradcheck CONFIG [--set key.path=value]... [--samples N] [--step H] [--tol X]\n"
    "                       [--seed S] [--batch B] [--dump FILE]\n"
    "\n"
    "Builds the model of CONFIG (use tiny sizes), runs one random batch forward and backward, and\n"
    "compares each parameter tensor's gradient with central finite differences of the loss\n"
    "(double accumulation), halting decisions frozen and loops before the truncation window held\n"
    "fixed. One line per tensor with its max relative error; exit 0 only if every error is below\n"
    "the tolerance.\n"
    "\n"
    "  --samples N  entries checked per tensor (default 24)\n"
    "  --step H     finite-difference step (default 1e-2; float32 rounding noise dominates below ~3e-3)\n"
    "  --tol X      pass if every max relative error < X (default 1e-2)\n"
    "  --seed S     seed for the weights, the batch and the sampled entries (default 1)\n"
    "  --batch B    batch size (default: the config's train.batch)\n"
    "  --dump FILE  skip the differences; write FILE (safetensors) with the weights under their\n"
    "               checkpoint names (the init, the halting unit given random values so it is not\n"
    "               checked at zero), the batch (tokens, targets), the loss (loss, loss.ce,\n"
    "               ponder; n_halt for act, q_target for halting q, huginn.s0 for huginn's initial\n"
    "               state) and the analytic gradient\n"
    "               of every trained parameter (grad.NAME; a fixed buffer such as trm's yinit has\n"
    "               none) of the forward + backward the check tests;\n"
    "               metadata as a checkpoint's. tests/reference_torch.py recomputes it all\n";

// --dump: one tensor entry per parameter (prefix "" = weights, "grad." = gradient), with the
// checkpoint's names and shapes (modelio.h) so the reference reads them as it reads a checkpoint.
static int add_param_set(CkptTensor *t, char (*names)[48], int n, const Model *m, const char *prefix,
                         const float *mem) {
    size_t off = 0;
    int grads = prefix[0] != '\0';
    for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
        if (m->param_sizes[i] && (!grads || param_trained(i))) {   // a fixed buffer has no gradient
            snprintf(names[n], sizeof names[n], "%s%s", prefix, PARAMS[i].name);
            t[n] = (CkptTensor){.name = names[n], .dtype = DT_F32, .data = mem + off};
            t[n].ndim = model_param_shape(m, i, t[n].shape);
            n++;
        }
        off += m->param_sizes[i];
    }
    return n;
}

// Write the weights, the batch, the loss and the analytic gradient of the forward + backward
// gradcheck_analytic just ran. The metadata is a checkpoint's (format, resolved config, task,
// loops), so the file also loads as one, plus what the reference checks its replay against.
static void dump_reference(const char *path, const Model *m, const Config *cfg, const int *tokens,
                           const int *targets, uint64_t seed) {
    enum { MAXT = 2 * NUM_PARAM_TENSORS + 8 };
    CkptTensor t[MAXT];
    char names[MAXT][48];
    int n = add_param_set(t, names, 0, m, "", m->params_memory);
    n = add_param_set(t, names, n, m, "grad.", m->grads_memory);
    int64_t B = m->B, S = m->shape.seq_len;
    t[n++] = (CkptTensor){"tokens", DT_I32, 2, {B, S}, tokens};
    t[n++] = (CkptTensor){"targets", DT_I32, 2, {B, S}, targets};
    double loss[3] = {m->loss, m->ce_loss, m->ponder};
    t[n++] = (CkptTensor){"loss", DT_F64, 0, {0}, &loss[0]};
    t[n++] = (CkptTensor){"loss.ce", DT_F64, 0, {0}, &loss[1]};
    t[n++] = (CkptTensor){"ponder", DT_F64, 0, {0}, &loss[2]};
    // the frozen halting decisions (per position, memory tokens first) and q_continue's target:
    // step functions and constants for the gradient, which the reference must hold the same
    if (m->hc.kind == HALT_ACT)
        t[n++] = (CkptTensor){"n_halt", DT_I32, 2, {B, m->T}, m->n_halt};
    if (m->hc.kind == HALT_Q)
        t[n++] = (CkptTensor){"q_target", DT_F32, 1, {B}, m->acts.qhalt + 2 * B};
    // huginn: the initial state s_0, drawn from each puzzle's tokens (the reference reads it)
    if (m->acts.hg_s0)
        t[n++] = (CkptTensor){"huginn.s0", DT_F32, 3, {B, m->T, m->C}, m->acts.hg_s0};
    char *config = config_to_json(cfg);
    char loops[32], run[32], start[32], sd[32];
    snprintf(loops, sizeof loops, "%d", config_depth(cfg));
    snprintf(run, sizeof run, "%d", m->loops_run);
    snprintf(start, sizeof start, "%d", m->window_start);
    snprintf(sd, sizeof sd, "%llu", (unsigned long long)seed);
    const char *keys[] = {"format", "config", "step", "elapsed_s", "task", "loops",
                          "gradcheck.loops_run", "gradcheck.window_start", "gradcheck.seed"};
    const char *vals[] = {LOOPT_FORMAT, config, "0", "0.000", TASK_NAMES[cfg->task],
                          loops, run, start, sd};
    char why[512];
    int ok = ckpt_write(path, t, n, keys, vals, 9, why, sizeof why);
    free(config);
    if (!ok) die(EXIT_RUNTIME, "gradcheck --dump: %s", why);
}

// One line per checked tensor and a verdict; returns 1 if every tensor is within tol.
static int report(const char *path, const Model *m, int batch, const GradcheckResult *res, double tol,
                  double step) {
    printf("gradcheck: %s: %zu parameters, batch %d, %d loops run (window from loop %d), loss %.6f\n",
           path, m->num_params, batch, m->loops_run, m->window_start, m->loss);
    int ok = 1;
    for (int t = 0; t < NUM_PARAM_TENSORS; t++) {
        if (m->param_sizes[t] && !param_trained(t))
            printf("  %-7s %4zu entries: a fixed buffer (drawn at init, not trained): no gradient to check\n",
                   PARAMS[t].name, m->param_sizes[t]);
        if (res->max_rel[t] < 0) continue;
        int pass = res->max_rel[t] < tol;
        ok &= pass;
        printf("  %-7s %4d entries + 1 direction  max rel err %.3e (direction %.3e)  %s\n",
               PARAMS[t].name, res->checked[t], res->max_rel[t], res->dir_rel[t], pass ? "ok" : "FAIL");
    }
    printf("gradcheck: max rel err %.3e over %d entries (tolerance %.1e, step %.1e): %s\n",
           res->worst, res->total, tol, step, ok ? "PASS" : "FAIL");
    return ok;
}

int cmd_gradcheck(int argc, char **argv) {
    const char *path = NULL, *dump = NULL;
    const char **sets = xmalloc(sizeof(char *) * (size_t)argc);
    int n_sets = 0, samples = 24, batch = 0;
    double step = 1e-2, tol = 1e-2;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); free(sets); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--set", &v)) sets[n_sets++] = v;
        else if (arg_value(argc, argv, &i, "--samples", &v)) samples = (int)arg_long("--samples", v, 1, 1000000);
        else if (arg_value(argc, argv, &i, "--step", &v)) step = arg_double("--step", v, 1e-7, 1.0);
        else if (arg_value(argc, argv, &i, "--tol", &v)) tol = arg_double("--tol", v, 0.0, 1e9);
        else if (arg_value(argc, argv, &i, "--seed", &v)) seed = arg_u64("--seed", v);
        else if (arg_value(argc, argv, &i, "--batch", &v)) batch = (int)arg_long("--batch", v, 1, 4096);
        else if (arg_value(argc, argv, &i, "--dump", &v)) dump = v;
        else if (argv[i][0] == '-' && argv[i][1]) unknown_option(USAGE, "gradcheck", argv[i]);
        else if (!path) path = argv[i];
        else usage_error(USAGE, "gradcheck: unexpected argument '%s'", argv[i]);
    }
    if (!path) usage_error(USAGE, "gradcheck: missing CONFIG");
    Config cfg;
    config_load(&cfg, path, sets, n_sets);
    free(sets);
    threads_set(cfg.train.threads);
    if (batch <= 0) batch = cfg.train.batch;
    if (dump && cfg.train.hints > 0.0f)
        die(EXIT_USAGE, "%s: train.hints: the hint head is not in the reference (tests/reference_torch.py); "
            "check it without --dump", path);

    int *coords = xmalloc(sizeof(int) * (size_t)task_coords_size(&cfg, 0, 0));
    TaskShape shape;
    task_shape(&shape, coords, &cfg, 0, 0);
    Rng rng;
    rng_seed(&rng, seed);
    Model m;
    model_init(&m, &cfg, &shape, &rng);
    int loops = config_depth(&cfg);
    int window = cfg.recursion.window ? cfg.recursion.window : loops;
    model_alloc(&m, batch, window, 1);

    // a random batch: tokens over the input vocabulary, targets over the output classes
    size_t n = (size_t)batch * shape.seq_len;
    int *tokens = xmalloc(n * sizeof(int)), *targets = xmalloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        tokens[i] = (int)rng_below(&rng, (uint32_t)shape.vocab);
        targets[i] = (int)rng_below(&rng, (uint32_t)shape.n_out);
    }
    int *hints = NULL;   // train.hints: random hint classes too, after the batch (same draws without)
    if (m.Hn) {
        hints = xmalloc(n * sizeof(int));
        for (size_t i = 0; i < n; i++) hints[i] = (int)rng_below(&rng, (uint32_t)m.Hn);
        model_set_hints(&m, hints);
    }
    int ok = 1;
    if (dump) {
        // the halting unit starts at zero weights (every position the same p; q's two rows
        // equal): give it values, as tests/test_model.c does, so the reference checks the
        // halting path away from that special point. The dump holds the weights used.
        for (size_t i = 0; i < m.param_sizes[PARAM_whalt]; i++) m.params.whalt[i] = 0.3f * rng_normal(&rng);
        for (size_t i = 0; i < m.param_sizes[PARAM_bhalt]; i++) m.params.bhalt[i] += 0.5f * (float)i;
        gradcheck_analytic(&m, tokens, targets, &(ForwardOpts){.loops = loops, .halting = HALT_DEFAULT});
        dump_reference(dump, &m, &cfg, tokens, targets, seed);
        printf("gradcheck: %s: %zu parameters, batch %d, %d loops run (window from loop %d), loss %.6f: "
               "wrote %s\n", path, m.num_params, batch, m.loops_run, m.window_start, m.loss, dump);
    } else {
        GradcheckResult res;
        gradcheck_model(&m, tokens, targets, &(ForwardOpts){.loops = loops, .halting = HALT_DEFAULT}, samples,
                        (float)step, &rng, &res);
        ok = report(path, &m, batch, &res, tol, step);
    }
    free(tokens); free(targets); free(hints); free(coords);
    model_free(&m);
    return ok ? EXIT_OK : EXIT_RUNTIME;
}
