#!/bin/sh
# cli_progress.sh — solve's and eval's reporting: the progress line on a terminal (and nothing
# anywhere else), eval's rows on stdout as each finishes, eval's loop columns, and eval with a
# halting rule (continuous batching) giving solve's answers. Uses the shipped Sudoku model.
. "$(dirname "$0")/lib_cli.sh"
if [ ! -f data/models/sudoku.safetensors ]; then echo "skip progress tests (no data/models/sudoku.safetensors)"; echo done; exit 0; fi
"$LOOPT" gen sudoku --n 64 --seed 13 --givens 28-36 >"$T/p64.txt" 2>/dev/null

# eval with the halting rule (continuous batching, batch 7: rows refilled) counts as exact the
# answers solve --format json marks valid, at the same mean loops
"$LOOPT" solve --halt converge --iters 32 --format json --quiet "$T/p64.txt" >"$T/s.json" 2>/dev/null
"$LOOPT" eval --halt converge --iters 32 --batch 7 --data "$T/p64.txt" --quiet >"$T/e.csv" 2>/dev/null
valid=$(grep -c '"valid": true' "$T/s.json")
sloops=$(sed 's/.*"loops": \([0-9.]*\).*/\1/' "$T/s.json" | awk '{ s += $1 } END { if (NR) printf "%.2f", s / NR }')
if [ "$(wc -l <"$T/s.json")" -eq 64 ] &&
   awk -F, -v v="$valid" -v l="$sloops" 'NR == 2 { ok = $1 == 32 && $3 * 64 - v < 0.01 && v - $3 * 64 < 0.01 && $4 - l < 0.015 && l - $4 < 0.015 }
        END { exit !ok }' "$T/e.csv"; then
    echo "ok eval_halting_matches_solve"
else echo "FAIL eval_halting_matches_solve: solve $valid valid, mean loops $sloops; eval:"; cat "$T/e.csv"; fi
# the loop columns: the median and 90th percentile of the puzzles' loops, next to the mean
if [ "$(head -n 1 "$T/e.csv")" = "iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s" ] &&
   awk -F, 'NR == 2 { ok = NF == 7 && $5 >= 1 && $5 <= $6 && $6 <= 32 && $7 > 0 } END { exit !ok }' "$T/e.csv"; then
    echo "ok eval_loop_columns"; else echo "FAIL eval_loop_columns"; cat "$T/e.csv"; fi

# --report-every: the counts so far on stderr, even with --quiet; without halting a row scores its
# puzzles in file order, so the line at 32 of 64 holds the row of the first 32 (--limit 32; the same
# batches of 8, so the same sums)
"$LOOPT" eval --fixed --iters 4,8 --batch 8 --data "$T/p64.txt" --report-every 32 --quiet >"$T/r.csv" 2>"$T/r.err"
"$LOOPT" eval --fixed --iters 8 --batch 8 --data "$T/p64.txt" --limit 32 --quiet >"$T/r32.csv" 2>/dev/null
so_far=$(sed -n 's/^eval: so far, --iters 8: 32\/64 puzzles, exact \([0-9.]*\), mean loops 8.00$/\1/p' "$T/r.err")
if [ "$(wc -l <"$T/r.err")" -eq 2 ] && grep -q '^eval: so far, --iters 4: 32/64 puzzles, exact [0-9.]*, mean loops 4.00$' "$T/r.err" &&
   [ -n "$so_far" ] && [ "$(cut -d, -f3 "$T/r32.csv" | sed -n 2p)" = "$so_far" ]; then
    echo "ok eval_report_every"
else echo "FAIL eval_report_every"; cat "$T/r.err" "$T/r32.csv"; fi
expect_exit 2 eval_report_every_zero "$LOOPT" eval --data "$T/p64.txt" --report-every 0
expect_grep '^loopt: --report-every: expected a value in \[1, 1000000000\], got 0$' eval_report_every_zero_msg

