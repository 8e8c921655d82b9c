// main.c — the subcommand table, `loopt help [CMD]`, and the top-level options (--help, --version).
// Around every command: the standard streams guarded first, stdout's last flush checked after.
#include <stdio.h>
#include <string.h>

#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/cmd.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} Command;

static int cmd_help(int argc, char **argv);

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
    {"help",      cmd_help,      "show a command's help (loopt help CMD), or this list"},
    {"version",   cmd_version,   "print the version, git commit, OpenBLAS core and build flags"},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static void usage(FILE *f) {
    fprintf(f, "usage: loopt <command> [options]   (loopt help <command> for details)\n"
               "       loopt --version\n\n"
               "loopt trains and runs looped transformers on Sudoku and mazes.\n\ncommands:\n");
    for (int i = 0; i < N_COMMANDS; i++) fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

static const Command *find(const char *name) {
    for (int i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name)) return &commands[i];
    return NULL;
}

// Exit 2 for a name that is no command, suggesting the closest one.
__attribute__((noreturn)) static void no_command(const char *msg, const char *name) {
    const char *names[N_COMMANDS];
    for (int i = 0; i < N_COMMANDS; i++) names[i] = commands[i].name;
    unknown_name(msg, name, names, N_COMMANDS, NULL);
}

// `loopt help CMD` is `loopt CMD --help`, as in git; `loopt help` is the list of commands.
static int cmd_help(int argc, char **argv) {
    if (argc < 2 || arg_is_help(argv[1])) { usage(stdout); return EXIT_OK; }
    if (argc > 2) usage_error(NULL, "help: one command at a time (got '%s' and '%s')", argv[1], argv[2]);
    const Command *c = find(argv[1]);
    if (!c) {
        char msg[160];
        snprintf(msg, sizeof msg, "help: no command '%.100s'", argv[1]);
        no_command(msg, argv[1]);
    }
    char *args[] = {argv[1], "--help", NULL};
    return c->run(2, args);
}

static int run(int argc, char **argv) {
    if (argc < 2) { usage(stderr); return EXIT_USAGE; }
    const char *a = argv[1];
    if (arg_is_help(a)) { usage(stdout); return EXIT_OK; }
    if (!strcmp(a, "--version")) return cmd_version(argc - 1, argv + 1);
    const Command *c = find(a);
    if (c) return c->run(argc - 1, argv + 1);
    char msg[160];
    if (a[0] == '-') {
        static const char *const top[] = {"--help", "--version"};
        snprintf(msg, sizeof msg, "unknown option '%.100s'", a);
        unknown_name(msg, a, top, 2, NULL);
    }
    snprintf(msg, sizeof msg, "unknown command '%.100s'", a);
    no_command(msg, a);
}

int main(int argc, char **argv) {
    stdio_guard();
    int rc = run(argc, argv);
    stdout_check();   // data that never reached stdout's file is never an exit 0
    return rc;
}
