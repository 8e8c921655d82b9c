// model.c — parameter layout and initialisation, the activation arena, views and sizes. The
// block is block.c's, the embedding and the head embed.c's and head.c's, the recursion the
// family's (scheme.h: loop.c, trm.c, hrm.c); this file only asks the family's row how many
// weight sets and ring slots it needs, and whether it carries states.
#include "loopt/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/attention.h"
#include "loopt/check.h"
#include "loopt/halting.h"
#include "loopt/log.h"
#include "loopt/scheme.h"
#include "dwconv.h"

const ParamSpec PARAMS[NUM_PARAM_TENSORS] = {
#define X(name, init, decay, flops, doc) {#name, INIT_##init, decay, FLOPS_##flops, doc},
    PARAM_TABLE(X)
#undef X
};

static void carve(float *mem, const size_t *sizes, int n, float **ptrs) {
    for (int i = 0; i < n; i++) { ptrs[i] = sizes[i] ? mem : NULL; mem += sizes[i]; }
}

static size_t sum_sizes(const size_t *sizes, int n) {
    size_t s = 0;
    for (int i = 0; i < n; i++) s += sizes[i];
    return s;
}

// ---- parameters --------------------------------------------------------------------------

int model_param_shape(const Model *m, int i, int64_t *d) {
    int64_t C = m->C, L = (int64_t)m->L * m->P, F = m->F;   // block tensors: P weight sets
    int gain = m->mc.norm_gain, mlp = m->mc.mixer == MIXER_MLP, recur = m->scheme->reset_row != NULL;
    int rows = halt_rule(m->hc.kind)->head_rows;   // the halting rule's head: whalt (rows, C)
    switch (i) {
    case PARAM_wte:    d[0] = m->V; d[1] = C; return 2;
    case PARAM_wcoord: d[0] = m->R; d[1] = C; return m->R ? 2 : 0;
    case PARAM_wmem:   d[0] = m->M; d[1] = C; return m->M ? 2 : 0;
    case PARAM_ln1g:
    case PARAM_ln2g:   d[0] = L; d[1] = C; return gain ? 2 : 0;
    case PARAM_wqkv:   d[0] = L; d[1] = 3 * C; d[2] = C; return mlp ? 0 : 3;
    case PARAM_wo:     d[0] = L; d[1] = C; d[2] = C; return mlp ? 0 : 3;
    case PARAM_wfc:    d[0] = L; d[1] = 2 * F; d[2] = C; return 3;
    case PARAM_wproj:  d[0] = L; d[1] = C; d[2] = F; return 3;
    case PARAM_lnfg:   d[0] = C; return gain && m->mc.norm == NORM_PRE ? 1 : 0;
    case PARAM_wout:   d[0] = m->Vout; d[1] = C; return 2;
    case PARAM_whalt:  if (rows > 1) { d[0] = rows; d[1] = C; return 2; } d[0] = C; return rows ? 1 : 0;
    case PARAM_bhalt:  d[0] = rows; return rows ? 1 : 0;
    case PARAM_wrel:   d[0] = L; d[1] = m->NH; d[2] = LOCAL_K; return m->mc.mixer == MIXER_LOCAL ? 3 : 0;
    case PARAM_yinit:
    case PARAM_zinit:  d[0] = C; return recur ? 1 : 0;
    case PARAM_wtfc:   d[0] = L; d[1] = 2 * m->Ft; d[2] = m->Tmix; return mlp ? 3 : 0;
    case PARAM_wtproj: d[0] = L; d[1] = m->Tmix; d[2] = m->Ft; return mlp ? 3 : 0;
    case PARAM_whint:  d[0] = m->Hn; d[1] = C; return m->Hn ? 2 : 0;
    case PARAM_wadapt: d[0] = C; d[1] = 2 * C; return m->scheme->adapter ? 2 : 0;
    case PARAM_wconv:  d[0] = L; d[1] = F; d[2] = m->Kc; return m->Kc ? 3 : 0;
    case PARAM_bconv:  d[0] = L; d[1] = F; return m->Kc ? 2 : 0;
    }
    CHECK(0, "no parameter tensor %d", i);
    return 0;
}

