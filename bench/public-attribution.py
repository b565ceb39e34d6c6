#!/usr/bin/env python3
"""Attribution on a real public paper list (kept outside the repository).

usage: public-attribution.py SHAPE LIST EXTRACT.csv [--misses N]
SHAPE (the truth is derived from the list itself by the shape's rule):
  `bold`     -- `**Title**` paragraphs (a trailing `\` line break allowed); every URL on the lines below it
                (`- Label: URL` bullets, `论文：URL` lines) belongs to the
                title, until the next title, heading or `<a name>` anchor
                (bold text in `【】` is a heading, not a title).
  `table`    -- rows `| N) Title  description | [Paper](url), ... |` (every
                URL on the row belongs to the row's title: the text after
                `N) ` up to a double space, `<br>`, ` - `, or a dash
                touching a word before a lower-case description:
                `Auto-RAG- an ...`, `AlphaFold 3 -releases ...`).
  `badges`   -- Markdown table body rows: every link target on the row
                (image sources excluded) belongs to the row's title, the
                first cell's link text (bold marks dropped) or, without a
                link, its text with images removed.
  `numbered` -- `[N]Title<br>` lines; the URLs on the lines below, up to
                the next blank line, belong to the title.
  `items`    -- list items opening with a link, `+ [Title](url) (date)`,
                and their indented lines (badges): every link target on
                them belongs to the link text.
  `plain`    -- bullets `- **Title** (2016), A. Author et al. [[pdf]](url)`
                or `- Title (2017), ...`: the bold text, else the text
                before ` (YEAR)`; every URL on the bullet is the title's.
  `homepage` -- HTML: every `<a href>` inside the innermost `<tr>` that
                holds a `<papertitle>` / `class="papertitle"` element
                belongs to that element's text.
  `divrow`   -- HTML: every `<a href>` inside a `<div class="row ...">`
                belongs to the first `<b>` inside a `<font>` in it.
  `json`     -- every URL inside a string value belongs to the `title` /
                `paper_title` field of the nearest enclosing object that
                has one (an object naming a link, `{"name": "code", "url":
                ..}`, is not a paper).
Text inside `<!-- -->` comments is left out (not links). In Markdown
shapes a link's URL is its destination: image sources and a
link text that is itself a URL are not links.
EXTRACT.csv: `paperlinks extract LIST` output.
Links are matched by (line, URL) (a URL cut differently on the same line
matches, and for HTML a line or two apart), titles compared after
collapsing blanks, trimming trailing punctuation and lower-casing. Image
sources (`role` image) are not counted. Prints the share of all links and
of code links (role `code`, or a github.com URL) on their own paper, and
the first misses.
"""
import csv
import html
import re
import sys
from html.parser import HTMLParser

URL = re.compile(r'https?://[^\s)>\]|,"\'<]+')
MD_IMAGE = re.compile(r'!\[[^\]]*\]\([^)]*\)')


def truth_bold(lines):
    title = None
    for n, line in enumerate(lines, 1):
        s = line.strip()
        m = re.fullmatch(r'\*\*(.+?)\*\*\s*\\?', s)
        if m:
            # bold text in 【】 is a heading of the list, not a paper
            title = None if m.group(1).strip().startswith('【') else m.group(1).strip()
        elif s.startswith('#') or s.startswith('<a name'):
            title = None
        elif title:
            for u in md_links(s):
                yield u, title, n


def truth_table(lines):
    for n, line in enumerate(lines, 1):
        m = re.match(r'\|\s*(?:\*\*)?\s*\d+\)\s*(.+)', line)
        if not m:
            continue
        t = re.split(r'\s{2,}|<br\s*/?>| - |(?<=\S)- (?=[a-z])| -(?=[a-z])',
                     m.group(1).split('|')[0].strip())[0]
        t = t.replace('**', '').strip()
        for u in md_links(line):
            yield u, t, n


def md_links(text):
    """Link targets of Markdown text: image sources and a link text that is
    itself a URL (`[https://x](https://x/)`) left out."""
    text = MD_IMAGE.sub('', text)
    text = re.sub(r'\[\s*https?://[^\]]*\]\(', '(', text)
    return [u.rstrip('.,;') for u in URL.findall(text)]


