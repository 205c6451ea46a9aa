//! Transcendental functions on [`Fixed`]: exp, ln, sqrt, standard normal pdf and cdf.
//!
//! API CONTRACT (stubs). Accuracy target: absolute error well below 1e-10 over the argument
//! ranges Black-Scholes needs (see `docs/risk-model.md`).

use crate::{Fixed, RiskResult};

/// e^x. Underflows to zero for very negative x; `Overflow` when the result does not fit.
pub fn exp(_x: Fixed) -> RiskResult<Fixed> {
    todo!()
}
/// Natural log; `DomainError` for x <= 0.
pub fn ln(_x: Fixed) -> RiskResult<Fixed> {
    todo!()
}
/// Square root, rounded down; `DomainError` for x < 0.
pub fn sqrt(_x: Fixed) -> RiskResult<Fixed> {
    todo!()
}
/// Standard normal density phi(x).
pub fn norm_pdf(_x: Fixed) -> RiskResult<Fixed> {
    todo!()
}
/// Standard normal cumulative distribution N(x), in [0, 1].
pub fn norm_cdf(_x: Fixed) -> RiskResult<Fixed> {
    todo!()
}
