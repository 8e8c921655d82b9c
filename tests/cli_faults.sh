#!/bin/sh
# cli_faults.sh — nothing lost, nothing mixed (issue 42): the 13 kinds of failure a bad-input
# and fault probe found, one section per item of the issue (11, plot, is tests/cli_plot.sh's):
# outputs replace regular files only; --resume never cuts another run's log; one run per
# folder; stdout write errors are errors; a PNG indexing past its palette is refused; task
# detection survives a bad first line; no UBSan report for an empty --exclude folder; checkpoint
# metadata validated; --log never onto the run's own files; messages that name the real
# problem; the log continuous across a resume; SIGHUP saves, an interrupted gen ends on a whole
# record; small CLI inconsistencies. PNGs and damaged checkpoints are made here with python3
# (those checks skip without it); the device-node check needs root (skipped otherwise); the
# task-detection checks need the shipped Sudoku model (skipped without it).
. "$(dirname "$0")/lib_cli.sh"
TINY="configs/tiny-none.json --set data.gen_valid=8 --quiet"
PY=$(command -v python3 2>/dev/null)
SUDOKU_MODEL=data/models/sudoku.safetensors
MAZE_MODEL=data/models/maze.safetensors

# wait_for COND_CMD...: polls COND (a test) for up to 30 s; 0 once it holds.
wait_for() { w=0; while ! "$@" && [ $w -lt 300 ]; do sleep 0.1; w=$((w + 1)); done; "$@"; }
# stop PID: SIGKILL and reap a background job (a check that failed left it running)
stop() { kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# wait_exit PID: waits (at most 30 s) for the job to end; its exit status in $rc (999: killed)
wait_exit() {
    w=0; while kill -0 "$1" 2>/dev/null && [ $w -lt 300 ]; do sleep 0.1; w=$((w + 1)); done
    if kill -0 "$1" 2>/dev/null; then stop "$1"; rc=999; else wait "$1"; rc=$?; fi
}
check() { if eval "$2"; then echo "ok $1"; else echo "FAIL $1"; fi; }

# A small training run most sections use: 6 steps, a log line each.
$LOOPT train $TINY --set train.steps=6 --set train.log_every=1 --out "$T/run" 2>/dev/null
RUN="$T/run/model.safetensors"
$LOOPT gen maze --n 1 --size 7 --quiet >"$T/m7.txt"

# --- 1. outputs replace regular files only --------------------------------------------------------
mkfifo "$T/fifo"
expect_exit 2 faults_1_export_onto_fifo timeout 20 $LOOPT export "$RUN" "$T/fifo" --force
expect_grep "fifo: is a FIFO (named pipe), not a regular file" faults_1_export_onto_fifo_named
check faults_1_fifo_kept '[ -p "$T/fifo" ]'
expect_exit 2 faults_1_render_onto_fifo timeout 20 $LOOPT render "$T/m7.txt" --out "$T/fifo" --quiet
expect_exit 2 faults_1_log_onto_fifo timeout 20 $LOOPT train $TINY --set train.steps=2 --out "$T/f1" --log "$T/fifo"
expect_grep "is a FIFO" faults_1_log_onto_fifo_named
if [ "$(id -u)" = 0 ] && mknod "$T/null" c 1 3 2>/dev/null; then
    expect_exit 2 faults_1_export_onto_device $LOOPT export "$RUN" "$T/null" --force
    expect_grep "is a character device, not a regular file" faults_1_export_onto_device_named
    check faults_1_device_kept '[ -c "$T/null" ]'
else
    echo "skip faults_1_export_onto_device (needs root for mknod)"
fi

# --- 2. --resume never cuts another run's log without --force ---------------------------------
$LOOPT train $TINY --set train.steps=20 --set train.log_every=2 --out "$T/A" 2>/dev/null
cp "$T/A/train.jsonl" "$T/A.jsonl"
$LOOPT train $TINY --set train.steps=3 --out "$T/B" 2>/dev/null
expect_exit 2 faults_2_resume_other_log_refused $LOOPT train --resume "$T/B/model.safetensors" --set train.steps=6 \
    --log "$T/A/train.jsonl"
expect_grep "not known as this run's" faults_2_resume_other_log_named
expect_grep "pass --force" faults_2_resume_other_log_force_hint
check faults_2_other_log_intact 'cmp -s "$T/A.jsonl" "$T/A/train.jsonl"'
# the run's own log, named with --log, still resumes (the checkpoint records it)
$LOOPT train $TINY --set train.steps=3 --out "$T/B2" --log "$T/B2.jsonl" 2>/dev/null
expect_exit 0 faults_2_resume_own_named_log $LOOPT train --resume "$T/B2/model.safetensors" --set train.steps=5 \
    --log "$T/B2.jsonl"
expect_exit 0 faults_2_resume_other_log_force $LOOPT train --resume "$T/B/model.safetensors" --set train.steps=6 \
    --log "$T/A/train.jsonl" --force

# --- 3. one run per folder ---------------------------------------------------------------------------
$LOOPT train $TINY --set train.steps=1000000 --set train.log_every=1 --out "$T/L" 2>"$T/L.err" &
first=$!
wait_for test -s "$T/L/train.jsonl"
expect_exit 2 faults_3_second_run_refused $LOOPT train $TINY --set train.steps=3 --set train.seed=9 --out "$T/L" --force
expect_grep "another loopt train (pid $first) is running in this folder" faults_3_second_run_named
# nor may another run put its --log into that folder, --force or not
expect_exit 2 faults_3_log_into_running_folder $LOOPT train $TINY --set train.steps=3 --out "$T/L2" \
    --log "$T/L/train.jsonl" --force
expect_grep "is in the folder of a running loopt train (pid $first" faults_3_log_into_running_folder_named
kill -TERM $first; wait_exit $first
check faults_3_first_run_unharmed '[ $rc -eq 1 ] && grep -q "checkpoint saved" "$T/L.err" && $LOOPT info "$T/L/model.safetensors" >/dev/null 2>&1'
check faults_3_lock_file_removed '[ ! -e "$T/L/train.lock" ]'
# a lock file left by a killed run (no process holds its lock) does not block the next one
echo 999999 >"$T/L/train.lock"
saved=$($LOOPT info "$T/L/model.safetensors" 2>/dev/null | sed -n 's/^steps: *\([0-9]*\).*/\1/p')
expect_exit 0 faults_3_stale_lock_ignored $LOOPT train --resume "$T/L/model.safetensors" --set train.steps=$((saved + 1))

# --- 4. stdout write errors are errors ----------------------------------------------------------
$LOOPT gen sudoku --n 4 --solutions --quiet >"$T/s4.csv"
if [ -w /dev/full ]; then
    # (expect_exit sends stdout to a file: these run through sh -c to reach /dev/full)
    expect_exit 1 faults_4_gen_dev_full sh -c '"$0" gen sudoku --n 3 --quiet >/dev/full' $LOOPT
    expect_grep "<stdout>: write failed: No space left on device" faults_4_gen_dev_full_named
    expect_exit 1 faults_4_gen_maze_dev_full sh -c '"$0" gen maze --n 50 --size 15 --quiet >/dev/full' $LOOPT
    expect_exit 1 faults_4_check_dev_full sh -c '"$0" check "$1" >/dev/full' $LOOPT "$T/s4.csv"
    expect_exit 1 faults_4_info_dev_full sh -c '"$0" info "$1" >/dev/full' $LOOPT "$RUN"
    expect_exit 1 faults_4_config_dev_full sh -c '"$0" config "$1" >/dev/full' $LOOPT configs/tiny-none.json
    expect_exit 1 faults_4_bench_json_dev_full sh -c '"$0" bench "$1" --only train --reps 1 --json >/dev/full' \
        $LOOPT configs/tiny-none.json
    expect_exit 1 faults_4_solve_dev_full sh -c '"$0" solve --model "$1" --iters 1 --quiet "$2" >/dev/full' \
        $LOOPT "$RUN" "$T/s4.csv"
    expect_exit 1 faults_4_eval_dev_full sh -c '"$0" eval --model "$1" --iters 1 --data "$2" --quiet >/dev/full' \
        $LOOPT "$RUN" "$T/s4.csv"
    expect_exit 1 faults_4_help_dev_full sh -c '"$0" gen --help >/dev/full' $LOOPT
else
    echo "skip faults_4_dev_full (no writable /dev/full)"
fi
expect_exit 1 faults_4_gen_closed_stdout sh -c '"$0" gen sudoku --n 3 --quiet >&-' $LOOPT
expect_grep "<stdout>: write failed: stdout is closed" faults_4_gen_closed_stdout_named
# a command that writes nothing on stdout is fine with it closed
expect_exit 0 faults_4_nothing_written_closed_stdout sh -c '"$0" export "$1" "$2" >&-' $LOOPT "$RUN" "$T/e4.safetensors"

# --- 5 and 10. hostile and hand-drawn PNGs ------------------------------------------------------
if [ -n "$PY" ]; then
    cat >"$T/png.py" <<'EOF'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
def png(w, h, ctype, rows, plte=None, iend=True, depth=8, interlace=0):
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace))
    if plte is not None: out += chunk(b"PLTE", bytes(c for rgb in plte for c in rgb))
    out += chunk(b"IDAT", zlib.compress(b"".join(b"\0" + bytes(r) for r in rows)))
    return out + (chunk(b"IEND", b"") if iend else b"")
