// train.c — `loopt train CONFIG`: train a looped transformer from a JSON config, with a
// progress line, periodic evaluation on a held-out split (EMA weights), atomic checkpoints
// every train.ckpt_every steps and at the end, Ctrl-C saving before exit, and exact resume.
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/config.h"
#include "loopt/dataset.h"
#include "loopt/log.h"
#include "loopt/maze.h"
#include "loopt/model.h"
#include "loopt/modelio.h"
#include "loopt/optim.h"
#include "loopt/schedule.h"
#include "loopt/sudoku.h"
#include "loopt/timer.h"

static const char *USAGE =
    "usage: loopt train CONFIG [--set key.path=value]... [--resume CKPT] [--out DIR] [--quiet]\n"
    "\n"
    "Trains the model described by CONFIG (see docs/config.md). Training data comes from\n"
    "data.train (puzzles with solutions) or, when that is empty, is generated on the fly from\n"
    "data.seed; the validation split (data.valid, or data.gen_valid generated puzzles from a\n"
    "separate stream) never appears in training. Progress goes to stderr; the checkpoint is\n"
    "written atomically to DIR/model.safetensors every train.ckpt_every steps, at the end, and on\n"
    "Ctrl-C. --resume continues a run exactly (same data, same RNG streams).\n"
    "\n"
    "  --out DIR      output folder (default runs/<config name>)\n"
    "  --resume CKPT  continue from a checkpoint written by loopt train (its config is used;\n"
    "                 --set may still change train.steps and cadences)\n"
    "  --quiet        no progress lines\n";

static volatile sig_atomic_t interrupted = 0;
static void on_sigint(int sig) { (void)sig; interrupted = 1; }

// ---- data -------------------------------------------------------------------------------------
// A split is a flat array of (question, answer) token rows of seq_len each.
typedef struct {
    int n, S;
    int *q;   // (n, S)
    int *a;   // (n, S)
} Split;

static void split_alloc(Split *s, int n, int S) {
    s->n = n; s->S = S;
    s->q = xmalloc(sizeof(int) * (size_t)n * S);
    s->a = xmalloc(sizeof(int) * (size_t)n * S);
}

static void split_free(Split *s) { free(s->q); free(s->a); memset(s, 0, sizeof *s); }

// One generated example into q/a rows; scratch holds at least 2*S bytes (allocated once).
static void gen_example(const Config *c, Rng *r, int *q, int *a, uint8_t *scratch) {
    int S = c->task == TASK_SUDOKU ? 81 : c->data.maze_size * c->data.maze_size;
    uint8_t *pq = scratch, *pa = scratch + S;
    if (c->task == TASK_SUDOKU) sudoku_generate(r, c->data.givens_min, c->data.givens_max, pq, pa, NULL);
    else maze_generate(r, c->data.maze_size, c->data.maze_size, c->data.maze_min_path, pq, pa);
    for (int i = 0; i < S; i++) { q[i] = pq[i]; a[i] = pa[i]; }
}

// Load a file split (puzzles with solutions) for the config's task.
static void load_split(Split *s, const Config *c, const char *path) {
    if (c->task == TASK_SUDOKU) {
        SudokuSet set;
        sudoku_read(path, &set, 0);
        if (!set.solutions) die(EXIT_USAGE, "%s: training and validation data need solutions (puzzle,solution)", path);
        split_alloc(s, set.n, 81);
        for (size_t i = 0; i < (size_t)set.n * 81; i++) { s->q[i] = set.puzzles[i]; s->a[i] = set.solutions[i]; }
        sudoku_set_free(&set);
    } else {
        MazeSet set;
        maze_read(path, &set, 0);
        int n = c->data.maze_size, S = n * n;
        split_alloc(s, set.n, S);
        for (int k = 0; k < set.n; k++) {
            Maze *z = &set.mazes[k];
            if (z->h != n || z->w != n)
                die(EXIT_USAGE, "%s:%d: maze is %dx%d, the config's data.maze_size is %d", path, z->line, z->h, z->w, n);
            if (!z->a) die(EXIT_USAGE, "%s:%d: training and validation mazes need answers", path, z->line);
            for (int i = 0; i < S; i++) { s->q[(size_t)k * S + i] = z->q[i]; s->a[(size_t)k * S + i] = z->a[i]; }
        }
        maze_set_free(&set);
    }
}

