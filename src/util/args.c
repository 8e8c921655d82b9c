// args.c — option parsing helpers shared by every subcommand.
#include "loopt/args.h"
#include "loopt/check.h"

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
    if (errno || end == val || *end != '\0')
        die(EXIT_USAGE, "%s: expected an integer, got '%s'", opt, val);
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
    if (errno || end == val || *end != '\0')
        die(EXIT_USAGE, "%s: expected a number, got '%s'", opt, val);
    if (!(v >= lo && v <= hi)) die(EXIT_USAGE, "%s: expected a value in [%g, %g], got %g", opt, lo, hi, v);
    return v;
}

uint64_t arg_u64(const char *opt, const char *val) {
    char *end;
    errno = 0;
    if (val[0] == '-') die(EXIT_USAGE, "%s: expected a non-negative integer, got '%s'", opt, val);
    unsigned long long v = strtoull(val, &end, 10);
    if (errno || end == val || *end != '\0')
        die(EXIT_USAGE, "%s: expected a non-negative integer, got '%s'", opt, val);
    return (uint64_t)v;
}

void arg_range(const char *opt, const char *val, long min, long max, long *lo, long *hi) {
    char buf[64];
    if (strlen(val) >= sizeof buf) die(EXIT_USAGE, "%s: expected A-B, got '%s'", opt, val);
    strcpy(buf, val);
    char *dash = strchr(buf, '-');
    if (dash) *dash = '\0';
    *lo = arg_long(opt, buf, min, max);
    *hi = dash ? arg_long(opt, dash + 1, min, max) : *lo;
    if (*lo > *hi) die(EXIT_USAGE, "%s: empty range '%s' (A must be <= B)", opt, val);
}

void usage_error(const char *usage, const char *fmt, ...) {
    va_list ap;
    fputs("loopt: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n%s", usage);
    exit(EXIT_USAGE);
}
