// test_args.c — the "did you mean" helpers of src/util/args.c: the edit distance, the choice of
// the closest name (and when there is none), unknown_option's two lines from a usage text,
// and arg_range.
#include "test.h"

#include <string.h>

#include "loopt/args.h"

TEST(args_edit_distance) {
    EXPECT(edit_distance("", "") == 0);
    EXPECT(edit_distance("solve", "solve") == 0);
    EXPECT(edit_distance("solv", "solve") == 1);      // delete
    EXPECT(edit_distance("sovle", "solve") == 1);     // swap of neighbours counts once
    EXPECT(edit_distance("eval", "evil") == 1);       // substitute
    EXPECT(edit_distance("", "gen") == 3);
    EXPECT(edit_distance("kitten", "sitting") == 3);
    char long_word[200];
    memset(long_word, 'a', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    EXPECT(edit_distance(long_word, "a") == 199);     // too long to compare: never close
}

TEST(args_closest_name) {
    static const char *const cmds[] = {"gen", "check", "solve", "eval", "info"};
    static const char *const opts[] = {"--model", "--iters", "--fixed", "--size"};
    EXPECT(closest_name("solv", cmds, 5) == 2);
    EXPECT(closest_name("sovle", cmds, 5) == 2);
    EXPECT(closest_name("in", cmds, 5) == 4);         // a prefix
    EXPECT(closest_name("frobnicate", cmds, 5) == -1);
    EXPECT(closest_name("x", cmds, 5) == -1);
    EXPECT(closest_name("", cmds, 5) == -1);
    EXPECT(closest_name("--iter", opts, 4) == 1);
    EXPECT(closest_name("--mdoel=x", opts, 4) == 0);  // the value is not part of the name
    EXPECT(closest_name("-iters", opts, 4) == 1);     // one dash
    EXPECT(closest_name("--size", opts, 4) == -1);    // never the word itself
    EXPECT(closest_name("--bogus", opts, 4) == -1);
}

static void unknown_iter(void *arg) {
    unknown_option("usage: loopt solve [--model CKPT] [--iters N]\n  --iters N   loops\n", "solve", "--iter");
}

TEST(args_unknown_option) {
    char err[512];
    int rc = test_in_child(unknown_iter, NULL, err, sizeof err);
    EXPECTF(rc == 2, "exit %d", rc);
    EXPECTF(!strcmp(err, "loopt: solve: unknown option '--iter' (did you mean '--iters'?)\n"
                         "see 'loopt solve --help'\n"), "stderr: %s", err);
}

static void range_bad(void *arg) {
    long lo, hi;
    arg_range("--rating", (const char *)arg, 0, 100, &lo, &hi);
}

// "A-B", "A" and "A-" (A to the maximum); junk and empty ranges exit 2 naming the option.
TEST(args_range) {
    long lo = -1, hi = -1;
    arg_range("--givens", "22-26", 17, 81, &lo, &hi);
    EXPECT(lo == 22 && hi == 26);
    arg_range("--givens", "24", 17, 81, &lo, &hi);
    EXPECT(lo == 24 && hi == 24);
    arg_range("--rating", "30-", 0, 1000, &lo, &hi);
    EXPECT(lo == 30 && hi == 1000);
    const char *bad[] = {"-5", "5-x", "7-3", "5--", "200-"};
    for (int i = 0; i < 5; i++) {
        char err[512];
        int rc = test_in_child(range_bad, (void *)bad[i], err, sizeof err);
        EXPECTF(rc == 2 && strstr(err, "--rating") != NULL, "'%s': exit %d: %s", bad[i], rc, err);
    }
}