static void param_sizes(Model *m) {
    for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
        int64_t d[PARAM_MAX_DIM];
        int nd = model_param_shape(m, i, d);
        size_t n = nd ? 1 : 0;
        for (int k = 0; k < nd; k++) n *= (size_t)d[k];
        m->param_sizes[i] = n;
    }
    m->num_params = sum_sizes(m->param_sizes, NUM_PARAM_TENSORS);
}

static void fill_normal(float *p, size_t n, float std, Rng *r) {
    for (size_t i = 0; i < n; i++) p[i] = std * rng_normal(r);
}

static void fill_const(float *p, size_t n, float v) {
    for (size_t i = 0; i < n; i++) p[i] = v;
}

// nbr (T, 9): for each position, the position at grid offset (dr, dc) in {-1,0,1}^2 on the
// first two coordinate axes (row, column), or -1 off the grid.
static void local_neighbours(Model *m, int T) {
    CHECK_INPUT(m->A >= 2, "model.mixer \"local\" needs a task on a 2-D grid (rows and columns)");
    int H = 0, Wd = 0;
    for (int t = 0; t < T; t++) {
        int r = m->rope_pos[t * m->A], c = m->rope_pos[t * m->A + 1];
        CHECK(r >= 0 && c >= 0, "mixer local: position %d has no grid coordinate", t);
        if (r + 1 > H) H = r + 1;
        if (c + 1 > Wd) Wd = c + 1;
    }
    int *at = xmalloc(sizeof(int) * (size_t)H * Wd);   // (H, W) position at each cell, -1 = none
    for (int i = 0; i < H * Wd; i++) at[i] = -1;
    for (int t = 0; t < T; t++) at[m->rope_pos[t * m->A] * Wd + m->rope_pos[t * m->A + 1]] = t;
    free(m->nbr);
    m->nbr = xmalloc(sizeof(int) * (size_t)T * LOCAL_K);
    for (int t = 0; t < T; t++) {
        int r = m->rope_pos[t * m->A], c = m->rope_pos[t * m->A + 1];
        for (int k = 0; k < LOCAL_K; k++) {
            int rr = r + k / 3 - 1, cc = c + k % 3 - 1;
            m->nbr[t * LOCAL_K + k] = (rr < 0 || rr >= H || cc < 0 || cc >= Wd) ? -1 : at[rr * Wd + cc];
        }
    }
    free(at);
}

void model_set_shape(Model *m, const TaskShape *shape) {
    CHECK(shape->n_axes >= 0 && shape->n_axes <= MAX_AXES, "task has %d axes, at most %d", shape->n_axes, MAX_AXES);
    if (m->mc.positions == POS_COORDS && m->params_memory) {
        // learned tables: the shape must match the one the model was built for
        CHECK_INPUT(shape->n_axes == m->A, "model was trained with %d coordinate axes, task has %d", m->A, shape->n_axes);
        for (int a = 0; a < m->A; a++)
            CHECK_INPUT(shape->axis_size[a] <= m->shape.axis_size[a],
                        "model's coordinate table for axis %d has %d rows, the task needs %d "
                        "(use model.positions = rope for size-agnostic models)",
                        a, m->shape.axis_size[a], shape->axis_size[a]);
    }
    if (m->mc.mixer == MIXER_MLP && m->params_memory)
        CHECK_INPUT(shape->seq_len + m->M == m->Tmix, "model.mixer \"mlp\" has weights for %d positions, "
                    "the puzzle has %d: an mlp mixer solves one size only", m->Tmix - m->M, shape->seq_len);
    int keep_sizes = m->params_memory != NULL;
    TaskShape old = m->shape;
    m->shape = *shape;
    if (keep_sizes && m->mc.positions == POS_COORDS)
        for (int a = 0; a < m->A; a++) m->shape.axis_size[a] = old.axis_size[a];
    int T = shape->seq_len + m->M, A = shape->n_axes;
    free(m->coord_ids);
    free(m->rope_pos);
    m->coord_ids = xmalloc(sizeof(int) * (size_t)T * (A ? A : 1));
    m->rope_pos = xmalloc(sizeof(int) * (size_t)T * (A ? A : 1));
    for (int t = 0; t < T; t++) {
        int off = 0;
        for (int a = 0; a < A; a++) {
            int c = t < m->M ? -1 : shape->coords[(size_t)(t - m->M) * A + a];
            if (c >= 0) CHECK(c < m->shape.axis_size[a] || m->mc.positions != POS_COORDS,
                              "coordinate %d on axis %d out of range", c, a);
            m->coord_ids[t * A + a] = c < 0 ? -1 : off + c;
            m->rope_pos[t * A + a] = c;
            off += m->shape.axis_size[a];
        }
    }
    m->A = A;
    if (m->mc.mixer == MIXER_LOCAL) local_neighbours(m, T);
    if (m->Kc) {   // convswiglu: the taps of this shape
        int grid = m->mc.conv_axis == CONV_GRID;
        CHECK_INPUT(!grid || A >= 2, "model.conv_axis \"grid\" needs a task on a 2-D grid (rows and columns)");
        free(m->ctap);
        free(m->cinv);
        m->ctap = xmalloc(sizeof(int) * (size_t)T * m->Kc);
        m->cinv = xmalloc(sizeof(int) * (size_t)T * m->Kc);
        dwconv_build_taps(m->ctap, m->cinv, m->rope_pos, T, A, m->mc.conv_kernel, grid);
    }
    if (m->acts_memory && T != m->T) model_alloc(m, m->B, m->W, m->training);
}

