#!/bin/bash
# The compile-time benchmark: builds the application crate of `generate.py` with relations and
# with Diesel at each size, and prints one Markdown row per size and side.
#
#   benches/compile/measure.sh [sizes...]        (default: 20 21 60 100)
#
# Per size and side, each the median of RUNS runs (default 3 for the 21-table schema itself, 1
# for the other sizes), after one build that brings the dependencies up to date:
#   release  touch src/lib.rs; cargo build --release --lib   (the user crate alone, as it is
#            rebuilt after an edit)
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

seconds() { # the median of $runs timings of "$@", after touching (release) or editing the crate
    local ts=()
    for i in $(seq "$runs"); do
        if [ "$edit" = yes ]; then
            # an edit above every model: every span after it moves
            sed -i "2i // edit $i $(date +%N)" src/lib.rs
        else
            touch src/lib.rs
        fi
        local s e
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        e=$(date +%s.%N)
        ts+=("$(echo "$e - $s" | bc)")
    done
    printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'
}

echo "| models | side | release (s) | debug (s) | check (s) | LLVM lines |"
echo "|---:|---|---:|---:|---:|---:|"
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
        edit=no release=$(seconds cargo build -q --release --lib)
        edit=yes debug=$(seconds cargo build -q --lib)
        edit=yes check=$(seconds cargo check -q --lib)
        lines=-
        if cargo llvm-lines --version >/dev/null 2>&1; then
            lines=$(cargo llvm-lines --release --lib 2>/dev/null | awk '/\(TOTAL\)/ {print $1}')
        fi
        echo "| $n | $side | $release | $debug | $check | $lines |"
    done
    cmp -s "$work/$n/relations.out" "$work/$n/diesel.out" || echo "| $n | the two sides' outputs differ | | | | |"
done
