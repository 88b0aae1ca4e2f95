//! Appointments (预约): time slots of a window or an item with a capacity, on working days only
//! (the calendar's: no slot on a statutory holiday nor on a weekend that is not a 调休 working
//! day), booked at the window or arriving from the online hall through the inbox, cancelled,
//! marked as not come (爽约), or checked in — which opens the intake as an appointed case with
//! **no material received** (the clerk ticks each one as it is handed over, `Action::File`) and
//! takes a queue ticket with priority.
//!
//! Every change is a journal event (`appointment.schedule`, `.book`, `.cancel`, `.no_show`,
//! `.check_in`, `case_no` NULL); [`project`] derives `appointment_schedules` and `appointments`
//! from them, live and in `yc rebuild`; [`command`] holds the commands and reads.

pub mod command;
pub mod project;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::events;

crate::case::coded_enum! {
    /// Where a booking stands.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AppointmentStatus"))]
    pub enum Status {
        Booked = ("booked", "已预约", "Booked"),
        CheckedIn = ("checked_in", "已到场", "Checked in"),
        Cancelled = ("cancelled", "已取消", "Cancelled"),
        NoShow = ("no_show", "未到（爽约）", "Did not come"),
    }
}

crate::case::coded_enum! {
    /// How the booking was made.
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AppointmentChannel"))]
    pub enum Channel {
        Window = ("window", "窗口预约", "At the window"),
        Online = ("online", "网上大厅", "Online hall"),
    }
}

crate::case::coded_enum! {
    /// What a schedule's slots are for: one item, or one window (any item of its department).
    #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AppointmentTargetKind"))]
    pub enum TargetKind {
        Item = ("item", "事项", "Item"),
        Window = ("window", "窗口", "Window"),
    }
}

crate::case::coded_enum! {
    pub enum Op {
        Schedule = ("schedule", "设置预约时段", "Slots set"),
        Book = ("book", "预约", "Booked"),
        Cancel = ("cancel", "取消预约", "Cancelled"),
        NoShow = ("no_show", "登记爽约", "Did not come"),
        CheckIn = ("check_in", "预约到场", "Checked in"),
    }
}

impl Op {
    pub fn event(self) -> &'static str {
        match self {
            Op::Schedule => events::APPOINTMENT_SCHEDULE,
            Op::Book => events::APPOINTMENT_BOOK,
            Op::Cancel => events::APPOINTMENT_CANCEL,
            Op::NoShow => events::APPOINTMENT_NO_SHOW,
            Op::CheckIn => events::APPOINTMENT_CHECK_IN,
        }
    }

    pub fn of_event(action: &str) -> Option<Op> {
        Op::ALL.iter().copied().find(|o| o.event() == action)
    }
}

/// A schedule's target: the item code or the window's name.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AppointmentTarget"))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub kind: TargetKind,
    pub name: String,
}

/// One slot of the day, `HH:MM`–`HH:MM` Beijing time.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotTime {
    pub start: String,
    pub end: String,
}

/// The slots of a target on every working day.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub target: Target,
    pub department: String,
    pub times: Vec<SlotTime>,
    /// Bookings a slot takes.
    pub capacity: u32,
}

fn hhmm(s: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| CoreError::Invalid(format!("时间格式应为 HH:MM：「{s}」")))
}

impl SlotTime {
    /// `09:00-10:00` (also with `–`, `~` or `至`).
    pub fn parse(s: &str) -> Result<SlotTime> {
        let s = crate::ids::normalize(s);
        let (a, b) = s
            .split_once(['-', '–', '~', '至'])
            .ok_or_else(|| CoreError::Invalid(format!("时段格式应为 09:00-10:00：「{s}」")))?;
        SlotTime { start: a.into(), end: b.into() }.normalized()
    }

