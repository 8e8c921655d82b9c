// test_breadth.c — unit tests of test-time breadth: the Sudoku symmetries (src/task/sudoku_sym.c:
// apply and inverse round-trip, validity and uniqueness kept, the same draws as sudoku_augment),
// the maze task's dihedral variants, and src/task/breadth.c (the variants of a set,
// placeholders kept, the first K of a larger K; the vote mapping answers back and each
// selection rule's guarantee), on synthetic answers so no model is needed. The end-to-end
// checks with the shipped models are tests/cli_breadth.sh.
#include "test.h"
#include "test_util.h"

#include "loopt/breadth.h"
#include "loopt/maze.h"
#include "loopt/rng.h"
#include "loopt/sudoku.h"
#include "loopt/sudoku_sym.h"
#include "loopt/task.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// ---- the symmetries --------------------------------------------------------------------------

TEST(sudoku_sym_roundtrip) {
    Rng r;
    rng_seed(&r, 11);
    uint8_t g[SUDOKU_CELLS], a[SUDOKU_CELLS], b[SUDOKU_CELLS];
    for (int i = 0; i < 1000; i++) {
        for (int t = 0; t < SUDOKU_CELLS; t++) g[t] = (uint8_t)rng_below(&r, 10);   // any grid, blanks too
        SudokuSym s, inv, back;
        sudoku_sym_random(&s, &r);
        sudoku_sym_inverse(&inv, &s);
        sudoku_sym_apply(&s, a, g);
        sudoku_sym_apply(&inv, b, a);
        EXPECTF(memcmp(b, g, SUDOKU_CELLS) == 0, "inverse(apply(g)) != g at draw %d", i);
        sudoku_sym_apply(&inv, a, g);
        sudoku_sym_apply(&s, b, a);
        EXPECTF(memcmp(b, g, SUDOKU_CELLS) == 0, "apply(inverse(g)) != g at draw %d", i);
        sudoku_sym_inverse(&back, &inv);
        EXPECT(memcmp(&back, &s, sizeof s) == 0);
        EXPECT(s.digit[0] == 0);
    }
    SudokuSym id;   // the identity changes nothing
    sudoku_sym_identity(&id);
    sudoku_sym_apply(&id, a, g);
    EXPECT(memcmp(a, g, SUDOKU_CELLS) == 0);
}

// A random symmetry applied to a pair in place.
static void sym_vary(Rng *r, uint8_t *p, uint8_t *s) {
    SudokuSym sym;
    sudoku_sym_random(&sym, r);
    uint8_t g[SUDOKU_CELLS];
    memcpy(g, p, SUDOKU_CELLS);
    sudoku_sym_apply(&sym, p, g);
    memcpy(g, s, SUDOKU_CELLS);
    sudoku_sym_apply(&sym, s, g);
}

TEST(sudoku_sym_keeps_validity) {
    Rng r;
    rng_seed(&r, 12);
    uint8_t p[20][SUDOKU_CELLS], s[20][SUDOKU_CELLS];
    expect_variants_valid(&r, 20, 24, 34, p, s, sym_vary, "transformed");
}

// sudoku_sym_random draws what sudoku_augment draws, in the same order: the two give the same
// grids from the same stream (so augmentation can be written with SudokuSym, bit for bit).
TEST(sudoku_sym_same_draws_as_augment) {
    Rng r, r1, r2;
    rng_seed(&r, 13);
    uint8_t p[SUDOKU_CELLS], s[SUDOKU_CELLS];
    sudoku_generate(&r, 28, 34, p, s, NULL);
    rng_seed(&r1, 99);
    rng_seed(&r2, 99);
    for (int t = 0; t < 200; t++) {
        uint8_t ap[SUDOKU_CELLS], as[SUDOKU_CELLS], bp[SUDOKU_CELLS], bs[SUDOKU_CELLS];
        memcpy(ap, p, SUDOKU_CELLS);
        memcpy(as, s, SUDOKU_CELLS);
        sudoku_augment(&r1, ap, as);
        SudokuSym sym;
        sudoku_sym_random(&sym, &r2);
        sudoku_sym_apply(&sym, bp, p);
        sudoku_sym_apply(&sym, bs, s);
        EXPECTF(memcmp(ap, bp, SUDOKU_CELLS) == 0 && memcmp(as, bs, SUDOKU_CELLS) == 0, "draw %d differs", t);
    }
}

