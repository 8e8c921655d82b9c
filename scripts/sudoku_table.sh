#!/bin/sh
# sudoku_table.sh MODEL [OUTDIR] [ITERS] [LIMIT] — the README's Sudoku accuracy table.
# Evaluates MODEL with `loopt eval` on (a) 1,000 fresh `loopt gen` puzzles with 30-40 givens,
# (b) 1,000 with 25-29 givens (seeds 1001 and 1002: the training stream never draws these seeds)
# and (c) the public sets in ../shared/puzzles/ when that folder is there (at most LIMIT
# puzzles of each, default 1000). One CSV per set in OUTDIR (default runs/table), then a
# markdown table of exact accuracy (cell accuracy in parentheses) per --iters value on stdout.
# PUBLIC_LIMIT (default LIMIT) caps the public sets separately; SETS=gen skips them.
set -eu
MODEL=${1:?usage: sudoku_table.sh MODEL [OUTDIR] [ITERS] [LIMIT]}
OUT=${2:-runs/table}
ITERS=${3:-1,2,4,8,16,32,64,128}
LIMIT=${4:-1000}
PUBLIC_LIMIT=${PUBLIC_LIMIT:-$LIMIT}
LOOPT=${LOOPT:-./loopt}
PUZ=${LOOPT_PUZZLES:-../shared/puzzles}
mkdir -p "$OUT"

$LOOPT gen sudoku --n 1000 --seed 1001 --givens 30-40 --solutions --quiet > "$OUT/a_gen_30-40.csv"
$LOOPT gen sudoku --n 1000 --seed 1002 --givens 25-29 --solutions --quiet > "$OUT/b_gen_25-29.csv"
sets="$OUT/a_gen_30-40.csv $OUT/b_gen_25-29.csv"
for f in sudoku_kaggle_sample9999.csv sudoku_serg_benchmark.txt sudoku_top95.txt sudoku_magictour_top1465.txt; do
    [ "${SETS:-all}" = gen ] || { [ -f "$PUZ/$f" ] && sets="$sets $PUZ/$f"; }
done

header="| set | puzzles |"
rule="|---|---|"
for i in $(echo "$ITERS" | tr ',' ' '); do header="$header $i |"; rule="$rule---|"; done
echo "$header"
echo "$rule"
for s in $sets; do
    name=$(basename "$s"); name=${name%.*}
    lim=$LIMIT; case "$s" in "$PUZ"/*) lim=$PUBLIC_LIMIT ;; esac
    $LOOPT eval --model "$MODEL" --data "$s" --iters "$ITERS" --fixed --limit "$lim" --quiet > "$OUT/$name.eval.csv"
    n=$(grep -cv '^#' "$s" || true); [ "$n" -gt "$lim" ] && n=$lim
    row="| $name | $n |"
    # columns: iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s
    row="$row$(tail -n +2 "$OUT/$name.eval.csv" | awk -F, '{ printf " %.1f%% (%.1f%%) |", 100*$3, 100*$2 }')"
    echo "$row"
done
