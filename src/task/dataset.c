// dataset.c — task shapes for the engine, and building (or loading from a checkpoint) a model
// for its task. Sudoku tokens carry (row, column, box), maze tokens (row, column). Factorised
// coordinates break Sudoku's "copy the givens" plateau where one flat position table stalls
// (DESIGN.md).
#include "loopt/dataset.h"

#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"

int task_coords_size(const Config *cfg, int h, int w) {
    if (cfg->task == TASK_SUDOKU) return 81 * 3;
    if (h <= 0 || w <= 0) h = w = cfg->data.maze_size;
    return h * w * 2;
}

void task_shape(TaskShape *s, int *coords, const Config *cfg, int h, int w) {
    memset(s, 0, sizeof *s);
    s->coords = coords;
    if (cfg->task == TASK_SUDOKU) {
        s->vocab = SUDOKU_VOCAB;
        s->n_out = SUDOKU_VOCAB;
        s->seq_len = 81;
        s->n_axes = 3;
        s->axis_size[0] = s->axis_size[1] = s->axis_size[2] = 9;
        for (int t = 0; t < 81; t++) {
            int r = t / 9, c = t % 9;
            coords[t * 3 + 0] = r;
            coords[t * 3 + 1] = c;
            coords[t * 3 + 2] = (r / 3) * 3 + c / 3;
        }
        return;
    }
    if (h <= 0 || w <= 0) h = w = cfg->data.maze_size;
    s->vocab = MAZE_VOCAB;
    s->n_out = MAZE_VOCAB;
    s->seq_len = h * w;
    s->n_axes = 2;
    s->axis_size[0] = h;
    s->axis_size[1] = w;
    for (int t = 0; t < h * w; t++) {
        coords[t * 2 + 0] = t / w;
        coords[t * 2 + 1] = t % w;
    }
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