// Augment one example in place (validity-preserving transforms); scratch holds 3*S bytes.
static void augment(const Config *c, Rng *r, int *q, int *a, int S, uint8_t *scratch) {
    uint8_t *pq = scratch, *pa = scratch + S, *tmp = scratch + 2 * S;
    for (int i = 0; i < S; i++) { pq[i] = (uint8_t)q[i]; pa[i] = (uint8_t)a[i]; }
    if (c->task == TASK_SUDOKU) {
        sudoku_augment(r, pq, pa);
    } else {
        int n = c->data.maze_size, k = (int)rng_below(r, 8);
        maze_dihedral(tmp, pq, n, k); memcpy(pq, tmp, (size_t)S);
        maze_dihedral(tmp, pa, n, k); memcpy(pa, tmp, (size_t)S);
    }
    for (int i = 0; i < S; i++) { q[i] = pq[i]; a[i] = pa[i]; }
}

// ---- accuracy ---------------------------------------------------------------------------------
typedef struct { long cells, cells_right, puzzles, exact; double loops; } Acc;

// Cell accuracy counts the cells the model has to fill (blanks for Sudoku, every cell for mazes).
static void accumulate(Acc *acc, const Config *c, const int *q, const int *a, const int *pred,
                       const int *used, int n, int S) {
    for (int k = 0; k < n; k++) {
        int all = 1;
        for (int i = 0; i < S; i++) {
            size_t j = (size_t)k * S + i;
            int right = pred[j] == a[j];
            all &= right;
            if (c->task != TASK_SUDOKU || q[j] == 0) { acc->cells++; acc->cells_right += right; }
            acc->loops += used[j];
        }
        acc->puzzles++;
        acc->exact += all;
    }
}

static void evaluate(Model *m, const Config *c, const Split *v, int loops, int *pred, int *used, Acc *acc) {
    memset(acc, 0, sizeof *acc);
    int B = m->B, S = v->S;
    for (int start = 0; start + B <= v->n; start += B) {
        model_forward(m, v->q + (size_t)start * S, v->a + (size_t)start * S, loops);
        model_predict(m, pred);
        model_loops_used(m, used);
        accumulate(acc, c, v->q + (size_t)start * S, v->a + (size_t)start * S, pred, used, B, S);
    }
}

// Name of the first parameter tensor whose gradient holds a NaN or an inf, or NULL.
static const char *nonfinite_grad(const Model *m) {
    const float *g = m->grads_memory;
    for (int t = 0; t < NUM_PARAM_TENSORS; t++) {
        int bad = 0;
        for (size_t i = 0; i < m->param_sizes[t]; i++) bad |= !isfinite(g[i]);
        if (bad) return PARAMS[t].name;
        g += m->param_sizes[t];
    }
    return NULL;
}

#define MAX_NAN_RUN 100   // with on_nan = skip: give up after this many bad batches in a row

static void save(const char *path, const Model *m, const Config *c, const Optimizer *o, const TrainState *ts) {
    char why[512];
    if (!model_save(path, m, c, o, ts, why, sizeof why))
        die(EXIT_RUNTIME, "saving the checkpoint failed: %s (the previous checkpoint, if any, is intact)", why);
}

