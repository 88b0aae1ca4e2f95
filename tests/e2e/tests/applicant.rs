//! The applicant's side of a case (issue 17) in the real window: on an approved case whose decision
//! the seal keeper has sealed (through `yc` at the keeper's desk), the clerk records the
//! applicant's consent to SMS notices (the number shown masked, never in full), plans a courier
//! delivery with the address, dispatches it with the carrier and waybill, and records who signed
//! for it — the case is then delivered, and the 送达通知 appears with its sending state.
//! Screenshots: target/e2e-screenshots/applicant-*.
//!
//! Needs a display (run under `xvfb-run`), tauri-driver, WebKitWebDriver and `yc` built next to
//! the app (`cargo build -p yc -p yc-desktop`); see docs/desktop.md.

use std::time::Duration;

use yc_e2e::app::{Place, login, page_text, yc, yc_try};
use yc_e2e::{Session, poll};

const ENTER: &str = "\u{E007}";
const PHONE: &str = "13812345678";
const WAYBILL: &str = "SF1234567890";

/// Opens the applicant panels' dialog for one step, fills it, confirms, waits for it to close.
fn step(s: &Session, button: &str, fields: &[(&str, &str)]) {
    s.click(&format!("[data-test={button}]")).unwrap();
    s.wait("[data-test=applicant-confirm]").unwrap();
    for (field, value) in fields {
        s.type_into(&format!("[data-test={field}]"), value).unwrap();
    }
    s.click("[data-test=applicant-confirm]").unwrap();
    if let Err(e) = s.wait_gone("[data-test=applicant-confirm]") {
        panic!("{button}: {e} — {}", page_text(s, "[data-test=applicant-error]"));
    }
}

#[test]
fn a_courier_delivery_and_its_notice_are_recorded_in_the_window() {
    // No background sync: the seal keeper's `yc` below is the only other writer.
    let place = Place::fresh("applicant").with("YC_NO_SYNC");
    let data = place.data.clone();
    let (_driver, s) = place.start(&["--demo", "--demo-cases", "40"]);
    s.wait("[data-test=login-submit]").unwrap();

    // The seal keeper (赵敏) seals the decision of an approved demo case in a department of theirs.
    let approved = yc(&data, &["case", "list", "--state", "approved", "--limit", "50"]);
    let no = approved
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["case_no"].as_str())
        .find(|no| {
            yc_try(
                &data,
                &["--as", "zhaomin", "doc", "seal", no, "--type", "approval", "--pin", yc_core::demo::DEMO_PIN],
            )
            .is_ok()
        })
        .expect("an approved demo case the seal keeper can seal")
        .to_owned();

    login(&s, "zhangwei", "张伟");
    s.click("[data-test=nav-work]").unwrap();
    s.type_into("[data-test=work-search]", &no).unwrap();
    let row = s.wait(&format!("[data-case='{no}']")).unwrap();
    s.click_el(&row).unwrap();
    s.send_keys("[data-test=case-list]", ENTER).unwrap();
    s.wait_text("[data-test=case-no]", &no).unwrap();
    s.wait("[data-test=delivery-panel]").unwrap();
    s.wait("[data-test=no-delivery]").unwrap();

    // Consent to SMS notices: the number is kept, and shown masked only.
    step(&s, "notice-give-consent", &[("form-phone", PHONE)]);
    s.wait_text("[data-test=notice-consent]", "138****5678").unwrap();

    // A courier delivery: method and address, then the carrier and the waybill.
    s.click("[data-test=delivery-plan]").unwrap();
    s.click("[data-test=form-method]").unwrap();
    // The options are teleported to the body and appear after the dropdown's transition.
    let courier = poll(Duration::from_millis(100), || {
        Ok(s.find_all(".el-select-dropdown__item")?
            .into_iter()
            .find(|e| s.displayed(e).unwrap_or(false) && s.text(e).is_ok_and(|t| t.trim() == "快递")))
    })
    .unwrap()
    .unwrap_or_else(|| {
        s.screenshot("applicant-00-no-courier-option").unwrap();
        panic!("no 快递 option: {}", page_text(&s, ".el-select-dropdown__item"))
    });
    s.click_el(&courier).unwrap();
    s.type_into("[data-test=form-address]", "示范区幸福路1号").unwrap();
    s.click("[data-test=applicant-confirm]").unwrap();
    s.wait_gone("[data-test=applicant-confirm]").unwrap();
    s.wait_text("[data-test=delivery-method]", "快递").unwrap();
    s.wait_text("[data-test=delivery-status]", "待送达").unwrap();

    step(&s, "delivery-dispatch", &[("form-carrier", "顺丰速运"), ("form-waybill", WAYBILL)]);
    s.wait_text("[data-test=delivery-waybill]", WAYBILL).unwrap();
    s.wait_text("[data-test=delivery-status]", "已寄出").unwrap();
    s.screenshot("applicant-01-dispatched").unwrap();

    // The return card comes back signed: the case is delivered, and the 送达通知 is queued.
    step(&s, "delivery-receipt", &[("form-signed-by", "李娟")]);
    s.wait_text("[data-test=delivery-status]", "已签收").unwrap();
    s.wait_text("[data-test=delivery-signed-by]", "李娟").unwrap();
    let notices = s.wait_page_text("[data-test=notices]", "送达").unwrap();
    assert!(!s.find_all("[data-test=notice-state]").unwrap().is_empty(), "{notices}");
    s.screenshot("applicant-02-received").unwrap();

    // The full number is nowhere on the screen; the record agrees with the window.
    let body = page_text(&s, "body");
    assert!(!body.contains(PHONE), "the full phone number is on screen");
    // The case's record names the sealing in words, not by the event's code.
    assert!(body.contains("用印") && !body.contains("document.sealed"), "the record shows an event code");
    let delivery = yc(&data, &["delivery", "show", &no]);
    assert_eq!(delivery["waybill"], WAYBILL, "{delivery}");
    assert_eq!(delivery["signed_by"], "李娟", "{delivery}");
    let shown = yc(&data, &["notice", "show", &no]).to_string();
    assert!(shown.contains("delivered") && !shown.contains(PHONE), "{shown}");
}
