//! 工作日日历 (working-day calendar).
//!
//! 《行政许可法》第八十二条: the time limits of this law are counted in working days, statutory
//! holidays excluded. Holidays move every year and some weekend days become make-up working days
//! (调休), as published by the State Council General Office (国务院办公厅) each year. So the
//! calendar is *data*: one JSON table per year (format in `docs/calendar-format.md`), 2024–2026
//! embedded, later years imported offline. A date in a year without a table is an error
//! ([`CalendarError::UnknownYear`]), never a guess based on weekends alone.
//!
//! A day is a working day when it is a make-up working day, or when it is Monday–Friday and not
//! inside a holiday range.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The `format` tag every calendar file carries.
pub const FORMAT: &str = "yichuang-calendar/1";
/// Years a table may describe; bounds keep the dense index small and catch typos like `20266`.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 9999;

/// The embedded official tables, in year order.
const EMBEDDED: [&str; 3] = [
    include_str!("../data/calendar/2024.json"),
    include_str!("../data/calendar/2025.json"),
    include_str!("../data/calendar/2026.json"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("日历缺少 {0} 年的节假日安排，请导入该年的官方日历")]
    UnknownYear(i32),
    #[error("日历文件格式错误（第 {line} 行第 {column} 列）：{message}")]
    Malformed { line: usize, column: usize, message: String },
    #[error("日历内容有误：{0}")]
    Invalid(String),
}

/// A named holiday: every day in `from..=to` is a day off (weekend days included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A weekend day declared a working day (调休上班).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeupWorkday {
    pub date: NaiveDate,
    pub reason: String,
}

/// One year's official arrangement. Built only through [`YearTable::new`] or
/// [`YearTable::parse_json`], so the holiday and make-up lists are always validated and sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearTable {
    pub year: i32,
    /// The notice the table transcribes, e.g. 国务院办公厅关于2026年部分节假日安排的通知.
    pub source: String,
    holidays: Vec<Holiday>,
    workdays: Vec<MakeupWorkday>,
}

