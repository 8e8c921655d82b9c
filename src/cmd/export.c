// export.c — `loopt export CKPT OUT`: write a weights-only checkpoint (the EMA weights by
// default) for shipping: no optimizer moments or RNG streams, a quarter of the size.
#include <stdio.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/dataset.h"
#include "loopt/log.h"
#include "loopt/modelio.h"

static const char *USAGE =
    "usage: loopt export CKPT OUT [--raw]\n"
    "\n"
    "Writes the model of CKPT to OUT as a weights-only safetensors checkpoint (config, steps\n"
    "trained and training time kept in its metadata; no optimizer state, so it cannot be\n"
    "resumed). The EMA weights are exported when CKPT has them, unless --raw.\n";

int cmd_export(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    int use_ema = 1;
    for (int i = 1; i < argc; i++) {
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); return EXIT_OK; }
        else if (arg_flag(argv, i, "--raw")) use_ema = 0;
        else if (argv[i][0] == '-' && argv[i][1]) usage_error(USAGE, "export: unknown option '%s'", argv[i]);
        else if (!in) in = argv[i];
        else if (!out) out = argv[i];
        else usage_error(USAGE, "export: unexpected argument '%s'", argv[i]);
    }
    if (!in || !out) usage_error(USAGE, "export: need CKPT and OUT");
    Config cfg;
    Model m;
    TrainState ts;
    model_load(in, &cfg, &m, use_ema, NULL, &ts);
    char why[512];
    if (!model_save(out, &m, &cfg, NULL, &ts, why, sizeof why)) die(EXIT_RUNTIME, "%s", why);
    log_info("export: %s -> %s: %zu parameters (%s weights), step %ld", in, out, m.num_params,
             use_ema ? "EMA" : "raw", ts.step);
    model_free(&m);
    return EXIT_OK;
}
