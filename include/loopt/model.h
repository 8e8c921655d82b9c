// model.h — the looped transformer: parameter layout (one allocation carved by a size
// table), activations (one allocation, with a loop dimension only as deep as the truncation
// window), and the model's doors: forward, backward and continuous batching, which run the
// config's recursion family (scheme.h). nn/ knows nothing about Sudoku: a task describes
// itself with a TaskShape.
#ifndef LOOPT_MODEL_H
#define LOOPT_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "loopt/config.h"
#include "loopt/rng.h"

typedef struct Scheme Scheme;   // a recursion family's row (scheme.h)

#define MAX_AXES 4
#define NORM_EPS 1e-5f   // RMSNorm epsilon, everywhere in the model

// What the engine needs to know about a task.
typedef struct {
    int vocab;                 // input token ids in [0, vocab)
    int n_out;                 // output classes (targets in [0, n_out), < 0 = ignored)
    int n_hint;                // hint classes (train.hints: per-cell auxiliary targets); 0 = none
    int seq_len;               // T: puzzle tokens (memory tokens are added by the model)
    int n_axes;                // A: coordinate axes per token (Sudoku 3: row, col, box)
    int axis_size[MAX_AXES];   // table rows per axis (learned coords); rope needs none
    const int *coords;         // (T, A) each token's coordinate on each axis, >= 0
} TaskShape;

// ---- parameters ----------------------------------------------------------------------------
// The parameter table: one row per tensor, in storage order (also the order init draws from
// the init stream, so a new row goes at the end). The struct of named pointers, the PARAM_*
// indices, the names in checkpoints, init, the AdamW decay mask and bench's FLOP count all come
// from it; each tensor's shape (and whether this config has it: ndim 0) is model_param_shape.
//   X(name, init, decay, flops, doc)
//   init:  EMB normal(1/sqrt(1 + axes)) · STD normal(model.init_std) · UNIT normal(1)
//          · ONE · ZERO · HALT_BIAS halting.bias_init · CONV uniform(±1/sqrt(Kc)) (PyTorch's
//          Conv1d default for a depthwise kernel of Kc taps: fan-in Kc)
//   decay: 1 = AdamW weight decay (matrices and embeddings); 0 = trained without decay (gains,
//          biases); -1 = a fixed buffer: drawn at init by its init column, stored in checkpoints
//          under its name like a parameter, but never trained — no gradient reaches it (AdamW
//          skips it, gradcheck and the reference dump leave it out; param_trained below)
//   flops: per forward, on the whole batch: TOKEN 2·B·T·(one layer's slice) per layer applied,
//          CHANNEL 2·B·C·slice per layer (the MLP token mixer), HEAD 2·B·T·size per head, NONE
// Block tensors (ln1g, wqkv, wo, ln2g, wfc, wproj, wrel, wtfc, wtproj) hold P*L layers: P = 2
// for hrm with separate weights (part 0 = low level, part 1 = high level); for huginn
// 1 + prelude + coda (part 0 = the looped core, then the prelude's blocks, then the coda's); else 1.
#define PARAM_TABLE(X) \
    X(wte,    EMB,       1, NONE,    "(V, C) token embedding") \
    X(wcoord, EMB,       1, NONE,    "(R, C) coordinate tables, one per axis, rows concatenated") \
    X(wmem,   UNIT,      1, NONE,    "(M, C) memory tokens") \
    X(ln1g,   ONE,       0, NONE,    "(L, C) RMSNorm gains (model.norm_gain)") \
    X(wqkv,   STD,       1, TOKEN,   "(L, 3C, C) attention projections") \
    X(wo,     STD,       1, TOKEN,   "(L, C, C) attention output") \
    X(ln2g,   ONE,       0, NONE,    "(L, C)") \
    X(wfc,    STD,       1, TOKEN,   "(L, 2F, C) SwiGLU [gate | up]") \
    X(wproj,  STD,       1, TOKEN,   "(L, C, F)") \
    X(lnfg,   ONE,       0, NONE,    "(C) final norm gain (pre-norm with gain only)") \
    X(wout,   STD,       1, HEAD,    "(Vout, C) output head") \
    X(whalt,  ZERO,      1, NONE,    "(C) halting unit weight (act, bce); (2, C) [halt | continue] for q") \
    X(bhalt,  HALT_BIAS, 0, NONE,    "(1) halting unit bias; (2) for q") \
    X(wrel,   ZERO,      0, NONE,    "(L, NH, 9) local mixer: score bias per head and neighbour offset") \
    X(yinit,  UNIT,     -1, NONE,    "(C) trm/hrm: initial answer state y (z_H), a fixed buffer") \
    X(zinit,  UNIT,     -1, NONE,    "(C) trm/hrm: initial reasoning state z (z_L), a fixed buffer") \
    X(wtfc,   STD,       1, CHANNEL, "(L, 2Ft, T) mixer mlp: SwiGLU across positions [gate | up]") \
    X(wtproj, STD,       1, CHANNEL, "(L, T, Ft) mixer mlp: back to positions") \
    X(whint,  STD,       1, NONE,    "(Hn, C) hint head (train.hints): the task's hint classes, read " \
                                     "in training only") \
    X(wadapt, STD,       1, NONE,    "(C, 2C) huginn: the adapter u = wadapt · [s ; e], columns [state | prelude]") \
    X(wconv,  CONV,      1, TOKEN,   "(L, F, Kc) convswiglu: depthwise token convolution, Kc taps " \
                                     "(the last the position itself; dwconv.h)") \
    X(bconv,  ZERO,      0, NONE,    "(L, F) convswiglu: the convolution's bias")

