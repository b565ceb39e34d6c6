#!/usr/bin/env python3
"""Attribution on the issue-22 fixtures (tests/fixtures/wild/).

usage: wild-attribution.py PAPERLINKS_BIN
For each fixture, runs `PAPERLINKS_BIN extract FILE` and compares with its
hand-written truth (NAME.truth.tsv: paper, url, role): a truth link is on
its own paper when an extracted link with the same URL (the n-th of that
URL for the n-th in the truth) has the same paper; its role is right when
the role matches too. Extracted links not in the truth are counted as
extra. Prints one line per fixture and the total.
"""
import csv
import io
import os
import subprocess
import sys
from collections import defaultdict

here = os.path.dirname(os.path.abspath(__file__))
wild = os.path.join(here, "..", "tests", "fixtures", "wild")
FIXTURES = [
    ("homepage.html", "homepage.truth.tsv"),
    ("badges.md", "badges.truth.tsv"),
    ("badges.html", "badges.truth.tsv"),
    ("labelled.md", "labelled.truth.tsv"),
    ("db.json", "db.truth.tsv"),
    ("pwc.jsonl", "pwc.truth.tsv"),
    ("records.json", "records.truth.tsv"),
    ("plain.md", "plain.truth.tsv"),
    ("numbered.md", "numbered.truth.tsv"),
    ("numbered.html", "numbered.truth.tsv"),
    ("divrows.html", "divrows.truth.tsv"),
    ("remarks.md", "remarks.truth.tsv"),
]

tot = ok = role_ok = extra = 0
for doc, truth_file in FIXTURES:
    truth = [l.split("\t") for l in open(os.path.join(wild, truth_file), encoding="utf-8").read().splitlines() if l]
    out = subprocess.run([sys.argv[1], "extract", os.path.join(wild, doc)], capture_output=True, cwd="/tmp").stdout
    got = defaultdict(list)
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"))))
    for r in rows:
        got[r["url"]].append((r["paper"], r.get("role", "")))
    seen = defaultdict(int)
    f_ok = f_role = 0
    for paper, url, role in truth:
        k = seen[url]
        seen[url] += 1
        if k < len(got[url]):
            gp, gr = got[url][k]
            f_ok += gp == paper
            f_role += gp == paper and gr == role
    f_extra = max(0, len(rows) - sum(min(seen[u], len(got[u])) for u in seen))
    print(f"{doc:15} {f_ok:3}/{len(truth):3} on own paper, {f_role:3} with the right role, {f_extra} extra links")
    tot += len(truth); ok += f_ok; role_ok += f_role; extra += f_extra
print(f"{'total':15} {ok:3}/{tot:3} on own paper ({100.0 * ok / max(tot, 1):.1f}%), {role_ok} with the right role, {extra} extra links")
