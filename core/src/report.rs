//! Statistics (issue 15 part 4): the year-end table per department, staff member or item for any
//! period [from, to] (Beijing dates, both days included). Definitions are in docs/supervision.md.
//!
//! Why `core/src/report.rs` and not `supervision/report.rs`: most figures are about cases
//! (received, accepted, refused, on time, days to decide), read from the `cases` row the
//! projection keeps; supervision hits, ratings and complaints are three of its sections. The
//! supervision module writes the record; this module only reads it (no writes, no journal).
//!
//! Speed: case and hit figures come from per-day aggregates that triggers keep on every write to
//! `cases` and `supervision_hits` (migration 0022), so a year's table reads a few thousand rows,
//! not a million cases. Working days to decide are counted by the projection at the decision
//! (`cases.decide_days`, through [`deadline::working_days_elapsed`]); the rare decision it could
//! not count (a calendar year missing then) is counted here.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::deadline;
use crate::error::{CoreError, Result};
use crate::staff::Actor;
use crate::supervision::Rule;
use crate::workstation::Workstation;

/// How the rows are grouped.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The case's department (a hit's, rating's or complaint's own department).
    Department,
    /// The staff member who took the case in (收件人, `cases.created_by`): the window the
    /// applicant rates; for complaints, the staff member complained about.
    Staff,
    /// The catalog item (for complaints: the first linked case's item).
    Item,
}

impl By {
    pub fn code(self) -> &'static str {
        match self {
            By::Department => "department",
            By::Staff => "staff",
            By::Item => "item",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            By::Department => "部门",
            By::Staff => "工作人员",
            By::Item => "事项",
        }
    }

    pub fn parse(s: &str) -> Option<By> {
        [By::Department, By::Staff, By::Item].into_iter().find(|b| b.code() == s || b.zh() == s)
    }
}

/// The period and grouping asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Option<By>,
}

/// Ratings given in the period (好差评).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ratings {
    pub count: u64,
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub fairly_satisfied: u64,
    pub dissatisfied: u64,
    pub very_dissatisfied: u64,
    /// (非常满意 + 满意 + 基本满意) / count; `None` without ratings.
    pub satisfaction_rate: Option<f64>,
    /// 差评: 不满意 + 非常不满意.
    pub bad: u64,
    /// Bad ratings whose work order is closed by now (复核 or 申诉).
    pub bad_closed: u64,
    /// … closed as rectified (复核; the other way to close is an appeal upheld).
    pub bad_rectified: u64,
    /// Real-name bad ratings, and how many of them were called back (回访; must be all).
    pub bad_real_name: u64,
    pub bad_called_back: u64,
}

/// Complaints registered in the period (投诉).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Complaints {
    pub received: u64,
    /// Answered by the report's day.
    pub answered: u64,
    /// Answered after the due day.
    pub answered_late: u64,
}

/// Fees (一次性收费) settled in the period, by the day paid, exempted or refunded (crate::fee).
/// Amounts in fen. A theme's fees are one account, the lead department's.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fees {
    pub paid: u64,
    pub paid_fen: u64,
    pub exempted: u64,
    pub exempted_fen: u64,
    pub refunded: u64,
    pub refunded_fen: u64,
}

/// One row of the table (or the total).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Department name, staff id or item code; empty for the total and for records without one.
    pub key: String,
    /// What to show: the department, the staff member's name, the item's name.
    pub label: String,
    /// Cases filed (申请收件) in the period.
    pub received: u64,
    /// Cases accepted (受理, or 当场办结) in the period.
    pub accepted: u64,
    /// 不予受理 in the period.
    pub not_accepted: u64,
    /// 准予许可 (and 当场办结) in the period.
    pub approved: u64,
    /// 不予许可 in the period.
    pub denied: u64,
    /// Decisions (approved + denied) in the period.
    pub decided: u64,
    /// Decided in the period on or before the decision deadline (`decision_late_days` = 0).
    pub on_time: u64,
    /// Decided in the period after it (`decision_late_days` > 0).
    pub late: u64,
    /// on_time / (on_time + late); `None` without decisions of known lateness.
    pub on_time_rate: Option<f64>,
    /// Decided in the period with a lateness the calendar could not count (a year missing).
    pub lateness_unknown: u64,
    /// 办结: delivered (送达) in the period.
    pub closed: u64,
    /// Ended otherwise in the period: withdrawn (撤回) or terminated (终止).
    pub ended: u64,
    /// Working days acceptance → decision (acceptance day excluded, paused days excluded), over
    /// the cases decided in the period: mean, and the nearest-rank 90th percentile.
    pub decide_days_avg: Option<f64>,
    pub decide_days_p90: Option<u32>,
    /// Paused working days (补正 waiting, 中止, 特别程序 after acceptance) of those cases.
    pub paused_days: u64,
    /// Supplement requests (一次性告知补正) on the cases received in the period, and per case.
    pub supplements: u64,
    pub supplements_per_case: Option<f64>,
    /// Monitor hits that occurred in the period, all rules, and by rule (only rules with hits).
    pub hits: u64,
    pub hits_by_rule: BTreeMap<Rule, u64>,
    pub ratings: Ratings,
    pub complaints: Complaints,
    #[serde(default)]
    pub fees: Fees,
    /// Cases received in the period that an agent filed for the applicant (代办, crate::agent),
    /// and of those, by a village agent (村级代办点).
    #[serde(default)]
    pub agent_filed: u64,
    #[serde(default)]
    pub village_filed: u64,
}

