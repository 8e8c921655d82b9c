// log.c — info lines and an in-place progress line with ETA on stderr.
#include "loopt/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int log_quiet = 0;
static int progress_open = 0;

void log_info(const char *fmt, ...) {
    if (log_quiet) return;
    if (progress_open) { fputc('\n', stderr); progress_open = 0; }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void log_hms(char *buf, size_t n, double s) {
    if (s < 0 || s > 1e8) { snprintf(buf, n, "--:--"); return; }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else snprintf(buf, n, "%02ld:%02ld", t / 60, t % 60);
}

void log_progress(long done, long total, double elapsed_s, const char *extra) {
    if (log_quiet) return;
    char el[32], eta[32];
    log_hms(el, sizeof el, elapsed_s);
    log_hms(eta, sizeof eta, done > 0 ? elapsed_s * (double)(total - done) / (double)done : -1);
    int tty = isatty(2);
    fprintf(stderr, "%s[%ld/%ld] %s | %s elapsed, ETA %s%s", tty ? "\r\033[K" : "", done, total,
            extra ? extra : "", el, eta, tty ? "" : "\n");
    fflush(stderr);
    progress_open = tty;
}

void log_progress_end(void) {
    if (progress_open) { fputc('\n', stderr); progress_open = 0; }
}
