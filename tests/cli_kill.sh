#!/bin/sh
# cli_kill.sh — crash safety of checkpoints: SIGKILL at random moments (most of them during a
# save, since a tiny model saves every step and the save's fsync dominates), a full disk while
# saving, a checkpoint whose tensors do not fit its config, one from a newer format, and the
# NaN guard. In every case the checkpoint on disk must load (`loopt info` exits 0) and resume.
. "$(dirname "$0")/lib_cli.sh"
TINY="configs/tiny-none.json --set data.gen_valid=8 --quiet"
K="$T/k/model.safetensors"

# saved step of a checkpoint, from `loopt info`
saved_step() { $LOOPT info "$1" 2>/dev/null | sed -n 's/^steps: *\([0-9]*\).*/\1/p'; }

# --- SIGKILL at random moments, 5 times, into the same folder --------------------------------
kills=5 loaded=0 resumed=0 tmps=0 steps=""
i=0
while [ $i -lt $kills ]; do
    i=$((i + 1))
    # --force: each fresh run replaces the previous run's checkpoint in the folder (at its first save)
    $LOOPT train $TINY --set train.ckpt_every=1 --set train.steps=100000 --force --out "$T/k" 2>/dev/null &
    pid=$!
    # the first run: wait (at most 20 s) for its first checkpoint, so every kill has one to protect
    w=0; while [ ! -s "$K" ] && [ $w -lt 200 ]; do sleep 0.1; w=$((w + 1)); done
    ms=$((300 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 1700))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    if $LOOPT info "$K" >/dev/null 2>"$T/err"; then
        loaded=$((loaded + 1))
        s=$(saved_step "$K"); steps="$steps ${s:-?}@${ms}ms"
        if [ -n "$s" ] && $LOOPT train --resume "$K" --set train.steps=$((s + 1)) --quiet --out "$T/k" 2>"$T/err" &&
           [ "$(saved_step "$K")" = $((s + 1)) ]; then
            resumed=$((resumed + 1))
        else
            echo "    resume after kill $i (step $s) failed:"; sed 's/^/    /' "$T/err" | head -3
        fi
    else
        echo "    kill $i after ${ms} ms: checkpoint does not load:"; sed 's/^/    /' "$T/err" | head -3
    fi
done
tmps=$(ls "$T/k" | grep -c '\.tmp\.')
echo "    $kills kills, steps saved at kill time:$steps; $tmps leftover .tmp files (tolerated)"
[ $loaded -eq $kills ] && echo "ok kill_checkpoint_always_loads" || echo "FAIL kill_checkpoint_always_loads: $loaded of $kills"
[ $resumed -eq $kills ] && echo "ok kill_checkpoint_resumes" || echo "FAIL kill_checkpoint_resumes: $resumed of $kills"

# --- a full disk while saving: the save fails with a message, exit 1, the old file intact -----
# `ulimit -f` (file size limit, below one checkpoint of ~120 KB whether the shell counts 512 or
# 1024-byte blocks) makes write() fail with EFBIG, as ENOSPC would on a full disk; SIGXFSZ is
# ignored so the write fails instead of killing the process (an ignored signal survives exec).
$LOOPT train $TINY --set train.steps=3 --out "$T/d" 2>/dev/null
before=$(cksum < "$T/d/model.safetensors")
expect_exit 1 disk_full_save_fails sh -c 'trap "" XFSZ; ulimit -f 100; exec "$0" "$@"' \
    $LOOPT train --resume "$T/d/model.safetensors" --set train.steps=5 --quiet --out "$T/d"
expect_grep "saving the checkpoint failed" disk_full_message
[ "$(cksum < "$T/d/model.safetensors")" = "$before" ] && $LOOPT info "$T/d/model.safetensors" >/dev/null 2>&1 &&
    echo "ok disk_full_previous_checkpoint_intact" || echo "FAIL disk_full_previous_checkpoint_intact"
n=$(ls "$T/d" | grep -c '\.tmp\.')
[ "$n" -eq 0 ] && echo "ok disk_full_no_temp_left" || echo "FAIL disk_full_no_temp_left: $n temp files"

