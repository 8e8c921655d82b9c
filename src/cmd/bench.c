// bench.c — `loopt bench CONFIG`: the speed and memory of the engine at a config's shapes, in
// one process: OpenBLAS sgemm at the model's largest GEMM shape and at 1024^3 (the machine's
// peak), full training steps (forward through all loops, backward, AdamW) and inference (one
// loop slot, no targets) at --iters loops. Reports medians over --reps repetitions, achieved
// GFLOP/s from the model's FLOP count (formula in docs/bench.md), the fraction of the sgemm peak,
// the bytes of every buffer and the peak RSS; --json prints one object for scripts.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "loopt/args.h"
#include "loopt/attention.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/config.h"
#include "loopt/taskmodel.h"
#include "loopt/runner.h"
#include "loopt/log.h"
#include "loopt/model.h"
#include "loopt/optim.h"
#include "loopt/rng.h"
#include "loopt/task.h"
#include "loopt/timer.h"
#include "loopt/scheme.h"

static const char *USAGE =
    "usage: loopt bench CONFIG [--set key.path=value]... [--threads T] [--batch B] [--iters N]\n"
    "                   [--reps R] [--only gemm,train,infer,solve] [--json]\n"
    "\n"
    "Times, in one process, (1) OpenBLAS sgemm at the model's largest GEMM shape (the SwiGLU\n"
    "up-projection, M = batch*T, N = 2*d_ff, K = d_model) and at 1024^3, split over the threads\n"
    "as the engine does, and at 1024^3 on OpenBLAS's own threads — the best is the machine's\n"
    "peak; (2) full training steps (zero grad, forward through all loops with targets, backward\n"
    "through the truncation window, AdamW) after 2 warm-up steps; (3) inference\n"
    "(one loop slot, no targets, as `loopt solve`) at --iters loops; (4) `solve`'s whole path\n"
    "(batches loaded, run at --iters fixed loops with continuous batching, answers read and\n"
    "checked) on 4 x batch puzzles generated from the config's data settings: puzzles/s and its\n"
    "ratio to (3), the overhead solve adds to the engine. Inputs of (1)-(3) are random tokens of\n"
    "the task's shape. The model's weights are random either way. Prints the medians over R repetitions (one step or one forward each):\n"
    "samples/s, achieved GFLOP/s from the model's FLOP count (docs/bench.md), the fraction of the\n"
    "sgemm peak, the bytes of each buffer and the peak RSS of the process.\n"
    "\n"
    "  --threads T    CPU threads (default: train.threads, 0 = all cores)\n"
    "  --batch B      batch (default train.batch)\n"
    "  --iters N      loops for the inference timing (default: the training depth)\n"
    "  --reps R       repetitions; medians are reported (default 5)\n"
    "  --only LIST    run only these parts, comma-separated: gemm, train, infer, solve (default\n"
    "                 all);\n"
    "                 `--only infer` allocates only the inference buffers, for memory checks\n"
    "  --json         one JSON object on stdout instead of the text report\n";

// ---- small helpers ------------------------------------------------------------------------------

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double minimum(const double *v, int n) {
    double r = v[0];
    for (int i = 1; i < n; i++) r = fmin(r, v[i]);
    return r;
}

static double median(const double *v, int n) {
    double *s = xmalloc(sizeof(double) * (size_t)n);
    memcpy(s, v, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    double r = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    free(s);
    return r;
}

// The CPU's model name, family and model from /proc/cpuinfo ("unknown" elsewhere): speed
// figures name their CPU, and a hypervisor may show only "AMD EPYC" as the name.
static void cpu_model(char *out, size_t cap) {
    snprintf(out, cap, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512], name[256] = "unknown";
    int family = -1, model = -1;
    while (fgets(line, sizeof line, f) && strcmp(line, "\n")) {   // the first processor only
        char *v = strchr(line, ':');
        if (!v) continue;
        v += 1 + (v[1] == ' ');
        v[strcspn(v, "\n")] = '\0';
        if (!strncmp(line, "model name", 10)) snprintf(name, sizeof name, "%s", v);
        else if (!strncmp(line, "cpu family", 10)) family = atoi(v);
        else if (!strncmp(line, "model\t", 6)) model = atoi(v);
    }
    fclose(f);
    snprintf(out, cap, "%s (family %d, model %d)", name, family, model);
}

static void json_str(const char *key, const char *v) {
    printf("\"%s\": \"", key);
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\') putchar('\\');
        if ((unsigned char)*p >= 0x20) putchar(*p);
    }
    printf("\", ");
}

