#!/bin/sh
# cli_maze.sh — end-to-end checks of mazes on the command line: `render` (text, CSV and PNG
# in; PNG out; round trips), every bad-input path of the maze reader (exit 2, file:line
# named), and gen maze -> check -> render when those commands are built.
. "$(dirname "$0")/lib_cli.sh"

# --- usage -------------------------------------------------------------------------------
expect_exit 0 render_help "$LOOPT" render --help
expect_grep 'usage: loopt render' render_help_text
expect_exit 2 render_no_args "$LOOPT" render
expect_exit 2 render_no_out "$LOOPT" render x.txt
expect_grep 'missing --out' render_no_out_msg
expect_exit 2 render_unknown_option "$LOOPT" render x.txt --out x.png --bogus
expect_exit 2 render_cell_zero "$LOOPT" render x.txt --out x.png --cell 0
expect_exit 2 render_cell_junk "$LOOPT" render x.txt --out x.png --cell abc
expect_exit 2 render_two_inputs "$LOOPT" render a.txt b.txt --out x.png

# --- render and PNG round trips ------------------------------------------------------------
printf '#########\n#S      #\n# ##### #\n#     #G#\n#########\n\n' >"$T/q.txt"
printf '#########\n#Soooooo#\n# #####o#\n#     #G#\n#########\n' >"$T/a.txt"
cat "$T/q.txt" "$T/a.txt" >"$T/qa.txt"
expect_exit 0 render_text "$LOOPT" render "$T/q.txt" --out "$T/q.png" --cell 3
if [ "$(od -An -c -N4 "$T/q.png" | tr -d ' ')" = "211PNG" ]; then echo "ok render_writes_png"; else echo "FAIL render_writes_png"; fi
expect_exit 0 render_png_in "$LOOPT" render "$T/q.png" --out "$T/q2.png" --cell 3
if cmp -s "$T/q.png" "$T/q2.png"; then echo "ok png_round_trip_same_bytes"; else echo "FAIL png_round_trip_same_bytes"; fi
expect_exit 0 render_cell1 "$LOOPT" render "$T/q.png" --out "$T/q1.png" --cell 1
expect_exit 0 render_cell1_back "$LOOPT" render "$T/q1.png" --out "$T/q3.png" --cell 3
if cmp -s "$T/q.png" "$T/q3.png"; then echo "ok png_cell_size_detected"; else echo "FAIL png_cell_size_detected"; fi
expect_exit 0 render_index1 "$LOOPT" render "$T/qa.txt" --index 1 --out "$T/a.png"
expect_grep 'answer' render_index1_is_answer
expect_exit 0 render_index1_question "$LOOPT" render "$T/qa.txt" --index 1 --question --out "$T/aq.png"
expect_exit 0 render_index0 "$LOOPT" render "$T/qa.txt" --out "$T/q8.png"
if cmp -s "$T/aq.png" "$T/q8.png"; then echo "ok render_question_flag"; else echo "FAIL render_question_flag"; fi
expect_exit 2 render_index_out_of_range "$LOOPT" render "$T/qa.txt" --index 2 --out "$T/x.png"
expect_grep 'has 2 mazes, --index 2 is out of range' render_index_out_of_range_msg
expect_exit 0 render_stdin sh -c "\"$LOOPT\" render - --cell 3 --out \"$T/s.png\" <\"$T/q.txt\""
if cmp -s "$T/q.png" "$T/s.png"; then echo "ok render_stdin_same"; else echo "FAIL render_stdin_same"; fi
expect_exit 0 render_png_stdin sh -c "\"$LOOPT\" render - --cell 3 --out \"$T/s2.png\" <\"$T/q.png\""
if cmp -s "$T/q.png" "$T/s2.png"; then echo "ok render_png_stdin_same"; else echo "FAIL render_png_stdin_same"; fi
expect_exit 0 render_stdout sh -c "\"$LOOPT\" render \"$T/q.txt\" --cell 3 --quiet --out - >\"$T/o.png\""
if cmp -s "$T/q.png" "$T/o.png"; then echo "ok render_stdout_same"; else echo "FAIL render_stdout_same"; fi
expect_exit 1 render_unwritable "$LOOPT" render "$T/q.txt" --out "$T/no/such/dir/x.png"
expect_grep 'cannot write PNG' render_unwritable_msg
awk 'BEGIN { for (r = 0; r < 600; r++) { s = ""; for (c = 0; c < 600; c++) s = s ((r == 1 && c == 1) ? "S" : (r == 1 && c == 2) ? "G" : "#"); print s } }' >"$T/big.txt"
expect_exit 2 render_too_large "$LOOPT" render "$T/big.txt" --cell 8 --out "$T/x.png"
expect_grep 'lower --cell' render_too_large_msg

