//! `create_series`: its success and each way it must fail.
use super::*;

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
        style: 0,
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
