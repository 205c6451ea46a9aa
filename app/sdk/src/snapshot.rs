//! A read-only [`Chain`] over saved accounts: each entry is what `solana account <ADDRESS>
//! --output json` prints (`{"pubkey", "account": {"lamports", "data": [base64, "base64"],
//! "owner", "executable", "rentEpoch"}}`), in a JSON array. With it the SDK (and `greekhouse
//! margin --accounts`) computes any on-chain writer account's margin offline, through the
//! program's own engine.

use std::collections::HashMap;
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use base64::Engine;
use serde::{Deserialize, Serialize};
use solana_account::Account;
use solana_keypair::Keypair;

use crate::chain::{Chain, ChainError, TxOutcome};

/// One saved account, in the Solana CLI's JSON shape.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SavedAccount {
    pub pubkey: String,
    pub account: SavedAccountData,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SavedAccountData {
    pub lamports: u64,
    /// `[base64 data, "base64"]`.
    pub data: (String, String),
    pub owner: String,
    pub executable: bool,
    #[serde(default)]
    pub rent_epoch: u64,
}

/// Why a snapshot did not load.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot is not valid JSON of saved accounts: {0}")]
    Json(#[from] serde_json::Error),
    #[error("entry {index}: bad {field}: {message}")]
    Entry {
        index: usize,
        field: &'static str,
        message: String,
    },
}

/// Saved accounts at a point in time.
pub struct SnapshotChain {
    accounts: HashMap<Pubkey, Account>,
    unix_timestamp: i64,
}

impl SnapshotChain {
    /// Parse a JSON array of saved accounts; `unix_timestamp` is the time the margin is computed at.
    pub fn from_json(json: &str, unix_timestamp: i64) -> Result<Self, SnapshotError> {
        let saved: Vec<SavedAccount> = serde_json::from_str(json)?;
        let mut accounts = HashMap::with_capacity(saved.len());
        for (index, s) in saved.into_iter().enumerate() {
            let bad = |field: &'static str, message: String| SnapshotError::Entry {
                index,
                field,
                message,
            };
            let key = Pubkey::from_str(&s.pubkey).map_err(|e| bad("pubkey", e.to_string()))?;
            let owner =
                Pubkey::from_str(&s.account.owner).map_err(|e| bad("owner", e.to_string()))?;
            if s.account.data.1 != "base64" {
                return Err(bad(
                    "data",
                    format!("encoding {:?}, expected \"base64\"", s.account.data.1),
                ));
            }
            let data = base64::engine::general_purpose::STANDARD
                .decode(&s.account.data.0)
                .map_err(|e| bad("data", e.to_string()))?;
            let account = Account {
                lamports: s.account.lamports,
                data,
                owner,
                executable: s.account.executable,
                rent_epoch: s.account.rent_epoch,
            };
            accounts.insert(key, account);
        }
        Ok(Self {
            accounts,
            unix_timestamp,
        })
    }

    /// Save `keys` from any chain in the same format (missing accounts are skipped).
    pub fn capture<C: Chain + ?Sized>(
        chain: &mut C,
        keys: &[Pubkey],
    ) -> Result<Vec<SavedAccount>, ChainError> {
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(a) = chain.account(key)? {
                out.push(SavedAccount {
                    pubkey: key.to_string(),
                    account: SavedAccountData {
                        lamports: a.lamports,
                        data: (
                            base64::engine::general_purpose::STANDARD.encode(&a.data),
                            "base64".into(),
                        ),
                        owner: a.owner.to_string(),
                        executable: a.executable,
                        rent_epoch: a.rent_epoch,
                    },
                });
            }
        }
        Ok(out)
    }

    /// The keys held.
    pub fn keys(&self) -> impl Iterator<Item = &Pubkey> {
        self.accounts.keys()
    }
}

impl Chain for SnapshotChain {
    fn payer(&self) -> Pubkey {
        Pubkey::default()
    }

    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        Ok(self.accounts.get(key).cloned())
    }

    fn send(&mut self, _: &[Instruction], _: &[&Keypair]) -> Result<TxOutcome, ChainError> {
        Err(ChainError::Backend("a snapshot is read-only".into()))
    }

    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        Ok(self.unix_timestamp)
    }

    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        Ok(self
            .accounts
            .iter()
            .filter(|(_, a)| a.owner == greekhouse::ID && a.data.starts_with(discriminator))
            .map(|(k, a)| (*k, a.clone()))
            .collect())
    }
}

/// The oracle account of every underlying in a snapshot: the legacy price account it names,
/// or, for a pull feed, the newest `PriceUpdateV2` in the snapshot that carries its feed id and
/// passes the program's parser. Also returns the newest publish time seen (the moment the
/// snapshot's prices stand for).
pub fn oracles(snapshot: &SnapshotChain) -> (HashMap<Pubkey, Pubkey>, Option<i64>) {
    use greekhouse::oracle::parse_oracle_account;
    let underlyings: Vec<(Pubkey, greekhouse::state::Underlying)> = snapshot
        .accounts
        .iter()
        .filter(|(_, a)| a.owner == greekhouse::ID)
        .filter_map(|(k, a)| crate::accounts::underlying(&a.data).ok().map(|u| (*k, u)))
        .collect();
    let mut map = HashMap::new();
    let mut newest: Option<i64> = None;
    for (key, u) in underlyings {
        let mut best: Option<(i64, Pubkey)> = None;
        for (oracle_key, a) in &snapshot.accounts {
            if let Ok(price) = parse_oracle_account(&u, oracle_key, &a.owner, &a.data) {
                if best.is_none_or(|(t, _)| price.publish_time > t) {
                    best = Some((price.publish_time, *oracle_key));
                }
            }
        }
        if let Some((t, oracle)) = best {
            newest = Some(newest.map_or(t, |n| n.max(t)));
            map.insert(key, oracle);
        }
    }
    (map, newest)
}
