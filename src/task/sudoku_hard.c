// sudoku_hard.c — minimal Sudoku puzzles with few givens and a chosen rating (the exact
// solver's backtrack count): `gen sudoku --minimal`, `--level`. Measured choices
// (docs/sudoku_data.md):
//  - Removal order: trying first the given whose row, column, box and digit hold the most
//    givens left keeps them spread out, and ends at fewer givens than a random order (22 or
//    fewer givens: 11% of puzzles against 4%), at the same speed.
//  - Rating: the rating barely depends on the number of givens, and random minimal puzzles
//    rate low (41% need no guess; 0.13% rate 30 or more). A hill climb on one grid (swap a
//    given for another cell of the solution; keep the swap if the puzzle stays unique and rates
//    no lower) reaches a rating many times faster than drawing puzzles until one does.
#include "loopt/sudoku_hard.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "loopt/check.h"
#include "loopt/sudoku.h"

// Swaps tried on one grid before a fresh one: at rating 30, 1,000-3,000 gave the most puzzles
// per second; past it a climb has mostly stalled on a local maximum.
#define CLIMB_STEPS 2000
// What one puzzle may take before the spec is called unreachable: grids (~30 s of them at
// ~1,700 a second; 20 givens take ~2,000 on average) and climbing swaps (~3 minutes; a rating
// of 100 or more takes ~100,000 on average).
#define GEN_HARD_MAX_STARTS 50000
#define GEN_HARD_MAX_SWAPS 5000000L

const SudokuLevel SUDOKU_LEVELS[] = {
    {"easy", 0, 0},               // singles alone solve it
    {"medium", 1, 9},
    {"hard", 10, 29},
    {"hardest", 30, LONG_MAX},
    {NULL, 0, 0},
};

static int count_givens(const uint8_t *p) {
    int n = 0;
    for (int i = 0; i < SUDOKU_CELLS; i++) n += p[i] != 0;
    return n;
}

static int unique(const uint8_t *p) { return sudoku_solve(p, NULL, 2, NULL) == 1; }

// Remove givens from p (which has one solution) while it keeps one, until none can go. Each
// try takes a given whose row, column, box and digit hold the most givens left (ties at
// random). One pass suffices: a given that could not go cannot later, with fewer around it.
static void remove_spread(Rng *r, uint8_t *p) {
    int left[36] = {0};   // givens per row (0-8), column (9-17), box (18-26), digit (27-35)
    uint8_t tried[SUDOKU_CELLS] = {0};
    int unit[SUDOKU_CELLS][4];
    for (int c = 0; c < SUDOKU_CELLS; c++) {
        unit[c][0] = c / 9; unit[c][1] = 9 + c % 9; unit[c][2] = 18 + (c / 27) * 3 + (c % 9) / 3;
        unit[c][3] = 26 + p[c];
        if (p[c]) for (int k = 0; k < 4; k++) left[unit[c][k]]++;
    }
    for (;;) {
        int cand[SUDOKU_CELLS], n = 0, best = -1;
        for (int c = 0; c < SUDOKU_CELLS; c++) {
            if (!p[c] || tried[c]) continue;
            int score = left[unit[c][0]] + left[unit[c][1]] + left[unit[c][2]] + left[unit[c][3]];
            if (score > best) { best = score; n = 0; }
            if (score == best) cand[n++] = c;
        }
        if (n == 0) return;
        int c = cand[rng_below(r, (uint32_t)n)];
        uint8_t d = p[c];
        tried[c] = 1;
        p[c] = 0;
        if (unique(p)) for (int k = 0; k < 4; k++) left[unit[c][k]]--;
        else p[c] = d;
    }
}

