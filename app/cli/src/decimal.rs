//! Exact decimal-string parsing into fixed point. No floating point on the input path: `0.1` is
//! exactly 10^11 raw units of `Fixed`, not the nearest binary fraction.
//!
//! Accepted syntax: optional sign, digits with an optional decimal point (at least one digit),
//! optional exponent (`1.5e3`, `2E-4`). Surrounding whitespace is ignored. No separators, no
//! `inf`/`nan`, no hexadecimal. JSON numbers and JSON strings holding such a number are both
//! accepted by [`from_json_raw`].

use std::fmt;

use greekhouse_risk::fixed::FIXED_EXP;
use greekhouse_risk::Fixed;

/// Why a decimal was refused. Messages are phrased to follow "field `x`: ".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecimalError {
    Empty,
    Syntax(String),
    /// More decimal places than the target precision holds.
    TooPrecise {
        text: String,
        max_decimals: i32,
    },
    TooLarge(String),
    NotANumber(String),
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalError::Empty => write!(f, "empty value, expected a decimal number"),
            DecimalError::Syntax(t) => write!(f, "\"{t}\" is not a decimal number"),
            DecimalError::TooPrecise { text, max_decimals } if *max_decimals <= 0 => {
                write!(
                    f,
                    "\"{text}\" must be a whole multiple of 10^{}",
                    -max_decimals
                )
            }
            DecimalError::TooPrecise { text, max_decimals } => {
                write!(f, "\"{text}\" has more than {max_decimals} decimal places")
            }
            DecimalError::TooLarge(t) => write!(f, "\"{t}\" is too large"),
            DecimalError::NotANumber(t) => {
                write!(f, "expected a number or a decimal string, got {t}")
            }
        }
    }
}

impl std::error::Error for DecimalError {}

/// A decimal exactly as written: `(-1)^negative * mantissa * 10^exp10`, mantissa without
/// trailing zeros (so the number of decimals it needs is `-exp10` when that is positive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    text: String,
    negative: bool,
    mantissa: u128,
    exp10: i32,
}

/// Largest exponent accepted in the text (far beyond anything representable; keeps the
/// arithmetic below trivially in range).
const MAX_EXP: i64 = 10_000;

impl Decimal {
    pub fn parse(input: &str) -> Result<Decimal, DecimalError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(DecimalError::Empty);
        }
        let syntax = || DecimalError::Syntax(text.to_string());
        let (negative, rest) = match text.as_bytes()[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (number, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let (int_part, frac_part) = match number.find('.') {
            Some(i) => (&number[..i], &number[i + 1..]),
            None => (number, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
        {
            return Err(syntax());
        }
        let mut exp10: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) || digits.len() > 6 {
                    return Err(syntax());
                }
                let v: i64 = digits.parse().map_err(|_| syntax())?;
                if v > MAX_EXP {
                    return Err(syntax());
                }
                if e.starts_with('-') {
                    -v
                } else {
                    v
                }
            }
        };
        exp10 -= frac_part.len() as i64;
        // significant digits: strip leading zeros, move trailing zeros into the exponent
        let digits: String = format!("{int_part}{frac_part}");
        let digits = digits.trim_start_matches('0');
        let trimmed = digits.trim_end_matches('0');
        exp10 += (digits.len() - trimmed.len()) as i64;
        if trimmed.len() > 38 {
            return Err(DecimalError::TooLarge(text.to_string()));
        }
        let mantissa: u128 = if trimmed.is_empty() {
            0
        } else {
            trimmed.parse().map_err(|_| syntax())?
        };
        if mantissa == 0 {
            exp10 = 0;
        }
        Ok(Decimal {
            text: text.to_string(),
            negative: negative && mantissa != 0,
            mantissa,
            exp10: exp10 as i32,
        })
    }

    /// The text as written (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `value * 10^scale` as an exact integer; refuses a value that needs more than `scale`
    /// decimals or does not fit an i128.
    pub fn to_scaled(&self, scale: i32) -> Result<i128, DecimalError> {
        if self.mantissa == 0 {
            return Ok(0);
        }
        let e = self.exp10 as i64 + scale as i64;
        if e < 0 {
            // the mantissa has no trailing zero, so the value is not a whole number of units
            return Err(DecimalError::TooPrecise {
                text: self.text.clone(),
                max_decimals: scale,
            });
        }
        let too_large = || DecimalError::TooLarge(self.text.clone());
        let factor = greekhouse_risk::fixed::pow10(u32::try_from(e).map_err(|_| too_large())?)
            .ok_or_else(too_large)?
            .unsigned_abs();
        let magnitude = self.mantissa.checked_mul(factor).ok_or_else(too_large)?;
        let magnitude = i128::try_from(magnitude).map_err(|_| too_large())?;
        Ok(if self.negative { -magnitude } else { magnitude })
    }

    /// Exactly as a [`Fixed`] (12 decimals).
    pub fn to_fixed(&self) -> Result<Fixed, DecimalError> {
        self.to_scaled(FIXED_EXP as i32).map(Fixed::from_raw)
    }

    /// `value * 10^shift` exactly as a [`Fixed`] (unit conversions such as USDC to micro-USDC).
    pub fn to_fixed_shifted(&self, shift: i32) -> Result<Fixed, DecimalError> {
        self.to_scaled(FIXED_EXP as i32 + shift)
            .map(Fixed::from_raw)
    }
}

