//! The Program Metadata builders checked byte for byte against the program's source
//! (solana-program/program-metadata at `75ea1f14cecb00b57aff4287dbfda022e03d4865`:
//! `program/src/entrypoint.rs` for the discriminators, `program/src/processor/*.rs` for each
//! instruction's data and account order, `program/src/state/{mod,header,buffer}.rs` for the
//! account layout), and a round trip through a model of the processors: the publishing plans'
//! instructions applied to in-memory accounts as the processors apply them, the result decoded
//! and decompressed back to the IDL.

use std::collections::HashMap;

use super::*;
use anchor_lang::prelude::Pubkey;

fn key(s: &str) -> Pubkey {
    s.parse().unwrap()
}

#[test]
fn the_program_id_and_the_canonical_idl_address_are_the_programs() {
    // the id's first bytes as the program's own `declare_id!` decodes them
    assert_eq!(&ID.to_bytes()[..8], &[5, 219, 23, 158, 195, 62, 147, 249]);
    assert_eq!(seed("idl").unwrap(), *b"idl\0\0\0\0\0\0\0\0\0\0\0\0\0");
    assert_eq!(seed("sixteen-bytes-ok").unwrap(), *b"sixteen-bytes-ok");
    assert!(matches!(
        seed("seventeen-bytes!!"),
        Err(Error::SeedTooLong(_))
    ));
    // Computed outside Rust (sha256 of program || seed || bump || metadata program ||
    // "ProgramDerivedAddress", the first bump off the curve): Greekhouse's IDL account.
    let (a, bump) = canonical_address(&greekhouse::ID, &seed(IDL_SEED).unwrap());
    assert_eq!(a, key("Aq8EaKRvrsh9RGXr84hxJGG5pxY1TuSidAbfcpbJHQXv"));
    assert_eq!(bump, 255);
    assert_eq!(idl_address(&greekhouse::ID), a);
    // A public vector: a devnet program's canonical IDL account as `anchor idl fetch` (Anchor
    // 1.1.2) looked it up, bump 253, recorded in that project's docs.
    let (a, bump) = canonical_address(
        &key("DR5GoMT7sAKzD6wZMKJPeknS3Y6fzgZUNevi7xiESE4x"),
        &seed(IDL_SEED).unwrap(),
    );
    assert_eq!(a, key("7tbJDv1gwseQamg816gEgwTSpsPpgec5yxhYpbTrcdbC"));
    assert_eq!(bump, 253);
    // loader v3's program-data account of Greekhouse (seeds [program]), computed the same way
    assert_eq!(
        program_data_address(&greekhouse::ID),
        key("E7cWuwq7AK1kHH3f8LWmZp3eKxxtRHXgmtjsLHbDi2gb")
    );
}

fn metas(ix: &Instruction) -> Vec<(Pubkey, bool, bool)> {
    ix.accounts
        .iter()
        .map(|m| (m.pubkey, m.is_signer, m.is_writable))
        .collect()
}

