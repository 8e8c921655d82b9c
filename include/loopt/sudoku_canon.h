// sudoku_canon.h — canonical forms of Sudoku puzzles under the validity-preserving symmetries
// (transposition x band, row-in-band, stack and column-in-stack permutations: 3,359,232
// transforms) and digit relabelling (9!): two puzzles are equivalent iff their forms are equal
// byte for byte. And sets of forms read from puzzle files, to keep the public benchmark sets out
// of generated training data (`gen sudoku --exclude`, `check --against`).
#ifndef LOOPT_SUDOKU_CANON_H
#define LOOPT_SUDOKU_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "loopt/sudoku.h"
#include "loopt/task.h"

// The canonical form of puzzle (81 cells, 0 = blank, 1..9) into canon (81 cells, same coding).
// It is a transformed, relabelled copy of the puzzle: the one with the givens' pattern first in
// reading order (row by row, a given before a blank), then, among those, the smallest digits
// in reading order with digits relabelled by first appearance (the first given is 1). Exact:
// no hashing; any grid, valid or not (only the givens' pattern and digits matter).
void sudoku_canon(const uint8_t *puzzle, uint8_t *canon);

// A set of canonical forms with where each first came from (file and line), for membership
// tests: hashed for speed, compared byte for byte, so a hash collision never decides.
typedef struct {
    long n, cap;              // forms held / allocated
    uint8_t *forms;           // (cap, 81) canonical forms
    int *line;                // (cap) the line of the entry the form came from
    int *file;                // (cap) its file, an index into files
    long *slot;               // (n_slots) open addressing: 1 + index into forms, 0 = empty
    long n_slots;             // a power of two, at least twice cap
    char **files;             // (n_files) the names of the files read
    int n_files;
    long n_read;              // puzzles read, duplicates (up to symmetry) included
    long n_other_givens;      // of which left out for their number of givens
    int gmin, gmax;           // the givens counts kept by canon_set_load
} CanonSet;

void canon_set_init(CanonSet *s);
void canon_set_free(CanonSet *s);

// Add the forms of every puzzle in `path` with gmin..gmax givens (equivalent puzzles have as
// many givens, so the others can match nothing the caller will look up, and are only counted):
// one puzzle file in any format sudoku_read accepts (a malformed entry: `loopt: path:line:
// reason`, exit 2), or a folder: each regular file in it, by name, that looks like Sudoku
// (sudoku_looks_like; others, e.g. a README, are passed over and named in a log line),
// malformed entries there skipped and counted per file (public sets mix prompt text with
// grids). Forms are computed on all OpenMP threads; the set is the same whatever their number.
// Logs one line per file unless log_quiet.
void canon_set_load(CanonSet *s, const char *path, int gmin, int gmax);

// The index of form `canon` in the set, or -1.
long canon_set_find(const CanonSet *s, const uint8_t *canon);

// Add a form (from file index `file`, line `line`); returns its index, or the existing one's.
long canon_set_add(CanonSet *s, const uint8_t *canon, int file, int line);

// Task.leaks of the Sudoku row (task.h): the puzzles of set equivalent to one in path.
long sudoku_leaks(const PuzzleSet *set, const char *path, char **where);

#endif
