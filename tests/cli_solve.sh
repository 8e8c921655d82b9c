#!/bin/sh
# cli_solve.sh — end-to-end checks of `solve`, `eval` and `info` on tiny checkpoints trained
# here (train → solve → eval → info): answers one per puzzle in input order (batching and
# padding do not change them), --iters beyond the training depth, json output, --trace, bad
# lines reported and skipped (exit 1), the eval CSV, the info listing, mazes of two sizes
# (rope) and of a size a learned-coordinate model cannot take, and every bad-input path
# (corrupt or missing checkpoint: exit 2 naming the file). Skipped when `train` is missing.
. "$(dirname "$0")/lib_cli.sh"

# --- usage (no checkpoint needed) --------------------------------------------------------------
for c in solve eval info; do
    expect_exit 0 ${c}_help "$LOOPT" $c --help
    expect_grep "usage: loopt $c" ${c}_help_text
    expect_exit 2 ${c}_unknown_option "$LOOPT" $c --bogus x
    expect_grep "unknown option '--bogus'" ${c}_unknown_option_msg
    expect_grep "see 'loopt $c --help'" ${c}_unknown_option_usage
done
expect_exit 2 solve_no_file "$LOOPT" solve --model x.safetensors
expect_exit 2 solve_bad_format "$LOOPT" solve --format xml x.txt
expect_exit 2 solve_iters_zero "$LOOPT" solve --iters 0 x.txt
expect_exit 2 eval_no_data "$LOOPT" eval --model x.safetensors
expect_grep 'missing --data' eval_no_data_msg
expect_exit 2 eval_iters_junk "$LOOPT" eval --model x.safetensors --data x.txt --iters 1,a
expect_exit 2 info_no_file "$LOOPT" info
"$LOOPT" gen sudoku --n 5 --seed 3 --quiet >"$T/p.txt"
expect_exit 2 solve_model_missing_file "$LOOPT" solve --model "$T/nope.safetensors" "$T/p.txt"
expect_grep 'nope.safetensors' solve_model_missing_file_msg
expect_exit 2 info_missing_file "$LOOPT" info "$T/nope.safetensors"
expect_grep 'nope.safetensors' info_missing_file_msg
# no --model and no data/models/<task>.safetensors (cwd or next to the binary: a copy of the
# binary in an empty folder has none): a hint to train, naming the task the input looks like
mkdir -p "$T/empty" "$T/bin"
cp "$LOOPT" "$T/bin/loopt"
"$LOOPT" gen maze --n 1 --size 9 --quiet >"$T/empty/m.txt"
expect_exit 2 solve_no_default_model sh -c "cd \"$T/empty\" && \"$T/bin/loopt\" solve \"$T/p.txt\""
expect_grep 'loopt train configs/sudoku.json' solve_no_default_model_hint
expect_exit 2 eval_no_default_model sh -c "cd \"$T/empty\" && \"$T/bin/loopt\" eval --data \"$T/p.txt\""
expect_exit 2 solve_no_default_maze_model sh -c "cd \"$T/empty\" && \"$T/bin/loopt\" solve - <m.txt"
expect_grep 'data/models/maze.safetensors not found' solve_no_default_maze_model_hint

if ! "$LOOPT" train --help >/dev/null 2>&1; then
    echo "skip solve_needs_train (no loopt train)"
    echo done
    exit 0
fi

# --- tiny checkpoints ----------------------------------------------------------------------------
tiny="--set train.steps=30 --set data.gen_train=64 --set data.gen_valid=16 --quiet"
expect_exit 0 train_tiny_none "$LOOPT" train configs/tiny-none.json $tiny --out "$T/none"
expect_exit 0 train_tiny_act "$LOOPT" train configs/tiny-act.json $tiny --out "$T/act"
M="$T/none/model.safetensors"; MA="$T/act/model.safetensors"
"$LOOPT" gen sudoku --n 20 --seed 4 --solutions --quiet >"$T/ps.csv"

# a checkpoint written before later config keys existed loads with their defaults
expect_exit 0 info_older_checkpoint "$LOOPT" info tests/fuzz_corpus/ckpt/tiny.safetensors

