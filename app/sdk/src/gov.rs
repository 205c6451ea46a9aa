//! Governance proposals off chain: read a governed value from any [`Chain`] (saved accounts or
//! the embedded bank), apply a change file's fields to it, and describe the change with the
//! program's own rules — each field's current and new value, hard bounds, step limit and
//! direction, the class (tightening at once, loosening after the timelock), the hard-bound and
//! validity check of the target with the new value, and the `queue_change` instruction a
//! multisig vault signs (`docs/governance.md`).

use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::engine::governance::{self as rules, Class, Dir, Step};
use greekhouse::engine::governance_fields as table;
use greekhouse::engine::governance_verdict::{queue_verdict, Targets};
use greekhouse::state::*;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::chain::Chain;
use crate::ix::{self, ChangeTarget};
use crate::{accounts, pda};

/// A change file: which value of which account, and the fields to set on its current value.
///
/// ```json
/// {"clearinghouse": "<address>", "kind": "MarginParams", "target": "<underlying address>",
///  "set": {"initial.spot_shock_bps": 2500}}
/// ```
/// Numeric fields use the names of `engine::governance_fields` (e.g. `liquidation.fee_bps`,
/// `max_age_secs`, `open_interest_cap`); keys use `key` (a base58 address, or null to remove),
/// listings `enabled`; oracles `oracle_program`, `feed` (64 hex digits or a base58 address) and
/// `kind`; collateral price sources `price_source` and `price_underlying`.
#[derive(Clone, Debug, Deserialize)]
pub struct ChangeFile {
    pub clearinghouse: String,
    pub kind: String,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub set: Map<String, Value>,
}

/// Every `GovValue` variant by name, with a zeroed value of that kind.
pub fn kind_named(name: &str) -> Result<GovValue, String> {
    use bytemuck::Zeroable;
    Ok(match name {
        "GlobalParams" => GovValue::GlobalParams(GlobalParams::zeroed()),
        "Guardian" => GovValue::Guardian(Pubkey::default()),
        "MarginParams" => GovValue::MarginParams(StoredMarginParams::zeroed()),
        "OracleConfig" => GovValue::OracleConfig(OracleConfig::zeroed()),
        "OpenInterest" => GovValue::OpenInterest(OpenInterestLimits::zeroed()),
        "SeriesRules" => GovValue::SeriesRules(SeriesRules::zeroed()),
        "SurfaceLimits" => GovValue::SurfaceLimits(SurfaceLimits::zeroed()),
        "VolUpdater" => GovValue::VolUpdater(Pubkey::default()),
        "UnderlyingEnabled" => GovValue::UnderlyingEnabled(false),
        "CollateralWeights" => GovValue::CollateralWeights(CollateralWeights::zeroed()),
        "DepositCap" => GovValue::DepositCap(0),
        "PriceSource" => GovValue::PriceSource(PriceSourceConfig::zeroed()),
        "CollateralEnabled" => GovValue::CollateralEnabled(false),
        "RealizedVol" => GovValue::RealizedVol(StoredRealizedVol::zeroed()),
        "TailAndSize" => GovValue::TailAndSize(StoredTailAndSize::zeroed()),
        other => return Err(format!("unknown kind {other}")),
    })
}

/// The variant's name (the engine's).
pub use greekhouse::engine::governance_fields::kind_name;

/// Hard bounds of the numeric field `name` of a value of `kind`'s kind (`None` where only
/// validity rules apply, or no such field), from the engine's table of governed fields. The
/// kind matters: `max_age_secs` is the oracle's in `OracleConfig` and the surface's in
/// `SurfaceLimits`.
pub fn field_bounds(kind: &GovValue, name: &str) -> Option<(i128, i128)> {
    table::field(kind, name)?.bounds()
}

fn num(name: &str, v: &Value) -> Result<i128, String> {
    v.as_i64()
        .map(i128::from)
        .or_else(|| v.as_u64().map(i128::from))
        .ok_or_else(|| format!("{name}: expected an integer, got {v}"))
}

fn to<T: TryFrom<i128>>(name: &str, v: &Value) -> Result<T, String> {
    T::try_from(num(name, v)?).map_err(|_| format!("{name}: {v} is out of range"))
}

