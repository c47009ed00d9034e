//! `ccmeter report` as a user runs it over a year, from exec to exit, against one plain scan of the raw records
//! by the `sqlite3` shell, also from exec to exit, on the same database in the same run (DESIGN.md: the CLI's
//! year reports cost at most 0.2× that scan). The database is the query bench's million events, kept:
//!
//! ```text
//! CCMETER_BENCH_DB=/tmp/bench.db cargo bench -p ccmeter-core --bench queries   # generates it once
//! cargo build --release -p ccmeter
//! CCMETER_BENCH_DB=/tmp/bench.db cargo bench -p ccmeter-tests --bench report_cli
//! ```

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccmeter_tests::ccmeter_bin;

const ROUNDS: usize = 15;
/// A year before the query bench's "now" (2026-11-24, core/benches/queries.rs): every event it generated. The
/// scan starts at the same instant, that day's midnight in Berlin (the zone the report is asked for).
const SINCE: &str = "2025-11-24";
const SINCE_NS: i64 = 1_763_938_800_000_000_000;

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p).div_ceil(100).max(1) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// p50 and p95 of `ROUNDS` runs of a command, its output thrown away as a pipe reader would; one warm-up run.
fn timed(mut command: impl FnMut() -> Command) -> (Duration, Duration) {
    let mut runs = Vec::with_capacity(ROUNDS);
    for round in 0..=ROUNDS {
        let started = Instant::now();
        let status = command().stdout(Stdio::null()).status().expect("the command runs");
        let took = started.elapsed();
        assert!(status.success(), "the command failed: {status}");
        if round > 0 {
            runs.push(took);
        }
    }
    runs.sort();
    (percentile(&runs, 50), percentile(&runs, 95))
}

fn main() {
    let Some(db) = std::env::var_os("CCMETER_BENCH_DB") else {
        eprintln!("set CCMETER_BENCH_DB to the query bench's kept database (see the header of this file)");
        return;
    };
    let db = std::path::PathBuf::from(db);
    assert!(db.exists(), "{} missing: run the query bench with CCMETER_BENCH_DB first", db.display());
    let baseline = timed(|| {
        let mut scan = Command::new("sqlite3");
        scan.arg("-readonly").arg(&db).arg(format!(
            "SELECT count(*), sum(cost_nanos), sum(input_tokens) FROM events
             WHERE name = 'api_request' AND time_ns >= {SINCE_NS}"
        ));
        scan
    });
    println!("| command | p50 ms | p95 ms | ÷ baseline (p50) |");
    println!("|---|---:|---:|---:|");
    for by in ["day", "model"] {
        let run = timed(|| {
            let mut report = Command::new(ccmeter_bin());
            report
                .args(["report", "--since", SINCE, "--by", by, "--json", "--db"])
                .arg(&db)
                .env("CCMETER_TZ", "Europe/Berlin")
                .env("CCMETER_LOG", "warn");
            report
        });
        println!(
            "| `ccmeter report --since {SINCE} --by {by} --json` | {:.1} | {:.1} | {:.2} |",
            ms(run.0),
            ms(run.1),
            run.0.as_secs_f64() / baseline.0.as_secs_f64()
        );
    }
    println!(
        "| baseline: `sqlite3 -readonly` with one plain scan of the year's api_request events | {:.1} | {:.1} | 1.00 |",
        ms(baseline.0),
        ms(baseline.1)
    );
}
