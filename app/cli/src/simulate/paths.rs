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

/// The price at every step (`steps + 1` values, the first `start`), with `step_hours` per step;
/// `first_expiry_hours` places a gap-at-expiry.
pub fn path(
    kind: &PathKind,
    start: f64,
    steps: usize,
    step_hours: f64,
    first_expiry_hours: f64,
    rng: &mut Rng,
) -> Vec<f64> {
    let dt = step_hours / (365.0 * 24.0);
    let mut out = Vec::with_capacity(steps + 1);
    out.push(start);
    let mut log_s = start.ln();
    for i in 1..=steps {
        let t_hours = i as f64 * step_hours;
        match kind {
            PathKind::Gbm { drift, vol } => {
                log_s += (drift - vol * vol / 2.0) * dt + vol * dt.sqrt() * rng.normal();
            }
            PathKind::Jump {
                drift,
                vol,
                jumps_per_day,
                jump_mean,
                jump_std,
            } => {
                log_s += (drift - vol * vol / 2.0) * dt + vol * dt.sqrt() * rng.normal();
                for _ in 0..rng.poisson(jumps_per_day * step_hours / 24.0) {
                    log_s += jump_mean + jump_std * rng.normal();
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
                let drift = target(t_hours) - target(t_hours - step_hours);
                log_s += drift + noise_vol * dt.sqrt() * rng.normal();
            }
            PathKind::GapAtExpiry { gap_pct, vol } => {
                log_s += -vol * vol / 2.0 * dt + vol * dt.sqrt() * rng.normal();
                let prev = t_hours - step_hours;
                if prev < first_expiry_hours && t_hours >= first_expiry_hours {
                    log_s += (1.0 + gap_pct / 100.0).ln();
                }
            }
        }
        out.push(log_s.exp());
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
}
