#!/usr/bin/env bash
# Checks the report page (reports/index.html) in a real browser, headless
# Chromium, and takes screenshots of it:
#
#   scripts/check-html.sh [HTML] [OUTDIR]   # defaults: reports/index.html, target/html-check
#   scripts/check-html.sh --sample [N]      # the page of a generated run of N papers (default 60)
#                                           # (tests/it/html_page.rs against 127.0.0.1 servers)
#   SHOTS=docs scripts/check-html.sh --sample   # also copies the screenshots to
#                                           # docs/page-desktop.png and docs/page-390.png
#
# 1. Loads the page with `#selftest`, at 1280 px and at 390 px wide: the
#    page's own script clicks every sort button of every table (both ways),
#    sets each filter, searches for a link and a repository, unfolds a
#    paper's links, checks the order / visible rows / counts and that the
#    page needs no sideways scrolling at that width, and writes the outcome
#    into <pre id="selftest" data-ok=...>; --dump-dom returns it.
# 2. Counts the rows of the failing / repos / papers tables in that DOM and
#    compares them with the counts the page states in its headings.
# 3. Fails on any console message (errors, CSP violations): Chromium logs
#    them as `:CONSOLE` lines with --enable-logging=stderr.
# 4. Screenshots at desktop (1280 px) and phone (390 px) widths into OUTDIR.
#    Headless Chromium will not open a window under 500 px: the 390 px
#    viewport is emulated over the DevTools protocol (scripts/page-at-width.py).
#
# Needs chromium (Debian: apt-get install -y chromium) and python3; exits 0
# with a note when chromium is missing and CHROMIUM_REQUIRED is not set.
# Chromium runs with no network-facing features and a throwaway profile;
# the page is opened from a file:// URL.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    echo "check-html: chromium not installed (apt-get install -y chromium); page not checked" >&2
    [[ -z "${CHROMIUM_REQUIRED:-}" ]] && exit 0
    exit 1
fi
out="target/html-check"
if [[ "${1:-}" == "--sample" ]]; then
    html="$out/sample.html"
    mkdir -p "$out"
    PAPERLINKS_SAMPLE_HTML="$(realpath -m "$html")" PAPERLINKS_SAMPLE_PAPERS="${2:-60}" \
        cargo test --quiet --test it html_page::check_writes_index_html_with_the_reports_rows >/dev/null
else
    html="${1:-reports/index.html}"
    out="${2:-$out}"
fi
[[ -f "$html" ]] || { echo "no $html: run 'cargo run -- check' first, or use --sample" >&2; exit 1; }
mkdir -p "$out"
url="file://$(realpath "$html")"

chrome() {
    local profile
    profile="$(mktemp -d)"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
    rm -rf "$profile"
}

chrome --window-size=1280,2200 --virtual-time-budget=5000 --dump-dom "$url#selftest" >"$out/dom.html" 2>"$out/chromium.log"
chrome --window-size=1280,2200 --screenshot="$(realpath -m "$out/desktop.png")" "$url" 2>>"$out/chromium.log" >/dev/null
# Headless Chromium's window is at least 500 px wide: a phone's 390 px
# viewport is emulated through the DevTools protocol (scripts/page-at-width.py).
phone() {
    local profile
    profile="$(mktemp -d)"
    python3 scripts/page-at-width.py "$1" 390 2400 "$2" "$3" --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --hide-scrollbars --user-data-dir="$profile" 2>>"$out/chromium.log"
    rm -rf "$profile"
}
phone "$url#selftest" "$out/selftest-390.png" "$out/dom-390.html"
phone "$url" "$out/phone.png" "$out/phone.html"

for dom in "$out/dom.html" "$out/dom-390.html"; do
python3 - "$dom" "$out/chromium.log" <<'PY'
import json, re, sys
from html.parser import HTMLParser

class Rows(HTMLParser):
    """Counts <tr> inside each table's <tbody>, by table id; keeps #selftest."""
    def __init__(self):
        super().__init__()
        self.table = None; self.in_body = False; self.rows = {}
        self.in_pre = False; self.selftest = ""; self.selftest_ok = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table": self.table = a.get("id"); self.rows.setdefault(self.table, 0)
        elif tag == "tbody": self.in_body = True
        elif tag == "tr" and self.in_body: self.rows[self.table] += 1
        elif tag == "pre" and a.get("id") == "selftest":
            self.in_pre = True; self.selftest_ok = a.get("data-ok")
    def handle_endtag(self, tag):
        if tag == "tbody": self.in_body = False
        elif tag == "table": self.table = None
        elif tag == "pre": self.in_pre = False
    def handle_data(self, data):
        if self.in_pre: self.selftest += data

dom = open(sys.argv[1], encoding="utf-8").read()
p = Rows(); p.feed(dom)
problems = []
stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"<h2>(Failing links|Repositories|Papers) \((\d+)\)</h2>", dom)}
for table, heading in [("failing", "Failing links"), ("repos", "Repositories"), ("papers", "Papers")]:
    want = stated.get(heading)
    if heading == "Failing links":
        m = re.search(r"The first (\d+) are listed", dom)
        want = int(m.group(1)) if m else want
        if want == 0 and table not in p.rows: continue
    if heading == "Papers":
        m = re.search(r"(\d+) of \d+ papers are listed", dom)
        want = int(m.group(1)) if m else want
    got = p.rows.get(table)
    print(f"{table}: {got} rows in the DOM, {want} stated")
    if got != want: problems.append(f"{table}: {got} rows, expected {want}")
if p.selftest_ok != "true":
    problems.append(f"self-test: {p.selftest or 'did not run'}")
else:
    test = json.loads(p.selftest)
    checks = test["checks"]
    print(f"self-test at {test['width']} px: {len(checks)} checks passed")
console = [l for l in open(sys.argv[2], encoding="utf-8", errors="replace") if ":CONSOLE" in l]
if console: problems.append("console messages:\n" + "".join(console))
else: print("console: no messages")
if problems:
    print("FAILED:\n" + "\n".join(problems), file=sys.stderr); sys.exit(1)
PY
done
echo "screenshots: $out/desktop.png $out/phone.png ($(wc -c <"$html") bytes page)"
if [[ -n "${SHOTS:-}" ]]; then
    cp "$out/desktop.png" "$SHOTS/page-desktop.png"
    cp "$out/phone.png" "$SHOTS/page-390.png"
    echo "copied to $SHOTS/page-desktop.png and $SHOTS/page-390.png"
fi