// ---- the variants of a set -------------------------------------------------------------------

// A set of n generated puzzles (seed), entry `hole` a placeholder; solutions into sol (n, 81).
static void make_set(PuzzleSet *set, int n, int hole, uint64_t seed, uint8_t *sol) {
    Rng r;
    rng_seed(&r, seed);
    puzzle_set_alloc(set, n, (size_t)n * 2 * SUDOKU_CELLS);
    for (int i = 0; i < n; i++) {
        uint8_t q[SUDOKU_CELLS];
        sudoku_generate(&r, 26, 34, q, sol + (size_t)i * SUDOKU_CELLS, NULL);
        if (i == hole) puzzle_set_skip(set, i + 1, "a hole");
        else puzzle_set_add(set, 9, 9, q, sol + (size_t)i * SUDOKU_CELLS, i + 1);
    }
}

// The K symmetries breadth draws: identity, then sudoku_sym_random from BREADTH_SEED.
static void syms_of(SudokuSym *s, int K) {
    Rng r;
    rng_seed(&r, BREADTH_SEED);
    sudoku_sym_identity(&s[0]);
    for (int k = 1; k < K; k++) sudoku_sym_random(&s[k], &r);
}

TEST(breadth_variants_of_a_set) {
    PuzzleSet set;
    uint8_t sol[6 * SUDOKU_CELLS];
    make_set(&set, 6, 2, 21, sol);
    const Task *task = task_get(TASK_SUDOKU);
    Breadth b4, b8;
    breadth_init(&b4, task, &set, 4, "--tries");
    breadth_init(&b8, task, &set, 8, "--tries");
    SudokuSym s[8];
    syms_of(s, 8);
    EXPECT(b4.vars.n == 24 && b8.vars.n == 48);
    EXPECT(puzzle_set_count(&b4.vars) == 20);
    for (int i = 0; i < 6; i++) {
        for (int k = 0; k < 4; k++) {
            const Puzzle *v = &b4.vars.p[i * 4 + k], *w = &b8.vars.p[i * 8 + k];
            EXPECT(v->line == i + 1);
            if (i == 2) { EXPECT(!v->q && v->why && !strcmp(v->why, "a hole")); continue; }
            uint8_t want[SUDOKU_CELLS];
            sudoku_sym_apply(&s[k], want, set.p[i].q);
            EXPECTF(v->q && memcmp(v->q, want, SUDOKU_CELLS) == 0, "entry %d variant %d", i, k);
            EXPECTF(w->q && memcmp(w->q, v->q, SUDOKU_CELLS) == 0, "K=4's variant %d of %d is not K=8's", k, i);
            if (k == 0) EXPECT(memcmp(v->q, set.p[i].q, SUDOKU_CELLS) == 0);
        }
    }
    Breadth b1;   // one try: the set itself
    breadth_init(&b1, task, &set, 1, "--tries");
    EXPECT(b1.vars.n == 6);
    for (int i = 0; i < 6; i++) EXPECT(i == 2 ? !b1.vars.p[i].q : !memcmp(b1.vars.p[i].q, set.p[i].q, SUDOKU_CELLS));
    breadth_free(&b1); breadth_free(&b4); breadth_free(&b8);
    puzzle_set_free(&set);
}

