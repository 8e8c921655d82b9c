// test_maze.c — mazes as data: generator properties, BFS, the answer checker (one test per
// wrong-answer kind), dihedral transforms, and the reader on every format and every kind of
// bad input. Reader failures exit 2, so those run in a forked child whose stderr we capture.
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopt/config.h"
#include "loopt/maze.h"
#include "loopt/task.h"
#include "loopt/timer.h"

// ---------------------------------------------------------------------------------------
// helpers

// A grid from rows of text (all the same width).
static uint8_t *grid_of(const char *const *rows, int h, int *w) {
    *w = (int)strlen(rows[0]);
    uint8_t *g = malloc((size_t)h * *w);
    for (int r = 0; r < h; r++)
        for (int c = 0; c < *w; c++) g[r * *w + c] = (uint8_t)(strchr(" #SGo", rows[r][c]) - " #SGo");
    return g;
}

static const char *write_tmp(const char *name, const char *data, size_t len) {
    const char *p = test_tmp_path(name);
    FILE *f = fopen(p, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
    return p;
}

// Run maze_read(path) in a child; return its exit code and its stderr in msg.
typedef struct { const char *path; int skip_bad; } ReadArgs;
static void read_maze(void *p) {
    const ReadArgs *a = p;
    MazeSet set;
    maze_read(a->path, &set, a->skip_bad);
    maze_set_free(&set);
}
static int read_in_child(const char *path, int skip_bad, char *msg, size_t msglen) {
    ReadArgs a = {path, skip_bad};
    return test_in_child(read_maze, &a, msg, msglen);
}

static void expect_read_fails(const char *name, const char *data, size_t len, const char *needle) {
    const char *p = data ? write_tmp(name, data, len) : name;
    char msg[1024];
    int rc = read_in_child(p, 0, msg, sizeof msg);
    EXPECTF(rc == 2, "%s: exit %d, expected 2 (%s)", name, rc, msg);
    EXPECTF(strstr(msg, needle) != NULL, "%s: message '%s' lacks '%s'", name, msg, needle);
}

// A literal's exact length, embedded NULs included.
#define FAILS(name, lit, needle) expect_read_fails(name, lit, sizeof(lit) - 1, needle)

static int count_code(const uint8_t *g, int n, int code) {
    int k = 0;
    for (int i = 0; i < n; i++) k += g[i] == code;
    return k;
}

// ---------------------------------------------------------------------------------------
// generator and BFS

TEST(maze_generate_properties) {
    Rng r;
    rng_seed(&r, 42);
    int sizes[][2] = {{5, 5}, {6, 6}, {5, 12}, {12, 5}, {7, 10}, {10, 7}, {8, 8}, {9, 9},
                      {16, 23}, {30, 30}, {31, 31}, {31, 6}, {20, 31}};
    for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++)
        for (int rep = 0; rep < 20; rep++) {
            int h = sizes[t][0], w = sizes[t][1], n = h * w;
            uint8_t *q = malloc(n), *a = malloc(n);
            int len = maze_generate(&r, h, w, 0, q, a);
            char why[200];
            EXPECTF(count_code(q, n, MAZE_START) == 1 && count_code(q, n, MAZE_GOAL) == 1, "%dx%d: S/G count", h, w);
            EXPECTF(count_code(q, n, MAZE_PATH) == 0, "%dx%d: question has path cells", h, w);
            EXPECTF(maze_validate(q, h, w, why, sizeof why), "%dx%d: %s", h, w, why);
            EXPECTF(maze_check(q, a, h, w, why, sizeof why), "%dx%d: answer invalid: %s", h, w, why);
            EXPECTF(len >= 2 && len == maze_shortest(q, h, w, NULL), "%dx%d: len %d", h, w, len);
            EXPECTF(count_code(a, n, MAZE_PATH) == len - 1, "%dx%d: %d path cells for %d steps", h, w,
                    count_code(a, n, MAZE_PATH), len);
            int border_open = 0;
            for (int c = 0; c < w; c++) border_open += q[c] != MAZE_WALL || q[(h - 1) * w + c] != MAZE_WALL;
            for (int rr = 0; rr < h; rr++) border_open += q[rr * w] != MAZE_WALL || q[rr * w + w - 1] != MAZE_WALL;
            EXPECTF(border_open == 0, "%dx%d: border not all wall", h, w);
            free(q);
            free(a);
        }
}

// Loop-free mazes (cycles 0): the open cells are one tree — connected, with one fewer adjacent
// open pair than open cells — at odd and even sides; with cycles the same draws make cycles.
// Independent cycles of a maze's open cells (connected): adjacent open pairs - open cells + 1.
static int maze_cycles(const uint8_t *q, int h, int w) {
    int n = h * w, open = 0, pairs = 0;
    for (int i = 0; i < n; i++) {
        if (q[i] == MAZE_WALL) continue;
        open++;
        pairs += (i % w + 1 < w && q[i + 1] != MAZE_WALL) + (i + w < n && q[i + w] != MAZE_WALL);
    }
    return pairs - open + 1;
}

