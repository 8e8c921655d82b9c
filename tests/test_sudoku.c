// test_sudoku.c — unit tests of src/task/sudoku.c: the solver on public puzzles (skipped when
// ../shared/puzzles is absent), the generator (unique, givens in range, deterministic), the
// augmentation (validity and puzzle/solution consistency), the checker's reasons, and the
// reader on every format and every bad-input kind. Reader errors exit the process (die), so
// those run in a forked child with stderr sent to a temp file; the parent checks the exit
// status and the message.
#include "test.h"
#include "test_util.h"

#include "loopt/rng.h"
#include "loopt/sudoku.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// A valid solved grid and a puzzle from it (Norvig's easy example), used across tests.
static const char *GRID = "483921657967345821251876493548132976729564138136798245372689514814253769695417382";
static const char *PUZ  = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..";

static void grid_from(const char *s, uint8_t *g) {
    char err[128];
    int ok = sudoku_parse81(s, strlen(s), g, err, sizeof err);
    EXPECTF(ok, "parse81(%.81s): %s", s, err);
}

// ---- temp files -------------------------------------------------------------------------

// Write `len` bytes into a fresh temp file; path goes to `path` (>= 64 bytes).
static void write_temp(char *path, const char *data, size_t len) {
    strcpy(path, "/tmp/loopt_test_sdk_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) { test_fail(__FILE__, __LINE__, "mkstemp failed"); return; }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    close(fd);
}

// Run the reader in a child. Returns the exit status (-1 if killed); on a clean read the
// child exits 0 after writing "n n_bad has_solutions" into *res; its stderr goes to err.
typedef struct { int n, n_bad, has_sol; } ReadRes;

typedef struct { const char *path; int skip_bad, pairs, out; } ReadArgs;
static void read_sudoku(void *p) {
    const ReadArgs *a = p;
    SudokuSet set;
    int bad = a->pairs ? sudoku_read_pairs(a->path, &set, a->skip_bad) : sudoku_read(a->path, &set, a->skip_bad);
    char buf[64];
    int k = snprintf(buf, sizeof buf, "%d %d %d", set.n, bad, set.solutions != NULL);
    if (write(a->out, buf, (size_t)k) != k) _exit(99);
}

static int read_in_child(const char *path, int skip_bad, int pairs, ReadRes *res, char *err, size_t cap) {
    int pfd[2];
    if (pipe(pfd) != 0) { err[0] = '\0'; return -1; }
    ReadArgs a = {path, skip_bad, pairs, pfd[1]};
    int st = test_in_child(read_sudoku, &a, err, cap);
    close(pfd[1]);
    char buf[64] = {0};
    ssize_t got = read(pfd[0], buf, sizeof buf - 1);
    close(pfd[0]);
    memset(res, 0, sizeof *res);
    if (got > 0) sscanf(buf, "%d %d %d", &res->n, &res->n_bad, &res->has_sol);
    return st;
}

// The file `data` must be refused (exit 2) with a message containing `want` and `path:line:`.
static void expect_bad(const char *data, size_t len, int line, const char *want) {
    char path[64], err[4096], where[96];
    ReadRes r;
    write_temp(path, data, len);
    int st = read_in_child(path, 0, 0, &r, err, sizeof err);
    EXPECTF(st == 2, "exit %d, expected 2 for %s (stderr: %s)", st, want, err);
    EXPECTF(strstr(err, want) != NULL, "message lacks '%s': %s", want, err);
    if (line > 0) {
        snprintf(where, sizeof where, "%s:%d:", path, line);
        EXPECTF(strstr(err, where) != NULL, "message lacks '%s': %s", where, err);
    }
    unlink(path);
}

// Read a good file in-process (nothing is printed on success).
static void read_good(const char *data, SudokuSet *set) {
    char path[64];
    write_temp(path, data, strlen(data));
    int bad = sudoku_read(path, set, 0);
    EXPECT(bad == 0);
    unlink(path);
}

// ---- solver ------------------------------------------------------------------------------

TEST(sudoku_solve_basic) {
    uint8_t p[SUDOKU_CELLS], g[SUDOKU_CELLS], sol[SUDOKU_CELLS];
    grid_from(PUZ, p);
    grid_from(GRID, g);
    long bt = -1;
    EXPECT(sudoku_solve(p, sol, 2, &bt) == 1);
    EXPECT(memcmp(sol, g, SUDOKU_CELLS) == 0);
    EXPECT(bt == 0);                                  // an easy puzzle: singles only
    EXPECT(sudoku_solve(g, sol, 2, NULL) == 1);       // a full grid is its own solution
    uint8_t empty[SUDOKU_CELLS] = {0};
    EXPECT(sudoku_solve(empty, sol, 2, NULL) == 2);   // capped
    EXPECT(sudoku_solve(empty, NULL, 5, NULL) == 5);
    EXPECT(sudoku_check(empty, sol, NULL, 0));        // the first one found is a valid grid
    p[0] = 3;                                         // row 1 already has a 3: no solution
    EXPECT(!sudoku_givens_consistent(p));
    EXPECT(sudoku_solve(p, NULL, 2, NULL) == 0);
    grid_from(PUZ, p);
    p[2] = 0; p[4] = 0; p[6] = 0;                     // fewer givens: still solvable
    EXPECT(sudoku_solve(p, sol, 1, NULL) == 1);
    EXPECT(sudoku_check(p, sol, NULL, 0));
}

TEST(sudoku_solve_top95) {
    const char *path = test_shared_puzzle("sudoku_top95.txt");
    if (!path) SKIP("no ../shared/puzzles/sudoku_top95.txt");
    SudokuSet set;
    sudoku_read(path, &set, 0);
    EXPECT(set.n == 95);
    EXPECT(set.solutions == NULL);
    for (int i = 0; i < 20 && i < set.n; i++) {
        uint8_t sol[SUDOKU_CELLS];
        const uint8_t *p = set.puzzles + (size_t)i * SUDOKU_CELLS;
        long bt;
        int ns = sudoku_solve(p, sol, 2, &bt);
        EXPECTF(ns == 1, "top95 #%d: %d solutions", i + 1, ns);
        EXPECT(sudoku_check(p, sol, NULL, 0));
        EXPECT(bt >= 0);
    }
    sudoku_set_free(&set);
}

TEST(sudoku_solve_kaggle) {
    const char *path = test_shared_puzzle("sudoku_kaggle_sample9999.csv");
    if (!path) SKIP("no ../shared/puzzles/sudoku_kaggle_sample9999.csv");
    SudokuSet set;
    sudoku_read(path, &set, 0);           // headerless CSV, '0' blanks
    EXPECT(set.n == 9999);
    EXPECT(set.solutions != NULL);
    EXPECT(set.line[0] == 1 && set.line[set.n - 1] == set.n);
    int mismatches = 0;
    for (int i = 0; set.solutions && i < set.n; i++) {
        uint8_t sol[SUDOKU_CELLS];
        const uint8_t *p = set.puzzles + (size_t)i * SUDOKU_CELLS;
        if (sudoku_solve(p, sol, 1, NULL) != 1 || memcmp(sol, set.solutions + (size_t)i * SUDOKU_CELLS, SUDOKU_CELLS))
            mismatches++;
    }
    EXPECTF(mismatches == 0, "%d kaggle solutions differ from the solver's", mismatches);
    sudoku_set_free(&set);
}

// ---- generator ---------------------------------------------------------------------------

static void check_generated(int gmin, int gmax, int n, uint64_t seed) {
    Rng r;
    rng_seed(&r, seed);
    int lo = 99, hi = 0;
    for (int i = 0; i < n; i++) {
        uint8_t p[SUDOKU_CELLS], s[SUDOKU_CELLS], sol[SUDOKU_CELLS];
        long rating = -1, bt = -2;
        sudoku_generate(&r, gmin, gmax, p, s, &rating);
        int g = count_givens(p);
        if (g < lo) lo = g;
        if (g > hi) hi = g;
        EXPECTF(g >= gmin && g <= gmax, "givens %d outside %d-%d", g, gmin, gmax);
        EXPECT(sudoku_solve(p, sol, 2, &bt) == 1);
        EXPECT(memcmp(sol, s, SUDOKU_CELLS) == 0);
        EXPECT(sudoku_check(p, s, NULL, 0));
        EXPECT(rating == bt);
    }
    EXPECTF(hi > lo || gmin == gmax, "givens all %d in %d-%d: the range is not spread", lo, gmin, gmax);
}

TEST(sudoku_generate_unique_in_range) {
    check_generated(25, 35, 200, 1);
    check_generated(40, 50, 200, 2);
    check_generated(23, 23, 20, 3);
    check_generated(81, 81, 2, 4);
}

TEST(sudoku_generate_deterministic) {
    Rng a, b;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    for (int i = 0; i < 20; i++) {
        uint8_t p1[SUDOKU_CELLS], s1[SUDOKU_CELLS], p2[SUDOKU_CELLS], s2[SUDOKU_CELLS];
        sudoku_generate(&a, 25, 35, p1, s1, NULL);
        sudoku_generate(&b, 25, 35, p2, s2, NULL);
        EXPECT(memcmp(p1, p2, SUDOKU_CELLS) == 0 && memcmp(s1, s2, SUDOKU_CELLS) == 0);
    }
}

// ---- augmentation ------------------------------------------------------------------------

TEST(sudoku_augment_keeps_validity) {
    Rng r;
    rng_seed(&r, 7);
    uint8_t base_p[50][SUDOKU_CELLS], base_s[50][SUDOKU_CELLS];
    expect_variants_valid(&r, 50, 24, 40, base_p, base_s, sudoku_augment, "augmented");
    // Puzzle alone (solution NULL) works too and keeps the givens count.
    uint8_t p[SUDOKU_CELLS];
    memcpy(p, base_p[0], SUDOKU_CELLS);
    sudoku_augment(&r, p, NULL);
    EXPECT(count_givens(p) == count_givens(base_p[0]));
    EXPECT(sudoku_givens_consistent(p));
}

// Transposition must happen about half the time: givens placed in one row end up in one
// row without it and in one column with it.
TEST(sudoku_augment_transposes_half) {
    Rng r;
    rng_seed(&r, 11);
    uint8_t g[SUDOKU_CELLS];
    grid_from(GRID, g);
    int transposed = 0;
    for (int t = 0; t < 1000; t++) {
        uint8_t p[SUDOKU_CELLS] = {0}, s[SUDOKU_CELLS];
        memcpy(p, g, 9);
        memcpy(s, g, SUDOKU_CELLS);
        sudoku_augment(&r, p, s);
        int first = -1, same_row = 1;
        for (int i = 0; i < SUDOKU_CELLS; i++) {
            if (!p[i]) continue;
            if (first < 0) first = i;
            else if (i / 9 != first / 9) same_row = 0;
        }
        transposed += !same_row;
        EXPECT(sudoku_check(p, s, NULL, 0));
    }
    EXPECTF(transposed > 400 && transposed < 600, "transposed %d of 1000", transposed);
}

// ---- checker -----------------------------------------------------------------------------

static void expect_reason(const uint8_t *p, const uint8_t *a, const char *want) {
    char why[256];
    EXPECT(!sudoku_check(p, a, why, sizeof why));
    EXPECTF(strstr(why, want) != NULL, "reason '%s' lacks '%s'", why, want);
}

TEST(sudoku_check_reasons) {
    uint8_t p[SUDOKU_CELLS], g[SUDOKU_CELLS], a[SUDOKU_CELLS], empty[SUDOKU_CELLS] = {0};
    grid_from(PUZ, p);
    grid_from(GRID, g);
    char why[256];
    EXPECT(sudoku_check(p, g, why, sizeof why));
    // blank cell (row 2, column 5)
    memcpy(a, g, SUDOKU_CELLS); a[9 + 4] = 0;
    expect_reason(p, a, "cell r2c5 is blank");
    // changed given: PUZ has 9 at r2c1
    memcpy(a, g, SUDOKU_CELLS); a[9] = 4;
    expect_reason(p, a, "cell r2c1 changes given 9 to 4");
    // one cell changed (not a given): its row repeats a digit
    memcpy(a, g, SUDOKU_CELLS); a[0] = g[1];
    expect_reason(empty, a, "row 1 repeats 8");
    // two cells swapped inside a row: the row is fine, two columns break
    memcpy(a, g, SUDOKU_CELLS); a[0] = g[1]; a[1] = g[0];
    expect_reason(empty, a, "column 1 repeats 8");
    // two whole columns from different stacks swapped: rows and columns fine, boxes break
    memcpy(a, g, SUDOKU_CELLS);
    for (int r = 0; r < 9; r++) { a[r * 9 + 0] = g[r * 9 + 3]; a[r * 9 + 3] = g[r * 9 + 0]; }
    expect_reason(empty, a, "box 1 repeats");
    // not a digit
    memcpy(a, g, SUDOKU_CELLS); a[80] = 12;
    expect_reason(empty, a, "r9c9");
}

// ---- parsing -----------------------------------------------------------------------------

TEST(sudoku_parse81_cases) {
    uint8_t g[SUDOKU_CELLS];
    char err[128];
    char line[128];
    EXPECT(sudoku_parse81(PUZ, 81, g, err, sizeof err) && g[0] == 0 && g[2] == 3);
    snprintf(line, sizeof line, "%s \r\n", GRID);
    EXPECT(sudoku_parse81(line, strlen(line), g, err, sizeof err) && g[0] == 4);
    EXPECT(!sudoku_parse81(PUZ, 80, g, err, sizeof err) && strstr(err, "80 cells"));
    snprintf(line, sizeof line, "%s", PUZ);
    line[10] = 'x';
    EXPECT(!sudoku_parse81(line, 81, g, err, sizeof err) && strstr(err, "'x' at column 11"));
    line[10] = '\0';
    EXPECT(!sudoku_parse81(line, 81, g, err, sizeof err) && strstr(err, "0x00"));
}

TEST(sudoku_read_formats) {
    SudokuSet set;
    char buf[4096];
    uint8_t p[SUDOKU_CELLS], g[SUDOKU_CELLS];
    grid_from(PUZ, p);
    grid_from(GRID, g);
    char zeros[82];
    for (int i = 0; i < 81; i++) zeros[i] = PUZ[i] == '.' ? '0' : PUZ[i];
    zeros[81] = '\0';

    // 81-char lines, '.' and '0' blanks, comments, blank lines, CRLF, a BOM
    snprintf(buf, sizeof buf, "\xEF\xBB\xBF# comment\r\n%s\r\n\r\n  %s  \n# end\n%s", PUZ, zeros, PUZ);
    read_good(buf, &set);
    EXPECT(set.n == 3 && set.solutions == NULL);
    EXPECT(set.line[0] == 2 && set.line[1] == 4 && set.line[2] == 6);
    EXPECT(set.n == 3 && memcmp(set.puzzles, p, 81) == 0 && memcmp(set.puzzles + 81, p, 81) == 0);
    sudoku_set_free(&set);

    // puzzle,solution without header (Kaggle style, '0' blanks)
    snprintf(buf, sizeof buf, "%s,%s\n%s,%s\n", zeros, GRID, PUZ, GRID);
    read_good(buf, &set);
    EXPECT(set.n == 2 && set.solutions && memcmp(set.solutions + 81, g, 81) == 0);
    sudoku_set_free(&set);

    // quizzes,solutions header
    snprintf(buf, sizeof buf, "quizzes,solutions\r\n%s,%s\r\n", zeros, GRID);
    read_good(buf, &set);
    EXPECT(set.n == 1 && set.solutions && set.line[0] == 2 && memcmp(set.puzzles, p, 81) == 0);
    sudoku_set_free(&set);

    // Sudoku-Extreme: source,question,answer,rating
    snprintf(buf, sizeof buf, "source,question,answer,rating\nsome_source,%s,%s,12\nother,%s,%s,0\n",
             PUZ, GRID, PUZ, GRID);
    read_good(buf, &set);
    EXPECT(set.n == 2 && set.solutions && memcmp(set.puzzles + 81, p, 81) == 0 && memcmp(set.solutions, g, 81) == 0);
    sudoku_set_free(&set);

    // a one-column file with a header
    snprintf(buf, sizeof buf, "Puzzle\n%s\n", PUZ);
    read_good(buf, &set);
    EXPECT(set.n == 1 && set.solutions == NULL && set.line[0] == 2);
    sudoku_set_free(&set);

    // header naming the columns in another order
    snprintf(buf, sizeof buf, "id,answer,puzzle\n1,%s,%s\n", GRID, PUZ);
    read_good(buf, &set);
    EXPECT(set.n == 1 && set.solutions && memcmp(set.puzzles, p, 81) == 0 && memcmp(set.solutions, g, 81) == 0);
    sudoku_set_free(&set);

    // 9-line grids: plain rows, and rows with spaces and separators
    size_t k = 0;
    for (int r = 0; r < 9; r++) k += (size_t)snprintf(buf + k, sizeof buf - k, "%.9s\n", PUZ + r * 9);
    k += (size_t)snprintf(buf + k, sizeof buf - k, "\n");
    for (int r = 0; r < 9; r++) {
        if (r == 3 || r == 6) k += (size_t)snprintf(buf + k, sizeof buf - k, "------+-------+------\n");
        const char *s = zeros + r * 9;
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%c %c %c | %c %c %c | %c %c %c\r\n",
                              s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]);
    }
    read_good(buf, &set);
    EXPECT(set.n == 2 && set.line[0] == 1 && set.line[1] == 11);
    EXPECT(set.n == 2 && memcmp(set.puzzles, p, 81) == 0 && memcmp(set.puzzles + 81, p, 81) == 0);
    sudoku_set_free(&set);

    // sudoku_write round trip
    FILE *f = tmpfile();
    sudoku_write(f, p, '0');
    rewind(f);
    char line[100] = {0};
    EXPECT(fgets(line, sizeof line, f) != NULL);
    EXPECT(strncmp(line, zeros, 81) == 0 && line[81] == '\n' && line[82] == '\0');
    fclose(f);
}

