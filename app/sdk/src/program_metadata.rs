//! The program's IDL on chain through the Solana Foundation's Program Metadata program
//! (`ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S`). Anchor 1.x removed the legacy IDL
//! instructions from programs; its `anchor idl` commands and the explorers read the
//! program's *canonical* `"idl"` metadata account instead: a PDA of the metadata program with
//! seeds `[program, "idl" zero-padded to 16 bytes]`, created and updated only by the program's
//! upgrade authority.
//!
//! What this module holds, written from the program's source (github.com/solana-program/
//! program-metadata at commit `75ea1f14cecb00b57aff4287dbfda022e03d4865`: `program/src/
//! instruction.rs`, `entrypoint.rs`, `state/{mod,header,buffer}.rs`, `processor/*.rs`):
//!
//! - the canonical address of a seed ([`canonical_address`], [`idl_address`]);
//! - one builder per instruction used here (`allocate`, `write`, `initialize`, `set_data`,
//!   `set_authority`, `extend`, `trim`, `close`): instruction data is one discriminator byte
//!   (the instruction's index in `ProgramMetadataInstruction`) followed by the fields in
//!   order, little-endian; an optional account that is absent is the metadata program's own
//!   id in its slot (what the processors test for);
//! - the account layout: a 96-byte header (discriminator 1, program 32, authority 32 (all zero
//!   = none), mutable 1, canonical 1, seed 16, encoding 1, compression 1, format 1, data
//!   source 1, data length u32, padding 5) then the data; a buffer shares the first bytes
//!   (discriminator 1 = buffer, program, authority, canonical, seed) and its data also starts
//!   at byte 96 ([`decode`]);
//! - the IDL packed as the program's clients pack a JSON file (UTF-8, zlib, JSON, data
//!   stored in the account) and read back ([`pack_idl`], [`Metadata::content`]; other
//!   encodings are rendered as the official client renders them, [`unpack`]);
//! - the transactions that publish it ([`create_plan`]) or replace it ([`update_plan`]),
//!   each small enough for one transaction ([`WRITE_CHUNK`] bytes of data per `write`).
//!
//! Written here rather than taken from the program's Rust client: `spl-program-metadata-client`
//! is not published on crates.io (the registry has no crate of that name), and its sources pin
//! `solana-sdk` 2.x next to 3.x crates.
//!
//! Checked against the official JavaScript client's builders byte for byte
//! (`@solana-program/program-metadata` 0.7.0, Codama-generated from the program; pinned in
//! `tests/ts`): every builder here (both cases of each optional account), the system
//! instructions and every instruction of the plans (parsed and rebuilt by the client), the
//! canonical and program-data addresses, buffer and metadata account bodies (decoded by the
//! client to the fields [`decode`] reads and re-encoded to the same bytes; bodies the client
//! encodes decoded here), and the packing ([`pack_idl`]'s output unpacked by the client's
//! `unpackDirectData` to the same JSON; the client's packing of every encoding and compression
//! unpacked here to its content): `program_metadata_golden.rs` writes the fixture
//! `tests/ts/fixtures/program-metadata.json` and runs `tests/ts/program-metadata.mjs` on it.
//! The one form the client cannot build, [`NewData::Keep`], is checked against the program's
//! source only. Not executed against the program itself, whose binary no reachable registry
//! distributes (the npm package holds the JavaScript client and CLI only; the local validator
//! does not load it), see docs/cli.md, `deploy --send`.
//!
//! Who reads it: Anchor 1.x's `anchor idl fetch` (the canonical `"idl"` account), and the Solana
//! explorer, which the program's README says reads canonical metadata accounts (Codama IDLs
//! today, Anchor IDLs announced). That Squads' interface decodes `queue_change` from this
//! account is the expectation, not something checked here.

use std::io::{Read, Write as _};

use anchor_lang::prelude::{Pubkey, Rent};
use anchor_lang::solana_program::instruction::AccountMeta;
use anchor_lang::solana_program::instruction::Instruction;

