// sudoku_canon.c — canonical forms of Sudoku puzzles under every validity-preserving grid
// transform (transpose x band order x row order in each band x stack order x column order in
// each stack: 2 * 6^8 = 3,359,232) and digit relabelling (9!), and sets of them read from
// puzzle files (gen --exclude, check --against).
//
// The order that picks the representative: first the pattern of givens in reading order (a
// given before a blank), then the givens' digits in reading order, relabelled by first
// appearance (the smallest labelling of any one arrangement). Searching it:
//  1. For a fixed row arrangement (transpose, bands, rows in bands) the best column
//     arrangement for the pattern is a sort: columns within a stack by their top-to-bottom
//     bit vector, then stacks by their 27-bit block read row by row (swapping two neighbours
//     that are out of order improves the first row where they differ and nothing before it).
//     So only row arrangements are searched, 2 x 1,296 of them at most.
//  2. The pattern's first i + 1 rows depend only on the first i + 1 rows chosen (the same
//     sort on the columns' first i + 1 bits gives them), so the rows are chosen one by one
//     and a branch already worse than the best pattern is cut (branch and bound); the top
//     row's best pattern depends on that row alone (its givens per stack, packed left,
//     stacks by count), so only the rows with the best one start a branch.
//  3. Every arrangement that ties the best pattern competes on the digits, with each column
//     order that ties it too (equal column vectors within a stack, equal stack blocks).
// Interchangeable blank rows and columns are tried in one order only (they cannot change the
// form). Tests check invariance under random transforms and agreement with brute force.
// The permutation tables here are local; src/task/sudoku_sym.c (test-time breadth) may hold
// similar ones.
#include "loopt/sudoku_canon.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loopt/check.h"
#include "loopt/log.h"
#include "loopt/task.h"
#include "loopt/timer.h"

// The six orders of three things.
static const uint8_t PERM3[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};

typedef struct {
    const uint8_t *p;          // (81) the puzzle
    uint16_t rm[2][9];         // rm[t][r]: bit c set when cell (r, c) of view t holds a given
                               // (view 1 is the transpose)
    int have;                  // an arrangement has been recorded
    uint16_t pat[9];           // best pattern: output row i, bit 8 - j for output column j
    int have_dig;              // digits recorded for this pattern
    int n_giv;
    uint8_t dig[SUDOKU_CELLS]; // (n_giv) best labels of the givens in reading order
} Canon;

static inline int cell_of(const uint8_t *p, int t, int r, int c) { return t ? p[c * 9 + r] : p[r * 9 + c]; }

// The best top-row pattern a row with givens mask m can give: per stack its givens packed
// left, stacks by count.
static uint16_t top_pattern(unsigned m) {
    static const uint16_t packed[4] = {0, 4, 6, 7};
    int k[3];
    for (int s = 0; s < 3; s++) k[s] = __builtin_popcount((m >> (3 * s)) & 7u);
    for (int a = 0; a < 2; a++)
        for (int b = a + 1; b < 3; b++)
            if (k[b] > k[a]) { int x = k[a]; k[a] = k[b]; k[b] = x; }
    return (uint16_t)(packed[k[0]] << 6 | packed[k[1]] << 3 | packed[k[2]]);
}

// Bit k of a 9-bit x moved to bit 3k: three columns' vectors interleave into a block.
static uint32_t spread3(unsigned x) {
    uint32_t y = 0;
    for (int k = 0; k < 9; k++) y |= ((x >> k) & 1u) << (3 * k);
    return y;
}

// Digits of the arrangement (rows, cols) of view t against the best: labels by first
// appearance, abandoned at the first label above the best's.
static void try_digits(Canon *k, int t, const uint8_t *rows, const uint8_t *cols) {
    uint8_t lab[10] = {0}, seq[SUDOKU_CELLS];
    int next = 1, n = 0, below = !k->have_dig;
    for (int i = 0; i < 9; i++) {
        for (int j = 0; j < 9; j++) {
            int d = cell_of(k->p, t, rows[i], cols[j]);
            if (!d) continue;
            if (!lab[d]) lab[d] = (uint8_t)next++;
            seq[n] = lab[d];
            if (!below) {
                if (seq[n] > k->dig[n]) return;
                if (seq[n] < k->dig[n]) below = 1;
            }
            n++;
        }
    }
    if (below) { memcpy(k->dig, seq, (size_t)n); k->have_dig = 1; }
}