#[test]
fn every_instruction_is_encoded_as_the_processors_read_it() {
    let (buf, auth, prog, pd, dest) = (
        Pubkey::new_from_array([1; 32]),
        Pubkey::new_from_array([2; 32]),
        Pubkey::new_from_array([3; 32]),
        Pubkey::new_from_array([4; 32]),
        Pubkey::new_from_array([5; 32]),
    );
    let sys = anchor_lang::system_program::ID;
    let rent_sysvar = key("SysvarRent111111111111111111111111111111111");
    let programs = ProgramAccounts {
        program: Some(prog),
        program_data: Some(pd),
    };
    let idl = *b"idl\0\0\0\0\0\0\0\0\0\0\0\0\0";

    // Allocate (7): [buffer w, authority s, program?, program data?, system?], data = seed
    let i = allocate(buf, auth, programs, Some(idl));
    assert_eq!(i.program_id, ID);
    assert_eq!(i.data, [&[7u8][..], &idl].concat());
    assert_eq!(
        metas(&i),
        [
            (buf, false, true),
            (auth, true, false),
            (prog, false, false),
            (pd, false, false),
            (sys, false, false)
        ]
    );
    // a keypair buffer: no seed, the buffer is its own (signing) authority, absent accounts
    // are the metadata program's id; it signs in the authority slot only, as the official
    // client builds it (the transaction merges the two metas into one writable signer)
    let i = allocate(buf, buf, ProgramAccounts::NONE, None);
    assert_eq!(i.data, [7]);
    assert_eq!(
        metas(&i),
        [
            (buf, false, true),
            (buf, true, false),
            (ID, false, false),
            (ID, false, false),
            (sys, false, false)
        ]
    );

    // Write (0): [buffer w, authority s, source buffer?], data = u32 offset LE, bytes
    let i = write(buf, auth, 0x0102_0304, &[9, 8, 7]);
    assert_eq!(i.data, [0, 4, 3, 2, 1, 9, 8, 7]);
    assert_eq!(
        metas(&i),
        [(buf, false, true), (auth, true, false), (ID, false, false)]
    );

    // Initialize (1): [metadata w, authority s, program, program data?, system?],
    // data = seed[16], encoding, compression, format, data source, (bytes)
    let i = initialize(buf, auth, prog, Some(pd), idl, Fields::IDL, None);
    assert_eq!(i.data, [&[1u8][..], &idl, &[1, 2, 1, 0]].concat());
    assert_eq!(
        metas(&i),
        [
            (buf, false, true),
            (auth, true, false),
            (prog, false, false),
            (pd, false, false),
            (sys, false, false)
        ]
    );
    let i = initialize(buf, auth, prog, None, idl, Fields::IDL, Some(b"xy"));
    assert_eq!(i.data, [&[1u8][..], &idl, &[1, 2, 1, 0], b"xy"].concat());
    assert_eq!(i.accounts[3].pubkey, ID);

    // SetData (3): [metadata w, authority s, buffer?, program?, program data?],
    // data = encoding, compression, format, (data source, (bytes))
    let i = set_data(buf, auth, programs, Fields::IDL, NewData::Buffer(dest));
    assert_eq!(i.data, [3, 1, 2, 1, 0]);
    assert_eq!(
        metas(&i),
        [
            (buf, false, true),
            (auth, true, false),
            (dest, false, true),
            (prog, false, false),
            (pd, false, false)
        ]
    );
    let i = set_data(buf, auth, programs, Fields::IDL, NewData::Inline(b"z"));
    assert_eq!(i.data, [3, 1, 2, 1, 0, b'z']);
    assert_eq!(i.accounts[2].pubkey, ID);
    let i = set_data(buf, auth, programs, Fields::IDL, NewData::Keep);
    assert_eq!(i.data, [3, 1, 2, 1]);

    // SetAuthority (2): [account w, authority s, program?, program data?], data = option u8,
    // (new authority)
    let i = set_authority(buf, auth, ProgramAccounts::NONE, Some(dest));
    assert_eq!(i.data, [&[2u8, 1][..], &[5; 32]].concat());
    assert_eq!(
        metas(&i),
        [
            (buf, false, true),
            (auth, true, false),
            (ID, false, false),
            (ID, false, false)
        ]
    );
    assert_eq!(
        set_authority(buf, auth, programs, None).data,
        [2, 0],
        "removing the authority"
    );

    // Extend (8): [account w, authority s, program?, program data?], data = u16 LE
    let i = extend(buf, auth, programs, 10_240);
    assert_eq!(i.data, [8, 0x00, 0x28]);
    assert_eq!(metas(&i).len(), 4);

    // Trim (5): [account w, authority s, program?, program data?, destination w, rent]
    let i = trim(buf, auth, programs, dest);
    assert_eq!(i.data, [5]);
    assert_eq!(
        metas(&i),
        [
            (buf, false, true),
            (auth, true, false),
            (prog, false, false),
            (pd, false, false),
            (dest, false, true),
            (rent_sysvar, false, false)
        ]
    );

    // Close (6): [account w, authority s, program?, program data?, destination w]
    let i = close(buf, auth, ProgramAccounts::NONE, dest);
    assert_eq!(i.data, [6]);
    assert_eq!(
        metas(&i),
        [
            (buf, false, true),
            (auth, true, false),
            (ID, false, false),
            (ID, false, false),
            (dest, false, true)
        ]
    );
}

