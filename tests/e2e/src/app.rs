//! What every end-to-end test does with the app: a throw-away place to run it in, starting it,
//! logging in, reading the page, and `yc` on the app's store as a colleague at another desk.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::{Driver, Session, app_binary, root};

/// The demo workstation's staff password (`yc demo`).
pub const DEMO_PASSWORD: &str = "yc123456";

/// `target/e2e-tmp/<name>`, emptied: the store (`store/`), window state and the webview's storage
/// all live there, so every run starts clean.
pub struct Place {
    pub tmp: PathBuf,
    pub data: PathBuf,
    env: Vec<(&'static str, PathBuf)>,
}

impl Place {
    pub fn fresh(name: &str) -> Self {
        let tmp = root().join("target/e2e-tmp").join(name);
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).expect("tmp dir");
        let env = vec![
            ("XDG_CONFIG_HOME", tmp.join("config")),
            ("XDG_DATA_HOME", tmp.join("data-home")),
            ("XDG_CACHE_HOME", tmp.join("cache")),
            ("YC_NO_TRAY", tmp.clone()),
        ];
        Self { data: tmp.join("store"), tmp, env }
    }

    /// Sets one of the app's switches (`YC_NO_SYNC`, `YC_HALL_WINDOWED`) for its start.
    #[must_use]
    pub fn with(mut self, switch: &'static str) -> Self {
        self.env.push((switch, self.tmp.clone()));
        self
    }

    /// tauri-driver and the app on this place's store (`--data` + `args`), window 1366×768.
    pub fn start(&self, args: &[&str]) -> (Driver, Session) {
        let vars: Vec<(&str, &Path)> = self.env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        let driver = Driver::start(&vars).expect("tauri-driver");
        let mut all = vec!["--data".to_owned(), self.data.display().to_string()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let s = Session::new(&driver, &app_binary(), &all).expect("app session");
        let _ = s.set_window(1366, 768);
        (driver, s)
    }
}

/// Picks an account on the login screen. The dropdown animates open; if a click lands before it
/// settles, it is opened again.
pub fn choose_account(s: &Session, id: &str, name: &str) {
    for attempt in 0.. {
        s.click("[data-test=login-account]").unwrap();
        s.click(&format!("li[data-test=staff-{id}]")).unwrap();
        let chosen = s.wait("[data-test=login-account]").and_then(|e| s.text(&e)).unwrap_or_default();
        if chosen.contains(name) {
            break;
        }
        assert!(attempt < 3, "cannot choose {id} in the login list (shows 「{chosen}」)");
    }
}

/// Logs in as a demo staff member and waits for the signed-in screen.
pub fn login(s: &Session, id: &str, name: &str) {
    choose_account(s, id, name);
    s.type_into("[data-test=login-password]", DEMO_PASSWORD).unwrap();
    s.click("[data-test=login-submit]").unwrap();
    s.wait("[data-test=current-user]").unwrap();
}

/// The text of every element matching `css`, one per line (empty when none).
pub fn page_text(s: &Session, css: &str) -> String {
    s.exec("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent).join('\\n')", json!([css]))
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// `yc --json` on the app's store with the demo password, as staff at another desk would act:
/// its JSON output, or what it said on stderr when it refused.
pub fn yc_try(data: &Path, args: &[&str]) -> Result<Value, String> {
    let bin = app_binary().with_file_name("yc");
    let o = std::process::Command::new(&bin)
        .arg("--data")
        .arg(data)
        .arg("--json")
        .args(args)
        .env("YC_PASSWORD", DEMO_PASSWORD)
        .env_remove("YC_USER")
        .env_remove("YC_TODAY")
        .output()
        .unwrap_or_else(|e| panic!("{} (cargo build -p yc): {e}", bin.display()));
    if o.status.success() {
        Ok(serde_json::from_slice(&o.stdout).unwrap_or(Value::Null))
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

/// [`yc_try`] that must succeed.
pub fn yc(data: &Path, args: &[&str]) -> Value {
    yc_try(data, args).unwrap_or_else(|e| panic!("yc {args:?}: {e}"))
}