TEST(maze_generate_no_cycles_is_a_tree) {
    Rng r;
    rng_seed(&r, 43);
    int with_cycles = 0;
    for (int h = 5; h <= 16; h++)
        for (int w = 5; w <= 16; w += 1 + h % 3)
            for (int rep = 0; rep < 6; rep++) {
                int n = h * w, open = 0;
                uint8_t *q = malloc(n), *a = malloc(n), *seen = calloc(n, 1);
                int *queue = malloc(sizeof(int) * n);
                Rng keep = r;
                maze_generate_ex(&r, h, w, 0, 0, q, a);
                char why[200];
                EXPECTF(maze_check(q, a, h, w, why, sizeof why), "%dx%d: answer invalid: %s", h, w, why);
                for (int i = 0; i < n; i++) open += q[i] != MAZE_WALL;
                int head = 0, tail = 0, s = 0;
                while (q[s] != MAZE_START) s++;
                queue[tail++] = s; seen[s] = 1;
                while (head < tail) {   // flood fill from S
                    int c = queue[head++], nb[4] = {c - w, c + w, c % w ? c - 1 : -1, c % w + 1 < w ? c + 1 : -1};
                    for (int d = 0; d < 4; d++)
                        if (nb[d] >= 0 && nb[d] < n && q[nb[d]] != MAZE_WALL && !seen[nb[d]]) { seen[nb[d]] = 1; queue[tail++] = nb[d]; }
                }
                EXPECTF(tail == open, "%dx%d: %d of %d open cells reachable from S", h, w, tail, open);
                EXPECTF(maze_cycles(q, h, w) == 0, "%dx%d: %d cycles: not a tree", h, w, maze_cycles(q, h, w));
                maze_generate_ex(&keep, h, w, 0, MAZE_CYCLE_ODDS, q, a);   // the same stream with cycles
                with_cycles += maze_cycles(q, h, w) > 0;
                free(q); free(a); free(seen); free(queue);
            }
    EXPECTF(with_cycles > 100, "only %d mazes with cycles drawn by maze_generate_ex(..., MAZE_CYCLE_ODDS, ...)", with_cycles);
}

// Maze augmentation: a turned maze with its answer found again in the new frame, so a maze whose
// shortest paths tie gets the pick maze_shortest makes for the question the model sees (turning
// the old answer would carry the old frame's pick). Mazes with one shortest path: the turned answer.
TEST(maze_augment_answer_is_the_new_frames_pick) {
    const Task *t = task_get(TASK_MAZE);
    const int n = 14, N = n * n;
    uint8_t q[196], a[196], q0[196], a0[196], want[196], tmp[196];
    Rng g, r;
    rng_seed(&g, 21); rng_seed(&r, 22);
    int differs = 0;
    for (int rep = 0; rep < 300; rep++) {
        maze_generate_ex(&g, n, n, 0, 2, q0, a0);
        memcpy(q, q0, N); memcpy(a, a0, N);
        Rng keep = r;
        t->augment(&r, q, a, n, n, tmp);
        int k = (int)rng_below(&keep, 8);   // the transform augment drew
        maze_dihedral(want, q0, n, k);
        EXPECT(memcmp(q, want, N) == 0);
        char why[200];
        EXPECTF(maze_check(q, a, n, n, why, sizeof why), "rep %d: %s", rep, why);
        maze_shortest(q, n, n, want);
        EXPECT(memcmp(a, want, N) == 0);
        maze_dihedral(want, a0, n, k);      // the old answer turned: where it differs, a tie,
        if (memcmp(a, want, N) == 0) continue;   // so it is a valid shortest path too
        differs++;
        EXPECTF(maze_check(q, want, n, n, why, sizeof why), "rep %d: turned answer: %s", rep, why);
    }
    EXPECTF(differs >= 20, "only %d of 300 augmented answers differ from the turned ones (odds 2: many ties)", differs);
}

// The config of generated mazes of side n, defaults otherwise.
static Config maze_config(int n) {
    Config c;
    config_defaults(&c);
    c.task = TASK_MAZE;
    c.data.maze_size = n;
    return c;
}

