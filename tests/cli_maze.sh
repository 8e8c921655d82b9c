#!/bin/sh
# cli_maze.sh — end-to-end checks of mazes on the command line: `render` (text, CSV and PNG
# in; PNG out; round trips), every bad-input path of the maze reader (exit 2, file:line
# named), and gen maze -> check -> render when those commands are built.
. "$(dirname "$0")/lib_cli.sh"

# --- usage -------------------------------------------------------------------------------
expect_exit 0 render_help "$LOOPT" render --help
expect_grep 'usage: loopt render' render_help_text
expect_exit 2 render_no_args "$LOOPT" render
expect_refusal render_no_out 'missing --out' "$LOOPT" render x.txt
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
expect_refusal render_index_out_of_range 'has 2 mazes, --index 2 is out of range' "$LOOPT" render "$T/qa.txt" --index 2 --out "$T/x.png"
expect_exit 0 render_stdin sh -c "\"$LOOPT\" render - --cell 3 --out \"$T/s.png\" <\"$T/q.txt\""
if cmp -s "$T/q.png" "$T/s.png"; then echo "ok render_stdin_same"; else echo "FAIL render_stdin_same"; fi
expect_exit 0 render_png_stdin sh -c "\"$LOOPT\" render - --cell 3 --out \"$T/s2.png\" <\"$T/q.png\""
if cmp -s "$T/q.png" "$T/s2.png"; then echo "ok render_png_stdin_same"; else echo "FAIL render_png_stdin_same"; fi
expect_exit 0 render_stdout sh -c "\"$LOOPT\" render \"$T/q.txt\" --cell 3 --quiet --out - >\"$T/o.png\""
if cmp -s "$T/q.png" "$T/o.png"; then echo "ok render_stdout_same"; else echo "FAIL render_stdout_same"; fi
expect_exit 1 render_unwritable "$LOOPT" render "$T/q.txt" --out "$T/no/such/dir/x.png"
expect_grep 'cannot write PNG' render_unwritable_msg
awk 'BEGIN { for (r = 0; r < 600; r++) { s = ""; for (c = 0; c < 600; c++) s = s ((r == 1 && c == 1) ? "S" : (r == 1 && c == 2) ? "G" : "#"); print s } }' >"$T/big.txt"
expect_refusal render_too_large 'lower --cell' "$LOOPT" render "$T/big.txt" --cell 8 --out "$T/x.png"

# --- bad inputs: exit 2, the file and line named --------------------------------------------
# bad_file NAME FILE PATTERN: `render $T/FILE` exits 2 and says PATTERN ("": not checked).
bad_file() { expect_refusal "$1" "$3" "$LOOPT" render "$T/$2" --out "$T/x.png"; }
# bad_text NAME FILE TEXT PATTERN: the same with $T/FILE written from the printf format TEXT.
bad_text() { printf "$3" >"$T/$2"; bad_file "$1" "$2" "$4"; }
bad_text bad_width width.txt '#####\n#S G#\n#  #\n#####\n' 'width.txt:3: row has width 4, expected 5'
bad_text bad_char char.txt '#####\n#S x#\n#  G#\n#####\n' "char.txt:2: bad character 'x' at column 4"
bad_text bad_no_start nos.txt '#####\n#   #\n#  G#\n#####\n' 'nos.txt:1: no start S'
bad_text bad_two_goals twog.txt '#####\n#SGG#\n#####\n' 'two goals G'
bad_text bad_no_path nopath.txt '#####\n#S#G#\n#####\n' 'no path from S to G'
bad_text bad_empty empty.txt '' 'no mazes found'
expect_refusal bad_directory 'is a directory' "$LOOPT" render "$T" --out "$T/x.png"
bad_file bad_missing missing.txt ''
cp "$T/q.txt" "$T/fake.png"
bad_file bad_fake_png fake.png 'not a PNG file'
head -c 100000 /dev/zero | tr '\0' '#' >"$T/huge.txt"
bad_file bad_huge_line huge.txt 'huge.txt:1: line longer than'
head -c 3000 /dev/urandom >"$T/random.bin"
bad_file bad_binary random.bin ''
bad_text bad_csv_answer_differs differs.csv 'source,question,answer,rating\nx,######S  ## # ##  G######,######Soo## #o##  G# ####,4\n' \
    'differs.csv:2: answer differs from its question'
bad_text bad_csv_not_square square.csv 'source,question,answer,rating\nx,######S  ## # ##  G#####,,4\n' 'not a square'
printf 'source,question,answer,rating\nx,######S  ## # ##  G######,######Soo## #o##  G######,4\n' >"$T/good.csv"
expect_exit 0 csv_render "$LOOPT" render "$T/good.csv" --out "$T/csv.png"
# a truncated PNG (off-palette colours are covered by the unit tests)
head -c 40 "$T/q.png" >"$T/trunc.png"
bad_file bad_truncated_png trunc.png 'cannot decode PNG'

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
    expect_refusal gen_maze_cycle_odds_no_cycles 'give one' "$LOOPT" gen maze --n 1 --cycle-odds 3 --no-cycles
else
    echo "skip gen_maze_check_render (gen maze or check not built)"
fi
echo done
