// test_main.c — runs every registered TEST; prints one line per test and the closing counts.
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TESTS 1024
static struct { const char *name; TestFn fn; } tests[MAX_TESTS];
static int n_tests = 0;
int test_current_failed = 0;
int test_current_skipped = 0;
static char skip_reason[256];

void test_register(const char *name, TestFn fn) {
    if (n_tests == MAX_TESTS) { fprintf(stderr, "too many tests\n"); exit(1); }
    tests[n_tests].name = name;
    tests[n_tests].fn = fn;
    n_tests++;
}

void test_fail(const char *file, int line, const char *fmt, ...) {
    if (test_current_failed < 10) {   // keep the log readable when a loop fails many times
        va_list ap;
        fprintf(stdout, "    %s:%d: ", file, line);
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
    }
    test_current_failed++;
}

void test_skip(const char *why) {
    test_current_skipped = 1;
    snprintf(skip_reason, sizeof skip_reason, "%s", why);
}

const char *test_shared_puzzles(void) {
    static const char *cands[] = {"../shared/puzzles", "../../shared/puzzles"};
    const char *env = getenv("LOOPT_PUZZLES");
    struct stat st;
    if (env && stat(env, &st) == 0 && S_ISDIR(st.st_mode)) return env;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode)) return cands[i];
    return NULL;
}

static int cmp_tests(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    qsort(tests, n_tests, sizeof tests[0], cmp_tests);  // stable order whatever the link order
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < n_tests; i++) {
        if (filter && !strstr(tests[i].name, filter)) continue;
        test_current_failed = 0;
        test_current_skipped = 0;
        fprintf(stdout, "  %s ...\n", tests[i].name);
        fflush(stdout);
        tests[i].fn();
        if (test_current_failed) { failed++; fprintf(stdout, "FAIL %s\n", tests[i].name); }
        else if (test_current_skipped) { skipped++; fprintf(stdout, "skip %s (%s)\n", tests[i].name, skip_reason); }
        else { passed++; fprintf(stdout, "ok   %s\n", tests[i].name); }
        fflush(stdout);
    }
    fprintf(stdout, "unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
