//! Property tests of the invariants of docs/protocol.md §12.
use super::*;

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10,
        max_shrink_iters: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random writers, books, a possible bankruptcy, stakes, settlement prices and backstop
    /// purchases through one expiry: every vault equals its ledger and open interest equals
    /// supply and shorts (plus unbacked contracts) after every step; after finalization the
    /// outstanding tokens are backed and the redemptions never exceed the ledger; a series
    /// without its own loss pays in full whatever happens to the others.
    #[test]
    fn an_expiry_keeps_every_series_whole_or_haircut_alone(
        dollars in proptest::collection::vec(300u64..20_000, 3),
        books in proptest::collection::vec(proptest::collection::vec(0u64..25, 3), 3),
        bankrupt in any::<bool>(),
        stake in 0u64..5_000,
        settle_at in 60i64..260,
        backstop_bps in 0u64..=10_000,
    ) {
        let mut env = Env::new();
        let expiry = expiry_after(env.now(), 2);
        let all = [
            series(&mut env, 0, 140, expiry),
            series(&mut env, 1, 170, expiry),
            series(&mut env, 0, 200, expiry),
        ];
        let mut writers = Vec::new();
        for (i, d) in dollars.iter().enumerate() {
            let w = env.writer(usd(*d), 0);
            env.deposit_quote(&w, usd(*d)).unwrap();
            for (s, n) in all.iter().zip(&books[i]) {
                if *n > 0 {
                    // a write above initial margin is refused and changes nothing
                    let _ = env.write(&w, s, *n);
                }
            }
            writers.push(w);
        }
        if bankrupt {
            let (weak, _) = writer_at_im(&mut env, &all[0], 1_000);
            let p = env.move_sol_until_liquidatable(&weak.account, 100);
            env.move_sol(p * 3 / 2);
            let keeper = bidder(&mut env);
            env.start_liquidation(&keeper, &weak.account).unwrap();
            if env.resolve_bankruptcy(&weak.account).is_err() {
                // solvent enough for a bid: the keeper buys it instead
                let _ = env.bid(&keeper, &weak.account, BidSize::Max);
            }
            env.move_sol(px(150));
            writers.push(weak);
        }
        assert_books_balance(&mut env);
        if stake > 0 {
            let staker = env.staker(usd(stake));
            env.stake(&staker, usd(stake)).unwrap();
        }

        settle_price(&mut env, expiry, settle_at);
        for s in &all {
            env.settle_series(s).unwrap();
            assert_books_balance(&mut env);
        }
        let accounts: Vec<Pubkey> = env.writer_accounts.clone();
        for a in &accounts {
            for s in &all {
                if env.writer_state(a).short_contracts(s) > 0 {
                    env.settle_position(a, s).unwrap();
                    assert_books_balance(&mut env);
                }
            }
            if env.writer_state(a).debt_marker_count() > 0 {
                env.resolve_debt(a).unwrap();
                assert_books_balance(&mut env);
            }
        }
        // backstops where a series is short; the rest finalize at once
        let buyer = env.staker(usd(1_000_000));
        let mut opened = false;
        for s in &all {
            if env.open_backstop(s).is_ok() {
                opened = true;
                let st = env.series_state(s);
                let gap = (st.outstanding() * st.payout_per_contract)
                    .saturating_sub(st.settlement_ledger);
                let amount = (gap as u128 * backstop_bps as u128 / 10_000) as u64;
                if amount > 0 {
                    let _ = env.buy_backstop(&buyer, s, amount, u64::MAX);
                }
                assert_books_balance(&mut env);
            }
        }
        if opened {
            env.advance(86_401);
        }
        for s in &all {
            env.finalize_series(s).unwrap();
            let st = env.series_state(s);
            // a series with no loss of its own is paid in full
            if st.unbacked_contracts == 0 && st.shortfall == 0 {
                prop_assert_eq!(st.payout_final, st.payout_per_contract, "series {}", s);
            }
            prop_assert!(st.outstanding() * st.payout_final <= st.settlement_ledger);
            assert_books_balance(&mut env);
        }
        // every holder redeems; the sum never exceeds what the ledger held
        for s in &all {
            let ledger = env.series_state(s).settlement_ledger;
            let mut paid = 0;
            for w in &writers {
                let held = env.option_balance(&w.owner.pubkey(), s);
                if held > 0 {
                    let r: greekhouse::events::Redeemed =
                        event(&env.redeem(&w.owner, &w.quote_ata, s, held).unwrap());
                    paid += r.amount;
                }
            }
            prop_assert!(paid <= ledger);
            sweep_dust_if_any(&mut env, s);
            prop_assert_eq!(env.series_state(s).settlement_ledger, 0);
            assert_books_balance(&mut env);
        }
    }
}

