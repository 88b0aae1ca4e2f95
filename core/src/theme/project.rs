//! `theme.file` → `themes` + `theme_branches`, live and in `yc rebuild` (called from
//! `projection::Projector::apply`, so the two cannot drift). The branch cases are projected from
//! their own filing events like any case.

use chrono::NaiveDate;
use rusqlite::{Transaction, params};

use crate::calendar::Calendar;
use crate::deadline;
use crate::error::{CoreError, Result};
use crate::journal::Event;
use crate::theme::model::ThemeFiledPayload;

fn due_cols(cal: &Calendar, filed_on: NaiveDate, limit: u32) -> (Option<String>, Option<String>) {
    match deadline::theme_due(cal, filed_on, limit) {
        Ok(d) => (Some(d.to_string()), None),
        Err(e) => (None, Some(e.to_string())),
    }
}

pub(crate) fn project_filed(tx: &Transaction<'_>, ev: &Event, cal: &Calendar) -> Result<()> {
    let broken = |problem: String| CoreError::JournalBroken { seq: ev.seq, id: ev.id.clone(), problem };
    let p: ThemeFiledPayload =
        serde_json::from_value(ev.payload.clone()).map_err(|e| broken(format!("主题收件事件内容无法解析：{e}")))?;
    let theme_no = ev.case_no.as_deref().ok_or_else(|| broken("主题收件事件没有主题编号".into()))?;
    let day = ev.date()?;
    let (due, note) = due_cols(cal, day, p.theme.overall_limit_days);
    tx.prepare_cached(
        "INSERT INTO themes (theme_no, theme_code, catalog_version, name, lead_department, limit_days, applicant_id,
            applicant_name, channel, filed_on, due_date, deadline_note, created_at, created_by, last_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        theme_no,
        p.theme.code,
        p.theme.version,
        p.theme.name,
        p.theme.lead_department,
        p.theme.overall_limit_days,
        p.applicant.id,
        p.applicant.name,
        p.channel.code(),
        day.to_string(),
        due,
        note,
        ev.at,
        ev.actor,
        ev.seq,
    ])?;
    let mut st = tx.prepare_cached(
        "INSERT INTO theme_branches (theme_no, pos, case_no, item_code, department, required, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (pos, b) in p.branches.iter().enumerate() {
        let after = serde_json::to_string(&b.after).map_err(|e| CoreError::Invalid(e.to_string()))?;
        st.execute(params![theme_no, pos as i64, b.case_no, b.item_code, b.department, b.required, after])?;
    }
    // The theme number comes from the cases' daily sequence: a rebuild must recount it too.
    if let Some((day_key, seq)) = crate::numbering::case_no_parts(theme_no) {
        tx.prepare_cached(
            "INSERT INTO case_seq (day, last) VALUES (?1, ?2) ON CONFLICT(day) DO UPDATE SET last = max(last, excluded.last)",
        )?
        .execute(params![day_key, seq])?;
    }
    Ok(())
}

/// After a calendar import, themes whose due date was unknown get one (a year may have arrived).
pub(crate) fn recompute_unknown(tx: &Transaction<'_>, cal: &Calendar) -> Result<()> {
    let rows: Vec<(String, String, u32)> = tx
        .prepare_cached("SELECT theme_no, filed_on, limit_days FROM themes WHERE due_date IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (no, filed, limit) in rows {
        let Ok(filed_on) = NaiveDate::parse_from_str(&filed, "%Y-%m-%d") else { continue };
        let (due, note) = due_cols(cal, filed_on, limit);
        tx.prepare_cached("UPDATE themes SET due_date = ?2, deadline_note = ?3 WHERE theme_no = ?1")?
            .execute(params![no, due, note])?;
    }
    Ok(())
}
