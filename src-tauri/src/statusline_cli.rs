//! `ccmeter statusline`: Claude Code's `statusLine` command. It reads the payload Claude Code writes to its
//! stdin, hands the snapshot to the app running on the database (or, with none running, leaves it in the
//! spool for the app's next start) and prints one line:
//!
//! `$0.20 · today $7.80 · day budget 78 % · 5h 31 % · 7d 42 %`
//!
//! Each part is left out when unknown; colours follow the budget's and each window's state (none with
//! `NO_COLOR`). Claude Code runs it after every response and cancels a run still going, so it never waits
//! long and always exits 0: bad input gives the parts it can still tell, at worst `ccmeter`.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use ccmeter_app::instance::{self, Request};
use ccmeter_core::TimeContext;
use ccmeter_core::budget::BudgetState;
use ccmeter_core::limits;
use ccmeter_core::statusline::LineFigures;
use ccmeter_core::words::money::money;
use ccmeter_core::words::period::Period;
use ccmeter_core::words::statusline::{self, LimitReading, MAX_INPUT_BYTES, Snapshot};
use chrono::{DateTime, Utc};

/// How long the app may take to answer before the line is made without it (Claude Code debounces runs
/// by 300 ms and cancels one still going).
const APP_ANSWER_TIMEOUT: Duration = Duration::from_millis(1500);

/// How a part of the line is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Plain,
    Fine,
    Warning,
    Alarm,
}

impl Tone {
    fn of_budget(state: BudgetState) -> Tone {
        match state {
            BudgetState::Ok => Tone::Fine,
            BudgetState::Warning => Tone::Warning,
            BudgetState::Over => Tone::Alarm,
        }
    }

    /// Past the first alert threshold a window is a warning, past the last (or full) alarming.
    fn of_limit(used_pct: f64, thresholds: &[u32]) -> Tone {
        let first = thresholds.first().copied().unwrap_or(80);
        let last = thresholds.last().copied().unwrap_or(95);
        if used_pct >= 100.0 || used_pct >= f64::from(last) {
            Tone::Alarm
        } else if used_pct >= f64::from(first) {
            Tone::Warning
        } else {
            Tone::Fine
        }
    }

    fn ansi(self) -> Option<&'static str> {
        match self {
            Tone::Plain => None,
            Tone::Fine => Some("\x1b[32m"),
            Tone::Warning => Some("\x1b[33m"),
            Tone::Alarm => Some("\x1b[1;31m"),
        }
    }
}

/// What the line says, from the snapshot (if the payload was readable) and the recorded figures (if any).
fn line(snapshot: Option<&Snapshot>, figures: Option<&LineFigures>, now: DateTime<Utc>, colour: bool) -> String {
    let mut parts: Vec<(String, Tone)> = Vec::new();
    if let Some(cost) = snapshot.and_then(|s| s.session_cost_nanos) {
        parts.push((money(cost), Tone::Plain));
    }
    if let Some(figures) = figures {
        parts.push((format!("today {}", money(figures.today_nanos)), Tone::Plain));
        if let Some(budget) = &figures.budget {
            let name = match budget.period {
                Period::Day => "day",
                Period::Week => "week",
                Period::Month => "month",
                Period::Session => "session",
            };
            let whose = if budget.of_project { "project " } else { "" };
            parts.push((format!("{whose}{name} budget {:.0} %", budget.used * 100.0), Tone::of_budget(budget.state)));
        }
    }
    let recorded = figures.map(|f| f.limits.as_slice()).unwrap_or_default();
    let own = snapshot.map(|s| s.limits.as_slice()).unwrap_or_default();
    let thresholds = figures.map(|f| f.limit_alerts.as_slice()).unwrap_or(&[80, 95]);
    for LimitReading { kind, used_pct, .. } in limits::merge(recorded, own, now) {
        parts.push((
            format!("{} {}", kind.short(), limits::percent_words(used_pct)),
            Tone::of_limit(used_pct, thresholds),
        ));
    }
    if parts.is_empty() {
        return "ccmeter".to_owned();
    }
    let painted: Vec<String> = parts
        .into_iter()
        .map(|(text, tone)| match tone.ansi().filter(|_| colour) {
            Some(code) => format!("{code}{text}\x1b[0m"),
            None => text,
        })
        .collect();
    painted.join(" · ")
}

