// trainlog.c — the training log (JSON lines) and the atomic text writer config.json goes
// through. What the lines hold and when the file is replaced or appended: trainlog.h.
#include "loopt/trainlog.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loopt/check.h"
#include "loopt/log.h"

#define MAX_LOG_BYTES ((size_t)1 << 30)

int write_text_atomic(const char *path, const char *text, char *why, size_t whylen) {
    char tmp[1100];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return failf(why, whylen, "%s: path too long", path);
    char kind[300];
    if (!output_path_ok(path, kind, sizeof kind)) return failf(why, whylen, "%s: %s", path, kind);
    FILE *f = fopen(tmp, "w");
    if (!f) return failf(why, whylen, "%s: cannot create %s: %s", path, tmp, strerror(errno));
    int ok = fputs(text, f) >= 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int err = errno;
    ok &= fclose(f) == 0;
    if (ok && rename(tmp, path) == 0) return 1;
    if (ok) err = errno;
    unlink(tmp);
    return failf(why, whylen, "%s: cannot write it: %s", path, strerror(err));
}

// The step of one log line; -1 when the line is not one JSON object (nothing after it) with a
// step that is a whole number in [0, 1e15] (a larger double would not fit a long).
static long line_step(const char *line) {
    cJSON *j = cJSON_ParseWithOpts(line, NULL, 1);
    const cJSON *s = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "step") : NULL;
    double v = cJSON_IsNumber(s) ? s->valuedouble : -1;
    long step = v >= 0 && v <= 1e15 && v == floor(v) ? (long)v : -1;
    cJSON_Delete(j);
    return step;
}

// A resumed run: drop the lines with a step past resume_step (and a last line cut short by a
// kill), rewriting the file only when something goes. A line that is no log line means the
// file is not a training log: exit 2 rather than append to it. A log not known as this run's
// (`foreign` says whose log is) is neither cut nor appended to without force.
static void trim(const char *path, const char *what, long resume_step, int force, const char *foreign) {
    struct stat st;
    if (stat(path, &st) != 0) return;   // no log yet (a run from before logs): appending starts one
    size_t len;
    char *buf = read_file(path, MAX_LOG_BYTES, &len), *out = xmalloc(len + 1), *p = buf;
    out[0] = '\0';   // every line may go: the rewrite is then empty, not the allocation's bytes
    size_t n_out = 0;
    int lineno = 0, dropped = 0, lines = 0;
    long last = -1;
    while (*p) {
        char *ln = p, *nl = strchr(p, '\n');
        if (nl) { *nl = '\0'; p = nl + 1; } else p += strlen(p);
        lineno++;
        if (strspn(ln, " \t\r") == strlen(ln)) continue;
        long step = line_step(ln);
        if (step < 0 && nl)
            die(EXIT_USAGE, "%s:%d: not a line of a training log (a JSON object with a \"step\"): %s is not "
                "`loopt train`'s log; move it away or choose another file with --log", path, lineno, path);
        lines++;
        if (step > last) last = step;
        if (step < 0 || step > resume_step) { dropped++; continue; }   // no newline: cut short by a kill
        n_out += (size_t)sprintf(out + n_out, "%s\n", ln);
    }
    if (foreign && lines && !force) {
        char cut[160] = "";
        if (dropped)
            snprintf(cut, sizeof cut, "drop its %d line%s past step %ld and ", dropped, dropped == 1 ? "" : "s",
                     resume_step);
        die(EXIT_USAGE, "%s %s: holds a training log (%d line%s, to step %ld) that is not known as this run's (%s): "
            "resuming would %sappend this run's lines to it; pass --force to do that, or choose another file "
            "with --log", what, path, lines, lines == 1 ? "" : "s", last, foreign, cut);
    }
    char why[1300];
    if (dropped && !write_text_atomic(path, out, why, sizeof why)) die(EXIT_RUNTIME, "%s", why);
    if (dropped)
        log_info("%s: dropped %d line%s past step %ld (written after the checkpoint; this run writes those steps "
                 "again)", path, dropped, dropped == 1 ? "" : "s", resume_step);
    free(out);
    free(buf);
}

