// maze.c — mazes as data: the reader (text grids, Maze-Hard CSV, PNG), the generator,
// BFS shortest paths, the answer checker, dihedral transforms and the text writer.
// Cells are uint8_t codes (MAZE_OPEN..MAZE_PATH), row-major (h, w). Coordinates in messages
// are 1-based (row,col), like the line/column numbers an editor shows.
#include "loopt/maze.h"
#include "loopt/check.h"
#include "loopt/csv.h"
#include "loopt/image.h"
#include "loopt/task.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char MAZE_CHARS[MAZE_NCODES] = {' ', '#', 'S', 'G', 'o'};

// Text and CSV files larger than this are refused (1,000 30x30 mazes take ~1 MB).
#define MAZE_MAX_FILE ((size_t)1 << 30)

static const int DR[4] = {-1, 0, 1, 0}, DC[4] = {0, -1, 0, 1};

// Byte -> cell code + 1 (0 = not a maze character): a constant table, as readers call it
// per cell (and possibly from several threads). Must agree with MAZE_CHARS.
static const uint8_t CODE_PLUS1[256] = {[' '] = 1 + MAZE_OPEN, ['#'] = 1 + MAZE_WALL, ['S'] = 1 + MAZE_START,
                                        ['G'] = 1 + MAZE_GOAL, ['o'] = 1 + MAZE_PATH};
static int char_code(unsigned char ch) { return (int)CODE_PLUS1[ch] - 1; }

// ---------------------------------------------------------------------------------------
// BFS

// Distances (in steps) from src over non-wall cells into dist (h*w, -1 = unreachable);
// queue is scratch of h*w ints. Returns the index of the last cell dequeued (a farthest one).
// With stop >= 0 the search ends as soon as cell `stop` is labelled: every cell nearer than
// it is labelled by then, which is all that path marking needs.
static int bfs(const uint8_t *g, int h, int w, int src, int stop, int *dist, int *queue) {
    int n = h * w;
    for (int i = 0; i < n; i++) dist[i] = -1;
    int head = 0, tail = 0;
    dist[src] = 0;
    queue[tail++] = src;
    int last = src;
    while (head < tail) {
        int cur = queue[head++];
        last = cur;
        int r = cur / w, c = cur % w;
        for (int d = 0; d < 4; d++) {
            int rr = r + DR[d], cc = c + DC[d];
            if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
            int nb = rr * w + cc;
            if (dist[nb] >= 0 || g[nb] == MAZE_WALL) continue;
            dist[nb] = dist[cur] + 1;
            if (nb == stop) return nb;
            queue[tail++] = nb;
        }
    }
    return last;
}

static int find_code(const uint8_t *g, int n, uint8_t code) {
    for (int i = 0; i < n; i++)
        if (g[i] == code) return i;
    return -1;
}

// Walk back from goal along strictly decreasing distances, marking intermediate cells.
// The neighbour order is fixed, so the chosen path is deterministic.
static void mark_path(uint8_t *out, const int *dist, int h, int w, int goal) {
    int cur = goal;
    while (dist[cur] > 1) {
        int r = cur / w, c = cur % w, next = -1;
        for (int d = 0; d < 4 && next < 0; d++) {
            int rr = r + DR[d], cc = c + DC[d];
            if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
            if (dist[rr * w + cc] == dist[cur] - 1) next = rr * w + cc;
        }
        out[next] = MAZE_PATH;
        cur = next;
    }
}

int maze_shortest(const uint8_t *q, int h, int w, uint8_t *out) {
    int n = h * w;
    int s = find_code(q, n, MAZE_START), g = find_code(q, n, MAZE_GOAL);
    if (s < 0 || g < 0) return -1;
    int *dist = xmalloc((size_t)n * sizeof(int)), *queue = xmalloc((size_t)n * sizeof(int));
    bfs(q, h, w, s, g, dist, queue);
    int len = dist[g];
    if (out) {
        memcpy(out, q, (size_t)n);
        if (len > 0) mark_path(out, dist, h, w, g);
    }
    free(dist);
    free(queue);
    return len;
}

// ---------------------------------------------------------------------------------------
// Validation and checking

int maze_validate(const uint8_t *q, int h, int w, char *why, size_t whylen) {
    if (h < 1 || w < 1) return failf(why, whylen, "empty grid");
    int n = h * w, s = -1, g = -1;
    for (int i = 0; i < n; i++) {
        int r = i / w + 1, c = i % w + 1;
        if (q[i] >= MAZE_NCODES) return failf(why, whylen, "cell (%d,%d): unknown code %d", r, c, q[i]);
        if (q[i] == MAZE_PATH) return failf(why, whylen, "cell (%d,%d): a question may not contain path cells 'o'", r, c);
        if (q[i] == MAZE_START) {
            if (s >= 0) return failf(why, whylen, "two starts S, at (%d,%d) and (%d,%d)", s / w + 1, s % w + 1, r, c);
            s = i;
        }
        if (q[i] == MAZE_GOAL) {
            if (g >= 0) return failf(why, whylen, "two goals G, at (%d,%d) and (%d,%d)", g / w + 1, g % w + 1, r, c);
            g = i;
        }
    }
    if (s < 0) return failf(why, whylen, "no start S");
    if (g < 0) return failf(why, whylen, "no goal G");
    if (maze_shortest(q, h, w, NULL) < 0) return failf(why, whylen, "no path from S to G");
    return 1;
}

static char show(uint8_t code) { return code < MAZE_NCODES ? MAZE_CHARS[code] : '?'; }