// The orders (of 6) of three items with values v that keep v non-increasing, with items of
// value 0 (blank: interchangeable) in increasing index only. Returns the count; ids into out.
static int tie_orders(const uint32_t *v, int *out) {
    int n = 0;
    for (int q = 0; q < 6; q++) {
        const uint8_t *o = PERM3[q];
        if (v[o[0]] < v[o[1]] || v[o[1]] < v[o[2]]) continue;
        int ok = 1;
        for (int a = 0; a < 2 && ok; a++)
            if (v[o[a]] == 0 && v[o[a + 1]] == 0 && o[a] > o[a + 1]) ok = 0;
        if (ok) out[n++] = q;
    }
    return n;
}

// One row arrangement: its best pattern by sorting (above); if it beats or ties the best,
// every column order that reaches it competes on the digits.
static void try_rows(Canon *k, int t, const uint8_t *rows) {
    uint16_t cv[9] = {0};   // column vectors: bit 8 - i set when output row i has a given there
    for (int i = 0; i < 9; i++)
        for (unsigned m = k->rm[t][rows[i]]; m; m &= m - 1) cv[__builtin_ctz(m)] |= (uint16_t)(1u << (8 - i));
    uint32_t key[3];        // each stack's block, its columns sorted, bit 3(8-i)+2-j for row i, column j
    int within[3][6], n_within[3];
    for (int s = 0; s < 3; s++) {
        uint32_t v[3] = {cv[3 * s], cv[3 * s + 1], cv[3 * s + 2]};
        n_within[s] = tie_orders(v, within[s]);
        const uint8_t *o = PERM3[within[s][0]];
        key[s] = spread3(v[o[0]]) << 2 | spread3(v[o[1]]) << 1 | spread3(v[o[2]]);
    }
    int stacks[6];
    int n_stacks = tie_orders(key, stacks);
    const uint8_t *so = PERM3[stacks[0]];
    uint16_t pat[9];
    int cmp = k->have ? 0 : 1;   // 1: better than the best, 0: equal so far, -1: worse
    for (int i = 0; i < 9; i++) {
        int sh = 3 * (8 - i);
        pat[i] = (uint16_t)(((key[so[0]] >> sh) & 7u) << 6 | ((key[so[1]] >> sh) & 7u) << 3 | ((key[so[2]] >> sh) & 7u));
        if (cmp == 0 && pat[i] != k->pat[i]) cmp = pat[i] > k->pat[i] ? 1 : -1;
        if (cmp < 0) return;
    }
    if (cmp > 0) { memcpy(k->pat, pat, sizeof pat); k->have = 1; k->have_dig = 0; }
    uint8_t cols[9];
    for (int a = 0; a < n_stacks; a++) {
        const uint8_t *sp = PERM3[stacks[a]];
        for (int x = 0; x < n_within[sp[0]]; x++)
            for (int y = 0; y < n_within[sp[1]]; y++)
                for (int z = 0; z < n_within[sp[2]]; z++) {
                    int pick[3] = {within[sp[0]][x], within[sp[1]][y], within[sp[2]][z]};
                    for (int b = 0; b < 3; b++)
                        for (int j = 0; j < 3; j++) cols[3 * b + j] = (uint8_t)(3 * sp[b] + PERM3[pick[b]][j]);
                    try_digits(k, t, rows, cols);
                }
    }
}

