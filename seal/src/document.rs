//! Chinese official notices (文书) as PDF: the case engine fills a [`DocumentSpec`], we lay it out
//! on A4 in the GB/T 9704-2012 manner (版心 156 mm × 225 mm, 3 号 body, 2 号 title) with the seal
//! picture over the issuing department and date (“下压成文日期”).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use pdf_writer::types::{BlendMode, CidFontType, FontFlags, SigFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish as _, Name, Pdf, Rect, Ref, Str, TextStr};
use ring::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};
use subsetter::GlyphRemapper;

use crate::error::{Result, SealError};
use crate::font::CjkFont;
use crate::picture::{SEAL_RED, geometry};
use crate::seal::Seal;

/// Kinds of notice the workstation issues (《行政许可法》第三十二条、第三十八条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocType {
    /// 材料接受告知单 — receipt for materials handed in at the window.
    MaterialReceipt,
    /// 受理通知书.
    Acceptance,
    /// 不予受理通知书 — needs reason and legal basis (§32).
    NonAcceptance,
    /// 补正材料通知书 — the one-time list of everything to supplement (§32(四)).
    SupplementNotice,
    /// 准予行政许可决定书.
    ApprovalDecision,
    /// 不予行政许可决定书 — needs reason, legal basis and remedy (§38).
    RefusalDecision,
    /// 证照 — licence/certificate template.
    Certificate,
}

impl DocType {
    #[must_use]
    pub fn default_title(self) -> &'static str {
        match self {
            Self::MaterialReceipt => "材料接受告知单",
            Self::Acceptance => "受理通知书",
            Self::NonAcceptance => "不予受理通知书",
            Self::SupplementNotice => "补正材料通知书",
            Self::ApprovalDecision => "准予行政许可决定书",
            Self::RefusalDecision => "不予行政许可决定书",
            Self::Certificate => "行政许可证",
        }
    }

    /// Stable code (the serde name), as the QR payload carries it.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::MaterialReceipt => "MaterialReceipt",
            Self::Acceptance => "Acceptance",
            Self::NonAcceptance => "NonAcceptance",
            Self::SupplementNotice => "SupplementNotice",
            Self::ApprovalDecision => "ApprovalDecision",
            Self::RefusalDecision => "RefusalDecision",
            Self::Certificate => "Certificate",
        }
    }

    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::MaterialReceipt,
            Self::Acceptance,
            Self::NonAcceptance,
            Self::SupplementNotice,
            Self::ApprovalDecision,
            Self::RefusalDecision,
            Self::Certificate,
        ]
        .into_iter()
        .find(|t| t.code() == code)
    }

    /// What the document decides, in the words a reader compares with the paper.
    #[must_use]
    pub fn decision_text(self) -> &'static str {
        match self {
            Self::MaterialReceipt => "材料已接收",
            Self::Acceptance => "予以受理",
            Self::NonAcceptance => "不予受理",
            Self::SupplementNotice => "一次性告知补正材料",
            Self::ApprovalDecision => "准予行政许可",
            Self::RefusalDecision => "不予行政许可",
            Self::Certificate => "准予行政许可（证照）",
        }
    }

    fn needs_reason_and_basis(self) -> bool {
        matches!(self, Self::NonAcceptance | Self::RefusalDecision)
    }
}

/// A labelled line of a certificate (证照) — e.g. 有效期限 / 2026年11月23日至2031年11月22日.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateField {
    pub label: String,
    pub value: String,
}

/// Everything a notice shows. Filled by the case engine; hashed canonically for the QR code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSpec {
    pub doc_type: DocType,
    /// Overrides [`DocType::default_title`].
    pub title: Option<String>,
    /// Unique id of this document (e.g. a UUID v7), carried in the QR payload.
    pub doc_id: String,
    /// 文号, e.g. "某市监许字〔2026〕第0001号".
    pub doc_number: String,
    /// 办件编号.
    pub case_number: String,
    pub applicant_name: String,
    /// Resident ID or unified social credit code.
    pub applicant_id: String,
    /// 事项名称.
    pub item_name: String,
    /// Body paragraphs; for refusals the first states the reason.
    pub body: Vec<String>,
    /// Numbered list (materials received, or the one-time supplement list).
    pub list_items: Vec<String>,
    pub legal_basis: Option<String>,
    pub department: String,
    /// 成文日期, Beijing calendar date.
    pub date: NaiveDate,
    /// Optional case-lookup QR (材料接受告知单); the verification QR is added when sealing.
    pub qr_payload: Option<String>,
    pub certificate_fields: Vec<CertificateField>,
    /// Drawn large and diagonal across every page, inside the body stream (so the verification
    /// QR's content hash covers it): 样本 on a training workstation's documents. Left out of the
    /// canonical JSON when absent, so the hash of every document without one is unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<String>,
}

