// taskmodel.c — a task's model: the task's shape for the engine (each task's own, task.h, at a
// size), building a model for its task, and loading one from a checkpoint (model_load).
#include "loopt/taskmodel.h"

#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"
#include "loopt/task.h"

// h, w <= 0: the training size.
static const Task *task_size(const Config *cfg, int *h, int *w) {
    const Task *t = task_get(cfg->task);
    if (*h <= 0 || *w <= 0) t->train_size(cfg, h, w);
    return t;
}

int task_coords_size(const Config *cfg, int h, int w) {
    const Task *t = task_size(cfg, &h, &w);
    return t->coords_size(h, w);
}

void task_shape(TaskShape *s, int *coords, const Config *cfg, int h, int w) {
    const Task *t = task_size(cfg, &h, &w);
    memset(s, 0, sizeof *s);
    s->coords = coords;
    t->shape(s, coords, h, w);
}

void task_build_model(Model *m, const Config *cfg) {
    int *coords = xmalloc(sizeof(int) * (size_t)task_coords_size(cfg, 0, 0));
    TaskShape shape;
    task_shape(&shape, coords, cfg, 0, 0);
    Rng r;
    rng_seed(&r, cfg->train.seed);
    model_init(m, cfg, &shape, &r);
    free(coords);
}

void model_load(const char *path, Config *cfg, Model *m, int use_ema, Optimizer *o, TrainState *ts) {
    model_load_with(path, task_build_model, cfg, m, use_ema, o, ts);
}
