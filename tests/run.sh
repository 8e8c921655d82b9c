#!/bin/sh
# run.sh — the whole suite: the C unit tests, then every tests/cli_*.sh end-to-end script.
# Ends with the plain line `N passed, N failed, N skipped` that CI counts.
# Env: LOOPT (the binary), TESTBIN (the unit test binary).
LOOPT=${LOOPT:-./loopt}
TESTBIN=${TESTBIN:-build/run_tests}
export LOOPT
pass=0; fail=0; skip=0

out=$(mktemp); trap 'rm -f "$out"' EXIT
"$TESTBIN" >"$out" 2>&1; rc=$?
grep -v '^  ' "$out" | grep -v '^unit:' ; grep '^    ' "$out"
line=$(grep '^unit:' "$out")
if [ -z "$line" ]; then
    echo "FAIL unit tests crashed (exit $rc):"; tail -20 "$out"; fail=$((fail + 1))
else
    set -- $line
    pass=$((pass + $2)); fail=$((fail + $4)); skip=$((skip + $6))
fi

for t in tests/cli_*.sh; do
    [ -f "$t" ] || continue
    # Each CLI script prints `ok name`, `FAIL name` or `skip name` lines, one per check.
    sh "$t" >"$out" 2>&1
    cat "$out"
    p=$(grep -c '^ok ' "$out"); f=$(grep -c '^FAIL' "$out"); s=$(grep -c '^skip ' "$out")
    if ! grep -q '^done' "$out"; then echo "FAIL $t did not finish"; f=$((f + 1)); fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