#[test]
fn a_guardian_pausing_everything_cannot_stop_settlement_or_redemption() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let w = env.writer(usd(10_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &call, 3).unwrap();
    env.pause(pause::PAUSABLE);
    settle_price(&mut env, expiry, 150);
    env.settle_series(&call).unwrap();
    env.settle_position(&w.account, &call).unwrap();
    env.finalize_series(&call).unwrap();
    let r: greekhouse::events::Redeemed =
        event(&env.redeem(&w.owner, &w.quote_ata, &call, 3).unwrap());
    assert_eq!(r.amount, 3 * usd(10));
    sweep_dust_if_any(&mut env, &call);
    // and the account, with no shorts and no debt left, withdraws under a full pause
    let left = env.writer_state(&w.account).quote_balance as u64;
    env.withdraw_quote(&w, left).unwrap();
    assert_books_balance(&mut env);
}

/// Replace `from` by `to` among an instruction's accounts.
pub(super) fn swap(
    mut ix: anchor_lang::solana_program::instruction::Instruction,
    from: Pubkey,
    to: Pubkey,
) -> anchor_lang::solana_program::instruction::Instruction {
    for m in ix.accounts.iter_mut() {
        if m.pubkey == from {
            m.pubkey = to;
        }
    }
    ix
}

#[test]
fn settlement_refuses_foreign_accounts_and_wrong_signers() {
    use greekhouse_sdk::{ix, pda};
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let call = series(&mut env, 0, 140, expiry);
    let w = env.writer(usd(10_000), 0);
    env.deposit_quote(&w, usd(10_000)).unwrap();
    env.write(&w, &call, 3).unwrap();
    let foreign = env.foreign_clearinghouse();
    let (ours, theirs) = (env.ch.clearinghouse, foreign.ch.clearinghouse);
    settle_price(&mut env, expiry, 150);
    // settle_series with another clearing house's fund or vaults
    let settle = ix::settle_series(&env.ch, call, env.sol.key, expiry);
    for (from, to, err) in [
        (
            pda::insurance_fund(&ours),
            pda::insurance_fund(&theirs),
            E::WrongInsuranceFund,
        ),
        (
            pda::insurance_vault(&ours),
            pda::insurance_vault(&theirs),
            E::WrongVault,
        ),
        (env.ch.quote_vault, foreign.ch.quote_vault, E::WrongVault),
    ] {
        expect_err(env.send_ix(swap(settle.clone(), from, to), &[]), err);
    }
    env.settle_series(&call).unwrap();
    // a writer account of another clearing house
    let fw = crate::liquidation::pda_writer(&mut env, &foreign);
    expect_err(
        env.send_ix(ix::settle_position(fw, call), &[]),
        E::WrongClearinghouse,
    );
    // resolve_debt with another clearing house's fund
    let resolve = ix::resolve_debt(&env.ch, w.account, &[], vec![]);
    expect_err(
        env.send_ix(
            swap(
                resolve,
                pda::insurance_fund(&ours),
                pda::insurance_fund(&theirs),
            ),
            &[],
        ),
        E::WrongInsuranceFund,
    );
    env.settle_position(&w.account, &call).unwrap();
    env.finalize_series(&call).unwrap();
    // a holder cannot redeem tokens of another owner's token account
    let thief = env.writer(0, 0);
    let victim_tokens = env.option_ata(&w.owner.pubkey(), &call);
    let steal = ix::redeem(
        &env.ch,
        thief.owner.pubkey(),
        call,
        victim_tokens,
        thief.quote_ata,
        1,
    );
    expect_err(env.send_ix(steal, &[&thief.owner]), E::WrongTokenOwner);
    // redeem from another clearing house's quote vault
    let redeem = ix::redeem(
        &env.ch,
        w.owner.pubkey(),
        call,
        victim_tokens,
        w.quote_ata,
        1,
    );
    expect_err(
        env.send_ix(
            swap(redeem, env.ch.quote_vault, foreign.ch.quote_vault),
            &[&w.owner],
        ),
        E::WrongVault,
    );
}

#[test]
fn buying_a_backstop_needs_the_buyers_own_stake_and_an_open_auction() {
    let mut env = Env::new();
    let expiry = expiry_after(env.now(), 2);
    let put = series(&mut env, 1, 150, expiry);
    let (w, _) = writer_at_im(&mut env, &put, 2_000);
    settle_price(&mut env, expiry, 60);
    env.settle_series(&put).unwrap();
    env.settle_position(&w.account, &put).unwrap();
    env.resolve_debt(&w.account).unwrap();
    let buyer = env.staker(usd(1_000));
    expect_err(
        env.buy_backstop(&buyer, &put, usd(1), u64::MAX),
        E::BackstopNotOpen,
    );
    env.open_backstop(&put).unwrap();
    // signing for another staker's stake account
    let other = env.staker(usd(1_000));
    let n = env.clearinghouse().underlying_count;
    let ix = swap(
        greekhouse_sdk::ix::buy_backstop(
            &env.ch,
            other.owner.pubkey(),
            other.quote_ata,
            put,
            greekhouse::instructions::BuyBackstopArgs {
                amount: usd(1),
                max_price: u64::MAX,
            },
            n,
        ),
        other.stake,
        buyer.stake,
    );
    expect_err(env.send_ix(ix, &[&other.owner]), E::NotStakeOwner);
    expect_err(env.buy_backstop(&buyer, &put, 0, u64::MAX), E::ZeroAmount);
    env.buy_backstop(&buyer, &put, usd(1), u64::MAX).unwrap();
    assert_books_balance(&mut env);
}
