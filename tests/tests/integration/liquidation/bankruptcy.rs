//! `resolve_bankruptcy`: its success and each way it must fail.
use super::*;

#[test]
fn a_bankruptcy_turns_shorts_into_unbacked_contracts() {
    let mut env = Env::new();
    let c = insolvent(&mut env);
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    let state = env.writer_state(&c.victim.account);
    assert_eq!(state.collateral_count(), 0);
    let quote = state.quote_balance as u64;
    let contracts = env.short_of(&c.victim.account, &c.series);
    let out = env.resolve_bankruptcy(&c.victim.account).unwrap();
    let e: BankruptcyResolved = event(&out);
    assert_eq!(e.fund_balance, 0);
    assert!(e.fund_needed > 0);
    assert_eq!(e.unbacked.len(), 1);
    assert_eq!(e.unbacked[0].series, c.series);
    assert_eq!(e.unbacked[0].contracts, contracts);
    assert_eq!(e.unbacked[0].cover, quote);
    let series = env.series_state(&c.series);
    assert_eq!(series.unbacked_contracts, contracts);
    assert_eq!(series.unbacked_cover, quote);
    let state = env.writer_state(&c.victim.account);
    assert_eq!(state.status, WriterStatus::Bankrupt as u8);
    assert_eq!((state.position_count(), state.quote_balance), (0, 0));
    assert_books_balance(&mut env);
    // nothing more can happen to it in the auction
    expect_err(
        env.bid_with(
            &c.bidder,
            &c.victim.account,
            BidArgs {
                fraction: 1,
                payment_limit: i64::MAX,
            },
        ),
        E::AccountNotLiquidating,
    );
}

#[test]
fn bankruptcy_refusals() {
    let mut env = Env::new();
    let c = insolvent(&mut env);
    expect_err(
        env.resolve_bankruptcy(&c.victim.account),
        E::AccountNotLiquidating,
    );
    env.start_liquidation(&c.bidder, &c.victim.account).unwrap();
    // series accounts that are not the account's
    let sol = env.sol;
    let expiry = env.series_state(&c.series).expiry;
    let spot_dollars = (env.sol_price / 100_000_000) as u64;
    let other = env
        .create_series(sol, 1, usd(spot_dollars), expiry)
        .unwrap();
    let payer = env.chain.payer();
    let remaining = {
        let state = env.writer_state(&c.victim.account);
        env.margin_accounts(state)
    };
    let ix = greekhouse_sdk::ix::resolve_bankruptcy(
        env.ch.clearinghouse,
        payer,
        c.victim.account,
        &[other],
        remaining,
    );
    expect_err(env.send_ix(ix, &[]), E::SeriesAccountsMismatch);
    // a fund that can pay for the whole account
    let staker = env.staker(usd(10_000_000));
    env.stake(&staker, usd(10_000_000)).unwrap();
    expect_err(
        env.resolve_bankruptcy(&c.victim.account),
        E::InsuranceFundCanPay,
    );
    // an account with collateral: the auction sells it first
    let auth = env.mint_authority.insecure_clone();
    let sol_mint = env.sol_mint;
    env.chain
        .mint_to(
            &SPL_TOKEN,
            &sol_mint,
            &c.victim.sol_ata,
            &auth,
            LAMPORTS_PER_SOL,
        )
        .unwrap();
    env.deposit_sol(&c.victim, LAMPORTS_PER_SOL).unwrap();
    expect_err(
        env.resolve_bankruptcy(&c.victim.account),
        E::BankruptWithCollateral,
    );
}
