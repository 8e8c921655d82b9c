#!/bin/sh
# cli_io.sh — puzzle input and output (issue 15): one output record per input entry, always
# (a skipped entry keeps its place: `# skipped: line L: reason` in text, an error object in
# json; mazes too, and a maze size the model cannot take); --mark and --strict; every input read
# once (stdin, a pipe as /dev/stdin, process substitution, a named FIFO) in solve, eval and
# check; --out checked writable before the model runs; and the messages that used to mislead
# (task mismatch, tiny mazes taken for Sudoku, a huge PNG header, check's `loopt:` prefix).
# Uses the shipped models in data/models (skipped without them) and one tiny maze model
# trained here.
. "$(dirname "$0")/lib_cli.sh"

SM=data/models/sudoku.safetensors; MM=data/models/maze.safetensors
if [ ! -f "$SM" ] || [ ! -f "$MM" ]; then
    echo "skip io_needs_models (no data/models/sudoku.safetensors or maze.safetensors)"
    echo done
    exit 0
fi
# run CMD... with a time limit where the system has one: a FIFO bug hangs instead of failing
TO=; command -v timeout >/dev/null 2>&1 && TO="timeout 60"

# --- item 3: one record per entry, in input order ----------------------------------------------
"$LOOPT" gen sudoku --n 10 --seed 21 --quiet >"$T/p10.txt"
# the same puzzles with a malformed line inserted as line 5: 11 entries
{ head -4 "$T/p10.txt"; echo "12345"; tail -6 "$T/p10.txt"; } >"$T/bad5.txt"
"$LOOPT" solve --model "$SM" --iters 1 --quiet "$T/p10.txt" >"$T/good.out" 2>/dev/null
expect_exit 1 io_skipped_line_exit "$LOOPT" solve --model "$SM" --iters 1 "$T/bad5.txt"
"$LOOPT" solve --model "$SM" --iters 1 --quiet "$T/bad5.txt" >"$T/bad5.out" 2>/dev/null
# 11 entries, 11 lines; line 5 the placeholder; every other line the answer of its own puzzle
if [ "$(wc -l <"$T/bad5.out")" -eq 11 ]; then echo "ok io_one_line_per_entry"
else echo "FAIL io_one_line_per_entry: $(wc -l <"$T/bad5.out") lines for 11 entries"; fi
if [ "$(sed -n 5p "$T/bad5.out")" = "# skipped: line 5: 5 cells, expected 81 on one line, a grid row of 9, or puzzle,solution" ]
then echo "ok io_placeholder_line"; else echo "FAIL io_placeholder_line: $(sed -n 5p "$T/bad5.out")"; fi
if sed 5d "$T/bad5.out" | cmp -s - "$T/good.out"; then echo "ok io_answers_stay_beside_their_puzzles"
else echo "FAIL io_answers_stay_beside_their_puzzles"; fi
# the lines around the hole and the last one: each equals its puzzle solved alone
for n in 4 6 11; do
    sed -n "${n}p" "$T/bad5.txt" | "$LOOPT" solve --model "$SM" --iters 1 --quiet - >"$T/one.out" 2>/dev/null
    if [ "$(sed -n "${n}p" "$T/bad5.out")" = "$(cat "$T/one.out")" ]; then echo "ok io_line_${n}_answers_puzzle_${n}"
    else echo "FAIL io_line_${n}_answers_puzzle_${n}"; fi
done
# skipped entries first and last, and a comment line (not an entry)
{ echo "x"; echo "# a comment"; head -3 "$T/p10.txt"; echo "1234"; } >"$T/ends.txt"
"$LOOPT" solve --model "$SM" --iters 1 --quiet "$T/ends.txt" >"$T/ends.out" 2>/dev/null
if [ "$(wc -l <"$T/ends.out")" -eq 5 ] && sed -n 1p "$T/ends.out" | grep -q '^# skipped: line 1: ' &&
   sed -n 5p "$T/ends.out" | grep -q '^# skipped: line 6: ' && [ "$(grep -c '^[.0-9]\{81\}$' "$T/ends.out")" -eq 3 ]
then echo "ok io_placeholders_first_and_last"; else echo "FAIL io_placeholders_first_and_last"; cat "$T/ends.out"; fi
# json: an error object in the entry's place, the others unchanged
"$LOOPT" solve --model "$SM" --iters 1 --quiet --format json "$T/bad5.txt" >"$T/bad5.json" 2>/dev/null
"$LOOPT" solve --model "$SM" --iters 1 --quiet --format json "$T/p10.txt" >"$T/good.json" 2>/dev/null
if [ "$(wc -l <"$T/bad5.json")" -eq 11 ] &&
   [ "$(sed -n 5p "$T/bad5.json")" = '{"line": 5, "error": "5 cells, expected 81 on one line, a grid row of 9, or puzzle,solution"}' ]
