// test_sudoku_canon.c — unit tests of src/task/sudoku_canon.c: the canonical form is the same
// for every transformed, relabelled copy of a puzzle, differs for puzzles that are not
// equivalent, agrees with brute force over all 3,359,232 transforms on a puzzle full of ties,
// and the set of forms (hash table, growth, files and folders, bad input) finds what it holds.
#include "test.h"
#include "test_util.h"

#include "loopt/log.h"
#include "loopt/rng.h"
#include "loopt/sudoku.h"
#include "loopt/sudoku_canon.h"
#include "loopt/sudoku_hard.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void grid_of(const char *s, uint8_t *g) {
    for (int i = 0; i < SUDOKU_CELLS; i++) g[i] = s[i] == '.' ? 0 : (uint8_t)(s[i] - '0');
}

// Puzzles of every kind: generated ones across the givens range, minimal ones, and the
// degenerate grids where ties abound (empty, one given, one row, a full grid).
static int test_puzzles(uint8_t (*p)[SUDOKU_CELLS], int n) {
    Rng r;
    rng_seed(&r, 3);
    int k = 0;
    memset(p[k++], 0, SUDOKU_CELLS);
    memset(p[k], 0, SUDOKU_CELLS); p[k++][40] = 5;
    grid_of("123456789........................................................................", p[k++]);
    grid_of("12.......34..............................................................5.......", p[k++]);
    uint8_t sol[SUDOKU_CELLS];
    sudoku_generate(&r, 81, 81, p[k++], sol, NULL);
    SudokuSpec spec = {21, 27, 0, 1000000};
    while (k < n / 2) sudoku_generate_minimal(&r, &spec, p[k++], NULL, NULL);
    for (; k < n; k++) sudoku_generate(&r, 22 + k % 30, 22 + k % 30, p[k], sol, NULL);
    return k;
}

TEST(sudoku_canon_invariant_under_transforms) {
    enum { N = 40, T = 25 };   // 1,000 transformed copies
    static uint8_t p[N][SUDOKU_CELLS];
    test_puzzles(p, N);
    Rng r;
    rng_seed(&r, 17);
    for (int i = 0; i < N; i++) {
        uint8_t c0[SUDOKU_CELLS], c1[SUDOKU_CELLS], q[SUDOKU_CELLS];
        sudoku_canon(p[i], c0);
        EXPECT(count_givens(c0) == count_givens(p[i]));
        for (int t = 0; t < T; t++) {
            memcpy(q, p[i], SUDOKU_CELLS);
            sudoku_augment(&r, q, NULL);
            sudoku_canon(q, c1);
            EXPECTF(memcmp(c0, c1, SUDOKU_CELLS) == 0, "puzzle %d, transform %d: another form", i, t);
        }
        sudoku_canon(c0, c1);   // the form is a copy of the puzzle: its own form
        EXPECTF(memcmp(c0, c1, SUDOKU_CELLS) == 0, "puzzle %d: the form's form differs", i);
    }
}

TEST(sudoku_canon_distinct) {
    enum { N = 200 };
    static uint8_t p[N][SUDOKU_CELLS], c[N][SUDOKU_CELLS];
    test_puzzles(p, N);
    for (int i = 0; i < N; i++) sudoku_canon(p[i], c[i]);
    for (int i = 0; i < N; i++)   // random puzzles are never equivalent to each other
        for (int j = i + 1; j < N; j++) EXPECTF(memcmp(c[i], c[j], SUDOKU_CELLS) != 0, "puzzles %d and %d", i, j);
    // One given less is another puzzle (fewer givens), whichever given it is.
    for (int i = 5; i < 40; i++) {
        uint8_t q[SUDOKU_CELLS], cq[SUDOKU_CELLS];
        for (int a = 0; a < SUDOKU_CELLS; a++) {
            if (!p[i][a]) continue;
            memcpy(q, p[i], SUDOKU_CELLS);
            q[a] = 0;
            sudoku_canon(q, cq);
            EXPECT(memcmp(cq, c[i], SUDOKU_CELLS) != 0);
        }
    }
}

