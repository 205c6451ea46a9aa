//! Small SVG line charts and a histogram, written by hand (no plotting dependency).

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const W: f64 = 720.0;
const H: f64 = 320.0;
const PAD: f64 = 48.0;
const COLORS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

fn frame(title: &str, y_label: &str, lo: f64, hi: f64, body: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="{PAD}" y="18" font-size="13">{title}</text>
<text x="6" y="{mid}" transform="rotate(-90 12 {mid})">{y_label}</text>
<line x1="{PAD}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#444"/>
<line x1="{PAD}" y1="{top}" x2="{PAD}" y2="{bottom}" stroke="#444"/>
<text x="{lx}" y="{top}" text-anchor="end">{hi:.0}</text>
<text x="{lx}" y="{bottom}" text-anchor="end">{lo:.0}</text>
{body}</svg>
"##,
        title = esc(title),
        y_label = esc(y_label),
        mid = H / 2.0,
        top = PAD - 16.0,
        bottom = H - PAD,
        right = W - 16.0,
        lx = PAD - 4.0,
    )
}

fn scale(v: f64, lo: f64, hi: f64) -> f64 {
    let span = if hi > lo { hi - lo } else { 1.0 };
    (H - PAD) - (v - lo) / span * (H - 2.0 * PAD + 16.0)
}

/// Lines (one per series of values), optional markers (x indices on the first line).
pub fn lines(title: &str, y_label: &str, series: &[Vec<f64>], markers: &[usize]) -> String {
    let all = series.iter().flatten().cloned();
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo.min(0.0).max(lo * 0.9), hi * 1.05)
    } else {
        (0.0, 1.0)
    };
    let n = series.iter().map(|s| s.len()).max().unwrap_or(1).max(2);
    let x = |i: usize| PAD + i as f64 / (n - 1) as f64 * (W - PAD - 16.0);
    let mut body = String::new();
    for (k, s) in series.iter().enumerate() {
        let pts: Vec<String> = s
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), scale(*v, lo, hi)))
            .collect();
        body.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\" points=\"{}\"/>\n",
            COLORS[k % COLORS.len()],
            pts.join(" ")
        ));
    }
    if let Some(first) = series.first() {
        for &m in markers {
            if let Some(v) = first.get(m) {
                body.push_str(&format!(
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"none\" stroke=\"#d62728\"/>\n",
                    x(m),
                    scale(*v, lo, hi)
                ));
            }
        }
    }
    frame(title, y_label, lo, hi, &body)
}

/// A histogram of `values` in `bins` bins.
pub fn histogram(title: &str, x_label: &str, values: &[f64], bins: usize) -> String {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let (lo, hi) = if lo.is_finite() {
        (lo, if hi > lo { hi } else { lo + 1.0 })
    } else {
        (0.0, 1.0)
    };
    let mut counts = vec![0usize; bins];
    for v in values {
        let b = (((v - lo) / (hi - lo)) * bins as f64) as usize;
        counts[b.min(bins - 1)] += 1;
    }
    let max = *counts.iter().max().unwrap_or(&1).max(&1) as f64;
    let bw = (W - PAD - 16.0) / bins as f64;
    let mut body = String::new();
    for (i, c) in counts.iter().enumerate() {
        let h = *c as f64 / max * (H - 2.0 * PAD);
        body.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#1f77b4\"/>\n",
            PAD + i as f64 * bw + 1.0,
            H - PAD - h,
            bw - 2.0,
            h
        ));
    }
    body.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{:.1}\">{} from {lo:.0} to {hi:.0} ({} runs)</text>\n",
        PAD,
        H - 12.0,
        esc(x_label),
        values.len()
    ));
    frame(title, "runs", 0.0, max, &body)
}
