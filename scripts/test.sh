#!/usr/bin/env bash
# The project's test command (README, .ci/run): formatting, lints with warnings denied, a check
# that idl/greekhouse.json matches the program, then every test of the workspace (risk engine,
# program on the embedded bank, SDK, CLI). Prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."

phase_start=$SECONDS
total_start=$SECONDS
phase() { # phase <name> <command...>
    local name=$1
    shift
    echo "==> $name"
    phase_start=$SECONDS
    "$@"
    echo "==> $name: $((SECONDS - phase_start)) s"
}

if ! command -v cargo-nextest >/dev/null 2>&1; then
    phase "install cargo-nextest" cargo install cargo-nextest --locked
fi
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    phase "install rustfmt and clippy" rustup component add rustfmt clippy
fi

phase "cargo fmt --check" cargo fmt --all -- --check
# one lint pass over every target; warnings are errors
phase "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
phase "IDL up to date" cargo run --locked -q -p greekhouse-idl -- --check
phase "tests" cargo nextest run --workspace --locked --no-fail-fast
echo "==> all phases: $((SECONDS - total_start)) s"
