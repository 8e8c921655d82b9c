#!/bin/sh
# cli_reference.sh — loopt's loss and gradients against PyTorch (issue 14): for every tiny
# config, and variants that reach the truncation window, deep supervision, pre-norm with gains,
# rope, memory tokens, no input injection, stable-max, halting q, HRM's shared block and URM's
# ConvSwiGLU (along the sequence and on the grid, with ACT, in trm with the mlp mixer),
# `loopt gradcheck --dump` writes the weights, the batch, the loss and the analytic gradients of
# one forward + backward, and tests/reference_torch.py recomputes them with autograd in float64
# from the config alone (tolerances there and in docs/engine.md, "Reference test"). Then: the
# reference fails a dump with one wrong gradient entry or a wrong loss, and exits 77 without torch.
# Needs Debian's python3-torch at /usr/bin/python3 (PYTHON overrides); without it, one skip line
# per config. About 5 s.
. tests/lib_cli.sh
PY=${PYTHON:-/usr/bin/python3}
REF=tests/reference_torch.py
NAMES=

# dump NAME CONFIG [KEY=VALUE...]: one forward + backward of configs/CONFIG.json into $T/NAME.st
dump() {
    cname=$1; cfg=$2; shift 2
    args=
    for s in "$@"; do args="$args --set $s"; done
    expect_exit 0 "dump_$cname" "$LOOPT" gradcheck "configs/$cfg.json" $args --dump "$T/$cname.st"
    NAMES="$NAMES $cname"
}

dump none tiny-none
dump local tiny-local
dump act tiny-act
dump trm tiny-trm
dump trm_mlp tiny-trm-mlp
dump hrm tiny-hrm
dump none_window_deep tiny-none recursion.loops=5 recursion.window=2 train.deep_supervision=true
dump none_prenorm_rope tiny-none model.norm=pre model.norm_gain=true model.positions=rope \
    model.input_injection=false model.memory_tokens=2 train.loss=stablemax
dump act_window_memory tiny-act recursion.loops=5 recursion.window=2 halting.bias_init=1 model.memory_tokens=1
dump local_coords_prenorm tiny-local model.positions=coords model.norm=pre model.norm_gain=true train.loss=stablemax
dump trm_q_one_cycle tiny-trm recursion.trm.T=1 recursion.n_sup=1 halting.kind=q
dump hrm_q tiny-hrm halting.kind=q
dump hrm_shared_rope tiny-hrm recursion.hrm.shared=true model.positions=rope model.memory_tokens=1
dump huginn tiny-huginn
dump huginn_deep_prelude_memory tiny-huginn recursion.window=0 model.n_layers=2 recursion.huginn.prelude=2 \
    recursion.huginn.coda=0 model.memory_tokens=2 recursion.huginn.noise_std=0.5
dump huginn_prenorm_rope_coda tiny-huginn recursion.huginn.prelude=0 recursion.huginn.coda=2 model.norm=pre \
    model.norm_gain=true model.positions=rope train.loss=stablemax recursion.loops=5 recursion.window=3
dump huginn_local tiny-huginn model.mixer=local recursion.huginn.noise_std=0
dump urm tiny-urm
dump urm_grid_memory_prenorm tiny-urm model.conv_axis=grid model.conv_kernel=3 model.memory_tokens=2 \
    model.norm=pre model.norm_gain=true
dump urm_maze_grid_local tiny-urm task=maze data.maze_size=7 model.mixer=local model.positions=rope \
    model.conv_axis=grid
dump urm_act_window tiny-urm halting.kind=act halting.bias_init=-1 recursion.loops=5 recursion.window=3 \
    model.memory_tokens=1
dump urm_trm_mlp tiny-trm model.ffn=convswiglu model.mixer=mlp model.init_std=0.05 model.conv_kernel=3