/// The Program Metadata program.
pub const ID: Pubkey = anchor_lang::pubkey!("ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S");
/// The upgradeable loader (loader v3): a program's upgrade authority is in its program-data
/// account.
pub const LOADER_V3: Pubkey = anchor_lang::pubkey!("BPFLoaderUpgradeab1e11111111111111111111111");
/// Bytes of a metadata or buffer account before its data.
pub const HEADER_LEN: usize = 96;
/// A seed is 16 bytes (UTF-8, zero-padded).
pub const SEED_LEN: usize = 16;
/// The seed of a program's IDL.
pub const IDL_SEED: &str = "idl";
/// The most an account may grow in one instruction (the runtime's
/// `MAX_PERMITTED_DATA_INCREASE`); larger growth takes several `extend`s.
pub const REALLOC_LIMIT: usize = 10_240;
/// Data bytes per `write`: one write per transaction within the 1,232-byte packet, with room
/// for a second signer (the upgrade authority when it does not pay) and the compute-budget
/// instructions a sender adds (unit limit and price): 358 bytes besides the data at most.
pub const WRITE_CHUNK: usize = 800;

/// The instruction discriminators (`ProgramMetadataInstruction`'s order).
pub mod tag {
    pub const WRITE: u8 = 0;
    pub const INITIALIZE: u8 = 1;
    pub const SET_AUTHORITY: u8 = 2;
    pub const SET_DATA: u8 = 3;
    pub const SET_IMMUTABLE: u8 = 4;
    pub const TRIM: u8 = 5;
    pub const CLOSE: u8 = 6;
    pub const ALLOCATE: u8 = 7;
    pub const EXTEND: u8 = 8;
}

/// Account discriminators (the header's first byte).
pub const ACCOUNT_EMPTY: u8 = 0;
pub const ACCOUNT_BUFFER: u8 = 1;
pub const ACCOUNT_METADATA: u8 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Encoding {
    None = 0,
    Utf8 = 1,
    Base58 = 2,
    Base64 = 3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Compression {
    None = 0,
    Gzip = 1,
    Zlib = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Format {
    None = 0,
    Json = 1,
    Yaml = 2,
    Toml = 3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum DataSource {
    /// The data is in the account.
    Direct = 0,
    /// The data is a URL.
    Url = 1,
    /// The data points into another account.
    External = 2,
}

/// How the data of a metadata account is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    pub encoding: Encoding,
    pub compression: Compression,
    pub format: Format,
    pub data_source: DataSource,
}

impl Fields {
    /// A JSON document stored in the account, UTF-8, zlib-compressed (how the program's own
    /// clients write an IDL).
    pub const IDL: Fields = Fields {
        encoding: Encoding::Utf8,
        compression: Compression::Zlib,
        format: Format::Json,
        data_source: DataSource::Direct,
    };
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("seed {0:?} is longer than 16 bytes")]
    SeedTooLong(String),
    #[error("{0} bytes: shorter than the 96-byte header")]
    TooShort(usize),
    #[error("account discriminator {0}: not a buffer (1) or metadata (2) account")]
    Discriminator(u8),
    #[error("{what} {value}: not a known value")]
    Field { what: &'static str, value: u8 },
    #[error("data length {declared} beyond the account's {available} data bytes")]
    Length { declared: usize, available: usize },
    #[error("the data is {0:?}, not stored in the account")]
    NotDirect(DataSource),
    #[error("decompressing: {0}")]
    Decompress(String),
    #[error("decoding: {0}")]
    Decode(String),
}

/// `seed` as the program stores it: its UTF-8 bytes, zero-padded to 16.
pub fn seed(seed: &str) -> Result<[u8; SEED_LEN], Error> {
    let b = seed.as_bytes();
    if b.len() > SEED_LEN {
        return Err(Error::SeedTooLong(seed.into()));
    }
    let mut s = [0u8; SEED_LEN];
    s[..b.len()].copy_from_slice(b);
    Ok(s)
}

/// The canonical metadata account of `program` for `seed` (the one only the program's upgrade
/// authority creates): PDA of the metadata program from `[program, seed]`.
pub fn canonical_address(program: &Pubkey, seed: &[u8; SEED_LEN]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[program.as_ref(), seed], &ID)
}

/// The canonical IDL account of `program` (`anchor idl fetch` and the explorers read it).
pub fn idl_address(program: &Pubkey) -> Pubkey {
    canonical_address(program, &seed(IDL_SEED).expect("a short seed")).0
}

/// The program-data account of a loader-v3 `program` (its upgrade authority lives there).
pub fn program_data_address(program: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[program.as_ref()], &LOADER_V3).0
}

