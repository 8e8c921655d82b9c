#!/bin/sh
# ab_compare.sh — proves two loopt binaries compute the same bits (an engine refactor must keep
# behaviour bit-identical). With each binary, on the same inputs and the same overrides:
#   - gen: `gen sudoku --n 200 --seed 11` and `gen maze --n 50 --size 14 --seed 12` (stdout);
#   - train: every configs/*.json for AB_STEPS steps (train.steps, eval_every=0, ckpt_every=0,
#     train.threads, and a smaller batch / generated split so every config takes seconds); the
#     two checkpoints are compared byte for byte except the wall-time field
#     __metadata__.elapsed_s and __metadata__.log, the log's path (docs/checkpoints.md); with python3 the differing tensors are named;
#   - gradcheck: every configs/tiny-*.json (stdout: the printed errors must match exactly);
#   - solve (text and --format json; json on 50 of the 200 Sudoku, 20 of the 50 mazes) and eval
#     (the CSV's first four columns, iters to mean_loops: no timing) at --iters 1, 4 and 16 (eval: --iters
#     1,4,16) with the shipped models
#     data/models/{sudoku,maze}.safetensors and with checkpoints trained above by the OLD binary
#     (both binaries read the same file): sudoku-ut (loop), tiny-act (loop, ACT halting, also
#     --fixed), tiny-trm (trm), tiny-hrm (hrm), maze (loop, local mixer);
# then prints a table and exits 0 only if every comparison is identical (1 otherwise, 2 on bad
# usage). Run time, printed at the end: 282-314 s measured on 2 cores shared with other jobs.
#
#   make -j2 && cp loopt /tmp/loopt-A      # before the change
#   ...edit, make -j2...
#   sh scripts/ab_compare.sh /tmp/loopt-A ./loopt                 # OUTDIR default runs/ab_compare
#   AB_ENV_NEW=OPENBLAS_CORETYPE=Sandybridge sh scripts/ab_compare.sh ./loopt ./loopt /tmp/ab
#
# Environment: AB_STEPS (training steps, default 3), AB_BATCH (train.batch, default 4),
# AB_GEN_TRAIN / AB_GEN_VALID (data.gen_train / data.gen_valid, default 64 / 8), AB_THREADS
# (train.threads and --threads of solve/eval, default 2), AB_CONFIGS (configs to train, default
# configs/*.json), AB_ENV_OLD / AB_ENV_NEW (VAR=value words put in the environment of the OLD /
# NEW binary only, e.g. AB_ENV_NEW=OPENBLAS_CORETYPE=Sandybridge to check the check), AB_PYTHON
# (default /usr/bin/python3; without a python the checkpoints are compared with od/dd/sed/cmp
# and differing tensors are not named), AB_NEW_KEYS (config keys, e.g. "halting.patience",
# that NEW added with their defaults: dropped from NEW's stored config before comparing; needs
# python). OUTDIR keeps every output (old/, new/, data/) and
# summary.txt; old/ and new/ are emptied first.
set -u

