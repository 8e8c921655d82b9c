#!/bin/sh
# cli_breadth.sh — test-time breadth end to end (issue 18): `solve --tries K` and `eval --tries
# LIST` with the shipped Sudoku model: --tries 1 is byte for byte today's run, rule valid never
# gives an invalid answer when some variant was valid (checked with `loopt check`), the rules'
# order on exact counts, solve and eval agree, answers do not depend on the batch or the input
# order, --fixed and halting both work; every bad value is one line naming the option, exit 2;
# mazes run their dihedral variants. The model checks skip without data/models/*.safetensors;
# the public hard sets (../shared/puzzles, or $LOOPT_PUZZLES) are used when present.
. "$(dirname "$0")/lib_cli.sh"

# --- usage -------------------------------------------------------------------------------------
"$LOOPT" gen sudoku --n 3 --seed 3 --quiet >"$T/p3.txt"
expect_exit 2 breadth_tries_zero "$LOOPT" solve --tries 0 "$T/p3.txt"
expect_grep '^loopt: --tries: expected a value in \[1, 1024\], got 0$' breadth_tries_zero_msg
expect_exit 2 breadth_tries_junk "$LOOPT" solve --tries abc "$T/p3.txt"
expect_grep "^loopt: --tries: expected an integer, got 'abc'$" breadth_tries_junk_msg
expect_exit 2 breadth_select_junk "$LOOPT" solve --tries 2 --select foo "$T/p3.txt"
expect_grep "^loopt: --select: expected one of model, valid, confident, got 'foo'$" breadth_select_junk_msg
expect_exit 2 breadth_eval_tries_zero "$LOOPT" eval --data "$T/p3.txt" --tries 1,0
expect_grep '^loopt: --tries: expected a value in \[1, 1024\], got 0$' breadth_eval_tries_zero_msg
expect_exit 2 breadth_eval_tries_junk "$LOOPT" eval --data "$T/p3.txt" --tries 2,x
expect_grep "^loopt: --tries: expected an integer, got 'x'$" breadth_eval_tries_junk_msg
expect_exit 2 breadth_eval_select_junk "$LOOPT" eval --data "$T/p3.txt" --select foo
expect_grep "expected one of model, valid, confident, got 'foo'" breadth_eval_select_junk_msg
expect_exit 2 breadth_option_typo "$LOOPT" solve --trie 2 "$T/p3.txt"
expect_grep "unknown option '--trie' (did you mean '--tries'?)" breadth_option_typo_msg
expect_exit 2 breadth_eval_option_typo "$LOOPT" eval --data "$T/p3.txt" --selct valid
expect_grep "unknown option '--selct' (did you mean '--select'?)" breadth_eval_option_typo_msg
expect_exit 2 breadth_trace_refused "$LOOPT" solve --tries 2 --trace "$T/p3.txt"
expect_grep 'use it without --tries' breadth_trace_refused_msg
# mazes: the dihedral variants; rule valid's answer is a path whenever some variant's was (the
# shortest of them: it may still be longer than the maze's shortest, which valid does not ask)
if [ -f data/models/maze.safetensors ]; then
    "$LOOPT" gen maze --n 6 --size 9 --seed 4 --quiet >"$T/m.txt"
    "$LOOPT" solve --iters 24 --quiet "$T/m.txt" >"$T/m0.txt" 2>/dev/null
    "$LOOPT" solve --iters 24 --tries 1 --quiet "$T/m.txt" >"$T/m1.txt" 2>/dev/null
    if [ -s "$T/m0.txt" ] && cmp -s "$T/m0.txt" "$T/m1.txt"; then echo "ok breadth_maze_tries_one_same"
    else echo "FAIL breadth_maze_tries_one_same"; fi
    expect_exit 0 breadth_maze_solve "$LOOPT" solve --iters 24 --tries 8 --format json "$T/m.txt"
    grep '^{' "$T/out" >"$T/mv.json"
    if [ "$(grep -c '"tries": 8, "tries_agree": [0-8], "tries_valid": [0-8]' "$T/mv.json")" -eq 6 ] &&
       ! grep -v '"tries_valid": 0' "$T/mv.json" | grep '"valid": false' | grep -vq 'steps, shortest is'; then
        echo "ok breadth_maze_valid_when_some_variant_valid"
    else echo "FAIL breadth_maze_valid_when_some_variant_valid"; head -2 "$T/mv.json"; fi
fi

if [ ! -f data/models/sudoku.safetensors ]; then
    echo "skip breadth_shipped_model (no data/models/sudoku.safetensors)"
    echo done
    exit 0
fi

# --- the shipped model on 50 fresh puzzles -------------------------------------------------------
"$LOOPT" gen sudoku --n 50 --seed 7 --givens 25-29 --solutions --quiet >"$T/g.csv"
cut -d, -f1 "$T/g.csv" >"$T/p.txt"
head -20 "$T/p.txt" >"$T/p20.txt"
# --tries 1 is today's run, byte for byte (text, json with --mark, fixed or halting)
bad=0
for args in "--iters 16" "--iters 12 --format json" "--iters 8 --fixed --mark"; do
    "$LOOPT" solve $args --quiet "$T/p20.txt" >"$T/a0.txt" 2>/dev/null
    "$LOOPT" solve $args --tries 1 --select model --quiet "$T/p20.txt" >"$T/a1.txt" 2>/dev/null
    if [ -s "$T/a0.txt" ] && cmp -s "$T/a0.txt" "$T/a1.txt"; then :; else echo "FAIL breadth_tries_one_same: $args"; bad=1; fi
