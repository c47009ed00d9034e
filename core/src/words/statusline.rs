//! What Claude Code hands a `statusLine` command on its stdin, as ccmeter keeps it: the session, its
//! workspace and running cost, and for subscribers the plan's limit windows. Read field by field from any
//! JSON, so one odd or missing field costs that field only; values that cannot be true (a negative or
//! above-100 % use, a reset before 1970) are left out, each with its reason.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// The most ccmeter reads from stdin: Claude Code writes some 2 kB; anything near this is not its payload.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;
/// Longer text fields (a path, an id) are not Claude Code's and are left out.
const MAX_TEXT: usize = 4096;
/// The last reset time believed: later ones are garbage (the year 3000).
const LAST_PLAUSIBLE_RESET_S: i64 = 32_503_680_000;
/// A session cost above this (USD) is garbage, as for OTLP's `cost_usd`.
const MAX_COST_USD: f64 = 1_000_000.0;

/// A plan's usage window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    FiveHour,
    SevenDay,
}

impl LimitKind {
    pub const ALL: [LimitKind; 2] = [LimitKind::FiveHour, LimitKind::SevenDay];

    /// The key in Claude Code's `rate_limits` and in the store.
    pub fn key(self) -> &'static str {
        match self {
            LimitKind::FiveHour => "five_hour",
            LimitKind::SevenDay => "seven_day",
        }
    }

    pub fn from_key(key: &str) -> Option<LimitKind> {
        LimitKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// `5h`, `7d`: the statusline's and the tray label's short name.
    pub fn short(self) -> &'static str {
        match self {
            LimitKind::FiveHour => "5h",
            LimitKind::SevenDay => "7d",
        }
    }

    /// `5-hour limit`, `Weekly limit`: the menu's and the notifications' name.
    pub fn name(self) -> &'static str {
        match self {
            LimitKind::FiveHour => "5-hour limit",
            LimitKind::SevenDay => "Weekly limit",
        }
    }
}

/// A use as a whole percent, rounded down (99.6 % is not yet a full window): `42 %`.
pub fn percent_words(used_pct: f64) -> String {
    format!("{} %", used_pct.floor() as i64)
}

/// One window's use as one response reported it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct LimitReading {
    pub kind: LimitKind,
    /// 0–100, as Claude Code rounds it (one decimal).
    pub used_pct: f64,
    /// When the window resets: its identity (every report of one window carries the same).
    pub resets_at: DateTime<Utc>,
}

/// A repository as Claude Code names it (`workspace.repo`, present with an `origin` remote).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Repository {
    pub host: Option<String>,
    pub owner: String,
    pub name: String,
}

impl Repository {
    /// `owner/name`: a project's name.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// One statusline payload, read and checked, with the instant it was handed over.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct Snapshot {
    pub received_at: DateTime<Utc>,
    pub session_id: Option<String>,
    pub cwd: Option<String>,
    pub project_dir: Option<String>,
    pub repository: Option<Repository>,
    pub model_id: Option<String>,
    /// `Opus 5.5`: what the line shows.
    pub model_name: Option<String>,
    pub version: Option<String>,
    /// Claude Code's own estimate of the session's cost so far (`cost.total_cost_usd`), nano-dollars.
    pub session_cost_nanos: Option<i64>,
    /// At most one per kind; none for API-key users.
    pub limits: Vec<LimitReading>,
}

impl Snapshot {
    pub fn limit(&self, kind: LimitKind) -> Option<&LimitReading> {
        self.limits.iter().find(|reading| reading.kind == kind)
    }
}

/// Why a payload gave nothing at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the statusline input is {0} bytes; Claude Code's is a few kB")]
    TooLarge(usize),
    #[error("the statusline input is not JSON: {0}")]
    NotJson(String),
    #[error("the statusline input is JSON but not an object")]
    NotAnObject,
}

/// A payload read: the snapshot, and why any field was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub snapshot: Snapshot,
    pub left_out: Vec<String>,
}

