//! 电子监察 and 好差评 in the real window (issue 15): the applicant rates a case at the window
//! after 办结 on the full-screen rating view (a real-name 差评 opens a work order); the supervisor
//! opens the 监察 tab with its charts, drills a number down to its cases and into a case, advances
//! the work order (核实), and exports the printable table. Screenshots: target/e2e-screenshots/sup-*.
//!
//! Needs a display (run under `xvfb-run`), tauri-driver and WebKitWebDriver; see docs/desktop.md.

use yc_e2e::app::{Place, login, page_text, yc};
use yc_e2e::{Session, poll};

fn logout(s: &Session) {
    s.click("[data-test=logout]").unwrap();
    s.wait("[data-test=login-submit]").unwrap();
}

/// Case numbers in `state` (the shell's own work-list command, as the page calls it).
fn cases_in(s: &Session, state: &str) -> Vec<String> {
    let v = s
        .exec_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('list_cases', { filter: { state: arguments[0], light: null,
               department: null, applicant_id: null, open_only: false, limit: 20, offset: null } })
               .then(rows => done(rows.map(r => r.case_no)), e => done({ error: e }));",
            serde_json::json!([state]),
        )
        .unwrap();
    v.as_array().unwrap_or_else(|| panic!("list_cases: {v}")).iter().map(|x| x.as_str().unwrap().to_owned()).collect()
}