/// A metadata account's bytes as `initialize` leaves them (`state/header.rs`).
fn header_bytes(program: Pubkey, mutable: bool, seed: [u8; 16], f: Fields, len: u32) -> Vec<u8> {
    let mut b = vec![ACCOUNT_METADATA];
    b.extend(program.to_bytes());
    b.extend([0u8; 32]); // canonical: no explicit authority
    b.push(mutable as u8);
    b.push(1); // canonical
    b.extend(seed);
    b.extend([
        f.encoding as u8,
        f.compression as u8,
        f.format as u8,
        f.data_source as u8,
    ]);
    b.extend(len.to_le_bytes());
    b.extend([0u8; 5]);
    assert_eq!(b.len(), HEADER_LEN);
    b
}

#[test]
fn a_metadata_account_decodes_field_by_field() {
    let idl = seed(IDL_SEED).unwrap();
    let mut b = header_bytes(greekhouse::ID, true, idl, Fields::IDL, 3);
    b.extend(b"abcXX"); // two bytes past the declared length (an account not yet trimmed)
    let m = decode(&b).unwrap();
    assert_eq!(m.discriminator, ACCOUNT_METADATA);
    assert_eq!(m.program, Some(greekhouse::ID));
    assert_eq!(m.authority, None);
    assert!(m.mutable && m.canonical);
    assert_eq!(m.seed, idl);
    assert_eq!(m.fields, Some(Fields::IDL));
    assert_eq!(m.data, b"abc");
    // refusals: too short, unknown discriminator or field, a length past the account
    assert_eq!(decode(&b[..95]), Err(Error::TooShort(95)));
    let mut bad = b.clone();
    bad[0] = 0;
    assert_eq!(decode(&bad), Err(Error::Discriminator(0)));
    let mut bad = b.clone();
    bad[84] = 3;
    assert_eq!(
        decode(&bad),
        Err(Error::Field {
            what: "compression",
            value: 3
        })
    );
    let mut bad = b.clone();
    bad[87] = 6;
    assert_eq!(
        decode(&bad),
        Err(Error::Length {
            declared: 6,
            available: 5
        })
    );
    // a URL is not read as the document
    let u = header_bytes(
        greekhouse::ID,
        true,
        idl,
        Fields {
            data_source: DataSource::Url,
            ..Fields::IDL
        },
        1,
    );
    let m = decode(&[u, vec![b'x']].concat()).unwrap();
    assert_eq!(m.content(), Err(Error::NotDirect(DataSource::Url)));
}

#[test]
fn other_encodings_and_compressions_unpack() {
    use std::io::Write as _;
    let text = b"{\"a\":1}";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text).unwrap();
    let gz = gz.finish().unwrap();
    assert_eq!(
        unpack(&gz, Compression::Gzip, Encoding::Utf8).unwrap(),
        text
    );
    // the account holds bytes; base58, base64 and none render them as base58, base64 and hex
    // text (the official client's `unpackDirectData`)
    let raw = [0u8, 0, 1, 2, 0xfe, 0xff];
    assert_eq!(
        unpack(&raw, Compression::None, Encoding::Base58).unwrap(),
        bs58::encode(raw).into_string().as_bytes()
    );
    assert_eq!(
        unpack(&raw, Compression::None, Encoding::Base58).unwrap(),
        b"112Vzei"
    );
    use base64::Engine as _;
    assert_eq!(
        unpack(&raw, Compression::None, Encoding::Base64).unwrap(),
        base64::engine::general_purpose::STANDARD
            .encode(raw)
            .as_bytes()
    );
    assert_eq!(
        unpack(&raw, Compression::None, Encoding::None).unwrap(),
        b"00000102feff"
    );
    assert!(matches!(
        unpack(&[0xff], Compression::None, Encoding::Utf8),
        Err(Error::Decode(_))
    ));
    assert!(matches!(
        unpack(b"not zlib", Compression::Zlib, Encoding::Utf8),
        Err(Error::Decompress(_))
    ));
}

/// The accounts the model touches: lamports, owner, data.
#[derive(Clone, Debug, Default)]
struct Acc {
    lamports: u64,
    owner: Pubkey,
    data: Vec<u8>,
}

