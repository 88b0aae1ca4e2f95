//! The queue commands (intake clerks: the hall's tickets are the hall's, not one department's)
//! and the reads: the clerk's status, the hall display's board (numbers and windows only), the
//! printable ticket, and the waiting figures the statistics take.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{Service, Step, TicketStatus};
use crate::case::Role;
use crate::error::{CoreError, Result};
use crate::staff::Actor;
use crate::workstation::Workstation;

/// A ticket as the clerk sees it (a ticket carries no name: the applicant is a number here).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ticket {
    pub ticket_id: String,
    pub day: NaiveDate,
    pub number: String,
    /// The service it waits for now (a transfer changes it).
    pub service: Service,
    pub priority: bool,
    pub status: TicketStatus,
    /// The window that called it last.
    pub window: Option<String>,
    /// A transfer to one window: only that window calls it.
    pub target_window: Option<String>,
    pub taken_at: String,
    pub called_at: Option<String>,
    pub recalls: u32,
    pub transfers: u32,
    /// Minutes from taking the ticket to its first call.
    pub waited_minutes: Option<i64>,
    /// The appointment it was taken for at check-in.
    pub booking_id: Option<String>,
}

/// A ticket and its printable text (取号凭条).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrintedTicket {
    pub ticket: Ticket,
    pub text: String,
}

/// Waiting figures of one service type.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct ServiceWaiting {
    pub service: Option<Service>,
    /// Tickets taken (in the period; today for the status).
    pub taken: u64,
    /// Waiting now (today only; 0 in a report).
    pub waiting: u64,
    /// Called at least once.
    pub called: u64,
    /// Mean and longest minutes from ticket to first call, over the called tickets.
    pub avg_wait_minutes: Option<f64>,
    pub max_wait_minutes: Option<i64>,
}

/// The clerk's view of today's queue.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueStatus {
    pub day: NaiveDate,
    pub services: Vec<ServiceWaiting>,
    /// Called now, one per window.
    pub called: Vec<Ticket>,
    /// Waiting, in the order they will be called (per service).
    pub waiting: Vec<Ticket>,
    pub skipped: Vec<Ticket>,
}

/// One line of the hall display.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HallCall {
    pub number: String,
    pub window: String,
    pub service: Service,
    pub called_at: String,
}

/// What the hall display shows: numbers, windows and counts — no name, no ID, no item.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HallBoard {
    pub hall: String,
    pub day: NaiveDate,
    /// The latest call (what the display announces), if any today.
    pub latest: Option<HallCall>,
    /// Up to eight calls before it, newest first.
    pub recent: Vec<HallCall>,
    pub waiting: Vec<ServiceWaiting>,
}

const COLS: &str = "ticket_id, day, number, service, priority, status, at_window, target_window, taken_at,
    called_at, recalls, transfers, first_called_at, booking_id";

fn minutes(from: &str, to: &str) -> Option<i64> {
    let a = DateTime::parse_from_rfc3339(from).ok()?;
    let b = DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_minutes().max(0))
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ticket> {
    let day: String = r.get(1)?;
    let taken_at: String = r.get(8)?;
    let first: Option<String> = r.get(12)?;
    Ok(Ticket {
        ticket_id: r.get(0)?,
        day: day.parse().unwrap_or_default(),
        number: r.get(2)?,
        service: crate::query::coded_required(r, 3, Service::parse)?,
        priority: r.get(4)?,
        status: crate::query::coded_required(r, 5, TicketStatus::parse)?,
        window: r.get(6)?,
        target_window: r.get(7)?,
        called_at: r.get(9)?,
        recalls: r.get(10)?,
        transfers: r.get(11)?,
        waited_minutes: first.as_deref().and_then(|f| minutes(&taken_at, f)),
        taken_at,
        booking_id: r.get(13)?,
    })
}

fn load(conn: &Connection, ticket_id: &str) -> Result<Option<Ticket>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLS} FROM queue_tickets WHERE ticket_id = ?1"))?
        .query_row([ticket_id], row)
        .optional()?)
}

/// The ticket a window has called now.
fn called_at_window(conn: &Connection, day: NaiveDate, window: &str) -> Result<Option<Ticket>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLS} FROM queue_tickets WHERE day = ?1 AND at_window = ?2 AND status = 'called'"
        ))?
        .query_row(params![day.to_string(), window], row)
        .optional()?)
}

