//! The proposer names a loosening's change id: proposals made from the same state (a
//! multisig's pending transactions) each take a free id and execute in any order; a used id,
//! an address that is not the id's, and the last id are refused.
use super::*;
use greekhouse_sdk::gov::free_change_id;
use greekhouse_sdk::Instruction;

/// The SOL underlying's open-interest limits now.
fn open_interest(env: &mut Env) -> OpenInterestLimits {
    let u = env.underlying(&env.sol.key.clone());
    let like = GovValue::OpenInterest(bytemuck::Zeroable::zeroed());
    match greekhouse::engine::governance::read_underlying(&u, &like).unwrap() {
        GovValue::OpenInterest(l) => l,
        other => panic!("{other:?}"),
    }
}

/// A loosening of the SOL underlying's open-interest cap (another value than the margin).
fn looser_open_interest(env: &mut Env) -> GovValue {
    let mut l = open_interest(env);
    l.open_interest_cap = l.open_interest_cap.checked_mul(2).unwrap();
    GovValue::OpenInterest(l)
}

fn queue_at(env: &mut Env, id: u64, target: ChangeTarget, change: GovValue) -> Instruction {
    ix::queue_change(
        env.ch.clearinghouse,
        env.chain.payer(),
        env.admin.pubkey(),
        id,
        target,
        change,
    )
}

#[test]
fn two_loosenings_proposed_from_the_same_state_both_execute_in_either_order() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let (margin, oi) = (looser_margin(&mut env), looser_open_interest(&mut env));
    // both proposed before either lands: the second accounts for the first, pending
    let ch = env.ch.clearinghouse;
    let count = env.next_change_id();
    let first = free_change_id(&mut env.chain, &ch, count, &[]).unwrap();
    let pending = [pda::param_change(&ch, first)];
    let second = free_change_id(&mut env.chain, &ch, count, &pending).unwrap();
    assert_eq!((first, second), (count, count + 1));
    let (a, b) = (
        queue_at(&mut env, first, target, margin),
        queue_at(&mut env, second, target, oi),
    );
    // the multisig executes them in the other order
    env.send_admin(b).unwrap();
    env.send_admin(a).unwrap();
    assert_eq!(env.next_change_id(), count + 2);
    env.advance(TIMELOCK);
    env.execute_change(first, target).unwrap();
    env.execute_change(second, target).unwrap();
    assert_eq!(GovValue::MarginParams(sol_margin(&mut env)), margin);
    assert_eq!(GovValue::OpenInterest(open_interest(&mut env)), oi);
    // the ids in use are skipped from then on
    assert_eq!(
        free_change_id(&mut env.chain, &ch, count, &[]).unwrap(),
        count + 2
    );
}

#[test]
fn a_change_id_far_ahead_moves_the_count_past_it() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let change = looser_margin(&mut env);
    let id = env.next_change_id() + 10;
    let ix = queue_at(&mut env, id, target, change);
    env.send_admin(ix).unwrap();
    assert_eq!(env.param_change(id).change_id, id);
    assert_eq!(env.next_change_id(), id + 1);
}

#[test]
fn used_foreign_and_last_change_ids_are_refused() {
    let mut env = Env::new();
    let target = sol_target(&env);
    let (margin, oi) = (looser_margin(&mut env), looser_open_interest(&mut env));
    let id = env.next_change_id();
    let ix = queue_at(&mut env, id, target, margin);
    env.send_admin(ix).unwrap();
    // the same id again, for another value: its ParamChange exists
    let ix = queue_at(&mut env, id, target, oi);
    expect_err(env.send_admin(ix), E::AccountAddressInUse);
    // the ParamChange account is not the address of the id the data names
    let mut ix = queue_at(&mut env, id + 1, target, oi);
    ix.accounts[6].pubkey = pda::param_change(&env.ch.clearinghouse, id + 2);
    expect_err(env.send_admin(ix), E::WrongParamChange);
    // the last id leaves no next one
    let ix = queue_at(&mut env, u64::MAX, target, oi);
    expect_err(env.send_admin(ix), E::MathOverflow);
}