int maze_path(const uint8_t *q, const uint8_t *a, int h, int w, int *steps, char *why, size_t whylen) {
    int n = h * w, npath = 0;
    if (find_code(q, n, MAZE_START) < 0) return failf(why, whylen, "invalid question: no start S");
    if (find_code(q, n, MAZE_GOAL) < 0) return failf(why, whylen, "invalid question: no goal G");
    // 1. Cell by cell: only open cells may change, and only into path.
    for (int i = 0; i < n; i++) {
        int r = i / w + 1, c = i % w + 1;
        if (a[i] >= MAZE_NCODES) return failf(why, whylen, "cell (%d,%d): unknown code %d", r, c, a[i]);
        if (a[i] == q[i]) continue;
        switch (q[i]) {
        case MAZE_WALL:
            if (a[i] == MAZE_PATH) return failf(why, whylen, "cell (%d,%d): path on a wall", r, c);
            return failf(why, whylen, "cell (%d,%d): wall '#' changed to '%c'", r, c, show(a[i]));
        case MAZE_START: return failf(why, whylen, "cell (%d,%d): start S changed to '%c'", r, c, show(a[i]));
        case MAZE_GOAL: return failf(why, whylen, "cell (%d,%d): goal G changed to '%c'", r, c, show(a[i]));
        default:   // open
            if (a[i] == MAZE_START) return failf(why, whylen, "cell (%d,%d): extra start S (S moved?)", r, c);
            if (a[i] == MAZE_GOAL) return failf(why, whylen, "cell (%d,%d): extra goal G (G moved?)", r, c);
            if (a[i] == MAZE_WALL) return failf(why, whylen, "cell (%d,%d): wall added", r, c);
        }
    }
    for (int i = 0; i < n; i++) npath += a[i] == MAZE_PATH;
    int s = find_code(a, n, MAZE_START), g = find_code(a, n, MAZE_GOAL);
    int adjacent = abs(s / w - g / w) + abs(s % w - g % w) == 1;
    if (npath == 0 && !adjacent) return failf(why, whylen, "no path marked: no 'o' cells");

    // 2. Connectivity: flood from S through {S, G, o}; everything must be reached.
    int *seen = xmalloc((size_t)n * sizeof(int)), *queue = xmalloc((size_t)n * sizeof(int));
    for (int i = 0; i < n; i++) seen[i] = -1;
    uint8_t *onp = xmalloc((size_t)n);   // 1 = on the claimed path (S, G or o)
    for (int i = 0; i < n; i++) onp[i] = a[i] == MAZE_PATH || a[i] == MAZE_START || a[i] == MAZE_GOAL;
    int head = 0, tail = 0;
    seen[s] = 0;
    queue[tail++] = s;
    while (head < tail) {
        int cur = queue[head++], r = cur / w, c = cur % w;
        for (int d = 0; d < 4; d++) {
            int rr = r + DR[d], cc = c + DC[d];
            if (rr < 0 || rr >= h || cc < 0 || cc >= w) continue;
            int nb = rr * w + cc;
            if (onp[nb] && seen[nb] < 0) { seen[nb] = 0; queue[tail++] = nb; }
        }
    }
    int ok = 1;
    if (seen[g] < 0) ok = failf(why, whylen, "path is not connected: G cannot be reached from S along 'o' cells");
    for (int i = 0; ok && i < n; i++)
        if (onp[i] && seen[i] < 0)
            ok = failf(why, whylen, "path is not connected: cell (%d,%d) is cut off from the S-G path", i / w + 1, i % w + 1);

    // 3. Simple path: S and G have one path neighbour, every o-cell exactly two. Together
    // with connectivity this makes {S, G, o} exactly one S-G path, of |cells| - 1 steps.
    for (int i = 0; ok && i < n; i++) {
        if (!onp[i]) continue;
        int r = i / w, c = i % w, deg = 0;
        for (int d = 0; d < 4; d++) {
            int rr = r + DR[d], cc = c + DC[d];
            if (rr >= 0 && rr < h && cc >= 0 && cc < w && onp[rr * w + cc]) deg++;
        }
        if (a[i] == MAZE_PATH && deg > 2)
            ok = failf(why, whylen, "cell (%d,%d): path branches (%d path neighbours)", r + 1, c + 1, deg);
        else if (a[i] == MAZE_PATH && deg < 2)
            ok = failf(why, whylen, "cell (%d,%d): path has a dead end", r + 1, c + 1);
        else if (a[i] != MAZE_PATH && deg != 1)
            ok = failf(why, whylen, "cell (%d,%d): %s has %d path neighbours, expected 1", r + 1, c + 1,
                       a[i] == MAZE_START ? "start S" : "goal G", deg);
    }
    free(seen);
    free(queue);
    free(onp);
    *steps = npath + 1;
    return ok;
}

int maze_check(const uint8_t *q, const uint8_t *a, int h, int w, char *why, size_t whylen) {
    char qwhy[160];
    if (!maze_validate(q, h, w, qwhy, sizeof qwhy)) return failf(why, whylen, "invalid question: %s", qwhy);
    int steps;
    if (!maze_path(q, a, h, w, &steps, why, whylen)) return 0;
    int best = maze_shortest(q, h, w, NULL);   // 4. Shortest.
    if (steps != best) return failf(why, whylen, "path has %d steps, shortest is %d", steps, best);
    return 1;
}

// ---------------------------------------------------------------------------------------
// Generator

// Carve a maze into g: a depth-first (recursive backtracker) spanning tree on a lattice of
// cells two apart, which gives the long winding corridors hard mazes need; then a few extra
// walls knocked down (each with odds 1 in cycle_odds) so there are loops (several routes,
// shortest paths not trivially the only path). Even sizes leave one spare interior
// row/column: the lattice is shifted to one side at random and the spare line gets random
// nubs and corridors grown from open cells, so every open cell stays connected. Without
// cycles (cycle_odds 0) no wall falls and a spare cell opens only where it would touch
// exactly one open cell (a new leaf): the open cells form a tree.

// Open 4-neighbours of cell (i, j) (an interior cell: the border is wall).
static int open_nbrs(const uint8_t *g, int w, int i, int j) {
    return (g[(i - 1) * w + j] != MAZE_WALL) + (g[(i + 1) * w + j] != MAZE_WALL) +
           (g[i * w + j - 1] != MAZE_WALL) + (g[i * w + j + 1] != MAZE_WALL);
}

// The odd lattice of a grid: cells at (ro + 2i, co + 2j), nr x nc of them; an even side has a
// spare row or column, drawn at one end or the other.
typedef struct { int ro, co, nr, nc; } Lattice;

