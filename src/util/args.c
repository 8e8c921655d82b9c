// args.c — option parsing helpers shared by every subcommand.
#include "loopt/args.h"
#include "loopt/check.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int arg_is_help(const char *a) { return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0; }

int arg_flag(char **argv, int i, const char *name) { return strcmp(argv[i], name) == 0; }

int arg_value(int argc, char **argv, int *i, const char *name, const char **val) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') { *val = a + n + 1; return 1; }
    if (a[n] != '\0') return 0;
    if (*i + 1 >= argc) die(EXIT_USAGE, "option %s needs a value", name);
    *val = argv[++*i];
    return 1;
}

long arg_long(const char *opt, const char *val, long lo, long hi) {
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (end == val || *end != '\0') die(EXIT_USAGE, "%s: expected an integer, got '%s'", opt, val);
    if (errno == ERANGE)   // digits, but more than a long holds
        die(EXIT_USAGE, "%s: %s is out of range: expected a value in [%ld, %ld]", opt, val, lo, hi);
    if (errno) die(EXIT_USAGE, "%s: expected an integer, got '%s'", opt, val);
    if (v < lo || v > hi) die(EXIT_USAGE, "%s: expected a value in [%ld, %ld], got %ld", opt, lo, hi, v);
    return v;
}

int arg_enum(const char *opt, const char *val, const char *const *names) {
    char list[256] = "";
    for (int k = 0; names[k]; k++) {
        if (!strcmp(val, names[k])) return k;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", names[k]);
    }
    die(EXIT_USAGE, "%s: expected one of %s, got '%s'", opt, list, val);
}

double arg_double(const char *opt, const char *val, double lo, double hi) {
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (end == val || *end != '\0') die(EXIT_USAGE, "%s: expected a number, got '%s'", opt, val);
    if (errno)   // ERANGE: past a double's range (1e999) or below its smallest (1e-400)
        die(EXIT_USAGE, "%s: %s is out of range: expected a value in [%g, %g]", opt, val, lo, hi);
    if (!(v >= lo && v <= hi)) die(EXIT_USAGE, "%s: expected a value in [%g, %g], got %g", opt, lo, hi, v);
    return v;
}

uint64_t arg_u64(const char *opt, const char *val) {
    char *end;
    errno = 0;
    if (val[0] == '-') die(EXIT_USAGE, "%s: expected a non-negative integer, got '%s'", opt, val);
    unsigned long long v = strtoull(val, &end, 10);
    if (end == val || *end != '\0') die(EXIT_USAGE, "%s: expected a non-negative integer, got '%s'", opt, val);
    if (errno == ERANGE)
        die(EXIT_USAGE, "%s: %s is out of range: expected a non-negative integer below 2^64", opt, val);
    if (errno) die(EXIT_USAGE, "%s: expected a non-negative integer, got '%s'", opt, val);
    return (uint64_t)v;
}

void arg_range(const char *opt, const char *val, long min, long max, long *lo, long *hi) {
    char buf[64];
    if (strlen(val) >= sizeof buf) die(EXIT_USAGE, "%s: expected A-B, got '%s'", opt, val);
    strcpy(buf, val);
    char *dash = strchr(buf, '-');
    if (dash) *dash = '\0';
    *lo = arg_long(opt, buf, min, max);
    *hi = !dash ? *lo : dash[1] ? arg_long(opt, dash + 1, min, max) : max;   // "A-": A to max
    if (*lo > *hi) die(EXIT_USAGE, "%s: empty range '%s' (A must be <= B)", opt, val);
}

// ---- usage errors and "did you mean" ------------------------------------------------------

#define WORD_MAX 64    // longer words are never close to a name
#define OPT_MAX 32     // the longest --option name kept from a usage text
#define OPT_N 96       // the most --options kept from a usage text

static void see_help(const char *cmd) {
    if (cmd && *cmd) fprintf(stderr, "see 'loopt %s --help'\n", cmd);
    else fputs("see 'loopt --help'\n", stderr);
}

