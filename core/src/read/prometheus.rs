//! ccmeter's totals in the Prometheus text format (0.0.4), under the names Prometheus itself gives Claude Code's
//! metrics when they reach it over OTLP (`claude_code.cost.usage`, unit USD → `claude_code_cost_usage_USD_total`),
//! so a team's dashboards and alerts written for Claude Code work unchanged on a scrape of ccmeter.
//!
//! The values are the store's totals since the first record, one source per session, as every other figure:
//! a counter never resets when Claude Code restarts, and parallel sessions never add up twice. Costs are exact
//! to the nano-dollar. Labels carry no personal data (no e-mail, account or session id).

use std::fmt::Write as _;

use rusqlite::Connection;

use crate::error::Result;
use crate::read::query;
use crate::words::money::exact_usd;
use crate::words::range::Range;

/// The whole exposition: every counter, labelled with `machine` (this computer's name).
pub fn exposition(conn: &Connection, machine: &str) -> Result<String> {
    let by_model = query::by_model(conn, Range::ALL)?;
    let summary = query::summary(conn, Range::ALL)?;
    let usage = &summary.usage;
    let mut out = Exposition { text: String::new(), machine: escape(machine) };

    out.family("claude_code_cost_usage_USD_total", "Cost of the Claude Code sessions, in US dollars");
    for model in &by_model {
        out.sample("claude_code_cost_usage_USD_total", &[("model", &model.model)], &exact_usd(model.cost_nanos));
    }
    out.family("claude_code_token_usage_tokens_total", "Tokens used by the Claude Code sessions, by type");
    for model in &by_model {
        let t = &model.tokens;
        for (kind, count) in
            [("input", t.input), ("output", t.output), ("cacheRead", t.cache_read), ("cacheCreation", t.cache_creation)]
        {
            out.sample(
                "claude_code_token_usage_tokens_total",
                &[("model", &model.model), ("type", kind)],
                &count.to_string(),
            );
        }
    }
    out.family("claude_code_session_count_total", "Claude Code sessions started");
    out.sample("claude_code_session_count_total", &[], &summary.sessions.to_string());
    out.family("claude_code_lines_of_code_count_total", "Lines of code added and removed by Claude Code");
    out.sample("claude_code_lines_of_code_count_total", &[("type", "added")], &usage.lines_added.to_string());
    out.sample("claude_code_lines_of_code_count_total", &[("type", "removed")], &usage.lines_removed.to_string());
    out.family("claude_code_commit_count_total", "Git commits made by Claude Code");
    out.sample("claude_code_commit_count_total", &[], &usage.commits.to_string());
    out.family("claude_code_pull_request_count_total", "Pull requests created by Claude Code");
    out.sample("claude_code_pull_request_count_total", &[], &usage.pull_requests.to_string());
    out.family("claude_code_active_time_seconds_total", "Active time: the user's and the CLI's, in seconds");
    out.sample("claude_code_active_time_seconds_total", &[("type", "user")], &seconds(usage.active_time_user_s));
    out.sample("claude_code_active_time_seconds_total", &[("type", "cli")], &seconds(usage.active_time_cli_s));
    out.family("claude_code_code_edit_tool_decision_total", "Code edit tool permission decisions");
    out.sample(
        "claude_code_code_edit_tool_decision_total",
        &[("decision", "accept")],
        &usage.edits_accepted.to_string(),
    );
    out.sample(
        "claude_code_code_edit_tool_decision_total",
        &[("decision", "reject")],
        &usage.edits_rejected.to_string(),
    );
    Ok(out.text)
}

struct Exposition {
    text: String,
    machine: String,
}

impl Exposition {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {help}.\n# TYPE {name} counter");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: &str) {
        let _ = write!(self.text, "{name}{{");
        for (key, label) in labels {
            let _ = write!(self.text, "{key}=\"{}\",", escape(label));
        }
        let _ = writeln!(self.text, "machine=\"{}\"}} {value}", self.machine);
    }
}

/// A label value as the text format wants it: backslash, double quote and line feed escaped.
fn escape(value: &str) -> String {
    value.replace('\\', r"\\").replace('"', "\\\"").replace('\n', r"\n")
}

/// Microsecond-exact seconds without float noise: 12.5, not 12.499999999999998.
fn seconds(value: f64) -> String {
    let text = format!("{value:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped_as_the_text_format_says() {
        assert_eq!(escape(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape("two\nlines"), r"two\nlines");
    }

    #[test]
    fn seconds_keep_their_microseconds_and_nothing_more() {
        assert_eq!(seconds(12.5), "12.5");
        assert_eq!(seconds(3.0), "3");
        assert_eq!(seconds(0.000001), "0.000001");
        assert_eq!(seconds(0.0), "0");
    }
}