static Lattice lattice(Rng *r, int h, int w) {
    Lattice l;
    l.ro = (h % 2) ? 1 : 1 + (int)rng_below(r, 2);
    l.co = (w % 2) ? 1 : 1 + (int)rng_below(r, 2);
    l.nr = (h - 2 - l.ro) / 2 + 1;
    l.nc = (w - 2 - l.co) / 2 + 1;
    return l;
}

static void open_spares(Rng *r, int h, int w, int cycles, int ro, int co, uint8_t *g);

static void carve(Rng *r, int h, int w, int cycle_odds, uint8_t *g, int *scratch) {
    int cycles = cycle_odds > 0;
    uint32_t odds = (uint32_t)cycle_odds;
    memset(g, MAZE_WALL, (size_t)h * w);
    Lattice lt = lattice(r, h, w);
    int ro = lt.ro, co = lt.co, nr = lt.nr, nc = lt.nc;   // lattice offsets, rows, cols
#define LAT(i, j) ((ro + 2 * (i)) * w + co + 2 * (j))
    int *stack = scratch;                 // lattice indices, at most nr*nc
    uint8_t *visited = (uint8_t *)(scratch + nr * nc);
    memset(visited, 0, (size_t)nr * nc);
    int top = 0, start = (int)rng_below(r, (uint32_t)(nr * nc));
    stack[top++] = start;
    visited[start] = 1;
    g[LAT(start / nc, start % nc)] = MAZE_OPEN;
    while (top > 0) {
        int cur = stack[top - 1], i = cur / nc, j = cur % nc, cand[4], k = 0;
        for (int d = 0; d < 4; d++) {
            int ii = i + DR[d], jj = j + DC[d];
            if (ii >= 0 && ii < nr && jj >= 0 && jj < nc && !visited[ii * nc + jj]) cand[k++] = d;
        }
        if (k == 0) { top--; continue; }
        int d = cand[rng_below(r, (uint32_t)k)], ii = i + DR[d], jj = j + DC[d];
        g[LAT(i, j) + DR[d] * w + DC[d]] = MAZE_OPEN;   // the wall between the two cells
        g[LAT(ii, jj)] = MAZE_OPEN;
        visited[ii * nc + jj] = 1;
        stack[top++] = ii * nc + jj;
    }
    // Loops: each remaining wall between two lattice cells falls with odds 1 in cycle_odds.
    for (int i = 0; i < nr && cycles; i++)
        for (int j = 0; j < nc; j++) {
            if (j + 1 < nc && g[LAT(i, j) + 1] == MAZE_WALL && rng_below(r, odds) == 0) g[LAT(i, j) + 1] = MAZE_OPEN;
            if (i + 1 < nr && g[LAT(i, j) + w] == MAZE_WALL && rng_below(r, odds) == 0) g[LAT(i, j) + w] = MAZE_OPEN;
        }
#undef LAT
    open_spares(r, h, w, cycles, ro, co, g);
}

// Spare row (even h) then spare column (even w): open a cell with probability 1/3 when its
// neighbour towards the lattice is open (and, without cycles, it would be a new leaf).
static void open_spares(Rng *r, int h, int w, int cycles, int ro, int co, uint8_t *g) {
    if (h % 2 == 0) {
        int er = ro == 1 ? h - 2 : 1, ar = ro == 1 ? h - 3 : 2;
        for (int c = 1; c < w - 1; c++)
            if (g[ar * w + c] != MAZE_WALL && (cycles || open_nbrs(g, w, er, c) == 1) && rng_below(r, 3) == 0)
                g[er * w + c] = MAZE_OPEN;
    }
    if (w % 2 == 0) {
        int ec = co == 1 ? w - 2 : 1, ac = co == 1 ? w - 3 : 2;
        for (int rr = 1; rr < h - 1; rr++)
            if (g[rr * w + ac] != MAZE_WALL && (cycles || open_nbrs(g, w, rr, ec) == 1) && rng_below(r, 3) == 0)
                g[rr * w + ec] = MAZE_OPEN;
    }
}

