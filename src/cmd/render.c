// render.c — `loopt render FILE --out maze.png`: draw one maze of a file (text grids,
// Maze-Hard CSV or PNG) as a PNG in the maze palette. The answer grid is drawn when the file
// has one (the path shows in blue), else the question.
#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/image.h"
#include "loopt/log.h"
#include "loopt/maze.h"

#include <stdio.h>
#include <string.h>

static const char *USAGE =
    "usage: loopt render FILE --out OUT.png [--cell PX] [--index I] [--question] [--quiet]\n"
    "\n"
    "Draw the I-th maze of FILE as a PNG: white open, black wall, green S, red G, blue path.\n"
    "FILE (\"-\" = stdin) holds text grids separated by blank lines, a Maze-Hard CSV\n"
    "(source,question,answer,rating) or a PNG drawn by this command.\n"
    "\n"
    "  --out PATH     the PNG to write (\"-\" = stdout); required\n"
    "  --cell PX      pixels per maze cell, 1..64 (default 8)\n"
    "  --index I      which maze of the file, 0-based (default 0)\n"
    "  --question     draw the question even when the file has the answer\n"
    "  --quiet        no log line on stderr\n";

int cmd_render(int argc, char **argv) {
    const char *in = NULL, *out = NULL, *val;
    long cell = 8, index = 0;
    int question = 0;
    for (int i = 1; i < argc; i++) {
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); return EXIT_OK; }
        else if (arg_value(argc, argv, &i, "--out", &val)) out = val;
        else if (arg_value(argc, argv, &i, "--cell", &val)) cell = arg_long("--cell", val, 1, 64);
        else if (arg_value(argc, argv, &i, "--index", &val)) index = arg_long("--index", val, 0, 1L << 30);
        else if (arg_flag(argv, i, "--question")) question = 1;
        else if (arg_flag(argv, i, "--quiet")) log_quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1] != '\0') unknown_option(USAGE, "render", argv[i]);
        else if (in) usage_error(USAGE, "render: more than one input file ('%s' and '%s')", in, argv[i]);
        else in = argv[i];
    }
    if (!in) usage_error(USAGE, "render: missing the input FILE");
    if (!out) usage_error(USAGE, "render: missing --out OUT.png");

    // --index counts the file's entries, good or bad (as solve --out numbers its pictures): a bad
    // maze elsewhere in the file does not stop this one being drawn, nor shift its number.
    MazeSet set;
    maze_read(in, &set, 2);
    const SkipList *sk = &set.skipped;
    long good = 0, entries = set.n + sk->n;
    int k = 0;
    for (long e = 0; e < index && e < entries; e++) {   // entry e is skipped entry k, or good maze `good`
        if (k < sk->n && sk->s[k].before == good) k++;
        else good++;
    }
    if (index >= entries)
        die(EXIT_USAGE, "%s has %ld maze%s, --index %ld is out of range (0-based)", in, entries, entries == 1 ? "" : "s",
            index);
    if (k < sk->n && sk->s[k].before == good)
        die(EXIT_USAGE, "%s:%d: %s (maze %ld of the file, --index %ld)", path_label(in), sk->s[k].line, sk->s[k].why,
            index, index);
    const Maze *m = &set.mazes[good];
    if ((long)m->w * cell > IMAGE_MAX_SIDE || (long)m->h * cell > IMAGE_MAX_SIDE)
        die(EXIT_USAGE, "a %dx%d maze at --cell %ld would be %ldx%ld pixels, more than %d on a side; lower --cell",
            m->h, m->w, cell, m->w * cell, m->h * cell, IMAGE_MAX_SIDE);
    const uint8_t *grid = (m->a && !question) ? m->a : m->q;
    maze_write_png(out, grid, m->h, m->w, (int)cell);
    log_info("wrote %s: maze %ld of %s (%dx%d, %s), %ldx%ld pixels", strcmp(out, "-") ? out : "stdout", index, in,
             m->h, m->w, grid == m->a ? "answer" : "question", m->w * cell, m->h * cell);
    maze_set_free(&set);
    return EXIT_OK;
}