// --cycle-odds / data.maze_cycle_odds: lower odds, more cycles, every maze still valid; the
// default odds are maze_generate's draws, and the task draws with the config's odds.
TEST(maze_generate_cycle_odds) {
    const int odds[3] = {25, 6, 2}, h = 30, w = 30, reps = 40;
    double mean[3];
    uint8_t q[900], a[900], q2[900], a2[900];
    for (int k = 0; k < 3; k++) {
        Rng r, r2;
        rng_seed(&r, 17); rng_seed(&r2, 17);
        long total = 0;
        for (int rep = 0; rep < reps; rep++) {
            maze_generate_ex(&r, h, w, 0, odds[k], q, a);
            char why[200];
            EXPECTF(maze_check(q, a, h, w, why, sizeof why), "odds %d: %s", odds[k], why);
            total += maze_cycles(q, h, w);
            if (odds[k] == MAZE_CYCLE_ODDS) {
                maze_generate(&r2, h, w, 0, q2, a2);
                EXPECT(memcmp(q, q2, sizeof q) == 0 && memcmp(a, a2, sizeof a) == 0);
            }
        }
        mean[k] = (double)total / reps;
    }
    EXPECTF(mean[1] > mean[0] + 5 && mean[2] > mean[1] + 10, "mean cycles at odds 25 / 6 / 2: %.1f / %.1f / %.1f",
            mean[0], mean[1], mean[2]);
    Config c = maze_config(30);
    EXPECT(c.data.maze_cycle_odds == MAZE_CYCLE_ODDS);   // a config without the key: maze_generate's mazes
    c.data.maze_cycle_odds = 6;
    Rng r1, r2;
    rng_seed(&r1, 3); rng_seed(&r2, 3);
    for (int rep = 0; rep < 5; rep++) {
        task_get(TASK_MAZE)->generate(&c, &r1, q, a);
        maze_generate_ex(&r2, h, w, 0, 6, q2, a2);
        EXPECT(memcmp(q, q2, sizeof q) == 0 && memcmp(a, a2, sizeof a) == 0);
    }
}

// data.maze_size_min: training mazes of every side in [min, maze_size], each a valid maze
// placed whole inside the maze_size grid with wall around it; without it, maze_generate's draws.
TEST(maze_task_sizes_per_maze) {
    Config c = maze_config(12);
    c.data.maze_size_min = 6;
    const Task *t = task_get(TASK_MAZE);
    int n = 12, N = n * n, seen[13] = {0};
    uint8_t q[144], a[144], q2[144], a2[144];
    Rng r;
    rng_seed(&r, 5);
    for (int rep = 0; rep < 200; rep++) {
        t->generate(&c, &r, q, a);
        int r0 = n, r1 = -1, c0 = n, c1 = -1;   // the bounding box of the non-wall cells
        for (int i = 0; i < N; i++)
            if (q[i] != MAZE_WALL) { r0 = i / n < r0 ? i / n : r0; r1 = i / n > r1 ? i / n : r1; c0 = i % n < c0 ? i % n : c0; c1 = i % n > c1 ? i % n : c1; }
        int side = (r1 - r0 > c1 - c0 ? r1 - r0 : c1 - c0) + 3;   // open cells span side - 2 at most
        EXPECTF(side >= 5 && side <= 12, "side %d", side);
        if (side >= 5 && side <= 12) seen[side]++;
        char why[200];
        EXPECTF(maze_check(q, a, n, n, why, sizeof why), "rep %d: %s", rep, why);
    }
    int sides = 0;
    for (int s = 6; s <= 12; s++) sides += seen[s] > 0;
    EXPECTF(sides >= 6, "only %d of the 7 sides 6-12 drawn", sides);
    c.data.maze_size_min = 0;   // off: exactly maze_generate's mazes
    Rng r1, r2;
    rng_seed(&r1, 9); rng_seed(&r2, 9);
    for (int rep = 0; rep < 20; rep++) {
        t->generate(&c, &r1, q, a);
        maze_generate(&r2, n, n, 0, q2, a2);
        EXPECT(memcmp(q, q2, N) == 0 && memcmp(a, a2, N) == 0);
    }
}

// data.maze_min_path_frac: about that share of the mazes hold the floor, the rest are the
// generator's own (most 14x14 paths are short); 1 is maze_min_path on every maze.
TEST(maze_task_min_path_frac_mixes) {
    Config c = maze_config(14);
    c.data.maze_min_path = 40;
    const Task *t = task_get(TASK_MAZE);
    uint8_t q[196], a[196];
    Rng r;
    rng_seed(&r, 3);
    int n = 200, floored = 0;
    for (int rep = 0; rep < n; rep++) { t->generate(&c, &r, q, a); floored += maze_shortest(q, 14, 14, NULL) >= 40; }
    EXPECTF(floored == n, "frac 1: %d of %d mazes hold the floor", floored, n);
    c.data.maze_min_path_frac = 0.5f;
    floored = 0;
    for (int rep = 0; rep < n; rep++) {
        t->generate(&c, &r, q, a);
        floored += maze_shortest(q, 14, 14, NULL) >= 40;
        char why[200];
        EXPECTF(maze_check(q, a, 14, 14, why, sizeof why), "rep %d: %s", rep, why);
    }
    EXPECTF(floored >= 70 && floored <= 140, "frac 0.5: %d of %d mazes hold the floor", floored, n);
}