# trm and hrm train (carried states, refills), save, load, solve and eval like the plain loop;
# an eval sweep of trm restarts each depth from (yinit, zinit): rows equal single evals
expect_exit 0 train_tiny_trm "$LOOPT" train configs/tiny-trm.json $tiny --out "$T/trm"
expect_exit 0 train_tiny_hrm "$LOOPT" train configs/tiny-hrm.json $tiny --out "$T/hrm"
expect_exit 0 train_tiny_hrm_q "$LOOPT" train configs/tiny-hrm.json $tiny --set halting.kind=q --out "$T/hrmq"
expect_exit 0 solve_hrm_q "$LOOPT" solve --model "$T/hrmq/model.safetensors" "$T/p.txt"
expect_exit 0 solve_trm "$LOOPT" solve --model "$T/trm/model.safetensors" --iters 6 "$T/p.txt"
if [ "$(grep -c '^[.0-9]\{81\}$' "$T/out")" -eq 5 ]; then echo "ok solve_trm_lines"; else echo "FAIL solve_trm_lines"; fi
"$LOOPT" eval --model "$T/hrm/model.safetensors" --data "$T/ps.csv" --iters 2,5 --quiet >"$T/eh.csv"
"$LOOPT" eval --model "$T/hrm/model.safetensors" --data "$T/ps.csv" --iters 5 --quiet >"$T/eh5.csv"
if [ "$(sed -n 3p "$T/eh.csv" | cut -d, -f1-4)" = "$(sed -n 2p "$T/eh5.csv" | cut -d, -f1-4)" ]; then
    echo "ok eval_hrm_depths"; else echo "FAIL eval_hrm_depths"; cat "$T/eh.csv" "$T/eh5.csv"; fi

# URM's ConvSwiGLU trains, loads and solves (a stream, halting.skip turned off); info names the FFN
expect_exit 0 train_tiny_urm "$LOOPT" train configs/tiny-urm.json $tiny --set halting.kind=act --out "$T/urm"
expect_exit 0 solve_urm "$LOOPT" solve --model "$T/urm/model.safetensors" "$T/p.txt"
if [ "$(grep -c '^[.0-9]\{81\}$' "$T/out")" -eq 5 ]; then echo "ok solve_urm_lines"; else echo "FAIL solve_urm_lines"; fi
expect_exit 0 info_urm "$LOOPT" info "$T/urm/model.safetensors"
expect_grep 'ffn convswiglu 48 (kernel 2 along the sequence, 2 taps)' info_names_convswiglu
expect_grep 'wconv .*\[2, 48, 2\]' info_lists_wconv
expect_exit 0 info_swiglu "$LOOPT" info "$M"
expect_grep 'ffn swiglu 48,' info_names_swiglu

# --- solve ---------------------------------------------------------------------------------------
expect_exit 0 solve_runs "$LOOPT" solve --model "$M" "$T/p.txt"
"$LOOPT" solve --model "$M" "$T/p.txt" 2>/dev/null >"$T/ans.txt"
if [ "$(wc -l <"$T/ans.txt")" -eq 5 ] && ! grep -qv '^[.0-9]\{81\}$' "$T/ans.txt"; then
    echo "ok solve_one_line_per_puzzle"; else echo "FAIL solve_one_line_per_puzzle"; head -3 "$T/ans.txt"; fi
# order: each puzzle alone gives its line of the batched run; batch 2 (padded last batch) too
okord=1; i=1
while read -r p; do
    a=$(echo "$p" | "$LOOPT" solve --model "$M" --quiet -)
    [ "$a" = "$(sed -n "${i}p" "$T/ans.txt")" ] || okord=0
    i=$((i + 1))
done <"$T/p.txt"
if [ $okord -eq 1 ]; then echo "ok solve_input_order"; else echo "FAIL solve_input_order"; fi
"$LOOPT" solve --model "$M" --batch 2 --quiet "$T/p.txt" >"$T/ans2.txt"
if cmp -s "$T/ans.txt" "$T/ans2.txt"; then echo "ok solve_batch_padding"; else echo "FAIL solve_batch_padding"; fi
# the same answers on any thread count (tiles of a product are cut by its shape, never by the
# thread count): the shipped model, 64 puzzles, products big enough to be split over threads
if [ -f data/models/sudoku.safetensors ]; then
    "$LOOPT" gen sudoku --n 64 --seed 13 --givens 28-36 >"$T/p64.txt" 2>/dev/null
    "$LOOPT" solve --iters 6 --threads 1 --quiet "$T/p64.txt" >"$T/t1.txt" 2>/dev/null
    "$LOOPT" solve --iters 6 --threads 2 --quiet "$T/p64.txt" >"$T/t2.txt" 2>/dev/null
    if [ -s "$T/t1.txt" ] && cmp -s "$T/t1.txt" "$T/t2.txt"; then echo "ok solve_same_on_any_thread_count"
    else echo "FAIL solve_same_on_any_thread_count"; fi
