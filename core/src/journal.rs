//! The journal: every state change is an append-only event, hash-chained per workstation.
//!
//! hash(n) = SHA-256("yc-journal-v1" ‖ len-prefixed fields of event n ‖ hash(n-1)), genesis = 32×0.
//! Altering, deleting or reordering any stored row breaks the chain at that row; truncating the
//! tail is caught by `journal_head`, written in the same transaction as each event.

use chrono::{DateTime, FixedOffset};
use ring::digest;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::clock::stamp;
use crate::error::{CoreError, Result};
pub use crate::hash::hex;

pub const GENESIS: [u8; 32] = [0; 32];

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub id: String,
    pub case_no: Option<String>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub at: String,
    pub payload: serde_json::Value,
    pub reason: Option<String>,
    #[serde(serialize_with = "hex_ser")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub hash: Vec<u8>,
}

impl Event {
    /// The Beijing-time calendar day the event happened (its `at` is an RFC 3339 stamp in +08:00).
    pub fn date(&self) -> Result<chrono::NaiveDate> {
        self.at
            .get(..10)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| CoreError::Invalid(format!("事件时间格式错误：{}", self.at)))
    }
}

fn hex_ser<S: serde::Serializer>(b: &[u8], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex(b))
}

/// What a caller supplies; the journal adds seq, id and the chain.
pub struct NewEvent<'a> {
    pub case_no: Option<&'a str>,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub at: DateTime<FixedOffset>,
    pub payload: serde_json::Value,
    pub reason: Option<&'a str>,
}

#[allow(clippy::too_many_arguments)]
pub fn chain_hash(
    seq: i64,
    id: &str,
    case_no: Option<&str>,
    actor: &str,
    role: &str,
    action: &str,
    at: &str,
    payload: &str,
    reason: Option<&str>,
    prev: &[u8],
) -> Vec<u8> {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"yc-journal-v1");
    let mut field = |b: &[u8]| {
        ctx.update(&(b.len() as u64).to_be_bytes());
        ctx.update(b);
    };
    field(seq.to_string().as_bytes());
    field(id.as_bytes());
    // Absent and empty must hash differently.
    field(case_no.map_or(b"\x00" as &[u8], str::as_bytes));
    field(actor.as_bytes());
    field(role.as_bytes());
    field(action.as_bytes());
    field(at.as_bytes());
    field(payload.as_bytes());
    field(reason.map_or(b"\x00" as &[u8], str::as_bytes));
    field(prev);
    ctx.finish().as_ref().to_vec()
}

fn event_id(at: &DateTime<FixedOffset>) -> String {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        u64::try_from(at.timestamp()).unwrap_or(0),
        at.timestamp_subsec_nanos(),
    );
    uuid::Uuid::new_v7(ts).to_string()
}

/// How far the clock may step back (an NTP correction, two processes a moment apart) before
/// writes stop.
const CLOCK_BACK_TOLERANCE_SECS: i64 = 120;

/// Default for the setting `clock.max_gap_days`: a longer silence since the last event is taken
/// for a wrong clock until an administrator confirms it.
pub const DEFAULT_MAX_GAP_DAYS: i64 = 90;

/// Events must not go back in time (a backdated record is what supervision exists to stop), nor
/// jump far ahead unnoticed. Demo and training workstations (`demo.today`) travel in time freely.
fn check_clock(tx: &Transaction<'_>, prev_seq: i64, at: &DateTime<FixedOffset>, action: &str) -> Result<()> {
    if prev_seq == 0 || action == crate::events::CLOCK_CONFIRM {
        return Ok(());
    }
    if tx.prepare_cached("SELECT 1 FROM settings WHERE key = 'demo.today'")?.exists([])? {
        return Ok(());
    }
    // A fixed clock (tests, scenario replays) is exempt unless the workstation asked otherwise;
    // a connection that never said (a tool opening the file itself) is checked.
    let order: Option<String> = tx
        .query_row("SELECT value FROM temp.yc_session WHERE key = 'clock_order'", [], |r| r.get(0))
        .optional()
        .unwrap_or(None);
    if order.as_deref() == Some("off") {
        return Ok(());
    }
    let last: String =
        tx.prepare_cached("SELECT at FROM journal WHERE seq = ?1")?.query_row([prev_seq], |r| r.get(0))?;
    let Ok(last) = DateTime::parse_from_rfc3339(&last) else { return Ok(()) };
    let shown = |t: &DateTime<FixedOffset>| t.format("%Y-%m-%d %H:%M").to_string();
    if *at < last - chrono::Duration::seconds(CLOCK_BACK_TOLERANCE_SECS) {
        return Err(CoreError::ClockBehind { last: shown(&last), now: shown(at) });
    }
    let gap: i64 = tx
        .prepare_cached("SELECT value FROM settings WHERE key = 'clock.max_gap_days'")?
        .query_row([], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_MAX_GAP_DAYS);
    if *at > last + chrono::Duration::days(gap) {
        return Err(CoreError::ClockJump { last: shown(&last), now: shown(at), days: gap });
    }
    Ok(())
}

