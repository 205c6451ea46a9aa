//! The portfolio file of `greekhouse margin`: a writer account (positions, collateral, quote
//! balance) plus the market and risk parameters it is margined with. Format: docs/cli.md.
//!
//! Every number is read exactly: JSON numbers are taken from their source text (never through
//! f64) and strings holding a decimal are accepted too. Human units throughout (USDC, SOL, days);
//! the loader converts to the engine's units (quote native units, token native units, years).
//! Every error names the offending field by its path, e.g. `positions[3].strike`.

use std::collections::{BTreeMap, BTreeSet};

use greekhouse::constants::{CONTRACT_SIZE_EXP, CONTRACT_SIZE_ONE, MAX_COLLATERALS, MAX_POSITIONS};
use greekhouse::engine::convert;
use greekhouse_risk::bs::{self, SECONDS_PER_DAY};
use greekhouse_risk::fixed::FIXED_ONE;
use greekhouse_risk::margin::{
    LevelParams, MarginConfig, MarginParams, MAX_SIZE_CHARGE, MAX_STALE_VOL, MAX_TAIL_SHOCK,
    MAX_TAIL_WEIGHT, MAX_UNDERLYINGS, MAX_VOL_REF_SECS, MAX_VOL_SHOCK, MAX_VOL_TERM_CAP,
    MIN_VOL_REF_SECS,
};
use greekhouse_risk::surface::{TenorPoint, VolSurface, MAX_TENORS, MIN_VOL_FLOOR_BPS};
use greekhouse_risk::{
    AccountRisk, CollateralRisk, Fixed, OptionKind, PositionRisk, Side, UnderlyingRisk,
};
use serde_json::value::RawValue;

use crate::decimal::{self, Decimal};

// A writer account's capacities (`MAX_POSITIONS`, `MAX_COLLATERALS`), contract sizes and the
// conversion of a time to expiry are the program's own (`greekhouse::constants`,
// `greekhouse::engine::convert`), never re-declared here, so a file the CLI accepts is one the
// program could hold and margin the same way.

/// Defaults used when the file leaves a parameter out. The config (`conf_multiplier`,
/// `end_buffer`, `min_time_to_expiry_secs`) defaults to the program's `GlobalParams::DEFAULT`;
/// margin parameters to the risk crate's `MarginParams::DEFAULT`, field by field (the program
/// has no default of its own: each underlying's are set at listing).
pub mod defaults {
    use greekhouse::engine::convert;
    use greekhouse::state::GlobalParams;
    use greekhouse_risk::MarginConfig;

    /// The program's default margin config.
    pub fn config() -> MarginConfig {
        convert::margin_config(&GlobalParams::DEFAULT, true)
    }
    /// The program's default floor on time to expiry in pricing (the risk crate leaves the floor
    /// to the caller).
    pub const MIN_TIME_TO_EXPIRY_SECS: u32 = GlobalParams::DEFAULT.min_time_to_expiry_secs;
    pub const QUOTE_SYMBOL: &str = "USDC";
    pub const QUOTE_DECIMALS: u32 = 6;
}

/// A loaded portfolio, in engine units.
#[derive(Clone, Debug)]
pub struct Portfolio {
    pub quote_symbol: String,
    pub quote_decimals: u32,
    /// Quote native units.
    pub quote_balance: i128,
    pub config: MarginConfig,
    pub min_time_to_expiry_secs: u32,
    pub underlying_names: Vec<String>,
    pub underlyings: Vec<UnderlyingRisk>,
    pub collateral_names: Vec<String>,
    pub collaterals: Vec<CollateralRisk>,
    pub positions: Vec<PositionRisk>,
}