TEST(maze_generate_all_sizes_5_to_31) {
    Rng r;
    rng_seed(&r, 7);
    for (int h = 5; h <= 31; h++)
        for (int w = 5; w <= 31; w += 3) {
            int n = h * w;
            uint8_t q[31 * 31], a[31 * 31];
            int min_path = (h + w) / 2;
            int len = maze_generate(&r, h, w, min_path, q, a);
            char why[200];
            EXPECTF(len >= min_path, "%dx%d: len %d < %d", h, w, len, min_path);
            EXPECTF(maze_check(q, a, h, w, why, sizeof why), "%dx%d: %s", h, w, why);
            (void)n;
        }
}

TEST(maze_generate_deterministic) {
    Rng r1, r2;
    rng_seed(&r1, 123);
    rng_seed(&r2, 123);
    uint8_t q1[900], a1[900], q2[900], a2[900];
    for (int i = 0; i < 5; i++) {
        maze_generate(&r1, 30, 30, 50, q1, a1);
        maze_generate(&r2, 30, 30, 50, q2, a2);
        EXPECT(memcmp(q1, q2, 900) == 0 && memcmp(a1, a2, 900) == 0);
    }
    // and different seeds give different mazes
    rng_seed(&r2, 124);
    maze_generate(&r2, 30, 30, 50, q2, a2);
    EXPECT(memcmp(q1, q2, 900) != 0);
}

// Mazes should have loops (several routes), not be perfect trees: over many mazes some
// must have more open-cell adjacencies than a tree (edges >= cells).
TEST(maze_generate_has_loops) {
    Rng r;
    rng_seed(&r, 5);
    int with_loops = 0;
    for (int t = 0; t < 20; t++) {
        uint8_t q[900];
        maze_generate(&r, 30, 30, 0, q, NULL);
        int cells = 0, edges = 0;
        for (int i = 0; i < 900; i++) {
            if (q[i] == MAZE_WALL) continue;
            cells++;
            if (i % 30 < 29 && q[i + 1] != MAZE_WALL) edges++;
            if (i + 30 < 900 && q[i + 30] != MAZE_WALL) edges++;
        }
        with_loops += edges >= cells;
    }
    EXPECTF(with_loops >= 15, "only %d of 20 mazes have loops", with_loops);
}

// The Maze-Hard setting: 30x30 with shortest path >= 110. Must be fast (seconds for 1000).
TEST(maze_generate_hard_30x30_fast) {
    Rng r;
    rng_seed(&r, 2024);
    uint8_t q[900], a[900];
    double t0 = now_seconds();
    long total = 0;
    int minlen = 1 << 30;
    for (int i = 0; i < 1000; i++) {
        int len = maze_generate(&r, 30, 30, 110, q, a);
        total += len;
        if (len < minlen) minlen = len;
    }
    double dt = now_seconds() - t0;
    printf("    1000 mazes 30x30, min path 110: %.3f s, mean path %.1f, min %d\n", dt, total / 1000.0, minlen);
    EXPECT(minlen >= 110);
    EXPECTF(dt < 5.0, "took %.2f s", dt);
    char why[200];
    EXPECTF(maze_check(q, a, 30, 30, why, sizeof why), "%s", why);
}

TEST(maze_generate_impossible_min_path_exits_2) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stderr);
        Rng r;
        rng_seed(&r, 1);
        uint8_t q[25];
        maze_generate(&r, 5, 5, 100, q, NULL);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 2);
}

static const char *CORRIDOR[] = {
    "#########",
    "#S     G#",
    "# ##### #",
    "#       #",
    "#########",
};

TEST(maze_shortest_bfs) {
    int w;
    uint8_t *q = grid_of(CORRIDOR, 5, &w), out[45];
    EXPECT(maze_shortest(q, 5, w, out) == 6);
    for (int c = 2; c <= 6; c++) EXPECT(out[w + c] == MAZE_PATH);
    EXPECT(count_code(out, 45, MAZE_PATH) == 5);
    q[2 * w + 1] = MAZE_WALL;   // block the long way round, still reachable
    EXPECT(maze_shortest(q, 5, w, NULL) == 6);
    q[w + 4] = MAZE_WALL;       // and the short way: G unreachable
    EXPECT(maze_shortest(q, 5, w, NULL) == -1);
    free(q);
    const char *adj[] = {"####", "#SG#", "####"};
    uint8_t *g = grid_of(adj, 3, &w);
    EXPECT(maze_shortest(g, 3, w, NULL) == 1);
    free(g);
}