#[test]
fn rating_at_the_window_then_the_supervision_tab_drills_down_and_advances_the_work_order() {
    let env = Place::fresh("supervision").with("YC_NO_SYNC");
    let (_driver, s) = env.start(&["--demo", "--demo-cases", "120"]);
    s.wait("[data-test=login-submit]").unwrap();

    // The clerk opens a case that is 办结 and turns the screen toward the applicant.
    login(&s, "zhangwei", "张伟");
    let done = cases_in(&s, "completed");
    let no = done.first().expect("the sealed demo has delivered cases").clone();
    s.click("[data-test=nav-work]").unwrap();
    s.type_into("[data-test=work-search]", &no).unwrap();
    let row = s.wait(&format!("[data-case='{no}']")).unwrap();
    s.click_el(&row).unwrap();
    s.send_keys("[data-test=case-list]", "\u{E007}").unwrap();
    s.wait_text("[data-test=case-no]", &no).unwrap();
    s.wait_text("[data-test=case-state]", "已办结").unwrap();
    s.click("[data-test=rate-case]").unwrap();
    s.wait("[data-test=rating-screen]").unwrap();
    s.wait_page_text("[data-test=rating-screen]", &no).unwrap();
    // Submit stays off until a level is chosen.
    let submit = s.wait("[data-test=rating-submit]").unwrap();
    assert!(s.attr(&submit, "disabled").unwrap().is_some(), "no level chosen yet");
    s.screenshot("sup-01-rating-screen").unwrap();

    // A real-name 非常不满意 with the attitude rated and a comment.
    s.click("[data-level=very_dissatisfied]").unwrap();
    s.click("[data-indicator=attitude] .el-radio-button:last-child").unwrap();
    s.type_into("[data-test=rating-comment]", "窗口排队太久，解释不耐心").unwrap();
    let name = s.wait("[data-test=rating-name]").unwrap();
    assert!(!s.attr(&name, "value").unwrap().unwrap_or_default().is_empty(), "the applicant's name is prefilled");
    s.screenshot("sup-02-rating-chosen").unwrap();
    s.click("[data-test=rating-submit]").unwrap();
    let thanks = s.wait_text("[data-test=rating-order]", "WO-").unwrap();
    let order =
        thanks.split("WO-").nth(1).and_then(|t| t.split(['）', ')']).next()).map(|t| format!("WO-{t}")).unwrap();
    s.screenshot("sup-03-rating-thanks").unwrap();
    s.click("[data-test=rating-done]").unwrap();
    s.wait_text("[data-test=case-no]", &no).unwrap();
    // The clerk is no supervisor: the 监察 figures are refused in words, by the core (权限不足…管理员).
    s.click("[data-test=nav-supervision]").unwrap();
    s.wait_text("[data-test=sup-error]", "权限不足").unwrap();
    logout(&s);

    // The supervisor: the 监察 tab with its charts.
    login(&s, "admin", "管理员");
    s.click("[data-test=nav-supervision]").unwrap();
    for chart in ["lights-chart", "trend-chart", "ratings-chart"] {
        s.wait(&format!("[data-test={chart}] canvas")).unwrap();
    }
    s.wait_text("[data-test=satisfaction]", "满意率").unwrap();
    s.wait_page_text("[data-test=sup-ratings] [data-level=very_dissatisfied]", "1").unwrap();
    s.wait_page_text("[data-test=orders]", &order).unwrap();
    s.screenshot("sup-04-dashboard").unwrap();

    // A number drills down to its cases: the rated case behind 非常不满意, then into the case.
    s.click("[data-test=sup-ratings] [data-level=very_dissatisfied] [data-drill=rating]").unwrap();
    s.wait_page_text("[data-test=drill-cases]", &no).unwrap();
    s.screenshot("sup-05-drill-rating").unwrap();
    s.click("[data-test=drill-case]").unwrap();
    s.wait_text("[data-test=case-no]", &no).unwrap();
    s.click("[data-test=nav-supervision]").unwrap();
    // A light: the red cases of the first department that has any.
    s.click("[data-drill=light-red]").unwrap();
    s.wait("[data-test=drill-case]").unwrap();
    s.wait("[data-test=drill-cases] .light.red").unwrap();
    s.screenshot("sup-06-drill-red").unwrap();
    s.exec("document.querySelector('[data-test=drill] .el-dialog__headerbtn').click()", serde_json::json!([])).unwrap();
    s.wait_gone("[data-test=drill-cases]").unwrap();

    // The work order: 核实 with a note; it then waits for 整改.
    s.exec("document.querySelector('[data-test=sup-orders]').scrollIntoView()", serde_json::json!([])).unwrap();
    s.click("[data-test=order-advance]").unwrap();
    s.wait("[data-test=step-choice] [data-step=verify]").unwrap();
    s.type_into("[data-test=step-note]", "调取窗口录像，情况属实").unwrap();
    s.screenshot("sup-07-advance").unwrap();
    s.click("[data-test=step-confirm]").unwrap();
    s.wait_gone("[data-test=step-note]").unwrap();
    s.wait_page_text("[data-test=orders]", "待整改").unwrap();
    s.exec("document.querySelector('[data-test=sup-orders]').scrollIntoView()", serde_json::json!([])).unwrap();
    s.screenshot("sup-08-order-rectifying").unwrap();

    // A complaint about the rated case (登记投诉, N): the department comes from the case; answered
    // (Ctrl+Enter), it leaves the open list and shows as 已办结 among all complaints.
    s.exec("document.querySelector('[data-test=sup-complaints]').scrollIntoView()", serde_json::json!([])).unwrap();
    s.click("[data-test=complaint-new]").unwrap();
    s.wait("[data-test=c-subject]").unwrap();
    s.type_into("[data-test=c-complainant]", "李投诉").unwrap();
    s.type_into("[data-test=c-case]", &no).unwrap();
    s.type_into("[data-test=c-subject]", "窗口人员态度生硬，等候四十分钟").unwrap();
    s.click("[data-test=c-submit]").unwrap();
    s.wait_text(".el-message", "已登记").unwrap();
    s.wait_page_text("[data-test=complaints]", "李投诉").unwrap();
    let row = page_text(&s, "[data-test=complaints]");
    let shown = yc(&env.data, &["case", "show", &no]);
    let department = shown["summary"]["department"].as_str().expect("the case's department");
    assert!(row.contains(department) && row.contains(&no), "{row}");
    s.exec("document.querySelector('[data-test=sup-complaints]').scrollIntoView()", serde_json::json!([])).unwrap();
    s.screenshot("sup-10-complaint").unwrap();
    s.click("[data-test=complaint-answer]").unwrap();
    s.wait("[data-test=c-answer]").unwrap();
    s.type_into("[data-test=c-answer]", "已约谈当事人并整改，电话回复投诉人").unwrap();
    // Ctrl+Enter, as the clerk confirms a dialog from the keyboard (and no click can land while
    // the dialog still zooms open).
    s.send_keys("[data-test=c-answer]", "\u{E009}\u{E007}").unwrap();
    s.wait_text(".el-message", "投诉办结").unwrap();
    s.wait_page_text("[data-test=complaints]", "没有未答复的投诉").unwrap();
    s.click("[data-test=complaints-all]").unwrap();
    s.wait_page_text("[data-test=complaints]", "已办结").unwrap();
    s.screenshot("sup-11-complaint-answered").unwrap();

    // Export: the printable table to a chosen folder.
    let out = env.tmp.join("导出");
    s.exec("window.scrollTo(0, 0)", serde_json::json!([])).unwrap();
    s.type_into("[data-test=sup-export-dir]", &out.display().to_string()).unwrap();
    s.click("[data-test=export-pdf]").unwrap();
    let pdf = poll(std::time::Duration::from_millis(200), || {
        Ok(std::fs::read_dir(&out).ok().and_then(|mut d| {
            d.find_map(|e| e.ok().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "pdf")))
        }))
    })
    .unwrap()
    .expect("the PDF is written");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"), "{}", pdf.display());
    s.wait_text(".el-message", "已导出").unwrap();
    s.screenshot("sup-09-exported").unwrap();
}
