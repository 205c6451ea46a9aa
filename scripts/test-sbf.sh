#!/usr/bin/env bash
# The test suite on the deployable program: builds the sBPF `.so` (scripts/build-sbf.sh, upstream
# tools; installs them on first use), loads it into the in-process bank in place of the native
# program (GREEKHOUSE_PROGRAM_SO, app/testkit/src/bank.rs) and runs every integration test on it
# in the Solana VM (4 KiB stack frames, 32 KiB heap, compute units metered), the RPC tests
# included: the local validator they start deploys the same `.so` through the upgradeable
# loader (greekhouse-localnet --program-so). Then prints each instruction's largest measured
# cost and checks it against the table in docs/performance.md and the SDK's limits generated
# from it (scripts/cu-table.py: at most 1,400,000 CU, at most 10 % over its documented figure,
# app/sdk/src/budget_measured.rs listing the table, and every call under the SDK's limit for its
# shape).
#
# Usage: scripts/test-sbf.sh [--bless]   (--bless measures without the SDK's limits and rewrites
#                                         the CU table and budget_measured.rs from this run;
#                                         run once more without it to check the new limits)
# Not part of scripts/test.sh: a clean run of it (toolchain, std for sBPF, the program, the
# LiteSVM loader check) takes about 20 minutes on 2 cores (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."

BLESS=()
UNCAPPED=
for a in "$@"; do
    case $a in
    # a blessing run measures each instruction without the SDK's limits (the bank lifts them,
    # app/testkit/src/bank.rs); a checking run keeps them in force, so it also tests them
    --bless) BLESS=(--bless) UNCAPPED=1 ;;
    *) echo "usage: $0 [--bless]" >&2; exit 2 ;;
    esac
done

./scripts/build-sbf.sh
# the RPC tests' local validator (unless GREEKHOUSE_LOCALNET_BIN names one already built: it
# deploys the `.so` it is given, so any build of it serves) and TypeScript client (as in
# scripts/test.sh)
[[ -n ${GREEKHOUSE_LOCALNET_BIN:-} ]] || ./scripts/localnet.sh build
[[ -d tests/ts/node_modules ]] || npm ci --prefix tests/ts --no-audit --no-fund
SO="$PWD/target-sbf/deploy/greekhouse.so"
LOG="$PWD/target-sbf/cu.log"
rm -f "$LOG"
echo "==> the integration suite on $SO"
GREEKHOUSE_PROGRAM_SO="$SO" GREEKHOUSE_CU_LOG="$LOG" GREEKHOUSE_CU_UNCAPPED="$UNCAPPED" \
    cargo nextest run --workspace --locked --no-fail-fast \
    -E 'package(greekhouse-tests)'
echo "==> compute units (largest per instruction over the suite)"
python3 scripts/cu-table.py "$LOG" "${BLESS[@]}"
