//! The clerk's day in the real window: log in, file a 承诺件, accept → review → decide across three
//! staff accounts, see the state and the journal update, a refusal shown in Chinese, a wrong ID
//! flagged before submit. Screenshots of each main screen go to target/e2e-screenshots/.
//!
//! Needs a display (run under `xvfb-run`), tauri-driver and WebKitWebDriver; see docs/desktop.md.

use std::time::Instant;

use yc_e2e::Session;
use yc_e2e::app::{DEMO_PASSWORD as PASSWORD, Place, choose_account, login};

const ENTER: &str = "\u{E007}";

fn logout(s: &Session) {
    s.click("[data-test=logout]").unwrap();
    s.wait("[data-test=login-submit]").unwrap();
}

/// Finds the case through the work list's search box and opens it with the keyboard.
fn open_case(s: &Session, no: &str) {
    s.click("[data-test=nav-work]").unwrap();
    s.type_into("[data-test=work-search]", no).unwrap();
    let row = s.wait(&format!("[data-case='{no}']")).unwrap();
    s.click_el(&row).unwrap();
    // The row click focused the list; Enter opens the selected case (keyboard path).
    s.send_keys("[data-test=case-list]", ENTER).unwrap();
    s.wait_text("[data-test=case-no]", no).unwrap();
}

fn act(s: &Session, code: &str) {
    s.click(&format!("[data-action={code}]")).unwrap();
    s.click("[data-test=act-confirm]").unwrap();
    s.wait_gone(".el-dialog").unwrap();
}

