//! 办理时限 (statutory/promised deadlines) and the 红黄绿灯 warning light.
//!
//! Counting rules:
//! - 《行政许可法》第八十二条: limits are working days, counted on the [`Calendar`].
//! - 《行政许可法》第四十二条: the limit runs from acceptance (自受理之日起); the day of acceptance
//!   itself is not counted, so `due = add_workdays(accepted_on, n)`. An extension (延长, e.g.
//!   +10 days with the head's approval) adds to the limit.
//! - 《行政许可法》第四十五条: time for hearings, tendering, auctions, testing, inspection,
//!   quarantine, appraisal and expert review (特别程序) is not counted; likewise waiting for a
//!   supplement (补正) and a suspension (中止). Each stop removes the working days in (from, to]:
//!   the day the clock stops still counts, the day it restarts does not; the clock runs again
//!   the day after `to`. Overlapping stops are merged so no day is removed twice.
//! - A 即办件 has limit 0: due the day it is accepted.
//! - Before acceptance the window pre-reviews within [`PRE_REVIEW_DAYS`] of filing.
//! - 《行政许可法》第四十四条: after the decision a second limit runs, [`DELIVERY_DAYS`] to issue
//!   and deliver it. A case therefore has two deadlines ([`Phase`]); the decision's lateness is
//!   fixed on the day of the decision ([`DecisionRecord::late_days`]), whatever day it is now.
//!
//! This module is the only place a case's due date is computed: the projection stores
//! [`CaseClock::schedule`] on the case row, the read side turns it into days left and a light
//! with [`Board`] (`core/tests/it/deadline_home.rs` checks that no other module counts working days).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};
use crate::case::ClockEffect;

/// The window pre-reviews an application within 2 working days of filing (seed articles:
/// 提前预审; §32 allows 5 days for the supplement notice, the service hall promises 2).
pub const PRE_REVIEW_DAYS: u32 = 2;

/// 《行政许可法》第四十四条: 行政机关作出准予行政许可的决定，需要颁发行政许可证件的，应当自作出决定之日起
/// 十日内向申请人颁发、送达行政许可证件. Working days (§82). The window holds the written denial
/// (不予许可决定书) to the same limit, so every decided case waits at most this long for delivery.
pub const DELIVERY_DAYS: u32 = 10;

/// Why the clock stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopKind {
    /// 补正: waiting for the applicant's missing materials.
    Supplement,
    /// 中止: the procedure is suspended.
    Suspension,
    /// 特别程序: 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审 (§45).
    SpecialProcedure,
}

/// One interval during which the clock does not run: working days in (from, to].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockStop {
    pub kind: StopKind,
    pub from: NaiveDate,
    /// `None`: still stopped; the stop runs to `today`.
    pub to: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineInput {
    pub accepted_on: NaiveDate,
    /// Working days (法定 or 承诺 limit); 0 for a 即办件.
    pub limit_days: u32,
    /// Approved extension in working days (延长审批时限).
    pub extension_days: u32,
    pub stops: Vec<ClockStop>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub due: NaiveDate,
    /// limit + extension.
    pub total_days: u32,
    /// Working days not counted because the clock was stopped (overlaps merged).
    pub stopped_days: u32,
    /// The clock is stopped today: an open stop has begun, or a closed stop has begun and not
    /// yet reached its `to` day. While an open stop lasts, `due` moves one working day later for
    /// each working day that passes.
    pub paused: bool,
}

/// Working days stopped = working days in (from, to] for each stop, where an open stop runs to `today`.
/// due = add_workdays(accepted_on, limit + extension + stopped).
///
/// Stops are clipped to start no earlier than `accepted_on` (nothing runs before acceptance) and
/// merged where they overlap or touch. A stop whose `to` precedes its `from` is refused.
/// Counting that reaches a year not loaded is [`CalendarError::UnknownYear`].
pub fn compute(cal: &Calendar, input: &DeadlineInput, today: NaiveDate) -> Result<Deadline, CalendarError> {
    let mut spans: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(input.stops.len());
    let mut paused = false;
    for stop in &input.stops {
        let end = match stop.to {
            Some(to) if to < stop.from => {
                return Err(CalendarError::Invalid(format!("时限中止区间的结束日 {to} 早于开始日 {}", stop.from)));
            }
            Some(to) => {
                paused |= stop.from <= today && today < to;
                to
            }
            None => {
                paused |= stop.from <= today;
                today
            }
        };
        let from = stop.from.max(input.accepted_on);
        if end > from {
            spans.push((from, end));
        }
    }
    spans.sort_unstable();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(spans.len());
    for (from, end) in spans {
        // (a, b] and (c, d] with c <= b share or join at a day: count their union once.
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((from, end)),
        }
    }
    let mut stopped: u32 = 0;
    for (from, end) in merged {
        let n = cal.workdays_between(from, end)?;
        stopped = stopped.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }
    let total_days = input.limit_days.saturating_add(input.extension_days);
    let due = cal.add_workdays(input.accepted_on, total_days.saturating_add(stopped))?;
    Ok(Deadline { due, total_days, stopped_days: stopped, paused })
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