fn key(name: &str, v: &Value) -> Result<Pubkey, String> {
    match v {
        Value::Null => Ok(Pubkey::default()),
        Value::String(s) if s == "none" => Ok(Pubkey::default()),
        Value::String(s) => Pubkey::from_str(s).map_err(|e| format!("{name}: {e}")),
        _ => Err(format!("{name}: expected an address")),
    }
}

fn feed(v: &Value) -> Result<[u8; 32], String> {
    let s = v.as_str().ok_or("feed: expected a string")?;
    if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) {
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
        }
        Ok(out)
    } else {
        Ok(key("feed", v)?.to_bytes())
    }
}

/// Set one field of `value` by name: a numeric field of the engine's table of governed fields,
/// or an identity (keys, listing flag, oracle program, feed and kind, price source).
pub fn set_field(value: &mut GovValue, name: &str, v: &Value) -> Result<(), String> {
    if let Some(g) = table::field(value, name) {
        let n = num(name, v)?;
        return if g.set(value, n) {
            Ok(())
        } else {
            Err(format!("{name}: {v} is out of range"))
        };
    }
    let kind = kind_name(value);
    match value {
        GovValue::OracleConfig(o) if name == "oracle_program" => o.oracle_program = key(name, v)?,
        GovValue::OracleConfig(o) if name == "feed" => o.feed = feed(v)?,
        GovValue::OracleConfig(o) if name == "kind" => o.kind = to(name, v)?,
        GovValue::PriceSource(p) if name == "price_source" => p.price_source = to(name, v)?,
        GovValue::PriceSource(p) if name == "price_underlying" => {
            p.price_underlying = key(name, v)?
        }
        GovValue::Guardian(k) | GovValue::VolUpdater(k) if name == "key" => *k = key(name, v)?,
        GovValue::UnderlyingEnabled(on) | GovValue::CollateralEnabled(on) if name == "enabled" => {
            *on = v.as_bool().ok_or("enabled: expected true or false")?
        }
        _ => return Err(format!("{kind} has no field {name}")),
    }
    Ok(())
}

/// One numeric field of a proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub name: &'static str,
    pub current: i128,
    pub new: i128,
    pub bounds: Option<(i128, i128)>,
    pub step: Step,
    pub dir: Dir,
    pub within_step: bool,
}

/// A described change, ready to sign.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub clearinghouse: Pubkey,
    pub admin: Pubkey,
    /// The account the value lives in.
    pub target_key: Pubkey,
    pub target: ChangeTarget,
    pub current: GovValue,
    pub new: GovValue,
    pub rows: Vec<Row>,
    /// An identity (key, feed, program, kind, price source, listing flag) changes.
    pub identity_changed: bool,
    /// `Err` when the program would refuse it (no change, a step too large, out of bounds).
    pub verdict: Result<Class, String>,
    pub timelock_secs: u32,
    /// Where a loosening is queued: the caller's id, or the first free one from the clearing
    /// house's `change_count` ([`free_change_id`]).
    pub change_id: u64,
    pub param_change: Pubkey,
    pub instruction: Instruction,
}

fn load<
    T: anchor_lang::ZeroCopy + anchor_lang::Discriminator + bytemuck::Pod,
    C: Chain + ?Sized,
>(
    chain: &mut C,
    key: &Pubkey,
) -> Result<T, String> {
    let a = chain
        .account(key)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("account {key} is not in the accounts"))?;
    accounts::decode(&a.data).map_err(|e| format!("{key}: {e}"))
}

/// Describe `file` against the accounts of `chain` at the chain's time; the vault (`admin`)
/// pays the rent of a queued change.
pub fn propose<C: Chain + ?Sized>(chain: &mut C, file: &ChangeFile) -> Result<Proposal, String> {
    let now = chain.unix_timestamp().map_err(|e| e.to_string())?;
    propose_at(chain, file, now)
}

/// [`propose`] as if sent at `now` (the tighten interval depends on it: saved accounts carry no
/// clock, and a multisig executes later than it proposes).
pub fn propose_at<C: Chain + ?Sized>(
    chain: &mut C,
    file: &ChangeFile,
    now: i64,
) -> Result<Proposal, String> {
    propose_with_id(chain, file, now, ChangeId::Free { taken: &[] })
}

