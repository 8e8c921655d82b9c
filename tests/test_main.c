// test_main.c — runs every registered TEST; prints one line per test and the closing counts.
// Also the helpers test.h declares for all test files: a temp directory and run-in-a-child.
#include "test.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

static const char *shared_puzzles(void) {
    static const char *cands[] = {"../shared/puzzles", "../../shared/puzzles"};
    const char *env = getenv("LOOPT_PUZZLES");
    struct stat st;
    if (env && stat(env, &st) == 0 && S_ISDIR(st.st_mode)) return env;
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode)) return cands[i];
    return NULL;
}

const char *test_shared_puzzle(const char *name) {
    static char path[512];
    const char *dir = shared_puzzles();
    if (!dir) return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, R_OK) == 0 ? path : NULL;
}

static char tmpdir[64];
static pid_t tmp_owner;
static void tmp_cleanup(void) {
    if (getpid() != tmp_owner) return;   // a forked child that died must not delete it
    DIR *d = opendir(tmpdir);
    if (!d) return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(tmpdir);
}

const char *test_tmp_path(const char *name) {
    static char buf[8][160];
    static int k = 0;
    if (!tmpdir[0]) {
        strcpy(tmpdir, "/tmp/loopt_test_XXXXXX");
        if (!mkdtemp(tmpdir)) { perror("mkdtemp"); exit(1); }
        tmp_owner = getpid();
        atexit(tmp_cleanup);
    }
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

int test_in_child(void (*fn)(void *), void *arg, char *err, size_t cap) {
    char tmpl[] = "/tmp/loopt_test_err_XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) { err[0] = '\0'; return -1; }
    fflush(stdout); fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        fn(arg);
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) status = -1;
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, err, cap - 1);
    err[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(tmpl);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