kind, path = sys.argv[1], sys.argv[2]
W, B, G, R, BL = (255, 255, 255), (0, 0, 0), (0, 255, 0), (255, 0, 0), (0, 0, 255)
maze = ["#####", "#S  #", "# # #", "#  G#", "#####"]
col = {"#": B, " ": W, "S": G, "G": R, "o": BL}
idx = {"#": 1, " ": 0, "S": 2, "G": 3}
if kind == "past_plte":     # colour type 3, PLTE of 2 colours, pixels 2..4 index past it
    data = png(5, 5, 3, [[(x + y) % 5 for x in range(5)] for y in range(5)], plte=[W, B])
elif kind == "past_plte_4bit":   # the same at 4 bits per pixel, one index out of range at (3, 4)
    rows = [[idx[ch] for ch in row] for row in maze]
    rows[4][3] = 7
    data = png(5, 5, 3, [[(r[i] << 4) | (r[i + 1] if i + 1 < 5 else 0) for i in range(0, 5, 2)] for r in rows],
               plte=[W, B, G, R], depth=4)
elif kind == "in_plte":     # the maze as a palette PNG whose indices stay inside PLTE
    data = png(5, 5, 3, [[idx[ch] for ch in row] for row in maze], plte=[W, B, G, R])
elif kind == "no_iend":
    data = png(5, 5, 2, [[c for ch in row for c in col[ch]] for row in maze], iend=False)