impl YearTable {
    /// Validates and normalises (sorts) a table. Every date must lie in `year`; holiday ranges
    /// must not be reversed or overlap; a make-up working day must fall on Saturday/Sunday, be
    /// listed once and not lie inside a holiday.
    pub fn new(
        year: i32,
        source: String,
        mut holidays: Vec<Holiday>,
        mut workdays: Vec<MakeupWorkday>,
    ) -> Result<YearTable, CalendarError> {
        let invalid = |m: String| Err(CalendarError::Invalid(m));
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return invalid(format!("年份 {year} 超出支持范围 {MIN_YEAR}–{MAX_YEAR}"));
        }
        if source.trim().is_empty() {
            return invalid(format!("{year} 年日历缺少来源（source），应注明所依据的官方通知"));
        }
        for h in &holidays {
            if h.name.trim().is_empty() {
                return invalid(format!("{} 起的节假日缺少名称", h.from));
            }
            for d in [h.from, h.to] {
                if d.year() != year {
                    return invalid(format!("节假日「{}」的日期 {d} 不在 {year} 年内", h.name));
                }
            }
            if h.from > h.to {
                return invalid(format!("节假日「{}」的起止日期颠倒：{} 晚于 {}", h.name, h.from, h.to));
            }
        }
        holidays.sort_by_key(|h| (h.from, h.to));
        for pair in holidays.windows(2) {
            if pair[1].from <= pair[0].to {
                return invalid(format!(
                    "节假日「{}」（{}–{}）与「{}」（{}–{}）重叠",
                    pair[0].name, pair[0].from, pair[0].to, pair[1].name, pair[1].from, pair[1].to
                ));
            }
        }
        for w in &workdays {
            if w.date.year() != year {
                return invalid(format!("调休上班日 {} 不在 {year} 年内", w.date));
            }
            if !is_weekend(w.date) {
                return invalid(format!(
                    "调休上班日 {} 是{}，调休上班日只能是周六或周日",
                    w.date,
                    weekday_zh(w.date.weekday())
                ));
            }
            if w.reason.trim().is_empty() {
                return invalid(format!("调休上班日 {} 缺少事由（reason）", w.date));
            }
            if let Some(h) = holidays.iter().find(|h| h.from <= w.date && w.date <= h.to) {
                return invalid(format!("调休上班日 {} 落在节假日「{}」（{}–{}）之内", w.date, h.name, h.from, h.to));
            }
        }
        workdays.sort_by_key(|w| w.date);
        for pair in workdays.windows(2) {
            if pair[0].date == pair[1].date {
                return invalid(format!("调休上班日 {} 重复列出", pair[0].date));
            }
        }
        Ok(YearTable { year, source, holidays, workdays })
    }

    /// Holidays in date order.
    pub fn holidays(&self) -> &[Holiday] {
        &self.holidays
    }

    /// Make-up working days in date order.
    pub fn workdays(&self) -> &[MakeupWorkday] {
        &self.workdays
    }

    /// Parses a `yichuang-calendar/1` file. Syntax and shape errors (including unknown fields and
    /// badly written dates) come back as [`CalendarError::Malformed`] with their position;
    /// semantic errors as [`CalendarError::Invalid`].
    pub fn parse_json(text: &str) -> Result<YearTable, CalendarError> {
        let raw: RawTable = serde_json::from_str(text).map_err(|e| {
            let (line, column) = (e.line(), e.column());
            // serde_json appends " at line L column C" to its message; the position is already
            // in our own fields, so keep only the cause.
            let full = e.to_string();
            let suffix = format!(" at line {line} column {column}");
            let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
            CalendarError::Malformed { line, column, message }
        })?;
        if raw.format != FORMAT {
            return Err(CalendarError::Invalid(format!("不支持的日历格式「{}」，应为「{FORMAT}」", raw.format)));
        }
        YearTable::new(
            raw.year,
            raw.source,
            raw.holidays.into_iter().map(|h| Holiday { name: h.name, from: h.from, to: h.to }).collect(),
            raw.workdays.into_iter().map(|w| MakeupWorkday { date: w.date, reason: w.reason }).collect(),
        )
    }

    /// The table as a `yichuang-calendar/1` document (pretty-printed; `parse_json` reads it back
    /// to an equal table).
    pub fn to_json(&self) -> String {
        let raw = RawTable {
            format: FORMAT.to_owned(),
            year: self.year,
            source: self.source.clone(),
            holidays: self
                .holidays
                .iter()
                .map(|h| RawHoliday { name: h.name.clone(), from: h.from, to: h.to })
                .collect(),
            workdays: self.workdays.iter().map(|w| RawWorkday { date: w.date, reason: w.reason.clone() }).collect(),
        };
        // Serialising plain strings, integers and dates into a String cannot fail.
        serde_json::to_string_pretty(&raw).expect("serialising a calendar table cannot fail")
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    format: String,
    year: i32,
    source: String,
    holidays: Vec<RawHoliday>,
    workdays: Vec<RawWorkday>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    #[serde(with = "ymd")]
    from: NaiveDate,
    #[serde(with = "ymd")]
    to: NaiveDate,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkday {
    #[serde(with = "ymd")]
    date: NaiveDate,
    reason: String,
}

/// Dates are written strictly as `YYYY-MM-DD`; a shorter form such as `2026-2-5` is refused so
/// that every file reads the same way.
mod ymd {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&d.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let s = String::deserialize(d)?;
        let b = s.as_bytes();
        let shaped = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
        if !shaped {
            return Err(D::Error::custom(format!("日期「{s}」应写作 YYYY-MM-DD")));
        }
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| D::Error::custom(format!("日期「{s}」不存在")))
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// A maximal run of consecutive loaded years with a dense per-day index.
#[derive(Debug, Clone)]
struct Run {
    first_year: i32,
    last_year: i32,
    /// January 1st of `first_year`.
    start: NaiveDate,
    /// `cum[i]` = working days in `[start, start + i]`. Monotonic, so `add_workdays` is a binary
    /// search and `is_workday` is `cum[i] - cum[i - 1]`.
    cum: Vec<u32>,
}

impl Run {
    fn index(&self, d: NaiveDate) -> usize {
        // `d` is inside the run (checked by `locate`), so the difference is non-negative.
        usize::try_from((d - self.start).num_days()).unwrap_or(0)
    }
}

/// The working-day calendar: validated year tables plus a dense per-day index over each run of
/// consecutive years, so that [`Calendar::is_workday`] and [`Calendar::workday_ordinal`] are O(1)
/// and [`Calendar::add_workdays`] is O(log n).
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    tables: BTreeMap<i32, YearTable>,
    runs: Vec<Run>,
}

