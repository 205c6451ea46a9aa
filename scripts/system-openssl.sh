#!/usr/bin/env bash
# Source this (`. scripts/system-openssl.sh`): exports OPENSSL_NO_VENDOR=1 when Debian's libssl-dev
# is there (installing it with apt-get when missing and running as root), so openssl-sys links the
# system OpenSSL instead of compiling one from source. solana-secp256r1-program (in both the main
# workspace and the local validator) asks for a vendored OpenSSL; its C build costs a clean run
# minutes on 2 cores. Without libssl-dev and without root the vendored build stays.
if ! pkg-config --exists openssl 2>/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing libssl-dev and pkg-config (the system OpenSSL instead of a vendored build)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev pkg-config >/dev/null ||
        echo "could not install libssl-dev: OpenSSL stays vendored"
fi
if pkg-config --exists openssl 2>/dev/null; then
    export OPENSSL_NO_VENDOR=1
fi
