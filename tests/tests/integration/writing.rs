//! Series creation, writing and burning: decoded state and events on success, one test per
//! refusal with its exact error, and agreement of the program's margin with the SDK's.
use crate::harness;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use greekhouse::errors::GreekhouseError as E;
use greekhouse::instructions::CreateSeriesArgs;
use greekhouse::state::{pause, SeriesStatus, ShortPosition};
use greekhouse_sdk::chain::Chain;
use greekhouse_sdk::events::GreekhouseEvent;
use greekhouse_sdk::pyth::{self, PriceObservation};
use greekhouse_sdk::{ix, pda};
use harness::ext_market::*;
use harness::*;
use pyth_solana_receiver_sdk::price_update::VerificationLevel;
use solana_signer::Signer;

/// SPL Token's `InsufficientFunds`.
const TOKEN_INSUFFICIENT_FUNDS: u32 = 1;

fn sol_call(env: &mut Env, strike_usd: u64, days: i64) -> Pubkey {
    let (sol, now) = (env.sol, env.now());
    env.create_series(sol, 0, usd(strike_usd), expiry_after(now, days))
        .expect("create SOL call")
}

fn sol_put(env: &mut Env, strike_usd: u64, days: i64) -> Pubkey {
    let (sol, now) = (env.sol, env.now());
    env.create_series(sol, 1, usd(strike_usd), expiry_after(now, days))
        .expect("create SOL put")
}

fn btc_series(env: &mut Env, kind: u8, strike_usd: u64, days: i64) -> Pubkey {
    let (btc, now) = (env.btc, env.now());
    env.create_series(btc, kind, usd(strike_usd), expiry_after(now, days))
        .expect("create BTC series")
}

/// A writer with `quote_usd` dollars deposited (and 100 000 more in the wallet).
fn funded_writer(env: &mut Env, quote_usd: u64) -> Writer {
    let w = env.writer(usd(quote_usd + 100_000), 1_000 * LAMPORTS_PER_SOL);
    if quote_usd > 0 {
        env.deposit_quote(&w, usd(quote_usd)).unwrap();
    }
    w
}

/// Every account a write or burn on `series` touches, to show a refusal changed nothing.
fn touched(env: &mut Env, series: &Pubkey, writers: &[&Writer]) -> Vec<Pubkey> {
    let s = env.series_state(series);
    let mut keys = vec![
        env.ch.clearinghouse,
        env.ch.quote_vault,
        s.underlying,
        *series,
        s.option_mint,
        env.sol.key,
        env.btc.key,
    ];
    for w in writers {
        keys.push(w.account);
        keys.push(pda::associated_token(
            &w.owner.pubkey(),
            &s.option_mint,
            &SPL_TOKEN,
        ));
    }
    keys
}

// ---------------------------------------------------------------- create_series

#[test]
fn create_call_series_records_terms_mint_and_event() {
    let mut env = Env::new();
    let sol = env.sol;
    env.advance(1);
    env.publish_prices();
    let now = env.now();
    let expiry = expiry_after(now, 7);
    let created_before = env.underlying_ledger(&{ env.sol.key }).series_count;

    let (series, out) = env.create_series_out(sol, 0, usd(160), expiry).unwrap();

    let recorded0 = env.underlying(&sol.key).last_publish_time;
    // the price is checked (strike band), not recorded: the underlying is not write-locked
    assert_eq!(event_names(&out), vec!["SeriesCreated"]);
    let ev = event::<SeriesCreated>(&out);
    let mint = pda::option_mint(&series);
    assert_eq!(ev.series, series);
    assert_eq!(ev.underlying, sol.key);
    assert_eq!(ev.option_mint, mint);
    assert_eq!(ev.kind, 0);
    assert_eq!(ev.strike, usd(160));
    assert_eq!(ev.expiry, expiry);
    assert_eq!(ev.contract_size, 1_000_000);

    let s = env.series_state(&series);
    let (_, bump) = Pubkey::find_program_address(
        &[
            b"series",
            sol.key.as_ref(),
            &expiry.to_le_bytes(),
            &usd(160).to_le_bytes(),
            &[0],
        ],
        &greekhouse::ID,
    );
    assert_eq!(s.version, 1);
    assert_eq!(s.bump, bump);
    assert_eq!(s.kind, 0);
    assert_eq!(s.status, SeriesStatus::Active as u8);
    assert_eq!(s.clearinghouse, env.ch.clearinghouse);
    assert_eq!(s.underlying, sol.key);
    assert_eq!(s.option_mint, mint);
    assert_eq!(s.strike, usd(160));
    assert_eq!(s.expiry, expiry);
    assert_eq!(s.contract_size, 1_000_000);
    assert_eq!(s.open_interest, 0);
    assert_eq!(s.unbacked_contracts, 0);
    assert_eq!(s.settlement_price, 0);
    assert_eq!(s.payout_per_contract, 0);
    assert_eq!(s.settlement_ledger, 0);
    assert_eq!(s.haircut_bps, 0);

    let m = env.mint_view(&mint);
    assert!(m.is_initialized);
    assert_eq!(
        m.mint_authority,
        Some(series),
        "mint authority is the series PDA"
    );
    assert_eq!(m.freeze_authority, None);
    assert_eq!(m.decimals, 0);
    assert_eq!(m.supply, 0);

    assert_eq!(
        env.underlying_ledger(&{ env.sol.key }).series_count,
        created_before + 1
    );
    let u = env.underlying(&sol.key);
    assert_eq!(u.last_publish_time, recorded0);
    assert!(now > recorded0);
    assert_eq!(env.underlying_ledger(&sol.key).open_interest, 0);
}

