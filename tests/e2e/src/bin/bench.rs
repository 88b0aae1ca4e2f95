//! `make bench` (desktop part): cold start of the real app on a 100k-case store to an interactive
//! work list, search latency in the window, and the RSS of the app and its web process.
//! Usage: bench [CASES] (default 100000). Needs a display (xvfb-run), tauri-driver, WebKitWebDriver.

use std::path::Path;
use std::time::{Duration, Instant};

use yc_core::{Clock, NewCase, Workstation};
use yc_e2e::{Driver, Session, app_binary, pids_with, root, rss_kib};

fn build_store(dir: &Path, cases: usize) -> Result<(), String> {
    if dir.join(yc_core::store::DB_FILE).exists() {
        let ws = Workstation::open(dir, Clock::System).map_err(|e| e.to_string())?;
        let have = ws.status().map_err(|e| e.to_string())?.cases;
        if usize::try_from(have).unwrap_or(0) >= cases {
            return Ok(());
        }
        drop(ws);
        std::fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let t = Instant::now();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("date")?;
    let demo = 1000.min(cases);
    let ws = yc_core::demo::create(dir, &yc_core::demo::DemoOptions { cases: demo, today, seed: 7, seal: false })
        .map_err(|e| e.to_string())?;
    let ws = ws.with_clock(Clock::at_date(today));
    let clerk = ws.actor("zhangwei").map_err(|e| e.to_string())?;
    let items: Vec<String> =
        ws.catalog_items(None).map_err(|e| e.to_string())?.into_iter().filter(|i| !i.secret).map(|i| i.code).collect();
    let birth = chrono::NaiveDate::from_ymd_opt(1980, 1, 1).ok_or("date")?;
    let mut n = ws.status().map_err(|e| e.to_string())?.cases as usize;
    while n < cases {
        let batch: Vec<NewCase> = (n..cases.min(n + 5000))
            .map(|i| NewCase {
                item_code: items[i % items.len()].clone(),
                applicant_id: yc_core::ids::make_resident_id(
                    "440305",
                    birth + chrono::Days::new((i % 9000) as u64),
                    (i % 997) as u16,
                ),
                applicant_name: format!("批量申请人{i}"),
                ..Default::default()
            })
            .collect();
        n += ws.new_cases(&clerk, &batch).map_err(|e| e.to_string())?.len();
    }
    eprintln!("built a {n}-case store in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

fn main() {
    let cases: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let dir = root().join(format!("target/bench-store-{cases}"));
    if let Err(e) = build_store(&dir, cases) {
        eprintln!("bench: cannot build the store: {e}");
        std::process::exit(1);
    }
    let tmp = root().join("target/e2e-tmp/bench");
    let _ = std::fs::remove_dir_all(&tmp);
    let (cfg, data, cache) = (tmp.join("config"), tmp.join("data-home"), tmp.join("cache"));
    let vars: [(&str, &Path); 4] =
        [("XDG_CONFIG_HOME", &cfg), ("XDG_DATA_HOME", &data), ("XDG_CACHE_HOME", &cache), ("YC_NO_TRAY", &tmp)];
    let driver = Driver::start(&vars).unwrap_or_else(|e| panic!("{e}"));
    let data_arg = dir.display().to_string();

    let t0 = Instant::now();
    let s =
        Session::new(&driver, &app_binary(), &["--data".into(), data_arg.clone()]).unwrap_or_else(|e| panic!("{e}"));
    s.wait("[data-test=login-submit]").unwrap_or_else(|e| panic!("{e}"));
    let to_login = t0.elapsed();
    s.click("[data-test=login-account]").unwrap();
    s.click("li[data-test=staff-zhangwei]").unwrap();
    s.type_into("[data-test=login-password]", "yc123456").unwrap();
    let t1 = Instant::now();
    s.click("[data-test=login-submit]").unwrap();
    s.wait("[data-test=case-row]").unwrap_or_else(|e| panic!("{e}"));
    let to_list = t1.elapsed();
    s.wait("[data-test=count-red]").unwrap_or_else(|e| panic!("{e}"));
    let to_counts = t1.elapsed();

    // Search: type a name prefix; the list is replaced by the hits (250 ms debounce included).
    let t2 = Instant::now();
    s.type_into("[data-test=work-search]", "批量申请人4242").unwrap();
    // The hit is on screen when the rendered rows include it (polled in the page: the virtual
    // rows are transformed, which WebDriver's element text does not always report).
    let until = Instant::now() + yc_e2e::TIMEOUT;
    let search = loop {
        let v = s.exec(
            "return [...document.querySelectorAll('[data-test=case-row] .c-app')].some(e => e.textContent.trim() === '批量申请人4242')",
            serde_json::json!([]),
        );
        if v.as_ref().ok().and_then(serde_json::Value::as_bool) == Some(true) {
            break Ok(t2.elapsed());
        }
        if Instant::now() > until {
            break Err(format!("no hit: {v:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = s.screenshot("bench-search");

    // Scrolling deep into the paged list: End key 10 times loads pages on demand.
    s.type_into("[data-test=work-search]", "").unwrap();
    let _ = s.exec("document.querySelector('[data-test=work-search]').value=''", serde_json::json!([]));
    std::thread::sleep(Duration::from_millis(400));

    let app_pids = pids_with(&["yc-desktop", &data_arg]);
    let app_rss: u64 = app_pids.iter().filter_map(|p| rss_kib(*p)).sum();
    let web_rss: u64 = app_pids
        .iter()
        .flat_map(|p| children(*p))
        .filter(|c| std::fs::read_to_string(format!("/proc/{c}/comm")).is_ok_and(|n| n.starts_with("WebKit")))
        .filter_map(rss_kib)
        .sum();
    println!("desktop bench ({cases} cases in the store, {}):", app_binary().display());
    println!("  launch → login screen interactive      {:>7.0} ms", to_login.as_secs_f64() * 1e3);
    println!("  login → work list rows interactive     {:>7.0} ms", to_list.as_secs_f64() * 1e3);
    println!("  login → light counts shown             {:>7.0} ms", to_counts.as_secs_f64() * 1e3);
    println!(
        "  cold start total (launch → work list)  {:>7.0} ms (excluding the time to type the password)",
        (to_login + to_list).as_secs_f64() * 1e3
    );
    match search {
        Ok(d) => println!("  search in the window (incl. 250 ms debounce) {:>5.0} ms", d.as_secs_f64() * 1e3),
        Err(e) => println!("  search in the window: FAILED ({e})"),
    }
    println!("  RSS: app {:.1} MiB, WebKit processes {:.1} MiB", app_rss as f64 / 1024.0, web_rss as f64 / 1024.0);
    let _ = s.close();
}

fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else { return out };
    for e in rd.flatten() {
        let Ok(c) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{c}/stat")) else { continue };
        // Fields after the ")" that closes the command name: state, ppid, ...
        let ppid =
            stat.rsplit(')').next().and_then(|r| r.split_whitespace().nth(1)).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            out.push(c);
            out.extend(children(c));
        }
    }
    out
}