else echo "skip solve_same_on_any_thread_count (no data/models/sudoku.safetensors)"; fi
# eval --halt: a parameter-free rule on a model trained without a head stops puzzles early
if [ -f data/models/sudoku.safetensors ]; then
    expect_exit 0 eval_halt_converge "$LOOPT" eval --halt converge --data "$T/p64.txt" --iters 32
    if awk -F, 'NR == 2 && $1 == 32 && $4 < 32 { ok = 1 } END { exit !ok }' "$T/out"; then
        echo "ok eval_halt_converge_stops_early"; else echo "FAIL eval_halt_converge_stops_early"; head -3 "$T/out"; fi
fi
if [ -f data/models/sudoku.safetensors ]; then
    expect_exit 0 solve_halt_converge "$LOOPT" solve --halt converge --iters 32 --format json "$T/p64.txt"
    expect_grep 'running 32 loops at most (halting converge)' solve_halt_converge_logged
    expect_grep 'mean loops [0-9.]* (median [0-9.]*, 90th percentile [0-9.]*)' solve_summary_loop_stats
    if grep -q '"loops": [0-9]\.' "$T/out"; then echo "ok solve_halt_converge_stops_early"
    else echo "FAIL solve_halt_converge_stops_early"; head -2 "$T/out"; fi
fi
# A puzzle's answer does not depend on its batch: with continuous batching under a halting
# rule, the same puzzles shuffled, or in batches of 7, get the same answers (paired by puzzle)
if [ -f data/models/sudoku.safetensors ]; then
    awk 'BEGIN { srand(5) } { print rand() "\t" $0 }' "$T/p64.txt" | sort | cut -f2 >"$T/shuf.txt"
    for run in "p64 64" "shuf 64" "p64 7"; do
        set -- $run
        "$LOOPT" solve --halt converge --iters 32 --batch "$2" --quiet "$T/$1.txt" >"$T/a-$1-$2.txt" 2>/dev/null
        paste -d' ' "$T/$1.txt" "$T/a-$1-$2.txt" | sort >"$T/pairs-$1-$2.txt"
    done
    if [ -s "$T/pairs-p64-64.txt" ] && [ "$(wc -l <"$T/a-shuf-64.txt")" -eq 64 ] &&
       cmp -s "$T/pairs-p64-64.txt" "$T/pairs-shuf-64.txt" && cmp -s "$T/pairs-p64-64.txt" "$T/pairs-p64-7.txt"; then
        echo "ok solve_answer_independent_of_batch"
    else echo "FAIL solve_answer_independent_of_batch"; fi
    # the kl exit stops puzzles early too; --set tunes a rule for one run
    expect_exit 0 eval_halt_kl "$LOOPT" eval --halt kl --data "$T/p64.txt" --iters 32
    if awk -F, 'NR == 2 && $1 == 32 && $4 < 32 { ok = 1 } END { exit !ok }' "$T/out"; then
        echo "ok eval_halt_kl_stops_early"; else echo "FAIL eval_halt_kl_stops_early"; head -3 "$T/out"; fi
    l2=$("$LOOPT" eval --halt converge --data "$T/p64.txt" --iters 32 --quiet 2>/dev/null | awk -F, 'NR == 2 { print $4 }')
    l4=$("$LOOPT" eval --halt converge --set halting.patience=4 --data "$T/p64.txt" --iters 32 --quiet 2>/dev/null |
         awk -F, 'NR == 2 { print $4 }')
    if [ -n "$l2" ] && [ -n "$l4" ] && awk -v a="$l2" -v b="$l4" 'BEGIN { exit !(b > a + 1) }'; then
        echo "ok eval_set_patience_applies"; else echo "FAIL eval_set_patience_applies: $l2 vs $l4"; fi
