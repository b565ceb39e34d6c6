#!/usr/bin/env python3
"""Share of links attributed to their own paper.

usage: attribution.py TRUTH.csv EXTRACT.csv
TRUTH.csv: `url,paper` lines from `paperlinks-bench gen-list --truth`.
EXTRACT.csv: the output of `paperlinks extract` on the same list.
Prints the share and the first few misattributed links.
"""
import csv
import sys

truth = {row[0]: row[1] for row in csv.reader(open(sys.argv[1], encoding="utf-8"))}
got = {}
for row in csv.DictReader(open(sys.argv[2], encoding="utf-8")):
    got.setdefault(row["url"], row["paper"])
ok = sum(1 for u, p in truth.items() if got.get(u) == p)
missing = sum(1 for u in truth if u not in got)
print(f"{ok}/{len(truth)} links on their own paper ({100.0 * ok / max(len(truth), 1):.1f}%), {missing} not extracted")
shown = 0
for u, p in truth.items():
    if got.get(u) != p and shown < 8:
        print(f"  {u}: expected {p!r}, got {got.get(u)!r}")
        shown += 1
