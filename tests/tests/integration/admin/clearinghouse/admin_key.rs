//! The two-step admin handover: `propose_admin` and `accept_admin`.
use super::*;

#[test]
fn admin_transfer_takes_a_proposal_and_an_acceptance() {
    let mut env = Env::new();
    let old = env.admin_kp();
    let new = env.stranger();

    let out = env.propose_admin_as(&old, new.pubkey()).unwrap();
    assert_eq!(event_names(&out), vec!["AdminProposed"]);
    let e = event::<AdminProposed>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.admin, old.pubkey());
    assert_eq!(e.pending_admin, new.pubkey());
    let s = env.clearinghouse();
    assert_eq!(s.admin, old.pubkey(), "a proposal alone changes nothing");
    assert_eq!(s.pending_admin, new.pubkey());

    let out = env.accept_admin_as(&new).unwrap();
    assert_eq!(event_names(&out), vec!["AdminAccepted"]);
    let e = event::<AdminAccepted>(&out);
    assert_eq!(e.clearinghouse, env.ch.clearinghouse);
    assert_eq!(e.previous_admin, old.pubkey());
    assert_eq!(e.admin, new.pubkey());
    let s = env.clearinghouse();
    assert_eq!(s.admin, new.pubkey());
    assert_eq!(s.pending_admin, Pubkey::default());
    assert_eq!(
        s.guardian,
        env.guardian.pubkey(),
        "the guardian is unchanged"
    );
}

#[test]
fn propose_admin_by_a_non_admin_fails() {
    let mut env = Env::new();
    let guardian = env.guardian_kp();
    let stranger = env.stranger();
    for signer in [&guardian, &stranger] {
        expect_err(
            env.propose_admin_as(signer, signer.pubkey()),
            GreekhouseError::NotAdmin,
        );
    }
    assert_eq!(env.clearinghouse().pending_admin, Pubkey::default());
}

#[test]
fn accept_admin_by_another_key_than_the_proposed_one_fails() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let proposed = env.stranger();
    let intruder = env.stranger();
    env.propose_admin_as(&admin, proposed.pubkey()).unwrap();
    expect_err(
        env.accept_admin_as(&intruder),
        GreekhouseError::NotPendingAdmin,
    );
    expect_err(
        env.accept_admin_as(&admin),
        GreekhouseError::NotPendingAdmin,
    );
    let s = env.clearinghouse();
    assert_eq!(s.admin, admin.pubkey());
    assert_eq!(s.pending_admin, proposed.pubkey());
}

#[test]
fn accept_admin_with_nothing_pending_fails() {
    let mut env = Env::new();
    let stranger = env.stranger();
    let admin = env.admin_kp();
    expect_err(
        env.accept_admin_as(&stranger),
        GreekhouseError::NoPendingAdmin,
    );
    expect_err(env.accept_admin_as(&admin), GreekhouseError::NoPendingAdmin);
}

#[test]
fn proposing_the_default_key_cancels_a_pending_transfer() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let proposed = env.stranger();
    env.propose_admin_as(&admin, proposed.pubkey()).unwrap();

    let out = env.propose_admin_as(&admin, Pubkey::default()).unwrap();
    let e = event::<AdminProposed>(&out);
    assert_eq!(e.pending_admin, Pubkey::default());
    assert_eq!(env.clearinghouse().pending_admin, Pubkey::default());
    expect_err(
        env.accept_admin_as(&proposed),
        GreekhouseError::NoPendingAdmin,
    );
    assert_eq!(env.clearinghouse().admin, admin.pubkey());
}

#[test]
fn a_new_proposal_replaces_the_pending_one() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    let first = env.stranger();
    let second = env.stranger();
    env.propose_admin_as(&admin, first.pubkey()).unwrap();
    env.propose_admin_as(&admin, second.pubkey()).unwrap();
    expect_err(
        env.accept_admin_as(&first),
        GreekhouseError::NotPendingAdmin,
    );
    env.accept_admin_as(&second).unwrap();
    assert_eq!(env.clearinghouse().admin, second.pubkey());
}

