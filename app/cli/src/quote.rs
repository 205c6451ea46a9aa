//! `greekhouse quote`: Black-Scholes price and Greeks of one option, or of a batch of JSON lines
//! read from stdin. Inputs are parsed exactly into fixed point; the engine does the math.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use greekhouse_risk::fixed::FIXED_ONE;
use greekhouse_risk::{american, bs, BsInput, Fixed, Greeks, OptionKind, RiskError, Rounding};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::decimal::{self, Decimal};
use crate::fmt;

#[derive(Args, Debug)]
#[command(
    after_help = "Numbers are decimals (parsed exactly); vol and rate are fractions (0.2 = 20 %).\n\
A day is 86,400 s and a year 365 days. Theta is per year of calendar time, vega per 1.00 of vol.\n\
Batch mode reads one JSON object per line from stdin, e.g.\n  \
{\"kind\":\"call\",\"spot\":42,\"strike\":40,\"vol\":0.2,\"days\":182.5,\"rate\":0.1}\n\
and writes one JSON object per line (see docs/cli.md)."
)]
pub struct QuoteArgs {
    /// Option kind.
    #[arg(long, value_enum, required_unless_present = "batch")]
    pub kind: Option<Kind>,
    /// Spot price of the underlying (any price unit).
    #[arg(long, required_unless_present = "batch", allow_hyphen_values = true)]
    pub spot: Option<String>,
    /// Strike, in the unit of the spot.
    #[arg(long, required_unless_present = "batch", allow_hyphen_values = true)]
    pub strike: Option<String>,
    /// Volatility as a fraction per sqrt(year) (0.2 = 20 %).
    #[arg(long, required_unless_present = "batch", allow_hyphen_values = true)]
    pub vol: Option<String>,
    /// Days to expiry (fractional allowed; 0 = at expiry: intrinsic value).
    #[arg(long, required_unless_present = "batch", allow_hyphen_values = true)]
    pub days: Option<String>,
    /// Continuously compounded rate as a fraction (default 0).
    #[arg(long, allow_hyphen_values = true)]
    pub rate: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// American exercise: the price is the risk engine's American price (a 64-step tree for a
    /// put with rate > 0; the European price otherwise, which it then equals). Also with --batch.
    #[arg(long)]
    pub american: bool,
    /// Read JSON lines {"kind","spot","strike","vol","days","rate"} from stdin, write one JSON
    /// object per line; a bad line gets {"error","field","line"} and the exit code is 1.
    #[arg(long, conflicts_with_all = ["kind", "spot", "strike", "vol", "days", "rate"])]
    pub batch: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Call,
    Put,
}

impl From<Kind> for OptionKind {
    fn from(k: Kind) -> OptionKind {
        match k {
            Kind::Call => OptionKind::Call,
            Kind::Put => OptionKind::Put,
        }
    }
}

/// A validated quote request.
#[derive(Clone, Copy, Debug)]
pub struct QuoteRequest {
    pub kind: OptionKind,
    pub spot: Fixed,
    pub strike: Fixed,
    pub vol: Fixed,
    pub days: Fixed,
    pub rate: Fixed,
}

/// An input problem, naming the field when there is one.
#[derive(Clone, Debug)]
pub struct QuoteError {
    pub field: Option<&'static str>,
    pub message: String,
}