// Mazes: the dihedral transforms in turn (8 of a square, the 4 shape-keeping ones otherwise),
// then the same with S and G swapped, each keeping a (maze, shortest path) pair valid, all
// different, undone by the inverse maps.
TEST(breadth_maze_variants) {
    const Task *task = task_get(TASK_MAZE);
    Rng r;
    rng_seed(&r, 51);
    int sizes[2][2] = {{9, 9}, {7, 11}};
    for (int z = 0; z < 2; z++) {
        int h = sizes[z][0], w = sizes[z][1], S = h * w, n = h == w ? 16 : 8;
        uint8_t q[121], a[121], tq[16][121], ta[121], back[121], tok[256], inv[256];
        int src[121], vh, vw;
        maze_generate(&r, h, w, 0, q, a);
        for (int k = 0; k < n; k++) {
            task->variant(k, &r, h, w, src, tok, &vh, &vw);
            EXPECT(vh == h && vw == w);
            for (int v = 0; v < 256; v++) inv[tok[v]] = (uint8_t)v;
            EXPECT((tok[MAZE_START] == MAZE_GOAL) == (k >= n / 2) && tok[MAZE_WALL] == MAZE_WALL);
            for (int t = 0; t < S; t++) { tq[k][t] = tok[q[src[t]]]; ta[t] = tok[a[src[t]]]; back[src[t]] = inv[ta[t]]; }
            char why[128];
            EXPECTF(maze_check(tq[k], ta, h, w, why, sizeof why), "%dx%d variant %d: %s", h, w, k, why);
            EXPECT(memcmp(back, a, (size_t)S) == 0);
            for (int j = 0; j < k; j++) EXPECTF(memcmp(tq[j], tq[k], (size_t)S) != 0, "%dx%d variants %d, %d", h, w, j, k);
        }
        task->variant(n, &r, h, w, src, tok, &vh, &vw);   // then they repeat
        for (int t = 0; t < S; t++) EXPECT(src[t] == t);
        for (int v = 0; v < 256; v++) EXPECT(tok[v] == v);
    }
}

static void no_transforms(void *arg) {
    Task t = TASK_MAZE_DEF;
    t.variant = NULL;
    PuzzleSet set;
    puzzle_set_alloc(&set, 1, 9);
    uint8_t q[9] = {0};
    puzzle_set_add(&set, 3, 3, q, NULL, 1);
    Breadth b;
    breadth_init(&b, &t, &set, 2, "--tries");
}

TEST(breadth_task_without_transforms_refused) {
    char err[512];
    int rc = test_in_child(no_transforms, NULL, err, sizeof err);
    EXPECTF(rc == 2, "exit %d", rc);
    EXPECTF(strstr(err, "--tries 2: mazes have no test-time transforms") != NULL, "message: %s", err);
}

// ---- the vote --------------------------------------------------------------------------------

typedef struct {
    int n, entry[16];
    int pred[16][NUM_SELECT][SUDOKU_CELLS], agree[16][NUM_SELECT], from[16][NUM_SELECT], n_valid[16];
    double loops[16];
    float cell_loops[16][SUDOKU_CELLS];
} Got;

static void got_emit(void *ctx, int entry, const BreadthAnswer *a) {
    Got *g = ctx;
    int j = g->n++;
    g->entry[j] = entry;
    for (int r = 0; r < NUM_SELECT; r++) {
        memcpy(g->pred[j][r], a->pred[r], sizeof g->pred[j][r]);
        g->agree[j][r] = a->agree[r];
        g->from[j][r] = a->from[r];
    }
    g->n_valid[j] = a->n_valid;
    g->loops[j] = a->loops;
    memcpy(g->cell_loops[j], a->cell_loops, sizeof g->cell_loops[j]);
}

// A vote over the K variants of a Sudoku set (s: the symmetries breadth draws for them),
// each puzzle's answers collected into got.
typedef struct { Breadth b; BreadthVote v; SudokuSym s[8]; } Vote;

static void vote_open(Vote *o, const PuzzleSet *set, int K, Got *got) {
    breadth_init(&o->b, task_get(TASK_SUDOKU), set, K, "--tries");
    syms_of(o->s, K);
    breadth_vote_init(&o->v, &o->b, 10, got_emit, got);
}