// Randomized Kruskal on the same lattice (evaluation only: `gen maze --algo kruskal`): every
// wall between two lattice cells in a random order (Fisher-Yates), each falling when the cells
// are not yet connected (union-find), so the open cells form a uniform-looking spanning tree of
// many short branches, unlike the depth-first tree's long corridors. Then extra openings: each
// interior wall cell between two open cells in a line (across a lattice wall, or a lattice
// cell's corner neighbours' joint) falls with odds 1 in cycle_odds — more varied cycles than
// carve's.
static int uf_find(int *parent, int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

static void carve_kruskal(Rng *r, int h, int w, int cycle_odds, uint8_t *g, int *scratch) {
    memset(g, MAZE_WALL, (size_t)h * w);
    Lattice lt = lattice(r, h, w);
    int nr = lt.nr, nc = lt.nc, cells = nr * nc;
#define LAT(i, j) ((lt.ro + 2 * (i)) * w + lt.co + 2 * (j))
    int *parent = scratch, *walls = scratch + cells, nw = 0;   // walls: 2*cell + (0 right, 1 down)
    for (int c = 0; c < cells; c++) {
        parent[c] = c;
        g[LAT(c / nc, c % nc)] = MAZE_OPEN;
        if (c % nc + 1 < nc) walls[nw++] = 2 * c;
        if (c / nc + 1 < nr) walls[nw++] = 2 * c + 1;
    }
    for (int i = nw - 1; i > 0; i--) {
        int j = (int)rng_below(r, (uint32_t)(i + 1)), t = walls[i];
        walls[i] = walls[j]; walls[j] = t;
    }
    for (int k = 0; k < nw; k++) {
        int c = walls[k] / 2, down = walls[k] % 2, o = c + (down ? nc : 1);
        int a = uf_find(parent, c), b = uf_find(parent, o);
        if (a == b) continue;
        parent[a] = b;
        g[LAT(c / nc, c % nc) + (down ? w : 1)] = MAZE_OPEN;
    }
#undef LAT
    if (cycle_odds > 0)
        for (int i = 1; i < h - 1; i++)
            for (int j = 1; j < w - 1; j++) {
                if (g[i * w + j] != MAZE_WALL) continue;
                int lr = g[i * w + j - 1] != MAZE_WALL && g[i * w + j + 1] != MAZE_WALL;
                int ud = g[(i - 1) * w + j] != MAZE_WALL && g[(i + 1) * w + j] != MAZE_WALL;
                if ((lr || ud) && rng_below(r, (uint32_t)cycle_odds) == 0) g[i * w + j] = MAZE_OPEN;
            }
    open_spares(r, h, w, cycle_odds > 0, lt.ro, lt.co, g);
}

// Pick S uniformly among open cells and G uniformly among cells at least `need` steps away.
// If S is too central for that, move S to the farthest cell from it (an end of a long
// corridor: a double-sweep approximation of the diameter) and try once more.
// Returns 1 and sets *s, *gl, or 0 if this maze has no such pair.
static int place_ends(Rng *r, const uint8_t *g, int h, int w, int need, int *dist, int *queue, int *s, int *gl) {
    int n = h * w, nopen = 0;
    for (int i = 0; i < n; i++) nopen += g[i] == MAZE_OPEN;
    int k = (int)rng_below(r, (uint32_t)nopen), src = -1;
    for (int i = 0; i < n && src < 0; i++)
        if (g[i] == MAZE_OPEN && k-- == 0) src = i;
    for (int sweep = 0; sweep < 2; sweep++) {
        int far = bfs(g, h, w, src, -1, dist, queue), cnt = 0;
        for (int i = 0; i < n; i++) cnt += dist[i] >= need;
        if (cnt > 0) {
            int pick = (int)rng_below(r, (uint32_t)cnt);
            for (int i = 0; i < n; i++)
                if (dist[i] >= need && pick-- == 0) { *s = src; *gl = i; return 1; }
        }
        src = far;
    }
    return 0;
}

int maze_generate(Rng *r, int h, int w, int min_path, uint8_t *q, uint8_t *a) {
    return maze_generate_ex(r, h, w, min_path, MAZE_CYCLE_ODDS, q, a);
}

int maze_generate_ex(Rng *r, int h, int w, int min_path, int cycle_odds, uint8_t *q, uint8_t *a) {
    return maze_generate_algo(r, MAZE_ALGO_DFS, h, w, min_path, cycle_odds, q, a);
}

int maze_generate_algo(Rng *r, MazeAlgo algo, int h, int w, int min_path, int cycle_odds, uint8_t *q, uint8_t *a) {
    if (h < 5 || w < 5 || h > MAZE_MAX_SIDE || w > MAZE_MAX_SIDE)
        die(EXIT_USAGE, "maze size %dx%d out of range: each side must be in [5, %d]", h, w, MAZE_MAX_SIDE);
    // S and G at least 2 apart, so every answer marks at least one 'o' cell and reads back
    // as an answer (a grid without 'o' is taken for a question).
    int need = min_path > 2 ? min_path : 2;
    // No S-G shortest path can visit more than half of the grid's cells in these mazes:
    // fail at once rather than after the retries.
    if ((long)need > (long)(h - 2) * (w - 2) / 2 + 2)
        die(EXIT_USAGE, "no %dx%d maze has a shortest path of %d steps; lower the minimum path length", h, w, min_path);
    int n = h * w;
    int *dist = xmalloc((size_t)n * sizeof(int)), *queue = xmalloc((size_t)n * sizeof(int));
    int *scratch = xmalloc((size_t)n * sizeof(int) * 2);
    const int max_tries = 1000;
    for (int t = 0; t < max_tries; t++) {
        int s, gl;
        if (algo == MAZE_ALGO_KRUSKAL) carve_kruskal(r, h, w, cycle_odds, q, scratch);
        else carve(r, h, w, cycle_odds, q, scratch);
        if (!place_ends(r, q, h, w, need, dist, queue, &s, &gl)) continue;
        q[s] = MAZE_START;
        q[gl] = MAZE_GOAL;
        free(dist);
        free(queue);
        free(scratch);
        return maze_shortest(q, h, w, a);
    }
    die(EXIT_USAGE, "could not generate a %dx%d maze with a shortest path of at least %d steps in %d tries; "
        "lower the minimum path length or enlarge the maze", h, w, min_path, max_tries);
}

// ---------------------------------------------------------------------------------------
// Transforms and output

void maze_dihedral(uint8_t *dst, const uint8_t *src, int n, int k) {
    int rot = k & 3, mirror = k >= 4;
    for (int r = 0; r < n; r++)
        for (int c = 0; c < n; c++) {
            int rr = r, cc = mirror ? n - 1 - c : c;
            for (int t = 0; t < rot; t++) {   // a clockwise quarter turn: (r,c) -> (c, n-1-r)
                int tmp = rr;
                rr = cc;
                cc = n - 1 - tmp;
            }
            dst[rr * n + cc] = src[r * n + c];
        }
}

void maze_write(FILE *f, const uint8_t *grid, int h, int w) {
    char *line = xmalloc((size_t)w + 1);
    for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) line[c] = show(grid[r * w + c]);
        line[w] = '\n';
        fwrite(line, 1, (size_t)w + 1, f);
    }
    fputc('\n', f);
    free(line);
}

// ---------------------------------------------------------------------------------------
// Reading

typedef struct {
    const char *path;
    MazeSet *set;
    int cap, skip_bad;
} Reader;

// One bad entry: fatal (exit 2) unless skip_bad, when it is warned and recorded in its place
// among the mazes (check.h).
#define bad(rd, line, ...) \
    report_bad((rd)->path, line, (rd)->skip_bad, &(rd)->set->skipped, (rd)->set->n, __VA_ARGS__)

// Take ownership of q and a (a may be NULL) after validating the question.
static void push(Reader *rd, int line, int h, int w, uint8_t *q, uint8_t *a) {
    char why[200];
    if (!maze_validate(q, h, w, why, sizeof why)) {
        bad(rd, line, "%s", why);
        free(q);
        free(a);
        return;
    }
    MazeSet *set = rd->set;
    if (set->n == rd->cap) {
        rd->cap = rd->cap ? rd->cap * 2 : 64;
        set->mazes = xrealloc(set->mazes, (size_t)rd->cap * sizeof(Maze));
    }
    set->mazes[set->n++] = (Maze){.h = h, .w = w, .q = q, .a = a, .line = line};
}

