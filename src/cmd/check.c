// check.c — `loopt check FILE|-`: verify the answers in a puzzle file. The task (Sudoku or
// maze) is told from the content. Prints `N valid, M invalid` on stdout and one
// `loopt: <file>:<line>: <reason>` per invalid answer on stderr (the prefix of every loopt
// message). Exit 0 if all are valid, 1 if some are not, 2 if the file is unreadable or has
// malformed entries (each reported with its line). The input is read once (pipes, FIFOs).
// --against PATH: the leakage check, the puzzles equivalent to one in PATH (the task's Task.leaks).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/task.h"

static const char *USAGE =
    "usage: loopt check [--against PATH] FILE|-\n"
    "\n"
    "Verify puzzle/answer pairs; the task is detected from the content ('-' = stdin).\n"
    "  Sudoku: `puzzle,solution` lines (also the Sudoku-Extreme CSV and the Kaggle CSV); each\n"
    "          answer must be a complete valid grid keeping the givens. A file of puzzles\n"
    "          only (81-char lines or 9-line grids): each must have exactly one solution.\n"
    "  maze:   the Maze-Hard CSV or text answer grids (path marked 'o'); each path must join\n"
    "          S to G through open cells and be a shortest one. Question grids only: each\n"
    "          must be a valid maze (one S, one G, G reachable).\n"
    "Prints `N valid, M invalid`; each invalid one as `loopt: FILE:LINE: reason` on stderr, and\n"
    "each malformed entry as `loopt: FILE:LINE: reason (skipped)` (not counted in N or M).\n"
    "FILE may be a pipe or FIFO (`check <(loopt gen sudoku --n 3 --solutions)`): it is read once.\n"
    "  --against PATH  Sudoku leakage check: also report each puzzle of FILE equivalent, under\n"
    "                  the Sudoku symmetries and digit relabelling, to one in PATH (a puzzle\n"
    "                  file, or a folder of them) as `loopt: FILE:LINE: equivalent to P:L`, and\n"
    "                  print `K of N puzzles equivalent to one in PATH` as a second line\n"
    "Exit 0 if all valid (and, with --against, none equivalent), 1 if some are invalid (or\n"
    "equivalent), 2 if the file is unreadable or malformed.\n";

// Judge every entry of the set: an answer by the task's checker, a question alone by whether
// it is a valid puzzle; and report each one `where` says is equivalent to a puzzle elsewhere.
static void check_all(const Task *task, const PuzzleSet *set, const char *name, char **where, long *valid,
                      long *invalid) {
    char why[256];
    for (int i = 0; i < set->n; i++) {
        const Puzzle *p = &set->p[i];
        if (!p->q) continue;   // malformed: reported by the reader
        int ok = p->a ? task->check(p->q, p->a, p->h, p->w, why, sizeof why)
                      : task->validate(p->q, p->h, p->w, why, sizeof why);
        if (ok) (*valid)++;
        else { (*invalid)++; warnf("%s:%d: %s", name, p->line, why); }
        if (where && where[i]) warnf("%s:%d: equivalent to %s", name, p->line, where[i]);
    }
}

int cmd_check(int argc, char **argv) {
    const char *path = NULL, *against_path = NULL, *val;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (arg_is_help(a)) { fputs(USAGE, stdout); return EXIT_OK; }
        if (strcmp(a, "--against") == 0 && i + 1 >= argc) usage_error(USAGE, "check: option --against needs a value");
        if (arg_value(argc, argv, &i, "--against", &val)) { against_path = val; continue; }
        if (a[0] == '-' && a[1] != '\0') unknown_option(USAGE, "check", a);
        if (path) usage_error(USAGE, "check: one file at a time (got '%s' and '%s')", path, a);
        path = a;
    }
    if (!path) usage_error(USAGE, "check: which file? (FILE or - for stdin)");
    const char *name = path_label(path);

    long valid = 0, invalid = 0, leaked = 0;
    const Task *task = task_of_input(path, name);
    if (against_path && !task->leaks)
        usage_error(USAGE, "check: --against takes Sudoku files; %s holds %s", name, task->what);
    PuzzleSet set;
    int n_bad = task->read_answers(path, &set, 1);   // malformed entries: reported and skipped
    char **where = against_path ? xcalloc((size_t)(set.n ? set.n : 1), sizeof *where) : NULL;
    if (against_path) leaked = task->leaks(&set, against_path, where);
    check_all(task, &set, name, where, &valid, &invalid);
    for (int i = 0; where && i < set.n; i++) free(where[i]);
    free(where);
    puzzle_set_free(&set);

    printf("%ld valid, %ld invalid\n", valid, invalid);
    if (against_path) printf("%ld of %ld puzzles equivalent to one in %s\n", leaked, valid + invalid, against_path);
    fflush(stdout);
    if (n_bad) {
        warnf("%s: %d malformed entr%s (reported above)", name, n_bad, n_bad == 1 ? "y" : "ies");
        return EXIT_USAGE;
    }
    return invalid || leaked ? EXIT_RUNTIME : EXIT_OK;
}
