// modelio.c — model checkpoints on top of the safetensors module (ckpt.c).
#include "loopt/modelio.h"

#include <cJSON.h>
#include <ctype.h>
#include <math.h>
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
    char step[32], elapsed[32], loops[32], stages[32], psteps[32], pelapsed[32], sums[400];
    snprintf(step, sizeof step, "%ld", ts ? ts->step : 0L);
    snprintf(elapsed, sizeof elapsed, "%.3f", ts ? ts->elapsed_s : 0.0);
    snprintf(loops, sizeof loops, "%d", config_depth(cfg));
    const char *keys[12] = {"format", "config", "step", "elapsed_s", "task", "loops"};
    const char *vals[12] = {LOOPT_FORMAT, config, step, elapsed, TASK_NAMES[cfg->task], loops};
    int nk = 6;
    if (ts && o) {   // a training checkpoint: what its log needs to go on as one run
        const LogSums *l = &ts->log_sums;
        snprintf(sums, sizeof sums, "{\"loss\": %.17g, \"batches\": %ld, \"cells\": %ld, \"cells_right\": %ld, "
                 "\"puzzles\": %ld, \"exact\": %ld, \"loops\": %.17g}", l->loss, l->batches, l->cells,
                 l->cells_right, l->puzzles, l->exact, l->loops);
        keys[nk] = "log_sums"; vals[nk++] = sums;
        if (ts->log_path[0]) { keys[nk] = "log"; vals[nk++] = ts->log_path; }
    }
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

// Metadata numbers, validated: a value that is not of its range names the file and the key.
__attribute__((noreturn)) static void bad_meta(const Ckpt *c, const char *key, const char *want, const char *val) {
    die(EXIT_USAGE, "%s: __metadata__.%s: expected %s, got \"%.80s\" (a damaged or hand-edited checkpoint)",
        c->path, key, want, val);
}

// An integer in [0, max] written in plain digits; absent: 0.
static long meta_count(const Ckpt *c, const char *key, long max) {
    const char *v = ckpt_meta(c, key);
    if (!v) return 0;
    char want[64];
    snprintf(want, sizeof want, "an integer in [0, %ld]", max);
    size_t n = strspn(v, "0123456789");
    if (n == 0 || v[n] || n > 18) bad_meta(c, key, want, v);
    long x = strtol(v, NULL, 10);
    if (x > max) bad_meta(c, key, want, v);
    return x;
}

// A finite number >= 0; absent: 0.
static double meta_seconds(const Ckpt *c, const char *key) {
    const char *v = ckpt_meta(c, key);
    if (!v) return 0.0;
    char *end;
    double x = strtod(v, &end);
    if (!isdigit((unsigned char)v[0]) || *end || !isfinite(x) || x < 0 || x > 1e12) bad_meta(c, key, "a number of seconds in [0, 1e12]", v);
    return x;
}

// log_sums: a JSON object of the LogSums fields, each a number of its range.
static void meta_log_sums(const Ckpt *c, LogSums *l) {
    const char *v = ckpt_meta(c, "log_sums");
    memset(l, 0, sizeof *l);
    if (!v) return;
    const char *want = "a JSON object of loss, batches, cells, cells_right, puzzles, exact, loops (numbers >= 0)";
    cJSON *j = cJSON_Parse(v);
    if (!cJSON_IsObject(j)) { cJSON_Delete(j); bad_meta(c, "log_sums", want, v); }
    static const char *const names[7] = {"loss", "batches", "cells", "cells_right", "puzzles", "exact", "loops"};
    double x[7];
    int ok = 1;
    for (int k = 0; k < 7 && ok; k++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, names[k]);
        ok = cJSON_IsNumber(e) && isfinite(e->valuedouble) && e->valuedouble >= 0 && e->valuedouble <= 9e15;
        x[k] = ok ? e->valuedouble : 0;
        if (ok && k >= 1 && k <= 5) ok = x[k] == floor(x[k]);   // the counts
    }
    cJSON_Delete(j);
    if (!ok || x[3] > x[2] || x[5] > x[4]) bad_meta(c, "log_sums", want, v);
    *l = (LogSums){x[0], (long)x[1], (long)x[2], (long)x[3], (long)x[4], (long)x[5], x[6]};
}

void train_state_meta(const Ckpt *c, TrainState *ts) {
    ts->step = meta_count(c, "step", 1000000000000L);   // train.steps' range
    ts->elapsed_s = meta_seconds(c, "elapsed_s");
    ts->prior_stages = (int)meta_count(c, "prior_stages", 1000000L);
    ts->prior_steps = meta_count(c, "prior_steps", 1000000000000000L);
    ts->prior_elapsed_s = meta_seconds(c, "prior_elapsed_s");
    meta_log_sums(c, &ts->log_sums);
    const char *log = ckpt_meta(c, "log");
    snprintf(ts->log_path, sizeof ts->log_path, "%s", log && strlen(log) < sizeof ts->log_path ? log : "");
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
        if (ts->step > cfg->train.steps)
            die(EXIT_USAGE, "%s: __metadata__.step: %ld is past its config's train.steps %ld (a damaged or "
                "hand-edited checkpoint)", path, ts->step, cfg->train.steps);
        int64_t four = 4;
        if (!ckpt_copy(&c, "rng.data", DT_U32, 1, &four, ts->data_rng.s, why, sizeof why) ||
            !ckpt_copy(&c, "rng.halt", DT_U32, 1, &four, ts->halt_rng.s, why, sizeof why))
            die(EXIT_USAGE, "%s", why);
        if (o) o->step = ts->step;
    }
    ckpt_free(&c);
}
