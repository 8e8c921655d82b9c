// runner.c — the batch runner that `solve` and `eval` run their puzzles through: reading a run's
// input for the model (infer_read, infer_size_ok), continuous batching (runner_stream) and
// batches in lock step (runner_load, runner_forward), the one choice between them
// (runner_run, by the family's Scheme.streams), and the loop statistics of the answers (infer_loop_stats).
#include "loopt/runner.h"

#include "loopt/scheme.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"
#include "loopt/taskmodel.h"

int infer_size_ok(const Model *m, const Config *cfg, int h, int w, char *why, size_t len) {
    if (task_get(cfg->task)->fixed_size) return 1;
    if (m->mc.mixer == MIXER_MLP && h * w + m->M != m->Tmix)
        return failf(why, len, "maze is %dx%d but the model's mlp mixer has weights for %d cells "
                     "(model.mixer = mlp fixes the size; an mlp mixer solves one size only)", h, w, m->Tmix - m->M);
    if (m->mc.positions != POS_COORDS) return 1;
    int n = cfg->data.maze_size;
    if (h <= n && w <= n) return 1;
    return failf(why, len, "maze is %dx%d but the model learned coordinates for %dx%d "
                 "(model.positions = coords); train with model.positions = rope for other sizes", h, w, n, n);
}

