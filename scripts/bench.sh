#!/bin/sh
# bench.sh — loopt against PyTorch on the same model and shapes, in one run on this machine:
# `loopt bench` (sgemm peak, training steps, inference) and scripts/bench_torch.py (PyTorch CPU,
# best of 1 and 2 threads) on configs/bench.json, then a table of the ratios; then the peak RSS
# of inference at 1 and 256 loops (`loopt solve` with a trained model if one is available, else
# `loopt bench --only infer`), which must stay flat: inference keeps one loop's activations.
#
#   sh scripts/bench.sh                    # ./loopt, configs/bench.json, 5 repetitions
#   LOOPT=build-bench/loopt REPS=3 MODEL=runs/sudoku/model.safetensors sh scripts/bench.sh
#   THREADS=1 TORCH_THREADS=1 sh scripts/bench.sh   # both on one core (a busy machine)
#   sh scripts/bench.sh profile             # perf: share of a training step per engine call site
#
# Environment: LOOPT (binary, default ./loopt), CONFIG (default configs/bench.json), REPS
# (default 5), THREADS (loopt's --threads, default 0 = all cores), TORCH_THREADS (thread counts
# PyTorch tries, default 1,2), MODEL (checkpoint for the solve
# memory check; default data/models/sudoku.safetensors when present), OUT (folder for the JSON
# results, default runs/bench). Needs /usr/bin/python3 with python3-torch for the PyTorch side
# (skipped with a note when missing) and /usr/bin/time for the solve memory check.
set -eu
cd "$(dirname "$0")/.."

# `sh scripts/bench.sh profile`: where a training step's time goes, per engine call site.
# Builds a frame-pointer + debug-info binary in build-prof/, records steady-state training steps
# of CONFIG with perf (DWARF call graphs; the start and the warm-up steps skipped), and charges
# every sample to the line of block_forward / block_backward / model_forward / ... that called
# the op (OpenBLAS frames count for the op above them). PROF_THREADS (default 1: every sample is
# then in the calling thread), PROF_SKIP_MS (default 5000: the start and the two warm-up steps), PROF_REPS (default 10).
if [ "${1:-}" = profile ]; then
    CONFIG=${CONFIG:-configs/bench.json}
    OUT=${OUT:-runs/bench}
    mkdir -p "$OUT"
    make -s BUILD=build-prof BIN=build-prof/loopt OPT="-O2 -march=native -g -fno-omit-frame-pointer" build-prof/loopt
    perf record -q -D "${PROF_SKIP_MS:-5000}" -F 299 --call-graph dwarf,8192 \
        -o "$OUT/perf.data" build-prof/loopt bench "$CONFIG" --only train --reps "${PROF_REPS:-10}" \
        --threads "${PROF_THREADS:-1}" >&2
    perf script -i "$OUT/perf.data" -F ip,sym 2>/dev/null > "$OUT/perf.txt"
    python3 - "$OUT/perf.txt" build-prof/loopt <<'PYEOF'
import collections, subprocess, sys
text, binary = open(sys.argv[1]).read(), sys.argv[2]
SITES = {"block_forward", "block_backward", "model_forward", "model_backward", "head_forward",
         "head_backward", "embed_forward", "embed_backward", "optim_step", "cmd_bench"}
counts, addrs, total = collections.Counter(), set(), 0
for block in text.split("\n\n"):
    frames = []
    for line in block.strip().split("\n"):
        parts = line.split(None, 1)
        if len(parts) == 2:
            frames.append((int(parts[0], 16), parts[1].split(" (")[0].split("+")[0].strip()))
    if not frames:
        continue
    total += 1
    i = next((k for k, f in enumerate(frames) if f[1] in SITES), None)
    if i is None:
        counts[("(other)", frames[0][1], 0, False)] += 1
        continue
    op = frames[i - 1][1] if i > 0 else "(inline code)"
    blas = any(f[1] == "cblas_sgemm" for f in frames[:i])
    ip = frames[i][0] if frames[i][1] != "cmd_bench" else 0
    addrs.add(ip)
    counts[(frames[i][1], op, ip, blas)] += 1
addrs.discard(0)
where = {}
if addrs:
    out = subprocess.run(["addr2line", "-a", "-e", binary] + ["0x%x" % (a - 1) for a in sorted(addrs)],
                         capture_output=True, text=True).stdout.split("\n")
    for k in range(0, len(out) - 1, 2):
        where[int(out[k], 16) + 1] = out[k + 1].split(" ")[0]
