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
// Parse "A-B" (or a single "A") into [*lo, *hi] with min <= lo <= hi <= max.
void arg_range(const char *opt, const char *val, long min, long max, long *lo, long *hi);
// Print "loopt <cmd>: <msg>" and the usage text on stderr, exit 2.
__attribute__((noreturn, format(printf, 2, 3)))
void usage_error(const char *usage, const char *fmt, ...);

#endif