#[test]
fn create_put_series_on_legacy_oracle_underlying() {
    let mut env = Env::new();
    let btc = env.btc;
    let now = env.now();
    let expiry = expiry_after(now, 30);
    let (series, out) = env.create_series_out(btc, 1, usd(85_000), expiry).unwrap();
    assert_eq!(
        event_names(&out).last().copied(),
        Some("SeriesCreated"),
        "{:?}",
        event_names(&out)
    );
    let ev = event::<SeriesCreated>(&out);
    assert_eq!(ev.series, series);
    assert_eq!(ev.underlying, btc.key);
    assert_eq!(ev.kind, 1);
    assert_eq!(ev.strike, usd(85_000));
    assert_eq!(ev.expiry, expiry);
    assert_eq!(ev.contract_size, 10_000);

    let s = env.series_state(&series);
    assert_eq!(s.kind, 1);
    assert_eq!(s.status, SeriesStatus::Active as u8);
    assert_eq!(s.underlying, btc.key);
    assert_eq!(s.clearinghouse, env.ch.clearinghouse);
    assert_eq!(s.strike, usd(85_000));
    assert_eq!(s.expiry, expiry);
    assert_eq!(s.contract_size, 10_000);
    assert_eq!(s.open_interest, 0);
    let m = env.mint_view(&s.option_mint);
    assert_eq!(m.mint_authority, Some(series));
    assert_eq!(m.decimals, 0);
    assert_eq!(m.supply, 0);
    assert_eq!(m.freeze_authority, None);

    // the same publish time again: nothing new to announce
    let (_, out2) = env.create_series_out(btc, 0, usd(95_000), expiry).unwrap();
    assert_eq!(event_names(&out2), vec!["SeriesCreated"]);
}

#[test]
fn create_series_strike_band_and_horizon_edges_are_inclusive() {
    let mut env = Env::new();
    let sol = env.sol;
    // spot $150, band 50 %: $75 and $225 are on the edge
    let now = env.now();
    let expiry = expiry_after(now, 7);
    env.create_series(sol, 0, usd(225), expiry).unwrap();
    env.create_series(sol, 1, usd(75), expiry).unwrap();
    // at 08:00 UTC, an expiry exactly 180 days ahead is on the grid and inside the horizon
    env.advance(EXPIRY_OFFSET);
    env.publish_prices();
    let now = env.now();
    assert_eq!((now - EXPIRY_OFFSET).rem_euclid(DAY), 0);
    env.create_series(sol, 0, usd(150), now + 180 * DAY)
        .unwrap();
    expect_err(
        env.create_series(sol, 0, usd(150), now + 181 * DAY),
        E::ExpiryBeyondHorizon,
    );
}

#[test]
fn create_series_twice_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(sol, 0, usd(160), expiry).unwrap();
    let created = env.underlying_ledger(&{ env.sol.key }).series_count;
    let before = env.snapshot(&[series, pda::option_mint(&series)]);
    // the same (underlying, expiry, strike, kind) is the same PDA: the address holds an
    // account already, so creation refuses it and nothing changes
    expect_err(
        env.create_series(sol, 0, usd(160), expiry),
        E::AccountAddressInUse,
    );
    assert_eq!(
        env.underlying_ledger(&{ env.sol.key }).series_count,
        created
    );
    assert_eq!(env.snapshot(&[series, pda::option_mint(&series)]), before);
    // another kind at the same terms is another series
    env.create_series(sol, 1, usd(160), expiry).unwrap();
}

/// Anyone can send lamports to a series' future address (it is derivable from its terms).
/// Creation must still work, or one transfer blocks a strike forever.
#[test]
fn create_series_on_a_prefunded_address_works() {
    let mut env = Env::new();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = pda::series(&sol.key, expiry, usd(160), 0);
    env.chain.transfer_lamports(&series, 1_000_000).unwrap();
    let created = env.create_series(sol, 0, usd(160), expiry);
    assert_eq!(created.expect("prefunded series is created"), series);
    // and the same for the option mint's address
    let expiry2 = expiry_after(env.now(), 8);
    let series2 = pda::series(&sol.key, expiry2, usd(160), 0);
    env.chain
        .transfer_lamports(&pda::option_mint(&series2), 1_000_000)
        .unwrap();
    env.create_series(sol, 0, usd(160), expiry2)
        .expect("prefunded option mint is created");
}

#[test]
fn create_series_expiry_in_past_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let now = env.now();
    let yesterday = expiry_after(now, 0) - DAY;
    assert!(yesterday < now);
    expect_err(
        env.create_series(sol, 0, usd(150), yesterday),
        E::ExpiryInPast,
    );
    // an expiry equal to now is not in the future either
    env.advance(EXPIRY_OFFSET);
    env.publish_prices();
    let now = env.now();
    expect_err(env.create_series(sol, 0, usd(150), now), E::ExpiryInPast);
}

#[test]
fn create_series_expiry_beyond_horizon_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let now = env.now();
    let far = expiry_after(now, 181);
    assert!(far - now > 180 * DAY);
    expect_err(
        env.create_series(sol, 0, usd(150), far),
        E::ExpiryBeyondHorizon,
    );
}

#[test]
fn create_series_expiry_off_grid_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let now = env.now();
    let on_grid = expiry_after(now, 7);
    for off in [on_grid + 3_600, on_grid - 1, on_grid + 1] {
        expect_err(env.create_series(sol, 0, usd(150), off), E::ExpiryOffGrid);
    }
}

#[test]
fn create_series_zero_strike_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    expect_err(env.create_series(sol, 0, 0, expiry), E::ZeroStrike);
}

#[test]
fn create_series_strike_off_tick_fails() {
    let mut env = Env::new();
    let (sol, btc) = (env.sol, env.btc);
    let expiry = expiry_after(env.now(), 7);
    // SOL: $1 tick
    expect_err(
        env.create_series(sol, 0, usd(150) + 500_000, expiry),
        E::StrikeOffTick,
    );
    expect_err(
        env.create_series(sol, 0, usd(150) + 1, expiry),
        E::StrikeOffTick,
    );
    // BTC: $100 tick
    expect_err(
        env.create_series(btc, 0, usd(90_050), expiry),
        E::StrikeOffTick,
    );
}

#[test]
fn create_series_strike_outside_band_fails() {
    let mut env = Env::new();
    let (sol, btc) = (env.sol, env.btc);
    let expiry = expiry_after(env.now(), 7);
    expect_err(
        env.create_series(sol, 0, usd(226), expiry),
        E::StrikeOutsideBand,
    );
    expect_err(
        env.create_series(sol, 1, usd(74), expiry),
        E::StrikeOutsideBand,
    );
    expect_err(
        env.create_series(btc, 0, usd(135_100), expiry),
        E::StrikeOutsideBand,
    );
    // the band follows the oracle: after SOL doubles, $226 is inside
    env.advance(1);
    env.move_sol(pyth_usd(300));
    env.create_series(sol, 0, usd(226), expiry).unwrap();
}

