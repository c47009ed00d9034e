//! Desktop notifications: budget alerts and a receiver that cannot listen. Nothing else interrupts.

use tauri::AppHandle;

use crate::gui::WindowKind;

/// Shows a notification; clicking it (where the platform supports actions) opens the dashboard.
/// Runs on a thread of its own: waiting for the click must not hold anything up.
pub fn show(app: &AppHandle, summary: String, body: String) {
    let app = app.clone();
    let spawned = std::thread::Builder::new().name("ccmeter-notification".into()).spawn(move || {
        let mut notification = notify_rust::Notification::new();
        notification.appname("ccmeter").summary(&summary).body(&body).icon("dialog-information");
        #[cfg(all(unix, not(target_os = "macos")))]
        notification.action("default", "Open dashboard");
        match notification.show() {
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(handle) => handle.wait_for_action(|action| {
                if action == "default" {
                    crate::gui::open_on_main_thread(&app, WindowKind::Dashboard);
                }
            }),
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, %summary, "cannot show a desktop notification"),
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the notification thread");
    }
}
