// config.c — the JSON config: defaults, parsing (cJSON) into the plain Config struct,
// `--set key.path=value` overrides, validation, and printing the resolved config.
//
// Every key lives in one table (KEYS below): its dotted path, its type, where it sits in
// the struct, and its allowed range or enum names. Parsing, --set, validation, printing
// and the "unknown key" hints all walk that table, so a key added there is accepted,
// checked and printed everywhere at once (and must be documented in docs/config.md).
// All user mistakes exit 2 via die(EXIT_USAGE, ...) with `<file>: <key.path>: <why>`.
#include "loopt/config.h"
#include "loopt/check.h"
#include "loopt/scheme.h"

#include <cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Enum fields are written through an int*; that is only sound if they are int-sized.
_Static_assert(sizeof(TaskKind) == sizeof(int) && sizeof(MixerKind) == sizeof(int) &&
               sizeof(NormKind) == sizeof(int) && sizeof(PosKind) == sizeof(int) &&
               sizeof(SchemeKind) == sizeof(int) && sizeof(HaltKind) == sizeof(int) &&
               sizeof(LossKind) == sizeof(int) && sizeof(SchedKind) == sizeof(int) &&
               sizeof(FfnKind) == sizeof(int) && sizeof(ConvAxis) == sizeof(int),
               "config enums must be int-sized");

#define CONFIG_MAX_BYTES (1u << 20)   // a config is a few hundred bytes; refuse anything huge
// Seeds travel through JSON numbers (doubles): beyond 2^53 they would silently change.
#define SEED_MAX 9007199254740991.0   // 2^53 - 1

typedef enum { T_INT, T_LONG, T_U64, T_FLOAT, T_BOOL, T_ENUM, T_STR } KeyType;

typedef struct {
    const char *path;          // dotted key path, e.g. "recursion.trm.n"
    KeyType type;
    size_t off;                // offset of the field in Config
    double lo, hi;             // numeric range (T_INT/T_LONG/T_U64/T_FLOAT)
    int lo_open, hi_open;      // 1 = the bound itself is excluded
    const char *const *names;  // T_ENUM: value names, index = enum value; NULL-terminated
    int resume;                // 1 = `train --resume` may change it (the RESUMABLE rows below)
} Key;

static const char *const MIXER_NAMES[] = {"attention", "mlp", "local", NULL};
static const char *const NORM_NAMES[]  = {"post", "pre", NULL};
#define X(kind, name, schemes, fixed) fixed,
static const int HALT_FIXED[NUM_HALT_KINDS] = {HALT_KINDS(X)};
#undef X
static const char *const LOSS_NAMES[]  = {"softmax", "stablemax", NULL};
static const char *const SCHED_NAMES[] = {"cosine", "constant", NULL};
static const char *const NAN_NAMES[]   = {"stop", "skip", NULL};

#define OFF(field) offsetof(Config, field)
#define INT_(p, f, a, b)      p, T_INT, OFF(f), a, b, 0, 0, NULL
#define LONG_(p, f, a, b)     p, T_LONG, OFF(f), a, b, 0, 0, NULL
#define U64_(p, f)            p, T_U64, OFF(f), 0, SEED_MAX, 0, 0, NULL
#define FLT_(p, f, a, b, lo_open, hi_open) p, T_FLOAT, OFF(f), a, b, lo_open, hi_open, NULL
#define BOOL_(p, f)           p, T_BOOL, OFF(f), 0, 1, 0, 0, NULL
#define ENUM_(p, f, names)    p, T_ENUM, OFF(f), 0, 0, 0, 0, names
#define STR_(p, f)            p, T_STR, OFF(f), 0, 0, 0, 0, NULL
#define INT(...)  {INT_(__VA_ARGS__), 0}
#define LONG(...) {LONG_(__VA_ARGS__), 0}
#define U64(...)  {U64_(__VA_ARGS__), 0}
#define FLT(...)  {FLT_(__VA_ARGS__), 0}
#define BOOL(...) {BOOL_(__VA_ARGS__), 0}
#define ENUM(...) {ENUM_(__VA_ARGS__), 0}
#define STR(...)  {STR_(__VA_ARGS__), 0}
// A key `loopt train --resume` may change (--set or CONFIG): how long the run goes on, how
// often it logs, evaluates and saves, its thread count and its NaN policy. None of them changes
// the model, the data stream or the optimisation the checkpoint belongs to, so the resumed run
// still continues the saved one. Every other key is refused on resume (config_resume).
#define RESUMABLE(type, ...) {type##_(__VA_ARGS__), 1}

