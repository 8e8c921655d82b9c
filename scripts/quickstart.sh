#!/bin/sh
# quickstart.sh — set up loopt on a fresh Debian 12 machine and run the main job on a small
# built-in default: install the Debian packages (if missing), build, generate Sudoku puzzles
# and mazes, verify them with the exact checkers, draw a maze, and check the engine's
# gradients on the tiny configs, then train a small model for 300 steps (~25 s) and solve fresh
# puzzles with it at several loop counts. Everything it writes goes to runs/quickstart/.
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

echo "== 1000 Sudoku puzzles (25-35 givens), checked by the exact solver"
./loopt gen sudoku --n 1000 --seed 1 --givens 25-35 --solutions > "$out/sudoku.csv"
./loopt check "$out/sudoku.csv"
echo "== 100 mazes 30x30 with a shortest path of at least 110 steps, checked"
./loopt gen maze --n 100 --size 30 --min-path 110 --seed 1 --solutions > "$out/maze.csv"
./loopt check "$out/maze.csv"
./loopt render "$out/maze.csv" --out "$out/maze.png"
echo "   drew the first maze with its exact shortest path: $out/maze.png"
echo "== the engine's gradients against finite differences (tiny models of each scheme)"
for c in tiny-none tiny-act tiny-local tiny-trm tiny-trm-mlp tiny-hrm; do
    printf '%-13s ' "$c"; ./loopt gradcheck "configs/$c.json" | tail -1
done
echo "== the shipped maze model (trained on 14x14) on 100 fresh 14x14 mazes at 16 and 64 loops"
./loopt gen maze --n 100 --size 14 --seed 4242 --solutions > "$out/maze14.csv"
./loopt eval --data "$out/maze14.csv" --iters 16,64
./loopt gen maze --n 1 --size 14 --seed 77 > "$out/maze14_one.txt"
./loopt solve --iters 64 "$out/maze14_one.txt" --out "$out/maze14_model.png"
echo "   the model's answer to one more, drawn: $out/maze14_model.png"
echo "== train a small looped transformer on generated Sudoku for 300 steps (configs/quick.json)"
./loopt train configs/quick.json --force --out "$out/model"
echo "== solve 200 fresh puzzles with it at 1, 2, 4, 8 and 16 loops (trained with 4)"
./loopt gen sudoku --n 200 --seed 12345 --givens 30-45 --solutions > "$out/test.csv"
./loopt eval --model "$out/model/model.safetensors" --data "$out/test.csv" --iters 1,2,4,8,16
./loopt solve --model "$out/model/model.safetensors" "$out/test.csv" | head -3
echo "quickstart: done (outputs in $out/). 300 steps of training learn little beyond the"
echo "givens; the shipped model is the real one: ./loopt solve --iters 32 $out/test.csv"
