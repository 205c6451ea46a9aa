//! A whole Squads v4 proposal: the `vault_transaction_create` and `proposal_create` instructions
//! a multisig member sends (the members then approve and execute in Squads), the program's
//! addresses (multisig, vault, transaction, proposal), and the two accounts this needs to read:
//! the `Multisig` (its transaction index) and existing `VaultTransaction`s (which governance
//! change ids pending proposals already use).
//!
//! Layouts (Squads v4, `programs/squads_multisig_program`, Anchor 0.29, Borsh):
//! - seeds: `["multisig", "multisig", create_key]` (multisig), `["multisig", multisig, "vault",
//!   vault_index u8]`, `["multisig", multisig, "transaction", index u64 LE]`, and that followed
//!   by `"proposal"`;
//! - `vault_transaction_create(args: VaultTransactionCreateArgs { vault_index u8,
//!   ephemeral_signers u8, transaction_message bytes, memo Option<String> })`, accounts
//!   multisig (w), transaction (w), creator (s), rent_payer (w, s), system program;
//! - `proposal_create(args: ProposalCreateArgs { transaction_index u64, draft bool })`, accounts
//!   multisig, proposal (w), creator (s), rent_payer (w, s), system program;
//! - `Multisig`: discriminator, create_key, config_authority, threshold u16, time_lock u32,
//!   transaction_index u64, stale_transaction_index u64, ...;
//! - `VaultTransaction`: discriminator, multisig, creator, index u64, bump, vault_index,
//!   vault_bump, ephemeral_signer_bumps Vec<u8>, then the message with `Vec` (u32) lengths.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};

use crate::squads::{SquadsError, TransactionMessage};

/// The Squads v4 program (mainnet and devnet).
pub const PROGRAM_ID: Pubkey = anchor_lang::pubkey!("SQDS4ep65T869zMMBKyuUq6aD6EgTu8psMjkvj52pCf");

const PREFIX: &[u8] = b"multisig";

/// Anchor discriminators: the first 8 bytes of sha256 of `global:<instruction>` and
/// `account:<Account>` (checked from the names by the tests).
pub const VAULT_TRANSACTION_CREATE: [u8; 8] = [48, 250, 78, 168, 208, 226, 218, 211];
pub const PROPOSAL_CREATE: [u8; 8] = [220, 60, 73, 224, 30, 108, 79, 159];
pub const MULTISIG_ACCOUNT: [u8; 8] = [224, 116, 121, 186, 68, 161, 79, 236];
pub const VAULT_TRANSACTION_ACCOUNT: [u8; 8] = [168, 250, 162, 100, 81, 14, 162, 207];

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &PROGRAM_ID).0
}

/// The multisig created with `create_key`.
pub fn multisig(create_key: &Pubkey) -> Pubkey {
    find(&[PREFIX, b"multisig", create_key.as_ref()])
}

/// Vault `index` of `multisig` (the key that signs the executed instructions).
pub fn vault(multisig: &Pubkey, index: u8) -> Pubkey {
    find(&[PREFIX, multisig.as_ref(), b"vault", &[index]])
}

/// The transaction account at `index` of `multisig`.
pub fn transaction(multisig: &Pubkey, index: u64) -> Pubkey {
    find(&[
        PREFIX,
        multisig.as_ref(),
        b"transaction",
        &index.to_le_bytes(),
    ])
}

/// The proposal of the transaction at `index`.
pub fn proposal(multisig: &Pubkey, index: u64) -> Pubkey {
    find(&[
        PREFIX,
        multisig.as_ref(),
        b"transaction",
        &index.to_le_bytes(),
        b"proposal",
    ])
}

/// What a proposal needs of a `Multisig` account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultisigState {
    pub threshold: u16,
    pub time_lock: u32,
    /// The last transaction's index (0: none yet); the next one is this + 1.
    pub transaction_index: u64,
    pub stale_transaction_index: u64,
}

/// Read a `Multisig` account's data.
pub fn read_multisig(data: &[u8]) -> Result<MultisigState, SquadsError> {
    if data.len() < 8 + 32 + 32 + 2 + 4 + 8 + 8 || data[..8] != MULTISIG_ACCOUNT {
        return Err(SquadsError::Malformed);
    }
    let at = |o: usize, n: usize| &data[o..o + n];
    Ok(MultisigState {
        threshold: u16::from_le_bytes(at(72, 2).try_into().unwrap()),
        time_lock: u32::from_le_bytes(at(74, 4).try_into().unwrap()),
        transaction_index: u64::from_le_bytes(at(78, 8).try_into().unwrap()),
        stale_transaction_index: u64::from_le_bytes(at(86, 8).try_into().unwrap()),
    })
}

/// The two instructions of a proposal, with the addresses they create.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub multisig: Pubkey,
    pub vault: Pubkey,
    pub vault_index: u8,
    pub transaction_index: u64,
    pub transaction: Pubkey,
    pub proposal: Pubkey,
    pub message: TransactionMessage,
    /// `vault_transaction_create`, then `proposal_create` (one transaction, signed by the
    /// creator, a member with the Initiate permission, and the rent payer).
    pub instructions: [Instruction; 2],
}