src = {}
def line_of(loc):
    path, _, n = loc.rpartition(":")
    if not n.isdigit():
        return ""
    rel = path[path.find("src/"):] if "src/" in path else path
    try:
        src.setdefault(rel, open(rel).read().split("\n"))
        return src[rel][int(n) - 1].strip()
    except (OSError, IndexError):
        return ""
rows = collections.defaultdict(lambda: [0, 0])
for (site, op, ip, blas), n in counts.items():
    loc = where.get(ip, "")
    rows[(site, loc.split("/")[-1], line_of(loc) or op)][0] += n
    rows[(site, loc.split("/")[-1], line_of(loc) or op)][1] += n if blas else 0
print(f"{total} samples; share of all samples, and the part of it inside sgemm")
print("| share | sgemm | caller | line | call |")
print("|------:|------:|--------|------|------|")
for (site, loc, call), (n, nb) in sorted(rows.items(), key=lambda kv: -kv[1][0]):
    if 100.0 * n / total >= 0.1:
        print(f"| {100.0*n/total:.1f}% | {100.0*nb/total:.1f}% | {site} | {loc} | `{call[:90]}` |")
PYEOF
    exit 0
fi
LOOPT=${LOOPT:-./loopt}
CONFIG=${CONFIG:-configs/bench.json}
REPS=${REPS:-5}
THREADS=${THREADS:-0}
OUT=${OUT:-runs/bench}
TORCH_THREADS=${TORCH_THREADS:-1,2}
PY=/usr/bin/python3
mkdir -p "$OUT"
[ -x "$LOOPT" ] || { echo "bench.sh: $LOOPT not found: run make first (or set LOOPT)" >&2; exit 2; }

busy=$(pgrep -c -f loopt-run 2>/dev/null || true)
[ "${busy:-0}" -gt 0 ] && echo "bench.sh: warning: another loopt-run process is using the CPU; numbers will be low" >&2

echo "== loopt bench $CONFIG (--threads $THREADS, 0 = all cores; $REPS reps)" >&2
"$LOOPT" bench "$CONFIG" --threads "$THREADS" --reps "$REPS" --json > "$OUT/loopt.json"

if $PY -c 'import torch' 2>/dev/null; then
    echo "== PyTorch: scripts/bench_torch.py --config $CONFIG (threads $TORCH_THREADS, the best is kept)" >&2
    $PY scripts/bench_torch.py --config "$CONFIG" --reps "$REPS" --threads "$TORCH_THREADS" > "$OUT/torch.json"
else
    echo "bench.sh: note: python3-torch is not installed (apt-get install python3-torch): PyTorch side skipped" >&2
    echo 'null' > "$OUT/torch.json"
fi

# Peak RSS at 1 and 256 loops of inference.
MODEL=${MODEL:-}
[ -z "$MODEL" ] && [ -f data/models/sudoku.safetensors ] && MODEL=data/models/sudoku.safetensors
rss() {   # command... -> peak RSS in kB (from /usr/bin/time -v)
    /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}'
}
if [ -n "$MODEL" ] && [ -x /usr/bin/time ]; then
    echo "== peak RSS: loopt solve --model $MODEL --iters 1 / 256 (64 puzzles)" >&2
    "$LOOPT" gen sudoku --n 64 --seed 11 > "$OUT/puzzles.txt"
    r1=$(rss "$LOOPT" solve --model "$MODEL" --quiet --threads "$THREADS" --iters 1 "$OUT/puzzles.txt")
    r256=$(rss "$LOOPT" solve --model "$MODEL" --quiet --threads "$THREADS" --iters 256 "$OUT/puzzles.txt")
    what="loopt solve (64 puzzles)"
else
    echo "== peak RSS: loopt bench --only infer --iters 1 / 256 (no model: set MODEL= for loopt solve)" >&2
    r1=$("$LOOPT" bench "$CONFIG" --threads "$THREADS" --only infer --iters 1 --reps 1 --json |
         $PY -c 'import json,sys; print(json.load(sys.stdin)["peak_rss_bytes"] // 1024)')
    r256=$("$LOOPT" bench "$CONFIG" --threads "$THREADS" --only infer --iters 256 --reps 1 --json |
           $PY -c 'import json,sys; print(json.load(sys.stdin)["peak_rss_bytes"] // 1024)')
    what="loopt bench --only infer"
fi
echo "{\"what\": \"$what\", \"rss_kb_iters1\": $r1, \"rss_kb_iters256\": $r256}" > "$OUT/rss.json"