// The order here is the order of `loopt config` output. Ranges are documented in docs/config.md.
static const Key KEYS[] = {
    ENUM("task", task, TASK_NAMES),

    INT("model.d_model", model.d_model, 1, 16384),
    INT("model.n_heads", model.n_heads, 1, 1024),
    INT("model.n_layers", model.n_layers, 1, 64),
    INT("model.d_ff", model.d_ff, 0, 262144),
    ENUM("model.mixer", model.mixer, MIXER_NAMES),
    ENUM("model.norm", model.norm, NORM_NAMES),
    BOOL("model.norm_gain", model.norm_gain),
    ENUM("model.positions", model.positions, POS_NAMES),
    FLT("model.rope_base", model.rope_base, 1, 1e9, 1, 0),
    INT("model.memory_tokens", model.memory_tokens, 0, 256),
    BOOL("model.input_injection", model.input_injection),
    FLT("model.init_std", model.init_std, 0, 1, 1, 0),

    ENUM("recursion.scheme", recursion.scheme, SCHEME_NAMES),
    INT("recursion.loops", recursion.loops, 1, 4096),
    INT("recursion.window", recursion.window, 0, 4096),
    INT("recursion.n_sup", recursion.n_sup, 1, 1024),
    INT("recursion.trm.n", recursion.trm_n, 1, 64),
    INT("recursion.trm.T", recursion.trm_T, 1, 64),
    INT("recursion.hrm.k", recursion.hrm_k, 1, 64),
    BOOL("recursion.hrm.shared", recursion.hrm_shared),
    INT("recursion.hrm.N", recursion.hrm_N, 1, 64),

    ENUM("halting.kind", halting.kind, HALT_NAMES),
    FLT("halting.threshold", halting.threshold, 0, 1, 1, 0),
    FLT("halting.ponder_cost", halting.ponder_cost, 0, 10, 0, 0),
    FLT("halting.bias_init", halting.bias_init, -30, 30, 0, 0),
    FLT("halting.explore_prob", halting.explore_prob, 0, 1, 0, 0),
    INT("halting.patience", halting.patience, 1, 4096),
    FLT("halting.confidence", halting.confidence, 0, 1, 0, 0),
    FLT("halting.kl_eps", halting.kl_eps, 0, 10, 1, 0),
    BOOL("halting.skip", halting.skip),

    INT("train.batch", train.batch, 1, 65536),
    RESUMABLE(LONG, "train.steps", train.steps, 1, 1e12),
    FLT("train.lr", train.lr, 0, 10, 1, 0),
    ENUM("train.lr_schedule", train.lr_schedule, SCHED_NAMES),
    LONG("train.warmup", train.warmup, 0, 1e12),
    FLT("train.min_lr_frac", train.min_lr_frac, 0, 1, 0, 0),
    FLT("train.weight_decay", train.weight_decay, 0, 10, 0, 0),
    FLT("train.beta1", train.beta1, 0, 1, 0, 1),
    FLT("train.beta2", train.beta2, 0, 1, 0, 1),
    FLT("train.eps", train.eps, 0, 1, 1, 0),
    FLT("train.clip", train.clip, 0, 1e6, 0, 0),
    FLT("train.ema", train.ema, 0, 1, 0, 1),
    ENUM("train.loss", train.loss, LOSS_NAMES),
    BOOL("train.deep_supervision", train.deep_supervision),
    FLT("train.progressive", train.progressive, 0, 1, 0, 1),
    FLT("train.hints", train.hints, 0, 100, 0, 0),
    U64("train.seed", train.seed),
    RESUMABLE(INT, "train.threads", train.threads, 0, 4096),
    RESUMABLE(LONG, "train.eval_every", train.eval_every, 0, 1e12),
    RESUMABLE(LONG, "train.ckpt_every", train.ckpt_every, 0, 1e12),
    RESUMABLE(LONG, "train.log_every", train.log_every, 1, 1e12),
    RESUMABLE(ENUM, "train.on_nan", train.nan_policy_skip, NAN_NAMES),

    STR("data.train", data.train),
    STR("data.valid", data.valid),
    BOOL("data.augment", data.augment),
    LONG("data.gen_train", data.gen_train, 1, 1e9),
    LONG("data.gen_valid", data.gen_valid, 1, 1e9),
    INT("data.givens_min", data.givens_min, 17, 81),
    INT("data.givens_max", data.givens_max, 17, 81),
    INT("data.maze_size", data.maze_size, 5, 64),
    INT("data.maze_min_path", data.maze_min_path, 0, 4096),
    FLT("data.maze_min_path_frac", data.maze_min_path_frac, 0, 1, 0, 0),
    INT("data.maze_size_min", data.maze_size_min, 0, 64),
    BOOL("data.maze_cycles", data.maze_cycles),
    INT("data.maze_cycle_odds", data.maze_cycle_odds, 1, 1000000),
    U64("data.seed", data.seed),

    INT("recursion.huginn.prelude", recursion.hg_prelude, 0, 16),
    INT("recursion.huginn.coda", recursion.hg_coda, 0, 16),
    FLT("recursion.huginn.sigma", recursion.hg_sigma, 0, 2, 0, 0),
    INT("recursion.huginn.max_depth", recursion.hg_max_depth, 0, 4096),
    FLT("recursion.huginn.noise_std", recursion.hg_noise_std, 0, 10, 0, 0),
    // URM's ConvSwiGLU (printed at the end of the model section)
    ENUM("model.ffn", model.ffn, FFN_NAMES),
    INT("model.conv_kernel", model.conv_kernel, 1, 8),
    ENUM("model.conv_axis", model.conv_axis, CONV_AXIS_NAMES),
};
static const int N_KEYS = (int)(sizeof KEYS / sizeof KEYS[0]);

