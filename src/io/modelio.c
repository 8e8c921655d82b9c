// modelio.c — model checkpoints on top of the safetensors module (ckpt.c).
#include "loopt/modelio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/attention.h"
#include "loopt/check.h"
#include "loopt/ckpt.h"

// model_save, and model_save_weights with `weights` (NULL: no such metadata).
static int save_with(const char *path, const Model *m, const Config *cfg, const Optimizer *o, const TrainState *ts,
                     const char *weights, char *why, size_t whylen) {
    enum { MAXT = 4 * NUM_PARAM_TENSORS + 2 };
    CkptTensor t[MAXT];
    char names[MAXT][48];
    int n = 0;
    const float *sets[4] = {m->params_memory, o ? o->ema : NULL, o ? o->m : NULL, o ? o->v : NULL};
    const char *prefix[4] = {"", "ema.", "adam_m.", "adam_v."};
    for (int k = 0; k < 4; k++) {
        if (!sets[k]) continue;
        size_t off = 0;
        for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
            size_t sz = m->param_sizes[i];
            if (sz) {
                snprintf(names[n], sizeof names[n], "%s%s", prefix[k], PARAMS[i].name);
                t[n].name = names[n];
                t[n].dtype = DT_F32;
                t[n].ndim = model_param_shape(m, i, t[n].shape);
                t[n].data = sets[k] + off;
                n++;
            }
            off += sz;
        }
    }
    if (ts) {
        const Rng *rngs[2] = {&ts->data_rng, &ts->halt_rng};
        const char *rn[2] = {"rng.data", "rng.halt"};
        for (int k = 0; k < 2; k++) {
            t[n].name = rn[k]; t[n].dtype = DT_U32; t[n].ndim = 1; t[n].shape[0] = 4;
            t[n].data = rngs[k]->s;
            n++;
        }
    }
    char *config = config_to_json(cfg);
    char step[32], elapsed[32], loops[32], stages[32], psteps[32], pelapsed[32];
    snprintf(step, sizeof step, "%ld", ts ? ts->step : 0L);
    snprintf(elapsed, sizeof elapsed, "%.3f", ts ? ts->elapsed_s : 0.0);
    snprintf(loops, sizeof loops, "%d", config_depth(cfg));
    const char *keys[10] = {"format", "config", "step", "elapsed_s", "task", "loops"};
    const char *vals[10] = {LOOPT_FORMAT, config, step, elapsed, TASK_NAMES[cfg->task], loops};
    int nk = 6;
    if (weights) { keys[nk] = "weights"; vals[nk++] = weights; }
    if (ts && ts->prior_stages > 0) {
        snprintf(stages, sizeof stages, "%d", ts->prior_stages);
        snprintf(psteps, sizeof psteps, "%ld", ts->prior_steps);
        snprintf(pelapsed, sizeof pelapsed, "%.3f", ts->prior_elapsed_s);
        keys[nk] = "prior_stages"; vals[nk++] = stages;
        keys[nk] = "prior_steps"; vals[nk++] = psteps;
        keys[nk] = "prior_elapsed_s"; vals[nk++] = pelapsed;
    }
    int ok = ckpt_write(path, t, n, keys, vals, nk, why, whylen);
    free(config);
    return ok;
}

int model_save(const char *path, const Model *m, const Config *cfg, const Optimizer *o,
               const TrainState *ts, char *why, size_t whylen) {
    return save_with(path, m, cfg, o, ts, NULL, why, whylen);
}

int model_save_weights(const char *path, const Model *m, const Config *cfg, const TrainState *ts,
                       const char *weights, char *why, size_t whylen) {
    return save_with(path, m, cfg, NULL, ts, weights, why, whylen);
}

WeightsKind model_weights_kind(const Ckpt *c) {
    if (ckpt_has_prefix(c, "ema.")) return WEIGHTS_WITH_EMA;
    if (ckpt_has_prefix(c, "adam_m.")) return WEIGHTS_RAW;
    const char *w = ckpt_meta(c, "weights");
    return !w ? WEIGHTS_EXPORT_OLD : !strcmp(w, "ema") ? WEIGHTS_EXPORT_EMA : WEIGHTS_EXPORT_RAW;
}

