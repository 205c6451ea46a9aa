#!/usr/bin/env bash
# The TypeScript side (docs/typescript.md, docs/dashboard.md): the engine crate (sdk/wasm, its own
# workspace; no unit tests of its own: its code is the rulebook's, tested there) formatted and
# linted on the host, built for wasm32-unknown-unknown; the official Program Metadata client
# (tests/ts) against the Rust SDK's IDL-publishing fixture (tests/ts/program-metadata.mjs); the
# SDK (sdk/ts) and the dashboard (app/dashboard) installed with `npm ci`; the SDK's offline tests;
# the golden margins regenerated with the Rust CLI and diffed; the SDK's tests against a local
# validator; the dashboard in headless Chromium against a local validator. scripts/test.sh runs
# it after the workspace's tests (which build the CLI and the validator it uses); alone it needs
# target/debug/greekhouse and target/localnet/debug/greekhouse-localnet, or GREEKHOUSE_CLI and
# GREEKHOUSE_LOCALNET_BIN naming them. Prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."

phase_start=$SECONDS
phase() { # phase <name> <command...>
    local name=$1
    shift
    echo "==> $name"
    phase_start=$SECONDS
    "$@"
    echo "==> $name: $((SECONDS - phase_start)) s"
}

# the engine crate builds into its own target directory, never the workspace's
export CARGO_TARGET_DIR="$PWD/sdk/wasm/target"
wasm_cargo() { # wasm_cargo <subcommand> <args...>
    local sub=$1
    shift
    cargo "$sub" --manifest-path sdk/wasm/Cargo.toml "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    phase "install the wasm32 target" rustup target add wasm32-unknown-unknown
fi
phase "cargo fmt --check (sdk/wasm)" wasm_cargo fmt -- --check
phase "cargo clippy (sdk/wasm)" wasm_cargo clippy --all-targets --locked -- -D warnings
phase "wasm build" node sdk/ts/scripts/build-wasm.mjs
unset CARGO_TARGET_DIR

phase "npm ci (tests/ts)" npm ci --prefix tests/ts --no-audit --no-fund
phase "Program Metadata: the official client against the Rust SDK's fixture" node tests/ts/program-metadata.mjs
phase "npm ci (sdk/ts)" npm ci --prefix sdk/ts --no-audit --no-fund
phase "npm ci (app/dashboard)" npm ci --prefix app/dashboard --no-audit --no-fund
phase "TS SDK offline tests" npm test --prefix sdk/ts
phase "golden margins (Rust CLI)" node sdk/ts/test/fixtures/generate.mjs --check
phase "TS SDK validator tests" npm run test:validator --prefix sdk/ts

# The dashboard in headless Chromium is one command away, not in the default run: Chromium's
# install (about 155 MB, 130 Debian packages) and the test cost a clean CI run about three
# minutes of its 60-minute budget (docs/performance.md). `scripts/test-ts.sh --browser` (or
# GREEKHOUSE_BROWSER_TEST=1, or `npm test --prefix app/dashboard` once built) runs it; it
# installs Chromium with apt-get when it is missing and the script runs as root.
browser=${GREEKHOUSE_BROWSER_TEST:-}
[[ ${1:-} == "--browser" ]] && browser=1
if [[ -z $browser ]]; then
    echo "==> dashboard browser test: not in the default run (scripts/test-ts.sh --browser)"
elif ! command -v chromium >/dev/null 2>&1 && [[ -z ${CHROMIUM:-} ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        phase "install Chromium" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'
    fi
fi
if [[ -n $browser ]]; then
    if command -v chromium >/dev/null 2>&1 || [[ -n ${CHROMIUM:-} ]]; then
        phase "dashboard browser test" npm test --prefix app/dashboard
    else
        echo "==> dashboard browser test: skipped (no chromium; apt-get install chromium, or set CHROMIUM)"
    fi
fi
