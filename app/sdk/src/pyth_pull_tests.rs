//! Against a recorded Hermes response (`app/sdk/fixtures/hermes/`): parsing, account
//! derivation and the instructions that post it.

use std::str::FromStr;

use super::*;

const USDC_LATEST: &str = include_str!("../fixtures/hermes/usdc_usd_latest.json");
const USDC_FEED: &str = "0xeaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a";
const SOL_FEED: &str = "0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";

fn usdc_update() -> SignedUpdate {
    let mut all = parse_hermes_response(USDC_LATEST).expect("the recorded response parses");
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[test]
fn a_recorded_hermes_update_parses_to_its_signed_price() {
    let u = usdc_update();
    assert_eq!(u.guardian_set_index(), 4);
    assert_eq!(u.signature_count(), 13);
    assert_eq!(u.feeds.len(), 1);
    let id = feed_id_from_hex(USDC_FEED).unwrap();
    let m = &u.feed(&id).expect("the USDC feed").message;
    assert_eq!(m.price, 100_000_966);
    assert_eq!(m.exponent, -8);
    assert_eq!(m.publish_time, 1_730_802_926);
    assert_eq!(m.ema_price, 99_999_889);
    assert!(m.prev_publish_time <= m.publish_time);
    assert!(u.feed(&feed_id_from_hex(SOL_FEED).unwrap()).is_none());

    // the same update hex-encoded (Hermes' default encoding)
    use base64::Engine;
    let v: serde_json::Value = serde_json::from_str(USDC_LATEST).unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(v["binary"]["data"][0].as_str().unwrap())
        .unwrap();
    let hex =
        serde_json::json!({"binary": {"encoding": "hex", "data": [feed_id_hex_bytes(&bytes)]}});
    let again = parse_hermes_response(&hex.to_string()).unwrap();
    assert_eq!(again[0].vaa, u.vaa);
}

fn feed_id_hex_bytes(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn what_is_not_an_update_is_refused_by_cause() {
    assert!(matches!(
        parse_hermes_response("{}"),
        Err(PullError::Response(_))
    ));
    assert!(matches!(
        parse_hermes_response(r#"{"binary":{"encoding":"base64","data":["UE5BVg=="]}}"#),
        Err(PullError::Accumulator(_))
    ));
    assert!(matches!(
        parse_hermes_response(r#"{"binary":{"encoding":"base64","data":["!"]}}"#),
        Err(PullError::Response(_))
    ));
    assert!(matches!(
        feed_id_from_hex("0x12"),
        Err(PullError::FeedId(_))
    ));
    assert!(matches!(
        feed_id_from_hex(&"zz".repeat(32)),
        Err(PullError::FeedId(_))
    ));
    assert_eq!(
        feed_id_hex(&feed_id_from_hex(USDC_FEED).unwrap()),
        USDC_FEED.trim_start_matches("0x")
    );
}

#[test]
fn the_sponsored_feed_account_derives_from_feed_id_and_shard() {
    // SOL/USD shard 0: the address Pyth publishes for its sponsored feed
    let sol = feed_id_from_hex(SOL_FEED).unwrap();
    assert_eq!(
        sponsored_feed_account(&sol, 0),
        Pubkey::from_str("7UVimffxr9ow1uXYxsr4LHAcV58mLzhmwaeKvJ1pjLiE").unwrap()
    );
    assert_ne!(
        sponsored_feed_account(&sol, 1),
        sponsored_feed_account(&sol, 0)
    );
}

#[test]
fn the_discriminators_are_the_anchor_names() {
    use sha2::Digest;
    let of = |name: &str| -> [u8; 8] {
        let h = sha2::Sha256::digest(format!("global:{name}").as_bytes());
        h[..8].try_into().unwrap()
    };
    assert_eq!(disc::INIT_ENCODED_VAA, of("init_encoded_vaa"));
    assert_eq!(disc::WRITE_ENCODED_VAA, of("write_encoded_vaa"));
    assert_eq!(disc::VERIFY_ENCODED_VAA_V1, of("verify_encoded_vaa_v1"));
    assert_eq!(disc::CLOSE_ENCODED_VAA, of("close_encoded_vaa"));
    assert_eq!(disc::POST_UPDATE, of("post_update"));
    assert_eq!(disc::RECLAIM_RENT, of("reclaim_rent"));
}

#[test]
fn the_post_plan_writes_verifies_posts_and_cleans_up_in_transactions_that_fit() {
    let u = usdc_update();
    let id = feed_id_from_hex(USDC_FEED).unwrap();
    let (payer, vaa_key, price_key) = (
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        Pubkey::new_unique(),
    );
    let rent = encoded_vaa_rent(&u);
    let plan = post_update_plan(payer, &u, &[id], vaa_key, rent, &[price_key], 7).unwrap();
    assert_eq!(plan.transactions.len(), 3);
    assert_eq!(plan.price_updates, vec![(id, price_key)]);

    // 1: create the encoded-VAA account (owned by Wormhole, header + VAA), init, first chunk
    let first = &plan.transactions[0];
    assert_eq!(first[0].program_id, anchor_lang::system_program::ID);
    let space = u64::from_le_bytes(first[0].data[12..20].try_into().unwrap());
    assert_eq!(space as usize, ENCODED_VAA_HEADER + u.vaa.len());
    assert_eq!(&first[0].data[20..52], WORMHOLE_PROGRAM.as_ref());
    assert_eq!(first[1].data, disc::INIT_ENCODED_VAA);
    // the writes put the VAA back together at their offsets
    let writes: Vec<&Instruction> = plan
        .transactions
        .iter()
        .flatten()
        .filter(|ix| ix.data.starts_with(&disc::WRITE_ENCODED_VAA))
        .collect();
    let mut rebuilt = vec![0u8; u.vaa.len()];
    for w in &writes {
        let at = u32::from_le_bytes(w.data[8..12].try_into().unwrap()) as usize;
        let len = u32::from_le_bytes(w.data[12..16].try_into().unwrap()) as usize;
        rebuilt[at..at + len].copy_from_slice(&w.data[16..16 + len]);
    }
    assert_eq!(rebuilt, u.vaa);
    // 2: verified against the guardian set that signed it
    let verify = plan.transactions[1].last().unwrap();
    assert_eq!(verify.data, disc::VERIFY_ENCODED_VAA_V1);
    assert_eq!(verify.accounts[2].pubkey, guardian_set_account(4));
    // 3: the feed's proof posted into the fresh account, which signs
    let post = &plan.transactions[2][0];
    assert_eq!(post.program_id, RECEIVER_PROGRAM);
    assert_eq!(post.accounts[1].pubkey, vaa_key);
    assert_eq!(post.accounts[3].pubkey, receiver_treasury(7));
    assert!(post.accounts[4].pubkey == price_key && post.accounts[4].is_signer);
    let params: PostUpdateParams = borsh::from_slice(&post.data[8..]).expect("the params decode");
    assert_eq!(params.treasury_id, 7);
    assert_eq!(params.merkle_price_update, u.feeds[0].merkle);
    // cleanup: the encoded VAA closed, the price update's rent reclaimed
    assert_eq!(plan.cleanup[0].data, disc::CLOSE_ENCODED_VAA);
    assert_eq!(plan.cleanup[1].data, disc::RECLAIM_RENT);
    assert_eq!(plan.cleanup[1].accounts[1].pubkey, price_key);

    // every transaction fits Solana's 1,232 bytes with the compute-budget instruction the chain
    // adds (about 45 bytes)
    for (i, ixs) in plan.transactions.iter().enumerate() {
        let tx = solana_transaction::Transaction::new_with_payer(ixs, Some(&payer));
        let signatures = tx.message.header.num_required_signatures as usize;
        let size = 1 + 64 * signatures + legacy_message_size(&tx.message);
        assert!(size + 45 <= 1_232, "transaction {i}: {size} bytes");
    }

    // a feed the update does not carry
    let sol = feed_id_from_hex(SOL_FEED).unwrap();
    assert!(matches!(
        post_update_plan(payer, &u, &[sol], vaa_key, rent, &[price_key], 0),
        Err(PullError::MissingFeed(_))
    ));
}

/// The wire size of a legacy message: header, keys, blockhash, compiled instructions (each
/// length a compact-u16, one byte below 128 and two below 16,384).
fn legacy_message_size(m: &solana_transaction::Message) -> usize {
    let compact = |n: usize| if n < 128 { 1 } else { 2 };
    let ixs: usize = m
        .instructions
        .iter()
        .map(|ix| {
            1 + compact(ix.accounts.len())
                + ix.accounts.len()
                + compact(ix.data.len())
                + ix.data.len()
        })
        .sum();
    3 + compact(m.account_keys.len())
        + 32 * m.account_keys.len()
        + 32
        + compact(m.instructions.len())
        + ixs
}

/// A chain that records what is sent and who signs.
struct Recorder {
    payer: Pubkey,
    sent: Vec<(Vec<Instruction>, Vec<Pubkey>)>,
}

impl crate::chain::Chain for Recorder {
    fn payer(&self) -> Pubkey {
        self.payer
    }
    fn account(
        &mut self,
        _: &Pubkey,
    ) -> Result<Option<solana_account::Account>, crate::chain::ChainError> {
        Ok(None)
    }
    fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&solana_keypair::Keypair],
    ) -> Result<crate::chain::TxOutcome, crate::chain::ChainError> {
        use solana_signer::Signer;
        self.sent.push((
            instructions.to_vec(),
            signers.iter().map(|k| k.pubkey()).collect(),
        ));
        Ok(Default::default())
    }
    fn unix_timestamp(&mut self) -> Result<i64, crate::chain::ChainError> {
        Ok(0)
    }
    fn program_accounts(
        &mut self,
        _: &[u8],
    ) -> Result<Vec<(Pubkey, solana_account::Account)>, crate::chain::ChainError> {
        Ok(vec![])
    }
}

#[test]
fn posting_sends_the_plan_in_order_each_transaction_signed_by_the_keys_it_creates() {
    let u = usdc_update();
    let id = feed_id_from_hex(USDC_FEED).unwrap();
    let mut chain = Recorder {
        payer: Pubkey::new_unique(),
        sent: vec![],
    };
    let posted = post(&mut chain, &u, &[id]).unwrap();
    assert_eq!(chain.sent.len(), 3);
    let (first, signers) = &chain.sent[0];
    // the encoded-VAA account is created by its own key, which signs only that transaction
    assert_eq!(signers, &vec![first[0].accounts[1].pubkey]);
    assert!(chain.sent[1].1.is_empty(), "the payer alone verifies");
    let price = posted.account_of(&id).unwrap();
    assert_eq!(chain.sent[2].1, vec![price]);
    assert_eq!(chain.sent[2].0[0].accounts[4].pubkey, price);
    // the payer is the write authority and receives the rent back
    assert_eq!(chain.sent[2].0[0].accounts[6].pubkey, chain.payer);
    assert_eq!(posted.cleanup[1].accounts[0].pubkey, chain.payer);
    assert_eq!(posted.account_of(&[0; 32]), None);
}
