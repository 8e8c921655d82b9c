// task.c — the task table's lookup and the puzzle set every task's reader fills (task.h).
#include "loopt/task.h"

#include <stdlib.h>
#include <string.h>

#include "loopt/check.h"

static const Task *const TASKS[] = {[TASK_SUDOKU] = &TASK_SUDOKU_DEF, [TASK_MAZE] = &TASK_MAZE_DEF};
#define N_TASKS (int)(sizeof TASKS / sizeof TASKS[0])

const Task *task_get(TaskKind kind) {
    CHECK((unsigned)kind < (unsigned)N_TASKS, "task_get: no task %d", (int)kind);
    return TASKS[kind];
}

const Task *task_detect(const char *text) {
    for (int k = 0; k < N_TASKS; k++)
        if (TASKS[k]->looks_like(text)) return TASKS[k];
    return NULL;
}

const Task *task_of_input(const char *path, const char *name) {
    size_t len;
    char *head = read_head(path, name, &len);
    const Task *t = task_detect(head);
    free(head);
    if (len == 0) die(EXIT_USAGE, "%s: empty file, no puzzles in it", name);
    if (!t) die(EXIT_USAGE, "%s: neither Sudoku nor mazes: expected 81-char puzzle lines, `puzzle,solution` "
                "CSV, 9-line grids, or maze grids/CSV/PNG", name);
    return t;
}

// The other task the head of `path` looks like, when it does not look like `task`'s input; NULL
// otherwise.
static const Task *other_task(const Task *task, const char *path, const char *name) {
    size_t len;
    char *head = read_head(path, name, &len);
    const Task *t = task->looks_like(head) ? task : task_detect(head);
    free(head);
    return t && t != task ? t : NULL;
}

void task_expect_input(const Task *task, const char *path, const char *name, const char *model_path) {
    const Task *t = other_task(task, path, name);
    if (t) die(EXIT_USAGE, "%s: these look like %s, but the model (%s) is a %s model", name, t->what, model_path,
               task->name);
}

void task_expect_file(const Task *task, const char *path, const char *name, const char *role) {
    const Task *t = other_task(task, path, name);
    if (t) die(EXIT_USAGE, "%s: these look like %s, not %s (%s)", name, t->what, task->what, role);
}

int task_right(const Task *t, const uint8_t *q, const uint8_t *ref, const uint8_t *ans, int h, int w) {
    if (t->answer_unique && ref) return memcmp(ans, ref, (size_t)h * w) == 0;
    char why[256];
    return t->check(q, ans, h, w, why, sizeof why);
}

void puzzle_set_alloc(PuzzleSet *set, int n, size_t cells) {
    memset(set, 0, sizeof *set);
    set->cap = n;
    set->size = cells;
    set->p = xmalloc(sizeof(Puzzle) * (size_t)n);
    set->cells = xmalloc(cells);
}

// Copies, so that a set outlives the reader's own buffers (and one free releases it).
static const uint8_t *copy_cells(PuzzleSet *set, const uint8_t *src, size_t n) {
    CHECK(set->used + n <= set->size, "puzzle_set_add: %zu cells do not fit (%zu left)", n, set->size - set->used);
    uint8_t *dst = set->cells + set->used;
    memcpy(dst, src, n);
    set->used += n;
    return dst;
}

void puzzle_set_add(PuzzleSet *set, int h, int w, const uint8_t *q, const uint8_t *a, int line) {
    CHECK(set->n < set->cap, "puzzle_set_add: set is full (%d puzzles)", set->cap);
    size_t S = (size_t)h * w;
    Puzzle *p = &set->p[set->n++];
    *p = (Puzzle){h, w, copy_cells(set, q, S), NULL, line, NULL};
    if (a) p->a = copy_cells(set, a, S);
}

void puzzle_set_skip(PuzzleSet *set, int line, const char *why) {
    CHECK(set->n < set->cap, "puzzle_set_skip: set is full (%d entries)", set->cap);
    set->p[set->n++] = (Puzzle){0, 0, NULL, NULL, line, xstrdup(why)};
}

void puzzle_set_add_skipped(PuzzleSet *set, const SkipList *skipped, int *k, int before) {
    for (; *k < skipped->n && skipped->s[*k].before <= before; (*k)++)
        puzzle_set_skip(set, skipped->s[*k].line, skipped->s[*k].why);
}

void puzzle_set_drop(PuzzleSet *set, int i, const char *why) {
    Puzzle *p = &set->p[i];
    free((char *)p->why);
    *p = (Puzzle){0, 0, NULL, NULL, p->line, xstrdup(why)};
}

void puzzle_set_truncate(PuzzleSet *set, int n) {
    for (int i = n; i < set->n; i++) free((char *)set->p[i].why);
    if (n < set->n) set->n = n;
}

void puzzle_set_free(PuzzleSet *set) {
    puzzle_set_truncate(set, 0);
    free(set->p);
    free(set->cells);
    memset(set, 0, sizeof *set);
}

int puzzle_set_max_cells(const PuzzleSet *set) {
    int s_max = 0;
    for (int i = 0; i < set->n; i++) if (set->p[i].h * set->p[i].w > s_max) s_max = set->p[i].h * set->p[i].w;
    return s_max;
}

int puzzle_set_count(const PuzzleSet *set) {
    int n = 0;
    for (int i = 0; i < set->n; i++) n += set->p[i].q != NULL;
    return n;
}
