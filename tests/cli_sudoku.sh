#!/bin/sh
# cli_sudoku.sh — end-to-end checks of Sudoku on the command line: `gen sudoku` (determinism,
# --givens, --rating, --solutions, bad options) and `check` (valid and invalid answers, the
# public puzzle files when ../shared is present, and every bad-input path: exit 2 naming the
# file, and the line where there is one). Also `gen maze ... | check -`.
. "$(dirname "$0")/lib_cli.sh"

P='..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..'
G='483921657967345821251876493548132976729564138136798245372689514814253769695417382'

# --- usage -------------------------------------------------------------------------------
expect_exit 0 gen_help "$LOOPT" gen --help
expect_grep 'usage: loopt gen sudoku' gen_help_text
expect_exit 0 gen_sudoku_help "$LOOPT" gen sudoku --help
expect_exit 2 gen_no_task "$LOOPT" gen
expect_exit 2 gen_bad_task "$LOOPT" gen chess --n 3
expect_exit 2 gen_no_n "$LOOPT" gen sudoku --seed 3
expect_grep "see 'loopt gen --help'" gen_no_n_usage
expect_exit 2 gen_unknown_option "$LOOPT" gen sudoku --n 3 --bogus
expect_grep "unknown option '--bogus'" gen_unknown_option_msg
expect_exit 2 gen_missing_value "$LOOPT" gen sudoku --n
expect_grep "see 'loopt gen --help'" gen_missing_value_usage
expect_exit 2 gen_n_junk "$LOOPT" gen sudoku --n 3x
expect_exit 2 gen_n_zero "$LOOPT" gen sudoku --n 0
expect_exit 2 gen_givens_low "$LOOPT" gen sudoku --n 3 --givens 10-30
expect_exit 2 gen_givens_empty "$LOOPT" gen sudoku --n 3 --givens 40-30
expect_exit 2 gen_rating_junk "$LOOPT" gen sudoku --n 3 --rating a-b
expect_exit 2 gen_seed_negative "$LOOPT" gen sudoku --n 3 --seed -1
expect_exit 2 gen_maze_option_on_sudoku "$LOOPT" gen sudoku --n 3 --size 9
expect_exit 2 gen_maze_bad_size "$LOOPT" gen maze --n 3 --size 3
expect_exit 2 gen_maze_bad_size2 "$LOOPT" gen maze --n 3 --size 9y9
expect_exit 0 check_help "$LOOPT" check --help
expect_grep 'usage: loopt check' check_help_text
expect_exit 2 check_no_args "$LOOPT" check
expect_exit 2 check_two_files "$LOOPT" check a b
expect_exit 2 check_unknown_option "$LOOPT" check --bogus

# --- gen sudoku ----------------------------------------------------------------------------
"$LOOPT" gen sudoku --n 200 --seed 7 --solutions --quiet >"$T/g1.csv" 2>"$T/g1.err"
"$LOOPT" gen sudoku --n 200 --seed 7 --solutions --quiet >"$T/g2.csv"
"$LOOPT" gen sudoku --n 200 --seed 8 --solutions --quiet >"$T/g3.csv"
if cmp -s "$T/g1.csv" "$T/g2.csv"; then echo "ok gen_same_seed_same_output"; else echo "FAIL gen_same_seed_same_output"; fi
if cmp -s "$T/g1.csv" "$T/g3.csv"; then echo "FAIL gen_other_seed_differs"; else echo "ok gen_other_seed_differs"; fi
if [ "$(wc -l <"$T/g1.csv")" -eq 200 ] && ! grep -qv '^[.1-9]\{81\},[1-9]\{81\}$' "$T/g1.csv"; then
    echo "ok gen_solutions_format"; else echo "FAIL gen_solutions_format"; fi
