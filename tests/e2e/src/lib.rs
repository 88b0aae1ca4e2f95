//! A minimal W3C WebDriver client over plain HTTP (tauri-driver on 127.0.0.1), and the harness
//! that starts tauri-driver and the app. No browser is downloaded: WebKitWebDriver drives the
//! app's own WebKitGTK webview.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

pub mod app;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
pub const TIMEOUT: Duration = Duration::from_secs(30);
const POLL_STEP: Duration = Duration::from_millis(50);

/// Calls `f` every `step` until it yields a value (`Ok(Some)`) or [`TIMEOUT`] passes (`Ok(None)`);
/// an error from `f` ends the wait at once.
pub fn poll<T>(step: Duration, mut f: impl FnMut() -> Result<Option<T>>) -> Result<Option<T>> {
    let until = Instant::now() + TIMEOUT;
    loop {
        if let Some(v) = f()? {
            return Ok(Some(v));
        }
        if Instant::now() > until {
            return Ok(None);
        }
        std::thread::sleep(step);
    }
}

pub type Result<T> = std::result::Result<T, String>;

/// Workspace root (tests/e2e/../..).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// The app binary: `YC_DESKTOP_BIN`, else the desktop target dir's debug build.
pub fn app_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("YC_DESKTOP_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    target.join("debug/yc-desktop")
}

pub fn screenshot_dir() -> PathBuf {
    let d = root().join("target/e2e-screenshots");
    std::fs::create_dir_all(&d).expect("screenshot dir");
    d
}