#[test]
fn clerk_files_a_promised_case_and_it_is_accepted_reviewed_and_approved() {
    let env = Place::fresh("scenario");
    let t0 = Instant::now();
    let (_driver, s) = env.start(&["--demo", "--demo-cases", "120"]);
    s.wait("[data-test=login-submit]").unwrap();
    eprintln!("login screen after {:?} (includes creating the demo store)", t0.elapsed());
    s.screenshot("01-login").unwrap();

    // 工作台
    login(&s, "zhangwei", "张伟");
    s.wait("[data-test=case-row]").unwrap();
    s.wait("[data-test=count-red]").unwrap();
    // The chart's code loads after the list is on screen.
    s.wait("[data-test=light-chart] canvas").unwrap();
    s.screenshot("02-worklist").unwrap();

    // 收件: find the item by pinyin initials (食品经营许可 = spjyxk).
    s.click("[data-test=nav-intake]").unwrap();
    s.type_into("[data-test=item-search]", "spjy").unwrap();
    s.click("[data-item='11440300MB2C95374M000102003000000']").unwrap();

    // A credit code with a wrong check character is flagged before anything is submitted.
    let good = yc_core::ids::make_credit_code("91440300MA5FAB7C1").expect("credit code");
    let last = good.chars().last().unwrap();
    let bad = format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' });
    s.type_into("[data-test=applicant-id]", &bad).unwrap();
    s.type_into("[data-test=applicant-name]", "示范区味美餐饮有限公司").unwrap();
    let err = s.wait_text("[data-test=id-error]", "校验").unwrap();
    assert!(err.contains("统一社会信用代码") || err.contains("校验位"), "{err}");
    let next = s.wait("[data-test=intake-next]").unwrap();
    assert!(s.attr(&next, "disabled").unwrap().is_some(), "Next must stay disabled on a wrong ID");
    s.screenshot("03-intake-wrong-id").unwrap();

    s.type_into("[data-test=applicant-id]", &good).unwrap();
    s.wait_text("[data-test=id-check]", "校验通过").unwrap();
    s.type_into("[data-test=applicant-phone]", "13800138000").unwrap();
    s.click("[data-test=intake-next]").unwrap();
    s.wait("[data-test=materials-check]").unwrap();
    // The item has situations (办理情形); 新办 is preselected and narrows the materials.
    s.wait_page_text("[data-test=situation]", "新办").unwrap();

    // Attachments: a scanned PDF through the real file input, and a phone photo (drawn on a
    // canvas in the page, so it is a genuine PNG with a thumbnail) for the first material.
    let scan = env.data.parent().unwrap().join("营业执照扫描件.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n% e2e scan of a business licence\n%%EOF\n").unwrap();
    s.send_file("[data-attach=other]", &scan).unwrap();
    s.wait_text("[data-test=att-chip]", "营业执照扫描件.pdf").unwrap();
    let photo = s
        .exec(
            "const input = document.querySelector('input[data-attach]:not([data-attach=other])');
             const c = document.createElement('canvas'); c.width = 320; c.height = 200;
             const g = c.getContext('2d'); g.fillStyle = '#e8eef7'; g.fillRect(0, 0, 320, 200);
             g.fillStyle = '#be1622'; g.fillRect(16, 16, 90, 110); g.fillStyle = '#1f2329';
             g.font = '20px sans-serif'; g.fillText('居民身份证', 130, 60); g.fillText('张三', 130, 100);
             const url = c.toDataURL('image/png'); const bin = atob(url.split(',')[1]);
             const bytes = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
             const dt = new DataTransfer(); dt.items.add(new File([bytes], '身份证正面.png', { type: 'image/png' }));
             input.files = dt.files; input.dispatchEvent(new Event('change'));
             return input.dataset.attach;",
            serde_json::json!([]),
        )
        .unwrap();
    assert!(photo.as_str().is_some_and(|m| !m.is_empty()), "{photo}");
    s.wait_text("[data-test=materials-check]", "身份证正面.png").unwrap();
    s.screenshot("04-intake-materials").unwrap();
    s.click("[data-test=intake-next]").unwrap();
    s.wait_text("[data-test=confirm-attachments]", "2").unwrap();
    s.click("[data-test=intake-submit]").unwrap();
    let el = s.wait("[data-test=filed-case-no]").unwrap();
    let case_no = s.text(&el).unwrap();
    assert!(case_no.starts_with("440399-W01-"), "{case_no}");
    s.screenshot("05-intake-done").unwrap();

    // It is in the work list, and the clerk accepts it.
    open_case(&s, &case_no);
    s.wait_text("[data-test=case-state]", "已申请").unwrap();
    s.wait_page_text("[data-test=case-situation]", "新办").unwrap();

    // 一次性告知补正, then the applicant comes back: the clerk records the corrected material
    // with its scan (WebDriver file upload in the action dialog).
    s.click("[data-action=request_supplement]").unwrap();
    s.type_into("[data-test=act-reason]", "从业人员健康证明已过期").unwrap();
    s.click("[data-test=act-confirm]").unwrap();
    s.wait_gone(".el-dialog").unwrap();
    s.wait_text("[data-test=case-state]", "补正中").unwrap();
    s.click("[data-action=supplement]").unwrap();
    let corrected = env.data.parent().unwrap().join("健康证明（更新）.pdf");
    std::fs::write(&corrected, b"%PDF-1.4\n% renewed health certificate\n%%EOF\n").unwrap();
    s.send_file("[data-test=supplement-attach]", &corrected).unwrap();
    s.wait_page_text("[data-test=act-dialog]", "健康证明（更新）.pdf").unwrap();
    s.click("[data-test=act-confirm]").unwrap();
    s.wait_gone(".el-dialog").unwrap();
    s.wait_text("[data-test=case-state]", "已申请").unwrap();
    act(&s, "accept");
    s.wait_text("[data-test=case-state]", "已受理").unwrap();
    s.wait_text("[data-test=journal]", "受理").unwrap();
    // The files came back from the content-addressed store with the case (the card is below the
    // fold: scrolled into view for the screenshot; its text read in the page).
    s.exec("document.querySelector('[data-test=attachments]').scrollIntoView()", serde_json::json!([])).unwrap();
    s.wait("[data-test=att-card]").unwrap();
    let cards =
        s.exec("return document.querySelector('[data-test=attachments]').textContent", serde_json::json!([])).unwrap();
    let cards = cards.as_str().unwrap_or_default();
    for name in ["营业执照扫描件.pdf", "身份证正面.png", "健康证明（更新）.pdf"] {
        assert!(cards.contains(name), "{name} missing: {cards}");
    }
    s.wait("[data-test=attachments] .att-thumb img").unwrap();
    s.screenshot("06-case-accepted").unwrap();
    logout(&s);

    // The reviewer starts the review.
    login(&s, "lina", "李娜");
    open_case(&s, &case_no);
    act(&s, "start_review");
    s.wait_text("[data-test=case-state]", "审查中").unwrap();
    logout(&s);

    // The decider: a refusal without legal basis is refused by the core, in Chinese.
    login(&s, "wangqiang", "王强");
    open_case(&s, &case_no);
    s.click("[data-action=deny]").unwrap();
    s.type_into("[data-test=act-reason]", "经营场所不符合要求").unwrap();
    s.click("[data-test=act-confirm]").unwrap();
    let refusal = s.wait_text("[data-test=act-error]", "必须填写").unwrap();
    assert!(refusal.contains("不予许可"), "{refusal}");
    s.screenshot("07-refusal").unwrap();
    s.exec(
        "document.querySelector('[data-test=act-dialog] .el-dialog__headerbtn, .el-dialog__headerbtn').click()",
        serde_json::json!([]),
    )
    .unwrap();
    act(&s, "approve");
    s.wait_text("[data-test=case-state]", "准予许可").unwrap();
    s.wait_gone(".el-dialog").unwrap();
    let journal = s.wait_text("[data-test=journal]", "准予许可").unwrap();
    for step in ["申请收件", "受理", "审查", "准予许可"] {
        assert!(journal.contains(step), "journal lacks {step}: {journal}");
    }
    s.screenshot("08-case-approved").unwrap();

    // 事项 and 设置
    s.click("[data-test=nav-catalog]").unwrap();
    s.type_into("[data-test=catalog-search]", "spjy").unwrap();
    s.click("[data-item='11440300MB2C95374M000102003000000']").unwrap();
    s.wait_text("[data-test=doc-text]", "食品经营许可").unwrap();
    s.screenshot("09-catalog").unwrap();
    s.click("[data-test=nav-settings]").unwrap();
    s.wait_text(".settings", "440399").unwrap();
    s.wait_page_text("[data-test=settings-adapters]", "county-exchange").unwrap();
    s.screenshot("10-settings").unwrap();

    // 同步: the demo's file-drop exchange delivers everything; the city platform is not running
    // here, and the panel says so in words while the backlog waits.
    s.click("[data-test=nav-sync]").unwrap();
    s.click("[data-test=sync-now]").unwrap();
    s.wait_page_text("[data-adapter=county-exchange] [data-test=adapter-state]", "正常").unwrap();
    s.wait_page_text("[data-adapter=city-platform] [data-test=adapter-state]", "连接异常").unwrap();
    let err = s.wait_page_text("[data-adapter=city-platform] [data-test=adapter-error]", "上次错误").unwrap();
    assert!(err.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count() > 6, "error in words: {err}");
    let packets = std::fs::read_dir(env.data.join("exchange/out")).map(|d| d.count()).unwrap_or(0);
    assert!(packets >= 1, "the exchange directory holds the packets");
    s.wait("[data-test=backlog-chart] canvas").unwrap();
    s.screenshot("12-sync").unwrap();

    // Screen lock: commands refuse until the same person unlocks.
    s.click("[data-test=lock]").unwrap();
    s.wait("[data-test=lock-screen]").unwrap();
    s.type_into("[data-test=unlock-password]", "wrong").unwrap();
    s.click("[data-test=unlock-submit]").unwrap();
    s.wait_text("[data-test=unlock-error]", "密码错误").unwrap();
    s.screenshot("11-locked").unwrap();
    s.type_into("[data-test=unlock-password]", PASSWORD).unwrap();
    s.click("[data-test=unlock-submit]").unwrap();
    s.wait_text("[data-test=current-user]", "王强").unwrap();
    s.close().unwrap();
}

