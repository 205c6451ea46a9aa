//! The default waterfall's liveness and economics (issue "Default waterfall v2",
//! docs/liquidation.md, docs/settlement.md): one regression test per finding of the review of
//! `cff6b47`. Each failed on that commit (the failure it showed is named in its comment) and
//! passes now.
use crate::harness;
use crate::liquidation::{
    assert_books_balance, bidder, call_series, crashed, fund_wallet, writer_at_im,
};
use harness::ext_market::*;
use harness::ext_writer::send_signed;
use harness::*;

use anchor_lang::prelude::Pubkey;
use greekhouse::engine::liquidation::FRACTION_ONE;
use greekhouse::errors::GreekhouseError as E;
use greekhouse::state::{SeriesStatus, WriterStatus};
use greekhouse_sdk::liquidation::BidSize;
use solana_signer::Signer;

/// A price in whole dollars as Pyth units.
fn px(dollars: i64) -> i64 {
    dollars * 100_000_000
}

/// A SOL series of `kind` at `strike` dollars expiring at `expiry`.
fn sol_series(env: &mut Env, kind: u8, strike: u64, expiry: i64) -> Pubkey {
    let sol = env.sol;
    env.create_series(sol, kind, usd(strike), expiry).unwrap()
}

/// Post SOL's settlement price at `expiry` (`dollars`, published just after expiry) and settle
/// `series` with it.
fn settle_at(env: &mut Env, expiry: i64, dollars: i64, series: &[Pubkey]) {
    let now = env.now();
    if now < expiry + 10 {
        env.advance(expiry + 10 - now);
    }
    // the update straddling the expiry: published after it, its previous one before
    env.publish_sol_update(px(dollars), expiry + 10, expiry - 1);
    env.propose_settlement(expiry).unwrap();
    env.publish_prices();
    for s in series {
        env.settle_series(s).unwrap();
    }
}

/// Burn `amount` of `owner`'s option tokens of `series` with SPL Token's own `Burn`, outside the
/// program.
fn spl_burn(env: &mut Env, owner: &solana_keypair::Keypair, series: &Pubkey, amount: u64) {
    let mint = env.series_state(series).option_mint;
    let ata = env
        .chain
        .token_account(&owner.pubkey(), &mint, &SPL_TOKEN)
        .unwrap();
    let ix = anchor_spl::token::spl_token::instruction::burn(
        &SPL_TOKEN,
        &ata,
        &mint,
        &owner.pubkey(),
        &[],
        amount,
    )
    .unwrap();
    send_signed(env, ix, owner).unwrap();
}

/// The SOL collateral asset's account.
fn sol_asset(env: &Env) -> Pubkey {
    greekhouse_sdk::pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint)
}

/// Mint `amount` lamports of SOL into a wallet token account.
fn mint_sol(env: &mut Env, ata: &Pubkey, amount: u64) {
    let (mint, auth) = (env.sol_mint, env.mint_authority.insecure_clone());
    env.chain
        .mint_to(&SPL_TOKEN, &mint, ata, &auth, amount)
        .unwrap();
}

/// A writer with `dollars` of quote and `sol` whole SOL deposited.
fn funded_writer(env: &mut Env, dollars: u64, sol: u64) -> Writer {
    let w = env.writer(usd(dollars), sol * LAMPORTS_PER_SOL);
    if dollars > 0 {
        env.deposit_quote(&w, usd(dollars)).unwrap();
    }
    if sol > 0 {
        env.deposit_sol(&w, sol * LAMPORTS_PER_SOL).unwrap();
    }
    w
}

// ============================================================================ frozen forever

