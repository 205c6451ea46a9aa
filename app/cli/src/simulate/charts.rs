//! The report's charts: SVG through `plotters` (its SVG backend alone, so no font files are
//! needed: text is drawn by the viewer). Every chart has a title, labelled axes with ticks and
//! units, and a legend.

use plotters::prelude::*;

const SIZE: (u32, u32) = (760, 360);
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
];

type Result<T> = std::result::Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart: {e:?}")
}

/// A padded range around the values (a flat series gets a band of its own).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(hi.abs().max(1.0) * 0.01);
    (lo - pad, hi + pad)
}

/// One line chart: `series` of (legend, y values) against `x` (one x per value); `marks` are
/// points drawn as circles under `marks_label`.
pub struct Lines<'a> {
    pub title: &'a str,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    pub x: &'a [f64],
    pub series: Vec<(String, &'a [f64])>,
    pub marks: Vec<(f64, f64)>,
    pub marks_label: &'a str,
}

pub fn lines(c: &Lines) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (x0, x1) = range(c.x.iter().cloned());
        let (y0, y1) = range(c.series.iter().flat_map(|(_, v)| v.iter().cloned()));
        let mut chart = ChartBuilder::on(&root)
            .caption(c.title, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(c.x_desc)
            .y_desc(c.y_desc)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        let legend = c.series.len() <= 6;
        for (i, (label, ys)) in c.series.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let s = chart
                .draw_series(LineSeries::new(
                    c.x.iter().cloned().zip(ys.iter().cloned()),
                    color.stroke_width(if legend { 2 } else { 1 }),
                ))
                .map_err(err)?;
            // many lines (one per seed): the first one's legend names them all
            if legend || i == 0 {
                s.label(label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
            }
        }
        if !c.marks.is_empty() {
            chart
                .draw_series(
                    c.marks
                        .iter()
                        .map(|p| Circle::new(*p, 4, RED.stroke_width(1))),
                )
                .map_err(err)?
                .label(c.marks_label)
                .legend(|(x, y)| Circle::new((x + 9, y), 4, RED.stroke_width(1)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// A histogram of `values` in `bins` equal bins.
pub fn histogram(
    title: &str,
    x_desc: &str,
    legend: &str,
    values: &[f64],
    bins: usize,
) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (lo, hi) = range(values.iter().cloned());
        let width = (hi - lo) / bins.max(1) as f64;
        let mut counts = vec![0u32; bins.max(1)];
        for v in values.iter().filter(|v| v.is_finite()) {
            let i = (((v - lo) / width) as usize).min(counts.len() - 1);
            counts[i] += 1;
        }
        let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.1;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(lo..hi, 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("runs")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        let color = PALETTE[0];
        chart
            .draw_series(counts.iter().enumerate().map(|(i, n)| {
                let x = lo + i as f64 * width;
                Rectangle::new([(x, 0.0), (x + width, *n as f64)], color.mix(0.7).filled())
            }))
            .map_err(err)?
            .label(legend)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_has_its_title_axes_ticks_and_legend() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [150.0, 140.0, 90.0, 100.0];
        let svg = lines(&Lines {
            title: "price",
            x_desc: "hours",
            y_desc: "USD",
            x: &x,
            series: vec![("seed 0".into(), &y)],
            marks: vec![(2.0, 90.0)],
            marks_label: "liquidation started",
        })
        .unwrap();
        assert!(svg.starts_with("<svg"));
        for t in [
            "price",
            "hours",
            "USD",
            "seed 0",
            "liquidation started",
            "<circle",
        ] {
            assert!(svg.contains(t), "{t} missing");
        }
        // the title, two axis names, two legend entries and the ticks of both axes
        assert!(svg.matches("<text").count() >= 10, "{svg}");
    }

    #[test]
    fn a_histogram_counts_every_value_and_survives_a_flat_sample() {
        let svg = histogram("loss", "USDC", "runs", &[0.0, 0.0, 5.0, 10.0], 5).unwrap();
        assert!(svg.contains("USDC") && svg.contains("runs") && svg.contains("<rect"));
        let flat = histogram("loss", "USDC", "runs", &[0.0; 20], 10).unwrap();
        assert!(flat.contains("loss"));
    }
}
