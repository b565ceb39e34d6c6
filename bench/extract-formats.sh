#!/usr/bin/env bash
# Extraction throughput per input format, two paperlinks binaries compared in
# one invocation (A B A B ..., medians), with CPU time (user+sys, the fair
# figure on a shared machine) and peak RSS. Run it from a directory without
# a config.toml (older binaries refuse newer config keys).
#
#   bench/extract-formats.sh BEFORE_BIN AFTER_BIN [REPS]
#
# Corpora (generated once into bench/target/work/formats/ if missing):
# 100 MB text (`gen-text`), 50 MB Markdown and 50 MB HTML paper lists
# (`gen-list`). Output is read and counted (lines) like scenario 3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
before="$1"; after="$2"; reps="${3:-3}"
gen="$here/../target/release/paperlinks-bench"
work="$here/target/work/formats"; mkdir -p "$work"
[ -f "$work/corpus.txt" ] || "$gen" gen-text --mb 100 --seed 3 --out "$work/corpus.txt"
[ -f "$work/corpus.md" ] || "$gen" gen-list --format md --mb 50 --seed 3 --out "$work/corpus.md"
[ -f "$work/corpus.html" ] || "$gen" gen-list --format html --mb 50 --seed 3 --out "$work/corpus.html"
one() { # bin file -> "seconds rss_kb lines cpu_seconds"
  local log; log="$(mktemp)"
  local lines
  lines=$( { /usr/bin/time -v "$1" extract "$2" 2>"$log"; } | wc -l)
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  local cpu
  cpu=$(grep -E "(User|System) time \(seconds\)" "$log" | awk '{s += $NF} END {printf "%.2f", s}')
  rm -f "$log"
  echo "$wall $rss $lines $cpu"
}
printf "| corpus | MB | binary | median s | MB/s | runs (s) | median CPU s | CPU runs (s) | peak RSS MB | lines out |\n|---|---|---|---|---|---|---|---|---|---|\n"
for f in txt md html; do
  file="$work/corpus.$f"; mb=$(( $(stat -c %s "$file") / 1000000 ))
  declare -A runs=() rss=() out=() cpus=()
  for ((i = 0; i < reps; i++)); do
    for tag in before after; do
      bin=$before; [ "$tag" = after ] && bin=$after
      read -r s r l c < <(one "$bin" "$file")
      runs[$tag]="${runs[$tag]:-} $s"; rss[$tag]=$r; out[$tag]=$l; cpus[$tag]="${cpus[$tag]:-} $c"
    done
  done
  for tag in before after; do
    med=$(echo ${runs[$tag]} | tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    cmed=$(echo ${cpus[$tag]} | tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf "| %s | %s | %s | %s | %.0f | %s | %s | %s | %.1f | %s |\n" "$f" "$mb" "$tag" "$med" "$(echo "$mb / $med" | bc -l)" "${runs[$tag]# }" "$cmed" "${cpus[$tag]# }" "$(echo "${rss[$tag]} / 1024" | bc -l)" "${out[$tag]}"
  done
done
