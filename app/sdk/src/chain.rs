//! The interface every off-chain component talks to the chain through. The in-process bank
//! ([`crate::bank::BankChain`], feature `bank`) implements it today; an RPC backend implements
//! the same trait.

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
    /// The backend itself failed (I/O, RPC, runtime).
    #[error("chain backend error: {0}")]
    Backend(String),
}

impl ChainError {
    /// The program error code, if the transaction failed with one.
    pub fn custom_code(&self) -> Option<u32> {
        match self {
            ChainError::Transaction { custom_code, .. } => *custom_code,
            ChainError::Backend(_) => None,
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
}
