// export.c — `loopt export CKPT OUT`: write a weights-only checkpoint (the EMA weights by
// default) for shipping: no optimizer moments or RNG streams, a quarter of the size. It never
// writes onto its input, and replaces an existing OUT only with --force. OUT records which
// weights it holds (__metadata__.weights = "ema" or "raw"), which `loopt info` reports.
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/ckpt.h"
#include "loopt/cmd.h"
#include "loopt/taskmodel.h"
#include "loopt/halting.h"
#include "loopt/runopts.h"
#include "loopt/log.h"
#include "loopt/modelio.h"

static const char *USAGE =
    "usage: loopt export CKPT OUT [--raw] [--force] [--halt RULE [--set halting.KEY=V]...]\n"
    "\n"
    "Writes the model of CKPT to OUT as a weights-only safetensors checkpoint (config, steps\n"
    "trained and training time kept in its metadata; no optimizer state, so it cannot be\n"
    "resumed, only used by solve/eval/info or fine-tuned with train --init-from). The EMA\n"
    "weights are exported when CKPT has them, unless --raw; OUT records which it holds (`loopt\n"
    "info OUT`, the line ema). OUT is written atomically (temp file + rename). OUT may never be\n"
    "CKPT itself (the same file by any name or link: that would drop CKPT's optimizer state),\n"
    "and an existing OUT is replaced only with --force, and only when it is a regular file.\n"
    "  --raw          the raw weights instead of the EMA's (refused for an export of EMA weights,\n"
    "                 which holds no others)\n"
    "  --halt RULE    store RULE as the model's halting rule, the one solve and eval run by default:\n"
    "                 none, or a parameter-free rule (converge, kl); only for a model without a\n"
    "                 halting head (a learned head stays the model's rule). The weights are unchanged.\n"
    "  --set halting.KEY=V  with it, the rule's parameters (patience, confidence, kl_eps)\n";

// Which weights of the run model_load took from `in`: "ema", "raw", or NULL when not known (an
// export from before exports recorded it, exported again: it keeps not knowing).
static const char *exported_weights(const char *in, int use_ema) {
    Ckpt c;
    char why[512];
    if (!ckpt_read(in, &c, why, sizeof why)) die(EXIT_USAGE, "%s", why);
    WeightsKind k = model_weights_kind(&c);
    ckpt_free(&c);
    if (k == WEIGHTS_WITH_EMA) return use_ema ? "ema" : "raw";
    // An export holds one set of weights: --raw cannot pick the raw ones when they are the EMA's.
    if (!use_ema && k == WEIGHTS_EXPORT_EMA)
        die(EXIT_USAGE, "export: --raw: %s is an export of its run's EMA weights only: its raw weights are not in "
            "it; export from the training checkpoint for them, or drop --raw", in);
    if (!use_ema && k == WEIGHTS_EXPORT_OLD)
        warnf("export: --raw: %s is an export that does not record which weights it holds (the EMA weights, "
              "unless it was exported with --raw): those are exported, whichever they are", in);
    return k == WEIGHTS_EXPORT_EMA ? "ema" : k == WEIGHTS_EXPORT_OLD ? NULL : "raw";
}

int cmd_export(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    int use_ema = 1, force = 0, halting = HALT_DEFAULT, n_sets = 0;
    const char *sets[INFER_MAX_SETS], *v;
    for (int i = 1; i < argc; i++) {
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); return EXIT_OK; }
        else if (arg_flag(argv, i, "--raw")) use_ema = 0;
        else if (arg_value(argc, argv, &i, "--halt", &v)) halting = arg_enum("--halt", v, HALT_NAMES);
        else if (arg_value(argc, argv, &i, "--set", &v)) {
            if (n_sets == INFER_MAX_SETS) usage_error(USAGE, "export: at most %d --set", INFER_MAX_SETS);
            sets[n_sets++] = v;
        }
        else if (arg_flag(argv, i, "--force")) force = 1;
        else if (argv[i][0] == '-' && argv[i][1]) unknown_option(USAGE, "export", argv[i]);
        else if (!in) in = argv[i];
        else if (!out) out = argv[i];
        else usage_error(USAGE, "export: unexpected argument '%s'", argv[i]);
    }
    if (!in || !out) usage_error(USAGE, "export: need CKPT and OUT");
    // Decided before reading anything: the same file (compared by device and inode, so another
    // spelling of the path, a symlink or a hard link is caught too) is always refused.
    struct stat si, so;
    char why[512];
    if (stat(out, &so) == 0) {
        if (S_ISDIR(so.st_mode)) die(EXIT_USAGE, "export: %s is a folder; OUT is the file to write", out);
        // A device node or FIFO is never replaced, even with --force (as root that destroys a device).
        if (!output_path_ok(out, why, sizeof why)) die(EXIT_USAGE, "export: %s: %s", out, why);
        if (stat(in, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
            die(EXIT_USAGE, "export: %s and %s are the same file: exporting onto the checkpoint would replace it "
                "with its weights only and lose its optimizer state; write OUT elsewhere", in, out);
        if (!force) die(EXIT_USAGE, "export: %s exists; pass --force to replace it", out);
    }
    const char *weights = exported_weights(in, use_ema);   // refuses --raw of an EMA export
    Config cfg;
    Model m;
    TrainState ts;
    model_load(in, &cfg, &m, use_ema, NULL, &ts);
    if (halting != HALT_DEFAULT) {
        if (halt_rule(m.hc.kind)->head_rows)
            die(EXIT_USAGE, "export: --halt: %s has a learned halting head (\"%s\"), which stays its rule", in,
                HALT_NAMES[m.hc.kind]);
        m.hc.kind = cfg.halting.kind = (HaltKind)infer_halting(&m, halting, "--halt");
    }
    infer_set_halting(&cfg, &m, sets, n_sets);
    if (!model_save_weights(out, &m, &cfg, &ts, weights, why, sizeof why)) die(EXIT_RUNTIME, "%s", why);
    log_info("export: %s -> %s: %zu parameters (%s weights), step %ld", in, out, m.num_params,
             !weights ? "its" : !strcmp(weights, "ema") ? "EMA" : "raw", ts.step);
    model_free(&m);
    return EXIT_OK;
}