/// Parses a JSON value's raw text: a JSON number literal, or a JSON string holding a decimal.
pub fn from_json_raw(raw: &str) -> Result<Decimal, DecimalError> {
    let raw = raw.trim();
    if raw.starts_with('"') {
        let s: String =
            serde_json::from_str(raw).map_err(|_| DecimalError::NotANumber(raw.to_string()))?;
        Decimal::parse(&s)
    } else if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        Decimal::parse(raw)
    } else {
        Err(DecimalError::NotANumber(raw.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(s: &str) -> i128 {
        Decimal::parse(s).unwrap().to_fixed().unwrap().raw()
    }

    #[test]
    fn exact_values() {
        assert_eq!(fixed("0.1"), 100_000_000_000);
        assert_eq!(fixed("42"), 42_000_000_000_000);
        assert_eq!(fixed("-1.5"), -1_500_000_000_000);
        assert_eq!(fixed("+.5"), 500_000_000_000);
        assert_eq!(fixed("5."), 5_000_000_000_000);
        assert_eq!(fixed("1e-12"), 1);
        assert_eq!(fixed("1.25E2"), 125_000_000_000_000);
        assert_eq!(fixed("0.000000000001000"), 1);
        assert_eq!(fixed("-0"), 0);
        assert_eq!(fixed("000123.4500"), 123_450_000_000_000);
        assert_eq!(fixed("12e0"), 12_000_000_000_000);
    }

    #[test]
    fn refusals() {
        for bad in [
            "", " ", "abc", "1.2.3", "1,5", "--1", "1e", "e5", ".", "-", "inf", "NaN", "0x10",
            "1 2", "1e+",
        ] {
            assert!(Decimal::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(matches!(
            Decimal::parse("0.0000000000001").unwrap().to_fixed(),
            Err(DecimalError::TooPrecise { .. })
        ));
        assert!(matches!(
            Decimal::parse("1e30").unwrap().to_fixed(),
            Err(DecimalError::TooLarge(_))
        ));
        assert!(matches!(
            Decimal::parse("1e9999").unwrap().to_fixed(),
            Err(DecimalError::TooLarge(_))
        ));
        assert!(Decimal::parse("1e-9999").unwrap().to_fixed().is_err());
        assert_eq!(
            Decimal::parse("0e-9999").unwrap().to_fixed().unwrap().raw(),
            0
        );
    }

    #[test]
    fn shifted_and_json() {
        // 150.25 USDC per SOL = 0.15025 micro-USDC per lamport (shift 6 - 9 = -3)
        assert_eq!(
            Decimal::parse("150.25")
                .unwrap()
                .to_fixed_shifted(-3)
                .unwrap()
                .raw(),
            150_250_000_000
        );
        assert_eq!(
            Decimal::parse("2.5").unwrap().to_scaled(6).unwrap(),
            2_500_000
        );
        assert!(Decimal::parse("2.5000001").unwrap().to_scaled(6).is_err());
        assert_eq!(
            from_json_raw("\"0.2\"").unwrap().to_fixed().unwrap().raw(),
            200_000_000_000
        );
        assert_eq!(
            from_json_raw("0.2").unwrap().to_fixed().unwrap().raw(),
            200_000_000_000
        );
        assert!(from_json_raw("true").is_err());
        assert!(from_json_raw("null").is_err());
        assert!(from_json_raw("{}").is_err());
    }
}