// A printable rendering of a byte for messages.
static const char *show_byte(unsigned char ch, char buf[8]) {
    if (isprint(ch)) snprintf(buf, 8, "'%c'", ch);
    else snprintf(buf, 8, "\\x%02x", ch);
    return buf;
}

// From a grid that may contain 'o' cells: q = the grid with 'o' back to open; a = the grid
// if it had any 'o', else NULL.
static void split_answer(uint8_t *grid, int n, uint8_t **q, uint8_t **a) {
    int has_path = 0;
    for (int i = 0; i < n; i++) has_path |= grid[i] == MAZE_PATH;
    if (!has_path) { *q = grid; *a = NULL; return; }
    *a = grid;
    *q = xmalloc((size_t)n);
    for (int i = 0; i < n; i++) (*q)[i] = grid[i] == MAZE_PATH ? MAZE_OPEN : grid[i];
}

// Text grids. A grid ends at an empty line (or one of only spaces/tabs that cannot be a row
// of the current grid: a row of all-open cells is kept when its width matches). A trailing
// '\r' ends a line; trailing spaces are open cells and are never stripped.
static void read_text(Reader *rd, const char *buf, size_t len) {
    size_t pos = 0;
    int ln = 0, start = 0, width = 0, rows = 0, broken = 0, in_grid = 0;
    size_t cap = 0;
    uint8_t *grid = NULL;
    for (;;) {
        int at_end = pos >= len;
        const char *line = buf + pos;
        size_t n = 0;
        if (!at_end) {
            const char *nl = memchr(line, '\n', len - pos);
            n = nl ? (size_t)(nl - line) : len - pos;
            pos += n + 1;
            ln++;
            if (n > 0 && line[n - 1] == '\r') n--;
        }
        int blank = 1, has_tab = 0;
        for (size_t i = 0; i < n && blank; i++) {
            blank = line[i] == ' ' || line[i] == '\t';
            has_tab |= line[i] == '\t';
        }
        if (blank && in_grid && !has_tab && n > 0 && (int)n == width) blank = 0;   // an all-open row
        if (at_end || blank) {
            if (in_grid && !broken) {
                uint8_t *g = xmalloc((size_t)rows * width), *q, *a;
                memcpy(g, grid, (size_t)rows * width);
                split_answer(g, rows * width, &q, &a);
                push(rd, start, rows, width, q, a);
            }
            in_grid = 0;
            if (at_end) break;
            continue;
        }
        if (!in_grid) { in_grid = 1; start = ln; width = (int)(n < (size_t)MAZE_MAX_LINE ? n : 0); rows = 0; broken = 0; }
        if (broken) continue;   // already reported: skip to the end of this grid
        if (n > (size_t)MAZE_MAX_LINE) { bad(rd, ln, "line longer than %d bytes", MAZE_MAX_LINE); broken = 1; continue; }
        if (width > MAZE_MAX_SIDE) { bad(rd, ln, "row has width %d, more than %d", width, MAZE_MAX_SIDE); broken = 1; continue; }
        if ((int)n != width) { bad(rd, ln, "row has width %zu, expected %d", n, width); broken = 1; continue; }
        if (rows == MAZE_MAX_SIDE) { bad(rd, ln, "grid has more than %d rows", MAZE_MAX_SIDE); broken = 1; continue; }
        if ((size_t)(rows + 1) * width > cap) {
            cap = ((size_t)(rows + 1) * width) * 2;
            grid = xrealloc(grid, cap);
        }
        for (size_t i = 0; i < n; i++) {
            int k = char_code((unsigned char)line[i]);
            if (k < 0) {
                char b[8];
                bad(rd, ln, "bad character %s at column %zu (expected '#', ' ', 'S', 'G' or 'o')",
                    show_byte((unsigned char)line[i], b), i + 1);
                broken = 1;
                break;
            }
            grid[(size_t)rows * width + i] = (uint8_t)k;
        }
        rows++;
    }
    free(grid);
}

// Split one CSV line into at most 16 fields (csv.h; more: 17), without trimming (a space is an
// open cell). Returns the field count, -1 with *why on malformed quoting.
static int csv_fields(const char *line, size_t n, CsvField *f, const char **why) {
    return csv_split(line, n, f, 16, 0, why);
}

static int field_is(const char *f, size_t n, const char *name) {
    while (n > 0 && (*f == ' ' || *f == '"')) f++, n--;
    while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '"')) n--;
    return n == strlen(name) && strncasecmp(f, name, n) == 0;
}

// Parse one Maze-Hard string (h*h chars, row-major) into codes; allow_path for answers.
// Returns the side, or 0 after reporting through bad().
static int csv_grid(Reader *rd, int ln, const char *what, const char *s, size_t n, int allow_path, uint8_t **out) {
    *out = NULL;
    if (n == 0) { bad(rd, ln, "empty %s", what); return 0; }
    size_t h = 0;
    while ((h + 1) * (h + 1) <= n) h++;
    if (h * h != n) { bad(rd, ln, "%s has %zu characters, not a square number (h*h)", what, n); return 0; }
    if (h > MAZE_MAX_SIDE) { bad(rd, ln, "%s is %zux%zu, more than %d on a side", what, h, h, MAZE_MAX_SIDE); return 0; }
    uint8_t *g = xmalloc(n);
    for (size_t i = 0; i < n; i++) {
        int k = char_code((unsigned char)s[i]);
        if (k < 0 || (k == MAZE_PATH && !allow_path)) {
            char b[8];
            bad(rd, ln, "%s: bad character %s at cell (%zu,%zu)%s", what, show_byte((unsigned char)s[i], b),
                i / h + 1, i % h + 1, k == MAZE_PATH ? " (a question has no path cells)" : "");
            free(g);
            return 0;
        }
        g[i] = (uint8_t)k;
    }
    *out = g;
    return (int)h;
}

