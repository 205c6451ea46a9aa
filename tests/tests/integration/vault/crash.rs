//! A vault below maintenance is liquidated by the ordinary auction and settled like any writer:
//! its holders are paid in full, its LPs take the loss, the insurance fund pays nothing.
use super::*;

use crate::liquidation::{assert_books_balance, bidder};
use greekhouse::engine::settlement::contract_amounts;
use greekhouse::state::SeriesStatus;
use greekhouse_sdk::liquidation::BidSize;

#[test]
fn a_vault_liquidated_in_a_rally_pays_its_holders_in_full_and_its_lps_take_the_loss() {
    let (mut env, v) = world_with(VaultPolicy {
        max_utilisation_bps: 10_000,
        ..default_vault_policy()
    });
    let lp = lps(&mut env, &v, &[5_000, 5_000]);
    let (sol, now) = (env.sol, env.now());
    let expiry = expiry_after(now, 3);
    let call = env.create_series(sol, 0, usd(150), expiry).unwrap();
    let buyer = env.vault_user(&v, usd(1_000_000));
    let mut sold = 0;
    while env.vault_buy(&v, &buyer, &call, 20, u64::MAX).is_ok() {
        sold += 20;
    }
    assert!(sold > 0);

    // the LPs ask to leave as the market turns: their shares stay in the loss
    for l in &lp {
        let shares = env.shares_of(l);
        env.request_vault_withdraw(&v, l, shares).unwrap();
    }
    let price = env.move_sol_until_liquidatable(&v.writer_account, 100);
    let keeper = bidder(&mut env);
    env.start_liquidation(&keeper, &v.writer_account).unwrap();
    expect_err(env.vault_withdraw(&v, &lp[0]), E::VaultWithdrawalNotMature);
    // a liquidating vault takes no deposit and buys nothing back
    let late = env.vault_user(&v, usd(1_000));
    expect_err(
        env.vault_deposit(&v, &late, usd(1_000)),
        E::AccountNotActive,
    );
    expect_err(
        env.vault_sell_back(&v, &buyer, &call, 1, 0),
        E::AccountNotActive,
    );
    env.advance(300);
    env.publish_prices();
    env.bid(&keeper, &v.writer_account, BidSize::Max).unwrap();
    env.end_liquidation(&v.writer_account).unwrap();
    assert_books_balance(&mut env);

    // expiry at the liquidation's price: every short settles, the series pays in full
    let now = env.now();
    env.advance(expiry + 10 - now);
    env.publish_sol_update(price, expiry + 10, expiry - 1);
    env.propose_settlement(expiry).unwrap();
    // until its short is settled the vault's value is not fixed: no deposit, no payment (the
    // matured requests stay queued)
    expect_err(
        env.vault_deposit(&v, &late, usd(1_000)),
        E::PositionAwaitingSettlement,
    );
    expect_err(
        env.vault_withdraw(&v, &lp[0]),
        E::PositionAwaitingSettlement,
    );
    env.settle_series(&call).unwrap();
    for w in [v.writer_account, keeper.account] {
        if env.short_of(&w, &call) > 0 {
            env.settle_position(&w, &call).unwrap();
        }
    }
    env.finalize_series(&call).unwrap();
    let s = env.series_state(&call);
    assert_eq!(s.status, SeriesStatus::Finalized as u8);
    let payout = contract_amounts(0, usd(150), 1_000_000, price, PYTH_EXPO, 6)
        .unwrap()
        .payout;
    assert!(payout > 0);
    assert_eq!(s.payout_final, payout, "holders are paid in full");
    let wallet = env.wallet_quote(&buyer.quote_ata);
    env.redeem(&buyer.owner, &buyer.quote_ata, &call, sold)
        .unwrap();
    assert_eq!(env.wallet_quote(&buyer.quote_ata), wallet + sold * payout);
    assert_eq!(env.insurance_fund().paid_to_bidders_total, 0);

    // the LPs share what is left, less than they put in
    let nav0 = env.vault_nav(&v);
    let mut paid = 0;
    for l in &lp {
        // each payment at the value of that moment (an earlier one's rounding stays behind)
        let nav = env.vault_nav(&v);
        let total = total_shares(&mut env, &v);
        let ev = event::<VaultWithdrawn>(&env.vault_withdraw(&v, l).unwrap());
        assert_eq!(
            u128::from(ev.amount),
            u128::from(ev.shares) * nav as u128 / u128::from(total)
        );
        assert!(ev.amount < usd(5_000), "an LP takes the loss");
        paid += ev.amount;
    }
    assert!(paid <= nav0 as u64);
    assert_books_balance(&mut env);
}
