#!/usr/bin/env bash
# The local validator (docs/rpc.md): agave's test validator hosting the Greekhouse program.
#
#   scripts/localnet.sh patch   fetch the two agave crates whose SDK pins conflict with Anchor 1.2
#                               from crates.io (checksums checked against the registry index) and
#                               relax those pins, into localnet/patched/ (git-ignored)
#   scripts/localnet.sh build   patch, then build target/localnet/debug/greekhouse-localnet
#   scripts/localnet.sh run ... build, then run it (arguments go to greekhouse-localnet)
#
# Why: solana-gossip and solana-faucet 3.1.12 pin solana-clock, solana-instruction and other SDK
# crates with `=` to the versions agave 3.1.12 shipped with, while anchor-lang 1.2.2 needs newer
# patch releases of the same crates. Cargo cannot hold two semver-compatible versions of one
# crate, so the localnet workspace (localnet/, its own Cargo.lock) builds these two crates with
# the `=` removed (`=3.0.0` becomes `3.0.0`, any 3.x >= 3.0.0), and with their `warnings = "deny"`
# lint level set to allow (as a path dependency cargo would apply it; as a registry crate it is
# capped). Nothing else is changed. The main workspace does not depend on the validator and is
# untouched.
#
# The validator needs libclang (rocksdb's bindings) and a C++ compiler; the build installs
# libclang-dev with apt-get when it is missing and the script runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

AGAVE=3.1.12
CRATES=(solana-gossip solana-faucet)
PATCHED=localnet/patched

index_path() { # crates.io sparse index path of a crate name
    local n=$1
    case ${#n} in
    1) echo "1/$n" ;;
    2) echo "2/$n" ;;
    3) echo "3/${n:0:1}/$n" ;;
    *) echo "${n:0:2}/${n:2:2}/$n" ;;
    esac
}

patch_crates() {
    mkdir -p "$PATCHED"
    for crate in "${CRATES[@]}"; do
        local dest="$PATCHED/$crate-$AGAVE"
        if [[ -f "$dest/.greekhouse-patched" ]]; then
            continue
        fi
        rm -rf "$dest"
        local tmp
        tmp=$(mktemp -d)
        curl -sSfL --retry 3 -o "$tmp/crate.tar.gz" "https://static.crates.io/crates/$crate/$crate-$AGAVE.crate"
        curl -sSfL --retry 3 -o "$tmp/index" "https://index.crates.io/$(index_path "$crate")"
        python3 - "$tmp" "$crate" "$AGAVE" "$PATCHED" <<'PY'
import hashlib, json, re, sys, tarfile
tmp, crate, version, patched = sys.argv[1:5]
data = open(f"{tmp}/crate.tar.gz", "rb").read()
expected = next(json.loads(l)["cksum"] for l in open(f"{tmp}/index") if json.loads(l)["vers"] == version)
actual = hashlib.sha256(data).hexdigest()
if actual != expected:
    sys.exit(f"{crate} {version}: checksum {actual} does not match the registry's {expected}")
with tarfile.open(f"{tmp}/crate.tar.gz") as t:
    t.extractall(patched, filter="data")
path = f"{patched}/{crate}-{version}/Cargo.toml"
text = open(path).read()
# relax `=x.y.z` pins on SDK crates (solana-*, spl-*) that are not agave's own 3.1.12 siblings
relaxed, n = re.subn(r'(\[dependencies\.(?:solana|spl)-[a-z0-9-]+\]\nversion = )"=((?!3\.1\.12")[0-9.]+)"', r'\1"\2"', text)
# a registry crate's lints are capped; as a path crate its `warnings = "deny"` would turn this
# newer rustc's new warnings into errors, so they are allowed as they are for registry crates
relaxed = relaxed.replace('[lints.rust]\nwarnings = "deny"', '[lints.rust]\nwarnings = "allow"')
open(path, "w").write(relaxed)
open(f"{patched}/{crate}-{version}/.greekhouse-patched", "w").write(f"{n} pins relaxed\n")
print(f"{crate} {version}: checksum ok, {n} SDK pins relaxed")
PY
        rm -rf "$tmp"
    done
}

ensure_libclang() {
    if ls /usr/lib/llvm-*/lib/libclang.so* >/dev/null 2>&1 || ldconfig -p 2>/dev/null | grep -q 'libclang\.so'; then
        return
    fi
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "installing libclang-dev (rocksdb's bindings need it)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libclang-dev >/dev/null
    else
        echo "libclang is missing: install libclang-dev (Debian/Ubuntu) or clang, then re-run" >&2
        exit 1
    fi
}

build() {
    patch_crates
    ensure_libclang
    # the system OpenSSL rather than a vendored build, when libssl-dev is there
    # shellcheck source=scripts/system-openssl.sh
    . scripts/system-openssl.sh
    # --target-dir: cargo reads localnet/.cargo/config.toml only when run from inside localnet/
    cargo build --locked --manifest-path localnet/Cargo.toml --target-dir target/localnet --bin greekhouse-localnet
}

case "${1:-build}" in
patch) patch_crates ;;
build) build ;;
run)
    shift
    build
    exec target/localnet/debug/greekhouse-localnet "$@"
    ;;
*)
    echo "usage: $0 patch|build|run [greekhouse-localnet arguments]" >&2
    exit 2
    ;;
esac