impl Portfolio {
    pub fn account(&self) -> AccountRisk<'_> {
        AccountRisk {
            quote_balance: self.quote_balance,
            collaterals: &self.collaterals,
            positions: &self.positions,
            underlyings: &self.underlyings,
        }
    }

    /// Parses a portfolio document. The error is a one-line message naming the field.
    pub fn parse(text: &str) -> Result<Portfolio, String> {
        let mut root = Obj::parse(String::new(), text).map_err(|e| {
            if e.ends_with("expected a JSON object") {
                e
            } else {
                format!("invalid JSON: {e}")
            }
        })?;

        let (quote_symbol, quote_decimals) = match root.obj("quote")? {
            None => (defaults::QUOTE_SYMBOL.to_string(), defaults::QUOTE_DECIMALS),
            Some(mut q) => {
                let symbol = q
                    .string("symbol")?
                    .unwrap_or_else(|| defaults::QUOTE_SYMBOL.to_string());
                let decimals = q
                    .token_decimals("decimals")?
                    .unwrap_or(defaults::QUOTE_DECIMALS);
                q.finish()?;
                (symbol, decimals)
            }
        };
        let qd = quote_decimals as i32;
        let quote_balance = match root.dec("quote_balance")? {
            None => 0,
            Some(d) => d.to_scaled(qd).map_err(|e| root.at("quote_balance", e))?,
        };

        let (config, min_time_to_expiry_secs) = match root.obj("config")? {
            None => (defaults::config(), defaults::MIN_TIME_TO_EXPIRY_SECS),
            Some(mut c) => {
                let conf_multiplier = c
                    .fixed("conf_multiplier")?
                    .unwrap_or(defaults::config().conf_multiplier);
                let end_buffer = c
                    .fixed("end_buffer")?
                    .unwrap_or(defaults::config().end_buffer);
                c.check(
                    !conf_multiplier.is_negative(),
                    "conf_multiplier",
                    "must be >= 0",
                )?;
                c.check(
                    end_buffer >= Fixed::ZERO && end_buffer <= Fixed::ONE,
                    "end_buffer",
                    "must be within [0, 1]",
                )?;
                let min_time = match c.dec("min_time_to_expiry_secs")? {
                    None => defaults::MIN_TIME_TO_EXPIRY_SECS,
                    Some(d) => {
                        let v = d
                            .to_scaled(0)
                            .map_err(|e| c.at("min_time_to_expiry_secs", e))?;
                        c.check(
                            (0..=86_400).contains(&v),
                            "min_time_to_expiry_secs",
                            "must be within 0..=86400 seconds",
                        )?;
                        v as u32
                    }
                };
                let config = MarginConfig {
                    conf_multiplier,
                    end_buffer,
                    greeks: true,
                };
                config.validate().map_err(|e| {
                    format!("config: rejected by the risk engine ({e:?}): conf_multiplier must be within [0, 10]")
                })?;
                c.finish()?;
                (config, min_time)
            }
        };

        // underlyings
        let mut underlying_names = Vec::new();
        let mut underlyings = Vec::new();
        // per underlying: the path of its spot, its spot and conf as written (linked
        // collateral is priced by the same feed)
        let mut underlying_feeds: Vec<(String, Decimal, Option<Decimal>)> = Vec::new();
        let items = root
            .array("underlyings")?
            .ok_or_else(|| root.missing("underlyings"))?;
        if items.is_empty() {
            return Err("underlyings: at least one underlying is needed".into());
        }
        for (path, raw) in items {
            let mut u = Obj::parse(path, raw)?;
            u.replaced(
                "vol_stale",
                "use `surface_stale_secs` (seconds the surface is older than its maximum age; 0 = fresh)",
            )?;
            let name = u.string("name")?.ok_or_else(|| u.missing("name"))?;
            u.check(!name.trim().is_empty(), "name", "must not be empty")?;
            if underlying_names.contains(&name) {
                return Err(format!(
                    "{}: duplicate underlying name \"{name}\"",
                    u.field("name")
                ));
            }
            let spot_text = u.dec("spot")?.ok_or_else(|| u.missing("spot"))?;
            let spot = spot_text
                .to_fixed_shifted(qd)
                .map_err(|e| u.money_error("spot", &spot_text, e))?;
            u.check(spot.is_positive(), "spot", "must be > 0")?;
            let conf_text = u.dec("conf")?;
            let conf = match &conf_text {
                None => Fixed::ZERO,
                Some(d) => d
                    .to_fixed_shifted(qd)
                    .map_err(|e| u.money_error("conf", d, e))?,
            };
            u.check(!conf.is_negative(), "conf", "must be >= 0")?;
            let rate = u.fixed("rate")?.unwrap_or(Fixed::ZERO);
            u.check(
                !rate.is_negative() && rate <= bs::MAX_RATE,
                "rate",
                "must be within [0, 1] (the risk engine's range)",
            )?;
            let surface_stale_secs = u.integer("surface_stale_secs")?.unwrap_or(0);
            let mut s = u.obj("surface")?.ok_or_else(|| u.missing("surface"))?;
            let surface = parse_surface(&mut s)?;
            s.finish()?;
            let params = match u.obj("margin")? {
                None => MarginParams::DEFAULT,
                Some(mut m) => {
                    let p = parse_params(&mut m)?;
                    m.finish()?;
                    p
                }
            };
            // the program's realized-vol estimate (annualised), which widens the spot shocks
            let realized_vol = u.fixed("realized_vol")?.unwrap_or(Fixed::ZERO);
            u.check(
                !realized_vol.is_negative() && realized_vol <= bs::MAX_VOL,
                "realized_vol",
                "must be within [0, 20] (the risk engine's bound)",
            )?;
            let spot_path = u.field("spot");
            u.finish()?;
            underlying_names.push(name);
            underlying_feeds.push((spot_path, spot_text, conf_text));
            underlyings.push(UnderlyingRisk {
                spot,
                conf,
                surface,
                surface_stale_secs,
                realized_vol,
                rate,
                params,
            });
        }

        // collaterals (and the underlyings margined: those of the positions and the linked
        // collateral)
        let mut used = BTreeSet::new();
        let mut collateral_names = Vec::new();
        let mut collaterals = Vec::new();
        let items = root.array("collaterals")?.unwrap_or_default();
        if items.len() > MAX_COLLATERALS {
            return Err(format!("collaterals: a writer account holds at most {MAX_COLLATERALS} collateral balances, the file has {}", items.len()));
        }
        for (path, raw) in items {
            let mut c = Obj::parse(path, raw)?;
            let name = c.string("symbol")?.ok_or_else(|| c.missing("symbol"))?;
            let decimals = c
                .token_decimals("decimals")?
                .ok_or_else(|| c.missing("decimals"))? as i32;
            let amount = c.dec("amount")?.ok_or_else(|| c.missing("amount"))?;
            let amount = amount.to_scaled(decimals).map_err(|e| c.at("amount", e))?;
            let amount = u64::try_from(amount).map_err(|_| {
                format!(
                    "{}: must be >= 0 and at most {} native units",
                    c.field("amount"),
                    u64::MAX
                )
            })?;
            let linked_underlying = match c.string("linked_underlying")? {
                None => None,
                Some(n) => Some(underlying_names.iter().position(|u| *u == n).ok_or_else(
                    || {
                        format!(
                            "{}: unknown underlying \"{n}\" (defined: {})",
                            c.field("linked_underlying"),
                            underlying_names.join(", ")
                        )
                    },
                )?),
            };
            // quote native units per token native unit: price * 10^(qd - decimals)
            let shift = qd - decimals;
            let price = c.money("price", shift)?;
            let conf = c.money("conf", shift)?;
            let (price, conf) = match linked_underlying {
                None => (
                    price.ok_or_else(|| c.missing("price"))?,
                    conf.unwrap_or(Fixed::ZERO),
                ),
                Some(i) => {
                    // priced by the linked underlying's feed: its spot and conf, per token
                    let (spot_path, spot, feed_conf) = &underlying_feeds[i];
                    let conf_path = spot_path.replace(".spot", ".conf");
                    let feed = |key: &str, path: &str, d: Option<&Decimal>| {
                        d.map_or(Ok(Fixed::ZERO), |d| d.to_fixed_shifted(shift))
                            .map_err(|e| {
                                c.at(key, format!("the linked underlying's {path} does not convert exactly to this token's native units ({e})"))
                            })
                    };
                    let feed_price = feed("price", spot_path, Some(spot))?;
                    let feed_conf = feed("conf", &conf_path, feed_conf.as_ref())?;
                    let same = |key: &str, given: Option<Fixed>, want: Fixed, path: &str| {
                        c.check(
                            given.is_none_or(|g| g == want),
                            key,
                            &format!("a linked collateral is priced by its underlying's feed: must equal {path} or be left out"),
                        )
                    };
                    same("price", price, feed_price, spot_path)?;
                    same("conf", conf, feed_conf, &conf_path)?;
                    (feed_price, feed_conf)
                }
            };
            c.check(!price.is_negative(), "price", "must be >= 0")?;
            c.check(!conf.is_negative(), "conf", "must be >= 0")?;
            let init_weight = c
                .fixed("init_weight")?
                .ok_or_else(|| c.missing("init_weight"))?;
            let maint_weight = c
                .fixed("maint_weight")?
                .ok_or_else(|| c.missing("maint_weight"))?;
            for (key, w) in [("init_weight", init_weight), ("maint_weight", maint_weight)] {
                c.check(
                    w >= Fixed::ZERO && w <= Fixed::ONE,
                    key,
                    "must be within [0, 1]",
                )?;
            }
            c.check(
                init_weight <= maint_weight,
                "init_weight",
                "must not exceed maint_weight",
            )?;
            c.finish()?;
            collateral_names.push(name);
            collaterals.push(CollateralRisk {
                amount,
                price,
                conf,
                init_weight,
                maint_weight,
                linked_underlying: linked_underlying.map(|i| i as u8),
            });
            if let Some(i) = linked_underlying {
                used.insert(i);
            }
        }

        // positions
        let mut positions = Vec::new();
        let items = root.array("positions")?.unwrap_or_default();
        if items.len() > MAX_POSITIONS {
            return Err(format!("positions: a writer account holds at most {MAX_POSITIONS} positions, the file has {}", items.len()));
        }
        for (path, raw) in items {
            let mut p = Obj::parse(path, raw)?;
            let name = p
                .string("underlying")?
                .ok_or_else(|| p.missing("underlying"))?;
            let index = underlying_names
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| {
                    format!(
                        "{}: unknown underlying \"{name}\" (defined: {})",
                        p.field("underlying"),
                        underlying_names.join(", ")
                    )
                })?;
            used.insert(index);
            let kind = match p
                .string("kind")?
                .ok_or_else(|| p.missing("kind"))?
                .to_ascii_lowercase()
                .as_str()
            {
                "call" => OptionKind::Call,
                "put" => OptionKind::Put,
                other => {
                    return Err(format!(
                        "{}: expected \"call\" or \"put\", got \"{other}\"",
                        p.field("kind")
                    ))
                }
            };
            let strike = p.money("strike", qd)?.ok_or_else(|| p.missing("strike"))?;
            p.check(strike.is_positive(), "strike", "must be > 0")?;
            let days = p.fixed("days")?.ok_or_else(|| p.missing("days"))?;
            // days <= 0: expired and not yet settled (valued at intrinsic by the engine)
            let time_years = time_to_expiry(days, min_time_to_expiry_secs)
                .map_err(|e| format!("{}: {e}", p.field("days")))?;
            // a long: "side": "long", or a negative quantity (not both)
            let signed = p
                .signed_integer("contracts")?
                .ok_or_else(|| p.missing("contracts"))?;
            let side = match p.string("side")?.map(|s| s.to_ascii_lowercase()) {
                None if signed < 0 => Side::Long,
                None => Side::Short,
                Some(s) if signed < 0 => {
                    return Err(p.at(
                        "contracts",
                        format!(
                            "negative (a long) beside \"side\": \"{s}\": give one or the other"
                        ),
                    ))
                }
                Some(s) => match s.as_str() {
                    "short" => Side::Short,
                    "long" => Side::Long,
                    other => {
                        return Err(format!(
                            "{}: expected \"short\" or \"long\", got \"{other}\"",
                            p.field("side")
                        ))
                    }
                },
            };
            let contracts = u64::try_from(signed.unsigned_abs())
                .map_err(|_| p.at("contracts", format!("must be within -{0}..={0}", u64::MAX)))?;
            let contract_size = match p.dec("contract_size")? {
                None => CONTRACT_SIZE_ONE,
                // the program stores a contract size as an integer at exponent 6
                Some(d) => d
                    .to_scaled(CONTRACT_SIZE_EXP as i32)
                    .ok()
                    .and_then(|v| u64::try_from(v).ok())
                    .filter(|&v| v > 0)
                    .ok_or_else(|| {
                        p.at(
                            "contract_size",
                            format!(
                                "must be > 0 with at most {CONTRACT_SIZE_EXP} decimal places (the program's precision)"
                            ),
                        )
                    })?,
            };
            let contract_size = convert::contract_size(contract_size)
                .map_err(|e| p.at("contract_size", format!("{e:?}")))?;
            p.finish()?;
            positions.push(PositionRisk {
                underlying: index as u8,
                kind,
                strike,
                time_years,
                contracts,
                contract_size,
                side,
                american: false,
            });
        }
        if used.len() > MAX_UNDERLYINGS {
            return Err(format!(
                "positions: with the linked collateral, span {} underlyings, the engine margins at most {MAX_UNDERLYINGS}",
                used.len()
            ));
        }
        if underlyings.len() > u8::MAX as usize {
            return Err("underlyings: too many".into());
        }
        root.finish()?;
        Ok(Portfolio {
            quote_symbol,
            quote_decimals,
            quote_balance,
            config,
            min_time_to_expiry_secs,
            underlying_names,
            underlyings,
            collateral_names,
            collaterals,
            positions,
        })
    }
}

