//! The simulator's study definition: built-in scenarios and an optional TOML file. Every value
//! is checked before anything runs or is written; an error names its field.

use serde::Deserialize;

/// How the SOL price moves.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum PathKind {
    /// Geometric Brownian motion.
    Gbm { drift: f64, vol: f64 },
    /// GBM plus Poisson jumps of lognormal size.
    Jump {
        drift: f64,
        vol: f64,
        /// Expected jumps per day.
        jumps_per_day: f64,
        /// Mean and deviation of a jump's log size.
        jump_mean: f64,
        jump_std: f64,
    },
    /// A named shape: the log price follows straight lines through `(hour, percent change from
    /// the start)` waypoints, with GBM noise of `noise_vol` around them.
    Shape {
        waypoints: Vec<(f64, f64)>,
        noise_vol: f64,
    },
    /// Flat with GBM noise until the first expiry, then a gap of `gap_pct` at expiry.
    GapAtExpiry { gap_pct: f64, vol: f64 },
}

/// One scenario: a name and the fields of its kind, side by side in one TOML table.
///
/// serde cannot combine `flatten` with `deny_unknown_fields` (every field then counts as
/// unknown), so a scenario is read as a table: `name` is taken out and the rest is read as a
/// [`PathKind`], whose own `deny_unknown_fields` refuses a stray field with its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub path: PathKind,
}

impl<'de> Deserialize<'de> for Scenario {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut table = toml::Table::deserialize(d)?;
        let name = match table.remove("name") {
            Some(toml::Value::String(s)) => s,
            Some(_) => return Err(D::Error::custom("`name` must be a string")),
            None => return Err(D::Error::missing_field("name")),
        };
        let path = PathKind::deserialize(toml::Value::Table(table))
            .map_err(|e| D::Error::custom(format!("scenario {name:?}: {}", e.message())))?;
        Ok(Scenario { name, path })
    }
}

/// The population, bots, horizon and seeds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Study {
    pub seeds: u32,
    pub writers: u32,
    pub days: u32,
    pub step_minutes: u32,
    /// The value each writer posts, log-uniform in `[min, max]` whole USDC (many small writers,
    /// a few large ones).
    pub writer_quote_min: u64,
    pub writer_quote_max: u64,
    /// Share of writers who post SOL (collateral linked to SOL) and write covered SOL calls.
    pub sol_collateral_share: f64,
    /// Share of their value the linked-collateral writers keep in quote beside their SOL (what
    /// pays a settlement without a debt sale).
    pub linked_quote_buffer: f64,
    /// Share of initial-margin capacity each writer uses.
    pub book_fill: f64,
    /// Series each writer writes.
    pub series_per_writer: u32,
    /// Holder wallets: each write's tokens go to one of them, who pays the writer the option's
    /// mark as premium and redeems at settlement.
    pub holders: u32,
    /// Share of the writers on quote who write BTC series (the others write SOL's).
    pub btc_writer_share: f64,
    /// Correlation of the Gaussian shocks of SOL and BTC.
    pub btc_correlation: f64,
    /// The size of BTC's moves relative to SOL's under the same scenario (noise vols, drifts,
    /// jump sizes, a shape's and a gap's log moves).
    pub btc_move_ratio: f64,
    /// Strikes of each expiry, by Black-Scholes delta on the starting surface: a call and a put
    /// at each (0.5: at the money; 0.1: far out of the money).
    pub strike_deltas: Vec<f64>,
    /// Insurance fund stake at the start (whole USDC).
    pub fund_stake: u64,
    /// How the vol updater moves the surface.
    pub vol: VolModel,
    /// The return the backstop investor demands: it buys a series' new fund shares only when
    /// they are worth at least `1 + this` times what it pays.
    pub backstop_required_return: f64,
    /// Price impact of the bots' hedges on the path: bps of price per million USD of net hedge
    /// sold (or bought) in a step, carried into every later price (0: the path is exogenous).
    pub price_impact_bps_per_million: f64,
    pub bots: Vec<BotSpec>,
    pub scenarios: Vec<Scenario>,
    /// The regime mix of a year: each scenario's weight (its share of the year's periods of
    /// `days`), for the stakers' annual return, the exhaustion rate over the mix and the
    /// break-even writing fee. Scenarios left out weigh nothing; when none of the study's
    /// scenarios is named, each weighs the same.
    pub regime_mix: std::collections::BTreeMap<String, f64>,
    /// The exhaustion rate over the mix (per period of `days`) the break-even writing fee must
    /// hold the fund to.
    pub exhaustion_target: f64,
}

