//! The hall display (大厅叫号显示屏): a second window, label `hall`, full screen, showing the
//! latest call, the calls before it and the waiting counts from `hall_board` (numbers and windows
//! only). Its capability (capabilities/hall.json) grants that one read and nothing else; it
//! polls it, so it needs no event permission either.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::ipc::{ErrorKind, IpcError, IpcResult};

pub const LABEL: &str = "hall";

/// Opens the display, or brings it forward when it is open. `YC_HALL_WINDOWED=1` keeps it in a
/// 1920×1080 window instead of full screen (a second monitor being set up, tests).
pub fn open(app: &AppHandle) -> IpcResult<()> {
    if let Some(w) = app.get_webview_window(LABEL) {
        let _ = w.show();
        let _ = w.set_focus();
        return Ok(());
    }
    let windowed = std::env::var_os("YC_HALL_WINDOWED").is_some();
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("hall.html".into()))
        .title("叫号显示屏")
        .inner_size(1920.0, 1080.0)
        .fullscreen(!windowed)
        .resizable(true)
        .build()
        .map_err(|e| IpcError::new(ErrorKind::Unavailable, format!("无法打开大厅显示屏：{e}")))?;
    Ok(())
}
