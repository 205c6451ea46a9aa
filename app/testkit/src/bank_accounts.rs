//! The bank's view of the program's accounts between transactions: what
//! [`crate::bank::BankChain`] answers `program_accounts` and `account` from without asking the
//! bank again.
//!
//! An account changes only when a transaction names it (its message's account keys) or when the
//! test writes it (`set_account`); the bank itself touches others between transactions (sysvars,
//! the fee collector, epoch rewards), but none of those is, or can become, an account of the
//! Greekhouse program without being named. So an account the program owns, read once, stays
//! valid until a transaction names it or it is written; and a key found not to be the
//! program's stays out of its scans until then. A scan then costs one bank read per key that
//! changed since the last one, not one per key ever seen (the simulator's bots scan several
//! times a step: docs/performance.md, "The simulator on a release build").

use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::prelude::Pubkey;
use solana_account::Account;

/// Every key any transaction named, sorted into the program's accounts (with their data as last
/// read), keys known not to be the program's, and keys to read again.
#[derive(Default)]
pub struct KnownAccounts {
    /// Accounts owned by the program, in key order (the order scans return them in).
    program: BTreeMap<Pubkey, Account>,
    /// Keys that are not program accounts (other owners, or no account).
    foreign: BTreeSet<Pubkey>,
    /// Keys named or written since they were last read.
    stale: BTreeSet<Pubkey>,
}

impl KnownAccounts {
    /// Every key this bank has seen, in key order.
    pub fn keys(&self) -> impl Iterator<Item = &Pubkey> {
        let mut all: Vec<&Pubkey> = self
            .program
            .keys()
            .chain(self.foreign.iter())
            .chain(self.stale.iter())
            .collect();
        all.sort();
        all.dedup();
        all.into_iter()
    }

    /// `keys` may have changed (a transaction named them, or they were written): read them
    /// again before they are used.
    pub fn touched(&mut self, keys: impl IntoIterator<Item = Pubkey>) {
        for key in keys {
            self.program.remove(&key);
            self.foreign.remove(&key);
            self.stale.insert(key);
        }
    }

    /// `key` was written directly: read it again if it is one of the seen keys.
    pub fn written(&mut self, key: &Pubkey) {
        if self.program.remove(key).is_some() || self.foreign.remove(key) {
            self.stale.insert(*key);
        }
    }

    /// The program's account at `key` as last read, when it is one and has not been touched.
    pub fn program_account(&self, key: &Pubkey) -> Option<&Account> {
        self.program.get(key)
    }

    /// Record what the bank answered for a key that has been seen (a key never named by a
    /// transaction is not recorded: scans look only among seen keys).
    pub fn read(&mut self, key: &Pubkey, account: Option<&Account>, program_id: &Pubkey) {
        if !self.stale.remove(key) && !self.program.contains_key(key) && !self.foreign.contains(key)
        {
            return;
        }
        match account {
            Some(a) if a.owner == *program_id => {
                self.foreign.remove(key);
                self.program.insert(*key, a.clone());
            }
            _ => {
                self.program.remove(key);
                self.foreign.insert(*key);
            }
        }
    }

    /// Keys to read before a scan.
    pub fn stale(&self) -> Vec<Pubkey> {
        self.stale.iter().copied().collect()
    }

    /// The program's accounts whose data starts with `discriminator`, in key order (call after
    /// every [`KnownAccounts::stale`] key has been [`KnownAccounts::read`]).
    pub fn program_accounts(&self, discriminator: &[u8]) -> Vec<(Pubkey, Account)> {
        self.program
            .iter()
            .filter(|(_, a)| a.data.starts_with(discriminator))
            .map(|(k, a)| (*k, a.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(owner: Pubkey, data: &[u8]) -> Account {
        Account {
            lamports: 1,
            data: data.to_vec(),
            owner,
            executable: false,
            rent_epoch: 0,
        }
    }

    #[test]
    fn a_scan_reads_only_touched_keys_and_returns_program_accounts_in_key_order() {
        let program = Pubkey::new_unique();
        let (a, b, c) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let mut known = KnownAccounts::default();
        known.touched([a, b, c]);
        let mut stale = known.stale();
        stale.sort();
        assert_eq!(stale.len(), 3);
        known.read(&a, Some(&account(program, b"writer1")), &program);
        known.read(
            &b,
            Some(&account(Pubkey::new_unique(), b"writer1")),
            &program,
        );
        known.read(&c, None, &program);
        assert!(known.stale().is_empty());
        let found = known.program_accounts(b"writer");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, a);
        assert_eq!(known.keys().count(), 3);
        // a key a transaction named is read again; a key never seen is not recorded
        known.touched([c]);
        assert_eq!(known.stale(), vec![c]);
        known.read(&c, Some(&account(program, b"writer2")), &program);
        known.read(
            &Pubkey::new_unique(),
            Some(&account(program, b"writer3")),
            &program,
        );
        let mut expected = vec![a, c];
        expected.sort();
        let found: Vec<Pubkey> = known
            .program_accounts(b"writer")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(found, expected);
        // a touched program account is not answered from memory
        known.touched([a]);
        assert!(known.program_account(&a).is_none());
        assert!(known.program_account(&c).is_some());
    }
}