def truth_badges(lines):
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if not s.startswith('|') or re.fullmatch(r'[|:\-\s]+', s):
            continue
        nxt = lines[n].strip() if n < len(lines) else ''
        if re.fullmatch(r'\|?[|:\-\s]+', nxt) and '-' in nxt:
            continue  # a header row
        cells = s.strip('|').split('|')
        first = MD_IMAGE.sub('', cells[0])
        m = re.search(r'\[([^\]]+)\]\(', first)
        t = m.group(1) if m else re.sub(r'<[^>]+>', ' ', first)
        t = t.replace('**', '').strip()
        if not t:
            continue
        for u in md_links(s):
            yield u, t, n


def truth_numbered(lines):
    title = None
    for n, line in enumerate(lines, 1):
        s = line.strip()
        m = re.match(r'\[\d+\]\s*(.+?)\s*(<br\s*/?>)?$', s)
        if m and not s.startswith('[paper]'):
            title = m.group(1).replace('**', '').strip()
        elif not s or s.startswith('#'):
            title = None
        elif title:
            for u in md_links(s):
                yield u, title, n


def truth_items(lines):
    title = None
    for n, line in enumerate(lines, 1):
        m = re.match(r'[-+*] \[([^\]]+)\]\(', line)
        if m:
            title = m.group(1).replace('**', '').strip()
        elif not line.strip() or not line[0].isspace():
            title = None
            continue
        if title:
            for u in md_links(line):
                yield u, title, n


def truth_plain(lines):
    for n, line in enumerate(lines, 1):
        m = re.match(r'\s*[-*] (?:\*\*(.+?)\*\*|(.+?))\s*\((?:19|20)\d\d\)', line)
        if not m:
            continue
        t = (m.group(1) or m.group(2)).strip()
        for u in md_links(line):
            yield u, t, n