then echo "ok io_json_error_object"; else echo "FAIL io_json_error_object"; sed -n 5p "$T/bad5.json"; fi
sed 's/^{"line": [0-9]*,//' "$T/good.json" >"$T/g.j"
if sed 5d "$T/bad5.json" | sed 's/^{"line": [0-9]*,//' | cmp -s - "$T/g.j"; then echo "ok io_json_others_unchanged"; else echo "FAIL io_json_others_unchanged"; fi
if [ "$(sed -n 6p "$T/bad5.json" | cut -c1-12)" = '{"line": 6, ' ]; then echo "ok io_json_line_numbers"
else echo "FAIL io_json_line_numbers"; fi
# a 9-line grid with a bad 4th row is one entry, one placeholder
"$LOOPT" gen sudoku --n 2 --seed 5 --quiet | sed 's/\(.........\)/\1\n/g' | grep . >"$T/grids.txt"
sed '4s/^.//' "$T/grids.txt" >"$T/grids_bad.txt"
"$LOOPT" solve --model "$SM" --iters 1 --quiet "$T/grids_bad.txt" >"$T/grids.out" 2>/dev/null
if [ "$(wc -l <"$T/grids.out")" -eq 2 ] && sed -n 1p "$T/grids.out" | grep -q '^# skipped: line 4: grid row has 8 cells'
then echo "ok io_bad_grid_one_record"; else echo "FAIL io_bad_grid_one_record"; cat "$T/grids.out"; fi

# mazes: a bad grid in the middle gives a one-line record (and its blank line) in its place,
# naming the line of the problem (the grid's 4th row, line 12)
"$LOOPT" gen maze --n 3 --size 7 --seed 8 --quiet >"$T/m3.txt"
awk 'BEGIN { RS = ""; ORS = "\n\n" } NR == 2 { sub(/S/, "x") } { print }' "$T/m3.txt" >"$T/m3bad.txt"
"$LOOPT" solve --model "$MM" --iters 2 --quiet "$T/m3bad.txt" >"$T/m3.out" 2>/dev/null
recs=$(awk 'BEGIN { RS = "" } END { print NR }' "$T/m3.out")
rec2=$(awk 'BEGIN { RS = "" } NR == 2 { print }' "$T/m3.out")
if [ "$recs" -eq 3 ] && echo "$rec2" | grep -q "^# skipped: line 12: bad character 'x'" && [ "$(echo "$rec2" | wc -l)" -eq 1 ]
then echo "ok io_maze_placeholder_record"; else echo "FAIL io_maze_placeholder_record ($recs records)"; cat "$T/m3.out"; fi
# a maze size the model cannot take (learned 7x7 coordinates): a placeholder too, and --out
# numbers pictures by entry (none for the skipped one)
tiny="--set task=maze --set data.maze_size=7 --set train.steps=3 --set data.gen_train=8 --set data.gen_valid=4 --quiet"
if "$LOOPT" train configs/tiny-none.json $tiny --out "$T/mc" >/dev/null 2>&1; then
    { "$LOOPT" gen maze --n 1 --size 7 --seed 1 --quiet; "$LOOPT" gen maze --n 1 --size 9 --seed 2 --quiet
      "$LOOPT" gen maze --n 1 --size 7 --seed 3 --quiet; } >"$T/msz.txt"
    expect_exit 1 io_maze_size_skipped "$LOOPT" solve --model "$T/mc/model.safetensors" --iters 1 --out "$T/o.png" "$T/msz.txt"
    expect_grep 'msz.txt:9: maze is 9x9 but the model learned coordinates for 7x7' io_maze_size_msg
    "$LOOPT" solve --model "$T/mc/model.safetensors" --iters 1 --quiet --format json "$T/msz.txt" >"$T/msz.json" 2>/dev/null
    if [ "$(wc -l <"$T/msz.json")" -eq 3 ] && sed -n 2p "$T/msz.json" | grep -q '^{"line": 9, "error": "maze is 9x9 but'
    then echo "ok io_maze_size_json_error"; else echo "FAIL io_maze_size_json_error"; cat "$T/msz.json"; fi
    if [ -s "$T/o-0.png" ] && [ ! -e "$T/o-1.png" ] && [ -s "$T/o-2.png" ]; then echo "ok io_out_numbered_by_entry"
    else echo "FAIL io_out_numbered_by_entry"; ls "$T"/o-*; fi
else echo "FAIL io_train_tiny_maze"; fi

# eval and check leave skipped entries out of their counts
expect_exit 1 io_eval_skips "$LOOPT" eval --model "$SM" --data "$T/bad5.txt" --iters 1
expect_grep 'eval: .* 10 puzzles' io_eval_counts_puzzles_only

