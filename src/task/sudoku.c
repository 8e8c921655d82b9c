// sudoku.c — 9x9 Sudoku as data: the reader for every accepted text format, the exact
// solver (bitmask candidates, singles propagation, fewest-candidates-first backtracking;
// its dead-end count is the difficulty rating), the generator of
// unique-solution puzzles, validity-preserving augmentation and the answer checker.
// Cells are uint8_t, row-major: 0 = blank, 1..9 = digit. Digit d is bit (d-1) in masks.
#include "loopt/sudoku.h"
#include "loopt/sudoku_canon.h"
#include "loopt/sudoku_sym.h"
#include "loopt/check.h"
#include "loopt/csv.h"
#include "loopt/task.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

// Lines longer than this are rejected (and skipped over) instead of being buffered: a
// binary or newline-free 10 MB file must give one clear message, not an allocation storm.
#define SUDOKU_MAX_LINE (64 * 1024)
#define ALL_DIGITS 0x1FFu

static int popcount9(unsigned m) {
    int c = 0;
    for (; m; m &= m - 1) c++;
    return c;
}

static inline int cell_box(int cell) { return (cell / 27) * 3 + (cell % 9) / 3; }

// ---------------------------------------------------------------------------------------
// Consistency: the first repeated digit in a row, column or box, described for a human.

// Returns 1 if some unit repeats a digit, writing e.g. "row 3 repeats 7 (r3c2, r3c5)".
// Blanks are ignored; only digits 1..9 are considered (callers reject other values first).
static int find_repeat(const uint8_t *g, char *why, size_t whylen) {
    static const char *unit_name[3] = {"row", "column", "box"};
    for (int kind = 0; kind < 3; kind++) {
        for (int u = 0; u < 9; u++) {
            int seen[10];
            for (int d = 0; d < 10; d++) seen[d] = -1;
            for (int k = 0; k < 9; k++) {
                int cell = kind == 0 ? u * 9 + k
                         : kind == 1 ? k * 9 + u
                         : ((u / 3) * 3 + k / 3) * 9 + (u % 3) * 3 + k % 3;
                int d = g[cell];
                if (d < 1 || d > 9) continue;
                if (seen[d] >= 0) {
                    int a = seen[d];
                    if (why) snprintf(why, whylen, "%s %d repeats %d (r%dc%d, r%dc%d)", unit_name[kind], u + 1, d,
                                      a / 9 + 1, a % 9 + 1, cell / 9 + 1, cell % 9 + 1);
                    return 1;
                }
                seen[d] = cell;
            }
        }
    }
    return 0;
}

int sudoku_givens_consistent(const uint8_t *grid) {
    for (int i = 0; i < SUDOKU_CELLS; i++) if (grid[i] > 9) return 0;
    return !find_repeat(grid, NULL, 0);
}

// ---------------------------------------------------------------------------------------
// Solver. A state is the grid plus the used-digit mask of each of the 27 units (rows 0-8,
// columns 9-17, boxes 18-26); it is small (~140 bytes), so branching copies it instead of
// undoing moves. Each node first propagates naked singles (a cell with one candidate) and
// hidden singles (a digit with one place in a unit) to a fixed point, then branches on the
// cell with the fewest candidates. A contradiction (a cell with no candidate, a digit with
// no place in a unit) is a dead end; their count is the difficulty rating, so 0 means the
// puzzle falls to singles alone, with no guessing.

static const uint8_t UNITS[27][9] = {
    { 0,  1,  2,  3,  4,  5,  6,  7,  8}, { 9, 10, 11, 12, 13, 14, 15, 16, 17},
    {18, 19, 20, 21, 22, 23, 24, 25, 26}, {27, 28, 29, 30, 31, 32, 33, 34, 35},
    {36, 37, 38, 39, 40, 41, 42, 43, 44}, {45, 46, 47, 48, 49, 50, 51, 52, 53},
    {54, 55, 56, 57, 58, 59, 60, 61, 62}, {63, 64, 65, 66, 67, 68, 69, 70, 71},
    {72, 73, 74, 75, 76, 77, 78, 79, 80},
    { 0,  9, 18, 27, 36, 45, 54, 63, 72}, { 1, 10, 19, 28, 37, 46, 55, 64, 73},
    { 2, 11, 20, 29, 38, 47, 56, 65, 74}, { 3, 12, 21, 30, 39, 48, 57, 66, 75},
    { 4, 13, 22, 31, 40, 49, 58, 67, 76}, { 5, 14, 23, 32, 41, 50, 59, 68, 77},
    { 6, 15, 24, 33, 42, 51, 60, 69, 78}, { 7, 16, 25, 34, 43, 52, 61, 70, 79},
    { 8, 17, 26, 35, 44, 53, 62, 71, 80},
    { 0,  1,  2,  9, 10, 11, 18, 19, 20}, { 3,  4,  5, 12, 13, 14, 21, 22, 23},
    { 6,  7,  8, 15, 16, 17, 24, 25, 26}, {27, 28, 29, 36, 37, 38, 45, 46, 47},
    {30, 31, 32, 39, 40, 41, 48, 49, 50}, {33, 34, 35, 42, 43, 44, 51, 52, 53},
    {54, 55, 56, 63, 64, 65, 72, 73, 74}, {57, 58, 59, 66, 67, 68, 75, 76, 77},
    {60, 61, 62, 69, 70, 71, 78, 79, 80},
};