done
[ $bad -eq 0 ] && echo "ok breadth_tries_one_same"
"$LOOPT" eval --iters 4,16 --data "$T/g.csv" --quiet | cut -d, -f1-6 >"$T/e0.csv"
"$LOOPT" eval --iters 4,16 --tries 1 --data "$T/g.csv" --quiet | cut -d, -f1-6 >"$T/e1.csv"
if [ -s "$T/e0.csv" ] && cmp -s "$T/e0.csv" "$T/e1.csv"; then echo "ok breadth_eval_tries_one_same"
else echo "FAIL breadth_eval_tries_one_same"; cat "$T/e0.csv" "$T/e1.csv"; fi

# solve --tries 4: one record per puzzle, what the variants said; every answer that rule valid
# took from a valid variant passes `loopt check`, and so does every answer when some variant
# was valid
expect_exit 0 breadth_solve_json "$LOOPT" solve --iters 16 --tries 4 --format json "$T/p.txt"
expect_grep 'running 16 loops at most (halting converge), 4 tries each (select valid)' breadth_solve_logged
expect_grep 'solve: 50 puzzles, 4 tries each (select valid), [0-9]* valid answers' breadth_solve_summary
grep '^{' "$T/out" >"$T/v.json"
if [ "$(grep -c '"tries": 4, "tries_agree": [0-4], "tries_valid": [0-4], "picked_by": "\(valid\|model\)"}$' "$T/v.json")" -eq 50 ]
then echo "ok breadth_solve_json_fields"; else echo "FAIL breadth_solve_json_fields"; head -2 "$T/v.json"; fi
sed 's/.*"answer": "\([.0-9]*\)".*"tries_valid": \([0-9]\).*/\1 \2/' "$T/v.json" | paste -d' ' "$T/p.txt" - |
    awk '$3 > 0 { print $1 "," $2 }' >"$T/took.csv"
n_took=$(wc -l <"$T/took.csv")
if [ "$n_took" -gt 25 ] && "$LOOPT" check "$T/took.csv" >"$T/chk" 2>&1 && grep -q "^$n_took valid, 0 invalid" "$T/chk"; then
    echo "ok breadth_valid_when_some_variant_valid ($n_took)"
else echo "FAIL breadth_valid_when_some_variant_valid ($n_took)"; head -3 "$T/chk"; fi
if ! grep '"picked_by": "model"' "$T/v.json" | grep -qv '"tries_valid": 0'; then echo "ok breadth_fallback_only_when_none_valid"
else echo "FAIL breadth_fallback_only_when_none_valid"; fi

# eval --tries 1,4: the rules' guaranteed order (unique solutions: valid's exact count >= each
# other rule's and >= any_valid, which is >= one try's), and the one-try row all alike
"$LOOPT" eval --iters 16 --tries 1,4 --data "$T/g.csv" --quiet >"$T/e.csv" 2>/dev/null
if head -1 "$T/e.csv" | grep -qx 'iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s,tries,select,exact_model,exact_valid,exact_confident,any_valid' &&
   awk -F, 'NR == 2 { one = $3; ok = $8 == 1 && $9 == "valid" && $10 == $3 && $11 == $3 && $12 == $3 && $13 == $3 }
            NR == 3 { ok = ok && $8 == 4 && $3 == $11 && $11 >= $10 && $11 >= $12 && $11 >= $13 && $13 >= one && $7 > 0 }
            END { exit !(ok && NR == 3) }' "$T/e.csv"
then echo "ok breadth_eval_rule_order"; else echo "FAIL breadth_eval_rule_order"; cat "$T/e.csv"; fi
# solve and eval agree: solve's valid answers are eval's exact_valid (unique solutions)
nv=$(grep -c '"valid": true' "$T/v.json")
if awk -F, -v nv="$nv" 'NR == 3 { d = $11 * 50 - nv; ok = d < 0.01 && d > -0.01 } END { exit !ok }' "$T/e.csv"; then
    echo "ok breadth_solve_matches_eval"; else echo "FAIL breadth_solve_matches_eval: solve $nv valid"; cat "$T/e.csv"; fi
"$LOOPT" eval --iters 16 --tries 4 --select model --data "$T/g.csv" --quiet >"$T/em.csv" 2>/dev/null
if awk -F, 'NR == 2 { ok = $9 == "model" && $3 == $10 } END { exit !ok }' "$T/em.csv"; then
    echo "ok breadth_eval_select_model"; else echo "FAIL breadth_eval_select_model"; cat "$T/em.csv"; fi

