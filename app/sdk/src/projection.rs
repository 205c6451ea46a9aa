//! A chain as some actions would leave it, before they are sent: reads of the accounts given a
//! projected state answer with it, everything else is read through. Only reads: a send through
//! it would bypass the projection, so it is refused. The writer's flows project an action on
//! the account as its pending exercise accruals leave it ([`crate::accrual::accrue_first`]);
//! the liquidator sizes a batch of bids one after another on its bidding account as the earlier
//! bids leave it.

use std::collections::HashMap;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{Discriminator, ZeroCopy};
use solana_account::Account;
use solana_keypair::Keypair;

use crate::chain::{Chain, ChainError, TxOutcome};

/// A read-only view of `inner` with some accounts' states projected.
pub struct Projection<'a, C: Chain + ?Sized> {
    inner: &'a mut C,
    projected: HashMap<Pubkey, Account>,
}

impl<'a, C: Chain + ?Sized> Projection<'a, C> {
    pub fn new(inner: &'a mut C) -> Self {
        Self {
            inner,
            projected: HashMap::new(),
        }
    }

    /// `key` reads as holding `state`: a zero-copy account's body written over the account as
    /// it reads now (its discriminator and any bytes beyond the body kept). Nothing changes
    /// when the account does not exist or cannot be read.
    pub fn set<T: ZeroCopy + Discriminator + bytemuck::Pod>(&mut self, key: Pubkey, state: &T) {
        let Ok(Some(mut account)) = self.account(&key) else {
            return;
        };
        let start = T::DISCRIMINATOR.len();
        let bytes = bytemuck::bytes_of(state);
        if let Some(body) = account.data.get_mut(start..start + bytes.len()) {
            body.copy_from_slice(bytes);
            self.projected.insert(key, account);
        }
    }

    /// The accounts read from their projected state.
    pub fn projected(&self) -> impl Iterator<Item = &Pubkey> {
        self.projected.keys()
    }
}

impl<C: Chain + ?Sized> Chain for Projection<'_, C> {
    fn payer(&self) -> Pubkey {
        self.inner.payer()
    }

    fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        match self.projected.get(key) {
            Some(a) => Ok(Some(a.clone())),
            None => self.inner.account(key),
        }
    }

    fn accounts(&mut self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = self.inner.accounts(keys)?;
        for (k, a) in keys.iter().zip(out.iter_mut()) {
            if let Some(p) = self.projected.get(k) {
                *a = Some(p.clone());
            }
        }
        Ok(out)
    }

    fn send(&mut self, _: &[Instruction], _: &[&Keypair]) -> Result<TxOutcome, ChainError> {
        Err(ChainError::Backend(
            "a projection reads only: send through the chain itself".into(),
        ))
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
            if let Some(p) = self.projected.get(key) {
                *account = p.clone();
            }
        }
        Ok(found)
    }
}
