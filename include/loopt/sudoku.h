// sudoku.h — 9x9 Sudoku as data: parsing every accepted format, the exact solver (DLX-free
// bitmask backtracking), the generator of unique-solution puzzles, validity-preserving
// augmentation and the answer checker. Cells are uint8_t: 0 = blank, 1..9 = digit, row-major.
#ifndef LOOPT_SUDOKU_H
#define LOOPT_SUDOKU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "loopt/check.h"
#include "loopt/rng.h"

#define SUDOKU_CELLS 81

// A set of puzzles read from a file: puzzles (n, 81); solutions (n, 81) or NULL when the
// file has none; line (n) = 1-based line where each puzzle starts (for messages).
typedef struct {
    int n;
    uint8_t *puzzles;
    uint8_t *solutions;   // NULL if no solutions in the file
    int *line;
    SkipList skipped;     // malformed entries passed over (skip_bad), each placed among the puzzles
} SudokuSet;

// Read `path` ("-" = stdin). Accepts: 81-char lines ('.' or '0' blank, trailing whitespace,
// blank lines and '#' comment lines ignored), 9-line grids (9 chars a row, optional spaces
// between digits and '|'/'-'/'+' separators), `puzzle,solution` CSV (optionally a header
// line), and the Sudoku-Extreme CSV `source,question,answer,rating` with header.
// A malformed entry (wrong length, bad character, contradicting givens, a solution that does
// not match its puzzle's givens) is reported as `loopt: <path>:<line>: <reason>`; with
// skip_bad = 0 that exits 2, with skip_bad = 1 it is warned and recorded in set->skipped
// (skip_bad = 2: recorded without the warning). One
// malformed entry is one record: a 9-line grid with a bad row 2-9 is one skipped entry (a bad
// first row cannot be told from a stray line: it is one entry, the rows after it another).
// An empty file (no puzzles) exits 2. Returns the number of bad entries skipped.
int sudoku_read(const char *path, SudokuSet *set, int skip_bad);
void sudoku_set_free(SudokuSet *set);

// For `loopt check`: like sudoku_read, but the second field of a `puzzle,solution` line is
// an answer to be judged, not a trusted solution: it only has to be 81 cells of 1-9, '.' or
// '0' (blanks allowed); whether it is right is left to sudoku_check. Format errors (bad
// length or character, contradicting givens, too-long lines) behave as in sudoku_read.
int sudoku_read_pairs(const char *path, SudokuSet *set, int skip_bad);

// Parse one 81-char line (trailing whitespace allowed). Returns 1 on success; on failure
// returns 0 and writes the reason into err.
int sudoku_parse81(const char *s, size_t len, uint8_t *out, char *err, size_t errlen);

// 1 if no digit repeats in a row, column or box (blanks allowed).
int sudoku_givens_consistent(const uint8_t *grid);

// Exact solver. Counts solutions up to max_solutions (stops there); writes the first one to
// solution (may be NULL). *backtracks (may be NULL) gets the number of dead ends hit — the
// difficulty rating used by `gen --rating`. Returns the number of solutions found (0..max).
int sudoku_solve(const uint8_t *puzzle, uint8_t *solution, int max_solutions, long *backtracks);

// A random complete grid (the solver run on the empty grid with random digit orders).
void sudoku_random_grid(Rng *r, uint8_t *grid);

// Generate one puzzle with exactly one solution and a number of givens in [gmin, gmax]
// (17 <= gmin <= gmax <= 81; the generator may retry internally). *rating (may be NULL)
// gets the solver's backtrack count for the puzzle.
void sudoku_generate(Rng *r, int gmin, int gmax, uint8_t *puzzle, uint8_t *solution, long *rating);

// Apply one random validity-preserving transform (digit permutation, band/stack permutation,
// row-in-band and column-in-stack permutations, optional transposition) identically to
// puzzle and solution (solution may be NULL).
void sudoku_augment(Rng *r, uint8_t *puzzle, uint8_t *solution);

// Check that `answer` is a complete valid grid that keeps every given of `puzzle`.
// Returns 1 if so; else 0 with the reason (e.g. "row 3 repeats 7", "cell r2c5 changes given 4").
int sudoku_check(const uint8_t *puzzle, const uint8_t *answer, char *why, size_t whylen);

// Write 81 chars + '\n': digits, blanks as `blank` ('.' or '0').
void sudoku_write(FILE *f, const uint8_t *grid, char blank);

// Heuristic used by `loopt check`/`solve` to pick the task: 1 if the text holds something
// only a Sudoku file has: a line or CSV field of 81 cells ('.', '0'-'9'; grid separators
// allowed), or 3 consecutive grid rows of 9 cells (a band of a 9-line grid).
int sudoku_looks_like(const char *text);

#endif