// CPU seconds of the whole process (all threads): with --threads 1 on a machine shared with other
// jobs this is the time the step would take alone, where the wall clock also counts waiting.
static double cpu_seconds(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return NAN;
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static long peak_rss_bytes(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
    return ru.ru_maxrss * 1024L;   // Linux reports kilobytes
}

// ---- FLOP count -----------------------------------------------------------------------------------
// Matrix products only (2*M*N*K each); element-wise ops, norms, softmax and the optimizer are not
// counted. See docs/bench.md.

// The products of the parameters with a FLOPs kind in the parameter table (model.h), for the
// whole batch: per layer of the block (TOKEN, CHANNEL: one layer's slice of the tensor), or
// per application of the head (HEAD).
static double param_flops(const Model *m, ParamFlops kind) {
    double B = m->B, T = m->T, C = m->C, f = 0.0;
    for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
        double n = (double)m->param_sizes[i];
        if (PARAMS[i].flops != kind || n == 0.0) continue;
        if (kind == FLOPS_TOKEN) f += 2.0 * B * T * n / ((double)m->L * m->P);
        if (kind == FLOPS_CHANNEL) f += 2.0 * B * C * n / ((double)m->L * m->P);
        if (kind == FLOPS_HEAD) f += 2.0 * B * T * n;
    }
    return f;
}

// One layer of the block, forward, for the whole batch: its weight products, and attention's
// two products of each query with the keys it sees (QK^T and AV, all heads together).
static double layer_flops(const Model *m) {
    double f = param_flops(m, FLOPS_TOKEN) + param_flops(m, FLOPS_CHANNEL);
    if (m->mc.mixer == MIXER_MLP) return f;
    double keys = m->mc.mixer == MIXER_LOCAL ? LOCAL_K : m->T;
    return f + 2.0 * 2.0 * m->B * m->T * keys * m->C;
}

static double head_flops(const Model *m) {
    return param_flops(m, FLOPS_HEAD);
}

// Forward of the last model_forward: loops_run loops of L layers, the head once (and on every
// supervised loop with deep supervision when training).
static double forward_flops(const Model *m, int heads) {
    return (double)m->loops_run * m->L * layer_flops(m) + heads * head_flops(m);
}

// Backward of the last model_forward: twice the forward of the kept (backpropagated) loops —
// one GEMM for the input gradient and one for the weight gradient per forward GEMM.
static double backward_flops(const Model *m, int heads) {
    int kept = m->loops_run - m->window_start + 1;
    return 2.0 * ((double)kept * m->L * layer_flops(m) + heads * head_flops(m));
}

// ---- sgemm peak -------------------------------------------------------------------------------------

typedef struct { int M, N, K; double gflops, gflops_cpu; } GemmResult;   // per wall / CPU second

// C (M, N) = A (M, K) @ W^T, W (N, K): the layout linear_forward uses. Each repetition runs
// enough calls for ~0.25 s; the median GFLOP/s is returned.
static void bench_gemm(GemmResult *res, int M, int N, int K, int reps, Rng *r) {
    size_t na = (size_t)M * K, nb = (size_t)N * K, nc = (size_t)M * N;
    float *A = xmalloc(na * sizeof(float)), *W = xmalloc(nb * sizeof(float)), *Cm = xmalloc(nc * sizeof(float));
    for (size_t i = 0; i < na; i++) A[i] = rng_normal(r);
    for (size_t i = 0; i < nb; i++) W[i] = rng_normal(r);
    memset(Cm, 0, nc * sizeof(float));
    double flop = 2.0 * M * N * K;
    gemm(0, 1, M, N, K, 1.0f, A, W, 0.0f, Cm);   // warm-up: threads, pages
    double t0 = now_seconds();
    gemm(0, 1, M, N, K, 1.0f, A, W, 0.0f, Cm);
    double t1 = now_seconds() - t0;
    int calls = (int)fmin(10000.0, fmax(1.0, ceil(0.25 / fmax(t1, 1e-6))));
    double *g = xmalloc(sizeof(double) * (size_t)reps), *gc = xmalloc(sizeof(double) * (size_t)reps);
    for (int rep = 0; rep < reps; rep++) {
        double c0 = cpu_seconds();
        t0 = now_seconds();
        for (int c = 0; c < calls; c++) gemm(0, 1, M, N, K, 1.0f, A, W, 0.0f, Cm);
        g[rep] = flop * calls / (now_seconds() - t0) / 1e9;
        gc[rep] = flop * calls / (cpu_seconds() - c0) / 1e9;
    }
    res->M = M; res->N = N; res->K = K;
    res->gflops = median(g, reps);
    res->gflops_cpu = median(gc, reps);
    free(g); free(gc); free(A); free(W); free(Cm);
}

