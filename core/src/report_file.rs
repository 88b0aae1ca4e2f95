//! The statistics table ([`crate::report::Report`]) as files: CSV (UTF-8 with BOM), XLSX and a
//! printable PDF with the workstation's header. The CLI (`yc report --csv/--xlsx/--pdf`) and the
//! desktop's 监察 tab (export buttons) write the same bytes. CSV and XLSX carry every column of
//! [`report::columns`]; the PDF prints them all too, in three tables that fit A4 landscape.

use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::report::{self, Cell, Report, Row};

/// Which file.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Xlsx,
    Pdf,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
            FileFormat::Pdf => "pdf",
        }
    }
}

/// The table's header: the workstation, the grouping, the period and the day read.
pub fn title(r: &Report) -> String {
    let by = r.by.map_or(String::new(), |b| format!("（按{}）", b.zh()));
    format!(
        "{}（{}）政务服务统计表{by}  统计期间 {} 至 {}  截至 {}",
        r.workstation, r.workstation_label, r.from, r.to, r.as_of
    )
}

/// The rows, then the total.
pub fn body(r: &Report) -> impl Iterator<Item = &Row> {
    r.rows.iter().chain(std::iter::once(&r.total))
}

/// What a row is called in print: its label, its key, or 合计 for the total.
pub fn row_name<'a>(r: &'a Report, row: &'a Row) -> &'a str {
    if std::ptr::eq(row, &r.total) {
        "合计"
    } else if row.label.is_empty() {
        if row.key.is_empty() { "（未填）" } else { &row.key }
    } else {
        &row.label
    }
}

/// The bytes of `r` as `format`.
pub fn render(r: &Report, format: FileFormat) -> Result<Vec<u8>> {
    match format {
        FileFormat::Csv => Ok(csv(r)),
        FileFormat::Xlsx => xlsx(r),
        FileFormat::Pdf => pdf(r),
    }
}

fn csv_field(c: &Cell) -> String {
    match c {
        Cell::Text(t) if t.contains([',', '"', '\n', '\r']) => format!("\"{}\"", t.replace('"', "\"\"")),
        Cell::Text(t) => t.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Num(None) => String::new(),
        Cell::Num(Some(v)) => format!("{v}"),
    }
}

