// info.c — `loopt info CKPT`: what a checkpoint holds, without running it: format, task,
// parameter count, each tensor's dtype and shape, training progress (steps, wall time, depth),
// halting kind, whether EMA weights and optimizer state are present, and the resolved config.
// The listing comes straight from the safetensors container (ckpt_read); the parameter count
// from building the model (model_load), which also validates every tensor's shape.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/ckpt.h"
#include "loopt/cmd.h"
#include "loopt/taskmodel.h"
#include "loopt/config.h"
#include "loopt/model.h"
#include "loopt/task.h"
#include "loopt/modelio.h"
#include "loopt/scheme.h"

static const char *USAGE =
    "usage: loopt info CKPT\n"
    "\n"
    "Describes a checkpoint written by loopt train: format, task, parameter count, every tensor\n"
    "(name, dtype, shape), steps trained, training wall time (and, for a fine-tuned run, those of\n"
    "the runs it continued), training depth (recursion.loops; trm/hrm: n_sup),\n"
    "halting kind, whether EMA weights and optimizer state are present, and the resolved config\n"
    "(JSON). Exit 2 if the file is not a readable loopt checkpoint, with the reason.\n";

// " (1.60 h)" or " (2.5 min)" after a wall time in seconds, nothing under a minute.
static void print_hours(double s) {
    if (s >= 3600) printf(" (%.2f h)", s / 3600);
    else if (s >= 60) printf(" (%.1f min)", s / 60);
}

// The ema line: which weights the file holds (model_weights_kind), in the words solve and eval
// use for the weights they run (infer_weights).
static void print_ema(const Ckpt *c, const Config *cfg) {
    printf("ema:         ");
    switch (model_weights_kind(c)) {
    case WEIGHTS_WITH_EMA: printf("yes, beside the raw weights (solve/eval use it unless --raw)\n"); break;
    case WEIGHTS_RAW: printf("no (the run kept none: train.ema 0)\n"); break;
    case WEIGHTS_EXPORT_EMA: printf("yes: the weights are the run's EMA weights (exported; solve/eval use them)\n"); break;
    case WEIGHTS_EXPORT_RAW: printf("no: the weights are the run's raw weights (exported with --raw, or the run "
                                    "kept no EMA)\n"); break;
    case WEIGHTS_EXPORT_OLD:
        if (cfg->train.ema > 0) printf("an export: the weights are the run's EMA weights (train.ema %g) unless it "
                                       "was exported with --raw (this export does not record which)\n", cfg->train.ema);
        else printf("no (the run kept none: train.ema 0)\n");
        break;
    }
}

int cmd_info(int argc, char **argv) {
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (arg_is_help(a)) { fputs(USAGE, stdout); return EXIT_OK; }
        if (a[0] == '-' && a[1]) unknown_option(USAGE, "info", a);
        if (path) usage_error(USAGE, "info: one checkpoint at a time (got '%s' and '%s')", path, a);
        path = a;
    }
    if (!path) usage_error(USAGE, "info: which checkpoint? (CKPT)");

    Ckpt c;
    char why[512];
    if (!ckpt_read(path, &c, why, sizeof why)) die(EXIT_USAGE, "%s", why);
    // model_load checks the format, parses the config and checks every tensor's shape
    Config cfg;
    Model m;
    model_load(path, &cfg, &m, 0, NULL, NULL);

    TrainState ts = {0};
    train_state_meta(&c, &ts);   // every number validated: a damaged value is exit 2 naming the key
    const char *step = ckpt_meta(&c, "step");
    double el = ts.elapsed_s;
    printf("file:        %s (%zu bytes)\n", path, c.size);
    printf("format:      %s\n", ckpt_meta(&c, "format"));
    const Task *task = task_get(cfg.task);
    int h, w;
    task->train_size(&cfg, &h, &w);
    printf("task:        %s", task->name);
    if (!task->fixed_size) printf(" (trained on %dx%d)", h, w);
    printf("\n");
    printf("parameters:  %zu (%.2f MB as float32)\n", m.num_params, m.num_params * 4.0 / 1e6);
    char ffn[96] = "";
    if (cfg.model.ffn == FFN_CONVSWIGLU)   // URM's: name the convolution's kernel and its token axis
        snprintf(ffn, sizeof ffn, " (kernel %d along the %s, %d taps)", cfg.model.conv_kernel,
                 cfg.model.conv_axis == CONV_GRID ? "grid's rows and columns" : "sequence", m.Kc);
    printf("model:       d_model %d, %d heads, %d layers in the block, ffn %s %d%s, positions %s, "
           "%d memory tokens\n", m.C, m.NH, m.L, FFN_NAMES[cfg.model.ffn], m.F, ffn,
           POS_NAMES[cfg.model.positions], m.M);
    if (step) printf("steps:       %ld (batch %d)\n", ts.step, cfg.train.batch);
    else printf("steps:       0 (not recorded) (batch %d)\n", cfg.train.batch);
    printf("elapsed:     %.1f s", el);
    print_hours(el);
    printf("\n");
    if (ts.prior_stages > 0) {
        printf("before:      %d earlier run%s (--init-from): %ld steps, %.1f s", ts.prior_stages,
               ts.prior_stages == 1 ? "" : "s", ts.prior_steps, ts.prior_elapsed_s);
        print_hours(ts.prior_elapsed_s);
        printf("; in all %ld steps, %.1f s", ts.prior_steps + ts.step, ts.prior_elapsed_s + ts.elapsed_s);
        print_hours(ts.prior_elapsed_s + ts.elapsed_s);
        printf("\n");
    }
    printf("loops:       %d (training depth, scheme %s; `loopt solve --iters` may go beyond)\n",
           config_depth(&cfg), SCHEME_NAMES[cfg.recursion.scheme]);
    char parts[320];
    m.scheme->describe(&cfg.recursion, parts, sizeof parts);
    printf("recursion:   %s: %s\n", m.scheme->name, parts);
    const HaltingConfig *hc = &cfg.halting;
    printf("halting:     %s", HALT_NAMES[hc->kind]);
    if (hc->kind == HALT_CONVERGE) printf(" (patience %d, confidence %g)", hc->patience, hc->confidence);
    if (hc->kind == HALT_KL) printf(" (kl_eps %g)", hc->kl_eps);
    if (hc->kind == HALT_ACT) printf(" (threshold %g)", hc->threshold);
    printf("%s\n", hc->kind != HALT_NONE ? "; `loopt solve --fixed` runs every loop" : "");
    print_ema(&c, &cfg);
    printf("optimizer:   %s\n", ckpt_has_prefix(&c, "adam_m.") && ckpt_has_prefix(&c, "adam_v.")
                                    ? "yes (AdamW moments: training can resume)" : "no");
    printf("rng state:   %s\n", ckpt_find(&c, "rng.data") && ckpt_find(&c, "rng.halt") ? "yes" : "no");
    printf("tensors:     %d\n", c.n);
    for (int i = 0; i < c.n; i++) {
        const CkptEntry *e = &c.entries[i];
        printf("  %-16s %-4s [", e->name, dtype_name(e->dtype));
        for (int d = 0; d < e->ndim; d++) printf(d ? ", %lld" : "%lld", (long long)e->shape[d]);
        printf("]\n");
    }
    char *json = config_to_json(&cfg);
    printf("config:\n%s\n", json);
    free(json);
    model_free(&m);
    ckpt_free(&c);
    return EXIT_OK;
}
