//! The appointment commands and reads. Schedules are the administrator's (of the department);
//! bookings, cancellations, no-shows and check-ins the intake clerk's, in the item's department.
//! A refusal says why in Chinese and journals nothing.

use chrono::{NaiveDate, NaiveTime};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Channel, NewBooking, Schedule, SlotTime, Status, Step, Target, TargetKind};
use crate::calendar::Calendar;
use crate::case::{self, Role};
use crate::error::{CoreError, Result};
use crate::intake::NewCase;
use crate::projection::Projector;
use crate::queue::Service;
use crate::queue::command::Ticket;
use crate::staff::{ALL_DEPARTMENTS, Actor};
use crate::workstation::Workstation;

/// A slot on one day, with what is left of it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    pub capacity: u32,
    pub booked: u32,
    pub available: u32,
}

/// A booking as staff see it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Booking {
    pub booking_id: String,
    pub target: Target,
    pub department: String,
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    pub item_code: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub channel: Channel,
    pub external_ref: Option<String>,
    pub status: Status,
    /// Why it was cancelled.
    pub reason: Option<String>,
    /// The intake opened at check-in.
    pub case_no: Option<String>,
    /// The priority ticket taken at check-in.
    pub ticket_id: Option<String>,
    pub booked_at: String,
}

/// What a check-in made: the appointed case (nothing received yet) and the priority ticket.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckIn {
    pub booking: Booking,
    pub case_no: String,
    pub ticket: Ticket,
    /// The printable ticket.
    pub ticket_text: String,
}

const COLS: &str = "booking_id, target_kind, target, department, slot_date, slot_start, slot_end, item_code,
    applicant_id, applicant_name, channel, external_ref, status, reason, case_no, ticket_id, booked_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Booking> {
    let date: String = r.get(4)?;
    Ok(Booking {
        booking_id: r.get(0)?,
        target: Target { kind: crate::query::coded_required(r, 1, TargetKind::parse)?, name: r.get(2)? },
        department: r.get(3)?,
        date: date.parse().unwrap_or_default(),
        start: r.get(5)?,
        end: r.get(6)?,
        item_code: r.get(7)?,
        applicant_id: r.get(8)?,
        applicant_name: r.get(9)?,
        channel: crate::query::coded_required(r, 10, Channel::parse)?,
        external_ref: r.get(11)?,
        status: crate::query::coded_required(r, 12, Status::parse)?,
        reason: r.get(13)?,
        case_no: r.get(14)?,
        ticket_id: r.get(15)?,
        booked_at: r.get(16)?,
    })
}

fn load(conn: &Connection, booking_id: &str) -> Result<Booking> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM appointments WHERE booking_id = ?1"))?
        .query_row([booking_id.trim()], row)
        .optional()?
        .ok_or_else(|| CoreError::Invalid(format!("没有预约 {booking_id}")))
}

fn schedule(conn: &Connection, target: &Target) -> Result<Option<Schedule>> {
    let r: Option<(String, String, u32)> = conn
        .prepare_cached(
            "SELECT department, times, capacity FROM appointment_schedules WHERE target_kind = ?1 AND target = ?2",
        )?
        .query_row(params![target.kind.code(), target.name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    r.map(|(department, times, capacity)| {
        let times: Vec<SlotTime> =
            serde_json::from_str(&times).map_err(|e| CoreError::Invalid(format!("预约时段数据损坏：{e}")))?;
        Ok(Schedule { target: target.clone(), department, times, capacity })
    })
    .transpose()
}

fn booked(conn: &Connection, target: &Target, date: NaiveDate, start: &str) -> Result<u32> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FROM appointments WHERE target_kind = ?1 AND target = ?2 AND slot_date = ?3
             AND slot_start = ?4 AND status IN ('booked', 'checked_in')",
        )?
        .query_row(params![target.kind.code(), target.name, date.to_string(), start], |r| r.get(0))?)
}

/// A day appointments may be made for: a working day of the calendar. A statutory holiday is
/// named; a weekend that is not a 调休 working day is a rest day.
pub fn open_day(cal: &Calendar, date: NaiveDate) -> Result<()> {
    if cal.is_workday(date)? {
        return Ok(());
    }
    Err(CoreError::Invalid(match cal.holiday_name(date) {
        Some(h) => format!("{date} 是法定节假日（{h}），不开放预约，请选择工作日"),
        None => format!("{date} 是休息日（周末或调休），不开放预约，请选择工作日"),
    }))
}

