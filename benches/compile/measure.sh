#!/bin/bash
# The compile-time benchmark: builds the application crate of `generate.py` with relations and
# with Diesel at each size, and prints one Markdown row per size and side.
#
#   benches/compile/measure.sh [sizes...]        (default: 20 21 60 100)
#
# Per size and side, each the median of RUNS runs (default 3 for the 21-table schema itself, 1
# for the other sizes), after one build that brings the dependencies up to date:
#   release  touch src/lib.rs; cargo build --release --lib   (the user crate alone, as it is
#            rebuilt after an edit), in CPU seconds (user + system, of cargo and the compilers
#            it waited for, as /usr/bin/time reports them) and in wall-clock seconds
#   debug    a line added above the models; cargo build --lib  (incremental debug after an edit)
#   check    a line added above the models; cargo check --lib
#   lines    cargo llvm-lines --release --lib, total (when cargo-llvm-lines is installed)
# Run it alone on the machine: the timings are wall-clock seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schema=${SCHEMA:-$here/../../../shared/schemas/shop21.sql}
work=${WORK:-/tmp/relations-compile}
sizes=${*:-20 21 60 100}
mkdir -p "$work"

seconds() { # the median of $runs timings of "$@", after touching (release) or editing the crate:
           # "wall cpu", each the median of its own
    local ts=() cs=()
    for i in $(seq "$runs"); do
        if [ "$edit" = yes ]; then
            # an edit above every model: every span after it moves
            sed -i "2i // edit $i $(date +%N)" src/lib.rs
        else
            touch src/lib.rs
        fi
        local out
        out=$(/usr/bin/time -f '%e %U %S' "$@" 2>&1 >/dev/null | tail -n 1)
        ts+=("$(echo "$out" | awk '{print $1}')")
        cs+=("$(echo "$out" | awk '{print $2 + $3}')")
    done
    printf '%s %s' "$(median "${ts[@]}")" "$(median "${cs[@]}")"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }

echo "| models | side | release CPU (s) | release wall (s) | debug (s) | check (s) | LLVM lines |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for n in $sizes; do
    runs=${RUNS:-$([ "$n" = 21 ] && echo 3 || echo 1)}
    python3 "$here/generate.py" "$schema" "$n" "$work/$n"
    for side in relations diesel; do
        export CARGO_TARGET_DIR=$work/target-$side
        cd "$work/$n/$side"
        cargo build -q --release --lib
        cargo build -q --lib
        cargo check -q --lib
        # the two sides must do the same work: the same numbers from the same steps
        cargo run -q --release > "$work/$n/$side.out"
        read -r release cpu <<< "$(edit=no seconds cargo build -q --release --lib)"
        debug=$(edit=yes seconds cargo build -q --lib | cut -d' ' -f1)
        check=$(edit=yes seconds cargo check -q --lib | cut -d' ' -f1)
        lines=-
        if cargo llvm-lines --version >/dev/null 2>&1; then
            lines=$(cargo llvm-lines --release --lib 2>/dev/null | awk '/\(TOTAL\)/ {print $1}')
        fi
        echo "| $n | $side | $cpu | $release | $debug | $check | $lines |"
    done
    cmp -s "$work/$n/relations.out" "$work/$n/diesel.out" || echo "| $n | the two sides' outputs differ | | | | | |"
done