// The Maze-Hard CSV: a header naming the question and answer columns, then one maze a line.
static void read_csv(Reader *rd, const char *buf, size_t len) {
    CsvField f[16];
    const char *why;
    int qi = -1, ai = -1, ln = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + 1;
        ln++;
        if (n > 0 && line[n - 1] == '\r') n--;
        if (ln == 1) {
            int k = csv_fields(line, n, f, &why);
            for (int i = 0; i < k && i < 16; i++) {
                if (field_is(f[i].p, f[i].n, "question")) qi = i;
                if (field_is(f[i].p, f[i].n, "answer")) ai = i;
            }
            continue;
        }
        if (n == 0) continue;
        int k = csv_fields(line, n, f, &why), need = (qi > ai ? qi : ai) + 1;
        if (k < 0) { bad(rd, ln, "%s", why); continue; }
        if (k < need) { bad(rd, ln, "expected at least %d comma-separated fields, got %d", need, k); continue; }
        uint8_t *q, *a = NULL;
        int h = csv_grid(rd, ln, "question", f[qi].p, f[qi].n, 0, &q);
        if (!h) continue;
        if (ai >= 0 && f[ai].n > 0) {
            if (f[ai].n != f[qi].n) {
                bad(rd, ln, "answer has %zu characters, question has %zu", f[ai].n, f[qi].n);
                free(q);
                continue;
            }
            if (!csv_grid(rd, ln, "answer", f[ai].p, f[ai].n, 1, &a)) { free(q); continue; }
            int differs = -1;
            for (int i = 0; i < h * h && differs < 0; i++)
                if ((a[i] == MAZE_PATH ? MAZE_OPEN : a[i]) != q[i]) differs = i;
            if (differs >= 0) {
                bad(rd, ln, "answer differs from its question at cell (%d,%d): question has '%c', answer '%c'",
                    differs / h + 1, differs % h + 1, MAZE_CHARS[q[differs]], MAZE_CHARS[a[differs]]);
                free(q);
                free(a);
                continue;
            }
        }
        push(rd, ln, h, h, q, a);
    }
}

static int is_csv_header(const char *buf, size_t len) {
    const char *nl = memchr(buf, '\n', len);
    size_t n = nl ? (size_t)(nl - buf) : len;
    if (n > 0 && buf[n - 1] == '\r') n--;
    CsvField f[16];
    const char *why;
    int k = csv_fields(buf, n, f, &why), hasq = 0;
    for (int i = 0; i < k && i < 16; i++) hasq |= field_is(f[i].p, f[i].n, "question");
    return k >= 2 && hasq;
}

// ---------------------------------------------------------------------------------------
// Maze pictures: the palette, drawn and read by image.c

// Colours far apart in every pair (each pair differs by >= 150 in some channel), so image.c's
// per-channel tolerance of 48 can never match two palette entries at once.
const uint8_t MAZE_PALETTE[MAZE_NCODES][3] = {
    {255, 255, 255},   // open: white
    {0, 0, 0},         // wall: black
    {0, 200, 0},       // start: green
    {220, 0, 0},       // goal: red
    {40, 90, 230},     // path: blue
};
// The pure colours a paint program offers are read as the palette's green, red and blue too
// (each differs from every other code's colours by 255 in some channel).
static const uint8_t MAZE_ALIASES[3][4] = {
    {0, 255, 0, MAZE_START}, {255, 0, 0, MAZE_GOAL}, {0, 0, 255, MAZE_PATH},
};
static const Palette MAZE_PICTURE = {MAZE_PALETTE, MAZE_NCODES, "maze",
                                     "white #ffffff open, black #000000 wall, green #00c800 or #00ff00 S, "
                                     "red #dc0000 or #ff0000 G, blue #285ae6 or #0000ff path",
                                     MAZE_ALIASES, 3};

void maze_write_png(const char *path, const uint8_t *grid, int h, int w, int cell_px) {
    image_write_cells(path, grid, h, w, cell_px, &MAZE_PICTURE);
}

int maze_read_png(const char *path, uint8_t **grid, int *h, int *w, char *why, int whylen) {
    return image_read_cells(path, &MAZE_PICTURE, grid, h, w, why, whylen);
}

int maze_decode_png(const uint8_t *png, size_t len, uint8_t **grid, int *h, int *w, char *why, int whylen) {
    return image_decode_cells(png, len, &MAZE_PICTURE, grid, h, w, why, whylen);
}

static int ends_with_png(const char *path) {
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".png") == 0;
}

int maze_read(const char *path, MazeSet *set, int skip_bad) {
    Reader rd = {.path = path, .set = set, .skip_bad = skip_bad};
    memset(set, 0, sizeof *set);
    size_t len;
    char *buf = read_file(path, MAZE_MAX_FILE, &len);
    if (image_is_png((const uint8_t *)buf, len)) {
        uint8_t *g;
        int h, w;
        char why[256];
        if (!maze_decode_png((const uint8_t *)buf, len, &g, &h, &w, why, sizeof why))
            die(EXIT_USAGE, "%s: %s", path, why);
        uint8_t *q, *a;
        split_answer(g, h * w, &q, &a);
        push(&rd, 1, h, w, q, a);
    } else if (ends_with_png(path)) {
        die(EXIT_USAGE, "%s: not a PNG file (no PNG signature)", path);
    } else {
        const char *text = buf;
        size_t n = len;
        if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) text += 3, n -= 3;   // a UTF-8 BOM
        if (is_csv_header(text, n)) read_csv(&rd, text, n);
        else read_text(&rd, text, n);
    }
    free(buf);
    if (set->n == 0) {
        int n_bad = set->skipped.n;
        if (n_bad && skip_bad == 2) {   // the skips were silent: the first one says what is wrong
            char why[600];
            snprintf(why, sizeof why, "%s:%d: %s", path, set->skipped.s[0].line, set->skipped.s[0].why);
            maze_set_free(set);
            die(EXIT_USAGE, "%s (no valid maze in the file: %d bad entr%s)", why, n_bad, n_bad == 1 ? "y" : "ies");
        }
        maze_set_free(set);
        if (n_bad) die(EXIT_USAGE, "%s: no valid mazes (%d bad entries skipped)", path, n_bad);
        die(EXIT_USAGE, "%s: no mazes found (expected text grids of '#', ' ', 'S', 'G', 'o', "
            "a Maze-Hard CSV or a PNG)", path);
    }
    return set->skipped.n;
}

