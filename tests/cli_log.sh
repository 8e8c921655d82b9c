#!/bin/sh
# cli_log.sh — what train writes beside its checkpoint and says on stderr: the training log
# (train.jsonl, or --log FILE), one JSON object per line, appended on --resume with the lines
# past the checkpoint dropped; config.json (the resolved config) and a short summary instead of
# the config dump; `loopt plot` drawing the log.
. "$(dirname "$0")/lib_cli.sh"
TINY="configs/tiny-none.json --set data.gen_valid=8 --set train.log_every=1 --set train.eval_every=3"

# steps LOG: the steps of the training lines (not the evaluation ones), space-separated
steps() { grep -v '"eval"' "$1" | sed 's/^{"step": \([0-9]*\),.*/\1/' | tr '\n' ' '; }

# --- the log -----------------------------------------------------------------------------------
expect_exit 0 log_train_tiny $LOOPT train $TINY --set train.steps=6 --out "$T/a"
# 6 step lines and 2 evaluation lines (steps 3 and 6), each a JSON object with the documented keys
if [ "$(wc -l <"$T/a/train.jsonl")" -eq 8 ] && [ "$(steps "$T/a/train.jsonl")" = "1 2 3 4 5 6 " ] &&
   [ "$(grep -c '^{"step": [36], "eval": true, "puzzles": 8, "cell": [0-9.e-]*, "exact": [0-9.e-]*, "loops": 3, "elapsed_s": [0-9.]*}$' "$T/a/train.jsonl")" -eq 2 ] &&
   [ "$(grep -c '^{"step": [1-6], "loss": [0-9.e-]*, "cell": [0-9.e-]*, "exact": [0-9.e-]*, "lr": [0-9.e-]*, "samples_per_s": [0-9.e+]*, "loops": 3, "elapsed_s": [0-9.]*}$' "$T/a/train.jsonl")" -eq 6 ]; then
    echo "ok log_lines"; else echo "FAIL log_lines"; cat "$T/a/train.jsonl"; fi
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json, sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/a/train.jsonl" 2>/dev/null; then
        echo "ok log_lines_parse"; else echo "FAIL log_lines_parse"; fi
else echo "skip log_lines_parse (no python3)"; fi

# --resume appends: the lines of the first run stay as they were
cp "$T/a/model.safetensors" "$T/step6.safetensors"
cp "$T/a/train.jsonl" "$T/step6.jsonl"
expect_exit 0 log_resume $LOOPT train --resume "$T/a/model.safetensors" --set train.steps=10 --quiet
if [ "$(head -n 8 "$T/a/train.jsonl")" = "$(cat "$T/step6.jsonl")" ] && [ "$(wc -l <"$T/a/train.jsonl")" -eq 14 ] &&
   [ "$(steps "$T/a/train.jsonl")" = "1 2 3 4 5 6 7 8 9 10 " ]; then
    echo "ok log_resume_appends"; else echo "FAIL log_resume_appends"; cat "$T/a/train.jsonl"; fi
# a run killed after its checkpoint at step 6 had logged steps 7..10: resuming from step 6 drops
# those lines (the resumed run writes its steps 7, 8 again), so the log reads as one run
cp "$T/step6.safetensors" "$T/a/model.safetensors"
expect_exit 0 log_resume_after_kill $LOOPT train --resume "$T/a/model.safetensors" --set train.steps=8
expect_grep 'dropped 6 lines past step 6' log_resume_drops_named
if [ "$(head -n 8 "$T/a/train.jsonl")" = "$(cat "$T/step6.jsonl")" ] && [ "$(steps "$T/a/train.jsonl")" = "1 2 3 4 5 6 7 8 " ] &&
   [ "$(grep -c '"eval"' "$T/a/train.jsonl")" -eq 3 ]; then
    echo "ok log_resume_drops_lines_past_checkpoint"; else echo "FAIL log_resume_drops_lines_past_checkpoint"; cat "$T/a/train.jsonl"; fi
# every line past the checkpoint (a fresh --force run killed after logging, before its first
# checkpoint replaced the old one): the rewritten log is empty, then the resumed run's lines
cp "$T/a/train.jsonl" "$T/keep.jsonl"; cp "$T/a/model.safetensors" "$T/keep.safetensors"
printf '{"step": 50, "loss": 1}\n{"step": 51, "loss": 1}\n' >"$T/a/train.jsonl"
cp "$T/step6.safetensors" "$T/a/model.safetensors"
expect_exit 0 log_resume_drops_every_line $LOOPT train --resume "$T/a/model.safetensors" --set train.steps=8 --quiet
[ "$(steps "$T/a/train.jsonl")" = "7 8 " ] && echo "ok log_resume_all_dropped_clean" ||
    { echo "FAIL log_resume_all_dropped_clean"; od -c "$T/a/train.jsonl" | head -5; }
