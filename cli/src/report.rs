//! `yc report`: the statistics table (core `report`) as a Chinese table, `--json`, CSV and XLSX.
//! Every rendering takes the same flat columns (`yc_core::report::columns`), so the files and the
//! JSON cannot disagree.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use chrono::NaiveDate;
use clap::Args;
use rust_xlsxwriter::{Format, Workbook};
use yc_core::report::{self, By, Cell, Report, Row};
use yc_core::{CoreError, Workstation};

use crate::auth::Auth;
use crate::output::Out;

#[derive(Args)]
pub struct ReportArgs {
    /// First day of the period (Beijing date, included)
    #[arg(long)]
    from: NaiveDate,
    /// Last day of the period (included)
    #[arg(long)]
    to: NaiveDate,
    /// One row per department | staff | item (部门 | 工作人员 | 事项); without it, the total only
    #[arg(long)]
    by: Option<String>,
    /// Also write the table as CSV (UTF-8 with BOM, so Excel reads the Chinese headers)
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Also write the table as an Excel workbook
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
}

/// Reports are read-only but name staff: an administrator of every department only (the core
/// checks it again).
pub fn report(ws: &Workstation, auth: &Auth, a: &ReportArgs, out: &Out) -> Result<()> {
    let by = match &a.by {
        None => None,
        Some(s) => Some(By::parse(s).ok_or_else(|| {
            anyhow!(CoreError::Invalid(format!(
                "未知分组「{s}」：可用 department（部门）、staff（工作人员）、item（事项）"
            )))
        })?),
    };
    let actor = auth.actor(ws)?;
    let r = ws.report(&actor, &report::Query { from: a.from, to: a.to, by })?;
    if let Some(p) = &a.csv {
        write_csv(&r, p)?;
    }
    if let Some(p) = &a.xlsx {
        write_xlsx(&r, p)?;
    }
    out.value(&r, || human(&r));
    Ok(())
}

fn title(r: &Report) -> String {
    let by = r.by.map_or(String::new(), |b| format!("（按{}）", b.zh()));
    format!(
        "{}（{}）政务服务统计表{by}  统计期间 {} 至 {}  截至 {}",
        r.workstation, r.workstation_label, r.from, r.to, r.as_of
    )
}

/// The rows, then the total.
fn body(r: &Report) -> impl Iterator<Item = &Row> {
    r.rows.iter().chain(std::iter::once(&r.total))
}

fn pct(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

fn num(x: Option<f64>) -> String {
    x.map_or("—".into(), |v| format!("{v:.1}"))
}

/// The human table: the main figures per row, then the total's sections in words.
fn human(r: &Report) -> String {
    let mut s = vec![title(r)];
    s.push(
        "名称\t收件\t受理\t不予受理\t准予\t不予许可\t按时\t超期\t按时率\t办结\t平均用时\tP90\t暂停日\t件均补正\t监察命中\t评价\t满意率\t差评\t投诉"
            .into(),
    );
    for row in body(r) {
        s.push(format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            if row.label.is_empty() { &row.key } else { &row.label },
            row.received,
            row.accepted,
            row.not_accepted,
            row.approved,
            row.denied,
            row.on_time,
            row.late,
            pct(row.on_time_rate),
            row.closed,
            num(row.decide_days_avg),
            row.decide_days_p90.map_or("—".into(), |d| d.to_string()),
            row.paused_days,
            row.supplements_per_case.map_or("—".into(), |v| format!("{v:.2}")),
            row.hits,
            row.ratings.count,
            pct(row.ratings.satisfaction_rate),
            row.ratings.bad,
            row.complaints.received,
        ));
    }
    let t = &r.total;
    if !t.hits_by_rule.is_empty() {
        let by_rule: Vec<String> = t.hits_by_rule.iter().map(|(k, n)| format!("{} {n}", k.zh())).collect();
        s.push(format!("监察命中（按规则）：{}", by_rule.join("，")));
    }
    let g = &t.ratings;
    s.push(format!(
        "好差评：共 {}（非常满意 {}，满意 {}，基本满意 {}，不满意 {}，非常不满意 {}），满意率 {}；差评 {}，已办结 {}，其中整改 {}；实名差评 {}，已回访 {}",
        g.count,
        g.very_satisfied,
        g.satisfied,
        g.fairly_satisfied,
        g.dissatisfied,
        g.very_dissatisfied,
        pct(g.satisfaction_rate),
        g.bad,
        g.bad_closed,
        g.bad_rectified,
        g.bad_real_name,
        g.bad_called_back
    ));
    s.push(format!(
        "投诉：收到 {}，已答复 {}，超期答复 {}；撤回终止 {}；期限未知的决定 {}",
        t.complaints.received, t.complaints.answered, t.complaints.answered_late, t.ended, t.lateness_unknown
    ));
    s.join("\n")
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
fn write_csv(r: &Report, path: &Path) -> Result<()> {
    let cols = report::columns();
    let mut text = String::from("\u{feff}");
    let head: Vec<Cell> = cols.iter().map(|(_, zh)| Cell::Text(zh.clone())).collect();
    text.push_str(&head.iter().map(csv_field).collect::<Vec<_>>().join(","));
    text.push_str("\r\n");
    for row in body(r) {
        text.push_str(&row.cells().iter().map(csv_field).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    std::fs::write(path, text).with_context(|| format!("写入 CSV 文件 {}", path.display()))?;
    written(path);
    Ok(())
}

/// Row 1: the workstation and the period (the table's header); row 2: column names; then the
/// rows and the total, numbers as numbers (rates formatted as percentages).
fn write_xlsx(r: &Report, path: &Path) -> Result<()> {
    let xl = |e: rust_xlsxwriter::XlsxError| anyhow!("生成 Excel 文件 {} 失败：{e}", path.display());
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
        let y = u32::try_from(n + 2).map_err(|_| anyhow!("统计表行数过多"))?;
        for (i, (cell, (code, _))) in row.cells().iter().zip(&cols).enumerate() {
            let x = col(i)?;
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
    wb.save(path).map_err(xl)?;
    if !path.exists() {
        return Err(anyhow!("Excel 文件 {} 未能写出", path.display()));
    }
    written(path);
    Ok(())
}

fn col(i: usize) -> Result<u16> {
    u16::try_from(i).map_err(|_| anyhow!("统计表列数过多"))
}

/// On stderr: stdout stays the table or the JSON.
fn written(path: &Path) {
    eprintln!("已写出 {}", path.display());
}
