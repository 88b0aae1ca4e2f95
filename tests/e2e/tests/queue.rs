//! Appointments and queue calling (预约, 排队叫号, issue 17) in the real window: the administrator
//! sets an item's slots (`yc appointment schedule`), the clerk opens the 叫号 tab with Alt+8, books
//! a slot in the booking dialog (F7), takes two walk-in tickets, checks the appointment in (its
//! ticket comes with priority), calls next with F1 (the appointment first), transfers it to the
//! pickup service at window 3, calls the next walk-in, and opens the hall display: a second window
//! (`hall`) in large type showing the number and the window, recent calls and waiting counts, and
//! allowed no other command. Screenshots: target/e2e-screenshots/queue-*, the hall at 1920×1080.
//!
//! The hall window is opened 1920×1080 (`YC_HALL_WINDOWED`), so the picture has that size under
//! `make e2e`'s 1366×768 Xvfb too.

use std::path::Path;

use serde_json::json;
use yc_e2e::Session;
use yc_e2e::app::{Place, login, page_text, yc};

fn key(s: &Session, key: &str, alt: bool) {
    s.exec(
        "window.dispatchEvent(new KeyboardEvent('keydown', { key: arguments[0], altKey: arguments[1], bubbles: true }))",
        json!([key, alt]),
    )
    .unwrap();
}

/// Width and height from a PNG's IHDR.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap();
    let be = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (be(16), be(20))
}

