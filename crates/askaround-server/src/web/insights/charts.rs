//! Server-rendered SVG charts: readable without scripts, scaled by the browser, and each with a
//! title and description for screen readers (the page shows the same figures as a table too).
//! Labels are escaped here; numbers are formatted by us.

use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open(id: &str, title: &str, desc: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         class=\"chart\" preserveAspectRatio=\"xMidYMid meet\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    )
}

/// Horizontal grid lines at 0, ½ and the top, labelled with `label(value)`.
fn grid(out: &mut String, max: f64, label: impl Fn(f64) -> String) {
    for step in [0.0, 0.5, 1.0] {
        let y = TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - step);
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d6dbe4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#566075\">{}</text>",
            LEFT - 4.0,
            y + 4.0,
            escape(&label(max * step))
        );
    }
}

/// Every `every`-th x label, so a year of weeks stays legible.
fn x_label(out: &mut String, x: f64, text: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#566075\">{}</text>",
        HEIGHT - 8.0,
        escape(text)
    );
}

/// A line of shares (0–1) over labelled points; suppressed points (`None`) leave a gap.
pub fn share_line(id: &str, title: &str, desc: &str, points: &[(String, Option<f64>)]) -> String {
    let mut out = open(id, title, desc);
    grid(&mut out, 1.0, |v| format!("{:.0}%", v * 100.0));
    let n = points.len().max(1);
    let span = (WIDTH - LEFT - 8.0) / (n.saturating_sub(1).max(1)) as f64;
    let every = n.div_ceil(8);
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (label, value)) in points.iter().enumerate() {
        let x = LEFT + 4.0 + span * i as f64;
        if i % every == 0 {
            x_label(&mut out, x, label);
        }
        match value {
            Some(v) => {
                let y = TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - v.clamp(0.0, 1.0));
                let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
                let _ = write!(
                    out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#1f5fd1\"/>"
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"#1f5fd1\" stroke-width=\"2\"/>",
            path.trim_end()
        );
    }
    out.push_str("</svg>");
    out
}

/// Vertical bars; suppressed bars (`None`) are drawn as a hatched stub so the gap is visible.
pub fn bars(
    id: &str,
    title: &str,
    desc: &str,
    bars: &[(String, Option<f64>)],
    label: impl Fn(f64) -> String,
) -> String {
    let mut out = open(id, title, desc);
    let max = bars
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    grid(&mut out, max, &label);
    let n = bars.len().max(1);
    let slot = (WIDTH - LEFT - 8.0) / n as f64;
    let width = (slot * 0.7).max(2.0);
    let every = n.div_ceil(12);
    let base = HEIGHT - BOTTOM;
    for (i, (name, value)) in bars.iter().enumerate() {
        let x = LEFT + 4.0 + slot * i as f64 + (slot - width) / 2.0;
        if i % every == 0 {
            x_label(&mut out, x + width / 2.0, name);
        }
        match value {
            Some(v) => {
                let h = (HEIGHT - TOP - BOTTOM) * (v / max);
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{h:.1}\" fill=\"#1f5fd1\">\
                     <title>{}: {}</title></rect>",
                    base - h,
                    escape(name),
                    escape(&label(*v))
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"4\" fill=\"#d6dbe4\">\
                     <title>{}: hidden (fewer than 5 people)</title></rect>",
                    base - 4.0,
                    escape(name)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_gaps_stay_gaps() {
        let svg = share_line(
            "c",
            "<Curve>",
            "d",
            &[
                ("a".into(), Some(0.5)),
                ("b".into(), None),
                ("c&d".into(), Some(1.0)),
            ],
        );
        assert!(svg.contains("&lt;Curve&gt;"));
        assert!(svg.contains("c&amp;d"));
        let path = svg
            .split(" d=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        assert_eq!(
            path.matches('M').count(),
            2,
            "the suppressed week breaks the line"
        );
        let svg = bars("b", "t", "d", &[("x".into(), None)], |v| v.to_string());
        assert!(svg.contains("hidden (fewer than 5 people)"));
    }
}
