//! Desktop notifications: budget alerts, a receiver that cannot listen, and an app that cannot start.
//! Nothing else interrupts.

/// Shows a notification; clicking it (where the platform supports actions) runs `on_click` (the app opens
/// its dashboard). Runs on a thread of its own: waiting for the click must not hold anything up.
pub fn show(summary: String, body: String, on_click: impl FnOnce() + Send + 'static) {
    let spawned = std::thread::Builder::new().name("ccmeter-notification".into()).spawn(move || {
        let mut notification = notify_rust::Notification::new();
        notification.appname("ccmeter").summary(&summary).body(&body).icon("dialog-information");
        #[cfg(all(unix, not(target_os = "macos")))]
        notification.action("default", "Open dashboard");
        match notification.show() {
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(handle) => {
                let mut on_click = Some(on_click);
                handle.wait_for_action(|action| {
                    if action == "default"
                        && let Some(on_click) = on_click.take()
                    {
                        on_click();
                    }
                })
            }
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            Ok(_) => drop(on_click),
            Err(error) => tracing::warn!(%error, %summary, "cannot show a desktop notification"),
        }
    });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the notification thread");
    }
}

/// Tells a user who started the app from a menu, with no terminal to read, why it could not start (a
/// database from a newer ccmeter, one that cannot be backed up before its upgrade, a folder it cannot write).
pub fn startup_failure(error: &dyn std::error::Error) {
    let shown = notify_rust::Notification::new()
        .appname("ccmeter")
        .summary("ccmeter could not start")
        .body(&error.to_string())
        .icon("dialog-error")
        .show();
    if let Err(notify_error) = shown {
        tracing::warn!(error = %notify_error, "cannot show why ccmeter could not start");
    }
}
