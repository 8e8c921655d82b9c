// train.c — `loopt train CONFIG`: train a looped transformer from a JSON config, with a
// progress line, periodic evaluation on a held-out split (EMA weights), atomic checkpoints
// every train.ckpt_every steps and at the end, Ctrl-C saving before exit, and exact resume.
// What it never does (docs/reliability.md): resume into a changed model (config_resume), write
// over another run's checkpoint without --force, find a bad output folder after the work, or
// die of an early Ctrl-C without a word. --init-from starts a new run from a checkpoint's weights.
// Beside the checkpoint go config.json (the full resolved config; stderr gets a summary) and
// the training log train.jsonl (trainlog.h), both written once the run writes its first output.
// One run per folder: a second run into a folder a running one holds is refused (lock_folder).
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/ckpt.h"
#include "loopt/cmd.h"
#include "loopt/config.h"
#include "loopt/taskmodel.h"
#include "loopt/log.h"
#include "loopt/stop.h"
#include "loopt/model.h"
#include "loopt/modelio.h"
#include "loopt/optim.h"
#include "loopt/schedule.h"
#include "loopt/task.h"
#include "loopt/timer.h"
#include "loopt/trainlog.h"
#include "loopt/scheme.h"

// The usage text; the keys --resume may change come from config.c's table (config_resume_keys).
static const char *USAGE_FMT =
    "usage: loopt train CONFIG [--set key.path=value]... [--out DIR] [--log FILE] [--force] [--init-from CKPT]\n"
    "                   [--quiet]\n"
    "       loopt train [CONFIG] --resume CKPT [--set key.path=value]... [--out DIR] [--log FILE] [--quiet]\n"
    "\n"
    "Trains the model described by CONFIG (see docs/config.md). Training data comes from\n"
    "data.train (puzzles with solutions) or, when that is empty, is generated on the fly from\n"
    "data.seed; the validation split (data.valid, or data.gen_valid generated puzzles from a\n"
    "separate stream) never appears in training. A summary of the config and the progress go to\n"
    "stderr; the checkpoint is written atomically (temp file + rename) to DIR/model.safetensors\n"
    "every train.ckpt_every steps, at the end, and on Ctrl-C, SIGTERM or SIGHUP (which print the\n"
    "command that continues the run). One run per folder: DIR is locked while a run writes to it\n"
    "(DIR/train.lock), and a second run into it is refused. Beside it: config.json, the full resolved config, and train.jsonl, the\n"
    "training log (one JSON object per line: every train.log_every steps step, loss, cell,\n"
    "exact, lr, samples_per_s, loops, elapsed_s; each evaluation \"eval\": true, step, cell,\n"
    "exact, loops), which `loopt plot DIR/train.jsonl --out loss.png` draws. exact judges as\n"
    "loopt eval does: a maze's path is right when it is a shortest one, the target's or a tie.\n"
    "\n"
    "  --out DIR         output folder (default runs/<config name>; with --resume, the folder of\n"
    "                    CKPT). Created if missing and checked writable before training starts.\n"
    "                    A folder that already holds model.safetensors is refused, unless it is\n"
    "                    the --resume checkpoint itself or --force is given\n"
    "  --log FILE        the training log (default DIR/train.jsonl; - = stdout). A fresh run\n"
    "                    starts it empty (a file holding another run's log only with --force); a\n"
    "                    resumed run appends, dropping the lines past the checkpoint's step\n"
    "  --force           replace the model.safetensors and the log of another run in DIR (at\n"
    "                    the first save / the first log line)\n"
    "  --resume CKPT     continue the run saved in CKPT exactly: its config, weights, optimizer\n"
    "                    state, step and RNG streams. CONFIG and --set may change only\n"
    "                      %s\n"
    "                    and any other difference is refused (exit 2), naming the key\n"
    "  --init-from CKPT  fine-tune into CONFIG: the model starts from CKPT's weights (its EMA\n"
    "                    weights when it has them), tensor by tensor where the name and shape\n"
    "                    match; new tensors keep their fresh init; fresh optimizer, step 0.\n"
    "                    Lists what was loaded, added and dropped. Not with --resume\n"
    "  --quiet           no progress lines\n";

static const char *usage(void) {
    static char text[4096];
    if (!text[0]) snprintf(text, sizeof text, USAGE_FMT, config_resume_keys());
    return text;
}

// Ctrl-C / SIGTERM / SIGHUP (a closed terminal or ssh session) only raise stop_requested
// (stop.h): the training loop saves and stops at the end of the step, the setup stops between
// its phases. Installed first thing (cmd_train), so a signal at any moment is caught.

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

// The config's task and training grid, for generation and augmentation; scratch holds 3*S bytes.
typedef struct { const Task *task; int h, w; uint8_t *scratch; } Data;

static void bytes_to_tokens(int *dst, const uint8_t *src, int S) { for (int i = 0; i < S; i++) dst[i] = src[i]; }
static void tokens_to_bytes(uint8_t *dst, const int *src, int S) { for (int i = 0; i < S; i++) dst[i] = (uint8_t)src[i]; }

// One generated example into q/a rows.
static void gen_example(const Config *c, const Data *d, Rng *r, int *q, int *a) {
    int S = d->h * d->w;
    uint8_t *pq = d->scratch, *pa = d->scratch + S;
    d->task->generate(c, r, pq, pa);
    bytes_to_tokens(q, pq, S);
    bytes_to_tokens(a, pa, S);
}