/// Reads Claude Code's statusline JSON, received at `received_at`.
pub fn parse(input: &[u8], received_at: DateTime<Utc>) -> Result<Parsed, PayloadError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(PayloadError::TooLarge(input.len()));
    }
    let value: Value = serde_json::from_slice(input).map_err(|error| PayloadError::NotJson(error.to_string()))?;
    let Value::Object(_) = &value else { return Err(PayloadError::NotAnObject) };
    let mut left_out = Vec::new();
    let text = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty() && t.len() <= MAX_TEXT)
            .map(str::to_owned)
    };
    let session_cost_nanos = value.pointer("/cost/total_cost_usd").and_then(|cost| match cost.as_f64() {
        Some(usd) if usd.is_finite() && (0.0..MAX_COST_USD).contains(&usd) => Some((usd * 1e9).round() as i64),
        _ => {
            left_out.push(format!("cost.total_cost_usd {cost} is not a cost"));
            None
        }
    });
    let repository = value.pointer("/workspace/repo").and_then(|repo| {
        let part = |key: &str| repo.get(key).and_then(Value::as_str).filter(|t| !t.is_empty() && t.len() <= MAX_TEXT);
        Some(Repository {
            host: part("host").map(str::to_owned),
            owner: part("owner")?.to_owned(),
            name: part("name")?.to_owned(),
        })
    });
    let mut limits = Vec::new();
    if let Some(Value::Object(windows)) = value.get("rate_limits") {
        for kind in LimitKind::ALL {
            let Some(window) = windows.get(kind.key()).filter(|w| !w.is_null()) else { continue };
            match reading(kind, window) {
                Ok(reading) => limits.push(reading),
                Err(reason) => left_out.push(format!("rate_limits.{}: {reason}", kind.key())),
            }
        }
    }
    let snapshot = Snapshot {
        received_at,
        session_id: text("/session_id"),
        cwd: text("/cwd").or_else(|| text("/workspace/current_dir")),
        project_dir: text("/workspace/project_dir"),
        repository,
        model_id: text("/model/id"),
        model_name: text("/model/display_name").or_else(|| text("/model/id")),
        version: text("/version"),
        session_cost_nanos,
        limits,
    };
    Ok(Parsed { snapshot, left_out })
}

