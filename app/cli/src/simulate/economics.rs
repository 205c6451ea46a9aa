//! The insurance fund's economics over a regime mix: each scenario is a stratum of runs with a
//! weight (its share of the year's periods of `days`). Stratified means with their standard
//! errors for returns and rates; the break-even writing fee from the runs' own figures, with a
//! stratified bootstrap for its interval. Nothing here is a rule of the program: every input is
//! a figure a run read from the program's events and accounts.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::stats::Estimate;

const Z95: f64 = 1.959_963_984_540_054;

/// What the economics need of one run (USDC, and the run's outcome).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunFigures {
    /// What the fund paid: (a) + (b) + (c).
    pub paid: f64,
    pub liquidation_fees: f64,
    /// Writing fees charged at today's fee.
    pub write_fees: f64,
    /// The fund's lowest balance and its start.
    pub fund_min: f64,
    pub fund_start: f64,
    pub stakers_return: f64,
}

impl RunFigures {
    /// Exhausted: the balance at 1 % of its start or less at some step (as the risk table).
    pub fn exhausted(&self) -> bool {
        self.fund_start > 0.0 && self.fund_min <= 0.01 * self.fund_start
    }

    /// The writing fee, as a multiple of today's, that would just have kept this run's fund
    /// above 1 % of its start: each extra unit of fee adds `write_fees` to the fund before any
    /// loss (every book is written at the start of a run; writers do not react to the fee).
    /// Below 1 for a run that was not exhausted; `INFINITY` for one without writing fees.
    pub fn fee_multiple_to_survive(&self) -> f64 {
        let need = 0.01 * self.fund_start - self.fund_min;
        if self.write_fees <= 0.0 {
            return if need < 0.0 { 0.0 } else { f64::INFINITY };
        }
        1.0 + need / self.write_fees
    }
}

/// One scenario's runs and its weight in the mix.
#[derive(Debug, Clone)]
pub struct Stratum {
    pub name: String,
    pub weight: f64,
    pub runs: Vec<RunFigures>,
}

/// Weights normalised over the strata with runs.
fn weights(strata: &[Stratum]) -> Vec<f64> {
    let total: f64 = strata
        .iter()
        .filter(|s| !s.runs.is_empty())
        .map(|s| s.weight)
        .sum();
    strata
        .iter()
        .map(|s| {
            if s.runs.is_empty() || total <= 0.0 {
                0.0
            } else {
                s.weight / total
            }
        })
        .collect()
}

