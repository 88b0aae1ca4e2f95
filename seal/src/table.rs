//! A printable table (the year-end statistics table, 统计表) as PDF: A4 landscape, a centred title
//! and header lines (the workstation, the period), then one or more ruled tables whose header row
//! repeats on every page, and 第 N 页 共 M 页 at the foot. Same embedded CJK font and pen as the
//! notices ([`crate::document`]), so the Chinese text extracts (pdftotext, search, copy).

use pdf_writer::{Content, Finish as _, Name, Pdf, Rect, Ref, TextStr};

use crate::document::{FontRefs, Pen, embed_font};
use crate::error::{Result, SealError};
use crate::font::CjkFont;

// A4 landscape, in points.
const PAGE_W: f32 = 841.89;
const PAGE_H: f32 = 595.28;
const MARGIN: f32 = 36.0;
const TITLE_SIZE: f32 = 16.0;
const HEAD_SIZE: f32 = 9.0;
const CELL: f32 = 8.0;
const PAD: f32 = 3.0;
/// A column is at least this many characters wide: longer headers wrap onto more lines.
const MIN_HEADER_CHARS: f32 = 3.0;

/// One ruled table: a caption above it, the column names, the rows (the first column is the
/// row's name, left-aligned; the others are figures, right-aligned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSection {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The whole printable table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDoc {
    pub title: String,
    /// Lines under the title (the workstation, the period, the day the figures were read).
    pub subtitle: Vec<String>,
    pub sections: Vec<TableSection>,
    /// A last line (how the figures are defined, who made the table).
    pub footer: Option<String>,
}

struct Layout {
    size: f32,
    widths: Vec<f32>,
    header_lines: Vec<Vec<String>>,
    header_h: f32,
    row_h: f32,
}

fn layout(pen: &Pen<'_>, s: &TableSection) -> Result<Layout> {
    let avail = PAGE_W - 2.0 * MARGIN;
    let mut size = CELL;
    loop {
        let mut widths = Vec::with_capacity(s.header.len());
        for (i, h) in s.header.iter().enumerate() {
            let mut w = MIN_HEADER_CHARS * size;
            for r in &s.rows {
                if let Some(c) = r.get(i) {
                    w = w.max(pen.width(c)? * size);
                }
            }
            // The name column keeps its header on one line.
            if i == 0 {
                w = w.max(pen.width(h)? * size);
            }
            widths.push(w + 2.0 * PAD);
        }
        let total: f32 = widths.iter().sum();
        if total > avail && size > 5.0 {
            size -= 0.5;
            continue;
        }
        // Spread what is left so the table fills the width.
        let extra = (avail - total).max(0.0) / widths.len().max(1) as f32;
        for w in &mut widths {
            *w += extra;
        }
        let mut header_lines = Vec::with_capacity(s.header.len());
        for (h, w) in s.header.iter().zip(&widths) {
            header_lines.push(pen.wrap(h, size, w - 2.0 * PAD)?);
        }
        let n = header_lines.iter().map(Vec::len).max().unwrap_or(1) as f32;
        return Ok(Layout {
            size,
            widths,
            header_lines,
            header_h: n * size * 1.25 + 2.0 * PAD,
            row_h: size * 1.25 + 2.0 * PAD,
        });
    }
}

struct Writer<'f> {
    pen: Pen<'f>,
    pages: Vec<Content>,
    y: f32,
}

impl<'f> Writer<'f> {
    /// The pen and the current page, borrowed together.
    fn parts(&mut self) -> Result<(&mut Pen<'f>, &mut Content)> {
        let page = self.pages.last_mut().ok_or_else(|| SealError::Pdf("无页面".into()))?;
        Ok((&mut self.pen, page))
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - MARGIN;
    }

    fn centred(&mut self, text: &str, size: f32) -> Result<()> {
        let w = self.pen.width(text)? * size;
        let y = self.y - size;
        let (pen, c) = self.parts()?;
        pen.text(c, text, size, (PAGE_W - w) / 2.0, y)?;
        self.y -= size * 1.6;
        Ok(())
    }

    /// Left-aligned text, wrapped to the page width.
    fn left(&mut self, text: &str, size: f32) -> Result<()> {
        for line in self.pen.wrap(text, size, PAGE_W - 2.0 * MARGIN)? {
            let y = self.y - size;
            let (pen, c) = self.parts()?;
            pen.text(c, &line, size, MARGIN, y)?;
            self.y -= size * 1.6;
        }
        Ok(())
    }

