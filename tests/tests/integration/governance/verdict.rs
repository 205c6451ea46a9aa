//! The SDK's projected verdict of a governance change (`greekhouse gov propose`) is the
//! program's: both call `engine::governance_verdict::queue_verdict`. Each case proposes a change
//! file through the SDK, sends the proposal's change, and compares: applied at once, queued, or
//! refused with the same error.
use crate::harness::*;

use greekhouse::engine::governance::Class;
use greekhouse::events::{ChangeApplied, ChangeQueued};
use greekhouse_sdk::errors::error_name;
use greekhouse_sdk::gov::{self, ChangeFile};
use greekhouse_sdk::{ix, pda};
use serde_json::{json, Map, Value};
use solana_signer::Signer;

/// Propose `set` on `kind` of `target` through the SDK, send it, and check the program did
/// what the SDK said; returns the SDK's verdict.
fn propose_and_send(
    env: &mut Env,
    kind: &str,
    target: Option<String>,
    set: Value,
) -> Result<Class, String> {
    let file = ChangeFile {
        clearinghouse: env.ch.clearinghouse.to_string(),
        kind: kind.into(),
        target,
        set: match set {
            Value::Object(m) => m,
            _ => Map::new(),
        },
    };
    let p = gov::propose(&mut env.chain, &file).unwrap();
    let admin = env.admin.insecure_clone();
    let ix = ix::queue_change(
        env.ch.clearinghouse,
        env.chain.payer(),
        admin.pubkey(),
        p.change_id,
        p.target,
        p.new,
    );
    let sent = env.chain.send(&[ix], &[&admin]);
    match (&p.verdict, sent) {
        (Ok(Class::Tightening), Ok(out)) => {
            assert!(out.event::<ChangeApplied>().is_some(), "{kind} {file:?}")
        }
        (Ok(Class::Loosening), Ok(out)) => {
            assert!(out.event::<ChangeQueued>().is_some(), "{kind} {file:?}")
        }
        (Err(refused), Err(e)) => {
            let name = e.custom_code().and_then(error_name);
            assert_eq!(
                name,
                refused.split(':').next(),
                "{kind} {file:?}: the SDK said {refused}, the program {e}"
            );
        }
        (verdict, sent) => panic!(
            "{kind} {file:?}: the SDK said {verdict:?}, the program {:?}",
            sent.map(|_| "accepted")
        ),
    }
    p.verdict
}

#[test]
fn the_sdks_verdict_is_the_programs_including_refusals() {
    let mut env = Env::new();
    let sol = Some(env.sol.key.to_string());
    let asset = Some(pda::collateral_asset(&env.ch.clearinghouse, &env.sol_mint).to_string());
    let m = env.underlying(&env.sol.key.clone()).margin;
    let mut go = |kind: &str, target: &Option<String>, set: Value| {
        propose_and_send(&mut env, kind, target.clone(), set)
    };

    let tighter = json!({"initial.spot_shock_bps": m.initial.spot_shock_bps + 500});
    assert_eq!(go("MarginParams", &sol, tighter), Ok(Class::Tightening));
    // a second tightening within the hour
    let tighter = json!({"initial.spot_shock_bps": m.initial.spot_shock_bps + 600});
    assert_eq!(
        go("MarginParams", &sol, tighter),
        Err("TightenTooSoon".into())
    );
    let looser = json!({"initial.vol_shock_bps": m.initial.vol_shock_bps - 500});
    assert_eq!(go("MarginParams", &sol, looser), Ok(Class::Loosening));
    let too_far = json!({"maintenance.floor_bps": m.maintenance.floor_bps * 3});
    assert!(go("MarginParams", &sol, too_far)
        .unwrap_err()
        .starts_with("ChangeStepTooLarge: maintenance.floor_bps"));
    let same = json!({"vol_power_bps": m.vol_power_bps});
    assert_eq!(go("MarginParams", &sol, same), Err("NoChange".into()));
    // within one step, beyond the hard bound (the share starts at 25 %, the bound is 1 %)
    let beyond = json!({"writer_share_bps": 99});
    assert_eq!(
        go("OpenInterest", &sol, beyond),
        Err("ParameterOutOfBounds".into())
    );
    // IM below MM
    let inverted = json!({"initial.floor_bps": m.maintenance.floor_bps - 1});
    assert!(go("MarginParams", &sol, inverted).is_err());
    assert_eq!(
        go("GlobalParams", &None, json!({"write_fee_bps": 40})),
        Ok(Class::Loosening)
    );
    assert_eq!(
        go("Guardian", &None, json!({"key": null})),
        Ok(Class::Loosening)
    );
    assert_eq!(
        go("CollateralEnabled", &asset, json!({"enabled": false})),
        Ok(Class::Tightening)
    );
    assert!(go("DepositCap", &asset, json!({"deposit_cap": 0}))
        .unwrap_err()
        .starts_with("ChangeStepTooLarge: deposit_cap"));
}
