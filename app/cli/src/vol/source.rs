//! The surface a vol publisher wants, from a file: a parametrised smile (ATM, skew and curvature
//! per tenor) or implied-vol quotes fitted to that shape. Both are read on the underlying's tenor
//! grid (a different grid is a governance change, not a vol update). Values are fractions
//! (`0.8` = 80 %) and become basis points, the stored surface's unit, rounded to the nearest.

use std::path::Path;

use anyhow::{bail, Context, Result};
use greekhouse::state::StoredVolSurface;
use serde::Deserialize;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SmileFile {
    pub tenors: Vec<SmileTenor>,
    /// Default skew (coefficient of ln(K/S)) of tenors that give none.
    #[serde(default)]
    pub skew: Option<f64>,
    /// Default curvature (coefficient of ln(K/S)^2) of tenors that give none.
    #[serde(default)]
    pub curvature: Option<f64>,
    #[serde(default)]
    pub min_vol: Option<f64>,
}

// no `deny_unknown_fields` with `flatten` (serde does not support the two together)
#[derive(Deserialize, Debug)]
pub struct SmileTenor {
    #[serde(flatten)]
    pub at: Tenor,
    pub atm: f64,
    #[serde(default)]
    pub skew: Option<f64>,
    #[serde(default)]
    pub curvature: Option<f64>,
}

/// A tenor in days or seconds.
#[derive(Deserialize, Debug, Clone, Copy)]
pub struct Tenor {
    #[serde(default)]
    pub days: Option<f64>,
    #[serde(default)]
    pub seconds: Option<u32>,
}

