#!/bin/sh
# cli_resume.sh — no lost work (issue 15, the training half): --resume refuses any change but
# the run's length, cadences, threads and NaN policy; --init-from fine-tunes into a new config;
# --out never replaces another run's checkpoint by surprise and --resume writes back to its own
# folder; export never writes onto its input; a bad output folder is found before the work;
# Ctrl-C at any moment ends with a message and a complete checkpoint or none.
. "$(dirname "$0")/lib_cli.sh"
case $LOOPT in /*) ;; *) LOOPT="$(pwd)/$LOOPT" ;; esac   # some checks run from another folder
TINY="configs/tiny-none.json --set data.gen_valid=8 --quiet"
A="$T/A/model.safetensors"

saved_step() { $LOOPT info "$1" 2>/dev/null | sed -n 's/^steps: *\([0-9]*\).*/\1/p'; }
sum() { cksum < "$1" 2>/dev/null; }
weights() {   # the weights of an export: its data section (after the 8-byte length and the JSON
    # header) less the last 32 bytes, the two U32 RNG streams (sorted after the F32 tensors)
    n=$(od -An -N8 -tu8 "$1" | tr -d ' ')
    tail -c +$((8 + n + 1)) "$1" | head -c -32 | cksum
}

$LOOPT train $TINY --set train.steps=4 --out "$T/A" 2>/dev/null
before=$(sum "$A")

# --- 1. --resume refuses a changed model, scheme, data or optimisation, naming the key ----------
# the issue's exact command: CONFIG + --resume + a wider model -> refused, nothing written
expect_exit 2 resume_refuses_model_change $LOOPT train configs/tiny-none.json --resume "$A" \
    --set model.d_model=32 --set train.steps=6 --out "$T/B"
expect_grep "model.d_model: --resume cannot change it (the checkpoint has 16, asked for 32)" resume_refuses_model_change_named
expect_grep "init-from" resume_refuses_points_to_init_from
[ ! -e "$T/B" ] && echo "ok resume_refused_writes_nothing" || echo "FAIL resume_refused_writes_nothing: $T/B exists"
# one key of each group a resumed run must keep
for kv in task=maze model.n_layers=1 model.positions=rope recursion.loops=5 recursion.window=1 \
          halting.kind=act data.maze_size=7 data.seed=9 train.lr=0.1 train.batch=4 train.warmup=0 train.seed=3; do
    k=${kv%%=*}
    expect_exit 2 "resume_refuses_$k" $LOOPT train --resume "$A" --set "$kv" --set train.steps=6
    expect_grep "loopt: --set: $k: --resume cannot change it" "resume_refuses_${k}_named"
done
[ "$(sum "$A")" = "$before" ] && echo "ok resume_refused_checkpoint_intact" || echo "FAIL resume_refused_checkpoint_intact"
# a CONFIG that differs from the checkpoint's (here: no data.gen_valid=8) is refused too, naming the file
expect_exit 2 resume_refuses_other_config $LOOPT train configs/tiny-none.json --resume "$A" --set train.steps=6
expect_grep "loopt: configs/tiny-none.json (with --set): data.gen_valid: --resume cannot change it" resume_refuses_other_config_named
# --help says exactly which keys a resumed run may change, and those are applied
$LOOPT train --help >"$T/help" 2>&1
keys="train.steps, train.threads, train.eval_every, train.ckpt_every, train.log_every, train.on_nan"
grep -A1 "may change only" "$T/help" | grep -q "^ *$keys\$" && echo "ok resume_help_lists_keys" ||
    { echo "FAIL resume_help_lists_keys"; grep -A2 "may change only" "$T/help"; }
expect_exit 0 resume_applies_listed_keys $LOOPT train --resume "$A" --set train.steps=6 --set train.threads=1 \
    --set train.eval_every=2 --set train.ckpt_every=3 --set train.log_every=1 --set train.on_nan=skip
$LOOPT info "$A" >"$T/out" 2>&1
expect_grep '"steps": 6' resume_applied_steps
expect_grep '"threads": 1' resume_applied_threads
expect_grep '"eval_every": 2' resume_applied_eval_every
expect_grep '"ckpt_every": 3' resume_applied_ckpt_every
expect_grep '"log_every": 1' resume_applied_log_every
expect_grep '"on_nan": "skip"' resume_applied_on_nan
# the same CONFIG and --set the run started with: accepted
expect_exit 0 resume_same_config_ok $LOOPT train $TINY --resume "$A" --set train.steps=7 --set train.threads=1 \
    --set train.eval_every=2 --set train.ckpt_every=3 --set train.log_every=1 --set train.on_nan=skip
