#!/usr/bin/env bash
# Real sBPF compute units of the risk engine (optional route; CI does not run this).
#
# Builds cu-probe/ (a tiny no_std sBPF program around programs/greekhouse-risk) with the
# pinned nightly + sbpf-linker, loads it into LiteSVM (cu-probe/runner/, stable toolchain) and
# reports compute units per case. See docs/performance.md for the method.
#
# Usage: scripts/cu-bench.sh [-v] [--no-stack-gaps]
#   -v               show the build output
#   --no-stack-gaps  run with contiguous stack frames instead of mainnet's SBPFv0 frame gaps (the
#                    runner falls back to this by itself, with a warning, when the probe faults
#                    in a gap; see docs/performance.md)
# The LAST line is machine-readable:  cu option=<units> margin16=<units> [key=<units> ...]
# (`NA` for a case that could not be measured). The first two keys never change; further keys
# may be appended (now: slice bid_max tip stake unstake margin_pair16 margin_pair_bidder
# margin16_longs american_put), so
# parse by key. Exit status: 0 when every case was measured, 1 when the risk crate does not run
# yet or a case failed, 2 when a setup/build step failed.
#
# Installs what it needs on first use (toolchain, rust-src, sbpf-linker: a few minutes);
# re-runs are incremental (a changed risk crate rebuilds in seconds).
set -uo pipefail

NIGHTLY=nightly-2026-10-30
LINKER_VERSION=0.2.6
RUNNER_TOOLCHAIN=${CU_RUNNER_TOOLCHAIN:-1.95.0}
TARGET=bpfel-unknown-none

VERBOSE=0
RUNNER_ARGS=()
for a in "$@"; do
    case $a in
    -v) VERBOSE=1 ;;
    --no-stack-gaps) RUNNER_ARGS+=(--no-stack-gaps) ;;
    *) echo "usage: $0 [-v] [--no-stack-gaps]" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROBE="$ROOT/cu-probe"
TARGET_DIR="$PROBE/target"
RUNNER_TARGET_DIR="$TARGET_DIR/runner"
mkdir -p "$TARGET_DIR"
LOG=$(mktemp "$TARGET_DIR/cu-bench.XXXXXX.log") # one per run: runs may overlap

# Flags from the environment would override cu-probe/.cargo/config.toml (and break incremental
# reuse); the probe's flags live there.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR CARGO_BUILD_TARGET

say() { echo "cu-bench: $*" >&2; }

fail() { # fail <step> <message>
    say "step '$1' FAILED: $2"
    if [[ -s $LOG ]]; then
        say "last lines of $LOG (kept):"
        # without backtrace frames (RUST_BACKTRACE may be set) and a known harmless linker warning
        grep -Ev 'unable to open LLVM shared lib|^ *[0-9]+: |^ +at |^Stack backtrace:' "$LOG" |
            tail -n 25 | sed 's/^/    /' >&2
    fi
    echo "cu option=NA margin16=NA"
    exit 2
}

run_logged() { # run_logged <cmd...>: output to the log (and the terminal with -v)
    if ((VERBOSE)); then
        "$@" 2>&1 | tee -a "$LOG"
    else
        "$@" >>"$LOG" 2>&1
    fi
}

# --- 1. rustup -----------------------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || fail "rustup" "rustup is not on PATH (needed to install $NIGHTLY)"
[[ -x $HOME/.cargo/bin/cargo || -n $(command -v cargo) ]] || fail "rustup" "cargo not found"
export PATH="$HOME/.cargo/bin:$PATH"

# --- 2. the pinned nightly with rust-src (for -Zbuild-std) -----------------------------------
if ! rustup toolchain list | grep -q "^$NIGHTLY"; then
    say "installing toolchain $NIGHTLY (minimal + rust-src)..."
    run_logged rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src ||
        fail "install $NIGHTLY" "rustup could not download the toolchain (no network to the Rust toolchain server on this machine?). Without it sBPF compute units cannot be measured here."