fi
# export --halt stores a parameter-free rule as the model's default: solve then stops early
# without flags, and --fixed still runs every loop
if [ -f data/models/sudoku.safetensors ]; then
    expect_exit 0 export_halt_converge "$LOOPT" export data/models/sudoku.safetensors "$T/conv.safetensors" \
        --halt converge --set halting.patience=3
    "$LOOPT" info "$T/conv.safetensors" >"$T/out" 2>&1
    expect_grep '^halting: *converge' export_halt_stored
    "$LOOPT" solve --model "$T/conv.safetensors" --iters 32 --format json "$T/p64.txt" >"$T/out" 2>/dev/null
    if sed -n 's/.*"loops": \([0-9.]*\).*/\1/p' "$T/out" | awk '$1 < 32 { early = 1 } END { exit !(NR == 64 && early) }'
    then echo "ok export_halt_is_the_default"
    else echo "FAIL export_halt_is_the_default"; head -2 "$T/out"; fi
    "$LOOPT" solve --model "$T/conv.safetensors" --iters 32 --fixed --format json "$T/p64.txt" >"$T/out" 2>/dev/null
    if [ -s "$T/out" ] && ! grep -qv '"loops": 32.000' "$T/out"; then echo "ok export_halt_fixed_still_fixed"
    else echo "FAIL export_halt_fixed_still_fixed"; head -2 "$T/out"; fi
fi
expect_exit 2 export_halt_needs_head "$LOOPT" export "$M" "$T/act.safetensors" --halt act
expect_exit 2 solve_set_refuses_other_keys "$LOOPT" solve --model "$M" --set model.d_model=8 "$T/p.txt"
expect_grep 'only the halting rules. parameters' solve_set_refuses_other_keys_message
expect_exit 2 solve_halt_needs_head "$LOOPT" solve --model "$M" --halt bce "$T/p.txt"
expect_exit 2 solve_halt_scheme "$LOOPT" solve --model "$T/trm/model.safetensors" --halt converge "$T/p.txt"
expect_grep 'converge: that rule does not work with this model.s scheme "trm"' solve_halt_scheme_message
expect_exit 2 eval_halt_needs_head "$LOOPT" eval --model "$M" --halt act --data "$T/p.txt"
expect_grep 'needs a halting head trained with it' eval_halt_needs_head_message
expect_exit 2 eval_halt_unknown "$LOOPT" eval --model "$M" --halt sometimes --data "$T/p.txt"
expect_grep "expected one of none, act, bce, q, converge, kl, got 'sometimes'" eval_halt_unknown_lists
expect_exit 0 solve_iters_beyond_training "$LOOPT" solve --model "$M" --iters 12 "$T/p.txt"
expect_grep 'running 12 loops' solve_iters_logged
if [ "$(grep -c '^[.0-9]\{81\}$' "$T/out")" -eq 5 ]; then echo "ok solve_iters_beyond_lines"; else echo "FAIL solve_iters_beyond_lines"; fi
expect_exit 0 solve_csv_input "$LOOPT" solve --model "$M" "$T/ps.csv"
if [ "$(grep -c '^[.0-9]\{81\}$' "$T/out")" -eq 20 ]; then echo "ok solve_csv_lines"; else echo "FAIL solve_csv_lines"; fi
expect_exit 0 solve_raw_weights "$LOOPT" solve --model "$M" --raw "$T/p.txt"

# json
expect_exit 0 solve_json "$LOOPT" solve --model "$M" --format json "$T/p.txt"
if [ "$(grep -c '^{"line": [0-9]*, "answer": "[.0-9]\{81\}", "valid": \(true\|false\).*"loops": 3.000}$' "$T/out")" -eq 5 ]; then
    echo "ok solve_json_fields"; else echo "FAIL solve_json_fields"; head -2 "$T/out"; fi
expect_grep '^{"line": 5,' solve_json_line_numbers
expect_exit 0 solve_json_act "$LOOPT" solve --model "$MA" --format json --iters 8 "$T/p.txt"
if grep '"cell_loops": \[' "$T/out" | head -1 | sed 's/.*"cell_loops": \[\([0-9,]*\)\].*/\1/' | tr ',' '\n' | grep -c '^[1-8]$' | grep -qx 81; then
    echo "ok solve_json_cell_loops"; else echo "FAIL solve_json_cell_loops"; head -1 "$T/out"; fi