int model_d_ff(const ModelConfig *mc) {
    if (mc->d_ff > 0) return mc->d_ff;
    int h = (8 * mc->d_model + 2) / 3;   // ceil(8d/3)
    return (h + 7) / 8 * 8;
}

void model_init(Model *m, const Config *cfg, const TaskShape *shape, Rng *r) {
    memset(m, 0, sizeof *m);
    m->scheme = scheme_get(cfg->recursion.scheme);
    m->mc = cfg->model;
    m->rc = cfg->recursion;
    m->hc = cfg->halting;
    m->loss_kind = cfg->train.loss;
    m->deep_supervision = cfg->train.deep_supervision;
    m->C = cfg->model.d_model;
    m->NH = cfg->model.n_heads;
    m->L = cfg->model.n_layers;
    m->P = m->scheme->weight_sets(&cfg->recursion);
    m->F = model_d_ff(&cfg->model);
    m->M = cfg->model.memory_tokens;
    m->Kc = cfg->model.ffn == FFN_CONVSWIGLU ? dwconv_ntaps(cfg->model.conv_kernel, cfg->model.conv_axis == CONV_GRID) : 0;
    m->V = shape->vocab;
    m->Vout = shape->n_out;
    CHECK(cfg->train.hints == 0.0f || shape->n_hint > 0,   // config_validate tells the user
          "train.hints: task %s has no hint targets", TASK_NAMES[cfg->task]);
    m->Hn = cfg->train.hints > 0.0f ? shape->n_hint : 0;
    m->hint_weight = cfg->train.hints;
    m->A = shape->n_axes;
    m->R = 0;
    if (m->mc.positions == POS_COORDS)
        for (int a = 0; a < shape->n_axes; a++) m->R += shape->axis_size[a];
    if (m->mc.positions == POS_ROPE) {
        int hs = m->C / m->NH;
        CHECK_INPUT(hs % 2 == 0 && hs / 2 >= shape->n_axes,
                    "model.positions = rope needs a head size (d_model / n_heads = %d) with at least "
                    "one rotation pair per axis (%d axes)", hs, shape->n_axes);
    }
    model_set_shape(m, shape);
    m->Tmix = shape->seq_len + m->M;
    m->Ft = (8 * m->Tmix + 2) / 3;
    m->Ft = (m->Ft + 7) / 8 * 8;   // as the auto d_ff: ceil(8/3 T) to a multiple of 8

    param_sizes(m);
    m->params_memory = xmalloc(m->num_params * sizeof(float));
    carve(m->params_memory, m->param_sizes, NUM_PARAM_TENSORS, (float **)&m->params);

    // Embeddings: unit variance for the sum of the token and the per-axis tables, so the
    // injected input is on the same scale as the RMS-normalised state.
    float emb_std = 1.0f / sqrtf((float)(1 + (m->mc.positions == POS_COORDS ? m->A : 0)));
    float *p = m->params_memory;
    for (int i = 0; i < NUM_PARAM_TENSORS; p += m->param_sizes[i], i++) {
        size_t n = m->param_sizes[i];
        switch (PARAMS[i].init) {
        case INIT_EMB:       fill_normal(p, n, emb_std, r); break;
        case INIT_STD:       fill_normal(p, n, m->mc.init_std, r); break;
        case INIT_UNIT:      fill_normal(p, n, 1.0f, r); break;
        case INIT_ONE:       fill_const(p, n, 1.0f); break;
        case INIT_ZERO:      fill_const(p, n, 0.0f); break;
        case INIT_HALT_BIAS: fill_const(p, n, m->hc.bias_init); break;
        case INIT_CONV:
            for (size_t j = 0; j < n; j++) p[j] = (2.0f * rng_uniform(r) - 1.0f) / sqrtf((float)m->Kc);
            break;
        }
    }
}

