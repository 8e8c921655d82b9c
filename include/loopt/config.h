// config.h — the resolved configuration: JSON parsed once (cJSON) into this plain struct.
// Every key, its default and its range are documented in docs/config.md. Unknown keys,
// wrong types and out-of-range values are errors (exit 2) naming the key path.
#ifndef LOOPT_CONFIG_H
#define LOOPT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CFG_STR 256   // max length of string values (paths, names)

typedef enum { TASK_SUDOKU = 0, TASK_MAZE = 1 } TaskKind;
typedef enum { MIXER_ATTENTION = 0, MIXER_MLP = 1, MIXER_LOCAL = 2 } MixerKind;   // model.mixer
typedef enum { NORM_POST = 0, NORM_PRE = 1 } NormKind;                  // model.norm
typedef enum { POS_COORDS = 0, POS_ROPE = 1, POS_NONE = 2 } PosKind;    // model.positions
static const char *const TASK_NAMES[] = {"sudoku", "maze", NULL};   // by TaskKind
static const char *const POS_NAMES[] = {"coords", "rope", "none", NULL};
typedef enum { SCHEME_LOOP = 0, SCHEME_TRM = 1, SCHEME_HRM = 2, SCHEME_HUGINN = 3 } SchemeKind;   // recursion.scheme
static const char *const SCHEME_NAMES[] = {"loop", "trm", "hrm", "huginn", NULL};
// halting.kind: each value's rule is one row of src/nn/halting.c's table. The columns: its name,
// the schemes it works with (HS_LOOP: "loop"; HS_RECUR: "trm", "hrm"), and whether training
// loops a fixed number of times with it (then train.deep_supervision may be on).
enum { HS_LOOP = 1, HS_RECUR = 2 };
#define HALT_KINDS(X) \
    X(NONE,     "none",     HS_LOOP | HS_RECUR, 1) \
    X(ACT,      "act",      HS_LOOP,            0) \
    X(BCE,      "bce",      HS_RECUR,           0) \
    X(Q,        "q",        HS_RECUR,           0) \
    X(CONVERGE, "converge", HS_LOOP,            1) \
    X(KL,       "kl",       HS_LOOP,            1)
#define X(kind, name, schemes, fixed) HALT_##kind,
typedef enum { HALT_KINDS(X) NUM_HALT_KINDS } HaltKind;
#undef X
// The names, NULL-terminated. Defined here, not in config.c, because the engine prints them too
// (loop.c, halting.c) and src/nn/ may read this header's data but not call into src/io/.
#define X(kind, name, schemes, fixed) name,
static const char *const HALT_NAMES[NUM_HALT_KINDS + 1] = {HALT_KINDS(X) NULL};
#undef X
#define X(kind, name, schemes, fixed) schemes,
static const int HALT_SCHEMES[NUM_HALT_KINDS] = {HALT_KINDS(X)};   // HS_* bits
#undef X
typedef enum { LOSS_SOFTMAX = 0, LOSS_STABLEMAX = 1 } LossKind;         // train.loss
typedef enum { FFN_SWIGLU = 0, FFN_CONVSWIGLU = 1 } FfnKind;            // model.ffn
typedef enum { CONV_SEQUENCE = 0, CONV_GRID = 1 } ConvAxis;             // model.conv_axis
static const char *const FFN_NAMES[] = {"swiglu", "convswiglu", NULL};
static const char *const CONV_AXIS_NAMES[] = {"sequence", "grid", NULL};
typedef enum { SCHED_COSINE = 0, SCHED_CONSTANT = 1 } SchedKind;        // train.lr_schedule