/// Yellow/red thresholds are set locally, not nationally, so they are configuration.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LightPolicy {
    /// Yellow when the working days left are at most this share of the total (default 0.2).
    pub yellow_ratio: f64,
    /// ...or at most this many working days, whichever is larger (default 1).
    pub yellow_min_days: u32,
}

impl Default for LightPolicy {
    fn default() -> Self {
        LightPolicy { yellow_ratio: 0.2, yellow_min_days: 1 }
    }
}

/// left = working days from today to due (ordinal(due) - ordinal(today)); Red if left < 0,
/// Yellow if left <= max(yellow_min_days, floor(total_days * yellow_ratio)), else Green.
///
/// On the due day itself `left` is 0 (Yellow); the first working day after it gives -1 (Red).
/// Days off after the due day keep `left` at 0 until the next working day, when no one can act.
pub fn light(policy: &LightPolicy, total_days: u32, left: i64) -> Light {
    if left < 0 {
        return Light::Red;
    }
    // The epsilon keeps e.g. 15 * 0.2 from flooring to 2 through binary rounding; a NaN or
    // negative ratio yields 0 and falls back to `yellow_min_days`.
    let share = (f64::from(total_days) * policy.yellow_ratio + 1e-9).floor();
    let share = if share.is_finite() && share > 0.0 { share as i64 } else { 0 };
    if left <= i64::from(policy.yellow_min_days).max(share) { Light::Yellow } else { Light::Green }
}

/// Working days from today to due: ordinal(due) - ordinal(today), negative once overdue. For
/// many cases at once, take `cal.workday_ordinal(today)` once and subtract it from each case's
/// `workday_ordinal(due)`; this function is the checked single-case form.
pub fn working_days_left(cal: &Calendar, due: NaiveDate, today: NaiveDate) -> Result<i64, CalendarError> {
    cal.workdays_between(today, due)
}

/// Working days in (from, to] (statistics: acceptance → decision, the acceptance day not counted, as §42 counts).
pub fn working_days_elapsed(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
    cal.workdays_between(from, to)
}

/// A case's deadline seen from `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub deadline: Deadline,
    pub left: i64,
    pub light: Light,
}

/// [`compute`], [`working_days_left`] and [`light`] in one call.
pub fn assess(
    cal: &Calendar,
    policy: &LightPolicy,
    input: &DeadlineInput,
    today: NaiveDate,
) -> Result<Assessment, CalendarError> {
    let deadline = compute(cal, input, today)?;
    let left = working_days_left(cal, deadline.due, today)?;
    Ok(Assessment { deadline, left, light: light(policy, deadline.total_days, left) })
}

/// Which of a case's deadlines runs.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Filed, not yet accepted: the window's pre-review ([`PRE_REVIEW_DAYS`] from filing).
    PreReview,
    /// Accepted, not yet decided: the promised (or statutory) limit from acceptance, plus
    /// extensions and stops.
    Decision,
    /// Decided (准予 or 不予许可), not yet delivered: [`DELIVERY_DAYS`] from the decision (§44).
    Delivery,
}

impl Phase {
    pub fn of(accepted: bool, decided: bool) -> Phase {
        match (accepted, decided) {
            (_, true) => Phase::Delivery,
            (true, false) => Phase::Decision,
            (false, false) => Phase::PreReview,
        }
    }

    /// The limit the phase runs against (the light's yellow share is taken of it).
    pub fn total_days(self, limit_and_extension: u32) -> u32 {
        match self {
            Phase::PreReview => PRE_REVIEW_DAYS,
            Phase::Decision => limit_and_extension,
            Phase::Delivery => DELIVERY_DAYS,
        }
    }
}

/// The statutory clock of one case, as its row keeps it. The projection moves it with each
/// event's [`ClockEffect`]; [`CaseClock::schedule`] turns it into due dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseClock {
    pub filed_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    /// The promised limit (承诺时限) in working days; 0 for a 即办件.
    pub limit_days: u32,
    /// §42 extension granted so far (capped by `case::MAX_EXTENSION_DAYS`).
    pub extension_days: u32,
    /// Working days of closed stops in the running phase; acceptance starts the count afresh,
    /// so a 补正 during pre-review does not lengthen the decision limit.
    pub stopped_days: u32,
    /// The open stop's first day: working days after it do not count until it ends.
    pub stopped_since: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
}

impl CaseClock {
    pub fn filed(filed_on: NaiveDate, limit_days: u32) -> CaseClock {
        CaseClock {
            filed_on,
            accepted_on: None,
            limit_days,
            extension_days: 0,
            stopped_days: 0,
            stopped_since: None,
            decided_on: None,
        }
    }

    pub fn phase(&self) -> Phase {
        Phase::of(self.accepted_on.is_some(), self.decided_on.is_some())
    }