/// Finding 1. On `cff6b47` the holder's `burn_options`, a new write and every `redeem` of the
/// series failed with `InvariantViolated` after one outside SPL burn.
#[test]
fn an_spl_burn_of_an_option_token_forfeits_it_without_freezing_the_series() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = sol_series(&mut env, 0, 150, expiry);
    let w = funded_writer(&mut env, 5_000, 20);
    env.write(&w, &call, 5).unwrap();
    spl_burn(&mut env, &w.owner, &call, 1);
    // the writer's own burn and a new write still work
    env.burn(&w, &call, 1).unwrap();
    env.write(&w, &call, 1).unwrap();
    let s = env.series_state(&call);
    assert_eq!((s.open_interest, env.series_supply(&call)), (5, 4));
    assert_books_balance(&mut env);

    settle_at(&mut env, expiry, 160, &[call]);
    env.settle_position(&w.account, &call).unwrap();
    env.finalize_series(&call).unwrap();
    // every remaining token redeems in full
    let paid: Redeemed = event(&env.redeem(&w.owner, &w.quote_ata, &call, 4).unwrap());
    assert_eq!(paid.amount, 4 * usd(10));
    // the forfeited token's payout goes to the fund with the dust, once
    let dust: SeriesDustSwept = event(&env.sweep_series_dust(&call).unwrap());
    assert_eq!(dust.amount, usd(10));
    expect_err(env.sweep_series_dust(&call), E::NoSeriesDust);
    assert_eq!(env.series_state(&call).settlement_ledger, 0);
    assert_books_balance(&mut env);
}

/// Finding 2. On `cff6b47` a repaid debtor closed its account with its markers open, and the
/// series' `finalize_series` failed with `SeriesHasOpenDebts` forever.
#[test]
fn a_repaid_debtor_cannot_close_its_account_before_its_markers_close() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = sol_series(&mut env, 1, 150, expiry);
    let w = funded_writer(&mut env, 50, 20);
    env.write(&w, &put, 10).unwrap();
    settle_at(&mut env, expiry, 140, &[put]);
    env.settle_position(&w.account, &put).unwrap();
    let debt = env.writer_state(&w.account).quote_balance;
    assert!(debt < 0);
    // repay, then take everything out
    fund_wallet(&mut env, &w.quote_ata, debt.unsigned_abs());
    env.deposit_quote(&w, debt.unsigned_abs()).unwrap();
    env.withdraw_sol(&w, 20 * LAMPORTS_PER_SOL).unwrap();
    let state = env.writer_state(&w.account);
    assert_eq!((state.quote_balance, state.collateral_count()), (0, 0));
    let close = greekhouse_sdk::ix::close_writer_account(w.account, w.owner.pubkey());
    expect_err(
        send_signed(&mut env, close.clone(), &w.owner),
        E::AccountNotEmpty,
    );
    env.resolve_debt(&w.account).unwrap();
    send_signed(&mut env, close, &w.owner).unwrap();
    env.writer_accounts.retain(|k| *k != w.account);
    env.finalize_series(&put).unwrap();
    assert_books_balance(&mut env);
}

/// Finding 3. On `cff6b47` a debtor holding another position was never sold
/// (`start_liquidation` -> `NotLiquidatable` while above maintenance), kept writing, and its
/// series waited for it forever.
#[test]
fn a_debtor_with_other_positions_is_sold_after_its_grace_and_cannot_write() {
    let mut env = Env::new();
    let near = expiry_after(env.now(), 2);
    let far = expiry_after(env.now(), 9);
    let put = sol_series(&mut env, 1, 150, near);
    let later = sol_series(&mut env, 0, 200, far);
    let w = funded_writer(&mut env, 50, 20);
    env.write(&w, &put, 10).unwrap();
    env.write(&w, &later, 2).unwrap();
    settle_at(&mut env, near, 140, &[put]);
    env.settle_position(&w.account, &put).unwrap();
    let state = env.writer_state(&w.account);
    assert!(state.quote_balance < 0 && state.position_count() == 1);
    // no new risk while the debt is open
    expect_err(env.write(&w, &later, 1), E::SettlementDebtOpen);
    expect_err(
        env.withdraw_sol(&w, LAMPORTS_PER_SOL),
        E::SettlementDebtOpen,
    );
    let b = bidder(&mut env);
    expect_err(env.start_liquidation(&b, &w.account), E::DebtGraceNotOver);
    env.advance(3_600);
    env.publish_prices();
    // healthy margin, another position: sold all the same, only as far as the debt
    env.start_liquidation(&b, &w.account).unwrap();
    env.advance(60);
    env.publish_prices();
    let (out, p) = env.bid(&b, &w.account, BidSize::Max).unwrap();
    assert!(p.debt_sale);
    let slice: SliceBought = event(&out);
    assert!(
        slice.fraction < FRACTION_ONE / 10,
        "took {}",
        slice.fraction
    );
    let state = env.writer_state(&w.account);
    assert!(state.quote_balance >= 0);
    assert!(state.collateral_amount(&sol_asset(&env)) > 15 * LAMPORTS_PER_SOL);
    assert_eq!(state.position_count(), 1);
    env.end_liquidation(&w.account).unwrap();
    env.resolve_debt(&w.account).unwrap();
    let f: SeriesFinalized = event(&env.finalize_series(&put).unwrap());
    assert_eq!((f.payout_final, f.haircut_bps), (usd(10), 0));
    // the markers are closed: the writer may write again
    let sol = env.sol.key;
    env.refresh_surface(&sol);
    env.write(&w, &later, 1).unwrap();
    assert_books_balance(&mut env);
}

