//! Golden instructions for the TypeScript SDK: the governance, listing, insurance-staking and
//! writer-vault builders of [`crate::ix`] on fixed keys and arguments, written to
//! `sdk/ts/test/fixtures/instructions.json` (program id, account metas, data). The TS SDK's
//! `test/offline/admin-builders.test.mjs` builds the same instructions from the same inputs and
//! requires the same bytes. This test fails when the file differs from what the Rust SDK builds
//! now; `GREEKHOUSE_BLESS=1 cargo nextest run --workspace -E 'test(/ts_golden_instructions/)'`
//! rewrites it.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use base64::Engine;
use greekhouse::args::{CreateSeriesArgs, ListCollateralArgs};
use greekhouse::state::{CollateralWeights, GovValue, OpenInterestLimits};
use serde_json::{json, Value};

use crate::fixtures;
use crate::ix::{self, ChangeTarget, ClearinghouseRef};

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../sdk/ts/test/fixtures/instructions.json"
);

/// A fixed key per role, `[n; 32]`: the inputs both SDKs build from.
fn key(n: u8) -> Pubkey {
    Pubkey::new_from_array([n; 32])
}

struct Keys {
    ch: ClearinghouseRef,
    payer: Pubkey,
    admin: Pubkey,
    owner: Pubkey,
    token_account: Pubkey,
    underlying: Pubkey,
    oracle: Pubkey,
    mint: Pubkey,
    token_program: Pubkey,
}

fn keys() -> Keys {
    Keys {
        ch: ClearinghouseRef {
            clearinghouse: key(1),
            quote_mint: key(2),
            quote_vault: key(3),
            quote_token_program: key(4),
        },
        payer: key(5),
        admin: key(6),
        owner: key(7),
        token_account: key(8),
        underlying: key(9),
        oracle: key(10),
        mint: key(11),
        token_program: key(12),
    }
}

fn b58(k: &Pubkey) -> String {
    k.to_string()
}

fn target_json(t: &ChangeTarget) -> Value {
    let opt = |k: &Option<Pubkey>| k.as_ref().map(b58);
    json!({
        "underlying": opt(&t.underlying),
        "collateralAsset": opt(&t.collateral_asset),
        "priceUnderlying": opt(&t.price_underlying),
    })
}

fn case(name: &str, case: &str, inputs: Value, ix: Instruction) -> Value {
    let metas: Vec<Value> = ix
        .accounts
        .iter()
        .map(|m| json!([b58(&m.pubkey), m.is_signer, m.is_writable]))
        .collect();
    json!({
        "instruction": name,
        "case": case,
        "inputs": inputs,
        "programId": b58(&ix.program_id),
        "accounts": metas,
        "data": base64::engine::general_purpose::STANDARD.encode(&ix.data),
    })
}