// Rows 0..i of the arrangement chosen (rows): their best pattern, which the rows below cannot
// change (columns sorted on their first i + 1 bits give it), against the best pattern's rows
// 0..i: -1 worse, 0 equal, 1 better.
static int prefix_cmp(const Canon *k, int t, const uint8_t *rows, int i) {
    if (!k->have) return 1;
    uint16_t cv[9] = {0};
    for (int a = 0; a <= i; a++)
        for (unsigned m = k->rm[t][rows[a]]; m; m &= m - 1) cv[__builtin_ctz(m)] |= (uint16_t)(1u << (8 - a));
    uint32_t key[3];
    for (int s = 0; s < 3; s++) {
        uint32_t v[3] = {cv[3 * s], cv[3 * s + 1], cv[3 * s + 2]};
        for (int a = 0; a < 2; a++)   // three values, largest first
            for (int b = a + 1; b < 3; b++)
                if (v[b] > v[a]) { uint32_t x = v[a]; v[a] = v[b]; v[b] = x; }
        key[s] = spread3(v[0]) << 2 | spread3(v[1]) << 1 | spread3(v[2]);
    }
    for (int a = 0; a < 2; a++)
        for (int b = a + 1; b < 3; b++)
            if (key[b] > key[a]) { uint32_t x = key[a]; key[a] = key[b]; key[b] = x; }
    for (int a = 0; a <= i; a++) {
        int sh = 3 * (8 - a);
        unsigned row = ((key[0] >> sh) & 7u) << 6 | ((key[1] >> sh) & 7u) << 3 | ((key[2] >> sh) & 7u);
        if (row != k->pat[a]) return row > k->pat[a] ? 1 : -1;
    }
    return 0;
}

// 1 if band `band` of view t has a blank row below x (interchangeable with x when x is blank)
// that is not used yet: blank rows of a band are placed in index order only.
static int blank_row_waits(const Canon *k, int t, int band, int x, unsigned used) {
    for (int y = 3 * band; y < x; y++)
        if (!(used >> y & 1) && !k->rm[t][y]) return 1;
    return 0;
}

// Branch and bound over output rows i..8 (rows 0..i-1 chosen, `used` their bit set): row i
// comes from the top row's band (rows 1-2), band b1 (rows 3-5, chosen at row 3) or the last
// band; a branch whose pattern so far is worse than the best is cut.
static void place_row(Canon *k, int t, uint8_t *rows, int i, int b1, unsigned used) {
    if (i == 9) { try_rows(k, t, rows); return; }
    int b0 = rows[0] / 3;
    if (i == 3 && b1 < 0) {
        for (int b = 0; b < 3; b++)
            if (b != b0) place_row(k, t, rows, i, b, used);
        return;
    }
    int band = i < 3 ? b0 : i < 6 ? b1 : 3 - b0 - b1;
    for (int x = 3 * band; x < 3 * band + 3; x++) {
        if (used >> x & 1) continue;
        if (!k->rm[t][x] && blank_row_waits(k, t, band, x, used)) continue;
        rows[i] = (uint8_t)x;
        if (i < 8 && prefix_cmp(k, t, rows, i) < 0) continue;
        place_row(k, t, rows, i + 1, b1, used | 1u << x);
    }
}

void sudoku_canon(const uint8_t *puzzle, uint8_t *canon) {
    Canon k;
    memset(&k, 0, sizeof k);
    k.p = puzzle;
    for (int t = 0; t < 2; t++)
        for (int r = 0; r < 9; r++)
            for (int c = 0; c < 9; c++)
                if (cell_of(puzzle, t, r, c)) k.rm[t][r] |= (uint16_t)(1u << c);
    uint16_t top[2][9], best = 0;
    for (int t = 0; t < 2; t++)
        for (int r = 0; r < 9; r++) {
            top[t][r] = top_pattern(k.rm[t][r]);
            if (top[t][r] > best) best = top[t][r];
        }
    for (int t = 0; t < 2; t++)
        for (int r = 0; r < 9; r++) {
            if (top[t][r] != best) continue;
            // An empty top row (an empty puzzle): any blank row does, so only the first.
            if (best == 0 && r != 0) continue;
            uint8_t rows[9] = {(uint8_t)r};
            place_row(&k, t, rows, 1, -1, 1u << r);
        }
    int n = 0;
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++)
            canon[i * 9 + j] = (k.pat[i] >> (8 - j)) & 1u ? k.dig[n++] : 0;
}

// ---------------------------------------------------------------------------------------
// Sets of forms.

