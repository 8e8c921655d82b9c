#!/bin/sh
# cli_conventions.sh — the conventions a user expects of a command-line tool (issue 19):
# --version, `loopt help CMD`, "did you mean" for commands and options, a usage error in one
# line plus a pointer to --help, the man page (every command and each of its options, renders
# without warnings), bash completion, and `make install` putting the shipped models where the
# installed binary finds them.
. tests/lib_cli.sh
MANPAGE=${MANPAGE:-loopt.1}

# The commands of src/main.c's table, which `loopt help` lists.
cmds=$(sed -n 's/^ *{"\([a-z]*\)", *cmd_.*/\1/p' src/main.c)
[ -n "$cmds" ] && echo "ok conventions_command_table" || echo "FAIL conventions_command_table: none in src/main.c"
"$LOOPT" help >"$T/list" 2>&1
for c in $cmds; do
    grep -q "^  $c " "$T/list" || echo "FAIL help_lists_$c"
done
# all CHECK: prints `ok CHECK` when the loop before it reported no FAIL (bad=0)
all() { [ "$bad" -eq 0 ] && echo "ok $1"; bad=0; }
bad=0

# lines FILE N NAME: FILE has exactly N lines (an error is one line and the pointer to --help).
lines() {
    if [ "$(wc -l <"$1")" -eq "$2" ]; then echo "ok $3"; else
        echo "FAIL $3: expected $2 lines, got $(wc -l <"$1")"; head -5 "$1" | sed 's/^/    /'; fi
}

# --- --version -------------------------------------------------------------------------------
expect_exit 0 version "$LOOPT" --version
expect_grep '^loopt [0-9][0-9.]*' version_number
expect_grep '^commit: ' version_commit_line
expect_grep '^cflags: .*-std=c11' version_cflags
expect_grep '^compiler: ' version_compiler
cp "$T/out" "$T/version"
commit=$(sed -n 's/^commit: *//p' "$T/version")
case $commit in
    unknown) echo "ok version_commit_known_or_unknown" ;;
    *) hash=${commit%-dirty}
       if ! command -v git >/dev/null 2>&1 || ! git rev-parse --git-dir >/dev/null 2>&1; then
           echo "skip version_commit_in_repo (no git)"
       elif git cat-file -e "$hash^{commit}" 2>/dev/null; then echo "ok version_commit_in_repo"
       else echo "FAIL version_commit_in_repo: '$commit' is no commit of this repository"; fi ;;
esac
core=$(OPENBLAS_CORETYPE=Sandybridge "$LOOPT" --version 2>/dev/null | sed -n 's/^openblas: \([^ ]*\).*/\1/p')
grep -q avx /proc/cpuinfo 2>/dev/null && { [ "$core" = Sandybridge ] && echo "ok version_openblas_core" \
    || echo "FAIL version_openblas_core: OPENBLAS_CORETYPE=Sandybridge gave '$core'"; }
expect_exit 0 version_command "$LOOPT" version
if cmp -s "$T/out" "$T/version"; then echo "ok version_command_same"; else echo "FAIL version_command_same"; fi
expect_exit 2 version_bad_option "$LOOPT" version --bogus

# --- loopt help [CMD] ------------------------------------------------------------------------
expect_exit 0 help_list "$LOOPT" help
expect_grep 'solve' help_list_text
"$LOOPT" --help >"$T/top" 2>&1
if cmp -s "$T/top" "$T/list"; then echo "ok help_is_top_help"; else echo "FAIL help_is_top_help"; fi
for c in $cmds; do
    "$LOOPT" help "$c" >"$T/a" 2>&1; ra=$?
    "$LOOPT" "$c" --help >"$T/b" 2>&1; rb=$?
    if [ $ra -eq 0 ] && [ $rb -eq 0 ] && cmp -s "$T/a" "$T/b"; then :; else echo "FAIL help_$c: differs from $c --help"; bad=1; fi
done
all help_cmd_is_cmd_help
expect_exit 2 help_nosuch "$LOOPT" help nosuch
expect_grep "no command 'nosuch'" help_nosuch_msg
lines "$T/out" 2 help_nosuch_short
expect_exit 2 help_typo "$LOOPT" help solv
expect_grep "did you mean 'solve'" help_typo_suggests

# --- did you mean; one line and a pointer to --help ------------------------------------------
expect_exit 2 cmd_typo "$LOOPT" solv
expect_grep "unknown command 'solv' (did you mean 'solve'?)" cmd_typo_suggests
expect_grep "see 'loopt --help'" cmd_typo_pointer
lines "$T/out" 2 cmd_typo_short
expect_exit 2 cmd_swap "$LOOPT" sovle
expect_grep "did you mean 'solve'" cmd_swap_suggests
expect_exit 2 cmd_far "$LOOPT" frobnicate
if grep -q 'did you mean' "$T/out"; then echo "FAIL cmd_far_no_guess"; else echo "ok cmd_far_no_guess"; fi
expect_exit 2 top_option_typo "$LOOPT" --versoin
expect_grep "did you mean '--version'" top_option_typo_suggests

