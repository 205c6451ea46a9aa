#!/usr/bin/env bash
# The project's test command (README, .ci/run): a check that idl/greekhouse.json matches the
# program, then every test of the workspace (risk engine, program on the embedded bank, SDK, CLI).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-nextest >/dev/null 2>&1; then
  echo "cargo-nextest not found: installing it (cargo install cargo-nextest --locked)"
  cargo install cargo-nextest --locked
fi

cargo run --locked -q -p greekhouse-idl -- --check
cargo nextest run --workspace --locked --no-fail-fast
