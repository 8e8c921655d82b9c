#!/bin/sh
# fuzz.sh — run every libFuzzer target (built by `make fuzz` into build-fuzz/) for SECONDS
# each, one after another, starting from the seed corpus tests/fuzz_corpus/<target>/.
# New interesting inputs go to build-fuzz/corpus/<target>/ (kept between runs, not in git);
# crashes to build-fuzz/artifacts/<target>-crash-*. Prints one line per target:
#   <target>: <executions> execs in <seconds> s, <n> corpus inputs, <ok|CRASH>
# and exits 1 if any target found a crash. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# Leak detection is off: a rejected input longjmps out of the reader (see fuzz/fuzz_common.h)
# and leaks what the reader had allocated, which is by design, not a finding.
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-config sudoku maze png ckpt}
cd "$(dirname "$0")/.." || exit 2
status=0
for t in $targets; do
    bin=build-fuzz/fuzz_$t
    [ -x "$bin" ] || { echo "$bin missing: run make fuzz" >&2; exit 2; }
    mkdir -p build-fuzz/corpus/$t build-fuzz/artifacts
    log=build-fuzz/$t.log
    ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin" build-fuzz/corpus/$t tests/fuzz_corpus/$t \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
        -close_fd_mask=3 -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/$t- >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    n=$(ls build-fuzz/corpus/$t | wc -l)
    if [ "$rc" -eq 0 ]; then res=ok; else res="CRASH (exit $rc, see $log)"; status=1; fi
    echo "$t: ${execs:-?} execs in ${took:-?} s, $n corpus inputs, $res"
done
exit $status