/// Reads the payload from `input` (never more than Claude Code could send), hands it over and returns the
/// lines to print: the user's own status line command's (`then`, given the same input) with ccmeter's after
/// its first line. Every failure is said on stderr and leaves the line with what it still knows.
pub fn run(db: &Path, input: &mut impl Read, then: Option<&str>, colour: bool) -> String {
    let now = Utc::now();
    let mut bytes = Vec::with_capacity(4096);
    if let Err(error) = input.take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut bytes) {
        eprintln!("ccmeter statusline: cannot read stdin: {error}");
    }
    // Theirs runs while ccmeter does its own part.
    let theirs = then.and_then(|command| chained::start(command, &bytes));
    let ours = own_line(db, &bytes, now, colour);
    match theirs.and_then(chained::output) {
        Some(theirs) => match theirs.split_once('\n') {
            Some((first, rest)) => format!("{first} │ {ours}\n{rest}"),
            None => format!("{theirs} │ {ours}"),
        },
        None => ours,
    }
}

fn own_line(db: &Path, bytes: &[u8], now: DateTime<Utc>, colour: bool) -> String {
    let snapshot = match statusline::parse(bytes, now) {
        Ok(parsed) => {
            for reason in &parsed.left_out {
                eprintln!("ccmeter statusline: left out {reason}");
            }
            Some(parsed.snapshot)
        }
        Err(error) => {
            eprintln!("ccmeter statusline: {error}");
            None
        }
    };
    let session = snapshot.as_ref().and_then(|s| s.session_id.clone());
    let from_app = match &snapshot {
        // Neither a session nor a window: nothing to record, nobody to ask.
        Some(snapshot) if snapshot.session_id.is_none() && snapshot.limits.is_empty() => None,
        Some(snapshot) => {
            let request = Request::Statusline(Box::new(snapshot.clone()));
            // The app answers `null` when it cannot read its figures: it has the snapshot all the same.
            match instance::call_within::<Option<LineFigures>>(db, request, APP_ANSWER_TIMEOUT) {
                Ok(Some(figures)) => figures,
                Ok(None) => {
                    keep_for_the_app(db, snapshot);
                    None
                }
                Err(error) => {
                    eprintln!("ccmeter statusline: the app on {} did not answer ({error})", db.display());
                    keep_for_the_app(db, snapshot);
                    None
                }
            }
        }
        None => None,
    };
    let figures = from_app.or_else(|| read_figures(db, session.as_deref()));
    line(snapshot.as_ref(), figures.as_ref(), now, colour)
}

/// The user's own status line command, chained after ccmeter's by `ccmeter connect`.
mod chained {
    use std::io::{Read, Write};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    /// How long theirs may take: Claude Code cancels a run still going when the next is due.
    const LIMIT: Duration = Duration::from_secs(2);

    pub struct Running {
        child: Child,
        started: Instant,
        printed: mpsc::Receiver<String>,
    }

    /// Starts `command` in a shell, as Claude Code would have, with `input` on its stdin; its output is read
    /// as it comes (a thread), so a long one never blocks it.
    pub fn start(command: &str, input: &[u8]) -> Option<Running> {
        #[cfg(unix)]
        let mut shell = Command::new("sh");
        #[cfg(unix)]
        shell.arg("-c").arg(command);
        #[cfg(windows)]
        let mut shell = Command::new("cmd");
        #[cfg(windows)]
        shell.arg("/C").arg(command);
        let spawned = shell.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(error) => {
                eprintln!("ccmeter statusline: cannot run your status line command: {error}");
                return None;
            }
        };
        let (sender, printed) = mpsc::channel();
        let mut stdout = child.stdout.take()?;
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stdout.read_to_end(&mut text);
            let _ = sender.send(String::from_utf8_lossy(&text).into_owned());
        });
        // A command that does not read its input closes the pipe: that is its business.
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input);
        }
        Some(Running { child, started: Instant::now(), printed })
    }

    /// What it printed, without the trailing newline; `None` when it printed nothing or did not finish in
    /// time (it is stopped).
    pub fn output(mut running: Running) -> Option<String> {
        let left = LIMIT.saturating_sub(running.started.elapsed());
        let Ok(text) = running.printed.recv_timeout(left) else {
            eprintln!("ccmeter statusline: your status line command took over {LIMIT:?}; stopped");
            let _ = running.child.kill();
            let _ = running.child.wait();
            return None;
        };
        let _ = running.child.wait();
        let text = text.trim_end_matches(['\n', '\r']).to_owned();
        (!text.is_empty()).then_some(text)
    }
}