    /// One row of cells with its rules; `lines[i]` are the lines of cell i.
    fn row(&mut self, l: &Layout, lines: &[Vec<String>], h: f32, header: bool) -> Result<()> {
        let top = self.y;
        let (pen, c) = self.parts()?;
        let mut x = MARGIN;
        let total_w: f32 = l.widths.iter().sum();
        if header {
            c.save_state();
            c.set_fill_gray(0.9);
            c.rect(MARGIN, top - h, total_w, h);
            c.fill_nonzero();
            c.restore_state();
        }
        for (i, (cell, w)) in lines.iter().zip(&l.widths).enumerate() {
            let mut ty = top - PAD - l.size;
            for line in cell {
                let lw = pen.width(line)? * l.size;
                let tx = if header {
                    x + (w - lw) / 2.0
                } else if i == 0 {
                    x + PAD
                } else {
                    x + w - PAD - lw
                };
                pen.text(c, line, l.size, tx, ty + l.size * 0.15)?;
                ty -= l.size * 1.25;
            }
            c.rect(x, top - h, *w, h);
            x += w;
        }
        c.set_line_width(0.5);
        c.stroke();
        self.y -= h;
        Ok(())
    }

    fn section(&mut self, s: &TableSection) -> Result<()> {
        let l = layout(&self.pen, s)?;
        let bottom = MARGIN + 18.0;
        if self.y - HEAD_SIZE * 1.6 - l.header_h - l.row_h < bottom {
            self.new_page();
        }
        self.left(&s.caption, HEAD_SIZE + 1.0)?;
        self.row(&l, &l.header_lines, l.header_h, true)?;
        for r in &s.rows {
            if self.y - l.row_h < bottom {
                self.new_page();
                self.left(&format!("{}（续）", s.caption), HEAD_SIZE + 1.0)?;
                self.row(&l, &l.header_lines, l.header_h, true)?;
            }
            let cells: Vec<Vec<String>> =
                (0..s.header.len()).map(|i| vec![r.get(i).cloned().unwrap_or_default()]).collect();
            self.row(&l, &cells, l.row_h, false)?;
        }
        self.y -= 10.0;
        Ok(())
    }
}

/// Renders `doc` as a PDF (A4 landscape).
///
/// # Errors
/// `MissingGlyph` for a character the font lacks; `Pdf` when the font cannot be subset.
pub fn render_table(doc: &TableDoc, font: &CjkFont) -> Result<Vec<u8>> {
    let mut w = Writer { pen: Pen::new(font)?, pages: Vec::new(), y: 0.0 };
    w.new_page();
    w.centred(&doc.title, TITLE_SIZE)?;
    for s in &doc.subtitle {
        w.centred(s, HEAD_SIZE + 1.0)?;
    }
    w.y -= 6.0;
    for s in &doc.sections {
        w.section(s)?;
    }
    if let Some(f) = &doc.footer {
        if w.y - HEAD_SIZE * 2.0 < MARGIN + 18.0 {
            w.new_page();
        }
        w.left(f, HEAD_SIZE)?;
    }
    let n = w.pages.len();
    for i in 0..n {
        let foot = format!("第 {} 页 共 {} 页", i + 1, n);
        let fw = w.pen.width(&foot)? * HEAD_SIZE;
        w.pen.text(&mut w.pages[i], &foot, HEAD_SIZE, (PAGE_W - fw) / 2.0, MARGIN - 12.0)?;
    }

    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog_id, tree_id, info_id) = (alloc(), alloc(), alloc());
    let refs = FontRefs { type0_id: alloc(), cid_id: alloc(), desc_id: alloc(), file_id: alloc(), cmap_id: alloc() };
    let type0_id = refs.type0_id;
    let page_ids: Vec<(Ref, Ref)> = (0..n).map(|_| (alloc(), alloc())).collect();
    let mut pdf = Pdf::new();
    {
        let mut cat = pdf.catalog(catalog_id);
        cat.pages(tree_id);
        cat.pair(Name(b"Lang"), TextStr("zh-CN"));
    }
    pdf.document_info(info_id).title(TextStr(&doc.title)).producer(TextStr("Yichuang yc-seal"));
    pdf.pages(tree_id).kids(page_ids.iter().map(|(p, _)| *p)).count(i32::try_from(n).unwrap_or(1));
    for ((page_id, content_id), content) in page_ids.iter().zip(std::mem::take(&mut w.pages)) {
        let mut page = pdf.page(*page_id);
        page.parent(tree_id).media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H)).contents(*content_id);
        page.resources().fonts().pair(Name(b"F1"), type0_id);
        page.finish();
        let bytes = content.finish().to_vec();
        pdf.stream(*content_id, &bytes);
    }
    embed_font(&mut pdf, font, &w.pen, refs)?;
    Ok(pdf.finish())
}
