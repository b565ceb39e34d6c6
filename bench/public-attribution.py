#!/usr/bin/env python3
"""Attribution on a real public paper list (kept outside the repository).

usage: public-attribution.py SHAPE LIST.md EXTRACT.csv
SHAPE: `bold`  -- `**Title**` paragraphs, then `- Label: URL` bullets (each
                  bullet's URLs belong to the title above, until the next
                  title or heading);
       `table` -- rows `| N) Title  description | [Paper](url), ... |` (every
                  URL on the row belongs to the row's title: the text after
                  `N) ` up to a double space, `<br>` or ` - `).
EXTRACT.csv: `paperlinks extract LIST.md` output.
Truth is derived from the list itself by the shape's rule; links are matched
by (line, url) and titles compared after collapsing blanks, trimming trailing
punctuation and lower-casing. Prints the share of all links and of code
links (role `code`, or a github.com URL) on their own paper, and the first
misses.
"""
import csv
import re
import sys

URL = re.compile(r'https?://[^\s)>\]|,]+')


def truth_bold(lines):
    title = None
    for n, line in enumerate(lines, 1):
        s = line.strip()
        m = re.fullmatch(r'\*\*(.+?)\*\*', s)
        if m:
            title = m.group(1).strip()
        elif s.startswith('#') or s.startswith('<a name'):
            title = None
        elif title and s.startswith(('-', '*')):
            for u in URL.findall(s):
                yield u.rstrip('.,;'), title, n


def truth_table(lines):
    for n, line in enumerate(lines, 1):
        m = re.match(r'\|\s*(?:\*\*)?\s*\d+\)\s*(.+)', line)
        if not m:
            continue
        t = re.split(r'\s{2,}|<br\s*/?>| - ', m.group(1).split('|')[0].strip())[0]
        t = t.replace('**', '').strip()
        for u in URL.findall(line):
            yield u.rstrip('.,;'), t, n


def norm(t):
    return re.sub(r'\s+', ' ', t).strip().rstrip('.:,;').strip().lower()


shape, listing, extract = sys.argv[1:4]
lines = open(listing, encoding='utf-8').read().splitlines()
truth = list({'bold': truth_bold, 'table': truth_table}[shape](lines))
got = {}
for r in csv.DictReader(open(extract, encoding='utf-8')):
    got[(int(r['line']), r['url'])] = r
tot = ok = ctot = cok = miss = 0
bad = []
for url, title, line in truth:
    g = got.get((line, url)) or next(
        (v for (l, u), v in got.items() if l == line and (u.startswith(url) or url.startswith(u))),
        None)
    tot += 1
    code = bool(g and g.get('role') == 'code') or 'github.com' in url
    ctot += code
    if g is None:
        miss += 1
        bad.append((line, url, title, None))
    elif norm(g['paper']) == norm(title):
        ok += 1
        cok += code
    else:
        bad.append((line, url, title, g['paper'][:80]))
print(f"all links: {ok}/{tot} on their own paper ({100 * ok / max(tot, 1):.1f}%), {miss} not extracted")
print(f"code links: {cok}/{ctot} on their own paper ({100 * cok / max(ctot, 1):.1f}%)")
for b in bad[:10]:
    print('  ', b)
