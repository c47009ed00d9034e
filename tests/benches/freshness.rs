//! Freshness: how long after an export is acknowledged the tray's label shows it (DESIGN.md's bar: within
//! 1 s). The real app, under a virtual display and a session bus, read over D-Bus the way a panel reads it.
//! Baselines measured in the same run: the export's own round trip, and the floor of the measurement (one
//! read of the label over D-Bus).
//!
//! ```text
//! cargo build --release -p ccmeter --features custom-protocol
//! xvfb-run -a dbus-run-session -- cargo bench -p ccmeter-tests --bench freshness
//! ```

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::tray::{api_request_now, label, tray_connection, wait_for};
use ccmeter_tests::{ccmeter_bin, http_post};

const ROUNDS: usize = 20;
const STEP_USD: f64 = 0.25;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

/// One api_request of `STEP_USD`, stamped now, in the same session every round.
fn api_request(round: usize) -> Vec<u8> {
    api_request_now("freshness-session", round as i64, &format!("req_fresh_{round}"), STEP_USD)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p).div_ceil(100).max(1) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    if std::env::var_os("DISPLAY").is_none() || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!("run under xvfb-run -a dbus-run-session (see the header of this file)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let http: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("address");
    let mut app = Command::new(ccmeter_bin())
        .arg("--db")
        .arg(dir.path().join("ccmeter.db"))
        .args(["--grpc", "127.0.0.1:0", "--http", &http.to_string()])
        .env("CCMETER_LOG", "warn")
        .env("CCMETER_SKIP_WELCOME", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("launch the app");
    let conn = wait_for("the tray item", Duration::from_secs(20), || tray_connection(app.id()));
    wait_for("the first label", Duration::from_secs(10), || label(&conn).filter(|l| l.starts_with("today")));

    let (mut round_trips, mut fresh, mut floors) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let body = api_request(round);
        let sent = Instant::now();
        let answer = http_post(http, "/v1/logs", &[("Content-Type", "application/json")], &body, false);
        let acknowledged = Instant::now();
        assert_eq!(answer.status, 200);
        let expected = format!("${:.2}", round as f64 * STEP_USD);
        loop {
            let read = Instant::now();
            let shown = label(&conn);
            floors.push(read.elapsed());
            if shown.as_deref() == Some(expected.as_str()) {
                break;
            }
            assert!(acknowledged.elapsed() < Duration::from_secs(10), "the label never showed {expected}: {shown:?}");
        }
        // The label was read as showing it by the end of this read: the time to it is at most this.
        fresh.push(acknowledged.elapsed());
        round_trips.push(acknowledged - sent);
        std::thread::sleep(Duration::from_millis(300));
    }
    let _ = app.kill();
    let _ = app.wait();
    for list in [&mut round_trips, &mut fresh, &mut floors] {
        list.sort();
    }
    println!("| measure | p50 ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|");
    for (name, list) in [
        ("acknowledgement → tray label shows it", &fresh),
        ("baseline: the export's round trip (send → acknowledgement)", &round_trips),
        ("baseline: one read of the label over D-Bus (the measurement's floor)", &floors),
    ] {
        let max = list.last().copied().unwrap_or_default();
        println!("| {name} | {:.1} | {:.1} | {:.1} |", ms(percentile(list, 50)), ms(percentile(list, 95)), ms(max));
    }
}
