#!/bin/sh
# Cargo's workspace wrapper in .ci/run (RUSTC_WORKSPACE_WRAPPER): the
# workspace's own crates are compiled by clippy-driver, which is rustc with
# Clippy's lints, so one build both lints (every warning an error, as
# `cargo clippy --all-targets -- -D warnings`) and produces the test
# binaries; the dependencies are compiled by plain rustc once. Without it,
# clippy's own check build of every dependency doubled CI's cold build
# (BENCHMARKS.md, "Build"). Cargo passes the path of rustc first;
# clippy-driver recognises it and skips it.
exec clippy-driver "$@" -D warnings
