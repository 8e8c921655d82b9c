// modelpath.h — the model a `solve` or `eval` run uses: the shipped checkpoint found when --model
// is not given, loading it, and which of its weights were loaded (modelpath.c).
#ifndef LOOPT_MODELPATH_H
#define LOOPT_MODELPATH_H

#include <stddef.h>

#include "loopt/config.h"
#include "loopt/model.h"

// The checkpoints used when --model is not given, by the task the input looks like: in
// INFER_DEFAULT_DIR of the current directory or of the binary's folder (a source tree), or in
// INFER_INSTALL_DIR relative to the binary's folder (where `make install` puts them).
#define INFER_DEFAULT_DIR "data/models"
#define INFER_INSTALL_DIR "../share/loopt/models"

// The default checkpoint for `task` ("sudoku" or "maze"), <task>.safetensors looked up in this
// order: ./INFER_DEFAULT_DIR, BINDIR/INFER_DEFAULT_DIR, BINDIR/INFER_INSTALL_DIR, with BINDIR
// the running binary's folder (/proc/self/exe); the path is written into buf of len bytes.
// Exits 2 naming the places and with a hint on how to get a model when none has it.
const char *infer_default_model(const char *task, char *buf, size_t len);

// Set the threads, then load the checkpoint at *model_path into *cfg and *m for inference (EMA
// weights when use_ema and saved). *model_path NULL: the default model of the task that the
// input `path` (`name` in messages; "-" = stdin, copied so it can still be read) looks like
// (task_of_input: exit 2 when it looks like no task), and *model_path is pointed at it
// (static storage). Returns the thread count.
int infer_load(const char **model_path, const char *path, const char *name, int threads, int use_ema,
               Config *cfg, Model *m);

// Which weights of the checkpoint at path a run with use_ema (--ema / --raw) has loaded, in a
// few words for the log line ("EMA weights", "exported EMA weights", ...); what `loopt info`
// says on its ema line (model_weights_kind).
const char *infer_weights(const char *path, int use_ema);

#endif
