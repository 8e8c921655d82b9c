#!/bin/sh
# halting_plots.sh — what adaptive halting buys (issue 16), as two charts and a number:
#   OUTDIR/halting_GIVENS.csv/.png  exact accuracy against mean loops per puzzle: the fixed-depth
#                                   curve (`eval --fixed`) and each parameter-free halting rule
#                                   swept over its parameter (converge: patience; kl: kl_eps)
#   OUTDIR/loops_by_givens.csv/.png the loops the shipped rule uses against the puzzle's givens
#   and Spearman rank correlations (printed): Sudoku loops against the generator's rating
#   (`gen --rated`) and the givens, maze loops against the shortest path length.
# usage: sh scripts/halting_plots.sh [N] [OUTDIR]   (N puzzles per set, default 1000;
#        OUTDIR default runs/halting). Env: LOOPT (default ./loopt), MODEL (default: the shipped
#        Sudoku model), MAZE_MODEL (default: the shipped maze model).
set -eu
N=${1:-1000}
OUT=${2:-runs/halting}
LOOPT=${LOOPT:-./loopt}
MODEL=${MODEL:-data/models/sudoku.safetensors}
mkdir -p "$OUT"
ev() { "$LOOPT" eval --model "$MODEL" --quiet "$@"; }

# col FILE LABEL: eval's CSV (header, rows) as label,mean_loops,exact_acc, columns found by name.
col() {
    awk -F, -v lab="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                         { print lab "," $c["mean_loops"] "," $c["exact_acc"] }' "$1"
}

for g in 30-40 25-29; do
    data="$OUT/sudoku_$g.csv"
    "$LOOPT" gen sudoku --n "$N" --seed 555 --givens "$g" --solutions --quiet > "$data"
    csv="$OUT/halting_$g.csv"
    echo "label,mean_loops,exact_acc" > "$csv"
    ev --fixed --data "$data" --iters 4,8,12,16,24,32,64 > "$OUT/e.csv"; col "$OUT/e.csv" fixed >> "$csv"
    for p in 1 2 3 4; do
        ev --halt converge --set halting.patience=$p --set halting.confidence=0 --data "$data" --iters 64 > "$OUT/e.csv"
        col "$OUT/e.csv" converge >> "$csv"
    done
    for e in 0.1 0.03 0.01 0.001; do
        ev --halt kl --set halting.kl_eps=$e --data "$data" --iters 64 > "$OUT/e.csv"
        col "$OUT/e.csv" kl >> "$csv"
    done
    ev --data "$data" --iters 64 > "$OUT/e.csv"; col "$OUT/e.csv" "shipped rule" >> "$csv"
    # one curve per rule, in order of mean loops
    { head -1 "$csv"; tail -n +2 "$csv" | sort -t, -k1,1 -k2,2g; } > "$OUT/e.csv" && mv "$OUT/e.csv" "$csv"
    "$LOOPT" plot "$csv" --x mean_loops --y exact_acc --group label --quiet \
        --title "Sudoku $g givens: exact against mean loops (fixed depth vs halting)" --out "$OUT/halting_$g.png"
    echo "$csv:"; cat "$csv"
done

# Spearman's rho of two columns of a CSV without header (Pearson correlation of the ranks; ties
# get their mean rank): spearman FILE COL1 COL2.
rank() {   # rank FILE COLUMN: the ranks of the column, in the file's order
    awk -F, -v c="$2" '{ print NR "," $c }' "$1" | sort -t, -k2,2g |
    awk -F, '{ id[NR] = $1; v[NR] = $2 } END {
        i = 1; while (i <= NR) { j = i; while (j < NR && v[j + 1] == v[i]) j++
            for (k = i; k <= j; k++) print id[k] "," (i + j) / 2; i = j + 1 } }' | sort -t, -k1,1n | cut -d, -f2
}
spearman() {
    rank "$1" "$2" > "$OUT/r1.txt"; rank "$1" "$3" > "$OUT/r2.txt"
    paste -d, "$OUT/r1.txt" "$OUT/r2.txt" | awk -F, '{ n++; sx += $1; sy += $2; sxx += $1 * $1; syy += $2 * $2; sxy += $1 * $2 }
        END { printf "%.3f\n", (n * sxy - sx * sy) / sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)) }'
    rm -f "$OUT/r1.txt" "$OUT/r2.txt"
}
# loops_of FILE: each answer's loops from `solve --format json`, one per line
loops_of() { grep -o '"loops": [0-9.]*' "$1" | awk '{ print $2 }'; }

# Loops against difficulty, Sudoku: one set spanning 22-45 givens with the generator's rating
# (backtrack count), the shipped rule at --iters 64; per puzzle givens,rating,loops.
data="$OUT/sudoku_rated.csv"
"$LOOPT" gen sudoku --n "$N" --seed 557 --givens 22-45 --rated --quiet > "$data"
"$LOOPT" solve --model "$MODEL" --iters 64 --format json --quiet "$data" > "$OUT/solve.jsonl"
loops_of "$OUT/solve.jsonl" > "$OUT/loops.txt"
tail -n +2 "$data" | awk -F, '{ n = 0; for (i = 1; i <= 81; i++) if (substr($2, i, 1) != ".") n++; print n "," $4 }' |
    paste -d, - "$OUT/loops.txt" > "$OUT/pairs.csv"
{ echo "givens,mean_loops"
  awk -F, '{ s[$1] += $3; n[$1]++ } END { for (g in s) printf "%d,%.3f\n", g, s[g] / n[g] }' "$OUT/pairs.csv" | sort -t, -k1,1n
} > "$OUT/loops_by_givens.csv"
"$LOOPT" plot "$OUT/loops_by_givens.csv" --x givens --y mean_loops --quiet \
    --title "Loops the shipped halting rule uses, by givens (fewer givens = harder)" --out "$OUT/loops_by_givens.png"
cat "$OUT/loops_by_givens.csv"
echo "Sudoku, $N puzzles of 22-45 givens: Spearman rho(rating, loops) $(spearman "$OUT/pairs.csv" 2 3)," \
     "rho(givens, loops) $(spearman "$OUT/pairs.csv" 1 3) (negative: fewer givens, more loops)"

# Mazes: the shipped maze model's rule against the shortest path length (the CSV's rating).
MAZE_MODEL=${MAZE_MODEL:-data/models/maze.safetensors}
data="$OUT/maze14.csv"
"$LOOPT" gen maze --n "$N" --size 14 --seed 558 --solutions --quiet > "$data"
"$LOOPT" solve --model "$MAZE_MODEL" --iters 64 --format json --quiet "$data" > "$OUT/solve_maze.jsonl"
loops_of "$OUT/solve_maze.jsonl" > "$OUT/loops.txt"
tail -n +2 "$data" | awk -F, '{ print $4 }' | paste -d, - "$OUT/loops.txt" > "$OUT/maze_pairs.csv"
echo "Mazes 14x14, $N: Spearman rho(shortest path length, loops) $(spearman "$OUT/maze_pairs.csv" 1 2)"
rm -f "$OUT/loops.txt" "$OUT/e.csv"
echo "drew $OUT/halting_30-40.png $OUT/halting_25-29.png $OUT/loops_by_givens.png"