# the dump is also a checkpoint: loopt reads its weights and config back
expect_exit 0 dump_loads_as_checkpoint "$LOOPT" info "$T/act.st"
expect_grep 'grad.whalt' dump_has_gradients
expect_grep 'n_halt' dump_has_halting_decisions
expect_exit 0 gradcheck_help "$LOOPT" gradcheck --help
expect_grep '--dump FILE' gradcheck_help_dump
expect_exit 0 gradcheck_hints "$LOOPT" gradcheck configs/tiny-local.json --set train.hints=0.5
expect_grep '^  whint .* ok$' gradcheck_hints_checks_its_head
expect_exit 2 dump_hints "$LOOPT" gradcheck configs/tiny-local.json --set train.hints=0.5 --dump "$T/h.st"
expect_grep 'train.hints: the hint head is not in the reference' dump_hints_msg
expect_exit 1 dump_unwritable "$LOOPT" gradcheck configs/tiny-none.json --dump "$T/no/such/dir/x.st"
expect_grep 'gradcheck --dump' dump_unwritable_msg

files=
for n in $NAMES; do files="$files $T/$n.st"; done
"$PY" "$REF" $files >"$T/ref.out" 2>&1; rc=$?
if [ "$rc" -eq 77 ] || [ "$rc" -eq 126 ] || [ "$rc" -eq 127 ]; then   # no torch, or no $PY at all
    for n in $NAMES; do echo "skip reference_$n (python3-torch is missing: apt-get install python3-torch)"; done
    echo done
    exit 0
fi
for n in $NAMES; do
    f="$T/$n.st"
    if grep -q "^reference: $f: PASS" "$T/ref.out"; then echo "ok reference_$n"; else
        echo "FAIL reference_$n:"
        sed -n "\\|^reference: $f: |,\\|^reference: $f: [PF]A|p" "$T/ref.out" | grep -v ' ok$' | sed 's/^/    /'
        grep -A3 Traceback "$T/ref.out" | head -8 | sed 's/^/    /'
    fi
done
if [ "$rc" -eq 0 ] && ! grep -q ': FAIL' "$T/ref.out"; then echo "ok reference_exit_0"
else echo "FAIL reference_exit_0: exit $rc"; fi

# The reference must fail a wrong gradient entry (1% of the tensor's largest) and a loss off by
# 1e-5 relative, each with exit 1 naming the tensor.
corrupt() {   # corrupt IN OUT TENSOR HOW: rewrite element 0 of TENSOR (grad: += 1% of max |x|; loss: *= 1 + 1e-5)
    "$PY" - "$@" <<'EOF'
import json, struct, sys
src, dst, name, how = sys.argv[1:]
buf = bytearray(open(src, "rb").read())
n = struct.unpack("<Q", buf[:8])[0]
e = json.loads(buf[8:8 + n])[name]
b, end = e["data_offsets"]
fmt = {"F32": "f", "F64": "d"}[e["dtype"]]
size = struct.calcsize(fmt)
vals = struct.unpack("<%d%s" % ((end - b) // size, fmt), buf[8 + n + b:8 + n + end])
v = vals[0] + 0.01 * max(abs(x) for x in vals) if how == "grad" else vals[0] * (1 + 1e-5)
buf[8 + n + b:8 + n + b + size] = struct.pack("<" + fmt, v)
open(dst, "wb").write(buf)
EOF
}
corrupt "$T/act.st" "$T/bad_grad.st" grad.wqkv grad
corrupt "$T/trm.st" "$T/bad_loss.st" loss loss
expect_exit 1 reference_fails_wrong_values "$PY" "$REF" "$T/bad_grad.st" "$T/bad_loss.st"
expect_grep 'grad.wqkv .* FAIL' reference_names_wrong_gradient
expect_grep '  loss .* FAIL' reference_names_wrong_loss
if [ "$(grep -c ': FAIL (' "$T/out")" -eq 2 ]; then echo "ok reference_fails_both_files"
else echo "FAIL reference_fails_both_files"; grep '^reference' "$T/out" | sed 's/^/    /'; fi
mkdir -p "$T/notorch"
echo 'raise ImportError("no torch here")' >"$T/notorch/torch.py"
expect_exit 77 reference_without_torch env PYTHONPATH="$T/notorch" "$PY" "$REF" "$T/none.st"
expect_grep 'python3-torch is missing' reference_without_torch_msg
echo done