# halting.skip (default on): halted cells skip their projections and FFN; off, they run the
# block as in training. Both answer every puzzle, each cell within the 8 loops.
expect_exit 0 solve_act_no_skip "$LOOPT" solve --model "$MA" --format json --iters 8 --set halting.skip=false "$T/p.txt"
if [ "$(grep -c '"cell_loops": \[' "$T/out")" -eq 5 ]; then echo "ok solve_act_no_skip_answers"; else
    echo "FAIL solve_act_no_skip_answers"; head -2 "$T/out"; fi
expect_exit 2 solve_skip_not_bool "$LOOPT" solve --model "$MA" --set halting.skip=sometimes "$T/p.txt"
expect_grep 'halting.skip' solve_skip_not_bool_names_key
expect_exit 0 solve_json_act_fixed "$LOOPT" solve --model "$MA" --format json --fixed --iters 8 "$T/p.txt"
if grep -q 'cell_loops' "$T/out" || [ "$(grep -c '"loops": 8.000}' "$T/out")" -ne 5 ]; then
    echo "FAIL solve_fixed_runs_all_loops"; else echo "ok solve_fixed_runs_all_loops"; fi

# trace: loops 1..N per puzzle on stderr, answers still on stdout
head -2 "$T/p.txt" >"$T/p2.txt"
"$LOOPT" solve --model "$M" --trace --iters 4 "$T/p2.txt" >"$T/tr.out" 2>"$T/tr.err"
if [ "$(grep -c '^  loop   [1-4]  [.0-9]\{81\}  changed' "$T/tr.err")" -eq 8 ] && [ "$(wc -l <"$T/tr.out")" -eq 2 ] &&
   grep -q '^trace: line 2, 4 loops' "$T/tr.err"; then
    echo "ok solve_trace"; else echo "FAIL solve_trace"; head -4 "$T/tr.err"; fi
# the trace's last loop is the answer
if [ "$(grep '^  loop   4' "$T/tr.err" | head -1 | awk '{print $3}')" = "$(head -1 "$T/tr.out")" ]; then
    echo "ok solve_trace_last_is_answer"; else echo "FAIL solve_trace_last_is_answer"; fi

# a malformed line: reported with its number, skipped, the others solved, exit 1
{ head -2 "$T/p.txt"; echo "12345"; tail -3 "$T/p.txt"; } >"$T/bad.txt"
expect_exit 1 solve_bad_line "$LOOPT" solve --model "$M" "$T/bad.txt"
expect_grep 'bad.txt:3: 5 cells' solve_bad_line_msg
if [ "$(grep -c '^[.0-9]\{81\}$' "$T/out")" -eq 5 ]; then echo "ok solve_bad_line_others_solved"; else echo "FAIL solve_bad_line_others_solved"; fi
expect_exit 1 solve_bad_line_json "$LOOPT" solve --model "$M" --format json "$T/bad.txt"
expect_grep '^{"line": 4,' solve_bad_line_json_keeps_numbers
expect_exit 2 solve_empty_input sh -c "\"$LOOPT\" solve --model \"$M\" - </dev/null"

# corrupt checkpoint: exit 2 naming the file
head -c 3000 "$M" >"$T/trunc.safetensors"
expect_exit 2 solve_corrupt_model "$LOOPT" solve --model "$T/trunc.safetensors" "$T/p.txt"
expect_grep 'trunc.safetensors' solve_corrupt_model_msg
expect_exit 2 eval_corrupt_model "$LOOPT" eval --model "$T/trunc.safetensors" --data "$T/p.txt"
expect_grep 'trunc.safetensors' eval_corrupt_model_msg
expect_exit 2 info_corrupt "$LOOPT" info "$T/trunc.safetensors"
expect_grep 'trunc.safetensors' info_corrupt_msg
printf 'not a checkpoint at all\n' >"$T/junk.safetensors"
expect_exit 2 info_junk "$LOOPT" info "$T/junk.safetensors"
expect_grep 'junk.safetensors' info_junk_msg

