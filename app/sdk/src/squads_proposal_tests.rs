//! The proposal's instructions read back with a decoder written from the Squads v4 IDL
//! (`sdk/multisig/idl/squads_multisig_program.json`: `vaultTransactionCreate`,
//! `proposalCreate`, `VaultTransactionCreateArgs`, `ProposalCreateArgs`, the `Multisig` and
//! `VaultTransaction` accounts), not with the module's own reader.

use super::*;
use crate::ix::{self, ChangeTarget};
use crate::snapshot::SnapshotChain;
use base64::Engine;
use greekhouse::state::GovValue;
use sha2::{Digest, Sha256};

fn sighash(preimage: &str) -> [u8; 8] {
    Sha256::digest(preimage.as_bytes())[..8].try_into().unwrap()
}

/// A cursor over Borsh bytes as the IDL types describe them.
struct Idl<'a>(&'a [u8]);

impl Idl<'_> {
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let (h, t) = self.0.split_at(n);
        self.0 = t;
        h.to_vec()
    }
    fn u8(&mut self) -> u8 {
        self.bytes(1)[0]
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.bytes(4).try_into().unwrap())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes(8).try_into().unwrap())
    }
    /// IDL `bytes`: u32 length, then the bytes.
    fn vec(&mut self) -> Vec<u8> {
        let n = self.u32() as usize;
        self.bytes(n)
    }
}

fn queue_change(clearinghouse: Pubkey, vault: Pubkey, id: u64) -> Instruction {
    let mut m = crate::fixtures::margin();
    m.maintenance.floor_bps -= 10;
    ix::queue_change(
        clearinghouse,
        vault,
        vault,
        id,
        ChangeTarget::underlying(Pubkey::new_unique()),
        GovValue::MarginParams(m),
    )
}

#[test]
fn discriminators_are_the_idl_names() {
    assert_eq!(
        VAULT_TRANSACTION_CREATE,
        sighash("global:vault_transaction_create")
    );
    assert_eq!(PROPOSAL_CREATE, sighash("global:proposal_create"));
    assert_eq!(MULTISIG_ACCOUNT, sighash("account:Multisig"));
    assert_eq!(
        VAULT_TRANSACTION_ACCOUNT,
        sighash("account:VaultTransaction")
    );
}

#[test]
fn proposal_instructions_decode_against_the_squads_idl() {
    let create_key = Pubkey::new_unique();
    let ms = multisig(&create_key);
    let (creator, payer) = (Pubkey::new_unique(), Pubkey::new_unique());
    let vault_key = vault(&ms, 1);
    let inner = queue_change(Pubkey::new_unique(), vault_key, 7);
    let p = propose(
        ms,
        1,
        5,
        creator,
        payer,
        std::slice::from_ref(&inner),
        Some("greekhouse".into()),
    )
    .unwrap();
    // the PDAs from the program's seeds
    let seeds_pda = |seeds: &[&[u8]]| Pubkey::find_program_address(seeds, &PROGRAM_ID).0;
    assert_eq!(
        ms,
        seeds_pda(&[b"multisig", b"multisig", create_key.as_ref()])
    );
    assert_eq!(
        p.vault,
        seeds_pda(&[b"multisig", ms.as_ref(), b"vault", &[1]])
    );
    let index = 5u64.to_le_bytes();
    assert_eq!(
        p.transaction,
        seeds_pda(&[b"multisig", ms.as_ref(), b"transaction", &index])
    );
    assert_eq!(
        p.proposal,
        seeds_pda(&[
            b"multisig",
            ms.as_ref(),
            b"transaction",
            &index,
            b"proposal"
        ])
    );

    // vaultTransactionCreate: multisig (mut), transaction (mut), creator (signer), rentPayer
    // (mut, signer), systemProgram; args VaultTransactionCreateArgs
    let [create, open] = &p.instructions;
    assert_eq!(create.program_id, PROGRAM_ID);
    let flags: Vec<_> = create
        .accounts
        .iter()
        .map(|a| (a.pubkey, a.is_writable, a.is_signer))
        .collect();
    assert_eq!(
        flags,
        vec![
            (ms, true, false),
            (p.transaction, true, false),
            (creator, false, true),
            (payer, true, true),
            (anchor_lang::system_program::ID, false, false),
        ]
    );
    let mut r = Idl(&create.data);
    assert_eq!(r.bytes(8), sighash("global:vault_transaction_create"));
    assert_eq!((r.u8(), r.u8()), (1, 0), "vault index, ephemeral signers");
    let message = r.vec();
    assert_eq!(r.u8(), 1, "memo is Some");
    assert_eq!(String::from_utf8(r.vec()).unwrap(), "greekhouse");
    assert!(r.0.is_empty());
    // the message (SmallVec lengths, the layout `squads::TransactionMessage` documents)
    // carries the queue_change with the vault as its signer
    let m = TransactionMessage::deserialize(&message).unwrap();
    assert_eq!(m.account_keys[0], vault_key);
    // (the vault is both payer and admin: writable for both in the message)
    let back = m.instructions().unwrap();
    let keys = |ix: &Instruction| -> Vec<(Pubkey, bool)> {
        ix.accounts
            .iter()
            .map(|a| (a.pubkey, a.is_signer))
            .collect()
    };
    assert_eq!(back.len(), 1);
    assert_eq!(
        (back[0].program_id, &back[0].data),
        (inner.program_id, &inner.data)
    );
    assert_eq!(keys(&back[0]), keys(&inner));

    // proposalCreate: multisig, proposal (mut), creator (signer), rentPayer (mut, signer),
    // systemProgram; args ProposalCreateArgs { transactionIndex u64, draft bool }
    let flags: Vec<_> = open
        .accounts
        .iter()
        .map(|a| (a.pubkey, a.is_writable, a.is_signer))
        .collect();
    assert_eq!(
        flags,
        vec![
            (ms, false, false),
            (p.proposal, true, false),
            (creator, false, true),
            (payer, true, true),
            (anchor_lang::system_program::ID, false, false),
        ]
    );
    let mut r = Idl(&open.data);
    assert_eq!(r.bytes(8), sighash("global:proposal_create"));
    assert_eq!((r.u64(), r.u8()), (5, 0));
    assert!(r.0.is_empty());
}