enum {
#define X(name, init, decay, flops, doc) PARAM_##name,
    PARAM_TABLE(X)
#undef X
    NUM_PARAM_TENSORS
};
typedef struct {
#define X(name, init, decay, flops, doc) float *name;
    PARAM_TABLE(X)
#undef X
} ParamTensors;
typedef enum { INIT_EMB, INIT_STD, INIT_UNIT, INIT_ONE, INIT_ZERO, INIT_HALT_BIAS, INIT_CONV } ParamInit;
typedef enum { FLOPS_NONE, FLOPS_TOKEN, FLOPS_CHANNEL, FLOPS_HEAD } ParamFlops;
typedef struct {
    const char *name;
    ParamInit init;
    int decay;
    ParamFlops flops;
    const char *doc;
} ParamSpec;
extern const ParamSpec PARAMS[NUM_PARAM_TENSORS];
// 1 if tensor i (PARAM_*) is trained, 0 for a fixed buffer (decay column -1: trm/hrm's yinit,
// zinit, whose gradient is zero by construction — the state entering the kept cycle is detached).
static inline int param_trained(int i) { return PARAMS[i].decay >= 0; }
#define PARAM_MAX_DIM 3

// ---- activations ---------------------------------------------------------------------------
// The activation table: one row per buffer, X(name, size, doc), carved in this order out of one
// allocation by model_alloc, where the sizes are evaluated with N = B*T rows (T includes memory
// tokens), W ring slots (loops that keep activations), L layers, widths C, F, V (= Vout), Hn
// (hint classes), the mixer cache size `att` per layer and slot, `train` (1 when training),
// `loop` (a family that streams: scheme loop), `recur` (one that carries states between
// supervision steps: trm/hrm), `haltq` (halting q) `adapt` (a family with the concat
// adapter: huginn) and `conv` (model.ffn = convswiglu). A size of 0 leaves the pointer NULL. La = L layers of per-layer buffers
// when training (backward reads them all), 1 at inference, where the layers take turns in one
// set (each layer's inputs are read before its outputs overwrite them); Lq = the same for qkv,
// except L at inference under halting.skip, whose halted cells keep every layer's q, k, v.
#define ACT_TABLE(X) \
    X(emb,      N * C,                  "(N, C) embedded input e (token + coords; memory tokens)") \
    X(u,        W * N * C,              "(W, N, C) loop input: h_{k-1} + e (input injection) or h_{k-1}") \
    X(n1,       W * La * N * C,         "(W, La, N, C) pre: norm(x); post: norm(r1)") \
    X(rstd1,    W * La * N,             "(W, La, N)") \
    X(qkv,      W * Lq * N * 3 * C,     "(W, Lq, N, 3C) after rope") \
    X(att,      W * La * att,           "(W, La, att) mixer cache: attention (B, NH, T, T); local " \
                                        "(B, NH, T, 9); mlp [th (B, C, 2Ft) | tg (B, C, Ft)]") \
    X(atty,     W * La * N * C,         "(W, La, N, C) attention output before wo") \
    X(r1,       W * La * N * C,         "(W, La, N, C) x + wo(atty)") \
    X(n2,       W * La * N * C,         "(W, La, N, C) pre: norm(r1); post: norm(r2)") \
    X(rstd2,    W * La * N,             "(W, La, N)") \
    X(fch,      W * La * N * 2 * F,     "(W, La, N, 2F)") \
    X(fcg,      W * La * N * F,         "(W, La, N, F)") \
    X(r2,       W * La * N * C,         "(W, La, N, C) mlp residual sum") \
    X(h,        W * N * C,              "(W, N, C) state after the loop (halted positions frozen)") \
    X(run_qkv,  skip * N * 3 * C,       "(N, 3C) act at inference (halting.skip): the running positions' " \
                                        "q, k, v, computed compactly before they are scattered into qkv") \
    X(halt_p,   W * N,                  "(W, N) halting probability of the loop (act)") \
    X(halt_w,   W * N,                  "(W, N) weight of the loop's output in the mix (0 once halted)") \
    X(halt_run, W * N,                  "(W, N) 1 if the position ran this loop (halted positions: 0)") \
    X(mix,      N * C,                  "(N, C) halting-weighted mix of loop outputs (act): the output") \
    X(lnf,      N * C,                  "(N, C) final norm (pre-norm) or copy") \
    X(rstdf,    N,                      "(N)") \
    X(logits,   N * V,                  "(N, Vout)") \
    X(probs,    N * V,                  "(N, Vout)") \
    X(losses,   N,                      "(N)") \
    X(hlogits,  train * N * Hn,         "(N, Hn) hint head (train.hints): logits") \
    X(hprobs,   train * N * Hn,         "(N, Hn) hint head: probabilities") \
    X(hlosses,  train * N * (Hn > 0),   "(N) hint head: losses") \
    X(cum,      N,                      "(N) cumulative halting probability of earlier loops") \
    X(halt_scratch, N * V + B,          "(N * V + B) parameter-free halting rules' state: (B, T, V) per " \
                                        "position (converge: [0] the previous loop's answer; kl: its " \
                                        "log-probabilities), then (B) per puzzle (converge: the loops its " \
                                        "answer held; kl: stopped)") \
    X(pre_h,    train * loop * N * C,   "(N, C) scheme loop, training: the state saved after loop " \
                                        "prefix_loop (gradcheck's prefix)") \
    X(pre_mix,  train * loop * N * C,   "(N, C) act: the mix so far, saved with pre_h") \
    X(pre_cum,  train * loop * N,       "(N) act: the cumulative halting probability, saved with pre_h") \
    X(ycar,     recur * N * C,          "(N, C) trm/hrm: answer state y carried between supervision steps") \
    X(zcar,     recur * N * C,          "(N, C) trm/hrm: reasoning state z") \
    X(pre_y,    train * recur * N * C,  "(N, C) trm/hrm, training: y entering the kept updates (gradcheck)") \
    X(pre_z,    train * recur * N * C,  "(N, C) trm/hrm, training: z entering the kept updates") \
    X(yhalt,    recur * N * C,          "(N, C) trm/hrm at inference: the answer state of each halted sample") \
    X(qhalt,    recur * 3 * B,          "(3, B) trm/hrm: halting logits of the last supervision step: " \
                                        "[q_halt | q_continue (halting q) | q_continue's target]") \
    X(qsave,    recur * haltq * train * 2 * N * C, \
                                        "(2, N, C) halting q, training: (y, z) kept while the target step runs") \
    X(hg_e,     adapt * train * N * C,  "(N, C) huginn, training: the prelude's output e (the adapter's backward)") \
    X(hg_ew,    adapt * N * C,          "(N, C) huginn: e · W_e^T, the adapter's constant part, read by every loop") \
    X(hg_s0,    adapt * N * C,          "(N, C) huginn: the initial state s_0 (truncated-normal noise)") \
    X(hg_enter, adapt * train * N * C,  "(N, C) huginn, training: the state entering the window, s_{start-1} " \
                                        "(the adapter's backward; gradcheck's replayed prefix)") \
    X(hg_out,   adapt * N * C,          "(N, C) huginn: the coda's output, the head's input (under an exit: " \
                                        "each puzzle's at its stop)") \
    X(fcc,      conv * W * La * N * F,  "(W, La, N, F) convswiglu: c = the token convolution of fcg, before " \
                                        "its SiLU") \
    X(fcs,      conv * N * F,           "(N, F) convswiglu: SiLU(c), the down-projection's input (scratch; " \
                                        "backward recomputes it)")

