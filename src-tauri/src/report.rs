//! `ccmeter report`: the period's figures as a table for a terminal, or as JSON.

use std::fmt::Write as _;
use std::path::Path;

use ccmeter_core::error::RangeProblem;
use ccmeter_core::read::report::{self, GroupBy, Report, ReportRequest};
use ccmeter_core::words::range::parse_date;
use ccmeter_core::{StoreError, TimeContext};

use crate::cli::{By, ReportArgs};

/// How `ccmeter report --json` lays its JSON out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonLayout {
    /// Indented, for a person at a terminal.
    Indented,
    /// One line, for a program reading a pipe or a file: a year of sessions is a third smaller and quicker
    /// to write and to parse.
    Compact,
}

/// Writes the report to `out`: as JSON, streamed (a year of sessions is some 10 MB, never held as text), or as
/// a table.
pub fn run(db: &Path, args: &ReportArgs, layout: JsonLayout, out: &mut impl std::io::Write) -> Result<(), ReportError> {
    let request = ReportRequest {
        since: args.since.as_deref().map(parse_date).transpose()?,
        until: args.until.as_deref().map(parse_date).transpose()?,
        by: args.by.map(|by| match by {
            By::Day => GroupBy::Day,
            By::Model => GroupBy::Model,
            By::Session => GroupBy::Session,
            By::Project => GroupBy::Project,
        }),
    };
    if let (Some(since), Some(until)) = (request.since, request.until)
        && since >= until
    {
        return Err(RangeProblem::SinceNotBeforeUntil { since, until }.into());
    }
    let conn = ccmeter_core::store::open_connection(db)?;
    let report = report::build(&conn, &TimeContext::system(), &request)?;
    if args.json {
        match layout {
            JsonLayout::Indented => serde_json::to_writer_pretty(&mut *out, &report),
            JsonLayout::Compact => serde_json::to_writer(&mut *out, &report),
        }
        .map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", table(&report))?;
    }
    out.flush()?;
    Ok(())
}

/// Why `ccmeter report` printed no report, or not all of it.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
}

impl From<RangeProblem> for ReportError {
    fn from(problem: RangeProblem) -> ReportError {
        ReportError::Store(problem.into())
    }
}

fn money(usd: f64) -> String {
    if usd != 0.0 && usd.abs() < 0.01 { format!("${usd:.4}") } else { format!("${usd:.2}") }
}