# --mark: a validity mark per answer; without it the output is the plain answers
expect_exit 0 io_mark "$LOOPT" solve --model "$SM" --iters 1 --mark "$T/p10.txt"
if [ "$(grep -c '^[.0-9]\{81\} \(valid\|invalid: .*\)$' "$T/out")" -eq 10 ]; then echo "ok io_mark_every_line"
else echo "FAIL io_mark_every_line"; head -2 "$T/out"; fi
"$LOOPT" solve --model "$SM" --iters 1 --quiet "$T/p10.txt" >"$T/plain.out" 2>/dev/null
"$LOOPT" solve --model "$SM" --iters 1 --quiet --mark "$T/p10.txt" 2>/dev/null | cut -c1-81 >"$T/marked.out"
if cmp -s "$T/plain.out" "$T/marked.out" && ! grep -q ' ' "$T/plain.out"; then echo "ok io_mark_opt_in"
else echo "FAIL io_mark_opt_in"; fi
"$LOOPT" solve --model "$MM" --iters 2 --quiet --mark "$T/m3.txt" >"$T/mm.out" 2>/dev/null
if [ "$(grep -c '^\(valid\|invalid: .*\)$' "$T/mm.out")" -eq 3 ] && [ "$(grep -c '^$' "$T/mm.out")" -eq 3 ]
then echo "ok io_mark_maze_line"; else echo "FAIL io_mark_maze_line"; head -10 "$T/mm.out"; fi

# --strict: exit 1 on an invalid answer; without it 0 (a sweep at low --iters under set -e)
expect_exit 0 io_invalid_answers_exit_0 "$LOOPT" solve --model "$SM" --iters 1 "$T/p10.txt"
expect_grep '0 valid answers' io_invalid_answers_counted
expect_exit 1 io_strict_invalid "$LOOPT" solve --model "$SM" --iters 1 --strict "$T/p10.txt"
expect_grep 'answers invalid (--strict)' io_strict_msg
"$LOOPT" gen sudoku --n 4 --seed 9 --givens 78-80 --quiet >"$T/easy.txt"
expect_exit 0 io_strict_all_valid "$LOOPT" solve --model "$SM" --iters 8 --strict "$T/easy.txt"
expect_exit 0 io_sweep_set_e sh -ec "for i in 1 2; do \"$LOOPT\" solve --model \"$SM\" --iters \$i --quiet \"$T/p10.txt\" >/dev/null; done"

# --- item 4: every input read once --------------------------------------------------------------
"$LOOPT" gen sudoku --n 3 --seed 4 --quiet >"$T/p3.txt"
"$LOOPT" solve --iters 1 --quiet "$T/p3.txt" >"$T/p3.out" 2>/dev/null
expect_exit 0 io_pipe_dev_stdin sh -c "cat \"$T/p3.txt\" | \"$LOOPT\" solve --iters 1 /dev/stdin"
if [ "$(grep -c '^[.0-9]\{81\}$' "$T/out")" -eq 3 ]; then echo "ok io_pipe_all_answered"; else echo "FAIL io_pipe_all_answered"; fi
expect_exit 0 io_stdin_dash sh -c "cat \"$T/p3.txt\" | \"$LOOPT\" solve --iters 1 --quiet -"
if cmp -s "$T/out" "$T/p3.out"; then echo "ok io_stdin_same_answers"; else echo "FAIL io_stdin_same_answers"; fi
if command -v bash >/dev/null 2>&1; then
    expect_exit 0 io_process_substitution bash -c "\"$LOOPT\" solve --iters 1 --quiet <(cat \"$T/p3.txt\")"
    if cmp -s "$T/out" "$T/p3.out"; then echo "ok io_process_substitution_answers"; else echo "FAIL io_process_substitution_answers"; fi
    "$LOOPT" gen sudoku --n 3 --seed 4 --solutions --quiet >"$T/p3s.csv"
    expect_exit 0 io_check_process_substitution bash -c "\"$LOOPT\" check <(cat \"$T/p3s.csv\")"
    expect_grep '^3 valid, 0 invalid' io_check_process_substitution_counts
    expect_exit 0 io_eval_process_substitution bash -c "\"$LOOPT\" eval --iters 1 --data <(cat \"$T/p3s.csv\")"
    expect_grep '^1,' io_eval_process_substitution_row
else
    echo "skip io_process_substitution (no bash)"