#[test]
fn half_filled_intake_survives_a_restart() {
    let env = Place::fresh("draft");
    {
        let (_d, s) = env.start(&["--demo", "--demo-cases", "20"]);
        login(&s, "zhangwei", "张伟");
        s.click("[data-test=nav-intake]").unwrap();
        s.type_into("[data-test=item-search]", "jzz").unwrap();
        s.click("[data-item='1144030000749607XE000107001000000']").unwrap();
        s.type_into("[data-test=applicant-name]", "陈晓明").unwrap();
        // The draft is written on every change, before the window closes.
        let saved = s.exec("return localStorage.getItem('yc.intake.draft.zhangwei')", serde_json::json!([])).unwrap();
        assert!(saved.as_str().is_some_and(|d| d.contains("陈晓明")), "{saved}");
        s.close().unwrap();
    }
    let (_d, s) = env.start(&[]);
    login(&s, "zhangwei", "张伟");
    s.click("[data-test=nav-intake]").unwrap();
    s.wait("[data-test=draft-restored]").unwrap();
    let v = s.exec("return document.querySelector('[data-test=applicant-name]').value", serde_json::json!([])).unwrap();
    assert_eq!(v.as_str(), Some("陈晓明"));
    s.close().unwrap();
}

#[test]
fn wrong_passwords_lock_the_account_and_the_login_screen_says_why() {
    let env = Place::fresh("lockout");
    let (_d, s) = env.start(&["--demo", "--demo-cases", "10"]);
    choose_account(&s, "liuyang", "刘洋");
    for left in (1..=4).rev() {
        s.type_into("[data-test=login-password]", "not-the-password").unwrap();
        s.click("[data-test=login-submit]").unwrap();
        s.wait_text("[data-test=login-error]", &format!("再错 {left} 次")).unwrap();
    }
    s.type_into("[data-test=login-password]", "still-wrong").unwrap();
    s.click("[data-test=login-submit]").unwrap();
    s.wait_text("[data-test=login-error]", "已锁定").unwrap();
    // Locked means locked: the right password is refused too, and the screen says who can help.
    s.type_into("[data-test=login-password]", PASSWORD).unwrap();
    s.click("[data-test=login-submit]").unwrap();
    let text = s.wait_text("[data-test=login-error]", "请管理员解锁").unwrap();
    assert!(text.contains("已锁定"), "{text}");
    assert!(s.find_all("[data-test=current-user]").unwrap().is_empty(), "not logged in");
    s.screenshot("login-locked").unwrap();
    s.close().unwrap();
}
