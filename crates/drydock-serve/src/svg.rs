//! Charts drawn on the server as inline SVG: no script, nothing fetched. Each scales to the
//! page's width (`viewBox`, `width="100%"`) and takes its colours from the page's CSS variables
//! through the `chart` classes of base.html, so it reads in light and dark mode alike.

use std::fmt::Write as _;

/// The drawing's width in its own units; the page scales it.
const WIDTH: f64 = 400.0;
/// Room on the left for the value axis's labels.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;

/// `text` safe inside SVG text and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn open(out: &mut String, height: f64, class: &str, title: &str) {
    let _ = write!(
        out,
        "<svg class=\"{class}\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         preserveAspectRatio=\"xMinYMin meet\" role=\"img\" aria-label=\"{t}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
}

/// One bar: its label and value.
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: f64,
}

/// Horizontal bars, largest scale at the longest, each labelled above with its value at its
/// end; an axis below from 0 to the largest value in `unit`.
pub(crate) fn bar_chart(title: &str, bars: &[Bar], unit: &str) -> String {
    let row = 30.0;
    let top = 6.0;
    let axis = top + row * bars.len() as f64 + 4.0;
    let height = axis + 30.0;
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let scale = if max > 0.0 { max } else { 1.0 };
    let span = WIDTH - 8.0 - RIGHT;
    let mut out = String::new();
    open(&mut out, height, "chart", title);
    for (i, bar) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let width = (bar.value.max(0.0) / scale * span).max(1.0);
        let label: String = bar.label.chars().take(60).collect();
        let _ = write!(
            out,
            "<text x=\"8\" y=\"{:.1}\">{}</text><rect class=\"bar\" x=\"8\" y=\"{:.1}\" \
             width=\"{width:.1}\" height=\"10\"><title>{}: {} {unit}</title></rect>",
            y + 11.0,
            escape(&label),
            y + 15.0,
            escape(&bar.label),
            number(bar.value),
        );
    }
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"8\" y1=\"{axis:.1}\" x2=\"{:.1}\" y2=\"{axis:.1}\"/>",
        WIDTH - RIGHT
    );
    for (fraction, anchor) in [(0.0, "start"), (0.5, "middle"), (1.0, "end")] {
        let x = 8.0 + span * fraction;
        let _ = write!(
            out,
            "<line class=\"axis\" x1=\"{x:.1}\" y1=\"{axis:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{} {}</text>",
            axis + 4.0,
            axis + 17.0,
            number(max * fraction),
            escape(unit)
        );
    }
    out.push_str("</svg>");
    out
}

/// A value line over time: points at their times, the value axis labelled with its smallest
/// and largest values as `label` writes them, the time axis with the first and last times.
pub(crate) fn line_chart(
    title: &str,
    points: &[(chrono::DateTime<chrono::Utc>, f64)],
    label: &dyn Fn(f64) -> String,
) -> String {
    let (top, bottom, height) = (10.0, 140.0, 172.0);
    let mut out = String::new();
    open(&mut out, height, "chart", title);
    let (low, high) = range(points.iter().map(|(_, v)| *v));
    let first = points.first().map(|(t, _)| *t);
    let last = points.last().map(|(t, _)| *t);
    let seconds = match (first, last) {
        (Some(first), Some(last)) => (last - first).num_seconds().max(1) as f64,
        _ => 1.0,
    };
    let span = WIDTH - LEFT - RIGHT;
    let x_of = |t: chrono::DateTime<chrono::Utc>| match (first, points.len()) {
        (Some(first), 2..) => LEFT + (t - first).num_seconds() as f64 / seconds * span,
        _ => LEFT + span / 2.0,
    };
    let y_of = |v: f64| bottom - (v - low) / (high - low) * (bottom - top);
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{top}\" x2=\"{LEFT}\" y2=\"{bottom}\"/>\
         <line class=\"axis\" x1=\"{LEFT}\" y1=\"{bottom}\" x2=\"{:.1}\" y2=\"{bottom}\"/>",
        WIDTH - RIGHT
    );
    for value in [low, (low + high) / 2.0, high] {
        let y = y_of(value);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 4.0,
            escape(&label(value))
        );
    }
    if let (Some(first), Some(last)) = (first, last) {
        let stamp = |t: chrono::DateTime<chrono::Utc>| t.format("%m-%d %H:%M").to_string();
        let _ = write!(
            out,
            "<text x=\"{LEFT}\" y=\"{:.1}\">{}</text>",
            bottom + 16.0,
            stamp(first)
        );
        if points.len() > 1 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                WIDTH - RIGHT,
                bottom + 16.0,
                stamp(last)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">time (UTC)</text>",
            LEFT + span / 2.0,
            bottom + 30.0
        );
    }
    let line: Vec<String> = points
        .iter()
        .map(|(t, v)| format!("{:.1},{:.1}", x_of(*t), y_of(*v)))
        .collect();
    let _ = write!(
        out,
        "<polyline class=\"line\" points=\"{}\"/>",
        line.join(" ")
    );
    for (t, v) in points {
        let _ = write!(
            out,
            "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}: {}</title></circle>",
            x_of(*t),
            y_of(*v),
            t.format("%Y-%m-%d %H:%M UTC"),
            escape(&label(*v))
        );
    }
    out.push_str("</svg>");
    out
}

