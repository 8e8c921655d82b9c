// test_config.c — unit tests of the JSON config (src/io/config.c): defaults, parsing,
// --set overrides, the round trip through config_to_json, and every error kind.
// Errors exit the process (die), so those tests run the config call in a forked child with
// stderr sent to a temp file, then check the exit status (2) and the message.
#include "test.h"

#include "loopt/config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// What a child should do: parse `json` (if any) as "t.json", then apply `set` (if any), then
// validate. Or, with `file`, config_load the file.
typedef struct { const char *json, *set, *file; } Action;

static void run_action(void *p) {
    const Action *a = p;
    Config c;
    config_defaults(&c);
    if (a->file) {
        const char *sets[1] = {a->set};
        config_load(&c, a->file, sets, a->set ? 1 : 0);
    } else {
        if (a->json) config_from_json(&c, a->json, "t.json");
        if (a->set) config_set(&c, a->set, "--set");
        config_validate(&c, "t.json");
    }
}

// Runs the action in a child; returns its exit status (-1 if it did not exit normally) and
// copies the child's stderr into err.
static int run_child(Action a, char *err, size_t cap) { return test_in_child(run_action, &a, err, cap); }

// Expect the action to exit 2 with a message containing `want`.
#define EXPECT_DIES(action, want) do {                                                        \
    char err_[1024];                                                                          \
    int rc_ = run_child(action, err_, sizeof err_);                                           \
    EXPECTF(rc_ == 2, "exit %d, expected 2 (stderr: %s)", rc_, err_);                         \
    EXPECTF(strstr(err_, want) != NULL, "stderr lacks \"%s\": %s", want, err_);               \
    EXPECTF(strncmp(err_, "loopt: ", 7) == 0, "stderr does not start with 'loopt: ': %s", err_); \
} while (0)

#define JSON(text) ((Action){.json = (text)})
#define SET(text) ((Action){.set = (text)})

TEST(config_defaults_valid) {
    Config c;
    config_defaults(&c);
    char err[1024];
    EXPECT(run_child((Action){0}, err, sizeof err) == 0);
    EXPECT(c.task == TASK_SUDOKU);
    EXPECT(c.model.d_model == 128 && c.model.n_heads == 4 && c.model.n_layers == 2);
    EXPECT(c.model.positions == POS_COORDS && c.model.norm == NORM_POST && !c.model.norm_gain);
    EXPECT(c.model.input_injection == 1);
    EXPECT(c.recursion.loops == 8 && c.recursion.trm_n == 6 && c.recursion.trm_T == 3);
    EXPECT(c.recursion.n_sup == 16 && c.recursion.hrm_k == 2);
    EXPECT(c.halting.kind == HALT_NONE);
    EXPECT_NEAR(c.halting.bias_init, -3.0, 0);
    EXPECT_NEAR(c.train.lr, 1e-3, 1e-9);
    EXPECT_NEAR(c.train.beta2, 0.95, 1e-7);
    EXPECT(c.train.steps == 20000 && c.train.warmup == 200 && c.train.seed == 1);
    EXPECT(c.train.nan_policy_skip == 0);
    EXPECT(c.data.augment == 1 && c.data.givens_min == 25 && c.data.givens_max == 45);
    EXPECT(c.data.maze_size == 9 && c.data.seed == 2 && c.data.train[0] == '\0');
}

