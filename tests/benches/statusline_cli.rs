//! `ccmeter statusline` as Claude Code runs it, from exec to exit with the hand-off included (DESIGN.md: p95
//! under 30 ms): a real subscriber payload (`fixtures/statusline-2.1.332/b-subscriber`, its resets moved to now)
//! piped in, with the tray app running on the database (the snapshot goes over the socket and the app answers
//! with today's figures) and with none (the snapshot goes to the spool, the figures are read from the file).
//! The baseline, in the same run, is `ccmeter --version`: the cost of starting the binary at all.
//!
//! ```text
//! cargo build --release -p ccmeter
//! cargo bench -p ccmeter-tests --bench statusline_cli
//! ```

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::{ccmeter_bin, statusline_captured_at, statusline_moved, statusline_payloads};

const ROUNDS: usize = 200;

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p).div_ceil(100).max(1) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50 and p95 of `ROUNDS` runs, each fed `input` on stdin; five warm-up runs first.
fn timed(mut command: impl FnMut() -> Command, input: &[u8], check: impl Fn(&str)) -> (Duration, Duration) {
    let mut runs = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS + 5 {
        let started = Instant::now();
        let mut child = command().stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("runs");
        let _ = child.stdin.take().expect("stdin").write_all(input);
        let output = child.wait_with_output().expect("exits");
        let took = started.elapsed();
        assert!(output.status.success(), "{:?}", output.status);
        check(&String::from_utf8_lossy(&output.stdout));
        if round >= 5 {
            runs.push(took);
        }
    }
    runs.sort();
    (percentile(&runs, 50), percentile(&runs, 95))
}

fn statusline(db: &Path) -> Command {
    let mut command = Command::new(ccmeter_bin());
    command.args(["statusline", "--db"]).arg(db).env("NO_COLOR", "1");
    command
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let case = "b-subscriber";
    let moved = chrono::Utc::now().timestamp() - statusline_captured_at(case);
    let payload = statusline_moved(statusline_payloads(case).last().expect("a payload"), moved);

    let baseline = timed(
        || {
            let mut version = Command::new(ccmeter_bin());
            version.arg("--version");
            version
        },
        b"",
        |_| {},
    );

    let alone = dir.path().join("alone.db");
    let no_app = timed(|| statusline(&alone), &payload, |line| assert!(line.contains("5h 31 %"), "{line}"));

    let served = dir.path().join("served.db");
    let mut app = Command::new(ccmeter_bin())
        .arg("--db")
        .arg(&served)
        .args(["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .env("CCMETER_SKIP_WELCOME", "1")
        .env("CCMETER_LOG_DIR", dir.path().join("logs"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the tray app");
    let mut socket = served.as_os_str().to_owned();
    socket.push(".ipc");
    let started = Instant::now();
    while !Path::new(&socket).exists() {
        assert!(started.elapsed() < Duration::from_secs(20), "the app did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let with_app =
        timed(|| statusline(&served), &payload, |line| assert!(line.contains("today $0.00 · 5h 31 %"), "{line}"));
    let _ = app.kill();
    let _ = app.wait();

    println!("ccmeter statusline, exec to exit, {ROUNDS} runs each (p50 / p95):");
    let row = |what: &str, (p50, p95): (Duration, Duration)| {
        println!(
            "  {what:<34} {:6.2} / {:6.2} ms   ({:.1} / {:.1} × `ccmeter --version`)",
            ms(p50),
            ms(p95),
            ms(p50) / ms(baseline.0),
            ms(p95) / ms(baseline.1)
        );
    };
    row("`ccmeter --version` (baseline)", baseline);
    row("statusline, app running", with_app);
    row("statusline, no app (spool)", no_app);
}
