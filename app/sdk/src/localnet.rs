//! The manifest a local validator (`greekhouse localnet`) writes next to its ledger: its RPC
//! URL and the addresses and key files of the clearing house it was seeded with. The CLI, the
//! liquidator bot, the tests and the TypeScript client read it to find their accounts.

use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use serde::{Deserialize, Serialize};
use solana_keypair::Keypair;

/// Name of the manifest file inside a localnet's directory.
pub const MANIFEST_FILE: &str = "localnet.json";

/// A pubkey written as base58 in JSON.
pub mod b58 {
    use super::*;
    pub fn serialize<S: serde::Serializer>(k: &Pubkey, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&k.to_string())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Pubkey, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A token the clearing house holds (quote or collateral).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenEntry {
    #[serde(with = "b58")]
    pub mint: Pubkey,
    #[serde(with = "b58")]
    pub vault: Pubkey,
    #[serde(with = "b58")]
    pub token_program: Pubkey,
    /// The collateral asset account; absent for the quote mint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collateral_asset: Option<String>,
}

/// A listed underlying and its test-oracle feed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct UnderlyingEntry {
    pub name: String,
    pub id: u16,
    #[serde(with = "b58")]
    pub address: Pubkey,
    /// The legacy-format price account the test oracle writes.
    #[serde(with = "b58")]
    pub oracle: Pubkey,
    /// Test-oracle feed label (see `greekhouse_testkit::test_oracle::label`).
    pub feed_label: String,
    pub expo: i32,
    /// Price at seeding, in units of `10^expo`.
    pub price: i64,
}

/// A funded writer: owner key file, margin account and token accounts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct WriterEntry {
    /// Absolute path of the owner's keypair file (Solana CLI JSON format).
    pub keypair: PathBuf,
    #[serde(with = "b58")]
    pub owner: Pubkey,
    #[serde(with = "b58")]
    pub writer_account: Pubkey,
    #[serde(with = "b58")]
    pub quote_token_account: Pubkey,
    #[serde(with = "b58")]
    pub sol_token_account: Pubkey,
}

/// A listed option series.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SeriesEntry {
    #[serde(with = "b58")]
    pub address: Pubkey,
    #[serde(with = "b58")]
    pub underlying: Pubkey,
    pub kind: String,
    /// Strike in quote units.
    pub strike: u64,
    pub expiry: i64,
}

/// Everything a client needs to use a local validator.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub rpc_url: String,
    /// The validator's websocket (PubSub) URL, for clients that confirm by subscription.
    #[serde(default)]
    pub ws_url: String,
    #[serde(with = "b58")]
    pub program_id: Pubkey,
    #[serde(with = "b58")]
    pub oracle_program_id: Pubkey,
    #[serde(with = "b58")]
    pub clearinghouse: Pubkey,
    #[serde(with = "b58")]
    pub creator: Pubkey,
    pub quote: TokenEntry,
    pub sol_collateral: TokenEntry,
    /// Key files of the clearing house's roles and of the validator's funded faucet key.
    pub admin_keypair: PathBuf,
    pub guardian_keypair: PathBuf,
    pub vol_updater_keypair: PathBuf,
    pub oracle_authority_keypair: PathBuf,
    pub mint_authority_keypair: PathBuf,
    pub faucet_keypair: PathBuf,
    /// Key file of the clearing house's creator (the key its address derives from). Absent in
    /// manifests written before it was recorded; a world attached to one cannot sign as the
    /// creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator_keypair: Option<PathBuf>,
    pub underlyings: Vec<UnderlyingEntry>,
    pub writers: Vec<WriterEntry>,
    pub series: Vec<SeriesEntry>,
}