/// The upgrade authority recorded in a loader-v3 program-data account (`None`: the program
/// is immutable, or the bytes are not a program-data account).
pub fn upgrade_authority(program_data: &[u8]) -> Option<Pubkey> {
    // UpgradeableLoaderState::ProgramData: u32 tag 3, u64 slot, Option<Pubkey>
    if program_data.len() < 45 || program_data[..4] != 3u32.to_le_bytes() || program_data[12] != 1 {
        return None;
    }
    Some(Pubkey::try_from(&program_data[13..45]).expect("32 bytes"))
}

/// The program-data address a loader-v3 program account points to.
pub fn program_data_of(program_account: &[u8]) -> Option<Pubkey> {
    // UpgradeableLoaderState::Program: u32 tag 2, Pubkey
    if program_account.len() < 36 || program_account[..4] != 2u32.to_le_bytes() {
        return None;
    }
    Some(Pubkey::try_from(&program_account[4..36]).expect("32 bytes"))
}

fn optional(key: Option<Pubkey>) -> AccountMeta {
    AccountMeta::new_readonly(key.unwrap_or(ID), false)
}

fn ix(accounts: Vec<AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction {
        program_id: ID,
        accounts,
        data,
    }
}

/// The accounts an authority check reads: the program and its program-data account (both
/// absent when the signer is the account's explicit authority).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramAccounts {
    pub program: Option<Pubkey>,
    pub program_data: Option<Pubkey>,
}

impl ProgramAccounts {
    pub const NONE: ProgramAccounts = ProgramAccounts {
        program: None,
        program_data: None,
    };

    /// A loader-v3 program and its program-data account: the upgrade authority's proof.
    pub fn upgradeable(program: Pubkey) -> Self {
        ProgramAccounts {
            program: Some(program),
            program_data: Some(program_data_address(&program)),
        }
    }

    fn metas(&self) -> [AccountMeta; 2] {
        [optional(self.program), optional(self.program_data)]
    }
}

/// `allocate`: make `buffer` a buffer account (pre-funded). A PDA buffer (`seed` given) is
/// derived like the metadata account it becomes; a keypair buffer is its own authority.
pub fn allocate(
    buffer: Pubkey,
    authority: Pubkey,
    programs: ProgramAccounts,
    seed: Option<[u8; SEED_LEN]>,
) -> Instruction {
    let [program, program_data] = programs.metas();
    let mut data = vec![tag::ALLOCATE];
    if let Some(s) = seed {
        data.extend(s);
    }
    // a keypair buffer is its own authority: it signs in the authority slot only (the official
    // client's meta; a transaction merges the two into one writable signer)
    ix(
        vec![
            AccountMeta::new(buffer, false),
            AccountMeta::new_readonly(authority, true),
            program,
            program_data,
            AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
        ],
        data,
    )
}

/// `write`: copy `bytes` to the buffer's data at `offset` (growing it when needed).
pub fn write(buffer: Pubkey, authority: Pubkey, offset: u32, bytes: &[u8]) -> Instruction {
    let mut data = vec![tag::WRITE];
    data.extend(offset.to_le_bytes());
    data.extend(bytes);
    ix(
        vec![
            AccountMeta::new(buffer, false),
            AccountMeta::new_readonly(authority, true),
            optional(None),
        ],
        data,
    )
}