#[test]
fn a_booking_tickets_calls_a_transfer_and_the_hall_display_in_the_real_window() {
    // The hall display as a 1920×1080 window rather than full screen: `make e2e` runs Xvfb at
    // 1366×768, where full screen would be that size.
    let place = Place::fresh("queue").with("YC_NO_SYNC").with("YC_HALL_WINDOWED");
    let data = place.data.clone();
    let (_driver, s) = place.start(&["--demo", "--demo-cases", "40"]);
    s.wait("[data-test=login-submit]").unwrap();

    // The administrator sets an item's slots (the demo's first item that is not secret).
    let items = yc(&data, &["--as", "admin", "catalog", "list"]);
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["secret"] != json!(true))
        .unwrap_or_else(|| panic!("no item: {items}"));
    let code = item["code"].as_str().unwrap().to_owned();
    yc(
        &data,
        &[
            "--as",
            "admin",
            "appointment",
            "schedule",
            &code,
            "--times",
            "09:00-10:00,14:00-15:00,15:00-16:00",
            "--capacity",
            "3",
        ],
    );
    let today = yc(&data, &["--as", "admin", "status"])["today"].as_str().unwrap().to_owned();

    login(&s, "zhangwei", "张伟");
    key(&s, "8", true);
    s.wait("[data-test=queue-view]").unwrap();
    s.type_into("[data-test=queue-window]", "1号窗口").unwrap();

    // F7: the booking dialog; the demo day's 14:00 slot (it is noon: 09:00 has begun, not offered).
    key(&s, "F7", false);
    s.click("[data-test=booking-item]").unwrap();
    s.click(&format!("li[data-test='item-{code}']")).unwrap();
    let slot = format!("[data-test='slot-{today}-14:00']");
    s.wait(&slot).unwrap();
    assert!(
        s.find_all(&format!("[data-test='slot-{today}-09:00']")).unwrap().is_empty(),
        "a begun slot is not offered"
    );
    s.click(&slot).unwrap();
    let applicant = yc_core::ids::make_resident_id("440305", chrono::NaiveDate::from_ymd_opt(1986, 4, 12).unwrap(), 31);
    s.type_into("[data-test=booking-id]", &applicant).unwrap();
    s.type_into("[data-test=booking-name]", "赵预约").unwrap();
    s.screenshot("queue-01-booking").unwrap();
    s.click("[data-test=booking-confirm]").unwrap();
    s.wait_gone("[data-test=booking-dialog]").unwrap();
    s.wait_page_text("[data-test=queue-appointments]", "赵预约").unwrap();

    // Two walk-ins take tickets (F6 = 综合受理); the printable ticket names no one.
    for n in ["A001", "A002"] {
        key(&s, "F6", false);
        let text = s.wait_page_text("[data-test=ticket-text]", n).unwrap();
        assert!(text.contains("综合受理") && text.contains("前面还有"), "{text}");
        if n == "A002" {
            s.screenshot("queue-02-ticket").unwrap();
        }
        s.click("[data-test=ticket-close]").unwrap();
        s.wait_gone("[data-test=ticket-dialog]").unwrap();
    }

    // The appointment arrives: an appointed case with nothing received, and a priority ticket.
    s.click("[data-test=checkin-booking]").unwrap();
    let checked = s.wait_page_text("[data-test=checkin-dialog]", "A003").unwrap();
    assert!(checked.contains("预约优先") && checked.contains("材料尚未收取"), "{checked}");
    s.click("[data-test=checkin-close]").unwrap();
    s.wait_gone("[data-test=checkin-dialog]").unwrap();
    let waiting = s.wait_page_text("[data-test=queue-waiting]", "A003").unwrap();
    assert!(waiting.find("A003") < waiting.find("A001"), "the appointment is first: {waiting}");

    // F1 calls the appointment first.
    key(&s, "F1", false);
    s.wait_text("[data-test=queue-current-number]", "A003").unwrap();
    // F4: transferred to 取件领证 at window 3.
    key(&s, "F4", false);
    s.click("[data-test=transfer-to-pickup]").unwrap();
    s.type_into("[data-test=transfer-window]", "3号窗口").unwrap();
    s.click("[data-test=transfer-confirm]").unwrap();
    s.wait_gone("[data-test=transfer-dialog]").unwrap();
    s.wait_text("[data-test=queue-current-number]", "—").unwrap();
    s.wait_page_text("[data-test=queue-waiting]", "3号窗口").unwrap();
    // F1 again: the next walk-in (A003 waits for window 3).
    key(&s, "F1", false);
    s.wait_text("[data-test=queue-current-number]", "A001").unwrap();
    s.wait_page_text("[data-test=queue-waiting-counts]", "分钟").unwrap();
    s.screenshot("queue-03-panel").unwrap();
    let status = yc(&data, &["--as", "zhangwei", "queue", "status"]);
    let called: Vec<&str> = status["called"].as_array().unwrap().iter().filter_map(|t| t["number"].as_str()).collect();
    assert_eq!(called, ["A001"], "{status}");

    // The hall display: a second window, its own capability.
    let main = s.window_handle().unwrap();
    s.click("[data-test=open-hall]").unwrap();
    let hall = yc_e2e::poll(std::time::Duration::from_millis(200), || {
        Ok(s.window_handles()?.into_iter().find(|h| *h != main))
    })
    .unwrap()
    .expect("the hall window opened");
    s.switch_to_window(&hall).unwrap();
    let _ = s.set_window(1920, 1080);
    s.wait_text("[data-test=hall-number]", "A001").unwrap();
    s.wait_text("[data-test=hall-window]", "1号窗口").unwrap();
    let recent = s.wait_page_text("[data-test=hall-recent]", "A003").unwrap();
    assert!(recent.contains("1号窗口"), "{recent}");
    let board = page_text(&s, "[data-test=hall]");
    assert!(!board.contains("赵预约") && !board.contains(&applicant), "no names on the hall display: {board}");
    s.wait_page_text("[data-test=hall-waiting]", "取件领证").unwrap();
    // The hall window may read its board and nothing else.
    let refused = s
        .exec_async(
            "const done = arguments[0]; window.__TAURI_INTERNALS__.invoke('queue_status', {})
               .then(() => done('allowed'), (e) => done('refused: ' + JSON.stringify(e)));",
            json!([]),
        )
        .unwrap();
    assert!(refused.as_str().unwrap_or("").starts_with("refused"), "{refused}");
    let shot = s.screenshot("queue-04-hall-1920x1080").unwrap();
    assert_eq!(png_size(&shot), (1920, 1080), "the hall display at 1920×1080");

    // Back at the clerk's window: window 3 calls the transferred ticket; the hall follows.
    s.switch_to_window(&main).unwrap();
    yc(&data, &["--as", "zhangwei", "queue", "next", "--window", "3号窗口", "--services", "pickup"]);
    s.switch_to_window(&hall).unwrap();
    s.wait_text("[data-test=hall-number]", "A003").unwrap();
    s.wait_text("[data-test=hall-window]", "3号窗口").unwrap();
    s.screenshot("queue-05-hall-transferred").unwrap();
}
