#!/bin/sh
# maze_sizes.sh [OUTDIR] — exact accuracy against loops for each maze size (issue 17; the
# README's plot). Fresh `loopt gen` mazes of 14x14 (200, seed 901), 20x20 (50, seed 902), 30x30
# with a shortest path of at least 110 (50, seed 903), 59x59 (10, seed 904) and 99x99 (3, seed
# 905), each run by `loopt eval --fixed` at its own depths (bigger mazes, longer paths, more
# loops). Writes OUTDIR (default runs/maze_sizes)/sizes.csv (eval's columns after `size`,
# `mazes` and `wall_s`, the eval's wall-clock seconds for all its depths) and sizes.png (exact
# accuracy against loops, one curve per size). Environment: LOOPT (default ./loopt), MODEL
# (default data/models/maze.safetensors), EVAL_ARGS (extra `loopt eval` options), SETS (the
# sets to run, default "14 20 30h 59 99"). Takes about 12 minutes on 2 cores.
set -eu
OUT=${1:-runs/maze_sizes}
LOOPT=${LOOPT:-./loopt}
MODEL=${MODEL:-data/models/maze.safetensors}
EVAL_ARGS=${EVAL_ARGS:-}
SETS=${SETS:-14 20 30h 59 99}
mkdir -p "$OUT"
CSV="$OUT/sizes.csv"
echo "size,mazes,wall_s,iters,cell_acc,exact_acc,mean_loops,loops_median,loops_p90,puzzles_per_s" > "$CSV"
for set in $SETS; do
    case $set in
        14)  n=200; side=14; seed=901; gen_args="";              iters=8,16,32,64,128,256 ;;
        20)  n=50;  side=20; seed=902; gen_args="";              iters=16,32,64,128,256 ;;
        30h) n=50;  side=30; seed=903; gen_args="--min-path 110"; iters=64,128,256,512 ;;
        59)  n=10;  side=59; seed=904; gen_args="";              iters=128,256,512,1024 ;;
        99)  n=3;   side=99; seed=905; gen_args="";              iters=256,512,1024,2048 ;;
        *) echo "maze_sizes.sh: unknown set '$set' (14 20 30h 59 99)" >&2; exit 2 ;;
    esac
    label="${side}x${side}"; [ "$set" = 30h ] && label="30x30 path>=110"
    f="$OUT/m$set.txt"
    # shellcheck disable=SC2086
    $LOOPT gen maze --n $n --size $side --seed $seed $gen_args --solutions --quiet > "$f"
    t0=$(date +%s)
    # shellcheck disable=SC2086
    $LOOPT eval --model "$MODEL" --fixed --data "$f" --iters $iters $EVAL_ARGS > "$OUT/e$set.csv"
    wall=$(( $(date +%s) - t0 ))
    tail -n +2 "$OUT/e$set.csv" | sed "s/^/$label,$n,$wall,/" >> "$CSV"
    echo "$label: $n mazes, ${wall} s" >&2
done
$LOOPT plot "$CSV" --out "$OUT/sizes.png" --x iters --y exact_acc --group size \
    --title "maze model (trained on mazes up to 15x15): exact accuracy against loops, by maze size" --quiet
cat "$CSV"