/// `initialize`: turn the canonical buffer at `metadata` into the metadata account (`data`
/// `None`), or create it with `data` from the instruction (a pre-funded empty account).
pub fn initialize(
    metadata: Pubkey,
    authority: Pubkey,
    program: Pubkey,
    program_data: Option<Pubkey>,
    seed: [u8; SEED_LEN],
    fields: Fields,
    data: Option<&[u8]>,
) -> Instruction {
    let mut d = vec![tag::INITIALIZE];
    d.extend(seed);
    d.extend([
        fields.encoding as u8,
        fields.compression as u8,
        fields.format as u8,
        fields.data_source as u8,
    ]);
    if let Some(bytes) = data {
        d.extend(bytes);
    }
    ix(
        vec![
            AccountMeta::new(metadata, false),
            AccountMeta::new_readonly(authority, true),
            AccountMeta::new_readonly(program, false),
            optional(program_data),
            AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
        ],
        d,
    )
}

/// Where `set_data` takes the new data from.
#[derive(Clone, Copy, Debug)]
pub enum NewData<'a> {
    /// Only the encoding, compression and format change: the data source byte is left out
    /// (the processor reads no data then). The official JavaScript client cannot build this
    /// form (its `setData` always encodes a data source, which with neither data nor buffer
    /// the processor refuses: `InvalidInstructionData` in its current source), so it is not
    /// part of the cross-check against it.
    Keep,
    /// The data follows in the instruction.
    Inline(&'a [u8]),
    /// The data is a buffer account's.
    Buffer(Pubkey),
}

/// `set_data`: set the fields and (optionally) the data of a metadata account.
pub fn set_data(
    metadata: Pubkey,
    authority: Pubkey,
    programs: ProgramAccounts,
    fields: Fields,
    new: NewData<'_>,
) -> Instruction {
    let [program, program_data] = programs.metas();
    let mut d = vec![
        tag::SET_DATA,
        fields.encoding as u8,
        fields.compression as u8,
        fields.format as u8,
    ];
    let buffer = match new {
        NewData::Keep => None,
        NewData::Inline(bytes) => {
            d.push(fields.data_source as u8);
            d.extend(bytes);
            None
        }
        NewData::Buffer(b) => {
            d.push(fields.data_source as u8);
            Some(b)
        }
    };
    ix(
        vec![
            AccountMeta::new(metadata, false),
            AccountMeta::new_readonly(authority, true),
            // writable when present, as the official client marks it (the processor only
            // reads it); absent, the metadata program's id, read-only
            buffer.map_or_else(|| optional(None), |b| AccountMeta::new(b, false)),
            program,
            program_data,
        ],
        d,
    )
}

/// `set_authority`: hand a buffer (or a canonical metadata account) to `new_authority`
/// (`None` removes a metadata account's explicit authority).
pub fn set_authority(
    account: Pubkey,
    authority: Pubkey,
    programs: ProgramAccounts,
    new_authority: Option<Pubkey>,
) -> Instruction {
    let [program, program_data] = programs.metas();
    let mut d = vec![tag::SET_AUTHORITY];
    match new_authority {
        Some(k) => {
            d.push(1);
            d.extend(k.to_bytes());
        }
        None => d.push(0),
    }
    ix(
        vec![
            AccountMeta::new(account, false),
            AccountMeta::new_readonly(authority, true),
            program,
            program_data,
        ],
        d,
    )
}

/// `extend`: grow a buffer or metadata account by `length` bytes (pre-funded).
pub fn extend(
    account: Pubkey,
    authority: Pubkey,
    programs: ProgramAccounts,
    length: u16,
) -> Instruction {
    let [program, program_data] = programs.metas();
    let mut d = vec![tag::EXTEND];
    d.extend(length.to_le_bytes());
    ix(
        vec![
            AccountMeta::new(account, false),
            AccountMeta::new_readonly(authority, true),
            program,
            program_data,
        ],
        d,
    )
}

