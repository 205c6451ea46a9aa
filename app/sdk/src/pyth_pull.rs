//! Pyth pull feeds on Solana: where a feed's sponsored `PriceUpdateV2` account is, what a
//! Hermes update holds, and the instructions that post one with full verification ahead of the
//! Greekhouse instruction that reads it.
//!
//! Two kinds of `PriceUpdateV2` account carry a pull feed, and the program accepts either (any
//! account of the receiver program with the configured feed id and full verification):
//!
//! - the **sponsored** account, kept fresh by Pyth's push-oracle program, at the PDA of seeds
//!   `[shard_id as u16 LE, feed_id]` under that program ([`sponsored_feed_account`]);
//! - an account the caller **posts** from a Hermes update ([`post_update_plan`]): the update's
//!   Wormhole VAA is written to an encoded-VAA account and verified by the Wormhole program (every
//!   guardian signature: the program requires `VerificationLevel::Full`, which the one-transaction
//!   `post_update_atomic` with its trimmed signatures cannot give), then the receiver's
//!   `post_update` proves each feed's message against the verified root into a fresh account.
//!
//! Instruction layouts are the Anchor programs' (discriminators checked against their names in
//! the tests); nothing here talks to the network (the Hermes client is [`crate::hermes`]).

use anchor_lang::prelude::borsh;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use pyth_solana_receiver_sdk::price_update::PriceFeedMessage;
use pyth_solana_receiver_sdk::PostUpdateParams;
use pythnet_sdk::messages::Message;
use pythnet_sdk::wire::v1::{AccumulatorUpdateData, MerklePriceUpdate, Proof};

/// Pyth's receiver program (owner of every `PriceUpdateV2` account).
pub const RECEIVER_PROGRAM: Pubkey = pyth_solana_receiver_sdk::ID;
/// Pyth's push-oracle program (the sponsored feed accounts' PDAs).
pub const PUSH_ORACLE_PROGRAM: Pubkey = pyth_solana_receiver_sdk::PYTH_PUSH_ORACLE_ID;
/// The Wormhole core bridge the receiver verifies VAAs with (same address on every SVM cluster).
pub const WORMHOLE_PROGRAM: Pubkey =
    anchor_lang::pubkey!("HDwcJBJXjL9FpJ7UBsYBtaDjsBUhuLCUYoz3zr8SWWaQ");

/// Bytes of an encoded-VAA account before the VAA: discriminator 8, status 1, write authority
/// 32, version 1, VAA length 4.
pub const ENCODED_VAA_HEADER: usize = 46;
/// The most VAA bytes one `write_encoded_vaa` carries here: the first write shares its
/// transaction with the account's creation and initialisation, without a lookup table.
pub const VAA_WRITE_CHUNK: usize = 600;