#[test]
fn create_series_invalid_kind_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    expect_err(
        env.create_series(sol, 2, usd(150), expiry),
        E::InvalidOptionKind,
    );
    expect_err(
        env.create_series(sol, 255, usd(150), expiry),
        E::InvalidOptionKind,
    );
}

#[test]
fn create_series_while_paused_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    env.pause(pause::CREATE_SERIES);
    expect_err(env.create_series(sol, 0, usd(150), expiry), E::Paused);
    env.unpause(pause::CREATE_SERIES);
    env.create_series(sol, 0, usd(150), expiry).unwrap();
}

#[test]
fn create_series_with_stale_oracle_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    // max_age 30 s: exactly 30 s old is still fresh
    env.advance(30);
    env.create_series(sol, 0, usd(150), expiry).unwrap();
    env.advance(1);
    expect_err(env.create_series(sol, 0, usd(151), expiry), E::OracleStale);
}

#[test]
fn create_series_and_write_with_rolled_back_oracle_fail() {
    let mut env = Env::new();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(sol, 0, usd(150), expiry).unwrap();
    let w = funded_writer(&mut env, 10_000);
    env.advance(10);
    env.publish_prices();
    env.write(&w, &series, 1).unwrap();
    // a keeper records the newest price: the floor below which no price is accepted
    env.send_ix(ix::record_price(sol.key, sol.oracle), &[])
        .unwrap();
    // an older (still fresh) price than the one recorded last
    let now = env.now();
    env.set_sol_oracle(
        PriceObservation {
            price: pyth_usd(140),
            conf: pyth_usd(140) as u64 / 1_000,
            expo: PYTH_EXPO,
            publish_time: now - 5,
        },
        VerificationLevel::Full,
    );
    expect_err(
        env.create_series(sol, 0, usd(151), expiry),
        E::OracleRollback,
    );
    expect_err(env.write(&w, &series, 1), E::OracleRollback);
    // burning needs no price at all
    env.burn(&w, &series, 1).unwrap();
}

#[test]
fn create_series_with_foreign_underlying_fails() {
    let mut env = Env::new();
    let foreign = env.foreign_clearinghouse();
    let expiry = expiry_after(env.now(), 7);
    let args = || CreateSeriesArgs {
        kind: 0,
        strike: usd(150),
        expiry,
    };
    // our clearing house, their underlying
    let ix = ix::create_series(
        env.ch.clearinghouse,
        env.chain.payer(),
        foreign.underlying.key,
        env.sol.oracle,
        args(),
    );
    expect_err(env.send_ix(ix, &[]), E::WrongClearinghouse);
    // their clearing house, our underlying
    let ix = ix::create_series(
        foreign.ch.clearinghouse,
        env.chain.payer(),
        env.sol.key,
        env.sol.oracle,
        args(),
    );
    expect_err(env.send_ix(ix, &[]), E::WrongClearinghouse);
    // control: their clearing house with their underlying works
    let ix = ix::create_series(
        foreign.ch.clearinghouse,
        env.chain.payer(),
        foreign.underlying.key,
        env.sol.oracle,
        args(),
    );
    env.send_ix(ix, &[]).unwrap();
}

// ---------------------------------------------------------------- write_options

#[test]
fn write_mints_records_short_and_charges_fee() {
    let mut env = Env::new();
    let sol = env.sol;
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    env.advance(1);
    env.publish_prices();
    let now = env.now();
    let fee = env.expected_write_fee(&series, 10);
    assert!(fee > 0, "a 7-day call has a premium, so a fee");
    let fees0 = env.underlying_ledger(&sol.key).fees_accrued;
    let recorded0 = env.underlying(&sol.key).last_publish_time;
    let s0 = env.series_state(&series);

    let out = env.write(&w, &series, 10).unwrap();

    // the margin check reads the price without recording it (no write lock on the underlying)
    assert_eq!(event_names(&out), vec!["OptionsWritten"]);
    let recipient = env.option_ata(&w.owner.pubkey(), &series);
    let ev = event::<OptionsWritten>(&out);
    assert_eq!(ev.writer_account, w.account);
    assert_eq!(ev.series, series);
    assert_eq!(ev.contracts, 10);
    assert_eq!(ev.recipient, recipient);
    assert_eq!(ev.fee, fee);
    assert_eq!(ev.short_after, 10);
    let equity = env.initial_equity_native(&w.account);
    assert_eq!(ev.initial_equity_after, equity);
    assert!(equity >= 0);

    // writer account: one short with the series' terms, quote balance less the fee
    let ws = env.writer_state(&w.account);
    assert_eq!(ws.position_count(), 1);
    let slot = ws.position_slot(&series).unwrap();
    assert_eq!(
        ws.positions[slot],
        ShortPosition {
            contracts: 10,
            ..template_of(&series, &s0)
        }
    );
    assert_eq!(ws.quote_balance, usd(10_000) as i64 - fee as i64);

    // the fee moved from the writer's quote balance into the underlying's accrued fees
    assert_eq!(env.underlying_ledger(&sol.key).fees_accrued, fees0 + fee);
    assert_eq!(env.quote_vault_balance() as i128, env.quote_claims());
    assert_eq!(env.quote_vault_balance(), usd(10_000));

    // open interest, supply, tokens
    let s = env.series_state(&series);
    assert_eq!(s.open_interest, 10);
    assert_eq!(
        env.underlying_ledger(&sol.key).open_interest,
        10 * 1_000_000
    );
    let u = env.underlying(&sol.key);
    assert_eq!(
        u.last_publish_time, recorded0,
        "a write does not record the price"
    );
    assert!(now > recorded0);
    assert_eq!(env.mint_view(&s.option_mint).supply, 10);
    let t = env.token_view(&recipient);
    assert_eq!(t.amount, 10);
    assert_eq!(t.owner, w.owner.pubkey());
    assert_eq!(t.mint, s.option_mint);
}

