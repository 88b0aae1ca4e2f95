//! `yc report`: the statistics table (core `report`) as a Chinese table, `--json`, CSV, XLSX and
//! a printable PDF. The files come from core `report_file` (the desktop's export buttons write the
//! same bytes); every rendering takes the same flat columns (`yc_core::report::columns`), so the
//! files and the JSON cannot disagree.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use chrono::NaiveDate;
use clap::Args;
use yc_core::report::{self, By, Report};
use yc_core::report_file::{self, FileFormat, body, title};
use yc_core::{CoreError, Workstation};

use crate::auth::Auth;
use crate::output::Out;

#[derive(Args)]
pub struct ReportArgs {
    /// 统计起始日（北京时间，含当天）
    #[arg(long)]
    from: NaiveDate,
    /// 统计截止日（含当天）
    #[arg(long)]
    to: NaiveDate,
    /// 按 department | staff | item（部门 | 工作人员 | 事项）分行统计；不加时只统计合计
    #[arg(long)]
    by: Option<String>,
    /// 同时把统计表写成 CSV 文件（UTF-8 带 BOM，Excel 打开时中文表头不乱码）
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// 同时把统计表写成 Excel 工作簿（XLSX）
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
    /// 同时写出可打印的统计表（A4 横向 PDF，带本工作站的表头）
    #[arg(long, value_name = "FILE")]
    pdf: Option<PathBuf>,
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
    for (path, format) in [(&a.csv, FileFormat::Csv), (&a.xlsx, FileFormat::Xlsx), (&a.pdf, FileFormat::Pdf)] {
        if let Some(p) = path {
            write(&r, format, p)?;
        }
    }
    out.value(&r, || human(&r));
    Ok(())
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

/// Writes one file (temp file + rename, so a reader never sees half a table).
fn write(r: &Report, format: FileFormat, path: &Path) -> Result<()> {
    let bytes = report_file::render(r, format)?;
    let tmp = path.with_extension(format!("{}.part", format.extension()));
    std::fs::write(&tmp, &bytes).with_context(|| format!("写入统计表文件 {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("写入统计表文件 {}", path.display()))?;
    eprintln!("已写出 {}", path.display());
    Ok(())
}