static void vote_close(Vote *o) {
    breadth_vote_free(&o->v);
    breadth_free(&o->b);
}

// The answer a model would give to variant k of puzzle i: the variant's solution, with `wrong`
// cells (of the variant) changed to another digit at confidence wconf; conf elsewhere `conf`;
// loops at cell t = 10 + k.
static void feed(Vote *o, int i, int k, const uint8_t *sol, const int *wrong, int n_wrong, float conf, float wconf) {
    uint8_t vs[SUDOKU_CELLS];
    sudoku_sym_apply(&o->s[k], vs, sol);
    int pred[SUDOKU_CELLS], loops[SUDOKU_CELLS];
    float cf[SUDOKU_CELLS];
    for (int t = 0; t < SUDOKU_CELLS; t++) { pred[t] = vs[t]; loops[t] = 10 + k; cf[t] = conf; }
    for (int w = 0; w < n_wrong; w++) { pred[wrong[w]] = pred[wrong[w]] % 9 + 1; cf[wrong[w]] = wconf; }
    breadth_vote_add(&o->v, i * o->b.K + k, pred, loops, cf);
}

TEST(breadth_vote_rules) {
    PuzzleSet set;
    uint8_t sol[3 * SUDOKU_CELLS];
    make_set(&set, 3, -1, 31, sol);
    int K = 4;
    Got got = {0};
    Vote o;
    vote_open(&o, &set, K, &got);
    // puzzle 0: every variant right: every rule gives the solution, all agree
    for (int k = 0; k < K; k++) feed(&o, 0, k, sol, NULL, 0, 0.9f, 0.0f);
    // puzzle 1: variants 0 and 1 wrong at one cell each (confidently), 2 and 3 right but less
    // sure: the vote still takes the right digit where one variant errs; valid takes the more
    // confident right one; confident takes a wrong one
    int w0[1] = {5}, w1[1] = {40};
    feed(&o, 1, 0, sol + SUDOKU_CELLS, w0, 1, 0.99f, 0.99f);
    feed(&o, 1, 1, sol + SUDOKU_CELLS, w1, 1, 0.99f, 0.99f);
    feed(&o, 1, 2, sol + SUDOKU_CELLS, NULL, 0, 0.7f, 0.0f);
    feed(&o, 1, 3, sol + SUDOKU_CELLS, NULL, 0, 0.8f, 0.0f);
    // puzzle 2: every variant wrong at the same puzzle cell (each with its own wrong digit, once
    // mapped back): no valid one, valid falls back to the vote, which keeps an error there
    for (int k = 0; k < K; k++) {
        int inv_cell[1] = {0};
        for (int t = 0; t < SUDOKU_CELLS; t++) if (sudoku_sym_source(&o.s[k], t) == 7) inv_cell[0] = t;
        feed(&o, 2, k, sol + 2 * SUDOKU_CELLS, inv_cell, 1, 0.9f, 0.9f);
    }
    EXPECT(got.n == 3);
    int want[SUDOKU_CELLS];
    for (int i = 0; i < 3; i++) EXPECT(got.entry[i] == i);
    for (int t = 0; t < SUDOKU_CELLS; t++) want[t] = sol[t];
    for (int r = 0; r < NUM_SELECT; r++) {
        EXPECT(memcmp(got.pred[0][r], want, sizeof want) == 0);
        EXPECT(got.agree[0][r] == K);
    }
    EXPECT(got.n_valid[0] == K && got.from[0][SELECT_VALID] == 0 && got.from[0][SELECT_MODEL] == -1);
    EXPECT_NEAR(got.loops[0], (10 + 11 + 12 + 13) / 4.0, 1e-12);
    for (int t = 0; t < SUDOKU_CELLS; t++) EXPECT_NEAR(got.cell_loops[0][t], 11.5, 1e-6);
    for (int t = 0; t < SUDOKU_CELLS; t++) want[t] = sol[SUDOKU_CELLS + t];
    EXPECT(memcmp(got.pred[1][SELECT_MODEL], want, sizeof want) == 0);
    EXPECT(memcmp(got.pred[1][SELECT_VALID], want, sizeof want) == 0);
    EXPECT(got.from[1][SELECT_VALID] == 3 && got.agree[1][SELECT_VALID] == 2 && got.n_valid[1] == 2);
    EXPECT(got.from[1][SELECT_CONFIDENT] == 0 || got.from[1][SELECT_CONFIDENT] == 1);
    EXPECT(memcmp(got.pred[1][SELECT_CONFIDENT], want, sizeof want) != 0);
    EXPECT(got.n_valid[2] == 0 && got.from[2][SELECT_VALID] == -1);
    EXPECT(memcmp(got.pred[2][SELECT_VALID], got.pred[2][SELECT_MODEL], sizeof want) == 0);
    EXPECT(got.agree[2][SELECT_MODEL] >= 1);   // right everywhere else: the vote is some variant's
    for (int t = 0; t < SUDOKU_CELLS; t++) want[t] = sol[2 * SUDOKU_CELLS + t];
    EXPECT(got.pred[2][SELECT_MODEL][7] != want[7]);
    vote_close(&o);
    puzzle_set_free(&set);
}

