// test_util.h — Sudoku helpers that more than one tests/test_*.c uses (the harness itself is
// test.h): the givens count, and the validity check of a random augmentation.
#ifndef LOOPT_TEST_UTIL_H
#define LOOPT_TEST_UTIL_H

#include "loopt/rng.h"
#include "loopt/sudoku.h"

#include <stdint.h>

// The number of givens (non-zero cells) of a Sudoku grid.
int count_givens(const uint8_t *g);

// 1000 variants of n base pairs (puzzle p[i], solution s[i]; variant t of pair t % n), each
// made by vary(r, puzzle, solution) in place on a copy: every variant is a valid pair
// (sudoku_check; a failure is reported as "<what> pair invalid"), keeps the givens count, the
// first 100 have the varied solution as their only one, and more than 990 differ from theirs.
void expect_variants_valid(Rng *r, const uint8_t (*p)[SUDOKU_CELLS], const uint8_t (*s)[SUDOKU_CELLS], int n,
                           void (*vary)(Rng *r, uint8_t *puzzle, uint8_t *solution), const char *what);

#endif