expect_exit 2 opt_typo "$LOOPT" solve --iter 3 x.txt
expect_grep "loopt: solve: unknown option '--iter' (did you mean '--iters'?)" opt_typo_suggests
expect_grep "see 'loopt solve --help'" opt_typo_pointer
lines "$T/out" 2 opt_typo_short
expect_exit 2 opt_swap_value "$LOOPT" eval --mdoel=x --data x.txt
expect_grep "did you mean '--model'" opt_swap_value_suggests
expect_exit 2 opt_gen_typo "$LOOPT" gen maze --n 1 --min-pth 3
expect_grep "did you mean '--min-path'" opt_gen_typo_suggests
expect_exit 2 opt_train_typo "$LOOPT" train --reusme x
expect_grep "did you mean '--resume'" opt_train_typo_suggests
# every command: an unknown option is one line plus the pointer, never the whole help
for c in $cmds; do
    case $c in gen) set -- gen sudoku ;; *) set -- "$c" ;; esac
    "$LOOPT" "$@" --zzzz-no-such >"$T/o" 2>&1; rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$T/o")" -eq 2 ] && grep -q "see 'loopt" "$T/o"; then :; else
        echo "FAIL unknown_option_$c: exit $rc"; sed 's/^/    /' "$T/o" | head -5; bad=1; fi
done
all unknown_option_every_command
expect_exit 2 usage_error_short "$LOOPT" eval --model x.safetensors
expect_grep "see 'loopt eval --help'" usage_error_pointer
lines "$T/out" 2 usage_error_one_line

# --- the man page ----------------------------------------------------------------------------
if [ -f "$MANPAGE" ]; then
    # the text of the page with roff's escapes for '-' and fonts removed
    sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$MANPAGE" >"$T/man"
    for c in $cmds; do
        awk -v c="$c" '/^\.S[HS] /{on = ($0 == ".SS " c)} on' "$T/man" >"$T/sec"
        if [ ! -s "$T/sec" ]; then echo "FAIL man_has_$c: no '.SS $c' section"; bad=1; continue; fi
        # `help --help` is the command list: its options are other commands', anywhere on the page
        [ "$c" = help ] && cp "$T/man" "$T/sec"
        for o in $("$LOOPT" "$c" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
            grep -q -- "$o\([^a-z0-9-]\|\$\)" "$T/sec" || { echo "FAIL man_${c}_option: $o is not in the man page's $c section"; bad=1; }
        done
    done
    all man_covers_commands_and_options
    if command -v man >/dev/null 2>&1; then
        MANWIDTH=80 man --warnings -l "./$MANPAGE" >"$T/rendered" 2>"$T/warn"
        if [ -s "$T/warn" ] || ! grep -q 'did you mean' "$T/rendered"; then
            echo "FAIL man_renders"; head -5 "$T/warn" | sed 's/^/    /'
        else echo "ok man_renders"; fi
    else echo "skip man_renders (no man)"; fi
else echo "FAIL man_page: $MANPAGE missing"; fi

# --- bash completion -------------------------------------------------------------------------
if command -v bash >/dev/null 2>&1; then
    cat >"$T/comp.bash" <<'EOF'
. completions/loopt.bash
t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _loopt; echo "$* => ${COMPREPLY[*]}"; }
t "$LOOPT" sol
t "$LOOPT" solve --it
t "$LOOPT" help ev
t "$LOOPT" gen ""
t "$LOOPT" solve --format j
t "$LOOPT" train --init
EOF
    LOOPT=$LOOPT bash "$T/comp.bash" >"$T/out" 2>&1
    expect_grep " sol => solve\$" complete_command
    expect_grep "solve --it => --iters\$" complete_option
    expect_grep "help ev => eval\$" complete_help
    expect_grep "gen  => sudoku maze" complete_gen_task
    expect_grep "format j => json\$" complete_format
    expect_grep "train --init => --init-from\$" complete_train_option
else echo "skip complete (no bash)"; fi

# --- make install / uninstall ----------------------------------------------------------------
expect_exit 0 solve_help_lookup "$LOOPT" solve --help
expect_grep 'share/loopt/models' solve_help_lookup_text
expect_exit 0 eval_help_lookup "$LOOPT" eval --help
expect_grep 'share/loopt/models' eval_help_lookup_text
if command -v make >/dev/null 2>&1 && [ -f Makefile ] && [ -f data/models/sudoku.safetensors ]; then
    # -o: install the binary under test as it is (never rebuild it here)
    expect_exit 0 install make -s install PREFIX="$T/x" BIN="$LOOPT" -o "$LOOPT"
    for f in bin/loopt share/man/man1/loopt.1 share/bash-completion/completions/loopt \
             share/loopt/configs/sudoku.json share/loopt/models/sudoku.safetensors share/loopt/models/maze.safetensors; do
        [ -f "$T/x/$f" ] || { echo "FAIL install_$f: missing"; bad=1; }
    done
    all install_files
    mkdir "$T/elsewhere"
    "$LOOPT" gen sudoku --n 3 --seed 5 --quiet >"$T/elsewhere/p.txt"
    "$LOOPT" gen maze --n 1 --size 9 --seed 5 --quiet >"$T/elsewhere/m.txt"
    expect_exit 0 installed_solve sh -c "cd \"$T/elsewhere\" && \"$T/x/bin/loopt\" solve --mark p.txt"
    expect_grep 'share/loopt/models/sudoku.safetensors' installed_solve_uses_installed_model
    [ "$(grep -c '^[1-9]\{81\} ' "$T/out")" -eq 3 ] && echo "ok installed_solve_answers" || echo "FAIL installed_solve_answers"
    expect_exit 0 installed_solve_maze sh -c "cd \"$T/elsewhere\" && \"$T/x/bin/loopt\" solve m.txt"
    expect_grep 'share/loopt/models/maze.safetensors' installed_solve_maze_model
    expect_exit 0 installed_version "$T/x/bin/loopt" --version
    expect_exit 0 uninstall make -s uninstall PREFIX="$T/x"
    if [ -e "$T/x/bin/loopt" ] || [ -e "$T/x/share/loopt" ] || [ -e "$T/x/share/man/man1/loopt.1" ]; then
        echo "FAIL uninstall_removes"; else echo "ok uninstall_removes"; fi
else echo "skip install (no make, Makefile or shipped model)"; fi

echo done