const SPEC_HASH_DOMAIN: &[u8] = b"yc-doc-spec/1\n";

impl DocumentSpec {
    #[must_use]
    pub fn title_text(&self) -> &str {
        self.title.as_deref().unwrap_or(self.doc_type.default_title())
    }

    /// SHA-256 over `"yc-doc-spec/1\n" || JSON(spec)` (serde_json, fields in declaration order,
    /// no whitespace). This is what the on-page QR code vouches for: the QR is drawn before the
    /// PDF signature exists, so it cannot cover the file bytes.
    #[must_use]
    pub fn canonical_hash(&self) -> [u8; 32] {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut buf = SPEC_HASH_DOMAIN.to_vec();
        buf.extend_from_slice(&json);
        let d = digest(&SHA256, &buf);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }

    /// Reject notices that the statute would make defective.
    ///
    /// # Errors
    /// `InvalidSpec` naming the missing part.
    pub fn validate(&self) -> Result<()> {
        let need = |v: &str, what: &str| {
            if v.trim().is_empty() { Err(SealError::InvalidSpec(format!("缺少{what}"))) } else { Ok(()) }
        };
        need(&self.doc_id, "文书编号（doc_id）")?;
        need(&self.department, "发文机关")?;
        need(&self.applicant_name, "申请人名称")?;
        need(&self.item_name, "事项名称")?;
        need(&self.case_number, "办件编号")?;
        if self.doc_type.needs_reason_and_basis() {
            if self.body.iter().all(|p| p.trim().is_empty()) {
                return Err(SealError::InvalidSpec(
                    "不予受理/不予许可必须说明理由（《行政许可法》第三十二条、第三十八条）".into(),
                ));
            }
            if self.legal_basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
                return Err(SealError::InvalidSpec("不予受理/不予许可必须写明法律依据".into()));
            }
        }
        if self.doc_type == DocType::SupplementNotice && self.list_items.is_empty() {
            return Err(SealError::InvalidSpec(
                "补正材料通知书必须一次性列明全部补正内容（《行政许可法》第三十二条）".into(),
            ));
        }
        Ok(())
    }
}

/// What sealing adds to the page: the seal picture, and the verification QR whose payload is
/// made from the content hash of the pages (`qr`, called once the body is drawn).
pub(crate) struct SealMark<'a> {
    pub seal: &'a Seal,
    pub qr: &'a dyn Fn(&[u8; 32]) -> Result<String>,
}

/// A rendered notice: the PDF, the verification QR text it carries, the content hash it binds.
pub(crate) struct Rendered {
    pub pdf: Vec<u8>,
    pub qr_payload: Option<String>,
}

const CONTENT_HASH_DOMAIN: &[u8] = b"yc-doc-content/1\n";
/// First line of the overlay stream that draws the verification QR: `%YC-QR x y size payload`.
pub(crate) const QR_COMMENT: &[u8] = b"%YC-QR ";

/// The content hash the verification QR binds: SHA-256 over `"yc-doc-content/1\n"` and, page by
/// page, the 8-byte big-endian length and bytes of the page's **body content stream** (the first
/// `/Contents` stream: every text, line and the seal picture). The last page's second stream, the
/// QR overlay, is excluded — it cannot contain its own hash. The body streams are written
/// uncompressed, so a verifier reads them straight from the file.
pub(crate) fn content_hash(bodies: &[&[u8]]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&SHA256);
    ctx.update(CONTENT_HASH_DOMAIN);
    for b in bodies {
        ctx.update(&(b.len() as u64).to_be_bytes());
        ctx.update(b);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// The `/Sig` dictionary written with placeholders that sealing patches in place.
pub(crate) struct SigPlaceholder {
    /// Bytes reserved for the DER CMS (hex doubles it in the file).
    pub capacity: usize,
    pub name: String,
    pub reason: String,
    pub location: String,
    /// PDF date string "D:YYYYMMDDHHmmSS+08'00'".
    pub signing_date: String,
}

pub(crate) const PLACEHOLDER_BYTE: u8 = 0xAB;
pub(crate) const BYTE_RANGE_PLACEHOLDER: i32 = 1_111_111_111;

// A4 and the GB/T 9704 type area, in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const LEFT: f32 = 79.4;
const TEXT_W: f32 = 442.2;
const TOP_BASELINE: f32 = 737.0;
const BOTTOM: f32 = 99.2;
const BODY: f32 = 16.0;
const LEADING: f32 = 28.9;
const TITLE: f32 = 22.0;
const MM: f32 = 72.0 / 25.4;
/// Verification QR side: ~30 mm, so the ~65-module code keeps ~0.45 mm modules for phones.
const QR_SIZE: f32 = 80.0;
const CERT_FRAME_OUTER: f32 = 40.0;
const CERT_FRAME_INNER: f32 = 48.0;

pub(crate) struct Pen<'f> {
    face: ttf_parser::Face<'f>,
    upem: f32,
    remap: GlyphRemapper,
    cmap: BTreeMap<u16, char>,
    widths: BTreeMap<u16, f32>,
}