/// The table.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The workstation's name and label (`region-code`) for the table's header.
    pub workstation: String,
    pub workstation_label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Option<By>,
    /// The day the figures were read ("answered", "closed" work orders: by this day).
    pub as_of: NaiveDate,
    /// One row per key, ordered by key; empty when `by` is `None`.
    pub rows: Vec<Row>,
    /// The whole workstation: counts are the sums of the rows; averages and p90 over all cases.
    pub total: Row,
    /// The hall's queue (排队叫号) per service type over the period: tickets taken, called, never
    /// called, and minutes from ticket to first call (mean, longest).
    #[serde(default)]
    pub queue: Vec<crate::queue::command::ServiceWaiting>,
}

/// One cell of a flat rendering (CSV, XLSX, the human table).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// A rate (0..=1) or average; `None` is an empty cell.
    Num(Option<f64>),
}

/// The flat columns: (stable code, Chinese header). CSV and XLSX use exactly these, in order.
pub fn columns() -> Vec<(String, String)> {
    let mut c: Vec<(String, String)> = [
        ("key", "编码"),
        ("label", "名称"),
        ("received", "收件"),
        ("accepted", "受理"),
        ("not_accepted", "不予受理"),
        ("approved", "准予许可"),
        ("denied", "不予许可"),
        ("decided", "作出决定"),
        ("on_time", "按时决定"),
        ("late", "超期决定"),
        ("on_time_rate", "按时率"),
        ("lateness_unknown", "期限未知"),
        ("closed", "办结"),
        ("ended", "撤回终止"),
        ("decide_days_avg", "平均决定用时(工作日)"),
        ("decide_days_p90", "P90决定用时(工作日)"),
        ("paused_days", "暂停计时(工作日)"),
        ("supplements", "补正次数"),
        ("supplements_per_case", "件均补正"),
        ("hits", "监察命中"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    for r in Rule::ALL {
        c.push((format!("hits.{}", r.code()), format!("监察·{}", r.zh())));
    }
    for (a, b) in [
        ("ratings.count", "评价数"),
        ("ratings.very_satisfied", "非常满意"),
        ("ratings.satisfied", "满意"),
        ("ratings.fairly_satisfied", "基本满意"),
        ("ratings.dissatisfied", "不满意"),
        ("ratings.very_dissatisfied", "非常不满意"),
        ("ratings.satisfaction_rate", "满意率"),
        ("ratings.bad", "差评"),
        ("ratings.bad_closed", "差评已办结"),
        ("ratings.bad_rectified", "差评已整改"),
        ("ratings.bad_real_name", "实名差评"),
        ("ratings.bad_called_back", "实名差评已回访"),
        ("complaints.received", "投诉"),
        ("complaints.answered", "投诉已答复"),
        ("complaints.answered_late", "投诉超期答复"),
        ("fees.paid", "缴费笔数"),
        ("fees.paid_yuan", "实收金额(元)"),
        ("fees.exempted", "减免笔数"),
        ("fees.exempted_yuan", "减免金额(元)"),
        ("fees.refunded", "退费笔数"),
        ("fees.refunded_yuan", "退费金额(元)"),
        ("agent_filed", "代办收件"),
        ("village_filed", "村级代办收件"),
    ] {
        c.push((a.to_owned(), b.to_owned()));
    }
    c
}

impl Row {
    /// The row's cells in [`columns`] order.
    pub fn cells(&self) -> Vec<Cell> {
        let t = |s: &str| Cell::Text(s.to_owned());
        let mut v = vec![
            t(&self.key),
            t(&self.label),
            Cell::Int(self.received),
            Cell::Int(self.accepted),
            Cell::Int(self.not_accepted),
            Cell::Int(self.approved),
            Cell::Int(self.denied),
            Cell::Int(self.decided),
            Cell::Int(self.on_time),
            Cell::Int(self.late),
            Cell::Num(self.on_time_rate),
            Cell::Int(self.lateness_unknown),
            Cell::Int(self.closed),
            Cell::Int(self.ended),
            Cell::Num(self.decide_days_avg),
            Cell::Num(self.decide_days_p90.map(f64::from)),
            Cell::Int(self.paused_days),
            Cell::Int(self.supplements),
            Cell::Num(self.supplements_per_case),
            Cell::Int(self.hits),
        ];
        for r in Rule::ALL {
            v.push(Cell::Int(self.hits_by_rule.get(r).copied().unwrap_or(0)));
        }
        let g = &self.ratings;
        v.extend([
            Cell::Int(g.count),
            Cell::Int(g.very_satisfied),
            Cell::Int(g.satisfied),
            Cell::Int(g.fairly_satisfied),
            Cell::Int(g.dissatisfied),
            Cell::Int(g.very_dissatisfied),
            Cell::Num(g.satisfaction_rate),
            Cell::Int(g.bad),
            Cell::Int(g.bad_closed),
            Cell::Int(g.bad_rectified),
            Cell::Int(g.bad_real_name),
            Cell::Int(g.bad_called_back),
            Cell::Int(self.complaints.received),
            Cell::Int(self.complaints.answered),
            Cell::Int(self.complaints.answered_late),
        ]);
        let f = &self.fees;
        let yuan = |fen: u64| Cell::Num(Some(fen as f64 / 100.0));
        v.extend([
            Cell::Int(f.paid),
            yuan(f.paid_fen),
            Cell::Int(f.exempted),
            yuan(f.exempted_fen),
            Cell::Int(f.refunded),
            yuan(f.refunded_fen),
            Cell::Int(self.agent_filed),
            Cell::Int(self.village_filed),
        ]);
        v
    }

    fn add_counts(&mut self, o: &Row) {
        self.received += o.received;
        self.accepted += o.accepted;
        self.not_accepted += o.not_accepted;
        self.approved += o.approved;
        self.denied += o.denied;
        self.decided += o.decided;
        self.on_time += o.on_time;
        self.late += o.late;
        self.lateness_unknown += o.lateness_unknown;
        self.closed += o.closed;
        self.ended += o.ended;
        self.paused_days += o.paused_days;
        self.supplements += o.supplements;
        self.hits += o.hits;
        for (r, n) in &o.hits_by_rule {
            *self.hits_by_rule.entry(*r).or_default() += n;
        }
        let (a, b) = (&mut self.ratings, &o.ratings);
        a.count += b.count;
        a.very_satisfied += b.very_satisfied;
        a.satisfied += b.satisfied;
        a.fairly_satisfied += b.fairly_satisfied;
        a.dissatisfied += b.dissatisfied;
        a.very_dissatisfied += b.very_dissatisfied;
        a.bad += b.bad;
        a.bad_closed += b.bad_closed;
        a.bad_rectified += b.bad_rectified;
        a.bad_real_name += b.bad_real_name;
        a.bad_called_back += b.bad_called_back;
        self.complaints.received += o.complaints.received;
        self.complaints.answered += o.complaints.answered;
        self.complaints.answered_late += o.complaints.answered_late;
        let (a, b) = (&mut self.fees, &o.fees);
        a.paid += b.paid;
        a.paid_fen += b.paid_fen;
        a.exempted += b.exempted;
        a.exempted_fen += b.exempted_fen;
        a.refunded += b.refunded;
        a.refunded_fen += b.refunded_fen;
        self.agent_filed += o.agent_filed;
        self.village_filed += o.village_filed;
    }

    /// Rates from the counts, and the decide-day figures from this row's histogram.
    fn finish(&mut self, days: &BTreeMap<u32, u64>) {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        self.on_time_rate = ratio(self.on_time, self.on_time + self.late);
        self.supplements_per_case = ratio(self.supplements, self.received);
        let g = &mut self.ratings;
        g.satisfaction_rate = ratio(g.very_satisfied + g.satisfied + g.fairly_satisfied, g.count);
        let n: u64 = days.values().sum();
        if n > 0 {
            let sum: u64 = days.iter().map(|(d, c)| u64::from(*d) * c).sum();
            self.decide_days_avg = Some(sum as f64 / n as f64);
            // Nearest rank: the smallest d with at least ceil(0.9 n) cases taking ≤ d days.
            let rank = (n * 9).div_ceil(10);
            let mut seen = 0;
            self.decide_days_p90 = days
                .iter()
                .find(|(_, c)| {
                    seen += **c;
                    seen >= rank
                })
                .map(|(d, _)| *d);
        }
    }
}

impl Workstation {
    /// The statistics for `q`. Administrators of every department only: the table names staff and
    /// covers the whole workstation. Reads only.
    pub fn report(&self, by: &Actor, q: &Query) -> Result<Report> {
        by.require_overview("查看统计报表")?;
        if q.from > q.to {
            return Err(CoreError::Invalid(format!("统计期间起日 {} 晚于止日 {}", q.from, q.to)));
        }
        let cal = self.calendar().clone();
        let conn = self.store().reader()?;
        compute(&conn, &cal, self, q)
    }
}

fn compute(conn: &Connection, cal: &crate::calendar::Calendar, ws: &Workstation, q: &Query) -> Result<Report> {
    let (from, to) = (q.from.to_string(), q.to.to_string());
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut hist: BTreeMap<String, BTreeMap<u32, u64>> = BTreeMap::new();

    // 1. Cases: the per-day aggregates kept by triggers on `cases` (migration 0022), so the
    // table reads a few thousand rows instead of every case. A key gets a row when one of its
    // cases was alive in the period (filed by its end, not closed before its start), as a scan of
    // `cases` would have found it.
    let key = match q.by {
        None => "''",
        Some(By::Department) => "department",
        Some(By::Staff) => "staff",
        Some(By::Item) => "item_code",
    };
    let n = |r: &rusqlite::Row<'_>, i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, f64>(i)?.max(0.0) as u64) };
    {
        let inside = |c: &str| format!("TOTAL(CASE WHEN day >= ?1 THEN {c} END)");
        let sql = format!(
            "SELECT {key}, SUM(filed) - TOTAL(CASE WHEN day < ?1 THEN closings END), {}
             FROM case_day_stats WHERE day <= ?2 GROUP BY 1",
            [
                "received",
                "accepted",
                "not_accepted",
                "approved",
                "denied",
                "on_time",
                "late",
                "lateness_unknown",
                "closed",
                "ended",
                "supplements",
                "paused_days"
            ]
            .map(inside)
            .join(", ")
        );
        let mut st = conn.prepare(&sql)?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let alive = r.get::<_, f64>(1)?;
            let counts: Vec<u64> = (2..14).map(|i| n(r, i)).collect::<rusqlite::Result<_>>()?;
            if alive <= 0.0 && counts.iter().all(|c| *c == 0) {
                continue;
            }
            let e = rows.entry(k.clone()).or_insert_with(|| Row { key: k, ..Row::default() });
            e.received = counts[0];
            e.accepted = counts[1];
            e.not_accepted = counts[2];
            e.approved = counts[3];
            e.denied = counts[4];
            e.decided = e.approved + e.denied;
            e.on_time = counts[5];
            e.late = counts[6];
            e.lateness_unknown = counts[7];
            e.closed = counts[8];
            e.ended = counts[9];
            e.supplements = counts[10];
            e.paused_days = counts[11];
        }
    }

    // 2. Net working days to decide: the histogram the projection counted at each decision
    // (`cases.decide_days`), plus the few decisions it could not count (a calendar year missing
    // then), counted here with today's calendar, each distinct combination once.
    {
        let mut st = conn.prepare(&format!(
            "SELECT {key}, days, SUM(cases) FROM case_decide_days WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2"
        ))?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let days = u32::try_from(r.get::<_, i64>(1)?.max(0)).unwrap_or(u32::MAX);
            let count = n(r, 2)?;
            if count > 0 {
                *hist.entry(k).or_default().entry(days).or_default() += count;
            }
        }
        let ckey = if key == "staff" { "created_by" } else { key };
        let mut st = conn.prepare(&format!(
            "SELECT {ckey}, accepted_on, decided_on, stopped_days, COUNT(*) FROM cases INDEXED BY cases_decide_days_missing
             WHERE decide_days IS NULL AND accepted_on IS NOT NULL AND decided_on BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4"
        ))?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let accepted: String = r.get(1)?;
            let decided: String = r.get(2)?;
            let paused: i64 = r.get(3)?;
            let count = n(r, 4)?;
            let (Ok(a), Ok(d)) = (accepted.parse::<NaiveDate>(), decided.parse::<NaiveDate>()) else { continue };
            // A year still missing from the calendar: the case is left out of the average and p90.
            if let Ok(g) = deadline::working_days_elapsed(cal, a, d) {
                let net = u32::try_from((g - paused).max(0)).unwrap_or(u32::MAX);
                *hist.entry(k).or_default().entry(net).or_default() += count;
            }
        }
    }

    // 3. Monitor hits by rule (an item is the hit's case's item), from the per-day aggregates.
    {
        let mut st = conn.prepare(&format!(
            "SELECT {key}, rule, SUM(hits) FROM hit_day_stats WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2"
        ))?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let rule: String = r.get(1)?;
            let count = n(r, 2)?;
            if count == 0 {
                continue;
            }
            let rule =
                Rule::parse(&rule).ok_or_else(|| CoreError::Invalid(format!("监察命中表中有未知规则「{rule}」")))?;
            let e = rows.entry(k.clone()).or_insert_with(|| Row { key: k, ..Row::default() });
            e.hits += count;
            *e.hits_by_rule.entry(rule).or_default() += count;
        }
    }

    // 4. Ratings and their work orders.
    let rkey = match q.by {
        None => "''",
        Some(By::Department) => "r.department",
        Some(By::Staff) => "r.staff",
        Some(By::Item) => "r.item_code",
    };
    {
        let mut st = conn.prepare(&format!(
            "SELECT {rkey}, COUNT(*),
                TOTAL(r.level = 'very_satisfied'), TOTAL(r.level = 'satisfied'), TOTAL(r.level = 'fairly_satisfied'),
                TOTAL(r.level = 'dissatisfied'), TOTAL(r.level = 'very_dissatisfied'),
                TOTAL(w.closed_on IS NOT NULL), TOTAL(w.outcome = 'rectified'),
                TOTAL(w.order_id IS NOT NULL AND w.real_name), TOTAL(w.real_name AND w.called_back)
             FROM ratings r LEFT JOIN work_orders w ON w.rating_id = r.rating_id
             WHERE r.rated_on BETWEEN ?1 AND ?2 GROUP BY 1"
        ))?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let e = rows.entry(k.clone()).or_insert_with(|| Row { key: k, ..Row::default() });
            let g = &mut e.ratings;
            g.count = r.get::<_, i64>(1)?.max(0) as u64;
            g.very_satisfied = n(r, 2)?;
            g.satisfied = n(r, 3)?;
            g.fairly_satisfied = n(r, 4)?;
            g.dissatisfied = n(r, 5)?;
            g.very_dissatisfied = n(r, 6)?;
            g.bad = g.dissatisfied + g.very_dissatisfied;
            g.bad_closed = n(r, 7)?;
            g.bad_rectified = n(r, 8)?;
            g.bad_real_name = n(r, 9)?;
            g.bad_called_back = n(r, 10)?;
        }
    }

    // 5. Complaints.
    let ckey = match q.by {
        None => "''",
        Some(By::Department) => "c.department",
        Some(By::Staff) => "COALESCE(c.staff, '')",
        Some(By::Item) => {
            "COALESCE((SELECT k.item_code FROM cases k WHERE k.case_no = json_extract(c.cases, '$[0]')), '')"
        }
    };
    {
        let mut st = conn.prepare(&format!(
            "SELECT {ckey}, COUNT(*), TOTAL(c.answered_on IS NOT NULL), TOTAL(c.answered_on > c.due_on)
             FROM complaints c WHERE c.registered_on BETWEEN ?1 AND ?2 GROUP BY 1"
        ))?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let e = rows.entry(k.clone()).or_insert_with(|| Row { key: k, ..Row::default() });
            e.complaints.received = r.get::<_, i64>(1)?.max(0) as u64;
            e.complaints.answered = n(r, 2)?;
            e.complaints.answered_late = n(r, 3)?;
        }
    }

    // 6. Fees, by the day of each step: a fee paid in one period and refunded in the next counts
    //    as paid in the first and refunded in the second.
    let fkey = match q.by {
        None => "''",
        Some(By::Department) => "department",
        Some(By::Staff) => "paid_by",
        Some(By::Item) => "item_code",
    };
    {
        let mut st = conn.prepare(&format!(
            "SELECT {fkey},
                TOTAL(status <> 'exempted' AND paid_on BETWEEN ?1 AND ?2),
                TOTAL(CASE WHEN status <> 'exempted' AND paid_on BETWEEN ?1 AND ?2 THEN amount_fen END),
                TOTAL(status = 'exempted' AND paid_on BETWEEN ?1 AND ?2),
                TOTAL(CASE WHEN status = 'exempted' AND paid_on BETWEEN ?1 AND ?2 THEN amount_fen END),
                TOTAL(refunded_on BETWEEN ?1 AND ?2),
                TOTAL(CASE WHEN refunded_on BETWEEN ?1 AND ?2 THEN refunded_fen END)
             FROM fees WHERE paid_on BETWEEN ?1 AND ?2 OR refunded_on BETWEEN ?1 AND ?2 GROUP BY 1"
        ))?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let e = rows.entry(k.clone()).or_insert_with(|| Row { key: k, ..Row::default() });
            e.fees = Fees {
                paid: n(r, 1)?,
                paid_fen: n(r, 2)?,
                exempted: n(r, 3)?,
                exempted_fen: n(r, 4)?,
                refunded: n(r, 5)?,
                refunded_fen: n(r, 6)?,
            };
        }
    }

    // 7. Agent filings (代办) among the cases received in the period. CROSS JOIN keeps the few
    // agent rows outside: left to itself the planner scanned all of `cases` (3 s at 1M cases).
    {
        let mut st = conn.prepare(&format!(
            "SELECT {key}, COUNT(*), TOTAL(a.level = 'village') FROM case_agents a CROSS JOIN cases USING (case_no)
             WHERE a.filed_on BETWEEN ?1 AND ?2 GROUP BY 1"
        ))?;
        let mut it = st.query(params![from, to])?;
        while let Some(r) = it.next()? {
            let k: String = r.get(0)?;
            let e = rows.entry(k.clone()).or_insert_with(|| Row { key: k, ..Row::default() });
            e.agent_filed = r.get::<_, i64>(1)?.max(0) as u64;
            e.village_filed = n(r, 2)?;
        }
    }

    // Totals: counts are sums of the rows; the average and p90 come from the merged histogram.
    let mut total = Row { label: "合计".into(), ..Row::default() };
    let mut all_days: BTreeMap<u32, u64> = BTreeMap::new();
    for (k, r) in &rows {
        total.add_counts(r);
        for (d, c) in hist.get(k).into_iter().flatten() {
            *all_days.entry(*d).or_default() += c;
        }
    }
    total.finish(&all_days);
    let labels = labels(conn, q.by)?;
    let empty = BTreeMap::new();
    let rows = match q.by {
        None => Vec::new(),
        Some(_) => rows
            .into_iter()
            .map(|(k, mut r)| {
                r.finish(hist.get(&k).unwrap_or(&empty));
                r.label = match labels.get(&k) {
                    Some(l) => l.clone(),
                    None if k.is_empty() => "（未归属）".into(),
                    None => k.clone(),
                };
                r
            })
            .collect(),
    };
    Ok(Report {
        workstation: ws.identity().name.clone(),
        workstation_label: ws.label(),
        from: q.from,
        to: q.to,
        by: q.by,
        as_of: ws.today(),
        rows,
        total,
        queue: crate::queue::command::waiting_figures(conn, q.from, q.to)?,
    })
}

/// Display names: staff names from the staff table, item names from the catalog (the newest
/// version's name); departments are names already.
fn labels(conn: &Connection, by: Option<By>) -> Result<HashMap<String, String>> {
    let sql = match by {
        Some(By::Staff) => "SELECT id, name FROM staff",
        Some(By::Item) => "SELECT code, name FROM catalog_items ORDER BY version",
        _ => return Ok(HashMap::new()),
    };
    let mut st = conn.prepare(sql)?;
    let mut out = HashMap::new();
    let mut it = st.query([])?;
    while let Some(r) = it.next()? {
        out.insert(r.get(0)?, r.get(1)?);
    }
    Ok(out)
}