    fn normalized(&self) -> Result<SlotTime> {
        let (a, b) = (hhmm(&self.start)?, hhmm(&self.end)?);
        if a >= b {
            return Err(CoreError::Invalid(format!("时段 {}-{} 的结束早于开始", self.start, self.end)));
        }
        Ok(SlotTime { start: a.format("%H:%M").to_string(), end: b.format("%H:%M").to_string() })
    }
}

impl Schedule {
    /// Times well-formed, sorted and not overlapping; capacity 1–999; a named target.
    pub fn normalized(&self) -> Result<Schedule> {
        let name = self.target.name.trim().to_owned();
        if name.is_empty() {
            return Err(CoreError::Missing {
                action: "设置预约时段".into(), field: "事项编码或窗口名称".into()
            });
        }
        if !(1..=999).contains(&self.capacity) {
            return Err(CoreError::Invalid(format!("每个时段可约人数须为 1–999，不是 {}", self.capacity)));
        }
        let mut times = self.times.iter().map(SlotTime::normalized).collect::<Result<Vec<_>>>()?;
        if times.is_empty() {
            return Err(CoreError::Missing { action: "设置预约时段".into(), field: "时段".into() });
        }
        times.sort_by(|a, b| a.start.cmp(&b.start));
        for w in times.windows(2) {
            if w[1].start < w[0].end {
                return Err(CoreError::Invalid(format!(
                    "时段 {}-{} 与 {}-{} 重叠",
                    w[0].start, w[0].end, w[1].start, w[1].end
                )));
            }
        }
        Ok(Schedule {
            target: Target { kind: self.target.kind, name },
            department: self.department.trim().to_owned(),
            times,
            capacity: self.capacity,
        })
    }
}

/// A booking request, at the window or from the online hall.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBooking {
    pub item_code: String,
    /// The schedule's target; None: the item's own schedule.
    #[serde(default)]
    pub window: Option<String>,
    pub date: NaiveDate,
    /// The slot's start, `HH:MM`.
    pub start: String,
    pub applicant_id: String,
    pub applicant_name: String,
    /// The online hall's booking id: a booking arriving twice is applied once.
    #[serde(default, rename = "ref")]
    pub external_ref: Option<String>,
}

/// The journal payload of an appointment step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    Schedule(Schedule),
    Book {
        booking_id: String,
        target: Target,
        department: String,
        date: NaiveDate,
        start: String,
        end: String,
        item_code: String,
        applicant_id: String,
        applicant_name: String,
        channel: Channel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_ref: Option<String>,
    },
    Cancel {
        booking_id: String,
        reason: String,
    },
    NoShow {
        booking_id: String,
    },
    /// The intake filed as an appointed case (its `case.appoint` event follows in the same
    /// transaction) and the priority ticket taken.
    CheckIn {
        booking_id: String,
        case_no: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ticket_id: Option<String>,
    },
}

impl Step {
    pub fn op(&self) -> Op {
        match self {
            Step::Schedule(_) => Op::Schedule,
            Step::Book { .. } => Op::Book,
            Step::Cancel { .. } => Op::Cancel,
            Step::NoShow { .. } => Op::NoShow,
            Step::CheckIn { .. } => Op::CheckIn,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_times_are_parsed_sorted_and_not_overlapping() {
        // An IME's full-width digits and dash are folded.
        assert_eq!(SlotTime::parse("９:００－10:00").unwrap().start, "09:00");
        assert_eq!(SlotTime::parse("9:00-10:00").unwrap(), SlotTime { start: "09:00".into(), end: "10:00".into() });
        assert!(SlotTime::parse("10:00-09:00").is_err());
        let s = Schedule {
            target: Target { kind: TargetKind::Item, name: "X".into() },
            department: "D".into(),
            times: vec![SlotTime::parse("10:00-11:00").unwrap(), SlotTime::parse("09:00-10:30").unwrap()],
            capacity: 2,
        };
        assert!(s.normalized().is_err());
        for &op in Op::ALL {
            assert_eq!(Op::of_event(op.event()), Some(op));
        }
    }
}