impl Tenor {
    fn seconds(&self) -> Result<u32> {
        match (self.days, self.seconds) {
            (_, Some(s)) => Ok(s),
            (Some(d), None) if d > 0.0 => Ok((d * 86_400.0).round() as u32),
            _ => bail!("a tenor needs `days` (> 0) or `seconds`"),
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct QuotesFile {
    /// The spot the strikes are measured against (ln(K/S)).
    pub spot: f64,
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub min_vol: Option<f64>,
}

#[derive(Deserialize, Debug)]
pub struct Quote {
    #[serde(flatten)]
    pub at: Tenor,
    pub strike: f64,
    pub vol: f64,
}

/// Where a surface comes from.
pub enum Source<'a> {
    Smile(&'a Path),
    Quotes(&'a Path),
}

fn bps(v: f64, what: &str) -> Result<i64> {
    if !v.is_finite() || v.abs() > 1_000.0 {
        bail!("{what} {v} is not a fraction (0.8 = 80 %)");
    }
    Ok((v * 10_000.0).round() as i64)
}

/// The index of `seconds` in the grid of `current`, or an error naming the grid.
fn grid_index(current: &StoredVolSurface, seconds: u32) -> Result<usize> {
    let grid = &current.tenor_secs[..usize::from(current.tenor_count)];
    grid.iter().position(|s| *s == seconds).with_context(|| {
        let days: Vec<String> = grid
            .iter()
            .map(|s| format!("{}", *s as f64 / 86_400.0))
            .collect();
        format!(
            "tenor {seconds} s ({} days) is not on the underlying's grid (days: {}); the grid \
             changes only by governance",
            seconds as f64 / 86_400.0,
            days.join(", ")
        )
    })
}

impl Source<'_> {
    /// The wanted surface on `current`'s grid (the floor kept unless the file gives one).
    pub fn wanted(&self, current: &StoredVolSurface) -> Result<StoredVolSurface> {
        match self {
            Source::Smile(path) => {
                let file: SmileFile = read(path)?;
                from_smile(&file, current)
            }
            Source::Quotes(path) => {
                let file: QuotesFile = read(path)?;
                from_quotes(&file, current)
            }
        }
    }
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}", path.display()))
}

pub fn from_smile(file: &SmileFile, current: &StoredVolSurface) -> Result<StoredVolSurface> {
    let mut out = *current;
    let n = usize::from(current.tenor_count);
    let mut seen = vec![false; n];
    let (mut skews, mut curvatures) = (Vec::new(), Vec::new());
    for t in &file.tenors {
        let i = grid_index(current, t.at.seconds()?)?;
        if seen[i] {
            bail!("tenor {} s is given twice", current.tenor_secs[i]);
        }
        seen[i] = true;
        out.atm_vol_bps[i] = u32::try_from(bps(t.atm, "atm")?).context("a negative atm")?;
        skews.extend(t.skew.or(file.skew));
        curvatures.extend(t.curvature.or(file.curvature));
    }
    if let Some(i) = seen.iter().position(|s| !s) {
        bail!(
            "tenor {} s of the underlying's grid has no ATM vol in the file",
            current.tenor_secs[i]
        );
    }
    // the stored surface has one skew and one curvature for every tenor
    let one = |values: &[f64], what: &str| -> Result<Option<i64>> {
        let mut bps_values = values
            .iter()
            .map(|v| bps(*v, what))
            .collect::<Result<Vec<_>>>()?;
        bps_values.dedup();
        match bps_values.as_slice() {
            [] => Ok(None),
            [v] => Ok(Some(*v)),
            _ => bail!(
                "the tenors give different {what}s; the on-chain surface has one {what} for \
                 every tenor (docs/risk-model.md)"
            ),
        }
    };
    if let Some(v) = one(&skews, "skew")? {
        out.skew_bps = i32::try_from(v).context("skew out of range")?;
    }
    if let Some(v) = one(&curvatures, "curvature")? {
        out.smile_bps = i32::try_from(v).context("curvature out of range")?;
    }
    if let Some(m) = file.min_vol {
        out.min_vol_bps = u32::try_from(bps(m, "min_vol")?).context("a negative min_vol")?;
    }
    Ok(out)
}

/// Least squares of `vol = atm[tenor] + skew * x + curvature * x^2`, `x = ln(K / spot)`, over
/// every quote: the shape the on-chain surface has (`greekhouse_risk::VolSurface`).
pub fn from_quotes(file: &QuotesFile, current: &StoredVolSurface) -> Result<StoredVolSurface> {
    let n = usize::from(current.tenor_count);
    // `> 0` written so that NaN fails too
    if file.spot.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        bail!("spot must be positive");
    }
    let k = n + 2;
    let mut rows: Vec<(Vec<f64>, f64)> = Vec::new();
    let mut per_tenor = vec![0usize; n];
    for q in &file.quotes {
        let positive = |v: f64| v.partial_cmp(&0.0) == Some(std::cmp::Ordering::Greater);
        if !positive(q.strike) || !positive(q.vol) {
            bail!("a quote needs a positive strike and vol");
        }
        let i = grid_index(current, q.at.seconds()?)?;
        per_tenor[i] += 1;
        let x = (q.strike / file.spot).ln();
        let mut row = vec![0.0; k];
        row[i] = 1.0;
        row[n] = x;
        row[n + 1] = x * x;
        rows.push((row, q.vol));
    }
    if let Some(i) = per_tenor.iter().position(|c| *c == 0) {
        bail!(
            "tenor {} s of the underlying's grid has no quote",
            current.tenor_secs[i]
        );
    }
    let fit = least_squares(&rows, k).context(
        "the quotes do not determine a skew and a curvature: quote at least three distinct \
         strikes",
    )?;
    let mut out = *current;
    for (i, atm) in fit.iter().enumerate().take(n) {
        out.atm_vol_bps[i] =
            u32::try_from(bps(*atm, "fitted atm")?).context("a negative fitted atm")?;
    }
    out.skew_bps = i32::try_from(bps(fit[n], "fitted skew")?)?;
    out.smile_bps = i32::try_from(bps(fit[n + 1], "fitted curvature")?)?;
    if let Some(m) = file.min_vol {
        out.min_vol_bps = u32::try_from(bps(m, "min_vol")?).context("a negative min_vol")?;
    }
    Ok(out)
}

/// Solve the normal equations by Gaussian elimination with partial pivoting; `None` when they
/// are singular.
fn least_squares(rows: &[(Vec<f64>, f64)], k: usize) -> Option<Vec<f64>> {
    let mut a = vec![vec![0.0; k + 1]; k];
    for (row, y) in rows {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += row[i] * row[j];
            }
            a[i][k] += row[i] * y;
        }
    }
    for col in 0..k {
        let pivot = (col..k).max_by(|x, y| a[*x][col].abs().total_cmp(&a[*y][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        for r in 0..k {
            if r != col {
                let f = a[r][col] / a[col][col];
                let pivot_row = a[col].clone();
                for (x, p) in a[r].iter_mut().zip(&pivot_row).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    Some((0..k).map(|i| a[i][k] / a[i][i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> StoredVolSurface {
        let mut s: StoredVolSurface = bytemuck::Zeroable::zeroed();
        s.tenor_count = 2;
        s.tenor_secs[..2].copy_from_slice(&[7 * 86_400, 30 * 86_400]);
        s.atm_vol_bps[..2].copy_from_slice(&[6_000, 5_500]);
        s.skew_bps = -1_000;
        s.smile_bps = 2_000;
        s.min_vol_bps = 2_000;
        s
    }

    #[test]
    fn a_smile_file_sets_each_tenor_and_one_shape() {
        let file: SmileFile = serde_json::from_str(
            r#"{"tenors": [{"days": 7, "atm": 0.62, "skew": -0.12}, {"seconds": 2592000, "atm": 0.56}],
                "skew": -0.12, "curvature": 0.25}"#,
        )
        .unwrap();
        let s = from_smile(&file, &grid()).unwrap();
        assert_eq!(&s.atm_vol_bps[..2], &[6_200, 5_600]);
        assert_eq!(
            (s.skew_bps, s.smile_bps, s.min_vol_bps),
            (-1_200, 2_500, 2_000)
        );

        let two_skews: SmileFile = serde_json::from_str(
            r#"{"tenors": [{"days": 7, "atm": 0.62, "skew": -0.1}, {"days": 30, "atm": 0.56, "skew": -0.2}]}"#,
        )
        .unwrap();
        let e = from_smile(&two_skews, &grid()).unwrap_err().to_string();
        assert!(e.contains("one skew"), "{e}");
        let off_grid: SmileFile =
            serde_json::from_str(r#"{"tenors": [{"days": 14, "atm": 0.6}]}"#).unwrap();
        let e = from_smile(&off_grid, &grid()).unwrap_err().to_string();
        assert!(e.contains("not on the underlying's grid"), "{e}");
    }

    #[test]
    fn quotes_on_the_surfaces_shape_fit_back_to_it() {
        // quotes generated from atm 0.70 / 0.65, skew -0.15, curvature 0.40
        let spot = 150.0_f64;
        let mut quotes = Vec::new();
        for (days, atm) in [(7.0, 0.70), (30.0, 0.65)] {
            for strike in [120.0, 140.0, 150.0, 165.0, 190.0] {
                let x = (strike / spot).ln();
                let vol = atm - 0.15 * x + 0.40 * x * x;
                quotes.push(serde_json::json!({"days": days, "strike": strike, "vol": vol}));
            }
        }
        let file: QuotesFile =
            serde_json::from_value(serde_json::json!({"spot": spot, "quotes": quotes})).unwrap();
        let s = from_quotes(&file, &grid()).unwrap();
        assert_eq!(&s.atm_vol_bps[..2], &[7_000, 6_500]);
        assert_eq!((s.skew_bps, s.smile_bps), (-1_500, 4_000));

        let flat: QuotesFile = serde_json::from_str(
            r#"{"spot": 150, "quotes": [{"days": 7, "strike": 150, "vol": 0.6}, {"days": 30, "strike": 150, "vol": 0.5}]}"#,
        )
        .unwrap();
        assert!(
            from_quotes(&flat, &grid()).is_err(),
            "ATM quotes alone fix no skew"
        );
    }
}
