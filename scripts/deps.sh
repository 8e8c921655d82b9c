#!/bin/sh
# deps.sh — the dependency graph between the source folders, and a check that its arrows run
# one way (docs/engine.md, "Layers"):
#
#     cmd -> task -> io -> nn -> util        (an arrow may skip layers, never point up)
#
# so the engine (nn) imports neither io nor task, io imports no task, util imports nothing,
# nothing imports cmd, and there is no circle.
#
# Includes: every `#include "loopt/X.h"` of a src/<folder>/*.c is an arrow from <folder> to the
# folder of the .c files that define what X.h declares (its functions and extern data, found by
# name: nothing is listed by hand, so a new header is covered as soon as it exists). A header
# whose declarations no .c defines (vexp.h: static inline functions; a header of types and
# macros only) is no folder's: its own loopt includes count instead, for whoever includes it.
# A header defined by .c files of two folders is an error (split it).
# Calls: when the objects exist (BUILD=build by default, `make` first), `nm` gives every symbol
# an object uses and which folder's object defines it, so a call that reaches another folder
# through a header included by a header (model.h -> config.h) is seen too.
#
# Files: within each folder, the objects' function symbols give the calls from file to file
# (recur.c calling back into loop.c, say); a circle among a folder's files is an error too, so that the
# engine's files stack as docs/engine.md draws them (the schemes call the block, the embedding,
# the head and the halting rules, never the other way) and so do every other folder's.
#
# Prints the folder graph (each arrow with the headers or symbols behind it), then one line per
# arrow that points the wrong way and per circle. Exit 0 when clean, 1 otherwise.
# Usage: sh scripts/deps.sh [--no-calls]      (run from the repository root)
set -u
LAYERS="cmd task io nn util"     # top to bottom: an arrow must point to a later folder
BUILD=${BUILD:-build}
calls=1
[ "${1:-}" = "--no-calls" ] && calls=0
[ -d src ] && [ -d include/loopt ] || { echo "deps.sh: run from the repository root" >&2; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# Folders present under src/ (each must have a layer).
for d in src/*/; do
    f=$(basename "$d")
    case " $LAYERS " in *" $f "*) ;; *) echo "deps.sh: src/$f/ has no layer in LAYERS (scripts/deps.sh)"; exit 1 ;; esac
done

# Names defined at file scope (not static) by each .c: "folder name" lines. A definition starts
# in column 0 with a type and holds name( or name[ / name = (data), and is not a prototype.
awk '
    FNR == 1 { f = FILENAME; sub(/^src\//, "", f); sub(/\/.*/, "", f) }
    /^[A-Za-z]/ && !/^(static|typedef|extern|return|struct [A-Za-z_0-9]+ *\{|enum|union)/ && !/;[ \t]*(\/\/.*)?$/ {
        line = $0; sub(/\/\/.*/, "", line)
        if (match(line, /[A-Za-z_][A-Za-z_0-9]*[ \t]*[\(\[=]/)) {
            n = substr(line, RSTART, RLENGTH); sub(/[ \t]*[\(\[=]$/, "", n); print f, n
        }
    }' src/*/*.c | sort -u >"$tmp/defs"

# Names each header declares: identifiers followed by ( or [ outside comments, #define lines
# (and their continuations) and braces.
awk '
    FNR == 1 { h = FILENAME; sub(/.*\//, "", h); depth = 0; cont = 0; incom = 0 }
    {
        line = $0
        if (cont) { cont = (line ~ /\\$/); next }
        if (line ~ /^[ \t]*#/) { cont = (line ~ /\\$/); next }
        out = ""                       # the line less its comments
        while (length(line)) {
            if (incom) {
                i = index(line, "*/"); if (!i) { line = ""; break }
                line = substr(line, i + 2); incom = 0
            } else {
                i = index(line, "/*"); j = index(line, "//")
                if (j && (!i || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
                if (!i) { out = out line; line = ""; break }
                out = out substr(line, 1, i - 1); line = substr(line, i + 2); incom = 1
            }
        }
        s = out
        while (length(s)) {
            c = substr(s, 1, 1)
            if (c == "{") depth++
            else if (c == "}") depth--
            else if (depth == 0 && match(s, /^[A-Za-z_][A-Za-z_0-9]*[ \t]*[\(\[]/)) {
                n = substr(s, 1, RLENGTH); sub(/[ \t]*[\(\[]$/, "", n); print h, n
                s = substr(s, RLENGTH); continue
            } else if (match(s, /^[A-Za-z_0-9]+/)) { s = substr(s, RLENGTH + 1); continue }
            s = substr(s, 2)
        }
    }' include/loopt/*.h | sort -u >"$tmp/names"
# header -> its folders ("-" when none), and headers defined in two folders.
awk 'NR == FNR { def[$2] = def[$2] " " $1; next }
     { n = split(def[$2], t, " "); for (i = 1; i <= n; i++) print $1, t[i] }' "$tmp/defs" "$tmp/names" |
    sort -u >"$tmp/hf"
bad=0
for h in include/loopt/*.h; do
    b=$(basename "$h")
    m=$(awk -v b="$b" '$1 == b { printf "%s%s", sep, $2; sep = " " }' "$tmp/hf")
    case "$m" in *" "*) echo "header $b is defined in two folders ($m): split it"; bad=1 ;; esac
    echo "$b ${m:--}"
done >"$tmp/hdr"
grep -v '^header ' "$tmp/hdr" >"$tmp/hdr2"; grep '^header ' "$tmp/hdr"; mv "$tmp/hdr2" "$tmp/hdr"

# Resolve each header to folders: its own, or (none) those of the headers it includes.
resolve() {   # header basename, depth guard
    [ "$2" -gt 16 ] && return
    m=$(awk -v b="$1" '$1 == b { print $2 }' "$tmp/hdr")
    if [ -n "$m" ] && [ "$m" != "-" ]; then echo "$m"; return; fi
    [ -f "include/loopt/$1" ] || return
    for i in $(sed -n 's/^[ \t]*#[ \t]*include[ \t]*"loopt\/\([^"]*\)".*/\1/p' "include/loopt/$1"); do
        resolve "$i" $(($2 + 1))
    done
}
for h in include/loopt/*.h; do
    b=$(basename "$h")
    for t in $(resolve "$b" 0); do echo "$b $t"; done
done | sort -u >"$tmp/res"

# Include arrows: "from to header file" per .c include that crosses folders.
for c in src/*/*.c; do
    f=$(basename "$(dirname "$c")")
    sed -n 's/^[ \t]*#[ \t]*include[ \t]*"loopt\/\([^"]*\)".*/\1/p' "$c" | awk -v f="$f" -v c="$c" '{ print f, $1, c }'
done | awk 'NR == FNR { to[$1] = to[$1] " " $2; next }
            { n = split(to[$2], t, " "); for (i = 1; i <= n; i++) if (t[i] != $1) print $1, t[i], $2, $3 }' \
    "$tmp/res" - | sort -u >"$tmp/inc"

# Call arrows from the objects: "from to symbol object".
: >"$tmp/calls"
if [ "$calls" = 1 ]; then
    if ls "$BUILD"/src/*/*.o >/dev/null 2>&1; then
        # nm -A: "object: [address] type symbol"; the folder is the object's directory.
        nm -A -g --defined-only "$BUILD"/src/*/*.o 2>/dev/null |
            awk '{ o = $1; sub(/:$/, "", o); n = split(o, p, "/"); print $NF, p[n - 1] }' | sort -u >"$tmp/symdef"
        nm -A -u "$BUILD"/src/*/*.o 2>/dev/null |
            awk 'NR == FNR { d[$1] = $2; next }
                 { o = $1; sub(/:$/, "", o); n = split(o, p, "/"); f = p[n - 1]
                   if (($NF in d) && d[$NF] != f) print f, d[$NF], $NF, o }' "$tmp/symdef" - | sort -u >"$tmp/calls"
    else
        echo "(no objects under $BUILD/src: calls not checked; run make first)"
    fi
fi

rank() { n=0; for l in $LAYERS; do [ "$l" = "$1" ] && { echo $n; return; }; n=$((n + 1)); done; echo 99; }

echo "folder graph (layers, top to bottom: $LAYERS)"
# One line per arrow, in layer order: the headers behind it, and how many symbols it uses.
{ sed 's/^/i /' "$tmp/inc"; sed 's/^/c /' "$tmp/calls"; } | awk -v layers="$LAYERS" '
    BEGIN { nl = split(layers, L, " ") }
    $1 == "i" { k = $2 " " $3; if (!((k, $4) in seen)) { seen[k, $4] = 1; hs[k] = hs[k] " " $4 } }
    $1 == "c" { k = $2 " " $3; if (!((k, $4) in seen)) { seen[k, $4] = 1; ns[k]++ } }
    END {
        for (i = 1; i <= nl; i++) for (j = 1; j <= nl; j++) {
            k = L[i] " " L[j]
            if (!(k in hs) && !(k in ns)) continue
            line = sprintf("  %-5s -> %-5s", L[i], L[j])
            if (k in hs) line = line " includes:" hs[k]
            if (k in ns) line = line ((k in hs) ? ";" : "") " calls " ns[k] " symbols"
            print line
        }
    }'

# Wrong-way arrows: from a folder to one at or above its layer.
cat "$tmp/inc" "$tmp/calls" | while read -r a b what where; do
    if [ "$(rank "$a")" -ge "$(rank "$b")" ]; then
        case "$what" in *.h) echo "WRONG WAY $a -> $b: $where includes loopt/$what" ;;
                        *) echo "WRONG WAY $a -> $b: $where uses $what" ;; esac
    fi
done >"$tmp/wrong"
cat "$tmp/wrong"
[ -s "$tmp/wrong" ] && bad=1

# Circles: tsort reports a loop in the folder graph.
if ! awk '{ print $1, $2 }' "$tmp/inc" "$tmp/calls" | sort -u | tsort >/dev/null 2>"$tmp/loop"; then
    for a in $LAYERS; do for b in $LAYERS; do
        [ "$(rank "$a")" -lt "$(rank "$b")" ] || continue
        grep -q "^$a $b " "$tmp/inc" "$tmp/calls" 2>/dev/null && grep -q "^$b $a " "$tmp/inc" "$tmp/calls" 2>/dev/null &&
            echo "CIRCLE $a <-> $b"
    done; done
    echo "CIRCLE through: $(grep -v 'input contains a loop' "$tmp/loop" | sed 's/^tsort: //' | sort -u | tr '\n' ' ' | sed 's/ $//')"
    bad=1
fi

# File circles inside each folder, from the objects: "file -> file" for each function one's code
# refers to that another of the same folder defines (objdump's relocations of .text). Code
# only: a table naming its rows or their functions (scheme.c's SCHEMES, a Task row's function
# pointers) is data, and the rows calling the registry's helpers is the one arrow between them.
if [ "$calls" = 1 ] && ls "$BUILD"/src/*/*.o >/dev/null 2>&1; then
    for d in $LAYERS; do
        ls "$BUILD/src/$d/"*.o >/dev/null 2>&1 || continue
        nm -A -g --defined-only "$BUILD/src/$d/"*.o 2>/dev/null |
            awk '$(NF - 1) == "T" { split($1, p, ":"); n = split(p[1], q, "/"); sub(/\.o$/, ".c", q[n]); print $NF, q[n] }' |
            sort -u >"$tmp/fdef"
        # the functions each object's code refers to (relocations in .text: calls, and a
        # function's address taken in code); a table of function pointers (a Task row) is data
        for o in "$BUILD/src/$d/"*.o; do
            f=$(basename "$o" .o).c
            objdump -r -j .text "$o" 2>/dev/null |
                awk -v f="$f" '$2 ~ /^R_/ { v = $3; sub(/[-+]0x[0-9a-f]+$/, "", v); print f, v }'
        done | awk 'NR == FNR { d[$1] = $2; next } ($2 in d) && d[$2] != $1 { print $1, d[$2] }' \
            "$tmp/fdef" - | sort -u >"$tmp/fedges"
        if ! tsort "$tmp/fedges" >/dev/null 2>"$tmp/floop"; then
            echo "CIRCLE between files of src/$d/: $(grep -v 'input contains a loop' "$tmp/floop" |
                sed 's/^tsort: //' | sort -u | tr '\n' ' ' | sed 's/ $//')"
            bad=1
        fi
    done
fi

# No command branches on a task: what a command asks of Sudoku or mazes is a Task table entry
# (task.h). A line of src/cmd/*.c that names a task's kind or row (TASK_SUDOKU, TASK_MAZE,
# TASK_*_DEF) or compares a task is an error; so is a task's own header (sudoku*.h, maze.h)
# included by a command, except in the commands named for one task: gen.c (`gen sudoku`, `gen
# maze`, each with its generator's own options) and render.c (draws a maze).
TASK_COMMANDS="gen.c render.c"
for c in src/cmd/*.c; do
    grep -nE '\bTASK_(SUDOKU|MAZE)\b|\bTASK_[A-Z_]+_DEF\b|\btask *[!=]= *&|->task *[!=]=' "$c" |
        sed "s|^|TASK BRANCH $c:|"
    case " $TASK_COMMANDS " in *" $(basename "$c") "*) continue ;; esac
    grep -nE '#include "loopt/(sudoku[a-z_]*|maze)\.h"' "$c" | sed "s|^|TASK HEADER $c:|"
done >"$tmp/taskref"
if [ -s "$tmp/taskref" ]; then cat "$tmp/taskref"; bad=1; fi

if [ "$bad" = 0 ]; then echo "deps: ok (every arrow points down, no circle between folders or files, no command names a task)"; else echo "deps: FAILED"; fi
exit $bad