TEST(sudoku_read_bad_inputs) {
    char buf[4096];
    char zeros[82];
    for (int i = 0; i < 81; i++) zeros[i] = PUZ[i] == '.' ? '0' : PUZ[i];
    zeros[81] = '\0';

    snprintf(buf, sizeof buf, "%s\n%.80s\n", PUZ, PUZ);
    expect_bad(buf, strlen(buf), 2, "80 cells");
    snprintf(buf, sizeof buf, "# c\n%s\n", PUZ);
    buf[4 + 5] = 'x';
    expect_bad(buf, strlen(buf), 2, "bad character 'x' at column 6");
    // contradicting givens: two 3s in row 1, column 1, box 1
    snprintf(buf, sizeof buf, "%s\n", PUZ);
    buf[0] = '3';
    expect_bad(buf, strlen(buf), 1, "row 1 repeats 3");
    snprintf(buf, sizeof buf, "%s\n", PUZ);
    buf[18] = '9';                                   // r3c1 = 9, r2c1 is 9 already
    expect_bad(buf, strlen(buf), 1, "column 1 repeats 9");
    snprintf(buf, sizeof buf, "%s\n", PUZ);
    buf[19] = '9';                                   // r3c2 = 9: box 1 has r2c1 = 9
    expect_bad(buf, strlen(buf), 1, "box 1 repeats 9");
    // solution that does not keep the givens / is not valid
    char bad_sol[82];
    memcpy(bad_sol, GRID, 82);
    bad_sol[0] = bad_sol[1];
    snprintf(buf, sizeof buf, "quizzes,solutions\n%s,%s\n%s,%s\n", zeros, GRID, zeros, bad_sol);
    expect_bad(buf, strlen(buf), 3, "solution does not solve the puzzle: row 1 repeats 8");
    snprintf(buf, sizeof buf, "%s,%.80s\n", PUZ, GRID);
    expect_bad(buf, strlen(buf), 1, "solution (field 2): 80 cells");
    snprintf(buf, sizeof buf, "id,answer,puzzle\n1,%s,%s\n2,3\n", GRID, PUZ);
    expect_bad(buf, strlen(buf), 3, "2 fields, expected the puzzle in field 3");
    // mixing entries with and without solutions
    snprintf(buf, sizeof buf, "%s,%s\n%s\n", PUZ, GRID, PUZ);
    expect_bad(buf, strlen(buf), 2, "has no solution");
    // a grid cut short
    size_t k = 0;
    for (int r = 0; r < 8; r++) k += (size_t)snprintf(buf + k, sizeof buf - k, "%.9s\n", PUZ + r * 9);
    k += (size_t)snprintf(buf + k, sizeof buf - k, "\n%s\n", PUZ);
    expect_bad(buf, k, 1, "grid has 8 rows");
    // garbage line
    expect_bad("hello world\n", 12, 1, "expected 81");
    // NUL byte inside a line
    memcpy(buf, PUZ, 81); buf[40] = '\0'; buf[81] = '\n';
    expect_bad(buf, 82, 1, "byte 0x00 at column 41");
    // empty file, comments only
    expect_bad("", 0, 0, "empty file");
    expect_bad("# nothing\n\n", 11, 0, "no puzzles found");
    // a 10 MB line without newline
    size_t big = 10u << 20;
    char *huge = malloc(big);
    memset(huge, '1', big);
    expect_bad(huge, big, 1, "line longer than");
    free(huge);

    // missing file and directory
    char err[4096];
    ReadRes r;
    int st = read_in_child("/nonexistent/loopt_no_such_file.txt", 0, 0, &r, err, sizeof err);
    EXPECTF(st == 2 && strstr(err, "/nonexistent/loopt_no_such_file.txt"), "missing file: exit %d, %s", st, err);
    st = read_in_child("/tmp", 0, 0, &r, err, sizeof err);
    EXPECTF(st == 2 && strstr(err, "/tmp") && strstr(err, "directory"), "directory: exit %d, %s", st, err);
}