// ---- report -----------------------------------------------------------------------------------------

typedef struct {
    int done;
    double step_s, fwd_s, bwd_s, opt_s;   // medians
    double step_min_s;                    // fastest repetition (least disturbed on a shared machine)
    double step_cpu_s;                    // median process CPU seconds per step
    double gflop_step;                    // model FLOP per step / 1e9
    double loss;
    int loops_run, kept;
} TrainResult;

typedef struct {
    int done;
    double fwd_s, fwd_min_s, fwd_cpu_s;
    double gflop_fwd;
    int loops_run;
} InferResult;

typedef struct {
    int done, n;                 // n puzzles per repetition
    double run_s, run_min_s;     // median and fastest seconds for all n
} SolveResult;

typedef struct {
    size_t params, grads, adam, ema, decay_mask, acts_train, grad_acts, acts_infer, tokens;
} Bytes;

static void json_num(const char *key, double v, int last) {
    if (isfinite(v)) printf("\"%s\": %.6g%s", key, v, last ? "" : ", ");
    else printf("\"%s\": null%s", key, last ? "" : ", ");
}

// ---- the options ------------------------------------------------------------------------------------

typedef struct {
    const char *path;        // the config
    const char **sets;       // the --set overrides, n_sets of them (argv strings)
    int n_sets;
    int threads, batch, iters, reps, json;   // threads -1, batch 0, iters 0: from the config
    int do_gemm, do_train, do_infer, do_solve;   // the parts --only keeps
} BenchArgs;

// --only LIST: run only the parts named (an empty item, as in "gemm," or "", is an error).
static void parse_only(BenchArgs *a, const char *v) {
    a->do_gemm = a->do_train = a->do_infer = a->do_solve = 0;
    const char *p = v;
    for (;;) {
        size_t n = strcspn(p, ",");
        if (n == 4 && !strncmp(p, "gemm", 4)) a->do_gemm = 1;
        else if (n == 5 && !strncmp(p, "train", 5)) a->do_train = 1;
        else if (n == 5 && !strncmp(p, "infer", 5)) a->do_infer = 1;
        else if (n == 5 && !strncmp(p, "solve", 5)) a->do_solve = 1;
        else usage_error(USAGE, "bench: --only: expected gemm, train, infer or solve, got '%.*s'", (int)n, p);
        p += n;
        if (*p++ != ',') break;
    }
}

// Fill *a from argv; a usage error exits 2 here. Returns 1 when --help was printed (exit 0).
static int parse_args(BenchArgs *a, int argc, char **argv) {
    *a = (BenchArgs){.sets = xmalloc(sizeof(char *) * (size_t)argc), .threads = -1, .reps = 5,
                     .do_gemm = 1, .do_train = 1, .do_infer = 1, .do_solve = 1};
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); free(a->sets); return 1; }
        else if (arg_value(argc, argv, &i, "--set", &v)) a->sets[a->n_sets++] = v;
        else if (arg_value(argc, argv, &i, "--threads", &v)) a->threads = (int)arg_long("--threads", v, 0, 1024);
        else if (arg_value(argc, argv, &i, "--batch", &v)) a->batch = (int)arg_long("--batch", v, 1, 65536);
        else if (arg_value(argc, argv, &i, "--iters", &v)) a->iters = (int)arg_long("--iters", v, 1, 100000);
        else if (arg_value(argc, argv, &i, "--reps", &v)) a->reps = (int)arg_long("--reps", v, 1, 10000);
        else if (arg_value(argc, argv, &i, "--only", &v)) parse_only(a, v);
        else if (arg_flag(argv, i, "--json")) a->json = 1;
        else if (argv[i][0] == '-' && argv[i][1]) unknown_option(USAGE, "bench", argv[i]);
        else if (!a->path) a->path = argv[i];
        else usage_error(USAGE, "bench: unexpected argument '%s'", argv[i]);
    }
    if (!a->path) usage_error(USAGE, "bench: missing CONFIG");
    return 0;
}