// Gradient buffers for one layer of one loop, reused across layers and loops (training only).
#define GRAD_TABLE(X) \
    X(dx,      N * C,     "(N, C) gradient w.r.t. the current layer's output / input (ping)") \
    X(dx2,     N * C,     "(N, C) (pong)") \
    X(dr2,     N * C,     "(N, C)") \
    X(dmin,    N * C,     "(N, C) gradient at the mlp input") \
    X(datty,   N * C,     "(N, C)") \
    X(dain,    N * C,     "(N, C) gradient at the attention input") \
    X(dqkv,    N * 3 * C, "(N, 3C)") \
    X(dfch,    N * 2 * F, "(N, 2F)") \
    X(dfcg,    N * F,     "(N, F)") \
    X(datt,    att,       "(att) mixer backward scratch") \
    X(dstate,  N * C,     "(N, C) gradient w.r.t. the state h_k flowing down the loops") \
    X(dy,      N * C,     "(N, C) gradient w.r.t. the block output of the current loop") \
    X(demb,    N * C,     "(N, C) gradient w.r.t. the embedded input (injection sums every loop)") \
    X(dmix,    N * C,     "(N, C) gradient w.r.t. the model output (the halting mix for act)") \
    X(hq,      N,         "(N) act: dmix . y_N per position (the remainder's share)") \
    X(dlogits, N * V,     "(N, Vout)") \
    X(dhlogits, N * Hn,   "(N, Hn) hint head") \
    X(dfcc,    conv * N * F, "(N, F) convswiglu: gradient w.r.t. c (before its SiLU)")

