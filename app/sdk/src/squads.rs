//! Squads v4 vault-transaction messages: the `TransactionMessage` that `vault_transaction_create`
//! takes (Borsh with one-byte lengths for keys, instructions and account indexes and a two-byte
//! length for instruction data), built from ordinary instructions whose signer is the vault.
//!
//! Layout (Squads v4 `programs/squads_multisig_program/src/instructions/vault_transaction_create.rs`):
//! `num_signers u8, num_writable_signers u8, num_writable_non_signers u8,
//! account_keys SmallVec<u8, Pubkey>, instructions SmallVec<u8, CompiledInstruction>,
//! address_table_lookups SmallVec<u8, MessageAddressTableLookup>`, where a `CompiledInstruction`
//! is `program_id_index u8, account_indexes SmallVec<u8, u8>, data SmallVec<u16, u8>`. Keys are
//! ordered writable signers (the vault first), read-only signers, writable non-signers, read-only
//! non-signers. No address lookup tables are used.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};

/// Why a message could not be built or read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SquadsError {
    #[error("too many {0} for a Squads message")]
    TooMany(&'static str),
    #[error("message is truncated or malformed")]
    Malformed,
    #[error("message uses address lookup tables, which this reader does not resolve")]
    LookupTables,
}

/// One compiled instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledInstruction {
    pub program_id_index: u8,
    pub account_indexes: Vec<u8>,
    pub data: Vec<u8>,
}

/// A Squads v4 `TransactionMessage` without lookup tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionMessage {
    pub num_signers: u8,
    pub num_writable_signers: u8,
    pub num_writable_non_signers: u8,
    pub account_keys: Vec<Pubkey>,
    pub instructions: Vec<CompiledInstruction>,
}

#[derive(Default, Clone, Copy)]
struct Meta {
    signer: bool,
    writable: bool,
}

impl TransactionMessage {
    /// Compile `instructions` to be executed by `vault` (the vault is the first key, a writable
    /// signer, as Squads pays with it).
    pub fn compile(vault: &Pubkey, instructions: &[Instruction]) -> Result<Self, SquadsError> {
        let mut metas: BTreeMap<Pubkey, Meta> = BTreeMap::new();
        for ix in instructions {
            metas.entry(ix.program_id).or_default();
            for a in &ix.accounts {
                let m = metas.entry(a.pubkey).or_default();
                m.signer |= a.is_signer;
                m.writable |= a.is_writable;
            }
        }
        metas.remove(vault);
        let pick = |signer: bool, writable: bool| -> Vec<Pubkey> {
            metas
                .iter()
                .filter(|(_, m)| m.signer == signer && m.writable == writable)
                .map(|(k, _)| *k)
                .collect()
        };
        let writable_signers: Vec<Pubkey> =
            std::iter::once(*vault).chain(pick(true, true)).collect();
        let readonly_signers = pick(true, false);
        let writable_non_signers = pick(false, true);
        let readonly_non_signers = pick(false, false);
        let u8_of = |n: usize, what| u8::try_from(n).map_err(|_| SquadsError::TooMany(what));
        let num_signers = u8_of(writable_signers.len() + readonly_signers.len(), "signers")?;
        let num_writable_signers = u8_of(writable_signers.len(), "signers")?;
        let num_writable_non_signers = u8_of(writable_non_signers.len(), "accounts")?;
        let account_keys: Vec<Pubkey> = writable_signers
            .into_iter()
            .chain(readonly_signers)
            .chain(writable_non_signers)
            .chain(readonly_non_signers)
            .collect();
        u8_of(account_keys.len(), "accounts")?;
        let index = |k: &Pubkey| account_keys.iter().position(|x| x == k).unwrap() as u8;
        let mut compiled = Vec::with_capacity(instructions.len());
        for ix in instructions {
            if ix.data.len() > u16::MAX as usize {
                return Err(SquadsError::TooMany("data bytes"));
            }
            compiled.push(CompiledInstruction {
                program_id_index: index(&ix.program_id),
                account_indexes: ix.accounts.iter().map(|a| index(&a.pubkey)).collect(),
                data: ix.data.clone(),
            });
        }
        u8_of(compiled.len(), "instructions")?;
        Ok(Self {
            num_signers,
            num_writable_signers,
            num_writable_non_signers,
            account_keys,
            instructions: compiled,
        })
    }