// Load a file split (puzzles with solutions) for the config's task; key names it ("data.train").
static void load_split(Split *s, const Config *c, const Data *d, const char *path, const char *key) {
    char role[96];
    snprintf(role, sizeof role, "%s of a %s task", key, d->task->name);
    task_expect_file(d->task, path, path_label(path), role);   // a maze file reads as comments only
    PuzzleSet set;
    d->task->read(path, &set, 0);
    d->task->check_split(c, &set, path);   // every puzzle has an answer and the training size
    int S = d->h * d->w;
    split_alloc(s, set.n, S);
    for (int k = 0; k < set.n; k++) {
        bytes_to_tokens(s->q + (size_t)k * S, set.p[k].q, S);
        bytes_to_tokens(s->a + (size_t)k * S, set.p[k].a, S);
    }
    puzzle_set_free(&set);
}

// Augment one example in place (validity-preserving transforms).
static void augment(const Data *d, Rng *r, int *q, int *a) {
    int S = d->h * d->w;
    uint8_t *pq = d->scratch, *pa = d->scratch + S, *tmp = d->scratch + 2 * S;
    tokens_to_bytes(pq, q, S);
    tokens_to_bytes(pa, a, S);
    d->task->augment(r, pq, pa, d->h, d->w, tmp);
    bytes_to_tokens(q, pq, S);
    bytes_to_tokens(a, pa, S);
}

// The task's hint targets (train.hints) of question q.
static void hint_targets(const Data *d, const int *q, int *hint) {
    tokens_to_bytes(d->scratch, q, d->h * d->w);
    d->task->hint(d->scratch, d->h, d->w, hint);
}

// ---- accuracy ---------------------------------------------------------------------------------
typedef struct { long cells, cells_right, puzzles, exact; double loops; } Acc;

// Whether prediction pred (S tokens) answers q, given whether it equals the target (all): for a
// maze, as task_right judges it, any shortest path (a tie with the target's path counts).
static int exact_right(const Data *d, const int *q, const int *pred, int all) {
    if (all || d->task->answer_unique) return all;
    int S = d->h * d->w;
    uint8_t *pq = d->scratch, *pp = d->scratch + S;
    tokens_to_bytes(pq, q, S);
    tokens_to_bytes(pp, pred, S);
    return task_right(d->task, pq, NULL, pp, d->h, d->w);
}

// Cell accuracy counts the cells the model has to fill (blanks for Sudoku, every cell for mazes).
static void accumulate(Acc *acc, const Data *d, const int *q, const int *a, const int *pred,
                       const int *used, int n, int S) {
    for (int k = 0; k < n; k++) {
        int all = 1;
        for (int i = 0; i < S; i++) {
            size_t j = (size_t)k * S + i;
            int right = pred[j] == a[j];
            all &= right;
            if (task_scored(d->task, q[j])) { acc->cells++; acc->cells_right += right; }
            acc->loops += used[j];
        }
        size_t row = (size_t)k * S;
        acc->puzzles++;
        acc->exact += exact_right(d, q + row, pred + row, all);
    }
}

