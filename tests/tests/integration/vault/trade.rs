//! The buyers' side: `vault_buy` at mark plus the spread within the policy, utilisation and IM;
//! `vault_sell_back` at mark less the spread against the vault's short.
use super::*;

use greekhouse::state::pause;
use greekhouse_sdk::vault as vx;
use greekhouse_testkit::scenario::SPL_TOKEN;
use solana_signer::Signer;

#[test]
fn a_buy_writes_from_the_vault_at_mark_plus_spread_and_delivers_the_tokens() {
    let (mut env, v) = world();
    lps(&mut env, &v, &[10_000]);
    let call = sol_series(&mut env, 0, 160, 7);
    let buyer = env.vault_user(&v, usd(1_000));
    env.advance(1);
    env.publish_prices();
    let m = mark(&mut env, &call, 10);
    let price = spread_price(m, 10_200, Rounding::Up);
    let fee = env.expected_write_fee(&call, 10);
    assert!(fee > 0 && price > fee);
    expect_err(
        env.vault_buy(&v, &buyer, &call, 10, price - 1),
        E::VaultPriceAboveLimit,
    );

    // the SDK's flow projects the price by the program's own action, and refuses as it does
    let recipient = env.option_ata(&buyer.owner.pubkey(), &call);
    let (b, q) = (buyer.owner.pubkey(), buyer.quote_ata);
    let p = env.with_flow(|chain, cx| {
        greekhouse_sdk::vault_flows::buy(chain, cx, &v, b, q, call, recipient, 10, price - 1)
    });
    assert!(p.unwrap().refusal.is_some());
    let p = env
        .with_flow(|chain, cx| {
            greekhouse_sdk::vault_flows::buy(chain, cx, &v, b, q, call, recipient, 10, price)
        })
        .unwrap();
    assert!(p.refusal.is_none());
    assert_eq!(p.price, price);
    let out = env.chain.send(&[p.instruction], &[&buyer.owner]).unwrap();
    assert_eq!(event_names(&out), vec!["VaultSold"]);
    let ev = event::<VaultSold>(&out);
    assert_eq!(
        (ev.vault, ev.series, ev.buyer),
        (v.vault, call, buyer.owner.pubkey())
    );
    assert_eq!(
        (ev.contracts, ev.price, ev.fee, ev.short_after),
        (10, price, fee, 10)
    );
    assert_eq!(u128::from(ev.mark), m.to_int(Rounding::Up).unwrap() as u128);
    assert!(ev.utilisation_bps > 0 && ev.utilisation_bps <= 8_000);
    assert_eq!(env.wallet_quote(&buyer.quote_ata), usd(1_000) - price);
    assert_eq!(env.option_balance(&buyer.owner.pubkey(), &call), 10);
    let w = env.writer_state(&v.writer_account);
    assert_eq!(w.quote_balance, (usd(10_000) + price - fee) as i64);
    assert_eq!(env.short_of(&v.writer_account, &call), 10);
    assert_eq!(env.vault_state(&v).premiums_total, price);
    assert_eq!(env.fees_accrued_total(), fee);
    assert_eq!(env.series_state(&call).open_interest, 10);
    assert_eq!(env.series_supply(&call), 10);
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
}