// Climb: swap a random given of p for a random blank cell filled from its solution `full`;
// keep the swap if p stays unique with a rating in [rating, rmax]. Stops at rmin or after
// *steps swaps (decremented). Returns the rating.
static long climb(Rng *r, const uint8_t *full, uint8_t *p, long rating, long rmin, long rmax, int *steps) {
    uint8_t q[SUDOKU_CELLS];
    for (; *steps > 0 && rating < rmin; (*steps)--) {
        memcpy(q, p, SUDOKU_CELLS);
        int a, b;
        do a = (int)rng_below(r, SUDOKU_CELLS); while (!q[a]);
        do b = (int)rng_below(r, SUDOKU_CELLS); while (q[b]);
        q[a] = 0;
        q[b] = full[b];
        long bt;
        if (sudoku_solve(q, NULL, 2, &bt) != 1 || bt < rating || bt > rmax) continue;
        memcpy(p, q, SUDOKU_CELLS);
        rating = bt;
    }
    return rating;
}

static long rate(const uint8_t *p) {
    long bt;
    sudoku_solve(p, NULL, 2, &bt);
    return bt;
}

// One start: a fresh grid, its minimal puzzle, the climb. Returns 1 with p rated *rating when
// it meets the spec; adds the swaps it tried to *swaps.
static int try_grid(Rng *r, const SudokuSpec *sp, uint8_t *full, uint8_t *p, long *rating, long *swaps) {
    sudoku_random_grid(r, full);
    memcpy(p, full, SUDOKU_CELLS);
    remove_spread(r, p);
    int g = count_givens(p);
    if (g < sp->gmin || g > sp->gmax) return 0;
    long bt = rate(p);
    int steps = CLIMB_STEPS;
    while (bt < sp->rmin && steps > 0) {
        int before = steps;
        bt = climb(r, full, p, bt, sp->rmin, sp->rmax, &steps);
        *swaps += before - steps;
        if (bt < sp->rmin) return 0;
        remove_spread(r, p);   // a swap may have left a given that can now go
        g = count_givens(p);
        if (g < sp->gmin) return 0;
        bt = rate(p);
    }
    if (bt < sp->rmin || bt > sp->rmax) return 0;
    *rating = bt;
    return 1;
}

long sudoku_generate_minimal(Rng *r, const SudokuSpec *sp, uint8_t *puzzle, uint8_t *solution, long *rating) {
    CHECK(17 <= sp->gmin && sp->gmin <= sp->gmax && sp->gmax <= SUDOKU_CELLS && 0 <= sp->rmin && sp->rmin <= sp->rmax,
          "sudoku_generate_minimal: bad spec (givens %d-%d, rating %ld-%ld)", sp->gmin, sp->gmax, sp->rmin, sp->rmax);
    uint8_t full[SUDOKU_CELLS], p[SUDOKU_CELLS];
    long bt = 0, swaps = 0;
    for (long starts = 1;; starts++) {
        if (starts > GEN_HARD_MAX_STARTS || swaps > GEN_HARD_MAX_SWAPS) {
            char rating[48];
            sudoku_rating_text(rating, sizeof rating, sp->rmin, sp->rmax);
            die(EXIT_USAGE, "sudoku: no minimal puzzle with %d-%d givens and rating %s in %ld grids (%ld swaps); "
                "minimal puzzles have 20-28 givens, and ratings past ~100 are rare (docs/sudoku_data.md): widen "
                "--givens or --rating", sp->gmin, sp->gmax, rating, starts - 1, swaps);
        }
        if (!try_grid(r, sp, full, p, &bt, &swaps)) continue;
        memcpy(puzzle, p, SUDOKU_CELLS);
        if (solution) memcpy(solution, full, SUDOKU_CELLS);
        if (rating) *rating = bt;
        return starts;
    }
}

void sudoku_rating_text(char *buf, size_t n, long lo, long hi) {
    if (hi == LONG_MAX) snprintf(buf, n, "%ld or more", lo);
    else snprintf(buf, n, "%ld-%ld", lo, hi);
}

int sudoku_is_minimal(const uint8_t *puzzle) {
    if (!unique(puzzle)) return 0;
    uint8_t q[SUDOKU_CELLS];
    memcpy(q, puzzle, SUDOKU_CELLS);
    for (int c = 0; c < SUDOKU_CELLS; c++) {
        if (!q[c]) continue;
        uint8_t d = q[c];
        q[c] = 0;
        int u = unique(q);
        q[c] = d;
        if (u) return 0;
    }
    return 1;
}
