//! `pause` (guardian or admin, risk-increasing actions only) and `unpause` (admin).
use super::*;

#[test]
fn the_guardian_pauses_write_withdraw_and_create_series() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();

    let out = env.pause_as(&guardian, pause::WRITE).unwrap();
    assert_eq!(event_names(&out), vec!["PauseFlagsChanged"]);
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.by, guardian.pubkey());
    assert_eq!(e.previous, 0);
    assert_eq!(e.paused, pause::WRITE);
    assert_eq!(env.clearinghouse().paused, pause::WRITE);

    let out = env
        .pause_as(&guardian, pause::WITHDRAW | pause::CREATE_SERIES)
        .unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.previous, pause::WRITE);
    assert_eq!(
        e.paused,
        pause::WRITE | pause::WITHDRAW | pause::CREATE_SERIES
    );
    let s = env.clearinghouse();
    assert_eq!(
        s.paused,
        pause::WRITE | pause::WITHDRAW | pause::CREATE_SERIES
    );
    assert!(
        s.is_paused(pause::WRITE)
            && s.is_paused(pause::WITHDRAW)
            && s.is_paused(pause::CREATE_SERIES)
    );
}

#[test]
fn pausing_a_flag_that_is_already_set_keeps_it_set() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WITHDRAW).unwrap();
    let out = env.pause_as(&guardian, pause::WITHDRAW).unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!((e.previous, e.paused), (pause::WITHDRAW, pause::WITHDRAW));
    assert_eq!(env.clearinghouse().paused, pause::WITHDRAW);
}

#[test]
fn the_admin_can_pause_too() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let out = env.pause_as(&admin, pause::CREATE_SERIES).unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.by, admin.pubkey());
    assert_eq!((e.previous, e.paused), (0, pause::CREATE_SERIES));
    assert_eq!(env.clearinghouse().paused, pause::CREATE_SERIES);
}

#[test]
fn pause_by_a_key_that_is_neither_guardian_nor_admin_fails() {
    let mut env = Env::new();
    let stranger = env.stranger();
    let vol_updater = env.vol_updater_kp();
    let creator = env.creator.insecure_clone();
    for signer in [&stranger, &vol_updater, &creator] {
        expect_err(
            env.pause_as(signer, pause::WRITE),
            GreekhouseError::NotGuardian,
        );
    }
    assert_eq!(env.clearinghouse().paused, 0);
}

#[test]
fn pause_refuses_flags_outside_the_pausable_set_and_zero() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    let admin = env.admin_kp();
    for flags in [0, 1 << 5, 1 << 31, pause::WRITE | 1 << 5, u32::MAX] {
        expect_err(env.pause_as(&guardian, flags), GreekhouseError::NotPausable);
        expect_err(env.pause_as(&admin, flags), GreekhouseError::NotPausable);
    }
    assert_eq!(env.clearinghouse().paused, 0);
}

#[test]
fn the_guardian_cannot_unpause() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::PAUSABLE).unwrap();
    expect_err(
        env.unpause_as(&guardian, pause::WRITE),
        GreekhouseError::NotAdmin,
    );
    let stranger = env.stranger();
    expect_err(
        env.unpause_as(&stranger, pause::WRITE),
        GreekhouseError::NotAdmin,
    );
    assert_eq!(env.clearinghouse().paused, pause::PAUSABLE);
}

#[test]
fn the_admin_unpauses_flag_by_flag() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    let admin = env.admin_kp();
    env.pause_as(&guardian, pause::PAUSABLE).unwrap();

    let out = env.unpause_as(&admin, pause::WITHDRAW).unwrap();
    assert_eq!(event_names(&out), vec!["PauseFlagsChanged"]);
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.by, admin.pubkey());
    assert_eq!(e.previous, pause::PAUSABLE);
    let rest = pause::WRITE | pause::CREATE_SERIES | pause::BACKSTOP | pause::EXERCISE;
    assert_eq!(e.paused, rest);
    assert_eq!(env.clearinghouse().paused, rest);

    let out = env.unpause_as(&admin, rest).unwrap();
    let e = event::<PauseFlagsChanged>(&out);
    assert_eq!((e.previous, e.paused), (rest, 0));
    assert_eq!(env.clearinghouse().paused, 0);
}

#[test]
fn unpause_refuses_flags_outside_the_pausable_set() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    env.pause_as(&admin, pause::WRITE).unwrap();
    for flags in [1 << 5, pause::WRITE | 1 << 5, u32::MAX] {
        expect_err(env.unpause_as(&admin, flags), GreekhouseError::NotPausable);
    }
    assert_eq!(env.clearinghouse().paused, pause::WRITE);
}

