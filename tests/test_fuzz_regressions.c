// test_fuzz_regressions.c — every input the fuzzers ever crashed on (tests/fuzz_regressions/
// <target>/) and every seed of their corpora (tests/fuzz_corpus/<target>/) goes through the
// normal reader path, the one the CLI uses (no -DLOOPT_FUZZ: die() exits), in a forked child.
// The child must exit 0 (accepted) or 2 (refused with a message), never die by a signal, and
// must not run out of memory: outside sanitizer builds it runs under a 1 GiB address-space
// limit, so a small file that makes a reader allocate gigabytes fails the test.
#include "test.h"

#include "loopt/ckpt.h"
#include "loopt/config.h"
#include "loopt/taskmodel.h"
#include "loopt/image.h"
#include "loopt/maze.h"
#include "loopt/model.h"
#include "loopt/modelio.h"
#include "loopt/sudoku.h"
#include "loopt/check.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct { const char *target, *path; } Input;

static void run_input(void *arg) {
    const Input *in = arg;
    char why[512];
#if !defined(__SANITIZE_ADDRESS__)   // ASan reserves terabytes of address space
    struct rlimit rl = {1ul << 30, 1ul << 30};
    setrlimit(RLIMIT_AS, &rl);
#endif
    if (!strcmp(in->target, "config")) {
        char *text = read_file(in->path, 1 << 20, NULL);
        Config c;
        config_defaults(&c);
        config_from_json(&c, text, in->path);
        free(text);
    } else if (!strcmp(in->target, "sudoku")) {
        SudokuSet s;
        sudoku_read(in->path, &s, 1);
        sudoku_set_free(&s);
        sudoku_read_pairs(in->path, &s, 1);
        sudoku_set_free(&s);
        sudoku_read(in->path, &s, 0);   // strict: the first bad entry exits 2
        sudoku_set_free(&s);
    } else if (!strcmp(in->target, "maze")) {
        MazeSet s;
        maze_read(in->path, &s, 1);
        maze_set_free(&s);
        maze_read(in->path, &s, 0);
        maze_set_free(&s);
    } else if (!strcmp(in->target, "png")) {
        uint8_t *g;
        int h, w;
        if (!maze_read_png(in->path, &g, &h, &w, why, sizeof why)) die(EXIT_USAGE, "%s: %s", in->path, why);
        free(g);
    } else if (!strcmp(in->target, "ckpt")) {
        Ckpt c;
        if (!ckpt_read(in->path, &c, why, sizeof why)) die(EXIT_USAGE, "%s", why);
        ckpt_free(&c);
        Config cfg;   // what `loopt info` / `solve --model` do next
        Model m;
        model_load(in->path, &cfg, &m, 1, NULL, NULL);
        model_free(&m);
    }
}

// Feed every file under dir/<target>/ for each target; returns the number of files fed.
static int feed_dir(const char *dir) {
    static const char *targets[] = {"config", "sudoku", "maze", "png", "ckpt"};
    int fed = 0;
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        char sub[256];
        snprintf(sub, sizeof sub, "%s/%s", dir, targets[t]);
        DIR *d = opendir(sub);
        if (!d) continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            char path[512], err[4096];
            snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
            Input in = {targets[t], path};
            int st = test_in_child(run_input, &in, err, sizeof err);
            EXPECTF(st == 0 || st == 2, "%s reader on %s: %s (exit %d); stderr: %.300s", targets[t], path,
                    st < 0 ? "killed by a signal" : "unexpected exit status", st, err);
            EXPECTF(!strstr(err, "out of memory") && !strstr(err, "outofmem"),
                    "%s reader on %s ran out of memory: %.300s", targets[t], path, err);
            fed++;
        }
        closedir(d);
    }
    return fed;
}

TEST(fuzz_regressions_never_crash) {
    int n = feed_dir("tests/fuzz_regressions");
    if (n == 0) SKIP("no tests/fuzz_regressions (run from the repository root)");
}

TEST(fuzz_seed_corpora_never_crash) {
    int n = feed_dir("tests/fuzz_corpus");
    if (n == 0) SKIP("no tests/fuzz_corpus (run from the repository root)");
}