/// Years to expiry from days, by the program's conversion (`engine::convert::time_to_expiry`):
/// the pricing floor `min_secs` before expiry, zero at or past it (`days <= 0`), a year of 365
/// days, rounded down. The program counts whole seconds (`expiry - now`); a fraction of a second
/// rounds up, so a position a moment before expiry is never taken for expired.
pub fn time_to_expiry(days: Fixed, min_secs: u32) -> Result<Fixed, String> {
    let too_far = || "too far from now to count in seconds".to_string();
    let scaled = days
        .raw()
        .checked_mul(SECONDS_PER_DAY as i128)
        .ok_or_else(too_far)?;
    let whole = scaled.div_euclid(FIXED_ONE) + i128::from(scaled.rem_euclid(FIXED_ONE) != 0);
    let seconds = i64::try_from(whole).map_err(|_| too_far())?;
    // seconds to expiry as an expiry at `seconds` seen at time 0
    convert::time_to_expiry(seconds, 0, min_secs)
        .map_err(|e| format!("cannot convert to years ({e:?})"))
}

fn parse_level(o: &mut Obj<'_>, d: LevelParams) -> Result<LevelParams, String> {
    let shock = "use `vol_shock` (one relative upward vol shock at the reference tenor, e.g. 0.25 = every vol x 1.25; Margin v2 has no downward vol shock)";
    o.replaced("vol_up", shock)?;
    o.replaced("vol_down", shock)?;
    let horizon = match o.integer("realized_horizon_secs")? {
        None => d.realized_horizon_secs,
        Some(v) => u32::try_from(v).map_err(|_| o.at("realized_horizon_secs", "too large"))?,
    };
    let level = LevelParams {
        spot_shock: o.fixed("spot_shock")?.unwrap_or(d.spot_shock),
        vol_shock: o.fixed("vol_shock")?.unwrap_or(d.vol_shock),
        floor_pct: o.fixed("floor_pct")?.unwrap_or(d.floor_pct),
        realized_multiple: o.fixed("realized_multiple")?.unwrap_or(d.realized_multiple),
        realized_horizon_secs: horizon,
        max_spot_shock: o.fixed("max_spot_shock")?.unwrap_or(d.max_spot_shock),
    };
    for (key, v) in [
        ("spot_shock", level.spot_shock),
        ("vol_shock", level.vol_shock),
        ("floor_pct", level.floor_pct),
    ] {
        o.check(!v.is_negative(), key, "must be >= 0")?;
    }
    o.check(
        level.vol_shock <= MAX_VOL_SHOCK,
        "vol_shock",
        "must be within [0, 2] (the risk engine's bound)",
    )?;
    Ok(level)
}

