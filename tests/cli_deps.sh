#!/bin/sh
# cli_deps.sh — scripts/deps.sh: the source folders' arrows run one way (cmd -> task -> io ->
# nn -> util, no circle) in this tree; and on copies of the tree with a planted wrong-way
# include, a planted call through a new header (the header's folder is found, not listed), and
# a circle, it names the arrow and exits 1.
. tests/lib_cli.sh
# The objects of the build under test (make test: TESTBIN=build/run_tests), for the call check.
BUILD=$(dirname "${TESTBIN:-build/run_tests}")
export BUILD

expect_exit 0 deps_clean sh scripts/deps.sh
expect_grep '^  cmd   -> task' deps_prints_graph
expect_grep 'deps: ok' deps_ok_line

# plant DIR: a copy of the sources (no objects: include arrows only) to break on purpose.
plant() {
    rm -rf "$T/$1"; mkdir -p "$T/$1"
    cp -r src include "$T/$1"/
}

plant up
printf '#include "loopt/taskmodel.h"\nint nn_planted(void) { return 0; }\n' >"$T/up/src/nn/planted.c"
expect_exit 1 deps_engine_imports_task sh -c "cd '$T/up' && sh '$PWD/scripts/deps.sh' --no-calls"
expect_grep 'WRONG WAY nn -> task: src/nn/planted.c includes loopt/taskmodel.h' deps_engine_imports_task_named

# A new header: its folder is the folder of the .c that defines what it declares.
plant newhdr
printf '#ifndef P_H\n#define P_H\nint planted_rule(int x);\n#endif\n' >"$T/newhdr/include/loopt/planted.h"
printf '#include "loopt/planted.h"\nint planted_rule(int x) { return x; }\n' >"$T/newhdr/src/task/planted.c"
printf '#include "loopt/planted.h"\nint io_planted(void) { return planted_rule(1); }\n' >"$T/newhdr/src/io/planted.c"
expect_exit 1 deps_new_header sh -c "cd '$T/newhdr' && sh '$PWD/scripts/deps.sh' --no-calls"
expect_grep 'WRONG WAY io -> task: src/io/planted.c includes loopt/planted.h' deps_new_header_named

plant circle
printf '#include "loopt/model.h"\nint util_planted(void) { return 0; }\n' >"$T/circle/src/util/planted.c"
expect_exit 1 deps_circle sh -c "cd '$T/circle' && sh '$PWD/scripts/deps.sh' --no-calls"
expect_grep 'WRONG WAY util -> nn' deps_circle_wrong_way
expect_grep 'CIRCLE nn <-> util' deps_circle_named

# A circle between two engine files, seen from their objects (calls only): a.c calls b.c, b.c a.c.
plant files
mkdir -p "$T/files/build/src/nn"
printf 'int planted_b(int);\nint planted_a(int x) { return x ? planted_b(x - 1) : 0; }\n' >"$T/files/a.c"
printf 'int planted_a(int);\nint planted_b(int x) { return x ? planted_a(x - 1) : 1; }\n' >"$T/files/b.c"
${CC:-cc} -c -o "$T/files/build/src/nn/planted_a.o" "$T/files/a.c" &&
    ${CC:-cc} -c -o "$T/files/build/src/nn/planted_b.o" "$T/files/b.c"
expect_exit 1 deps_file_circle sh -c "cd '$T/files' && BUILD=build sh '$PWD/scripts/deps.sh'"
expect_grep 'CIRCLE between files of src/nn/: planted_a.c planted_b.c' deps_file_circle_named

# A command that branches on a task, and one that includes a task's header.
plant taskname
printf '#include "loopt/task.h"\nint cmd_planted(const Config *c) { return c->task == TASK_SUDOKU; }\n' \
    >"$T/taskname/src/cmd/planted.c"
expect_exit 1 deps_command_names_task sh -c "cd '$T/taskname' && sh '$PWD/scripts/deps.sh' --no-calls"
expect_grep 'TASK BRANCH src/cmd/planted.c:2:' deps_command_names_task_line
plant taskhdr
printf '#include "loopt/maze.h"\nint cmd_planted2(void) { return 0; }\n' >"$T/taskhdr/src/cmd/planted2.c"
expect_exit 1 deps_command_task_header sh -c "cd '$T/taskhdr' && sh '$PWD/scripts/deps.sh' --no-calls"
expect_grep 'TASK HEADER src/cmd/planted2.c:1:' deps_command_task_header_line

echo done