typedef struct {
    uint8_t g[SUDOKU_CELLS];
    uint16_t used[27];        // digits present in each unit
    int filled;
} State;

typedef struct {
    int n_sol, max_sol;
    long backtracks;
    uint8_t *first;           // receives the first solution, or NULL
    Rng *rng;                 // random digit order (generator), or NULL
} Solver;

static inline unsigned cands(const State *st, int cell) {
    return ~(unsigned)(st->used[cell / 9] | st->used[9 + cell % 9] | st->used[18 + cell_box(cell)]) & ALL_DIGITS;
}

// Put digit d (0-based) in cell; 0 if the cell is taken or a unit already has d.
static int place(State *st, int cell, int d) {
    uint16_t bit = (uint16_t)(1u << d);
    int r = cell / 9, c = 9 + cell % 9, b = 18 + cell_box(cell);
    if (st->g[cell] || ((st->used[r] | st->used[c] | st->used[b]) & bit)) return 0;
    st->g[cell] = (uint8_t)(d + 1);
    st->used[r] |= bit; st->used[c] |= bit; st->used[b] |= bit;
    st->filled++;
    return 1;
}

static int lowest_bit(unsigned m) {
    int d = 0;
    while (!(m & 1u)) { m >>= 1; d++; }
    return d;
}

// Naked and hidden singles to a fixed point. Returns 0 on a contradiction.
static int propagate(State *st) {
    for (;;) {
        int progress = 0;
        for (int cell = 0; cell < SUDOKU_CELLS; cell++) {
            if (st->g[cell]) continue;
            unsigned m = cands(st, cell);
            if (m == 0) return 0;
            if ((m & (m - 1)) == 0) { place(st, cell, lowest_bit(m)); progress = 1; }
        }
        if (st->filled == SUDOKU_CELLS) return 1;
        for (int u = 0; u < 27; u++) {
            unsigned once = 0, twice = 0, m[9];
            for (int k = 0; k < 9; k++) {
                int cell = UNITS[u][k];
                m[k] = st->g[cell] ? 0 : cands(st, cell);
                twice |= once & m[k];
                once |= m[k];
            }
            if ((once | st->used[u]) != ALL_DIGITS) return 0;   // some digit has nowhere to go
            unsigned single = once & ~twice;
            for (int k = 0; k < 9 && single; k++) {
                unsigned hit = m[k] & single;
                if (!hit) continue;
                if (hit & (hit - 1)) return 0;                  // two digits need the same cell
                if (!place(st, UNITS[u][k], lowest_bit(hit))) return 0;
                single &= ~hit;
                progress = 1;
            }
        }
        if (!progress) return 1;
    }
}

static void search(Solver *s, State *st) {
    if (!propagate(st)) { s->backtracks++; return; }
    if (st->filled == SUDOKU_CELLS) {
        if (s->n_sol == 0 && s->first) memcpy(s->first, st->g, SUDOKU_CELLS);
        s->n_sol++;
        return;
    }
    int best = -1, bestc = 10;
    unsigned bestm = 0;
    for (int cell = 0; cell < SUDOKU_CELLS; cell++) {
        if (st->g[cell]) continue;
        unsigned m = cands(st, cell);
        int c = popcount9(m);
        if (c < bestc) { bestc = c; best = cell; bestm = m; if (c == 2) break; }  // after propagation 2 is minimal
    }
    int digits[9], nd = 0;
    for (int d = 0; d < 9; d++) if (bestm & (1u << d)) digits[nd++] = d;
    if (s->rng && nd > 1) rng_shuffle_int(s->rng, digits, nd);
    for (int i = 0; i < nd && s->n_sol < s->max_sol; i++) {
        State child = *st;
        place(&child, best, digits[i]);
        search(s, &child);
    }
}

// Set up from the givens; returns 0 if they already contradict (then there is no solution).
static int state_init(State *st, const uint8_t *puzzle) {
    memset(st, 0, sizeof *st);
    for (int cell = 0; cell < SUDOKU_CELLS; cell++) {
        int d = puzzle[cell];
        if (d > 9) return 0;
        if (d && !place(st, cell, d - 1)) return 0;
    }
    return 1;
}