cp "$T/keep.jsonl" "$T/a/train.jsonl"; cp "$T/keep.safetensors" "$T/a/model.safetensors"
# a file that is no training log is never appended to
printf 'step,loss\n1,2.0\n' >"$T/not.jsonl"
expect_exit 2 log_resume_refuses_other_file $LOOPT train --resume "$T/a/model.safetensors" --set train.steps=9 \
    --log "$T/not.jsonl" --quiet
expect_grep 'not.jsonl:1: not a line of a training log' log_resume_refuses_named

# --log elsewhere; a fresh run never replaces another run's log without --force
expect_exit 0 log_elsewhere $LOOPT train $TINY --set train.steps=2 --out "$T/b" --log "$T/b.jsonl" --quiet
if [ -s "$T/b.jsonl" ] && [ ! -e "$T/b/train.jsonl" ]; then echo "ok log_elsewhere_written"; else echo "FAIL log_elsewhere_written"; fi
mkdir -p "$T/c" && cp "$T/b.jsonl" "$T/c/train.jsonl"
expect_exit 2 log_fresh_refuses_old_log $LOOPT train $TINY --set train.steps=2 --out "$T/c" --quiet
expect_grep 'already holds a training log' log_fresh_refuses_named
cmp -s "$T/b.jsonl" "$T/c/train.jsonl" && echo "ok log_fresh_refusal_keeps_file" || echo "FAIL log_fresh_refusal_keeps_file"
expect_exit 0 log_fresh_force $LOOPT train $TINY --set train.steps=3 --out "$T/c" --force --quiet
[ "$(steps "$T/c/train.jsonl")" = "1 2 3 " ] && echo "ok log_force_replaces" || echo "FAIL log_force_replaces"
expect_exit 2 log_into_folder $LOOPT train $TINY --set train.steps=2 --out "$T/d" --log "$T/c" --quiet
expect_grep "is a folder" log_into_folder_named

# --- the summary and config.json ------------------------------------------------------------------
$LOOPT train $TINY --set train.steps=2 --out "$T/e" 2>"$T/e.log"
$LOOPT config $TINY --set train.steps=2 >"$T/resolved.json" 2>/dev/null
if cmp -s "$T/resolved.json" "$T/e/config.json"; then echo "ok config_json_is_resolved_config"
else echo "FAIL config_json_is_resolved_config"; diff "$T/resolved.json" "$T/e/config.json" | head -5; fi
if grep -q '^train: sudoku 9x9; scheme loop, 3 loops' "$T/e.log" && grep -q '^train: 2 steps of batch 2; lr ' "$T/e.log" &&
   grep -q '^train: data: generated on the fly' "$T/e.log" && grep -q "resolved config: $T/e/config.json" "$T/e.log" &&
   ! grep -q '"d_model"' "$T/e.log"; then
    echo "ok train_prints_summary_not_config"; else echo "FAIL train_prints_summary_not_config"; head -20 "$T/e.log"; fi

# --- plot ----------------------------------------------------------------------------------------
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'; }
expect_exit 0 plot_log $LOOPT plot "$T/a/train.jsonl" --out "$T/loss.png"
expect_grep '1 curve, 8 points, 640x400 pixels, x linear' plot_log_loss_curve
[ "$(png_size "$T/loss.png")" = "640x400" ] && echo "ok plot_log_png" || echo "FAIL plot_log_png"
expect_exit 0 plot_log_eval $LOOPT plot "$T/a/train.jsonl" --y exact --out "$T/exact.png"
expect_grep '2 curves, 11 points' plot_log_eval_curve
cp "$T/a/train.jsonl" "$T/cut.jsonl" && printf '{"step": 9, "lo' >>"$T/cut.jsonl"
expect_exit 0 plot_log_cut_last_line $LOOPT plot "$T/cut.jsonl" --out "$T/cut.png"
expect_grep 'cut.jsonl:12: the last line is cut short' plot_log_cut_warned
{ head -n 2 "$T/a/train.jsonl"; echo 'step 3'; } >"$T/bad.jsonl"
expect_exit 2 plot_log_bad_line $LOOPT plot "$T/bad.jsonl" --out "$T/bad.png"
expect_grep 'bad.jsonl:3: not a JSON object' plot_log_bad_line_named
expect_exit 2 plot_log_no_group $LOOPT plot "$T/a/train.jsonl" --group step --out "$T/g.png"
echo done
