//! `yc appointment …` and `yc queue …` as a script uses them: slots on working days only, a
//! holiday booking refused in Chinese, check-in with a priority ticket, calling and transferring,
//! the hall board, and a rebuild that reproduces it.

use crate::common::{json, stderr, stdout, yc, yc_ok};

// A Monday; 国庆 is 2026-10-01..07.
const DAY: &str = "2026-09-28";

fn ok(d: &std::path::Path, who: &str, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--today", DAY, "--as", who];
    all.extend_from_slice(args);
    let o = yc(d, &all);
    assert!(o.status.success(), "yc {args:?}: {}", stderr(&o));
    o
}

#[test]
fn appointments_and_the_queue_run_through_yc() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    yc_ok(d, &["--today", DAY, "demo", "--cases", "2", "--no-seal", "--no-adapters", "--plain"]);
    let items = json(&ok(d, "admin", &["--json", "catalog", "list"]));
    let code =
        items.as_array().unwrap().iter().find(|i| i["secret"] != true).unwrap()["code"].as_str().unwrap().to_owned();
    let set = stdout(&ok(
        d,
        "admin",
        &["appointment", "schedule", &code, "--times", "09:00-10:00,14:00-15:00", "--capacity", "2"],
    ));
    assert!(set.contains("每时段 2 人"), "{set}");
    let slots = stdout(&ok(d, "zhangwei", &["appointment", "slots", &code, "--days", "14"]));
    assert!(slots.contains("2026-09-28  14:00-15:00") && !slots.contains("2026-09-28  09:00"), "{slots}");
    assert!(!slots.contains("2026-10-01") && slots.contains("2026-10-10"), "{slots}");

    let id = yc_core::ids::make_resident_id("440305", "1979-02-03".parse().unwrap(), 5);
    let mut book = vec!["--today", DAY, "--as", "zhangwei", "appointment", "book", &code, "--date", "2026-10-01"];
    book.extend_from_slice(&["--start", "09:00", "--applicant-id", &id, "--name", "钱预约"]);
    let o = yc(d, &book);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("法定节假日（国庆节）"), "{}", stderr(&o));
    book[8] = DAY;
    book[10] = "14:00";
    let o = yc(d, &[&book[..4], &["--json"], &book[4..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let booking = json(&o)["booking_id"].as_str().unwrap().to_owned();

    let t = json(&ok(d, "zhangwei", &["--json", "queue", "take"]));
    assert_eq!(t["ticket"]["number"], "A001");
    assert!(t["text"].as_str().unwrap().contains("前面还有 0 人等候"), "{t}");
    let c = stdout(&ok(d, "zhangwei", &["appointment", "checkin", &booking]));
    assert!(c.contains("A002") && c.contains("预约优先") && c.contains("材料尚未收取"), "{c}");
    let next = stdout(&ok(d, "zhangwei", &["queue", "next", "--window", "1号窗口"]));
    assert_eq!(next, "请 A002 号到 1号窗口 办理");
    let moved = stdout(&ok(
        d,
        "zhangwei",
        &["queue", "transfer", "--window", "1号窗口", "--service", "pickup", "--to-window", "3号窗口"],
    ));
    assert!(moved.contains("A002 已转至「取件领证」（3号窗口）"), "{moved}");
    assert_eq!(stdout(&ok(d, "zhangwei", &["queue", "next", "--window", "1号窗口"])), "请 A001 号到 1号窗口 办理");
    let board = stdout(&ok(d, "zhangwei", &["queue", "board"]));
    assert!(board.contains("请 A001 号到 1号窗口 办理") && !board.contains("钱预约"), "{board}");
    let status = json(&ok(d, "zhangwei", &["--json", "queue", "status"]));
    assert_eq!(status["waiting"][0]["number"], "A002", "{status}");
    assert_eq!(status["waiting"][0]["target_window"], "3号窗口");

    let rebuilt = json(&ok(d, "admin", &["--json", "rebuild"]));
    assert_eq!(rebuilt["identical"], true, "{rebuilt}");
    let list = stdout(&ok(d, "zhangwei", &["appointment", "list"]));
    assert!(list.contains("已到场") && list.contains("钱预约"), "{list}");
}
