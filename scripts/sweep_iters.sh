#!/bin/sh
# sweep_iters.sh — the test-time scaling curve of a model: `loopt eval` at several loop counts,
# written as OUTDIR/sweep.csv and drawn as OUTDIR/sweep.png (gnuplot when installed, else
# `loopt plot`). See the usage text below, or run with --help.
set -u

usage() {
    cat <<'EOF'
usage: sh scripts/sweep_iters.sh MODEL DATA[,DATA2,...] [ITERS] [OUTDIR]

Evaluates MODEL (a checkpoint from `loopt train`) on DATA at every loop count of ITERS
(default 1,2,4,8,16,32,64,128) with `loopt eval --fixed` (exactly that many loops for every
puzzle, whatever halting rule the model stores), and writes
  OUTDIR/sweep.csv   eval's CSV: iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,
                     puzzles_per_s; with several
                     DATA files a first column `label` (the file name without directory and
                     extension) and one block of rows per file
  OUTDIR/sweep.png   accuracy against loops (x log2): exact_acc solid, cell_acc dashed, one
                     colour per DATA file
OUTDIR defaults to runs/sweep. The CSV is also printed on stdout.
DATA is one puzzle file or a comma-separated list (e.g. mazes of several sizes: one curve
each); file names must not contain commas.

Environment:
  LOOPT             the loopt binary (default ./loopt)
  SWEEP_PLOT        auto (default: gnuplot if installed with a png or pngcairo terminal, else
                    `loopt plot`), gnuplot, or loopt
  SWEEP_EVAL_ARGS   extra options for `loopt eval`, e.g. "--limit 200 --threads 2"
Exit status: 0 ok; 1 an eval or plot failed (or eval skipped malformed entries: the outputs are
still written); 2 bad arguments or missing files.
EOF
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
if [ $# -lt 2 ] || [ $# -gt 4 ]; then usage >&2; exit 2; fi
MODEL=$1
DATA=$2
ITERS=${3:-1,2,4,8,16,32,64,128}
OUTDIR=${4:-runs/sweep}
LOOPT=${LOOPT:-./loopt}
SWEEP_PLOT=${SWEEP_PLOT:-auto}
SWEEP_EVAL_ARGS=${SWEEP_EVAL_ARGS:-}

say() { echo "sweep_iters: $*" >&2; }
die() { code=$1; shift; say "$*"; exit "$code"; }

case "$SWEEP_PLOT" in auto|gnuplot|loopt) ;; *) die 2 "SWEEP_PLOT must be auto, gnuplot or loopt, got '$SWEEP_PLOT'" ;; esac
case "$ITERS" in ''|*[!0-9,]*) die 2 "ITERS must be a comma-separated list of loop counts, got '$ITERS'" ;; esac
if ! command -v "$LOOPT" >/dev/null 2>&1 && [ ! -x "$LOOPT" ]; then
    die 2 "no loopt binary at '$LOOPT' (build it with make, or set LOOPT)"
fi
[ -f "$MODEL" ] || die 2 "$MODEL: no such model file"

# The DATA list.
set -f
old_ifs=$IFS; IFS=,
set -- $DATA
IFS=$old_ifs
set +f
[ $# -ge 1 ] || die 2 "DATA: expected a file or a comma-separated list of files, got '$DATA'"
for f in "$@"; do
    [ -n "$f" ] || die 2 "DATA: empty file name in '$DATA'"
    [ -f "$f" ] || die 2 "$f: no such data file"
done
n_data=$#

mkdir -p "$OUTDIR" || die 1 "cannot create $OUTDIR"
tmp=$(mktemp -d) || die 1 "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

# Evaluate each file: $tmp/K.csv (eval's CSV), $tmp/K.dat (rows only), $tmp/K.label.
status=0
k=0
labels=" "
for f in "$@"; do
    k=$((k + 1))
    base=$(basename "$f")
    label=$(printf '%s' "${base%.*}" | tr -c 'A-Za-z0-9._+-' '_')
    [ -n "$label" ] || label=data
    case "$labels" in *" $label "*) label="$label-$k" ;; esac
    labels="$labels$label "
    printf '%s\n' "$label" >"$tmp/$k.label"
    say "eval $f at iters $ITERS"
    # shellcheck disable=SC2086  # SWEEP_EVAL_ARGS is a list of options
    "$LOOPT" eval --model "$MODEL" --data "$f" --iters "$ITERS" --fixed $SWEEP_EVAL_ARGS >"$tmp/$k.csv"
    rc=$?
    sed 1d "$tmp/$k.csv" >"$tmp/$k.dat"
    if [ "$rc" -ne 0 ]; then
        [ -s "$tmp/$k.dat" ] || die "$rc" "loopt eval failed on $f (exit $rc)"
        say "loopt eval reported bad entries in $f (exit $rc); its curve covers the rest"
        status=1
    fi
