//! Reading the app's tray item over D-Bus the way a panel does (busctl on the session bus): for the tray
//! tests and the freshness benchmark. Needs a display and a session bus (scripts/test.sh provides both).

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The object path libayatana-appindicator gives the app's tray item.
pub const ITEM: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_main";

pub fn busctl(args: &[&str]) -> Option<String> {
    // `timeout`: a connection that does not answer during start-up makes busctl hang for 25 s.
    let output = Command::new("timeout").arg("2").arg("busctl").arg("--user").args(args).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The bus connection of process `pid` that exports the tray item.
pub fn tray_connection(pid: u32) -> Option<String> {
    let list = busctl(&["list", "--no-legend"])?;
    list.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let name = fields.next()?;
            (name.starts_with(':') && fields.next()? == pid.to_string()).then(|| name.to_owned())
        })
        .find(|conn| busctl(&["introspect", conn, ITEM]).is_some())
}

/// The label panels show beside the icon.
pub fn label(conn: &str) -> Option<String> {
    let out = busctl(&["--json=short", "get-property", conn, ITEM, "org.kde.StatusNotifierItem", "XAyatanaLabel"])?;
    serde_json::from_str::<Value>(&out).ok()?["data"].as_str().map(str::to_owned)
}

/// Polls `probe` every 100 ms until it answers; panics after `limit`.
pub fn wait_for<T>(what: &str, limit: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