// Brute force: every transform, digits relabelled by first appearance, the same order (the
// pattern with givens first, then the smallest labels).
static void canon_brute(const uint8_t *p, uint8_t *best) {
    static const int P3[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    int have = 0;
    uint8_t cur[SUDOKU_CELLS];
    for (int t = 0; t < 2; t++)
    for (int bp = 0; bp < 6; bp++) for (int r0 = 0; r0 < 6; r0++) for (int r1 = 0; r1 < 6; r1++) for (int r2 = 0; r2 < 6; r2++) {
        int rows[9], rp[3] = {r0, r1, r2};
        for (int b = 0; b < 3; b++) for (int j = 0; j < 3; j++) rows[b * 3 + j] = P3[bp][b] * 3 + P3[rp[b]][j];
        for (int sp = 0; sp < 6; sp++) for (int c0 = 0; c0 < 6; c0++) for (int c1 = 0; c1 < 6; c1++) for (int c2 = 0; c2 < 6; c2++) {
            int cols[9], cp[3] = {c0, c1, c2};
            for (int b = 0; b < 3; b++) for (int j = 0; j < 3; j++) cols[b * 3 + j] = P3[sp][b] * 3 + P3[cp[b]][j];
            uint8_t lab[10] = {0};
            int next = 1;
            for (int i = 0; i < SUDOKU_CELLS; i++) {
                int r = rows[i / 9], c = cols[i % 9], d = t ? p[c * 9 + r] : p[r * 9 + c];
                if (d && !lab[d]) lab[d] = (uint8_t)next++;
                cur[i] = d ? lab[d] : 0;
            }
            int cmp = have ? 0 : -1;
            for (int i = 0; i < SUDOKU_CELLS && !cmp; i++)
                if ((cur[i] != 0) != (best[i] != 0)) cmp = cur[i] != 0 ? -1 : 1;
            for (int i = 0; i < SUDOKU_CELLS && !cmp; i++)
                if (cur[i] != best[i]) cmp = cur[i] < best[i] ? -1 : 1;
            if (cmp < 0) { memcpy(best, cur, SUDOKU_CELLS); have = 1; }
        }
    }
}

TEST(sudoku_canon_matches_brute_force) {
    // Blank rows and columns, equal column patterns, a band with one given: ties everywhere.
    uint8_t p[SUDOKU_CELLS], a[SUDOKU_CELLS], b[SUDOKU_CELLS];
    grid_of("1.....2....3.......4......5.....6..........1.....7..8..........9...........3.....", p);
    sudoku_canon(p, a);
    canon_brute(p, b);
    EXPECT(memcmp(a, b, SUDOKU_CELLS) == 0);
}

// ---- sets ---------------------------------------------------------------------------------

TEST(canon_set_add_find_grow) {
    CanonSet s;
    canon_set_init(&s);
    uint8_t f[SUDOKU_CELLS];
    memset(f, 0, sizeof f);
    EXPECT(canon_set_find(&s, f) == -1);   // an empty set answers without a table
    for (int i = 0; i < 3000; i++) {   // past the first 1,024: the table is rebuilt
        memset(f, 0, sizeof f);
        f[i % 81] = (uint8_t)(1 + i / 81 % 9);
        f[(i / 729 + 40) % 81] = 9;
        long e = canon_set_add(&s, f, 0, i + 1);
        EXPECT(canon_set_find(&s, f) == e);
    }
    long n = s.n;
    EXPECT(n > 1024);
    for (int i = 0; i < 3000; i++) {   // everything added is still found, with its first line
        memset(f, 0, sizeof f);
        f[i % 81] = (uint8_t)(1 + i / 81 % 9);
        f[(i / 729 + 40) % 81] = 9;
        long e = canon_set_find(&s, f);
        EXPECT(e >= 0 && s.line[e] <= i + 1);
        EXPECT(canon_set_add(&s, f, 1, 99999) == e);   // adding again adds nothing
    }
    EXPECT(s.n == n);
    memset(f, 7, sizeof f);
    EXPECT(canon_set_find(&s, f) == -1);
    canon_set_free(&s);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f) { test_fail(__FILE__, __LINE__, "cannot write %s", path); return; }
    fputs(text, f);
    fclose(f);
}

static void line_of(const uint8_t *g, char *s) {
    for (int i = 0; i < SUDOKU_CELLS; i++) s[i] = g[i] ? (char)('0' + g[i]) : '.';
    s[SUDOKU_CELLS] = '\0';
}