# a run only goes on: fewer steps than done is refused, as many is nothing to do (exit 0, unchanged)
expect_exit 2 resume_steps_before_refused $LOOPT train --resume "$A" --set train.steps=3
expect_grep "train.steps: 3 is before the checkpoint's step 7" resume_steps_before_named
before=$(sum "$A")
expect_exit 0 resume_complete_nothing_to_do $LOOPT train --resume "$A"
expect_grep "nothing to train" resume_complete_message
[ "$(sum "$A")" = "$before" ] && echo "ok resume_complete_unchanged" || echo "FAIL resume_complete_unchanged"

# --- 2. --init-from: a new run from a checkpoint's weights ---------------------------------------
# ACT halting on the trained model: 7 tensors loaded, the halting unit added
expect_exit 0 init_from_adds_halting $LOOPT train configs/tiny-act.json --set data.gen_valid=8 \
    --init-from "$A" --set train.steps=2 --out "$T/act"
expect_grep "loaded 7 tensors (its EMA weights): wte, wcoord, wqkv, wo, wfc, wproj, wout" init_from_lists_loaded
expect_grep "added 2 new tensors (fresh init): whalt, bhalt" init_from_lists_added
expect_grep "dropped 0 tensors" init_from_lists_dropped_none
[ "$(saved_step "$T/act/model.safetensors")" = 2 ] && echo "ok init_from_starts_at_step_0" ||
    echo "FAIL init_from_starts_at_step_0: step $(saved_step "$T/act/model.safetensors")"
# back to no halting, with a narrower FFN: whalt/bhalt dropped (not in the model), wfc/wproj (shape)
expect_exit 0 init_from_drops $LOOPT train configs/tiny-none.json --set data.gen_valid=8 --set model.d_ff=32 \
    --init-from "$T/act/model.safetensors" --set train.steps=1 --out "$T/narrow"
expect_grep "loaded 5 tensors" init_from_drops_loaded
expect_grep "wfc (F32 \[2,96,16\] in the checkpoint, \[2,64,16\] here)" init_from_drops_shape_named
expect_grep "whalt (not in this model)" init_from_drops_unused_named
# the weights really are the checkpoint's: 1 step at lr 1e-30 leaves them as loaded, so the raw
# weights of the new run equal the EMA weights of the old one, bit for bit (another init seed)
expect_exit 0 init_from_same_config $LOOPT train $TINY --set train.seed=7 --set train.lr=1e-30 \
    --init-from "$A" --set train.steps=1 --out "$T/same"
$LOOPT export --raw "$T/same/model.safetensors" "$T/same.w" 2>/dev/null
$LOOPT export "$A" "$T/A.w" 2>/dev/null
[ -s "$T/A.w" ] && [ "$(weights "$T/same.w")" = "$(weights "$T/A.w")" ] &&
    echo "ok init_from_loads_the_weights" || echo "FAIL init_from_loads_the_weights"
# URM's ConvSwiGLU from the plain model: its convolution added fresh, the rest loaded; then resumed
expect_exit 0 init_from_adds_convswiglu $LOOPT train configs/tiny-urm.json --set data.gen_valid=8 \
    --set recursion.loops=3 --set recursion.window=0 --init-from "$A" --set train.steps=2 --out "$T/urm"
expect_grep "added 2 new tensors (fresh init): wconv, bconv" init_from_adds_convswiglu_named
expect_exit 0 resume_convswiglu $LOOPT train --resume "$T/urm/model.safetensors" --set train.steps=3 --quiet
[ "$(saved_step "$T/urm/model.safetensors")" = 3 ] && echo "ok resume_convswiglu_step" ||
    echo "FAIL resume_convswiglu_step: step $(saved_step "$T/urm/model.safetensors")"
