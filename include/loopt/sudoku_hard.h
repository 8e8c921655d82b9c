// sudoku_hard.h — minimal Sudoku puzzles (no given can go without losing uniqueness) with
// few givens and a chosen difficulty: the generator behind `gen sudoku --minimal / --level`.
// The difficulty is the solver's backtrack count (sudoku_solve), named in levels.
#ifndef LOOPT_SUDOKU_HARD_H
#define LOOPT_SUDOKU_HARD_H

#include <stddef.h>
#include <stdint.h>

#include "loopt/rng.h"

// A named range of the backtrack rating (docs/sudoku_data.md has the distribution they cut).
typedef struct {
    const char *name;
    long lo, hi;              // rating range, hi = LONG_MAX: open
} SudokuLevel;

// The levels, easiest first, ending with {NULL}; the last named one is the generator's hardest.
extern const SudokuLevel SUDOKU_LEVELS[];

typedef struct {
    int gmin, gmax;           // givens, 17 <= gmin <= gmax <= 81
    long rmin, rmax;          // rating range
} SudokuSpec;

// One minimal puzzle with exactly one solution, givens and rating in spec's ranges, into
// puzzle (81), solution (81, may be NULL) and *rating (may be NULL): a random grid, its givens
// removed in an order that keeps them spread over rows, columns, boxes and digits (fewer givens
// than a random order), then, below spec->rmin, a hill climb on the rating by swapping one given
// for another cell of the grid, and a last removal pass to make it minimal again. Returns the
// number of starts (grids) it took; a spec it cannot meet within its budget (grids and swaps,
// minutes at most) exits 2.
long sudoku_generate_minimal(Rng *r, const SudokuSpec *spec, uint8_t *puzzle, uint8_t *solution, long *rating);

// A rating range for messages: "10-29", or "30 or more" when hi is LONG_MAX.
void sudoku_rating_text(char *buf, size_t n, long lo, long hi);

// 1 if puzzle has exactly one solution and no given can be removed keeping it unique.
int sudoku_is_minimal(const uint8_t *puzzle);

#endif