/// Today's ticket by its number (`A001`, case and width folded) or its id.
fn find(conn: &Connection, day: NaiveDate, reference: &str) -> Result<Ticket> {
    let r = crate::ids::normalize(reference).trim().to_ascii_uppercase();
    let t = if r.contains('-') {
        load(conn, &r)?
    } else {
        conn.prepare_cached(&format!("SELECT {COLS} FROM queue_tickets WHERE day = ?1 AND number = ?2"))?
            .query_row(params![day.to_string(), r], row)
            .optional()?
    };
    t.ok_or_else(|| CoreError::Invalid(format!("今天没有号码 {reference}")))
}

/// Waiting tickets in calling order: priority first, then by the time taken.
const ORDER: &str = "priority DESC, taken_at, ticket_id";

/// Per service: taken, waiting, called, mean and longest wait, over tickets of days in [from, to].
pub(crate) fn waiting_figures(conn: &Connection, from: NaiveDate, to: NaiveDate) -> Result<Vec<ServiceWaiting>> {
    let mut st = conn.prepare_cached(
        "SELECT service, status, taken_at, first_called_at FROM queue_tickets WHERE day BETWEEN ?1 AND ?2",
    )?;
    let mut out: Vec<ServiceWaiting> =
        Service::ALL.iter().map(|&s| ServiceWaiting { service: Some(s), ..ServiceWaiting::default() }).collect();
    let mut sums = vec![0i64; out.len()];
    let mut it = st.query(params![from.to_string(), to.to_string()])?;
    while let Some(r) = it.next()? {
        let service: String = r.get(0)?;
        let Some(i) = Service::ALL.iter().position(|s| s.code() == service) else { continue };
        let status: String = r.get(1)?;
        let taken: String = r.get(2)?;
        let first: Option<String> = r.get(3)?;
        let w = &mut out[i];
        w.taken += 1;
        if status == TicketStatus::Waiting.code() {
            w.waiting += 1;
        }
        if let Some(m) = first.as_deref().and_then(|f| minutes(&taken, f)) {
            w.called += 1;
            sums[i] += m;
            w.max_wait_minutes = Some(w.max_wait_minutes.map_or(m, |x| x.max(m)));
        }
    }
    for (w, s) in out.iter_mut().zip(sums) {
        if w.called > 0 {
            w.avg_wait_minutes = Some((s as f64 / w.called as f64 * 10.0).round() / 10.0);
        }
    }
    Ok(out)
}

/// The printable ticket (取号凭条): the hall, the number, the service, how many wait before it.
pub fn ticket_text(hall: &str, t: &Ticket, ahead: u64) -> String {
    let taken = crate::clock::shown(&t.taken_at);
    let mut s = format!(
        "{hall}\n排队号码：{}\n业务类型：{}\n取号时间：{taken}\n前面还有 {ahead} 人等候\n",
        t.number,
        t.service.zh()
    );
    if t.priority {
        s.push_str("预约优先\n");
    }
    s.push_str("请留意大厅显示屏及语音叫号，过号请到窗口重新叫号。\n");
    s
}

impl Workstation {
    fn queue_day(&self) -> NaiveDate {
        self.today()
    }

    /// Takes a ticket (取号) for `service`. Clerks (the window, or the hall's ticket machine run
    /// under a clerk's account).
    pub fn take_ticket(&self, by: &Actor, service: Service) -> Result<Ticket> {
        by.require_role(Role::Clerk, "取号")?;
        let now = self.now();
        let id = self.store().write(|tx| take_in(tx, &by.id, service, false, None, now))?;
        self.ticket(&id)
    }