#[test]
fn after_a_transfer_only_the_new_admin_can_act() {
    let mut env = Env::new();
    let old = env.admin_kp();
    let new = env.stranger();
    env.propose_admin_as(&old, new.pubkey()).unwrap();
    env.accept_admin_as(&new).unwrap();

    // the old admin lost every admin power
    let args = env.next_underlying_args("ETH");
    expect_err(
        env.list_underlying_as(&old, args.clone()),
        GreekhouseError::NotAdmin,
    );
    let mint = env.fresh_mint(SPL_TOKEN, 6);
    expect_err(
        env.list_collateral_as(&old, mint, SPL_TOKEN, None, collateral_args(0)),
        GreekhouseError::NotAdmin,
    );
    expect_err(
        env.unpause_as(&old, pause::WRITE),
        GreekhouseError::NotAdmin,
    );
    expect_err(
        env.propose_admin_as(&old, old.pubkey()),
        GreekhouseError::NotAdmin,
    );
    expect_err(
        env.pause_as(&old, pause::WRITE),
        GreekhouseError::NotGuardian,
    );

    // the new one has them
    let out = env.list_underlying_as(&new, args).unwrap();
    assert_eq!(event::<UnderlyingListed>(&out).id, 2);
    env.list_collateral_as(&new, mint, SPL_TOKEN, None, collateral_args(0))
        .unwrap();
    env.pause_as(&new, pause::WRITE).unwrap();
    env.unpause_as(&new, pause::WRITE).unwrap();
    let out = env.propose_admin_as(&new, old.pubkey()).unwrap();
    assert_eq!(event::<AdminProposed>(&out).admin, new.pubkey());
}

#[test]
fn governance_instructions_refuse_an_account_that_is_not_a_clearinghouse() {
    let mut env = Env::new();
    let admin = env.admin_kp();
    // nothing at the address (an `AccountLoader` reports it as owned by the system program)
    let ix = ix::propose_admin(Pubkey::new_unique(), admin.pubkey(), Pubkey::new_unique());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_OWNED_BY_WRONG_PROGRAM);
    // an account of another program (the quote mint)
    let ix = ix::propose_admin(env.ch.quote_mint, admin.pubkey(), Pubkey::new_unique());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_OWNED_BY_WRONG_PROGRAM);
    // a Greekhouse account of another type (an underlying)
    let sol = env.sol.key;
    let ix = ix::propose_admin(sol, admin.pubkey(), Pubkey::new_unique());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_DISCRIMINATOR_MISMATCH);
    let guardian = env.guardian_kp();
    let ix = ix::pause(sol, guardian.pubkey(), pause::WRITE);
    expect_anchor_err(env.send_as(ix, &guardian), ANCHOR_DISCRIMINATOR_MISMATCH);
    let ix = ix::accept_admin(sol, admin.pubkey());
    expect_anchor_err(env.send_as(ix, &admin), ANCHOR_DISCRIMINATOR_MISMATCH);
}

#[test]
fn the_admin_of_one_clearinghouse_cannot_govern_another() {
    let mut env = Env::new();
    let other_creator = env.stranger();
    let other_admin = env.stranger();
    let other = ClearinghouseRef::new(env.ch.quote_mint, other_creator.pubkey(), SPL_TOKEN);
    let ix = ix::initialize_clearinghouse(
        &other,
        other_creator.pubkey(),
        greekhouse::instructions::InitializeClearinghouseArgs {
            admin: other_admin.pubkey(),
            guardian: other_admin.pubkey(),
            params: default_params(),
        },
    );
    env.send_as(ix, &other_creator).unwrap();

    let admin = env.admin_kp();
    let guardian = env.guardian_kp();
    let ix = ix::propose_admin(other.clearinghouse, admin.pubkey(), admin.pubkey());
    expect_err(env.send_as(ix, &admin), GreekhouseError::NotAdmin);
    let ix = ix::pause(other.clearinghouse, guardian.pubkey(), pause::WRITE);
    expect_err(env.send_as(ix, &guardian), GreekhouseError::NotGuardian);
    let ix = ix::unpause(other.clearinghouse, admin.pubkey(), pause::WRITE);
    expect_err(env.send_as(ix, &admin), GreekhouseError::NotAdmin);
}
