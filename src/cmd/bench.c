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
#include "loopt/dataset.h"
#include "loopt/log.h"
#include "loopt/model.h"
#include "loopt/optim.h"
#include "loopt/rng.h"
#include "loopt/timer.h"

static const char *USAGE =
    "usage: loopt bench CONFIG [--set key.path=value]... [--threads T] [--batch B] [--iters N]\n"
    "                   [--reps R] [--only gemm,train,infer] [--json]\n"
    "\n"
    "Times, in one process, (1) OpenBLAS sgemm at the model's largest GEMM shape (the SwiGLU\n"
    "up-projection, M = batch*T, N = 2*d_ff, K = d_model) and at 1024^3, split over the threads\n"
    "as the engine does, and at 1024^3 on OpenBLAS's own threads — the best is the machine's\n"
    "peak; (2) full training steps (zero grad, forward through all loops with targets, backward\n"
    "through the truncation window, AdamW) after 2 warm-up steps; (3) inference\n"
    "(one loop slot, no targets, as `loopt solve`) at --iters loops. Inputs are random\n"
    "Sudoku-shaped tokens. Prints the medians over R repetitions (one step or one forward each):\n"
    "samples/s, achieved GFLOP/s from the model's FLOP count (docs/bench.md), the fraction of the\n"
    "sgemm peak, the bytes of each buffer and the peak RSS of the process.\n"
    "\n"
    "  --threads T    CPU threads (default: train.threads, 0 = all cores)\n"
    "  --batch B      batch (default train.batch)\n"
    "  --iters N      loops for the inference timing (default: the training depth)\n"
    "  --reps R       repetitions; medians are reported (default 5)\n"
    "  --only LIST    run only these parts, comma-separated: gemm, train, infer (default all);\n"
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

// CPU seconds of the whole process (all threads): with --threads 1 on a machine shared with other
// jobs this is the time the step would take alone, where the wall clock also counts waiting.
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
    size_t params, grads, adam, ema, decay_mask, acts_train, grad_acts, acts_infer, tokens;
} Bytes;

static void json_num(const char *key, double v, int last) {
    if (isfinite(v)) printf("\"%s\": %.6g%s", key, v, last ? "" : ", ");
    else printf("\"%s\": null%s", key, last ? "" : ", ");
}