/// Finding 3, the marker limit. On `cff6b47` the fifth series settled into debt failed
/// `settle_position` with `DebtMarkersFull` and never finalized.
#[test]
fn settling_into_debt_never_runs_out_of_markers() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let puts: Vec<Pubkey> = (0..6)
        .map(|i| sol_series(&mut env, 1, 150 + 5 * i, expiry))
        .collect();
    let w = funded_writer(&mut env, 10, 40);
    for s in &puts {
        env.write(&w, s, 2).unwrap();
    }
    settle_at(&mut env, expiry, 140, &puts);
    for s in &puts {
        env.settle_position(&w.account, s).unwrap();
    }
    let state = env.writer_state(&w.account);
    assert_eq!(state.debt_marker_count(), 6);
    let debt = state.quote_balance.unsigned_abs();
    fund_wallet(&mut env, &w.quote_ata, debt);
    env.deposit_quote(&w, debt).unwrap();
    env.resolve_debt(&w.account).unwrap();
    for s in &puts {
        env.finalize_series(s).unwrap();
    }
    assert_books_balance(&mut env);
}

/// Finding 4. On `cff6b47` `resolve_bankruptcy` after `settle_series` turned settled shorts into
/// unbacked contracts (`shorts_to_settle` never reached zero: `finalize_series` ->
/// `SeriesHasUnsettledShorts` forever).
#[test]
fn a_bankruptcy_waits_for_its_expired_positions_to_settle() {
    let mut env = Env::new();
    let series = call_series(&mut env);
    let expiry = env.series_state(&series).expiry;
    let (victim, _) = writer_at_im(&mut env, &series, 10_000);
    let b = bidder(&mut env);
    // a rally far beyond the account's quote: insolvent, and the fund is empty
    let mut price = env.move_sol_until_liquidatable(&victim.account, 100);
    env.start_liquidation(&b, &victim.account).unwrap();
    while env.margin_of(&victim.account).mark_to_market.is_positive() {
        price = price * 105 / 100;
        env.move_sol(price);
    }
    settle_at(&mut env, expiry, price / 100_000_000, &[series]);
    expect_err(
        env.resolve_bankruptcy(&victim.account),
        E::PositionAwaitingSettlement,
    );
    env.settle_position(&victim.account, &series).unwrap();
    let state = env.writer_state(&victim.account);
    assert!(state.quote_balance < 0 && state.position_count() == 0);
    // nothing left to sell: the debt is written off (fund, then the series' holders)
    env.resolve_debt(&victim.account).unwrap();
    env.open_backstop(&series).unwrap();
    env.advance(86_401);
    env.finalize_series(&series).unwrap();
    let holders = env.option_balance(&victim.owner.pubkey(), &series);
    env.redeem(&victim.owner, &victim.quote_ata, &series, holders)
        .unwrap();
    assert_eq!(
        env.series_state(&series).status,
        SeriesStatus::Finalized as u8
    );
    assert_books_balance(&mut env);
}

// ============================================================== the fund pays only real risk

/// Finding 7. On `cff6b47` `start_liquidation` a minute after expiry succeeded and the first
/// bid saw a 100 % discount, the fund paying the add-on on top of the account's equity.
#[test]
fn an_expired_position_is_settled_not_auctioned() {
    let mut env = Env::new();
    let near = expiry_after(env.now(), 2);
    let far = expiry_after(env.now(), 9);
    let call = sol_series(&mut env, 0, 150, near);
    let later = sol_series(&mut env, 0, 200, far);
    let w = funded_writer(&mut env, 10_000, 0);
    env.write(&w, &later, 5).unwrap();
    env.write_to_initial_margin(&w, &call).unwrap();
    let b = bidder(&mut env);
    let now = env.now();
    env.advance(near + 60 - now);
    env.publish_prices();
    let price = env.move_sol_until_liquidatable(&w.account, 100);
    expect_err(
        env.start_liquidation(&b, &w.account),
        E::PositionAwaitingSettlement,
    );
    settle_at(&mut env, near, price / 100_000_000, &[call]);
    env.settle_position(&w.account, &call).unwrap();
    env.move_sol(price);
    if env.margin_of(&w.account).maintenance.equity.is_negative() {
        env.start_liquidation(&b, &w.account).unwrap();
        let (out, _) = env.bid(&b, &w.account, BidSize::Max).unwrap();
        let slice: SliceBought = event(&out);
        // the curve starts over the unexpired position only
        assert!(slice.discount < FRACTION_ONE / 10, "{}", slice.discount);
    }
    assert_books_balance(&mut env);
}

