#!/bin/sh
# halting_plots.sh — what adaptive halting buys (issue 16), as two charts and a number:
#   OUTDIR/halting_GIVENS.csv/.png  exact accuracy against mean loops per puzzle: the fixed-depth
#                                   curve (`eval --fixed`) and each parameter-free halting rule
#                                   swept over its parameter (converge: patience; kl: kl_eps)
#   OUTDIR/loops_by_givens.csv/.png the loops the shipped rule uses against the puzzle's givens
#   and the Spearman rank correlation between givens and loops per puzzle (printed).
# usage: sh scripts/halting_plots.sh [N] [OUTDIR]   (N puzzles per set, default 1000;
#        OUTDIR default runs/halting). Env: LOOPT (default ./loopt), MODEL (default: the shipped
#        Sudoku model).
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

# Loops against difficulty: 25-40 givens, the shipped rule at --iters 64, loops per puzzle.
data="$OUT/sudoku_25-40.txt"
"$LOOPT" gen sudoku --n "$N" --seed 557 --givens 25-40 --quiet > "$data"
"$LOOPT" solve --model "$MODEL" --iters 64 --format json --quiet "$data" > "$OUT/solve.jsonl"
# givens,loops per puzzle (the JSON's "loops" is the puzzle's loops, every cell the same here)
awk '{ n = 0; for (i = 1; i <= 81; i++) if (substr($0, i, 1) != ".") n++; print n }' "$data" > "$OUT/givens.txt"
grep -o '"loops": [0-9.]*' "$OUT/solve.jsonl" | awk '{ print $2 }' | paste -d, "$OUT/givens.txt" - > "$OUT/pairs.csv"
{ echo "givens,mean_loops"
  awk -F, '{ s[$1] += $2; n[$1]++ } END { for (g in s) printf "%d,%.3f\n", g, s[g] / n[g] }' "$OUT/pairs.csv" | sort -t, -k1,1n
} > "$OUT/loops_by_givens.csv"
"$LOOPT" plot "$OUT/loops_by_givens.csv" --x givens --y mean_loops --quiet \
    --title "Loops the shipped halting rule uses, by givens (fewer givens = harder)" --out "$OUT/loops_by_givens.png"
# Spearman's rho: Pearson correlation of the ranks (ties get their mean rank).
rank() {   # rank COLUMN: the ranks of pairs.csv's column, in the file's order
    awk -F, -v c="$1" '{ print NR "," $c }' "$OUT/pairs.csv" | sort -t, -k2,2g |
    awk -F, '{ id[NR] = $1; v[NR] = $2 } END {
        i = 1; while (i <= NR) { j = i; while (j < NR && v[j + 1] == v[i]) j++
            for (k = i; k <= j; k++) print id[k] "," (i + j) / 2; i = j + 1 } }' | sort -t, -k1,1n | cut -d, -f2
}
rank 1 > "$OUT/r1.txt"; rank 2 > "$OUT/r2.txt"
rho=$(paste -d, "$OUT/r1.txt" "$OUT/r2.txt" | awk -F, '{ n++; sx += $1; sy += $2; sxx += $1 * $1; syy += $2 * $2; sxy += $1 * $2 }
    END { print (n * sxy - sx * sy) / sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)) }')
rm -f "$OUT/r1.txt" "$OUT/r2.txt" "$OUT/givens.txt" "$OUT/e.csv"
cat "$OUT/loops_by_givens.csv"
echo "Spearman rho(givens, loops) over $N puzzles: $rho (negative: fewer givens, more loops)"
echo "drew $OUT/halting_30-40.png $OUT/halting_25-29.png $OUT/loops_by_givens.png"