elif kind == "pure":        # drawn in pure #00ff00 / #ff0000 / #0000ff, with its path
    m = ["#####", "#Soo#", "# #o#", "#  G#", "#####"]
    data = png(5, 5, 2, [[c for ch in row for c in col[ch]] for row in m])
elif kind == "off":         # a colour 60 off the palette's green: still refused
    data = png(5, 5, 2, [[c for ch in row for c in ((60, 140, 60) if ch == "S" else col[ch])] for row in maze])
open(path, "wb").write(data)
EOF
    for k in past_plte past_plte_4bit in_plte no_iend pure off; do "$PY" "$T/png.py" $k "$T/$k.png"; done
    expect_exit 2 faults_5_palette_past_plte $LOOPT render "$T/past_plte.png" --out "$T/x.png" --quiet
    expect_grep "is palette entry 2, but the PLTE chunk holds only 2 colours" faults_5_palette_past_plte_named
    expect_exit 2 faults_5_palette_past_plte_4bit $LOOPT render "$T/past_plte_4bit.png" --out "$T/x.png" --quiet
    expect_grep "pixel (x=3, y=4) is palette entry 7" faults_5_palette_past_plte_4bit_named
    expect_exit 0 faults_5_palette_in_plte $LOOPT render "$T/in_plte.png" --out "$T/x.png" --quiet
    expect_exit 2 faults_10_png_no_iend $LOOPT render "$T/no_iend.png" --out "$T/x.png" --quiet
    expect_grep "without the IEND chunk" faults_10_png_no_iend_reason
    expect_exit 0 faults_10_png_pure_colours $LOOPT render "$T/pure.png" --out "$T/x.png" --quiet
    expect_exit 0 faults_10_png_pure_colours_read $LOOPT check "$T/pure.png"
    expect_grep "1 valid, 0 invalid" faults_10_png_pure_colours_valid
    expect_exit 2 faults_10_png_off_colour $LOOPT render "$T/off.png" --out "$T/x.png" --quiet
    expect_grep "#3c8c3c, not in the maze palette (white #ffffff open, .*green #00c800 or #00ff00 S.*within 48" \
        faults_10_png_off_colour_names_colours
