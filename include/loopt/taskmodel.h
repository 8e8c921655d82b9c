// taskmodel.h — the bridge between a task (Sudoku, maze) and the engine: the TaskShape the
// model is built for (vocabulary, sequence length, coordinate axes), building a model for the
// config's task, and loading one from a checkpoint (model_load).
#ifndef LOOPT_TASKMODEL_H
#define LOOPT_TASKMODEL_H

#include "loopt/config.h"
#include "loopt/model.h"
#include "loopt/modelio.h"
#include "loopt/optim.h"

// Fill *s for the config's task (its Task.shape). `coords` must hold seq_len * n_axes ints
// and stays owned by the caller (the model copies what it needs). h, w <= 0: the training size.
void task_shape(TaskShape *s, int *coords, const Config *cfg, int h, int w);
// Upper bound on seq_len * n_axes for the buffer above.
int task_coords_size(const Config *cfg, int h, int w);

// Build *m for the config's task (its TaskShape at the default size, init stream seeded by
// train.seed): the ModelBuild that checkpoint loading uses.
void task_build_model(Model *m, const Config *cfg);

// Read a checkpoint (modelio.h's model_load_with) and build the model for its task: *cfg gets
// the stored config, *m the raw weights, or the EMA weights when use_ema and the file has them.
// If o is not NULL it is initialised and filled with the saved moments and EMA (resume); ts
// likewise. Any problem (not a loopt checkpoint, a newer format, a tensor of the wrong shape)
// exits 2 with a message naming the file.
void model_load(const char *path, Config *cfg, Model *m, int use_ema, Optimizer *o, TrainState *ts);

#endif