fn golden() -> Value {
    let k = keys();
    let ch = k.ch.clearinghouse;
    let collateral_asset = crate::pda::collateral_asset(&ch, &k.mint);
    let targets = [
        (
            "the clearing house",
            ChangeTarget::clearinghouse(),
            GovValue::Guardian(key(13)),
        ),
        (
            "an underlying",
            ChangeTarget::underlying(k.underlying),
            GovValue::OpenInterest(OpenInterestLimits {
                open_interest_cap: 5_000_000_000,
                writer_share_bps: 2_500,
                _padding: 0,
            }),
        ),
        (
            "a collateral asset priced by an underlying",
            ChangeTarget::collateral(collateral_asset, Some(k.underlying)),
            GovValue::CollateralWeights(CollateralWeights {
                init_weight_bps: 8_000,
                maint_weight_bps: 9_000,
            }),
        ),
    ];
    let mut cases = Vec::new();
    for (i, (what, target, value)) in targets.into_iter().enumerate() {
        let change_id = 40 + i as u64;
        let inputs = json!({ "changeId": change_id, "target": target_json(&target) });
        cases.push(case(
            "queue_change",
            what,
            inputs.clone(),
            ix::queue_change(ch, k.payer, k.admin, change_id, target, value),
        ));
        cases.push(case(
            "execute_change",
            what,
            inputs,
            ix::execute_change(ch, k.payer, change_id, target),
        ));
    }
    cases.push(case(
        "cancel_change",
        "by the guardian",
        json!({ "changeId": 41 }),
        ix::cancel_change(ch, k.admin, 41),
    ));
    let oracle = fixtures::legacy_oracle(key(14), k.oracle);
    cases.push(case(
        "list_underlying",
        "a legacy feed",
        json!({ "id": 3 }),
        ix::list_underlying(
            ch,
            k.payer,
            k.admin,
            fixtures::underlying_args(3, "ETH", oracle, key(15), 1_000_000, 10_000),
        ),
    ));
    let collateral = ListCollateralArgs {
        price_source: 1,
        init_weight_bps: 7_000,
        maint_weight_bps: 8_000,
        deposit_cap: 1_000_000_000_000,
    };
    for (what, price_underlying) in [
        ("priced by an underlying", Some(k.underlying)),
        ("pegged", None),
    ] {
        cases.push(case(
            "list_collateral",
            what,
            json!({ "priceUnderlying": price_underlying.as_ref().map(b58) }),
            ix::list_collateral(
                ch,
                k.payer,
                k.admin,
                k.mint,
                k.token_program,
                price_underlying,
                collateral.clone(),
            ),
        ));
    }
    cases.push(case(
        "create_series",
        "a put",
        json!({ "kind": 1, "strike": 150_000_000u64, "expiry": 1_767_254_400i64 }),
        ix::create_series(
            ch,
            k.payer,
            k.underlying,
            k.oracle,
            CreateSeriesArgs {
                kind: 1,
                strike: 150_000_000,
                expiry: 1_767_254_400,
                style: 0,
            },
        ),
    ));
    cases.push(case(
        "open_insurance_stake",
        "paid by another key",
        json!({}),
        ix::open_insurance_stake(ch, k.payer, k.owner),
    ));
    cases.push(case(
        "stake",
        "three underlyings",
        json!({ "amount": 2_500_000_000u64, "underlyingCount": 3 }),
        ix::stake(&k.ch, k.owner, k.token_account, 2_500_000_000, 3),
    ));
    cases.push(case(
        "request_unstake",
        "some shares",
        json!({ "shares": 1_234_567u64 }),
        ix::request_unstake(ch, k.owner, 1_234_567),
    ));
    cases.push(case(
        "cancel_unstake",
        "the pending request",
        json!({}),
        ix::cancel_unstake(ch, k.owner),
    ));
    cases.push(case(
        "unstake",
        "into a token account",
        json!({}),
        ix::unstake(&k.ch, k.owner, k.token_account),
    ));
    cases.push(case(
        "donate",
        "from a token account",
        json!({ "amount": 7_000_000u64 }),
        ix::donate(&k.ch, k.payer, k.token_account, 7_000_000),
    ));
    // writer vaults (docs/vaults.md): vault 3 on the underlying; the owner as LP, buyer and
    // holder; a margin account in the remaining accounts where the program takes them
    let v = crate::vault::VaultRef::new(k.ch, 3, k.underlying);
    let margin =
        vec![anchor_lang::solana_program::instruction::AccountMeta::new_readonly(k.oracle, false)];
    cases.push(case(
        "create_vault",
        "the test kit's policy",
        json!({ "index": 3 }),
        crate::vault::create_vault(&v, k.payer, k.admin, 3, golden_vault_policy()),
    ));
    cases.push(case(
        "vault_deposit",
        "with a margin account",
        json!({ "index": 3, "amount": 5_000_000_000u64 }),
        crate::vault::vault_deposit(
            &v,
            k.owner,
            k.token_account,
            k.mint,
            5_000_000_000,
            margin.clone(),
        ),
    ));
    cases.push(case(
        "request_vault_withdraw",
        "some shares",
        json!({ "index": 3, "shares": 1_000_000u64 }),
        crate::vault::request_vault_withdraw(&v, k.payer, k.owner, k.mint, 1_000_000),
    ));
    cases.push(case(
        "cancel_vault_withdraw",
        "the pending request",
        json!({ "index": 3 }),
        crate::vault::cancel_vault_withdraw(&v, k.owner, k.mint),
    ));
    cases.push(case(
        "vault_withdraw",
        "with a margin account",
        json!({ "index": 3 }),
        crate::vault::vault_withdraw(&v, k.owner, k.token_account, margin.clone()),
    ));
    cases.push(case(
        "vault_buy",
        "two contracts",
        json!({ "index": 3, "contracts": 2u64, "maxPrice": 9_000_000u64 }),
        crate::vault::vault_buy(
            &v,
            k.owner,
            k.token_account,
            k.oracle,
            k.mint,
            2,
            9_000_000,
            margin.clone(),
        ),
    ));
    cases.push(case(
        "vault_sell_back",
        "one contract",
        json!({ "index": 3, "contracts": 1u64, "minPrice": 4_000_000u64 }),
        crate::vault::vault_sell_back(
            &v,
            k.owner,
            k.mint,
            k.oracle,
            k.token_account,
            1,
            4_000_000,
            margin,
        ),
    ));
    json!({
        "keys": {
            "clearinghouse": b58(&ch),
            "quoteMint": b58(&k.ch.quote_mint),
            "quoteVault": b58(&k.ch.quote_vault),
            "quoteTokenProgram": b58(&k.ch.quote_token_program),
            "payer": b58(&k.payer),
            "admin": b58(&k.admin),
            "owner": b58(&k.owner),
            "tokenAccount": b58(&k.token_account),
            "underlying": b58(&k.underlying),
            "oracle": b58(&k.oracle),
            "mint": b58(&k.mint),
            "tokenProgram": b58(&k.token_program),
        },
        "cases": cases,
    })
}

/// The scenario kit's vault policy, spelled out here (the SDK does not depend on the kit).
fn golden_vault_policy() -> greekhouse::state::VaultPolicy {
    greekhouse::state::VaultPolicy {
        deposit_cap: 1_000_000_000_000,
        min_tenor_secs: 86_400,
        max_tenor_secs: 60 * 86_400,
        min_strike_bps: 5_000,
        max_strike_bps: 20_000,
        withdraw_cooldown_secs: 86_400,
        max_utilisation_bps: 8_000,
        spread_bps: 200,
        allowed_kinds: 0b11,
        _padding: [0; 7],
    }
}

#[test]
fn ts_golden_instructions_are_the_rust_sdks() {
    let text = serde_json::to_string_pretty(&golden()).unwrap() + "\n";
    if std::env::var_os("GREEKHOUSE_BLESS").is_some() {
        std::fs::write(PATH, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == text,
        "sdk/ts/test/fixtures/instructions.json differs from the Rust SDK's instructions: \
         regenerate it with \
         `GREEKHOUSE_BLESS=1 cargo nextest run --workspace -E 'test(/ts_golden_instructions/)'`"
    );
}