TEST(sudoku_read_skip_bad_and_pairs) {
    char buf[4096], path[64], err[4096];
    ReadRes r;
    char bad_sol[82];
    memcpy(bad_sol, GRID, 82);
    bad_sol[5] = '.';                                  // a blank in the answer
    // 3 good entries and 2 malformed: skip_bad keeps the good ones and reports each bad line
    snprintf(buf, sizeof buf, "%s,%s\n%.70s,%s\n%s,%s\n%s,%s\n%s,x%s\n", PUZ, GRID, PUZ, GRID, PUZ, GRID, PUZ,
             bad_sol, PUZ, GRID);
    write_temp(path, buf, strlen(buf));
    int st = read_in_child(path, 1, 0, &r, err, sizeof err);
    EXPECTF(st == 0 && r.n == 2 && r.n_bad == 3, "skip_bad: exit %d n %d bad %d", st, r.n, r.n_bad);
    char where[96];
    for (int line = 2; line <= 5; line++) {
        if (line == 3) continue;
        snprintf(where, sizeof where, "%s:%d:", path, line);
        EXPECTF(strstr(err, where) != NULL, "skip_bad message lacks %s: %s", where, err);
    }
    // pairs mode: the wrong answer on line 4 is kept for the checker, the format errors are not
    st = read_in_child(path, 1, 1, &r, err, sizeof err);
    EXPECTF(st == 0 && r.n == 3 && r.n_bad == 2 && r.has_sol, "pairs: exit %d n %d bad %d", st, r.n, r.n_bad);
    unlink(path);
    // all entries bad: still exit 2
    write_temp(path, "x\ny\n", 4);
    st = read_in_child(path, 1, 0, &r, err, sizeof err);
    EXPECTF(st == 2 && strstr(err, "no valid puzzles"), "all bad: exit %d, %s", st, err);
    unlink(path);
}