void maze_set_free(MazeSet *set) {
    for (int i = 0; i < set->n; i++) {
        free(set->mazes[i].q);
        free(set->mazes[i].a);
    }
    free(set->mazes);
    skip_list_free(&set->skipped);
    set->mazes = NULL;
    set->n = 0;
}

// ---------------------------------------------------------------------------------------
// Task detection

// Whether s[0..n) is a row of maze characters only: 0 when not; else 1, plus 2 when it holds a
// wall '#' (and has at least 3 cells), plus 4 when it holds a start S or goal G.
static int grid_row(const char *s, size_t n) {
    if (n == 0) return 0;
    int wall = 0, end = 0;
    for (size_t i = 0; i < n; i++) {
        if (char_code((unsigned char)s[i]) < 0) return 0;
        wall |= s[i] == '#';
        end |= s[i] == 'S' || s[i] == 'G';
    }
    return 1 | (wall && n >= 3 ? 2 : 0) | (end ? 4 : 0);
}

int maze_looks_like(const char *text) {
    size_t len = strlen(text);
    if (image_is_png((const uint8_t *)text, len)) return 1;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) text += 3, len -= 3;
    if (is_csv_header(text, len)) {
        // Sudoku-Extreme has the same header: look at the first row's question column.
        const char *nl = memchr(text, '\n', len);
        if (!nl) return 0;
        const char *row = nl + 1, *why;
        CsvField f[16], hdr[16];
        const char *nl2 = memchr(row, '\n', len - (size_t)(row - text));
        size_t rn = nl2 ? (size_t)(nl2 - row) : len - (size_t)(row - text);
        if (rn > 0 && row[rn - 1] == '\r') rn--;
        size_t hn = (size_t)(nl - text);
        if (hn > 0 && text[hn - 1] == '\r') hn--;
        int hk = csv_fields(text, hn, hdr, &why), qi = -1;
        for (int i = 0; i < hk && i < 16; i++)
            if (field_is(hdr[i].p, hdr[i].n, "question")) qi = i;
        int k = csv_fields(row, rn, f, &why);
        return qi >= 0 && qi < k && qi < 16 && (grid_row(f[qi].p, f[qi].n) & 6);
    }
    // Two consecutive rows of equal width with a wall, or one row with S or G.
    const char *p = text, *end = text + len;
    size_t prev = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t m = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
        int row = grid_row(p, m);
        if (row & 4) return 1;
        if (row & 2) {
            if (prev == m) return 1;
            prev = m;
        } else {
            prev = 0;
        }
        p += n + 1;
    }
    return 0;
}

// ---- the task table entry (task.h) ----------------------------------------------------------

// Tokens: input and output classes are the maze cell codes 0..4 (maze.h).
#define MAZE_VOCAB 5
// Hint classes (train.hints): the breadth-first distance from S mod 3 — the wave's state,
// a finite-state local rule at any size, from which mark_path's walk back from G is local too
// (the neighbour one step nearer S is the one whose class is one less, mod 3).
#define MAZE_HINTS 3

static void task_train_size(const Config *c, int *h, int *w) { *h = *w = c->data.maze_size; }

static void task_describe_gen(const Config *c, char *buf, size_t len) {
    const DataConfig *d = &c->data;
    char floor[64];
    if (d->maze_min_path && d->maze_min_path_frac < 1.0f)
        snprintf(floor, sizeof floor, "shortest path >= %d in %.0f%% of them", d->maze_min_path, 100.0 * d->maze_min_path_frac);
    else snprintf(floor, sizeof floor, "shortest path >= %d", d->maze_min_path);
    int n = d->maze_size, lo = d->maze_size_min;
    if (lo && lo < n)
        snprintf(buf, len, "%dx%d to %dx%d in %dx%d, %s%s", lo, lo, n, n, n, n, floor, d->maze_cycles ? "" : ", no cycles");
    else snprintf(buf, len, "%dx%d, %s%s", n, n, floor, d->maze_cycles ? "" : ", no cycles");
}

// Tokens carry (row, column).
static void task_shape(TaskShape *s, int *coords, int h, int w) {
    s->vocab = MAZE_VOCAB;
    s->n_out = MAZE_VOCAB;
    s->n_hint = MAZE_HINTS;
    s->seq_len = h * w;
    s->n_axes = 2;
    s->axis_size[0] = h;
    s->axis_size[1] = w;
    for (int t = 0; t < h * w; t++) {
        coords[t * 2 + 0] = t / w;
        coords[t * 2 + 1] = t % w;
    }
}

static int task_coords_size(int h, int w) { return h * w * 2; }

// A maze_size maze, or with data.maze_size_min one of a side drawn from [maze_size_min,
// maze_size] at a random place in a maze_size grid of wall; its shortest path at least
// maze_min_path, or with maze_min_path_frac < 1 only that share of the mazes (a mixture of
// long paths and the generator's own). A config without these keys draws as before.
static void task_generate(const Config *c, Rng *r, uint8_t *q, uint8_t *a) {
    const DataConfig *d = &c->data;
    int n = d->maze_size, s = n, odds = d->maze_cycles ? d->maze_cycle_odds : 0, min_path = d->maze_min_path;
    if (min_path && d->maze_min_path_frac < 1.0f && rng_uniform(r) >= d->maze_min_path_frac) min_path = 0;
    if (d->maze_size_min && d->maze_size_min < n) s = d->maze_size_min + (int)rng_below(r, (uint32_t)(n - d->maze_size_min + 1));
    if (s == n) { maze_generate_ex(r, n, n, min_path, odds, q, a); return; }
    uint8_t *sq = xmalloc(2 * (size_t)s * s), *sa = sq + (size_t)s * s;   // (s, s) question, answer
    maze_generate_ex(r, s, s, min_path, odds, sq, sa);
    int r0 = (int)rng_below(r, (uint32_t)(n - s + 1)), c0 = (int)rng_below(r, (uint32_t)(n - s + 1));
    memset(q, MAZE_WALL, (size_t)n * n);
    memset(a, MAZE_WALL, (size_t)n * n);
    for (int i = 0; i < s; i++) {
        memcpy(q + (size_t)(r0 + i) * n + c0, sq + (size_t)i * s, (size_t)s);
        memcpy(a + (size_t)(r0 + i) * n + c0, sa + (size_t)i * s, (size_t)s);
    }
    free(sq);
}

