// maze.h — mazes as data: grids of `#` wall, ` ` open, `S` start, `G` goal, `o` path
// (the HRM/TRM Maze-Hard alphabet). Reading (text grids, Maze-Hard CSV, PNG via image.h),
// the generator, BFS shortest paths, the dihedral augmentations, the answer checker, and maze
// pictures (the palette; PNG in and out through image.h).
#ifndef LOOPT_MAZE_H
#define LOOPT_MAZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "loopt/check.h"
#include "loopt/rng.h"

// Cell codes (also the token ids the model sees).
enum { MAZE_OPEN = 0, MAZE_WALL = 1, MAZE_START = 2, MAZE_GOAL = 3, MAZE_PATH = 4, MAZE_NCODES = 5 };
extern const char MAZE_CHARS[MAZE_NCODES];   // " #SGo"

typedef struct {
    int h, w;
    uint8_t *q;     // (h, w) question: no MAZE_PATH cells
    uint8_t *a;     // (h, w) answer with the path marked, or NULL when the input had none
    int line;       // 1-based line of the input where this maze starts
} Maze;

// The mazes of a file; skipped: the malformed entries passed over (skip_bad), in input order,
// each placed among the mazes.
typedef struct { int n; Maze *mazes; SkipList skipped; } MazeSet;

// Read `path` ("-" = stdin): text grids separated by blank lines (a grid that contains `o`
// cells is an answer: its question is the grid with `o` turned back to open), the Maze-Hard
// CSV `source,question,answer,rating` (header line; square grids as one string, row-major),
// or a PNG in the render palette (image.h). Rows of unequal width, bad characters, no S, two
// G's, no path from S to G, an empty file: `loopt: <path>:<line>: <reason>`, exit 2 — or,
// with skip_bad = 1, warned and recorded in set->skipped (one record per grid or CSV line);
// skip_bad = 2: recorded silently (a file with no good maze then dies with the first reason).
// Returns the number skipped.
int maze_read(const char *path, MazeSet *set, int skip_bad);
void maze_set_free(MazeSet *set);

// Validate a question grid: exactly one S, one G, only known codes, S reaches G.
// Returns 1 if fine, else 0 with the reason.
int maze_validate(const uint8_t *q, int h, int w, char *why, size_t whylen);

// BFS from S to G over non-wall cells (4-neighbour). Returns the number of steps of the
// shortest path (edges, so adjacent S and G give 1), or -1 if G is unreachable. If out is
// not NULL it receives a copy of q with one shortest path's intermediate cells set to MAZE_PATH.
int maze_shortest(const uint8_t *q, int h, int w, uint8_t *out);

// Generate one maze of h x w (h, w >= 5) whose shortest S-G path has at least min_path steps
// (retrying internally; 0 = any). q gets the question, a (may be NULL) the answer.
// Returns the shortest path length.
int maze_generate(Rng *r, int h, int w, int min_path, uint8_t *q, uint8_t *a);
// The same with the cycles' rate: each wall the spanning tree left between two lattice cells
// falls with odds 1 in cycle_odds (MAZE_CYCLE_ODDS is maze_generate, draw for draw; lower:
// more cycles); 0: none, a loop-free maze (its open cells form a tree, so the S-G path is
// the only one).
#define MAZE_CYCLE_ODDS 25
int maze_generate_ex(Rng *r, int h, int w, int min_path, int cycle_odds, uint8_t *q, uint8_t *a);
// The same with the spanning tree's algorithm: MAZE_ALGO_DFS (the one above and training's) or
// MAZE_ALGO_KRUSKAL, a second generator for evaluation only (`gen maze --algo kruskal`:
// randomized Kruskal, many short branches, extra openings anywhere two open cells line up;
// maze.c says how it differs), so a model is measured on mazes it was not trained on the
// texture of.
typedef enum { MAZE_ALGO_DFS = 0, MAZE_ALGO_KRUSKAL = 1 } MazeAlgo;
int maze_generate_algo(Rng *r, MazeAlgo algo, int h, int w, int min_path, int cycle_odds, uint8_t *q, uint8_t *a);

// Whether answer a is a path for question q, judged without searching q: only open cells
// turned into path, walls/S/G unchanged, and the path cells plus S and G one 4-connected S->G
// path with no extra cells. Returns 1 with its length in steps (path cells + 1) in *steps, else
// 0 with the reason. Whether it is the shortest is maze_check's question.
int maze_path(const uint8_t *q, const uint8_t *a, int h, int w, int *steps, char *why, size_t whylen);

// Check an answer: a valid question, maze_path, and a length equal to the BFS shortest.
// Returns 1 if valid, else 0 with the reason.
int maze_check(const uint8_t *q, const uint8_t *a, int h, int w, char *why, size_t whylen);

// Dihedral transform k in [0, 8) (rotations by k%4 quarter turns, mirrored if k >= 4) of a
// square grid (n x n), from src into dst (not aliasing).
void maze_dihedral(uint8_t *dst, const uint8_t *src, int n, int k);

// Write the grid as text: h lines of w chars from MAZE_CHARS, then one blank line.
void maze_write(FILE *f, const uint8_t *grid, int h, int w);

// Maze pictures (PNG through image.h): one flat colour per cell from MAZE_PALETTE — open white,
// wall black, start green, goal red, path blue.
extern const uint8_t MAZE_PALETTE[MAZE_NCODES][3];
// Write grid (h, w) of maze codes as a PNG ("-" = stdout), `cell_px` pixels per cell. Exit 1 on
// write failure.
void maze_write_png(const char *path, const uint8_t *grid, int h, int w, int cell_px);
// Read a PNG drawn in the maze palette (any cell size: the cell size is detected; each pixel
// must be within a small distance of a palette colour). On success returns 1 with *grid
// malloc'd (h, w). On failure returns 0 with the reason (not a PNG, colour not in palette at
// x,y, ...).
int maze_read_png(const char *path, uint8_t **grid, int *h, int *w, char *why, int whylen);
// maze_read_png on a PNG already in memory (e.g. read from stdin).
int maze_decode_png(const uint8_t *png, size_t len, uint8_t **grid, int *h, int *w, char *why, int whylen);

// Heuristic used by `loopt check`/`solve` to pick the task: 1 if the text looks like mazes: a
// PNG, a Maze-Hard CSV whose first question is maze characters, or text with two consecutive
// equal-width rows of maze characters holding a wall '#', or one such row holding S or G (a
// tiny maze such as "S G").
int maze_looks_like(const char *text);

// Limits on input (added by maze.c's owner): grids larger than MAZE_MAX_SIDE on a side and
// text lines longer than MAZE_MAX_LINE bytes are input errors, never crashes.
// Reasons from maze_check / maze_validate name cells as (row,col), 1-based.
#define MAZE_MAX_SIDE 4096
#define MAZE_MAX_LINE 65536

#endif