static int solve_impl(const uint8_t *puzzle, uint8_t *solution, int max_solutions, long *backtracks, Rng *rng) {
    Solver s = {0, max_solutions < 1 ? 1 : max_solutions, 0, solution, rng};
    State st;
    if (state_init(&st, puzzle)) search(&s, &st);
    if (backtracks) *backtracks = s.backtracks;
    return s.n_sol;
}

int sudoku_solve(const uint8_t *puzzle, uint8_t *solution, int max_solutions, long *backtracks) {
    return solve_impl(puzzle, solution, max_solutions, backtracks, NULL);
}

// ---------------------------------------------------------------------------------------
// Generator.

// A random complete grid: the randomised solver run on the empty grid.
void sudoku_random_grid(Rng *r, uint8_t *grid) {
    static const uint8_t empty[SUDOKU_CELLS] = {0};
    CHECK(solve_impl(empty, grid, 1, NULL, r) == 1, "sudoku: no grid found from an empty board (internal error)");
}

// Removal orders tried on one full grid before drawing a new one, and the overall budget.
// Greedy random removal ends at a minimal puzzle of ~20-27 givens, so an upper bound below
// ~21 is reached only rarely; past the budget we stop with a message instead of looping.
#define GEN_ORDERS_PER_GRID 8
#define GEN_MAX_TRIES 10000   // ~4 s; an upper bound of 21 needs ~800 tries on average

void sudoku_generate(Rng *r, int gmin, int gmax, uint8_t *puzzle, uint8_t *solution, long *rating) {
    CHECK(17 <= gmin && gmin <= gmax && gmax <= SUDOKU_CELLS,
          "sudoku_generate: givens range %d-%d outside 17-81", gmin, gmax);
    uint8_t full[SUDOKU_CELLS], p[SUDOKU_CELLS];
    int order[SUDOKU_CELLS];
    for (int tries = 0;; tries++) {
        CHECK_INPUT(tries < GEN_MAX_TRIES,
                    "sudoku: no unique puzzle with at most %d givens after %d tries; random removal "
                    "rarely goes below ~21 givens, raise the upper bound of --givens", gmax, GEN_MAX_TRIES);
        if (tries % GEN_ORDERS_PER_GRID == 0) sudoku_random_grid(r, full);
        // Stop at a random target so the counts spread over the range instead of piling up
        // at the minimum the removal can reach.
        int target = gmin + (int)rng_below(r, (uint32_t)(gmax - gmin + 1));
        memcpy(p, full, SUDOKU_CELLS);
        int givens = SUDOKU_CELLS;
        rng_permutation(r, order, SUDOKU_CELLS);
        for (int i = 0; i < SUDOKU_CELLS && givens > target; i++) {
            int cell = order[i];
            uint8_t d = p[cell];
            p[cell] = 0;
            if (sudoku_solve(p, NULL, 2, NULL) == 1) givens--;
            else p[cell] = d;            // removing it would allow a second solution
        }
        if (givens > gmax) continue;     // stuck above the range: uniqueness blocks further removal
        memcpy(puzzle, p, SUDOKU_CELLS);
        if (solution) memcpy(solution, full, SUDOKU_CELLS);
        if (rating) sudoku_solve(p, NULL, 2, rating);   // full search: the rating does not depend on luck
        return;
    }
}

// ---------------------------------------------------------------------------------------
// Augmentation: every transform of the Sudoku symmetry group we use maps valid grids to
// valid grids, so puzzle and solution stay consistent when both get the same one.