// ---- the model under test ---------------------------------------------------------------------------

// The model and its inputs at the shapes the report names, and the settings every part reads.
typedef struct {
    const char *path;   // the config
    Config cfg;
    Model m;
    Rng rng;
    int *coords;        // the task's coordinates (model_init reads them)
    int *tok, *tgt;     // (B, S) random inputs and targets
    int B, T, K, W;     // batch, sequence length, training loops, truncation window
    int iters, threads, reps, json;
    char cpu[256];
} Bench;

// Load the config (only scheme "loop": its FLOP count is per loop), set the threads, build the
// model and random inputs of the task's shape: tokens in [0, vocab), targets in [1, n_out).
static void bench_setup(Bench *b, const BenchArgs *a) {
    b->path = a->path, b->reps = a->reps, b->json = a->json;
    config_load(&b->cfg, a->path, a->sets, a->n_sets);
    free(a->sets);
    const Scheme *scheme = scheme_get(b->cfg.recursion.scheme);
    if (scheme->cycles)   // its FLOP count is one block application per loop
        die(EXIT_USAGE, "recursion.scheme: loopt bench times families that apply the block once a loop, "
            "such as \"loop\", not \"%s\"", scheme->name);
    b->threads = threads_set(a->threads >= 0 ? a->threads : b->cfg.train.threads);
    b->B = a->batch ? a->batch : b->cfg.train.batch;
    b->K = config_depth(&b->cfg);
    b->W = b->cfg.recursion.window ? b->cfg.recursion.window : b->K;
    b->iters = a->iters ? a->iters : b->K;

    b->coords = xmalloc(sizeof(int) * (size_t)task_coords_size(&b->cfg, 0, 0));
    TaskShape shape;
    task_shape(&shape, b->coords, &b->cfg, 0, 0);
    rng_seed(&b->rng, b->cfg.train.seed);
    model_init(&b->m, &b->cfg, &shape, &b->rng);
    int S = shape.seq_len, B = b->B;
    b->T = S + b->m.M;
    b->tok = xmalloc(sizeof(int) * (size_t)B * S), b->tgt = xmalloc(sizeof(int) * (size_t)B * S);
    for (int i = 0; i < B * S; i++) {
        b->tok[i] = (int)rng_below(&b->rng, (uint32_t)shape.vocab);
        b->tgt[i] = shape.n_out > 1 ? 1 + (int)rng_below(&b->rng, (uint32_t)(shape.n_out - 1)) : 0;
    }
    cpu_model(b->cpu, sizeof b->cpu);
}

static void bench_free(Bench *b) {
    free(b->tok); free(b->tgt); free(b->coords);
    model_free(&b->m);
}

// ---- the parts ----------------------------------------------------------------------------------------

typedef struct {
    int done;
    GemmResult model, sq, own;   // the model's largest shape; 1024^3 split as gemm() does; 1024^3 on OpenBLAS's threads
    double peak;                 // the best wall-clock GFLOP/s of the three; NAN when not timed
} GemmPart;