TEST(config_parse_nested) {
    Config c;
    config_defaults(&c);
    config_from_json(&c,
        "{\"task\": \"maze\", \"model\": {\"d_model\": 64, \"positions\": \"rope\", \"norm_gain\": true},"
        " \"recursion\": {\"scheme\": \"trm\", \"trm\": {\"n\": 2, \"T\": 4}, \"hrm\": {\"shared\": true}},"
        " \"halting\": {\"kind\": \"bce\", \"threshold\": 0.5},"
        " \"train\": {\"on_nan\": \"skip\", \"lr_schedule\": \"constant\", \"steps\": 5, \"seed\": 123456789012},"
        " \"data\": {\"train\": \"x.txt\", \"augment\": false}}", "t.json");
    EXPECT(c.task == TASK_MAZE);
    EXPECT(c.model.d_model == 64 && c.model.positions == POS_ROPE && c.model.norm_gain == 1);
    EXPECT(c.model.n_heads == 4);   // untouched keys keep their defaults
    EXPECT(c.recursion.scheme == SCHEME_TRM && c.recursion.trm_n == 2 && c.recursion.trm_T == 4);
    EXPECT(c.recursion.hrm_shared == 1);
    EXPECT(c.halting.kind == HALT_BCE);
    EXPECT_NEAR(c.halting.threshold, 0.5, 0);
    EXPECT(c.train.nan_policy_skip == 1 && c.train.lr_schedule == SCHED_CONSTANT);
    EXPECT(c.train.steps == 5 && c.train.seed == 123456789012ull);
    EXPECT(strcmp(c.data.train, "x.txt") == 0 && c.data.augment == 0);
}

TEST(config_set_overrides) {
    Config c;
    config_defaults(&c);
    config_set(&c, "model.d_model=256", "--set");
    config_set(&c, "recursion.scheme=hrm", "--set");        // bare string
    config_set(&c, "recursion.hrm.k=5", "--set");           // two levels deep
    config_set(&c, "halting.kind=\"bce\"", "--set");        // quoted JSON string
    config_set(&c, "data.augment=false", "--set");
    config_set(&c, "train.lr=3e-4", "--set");
    config_set(&c, "recursion.trm={\"n\": 3}", "--set");    // an object for a section
    config_set(&c, "data.train=123", "--set");              // a string key takes the raw text
    config_set(&c, "data.valid=", "--set");
    config_validate(&c, "--set");
    EXPECT(c.model.d_model == 256);
    EXPECT(c.recursion.scheme == SCHEME_HRM && c.recursion.hrm_k == 5);
    EXPECT(c.halting.kind == HALT_BCE && c.data.augment == 0);
    EXPECT_NEAR(c.train.lr, 3e-4, 1e-10);
    EXPECT(c.recursion.trm_n == 3 && c.recursion.trm_T == 3);
    EXPECT(strcmp(c.data.train, "123") == 0 && c.data.valid[0] == '\0');
}

// Printing and re-parsing gives the same struct, for the defaults and for an edited config.
static int configs_equal(const Config *a, const Config *b) {
    char *ja = config_to_json(a), *jb = config_to_json(b);
    int same = strcmp(ja, jb) == 0;
    free(ja); free(jb);
    return same;
}

TEST(config_round_trip) {
    Config a, b;
    config_defaults(&a);
    a.task = TASK_MAZE;
    a.model.d_model = 96; a.model.n_heads = 3; a.model.mixer = MIXER_MLP;
    a.model.init_std = 0.0123f; a.model.rope_base = 12345.5f;
    a.recursion.window = 4; a.recursion.hrm_shared = 1;
    a.recursion.scheme = SCHEME_TRM;
    a.halting.kind = HALT_BCE; a.halting.threshold = 0.333333f; a.halting.bias_init = -5.25f;
    a.train.lr = 7.7e-5f; a.train.eps = 1e-8f; a.train.ema = 0; a.train.seed = 9007199254740991ull;
    a.train.steps = 123456789012L; a.train.nan_policy_skip = 1; a.train.loss = LOSS_STABLEMAX;
    strcpy(a.data.train, "path with \"quotes\"\tand tab.txt");
    a.data.seed = 0;
    config_validate(&a, "test");
    char *json = config_to_json(&a);
    config_defaults(&b);
    config_from_json(&b, json, "printed");
    EXPECT(memcmp(&a.model, &b.model, sizeof a.model) == 0);
    EXPECT(memcmp(&a.recursion, &b.recursion, sizeof a.recursion) == 0);
    EXPECT(memcmp(&a.halting, &b.halting, sizeof a.halting) == 0);
    EXPECT(a.train.lr == b.train.lr && a.train.eps == b.train.eps && a.train.seed == b.train.seed);
    EXPECT(a.train.steps == b.train.steps && a.train.loss == b.train.loss);
    EXPECT(strcmp(a.data.train, b.data.train) == 0 && a.task == b.task);
    EXPECT(configs_equal(&a, &b));
    // Numbers print short: the float 1e-3 is "0.001", not its double expansion.
    Config d;
    config_defaults(&d);
    char *dj = config_to_json(&d);
    EXPECT(strstr(dj, "\"lr\": 0.001,") != NULL);
    EXPECT(strstr(dj, "\"eps\": 1e-8,") != NULL);
    EXPECT(strstr(dj, "\"on_nan\": \"stop\"") != NULL);
    free(dj);
    free(json);
}