// ---- activations -------------------------------------------------------------------------

void model_alloc(Model *m, int B, int window, int training) {
    int T = m->shape.seq_len + m->M;
    window = m->scheme->slots(m, window, training);
    if (m->acts_memory && B == m->B && T == m->T && window == m->W && training == m->training) return;
    free(m->acts_memory);
    free(m->grad_acts_memory);
    free(m->grads_memory);
    free(m->tokens);
    free(m->targets);
    free(m->hints);
    free(m->n_halt);
    m->grads_memory = m->grad_acts_memory = NULL;
    memset(&m->grads, 0, sizeof m->grads);   // no gradients until a training allocation carves them
    m->B = m->B_cap = B; m->T = T; m->W = window; m->training = training;
    size_t N = (size_t)B * T, C = m->C, L = m->L, F = m->F, W = window, V = m->Vout, Hn = (size_t)m->Hn;
    size_t att = m->mc.mixer == MIXER_MLP ? (size_t)B * m->C * 3 * m->Ft
               : (size_t)B * m->NH * T * (m->mc.mixer == MIXER_LOCAL ? LOCAL_K : T);
    m->att_size = att;
    size_t train = training != 0, recur = m->scheme->reset_row != NULL, loop = m->scheme->streams;
    size_t haltq = halt_rule(m->hc.kind)->sup_target != NULL, adapt = m->scheme->adapter != 0;
    size_t conv = m->Kc > 0;   // convswiglu: a cell's FFN reads its neighbours, so no cell skips it
    size_t skip = !training && loop && halt_rule(m->hc.kind)->skips && m->hc.skip && m->mc.mixer != MIXER_MLP && !conv;
    size_t La = training ? L : 1, Lq = skip ? L : La;
    m->La = (int)La; m->Lq = (int)Lq;
    size_t *s = m->act_sizes;
#define X(name, size, doc) s[ACT_##name] = (size);
    ACT_TABLE(X)
#undef X
    m->num_acts = sum_sizes(s, NUM_ACT_TENSORS);
    m->acts_memory = xcalloc(m->num_acts, sizeof(float));
    carve(m->acts_memory, s, NUM_ACT_TENSORS, (float **)&m->acts);
    free(m->last_step);
    free(m->row_k);
    free(m->row_done);
    free(m->run_rows);
    m->last_step = xcalloc((size_t)B, 1);
    m->row_k = xcalloc((size_t)B, sizeof(int));
    m->row_done = xcalloc((size_t)B, 1);
    m->tokens = xcalloc(N, sizeof(int));
    m->targets = xcalloc(N, sizeof(int));
    m->n_halt = xcalloc(N, sizeof(int));
    m->hints = training && Hn ? xcalloc(N, sizeof(int)) : NULL;
    m->hints_set = 0;
    m->run_rows = skip ? xcalloc(N, sizeof(int)) : NULL;
    m->num_grad_acts = 0;
    if (training) {
        size_t *g = m->grad_sizes;
#define X(name, size, doc) g[GRAD_##name] = (size);
        GRAD_TABLE(X)
#undef X
        m->num_grad_acts = sum_sizes(g, NUM_GRAD_TENSORS);
        m->grad_acts_memory = xcalloc(m->num_grad_acts, sizeof(float));
        carve(m->grad_acts_memory, g, NUM_GRAD_TENSORS, (float **)&m->gacts);
        m->grads_memory = xcalloc(m->num_params, sizeof(float));
        carve(m->grads_memory, m->param_sizes, NUM_PARAM_TENSORS, (float **)&m->grads);
    }
}

