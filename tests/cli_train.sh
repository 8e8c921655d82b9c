#!/bin/sh
# cli_train.sh — end to end: loopt train on a tiny config, checkpoints, exact resume, Ctrl-C.
. "$(dirname "$0")/lib_cli.sh"
TINY="configs/tiny-none.json --set data.gen_valid=8 --set train.log_every=1 --quiet"

expect_exit 0 train_tiny $LOOPT train $TINY --set train.steps=12 --out "$T/a"
[ -s "$T/a/model.safetensors" ] && echo "ok train_writes_checkpoint" || echo "FAIL train_writes_checkpoint"

# exact resume: 12 steps straight vs 6 + resume 6 give the same losses step by step (the tiny
# config is still in its 200-step warm-up, where the lr depends on the step alone, so the first
# half may stop at train.steps=6)
progress() { grep -o '^\[[0-9]*/12\] loss [0-9.]*' "$1"; }
LOUD="configs/tiny-none.json --set data.gen_valid=8 --set train.log_every=1 --set train.steps=12"
$LOOPT train $LOUD --out "$T/b" 2>"$T/b.log"
$LOOPT train $LOUD --set train.steps=6 --out "$T/d" 2>/dev/null
$LOOPT train --resume "$T/d/model.safetensors" --set train.steps=12 --set train.log_every=1 --out "$T/d" 2>"$T/d.log"
if [ -n "$(progress "$T/b.log" | tail -6)" ] && [ "$(progress "$T/b.log" | tail -6)" = "$(progress "$T/d.log")" ]; then
    echo "ok resume_identical_losses"
else
    echo "FAIL resume_identical_losses"; progress "$T/b.log" | tail -6; echo "---"; progress "$T/d.log"
fi

# the progressive loss resumes exactly too (its (n, k) draw depends on the step alone)
PROG="$LOUD --set train.progressive=0.5"
$LOOPT train $PROG --out "$T/p" 2>"$T/p.log"
$LOOPT train $PROG --set train.steps=6 --out "$T/q" 2>/dev/null
$LOOPT train --resume "$T/q/model.safetensors" --set train.steps=12 --set train.log_every=1 2>"$T/q.log"
if [ -n "$(progress "$T/p.log" | tail -6)" ] && [ "$(progress "$T/p.log" | tail -6)" = "$(progress "$T/q.log")" ] &&
   [ "$(progress "$T/p.log")" != "$(progress "$T/b.log")" ]; then
    echo "ok resume_identical_losses_progressive"
else
    echo "FAIL resume_identical_losses_progressive"; progress "$T/p.log" | tail -6; echo "---"; progress "$T/q.log"
fi

# the hint loss (train.hints, mazes) resumes exactly, changes the losses, and the checkpoint holds
# its head
HINT="configs/tiny-local.json --set data.gen_valid=8 --set train.log_every=1 --set train.steps=12"
$LOOPT train $HINT --out "$T/h0" 2>"$T/h0.log"
$LOOPT train $HINT --set train.hints=0.5 --out "$T/h" 2>"$T/h.log"
$LOOPT train $HINT --set train.hints=0.5 --set train.steps=6 --out "$T/i" 2>/dev/null
$LOOPT train --resume "$T/i/model.safetensors" --set train.steps=12 --set train.log_every=1 2>"$T/i.log"
if [ -n "$(progress "$T/h.log" | tail -6)" ] && [ "$(progress "$T/h.log" | tail -6)" = "$(progress "$T/i.log")" ] &&
   [ "$(progress "$T/h.log")" != "$(progress "$T/h0.log")" ] &&
   $LOOPT info "$T/h/model.safetensors" 2>/dev/null | grep -q '^  whint  *F32  \[3, 16\]'; then
    echo "ok resume_identical_losses_hints"
else
    echo "FAIL resume_identical_losses_hints"; progress "$T/h.log" | tail -6; echo "---"; progress "$T/i.log"
fi

