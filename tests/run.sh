#!/bin/sh
# run.sh — the whole suite: the C unit tests, then every tests/cli_*.sh end-to-end script; then
# the numerics-sensitive part (the unit tests and the CLI scripts that compare trained or solved
# bits: cli_train, cli_solve) again under every OpenBLAS core type this CPU can execute, so a
# result that holds only for one kernel's rounding fails here and not on a user's machine.
# Ends with the plain line `N passed, N failed, N skipped` that CI counts.
# Env: LOOPT (the binary), TESTBIN (the unit test binary), CORETYPES ("none" skips the sweep;
# a list such as "Haswell Zen" replaces it; default: every core type the CPU can run).
LOOPT=${LOOPT:-./loopt}
TESTBIN=${TESTBIN:-build/run_tests}
export LOOPT
pass=0; fail=0; skip=0

out=$(mktemp); trap 'rm -f "$out"' EXIT

# Commands run as `env $ENVP ...`: the sweep sets OpenBLAS's core type there.
ENVP=

# unit LABEL: the C unit tests; LABEL (e.g. " [Zen]") is appended to every test name.
unit() {
    env $ENVP "$TESTBIN" >"$out" 2>&1; rc=$?
    { grep -v '^  ' "$out" | grep -v '^unit:'; grep '^    ' "$out"; } | sed "/^\(ok\|FAIL\|skip\)/s/\$/$1/"
    line=$(grep '^unit:' "$out")
    if [ -z "$line" ]; then
        echo "FAIL unit tests crashed (exit $rc)$1:"; tail -20 "$out"; fail=$((fail + 1))
    else
        set -- $line
        pass=$((pass + $2)); fail=$((fail + $4)); skip=$((skip + $6))
    fi
}

# cli LABEL SCRIPT...: each CLI script prints `ok name`, `FAIL name` or `skip name` lines.
cli() {
    label=$1; shift
    for t in "$@"; do
        [ -f "$t" ] || continue
        env $ENVP sh "$t" >"$out" 2>&1
        sed "/^\(ok\|FAIL\|skip\) /s/\$/$label/" "$out"
        p=$(grep -c '^ok ' "$out"); f=$(grep -c '^FAIL' "$out"); s=$(grep -c '^skip ' "$out")
        if ! grep -q '^done' "$out"; then echo "FAIL $t did not finish$label"; f=$((f + 1)); fi
        pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    done
}

# The OpenBLAS core types this CPU can execute (from its /proc/cpuinfo flags), plus "unset"
# (OpenBLAS's own pick); a kernel the CPU cannot run would die of SIGILL.
coretypes() {
    flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null) "
    has() { for f in "$@"; do case "$flags" in *" $f "*) ;; *) return 1;; esac; done; }
    list=unset
    has avx && list="$list Sandybridge"
    has avx2 fma && list="$list Haswell Zen"
    has avx512f avx512bw avx512vl avx512dq avx512cd && list="$list SkylakeX"
    echo "$list"
}

unit ""
cli "" tests/cli_*.sh

sweep=${CORETYPES:-$(coretypes)}
[ "$sweep" = none ] && sweep=
for c in $sweep; do
    echo "# the numerics-sensitive tests under OpenBLAS core type: $c"
    if [ "$c" = unset ]; then ENVP="-u OPENBLAS_CORETYPE -u LOOPT_EXPECT_CORE"
    else ENVP="OPENBLAS_CORETYPE=$c LOOPT_EXPECT_CORE=$c"; fi
    unit " [core $c]"
    cli " [core $c]" tests/cli_train.sh tests/cli_solve.sh
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