void sudoku_augment(Rng *r, uint8_t *puzzle, uint8_t *solution) {
    int digit[9], bands[3], stacks[3], rows[9], cols[9];
    rng_permutation(r, digit, 9);
    rng_permutation(r, bands, 3);
    rng_permutation(r, stacks, 3);
    for (int b = 0; b < 3; b++) {
        int in[3];
        rng_permutation(r, in, 3);
        for (int k = 0; k < 3; k++) rows[b * 3 + k] = bands[b] * 3 + in[k];
        rng_permutation(r, in, 3);
        for (int k = 0; k < 3; k++) cols[b * 3 + k] = stacks[b] * 3 + in[k];
    }
    int transpose = (int)rng_below(r, 2);
    uint8_t *grids[2] = {puzzle, solution};
    for (int gi = 0; gi < 2; gi++) {
        uint8_t *g = grids[gi];
        if (!g) continue;
        uint8_t src[SUDOKU_CELLS];
        memcpy(src, g, SUDOKU_CELLS);
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 9; j++) {
                int sr = rows[i], sc = cols[j];
                uint8_t d = transpose ? src[sc * 9 + sr] : src[sr * 9 + sc];
                g[i * 9 + j] = d >= 1 && d <= 9 ? (uint8_t)(digit[d - 1] + 1) : d;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Checker.

int sudoku_check(const uint8_t *puzzle, const uint8_t *answer, char *why, size_t whylen) {
    char dummy[8];
    if (!why) { why = dummy; whylen = sizeof dummy; }
    for (int i = 0; i < SUDOKU_CELLS; i++) {
        if (answer[i] == 0) { snprintf(why, whylen, "cell r%dc%d is blank", i / 9 + 1, i % 9 + 1); return 0; }
        if (answer[i] > 9) {
            snprintf(why, whylen, "cell r%dc%d holds %d, not a digit 1-9", i / 9 + 1, i % 9 + 1, answer[i]);
            return 0;
        }
    }
    for (int i = 0; i < SUDOKU_CELLS; i++) {
        if (puzzle[i] != 0 && puzzle[i] != answer[i]) {
            snprintf(why, whylen, "cell r%dc%d changes given %d to %d", i / 9 + 1, i % 9 + 1, puzzle[i], answer[i]);
            return 0;
        }
    }
    if (find_repeat(answer, why, whylen)) return 0;
    if (whylen) why[0] = '\0';
    return 1;
}

// ---------------------------------------------------------------------------------------
// Parsing.

static int is_space(int ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f'; }
static int is_cell_char(int ch) { return ch == '.' || (ch >= '0' && ch <= '9'); }

// Describe a character for a message: printable as 'x', others as hex.
static void describe_char(char *buf, size_t n, unsigned char ch) {
    if (ch >= 0x20 && ch < 0x7f) snprintf(buf, n, "'%c'", ch);
    else snprintf(buf, n, "byte 0x%02x", ch);
}

int sudoku_parse81(const char *s, size_t len, uint8_t *out, char *err, size_t errlen) {
    while (len > 0 && is_space((unsigned char)s[len - 1])) len--;
    while (len > 0 && is_space((unsigned char)*s)) { s++; len--; }
    if (len != SUDOKU_CELLS) {
        snprintf(err, errlen, "%zu cells, expected 81", len);
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!is_cell_char(ch)) {
            char d[16];
            describe_char(d, sizeof d, ch);
            snprintf(err, errlen, "bad character %s at column %zu (expected 1-9, '.' or '0')", d, i + 1);
            return 0;
        }
        out[i] = ch == '.' ? 0 : (uint8_t)(ch - '0');
    }
    return 1;
}

void sudoku_write(FILE *f, const uint8_t *grid, char blank) {
    char buf[SUDOKU_CELLS + 1];
    for (int i = 0; i < SUDOKU_CELLS; i++) buf[i] = grid[i] >= 1 && grid[i] <= 9 ? (char)('0' + grid[i]) : blank;
    buf[SUDOKU_CELLS] = '\n';
    fwrite(buf, 1, sizeof buf, f);
}

static int field_is(const CsvField *f, const char *const *names) {
    for (; *names; names++) {
        size_t n = strlen(*names);
        if (f->n != n) continue;
        size_t i = 0;
        for (; i < n; i++) {
            char a = f->p[i], b = (*names)[i];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (a != b) break;
        }
        if (i == n) return 1;
    }
    return 0;
}

// A digits-and-dots run long enough to be puzzle data rather than a number like a rating.
static int field_is_data(const CsvField *f) {
    if (f->n < 17) return 0;
    for (size_t i = 0; i < f->n; i++) if (!is_cell_char((unsigned char)f->p[i])) return 0;
    return 1;
}

// A header row: some field has a letter and no field is puzzle data.
static int csv_is_header(const CsvField *f, int nf) {
    int letters = 0;
    for (int i = 0; i < nf; i++) {
        if (field_is_data(&f[i])) return 0;
        for (size_t k = 0; k < f[i].n; k++) {
            char ch = f[i].p[k];
            if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) letters = 1;
        }
    }
    return letters;
}

// Remove spaces and the grid separators | - + (out may be NULL: just count). Returns the
// number of cells left; *ok says whether they are all cell characters.
static size_t strip_grid(const char *s, size_t len, char *out, int *ok) {
    size_t n = 0;
    *ok = 1;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (is_space((unsigned char)ch) || ch == '|' || ch == '-' || ch == '+') continue;
        if (!is_cell_char((unsigned char)ch)) *ok = 0;
        if (out) out[n] = ch;
        n++;
    }
    return n;
}

static int all_cell_chars(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) if (!is_cell_char((unsigned char)s[i])) return 0;
    return 1;
}

