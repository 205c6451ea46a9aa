//! `write_options`: its success and each way it must fail.
use super::*;

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
    let slot = ws
        .position_slot(&series, greekhouse::state::Side::Short)
        .unwrap();
    assert_eq!(
        ws.positions[slot],
        Position {
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
        ws.positions[ws
            .position_slot(&series, greekhouse::state::Side::Short)
            .unwrap()]
        .contracts,
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
    // ETH: 4 contracts of 1 ETH at most, one per writer account (a quarter of the cap)
    let eth = env.list_pull_underlying("ETH", [9u8; 32], pyth_usd(3_000), 4_000_000);
    let expiry = expiry_after(env.now(), 7);
    let series = env
        .create_series(eth.fixture, 0, usd(3_000), expiry)
        .unwrap();
    let remaining = quote_only_margin_accounts(&[(eth.fixture.key, eth.fixture.oracle)]);
    let write = |env: &mut Env, w: &Writer, n: u64| {
        let recipient = env.option_ata(&w.owner.pubkey(), &series);
        let ix = ix::write_options(
            env.ch.clearinghouse,
            w.account,
            w.owner.pubkey(),
            eth.fixture.key,
            series,
            recipient,
            n,
            remaining.clone(),
        );
        env.send_ix(ix, &[&w.owner])
    };
    let writers: Vec<Writer> = (0..5).map(|_| funded_writer(&mut env, 100_000)).collect();
    // up to the cap exactly
    for w in &writers[..4] {
        write(&mut env, w, 1).unwrap();
    }
    assert_eq!(
        env.underlying_ledger(&eth.fixture.key).open_interest,
        4_000_000
    );
    expect_err(write(&mut env, &writers[4], 1), E::OpenInterestCapExceeded);
    assert_eq!(env.series_state(&series).open_interest, 4);
    assert_eq!(env.series_supply(&series), 4);
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
pub(super) fn mixed_writer(env: &mut Env) -> (Writer, Pubkey, Pubkey) {
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