/// The processors of the instructions the plans use, as their source applies them (authority
/// and derivation checks included; the runtime's per-instruction growth limit and rent
/// exemption at the end of each transaction as well).
struct Model {
    accounts: HashMap<Pubkey, Acc>,
    rent: Rent,
    /// The program whose upgrade authority the model knows.
    program: Pubkey,
    upgrade_authority: Pubkey,
}

impl Model {
    fn acc(&mut self, k: &Pubkey) -> &mut Acc {
        self.accounts.entry(*k).or_default()
    }

    fn resize(&mut self, k: &Pubkey, len: usize, start: usize) {
        assert!(
            len <= start + REALLOC_LIMIT,
            "{k}: grows from {start} to {len} in one instruction"
        );
        self.acc(k).data.resize(len, 0);
    }

    fn is_upgrade_authority(&self, ix: &Instruction, who: &Pubkey) -> bool {
        // the program and program-data slots: after the buffer in `set_data`
        let at = if ix.data[0] == tag::SET_DATA { 3 } else { 2 };
        let (program, program_data) = (ix.accounts[at].pubkey, ix.accounts[at + 1].pubkey);
        program == self.program
            && program_data == program_data_address(&self.program)
            && *who == self.upgrade_authority
    }

    fn authorized(&self, ix: &Instruction, data: &[u8], signer: &Pubkey) -> bool {
        let m = decode(data).unwrap();
        m.authority == Some(*signer)
            || (m.canonical
                && m.program == Some(self.program)
                && self.is_upgrade_authority(ix, signer))
    }