# --- checkpoints that do not match: wrong tensor shapes for the config, a newer format --------
# Edit bytes in place at the offset grep finds (same length, so the header length stays right).
patch() {   # patch FILE REGEX NEW: overwrite the first match of REGEX with NEW (same length)
    off=$(grep -obUa -m1 -- "$2" "$1" | head -1 | cut -d: -f1)
    [ -n "$off" ] && printf '%s' "$3" | dd of="$1" bs=1 seek="$off" conv=notrunc 2>/dev/null
}
cp "$T/d/model.safetensors" "$T/shape.safetensors"
patch "$T/shape.safetensors" 'd_model\\": 16' 'd_model\": 24'   # config says 24, tensors are 16 wide
expect_exit 2 ckpt_wrong_shape_refused $LOOPT train --resume "$T/shape.safetensors" --set train.steps=9 --out "$T/s"
expect_grep "has shape .*expected" ckpt_wrong_shape_message
expect_exit 2 ckpt_wrong_shape_info $LOOPT info "$T/shape.safetensors"
cp "$T/d/model.safetensors" "$T/newer.safetensors"
patch "$T/newer.safetensors" '"loopt-1"' '"loopt-9"'
expect_exit 2 ckpt_newer_format_refused $LOOPT train --resume "$T/newer.safetensors" --set train.steps=9 --out "$T/s"
expect_grep "loopt-9.*newer" ckpt_newer_format_message
expect_exit 2 ckpt_newer_format_info $LOOPT info "$T/newer.safetensors"

# --- NaN guard: a run that diverges stops naming the step, exit 1, last checkpoint intact ------
# lr 10 with weight decay 1 makes AdamW's decay step w -= 10*w flip and grow the weights
# ninefold each step until they overflow (a NaN about 7 steps after the step-4 checkpoint).
# The run that diverges is a resumed one (--resume may not change train.lr, so the first 4
# steps already use it): its last checkpoint is the step-4 one.
BLOWUP="--set train.lr=10 --set train.weight_decay=1 --set train.warmup=0"
$LOOPT train $TINY $BLOWUP --set train.steps=4 --out "$T/n" 2>/dev/null
before=$(cksum < "$T/n/model.safetensors")
expect_exit 1 nan_stops $LOOPT train --resume "$T/n/model.safetensors" --set train.steps=1000 \
    --set train.ckpt_every=1000 --quiet --out "$T/n"
expect_grep "step [0-9]*: the \(loss\|gradient of [a-z0-9]*\).* is not finite" nan_names_step_and_tensor
[ "$(cksum < "$T/n/model.safetensors")" = "$before" ] && [ "$(saved_step "$T/n/model.safetensors")" = 4 ] &&
    echo "ok nan_last_checkpoint_intact" || echo "FAIL nan_last_checkpoint_intact"

# train.on_nan = skip: bad batches are skipped with a warning; when every batch is bad the run
# still stops (after 100 in a row), the checkpoint intact
expect_exit 1 nan_skip_gives_up $LOOPT train --resume "$T/n/model.safetensors" --set train.steps=1000 \
    --set train.ckpt_every=1000 --set train.on_nan=skip --quiet --out "$T/n"
expect_grep "batch skipped" nan_skip_warns
expect_grep "too many batches in a row" nan_skip_stops
[ "$(cksum < "$T/n/model.safetensors")" = "$before" ] &&
    echo "ok nan_skip_checkpoint_intact" || echo "FAIL nan_skip_checkpoint_intact"

# --- exact resume, bit for bit: 12 steps straight vs 6 + resume to 12 -------------------------
# (tests/cli_train.sh compares the losses; this compares every tensor: weights, EMA, Adam moments,
# RNG streams.) The data sections must be identical; the headers differ only in elapsed_s.
data_section() {   # bytes after the 8-byte length and the JSON header
    n=$(od -An -N8 -tu8 "$1" | tr -d ' ')
    tail -c +$((8 + n + 1)) "$1" | cksum
}
$LOOPT train $TINY --set train.steps=12 --out "$T/r12" 2>/dev/null
$LOOPT train $TINY --set train.steps=6 --out "$T/r6" 2>/dev/null
$LOOPT train --resume "$T/r6/model.safetensors" --set train.steps=12 --quiet --out "$T/r6" 2>/dev/null
if [ -s "$T/r12/model.safetensors" ] && [ "$(saved_step "$T/r6/model.safetensors")" = 12 ] &&
   [ "$(data_section "$T/r12/model.safetensors")" = "$(data_section "$T/r6/model.safetensors")" ]; then
    echo "ok resume_bit_exact_all_tensors"
else
    echo "FAIL resume_bit_exact_all_tensors"
fi
echo done
