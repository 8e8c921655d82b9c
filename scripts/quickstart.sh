#!/bin/sh
# quickstart.sh — set up loopt on a fresh Debian 12 machine and show what it does, in a few
# minutes on 2 cores: install the Debian packages (if missing), build, then
#   1. the shipped Sudoku model solves fresh puzzles, every answer checked;
#   2. the test-time scaling curve: accuracy against loops (PNG);
#   3. adaptive halting: each puzzle stops on its own, hard ones loop longer;
#   4. the shipped maze model solves mazes larger than it was trained on (PNG);
#   5. a small looped transformer learns 9x9 mazes from scratch (600 steps, about two minutes on
#      2 cores), with its loss curve (PNG), and solves fresh mazes.
# Everything it writes goes to runs/quickstart/; it ends with the list of files it drew.
set -eu
cd "$(dirname "$0")/.."

need=""
pkg-config --exists openblas libcjson 2>/dev/null || need="libopenblas-dev libcjson-dev"
[ -f /usr/include/stb/stb_image.h ] || need="$need libstb-dev"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v cc >/dev/null 2>&1 && command -v make >/dev/null 2>&1 || need="$need build-essential"
if [ -n "$need" ]; then
    echo "quickstart: installing $need"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential libopenblas-dev libcjson-dev libstb-dev pkg-config
fi

make -j"$(nproc 2>/dev/null || echo 2)"
out=runs/quickstart
mkdir -p "$out"
L="./loopt"
say() { printf '\n== %s\n' "$*"; }

say "1. The shipped Sudoku model solves 300 fresh puzzles (30-40 givens), each answer checked"
echo "   (a neural solve: the model's own prediction at every cell; the checker only judges it)"
$L gen sudoku --n 300 --seed 1 --givens 30-40 --solutions --quiet > "$out/sudoku.csv"
$L solve --iters 64 --mark "$out/sudoku.csv" > "$out/sudoku_answers.txt"
echo "   the first three answers (the rest are in $out/sudoku_answers.txt):"
head -3 "$out/sudoku_answers.txt" | sed 's/^/   /'

say "2. Test-time scaling: the same puzzles at 1 to 32 loops, every puzzle the same depth"
$L eval --fixed --data "$out/sudoku.csv" --iters 1,2,4,8,16,32 --quiet | tee "$out/scaling.csv"
$L plot "$out/scaling.csv" --title "Sudoku 30-40 givens: accuracy against loops" \
    --out "$out/scaling.png" --quiet
echo "   more loops, better answers (trained with 32): $out/scaling.png"

say "3. Adaptive halting: each puzzle stops once its answer holds; harder puzzles loop longer"
$L gen sudoku --n 100 --seed 2 --givens 36-40 --quiet > "$out/easy.txt"
$L gen sudoku --n 100 --seed 3 --givens 25-28 --quiet > "$out/hard.txt"
for set in easy hard; do
    printf '   %-4s ' "$set"
    $L solve --iters 64 "$out/$set.txt" 2>&1 >/dev/null | grep 'valid answers' | sed 's/^solve: //'
done

say "4. The shipped maze model (trained on mazes up to 15x15) on 50 fresh 20x20 ones, up to 64 loops"
echo "   (each maze stops once its path has held for 2 loops with every cell at least 90% sure)"
$L gen maze --n 50 --size 20 --seed 20 --solutions --quiet > "$out/maze20.csv"
$L eval --data "$out/maze20.csv" --iters 64 --quiet
$L gen maze --n 1 --size 20 --seed 21 --quiet > "$out/maze20_one.txt"
$L solve --iters 64 --out "$out/maze20.png" "$out/maze20_one.txt" 2>&1 >/dev/null | grep 'valid'
echo "   one more, drawn with the model's path (checked above): $out/maze20.png"

say "5. Train a looped transformer on 9x9 mazes from scratch (configs/quick.json: 600 steps, ~2 minutes)"
echo "   (copying the maze and marking no path scores 0% exact; a model still at that stage, under 2%)"
$L train configs/quick.json --force --out "$out/model" 2>&1 | grep -E '^\[|^eval' || true
$L plot "$out/model/train.jsonl" --title "quick.json: training loss" --out "$out/loss.png" --quiet
$L gen maze --n 200 --size 9 --seed 9 --solutions --quiet > "$out/maze9.csv"
echo "   fresh 9x9 mazes (exact = a valid shortest path), by loops:"
$L eval --fixed --model "$out/model/model.safetensors" --data "$out/maze9.csv" --iters 4,8,12,24 --quiet

say "quickstart: done. Drawn:"
for f in scaling.png maze20.png loss.png; do echo "   $out/$f"; done
echo "Next: ./loopt solve --iters 64 PUZZLES.txt (your own puzzles), make test, loopt help"