TEST(config_every_key_printed_and_accepted) {
    // Each leaf in the printed defaults can be set by its dotted path via --set.
    Config c;
    config_defaults(&c);
    const char *keys[] = {
        "task=sudoku", "model.d_model=128", "model.n_heads=4", "model.n_layers=2", "model.d_ff=0",
        "model.mixer=attention", "model.norm=pre", "model.norm_gain=true", "model.positions=none",
        "model.rope_base=500", "model.memory_tokens=4", "model.input_injection=false",
        "model.init_std=0.1", "recursion.scheme=loop", "recursion.loops=4", "recursion.window=2",
        "recursion.n_sup=3", "recursion.trm.n=1", "recursion.trm.T=2", "recursion.hrm.k=3",
        "recursion.hrm.shared=true", "recursion.hrm.N=3", "halting.kind=converge", "halting.threshold=1",
        "halting.ponder_cost=0", "halting.bias_init=-5", "halting.explore_prob=0", "halting.patience=3",
        "train.batch=1", "train.steps=1", "train.lr=0.5", "train.lr_schedule=constant",
        "train.warmup=0", "train.min_lr_frac=0", "train.weight_decay=0", "train.beta1=0",
        "train.beta2=0.999", "train.eps=1e-6", "train.clip=0", "train.ema=0",
        "train.loss=stablemax", "train.deep_supervision=true", "train.seed=0", "train.threads=2",
        "train.eval_every=0", "train.ckpt_every=0", "train.log_every=1", "train.on_nan=skip",
        "data.train=a.txt", "data.valid=b.txt", "data.augment=false", "data.gen_train=10",
        "data.gen_valid=5", "data.givens_min=17", "data.givens_max=17", "data.maze_size=5",
        "data.maze_min_path=25", "data.seed=7",
    };
    int n = (int)(sizeof keys / sizeof keys[0]);
    for (int i = 0; i < n; i++) config_set(&c, keys[i], "--set");
    config_validate(&c, "--set");
    char *json = config_to_json(&c);
    // Every key's leaf name appears in the output.
    for (int i = 0; i < n; i++) {
        char name[80], key[64];
        snprintf(key, sizeof key, "%.*s", (int)strcspn(keys[i], "="), keys[i]);
        const char *dot = strrchr(key, '.');
        snprintf(name, sizeof name, "\"%s\":", dot ? dot + 1 : key);
        EXPECTF(strstr(json, name) != NULL, "output lacks %s", name);
    }
    Config b;
    config_defaults(&b);
    config_from_json(&b, json, "printed");
    EXPECT(configs_equal(&c, &b));
    EXPECT(b.data.maze_min_path == 25 && b.train.nan_policy_skip == 1 && b.halting.kind == HALT_CONVERGE);
    free(json);
}