/// A small line of values, evenly spaced, scaled between their smallest and largest; `title`
/// says what it shows (read aloud, shown on hover).
pub(crate) fn sparkline(title: &str, values: &[f64]) -> String {
    let (width, height) = (120.0, 28.0);
    let (low, high) = range(values.iter().copied());
    let step = if values.len() > 1 {
        (width - 4.0) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                2.0 + step * i as f64,
                height - 3.0 - (v - low) / (high - low) * (height - 6.0)
            )
        })
        .collect();
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" \
         aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>\
         <polyline class=\"line\" points=\"{}\"/></svg>",
        points.join(" "),
        t = escape(title)
    )
}

/// The smallest and largest of `values`, apart by at least a little, so a flat line sits in
/// the middle rather than dividing by zero.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !low.is_finite() || !high.is_finite() {
        return (0.0, 1.0);
    }
    if high - low < f64::EPSILON.max(high.abs() * 1e-9) {
        let pad = (high.abs() * 0.1).max(1.0);
        return (low - pad, high + pad);
    }
    (low, high)
}

/// `12`, `1.5`, `1,234`: a value short enough for an axis.
fn number(value: f64) -> String {
    if value >= 100.0 {
        let whole = value.round() as u64;
        let digits = whole.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_their_text_and_scale_to_the_page() {
        let chart = bar_chart(
            "top <queries>",
            &[
                Bar {
                    label: "SELECT '<b>' & 1".to_owned(),
                    value: 1234.5,
                },
                Bar {
                    label: "SELECT 2".to_owned(),
                    value: 0.0,
                },
            ],
            "ms",
        );
        assert!(chart.starts_with("<svg class=\"chart\" viewBox=\"0 0 400 "));
        assert!(chart.contains("width=\"100%\""));
        assert!(chart.contains("SELECT &#39;&lt;b&gt;&#39; &amp; 1"));
        assert!(!chart.contains("<b>"));
        assert!(chart.contains(">1,235 ms</text>"));
        assert!(chart.contains(">0.00 ms</text>"));

        let at = |h: i64| chrono::DateTime::UNIX_EPOCH + chrono::Duration::hours(h);
        let line = line_chart("size", &[(at(0), 100.0), (at(2), 300.0)], &|v| {
            format!("{v:.0} B")
        });
        assert!(line.contains(">100 B</text>") && line.contains(">300 B</text>"));
        assert!(line.contains("time (UTC)"));
        let flat = sparkline("t", &[5.0, 5.0]);
        assert!(flat.contains("<polyline") && !flat.contains("NaN"));
        assert_eq!(number(1_234_567.0), "1,234,567");
    }
}