/// A `Multisig` account as the IDL lays it out (create_key, config_authority, threshold u16,
/// time_lock u32, transaction_index u64, stale_transaction_index u64, rent_collector
/// Option<Pubkey>, bump, members Vec<Member>).
fn multisig_account(transaction_index: u64, stale: u64) -> Vec<u8> {
    let mut d = sighash("account:Multisig").to_vec();
    d.extend_from_slice(&[9; 32]);
    d.extend_from_slice(&[0; 32]);
    d.extend_from_slice(&2u16.to_le_bytes());
    d.extend_from_slice(&0u32.to_le_bytes());
    d.extend_from_slice(&transaction_index.to_le_bytes());
    d.extend_from_slice(&stale.to_le_bytes());
    d.push(0);
    d.push(255);
    d.extend_from_slice(&0u32.to_le_bytes());
    d
}

/// A `VaultTransaction` as the IDL lays it out, its message with `Vec` (u32) lengths.
fn vault_transaction_account(ms: &Pubkey, index: u64, m: &TransactionMessage) -> Vec<u8> {
    let vec = |d: &mut Vec<u8>, n: usize| d.extend_from_slice(&(n as u32).to_le_bytes());
    let mut d = sighash("account:VaultTransaction").to_vec();
    d.extend_from_slice(ms.as_ref());
    d.extend_from_slice(&[3; 32]);
    d.extend_from_slice(&index.to_le_bytes());
    d.extend_from_slice(&[254, 0, 253]);
    vec(&mut d, 0);
    d.extend_from_slice(&[
        m.num_signers,
        m.num_writable_signers,
        m.num_writable_non_signers,
    ]);
    vec(&mut d, m.account_keys.len());
    for k in &m.account_keys {
        d.extend_from_slice(k.as_ref());
    }
    vec(&mut d, m.instructions.len());
    for ix in &m.instructions {
        d.push(ix.program_id_index);
        vec(&mut d, ix.account_indexes.len());
        d.extend_from_slice(&ix.account_indexes);
        vec(&mut d, ix.data.len());
        d.extend_from_slice(&ix.data);
    }
    vec(&mut d, 0);
    d
}

fn saved(key: &Pubkey, owner: &Pubkey, data: &[u8]) -> serde_json::Value {
    serde_json::json!({"pubkey": key.to_string(), "account": {
        "lamports": 1_000_000, "owner": owner.to_string(), "executable": false,
        "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"]}})
}

#[test]
fn pending_proposals_reserve_their_change_ids() {
    let ms = multisig(&Pubkey::new_unique());
    let vault_key = vault(&ms, 0);
    let clearinghouse = Pubkey::new_unique();
    // transaction 3 queues change 4; transaction 2 is stale; an executed change 5 exists
    let pending =
        TransactionMessage::compile(&vault_key, &[queue_change(clearinghouse, vault_key, 4)])
            .unwrap();
    let stale =
        TransactionMessage::compile(&vault_key, &[queue_change(clearinghouse, vault_key, 6)])
            .unwrap();
    let executed = crate::pda::param_change(&clearinghouse, 5);
    let json = serde_json::Value::Array(vec![
        saved(&ms, &PROGRAM_ID, &multisig_account(3, 2)),
        saved(
            &transaction(&ms, 3),
            &PROGRAM_ID,
            &vault_transaction_account(&ms, 3, &pending),
        ),
        saved(
            &transaction(&ms, 2),
            &PROGRAM_ID,
            &vault_transaction_account(&ms, 2, &stale),
        ),
        saved(&executed, &greekhouse::ID, &[0; 8]),
    ]);
    let mut chain = SnapshotChain::from_json(&json.to_string(), 0).unwrap();
    let state = read_multisig(&multisig_account(3, 2)).unwrap();
    assert_eq!(
        (state.transaction_index, state.stale_transaction_index),
        (3, 2)
    );
    let taken =
        pending_param_changes(&mut chain, &ms, &state, &greekhouse::ID, &clearinghouse).unwrap();
    assert_eq!(taken, vec![crate::pda::param_change(&clearinghouse, 4)]);
    // from change_count 4: 4 is pending, 5 exists, 6 is free (the stale one does not count)
    let id = crate::gov::free_change_id(&mut chain, &clearinghouse, 4, &taken).unwrap();
    assert_eq!(id, 6);
    // another clearing house's pending change reserves nothing here
    let other = Pubkey::new_unique();
    assert!(
        pending_param_changes(&mut chain, &ms, &state, &greekhouse::ID, &other)
            .unwrap()
            .is_empty()
    );
    // not a Multisig account
    assert!(read_multisig(&[0; 100]).is_err());
}