static void evaluate(Model *m, const Data *d, const Split *v, int loops, int *pred, int *used, Acc *acc) {
    memset(acc, 0, sizeof *acc);
    int B = m->B, S = v->S;
    for (int start = 0; start + B <= v->n && !stop_requested; start += B) {   // Ctrl-C: stop, unlogged
        model_forward(m, v->q + (size_t)start * S, v->a + (size_t)start * S, loops);
        model_predict(m, pred);
        model_loops_used(m, used);
        accumulate(acc, d, v->q + (size_t)start * S, v->a + (size_t)start * S, pred, used, B, S);
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

// --init-from: the model's tensors from a checkpoint by name and shape, and the report; ts
// records the runs the weights come from (the file's own and those before it).
static void init_from(Model *m, TrainState *ts, const char *path) {
    InitReport rep;
    model_init_from(path, m, &rep);
    ts->prior_stages = rep.from.prior_stages + 1;
    ts->prior_steps = rep.from.prior_steps + rep.from.step;
    ts->prior_elapsed_s = rep.from.prior_elapsed_s + rep.from.elapsed_s;
    log_info("init-from %s: loaded %d tensor%s (%s): %s", path, rep.n_loaded, rep.n_loaded == 1 ? "" : "s",
             rep.from_ema ? "its EMA weights" : "its weights", rep.loaded);
    log_info("init-from %s: added %d new tensor%s (fresh init)%s%s", path, rep.n_added, rep.n_added == 1 ? "" : "s",
             rep.n_added ? ": " : "", rep.added);
    log_info("init-from %s: dropped %d tensor%s of the checkpoint%s%s", path, rep.n_dropped,
             rep.n_dropped == 1 ? "" : "s", rep.n_dropped ? ": " : "", rep.dropped);
    init_report_free(&rep);
}

// ---- one training run -------------------------------------------------------------------------
typedef struct {
    Config cfg;
    Model m;
    Model eval_view;         // evaluation: the EMA (or raw) weights with inference buffers
    Optimizer opt;
    TrainState ts;
    Schedule sched;
    Split train, valid;        // train.n == 0: generated on the fly
    int *coords;               // (S, axes) the task's token coordinates
    int B, K, W, S;            // batch, loops (or supervision steps), training window, seq_len
    int *bq, *ba;              // (B, S) the batch: questions, answers
    int *bh;                   // (B, S) the batch's hint targets (train.hints), else NULL
    int *pred, *used;          // (B, S) predictions, loops used
    Data data;                 // the task, its training grid, and scratch for generation/augmentation
    char ckpt_path[600], config_path[600];
    char log_abs[600];         // the log's absolute path, recorded in each checkpoint ("": stdout)
    TrainLog log;              // train.jsonl (or --log)
    int committed;             // config.json written and the log begun (commit)
    // progress since the last log line
    Acc acc;
    double loss_sum, t0, t_last, elapsed0;
    int loss_n, nan_run;       // nan_run: batches skipped in a row (train.on_nan = "skip")
    long step_last;
} Run;

typedef struct {
    const char *path, *resume, *init_from, *out, *log;
    const char **sets;
    int n_sets, force;
} Args;

// Returns 0 after printing --help.
static int parse_args(Args *a, int argc, char **argv) {
    memset(a, 0, sizeof *a);
    a->sets = xmalloc(sizeof(char *) * (size_t)argc);
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (arg_is_help(argv[i])) { fputs(usage(), stdout); free(a->sets); return 0; }
        else if (arg_value(argc, argv, &i, "--set", &v)) a->sets[a->n_sets++] = v;
        else if (arg_value(argc, argv, &i, "--resume", &v)) a->resume = v;
        else if (arg_value(argc, argv, &i, "--init-from", &v)) a->init_from = v;
        else if (arg_value(argc, argv, &i, "--log", &v)) a->log = v;
        else if (arg_value(argc, argv, &i, "--out", &v)) a->out = v;
        else if (arg_flag(argv, i, "--force")) a->force = 1;
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1]) unknown_option(usage(), "train", argv[i]);
        else if (!a->path) a->path = argv[i];
        else usage_error(usage(), "train: unexpected argument '%s'", argv[i]);
    }
    if (a->resume && a->init_from)
        usage_error(usage(), "train: --resume and --init-from do not go together: --resume continues a run "
                    "(same config, optimizer and step), --init-from starts a new one from a checkpoint's weights");
    if (a->init_from && !a->path)
        usage_error(usage(), "train: --init-from needs CONFIG, the config of the new model");
    if (!a->path && !a->resume) usage_error(usage(), "train: missing CONFIG");
    const char *paths[4][2] = {{"--resume", a->resume}, {"--init-from", a->init_from}, {"--out", a->out},
                               {"--log", a->log}};
    for (int k = 0; k < 4; k++)
        if (paths[k][1] && !paths[k][1][0]) usage_error(usage(), "train: %s: empty path", paths[k][0]);
    return 1;
}

// The config: CONFIG and --set; with --resume the checkpoint's, with only the keys a resumed
// run may change taken from CONFIG and --set (config_resume refuses any other difference).
// On --resume this also loads the model, the optimizer state and the training state.
static void resolve_config(Run *r, const Args *a) {
    if (!a->resume) {
        config_load(&r->cfg, a->path, a->sets, a->n_sets);
        if (a->init_from) {   // a file that is no checkpoint is refused now, before any folder is made
            Ckpt c;
            char why[700];
            if (!ckpt_read(a->init_from, &c, why, sizeof why)) die(EXIT_USAGE, "--init-from %s", why);
            ckpt_free(&c);
        }
        return;
    }
    model_load(a->resume, &r->cfg, &r->m, 0, &r->opt, &r->ts);
    Config want;
    char name[CFG_STR + 32];
    if (a->path) {
        config_load(&want, a->path, a->sets, a->n_sets);
        snprintf(name, sizeof name, "%.*s%s", CFG_STR, path_label(a->path), a->n_sets ? " (with --set)" : "");
    } else {
        want = r->cfg;
        for (int i = 0; i < a->n_sets; i++) config_set(&want, a->sets[i], "--set");
        config_validate(&want, "--set");
        snprintf(name, sizeof name, "--set");
    }
    config_resume(&r->cfg, &want, name);
    if (r->cfg.train.steps < r->ts.step)
        die(EXIT_USAGE, "%s: train.steps: %ld is before the checkpoint's step %ld; a resumed run can only go on "
            "(--set train.steps=N with N > %ld)", name, r->cfg.train.steps, r->ts.step, r->ts.step);
}

// A path for the message that tells the user what to type: quoted for the shell when needed.
static const char *shell_word(const char *s, char *buf, size_t cap) {
    if (s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+:=,@%") == strlen(s))
        return s;
    size_t n = 0;
    if (cap < 3) return s;
    buf[n++] = '\'';
    for (const char *p = s; *p && n + 6 < cap; p++) {
        if (*p == '\'') { memcpy(buf + n, "'\\''", 4); n += 4; }
        else buf[n++] = *p;
    }
    buf[n++] = '\'';
    buf[n] = '\0';
    return buf;
}

// mkdir -p: create `dir` and the folders above it. `what` names it in messages ("--out DIR").
static void make_folders(const char *dir, const char *what) {
    char path[512];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; ; p++) {
        int last = *p == '\0';
        if (!last && *p != '/') continue;
        *p = '\0';
        struct stat st;
        if (stat(path, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                if (strcmp(path, dir) == 0 && S_ISREG(st.st_mode))
                    die(EXIT_USAGE, "%s: is a file, not a folder (the checkpoint goes to DIR/model.safetensors: "
                        "give a folder)", what);
                die(EXIT_USAGE, "%s: %s is not a folder", what, path);
            }
        } else if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            die(EXIT_USAGE, "%s: cannot create the folder %s: %s", what, path, strerror(errno));
        }
        if (last) break;
        *p = '/';
        while (p[1] == '/') p++;
    }
}

