#!/usr/bin/env bash
# Builds the whole Anchor program (programs/greekhouse) to an sBPF .so with upstream tools only
# (no Solana platform tools) and checks that it loads and runs in LiteSVM.
#
# Route (sbf/README.md has the details):
#   * the pinned nightly's rust-src, patched (sbf/rust-src.patch) so that std builds for
#     `target_os = "solana"` on its "unsupported" platform layer, used through a linked
#     toolchain `greekhouse-sbf` (the nightly's binaries + the patched rust-src);
#   * target spec sbf/bpfel-solana-solana.json (upstream BPF backend, os = "solana");
#   * -Zbuild-std=std,panic_abort; `-C passes=lower-atomic` (sBPF has no atomics; the program
#     is single-threaded);
#   * sbf/sbpf-link.py around sbpf-linker 0.2.6: rewrites signed division into unsigned,
#     reports stack frames over 4 KiB, adds solana-compiler-builtins (memcpy & co.);
#   * sbf/runner (stable toolchain, LiteSVM 0.16): loads the .so under greekhouse::ID and runs
#     instructions.
#
# Usage: scripts/build-sbf.sh [-v] [--no-run] [--frames]
#   -v        show the build output
#   --no-run  build the .so only (no LiteSVM runner)
#   --frames  relink and list the largest stack frames (deepest r10 offset per function) in the
#             link report (one more code generation: about 20 s)
# Output: target-sbf/deploy/greekhouse.so (and greekhouse.link-report.txt next to it).
# The LAST line is machine-readable:
#   sbf so=<path|NA> bytes=<n|NA> load=<ok|fail|NA> run=<ok|contiguous-frames-only|fail|NA>
# (run=contiguous-frames-only: the instructions work only without mainnet's SBPFv0 stack gaps).
# Exit status: 0 when the .so built, loaded and every runner instruction ended as expected;
# 1 when it built but did not load or an instruction went wrong; 2 when a setup/build step failed.
#
# First use installs what it needs (toolchain link, patched rust-src, sbpf-linker: a few
# minutes) and builds everything (about 3 minutes for the program, 8 for the runner); later runs
# are incremental.
set -uo pipefail

NIGHTLY=nightly-2026-10-30
LINKER_VERSION=0.2.6
RUNNER_TOOLCHAIN=${SBF_RUNNER_TOOLCHAIN:-1.95.0}
TOOLCHAIN_NAME=greekhouse-sbf

VERBOSE=0
RUN=1
FRAMES=0
for a in "$@"; do
    case $a in
    -v) VERBOSE=1 ;;
    --no-run) RUN=0 ;;
    --frames) FRAMES=1 ;;
    *) echo "usage: $0 [-v] [--no-run] [--frames]" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SBF="$ROOT/sbf"
SPEC="$SBF/bpfel-solana-solana.json"
TRIPLE=bpfel-solana-solana
PATCH="$SBF/rust-src.patch"
SUMS="$SBF/rust-src.sha256"
OUT_DIR="$ROOT/target-sbf"
TARGET_DIR="$OUT_DIR/build"
RUNNER_TARGET_DIR="$OUT_DIR/runner"
DEPLOY="$OUT_DIR/deploy"
SO="$DEPLOY/greekhouse.so"
mkdir -p "$TARGET_DIR" "$DEPLOY"
LOG=$(mktemp "$OUT_DIR/build-sbf.XXXXXX.log")

unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR CARGO_BUILD_TARGET
export PATH="$HOME/.cargo/bin:$PATH"

say() { echo "build-sbf: $*" >&2; }

result() { echo "sbf so=$1 bytes=$2 load=$3 run=$4"; }

fail() { # fail <step> <message>
    say "step '$1' FAILED: $2"
    if [[ -s $LOG ]]; then
        say "last lines of $LOG (kept):"
        grep -Ev '^ *[0-9]+: |^ +at |^Stack backtrace:|^ *"' "$LOG" | tail -n 30 | sed 's/^/    /' >&2
    fi
    result NA NA NA NA
    exit 2
}

run_logged() { # run_logged <cmd...>: output to the log (and the terminal with -v)
    if ((VERBOSE)); then
        "$@" 2>&1 | tee -a "$LOG"
        return "${PIPESTATUS[0]}"
    else
        "$@" >>"$LOG" 2>&1
    fi
}

# --- 1. tools ---------------------------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || fail "rustup" "rustup is not on PATH (needed for $NIGHTLY)"
command -v python3 >/dev/null 2>&1 || fail "python3" "python3 is needed by sbf/sbpf-link.py"
command -v patch >/dev/null 2>&1 || fail "patch" "the 'patch' tool is needed to patch rust-src"
command -v sha256sum >/dev/null 2>&1 || fail "sha256sum" "sha256sum is needed"

