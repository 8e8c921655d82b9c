// sudoku_sym.c — the symmetries of 9x9 Sudoku that map valid grids to valid grids (row and
// column permutations within bands and stacks, band and stack permutations, digit relabelling,
// transposition) as SudokuSym values: a random draw, the inverse, applying one to a grid, and
// the Sudoku task's test-time variants (`solve --tries`).
#include "loopt/sudoku_sym.h"

#include <string.h>

void sudoku_sym_identity(SudokuSym *s) {
    for (int i = 0; i < 9; i++) s->row[i] = s->col[i] = (uint8_t)i;
    for (int d = 0; d < 10; d++) s->digit[d] = (uint8_t)d;
    s->transpose = 0;
}

void sudoku_sym_random(SudokuSym *s, Rng *r) {
    int digit[9], bands[3], stacks[3], in[3];
    rng_permutation(r, digit, 9);
    rng_permutation(r, bands, 3);
    rng_permutation(r, stacks, 3);
    for (int b = 0; b < 3; b++) {
        rng_permutation(r, in, 3);
        for (int k = 0; k < 3; k++) s->row[b * 3 + k] = (uint8_t)(bands[b] * 3 + in[k]);
        rng_permutation(r, in, 3);
        for (int k = 0; k < 3; k++) s->col[b * 3 + k] = (uint8_t)(stacks[b] * 3 + in[k]);
    }
    s->digit[0] = 0;
    for (int d = 1; d <= 9; d++) s->digit[d] = (uint8_t)(digit[d - 1] + 1);
    s->transpose = (uint8_t)rng_below(r, 2);
}

// Result cell (i, j) reads source (row[i], col[j]), or (col[j], row[i]) transposed; so source
// (a, b) lands at (rinv[a], cinv[b]), or at (rinv[b], cinv[a]): reading the result back is
// again a symmetry, with the maps inverted and, under transposition, swapped.
void sudoku_sym_inverse(SudokuSym *inv, const SudokuSym *s) {
    uint8_t rinv[9], cinv[9];
    for (int i = 0; i < 9; i++) { rinv[s->row[i]] = (uint8_t)i; cinv[s->col[i]] = (uint8_t)i; }
    memcpy(inv->row, s->transpose ? cinv : rinv, 9);
    memcpy(inv->col, s->transpose ? rinv : cinv, 9);
    for (int d = 0; d < 10; d++) inv->digit[s->digit[d]] = (uint8_t)d;
    inv->transpose = s->transpose;
}

void sudoku_sym_apply(const SudokuSym *s, uint8_t *out, const uint8_t *in) {
    for (int t = 0; t < 81; t++) {
        uint8_t v = in[sudoku_sym_source(s, t)];
        out[t] = v <= 9 ? s->digit[v] : v;
    }
}

void sudoku_sym_variant(int k, Rng *r, int h, int w, int *src, uint8_t *tok, int *vh, int *vw) {
    SudokuSym s;
    if (k == 0) sudoku_sym_identity(&s);
    else sudoku_sym_random(&s, r);
    for (int t = 0; t < 81; t++) src[t] = sudoku_sym_source(&s, t);
    for (int v = 0; v < 256; v++) tok[v] = v <= 9 ? s.digit[v] : (uint8_t)v;
    *vh = h; *vw = w;
}
