//! A writer's pending exercise accruals, run ahead of a margin-checked action.
//!
//! The program refuses every margin check of an account holding an American short behind its
//! underlying's exercise epoch (`ExerciseNotAccrued`, docs/protocol.md 5b) until
//! `accrue_exercise` ran. A writer's write or withdrawal therefore sends the pending accruals
//! first, in the same transaction, and is projected on the account as they leave it: the
//! program's accrue action runs on copies of the writer account and its series, and an
//! [`Accrued`] chain serves those copies to the flows in place of the fetched accounts.

use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{Discriminator, ZeroCopy};
use greekhouse::engine::actions;
use greekhouse::state::WriterAccount;
use solana_account::Account;
use solana_keypair::Keypair;

use crate::chain::{Chain, ChainError, TxOutcome};
use crate::margin::{program_error, MarginError};
use crate::{accounts, ix};

/// A chain that answers with the accrued copies of some accounts (reads only: a send goes to
/// the chain underneath, and forgets the copies, which the sent transaction supersedes).
pub struct Accrued<'a, C: Chain + ?Sized> {
    inner: &'a mut C,
    copies: HashMap<Pubkey, Account>,
}

impl<C: Chain + ?Sized> Accrued<'_, C> {
    /// The accounts served from copies.
    pub fn copied(&self) -> impl Iterator<Item = &Pubkey> {
        self.copies.keys()
    }
}

impl<C: Chain + ?Sized> Chain for Accrued<'_, C> {
    fn payer(&self) -> Pubkey {
        self.inner.payer()
    }

    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        match self.copies.get(key) {
            Some(a) => Ok(Some(a.clone())),
            None => self.inner.account(key),
        }
    }

    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxOutcome, ChainError> {
        self.copies.clear();
        self.inner.send(instructions, signers)
    }

    fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
        self.inner.unix_timestamp()
    }

    fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let mut found = self.inner.program_accounts(discriminator)?;
        for (key, account) in found.iter_mut() {
            if let Some(copy) = self.copies.get(key) {
                *account = copy.clone();
            }
        }
        Ok(found)
    }
}

/// `state` written over the zero-copy body of `account` (its discriminator kept).
fn overwrite<T: ZeroCopy + Discriminator + bytemuck::Pod>(account: &mut Account, state: &T) {
    let start = T::DISCRIMINATOR.len();
    let end = start + core::mem::size_of::<T>();
    account.data[start..end].copy_from_slice(bytemuck::bytes_of(state));
}

fn fetch<C: Chain + ?Sized>(chain: &mut C, key: &Pubkey) -> Result<Account, MarginError> {
    chain.account(key)?.ok_or(MarginError::MissingAccount(*key))
}

/// The (series, underlying) of each American short of `writer` behind its underlying's
/// exercise epoch: what needs `accrue_exercise` before any margin check.
pub fn pending<C: Chain + ?Sized>(
    chain: &mut C,
    writer: &WriterAccount,
) -> Result<Vec<(Pubkey, Pubkey)>, MarginError> {
    let mut out = Vec::new();
    for p in writer.positions.iter().filter(|p| p.is_american_short()) {
        let u = accounts::underlying(&fetch(chain, &p.underlying)?.data)
            .map_err(|e| MarginError::Decode(p.underlying, e))?;
        if p.exercise_epoch != u.exercise_epoch {
            out.push((p.series, p.underlying));
        }
    }
    Ok(out)
}

/// The `accrue_exercise` instructions `writer_account` needs, and a view of the chain in which
/// the program's accrue action has run on the writer account and each series concerned, for
/// projecting what is sent after them in the same transaction. An accrual the program would
/// refuse is that refusal.
pub fn accrue_first<'a, C: Chain + ?Sized>(
    chain: &'a mut C,
    writer_account: &Pubkey,
) -> Result<(Accrued<'a, C>, Vec<Instruction>), MarginError> {
    let mut writer_data = fetch(chain, writer_account)?;
    let mut writer = accounts::writer_account(&writer_data.data)
        .map_err(|e| MarginError::Decode(*writer_account, e))?;
    let legs = pending(chain, &writer)?;
    let mut copies = HashMap::new();
    if !legs.is_empty() {
        let now = chain.unix_timestamp()?;
        for &(series_key, underlying_key) in &legs {
            let mut series_data = match copies.remove(&series_key) {
                Some(a) => a,
                None => fetch(chain, &series_key)?,
            };
            let mut series = accounts::option_series(&series_data.data)
                .map_err(|e| MarginError::Decode(series_key, e))?;
            let u = accounts::underlying(&fetch(chain, &underlying_key)?.data)
                .map_err(|e| MarginError::Decode(underlying_key, e))?;
            actions::exercise::accrue(
                *writer_account,
                &mut writer,
                series_key,
                &mut series,
                &u,
                now,
            )
            .map_err(program_error)?;
            overwrite(&mut series_data, &series);
            copies.insert(series_key, series_data);
        }
        overwrite(&mut writer_data, &writer);
        copies.insert(*writer_account, writer_data);
    }
    let instructions = legs
        .iter()
        .map(|&(series, underlying)| ix::accrue_exercise(*writer_account, series, underlying))
        .collect();
    Ok((
        Accrued {
            inner: chain,
            copies,
        },
        instructions,
    ))
}