# evaluation during training changes nothing in the run: trm/hrm rows keep their carried states
# across it, so the losses with an eval every 2 steps equal those without
for c in tiny-trm tiny-hrm; do
    RUN="configs/$c.json --set data.gen_valid=8 --set train.batch=4 --set train.log_every=1 --set train.steps=12"
    $LOOPT train $RUN --set train.eval_every=0 --out "$T/$c-0" 2>"$T/$c-0.log"
    $LOOPT train $RUN --set train.eval_every=2 --out "$T/$c-2" 2>"$T/$c-2.log"
    if [ -n "$(progress "$T/$c-0.log")" ] && [ "$(progress "$T/$c-0.log")" = "$(progress "$T/$c-2.log")" ] &&
       grep -q "^eval step 2:" "$T/$c-2.log"; then
        echo "ok eval_keeps_training_${c#tiny-}"
    else
        echo "FAIL eval_keeps_training_${c#tiny-}"; progress "$T/$c-0.log"; echo "---"; cat "$T/$c-2.log" | tail -20
    fi
done

# Ctrl-C saves a checkpoint and exits 1; the checkpoint resumes
$LOOPT train configs/tiny-none.json --set data.gen_valid=8 --set train.steps=1000000 --quiet --out "$T/e" 2>"$T/e.log" &
pid=$!
sleep 2
kill -INT $pid
wait $pid; rc=$?
if [ "$rc" -eq 1 ] && grep -q "interrupted at step" "$T/e.log" && [ -s "$T/e/model.safetensors" ]; then
    echo "ok ctrl_c_saves"; else echo "FAIL ctrl_c_saves: exit $rc"; cat "$T/e.log" | tail -3; fi
# one more step from the saved one (a train.steps before it is refused: a resumed run only goes on)
s=$($LOOPT info "$T/e/model.safetensors" 2>/dev/null | sed -n 's/^steps: *\([0-9]*\).*/\1/p')
expect_exit 0 resume_after_ctrl_c $LOOPT train --resume "$T/e/model.safetensors" --set train.steps=$((${s:-0} + 1)) --quiet --out "$T/e"

# export: weights only, smaller, solvable, not resumable
expect_exit 0 export_weights $LOOPT export "$T/a/model.safetensors" "$T/w.safetensors"
if [ "$(wc -c < "$T/w.safetensors")" -lt "$(wc -c < "$T/a/model.safetensors")" ]; then
    echo "ok export_smaller"; else echo "FAIL export_smaller"; fi
$LOOPT gen sudoku --n 3 --seed 9 > "$T/p.txt" 2>/dev/null
expect_exit 0 export_solves $LOOPT solve --model "$T/w.safetensors" "$T/p.txt"
expect_exit 2 export_not_resumable $LOOPT train --resume "$T/w.safetensors" --out "$T/h"
expect_grep "adam_m" export_not_resumable_named
# info and solve agree on which weights an export holds (it records them): EMA, or raw with --raw
expect_exit 0 info_export_ema $LOOPT info "$T/w.safetensors"
expect_grep "^ema: *yes: the weights are the run's EMA weights" info_export_says_ema
expect_exit 0 solve_export_ema $LOOPT solve --model "$T/w.safetensors" "$T/p.txt"
expect_grep "(exported EMA weights)" solve_export_says_ema
expect_exit 0 export_raw $LOOPT export "$T/a/model.safetensors" "$T/wr.safetensors" --raw
expect_exit 0 info_export_raw $LOOPT info "$T/wr.safetensors"
expect_grep "^ema: *no: the weights are the run's raw weights" info_export_says_raw
expect_exit 0 info_ckpt_ema $LOOPT info "$T/a/model.safetensors"
expect_grep "^ema: *yes, beside the raw weights" info_ckpt_says_ema

