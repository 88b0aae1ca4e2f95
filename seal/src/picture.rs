//! The red round seal drawn programmatically: outer ring, five-pointed star in the centre, the
//! department name along the upper arc, the seal type across the bottom (the common shape of
//! Chinese official seals, cf. 《国务院关于国家行政机关和企业事业单位社会团体印章管理的规定》).

use crate::seal::SealType;

/// Seal red (RGB 0–1).
pub(crate) const SEAL_RED: (f32, f32, f32) = (0.86, 0.1, 0.1);

/// One glyph of the seal, in a coordinate system centred on the seal with y up, unit = radius.
pub(crate) struct SealGlyph {
    pub ch: char,
    /// Glyph centre on the baseline.
    pub x: f32,
    pub y: f32,
    /// Rotation in radians, counter-clockwise.
    pub angle: f32,
    /// Em size relative to the radius.
    pub size: f32,
}

pub(crate) struct SealGeometry {
    pub ring_width: f32,
    /// Star outline points (closed polygon), relative to radius.
    pub star: Vec<(f32, f32)>,
    pub glyphs: Vec<SealGlyph>,
}

pub(crate) fn geometry(department: &str, seal_type: SealType) -> SealGeometry {
    use std::f32::consts::PI;
    let star: Vec<(f32, f32)> = (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { 0.30 } else { 0.12 };
            let a = PI / 2.0 + i as f32 * PI / 5.0;
            (r * a.cos(), r * a.sin())
        })
        .collect();
    let chars: Vec<char> = department.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len().max(1) as f32;
    // Up to 240° of arc; fewer characters get a narrower arc so spacing stays even.
    let span = (n * 22.0_f32).clamp(90.0, 240.0).to_radians();
    let size = (span * 0.72 / n).min(0.26);
    let baseline_r = 0.86 - size;
    let mut glyphs = Vec::new();
    for (i, ch) in chars.iter().enumerate() {
        let t = if chars.len() == 1 { 0.5 } else { i as f32 / (n - 1.0) };
        let theta = PI / 2.0 + span / 2.0 - t * span;
        glyphs.push(SealGlyph {
            ch: *ch,
            x: baseline_r * theta.cos(),
            y: baseline_r * theta.sin(),
            angle: theta - PI / 2.0,
            size,
        });
    }
    let label: Vec<char> = seal_type.label().chars().collect();
    if !label.is_empty() {
        let lsize = (1.1 / label.len() as f32).min(0.17);
        let width = lsize * label.len() as f32;
        for (i, ch) in label.iter().enumerate() {
            glyphs.push(SealGlyph {
                ch: *ch,
                x: -width / 2.0 + lsize * (i as f32 + 0.5),
                y: -0.52,
                angle: 0.0,
                size: lsize,
            });
        }
    }
    SealGeometry { ring_width: 0.06, star, glyphs }
}

fn esc(c: char) -> String {
    match c {
        '<' => "&lt;".into(),
        '>' => "&gt;".into(),
        '&' => "&amp;".into(),
        c => c.to_string(),
    }
}

/// SVG picture of the seal for `SES_ESPictrueInfo` (42 mm, the common size of departmental seals).
#[must_use]
pub fn seal_svg(department: &str, seal_type: SealType) -> Vec<u8> {
    let g = geometry(department, seal_type);
    let r = 100.0_f32;
    let (cr, cg, cb) = SEAL_RED;
    let color = format!("rgb({},{},{})", (cr * 255.0) as u8, (cg * 255.0) as u8, (cb * 255.0) as u8);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"42mm\" height=\"42mm\" viewBox=\"-100 -100 200 200\">\
<circle cx=\"0\" cy=\"0\" r=\"{:.2}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{:.2}\"/>",
        r * (1.0 - g.ring_width / 2.0),
        r * g.ring_width
    );
    let pts: Vec<String> = g.star.iter().map(|(x, y)| format!("{:.2},{:.2}", x * r, -y * r)).collect();
    s.push_str(&format!("<polygon points=\"{}\" fill=\"{color}\"/>", pts.join(" ")));
    for gl in &g.glyphs {
        s.push_str(&format!(
            "<text x=\"0\" y=\"0\" font-family=\"Noto Serif CJK SC, SimSun, serif\" font-size=\"{:.2}\" text-anchor=\"middle\" fill=\"{color}\" transform=\"translate({:.2},{:.2}) rotate({:.2})\">{}</text>",
            gl.size * r,
            gl.x * r,
            -gl.y * r,
            -gl.angle.to_degrees(),
            esc(gl.ch)
        ));
    }
    s.push_str("</svg>");
    s.into_bytes()
}