// Task.hint (train.hints): the breadth-first distance from S mod 3 on the cells no farther
// from S than G; -1 on walls, on farther cells and on open cells S does not reach.
TEST(maze_hint_is_the_distance_mod_3) {
    int w, hint[45];
    uint8_t *q = grid_of(CORRIDOR, 5, &w);   // G at distance 6
    TASK_MAZE_DEF.hint(q, 5, w, hint);
    for (int c = 1; c <= 7; c++) {
        EXPECT(hint[w + c] == (c - 1) % 3);                         // row 1: S, then along the top to G
        EXPECT(hint[3 * w + c] == (c + 1 <= 6 ? (c + 1) % 3 : -1));  // row 3: round by the left
    }
    EXPECT(hint[2 * w + 1] == 1 && hint[2 * w + 7] == -1);          // (2,7): 7, beyond G
    for (int i = 0; i < 45; i++) EXPECT(q[i] != MAZE_WALL || hint[i] == -1);
    free(q);
    const char *cut[] = {"######", "#S G #", "######", "# ####", "######"};
    uint8_t *g = grid_of(cut, 5, &w);
    TASK_MAZE_DEF.hint(g, 5, w, hint);
    EXPECT(hint[w + 1] == 0 && hint[w + 2] == 1 && hint[w + 3] == 2 && hint[w + 4] == -1);
    EXPECT(hint[3 * w + 1] == -1);                                  // open, walled off from S
    free(g);
}

