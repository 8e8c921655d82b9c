// test_util.h — Sudoku helpers that more than one tests/test_*.c uses (the harness itself is
// test.h): the givens count, and the validity check of a random augmentation.
#ifndef LOOPT_TEST_UTIL_H
#define LOOPT_TEST_UTIL_H

#include "loopt/rng.h"
#include "loopt/sudoku.h"

#include <stdint.h>

// The number of givens (non-zero cells) of a Sudoku grid.
int count_givens(const uint8_t *g);

// n pairs generated from r (givens gmin..gmax) into puzzles p and solutions s, then 1000
// variants of them (variant t of pair t % n), each made by vary(r, puzzle, solution) in place
// on a copy: every variant is a valid pair (sudoku_check; a failure is reported as "<what>
// pair invalid"), keeps the givens count, the first 100 have the varied solution as their only
// one, and more than 990 differ from theirs.
void expect_variants_valid(Rng *r, int n, int gmin, int gmax, uint8_t (*p)[SUDOKU_CELLS], uint8_t (*s)[SUDOKU_CELLS],
                           void (*vary)(Rng *r, uint8_t *puzzle, uint8_t *solution), const char *what);

#endif