// (1) sgemm. gemm() splits over the OpenMP threads (blas.c); OpenBLAS's own threading at
// 1024^3 is timed too, so the peak is the best the library itself reaches on these cores.
static void run_gemm(Bench *b, GemmPart *g) {
    bench_gemm(&g->model, b->B * b->T, 2 * b->m.F, b->m.C, b->reps, &b->rng);
    bench_gemm(&g->sq, 1024, 1024, 1024, b->reps, &b->rng);
    blas_use_own_threads(b->threads);
    bench_gemm(&g->own, 1024, 1024, 1024, b->reps, &b->rng);
    threads_set(b->threads);
    g->peak = fmax(g->model.gflops, fmax(g->sq.gflops, g->own.gflops));
    g->done = 1;
}

// The training buffers: what a training run of this config at this batch holds.
static void train_bytes(Bytes *by, const Model *m, const Optimizer *opt, int B, int T) {
    by->grads = m->num_params * sizeof(float);
    by->adam = 2 * opt->n * sizeof(float);
    by->ema = opt->ema ? opt->n * sizeof(float) : 0;
    by->decay_mask = opt->n;
    by->acts_train = m->num_acts * sizeof(float);
    by->grad_acts = m->num_grad_acts * sizeof(float);
    by->tokens = 3 * sizeof(int) * (size_t)B * T;
}

// (2) Training steps: zero grad, forward through all loops with targets, backward through the
// window, AdamW; two warm-up steps, then the medians of --reps timed ones.
static void run_train(Bench *b, TrainResult *tr, Bytes *by) {
    Model *m = &b->m;
    int reps = b->reps;
    model_alloc(m, b->B, b->W, 1);
    Optimizer opt;
    optim_init(&opt, m, &b->cfg.train);
    train_bytes(by, m, &opt, b->B, b->T);
    double *ts = xmalloc(sizeof(double) * (size_t)reps), *tf = xmalloc(sizeof(double) * (size_t)reps);
    double *tb = xmalloc(sizeof(double) * (size_t)reps), *to = xmalloc(sizeof(double) * (size_t)reps);
    double *tc = xmalloc(sizeof(double) * (size_t)reps);
    for (int s = -2; s < reps; s++) {   // two warm-up steps
        double c0 = cpu_seconds();
        double t0 = now_seconds();
        model_zero_grad(m);
        tr->loss = model_forward(m, b->tok, b->tgt, b->K);
        double t1 = now_seconds();
        model_backward(m);
        double t2 = now_seconds();
        double gn = optim_step(&opt, m, &b->cfg.train);
        double t3 = now_seconds();
        if (!isfinite(tr->loss) || !isfinite(gn)) die(EXIT_RUNTIME, "bench: loss %g, gradient norm %g", tr->loss, gn);
        if (s >= 0) { ts[s] = t3 - t0; tf[s] = t1 - t0; tb[s] = t2 - t1; to[s] = t3 - t2; tc[s] = cpu_seconds() - c0; }
    }
    tr->step_s = median(ts, reps); tr->fwd_s = median(tf, reps);
    tr->bwd_s = median(tb, reps); tr->opt_s = median(to, reps);
    tr->step_min_s = minimum(ts, reps);
    tr->step_cpu_s = median(tc, reps);
    tr->loops_run = m->loops_run;
    tr->kept = m->loops_run - m->window_start + 1;
    int heads = b->cfg.train.deep_supervision ? tr->kept : 1;   // the head runs on every supervised loop
    tr->gflop_step = (forward_flops(m, heads) + backward_flops(m, heads)) / 1e9;
    tr->done = 1;
    free(ts); free(tf); free(tb); free(to); free(tc);
    optim_free(&opt);
}

// (3) Inference: one loop slot, no targets (the solve path), at --iters loops.
static void run_infer(Bench *b, InferResult *ir, Bytes *by) {
    Model *m = &b->m;
    int reps = b->reps;
    model_alloc(m, b->B, 1, 0);
    by->acts_infer = m->num_acts * sizeof(float);
    if (!by->tokens) by->tokens = 3 * sizeof(int) * (size_t)b->B * b->T;
    model_forward(m, b->tok, NULL, b->iters < 2 ? b->iters : 2);   // warm-up (memory is per loop)
    double *tf = xmalloc(sizeof(double) * (size_t)reps), *tc = xmalloc(sizeof(double) * (size_t)reps);
    for (int s = 0; s < reps; s++) {
        double c0 = cpu_seconds();
        double t0 = now_seconds();
        model_forward(m, b->tok, NULL, b->iters);
        tf[s] = now_seconds() - t0;
        tc[s] = cpu_seconds() - c0;
    }
    ir->fwd_cpu_s = median(tc, reps);
    ir->fwd_s = median(tf, reps);
    ir->fwd_min_s = minimum(tf, reps);
    ir->loops_run = m->loops_run;
    ir->gflop_fwd = forward_flops(m, 1) / 1e9;
    ir->done = 1;
    free(tf); free(tc);
}