TEST(maze_validate_reasons) {
    const char *cases[][4] = {
        {"#####", "#   #", "#  G#", "no start S"},
        {"#####", "#S G#", "#  G#", "two goals G"},
        {"#####", "#S#G#", "#####", "no path from S to G"},
        {"#####", "#SoG#", "#####", "path cells"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int w;
        uint8_t *g = grid_of(cases[i], 3, &w);
        char why[200] = "";
        EXPECT(!maze_validate(g, 3, w, why, sizeof why));
        EXPECTF(strstr(why, cases[i][3]) != NULL, "got '%s', expected '%s'", why, cases[i][3]);
        free(g);
    }
}

// ---------------------------------------------------------------------------------------
// checker: one test per kind of wrong answer

static void expect_check(const char *const *qrows, const char *const *arows, int h, int valid, const char *needle) {
    int w, w2;
    uint8_t *q = grid_of(qrows, h, &w), *a = grid_of(arows, h, &w2);
    char why[200] = "";
    int ok = maze_check(q, a, h, w, why, sizeof why);
    EXPECTF(ok == valid, "maze_check = %d, expected %d (%s)", ok, valid, why);
    if (needle) EXPECTF(strstr(why, needle) != NULL, "reason '%s' lacks '%s'", why, needle);
    free(q);
    free(a);
}

// An answer to CORRIDOR (its middle rows r1..r3 between the walls) that maze_check refuses,
// its reason containing `needle`.
static void expect_wrong_corridor(const char *r1, const char *r2, const char *r3, const char *needle) {
    const char *a[] = {"#########", r1, r2, r3, "#########"};
    expect_check(CORRIDOR, a, 5, 0, needle);
}

TEST(maze_check_accepts_shortest) {
    const char *a[] = {"#########", "#SoooooG#", "# ##### #", "#       #", "#########"};
    expect_check(CORRIDOR, a, 5, 1, NULL);
    const char *adj[] = {"####", "#SG#", "####"};   // adjacent S and G: zero path cells
    expect_check(adj, adj, 3, 1, NULL);
}

// task_right, as eval and train's exact judge a maze: any shortest path, not only the
// reference's; a longer path is wrong even with the reference given.
TEST(maze_task_right_counts_tied_shortest_paths) {
    const char *qr[] = {"#####", "#S  #", "# # #", "#  G#", "#####"};
    const char *top[] = {"#####", "#Soo#", "# #o#", "#  G#", "#####"};     // right then down
    const char *left[] = {"#####", "#S  #", "#o# #", "#ooG#", "#####"};    // down then right: a tie
    const char *loop[] = {"#####", "#Soo#", "#o#o#", "#ooG#", "#####"};    // both: not a path
    int w;
    uint8_t *q = grid_of(qr, 5, &w), *a = grid_of(top, 5, &w), *b = grid_of(left, 5, &w),
            *c = grid_of(loop, 5, &w);
    const Task *t = task_get(TASK_MAZE);
    EXPECT(!t->answer_unique);
    EXPECT(task_right(t, q, a, a, 5, w));
    EXPECT(task_right(t, q, a, b, 5, w));      // the tie counts: training's exact was a lower bound
    EXPECT(task_right(t, q, NULL, b, 5, w));
    EXPECT(!task_right(t, q, a, c, 5, w));
    EXPECT(!task_right(t, q, a, q, 5, w));     // no path at all
    free(q); free(a); free(b); free(c);
}

TEST(maze_check_rejects_path_on_wall) {
    expect_wrong_corridor("#SoooooG#", "# #o### #", "#       #", "cell (3,4): path on a wall");
}

TEST(maze_check_rejects_disconnected) {
    expect_wrong_corridor("#Soo ooG#", "# ##### #", "#       #", "path is not connected");
    // a correct path plus a stray path cell elsewhere
    expect_wrong_corridor("#SoooooG#", "# ##### #", "#   o   #", "cell (4,5) is cut off");
}

TEST(maze_check_rejects_too_long) {
    expect_wrong_corridor("#S     G#", "#o#####o#", "#ooooooo#", "path has 10 steps, shortest is 6");
}

TEST(maze_check_rejects_moved_start) {
    expect_wrong_corridor("#oSooooG#", "# ##### #", "#       #", "cell (2,2): start S changed to 'o'");
    expect_wrong_corridor("# SooooG#", "# ##### #", "#       #", "start S changed to ' '");
}

TEST(maze_check_rejects_changed_walls_and_goal) {
    expect_wrong_corridor("#SoooooG#", "# ##### #", "#    #  #", "cell (4,6): wall added");
    expect_wrong_corridor("#SoooooG#", "# ## ## #", "#       #", "cell (3,5): wall '#' changed to ' '");
    expect_wrong_corridor("#SooooGo#", "# ##### #", "#       #", "extra goal G");
    expect_wrong_corridor("#S      #", "# ##### #", "#       #", "goal G changed");
}

TEST(maze_check_rejects_branch_and_dead_end) {
    const char *q[] = {"#######", "#S    #", "#     #", "#    G#", "#######"};
    const char *ok[] = {"#######", "#Soooo#", "#    o#", "#    G#", "#######"};
    expect_check(q, ok, 5, 1, NULL);
    const char *branch[] = {"#######", "#Soooo#", "#  o o#", "#    G#", "#######"};
    expect_check(q, branch, 5, 0, "cell (2,4): path branches (3 path neighbours)");
    const char *s2[] = {"#######", "#Soooo#", "#o   o#", "#    G#", "#######"};
    expect_check(q, s2, 5, 0, "start S has 2 path neighbours");
    const char *none[] = {"#######", "#S    #", "#     #", "#    G#", "#######"};
    expect_check(q, none, 5, 0, "no path marked");
    // a 2x2 block: every cell connected, but not a simple path
    const char *blob[] = {"#######", "#Soo  #", "# ooo #", "#   oG#", "#######"};
    expect_check(q, blob, 5, 0, "path branches");
}

TEST(maze_check_rejects_bad_codes_and_bad_question) {
    int w;
    uint8_t *q = grid_of(CORRIDOR, 5, &w), a[45];
    memcpy(a, q, 45);
    a[w + 3] = 9;
    char why[200] = "";
    EXPECT(!maze_check(q, a, 5, w, why, sizeof why) && strstr(why, "unknown code 9"));
    q[w + 1] = MAZE_OPEN;   // question without S
    EXPECT(!maze_check(q, q, 5, w, why, sizeof why) && strstr(why, "invalid question: no start S"));
    free(q);
}

// ---------------------------------------------------------------------------------------
// dihedral transforms

TEST(maze_dihedral_group) {
    Rng r;
    rng_seed(&r, 99);
    enum { N = 15 };
    uint8_t q[N * N], a[N * N], tq[8][N * N], ta[8][N * N];
    maze_generate(&r, N, N, 20, q, a);
    for (int k = 0; k < 8; k++) {
        maze_dihedral(tq[k], q, N, k);
        maze_dihedral(ta[k], a, N, k);
        char why[200];
        EXPECTF(maze_check(tq[k], ta[k], N, N, why, sizeof why), "k=%d: %s", k, why);
        EXPECT(maze_shortest(tq[k], N, N, NULL) == maze_shortest(q, N, N, NULL));
    }
    EXPECT(memcmp(tq[0], q, N * N) == 0);
    for (int i = 0; i < 8; i++)
        for (int j = i + 1; j < 8; j++) EXPECTF(memcmp(tq[i], tq[j], N * N) != 0, "k=%d and k=%d equal", i, j);
    // four quarter turns are the identity; a mirror is its own inverse
    uint8_t x[N * N], y[N * N];
    memcpy(x, q, sizeof x);
    for (int t = 0; t < 4; t++) { maze_dihedral(y, x, N, 1); memcpy(x, y, sizeof x); }
    EXPECT(memcmp(x, q, sizeof x) == 0);
    maze_dihedral(x, tq[4], N, 4);
    EXPECT(memcmp(x, q, sizeof x) == 0);
    // k=1 is a clockwise quarter turn: top-left goes to top-right
    uint8_t u[4] = {1, 2, 3, 4}, v[4];
    maze_dihedral(v, u, 2, 1);
    EXPECT(v[0] == 3 && v[1] == 1 && v[2] == 4 && v[3] == 2);
}

// ---------------------------------------------------------------------------------------
// reader

TEST(maze_read_text_round_trip) {
    Rng r;
    rng_seed(&r, 3);
    int hs[3] = {5, 12, 30}, ws[3] = {9, 7, 30};
    uint8_t q[3][900], a[3][900];
    const char *p = test_tmp_path("rt.txt");
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 3; i++) {
        maze_generate(&r, hs[i], ws[i], 0, q[i], a[i]);
        maze_write(f, q[i], hs[i], ws[i]);   // a question ...
        maze_write(f, a[i], hs[i], ws[i]);   // ... and its answer, as separate mazes
    }
    fclose(f);
    MazeSet set;
    int skipped = maze_read(p, &set, 0);
    EXPECT(skipped == 0);
    EXPECT(set.n == 6);
    for (int i = 0; i < 3 && set.n == 6; i++) {
        Maze *mq = &set.mazes[2 * i], *ma = &set.mazes[2 * i + 1];
        int n = hs[i] * ws[i];
        EXPECT(mq->h == hs[i] && mq->w == ws[i] && mq->a == NULL && memcmp(mq->q, q[i], n) == 0);
        EXPECT(ma->a != NULL && memcmp(ma->q, q[i], n) == 0 && memcmp(ma->a, a[i], n) == 0);
    }
    if (set.n == 6) EXPECT(set.mazes[0].line == 1 && set.mazes[1].line == 7);
    maze_set_free(&set);
}

