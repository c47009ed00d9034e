//! Opening a window from the tray: the time from "Open dashboard" clicked in the tray menu (a dbusmenu
//! `Event`, as a panel sends it) to the dashboard window painted on the display (its pixels no longer one
//! blank colour: `import` from ImageMagick, polled). The window process is stopped before each round, so every
//! round pays its start (the slow case: reopening while it lingers only raises a window). The real release
//! app under a virtual display and a session bus. Baseline in the same run: one `xwininfo` poll (the probe's
//! own cost, which bounds the measurement's resolution).
//!
//! ```text
//! cargo build --release -p ccmeter --features custom-protocol
//! xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- cargo bench -p ccmeter-tests --bench window_open
//! ```

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::ccmeter_bin;
use ccmeter_tests::tray::{click, menu_labels, tray_connection, wait_for};

const ROUNDS: usize = 12;
const TITLE: &str = "\"ccmeter — Dashboard\"";

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p).div_ceil(100).max(1) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The X window id of the dashboard, once it is mapped.
fn dashboard_window() -> Option<String> {
    let out = Command::new("xwininfo").args(["-root", "-tree"]).output().ok()?;
    let tree = String::from_utf8_lossy(&out.stdout).into_owned();
    tree.lines().find(|line| line.contains(TITLE)).and_then(|line| line.split_whitespace().next().map(str::to_owned))
}

/// Whether the window shows more than one colour: the web view has painted the page.
fn painted(window: &str) -> bool {
    let Ok(out) = Command::new("import").args(["-window", window, "-depth", "8", "rgb:-"]).output() else {
        return false;
    };
    let pixels = out.stdout.chunks_exact(3);
    let mut colours = std::collections::HashSet::new();
    for pixel in pixels.step_by(97) {
        colours.insert([pixel[0], pixel[1], pixel[2]]);
        if colours.len() > 8 {
            return true;
        }
    }
    false
}

fn stop_windows(db: &str) {
    let _ = Command::new("pkill").args(["-f", &format!("ccmeter-windows --db {db}")]).status();
    wait_for("the window to go", Duration::from_secs(10), || dashboard_window().is_none().then_some(()));
}

fn main() {
    if std::env::var_os("DISPLAY").is_none() || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("run under xvfb-run -a dbus-run-session (see the header of this file)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db").display().to_string();
    let mut app = Command::new(ccmeter_bin())
        .args(["--db", &db, "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .env("CCMETER_SKIP_WELCOME", "1")
        .env("CCMETER_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the tray app");
    let conn = wait_for("the tray item", Duration::from_secs(20), || tray_connection(app.id()));
    wait_for("the menu", Duration::from_secs(10), || {
        menu_labels(&conn).iter().any(|l| l == "Open dashboard").then_some(())
    });
    let mut opens = Vec::new();
    let mut mapped = Vec::new();
    let mut probes = Vec::new();
    for _ in 0..ROUNDS {
        stop_windows(&db);
        let clicked = Instant::now();
        click(&conn, "Open dashboard");
        let window = wait_for("the dashboard window", Duration::from_secs(20), dashboard_window);
        mapped.push(clicked.elapsed());
        wait_for("the dashboard painted", Duration::from_secs(20), || painted(&window).then_some(()));
        opens.push(clicked.elapsed());
        let probe = Instant::now();
        let _ = dashboard_window();
        probes.push(probe.elapsed());
    }
    stop_windows(&db);
    let _ = Command::new(ccmeter_bin()).args(["quit", "--db", &db]).status();
    let _ = app.wait();
    opens.sort();
    mapped.sort();
    probes.sort();
    println!("| measure | p50 ms | p95 ms |");
    println!("|---|---:|---:|");
    println!(
        "| click → dashboard painted (window process started) | {:.0} | {:.0} |",
        ms(percentile(&opens, 50)),
        ms(percentile(&opens, 95))
    );
    println!(
        "| click → dashboard window on the display (titled, not yet painted) | {:.0} | {:.0} |",
        ms(percentile(&mapped, 50)),
        ms(percentile(&mapped, 95))
    );
    println!(
        "| baseline: one xwininfo poll | {:.0} | {:.0} |",
        ms(percentile(&probes, 50)),
        ms(percentile(&probes, 95))
    );
}