typedef struct {
    int d_model;          // model.d_model: width; positive multiple of n_heads, even (rope)
    int n_heads;          // model.n_heads
    int n_layers;         // model.n_layers: layers in the shared block
    int d_ff;             // model.d_ff: SwiGLU hidden width; 0 = auto (ceil(8/3 d) to a multiple of 8)
    MixerKind mixer;      // model.mixer: "attention" | "mlp" (TRM-MLP: SwiGLU across positions)
                          //   | "local" (attention over the 3x3 grid neighbourhood)
    NormKind norm;        // model.norm: "post" | "pre"
    int norm_gain;        // model.norm_gain: learn an RMSNorm gain (default false)
    PosKind positions;    // model.positions: "coords" (learned per axis) | "rope" | "none"
    float rope_base;      // model.rope_base
    int memory_tokens;    // model.memory_tokens: learned tokens prepended to the sequence
    int input_injection;  // model.input_injection: add the embedded input to the state each loop
    float init_std;       // model.init_std: std of the normal init of weight matrices
    FfnKind ffn;          // model.ffn: "swiglu" | "convswiglu" (URM: a depthwise token convolution
                          //   on SiLU(gate) ⊙ up, then SiLU, before the down-projection)
    int conv_kernel;      // model.conv_kernel: convswiglu's kernel K (taps along each axis)
    ConvAxis conv_axis;   // model.conv_axis: "sequence" (row-major order, memory tokens first) |
                          //   "grid" (a K×K causal window on the task's rows and columns)
} ModelConfig;

typedef struct {
    SchemeKind scheme;    // recursion.scheme: "loop" | "trm" | "hrm" | "huginn"
    int loops;            // recursion.loops: loops in training (max loops for act)
    int window;           // recursion.window: truncation window k (last k loops get gradient); 0 = all
    int trm_n;            // recursion.trm.n: z updates per cycle
    int trm_T;            // recursion.trm.T: cycles per supervision step (first T-1 without gradient)
    int n_sup;            // recursion.n_sup: max deep-supervision steps per sample (trm, hrm)
    int hrm_k;            // recursion.hrm.k: low-level steps per high-level step
    int hrm_shared;       // recursion.hrm.shared: one block for both levels
    int hrm_N;            // recursion.hrm.N: high-level cycles per supervision step
    int hg_prelude;       // recursion.huginn.prelude: unshared blocks before the looped core
    int hg_coda;          // recursion.huginn.coda: unshared blocks after it
    float hg_sigma;       // recursion.huginn.sigma: σ of the log-normal of the sampled depth
    int hg_max_depth;     // recursion.huginn.max_depth: cap of the sampled depth; 0 = 4 · loops
    float hg_noise_std;   // recursion.huginn.noise_std: std of the initial state's truncated normal
} RecursionConfig;

typedef struct {
    HaltKind kind;        // halting.kind: "none" | "act" | "bce" | "q" | "converge"
    float threshold;      // halting.threshold: 1 - epsilon, ACT stops when the cumulative p reaches it
    float ponder_cost;    // halting.ponder_cost: tau in tau*(N + R)
    float bias_init;      // halting.bias_init: init of the halting unit's bias
    float explore_prob;   // halting.explore_prob: chance a sample must run a random min number of steps
    int patience;         // halting.patience: converge stops a puzzle once its answer held this many loops
    float confidence;     // halting.confidence: converge also needs every cell's top probability >= this
    float kl_eps;         // halting.kl_eps: kl stops a puzzle once KL(p_k || p_k-1) < this at every cell
    int skip;             // halting.skip: act at inference: halted positions skip projections and FFN
} HaltingConfig;

typedef struct {
    int batch;            // train.batch
    long steps;           // train.steps
    float lr;             // train.lr: peak learning rate
    SchedKind lr_schedule;// train.lr_schedule: "cosine" | "constant"
    long warmup;          // train.warmup: linear warm-up steps
    float min_lr_frac;    // train.min_lr_frac: cosine floor as a fraction of lr
    float weight_decay;   // train.weight_decay (decoupled, AdamW)
    float beta1, beta2;   // train.beta1, train.beta2
    float eps;            // train.eps
    float clip;           // train.clip: global-norm clip; 0 = off
    float ema;            // train.ema: EMA decay of weights; 0 = off
    LossKind loss;        // train.loss: "softmax" | "stablemax"
    int deep_supervision; // train.deep_supervision: loss at every window loop, not only the last
    float progressive;    // train.progressive: weight α of the progressive loss in [0, 1); 0 = off
    float hints;          // train.hints: weight of the task's hint loss (per-cell auxiliary classes
                          // read by a head of their own, training only); 0 = off
    uint64_t seed;        // train.seed
    int threads;          // train.threads: 0 = all cores
    long eval_every;      // train.eval_every: steps between evaluations; 0 = only at the end
    long ckpt_every;      // train.ckpt_every: steps between checkpoints; 0 = only at the end
    long log_every;       // train.log_every: steps between progress lines
    int nan_policy_skip;  // train.on_nan: "stop" (0) | "skip" (1)
} TrainConfig;