TEST(maze_read_text_crlf_trailing_spaces_open_rows) {
    // CRLF line ends; rows ending in open cells (no border on the right); an all-open row
    // inside a grid; separators made of spaces; no blank line at the end.
    const char *txt = "#####\r\n#S   \r\n     \r\n#  G \r\n#####\r\n   \r\n"
                      "####\n#SG#\n####";
    const char *p = write_tmp("crlf.txt", txt, strlen(txt));
    MazeSet set;
    maze_read(p, &set, 0);
    EXPECT(set.n == 2);
    if (set.n == 2) {
        EXPECT(set.mazes[0].h == 5 && set.mazes[0].w == 5);
        EXPECT(set.mazes[0].q[1 * 5 + 4] == MAZE_OPEN && set.mazes[0].q[2 * 5 + 0] == MAZE_OPEN);
        EXPECT(set.mazes[1].h == 3 && set.mazes[1].w == 4 && set.mazes[1].line == 7);
    }
    maze_set_free(&set);
}

TEST(maze_read_csv_maze_hard) {
    // 5x5 = 25 chars per grid, row-major; a quoted field and an empty answer too.
    const char *q = "######S  ## # ##  G######";
    const char *a = "######Soo## #o##  G######";
    char csv[512];
    snprintf(csv, sizeof csv, "source,question,answer,rating\r\nx,%s,%s,3\r\n\"y,z\",\"%s\",,0\r\n\r\n", q, a, q);
    const char *p = write_tmp("hard.csv", csv, strlen(csv));
    MazeSet set;
    maze_read(p, &set, 0);
    EXPECT(set.n == 2);
    if (set.n == 2) {
        Maze *m = &set.mazes[0];
        EXPECT(m->h == 5 && m->w == 5 && m->a != NULL && m->line == 2);
        EXPECT(m->q[6] == MAZE_START && m->q[18] == MAZE_GOAL && m->a[7] == MAZE_PATH);
        char why[200];
        EXPECTF(maze_check(m->q, m->a, 5, 5, why, sizeof why), "%s", why);
        EXPECT(set.mazes[1].a == NULL && set.mazes[1].line == 3);
    }
    maze_set_free(&set);
}

TEST(maze_read_bad_inputs_exit_2) {
    FAILS("widths.txt", "#####\n#S G#\n#  #\n#####\n", "widths.txt:3: row has width 4, expected 5");
    FAILS("char.txt", "#####\n#S x#\n#  G#\n#####\n", "char.txt:2: bad character 'x' at column 4");
    FAILS("nul.txt", "#####\n#S\0G#\n#####\n", "bad character \\x00");
    FAILS("nos.txt", "#####\n#   #\n#  G#\n#####\n", "nos.txt:1: no start S");
    FAILS("twog.txt", "\n\n#####\n#S G#\n#  G#\n#####\n", "twog.txt:3: two goals G");
    FAILS("nopath.txt", "#####\n#S#G#\n#####\n", "nopath.txt:1: no path from S to G");
    FAILS("empty.txt", "", "no mazes found");
    FAILS("blank.txt", "\n\n  \n", "no mazes found");
    FAILS("fake.png", "#####\n#SG #\n#####\n", "not a PNG file");
    FAILS("badpng.txt", "\x89PNG\r\n\x1a\nxxxx", "cannot decode PNG");
    expect_read_fails(test_tmp_path(""), NULL, 0, "is a directory");
    expect_read_fails(test_tmp_path("missing.txt"), NULL, 0, "cannot open");
    // a huge line: bounded, an error, not a crash
    size_t big = (size_t)MAZE_MAX_LINE + 100;
    char *huge = malloc(big + 1);
    memset(huge, '#', big);
    huge[big] = '\n';
    expect_read_fails("huge.txt", huge, big + 1, "huge.txt:1: line longer than");
    free(huge);
    const char *hdr = "source,question,answer,rating\n";
    char csv[512];
    snprintf(csv, sizeof csv, "%sx,######S  ## # ##  G######,######Soo## #o##  G# ####,1\n", hdr);
    expect_read_fails("differs.csv", csv, strlen(csv), "differs.csv:2: answer differs from its question at cell (5,1)");
    snprintf(csv, sizeof csv, "%sx,######S  ## # ##  G#####,,1\n", hdr);
    expect_read_fails("square.csv", csv, strlen(csv), "square.csv:2: question has 24 characters, not a square");
    snprintf(csv, sizeof csv, "%sx,######S  ## # ##  G######,######Soo## #o## G######,1\n", hdr);
    expect_read_fails("alen.csv", csv, strlen(csv), "answer has 24 characters, question has 25");
    snprintf(csv, sizeof csv, "%sx,######So ## # ##  G######,,1\n", hdr);
    expect_read_fails("qpath.csv", csv, strlen(csv), "a question has no path cells");
    snprintf(csv, sizeof csv, "%sx\n", hdr);
    expect_read_fails("fields.csv", csv, strlen(csv), "fields.csv:2: expected at least 3 comma-separated fields, got 1");
    expect_read_fails("hdronly.csv", hdr, strlen(hdr), "no mazes found");
}