/// Finding 8. On `cff6b47` a late bid on a solvent account had the fund pay
/// `d (MtM + addon) - MtM`, far beyond the account's (zero) deficit.
#[test]
fn the_fund_adds_at_most_the_premium_to_a_solvent_account() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    let staker = env.staker(usd(100_000));
    env.stake(&staker, usd(100_000)).unwrap();
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    // deep into the slow phase
    env.advance(4 * 3_600);
    env.publish_prices();
    let m = env.margin_of(&c.victim.account);
    assert!(m.mark_to_market.is_positive());
    let (out, _) = env.bid(&c.bidder, &c.victim.account, BidSize::Max).unwrap();
    let slice: SliceBought = event(&out);
    assert!(slice.discount > FRACTION_ONE / 2);
    let k = env.clearinghouse().params.liquidation.fund_premium_bps as u128;
    let bound = (slice.fraction as u128 * slice.addon_maintenance as u128 * k)
        .div_ceil(10_000 * FRACTION_ONE as u128);
    assert!(
        slice.from_fund as u128 <= bound,
        "fund paid {} > k * addon share {}",
        slice.from_fund,
        bound
    );
    assert_books_balance(&mut env);
}

/// Finding 9. On `cff6b47` the first debt-sale bid could take the whole account (fraction 1,
/// 20 SOL for a 100 USDC debt).
#[test]
fn a_debt_sale_bid_takes_only_what_clears_the_debt() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = sol_series(&mut env, 1, 150, expiry);
    let w = funded_writer(&mut env, 0, 20);
    env.write(&w, &put, 10).unwrap();
    settle_at(&mut env, expiry, 140, &[put]);
    env.settle_position(&w.account, &put).unwrap();
    let debt = env.writer_state(&w.account).quote_balance;
    assert!(debt < -(usd(99) as i64));
    let b = bidder(&mut env);
    env.advance(3_600);
    env.publish_prices();
    env.start_liquidation(&b, &w.account).unwrap();
    env.advance(120);
    env.publish_prices();
    let (out, _) = env.bid(&b, &w.account, BidSize::Max).unwrap();
    let slice: SliceBought = event(&out);
    assert!(
        slice.fraction < FRACTION_ONE / 20,
        "took {}",
        slice.fraction
    );
    let state = env.writer_state(&w.account);
    assert!(state.quote_balance >= 0);
    assert!(state.collateral_amount(&sol_asset(&env)) > 19 * LAMPORTS_PER_SOL);
    // a larger fraction than the debt needs is refused
    assert_eq!(
        env.writer_state(&w.account).status,
        WriterStatus::Liquidating as u8
    );
    env.end_liquidation(&w.account).unwrap();
    env.resolve_debt(&w.account).unwrap();
    env.finalize_series(&put).unwrap();
    assert_books_balance(&mut env);
}

/// Finding 10. On `cff6b47` a quote-only writer whose quote exceeded what its shorts were worth
/// was written off late in its auction with an empty fund, its surplus swept to the series and
/// then to the fund. A solvent account is not written off; a bid buys it even from an empty fund.
#[test]
fn a_solvent_account_without_collateral_is_sold_not_written_off() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    env.advance(5 * 3_600);
    env.publish_prices();
    assert_eq!(env.insurance_fund().balance, 0);
    assert!(env
        .margin_of(&c.victim.account)
        .mark_to_market
        .is_positive());
    expect_err(env.resolve_bankruptcy(&c.victim.account), E::AccountSolvent);
    // the fund pays what it holds (nothing); the bid goes through
    let (out, _) = env.bid(&c.bidder, &c.victim.account, BidSize::Max).unwrap();
    let slice: SliceBought = event(&out);
    assert_eq!(slice.from_fund, 0);
    assert_books_balance(&mut env);
}