fi
if ! rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
    say "adding rust-src to $NIGHTLY..."
    run_logged rustup component add rust-src --toolchain "$NIGHTLY" ||
        fail "rust-src" "rustup could not add rust-src to $NIGHTLY (needed by -Zbuild-std)"
fi

# --- 3. the runner's stable toolchain -------------------------------------------------------
if ! rustup toolchain list | grep -q "^$RUNNER_TOOLCHAIN"; then
    say "installing toolchain $RUNNER_TOOLCHAIN for the LiteSVM runner..."
    run_logged rustup toolchain install "$RUNNER_TOOLCHAIN" --profile minimal ||
        fail "install $RUNNER_TOOLCHAIN" "rustup could not download the toolchain (no network?)"
fi

# --- 4. sbpf-linker ---------------------------------------------------------------------------
linker_version=$(sbpf-linker --version 2>/dev/null | head -n 1)
if [[ $linker_version != "sbpf-linker $LINKER_VERSION" ]]; then
    say "installing sbpf-linker $LINKER_VERSION (about 3 minutes)..."
    run_logged cargo "+$NIGHTLY" install "sbpf-linker@$LINKER_VERSION" --locked ||
        fail "install sbpf-linker" "cargo install sbpf-linker@$LINKER_VERSION failed (crates.io unreachable, or a build error: see the log)"
fi

# --- 5. the sBPF probe --------------------------------------------------------------------------
say "building the sBPF probe ($NIGHTLY, $TARGET)..."
SO="$TARGET_DIR/$TARGET/release/libgreekhouse_cu_probe.so"
(cd "$PROBE" && run_logged cargo "+$NIGHTLY" build --release --target "$TARGET" \
    -Zbuild-std=core,alloc --target-dir "$TARGET_DIR") ||
    fail "build probe" "the probe did not build for $TARGET (a compile error in the risk crate, or the linker: see the log)"
[[ -f $SO ]] || fail "build probe" "cargo succeeded but $SO is missing"

# Every external call left in the .so must be a syscall; anything else is a compiler builtin
# that neither solana-compiler-builtins nor cu-probe provides (the loader would reject it).
if command -v readelf >/dev/null 2>&1; then
    missing=$(readelf -rW "$SO" 2>/dev/null | awk '$3 == "R_BPF_INSN_DISP32" || $3 == "R_BPF_64_32" {print $5}' |
        sort -u | grep -Ev '^(sol_|abort$)' || true)
    [[ -z $missing ]] || fail "link probe" "unresolved symbols in the probe (missing compiler builtins, add them to cu-probe/src/lib.rs): $(echo $missing)"
fi

# --- 6. the LiteSVM runner ----------------------------------------------------------------------
say "building the LiteSVM runner (+$RUNNER_TOOLCHAIN; the first build takes about 8 minutes)..."
(cd "$PROBE/runner" && run_logged cargo "+$RUNNER_TOOLCHAIN" build --target-dir "$RUNNER_TARGET_DIR") ||
    fail "build runner" "the LiteSVM runner did not build (see the log)"

# --- 7. measure ------------------------------------------------------------------------------
say "running..."
out=$("$RUNNER_TARGET_DIR/debug/greekhouse-cu-runner" "${RUNNER_ARGS[@]}" "$SO")
status=$?
rm -f "$LOG"
last=$(printf '%s\n' "$out" | tail -n 1)
printf '%s\n' "$out" | sed '$d'
if [[ ! $last =~ ^cu\ option=[0-9NA]+\ margin16=[0-9NA]+(\ [a-z0-9_]+=[0-9NA]+)*$ ]]; then
    printf '%s\n' "$last"
    say "step 'run' FAILED: the runner exited with status $status without a result line"
    echo "cu option=NA margin16=NA"
    exit 2
fi
echo "$last"
[[ $last == *NA* ]] && exit 1
exit 0