if [ ! -s "$T/g1.err" ]; then echo "ok gen_quiet_silent"; else echo "FAIL gen_quiet_silent"; fi
expect_exit 0 gen_check_pipe sh -c "\"$LOOPT\" gen sudoku --n 200 --seed 7 --solutions | \"$LOOPT\" check -"
expect_grep '^200 valid, 0 invalid$' gen_check_pipe_count
# --rated: the Sudoku-Extreme CSV with the backtrack count; the same puzzles as --solutions,
# checked valid, and each rating equal to what --rating keeps
"$LOOPT" gen sudoku --n 200 --seed 7 --rated --quiet >"$T/r.csv"
if [ "$(head -1 "$T/r.csv")" = "source,question,answer,rating" ] &&
   [ "$(tail -n +2 "$T/r.csv" | cut -d, -f2,3)" = "$(cat "$T/g1.csv")" ] &&
   [ "$(tail -n +2 "$T/r.csv" | grep -c '^loopt,[.1-9]\{81\},[1-9]\{81\},[0-9][0-9]*$')" -eq 200 ]; then
    echo "ok gen_rated_csv"; else echo "FAIL gen_rated_csv"; head -3 "$T/r.csv"; fi
expect_exit 0 gen_rated_checks "$LOOPT" check "$T/r.csv"
r=$(sed -n 2p "$T/r.csv" | cut -d, -f4)
[ "$("$LOOPT" gen sudoku --n 1 --seed 7 --rating "$r-$r" --quiet)" = "$(sed -n 2p "$T/r.csv" | cut -d, -f2)" ] &&
    echo "ok gen_rated_rating_is_filters" || echo "FAIL gen_rated_rating_is_filters"
expect_exit 0 gen_sudoku_plain "$LOOPT" gen sudoku --n 50 --seed 1
if [ "$(grep -c '^[.1-9]\{81\}$' "$T/out")" -eq 50 ]; then echo "ok gen_plain_format"; else echo "FAIL gen_plain_format"; fi
expect_grep 'gen sudoku: 50 puzzles' gen_summary_on_stderr
# puzzles only: check verifies each has exactly one solution
"$LOOPT" gen sudoku --n 30 --seed 2 --quiet >"$T/p.txt"
expect_exit 0 check_puzzles_only "$LOOPT" check "$T/p.txt"
expect_grep '^30 valid, 0 invalid$' check_puzzles_only_count

# --givens is respected (count the digits of each puzzle)
"$LOOPT" gen sudoku --n 100 --seed 3 --givens 30-32 --quiet >"$T/gv.txt"
bad=$(awk '{ n = gsub(/[1-9]/, "&"); if (n < 30 || n > 32) print }' "$T/gv.txt" | wc -l)
if [ "$bad" -eq 0 ] && [ "$(wc -l <"$T/gv.txt")" -eq 100 ]; then echo "ok gen_givens_range"; else echo "FAIL gen_givens_range ($bad outside)"; fi
"$LOOPT" gen sudoku --n 20 --seed 3 --givens 45 --quiet >"$T/gv1.txt"
bad=$(awk '{ n = gsub(/[1-9]/, "&"); if (n != 45) print }' "$T/gv1.txt" | wc -l)
if [ "$bad" -eq 0 ]; then echo "ok gen_givens_single"; else echo "FAIL gen_givens_single"; fi
# --rating filters: rating 0 and a harder band both give valid unique puzzles
expect_exit 0 gen_rating_zero sh -c "\"$LOOPT\" gen sudoku --n 20 --seed 4 --rating 0-0 --quiet | \"$LOOPT\" check -"
expect_grep '^20 valid, 0 invalid$' gen_rating_zero_valid
expect_exit 0 gen_rating_hard sh -c "\"$LOOPT\" gen sudoku --n 5 --seed 4 --givens 22-26 --rating 2-1000000 --quiet | \"$LOOPT\" check -"
expect_grep '^5 valid, 0 invalid$' gen_rating_hard_valid
"$LOOPT" gen sudoku --n 5 --seed 4 --rating 0-0 --quiet >"$T/r1.txt"
"$LOOPT" gen sudoku --n 5 --seed 4 --rating 2-1000000 --givens 22-26 --quiet >"$T/r2.txt"
if cmp -s "$T/r1.txt" "$T/r2.txt"; then echo "FAIL gen_rating_changes_output"; else echo "ok gen_rating_changes_output"; fi
expect_exit 2 gen_givens_unreachable "$LOOPT" gen sudoku --n 1 --givens 17-18 --quiet
expect_grep 'raise the upper bound' gen_givens_unreachable_msg

