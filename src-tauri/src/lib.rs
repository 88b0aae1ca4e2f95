//! Yichuang desktop: the Tauri 2 shell over `yc-core`. It holds the workstation and the session
//! (`context::AppCtx`), exposes typed commands (`commands`), and nothing else: role, department
//! and state-machine checks all happen in the core.

pub mod applicant;
pub mod bindings;
pub mod commands;
pub mod context;
pub mod enrollment;
pub mod firstrun;
pub mod hall;
pub mod ipc;
pub mod sync;
mod tray;

include!("command_names.rs");

use tauri::Manager;

pub use context::{AppCtx, LaunchOptions};

/// Starts the app. Returns the process exit code.
pub fn run() -> i32 {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("YC_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .try_init();
    let started = std::time::Instant::now();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opened = LaunchOptions::parse(&args, std::env::var("YC_DATA").ok()).and_then(|o| AppCtx::open(&o));
    tracing::info!("工作站已打开：{} ms", started.elapsed().as_millis());
    let ctx = match opened {
        Ok(c) => c,
        Err(e) => {
            eprintln!("一窗工作台无法启动：{}", e.message);
            if e.kind == crate::ipc::ErrorKind::NotInitialised {
                eprintln!("提示：用 --demo 创建演示工作站，或先运行 yc init；用 --data 目录 指定数据目录。");
            }
            return 2;
        }
    };
    let result = tauri::Builder::default()
        // First, so a second launch only focuses the running window (one writer per store).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .setup(move |app| {
            tracing::info!("窗口创建前：{} ms", started.elapsed().as_millis());
            if let Some(ctx) = app.try_state::<AppCtx>() {
                // A missing status-notifier host must not stop the window.
                if let Err(e) = tray::install(app, &ctx) {
                    tracing::warn!("状态栏图标不可用：{e}");
                }
                start_sync(app.handle(), &ctx);
            }
            Ok(())
        })
        .manage(ctx)
        .invoke_handler(commands::invoke_handler())
        .run(tauri::generate_context!());
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("一窗工作台运行失败：{e}");
            1
        }
    }
}

/// Background sync on its own thread and tokio runtime; the tray follows each pass.
fn start_sync(app: &tauri::AppHandle, ctx: &AppCtx) {
    if std::env::var_os("YC_NO_SYNC").is_some() {
        return;
    }
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::warn!("后台同步无法启动：{e}");
            return;
        }
    };
    let (h1, h2) = (app.clone(), app.clone());
    sync::spawn(
        ctx,
        move || {
            if let Some(ctx) = h1.try_state::<AppCtx>() {
                tray::refresh(&h1, &ctx);
            }
        },
        move |opts| match h2.try_state::<AppCtx>() {
            Some(ctx) => {
                sync::run_blocking(&rt, &ctx, opts);
                true
            }
            None => false,
        },
    );
}