    /// The ticket and its printable text, with how many wait before it.
    pub fn ticket_print(&self, ticket_id: &str) -> Result<PrintedTicket> {
        let conn = self.store().reader()?;
        let t = load(&conn, ticket_id)?.ok_or_else(|| CoreError::Invalid(format!("没有号码 {ticket_id}")))?;
        let ahead: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM queue_tickets WHERE day = ?1 AND service = ?2 AND status = 'waiting'
                 AND (priority > ?3 OR (priority = ?3 AND (taken_at, ticket_id) < (?4, ?5)))",
            )?
            .query_row(params![t.day.to_string(), t.service.code(), t.priority, t.taken_at, t.ticket_id], |r| {
                r.get(0)
            })?;
        let text = ticket_text(&self.identity().name, &t, u64::try_from(ahead).unwrap_or(0));
        Ok(PrintedTicket { ticket: t, text })
    }

    pub fn ticket(&self, ticket_id: &str) -> Result<Ticket> {
        load(&*self.store().reader()?, ticket_id)?.ok_or_else(|| CoreError::Invalid(format!("没有号码 {ticket_id}")))
    }

    /// Calls the next ticket to `window` (叫下一位): of `services` (all when empty), today's,
    /// priority first, then the earliest; a ticket transferred to another window is left to it.
    /// The ticket the window called before is served. None: nobody waits.
    pub fn call_next(&self, by: &Actor, window: &str, services: &[Service]) -> Result<Option<Ticket>> {
        by.require_role(Role::Clerk, "叫号")?;
        let window = super::window_name(window)?;
        let day = self.queue_day();
        let now = self.now();
        let services: Vec<&str> = if services.is_empty() {
            Service::ALL.iter().map(|s| s.code()).collect()
        } else {
            services.iter().map(|s| s.code()).collect()
        };
        let list = serde_json::to_string(&services).map_err(|e| CoreError::Invalid(e.to_string()))?;
        let id = self.store().write(|tx| {
            let next: Option<String> = tx
                .prepare_cached(&format!(
                    "SELECT ticket_id FROM queue_tickets WHERE day = ?1 AND status = 'waiting'
                       AND service IN (SELECT value FROM json_each(?2))
                       AND (target_window IS NULL OR target_window = ?3)
                     ORDER BY {ORDER} LIMIT 1"
                ))?
                .query_row(params![day.to_string(), list, window], |r| r.get(0))
                .optional()?;
            match next {
                Some(id) => {
                    let step = Step::Call { ticket_id: id.clone(), window: window.clone() };
                    super::project::write(tx, &by.id, Role::Clerk.code(), &step, now)?;
                    Ok(Some(id))
                }
                None => {
                    // Nobody waits: the window is done with the one it had.
                    if let Some(cur) = called_at_window(tx, day, &window)? {
                        let step = Step::Done { ticket_id: cur.ticket_id, window: window.clone() };
                        super::project::write(tx, &by.id, Role::Clerk.code(), &step, now)?;
                    }
                    Ok(None)
                }
            }
        })?;
        id.map(|id| self.ticket(&id)).transpose()
    }

    /// Calls again (重呼): the ticket at `window`, or — named — a ticket skipped today whose
    /// holder came back, which the window then serves.
    pub fn recall_ticket(&self, by: &Actor, window: &str, number: Option<&str>) -> Result<Ticket> {
        by.require_role(Role::Clerk, "重呼")?;
        let window = super::window_name(window)?;
        let day = self.queue_day();
        let now = self.now();
        let id = self.store().write(|tx| {
            let t = match number {
                Some(n) => {
                    let t = find(tx, day, n)?;
                    let here = t.status == TicketStatus::Called && t.window.as_deref() == Some(window.as_str());
                    if t.status != TicketStatus::Skipped && !here {
                        return Err(CoreError::Invalid(format!(
                            "号码 {} {}，只能重呼本窗口正在叫的号或已过号的号",
                            t.number,
                            t.status.zh()
                        )));
                    }
                    if t.status == TicketStatus::Skipped
                        && let Some(cur) = called_at_window(tx, day, &window)?
                    {
                        return Err(CoreError::Invalid(format!(
                            "{window}正在办理 {}，请先叫下一位或过号再重呼 {}",
                            cur.number, t.number
                        )));
                    }
                    t
                }
                None => current(tx, day, &window)?,
            };
            let step = Step::Recall { ticket_id: t.ticket_id.clone(), window: window.clone() };
            super::project::write(tx, &by.id, Role::Clerk.code(), &step, now)?;
            Ok(t.ticket_id)
        })?;
        self.ticket(&id)
    }

    /// Skips (过号) the ticket at `window`: called and not come. It can be recalled today.
    pub fn skip_ticket(&self, by: &Actor, window: &str) -> Result<Ticket> {
        by.require_role(Role::Clerk, "过号")?;
        let window = super::window_name(window)?;
        let day = self.queue_day();
        let now = self.now();
        let id = self.store().write(|tx| {
            let t = current(tx, day, &window)?;
            let step = Step::Skip { ticket_id: t.ticket_id.clone(), window: window.clone() };
            super::project::write(tx, &by.id, Role::Clerk.code(), &step, now)?;
            Ok(t.ticket_id)
        })?;
        self.ticket(&id)
    }

    /// Transfers (转移) the ticket at `window` to another service type and/or window: it waits
    /// again with priority, keeping its number.
    pub fn transfer_ticket(
        &self,
        by: &Actor,
        window: &str,
        service: Service,
        to_window: Option<&str>,
    ) -> Result<Ticket> {
        by.require_role(Role::Clerk, "转移")?;
        let window = super::window_name(window)?;
        let to_window = to_window.map(super::window_name).transpose()?;
        let day = self.queue_day();
        let now = self.now();
        let id = self.store().write(|tx| {
            let t = current(tx, day, &window)?;
            if t.service == service && to_window.as_deref().is_none_or(|w| w == window) {
                return Err(CoreError::Invalid(format!(
                    "转移须换到另一业务类型或另一窗口（{} 已在「{}」）",
                    t.number,
                    service.zh()
                )));
            }
            let step = Step::Transfer {
                ticket_id: t.ticket_id.clone(),
                from_window: window.clone(),
                service,
                to_window: to_window.clone(),
            };
            super::project::write(tx, &by.id, Role::Clerk.code(), &step, now)?;
            Ok(t.ticket_id)
        })?;
        self.ticket(&id)
    }

    /// Today's queue for the clerk's panel: counts and waits per service, who is at which window,
    /// who waits (in calling order), who was skipped.
    pub fn queue_status(&self) -> Result<QueueStatus> {
        let day = self.queue_day();
        let conn = self.store().reader()?;
        let list = |status: TicketStatus, order: &str| -> Result<Vec<Ticket>> {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {COLS} FROM queue_tickets WHERE day = ?1 AND status = ?2 ORDER BY {order}"
            ))?;
            Ok(st.query_map(params![day.to_string(), status.code()], row)?.collect::<rusqlite::Result<_>>()?)
        };
        Ok(QueueStatus {
            day,
            services: waiting_figures(&conn, day, day)?,
            called: list(TicketStatus::Called, "at_window")?,
            waiting: list(TicketStatus::Waiting, &format!("service, {ORDER}"))?,
            skipped: list(TicketStatus::Skipped, "called_at DESC")?,
        })
    }

    /// The hall display (大厅显示屏): the latest call, the ones before it, the waiting counts.
    /// Numbers and windows only — it is shown to the whole hall, so it needs no login.
    pub fn hall_board(&self) -> Result<HallBoard> {
        let day = self.queue_day();
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(
            "SELECT number, at_window, service, called_at FROM queue_tickets
             WHERE day = ?1 AND called_at IS NOT NULL AND at_window IS NOT NULL
             ORDER BY called_at DESC, updated_seq DESC LIMIT 9",
        )?;
        let mut calls: Vec<HallCall> = st
            .query_map([day.to_string()], |r| {
                Ok(HallCall {
                    number: r.get(0)?,
                    window: r.get(1)?,
                    service: crate::query::coded_required(r, 2, Service::parse)?,
                    called_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let latest = if calls.is_empty() { None } else { Some(calls.remove(0)) };
        Ok(HallBoard {
            hall: self.identity().name.clone(),
            day,
            latest,
            recent: calls,
            waiting: waiting_figures(&conn, day, day)?,
        })
    }
}

/// The ticket `window` is serving now, or why there is none.
fn current(conn: &Connection, day: NaiveDate, window: &str) -> Result<Ticket> {
    called_at_window(conn, day, window)?
        .ok_or_else(|| CoreError::Invalid(format!("{window}当前没有正在叫的号（请先叫下一位）")))
}

/// Takes the next number of `service` today inside the caller's transaction (a check-in takes
/// its priority ticket in its own). Returns the ticket id.
pub(crate) fn take_in(
    tx: &Transaction<'_>,
    actor: &str,
    service: Service,
    priority: bool,
    booking_id: Option<String>,
    now: DateTime<FixedOffset>,
) -> Result<String> {
    let day = now.date_naive();
    let last: Option<u32> = tx
        .prepare_cached("SELECT max(seq) FROM queue_tickets WHERE day = ?1 AND taken_service = ?2")?
        .query_row(params![day.to_string(), service.code()], |r| r.get(0))?;
    let seq = last.unwrap_or(0) + 1;
    if seq > 999 {
        return Err(CoreError::Invalid(format!("「{}」今天的号已取满（999）", service.zh())));
    }
    let number = super::number(service, seq);
    let ticket_id = format!("{}-{number}", day.format("%Y%m%d"));
    let step = Step::Take { ticket_id: ticket_id.clone(), service, seq, number, priority, booking_id };
    super::project::write(tx, actor, Role::Clerk.code(), &step, now)?;
    Ok(ticket_id)
}