void config_defaults(Config *c) {
    memset(c, 0, sizeof *c);
    c->task = TASK_SUDOKU;

    ModelConfig *m = &c->model;
    m->d_model = 128; m->n_heads = 4; m->n_layers = 2; m->d_ff = 0;
    m->mixer = MIXER_ATTENTION; m->norm = NORM_POST; m->norm_gain = 0;
    m->positions = POS_COORDS; m->rope_base = 10000.0f; m->memory_tokens = 0;
    m->input_injection = 1; m->init_std = 0.02f;
    m->ffn = FFN_SWIGLU; m->conv_kernel = 2; m->conv_axis = CONV_SEQUENCE;

    RecursionConfig *r = &c->recursion;
    r->scheme = SCHEME_LOOP; r->loops = 8; r->window = 0;
    r->trm_n = 6; r->trm_T = 3; r->n_sup = 16; r->hrm_k = 2; r->hrm_shared = 0; r->hrm_N = 2;
    r->hg_prelude = 1; r->hg_coda = 1; r->hg_sigma = 0.5f; r->hg_max_depth = 0; r->hg_noise_std = 1.0f;

    HaltingConfig *h = &c->halting;
    h->kind = HALT_NONE; h->threshold = 0.99f; h->ponder_cost = 0.01f;
    h->bias_init = -3.0f; h->explore_prob = 0.1f; h->patience = 2; h->confidence = 0.0f; h->kl_eps = 1e-3f; h->skip = 1;

    TrainConfig *t = &c->train;
    t->batch = 64; t->steps = 20000; t->lr = 1e-3f; t->lr_schedule = SCHED_COSINE;
    t->warmup = 200; t->min_lr_frac = 0.1f; t->weight_decay = 0.1f;
    t->beta1 = 0.9f; t->beta2 = 0.95f; t->eps = 1e-8f; t->clip = 1.0f; t->ema = 0.999f;
    t->loss = LOSS_SOFTMAX; t->deep_supervision = 0; t->seed = 1; t->threads = 0;
    t->eval_every = 1000; t->ckpt_every = 1000; t->log_every = 50; t->nan_policy_skip = 0;

    DataConfig *d = &c->data;
    d->train[0] = '\0'; d->valid[0] = '\0'; d->augment = 1;
    d->gen_train = 100000; d->gen_valid = 1000;
    d->givens_min = 25; d->givens_max = 45;
    d->maze_size = 9; d->maze_min_path = 0; d->maze_min_path_frac = 1.0f; d->maze_size_min = 0; d->maze_cycles = 1;
    d->maze_cycle_odds = 25;   // the generator's own (MAZE_CYCLE_ODDS, task layer; a test ties the two)
    d->seed = 2;
}

int config_depth(const Config *c) { return scheme_get(c->recursion.scheme)->depth(&c->recursion); }


// ---------------------------------------------------------------------------------------
// Key table lookups

static const Key *find_key(const char *path) {
    for (int i = 0; i < N_KEYS; i++)
        if (strcmp(KEYS[i].path, path) == 0) return &KEYS[i];
    return NULL;
}

// A section is a path that some key lives under ("model", "recursion.trm"); "" is the root.
static int is_section(const char *path) {
    size_t n = strlen(path);
    if (n == 0) return 1;
    for (int i = 0; i < N_KEYS; i++)
        if (strncmp(KEYS[i].path, path, n) == 0 && KEYS[i].path[n] == '.') return 1;
    return 0;
}

// Levenshtein distance between a and the first nb chars of b (short names only).
static int edit_distance(const char *a, const char *b, size_t nb) {
    size_t na = strlen(a);
    if (na > 63 || nb > 63) return 99;
    int prev[64], cur[64];
    for (size_t j = 0; j <= nb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(int) * (nb + 1));
    }
    return prev[nb];
}

// The child names directly under `section` ("model" -> d_model, n_heads, ...), comma separated,
// and the one closest to `bad` (edit distance <= 2, for typos) in *best.
static void section_children(const char *section, const char *bad, char *list, size_t cap,
                             char *best, size_t best_cap) {
    size_t n = strlen(section), used = 0;
    int best_d = 3;
    list[0] = '\0';
    best[0] = '\0';
    for (int i = 0; i < N_KEYS; i++) {
        const char *p = KEYS[i].path;
        if (n > 0) {
            if (strncmp(p, section, n) != 0 || p[n] != '.') continue;
            p += n + 1;
        }
        size_t len = strcspn(p, ".");
        // Skip children already listed (several keys share a sub-section such as "trm").
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) {
            const char *q = KEYS[j].path;
            if (n > 0) {
                if (strncmp(q, section, n) != 0 || q[n] != '.') continue;
                q += n + 1;
            }
            seen = strcspn(q, ".") == len && strncmp(q, p, len) == 0;
        }
        if (seen) continue;
        int w = snprintf(list + used, cap - used, "%s%.*s", used ? ", " : "", (int)len, p);
        if (w < 0 || (size_t)w >= cap - used) break;
        used += (size_t)w;
        int d = edit_distance(bad, p, len);
        if (d < best_d) { best_d = d; snprintf(best, best_cap, "%.*s", (int)len, p); }
    }
}