# a weights-only export can be fine-tuned (not resumed)
expect_exit 0 init_from_export $LOOPT train $TINY --init-from "$T/A.w" --set train.steps=1 --out "$T/fromw"
# info counts the runs a model continued: their steps add up down the chain, through an export
# and a resume (A.w: n steps -> fromw: 1, resumed to 2 -> chain: 1)
n=$(saved_step "$T/A.w")
expect_exit 0 init_from_info_before $LOOPT info "$T/fromw/model.safetensors"
expect_grep "^before: *1 earlier run (--init-from): $n steps, .*; in all $((n + 1)) steps" init_from_info_counts_the_run
$LOOPT train --resume "$T/fromw/model.safetensors" --set train.steps=2 --quiet 2>/dev/null
$LOOPT export "$T/fromw/model.safetensors" "$T/fromw.w" 2>/dev/null
expect_exit 0 init_from_info_exported $LOOPT info "$T/fromw.w"
expect_grep "^before: *1 earlier run (--init-from): $n steps, .*; in all $((n + 2)) steps" init_from_info_resume_and_export_keep_it
expect_exit 0 init_from_chain $LOOPT train $TINY --init-from "$T/fromw.w" --set train.steps=1 --out "$T/chain"
$LOOPT info "$T/chain/model.safetensors" >"$T/out" 2>&1
expect_grep "^before: *2 earlier runs (--init-from): $((n + 2)) steps, .*; in all $((n + 3)) steps" init_from_info_sums_the_chain
$LOOPT info "$A" >"$T/out" 2>&1
if grep -q '^before:' "$T/out"; then echo "FAIL info_no_before_without_init_from"; else echo "ok info_no_before_without_init_from"; fi
expect_exit 2 resume_export_refused $LOOPT train --resume "$T/A.w" --set train.steps=9 --out "$T/rw"
expect_grep "no optimizer state.*--init-from" resume_export_points_to_init_from
# bad uses
expect_exit 2 init_from_with_resume $LOOPT train configs/tiny-none.json --init-from "$A" --resume "$A"
expect_grep "do not go together" init_from_with_resume_msg
expect_exit 2 init_from_needs_config $LOOPT train --init-from "$A"
expect_grep "needs CONFIG" init_from_needs_config_msg
expect_exit 2 init_from_no_match $LOOPT train $TINY --set model.d_model=32 --init-from "$A" --out "$T/nm"
expect_grep "no tensor matches this model" init_from_no_match_msg
expect_exit 2 init_from_not_a_checkpoint $LOOPT train $TINY --init-from configs/tiny-none.json --out "$T/nc"
expect_grep "configs/tiny-none.json" init_from_not_a_checkpoint_named
[ ! -e "$T/nc" ] && echo "ok init_from_bad_file_writes_nothing" || echo "FAIL init_from_bad_file_writes_nothing"

# --- 3. never overwrite another run's checkpoint by surprise ------------------------------------
before=$(sum "$A")
expect_exit 2 out_holding_model_refused $LOOPT train $TINY --set train.steps=2 --out "$T/A"
expect_grep "already holds a checkpoint" out_holding_model_msg
expect_grep "loopt train --resume $A" out_holding_model_resume_hint
expect_grep "\-\-force" out_holding_model_force_hint
[ "$(sum "$A")" = "$before" ] && echo "ok out_holding_model_intact" || echo "FAIL out_holding_model_intact"
# --init-from into the source's own folder is another run as well
expect_exit 2 init_from_into_source_refused $LOOPT train $TINY --init-from "$A" --out "$T/A"
# --force replaces it
$LOOPT train $TINY --set train.steps=2 --out "$T/F" 2>/dev/null
expect_exit 0 out_force_replaces $LOOPT train $TINY --set train.steps=3 --force --out "$T/F"
[ "$(saved_step "$T/F/model.safetensors")" = 3 ] && echo "ok out_force_replaced" || echo "FAIL out_force_replaced"
# resuming into a folder that holds another run's checkpoint is refused too
expect_exit 2 resume_into_other_run_refused $LOOPT train --resume "$A" --set train.steps=9 --out "$T/F"
# --resume without --out writes back to the checkpoint's own folder (run from an empty folder:
# nothing may appear there, e.g. runs/resumed/)
mkdir "$T/cwd"
s=$(saved_step "$A")
(cd "$T/cwd" && $LOOPT train --resume "$A" --set train.steps=$((s + 2)) --quiet) 2>"$T/out"
[ "$(saved_step "$A")" = $((s + 2)) ] && [ -z "$(ls -A "$T/cwd")" ] && echo "ok resume_writes_back_to_its_folder" ||
    { echo "FAIL resume_writes_back_to_its_folder: step $(saved_step "$A"), cwd: $(ls -A "$T/cwd")"; head -3 "$T/out"; }
# export never writes onto its input (by any spelling or link), and replaces an OUT only with --force
before=$(sum "$A")
expect_exit 2 export_onto_itself_refused $LOOPT export "$A" "$A"
expect_grep "same file" export_onto_itself_msg
expect_exit 2 export_onto_itself_other_spelling $LOOPT export "$A" "$T/A/../A/./model.safetensors"
ln -s "$A" "$T/link.safetensors"
expect_exit 2 export_onto_itself_symlink $LOOPT export "$A" "$T/link.safetensors"
expect_exit 2 export_onto_itself_force $LOOPT export "$A" "$A" --force
[ "$(sum "$A")" = "$before" ] && echo "ok export_onto_itself_intact" || echo "FAIL export_onto_itself_intact"
expect_exit 2 export_existing_refused $LOOPT export "$A" "$T/A.w"
expect_grep "exists; pass --force" export_existing_msg
expect_exit 0 export_existing_force $LOOPT export "$A" "$T/A.w" --force