fn parse_params(m: &mut Obj<'_>) -> Result<MarginParams, String> {
    m.replaced(
        "stale_vol_penalty",
        "use `stale_vol_per_hour` and `stale_vol_cap` (a stale surface raises every vol by min(cap, per_hour x hours stale), relative)",
    )?;
    let d = MarginParams::DEFAULT;
    let initial = match m.obj("initial")? {
        None => d.initial,
        Some(mut o) => {
            let l = parse_level(&mut o, d.initial)?;
            o.finish()?;
            l
        }
    };
    let maintenance = match m.obj("maintenance")? {
        None => d.maintenance,
        Some(mut o) => {
            let l = parse_level(&mut o, d.maintenance)?;
            o.finish()?;
            l
        }
    };
    let vol_ref_secs = match m.integer("vol_ref_secs")? {
        None => d.vol_ref_secs,
        Some(v) => u32::try_from(v)
            .ok()
            .filter(|v| (MIN_VOL_REF_SECS..=MAX_VOL_REF_SECS).contains(v))
            .ok_or_else(|| {
                m.at(
                    "vol_ref_secs",
                    format!("must be within {MIN_VOL_REF_SECS}..={MAX_VOL_REF_SECS} seconds (1 hour to 365 days)"),
                )
            })?,
    };
    let vol_power = m.fixed("vol_power")?.unwrap_or(d.vol_power);
    m.check(
        !vol_power.is_negative() && vol_power <= Fixed::ONE,
        "vol_power",
        "must be within [0, 1]",
    )?;
    let vol_term_cap = m.fixed("vol_term_cap")?.unwrap_or(d.vol_term_cap);
    m.check(
        vol_term_cap >= Fixed::ONE && vol_term_cap <= MAX_VOL_TERM_CAP,
        "vol_term_cap",
        "must be within [1, 10]",
    )?;
    let stale_vol_per_hour = m
        .fixed("stale_vol_per_hour")?
        .unwrap_or(d.stale_vol_per_hour);
    let stale_vol_cap = m.fixed("stale_vol_cap")?.unwrap_or(d.stale_vol_cap);
    for (key, v) in [
        ("stale_vol_per_hour", stale_vol_per_hour),
        ("stale_vol_cap", stale_vol_cap),
    ] {
        m.check(
            !v.is_negative() && v <= MAX_STALE_VOL,
            key,
            "must be within [0, 1]",
        )?;
    }
    // IM's tail scenario and size charge (docs/risk-model.md 6.9, 6.10)
    let tail_down = m.fixed("tail_down")?.unwrap_or(d.tail_down);
    let tail_up = m.fixed("tail_up")?.unwrap_or(d.tail_up);
    for (key, v) in [("tail_down", tail_down), ("tail_up", tail_up)] {
        m.check(
            !v.is_negative() && v <= MAX_TAIL_SHOCK,
            key,
            "must be within [0, 0.95]",
        )?;
    }
    let tail_weight = m.fixed("tail_weight")?.unwrap_or(d.tail_weight);
    m.check(
        !tail_weight.is_negative() && tail_weight <= MAX_TAIL_WEIGHT,
        "tail_weight",
        "must be within [0, 1] (0 = no tail)",
    )?;
    let size_capacity = m.fixed("size_capacity")?.unwrap_or(d.size_capacity);
    m.check(
        !size_capacity.is_negative(),
        "size_capacity",
        "must be >= 0 underlying units (0 = no size charge)",
    )?;
    let size_charge = m.fixed("size_charge")?.unwrap_or(d.size_charge);
    m.check(
        !size_charge.is_negative() && size_charge <= MAX_SIZE_CHARGE,
        "size_charge",
        "must be within [0, 10]",
    )?;
    let params = MarginParams {
        initial,
        maintenance,
        vol_ref_secs,
        vol_power,
        vol_term_cap,
        stale_vol_per_hour,
        stale_vol_cap,
        tail_down,
        tail_up,
        tail_weight,
        size_capacity,
        size_charge,
    };
    params.validate().map_err(|e| {
        format!("{}: rejected by the risk engine ({e:?}): IM shocks and floors must be at least MM's and within the hard bounds", m.path_or_root())
    })?;
    Ok(params)
}

