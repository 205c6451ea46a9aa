//! The program's IDL on chain (Program Metadata, the canonical `"idl"` account; Anchor 1.x and
//! the explorers read it): `greekhouse idl fetch` reads it back, and
//! `greekhouse deploy --send` publishes it ([`publication`], [`publish`]) when the program's
//! upgrade authority signs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::program_metadata::{self as pm, Fields, PlannedTx, Publisher};
use greekhouse_sdk::Pubkey;
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;

#[derive(clap::Args, Debug)]
pub struct IdlArgs {
    #[command(subcommand)]
    pub command: IdlCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum IdlCommand {
    /// Read the program's IDL from its canonical Program Metadata account (seed "idl"),
    /// decompressed: the JSON document on stdout (or --out).
    Fetch(FetchArgs),
}

#[derive(clap::Args, Debug)]
pub struct FetchArgs {
    /// The node (`-u` monikers as the Solana CLI: devnet, localhost, ...).
    #[arg(long, short = 'u', value_name = "URL")]
    pub url: String,
    /// The program whose IDL to read (default: the id this CLI was compiled with).
    #[arg(long, value_name = "PUBKEY")]
    pub program_id: Option<String>,
    /// Write the IDL to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Print the account's header (address, authority, encoding, sizes) as JSON instead.
    #[arg(long)]
    pub info: bool,
}

pub fn run(args: IdlArgs) -> Result<ExitCode> {
    match args.command {
        IdlCommand::Fetch(a) => fetch(a),
    }
}

fn fetch(a: FetchArgs) -> Result<ExitCode> {
    let url = crate::account::cluster::resolve_url(&a.url);
    let program: Pubkey = match &a.program_id {
        Some(s) => s.parse().map_err(|e| anyhow!("--program-id {s}: {e}"))?,
        None => greekhouse::ID,
    };
    let mut chain = crate::node::read_only(&url)?;
    let address = pm::idl_address(&program);
    let account = chain.account(&address)?.with_context(|| {
        format!(
            "no IDL published for {program} on {url}: its canonical Program Metadata account \
             {address} (seed \"idl\") does not exist"
        )
    })?;
    if account.owner != pm::ID {
        bail!(
            "{address} is not a Program Metadata account (owner {})",
            account.owner
        );
    }
    let meta = pm::decode(&account.data).map_err(|e| anyhow!("{address}: {e}"))?;
    if meta.discriminator == pm::ACCOUNT_BUFFER {
        bail!(
            "{address} is still a buffer: a publication was interrupted; run the publishing \
             command (greekhouse deploy --send) again"
        );
    }
    if a.info {
        println!("{}", serde_json::to_string_pretty(&info(&address, &meta))?);
        return Ok(ExitCode::SUCCESS);
    }
    let content = meta.content().map_err(|e| anyhow!("{address}: {e}"))?;
    match &a.out {
        Some(p) => {
            std::fs::write(p, &content).with_context(|| format!("writing {}", p.display()))?
        }
        None => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(&content)?;
            if !content.ends_with(b"\n") {
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn info(address: &Pubkey, m: &pm::Metadata) -> Value {
    let f = m.fields.expect("a metadata account");
    json!({
        "address": address.to_string(),
        "program": m.program.map(|k| k.to_string()),
        "authority": m.authority.map(|k| k.to_string()),
        "canonical": m.canonical,
        "mutable": m.mutable,
        "seed": String::from_utf8_lossy(&m.seed).trim_end_matches('\0'),
        "encoding": format!("{:?}", f.encoding),
        "compression": format!("{:?}", f.compression),
        "format": format!("{:?}", f.format),
        "data_source": format!("{:?}", f.data_source),
        "data_bytes": m.data.len(),
        "content_bytes": m.content().ok().map(|c| c.len()),
    })
}

// used by `deploy` (feature `demo`)
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
/// What publishing the IDL takes on a node, as read from it.
pub enum Publication {
    /// Nothing can be done here (no metadata program, no upgrade authority, ...).
    Skipped(String),
    /// The on-chain IDL is this one.
    Done,
    /// The upgrade authority must sign, and the key given is not it.
    NeedsAuthority(Pubkey),
    /// The canonical account is immutable and holds another IDL.
    Immutable,
    /// Transactions to send (`kind`: create, resume, update).
    Send {
        kind: &'static str,
        txs: Vec<PlannedTx>,
        /// The fresh keypair buffer of an update.
        buffer: Option<Box<Keypair>>,
    },
}

// used by `deploy` (feature `demo`)
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
/// Read the node and decide how to publish `json` as `program`'s IDL, signed by `signer`
/// (the payer's key or `--upgrade-authority`) as its upgrade authority.
pub fn publication(
    chain: &mut dyn Chain,
    program: &Pubkey,
    json: &str,
    payer: Pubkey,
    signer: Pubkey,
) -> Result<Publication> {
    use Publication::*;
    match chain.account(&pm::ID)? {
        Some(a) if a.executable => {}
        _ => {
            return Ok(Skipped(format!(
                "the Program Metadata program ({}) is not deployed on this node",
                pm::ID
            )))
        }
    }
    let program_account = chain
        .account(program)?
        .with_context(|| format!("no program at {program}"))?;
    if program_account.owner != pm::LOADER_V3 {
        return Ok(Skipped(format!(
            "the program is owned by {}, not the upgradeable loader: it has no upgrade \
             authority to publish its canonical IDL",
            program_account.owner
        )));
    }
    let program_data = pm::program_data_of(&program_account.data)
        .context("the program account names no program-data account")?;
    let authority = match chain.account(&program_data)? {
        Some(a) => pm::upgrade_authority(&a.data),
        None => None,
    };
    let Some(authority) = authority else {
        return Ok(Skipped(
            "the program is immutable (no upgrade authority): its canonical IDL cannot be \
             published"
                .into(),
        ));
    };
    let packed = pm::pack_idl(json);
    let address = pm::idl_address(program);
    let seed = pm::seed(pm::IDL_SEED).expect("a short seed");
    let rent = anchor_lang::prelude::Rent::default();
    let p = Publisher {
        payer,
        authority,
        program: *program,
        program_data,
    };
    let existing = match chain.account(&address)? {
        Some(a) if a.owner == pm::ID && !a.data.is_empty() => Some(a),
        // not created (an address holding only lamports is funded again in full)
        Some(a) if a.owner == anchor_lang::system_program::ID => None,
        Some(a) => bail!(
            "{address}, the canonical IDL address, is owned by {}, not the Program Metadata \
             program",
            a.owner
        ),
        None => None,
    };
    let plan = match existing {
        None => Send {
            kind: "create",
            txs: pm::create_plan(&p, seed, Fields::IDL, &packed, &rent, None),
            buffer: None,
        },
        Some(a) => {
            let meta = pm::decode(&a.data).map_err(|e| anyhow!("{address}: {e}"))?;
            if meta.discriminator == pm::ACCOUNT_BUFFER {
                Send {
                    kind: "resume",
                    txs: pm::create_plan(
                        &p,
                        seed,
                        Fields::IDL,
                        &packed,
                        &rent,
                        Some((a.lamports, meta.data.len())),
                    ),
                    buffer: None,
                }
            } else if meta.content().ok().as_deref() == Some(json.as_bytes()) {
                return Ok(Done);
            } else if !meta.mutable {
                return Ok(Immutable);
            } else {
                let buffer = Keypair::new();
                Send {
                    kind: "update",
                    txs: pm::update_plan(
                        &p,
                        address,
                        a.lamports,
                        a.data.len(),
                        Fields::IDL,
                        &packed,
                        &rent,
                        buffer.pubkey(),
                    ),
                    buffer: Some(Box::new(buffer)),
                }
            }
        }
    };
    // the upgrade authority signs every step (a canonical account accepts it always)
    if signer != authority {
        return Ok(NeedsAuthority(authority));
    }
    Ok(plan)
}

// used by `deploy` (feature `demo`)
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
/// The `--plan` entry of the IDL: where it goes, who signs, how many transactions a first
/// publication takes.
pub fn plan_json(program: &Pubkey, json: &str) -> Value {
    let packed = pm::pack_idl(json);
    let p = Publisher {
        payer: Pubkey::default(),
        authority: Pubkey::default(),
        program: *program,
        program_data: pm::program_data_address(program),
    };
    let txs = pm::create_plan(
        &p,
        pm::seed(pm::IDL_SEED).expect("a short seed"),
        Fields::IDL,
        &packed,
        &anchor_lang::prelude::Rent::default(),
        None,
    );
    json!({
        "what": "publish the IDL: the program's canonical Program Metadata account (seed \"idl\"; UTF-8 JSON, zlib), created or updated when it differs",
        "signer": "the program's upgrade authority",
        "metadata_program": pm::ID.to_string(),
        "address": pm::idl_address(program).to_string(),
        "idl_bytes": json.len(),
        "compressed_bytes": packed.len(),
        "transactions": txs.iter().map(|t| t.what.clone()).collect::<Vec<_>>(),
    })
}

// used by `deploy` (feature `demo`)
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
/// Send a publication's transactions, signed by the payer, `authority` (when it is not the
/// payer) and the update's buffer.
pub fn publish(
    chain: &mut dyn Chain,
    txs: &[PlannedTx],
    authority: Option<&Keypair>,
    buffer: Option<&Keypair>,
) -> Result<usize> {
    for (i, tx) in txs.iter().enumerate() {
        let mut signers: Vec<&Keypair> = authority.into_iter().collect();
        if tx.buffer_signer {
            signers.push(buffer.context("the update's buffer key")?);
        }
        chain.send(&tx.instructions, &signers).map_err(|e| {
            anyhow!(
                "publishing the IDL, transaction {} of {} ({}): {e}; run the command again to \
                 continue",
                i + 1,
                txs.len(),
                tx.what
            )
        })?;
    }
    Ok(txs.len())
}

#[cfg(test)]
mod tests {
    //! How `deploy --send` decides on the IDL, from the accounts a node holds.

    use std::collections::HashMap;

    use greekhouse_sdk::chain::{ChainError, TxOutcome};
    use greekhouse_sdk::Instruction;
    use solana_account::Account;

    use super::*;

    /// A node of fixed accounts (nothing is sent).
    #[derive(Default)]
    struct Node(HashMap<Pubkey, Account>);

    impl Chain for Node {
        fn payer(&self) -> Pubkey {
            Pubkey::default()
        }
        fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
            Ok(self.0.get(key).cloned())
        }
        fn send(&mut self, _: &[Instruction], _: &[&Keypair]) -> Result<TxOutcome, ChainError> {
            unreachable!("deciding sends nothing")
        }
        fn unix_timestamp(&mut self) -> Result<i64, ChainError> {
            Ok(0)
        }
        fn program_accounts(&mut self, _: &[u8]) -> Result<Vec<(Pubkey, Account)>, ChainError> {
            Ok(vec![])
        }
    }

    fn account(owner: Pubkey, data: Vec<u8>, executable: bool) -> Account {
        Account {
            lamports: 1_000_000_000,
            data,
            owner,
            executable,
            rent_epoch: 0,
        }
    }

    /// A node with the metadata program and Greekhouse deployed by loader v3 under `authority`.
    fn node(authority: Option<Pubkey>) -> Node {
        let mut n = Node::default();
        let program = greekhouse::ID;
        let program_data = pm::program_data_address(&program);
        n.0.insert(pm::ID, account(pm::LOADER_V3, vec![], true));
        let mut p = 2u32.to_le_bytes().to_vec();
        p.extend(program_data.to_bytes());
        n.0.insert(program, account(pm::LOADER_V3, p, true));
        let mut d = 3u32.to_le_bytes().to_vec();
        d.extend(7u64.to_le_bytes());
        match authority {
            Some(a) => {
                d.push(1);
                d.extend(a.to_bytes());
            }
            None => d.extend([0u8; 33]),
        }
        n.0.insert(program_data, account(pm::LOADER_V3, d, false));
        n
    }

    fn metadata(json: &str, mutable: bool) -> Vec<u8> {
        let packed = pm::pack_idl(json);
        let mut b = vec![pm::ACCOUNT_METADATA];
        b.extend(greekhouse::ID.to_bytes());
        b.extend([0u8; 32]);
        b.extend([mutable as u8, 1]);
        b.extend(pm::seed(pm::IDL_SEED).unwrap());
        b.extend([1, 2, 1, 0]);
        b.extend((packed.len() as u32).to_le_bytes());
        b.extend([0u8; 5]);
        b.extend(packed);
        b
    }

    fn decide(n: &mut Node, json: &str, signer: Pubkey) -> Publication {
        publication(n, &greekhouse::ID, json, signer, signer).unwrap()
    }

    #[test]
    fn the_idl_step_follows_what_the_node_holds() {
        let json = pm::greekhouse_idl(&greekhouse::ID);
        let authority = Pubkey::new_unique();
        let someone = Pubkey::new_unique();

        // no metadata program (the local validator)
        let mut n = node(Some(authority));
        n.0.remove(&pm::ID);
        assert!(matches!(decide(&mut n, &json, authority),
            Publication::Skipped(r) if r.contains("Program Metadata program")));
        // a program not under loader v3, or immutable
        let mut n = node(Some(authority));
        n.0.get_mut(&greekhouse::ID).unwrap().owner =
            anchor_lang::pubkey!("BPFLoader2111111111111111111111111111111111");
        assert!(matches!(decide(&mut n, &json, authority),
            Publication::Skipped(r) if r.contains("upgradeable loader")));
        assert!(matches!(decide(&mut node(None), &json, authority),
            Publication::Skipped(r) if r.contains("immutable")));

        // nothing published: created by the upgrade authority only
        let mut n = node(Some(authority));
        assert!(matches!(decide(&mut n, &json, someone),
            Publication::NeedsAuthority(a) if a == authority));
        let Publication::Send { kind, txs, buffer } = decide(&mut n, &json, authority) else {
            panic!("a publication")
        };
        assert_eq!(kind, "create");
        assert!(buffer.is_none());
        assert_eq!(
            txs.len(),
            2 + pm::pack_idl(&json).len().div_ceil(pm::WRITE_CHUNK)
        );
        // every transaction names the upgrade authority as its signer
        assert!(txs
            .iter()
            .flat_map(|t| &t.instructions)
            .filter(|i| i.program_id == pm::ID)
            .all(|i| i.accounts[1].pubkey == authority && i.accounts[1].is_signer));

        // the same IDL: done, whoever runs it
        let address = pm::idl_address(&greekhouse::ID);
        n.0.insert(address, account(pm::ID, metadata(&json, true), false));
        assert!(matches!(decide(&mut n, &json, someone), Publication::Done));
        // another IDL: updated through a fresh buffer, or refused when immutable
        n.0.insert(address, account(pm::ID, metadata("{}", true), false));
        let Publication::Send { kind, txs, buffer } = decide(&mut n, &json, authority) else {
            panic!("an update")
        };
        assert_eq!(kind, "update");
        assert!(txs[0].buffer_signer);
        assert_eq!(
            txs[0].instructions[0].accounts[1].pubkey,
            buffer.unwrap().pubkey()
        );
        n.0.insert(address, account(pm::ID, metadata("{}", false), false));
        assert!(matches!(
            decide(&mut n, &json, authority),
            Publication::Immutable
        ));
        // a buffer an interrupted run left: resumed without allocating again
        let mut b = vec![pm::ACCOUNT_BUFFER];
        b.extend(greekhouse::ID.to_bytes());
        b.extend(authority.to_bytes());
        b.push(1);
        b.extend(pm::seed(pm::IDL_SEED).unwrap());
        b.extend([0u8; 14]);
        b.extend([0u8; 100]);
        n.0.insert(address, account(pm::ID, b, false));
        let Publication::Send { kind, txs, .. } = decide(&mut n, &json, authority) else {
            panic!("a resumption")
        };
        assert_eq!(kind, "resume");
        assert!(txs
            .iter()
            .flat_map(|t| &t.instructions)
            .all(|i| i.program_id != pm::ID || i.data[0] != pm::tag::ALLOCATE));
        // an account of another owner at the address is an error, not overwritten
        n.0.insert(address, account(greekhouse::ID, vec![1], false));
        assert!(publication(&mut n, &greekhouse::ID, &json, authority, authority).is_err());
    }
}
