//! The one place that reads the system time. Deadlines, lights and supervision depend on "today",
//! so everything takes a [`Clock`]; tests and demos travel in time with [`Clock::fixed`].
//! All civil dates are Beijing time (UTC+8, no daylight saving).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

#[derive(Clone, Debug)]
pub enum Clock {
    System,
    /// A frozen instant (tests, demos, `--today`).
    Fixed(DateTime<FixedOffset>),
}

impl Clock {
    pub fn fixed(dt: DateTime<FixedOffset>) -> Self {
        Self::Fixed(dt)
    }

    /// Noon Beijing time on `date`: far from midnight so no rounding moves the day.
    pub fn at_date(date: NaiveDate) -> Self {
        let dt = beijing()
            .from_local_datetime(&date.and_hms_opt(12, 0, 0).expect("noon exists"))
            .single()
            .expect("fixed offsets are unambiguous");
        Self::Fixed(dt)
    }

    // The one place that reads the system clock (clippy.toml disallows it everywhere else).
    #[allow(clippy::disallowed_methods)]
    pub fn now(&self) -> DateTime<FixedOffset> {
        match self {
            Self::System => Utc::now().with_timezone(&beijing()),
            Self::Fixed(dt) => *dt,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// RFC 3339 with the +08:00 offset, millisecond precision: the journal's time format.
pub fn stamp(dt: &DateTime<FixedOffset>) -> String {
    dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}
/// A stamp as a clerk reads it: `2026-12-03T12:00:00.000+08:00` → `2026-12-03 12:00` (Beijing time).
pub(crate) fn shown(at: &str) -> String {
    at.get(..16).map_or_else(|| at.to_owned(), |s| s.replacen('T', " ", 1))
}