#define X(name, size, doc) float *name;
typedef struct { ACT_TABLE(X) } ActTensors;
typedef struct { GRAD_TABLE(X) } GradTensors;
#undef X
#define X(name, size, doc) ACT_##name,
enum { ACT_TABLE(X) NUM_ACT_TENSORS };
#undef X
#define X(name, size, doc) GRAD_##name,
enum { GRAD_TABLE(X) NUM_GRAD_TENSORS };
#undef X

// Prefix replay, for checking truncated backprop by finite differences: the loops before the
// window are constants for the gradient, so the check must hold them fixed. PREFIX_SAVE saves
// the recurrent state after loop prefix_loop; PREFIX_REPLAY starts the next forwards from it.
enum { PREFIX_OFF = 0, PREFIX_SAVE = 1, PREFIX_REPLAY = 2 };

// What a caller may ask of one forward, instead of writing the model's fields.
#define HALT_DEFAULT (-1)
typedef struct {
    int loops;        // scheme loop: loops (the maximum under halting); trm/hrm: supervision steps
    int halting;      // HALT_DEFAULT: the model's halting.kind; else the rule to run instead
                      // (HALT_NONE = fixed looping, `--fixed`); a learned rule needs its head
    int resume_loop;  // > 0: continue the last forward, which ran exactly this many loops on the
                      // same tokens with fixed looping (eval's sweep: only the new loops run)
    int window;       // scheme loop, training: > 0: only the last `window` loops (<= the allocated
                      // W) get gradient, the loops before run as a constant prefix (the
                      // progressive loss's n no-gradient loops); 0: all W
    float loss_scale; // the loss (and so every gradient) is scaled by this; 0 means 1 (the
                      // progressive loss's weights α and 1 − α)
    int frozen;       // 1: replay the previous forward's halting decisions (n_halt; gradcheck)
    int prefix;       // PREFIX_* (gradcheck)
    int prefix_loop;  // loops before the window (the saved / replayed state is after it)
} ForwardOpts;