    fn apply(&mut self, ix: &Instruction) {
        if ix.program_id == anchor_lang::system_program::ID {
            let tag = u32::from_le_bytes(ix.data[..4].try_into().unwrap());
            let lamports = u64::from_le_bytes(ix.data[4..12].try_into().unwrap());
            let (from, to) = (ix.accounts[0].pubkey, ix.accounts[1].pubkey);
            self.acc(&from).lamports -= lamports;
            self.acc(&to).lamports += lamports;
            if tag == 0 {
                assert!(ix.accounts[1].is_signer, "a new account signs");
                let space = u64::from_le_bytes(ix.data[12..20].try_into().unwrap()) as usize;
                let owner = Pubkey::try_from(&ix.data[20..52]).unwrap();
                let a = self.acc(&to);
                assert!(a.data.is_empty());
                a.data = vec![0; space];
                a.owner = owner;
            } else {
                assert_eq!(tag, 2, "transfer");
            }
            return;
        }
        assert_eq!(ix.program_id, ID);
        let k = ix.accounts[0].pubkey;
        let auth = ix.accounts[1].pubkey;
        assert!(ix.accounts[1].is_signer);
        let start = self.acc(&k).data.len();
        let (tag, rest) = ix.data.split_first().unwrap();
        match *tag {
            tag::ALLOCATE => {
                let a = self.acc(&k).clone();
                let canonical = if k == auth {
                    assert!(rest.is_empty());
                    false
                } else {
                    assert_eq!(rest.len(), SEED_LEN);
                    assert!(self.is_upgrade_authority(ix, &auth), "canonical only here");
                    let s: [u8; 16] = rest.try_into().unwrap();
                    assert_eq!(k, canonical_address(&self.program, &s).0, "InvalidSeeds");
                    true
                };
                if a.data.is_empty() {
                    self.acc(&k).data = vec![0; HEADER_LEN];
                    self.acc(&k).owner = ID;
                } else {
                    assert_eq!(a.owner, ID);
                    assert_eq!(a.data[0], ACCOUNT_EMPTY, "AccountAlreadyInitialized");
                }
                assert!(self.acc(&k).lamports > 0);
                let program = self.program;
                let d = &mut self.acc(&k).data;
                d[0] = ACCOUNT_BUFFER;
                d[33..65].copy_from_slice(auth.as_ref());
                if canonical {
                    d[1..33].copy_from_slice(program.as_ref());
                    d[65] = 1;
                    d[66..82].copy_from_slice(rest);
                }
            }
            tag::WRITE => {
                let a = self.acc(&k).clone();
                assert_eq!(a.data[0], ACCOUNT_BUFFER);
                assert_eq!(&a.data[33..65], auth.as_ref(), "IncorrectAuthority");
                assert_eq!(ix.accounts[2].pubkey, ID, "data from the instruction");
                let offset = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
                let bytes = &rest[4..];
                let at = HEADER_LEN + offset;
                self.resize(&k, start.max(at + bytes.len()), start);
                self.acc(&k).data[at..at + bytes.len()].copy_from_slice(bytes);
            }
            tag::INITIALIZE => {
                assert!(self.is_upgrade_authority(ix, &auth), "canonical only here");
                let s: [u8; 16] = rest[..16].try_into().unwrap();
                assert_eq!(k, canonical_address(&self.program, &s).0, "InvalidSeeds");
                let a = self.acc(&k).clone();
                assert_eq!(
                    a.data.first(),
                    Some(&ACCOUNT_BUFFER),
                    "from a buffer only here"
                );
                assert_eq!(rest.len(), 20, "no instruction data with a buffer");
                let len = (a.data.len() - HEADER_LEN) as u32;
                let f = &rest[16..20];
                let fields = decode(&{
                    let mut h = header_bytes(self.program, true, s, Fields::IDL, 0);
                    h[83..87].copy_from_slice(f);
                    h
                })
                .unwrap()
                .fields
                .unwrap();
                let h = header_bytes(self.program, true, s, fields, len);
                self.acc(&k).data[..HEADER_LEN].copy_from_slice(&h);
            }
            tag::SET_AUTHORITY => {
                let d = self.acc(&k).data.clone();
                assert_eq!(d[0], ACCOUNT_BUFFER, "buffers only here");
                assert!(self.authorized(ix, &d, &auth));
                assert_eq!(rest[0], 1);
                self.acc(&k).data[33..65].copy_from_slice(&rest[1..33]);
            }
            tag::EXTEND => {
                let d = self.acc(&k).data.clone();
                assert!(self.authorized(ix, &d, &auth));
                let by = u16::from_le_bytes(rest.try_into().unwrap()) as usize;
                self.resize(&k, start + by, start);
            }
            tag::SET_DATA => {
                let d = self.acc(&k).data.clone();
                assert_eq!(d[0], ACCOUNT_METADATA);
                assert_eq!(d[65], 1, "mutable");
                assert!(self.authorized(ix, &d, &auth));
                let b = ix.accounts[2].pubkey;
                assert_ne!(b, ID, "from a buffer here");
                assert_eq!(rest.len(), 4);
                let src = self.acc(&b).clone();
                assert_eq!(src.owner, ID);
                assert_eq!(src.data[0], ACCOUNT_BUFFER);
                let new = src.data[HEADER_LEN..].to_vec();
                {
                    let d = &mut self.acc(&k).data;
                    d[83..86].copy_from_slice(&rest[..3]);
                    d[86] = rest[3];
                    d[87..91].copy_from_slice(&(new.len() as u32).to_le_bytes());
                }
                self.resize(&k, HEADER_LEN + new.len(), start);
                self.acc(&k).data[HEADER_LEN..].copy_from_slice(&new);
            }
            tag::CLOSE => {
                let d = self.acc(&k).data.clone();
                assert!(self.authorized(ix, &d, &auth));
                let dest = ix.accounts[4].pubkey;
                let l = self.acc(&k).lamports;
                self.acc(&dest).lamports += l;
                self.accounts.remove(&k);
            }
            tag::TRIM => {
                let d = self.acc(&k).data.clone();
                assert!(self.authorized(ix, &d, &auth));
                let m = decode(&d).unwrap();
                let len = HEADER_LEN + m.data.len();
                let min = self.rent.minimum_balance(len);
                self.acc(&k).data.truncate(len);
                let excess = self.acc(&k).lamports - min;
                self.acc(&k).lamports = min;
                let dest = ix.accounts[4].pubkey;
                self.acc(&dest).lamports += excess;
            }
            t => panic!("instruction {t} not modelled"),
        }
    }

    /// One transaction: its instructions, then rent exemption of every account it touched.
    fn send(&mut self, tx: &PlannedTx) {
        for ix in &tx.instructions {
            self.apply(ix);
        }
        for ix in &tx.instructions {
            for m in ix.accounts.iter().filter(|m| m.is_writable) {
                if let Some(a) = self.accounts.get(&m.pubkey) {
                    if !a.data.is_empty() {
                        assert!(
                            a.lamports >= self.rent.minimum_balance(a.data.len()),
                            "{}: not rent exempt after \"{}\"",
                            m.pubkey,
                            tx.what
                        );
                    }
                }
            }
        }
    }
}