// ============================================================== dust and unpriceable collateral

/// Finding 5, a debt. On `cff6b47` one lamport of SOL deposited into a debtor's account made
/// `resolve_debt` fail with `DebtWithCollateral` for good (nobody bids for a lamport).
#[test]
fn dust_collateral_does_not_block_writing_a_debt_off() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = sol_series(&mut env, 1, 150, expiry);
    let w = funded_writer(&mut env, 800, 0);
    env.write(&w, &put, 10).unwrap();
    settle_at(&mut env, expiry, 60, &[put]);
    env.settle_position(&w.account, &put).unwrap();
    assert!(env.writer_state(&w.account).quote_balance < 0);
    // the owner's dust deposit into the debtor account
    mint_sol(&mut env, &w.sol_ata, 1);
    env.deposit_sol(&w, 1).unwrap();
    let r: DebtResolved = event(&env.resolve_debt(&w.account).unwrap());
    assert!(r.debt > 0);
    // the dust stays the owner's and can be taken out
    env.withdraw_sol(&w, 1).unwrap();
    assert_books_balance(&mut env);
}

/// Finding 5, the limit: collateral worth more than dust is sold, not written off.
#[test]
fn collateral_worth_more_than_dust_is_not_written_off() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = sol_series(&mut env, 1, 150, expiry);
    let w = funded_writer(&mut env, 800, 0);
    env.write(&w, &put, 10).unwrap();
    settle_at(&mut env, expiry, 60, &[put]);
    env.settle_position(&w.account, &put).unwrap();
    mint_sol(&mut env, &w.sol_ata, LAMPORTS_PER_SOL / 10);
    env.deposit_sol(&w, LAMPORTS_PER_SOL / 10).unwrap();
    expect_err(env.resolve_debt(&w.account), E::DebtWithCollateral);
}

/// Finding 5, a bankruptcy. On `cff6b47` one lamport of collateral left in an insolvent account
/// made `resolve_bankruptcy` fail with `BankruptWithCollateral` for good.
#[test]
fn dust_collateral_does_not_block_a_bankruptcy() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    let p = env.sol_price;
    env.move_sol(p * 2);
    assert!(env
        .margin_of(&c.victim.account)
        .mark_to_market
        .is_negative());
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    mint_sol(&mut env, &c.victim.sol_ata, 1);
    env.deposit_sol(&c.victim, 1).unwrap();
    let out = env.resolve_bankruptcy(&c.victim.account).unwrap();
    let _: BankruptcyResolved = event(&out);
    assert_eq!(
        env.writer_state(&c.victim.account).status,
        WriterStatus::Bankrupt as u8
    );
    env.withdraw_sol(&c.victim, 1).unwrap();
    assert_books_balance(&mut env);
}

/// Finding 6, a stale feed. On `cff6b47` a little SOL collateral whose feed went stale made
/// every margin check of a BTC writer fail with `OracleStale`, so it could not be liquidated.
/// A liquidation values collateral priced by a stale legacy (fixed-account) feed at zero
/// instead. Both feeds here are legacy accounts (the test oracle program).
#[test]
fn a_stale_legacy_feed_pricing_only_collateral_does_not_stop_a_liquidation() {
    let mut env = Env::with_options(EnvOptions {
        oracle: OracleSetup::TestOracle,
        ..EnvOptions::default()
    });
    let w = btc_writer_with_sol_dust(&mut env);
    let b = bidder(&mut env);
    sol_stops_btc_rallies(&mut env);
    env.start_liquidation(&b, &w.account).unwrap();
    let (out, _) = env.bid(&b, &w.account, BidSize::Max).unwrap();
    let _: SliceBought = event(&out);
    assert_books_balance(&mut env);
}

/// The limit of finding 6's fix: a pull feed's update is whatever account the caller brings, so
/// a failed one is never tolerated (a liquidator could zero a victim's collateral with an old
/// update); anyone refreshes a stale pull feed by posting a current update.
#[test]
fn a_stale_pull_feed_pricing_collateral_is_refreshed_not_ignored() {
    let mut env = Env::new();
    let w = btc_writer_with_sol_dust(&mut env);
    let b = bidder(&mut env);
    sol_stops_btc_rallies(&mut env);
    expect_err(env.start_liquidation(&b, &w.account), E::OracleStale);
    // a current SOL update, posted by anyone
    let now = env.now();
    let sol = env.sol_price;
    env.publish_sol_at(sol, now);
    env.start_liquidation(&b, &w.account).unwrap();
}

