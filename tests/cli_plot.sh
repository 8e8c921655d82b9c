#!/bin/sh
# cli_plot.sh — end-to-end checks of `loopt plot` (a PNG of the expected size from a
# hand-written CSV, --group, stdin/stdout, every bad-CSV path exits 2 naming FILE:LINE, and so
# do nonsense log lines and axes a double cannot draw) and of
# scripts/sweep_iters.sh on a tiny model trained here (loopt plot, a stand-in gnuplot, the
# fallback when gnuplot fails, several DATA files, and the real gnuplot when installed).
. tests/lib_cli.sh

# png_size FILE: "WxH" from the IHDR chunk, or "not-png".
png_size() {
    if [ "$(od -An -c -N4 "$1" 2>/dev/null | tr -d ' ')" != "211PNG" ]; then echo not-png; return; fi
    od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 "x" $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}
check_png() {   # check_png NAME FILE WxH
    got=$(png_size "$2")
    if [ "$got" = "$3" ]; then echo "ok $1"; else echo "FAIL $1: $2 is $got, expected $3"; fi
}

# --- loopt plot -----------------------------------------------------------------------------
expect_exit 0 plot_help "$LOOPT" plot --help
expect_grep 'usage: loopt plot CSV --out' plot_help_text
expect_exit 0 plot_listed "$LOOPT" --help
expect_grep '^  plot ' plot_in_command_list
expect_refusal plot_no_out 'missing --out' "$LOOPT" plot x.csv
expect_exit 2 plot_unknown_option "$LOOPT" plot x.csv --out x.png --bogus
expect_exit 2 plot_width_range "$LOOPT" plot x.csv --out x.png --width 5

cat >"$T/a.csv" <<'EOF'
iters,cell_acc,exact_acc,mean_loops,puzzles_per_s
1,0.31,0.00,1.00,900.1
2,0.45,0.02,2.00,500
4,0.66,0.18,4.00,260
8,0.84,0.55,8.00,130
16,0.93,0.81,14.2,70
EOF
expect_exit 0 plot_basic "$LOOPT" plot "$T/a.csv" --out "$T/a.png"
expect_grep '2 curves, 10 points, 640x400 pixels, x log2' plot_basic_log
check_png plot_default_size "$T/a.png" 640x400
expect_exit 0 plot_sized "$LOOPT" plot "$T/a.csv" --out "$T/b.png" --width 300 --height 200 --title T --y exact_acc
check_png plot_given_size "$T/b.png" 300x200
expect_exit 0 plot_linear_y_outside "$LOOPT" plot "$T/a.csv" --out "$T/c.png" --x mean_loops --y puzzles_per_s
expect_grep 'x linear' plot_linear_axis
expect_exit 0 plot_stdio sh -c "\"$LOOPT\" plot - --out - --quiet <\"$T/a.csv\" >\"$T/s.png\""
check_png plot_stdin_stdout "$T/s.png" 640x400

# --group: one curve per value (and per --y column); repeated headers, comments, quotes.
cat >"$T/g.csv" <<'EOF'
# two eval outputs, concatenated
label,iters,cell_acc,exact_acc,mean_loops,puzzles_per_s
small,1,0.5,0.0,1,10
small,4,0.7,0.1,4,10
"big, 30x30",1,0.6,0.1,1,10

label,iters,cell_acc,exact_acc,mean_loops,puzzles_per_s
"big, 30x30",4,0.8,0.4,4,10
EOF
expect_exit 0 plot_group "$LOOPT" plot "$T/g.csv" --group label --out "$T/g.png"
expect_grep '4 curves, 8 points' plot_group_curves
check_png plot_group_png "$T/g.png" 640x400
expect_exit 0 plot_group_one_y "$LOOPT" plot "$T/g.csv" --group label --y exact_acc --out "$T/g1.png"
expect_grep '2 curves, 4 points' plot_group_one_y_curves
expect_refusal plot_group_missing 'g.csv:2: --group size: no such column' "$LOOPT" plot "$T/g.csv" --group size --out "$T/x.png"