done

# sweep.csv: eval's CSV as is for one file; with a label column for several.
csv=$OUTDIR/sweep.csv
if [ "$n_data" -eq 1 ]; then
    cp "$tmp/1.csv" "$csv" || die 1 "cannot write $csv"
else
    {
        printf 'label,%s\n' "$(head -n 1 "$tmp/1.csv")"
        k=0
        while [ "$k" -lt "$n_data" ]; do
            k=$((k + 1))
            sed "s/^/$(cat "$tmp/$k.label"),/" "$tmp/$k.dat"
        done
    } >"$csv" || die 1 "cannot write $csv"
fi

png=$OUTDIR/sweep.png
model_name=$(basename "$MODEL")
if [ "$n_data" -eq 1 ]; then title="$model_name on $(basename "$1")"
else title="$model_name on $(echo $labels | sed 's/ /, /g')"; fi

# gnuplot: pngcairo, else png; returns 1 (and says why) when it cannot draw.
gq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }   # a gnuplot string literal
plot_gnuplot() {
    command -v gnuplot >/dev/null 2>&1 || { say "gnuplot is not installed"; return 1; }
    terms=$(gnuplot -e 'set terminal' </dev/null 2>&1)
    if printf '%s\n' "$terms" | grep -qw pngcairo; then term="pngcairo size 800,500 font ',10'"
    elif printf '%s\n' "$terms" | grep -qw png; then term="png size 800,500"
    else say "gnuplot has neither the pngcairo nor the png terminal"; return 1; fi
    {
        echo "set terminal $term"
        echo "set output $(gq "$png")"
        echo "set datafile separator ','"
        echo "set title $(gq "$title") noenhanced"
        echo "set xlabel 'loops (--iters, log2 scale)'"
        echo "set ylabel 'accuracy'"
        echo "set logscale x 2"
        echo "set yrange [-0.02:1.02]"
        echo "set ytics 0.2"
        echo "set offsets graph 0.03, graph 0.03, 0, 0"
        echo "set grid"
        echo "set key top left box opaque noenhanced"
        printf 'plot '
        k=0
        while [ "$k" -lt "$n_data" ]; do
            k=$((k + 1))
            if [ "$n_data" -eq 1 ]; then t1=exact_acc t2=cell_acc
            else label=$(cat "$tmp/$k.label"); t1="$label exact_acc" t2="$label cell_acc"; fi
            [ "$k" -gt 1 ] && printf ', \\\n     '
            printf '%s using 1:3 with linespoints lw 2 pt 5 lc %d dt 1 title %s, \\\n' "$(gq "$tmp/$k.dat")" "$k" "$(gq "$t1")"
            printf '     %s using 1:2 with linespoints lw 2 pt 4 lc %d dt 2 title %s' "$(gq "$tmp/$k.dat")" "$k" "$(gq "$t2")"
        done
        echo
    } >"$tmp/plot.gp"
    rm -f "$png"
    if ! gnuplot "$tmp/plot.gp" || [ ! -s "$png" ]; then say "gnuplot failed to draw $png"; return 1; fi
    how="gnuplot ($term)"
}
plot_loopt() {
    if [ "$n_data" -eq 1 ]; then "$LOOPT" plot "$csv" --out "$png" --title "$title" --quiet
    else "$LOOPT" plot "$csv" --out "$png" --title "$title" --group label --quiet; fi || return 1
    how="loopt plot"
}

how=
case "$SWEEP_PLOT" in
    gnuplot) plot_gnuplot || die 1 "no plot (SWEEP_PLOT=gnuplot)" ;;
    loopt)   plot_loopt || die 1 "loopt plot failed" ;;
    auto)
        if command -v gnuplot >/dev/null 2>&1 && plot_gnuplot; then :
        else
            command -v gnuplot >/dev/null 2>&1 && say "falling back to loopt plot"
            plot_loopt || die 1 "loopt plot failed"
        fi ;;
esac

cat "$csv"
say "wrote $csv and $png ($how)"
exit "$status"
