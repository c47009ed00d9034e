//! Opening a window from the tray: the time from "Open dashboard" clicked in the tray menu (a dbusmenu
//! `Event`, as a panel sends it) to the dashboard window painted on the display (its pixels no longer one
//! blank colour: a few rows read from the X server, polled every 5 ms). The window process is stopped before each round, so every
//! round pays its start (the slow case: reopening while it lingers only raises a window). The real release
//! app under a virtual display and a session bus. Baselines in the same run: one `xwininfo` poll (how the
//! mapped window is found) and one pixel poll (the probe's own cost, which bounds the measurement's resolution).
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

/// The display, read straight from the X server: a probe costs a few rows of pixels, not a process start
/// (ImageMagick's `import`, which this bench polled first, every 100 ms, took tens of ms of the 2 cores the web
/// view needs each time).
struct Screen {
    conn: x11rb::rust_connection::RustConnection,
}

impl Screen {
    fn open() -> Screen {
        let (conn, _) = x11rb::connect(None).expect("the X display ($DISPLAY)");
        Screen { conn }
    }

    /// Whether the window shows more than a few colours (the web view has painted the page), sampled on 15
    /// rows spread over its height. A window not yet viewable answers with an error: not painted.
    fn painted(&self, window: &str) -> bool {
        use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};
        let id = u32::from_str_radix(window.trim_start_matches("0x"), 16).expect("a window id");
        let Ok(Ok(geometry)) = self.conn.get_geometry(id).map(|cookie| cookie.reply()) else { return false };
        let (width, height) = (geometry.width, geometry.height);
        let mut colours = std::collections::HashSet::new();
        for row in 1..16u32 {
            let y = (u32::from(height) * row / 16) as i16;
            let Ok(Ok(image)) =
                self.conn.get_image(ImageFormat::Z_PIXMAP, id, 0, y, width, 1, !0).map(|cookie| cookie.reply())
            else {
                return false;
            };
            // 32 bits a pixel at depth 24: sample every 7th.
            for pixel in image.data.chunks_exact(4).step_by(7) {
                colours.insert([pixel[0], pixel[1], pixel[2]]);
            }
        }
        colours.len() > 8
    }
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
    let screen = Screen::open();
    let mut opens = Vec::new();
    let mut mapped = Vec::new();
    let mut probes = Vec::new();
    let mut pixel_probes = Vec::new();
    for _ in 0..ROUNDS {
        stop_windows(&db);
        let clicked = Instant::now();
        click(&conn, "Open dashboard");
        let window = wait_for("the dashboard window", Duration::from_secs(20), dashboard_window);
        mapped.push(clicked.elapsed());
        while !screen.painted(&window) {
            assert!(clicked.elapsed() < Duration::from_secs(20), "timed out waiting for the dashboard painted");
            std::thread::sleep(Duration::from_millis(5));
        }
        opens.push(clicked.elapsed());
        let probe = Instant::now();
        let _ = dashboard_window();
        probes.push(probe.elapsed());
        let probe = Instant::now();
        screen.painted(&window);
        pixel_probes.push(probe.elapsed());
    }
    stop_windows(&db);
    let _ = Command::new(ccmeter_bin()).args(["quit", "--db", &db]).status();
    let _ = app.wait();
    opens.sort();
    mapped.sort();
    probes.sort();
    pixel_probes.sort();
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
    println!(
        "| baseline: one pixel poll | {:.1} | {:.1} |",
        ms(percentile(&pixel_probes, 50)),
        ms(percentile(&pixel_probes, 95))
    );
}