/// Anchor instruction discriminators (the first 8 bytes of sha256("global:<name>")).
mod disc {
    pub const INIT_ENCODED_VAA: [u8; 8] = [209, 193, 173, 25, 91, 202, 181, 218];
    pub const WRITE_ENCODED_VAA: [u8; 8] = [199, 208, 110, 177, 150, 76, 118, 42];
    pub const VERIFY_ENCODED_VAA_V1: [u8; 8] = [103, 56, 177, 229, 240, 103, 68, 73];
    pub const CLOSE_ENCODED_VAA: [u8; 8] = [48, 221, 174, 198, 231, 7, 152, 38];
    pub const POST_UPDATE: [u8; 8] = [133, 95, 207, 175, 11, 79, 118, 44];
    pub const RECLAIM_RENT: [u8; 8] = [218, 200, 19, 197, 227, 89, 192, 22];
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PullError {
    #[error("feed id {0:?}: expected 64 hex digits (an optional 0x first)")]
    FeedId(String),
    #[error("not a Pyth accumulator update: {0}")]
    Accumulator(String),
    #[error("a message of the update does not decode: {0}")]
    Message(String),
    #[error("the update has no message for feed {0}")]
    MissingFeed(String),
    #[error("Hermes response: {0}")]
    Response(String),
}

/// The feed id of `hex` (`0x` optional).
pub fn feed_id_from_hex(hex: &str) -> Result<[u8; 32], PullError> {
    let digits = hex.trim().trim_start_matches("0x");
    let bad = || PullError::FeedId(hex.to_string());
    if digits.len() != 64 {
        return Err(bad());
    }
    let mut id = [0u8; 32];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(id)
}

pub fn feed_id_hex(id: &[u8; 32]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sponsored `PriceUpdateV2` account of `feed_id` in shard `shard` (Pyth keeps shard 0 of
/// its sponsored feeds fresh; other shards exist for whoever updates them).
pub fn sponsored_feed_account(feed_id: &[u8; 32], shard: u16) -> Pubkey {
    Pubkey::find_program_address(&[&shard.to_le_bytes(), feed_id], &PUSH_ORACLE_PROGRAM).0
}

/// The Wormhole guardian set account of `index`.
pub fn guardian_set_account(index: u32) -> Pubkey {
    Pubkey::find_program_address(&[b"GuardianSet", &index.to_be_bytes()], &WORMHOLE_PROGRAM).0
}

/// One feed's part of an update: its message and the proof of it.
#[derive(Clone, Debug)]
pub struct FeedUpdate {
    pub message: PriceFeedMessage,
    pub merkle: MerklePriceUpdate,
}

/// A Hermes update: one signed VAA (the accumulator root) and the feeds proven against it.
#[derive(Clone, Debug)]
pub struct SignedUpdate {
    pub vaa: Vec<u8>,
    pub feeds: Vec<FeedUpdate>,
}

impl SignedUpdate {
    /// Decode an accumulator update (`PNAU` ...), as Hermes serves it in `binary.data`.
    pub fn from_accumulator(bytes: &[u8]) -> Result<Self, PullError> {
        let data = AccumulatorUpdateData::try_from_slice(bytes)
            .map_err(|e| PullError::Accumulator(format!("{e:?}")))?;
        let Proof::WormholeMerkle { vaa, updates } = data.proof;
        let feeds = updates
            .into_iter()
            .map(|merkle| {
                let bytes: &[u8] = merkle.message.as_ref();
                match pythnet_sdk::wire::from_slice::<byteorder::BE, Message>(bytes) {
                    Ok(Message::PriceFeedMessage(m)) => Ok(FeedUpdate {
                        message: PriceFeedMessage {
                            feed_id: m.feed_id,
                            price: m.price,
                            conf: m.conf,
                            exponent: m.exponent,
                            publish_time: m.publish_time,
                            prev_publish_time: m.prev_publish_time,
                            ema_price: m.ema_price,
                            ema_conf: m.ema_conf,
                        },
                        merkle,
                    }),
                    Ok(_) => Err(PullError::Message("not a price feed message".into())),
                    Err(e) => Err(PullError::Message(e.to_string())),
                }
            })
            .collect::<Result<_, _>>()?;
        let vaa: Vec<u8> = vaa.into();
        if vaa.len() < 6 {
            return Err(PullError::Accumulator("VAA shorter than its header".into()));
        }
        Ok(Self { vaa, feeds })
    }

    /// The guardian set that signed the VAA (big-endian after the version byte).
    pub fn guardian_set_index(&self) -> u32 {
        u32::from_be_bytes([self.vaa[1], self.vaa[2], self.vaa[3], self.vaa[4]])
    }

    pub fn signature_count(&self) -> u8 {
        self.vaa[5]
    }

    pub fn feed(&self, id: &[u8; 32]) -> Option<&FeedUpdate> {
        self.feeds.iter().find(|f| &f.message.feed_id == id)
    }
}

/// The updates of a Hermes `/v2/updates/price/...` response (`binary.encoding` base64 or hex).
pub fn parse_hermes_response(json: &str) -> Result<Vec<SignedUpdate>, PullError> {
    use base64::Engine;
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| PullError::Response(e.to_string()))?;
    let binary = &v["binary"];
    let encoding = binary["encoding"].as_str().unwrap_or("hex");
    let data = binary["data"]
        .as_array()
        .ok_or_else(|| PullError::Response("no binary.data array".into()))?;
    data.iter()
        .map(|d| {
            let text = d
                .as_str()
                .ok_or_else(|| PullError::Response("binary.data holds a non-string".into()))?;
            let bytes = match encoding {
                "base64" => base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .map_err(|e| PullError::Response(format!("base64: {e}")))?,
                "hex" => hex_bytes(text)
                    .ok_or_else(|| PullError::Response("binary.data is not hex".into()))?,
                other => return Err(PullError::Response(format!("encoding {other:?}"))),
            };
            SignedUpdate::from_accumulator(&bytes)
        })
        .collect()
}

fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let t = text.trim_start_matches("0x");
    t.len().is_multiple_of(2).then_some(())?;
    (0..t.len() / 2)
        .map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// The receiver's configuration account and treasury `id` (fees are paid into one of 256).
pub fn receiver_config() -> Pubkey {
    pyth_solana_receiver_sdk::pda::get_config_address()
}

pub fn receiver_treasury(id: u8) -> Pubkey {
    pyth_solana_receiver_sdk::pda::get_treasury_address(id)
}

/// The transactions that post a verified update, in order, and the cleanup after the
/// instruction that read it.
pub struct PostPlan {
    /// Each inner list is one transaction; the payer signs all, the encoded-VAA key the first,
    /// and each price-update key the transaction posting it.
    pub transactions: Vec<Vec<Instruction>>,
    /// The `PriceUpdateV2` account posted for each feed, in the order asked.
    pub price_updates: Vec<([u8; 32], Pubkey)>,
    /// Closes the encoded VAA and the price-update accounts, returning their rent to the payer.
    pub cleanup: Vec<Instruction>,
}

/// Post `feeds` of `update`: the encoded-VAA account `encoded_vaa` (a fresh key, funded with
/// `vaa_rent` lamports) is created, written and verified; then each feed is posted to its own
/// fresh account (`price_update_keys`, one per feed). `payer` pays and is the write authority.
pub fn post_update_plan(
    payer: Pubkey,
    update: &SignedUpdate,
    feeds: &[[u8; 32]],
    encoded_vaa: Pubkey,
    vaa_rent: u64,
    price_update_keys: &[Pubkey],
    treasury_id: u8,
) -> Result<PostPlan, PullError> {
    let vaa = &update.vaa;
    let size = (ENCODED_VAA_HEADER + vaa.len()) as u64;
    let mut first = vec![
        create_account(payer, encoded_vaa, vaa_rent, size, WORMHOLE_PROGRAM),
        wormhole_ix(
            disc::INIT_ENCODED_VAA,
            vec![
                AccountMeta::new_readonly(payer, true),
                AccountMeta::new(encoded_vaa, false),
            ],
            vec![],
        ),
    ];
    let mut second = Vec::new();
    for (i, chunk) in vaa.chunks(VAA_WRITE_CHUNK).enumerate() {
        let index = (i * VAA_WRITE_CHUNK) as u32;
        let mut args = index.to_le_bytes().to_vec();
        args.extend((chunk.len() as u32).to_le_bytes());
        args.extend_from_slice(chunk);
        let ix = wormhole_ix(
            disc::WRITE_ENCODED_VAA,
            vec![
                AccountMeta::new_readonly(payer, true),
                AccountMeta::new(encoded_vaa, false),
            ],
            args,
        );
        if i == 0 { &mut first } else { &mut second }.push(ix);
    }
    second.push(wormhole_ix(
        disc::VERIFY_ENCODED_VAA_V1,
        vec![
            AccountMeta::new_readonly(payer, true),
            AccountMeta::new(encoded_vaa, false),
            AccountMeta::new_readonly(guardian_set_account(update.guardian_set_index()), false),
        ],
        vec![],
    ));
    let mut transactions = vec![first, second];
    let mut price_updates = Vec::new();
    let mut cleanup = vec![wormhole_ix(
        disc::CLOSE_ENCODED_VAA,
        vec![
            AccountMeta::new(payer, true),
            AccountMeta::new(encoded_vaa, false),
        ],
        vec![],
    )];
    for (id, account) in feeds.iter().zip(price_update_keys) {
        let feed = update
            .feed(id)
            .ok_or_else(|| PullError::MissingFeed(feed_id_hex(id)))?;
        let params = PostUpdateParams {
            merkle_price_update: feed.merkle.clone(),
            treasury_id,
        };
        let mut data = disc::POST_UPDATE.to_vec();
        data.extend(borsh::to_vec(&params).expect("borsh of owned data"));
        transactions.push(vec![Instruction {
            program_id: RECEIVER_PROGRAM,
            accounts: vec![
                AccountMeta::new(payer, true),
                AccountMeta::new_readonly(encoded_vaa, false),
                AccountMeta::new_readonly(receiver_config(), false),
                AccountMeta::new(receiver_treasury(treasury_id), false),
                AccountMeta::new(*account, true),
                AccountMeta::new_readonly(anchor_lang::system_program::ID, false),
                AccountMeta::new_readonly(payer, true),
            ],
            data,
        }]);
        cleanup.push(Instruction {
            program_id: RECEIVER_PROGRAM,
            accounts: vec![
                AccountMeta::new(payer, true),
                AccountMeta::new(*account, false),
            ],
            data: disc::RECLAIM_RENT.to_vec(),
        });
        price_updates.push((*id, *account));
    }
    if price_updates.len() != feeds.len() {
        return Err(PullError::Response(format!(
            "{} feeds asked, {} price-update keys given",
            feeds.len(),
            price_update_keys.len()
        )));
    }
    Ok(PostPlan {
        transactions,
        price_updates,
        cleanup,
    })
}

fn wormhole_ix(discriminator: [u8; 8], accounts: Vec<AccountMeta>, args: Vec<u8>) -> Instruction {
    let mut data = discriminator.to_vec();
    data.extend(args);
    Instruction {
        program_id: WORMHOLE_PROGRAM,
        accounts,
        data,
    }
}

/// The system program's `CreateAccount` (instruction 0: lamports, space, owner).
fn create_account(
    from: Pubkey,
    to: Pubkey,
    lamports: u64,
    space: u64,
    owner: Pubkey,
) -> Instruction {
    let mut data = 0u32.to_le_bytes().to_vec();
    data.extend(lamports.to_le_bytes());
    data.extend(space.to_le_bytes());
    data.extend(owner.to_bytes());
    Instruction {
        program_id: anchor_lang::system_program::ID,
        accounts: vec![AccountMeta::new(from, true), AccountMeta::new(to, true)],
        data,
    }
}

/// The rent-exempt balance of an encoded-VAA account for `update` (the default rent, which
/// every public cluster uses).
pub fn encoded_vaa_rent(update: &SignedUpdate) -> u64 {
    anchor_lang::prelude::Rent::default().minimum_balance(ENCODED_VAA_HEADER + update.vaa.len())
}

/// What [`post`] left on chain: the `PriceUpdateV2` account of each feed, and the instructions
/// that close them (and the encoded VAA) once the instruction that read them has landed.
pub struct Posted {
    pub price_updates: Vec<([u8; 32], Pubkey)>,
    pub cleanup: Vec<Instruction>,
}

impl Posted {
    /// The posted account of `feed`.
    pub fn account_of(&self, feed: &[u8; 32]) -> Option<Pubkey> {
        self.price_updates
            .iter()
            .find(|(f, _)| f == feed)
            .map(|(_, k)| *k)
    }
}

/// Post `feeds` of `update` through `chain` (its payer pays and is the write authority), one
/// transaction after another ([`post_update_plan`], fresh keys for the encoded VAA and each
/// price update): afterwards each feed's fully verified `PriceUpdateV2` account exists, ready
/// for the Greekhouse instruction that reads it.
pub fn post<C: crate::chain::Chain + ?Sized>(
    chain: &mut C,
    update: &SignedUpdate,
    feeds: &[[u8; 32]],
) -> Result<Posted, crate::chain::ChainError> {
    use solana_keypair::Keypair;
    use solana_signer::Signer;
    let payer = chain.payer();
    let vaa_key = Keypair::new();
    let price_keys: Vec<Keypair> = feeds.iter().map(|_| Keypair::new()).collect();
    let keys: Vec<Pubkey> = price_keys.iter().map(|k| k.pubkey()).collect();
    // spread the receiver's fee writes over its treasuries by payer
    let treasury_id = payer.to_bytes()[0];
    let plan = post_update_plan(
        payer,
        update,
        feeds,
        vaa_key.pubkey(),
        encoded_vaa_rent(update),
        &keys,
        treasury_id,
    )
    .map_err(|e| crate::chain::ChainError::Backend(e.to_string()))?;
    for (i, tx) in plan.transactions.iter().enumerate() {
        let signer: Option<&Keypair> = match i {
            0 => Some(&vaa_key),
            1 => None,
            n => price_keys.get(n - 2),
        };
        chain.send(tx, signer.as_slice())?;
    }
    Ok(Posted {
        price_updates: plan.price_updates,
        cleanup: plan.cleanup,
    })
}

#[cfg(test)]
#[path = "pyth_pull_tests.rs"]
mod tests;
