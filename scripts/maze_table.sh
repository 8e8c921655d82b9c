#!/bin/sh
# maze_table.sh MODEL SIZE [OUTDIR] [ITERS] [LIMIT] — the README's maze accuracy table.
# Evaluates MODEL (trained on SIZE x SIZE mazes) with `loopt eval` on LIMIT (default 1,000) fresh
# `loopt gen` mazes each of (a) the training size, (b) twice that size and (c) 30x30 with a
# shortest path of at least 110 steps (Maze-Hard's rule). Seeds 2001-2003: the training stream
# (data.seed) never draws these. One CSV per set in OUTDIR (default runs/maze_table), then a
# markdown table of exact accuracy (cell accuracy in parentheses) per --iters value on stdout,
# BIG_LIMIT (default LIMIT) caps (b) and (c) separately: they cost 4-5x more per maze.
# and OUTDIR/maze_scaling.png: accuracy against loops, one colour per set (`loopt plot`).
# Exact means `loopt check`'s rules: only open cells marked, connected S->G, shortest.
set -eu
MODEL=${1:?usage: maze_table.sh MODEL SIZE [OUTDIR] [ITERS] [LIMIT]}
SIZE=${2:?usage: maze_table.sh MODEL SIZE [OUTDIR] [ITERS] [LIMIT]}
OUT=${3:-runs/maze_table}
ITERS=${4:-8,16,32,64,128}
LIMIT=${5:-1000}
BIG_LIMIT=${BIG_LIMIT:-$LIMIT}
LOOPT=${LOOPT:-./loopt}
mkdir -p "$OUT"
D=$((2 * SIZE))
$LOOPT gen maze --n "$LIMIT" --size "$SIZE" --seed 2001 --solutions --quiet > "$OUT/a_${SIZE}x${SIZE}.csv"
$LOOPT gen maze --n "$BIG_LIMIT" --size "$D" --seed 2002 --solutions --quiet > "$OUT/b_${D}x${D}.csv"
$LOOPT gen maze --n "$BIG_LIMIT" --size 30 --min-path 110 --seed 2003 --solutions --quiet > "$OUT/c_30x30_hard.csv"

header="| set | mazes |"
rule="|---|---|"
for i in $(echo "$ITERS" | tr ',' ' '); do header="$header $i |"; rule="$rule---|"; done
echo "$header"
echo "$rule"
for s in "$OUT/a_${SIZE}x${SIZE}.csv" "$OUT/b_${D}x${D}.csv" "$OUT/c_30x30_hard.csv"; do
    name=$(basename "$s" .csv)
    $LOOPT eval --model "$MODEL" --data "$s" --iters "$ITERS" --fixed --quiet > "$OUT/$name.eval.csv"
    # columns: iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s
    n=$LIMIT; case "$name" in a_*) ;; *) n=$BIG_LIMIT ;; esac
    row="| $name | $n |$(tail -n +2 "$OUT/$name.eval.csv" | awk -F, '{ printf " %.1f%% (%.2f%%) |", 100*$3, 100*$2 }')"
    echo "$row"
done
{
    echo "label,iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s"
    for s in "$OUT/a_${SIZE}x${SIZE}.csv" "$OUT/b_${D}x${D}.csv" "$OUT/c_30x30_hard.csv"; do
        name=$(basename "$s" .csv)
        tail -n +2 "$OUT/$name.eval.csv" | sed "s/^/$name,/"
    done
} > "$OUT/maze_scaling.csv"
$LOOPT plot "$OUT/maze_scaling.csv" --out "$OUT/maze_scaling.png" --group label \
    --title "maze model: exact (solid) and cell (dashed) accuracy against loops" --quiet
