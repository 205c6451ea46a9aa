//! Compute-unit limits for the transactions the SDK builds, sized from the measured cost of
//! the risk engine (`docs/performance.md`, `scripts/cu-bench.sh`) plus the program's own work.
//!
//! The non-risk-engine part is an allowance (account deserialisation, oracle parsing, token CPIs
//! and the event CPI) fixed before the program could be built to sBPF; the measured
//! per-instruction figures (`docs/performance.md`, `scripts/test-sbf.sh`) are all below these
//! limits. Re-fitting the allowances to them is still to do.
//! Each figure is rounded up and the total carries a 25 % margin; the limit only caps what
//! the transaction may use (and what a priority fee is charged on), so an overestimate costs
//! little and an underestimate fails the transaction.

/// Risk-engine units of one account's margin: a base per account plus a cost per position,
/// fitted above the measured sBPF figures (16 positions on 2 underlyings: 93,303 units).
pub const MARGIN_BASE_UNITS: u32 = 12_000;
pub const MARGIN_UNITS_PER_POSITION: u32 = 5_500;
/// Per underlying in a margin layout: loading the account and parsing and checking its oracle.
pub const UNITS_PER_UNDERLYING: u32 = 6_000;
/// Per collateral asset in a margin layout: loading the account.
pub const UNITS_PER_ASSET: u32 = 2_000;
/// A token transfer CPI (SPL Token or Token-2022).
pub const TOKEN_TRANSFER_UNITS: u32 = 8_000;
/// Instruction overhead: Anchor's account checks, the writer accounts' loads and the event CPI.
pub const INSTRUCTION_BASE_UNITS: u32 = 25_000;
/// The largest limit a transaction may ask for.
pub const MAX_UNITS: u32 = 1_400_000;

/// Risk-engine units of one margin computation of an account with `positions` shorts.
pub fn margin_units(positions: usize) -> u32 {
    MARGIN_BASE_UNITS + MARGIN_UNITS_PER_POSITION * positions as u32
}

/// The limit for an instruction that loads a layout of `underlyings` and `assets`, computes
/// margins of accounts with the given position counts and makes `transfers` token CPIs.
pub fn units(underlyings: usize, assets: usize, margins: &[usize], transfers: u32) -> u32 {
    let work = INSTRUCTION_BASE_UNITS
        + UNITS_PER_UNDERLYING * underlyings as u32
        + UNITS_PER_ASSET * assets as u32
        + margins.iter().map(|&p| margin_units(p)).sum::<u32>()
        + TOKEN_TRANSFER_UNITS * transfers;
    (work + work / 4).min(MAX_UNITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bid_fits_one_transaction() {
        // two full accounts on 8 underlyings and 8 assets: three margin computations
        let u = units(8, 8, &[16, 16, 32], 1);
        assert!(u < MAX_UNITS, "{u}");
        assert!(margin_units(16) > 93_303);
    }
}