/// No app took the snapshot: it waits in the spool for the app's next start.
fn keep_for_the_app(db: &Path, snapshot: &Snapshot) {
    if let Err(error) = ccmeter_core::spool::append(db, snapshot) {
        eprintln!(
            "ccmeter statusline: cannot keep the snapshot in {}: {error}",
            ccmeter_core::spool::spool_path(db).display()
        );
    }
}

/// The recorded figures read from the database itself (read-only; nothing when there is none yet).
fn read_figures(db: &Path, session: Option<&str>) -> Option<LineFigures> {
    if !db.exists() {
        return None;
    }
    let figures = ccmeter_core::store::open_read_only(db)
        .and_then(|conn| ccmeter_core::statusline::line_figures(&conn, &TimeContext::system(), session));
    match figures {
        Ok(figures) => Some(figures),
        Err(error) => {
            eprintln!("ccmeter statusline: cannot read {}: {error}", db.display());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ccmeter_core::statusline::BudgetGauge;
    use ccmeter_core::words::statusline::LimitKind;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).expect("instant")
    }

    fn snapshot(limits: Vec<LimitReading>) -> Snapshot {
        Snapshot {
            received_at: at(1_000),
            session_id: Some("s".into()),
            session_cost_nanos: Some(200_052_000),
            limits,
            ..Default::default()
        }
    }

    #[test]
    fn the_line_has_each_known_part_in_order_and_no_part_for_what_is_unknown() {
        let five = LimitReading { kind: LimitKind::FiveHour, used_pct: 31.0, resets_at: at(5_000) };
        let seven = LimitReading { kind: LimitKind::SevenDay, used_pct: 42.0, resets_at: at(90_000) };
        let figures = LineFigures {
            today_nanos: 7_804_000_000,
            budget: Some(BudgetGauge { period: Period::Day, of_project: false, used: 0.78, state: BudgetState::Ok }),
            limits: vec![],
            limit_alerts: vec![80, 95],
        };
        let whole = line(Some(&snapshot(vec![five, seven])), Some(&figures), at(1_000), false);
        assert_eq!(whole, "$0.20 · today $7.80 · day budget 78 % · 5h 31 % · 7d 42 %");
        // An API-key user: no window, never "0 %".
        assert_eq!(
            line(Some(&snapshot(vec![])), Some(&figures), at(1_000), false),
            "$0.20 · today $7.80 · day budget 78 %"
        );
        let project = LineFigures {
            budget: Some(BudgetGauge {
                period: Period::Week,
                of_project: true,
                used: 0.91,
                state: BudgetState::Warning,
            }),
            ..figures.clone()
        };
        assert_eq!(
            line(Some(&snapshot(vec![])), Some(&project), at(1_000), false),
            "$0.20 · today $7.80 · project week budget 91 %",
            "a budget of the session's project says so"
        );
        // No app and no database: the payload's own figures.
        assert_eq!(line(Some(&snapshot(vec![seven])), None, at(1_000), false), "$0.20 · 7d 42 %");
        // A window whose reset has passed is gone.
        assert_eq!(line(Some(&snapshot(vec![five])), None, at(5_000), false), "$0.20");
        assert_eq!(line(None, None, at(0), false), "ccmeter");
    }

    #[test]
    fn colours_follow_the_budget_and_each_windows_state() {
        let over = LineFigures {
            today_nanos: 12_000_000_000,
            budget: Some(BudgetGauge { period: Period::Day, of_project: false, used: 1.2, state: BudgetState::Over }),
            limits: vec![LimitReading { kind: LimitKind::FiveHour, used_pct: 85.0, resets_at: at(5_000) }],
            limit_alerts: vec![80, 95],
        };
        let painted = line(None, Some(&over), at(1_000), true);
        assert_eq!(painted, "today $12.00 · \x1b[1;31mday budget 120 %\x1b[0m · \x1b[33m5h 85 %\x1b[0m");
        assert_eq!(Tone::of_limit(96.0, &[80, 95]), Tone::Alarm);
        assert_eq!(Tone::of_limit(100.0, &[]), Tone::Alarm);
        assert_eq!(Tone::of_limit(10.0, &[80, 95]), Tone::Fine);
    }
}