usage() { echo "usage: sh scripts/ab_compare.sh OLD_BINARY NEW_BINARY [OUTDIR]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
OLD=$(abspath "$1"); NEW=$(abspath "$2")
OUT=${3:+$(abspath "${3:-}")}
cd "$(dirname "$0")/.." || exit 2
OUT=${OUT:-$PWD/runs/ab_compare}
for b in "$OLD" "$NEW"; do
    [ -x "$b" ] && [ ! -d "$b" ] || { echo "ab_compare: $b: not an executable file" >&2; exit 2; }
done

STEPS=${AB_STEPS:-3}
BATCH=${AB_BATCH:-4}
GEN_TRAIN=${AB_GEN_TRAIN:-64}
GEN_VALID=${AB_GEN_VALID:-8}
THREADS=${AB_THREADS:-2}
CONFIGS=${AB_CONFIGS:-configs/*.json}
ENV_OLD=${AB_ENV_OLD:-}
ENV_NEW=${AB_ENV_NEW:-}
PY=${AB_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=

T0=$(date +%s)
mkdir -p "$OUT" || exit 2
rm -rf "$OUT/old" "$OUT/new" "$OUT/data"
mkdir -p "$OUT/old/train" "$OUT/new/train" "$OUT/data"
: > "$OUT/results.tsv"
TAB=$(printf '\t')

echo "ab_compare: OLD $OLD${ENV_OLD:+ (env $ENV_OLD)}" >&2
echo "ab_compare: NEW $NEW${ENV_NEW:+ (env $ENV_NEW)}" >&2
echo "ab_compare: outputs in $OUT" >&2

# result NAME RESULT DETAIL: one row of the summary (RESULT identical, DIFFERS or ERROR)
result() {
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$OUT/results.tsv"
    printf '[%4ss] %-34s %s %s\n' "$(( $(date +%s) - T0 ))" "$1" "$2" "$3" >&2
}

# run SIDE NAME ARGS...: the SIDE (old|new) binary with its environment; stdout, stderr and the
# exit status go to $OUT/SIDE/NAME.{out,err,rc}
run() {
    _side=$1 _name=$2; shift 2
    if [ "$_side" = old ]; then _bin=$OLD _env=$ENV_OLD; else _bin=$NEW _env=$ENV_NEW; fi
    # $_env unquoted on purpose: zero or more VAR=value words
    env $_env "$_bin" "$@" > "$OUT/$_side/$_name.out" 2> "$OUT/$_side/$_name.err"
    echo $? > "$OUT/$_side/$_name.rc"
}

# both NAME ARGS...: runs ARGS with OLD, then with NEW; 0 if both exited 0 (else an ERROR row)
both() {
    _n=$1; shift
    run old "$_n" "$@"; run new "$_n" "$@"
    _ro=$(cat "$OUT/old/$_n.rc") _rn=$(cat "$OUT/new/$_n.rc")
    [ "$_ro" = 0 ] && [ "$_rn" = 0 ] && return 0
    result "$_n" ERROR "exit status old $_ro, new $_rn (see $OUT/{old,new}/$_n.err)"
    return 1
}

# same NAME [FILTER]: compares the two stdouts (through the sed script FILTER, if any)
same() {
    if [ -n "${2:-}" ]; then
        sed "$2" "$OUT/old/$1.out" > "$OUT/old/$1.cmp"; sed "$2" "$OUT/new/$1.out" > "$OUT/new/$1.cmp"
    else
        cp "$OUT/old/$1.out" "$OUT/old/$1.cmp"; cp "$OUT/new/$1.out" "$OUT/new/$1.cmp"
    fi
    if cmp -s "$OUT/old/$1.cmp" "$OUT/new/$1.cmp"; then
        result "$1" identical "$(wc -l < "$OUT/old/$1.cmp" | tr -d ' ') lines"
    else
        _d=$(diff "$OUT/old/$1.cmp" "$OUT/new/$1.cmp" | grep -c '^<')
        _l=$(cmp "$OUT/old/$1.cmp" "$OUT/new/$1.cmp" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
        result "$1" DIFFERS "$_d of $(wc -l < "$OUT/old/$1.cmp" | tr -d ' ') lines differ, first at line ${_l:-?}"
    fi
}

# compare_pair NAME ARGS...: run both, compare stdout as is
compare_pair() { _cn=$1; shift; both "$_cn" "$@" && same "$_cn"; }

# The checkpoint comparison in Python (standard library): exit 0 identical, 1 differs, 2 error;
# one line saying what differs. The header text must match except the value of each ignored
# metadata key (and the space padding, whose length follows that value's length).
cat > "$OUT/ckpt_cmp.py" <<'PYEOF'
import array, json, os, re, struct, sys
IGNORED = ["elapsed_s", "log"]   # log: the run's log's absolute path, which names its folder
NEW_KEYS = os.environ.get("AB_NEW_KEYS", "").split()   # config keys only NEW knows (dotted)
def drop_new_keys(config):
    cfg = json.loads(config)
    for key in NEW_KEYS:
        *path, leaf = key.split(".")
        node = cfg
        for p in path:
            node = node.get(p, {})
        node.pop(leaf, None)
    return cfg
def load(path):
    raw = open(path, "rb").read()
    if len(raw) < 8:
        raise ValueError("%s: shorter than 8 bytes" % path)
    n = struct.unpack("<Q", raw[:8])[0]
    if 8 + n > len(raw):
        raise ValueError("%s: header length %d past the end" % (path, n))
    text = raw[8:8 + n]
    header = json.loads(text.decode("utf-8"))
    meta = header.pop("__metadata__", {})
    for k in IGNORED:
        text = re.sub(rb'"' + k.encode() + rb'":"[^"]*"', b'"' + k.encode() + b'":""', text)
    return raw[8 + n:], text.rstrip(b" "), header, meta
try:
    da, ta, ha, ma = load(sys.argv[1])
    db, tb, hb, mb = load(sys.argv[2])
except Exception as e:
    print("cannot read: %s" % e)
    sys.exit(2)
what = []
for k in sorted(set(ma) | set(mb)):
    if k == "config" and NEW_KEYS and k in ma and k in mb:
        if json.loads(ma[k]) != drop_new_keys(mb[k]):
            what.append("metadata config (beyond %s)" % " ".join(NEW_KEYS))
    elif k not in IGNORED and ma.get(k) != mb.get(k):
        what.append("metadata %s" % k)
na, nb = list(ha), list(hb)
if set(na) != set(nb):
    what.append("tensor names (only old: %s; only new: %s)" % (
        ",".join(sorted(set(na) - set(nb))) or "-", ",".join(sorted(set(nb) - set(na))) or "-"))
elif na != nb:
    what.append("tensor order")
CODES = {"F32": "f", "F64": "d"}
bad = []
for name in [t for t in na if t in hb]:
    a, b = ha[name], hb[name]
    if a["dtype"] != b["dtype"] or a["shape"] != b["shape"]:
        bad.append("%s (dtype/shape %s%s vs %s%s)" % (name, a["dtype"], a["shape"], b["dtype"], b["shape"]))
        continue
    xa = da[a["data_offsets"][0]:a["data_offsets"][1]]
    xb = db[b["data_offsets"][0]:b["data_offsets"][1]]
    if xa == xb:
        continue
    code = CODES.get(a["dtype"])
    if code and len(xa) == len(xb):
        va, vb = array.array(code, xa), array.array(code, xb)
        diff = [abs(p - q) for p, q in zip(va, vb) if p != q and not (p != p and q != q)]
        bad.append("%s (%d/%d elems, max|d| %.3g)" % (name, len(diff), len(va), max(diff) if diff else 0))
    else:
        bad.append("%s (bytes)" % name)
if bad:
    what.append("%d of %d tensors: %s" % (len(bad), len(na), "; ".join(bad[:8]) + (
        "; ... %d more" % (len(bad) - 8) if len(bad) > 8 else "")))
if not what and ta != tb and not NEW_KEYS:
    what.append("header text (same content, different bytes)")
if not what and da != db:
    what.append("data section bytes outside the tensors")
if what:
    print("; ".join(what))
    sys.exit(1)
print("%d tensors, %d data bytes; only %s ignored" % (len(na), len(da), ",".join(IGNORED + NEW_KEYS)))
PYEOF

# ckpt_cmp A B: the same verdict without python: od/dd/sed/cmp, no tensor names
ckpt_cmp_sh() {
    for _f in "$1" "$2"; do
        _h=$(od -An -t u8 -N 8 "$_f" 2>/dev/null | tr -d ' ')
        [ -n "$_h" ] || { echo "cannot read: $_f"; return 2; }
        dd if="$_f" bs=1 skip=8 count="$_h" 2>/dev/null |
            sed 's/"elapsed_s":"[^"]*"/"elapsed_s":""/; s/"log":"[^"]*"/"log":""/; s/ *$//' > "$_f.hdr"
        tail -c +$((_h + 9)) "$_f" > "$_f.data"
    done
    _w=
    cmp -s "$1.hdr" "$2.hdr" || _w="header (beyond elapsed_s)"
    cmp -s "$1.data" "$2.data" || _w="${_w:+$_w; }tensor data (from byte $(cmp "$1.data" "$2.data" 2>&1 |
        sed -n 's/.* byte \([0-9]*\).*/\1/p') of the data section)"
    rm -f "$1.hdr" "$2.hdr" "$1.data" "$2.data"
    [ -z "$_w" ] && { echo "only elapsed_s ignored (no python: tensors not listed)"; return 0; }
    echo "$_w"; return 1
}

ckpt_cmp() {
    if [ -n "$PY" ]; then "$PY" "$OUT/ckpt_cmp.py" "$1" "$2"; else ckpt_cmp_sh "$1" "$2"; fi
}

# 1. Inputs, generated by both binaries (the generators must agree too); OLD's files are used.
D=$OUT/data
compare_pair gen-sudoku-200 gen sudoku --n 200 --seed 11
compare_pair gen-sudoku-50 gen sudoku --n 50 --seed 11
compare_pair gen-sudoku-20 gen sudoku --n 20 --seed 13
compare_pair gen-maze-50 gen maze --n 50 --size 14 --seed 12
compare_pair gen-maze-20 gen maze --n 20 --size 14 --seed 14
for f in sudoku-200 sudoku-50 sudoku-20 maze-50 maze-20; do cp "$OUT/old/gen-$f.out" "$D/$f.txt"; done

# 2. Training: every config, same overrides for both binaries.
for cfg in $CONFIGS; do
    [ -f "$cfg" ] || { result "train $cfg" ERROR "no such config"; continue; }
    n=$(basename "$cfg" .json)
    set -- train "$cfg" --set train.steps="$STEPS" --set train.eval_every=0 \
        --set train.ckpt_every=0 --set train.log_every=1 --set train.threads="$THREADS" \
        --set train.batch="$BATCH" --set data.gen_train="$GEN_TRAIN" --set data.gen_valid="$GEN_VALID"
    run old "train-$n" "$@" --out "$OUT/old/train/$n"
    run new "train-$n" "$@" --out "$OUT/new/train/$n"
    ro=$(cat "$OUT/old/train-$n.rc") rn=$(cat "$OUT/new/train-$n.rc")
    if [ "$ro" != 0 ] || [ "$rn" != 0 ]; then
        result "train $n" ERROR "exit status old $ro, new $rn (see $OUT/{old,new}/train-$n.err)"
        continue
    fi
    detail=$(ckpt_cmp "$OUT/old/train/$n/model.safetensors" "$OUT/new/train/$n/model.safetensors")
    case $? in
        0) result "train $n" identical "$detail" ;;
        1) result "train $n" DIFFERS "$detail" ;;
        *) result "train $n" ERROR "$detail" ;;
    esac
