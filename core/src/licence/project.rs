//! Journal → `licences` (live and in `yc rebuild`): a sealed certificate adds its licence, the
//! case's later 变更/转让/撤销/注销 change its status, and `licence.import` records one from the
//! licence library.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Issued, Licence, Record, Source, Status};
use crate::case::Action;
use crate::error::{CoreError, Result};
use crate::events;
use crate::journal::Event;

/// Whether the projection hands this journal action to [`project_import`].
pub fn projects(action: &str) -> bool {
    action == events::LICENCE_IMPORT
}

fn broken(ev: &Event, what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::JournalBroken { seq: ev.seq, id: ev.id.clone(), problem: format!("{what}无法解析：{e}") }
}

/// A sealed certificate (its `document.sealed` event names the licence): the licence is valid
/// from the sealing day; an earlier version of the same case's licence is superseded.
pub fn project_sealed(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let Some(v) = ev.payload.get("licence") else { return Ok(()) };
    let Some(case_no) = ev.case_no.as_deref() else { return Ok(()) };
    let issued: Issued = serde_json::from_value(v.clone()).map_err(|e| broken(ev, "电子证照标识", e))?;
    let (holder_id, holder_name, department): (String, String, String) = tx
        .prepare_cached("SELECT applicant_id, applicant_name, department FROM cases WHERE case_no = ?1")?
        .query_row([case_no], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    tx.prepare_cached(
        "UPDATE licences SET status = ?3, updated_seq = ?4 WHERE case_no = ?1 AND licence_id <> ?2 AND status = ?5",
    )?
    .execute(params![case_no, issued.licence_id, Status::Changed.code(), ev.seq, Status::Valid.code()])?;
    // A reprint of the same version names the same licence: the first sealing made it.
    tx.prepare_cached(
        "INSERT INTO licences (licence_id, holder_id, holder_name, type_name, issuer_name, case_no, valid_from,
            valid_until, status, source, updated_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, ?10) ON CONFLICT(licence_id) DO NOTHING",
    )?
    .execute(params![
        issued.licence_id,
        holder_id,
        holder_name,
        issued.type_name,
        department,
        case_no,
        ev.date()?.to_string(),
        Status::Valid.code(),
        Source::Issued.code(),
        ev.seq
    ])?;
    Ok(())
}

/// A case action that changes the status of the licence issued from the case.
pub fn case_action(tx: &Transaction<'_>, ev: &Event, case_no: &str, action: Action) -> Result<()> {
    let to = match action {
        Action::Change | Action::Transfer => Status::Changed,
        Action::Revoke => Status::Revoked,
        Action::Deregister => Status::Cancelled,
        _ => return Ok(()),
    };
    tx.prepare_cached("UPDATE licences SET status = ?2, updated_seq = ?3 WHERE case_no = ?1 AND status = ?4")?
        .execute(params![case_no, to.code(), ev.seq, Status::Valid.code()])?;
    Ok(())
}

/// `licence.import`: the library's record replaces what the directory held for that id.
pub fn project_import(tx: &Transaction<'_>, ev: &Event) -> Result<()> {
    let r: Record = serde_json::from_value(ev.payload.clone()).map_err(|e| broken(ev, "证照记录", e))?;
    tx.prepare_cached(
        "INSERT INTO licences (licence_id, holder_id, holder_name, type_name, issuer_name, case_no, valid_from,
            valid_until, status, source, updated_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT(licence_id) DO UPDATE SET holder_id = excluded.holder_id, holder_name = excluded.holder_name,
            type_name = excluded.type_name, issuer_name = excluded.issuer_name, valid_from = excluded.valid_from,
            valid_until = excluded.valid_until, status = excluded.status, updated_seq = excluded.updated_seq",
    )?
    .execute(params![
        r.licence_id,
        r.holder_id,
        r.holder_name,
        r.type_name,
        r.issuer_name,
        r.valid_from.to_string(),
        r.valid_until.map(|d| d.to_string()),
        r.status.code(),
        Source::Inbox.code(),
        ev.seq
    ])?;
    Ok(())
}

const COLS: &str =
    "licence_id, holder_id, holder_name, type_name, issuer_name, case_no, valid_from, valid_until, status, source";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Licence> {
    let d = |s: Option<String>| s.and_then(|s| s.parse().ok());
    let status: String = r.get(8)?;
    let source: String = r.get(9)?;
    Ok(Licence {
        licence_id: r.get(0)?,
        holder_id: r.get(1)?,
        holder_name: r.get(2)?,
        type_name: r.get(3)?,
        issuer_name: r.get(4)?,
        case_no: r.get(5)?,
        valid_from: d(r.get(6)?).unwrap_or_default(),
        valid_until: d(r.get(7)?),
        status: Status::parse(&status).unwrap_or(Status::Revoked),
        source: Source::parse(&source).unwrap_or(Source::Inbox),
    })
}

/// Every licence of a holder, newest first, their stored status (callers apply the day).
pub fn of_holder(conn: &Connection, holder_id: &str) -> Result<Vec<Licence>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM licences WHERE holder_id = ?1 ORDER BY valid_from DESC, licence_id"
    ))?;
    let rows = st.query_map([holder_id], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn one(conn: &Connection, licence_id: &str) -> Result<Option<Licence>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM licences WHERE licence_id = ?1"))?
        .query_row([licence_id], row)
        .optional()?)
}
