#!/usr/bin/env bash
# One entry point for the paperlinks benchmarks (issue 6).
#
#   bench/run.sh                 # full run: scenarios 0-4, A B A B x3, 500 MB extraction corpus
#   bench/run.sh --quick         # smoke run: tiny sizes, one repetition (CI); paperlinks alone if lychee is absent
#   bench/run.sh 1 2 --reps 5    # chosen scenarios; any `paperlinks-bench run` flag passes through
#   bench/run.sh 4d --ideal-client  # also the ideal client: the busy-slot ceiling of this machine
#
# Builds paperlinks (cargo build --release at the repository root) and the
# benchmark package, installs lychee if missing (full runs only), checks the
# simulator itself, then runs. Everything talks to 127.0.0.0/8 only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
quick=0
for a in "$@"; do [ "$a" = "--quick" ] && quick=1; done

if [ ! -x /usr/bin/time ]; then
  echo "installing GNU time (peak RSS via /usr/bin/time -v)" >&2
  apt-get install -y time >&2 || { echo "need /usr/bin/time: apt-get install -y time" >&2; exit 1; }
fi

echo "== building paperlinks (release)" >&2
if ! (cd "$root" && cargo build --release --quiet); then
  echo "warning: paperlinks does not build; the run goes on without it" >&2
fi

if ! command -v lychee >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/lychee" ] && [ -z "${LYCHEE:-}" ]; then
  if [ "$quick" = 1 ]; then
    echo "lychee not installed: the quick run measures paperlinks alone" >&2
  else
    echo "== installing lychee (cargo install lychee --locked; takes a while)" >&2
    cargo install lychee --locked >&2
  fi
fi

echo "== building paperlinks-bench" >&2
cargo build --release --quiet -p paperlinks-bench --manifest-path "$here/../Cargo.toml"

# Scenario 4 holds thousands of connections on both sides.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

"$here/../target/release/paperlinks-bench" selftest
exec "$here/../target/release/paperlinks-bench" run "$@"