# --- check: invalid answers ------------------------------------------------------------------
bad_row=$(echo "$G" | sed 's/^4/8/')              # r1c1 4 -> 8: row 1 repeats 8
bad_given=$(echo "$G" | sed 's/^\(..\)3/\14/')    # r1c3 is a given 3
bad_blank=$(echo "$G" | sed 's/^\(.....\)./\1./')
printf '%s,%s\n%s,%s\n%s,%s\n%s,%s\n' "$P" "$G" "$P" "$bad_row" "$P" "$bad_given" "$P" "$bad_blank" >"$T/inv.csv"
expect_exit 1 check_invalid "$LOOPT" check "$T/inv.csv"
expect_grep '^1 valid, 3 invalid$' check_invalid_count
expect_grep "inv.csv:2: row 1 repeats 8" check_invalid_row_line
expect_grep "inv.csv:3: cell r1c3 changes given 3 to 4" check_invalid_given_line
expect_grep "inv.csv:4: cell r1c6 is blank" check_invalid_blank_line
expect_exit 1 check_invalid_stdin sh -c "\"$LOOPT\" check - <\"$T/inv.csv\""
expect_grep '<stdin>:2: row 1 repeats 8' check_invalid_stdin_line
# Sudoku-Extreme CSV with a header; the same answers
{ echo 'source,question,answer,rating'; printf 'x,%s,%s,3\ny,%s,%s,0\n' "$P" "$G" "$P" "$bad_row"; } >"$T/ext.csv"
expect_exit 1 check_extreme_csv "$LOOPT" check "$T/ext.csv"
expect_grep 'ext.csv:3: row 1 repeats 8' check_extreme_line
# CRLF and a 9-line grid of puzzles
printf '%s\r\n%s\r\n' "$P" "$P" >"$T/crlf.txt"
expect_exit 0 check_crlf "$LOOPT" check "$T/crlf.txt"
echo "$P" | sed 's/\(.........\)/\1\n/g' | sed '/^$/d' >"$T/grid.txt"
expect_exit 0 check_grid "$LOOPT" check "$T/grid.txt"
expect_grep '^1 valid, 0 invalid$' check_grid_count
# a puzzle with two solutions
printf '%s\n%s\n' "$P" '.................................................................................' >"$T/multi.txt"
expect_exit 1 check_multi_solution "$LOOPT" check "$T/multi.txt"
expect_grep 'multi.txt:2: puzzle has more than one solution' check_multi_solution_line