/// Why a manifest or key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a localnet manifest: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path} is not a Solana keypair file (a JSON array of 64 bytes)")]
    Keypair { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Manifest {
    /// Read `path`, or `path/localnet.json` when `path` is a directory.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let file = if path.is_dir() {
            path.join(MANIFEST_FILE)
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|source| ManifestError::Read {
            path: file.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ManifestError::Parse { path: file, source })
    }

    /// Write the manifest to `path` (pretty JSON).
    pub fn save(&self, path: &Path) -> Result<(), ManifestError> {
        let text = serde_json::to_string_pretty(self).expect("manifest serializes");
        std::fs::write(path, text).map_err(|source| ManifestError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// The underlying named `name` (`"SOL"`, `"BTC"`).
    pub fn underlying(&self, name: &str) -> Option<&UnderlyingEntry> {
        self.underlyings.iter().find(|u| u.name == name)
    }

    /// The clearing house's addresses as the instruction builders take them.
    pub fn clearinghouse_ref(&self) -> crate::ix::ClearinghouseRef {
        crate::ix::ClearinghouseRef {
            clearinghouse: self.clearinghouse,
            quote_mint: self.quote.mint,
            quote_vault: self.quote.vault,
            quote_token_program: self.quote.token_program,
        }
    }

    /// The oracle account of a listed underlying (what [`crate::flows::FlowContext`] asks).
    pub fn oracle_for(&self, underlying: &Pubkey) -> Option<Pubkey> {
        self.underlyings
            .iter()
            .find(|u| u.address == *underlying)
            .map(|u| u.oracle)
    }

    /// Every underlying's oracle account, by underlying address.
    pub fn oracles(&self) -> std::collections::BTreeMap<Pubkey, Pubkey> {
        self.underlyings
            .iter()
            .map(|u| (u.address, u.oracle))
            .collect()
    }

    /// The quote token's ledger (mint, vault, token program).
    pub fn quote_ledger(&self) -> crate::ix::TokenLedger {
        crate::ix::TokenLedger::quote(&self.clearinghouse_ref())
    }

    /// The SOL collateral's ledger.
    pub fn sol_ledger(&self) -> crate::ix::TokenLedger {
        crate::ix::TokenLedger::collateral(
            &self.clearinghouse,
            self.sol_collateral.mint,
            self.sol_collateral.token_program,
        )
    }
}

/// The associated token account of `owner` for `mint`, and the idempotent instruction that
/// creates it (`payer` pays the rent).
pub fn associated_token_account(
    payer: Pubkey,
    owner: Pubkey,
    mint: Pubkey,
    token_program: Pubkey,
) -> (Pubkey, crate::Instruction) {
    use anchor_spl::associated_token::spl_associated_token_account as ata;
    let address = crate::pda::associated_token(&owner, &mint, &token_program);
    let create = ata::instruction::create_associated_token_account_idempotent(
        &payer,
        &owner,
        &mint,
        &token_program,
    );
    (address, create)
}

/// Read a Solana CLI keypair file (a JSON array of the 64 secret-key bytes).
pub fn read_keypair(path: &Path) -> Result<Keypair, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes: Vec<u8> = serde_json::from_str(&text).map_err(|_| ManifestError::Keypair {
        path: path.to_path_buf(),
    })?;
    Keypair::try_from(bytes.as_slice()).map_err(|_| ManifestError::Keypair {
        path: path.to_path_buf(),
    })
}

/// Write `keypair` as a Solana CLI keypair file (owner-only permissions on Unix).
pub fn write_keypair(keypair: &Keypair, path: &Path) -> Result<(), ManifestError> {
    let text = serde_json::to_string(&keypair.to_bytes().to_vec()).expect("bytes serialize");
    std::fs::write(path, text).map_err(|source| ManifestError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// Where the `greekhouse-localnet` binary is: `$GREEKHOUSE_LOCALNET_BIN`, else next to the
/// running executable or one directory up (cargo's `deps/`), else where
/// `scripts/localnet.sh build` leaves it: `target/localnet/debug/` of this repository (the
/// localnet workspace's own target dir).
pub fn localnet_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("GREEKHOUSE_LOCALNET_BIN") {
        return PathBuf::from(p);
    }
    const NAME: &str = "greekhouse-localnet";
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(2) {
            let candidate = dir.join(NAME);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/localnet/debug")
        .join(NAME)
}