fi
# fifo_feed FILE: write FILE into the FIFO from the background (the open inside the time limit,
# so a reader that never comes leaves no writer behind)
fifo_feed() { $TO sh -c 'cat "$1" >"$2"' _ "$1" "$T/fifo" & }
if command -v mkfifo >/dev/null 2>&1 && mkfifo "$T/fifo"; then
    fifo_feed "$T/p3.txt"
    expect_exit 0 io_fifo_solve $TO "$LOOPT" solve --iters 1 --quiet "$T/fifo"
    if cmp -s "$T/out" "$T/p3.out"; then echo "ok io_fifo_solve_answers"; else echo "FAIL io_fifo_solve_answers"; fi
    fifo_feed "$T/p3s.csv"
    expect_exit 0 io_fifo_check $TO "$LOOPT" check "$T/fifo"
    expect_grep '^3 valid, 0 invalid' io_fifo_check_counts
    fifo_feed "$T/p3s.csv"
    expect_exit 0 io_fifo_eval $TO "$LOOPT" eval --iters 1 --data "$T/fifo"   # default model: the head is read first
else
    echo "skip io_fifo (no mkfifo)"
fi

# --- item 5: --out checked before the model runs --------------------------------------------------
expect_exit 2 io_out_proc "$LOOPT" solve --model "$MM" --out /proc/x.png "$T/m3.txt"
expect_grep '^loopt: --out /proc/x.png: cannot create files in /proc' io_out_proc_msg
if grep -q '^solve: ' "$T/out" || [ -n "$(grep -v '^loopt: ' "$T/out")" ]; then echo "FAIL io_out_before_work"
else echo "ok io_out_before_work"; fi
expect_exit 2 io_out_no_folder "$LOOPT" solve --model "$MM" --out "$T/nowhere/x.png" "$T/m3.txt"
expect_grep 'nowhere: No such file or directory' io_out_no_folder_msg
expect_exit 2 io_out_is_folder "$LOOPT" solve --model "$MM" --out "$T" "$T/m3.txt"
expect_grep 'is a folder' io_out_is_folder_msg

# --- item 7: messages that name the real problem ---------------------------------------------------
expect_exit 2 io_sudoku_model_on_mazes "$LOOPT" solve --model "$SM" "$T/m3.txt"
expect_grep "m3.txt: these look like mazes, but the model ($SM) is a sudoku model" io_sudoku_model_on_mazes_msg
expect_exit 2 io_maze_model_on_sudoku "$LOOPT" solve --model "$MM" "$T/p3.txt"
expect_grep "p3.txt: these look like Sudoku puzzles, but the model ($MM) is a maze model" io_maze_model_on_sudoku_msg
expect_exit 2 io_eval_mismatch "$LOOPT" eval --model "$MM" --data "$T/p3.txt" --iters 1
expect_grep 'these look like Sudoku puzzles' io_eval_mismatch_msg
# tiny mazes are mazes, not Sudoku lines
printf 'S G\n' >"$T/tiny.txt"
expect_exit 0 io_tiny_maze_checked "$LOOPT" check "$T/tiny.txt"
expect_grep '^1 valid, 0 invalid' io_tiny_maze_is_a_maze
expect_exit 0 io_tiny_maze_default_model "$LOOPT" solve --iters 1 "$T/tiny.txt"
expect_grep 'maze model' io_tiny_maze_default_model_is_maze
printf 'S\n' >"$T/one.txt"
expect_exit 2 io_one_cell_maze "$LOOPT" check "$T/one.txt"
expect_grep 'one.txt:1: no goal G' io_one_cell_maze_msg
printf '123456789\n' >"$T/digits.txt"
expect_exit 2 io_digit_row_not_sudoku "$LOOPT" check "$T/digits.txt"
expect_grep 'neither Sudoku nor mazes' io_digit_row_not_sudoku_msg
expect_exit 2 io_junk_no_default_model "$LOOPT" solve "$T/digits.txt"
expect_grep 'neither Sudoku nor mazes' io_junk_no_default_model_msg
# a PNG whose header claims 100000x100000 pixels
"$LOOPT" render "$T/m3.txt" --out "$T/m.png" --quiet
printf '\000\001\206\240\000\001\206\240' | dd of="$T/m.png" bs=1 seek=16 conv=notrunc 2>/dev/null
expect_exit 2 io_png_too_large "$LOOPT" check "$T/m.png"
expect_grep 'm.png: image is too large: 100000x100000 pixels, more than the 4096x4096 allowed' io_png_too_large_msg
# check's per-answer lines carry the prefix of every other message
"$LOOPT" gen sudoku --n 2 --seed 4 --solutions --quiet | sed '2s/,\(.\)/,.\1/; 2s/.$//' >"$T/inv.csv"
expect_exit 1 io_check_invalid "$LOOPT" check "$T/inv.csv"
expect_grep "^loopt: $T/inv.csv:2: " io_check_prefix

echo done