fn parse_surface(s: &mut Obj<'_>) -> Result<VolSurface, String> {
    let items = s.array("tenors")?.ok_or_else(|| s.missing("tenors"))?;
    if items.is_empty() || items.len() > MAX_TENORS {
        return Err(format!(
            "{}: 1 to {MAX_TENORS} tenor points, got {}",
            s.field("tenors"),
            items.len()
        ));
    }
    let mut tenors = [TenorPoint::default(); MAX_TENORS];
    for (i, (path, raw)) in items.iter().enumerate() {
        let mut t = Obj::parse(path.clone(), raw)?;
        let days = t.dec("days")?.ok_or_else(|| t.missing("days"))?;
        // seconds = days * 86400 must be a whole number of seconds
        let seconds = days
            .to_fixed()
            .ok()
            .and_then(|d| d.raw().checked_mul(SECONDS_PER_DAY as i128))
            .filter(|s| s % FIXED_ONE == 0)
            .map(|s| s / FIXED_ONE)
            .ok_or_else(|| {
                format!(
                    "{}: must be a whole number of seconds (days * 86400)",
                    t.field("days")
                )
            })?;
        let seconds = u32::try_from(seconds)
            .ok()
            .filter(|&s| s > 0)
            .ok_or_else(|| {
                format!(
                    "{}: must be > 0 and at most {} days",
                    t.field("days"),
                    u32::MAX / 86_400
                )
            })?;
        let atm_vol = t.fixed("atm_vol")?.ok_or_else(|| t.missing("atm_vol"))?;
        t.check(atm_vol.is_positive(), "atm_vol", "must be > 0")?;
        if i > 0 && seconds <= tenors[i - 1].seconds {
            return Err(format!(
                "{}: tenors must be strictly increasing in days",
                t.field("days")
            ));
        }
        t.finish()?;
        tenors[i] = TenorPoint { seconds, atm_vol };
    }
    let surface = VolSurface {
        tenors,
        tenor_count: items.len() as u8,
        skew: s.fixed("skew")?.unwrap_or(Fixed::ZERO),
        smile: s.fixed("smile")?.unwrap_or(Fixed::ZERO),
        min_vol: s
            .fixed("min_vol")?
            .unwrap_or(Fixed::from_bps(MIN_VOL_FLOOR_BPS)),
    };
    surface.validate().map_err(|e| {
        format!("{}: rejected by the risk engine ({e:?}): vols must be within 1 % to 500 % and skew/smile within the engine's bounds", s.path_or_root())
    })?;
    Ok(surface)
}