# bad input
expect_exit 2 train_missing_config $LOOPT train
expect_exit 2 train_bad_key $LOOPT train configs/tiny-none.json --set model.nope=1 --out "$T/f"
expect_grep "model.nope" train_bad_key_named
# bench: runs end to end and reports what it says (no timing is checked: that is the benchmark's job)
expect_exit 0 bench_tiny_json $LOOPT bench configs/tiny-none.json --reps 1 --threads 2 --json
expect_grep '"peak_gflops": [0-9]' bench_json_peak
expect_grep '"square_openblas_threads_gflops": [0-9]' bench_json_openblas_threads
expect_grep '"frac_peak": [0-9]' bench_json_frac_peak
expect_grep '"activations_train": [1-9]' bench_json_train_bytes
expect_grep '"solve": {"puzzles": [1-9][0-9]*, "run_s": [0-9]' bench_json_solve
i1=$($LOOPT bench configs/tiny-none.json --only infer --iters 1 --reps 1 --json 2>/dev/null | grep -o '"activations_infer": [0-9]*')
i64=$($LOOPT bench configs/tiny-none.json --only infer --iters 64 --reps 1 --json 2>/dev/null | grep -o '"activations_infer": [0-9]*')
if [ -n "$i1" ] && [ "$i1" = "$i64" ]; then echo "ok bench_infer_bytes_flat_in_iters"; else
    echo "FAIL bench_infer_bytes_flat_in_iters: '$i1' at 1 loop, '$i64' at 64"; fi
expect_exit 2 bench_only_empty_item $LOOPT bench configs/tiny-none.json --only infer,
expect_grep "expected gemm, train, infer or solve, got ''" bench_only_empty_item_msg
expect_exit 2 bench_refuses_trm $LOOPT bench configs/tiny-trm.json
expect_grep 'loopt bench times families that apply the block once a loop' bench_refuses_trm_msg
head -c 100 "$T/a/model.safetensors" > "$T/trunc.safetensors"
expect_exit 2 train_resume_truncated $LOOPT train --resume "$T/trunc.safetensors" --out "$T/g"
expect_grep "trunc.safetensors" train_resume_truncated_named
expect_exit 2 train_unknown_option $LOOPT train configs/tiny-none.json --bogus

# huginn resumes exactly: its depth per step and its initial state come from (train.seed, step)
# alone, so 12 steps straight and 6 + resume 6 draw the same depths ("loops") and losses
progress_loops() { grep -o '^\[[0-9]*/12\] loss [0-9.]* .* loops [0-9.]*' "$1" | sed 's/ | lr.*//'; }
HUG="configs/tiny-huginn.json --set data.gen_valid=8 --set train.log_every=1 --set train.steps=12"
$LOOPT train $HUG --out "$T/hg" 2>"$T/hg.log"
$LOOPT train $HUG --set train.steps=6 --out "$T/hh" 2>/dev/null
$LOOPT train --resume "$T/hh/model.safetensors" --set train.steps=12 --set train.log_every=1 2>"$T/hh.log"
if [ -n "$(progress_loops "$T/hg.log" | tail -6)" ] && [ "$(progress_loops "$T/hg.log" | tail -6)" = "$(progress_loops "$T/hh.log")" ] &&
   [ "$(progress_loops "$T/hg.log" | sed 's/.*loops //' | sort -u | wc -l)" -gt 1 ]; then
    echo "ok resume_identical_losses_huginn"
else
    echo "FAIL resume_identical_losses_huginn"; progress_loops "$T/hg.log" | tail -6; echo "---"; progress_loops "$T/hh.log"
fi
$LOOPT info "$T/hg/model.safetensors" >"$T/out" 2>&1
expect_grep '^recursion:   huginn: prelude 1, core looped .*, coda 1, adapter concat' info_names_huginn_parts
expect_grep '^  wadapt  *F32  \[16, 32\]' info_lists_huginn_adapter
# what huginn cannot run is refused before any work, naming the key
for kv in halting.kind=act model.input_injection=false train.deep_supervision=true train.progressive=0.5 \
          recursion.huginn.max_depth=3; do
    k=${kv%%=*}
    expect_exit 2 "huginn_refuses_$k" $LOOPT train configs/tiny-huginn.json --set "$kv" --out "$T/hgbad"
    expect_grep "tiny-huginn.json (with --set): $k: " "huginn_refuses_${k}_named"
done
echo done