__attribute__((noreturn))
static void die_unknown_key(const char *name, const char *path) {
    // Find the deepest known section above the bad key, to list what is valid there.
    char section[512], list[512], best[64];
    snprintf(section, sizeof section, "%s", path);
    const char *bad = path;
    for (;;) {
        char *dot = strrchr(section, '.');
        if (dot) *dot = '\0'; else section[0] = '\0';
        if (is_section(section)) break;
    }
    if (section[0]) bad = path + strlen(section) + 1;
    char first[64];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(bad, "."), bad);
    section_children(section, first, list, sizeof list, best, sizeof best);
    if (best[0])
        die(EXIT_USAGE, "%s: %s: unknown key (did you mean '%s%s%s'?)", name, path,
            section, section[0] ? "." : "", best);
    // The right name in the wrong section (model.loops for recursion.loops)?
    const char *last = strrchr(path, '.');
    last = last ? last + 1 : path;
    for (int i = 0; i < N_KEYS; i++) {
        const char *kl = strrchr(KEYS[i].path, '.');
        if (kl && strcmp(kl + 1, last) == 0)
            die(EXIT_USAGE, "%s: %s: unknown key (did you mean '%s'?)", name, path, KEYS[i].path);
    }
    die(EXIT_USAGE, "%s: %s: unknown key (valid keys%s%s: %s)", name, path,
        section[0] ? " in " : "", section, list);
}

// ---------------------------------------------------------------------------------------
// Range checks shared by parsing and config_validate

static const char *range_kind(KeyType t) { return t == T_FLOAT ? "a number" : "an integer"; }

static int in_range(const Key *k, double v) {
    if (!isfinite(v)) return 0;
    if (k->lo_open ? !(v > k->lo) : !(v >= k->lo)) return 0;
    if (k->hi_open ? !(v < k->hi) : !(v <= k->hi)) return 0;
    return 1;
}

__attribute__((noreturn))
static void die_range(const char *name, const Key *k, double v) {
    if (k->type == T_U64)
        die(EXIT_USAGE, "%s: %s: expected an integer in [0, 2^53-1], got %.*g", name, k->path,
            fabs(v) < 1e17 ? 17 : 6, v);
    die(EXIT_USAGE, "%s: %s: expected %s in %c%.10g, %.10g%c, got %.10g", name, k->path,
        range_kind(k->type), k->lo_open ? '(' : '[', k->lo, k->hi, k->hi_open ? ')' : ']', v);
}

static const char *json_type_name(const cJSON *v) {
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "an invalid value";
}

// "expected X, got Y": Y names the JSON type, and shows the value when it is short, so a
// --set typo ("train.lr=O.1") is visible in the message.
__attribute__((noreturn))
static void die_type(const char *name, const Key *k, const char *expected, const cJSON *v) {
    if (cJSON_IsString(v) && strlen(v->valuestring) <= 40)
        die(EXIT_USAGE, "%s: %s: expected %s, got a string (\"%s\")", name, k->path, expected,
            v->valuestring);
    if (cJSON_IsNumber(v))
        die(EXIT_USAGE, "%s: %s: expected %s, got a number (%.10g)", name, k->path, expected,
            v->valuedouble);
    die(EXIT_USAGE, "%s: %s: expected %s, got %s", name, k->path, expected, json_type_name(v));
}

static void enum_choices(const Key *k, char *buf, size_t cap) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; k->names[i]; i++) {
        int w = snprintf(buf + used, cap - used, "%s\"%s\"", i ? ", " : "", k->names[i]);
        if (w < 0 || (size_t)w >= cap - used) break;
        used += (size_t)w;
    }
}

// ---------------------------------------------------------------------------------------
// Setting one key from a JSON value

// raw: for --set, the text after '=' — a string key takes it verbatim when it is not a
// quoted JSON string, so `--set data.train=123.txt` or `=42` names a file, not a number.
static void set_leaf(Config *c, const Key *k, const cJSON *v, const char *name, const char *raw) {
    char *field = (char *)c + k->off;
    switch (k->type) {
    case T_INT: case T_LONG: case T_U64: {
        if (!cJSON_IsNumber(v)) die_type(name, k, "an integer", v);
        double d = v->valuedouble;
        if (!isfinite(d) || d != floor(d))
            die(EXIT_USAGE, "%s: %s: expected an integer, got %.10g", name, k->path, d);
        if (!in_range(k, d)) die_range(name, k, d);
        if (k->type == T_INT) *(int *)field = (int)d;
        else if (k->type == T_LONG) *(long *)field = (long)d;
        else *(uint64_t *)field = (uint64_t)d;
        break;
    }
    case T_FLOAT: {
        if (!cJSON_IsNumber(v)) die_type(name, k, "a number", v);
        // Check the value as it will be stored: 1e-60 for a "> 0" key becomes 0 as a float.
        float f = (float)v->valuedouble;
        if (!in_range(k, (double)f)) die_range(name, k, v->valuedouble);
        *(float *)field = f;
        break;
    }
    case T_BOOL:
        if (!cJSON_IsBool(v)) die_type(name, k, "true or false", v);
        *(int *)field = cJSON_IsTrue(v) ? 1 : 0;
        break;
    case T_ENUM: {
        char choices[256];
        enum_choices(k, choices, sizeof choices);
        if (!cJSON_IsString(v)) {
            char exp[300];
            snprintf(exp, sizeof exp, "one of %s", choices);
            die_type(name, k, exp, v);
        }
        for (int i = 0; k->names[i]; i++)
            if (strcmp(v->valuestring, k->names[i]) == 0) { *(int *)field = i; return; }
        die(EXIT_USAGE, "%s: %s: expected one of %s, got \"%.60s\"", name, k->path, choices,
            v->valuestring);
    }
    case T_STR: {
        const char *s = cJSON_IsString(v) ? v->valuestring : raw;
        if (!s) die_type(name, k, "a string", v);
        if (strlen(s) >= CFG_STR)
            die(EXIT_USAGE, "%s: %s: string longer than %d characters", name, k->path, CFG_STR - 1);
        memcpy(field, s, strlen(s) + 1);
        break;
    }
    }
}