# an answer does not depend on the batch nor on the input order (variants halt on their own)
awk 'BEGIN { srand(5) } { print rand() "\t" $0 }' "$T/p20.txt" | sort | cut -f2 >"$T/shuf.txt"
for run in "p20 64" "shuf 64" "p20 7"; do
    set -- $run
    "$LOOPT" solve --iters 16 --tries 4 --batch "$2" --quiet "$T/$1.txt" >"$T/a-$1-$2.txt" 2>/dev/null
    paste -d' ' "$T/$1.txt" "$T/a-$1-$2.txt" | sort >"$T/pairs-$1-$2.txt"
done
if [ "$(wc -l <"$T/a-shuf-64.txt")" -eq 20 ] && cmp -s "$T/pairs-p20-64.txt" "$T/pairs-shuf-64.txt" &&
   cmp -s "$T/pairs-p20-64.txt" "$T/pairs-p20-7.txt"; then echo "ok breadth_answer_independent_of_batch_and_order"
else echo "FAIL breadth_answer_independent_of_batch_and_order"; fi

# --fixed: every variant runs every loop; eval's fixed sweep (depths continued) gives the rows
# of separate runs
"$LOOPT" solve --iters 6 --fixed --tries 3 --format json --quiet "$T/p20.txt" >"$T/f.json" 2>/dev/null
if [ "$(grep -c '"loops": 6.000, "tries": 3,' "$T/f.json")" -eq 20 ]; then echo "ok breadth_fixed_loops"
else echo "FAIL breadth_fixed_loops"; head -2 "$T/f.json"; fi
"$LOOPT" eval --iters 6 --fixed --tries 3 --limit 20 --data "$T/g.csv" --quiet | tail -1 | cut -d, -f1-6,8- >"$T/s1.csv"
"$LOOPT" eval --iters 12,6 --fixed --tries 3 --limit 20 --batch 7 --data "$T/g.csv" --quiet | sed -n 3p |
    cut -d, -f1-6,8- >"$T/s2.csv"
if [ -s "$T/s1.csv" ] && cmp -s "$T/s1.csv" "$T/s2.csv"; then echo "ok breadth_fixed_sweep_continues"
else echo "FAIL breadth_fixed_sweep_continues"; cat "$T/s1.csv" "$T/s2.csv"; fi

# scripts/breadth_grid.sh: the grid as CSV, chart and markdown table (puzzles/s in every cell)
expect_exit 2 breadth_grid_no_args sh scripts/breadth_grid.sh
expect_exit 2 breadth_grid_bad_tries env TRIES=1,x sh scripts/breadth_grid.sh "$T/g.csv" "$T/grid"
expect_exit 0 breadth_grid env LOOPT="$LOOPT" ITERS=4,6 TRIES=1,2 LIMIT=6 EVAL_ARGS=--fixed \
    sh scripts/breadth_grid.sh "$T/g.csv" "$T/grid"
if [ "$(cut -d, -f1,8 "$T/grid/grid.csv" | tr '\n' ' ')" = "iters,tries 4,1 6,1 4,2 6,2 " ] &&
   [ "$(grep -c '^| [12] | [0-9.]*% / [0-9.]*%, [0-9.]*/s | [0-9.]*% / [0-9.]*%, [0-9.]*/s |$' "$T/grid/grid.md")" -eq 2 ] &&
   [ "$(od -An -c -N4 "$T/grid/grid.png" | tr -d ' ')" = "211PNG" ]; then echo "ok breadth_grid_outputs"
else echo "FAIL breadth_grid_outputs"; cat "$T/grid/grid.csv" "$T/grid/grid.md"; fi
expect_exit 0 breadth_grid_from env LOOPT="$LOOPT" sh scripts/breadth_grid.sh --from "$T/grid/grid.csv" "$T/grid2"
if [ "$(sed 1d "$T/grid/grid.md")" = "$(sed 1d "$T/grid2/grid.md")" ] && [ -s "$T/grid2/grid.png" ]; then   # line 1 names the file
    echo "ok breadth_grid_from_redraws"
else echo "FAIL breadth_grid_from_redraws"; fi

# --- the public hard sets, when present ----------------------------------------------------------
PZ=${LOOPT_PUZZLES:-../shared/puzzles}
if [ -f "$PZ/sudoku_top95.txt" ]; then
    head -20 "$PZ/sudoku_top95.txt" >"$T/top.txt"
    "$LOOPT" solve --iters 16 --tries 2 --format json --quiet "$T/top.txt" >"$T/top.json" 2>/dev/null
    sed 's/.*"answer": "\([.0-9]*\)".*"tries_valid": \([0-9]\).*/\1 \2/' "$T/top.json" | paste -d' ' "$T/top.txt" - |
        awk '$3 > 0 { print $1 "," $2 }' >"$T/toptook.csv"
    if [ "$(wc -l <"$T/top.json")" -eq 20 ] && { [ ! -s "$T/toptook.csv" ] || "$LOOPT" check "$T/toptook.csv" >/dev/null 2>&1; }
    then echo "ok breadth_public_top95"; else echo "FAIL breadth_public_top95"; fi
else
    echo "skip breadth_public_top95 (no $PZ/sudoku_top95.txt)"
fi
echo done
