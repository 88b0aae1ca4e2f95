//! Case numbers (办件编号): `{region}-{workstation}-{YYYYMMDD}-{sequence:05}`, unique without
//! the network. The daily sequence lives in `case_seq` (derived: a rebuild recounts it from the
//! journal's case numbers).

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction};

use crate::error::Result;
use crate::workstation::Identity;

/// Case number: `{region}-{workstation}-{YYYYMMDD}-{sequence:05}`, e.g. `440305-W01-20261123-00042`.
/// Unique without the network: the region and workstation code are unique, and the daily sequence
/// is allocated inside the write transaction that files the case.
pub fn case_no(identity: &Identity, day: NaiveDate, seq: u32) -> String {
    format!("{}-{}-{}-{seq:05}", identity.region, identity.code, day.format("%Y%m%d"))
}

/// (`YYYYMMDD`, sequence) of a case number.
pub fn case_no_parts(case_no: &str) -> Option<(String, u32)> {
    let mut it = case_no.rsplitn(3, '-');
    let seq = it.next()?.parse().ok()?;
    let day = it.next()?;
    (day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit())).then(|| (day.to_owned(), seq))
}

/// The last sequence number given out on `day_key` (`YYYYMMDD`), 0 if none; the caller files its
/// cases as last + 1, last + 2, … inside the same write transaction.
pub(crate) fn last_seq(tx: &Transaction<'_>, day_key: &str) -> Result<u32> {
    Ok(tx
        .prepare_cached("SELECT last FROM case_seq WHERE day = ?1")?
        .query_row([day_key], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}