#[test]
fn a_buy_outside_the_vaults_policy_is_refused() {
    let policy = VaultPolicy {
        allowed_kinds: 0b01,
        max_tenor_secs: 10 * DAY as u32,
        min_strike_bps: 9_000,
        max_strike_bps: 12_000,
        ..default_vault_policy()
    };
    let (mut env, v) = world_with(policy);
    lps(&mut env, &v, &[10_000]);
    let buyer = env.vault_user(&v, usd(1_000));
    let put = sol_series(&mut env, 1, 150, 7);
    expect_err(
        env.vault_buy(&v, &buyer, &put, 1, u64::MAX),
        E::VaultKindNotAllowed,
    );
    let long = sol_series(&mut env, 0, 160, 30);
    expect_err(
        env.vault_buy(&v, &buyer, &long, 1, u64::MAX),
        E::VaultTenorOutOfPolicy,
    );
    for strike in [130, 190] {
        let s = sol_series(&mut env, 0, strike, 7);
        expect_err(
            env.vault_buy(&v, &buyer, &s, 1, u64::MAX),
            E::VaultStrikeOutOfPolicy,
        );
    }
    // the vault sells SOL only: naming BTC as its underlying is refused
    let forged = VaultRef {
        underlying: env.btc.key,
        ..v
    };
    let (btc, now) = (env.btc, env.now());
    let btc_call = env
        .create_series(btc, 0, usd(95_000), expiry_after(now, 7))
        .unwrap();
    expect_err(
        env.vault_buy(&forged, &buyer, &btc_call, 1, u64::MAX),
        E::VaultUnderlyingMismatch,
    );
    assert_eq!(env.writer_state(&v.writer_account).position_count(), 0);
    assert_eq!(env.wallet_quote(&buyer.quote_ata), usd(1_000));
    // within the policy it sells
    let ok = sol_series(&mut env, 0, 160, 7);
    env.vault_buy(&v, &buyer, &ok, 1, u64::MAX).unwrap();
}

#[test]
fn a_buy_is_refused_when_paused_stale_above_im_or_with_foreign_accounts() {
    let (mut env, v) = world_with(VaultPolicy {
        max_utilisation_bps: 10_000,
        ..default_vault_policy()
    });
    lps(&mut env, &v, &[1_000]);
    let call = sol_series(&mut env, 0, 150, 7);
    let buyer = env.vault_user(&v, usd(100_000));
    env.pause(pause::WRITE);
    expect_err(env.vault_buy(&v, &buyer, &call, 1, u64::MAX), E::Paused);
    env.unpause(pause::WRITE);
    expect_err(
        env.vault_buy(&v, &buyer, &call, 1_000, u64::MAX),
        E::InitialMarginBreach,
    );
    env.advance(120);
    expect_err(
        env.vault_buy(&v, &buyer, &call, 1, u64::MAX),
        E::OracleStale,
    );
    env.publish_prices();

    // paying from another's quote account
    let other = env.vault_user(&v, usd(1_000));
    let recipient = env.option_ata(&buyer.owner.pubkey(), &call);
    let s = env.series_state(&call);
    let state = env.writer_state(&v.writer_account);
    let after =
        greekhouse_sdk::margin::with_added_short(&state, &s.short_template(call), 1).unwrap();
    let remaining = env.margin_accounts(after);
    let ix = vx::vault_buy(
        &v,
        buyer.owner.pubkey(),
        other.quote_ata,
        call,
        recipient,
        1,
        u64::MAX,
        remaining,
    );
    expect_err(env.chain.send(&[ix], &[&buyer.owner]), E::WrongTokenOwner);
    // another vault's writer account
    let (v2, _) = env.create_vault(1, default_vault_policy()).unwrap();
    let forged = VaultRef {
        writer_account: v2.writer_account,
        ..v
    };
    expect_err(
        env.vault_buy(&forged, &buyer, &call, 1, u64::MAX),
        E::WrongVaultWriterAccount,
    );
    assert_eq!(env.option_balance(&buyer.owner.pubkey(), &call), 0);
    env.vault_buy(&v, &buyer, &call, 1, u64::MAX).unwrap();
    assert_eq!(env.option_balance(&buyer.owner.pubkey(), &call), 1);
}