// Random answers (each variant right or wrong at random cells, random confidence): valid's
// answer is valid whenever some variant's is, and then it is the most confident valid one;
// every rule's answer is one variant's, or (model, valid's fallback) the per-cell vote.
TEST(breadth_vote_valid_guarantee) {
    PuzzleSet set;
    uint8_t sol[8 * SUDOKU_CELLS];
    make_set(&set, 8, -1, 41, sol);
    Rng r;
    rng_seed(&r, 42);
    for (int round = 0; round < 25; round++) {
        int K = 1 + (int)rng_below(&r, 8);
        Got got = {0};
        Vote o;
        vote_open(&o, &set, K, &got);
        int any[8] = {0};
        for (int i = 0; i < 8; i++)
            for (int k = 0; k < K; k++) {
                int wrong[3], nw = (int)rng_below(&r, 4) == 0 ? 0 : 1 + (int)rng_below(&r, 3);
                for (int w = 0; w < nw; w++) wrong[w] = (int)rng_below(&r, SUDOKU_CELLS);
                any[i] |= nw == 0;
                feed(&o, i, k, sol + (size_t)i * SUDOKU_CELLS, wrong, nw, 0.5f + 0.5f * rng_uniform(&r),
                     0.2f + 0.8f * rng_uniform(&r));
            }
        EXPECT(got.n == 8);
        for (int i = 0; i < 8; i++) {
            uint8_t a[SUDOKU_CELLS];
            for (int t = 0; t < SUDOKU_CELLS; t++) a[t] = (uint8_t)got.pred[i][SELECT_VALID][t];
            int ok = sudoku_check(set.p[i].q, a, NULL, 0);
            EXPECTF(!any[i] || ok, "round %d puzzle %d: a variant was valid, valid's answer is not", round, i);
            EXPECT(got.n_valid[i] >= any[i]);
            EXPECT((got.from[i][SELECT_VALID] >= 0) == (got.n_valid[i] > 0));
            EXPECT(got.agree[i][SELECT_CONFIDENT] >= 1);
            if (got.from[i][SELECT_VALID] >= 0) EXPECT(got.agree[i][SELECT_VALID] >= 1);
            if (K == 1)
                for (int rr = 0; rr < NUM_SELECT; rr++)
                    EXPECT(memcmp(got.pred[i][rr], got.pred[i][SELECT_CONFIDENT], sizeof got.pred[i][rr]) == 0);
        }
        vote_close(&o);
    }
    puzzle_set_free(&set);
}