int cmd_bench(int argc, char **argv) {
    const char *path = NULL;
    const char **sets = xmalloc(sizeof(char *) * (size_t)argc);
    int n_sets = 0, threads = -1, batch = 0, iters = 0, reps = 5, json = 0;
    int do_gemm = 1, do_train = 1, do_infer = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); free(sets); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--set", &v)) sets[n_sets++] = v;
        else if (arg_value(argc, argv, &i, "--threads", &v)) threads = (int)arg_long("--threads", v, 0, 1024);
        else if (arg_value(argc, argv, &i, "--batch", &v)) batch = (int)arg_long("--batch", v, 1, 65536);
        else if (arg_value(argc, argv, &i, "--iters", &v)) iters = (int)arg_long("--iters", v, 1, 100000);
        else if (arg_value(argc, argv, &i, "--reps", &v)) reps = (int)arg_long("--reps", v, 1, 10000);
        else if (arg_value(argc, argv, &i, "--only", &v)) {
            do_gemm = do_train = do_infer = 0;
            const char *p = v;
            while (*p) {
                size_t n = strcspn(p, ",");
                if (n == 4 && !strncmp(p, "gemm", 4)) do_gemm = 1;
                else if (n == 5 && !strncmp(p, "train", 5)) do_train = 1;
                else if (n == 5 && !strncmp(p, "infer", 5)) do_infer = 1;
                else usage_error(USAGE, "bench: --only: expected gemm, train or infer, got '%.*s'", (int)n, p);
                p += n;
                if (*p == ',') p++;
            }
        }
        else if (arg_flag(argv, i, "--json")) json = 1;
        else if (argv[i][0] == '-' && argv[i][1]) usage_error(USAGE, "bench: unknown option '%s'", argv[i]);
        else if (!path) path = argv[i];
        else usage_error(USAGE, "bench: unexpected argument '%s'", argv[i]);
    }
    if (!path) usage_error(USAGE, "bench: missing CONFIG");

    Config cfg;
    config_load(&cfg, path, sets, n_sets);
    free(sets);
    if (cfg.recursion.scheme != SCHEME_LOOP)
        die(EXIT_USAGE, "recursion.scheme: loopt bench times scheme \"loop\" only (its FLOP count is per loop)");
    threads = threads_set(threads >= 0 ? threads : cfg.train.threads);
    int B = batch ? batch : cfg.train.batch;
    int K = config_depth(&cfg);
    int W = cfg.recursion.window ? cfg.recursion.window : K;
    if (!iters) iters = K;

    int *coords = xmalloc(sizeof(int) * (size_t)task_coords_size(&cfg, 0, 0));
    TaskShape shape;
    task_shape(&shape, coords, &cfg, 0, 0);
    Rng rng;
    rng_seed(&rng, cfg.train.seed);
    Model m;
    model_init(&m, &cfg, &shape, &rng);
    int S = shape.seq_len, T = S + m.M;

    // random inputs of the task's shape: tokens in [0, vocab), targets in [1, n_out)
    int *tok = xmalloc(sizeof(int) * (size_t)B * S), *tgt = xmalloc(sizeof(int) * (size_t)B * S);
    for (int i = 0; i < B * S; i++) {
        tok[i] = (int)rng_below(&rng, (uint32_t)shape.vocab);
        tgt[i] = shape.n_out > 1 ? 1 + (int)rng_below(&rng, (uint32_t)(shape.n_out - 1)) : 0;
    }

    Bytes by = {0};
    by.params = m.num_params * sizeof(float);
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    if (!json)
        printf("loopt bench %s: batch %d, seq %d, d_model %d, %d heads, %d layers, d_ff %d, %d loops "
               "(window %d), %d threads, %d reps\nCPU %s, OpenBLAS core %s\n",
               path, B, T, m.C, m.NH, m.L, m.F, K, W, threads, reps, cpu, blas_core_name());
    fflush(stdout);

    // (1) sgemm
    // gemm() splits over the OpenMP threads (blas.c); OpenBLAS's own threading at 1024^3 is
    // timed too, so the peak is the best the library itself reaches on these cores.
    GemmResult g_model = {0}, g_sq = {0}, g_own = {0};
    double peak = NAN;
    if (do_gemm) {
        bench_gemm(&g_model, B * T, 2 * m.F, m.C, reps, &rng);
        bench_gemm(&g_sq, 1024, 1024, 1024, reps, &rng);
        blas_use_own_threads(threads);
        bench_gemm(&g_own, 1024, 1024, 1024, reps, &rng);
        threads_set(threads);
        peak = fmax(g_model.gflops, fmax(g_sq.gflops, g_own.gflops));
        if (!json) {
            printf("sgemm  %5d x %4d x %4d (model's largest): %7.1f GFLOP/s\n", g_model.M, g_model.N, g_model.K, g_model.gflops);
            printf("sgemm  %5d x %4d x %4d               : %7.1f GFLOP/s\n", 1024, 1024, 1024, g_sq.gflops);
            printf("sgemm  %5d x %4d x %4d (OpenBLAS's threads): %7.1f GFLOP/s   peak %.1f\n", 1024, 1024, 1024,
                   g_own.gflops, peak);
            fflush(stdout);
        }
    }

    // (2) training steps
    TrainResult tr = {0};
    if (do_train) {
        model_alloc(&m, B, W, 1);
        Optimizer opt;
        optim_init(&opt, &m, &cfg.train);
        by.grads = m.num_params * sizeof(float);
        by.adam = 2 * opt.n * sizeof(float);
        by.ema = opt.ema ? opt.n * sizeof(float) : 0;
        by.decay_mask = opt.n;
        by.acts_train = m.num_acts * sizeof(float);
        by.grad_acts = m.num_grad_acts * sizeof(float);
        by.tokens = 3 * sizeof(int) * (size_t)B * T;
        int deep = cfg.train.deep_supervision;
        double *ts = xmalloc(sizeof(double) * (size_t)reps), *tf = xmalloc(sizeof(double) * (size_t)reps);
        double *tb = xmalloc(sizeof(double) * (size_t)reps), *to = xmalloc(sizeof(double) * (size_t)reps);
        double *tc = xmalloc(sizeof(double) * (size_t)reps);
        for (int s = -2; s < reps; s++) {   // two warm-up steps
            double c0 = cpu_seconds();
            double t0 = now_seconds();
            model_zero_grad(&m);
            tr.loss = model_forward(&m, tok, tgt, K);
            double t1 = now_seconds();
            model_backward(&m);
            double t2 = now_seconds();
            double gn = optim_step(&opt, &m, &cfg.train);
            double t3 = now_seconds();
            if (!isfinite(tr.loss) || !isfinite(gn)) die(EXIT_RUNTIME, "bench: loss %g, gradient norm %g", tr.loss, gn);
            if (s >= 0) { ts[s] = t3 - t0; tf[s] = t1 - t0; tb[s] = t2 - t1; to[s] = t3 - t2; tc[s] = cpu_seconds() - c0; }
        }
        tr.step_s = median(ts, reps); tr.fwd_s = median(tf, reps);
        tr.bwd_s = median(tb, reps); tr.opt_s = median(to, reps);
        tr.step_min_s = minimum(ts, reps);
        tr.step_cpu_s = median(tc, reps);
        tr.loops_run = m.loops_run;
        tr.kept = m.loops_run - m.window_start + 1;
        int heads = deep ? tr.kept : 1;
        tr.gflop_step = (forward_flops(&m, heads) + backward_flops(&m, heads)) / 1e9;
        tr.done = 1;
        free(ts); free(tf); free(tb); free(to); free(tc);
        optim_free(&opt);
        if (!json) {
            double gf = tr.gflop_step / tr.step_s;
            printf("train  %7.3f s/step (forward %.3f, backward %.3f, optimizer %.3f): %7.2f samples/s, "
                   "%.3f GFLOP/sample, %6.1f GFLOP/s",
                   tr.step_s, tr.fwd_s, tr.bwd_s, tr.opt_s, B / tr.step_s, tr.gflop_step / B, gf);
            if (isfinite(peak)) printf(" = %.1f%% of peak", 100.0 * gf / peak);
            printf(" (best rep %.2f samples/s)\n", B / tr.step_min_s);
            fflush(stdout);
        }
    }

    // (3) inference: one loop slot, no targets (the solve path)
    InferResult ir = {0};
    if (do_infer) {
        model_alloc(&m, B, 1, 0);
        by.acts_infer = m.num_acts * sizeof(float);
        if (!by.tokens) by.tokens = 3 * sizeof(int) * (size_t)B * T;
        model_forward(&m, tok, NULL, iters < 2 ? iters : 2);   // warm-up (memory is per loop)
        double *tf = xmalloc(sizeof(double) * (size_t)reps), *tc = xmalloc(sizeof(double) * (size_t)reps);
        for (int s = 0; s < reps; s++) {
            double c0 = cpu_seconds();
            double t0 = now_seconds();
            model_forward(&m, tok, NULL, iters);
            tf[s] = now_seconds() - t0;
            tc[s] = cpu_seconds() - c0;
        }
        ir.fwd_cpu_s = median(tc, reps);
        free(tc);
        ir.fwd_s = median(tf, reps);
        ir.fwd_min_s = minimum(tf, reps);
        ir.loops_run = m.loops_run;
        ir.gflop_fwd = forward_flops(&m, 1) / 1e9;
        ir.done = 1;
        free(tf);
        if (!json) {
            double gf = ir.gflop_fwd / ir.fwd_s;
            printf("infer  %7.3f s/batch at %d loops (%d run): %8.2f samples/s, %.3f GFLOP/sample, %6.1f GFLOP/s",
                   ir.fwd_s, iters, ir.loops_run, B / ir.fwd_s, ir.gflop_fwd / B, gf);
            if (isfinite(peak)) printf(" = %.1f%% of peak", 100.0 * gf / peak);
            printf(" (best rep %.2f samples/s)\n", B / ir.fwd_min_s);
        }
    }

    long rss = peak_rss_bytes();
    if (!json) {
        double mb = 1e-6;
        printf("memory params %.2f MB", by.params * mb);
        if (tr.done)
            printf(", grads %.2f MB, adam m+v %.2f MB, ema %.2f MB, activations %.2f MB (training, %d slots), "
                   "activation grads %.2f MB", by.grads * mb, by.adam * mb, by.ema * mb, by.acts_train * mb, W,
                   by.grad_acts * mb);
        if (ir.done) printf(", activations %.2f MB (inference, 1 slot)", by.acts_infer * mb);
        printf("; peak RSS %.1f MB\n", rss * mb);
    } else {
        printf("{");
        json_str("config", path);
        json_str("cpu", cpu);
        json_str("openblas_core", blas_core_name());
        printf("\"threads\": %d, \"batch\": %d, \"seq_len\": %d, \"d_model\": %d, \"n_heads\": %d, "
               "\"n_layers\": %d, \"d_ff\": %d, \"loops\": %d, \"window\": %d, \"iters\": %d, \"reps\": %d, "
               "\"num_params\": %zu, ",
               threads, B, T, m.C, m.NH, m.L, m.F, K, W, iters, reps, m.num_params);
        printf("\"gemm\": ");
        if (do_gemm)
            printf("{\"model_shape\": [%d, %d, %d], \"model_gflops\": %.4g, \"square_gflops\": %.4g, "
                   "\"square_openblas_threads_gflops\": %.4g, "
                   "\"peak_gflops\": %.4g, \"model_gflops_per_cpu_s\": %.4g, \"square_gflops_per_cpu_s\": %.4g, "
                   "\"peak_gflops_per_cpu_s\": %.4g}, ",
                   g_model.M, g_model.N, g_model.K, g_model.gflops, g_sq.gflops, g_own.gflops, peak,
                   g_model.gflops_cpu, g_sq.gflops_cpu,
                   fmax(g_model.gflops_cpu, fmax(g_sq.gflops_cpu, g_own.gflops_cpu)));
        else printf("null, ");
        printf("\"train\": ");
        if (tr.done) {
            double gf = tr.gflop_step / tr.step_s;
            printf("{");
            json_num("step_s", tr.step_s, 0); json_num("forward_s", tr.fwd_s, 0);
            json_num("backward_s", tr.bwd_s, 0); json_num("optimizer_s", tr.opt_s, 0);
            json_num("samples_per_s", B / tr.step_s, 0);
            json_num("step_min_s", tr.step_min_s, 0); json_num("step_cpu_s", tr.step_cpu_s, 0); json_num("best_samples_per_s", B / tr.step_min_s, 0);
            json_num("gflop_per_sample", tr.gflop_step / B, 0);
            json_num("gflops", gf, 0); json_num("frac_peak", gf / peak, 0);
            json_num("loops_run", tr.loops_run, 0); json_num("loops_backprop", tr.kept, 0);
            json_num("loss", tr.loss, 1);
            printf("}, ");
        } else printf("null, ");
        printf("\"infer\": ");
        if (ir.done) {
            double gf = ir.gflop_fwd / ir.fwd_s;
            printf("{");
            json_num("forward_s", ir.fwd_s, 0); json_num("samples_per_s", B / ir.fwd_s, 0);
            json_num("forward_min_s", ir.fwd_min_s, 0); json_num("forward_cpu_s", ir.fwd_cpu_s, 0); json_num("best_samples_per_s", B / ir.fwd_min_s, 0);
            json_num("gflop_per_sample", ir.gflop_fwd / B, 0);
            json_num("gflops", gf, 0); json_num("frac_peak", gf / peak, 0);
            json_num("loops_run", ir.loops_run, 1);
            printf("}, ");
        } else printf("null, ");
        printf("\"bytes\": {\"params\": %zu, \"grads\": %zu, \"adam\": %zu, \"ema\": %zu, \"decay_mask\": %zu, "
               "\"activations_train\": %zu, \"activation_grads\": %zu, \"activations_infer\": %zu, "
               "\"token_buffers\": %zu}, \"peak_rss_bytes\": %ld}\n",
               by.params, by.grads, by.adam, by.ema, by.decay_mask, by.acts_train, by.grad_acts,
               by.acts_infer, by.tokens, rss);
    }
    free(tok); free(tgt); free(coords);
    model_free(&m);
    return EXIT_OK;
}