/// The size of a legacy transaction carrying `tx` paid by `payer` (signed by it, the
/// authority and, for a buffer's creation, the buffer), with the compute-unit limit and price
/// instructions the RPC sender puts in front: the message's own serialization, signatures first.
fn wire_size(tx: &PlannedTx, payer: &Pubkey) -> usize {
    let budget = |data: Vec<u8>| Instruction {
        program_id: anchor_lang::pubkey!("ComputeBudget111111111111111111111111111111"),
        accounts: vec![],
        data,
    };
    let mut all = vec![budget(vec![2; 5]), budget(vec![3; 9])];
    all.extend(tx.instructions.iter().cloned());
    let m = solana_message::Message::new(&all, Some(payer));
    let signers = m.header.num_required_signatures as usize;
    1 + 64 * signers + m.serialize().len()
}

fn model() -> (Model, Publisher) {
    let (payer, authority) = (Pubkey::new_unique(), Pubkey::new_unique());
    let p = Publisher {
        payer,
        authority,
        program: greekhouse::ID,
        program_data: program_data_address(&greekhouse::ID),
    };
    let mut m = Model {
        accounts: HashMap::new(),
        rent: Rent::default(),
        program: greekhouse::ID,
        upgrade_authority: authority,
    };
    m.acc(&payer).lamports = 100_000_000_000;
    (m, p)
}

#[test]
fn the_idl_is_published_and_read_back_through_a_model_of_the_program() {
    let (mut m, p) = model();
    let json = greekhouse_idl(&p.program);
    let packed = pack_idl(&json);
    assert!(packed.len() * 4 < json.len(), "zlib shrinks the IDL");
    let idl = seed(IDL_SEED).unwrap();
    let plan = create_plan(&p, idl, Fields::IDL, &packed, &m.rent, None);
    assert_eq!(plan.len(), 2 + packed.len().div_ceil(WRITE_CHUNK));
    // a full write uses most of the packet (the chunk is not needlessly small)
    let largest = plan.iter().map(|t| wire_size(t, &p.payer)).max().unwrap();
    assert!((1_100..=1_232).contains(&largest), "{largest} bytes");
    for tx in &plan {
        assert!(
            wire_size(tx, &p.payer) <= 1232,
            "{}: {} bytes",
            tx.what,
            wire_size(tx, &p.payer)
        );
        assert!(!tx.buffer_signer);
        m.send(tx);
    }
    let address = idl_address(&p.program);
    let account = m.accounts[&address].clone();
    assert_eq!(account.owner, ID);
    assert_eq!(account.lamports, m.rent.minimum_balance(account.data.len()));
    let meta = decode(&account.data).unwrap();
    assert_eq!(meta.discriminator, ACCOUNT_METADATA);
    assert_eq!(meta.program, Some(greekhouse::ID));
    assert!(meta.canonical && meta.mutable);
    assert_eq!(meta.authority, None, "the upgrade authority manages it");
    assert_eq!(meta.fields, Some(Fields::IDL));
    assert_eq!(meta.data, packed);
    assert_eq!(meta.content().unwrap(), json.as_bytes());
    let v: serde_json::Value = serde_json::from_slice(&meta.content().unwrap()).unwrap();
    assert_eq!(v["address"], greekhouse::ID.to_string());
    assert!(v["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["name"] == "queue_change"));

    // a changed IDL replaces it: larger by more than one instruction's growth limit, then
    // smaller again (trimmed, the excess rent returned)
    let mut big = json.clone();
    // letters from a xorshift stream: about 4.7 bits each after compression
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: String = (0..40_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'a' + (x % 26) as u8)
        })
        .collect();
    big.push_str(&noise);
    let mut grew_and_shrank = (false, false);
    for next in [big, json.replace("greekhouse", "greekhouse2")] {
        let packed = pack_idl(&next);
        let current = m.accounts[&address].clone();
        let buffer = Pubkey::new_unique();
        let plan = update_plan(
            &p,
            address,
            current.lamports,
            current.data.len(),
            Fields::IDL,
            &packed,
            &m.rent,
            buffer,
        );
        assert!(plan[0].buffer_signer);
        let last = &plan.last().unwrap().instructions;
        let grows = HEADER_LEN + packed.len() > current.data.len() + REALLOC_LIMIT;
        assert_eq!(
            last.iter()
                .any(|i| i.data[0] == tag::EXTEND && i.program_id == ID),
            grows
        );
        assert_eq!(
            last.iter()
                .any(|i| i.data[0] == tag::TRIM && i.program_id == ID),
            HEADER_LEN + packed.len() < current.data.len()
        );
        for tx in &plan {
            assert!(
                wire_size(tx, &p.payer) <= 1232,
                "{}: {} bytes",
                tx.what,
                wire_size(tx, &p.payer)
            );
            m.send(tx);
        }
        grew_and_shrank.0 |= grows;
        grew_and_shrank.1 |= HEADER_LEN + packed.len() < current.data.len();
        assert!(!m.accounts.contains_key(&buffer), "the buffer is closed");
        let account = m.accounts[&address].clone();
        let meta = decode(&account.data).unwrap();
        assert_eq!(meta.content().unwrap(), next.as_bytes());
        assert_eq!(account.data.len(), HEADER_LEN + packed.len());
        assert!(account.lamports >= m.rent.minimum_balance(account.data.len()));
    }
    assert_eq!(
        grew_and_shrank,
        (true, true),
        "both an extension and a trim were needed"
    );
    let account = &m.accounts[&address];
    assert_eq!(account.lamports, m.rent.minimum_balance(account.data.len()));
}

