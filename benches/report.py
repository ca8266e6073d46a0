#!/usr/bin/env python3
"""Prints the BENCHMARKS.md tables from `cargo bench --bench workloads` runs: criterion's
median for each workload and side, the ratio of each `relations` strategy to the hand-written
side in the same group and run (rusqlite on SQLite, the `postgres` crate on PostgreSQL, the
`mysql` crate on MariaDB), and the statement counts the bench recorded. Where `benches/diesel`
has been run, Diesel's ratio to the same hand-written code in its own run is printed beside it.
On PostgreSQL the hand-written selectin side is measured twice (keys written out, and as one
array with `= ANY`): the faster is the baseline.

`python3 benches/report.py` reads the last run (`target/criterion`). Given directories, each a
copy of `target/criterion` after one run (`cp -r target/criterion runs/1` ...), it prints for
each row the median over the runs of the ratio (each run's ratio against its own hand-written
side), the lowest and highest, and the median of each side's median."""
import json
import os
import statistics
import sys

here = os.path.dirname(os.path.abspath(__file__))
runs = sys.argv[1:] or [os.path.join(here, "..", "target", "criterion")]
root = runs[0]
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


per_run = [read_groups(r) for r in runs]
groups = per_run[0]
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


def across(values):
    """The median of `values`, with their range when there are several."""
    m = statistics.median(values)
    return m, min(values), max(values)


def ratio_cell(ratios):
    m, lo, hi = across(ratios)
    return f"{m:.2f}×" if len(ratios) == 1 else f"{m:.2f}× ({lo:.2f}–{hi:.2f})"


for title, prefix, hand, counts in [
    ("SQLite", "", "rusqlite", read_counts("statements.tsv")),
    ("PostgreSQL", "PG ", "postgres", read_counts("statements-postgresql.tsv")),
    ("MariaDB", "MY ", "mysql", read_counts("statements-mariadb.tsv")),
]:
    mine = sorted(g for g in groups if g.startswith(prefix) and (prefix or not g.startswith(("PG ", "MY "))))
    if not mine:
        continue
    print(f"\n{title} ({len(runs)} run{'s' if len(runs) > 1 else ''})\n")
    print(f"| workload | relations | median | {hand} median | ratio | statements (relations / {hand}) | Diesel ratio |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for group in mine:
        sides = groups[group]
        if hand not in sides:
            continue
        for function in sorted(f for f in sides if not f.startswith(hand)):
            ours_ns, base_ns, ratios = [], [], []
            for run in per_run:
                s = run.get(group, {})
                if function not in s or hand not in s:
                    continue
                # a joined strategy is measured against the same join written by hand
                b = s.get(f"{hand} {function.removeprefix('async ')}", s.get(PAIRS.get(function, ""), baseline(s, hand)))
                ours_ns.append(s[function])
                base_ns.append(b)
                ratios.append(s[function] / b)
            ours, theirs = statements(counts, group, function)
            print(f"| {group.removeprefix(prefix)} | {function} | {fmt(statistics.median(ours_ns))} | "
                  f"{fmt(statistics.median(base_ns))} | {ratio_cell(ratios)} | {ours} / {theirs} | "
                  f"{diesel_ratio(group, hand) if 'joined' not in function else ''} |")
