#!/usr/bin/env bash
# Renders an SVG report (by default reports/popularity.svg) to a PNG with
# headless Chromium, to look at the chart as a browser shows it.
#
#   scripts/render-svg.sh [SVG] [PNG]        # defaults: reports/popularity.svg docs/popularity.png
#   scripts/render-svg.sh --sample [PNG]     # the chart of the test fixture (28 well-known repos)
#
# Needs chromium (Debian: apt-get install -y chromium). Not run in CI.
# Chromium runs with no network-facing features and a throwaway profile;
# the SVG is opened from a file:// URL.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--sample" ]]; then
    svg="$(mktemp --suffix=.svg)"
    png="${2:-docs/popularity.png}"
    PAPERLINKS_SAMPLE_SVG="$svg" cargo test --quiet --test report svg_has_one_bar_per_repository_and_labels >/dev/null
else
    svg="${1:-reports/popularity.svg}"
    png="${2:-docs/popularity.png}"
fi
[[ -f "$svg" ]] || { echo "no $svg: run 'cargo run -- check' first, or use --sample" >&2; exit 1; }

# The page size: the SVG's own width and height.
read -r width height < <(sed -n 's/.*<svg width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$svg" | head -n1)
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$png")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$(realpath -m "$png")" --window-size="${width:-1200},${height:-900}" \
    "file://$(realpath "$svg")" 2>/dev/null
echo "wrote $png (${width}x${height}) from $svg"
