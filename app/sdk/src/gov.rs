//! Governance proposals off chain: read a governed value from any [`Chain`] (saved accounts or
//! the embedded bank), apply a change file's fields to it, and describe the change with the
//! program's own rules — each field's current and new value, hard bounds, step limit and
//! direction, the class (tightening at once, loosening after the timelock), the hard-bound and
//! validity check of the target with the new value, and the `queue_change` instruction a
//! multisig vault signs (`docs/governance.md`).

use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use greekhouse::constants::bounds as b;
use greekhouse::engine::governance::{self as rules, Class, Dir, Step};
use greekhouse::instructions::governance::targets::Targets;
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
/// Numeric fields use the names of `engine::governance::fields` (e.g. `liquidation.fee_bps`,
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
        other => return Err(format!("unknown kind {other}")),
    })
}

/// The variant's name.
pub fn kind_name(v: &GovValue) -> &'static str {
    match v {
        GovValue::GlobalParams(_) => "GlobalParams",
        GovValue::Guardian(_) => "Guardian",
        GovValue::MarginParams(_) => "MarginParams",
        GovValue::OracleConfig(_) => "OracleConfig",
        GovValue::OpenInterest(_) => "OpenInterest",
        GovValue::SeriesRules(_) => "SeriesRules",
        GovValue::SurfaceLimits(_) => "SurfaceLimits",
        GovValue::VolUpdater(_) => "VolUpdater",
        GovValue::UnderlyingEnabled(_) => "UnderlyingEnabled",
        GovValue::CollateralWeights(_) => "CollateralWeights",
        GovValue::DepositCap(_) => "DepositCap",
        GovValue::PriceSource(_) => "PriceSource",
        GovValue::CollateralEnabled(_) => "CollateralEnabled",
    }
}