// (4) solve's path: puzzles generated like the training data, loaded by the runner, run at
// --iters loops with no halting (continuous batching, as `loopt solve --fixed`), each answer
// read and checked. The time covers everything after the puzzles exist.
typedef struct { const Task *task; const PuzzleSet *set; uint8_t *a; long valid; } SolveCheck;

static void solve_check(void *ctx, int entry, const int *pred, const int *loops, const float *conf) {
    SolveCheck *c = ctx;
    const Puzzle *p = &c->set->p[entry];
    char why[256];
    for (int t = 0; t < p->h * p->w; t++) c->a[t] = (uint8_t)pred[t];
    c->valid += c->task->check(p->q, c->a, p->h, p->w, why, sizeof why);
}

static void run_solve(Bench *b, SolveResult *sr) {
    const Task *task = task_get(b->cfg.task);
    int h, w, n = 4 * b->B;
    task->train_size(&b->cfg, &h, &w);
    int S = h * w;
    PuzzleSet set;
    puzzle_set_alloc(&set, n, 2 * (size_t)n * S);
    uint8_t *q = xmalloc((size_t)S), *ans = xmalloc((size_t)S);
    for (int i = 0; i < n; i++) {
        task->generate(&b->cfg, &b->rng, q, ans);
        puzzle_set_add(&set, h, w, q, ans, i + 1);
    }
    Runner r;
    runner_init(&r, &b->m, &b->cfg, b->B, S);
    SolveCheck c = {.task = task, .set = &set, .a = ans};
    ForwardOpts o = {.loops = b->iters, .halting = HALT_NONE};
    double *ts = xmalloc(sizeof(double) * (size_t)b->reps);
    for (int s = 0; s < b->reps; s++) {
        double t0 = now_seconds();
        for (int i = 0; i < n;) i = runner_stream(&r, set.p, n, i, &o, solve_check, &c);
        ts[s] = now_seconds() - t0;
    }
    *sr = (SolveResult){.done = 1, .n = n, .run_s = median(ts, b->reps), .run_min_s = minimum(ts, b->reps)};
    runner_free(&r);
    puzzle_set_free(&set);
    free(ts); free(q); free(ans);
}

// ---- the text report: a line per part, printed (and flushed) as soon as the part is done ----------

static void text_header(const Bench *b) {
    const Model *m = &b->m;
    printf("loopt bench %s: batch %d, seq %d, d_model %d, %d heads, %d layers, d_ff %d, %d loops "
           "(window %d), %d threads, %d reps\nCPU %s, OpenBLAS core %s\n",
           b->path, b->B, b->T, m->C, m->NH, m->L, m->F, b->K, b->W, b->threads, b->reps, b->cpu, blas_core_name());
}

static void text_gemm(const GemmPart *g) {
    printf("sgemm  %5d x %4d x %4d (model's largest): %7.1f GFLOP/s\n", g->model.M, g->model.N, g->model.K, g->model.gflops);
    printf("sgemm  %5d x %4d x %4d               : %7.1f GFLOP/s\n", 1024, 1024, 1024, g->sq.gflops);
    printf("sgemm  %5d x %4d x %4d (OpenBLAS's threads): %7.1f GFLOP/s   peak %.1f\n", 1024, 1024, 1024,
           g->own.gflops, g->peak);
    fflush(stdout);
}

static void text_train(const TrainResult *tr, int B, double peak) {
    double gf = tr->gflop_step / tr->step_s;
    printf("train  %7.3f s/step (forward %.3f, backward %.3f, optimizer %.3f): %7.2f samples/s, "
           "%.3f GFLOP/sample, %6.1f GFLOP/s",
           tr->step_s, tr->fwd_s, tr->bwd_s, tr->opt_s, B / tr->step_s, tr->gflop_step / B, gf);
    if (isfinite(peak)) printf(" = %.1f%% of peak", 100.0 * gf / peak);
    printf(" (best rep %.2f samples/s)\n", B / tr->step_min_s);
    fflush(stdout);
}