// Copy every parameter tensor with the given name prefix into dst (num_params floats).
static int copy_set(const Ckpt *c, const Model *m, const char *prefix, float *dst, int required,
                    const char *path) {
    char name[64], why[512];
    size_t off = 0;
    for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
        size_t sz = m->param_sizes[i];
        if (sz) {
            snprintf(name, sizeof name, "%s%s", prefix, PARAMS[i].name);
            if (!ckpt_find(c, name)) {
                if (!required) return 0;
                die(EXIT_USAGE, "%s: tensor '%s' missing (the config needs it)", path, name);
            }
            int64_t shape[CKPT_MAX_DIM];
            int nd = model_param_shape(m, i, shape);
            if (!ckpt_copy(c, name, DT_F32, nd, shape, dst + off, why, sizeof why)) die(EXIT_USAGE, "%s", why);
        }
        off += sz;
    }
    return 1;
}

// A growing comma-separated list.
static void list_add(char **list, size_t *len, const char *item) {
    size_t n = strlen(item), extra = *len ? 2 : 0;
    *list = xrealloc(*list, *len + extra + n + 1);
    if (extra) memcpy(*list + *len, ", ", 2);
    memcpy(*list + *len + extra, item, n + 1);
    *len += extra + n;
}

// Tensors a loopt checkpoint holds besides the weights.
static int is_state_tensor(const char *name) {
    return strncmp(name, "ema.", 4) == 0 || strncmp(name, "adam_m.", 7) == 0 ||
           strncmp(name, "adam_v.", 7) == 0 || strncmp(name, "rng.", 4) == 0;
}

void train_state_meta(const Ckpt *c, TrainState *ts) {
    const char *step = ckpt_meta(c, "step"), *el = ckpt_meta(c, "elapsed_s");
    const char *stages = ckpt_meta(c, "prior_stages"), *psteps = ckpt_meta(c, "prior_steps");
    const char *pel = ckpt_meta(c, "prior_elapsed_s");
    ts->step = step ? atol(step) : 0;
    ts->elapsed_s = el ? atof(el) : 0.0;
    ts->prior_stages = stages ? atoi(stages) : 0;
    ts->prior_steps = psteps ? atol(psteps) : 0;
    ts->prior_elapsed_s = pel ? atof(pel) : 0.0;
}

void model_init_from(const char *path, Model *m, InitReport *rep) {
    memset(rep, 0, sizeof *rep);
    Ckpt c;
    char why[512];
    if (!ckpt_read(path, &c, why, sizeof why)) die(EXIT_USAGE, "--init-from %s", why);
    train_state_meta(&c, &rep->from);
    for (int i = 0; i < c.n && !rep->from_ema; i++) rep->from_ema = strncmp(c.entries[i].name, "ema.", 4) == 0;
    size_t nl = 0, na = 0, nd = 0;
    size_t off = 0;
    for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
        size_t sz = m->param_sizes[i];
        float *dst = m->params_memory + off;
        off += sz;
        if (!sz) continue;
        const char *name = PARAMS[i].name;
        char ema[64];
        snprintf(ema, sizeof ema, "ema.%s", name);
        const CkptEntry *e = rep->from_ema ? ckpt_find(&c, ema) : NULL;
        if (!e) e = ckpt_find(&c, name);
        if (!e) { list_add(&rep->added, &na, name); rep->n_added++; continue; }
        int64_t shape[CKPT_MAX_DIM];
        int ndim = model_param_shape(m, i, shape);
        int same = e->dtype == DT_F32 && e->ndim == ndim;
        for (int d = 0; same && d < ndim; d++) same = e->shape[d] == shape[d];
        if (!same) {
            char have[128], want[128], item[400];
            ckpt_shape_str(have, sizeof have, e->ndim, e->shape);
            ckpt_shape_str(want, sizeof want, ndim, shape);
            snprintf(item, sizeof item, "%s (%s %s in the checkpoint, %s here)", name, dtype_name(e->dtype), have, want);
            list_add(&rep->dropped, &nd, item);
            rep->n_dropped++;
            continue;
        }
        memcpy(dst, e->data, e->nbytes);   // e->data may be unaligned in a hand-made file: memcpy
        list_add(&rep->loaded, &nl, name);
        rep->n_loaded++;
    }
    // The checkpoint's weights this model has no use for (another scheme's heads, say).
    for (int k = 0; k < c.n; k++) {
        const char *name = c.entries[k].name;
        if (is_state_tensor(name)) continue;
        int used = 0;
        for (int i = 0; i < NUM_PARAM_TENSORS && !used; i++)
            used = m->param_sizes[i] && strcmp(PARAMS[i].name, name) == 0;
        if (used) continue;
        char item[200];
        snprintf(item, sizeof item, "%.100s (not in this model)", name);
        list_add(&rep->dropped, &nd, item);
        rep->n_dropped++;
    }
    ckpt_free(&c);
    if (!rep->n_loaded)
        die(EXIT_USAGE, "--init-from %s: no tensor matches this model by name and shape, nothing to start from "
            "(dropped: %.600s)", path, rep->dropped ? rep->dropped : "none");
    if (!rep->loaded) rep->loaded = xstrdup("");
    if (!rep->added) rep->added = xstrdup("");
    if (!rep->dropped) rep->dropped = xstrdup("");
}