// Apply the members of JSON object `obj` found at `prefix` ("" for the top level).
static void apply_object(Config *c, const cJSON *obj, const char *prefix, const char *name) {
    for (const cJSON *it = obj->child; it; it = it->next) {
        char path[512];
        const char *key = it->string ? it->string : "";
        snprintf(path, sizeof path, "%s%s%.400s", prefix, prefix[0] ? "." : "", key);
        // JSON allows duplicate keys; cJSON keeps both. A config with two values for one key
        // is a mistake (an edit that forgot the old line), so say so rather than pick one.
        for (const cJSON *prev = obj->child; prev != it; prev = prev->next)
            if (prev->string && strcmp(prev->string, key) == 0)
                die(EXIT_USAGE, "%s: %s: duplicate key", name, path);
        if (key[0] && is_section(path)) {
            if (!cJSON_IsObject(it))
                die(EXIT_USAGE, "%s: %s: expected an object, got %s", name, path, json_type_name(it));
            apply_object(c, it, path, name);
            continue;
        }
        const Key *k = find_key(path);
        if (!k) die_unknown_key(name, path);
        set_leaf(c, k, it, name, NULL);
    }
}

// Line and column (1-based) of byte offset `pos` in `text`.
static void line_col(const char *text, size_t pos, int *line, int *col) {
    *line = 1; *col = 1;
    for (size_t i = 0; i < pos && text[i]; i++) {
        if (text[i] == '\n') { (*line)++; *col = 1; }
        else (*col)++;
    }
}

// Where the text first nests objects/arrays deeper than `limit` (brackets inside strings do
// not count), or (size_t)-1 if it never does. cJSON refuses to nest deeper than
// CJSON_NESTING_LIMIT and reports that as a plain parse error; this tells the two apart.
static size_t too_deep_at(const char *text, int limit) {
    int depth = 0, in_str = 0;
    for (size_t i = 0; text[i]; i++) {
        char ch = text[i];
        if (in_str) {
            if (ch == '\\' && text[i + 1]) i++;
            else if (ch == '"') in_str = 0;
        } else if (ch == '"') in_str = 1;
        else if (ch == '{' || ch == '[') { if (++depth > limit) return i; }
        else if (ch == '}' || ch == ']') depth--;
    }
    return (size_t)-1;
}

// Parse the text and apply it over *c without cross-key validation (config_load validates
// once, after the --set overrides, so an override can fix what the file left inconsistent).
static void parse_over(Config *c, const char *json, const char *name) {
    const char *p = json;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p == '\0') die(EXIT_USAGE, "%s: empty config, expected a JSON object like {\"model\": {...}}", name);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(json, &end, 1);
    if (!root) {
        size_t pos = end ? (size_t)(end - json) : 0;
        size_t len = strlen(json);
        if (pos > len) pos = len;
        int line, col;
        size_t deep = too_deep_at(json, CJSON_NESTING_LIMIT);
        if (deep != (size_t)-1 && deep <= pos) {
            line_col(json, deep, &line, &col);
            die(EXIT_USAGE, "%s:%d:%d: JSON nested too deeply: more than %d levels of objects or arrays "
                "(the JSON reader's limit; a config needs 3)", name, line, col, CJSON_NESTING_LIMIT);
        }
        line_col(json, pos, &line, &col);
        if (pos >= len)
            die(EXIT_USAGE, "%s:%d:%d: malformed JSON: unexpected end of input", name, line, col);
        // Show a short excerpt from the error position, on one line.
        char near[32];
        size_t n = 0;
        for (const char *q = json + pos; *q && *q != '\n' && *q != '\r' && n < 20; q++)
            near[n++] = (*q >= 32 && *q < 127) ? *q : '?';
        near[n] = '\0';
        die(EXIT_USAGE, "%s:%d:%d: malformed JSON near '%s'", name, line, col, near);
    }
    if (!cJSON_IsObject(root)) {
        const char *t = json_type_name(root);
        cJSON_Delete(root);
        die(EXIT_USAGE, "%s: expected a JSON object at the top level, got %s", name, t);
    }
    apply_object(c, root, "", name);
    cJSON_Delete(root);
}

void config_from_json(Config *c, const char *json, const char *name) {
    if (!name) name = "config";
    if (!json) die(EXIT_USAGE, "%s: no config text", name);
    parse_over(c, json, name);
    config_validate(c, name);
}