TEST(sudoku_looks_like_cases) {
    char buf[512];
    snprintf(buf, sizeof buf, "# top\n%s\n", PUZ);
    EXPECT(sudoku_looks_like(buf));
    snprintf(buf, sizeof buf, "source,question,answer,rating\nx,%s,%s,3\n", PUZ, GRID);
    EXPECT(sudoku_looks_like(buf));
    EXPECT(sudoku_looks_like("5 3 0 | 0 7 0 | 0 0 0\n6 0 0 | 1 9 5 | 0 0 0\n0 9 8 | 0 0 0 | 0 6 0\n"));
    EXPECT(sudoku_looks_like("530070000\n600195000\n------+------\n098000060\n"));   // separators keep the run
    // one short line of digits is not enough (it claimed tiny mazes and files of numbers)
    EXPECT(!sudoku_looks_like("5 3 0 | 0 7 0 | 0 0 0\n6 0 0 | 1 9 5 | 0 0 0\n"));
    EXPECT(!sudoku_looks_like("123456789\n"));
    EXPECT(!sudoku_looks_like("5\n"));
    EXPECT(!sudoku_looks_like("S\n"));
    EXPECT(!sudoku_looks_like("#####\n#S  #\n# #G#\n#####\n"));
    EXPECT(!sudoku_looks_like("source,question,answer,rating\nx,#####S  G#####,#####SooG#####,3\n"));
    EXPECT(!sudoku_looks_like(""));
    EXPECT(!sudoku_looks_like("hello\n"));
}