#[test]
fn a_sell_back_burns_against_the_vaults_short_at_mark_less_spread() {
    let (mut env, v) = world();
    lps(&mut env, &v, &[10_000]);
    let call = sol_series(&mut env, 0, 160, 7);
    let holder = env.vault_user(&v, usd(1_000));
    env.vault_buy(&v, &holder, &call, 10, u64::MAX).unwrap();
    // five more tokens of the series from an ordinary writer
    let w = env.writer(usd(10_000), 0);
    env.deposit_quote(&w, usd(5_000)).unwrap();
    let s = env.series_state(&call);
    let holder_options = env
        .chain
        .token_account(&holder.owner.pubkey(), &s.option_mint, &SPL_TOKEN)
        .unwrap();
    env.write_to(&w, &call, 5, holder_options).unwrap();
    env.advance(1);
    env.publish_prices();

    let price = spread_price(mark(&mut env, &call, 4), 9_800, Rounding::Down);
    assert!(price > 0);
    expect_err(
        env.vault_sell_back(&v, &holder, &call, 4, price + 1),
        E::VaultPriceBelowLimit,
    );
    expect_err(
        env.vault_sell_back(&v, &holder, &call, 11, 0),
        E::InsufficientShort,
    );
    expect_err(env.vault_sell_back(&v, &holder, &call, 0, 0), E::ZeroAmount);
    let wallet = env.wallet_quote(&holder.quote_ata);
    let quote = env.writer_state(&v.writer_account).quote_balance;

    let (h, q) = (holder.owner.pubkey(), holder.quote_ata);
    let p = env
        .with_flow(|chain, cx| {
            greekhouse_sdk::vault_flows::sell_back(
                chain,
                cx,
                &v,
                h,
                holder_options,
                call,
                q,
                4,
                price,
            )
        })
        .unwrap();
    assert_eq!((p.price, p.refusal.is_none()), (price, true));
    let out = env.vault_sell_back(&v, &holder, &call, 4, price).unwrap();
    let ev = event::<VaultBoughtBack>(&out);
    assert_eq!((ev.contracts, ev.price, ev.short_after), (4, price, 6));
    assert_eq!(env.wallet_quote(&holder.quote_ata), wallet + price);
    assert_eq!(env.option_balance(&holder.owner.pubkey(), &call), 11);
    assert_eq!(env.short_of(&v.writer_account, &call), 6);
    assert_eq!(
        env.writer_state(&v.writer_account).quote_balance,
        quote - price as i64
    );
    assert_eq!(env.series_state(&call).open_interest, 11);
    assert_eq!(env.series_supply(&call), 11);
    assert_eq!(env.vault_state(&v).sell_backs_total, price);
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
}

/// An American put sold by the vault and exercised by its buyer leaves the vault's account an
/// exercise to accrue: the next buy is refused bare (`ExerciseNotAccrued`) and lands with the
/// accrual first in its transaction (`accrual::accrue_first`, as `greekhouse vault buy` sends
/// it), projected on the accrued account.
#[test]
fn a_buy_after_an_exercise_of_the_vaults_short_sends_its_accrual_first() {
    use greekhouse_sdk::{accrual, vault_flows};
    let (mut env, v) = world();
    lps(&mut env, &v, &[10_000]);
    let expiry = expiry_after(env.now(), 7);
    let sol = env.sol;
    let put = env
        .create_american_series(sol, 1, usd(160), expiry)
        .unwrap();
    let buyer = env.vault_user(&v, usd(5_000));
    env.advance(1);
    env.publish_prices();
    env.vault_buy(&v, &buyer, &put, 4, u64::MAX).unwrap();
    assert_eq!(env.short_of(&v.writer_account, &put), 4);
    // in the money at 150: one token exercised
    env.exercise(&buyer.owner, &buyer.quote_ata, &put, 1)
        .unwrap();
    expect_err(
        env.vault_buy(&v, &buyer, &put, 1, u64::MAX),
        E::ExerciseNotAccrued,
    );
    let recipient = env.option_ata(&buyer.owner.pubkey(), &put);
    let (b, q) = (buyer.owner.pubkey(), buyer.quote_ata);
    let (p, accruals) = env.with_flow(|chain, cx| {
        let (mut view, accruals) = accrual::accrue_first(chain, &v.writer_account).unwrap();
        let p = vault_flows::buy(&mut view, cx, &v, b, q, put, recipient, 1, u64::MAX).unwrap();
        (p, accruals)
    });
    assert_eq!(accruals.len(), 1);
    assert!(p.refusal.is_none(), "{:?}", p.refusal);
    let mut ixs = accruals;
    ixs.push(p.instruction);
    let out = env.chain.send(&ixs, &[&buyer.owner]).unwrap();
    let names = event_names(&out);
    assert_eq!(names[0], "ExerciseAccrued", "{names:?}");
    assert!(names.contains(&"VaultSold"), "{names:?}");
    assert_eq!(event::<VaultSold>(&out).price, p.price);
    // 4 sold, one exercised (the vault's the only short: 3 left), one more sold
    assert_eq!(env.short_of(&v.writer_account, &put), 4);
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
}
