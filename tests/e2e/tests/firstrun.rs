//! The installed app's first start: an empty data directory opens the first-run wizard; the
//! administrator makes the workstation in training mode, logs in, sees the training strip and the
//! enrollment state in 设置, enrolls there through the city simulator (`yc-sim city`, real HTTP on
//! loopback), then imports a signed update bundle made by `yc-sim bundle`: what it changes is
//! shown first, it applies once, and the same file again is refused with the reason on screen.
//! Screenshots: target/e2e-screenshots/firstrun-*.png.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use yc_e2e::{Driver, Session, app_binary, root};

const PASSWORD: &str = "first-admin-1";

/// The simulator binary: `YC_SIM_BIN`, else the workspace's debug build (`cargo build -p yc-sim`).
fn sim_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("YC_SIM_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    target.join("debug/yc-sim")
}

/// `yc-sim city` with its enrollment desk, killed on drop.
struct City {
    child: Child,
    url: String,
}

impl Drop for City {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_city(contents: &Path, key: &Path) -> City {
    let port = free_port();
    let child = Command::new(sim_binary())
        .arg("city")
        .args(["--port", &port.to_string()])
        .arg("--enroll-contents")
        .arg(contents)
        .arg("--issuer-key")
        .arg(key)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {} (cargo build -p yc-sim): {e}", sim_binary().display()));
    let until = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < until, "yc-sim city did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    City { child, url: format!("http://127.0.0.1:{port}") }
}

/// The issuer key's fingerprint, as the city publishes it: `yc-sim` prints it when it signs.
fn bundle(contents: &Path, key: &Path, to: &str, workstation_key: &str, serial: u64, out: &Path) -> String {
    let o = Command::new(sim_binary())
        .arg("bundle")
        .arg("--contents")
        .arg(contents)
        .arg("--issuer-key")
        .arg(key)
        .args(["--to", to, "--workstation-key", workstation_key, "--serial", &serial.to_string()])
        .arg("--out")
        .arg(out)
        .output()
        .expect("yc-sim bundle runs");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "yc-sim bundle: {err}");
    err.rsplit(' ').next().unwrap_or_default().trim().to_owned()
}

fn choose_admin(s: &Session) {
    for attempt in 0.. {
        s.click("[data-test=login-account]").unwrap();
        s.click("li[data-test=staff-admin]").unwrap();
        let chosen = s.wait("[data-test=login-account]").and_then(|e| s.text(&e)).unwrap_or_default();
        if chosen.contains("系统管理员") {
            break;
        }
        assert!(attempt < 3, "cannot choose admin in the login list (shows 「{chosen}」)");
    }
}

