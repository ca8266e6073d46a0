#!/usr/bin/env python3
"""Prints the BENCHMARKS.md tables from the last `cargo bench --bench workloads` run: criterion's
median for each workload and side, the ratio of each `relations` strategy to the hand-written
side in the same group (rusqlite on SQLite, the `postgres` crate on PostgreSQL), and the
statement counts the bench recorded. Where `benches/diesel` has been run, Diesel's ratio to the
same hand-written code in its own run is printed beside it. On PostgreSQL the hand-written
selectin side is measured twice (keys written out, and as one array with `= ANY`): the faster is
the baseline."""
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "target", "criterion")
diesel_root = os.path.join(here, "diesel", "target", "criterion")


def read_counts(file):
    counts = {}
    path = os.path.join(root, file)
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                name, ours, hand = line.rstrip("\n").split("\t")
                counts[name] = (int(ours), int(hand))
    return counts


def read_groups(root):
    groups = {}
    if not os.path.isdir(root):
        return groups
    for group in sorted(os.listdir(root)):
        gdir = os.path.join(root, group)
        if not os.path.isdir(gdir):
            continue
        for bench in os.listdir(gdir):
            est = os.path.join(gdir, bench, "new", "estimates.json")
            meta = os.path.join(gdir, bench, "new", "benchmark.json")
            if not os.path.exists(est):
                continue
            with open(est) as f:
                median = json.load(f)["median"]["point_estimate"]
            with open(meta) as f:
                m = json.load(f)
            groups.setdefault(m["group_id"], {})[m["function_id"]] = median
    return groups


groups = read_groups(root)
diesel = read_groups(diesel_root)


def baseline(sides, hand):
    """The plain hand-written side: the faster of its key-list forms where both were measured."""
    return min(v for k, v in sides.items() if k in (hand, f"{hand} ANY"))


def diesel_ratio(group, hand):
    """Diesel's median over the hand-written baseline of its own run, or an empty cell."""
    sides = diesel.get(f"D {group}")
    if not sides or "diesel" not in sides or hand not in sides:
        return ""
    return f"{sides['diesel'] / baseline(sides, hand):.2f}×"


# a function measured against a hand-written side of another name
PAIRS = {"relations insert_all": "rusqlite batch"}


def fmt(ns):
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.1f} µs"


def statements(counts, group, function):
    w = [p for p in group.split() if p.startswith("W")][0]
    rows = [(n, c) for n, c in counts.items() if w in n.split()]
    for n, c in rows:
        if function.split()[-1] in n or len(rows) == 1:
            return c
    return rows[0][1] if rows else ("?", "?")


for title, prefix, hand, counts in [
    ("SQLite", "", "rusqlite", read_counts("statements.tsv")),
    ("PostgreSQL", "PG ", "postgres", read_counts("statements-postgresql.tsv")),
]:
    mine = sorted(g for g in groups if g.startswith("PG ") == (prefix == "PG "))
    if not mine:
        continue
    print(f"\n{title}\n")
    print(f"| workload | relations | median | {hand} median | ratio | statements (relations / {hand}) | Diesel ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for group in mine:
        sides = groups[group]
        if hand not in sides:
            continue
        base = baseline(sides, hand)
        for function in sorted(f for f in sides if not f.startswith(hand)):
            # a joined strategy is measured against the same join written by hand
            b = sides.get(f"{hand} {function.removeprefix('async ')}", sides.get(PAIRS.get(function, ""), base))
            ours, theirs = statements(counts, group, function)
            print(f"| {group.removeprefix(prefix)} | {function} | {fmt(sides[function])} | {fmt(b)} | "
                  f"{sides[function] / b:.2f}× | {ours} / {theirs} | "
                  f"{diesel_ratio(group, hand) if 'joined' not in function else ''} |")
