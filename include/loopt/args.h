// args.h — small helpers for the subcommands' option parsing.
// Options are `--name value` or `--name=value`; a lone `-` is a positional (stdin).
#ifndef LOOPT_ARGS_H
#define LOOPT_ARGS_H

#include <stdint.h>

// If argv[*i] is option `name` ("--iters"), store its value in *val, advance *i past the
// value and return 1. A missing value is a usage error naming the option. Else return 0.
int arg_value(int argc, char **argv, int *i, const char *name, const char **val);
// 1 if argv[i] is exactly the flag `name`.
int arg_flag(char **argv, int i, const char *name);
// 1 if argv[i] is -h or --help.
int arg_is_help(const char *a);
// Parse numbers from option values; out-of-range or junk is exit 2 naming the option.
long   arg_long(const char *opt, const char *val, long lo, long hi);
double arg_double(const char *opt, const char *val, double lo, double hi);
uint64_t arg_u64(const char *opt, const char *val);
// The index of val in the NULL-terminated names; anything else is exit 2 listing the names.
int arg_enum(const char *opt, const char *val, const char *const *names);
// Parse "A-B" (or a single "A", or "A-" for A to max) into [*lo, *hi] with min <= lo <= hi <= max.
void arg_range(const char *opt, const char *val, long min, long max, long *lo, long *hi);
// Print "loopt: <msg>" and one line pointing at the command's --help (the command is read
// from the usage text's "usage: loopt CMD"), on stderr; exit 2.
__attribute__((noreturn, format(printf, 2, 3)))
void usage_error(const char *usage, const char *fmt, ...);
// An option `arg` that command `cmd` (e.g. "solve", "gen maze") does not take: prints
// "loopt: CMD: unknown option 'ARG' (did you mean '--X'?)", with --X the closest option named
// in the usage text, and the pointer to `loopt CMD --help`; exit 2.
__attribute__((noreturn))
void unknown_option(const char *usage, const char *cmd, const char *arg);

// "Did you mean": edit distance (insert, delete, substitute, swap two neighbours) between two
// words, and the index of the name in names[0..n) closest to word (a name it is a prefix of
// is closest; dashes are ignored; word itself is never suggested), or -1 when none has at
// least two thirds of word's letters right.
int edit_distance(const char *a, const char *b);
int closest_name(const char *word, const char *const *names, int n);
// Print "loopt: <msg>" (plus " (did you mean 'X'?)" when a name is close to word) and
// "see 'loopt [HELP_CMD ]--help'" (help_cmd NULL: the top-level help); exit 2.
__attribute__((noreturn))
void unknown_name(const char *msg, const char *word, const char *const *names, int n, const char *help_cmd);

#endif