// A folder: a puzzle file, a README (passed over), prompt text around a 9-line grid (the
// prompt lines skipped); a transformed copy of a puzzle is found, with its file and line.
TEST(canon_set_load_folder) {
    const char *dir = test_tmp_path("canon_dir");
    char d[160], path[256], text[1024];
    snprintf(d, sizeof d, "%s", dir);
    EXPECT(mkdir(d, 0700) == 0);
    Rng r;
    rng_seed(&r, 5);
    uint8_t p[3][SUDOKU_CELLS], sol[SUDOKU_CELLS];
    for (int i = 0; i < 3; i++) sudoku_generate(&r, 25, 30, p[i], sol, NULL);
    char l0[82], l1[82];
    line_of(p[0], l0);
    line_of(p[1], l1);
    snprintf(path, sizeof path, "%s/a.txt", d);
    snprintf(text, sizeof text, "# two puzzles\n%s\n%s\n", l0, l1);
    write_text(path, text);
    snprintf(path, sizeof path, "%s/README.md", d);
    write_text(path, "# Puzzles\nSome words, no puzzles.\n");
    snprintf(path, sizeof path, "%s/prompt.txt", d);
    size_t k = (size_t)snprintf(text, sizeof text, "Human:\n");
    for (int row = 0; row < 9; row++) {
        for (int c = 0; c < 9; c++) k += (size_t)snprintf(text + k, sizeof text - k, "%d%s", p[2][row * 9 + c], c < 8 ? " " : "\n");
    }
    snprintf(text + k, sizeof text - k, "AI:\n");
    write_text(path, text);

    CanonSet s;
    canon_set_init(&s);
    int quiet = log_quiet;
    log_quiet = 1;
    canon_set_load(&s, d, 17, 81);
    log_quiet = quiet;
    EXPECT(s.n == 3 && s.n_read == 3 && s.n_files == 2);
    uint8_t q[SUDOKU_CELLS], c[SUDOKU_CELLS];
    for (int i = 0; i < 3; i++) {
        memcpy(q, p[i], SUDOKU_CELLS);
        sudoku_augment(&r, q, NULL);
        sudoku_canon(q, c);
        long e = canon_set_find(&s, c);
        EXPECTF(e >= 0, "puzzle %d not found", i);
        if (e < 0) continue;
        EXPECT(strstr(s.files[s.file[e]], i < 2 ? "a.txt" : "prompt.txt") != NULL);
        EXPECT(s.line[e] == (i == 0 ? 2 : i == 1 ? 3 : 2));
    }
    sudoku_generate(&r, 25, 30, q, sol, NULL);
    sudoku_canon(q, c);
    EXPECT(canon_set_find(&s, c) == -1);
    canon_set_free(&s);
    // Only the puzzles with the givens asked for are kept (the others cannot match): none here.
    canon_set_init(&s);
    log_quiet = 1;
    canon_set_load(&s, d, 31, 81);
    log_quiet = quiet;
    EXPECT(s.n == 0 && s.n_read == 3 && s.n_other_givens == 3);
    canon_set_free(&s);
    snprintf(path, sizeof path, "%s/a.txt", d); unlink(path);
    snprintf(path, sizeof path, "%s/README.md", d); unlink(path);
    snprintf(path, sizeof path, "%s/prompt.txt", d); unlink(path);
    rmdir(d);
}

static void load_path(void *arg) {
    CanonSet s;
    canon_set_init(&s);
    canon_set_load(&s, (const char *)arg, 17, 81);
    canon_set_free(&s);
}

// A file named on its own is read strictly: a bad line is `path:line: reason`, exit 2.
TEST(canon_set_load_bad_file) {
    const char *path = test_tmp_path("bad_exclude.txt");
    char p[160], err[2048];
    snprintf(p, sizeof p, "%s", path);
    write_text(p, "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..\nHuman:\n");
    int st = test_in_child(load_path, p, err, sizeof err);
    EXPECTF(st == 2, "exit %d", st);
    char want[200];
    snprintf(want, sizeof want, "%s:2:", p);
    EXPECTF(strstr(err, want) != NULL, "message lacks '%s': %s", want, err);
    unlink(p);
    st = test_in_child(load_path, (void *)"/nonexistent/puzzles.txt", err, sizeof err);
    EXPECTF(st == 2 && strstr(err, "/nonexistent/puzzles.txt") != NULL, "exit %d: %s", st, err);
}

// The public 17-clue list, when present: every puzzle's form is its own (no two are
// equivalent, as the list's makers deduplicated it), on a sample.
TEST(canon_public_17_distinct) {
    const char *path = test_shared_puzzle("sudoku17.txt");
    if (!path) SKIP("no ../shared/puzzles/sudoku17.txt");
    SudokuSet set;
    sudoku_read(path, &set, 0);
    CanonSet s;
    canon_set_init(&s);
    int n = set.n < 2000 ? set.n : 2000;
    uint8_t c[SUDOKU_CELLS];
    for (int i = 0; i < n; i++) {
        sudoku_canon(set.puzzles + (size_t)i * SUDOKU_CELLS, c);
        canon_set_add(&s, c, 0, set.line[i]);
    }
    EXPECTF(s.n == n, "%ld forms for %d puzzles", s.n, n);
    canon_set_free(&s);
    sudoku_set_free(&set);
}
