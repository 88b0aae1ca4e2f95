//! `yc report` against an independent recount from the journal (issue 15 part 4), its CSV and
//! XLSX exports read back, and the supervision commands (`rating`, `workorder`, `complaint`,
//! `supervision`) as a script uses them.
//!
//! The recount opens yichuang.db with rusqlite and walks the journal's events itself (actions,
//! Beijing dates, the department in the filing snapshot); the only core code it uses is the
//! official calendar, to count working days to a decision. The demo is sealed: 送达 (办结) needs a
//! sealed decision, and a rating needs a case 办结.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use chrono::NaiveDate;
use serde_json::Value;
use yc_core::calendar::Calendar;
use yc_core::demo::DEMO_PASSWORD;

fn yc(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yc"))
        .arg("--data")
        .arg(data)
        .args(["--today", "2026-11-20"])
        .args(args)
        .env_remove("YC_USER")
        .env_remove("YC_TODAY")
        .env("YC_PASSWORD", DEMO_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("yc runs")
}

fn ok(data: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let o = yc(data, &a);
    assert!(o.status.success(), "yc {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("yc {args:?} JSON: {e}"))
}

/// What the journal says, per department (key "" = the whole workstation).
#[derive(Debug, Default, Clone, PartialEq)]
struct Count {
    received: u64,
    accepted: u64,
    not_accepted: u64,
    approved: u64,
    denied: u64,
    closed: u64,
    ended: u64,
    supplements: u64,
    paused_days: u64,
    decide_days: Vec<u32>,
    hits: BTreeMap<String, u64>,
    ratings: BTreeMap<String, u64>,
    complaints: u64,
    complaints_answered: u64,
}

struct Ev {
    case_no: Option<String>,
    action: String,
    day: NaiveDate,
    payload: Value,
}

fn journal(data: &Path) -> Vec<Ev> {
    let c = rusqlite::Connection::open(data.join("yichuang.db")).unwrap();
    let mut st = c.prepare("SELECT case_no, action, at, payload FROM journal ORDER BY seq").unwrap();
    st.query_map([], |r| {
        let at: String = r.get(2)?;
        let payload: String = r.get(3)?;
        // `at` is RFC 3339 in Beijing time: its first ten characters are the Beijing date.
        Ok(Ev {
            case_no: r.get(0)?,
            action: r.get(1)?,
            day: at[..10].parse().unwrap(),
            payload: serde_json::from_str(&payload).unwrap(),
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Recounts the report's figures for [from, to] from the journal alone, by department.
fn recount(evs: &[Ev], from: NaiveDate, to: NaiveDate) -> BTreeMap<String, Count> {
    let cal = Calendar::official();
    let within = |d: NaiveDate| from <= d && d <= to;
    let mut dept: HashMap<String, String> = HashMap::new();
    let mut first: HashMap<String, NaiveDate> = HashMap::new();
    let mut filed: HashMap<String, bool> = HashMap::new();
    for e in evs {
        if let (Some(no), "appoint" | "file") = (&e.case_no, e.action.as_str()) {
            // Filing an appointed case adds nothing: the appointment carries the snapshot.
            if let Some(d) = e.payload["item"]["department"].as_str() {
                dept.insert(no.clone(), d.to_owned());
            }
            first.entry(no.clone()).or_insert(e.day);
            if e.action == "file" {
                filed.insert(no.clone(), true);
            }
        }
    }
    let received = |no: &str| filed.contains_key(no) && within(first[no]);
    let mut out: BTreeMap<String, Count> = BTreeMap::new();
    // Per case: acceptance day and the open stop since, closed stops' working days after acceptance.
    let mut accepted_on: HashMap<String, NaiveDate> = HashMap::new();
    let mut stop_since: HashMap<String, NaiveDate> = HashMap::new();
    let mut paused: HashMap<String, i64> = HashMap::new();
    for e in evs {
        let Some(no) = &e.case_no else { continue };
        let d = &dept[no];
        let mut bump = |f: &mut dyn FnMut(&mut Count)| {
            f(out.entry(d.clone()).or_default());
            f(out.entry(String::new()).or_default());
        };
        let a = e.action.as_str();
        if received(no) && a == "file" {
            bump(&mut |c| c.received += 1);
        }
        if received(no) && a == "request_supplement" {
            bump(&mut |c| c.supplements += 1);
        }
        if matches!(a, "accept" | "decide_on_spot") {
            accepted_on.insert(no.clone(), e.day);
            paused.insert(no.clone(), 0);
            stop_since.remove(no);
        }
        if matches!(a, "request_supplement" | "suspend" | "special_start") && accepted_on.contains_key(no) {
            stop_since.insert(no.clone(), e.day);
        }
        if matches!(a, "supplement" | "resume" | "special_end")
            && let Some(s) = stop_since.remove(no)
        {
            *paused.get_mut(no).unwrap() += cal.workdays_between(s, e.day).unwrap();
        }
        if !within(e.day) {
            continue;
        }
        match a {
            "accept" => bump(&mut |c| c.accepted += 1),
            "decide_on_spot" => bump(&mut |c| {
                c.accepted += 1;
                c.approved += 1;
            }),
            "approve" => bump(&mut |c| c.approved += 1),
            "deny" => bump(&mut |c| c.denied += 1),
            "refuse_acceptance" => bump(&mut |c| c.not_accepted += 1),
            "deliver" => bump(&mut |c| c.closed += 1),
            "withdraw" | "terminate" => bump(&mut |c| c.ended += 1),
            _ => {}
        }
        if matches!(a, "approve" | "deny" | "decide_on_spot") {
            let p = paused[no];
            let gross = cal.workdays_between(accepted_on[no], e.day).unwrap();
            let net = u32::try_from((gross - p).max(0)).unwrap();
            bump(&mut |c| {
                c.decide_days.push(net);
                c.paused_days += u64::try_from(p).unwrap();
            });
        }
    }
    // Supervision records: the department is in each payload.
    let mut complaint_dept: HashMap<String, String> = HashMap::new();
    for e in evs {
        let p = &e.payload;
        let mut bump = |d: &str, f: &mut dyn FnMut(&mut Count)| {
            f(out.entry(d.to_owned()).or_default());
            f(out.entry(String::new()).or_default());
        };
        match e.action.as_str() {
            // One hit per event in older journals, a run's hits in one event since.
            "supervision.hit" | "supervision.hits" => {
                let hits = p["hits"].as_array().cloned().unwrap_or_else(|| vec![p.clone()]);
                for h in &hits {
                    let on: NaiveDate = h["occurred_on"].as_str().unwrap().parse().unwrap();
                    if within(on) {
                        let rule = h["rule"].as_str().unwrap().to_owned();
                        bump(h["department"].as_str().unwrap_or(""), &mut |c| {
                            *c.hits.entry(rule.clone()).or_default() += 1
                        });
                    }
                }
            }
            "rating.record" if within(e.day) => {
                let level = p["level"].as_str().unwrap().to_owned();
                let d = dept[p["case_no"].as_str().unwrap()].clone();
                bump(&d, &mut |c| *c.ratings.entry(level.clone()).or_default() += 1);
            }
            "complaint.register" if within(e.day) => {
                let id = p["complaint_id"].as_str().unwrap().to_owned();
                let d = p["department"].as_str().unwrap().to_owned();
                complaint_dept.insert(id, d.clone());
                bump(&d, &mut |c| c.complaints += 1);
            }
            "complaint.answer" => {
                if let Some(d) = complaint_dept.get(p["complaint_id"].as_str().unwrap()).cloned() {
                    bump(&d, &mut |c| c.complaints_answered += 1);
                }
            }
            _ => {}
        }
    }
    out
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count: {v}"))
}

/// The report row against the recount.
fn check_row(row: &Value, c: &Count, what: &str) {
    let pairs = [
        ("received", c.received),
        ("accepted", c.accepted),
        ("not_accepted", c.not_accepted),
        ("approved", c.approved),
        ("denied", c.denied),
        ("decided", c.approved + c.denied),
        ("closed", c.closed),
        ("ended", c.ended),
        ("supplements", c.supplements),
        ("paused_days", c.paused_days),
        ("hits", c.hits.values().sum()),
    ];
    for (k, want) in pairs {
        assert_eq!(u(&row[k]), want, "{what}: {k}");
    }
    let decided = c.approved + c.denied;
    assert_eq!(u(&row["on_time"]) + u(&row["late"]) + u(&row["lateness_unknown"]), decided, "{what}: lateness");
    for (rule, n) in &c.hits {
        assert_eq!(u(&row["hits_by_rule"][rule]), *n, "{what}: hits of {rule}");
    }
    let r = &row["ratings"];
    let lv = |l: &str| c.ratings.get(l).copied().unwrap_or(0);
    assert_eq!(u(&r["count"]), c.ratings.values().sum::<u64>(), "{what}: ratings");
    for l in ["very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied", "very_dissatisfied"] {
        assert_eq!(u(&r[l]), lv(l), "{what}: ratings {l}");
    }
    assert_eq!(u(&r["bad"]), lv("dissatisfied") + lv("very_dissatisfied"), "{what}: bad ratings");
    assert_eq!(u(&row["complaints"]["received"]), c.complaints, "{what}: complaints");
    assert_eq!(u(&row["complaints"]["answered"]), c.complaints_answered, "{what}: answered");
    // Days to decide: mean and nearest-rank p90 over the recounted values.
    let mut d = c.decide_days.clone();
    d.sort_unstable();
    if d.is_empty() {
        assert!(row["decide_days_avg"].is_null() && row["decide_days_p90"].is_null(), "{what}");
    } else {
        let avg = d.iter().map(|x| f64::from(*x)).sum::<f64>() / d.len() as f64;
        assert!((row["decide_days_avg"].as_f64().unwrap() - avg).abs() < 1e-9, "{what}: average {avg} vs {row}");
        let rank = (d.len() * 9).div_ceil(10);
        assert_eq!(u(&row["decide_days_p90"]), u64::from(d[rank - 1]), "{what}: p90 of {d:?}");
    }
}

/// Lateness is fixed at the decision by deadline.rs and stored on the case: read it straight.
fn late_from_cases(data: &Path, from: &str, to: &str) -> u64 {
    let c = rusqlite::Connection::open(data.join("yichuang.db")).unwrap();
    c.query_row(
        "SELECT count(*) FROM cases WHERE decided_on BETWEEN ?1 AND ?2 AND decision_late_days > 0",
        [from, to],
        |r| r.get(0),
    )
    .unwrap()
}

fn cases_in(data: &Path, state: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(data.join("yichuang.db")).unwrap();
    let mut st = c.prepare("SELECT case_no FROM cases WHERE state = ?1 ORDER BY case_no").unwrap();
    st.query_map([state], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Columns compared across JSON, CSV and XLSX: header → JSON path.
const COMPARED: &[(&str, &[&str])] = &[
    ("收件", &["received"]),
    ("受理", &["accepted"]),
    ("不予受理", &["not_accepted"]),
    ("准予许可", &["approved"]),
    ("不予许可", &["denied"]),
    ("按时决定", &["on_time"]),
    ("超期决定", &["late"]),
    ("按时率", &["on_time_rate"]),
    ("办结", &["closed"]),
    ("平均决定用时(工作日)", &["decide_days_avg"]),
    ("暂停计时(工作日)", &["paused_days"]),
    ("监察命中", &["hits"]),
    ("评价数", &["ratings", "count"]),
    ("满意率", &["ratings", "satisfaction_rate"]),
    ("差评", &["ratings", "bad"]),
    ("投诉", &["complaints", "received"]),
];

fn at<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

fn same(a: Option<f64>, b: &Value, what: &str) {
    match (a, b.as_f64()) {
        (None, None) => {}
        (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{what}: file {x} vs JSON {y}"),
        (x, _) => panic!("{what}: file {x:?} vs JSON {b}"),
    }
}

#[test]
fn report_matches_the_journal_and_its_exports_and_supervision_commands_feed_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = yc(d, &["demo", "--cases", "60", "--no-adapters", "--plain"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Supervision: monitors run once; a second run raises nothing new.
    let run = ok(d, &["supervision", "run"]);
    let raised = run["raised"].as_array().unwrap().len();
    assert!(raised > 0, "the demo has overdue cases: {run}");
    assert_eq!(ok(d, &["supervision", "run"])["known"].as_u64().unwrap() as usize, raised);
    let first_rule = run["raised"][0]["rule"].as_str().unwrap().to_owned();
    let hits = ok(d, &["supervision", "hits", "--rule", &first_rule]);
    assert!(hits.as_array().unwrap().iter().all(|h| h["rule"] == first_rule.as_str()));

    // 好差评 on two closed cases: a 满意, and a real-name 非常不满意 that opens a work order.
    let done = cases_in(d, "completed");
    assert!(done.len() >= 2, "the sealed demo delivers cases");
    let good = ok(
        d,
        &[
            "rating",
            "add",
            &done[0],
            "--level",
            "满意",
            "--channel",
            "window",
            "--indicator",
            "效率=5",
            "--comment",
            "很快",
        ],
    );
    assert!(good["work_order"].is_null());
    let bad = ok(d, &["rating", "add", &done[1], "--level", "非常不满意", "--channel", "qr", "--indicator", "态度=1"]);
    let wo = bad["work_order"].as_str().expect("a 差评 opens a work order").to_owned();
    let list = ok(d, &["workorder", "list"]);
    assert!(list.as_array().unwrap().iter().any(|o| o["order_id"] == wo.as_str()), "{list}");
    let o = ok(d, &["workorder", "advance", &wo, "--step", "核实", "--note", "调取录像核实"]);
    assert_eq!(o["state"], "rectifying");
    // The same channel twice is refused with the reason.
    let o = yc(d, &["rating", "add", &done[0], "--level", "满意", "--channel", "window"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("只能评价一次"));

    // A complaint about the badly rated case, answered.
    let c = ok(d, &["complaint", "add", "--complainant", "李四", "--case", &done[1], "--subject", "窗口态度生硬"]);
    let cid = c["complaint_id"].as_str().unwrap().to_owned();
    ok(d, &["complaint", "answer", &cid, "--text", "已约谈窗口人员并致歉"]);
    assert!(
        ok(d, &["complaint", "list", "--all"]).as_array().unwrap().iter().any(|x| x["complaint_id"] == cid.as_str())
    );

    let evs = journal(d);
    let whole = ("2026-01-01", "2026-11-20");
    // A narrower period cuts through the demo's weeks (its cases run from October).
    let part = ("2026-10-20", "2026-11-06");
    for (from, to) in [whole, part] {
        let rep = ok(d, &["report", "--from", from, "--to", to]);
        let want = recount(&evs, from.parse().unwrap(), to.parse().unwrap());
        let total = want.get("").cloned().unwrap_or_default();
        check_row(&rep["total"], &total, &format!("total {from}..{to}"));
        assert_eq!(u(&rep["total"]["late"]), late_from_cases(d, from, to));
        assert!(rep["rows"].as_array().unwrap().is_empty());
    }
    // The whole period holds what the CLI just did.
    let rep = ok(d, &["report", "--from", whole.0, "--to", whole.1]);
    let t = &rep["total"];
    assert_eq!((u(&t["ratings"]["count"]), u(&t["ratings"]["bad"])), (2, 1));
    assert_eq!(t["ratings"]["satisfaction_rate"].as_f64(), Some(0.5));
    assert_eq!(
        (u(&t["ratings"]["bad_real_name"]), u(&t["ratings"]["bad_called_back"]), u(&t["ratings"]["bad_closed"])),
        (1, 0, 0)
    );
    assert_eq!(
        (u(&t["complaints"]["received"]), u(&t["complaints"]["answered"]), u(&t["complaints"]["answered_late"])),
        (1, 1, 0)
    );
    assert!(u(&t["closed"]) >= 2);

    // By department: each row against the recount, and the rows add up to the total.
    let csv = d.join("r.csv");
    let xlsx = d.join("r.xlsx");
    let pdf = d.join("r.pdf");
    let by = ok(
        d,
        &[
            "report",
            "--from",
            whole.0,
            "--to",
            whole.1,
            "--by",
            "department",
            "--csv",
            csv.to_str().unwrap(),
            "--xlsx",
            xlsx.to_str().unwrap(),
            "--pdf",
            pdf.to_str().unwrap(),
        ],
    );
    let want = recount(&evs, whole.0.parse().unwrap(), whole.1.parse().unwrap());
    let rows = by["rows"].as_array().unwrap();
    assert!(rows.len() > 3);
    for row in rows {
        let k = row["key"].as_str().unwrap();
        check_row(row, want.get(k).unwrap_or(&Count::default()), k);
    }
    check_row(&by["total"], &want[""], "total by department");
    for k in [
        "received",
        "accepted",
        "not_accepted",
        "approved",
        "denied",
        "on_time",
        "late",
        "closed",
        "hits",
        "paused_days",
        "supplements",
    ] {
        assert_eq!(rows.iter().map(|r| u(&r[k])).sum::<u64>(), u(&by["total"][k]), "rows add up: {k}");
    }
    assert_eq!(rows.iter().map(|r| u(&r["ratings"]["count"])).sum::<u64>(), 2);
    // The rated case's department has the ratings.
    let rated_dept = evs
        .iter()
        .find(|e| e.case_no.as_deref() == Some(done[1].as_str()) && e.action == "file")
        .unwrap()
        .payload["item"]["department"]
        .clone();
    let row = rows.iter().find(|r| r["key"] == rated_dept).unwrap();
    assert!(u(&row["ratings"]["bad"]) == 1 && u(&row["complaints"]["received"]) == 1, "{row}");

    // CSV: a header, then one line per row and the total, the same numbers as the JSON.
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let body: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let json_rows: Vec<&Value> = rows.iter().chain(std::iter::once(&by["total"])).collect();
    assert_eq!(body.len(), json_rows.len());
    for (line, jr) in body.iter().zip(&json_rows) {
        assert_eq!(line.len(), head.len(), "every line has every column");
        for (h, path) in COMPARED {
            let i = head.iter().position(|x| x == h).unwrap_or_else(|| panic!("CSV column {h}"));
            let v = (!line[i].is_empty()).then(|| line[i].parse::<f64>().unwrap());
            same(v, at(jr, path), &format!("CSV {h}"));
        }
    }

    // XLSX: row 1 names the workstation and the period, row 2 the columns, numbers as numbers.
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = wb.worksheet_range("统计表").unwrap();
    let grid: Vec<&[Data]> = range.rows().collect();
    let title = grid[0][0].to_string();
    assert!(title.contains("示范区") && title.contains("2026-01-01") && title.contains("2026-11-20"), "{title}");
    let head: Vec<String> = grid[1].iter().map(ToString::to_string).collect();
    assert_eq!(grid.len() - 2, json_rows.len());
    for (cells, jr) in grid[2..].iter().zip(&json_rows) {
        for (h, path) in COMPARED {
            let i = head.iter().position(|x| x == h).unwrap();
            let v = match &cells[i] {
                Data::Empty => None,
                Data::Float(f) => Some(*f),
                Data::Int(n) => Some(*n as f64),
                other => panic!("XLSX {h} is not a number: {other:?}"),
            };
            same(v, at(jr, path), &format!("XLSX {h}"));
        }
    }

    // PDF: the printable table. Its text (pdftotext, as a reader copies it) has the header and,
    // per row, the name then the figures of the JSON in the columns' order.
    check_pdf(&pdf, &by, &json_rows);

    // Reports name staff: a clerk may not read them.
    let o = yc(d, &["--json", "--as", "zhangmin", "report", "--from", whole.0, "--to", whole.1]);
    assert!(!o.status.success(), "a clerk read the report");
}

/// Reads the PDF back with pdftotext (poppler-utils) and checks it against the JSON.
fn check_pdf(pdf: &Path, rep: &Value, rows: &[&Value]) {
    let bytes = std::fs::read(pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let o = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils) reads the table back");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    for want in [
        "政务服务统计表（按部门）",
        "示范区",
        "统计期间：2026-01-01 至 2026-11-20",
        "一、办理情况",
        "二、电子监察",
        "三、好差评与投诉",
        "四、收费与代办",
    ] {
        assert!(text.contains(want), "PDF lacks {want}:\n{text}");
    }
    // Per row: the first line naming it is in table 一 (办理情况), the second in 二 (hits by rule),
    // the third in 三 (ratings and complaints), the fourth in 四 (fees and agents).
    for jr in rows {
        let name = match jr["label"].as_str().unwrap_or_default() {
            _ if std::ptr::eq(*jr, &rep["total"]) => "合计",
            "" => "（未填）",
            l => l,
        };
        let lines: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .filter(|t| t.first() == Some(&name))
            .collect();
        assert_eq!(lines.len(), 4, "{name} appears once per table:\n{text}");
        let handling: Vec<u64> =
            ["received", "accepted", "not_accepted", "approved", "denied", "decided", "on_time", "late"]
                .iter()
                .map(|k| u(&jr[*k]))
                .collect();
        let printed: Vec<u64> = lines[0][1..=8].iter().map(|s| s.parse().unwrap()).collect();
        assert_eq!(printed, handling, "{name}: 收件…超期决定 as in the JSON");
        let rate = jr["on_time_rate"].as_f64().map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0));
        assert_eq!(lines[0][9], rate, "{name}: 按时率");
        let by_rule: Vec<u64> = yc_core::supervision::Rule::ALL
            .iter()
            .map(|r| jr["hits_by_rule"][r.code()].as_u64().unwrap_or(0))
            .collect();
        let printed: Vec<u64> = lines[1][1..].iter().map(|s| s.parse().unwrap()).collect();
        assert_eq!(printed, by_rule, "{name}: hits by rule");
        let g = &jr["ratings"];
        let printed: Vec<&str> = lines[2][1..].to_vec();
        assert_eq!(printed[0].parse::<u64>().unwrap(), u(&g["count"]), "{name}: 评价数");
        assert_eq!(printed[7].parse::<u64>().unwrap(), u(&g["bad"]), "{name}: 差评");
        assert_eq!(printed[12].parse::<u64>().unwrap(), u(&jr["complaints"]["received"]), "{name}: 投诉");
        let f = &jr["fees"];
        let yuan = |k: &str| format!("{:.2}", u(&f[k]) as f64 / 100.0);
        let want = [
            u(&f["paid"]).to_string(),
            yuan("paid_fen"),
            u(&f["exempted"]).to_string(),
            yuan("exempted_fen"),
            u(&f["refunded"]).to_string(),
            yuan("refunded_fen"),
            u(&jr["agent_filed"]).to_string(),
            u(&jr["village_filed"]).to_string(),
        ];
        assert_eq!(lines[3][1..], want, "{name}: fees and agents as in the JSON");
    }
}