/// A liquidator bot of the study.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BotSpec {
    /// Quote deposited in its bidding account (whole USDC).
    pub capital: u64,
    pub hurdle_bps: u32,
    /// Seconds between a step's price update and its first action; it acts again at twice,
    /// four times, ... that delay within the step (so a 5 s bot ticks at 5, 10, 20, ... 320 s
    /// of a 10-minute step).
    pub latency_secs: u32,
    pub max_fraction_per_bid: f64,
    /// What hedging costs the bot (exchange fees and half the spread), in bps of the notional
    /// of the delta it hedges.
    #[serde(default)]
    pub hedge_cost_bps: f64,
    /// Slippage on top, growing with the hedge's size: bps of the notional per million USD of
    /// it (a hedge of $2M at 10 pays 20 bps of slippage).
    #[serde(default)]
    pub slippage_bps_per_million: f64,
}

/// The implied-vol process the vol updater posts (docs/simulator.md, "Vol").
///
/// Realized variance is an exponentially weighted average of the squared log returns (per year)
/// with a half-life of `half_life_hours`, starting at the surface's own variance; each tenor's
/// ATM vol targets `(1 - realized_weight) * start + realized_weight * realized`, so a crash
/// lifts the surface and the spike decays back to the starting level with that half-life.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VolModel {
    pub half_life_hours: f64,
    pub realized_weight: f64,
}

impl Default for VolModel {
    fn default() -> Self {
        Self {
            half_life_hours: 24.0,
            realized_weight: 0.5,
        }
    }
}

impl Default for Study {
    fn default() -> Self {
        Self {
            seeds: 100,
            writers: 30,
            days: 7,
            step_minutes: 10,
            writer_quote_min: 1_000,
            writer_quote_max: 100_000,
            sol_collateral_share: 0.25,
            linked_quote_buffer: 0.1,
            book_fill: 0.9,
            series_per_writer: 3,
            holders: 10,
            strike_deltas: vec![0.1, 0.25, 0.5],
            btc_writer_share: 0.3,
            btc_correlation: 0.75,
            btc_move_ratio: 0.6,
            fund_stake: 20_000,
            vol: VolModel::default(),
            price_impact_bps_per_million: 0.0,
            backstop_required_return: 0.25,
            bots: vec![
                BotSpec {
                    capital: 500_000,
                    hurdle_bps: 200,
                    latency_secs: 5,
                    max_fraction_per_bid: 1.0,
                    hedge_cost_bps: 5.0,
                    slippage_bps_per_million: 20.0,
                },
                BotSpec {
                    capital: 50_000,
                    hurdle_bps: 400,
                    latency_secs: 60,
                    max_fraction_per_bid: 0.5,
                    hedge_cost_bps: 10.0,
                    slippage_bps_per_million: 50.0,
                },
            ],
            scenarios: builtins(),
            regime_mix: default_regime_mix(),
            exhaustion_target: 0.01,
        }
    }
}

/// A year of weeks: 80 % calm, 12 % jumpy, and four stress weeks (two crashes like
/// `crash-40pct-6h`, a slide, a gap at expiry). An assumption for the base case, not an
/// estimate: a study sets its own.
pub fn default_regime_mix() -> std::collections::BTreeMap<String, f64> {
    [
        ("gbm", 0.80),
        ("jump", 0.12),
        ("crash-40pct-6h", 0.04),
        ("slide-65pct-3d-rebound", 0.02),
        ("gap-down-at-expiry", 0.02),
    ]
    .into_iter()
    .map(|(n, w)| (n.to_string(), w))
    .collect()
}