done

# 3. Gradient checks: the printed errors are the finite differences' last bits.
for cfg in configs/tiny-*.json; do
    compare_pair "gradcheck $(basename "$cfg" .json)" gradcheck "$cfg"
done

# 4. solve (text, json) and eval on fixed inputs: shipped models, then OLD's fresh checkpoints.
# infer LABEL MODEL DATA JSON_DATA EXTRA...: solve text (DATA) and json (JSON_DATA, a smaller file
# where time is short: the same answers, plus valid/loops) at --iters 1, 4, 16; eval of DATA
infer() {
    _lab=$1 _m=$2 _data=$3 _jdata=$4; shift 4
    if [ ! -f "$_m" ]; then result "solve/eval $_lab" ERROR "no checkpoint $_m"; return; fi
    for _i in 1 4 16; do
        compare_pair "solve $_lab iters $_i" solve --model "$_m" --iters "$_i" --threads "$THREADS" "$@" "$_data"
        compare_pair "solve-json $_lab iters $_i" solve --model "$_m" --iters "$_i" --threads "$THREADS" \
            --format json "$@" "$_jdata"
    done
    both "eval $_lab" eval --model "$_m" --data "$_data" --iters 1,4,16 --threads "$THREADS" "$@" &&
        same "eval $_lab" 's/^\(\([^,]*,\)\{3\}[^,]*\),.*$/\1/'   # iters..mean_loops: drop the rest (timing;
        # the loop percentiles, which binaries from before they existed lack)
}
S200=$D/sudoku-200.txt S50=$D/sudoku-50.txt S20=$D/sudoku-20.txt M50=$D/maze-50.txt M20=$D/maze-20.txt
infer "shipped-sudoku" data/models/sudoku.safetensors "$S200" "$S50"
infer "shipped-maze" data/models/maze.safetensors "$M50" "$M20"
T=$OUT/old/train
infer "sudoku-ut" "$T/sudoku-ut/model.safetensors" "$S20" "$S20"
infer "tiny-act" "$T/tiny-act/model.safetensors" "$S50" "$S50"
infer "tiny-act --fixed" "$T/tiny-act/model.safetensors" "$S20" "$S20" --fixed
infer "tiny-trm" "$T/tiny-trm/model.safetensors" "$S20" "$S20"
infer "tiny-hrm" "$T/tiny-hrm/model.safetensors" "$S20" "$S20"
infer "maze" "$T/maze/model.safetensors" "$M20" "$M20"