// Mazes under rule valid: a maze with two routes, S to G in 4 steps (down and along) or 6
// (along the top and down), as text rows:
//   S . . .
//   . # # .
//   . . G .
// The variants answer, in turn: the long route (sure of it), a branching non-path (surer),
// the short route (least sure), the long route again. maze_path takes both routes and
// refuses the branch, maze_check takes the short one only; valid picks the short route by its
// length, though every well-formed variant is surer of the long one — no search is needed to
// see which of two paths is shorter.
static const char *const TWO_ROUTES[3] = {"S...", ".##.", "..G."};
static const char *const SHORT_ROUTE[3] = {"S...", "o##.", "ooG."};
static const char *const LONG_ROUTE[3] = {"Sooo", ".##o", "..Go"};
static const char *const BRANCH[3] = {"Sooo", "o##o", "ooGo"};

static void maze_rows(const char *const rows[3], uint8_t *g) {
    for (int t = 0; t < 12; t++) {
        char c = rows[t / 4][t % 4];
        g[t] = c == '#' ? MAZE_WALL : c == 'S' ? MAZE_START : c == 'G' ? MAZE_GOAL : c == 'o' ? MAZE_PATH : MAZE_OPEN;
    }
}

typedef struct { int n, n_valid, from[NUM_SELECT], valid[12]; } GotMaze;

static void got_maze_emit(void *ctx, int entry, const BreadthAnswer *a) {
    GotMaze *g = ctx;
    g->n++;
    g->n_valid = a->n_valid;
    for (int r = 0; r < NUM_SELECT; r++) g->from[r] = a->from[r];
    memcpy(g->valid, a->pred[SELECT_VALID], sizeof g->valid);
}

TEST(breadth_maze_valid_takes_the_shortest_path) {
    uint8_t q[12], shrt[12], lng[12], branch[12];
    maze_rows(TWO_ROUTES, q); maze_rows(SHORT_ROUTE, shrt); maze_rows(LONG_ROUTE, lng); maze_rows(BRANCH, branch);
    const Task *task = task_get(TASK_MAZE);
    int steps, cost;
    char why[160];
    EXPECTF(maze_path(q, shrt, 3, 4, &steps, why, sizeof why) && steps == 4, "%s", why);
    EXPECTF(maze_path(q, lng, 3, 4, &steps, why, sizeof why) && steps == 6, "%s", why);
    EXPECT(!maze_path(q, branch, 3, 4, &steps, why, sizeof why));
    EXPECT(maze_check(q, shrt, 3, 4, why, sizeof why));
    EXPECT(!maze_check(q, lng, 3, 4, why, sizeof why) && strstr(why, "6 steps, shortest is 4"));
    EXPECT(task->well_formed(q, lng, 3, 4, &cost) && cost == 6);

    PuzzleSet set;
    puzzle_set_alloc(&set, 1, 24);
    puzzle_set_add(&set, 3, 4, q, shrt, 1);
    int K = 4;
    Breadth b;
    breadth_init(&b, task, &set, K, "--tries");
    GotMaze got = {0};
    BreadthVote v;
    breadth_vote_init(&v, &b, MAZE_NCODES, got_maze_emit, &got);
    const uint8_t *ans[4] = {lng, branch, shrt, lng};
    float conf[4] = {0.9f, 0.99f, 0.6f, 0.8f};
    Rng r;
    rng_seed(&r, 1);
    for (int k = 0; k < K; k++) {   // each answer in its variant's frame: cell src[t], token tok[]
        int src[12], vh, vw, pred[12], loops[12];
        uint8_t tok[256];
        float cf[12];
        task->variant(k, &r, 3, 4, src, tok, &vh, &vw);
        for (int t = 0; t < 12; t++) { pred[t] = tok[ans[k][src[t]]]; loops[t] = 8; cf[t] = conf[k]; }
        breadth_vote_add(&v, k, pred, loops, cf);
    }
    EXPECT(got.n == 1 && got.n_valid == 3);
    EXPECT(got.from[SELECT_VALID] == 2 && got.from[SELECT_CONFIDENT] == 1);
    for (int t = 0; t < 12; t++) EXPECT(got.valid[t] == shrt[t]);
    breadth_vote_free(&v);
    breadth_free(&b);
    puzzle_set_free(&set);
}
