//! The engine layer: handlers call these to change state; these call the pure risk math in
//! `greekhouse-risk`.

pub mod convert;
pub mod margin;
pub mod pricing;
pub mod tokens;