// Scans the text (a file's head) for something unmistakably Sudoku: an 81-cell field or line,
// or 3 consecutive 9-cell grid rows (separator lines between them allowed); other lines are
// passed over, so one malformed line near the top still lets `check` pick Sudoku and report
// that line. One short line of digits ("5", "123456789") is not enough: it would claim a tiny
// maze or any file of numbers. Maze text never qualifies: its rows hold '#', 'S', 'G' or 'o'
// (and rows starting with '#' read as comments here).
int sudoku_looks_like(const char *text) {
    const char *s = text;
    int rows = 0;   // consecutive 9-cell grid rows so far
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        const char *next = e ? e + 1 : s + len;
        while (len && is_space((unsigned char)*s)) { s++; len--; }
        while (len && is_space((unsigned char)s[len - 1])) len--;
        if (len == 0 || s[0] == '#' || len > SUDOKU_MAX_LINE) { rows = 0; s = next; continue; }
        if (memchr(s, ',', len)) {
            CsvField f[16];
            const char *why;
            int nf = csv_split(s, len, f, 16, 1, &why);   // a malformed line (-1) has no field
            if (nf > 16) nf = 16;                          // fields past the 16th are not looked at
            for (int i = 0; i < nf; i++)
                if (f[i].n == SUDOKU_CELLS && all_cell_chars(f[i].p, f[i].n)) return 1;
            rows = 0;
        } else {
            int ok;
            size_t n = strip_grid(s, len, NULL, &ok);
            if (n == SUDOKU_CELLS && ok) return 1;
            if (n == 9 && ok) { if (++rows == 3) return 1; }
            else if (n != 0 || !ok) rows = 0;   // a separator line (only | - + and spaces) keeps the run
        }
        s = next;
    }
    return 0;
}

// ---------------------------------------------------------------------------------------
// The reader. One pass over the lines; entries go into a growing SudokuSet. Every problem
// is reported as `<name>:<line>: <reason>`; bad() either dies (exit 2) or warns and counts.

typedef struct {
    FILE *f;
    const char *name;         // path for messages ("<stdin>" for "-")
    int skip_bad, pairs;      // pairs: second CSV field is an answer to judge, not a solution
    int lineno;
    char *line;               // SUDOKU_MAX_LINE + 1
    size_t len;
    int too_long;
    SudokuSet *set;
    int cap;
    int has_sol;              // -1 undecided, else whether entries carry a solution
    int header_allowed;       // a CSV header may only come before the first entry
    int pcol, scol;           // CSV columns of puzzle and solution (scol -1: none); 0 and 1
                              // unless a header names them
    char *cells;              // scratch for grid rows, SUDOKU_MAX_LINE
    // a 9-line grid being collected
    int grid_rows, grid_line;
    int grid_bad;             // a row of this grid was bad (reported): the grid is one skipped entry
    uint8_t grid[SUDOKU_CELLS];
} Reader;

#define bad(rd, line, ...) \
    report_bad((rd)->name, line, (rd)->skip_bad, &(rd)->set->skipped, (rd)->set->n, __VA_ARGS__)

// Read one line into rd->line (without the newline). Returns 0 at end of file.
static int next_line(Reader *rd) {
    size_t n = 0;
    int c, any = 0;
    rd->too_long = 0;
    while ((c = getc(rd->f)) != EOF) {
        any = 1;
        if (c == '\n') break;
        if (n < SUDOKU_MAX_LINE) rd->line[n++] = (char)c;
        else rd->too_long = 1;          // keep reading to the end of the line, storing nothing
    }
    if (ferror(rd->f)) die(EXIT_USAGE, "%s: read error: %s", rd->name, strerror(errno));
    if (!any) return 0;
    rd->lineno++;
    rd->line[n] = '\0';
    rd->len = n;
    return 1;
}

static void add_entry(Reader *rd, const uint8_t *puzzle, const uint8_t *solution, int line) {
    int want = solution != NULL;
    if (rd->has_sol < 0) rd->has_sol = want;
    if (rd->has_sol != want) {
        bad(rd, line, want ? "has a solution, but the entries before it have none"
                           : "has no solution, but the entries before it have one");
        return;
    }
    SudokuSet *s = rd->set;
    if (s->n == rd->cap) {
        rd->cap = rd->cap ? rd->cap * 2 : 1024;
        s->puzzles = xrealloc(s->puzzles, (size_t)rd->cap * SUDOKU_CELLS);
        if (want) s->solutions = xrealloc(s->solutions, (size_t)rd->cap * SUDOKU_CELLS);
        s->line = xrealloc(s->line, (size_t)rd->cap * sizeof(int));
    }
    memcpy(s->puzzles + (size_t)s->n * SUDOKU_CELLS, puzzle, SUDOKU_CELLS);
    if (want) memcpy(s->solutions + (size_t)s->n * SUDOKU_CELLS, solution, SUDOKU_CELLS);
    s->line[s->n++] = line;
    rd->header_allowed = 0;
}