#[test]
fn an_empty_data_dir_opens_the_wizard_then_training_login_settings_and_an_update_bundle_applied_once() {
    let tmp = root().join("target/e2e-tmp/firstrun");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let data = tmp.join("store");
    // The city's side: what an enrollment reply brings, and what the update bundle brings.
    let issuer_key = tmp.join("city-issuer.key");
    let enroll_contents = tmp.join("enroll-contents");
    std::fs::create_dir_all(&enroll_contents).unwrap();
    std::fs::write(enroll_contents.join("catalog.json"), yc_core::catalog::DEMO_CATALOG_JSON).unwrap();
    let update_contents = tmp.join("update-contents");
    std::fs::create_dir_all(&update_contents).unwrap();
    std::fs::write(
        update_contents.join("staff.json"),
        r#"[{"id":"zhaomin","name":"赵敏","roles":["clerk"],"departments":["*"]}]"#,
    )
    .unwrap();
    let city = start_city(&enroll_contents, &issuer_key);

    let vars: Vec<(&str, PathBuf)> = vec![
        ("XDG_CONFIG_HOME", tmp.join("config")),
        ("XDG_DATA_HOME", tmp.join("data-home")),
        ("XDG_CACHE_HOME", tmp.join("cache")),
        ("YC_NO_TRAY", tmp.clone()),
    ];
    let vars: Vec<(&str, &Path)> = vars.iter().map(|(k, v)| (*k, v.as_path())).collect();
    let driver = Driver::start(&vars).expect("tauri-driver");
    let t0 = Instant::now();
    let s =
        Session::new(&driver, &app_binary(), &["--data".to_owned(), data.display().to_string()]).expect("app session");
    let _ = s.set_window(1366, 768);

    // No store: the wizard, not a failure.
    s.wait("[data-test=fr-step-workstation]").unwrap();
    eprintln!("first-run wizard after {:?}", t0.elapsed());
    assert!(s.find_all("[data-test=login-submit]").unwrap().is_empty());
    s.type_into("[data-test=fr-region]", "440305").unwrap();
    s.type_into("[data-test=fr-code]", "W21").unwrap();
    s.type_into("[data-test=fr-name]", "某镇便民服务中心").unwrap();
    s.type_into("[data-test=fr-city]", &city.url).unwrap();
    s.screenshot("firstrun-01-workstation").unwrap();
    // Keyboard: Enter in the last field goes on.
    s.send_keys("[data-test=fr-city]", "\u{E007}").unwrap();

    // A weak password is refused by the core's rule, in words.
    s.wait("[data-test=fr-step-admin]").unwrap();
    s.type_into("[data-test=fr-password]", "12345678").unwrap();
    s.type_into("[data-test=fr-password2]", "12345678").unwrap();
    s.click("[data-test=fr-next]").unwrap();
    s.wait_text("[data-test=fr-error]", "两类").unwrap();
    s.screenshot("firstrun-02-weak-password").unwrap();
    s.type_into("[data-test=fr-password]", PASSWORD).unwrap();
    s.type_into("[data-test=fr-password2]", PASSWORD).unwrap();
    s.click("[data-test=fr-next]").unwrap();

    // Training mode for now.
    s.wait("[data-test=fr-step-enroll]").unwrap();
    s.click("[data-test=fr-how-later]").unwrap();
    s.wait("[data-test=fr-later-hint]").unwrap();
    s.screenshot("firstrun-03-enroll-choice").unwrap();
    s.click("[data-test=fr-create]").unwrap();
    let outcome = s.wait_text("[data-test=fr-outcome]", "培训模式").unwrap();
    eprintln!("wizard outcome: {outcome}");
    let recovery = s.wait("[data-test=fr-recovery]").and_then(|e| s.text(&e)).unwrap();
    assert!(recovery.trim().len() >= 20, "recovery key shown: {recovery}");
    s.screenshot("firstrun-04-done").unwrap();
    s.click("[data-test=fr-to-login]").unwrap();

    // Then the normal login screen.
    s.wait("[data-test=login-submit]").unwrap();
    s.screenshot("firstrun-05-login").unwrap();
    choose_admin(&s);
    s.type_into("[data-test=login-password]", PASSWORD).unwrap();
    s.click("[data-test=login-submit]").unwrap();
    s.wait("[data-test=current-user]").unwrap();
    s.wait_text("[data-test=training-banner]", "样本").unwrap();
    s.screenshot("firstrun-06-training-strip").unwrap();

    // 设置: the enrollment state; the kept request is sent to the city from here.
    s.click("[data-test=nav-settings]").unwrap();
    s.wait_text("[data-test=enroll-state]", "培训模式").unwrap();
    s.wait("[data-test=enroll-training]").unwrap();
    let city_field = s.wait("[data-test=enroll-city]").unwrap();
    let prefilled = s
        .exec("return arguments[0].value", serde_json::json!([{ "element-6066-11e4-a52e-4f735466cecf": city_field.0 }]))
        .unwrap();
    assert_eq!(prefilled.as_str(), Some(city.url.as_str()), "the wizard's city address is kept");
    s.screenshot("firstrun-07-settings-training").unwrap();

    // The issuer's fingerprint as the city publishes it (yc-sim prints it when it signs); a
    // throw-away bundle to another workstation gives it without touching this one.
    let fp = bundle(&update_contents, &issuer_key, "440305-ZZ", &"00".repeat(32), 1, &tmp.join("probe.json"));
    assert_eq!(fp.len(), 64, "fingerprint: {fp}");
    s.type_into("[data-test=enroll-fingerprint]", &fp).unwrap();
    s.click("[data-test=enroll-send]").unwrap();
    s.wait_text("[data-test=enroll-state]", "已向市级平台注册").unwrap();
    s.wait_gone("[data-test=training-banner]").unwrap();
    s.screenshot("firstrun-08-enrolled").unwrap();

    // An update bundle made by `yc-sim bundle` for this workstation's key.
    s.wait("[data-test=enroll-key]").unwrap();
    let keys = s
        .exec(
            "return [...document.querySelectorAll('[data-test=enroll-key]')].map(e => e.textContent.trim())",
            serde_json::json!([]),
        )
        .unwrap();
    // One element only: a row appearing above it once carried its attribute (a stale patch).
    assert_eq!(keys.as_array().map(Vec::len), Some(1), "workstation key shown once: {keys}");
    let key = keys[0].as_str().unwrap_or_default().to_owned();
    assert_eq!(key.len(), 64, "workstation key: {key}");
    let file = tmp.join("update-2.json");
    bundle(&update_contents, &issuer_key, "440305-W21", &key, 2, &file);
    s.send_file("[data-test=update-file]", &file).unwrap();
    s.wait_text("[data-test=update-changes]", "zhaomin").unwrap();
    s.screenshot("firstrun-09-bundle-preview").unwrap();
    s.click("[data-test=update-apply]").unwrap();
    s.wait_text("[data-test=enroll-applied]", "编号 2").unwrap();
    s.wait_text("[data-test=enroll-applied]", "zhaomin").unwrap();
    s.screenshot("firstrun-10-bundle-applied").unwrap();

    // The same file again: refused, with the reason on screen, and no apply button.
    s.send_file("[data-test=update-file]", &file).unwrap();
    let why = s.wait_text("[data-test=update-refusal]", "重复导入").unwrap();
    eprintln!("replayed bundle: {why}");
    assert!(s.find_all("[data-test=update-apply]").unwrap().is_empty());
    s.screenshot("firstrun-11-bundle-replayed").unwrap();
    s.close().unwrap();
}