/// `trim`: shrink an account to its data and return the excess lamports to `destination`.
pub fn trim(
    account: Pubkey,
    authority: Pubkey,
    programs: ProgramAccounts,
    destination: Pubkey,
) -> Instruction {
    let [program, program_data] = programs.metas();
    ix(
        vec![
            AccountMeta::new(account, false),
            AccountMeta::new_readonly(authority, true),
            program,
            program_data,
            AccountMeta::new(destination, false),
            AccountMeta::new_readonly(solana_sdk_ids::sysvar::rent::ID, false),
        ],
        vec![tag::TRIM],
    )
}

/// `close`: close a buffer or metadata account, its lamports to `destination`.
pub fn close(
    account: Pubkey,
    authority: Pubkey,
    programs: ProgramAccounts,
    destination: Pubkey,
) -> Instruction {
    let [program, program_data] = programs.metas();
    ix(
        vec![
            AccountMeta::new(account, false),
            AccountMeta::new_readonly(authority, true),
            program,
            program_data,
            AccountMeta::new(destination, false),
        ],
        vec![tag::CLOSE],
    )
}

/// The system program's `Transfer` (instruction 2: lamports).
fn transfer(from: Pubkey, to: Pubkey, lamports: u64) -> Instruction {
    let mut data = 2u32.to_le_bytes().to_vec();
    data.extend(lamports.to_le_bytes());
    Instruction {
        program_id: anchor_lang::system_program::ID,
        accounts: vec![AccountMeta::new(from, true), AccountMeta::new(to, false)],
        data,
    }
}

/// The system program's `CreateAccount` (instruction 0: lamports, space, owner).
fn create_account(from: Pubkey, to: Pubkey, lamports: u64, space: u64) -> Instruction {
    let mut data = 0u32.to_le_bytes().to_vec();
    data.extend(lamports.to_le_bytes());
    data.extend(space.to_le_bytes());
    data.extend(ID.to_bytes());
    Instruction {
        program_id: anchor_lang::system_program::ID,
        accounts: vec![AccountMeta::new(from, true), AccountMeta::new(to, true)],
        data,
    }
}

/// A decoded buffer or metadata account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// [`ACCOUNT_BUFFER`] or [`ACCOUNT_METADATA`].
    pub discriminator: u8,
    /// The program it describes (`None` for a keypair buffer).
    pub program: Option<Pubkey>,
    /// Its explicit authority (`None`: only the program's upgrade authority, for a canonical
    /// account).
    pub authority: Option<Pubkey>,
    pub canonical: bool,
    pub seed: [u8; SEED_LEN],
    /// Metadata accounts only (a buffer has none).
    pub mutable: bool,
    pub fields: Option<Fields>,
    /// The data after the header (a metadata account's declared length; all of a buffer's).
    pub data: Vec<u8>,
}

fn key_or_none(b: &[u8]) -> Option<Pubkey> {
    let k = Pubkey::try_from(b).expect("32 bytes");
    (k != Pubkey::default()).then_some(k)
}