/// One header line (the Chinese column names), then the rows and the total. The title is not in
/// the CSV: a CSV is read by programs, and a title line would break its header.
pub fn csv(r: &Report) -> Vec<u8> {
    let cols = report::columns();
    let mut text = String::from("\u{feff}");
    let head: Vec<Cell> = cols.iter().map(|(_, zh)| Cell::Text(zh.clone())).collect();
    text.push_str(&head.iter().map(csv_field).collect::<Vec<_>>().join(","));
    text.push_str("\r\n");
    for row in body(r) {
        text.push_str(&row.cells().iter().map(csv_field).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    text.into_bytes()
}

fn col(i: usize) -> Result<u16> {
    u16::try_from(i).map_err(|_| CoreError::Invalid("统计表列数过多".into()))
}

/// Row 1: the workstation and the period (the table's header); row 2: column names; then the
/// rows and the total, numbers as numbers (rates formatted as percentages).
pub fn xlsx(r: &Report) -> Result<Vec<u8>> {
    let xl = |e: rust_xlsxwriter::XlsxError| CoreError::Invalid(format!("生成 Excel 统计表失败：{e}"));
    let cols = report::columns();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("统计表").map_err(xl)?;
    let bold = Format::new().set_bold();
    let rate = Format::new().set_num_format("0.0%");
    let dec = Format::new().set_num_format("0.00");
    ws.write_string_with_format(0, 0, title(r), &bold).map_err(xl)?;
    for (i, (_, zh)) in cols.iter().enumerate() {
        ws.write_string_with_format(1, col(i)?, zh, &bold).map_err(xl)?;
    }
    for (n, row) in body(r).enumerate() {
        let y = u32::try_from(n + 2).map_err(|_| CoreError::Invalid("统计表行数过多".into()))?;
        for (i, (cell, (code, _))) in row.cells().iter().zip(&cols).enumerate() {
            let x = col(i)?;
            #[allow(clippy::cast_precision_loss)]
            match cell {
                Cell::Text(t) => ws.write_string(y, x, t).map(|_| ()),
                Cell::Int(v) => ws.write_number(y, x, *v as f64).map(|_| ()),
                Cell::Num(None) => Ok(()),
                Cell::Num(Some(v)) if code.ends_with("rate") => {
                    ws.write_number_with_format(y, x, *v, &rate).map(|_| ())
                }
                Cell::Num(Some(v)) => ws.write_number_with_format(y, x, *v, &dec).map(|_| ()),
            }
            .map_err(xl)?;
        }
    }
    ws.set_freeze_panes(2, 2).map_err(xl)?;
    wb.save_to_buffer().map_err(xl)
}

/// A figure as printed: counts as integers, rates as percentages with one decimal, averages with
/// one (supplements per case with two), empty as —.
fn printed(code: &str, c: &Cell) -> String {
    match c {
        Cell::Text(t) => t.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Num(None) => "—".into(),
        Cell::Num(Some(v)) if code.ends_with("rate") => format!("{:.1}%", v * 100.0),
        Cell::Num(Some(v)) if code == "supplements_per_case" => format!("{v:.2}"),
        Cell::Num(Some(v)) if code == "decide_days_p90" => format!("{v:.0}"),
        Cell::Num(Some(v)) if code.ends_with("_yuan") => format!("{v:.2}"),
        Cell::Num(Some(v)) => format!("{v:.1}"),
    }
}

/// The four printed tables: handling (办理情况), supervision hits by rule (电子监察), ratings and
/// complaints (好差评与投诉), fees and agents (收费与代办). Together they hold every column of [`report::columns`] but the key.
pub fn sections(r: &Report) -> Vec<yc_seal::TableSection> {
    let cols = report::columns();
    let first_rule = cols.iter().position(|(c, _)| c.starts_with("hits.")).unwrap_or(cols.len());
    let first_rating = cols.iter().position(|(c, _)| c.starts_with("ratings.")).unwrap_or(cols.len());
    let first_fee = cols.iter().position(|(c, _)| c.starts_with("fees.")).unwrap_or(cols.len());
    // Column 0 is the key (an internal code); column 1 the name, printed as the first column.
    let parts: [(&str, std::ops::Range<usize>); 4] = [
        ("一、办理情况", 2..first_rule),
        ("二、电子监察（监察命中，按规则）", first_rule..first_rating),
        ("三、好差评与投诉", first_rating..first_fee),
        ("四、收费与代办", first_fee..cols.len()),
    ];
    let rows: Vec<(String, Vec<Cell>)> = body(r).map(|row| (row_name(r, row).to_owned(), row.cells())).collect();
    parts
        .into_iter()
        .map(|(caption, range)| {
            let mut header = vec![r.by.map_or("范围", |b| b.zh()).to_owned()];
            header.extend(cols[range.clone()].iter().map(|(_, zh)| zh.trim_start_matches("监察·").to_owned()));
            let rows = rows
                .iter()
                .map(|(name, cells)| {
                    let mut v = vec![name.clone()];
                    v.extend(range.clone().map(|i| printed(&cols[i].0, &cells[i])));
                    v
                })
                .collect();
            yc_seal::TableSection { caption: caption.to_owned(), header, rows }
        })
        .collect()
}

/// The printable year-end table: A4 landscape, the workstation's header, page numbers.
pub fn pdf(r: &Report) -> Result<Vec<u8>> {
    let by = r.by.map_or(String::new(), |b| format!("（按{}）", b.zh()));
    let doc = yc_seal::TableDoc {
        title: format!("政务服务统计表{by}"),
        subtitle: vec![
            format!("{}（{}）", r.workstation, r.workstation_label),
            format!("统计期间：{} 至 {}　　数据截至：{}", r.from, r.to, r.as_of),
        ],
        sections: sections(r),
        footer: Some(
            "口径：按时率 = 按时决定 ÷（按时决定 + 超期决定）；满意率 =（非常满意 + 满意 + 基本满意）÷ 评价数；用时以工作日计，不含暂停计时。本表由系统根据办件记录生成。"
                .into(),
        ),
    };
    let font = crate::seal::font()?;
    yc_seal::render_table(&doc, font).map_err(|e| CoreError::Invalid(format!("生成 PDF 统计表失败：{e}")))
}