static OFFICIAL: LazyLock<Calendar> = LazyLock::new(|| {
    let mut cal = Calendar::empty();
    for text in EMBEDDED {
        match YearTable::parse_json(text) {
            Ok(t) => cal.insert_year(t),
            // Embedded at build time and checked by `official_tables_parse_and_cover_2024_to_2026`.
            Err(e) => panic!("内置日历数据损坏：{e}"),
        }
    }
    cal
});

impl Calendar {
    /// The embedded official tables for 2024–2026.
    pub fn official() -> Calendar {
        OFFICIAL.clone()
    }

    /// A calendar with no year loaded: every query is `UnknownYear`.
    pub fn empty() -> Calendar {
        Calendar::default()
    }

    /// Adds a year, replacing any table already loaded for `t.year`, and rebuilds the index.
    pub fn insert_year(&mut self, t: YearTable) {
        self.tables.insert(t.year, t);
        self.rebuild();
    }

    /// Loaded years, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.tables.keys().copied().collect()
    }

    pub fn year_table(&self, y: i32) -> Option<&YearTable> {
        self.tables.get(&y)
    }

    /// Runs of consecutive loaded years, e.g. `[2024..=2026]`. Counting works inside one run only.
    pub fn coverage(&self) -> Vec<std::ops::RangeInclusive<i32>> {
        self.runs.iter().map(|r| r.first_year..=r.last_year).collect()
    }

    pub fn is_workday(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let (run, i) = self.locate(d)?;
        let before = if i == 0 { 0 } else { run.cum[i - 1] };
        Ok(run.cum[i] > before)
    }

    /// The holiday `d` falls in, if any (`None` also for years not loaded).
    pub fn holiday_name(&self, d: NaiveDate) -> Option<&str> {
        self.tables.get(&d.year())?.holidays.iter().find(|h| h.from <= d && d <= h.to).map(|h| h.name.as_str())
    }

    /// The date N working days after `d` (n = 0 -> d itself). Counting starts the day after d,
    /// so the day of acceptance is never counted (《行政许可法》第四十二条 "自受理之日起").
    /// Reaching a year not loaded gives `UnknownYear(that year)`.
    pub fn add_workdays(&self, d: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let (run, i) = self.locate(d)?;
        if n == 0 {
            return Ok(d);
        }
        let target = u64::from(run.cum[i]) + u64::from(n);
        let last = run.cum.last().copied().unwrap_or(0);
        let beyond = CalendarError::UnknownYear(run.last_year + 1);
        if target > u64::from(last) {
            return Err(beyond);
        }
        // First day after `d` whose running count reaches the target: that day is the n-th
        // working day (the count only rises on working days).
        let j = i + 1 + run.cum[i + 1..].partition_point(|&c| u64::from(c) < target);
        let offset = u64::try_from(j).map_err(|_| beyond.clone())?;
        run.start.checked_add_days(Days::new(offset)).ok_or(beyond)
    }

    /// Number of working days in (a, b]; negative when b < a (counts (b, a] negated).
    /// Both dates and every year between them must be loaded.
    pub fn workdays_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        if b < a {
            return self.workdays_between(b, a).map(|n| -n);
        }
        let (run, i) = self.locate(a)?;
        if b.year() > run.last_year {
            return Err(CalendarError::UnknownYear(run.last_year + 1));
        }
        let j = run.index(b);
        Ok(i64::from(run.cum[j]) - i64::from(run.cum[i]))
    }

    /// O(1): number of working days from the first covered day up to and including d. Used to
    /// compute "working days left" for many open cases at once: left = ordinal(due) -
    /// ordinal(today). The origin is January 1st of the first year of d's run of consecutive
    /// loaded years, so ordinals are comparable only within one run (see [`Calendar::coverage`]);
    /// [`Calendar::workdays_between`] checks that for you.
    pub fn workday_ordinal(&self, d: NaiveDate) -> Result<i64, CalendarError> {
        let (run, i) = self.locate(d)?;
        Ok(i64::from(run.cum[i]))
    }

    fn locate(&self, d: NaiveDate) -> Result<(&Run, usize), CalendarError> {
        let y = d.year();
        let k = self.runs.partition_point(|r| r.last_year < y);
        match self.runs.get(k) {
            Some(run) if run.first_year <= y => Ok((run, run.index(d))),
            _ => Err(CalendarError::UnknownYear(y)),
        }
    }

    fn rebuild(&mut self) {
        let mut runs: Vec<Run> = Vec::new();
        for (&year, table) in &self.tables {
            let Some(jan1) = NaiveDate::from_ymd_opt(year, 1, 1) else {
                continue;
            };
            let extend = runs.last().is_some_and(|r| r.last_year + 1 == year);
            if !extend {
                runs.push(Run { first_year: year, last_year: year, start: jan1, cum: Vec::new() });
            }
            let Some(run) = runs.last_mut() else { continue };
            run.last_year = year;
            let mut count = run.cum.last().copied().unwrap_or(0);
            for d in jan1.iter_days().take_while(|d| d.year() == year) {
                if table.is_workday_in_year(d) {
                    count += 1;
                }
                run.cum.push(count);
            }
        }
        self.runs = runs;
    }
}