fn field<T>(what: &'static str, value: u8, all: &[T]) -> Result<T, Error>
where
    T: Copy,
{
    all.get(value as usize)
        .copied()
        .ok_or(Error::Field { what, value })
}

/// Decode a buffer or metadata account's bytes.
pub fn decode(bytes: &[u8]) -> Result<Metadata, Error> {
    if bytes.len() < HEADER_LEN {
        return Err(Error::TooShort(bytes.len()));
    }
    let mut seed = [0u8; SEED_LEN];
    match bytes[0] {
        ACCOUNT_BUFFER => {
            // discriminator, program (zero: a keypair buffer), authority, canonical, seed
            seed.copy_from_slice(&bytes[66..82]);
            Ok(Metadata {
                discriminator: ACCOUNT_BUFFER,
                program: key_or_none(&bytes[1..33]),
                authority: key_or_none(&bytes[33..65]),
                canonical: bytes[65] != 0,
                seed,
                mutable: true,
                fields: None,
                data: bytes[HEADER_LEN..].to_vec(),
            })
        }
        ACCOUNT_METADATA => {
            seed.copy_from_slice(&bytes[67..83]);
            use Compression as C;
            use DataSource as S;
            use Encoding as E;
            use Format as F;
            let fields = Fields {
                encoding: field(
                    "encoding",
                    bytes[83],
                    &[E::None, E::Utf8, E::Base58, E::Base64],
                )?,
                compression: field("compression", bytes[84], &[C::None, C::Gzip, C::Zlib])?,
                format: field("format", bytes[85], &[F::None, F::Json, F::Yaml, F::Toml])?,
                data_source: field("data source", bytes[86], &[S::Direct, S::Url, S::External])?,
            };
            let len = u32::from_le_bytes(bytes[87..91].try_into().expect("4 bytes")) as usize;
            let available = bytes.len() - HEADER_LEN;
            if len > available {
                return Err(Error::Length {
                    declared: len,
                    available,
                });
            }
            Ok(Metadata {
                discriminator: ACCOUNT_METADATA,
                program: key_or_none(&bytes[1..33]),
                authority: key_or_none(&bytes[33..65]),
                mutable: bytes[65] != 0,
                canonical: bytes[66] != 0,
                seed,
                fields: Some(fields),
                data: bytes[HEADER_LEN..HEADER_LEN + len].to_vec(),
            })
        }
        d => Err(Error::Discriminator(d)),
    }
}

impl Metadata {
    /// The stored document: decompressed and decoded per the header (direct data only).
    pub fn content(&self) -> Result<Vec<u8>, Error> {
        let f = self
            .fields
            .ok_or(Error::Discriminator(self.discriminator))?;
        if f.data_source != DataSource::Direct {
            return Err(Error::NotDirect(f.data_source));
        }
        unpack(&self.data, f.compression, f.encoding)
    }
}

/// Decompress `data` per `compression`, then render it per `encoding` as the official
/// JavaScript client does (`unpackDirectData`): UTF-8 is the text itself (checked), base58 and
/// base64 are the stored bytes written as base58 or base64 text, none is their lowercase hex.
/// The account holds the decoded bytes; the document is their text.
pub fn unpack(data: &[u8], compression: Compression, encoding: Encoding) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    let err = |e: std::io::Error| Error::Decompress(e.to_string());
    match compression {
        Compression::None => out.extend_from_slice(data),
        Compression::Zlib => {
            flate2::read::ZlibDecoder::new(data)
                .read_to_end(&mut out)
                .map_err(err)?;
        }
        Compression::Gzip => {
            flate2::read::GzDecoder::new(data)
                .read_to_end(&mut out)
                .map_err(err)?;
        }
    }
    match encoding {
        Encoding::None => Ok(out
            .iter()
            .flat_map(|b| {
                let hex = b"0123456789abcdef";
                [hex[(b >> 4) as usize], hex[(b & 15) as usize]]
            })
            .collect()),
        Encoding::Utf8 => {
            std::str::from_utf8(&out).map_err(|e| Error::Decode(e.to_string()))?;
            Ok(out)
        }
        Encoding::Base58 => Ok(bs58::encode(&out).into_string().into_bytes()),
        Encoding::Base64 => {
            use base64::Engine as _;
            Ok(base64::engine::general_purpose::STANDARD
                .encode(&out)
                .into_bytes())
        }
    }
}

/// An IDL (JSON text) packed as [`Fields::IDL`] says: its UTF-8 bytes, zlib-compressed.
pub fn pack_idl(json: &str) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(json.as_bytes()).expect("writing to memory");
    z.finish().expect("writing to memory")
}

/// This crate's IDL (`idl/greekhouse.json`) with its `address` set to `program` (a
/// deployment under its own id publishes the IDL of that id).
pub fn greekhouse_idl(program: &Pubkey) -> String {
    const IDL: &str = include_str!("../../../idl/greekhouse.json");
    let compiled = format!("\"address\": \"{}\"", greekhouse::ID);
    IDL.replacen(&compiled, &format!("\"address\": \"{program}\""), 1)
}

#[path = "program_metadata_plan.rs"]
mod plan;
pub use plan::*;

#[cfg(test)]
#[path = "program_metadata_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "program_metadata_golden.rs"]
mod golden;