# eval writes each row as it finishes: the row of --iters 1 is in the file while the second depth
# (4096 loops that never stop early) still runs; killing it then leaves it there (SIGTERM: like
# Ctrl-C, it ends eval without flushing stdio; a script's background job ignores SIGINT)
: >"$T/rows.csv"   # there before the loop below reads it
"$LOOPT" eval --halt converge --set halting.patience=4096 --data "$T/p64.txt" --iters 1,4096 --quiet \
    >>"$T/rows.csv" 2>/dev/null &
pid=$!
w=0
while [ "$(wc -l <"$T/rows.csv")" -lt 2 ] && [ $w -lt 300 ] && kill -0 $pid 2>/dev/null; do sleep 0.1; w=$((w + 1)); done
if kill -0 $pid 2>/dev/null; then running=yes; else running=no; fi
kill -TERM $pid 2>/dev/null
{ wait $pid; } 2>/dev/null
if [ $running = yes ] && [ "$(wc -l <"$T/rows.csv")" -eq 2 ] && sed -n 2p "$T/rows.csv" | grep -q '^1,[0-9.]*,'; then
    echo "ok eval_rows_written_at_once"
else echo "FAIL eval_rows_written_at_once (still running when read: $running)"; cat "$T/rows.csv"; fi

# no progress line when stderr is not a terminal
"$LOOPT" solve --iters 32 --fixed "$T/p64.txt" >"$T/a.txt" 2>"$T/a.err"
if ! grep -q 'ETA' "$T/a.err" && ! grep -q "$(printf '\r')" "$T/a.err"; then echo "ok solve_no_progress_off_terminal"
else echo "FAIL solve_no_progress_off_terminal"; cat -v "$T/a.err"; fi

# on a terminal (script gives the command one), a progress line rewritten with \r and erased at the end;
# stdout, a file here, gets the answers only. LOOPT_PROGRESS_DELAY=0 shows it at once: on a fast CPU
# this work ends within the default second.
if script -qc true /dev/null >/dev/null 2>&1; then
    script -qc "LOOPT_PROGRESS_DELAY=0 \"$LOOPT\" solve --iters 32 --fixed --threads 1 \"$T/p64.txt\" >\"$T/b.txt\"" /dev/null >"$T/tty.out" 2>&1
    if grep -q 'solve: [0-9]*/64 puzzles, [0-9.]*/s, ETA [0-9:]*' "$T/tty.out" && grep -q "$(printf '\033')\[K" "$T/tty.out" &&
       cmp -s "$T/a.txt" "$T/b.txt"; then
        echo "ok solve_progress_on_terminal"; else echo "FAIL solve_progress_on_terminal"; cat -v "$T/tty.out" | head -c 600; fi
    script -qc "LOOPT_PROGRESS_DELAY=0 \"$LOOPT\" eval --halt converge --iters 2,32 --threads 1 --data \"$T/p64.txt\" >\"$T/c.csv\"" /dev/null \
        >"$T/tty2.out" 2>&1
    if grep -q 'eval: --iters 32 (2 of 2): [0-9]*/64 puzzles, [0-9.]*/s, ETA' "$T/tty2.out" &&
       [ "$(wc -l <"$T/c.csv")" -eq 3 ] && ! grep -q "$(printf '\033')" "$T/c.csv"; then
        echo "ok eval_progress_on_terminal"; else echo "FAIL eval_progress_on_terminal"; cat -v "$T/tty2.out" | head -c 600; fi
    # a delay longer than the work: no line
    script -qc "LOOPT_PROGRESS_DELAY=600 \"$LOOPT\" solve --iters 32 --fixed --threads 1 \"$T/p64.txt\" >\"$T/d.txt\"" /dev/null \
        >"$T/tty3.out" 2>&1
    if ! grep -q 'ETA' "$T/tty3.out" && grep -q 'solve: 64 puzzles' "$T/tty3.out"; then
        echo "ok progress_delay_env"; else echo "FAIL progress_delay_env"; cat -v "$T/tty3.out" | head -c 600; fi
else
    echo "skip solve_progress_on_terminal (no script(1))"
    echo "skip eval_progress_on_terminal (no script(1))"
    echo "skip progress_delay_env (no script(1))"
fi
echo done