class Homepage(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows = []  # open <tr>s: [title, links, table depth]
        self.tables = 0
        self.out = []
        self.title_depth = None  # tag name of an open title element
        self.title_buf = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'table':
            self.tables += 1
        elif tag == 'tr':
            # A `<tr>` closes an open row of the same table (as a browser does).
            if self.rows and self.rows[-1][2] == self.tables:
                self.close_row()
            self.rows.append([None, [], self.tables])
        elif tag == 'a' and self.rows and (a.get('href') or '').startswith(('http://', 'https://')):
            self.rows[-1][1].append((a['href'], self.getpos()[0]))
        if tag == 'papertitle' or (tag == 'span' and 'papertitle' in (a.get('class') or '')):
            self.title_depth = tag
            self.title_buf = []

    def handle_endtag(self, tag):
        if tag == self.title_depth and self.title_buf is not None:
            if self.rows and self.rows[-1][0] is None:
                self.rows[-1][0] = ' '.join(''.join(self.title_buf).split())
            self.title_depth = self.title_buf = None
        if tag == 'tr' and self.rows and self.rows[-1][2] == self.tables:
            self.close_row()
        elif tag == 'table':
            while self.rows and self.rows[-1][2] == self.tables:
                self.close_row()
            self.tables -= 1

    def close_row(self):
        title, links, _ = self.rows.pop()
        if title:
            self.out += [(u, title, ln) for u, ln in links]
        elif self.rows:
            self.rows[-1][1] += links

    def handle_data(self, data):
        if self.title_buf is not None:
            self.title_buf.append(data)


def truth_homepage(lines):
    p = Homepage()
    p.feed('\n'.join(lines))
    return [(html.unescape(u), t, n) for u, t, n in p.out]


class DivRows(HTMLParser):
    """Paper entries as `<div class="row">` blocks titled by the first
    `<b>` inside a `<font>` (a Bootstrap-grid homepage)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.divs = []  # open <div>s: [is_row, title, links]
        self.out = []
        self.font = 0
        self.buf = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'div':
            self.divs.append(['row' in (a.get('class') or '').split(), None, []])
        elif tag == 'font':
            self.font += 1
        elif tag == 'b' and self.font and self.buf is None:
            self.buf = []
        elif tag == 'a' and self.divs and (a.get('href') or '').startswith(('http://', 'https://')):
            self.divs[-1][2].append((a['href'], self.getpos()[0]))

    def handle_endtag(self, tag):
        if tag == 'font':
            self.font = max(0, self.font - 1)
        elif tag == 'b' and self.buf is not None:
            t = ' '.join(''.join(self.buf).split())
            row = next((d for d in reversed(self.divs) if d[0]), None)
            if row and row[1] is None and t:
                row[1] = t
            self.buf = None
        elif tag == 'div' and self.divs:
            is_row, title, links = self.divs.pop()
            if is_row and title:
                self.out += [(u, title, ln) for u, ln in links]
            elif self.divs:
                self.divs[-1][2] += links

    def handle_data(self, data):
        if self.buf is not None:
            self.buf.append(data)


def truth_divrow(lines):
    p = DivRows()
    p.feed('\n'.join(lines))
    return [(html.unescape(u), t, n) for u, t, n in p.out]


def truth_json(lines):
    """A small JSON scanner: strings with their line, objects as frames."""
    text = '\n'.join(lines)
    frames = []  # [is_object, key, title, urls]
    out = []
    i, line, expect_key = 0, 1, False
    while i < len(text):
        c = text[i]
        if c == '\n':
            line += 1
        elif c in '{[':
            frames.append([c == '{', None, None, []])
            expect_key = c == '{'
        elif c in '}]':
            obj, _, title, urls = frames.pop()
            if title is None and frames:
                frames[-1][3] += urls
            else:
                out += [(u, title, ln) for u, ln in urls]
            expect_key = False
        elif c == ',':
            expect_key = bool(frames and frames[-1][0])
        elif c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            raw = text[i + 1:j]
            s = raw.encode().decode('unicode_escape') if '\\' in raw else raw
            f = frames[-1] if frames else None
            if f and f[0] and expect_key:
                f[1] = s
                expect_key = False
            elif f:
                key = (f[1] or '').lower().replace('_', '')
                if f[0] and key in ('title', 'papertitle') and f[2] is None:
                    f[2] = s
                for u in URL.findall(s.replace(';http', ' http')):
                    f[3].append((u.rstrip('.,;'), line))
            line += raw.count('\n')
            i = j
        i += 1
    return out


SHAPES = {'bold': truth_bold, 'table': truth_table, 'badges': truth_badges,
          'numbered': truth_numbered, 'plain': truth_plain, 'items': truth_items,
          'homepage': truth_homepage, 'divrow': truth_divrow, 'json': truth_json}


def norm(t):
    t = html.unescape(t or '')
    return re.sub(r'\s+', ' ', t).strip().rstrip('.:,;').strip().lower()


def main():
    shape, listing, extract = sys.argv[1:4]
    nmiss = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    text = open(listing, encoding='utf-8', errors='replace').read()
    if shape not in ('json',):
        # Nothing inside `<!-- -->` is a link: blank it, keeping the lines.
        text = re.sub(r'<!--.*?-->', lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text, flags=re.S)
    lines = text.splitlines()
    truth = [t for t in SHAPES[shape](lines) if t[1]]
    by_line = {}
    for r in csv.DictReader(open(extract, encoding='utf-8')):
        if r.get('role') != 'image':
            by_line.setdefault(int(r['line']), []).append(r)
    used = set()
    slack = 2 if shape in ('homepage', 'divrow') else 0

    def find(line, url):
        for d in [0] + [k for s in range(1, slack + 1) for k in (s, -s)]:
            rows = by_line.get(line + d, [])
            for exact in (True, False):
                for r in rows:
                    u = r['url']
                    hit = u == url if exact else (u.startswith(url) or url.startswith(u))
                    if hit and id(r) not in used:
                        used.add(id(r))
                        return r
        return None

    tot = ok = ctot = cok = miss = 0
    bad = []
    for url, title, line in truth:
        g = find(line, url)
        tot += 1
        code = bool(g and g.get('role') == 'code') or 'github.com' in url
        ctot += code
        if g is None:
            miss += 1
            bad.append((line, url, title[:60], None))
        elif norm(g['paper']) == norm(title):
            ok += 1
            cok += code
        else:
            bad.append((line, url, title[:60], g['paper'][:60]))
    print(f"all links: {ok}/{tot} on their own paper ({100 * ok / max(tot, 1):.1f}%), {miss} not extracted")
    print(f"code links: {cok}/{ctot} on their own paper ({100 * cok / max(ctot, 1):.1f}%)")
    for b in bad[:nmiss]:
        print('  ', b)


if __name__ == '__main__':
    main()