else
    echo "skip faults_5_png (no python3)"
fi

# --- 6. task detection survives a bad first line -----------------------------------------------
$LOOPT gen sudoku --n 4 --quiet >"$T/p4.txt"
{ printf '1.3\0004\n'; cat "$T/p4.txt"; } >"$T/nul.txt"
{ head -c 70000 /dev/zero | tr '\0' '1'; echo; cat "$T/p4.txt"; } >"$T/long.txt"
{ printf 'a\000b\n'; cat "$T/s4.csv"; } >"$T/nul.csv"
{ head -c 70000 /dev/zero | tr '\0' 'x'; echo; cat "$T/s4.csv"; } >"$T/long.csv"
if [ -f "$SUDOKU_MODEL" ]; then
    for f in nul long; do
        expect_exit 1 "faults_6_solve_${f}_first_line" $LOOPT solve --iters 1 --fixed --quiet "$T/$f.txt"
        check "faults_6_solve_${f}_first_line_answers" '[ "$(grep -c "^[1-9.]\{81\}$" "$T/out")" -eq 4 ]'
        expect_exit 1 "faults_6_eval_${f}_first_line" $LOOPT eval --iters 1 --fixed --quiet --data "$T/$f.txt"
        expect_grep "^1,[0-9.]*,[0-9.]*,1.00," "faults_6_eval_${f}_first_line_row"
    done
else
    echo "skip faults_6_solve (no $SUDOKU_MODEL)"
fi
for f in nul long; do
    expect_exit 2 "faults_6_check_${f}_first_line" $LOOPT check "$T/$f.csv"
    expect_grep "^4 valid, 0 invalid" "faults_6_check_${f}_first_line_counts"
done

# --- 7. an empty --exclude folder (UBSan: qsort(NULL, 0, ...)) ------------------------------------
mkdir "$T/empty"
expect_exit 2 faults_7_exclude_empty_folder $LOOPT gen sudoku --n 1 --level easy --exclude "$T/empty"
expect_grep "no Sudoku puzzle files in this folder" faults_7_exclude_empty_folder_named
check faults_7_no_sanitizer_report '! grep -q "runtime error\|AddressSanitizer" "$T/out"'
expect_exit 2 faults_7_against_empty_folder $LOOPT check --against "$T/empty" "$T/s4.csv"
check faults_7_against_no_sanitizer_report '! grep -q "runtime error\|AddressSanitizer" "$T/out"'

# --- 8. checkpoint metadata validated on load ---------------------------------------------------
if [ -n "$PY" ]; then
    cat >"$T/setmeta.py" <<'EOF'
