// modelpath.c — the model a `solve` or `eval` run uses: finding the shipped checkpoint when
// --model is not given (infer_default_model), loading it with the run's threads (infer_load),
// and which of its weights were loaded, for the log line (infer_weights).
#include "loopt/modelpath.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/ckpt.h"
#include "loopt/modelio.h"
#include "loopt/task.h"
#include "loopt/taskmodel.h"

// 1 with path = dir/file in buf when that file is readable.
static int try_model(char *buf, size_t len, const char *dir, const char *sub, const char *file) {
    int n = snprintf(buf, len, "%s%s%s/%s", dir, *dir ? "/" : "", sub, file);
    return n > 0 && (size_t)n < len && access(buf, R_OK) == 0;
}

const char *infer_default_model(const char *task, char *buf, size_t len) {
    char file[64];
    snprintf(file, sizeof file, "%s.safetensors", task);
    if (try_model(buf, len, "", INFER_DEFAULT_DIR, file)) return buf;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
        *slash = '\0';
        if (try_model(buf, len, exe, INFER_DEFAULT_DIR, file)) return buf;
        if (try_model(buf, len, exe, INFER_INSTALL_DIR, file)) return buf;
    }
    const char *bin = slash ? exe : "?";
    die(EXIT_USAGE, "no model: %s/%s not found in the current directory, nor next to the loopt binary "
        "(in %s/%s/ or %s/%s/); train one with `loopt train configs/%s.json` (then copy "
        "runs/%s/model.safetensors there) or pass --model CKPT", INFER_DEFAULT_DIR, file, bin,
        INFER_DEFAULT_DIR, bin, INFER_INSTALL_DIR, task, task);
}

int infer_load(const char **model_path, const char *path, const char *name, int threads, int use_ema,
               Config *cfg, Model *m) {
    static char defbuf[4200];
    if (!*model_path)
        *model_path = infer_default_model(task_of_input(path, name)->name, defbuf, sizeof defbuf);
    int nthreads = threads_set(threads);
    model_load(*model_path, cfg, m, use_ema, NULL, NULL);
    return nthreads;
}

const char *infer_weights(const char *path, int use_ema) {
    Ckpt c;
    char why[512];
    if (!ckpt_read(path, &c, why, sizeof why)) die(EXIT_USAGE, "%s", why);
    WeightsKind k = model_weights_kind(&c);
    ckpt_free(&c);
    switch (k) {
    case WEIGHTS_WITH_EMA: return use_ema ? "EMA weights" : "raw weights, --raw";
    case WEIGHTS_RAW: return "raw weights: the run kept no EMA";
    case WEIGHTS_EXPORT_EMA: return "exported EMA weights";
    case WEIGHTS_EXPORT_RAW: return "exported raw weights";
    default: return "exported weights: the EMA weights unless exported with --raw";
    }
}