void config_set(Config *c, const char *assignment, const char *name) {
    if (!name) name = "--set";
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        die(EXIT_USAGE, "%s: expected key.path=value (e.g. model.d_model=256), got '%.100s'", name,
            assignment);
    char path[512];
    size_t klen = (size_t)(eq - assignment);
    if (klen >= sizeof path) die(EXIT_USAGE, "%s: key path too long", name);
    memcpy(path, assignment, klen);
    path[klen] = '\0';
    const char *raw = eq + 1;

    // JSON if it parses as JSON (3, true, "x", {...}); otherwise the bare text as a string,
    // so `--set recursion.scheme=trm` needs no shell-quoted JSON quotes.
    cJSON *v = cJSON_ParseWithOpts(raw, NULL, 1);
    if (!v) v = cJSON_CreateString(raw);
    CHECK(v, "out of memory parsing --set value");

    if (is_section(path)) {
        if (!cJSON_IsObject(v)) {
            const char *t = json_type_name(v);
            cJSON_Delete(v);
            die(EXIT_USAGE, "%s: %s: expected an object, got %s", name, path, t);
        }
        apply_object(c, v, path, name);
    } else {
        const Key *k = find_key(path);
        if (!k) { cJSON_Delete(v); die_unknown_key(name, path); }
        set_leaf(c, k, v, name, raw);
    }
    cJSON_Delete(v);
}

void config_load(Config *c, const char *path, const char **sets, int n_sets) {
    config_defaults(c);
    if (path) {
        size_t len = 0;
        char *text = read_file(path, CONFIG_MAX_BYTES, &len);
        if (strlen(text) != len) {
            free(text);
            die(EXIT_USAGE, "%s: contains a NUL byte; expected a JSON text", path);
        }
        parse_over(c, text, path_label(path));
        free(text);
    }
    for (int i = 0; i < n_sets; i++) config_set(c, sets[i], "--set");
    // A cross-key error may come from the file, from an override, or both: name both sources.
    char name[CFG_STR + 32];
    const char *file = path ? path_label(path) : path;
    if (file && n_sets) snprintf(name, sizeof name, "%.*s (with --set)", CFG_STR, file);
    else snprintf(name, sizeof name, "%.*s", CFG_STR, file ? file : n_sets ? "--set" : "defaults");
    config_validate(c, name);
}

// ---------------------------------------------------------------------------------------
// Validation

void config_validate(const Config *c, const char *name) {
    if (!name) name = "config";
    // Every key's own range (the struct may have been filled by code, not by parsing).
    for (int i = 0; i < N_KEYS; i++) {
        const Key *k = &KEYS[i];
        const char *field = (const char *)c + k->off;
        switch (k->type) {
        case T_INT:   { double v = *(const int *)field; if (!in_range(k, v)) die_range(name, k, v); break; }
        case T_LONG:  { double v = (double)*(const long *)field; if (!in_range(k, v)) die_range(name, k, v); break; }
        case T_U64:
            if (*(const uint64_t *)field > (uint64_t)SEED_MAX)
                die(EXIT_USAGE, "%s: %s: expected an integer in [0, 2^53-1], got %llu", name, k->path,
                    (unsigned long long)*(const uint64_t *)field);
            break;
        case T_FLOAT: { double v = *(const float *)field; if (!in_range(k, v)) die_range(name, k, v); break; }
        case T_BOOL: {
            int v = *(const int *)field;
            if (v != 0 && v != 1) die(EXIT_USAGE, "%s: %s: expected true or false, got %d", name, k->path, v);
            break;
        }
        case T_ENUM: {
            int v = *(const int *)field, n = 0;
            while (k->names[n]) n++;
            if (v < 0 || v >= n) die(EXIT_USAGE, "%s: %s: invalid value %d", name, k->path, v);
            break;
        }
        case T_STR:
            if (!memchr(field, '\0', CFG_STR))
                die(EXIT_USAGE, "%s: %s: string not terminated", name, k->path);
            break;
        }
    }

    // Cross-key constraints.
    const ModelConfig *m = &c->model;
    if (m->d_model % m->n_heads != 0)
        die(EXIT_USAGE, "%s: model.d_model: expected a positive multiple of n_heads, got %d (n_heads is %d)",
            name, m->d_model, m->n_heads);
    if (m->positions == POS_ROPE && (m->d_model / m->n_heads) % 2 != 0)
        die(EXIT_USAGE, "%s: model.d_model: positions \"rope\" needs an even head size d_model/n_heads, "
            "got %d/%d = %d", name, m->d_model, m->n_heads, m->d_model / m->n_heads);
    if (m->mixer == MIXER_LOCAL && m->memory_tokens > 0)
        die(EXIT_USAGE, "%s: model.memory_tokens: mixer \"local\" attends over grid neighbours and memory "
            "tokens have no place on the grid; expected 0, got %d", name, m->memory_tokens);
    const RecursionConfig *r = &c->recursion;
    if (r->window > r->loops)
        die(EXIT_USAGE, "%s: recursion.window: expected an integer in [0, loops], got %d (loops is %d)",
            name, r->window, r->loops);
    const HaltingConfig *h = &c->halting;
    const Scheme *scheme = scheme_get(r->scheme);
    int hs = scheme->halts;
    if (!(HALT_SCHEMES[h->kind] & hs)) {
        char takes[128] = "";
        for (int k = 0; k < NUM_HALT_KINDS; k++)
            if (HALT_SCHEMES[k] & hs)
                snprintf(takes + strlen(takes), sizeof takes - strlen(takes), "%s\"%s\"", *takes ? ", " : "",
                         HALT_NAMES[k]);
        die(EXIT_USAGE, "%s: halting.kind: \"%s\" does not work with scheme \"%s\", which takes %s",
            name, HALT_NAMES[h->kind], SCHEME_NAMES[r->scheme], takes);
    }
    if (c->train.deep_supervision && !HALT_FIXED[h->kind])
        die(EXIT_USAGE, "%s: train.deep_supervision: needs a halting.kind that trains at a fixed depth, "
            "not \"%s\" (ACT already weighs every loop; bce and q supervise each step)", name, HALT_NAMES[h->kind]);
    if (c->train.hints > 0.0f && c->task != TASK_MAZE)   // the tasks with a Task.hint (task.h)
        die(EXIT_USAGE, "%s: train.hints: task \"%s\" has no hint targets (maze has: the breadth-first "
            "distance from S); set it to 0", name, TASK_NAMES[c->task]);
    scheme->validate(c, name);
    const DataConfig *d = &c->data;
    if (d->givens_min > d->givens_max)
        die(EXIT_USAGE, "%s: data.givens_min: expected givens_min <= givens_max, got %d > %d",
            name, d->givens_min, d->givens_max);
    if (d->maze_min_path > d->maze_size * d->maze_size)
        die(EXIT_USAGE, "%s: data.maze_min_path: expected at most maze_size^2 = %d, got %d",
            name, d->maze_size * d->maze_size, d->maze_min_path);
    if (d->maze_min_path_frac < 1.0f && d->maze_min_path == 0)
        die(EXIT_USAGE, "%s: data.maze_min_path_frac: holds a share of the mazes to data.maze_min_path, which is "
            "0 (no floor); set maze_min_path or leave the share at 1", name);
    if (d->maze_size_min && (d->maze_size_min < 5 || d->maze_size_min > d->maze_size))
        die(EXIT_USAGE, "%s: data.maze_size_min: expected 0 (off) or a side in [5, maze_size = %d], got %d",
            name, d->maze_size, d->maze_size_min);
    int side = d->maze_size_min, most = (side - 2) * (side - 2) / 2 + 2;   // maze_generate's bound
    if (side && d->maze_min_path > most)
        die(EXIT_USAGE, "%s: data.maze_min_path: no %dx%d maze (data.maze_size_min) has a shortest path of %d "
            "steps (at most %d); lower it or raise data.maze_size_min", name, side, side, d->maze_min_path, most);
}