    /// Moves the clock for an event on `day`. A stop ending in a year the calendar lacks cannot
    /// be counted: it adds nothing, and [`CaseClock::schedule`] then fails on that same year and
    /// flags the deadline instead of guessing.
    pub fn apply(&mut self, effect: ClockEffect, day: NaiveDate, cal: &Calendar) {
        match effect {
            ClockEffect::Start => self.accept(day),
            ClockEffect::Stop => {
                self.stopped_since.get_or_insert(day);
            }
            ClockEffect::Resume => {
                if let Some(since) = self.stopped_since.take()
                    && let Ok(n) = cal.workdays_between(since, day)
                {
                    self.stopped_days = self.stopped_days.saturating_add(u32::try_from(n.max(0)).unwrap_or(0));
                }
            }
            ClockEffect::Decide => {
                // 当场办结: accepted and decided in one sitting, nothing left to run.
                if self.accepted_on.is_none() {
                    self.accept(day);
                }
                self.stopped_since = None;
                self.decided_on = Some(day);
            }
            ClockEffect::Close | ClockEffect::None => {}
        }
    }

    fn accept(&mut self, day: NaiveDate) {
        self.accepted_on = Some(day);
        self.stopped_days = 0;
        self.stopped_since = None;
    }

    /// The due dates the case row stores. A function of the clock alone, never of `today`, so
    /// replaying the same events (`yc rebuild`) writes the same row, and a decision's lateness
    /// stays what it was on the day of the decision.
    ///
    /// due = add_workdays(start, limit + stopped): start is acceptance (limit + extension) or,
    /// before it, filing ([`PRE_REVIEW_DAYS`]); an open stop is not in it (see [`Board`]).
    pub fn schedule(&self, cal: &Calendar) -> Result<Schedule, CalendarError> {
        let (start, days) = match self.accepted_on {
            Some(a) => (a, self.limit_days.saturating_add(self.extension_days)),
            None => (self.filed_on, PRE_REVIEW_DAYS),
        };
        let due = cal.add_workdays(start, days.saturating_add(self.stopped_days))?;
        let decision = match self.decided_on {
            None => None,
            Some(on) => {
                let late = cal.workdays_between(due, on)?.max(0);
                Some(DecisionRecord {
                    decided_on: on,
                    due,
                    late_days: u32::try_from(late).unwrap_or(u32::MAX),
                    delivery_due: cal.add_workdays(on, DELIVERY_DAYS)?,
                })
            }
        };
        Ok(Schedule { due, decision })
    }
}

/// A theme's overall deadline (并联审批 总时限): `limit_days` working days after the joint filing
/// (the filing day not counted, as §42 counts from acceptance). Branch supplements do not stop it:
/// the theme promises the applicant one date.
pub fn theme_due(cal: &Calendar, filed_on: NaiveDate, limit_days: u32) -> Result<NaiveDate, CalendarError> {
    cal.add_workdays(filed_on, limit_days)
}

/// A case's stored deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// The pre-review or decision deadline without an open stop (`cases.due_date`).
    pub due: NaiveDate,
    pub decision: Option<DecisionRecord>,
}

/// The decision against its deadline, and the delivery deadline it starts (§44).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecisionRecord {
    pub decided_on: NaiveDate,
    /// The decision deadline as it stood on the day of the decision.
    pub due: NaiveDate,
    /// Working days the decision came after `due` (0: on time). Supervision counts it; it does
    /// not grow while the case waits for delivery.
    pub late_days: u32,
    /// decided_on + [`DELIVERY_DAYS`] working days.
    pub delivery_due: NaiveDate,
}

/// The deadline an open case runs against now, as read from its row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Running {
    pub phase: Phase,
    /// The phase's stored due date: `due_date` (without an open stop) or `delivery_due`.
    pub due: NaiveDate,
    pub total_days: u32,
    pub stopped_since: Option<NaiveDate>,
}

/// What the clerk sees of one open case today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub phase: Phase,
    /// The date to act by. While paused: the date it would be due if the clock restarted today,
    /// one working day later for each working day paused (`None` if that runs into a year the
    /// calendar lacks).
    pub due: Option<NaiveDate>,
    /// Working days from today to `due`; while paused, the days that were left when it stopped.
    pub left: i64,
    pub light: Light,
    pub paused: bool,
}

/// Deadlines seen from one day, for many cases: the work list and the light pass.
/// [`Board::left`] is O(1) per case (ordinals); [`Board::standing`] adds one O(log n) date
/// search for a paused case only.
pub struct Board<'a> {
    cal: &'a Calendar,
    policy: LightPolicy,
    today: NaiveDate,
    today_ord: Option<i64>,
}

