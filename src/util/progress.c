// progress.c — the puzzles-done line of `solve` and `eval` (progress.h).
#include "loopt/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "loopt/log.h"
#include "loopt/timer.h"

#define PROGRESS_AFTER_S 1.0    // quiet work that ends sooner (LOOPT_PROGRESS_DELAY overrides)
#define PROGRESS_EVERY_S 0.2    // between redraws

// LOOPT_PROGRESS_DELAY=SECONDS (like git's GIT_PROGRESS_DELAY): how long work stays quiet
// before the line shows; 0 shows it at once (the tests: their work may end within a second).
// Anything but a number >= 0 leaves the default.
static double progress_delay(void) {
    const char *s = getenv("LOOPT_PROGRESS_DELAY");
    char *end;
    double d = s ? strtod(s, &end) : 0.0;
    return s && *s && *end == '\0' && d >= 0.0 ? d : PROGRESS_AFTER_S;
}

void progress_start(Progress *p) {
    *p = (Progress){.on = isatty(2) && !log_quiet, .clear_out = isatty(1), .delay = progress_delay()};
    p->t0 = p->t_phase = now_seconds();
}

void progress_phase(Progress *p) { p->t_phase = now_seconds(); }

static void erase(Progress *p) {
    if (!p->shown) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->shown = 0;
}

void progress_update(Progress *p, const char *label, long done, long total, double frac) {
    if (!p->on) return;
    double now = now_seconds();
    if (now - p->t0 < p->delay) return;
    if (p->shown && now - p->t_draw < PROGRESS_EVERY_S && (done - p->done_draw) * 100 < total) return;
    if (frac < 0) frac = total > 0 ? (double)done / total : 0.0;
    char eta[32];
    log_hms(eta, sizeof eta, frac > 0 ? (now - p->t0) * (1 - frac) / frac : -1);
    fprintf(stderr, "\r\033[K%s: %ld/%ld puzzles, %.1f/s, ETA %s", label, done, total,
            done / (now - p->t_phase > 1e-9 ? now - p->t_phase : 1e-9), eta);
    fflush(stderr);
    p->shown = 1;
    p->t_draw = now;
    p->done_draw = done;
}

void progress_before_output(Progress *p) {
    if (p->clear_out) erase(p);
}

void progress_before_log(Progress *p) { erase(p); }

void progress_end(Progress *p) { erase(p); }