/// How a proposal picks its change id (the `ParamChange` address of a loosening).
#[derive(Clone, Copy, Debug)]
pub enum ChangeId<'a> {
    /// This id.
    Given(u64),
    /// The first id from the clearing house's `change_count` that no account holds and that
    /// is not one of `taken` (the `ParamChange` addresses pending proposals will create).
    Free { taken: &'a [Pubkey] },
}

/// The first change id from `from` whose `ParamChange` neither exists on `chain` nor is among
/// `taken`: two proposals made from the same state each get their own, whatever order they are
/// executed in.
pub fn free_change_id<C: Chain + ?Sized>(
    chain: &mut C,
    clearinghouse: &Pubkey,
    from: u64,
    taken: &[Pubkey],
) -> Result<u64, String> {
    let mut id = from;
    loop {
        let key = pda::param_change(clearinghouse, id);
        let exists = chain.account(&key).map_err(|e| e.to_string())?.is_some();
        if !exists && !taken.contains(&key) {
            return Ok(id);
        }
        id = id.checked_add(1).ok_or("no free change id")?;
    }
}

/// [`propose_at`] with the change id chosen by `id`.
pub fn propose_with_id<C: Chain + ?Sized>(
    chain: &mut C,
    file: &ChangeFile,
    now: i64,
    id: ChangeId,
) -> Result<Proposal, String> {
    let clearinghouse =
        Pubkey::from_str(&file.clearinghouse).map_err(|e| format!("clearinghouse: {e}"))?;
    let ch: Clearinghouse = load(chain, &clearinghouse)?;
    let like = kind_named(&file.kind)?;
    let target_key = match (like.target_kind(), &file.target) {
        (TargetKind::Clearinghouse, _) => clearinghouse,
        (_, Some(t)) => Pubkey::from_str(t).map_err(|e| format!("target: {e}"))?,
        (_, None) => return Err(format!("{} needs a target account", file.kind)),
    };
    let (u, c) = match like.target_kind() {
        TargetKind::Clearinghouse => (None, None),
        TargetKind::Underlying => (Some(load::<Underlying, C>(chain, &target_key)?), None),
        TargetKind::CollateralAsset => {
            (None, Some(load::<CollateralAsset, C>(chain, &target_key)?))
        }
    };
    let current = match like.target_kind() {
        TargetKind::Clearinghouse => rules::read_clearinghouse(&ch, &like),
        TargetKind::Underlying => rules::read_underlying(u.as_ref().unwrap(), &like),
        TargetKind::CollateralAsset => rules::read_collateral(c.as_ref().unwrap(), &like),
    }
    .map_err(|e| e.to_string())?;
    let mut new = current;
    for (name, v) in &file.set {
        set_field(&mut new, name, v)?;
    }
    // the underlying pricing a collateral asset (after the change, for a price-source change)
    let price_underlying = match (&new, &c) {
        (GovValue::PriceSource(p), _) => Some(p.price_underlying),
        (GovValue::CollateralWeights(_), Some(c)) => Some(c.price_underlying),
        _ => None,
    }
    .filter(|k| *k != Pubkey::default());
    let p = match price_underlying {
        Some(k) => Some((k, load::<Underlying, C>(chain, &k)?)),
        None => None,
    };
    let target = match like.target_kind() {
        TargetKind::Clearinghouse => ChangeTarget::clearinghouse(),
        TargetKind::Underlying => ChangeTarget::underlying(target_key),
        TargetKind::CollateralAsset => ChangeTarget::collateral(target_key, price_underlying),
    };
    let (fields, identity_changed) = rules::fields(&current, &new).map_err(|e| e.to_string())?;
    let rows: Vec<Row> = fields
        .iter()
        .map(|f| Row {
            name: f.name,
            current: f.old,
            new: f.new,
            bounds: field_bounds(&new, f.name),
            step: f.step,
            dir: f.dir,
            within_step: rules::within_step(f.old, f.new, f.step),
        })
        .collect();
    // the program's own rule (`engine::governance_verdict::queue_verdict`) on copies of the
    // accounts at `now`; a step refusal says which field
    let targets = Targets {
        clearinghouse_key: clearinghouse,
        clearinghouse: &ch,
        underlying: u.as_ref().map(|u| (target_key, u)),
        collateral: c.as_ref().map(|c| (target_key, c)),
        price_underlying: p.as_ref().map(|(k, u)| (*k, u)),
    };
    let verdict = queue_verdict(&targets, &new, now)
        .map(|v| v.class)
        .map_err(
            |e| match (short(&e).as_str(), rows.iter().find(|r| !r.within_step)) {
                ("ChangeStepTooLarge", Some(r)) => format!(
                    "ChangeStepTooLarge: {} moves {} -> {}",
                    r.name, r.current, r.new
                ),
                (name, _) => name.to_string(),
            },
        );
    let change_id = match id {
        ChangeId::Given(n) => n,
        ChangeId::Free { taken } => free_change_id(chain, &clearinghouse, ch.change_count, taken)?,
    };
    let instruction = ix::queue_change(clearinghouse, ch.admin, ch.admin, change_id, target, new);
    Ok(Proposal {
        clearinghouse,
        admin: ch.admin,
        target_key,
        target,
        current,
        new,
        rows,
        identity_changed,
        verdict,
        timelock_secs: ch.params.timelock_secs,
        change_id,
        param_change: pda::param_change(&clearinghouse, change_id),
        instruction,
    })
}