static uint64_t form_hash(const uint8_t *f) {
    uint64_t h = 1469598103934665603ULL;   // FNV-1a
    for (int i = 0; i < SUDOKU_CELLS; i++) h = (h ^ f[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

void canon_set_init(CanonSet *s) { memset(s, 0, sizeof *s); }

void canon_set_free(CanonSet *s) {
    free(s->forms);
    free(s->line);
    free(s->file);
    free(s->slot);
    for (int i = 0; i < s->n_files; i++) free(s->files[i]);
    free(s->files);
    memset(s, 0, sizeof *s);
}

long canon_set_find(const CanonSet *s, const uint8_t *canon) {
    if (!s->n_slots) return -1;
    long mask = s->n_slots - 1;
    for (long h = (long)(form_hash(canon) & (uint64_t)mask);; h = (h + 1) & mask) {
        long e = s->slot[h];
        if (!e) return -1;
        if (memcmp(s->forms + (size_t)(e - 1) * SUDOKU_CELLS, canon, SUDOKU_CELLS) == 0) return e - 1;
    }
}

static void slot_put(CanonSet *s, long idx) {
    long mask = s->n_slots - 1;
    long h = (long)(form_hash(s->forms + (size_t)idx * SUDOKU_CELLS) & (uint64_t)mask);
    while (s->slot[h]) h = (h + 1) & mask;
    s->slot[h] = idx + 1;
}

// Room for `more` forms: the arrays grow by doubling, the table stays at most half full.
static void set_reserve(CanonSet *s, long more) {
    if (s->n + more <= s->cap) return;
    long cap = s->cap ? s->cap : 1024;
    while (cap < s->n + more) cap *= 2;
    s->forms = xrealloc(s->forms, (size_t)cap * SUDOKU_CELLS);
    s->line = xrealloc(s->line, (size_t)cap * sizeof *s->line);
    s->file = xrealloc(s->file, (size_t)cap * sizeof *s->file);
    s->cap = cap;
    free(s->slot);
    s->n_slots = 2 * cap;
    s->slot = xcalloc((size_t)s->n_slots, sizeof *s->slot);
    for (long i = 0; i < s->n; i++) slot_put(s, i);
}

long canon_set_add(CanonSet *s, const uint8_t *canon, int file, int line) {
    long e = canon_set_find(s, canon);
    if (e >= 0) return e;
    set_reserve(s, 1);
    memcpy(s->forms + (size_t)s->n * SUDOKU_CELLS, canon, SUDOKU_CELLS);
    s->file[s->n] = file;
    s->line[s->n] = line;
    slot_put(s, s->n);
    return s->n++;
}

static int count_givens(const uint8_t *p) {
    int n = 0;
    for (int i = 0; i < SUDOKU_CELLS; i++) n += p[i] != 0;
    return n;
}

// The forms of one file's puzzles with s->gmin..gmax givens, computed in parallel, added in file
// order.
static void load_file(CanonSet *s, const char *path, int in_folder) {
    double t0 = now_seconds();
    SudokuSet ss;
    int bad = sudoku_read(path, &ss, in_folder ? 2 : 0);
    s->files = xrealloc(s->files, sizeof(char *) * (size_t)(s->n_files + 1));
    s->files[s->n_files] = xstrdup(path);
    int file = s->n_files++;
    uint8_t *forms = xmalloc((size_t)ss.n * SUDOKU_CELLS);
    int *used = xmalloc(sizeof(int) * (size_t)ss.n);
    #pragma omp parallel for schedule(dynamic, 64)
    for (int i = 0; i < ss.n; i++) {
        const uint8_t *p = ss.puzzles + (size_t)i * SUDOKU_CELLS;
        int g = count_givens(p);
        used[i] = g >= s->gmin && g <= s->gmax;
        if (used[i]) sudoku_canon(p, forms + (size_t)i * SUDOKU_CELLS);
    }
    long before = s->n;
    int n_used = 0;
    set_reserve(s, ss.n);
    for (int i = 0; i < ss.n; i++) {
        if (!used[i]) continue;
        canon_set_add(s, forms + (size_t)i * SUDOKU_CELLS, file, ss.line[i]);
        n_used++;
    }
    s->n_read += ss.n;
    s->n_other_givens += ss.n - n_used;
    char other[96] = "", skipped[320] = "";
    if (n_used < ss.n)
        snprintf(other, sizeof other, " (%d with givens outside %d-%d, which cannot match)", ss.n - n_used, s->gmin,
                 s->gmax);
    if (bad)
        snprintf(skipped, sizeof skipped, "; %d entries that are not puzzles skipped (first: line %d: %s)", bad,
                 ss.skipped.s[0].line, ss.skipped.s[0].why);
    log_info("%s: %d puzzles%s, %ld new up to symmetry, %.1f s%s", path, ss.n, other, s->n - before,
             now_seconds() - t0, skipped);
    free(used);
    free(forms);
    sudoku_set_free(&ss);
}

// 1 if the start of regular file `path` looks like Sudoku puzzles (its first well-formed lines:
// read_head).
static int file_looks_sudoku(const char *path) {
    if (access(path, R_OK) != 0) return 0;
    size_t n;
    char *head = read_head(path, path, &n);
    int yes = n > 0 && sudoku_looks_like(head);
    free(head);
    return yes;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void canon_set_load(CanonSet *s, const char *path, int gmin, int gmax) {
    s->gmin = gmin;
    s->gmax = gmax;
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        // A maze file would read as comment lines only ('#' walls): say what it holds instead.
        if (strcmp(path, "-") == 0 || stat(path, &st) == 0)
            task_expect_file(&TASK_SUDOKU_DEF, path, path_label(path), "puzzles to exclude or to count leaks against "
                             "are Sudoku puzzles");
        load_file(s, path, 0);
        return;
    }
    DIR *d = opendir(path);
    if (!d) die(EXIT_USAGE, "%s: cannot open folder: %s", path, strerror(errno));
    char **names = NULL;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        names = xrealloc(names, sizeof(char *) * (size_t)(n + 1));
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 1) qsort(names, (size_t)n, sizeof *names, by_name);   // names is NULL for an empty folder
    char other[256] = "";
    int n_used = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *full = xmalloc(len);
        snprintf(full, len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && file_looks_sudoku(full)) { load_file(s, full, 1); n_used++; }
        else if (strlen(other) + strlen(names[i]) + 3 < sizeof other)
            snprintf(other + strlen(other), sizeof other - strlen(other), "%s%s", other[0] ? ", " : "", names[i]);
        free(full);
        free(names[i]);
    }
    free(names);
    CHECK_INPUT(n_used > 0, "%s: no Sudoku puzzle files in this folder", path);
    if (other[0]) log_info("%s: passed over (not Sudoku puzzles): %s", path, other);
}

// The leakage check of the Sudoku row (Task.leaks): PATH's forms with as many givens as some
// puzzle of the set has (no other can be equivalent), then each puzzle's form looked up.
long sudoku_leaks(const PuzzleSet *set, const char *path, char **where) {
    int gmin = SUDOKU_CELLS, gmax = 0;
    for (int i = 0; i < set->n; i++) {
        if (!set->p[i].q) continue;
        int g = 0;
        for (int c = 0; c < SUDOKU_CELLS; c++) g += set->p[i].q[c] != 0;
        if (g < gmin) gmin = g;
        if (g > gmax) gmax = g;
    }
    CanonSet against;
    canon_set_init(&against);
    canon_set_load(&against, path, gmin, gmax);
    long *seen = xmalloc(sizeof(long) * (size_t)(set->n ? set->n : 1));
    #pragma omp parallel for schedule(dynamic, 64)
    for (int i = 0; i < set->n; i++) {
        uint8_t canon[SUDOKU_CELLS];
        seen[i] = -1;
        if (!set->p[i].q) continue;
        sudoku_canon(set->p[i].q, canon);
        seen[i] = canon_set_find(&against, canon);
    }
    long n = 0;
    for (int i = 0; i < set->n; i++) {
        where[i] = NULL;
        if (seen[i] < 0) continue;
        const char *f = against.files[against.file[seen[i]]];
        size_t len = strlen(f) + 24;
        where[i] = xmalloc(len);
        snprintf(where[i], len, "%s:%d", f, against.line[seen[i]]);
        n++;
    }
    free(seen);
    canon_set_free(&against);
    return n;
}