fn count(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `1 commit`, `1,200 commits`: a count and its noun, as the CLI prints them.
pub(crate) fn plural(n: i64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{} {noun}s", count(n)) }
}

fn seconds(s: f64) -> String {
    let total = s.round() as i64;
    match total {
        t if t < 60 => format!("{s:.1} s"),
        t if t < 3600 => format!("{}m {:02}s", t / 60, t % 60),
        t => format!("{}h {:02}m", t / 3600, (t % 3600) / 60),
    }
}

fn table(report: &Report) -> String {
    let t = &report.total.summary;
    let u = &t.usage;
    let mut out = String::new();
    let period = match (&report.since, &report.until) {
        (None, None) => "all history".to_owned(),
        (Some(s), None) => format!("since {s}"),
        (None, Some(u)) => format!("before {u}"),
        (Some(s), Some(u)) => format!("{s} up to {u} (exclusive)"),
    };
    let _ = writeln!(out, "ccmeter report: {period}, times in {}", report.time_zone);
    let _ = writeln!(out);
    let estimated = report.total.estimated_cost_usd;
    let estimate = if estimated <= 0.0 {
        String::new()
    } else if (estimated - u.cost_usd).abs() < 5e-10 {
        "  (estimated: read from Claude Code's transcripts)".to_owned()
    } else {
        format!("  (of which {} estimated from Claude Code's transcripts)", money(estimated))
    };
    let _ = writeln!(out, "  Cost          {}{estimate}", money(u.cost_usd));
    if report.total.unpriced_requests > 0 {
        let _ = writeln!(
            out,
            "                {} of a model with no known price: in the tokens, not in the cost",
            plural(report.total.unpriced_requests, "request")
        );
    }
    let _ = writeln!(
        out,
        "  Tokens        {}  (input {} · output {} · cache read {} · cache write {})",
        count(u.tokens.total()),
        count(u.tokens.input),
        count(u.tokens.output),
        count(u.tokens.cache_read),
        count(u.tokens.cache_creation)
    );
    if let Some(rate) = t.cache_hit_rate {
        let _ =
            writeln!(out, "  Cache hits    {:.1} %  (cacheRead ÷ (input + cacheRead + cacheCreation))", rate * 100.0);
    }
    let _ = writeln!(
        out,
        "  Sessions      {}   API requests {} · errors {} · prompts {} · tool calls {}",
        count(t.sessions),
        count(u.api_requests),
        count(u.api_errors),
        count(u.user_prompts),
        count(u.tool_results)
    );
    let _ = writeln!(
        out,
        "  Code          +{} −{} lines · {} · {}",
        count(u.lines_added),
        count(u.lines_removed),
        plural(u.commits, "commit"),
        plural(u.pull_requests, "pull request")
    );
    let _ =
        writeln!(out, "  Active time   {} CLI · {} you", seconds(u.active_time_cli_s), seconds(u.active_time_user_s));
    if !report.models.is_empty() {
        let _ = writeln!(out, "\n  {:<34} {:>10} {:>14} {:>9}", "MODEL", "COST", "TOKENS", "REQUESTS");
        for m in &report.models {
            let _ = writeln!(
                out,
                "  {:<34} {:>10} {:>14} {:>9}",
                m.model,
                money(m.cost_usd),
                count(m.tokens.total()),
                count(m.api_requests)
            );
        }
    }
    if let Some(rows) = &report.rows {
        let heading = match report.by {
            Some(GroupBy::Day) => "DAY",
            Some(GroupBy::Model) => "MODEL",
            Some(GroupBy::Project) => "PROJECT",
            _ => "SESSION",
        };
        let width = rows.iter().map(|r| r.key.chars().count()).max().unwrap_or(0).clamp(38, MAX_KEY_WIDTH);
        let with_sessions = rows.iter().any(|r| r.sessions.is_some());
        let _ = write!(out, "\n  {heading:<width$} {:>10} {:>14} {:>9} {:>7}", "COST", "TOKENS", "REQUESTS", "ERRORS");
        let _ = writeln!(out, "{}", if with_sessions { format!(" {:>9}", "SESSIONS") } else { String::new() });
        for r in rows {
            let _ = write!(
                out,
                "  {:<width$} {:>10} {:>14} {:>9} {:>7}",
                key_words(&r.key),
                money(r.cost_usd),
                count(r.tokens.total()),
                count(r.api_requests),
                count(r.api_errors)
            );
            let sessions = r.sessions.filter(|_| with_sessions).map(|n| format!(" {:>9}", count(n)));
            let _ = writeln!(out, "{}", sessions.unwrap_or_default());
        }
    }
    if t.sessions == 0 && u.cost_nanos == 0 {
        let _ = writeln!(out, "\n  Nothing recorded yet. Point Claude Code at ccmeter (see README.md) and run it.");
    }
    out
}

/// The widest a row's key is shown: wider paths keep their end, where a folder's name is.
const MAX_KEY_WIDTH: usize = 64;

/// A row's key as the table shows it: whole, or `…` and its last characters when it is wider than the column.
fn key_words(key: &str) -> String {
    ccmeter_core::words::project::shortened(key, MAX_KEY_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_wider_than_its_column_keeps_its_end() {
        assert_eq!(key_words("acme/billing-api"), "acme/billing-api");
        let deep = format!("/home/dev/{}billing-api", "nested/".repeat(12));
        let shown = key_words(&deep);
        assert!(shown.chars().count() <= MAX_KEY_WIDTH);
        assert!(shown.starts_with("…/") && shown.ends_with("nested/billing-api"), "{shown}");
    }

    #[test]
    fn counts_get_thousands_separators_and_money_keeps_small_amounts_readable() {
        assert_eq!(count(124960), "124,960");
        assert_eq!(count(-1234567), "-1,234,567");
        assert_eq!(money(0.21092), "$0.21");
        assert_eq!(money(0.00024), "$0.0002");
        assert_eq!(seconds(11.234), "11.2 s");
        assert_eq!(seconds(3725.0), "1h 02m");
        assert_eq!(plural(1, "commit"), "1 commit");
        assert_eq!(plural(1200, "commit"), "1,200 commits");
    }
}