// path made absolute (the current folder before a relative one), for the checkpoint's record of
// its log; 0 when it does not fit or the current folder is unknown.
static int abs_path(const char *path, char *out, size_t cap) {
    char cwd[4096];
    int n = path[0] == '/' ? snprintf(out, cap, "%s", path)
          : getcwd(cwd, sizeof cwd) ? snprintf(out, cap, "%s/%s", cwd, path) : -1;
    return n > 0 && (size_t)n < cap;
}

// 1 if paths a and b name the same file, existing or not: the same device and inode, or (when
// one does not exist yet) the same name in the same folder (compared by device and inode, so
// any spelling of the folder, a symlink to it included, is caught).
static int same_file(const char *a, const char *b) {
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb) return 0;
    const char *na = strrchr(a, '/'), *nb = strrchr(b, '/');
    if (strcmp(na ? na + 1 : a, nb ? nb + 1 : b) != 0) return 0;
    char da[4096], db[4096];
    path_folder(a, da, sizeof da);
    path_folder(b, db, sizeof db);
    return stat(da, &sa) == 0 && stat(db, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// One run per folder: DIR/train.lock, created if missing and locked (fcntl F_SETLK) for as long
// as this process lives; a second run finds it locked and is refused, naming the holder's pid.
// The kernel drops the lock when its process ends, however it ends, so a lock file left by a
// run that was killed never blocks the next one: only a live process holds the folder. The file
// is removed when the process exits (atexit: after a refusal or an error too), under the lock;
// a run that locked a file which was removed meanwhile locks the new one instead (the inode
// check below). Static: the exit handler outlives cmd_train's Run.
static struct { int fd; char path[600]; } folder_lock = {-1, ""};

static void unlock_folder(void) {
    if (folder_lock.fd < 0) return;
    unlink(folder_lock.path);   // still locked: a run waiting on this inode finds it gone and retries
    close(folder_lock.fd);
    folder_lock.fd = -1;
}

// The pid of the process holding folder dir's lock, or 0 when none does.
static long lock_holder(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/train.lock", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    long pid = fcntl(fd, F_GETLK, &q) == 0 && q.l_type != F_UNLCK ? (long)q.l_pid : 0;
    close(fd);
    return pid;
}

static void lock_folder(const char *dir, const char *what) {
    char *path = folder_lock.path;
    snprintf(path, sizeof folder_lock.path, "%s/train.lock", dir);
    for (int tries = 0; ; tries++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) die(EXIT_USAGE, "%s: cannot create the lock file %s: %s", what, path, strerror(errno));
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_SETLK, &fl) != 0) {
            int err = errno;
            if (err == EACCES || err == EAGAIN) {
                struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
                char pid[48] = "";
                if (fcntl(fd, F_GETLK, &q) == 0 && q.l_type != F_UNLCK) snprintf(pid, sizeof pid, " (pid %ld)", (long)q.l_pid);
                die(EXIT_USAGE, "%s: another loopt train%s is running in this folder (it holds %s): one run per "
                    "folder; wait for it to end, or choose another folder with --out", what, pid, path);
            }
            close(fd);   // a filesystem without locks: say so and go on
            warnf("%s: cannot lock %s (%s): going on without the lock that keeps a second run out of this folder",
                  what, path, strerror(err));
            return;
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());   // for a human who looks
            if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n) { /* only informative */ }
            folder_lock.fd = fd;
            atexit(unlock_folder);
            return;
        }
        close(fd);   // the run before removed the file after we opened it: lock the one there now
        CHECK(tries < 100, "%s: cannot lock %s: it keeps being replaced", what, path);
    }
}

// The log may not be one of the run's own files, which it would overwrite or see replaced.
static void check_log_path(const Run *r, const Args *a, const char *log) {
    if (!strcmp(log, "-")) return;
    char dir[600], tmp_ckpt[700], tmp_cfg[700];
    path_folder(r->ckpt_path, dir, sizeof dir);
    const char *base = strrchr(log, '/');
    base = base ? base + 1 : log;
    snprintf(tmp_ckpt, sizeof tmp_ckpt, "%s/%s", dir, base);
    int in_dir = same_file(log, tmp_ckpt);   // the log is a file of the run's folder
    const struct { const char *path, *what; } own[] = {
        {r->ckpt_path, "the run's checkpoint"}, {r->config_path, "the run's resolved config"},
        {folder_lock.path, "the run's lock file"}, {a->resume, "the --resume checkpoint"},
        {a->init_from, "the --init-from checkpoint"}, {r->cfg.data.train, "the training data (data.train)"},
        {r->cfg.data.valid, "the validation data (data.valid)"},
    };
    for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
        if (own[k].path && own[k].path[0] && same_file(log, own[k].path))
            die(EXIT_USAGE, "--log %s: is %s (%s): the training log needs a file of its own (by default "
                "%s/train.jsonl)", log, own[k].what, own[k].path, dir);
    // A log in another run's folder while that run goes on would mix two runs, --force or not.
    char log_dir[4096];
    path_folder(log, log_dir, sizeof log_dir);
    long pid = in_dir ? 0 : lock_holder(log_dir);
    if (pid)
        die(EXIT_USAGE, "--log %s: is in the folder of a running loopt train (pid %ld, %s/train.lock): one run per "
            "folder, its log included; choose a file elsewhere", log, pid, log_dir);
    snprintf(tmp_ckpt, sizeof tmp_ckpt, "model.safetensors.tmp.");
    snprintf(tmp_cfg, sizeof tmp_cfg, "config.json.tmp.");
    if (in_dir && (!strncmp(base, tmp_ckpt, strlen(tmp_ckpt)) || !strncmp(base, tmp_cfg, strlen(tmp_cfg))))
        die(EXIT_USAGE, "--log %s: is where the run writes its checkpoint or config before renaming it: the "
            "training log needs a file of its own (by default %s/train.jsonl)", log, dir);
}

