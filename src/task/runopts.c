// runopts.c — the options `solve` and `eval` share (--model, --threads, --batch, --fixed, --halt,
// --set, --ema / --raw, --quiet; their --help lines are INFER_ARGS_HELP in runopts.h), and what
// they resolve to against the loaded model: the halting rule a run executes, the halting
// parameters it overrides, and the batch size.
#include "loopt/runopts.h"

#include <stdio.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/halting.h"
#include "loopt/log.h"
#include "loopt/scheme.h"

int infer_halting(const Model *m, int halting, const char *opt) {
    if (halting == HALT_DEFAULT) return m->hc.kind;
    if (!(HALT_SCHEMES[halting] & m->scheme->halts))
        die(EXIT_USAGE, "%s %s: that rule does not work with this model's scheme \"%s\"", opt,
            HALT_NAMES[halting], m->scheme->name);
    if (halting != (int)m->hc.kind && halt_rule(halting)->head_rows)
        die(EXIT_USAGE, "%s %s: that rule needs a halting head trained with it; this model has halting "
            "\"%s\" (use none, or a parameter-free rule such as converge)", opt, HALT_NAMES[halting],
            HALT_NAMES[m->hc.kind]);
    return halting;
}

void infer_set_halting(Config *cfg, Model *m, const char *const *sets, int n_sets) {
    for (int i = 0; i < n_sets; i++) {
        const char *s = sets[i];
        if (strncmp(s, "halting.", 8) != 0 || strncmp(s, "halting.kind", 12) == 0)
            die(EXIT_USAGE, "--set %s: only the halting rules' parameters (halting.patience, halting.confidence, "
                "halting.kl_eps, halting.threshold, halting.skip) may be set for a run; the rule is --halt's", s);
        config_set(cfg, s, "--set");
    }
    config_validate(cfg, "--set");
    HaltKind kind = m->hc.kind;
    m->hc = cfg->halting;
    m->hc.kind = kind;
}

int infer_arg(int argc, char **argv, int *i, InferArgs *a, const char *usage, const char *cmd) {
    const char *v;
    int fixed;
    if (arg_value(argc, argv, i, "--model", &v)) a->model_path = v;
    else if (arg_value(argc, argv, i, "--threads", &v)) a->threads = (int)arg_long("--threads", v, 0, 4096);
    else if (arg_value(argc, argv, i, "--batch", &v)) a->batch = (int)arg_long("--batch", v, 1, 65536);
    else if ((fixed = arg_flag(argv, *i, "--fixed")) || arg_value(argc, argv, i, "--halt", &v)) {
        // --fixed is --halt none: two of them that disagree are refused, naming both.
        int rule = fixed ? HALT_NONE : arg_enum("--halt", v, HALT_NAMES);
        char opt[sizeof a->halt_opt];
        if (fixed) snprintf(opt, sizeof opt, "--fixed");
        else snprintf(opt, sizeof opt, "--halt %.30s", v);
        if (a->halt_opt[0] && rule != a->halting)
            usage_error(usage, "%s: %s and %s both choose the halting rule (--fixed is --halt none); give one",
                        cmd, a->halt_opt, opt);
        a->halting = rule;
        snprintf(a->halt_opt, sizeof a->halt_opt, "%s", opt);
    }
    else if (arg_value(argc, argv, i, "--set", &v)) {
        if (a->n_sets == INFER_MAX_SETS) usage_error(usage, "%s: at most %d --set", cmd, INFER_MAX_SETS);
        a->sets[a->n_sets++] = v;
    }
    else if (arg_flag(argv, *i, "--ema")) a->use_ema = 1;
    else if (arg_flag(argv, *i, "--raw")) a->use_ema = 0;
    else if (arg_flag(argv, *i, "--quiet")) log_quiet = 1;
    else return 0;
    return 1;
}

int infer_batch_size(int batch, int s_max, int M, int n) {
    int B = batch;
    if (!B) {
        int T = s_max + M;
        B = 8192 / (T > 0 ? T : 1);
        B = B < 1 ? 1 : B > 64 ? 64 : B;
    }
    if (B > n && n > 0) B = n;
    return B;
}
