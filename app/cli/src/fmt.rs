//! Display helpers: exact decimal rendering of fixed-point raw values for tables, and f64
//! conversions for JSON output (off-chain display only; nothing here feeds back into a
//! computation).

use greekhouse_risk::fixed::{pow10, FIXED18_EXP, FIXED_EXP};
use greekhouse_risk::{Fixed, Fixed18};

/// `10^exp` as a magnitude; display scales are at most 38 (an `i128` raw value has no more
/// digits), so a larger one is a caller's bug.
fn pow10_u128(exp: u32) -> u128 {
    pow10(exp)
        .expect("a display scale of at most 38 digits")
        .unsigned_abs()
}

/// `raw * 10^-scale` rendered exactly, rounded half away from zero to `decimals` places.
pub fn decimal(raw: i128, scale: u32, decimals: u32) -> String {
    let negative = raw < 0;
    let mut magnitude = raw.unsigned_abs();
    let shown_scale = if decimals < scale {
        let divisor = pow10_u128(scale - decimals);
        let (q, r) = (magnitude / divisor, magnitude % divisor);
        magnitude = if r >= divisor - r { q + 1 } else { q };
        decimals
    } else {
        scale
    };
    let unit = pow10_u128(shown_scale);
    let (int, frac) = (magnitude / unit, magnitude % unit);
    let sign = if negative && magnitude != 0 { "-" } else { "" };
    let mut out = format!("{sign}{int}");
    if decimals > 0 {
        let mut frac = if shown_scale == 0 {
            String::new()
        } else {
            format!("{frac:0width$}", width = shown_scale as usize)
        };
        frac.extend(std::iter::repeat_n('0', (decimals - shown_scale) as usize));
        out.push('.');
        out.push_str(&frac);
    }
    out
}

/// A `Fixed` with `decimals` places.
pub fn fixed(value: Fixed, decimals: u32) -> String {
    decimal(value.raw(), FIXED_EXP, decimals)
}

/// A `Fixed` with all its decimals, trailing zeros removed ("1.500000000000" -> "1.5").
pub fn trimmed(value: Fixed) -> String {
    let s = fixed(value, FIXED_EXP);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A `Fixed18` with `decimals` places.
pub fn fixed18(value: Fixed18, decimals: u32) -> String {
    decimal(value.raw(), FIXED18_EXP, decimals)
}

/// A `Fixed` as f64 (display only).
pub fn f64_of(value: Fixed) -> f64 {
    value.raw() as f64 / 1e12
}

/// A `Fixed18` as f64 (display only).
pub fn f64_of18(value: Fixed18) -> f64 {
    value.raw() as f64 / 1e18
}

/// Quote native units held in a `Fixed`, shown in whole quote units with `quote_decimals`
/// places (e.g. micro-USDC -> USDC with 6 decimals).
pub fn money(native: Fixed, quote_decimals: u32) -> String {
    decimal(native.raw(), FIXED_EXP + quote_decimals, quote_decimals)
}

/// Quote native units held in a `Fixed`, as f64 whole quote units (display only).
pub fn money_f64(native: Fixed, quote_decimals: u32) -> f64 {
    native.raw() as f64 / 10f64.powi((FIXED_EXP + quote_decimals) as i32)
}

/// Left-aligned first column, right-aligned others, two spaces apart.
pub fn table(rows: &[Vec<String>]) -> String {
    table_with(rows, false)
}

/// Like [`table`]; with `note_column` the last column is left-aligned free text.
pub fn table_with(rows: &[Vec<String>], note_column: bool) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c == 0 {
                line.push_str(&format!("{cell:<w$}", w = widths[0]));
            } else if note_column && c + 1 == columns {
                line.push_str(&format!("  {cell}"));
            } else {
                line.push_str(&format!("  {cell:>w$}", w = widths[c]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering() {
        assert_eq!(decimal(4_759_422_392_871, 12, 4), "4.7594");
        assert_eq!(decimal(-500_000_000_000, 12, 2), "-0.50");
        assert_eq!(decimal(-4_000_000_000, 12, 2), "0.00");
        assert_eq!(decimal(5_000_000_000, 12, 2), "0.01");
        assert_eq!(decimal(-5_000_000_000, 12, 2), "-0.01");
        assert_eq!(decimal(12, 0, 3), "12.000");
        assert_eq!(decimal(1, 12, 12), "0.000000000001");
        assert_eq!(decimal(999_999_999_999_999, 12, 2), "1000.00");
        assert_eq!(decimal(i128::MIN, 12, 0), "-170141183460469231731687304");
        assert_eq!(
            decimal(i128::MIN, 0, 0),
            "-170141183460469231731687303715884105728"
        );
        assert_eq!(decimal(7, 12, 0), "0");
    }
}