impl YearTable {
    /// The rule for one day of this table's year (the index is built from it).
    fn is_workday_in_year(&self, d: NaiveDate) -> bool {
        if self.workdays.iter().any(|w| w.date == d) {
            return true;
        }
        !is_weekend(d) && !self.holidays.iter().any(|h| h.from <= d && d <= h.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    fn official() -> Calendar {
        Calendar::official()
    }

    /// A clearly fictional table used to show that import works for years after 2026.
    fn fixture_2027() -> YearTable {
        YearTable::new(
            2027,
            "测试用虚构日历（非官方）".into(),
            vec![Holiday { name: "元旦".into(), from: day(2027, 1, 1), to: day(2027, 1, 1) }],
            vec![],
        )
        .expect("valid fixture")
    }

    #[test]
    fn official_tables_parse_and_cover_2024_to_2026() {
        let cal = official();
        assert_eq!(cal.years(), vec![2024, 2025, 2026]);
        assert_eq!(cal.coverage(), vec![2024..=2026]);
        assert!(cal.year_table(2026).is_some_and(|t| t.source.contains("2026")));
    }

    #[test]
    fn official_make_up_days_fall_on_weekends_and_outside_holidays() {
        for y in [2024, 2025, 2026] {
            let t = official().year_table(y).cloned().expect("embedded year");
            for w in t.workdays() {
                assert!(
                    matches!(w.date.weekday(), Weekday::Sat | Weekday::Sun),
                    "{} is {:?}",
                    w.date,
                    w.date.weekday()
                );
                assert!(!t.holidays().iter().any(|h| h.from <= w.date && w.date <= h.to));
            }
        }
    }

    #[test]
    fn official_make_up_days_have_the_published_weekdays() {
        // Weekdays as printed in the notices (周六/周日).
        let expected = [
            (day(2024, 2, 4), Weekday::Sun),
            (day(2024, 2, 18), Weekday::Sun),
            (day(2024, 4, 7), Weekday::Sun),
            (day(2024, 4, 28), Weekday::Sun),
            (day(2024, 5, 11), Weekday::Sat),
            (day(2024, 9, 14), Weekday::Sat),
            (day(2024, 9, 29), Weekday::Sun),
            (day(2024, 10, 12), Weekday::Sat),
            (day(2025, 1, 26), Weekday::Sun),
            (day(2025, 2, 8), Weekday::Sat),
            (day(2025, 4, 27), Weekday::Sun),
            (day(2025, 9, 28), Weekday::Sun),
            (day(2025, 10, 11), Weekday::Sat),
            (day(2026, 1, 4), Weekday::Sun),
            (day(2026, 2, 14), Weekday::Sat),
            (day(2026, 2, 28), Weekday::Sat),
            (day(2026, 5, 9), Weekday::Sat),
            (day(2026, 9, 20), Weekday::Sun),
            (day(2026, 10, 10), Weekday::Sat),
        ];
        let cal = official();
        let listed: Vec<NaiveDate> = [2024, 2025, 2026]
            .iter()
            .flat_map(|&y| cal.year_table(y).map(|t| t.workdays().to_vec()).unwrap_or_default())
            .map(|w| w.date)
            .collect();
        assert_eq!(listed, expected.iter().map(|e| e.0).collect::<Vec<_>>());
        for (d, w) in expected {
            assert_eq!(d.weekday(), w, "{d}");
            assert_eq!(cal.is_workday(d), Ok(true), "{d}");
        }
    }

    #[test]
    fn working_days_per_year_match_the_notices() {
        // 2024: 366 days - 104 weekend days - 11 statutory days = 251.
        // 2025 and 2026: 365 - 104 - 13 (two statutory days added from 2025) = 248.
        // Make-up days only move days off, so they do not change these totals.
        let cal = official();
        for (y, n) in [(2024, 251), (2025, 248), (2026, 248)] {
            let count = day(y, 1, 1)
                .iter_days()
                .take_while(|d| d.year() == y)
                .filter(|d| cal.is_workday(*d) == Ok(true))
                .count();
            assert_eq!(count, n, "{y}");
        }
        // The same totals through the ordinal index.
        assert_eq!(cal.workdays_between(day(2025, 12, 31), day(2026, 12, 31)), Ok(248));
    }

    #[test]
    fn make_up_saturdays_are_working_days() {
        let cal = official();
        for d in [
            day(2026, 2, 14),
            day(2026, 2, 28),
            day(2026, 5, 9),
            day(2026, 10, 10),
            day(2024, 5, 11),
            day(2025, 10, 11),
        ] {
            assert_eq!(d.weekday(), Weekday::Sat);
            assert_eq!(cal.is_workday(d), Ok(true), "{d}");
        }
    }

    #[test]
    fn spring_festival_2026_days_are_off() {
        let cal = official();
        for d in day(2026, 2, 15).iter_days().take(9) {
            assert_eq!(cal.is_workday(d), Ok(false), "{d}");
            assert_eq!(cal.holiday_name(d), Some("春节"), "{d}");
        }
        // 2026-02-16 is a Monday: a weekday taken off by the holiday.
        assert_eq!(day(2026, 2, 16).weekday(), Weekday::Mon);
        assert_eq!(cal.is_workday(day(2026, 2, 24)), Ok(true));
        assert_eq!(cal.holiday_name(day(2026, 2, 24)), None);
    }

    #[test]
    fn national_day_weeks_are_off_every_year() {
        let cal = official();
        for (from, to) in [
            (day(2024, 10, 1), day(2024, 10, 7)),
            (day(2025, 10, 1), day(2025, 10, 8)),
            (day(2026, 10, 1), day(2026, 10, 7)),
        ] {
            for d in from.iter_days().take_while(|d| *d <= to) {
                assert_eq!(cal.is_workday(d), Ok(false), "{d}");
            }
        }
        // 2024-09-30 (Mon) + 1 -> 10/1–10/7 off -> 2024-10-08 (Tue).
        assert_eq!(cal.add_workdays(day(2024, 9, 30), 1), Ok(day(2024, 10, 8)));
        // 2025-09-30 (Tue) + 1 -> 10/1–10/8 off -> 2025-10-09 (Thu).
        assert_eq!(cal.add_workdays(day(2025, 9, 30), 1), Ok(day(2025, 10, 9)));
        // 2026-09-30 (Wed) + 1 -> 10/1–10/7 off -> 2026-10-08 (Thu).
        assert_eq!(cal.add_workdays(day(2026, 9, 30), 1), Ok(day(2026, 10, 8)));
        // +2 -> 10/9 (Fri); +3 -> 10/10 (Sat, make-up); +4 -> 10/12 (Mon).
        assert_eq!(cal.add_workdays(day(2026, 9, 30), 2), Ok(day(2026, 10, 9)));
        assert_eq!(cal.add_workdays(day(2026, 9, 30), 3), Ok(day(2026, 10, 10)));
        assert_eq!(cal.add_workdays(day(2026, 9, 30), 4), Ok(day(2026, 10, 12)));
    }

    #[test]
    fn twenty_working_days_from_before_mid_autumn_and_national_day_2026() {
        // Accepted 2026-09-21 (Mon). 9/22–9/24 = 1..3; 9/25–27 中秋 off; 9/28–9/30 = 4..6;
        // 10/1–7 off; 10/8 = 7, 10/9 = 8, 10/10 (Sat, make-up) = 9; 10/12–16 = 10..14;
        // 10/19–23 = 15..19; 10/26 (Mon) = 20.
        assert_eq!(official().add_workdays(day(2026, 9, 21), 20), Ok(day(2026, 10, 26)));
    }

    #[test]
    fn add_workdays_across_spring_festival_2026() {
        let cal = official();
        let fri = day(2026, 2, 13);
        // +1 -> 2/14 (Sat, make-up); 2/15–23 off; +2 -> 2/24 (Tue); +5 -> 2/27 (Fri);
        // +6 -> 2/28 (Sat, make-up); +7 -> 3/2 (Mon).
        assert_eq!(cal.add_workdays(fri, 1), Ok(day(2026, 2, 14)));
        assert_eq!(cal.add_workdays(fri, 2), Ok(day(2026, 2, 24)));
        assert_eq!(cal.add_workdays(fri, 5), Ok(day(2026, 2, 27)));
        assert_eq!(cal.add_workdays(fri, 6), Ok(day(2026, 2, 28)));
        assert_eq!(cal.add_workdays(fri, 7), Ok(day(2026, 3, 2)));
        assert_eq!(cal.workdays_between(fri, day(2026, 3, 2)), Ok(7));
        assert_eq!(cal.workdays_between(day(2026, 3, 2), fri), Ok(-7));
    }

    #[test]
    fn add_workdays_crosses_new_year_between_loaded_years() {
        let cal = official();
        // 2025-12-31 (Wed) + 1: 2026-01-01..03 off, 01-04 (Sun) is a make-up working day.
        assert_eq!(cal.add_workdays(day(2025, 12, 31), 1), Ok(day(2026, 1, 4)));
        // 2024-12-31 (Tue) + 1: 2025-01-01 off -> 2025-01-02 (Thu).
        assert_eq!(cal.add_workdays(day(2024, 12, 31), 1), Ok(day(2025, 1, 2)));
    }

    #[test]
    fn zero_working_days_is_the_same_day_even_on_a_holiday() {
        let d = day(2026, 10, 3);
        assert_eq!(official().add_workdays(d, 0), Ok(d));
        // Counting from a day off starts the day after: 2026-10-03 + 1 -> 10/08.
        assert_eq!(official().add_workdays(d, 1), Ok(day(2026, 10, 8)));
    }

    #[test]
    fn dates_in_years_not_loaded_are_unknown_year() {
        let cal = official();
        assert_eq!(cal.is_workday(day(2023, 12, 29)), Err(CalendarError::UnknownYear(2023)));
        assert_eq!(cal.is_workday(day(2027, 1, 4)), Err(CalendarError::UnknownYear(2027)));
        assert_eq!(cal.workday_ordinal(day(2027, 1, 4)), Err(CalendarError::UnknownYear(2027)));
        assert_eq!(cal.add_workdays(day(2023, 12, 29), 0), Err(CalendarError::UnknownYear(2023)));
        assert_eq!(cal.workdays_between(day(2023, 12, 29), day(2024, 1, 5)), Err(CalendarError::UnknownYear(2023)));
        assert_eq!(Calendar::empty().is_workday(day(2026, 1, 5)), Err(CalendarError::UnknownYear(2026)));
    }

    #[test]
    fn counting_that_runs_into_2027_is_unknown_year() {
        let cal = official();
        // 2026-12-30 (Wed): 12/31 (Thu) is the last loaded working day.
        assert_eq!(cal.add_workdays(day(2026, 12, 30), 1), Ok(day(2026, 12, 31)));
        assert_eq!(cal.add_workdays(day(2026, 12, 30), 2), Err(CalendarError::UnknownYear(2027)));
        assert_eq!(cal.workdays_between(day(2026, 12, 1), day(2027, 1, 5)), Err(CalendarError::UnknownYear(2027)));
        assert_eq!(cal.workdays_between(day(2027, 1, 5), day(2026, 12, 1)), Err(CalendarError::UnknownYear(2027)));
    }

    #[test]
    fn importing_a_later_year_extends_counting() {
        let mut cal = official();
        cal.insert_year(fixture_2027());
        assert_eq!(cal.coverage(), vec![2024..=2027]);
        // 2026-12-31 (Thu) + 1: 2027-01-01 (Fri) off in the fixture, weekend -> 2027-01-04 (Mon).
        assert_eq!(cal.add_workdays(day(2026, 12, 31), 1), Ok(day(2027, 1, 4)));
        assert_eq!(cal.holiday_name(day(2027, 1, 1)), Some("元旦"));
    }

    #[test]
    fn inserting_a_year_again_replaces_it() {
        let mut cal = official();
        let t = YearTable::new(2026, "测试".into(), vec![], vec![]).expect("valid");
        cal.insert_year(t);
        // Without the 2026 table's holidays, 2026-10-01 (Thu) is an ordinary weekday.
        assert_eq!(cal.is_workday(day(2026, 10, 1)), Ok(true));
        assert_eq!(cal.years(), vec![2024, 2025, 2026]);
    }

    #[test]
    fn counting_across_a_missing_year_is_unknown_year() {
        let mut cal = Calendar::empty();
        for y in [2024, 2026] {
            cal.insert_year(official().year_table(y).cloned().expect("embedded"));
        }
        assert_eq!(cal.coverage(), vec![2024..=2024, 2026..=2026]);
        assert_eq!(cal.add_workdays(day(2024, 12, 30), 5), Err(CalendarError::UnknownYear(2025)));
        assert_eq!(cal.workdays_between(day(2024, 6, 3), day(2026, 6, 1)), Err(CalendarError::UnknownYear(2025)));
        assert_eq!(cal.is_workday(day(2025, 3, 3)), Err(CalendarError::UnknownYear(2025)));
        // Within the later run counting still works: 2026-09-30 + 1 -> 2026-10-08.
        assert_eq!(cal.add_workdays(day(2026, 9, 30), 1), Ok(day(2026, 10, 8)));
    }

    #[test]
    fn tables_round_trip_through_json() {
        let cal = official();
        for y in cal.years() {
            let t = cal.year_table(y).expect("loaded");
            assert_eq!(YearTable::parse_json(&t.to_json()).as_ref(), Ok(t));
        }
    }

    fn table_json(holidays: &str, workdays: &str) -> String {
        format!(
            r#"{{"format":"yichuang-calendar/1","year":2026,"source":"测试",
"holidays":[{holidays}],"workdays":[{workdays}]}}"#
        )
    }