static void text_infer(const InferResult *ir, int B, int iters, double peak) {
    double gf = ir->gflop_fwd / ir->fwd_s;
    printf("infer  %7.3f s/batch at %d loops (%d run): %8.2f samples/s, %.3f GFLOP/sample, %6.1f GFLOP/s",
           ir->fwd_s, iters, ir->loops_run, B / ir->fwd_s, ir->gflop_fwd / B, gf);
    if (isfinite(peak)) printf(" = %.1f%% of peak", 100.0 * gf / peak);
    printf(" (best rep %.2f samples/s)\n", B / ir->fwd_min_s);
}

static void text_solve(const SolveResult *sr, const InferResult *ir, int B, int iters) {
    printf("solve  %7.3f s for %d puzzles at %d fixed loops: %8.2f puzzles/s", sr->run_s, sr->n, iters,
           sr->n / sr->run_s);
    if (ir->done) printf(" = %.1f%% of infer's samples/s", 100.0 * (sr->n / sr->run_s) / (B / ir->fwd_s));
    printf(" (best rep %.2f puzzles/s)\n", sr->n / sr->run_min_s);
}

// The buffers of the parts that ran, and the peak RSS of the whole process.
static void text_memory(const Bytes *by, int train, int infer, int W, long rss) {
    double mb = 1e-6;
    printf("memory params %.2f MB", by->params * mb);
    if (train)
        printf(", grads %.2f MB, adam m+v %.2f MB, ema %.2f MB, activations %.2f MB (training, %d slots), "
               "activation grads %.2f MB", by->grads * mb, by->adam * mb, by->ema * mb, by->acts_train * mb, W,
               by->grad_acts * mb);
    if (infer) printf(", activations %.2f MB (inference, 1 slot)", by->acts_infer * mb);
    printf("; peak RSS %.1f MB\n", rss * mb);
}

// ---- the JSON report: one object; a part not run is null ---------------------------------------------

static void json_gemm(const GemmPart *g) {
    printf("\"gemm\": ");
    if (!g->done) { printf("null, "); return; }
    printf("{\"model_shape\": [%d, %d, %d], \"model_gflops\": %.4g, \"square_gflops\": %.4g, "
           "\"square_openblas_threads_gflops\": %.4g, "
           "\"peak_gflops\": %.4g, \"model_gflops_per_cpu_s\": %.4g, \"square_gflops_per_cpu_s\": %.4g, "
           "\"peak_gflops_per_cpu_s\": %.4g}, ",
           g->model.M, g->model.N, g->model.K, g->model.gflops, g->sq.gflops, g->own.gflops, g->peak,
           g->model.gflops_cpu, g->sq.gflops_cpu,
           fmax(g->model.gflops_cpu, fmax(g->sq.gflops_cpu, g->own.gflops_cpu)));
}

static void json_train(const TrainResult *tr, int B, double peak) {
    printf("\"train\": ");
    if (!tr->done) { printf("null, "); return; }
    double gf = tr->gflop_step / tr->step_s;
    printf("{");
    json_num("step_s", tr->step_s, 0); json_num("forward_s", tr->fwd_s, 0);
    json_num("backward_s", tr->bwd_s, 0); json_num("optimizer_s", tr->opt_s, 0);
    json_num("samples_per_s", B / tr->step_s, 0);
    json_num("step_min_s", tr->step_min_s, 0); json_num("step_cpu_s", tr->step_cpu_s, 0);
    json_num("best_samples_per_s", B / tr->step_min_s, 0);
    json_num("gflop_per_sample", tr->gflop_step / B, 0);
    json_num("gflops", gf, 0); json_num("frac_peak", gf / peak, 0);
    json_num("loops_run", tr->loops_run, 0); json_num("loops_backprop", tr->kept, 0);
    json_num("loss", tr->loss, 1);
    printf("}, ");
}

