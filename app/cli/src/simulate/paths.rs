//! Price paths, reproducible from a seed: a ChaCha8 stream (`rand_chacha`) and the normal and
//! Poisson distributions of `rand_distr`. The simulator's own randomness, off chain; the
//! program only ever sees the resulting prices.

use rand::{Rng as _, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

use super::config::PathKind;

/// The simulator's random stream.
pub struct Rng(ChaCha8Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.0)
    }

    /// Poisson count with mean `lambda` (0 for a non-positive mean).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        match Poisson::new(lambda) {
            Ok(p) => p.sample(&mut self.0) as u64,
            Err(_) => 0,
        }
    }
}

/// One path (the first of [`paths`] with a perfectly correlated twin): the price at every step
/// (`steps + 1` values, the first `start`), with `step_hours` per step; `first_expiry_hours`
/// places a gap-at-expiry.
#[cfg(test)]
pub fn path(
    kind: &PathKind,
    start: f64,
    steps: usize,
    step_hours: f64,
    first_expiry_hours: f64,
    rng: &mut Rng,
) -> Vec<f64> {
    let [first, _] = paths(
        kind,
        [start, start],
        steps,
        step_hours,
        first_expiry_hours,
        &Pair {
            correlation: 1.0,
            ratio: 1.0,
        },
        rng,
    );
    first
}

/// How the second underlying follows the first: the correlation of their Gaussian shocks, and
/// the size of its moves relative to the first's (noise vols, drifts, jump sizes, a shape's and a
/// gap's log moves are scaled by `ratio`).
pub struct Pair {
    pub correlation: f64,
    pub ratio: f64,
}

/// Two price paths (SOL first, BTC second) from `starts`, under the same scenario: each step's
/// Gaussian shocks are correlated by `pair.correlation`, and jumps, shapes and gaps hit both,
/// the second scaled by `pair.ratio`.
pub fn paths(
    kind: &PathKind,
    starts: [f64; 2],
    steps: usize,
    step_hours: f64,
    first_expiry_hours: f64,
    pair: &Pair,
    rng: &mut Rng,
) -> [Vec<f64>; 2] {
    let dt = step_hours / (365.0 * 24.0);
    let mut out = [Vec::with_capacity(steps + 1), Vec::with_capacity(steps + 1)];
    let mut log_s = [starts[0].ln(), starts[1].ln()];
    let scale = [1.0, pair.ratio];
    let rho = pair.correlation.clamp(-1.0, 1.0);
    for (o, s) in out.iter_mut().zip(starts) {
        o.push(s);
    }
    for i in 1..=steps {
        let t_hours = i as f64 * step_hours;
        let z1 = rng.normal();
        let z = [z1, rho * z1 + (1.0 - rho * rho).sqrt() * rng.normal()];
        // the log move common to both (jumps, the shape's line, the gap), before scaling
        let mut common = 0.0;
        let mut noise = [0.0; 2];
        match kind {
            PathKind::Gbm { drift, vol } => {
                for u in 0..2 {
                    let v = vol * scale[u];
                    noise[u] = (drift * scale[u] - v * v / 2.0) * dt + v * dt.sqrt() * z[u];
                }
            }
            PathKind::Jump {
                drift,
                vol,
                jumps_per_day,
                jump_mean,
                jump_std,
            } => {
                for u in 0..2 {
                    let v = vol * scale[u];
                    noise[u] = (drift * scale[u] - v * v / 2.0) * dt + v * dt.sqrt() * z[u];
                }
                for _ in 0..rng.poisson(jumps_per_day * step_hours / 24.0) {
                    common += jump_mean + jump_std * rng.normal();
                }
            }
            PathKind::Shape {
                waypoints,
                noise_vol,
            } => {
                let target = |h: f64| -> f64 {
                    let pct = match waypoints.iter().position(|w| w.0 >= h) {
                        None => waypoints.last().map(|w| w.1).unwrap_or(0.0),
                        Some(0) => waypoints[0].1,
                        Some(k) => {
                            let (a, b) = (waypoints[k - 1], waypoints[k]);
                            a.1 + (b.1 - a.1) * (h - a.0) / (b.0 - a.0)
                        }
                    };
                    (1.0 + pct / 100.0).ln()
                };
                common = target(t_hours) - target(t_hours - step_hours);
                for u in 0..2 {
                    noise[u] = noise_vol * scale[u] * dt.sqrt() * z[u];
                }
            }
            PathKind::GapAtExpiry { gap_pct, vol } => {
                for u in 0..2 {
                    let v = vol * scale[u];
                    noise[u] = -v * v / 2.0 * dt + v * dt.sqrt() * z[u];
                }
                let prev = t_hours - step_hours;
                if prev < first_expiry_hours && t_hours >= first_expiry_hours {
                    common = (1.0 + gap_pct / 100.0).ln();
                }
            }
        }
        for u in 0..2 {
            log_s[u] += noise[u] + common * scale[u];
            out[u].push(log_s[u].exp());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_reproduces_its_path_and_a_shape_follows_its_waypoints() {
        let k = PathKind::Gbm {
            drift: 0.0,
            vol: 0.8,
        };
        let a = path(&k, 150.0, 100, 1.0, 48.0, &mut Rng::new(7));
        let b = path(&k, 150.0, 100, 1.0, 48.0, &mut Rng::new(7));
        assert_eq!(a, b);
        let shape = PathKind::Shape {
            waypoints: vec![(0.0, 0.0), (6.0, -40.0)],
            noise_vol: 0.0,
        };
        let p = path(&shape, 100.0, 12, 1.0, 48.0, &mut Rng::new(1));
        assert!((p[6] - 60.0).abs() < 1e-6, "{}", p[6]);
        assert!((p[12] - 60.0).abs() < 1e-6);
    }

    #[test]
    fn a_pair_is_correlated_as_asked_and_the_second_moves_by_its_ratio() {
        let k = PathKind::Gbm {
            drift: 0.0,
            vol: 0.8,
        };
        let pair = Pair {
            correlation: 0.7,
            ratio: 0.5,
        };
        let [a, b] = paths(
            &k,
            [150.0, 90_000.0],
            20_000,
            1.0,
            48.0,
            &pair,
            &mut Rng::new(5),
        );
        let ra: Vec<f64> = a.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        let rb: Vec<f64> = b.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        let (ma, mb) = (mean(&ra), mean(&rb));
        let cov: f64 = ra
            .iter()
            .zip(&rb)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>();
        let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum::<f64>();
        let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum::<f64>();
        let corr = cov / (va * vb).sqrt();
        assert!((corr - 0.7).abs() < 0.03, "{corr}");
        assert!(((vb / va).sqrt() - 0.5).abs() < 0.02);
        // a shape moves the second by its ratio of the first's log move
        let shape = PathKind::Shape {
            waypoints: vec![(0.0, 0.0), (6.0, -40.0)],
            noise_vol: 0.0,
        };
        let [s, t] = paths(
            &shape,
            [100.0, 100.0],
            6,
            1.0,
            48.0,
            &pair,
            &mut Rng::new(1),
        );
        assert!((s[6] - 60.0).abs() < 1e-6);
        assert!((t[6] - 100.0 * 0.6f64.powf(0.5)).abs() < 1e-6, "{}", t[6]);
    }
}