fn reading(kind: LimitKind, window: &Value) -> Result<LimitReading, String> {
    let used = window.get("used_percentage").ok_or("no used_percentage")?;
    let used_pct =
        used.as_f64().filter(|p| p.is_finite()).ok_or_else(|| format!("used_percentage {used} is not a number"))?;
    if !(0.0..=100.0).contains(&used_pct) {
        return Err(format!("used_percentage {used_pct} is outside 0–100"));
    }
    let resets = window.get("resets_at").ok_or("no resets_at")?;
    let resets_s = resets
        .as_i64()
        .or_else(|| resets.as_f64().filter(|s| s.is_finite() && s.fract() == 0.0 && s.abs() < 1e15).map(|s| s as i64))
        .ok_or_else(|| format!("resets_at {resets} is not a whole number of seconds"))?;
    if !(1..=LAST_PLAUSIBLE_RESET_S).contains(&resets_s) {
        return Err(format!("resets_at {resets_s} is not a plausible time"));
    }
    let resets_at =
        DateTime::from_timestamp(resets_s, 0).ok_or_else(|| format!("resets_at {resets_s} is not a time"))?;
    Ok(LimitReading { kind, used_pct, resets_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).expect("instant")
    }

    fn parsed(json: &str) -> Parsed {
        parse(json.as_bytes(), at(1_796_160_000)).expect("parsed")
    }

    #[test]
    fn a_subscribers_payload_gives_its_session_workspace_cost_and_both_windows() {
        let payload = r#"{"session_id":"2611fc9e","cwd":"/home/dev1/repo","model":{"id":"claude-opus-5-5","display_name":"Opus 5.5"},
            "workspace":{"current_dir":"/home/dev1/repo","project_dir":"/home/dev1/repo","repo":{"host":"github.com","owner":"dev1","name":"hello"}},
            "version":"2.1.332","cost":{"total_cost_usd":0.10314400000000001},
            "rate_limits":{"five_hour":{"used_percentage":20.5,"resets_at":1796166000},"seven_day":{"used_percentage":42,"resets_at":1796500800}}}"#;
        let Parsed { snapshot, left_out } = parsed(payload);
        assert!(left_out.is_empty(), "{left_out:?}");
        assert_eq!(snapshot.session_id.as_deref(), Some("2611fc9e"));
        assert_eq!(snapshot.model_name.as_deref(), Some("Opus 5.5"));
        assert_eq!(snapshot.repository.as_ref().map(Repository::slug).as_deref(), Some("dev1/hello"));
        assert_eq!(snapshot.session_cost_nanos, Some(103_144_000), "the float noise is rounded away");
        assert_eq!(
            snapshot.limits,
            [
                LimitReading { kind: LimitKind::FiveHour, used_pct: 20.5, resets_at: at(1_796_166_000) },
                LimitReading { kind: LimitKind::SevenDay, used_pct: 42.0, resets_at: at(1_796_500_800) },
            ]
        );
    }

    #[test]
    fn an_api_key_users_payload_and_a_null_or_odd_rate_limits_give_no_window() {
        for payload in [
            r#"{"session_id":"s"}"#,
            r#"{"session_id":"s","rate_limits":null}"#,
            r#"{"session_id":"s","rate_limits":"full"}"#,
            r#"{"session_id":"s","rate_limits":{"five_hour":null,"seven_day":{}}}"#,
        ] {
            assert!(parsed(payload).snapshot.limits.is_empty(), "{payload}");
        }
    }

    #[test]
    fn impossible_values_are_left_out_with_their_reason_and_the_rest_kept() {
        let Parsed { snapshot, left_out } = parsed(
            r#"{"session_id":"s","cost":{"total_cost_usd":-1},
                "rate_limits":{"five_hour":{"used_percentage":101,"resets_at":1796166000},
                               "seven_day":{"used_percentage":-3,"resets_at":1796500800}}}"#,
        );
        assert_eq!(snapshot.session_id.as_deref(), Some("s"));
        assert!(snapshot.limits.is_empty() && snapshot.session_cost_nanos.is_none());
        assert_eq!(left_out.len(), 3, "{left_out:?}");
        assert!(left_out[1].contains("101") && left_out[1].contains("five_hour"), "{left_out:?}");
        for window in [
            r#"{"used_percentage":"42","resets_at":1796166000}"#,
            r#"{"used_percentage":42,"resets_at":"soon"}"#,
            r#"{"used_percentage":42,"resets_at":-5}"#,
            r#"{"used_percentage":42,"resets_at":99999999999999}"#,
            r#"{"used_percentage":42,"resets_at":1796166000.5}"#,
            r#"{"used_percentage":42}"#,
        ] {
            let Parsed { snapshot, left_out } = parsed(&format!(r#"{{"rate_limits":{{"five_hour":{window}}}}}"#));
            assert!(snapshot.limits.is_empty() && left_out.len() == 1, "{window}: {left_out:?}");
        }
        // 100 % is a full window, not garbage; 0 % a fresh one.
        let edges = parsed(
            r#"{"rate_limits":{"five_hour":{"used_percentage":100,"resets_at":1796166000},"seven_day":{"used_percentage":0,"resets_at":1796500800.0}}}"#,
        );
        assert_eq!(edges.snapshot.limits.len(), 2, "{:?}", edges.left_out);
    }

    #[test]
    fn what_is_not_a_payload_is_an_error_and_never_a_panic() {
        let now = at(0);
        assert!(matches!(parse(b"", now), Err(PayloadError::NotJson(_))));
        assert!(matches!(parse(b"{\"session_id\":\"s\",", now), Err(PayloadError::NotJson(_))));
        assert!(matches!(parse(b"\xff\xfe", now), Err(PayloadError::NotJson(_))));
        assert_eq!(parse(b"[1,2]", now), Err(PayloadError::NotAnObject));
        assert_eq!(parse(b"null", now), Err(PayloadError::NotAnObject));
        let huge = vec![b' '; MAX_INPUT_BYTES + 1];
        assert_eq!(parse(&huge, now), Err(PayloadError::TooLarge(MAX_INPUT_BYTES + 1)));
        // Wrong types give absent fields, not an error.
        let odd = parse(br#"{"session_id":7,"cwd":["x"],"model":"opus","workspace":{"repo":{"owner":"o"}}}"#, now)
            .expect("object");
        assert_eq!(odd.snapshot.session_id, None);
        assert_eq!(odd.snapshot.repository, None);
        assert_eq!(odd.snapshot.model_name, None);
    }
}