/// The error's name, as the program reports it.
fn short(e: &anchor_lang::error::Error) -> String {
    match e {
        anchor_lang::error::Error::AnchorError(a) => a.error_name.clone(),
        other => other.to_string(),
    }
}

/// Text of a step limit.
pub fn step_text(s: Step) -> String {
    match s {
        Step::Factor { min_abs } => format!("x2 (or +-{min_abs})"),
        Step::Abs(n) => format!("+-{n}"),
        Step::Free => "free".into(),
    }
}

/// Text of a direction.
pub fn dir_text(d: Dir) -> &'static str {
    match d {
        Dir::Up => "higher is tighter",
        Dir::Down => "lower is tighter",
        Dir::Neutral => "either way loosens",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The non-numeric parts of a value (keys, feed, oracle program and kind, price source, listing
/// flag) as `(name, text)` pairs, for display beside the numeric rows.
pub fn identity_fields(v: &GovValue) -> Vec<(&'static str, String)> {
    match v {
        GovValue::OracleConfig(o) => vec![
            ("oracle_program", o.oracle_program.to_string()),
            ("feed", hex(&o.feed)),
            (
                "kind",
                match o.kind {
                    0 => "pull".to_string(),
                    1 => "legacy".to_string(),
                    k => k.to_string(),
                },
            ),
        ],
        GovValue::PriceSource(p) => vec![
            (
                "price_source",
                match p.price_source {
                    0 => "pegged".to_string(),
                    1 => "underlying".to_string(),
                    k => k.to_string(),
                },
            ),
            ("price_underlying", p.price_underlying.to_string()),
        ],
        GovValue::Guardian(k) | GovValue::VolUpdater(k) => vec![(
            "key",
            if *k == Pubkey::default() {
                "none".to_string()
            } else {
                k.to_string()
            },
        )],
        GovValue::UnderlyingEnabled(on) | GovValue::CollateralEnabled(on) => {
            vec![("enabled", on.to_string())]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use greekhouse::constants::bounds as b;

    const KINDS: [&str; 15] = [
        "GlobalParams",
        "Guardian",
        "MarginParams",
        "OracleConfig",
        "OpenInterest",
        "SeriesRules",
        "SurfaceLimits",
        "VolUpdater",
        "UnderlyingEnabled",
        "CollateralWeights",
        "DepositCap",
        "PriceSource",
        "CollateralEnabled",
        "RealizedVol",
        "TailAndSize",
    ];

    /// Every field of the engine's table is settable through the SDK (what `gov propose`
    /// accepts), moves only itself, reads back what was set, and has the table's bounds; the
    /// old hand-written lists missed the `settlement.*` fields.
    #[test]
    fn every_governed_field_of_the_engine_can_be_set_and_bounded() {
        for kind in KINDS {
            let value = kind_named(kind).unwrap();
            assert_eq!(kind_name(&value), kind);
            let (fields, _) = rules::fields(&value, &value).unwrap();
            let names: Vec<&str> = table::fields_of(&value).map(|g| g.name).collect();
            assert_eq!(fields.iter().map(|f| f.name).collect::<Vec<_>>(), names);
            for g in table::fields_of(&value) {
                let (lo, hi) = g.bounds().unwrap_or((0, 7));
                for n in [7, lo, hi] {
                    let mut new = value;
                    set_field(&mut new, g.name, &Value::from(n as i64))
                        .unwrap_or_else(|e| panic!("{kind}.{}: {e}", g.name));
                    assert_eq!(g.get(&new), Some(n), "{g:?}");
                    let (after, identity) = rules::fields(&value, &new).unwrap();
                    assert!(!identity, "{g:?}");
                    for f in after {
                        let expected = if f.name == g.name { n } else { f.old };
                        assert_eq!(f.new, expected, "setting {g:?} moved {}", f.name);
                    }
                }
                assert_eq!(field_bounds(&value, g.name), g.bounds(), "{g:?}");
                // a value the field's integer type cannot hold is refused, not truncated
                let mut new = value;
                assert!(set_field(&mut new, g.name, &Value::from(i64::MIN)).is_err());
                assert_eq!(new, value, "{g:?}");
            }
            assert!(set_field(&mut value.clone(), "no_such_field", &Value::from(1)).is_err());
        }
    }

    /// The table's bounds are the ones the accounts enforce: both ends valid, one beyond
    /// either refused (on the engine's defaults and the scenario's fixture values).
    #[test]
    fn table_bounds_are_the_accounts() {
        let margin = crate::fixtures::margin();
        let oracle = OracleConfig {
            max_age_secs: 30,
            liq_max_age_secs: 120,
            max_conf_bps: 200,
            ..bytemuck::Zeroable::zeroed()
        };
        let valid = |v: &GovValue| match v {
            GovValue::GlobalParams(p) => p.validate().is_ok(),
            GovValue::MarginParams(m) => m.validate().is_ok(),
            GovValue::OracleConfig(o) => o.validate().is_ok(),
            GovValue::CollateralWeights(w) => {
                CollateralAsset::validate_weights(w.init_weight_bps, w.maint_weight_bps).is_ok()
            }
            _ => unreachable!(),
        };
        let bases = [
            GovValue::GlobalParams(GlobalParams::DEFAULT),
            GovValue::MarginParams(margin),
            GovValue::OracleConfig(oracle),
            GovValue::CollateralWeights(CollateralWeights {
                init_weight_bps: 0,
                maint_weight_bps: 10_000,
            }),
        ];
        let mut checked = 0;
        for base in bases {
            assert!(valid(&base), "{base:?}");
            for g in table::fields_of(&base) {
                let (lo, hi) = g.bounds().unwrap();
                let with = |n: i128| {
                    let mut v = base;
                    g.set(&mut v, n).then(|| valid(&v))
                };
                // relations between fields (IM >= MM, max_age <= liq_max_age) make one end
                // reachable only together with another field: those ends are not checked here
                if !g.name.starts_with("initial.") && g.name != "liq_max_age_secs" {
                    assert_eq!(with(lo), Some(true), "{g:?} at {lo}");
                }
                if !g.name.starts_with("maintenance.") && g.name != "max_age_secs" {
                    assert_eq!(with(hi), Some(true), "{g:?} at {hi}");
                }
                assert_ne!(with(hi + 1), Some(true), "{g:?} at {}", hi + 1);
                assert_ne!(with(lo - 1), Some(true), "{g:?} at {}", lo - 1);
                checked += 1;
            }
        }
        assert_eq!(checked, 22 + 12 + 3 + 2);
    }

    #[test]
    fn surface_and_oracle_ages_have_their_own_bounds() {
        let surface = kind_named("SurfaceLimits").unwrap();
        let oracle = kind_named("OracleConfig").unwrap();
        let wide = |(lo, hi): (u32, u32)| Some((i128::from(lo), i128::from(hi)));
        assert_eq!(
            field_bounds(&surface, "max_age_secs"),
            wide(b::SURFACE_MAX_AGE_SECS)
        );
        assert_eq!(field_bounds(&oracle, "max_age_secs"), wide(b::MAX_AGE_SECS));
    }
}