impl<'a> Board<'a> {
    pub fn new(cal: &'a Calendar, policy: LightPolicy, today: NaiveDate) -> Board<'a> {
        Board { cal, policy, today, today_ord: cal.workday_ordinal(today).ok() }
    }

    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// A stop in force today (one recorded after `today` has not begun yet).
    pub fn paused_since(&self, stopped_since: Option<NaiveDate>) -> Option<NaiveDate> {
        stopped_since.filter(|s| *s <= self.today)
    }

    /// (working days left, light): left = ordinal(due) - ordinal(today), or - ordinal(stop)
    /// while paused (the count stands still). `None`: the calendar lacks a year involved.
    pub fn left(&self, r: &Running) -> Option<(i64, Light)> {
        let due = self.cal.workday_ordinal(r.due).ok()?;
        let from = match self.paused_since(r.stopped_since) {
            Some(since) => self.cal.workday_ordinal(since).ok()?,
            None => self.today_ord?,
        };
        let left = due - from;
        Some((left, light(&self.policy, r.total_days, left)))
    }

    /// [`Board::left`] with the date to show. While paused the stored due date excludes the open
    /// stop; restarting today would add the working days in (since, today] (as [`compute`]
    /// counts an open stop), which keeps `left` = working days from today to the date shown.
    pub fn standing(&self, r: &Running) -> Option<Standing> {
        let (left, light) = self.left(r)?;
        let paused = self.paused_since(r.stopped_since);
        let due = match paused {
            None => Some(r.due),
            Some(since) => self
                .cal
                .workdays_between(since, self.today)
                .ok()
                .and_then(|n| u32::try_from(n).ok())
                .and_then(|n| self.cal.add_workdays(r.due, n).ok()),
        };
        Some(Standing { phase: r.phase, due, left, light, paused: paused.is_some() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    fn input(accepted_on: NaiveDate, limit_days: u32, stops: Vec<ClockStop>) -> DeadlineInput {
        DeadlineInput { accepted_on, limit_days, extension_days: 0, stops }
    }

    fn stop(kind: StopKind, from: NaiveDate, to: Option<NaiveDate>) -> ClockStop {
        ClockStop { kind, from, to }
    }

    /// 2026-03-02, a Monday. March 2026 has no holidays; 清明节 is 2026-04-04 (Sat) – 04-06 (Mon).
    fn mon() -> NaiveDate {
        day(2026, 3, 2)
    }

    #[test]
    fn twenty_day_limit_without_stops_is_due_on_the_twentieth_working_day() {
        // From 2026-03-02 (Mon): 3/3–3/6 = 1..4, 3/9–13 = 5..9, 3/16–20 = 10..14, 3/23–27 = 15..19, 3/30 (Mon) = 20.
        let d = compute(&Calendar::official(), &input(mon(), 20, vec![]), mon()).expect("covered");
        assert_eq!(d, Deadline { due: day(2026, 3, 30), total_days: 20, stopped_days: 0, paused: false });
    }

    #[test]
    fn a_closed_supplement_stop_moves_the_due_date_by_its_working_days() {
        // Stop (3/5, 3/11]: 3/6 (Fri), 3/9, 3/10, 3/11 = 4 working days.
        // Due = 24 working days after 3/2: 3/30 = 20, 3/31 = 21, 4/1 = 22, 4/2 = 23, 4/3 (Fri) = 24.
        let i = input(mon(), 20, vec![stop(StopKind::Supplement, day(2026, 3, 5), Some(day(2026, 3, 11)))]);
        let d = compute(&Calendar::official(), &i, day(2026, 3, 20)).expect("covered");
        assert_eq!((d.due, d.stopped_days, d.paused), (day(2026, 4, 3), 4, false));
    }

    #[test]
    fn the_clock_is_paused_inside_a_closed_stop_and_resumes_on_its_end_day() {
        let i = input(mon(), 20, vec![stop(StopKind::SpecialProcedure, day(2026, 3, 5), Some(day(2026, 3, 11)))]);
        let cal = Calendar::official();
        let at = |t| compute(&cal, &i, t).expect("covered").paused;
        assert!(!at(day(2026, 3, 4)));
        assert!(at(day(2026, 3, 5)));
        assert!(at(day(2026, 3, 10)));
        assert!(!at(day(2026, 3, 11)));
    }

    #[test]
    fn an_open_stop_pauses_and_the_due_date_moves_with_today() {
        let cal = Calendar::official();
        let i = input(mon(), 20, vec![stop(StopKind::Suspension, day(2026, 3, 5), None)]);
        // Today 3/11: stopped (3/5, 3/11] = 4 -> due 4/3 as for the closed stop.
        let d = compute(&cal, &i, day(2026, 3, 11)).expect("covered");
        assert_eq!((d.due, d.stopped_days, d.paused), (day(2026, 4, 3), 4, true));
        // Today 3/12: 5 stopped -> 25 working days: 4/4–4/6 off -> 4/7 (Tue).
        let d = compute(&cal, &i, day(2026, 3, 12)).expect("covered");
        assert_eq!((d.due, d.stopped_days, d.paused), (day(2026, 4, 7), 5, true));
        // Today 3/14 (Sat): no working day passed since Friday 3/13 (6 stopped) -> 4/8.
        let d13 = compute(&cal, &i, day(2026, 3, 13)).expect("covered");
        let d14 = compute(&cal, &i, day(2026, 3, 14)).expect("covered");
        assert_eq!((d13.due, d14.due), (day(2026, 4, 8), day(2026, 4, 8)));
    }

    #[test]
    fn overlapping_stops_are_not_counted_twice() {
        // (3/2, 3/6] = 3/3–3/6 = 4; (3/4, 3/10] = 3/5, 3/6, 3/9, 3/10 = 4; union (3/2, 3/10] = 6.
        let i = input(
            mon(),
            20,
            vec![
                stop(StopKind::SpecialProcedure, day(2026, 3, 4), Some(day(2026, 3, 10))),
                stop(StopKind::Supplement, day(2026, 3, 2), Some(day(2026, 3, 6))),
            ],
        );
        let d = compute(&Calendar::official(), &i, day(2026, 3, 20)).expect("covered");
        assert_eq!(d.stopped_days, 6);
        // 26 working days after 3/2: 4/3 = 24, 4/4–4/6 off, 4/7 = 25, 4/8 (Wed) = 26.
        assert_eq!(d.due, day(2026, 4, 8));
    }

    #[test]
    fn touching_and_nested_stops_count_their_union_once() {
        // (3/2, 3/6] and (3/6, 3/10] touch: union (3/2, 3/10] = 6; nested (3/3, 3/4] adds nothing.
        let i = input(
            mon(),
            20,
            vec![
                stop(StopKind::Supplement, day(2026, 3, 2), Some(day(2026, 3, 6))),
                stop(StopKind::Suspension, day(2026, 3, 6), Some(day(2026, 3, 10))),
                stop(StopKind::SpecialProcedure, day(2026, 3, 3), Some(day(2026, 3, 4))),
            ],
        );
        let d = compute(&Calendar::official(), &i, day(2026, 3, 20)).expect("covered");
        assert_eq!(d.stopped_days, 6);
    }

    #[test]
    fn stops_before_acceptance_do_not_count() {
        // (2/25, 3/4] clipped to (3/2, 3/4] = 3/3, 3/4 = 2.
        let i = input(mon(), 20, vec![stop(StopKind::Supplement, day(2026, 2, 25), Some(day(2026, 3, 4)))]);
        let d = compute(&Calendar::official(), &i, day(2026, 3, 20)).expect("covered");
        assert_eq!(d.stopped_days, 2);
    }

    #[test]
    fn a_stop_ending_before_it_starts_is_refused() {
        let i = input(mon(), 20, vec![stop(StopKind::Suspension, day(2026, 3, 10), Some(day(2026, 3, 5)))]);
        assert!(matches!(
            compute(&Calendar::official(), &i, day(2026, 3, 20)),
            Err(CalendarError::Invalid(m)) if m.contains("2026-03-05")
        ));
    }

    #[test]
    fn an_extension_adds_to_the_limit() {
        // 20 + 10 = 30 after 3/2: 4/3 = 24, 4/4–4/6 off, 4/7–4/10 = 25..28, 4/13 = 29, 4/14 (Tue) = 30.
        let mut i = input(mon(), 20, vec![]);
        i.extension_days = 10;
        let d = compute(&Calendar::official(), &i, mon()).expect("covered");
        assert_eq!((d.due, d.total_days), (day(2026, 4, 14), 30));
    }

    #[test]
    fn a_deadline_running_into_an_unloaded_year_is_unknown_year() {
        // 2026-12-01 + 30 working days passes 2026-12-31.
        let i = input(day(2026, 12, 1), 30, vec![]);
        assert_eq!(compute(&Calendar::official(), &i, day(2026, 12, 1)), Err(CalendarError::UnknownYear(2027)));
    }

    #[test]
    fn lights_switch_at_the_thresholds() {
        let p = LightPolicy::default();
        // 20 days: threshold max(1, floor(20 * 0.2)) = 4.
        assert_eq!(light(&p, 20, 5), Light::Green);
        assert_eq!(light(&p, 20, 4), Light::Yellow);
        assert_eq!(light(&p, 20, 0), Light::Yellow);
        assert_eq!(light(&p, 20, -1), Light::Red);
        // 3 days: floor(0.6) = 0, so the minimum of 1 day applies.
        assert_eq!(light(&p, 3, 2), Light::Green);
        assert_eq!(light(&p, 3, 1), Light::Yellow);
        // 15 * 0.2 is 3 exactly, not 2.999…: yellow at 3.
        assert_eq!(light(&p, 15, 3), Light::Yellow);
        assert_eq!(light(&p, 15, 4), Light::Green);
        // A local policy: 30% with at least 2 days.
        let local = LightPolicy { yellow_ratio: 0.3, yellow_min_days: 2 };
        assert_eq!(light(&local, 20, 6), Light::Yellow);
        assert_eq!(light(&local, 20, 7), Light::Green);
        assert_eq!(light(&local, 5, 2), Light::Yellow);
    }

    #[test]
    fn an_on_the_spot_case_is_yellow_on_its_day_and_red_the_next_working_day() {
        // 即办件: limit 0, due the day it is accepted.
        let cal = Calendar::official();
        let p = LightPolicy::default();
        let i = input(mon(), 0, vec![]);
        let same = assess(&cal, &p, &i, mon()).expect("covered");
        assert_eq!((same.deadline.due, same.left, same.light), (mon(), 0, Light::Yellow));
        let next = assess(&cal, &p, &i, day(2026, 3, 3)).expect("covered");
        assert_eq!((next.left, next.light), (-1, Light::Red));
    }

    #[test]
    fn working_days_left_counts_down_across_holidays() {
        let cal = Calendar::official();
        let due = day(2026, 10, 9);
        // From 9/30: 10/8, 10/9 = 2 left; through the National Day week the count stays at 2.
        assert_eq!(working_days_left(&cal, due, day(2026, 9, 30)), Ok(2));
        assert_eq!(working_days_left(&cal, due, day(2026, 10, 5)), Ok(2));
        assert_eq!(working_days_left(&cal, due, day(2026, 10, 9)), Ok(0));
        // 10/10 is a make-up Saturday: one working day overdue.
        assert_eq!(working_days_left(&cal, due, day(2026, 10, 10)), Ok(-1));
        let fast = cal.workday_ordinal(due).and_then(|o| Ok(o - cal.workday_ordinal(day(2026, 10, 5))?));
        assert_eq!(fast, Ok(2));
    }

    #[test]
    fn a_twenty_day_case_turns_yellow_then_red() {
        // Due 2026-03-30 (see above); threshold 4.
        let cal = Calendar::official();
        let p = LightPolicy::default();
        let i = input(mon(), 20, vec![]);
        let at = |t| assess(&cal, &p, &i, t).expect("covered");
        // 3/23 (Mon): 3/24–3/27 + 3/30 = 5 left -> green; 3/24: 4 left -> yellow.
        assert_eq!((at(day(2026, 3, 23)).left, at(day(2026, 3, 23)).light), (5, Light::Green));
        assert_eq!((at(day(2026, 3, 24)).left, at(day(2026, 3, 24)).light), (4, Light::Yellow));
        assert_eq!((at(day(2026, 3, 31)).left, at(day(2026, 3, 31)).light), (-1, Light::Red));
    }

    #[test]
    fn light_and_stop_kind_serialise_as_lowercase_tags() {
        assert_eq!(serde_json::to_string(&Light::Yellow).ok().as_deref(), Some("\"yellow\""));
        assert_eq!(serde_json::to_string(&StopKind::SpecialProcedure).ok().as_deref(), Some("\"special_procedure\""));
    }

    // ---- the case clock: two deadlines, frozen lateness, what a paused case shows ----------

    /// Accepted 3/2 (Mon) with a 20-day limit: due 3/30 (see above).
    fn accepted_clock(limit: u32) -> CaseClock {
        let mut c = CaseClock::filed(mon(), limit);
        c.apply(ClockEffect::Start, mon(), &Calendar::official());
        c
    }

    #[test]
    fn before_acceptance_the_pre_review_runs_and_acceptance_starts_the_count_afresh() {
        let cal = Calendar::official();
        let mut c = CaseClock::filed(mon(), 20);
        assert_eq!(c.phase(), Phase::PreReview);
        // 2 working days after 3/2: 3/4.
        assert_eq!(c.schedule(&cal).map(|s| s.due), Ok(day(2026, 3, 4)));
        // A 补正 during pre-review stops it; acceptance then runs the full decision limit.
        c.apply(ClockEffect::Stop, day(2026, 3, 3), &cal);
        c.apply(ClockEffect::Resume, day(2026, 3, 6), &cal);
        assert_eq!((c.stopped_days, c.schedule(&cal).map(|s| s.due)), (3, Ok(day(2026, 3, 9))));
        c.apply(ClockEffect::Start, day(2026, 3, 9), &cal);
        assert_eq!((c.phase(), c.stopped_days), (Phase::Decision, 0));
        assert_eq!(c.schedule(&cal).map(|s| s.due), cal.add_workdays(day(2026, 3, 9), 20));
    }

    #[test]
    fn a_decision_six_working_days_late_records_six_and_starts_the_delivery_limit() {
        let cal = Calendar::official();
        let mut c = accepted_clock(20);
        // Due 3/30; 3/31, 4/1, 4/2, 4/3, (4/4–4/6 清明), 4/7, 4/8 = 6 working days late.
        c.apply(ClockEffect::Decide, day(2026, 4, 8), &cal);
        let s = c.schedule(&cal).expect("covered");
        // §44: 4/9, 4/10, 4/13–17, 4/20, 4/21, 4/22 = 10 working days.
        let rec = DecisionRecord {
            decided_on: day(2026, 4, 8),
            due: day(2026, 3, 30),
            late_days: 6,
            delivery_due: day(2026, 4, 22),
        };
        assert_eq!((s.due, s.decision, c.phase()), (day(2026, 3, 30), Some(rec), Phase::Delivery));
        // A week later the board counts the delivery deadline, not the missed decision.
        let run =
            Running { phase: Phase::Delivery, due: rec.delivery_due, total_days: DELIVERY_DAYS, stopped_since: None };
        let st = Board::new(&cal, LightPolicy::default(), day(2026, 4, 15)).standing(&run).expect("covered");
        assert_eq!((st.left, st.light, st.due), (5, Light::Green, Some(day(2026, 4, 22))));
    }

    #[test]
    fn a_decision_on_the_spot_is_accepted_and_decided_the_same_day() {
        let cal = Calendar::official();
        let mut c = CaseClock::filed(mon(), 0);
        c.apply(ClockEffect::Decide, mon(), &cal);
        let s = c.schedule(&cal).expect("covered");
        assert_eq!((c.accepted_on, s.due), (Some(mon()), mon()));
        assert_eq!(s.decision.map(|d| (d.late_days, d.delivery_due)), Some((0, day(2026, 3, 16))));
    }

    #[test]
    fn a_paused_case_shows_the_date_it_would_be_due_if_it_restarted_today() {
        let cal = Calendar::official();
        let mut c = accepted_clock(20);
        c.apply(ClockEffect::Stop, day(2026, 3, 5), &cal);
        let stored = c.schedule(&cal).expect("covered").due;
        assert_eq!(stored, day(2026, 3, 30));
        let run = Running { phase: Phase::Decision, due: stored, total_days: 20, stopped_since: c.stopped_since };
        // Left when it stopped: (3/5, 3/30] = 3/6 + 3 weeks + 3/30 = 17.
        let at = |t| Board::new(&cal, LightPolicy::default(), t).standing(&run).expect("covered");
        assert_eq!((at(day(2026, 3, 5)).due, at(day(2026, 3, 5)).left), (Some(day(2026, 3, 30)), 17));
        // 3/12: 5 working days paused -> 4/7 (as compute counts the open stop), still 17 left.
        let s = at(day(2026, 3, 12));
        assert_eq!((s.due, s.left, s.paused), (Some(day(2026, 4, 7)), 17, true));
        assert_eq!(working_days_left(&cal, day(2026, 4, 7), day(2026, 3, 12)), Ok(17));
        let open = input(mon(), 20, vec![stop(StopKind::Supplement, day(2026, 3, 5), None)]);
        assert_eq!(compute(&cal, &open, day(2026, 3, 12)).map(|d| d.due), Ok(day(2026, 4, 7)));
    }

    mod props {
        use super::*;
        use chrono::Days;
        use proptest::prelude::*;

        fn official() -> &'static Calendar {
            static CAL: std::sync::LazyLock<Calendar> = std::sync::LazyLock::new(Calendar::official);
            &CAL
        }

        /// 2024-01-01 .. 2025-10: every count below stays inside the embedded 2024–2026 tables.
        fn accepted() -> impl Strategy<Value = NaiveDate> {
            (0u64..660).prop_map(|o| day(2024, 1, 1) + Days::new(o))
        }

        /// A case's life after acceptance: stops and restarts at the given gaps (calendar days),
        /// every stop restarted, then the decision `decide_gap` days later.
        #[derive(Debug, Clone)]
        struct Life {
            accepted: NaiveDate,
            limit: u32,
            extension: u32,
            gaps: Vec<u64>,
            decide_gap: u64,
        }

        fn life() -> impl Strategy<Value = Life> {
            (accepted(), 0u32..45, 0u32..=10, proptest::collection::vec(0u64..20, 0..8), 0u64..60).prop_map(
                |(accepted, limit, extension, gaps, decide_gap)| Life { accepted, limit, extension, gaps, decide_gap },
            )
        }

        /// Replays `life` up to (not including) the decision: the clock and the same stops as
        /// the general [`compute`] takes them.
        fn replay(l: &Life) -> (CaseClock, Vec<ClockStop>, NaiveDate) {
            let cal = official();
            let mut c = CaseClock::filed(l.accepted, l.limit);
            c.apply(ClockEffect::Start, l.accepted, cal);
            c.extension_days = l.extension;
            let mut stops: Vec<ClockStop> = Vec::new();
            let mut at = l.accepted;
            for (i, g) in l.gaps.iter().enumerate() {
                at = at + Days::new(*g);
                if i % 2 == 0 {
                    c.apply(ClockEffect::Stop, at, cal);
                    stops.push(ClockStop { kind: StopKind::Supplement, from: at, to: None });
                } else {
                    c.apply(ClockEffect::Resume, at, cal);
                    if let Some(s) = stops.last_mut() {
                        s.to = Some(at);
                    }
                }
            }
            if c.stopped_since.is_some() {
                at = at + Days::new(1);
                c.apply(ClockEffect::Resume, at, cal);
                if let Some(s) = stops.last_mut() {
                    s.to = Some(at);
                }
            }
            (c, stops, at)
        }

        fn general(l: &Life, stops: Vec<ClockStop>) -> DeadlineInput {
            DeadlineInput { accepted_on: l.accepted, limit_days: l.limit, extension_days: l.extension, stops }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]

            /// due ≥ accepted + limit (+ extension) working days, and the case clock the
            /// projection keeps gives the same date as the general computation over its stops.
            #[test]
            fn due_is_never_before_the_limit_and_the_case_clock_agrees_with_compute(l in life()) {
                let cal = official();
                let (c, stops, last) = replay(&l);
                let s = c.schedule(cal);
                prop_assume!(s.is_ok());
                let due = s.expect("assumed").due;
                let bare = cal.add_workdays(l.accepted, l.limit + l.extension).expect("inside the tables");
                prop_assert!(due >= bare, "{due} < {bare}");
                prop_assert!(cal.workdays_between(l.accepted, due).expect("covered") >= i64::from(l.limit + l.extension));
                let g = compute(cal, &general(&l, stops), last).expect("covered");
                prop_assert_eq!(g.due, due);
                prop_assert_eq!(g.stopped_days, c.stopped_days);
            }

            /// Adding a stop (overlapping or not, open or closed) never brings the due date forward.
            #[test]
            fn stops_never_shorten(
                a in accepted(), limit in 0u32..45,
                raw in proptest::collection::vec((0u64..80, 0u64..30, any::<bool>()), 1..6),
                today_gap in 0u64..120,
            ) {
                let cal = official();
                let today = a + Days::new(today_gap);
                let stops: Vec<ClockStop> = raw.iter().map(|&(from, len, open)| {
                    let from = a + Days::new(from);
                    ClockStop { kind: StopKind::SpecialProcedure, from, to: (!open).then(|| from + Days::new(len)) }
                }).collect();
                let mut prev = cal.add_workdays(a, limit).expect("inside the tables");
                for n in 1..=stops.len() {
                    let i = DeadlineInput { accepted_on: a, limit_days: limit, extension_days: 0, stops: stops[..n].to_vec() };
                    let d = compute(cal, &i, today).expect("inside the tables");
                    prop_assert!(d.due >= prev, "stop {} moved the due date from {} to {}", n, prev, d.due);
                    prev = d.due;
                }
            }

            /// The decision's lateness is what the board showed on the day of the decision, and
            /// no later day or event changes it; the delivery deadline is 10 working days on.
            #[test]
            fn decision_lateness_is_frozen_and_delivery_is_ten_working_days_later(
                l in life(), later in proptest::collection::vec(0u64..90, 1..4),
            ) {
                let cal = official();
                let (mut c, _, last) = replay(&l);
                let decided = last + Days::new(l.decide_gap);
                let before = c.schedule(cal);
                prop_assume!(before.is_ok());
                let decision_due = before.expect("assumed").due;
                c.apply(ClockEffect::Decide, decided, cal);
                let s = c.schedule(cal);
                prop_assume!(s.is_ok());
                let rec = s.expect("assumed").decision.expect("decided");
                prop_assert_eq!(rec.due, decision_due);
                prop_assert_eq!(c.phase(), Phase::Delivery);
                // §44.
                prop_assert_eq!(cal.workdays_between(decided, rec.delivery_due), Ok(i64::from(DELIVERY_DAYS)));
                prop_assert_eq!(cal.is_workday(rec.delivery_due), Ok(true));
                // Late = overdue count the decision deadline showed that day.
                let on_the_day = Board::new(cal, LightPolicy::default(), decided)
                    .left(&Running { phase: Phase::Decision, due: decision_due, total_days: 1, stopped_since: None })
                    .expect("covered").0;
                prop_assert_eq!(i64::from(rec.late_days), (-on_the_day).max(0));
                for g in later {
                    let t = decided + Days::new(g);
                    c.apply(ClockEffect::None, t, cal);
                    prop_assert_eq!(c.schedule(cal).ok().and_then(|s| s.decision), Some(rec));
                    let run = Running { phase: Phase::Delivery, due: rec.delivery_due, total_days: DELIVERY_DAYS, stopped_since: None };
                    let st = Board::new(cal, LightPolicy::default(), t).standing(&run);
                    prop_assume!(st.is_some());
                    prop_assert_eq!(Some(st.expect("assumed").left), cal.workdays_between(t, rec.delivery_due).ok());
                }
            }

            /// While paused, the due date shown and the days left agree (left = working days from
            /// today to the date shown), left stands still, and the date is what compute gives for
            /// the open stop.
            #[test]
            fn a_paused_case_shows_a_due_date_and_days_left_that_agree(
                l in life(), stop_gap in 0u64..30, today_gap in 0u64..40,
            ) {
                let cal = official();
                let (mut c, mut stops, last) = replay(&l);
                let since = last + Days::new(stop_gap);
                c.apply(ClockEffect::Stop, since, cal);
                stops.push(ClockStop { kind: StopKind::Suspension, from: since, to: None });
                let s = c.schedule(cal);
                prop_assume!(s.is_ok());
                let run = Running {
                    phase: Phase::Decision,
                    due: s.expect("assumed").due,
                    total_days: l.limit + l.extension,
                    stopped_since: Some(since),
                };
                let at_stop = Board::new(cal, LightPolicy::default(), since).left(&run).expect("covered").0;
                let today = since + Days::new(today_gap);
                let st = Board::new(cal, LightPolicy::default(), today).standing(&run).expect("covered");
                prop_assume!(st.due.is_some());
                let shown = st.due.expect("assumed");
                prop_assert!(st.paused);
                prop_assert_eq!(st.left, at_stop);
                prop_assert_eq!(working_days_left(cal, shown, today), Ok(st.left));
                prop_assert_eq!(compute(cal, &general(&l, stops), today).map(|d| d.due), Ok(shown));
            }
        }
    }
}