// Keys that are fine alone but not together: the message names the key and the reason.
TEST(config_err_scheme_combinations) {
    EXPECT_DIES(JSON("{\"halting\": {\"kind\": \"bce\"}}"),
                "halting.kind: \"bce\" does not work with scheme \"loop\", which takes \"none\", \"act\", \"converge\"");
    EXPECT_DIES(JSON("{\"halting\": {\"kind\": \"q\"}}"), "halting.kind: \"q\" does not work with scheme \"loop\"");
    EXPECT_DIES(JSON("{\"recursion\": {\"scheme\": \"trm\"}, \"halting\": {\"kind\": \"converge\"}}"),
                "halting.kind: \"converge\" does not work with scheme \"trm\", which takes \"none\", \"bce\", \"q\"");
    EXPECT_DIES(JSON("{\"halting\": {\"kind\": \"act\"}, \"train\": {\"deep_supervision\": true}}"),
                "train.deep_supervision: needs a halting.kind that trains at a fixed depth, not \"act\"");
    EXPECT_DIES(JSON("{\"recursion\": {\"scheme\": \"trm\"}, \"halting\": {\"kind\": \"act\"}}"),
                "halting.kind: \"act\" does not work with scheme \"trm\"");
    EXPECT_DIES(JSON("{\"recursion\": {\"scheme\": \"hrm\"}, \"model\": {\"norm\": \"pre\"}}"),
                "model.norm: scheme \"hrm\" needs \"post\"");
    EXPECT_DIES(JSON("{\"model\": {\"mixer\": \"local\", \"memory_tokens\": 2}}"),
                "model.memory_tokens: mixer \"local\"");
}

TEST(config_err_unknown_key) {
    EXPECT_DIES(JSON("{\"model\": {\"foo\": 1}}"), "t.json: model.foo: unknown key");
    EXPECT_DIES(JSON("{\"model\": {\"colour\": 1}}"), "d_model, n_heads");   // lists valid keys
    EXPECT_DIES(JSON("{\"modle\": {}}"), "modle: unknown key (did you mean 'model'?)");
    EXPECT_DIES(JSON("{\"recursion\": {\"trm\": {\"m\": 1}}}"), "recursion.trm.m: unknown key");
    EXPECT_DIES(SET("model.d_modl=3"), "--set: model.d_modl: unknown key");
    EXPECT_DIES(SET("model.loops=3"), "did you mean 'recursion.loops'");
}

TEST(config_err_wrong_type) {
    EXPECT_DIES(JSON("{\"train\": {\"lr\": \"0.1\"}}"), "t.json: train.lr: expected a number, got a string");
    EXPECT_DIES(JSON("{\"model\": {\"d_model\": true}}"), "model.d_model: expected an integer, got a boolean");
    EXPECT_DIES(JSON("{\"model\": {\"norm_gain\": 1}}"), "model.norm_gain: expected true or false");
    EXPECT_DIES(JSON("{\"model\": 3}"), "t.json: model: expected an object, got a number");
    EXPECT_DIES(JSON("{\"halting\": {\"kind\": null}}"), "halting.kind: expected one of");
    EXPECT_DIES(JSON("{\"data\": {\"train\": [1]}}"), "data.train: expected a string, got an array");
    EXPECT_DIES(JSON("{\"recursion\": {\"loops\": 3.5}}"), "recursion.loops: expected an integer, got 3.5");
    EXPECT_DIES(JSON("{\"model\": {\"mixer\": \"conv\"}}"),
                "model.mixer: expected one of \"attention\", \"mlp\", \"local\", got \"conv\"");
    EXPECT_DIES(JSON("{\"model\": {\"d_model\": 1, \"d_model\": 2}}"), "model.d_model: duplicate key");
    EXPECT_DIES(SET("train.lr=fast"), "--set: train.lr: expected a number, got a string");
    EXPECT_DIES(SET("train"), "--set: expected key.path=value");
    EXPECT_DIES(SET("=3"), "--set: expected key.path=value");
}