#[test]
fn an_interrupted_publication_resumes_from_the_buffer_it_left() {
    let (mut m, p) = model();
    let json = greekhouse_idl(&p.program);
    let packed = pack_idl(&json);
    let idl = seed(IDL_SEED).unwrap();
    let plan = create_plan(&p, idl, Fields::IDL, &packed, &m.rent, None);
    for tx in &plan[..4] {
        m.send(tx);
    }
    let address = idl_address(&p.program);
    let left = m.accounts[&address].clone();
    assert_eq!(decode(&left.data).unwrap().discriminator, ACCOUNT_BUFFER);
    // resumed: no allocation again, every chunk rewritten, initialized
    let plan = create_plan(
        &p,
        idl,
        Fields::IDL,
        &packed,
        &m.rent,
        Some((left.lamports, left.data.len() - HEADER_LEN)),
    );
    assert!(plan
        .iter()
        .flat_map(|t| &t.instructions)
        .all(|i| i.data[0] != tag::ALLOCATE || i.program_id != ID));
    for tx in &plan {
        m.send(tx);
    }
    let meta = decode(&m.accounts[&address].data).unwrap();
    assert_eq!(meta.content().unwrap(), json.as_bytes());

    // a leftover buffer longer than the new data is closed and the account made again
    let (mut m, p) = model();
    let long = pack_idl(&(json.clone() + "x"));
    let short = pack_idl("{}");
    let plan = create_plan(&p, idl, Fields::IDL, &long, &m.rent, None);
    for tx in &plan[..plan.len() - 1] {
        m.send(tx);
    }
    let left = m.accounts[&address].clone();
    let plan = create_plan(
        &p,
        idl,
        Fields::IDL,
        &short,
        &m.rent,
        Some((left.lamports, left.data.len() - HEADER_LEN)),
    );
    assert_eq!(plan[0].instructions[0].data, [tag::CLOSE]);
    for tx in &plan {
        m.send(tx);
    }
    let meta = decode(&m.accounts[&address].data).unwrap();
    assert_eq!(meta.content().unwrap(), b"{}");
}

#[test]
fn the_idl_of_another_program_id_names_that_id() {
    let other = Pubkey::new_from_array([7; 32]);
    let idl = greekhouse_idl(&other);
    let v: serde_json::Value = serde_json::from_str(&idl).unwrap();
    assert_eq!(v["address"], other.to_string());
    assert_eq!(
        greekhouse_idl(&greekhouse::ID),
        include_str!("../../../idl/greekhouse.json")
    );
}
