#!/usr/bin/env python3
"""Prints the BENCHMARKS.md table from the last `cargo bench --bench workloads` run: criterion's
median for each workload and side, the ratio of each `relations` strategy to hand-written
rusqlite in the same group, and the statement counts the bench recorded."""
import json
import os
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "criterion")
counts = {}
with open(os.path.join(root, "statements.tsv")) as f:
    for line in f:
        name, ours, hand = line.rstrip("\n").split("\t")
        counts[name] = (int(ours), int(hand))

groups = {}
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


def fmt(ns):
    return f"{ns / 1e6:.2f} ms" if ns >= 1e6 else f"{ns / 1e3:.1f} µs"


def statements(group, function):
    w = group.split()[0]
    rows = [(n, c) for n, c in counts.items() if n.split()[0] == w]
    for n, c in rows:
        if function in n or len(rows) == 1:
            return c
    return ("?", "?")


print("| workload | relations | median | rusqlite median | ratio | statements (relations / rusqlite) |")
print("|---|---|---:|---:|---:|---:|")
for group in sorted(groups):
    sides = groups[group]
    base = sides.get("rusqlite")
    if base is None:
        sys.exit(f"{group}: no rusqlite side")
    for function in sorted(f for f in sides if not f.startswith("rusqlite")):
        # a joined strategy is measured against the same join written by hand
        b = sides.get(f"rusqlite {function}", base)
        ours, hand = statements(group, function)
        print(f"| {group} | {function} | {fmt(sides[function])} | {fmt(b)} | "
              f"{sides[function] / b:.2f}× | {ours} / {hand} |")
