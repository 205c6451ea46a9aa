//! Intervals for the report: Wilson's score interval for proportions, a normal interval for
//! means (95 %).

use serde::{Deserialize, Serialize};

const Z95: f64 = 1.959_963_984_540_054;

/// An estimate with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Estimate {
    /// `value [lo, hi]` with `scale` applied and `digits` decimals.
    pub fn show(&self, scale: f64, digits: usize) -> String {
        format!(
            "{:.d$} [{:.d$}, {:.d$}]",
            self.value * scale,
            self.lo * scale,
            self.hi * scale,
            d = digits
        )
    }
}

/// Wilson's score interval for `k` successes in `n` trials.
pub fn wilson(k: usize, n: usize) -> Estimate {
    if n == 0 {
        return Estimate {
            value: 0.0,
            lo: 0.0,
            hi: 1.0,
        };
    }
    let (none, all) = (k == 0, k == n);
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Estimate {
        value: p,
        lo: if none { 0.0 } else { (centre - half).max(0.0) },
        hi: if all { 1.0 } else { (centre + half).min(1.0) },
    }
}

/// The mean of `xs` with a normal 95 % interval (`1.96 x` the standard error).
pub fn mean(xs: &[f64]) -> Estimate {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return Estimate {
            value: 0.0,
            lo: 0.0,
            hi: 0.0,
        };
    }
    let m = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let half = Z95 * (var / n).sqrt();
    Estimate {
        value: m,
        lo: m - half,
        hi: m + half,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_known_values_and_stays_inside_0_1() {
        // 10 of 100: [0.0552, 0.1744] (Wilson 1927; Newcombe 1998, table I)
        let e = wilson(10, 100);
        assert!(
            (e.lo - 0.0552).abs() < 5e-4 && (e.hi - 0.1744).abs() < 5e-4,
            "{e:?}"
        );
        let zero = wilson(0, 100);
        assert_eq!(zero.lo, 0.0);
        assert!((zero.hi - 0.0370).abs() < 5e-4, "{zero:?}");
        let all = wilson(3, 3);
        assert_eq!(all.hi, 1.0);
        assert!(all.lo > 0.4 && all.lo < 0.5, "{all:?}");
    }

    #[test]
    fn a_mean_interval_shrinks_with_the_sample() {
        let small = mean(&[1.0, 3.0]);
        assert_eq!(small.value, 2.0);
        let big: Vec<f64> = (0..200)
            .map(|i| if i % 2 == 0 { 1.0 } else { 3.0 })
            .collect();
        let big = mean(&big);
        assert_eq!(big.value, 2.0);
        assert!(big.hi - big.lo < small.hi - small.lo);
        assert_eq!(mean(&[5.0]).lo, 5.0);
    }
}
