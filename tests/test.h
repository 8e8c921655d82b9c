// test.h — a tiny test harness. Each tests/test_*.c defines tests with TEST(name) { ... };
// they register themselves (constructor) and tests/test_main.c runs them all, or those whose
// name contains argv[1]. EXPECT failures are counted and reported with file:line; a test
// passes if it recorded no failure. SKIP("why") ends a test as skipped (e.g. no ../shared).
#ifndef LOOPT_TEST_H
#define LOOPT_TEST_H

#include <math.h>
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

// Path to the shared puzzle folder (../shared/puzzles relative to the repo), or NULL if absent.
const char *test_shared_puzzles(void);

#endif
