// version.c — `loopt version` (also `loopt --version`): what this binary is, for bug reports and
// benchmark records: the version, the git commit it was built from, the compiler and flags, and
// the OpenBLAS build and kernel family (which set its speed and last-bit rounding).
// LOOPT_VERSION, LOOPT_COMMIT and LOOPT_CFLAGS come from loopt_build.h, which the Makefile
// rewrites only when one of them changes, so this file (and only it) is rebuilt then.
#include <stdio.h>

#include "loopt/args.h"
#include "loopt/blas.h"
#include "loopt/check.h"
#include "loopt/cmd.h"
#include "loopt_build.h"

static const char *USAGE =
    "usage: loopt version   (also: loopt --version)\n"
    "\n"
    "Prints the version, the git commit the binary was built from (\"-dirty\" when the tree had\n"
    "uncommitted changes, \"unknown\" when built outside git), the compiler and its flags, and\n"
    "the OpenBLAS build and the kernel family it picked for this CPU (or OPENBLAS_CORETYPE's).\n";

int cmd_version(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (arg_is_help(argv[i])) { fputs(USAGE, stdout); return EXIT_OK; }
        if (argv[i][0] == '-' && argv[i][1]) unknown_option(USAGE, "version", argv[i]);
        usage_error(USAGE, "version: unexpected argument '%s'", argv[i]);
    }
#if defined(__clang__)
    const char *compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
    const char *compiler = "gcc " __VERSION__;
#else
    const char *compiler = "unknown";
#endif
    printf("loopt %s\n", LOOPT_VERSION);
    printf("commit:   %s\n", LOOPT_COMMIT);
    printf("compiler: %s\n", compiler);
    printf("cflags:   %s\n", LOOPT_CFLAGS);
    printf("openblas: %s (%s)\n", blas_core_name(), blas_config());
    return EXIT_OK;
}