# --- bad inputs: exit 2, the file and line named --------------------------------------------
printf '#####\n#S G#\n#  #\n#####\n' >"$T/width.txt"
expect_exit 2 bad_width "$LOOPT" render "$T/width.txt" --out "$T/x.png"
expect_grep 'width.txt:3: row has width 4, expected 5' bad_width_msg
printf '#####\n#S x#\n#  G#\n#####\n' >"$T/char.txt"
expect_exit 2 bad_char "$LOOPT" render "$T/char.txt" --out "$T/x.png"
expect_grep "char.txt:2: bad character 'x' at column 4" bad_char_msg
printf '#####\n#   #\n#  G#\n#####\n' >"$T/nos.txt"
expect_exit 2 bad_no_start "$LOOPT" render "$T/nos.txt" --out "$T/x.png"
expect_grep 'nos.txt:1: no start S' bad_no_start_msg
printf '#####\n#SGG#\n#####\n' >"$T/twog.txt"
expect_exit 2 bad_two_goals "$LOOPT" render "$T/twog.txt" --out "$T/x.png"
expect_grep 'two goals G' bad_two_goals_msg
printf '#####\n#S#G#\n#####\n' >"$T/nopath.txt"
expect_exit 2 bad_no_path "$LOOPT" render "$T/nopath.txt" --out "$T/x.png"
expect_grep 'no path from S to G' bad_no_path_msg
: >"$T/empty.txt"
expect_exit 2 bad_empty "$LOOPT" render "$T/empty.txt" --out "$T/x.png"
expect_grep 'no mazes found' bad_empty_msg
expect_exit 2 bad_directory "$LOOPT" render "$T" --out "$T/x.png"
expect_grep 'is a directory' bad_directory_msg
expect_exit 2 bad_missing "$LOOPT" render "$T/missing.txt" --out "$T/x.png"
cp "$T/q.txt" "$T/fake.png"
expect_exit 2 bad_fake_png "$LOOPT" render "$T/fake.png" --out "$T/x.png"
expect_grep 'not a PNG file' bad_fake_png_msg
head -c 100000 /dev/zero | tr '\0' '#' >"$T/huge.txt"
expect_exit 2 bad_huge_line "$LOOPT" render "$T/huge.txt" --out "$T/x.png"
expect_grep 'huge.txt:1: line longer than' bad_huge_line_msg
head -c 3000 /dev/urandom >"$T/random.bin"
expect_exit 2 bad_binary "$LOOPT" render "$T/random.bin" --out "$T/x.png"
printf 'source,question,answer,rating\nx,######S  ## # ##  G######,######Soo## #o##  G# ####,4\n' >"$T/differs.csv"
expect_exit 2 bad_csv_answer_differs "$LOOPT" render "$T/differs.csv" --out "$T/x.png"
expect_grep 'differs.csv:2: answer differs from its question' bad_csv_answer_differs_msg
printf 'source,question,answer,rating\nx,######S  ## # ##  G#####,,4\n' >"$T/square.csv"
expect_exit 2 bad_csv_not_square "$LOOPT" render "$T/square.csv" --out "$T/x.png"
expect_grep 'not a square' bad_csv_not_square_msg
printf 'source,question,answer,rating\nx,######S  ## # ##  G######,######Soo## #o##  G######,4\n' >"$T/good.csv"
expect_exit 0 csv_render "$LOOPT" render "$T/good.csv" --out "$T/csv.png"
# a truncated PNG (off-palette colours are covered by the unit tests)
head -c 40 "$T/q.png" >"$T/trunc.png"
expect_exit 2 bad_truncated_png "$LOOPT" render "$T/trunc.png" --out "$T/x.png"
expect_grep 'cannot decode PNG' bad_truncated_png_msg