/// Hard bounds of the numeric field `name` of a value of `kind`'s kind (`None` where only
/// validity rules apply). The kind matters: `max_age_secs` is the oracle's in `OracleConfig`
/// and the surface's in `SurfaceLimits`.
pub fn field_bounds(kind: &GovValue, name: &str) -> Option<(i128, i128)> {
    fn w<T: Into<i128>>((lo, hi): (T, T)) -> Option<(i128, i128)> {
        Some((lo.into(), hi.into()))
    }
    match kind {
        GovValue::GlobalParams(_) => match name {
            "conf_multiplier_bps" => w(b::CONF_MULTIPLIER_BPS),
            "end_buffer_bps" => w(b::END_BUFFER_BPS),
            "min_time_to_expiry_secs" => w(b::MIN_TIME_TO_EXPIRY_SECS),
            "write_fee_bps" => w(b::WRITE_FEE_BPS),
            "timelock_secs" => w(b::TIMELOCK_SECS),
            "liquidation.start_discount_bps" => w(b::START_DISCOUNT_BPS),
            "liquidation.fast_discount_bps" => w(b::FAST_DISCOUNT_BPS),
            "liquidation.fast_secs" => w(b::AUCTION_FAST_SECS),
            "liquidation.slow_secs" => w(b::AUCTION_SLOW_SECS),
            "liquidation.fee_bps" => w(b::LIQUIDATION_FEE_BPS),
            "liquidation.tip_bps" => w(b::KEEPER_TIP_BPS),
            "liquidation.tip_max_quote" => w(b::KEEPER_TIP_MAX_QUOTE),
            "liquidation.tip_dust_min_quote" => w(b::KEEPER_TIP_DUST_MIN_QUOTE),
            "liquidation.fund_premium_bps" => w(b::FUND_PREMIUM_BPS),
            "insurance.cooldown_secs" => w(b::UNSTAKE_COOLDOWN_SECS),
            "insurance.unstake_window_secs" => w(b::UNSTAKE_WINDOW_SECS),
            "settlement.max_conf_bps" => w(b::SETTLEMENT_MAX_CONF_BPS),
            "settlement.debt_grace_secs" => w(b::DEBT_GRACE_SECS),
            "settlement.backstop_window_secs" => w(b::BACKSTOP_WINDOW_SECS),
            "settlement.backstop_min_price_bps" => w(b::BACKSTOP_MIN_PRICE_BPS),
            _ => None,
        },
        GovValue::MarginParams(_) => match name.rsplit('.').next().unwrap_or(name) {
            "spot_shock_bps" => w(b::SPOT_SHOCK_BPS),
            "vol_shock_bps" => w(b::VOL_SHOCK_BPS),
            "floor_bps" => w(b::FLOOR_BPS),
            "vol_ref_secs" => w(b::VOL_REF_SECS),
            "vol_power_bps" => w(b::VOL_POWER_BPS),
            "vol_term_cap_bps" => w(b::VOL_TERM_CAP_BPS),
            "stale_vol_per_hour_bps" => w(b::STALE_VOL_PER_HOUR_BPS),
            "stale_vol_cap_bps" => w(b::STALE_VOL_CAP_BPS),
            "rate_bps" => w(b::RATE_BPS),
            _ => None,
        },
        GovValue::OracleConfig(_) => match name {
            "max_age_secs" => w(b::MAX_AGE_SECS),
            "liq_max_age_secs" => w(b::LIQ_MAX_AGE_SECS),
            "max_conf_bps" => w(b::MAX_CONF_BPS),
            _ => None,
        },
        GovValue::OpenInterest(_) => match name {
            "writer_share_bps" => w(b::WRITER_OPEN_INTEREST_SHARE_BPS),
            _ => None,
        },
        GovValue::SurfaceLimits(_) => match name {
            "max_age_secs" => w(b::SURFACE_MAX_AGE_SECS),
            "max_change_bps" => w(b::SURFACE_MAX_CHANGE_BPS),
            "anchor_interval_secs" => w(b::SURFACE_ANCHOR_INTERVAL_SECS),
            _ => None,
        },
        GovValue::CollateralWeights(_) => match name {
            "init_weight_bps" | "maint_weight_bps" => w(b::WEIGHT_BPS),
            _ => None,
        },
        _ => None,
    }
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

/// Set one field of `value` by name.
pub fn set_field(value: &mut GovValue, name: &str, v: &Value) -> Result<(), String> {
    macro_rules! fields {
        ($s:expr, $($n:literal => $($f:ident).+),* $(,)?) => {
            match name {
                $($n => { $s.$($f).+ = to(name, v)?; })*
                _ => return Err(format!("{} has no field {name}", kind_name(value))),
            }
        };
    }
    let kind = kind_name(value);
    match value {
        GovValue::GlobalParams(p) => fields!(p,
            "conf_multiplier_bps" => conf_multiplier_bps,
            "end_buffer_bps" => end_buffer_bps,
            "min_time_to_expiry_secs" => min_time_to_expiry_secs,
            "write_fee_bps" => write_fee_bps,
            "timelock_secs" => timelock_secs,
            "liquidation.start_discount_bps" => liquidation.start_discount_bps,
            "liquidation.fast_discount_bps" => liquidation.fast_discount_bps,
            "liquidation.fast_secs" => liquidation.fast_secs,
            "liquidation.slow_secs" => liquidation.slow_secs,
            "liquidation.fee_bps" => liquidation.fee_bps,
            "liquidation.tip_bps" => liquidation.tip_bps,
            "liquidation.tip_max_quote" => liquidation.tip_max_quote,
            "liquidation.tip_dust_min_quote" => liquidation.tip_dust_min_quote,
            "liquidation.fund_premium_bps" => liquidation.fund_premium_bps,
            "insurance.cooldown_secs" => insurance.cooldown_secs,
            "insurance.unstake_window_secs" => insurance.unstake_window_secs,
            "settlement.max_conf_bps" => settlement.max_conf_bps,
            "settlement.debt_grace_secs" => settlement.debt_grace_secs,
            "settlement.backstop_window_secs" => settlement.backstop_window_secs,
            "settlement.backstop_min_price_bps" => settlement.backstop_min_price_bps,
        ),
        GovValue::MarginParams(m) => fields!(m,
            "initial.spot_shock_bps" => initial.spot_shock_bps,
            "initial.vol_shock_bps" => initial.vol_shock_bps,
            "initial.floor_bps" => initial.floor_bps,
            "maintenance.spot_shock_bps" => maintenance.spot_shock_bps,
            "maintenance.vol_shock_bps" => maintenance.vol_shock_bps,
            "maintenance.floor_bps" => maintenance.floor_bps,
            "vol_ref_secs" => vol_ref_secs,
            "vol_power_bps" => vol_power_bps,
            "vol_term_cap_bps" => vol_term_cap_bps,
            "stale_vol_per_hour_bps" => stale_vol_per_hour_bps,
            "stale_vol_cap_bps" => stale_vol_cap_bps,
            "rate_bps" => rate_bps,
        ),
        GovValue::OracleConfig(o) => match name {
            "oracle_program" => o.oracle_program = key(name, v)?,
            "feed" => o.feed = feed(v)?,
            "kind" => o.kind = to(name, v)?,
            _ => fields!(o,
                "max_age_secs" => max_age_secs,
                "liq_max_age_secs" => liq_max_age_secs,
                "max_conf_bps" => max_conf_bps,
            ),
        },
        GovValue::OpenInterest(l) => fields!(l,
            "open_interest_cap" => open_interest_cap,
            "writer_share_bps" => writer_share_bps,
        ),
        GovValue::SeriesRules(r) => fields!(r,
            "expiry_interval_secs" => expiry_interval_secs,
            "expiry_offset_secs" => expiry_offset_secs,
            "max_horizon_secs" => max_horizon_secs,
            "strike_band_bps" => strike_band_bps,
            "strike_tick" => strike_tick,
            "contract_size" => contract_size,
        ),
        GovValue::SurfaceLimits(l) => fields!(l,
            "max_age_secs" => max_age_secs,
            "max_change_bps" => max_change_bps,
            "anchor_interval_secs" => anchor_interval_secs,
        ),
        GovValue::CollateralWeights(w) => fields!(w,
            "init_weight_bps" => init_weight_bps,
            "maint_weight_bps" => maint_weight_bps,
        ),
        GovValue::DepositCap(c) if name == "deposit_cap" => *c = to(name, v)?,
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
    /// Where a loosening is queued (the clearing house's `change_count` now).
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

/// Describe `file` against the accounts of `chain`; the vault (`admin`) pays the rent of a
/// queued change.
pub fn propose<C: Chain + ?Sized>(chain: &mut C, file: &ChangeFile) -> Result<Proposal, String> {
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
    let verdict = (|| {
        let class = rules::classify(&current, &new).map_err(|e| short(&e))?;
        if let Some(r) = rows.iter().find(|r| !r.within_step) {
            return Err(format!(
                "ChangeStepTooLarge: {} moves {} -> {}",
                r.name, r.current, r.new
            ));
        }
        let targets = Targets {
            clearinghouse_key: clearinghouse,
            clearinghouse: &ch,
            underlying: u.as_ref().map(|u| (target_key, u)),
            collateral: c.as_ref().map(|c| (target_key, c)),
            price_underlying: p.as_ref().map(|(k, u)| (*k, u)),
        };
        targets.validate_new(&new).map_err(|e| short(&e))?;
        Ok(class)
    })();
    let change_id = ch.change_count;
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

    /// Fields whose only limits are validity rules (no hard bounds of their own).
    const VALIDITY_ONLY: [&str; 8] = [
        "open_interest_cap",
        "expiry_interval_secs",
        "expiry_offset_secs",
        "max_horizon_secs",
        "strike_band_bps",
        "strike_tick",
        "contract_size",
        "deposit_cap",
    ];

    const KINDS: [&str; 13] = [
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
    ];

    #[test]
    fn every_governed_field_of_the_engine_can_be_set_and_bounded() {
        for kind in KINDS {
            let value = kind_named(kind).unwrap();
            let (fields, _) = rules::fields(&value, &value).unwrap();
            for f in fields {
                let mut new = value;
                set_field(&mut new, f.name, &Value::from(7))
                    .unwrap_or_else(|e| panic!("{kind}.{}: {e}", f.name));
                let (after, identity) = rules::fields(&value, &new).unwrap();
                assert!(!identity, "{kind}.{}", f.name);
                for g in after {
                    let expected = if g.name == f.name { 7 } else { g.old };
                    assert_eq!(
                        g.new, expected,
                        "{kind}: setting {} moved {}",
                        f.name, g.name
                    );
                }
                let bounds = field_bounds(&value, f.name);
                assert_eq!(
                    bounds.is_none(),
                    VALIDITY_ONLY.contains(&f.name),
                    "{kind}.{}: bounds {bounds:?}",
                    f.name
                );
            }
        }
    }

    /// The SDK's bounds of every global parameter are the engine's: both ends valid, one beyond
    /// either refused.
    #[test]
    fn global_bounds_are_the_engines() {
        let base = GovValue::GlobalParams(GlobalParams::DEFAULT);
        let (fields, _) = rules::fields(&base, &base).unwrap();
        for f in fields {
            let (lo, hi) = field_bounds(&base, f.name).unwrap();
            let with = |v: i128| {
                let mut new = base;
                set_field(&mut new, f.name, &Value::from(v as i64)).ok()?;
                let GovValue::GlobalParams(p) = new else {
                    unreachable!()
                };
                Some(p.validate().is_ok())
            };
            assert_eq!(with(lo), Some(true), "{} at {lo}", f.name);
            assert_eq!(with(hi), Some(true), "{} at {hi}", f.name);
            assert_ne!(with(hi + 1), Some(true), "{} at {}", f.name, hi + 1);
            if lo > 0 {
                assert_ne!(with(lo - 1), Some(true), "{} at {}", f.name, lo - 1);
            }
        }
    }

    #[test]
    fn surface_and_oracle_ages_have_their_own_bounds() {
        let surface = kind_named("SurfaceLimits").unwrap();
        let oracle = kind_named("OracleConfig").unwrap();
        let wide = |(lo, hi): (u32, u32)| Some((lo as i128, hi as i128));
        assert_eq!(
            field_bounds(&surface, "max_age_secs"),
            wide(b::SURFACE_MAX_AGE_SECS)
        );
        assert_eq!(field_bounds(&oracle, "max_age_secs"), wide(b::MAX_AGE_SECS));
    }
}
