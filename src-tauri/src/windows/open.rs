//! Opening the app's windows, from wherever the request comes: the tray menu, a window's IPC call, a clicked
//! notification, a second `ccmeter open …`.

use tauri::{AppHandle, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::window::WindowKind;

/// Opens or focuses `kind` from any thread: windows are made on the main thread, so the request is queued
/// there and a failure is logged rather than returned to a caller that has moved on.
pub fn open_on_main_thread(app: &AppHandle, kind: WindowKind) {
    let handle = app.clone();
    let queued = app.run_on_main_thread(move || {
        if let Err(error) = open_window(&handle, kind) {
            tracing::error!(%error, window = kind.label(), "could not open the window");
        }
    });
    if let Err(error) = queued {
        tracing::error!(%error, "could not reach the main thread");
    }
}

/// Focuses the window, creating it if it is not open.
pub fn open_window(app: &AppHandle, kind: WindowKind) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(kind.label()) {
        window.unminimize()?;
        window.show()?;
        return window.set_focus();
    }
    WebviewWindowBuilder::new(app, kind.label(), WebviewUrl::App(format!("index.html#{}", kind.label()).into()))
        .title(kind.title())
        .inner_size(kind.size().0, kind.size().1)
        .min_inner_size(560.0, 420.0)
        .center()
        .build()?;
    Ok(())
}
