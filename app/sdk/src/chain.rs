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