    #[test]
    fn malformed_json_is_refused_with_its_position() {
        let text = "{\n  \"format\": \"yichuang-calendar/1\",\n  \"year\": 2026,\n  oops\n}";
        match YearTable::parse_json(text) {
            Err(CalendarError::Malformed { line, column, .. }) => {
                assert_eq!((line, column), (4, 3));
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
        let err = YearTable::parse_json("").expect_err("empty input");
        assert!(matches!(err, CalendarError::Malformed { line: 1, .. }), "{err:?}");
        assert!(err.to_string().contains("第 1 行"), "{err}");
    }

    #[test]
    fn unknown_fields_and_bad_dates_are_malformed() {
        let typo = r#"{"format":"yichuang-calendar/1","year":2026,"source":"测试","holiday":[],"workdays":[]}"#;
        assert!(matches!(YearTable::parse_json(typo), Err(CalendarError::Malformed { line: 1, .. })));
        let bad = table_json(r#"{"name":"春节","from":"2026-02-30","to":"2026-02-23"}"#, "");
        match YearTable::parse_json(&bad) {
            Err(CalendarError::Malformed { line: 2, message, .. }) => {
                assert!(message.contains("2026-02-30"), "{message}");
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
        let short = table_json(r#"{"name":"春节","from":"2026-2-15","to":"2026-02-23"}"#, "");
        assert!(matches!(YearTable::parse_json(&short), Err(CalendarError::Malformed { .. })));
    }

    fn invalid_reason(text: &str) -> String {
        match YearTable::parse_json(text) {
            Err(CalendarError::Invalid(m)) => m,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn make_up_day_on_a_weekday_is_refused() {
        // 2026-01-05 is a Monday.
        let m = invalid_reason(&table_json("", r#"{"date":"2026-01-05","reason":"元旦调休"}"#));
        assert!(m.contains("2026-01-05") && m.contains("星期一"), "{m}");
    }

    #[test]
    fn dates_outside_the_table_year_are_refused() {
        let m = invalid_reason(&table_json(r#"{"name":"国庆节","from":"2025-10-01","to":"2025-10-07"}"#, ""));
        assert!(m.contains("2025-10-01") && m.contains("2026"), "{m}");
        let m = invalid_reason(&table_json("", r#"{"date":"2025-09-28","reason":"x"}"#));
        assert!(m.contains("不在 2026 年内"), "{m}");
    }

    #[test]
    fn reversed_holiday_range_is_refused() {
        let m = invalid_reason(&table_json(r#"{"name":"春节","from":"2026-02-23","to":"2026-02-15"}"#, ""));
        assert!(m.contains("颠倒"), "{m}");
    }

    #[test]
    fn duplicate_and_overlapping_entries_are_refused() {
        let m = invalid_reason(&table_json(
            "",
            r#"{"date":"2026-02-14","reason":"春节调休"},{"date":"2026-02-14","reason":"春节调休"}"#,
        ));
        assert!(m.contains("重复"), "{m}");
        let m = invalid_reason(&table_json(
            r#"{"name":"中秋节","from":"2026-09-25","to":"2026-10-01"},{"name":"国庆节","from":"2026-10-01","to":"2026-10-07"}"#,
            "",
        ));
        assert!(m.contains("重叠"), "{m}");
    }

    #[test]
    fn make_up_day_inside_a_holiday_is_refused() {
        // 2026-02-15 is a Sunday inside 春节.
        let m = invalid_reason(&table_json(
            r#"{"name":"春节","from":"2026-02-15","to":"2026-02-23"}"#,
            r#"{"date":"2026-02-15","reason":"春节调休"}"#,
        ));
        assert!(m.contains("春节") && m.contains("之内"), "{m}");
    }

    #[test]
    fn wrong_format_tag_and_missing_source_are_refused() {
        let text = table_json("", "").replace("yichuang-calendar/1", "yichuang-calendar/9");
        assert!(invalid_reason(&text).contains("yichuang-calendar/9"));
        let text = table_json("", "").replace("\"测试\"", "\" \"");
        assert!(invalid_reason(&text).contains("来源"));
    }

    #[test]
    fn workday_ordinal_counts_from_the_first_covered_day() {
        let cal = official();
        // 2024-01-01 is a holiday (Mon): ordinal 0; 2024-01-02 (Tue) is the first working day.
        assert_eq!(cal.workday_ordinal(day(2024, 1, 1)), Ok(0));
        assert_eq!(cal.workday_ordinal(day(2024, 1, 2)), Ok(1));
        // 251 + 248 + 248 working days in 2024–2026.
        assert_eq!(cal.workday_ordinal(day(2026, 12, 31)), Ok(747));
    }

    fn covered_day() -> impl Strategy<Value = NaiveDate> {
        // 2024-01-01 .. 2026-12-31 is 1096 days.
        (0u64..1096).prop_map(|k| day(2024, 1, 1) + Days::new(k))
    }

    fn ok_or_2027(r: Result<NaiveDate, CalendarError>) -> Option<NaiveDate> {
        match r {
            Ok(d) => Some(d),
            Err(e) => {
                assert_eq!(e, CalendarError::UnknownYear(2027));
                None
            }
        }
    }

    proptest! {
        #[test]
        fn add_workdays_lands_on_a_workday_exactly_n_working_days_later(
            d in covered_day(), n in 0u32..400
        ) {
            let cal = official();
            if let Some(r) = ok_or_2027(cal.add_workdays(d, n)) {
                prop_assert!(r >= d);
                prop_assert_eq!(cal.workdays_between(d, r), Ok(i64::from(n)));
                if n > 0 {
                    prop_assert_eq!(cal.is_workday(r), Ok(true));
                    // The day before the result has not yet reached n: no earlier answer exists.
                    prop_assert_eq!(cal.workdays_between(d, r - Days::new(1)), Ok(i64::from(n) - 1));
                }
            }
        }

        #[test]
        fn add_workdays_is_monotonic_in_n_and_in_the_start_date(
            d in covered_day(), e in covered_day(), n in 0u32..300, k in 1u32..50
        ) {
            let cal = official();
            if let (Some(a), Some(b)) = (ok_or_2027(cal.add_workdays(d, n)), ok_or_2027(cal.add_workdays(d, n + k))) {
                prop_assert!(a < b);
            }
            let (lo, hi) = if d <= e { (d, e) } else { (e, d) };
            if let (Some(a), Some(b)) = (ok_or_2027(cal.add_workdays(lo, n)), ok_or_2027(cal.add_workdays(hi, n))) {
                prop_assert!(a <= b);
            }
        }

        #[test]
        fn workday_ordinal_agrees_with_workdays_between_and_is_workday(
            a in covered_day(), b in covered_day()
        ) {
            let cal = official();
            let (oa, ob) = (cal.workday_ordinal(a)?, cal.workday_ordinal(b)?);
            prop_assert_eq!(cal.workdays_between(a, b), Ok(ob - oa));
            if a > day(2024, 1, 1) {
                let step = oa - cal.workday_ordinal(a - Days::new(1))?;
                prop_assert_eq!(step == 1, cal.is_workday(a)?);
            }
        }

        #[test]
        fn is_workday_follows_weekday_holiday_and_make_up_rules(d in covered_day()) {
            let cal = official();
            let t = cal.year_table(d.year()).expect("covered");
            let made_up = t.workdays().iter().any(|w| w.date == d);
            let expected = made_up || (!is_weekend(d) && cal.holiday_name(d).is_none());
            prop_assert_eq!(cal.is_workday(d), Ok(expected));
        }
    }
}
