# lib_cli.sh — helpers sourced by the tests/cli_*.sh scripts.
# expect_exit CODE NAME CMD...: runs CMD (stdout+stderr to $T/out), checks its exit code.
# expect_grep PATTERN NAME: checks that the last command's output matches PATTERN.
# expect_refusal NAME PATTERN CMD...: CMD exits 2 and says PATTERN (checked as NAME_msg; "": not checked).
# Each check prints `ok NAME` or `FAIL NAME`; a script ends with `echo done`.
: "${LOOPT:=./loopt}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
expect_exit() {
    code=$1; name=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; rc=$?
    cat "$T/err" >>"$T/out"
    if [ "$rc" -eq "$code" ]; then echo "ok $name"; else
        echo "FAIL $name: exit $rc, expected $code: $*"; head -5 "$T/out" | sed 's/^/    /'; fi
}
expect_grep() {
    if grep -q -- "$1" "$T/out"; then echo "ok $2"; else
        echo "FAIL $2: output lacks '$1'"; head -5 "$T/out" | sed 's/^/    /'; fi
}
expect_refusal() {
    refused=$1; pattern=$2; shift 2
    expect_exit 2 "$refused" "$@"
    [ -z "$pattern" ] || expect_grep "$pattern" "${refused}_msg"
}