#[test]
fn write_to_a_third_partys_token_account() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    let buyer = solana_keypair::Keypair::new();
    let buyer_ata = env.option_ata(&buyer.pubkey(), &series);
    let fee = env.expected_write_fee(&series, 7);

    let out = env.write_to(&w, &series, 7, buyer_ata).unwrap();

    let ev = event::<OptionsWritten>(&out);
    assert_eq!(ev.recipient, buyer_ata);
    assert_eq!(ev.contracts, 7);
    assert_eq!(ev.short_after, 7);
    assert_eq!(ev.fee, fee);
    assert_eq!(
        ev.initial_equity_after,
        env.initial_equity_native(&w.account)
    );
    assert_eq!(env.token_view(&buyer_ata).amount, 7);
    assert_eq!(env.token_view(&buyer_ata).owner, buyer.pubkey());
    let own = pda::associated_token(&w.owner.pubkey(), &pda::option_mint(&series), &SPL_TOKEN);
    assert_eq!(env.chain.token_balance(&own).unwrap(), 0);
    assert_eq!(env.short_of(&w.account, &series), 7);
    assert_eq!(env.series_state(&series).open_interest, 7);
    assert_eq!(env.series_supply(&series), 7);
    assert_eq!(
        env.underlying_ledger(&{ env.sol.key }).open_interest,
        7_000_000
    );
    assert_eq!(env.fees_accrued_total(), fee);
}

#[test]
fn writing_the_same_series_twice_accumulates_one_position() {
    let mut env = Env::new();
    let series = sol_put(&mut env, 140, 30);
    let w = funded_writer(&mut env, 10_000);
    let fee1 = env.expected_write_fee(&series, 3);
    let out1 = env.write(&w, &series, 3).unwrap();
    assert_eq!(event::<OptionsWritten>(&out1).fee, fee1);
    assert_eq!(event::<OptionsWritten>(&out1).short_after, 3);
    let fee2 = env.expected_write_fee(&series, 4);
    let out2 = env.write(&w, &series, 4).unwrap();
    let ev2 = event::<OptionsWritten>(&out2);
    assert_eq!(ev2.fee, fee2);
    assert_eq!(ev2.contracts, 4);
    assert_eq!(ev2.short_after, 7);
    assert_eq!(
        ev2.initial_equity_after,
        env.initial_equity_native(&w.account)
    );
    // the second write read no newer price
    assert_eq!(event_names(&out2), vec!["OptionsWritten"]);

    let ws = env.writer_state(&w.account);
    assert_eq!(ws.position_count(), 1);
    assert_eq!(
        ws.positions[ws.position_slot(&series).unwrap()].contracts,
        7
    );
    assert_eq!(ws.quote_balance, (usd(10_000) - fee1 - fee2) as i64);
    assert_eq!(env.series_state(&series).open_interest, 7);
    assert_eq!(env.series_supply(&series), 7);
    assert_eq!(
        env.underlying_ledger(&{ env.sol.key }).open_interest,
        7_000_000
    );
    assert_eq!(env.fees_accrued_total(), fee1 + fee2);
    let ata = env.option_ata(&w.owner.pubkey(), &series);
    assert_eq!(env.token_view(&ata).amount, 7);
}

#[test]
fn write_with_another_writers_account_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let victim = funded_writer(&mut env, 10_000);
    let attacker = funded_writer(&mut env, 10_000);
    env.option_ata(&victim.owner.pubkey(), &series);
    env.option_ata(&attacker.owner.pubkey(), &series);
    let before = {
        let keys = touched(&mut env, &series, &[&victim, &attacker]);
        (keys.clone(), env.snapshot(&keys))
    };
    // another writer signs for the victim's account
    let forged = Writer {
        owner: attacker.owner.insecure_clone(),
        account: victim.account,
        quote_ata: attacker.quote_ata,
        sol_ata: attacker.sol_ata,
    };
    expect_err(env.write(&forged, &series, 1), E::NotWriterOwner);
    // a key without any writer account signs for it
    let stranger = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    let forged = Writer {
        owner: stranger,
        account: victim.account,
        quote_ata: victim.quote_ata,
        sol_ata: victim.sol_ata,
    };
    expect_err(env.write(&forged, &series, 1), E::NotWriterOwner);
    assert_eq!(env.snapshot(&before.0), before.1);
}

#[test]
fn write_series_of_another_underlying_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    let recipient = env.option_ata(&w.owner.pubkey(), &series);
    let mut ix = env.write_ix(&w, &series, 1, recipient);
    // the `underlying` account and its ledger: BTC's instead of the series' (SOL)
    let (sol_key, btc_key) = (env.sol.key, env.btc.key);
    let mut ledger_only = ix.clone();
    for m in ix.accounts.iter_mut() {
        if m.pubkey == sol_key {
            m.pubkey = btc_key;
        } else if m.pubkey == pda::underlying_ledger(&sol_key) {
            m.pubkey = pda::underlying_ledger(&btc_key);
        }
    }
    expect_err(env.send_ix(ix, &[&w.owner]), E::WrongUnderlying);
    // the SOL underlying with BTC's ledger
    for m in ledger_only.accounts.iter_mut() {
        if m.pubkey == pda::underlying_ledger(&sol_key) {
            m.pubkey = pda::underlying_ledger(&btc_key);
        }
    }
    expect_err(
        env.send_ix(ledger_only, &[&w.owner]),
        E::WrongUnderlyingLedger,
    );
    // built directly through the SDK with the BTC underlying
    let remaining = env.write_ix(&w, &series, 1, recipient).accounts[11..].to_vec();
    let ix = ix::write_options(
        env.ch.clearinghouse,
        w.account,
        w.owner.pubkey(),
        env.btc.key,
        series,
        recipient,
        1,
        remaining,
    );
    expect_err(env.send_ix(ix, &[&w.owner]), E::WrongUnderlying);
}

#[test]
fn write_with_another_series_mint_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let other = sol_call(&mut env, 170, 7);
    let w = funded_writer(&mut env, 10_000);
    let other_mint = pda::option_mint(&other);
    let recipient = env.option_ata(&w.owner.pubkey(), &other);
    let mut ix = env.write_ix(&w, &series, 1, recipient);
    let mint = pda::option_mint(&series);
    replace_account(&mut ix, &mint, other_mint);
    expect_err(env.send_ix(ix, &[&w.owner]), E::WrongOptionMint);
    assert_eq!(env.series_supply(&other), 0);
}

