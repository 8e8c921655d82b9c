// main.c — the subcommand table and nothing else.
#include <stdio.h>
#include <string.h>

#include "loopt/check.h"
#include "loopt/cmd.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static const Command commands[] = {
    {"gen",       cmd_gen,       "generate Sudoku or maze puzzles (with solutions)"},
    {"check",     cmd_check,     "verify puzzle,solution files (Sudoku or maze)"},
    {"render",    cmd_render,    "draw mazes as PNG"},
    {"config",    cmd_config,    "print the resolved config (defaults, file, --set)"},
    {"train",     cmd_train,     "train a model from a JSON config"},
    {"solve",     cmd_solve,     "solve puzzles with a trained model"},
    {"eval",      cmd_eval,      "accuracy of a model at several loop counts (CSV)"},
    {"info",      cmd_info,      "describe a checkpoint (tensors, training state, config)"},
    {"export",    cmd_export,    "write a weights-only (EMA) checkpoint for shipping"},
    {"plot",      cmd_plot,      "draw a CSV (e.g. eval output) as a line chart PNG"},
    {"gradcheck", cmd_gradcheck, "check the model's gradients by finite differences"},
    {"bench",     cmd_bench,     "time sgemm, training steps and inference; memory per buffer"},
};
static const int n_commands = sizeof commands / sizeof commands[0];

static void usage(FILE *f) {
    fprintf(f, "usage: loopt <command> [options]   (loopt <command> --help for details)\n\n"
               "loopt trains and runs looped transformers on Sudoku and mazes.\n\ncommands:\n");
    for (int i = 0; i < n_commands; i++) fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return EXIT_USAGE; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    for (int i = 0; i < n_commands; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "loopt: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