// ---------------------------------------------------------------------------------------
// Resuming a run: the RESUMABLE keys may change, nothing else

static size_t key_size(const Key *k) {
    switch (k->type) {
    case T_LONG: return sizeof(long);
    case T_U64: return sizeof(uint64_t);
    case T_FLOAT: return sizeof(float);
    case T_STR: return CFG_STR;
    default: return sizeof(int);   // T_INT, T_BOOL, T_ENUM
    }
}

static int key_equal(const Key *k, const Config *a, const Config *b) {
    const char *x = (const char *)a + k->off, *y = (const char *)b + k->off;
    if (k->type == T_STR) return strncmp(x, y, CFG_STR) == 0;
    if (k->type == T_FLOAT) return *(const float *)x == *(const float *)y;
    return memcmp(x, y, key_size(k)) == 0;
}

static void format_float(float f, char *buf, size_t cap);

// A key's value as the config prints it (for messages).
static void key_value(const Key *k, const Config *c, char *buf, size_t cap) {
    const char *field = (const char *)c + k->off;
    switch (k->type) {
    case T_INT: snprintf(buf, cap, "%d", *(const int *)field); break;
    case T_LONG: snprintf(buf, cap, "%ld", *(const long *)field); break;
    case T_U64: snprintf(buf, cap, "%llu", (unsigned long long)*(const uint64_t *)field); break;
    case T_FLOAT: format_float(*(const float *)field, buf, cap); break;
    case T_BOOL: snprintf(buf, cap, "%s", *(const int *)field ? "true" : "false"); break;
    case T_ENUM: {
        int v = *(const int *)field, n = 0;
        while (k->names[n]) n++;
        if (v >= 0 && v < n) snprintf(buf, cap, "\"%s\"", k->names[v]);
        else snprintf(buf, cap, "%d", v);
        break;
    }
    case T_STR: snprintf(buf, cap, "\"%.*s\"", CFG_STR, field); break;
    }
}

// Why a resumed run must keep a key, by the section it lives in.
static const char *resume_why(const char *path) {
    static const struct { const char *prefix, *why; } WHY[] = {
        {"task", "the weights were trained for the checkpoint's task"},
        {"model.", "it changes the model's shape or architecture, which the saved weights and optimizer state belong to"},
        {"recursion.", "it changes the recursion the weights were trained with"},
        {"halting.", "it changes the halting rule the model was trained with"},
        {"train.", "it changes the optimisation the saved optimizer state and learning-rate schedule belong to"},
        {"data.", "it changes the data the run draws from, so it would no longer continue the saved run"},
    };
    for (size_t i = 0; i < sizeof WHY / sizeof WHY[0]; i++)
        if (strncmp(path, WHY[i].prefix, strlen(WHY[i].prefix)) == 0) return WHY[i].why;
    return "a resumed run keeps the checkpoint's config";
}

const char *config_resume_keys(void) {
    static char list[512];
    if (!list[0]) {
        size_t used = 0;
        for (int i = 0; i < N_KEYS; i++) {
            if (!KEYS[i].resume) continue;
            int w = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", KEYS[i].path);
            if (w < 0 || (size_t)w >= sizeof list - used) break;
            used += (size_t)w;
        }
    }
    return list;
}