/// Propose `instructions` (signed by vault `vault_index`) as transaction `transaction_index`
/// of `multisig` (the multisig's `transaction_index` + 1, or the creation fails).
pub fn propose(
    multisig: Pubkey,
    vault_index: u8,
    transaction_index: u64,
    creator: Pubkey,
    rent_payer: Pubkey,
    instructions: &[Instruction],
    memo: Option<String>,
) -> Result<Proposal, SquadsError> {
    let vault = vault(&multisig, vault_index);
    let message = TransactionMessage::compile(&vault, instructions)?;
    let transaction = transaction(&multisig, transaction_index);
    let proposal = proposal(&multisig, transaction_index);
    let bytes = message.serialize();
    let mut create = VAULT_TRANSACTION_CREATE.to_vec();
    create.push(vault_index);
    create.push(0); // no ephemeral signers
    create.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    create.extend_from_slice(&bytes);
    match &memo {
        None => create.push(0),
        Some(m) => {
            create.push(1);
            create.extend_from_slice(&(m.len() as u32).to_le_bytes());
            create.extend_from_slice(m.as_bytes());
        }
    }
    let mut open = PROPOSAL_CREATE.to_vec();
    open.extend_from_slice(&transaction_index.to_le_bytes());
    open.push(0); // not a draft: members can vote at once
    let system = anchor_lang::system_program::ID;
    let signers = |created: Pubkey, multisig_writable: bool| {
        let mut metas = vec![
            if multisig_writable {
                AccountMeta::new(multisig, false)
            } else {
                AccountMeta::new_readonly(multisig, false)
            },
            AccountMeta::new(created, false),
            AccountMeta::new_readonly(creator, true),
            AccountMeta::new(rent_payer, true),
            AccountMeta::new_readonly(system, false),
        ];
        if creator == rent_payer {
            metas[2].is_writable = false;
        }
        metas
    };
    Ok(Proposal {
        multisig,
        vault,
        vault_index,
        transaction_index,
        transaction,
        proposal,
        message,
        instructions: [
            Instruction {
                program_id: PROGRAM_ID,
                accounts: signers(transaction, true),
                data: create,
            },
            Instruction {
                program_id: PROGRAM_ID,
                accounts: signers(proposal, false),
                data: open,
            },
        ],
    })
}

/// The instructions a stored `VaultTransaction` will execute (its index and the instructions
/// with their keys resolved; lookup tables are refused).
pub fn read_vault_transaction(data: &[u8]) -> Result<(u64, Vec<Instruction>), SquadsError> {
    let mut r = Borsh(data);
    if r.take(8)? != VAULT_TRANSACTION_ACCOUNT {
        return Err(SquadsError::Malformed);
    }
    r.take(64)?; // multisig, creator
    let index = u64::from_le_bytes(r.take(8)?.try_into().unwrap());
    r.take(3)?; // bump, vault_index, vault_bump
    let n = r.len()?;
    r.take(n)?; // ephemeral signer bumps
    let header = r.take(3)?;
    let mut keys = Vec::new();
    for _ in 0..r.len()? {
        keys.push(Pubkey::new_from_array(r.take(32)?.try_into().unwrap()));
    }
    let mut compiled = Vec::new();
    for _ in 0..r.len()? {
        let program_id_index = r.take(1)?[0];
        let n = r.len()?;
        let account_indexes = r.take(n)?.to_vec();
        let n = r.len()?;
        let data = r.take(n)?.to_vec();
        compiled.push(crate::squads::CompiledInstruction {
            program_id_index,
            account_indexes,
            data,
        });
    }
    if r.len()? != 0 {
        return Err(SquadsError::LookupTables);
    }
    let message = TransactionMessage {
        num_signers: header[0],
        num_writable_signers: header[1],
        num_writable_non_signers: header[2],
        account_keys: keys,
        instructions: compiled,
    };
    Ok((index, message.instructions()?))
}

/// How far back [`pending_param_changes`] looks: transactions older than this many are taken
/// as decided (approved long ago or abandoned).
pub const PENDING_WINDOW: u64 = 64;

/// The `ParamChange` addresses that the not yet stale transactions of `multisig` (at most
/// [`PENDING_WINDOW`] back) would create with `queue_change` on `program` for `clearinghouse`:
/// a new proposal's change id must avoid them, as they may execute after it.
pub fn pending_param_changes<C: crate::chain::Chain + ?Sized>(
    chain: &mut C,
    multisig: &Pubkey,
    state: &MultisigState,
    program: &Pubkey,
    clearinghouse: &Pubkey,
) -> Result<Vec<Pubkey>, String> {
    let first = state
        .stale_transaction_index
        .max(state.transaction_index.saturating_sub(PENDING_WINDOW))
        + 1;
    let keys: Vec<Pubkey> = (first..=state.transaction_index)
        .map(|i| transaction(multisig, i))
        .collect();
    use anchor_lang::Discriminator;
    let queue_change = greekhouse::instruction::QueueChange::DISCRIMINATOR;
    let mut taken = Vec::new();
    for account in chain
        .accounts(&keys)
        .map_err(|e| e.to_string())?
        .into_iter()
        .flatten()
    {
        // a config transaction, or a message this reader cannot resolve, queues nothing of ours
        let Ok((_, instructions)) = read_vault_transaction(&account.data) else {
            continue;
        };
        for ix in instructions {
            // accounts: payer, admin, clearinghouse, 3 optional targets, param_change, ...
            if ix.program_id == *program
                && ix.data.starts_with(queue_change)
                && ix.accounts.get(2).map(|a| a.pubkey) == Some(*clearinghouse)
            {
                if let Some(pc) = ix.accounts.get(6) {
                    taken.push(pc.pubkey);
                }
            }
        }
    }
    Ok(taken)
}

/// A Borsh reader for `Vec` (u32 length) fields.
struct Borsh<'a>(&'a [u8]);

impl<'a> Borsh<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SquadsError> {
        if self.0.len() < n {
            return Err(SquadsError::Malformed);
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn len(&mut self) -> Result<usize, SquadsError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()) as usize)
    }
}

#[cfg(test)]
#[path = "squads_proposal_tests.rs"]
mod tests;
