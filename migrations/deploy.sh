#!/usr/bin/env bash
# Deployment step (Anchor's `migrations/`): the ordered instructions that create the clearing
# house, list the configured underlyings and collateral (disabled), queue their enabling, lower
# the per-writer open-interest share and hand admin to the multisig vault.
#
#   migrations/deploy.sh [CONFIG] [--plan|--bank]
#
# --plan (default) prints every instruction with its signer; the vault's steps also as Squads v4
# vault-transaction messages (base58). --bank runs the same plan on the embedded Solana bank and
# reports the deployed accounts (what the tests check).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
config="${1:-$here/deploy.json}"
mode="${2:---plan}"
exec cargo run -q -p greekhouse-cli -- deploy --config "$config" "$mode"