// For a resumed run: NULL when the log at path is known as the run's own (train.jsonl beside
// the --resume checkpoint, or the log its checkpoint records), else a few words saying which
// log is, for trainlog_prepare's refusal.
static const char *foreign_log(const Run *r, const Args *a, const char *path, char *buf, size_t cap) {
    if (!a->resume || !strcmp(path, "-")) return NULL;
    char dir[600], beside[700];
    path_folder(a->resume, dir, sizeof dir);
    snprintf(beside, sizeof beside, "%s/train.jsonl", dir);
    if (same_file(path, beside)) return NULL;
    if (r->ts.log_path[0] && same_file(path, r->ts.log_path)) return NULL;
    if (r->ts.log_path[0]) snprintf(buf, cap, "%s logged to %.600s", a->resume, r->ts.log_path);
    else snprintf(buf, cap, "%s records no log; its own is %s", a->resume, beside);
    return buf;
}

// The output folder and the checkpoint in it, checked before any work: the folder exists (made
// if missing), is writable (a probe file is created and removed), is locked for this run
// (lock_folder), and does not hold another run's checkpoint (unless --force, or it is the --resume
// checkpoint itself); the log is none of the run's own files, and on --resume the run's own.
static void prepare_out(Run *r, const Args *a) {
    char dir[512], what[600];
    if (a->out) {
        if (strlen(a->out) >= sizeof dir - 32) die(EXIT_USAGE, "--out: path too long");
        snprintf(dir, sizeof dir, "%s", a->out);
    } else if (a->resume) {   // the run's own folder
        if (strlen(a->resume) >= sizeof dir - 32) die(EXIT_USAGE, "--resume: path too long");
        path_folder(a->resume, dir, sizeof dir);
    } else {
        const char *base = strrchr(a->path, '/');
        base = base ? base + 1 : a->path;
        int n = (int)strcspn(base, ".");
        if (n == 0 || strcmp(a->path, "-") == 0) { base = "stdin"; n = 5; }
        snprintf(dir, sizeof dir, "runs/%.*s", n < 400 ? n : 400, base);
    }
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') dir[--len] = '\0';
    if (a->out) snprintf(what, sizeof what, "--out %s", dir);
    else snprintf(what, sizeof what, "%s (the %s; choose another with --out)", dir,
                  a->resume ? "--resume checkpoint's folder" : "default output folder");
    make_folders(dir, what);
    // Writable? Find out now, not after the last step.
    if (!folder_takes_files(dir)) die(EXIT_USAGE, "%s: cannot write a checkpoint there: %s", what, strerror(errno));
    lock_folder(dir, what);   // before anything in the folder is looked at or changed
    snprintf(r->ckpt_path, sizeof r->ckpt_path, "%s/model.safetensors", dir);
    snprintf(r->config_path, sizeof r->config_path, "%s/config.json", dir);

    struct stat st;
    char why[400];
    if (!output_path_ok(r->config_path, why, sizeof why)) die(EXIT_USAGE, "%s: %s: %s", what, r->config_path, why);
    if (stat(r->ckpt_path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            die(EXIT_USAGE, "%s: %s exists and is not a file: the checkpoint cannot be written there", what,
                r->ckpt_path);
        struct stat rs;
        int same = a->resume && stat(a->resume, &rs) == 0 && rs.st_dev == st.st_dev && rs.st_ino == st.st_ino;
        if (!same && !a->force) {
            char q[1300];
            die(EXIT_USAGE, "%s: already holds a checkpoint (%s) of another run; to continue that run use "
                "`loopt train --resume %s`, to replace it pass --force, or choose another folder with --out",
                what, r->ckpt_path, shell_word(r->ckpt_path, q, sizeof q));
        }
    }
    char log_path[600], whose[1400];
    snprintf(log_path, sizeof log_path, "%s/train.jsonl", dir);
    const char *log = a->log ? a->log : log_path;
    if (a->log) check_log_path(r, a, log);
    trainlog_prepare(&r->log, log, a->log ? "--log" : "the training log", a->resume ? r->ts.step : -1, a->force,
                     foreign_log(r, a, log, whose, sizeof whose));
    // The checkpoints record the log's absolute path: a later --resume knows it as the run's own.
    if (strcmp(log, "-") == 0 || !abs_path(log, r->log_abs, sizeof r->log_abs)) r->log_abs[0] = '\0';
}

// The run's first output (the first log line, evaluation or checkpoint): config.json beside the
// checkpoint. Not before: a run stopped before its first step leaves the folder as it was.
static void commit(Run *r) {
    if (r->committed) return;
    r->committed = 1;
    char *json = config_to_json(&r->cfg), why[1300];
    size_t n = strlen(json);
    json = xrealloc(json, n + 2);
    memcpy(json + n, "\n", 2);
    if (!write_text_atomic(r->config_path, json, why, sizeof why)) warnf("%s (training goes on)", why);
    free(json);
}

// The log's sums since its last step line go in the checkpoint, so a resumed run's first line
// averages the same batches as the straight run's (the log reads as one run).
static void save_run(Run *r) {
    commit(r);
    const Acc *c = &r->acc;
    r->ts.log_sums = (LogSums){r->loss_sum, r->loss_n, c->cells, c->cells_right, c->puzzles, c->exact, c->loops};
    snprintf(r->ts.log_path, sizeof r->ts.log_path, "%s", r->log_abs);
    save(r->ckpt_path, &r->m, &r->cfg, &r->opt, &r->ts);
}

// A resumed run goes on with the sums its checkpoint saved (none in one from before they were).
static void restore_log_sums(Run *r) {
    const LogSums *l = &r->ts.log_sums;
    r->loss_sum = l->loss;
    r->loss_n = (int)l->batches;
    r->acc = (Acc){l->cells, l->cells_right, l->puzzles, l->exact, l->loops};
}

// Where the training and validation puzzles come from, in words, for the summary.
static void describe_data(const Config *c, char *buf, size_t len) {
    const DataConfig *d = &c->data;
    char gen[160], valid[CFG_STR + 32];
    task_get(c->task)->describe_gen(c, gen, sizeof gen);
    if (d->valid[0]) snprintf(valid, sizeof valid, "%s", d->valid);
    else snprintf(valid, sizeof valid, "%ld generated puzzles", d->gen_valid);
    if (d->train[0]) snprintf(buf, len, "%s%s; validation: %s", d->train, d->augment ? " (augmented)" : "", valid);
    else snprintf(buf, len, "generated on the fly (%s%s, data.seed %llu); validation: %s", gen,
                  d->augment ? ", augmented" : "",
                  (unsigned long long)d->seed, valid);
}

// The config in three lines (the whole of it goes to config.json).
static void print_summary(const Run *r) {
    const Config *c = &r->cfg;
    const TrainConfig *t = &c->train;
    char depth[160], data[2 * CFG_STR + 160], halt[160] = "";
    scheme_get(c->recursion.scheme)->describe(&c->recursion, depth, sizeof depth);
    describe_data(c, data, sizeof data);
    if (c->halting.kind == HALT_ACT)
        snprintf(halt, sizeof halt, " (threshold %g, ponder cost %g)", c->halting.threshold, c->halting.ponder_cost);
    if (t->progressive > 0) snprintf(halt + strlen(halt), sizeof halt - strlen(halt), "; progressive loss %g",
                                     t->progressive);
    if (t->hints > 0) snprintf(halt + strlen(halt), sizeof halt - strlen(halt), "; hint loss %g", t->hints);
    int h, w;
    task_get(c->task)->train_size(c, &h, &w);
    log_info("train: %s %dx%d; scheme %s, %s; halting %s%s", TASK_NAMES[c->task], h, w,
             SCHEME_NAMES[c->recursion.scheme], depth, HALT_NAMES[c->halting.kind], halt);
    log_info("train: %ld steps of batch %d; lr %g (%s, warm-up %ld), weight decay %g, ema %g%s", t->steps, t->batch,
             t->lr, t->lr_schedule == SCHED_COSINE ? "cosine" : "constant", t->warmup, t->weight_decay, t->ema,
             t->loss == LOSS_STABLEMAX ? ", stable-max loss" : "");
    log_info("train: data: %s", data);
}

// Model, optimizer and RNG streams: fresh (or started from --init-from's weights), or as
// resolve_config loaded them from --resume's checkpoint.
static void build(Run *r, const Args *a) {
    int threads = threads_set(r->cfg.train.threads);
    print_summary(r);

    const Config *c = &r->cfg;
    r->coords = xmalloc(sizeof(int) * (size_t)task_coords_size(c, 0, 0));
    TaskShape shape;
    task_shape(&shape, r->coords, c, 0, 0);
    if (!a->resume) {
        Rng init_rng;
        rng_seed(&init_rng, c->train.seed);
        model_init(&r->m, c, &shape, &init_rng);
        memset(&r->ts, 0, sizeof r->ts);
        if (a->init_from) init_from(&r->m, &r->ts, a->init_from);
        optim_init(&r->opt, &r->m, &c->train);   // the EMA starts from the weights as they are now
        rng_seed(&r->ts.data_rng, c->data.seed);
        rng_seed(&r->ts.halt_rng, c->train.seed ^ 0x68616c74ULL);
    }
    r->B = c->train.batch; r->K = config_depth(c);
    r->W = c->recursion.window ? c->recursion.window : r->K;
    r->S = shape.seq_len;
    model_alloc(&r->m, r->B, r->W, 1);
    model_print_sizes(&r->m);
    log_info("threads: %d; checkpoint: %s; log: %s; resolved config: %s", threads, r->ckpt_path,
             strcmp(r->log.path, "-") ? r->log.path : "stdout", r->config_path);
}

// The validation split (data.valid, or generated from its own stream, never the training one),
// the file training split if any, and the batch buffers.
static void load_data(Run *r) {
    const Config *c = &r->cfg;
    int B = r->B, S = r->S;
    Data *d = &r->data;
    d->task = task_get(c->task);
    d->task->train_size(c, &d->h, &d->w);
    d->scratch = xmalloc(3 * (size_t)S);
    if (c->data.valid[0]) load_split(&r->valid, c, d, c->data.valid, "data.valid");
    else {
        Rng vr;
        rng_seed(&vr, c->data.seed ^ 0x76616c6964ULL);
        split_alloc(&r->valid, (int)c->data.gen_valid, S);
        for (int k = 0; k < r->valid.n && !stop_requested; k++)   // can take minutes: Ctrl-C stops it
            gen_example(c, d, &vr, r->valid.q + (size_t)k * S, r->valid.a + (size_t)k * S);
    }
    if (r->valid.n < B) log_info("note: validation split (%d) is smaller than a batch (%d): evaluation skipped", r->valid.n, B);
    if (c->data.train[0]) load_split(&r->train, c, d, c->data.train, "data.train");
    r->bq = xmalloc(sizeof(int) * (size_t)B * S); r->ba = xmalloc(sizeof(int) * (size_t)B * S);
    r->pred = xmalloc(sizeof(int) * (size_t)B * S); r->used = xmalloc(sizeof(int) * (size_t)B * S);
    r->bh = r->m.Hn ? xmalloc(sizeof(int) * (size_t)B * S) : NULL;
}

// Fresh samples into the rows that want one: generated, or drawn from the file split; augmented.
static void make_batch(Run *r) {
    int S = r->S;
    for (int k = 0; k < r->B; k++) {
        if (!schedule_wants_sample(&r->sched, k)) continue;   // keeps its sample and carried state
        int *q = r->bq + (size_t)k * S, *a = r->ba + (size_t)k * S;
        if (r->train.n) {
            uint32_t j = rng_below(&r->ts.data_rng, (uint32_t)r->train.n);
            memcpy(q, r->train.q + (size_t)j * S, sizeof(int) * S);
            memcpy(a, r->train.a + (size_t)j * S, sizeof(int) * S);
        } else {
            gen_example(&r->cfg, &r->data, &r->ts.data_rng, q, a);
        }
        if (r->cfg.data.augment) augment(&r->data, &r->ts.data_rng, q, a);
        if (r->bh) hint_targets(&r->data, q, r->bh + (size_t)k * S);
        schedule_start_row(&r->sched, &r->m, k, &r->ts.halt_rng);
    }
}

// Forward, backward, optimizer. A NaN/inf loss or gradient stops the run, or with
// train.on_nan = "skip" skips the batch (returns 0) before the weights change.
static int train_step(Run *r) {
    Model *m = &r->m;
    model_zero_grad(m);
    if (r->bh) model_set_hints(m, r->bh);
    double loss = schedule_loss_grad(&r->sched, m, r->bq, r->ba, r->K, r->ts.step);
    char bad[96] = "";
    if (!isfinite(loss)) snprintf(bad, sizeof bad, "the loss (%g)", loss);
    else {
        const char *t = nonfinite_grad(m);
        if (t) snprintf(bad, sizeof bad, "the gradient of %s", t);
    }
    if (bad[0]) {
        struct stat st;
        int have = stat(r->ckpt_path, &st) == 0;
        if (!r->cfg.train.nan_policy_skip || ++r->nan_run > MAX_NAN_RUN)
            die(EXIT_RUNTIME, "step %ld: %s is not finite%s; stopping: %s%s", r->ts.step + 1, bad,
                r->nan_run > MAX_NAN_RUN ? " in too many batches in a row" : "",
                have ? "the last checkpoint is intact: " : "no checkpoint was written yet",
                have ? r->ckpt_path : "");
        warnf("step %ld: %s is not finite; batch skipped (train.on_nan = \"skip\")", r->ts.step + 1, bad);
        return 0;
    }
    r->nan_run = 0;
    optim_step(&r->opt, m, &r->cfg.train);
    r->ts.step++;
    model_predict(m, r->pred);
    schedule_after_step(&r->sched, m, r->used, r->S);
    accumulate(&r->acc, &r->data, r->bq, r->ba, r->pred, r->used, r->B, r->S);
    r->loss_sum += m->ce_loss;
    r->loss_n++;
    return 1;
}

// The progress line every train.log_every steps and at the end. A line at the end of a run off
// that cadence leaves the sums as they are: the next line on the cadence (after a --resume, with
// the sums from the checkpoint) covers the same steps as in a run that did not stop there.
static void log_step(Run *r, long total) {
    double now = now_seconds();
    r->ts.elapsed_s = r->elapsed0 + (now - r->t0);
    int on_cadence = r->ts.step % r->cfg.train.log_every == 0;
    if (!on_cadence && r->ts.step != total) return;
    const Acc *acc = &r->acc;
    TrainLogStep s = {.step = r->ts.step, .loss = r->loss_sum / r->loss_n,
                      .cell = (double)acc->cells_right / fmax(acc->cells, 1),
                      .exact = (double)acc->exact / fmax(acc->puzzles, 1),
                      .lr = optim_lr(&r->cfg.train, r->ts.step - 1, total),
                      .samples_per_s = (double)(r->ts.step - r->step_last) * r->B / fmax(now - r->t_last, 1e-9),
                      .loops = acc->loops / fmax((double)acc->puzzles * r->S, 1), .elapsed_s = r->ts.elapsed_s};
    char line[256];
    snprintf(line, sizeof line, "loss %.4f | cell %.3f exact %.3f | loops %.2f | lr %.2e | %.1f samples/s",
             s.loss, s.cell, s.exact, s.loops, s.lr, s.samples_per_s);
    log_progress(r->ts.step, total, r->ts.elapsed_s, line);
    commit(r);
    trainlog_step(&r->log, &s);
    if (!on_cadence) return;
    memset(&r->acc, 0, sizeof r->acc);
    r->loss_sum = 0.0; r->loss_n = 0;
    r->t_last = now; r->step_last = r->ts.step;
}

// Evaluation on the validation split with the EMA weights, on a view of the model with its own
// inference buffers (one slot): the training buffers and the rows' carried trm/hrm states stay.
static void eval_step(Run *r) {
    Model *v = &r->eval_view;
    if (!v->params_memory) {
        model_view(v, &r->m, r->opt.ema ? r->opt.ema : r->m.params_memory);
        model_alloc(v, r->B, 1, 0);
    }
    Acc va;
    evaluate(v, &r->data, &r->valid, r->K, r->pred, r->used, &va);
    log_progress_end();
    if (stop_requested) return;   // a partial evaluation is not reported
    double cell = (double)va.cells_right / fmax(va.cells, 1), exact = (double)va.exact / fmax(va.puzzles, 1),
           loops = va.loops / fmax((double)va.puzzles * r->S, 1);
    log_info("eval step %ld: %ld puzzles, cell %.4f, exact %.4f, loops %.2f%s", r->ts.step, va.puzzles, cell, exact,
             loops, r->opt.ema ? " (EMA weights)" : "");
    commit(r);
    trainlog_eval(&r->log, r->ts.step, va.puzzles, cell, exact, loops, r->ts.elapsed_s);
}

static void run_free(Run *r) {
    trainlog_close(&r->log);
    free(r->bq); free(r->ba); free(r->bh); free(r->pred); free(r->used); free(r->coords); free(r->data.scratch);
    schedule_free(&r->sched);
    split_free(&r->valid); split_free(&r->train);
    optim_free(&r->opt);
    model_free(&r->eval_view);
    model_free(&r->m);
}

// Ctrl-C before the first step of this process: nothing new to save, the folder is as it was.
static int stop_before_training(Run *r, const Args *a) {
    if (a->resume) warnf("interrupted before training started: no checkpoint written (%s is unchanged)", a->resume);
    else warnf("interrupted before training started: no checkpoint written");
    run_free(r);
    return EXIT_RUNTIME;
}

int cmd_train(int argc, char **argv) {
    Args a;
    if (!parse_args(&a, argc, argv)) return EXIT_OK;
    stop_on_signals();   // before any work: an early Ctrl-C still ends with a message
    Run r;
    memset(&r, 0, sizeof r);
    resolve_config(&r, &a);
    if (r.ts.step == r.cfg.train.steps) {   // a resumed run that is already complete
        log_info("%s is at step %ld of train.steps %ld already: nothing to train (--set train.steps=N to go on)",
                 a.resume, r.ts.step, r.cfg.train.steps);
        free(a.sets);
        run_free(&r);
        return EXIT_OK;
    }
    prepare_out(&r, &a);   // before the work: a bad --out is found now, not after the last step
    if (!stop_requested) build(&r, &a);
    if (!stop_requested) load_data(&r);
    free(a.sets);
    if (stop_requested) return stop_before_training(&r, &a);
    // trm/hrm: a sample stays in its row for several supervision steps (schedule.c).
    // A resumed run starts every row fresh (the carried states are not in the checkpoint).
    schedule_init(&r.sched, &r.m, r.cfg.recursion.n_sup, r.cfg.train.progressive, r.cfg.train.seed);
    long total = r.cfg.train.steps, first = r.ts.step;
    if (a.resume) restore_log_sums(&r);
    r.t0 = r.t_last = now_seconds();
    r.elapsed0 = r.ts.elapsed_s;
    r.step_last = r.ts.step;
    const TrainConfig *tc = &r.cfg.train;
    while (r.ts.step < total && !stop_requested) {
        make_batch(&r);
        if (!train_step(&r)) continue;
        log_step(&r, total);
        long step = r.ts.step;
        if (r.valid.n >= r.B && ((tc->eval_every && step % tc->eval_every == 0) || step == total)) eval_step(&r);
        if ((tc->ckpt_every && step % tc->ckpt_every == 0) || step == total)
            save_run(&r);
    }
    log_progress_end();
    int rc = EXIT_OK;
    if (stop_requested) {
        char q[1300];
        if (r.ts.step == first) {
            warnf("interrupted before the first step: no checkpoint written%s%s%s",
                  a.resume ? " (" : "", a.resume ? a.resume : "", a.resume ? " is unchanged)" : "");
        } else {
            save_run(&r);
            warnf("interrupted at step %ld of %ld: checkpoint saved to %s; continue with: loopt train --resume %s",
                  r.ts.step, total, r.ckpt_path, shell_word(r.ckpt_path, q, sizeof q));
        }
        rc = EXIT_RUNTIME;
    } else {
        log_info("done: %ld steps in %.1f s; checkpoint %s", r.ts.step, r.ts.elapsed_s, r.ckpt_path);
    }
    run_free(&r);
    return rc;
}