#[test]
fn write_to_a_token_account_of_another_mint_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let other = sol_call(&mut env, 170, 7);
    let w = funded_writer(&mut env, 10_000);
    // the writer's quote account
    expect_err(env.write_to(&w, &series, 1, w.quote_ata), E::WrongTokenMint);
    // an option account of another series
    let other_ata = env.option_ata(&w.owner.pubkey(), &other);
    expect_err(env.write_to(&w, &series, 1, other_ata), E::WrongTokenMint);
    assert_eq!(env.short_of(&w.account, &series), 0);
}

#[test]
fn write_with_stale_oracle_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let btc_series = btc_series(&mut env, 0, 95_000, 7);
    let w = funded_writer(&mut env, 10_000);
    env.advance(30);
    env.write(&w, &series, 1).unwrap();
    env.advance(1);
    expect_err(env.write(&w, &series, 1), E::OracleStale);
    assert_eq!(env.short_of(&w.account, &series), 1);
    // a stale collateral price blocks writing too (BTC series, SOL collateral priced by SOL)
    let w2 = env.writer(0, 100 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w2, 100 * LAMPORTS_PER_SOL).unwrap();
    let now = env.now();
    env.set_btc_oracle(
        PriceObservation {
            price: env.btc_price,
            conf: env.btc_price as u64 / 1_000,
            expo: PYTH_EXPO,
            publish_time: now,
        },
        pyth_sdk_solana::state::PriceStatus::Trading,
    );
    expect_err(env.write(&w2, &btc_series, 1), E::OracleStale);
}

#[test]
fn write_with_spoofed_oracle_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    // a well-formed PriceUpdateV2 for the right feed, but owned by another program
    let now = env.now();
    let mut fake = pyth::price_update_v2(
        SOL_FEED_ID,
        PriceObservation {
            price: pyth_usd(1),
            conf: 0,
            expo: PYTH_EXPO,
            publish_time: now,
        },
        VerificationLevel::Full,
    );
    fake.owner = Pubkey::new_unique();
    let spoof = Pubkey::new_unique();
    env.chain.set_account(&spoof, fake);
    let recipient = env.option_ata(&w.owner.pubkey(), &series);
    let mut ix = env.write_ix(&w, &series, 1, recipient);
    let sol_oracle = env.sol.oracle;
    replace_account(&mut ix, &sol_oracle, spoof);
    expect_err(env.send_ix(ix, &[&w.owner]), E::OracleWrongOwner);
}

#[test]
fn write_with_stale_vol_surface_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    // surface_max_age 3600 s; prices kept fresh
    env.advance(3_600);
    env.publish_prices();
    env.write(&w, &series, 1).unwrap();
    env.advance(1);
    env.publish_prices();
    expect_err(env.write(&w, &series, 1), E::VolSurfaceStale);
    // the vol updater refreshes the surface: writing works again
    let sol = env.sol.key;
    env.refresh_surface(&sol);
    env.write(&w, &series, 1).unwrap();
    assert_eq!(env.short_of(&w.account, &series), 2);
}

#[test]
fn write_beyond_initial_margin_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 150, 7);
    let w = funded_writer(&mut env, 100);
    env.option_ata(&w.owner.pubkey(), &series);
    let keys = touched(&mut env, &series, &[&w]);
    let before = env.snapshot(&keys);
    expect_err(env.write(&w, &series, 100), E::InitialMarginBreach);
    assert_eq!(env.snapshot(&keys), before);
    // with SOL collateral only, the same: 1 SOL cannot carry 100 calls
    let w2 = env.writer(0, LAMPORTS_PER_SOL);
    env.deposit_sol(&w2, LAMPORTS_PER_SOL).unwrap();
    expect_err(env.write(&w2, &series, 100), E::InitialMarginBreach);
    // a small write by the first writer passes
    env.write(&w, &series, 1).unwrap();
}

#[test]
fn write_beyond_open_interest_cap_fails() {
    let mut env = Env::new();
    // ETH: 5 contracts of 1 ETH at most
    let eth = env.list_pull_underlying("ETH", [9u8; 32], pyth_usd(3_000), 5_000_000);
    let expiry = expiry_after(env.now(), 7);
    let series = env
        .create_series(eth.fixture, 0, usd(3_000), expiry)
        .unwrap();
    let w = funded_writer(&mut env, 100_000);
    let recipient = env.option_ata(&w.owner.pubkey(), &series);
    let remaining = quote_only_margin_accounts(&[(eth.fixture.key, eth.fixture.oracle)]);
    let write = |n: u64| {
        ix::write_options(
            env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            eth.fixture.key,
            series,
            recipient,
            n,
            remaining.clone(),
        )
    };
    let (ix3, ix2, ix1) = (write(3), write(2), write(1));
    env.send_ix(ix3, &[&w.owner]).unwrap();
    // up to the cap exactly
    env.send_ix(ix2, &[&w.owner]).unwrap();
    assert_eq!(
        env.underlying_ledger(&eth.fixture.key).open_interest,
        5_000_000
    );
    expect_err(env.send_ix(ix1, &[&w.owner]), E::OpenInterestCapExceeded);
    assert_eq!(env.series_state(&series).open_interest, 5);
    assert_eq!(env.series_supply(&series), 5);
}

#[test]
fn write_seventeenth_series_fails_when_positions_are_full() {
    let mut env = Env::new();
    let w = funded_writer(&mut env, 200_000);
    let mut series = Vec::new();
    for strike in 130..147u64 {
        series.push(sol_call(&mut env, strike, 7));
    }
    for s in &series[..16] {
        env.write(&w, s, 1).unwrap();
    }
    assert_eq!(env.writer_state(&w.account).position_count(), 16);
    expect_err(env.write(&w, &series[16], 1), E::PositionSlotsFull);
    // adding to a held series still works
    let out = env.write(&w, &series[0], 1).unwrap();
    assert_eq!(event::<OptionsWritten>(&out).short_after, 2);
    // burning one position frees a slot
    env.burn(&w, &series[5], 1).unwrap();
    env.write(&w, &series[16], 1).unwrap();
    assert_eq!(env.writer_state(&w.account).position_count(), 16);
}

