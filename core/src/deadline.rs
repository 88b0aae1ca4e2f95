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

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};

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
}