# --- 4. a bad output folder is found before the work ----------------------------------------------
touch "$T/afile"
expect_exit 2 out_is_a_file $LOOPT train $TINY --set train.steps=2 --out "$T/afile"
expect_grep "is a file, not a folder" out_is_a_file_msg
expect_exit 2 out_mkdir_reason $LOOPT train $TINY --set train.steps=2 --out /proc/loopt-nope/run
expect_grep "cannot create the folder /proc/loopt-nope: No such file or directory" out_mkdir_reason_msg
# an existing folder nobody may write into (/proc/self, even for root): refused at once, not after
# a million steps (timeout ends the old behaviour: exit 124)
expect_exit 2 out_unwritable_before_work timeout 60 $LOOPT train $TINY --set train.steps=1000000 --out /proc/self
expect_grep "cannot write a checkpoint there" out_unwritable_msg
expect_exit 0 out_parents_made $LOOPT train $TINY --set train.steps=1 --out "$T/deep/er/run"

# --- 5. interrupts -----------------------------------------------------------------------------
# wait_exit PID SECONDS: the exit status, or 124 after killing it when it outlives SECONDS
wait_exit() {
    w=0; while kill -0 "$1" 2>/dev/null && [ $w -lt $(($2 * 10)) ]; do sleep 0.1; w=$((w + 1)); done
    if kill -0 "$1" 2>/dev/null; then kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 124; fi
    wait "$1"
}
# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN
wait_for() {
    w=0; while ! grep -q "$2" "$1" 2>/dev/null && [ $w -lt $(($3 * 10)) ]; do sleep 0.1; w=$((w + 1)); done
}
# Ctrl-C while the validation split is generated (100,000 puzzles: half a minute): a message, exit 1,
# no checkpoint. (Before, the handler came after this phase: the signal was lost or fatal.)
$LOOPT train configs/tiny-none.json --set data.gen_valid=100000 --set train.steps=5 --out "$T/early" 2>"$T/early.log" &
pid=$!
wait_for "$T/early.log" "resolved config" 30
sleep 0.3
kill -INT $pid
wait_exit $pid 30; rc=$?
if [ "$rc" -eq 1 ] && grep -q "interrupted before training started: no checkpoint written" "$T/early.log" &&
   [ ! -e "$T/early/model.safetensors" ]; then echo "ok sigint_early_message"
else echo "FAIL sigint_early_message: exit $rc"; tail -2 "$T/early.log"; fi
# SIGTERM the same way
$LOOPT train configs/tiny-none.json --set data.gen_valid=100000 --set train.steps=5 --out "$T/early2" 2>"$T/early2.log" &
pid=$!
wait_for "$T/early2.log" "resolved config" 30
kill -TERM $pid
wait_exit $pid 30; rc=$?
[ "$rc" -eq 1 ] && grep -q "interrupted before training started" "$T/early2.log" && echo "ok sigterm_early_message" ||
    { echo "FAIL sigterm_early_message: exit $rc"; tail -2 "$T/early2.log"; }
# Ctrl-C during training: a complete checkpoint, no temp file, and the exact command to continue
$LOOPT train configs/tiny-none.json --set data.gen_valid=8 --set train.steps=1000000 --set train.ckpt_every=1 \
    --quiet --out "$T/int" 2>"$T/int.log" &
pid=$!
w=0; while [ ! -s "$T/int/model.safetensors" ] && [ $w -lt 300 ]; do sleep 0.1; w=$((w + 1)); done   # the first checkpoint
sleep 0.5
kill -INT $pid
wait_exit $pid 60; rc=$?
ck="$T/int/model.safetensors"
if [ "$rc" -eq 1 ] && grep -q "continue with: loopt train --resume $ck\$" "$T/int.log"; then echo "ok sigint_prints_resume_command"
else echo "FAIL sigint_prints_resume_command: exit $rc"; tail -2 "$T/int.log"; fi
$LOOPT info "$ck" >/dev/null 2>&1 && echo "ok sigint_checkpoint_complete" || echo "FAIL sigint_checkpoint_complete"
n=$(ls "$T/int" | grep -c '\.tmp\.\|loopt-probe')
[ "$n" -eq 0 ] && echo "ok sigint_no_temp_left" || echo "FAIL sigint_no_temp_left: $n"
# the printed command runs (one more step, so that it ends)
cmd=$(sed -n 's/.*continue with: loopt //p' "$T/int.log")
s=$(saved_step "$ck")
expect_exit 0 sigint_resume_command_runs $LOOPT $cmd --set train.steps=$((${s:-0} + 1)) --quiet
[ "$(saved_step "$ck")" = $((${s:-0} + 1)) ] && echo "ok sigint_resume_command_continues" ||
    echo "FAIL sigint_resume_command_continues"
echo done