#[test]
fn write_expired_series_fails() {
    let mut env = Env::new();
    let sol = env.sol;
    let now = env.now();
    let expiry = expiry_after(now, 0); // today 08:00
    let series = env.create_series(sol, 0, usd(150), expiry).unwrap();
    let w = funded_writer(&mut env, 10_000);
    env.write(&w, &series, 1).unwrap();
    // at expiry exactly, with a fresh price and a fresh surface
    env.advance(expiry - now);
    env.publish_prices();
    env.refresh_surface(&sol.key);
    expect_err(env.write(&w, &series, 1), E::SeriesExpired);
    env.advance(1);
    env.publish_prices();
    expect_err(env.write(&w, &series, 1), E::SeriesExpired);
}

#[test]
fn write_across_clearinghouses_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let foreign = env.foreign_clearinghouse();
    // a writer account of the other clearing house
    let owner = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    let payer = env.chain.payer();
    env.send_ix(
        ix::open_writer_account(foreign.ch.clearinghouse, payer, owner.pubkey(), 0),
        &[&owner],
    )
    .unwrap();
    let account = pda::writer_account(&foreign.ch.clearinghouse, &owner.pubkey(), 0);
    let recipient = env.option_ata(&owner.pubkey(), &series);
    let remaining = quote_only_margin_accounts(&[(env.sol.key, env.sol.oracle)]);
    for clearinghouse in [env.ch.clearinghouse, foreign.ch.clearinghouse] {
        let ix = ix::write_options(
            clearinghouse,
            account,
            owner.pubkey(),
            env.sol.key,
            series,
            recipient,
            1,
            remaining.clone(),
        );
        expect_err(env.send_ix(ix, &[&owner]), E::WrongClearinghouse);
    }
    assert_eq!(env.series_supply(&series), 0);
}

#[test]
fn write_absurd_contract_count_overflows() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    // contracts x contract size does not fit u64
    expect_err(env.write(&w, &series, u64::MAX), E::MathOverflow);
    // it fits, but is far beyond the open-interest cap
    expect_err(
        env.write(&w, &series, 1_000_000_000_000),
        E::OpenInterestCapExceeded,
    );
}

#[test]
fn write_zero_contracts_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    expect_err(env.write(&w, &series, 0), E::ZeroAmount);
}

#[test]
fn write_while_paused_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    env.pause(pause::WRITE);
    expect_err(env.write(&w, &series, 1), E::Paused);
    env.unpause(pause::WRITE);
    env.write(&w, &series, 1).unwrap();
}

/// A writer with SOL collateral and a SOL short, about to write a BTC series.
fn mixed_writer(env: &mut Env) -> (Writer, Pubkey, Pubkey) {
    let sol_series = sol_call(env, 160, 7);
    let btc = btc_series(env, 0, 95_000, 7);
    let w = env.writer(0, 100 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 100 * LAMPORTS_PER_SOL).unwrap();
    env.write(&w, &sol_series, 1).unwrap();
    (w, sol_series, btc)
}

#[test]
fn write_without_margin_accounts_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    let recipient = env.option_ata(&w.owner.pubkey(), &series);
    let mut ix = env.write_ix(&w, &series, 1, recipient);
    ix.accounts.truncate(11);
    expect_err(env.send_ix(ix, &[&w.owner]), E::MarginAccountsMismatch);
    // the series' underlying without its oracle
    let mut ix = env.write_ix(&w, &series, 1, recipient);
    ix.accounts.truncate(12);
    expect_err(env.send_ix(ix, &[&w.owner]), E::MarginAccountsMismatch);
}

#[test]
fn write_with_margin_accounts_of_the_account_before_the_write_fails() {
    let mut env = Env::new();
    let (w, _, btc) = mixed_writer(&mut env);
    // the accounts of the book before the write lack BTC
    let state = env.writer_state(&w.account);
    let stale_list = env.margin_accounts(state);
    let recipient = env.option_ata(&w.owner.pubkey(), &btc);
    let ix = ix::write_options(
        env.ch.clearinghouse,
        w.account,
        w.owner.pubkey(),
        env.btc.key,
        btc,
        recipient,
        1,
        stale_list,
    );
    expect_err(env.send_ix(ix, &[&w.owner]), E::MarginAccountsMismatch);
    env.write(&w, &btc, 1).unwrap();
}

#[test]
fn write_with_margin_accounts_out_of_order_fails() {
    let mut env = Env::new();
    let (w, _, btc) = mixed_writer(&mut env);
    let recipient = env.option_ata(&w.owner.pubkey(), &btc);
    let good = env.write_ix(&w, &btc, 1, recipient);
    // [asset, SOL, SOL oracle, BTC, BTC oracle]
    let rem = good.accounts[11..].to_vec();
    assert_eq!(rem.len(), 5);
    assert_eq!(rem[1].pubkey, env.sol.key);
    assert_eq!(rem[3].pubkey, env.btc.key);
    // underlyings swapped
    let mut ix = good.clone();
    ix.accounts.truncate(11);
    ix.accounts.extend([
        rem[0].clone(),
        rem[3].clone(),
        rem[4].clone(),
        rem[1].clone(),
        rem[2].clone(),
    ]);
    expect_err(env.send_ix(ix, &[&w.owner]), E::MarginAccountsMismatch);
    // collateral asset after the underlyings
    let mut ix = good.clone();
    ix.accounts.truncate(11);
    ix.accounts.extend([
        rem[1].clone(),
        rem[2].clone(),
        rem[3].clone(),
        rem[4].clone(),
        rem[0].clone(),
    ]);
    expect_err(env.send_ix(ix, &[&w.owner]), E::MarginAccountsMismatch);
    // an oracle in place of the collateral asset
    let mut ix = good.clone();
    ix.accounts[11] = AccountMeta::new_readonly(env.sol.oracle, false);
    expect_err(env.send_ix(ix, &[&w.owner]), E::MarginAccountsMismatch);
    // a trailing extra account
    let mut ix = good.clone();
    ix.accounts.push(rem[1].clone());
    expect_err(env.send_ix(ix, &[&w.owner]), E::MarginAccountsMismatch);
    // the margin accounts are all read-only, and the good list works
    assert!(rem.iter().all(|m| !m.is_writable));
    env.send_ix(good, &[&w.owner]).unwrap();
}

