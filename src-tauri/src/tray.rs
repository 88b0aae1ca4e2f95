//! Status icon: the open-case and red-light counts at a glance. Linux shows the title beside the
//! icon (tooltips are not supported by appindicator); elsewhere the tooltip carries the same text.
//! Without the `tray` feature, or with `YC_NO_TRAY=1` (a desktop without a status-notifier host),
//! there is no icon and nothing else changes.

use tauri::AppHandle;

use crate::context::AppCtx;

#[cfg(feature = "tray")]
const TRAY_ID: &str = "yc-status";

#[cfg(feature = "tray")]
fn label(ctx: &AppCtx) -> Option<String> {
    let counts = ctx.tray_counts().ok().map(|(open, red)| format!("一窗：在办 {open} 件，红灯 {red} 件"))?;
    Some(match ctx.sync_label() {
        Some(s) => format!("{counts} · {s}"),
        None => counts,
    })
}

#[cfg(feature = "tray")]
pub fn install(app: &tauri::App, ctx: &AppCtx) -> tauri::Result<()> {
    use tauri::Manager;
    use tauri::menu::{Menu, MenuItem};
    use tauri::tray::TrayIconBuilder;

    if std::env::var_os("YC_NO_TRAY").is_some() {
        return Ok(());
    }
    let show = MenuItem::with_id(app, "show", "显示主窗口", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "退出", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut b = TrayIconBuilder::with_id(TRAY_ID).menu(&menu).on_menu_event(|app, ev| match ev.id.as_ref() {
        "show" => {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.show();
                let _ = w.set_focus();
            }
        }
        "quit" => app.exit(0),
        _ => {}
    });
    if let Some(icon) = app.default_window_icon() {
        b = b.icon(icon.clone());
    }
    if let Some(text) = label(ctx) {
        b = b.tooltip(&text).title(&text);
    }
    b.build(app)?;
    Ok(())
}

#[cfg(not(feature = "tray"))]
pub fn install(_app: &tauri::App, _ctx: &AppCtx) -> tauri::Result<()> {
    Ok(())
}

/// Runs after every action and sync pass: the counts (a scan of the open cases) and the sync
/// state are read only when there is an icon to show them.
#[cfg(feature = "tray")]
pub fn refresh(app: &AppHandle, ctx: &AppCtx) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else { return };
    if let Some(text) = label(ctx) {
        let _ = tray.set_tooltip(Some(&text));
        let _ = tray.set_title(Some(&text));
    }
}

#[cfg(not(feature = "tray"))]
pub fn refresh(_app: &AppHandle, _ctx: &AppCtx) {}