#[test]
fn paused_withdraw_stops_accounts_with_shorts_while_deposits_and_free_withdrawals_work() {
    let mut env = Env::new();
    // an account with a short (risk-increasing withdrawals) and one with only balances
    let w = env.writer(10_000 * USDC, 2 * LAMPORTS_PER_SOL);
    env.deposit_quote(&w, 5_000 * USDC).unwrap();
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    let sol = env.sol;
    let expiry = expiry_after(env.now(), 7);
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    env.write(&w, &series, 1).unwrap();
    let free = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&free, 500 * USDC).unwrap();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WITHDRAW).unwrap();

    expect_err(env.withdraw_quote(&w, 100 * USDC), GreekhouseError::Paused);
    expect_err(
        env.withdraw_sol(&w, LAMPORTS_PER_SOL / 2),
        GreekhouseError::Paused,
    );
    // no shorts, no debt: the pause cannot lock those funds
    env.withdraw_quote(&free, 100 * USDC).unwrap();
    // deposits are risk-reducing: never paused
    let quote0 = env.writer_state(&w.account).quote_balance;
    let out = env.deposit_quote(&w, 500 * USDC).unwrap();
    assert_eq!(event_names(&out), vec!["Deposited"]);
    env.deposit_sol(&w, LAMPORTS_PER_SOL).unwrap();
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        quote0 + 500 * USDC as i64
    );

    let admin = env.admin_kp();
    env.unpause_as(&admin, pause::WITHDRAW).unwrap();
    env.withdraw_quote(&w, 100 * USDC).unwrap();
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        quote0 + 400 * USDC as i64
    );
}

#[test]
fn pausing_one_action_leaves_the_others_open() {
    let mut env = Env::new();
    let w = env.writer(1_000 * USDC, 0);
    env.deposit_quote(&w, 1_000 * USDC).unwrap();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::WRITE | pause::CREATE_SERIES)
        .unwrap();
    env.withdraw_quote(&w, 100 * USDC).unwrap();
    assert_eq!(
        env.writer_state(&w.account).quote_balance,
        900 * USDC as i64
    );
}

#[test]
fn paused_create_series_fails() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::CREATE_SERIES).unwrap();
    let expiry = expiry_after(env.now(), 7);
    let sol = env.sol;
    expect_err(
        env.create_series(sol, 0, 150 * USDC, expiry),
        GreekhouseError::Paused,
    );
    let admin = env.admin_kp();
    env.unpause_as(&admin, pause::CREATE_SERIES).unwrap();
    let series = env.create_series(sol, 0, 150 * USDC, expiry).unwrap();
    assert_eq!(env.series_state(&series).strike, 150 * USDC);
}

#[test]
fn paused_write_fails_while_burning_still_works() {
    let mut env = Env::new();
    let w = env.writer(100_000 * USDC, 0);
    env.deposit_quote(&w, 100_000 * USDC).unwrap();
    let expiry = expiry_after(env.now(), 30);
    let sol = env.sol;
    let series = env.create_series(sol, 0, 160 * USDC, expiry).unwrap();
    env.write(&w, &series, 2).unwrap();

    let guardian = env.guardian_kp();
    env.pause_as(&guardian, pause::PAUSABLE).unwrap();
    expect_err(env.write(&w, &series, 1), GreekhouseError::Paused);
    // burning reduces risk: never paused
    let out = env.burn(&w, &series, 1).unwrap();
    assert_eq!(event_names(&out), vec!["OptionsBurned"]);
    assert_eq!(env.series_state(&series).open_interest, 1);
}

/// Anyone can send lamports to the clearing house's address before the creator initialises it
/// (the address is predictable: quote mint and creator). Anchor 1.2 creates an `init` account
/// that already holds lamports through the system program's `CreateAccountAllowPrefund`, which
/// this runtime (and any cluster without the `create_account_allow_prefund` feature) refuses
/// with `InvalidInstructionData`, so one transfer of the rent minimum blocks the creator.
#[test]
fn a_prefunded_clearinghouse_address_does_not_block_initialization() {
    let mut b = Bare::new();
    let ch = b.ch();
    // every address the initialisation creates, pre-funded
    prefund(&mut b.chain, &ch.clearinghouse);
    prefund(&mut b.chain, &ch.quote_vault);
    prefund(&mut b.chain, &pda::insurance_fund(&ch.clearinghouse));
    prefund(&mut b.chain, &pda::insurance_vault(&ch.clearinghouse));
    let args = b.args();
    b.initialize(args).unwrap();
    assert_eq!(b.clearinghouse(&ch.clearinghouse).admin, b.admin.pubkey());
    let fund = b
        .chain
        .account(&pda::insurance_fund(&ch.clearinghouse))
        .unwrap()
        .unwrap();
    assert_eq!(fund.owner, greekhouse::ID);
}