/// tauri-driver running on a free port; killed on drop.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    pub fn start(env: &[(&str, &Path)]) -> Result<Self> {
        let port = free_port()?;
        let bin = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let native_port = free_port()?;
        let mut cmd = Command::new(&bin);
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            // Own process group: dropping the driver also ends WebKitWebDriver and the app.
            .process_group(0);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child =
            cmd.spawn().map_err(|e| format!("cannot start {bin} (cargo install tauri-driver --locked): {e}"))?;
        let d = Driver { child, port };
        let until = Instant::now() + TIMEOUT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > until {
                return Err("tauri-driver did not listen".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(d)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

pub struct Session {
    base: String,
    pub id: String,
}

fn send(method: &str, url: &str, body: Option<Value>) -> Result<Value> {
    let req = ureq::request(method, url).timeout(Duration::from_secs(120));
    let resp = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let resp = match resp {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            let v: Value = r.into_json().unwrap_or(Value::Null);
            return Err(format!("{method} {url} → {code}: {} {}", v["value"]["error"], v["value"]["message"]));
        }
        Err(e) => return Err(format!("{method} {url}: {e}")),
    };
    let v: Value = resp.into_json().map_err(|e| e.to_string())?;
    Ok(v["value"].clone())
}

#[derive(Clone, Debug)]
pub struct El(pub String);

impl Session {
    /// Launches the app with `args` (a new process per session).
    pub fn new(driver: &Driver, app: &Path, args: &[String]) -> Result<Self> {
        let base = format!("http://127.0.0.1:{}", driver.port);
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "wry",
                "tauri:options": { "application": app, "args": args }
            }}
        });
        // tauri-driver accepts connections before its WebKitWebDriver child listens; the first
        // request can then see the connection dropped. Retry that race (only network errors).
        let until = Instant::now() + TIMEOUT;
        let v = loop {
            match send("POST", &format!("{base}/session"), Some(caps.clone())) {
                Err(e) if e.contains("Network Error") && Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(250));
                }
                other => break other?,
            }
        };
        let id = v["sessionId"].as_str().ok_or("no session id")?.to_owned();
        Ok(Self { base, id })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.id, path)
    }

    pub fn set_window(&self, w: u32, h: u32) -> Result<()> {
        send("POST", &self.url("/window/rect"), Some(json!({ "width": w, "height": h }))).map(|_| ())
    }

    /// The W3C handles of the session's windows (the main window, the hall display …).
    pub fn window_handles(&self) -> Result<Vec<String>> {
        let v = send("GET", &self.url("/window/handles"), None)?;
        Ok(v.as_array().map(|a| a.iter().filter_map(|h| h.as_str().map(str::to_owned)).collect()).unwrap_or_default())
    }

    pub fn window_handle(&self) -> Result<String> {
        Ok(send("GET", &self.url("/window"), None)?.as_str().unwrap_or_default().to_owned())
    }

    /// Makes `handle` the window the next commands go to.
    pub fn switch_to_window(&self, handle: &str) -> Result<()> {
        send("POST", &self.url("/window"), Some(json!({ "handle": handle }))).map(|_| ())
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<El>> {
        let v = send("POST", &self.url("/elements"), Some(json!({ "using": "css selector", "value": css })))?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| El(s.to_owned()))).collect())
            .unwrap_or_default())
    }

    /// Ends a failed wait: a screenshot of the moment, then the error.
    fn timed_out<T>(&self, shot: &str, css: &str, message: String) -> Result<T> {
        let _ = self.screenshot(&format!("FAILED-{shot}-{}", sanitize(css)));
        Err(message)
    }

    /// Polls until `css` matches a displayed element (the UI renders asynchronously).
    pub fn wait(&self, css: &str) -> Result<El> {
        let found =
            poll(POLL_STEP, || Ok(self.find_all(css)?.into_iter().find(|e| self.displayed(e).unwrap_or(false))))?;
        found.map_or_else(|| self.timed_out("wait", css, format!("timed out waiting for {css}")), Ok)
    }

    /// Polls until the text of `css` contains `needle`; returns the text.
    pub fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        let found = poll(POLL_STEP, || {
            Ok(self.find_all(css)?.iter().map(|e| self.text(e).unwrap_or_default()).find(|t| t.contains(needle)))
        })?;
        found.map_or_else(
            || self.timed_out("text", css, format!("timed out waiting for {css} to contain 「{needle}」")),
            Ok,
        )
    }

    /// Polls until the page's own text (`textContent`) of `css` contains `needle`. WebDriver's
    /// element text comes back empty for some rendered cells (Element Plus tables), this never.
    pub fn wait_page_text(&self, css: &str, needle: &str) -> Result<String> {
        let script = "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent).join('\\n')";
        let mut last = String::new();
        let found = poll(POLL_STEP, || {
            last = self.exec(script, json!([css]))?.as_str().unwrap_or_default().to_owned();
            Ok(last.contains(needle).then(|| last.clone()))
        })?;
        found.map_or_else(
            || {
                self.timed_out(
                    "text",
                    css,
                    format!("timed out waiting for {css} to contain 「{needle}」 (has 「{last}」)"),
                )
            },
            Ok,
        )
    }

    /// Polls until nothing matching `css` is displayed (a dialog finished closing).
    pub fn wait_gone(&self, css: &str) -> Result<()> {
        let gone = poll(POLL_STEP, || {
            Ok((!self.find_all(css)?.iter().any(|e| self.displayed(e).unwrap_or(false))).then_some(()))
        })?;
        gone.ok_or_else(|| format!("{css} still shown"))
    }

    pub fn displayed(&self, e: &El) -> Result<bool> {
        Ok(send("GET", &self.url(&format!("/element/{}/displayed", e.0)), None)?.as_bool().unwrap_or(false))
    }

    /// Clicks the first displayed match, retrying while it is still animating into place or
    /// covered by a closing overlay (WebDriver answers "element click intercepted" / "not
    /// interactable" then); gives up after the timeout.
    pub fn click(&self, css: &str) -> Result<()> {
        let until = Instant::now() + TIMEOUT;
        loop {
            let e = self.wait(css)?;
            match self.click_el(&e) {
                Ok(()) => return Ok(()),
                Err(err) if Instant::now() < until => {
                    if !(err.contains("intercepted") || err.contains("not interactable") || err.contains("stale")) {
                        return Err(err);
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(err) => return Err(err),
            }
        }
    }

    pub fn click_el(&self, e: &El) -> Result<()> {
        send("POST", &self.url(&format!("/element/{}/click", e.0)), Some(json!({}))).map(|_| ())
    }

    /// Replaces an input's text the way a person does: select all, delete, type. (WebDriver's
    /// "clear" bypasses the input events Vue's v-model listens to, so the old value would return.)
    pub fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let e = self.wait(css)?;
        let el = json!({ "element-6066-11e4-a52e-4f735466cecf": e.0 });
        self.exec(
            "const el = arguments[0]; el.focus(); el.select && el.select(); \
             el.value = ''; el.dispatchEvent(new Event('input', { bubbles: true }));",
            json!([el]),
        )?;
        if text.is_empty() {
            return Ok(());
        }
        send("POST", &self.url(&format!("/element/{}/value", e.0)), Some(json!({ "text": text }))).map(|_| ())
    }

    /// Keys to an element without clearing it first (e.g. Enter to a focused list).
    pub fn send_keys(&self, css: &str, keys: &str) -> Result<()> {
        let e = self.wait(css)?;
        send("POST", &self.url(&format!("/element/{}/value", e.0)), Some(json!({ "text": keys }))).map(|_| ())
    }

    /// Picks a file in an `<input type=file>` (hidden behind a styled label, so not "displayed"):
    /// WebDriver's file upload through Element Send Keys with the file's path.
    pub fn send_file(&self, css: &str, path: &std::path::Path) -> Result<()> {
        let e = self.find_all(css)?.into_iter().next().ok_or_else(|| format!("no {css}"))?;
        send("POST", &self.url(&format!("/element/{}/value", e.0)), Some(json!({ "text": path.display().to_string() })))
            .map(|_| ())
    }

    pub fn text(&self, e: &El) -> Result<String> {
        Ok(send("GET", &self.url(&format!("/element/{}/text", e.0)), None)?.as_str().unwrap_or("").to_owned())
    }

    pub fn attr(&self, e: &El, name: &str) -> Result<Option<String>> {
        Ok(send("GET", &self.url(&format!("/element/{}/attribute/{name}", e.0)), None)?.as_str().map(str::to_owned))
    }

    pub fn exec(&self, script: &str, args: Value) -> Result<Value> {
        send("POST", &self.url("/execute/sync"), Some(json!({ "script": script, "args": args })))
    }

    /// Runs an async script: it gets a `done(value)` callback as its last argument.
    pub fn exec_async(&self, script: &str, args: Value) -> Result<Value> {
        send("POST", &self.url("/execute/async"), Some(json!({ "script": script, "args": args })))
    }

    /// Saves target/e2e-screenshots/NAME.png and returns its path.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // Two animation frames: the DOM the test just checked is painted before the capture.
        send(
            "POST",
            &self.url("/execute/async"),
            Some(
                json!({ "script": "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));", "args": [] }),
            ),
        )?;
        let v = send("GET", &self.url("/screenshot"), None)?;
        let png =
            base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or("")).map_err(|e| e.to_string())?;
        let path = screenshot_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        Ok(path)
    }

    pub fn close(self) -> Result<()> {
        send("DELETE", &format!("{}/session/{}", self.base, self.id), None).map(|_| ())
    }
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// Resident set size of a process, in KiB (from /proc).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// Pids whose command line contains every needle.
pub fn pids_with(needles: &[&str]) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else { return out };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if needles.iter().all(|n| cmd.contains(n)) {
            out.push(pid);
        }
    }
    out
}
