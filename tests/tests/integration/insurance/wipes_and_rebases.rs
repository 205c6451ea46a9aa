//! A wiped fund rebases its shares and stays refillable.
use super::*;

/// A loss that leaves the fund with `remaining` quote: the fund's ledger and its vault are
/// lowered together, as a payment out of the fund would (the books stay balanced).
pub(super) fn lose_all_but(env: &mut Env, remaining: u64) {
    let fund_key = pda::insurance_fund(&env.ch.clearinghouse);
    let mut account = env.chain.account(&fund_key).unwrap().unwrap();
    let mut fund = env.insurance_fund();
    assert!(fund.balance >= remaining);
    fund.balance = remaining;
    account.data[8..].copy_from_slice(bytemuck::bytes_of(&fund));
    env.chain.set_account(&fund_key, account);
    let vault = pda::insurance_vault(&env.ch.clearinghouse);
    let mut account = env.chain.account(&vault).unwrap().unwrap();
    // SPL token account: the amount is the u64 at bytes 64..72
    account.data[64..72].copy_from_slice(&remaining.to_le_bytes());
    env.chain.set_account(&vault, account);
    assert_eq!(env.insurance_fund().balance, remaining);
    assert_eq!(env.insurance_vault_balance(), remaining);
}

/// Value of a staker's shares now, as the program would count them.
pub(super) fn stake_value(env: &mut Env, s: &Staker) -> u64 {
    let shares = shares_of(env, s);
    env.insurance_fund().shares().value_of(shares).unwrap()
}

/// A staker's shares now, as the program counts them (at the fund's share base).
pub(super) fn shares_of(env: &mut Env, s: &Staker) -> u64 {
    let base = env.insurance_fund().shares_base;
    env.insurance_stake(s).rebased(base).unwrap().shares
}

/// 10,000 USDC staked, then a loss down to `remaining`; then a small stake, a huge stake and
/// another small one each get what they paid (less rounding of a few units), and the old
/// staker's shares never gain from the new money.
pub(super) fn new_money_after_a_loss_to(remaining: u64) {
    let mut env = Env::new();
    let old = env.staker(usd(10_000));
    env.stake(&old, usd(10_000)).unwrap();
    lose_all_but(&mut env, remaining);
    let old_value = stake_value(&mut env, &old);
    assert!(old_value <= remaining);
    // a huge stake: 10^16 units (10 billion USDC), more than half the fund's share capacity
    let huge = 10u64.pow(16);
    for amount in [usd(1), huge, 1_000, usd(25)] {
        let s = env.staker(amount);
        let e: Staked = event(&env.stake(&s, amount).unwrap());
        assert!(e.shares > 0);
        let v = stake_value(&mut env, &s);
        assert!(v <= amount, "a stake of {amount} is worth {v}");
        assert!(v + 2 >= amount, "a stake of {amount} is worth only {v}");
        // the old shares take nothing of the new money
        assert!(stake_value(&mut env, &old) <= remaining);
    }
    if remaining == 0 {
        assert_eq!(stake_value(&mut env, &old), 0);
    }
    assert_books_balance(&mut env);
}

#[test]
fn wiped_fund_to_zero_prices_new_stakes_of_any_size_at_its_value() {
    new_money_after_a_loss_to(0);
}

#[test]
fn wiped_fund_to_one_unit_prices_new_stakes_of_any_size_at_its_value() {
    new_money_after_a_loss_to(1);
}

#[test]
fn wiped_fund_to_a_millionth_prices_new_stakes_of_any_size_at_its_value() {
    new_money_after_a_loss_to(usd(10_000) / 1_000_000);
}

/// A call series with a bankrupt writer's unbacked contracts, settled above the strike after
/// the fund (10,000 USDC staked by `old`) lost all but `remaining`: the fund covers what it
/// can, and a backstop opens on the rest. Returns the series and the backstop's gap.
pub(super) fn wiped_fund_backstop(env: &mut Env, old: &Staker, remaining: u64) -> (Pubkey, u64) {
    let expiry = expiry_after(env.now(), 2);
    let sol = env.sol;
    let call = env.create_series(sol, 0, usd(140), expiry).unwrap();
    let big = env.writer(usd(400_000), 0);
    env.deposit_quote(&big, usd(300_000)).unwrap();
    env.write(&big, &call, 20).unwrap();
    let (weak, _) = crate::liquidation::writer_at_im(env, &call, 2_000);
    let price = env.move_sol_until_liquidatable(&weak.account, 100);
    env.move_sol(price * 3 / 2);
    let keeper = crate::liquidation::bidder(env);
    env.start_liquidation(&keeper, &weak.account).unwrap();
    env.resolve_bankruptcy(&weak.account).unwrap();
    env.stake(old, usd(10_000)).unwrap();
    lose_all_but(env, remaining);
    let settle_at = env.sol_price / 100_000_000 + 30;
    let now = env.now();
    env.advance(expiry + 10 - now);
    env.publish_sol_at(settle_at * 100_000_000, expiry + 10);
    env.propose_settlement(expiry).unwrap();
    env.advance(901);
    env.settle_series(&call).unwrap();
    env.settle_position(&big.account, &call).unwrap();
    let o: BackstopOpened = event(&env.open_backstop(&call).unwrap());
    assert!(o.shortfall > usd(100), "gap {}", o.shortfall);
    (call, o.shortfall)
}

pub(super) fn backstop_after_a_loss_to(remaining: u64) {
    let mut env = Env::new();
    let old = env.staker(usd(10_000));
    let (call, gap) = wiped_fund_backstop(&mut env, &old, remaining);
    assert_eq!(env.insurance_fund().balance, 0);
    // a small purchase, then the rest of the gap at once
    let buyer = env.staker(gap);
    let b: BackstopBought = event(&env.buy_backstop(&buyer, &call, usd(1), u64::MAX).unwrap());
    assert!(b.shares > 0);
    let b2: BackstopBought = event(
        &env.buy_backstop(&buyer, &call, gap - usd(1), u64::MAX)
            .unwrap(),
    );
    assert_eq!(b2.shortfall_after, 0);
    // the wiped fund's old shares are worth nothing and own nothing of it: every share
    // outstanding is the buyer's
    assert_eq!(stake_value(&mut env, &old), 0);
    let buyer_shares = shares_of(&mut env, &buyer);
    assert_eq!(env.insurance_fund().total_shares, buyer_shares);
    // and a new stake after the purchase is priced at the fund's value
    let s = env.staker(usd(1_000));
    env.stake(&s, usd(1_000)).unwrap();
    let v = stake_value(&mut env, &s);
    assert!(v <= usd(1_000) && v + 2 >= usd(1_000), "{v}");
    assert_books_balance(&mut env);
}

#[test]
fn wiped_fund_to_zero_sells_backstop_shares_of_any_size() {
    backstop_after_a_loss_to(0);
}

#[test]
fn wiped_fund_to_one_unit_sells_backstop_shares_of_any_size() {
    backstop_after_a_loss_to(1);
}

#[test]
fn wiped_fund_to_a_millionth_sells_backstop_shares_of_any_size() {
    backstop_after_a_loss_to(usd(10_000) / 1_000_000);
}
