//! Parallel approval (并联审批, issue 16) in the real window: a clerk files the 企业开办 theme by
//! keyboard (the theme picked by pinyin initials and Enter, the shared materials asked once), the
//! receipt lists every branch; departments answer (here through `yc` on the same store: a
//! refusal with its reason, two pre-review supplement requests); the parallel board shows each
//! branch as a column with its light, the refusal and its reason, the waiting branches; the
//! combined supplement notice lists each material once and the materials handed in once resume
//! both branches; ←/→ and Enter open a branch's case. Screenshots: target/e2e-screenshots/theme-*.
//!
//! Needs a display (run under `xvfb-run`), tauri-driver, WebKitWebDriver and `yc` built next to
//! the app (`cargo build -p yc -p yc-desktop`); see docs/desktop.md.


use yc_e2e::app::{Place, login, page_text, yc};

const ENTER: &str = "\u{E007}";

#[test]
fn a_theme_is_filed_once_and_its_parallel_board_is_driven_in_the_window() {
    // No background sync: the departments' answers below are the only other writer.
    let place = Place::fresh("theme").with("YC_NO_SYNC");
    let data = place.data.clone();
    let (_driver, s) = place.start(&["--demo", "--demo-cases", "40"]);
    s.wait("[data-test=login-submit]").unwrap();
    login(&s, "zhangwei", "张伟");

    // 并联审批 tab: no theme yet; N / the button starts a theme intake.
    s.click("[data-test=nav-themes]").unwrap();
    s.wait("[data-test=themes-empty]").unwrap();
    s.click("[data-test=theme-new]").unwrap();
    // Keyboard: pinyin initials, Enter picks the highlighted theme.
    s.type_into("[data-test=theme-search]", "qykb").unwrap();
    s.wait_page_text("[data-test=theme-catalog]", "企业开办").unwrap();
    s.send_keys("[data-test=theme-search]", ENTER).unwrap();
    let company = yc_core::ids::make_credit_code("91440300MA5G0E2R1").expect("credit code");
    s.type_into("[data-test=theme-applicant-id]", &company).unwrap();
    s.wait_page_text("[data-test=theme-id-check]", "✓").unwrap();
    s.type_into("[data-test=theme-applicant-name]", "示范区并联示范有限公司").unwrap();
    s.send_keys("[data-test=theme-applicant-name]", ENTER).unwrap();
    // The union of the five items' materials: the legal representative's ID asked once, for all five.
    let mats = s.wait_page_text("[data-test=theme-materials]", "法定代表人居民身份证").unwrap();
    assert_eq!(mats.matches("法定代表人居民身份证").count(), 1, "{mats}");
    assert!(mats.contains("用于：企业设立登记（营业执照）、印章刻制备案（公章刻制）"), "{mats}");
    s.screenshot("theme-01-materials").unwrap();
    s.click("[data-test=theme-next]").unwrap();
    s.wait("[data-test=theme-confirm]").unwrap();
    s.click("[data-test=theme-submit]").unwrap();
    let theme_no = s.wait("[data-test=filed-theme-no]").and_then(|e| s.text(&e)).unwrap();
    assert!(theme_no.starts_with("440399-W01-"), "{theme_no}");
    // One receipt listing every branch with its own case number.
    let receipt = page_text(&s, "[data-test=receipt-branch]");
    assert_eq!(s.find_all("[data-test=receipt-branch]").unwrap().len(), 5, "{receipt}");
    assert!(receipt.contains("待「企业设立登记（营业执照）」准予后办理"), "{receipt}");
    s.screenshot("theme-02-receipt").unwrap();

    // The departments answer at their own desks: the licence is refused with its reason and basis
    // (so the four others can only be withdrawn), and 涉税 and 社保 ask for materials in pre-review.
    let board = yc(&data, &["--as", "zhangwei", "theme", "show", &theme_no]);
    let branch = |name: &str| -> String {
        board["branches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["item_name"].as_str().unwrap_or("").contains(name))
            .and_then(|b| b["case_no"].as_str())
            .unwrap_or_else(|| panic!("no branch {name}: {board}"))
            .to_owned()
    };
    let (licence, tax, social) = (branch("营业执照"), branch("涉税"), branch("社会保险"));
    yc(&data, &["--as", "zhangwei", "case", "act", &tax, "request_supplement", "--reason", "银行账户信息缺开户许可证号", "--materials", "yhzh"]);
    yc(&data, &["--as", "zhangwei", "case", "act", &social, "request_supplement", "--reason", "身份证复印件不清晰", "--materials", "sfz,yhzh"]);
    yc(&data, &["--as", "zhangwei", "case", "act", &licence, "accept"]);
    yc(&data, &["--as", "lina", "case", "act", &licence, "start_review"]);
    yc(&data, &[
        "--as", "wangqiang", "case", "act", &licence, "deny", "--reason", "企业名称与已登记企业近似",
        "--basis", "《企业名称登记管理规定》第十七条",
    ]);

    // The board: five columns, the refusal with its reason on its column and for everyone.
    s.click("[data-test=nav-themes]").unwrap();
    let row = s.wait(&format!("[data-theme='{theme_no}']")).unwrap();
    s.click_el(&row).unwrap();
    s.wait("[data-test=theme-row].selected").unwrap();
    // Enter opens the selected theme's board (the list listens on the window).
    s.exec("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }))", serde_json::json!([])).unwrap();
    s.wait_text("[data-test=board-theme-no]", &theme_no).unwrap();
    assert_eq!(s.find_all("[data-test=branch-col]").unwrap().len(), 5);
    let refusal = s.wait_page_text("[data-test=branch-refusal]", "企业名称与已登记企业近似").unwrap();
    assert!(refusal.contains("《企业名称登记管理规定》第十七条"), "{refusal}");
    s.wait_page_text("[data-test=board-refusals]", "营业执照").unwrap();
    let cols = page_text(&s, "[data-test=branch-col]");
    assert!(cols.contains("补正中") && cols.contains("不予许可"), "{cols}");
    s.wait_page_text("[data-test=board-overall]", "工作日").unwrap();
    s.screenshot("theme-03-board").unwrap();

    // N: the combined notice — 单位银行账户信息 once, for both items; both opinions.
    s.exec("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'n' }))", serde_json::json!([])).unwrap();
    let notice = s.wait_page_text("[data-test=theme-notice]", "一、需补正的材料").unwrap();
    assert_eq!(notice.matches("单位银行账户信息 ——").count(), 1, "{notice}");
    assert!(notice.contains("身份证复印件不清晰") && notice.contains("银行账户信息缺开户许可证号"), "{notice}");
    // The dialog fades in: its checkboxes displayed before the picture.
    s.wait("[data-test=notice-material] .el-checkbox").unwrap();
    s.wait("[data-test=notice-print]").unwrap();
    s.screenshot("theme-04-notice").unwrap();
    // The applicant brings both materials once: both branches resume.
    for m in ["单位银行账户信息", "法定代表人居民身份证"] {
        s.click(&format!("[data-handin='{m}']")).unwrap();
    }
    s.click("[data-test=notice-handin]").unwrap();
    s.wait_page_text(".el-message", "恢复办理").unwrap();
    s.wait_page_text("[data-test=theme-notice]", "无需补正").unwrap();
    s.exec("document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))", serde_json::json!([]))
        .unwrap();
    s.wait_gone("[data-test=theme-notice]").unwrap();
    let cols = page_text(&s, "[data-test=branch-col]");
    assert!(!cols.contains("补正中"), "{cols}");

    // ←/→ select a column, Enter opens that branch's case.
    s.exec("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))", serde_json::json!([])).unwrap();
    let selected = s.wait("[data-test=branch-col].selected").unwrap();
    let case_no = s.attr(&selected, "data-case").unwrap().unwrap_or_default();
    assert_ne!(case_no, licence, "→ moved off the first column");
    s.exec("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }))", serde_json::json!([])).unwrap();
    s.wait_text("[data-test=case-no]", &case_no).unwrap();
    s.screenshot("theme-05-branch-case").unwrap();
}