// Validate a parsed puzzle (and solution, unless in pairs mode) and add it.
static void accept(Reader *rd, const uint8_t *puzzle, const uint8_t *solution, int line) {
    char why[160];
    if (find_repeat(puzzle, why, sizeof why)) { bad(rd, line, "contradicting givens: %s", why); return; }
    if (solution && !rd->pairs && !sudoku_check(puzzle, solution, why, sizeof why)) {
        bad(rd, line, "solution does not solve the puzzle: %s", why);
        return;
    }
    add_entry(rd, puzzle, solution, line);
}

// A 9-line grid that stopped early is reported at the line where it began (unless one of its
// rows was reported already: one entry, one report).
static void flush_partial_grid(Reader *rd) {
    if (rd->grid_rows > 0 && rd->grid_rows < 9 && !rd->grid_bad)
        bad(rd, rd->grid_line, "grid has %d rows, expected 9 (rows of 9 cells on consecutive lines)", rd->grid_rows);
    rd->grid_rows = 0;
    rd->grid_bad = 0;
}

// Row `rd->grid_rows` of the grid being collected is bad: the first bad row reports the grid,
// which is then read to its ninth row and dropped as one entry.
static void grid_row_bad(Reader *rd, const char *why) {
    if (!rd->grid_bad) bad(rd, rd->lineno, "%s", why);
    rd->grid_bad = 1;
    if (++rd->grid_rows == 9) { rd->grid_rows = 0; rd->grid_bad = 0; }
}

// Header names (case-insensitive) that say which CSV column holds what.
static const char *const puzzle_names[] = {"puzzle", "puzzles", "quiz", "quizzes", "question", "questions",
                                           "problem", "problems", NULL};
static const char *const solution_names[] = {"solution", "solutions", "answer", "answers", NULL};

static void handle_csv(Reader *rd, const char *s, size_t len) {
    CsvField f[32];
    const char *why;
    int nf = csv_split(s, len, f, 32, 1, &why);
    char err[160];
    if (nf < 0) {
        rd->header_allowed = 0;
        bad(rd, rd->lineno, "%s", why);
        return;
    }
    if (nf > 32) nf = 32;   // fields past the 32nd are not looked at
    if (rd->header_allowed && csv_is_header(f, nf)) {
        rd->header_allowed = 0;
        int pcol = -1, scol = -1;
        for (int i = 0; i < nf; i++) {
            if (pcol < 0 && field_is(&f[i], puzzle_names)) pcol = i;
            else if (scol < 0 && field_is(&f[i], solution_names)) scol = i;
        }
        if (pcol >= 0) { rd->pcol = pcol; rd->scol = scol; }   // else: columns 0 and 1, as without a header
        return;
    }
    rd->header_allowed = 0;
    int scol = rd->scol;
    if (rd->pcol >= nf) {
        bad(rd, rd->lineno, "%d fields, expected the puzzle in field %d", nf, rd->pcol + 1);
        return;
    }
    uint8_t p[SUDOKU_CELLS], sol[SUDOKU_CELLS];
    if (!sudoku_parse81(f[rd->pcol].p, f[rd->pcol].n, p, err, sizeof err)) {
        bad(rd, rd->lineno, "puzzle (field %d): %s", rd->pcol + 1, err);
        return;
    }
    int with_sol = scol >= 0 && scol < nf;
    if (with_sol && !sudoku_parse81(f[scol].p, f[scol].n, sol, err, sizeof err)) {
        bad(rd, rd->lineno, "solution (field %d): %s", scol + 1, err);
        return;
    }
    accept(rd, p, with_sol ? sol : NULL, rd->lineno);
}