static int *dup_ints(const int *src, size_t n) {
    int *p = xmalloc(sizeof(int) * n);
    memcpy(p, src, sizeof(int) * n);
    return p;
}

void model_view(Model *v, const Model *src, float *params) {
    *v = *src;   // config, sizes, grid shape
    v->params_memory = params;
    v->params_shared = 1;
    carve(params, v->param_sizes, NUM_PARAM_TENSORS, (float **)&v->params);
    v->grads_memory = v->acts_memory = v->grad_acts_memory = NULL;
    memset(&v->grads, 0, sizeof v->grads);
    memset(&v->acts, 0, sizeof v->acts);
    memset(&v->gacts, 0, sizeof v->gacts);
    v->tokens = v->targets = v->n_halt = v->hints = NULL;
    v->hints_set = 0;
    v->last_step = v->row_done = NULL;
    v->row_k = v->run_rows = NULL;
    v->B = v->T = v->W = v->training = 0;
    size_t TA = (size_t)(src->shape.seq_len + src->M) * (src->A ? src->A : 1);
    v->coord_ids = dup_ints(src->coord_ids, TA);
    v->rope_pos = dup_ints(src->rope_pos, TA);
    v->nbr = src->nbr ? dup_ints(src->nbr, (size_t)(src->shape.seq_len + src->M) * LOCAL_K) : NULL;
    v->ctap = src->ctap ? dup_ints(src->ctap, (size_t)(src->shape.seq_len + src->M) * src->Kc) : NULL;
    v->cinv = src->cinv ? dup_ints(src->cinv, (size_t)(src->shape.seq_len + src->M) * src->Kc) : NULL;
}

void model_free(Model *m) {
    if (!m->params_shared) free(m->params_memory);
    free(m->grads_memory);
    free(m->acts_memory);
    free(m->grad_acts_memory);
    free(m->tokens);
    free(m->targets);
    free(m->hints);
    free(m->coord_ids);
    free(m->rope_pos);
    free(m->nbr);
    free(m->ctap);
    free(m->cinv);
    free(m->last_step);
    free(m->row_k);
    free(m->row_done);
    free(m->n_halt);
    free(m->run_rows);
    memset(m, 0, sizeof *m);
}

void model_zero_grad(Model *m) {
    if (m->grads_memory) memset(m->grads_memory, 0, m->num_params * sizeof(float));
}

void model_print_sizes(const Model *m) {
    log_info("model: %zu parameters (%.2f MB); block of %d layers, d_model %d, %d heads, ffn %s %d",
             m->num_params, m->num_params * 4.0 / 1e6, m->L, m->C, m->NH, FFN_NAMES[m->mc.ffn], m->F);
    for (int i = 0; i < NUM_PARAM_TENSORS; i++)
        if (m->param_sizes[i])
            log_info("  param %-7s %9zu%s", PARAMS[i].name, m->param_sizes[i],
                     param_trained(i) ? "" : "  (a fixed buffer: drawn at init, not trained)");
    double mb = 1e-6 * sizeof(float);
    log_info("buffers: params %.2f MB, grads %.2f MB, activations %.2f MB (%d loop slots), "
             "activation grads %.2f MB",
             m->num_params * mb, m->grads_memory ? m->num_params * mb : 0.0, m->num_acts * mb, m->W,
             m->num_grad_acts * mb);
}