# 5. Summary.
SECS=$(( $(date +%s) - T0 ))
{
    printf '%-34s %-9s %s\n' check result detail
    printf '%-34s %-9s %s\n' ---------------------------------- --------- ------
    while IFS="$TAB" read -r name res detail; do
        printf '%-34s %-9s %s\n' "$name" "$res" "$detail"
    done < "$OUT/results.tsv"
    total=$(wc -l < "$OUT/results.tsv" | tr -d ' ')
    same_n=$(grep -c "${TAB}identical${TAB}" "$OUT/results.tsv")
    diff_n=$(grep -c "${TAB}DIFFERS${TAB}" "$OUT/results.tsv")
    err_n=$(grep -c "${TAB}ERROR${TAB}" "$OUT/results.tsv")
    echo
    echo "OLD $OLD${ENV_OLD:+ (env $ENV_OLD)}"
    echo "NEW $NEW${ENV_NEW:+ (env $ENV_NEW)}"
    echo "$total comparisons: $same_n identical, $diff_n differ, $err_n errors; run time ${SECS} s"
} | tee "$OUT/summary.txt"
if [ -s "$OUT/results.tsv" ] && [ "$(grep -vc "${TAB}identical${TAB}" "$OUT/results.tsv")" = 0 ]; then
    echo "ab_compare: IDENTICAL"
    exit 0
fi
echo "ab_compare: NOT IDENTICAL (outputs in $OUT)"
exit 1