# Bad inputs: exit 2, FILE:LINE: reason, and no PNG.
# refused NAME FILE TEXT MESSAGE [OPTION...]: plot refuses $T/FILE holding TEXT (a printf
# format): exit 2 (within a minute), and MESSAGE (a grep pattern) in its output (NAME_msg).
refused() {
    name=$1; file=$T/$2; msg=$4
    printf "$3" >"$file"; shift 4
    expect_exit 2 "$name" timeout 60 "$LOOPT" plot "$file" --out "$T/bad.png" "$@"
    expect_grep "$msg" "${name}_msg"
}
refused plot_bad_field_count bad1.csv 'iters,exact_acc,cell_acc\n1,0.1,0.2\n2,0.2\n' \
    'bad1.csv:3: 2 fields, but the header (line 1) has 3'
refused plot_bad_number bad2.csv 'iters,exact_acc,cell_acc\n1,0.1,0.2\n\n2,abc,0.3\n' \
    "bad2.csv:4: column exact_acc: expected a number, got 'abc'"
refused plot_bad_quote bad3.csv 'iters,exact_acc,cell_acc\n1,"0.1,0.2\n' 'bad3.csv:2: unterminated quoted field'
refused plot_bad_column bad4.csv 'iters,exact_acc\n1,0.1\n' 'bad4.csv:1: --y cell_acc: no such column'
refused plot_no_rows bad5.csv 'iters,exact_acc,cell_acc\n' 'no data rows'
: >"$T/bad6.csv"
expect_exit 2 plot_empty "$LOOPT" plot "$T/bad6.csv" --out "$T/bad.png"
expect_exit 2 plot_missing_file "$LOOPT" plot "$T/nonexistent.csv" --out "$T/bad.png"
# Nonsense is refused, not drawn as an empty chart (issue 42 item 11): text after a log line's
# object, a number out of a double's range in a log (as the CSV reader refuses inf), a range
# too wide for a double, values too close for their size to tick (this hung in the tick loop).
refused plot_log_trailing_text bad7.jsonl '{"step":1,"loss":2.0}\n{"step":2,"loss":1.5}garbage\n' \
    "bad7.jsonl:2: text after the JSON object: 'garbage'"
refused plot_log_out_of_range bad8.jsonl '{"step":1,"loss":2.0}\n{"step":2,"loss":1e999}\n' \
    'bad8.jsonl:2: "loss": expected a finite number'
refused plot_range_too_wide bad9.csv 'iters,exact_acc\n1,1e308\n2,-1e308\n' \
    'bad9.csv: the y values span -1e+308 to 1e+308: too wide a range to draw' --y exact_acc
refused plot_x_range_too_wide bad10.csv 'iters,exact_acc\n1e308,0.5\n-1e308,0.6\n' 'bad10.csv: the x values span' \
    --y exact_acc
refused plot_range_too_narrow bad11.csv 'iters,exact_acc\n1,-1e16\n2,-10000000000000002\n' \
    'bad11.csv: the y values (-10000000000000002 to -10000000000000000) differ by too little' --y exact_acc
printf 'iters,exact_acc\n1,1e300\n2,1e300\n' >"$T/big.csv"
expect_exit 0 plot_huge_values_still_drawn "$LOOPT" plot "$T/big.csv" --y exact_acc --out "$T/big.png"
if [ -e "$T/bad.png" ]; then echo "FAIL plot_bad_writes_nothing"; else echo "ok plot_bad_writes_nothing"; fi

# --- scripts/sweep_iters.sh -----------------------------------------------------------------
SWEEP="scripts/sweep_iters.sh"
expect_exit 0 sweep_help sh "$SWEEP" --help
expect_grep 'usage: sh scripts/sweep_iters.sh MODEL DATA' sweep_help_text
expect_exit 2 sweep_no_args sh "$SWEEP"
"$LOOPT" train configs/tiny-none.json --set train.steps=5 --set data.gen_valid=8 --quiet --out "$T/m" >/dev/null 2>&1
"$LOOPT" gen sudoku --n 20 --seed 3 --solutions >"$T/d.csv" 2>/dev/null
"$LOOPT" gen sudoku --n 10 --seed 4 --givens 25-29 --solutions >"$T/hard.txt" 2>/dev/null
M="$T/m/model.safetensors"
if [ -s "$M" ] && [ -s "$T/d.csv" ]; then echo "ok sweep_setup"; else echo "FAIL sweep_setup: no tiny model or data"; fi
expect_refusal sweep_missing_data 'nope.csv: no such data file' sh "$SWEEP" "$M" "$T/nope.csv" 1,2 "$T/x"
expect_exit 2 sweep_bad_iters sh "$SWEEP" "$M" "$T/d.csv" 1,two "$T/x"