# --- eval ------------------------------------------------------------------------------------------
csv_ok() {   # $1 = expected rows: header, then rows with values in range, iters as given
    awk -F, -v want="$1" 'NR == 1 { if ($0 != "iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s") bad = 1; next }
        { n++; if (NF != 7 || $2 < 0 || $2 > 1 || $3 < 0 || $3 > 1 || $4 < 1 || $4 > $1 || $5 < 1 || $5 > $6 || $6 > $1 ||
                   $7 <= 0) bad = 1; its = its $1 " " }
        END { if (bad || its != want) exit 1 }' "$2"
}
"$LOOPT" eval --model "$M" --data "$T/ps.csv" --iters 1,3,8 >"$T/e.csv" 2>"$T/e.err"; rc=$?
if [ $rc -eq 0 ] && csv_ok "1 3 8 " "$T/e.csv"; then echo "ok eval_csv"; else echo "FAIL eval_csv (exit $rc)"; cat "$T/e.csv" "$T/e.err" | head -8; fi
"$LOOPT" eval --model "$MA" --data "$T/p.txt" --iters 2,16 --quiet >"$T/e2.csv" 2>"$T/e2.err"; rc=$?
if [ $rc -eq 0 ] && csv_ok "2 16 " "$T/e2.csv" && [ ! -s "$T/e2.err" ]; then echo "ok eval_no_solutions_act"; else echo "FAIL eval_no_solutions_act"; cat "$T/e2.csv"; fi
"$LOOPT" eval --model "$M" --data "$T/ps.csv" --iters 2 --limit 3 --fixed --batch 2 >"$T/e3.csv" 2>"$T/e3.err"
if csv_ok "2 " "$T/e3.csv" && grep -q ': 3 puzzles' "$T/e3.err"; then echo "ok eval_limit"; else echo "FAIL eval_limit"; cat "$T/e3.err"; fi
# a sweep continues its loops from one depth to the next: each row equals its own eval's row
"$LOOPT" eval --model "$M" --data "$T/ps.csv" --iters 3 --quiet | tail -1 | cut -d, -f1-4 >"$T/e4.csv"
"$LOOPT" eval --model "$M" --data "$T/ps.csv" --iters 8 --quiet | tail -1 | cut -d, -f1-4 >>"$T/e4.csv"
"$LOOPT" eval --model "$M" --data "$T/ps.csv" --iters 8,3 --quiet | tail -2 | cut -d, -f1-4 | sort -n >"$T/e5.csv"
if cmp -s "$T/e4.csv" "$T/e5.csv"; then echo "ok eval_sweep_resumes_exactly"; else echo "FAIL eval_sweep_resumes_exactly"; cat "$T/e4.csv" "$T/e5.csv"; fi
expect_exit 1 eval_bad_line "$LOOPT" eval --model "$M" --data "$T/bad.txt" --iters 1
expect_grep 'bad.txt:3: 5 cells' eval_bad_line_msg
expect_grep '^1,' eval_bad_line_still_reports

# --- info ------------------------------------------------------------------------------------------
expect_exit 0 info_runs "$LOOPT" info "$M"
expect_grep '^steps: *30 (batch 2)$' info_steps
expect_grep '^format: *loopt-1' info_format
expect_grep '^task: *sudoku' info_task
expect_grep '^parameters: *[1-9]' info_params
expect_grep '^loops: *3 ' info_loops
expect_grep '^halting: *none' info_halting
expect_grep '^ema: *yes' info_ema
expect_grep '^optimizer: *yes' info_optimizer
expect_grep '^  wqkv *F32 *\[2, 48, 16\]' info_tensor_shape
expect_grep '"d_model": *16' info_config
expect_exit 0 info_act "$LOOPT" info "$MA"
expect_grep '^halting: *act' info_act_halting

# --- mazes -------------------------------------------------------------------------------------------
mz="--set task=maze --set data.maze_size=7 --set train.steps=5 --set data.gen_train=16 --set data.gen_valid=4 --quiet"
expect_exit 0 train_tiny_maze_rope "$LOOPT" train configs/tiny-none.json $mz --set model.positions=rope --out "$T/mr"
expect_exit 0 train_tiny_maze_coords "$LOOPT" train configs/tiny-none.json $mz --out "$T/mc"
{ "$LOOPT" gen maze --n 2 --size 7 --seed 1 --quiet; "$LOOPT" gen maze --n 1 --size 9 --seed 2 --quiet
  "$LOOPT" gen maze --n 1 --size 7 --seed 3 --quiet; } >"$T/m.txt"
