// task.h — a task (Sudoku, maze) as one table entry: what the commands need to know about it,
// so that none of them branches on cfg.task. Each entry is filled by the task's own file
// (sudoku.c, maze.c); task.c holds the lookup and the puzzle set every reader fills.
#ifndef LOOPT_TASK_H
#define LOOPT_TASK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loopt/check.h"
#include "loopt/config.h"
#include "loopt/model.h"
#include "loopt/rng.h"

// One entry of a file: a puzzle, an h x w grid of input tokens (Sudoku cells, 0 = blank; maze
// codes), or a placeholder for an entry that was skipped (malformed, or a size the model cannot
// take): q == NULL and why says why. Placeholders keep every entry in its place, so that output
// record N answers input entry N.
typedef struct {
    int h, w;
    const uint8_t *q;   // (h*w) question: the input tokens; NULL: a skipped entry
    const uint8_t *a;   // (h*w) the file's answer (solution), or NULL when it had none
    int line;           // 1-based line of the input where the entry starts (for messages)
    const char *why;    // a skipped entry: the reason (owned by the set); NULL for a puzzle
} Puzzle;

// The entries of one file, in input order; their cells live in one block owned by the set.
typedef struct {
    int n, cap;
    Puzzle *p;          // (cap) of which n filled
    uint8_t *cells;     // every q and a, back to back
    size_t used, size;  // bytes of cells filled / allocated
} PuzzleSet;

typedef struct {
    const char *name;   // "sudoku", "maze": the config's task and the default model's file name
    const char *what;   // what its entries are called in messages: "Sudoku puzzles", "mazes"
    int score_blanks;   // cell accuracy counts only the cells blank in the question (Sudoku: the
                        // givens are copied); 0: every cell (maze)
    int answer_unique;  // a right answer equals the file's (Sudoku); 0: the checker judges, as
                        // several answers may be right (maze: any shortest path)
    int fixed_size;     // every grid is the training size (Sudoku); 0: any size (maze)
    int text_one_line;  // the answer's text is one line (Sudoku); 0: rows joined by '\n' (maze)

    // The grid the config trains on (Sudoku 9 x 9; maze data.maze_size on each side).
    void (*train_size)(const Config *c, int *h, int *w);

    // The engine's view of an h x w grid: vocabulary, sequence length and coordinate axes into
    // *s, the coordinates into coords (coords_size(h, w) ints, owned by the caller).
    void (*shape)(TaskShape *s, int *coords, int h, int w);
    int (*coords_size)(int h, int w);

    // Whether the text (the head of a file) looks like this task's puzzles.
    int (*looks_like)(const char *text);

    // One generated (question, answer) pair of the training size into q, a, from the data stream.
    void (*generate)(const Config *c, Rng *r, uint8_t *q, uint8_t *a);
    // The generator's settings of the config in words, for train's summary ("givens 21-35").
    void (*describe_gen)(const Config *c, char *buf, size_t len);

    // The leakage check (`check --against PATH`; NULL: the task has none): for each entry i of
    // set, where[i] = "FILE:LINE" (malloc'd; the caller frees) of a puzzle in PATH (a puzzle
    // file, or a folder of them) equivalent to it under the task's symmetries, or NULL.
    // Returns how many have one.
    long (*leaks)(const PuzzleSet *set, const char *path, char **where);

    // One random validity-preserving transform of q, and a the answer of the new q (the old
    // one transformed, or where it is not unique the task's own pick: mazes) (h x w); tmp
    // holds h*w bytes of scratch.
    void (*augment)(Rng *r, uint8_t *q, uint8_t *a, int h, int w, uint8_t *tmp);

    // Read every puzzle of `path` ("-" = stdin) in any format the task accepts into *set.
    // Malformed entries: `loopt: <path>:<line>: <reason>`, exit 2, or with skip_bad = 1 warned
    // and kept in the set as placeholders (Puzzle.q == NULL) in their input places. Returns the
    // number skipped. No puzzle at all (empty, or every entry malformed): exit 2.
    int (*read)(const char *path, PuzzleSet *set, int skip_bad);
    // Like read, but an answer is kept as the file gives it, right or wrong, for `loopt check`
    // to judge.
    int (*read_answers)(const char *path, PuzzleSet *set, int skip_bad);

    // Exit 2 naming the file (and line) unless every entry of `set` can be a training or
    // validation example for config c: it is a puzzle (no placeholder), has an answer and the
    // training size.
    void (*check_split)(const Config *c, const PuzzleSet *set, const char *path);

    // Whether answer a (h x w) solves question q; if not, the reason into why.
    int (*check)(const uint8_t *q, const uint8_t *a, int h, int w, char *why, size_t len);

    // Breadth's rule `valid` (`--tries`): whether answer a is well formed for question q by what
    // can be seen without solving q, and then its cost into *cost (of two well-formed answers
    // the lower cost wins). Sudoku: check itself (a full grid that keeps the givens and repeats
    // no digit is the solution), cost 0; maze: maze_path, cost its steps (whether a path is the
    // shortest takes a search, but the shortest of the variants' paths needs none).
    int (*well_formed)(const uint8_t *q, const uint8_t *a, int h, int w, int *cost);

    // Whether question q alone is a valid puzzle (Sudoku: exactly one solution; maze: one S,
    // one G, G reachable); if not, the reason into why.
    int (*validate)(const uint8_t *q, int h, int w, char *why, size_t len);

    // A reference answer for a question the file gave none (exact solver, BFS) into out.
    // Returns 0 when there is none.
    int (*reference)(const uint8_t *q, int h, int w, uint8_t *out);

    // The answer as text into out (h*w + h bytes): Sudoku 81 chars, '.' = blank; maze rows of
    // MAZE_CHARS joined by '\n'.
    void (*text)(char *out, const uint8_t *a, int h, int w);

    // The answer as `loopt solve` prints it: Sudoku one line, maze the grid and a blank line.
    void (*write)(FILE *f, const uint8_t *a, int h, int w);

    // The answer as a PNG of cell_px pixels per cell; NULL when the task has no pictures.
    void (*write_png)(const char *path, const uint8_t *a, int h, int w, int cell_px);

    // Hint targets for train.hints (TaskShape.n_hint classes): per cell of question q (h x w)
    // a class in [0, n_hint), or -1 where the cell has none (maze: the breadth-first distance
    // from S mod 3 on the cells no farther than G, -1 elsewhere). NULL: the task has no hints.
    void (*hint)(const uint8_t *q, int h, int w, int *out);

    // Test-time breadth (`solve --tries`): the k-th validity-preserving transform of an h x w
    // grid, called for k = 0, 1, 2, ... in turn with one stream r (k = 0: the identity): cell t
    // of the transformed grid (*vh x *vw) is cell src[t] of the original with its token x
    // turned into tok[x] (tok: 256 entries, a permutation). NULL: the task has none.
    void (*variant)(int k, Rng *r, int h, int w, int *src, uint8_t *tok, int *vh, int *vw);
} Task;