void config_resume(Config *ck, const Config *want, const char *name) {
    if (!name) name = "--set";
    for (int i = 0; i < N_KEYS; i++) {
        const Key *k = &KEYS[i];
        if (key_equal(k, ck, want)) continue;
        if (k->resume) { memcpy((char *)ck + k->off, (const char *)want + k->off, key_size(k)); continue; }
        char have[CFG_STR + 8], asked[CFG_STR + 8];
        key_value(k, ck, have, sizeof have);
        key_value(k, want, asked, sizeof asked);
        die(EXIT_USAGE, "%s: %s: --resume cannot change it (the checkpoint has %s, asked for %s): %s. "
            "A resumed run continues the saved one and may change only %s; to train a changed config "
            "starting from these weights, use `loopt train CONFIG --init-from CKPT`",
            name, k->path, have, asked, resume_why(k->path), config_resume_keys());
    }
    config_validate(ck, name);
}

// ---------------------------------------------------------------------------------------
// Printing

// The shortest decimal that reads back as the same float: "0.001", not the double
// expansion 0.0010000000474974513 that printing (double)f would give.
static void format_float(float f, char *buf, size_t cap) {
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(buf, cap, "%.*g", prec, (double)f);
        if ((float)strtod(buf, NULL) == f) break;
    }
    // "1e-08" -> "1e-8": valid JSON either way, but easier to read.
    char *e = strchr(buf, 'e');
    if (e) {
        char *digits = e + 1;
        if (*digits == '-' || *digits == '+') digits++;
        char *nz = digits;
        while (*nz == '0' && nz[1]) nz++;
        memmove(digits, nz, strlen(nz) + 1);
        if (e[1] == '+') memmove(e + 1, e + 2, strlen(e + 2) + 1);
    }
}

// The object for `section` under root, created on first use (keys arrive in table order).
static cJSON *section_object(cJSON *root, const char *path, const char **leaf) {
    cJSON *obj = root;
    char part[64];
    const char *p = path;
    for (;;) {
        size_t n = strcspn(p, ".");
        if (p[n] == '\0') { *leaf = p; return obj; }
        snprintf(part, sizeof part, "%.*s", (int)n, p);
        cJSON *sub = cJSON_GetObjectItemCaseSensitive(obj, part);
        if (!sub) { sub = cJSON_AddObjectToObject(obj, part); CHECK(sub, "out of memory printing config"); }
        obj = sub;
        p += n + 1;
    }
}

char *config_to_json(const Config *c) {
    cJSON *root = cJSON_CreateObject();
    CHECK(root, "out of memory printing config");
    for (int i = 0; i < N_KEYS; i++) {
        const Key *k = &KEYS[i];
        const char *field = (const char *)c + k->off;
        const char *leaf;
        cJSON *obj = section_object(root, k->path, &leaf);
        cJSON *item = NULL;
        char buf[64];
        switch (k->type) {
        case T_INT:  item = cJSON_AddNumberToObject(obj, leaf, *(const int *)field); break;
        case T_LONG:
            snprintf(buf, sizeof buf, "%ld", *(const long *)field);
            item = cJSON_AddRawToObject(obj, leaf, buf);
            break;
        case T_U64:
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)*(const uint64_t *)field);
            item = cJSON_AddRawToObject(obj, leaf, buf);
            break;
        case T_FLOAT: {
            float f = *(const float *)field;
            // JSON has no inf/nan; a struct holding one is invalid anyway, print null.
            if (!isfinite(f)) item = cJSON_AddNullToObject(obj, leaf);
            else { format_float(f, buf, sizeof buf); item = cJSON_AddRawToObject(obj, leaf, buf); }
            break;
        }
        case T_BOOL: item = cJSON_AddBoolToObject(obj, leaf, *(const int *)field != 0); break;
        case T_ENUM: {
            int v = *(const int *)field, n = 0;
            while (k->names[n]) n++;
            item = (v >= 0 && v < n) ? cJSON_AddStringToObject(obj, leaf, k->names[v])
                                     : cJSON_AddNullToObject(obj, leaf);
            break;
        }
        case T_STR: {
            char s[CFG_STR];
            memcpy(s, field, CFG_STR);
            s[CFG_STR - 1] = '\0';
            item = cJSON_AddStringToObject(obj, leaf, s);
            break;
        }
        }
        CHECK(item, "out of memory printing config");
    }
    char *out = cJSON_Print(root);
    cJSON_Delete(root);
    CHECK(out, "out of memory printing config");
    // cJSON indents with tabs and writes "key":<tab>value; rewrite to the two-space style of
    // the files in configs/. Raw tabs only occur as layout: cJSON escapes them inside strings.
    size_t tabs = 0;
    for (const char *p = out; *p; p++) tabs += *p == '\t';
    char *pretty = xmalloc(strlen(out) + tabs + 1), *w = pretty;
    for (const char *p = out; *p; p++) {
        if (*p != '\t') *w++ = *p;
        else if (p > out && p[-1] == ':') *w++ = ' ';
        else { *w++ = ' '; *w++ = ' '; }
    }
    *w = '\0';
    free(out);
    return pretty;
}
