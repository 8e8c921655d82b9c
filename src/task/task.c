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
    *p = (Puzzle){h, w, copy_cells(set, q, S), NULL, line};
    if (a) p->a = copy_cells(set, a, S);
}

void puzzle_set_free(PuzzleSet *set) {
    free(set->p);
    free(set->cells);
    memset(set, 0, sizeof *set);
}

int puzzle_set_max_cells(const PuzzleSet *set) {
    int s_max = 0;
    for (int i = 0; i < set->n; i++) if (set->p[i].h * set->p[i].w > s_max) s_max = set->p[i].h * set->p[i].w;
    return s_max;
}
