//! Footprint: time from launch to listening, idle memory (RSS of the whole process tree) and idle CPU of
//! `ccmeter serve` and of the tray app with no window open, each next to rotel (a Rust OTLP collector that
//! stores nothing) measured the same way in the same run. Linux only (reads /proc).
//!
//! ```text
//! export ROTEL_BIN=…                                   # see benches/ingest.rs
//! cargo build --release -p ccmeter --features custom-protocol
//! xvfb-run -a dbus-run-session -- cargo bench -p ccmeter-tests --bench footprint
//! ```
//! Without a display the tray app is left out; without `ROTEL_BIN`, the baseline.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const LAUNCHES: usize = 15;
const IDLE: Duration = Duration::from_secs(10);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("address").port()
}

/// Resident memory of a process and all its descendants, in KiB.
fn tree_rss_kib(pid: u32) -> u64 {
    let mut total = 0;
    let mut pending = vec![pid];
    while let Some(pid) = pending.pop() {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        total += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0);
        for task in std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten() {
            let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            pending.extend(children.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
        }
    }
    total
}

/// CPU time (user + system, all threads) of a process so far, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let field = |n: usize| fields.get(n).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12) // utime, stime (fields 14 and 15 of the whole line)
}

struct Launched {
    child: Child,
    ready: Duration,
}

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `command` and waits until `port` accepts connections.
fn launch(mut command: Command, port: u16) -> Launched {
    let start = Instant::now();
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "never listened");
        std::thread::sleep(Duration::from_millis(1));
    }
    Launched { ready: start.elapsed(), child }
}

fn ccmeter(args: &[&str], db: &std::path::Path, grpc: u16, http: u16) -> Command {
    let mut command = Command::new(ccmeter_tests::ccmeter_bin());
    // The bar is for the app idle in the tray with no window: not the first start's welcome window.
    command.env("CCMETER_SKIP_WELCOME", "1");
    command.args(args).arg("--db").arg(db).args([
        "--grpc",
        &format!("127.0.0.1:{grpc}"),
        "--http",
        &format!("127.0.0.1:{http}"),
    ]);
    command
}

fn rotel(grpc: u16, http: u16) -> Option<Command> {
    let mut command = Command::new(std::env::var_os("ROTEL_BIN")?);
    command.args(["start", "--exporter", "blackhole"]).args([
        "--otlp-grpc-endpoint",
        &format!("127.0.0.1:{grpc}"),
        "--otlp-http-endpoint",
        &format!("127.0.0.1:{http}"),
    ]);
    Some(command)
}

#[derive(Clone, Copy)]
struct Figures {
    ready_p50: Duration,
    ready_p95: Duration,
    rss_mib: f64,
    cpu_percent: f64,
}

fn measure(make: &dyn Fn(u16, u16) -> Command) -> Figures {
    let mut readies: Vec<Duration> = (0..LAUNCHES)
        .map(|_| {
            let (grpc, http) = (free_port(), free_port());
            launch(make(grpc, http), grpc).ready
        })
        .collect();
    readies.sort();
    let (grpc, http) = (free_port(), free_port());
    let running = launch(make(grpc, http), grpc);
    std::thread::sleep(Duration::from_secs(3)); // settle: start-up work done
    let pid = running.child.id();
    let before = cpu_ticks(pid);
    std::thread::sleep(IDLE);
    let ticks = cpu_ticks(pid) - before;
    let ticks_per_second = 100.0; // USER_HZ on Linux
    Figures {
        ready_p50: readies[LAUNCHES / 2],
        ready_p95: readies[(LAUNCHES * 95).div_ceil(100) - 1],
        rss_mib: tree_rss_kib(pid) as f64 / 1024.0,
        cpu_percent: ticks as f64 / ticks_per_second / IDLE.as_secs_f64() * 100.0,
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("ccmeter.db");
    let baseline =
        std::env::var_os("ROTEL_BIN").is_some().then(|| measure(&|grpc, http| rotel(grpc, http).expect("ROTEL_BIN")));
    let mut rows = vec![("ccmeter serve", measure(&|grpc, http| ccmeter(&["serve"], &db, grpc, http)))];
    if std::env::var_os("DISPLAY").is_some() {
        // The tray app with no window: `ccmeter` with no subcommand opens none until asked.
        rows.push(("ccmeter tray app, no window", measure(&|grpc, http| ccmeter(&[], &db, grpc, http))));
    } else {
        eprintln!("no DISPLAY: the tray app is left out (run under xvfb-run and dbus-run-session)");
    }
    if let Some(rotel) = &baseline {
        rows.push(("rotel (blackhole), baseline", *rotel));
    }
    println!(
        "| process | launch → listening p50 ms | p95 ms | idle RSS MiB (tree) | idle CPU % | RSS ÷ rotel | launch p95 ÷ rotel |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, f) in &rows {
        let ratio = |a: f64, b: Option<f64>| b.map_or_else(|| "—".to_owned(), |b| format!("{:.2}", a / b));
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {} |",
            f.ready_p50.as_secs_f64() * 1e3,
            f.ready_p95.as_secs_f64() * 1e3,
            f.rss_mib,
            f.cpu_percent,
            ratio(f.rss_mib, baseline.as_ref().map(|b| b.rss_mib)),
            ratio(f.ready_p95.as_secs_f64(), baseline.as_ref().map(|b| b.ready_p95.as_secs_f64())),
        );
    }
}