/// An administrator's event that is not about a case (sync, accounts, clock), with its reason.
pub(crate) fn append_admin(
    tx: &Transaction<'_>,
    by: &crate::staff::Actor,
    action: &str,
    at: DateTime<FixedOffset>,
    payload: serde_json::Value,
    reason: Option<&str>,
) -> Result<Event> {
    let role = crate::case::Role::Admin.code();
    append(tx, NewEvent { case_no: None, actor: &by.id, role, action, at, payload, reason })
}

/// Journals an event of a module's own family (no `case_no`: the case, if any, is in the
/// payload) with `step` serialised as its payload, and projects it with that module's projector in
/// the same transaction — what appointments, the queue, deliveries, fees and agents each do.
#[allow(clippy::too_many_arguments)]
pub(crate) fn append_step<S: Serialize>(
    tx: &Transaction<'_>,
    actor: &str,
    role: &str,
    action: &str,
    at: DateTime<FixedOffset>,
    step: &S,
    reason: Option<&str>,
    project: impl FnOnce(&Transaction<'_>, &Event) -> Result<()>,
) -> Result<Event> {
    let payload = serde_json::to_value(step).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let ev = append(tx, NewEvent { case_no: None, actor, role, action, at, payload, reason })?;
    project(tx, &ev)?;
    Ok(ev)
}

/// Appends one event inside the caller's transaction (so the state change and its event commit
/// together or not at all).
pub fn append(tx: &Transaction<'_>, ev: NewEvent<'_>) -> Result<Event> {
    let head: Option<(i64, Vec<u8>)> = tx
        .prepare_cached("SELECT seq, hash FROM journal_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (prev_seq, prev_hash) = head.unwrap_or((0, GENESIS.to_vec()));
    check_clock(tx, prev_seq, &ev.at, ev.action)?;
    let seq = prev_seq + 1;
    let id = event_id(&ev.at);
    let at = stamp(&ev.at);
    let payload = serde_json::to_string(&ev.payload).map_err(|e| CoreError::Invalid(e.to_string()))?;
    let hash = chain_hash(seq, &id, ev.case_no, ev.actor, ev.role, ev.action, &at, &payload, ev.reason, &prev_hash);
    tx.prepare_cached(
        "INSERT INTO journal (seq, id, case_no, actor, role, action, at, payload, reason, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![seq, id, ev.case_no, ev.actor, ev.role, ev.action, at, payload, ev.reason, prev_hash, hash])?;
    tx.prepare_cached(
        "INSERT INTO journal_head (id, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )?
    .execute(params![seq, hash])?;
    Ok(Event {
        seq,
        id,
        case_no: ev.case_no.map(str::to_owned),
        actor: ev.actor.to_owned(),
        role: ev.role.to_owned(),
        action: ev.action.to_owned(),
        at,
        payload: ev.payload,
        reason: ev.reason.map(str::to_owned),
        hash,
    })
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Event, Vec<u8>, String)> {
    let payload_text: String = r.get(7)?;
    let payload = serde_json::from_str(&payload_text).unwrap_or(serde_json::Value::Null);
    Ok((
        Event {
            seq: r.get(0)?,
            id: r.get(1)?,
            case_no: r.get(2)?,
            actor: r.get(3)?,
            role: r.get(4)?,
            action: r.get(5)?,
            at: r.get(6)?,
            payload,
            reason: r.get(8)?,
            hash: r.get(10)?,
        },
        r.get(9)?,
        payload_text,
    ))
}

const SELECT: &str = "SELECT seq, id, case_no, actor, role, action, at, payload, reason, prev_hash, hash FROM journal";

/// The events of one case, in order.
pub fn case_events(conn: &Connection, case_no: &str) -> Result<Vec<Event>> {
    let mut st = conn.prepare_cached(&format!("{SELECT} WHERE case_no = ?1 ORDER BY seq"))?;
    let rows = st.query_map([case_no], |r| row_to_event(r).map(|(e, _, _)| e))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The events with one action, in chain order (e.g. every `document.sealed`, for integrity checks).
pub fn events_with_action(conn: &Connection, action: &str) -> Result<Vec<Event>> {
    let mut st = conn.prepare_cached(&format!("{SELECT} WHERE action = ?1 ORDER BY seq"))?;
    let rows = st.query_map([action], |r| row_to_event(r).map(|(e, _, _)| e))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Calls `f` for every event in chain order (used by rebuild; streams, so 1M events fit).
pub fn for_each(conn: &Connection, mut f: impl FnMut(Event) -> Result<()>) -> Result<()> {
    let mut st = conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        f(row_to_event(r)?.0)?;
    }
    Ok(())
}

/// A stored row as `verify` reads it.
struct Lean {
    seq: i64,
    id: String,
    case_no: Option<String>,
    actor: String,
    role: String,
    action: String,
    at: String,
    reason: Option<String>,
    hash: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub events: i64,
    pub head: String,
    pub first_bad: Option<BadEvent>,
    /// Events covered by their signer's signature, and events without one (crate::signing;
    /// filled by `Workstation::verify_journal`, 0 from the chain walk alone).
    #[serde(default)]
    pub signed: i64,
    #[serde(default)]
    pub unsigned: i64,
    /// Whether this journal requires every event to be signed (a real workstation).
    #[serde(default)]
    pub signing_required: bool,
    /// Far sides' signed receipts for journal heads checked against the chain (crate::anchor),
    /// the highest seq they vouch for and who.
    #[serde(default)]
    pub receipts: i64,
    #[serde(default)]
    pub anchored_seq: i64,
    #[serde(default)]
    pub anchored_by: Vec<String>,
    /// The first receipt the journal disagrees with (evidence from outside the machine, shown
    /// even when `first_bad` names an earlier event).
    #[serde(default)]
    pub anchor_bad: Option<BadEvent>,
    /// Of `signed`, events whose Ed25519 check a far side's receipt vouched for (up to
    /// `checkpoint_seq`); 0 with a full check (`yc journal verify --full`).
    #[serde(default)]
    pub vouched: i64,
    #[serde(default)]
    pub checkpoint_seq: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BadEvent {
    pub seq: i64,
    pub id: String,
    pub problem: String,
}

/// Re-walks the whole chain. The first bad event is named, with what is wrong with it.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut st = conn.prepare(&format!("{SELECT} ORDER BY seq"))?;
    let mut rows = st.query([])?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_vec();
    let bad = |seq: i64, id: &str, problem: &str| VerifyReport {
        ok: false,
        events: seq - 1,
        head: String::new(),
        first_bad: Some(BadEvent { seq, id: id.to_owned(), problem: problem.to_owned() }),
        signed: 0,
        unsigned: 0,
        signing_required: false,
        receipts: 0,
        anchored_seq: 0,
        anchored_by: Vec::new(),
        anchor_bad: None,
        vouched: 0,
        checkpoint_seq: 0,
    };
    while let Some(r) = rows.next()? {
        // Columns as stored; the payload is hashed as text, never parsed (1M events verify fast).
        let seq: i64 = r.get(0)?;
        let id: String = r.get(1)?;
        let case_no: Option<String> = r.get(2)?;
        let (actor, role, action, at): (String, String, String, String) = (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let payload_text: String = r.get(7)?;
        let reason: Option<String> = r.get(8)?;
        let stored_prev: Vec<u8> = r.get(9)?;
        let hash: Vec<u8> = r.get(10)?;
        let e = Lean { seq, id, case_no, actor, role, action, at, reason, hash };
        if e.seq != expected_seq {
            let problem = if e.seq > expected_seq {
                format!("之前缺少第 {expected_seq}–{} 条（被删除）", e.seq - 1)
            } else {
                "序号重复或顺序被改动".to_owned()
            };
            return Ok(bad(e.seq, &e.id, &problem));
        }
        if stored_prev != prev {
            return Ok(bad(e.seq, &e.id, "前一事件哈希不符（事件被删除或重排）"));
        }
        let h = chain_hash(
            e.seq,
            &e.id,
            e.case_no.as_deref(),
            &e.actor,
            &e.role,
            &e.action,
            &e.at,
            &payload_text,
            e.reason.as_deref(),
            &prev,
        );
        if h != e.hash {
            return Ok(bad(e.seq, &e.id, "内容被篡改（哈希不符）"));
        }
        prev = h;
        expected_seq += 1;
    }
    let events = expected_seq - 1;
    let head: Option<(i64, Vec<u8>)> = conn
        .query_row("SELECT seq, hash FROM journal_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match head {
        None if events == 0 => {}
        Some((seq, hash)) if seq == events && hash == prev => {}
        Some((seq, _)) if seq > events => {
            return Ok(bad(events + 1, "-", &format!("末尾事件被删除：链头记录为第 {seq} 条")));
        }
        _ => return Ok(bad(events, "-", "链头记录与日志不符")),
    }
    Ok(VerifyReport {
        ok: true,
        events,
        head: hex(&prev),
        first_bad: None,
        signed: 0,
        unsigned: 0,
        signing_required: false,
        receipts: 0,
        anchored_seq: 0,
        anchored_by: Vec::new(),
        anchor_bad: None,
        vouched: 0,
        checkpoint_seq: 0,
    })
}