static void handle_line(Reader *rd) {
    char *s = rd->line;
    size_t len = rd->len;
    if (rd->lineno == 1 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) { s += 3; len -= 3; }  // UTF-8 BOM
    while (len && is_space((unsigned char)*s)) { s++; len--; }
    while (len && is_space((unsigned char)s[len - 1])) len--;       // also drops the CR of CRLF
    if (len == 0 || s[0] == '#') { flush_partial_grid(rd); return; }

    if (memchr(s, ',', len)) { flush_partial_grid(rd); handle_csv(rd, s, len); return; }

    CsvField one = {s, len, 0};
    if (rd->header_allowed && field_is(&one, puzzle_names)) {   // a one-column file's header
        rd->header_allowed = 0;
        rd->scol = -1;
        return;
    }
    char err[160];
    uint8_t p[SUDOKU_CELLS];
    if (len == SUDOKU_CELLS) {
        flush_partial_grid(rd);
        if (sudoku_parse81(s, len, p, err, sizeof err)) accept(rd, p, NULL, rd->lineno);
        else bad(rd, rd->lineno, "%s", err);
        return;
    }
    // Grid rows: "1 2 3 | 4 5 6 | 7 8 9", "123456789"; also one-line puzzles written with spaces.
    char *cells = rd->cells;
    int ok;
    size_t n = strip_grid(s, len, cells, &ok);
    if (n == 0) return;                                               // a separator line
    if (n == SUDOKU_CELLS) {
        flush_partial_grid(rd);
        if (sudoku_parse81(cells, n, p, err, sizeof err)) accept(rd, p, NULL, rd->lineno);
        else bad(rd, rd->lineno, "%s", err);
        return;
    }
    if (n == 9) {
        if (rd->grid_rows == 0) rd->grid_line = rd->lineno;
        for (int i = 0; i < 9; i++) {
            unsigned char ch = (unsigned char)cells[i];
            if (!is_cell_char(ch)) {
                char d[16], why[96];
                describe_char(d, sizeof d, ch);
                snprintf(why, sizeof why, "bad character %s in grid row (expected 1-9, '.' or '0')", d);
                grid_row_bad(rd, why);
                return;
            }
            rd->grid[rd->grid_rows * 9 + i] = ch == '.' ? 0 : (uint8_t)(ch - '0');
        }
        if (++rd->grid_rows == 9) {
            rd->grid_rows = 0;
            if (rd->grid_bad) rd->grid_bad = 0;
            else accept(rd, rd->grid, NULL, rd->grid_line);
        }
        return;
    }
    if (rd->grid_rows > 0) {   // inside a grid: a row of the wrong length spoils that grid only
        char why[128];
        snprintf(why, sizeof why, "grid row has %zu cells, expected 9", n);
        grid_row_bad(rd, why);
        return;
    }
    bad(rd, rd->lineno, "%zu cells, expected 81 on one line, a grid row of 9, or puzzle,solution", n);
}

static int read_impl(const char *path, SudokuSet *set, int skip_bad, int pairs) {
    Reader rd;
    memset(&rd, 0, sizeof rd);
    memset(set, 0, sizeof *set);
    rd.name = path_label(path);
    rd.f = xfopen(path, "rb");
    rd.skip_bad = skip_bad;
    rd.pairs = pairs;
    rd.set = set;
    rd.has_sol = -1;
    rd.header_allowed = 1;
    rd.pcol = 0;
    rd.scol = 1;
    rd.line = xmalloc(SUDOKU_MAX_LINE + 1);
    rd.cells = xmalloc(SUDOKU_MAX_LINE);
    while (next_line(&rd)) {
        if (rd.too_long) {
            flush_partial_grid(&rd);
            bad(&rd, rd.lineno, "line longer than %d bytes (not a puzzle file?)", SUDOKU_MAX_LINE);
            continue;
        }
        handle_line(&rd);
    }
    flush_partial_grid(&rd);
    free(rd.line);
    free(rd.cells);
    if (rd.f != stdin) fclose(rd.f);
    if (set->n == 0) {
        int n_bad = set->skipped.n;
        sudoku_set_free(set);
        if (n_bad) die(EXIT_USAGE, "%s: no valid puzzles (%d bad entries)", rd.name, n_bad);
        die(EXIT_USAGE, "%s: no puzzles found (%s)", rd.name, rd.lineno ? "only blank or comment lines" : "empty file");
    }
    if (rd.has_sol != 1) { free(set->solutions); set->solutions = NULL; }
    return set->skipped.n;
}

int sudoku_read(const char *path, SudokuSet *set, int skip_bad) { return read_impl(path, set, skip_bad, 0); }

int sudoku_read_pairs(const char *path, SudokuSet *set, int skip_bad) { return read_impl(path, set, skip_bad, 1); }

void sudoku_set_free(SudokuSet *set) {
    free(set->puzzles);
    free(set->solutions);
    free(set->line);
    skip_list_free(&set->skipped);
    memset(set, 0, sizeof *set);
}

// ---- the task table entry (task.h) ----------------------------------------------------------

// Tokens: input 0 = blank, 1..9 digits; output classes 0..9 (targets 1..9).
#define SUDOKU_VOCAB 10

static void task_train_size(const Config *c, int *h, int *w) { (void)c; *h = *w = 9; }

static void task_describe_gen(const Config *c, char *buf, size_t len) {
    snprintf(buf, len, "givens %d-%d", c->data.givens_min, c->data.givens_max);
}

// Tokens carry (row, column, box): factorised coordinates break the "copy the givens" plateau
// where one flat position table stalls (DESIGN.md).
static void task_shape(TaskShape *s, int *coords, int h, int w) {
    (void)h; (void)w;
    s->vocab = SUDOKU_VOCAB;
    s->n_out = SUDOKU_VOCAB;
    s->seq_len = 81;
    s->n_axes = 3;
    s->axis_size[0] = s->axis_size[1] = s->axis_size[2] = 9;
    for (int t = 0; t < 81; t++) {
        int r = t / 9, c = t % 9;
        coords[t * 3 + 0] = r;
        coords[t * 3 + 1] = c;
        coords[t * 3 + 2] = (r / 3) * 3 + c / 3;
    }
}

