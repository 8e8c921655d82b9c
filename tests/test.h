// test.h — a tiny test harness. Each tests/test_*.c defines tests with TEST(name) { ... };
// they register themselves (constructor) and tests/test_main.c runs them all, or those whose
// name contains argv[1]. EXPECT failures are counted and reported with file:line; a test
// passes if it recorded no failure. SKIP("why") ends a test as skipped (e.g. no ../shared).
#ifndef LOOPT_TEST_H
#define LOOPT_TEST_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>

typedef void (*TestFn)(void);
void test_register(const char *name, TestFn fn);
void test_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void test_skip(const char *why);
extern int test_current_failed;
extern int test_current_skipped;

#define TEST(name)                                                             \
    static void name(void);                                                    \
    __attribute__((constructor)) static void register_##name(void) {           \
        test_register(#name, name);                                            \
    }                                                                          \
    static void name(void)

#define EXPECT(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, "%s", #cond); } while (0)
#define EXPECTF(cond, ...) do { if (!(cond)) test_fail(__FILE__, __LINE__, __VA_ARGS__); } while (0)
#define EXPECT_NEAR(a, b, tol) do { double a_ = (a), b_ = (b);                                  \
    if (!(fabs(a_ - b_) <= (tol))) test_fail(__FILE__, __LINE__, "%s = %g, %s = %g, |diff| > %g", \
                                             #a, a_, #b, b_, (double)(tol)); } while (0)
#define SKIP(why) do { test_skip(why); return; } while (0)

// Path of `name` inside one temp directory per test run (created on first use, removed with
// its files at exit by the process that made it). "" gives the directory itself (with a
// trailing '/'). The result lives in a ring of 8 static buffers: copy it to keep it longer.
const char *test_tmp_path(const char *name);

// Run fn(arg) in a forked child with its stderr captured into err (cap bytes, NUL-terminated;
// the child exits 0 when fn returns). Returns the child's exit status, or -1 if it did not
// exit normally (killed) or could not be started. For code that dies (exit 2) on bad input.
int test_in_child(void (*fn)(void *), void *arg, char *err, size_t cap);

// Path of the file `name` in the shared puzzle folder (../shared/puzzles relative to the repo,
// or $LOOPT_PUZZLES), or NULL if the folder or the file is absent or unreadable: a test that
// needs it SKIPs. The result lives in a static buffer.
const char *test_shared_puzzle(const char *name);

#endif