// One of the 8 symmetries of the square (training grids are square), and the answer found
// again in the new frame. Where several shortest paths tie, maze_shortest's neighbour order
// picks one; the turned answer would carry the pick made in the frame before, a target the
// question does not decide (ties were 48 of the shipped model's 51 misses on 1,000 14x14
// mazes; docs/maze_extrapolation.md).
static void task_augment(Rng *r, uint8_t *q, uint8_t *a, int h, int w, uint8_t *tmp) {
    int k = (int)rng_below(r, 8);
    maze_dihedral(tmp, q, h, k); memcpy(q, tmp, (size_t)h * w);
    maze_shortest(q, h, w, a);
}

// Task.hint: the distance from S mod MAZE_HINTS on every cell no farther from S than G (what
// the walk back from G reads; a wave that has reached G has labelled them all), -1 elsewhere.
static void task_hint(const uint8_t *q, int h, int w, int *out) {
    int n = h * w, s = find_code(q, n, MAZE_START), g = find_code(q, n, MAZE_GOAL);
    if (s < 0 || g < 0) { for (int i = 0; i < n; i++) out[i] = -1; return; }
    int *queue = xmalloc((size_t)n * sizeof(int));
    bfs(q, h, w, s, -1, out, queue);   // distances, -1 = unreachable
    int far = out[g] >= 0 ? out[g] : n;
    for (int i = 0; i < n; i++) out[i] = out[i] >= 0 && out[i] <= far ? out[i] % MAZE_HINTS : -1;
    free(queue);
}

// Task.well_formed (`--tries`, rule valid): a path, its steps the cost, the shortest not asked.
static int task_well_formed(const uint8_t *q, const uint8_t *a, int h, int w, int *cost) {
    return maze_path(q, a, h, w, cost, NULL, 0);
}

// Task.variant (`solve --tries`): the symmetries in turn, not drawn. The geometric ones: of a
// square grid maze_dihedral's 8 transforms, of any other the 4 that keep its shape (the mirror
// images across each axis, and both); variant k is geometric transform k mod n (n = 8 or 4),
// and from k mod 2n >= n on with S and G swapped (a shortest S-G path is a shortest G-S path,
// and the model, which grows the two ends differently, answers it anew).
static void task_variant(int k, Rng *r, int h, int w, int *src, uint8_t *tok, int *vh, int *vw) {
    int n = h == w ? 8 : 4, g = k % n, swap = k % (2 * n) >= n;
    int rot = h == w ? g & 3 : 0, mirror = h == w ? g >= 4 : g & 1, flip = h != w && (g & 2);
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {   // the cell (i, j) goes to (rr, cc), as in maze_dihedral
            int rr = flip ? h - 1 - i : i, cc = mirror ? w - 1 - j : j;
            for (int t = 0; t < rot; t++) { int tmp = rr; rr = cc; cc = h - 1 - tmp; }
            src[rr * w + cc] = i * w + j;
        }
    for (int v = 0; v < 256; v++) tok[v] = (uint8_t)v;
    if (swap) { tok[MAZE_START] = MAZE_GOAL; tok[MAZE_GOAL] = MAZE_START; }
    *vh = h; *vw = w;
}

static int task_read(const char *path, PuzzleSet *set, int skip_bad) {
    MazeSet ms;
    int bad = maze_read(path, &ms, skip_bad), k = 0;
    size_t cells = 0;
    for (int i = 0; i < ms.n; i++) cells += (size_t)ms.mazes[i].h * ms.mazes[i].w * (ms.mazes[i].a ? 2 : 1);
    puzzle_set_alloc(set, ms.n + ms.skipped.n, cells);
    for (int i = 0; i < ms.n; i++) {
        const Maze *z = &ms.mazes[i];
        puzzle_set_add_skipped(set, &ms.skipped, &k, i);
        puzzle_set_add(set, z->h, z->w, z->q, z->a, z->line);
    }
    puzzle_set_add_skipped(set, &ms.skipped, &k, ms.n);
    maze_set_free(&ms);
    return bad;
}

static void task_check_split(const Config *c, const PuzzleSet *set, const char *path) {
    int n = c->data.maze_size;
    for (int k = 0; k < set->n; k++) {
        const Puzzle *z = &set->p[k];
        if (!z->q) die(EXIT_USAGE, "%s:%d: %s (training and validation data skip no entry)", path, z->line, z->why);
        if (z->h != n || z->w != n)
            die(EXIT_USAGE, "%s:%d: maze is %dx%d, the config's data.maze_size is %d", path, z->line, z->h, z->w, n);
        if (!z->a) die(EXIT_USAGE, "%s:%d: training and validation mazes need answers", path, z->line);
    }
}

static int task_reference(const uint8_t *q, int h, int w, uint8_t *out) { return maze_shortest(q, h, w, out) >= 0; }

static void task_text(char *out, const uint8_t *a, int h, int w) {
    size_t k = 0;
    for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
            uint8_t v = a[i * w + j];
            out[k++] = v < MAZE_NCODES ? MAZE_CHARS[v] : '?';
        }
        if (i + 1 < h) out[k++] = '\n';
    }
    out[k] = '\0';
}

const Task TASK_MAZE_DEF = {
    .name = "maze",
    .what = "mazes",
    .score_blanks = 0,
    .answer_unique = 0,
    .fixed_size = 0,
    .text_one_line = 0,
    .train_size = task_train_size,
    .describe_gen = task_describe_gen,
    .shape = task_shape,
    .coords_size = task_coords_size,
    .looks_like = maze_looks_like,
    .generate = task_generate,
    .augment = task_augment,
    .read = task_read,
    .read_answers = task_read,
    .check_split = task_check_split,
    .check = maze_check,
    .well_formed = task_well_formed,
    .validate = maze_validate,
    .reference = task_reference,
    .text = task_text,
    .write = maze_write,
    .write_png = maze_write_png,
    .hint = task_hint,
    .variant = task_variant,
};
