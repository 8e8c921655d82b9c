#!/bin/sh
# breadth_grid.sh — depth x breadth (issue 18): `loopt eval --iters ITERS --tries TRIES` on one
# Sudoku puzzle file, written as a CSV, a chart and a markdown table with the speed in every
# cell. See the usage text below, or run with --help.
set -u

usage() {
    cat <<'EOF'
usage: sh scripts/breadth_grid.sh SET [OUTDIR]
       sh scripts/breadth_grid.sh --from GRID.CSV [OUTDIR]

Runs the Sudoku model on the puzzles of SET (any file `loopt eval` reads; solutions optional)
at every depth of ITERS and every breadth of TRIES in one `loopt eval` (each puzzle as TRIES
symmetric variants, one answer picked: `loopt solve --help`, --tries), and writes
  OUTDIR/grid.csv   eval's CSV, a row per (tries, iters): iters,cell_acc,exact_acc,mean_loops,
                    loops_median,loops_p90,puzzles_per_s,tries,select,exact_model,exact_valid,
                    exact_confident,any_valid
  OUTDIR/grid.png   exact accuracy against loops (x log2), one colour per tries: rule valid
                    solid, rule model dashed
  OUTDIR/grid.md    a markdown table, tries down, iters across; each cell: exact accuracy with
                    rule valid, rule model, and puzzles per second (puzzles, not variants);
                    then the loops each puzzle cost (tries x mean loops per variant: the work,
                    which the time follows on an unloaded machine)
OUTDIR defaults to runs/breadth. The table is also printed on stdout. With --from, the chart
and the table are drawn again from a grid.csv written before (nothing is run).

Environment:
  LOOPT        the loopt binary (default ./loopt)
  MODEL        the checkpoint (default data/models/sudoku.safetensors)
  ITERS        depths (default 16,32,64)
  TRIES        breadths (default 1,2,4,8,16); the first value should be 1 (the baseline)
  LIMIT        only the first LIMIT puzzles of SET (default 200; 0 = all)
  EVAL_ARGS    extra options for `loopt eval`, e.g. "--fixed" or "--threads 2"
  TITLE        the chart's title (default: the model and SET's file names)
Exit status: 0 ok; 1 eval or plot failed (or eval skipped malformed entries); 2 bad arguments.
EOF
}

case "${1:-}" in -h|--help) usage; exit 0 ;; esac
FROM=
if [ "${1:-}" = --from ]; then shift; FROM=${1:-}; [ -n "$FROM" ] || { usage >&2; exit 2; }; fi
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage >&2; exit 2; fi
SET=$1
OUTDIR=${2:-runs/breadth}
LOOPT=${LOOPT:-./loopt}
MODEL=${MODEL:-data/models/sudoku.safetensors}
ITERS=${ITERS:-16,32,64}
TRIES=${TRIES:-1,2,4,8,16}
LIMIT=${LIMIT:-200}
EVAL_ARGS=${EVAL_ARGS:-}

say() { echo "breadth_grid: $*" >&2; }
die() { code=$1; shift; say "$*"; exit "$code"; }

case "$ITERS" in ''|*[!0-9,]*) die 2 "ITERS must be a comma-separated list of loop counts, got '$ITERS'" ;; esac
case "$TRIES" in ''|*[!0-9,]*) die 2 "TRIES must be a comma-separated list of counts, got '$TRIES'" ;; esac
case "$LIMIT" in ''|*[!0-9]*) die 2 "LIMIT must be a number, got '$LIMIT'" ;; esac
if ! command -v "$LOOPT" >/dev/null 2>&1 && [ ! -x "$LOOPT" ]; then
    die 2 "no loopt binary at '$LOOPT' (build it with make, or set LOOPT)"
fi
[ -f "$SET" ] || [ "$SET" = - ] || die 2 "$SET: no such file"
mkdir -p "$OUTDIR" || die 1 "cannot create $OUTDIR"

csv=$OUTDIR/grid.csv png=$OUTDIR/grid.png md=$OUTDIR/grid.md
status=0
if [ -n "$FROM" ]; then
    [ "$SET" -ef "$csv" ] || cp "$SET" "$csv" || die 1 "cannot write $csv"
else
    [ -f "$MODEL" ] || die 2 "$MODEL: no such model file"
    limit=
    [ "$LIMIT" -gt 0 ] && limit="--limit $LIMIT"
    say "eval $SET: iters $ITERS x tries $TRIES${limit:+ ($limit)}"
    # shellcheck disable=SC2086  # limit and EVAL_ARGS are lists of options
    "$LOOPT" eval --model "$MODEL" --data "$SET" --iters "$ITERS" --tries "$TRIES" $limit $EVAL_ARGS >"$csv"
    status=$?
    [ "$(wc -l <"$csv")" -gt 1 ] || die 1 "loopt eval failed on $SET (exit $status)"
    [ "$status" -eq 0 ] || { say "loopt eval reported bad entries in $SET (exit $status); the grid covers the rest"; status=1; }
fi
head -n 1 "$csv" | grep -q '^iters,cell_acc,exact_acc,' || die 2 "$csv: not a loopt eval CSV"
if ! head -n 1 "$csv" | grep -q ',tries,'; then   # TRIES all 1: eval's plain columns; add them
    awk -F, 'NR == 1 { print $0 ",tries,select,exact_model,exact_valid,exact_confident,any_valid"; next }
             { print $0 ",1,valid," $3 "," $3 "," $3 "," $3 }' "$csv" >"$csv.tmp" && mv "$csv.tmp" "$csv"
fi

if [ -n "${TITLE:-}" ]; then title=$TITLE
elif [ -n "$FROM" ]; then title="$(basename "$SET"): exact (valid solid, model dashed) by tries"
else title="$(basename "$MODEL") on $(basename "$SET"): exact (valid solid, model dashed) by tries"; fi
"$LOOPT" plot "$csv" --x iters --y exact_valid,exact_model --group tries --title "$title" --out "$png" --quiet ||
    die 1 "loopt plot failed"

# The table: columns found by name; rows in the order of the CSV's tries, columns of its iters.
awk -F, -v set="$(basename "$SET")" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    {
        t = $c["tries"]; it = $c["iters"]
        if (!(t in seen_t)) { seen_t[t] = 1; ts[++nt] = t }
        if (!(it in seen_i)) { seen_i[it] = 1; is[++ni] = it }
        cell[t, it] = sprintf("%.1f%% / %.1f%%, %.1f/s", 100 * $c["exact_valid"], 100 * $c["exact_model"],
                              $c["puzzles_per_s"])
        cost[t, it] = sprintf("%.0f", t * $c["mean_loops"])
    }
    function table(a,   j, k) {   # a[tries, iters] as a markdown table
        printf "| tries |"; for (j = 1; j <= ni; j++) printf " %s |", is[j]; printf "\n"
        printf "|---|"; for (j = 1; j <= ni; j++) printf "---|"; printf "\n"
        for (k = 1; k <= nt; k++) {
            printf "| %s |", ts[k]
            for (j = 1; j <= ni; j++) printf " %s |", a[ts[k], is[j]]
            printf "\n"
        }
    }
    END {
        printf "Exact accuracy on %s by tries (down) and iters (across): rule valid / rule model, puzzles per second\n\n", set
        table(cell)
        printf "\nLoops per puzzle (tries x mean loops per variant), the work each cell cost\n\n"
        table(cost)
    }' "$csv" >"$md" || die 1 "cannot write $md"
cat "$md"
say "wrote $csv, $png and $md"
exit "$status"