// The command a usage text is for ("usage: loopt gen sudoku ..." -> "gen"), into buf; "" if none.
static const char *usage_cmd(const char *usage, char *buf, size_t len) {
    static const char pre[] = "usage: loopt ";
    buf[0] = '\0';
    if (usage && strncmp(usage, pre, sizeof pre - 1) == 0) {
        const char *s = usage + sizeof pre - 1;
        size_t n = strcspn(s, " \n");
        if (n < len) { memcpy(buf, s, n); buf[n] = '\0'; }
    }
    return buf;
}

void usage_error(const char *usage, const char *fmt, ...) {
    va_list ap;
    char cmd[32];
    fflush(stdout);
    fputs("loopt: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    see_help(usage_cmd(usage, cmd, sizeof cmd));
    exit(EXIT_USAGE);
}

// Optimal string alignment: Levenshtein plus the swap of two neighbours ("modle" -> "model": 1).
int edit_distance(const char *a, const char *b) {
    int n = (int)strlen(a), m = (int)strlen(b);
    if (n > WORD_MAX || m > WORD_MAX) return n > m ? n : m;
    int d[WORD_MAX + 1][WORD_MAX + 1];
    for (int i = 0; i <= n; i++) d[i][0] = i;
    for (int j = 0; j <= m; j++) d[0][j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

int closest_name(const char *word, const char *const *names, int n) {
    size_t wlen = strcspn(word, "=");                  // --iter=5: the name part
    const char *core = word + strspn(word, "-");
    size_t len = strcspn(core, "=");
    if (len == 0 || len > WORD_MAX) return -1;
    char w[WORD_MAX + 1];
    memcpy(w, core, len);
    w[len] = '\0';
    int best = -1, best_d = WORD_MAX + 1;
    for (int k = 0; k < n; k++) {
        if (strlen(names[k]) == wlen && strncmp(names[k], word, wlen) == 0) continue;
        const char *name = names[k] + strspn(names[k], "-");
        int d = len >= 2 && strncmp(name, w, len) == 0 ? 0 : edit_distance(w, name);
        if (d < best_d) { best_d = d; best = k; }
    }
    return best >= 0 && best_d * 3 <= (int)len + 1 ? best : -1;
}

void unknown_name(const char *msg, const char *word, const char *const *names, int n, const char *help_cmd) {
    int k = closest_name(word, names, n);
    fflush(stdout);
    if (k >= 0) fprintf(stderr, "loopt: %s (did you mean '%s'?)\n", msg, names[k]);
    else fprintf(stderr, "loopt: %s\n", msg);
    see_help(help_cmd);
    exit(EXIT_USAGE);
}

// The --options a usage text names, each once, into buf and names; returns how many (<= OPT_N).
static int usage_options(const char *usage, char buf[][OPT_MAX], const char **names) {
    int n = 0;
    for (const char *p = usage; n < OPT_N && (p = strstr(p, "--")) != NULL; p += 2) {
        if (p > usage && (isalnum((unsigned char)p[-1]) || p[-1] == '-')) continue;
        size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
        if (len >= OPT_MAX || !isalpha((unsigned char)p[2])) continue;
        int seen = 0;
        for (int k = 0; k < n && !seen; k++) seen = strlen(names[k]) == len && !strncmp(names[k], p, len);
        if (seen) continue;
        memcpy(buf[n], p, len);
        buf[n][len] = '\0';
        names[n] = buf[n];
        n++;
    }
    return n;
}

void unknown_option(const char *usage, const char *cmd, const char *arg) {
    char buf[OPT_N][OPT_MAX];
    const char *names[OPT_N];
    int n = usage_options(usage, buf, names);
    char msg[256];
    snprintf(msg, sizeof msg, "%s: unknown option '%.100s'", cmd, arg);
    unknown_name(msg, arg, names, n, cmd);
}