typedef struct {
    // config and sizes
    const Scheme *scheme;      // the recursion family's row (recursion.scheme)
    ModelConfig mc;
    RecursionConfig rc;
    HaltingConfig hc;
    LossKind loss_kind;
    int deep_supervision;      // train.deep_supervision: loss on every kept loop (halting none)
    TaskShape shape;           // coords pointer not owned; copied into coord_ids/rope_pos
    int C, NH, L, F, M, A, R, V, Vout;
    int Hn;                    // hint classes (train.hints > 0 and the task has hints), else 0
    float hint_weight;         // train.hints
    int P;                     // weight sets of the block: 2 for hrm with separate levels, else 1
    int Tmix, Ft;              // mixer mlp: the sequence length its weights fix, its hidden width
    // parameters, gradients
    size_t param_sizes[NUM_PARAM_TENSORS];
    size_t num_params;
    float *params_memory;  ParamTensors params;
    int params_shared;     // 1: params_memory belongs to someone else (model_view); not freed
    float *grads_memory;   ParamTensors grads;
    // activations (sized by model_alloc)
    int B, T, W, training;     // T = seq_len + M
    int La, Lq;                // layers with their own activation buffers, qkv buffers (ACT_TABLE)
    int B_cap;                 // the batch the activations were allocated for (B <= B_cap: a
                               // stream's tail runs fewer rows, model_stream_rows)
    size_t act_sizes[NUM_ACT_TENSORS];
    size_t num_acts;
    float *acts_memory;    ActTensors acts;
    size_t grad_sizes[NUM_GRAD_TENSORS];
    size_t num_grad_acts;
    float *grad_acts_memory; GradTensors gacts;
    int *tokens;               // (B, T) with memory token slots set to 0
    int *targets;              // (B, T) < 0 = ignored (memory tokens)
    int *hints;                // (B, T) hint targets (training with a hint head), < 0 = ignored
    int hints_set;             // 1: model_set_hints gave hints; the head's loss includes them
    int *coord_ids;            // (T, A) rows of wcoord, -1 for memory tokens
    int *rope_pos;             // (T, A) raw coordinates, -1 for memory tokens
    int *nbr;                  // (T, 9) mixer local: position of each grid neighbour, -1 if none
    size_t att_size;           // floats of the mixer cache per layer and slot (acts.att)
    int *n_halt;               // (N) loops each position ran in the last forward (1-based; every
                               // halting rule writes it: act per position, converge per puzzle)
    int *row_k;                // (B) the loop each row is at (1-based): all the same in a forward,
                               // each its own in a stream (model_stream_*); halting rules read it
    int *run_rows;             // (N) act at inference (halting.skip): the positions still running
    int qkv_stale;             // halting.skip: rows moved or the batch resized since the last loop,
                               // so qkv's rows are not the cells' own: the next loop runs them all
    uint8_t *row_done;         // (B) written by the halting rule after each loop: 1 = the row's
                               // answer is final (it stopped, or reached the last loop)
    uint8_t *last_step;        // (B) trm/hrm with halting q: 1 = this supervision step is the
                               // sample's last (n_sup reached), for Q-learning's target
    // results of the last forward
    int loops_run;             // loops executed
    int window_start;          // first loop (1-based; trm/hrm: supervision step) with gradient
    double loss;               // task loss (mean CE over targets) + ponder
    double ce_loss;            // task loss alone
    double ponder;             // mean (N + R) over positions (act), else loops_run
    double ponder_sum;         // Σ (N + R), accumulated by the halting steps
    double deep_sum;           // Σ loss of the supervised loops before the last (deep supervision)
    int n_targets;
    int prefix_len;            // loops (scheme loop) or supervision steps run as a constant prefix
                               // before the kept updates; > 0: gradcheck replays the state after it
    ForwardOpts fwd;           // the options of the last forward (model_forward_opts)
    HaltKind halt;             // the halting rule the last forward ran (halting.kind or override)
    double prefix_ponder;      // act: the ponder sum saved with the prefix state
    // convswiglu (model.ffn): taps per position (K, or K·K on the grid; 0 without) and the tap
    // table of the current shape with its inverse (dwconv.h)
    int Kc;
    int *ctap;                 // (T, Kc) the position each tap reads, -1 none
    int *cinv;                 // (T, Kc) the position whose tap k reads this one, -1 none
} Model;