static void json_infer(const InferResult *ir, int B, double peak) {
    printf("\"infer\": ");
    if (!ir->done) { printf("null, "); return; }
    double gf = ir->gflop_fwd / ir->fwd_s;
    printf("{");
    json_num("forward_s", ir->fwd_s, 0); json_num("samples_per_s", B / ir->fwd_s, 0);
    json_num("forward_min_s", ir->fwd_min_s, 0); json_num("forward_cpu_s", ir->fwd_cpu_s, 0);
    json_num("best_samples_per_s", B / ir->fwd_min_s, 0);
    json_num("gflop_per_sample", ir->gflop_fwd / B, 0);
    json_num("gflops", gf, 0); json_num("frac_peak", gf / peak, 0);
    json_num("loops_run", ir->loops_run, 1);
    printf("}, ");
}

static void json_solve(const SolveResult *sr) {
    printf("\"solve\": ");
    if (!sr->done) { printf("null, "); return; }
    printf("{\"puzzles\": %d, ", sr->n);
    json_num("run_s", sr->run_s, 0); json_num("puzzles_per_s", sr->n / sr->run_s, 0);
    json_num("run_min_s", sr->run_min_s, 0); json_num("best_puzzles_per_s", sr->n / sr->run_min_s, 1);
    printf("}, ");
}

static void json_report(const Bench *b, const GemmPart *g, const TrainResult *tr, const InferResult *ir,
                        const SolveResult *sr, const Bytes *by, long rss) {
    const Model *m = &b->m;
    printf("{");
    json_str("config", b->path);
    json_str("cpu", b->cpu);
    json_str("openblas_core", blas_core_name());
    printf("\"threads\": %d, \"batch\": %d, \"seq_len\": %d, \"d_model\": %d, \"n_heads\": %d, "
           "\"n_layers\": %d, \"d_ff\": %d, \"loops\": %d, \"window\": %d, \"iters\": %d, \"reps\": %d, "
           "\"num_params\": %zu, ",
           b->threads, b->B, b->T, m->C, m->NH, m->L, m->F, b->K, b->W, b->iters, b->reps, m->num_params);
    json_gemm(g);
    json_train(tr, b->B, g->peak);
    json_infer(ir, b->B, g->peak);
    json_solve(sr);
    printf("\"bytes\": {\"params\": %zu, \"grads\": %zu, \"adam\": %zu, \"ema\": %zu, \"decay_mask\": %zu, "
           "\"activations_train\": %zu, \"activation_grads\": %zu, \"activations_infer\": %zu, "
           "\"token_buffers\": %zu}, \"peak_rss_bytes\": %ld}\n",
           by->params, by->grads, by->adam, by->ema, by->decay_mask, by->acts_train, by->grad_acts,
           by->acts_infer, by->tokens, rss);
}

// ---- the command --------------------------------------------------------------------------------------

int cmd_bench(int argc, char **argv) {
    BenchArgs a;
    if (parse_args(&a, argc, argv)) return EXIT_OK;
    Bench b;
    bench_setup(&b, &a);
    if (!b.json) text_header(&b);
    fflush(stdout);

    GemmPart g = {.peak = NAN};
    TrainResult tr = {0};
    InferResult ir = {0};
    Bytes by = {.params = b.m.num_params * sizeof(float)};
    if (a.do_gemm) {
        run_gemm(&b, &g);
        if (!b.json) text_gemm(&g);
    }
    if (a.do_train) {
        run_train(&b, &tr, &by);
        if (!b.json) text_train(&tr, b.B, g.peak);
    }
    if (a.do_infer) {
        run_infer(&b, &ir, &by);
        if (!b.json) text_infer(&ir, b.B, b.iters, g.peak);
    }
    SolveResult sr = {0};
    if (a.do_solve) {
        run_solve(&b, &sr);
        if (!b.json) text_solve(&sr, &ir, b.B, b.iters);
    }

    long rss = peak_rss_bytes();
    if (!b.json) text_memory(&by, tr.done, ir.done, b.W, rss);
    else json_report(&b, &g, &tr, &ir, &sr, &by, rss);
    bench_free(&b);
    return EXIT_OK;
}