$PY - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]
lo = json.load(open(f"{out}/loopt.json"))
to = json.load(open(f"{out}/torch.json"))
rs = json.load(open(f"{out}/rss.json"))
g, tr, inf, by = lo["gemm"], lo["train"], lo["infer"], lo["bytes"]
MB = 1e-6
print(f"config {lo['config']}: batch {lo['batch']}, d_model {lo['d_model']}, {lo['n_heads']} heads, "
      f"{lo['n_layers']} layers, d_ff {lo['d_ff']}, {lo['loops']} loops (window {lo['window']}), "
      f"loopt {lo['threads']} threads, {lo['reps']} reps (medians)")
print(f"sgemm peak: {g['peak_gflops']:.1f} GFLOP/s (1024^3: {g['square_gflops']:.1f}, on OpenBLAS's threads "
      f"{g['square_openblas_threads_gflops']:.1f}; "
      f"model shape {g['model_shape'][0]}x{g['model_shape'][1]}x{g['model_shape'][2]}: {g['model_gflops']:.1f})")
print()
print(f"| {'':<34} | {'loopt':>10} | {'PyTorch':>10} | {'ratio':>7} |")
print(f"|{'-'*36}|{'-'*12}|{'-'*12}|{'-'*9}|")
def row(name, a, b, fmt="{:.2f}"):
    bs = fmt.format(b) if b is not None else "n/a"
    ratio = f"{a / b:.2f}x" if b else "n/a"
    print(f"| {name:<34} | {fmt.format(a):>10} | {bs:>10} | {ratio:>7} |")
tt = to["train"] if to else None
B_ = to["batch"] if to else None
ti = to["infer"] if to else None
row("training samples/s", tr["samples_per_s"], tt["samples_per_s"] if tt else None)
row(f"inference samples/s ({lo['iters']} loops)", inf["samples_per_s"], ti["samples_per_s"] if ti else None)
row("training samples/s, best rep", tr["best_samples_per_s"], tt["best_samples_per_s"] if tt else None)
row("inference samples/s, best rep", inf["best_samples_per_s"], ti["best_samples_per_s"] if ti else None)
row("training samples per CPU-second", lo["batch"] / tr["step_cpu_s"], B_ / tt["step_cpu_s"] if tt else None)
row("inference samples per CPU-second", lo["batch"] / inf["forward_cpu_s"], B_ / ti["forward_cpu_s"] if ti else None)
row("training GFLOP/s", tr["gflops"], tt["gflops"] if tt else None, "{:.1f}")
row("inference GFLOP/s", inf["gflops"], ti["gflops"] if ti else None, "{:.1f}")
print()
if tt:
    print(f"PyTorch {to['torch']}: training best at {tt['best_threads']} thread(s) {tt['by_threads']}, "
          f"inference best at {ti['best_threads']} thread(s) {ti['by_threads']}")
print(f"loopt training: {tr['step_s']:.3f} s/step (forward {tr['forward_s']:.3f}, backward {tr['backward_s']:.3f}, "
      f"optimizer {tr['optimizer_s']:.3f}); {tr['gflop_per_sample']:.3f} GFLOP/sample; "
      f"{tr['gflops']:.1f} GFLOP/s = {100 * tr['frac_peak']:.1f}% of the sgemm peak")
print(f"loopt inference: {inf['gflops']:.1f} GFLOP/s = {100 * inf['frac_peak']:.1f}% of the sgemm peak")
print(f"loopt buffers: params {by['params']*MB:.2f} MB, grads {by['grads']*MB:.2f} MB, Adam {by['adam']*MB:.2f} MB, "
      f"EMA {by['ema']*MB:.2f} MB, activations {by['activations_train']*MB:.2f} MB (training) / "
      f"{by['activations_infer']*MB:.2f} MB (inference), activation grads {by['activation_grads']*MB:.2f} MB; "
      f"peak RSS {lo['peak_rss_bytes']*MB:.1f} MB" + (f" (PyTorch {to['peak_rss_bytes']*MB:.1f} MB)" if to else ""))
if lo["threads"] == 1:
    pc = g["peak_gflops_per_cpu_s"]
    tc = tr["gflop_per_sample"] * lo["batch"] / tr["step_cpu_s"]
    ic = inf["gflop_per_sample"] * lo["batch"] / inf["forward_cpu_s"]
    print(f"per CPU-second (1 thread; robust on a shared machine): sgemm peak {pc:.1f} GFLOP/s, training "
          f"{tc:.1f} GFLOP/s = {100 * tc / pc:.1f}% of it, inference {ic:.1f} GFLOP/s = {100 * ic / pc:.1f}%")
r1, r256 = rs["rss_kb_iters1"], rs["rss_kb_iters256"]
print(f"peak RSS, {rs['what']}: --iters 1 {r1/1024:.1f} MiB, --iters 256 {r256/1024:.1f} MiB "
      f"({100 * (r256 - r1) / r1:+.1f}%)")
EOF