// ---------------------------------------------------------------------------------------------
// A JSON object whose values are kept as raw text, consumed field by field with path-aware
// errors; whatever is left at `finish` is an unknown field.
// ---------------------------------------------------------------------------------------------

struct Obj<'a> {
    path: String,
    map: BTreeMap<String, &'a RawValue>,
}

impl<'a> Obj<'a> {
    fn parse(path: String, text: &'a str) -> Result<Obj<'a>, String> {
        let map: BTreeMap<String, &'a RawValue> = serde_json::from_str(text).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                e.to_string()
            } else {
                format!(
                    "{}: expected a JSON object",
                    if path.is_empty() { "document" } else { &path }
                )
            }
        })?;
        Ok(Obj { path, map })
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn path_or_root(&self) -> String {
        if self.path.is_empty() {
            "document".into()
        } else {
            self.path.clone()
        }
    }

    fn missing(&self, key: &str) -> String {
        format!("{}: missing", self.field(key))
    }

    fn at(&self, key: &str, e: impl std::fmt::Display) -> String {
        format!("{}: {e}", self.field(key))
    }

    fn check(&self, ok: bool, key: &str, message: &str) -> Result<(), String> {
        if ok {
            Ok(())
        } else {
            Err(format!("{}: {message}", self.field(key)))
        }
    }

    /// The raw value of `key`, `None` when absent or `null`.
    fn take(&mut self, key: &str) -> Option<&'a RawValue> {
        self.map.remove(key).filter(|r| r.get().trim() != "null")
    }

    fn dec(&mut self, key: &str) -> Result<Option<Decimal>, String> {
        match self.take(key) {
            None => Ok(None),
            Some(raw) => decimal::from_json_raw(raw.get())
                .map(Some)
                .map_err(|e| self.at(key, e)),
        }
    }

    fn fixed(&mut self, key: &str) -> Result<Option<Fixed>, String> {
        match self.dec(key)? {
            None => Ok(None),
            Some(d) => d.to_fixed().map(Some).map_err(|e| self.at(key, e)),
        }
    }

    /// A value in whole quote units converted to quote native units (`shift` = decimals).
    fn money(&mut self, key: &str, shift: i32) -> Result<Option<Fixed>, String> {
        match self.dec(key)? {
            None => Ok(None),
            Some(d) => d
                .to_fixed_shifted(shift)
                .map(Some)
                .map_err(|e| self.money_error(key, &d, e)),
        }
    }

    /// The error of [`Obj::money`] for the value `d` of `key`.
    fn money_error(&self, key: &str, d: &Decimal, e: decimal::DecimalError) -> String {
        match e {
            decimal::DecimalError::TooPrecise { .. } => self.at(
                key,
                format!("\"{}\" has more decimal places than the engine's 12 after conversion to native units", d.text()),
            ),
            e => self.at(key, e),
        }
    }

    /// A field of the format before Margin v2: present (even `null`), it is an error naming
    /// its replacement, never silently ignored.
    fn replaced(&self, key: &str, replacement: &str) -> Result<(), String> {
        if self.map.contains_key(key) {
            Err(format!(
                "{}: no longer supported (Margin v2): {replacement}",
                self.field(key)
            ))
        } else {
            Ok(())
        }
    }

    fn integer(&mut self, key: &str) -> Result<Option<u64>, String> {
        match self.dec(key)? {
            None => Ok(None),
            Some(d) => {
                let v = d
                    .to_scaled(0)
                    .map_err(|_| self.at(key, format!("\"{}\" is not a whole number", d.text())))?;
                u64::try_from(v)
                    .map(Some)
                    .map_err(|_| self.at(key, format!("must be within 0..={}", u64::MAX)))
            }
        }
    }

    /// A whole number that may be negative.
    fn signed_integer(&mut self, key: &str) -> Result<Option<i128>, String> {
        match self.dec(key)? {
            None => Ok(None),
            Some(d) => d
                .to_scaled(0)
                .map(Some)
                .map_err(|_| self.at(key, format!("\"{}\" is not a whole number", d.text()))),
        }
    }

    fn token_decimals(&mut self, key: &str) -> Result<Option<u32>, String> {
        match self.integer(key)? {
            None => Ok(None),
            Some(v) if v <= 18 => Ok(Some(v as u32)),
            Some(_) => Err(self.at(key, "must be within 0..=18")),
        }
    }

    fn string(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.take(key) {
            None => Ok(None),
            Some(raw) => serde_json::from_str::<String>(raw.get())
                .map(Some)
                .map_err(|_| self.at(key, format!("expected a string, got {}", raw.get()))),
        }
    }

    fn obj(&mut self, key: &str) -> Result<Option<Obj<'a>>, String> {
        let path = self.field(key);
        match self.take(key) {
            None => Ok(None),
            Some(raw) => Obj::parse(path, raw.get()).map(Some),
        }
    }

    /// The elements of an array field, each with its path.
    fn array(&mut self, key: &str) -> Result<Option<Vec<(String, &'a str)>>, String> {
        let path = self.field(key);
        match self.take(key) {
            None => Ok(None),
            Some(raw) => {
                let items: Vec<&'a RawValue> = serde_json::from_str(raw.get())
                    .map_err(|_| format!("{path}: expected an array"))?;
                Ok(Some(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, r)| (format!("{path}[{i}]"), r.get()))
                        .collect(),
                ))
            }
        }
    }

    fn finish(self) -> Result<(), String> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(k) => Err(format!("{}: unknown field", self.field(k))),
        }
    }
}

#[cfg(test)]
mod tests;