// 1 if the first line of the file at path is a training log line (or the file is empty).
static int holds_log(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 1;   // unreadable: the open at the first line says why
    char line[4096];
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    return n == 0 || line_step(line) >= 0;
}

void trainlog_prepare(TrainLog *l, const char *path, const char *what, long resume_step, int force,
                      const char *foreign) {
    memset(l, 0, sizeof *l);
    size_t n = strlen(path);
    if (n >= sizeof l->path) die(EXIT_USAGE, "%s %s: path too long", what, path);
    memcpy(l->path, path, n + 1);
    l->append = resume_step >= 0;
    if (!strcmp(path, "-")) return;   // stdout
    check_writable(what, path);
    if (l->append) { trim(path, what, resume_step, force, foreign); return; }
    struct stat st;
    if (!force && stat(path, &st) == 0 && st.st_size > 0) {
        if (!holds_log(path))
            die(EXIT_USAGE, "%s %s: holds something that is not a training log (its first line is no JSON object "
                "with a \"step\"): choose another file with --log, or pass --force to replace it", what, path);
        die(EXIT_USAGE, "%s %s: already holds a training log (another run's); pass --force to replace it, or "
            "choose another file with --log", what, path);
    }
}

// The file, opened on the first line; NULL when there is none or it failed.
static FILE *log_file(TrainLog *l) {
    if (l->f || l->failed || !l->path[0]) return l->f;
    l->f = !strcmp(l->path, "-") ? stdout : fopen(l->path, l->append ? "a" : "w");
    if (!l->f) {
        warnf("%s: cannot open the training log: %s; training goes on without it", l->path, strerror(errno));
        l->failed = 1;
    }
    return l->f;
}

static void log_line(TrainLog *l, const char *line) {
    FILE *f = log_file(l);
    if (!f || l->failed) return;   // after a failed write (a full disk): warned once, no more lines
    if (fputs(line, f) < 0 || fflush(f) != 0) {
        warnf("%s: writing the training log failed: %s; training goes on without it", l->path, strerror(errno));
        l->failed = 1;
    }
}

// A JSON number ("%.6g"); null for NaN and infinities, which JSON has no spelling for.
static const char *num(char *buf, double v) {
    if (isfinite(v)) snprintf(buf, 32, "%.6g", v);
    else snprintf(buf, 32, "null");
    return buf;
}

void trainlog_step(TrainLog *l, const TrainLogStep *s) {
    char line[512], b[7][32];
    snprintf(line, sizeof line, "{\"step\": %ld, \"loss\": %s, \"cell\": %s, \"exact\": %s, \"lr\": %s, "
             "\"samples_per_s\": %s, \"loops\": %s, \"elapsed_s\": %.3f}\n", s->step, num(b[0], s->loss),
             num(b[1], s->cell), num(b[2], s->exact), num(b[3], s->lr), num(b[4], s->samples_per_s),
             num(b[5], s->loops), s->elapsed_s);
    log_line(l, line);
}

void trainlog_eval(TrainLog *l, long step, long puzzles, double cell, double exact, double loops, double elapsed_s) {
    char line[512], b[3][32];
    snprintf(line, sizeof line, "{\"step\": %ld, \"eval\": true, \"puzzles\": %ld, \"cell\": %s, \"exact\": %s, "
             "\"loops\": %s, \"elapsed_s\": %.3f}\n", step, puzzles, num(b[0], cell), num(b[1], exact),
             num(b[2], loops), elapsed_s);
    log_line(l, line);
}

void trainlog_close(TrainLog *l) {
    if (l->f && l->f != stdout) fclose(l->f);
    l->f = NULL;
}