/// The built-in scenarios.
pub fn builtins() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "gbm".into(),
            path: PathKind::Gbm {
                drift: 0.0,
                vol: 0.8,
            },
        },
        Scenario {
            name: "jump".into(),
            path: PathKind::Jump {
                drift: 0.0,
                vol: 0.6,
                jumps_per_day: 0.5,
                jump_mean: -0.05,
                jump_std: 0.12,
            },
        },
        Scenario {
            name: "crash-40pct-6h".into(),
            path: PathKind::Shape {
                waypoints: vec![(0.0, 0.0), (12.0, 0.0), (18.0, -40.0)],
                noise_vol: 0.3,
            },
        },
        Scenario {
            name: "slide-65pct-3d-rebound".into(),
            path: PathKind::Shape {
                waypoints: vec![(0.0, 0.0), (72.0, -65.0), (120.0, -40.0)],
                noise_vol: 0.3,
            },
        },
        Scenario {
            name: "gap-down-at-expiry".into(),
            path: PathKind::GapAtExpiry {
                gap_pct: -30.0,
                vol: 0.4,
            },
        },
    ]
}

/// A study error: the field and what is wrong with it.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("config: {field}: {problem}")]
pub struct StudyError {
    pub field: String,
    pub problem: String,
}

fn bad(field: impl Into<String>, problem: impl Into<String>) -> StudyError {
    StudyError {
        field: field.into(),
        problem: problem.into(),
    }
}

