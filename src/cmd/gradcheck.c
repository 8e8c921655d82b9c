// gradcheck.c — `loopt gradcheck CONFIG`: build the model from a config, run one random batch
// forward and backward, and compare every parameter tensor's gradient with finite differences.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/config.h"
#include "loopt/dataset.h"
#include "loopt/gradcheck.h"
#include "loopt/model.h"

static const char *USAGE =
    "usage: loopt gradcheck CONFIG [--set key.path=value]... [--samples N] [--step H] [--tol X]\n"
    "                       [--seed S] [--batch B]\n"
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
    "  --batch B    batch size (default: the config's train.batch)\n";

int cmd_gradcheck(int argc, char **argv) {
    const char *path = NULL;
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
        else if (argv[i][0] == '-' && argv[i][1]) usage_error(USAGE, "gradcheck: unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else usage_error(USAGE, "gradcheck: unexpected argument '%s'", argv[i]);
    }
    if (!path) usage_error(USAGE, "gradcheck: missing CONFIG");
    Config cfg;
    config_load(&cfg, path, sets, n_sets);
    free(sets);
    threads_set(cfg.train.threads);
    if (batch <= 0) batch = cfg.train.batch;

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
    GradcheckResult res;
    gradcheck_model(&m, tokens, targets, loops, samples, (float)step, &rng, &res);
    printf("gradcheck: %s: %zu parameters, batch %d, %d loops run (window from loop %d), loss %.6f\n",
           path, m.num_params, batch, m.loops_run, m.window_start, m.loss);
    int ok = 1;
    for (int t = 0; t < NUM_PARAM_TENSORS; t++) {
        if (res.max_rel[t] < 0) continue;
        int pass = res.max_rel[t] < tol;
        ok &= pass;
        printf("  %-7s %4d entries + 1 direction  max rel err %.3e (direction %.3e)  %s\n",
               PARAM_NAMES[t], res.checked[t], res.max_rel[t], res.dir_rel[t], pass ? "ok" : "FAIL");
    }
    printf("gradcheck: max rel err %.3e over %d entries (tolerance %.1e, step %.1e): %s\n",
           res.worst, res.total, tol, step, ok ? "PASS" : "FAIL");
    free(tokens); free(targets); free(coords);
    model_free(&m);
    return ok ? EXIT_OK : EXIT_RUNTIME;
}