// ---------------------------------------------------------------- burn_options

#[test]
fn burn_reduces_short_open_interest_and_supply() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    env.write(&w, &series, 10).unwrap();
    let fees0 = env.fees_accrued_total();
    let quote0 = env.writer_state(&w.account).quote_balance;

    let out = env.burn(&w, &series, 4).unwrap();
    assert_eq!(event_names(&out), vec!["OptionsBurned"]);
    let ev = event::<OptionsBurned>(&out);
    assert_eq!(ev.writer_account, w.account);
    assert_eq!(ev.series, series);
    assert_eq!(ev.contracts, 4);
    assert_eq!(ev.short_after, 6);
    assert_eq!(env.short_of(&w.account, &series), 6);
    assert_eq!(env.series_state(&series).open_interest, 6);
    assert_eq!(env.series_supply(&series), 6);
    assert_eq!(
        env.underlying_ledger(&{ env.sol.key }).open_interest,
        6_000_000
    );
    let ata = env.option_ata(&w.owner.pubkey(), &series);
    assert_eq!(env.token_view(&ata).amount, 6);
    // no fee, no refund: quote ledgers untouched
    assert_eq!(env.writer_state(&w.account).quote_balance, quote0);
    assert_eq!(env.fees_accrued_total(), fees0);

    // burning the rest frees the slot
    let out = env.burn(&w, &series, 6).unwrap();
    assert_eq!(event::<OptionsBurned>(&out).short_after, 0);
    let ws = env.writer_state(&w.account);
    assert_eq!(ws.position_count(), 0);
    assert!(ws.positions.iter().all(|p| *p == ShortPosition::default()));
    assert_eq!(env.series_state(&series).open_interest, 0);
    assert_eq!(env.series_supply(&series), 0);
    assert_eq!(env.underlying_ledger(&{ env.sol.key }).open_interest, 0);
    // with no shorts and no debt, the whole quote balance can leave
    env.withdraw_quote(&w, quote0 as u64).unwrap();
}

#[test]
fn burn_works_while_paused_and_with_stale_oracle_and_surface() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    env.write(&w, &series, 5).unwrap();
    env.pause(pause::WRITE | pause::WITHDRAW | pause::CREATE_SERIES);
    // price and surface both stale
    env.advance(2 * 3_600);
    expect_err(env.write(&w, &series, 1), E::Paused);
    let out = env.burn(&w, &series, 2).unwrap();
    assert_eq!(event::<OptionsBurned>(&out).short_after, 3);
    // a non-positive, unverified oracle makes no difference either
    let now = env.now();
    env.set_sol_oracle(
        PriceObservation {
            price: -1,
            conf: 0,
            expo: PYTH_EXPO,
            publish_time: now - 10_000,
        },
        VerificationLevel::Partial { num_signatures: 1 },
    );
    env.burn(&w, &series, 3).unwrap();
    assert_eq!(env.short_of(&w.account, &series), 0);
    assert_eq!(env.series_supply(&series), 0);
    assert_eq!(env.underlying_ledger(&{ env.sol.key }).open_interest, 0);
}

#[test]
fn burn_more_than_the_short_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    let other = funded_writer(&mut env, 10_000);
    env.write(&w, &series, 5).unwrap();
    // the writer even holds more tokens than it is short: 3 more from another writer
    let ata = env.option_ata(&w.owner.pubkey(), &series);
    env.write_to(&other, &series, 3, ata).unwrap();
    assert_eq!(env.token_view(&ata).amount, 8);
    let keys = touched(&mut env, &series, &[&w, &other]);
    let before = env.snapshot(&keys);
    expect_err(env.burn(&w, &series, 6), E::InsufficientShort);
    assert_eq!(env.snapshot(&keys), before);
    env.burn(&w, &series, 5).unwrap();
    assert_eq!(env.token_view(&ata).amount, 3);
}

#[test]
fn burn_without_a_position_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    let holder = funded_writer(&mut env, 0);
    let holder_ata = env.option_ata(&holder.owner.pubkey(), &series);
    env.write_to(&w, &series, 4, holder_ata).unwrap();
    // the holder has tokens but is short nothing
    expect_err(env.burn(&holder, &series, 1), E::InsufficientShort);
    assert_eq!(env.token_view(&holder_ata).amount, 4);
    // and zero contracts is refused before anything else
    expect_err(env.burn(&w, &series, 0), E::ZeroAmount);
}

#[test]
fn burn_from_a_token_account_of_another_owner_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    let buyer = solana_keypair::Keypair::new();
    let buyer_ata = env.option_ata(&buyer.pubkey(), &series);
    env.write_to(&w, &series, 4, buyer_ata).unwrap();
    let ix = ix::burn_options(
        w.account,
        w.owner.pubkey(),
        env.sol.key,
        series,
        buyer_ata,
        4,
    );
    expect_err(env.send_ix(ix, &[&w.owner]), E::WrongTokenOwner);
    assert_eq!(env.token_view(&buyer_ata).amount, 4);
    assert_eq!(env.short_of(&w.account, &series), 4);
}

#[test]
fn burn_on_another_writers_account_fails() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let victim = funded_writer(&mut env, 10_000);
    let attacker = funded_writer(&mut env, 10_000);
    env.write(&victim, &series, 4).unwrap();
    env.write(&attacker, &series, 4).unwrap();
    // the attacker burns its own tokens against the victim's short
    let forged = Writer {
        owner: attacker.owner.insecure_clone(),
        account: victim.account,
        quote_ata: attacker.quote_ata,
        sol_ata: attacker.sol_ata,
    };
    expect_err(env.burn(&forged, &series, 4), E::NotWriterOwner);
    assert_eq!(env.short_of(&victim.account, &series), 4);
    assert_eq!(env.short_of(&attacker.account, &series), 4);
}