int infer_read(const Task *task, const char *path, const char *name, const char *model_path, const Model *m,
               const Config *cfg, long limit, PuzzleSet *set) {
    task_expect_input(task, path, name, model_path);
    int n_bad = task->read(path, set, 1);
    if (limit && set->n > limit) puzzle_set_truncate(set, (int)limit);
    char why[512];
    for (int i = 0; i < set->n; i++) {
        const Puzzle *p = &set->p[i];
        if (!p->q || infer_size_ok(m, cfg, p->h, p->w, why, sizeof why)) continue;
        warnf("%s:%d: %s (skipped)", name, p->line, why);
        puzzle_set_drop(set, i, why);   // its cells stay in the block until puzzle_set_free
        n_bad++;
    }
    return n_bad;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void infer_loop_stats(double *loops, int n, double *mean, double *median, double *p90) {
    *mean = *median = *p90 = 0.0;
    if (n == 0) return;
    for (int i = 0; i < n; i++) *mean += loops[i];   // in the order given, then divided: eval's rows
    *mean /= n;                                       // have always summed this way
    qsort(loops, (size_t)n, sizeof(double), cmp_double);
    *median = n % 2 ? loops[n / 2] : 0.5 * (loops[n / 2 - 1] + loops[n / 2]);
    int r = (int)ceil(0.9 * n);
    *p90 = loops[(r < 1 ? 1 : r) - 1];
}

// ---- the batch runner ----------------------------------------------------------------------

void runner_init(Runner *r, Model *m, const Config *cfg, int B, int s_max) {
    memset(r, 0, sizeof *r);
    r->m = m; r->cfg = cfg; r->B = B; r->s_max = s_max;
    task_get(cfg->task)->train_size(cfg, &r->h, &r->w);   // the size the model was built for
    size_t n = (size_t)B * s_max;
    r->idx = xmalloc(sizeof(int) * (size_t)B);
    r->tok = xmalloc(n * sizeof(int));
    r->pred = xmalloc(n * sizeof(int));
    r->loops = xmalloc(n * sizeof(int));
    model_alloc(m, B, 1, 0);
}

void runner_free(Runner *r) {
    free(r->coords); free(r->idx); free(r->tok); free(r->pred); free(r->loops); free(r->conf);
}

void runner_want_conf(Runner *r) {
    if (!r->conf) r->conf = xmalloc(sizeof(float) * (size_t)r->B * r->s_max);
}

// conf (S) = at each cell of row b the softmax probability of class pred (S), from the logits
// of the model's last forward or stream step (the ones model_predict / model_stream_read read).
static void row_conf(const Model *m, int b, const int *pred, float *conf) {
    int T = m->T, M = m->M, S = m->shape.seq_len, V = m->Vout;
    const float *l = m->acts.logits + ((size_t)b * T + M) * V;   // (S, V)
    for (int t = 0; t < S; t++, l += V) {
        float sum = 0.0f;
        for (int v = 0; v < V; v++) sum += expf(l[v] - l[pred[t]]);
        conf[t] = 1.0f / sum;
    }
}

// Point the model at h x w grids and reallocate its activations (a no-op at the current size).
static void runner_size(Runner *r, int h, int w) {
    if (h == r->h && w == r->w) return;
    free(r->coords);
    r->coords = xmalloc(sizeof(int) * (size_t)task_coords_size(r->cfg, h, w));
    TaskShape s;
    task_shape(&s, r->coords, r->cfg, h, w);
    model_set_shape(r->m, &s);
    model_alloc(r->m, r->B, 1, 0);
    r->h = h; r->w = w;
}

int runner_load(Runner *r, const Puzzle *items, int n, int i) {
    r->items = items; r->n = 0;
    while (i < n && !items[i].q) i++;
    if (i == n) return n;
    const Puzzle *first = &items[i];
    int nb = 0, S = first->h * first->w;
    for (; i < n && nb < r->B; i++) {
        if (!items[i].q) continue;
        if (items[i].h != first->h || items[i].w != first->w) break;
        r->idx[nb++] = i;
    }
    runner_size(r, first->h, first->w);
    for (int b = 0; b < r->B; b++) {
        const uint8_t *q = items[r->idx[b < nb ? b : 0]].q;
        for (int t = 0; t < S; t++) r->tok[(size_t)b * S + t] = q[t];
    }
    r->n = nb; r->S = S;
    return i;
}

void runner_forward(Runner *r, const ForwardOpts *o) {
    model_forward_opts(r->m, r->tok, NULL, o);
    model_predict(r->m, r->pred);
    model_loops_used(r->m, r->loops);
    if (r->conf)
        for (int b = 0; b < r->m->B; b++) row_conf(r->m, b, r->pred + (size_t)b * r->S, r->conf + (size_t)b * r->S);
}

// The entries [i, end) of one run of equal-size puzzles starting at the first puzzle at or
// after i; their puzzle indices into seg (n entries of room). Returns the puzzle count.
static int equal_size_run(const Puzzle *items, int n, int i, int *seg, int *end) {
    while (i < n && !items[i].q) i++;
    int ns = 0;
    for (int j = i; j < n; j++) {
        if (!items[j].q) continue;
        if (items[j].h != items[i].h || items[j].w != items[i].w) { *end = j; return ns; }
        seg[ns++] = j;
    }
    *end = n;
    return ns;
}

// The tail of a stream: once no puzzle is left to load and at most half the rows still run,
// move the running rows together and run only those. (Halving, not shrinking at every stop:
// each new batch size is a new GEMM shape, and small ones run below the engine's speed;
// measured in docs/schemes.md.) Returns the rows now run.
static int stream_shrink(Model *m, int *row, int rows) {
    int live = 0;
    for (int b = 0; b < rows; b++) live += row[b] >= 0;
    if (live > rows / 2 || live == 0) return rows;
    for (int lo = 0, hi = rows - 1;; lo++, hi--) {
        while (lo < rows && row[lo] >= 0) lo++;
        while (hi >= 0 && row[hi] < 0) hi--;
        if (lo >= hi) break;
        model_stream_move(m, lo, hi);
        row[lo] = row[hi];
        row[hi] = -1;
    }
    model_stream_rows(m, live);
    return live;
}

int runner_stream(Runner *r, const Puzzle *items, int n, int i, const ForwardOpts *o, RunnerEmit emit, void *ctx) {
    int *seg = xmalloc(sizeof(int) * (size_t)(n > 0 ? n : 1)), end;
    int ns = equal_size_run(items, n, i, seg, &end);
    if (ns == 0) { free(seg); return n; }
    const Puzzle *first = &items[seg[0]];
    int S = first->h * first->w, B = r->B;
    runner_size(r, first->h, first->w);
    int *pred = xmalloc(sizeof(int) * (size_t)ns * S), *loops = xmalloc(sizeof(int) * (size_t)ns * S);
    float *conf = r->conf ? xmalloc(sizeof(float) * (size_t)ns * S) : NULL;
    uint8_t *done = xcalloc((size_t)ns, 1);
    int *row = r->idx;   // (B) the run's puzzle each row holds; -1: idle (no puzzle left)
    model_stream_start(r->m, o->halting, o->loops);
    int next = 0, emitted = 0;
    for (int b = 0; b < B; b++) {   // an idle row runs a copy of the first puzzle, unread
        row[b] = next < ns ? next++ : -1;
        const uint8_t *q = items[seg[row[b] >= 0 ? row[b] : 0]].q;
        for (int t = 0; t < S; t++) r->tok[t] = q[t];
        model_stream_load(r->m, b, r->tok);
    }
    int rows = B;   // rows run: fewer in the tail
    while (emitted < ns) {
        if (!model_stream_step(r->m)) continue;
        for (int b = 0; b < rows; b++) {
            int j = row[b];
            if (j < 0 || !r->m->row_done[b]) continue;
            model_stream_read(r->m, b, pred + (size_t)j * S, loops + (size_t)j * S);
            if (conf) row_conf(r->m, b, pred + (size_t)j * S, conf + (size_t)j * S);
            done[j] = 1;
            row[b] = next < ns ? next++ : -1;
            if (row[b] < 0) continue;
            const uint8_t *q = items[seg[row[b]]].q;
            for (int t = 0; t < S; t++) r->tok[t] = q[t];
            model_stream_load(r->m, b, r->tok);
        }
        for (; emitted < ns && done[emitted]; emitted++)
            emit(ctx, seg[emitted], pred + (size_t)emitted * S, loops + (size_t)emitted * S,
                 conf ? conf + (size_t)emitted * S : NULL);
        if (next == ns) rows = stream_shrink(r->m, row, rows);
    }
    model_stream_rows(r->m, B);
    r->n = 0;
    free(seg); free(pred); free(loops); free(conf); free(done);
    return end;
}


void runner_run(Runner *r, const Puzzle *items, int n, const ForwardOpts *o, RunnerEmit emit, void *ctx) {
    if (r->m->scheme->streams) {
        for (int i = 0; i < n;) {
            i = runner_stream(r, items, n, i, o, emit, ctx);
            fflush(stdout);
        }
        return;
    }
    for (int i = 0;;) {
        i = runner_load(r, items, n, i);
        if (r->n == 0) break;
        runner_forward(r, o);
        for (int b = 0; b < r->n; b++)
            emit(ctx, r->idx[b], r->pred + (size_t)b * r->S, r->loops + (size_t)b * r->S,
                 r->conf ? r->conf + (size_t)b * r->S : NULL);
        fflush(stdout);
    }
}