void init_report_free(InitReport *rep) {
    free(rep->loaded); free(rep->added); free(rep->dropped);
    memset(rep, 0, sizeof *rep);
}

void model_load_with(const char *path, ModelBuild *build, Config *cfg, Model *m, int use_ema,
                     Optimizer *o, TrainState *ts) {
    Ckpt c;
    char why[512];
    if (!ckpt_read(path, &c, why, sizeof why)) die(EXIT_USAGE, "%s", why);
    const char *fmt = ckpt_meta(&c, "format");
    if (!fmt || strncmp(fmt, "loopt-", 6) != 0)
        die(EXIT_USAGE, "%s: not a loopt checkpoint (no __metadata__.format = \"%s\")", path, LOOPT_FORMAT);
    if (strcmp(fmt, LOOPT_FORMAT) != 0)
        die(EXIT_USAGE, "%s: checkpoint format '%s' is newer than this loopt reads (%s): upgrade loopt",
            path, fmt, LOOPT_FORMAT);
    const char *config = ckpt_meta(&c, "config");
    if (!config) die(EXIT_USAGE, "%s: checkpoint has no config in its metadata", path);
    char name[600];
    snprintf(name, sizeof name, "%s (stored config)", path);
    config_defaults(cfg);   // keys added after the checkpoint was written take their defaults
    config_from_json(cfg, config, name);

    build(m, cfg);
    if (!(use_ema && copy_set(&c, m, "ema.", m->params_memory, 0, path)))
        copy_set(&c, m, "", m->params_memory, 1, path);
    if (o) {
        // A weights-only checkpoint (loopt export) has no optimizer state: say so, not just
        // which tensor is missing.
        for (int i = 0; i < NUM_PARAM_TENSORS; i++) {
            if (!m->param_sizes[i]) continue;
            snprintf(name, sizeof name, "adam_m.%s", PARAMS[i].name);
            if (!ckpt_find(&c, name))
                die(EXIT_USAGE, "%s: no optimizer state (tensor '%s' missing): a weights-only checkpoint "
                    "(loopt export) cannot be resumed; to train from its weights use "
                    "`loopt train CONFIG --init-from %s`", path, name, path);
            break;
        }
        optim_init(o, m, &cfg->train);
        copy_set(&c, m, "adam_m.", o->m, 1, path);
        copy_set(&c, m, "adam_v.", o->v, 1, path);
        if (o->ema && !copy_set(&c, m, "ema.", o->ema, 0, path))
            memcpy(o->ema, m->params_memory, o->n * sizeof(float));
    }
    if (ts) {
        memset(ts, 0, sizeof *ts);
        train_state_meta(&c, ts);
        int64_t four = 4;
        if (!ckpt_copy(&c, "rng.data", DT_U32, 1, &four, ts->data_rng.s, why, sizeof why) ||
            !ckpt_copy(&c, "rng.halt", DT_U32, 1, &four, ts->halt_rng.s, why, sizeof why))
            die(EXIT_USAGE, "%s", why);
        if (o) o->step = ts->step;
    }
    ckpt_free(&c);
}