TEST(maze_read_skip_bad_counts) {
    const char *txt = "#####\n#S G#\n#####\n\n#####\n#S x#\n#####\n\n#####\n#S#G#\n#####\n\n####\n#SG#\n####\n";
    const char *p = write_tmp("skip.txt", txt, strlen(txt));
    char msg[1024];
    EXPECT(read_in_child(p, 0, msg, sizeof msg) == 2);
    // in-process with skip_bad, stderr silenced for the warnings
    fflush(stderr);
    int saved = dup(2);
    FILE *devnull = fopen("/dev/null", "w");
    dup2(fileno(devnull), 2);
    MazeSet set;
    int skipped = maze_read(p, &set, 1);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(devnull);
    EXPECT(skipped == 2);
    EXPECT(set.n == 2);
    if (set.n == 2) EXPECT(set.mazes[0].line == 1 && set.mazes[1].line == 13);
    // each skipped grid is recorded once, in its place: after maze 0, before maze 1
    EXPECT(set.skipped.n == 2);
    if (set.skipped.n == 2) {
        EXPECT(set.skipped.s[0].line == 6 && set.skipped.s[0].before == 1 &&
               strstr(set.skipped.s[0].why, "bad character"));
        EXPECT(set.skipped.s[1].line == 9 && set.skipped.s[1].before == 1 &&
               strstr(set.skipped.s[1].why, "no path"));
    }
    maze_set_free(&set);
    // the warnings name file:line; all-bad files still exit 2
    EXPECT(read_in_child(p, 1, msg, sizeof msg) == 0 && strstr(msg, "skip.txt:6: bad character") != NULL);
    const char *allbad = "#####\n#S x#\n#####\n";
    p = write_tmp("allbad.txt", allbad, strlen(allbad));
    EXPECT(read_in_child(p, 1, msg, sizeof msg) == 2 && strstr(msg, "no valid mazes (1 bad entries skipped)"));
}

TEST(maze_looks_like_detects) {
    EXPECT(maze_looks_like("#####\n#S G#\n#####\n"));
    EXPECT(maze_looks_like("\r\n#####\r\n#S G#\r\n"));
    EXPECT(maze_looks_like("source,question,answer,rating\n1,######S  ## # ##  G######,,0\n"));
    EXPECT(maze_looks_like("\x89PNG\r\n\x1a\n"));
    // tiny mazes: one row holding S or G is enough (they were taken for Sudoku lines)
    EXPECT(maze_looks_like("S G\n"));
    EXPECT(maze_looks_like("S\n"));
    EXPECT(maze_looks_like("SG\n"));
    EXPECT(!maze_looks_like("123456789\n"));
    EXPECT(!maze_looks_like("source,question,answer,rating\nx,1..2...3..,123,0\n"));
    EXPECT(!maze_looks_like("4.....8.5.3..........7......2.....6.....8.4......1.......6.3.7.5..2.....1.4......\n"));
    EXPECT(!maze_looks_like("# a comment\n# another\n"));
    EXPECT(!maze_looks_like(""));
}

TEST(maze_write_format) {
    const char *p = test_tmp_path("w.txt");
    FILE *f = fopen(p, "w");
    uint8_t g[6] = {MAZE_WALL, MAZE_START, MAZE_OPEN, MAZE_PATH, MAZE_GOAL, MAZE_WALL};
    maze_write(f, g, 2, 3);
    fclose(f);
    char buf[64] = "";
    f = fopen(p, "r");
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    EXPECT(strcmp(buf, "#S \noG#\n\n") == 0);
    remove(p);
}