#[test]
fn burn_more_tokens_than_held_fails_in_the_token_program() {
    let mut env = Env::new();
    let series = sol_call(&mut env, 160, 7);
    let w = funded_writer(&mut env, 10_000);
    let buyer = solana_keypair::Keypair::new();
    let buyer_ata = env.option_ata(&buyer.pubkey(), &series);
    env.write(&w, &series, 5).unwrap();
    env.write_to(&w, &series, 5, buyer_ata).unwrap();
    // short 10, holds 5
    let keys = touched(&mut env, &series, &[&w]);
    let before = env.snapshot(&keys);
    expect_anchor_err(env.burn(&w, &series, 6), TOKEN_INSUFFICIENT_FUNDS);
    assert_eq!(env.snapshot(&keys), before);
    env.burn(&w, &series, 5).unwrap();
    assert_eq!(env.short_of(&w.account, &series), 5);
}

// ---------------------------------------------------------------- margin agreement

#[test]
fn program_margin_equals_sdk_margin_for_a_sol_and_btc_book() {
    let mut env = Env::new();
    let book = [
        (sol_call(&mut env, 160, 7), 20u64),
        (sol_put(&mut env, 140, 30), 20),
        (btc_series(&mut env, 0, 95_000, 7), 10),
        (btc_series(&mut env, 1, 85_000, 30), 10),
        (sol_call(&mut env, 200, 90), 5),
    ];
    let w = env.writer(usd(10_000), 200 * LAMPORTS_PER_SOL);
    env.deposit_sol(&w, 200 * LAMPORTS_PER_SOL).unwrap();
    env.deposit_quote(&w, usd(2_000)).unwrap();
    let mut fees = 0;
    for (series, n) in &book {
        let fee = env.expected_write_fee(series, *n);
        let out = env.write(&w, series, *n).unwrap();
        let ev = event::<OptionsWritten>(&out);
        assert_eq!(ev.fee, fee);
        fees += fee;
        assert_eq!(
            ev.initial_equity_after,
            env.initial_equity_native(&w.account),
            "program and SDK agree after writing {series}"
        );
    }
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        (usd(2_000) - fees) as i64
    );
    // SOL moves; a 1-unit quote withdrawal makes the program report its margin each time
    for price in [150, 156, 162, 171, 180, 165, 150, 138, 126, 120, 133] {
        env.advance(2);
        env.move_sol(pyth_usd(price));
        let out = env.withdraw_quote(&w, 1).unwrap();
        let reported = out
            .events
            .iter()
            .find_map(|e| match e {
                GreekhouseEvent::Withdrawn(x) => Some(x.initial_equity_after),
                _ => None,
            })
            .expect("Withdrawn event");
        assert_eq!(
            reported,
            Some(env.initial_equity_native(&w.account)),
            "program and SDK agree at SOL ${price}"
        );
    }
}

#[test]
fn sdk_margin_moves_the_expected_way_as_sol_moves() {
    let mut env = Env::new();
    let call = sol_call(&mut env, 160, 7);
    let put = sol_put(&mut env, 140, 7);
    let btc_call = btc_series(&mut env, 0, 95_000, 7);
    // short calls, quote only
    let calls = funded_writer(&mut env, 20_000);
    env.write(&calls, &call, 20).unwrap();
    // short puts, quote only
    let puts = funded_writer(&mut env, 20_000);
    env.write(&puts, &put, 20).unwrap();
    // SOL collateral backing a BTC short: SOL moves only the collateral
    let sol_backed = env.writer(0, 100 * LAMPORTS_PER_SOL);
    env.deposit_sol(&sol_backed, 100 * LAMPORTS_PER_SOL)
        .unwrap();
    env.write(&sol_backed, &btc_call, 5).unwrap();

    let snapshot = |env: &mut Env| {
        (
            env.margin_of(&calls.account),
            env.margin_of(&puts.account),
            env.margin_of(&sol_backed.account),
        )
    };
    let mut prev = snapshot(&mut env);
    // up, then down
    let path = [156, 162, 170, 180, 190, 175, 160, 150, 140, 130, 120];
    let mut last_price = 150;
    for price in path {
        env.advance(2);
        env.move_sol(pyth_usd(price));
        let now = snapshot(&mut env);
        let up = price > last_price;
        let (c0, p0, s0) = prev;
        let (c1, p1, s1) = now;
        if up {
            assert!(
                c1.liability > c0.liability,
                "short calls' liability rises at ${price}"
            );
            assert!(
                c1.initial.equity < c0.initial.equity,
                "short calls lose at ${price}"
            );
            assert!(c1.maintenance.equity < c0.maintenance.equity);
            assert!(
                p1.liability < p0.liability,
                "short puts' liability falls at ${price}"
            );
            assert!(
                p1.initial.equity > p0.initial.equity,
                "short puts gain at ${price}"
            );
            assert!(s1.initial.collateral_value > s0.initial.collateral_value);
            assert!(s1.initial.equity > s0.initial.equity);
        } else {
            assert!(
                c1.liability < c0.liability,
                "short calls' liability falls at ${price}"
            );
            assert!(
                c1.initial.equity > c0.initial.equity,
                "short calls gain at ${price}"
            );
            assert!(
                p1.liability > p0.liability,
                "short puts' liability rises at ${price}"
            );
            assert!(
                p1.initial.equity < p0.initial.equity,
                "short puts lose at ${price}"
            );
            assert!(s1.initial.collateral_value < s0.initial.collateral_value);
            assert!(s1.initial.equity < s0.initial.equity);
        }
        // quote-only books: collateral value is the quote balance, untouched by SOL
        assert_eq!(c1.initial.collateral_value, c0.initial.collateral_value);
        assert_eq!(p1.initial.collateral_value, p0.initial.collateral_value);
        // IM is the stricter level
        for m in [&c1, &p1, &s1] {
            assert!(m.initial.equity <= m.maintenance.equity);
            assert!(m.initial.requirement >= m.maintenance.requirement);
        }
        prev = now;
        last_price = price;
    }
}

/// Replace every account meta with `from`'s key by `to`.
fn replace_account(ix: &mut Instruction, from: &Pubkey, to: Pubkey) {
    let mut n = 0;
    for m in ix.accounts.iter_mut().filter(|m| m.pubkey == *from) {
        m.pubkey = to;
        n += 1;
    }
    assert!(n > 0, "{from} not in the instruction");
}