expect_exit 0 solve_maze_rope_sizes "$LOOPT" solve --model "$T/mr/model.safetensors" --batch 2 "$T/m.txt"
rows=$(grep -c '^[ #SGo]\{7\}$' "$T/out"); rows9=$(grep -c '^[ #SGo]\{9\}$' "$T/out")
if [ "$rows" -eq 21 ] && [ "$rows9" -eq 9 ]; then echo "ok solve_maze_grids"; else echo "FAIL solve_maze_grids ($rows, $rows9)"; fi
expect_exit 0 solve_maze_json "$LOOPT" solve --model "$T/mr/model.safetensors" --format json "$T/m.txt"
if [ "$(grep -c '^{"line": [0-9]*, "answer": "[ #SGo]\{7\}\\n' "$T/out")" -eq 3 ]; then echo "ok solve_maze_json_lines"; else echo "FAIL solve_maze_json_lines"; fi
# the local mixer: trained on 7x7, solves 7x7 and 9x9 in one file, and eval sweeps its loops
expect_exit 0 train_tiny_maze_local "$LOOPT" train configs/tiny-local.json --set train.steps=5 \
    --set data.gen_train=16 --set data.gen_valid=4 --quiet --out "$T/ml"
expect_exit 0 solve_maze_local_sizes "$LOOPT" solve --model "$T/ml/model.safetensors" --iters 6 "$T/m.txt"
rows=$(grep -c '^[ #SGo]\{7\}$' "$T/out"); rows9=$(grep -c '^[ #SGo]\{9\}$' "$T/out")
if [ "$rows" -eq 21 ] && [ "$rows9" -eq 9 ]; then echo "ok solve_maze_local_grids"; else echo "FAIL solve_maze_local_grids ($rows, $rows9)"; fi
expect_exit 0 eval_maze_local "$LOOPT" eval --model "$T/ml/model.safetensors" --data "$T/m.txt" --iters 2,8
# the mlp mixer's weights fix the size: another size is refused with the reason
expect_exit 0 train_tiny_maze_mlp "$LOOPT" train configs/tiny-none.json $mz --set model.mixer=mlp \
    --set model.positions=none --out "$T/mm"
expect_exit 1 solve_maze_mlp_other_size "$LOOPT" solve --model "$T/mm/model.safetensors" "$T/m.txt"
expect_grep 'an mlp mixer solves one size only' solve_maze_mlp_other_size_msg
# PNG in, PNG out: a maze drawn as a PNG is solved, and each answer is drawn
"$LOOPT" gen maze --n 1 --size 9 --seed 5 --quiet >"$T/m9.txt"
"$LOOPT" render "$T/m9.txt" --out "$T/m9.png" --quiet
expect_exit 0 solve_maze_png_in_out "$LOOPT" solve --model "$T/mr/model.safetensors" "$T/m9.png" --out "$T/s9.png"
[ -s "$T/s9.png" ] && [ "$(od -An -c -N4 "$T/s9.png" | tr -d ' ')" = "211PNG" ] &&
    echo "ok solve_maze_png_written" || echo "FAIL solve_maze_png_written"
expect_exit 0 solve_maze_png_many "$LOOPT" solve --model "$T/mr/model.safetensors" --batch 2 "$T/m.txt" --out "$T/many.png"
[ -s "$T/many-0.png" ] && [ -s "$T/many-3.png" ] && echo "ok solve_maze_png_numbered" || echo "FAIL solve_maze_png_numbered"
expect_exit 2 solve_out_needs_maze "$LOOPT" solve --model "$T/none/model.safetensors" "$T/p.txt" --out "$T/x.png"
expect_grep "draws mazes" solve_out_needs_maze_msg
expect_exit 1 solve_maze_coords_other_size "$LOOPT" solve --model "$T/mc/model.safetensors" "$T/m.txt"
expect_grep 'm.txt:17: maze is 9x9 but the model learned coordinates for 7x7' solve_maze_coords_msg
"$LOOPT" gen maze --n 3 --size 7 --seed 1 --solutions --quiet >"$T/ms.csv"
"$LOOPT" eval --model "$T/mr/model.safetensors" --data "$T/ms.csv" --iters 1,2 >"$T/me.csv" 2>/dev/null; rc=$?
if [ $rc -eq 0 ] && csv_ok "1 2 " "$T/me.csv"; then echo "ok eval_maze_csv"; else echo "FAIL eval_maze_csv"; cat "$T/me.csv"; fi
expect_exit 0 eval_maze_sizes "$LOOPT" eval --model "$T/mr/model.safetensors" --data "$T/m.txt" --iters 2 --batch 2

echo done
