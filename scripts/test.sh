#!/usr/bin/env bash
# The project's test command (README, .ci/run): formatting, lints with warnings denied, a check
# that idl/greekhouse.json matches the program, the local validator (localnet/, its own
# workspace, scripts/localnet.sh) and the TypeScript client's packages (tests/ts, from the npm
# registry), then every test of the workspace (risk engine, program on the embedded bank, SDK,
# CLI, bot, and the RPC tests against the local validator), then the TypeScript side
# (scripts/test-ts.sh: the WebAssembly engine, the TS SDK's offline and validator tests, the
# golden margins against the Rust CLI, the dashboard in headless Chromium). Prints how long each
# phase took.
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

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        phase "install Node.js" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null'
    else
        echo "Node.js and npm are needed for the TypeScript client test (tests/ts)" >&2
        exit 1
    fi
fi

phase "cargo fmt --check" cargo fmt --all -- --check
phase "cargo fmt --check (localnet)" cargo fmt --manifest-path localnet/Cargo.toml -- --check

# A clean run compiles everything once: incremental compilation would only add its bookkeeping
# (several GB written for the workspace's crates). A developer's own cargo commands keep it.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# the system OpenSSL rather than a vendored build, when libssl-dev is there (both workspaces)
# shellcheck source=scripts/system-openssl.sh
. scripts/system-openssl.sh

# The local validator (patched agave crates, libclang, then the binary the RPC tests start) is
# the longest build and shares nothing with the main workspace (its own lock file and target
# directory): it builds in the background while the main workspace is linted and built, so the
# two fill each other's idle cores (docs/performance.md, "A clean run"). Its log goes to
# target/localnet-build.log and is printed if it fails.
mkdir -p target
localnet_start=$SECONDS
./scripts/localnet.sh build >target/localnet-build.log 2>&1 &
localnet_pid=$!
echo "==> local validator build: started in the background (target/localnet-build.log)"

# one lint pass over every target; warnings are errors
phase "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
phase "IDL up to date" cargo run --locked -q -p greekhouse-idl -- --check
# (clippy of the localnet crate is not run here: it needs a second, check-mode build of the whole
# validator, about 12 to 19 minutes on 2 cores, which CI's 90 minutes cannot spare; run it with
# `cd localnet && cargo clippy --all-targets -- -D warnings`)
phase "npm ci (tests/ts)" npm ci --prefix tests/ts --no-audit --no-fund
phase "build the tests" cargo nextest run --workspace --locked --no-run

echo "==> waiting for the local validator build"
if ! wait "$localnet_pid"; then
    tail -n 60 target/localnet-build.log >&2
    echo "==> local validator build: FAILED (target/localnet-build.log)" >&2
    exit 1
fi
echo "==> local validator build: done $((SECONDS - localnet_start)) s after it started (in the background)"
phase "tests" cargo nextest run --workspace --locked --no-fail-fast
# after the tests: they built the CLI (target/debug/greekhouse) the golden-margin check runs
phase "TypeScript SDK, engine and dashboard" ./scripts/test-ts.sh
echo "==> all phases: $((SECONDS - total_start)) s"