impl<'f> Pen<'f> {
    /// A pen over the font's Chinese face; it records every glyph used for the subset.
    pub(crate) fn new(font: &'f CjkFont) -> Result<Self> {
        let face = font.face()?;
        let upem = f32::from(face.units_per_em());
        Ok(Pen { face, upem, remap: GlyphRemapper::new(), cmap: BTreeMap::new(), widths: BTreeMap::new() })
    }

    fn advance(&self, c: char) -> Result<Option<(ttf_parser::GlyphId, f32)>> {
        match self.face.glyph_index(c) {
            Some(g) => {
                let adv = f32::from(self.face.glyph_hor_advance(g).unwrap_or(0)) / self.upem;
                Ok(Some((g, adv)))
            }
            None if c.is_whitespace() || c.is_control() => Ok(None),
            None => Err(SealError::MissingGlyph(c)),
        }
    }

    /// Width of `s` in em.
    pub(crate) fn width(&self, s: &str) -> Result<f32> {
        let mut w = 0.0;
        for c in s.chars() {
            w += self.advance(c)?.map_or(0.5, |(_, a)| a);
        }
        Ok(w)
    }

    fn encode(&mut self, s: &str) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(s.len() * 2);
        for c in s.chars() {
            let (g, adv) = match self.advance(c)? {
                Some(x) => x,
                // Map unprintable whitespace to the ideographic space so spacing survives.
                None => match self.advance('\u{3000}')? {
                    Some(x) => x,
                    None => continue,
                },
            };
            let cid = self.remap.remap(g.0);
            self.cmap.entry(cid).or_insert(c);
            self.widths.insert(cid, adv * 1000.0);
            out.extend_from_slice(&cid.to_be_bytes());
        }
        Ok(out)
    }

    pub(crate) fn text(&mut self, c: &mut Content, s: &str, size: f32, x: f32, y: f32) -> Result<()> {
        self.text_matrix(c, s, size, [1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn text_matrix(&mut self, c: &mut Content, s: &str, size: f32, m: [f32; 6]) -> Result<()> {
        let bytes = self.encode(s)?;
        c.begin_text();
        c.set_font(Name(b"F1"), size);
        c.set_text_matrix(m);
        c.show(Str(&bytes));
        c.end_text();
        Ok(())
    }

    /// Break a paragraph into lines no wider than `width_pt`; closing punctuation never starts a
    /// line, and an identifier (a run of ASCII letters, digits, '-' and '*': credit codes, ID
    /// numbers, case numbers) moves to the next line whole rather than breaking, unless it is
    /// wider than a whole line.
    pub(crate) fn wrap(&self, text: &str, size: f32, width_pt: f32) -> Result<Vec<String>> {
        const NO_START: &str = "，。、；：？！）》」』”’,.;:?!)%";
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '*';
        let mut tokens: Vec<String> = Vec::new();
        for ch in text.chars() {
            match tokens.last_mut() {
                Some(t) if ident(ch) && t.chars().last().is_some_and(ident) => t.push(ch),
                _ => tokens.push(ch.to_string()),
            }
        }
        let mut lines = Vec::new();
        let mut line = String::new();
        let mut w = 0.0;
        for tok in tokens {
            let tw = self.width(&tok)? * size;
            let first = tok.chars().next().unwrap_or(' ');
            if w + tw > width_pt && !line.is_empty() && !NO_START.contains(first) {
                if tw <= width_pt {
                    lines.push(std::mem::take(&mut line));
                    w = 0.0;
                } else {
                    // Wider than a line: break inside, character by character.
                    for ch in tok.chars() {
                        let cw = self.advance(ch)?.map_or(0.5, |(_, a)| a) * size;
                        if w + cw > width_pt && !line.is_empty() {
                            lines.push(std::mem::take(&mut line));
                            w = 0.0;
                        }
                        line.push(ch);
                        w += cw;
                    }
                    continue;
                }
            }
            line.push_str(&tok);
            w += tw;
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        Ok(lines)
    }
}

enum Block {
    Title(String),
    Center(String),
    /// Indented two characters (首行缩进二字).
    Para(String),
    /// Hanging text without indent.
    Plain(String),
    Gap(f32),
}

fn id_label(id: &str) -> &'static str {
    if id.chars().count() == 18
        && id.chars().take(2).all(|c| c.is_ascii_digit())
        && !id.chars().any(|c| c.is_ascii_uppercase() && c != 'X')
    {
        "身份证号"
    } else {
        "统一社会信用代码"
    }
}

fn blocks_for(spec: &DocumentSpec) -> Vec<Block> {
    let mut b = vec![Block::Title(spec.title_text().to_string())];
    if !spec.doc_number.is_empty() {
        b.push(Block::Center(if spec.doc_type == DocType::Certificate {
            format!("证书编号：{}", spec.doc_number)
        } else {
            spec.doc_number.clone()
        }));
    }
    b.push(Block::Gap(LEADING * 0.5));
    if spec.doc_type == DocType::Certificate {
        b.push(Block::Plain(format!("持 证 人：{}", spec.applicant_name)));
        b.push(Block::Plain(format!("{}：{}", id_label(&spec.applicant_id), spec.applicant_id)));
        b.push(Block::Plain(format!("许可事项：{}", spec.item_name)));
        for f in &spec.certificate_fields {
            b.push(Block::Plain(format!("{}：{}", f.label, f.value)));
        }
        for p in &spec.body {
            b.push(Block::Para(p.clone()));
        }
        b.push(Block::Plain(format!("办件编号：{}", spec.case_number)));
        return b;
    }
    b.push(Block::Plain(format!(
        "{}（{}：{}）：",
        spec.applicant_name,
        id_label(&spec.applicant_id),
        spec.applicant_id
    )));
    for p in &spec.body {
        b.push(Block::Para(p.clone()));
    }
    if !spec.list_items.is_empty() {
        let head = match spec.doc_type {
            DocType::SupplementNotice => "请一次性补正以下材料：",
            DocType::MaterialReceipt => "已接收材料清单：",
            _ => "",
        };
        if !head.is_empty() {
            b.push(Block::Para(head.into()));
        }
        for (i, item) in spec.list_items.iter().enumerate() {
            b.push(Block::Para(format!("{}．{item}", i + 1)));
        }
    }
    if let Some(basis) = spec.legal_basis.as_deref().filter(|s| !s.trim().is_empty()) {
        b.push(Block::Para(format!("依据：{basis}")));
    }
    if spec.doc_type.needs_reason_and_basis() {
        b.push(Block::Para(remedy_sentence(spec.doc_type)));
    }
    b.push(Block::Gap(LEADING * 0.3));
    b.push(Block::Plain(format!("事项名称：{}", spec.item_name)));
    b.push(Block::Plain(format!("办件编号：{}", spec.case_number)));
    b
}

/// The remedy notice (《行政复议法》第二十条 60 日, 《行政诉讼法》第四十六条 6 个月), printed once
/// on every refusal and non-acceptance — the case engine must not add its own.
#[must_use]
pub fn remedy_sentence(doc_type: DocType) -> String {
    let doc = if doc_type == DocType::NonAcceptance { "通知书" } else { "决定书" };
    format!("如不服本决定，可以自收到本{doc}之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。")
}

/// 成文日期 and dates in the body as GB/T 9704 writes them: 2026年10月21日 (no zero padding).
#[must_use]
pub fn chinese_date(d: NaiveDate) -> String {
    use chrono::Datelike as _;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn circle(c: &mut Content, cx: f32, cy: f32, r: f32) {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    c.move_to(cx + r, cy);
    c.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    c.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    c.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    c.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    c.close_path();
}

fn draw_seal(c: &mut Content, pen: &mut Pen<'_>, seal: &Seal, cx: f32, cy: f32, r: f32) -> Result<()> {
    let info = seal.info();
    let g = geometry(&info.property.department, info.property.seal_type);
    let (sr, sg, sb) = SEAL_RED;
    c.save_state();
    c.set_parameters(Name(b"GS1"));
    c.set_stroke_rgb(sr, sg, sb);
    c.set_fill_rgb(sr, sg, sb);
    c.set_line_width(g.ring_width * r);
    circle(c, cx, cy, r * (1.0 - g.ring_width / 2.0));
    c.stroke();
    if let Some((x0, y0)) = g.star.first() {
        c.move_to(cx + x0 * r, cy + y0 * r);
        for (x, y) in g.star.iter().skip(1) {
            c.line_to(cx + x * r, cy + y * r);
        }
        c.close_path();
        c.fill_nonzero();
    }
    for gl in &g.glyphs {
        let size = gl.size * r;
        let s = gl.ch.to_string();
        let w = pen.width(&s)? * size;
        let (sin, cos) = gl.angle.sin_cos();
        // Shift left by half the advance along the rotated baseline so the glyph is centred.
        let x = cx + gl.x * r - cos * w / 2.0;
        let y = cy + gl.y * r - sin * w / 2.0;
        pen.text_matrix(c, &s, size, [cos, sin, -sin, cos, x, y])?;
    }
    c.restore_state();
    Ok(())
}

fn draw_qr(c: &mut Content, payload: &str, x: f32, y: f32, size: f32) -> Result<()> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| SealError::Pdf(format!("二维码生成失败：{e}")))?;
    let n = code.width();
    let m = size / n as f32;
    let colors = code.to_colors();
    c.save_state();
    c.set_fill_rgb(0.0, 0.0, 0.0);
    for (i, col) in colors.iter().enumerate() {
        if *col == qrcode::Color::Dark {
            let (row, column) = (i / n, i % n);
            c.rect(x + column as f32 * m, y + size - (row as f32 + 1.0) * m, m, m);
        }
    }
    c.fill_nonzero();
    c.restore_state();
    Ok(())
}

/// Render an unsealed draft (no seal picture, no verification QR, no signature field) — for
/// preview on screen; a draft carries no legal effect.
///
/// # Errors
/// `InvalidSpec`, `MissingGlyph`, `Pdf`.
pub fn render_draft(spec: &DocumentSpec, font: &CjkFont) -> Result<Vec<u8>> {
    render(spec, font, None, None).map(|r| r.pdf)
}

/// An unsigned notice with the seal picture and a given QR text — what a forger makes by pasting
/// a genuine code onto another paper. Exists only so tests can check the verifier catches it.
///
/// # Errors
/// As [`render_draft`].
#[doc(hidden)]
pub fn render_forgery_with_qr(spec: &DocumentSpec, font: &CjkFont, seal: &Seal, qr_payload: &str) -> Result<Vec<u8>> {
    let qr = |_: &[u8; 32]| Ok(qr_payload.to_owned());
    render(spec, font, Some(&SealMark { seal, qr: &qr }), None).map(|r| r.pdf)
}

/// Where the verification QR goes: bottom left of the type area, inside a certificate's frame.
pub(crate) fn qr_position(doc_type: DocType) -> (f32, f32, f32) {
    if doc_type == DocType::Certificate { (LEFT, CERT_FRAME_INNER + 10.0, QR_SIZE) } else { (LEFT, 16.0, QR_SIZE) }
}

/// The overlay stream: the comment naming the payload, then the QR modules exactly as
/// [`draw_qr`] draws them (a verifier redraws and compares), then the caption.
pub(crate) fn qr_overlay_prefix(payload: &str, x: f32, y: f32, size: f32) -> Result<Vec<u8>> {
    let mut c = Content::new();
    draw_qr(&mut c, payload, x, y, size)?;
    let mut out = QR_COMMENT.to_vec();
    out.extend_from_slice(format!("{x} {y} {size} {payload}\n").as_bytes());
    out.extend_from_slice(&c.finish());
    Ok(out)
}

pub(crate) fn render(
    spec: &DocumentSpec,
    font: &CjkFont,
    mark: Option<&SealMark<'_>>,
    sig: Option<&SigPlaceholder>,
) -> Result<Rendered> {
    spec.validate()?;
    let mut pen = Pen::new(font)?;
    let mut pages: Vec<Content> = vec![Content::new()];
    let mut y = TOP_BASELINE;
    let is_cert = spec.doc_type == DocType::Certificate;
    // Text stays above the verification QR (and its frame on a certificate): nothing crosses it.
    let (_, qr_y, qr_size) = qr_position(spec.doc_type);
    let bottom = BOTTOM.max(qr_y + qr_size + 8.0);

    for block in blocks_for(spec) {
        let (lines, size, indent, center): (Vec<String>, f32, bool, bool) = match block {
            Block::Gap(h) => {
                y -= h;
                continue;
            }
            Block::Title(t) => (
                pen.wrap(&t, if is_cert { 30.0 } else { TITLE }, TEXT_W)?,
                if is_cert { 30.0 } else { TITLE },
                false,
                true,
            ),
            Block::Center(t) => (pen.wrap(&t, BODY, TEXT_W)?, BODY, false, true),
            Block::Para(t) => (pen.wrap(&format!("\u{3000}\u{3000}{t}"), BODY, TEXT_W)?, BODY, true, false),
            Block::Plain(t) => (pen.wrap(&t, BODY, TEXT_W)?, BODY, false, false),
        };
        let _ = indent;
        for line in lines {
            if y < bottom {
                pages.push(Content::new());
                y = TOP_BASELINE;
            }
            let x = if center { LEFT + (TEXT_W - pen.width(&line)? * size) / 2.0 } else { LEFT };
            let page = pages.last_mut().ok_or_else(|| SealError::Pdf("无页面".into()))?;
            pen.text(page, &line, size, x, y)?;
            y -= if size > BODY { size * 1.8 } else { LEADING };
        }
    }

    // Signature block: 发文机关署名 and 成文日期, date 右空四字, name centred over the date.
    let date = chinese_date(spec.date);
    let date_w = pen.width(&date)? * BODY;
    let dept_w = pen.width(&spec.department)? * BODY;
    let date_x = LEFT + TEXT_W - 4.0 * BODY - date_w;
    let block_center = date_x + date_w / 2.0;
    let dept_x = (block_center - dept_w / 2.0).min(LEFT + TEXT_W - dept_w).max(LEFT);
    let mut dept_y = y - LEADING * 1.5;
    if dept_y - LEADING < bottom + 10.0 {
        pages.push(Content::new());
        dept_y = TOP_BASELINE - LEADING * 2.0;
    }
    let date_y = dept_y - LEADING;
    let page_count = pages.len();
    {
        let last = pages.last_mut().ok_or_else(|| SealError::Pdf("无页面".into()))?;
        pen.text(last, &spec.department, BODY, dept_x, dept_y)?;
        pen.text(last, &date, BODY, date_x, date_y)?;
        if let Some(m) = mark {
            draw_seal(last, &mut pen, m.seal, block_center, (dept_y + date_y) / 2.0 + 5.0, 21.0 * MM)?;
        } else {
            pen.text(last, "（草稿，未加盖电子印章，不具法律效力）", 9.0, LEFT, 40.0)?;
        }
    }
    if let Some(q) = spec.qr_payload.as_deref().filter(|q| !q.is_empty()) {
        let first = pages.first_mut().ok_or_else(|| SealError::Pdf("无页面".into()))?;
        draw_qr(first, q, LEFT + TEXT_W - 56.0, PAGE_H - 96.0, 56.0)?;
        pen.text(first, "扫码查询办件", 9.0, LEFT + TEXT_W - 56.0, PAGE_H - 106.0)?;
    }
    if is_cert {
        for page in &mut pages {
            page.save_state();
            page.set_stroke_rgb(0.7, 0.55, 0.2);
            page.set_line_width(3.0);
            page.rect(
                CERT_FRAME_OUTER,
                CERT_FRAME_OUTER,
                PAGE_W - 2.0 * CERT_FRAME_OUTER,
                PAGE_H - 2.0 * CERT_FRAME_OUTER,
            );
            page.stroke();
            page.set_line_width(1.0);
            page.rect(
                CERT_FRAME_INNER,
                CERT_FRAME_INNER,
                PAGE_W - 2.0 * CERT_FRAME_INNER,
                PAGE_H - 2.0 * CERT_FRAME_INNER,
            );
            page.stroke();
            page.restore_state();
        }
    }

    if let Some(w) = spec.watermark.as_deref().filter(|w| !w.trim().is_empty()) {
        let size = 150.0_f32;
        let (sin, cos) = std::f32::consts::FRAC_PI_6.sin_cos();
        let width = pen.width(w)? * size;
        // Centred on the page, rising 30°: the text's midpoint sits at the page's centre.
        let x = PAGE_W / 2.0 - (width / 2.0) * cos + (size / 3.0) * sin;
        let y = PAGE_H / 2.0 - (width / 2.0) * sin - (size / 3.0) * cos;
        // Outlined, not filled: the text under it stays readable.
        for page in &mut pages {
            page.save_state();
            page.set_stroke_rgb(0.85, 0.2, 0.2);
            page.set_line_width(1.5);
            page.set_text_rendering_mode(pdf_writer::types::TextRenderingMode::Stroke);
            pen.text_matrix(page, w, size, [cos, sin, -sin, cos, x, y])?;
            page.restore_state();
        }
    }
    let bodies: Vec<Vec<u8>> = pages.into_iter().map(|c| c.finish().to_vec()).collect();
    let mut qr_payload = None;
    let mut overlay = None;
    if let Some(m) = mark {
        let refs: Vec<&[u8]> = bodies.iter().map(Vec::as_slice).collect();
        let payload = (m.qr)(&content_hash(&refs))?;
        let (x, y, size) = qr_position(spec.doc_type);
        let mut bytes = qr_overlay_prefix(&payload, x, y, size)?;
        // `Content::finish` leaves no whitespace after the QR's closing `Q`; without one the
        // caption's `BT` fused into `QBT` (poppler: Unknown operator 'QBT'). Outside the prefix,
        // so documents sealed before the fix still match what the verifier redraws.
        bytes.push(b'\n');
        let mut caption = Content::new();
        pen.text(
            &mut caption,
            "扫码核验：办件、文号、申请人、决定、日期应与本文书一致",
            9.0,
            x + size + 8.0,
            y + 14.0,
        )?;
        pen.text(&mut caption, &format!("办件编号：{}", spec.case_number), 9.0, x + size + 8.0, y)?;
        bytes.extend_from_slice(&caption.finish());
        overlay = Some(bytes);
        qr_payload = Some(payload);
    }
    let pdf = write_pdf(spec, font, pen, bodies, overlay, page_count, sig)?;
    Ok(Rendered { pdf, qr_payload })
}

fn write_pdf(
    spec: &DocumentSpec,
    font: &CjkFont,
    pen: Pen<'_>,
    pages: Vec<Vec<u8>>,
    overlay: Option<Vec<u8>>,
    page_count: usize,
    sig: Option<&SigPlaceholder>,
) -> Result<Vec<u8>> {
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = alloc();
    let tree_id = alloc();
    let info_id = alloc();
    let type0_id = alloc();
    let cid_id = alloc();
    let desc_id = alloc();
    let file_id = alloc();
    let cmap_id = alloc();
    let gs_id = alloc();
    let widget_id = alloc();
    let sig_id = alloc();
    let page_ids: Vec<(Ref, Ref)> = (0..page_count).map(|_| (alloc(), alloc())).collect();
    let overlay_id = alloc();

    let mut pdf = Pdf::new();
    {
        let mut cat = pdf.catalog(catalog_id);
        cat.pages(tree_id);
        cat.pair(Name(b"Lang"), TextStr("zh-CN"));
        if sig.is_some() {
            cat.form().fields([widget_id]).sig_flags(SigFlags::SIGNATURES_EXIST | SigFlags::APPEND_ONLY);
        }
    }
    pdf.document_info(info_id).title(TextStr(spec.title_text())).producer(TextStr("Yichuang yc-seal"));
    pdf.pages(tree_id).kids(page_ids.iter().map(|(p, _)| *p)).count(i32::try_from(page_count).unwrap_or(1));
    for (i, ((page_id, content_id), content)) in page_ids.iter().zip(pages).enumerate() {
        let mut page = pdf.page(*page_id);
        page.parent(tree_id).media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        if overlay.is_some() && i + 1 == page_count {
            page.contents_array([*content_id, overlay_id]);
        } else {
            page.contents(*content_id);
        }
        {
            let mut res = page.resources();
            res.fonts().pair(Name(b"F1"), type0_id);
            res.ext_g_states().pair(Name(b"GS1"), gs_id);
        }
        if sig.is_some() && i + 1 == page_count {
            page.annotations([widget_id]);
        }
        page.finish();
        pdf.stream(*content_id, &content);
    }
    if let Some(o) = &overlay {
        pdf.stream(overlay_id, o);
    }
    pdf.ext_graphics(gs_id).blend_mode(BlendMode::Multiply).non_stroking_alpha(0.9).stroking_alpha(0.9);

    embed_font(&mut pdf, font, &pen, FontRefs { type0_id, cid_id, desc_id, file_id, cmap_id })?;

    if let Some(sig) = sig {
        let last_page = page_ids.last().map(|(p, _)| *p).ok_or_else(|| SealError::Pdf("无页面".into()))?;
        {
            let mut w = pdf.indirect(widget_id).dict();
            w.pair(Name(b"Type"), Name(b"Annot"));
            w.pair(Name(b"Subtype"), Name(b"Widget"));
            w.pair(Name(b"FT"), Name(b"Sig"));
            w.pair(Name(b"T"), TextStr("电子印章"));
            w.pair(Name(b"F"), 132);
            w.pair(Name(b"Rect"), Rect::new(0.0, 0.0, 0.0, 0.0));
            w.pair(Name(b"P"), last_page);
            w.pair(Name(b"V"), sig_id);
        }
        // Written last so the placeholders sit at the end of the body; patched in place later.
        let placeholder = vec![PLACEHOLDER_BYTE; sig.capacity];
        let mut d = pdf.indirect(sig_id).dict();
        d.pair(Name(b"Type"), Name(b"Sig"));
        d.pair(Name(b"Filter"), Name(b"Adobe.PPKLite"));
        d.pair(Name(b"SubFilter"), Name(b"ETSI.CAdES.detached"));
        d.insert(Name(b"ByteRange")).array().items([
            0,
            BYTE_RANGE_PLACEHOLDER,
            BYTE_RANGE_PLACEHOLDER,
            BYTE_RANGE_PLACEHOLDER,
        ]);
        d.pair(Name(b"Contents"), Str(&placeholder));
        d.pair(Name(b"Name"), TextStr(&sig.name));
        d.pair(Name(b"Reason"), TextStr(&sig.reason));
        d.pair(Name(b"Location"), TextStr(&sig.location));
        d.pair(Name(b"M"), Str(sig.signing_date.as_bytes()));
    }
    Ok(pdf.finish())
}

/// The objects of the embedded font.
pub(crate) struct FontRefs {
    pub type0_id: Ref,
    pub cid_id: Ref,
    pub desc_id: Ref,
    pub file_id: Ref,
    pub cmap_id: Ref,
}

/// Writes the font the pen used (resource name `F1` refers to `type0_id`): the glyphs drawn,
/// subset, with a ToUnicode map so the text extracts (copy, search, pdftotext).
pub(crate) fn embed_font(pdf: &mut Pdf, font: &CjkFont, pen: &Pen<'_>, refs: FontRefs) -> Result<()> {
    let FontRefs { type0_id, cid_id, desc_id, file_id, cmap_id } = refs;
    // Font: subset, CFF-in-OpenType as FontFile3, CID = subset glyph id.
    let subset = subsetter::subset(font.data(), font.index(), &pen.remap)
        .map_err(|e| SealError::Pdf(format!("字体子集化失败：{e:?}")))?;
    let ps_name = pen
        .face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| "NotoCJKSC".into());
    let base_font = format!("YCSEAL+{ps_name}");
    let scale = 1000.0 / pen.upem;
    pdf.type0_font(type0_id)
        .base_font(Name(base_font.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);
    let num_glyphs = pen.remap.num_gids();
    let widths: Vec<f32> = (0..num_glyphs).map(|g| pen.widths.get(&g).copied().unwrap_or(0.0)).collect();
    {
        let mut cid = pdf.cid_font(cid_id);
        cid.subtype(CidFontType::Type0)
            .base_font(Name(base_font.as_bytes()))
            .system_info(SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 })
            .font_descriptor(desc_id)
            .default_width(1000.0);
        cid.widths().consecutive(0, widths);
    }
    let bbox = pen.face.global_bounding_box();
    pdf.font_descriptor(desc_id)
        .name(Name(base_font.as_bytes()))
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            f32::from(bbox.x_min) * scale,
            f32::from(bbox.y_min) * scale,
            f32::from(bbox.x_max) * scale,
            f32::from(bbox.y_max) * scale,
        ))
        .italic_angle(0.0)
        .ascent(f32::from(pen.face.ascender()) * scale)
        .descent(f32::from(pen.face.descender()) * scale)
        .cap_height(f32::from(pen.face.capital_height().unwrap_or(pen.face.ascender())) * scale)
        .stem_v(80.0)
        .font_file3(file_id);
    pdf.stream(file_id, &subset).pair(Name(b"Subtype"), Name(b"OpenType"));
    let mut cmap =
        UnicodeCmap::new(Name(b"Custom"), SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"UCS"), supplement: 0 });
    for (g, ch) in &pen.cmap {
        cmap.pair(*g, *ch);
    }
    let cmap_data = cmap.finish();
    pdf.cmap(cmap_id, &cmap_data);
    Ok(())
}
