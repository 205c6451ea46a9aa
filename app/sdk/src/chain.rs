//! The interface every off-chain component talks to the chain through: the in-process bank
//! ([`crate::bank::BankChain`], feature `bank`), saved-account snapshots, and a JSON-RPC node
//! ([`crate::rpc::RpcChain`], feature `rpc`) implement it.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_account::Account;
use solana_keypair::Keypair;

use crate::events::{GreekhouseEvent, ProgramEvent};

/// What a landed transaction produced.
#[derive(Debug, Clone, Default)]
pub struct TxOutcome {
    /// Events the program emitted, in order.
    pub events: Vec<GreekhouseEvent>,
    pub logs: Vec<String>,
    pub compute_units: u64,
}

impl TxOutcome {
    /// Every event of type `T`, in order.
    pub fn events_of<T: ProgramEvent>(&self) -> Vec<T> {
        self.events
            .iter()
            .filter_map(T::from_event)
            .cloned()
            .collect()
    }

    /// The one event of type `T`; `None` when there is none or more than one.
    pub fn event<T: ProgramEvent>(&self) -> Option<T> {
        let mut all = self.events_of::<T>();
        (all.len() == 1).then(|| all.remove(0))
    }

    /// Names of the events, in order.
    pub fn event_names(&self) -> Vec<&'static str> {
        self.events.iter().map(GreekhouseEvent::name).collect()
    }
}

/// Why a transaction did not land.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChainError {
    /// The transaction failed; `custom_code` is the program's error code when it returned one
    /// (Anchor codes: 6000 + the `GreekhouseError` index).
    #[error("transaction failed: {message} (custom code {custom_code:?})")]
    Transaction {
        message: String,
        custom_code: Option<u32>,
        logs: Vec<String>,
    },
    /// The backend itself failed (I/O, runtime).
    #[error("chain backend error: {0}")]
    Backend(String),
    /// A JSON-RPC node could not serve the request ([`crate::rpc::RpcChain`]).
    #[error("rpc {kind}: {message}")]
    Rpc { kind: RpcFailure, message: String },
}

/// Which way an RPC request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpcFailure {
    /// No answer: connection refused or reset (a stopped node, a wrong URL).
    Unreachable,
    /// The request timed out.
    Timeout,
    /// The node is behind the cluster (`getHealth` / JSON-RPC error -32005).
    NodeBehind { slots: Option<u64> },
    /// The transaction's blockhash expired on every attempt the chain was allowed.
    BlockhashExpired,
    /// The transaction was sent but not confirmed within the deadline: it may still land.
    ConfirmationTimeout,
    /// An account the operation needs does not exist.
    AccountMissing,
    /// The chain has no fee payer.
    ReadOnly,
    /// The node's answer could not be decoded.
    Decode,
    /// Another JSON-RPC error response, with its code.
    Response { code: i64 },
    /// Anything else the client reported.
    Other,
}

impl std::fmt::Display for RpcFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RpcFailure::Unreachable => write!(f, "node unreachable"),
            RpcFailure::Timeout => write!(f, "request timed out"),
            RpcFailure::NodeBehind { slots: Some(n) } => write!(f, "node behind by {n} slots"),
            RpcFailure::NodeBehind { slots: None } => write!(f, "node behind"),
            RpcFailure::BlockhashExpired => write!(f, "blockhash expired"),
            RpcFailure::ConfirmationTimeout => write!(f, "confirmation timed out"),
            RpcFailure::AccountMissing => write!(f, "account missing"),
            RpcFailure::ReadOnly => write!(f, "read-only chain"),
            RpcFailure::Decode => write!(f, "undecodable answer"),
            RpcFailure::Response { code } => write!(f, "error response {code}"),
            RpcFailure::Other => write!(f, "client error"),
        }
    }
}

/// A byte comparison at an offset of an account's data (`getProgramAccounts`' memcmp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFilter {
    pub offset: usize,
    pub bytes: Vec<u8>,
}

impl FieldFilter {
    /// Accounts whose 32 bytes at `offset` are `key`.
    pub fn pubkey_at(offset: usize, key: &Pubkey) -> Self {
        Self {
            offset,
            bytes: key.to_bytes().to_vec(),
        }
    }

    pub fn matches(&self, data: &[u8]) -> bool {
        data.get(self.offset..self.offset + self.bytes.len()) == Some(&self.bytes[..])
    }
}

impl ChainError {
    /// The program error code, if the transaction failed with one.
    pub fn custom_code(&self) -> Option<u32> {
        match self {
            ChainError::Transaction { custom_code, .. } => *custom_code,
            ChainError::Backend(_) | ChainError::Rpc { .. } => None,
        }
    }

    /// The program's name for the error, from the IDL (`None` when it is not the program's).
    pub fn program_error_name(&self) -> Option<&'static str> {
        self.custom_code().and_then(crate::errors::error_name)
    }

    /// A failure that may pass if the same request is tried again: the backend or the node
    /// failed, the transaction itself was not refused.
    pub fn is_transient(&self) -> bool {
        match self {
            ChainError::Transaction { .. } => false,
            ChainError::Backend(_) => true,
            // a transaction that timed out in confirmation may still land: sending it again
            // could do the same thing twice, so it is not retried blindly
            ChainError::Rpc { kind, .. } => !matches!(
                kind,
                RpcFailure::ReadOnly
                    | RpcFailure::AccountMissing
                    | RpcFailure::Decode
                    | RpcFailure::ConfirmationTimeout
            ),
        }
    }
}