static int task_coords_size(int h, int w) { (void)h; (void)w; return 81 * 3; }

static void task_generate(const Config *c, Rng *r, uint8_t *q, uint8_t *a) {
    sudoku_generate(r, c->data.givens_min, c->data.givens_max, q, a, NULL);
}

static void task_augment(Rng *r, uint8_t *q, uint8_t *a, int h, int w, uint8_t *tmp) {
    (void)h; (void)w; (void)tmp;
    sudoku_augment(r, q, a);
}

static int read_with(int (*reader)(const char *, SudokuSet *, int), const char *path, PuzzleSet *set,
                     int skip_bad) {
    SudokuSet ss;
    int bad = reader(path, &ss, skip_bad), k = 0;
    puzzle_set_alloc(set, ss.n + ss.skipped.n, (size_t)ss.n * SUDOKU_CELLS * (ss.solutions ? 2 : 1));
    for (int i = 0; i < ss.n; i++) {
        size_t off = (size_t)i * SUDOKU_CELLS;
        puzzle_set_add_skipped(set, &ss.skipped, &k, i);
        puzzle_set_add(set, 9, 9, ss.puzzles + off, ss.solutions ? ss.solutions + off : NULL, ss.line[i]);
    }
    puzzle_set_add_skipped(set, &ss.skipped, &k, ss.n);
    sudoku_set_free(&ss);
    return bad;
}

static int task_read(const char *path, PuzzleSet *set, int skip_bad) {
    return read_with(sudoku_read, path, set, skip_bad);
}

static int task_read_answers(const char *path, PuzzleSet *set, int skip_bad) {
    return read_with(sudoku_read_pairs, path, set, skip_bad);
}

// A file has solutions for every puzzle or for none (sudoku_read), so the message names no line.
static void task_check_split(const Config *c, const PuzzleSet *set, const char *path) {
    (void)c;
    for (int i = 0; i < set->n; i++) {
        const Puzzle *p = &set->p[i];
        if (!p->q) die(EXIT_USAGE, "%s:%d: %s (training and validation data skip no entry)", path, p->line, p->why);
        if (!p->a) die(EXIT_USAGE, "%s: training and validation data need solutions (puzzle,solution)", path);
    }
}

static int task_check(const uint8_t *q, const uint8_t *a, int h, int w, char *why, size_t len) {
    (void)h; (void)w;
    return sudoku_check(q, a, why, len);
}

static int task_well_formed(const uint8_t *q, const uint8_t *a, int h, int w, int *cost) {
    (void)h; (void)w;
    *cost = 0;
    return sudoku_check(q, a, NULL, 0);
}

static int task_validate(const uint8_t *q, int h, int w, char *why, size_t len) {
    (void)h; (void)w;
    int ns = sudoku_solve(q, NULL, 2, NULL);
    if (ns != 1) snprintf(why, len, "%s", ns == 0 ? "puzzle has no solution" : "puzzle has more than one solution");
    return ns == 1;
}

static int task_reference(const uint8_t *q, int h, int w, uint8_t *out) {
    (void)h; (void)w;
    return sudoku_solve(q, out, 1, NULL) == 1;
}

static void task_text(char *out, const uint8_t *a, int h, int w) {
    int S = h * w;
    for (int i = 0; i < S; i++) out[i] = a[i] ? (char)('0' + a[i]) : '.';
    out[S] = '\0';
}

static void task_write(FILE *f, const uint8_t *a, int h, int w) {
    char text[SUDOKU_CELLS + 1];
    task_text(text, a, h, w);
    fprintf(f, "%s\n", text);
}

const Task TASK_SUDOKU_DEF = {
    .name = "sudoku",
    .what = "Sudoku puzzles",
    .score_blanks = 1,
    .answer_unique = 1,
    .fixed_size = 1,
    .text_one_line = 1,
    .train_size = task_train_size,
    .describe_gen = task_describe_gen,
    .leaks = sudoku_leaks,
    .shape = task_shape,
    .coords_size = task_coords_size,
    .looks_like = sudoku_looks_like,
    .generate = task_generate,
    .augment = task_augment,
    .read = task_read,
    .read_answers = task_read_answers,
    .check_split = task_check_split,
    .check = task_check,
    .well_formed = task_well_formed,
    .validate = task_validate,
    .reference = task_reference,
    .text = task_text,
    .write = task_write,
    .write_png = NULL,
    .variant = sudoku_sym_variant,
};