TEST(config_err_range) {
    EXPECT_DIES(JSON("{\"model\": {\"d_model\": 130}}"),
                "t.json: model.d_model: expected a positive multiple of n_heads, got 130");
    EXPECT_DIES(JSON("{\"model\": {\"d_model\": 12, \"n_heads\": 4, \"positions\": \"rope\"}}"),
                "model.d_model: positions \"rope\" needs an even head size");
    EXPECT_DIES(JSON("{\"model\": {\"n_layers\": 0}}"), "model.n_layers: expected an integer in [1, 64], got 0");
    EXPECT_DIES(JSON("{\"recursion\": {\"window\": 9}}"), "recursion.window: expected an integer in [0, loops], got 9");
    EXPECT_DIES(JSON("{\"halting\": {\"threshold\": 0}}"), "halting.threshold: expected a number in (0, 1], got 0");
    EXPECT_DIES(JSON("{\"halting\": {\"explore_prob\": 1.5}}"), "halting.explore_prob");
    EXPECT_DIES(JSON("{\"train\": {\"beta2\": 1}}"), "train.beta2: expected a number in [0, 1), got 1");
    EXPECT_DIES(JSON("{\"train\": {\"lr\": 0}}"), "train.lr: expected a number in (0, 10], got 0");
    EXPECT_DIES(JSON("{\"train\": {\"batch\": 0}}"), "train.batch");
    EXPECT_DIES(JSON("{\"train\": {\"seed\": -1}}"), "train.seed: expected an integer in [0, 2^53-1]");
    EXPECT_DIES(JSON("{\"train\": {\"lr\": 1e999}}"), "train.lr");
    EXPECT_DIES(JSON("{\"data\": {\"givens_min\": 50}}"), "data.givens_min: expected givens_min <= givens_max");
    EXPECT_DIES(JSON("{\"data\": {\"givens_max\": 82}}"), "data.givens_max: expected an integer in [17, 81], got 82");
    EXPECT_DIES(JSON("{\"data\": {\"maze_size\": 4}}"), "data.maze_size: expected an integer in [5, 64], got 4");
    EXPECT_DIES(SET("recursion.loops=0"), "--set: recursion.loops: expected an integer in [1, 4096], got 0");
}

TEST(config_err_malformed) {
    EXPECT_DIES(JSON("{\n  \"model\": {\n    \"d_model\" 4\n  }\n}\n"), "t.json:3:");
    EXPECT_DIES(JSON("{\n  \"model\": {\n    \"d_model\" 4\n  }\n}\n"), "malformed JSON near '4'");
    EXPECT_DIES(JSON("{\"model\": {"), "t.json:1:12: malformed JSON");
    EXPECT_DIES(JSON("{} extra"), "t.json:1:4: malformed JSON near 'extra'");
    EXPECT_DIES(JSON(""), "t.json: empty config");
    EXPECT_DIES(JSON("  \n "), "t.json: empty config");
    EXPECT_DIES(JSON("[1, 2]"), "t.json: expected a JSON object at the top level, got an array");
    EXPECT_DIES(JSON("42"), "got a number");
}

// A JSON text nested `depth` deep in arrays under "model" (valid JSON), malloc'ed.
static char *deep_json(int depth) {
    char *t = malloc((size_t)depth * 2 + 32), *w = t;
    w += sprintf(w, "{\"model\": ");
    memset(w, '[', (size_t)depth); w += depth;
    memset(w, ']', (size_t)depth); w += depth;
    strcpy(w, "}");
    return t;
}

TEST(config_err_too_deep) {
    // Past the JSON reader's nesting limit: named as such, with the place it goes too deep.
    char *t = deep_json(100000);
    EXPECT_DIES(JSON(t), "t.json:1:1010: JSON nested too deeply: more than 1000 levels");
    free(t);
    // At the limit the JSON parses, and the config says what is wrong with it.
    t = deep_json(999);
    EXPECT_DIES(JSON(t), "t.json: model: expected an object, got an array");
    free(t);
    // Brackets inside strings do not count.
    char s[3000];
    snprintf(s, sizeof s, "{\"data\": {\"train\": \"%0*d\"}}", 10, 0);
    memset(strchr(s, '0'), '[', 10);
    char err[1024];
    EXPECT(run_child(JSON(s), err, sizeof err) == 0);
}

// config_resume(checkpoint, wanted): each child starts from the defaults as the checkpoint and
// applies `set` to a copy as what the command line asks for.
static void run_resume(void *p) {
    const char *set = p;
    Config ck, want;
    config_defaults(&ck);
    want = ck;
    config_set(&want, set, "--set");
    config_resume(&ck, &want, "--set");
}

