// test_sudoku_hard.c — unit tests of src/task/sudoku_hard.c: generated puzzles are minimal
// (each given, removed, lets a second solution in) with exactly one solution, their givens and
// ratings in the asked ranges and the rating the solver's; the same seed gives the same puzzles;
// the levels are ordered and cover every rating.
#include "test.h"
#include "test_util.h"

#include "loopt/rng.h"
#include "loopt/sudoku.h"
#include "loopt/sudoku_hard.h"

#include <limits.h>
#include <string.h>

static void check_spec(SudokuSpec spec, int n, uint64_t seed) {
    Rng r;
    rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        uint8_t p[SUDOKU_CELLS], s[SUDOKU_CELLS], sol[SUDOKU_CELLS];
        long rating = -1, bt = -2;
        EXPECT(sudoku_generate_minimal(&r, &spec, p, s, &rating) >= 1);
        int g = count_givens(p);
        EXPECTF(g >= spec.gmin && g <= spec.gmax, "givens %d outside %d-%d", g, spec.gmin, spec.gmax);
        EXPECT(sudoku_solve(p, sol, 2, &bt) == 1);
        EXPECT(memcmp(sol, s, SUDOKU_CELLS) == 0);
        EXPECTF(rating == bt && bt >= spec.rmin && bt <= spec.rmax, "rating %ld (solver %ld) outside %ld-%ld",
                rating, bt, spec.rmin, spec.rmax);
        // Minimal, checked here by hand: every given removed gives a second solution.
        for (int c = 0; c < SUDOKU_CELLS; c++) {
            if (!p[c]) continue;
            uint8_t q[SUDOKU_CELLS];
            memcpy(q, p, SUDOKU_CELLS);
            q[c] = 0;
            EXPECTF(sudoku_solve(q, NULL, 2, NULL) == 2, "puzzle %d: given r%dc%d can go", i, c / 9 + 1, c % 9 + 1);
        }
        EXPECT(sudoku_is_minimal(p));
    }
}

TEST(sudoku_minimal_any_rating) { check_spec((SudokuSpec){22, 26, 0, LONG_MAX}, 30, 1); }
TEST(sudoku_minimal_low_givens) { check_spec((SudokuSpec){21, 22, 0, LONG_MAX}, 5, 2); }
TEST(sudoku_minimal_hard_rating) { check_spec((SudokuSpec){22, 26, 10, 29}, 5, 3); }
TEST(sudoku_minimal_easy_rating) { check_spec((SudokuSpec){22, 26, 0, 0}, 5, 4); }

TEST(sudoku_minimal_deterministic) {
    Rng a, b;
    rng_seed(&a, 9);
    rng_seed(&b, 9);
    SudokuSpec spec = {22, 26, 5, 20};
    for (int i = 0; i < 5; i++) {
        uint8_t p1[SUDOKU_CELLS], p2[SUDOKU_CELLS], s1[SUDOKU_CELLS], s2[SUDOKU_CELLS];
        long r1, r2;
        sudoku_generate_minimal(&a, &spec, p1, s1, &r1);
        sudoku_generate_minimal(&b, &spec, p2, s2, &r2);
        EXPECT(memcmp(p1, p2, SUDOKU_CELLS) == 0 && memcmp(s1, s2, SUDOKU_CELLS) == 0 && r1 == r2);
    }
}

TEST(sudoku_is_minimal_cases) {
    static const char *PUZ = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..";
    uint8_t p[SUDOKU_CELLS];
    for (int i = 0; i < SUDOKU_CELLS; i++) p[i] = PUZ[i] == '.' ? 0 : (uint8_t)(PUZ[i] - '0');
    EXPECT(!sudoku_is_minimal(p));           // 32 givens, many of them spare
    memset(p, 0, sizeof p);
    EXPECT(!sudoku_is_minimal(p));           // no unique solution at all
}

TEST(sudoku_levels_cover_ratings) {
    long next = 0;
    int n = 0;
    for (; SUDOKU_LEVELS[n].name; n++) {
        EXPECTF(SUDOKU_LEVELS[n].lo == next, "level %s starts at %ld, expected %ld", SUDOKU_LEVELS[n].name,
                SUDOKU_LEVELS[n].lo, next);
        EXPECT(SUDOKU_LEVELS[n].hi >= SUDOKU_LEVELS[n].lo);
        next = SUDOKU_LEVELS[n].hi == LONG_MAX ? LONG_MAX : SUDOKU_LEVELS[n].hi + 1;
    }
    EXPECT(n >= 2 && SUDOKU_LEVELS[n - 1].hi == LONG_MAX);   // the last is open: the hardest
}