/// A BTC call writer at initial margin with a little SOL collateral.
fn btc_writer_with_sol_dust(env: &mut Env) -> Writer {
    let btc = env.btc;
    let expiry = expiry_after(env.now(), 7);
    let strike = env.btc_price as u64 / 100 * 11 / 10;
    let call = env.create_series(btc, 0, strike, expiry).unwrap();
    let w = funded_writer(env, 20_000, 1);
    let n = env.write_to_initial_margin(&w, &call).unwrap();
    assert!(n > 0);
    w
}

/// SOL's feed stops for ten minutes while BTC rallies 50 %.
fn sol_stops_btc_rallies(env: &mut Env) {
    env.advance(600);
    let now = env.now();
    env.btc_price = env.btc_price * 3 / 2;
    let obs = greekhouse_testkit::pyth::PriceObservation {
        price: env.btc_price,
        conf: env.btc_price as u64 / 1_000,
        expo: -8,
        publish_time: now,
    };
    env.set_btc_oracle(obs, pyth_sdk_solana::state::PriceStatus::Trading);
}

/// Finding 6, too many underlyings: the deposit that would make the margin uncomputable is
/// refused (the bound needs no account beyond the deposit's own; engine unit tests cover it).
#[test]
fn a_collateral_deposit_never_makes_the_margin_uncomputable() {
    use greekhouse::engine::margin::require_priceable_after_deposit;
    let mut env = Env::new();
    let w = funded_writer(&mut env, 100, 1);
    let mut state = env.writer_state(&w.account);
    let asset = env.collateral_state(&env.sol_mint.clone());
    let key = sol_asset(&env);
    // already held: always fine
    require_priceable_after_deposit(&state, &key, &asset).unwrap();
    // eight underlyings in positions: a new one for collateral is one too many
    state.collaterals = Default::default();
    for (i, p) in state.positions.iter_mut().take(8).enumerate() {
        *p = greekhouse::state::Position {
            series: Pubkey::new_unique(),
            underlying: Pubkey::new_from_array([i as u8 + 1; 32]),
            strike: 1,
            expiry: 1,
            contract_size: 1,
            contracts: 1,
            kind: 0,
            side: 0,
            style: 0,
            _padding: 0,
            exercise_epoch: 0,
        };
    }
    let err = require_priceable_after_deposit(&state, &key, &asset).unwrap_err();
    assert!(
        format!("{err:?}").contains("RiskTooManyUnderlyings"),
        "{err:?}"
    );
}

// ============================================================== the no-rollback floor

/// Finding 14 (liquidation's prices). On `cff6b47` `start_liquidation` and `bid` only read their
/// underlyings: after a bid at a fresh price, the owner could end the liquidation with an older,
/// kinder price. They now record what they use; an older price is refused.
#[test]
fn liquidation_records_its_prices_so_no_older_price_ends_it() {
    let mut env = Env::new();
    let c = crashed(&mut env);
    // read-only underlyings are refused: the prices must be recorded
    let state = env.writer_state(&c.victim.account);
    let ix = greekhouse_sdk::ix::start_liquidation(
        env.ch.clearinghouse,
        c.bidder.owner.pubkey(),
        c.victim.account,
        c.bidder.account,
        env.margin_accounts(state),
    );
    expect_err(
        send_signed(&mut env, ix, &c.bidder.owner),
        E::UnderlyingNotWritable,
    );
    let before = env.underlying(&env.sol.key.clone()).last_publish_time;
    env.advance(5);
    env.publish_prices();
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let recorded = env.underlying(&env.sol.key.clone()).last_publish_time;
    assert!(recorded > before);
    // the owner brings back an older, kinder price: refused
    let now = env.now();
    let kind = env.sol_price / 2;
    env.set_sol_oracle(
        greekhouse_testkit::pyth::PriceObservation {
            price: kind,
            conf: kind as u64 / 1_000,
            expo: -8,
            publish_time: now - 3,
        },
        pyth_solana_receiver_sdk::price_update::VerificationLevel::Full,
    );
    let err = env.end_liquidation(&c.victim.account).unwrap_err();
    assert!(err.to_string().contains("OracleRollback"), "{err}");
}
