//! The transactions that publish the IDL ([`create_plan`]) or replace it ([`update_plan`]), each
//! small enough for one transaction, from the builders of `program_metadata.rs`.

use super::*;

/// One transaction of a publishing plan, signed by the payer and the upgrade authority.
pub struct PlannedTx {
    pub what: String,
    pub instructions: Vec<Instruction>,
    /// The fresh keypair buffer of [`update_plan`] signs this one too (its creation).
    pub buffer_signer: bool,
}

/// Who publishes: the fee payer (also funding the accounts) and the program's upgrade
/// authority (the two may be one key).
#[derive(Clone, Copy, Debug)]
pub struct Publisher {
    pub payer: Pubkey,
    pub authority: Pubkey,
    pub program: Pubkey,
    /// The program's program-data account (loader v3).
    pub program_data: Pubkey,
}

impl Publisher {
    fn programs(&self) -> ProgramAccounts {
        ProgramAccounts {
            program: Some(self.program),
            program_data: Some(self.program_data),
        }
    }
}

fn write_txs(buffer: Pubkey, authority: Pubkey, packed: &[u8]) -> Vec<PlannedTx> {
    packed
        .chunks(WRITE_CHUNK)
        .enumerate()
        .map(|(i, chunk)| {
            let offset = i * WRITE_CHUNK;
            PlannedTx {
                what: format!("write bytes {offset}..{}", offset + chunk.len()),
                instructions: vec![write(buffer, authority, offset as u32, chunk)],
                buffer_signer: false,
            }
        })
        .collect()
}

/// Create the canonical metadata account for `seed` holding `packed`: fund it, allocate it
/// as a canonical buffer at its own address, write the data in chunks, initialize it.
/// `existing` is the account at that address when a previous run left a buffer there
/// (`(lamports, data length after the header)`): it is topped up and rewritten, not
/// allocated again (or closed first when longer than `packed`).
pub fn create_plan(
    p: &Publisher,
    seed: [u8; SEED_LEN],
    fields: Fields,
    packed: &[u8],
    rent: &Rent,
    existing: Option<(u64, usize)>,
) -> Vec<PlannedTx> {
    let (metadata, _) = canonical_address(&p.program, &seed);
    let mut txs = Vec::new();
    // a leftover buffer longer than the data would keep its tail (`initialize` takes the
    // whole buffer): close it and start again
    let existing = match existing {
        Some((_, len)) if len > packed.len() => {
            txs.push(PlannedTx {
                what: "close the longer buffer a previous run left".into(),
                instructions: vec![close(metadata, p.authority, p.programs(), p.payer)],
                buffer_signer: false,
            });
            None
        }
        e => e,
    };
    let need = rent.minimum_balance(HEADER_LEN + packed.len());
    let have = existing.map_or(0, |e| e.0);
    let mut first = Vec::new();
    if need > have {
        first.push(transfer(p.payer, metadata, need - have));
    }
    if existing.is_none() {
        first.push(allocate(metadata, p.authority, p.programs(), Some(seed)));
    }
    if !first.is_empty() {
        txs.push(PlannedTx {
            what: "fund and allocate the canonical buffer".into(),
            instructions: first,
            buffer_signer: false,
        });
    }
    txs.extend(write_txs(metadata, p.authority, packed));
    txs.push(PlannedTx {
        what: "initialize the metadata account from the buffer".into(),
        instructions: vec![initialize(
            metadata,
            p.authority,
            p.program,
            Some(p.program_data),
            seed,
            fields,
            None,
        )],
        buffer_signer: false,
    });
    txs
}

/// Replace the data of the existing metadata account `current` (`lamports`, its account
/// size `current_size`) with `packed`: a fresh keypair `buffer` is created, handed to the
/// upgrade authority and written; then, in one transaction, the metadata account is funded
/// and extended as needed, takes the buffer's data, the buffer is closed and the account
/// trimmed.
#[allow(clippy::too_many_arguments)]
pub fn update_plan(
    p: &Publisher,
    metadata: Pubkey,
    lamports: u64,
    current_size: usize,
    fields: Fields,
    packed: &[u8],
    rent: &Rent,
    buffer: Pubkey,
) -> Vec<PlannedTx> {
    let size = HEADER_LEN + packed.len();
    let mut txs = vec![PlannedTx {
        what: "create a buffer and hand it to the upgrade authority".into(),
        instructions: vec![
            create_account(p.payer, buffer, rent.minimum_balance(size), size as u64),
            allocate(buffer, buffer, ProgramAccounts::NONE, None),
            set_authority(buffer, buffer, ProgramAccounts::NONE, Some(p.authority)),
        ],
        buffer_signer: true,
    }];
    txs.extend(write_txs(buffer, p.authority, packed));
    let mut last = Vec::new();
    let need = rent.minimum_balance(size.max(current_size));
    if need > lamports {
        last.push(transfer(p.payer, metadata, need - lamports));
    }
    let mut grow = size.saturating_sub(current_size);
    // `set_data` may itself grow the account by up to the limit; beyond it, extend first
    while grow > REALLOC_LIMIT {
        let step = (grow - REALLOC_LIMIT).min(REALLOC_LIMIT);
        last.push(extend(metadata, p.authority, p.programs(), step as u16));
        grow -= step;
    }
    last.push(set_data(
        metadata,
        p.authority,
        p.programs(),
        fields,
        NewData::Buffer(buffer),
    ));
    last.push(close(buffer, p.authority, ProgramAccounts::NONE, p.payer));
    if size < current_size {
        last.push(trim(metadata, p.authority, p.programs(), p.payer));
    }
    txs.push(PlannedTx {
        what: "set the metadata account's data from the buffer, close the buffer".into(),
        instructions: last,
        buffer_signer: false,
    });
    txs
}