impl Study {
    /// Parse a TOML study; fields left out keep their defaults.
    pub fn parse(text: &str) -> Result<Study, StudyError> {
        let s: Study = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|sp| text[..sp.start.min(text.len())].lines().count())
                .unwrap_or(0);
            bad(format!("line {line}"), e.message().to_string())
        })?;
        s.check()?;
        Ok(s)
    }

    /// Every value in range.
    pub fn check(&self) -> Result<(), StudyError> {
        if !(1..=10_000).contains(&self.seeds) {
            return Err(bad("seeds", "must be 1 to 10000"));
        }
        if !(1..=2_000).contains(&self.writers) {
            return Err(bad("writers", "must be 1 to 2000"));
        }
        if !(1..=90).contains(&self.days) {
            return Err(bad("days", "must be 1 to 90"));
        }
        if !(1..=1_440).contains(&self.step_minutes) {
            return Err(bad("step_minutes", "must be 1 to 1440"));
        }
        if self.writer_quote_min == 0 || self.writer_quote_min > self.writer_quote_max {
            return Err(bad(
                "writer_quote_min",
                "must be > 0 and <= writer_quote_max",
            ));
        }
        if !(0.0..=1.0).contains(&self.sol_collateral_share) {
            return Err(bad("sol_collateral_share", "must be in [0, 1]"));
        }
        if !(0.0..=1.0).contains(&self.linked_quote_buffer) {
            return Err(bad("linked_quote_buffer", "must be in [0, 1]"));
        }
        if !(self.book_fill > 0.0 && self.book_fill <= 1.0) {
            return Err(bad("book_fill", "must be in (0, 1]"));
        }
        if !(0.0..=1.0).contains(&self.btc_writer_share) {
            return Err(bad("btc_writer_share", "must be in [0, 1]"));
        }
        if !(-1.0..=1.0).contains(&self.btc_correlation) {
            return Err(bad("btc_correlation", "must be in [-1, 1]"));
        }
        if !(0.0..=5.0).contains(&self.btc_move_ratio) {
            return Err(bad("btc_move_ratio", "must be in [0, 5]"));
        }
        if !(1..=16).contains(&self.series_per_writer) {
            return Err(bad("series_per_writer", "must be 1 to 16"));
        }
        if !(1..=1_000).contains(&self.holders) {
            return Err(bad("holders", "must be 1 to 1000"));
        }
        if self.strike_deltas.is_empty()
            || self.strike_deltas.len() > 8
            || self
                .strike_deltas
                .iter()
                .any(|d| !(d.is_finite() && *d >= 0.02 && *d <= 0.98))
        {
            return Err(bad("strike_deltas", "1 to 8 deltas, each in [0.02, 0.98]"));
        }
        if !(self.vol.half_life_hours.is_finite()
            && (0.1..=24.0 * 365.0).contains(&self.vol.half_life_hours))
        {
            return Err(bad("vol.half_life_hours", "must be in [0.1, 8760]"));
        }
        if !(0.0..=1.0).contains(&self.vol.realized_weight) {
            return Err(bad("vol.realized_weight", "must be in [0, 1]"));
        }
        if !(self.price_impact_bps_per_million.is_finite()
            && (0.0..=10_000.0).contains(&self.price_impact_bps_per_million))
        {
            return Err(bad("price_impact_bps_per_million", "must be in [0, 10000]"));
        }
        if !(self.backstop_required_return.is_finite()
            && (0.0..=100.0).contains(&self.backstop_required_return))
        {
            return Err(bad("backstop_required_return", "must be in [0, 100]"));
        }
        if self.bots.is_empty() {
            return Err(bad("bots", "at least one bot"));
        }
        for (i, b) in self.bots.iter().enumerate() {
            if b.capital == 0 {
                return Err(bad(format!("bots[{i}].capital"), "must be > 0"));
            }
            if !(1..=3_600).contains(&b.latency_secs) {
                return Err(bad(format!("bots[{i}].latency_secs"), "must be 1 to 3600"));
            }
            if !(b.max_fraction_per_bid > 0.0 && b.max_fraction_per_bid <= 1.0) {
                return Err(bad(
                    format!("bots[{i}].max_fraction_per_bid"),
                    "must be in (0, 1]",
                ));
            }
            if !(b.hedge_cost_bps.is_finite() && (0.0..=1_000.0).contains(&b.hedge_cost_bps)) {
                return Err(bad(
                    format!("bots[{i}].hedge_cost_bps"),
                    "must be in [0, 1000]",
                ));
            }
            if !(b.slippage_bps_per_million.is_finite()
                && (0.0..=10_000.0).contains(&b.slippage_bps_per_million))
            {
                return Err(bad(
                    format!("bots[{i}].slippage_bps_per_million"),
                    "must be in [0, 10000]",
                ));
            }
            if b.hurdle_bps > 10_000 {
                return Err(bad(
                    format!("bots[{i}].hurdle_bps"),
                    "must be at most 10000",
                ));
            }
        }
        if self.scenarios.is_empty() {
            return Err(bad("scenarios", "at least one scenario"));
        }
        let builtin_names: Vec<String> = builtins().into_iter().map(|s| s.name).collect();
        for (name, w) in &self.regime_mix {
            if !self.scenarios.iter().any(|s| &s.name == name) && !builtin_names.contains(name) {
                return Err(bad(
                    format!("regime_mix.{name}"),
                    "not a scenario of the study or a built-in one",
                ));
            }
            if !(w.is_finite() && *w >= 0.0) {
                return Err(bad(format!("regime_mix.{name}"), "must be >= 0"));
            }
        }
        if !(self.exhaustion_target > 0.0 && self.exhaustion_target < 1.0) {
            return Err(bad("exhaustion_target", "must be in (0, 1)"));
        }
        for (i, s) in self.scenarios.iter().enumerate() {
            let f = |x: &str| format!("scenarios[{i}].{x}");
            let vol_ok = |v: f64| v.is_finite() && (0.0..=5.0).contains(&v);
            match &s.path {
                PathKind::Gbm { drift, vol } => {
                    if !vol_ok(*vol) {
                        return Err(bad(f("vol"), "must be in [0, 5]"));
                    }
                    if !drift.is_finite() {
                        return Err(bad(f("drift"), "must be finite"));
                    }
                }
                PathKind::Jump {
                    vol,
                    jumps_per_day,
                    jump_std,
                    ..
                } => {
                    if !vol_ok(*vol) {
                        return Err(bad(f("vol"), "must be in [0, 5]"));
                    }
                    if !(0.0..=24.0).contains(jumps_per_day) {
                        return Err(bad(f("jumps_per_day"), "must be in [0, 24]"));
                    }
                    if !(0.0..=1.0).contains(jump_std) {
                        return Err(bad(f("jump_std"), "must be in [0, 1]"));
                    }
                }
                PathKind::Shape {
                    waypoints,
                    noise_vol,
                } => {
                    if waypoints.is_empty()
                        || waypoints.windows(2).any(|w| w[1].0 <= w[0].0)
                        || waypoints.iter().any(|w| w.1 <= -99.0 || w.1 > 1_000.0)
                    {
                        return Err(bad(
                            f("waypoints"),
                            "hours strictly increasing, changes in (-99, 1000] percent",
                        ));
                    }
                    if !vol_ok(*noise_vol) {
                        return Err(bad(f("noise_vol"), "must be in [0, 5]"));
                    }
                }
                PathKind::GapAtExpiry { gap_pct, vol } => {
                    if !(-95.0..=500.0).contains(gap_pct) {
                        return Err(bad(f("gap_pct"), "must be in [-95, 500]"));
                    }
                    if !vol_ok(*vol) {
                        return Err(bad(f("vol"), "must be in [0, 5]"));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
