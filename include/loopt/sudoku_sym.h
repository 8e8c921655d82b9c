// sudoku_sym.h — the validity-preserving symmetries of 9x9 Sudoku as values: a row map (rows
// within bands, bands), a column map (columns within stacks, stacks), a digit relabelling and
// an optional transposition, with apply, inverse and a random draw. A valid (puzzle, solution)
// pair stays valid under any of them, and the givens' count is kept. Cells as in sudoku.h:
// uint8_t, row-major, 0 = blank, 1..9 = digit.
#ifndef LOOPT_SUDOKU_SYM_H
#define LOOPT_SUDOKU_SYM_H

#include <stdint.h>

#include "loopt/rng.h"

// result(i, j) = digit[src(row[i], col[j])], src read transposed (src(col[j], row[i])) when
// transpose is 1. row and col keep bands and stacks whole: row[3b..3b+2] all lie in one band.
typedef struct {
    uint8_t row[9];      // row i of the result reads row row[i] of the source
    uint8_t col[9];      // column j of the result reads column col[j]
    uint8_t digit[10];   // digit d becomes digit[d]; digit[0] = 0 (a blank stays blank)
    uint8_t transpose;   // 1: the source is read transposed
} SudokuSym;

void sudoku_sym_identity(SudokuSym *s);
// A uniformly random symmetry of the group sudoku_augment draws from, with the same draws
// from r in the same order (sudoku_augment(r, p, NULL) == sudoku_sym_apply of this draw).
void sudoku_sym_random(SudokuSym *s, Rng *r);
// The symmetry that undoes s: apply(inv, apply(s, g)) == g for every grid g.
void sudoku_sym_inverse(SudokuSym *inv, const SudokuSym *s);

// The cell (0..80) of the source that cell `cell` of the result reads.
static inline int sudoku_sym_source(const SudokuSym *s, int cell) {
    int r = s->row[cell / 9], c = s->col[cell % 9];
    return s->transpose ? c * 9 + r : r * 9 + c;
}
// out = s applied to in (81 cells each; out != in). Values above 9 are copied unchanged.
void sudoku_sym_apply(const SudokuSym *s, uint8_t *out, const uint8_t *in);

// Task.variant for Sudoku (task.h): variant 0 the identity, each later one sudoku_sym_random
// from r, as a cell map src (81) and a token map tok (256).
void sudoku_sym_variant(int k, Rng *r, int h, int w, int *src, uint8_t *tok, int *vh, int *vw);

#endif
