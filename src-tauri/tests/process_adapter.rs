//! The desktop's background sync with an any-language adapter: the Python example adapter,
//! added from 设置 (the admin confirms the program it runs), run by the same pass the worker
//! thread runs (`AppCtx::sync_pass` on a current-thread runtime) against the city platform
//! simulator. `ProcessAdapter::spawn` panicked outside a runtime; here the pass builds it inside.

use std::path::Path;
use std::sync::mpsc;

use yc_desktop::{AppCtx, LaunchOptions};

/// The city platform simulator on its own thread and runtime, as a far system would be.
fn city_sim() -> (String, yc_sim::SimHandle) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let (addr, handle) = yc_sim::city::spawn(yc_sim::SimConfig::default()).await.unwrap();
            tx.send((addr.to_string(), handle)).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

fn script() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../adapters/examples/python/example_adapter.py")
        .canonicalize()
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn the_background_pass_runs_a_python_adapter_against_the_city_platform_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let opts = LaunchOptions { data_dir: dir.path().to_path_buf(), demo: true, demo_cases: 20 };
    let ctx = AppCtx::open(&opts).unwrap();
    ctx.login("admin", yc_core::demo::DEMO_PASSWORD).unwrap();
    // Only the Python adapter in this pass: the demo's built-ins are paused.
    for a in ctx.sync_overview().unwrap().adapters {
        ctx.set_adapter_enabled(&a.name, false).unwrap();
    }
    let (addr, sim) = city_sim();
    let cfg = format!(
        "name = \"py-city\"\nkind = \"process\"\n[process]\ncommand = [\"python3\", {:?}]\n[settings]\nbase_url = \"http://{addr}\"\nsource = \"440305-W01\"\n",
        script()
    );
    assert_eq!(ctx.add_adapter("py-city.toml", &cfg, false).unwrap_err().kind, yc_core::error::ErrorKind::NeedsConfirm);
    assert_eq!(ctx.add_adapter("py-city.toml", &cfg, true).unwrap(), "py-city");
    // An adapter added from 设置 starts with what is filed from now on; the test files a case so
    // there is something to deliver, through the shell as a clerk would.
    ctx.logout();
    ctx.login("zhangwei", yc_core::demo::DEMO_PASSWORD).unwrap();
    let item = ctx
        .catalog_items()
        .unwrap()
        .into_iter()
        .find(|i| i.kind == yc_core::case::Kind::Promised && !i.secret)
        .unwrap();
    let id = yc_core::ids::make_resident_id("440305", chrono::NaiveDate::from_ymd_opt(1988, 5, 6).unwrap(), 3);
    let no = ctx
        .new_case(&yc_core::NewCase {
            item_code: item.code,
            applicant_id: id,
            applicant_name: "进程适配器".into(),
            ..Default::default()
        })
        .unwrap();
    ctx.act(&no, yc_core::case::Action::Accept, &yc_core::ActRequest::default()).unwrap();
    ctx.logout();
    ctx.login("admin", yc_core::demo::DEMO_PASSWORD).unwrap();

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let reports = rt.block_on(ctx.sync_pass(&yc_core::sync::SyncOptions::default())).unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let r = &reports[0];
    assert_eq!((r.adapter.as_str(), r.pushed, r.acked), ("py-city", 2, 2), "{r:?}");
    assert_eq!(r.state, yc_core::sync::AdapterState::Ok, "{r:?}");
    assert_eq!(sim.stats().stored, 2);
    assert_eq!(sim.case_seqs(&no), [1, 2], "the case's items arrived in order");

    // A second pass sends nothing again; the status icon's words say all is well.
    let reports = rt.block_on(ctx.sync_pass(&yc_core::sync::SyncOptions::default())).unwrap();
    assert_eq!((reports[0].pushed, sim.stats().rows_received), (0, 2));
    assert_eq!(ctx.sync_label().as_deref(), Some("同步正常"));
}