if ! rustup toolchain list | grep -q "^$NIGHTLY"; then
    say "installing toolchain $NIGHTLY (minimal + rust-src)..."
    run_logged rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src ||
        fail "install $NIGHTLY" "rustup could not download the toolchain (no network to the Rust toolchain server?)"
fi
if ! rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
    say "adding rust-src to $NIGHTLY..."
    run_logged rustup component add rust-src --toolchain "$NIGHTLY" ||
        fail "rust-src" "rustup could not add rust-src to $NIGHTLY"
fi
linker_version=$(sbpf-linker --version 2>/dev/null | grep -m1 '^sbpf-linker')
if [[ $linker_version != "sbpf-linker $LINKER_VERSION" ]]; then
    say "installing sbpf-linker $LINKER_VERSION (about 3 minutes)..."
    run_logged nice -n 19 cargo "+$NIGHTLY" install "sbpf-linker@$LINKER_VERSION" --locked ||
        fail "install sbpf-linker" "cargo install sbpf-linker@$LINKER_VERSION failed (see the log)"
fi

# --- 2. the patched toolchain -----------------------------------------------------------------
# A directory mirroring the nightly (hard links where possible) whose lib/rustlib/src/rust is a
# patched copy; its name carries the patch's hash, so a changed patch gets a new directory and
# cargo rebuilds std by itself ("the path to the source changed").
NIGHTLY_DIR=$(rustc "+$NIGHTLY" --print sysroot 2>/dev/null) || fail "toolchain" "rustc +$NIGHTLY does not run"
PATCH_ID=$(cat "$PATCH" "$SUMS" | sha256sum | cut -c1-12)
TC_HOME=${GREEKHOUSE_SBF_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/greekhouse-sbf}
TC_DIR="$TC_HOME/$NIGHTLY-$PATCH_ID"
if [[ ! -f $TC_DIR/.complete ]]; then
    say "creating the patched toolchain in $TC_DIR..."
    rm -rf "$TC_DIR.tmp"
    mkdir -p "$TC_DIR.tmp/lib/rustlib/src" || fail "toolchain" "cannot create $TC_DIR.tmp"
    link_or_copy() { cp -al "$1" "$2" 2>/dev/null || cp -a "$1" "$2"; }
    link_or_copy "$NIGHTLY_DIR/bin" "$TC_DIR.tmp/" || fail "toolchain" "cannot copy $NIGHTLY_DIR/bin"
    for f in "$NIGHTLY_DIR"/lib/*; do
        [[ -d $f ]] || link_or_copy "$f" "$TC_DIR.tmp/lib/" || fail "toolchain" "cannot copy $f"
    done
    for f in "$NIGHTLY_DIR"/lib/rustlib/*; do
        [[ $(basename "$f") == src ]] && continue
        link_or_copy "$f" "$TC_DIR.tmp/lib/rustlib/" || fail "toolchain" "cannot copy $f"
    done
    # sbpf-linker dlopens lib/libLLVM-<v>-rust-*.so, which rustup ships as a linker script.
    for f in "$TC_DIR.tmp"/lib/libLLVM-*.so; do
        real=$(ls "$TC_DIR.tmp"/lib/libLLVM.so.* 2>/dev/null | head -n 1)
        [[ -n $real && -f $f && $(stat -c %s "$f") -lt 1024 ]] && ln -sf "$(basename "$real")" "$f"
    done
    cp -a "$NIGHTLY_DIR/lib/rustlib/src/rust" "$TC_DIR.tmp/lib/rustlib/src/rust" ||
        fail "toolchain" "cannot copy rust-src (is the rust-src component installed?)"
    (cd "$TC_DIR.tmp/lib/rustlib/src/rust" && run_logged patch -p1 --no-backup-if-mismatch <"$PATCH") ||
        fail "patch rust-src" "sbf/rust-src.patch does not apply to $NIGHTLY's rust-src"
    (cd "$TC_DIR.tmp/lib/rustlib/src/rust" && run_logged sha256sum -c "$SUMS") ||
        fail "patch rust-src" "the patched files do not match sbf/rust-src.sha256"
    touch "$TC_DIR.tmp/.complete"
    rm -rf "$TC_DIR" && mv "$TC_DIR.tmp" "$TC_DIR" || fail "toolchain" "cannot move $TC_DIR.tmp into place"
fi
if [[ $(rustc "+$TOOLCHAIN_NAME" --print sysroot 2>/dev/null) != "$TC_DIR" ]]; then
    run_logged rustup toolchain link "$TOOLCHAIN_NAME" "$TC_DIR" ||
        fail "toolchain" "rustup toolchain link $TOOLCHAIN_NAME $TC_DIR failed"
fi

# --- 3. the program -----------------------------------------------------------------------------
export RUSTFLAGS="-C passes=lower-atomic -C linker=$SBF/sbpf-link.py"
BUILD_STD=(-Zbuild-std=std,panic_abort -Zjson-target-spec --target "$SPEC" --target-dir "$TARGET_DIR")

# solana-compiler-builtins (memcpy/memset/memmove/memcmp through syscalls, 128-bit and f64
# builtins): the program does not depend on it, so it is built on its own (same profile and
# flags, hence the same std) and its rlib handed to the linker.
say "building solana-compiler-builtins for sBPF..."
builtins_json=$(cd "$SBF/builtins" && nice -n 19 cargo "+$TOOLCHAIN_NAME" build --release --locked \
    "${BUILD_STD[@]}" --message-format=json 2>>"$LOG") ||
    fail "build builtins" "sbf/builtins did not build (see the log)"
BUILTINS_RLIB=$(printf '%s\n' "$builtins_json" | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "solana_compiler_builtins":
        print([f for f in m["filenames"] if f.endswith(".rlib")][0])')
[[ -n $BUILTINS_RLIB && -f $BUILTINS_RLIB ]] || fail "build builtins" "no solana_compiler_builtins rlib found"

# cargo does not see the linker script's content: its hash goes into the link arguments.
LINK_ID=$(sha256sum "$SBF/sbpf-link.py" | cut -c1-12)
if ((FRAMES)); then
    export GREEKHOUSE_SBF_FRAMES=1
    LINK_ID="$LINK_ID-frames" # a different link argument: cargo relinks
fi
say "building programs/greekhouse for sBPF ($NIGHTLY + patched rust-src, sbpf-linker $LINKER_VERSION)..."
start=$(date +%s)
(cd "$ROOT" && run_logged nice -n 19 cargo "+$TOOLCHAIN_NAME" rustc --release --locked -p greekhouse --lib \
    "${BUILD_STD[@]}" -- -C "link-arg=$BUILTINS_RLIB" -C "link-arg=--greekhouse-sbf-link-id=$LINK_ID") ||
    fail "build program" "programs/greekhouse did not build/link for sBPF (see the log)"
say "program build took $(($(date +%s) - start)) s"
BUILT="$TARGET_DIR/$TRIPLE/release/libgreekhouse.so"
[[ -f $BUILT ]] || fail "build program" "cargo succeeded but $BUILT is missing"
cp "$BUILT" "$SO.tmp" && mv "$SO.tmp" "$SO" || fail "build program" "cannot write $SO"
report=$(ls -t "$TARGET_DIR/$TRIPLE/release/build/greekhouse/"*/out/sbpf-link-report.txt 2>/dev/null | head -n 1)
[[ -n $report ]] && cp "$report" "$DEPLOY/greekhouse.link-report.txt"
if [[ -s $DEPLOY/greekhouse.link-report.txt ]]; then
    sed 's/^/build-sbf: linker: /' "$DEPLOY/greekhouse.link-report.txt" >&2