fn target_of(req: &NewBooking) -> Target {
    match req.window.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => Target { kind: TargetKind::Window, name: w.to_owned() },
        None => Target { kind: TargetKind::Item, name: req.item_code.trim().to_owned() },
    }
}

impl Workstation {
    /// Sets (or replaces) the slots of an item or a window. Administrators of the department: an
    /// item's schedule is its department's; a window's names the department it serves.
    pub fn set_appointment_schedule(&self, by: &Actor, s: &Schedule) -> Result<Schedule> {
        by.require_role(Role::Admin, "设置预约时段")?;
        let mut s = s.normalized()?;
        if s.target.kind == TargetKind::Item {
            s.department = self.catalog_item(&s.target.name, None)?.1.department;
        } else if s.department.is_empty() || s.department == ALL_DEPARTMENTS {
            return Err(CoreError::Missing {
                action: "设置窗口预约时段".into(), field: "窗口所属部门".into()
            });
        }
        by.require_department(&s.department)?;
        let now = self.now();
        let step = Step::Schedule(s.clone());
        self.store().write(|tx| super::project::write(tx, &by.id, Role::Admin.code(), &step, now).map(drop))?;
        Ok(s)
    }

    /// The slots of `target` on the working days of [from, from + days): holidays and rest days
    /// have none, nor the past (today's slots that have begun). Public (the online hall shows the
    /// same): no personal data.
    pub fn appointment_slots(&self, target: &Target, from: NaiveDate, days: u32) -> Result<Vec<Slot>> {
        let conn = self.store().reader()?;
        let s = schedule(&conn, target)?.ok_or_else(|| no_schedule(target))?;
        let cal = self.calendar().clone();
        let now = self.now();
        let (today, time) = (now.date_naive(), now.format("%H:%M").to_string());
        let mut out = Vec::new();
        for date in from.max(today).iter_days().take(days.min(366) as usize) {
            if !cal.is_workday(date)? {
                continue;
            }
            for t in s.times.iter().filter(|t| date > today || t.start > time) {
                let n = booked(&conn, target, date, &t.start)?;
                out.push(Slot {
                    date,
                    start: t.start.clone(),
                    end: t.end.clone(),
                    capacity: s.capacity,
                    booked: n,
                    available: s.capacity.saturating_sub(n),
                });
            }
        }
        Ok(out)
    }

    /// Books a slot at the window (窗口预约). Clerks of the item's department.
    pub fn book_appointment(&self, by: &Actor, req: &NewBooking) -> Result<Booking> {
        self.book(by, req, Channel::Window).map(|(b, _)| b)
    }