// Whether a cell with question token q counts in cell accuracy (Task.score_blanks).
static inline int task_scored(const Task *t, int q) { return !t->score_blanks || q == 0; }

// Whether answer ans (h x w) is right for question q: equal to the reference ref where the task
// has one right answer (answer_unique) and ref is given; else as Task.check judges it (a maze:
// any shortest path, so tied ones count; ref may then be NULL).
int task_right(const Task *t, const uint8_t *q, const uint8_t *ref, const uint8_t *ans, int h, int w);

extern const Task TASK_SUDOKU_DEF, TASK_MAZE_DEF;

// The entry of a task kind.
const Task *task_get(TaskKind kind);
// The first task whose looks_like accepts text; NULL when none does.
const Task *task_detect(const char *text);
// The task the input `path` (`name` in messages) looks like, from its head (read_head, so the
// input is still read once). Exit 2 when it is empty or looks like no task.
const Task *task_of_input(const char *path, const char *name);
// Exit 2 with `name: these look like <what>, but the model (model_path) is a <task> model`
// when the head of `path` looks like another task's input and not like `task`'s.
void task_expect_input(const Task *task, const char *path, const char *name, const char *model_path);
// The same for an input with another role than a model's: exit 2 with `name: these look like
// <what>, not <task's what> (<role>)`, e.g. role "--against takes Sudoku puzzles".
void task_expect_file(const Task *task, const char *path, const char *name, const char *role);

// An empty set with room for n puzzles of `cells` bytes in all (questions plus answers), the
// totals a reader knows once it has parsed its file; free with puzzle_set_free.
void puzzle_set_alloc(PuzzleSet *set, int n, size_t cells);
// Append a puzzle, copying its h*w question and answer (a may be NULL) into the room above.
void puzzle_set_add(PuzzleSet *set, int h, int w, const uint8_t *q, const uint8_t *a, int line);
// Append a placeholder for an entry skipped at `line`, for reason why (copied).
void puzzle_set_skip(PuzzleSet *set, int line, const char *why);
// Append, from skipped (in input order, from *k on), the placeholders of the entries skipped
// before the reader's good entry number `before`, advancing *k: a reader's Task.read calls it
// before adding each good entry, and with its count of good entries at the end.
void puzzle_set_add_skipped(PuzzleSet *set, const SkipList *skipped, int *k, int before);
// Turn entry i into a placeholder for reason why (copied); its cells stay in the block.
void puzzle_set_drop(PuzzleSet *set, int i, const char *why);
// Keep the first n entries only.
void puzzle_set_truncate(PuzzleSet *set, int n);
void puzzle_set_free(PuzzleSet *set);
// The most cells (h*w) of any puzzle in the set; 0 when it has none.
int puzzle_set_max_cells(const PuzzleSet *set);
// The puzzles of the set: its entries less its placeholders.
int puzzle_set_count(const PuzzleSet *set);

#endif