    /// The Borsh bytes `vault_transaction_create` takes as `transaction_message`.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = vec![
            self.num_signers,
            self.num_writable_signers,
            self.num_writable_non_signers,
            self.account_keys.len() as u8,
        ];
        for k in &self.account_keys {
            out.extend_from_slice(k.as_ref());
        }
        out.push(self.instructions.len() as u8);
        for ix in &self.instructions {
            out.push(ix.program_id_index);
            out.push(ix.account_indexes.len() as u8);
            out.extend_from_slice(&ix.account_indexes);
            out.extend_from_slice(&(ix.data.len() as u16).to_le_bytes());
            out.extend_from_slice(&ix.data);
        }
        out.push(0); // no address table lookups
        out
    }

    /// Read the bytes back.
    pub fn deserialize(bytes: &[u8]) -> Result<Self, SquadsError> {
        let mut r = Reader(bytes);
        let (num_signers, num_writable_signers, num_writable_non_signers) =
            (r.u8()?, r.u8()?, r.u8()?);
        let n = r.u8()? as usize;
        let mut account_keys = Vec::with_capacity(n);
        for _ in 0..n {
            let k: [u8; 32] = r.take(32)?.try_into().map_err(|_| SquadsError::Malformed)?;
            account_keys.push(Pubkey::new_from_array(k));
        }
        let n = r.u8()? as usize;
        let mut instructions = Vec::with_capacity(n);
        for _ in 0..n {
            let program_id_index = r.u8()?;
            let m = r.u8()? as usize;
            let account_indexes = r.take(m)?.to_vec();
            let len = u16::from_le_bytes([r.u8()?, r.u8()?]) as usize;
            let data = r.take(len)?.to_vec();
            instructions.push(CompiledInstruction {
                program_id_index,
                account_indexes,
                data,
            });
        }
        if r.u8()? != 0 {
            return Err(SquadsError::LookupTables);
        }
        if !r.0.is_empty() {
            return Err(SquadsError::Malformed);
        }
        Ok(Self {
            num_signers,
            num_writable_signers,
            num_writable_non_signers,
            account_keys,
            instructions,
        })
    }

    /// Base58 of [`TransactionMessage::serialize`] (what a Squads import takes).
    pub fn to_base58(&self) -> String {
        bs58::encode(self.serialize()).into_string()
    }

    pub fn from_base58(text: &str) -> Result<Self, SquadsError> {
        let bytes = bs58::decode(text.trim())
            .into_vec()
            .map_err(|_| SquadsError::Malformed)?;
        Self::deserialize(&bytes)
    }

    fn is_signer(&self, i: usize) -> bool {
        i < self.num_signers as usize
    }

    fn is_writable(&self, i: usize) -> bool {
        if i < self.num_signers as usize {
            i < self.num_writable_signers as usize
        } else {
            i - (self.num_signers as usize) < self.num_writable_non_signers as usize
        }
    }

    /// The instructions the vault will execute (signer and writable flags from the header).
    pub fn instructions(&self) -> Result<Vec<Instruction>, SquadsError> {
        let key = |i: u8| {
            self.account_keys
                .get(i as usize)
                .copied()
                .ok_or(SquadsError::Malformed)
        };
        self.instructions
            .iter()
            .map(|ix| {
                Ok(Instruction {
                    program_id: key(ix.program_id_index)?,
                    accounts: ix
                        .account_indexes
                        .iter()
                        .map(|&i| {
                            Ok(AccountMeta {
                                pubkey: key(i)?,
                                is_signer: self.is_signer(i as usize),
                                is_writable: self.is_writable(i as usize),
                            })
                        })
                        .collect::<Result<_, SquadsError>>()?,
                    data: ix.data.clone(),
                })
            })
            .collect()
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SquadsError> {
        if self.0.len() < n {
            return Err(SquadsError::Malformed);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, SquadsError> {
        Ok(self.take(1)?[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_orders_keys_and_round_trips() {
        let vault = Pubkey::new_unique();
        let (program, a, b, s) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let ix = Instruction {
            program_id: program,
            accounts: vec![
                AccountMeta::new(vault, true),
                AccountMeta::new_readonly(vault, true),
                AccountMeta::new_readonly(s, true),
                AccountMeta::new(a, false),
                AccountMeta::new_readonly(b, false),
            ],
            data: vec![1, 2, 3],
        };
        let m = TransactionMessage::compile(&vault, std::slice::from_ref(&ix)).unwrap();
        assert_eq!(m.account_keys[0], vault);
        assert_eq!(
            (
                m.num_signers,
                m.num_writable_signers,
                m.num_writable_non_signers
            ),
            (2, 1, 1)
        );
        assert_eq!(m.account_keys[1], s);
        assert_eq!(m.account_keys[2], a);
        let bytes = m.serialize();
        // header + 5 keys + 1 instruction (index, 5 account indexes, u16 length, 3 bytes) + lookups
        assert_eq!(bytes.len(), 3 + 1 + 5 * 32 + 1 + (1 + 1 + 5 + 2 + 3) + 1);
        let back = TransactionMessage::from_base58(&m.to_base58()).unwrap();
        assert_eq!(back, m);
        let ixs = back.instructions().unwrap();
        // the vault is writable in the message (it is in both roles); flags of the others hold
        assert_eq!(ixs[0].accounts[0], AccountMeta::new(vault, true));
        assert_eq!(ixs[0].accounts[2], AccountMeta::new_readonly(s, true));
        assert_eq!(ixs[0].accounts[3], AccountMeta::new(a, false));
        assert_eq!(ixs[0].accounts[4], AccountMeta::new_readonly(b, false));
        assert_eq!((ixs[0].program_id, &ixs[0].data), (program, &ix.data));
    }

    #[test]
    fn refuses_truncated_and_lookup_table_messages() {
        let vault = Pubkey::new_unique();
        let m = TransactionMessage::compile(&vault, &[]).unwrap();
        let mut bytes = m.serialize();
        assert!(TransactionMessage::deserialize(&bytes[..bytes.len() - 1]).is_err());
        *bytes.last_mut().unwrap() = 1;
        assert_eq!(
            TransactionMessage::deserialize(&bytes),
            Err(SquadsError::LookupTables)
        );
    }
}