# --- check: malformed and unreadable files -------------------------------------------------------
printf '%s,%s\n%s,%s\n%s,%s\n' "$P" "$G" "$(echo "$P" | cut -c1-80)" "$G" "$P" "$bad_row" >"$T/mal.csv"
expect_exit 2 check_malformed "$LOOPT" check "$T/mal.csv"
expect_grep 'mal.csv:2: puzzle (field 1): 80 cells, expected 81' check_malformed_line
expect_grep 'mal.csv:3: row 1 repeats 8' check_malformed_still_checks_rest
expect_grep '^1 valid, 1 invalid$' check_malformed_counts
printf '%s\n' "$(echo "$P" | sed 's/^\(..\)3/\1x/')" >"$T/badchar.txt"
printf '%s\n' "$P" >>"$T/badchar.txt"
expect_exit 2 check_bad_char "$LOOPT" check "$T/badchar.txt"
expect_grep "badchar.txt:1: bad character 'x' at column 3" check_bad_char_line
printf '%s\n' "$(echo "$P" | sed 's/^\(..\)3/\19/')" >"$T/contra.txt"   # r1c3 9 clashes with r2c1 9 in box 1
printf '%s\n' "$P" >>"$T/contra.txt"
expect_exit 2 check_contradicting_givens "$LOOPT" check "$T/contra.txt"
expect_grep 'contra.txt:1: contradicting givens: box 1 repeats 9' check_contradicting_givens_line
: >"$T/empty.txt"
expect_exit 2 check_empty "$LOOPT" check "$T/empty.txt"
expect_grep 'empty.txt: empty file' check_empty_msg
expect_exit 2 check_empty_stdin sh -c "\"$LOOPT\" check - </dev/null"
expect_exit 2 check_directory "$LOOPT" check "$T"
expect_grep "$T: is a directory" check_directory_msg
expect_exit 2 check_missing "$LOOPT" check "$T/no_such_file.txt"
expect_grep 'no_such_file.txt: cannot open' check_missing_msg
printf 'hello world\nthis is not a puzzle file\n' >"$T/junk.txt"
expect_exit 2 check_not_puzzles "$LOOPT" check "$T/junk.txt"
expect_grep 'junk.txt: neither Sudoku nor mazes' check_not_puzzles_msg
head -c 100000 /dev/zero | tr '\0' '7' >"$T/long.txt"
{ printf '%s\n' "$P"; cat "$T/long.txt"; } >"$T/long2.txt"
expect_exit 2 check_long_line "$LOOPT" check "$T/long2.txt"
expect_grep 'long2.txt:2: line longer than 65536 bytes' check_long_line_msg
head -c 20000 /dev/urandom >"$T/bin.dat"
expect_exit 2 check_binary "$LOOPT" check "$T/bin.dat"

# --- public puzzle files (skipped when ../shared/puzzles is absent) ---------------------------------
PZ=${LOOPT_PUZZLES:-../shared/puzzles}
if [ -f "$PZ/sudoku_kaggle_sample9999.csv" ]; then
    expect_exit 0 check_kaggle "$LOOPT" check "$PZ/sudoku_kaggle_sample9999.csv"
    expect_grep '^9999 valid, 0 invalid$' check_kaggle_count
    expect_exit 0 check_rrn_header_csv "$LOOPT" check "$PZ/sudoku_rrn_palm_test18.csv"
    expect_grep '^18 valid, 0 invalid$' check_rrn_count
    expect_exit 0 check_top95 "$LOOPT" check "$PZ/sudoku_top95.txt"
    expect_grep '^95 valid, 0 invalid$' check_top95_count
else
    echo "skip check_public_files (no $PZ)"
fi

# --- gen maze -> check ---------------------------------------------------------------------
expect_exit 0 gen_maze_check sh -c "\"$LOOPT\" gen maze --n 20 --size 11 --seed 5 --solutions --quiet | \"$LOOPT\" check -"
expect_grep '^20 valid, 0 invalid$' gen_maze_check_count
"$LOOPT" gen maze --n 3 --size 9 --seed 5 --quiet >"$T/m1.txt"
"$LOOPT" gen maze --n 3 --size 9 --seed 5 --quiet >"$T/m2.txt"
if cmp -s "$T/m1.txt" "$T/m2.txt" && [ -s "$T/m1.txt" ]; then echo "ok gen_maze_deterministic"; else echo "FAIL gen_maze_deterministic"; fi
"$LOOPT" gen maze --n 2 --size 9 --seed 5 --solutions --quiet >"$T/mcsv.csv"
if head -1 "$T/mcsv.csv" | grep -q '^source,question,answer,rating$' && [ "$(wc -l <"$T/mcsv.csv")" -eq 3 ]; then
    echo "ok gen_maze_csv_header"; else echo "FAIL gen_maze_csv_header"; fi
expect_exit 0 gen_maze_rect_answers sh -c "\"$LOOPT\" gen maze --n 4 --size 7x13 --seed 5 --solutions --quiet | \"$LOOPT\" check -"
expect_grep '^4 valid, 0 invalid$' gen_maze_rect_answers_count

echo done
