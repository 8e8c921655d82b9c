#!/bin/sh
# schemes_table.sh LIMIT MODEL... — the README's recursion-scheme comparison (issue: TRM/HRM as
# configs). For each MODEL: parameters, training steps and wall time (from `loopt info`), then
# exact accuracy (cell accuracy in parentheses) with `loopt eval` at the training depth D and at
# 4·D — loops for scheme loop, supervision steps for trm/hrm (halting as trained) — on the first
# LIMIT puzzles of the Sudoku table's fresh sets: (a) 30-40 givens, (b) 25-29 givens (seeds
# 1001, 1002; see sudoku_table.sh). CSVs go to OUT (default runs/schemes).
set -eu
LIMIT=${1:?usage: schemes_table.sh LIMIT MODEL...}
shift
LOOPT=${LOOPT:-./loopt}
OUT=${OUT:-runs/schemes}
mkdir -p "$OUT"
$LOOPT gen sudoku --n "$LIMIT" --seed 1001 --givens 30-40 --solutions --quiet > "$OUT/a.csv"
$LOOPT gen sudoku --n "$LIMIT" --seed 1002 --givens 25-29 --solutions --quiet > "$OUT/b.csv"
echo "| model | scheme | parameters | steps × batch | training time | (a) at D | (a) at 4D | (b) at D | (b) at 4D |"
echo "|---|---|---|---|---|---|---|---|---|"
for m in "$@"; do
    info=$($LOOPT info "$m")
    params=$(echo "$info" | awk '/^parameters:/ {print $2}')
    steps=$(echo "$info" | awk '/^steps:/ {print $2}')
    mins=$(echo "$info" | awk '/^elapsed:/ {print $4}' | tr -d '(')
    depth=$(echo "$info" | awk '/^loops:/ {print $2}')
    scheme=$(echo "$info" | sed -n 's/.*scheme \([a-z]*\);.*/\1/p')
    batch=$(echo "$info" | sed -n 's/^steps:.*(batch \([0-9]*\)).*/\1/p')
    name=$(basename "$(dirname "$m")")
    row="| $name | $scheme | $params | $steps × $batch | $mins min |"
    for s in a b; do
        $LOOPT eval --model "$m" --data "$OUT/$s.csv" --iters "$depth,$((4 * depth))" --quiet > "$OUT/$name.$s.csv"
        row="$row$(tail -n +2 "$OUT/$name.$s.csv" | awk -F, '{ printf " %.1f%% (%.1f%%) |", 100*$3, 100*$2 }')"
    done
    echo "$row"
done