int cmd_train(int argc, char **argv) {
    const char *path = NULL, *resume = NULL, *out = NULL;
    const char **sets = xmalloc(sizeof(char *) * (size_t)argc);
    int n_sets = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); free(sets); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--set", &v)) sets[n_sets++] = v;
        else if (arg_value(argc, argv, &i, "--resume", &v)) resume = v;
        else if (arg_value(argc, argv, &i, "--out", &v)) out = v;
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1]) usage_error(USAGE, "train: unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else usage_error(USAGE, "train: unexpected argument '%s'", argv[i]);
    }
    if (!path && !resume) usage_error(USAGE, "train: missing CONFIG");

    Config cfg;
    Model m;
    Optimizer opt;
    TrainState ts;
    if (resume) {
        model_load(resume, &cfg, &m, 0, &opt, &ts);
        for (int i = 0; i < n_sets; i++) config_set(&cfg, sets[i], "--set");
        config_validate(&cfg, "--set");
    } else {
        config_load(&cfg, path, sets, n_sets);
    }
    free(sets);
    int threads = threads_set(cfg.train.threads);

    // output folder: runs/<config basename without .json>
    char outdir[512], ckpt_path[600];
    if (!out) {
        const char *base = path ? strrchr(path, '/') : NULL;
        base = base ? base + 1 : (path ? path : "resumed");
        snprintf(outdir, sizeof outdir, "runs/%.*s", (int)(strcspn(base, ".")), base);
        mkdir("runs", 0755);
        out = outdir;
    }
    if (mkdir(out, 0755) != 0) {
        struct stat st;
        if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) die(EXIT_USAGE, "--out %s: cannot create the folder", out);
    }
    snprintf(ckpt_path, sizeof ckpt_path, "%s/model.safetensors", out);

    char *json = config_to_json(&cfg);
    log_info("loopt train: resolved config:\n%s", json);
    free(json);

    int *coords = xmalloc(sizeof(int) * (size_t)task_coords_size(&cfg, 0, 0));
    TaskShape shape;
    task_shape(&shape, coords, &cfg, 0, 0);
    if (!resume) {
        Rng init_rng;
        rng_seed(&init_rng, cfg.train.seed);
        model_init(&m, &cfg, &shape, &init_rng);
        optim_init(&opt, &m, &cfg.train);
        memset(&ts, 0, sizeof ts);
        rng_seed(&ts.data_rng, cfg.data.seed);
        rng_seed(&ts.halt_rng, cfg.train.seed ^ 0x68616c74ULL);
    }
    int B = cfg.train.batch, K = config_depth(&cfg);
    int W = cfg.recursion.window ? cfg.recursion.window : K;
    model_alloc(&m, B, W, 1);
    model_print_sizes(&m);
    log_info("threads: %d; checkpoint: %s", threads, ckpt_path);

    // validation split: from data.valid or generated from its own stream (never the training one)
    int S = shape.seq_len;
    uint8_t *scratch = xmalloc(3 * (size_t)S);   // byte grids for generation and augmentation
    Split valid = {0}, train = {0};
    if (cfg.data.valid[0]) load_split(&valid, &cfg, cfg.data.valid);
    else {
        Rng vr;
        rng_seed(&vr, cfg.data.seed ^ 0x76616c6964ULL);
        split_alloc(&valid, (int)cfg.data.gen_valid, S);
        for (int k = 0; k < valid.n; k++) gen_example(&cfg, &vr, valid.q + (size_t)k * S, valid.a + (size_t)k * S, scratch);
    }
    if (valid.n < B) log_info("note: validation split (%d) is smaller than a batch (%d): evaluation skipped", valid.n, B);
    if (cfg.data.train[0]) load_split(&train, &cfg, cfg.data.train);

    int *bq = xmalloc(sizeof(int) * (size_t)B * S), *ba = xmalloc(sizeof(int) * (size_t)B * S);
    int *pred = xmalloc(sizeof(int) * (size_t)B * S), *used = xmalloc(sizeof(int) * (size_t)B * S);
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    long total = cfg.train.steps;
    double t0 = now_seconds(), t_last = t0, elapsed0 = ts.elapsed_s;
    long step_last = ts.step;
    Acc acc = {0};
    int nan_run = 0;   // batches skipped in a row for a NaN/inf (train.on_nan = "skip")
    // trm/hrm: a sample stays in its row for several supervision steps (schedule.c).
    // A resumed run starts every row fresh (the carried states are not in the checkpoint).
    Schedule sched;
    schedule_init(&sched, &m, cfg.recursion.n_sup);
    double loss_sum = 0.0;
    int loss_n = 0;
    while (ts.step < total && !interrupted) {
        // batch: generated fresh, or sampled from the file split; augmented
        for (int k = 0; k < B; k++) {
            if (!schedule_wants_sample(&sched, k)) continue;   // keeps its sample and carried state
            int *q = bq + (size_t)k * S, *a = ba + (size_t)k * S;
            if (train.n) {
                uint32_t j = rng_below(&ts.data_rng, (uint32_t)train.n);
                memcpy(q, train.q + (size_t)j * S, sizeof(int) * S);
                memcpy(a, train.a + (size_t)j * S, sizeof(int) * S);
            } else {
                gen_example(&cfg, &ts.data_rng, q, a, scratch);
            }
            if (cfg.data.augment) augment(&cfg, &ts.data_rng, q, a, S, scratch);
            schedule_start_row(&sched, &m, k, &ts.halt_rng);
        }
        model_zero_grad(&m);
        double loss = schedule_forward(&sched, &m, bq, ba, K);
        char bad[96] = "";
        if (!isfinite(loss)) snprintf(bad, sizeof bad, "the loss (%g)", loss);
        else {
            model_backward(&m);
            const char *t = nonfinite_grad(&m);
            if (t) snprintf(bad, sizeof bad, "the gradient of %s", t);
        }
        if (bad[0]) {   // before the optimizer step: the weights are still the good ones
            struct stat st;
            int have = stat(ckpt_path, &st) == 0;
            if (!cfg.train.nan_policy_skip || ++nan_run > MAX_NAN_RUN)
                die(EXIT_RUNTIME, "step %ld: %s is not finite%s; stopping: %s%s", ts.step + 1, bad,
                    nan_run > MAX_NAN_RUN ? " in too many batches in a row" : "",
                    have ? "the last checkpoint is intact: " : "no checkpoint was written yet",
                    have ? ckpt_path : "");
            warnf("step %ld: %s is not finite; batch skipped (train.on_nan = \"skip\")", ts.step + 1, bad);
            continue;
        }
        nan_run = 0;
        optim_step(&opt, &m, &cfg.train);
        ts.step++;
        model_predict(&m, pred);
        schedule_after_step(&sched, &m, used, S);
        accumulate(&acc, &cfg, bq, ba, pred, used, B, S);
        loss_sum += m.ce_loss;
        loss_n++;

        double now = now_seconds();
        ts.elapsed_s = elapsed0 + (now - t0);
        if (ts.step % cfg.train.log_every == 0 || ts.step == total) {
            char line[256];
            double sps = (double)(ts.step - step_last) * B / fmax(now - t_last, 1e-9);
            snprintf(line, sizeof line, "loss %.4f | cell %.3f exact %.3f | loops %.2f | lr %.2e | %.1f samples/s",
                     loss_sum / loss_n, (double)acc.cells_right / fmax(acc.cells, 1), (double)acc.exact / fmax(acc.puzzles, 1),
                     acc.loops / fmax((double)acc.puzzles * S, 1), optim_lr(&cfg.train, ts.step - 1, total), sps);
            log_progress(ts.step, total, ts.elapsed_s, line);
            memset(&acc, 0, sizeof acc);
            loss_sum = 0.0; loss_n = 0;
            t_last = now; step_last = ts.step;
        }
        int do_eval = valid.n >= B && ((cfg.train.eval_every && ts.step % cfg.train.eval_every == 0) || ts.step == total);
        if (do_eval) {
            optim_swap_ema(&opt, &m);
            model_alloc(&m, B, 1, 0);   // inference: one loop slot
            Acc va;
            evaluate(&m, &cfg, &valid, K, pred, used, &va);
            model_alloc(&m, B, W, 1);
            optim_swap_ema(&opt, &m);
            schedule_restart(&sched);   // the reallocation dropped the carried states
            log_progress_end();
            log_info("eval step %ld: %ld puzzles, cell %.4f, exact %.4f, loops %.2f%s", ts.step, va.puzzles,
                     (double)va.cells_right / fmax(va.cells, 1), (double)va.exact / fmax(va.puzzles, 1),
                     va.loops / fmax((double)va.puzzles * S, 1), opt.ema ? " (EMA weights)" : "");
        }
        if ((cfg.train.ckpt_every && ts.step % cfg.train.ckpt_every == 0) || ts.step == total)
            save(ckpt_path, &m, &cfg, &opt, &ts);
    }
    log_progress_end();
    int rc = EXIT_OK;
    if (interrupted) {
        save(ckpt_path, &m, &cfg, &opt, &ts);
        warnf("interrupted at step %ld: checkpoint saved to %s (continue with --resume)", ts.step, ckpt_path);
        rc = EXIT_RUNTIME;
    } else {
        log_info("done: %ld steps in %.1f s; checkpoint %s", ts.step, ts.elapsed_s, ckpt_path);
    }
    free(bq); free(ba); free(pred); free(used); free(coords); free(scratch);
    schedule_free(&sched);
    split_free(&valid); split_free(&train);
    optim_free(&opt);
    model_free(&m);
    return rc;
}