/// One transaction of a [`Chain::send_many`] batch: its instructions and the signers besides
/// the payer.
#[derive(Clone)]
pub struct TxRequest<'a> {
    pub instructions: Vec<Instruction>,
    pub signers: Vec<&'a Keypair>,
}

impl<'a> TxRequest<'a> {
    pub fn new(instructions: Vec<Instruction>, signers: Vec<&'a Keypair>) -> Self {
        Self {
            instructions,
            signers,
        }
    }
}

/// A Solana cluster as the SDK, bot, CLI and simulator see it.
pub trait Chain {
    /// The fee payer of every transaction this chain sends.
    fn payer(&self) -> Pubkey;
    /// Fetch an account; `None` when it does not exist.
    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError>;
    /// Sign with the payer and `signers`, send, and wait for the outcome.
    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError>;
    /// The cluster's unix time (the `Clock` sysvar).
    fn unix_timestamp(&mut self) -> Result<i64, ChainError>;
    /// Every account of the Greekhouse program whose data starts with `discriminator` (an
    /// Anchor account discriminator): how the bot finds writer accounts and series. An RPC
    /// backend answers with `getProgramAccounts`; the bank and snapshots with what they hold.
    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError>;

    /// Send independent transactions, at most `max_in_flight` of them unconfirmed at once, and
    /// return each one's outcome in input order (a refused one is its error, the others still
    /// go). The transactions must not depend on each other: a backend may land them in any
    /// order. This default sends them one by one through [`Chain::send`] (the bank,
    /// snapshots); [`crate::rpc::RpcChain`] pipelines them.
    fn send_many(
        &mut self,
        batch: &[TxRequest<'_>],
        max_in_flight: usize,
    ) -> Vec<Result<TxOutcome, ChainError>> {
        let _ = max_in_flight;
        batch
            .iter()
            .map(|tx| self.send(&tx.instructions, &tx.signers))
            .collect()
    }

    /// Fetch several accounts at once (an RPC backend batches them in `getMultipleAccounts`).
    fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        keys.iter().map(|k| self.account(k)).collect()
    }

    /// [`Chain::program_accounts`] narrowed by field filters (for example the writer accounts
    /// of one clearing house); an RPC node applies them itself.
    fn program_accounts_where(
        &mut self,
        discriminator: &[u8],
        filters: &[FieldFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let mut found = self.program_accounts(discriminator)?;
        found.retain(|(_, a)| filters.iter().all(|f| f.matches(&a.data)));
        Ok(found)
    }
}

/// A read cache in front of a [`Chain`]: each account is fetched once until the next send
/// (which may change anything) or [`ReadCache::clear`]. A bot's tick reads the clearing house,
/// the underlyings, the collateral assets and the oracles once for every account it margins,
/// instead of once per account.
pub struct ReadCache<'a, C: Chain + ?Sized> {
    inner: &'a mut C,
    accounts: std::collections::HashMap<Pubkey, Option<Account>>,
    /// Reads answered from the cache, and reads that went to the chain.
    pub hits: u64,
    pub misses: u64,
}

impl<'a, C: Chain + ?Sized> ReadCache<'a, C> {
    pub fn new(inner: &'a mut C) -> Self {
        Self {
            inner,
            accounts: std::collections::HashMap::new(),
            hits: 0,
            misses: 0,
        }
    }

    /// Forget every cached account.
    pub fn clear(&mut self) {
        self.accounts.clear();
    }
}

impl<C: Chain + ?Sized> Chain for ReadCache<'_, C> {
    fn payer(&self) -> Pubkey {
        self.inner.payer()
    }

    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        if let Some(a) = self.accounts.get(key) {
            self.hits += 1;
            return Ok(a.clone());
        }
        self.misses += 1;
        let a = self.inner.account(key)?;
        self.accounts.insert(*key, a.clone());
        Ok(a)
    }

    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        self.accounts.clear();
        self.inner.send(instructions, signers)
    }

    fn send_many(
        &mut self,
        batch: &[TxRequest<'_>],
        max_in_flight: usize,
    ) -> Vec<Result<TxOutcome, ChainError>> {
        self.accounts.clear();
        self.inner.send_many(batch, max_in_flight)
    }

    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        self.inner.unix_timestamp()
    }

    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let found = self.inner.program_accounts(discriminator)?;
        for (k, a) in &found {
            self.accounts.insert(*k, Some(a.clone()));
        }
        Ok(found)
    }

    fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let missing: Vec<Pubkey> = keys
            .iter()
            .filter(|k| !self.accounts.contains_key(k))
            .copied()
            .collect();
        self.hits += (keys.len() - missing.len()) as u64;
        if !missing.is_empty() {
            self.misses += missing.len() as u64;
            let fetched = self.inner.accounts(&missing)?;
            for (k, a) in missing.into_iter().zip(fetched) {
                self.accounts.insert(k, a);
            }
        }
        Ok(keys.iter().map(|k| self.accounts[k].clone()).collect())
    }

    fn program_accounts_where(
        &mut self,
        discriminator: &[u8],
        filters: &[FieldFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let found = self.inner.program_accounts_where(discriminator, filters)?;
        for (k, a) in &found {
            self.accounts.insert(*k, Some(a.clone()));
        }
        Ok(found)
    }
}