TEST(config_resume_keys_and_refusals) {
    EXPECT(strcmp(config_resume_keys(), "train.steps, train.threads, train.eval_every, train.ckpt_every, "
                                         "train.log_every, train.on_nan") == 0);
    // The listed keys are taken from the command line, nothing else changes.
    Config ck, want;
    config_defaults(&ck);
    want = ck;
    config_set(&want, "train.steps=7", "--set");
    config_set(&want, "train.threads=3", "--set");
    config_set(&want, "train.eval_every=5", "--set");
    config_set(&want, "train.ckpt_every=6", "--set");
    config_set(&want, "train.log_every=2", "--set");
    config_set(&want, "train.on_nan=skip", "--set");
    config_resume(&ck, &want, "--set");
    EXPECT(ck.train.steps == 7 && ck.train.threads == 3 && ck.train.eval_every == 5);
    EXPECT(ck.train.ckpt_every == 6 && ck.train.log_every == 2 && ck.train.nan_policy_skip == 1);
    char *a = config_to_json(&ck), *b = config_to_json(&want);
    EXPECT(strcmp(a, b) == 0);
    free(a); free(b);
    // Every other key is refused, naming it, both values and why; one of each kind and section.
    static const struct { const char *set, *want; } NO[] = {
        {"task=maze", "task: --resume cannot change it (the checkpoint has \"sudoku\", asked for \"maze\")"},
        {"model.d_model=64", "model.d_model: --resume cannot change it (the checkpoint has 128, asked for 64): it changes the model's shape"},
        {"model.norm_gain=true", "model.norm_gain: --resume cannot change it (the checkpoint has false, asked for true)"},
        {"model.init_std=0.5", "model.init_std: --resume cannot change it (the checkpoint has 0.02, asked for 0.5)"},
        {"recursion.loops=4", "recursion.loops: --resume cannot change it"},
        {"halting.threshold=0.5", "halting.threshold: --resume cannot change it"},
        {"train.lr=0.5", "train.lr: --resume cannot change it (the checkpoint has 0.001, asked for 0.5)"},
        {"train.seed=5", "train.seed: --resume cannot change it"},
        {"data.train=x.csv", "data.train: --resume cannot change it (the checkpoint has \"\", asked for \"x.csv\")"},
        {"data.gen_train=5", "data.gen_train: --resume cannot change it"},
    };
    for (size_t i = 0; i < sizeof NO / sizeof NO[0]; i++) {
        char err[2048];
        int rc = test_in_child(run_resume, (void *)NO[i].set, err, sizeof err);
        EXPECTF(rc == 2, "%s: exit %d, expected 2", NO[i].set, rc);
        EXPECTF(strstr(err, NO[i].want) != NULL, "%s: stderr lacks \"%s\": %s", NO[i].set, NO[i].want, err);
        EXPECTF(strstr(err, "--init-from") != NULL, "%s: no --init-from hint: %s", NO[i].set, err);
    }
}

TEST(config_load_file) {
    char path[] = "/tmp/loopt_test_cfg_file_XXXXXX";
    int fd = mkstemp(path);
    EXPECT(fd >= 0);
    if (fd < 0) return;
    // d_model 130 is not a multiple of 4 heads: a cross-key error, checked after --set.
    const char *text = "{\n  \"model\": {\"d_model\": 130},\n  \"train\": {\n    \"lr\": 0.01\n  }\n}\n";
    EXPECT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    char want[128], err[1024];
    snprintf(want, sizeof want, "%s: model.d_model: expected a positive multiple of n_heads, got 130", path);
    EXPECT_DIES(((Action){.file = path}), want);
    // --set is applied after the file, and can fix it.
    EXPECT(run_child((Action){.file = path, .set = "model.d_model=128"}, err, sizeof err) == 0);
    // Cross-key errors after overrides name both sources.
    EXPECT_DIES(((Action){.file = path, .set = "model.n_heads=3"}), "(with --set): model.d_model");
    // A per-key error in an override names --set, not the file.
    EXPECT_DIES(((Action){.file = path, .set = "train.lr=x"}), "--set: train.lr: expected a number");
    // Missing file and directory.
    EXPECT_DIES(((Action){.file = "/nonexistent/loopt.json"}), "/nonexistent/loopt.json");
    EXPECT_DIES(((Action){.file = "/tmp"}), "/tmp: is a directory");
    unlink(path);
}