impl QuoteError {
    fn field(field: &'static str, message: impl Into<String>) -> Self {
        QuoteError {
            field: Some(field),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for QuoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.field {
            Some(field) => write!(f, "field `{field}`: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for QuoteError {}

const FIELDS: [&str; 6] = ["kind", "spot", "strike", "vol", "days", "rate"];

fn parse_number(
    field: &'static str,
    d: Result<Decimal, decimal::DecimalError>,
) -> Result<Fixed, QuoteError> {
    d.and_then(|d| d.to_fixed())
        .map_err(|e| QuoteError::field(field, e.to_string()))
}

impl QuoteRequest {
    /// Range checks that name the field (the engine's own checks follow in [`evaluate`]).
    fn validated(self) -> Result<Self, QuoteError> {
        if !self.spot.is_positive() {
            return Err(QuoteError::field("spot", "must be > 0"));
        }
        if !self.strike.is_positive() {
            return Err(QuoteError::field("strike", "must be > 0"));
        }
        if !self.vol.is_positive() {
            return Err(QuoteError::field(
                "vol",
                "must be > 0 (a fraction: 0.2 = 20 %)",
            ));
        }
        if self.days.is_negative() {
            return Err(QuoteError::field("days", "must be >= 0"));
        }
        Ok(self)
    }

    fn from_args(a: &QuoteArgs) -> Result<Self, QuoteError> {
        let text = |field: &'static str, v: &Option<String>| -> Result<Fixed, QuoteError> {
            match v {
                Some(t) => parse_number(field, Decimal::parse(t)),
                None => Err(QuoteError::field(field, "missing")),
            }
        };
        QuoteRequest {
            kind: a
                .kind
                .ok_or_else(|| QuoteError::field("kind", "missing"))?
                .into(),
            spot: text("spot", &a.spot)?,
            strike: text("strike", &a.strike)?,
            vol: text("vol", &a.vol)?,
            days: text("days", &a.days)?,
            rate: match &a.rate {
                None => Fixed::ZERO,
                Some(_) => text("rate", &a.rate)?,
            },
        }
        .validated()
    }

    /// One batch line: a JSON object with the six fields (rate optional).
    pub fn from_json_line(line: &str) -> Result<Self, QuoteError> {
        let map: BTreeMap<String, &RawValue> =
            serde_json::from_str(line).map_err(|e| QuoteError {
                field: None,
                message: format!("not a JSON object: {e}"),
            })?;
        if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(QuoteError {
                field: None,
                message: format!("unknown field `{unknown}` (expected {})", FIELDS.join(", ")),
            });
        }
        let get = |field: &'static str| map.get(field).copied().filter(|r| r.get() != "null");
        let number = |field: &'static str| -> Result<Fixed, QuoteError> {
            let raw = get(field).ok_or_else(|| QuoteError::field(field, "missing"))?;
            parse_number(field, decimal::from_json_raw(raw.get()))
        };
        let kind = match get("kind") {
            None => return Err(QuoteError::field("kind", "missing")),
            Some(raw) => {
                match serde_json::from_str::<String>(raw.get()).map(|s| s.to_ascii_lowercase()) {
                    Ok(s) if s == "call" => OptionKind::Call,
                    Ok(s) if s == "put" => OptionKind::Put,
                    _ => {
                        return Err(QuoteError::field(
                            "kind",
                            format!("expected \"call\" or \"put\", got {}", raw.get()),
                        ))
                    }
                }
            }
        };
        QuoteRequest {
            kind,
            spot: number("spot")?,
            strike: number("strike")?,
            vol: number("vol")?,
            days: number("days")?,
            rate: if get("rate").is_some() {
                number("rate")?
            } else {
                Fixed::ZERO
            },
        }
        .validated()
    }

    /// Years to expiry: days / 365, rounded down.
    pub fn time_years(&self) -> Result<Fixed, QuoteError> {
        Fixed::from_ratio(self.days.raw(), 365 * FIXED_ONE, Rounding::Down)
            .map_err(|_| QuoteError::field("days", "too large"))
    }

    fn input(&self) -> Result<BsInput, QuoteError> {
        Ok(BsInput {
            kind: self.kind,
            spot: self.spot,
            strike: self.strike,
            vol: self.vol,
            time_years: self.time_years()?,
            rate: self.rate,
        })
    }

    pub fn evaluate(&self) -> Result<Greeks, QuoteError> {
        bs::greeks(&self.input()?).map_err(engine_error)
    }

    /// The American quote: the European Greeks with the American price. The engine has no
    /// American Greeks: where exercise before expiry can pay (a put with rate > 0 before
    /// expiry) they are `None`; elsewhere the American option is the European one.
    pub fn evaluate_american(&self) -> Result<(Greeks, bool), QuoteError> {
        let input = self.input()?;
        let mut g = bs::greeks(&input).map_err(engine_error)?;
        g.price = american::price(&input).map_err(|e| match e {
            RiskError::InvalidVolatility => QuoteError::field(
                "vol",
                format!(
                    "vol x sqrt(years) above {}, beyond the American tree's range",
                    fmt::trimmed(american::MAX_TOTAL_VOL)
                ),
            ),
            other => engine_error(other),
        })?;
        let european = input.kind == OptionKind::Call
            || input.rate == Fixed::ZERO
            || !input.time_years.is_positive();
        Ok((g, european))
    }

    /// [`Self::evaluate`] or [`Self::evaluate_american`] as one JSON object.
    fn quote_json(&self, american: bool) -> Result<Value, QuoteError> {
        if !american {
            return Ok(greeks_json(&self.evaluate()?));
        }
        let (g, greeks_apply) = self.evaluate_american()?;
        let mut v = greeks_json(&g);
        if !greeks_apply {
            for key in ["delta", "gamma", "vega", "theta"] {
                v[key] = Value::Null;
            }
        }
        Ok(v)
    }
}

/// A risk-engine refusal as a quote error naming the field.
fn engine_error(e: RiskError) -> QuoteError {
    match e {
        RiskError::NonPositivePrice => QuoteError::field("spot", "spot and strike must be > 0"),
        RiskError::InvalidVolatility => QuoteError::field(
            "vol",
            format!("outside the range the risk engine supports (0 < vol <= {})", fmt::trimmed(bs::MAX_VOL)),
        ),
        RiskError::InvalidRate => QuoteError::field(
            "rate",
            format!("outside the range the risk engine supports (0 <= rate <= {})", fmt::trimmed(bs::MAX_RATE)),
        ),
        other => QuoteError {
            field: None,
            message: format!("the risk engine cannot evaluate this option ({other:?}); are the numbers too large?"),
        },
    }
}

/// The five numbers of a quote as a JSON object.
pub fn greeks_json(g: &Greeks) -> Value {
    json!({
        "price": fmt::f64_of(g.price),
        "delta": fmt::f64_of(g.delta),
        "gamma": fmt::f64_of18(g.gamma),
        "vega": fmt::f64_of(g.vega),
        "theta": fmt::f64_of(g.theta),
    })
}

/// The quote as a table; `american` is `Some(greeks apply)` for an American quote.
fn greeks_table(req: &QuoteRequest, g: &Greeks, american: Option<bool>) -> String {
    let kind = match (req.kind, american.is_some()) {
        (OptionKind::Call, false) => "call",
        (OptionKind::Put, false) => "put",
        (OptionKind::Call, true) => "American call",
        (OptionKind::Put, true) => "American put",
    };
    let per_day = Fixed::from_raw(g.theta.raw() / 365);
    let per_point = Fixed::from_raw(g.vega.raw() / 100);
    let header = format!(
        "{kind}  spot {}  strike {}  vol {}  days {}  rate {}\n",
        fmt::trimmed(req.spot),
        fmt::trimmed(req.strike),
        fmt::trimmed(req.vol),
        fmt::trimmed(req.days),
        fmt::trimmed(req.rate),
    );
    if american == Some(false) {
        let rows = vec![
            vec!["price".into(), fmt::fixed(g.price, 12), String::new()],
            vec![
                "greeks".into(),
                "-".into(),
                "not computed for an American put with rate > 0".into(),
            ],
        ];
        return format!("{header}{}", fmt::table_with(&rows, true));
    }
    let rows = vec![
        vec!["price".into(), fmt::fixed(g.price, 12), String::new()],
        vec!["delta".into(), fmt::fixed(g.delta, 12), String::new()],
        vec![
            "gamma".into(),
            fmt::fixed18(g.gamma, 18),
            "per unit of spot".into(),
        ],
        vec![
            "vega".into(),
            fmt::fixed(g.vega, 12),
            format!(
                "per 1.00 of vol ({} per vol point)",
                fmt::fixed(per_point, 6)
            ),
        ],
        vec![
            "theta".into(),
            fmt::fixed(g.theta, 12),
            format!("per year ({} per day)", fmt::fixed(per_day, 6)),
        ],
    ];
    format!("{header}{}", fmt::table_with(&rows, true))
}

pub fn run(args: QuoteArgs) -> Result<ExitCode> {
    if args.batch {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let stderr = std::io::stderr();
        return run_batch(
            stdin.lock(),
            &mut stdout.lock(),
            &mut stderr.lock(),
            args.american,
        );
    }
    let req = QuoteRequest::from_args(&args)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", req.quote_json(args.american)?)?;
    } else if args.american {
        let (g, greeks_apply) = req.evaluate_american()?;
        write!(out, "{}", greeks_table(&req, &g, Some(greeks_apply)))?;
    } else {
        write!(out, "{}", greeks_table(&req, &req.evaluate()?, None))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Batch mode. Every non-blank input line gets exactly one output line, in order: the quote, or
/// `{"error": "...", "field": "...", "line": n}` (field null when the problem is not one
/// field's). Errors are also reported on stderr as `line n: ...`. Processing continues after a
/// bad line; the exit code is 1 when any line failed. Blank lines are skipped (no output) but
/// counted in the line numbers. With `american`, each line's `price` is the American price
/// and its Greeks are null where they would not be the American ones (see
/// [`QuoteRequest::evaluate_american`]).
pub fn run_batch(
    input: impl BufRead,
    out: &mut impl Write,
    err: &mut impl Write,
    american: bool,
) -> Result<ExitCode> {
    let (mut lines, mut failed) = (0usize, 0usize);
    for (i, line) in input.split(b'\n').enumerate() {
        let number = i + 1;
        let bytes = line?;
        let result = match std::str::from_utf8(&bytes) {
            Err(_) => Err(QuoteError {
                field: None,
                message: "line is not valid UTF-8".into(),
            }),
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => {
                QuoteRequest::from_json_line(text.trim()).and_then(|r| r.quote_json(american))
            }
        };
        lines += 1;
        match result {
            Ok(v) => writeln!(out, "{v}")?,
            Err(e) => {
                failed += 1;
                writeln!(
                    out,
                    "{}",
                    json!({ "error": e.to_string(), "field": e.field, "line": number })
                )?;
                writeln!(err, "line {number}: {e}")?;
            }
        }
        out.flush()?;
    }
    if failed > 0 {
        writeln!(err, "{failed} of {lines} lines failed")?;
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_errors_name_the_field() {
        let e = QuoteRequest::from_json_line(
            r#"{"kind":"call","spot":"abc","strike":1,"vol":0.2,"days":1}"#,
        )
        .unwrap_err();
        assert_eq!(e.field, Some("spot"));
        let e = QuoteRequest::from_json_line(r#"{"kind":"call","spot":1,"vol":0.2,"days":1}"#)
            .unwrap_err();
        assert_eq!(e.field, Some("strike"));
        let e = QuoteRequest::from_json_line(
            r#"{"kind":"straddle","spot":1,"strike":1,"vol":0.2,"days":1}"#,
        )
        .unwrap_err();
        assert_eq!(e.field, Some("kind"));
        let e = QuoteRequest::from_json_line(
            r#"{"kind":"put","spot":1,"strike":1,"vol":-0.2,"days":1}"#,
        )
        .unwrap_err();
        assert_eq!(e.field, Some("vol"));
        let e = QuoteRequest::from_json_line(
            r#"{"kind":"put","spot":1,"strike":1,"vol":0.2,"days":-1}"#,
        )
        .unwrap_err();
        assert_eq!(e.field, Some("days"));
        let e = QuoteRequest::from_json_line(
            r#"{"kind":"put","spot":1,"strike":1,"vol":0.2,"days":1,"strik":2}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("strik"));
        let e = QuoteRequest::from_json_line("[1,2]").unwrap_err();
        assert_eq!(e.field, None);
        let r = QuoteRequest::from_json_line(
            r#"{"kind":"PUT","spot":"42","strike":40,"vol":0.2,"days":182.5}"#,
        )
        .unwrap();
        assert_eq!(r.rate, Fixed::ZERO);
        assert_eq!(r.days.raw(), 182_500_000_000_000);
    }
}
