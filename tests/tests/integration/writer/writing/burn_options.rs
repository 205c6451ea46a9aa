//! `burn_options`: its success and each way it must fail.
use super::*;

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
    assert!(ws.positions.iter().all(|p| *p == Position::default()));
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
