//! Rotation of the guardian and the vol updater.
use super::*;

/// Queue a guardian rotation, wait out the timelock and execute it.
pub(super) fn rotate_guardian(env: &mut Env, key: Pubkey) {
    let id = env.next_change_id();
    let out = env
        .queue_change(ChangeTarget::clearinghouse(), GovValue::Guardian(key))
        .unwrap();
    assert_eq!(event::<ChangeQueued>(&out).new, GovValue::Guardian(key));
    env.advance(TIMELOCK);
    env.execute_change(id, ChangeTarget::clearinghouse())
        .unwrap();
}

#[test]
fn the_admin_replaces_and_removes_the_guardian_after_the_timelock() {
    let mut env = Env::new();
    let old = env.guardian.insecure_clone();
    let new = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    rotate_guardian(&mut env, new.pubkey());
    assert_eq!(env.clearinghouse().guardian, new.pubkey());
    let pause = |env: &mut Env, k: &Keypair| {
        env.send_ix(
            ix::pause(env.ch.clearinghouse, k.pubkey(), pause::WRITE),
            &[k],
        )
    };
    expect_err(pause(&mut env, &old), E::NotGuardian);
    pause(&mut env, &new).unwrap();
    // removed: nobody but the admin pauses, and the old key cannot cancel
    rotate_guardian(&mut env, Pubkey::default());
    expect_err(pause(&mut env, &new), E::NotGuardian);
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    env.queue_change(sol_target(&env), loose).unwrap();
    expect_err(env.cancel_change(&new, id), E::NotAdminOrGuardian);
}

/// A new guardian removes the current one's veto over queued changes, so a rotation is a
/// loosening: it waits out the timelock, during which the current guardian still pauses and
/// cancels, the rotation included.
#[test]
fn a_guardian_rotation_waits_for_the_timelock_and_can_be_cancelled() {
    let mut env = Env::new();
    let guardian = env.guardian.insecure_clone();
    let accomplice = Keypair::new();
    let target = ChangeTarget::clearinghouse();
    let rotation = env.next_change_id();
    let out = env
        .queue_change(target, GovValue::Guardian(accomplice.pubkey()))
        .unwrap();
    let q = event::<ChangeQueued>(&out);
    assert_eq!(
        (q.old, q.new),
        (
            GovValue::Guardian(guardian.pubkey()),
            GovValue::Guardian(accomplice.pubkey())
        )
    );
    assert_eq!(env.clearinghouse().guardian, guardian.pubkey());
    // a loosening queued alongside: the current guardian still cancels it
    let loose = looser_margin(&mut env);
    let id = env.next_change_id();
    env.queue_change(sol_target(&env), loose).unwrap();
    env.cancel_change(&guardian, id).unwrap();
    expect_err(env.execute_change(rotation, target), E::TimelockNotOver);
    env.advance(TIMELOCK - 1);
    expect_err(env.execute_change(rotation, target), E::TimelockNotOver);
    // and the rotation itself
    env.cancel_change(&guardian, rotation).unwrap();
    env.advance(1);
    expect_err(env.execute_change(rotation, target), E::ChangeNotQueued);
    assert_eq!(env.clearinghouse().guardian, guardian.pubkey());
}

#[test]
fn the_admin_replaces_and_removes_a_vol_updater_at_once() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let new = env.chain.funded_keypair(LAMPORTS_PER_SOL).unwrap();
    env.queue_change(target, GovValue::VolUpdater(new.pubkey()))
        .unwrap();
    let sol = env.sol.key;
    let surface = env.underlying(&sol).surface;
    let old = env.vol_updater.insecure_clone();
    expect_err(
        env.send_ix(ix::set_vol_surface(sol, old.pubkey(), surface), &[&old]),
        E::NotVolUpdater,
    );
    env.send_ix(ix::set_vol_surface(sol, new.pubkey(), surface), &[&new])
        .unwrap();
    env.queue_change(target, GovValue::VolUpdater(Pubkey::default()))
        .unwrap();
    expect_err(
        env.send_ix(ix::set_vol_surface(sol, new.pubkey(), surface), &[&new]),
        E::NotVolUpdater,
    );
}