    /// A booking from the online hall (网上大厅), arriving through the inbox as an
    /// `appointment.booking` item. Applied once per the hall's booking id (`ref`), however many
    /// times it is delivered: returns the booking and whether this call made it.
    pub fn book_appointment_from_sync(&self, adapter: &str, payload: &serde_json::Value) -> Result<(Booking, bool)> {
        let req: NewBooking = serde_json::from_value(payload.clone())
            .map_err(|e| CoreError::Invalid(format!("网上预约内容不完整：{e}")))?;
        if req.external_ref.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(CoreError::Missing { action: "网上预约".into(), field: "预约编号（ref）".into() });
        }
        let by = Actor {
            id: format!("sync:{adapter}"),
            name: format!("同步（{adapter}）"),
            roles: vec![Role::Clerk],
            departments: vec![ALL_DEPARTMENTS.into()],
        };
        self.book(&by, &req, Channel::Online)
    }

    fn book(&self, by: &Actor, req: &NewBooking, channel: Channel) -> Result<(Booking, bool)> {
        by.require_role(Role::Clerk, "预约")?;
        let item = self.catalog_item(req.item_code.trim(), None)?.1;
        by.require_department(&item.department)?;
        let target = target_of(req);
        let external_ref = req.external_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        if let Some(r) = &external_ref
            && let Some(id) = self.booking_by_ref(r)?
        {
            return Ok((load(&*self.store().reader()?, &id)?, false));
        }
        let name = req.applicant_name.trim();
        if name.is_empty() {
            return Err(CoreError::Missing { action: "预约".into(), field: "申请人姓名或名称".into() });
        }
        let today = self.today();
        let applicant = crate::ids::accept_for_intake(&crate::ids::normalize(&req.applicant_id), today, None, false)?;
        let now = self.now();
        if req.date < today {
            return Err(CoreError::Invalid(format!("{} 已过去，不能预约", req.date)));
        }
        open_day(&self.calendar(), req.date)?;
        let start = NaiveTime::parse_from_str(req.start.trim(), "%H:%M")
            .map_err(|_| CoreError::Invalid(format!("时段开始时间格式应为 HH:MM：「{}」", req.start)))?
            .format("%H:%M")
            .to_string();
        if req.date == today && start <= now.format("%H:%M").to_string() {
            return Err(CoreError::Invalid(format!("今天 {start} 的时段已开始，请选择之后的时段")));
        }
        let id = self.store().write(|tx| {
            let s = schedule(tx, &target)?.ok_or_else(|| no_schedule(&target))?;
            if s.department != item.department {
                return Err(CoreError::Invalid(format!(
                    "{}「{}」不办理「{}」的事项「{}」",
                    target.kind.zh(),
                    target.name,
                    item.department,
                    item.name
                )));
            }
            let slot = s.times.iter().find(|t| t.start == start).ok_or_else(|| {
                CoreError::Invalid(format!(
                    "{}「{}」没有 {start} 开始的时段（有：{}）",
                    target.kind.zh(),
                    target.name,
                    s.times.iter().map(|t| format!("{}-{}", t.start, t.end)).collect::<Vec<_>>().join("、")
                ))
            })?;
            let n = booked(tx, &target, req.date, &start)?;
            if n >= s.capacity {
                return Err(CoreError::Invalid(format!(
                    "{} {}-{} 已约满（每时段 {} 人），请选择其他时段",
                    req.date, slot.start, slot.end, s.capacity
                )));
            }
            let day = now.format("%Y%m%d").to_string();
            let last: Option<String> = tx
                .prepare_cached("SELECT max(booking_id) FROM appointments WHERE booking_id LIKE ?1 || '-%'")?
                .query_row([&day], |r| r.get(0))?;
            let n = last.and_then(|l| l.rsplit('-').next().and_then(|x| x.parse::<u32>().ok())).unwrap_or(0) + 1;
            let booking_id = format!("{day}-{n:04}");
            let step = Step::Book {
                booking_id: booking_id.clone(),
                target: target.clone(),
                department: item.department.clone(),
                date: req.date,
                start: slot.start.clone(),
                end: slot.end.clone(),
                item_code: item.code.clone(),
                applicant_id: applicant.normalized.clone(),
                applicant_name: name.to_owned(),
                channel,
                external_ref: external_ref.clone(),
            };
            super::project::write(tx, &by.id, Role::Clerk.code(), &step, now)?;
            Ok(booking_id)
        })?;
        Ok((load(&*self.store().reader()?, &id)?, true))
    }

    fn booking_by_ref(&self, r: &str) -> Result<Option<String>> {
        Ok(self
            .store()
            .reader()?
            .prepare_cached("SELECT booking_id FROM appointments WHERE external_ref = ?1")?
            .query_row([r], |r| r.get(0))
            .optional()?)
    }

    /// One checked step on a booking: the clerk's role, the booking's department, its status.
    fn booking_step(
        &self,
        by: &Actor,
        booking_id: &str,
        what: &str,
        make: impl FnOnce(&Booking) -> Result<Step>,
    ) -> Result<Booking> {
        by.require_role(Role::Clerk, what)?;
        let now = self.now();
        self.store().write(|tx| {
            let b = load(tx, booking_id)?;
            by.require_department(&b.department)?;
            if b.status != Status::Booked {
                return Err(CoreError::Invalid(format!("预约 {} {}，不能{what}", b.booking_id, b.status.zh())));
            }
            let step = make(&b)?;
            super::project::write(tx, &by.id, Role::Clerk.code(), &step, now).map(drop)
        })?;
        load(&*self.store().reader()?, booking_id)
    }

    /// Cancels a booking (the applicant's request, by phone or at the window), with the reason.
    pub fn cancel_appointment(&self, by: &Actor, booking_id: &str, reason: &str) -> Result<Booking> {
        let reason = reason.trim();
        self.booking_step(by, booking_id, "取消预约", |b| {
            if reason.is_empty() {
                return Err(CoreError::Missing { action: "取消预约".into(), field: "取消原因".into() });
            }
            Ok(Step::Cancel { booking_id: b.booking_id.clone(), reason: reason.into() })
        })
    }

    /// Records that the applicant did not come (爽约): on the slot's day once it has begun, or
    /// after.
    pub fn record_no_show(&self, by: &Actor, booking_id: &str) -> Result<Booking> {
        let now = self.now();
        self.booking_step(by, booking_id, "登记爽约", |b| {
            let begun =
                b.date < now.date_naive() || (b.date == now.date_naive() && b.start <= now.format("%H:%M").to_string());
            if !begun {
                return Err(CoreError::Invalid(format!(
                    "预约 {} 的时段（{} {}）尚未开始，不能登记爽约",
                    b.booking_id, b.date, b.start
                )));
            }
            Ok(Step::NoShow { booking_id: b.booking_id.clone() })
        })
    }

    /// The applicant came (预约到场), on the booked day: the intake is opened as an appointed
    /// case with **no material received** — the clerk ticks each as it is handed over (登记到场,
    /// `Action::File`) — and a ticket with priority is taken for `service`, in one transaction.
    pub fn check_in_appointment(&self, by: &Actor, booking_id: &str, service: Service) -> Result<CheckIn> {
        by.require_role(Role::Clerk, "预约到场")?;
        let today = self.today();
        let b = load(&*self.store().reader()?, booking_id)?;
        by.require_department(&b.department)?;
        if b.status != Status::Booked {
            return Err(CoreError::Invalid(format!("预约 {} {}，不能登记到场", b.booking_id, b.status.zh())));
        }
        if b.date != today {
            return Err(CoreError::Invalid(format!("预约 {} 约在 {}，不是今天，不能登记到场", b.booking_id, b.date)));
        }
        let req = NewCase {
            item_code: b.item_code.clone(),
            applicant_id: b.applicant_id.clone(),
            applicant_name: b.applicant_name.clone(),
            channel: Some(if b.channel == Channel::Online { case::Channel::Online } else { case::Channel::Window }),
            appointment: true,
            provided: Some(Vec::new()),
            note: Some(format!("预约 {}（{} {}-{}）", b.booking_id, b.date, b.start, b.end)),
            ..NewCase::default()
        };
        let reqs = std::slice::from_ref(&req);
        let prepared = {
            let conn = self.store().reader()?;
            self.prepare_filings(&conn, by, reqs)?
        };
        let now = self.now();
        let mut projector = Projector::new(self.calendar().clone());
        let (case_no, ticket_id) = self.store().write(|tx| {
            // Checked again inside the write: another window may have checked it in meanwhile.
            if load(tx, booking_id)?.status != Status::Booked {
                return Err(CoreError::Invalid(format!("预约 {booking_id} 已处理，不能重复登记到场")));
            }
            let case_no = self.write_filings(tx, &mut projector, by, &prepared, reqs, now)?.remove(0);
            let ticket_id = crate::queue::command::take_in(tx, &by.id, service, true, Some(b.booking_id.clone()), now)?;
            let step = Step::CheckIn {
                booking_id: b.booking_id.clone(),
                case_no: case_no.clone(),
                ticket_id: Some(ticket_id.clone()),
            };
            super::project::write(tx, &by.id, Role::Clerk.code(), &step, now)?;
            Ok((case_no, ticket_id))
        })?;
        let p = self.ticket_print(&ticket_id)?;
        Ok(CheckIn {
            booking: load(&*self.store().reader()?, booking_id)?,
            case_no,
            ticket: p.ticket,
            ticket_text: p.text,
        })
    }

    /// Bookings in the actor's departments, of one day and/or status, by slot.
    pub fn appointments(&self, by: &Actor, date: Option<NaiveDate>, status: Option<Status>) -> Result<Vec<Booking>> {
        let conn = self.store().reader()?;
        let mut st = conn.prepare_cached(&format!(
            "SELECT {COLS} FROM appointments WHERE (?1 IS NULL OR slot_date = ?1) AND (?2 IS NULL OR status = ?2)
             ORDER BY slot_date, slot_start, booking_id"
        ))?;
        let rows = st.query_map(params![date.map(|d| d.to_string()), status.map(Status::code)], row)?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if by.covers(&r.department) {
                out.push(r);
            }
        }
        Ok(out)
    }
}

fn no_schedule(target: &Target) -> CoreError {
    CoreError::Invalid(format!("{}「{}」尚未设置预约时段（yc appointment schedule）", target.kind.zh(), target.name))
}
