#!/bin/sh
# sudoku_hard_data.sh [OUTDIR] — the training data of the shipped Sudoku model's second stage
# (configs/sudoku-hard.json; docs/sudoku_data.md). Every file is made by `loopt gen sudoku`
# with `--exclude ../shared/puzzles` (LOOPT_PUZZLES overrides the folder): no puzzle is
# equivalent, up to the Sudoku symmetries and digit relabelling, to one of the public benchmark
# sets; without that folder the script stops. Writes OUTDIR (default runs/sudoku-hard-data):
#   valid_hardest.csv  256 minimal puzzles of level hardest (22-26 givens, rating >= 30)
#   train.csv          110,000 lines: 40,000 hard (10-29), 5,000 hardest written twice (so
#                      drawn twice as often), 20,000 medium (1-9), 20,000 of 30-45 and 20,000
#                      of 22-29 givens from the original generator; all `puzzle,solution`
# About 25 minutes on 2 cores; the same files for any thread count.
# With STAGE=3, the third stage's data instead (configs/sudoku-hard-stage3.json; default OUTDIR
# runs/sudoku-hard-data3; about 11 minutes): the same valid_hardest.csv and a train.csv of
# 44,000 lines with new seeds: 8,000 hardest written twice, 16,000 hard, 6,000 medium and
# 6,000 of 30-45 givens.
# With STAGE=4, the data of the stage-4 and stage-5 trials (docs/sudoku_model.md; default OUTDIR
# runs/sudoku-hard-data4): the same mix as STAGE=3 with new seeds (2910-2913).
set -eu
STAGE=${STAGE:-2}
case "$STAGE" in 2) OUT=${1:-runs/sudoku-hard-data} ;; 3) OUT=${1:-runs/sudoku-hard-data3} ;;
    4) OUT=${1:-runs/sudoku-hard-data4} ;;
    *) echo "sudoku_hard_data.sh: STAGE must be 2, 3 or 4, got '$STAGE'" >&2; exit 2 ;; esac
LOOPT=${LOOPT:-./loopt}
PUZ=${LOOPT_PUZZLES:-../shared/puzzles}
[ -d "$PUZ" ] || { echo "sudoku_hard_data.sh: $PUZ not found: the training data must be checked against the public sets" >&2; exit 2; }
mkdir -p "$OUT"
X="--exclude $PUZ --solutions"
$LOOPT gen sudoku --n 256 --level hardest --seed 1900 $X > "$OUT/valid_hardest.csv"
if [ "$STAGE" != 2 ]; then
    s=$((2906 + 4 * (STAGE - 3)))      # stage 3: seeds 2906-2909, stage 4: 2910-2913
    $LOOPT gen sudoku --n 8000 --level hardest --seed $s $X > "$OUT/hardest.csv"
    $LOOPT gen sudoku --n 16000 --level hard --seed $((s + 1)) $X > "$OUT/hard.csv"
    $LOOPT gen sudoku --n 6000 --level medium --seed $((s + 2)) $X > "$OUT/medium.csv"
    $LOOPT gen sudoku --n 6000 --givens 30-45 --seed $((s + 3)) $X > "$OUT/g3045.csv"
    cat "$OUT/hardest.csv" "$OUT/hardest.csv" "$OUT/hard.csv" "$OUT/medium.csv" "$OUT/g3045.csv" \
        > "$OUT/train.csv"
    $LOOPT check "$OUT/valid_hardest.csv" --against "$OUT/train.csv"
    exit 0
fi
$LOOPT gen sudoku --n 40000 --level hard --seed 1901 $X > "$OUT/hard.csv"
$LOOPT gen sudoku --n 20000 --level medium --seed 1902 $X > "$OUT/medium.csv"
$LOOPT gen sudoku --n 20000 --givens 30-45 --seed 1903 $X > "$OUT/g3045.csv"
$LOOPT gen sudoku --n 20000 --givens 22-29 --seed 1904 $X > "$OUT/g2229.csv"
$LOOPT gen sudoku --n 5000 --level hardest --seed 1905 $X > "$OUT/hardest.csv"
cat "$OUT/hard.csv" "$OUT/hardest.csv" "$OUT/hardest.csv" "$OUT/medium.csv" "$OUT/g3045.csv" \
    "$OUT/g2229.csv" > "$OUT/train.csv"
$LOOPT check "$OUT/valid_hardest.csv" --against "$OUT/train.csv"