/// The mix's mean of `f` with a normal 95 % interval: `sum w_s mean_s`, standard error
/// `sqrt(sum w_s^2 var_s / n_s)`.
pub fn mix_mean(strata: &[Stratum], f: &dyn Fn(&RunFigures) -> f64) -> Estimate {
    let (mut m, mut var) = (0.0, 0.0);
    for (s, w) in strata.iter().zip(weights(strata)) {
        if w == 0.0 {
            continue;
        }
        let xs: Vec<f64> = s.runs.iter().map(f).collect();
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let v = if xs.len() > 1 {
            xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        m += w * mean;
        var += w * w * v / n;
    }
    let half = Z95 * var.sqrt();
    Estimate {
        value: m,
        lo: m - half,
        hi: m + half,
    }
}

/// The mix's rate of `f` with a 95 % interval: the stratified share, its standard error from
/// each stratum's Agresti-Coull share (`(k + 2) / (n + 4)`, so a stratum with no event still
/// counts its uncertainty), clipped to [0, 1].
pub fn mix_rate(strata: &[Stratum], f: &dyn Fn(&RunFigures) -> bool) -> Estimate {
    let (mut p, mut var) = (0.0, 0.0);
    for (s, w) in strata.iter().zip(weights(strata)) {
        if w == 0.0 {
            continue;
        }
        let n = s.runs.len() as f64;
        let k = s.runs.iter().filter(|r| f(r)).count() as f64;
        let adjusted = (k + 2.0) / (n + 4.0);
        p += w * k / n;
        var += w * w * adjusted * (1.0 - adjusted) / (n + 4.0);
    }
    let half = Z95 * var.sqrt();
    Estimate {
        value: p,
        lo: (p - half).max(0.0),
        hi: (p + half).min(1.0),
    }
}

/// A per-period rate or return over a year of periods of `days`: `1 - (1 - p)^(365 / days)`
/// for a probability, `(1 + r)^(365 / days) - 1` for a return; monotone, so an interval maps
/// through it.
pub fn annualise_probability(p: &Estimate, days: f64) -> Estimate {
    let f = |x: f64| 1.0 - (1.0 - x.clamp(0.0, 1.0)).powf(365.0 / days);
    Estimate {
        value: f(p.value),
        lo: f(p.lo),
        hi: f(p.hi),
    }
}

pub fn annualise_return(r: &Estimate, days: f64) -> Estimate {
    let f = |x: f64| (1.0 + x).max(0.0).powf(365.0 / days) - 1.0;
    Estimate {
        value: f(r.value),
        lo: f(r.lo),
        hi: f(r.hi),
    }
}

/// The writing fee (a multiple of today's) at which the mix's expected inflows, writing and
/// liquidation fees, equal the fund's expected payments; `None` without writing fees.
pub fn expected_break_even(strata: &[Stratum]) -> Option<f64> {
    let paid = mix_mean(strata, &|r| r.paid - r.liquidation_fees).value;
    let fees = mix_mean(strata, &|r| r.write_fees).value;
    (fees > 0.0).then(|| paid.max(0.0) / fees)
}

/// The smallest writing fee (a multiple of today's) at which the mix's share of exhausted runs
/// is at most `target`: a weighted quantile of the runs' [`RunFigures::fee_multiple_to_survive`].
/// `INFINITY` when no fee gets there (runs without writing fees exhausted).
pub fn fee_at_target(strata: &[Stratum], target: f64) -> f64 {
    let mut needs: Vec<(f64, f64)> = Vec::new();
    for (s, w) in strata.iter().zip(weights(strata)) {
        if w == 0.0 {
            continue;
        }
        let n = s.runs.len() as f64;
        needs.extend(s.runs.iter().map(|r| (r.fee_multiple_to_survive(), w / n)));
    }
    // from the most demanding run down: the fee must cover every run but a `target` share
    needs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut left_out = 0.0;
    for (need, w) in &needs {
        if left_out + w > target + 1e-12 {
            return need.max(0.0);
        }
        left_out += w;
    }
    0.0
}

/// The break-even writing fee: the larger of the expected break-even and the fee at the target
/// exhaustion rate (what both pays the expected losses and keeps the tail at the target), as a
/// multiple of today's fee.
pub fn break_even(strata: &[Stratum], target: f64) -> f64 {
    expected_break_even(strata)
        .unwrap_or(f64::INFINITY)
        .max(fee_at_target(strata, target))
}

/// A 95 % percentile interval of `stat` by a stratified bootstrap (each stratum's runs
/// resampled with replacement, `resamples` times, a seeded ChaCha8 stream).
pub fn bootstrap(
    strata: &[Stratum],
    resamples: usize,
    seed: u64,
    stat: &dyn Fn(&[Stratum]) -> f64,
) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut values: Vec<f64> = (0..resamples)
        .map(|_| {
            let resampled: Vec<Stratum> = strata
                .iter()
                .map(|s| Stratum {
                    name: s.name.clone(),
                    weight: s.weight,
                    runs: (0..s.runs.len())
                        .map(|_| s.runs[rng.random_range(0..s.runs.len())])
                        .collect(),
                })
                .collect();
            stat(&resampled)
        })
        .collect();
    values.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.025), at(0.975))
}

/// The mix's economics for the report.
#[derive(Debug, Clone, Serialize)]
pub struct MixEconomics {
    /// Scenario weights as used (normalised over the scenarios run).
    pub weights: Vec<(String, f64)>,
    pub days: f64,
    pub exhaustion_target: f64,
    pub write_fee_bps: f64,
    /// Per period of `days`, and over a year of such periods.
    pub exhaustion_rate: Estimate,
    pub exhaustion_rate_annual: Estimate,
    pub stakers_return: Estimate,
    pub stakers_return_annual: Estimate,
    pub paid: Estimate,
    pub inflows: Estimate,
    /// Writing fees in bps (bootstrap intervals); `None` when no fee gets there.
    pub expected_break_even_bps: Option<Estimate>,
    pub fee_at_target_bps: Option<Estimate>,
    pub break_even_bps: Option<Estimate>,
}

