// test_util.c — the helpers test_util.h declares (no tests of its own).
#include "test.h"
#include "test_util.h"

#include <string.h>

int count_givens(const uint8_t *g) {
    int n = 0;
    for (int i = 0; i < SUDOKU_CELLS; i++) n += g[i] != 0;
    return n;
}

void expect_variants_valid(Rng *r, int n, int gmin, int gmax, uint8_t (*p)[SUDOKU_CELLS], uint8_t (*s)[SUDOKU_CELLS],
                           void (*vary)(Rng *r, uint8_t *puzzle, uint8_t *solution), const char *what) {
    for (int i = 0; i < n; i++) sudoku_generate(r, gmin, gmax, p[i], s[i], NULL);
    int changed = 0;
    for (int t = 0; t < 1000; t++) {
        uint8_t vp[SUDOKU_CELLS], vs[SUDOKU_CELLS], sol[SUDOKU_CELLS];
        memcpy(vp, p[t % n], SUDOKU_CELLS);
        memcpy(vs, s[t % n], SUDOKU_CELLS);
        vary(r, vp, vs);
        char why[128];
        EXPECTF(sudoku_check(vp, vs, why, sizeof why), "%s pair invalid: %s", what, why);
        EXPECT(count_givens(vp) == count_givens(p[t % n]));
        if (t < 100) EXPECT(sudoku_solve(vp, sol, 2, NULL) == 1 && memcmp(sol, vs, SUDOKU_CELLS) == 0);
        changed += memcmp(vs, s[t % n], SUDOKU_CELLS) != 0;
    }
    EXPECT(changed > 990);
}