# Without gnuplot (forced): the default ITERS 1..128, loopt plot draws.
expect_exit 0 sweep_loopt_plot env SWEEP_PLOT=loopt sh "$SWEEP" "$M" "$T/d.csv" "" "$T/o1"
expect_grep 'sweep.png (loopt plot)' sweep_loopt_plot_used
if [ "$(head -n 1 "$T/o1/sweep.csv")" = "iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s" ] &&
   [ "$(cut -d, -f1 "$T/o1/sweep.csv" | sed 1d | tr '\n' ' ')" = "1 2 4 8 16 32 64 128 " ]; then
    echo "ok sweep_csv_default_iters"; else echo "FAIL sweep_csv_default_iters"; head -3 "$T/o1/sweep.csv"; fi
check_png sweep_png "$T/o1/sweep.png" 640x400

# Several DATA files: a label column, one curve per file.
expect_exit 0 sweep_multi env SWEEP_PLOT=loopt sh "$SWEEP" "$M" "$T/d.csv,$T/hard.txt" 1,4 "$T/o2"
if [ "$(cut -d, -f1,2 "$T/o2/sweep.csv" | tr '\n' ' ')" = "label,iters d,1 d,4 hard,1 hard,4 " ]; then
    echo "ok sweep_multi_label_column"; else echo "FAIL sweep_multi_label_column"; head -5 "$T/o2/sweep.csv"; fi
check_png sweep_multi_png "$T/o2/sweep.png" 640x400
expect_exit 0 sweep_multi_replot "$LOOPT" plot "$T/o2/sweep.csv" --group label --out "$T/o2/re.png"
expect_grep '4 curves' sweep_multi_four_curves

# A stand-in gnuplot on PATH: the script uses it (png terminal, log2 x) ...
mkdir -p "$T/bin" "$T/bin2"
cat >"$T/bin/gnuplot" <<EOF
#!/bin/sh
if [ "\$1" = -e ]; then echo "  png  PNG images using libgd and TrueType fonts"; exit 0; fi
cp "\$1" "$T/gp.log"
out=\$(sed -n "s/^set output '\\(.*\\)'\$/\\1/p" "\$1")
cp "$T/a.png" "\$out"
EOF
printf '#!/bin/sh\nexit 1\n' >"$T/bin2/gnuplot"
chmod +x "$T/bin/gnuplot" "$T/bin2/gnuplot"
expect_exit 0 sweep_fake_gnuplot env PATH="$T/bin:$PATH" sh "$SWEEP" "$M" "$T/d.csv,$T/hard.txt" 1,2 "$T/o3"
expect_grep 'sweep.png (gnuplot (png ' sweep_fake_gnuplot_used
if grep -q 'set logscale x 2' "$T/gp.log" 2>/dev/null && grep -q "set output '$T/o3/sweep.png'" "$T/gp.log" &&
   [ "$(grep -c 'using 1:[23]' "$T/gp.log")" -eq 4 ]; then echo "ok sweep_gnuplot_script"
else echo "FAIL sweep_gnuplot_script"; fi
check_png sweep_fake_gnuplot_png "$T/o3/sweep.png" 640x400
# ... and falls back to loopt plot when gnuplot fails (auto), or fails when gnuplot is forced.
expect_exit 0 sweep_gnuplot_fallback env PATH="$T/bin2:$PATH" sh "$SWEEP" "$M" "$T/d.csv" 1,2 "$T/o4"
expect_grep 'falling back to loopt plot' sweep_gnuplot_fallback_msg
check_png sweep_fallback_png "$T/o4/sweep.png" 640x400
expect_exit 1 sweep_gnuplot_forced_fails env PATH="$T/bin2:$PATH" SWEEP_PLOT=gnuplot sh "$SWEEP" "$M" "$T/d.csv" 1 "$T/o5"

# The real gnuplot, when this machine has it.
if command -v gnuplot >/dev/null 2>&1; then
    expect_exit 0 sweep_real_gnuplot env SWEEP_PLOT=gnuplot sh "$SWEEP" "$M" "$T/d.csv,$T/hard.txt" 1,2,4 "$T/o6"
    if [ "$(png_size "$T/o6/sweep.png")" = 800x500 ]; then echo "ok sweep_real_gnuplot_png"
    else echo "FAIL sweep_real_gnuplot_png: $(png_size "$T/o6/sweep.png")"; fi
else
    echo "skip sweep_real_gnuplot (gnuplot not installed)"
fi
echo done