// The SwiGLU hidden width: model.d_ff, or for 0 the auto width ceil(8/3 d_model) rounded up
// to a multiple of 8.
int model_d_ff(const ModelConfig *mc);
// Shape of parameter tensor i (PARAM_*) in this model: fills dims, returns ndim (0: this
// config has no such tensor). Checkpoints store each tensor with this shape.
int model_param_shape(const Model *m, int i, int64_t *dims);
// Sizes, parameter allocation and initialisation from the config (init stream `r`).
// Prints nothing. Exits 2 if the config cannot fit the task (e.g. rope head size).
void model_init(Model *m, const Config *cfg, const TaskShape *shape, Rng *r);
// (Re)allocate activations for batch B, `window` loops kept (1 for inference), training
// (gradient buffers) or not. Idempotent for the same sizes. The family decides the slots
// (Scheme.slots): trm/hrm keep those their kept updates need, or 1 for inference.
void model_alloc(Model *m, int B, int window, int training);
// Load coordinates for a (new) task shape with the same seq_len (or a new one when
// positions are rope/none: activations are reallocated as needed).
void model_set_shape(Model *m, const TaskShape *shape);
void model_free(Model *m);
// An inference view of src: the same config, sizes and grid, with its parameters read from
// `params` (src's layout; not copied, not owned: src's weights or an EMA of them) and its own
// activations, none yet (model_alloc). Training's evaluation runs on one, so the training
// model's buffers and carried states stay as they are. Free with model_free.
void model_view(Model *view, const Model *src, float *params);

// Forward over `loops` loops (the maximum under halting; trm/hrm: supervision steps) with the
// model's own halting rule. tokens (B, seq_len); targets (B, seq_len) or NULL (no loss).
// Returns the loss (0 if no targets). Predictions: model_predict after this.
double model_forward(Model *m, const int *tokens, const int *targets, int loops);
// The same with options (ForwardOpts above); exits 1 on options the model cannot honour.
double model_forward_opts(Model *m, const int *tokens, const int *targets, const ForwardOpts *o);
// Backward of the last forward (training mode, targets given); accumulates into grads.
void model_backward(Model *m);
void model_zero_grad(Model *m);
// Hint targets (B, seq_len; < 0 = none for that cell) for the forwards with targets that follow,
// into m->hints; NULL: no hint loss. A model with a hint head (train.hints > 0), training only.
// The hint loss, train.hints · Σ CE(whint · [rms](out), hint) over the cells with a hint, joins
// the head's loss wherever it is taken (every scheme, deep supervision, the progressive loss).
void model_set_hints(Model *m, const int *hints);
// argmax class per puzzle position of the last forward: out (B, seq_len).
void model_predict(const Model *m, int *out);
// Per-position loops used in the last forward (n_halt; trm/hrm: supervision steps): out (B, seq_len).
void model_loops_used(const Model *m, int *out);

// Continuous batching (scheme loop, inference allocation): every row runs its own puzzle at its
// own loop, under halting rule `halting` (HALT_DEFAULT: the model's) with at most `loops`
// loops. start: all rows empty. load: row b takes a puzzle (tokens (seq_len)) from loop 0.
// step: one loop on every row; returns how many rows have a final answer (row_done[b]), which
// read gives: pred (seq_len) the argmax, loops (seq_len) the loops each position ran. A row
// that is not reloaded keeps running harmlessly; its results are the caller's to ignore.
void model_stream_start(Model *m, int halting, int loops);
void model_stream_load(Model *m, int b, const int *tokens);
int model_stream_step(Model *m);
void model_stream_read(const Model *m, int b, int *pred, int *loops);
// The tail of a stream: move row `from`'s puzzle and all its state to the idle row `to`, and run
// only the first B rows from the next step on (B <= B_cap; rows >= B must be idle). Fewer rows,
// the same answers: a row's computation never reads another row.
void model_stream_move(Model *m, int to, int from);
void model_stream_rows(Model *m, int B);

// Print the parameter count and each buffer's bytes on stderr (log_info).
void model_print_sizes(const Model *m);

#endif