# --- gen maze -> check -> render ---------------------------------------------------------------
if "$LOOPT" gen maze --n 1 --size 7 --quiet >/dev/null 2>&1 && "$LOOPT" check --help >/dev/null 2>&1; then
    expect_exit 0 gen_maze_csv sh -c "\"$LOOPT\" gen maze --n 20 --size 15 --min-path 20 --seed 3 --solutions --quiet >\"$T/m.csv\""
    expect_exit 0 check_gen_csv "$LOOPT" check "$T/m.csv"
    expect_grep '20 valid' check_gen_csv_count
    expect_exit 0 render_gen_csv "$LOOPT" render "$T/m.csv" --index 19 --cell 4 --out "$T/m19.png"
    expect_exit 0 check_rendered_png "$LOOPT" check "$T/m19.png"
    expect_grep '1 valid' check_rendered_png_count
    sed '2s/\(.*\)o/\1 /' "$T/m.csv" >"$T/broken.csv"   # drop the answer's last path cell
    expect_exit 1 check_broken_answer "$LOOPT" check "$T/broken.csv"
    expect_grep 'broken.csv:2:' check_broken_answer_line
    expect_exit 0 gen_maze_nonsquare sh -c "\"$LOOPT\" gen maze --n 5 --size 9x21 --min-path 15 --solutions --quiet >\"$T/ns.txt\""
    expect_exit 0 check_nonsquare "$LOOPT" check "$T/ns.txt"
    expect_exit 0 render_nonsquare "$LOOPT" render "$T/ns.txt" --index 4 --cell 2 --out "$T/ns.png"
    expect_exit 0 render_nonsquare_back "$LOOPT" render "$T/ns.png" --cell 2 --out "$T/ns2.png"
    if cmp -s "$T/ns.png" "$T/ns2.png"; then echo "ok nonsquare_png_round_trip"; else echo "FAIL nonsquare_png_round_trip"; fi
    expect_exit 0 gen_maze_hard sh -c "\"$LOOPT\" gen maze --n 200 --size 30 --min-path 110 --solutions --quiet >\"$T/hard.csv\""
    expect_exit 0 check_hard "$LOOPT" check "$T/hard.csv"
    expect_grep '200 valid' check_hard_count
    expect_exit 0 gen_maze_no_cycles sh -c "\"$LOOPT\" gen maze --n 20 --size 16 --min-path 20 --no-cycles --solutions --quiet >\"$T/tree.csv\""
    expect_exit 0 check_no_cycles "$LOOPT" check "$T/tree.csv"
    expect_grep '20 valid' check_no_cycles_count
    "$LOOPT" gen maze --n 20 --size 16 --min-path 20 --solutions --quiet >"$T/cyc.csv" 2>/dev/null
    if cmp -s "$T/tree.csv" "$T/cyc.csv"; then echo "FAIL gen_maze_no_cycles_differs"; else echo "ok gen_maze_no_cycles_differs"; fi
    expect_exit 2 gen_maze_no_cycles_sudoku "$LOOPT" gen sudoku --n 1 --no-cycles
    # --cycle-odds: more cycles, still valid mazes; the default odds are the default's mazes
    expect_exit 0 gen_maze_cycle_odds sh -c "\"$LOOPT\" gen maze --n 20 --size 16 --min-path 20 --cycle-odds 3 --solutions --quiet >\"$T/odds.csv\""
    expect_exit 0 check_cycle_odds "$LOOPT" check "$T/odds.csv"
    expect_grep '20 valid' check_cycle_odds_count
    if cmp -s "$T/odds.csv" "$T/cyc.csv"; then echo "FAIL gen_maze_cycle_odds_differs"; else echo "ok gen_maze_cycle_odds_differs"; fi
    "$LOOPT" gen maze --n 20 --size 16 --min-path 20 --cycle-odds 25 --solutions --quiet >"$T/odds25.csv" 2>/dev/null
    if cmp -s "$T/odds25.csv" "$T/cyc.csv"; then echo "ok gen_maze_cycle_odds_default"; else echo "FAIL gen_maze_cycle_odds_default"; fi
    expect_exit 2 gen_maze_cycle_odds_no_cycles "$LOOPT" gen maze --n 1 --cycle-odds 3 --no-cycles
    expect_grep 'give one' gen_maze_cycle_odds_no_cycles_msg
else
    echo "skip gen_maze_check_render (gen maze or check not built)"
fi
echo done