typedef struct {
    char train[CFG_STR];  // data.train: puzzle file with solutions; "" = generate on the fly
    char valid[CFG_STR];  // data.valid: held-out file; "" = generate
    int augment;          // data.augment: validity-preserving augmentation on the fly
    long gen_train;       // data.gen_train: puzzles to generate for training when data.train is ""
    long gen_valid;       // data.gen_valid: puzzles to generate for validation
    int givens_min;       // data.givens_min: Sudoku generation range
    int givens_max;       // data.givens_max
    int maze_size;        // data.maze_size: maze side (H = W) for generation
    int maze_min_path;    // data.maze_min_path: keep mazes whose shortest path is at least this
    float maze_min_path_frac; // data.maze_min_path_frac: the share of mazes held to maze_min_path
                          //   (1: all; the rest have no floor)
    int maze_size_min;    // data.maze_size_min: each generated maze's side drawn from
                          //   [maze_size_min, maze_size], placed in a maze_size grid of wall (0: all maze_size)
    int maze_cycles;      // data.maze_cycles: generated mazes have cycles (false: loop-free)
    int maze_cycle_odds;  // data.maze_cycle_odds: each spare lattice wall falls with odds 1 in N (25)
    uint64_t seed;        // data.seed: generation / shuffling / augmentation stream
} DataConfig;

typedef struct {
    TaskKind task;        // task: "sudoku" | "maze"
    ModelConfig model;
    RecursionConfig recursion;
    HaltingConfig halting;
    TrainConfig train;
    DataConfig data;
} Config;

// Fill with the documented defaults (a small Sudoku UT-style model).
void config_defaults(Config *c);

// Load `path` over the defaults, then apply `n_sets` overrides "key.path=value" in order,
// then validate. Any error exits 2 with `loopt: <path>: <key.path>: <what was expected>`;
// malformed JSON names the line and column. `path` may be NULL (defaults + overrides only).
void config_load(Config *c, const char *path, const char **sets, int n_sets);

// Parse a JSON text (as read from `name`) over *c; same error rules as config_load.
// Used for the config stored in a checkpoint's metadata.
void config_from_json(Config *c, const char *json, const char *name);

// Apply one "key.path=value" override (value parsed as JSON if it is valid JSON, else as a string).
void config_set(Config *c, const char *assignment, const char *name);

// Validate cross-key constraints (d_model % n_heads, window <= loops, ...); exit 2 on error.
void config_validate(const Config *c, const char *name);

// `loopt train --resume`: a resumed run keeps the checkpoint's config *ck except the keys
// marked RESUMABLE in config.c's table (config_resume_keys: the run's length, cadences,
// threads and NaN policy), which it takes from *want (CONFIG and --set). Any other key on which
// the two differ exits 2 naming the key (`<name>: model.d_model: --resume cannot change it
// ...`), both values, why, and `--init-from` for fine-tuning.
void config_resume(Config *ck, const Config *want, const char *name);
// Those keys, comma separated, in table order ("train.steps, train.threads, ...").
const char *config_resume_keys(void);

// The resolved config as pretty JSON (every key, defaults included). Caller frees.
char *config_to_json(const Config *c);

// Derived sizes. (The auto d_ff is a model rule: model_d_ff in model.h.)
// The training depth, the default of --iters: recursion.loops for scheme "loop"; for "trm" and
// "hrm" recursion.n_sup (supervision steps, each of T cycles).
int config_depth(const Config *c);

#endif
