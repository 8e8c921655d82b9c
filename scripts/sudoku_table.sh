#!/bin/sh
# sudoku_table.sh MODEL [OUTDIR] [ITERS] [LIMIT] — the README's Sudoku accuracy table.
# Evaluates MODEL with `loopt eval` on (a) 1,000 fresh `loopt gen` puzzles with 30-40 givens,
# (b) 1,000 with 25-29 givens, (c) 1,000 minimal 22-26-given puzzles of the generator's
# hardest level (`--level hardest`: rating >= 30; made with `--exclude` of the public sets when
# they are there) (seeds 1001-1003: the training streams and files never use these seeds) and
# (d) the public sets in ../shared/puzzles/ when that folder is there (at most LIMIT puzzles of
# each, default 1000). One CSV per set in OUTDIR (default runs/table), then a markdown table on
# stdout: exact accuracy (cell accuracy in parentheses) per --iters value, with --fixed loops.
# With TRIES=K (e.g. TRIES=16) two more columns: exact accuracy with K symmetric variants per
# puzzle at the largest ITERS, under the model's own halting rule, picked by rule `valid` (the
# most confident variant whose grid checks valid) and by rule `model` (per-cell confidence vote)
# (`loopt eval --tries K`; docs/breadth.md) on the first TRIES_LIMIT puzzles of each set (default:
# as the other columns; K tries cost K times the loops); their CSVs are OUTDIR/NAME.tries.csv.
# SKIP=N leaves out the first N sets (a run that stopped part-way goes on: the files are the same).
# PUBLIC_LIMIT (default LIMIT) caps the public sets separately; SETS=gen skips them; PUBLIC
# names the files of the folder to run (default: kaggle, serg, top95, magictour, 17-clue,
# forum_hardest_1106).
set -eu
MODEL=${1:?usage: sudoku_table.sh MODEL [OUTDIR] [ITERS] [LIMIT]}
OUT=${2:-runs/table}
ITERS=${3:-1,2,4,8,16,32,64,128}
LIMIT=${4:-1000}
PUBLIC_LIMIT=${PUBLIC_LIMIT:-$LIMIT}
TRIES=${TRIES:-}
TRIES_LIMIT=${TRIES_LIMIT:-}
SKIP=${SKIP:-0}
LOOPT=${LOOPT:-./loopt}
PUZ=${LOOPT_PUZZLES:-../shared/puzzles}
mkdir -p "$OUT"

EXCL=""; [ -d "$PUZ" ] && EXCL="--exclude $PUZ"
$LOOPT gen sudoku --n "$LIMIT" --seed 1001 --givens 30-40 --solutions --quiet > "$OUT/a_gen_30-40.csv"
$LOOPT gen sudoku --n "$LIMIT" --seed 1002 --givens 25-29 --solutions --quiet > "$OUT/b_gen_25-29.csv"
# shellcheck disable=SC2086
$LOOPT gen sudoku --n "$LIMIT" --seed 1003 --level hardest $EXCL --solutions --quiet > "$OUT/c_gen_hardest.csv"
sets="$OUT/a_gen_30-40.csv $OUT/b_gen_25-29.csv $OUT/c_gen_hardest.csv"
PUBLIC=${PUBLIC:-sudoku_kaggle_sample9999.csv sudoku_serg_benchmark.txt sudoku_top95.txt sudoku_magictour_top1465.txt sudoku17.txt sudoku_forum_hardest_1106.txt}
for f in $PUBLIC; do
    [ "${SETS:-all}" = gen ] || { [ -f "$PUZ/$f" ] && sets="$sets $PUZ/$f"; }
done
last=${ITERS##*,}

header="| set | puzzles |"
rule="|---|---|"
for i in $(echo "$ITERS" | tr ',' ' '); do header="$header $i |"; rule="$rule---|"; done
first=""; [ -n "$TRIES_LIMIT" ] && first=", first $TRIES_LIMIT"
[ -n "$TRIES" ] && { header="$header $last × $TRIES tries, valid$first | $last × $TRIES tries, model$first |"; rule="$rule---|---|"; }
echo "$header"
echo "$rule"
for s in $sets; do
    [ "$SKIP" -gt 0 ] && { SKIP=$((SKIP - 1)); continue; }
    name=$(basename "$s"); name=${name%.*}
    lim=$LIMIT; case "$s" in "$PUZ"/*) lim=$PUBLIC_LIMIT ;; esac
    $LOOPT eval --model "$MODEL" --data "$s" --iters "$ITERS" --fixed --limit "$lim" --quiet > "$OUT/$name.eval.csv"
    n=$(grep -cv '^#' "$s" || true); [ "$n" -gt "$lim" ] && n=$lim
    row="| $name | $n |"
    # columns: iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s
    row="$row$(tail -n +2 "$OUT/$name.eval.csv" | awk -F, '{ printf " %.1f%% (%.1f%%) |", 100*$3, 100*$2 }')"
    if [ -n "$TRIES" ]; then
        $LOOPT eval --model "$MODEL" --data "$s" --iters "$last" --tries "$TRIES" --limit "${TRIES_LIMIT:-$lim}" \
            --quiet > "$OUT/$name.tries.csv"
        # columns: ...,puzzles_per_s,tries,select,exact_model,exact_valid,exact_confident,any_valid
        row="$row$(tail -n +2 "$OUT/$name.tries.csv" | awk -F, '{ printf " %.1f%% | %.1f%% |", 100*$11, 100*$10 }')"
    fi
    echo "$row"
done