import json, struct, sys
src, dst, key, val = sys.argv[1:5]
raw = open(src, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
h["__metadata__"][key] = val
j = json.dumps(h, separators=(",", ":")).encode()
j += b" " * ((8 - (8 + len(j)) % 8) % 8)
open(dst, "wb").write(struct.pack("<Q", len(j)) + j + raw[8 + n:])
EOF
    for kv in step=abc step=-5 step=1e3 step=99999999999999999999 elapsed_s=nan prior_steps=x \
              'log_sums={"loss": 1}'; do
        k=${kv%%=*} v=${kv#*=}
        name=$(printf '%s' "$v" | tr -c 'a-z0-9' '_')
        "$PY" "$T/setmeta.py" "$RUN" "$T/bad.safetensors" "$k" "$v"
        expect_exit 2 "faults_8_resume_${k}_${name}" $LOOPT train --resume "$T/bad.safetensors" --set train.steps=9 --out "$T/bad"
        expect_grep "bad.safetensors: __metadata__.$k: expected" "faults_8_resume_${k}_${name}_named"
    done
    "$PY" "$T/setmeta.py" "$RUN" "$T/bad.safetensors" step abc
    expect_exit 2 faults_8_info_step_abc $LOOPT info "$T/bad.safetensors"
    expect_grep "__metadata__.step: expected an integer in \[0, 1000000000000\], got \"abc\"" faults_8_info_step_abc_named
    "$PY" "$T/setmeta.py" "$RUN" "$T/bad.safetensors" step 7
    expect_exit 2 faults_8_step_past_train_steps $LOOPT train --resume "$T/bad.safetensors" --set train.steps=9 --out "$T/bad"
    expect_grep "__metadata__.step: 7 is past its config's train.steps 6" faults_8_step_past_train_steps_named
else
    echo "skip faults_8_metadata (no python3)"
fi

# --- 9. --log never onto the run's own files ----------------------------------------------------
cp "$T/run/config.json" "$T/config.keep"
for f in config.json model.safetensors train.lock model.safetensors.tmp.77; do
    expect_exit 2 "faults_9_log_onto_$f" $LOOPT train --resume "$RUN" --set train.steps=8 --log "$T/run/$f" --force
    expect_grep "the training log needs a file of its own" "faults_9_log_onto_${f}_named"
done
check faults_9_config_intact 'cmp -s "$T/config.keep" "$T/run/config.json"'
expect_exit 2 faults_9_fresh_log_onto_config $LOOPT train $TINY --set train.steps=2 --out "$T/run9" \
    --log "$T/run9/./config.json" --force
expect_grep "is the run's resolved config" faults_9_fresh_log_onto_config_named

# --- 10. messages that name the real problem ----------------------------------------------------
echo "my notes" >"$T/notes.txt"
expect_exit 2 faults_10_log_not_a_log $LOOPT train $TINY --set train.steps=2 --out "$T/n" --log "$T/notes.txt"
expect_grep "notes.txt: holds something that is not a training log" faults_10_log_not_a_log_named
check faults_10_log_not_a_log_intact '[ "$(cat "$T/notes.txt")" = "my notes" ]'
$LOOPT gen maze --n 3 --size 7 --quiet >"$T/mazes.txt"
$LOOPT gen maze --n 3 --size 7 --solutions --quiet >"$T/mazes.csv"
expect_exit 2 faults_10_against_mazes $LOOPT check --against "$T/mazes.txt" "$T/s4.csv"
expect_grep "mazes.txt: these look like mazes, not Sudoku puzzles" faults_10_against_mazes_named
expect_exit 2 faults_10_exclude_mazes $LOOPT gen sudoku --n 1 --exclude "$T/mazes.txt"
expect_grep "these look like mazes, not Sudoku puzzles" faults_10_exclude_mazes_named
expect_exit 2 faults_10_data_train_mazes $LOOPT train $TINY --set "data.train=$T/mazes.csv" --set train.steps=2 --out "$T/m"
expect_grep "mazes.csv: these look like mazes, not Sudoku puzzles (data.train of a sudoku task)" faults_10_data_train_mazes_named

# --- 12. the log reads as one run across a resume -------------------------------------------------
LOG20="--set train.log_every=20 --set train.eval_every=0"
$LOOPT train $TINY $LOG20 --set train.steps=50 --out "$T/straight" 2>/dev/null
$LOOPT train $TINY $LOG20 --set train.steps=30 --out "$T/resumed" 2>/dev/null
$LOOPT train --resume "$T/resumed/model.safetensors" --set train.steps=50 --quiet 2>/dev/null
# the lines on the cadence (steps 20, 40, 50), less their timings
lines() { grep -v '"eval"' "$1" | grep -e '"step": [245]0,' | sed 's/"samples_per_s": [^,]*, //; s/, "elapsed_s": [^}]*//'; }
check faults_12_log_continuous_across_resume \
    '[ "$(lines "$T/straight/train.jsonl" | wc -l)" -eq 3 ] && [ "$(lines "$T/straight/train.jsonl")" = "$(lines "$T/resumed/train.jsonl")" ]'
[ -n "$FAULTS_VERBOSE" ] && { lines "$T/straight/train.jsonl"; lines "$T/resumed/train.jsonl"; }

# --- 13. signals ------------------------------------------------------------------------------------
$LOOPT train $TINY --set train.steps=1000000 --set train.log_every=1 --out "$T/hup" 2>"$T/hup.err" &
pid=$!
wait_for test -s "$T/hup/train.jsonl"
kill -HUP $pid; wait_exit $pid
check faults_13_sighup_exit_1 '[ $rc -eq 1 ]'
check faults_13_sighup_checkpoint_saved 'grep -q "interrupted at step [0-9]* of 1000000: checkpoint saved" "$T/hup.err" && $LOOPT info "$T/hup/model.safetensors" >/dev/null 2>&1'
$LOOPT gen sudoku --n 100000000 --seed 5 >"$T/big.txt" 2>"$T/big.err" &
pid=$!
big() { [ -f "$T/big.txt" ] && [ "$(wc -c <"$T/big.txt")" -gt 200000 ]; }
wait_for big
kill -INT $pid; wait_exit $pid
check faults_13_gen_sigint_exit_1 '[ $rc -eq 1 ] && grep -q "gen: interrupted after [0-9]* of 100000000 puzzles" "$T/big.err"'
check faults_13_gen_sigint_whole_records \
    '[ "$(tail -c 1 "$T/big.txt" | od -An -c | tr -d " ")" = "\\n" ] && ! grep -qv "^[1-9.]\{81\}$" "$T/big.txt"'
n=$(wc -l <"$T/big.txt")
check faults_13_gen_sigint_prefix '$LOOPT gen sudoku --n "$n" --seed 5 --quiet | cmp -s - "$T/big.txt"'

# --- 14. small CLI inconsistencies --------------------------------------------------------------
expect_exit 2 faults_14_fixed_and_halt $LOOPT solve --fixed --halt kl "$T/p4.txt"
expect_grep "solve: --fixed and --halt kl both choose the halting rule" faults_14_fixed_and_halt_named
expect_exit 2 faults_14_halt_and_fixed_eval $LOOPT eval --halt converge --fixed --data "$T/p4.txt"
expect_grep "eval: --halt converge and --fixed both" faults_14_halt_and_fixed_eval_named
$LOOPT export "$RUN" "$T/ema.safetensors" 2>/dev/null
expect_exit 2 faults_14_export_raw_of_ema_export $LOOPT export "$T/ema.safetensors" "$T/raw.safetensors" --raw
expect_grep "is an export of its run's EMA weights only" faults_14_export_raw_of_ema_export_named
for v in 2, ,2 2,,4 ,; do
    expect_exit 2 "faults_14_iters_$(printf '%s' "$v" | tr ',' 'c')" $LOOPT eval --model "$RUN" --data "$T/p4.txt" --iters "$v"
    expect_grep "expected a comma-separated list of counts" "faults_14_iters_$(printf '%s' "$v" | tr ',' 'c')_named"
done
expect_exit 2 faults_14_tries_out_of_range $LOOPT solve --model "$RUN" --tries 99999999999999999999 "$T/p4.txt"
expect_grep "\-\-tries: 99999999999999999999 is out of range" faults_14_tries_out_of_range_named
printf '#####\n#S G#\n#####\n\n#####\n#S?G#\n#####\n\n#####\n#SG #\n#####\n' >"$T/m3.txt"
expect_exit 0 faults_14_render_index_past_bad_maze $LOOPT render "$T/m3.txt" --index 2 --out "$T/m3.png" --quiet
expect_exit 2 faults_14_render_index_of_bad_maze $LOOPT render "$T/m3.txt" --index 1 --out "$T/m3.png" --quiet
expect_grep "m3.txt:6: bad character '?'.*(maze 1 of the file, --index 1)" faults_14_render_index_of_bad_maze_named
expect_exit 2 faults_14_render_index_past_end $LOOPT render "$T/m3.txt" --index 3 --out "$T/m3.png" --quiet
expect_grep "has 3 mazes, --index 3 is out of range" faults_14_render_index_past_end_named
expect_exit 2 faults_14_solve_stdin_closed sh -c '"$0" solve --model "$1" - <&-' $LOOPT "$RUN"
expect_grep "<stdin>: stdin is closed" faults_14_solve_stdin_closed_named
expect_exit 2 faults_14_check_stdin_closed sh -c '"$0" check - <&-' $LOOPT
expect_grep "<stdin>: stdin is closed" faults_14_check_stdin_closed_named
echo done
