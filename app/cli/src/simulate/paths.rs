//! Price paths, reproducible from a seed (a small xorshift generator and Box-Muller normals:
//! the simulator's own randomness, off chain; the program only ever sees the resulting prices).

use super::config::PathKind;

/// xorshift64* with a SplitMix64-seeded state.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Self((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
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
                if rng.uniform() < jumps_per_day * step_hours / 24.0 {
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
