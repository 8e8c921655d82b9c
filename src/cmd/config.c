// config.c — `loopt config [CONFIG] [--set key.path=value]...`: print the resolved config
// (defaults, then the file, then each --set in order) as JSON on stdout. The output is a
// complete config file: every key, defaults included, so it can be saved and edited.
#include "loopt/args.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt/config.h"

#include <stdio.h>
#include <stdlib.h>

static const char *USAGE =
    "usage: loopt config [CONFIG] [--set key.path=value]...\n"
    "\n"
    "Print the resolved config as JSON: the defaults, overridden by CONFIG (a JSON file,\n"
    "'-' for stdin), then by each --set in order. The output is itself a valid config file.\n"
    "Every key, its default and its range are documented in docs/config.md.\n"
    "\n"
    "options:\n"
    "  --set key.path=value  override one key, e.g. --set model.d_model=256,\n"
    "                        --set recursion.scheme=trm, --set halting='{\"kind\":\"act\"}'\n"
    "                        (value is JSON if it parses as JSON, else a plain string)\n"
    "  -h, --help            show this help\n"
    "\n"
    "example:\n"
    "  loopt config configs/sudoku.json --set recursion.loops=16 > my.json\n";

int cmd_config(int argc, char **argv) {
    const char *path = NULL;
    // At most one --set per argument, so argc bounds the count.
    const char **sets = xmalloc(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
    int n_sets = 0;
    for (int i = 1; i < argc; i++) {
        const char *val;
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); free(sets); return EXIT_OK; }
        if (arg_value(argc, argv, &i, "--set", &val)) { sets[n_sets++] = val; continue; }
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            unknown_option(USAGE, "config", argv[i]);
        if (path) usage_error(USAGE, "config: more than one CONFIG file ('%s' and '%s')", path, argv[i]);
        path = argv[i];
    }
    Config c;
    config_load(&c, path, sets, n_sets);
    char *json = config_to_json(&c);
    printf("%s\n", json);
    free(json);
    free(sets);
    fflush(stdout);
    if (ferror(stdout)) die(EXIT_RUNTIME, "config: writing to stdout failed");
    return EXIT_OK;
}