// Read `data` in-process with skip_bad, the warnings sent to /dev/null.
static int read_quiet(const char *data, SudokuSet *set) {
    char path[64];
    write_temp(path, data, strlen(data));
    fflush(stderr);
    int saved = dup(2);
    FILE *devnull = fopen("/dev/null", "w");
    dup2(fileno(devnull), 2);
    int bad = sudoku_read(path, set, 1);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(devnull);
    unlink(path);
    return bad;
}

// Skipped entries are recorded in input order with their line, reason and place among the
// puzzles (what keeps `solve`'s record N on entry N); a 9-line grid with a bad row is one entry.
TEST(sudoku_read_skipped_in_place) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s\n12345\n%s\n# note\n%.80sx\n\n%s\n", PUZ, PUZ, PUZ, PUZ);
    SudokuSet set;
    int bad = read_quiet(buf, &set);
    EXPECTF(bad == 2 && set.n == 3 && set.skipped.n == 2, "bad %d n %d skipped %d", bad, set.n, set.skipped.n);
    if (set.skipped.n == 2) {
        EXPECT(set.skipped.s[0].line == 2 && set.skipped.s[0].before == 1 && strstr(set.skipped.s[0].why, "5 cells"));
        EXPECT(set.skipped.s[1].line == 5 && set.skipped.s[1].before == 2 &&
               strstr(set.skipped.s[1].why, "bad character 'x'"));
    }
    sudoku_set_free(&set);
    // a grid whose 4th row is short, then a good grid: one skipped entry before the good one
    size_t k = 0;
    for (int g = 0; g < 2; g++)
        for (int r = 0; r < 9; r++)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "%.*s\n", g == 0 && r == 3 ? 8 : 9, GRID + r * 9);
    bad = read_quiet(buf, &set);
    EXPECTF(bad == 1 && set.n == 1 && set.skipped.n == 1, "grid: bad %d n %d", bad, set.n);
    if (set.skipped.n == 1)
        EXPECTF(set.skipped.s[0].line == 4 && set.skipped.s[0].before == 0 && strstr(set.skipped.s[0].why, "8 cells"),
                "grid skip: line %d before %d: %s", set.skipped.s[0].line, set.skipped.s[0].before,
                set.skipped.s[0].why);
    if (set.n == 1) EXPECT(set.line[0] == 10);
    sudoku_set_free(&set);
}