fn bps_estimate(
    strata: &[Stratum],
    fee_bps: f64,
    stat: &dyn Fn(&[Stratum]) -> f64,
) -> Option<Estimate> {
    let value = stat(strata);
    if !value.is_finite() {
        return None;
    }
    let (lo, hi) = bootstrap(strata, 400, 0xfee5, stat);
    Some(Estimate {
        value: value * fee_bps,
        lo: lo * fee_bps,
        hi: hi * fee_bps,
    })
}

pub fn mix_economics(strata: &[Stratum], days: f64, target: f64, fee_bps: f64) -> MixEconomics {
    let exhaustion_rate = mix_rate(strata, &|r| r.exhausted());
    let stakers_return = mix_mean(strata, &|r| r.stakers_return);
    MixEconomics {
        weights: strata
            .iter()
            .zip(weights(strata))
            .map(|(s, w)| (s.name.clone(), w))
            .collect(),
        days,
        exhaustion_target: target,
        write_fee_bps: fee_bps,
        exhaustion_rate_annual: annualise_probability(&exhaustion_rate, days),
        exhaustion_rate,
        stakers_return_annual: annualise_return(&stakers_return, days),
        stakers_return,
        paid: mix_mean(strata, &|r| r.paid),
        inflows: mix_mean(strata, &|r| r.write_fees + r.liquidation_fees),
        expected_break_even_bps: bps_estimate(strata, fee_bps, &|s| {
            expected_break_even(s).unwrap_or(f64::INFINITY)
        }),
        fee_at_target_bps: bps_estimate(strata, fee_bps, &|s| fee_at_target(s, target)),
        break_even_bps: bps_estimate(strata, fee_bps, &|s| break_even(s, target)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(paid: f64, fund_min: f64) -> RunFigures {
        RunFigures {
            paid,
            liquidation_fees: 0.0,
            write_fees: 100.0,
            fund_min,
            fund_start: 1_000.0,
            stakers_return: (100.0 - paid) / 1_000.0,
        }
    }

    fn strata() -> Vec<Stratum> {
        vec![
            Stratum {
                name: "calm".into(),
                weight: 9.0,
                runs: vec![run(0.0, 1_000.0); 10],
            },
            Stratum {
                name: "crash".into(),
                weight: 1.0,
                // one run in ten exhausts the fund (its lowest balance 0, 10 short of 1 %)
                runs: (0..10)
                    .map(|i| {
                        if i == 0 {
                            run(1_200.0, 0.0)
                        } else {
                            run(500.0, 500.0)
                        }
                    })
                    .collect(),
            },
        ]
    }

    #[test]
    fn a_mix_weights_its_scenarios() {
        let s = strata();
        let p = mix_rate(&s, &|r| r.exhausted());
        assert!((p.value - 0.01).abs() < 1e-12, "{p:?}");
        assert!(p.lo >= 0.0 && p.hi > p.value);
        let paid = mix_mean(&s, &|r| r.paid);
        // 0.1 x (1,200 + 9 x 500) / 10
        assert!((paid.value - 57.0).abs() < 1e-9, "{paid:?}");
        let year = annualise_probability(&p, 7.0);
        assert!((year.value - (1.0 - 0.99f64.powf(365.0 / 7.0))).abs() < 1e-12);
    }

    #[test]
    fn the_break_even_fee_pays_the_expected_loss_and_holds_the_tail_at_the_target() {
        let s = strata();
        // expected payments 57 a run against 100 of writing fees: 0.57 of today's fee
        assert!((expected_break_even(&s).unwrap() - 0.57).abs() < 1e-9);
        // the crash run needs 10 more than its fund had: 1.1 x today's fee
        assert!((s[1].runs[0].fee_multiple_to_survive() - 1.1).abs() < 1e-9);
        // a 1 % target leaves that run (1 % of the mix) out; 0.5 % does not
        assert!(fee_at_target(&s, 0.01) < 1.0);
        assert!((fee_at_target(&s, 0.005) - 1.1).abs() < 1e-9);
        assert!((break_even(&s, 0.005) - 1.1).abs() < 1e-9);
        let (lo, hi) = bootstrap(&s, 200, 1, &|x| expected_break_even(x).unwrap());
        assert!(lo <= 0.57 && 0.57 <= hi, "{lo} {hi}");
    }
}