fi
bytes=$(stat -c %s "$SO")
say "wrote $SO ($bytes bytes)"

# Every external call left must be a syscall the loader knows (sol_*, abort).
if command -v readelf >/dev/null 2>&1; then
    missing=$(readelf -rW "$SO" 2>/dev/null | awk '$3 == "R_BPF_INSN_DISP32" || $3 == "R_BPF_64_32" {print $5}' |
        sort -u | grep -Ev '^(sol_|abort$)' || true)
    [[ -z $missing ]] || say "WARNING: calls to non-syscall symbols left in the .so: $(echo $missing)"
fi

if ((!RUN)); then
    rm -f "$LOG"
    result "$SO" "$bytes" NA NA
    exit 0
fi

# --- 4. LiteSVM ---------------------------------------------------------------------------------
if ! rustup toolchain list | grep -q "^$RUNNER_TOOLCHAIN"; then
    say "installing toolchain $RUNNER_TOOLCHAIN for the LiteSVM runner..."
    run_logged rustup toolchain install "$RUNNER_TOOLCHAIN" --profile minimal ||
        fail "install $RUNNER_TOOLCHAIN" "rustup could not download the toolchain"
fi
say "building the LiteSVM runner (+$RUNNER_TOOLCHAIN; the first build takes about 8 minutes)..."
(cd "$SBF/runner" && unset RUSTFLAGS && run_logged nice -n 19 cargo "+$RUNNER_TOOLCHAIN" build --locked \
    --target-dir "$RUNNER_TARGET_DIR") || fail "build runner" "sbf/runner did not build (see the log)"
say "running..."
"$RUNNER_TARGET_DIR/debug/greekhouse-sbf-runner" "$SO"
status=$?
rm -f "$LOG"
case $status in
0) result "$SO" "$bytes" ok ok; exit 0 ;;
3) say "the instructions ran as expected only with contiguous stack frames (see the runner's warning)"
   result "$SO" "$bytes" ok contiguous-frames-only; exit 1 ;;
1) result "$SO" "$bytes" ok fail; exit 1 ;;
*) result "$SO" "$bytes" fail NA; exit 1 ;;
esac
