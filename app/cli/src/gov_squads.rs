//! `gov propose --squads MULTISIG`: the whole Squads v4 proposal of a change — the
//! `vault_transaction_create` and `proposal_create` instructions a member sends — with the
//! multisig's next transaction index and the change ids its pending proposals already use read
//! from the node (`--url`), or given (`--transaction-index`, `--change-id`) for saved accounts.

use std::str::FromStr;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::squads_proposal::{self as squads, MultisigState};
use greekhouse_sdk::{Instruction, Pubkey};
use serde_json::{json, Value};

use crate::gov::instruction_json;

#[derive(Args, Debug, Default)]
pub struct SquadsArgs {
    /// The admin's Squads v4 multisig: print the whole proposal (`vault_transaction_create` and
    /// `proposal_create`) instead of the message alone.
    #[arg(long, value_name = "MULTISIG", conflicts_with = "send")]
    pub squads: Option<String>,
    /// The multisig's vault that is the clearing house's admin.
    #[arg(long, default_value_t = 0, requires = "squads")]
    pub vault_index: u8,
    /// The new transaction's index (the multisig's last + 1; read from the node with --url).
    #[arg(long, requires = "squads")]
    pub transaction_index: Option<u64>,
    /// The member creating the proposal (Initiate permission; it also pays the rent).
    #[arg(long, value_name = "PUBKEY", requires = "squads")]
    pub creator: Option<String>,
    /// A memo stored with the vault transaction.
    #[arg(long, requires = "squads")]
    pub memo: Option<String>,
}

/// The multisig named by `--squads`, its state when the chain holds it, and the
/// `ParamChange` addresses its pending transactions queue for `clearinghouse`.
pub struct Multisig {
    pub key: Pubkey,
    pub state: Option<MultisigState>,
    pub taken: Vec<Pubkey>,
}

pub fn read_multisig<C: Chain + ?Sized>(
    args: &SquadsArgs,
    chain: &mut C,
    clearinghouse: &Pubkey,
) -> Result<Option<Multisig>> {
    let Some(text) = &args.squads else {
        return Ok(None);
    };
    let key = Pubkey::from_str(text).map_err(|e| anyhow!("--squads: {e}"))?;
    let state = match chain.account(&key)? {
        Some(a) if a.owner == squads::PROGRAM_ID => {
            Some(squads::read_multisig(&a.data).map_err(|e| anyhow!("--squads {key}: {e}"))?)
        }
        Some(a) => bail!(
            "--squads {key} is owned by {}, not the Squads v4 program {}",
            a.owner,
            squads::PROGRAM_ID
        ),
        None => None,
    };
    let taken = match &state {
        Some(s) => squads::pending_param_changes(
            chain,
            &key,
            s,
            &greekhouse_sdk::PROGRAM_ID,
            clearinghouse,
        )
        .map_err(|e| anyhow!("reading the pending transactions of {key}: {e}"))?,
        None => Vec::new(),
    };
    Ok(Some(Multisig { key, state, taken }))
}

/// The proposal of `instructions` as JSON (the addresses, both instructions, the message).
pub fn proposal_json(
    args: &SquadsArgs,
    multisig: &Multisig,
    admin: &Pubkey,
    instructions: &[Instruction],
) -> Result<Value> {
    let transaction_index = match (args.transaction_index, &multisig.state) {
        (Some(i), _) => i,
        (None, Some(s)) => s.transaction_index + 1,
        (None, None) => bail!(
            "the multisig {} is not in the accounts: give --transaction-index (its last \
             transaction's index + 1)",
            multisig.key
        ),
    };
    let creator = args
        .creator
        .as_deref()
        .context("--squads needs --creator (a member with the Initiate permission)")?;
    let creator = Pubkey::from_str(creator).map_err(|e| anyhow!("--creator: {e}"))?;
    let p = squads::propose(
        multisig.key,
        args.vault_index,
        transaction_index,
        creator,
        creator,
        instructions,
        args.memo.clone(),
    )
    .map_err(|e| anyhow!("{e}"))?;
    if p.vault != *admin {
        bail!(
            "vault {} of multisig {} is {}, not the clearing house's admin {admin}: check \
             --squads and --vault-index",
            args.vault_index,
            multisig.key,
            p.vault
        );
    }
    Ok(json!({
        "program": squads::PROGRAM_ID.to_string(),
        "multisig": multisig.key.to_string(),
        "vault_index": args.vault_index,
        "vault": p.vault.to_string(),
        "transaction_index": transaction_index,
        "transaction": p.transaction.to_string(),
        "proposal": p.proposal.to_string(),
        "creator": creator.to_string(),
        "threshold": multisig.state.map(|s| s.threshold),
        "pending_change_addresses": multisig.taken.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "transaction_message_base58": p.message.to_base58(),
        "instructions": p.instructions.iter().map(instruction_json).collect::<Vec<_>>(),
    }))
}

/// The proposal as text: what to sign and send, and what the members do next.
pub fn proposal_text(v: &Value) -> String {
    let mut s = format!(
        "\nSquads v4 proposal: multisig {} vault #{} ({}), transaction #{}\n  transaction {}\n  \
         proposal    {}\nsend these two instructions in one transaction signed by the member {} \
         (then the members approve and execute it in Squads):\n",
        v["multisig"].as_str().unwrap_or(""),
        v["vault_index"],
        v["vault"].as_str().unwrap_or(""),
        v["transaction_index"],
        v["transaction"].as_str().unwrap_or(""),
        v["proposal"].as_str().unwrap_or(""),
        v["creator"].as_str().unwrap_or(""),
    );
    for (name, ix) in ["vault_transaction_create", "proposal_create"]
        .iter()
        .zip(v["instructions"].as_array().into_iter().flatten())
    {
        s += &format!(
            "{name}:\n{}\n",
            serde_json::to_string_pretty(ix).unwrap_or_default()
        );
    }
    s
}
