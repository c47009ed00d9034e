//! `ui/src/api/generated.ts` must match the Rust side — the types, the commands of `contract!` and the
//! constants the UI shares: this test fails when it does not, and
//! `UPDATE_BINDINGS=1 cargo test -p ccmeter bindings` rewrites it.

use ts_rs::{Config, TS};

use super::commands;

/// One command as `contract!` declares it.
pub(super) struct Command {
    pub name: &'static str,
    pub docs: Vec<&'static str>,
    pub args: Vec<(&'static str, String)>,
    pub returns: String,
}

/// `snake_case` → `camelCase`: the JavaScript name of a command, and the key Tauri reads an argument under.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

impl Command {
    /// `  /** docs */\n  name(a: A): Promise<R> { return invoke("name", { a }); },`
    fn typescript(&self) -> String {
        let docs: Vec<&str> = self.docs.iter().map(|line| line.trim()).collect();
        let params: Vec<String> = self.args.iter().map(|(arg, ty)| format!("{}: {ty}", camel(arg))).collect();
        let keys: Vec<String> = self.args.iter().map(|(arg, _)| camel(arg)).collect();
        let payload = if keys.is_empty() { String::new() } else { format!(", {{ {} }}", keys.join(", ")) };
        let returns = if self.returns == "null" { "void".to_owned() } else { self.returns.clone() };
        format!(
            "  /** {} */\n  {}({}): Promise<{returns}> {{\n    return invoke(\"{}\"{payload});\n  }},\n",
            docs.join(" "),
            camel(self.name),
            params.join(", "),
            self.name,
        )
    }
}

#[test]
fn commands_take_their_arguments_under_tauris_camel_case_keys() {
    assert_eq!(camel("export_sessions"), "exportSessions");
    assert_eq!(camel("since"), "since");
    assert_eq!(camel("status_code"), "statusCode");
}

macro_rules! declarations {
    ($cfg:expr; $($ty:ty),* $(,)?) => {
        vec![$(format!("export {}", <$ty as TS>::decl($cfg))),*]
    };
}

fn json(value: impl serde::Serialize) -> String {
    serde_json::to_string(&value).expect("a constant serialises")
}

#[test]
fn the_generated_typescript_matches_the_rust_types() {
    use ccmeter_core::read::{event_stats, export, insights, logs, query, session_mix};
    use ccmeter_core::words::settings;
    use ccmeter_core::{budget, dashboard};
    // Serde writes i64 as a JSON number; every value sent fits a double exactly except nanosecond
    // instants, which never cross IPC (instants are RFC 3339 strings).
    let cfg = Config::new().with_large_int("number");
    let mut declarations = declarations![&cfg;
        dashboard::Dashboard, query::Summary, query::Usage, query::TokenCounts, ccmeter_core::words::range::Granularity,
        query::SeriesPoint, query::ModelUsage, query::ToolStat, query::ErrorCount,
        insights::SourceUsage, insights::RawSourceUsage, insights::SourceClass, insights::LanguageEdits,
        insights::HeatCell, insights::FacetUsage, insights::EventCountPoint,
        event_stats::ApiLatency, event_stats::LatencyStat, event_stats::ToolPoint, event_stats::ErrorPoint,
        session_mix::SessionMix, session_mix::SessionGroup, session_mix::AttributeGroups, session_mix::StartCount,
        logs::LogKind, logs::LogPage, logs::LogRow, commands::LogQuery,
        budget::BudgetStatus, budget::BudgetState, budget::Period,
        settings::Settings, settings::Budgets, settings::Budget, settings::ProjectBudget, settings::SettingsPatch,
        settings::BudgetsPatch, settings::PriceOverride, commands::PriceFields, ccmeter_core::read::prices::ModelPrice,
        ccmeter_core::read::prices::PerMillion, ccmeter_core::pricing::RateSource,
        query::SessionPage, query::SessionRow, query::CostSource, query::SessionSort, query::SessionDetail,
        query::TimelineEvent, query::CostEstimate, query::SubagentUsage, export::Format, commands::SessionsQuery, commands::SessionView, serde_json::Value,
        ccmeter_core::write::delete::Deleted, ccmeter_core::connect::ConnectPlan, ccmeter_core::connect::EnvChange,
        ccmeter_core::connect::Connected, commands::Status, ccmeter_app::error::IpcError, ccmeter_app::error::ErrorKind, crate::window::WindowKind, commands::About,
        ccmeter_core::read::diagnostics::Diagnostics, ccmeter_core::read::diagnostics::StatusLineReport,
        ccmeter_core::words::statusline::LimitReading,
        ccmeter_core::limits::CurrentLimit, ccmeter_core::limits::LimitHistory, ccmeter_core::limits::LimitRise,
        ccmeter_core::limits::LimitDay, ccmeter_core::words::statusline::LimitKind, ccmeter_core::forecast::Forecast,
        ccmeter_core::forecast::Target, ccmeter_core::forecast::Outlook, ccmeter_core::forecast::Pace,
        ccmeter_core::history::Imported, ccmeter_core::transcripts::usage::Skipped,
        ccmeter_core::read::diagnostics::TranscriptsReport,
    ];
    // The rules the UI shares with the app, from their one Rust copy.
    let defaults = ccmeter_core::Settings::default();
    let env: Vec<[String; 2]> =
        ccmeter_core::connect::wanted_env("").into_iter().map(|(k, v)| [k.to_owned(), v]).collect();
    let constants = [
        (
            "STORE_COMMITTED_EVENT",
            "The event the app emits after each committed batch.",
            json(super::COMMITTED_EVENT),
        ),
        (
            "IMPORT_PROGRESS_EVENT",
            "The event an import of the transcripts sends as it goes: `{read, all}`, files read of files found.",
            json(super::IMPORT_PROGRESS_EVENT),
        ),
        (
            "WINDOW_KINDS",
            "Every window's label.",
            json(
                <crate::window::WindowKind as clap::ValueEnum>::value_variants()
                    .iter()
                    .map(|kind| kind.label())
                    .collect::<Vec<_>>(),
            ),
        ),
        (
            "DEFAULT_THRESHOLDS",
            "A budget's alert thresholds when none are given, in percent.",
            json(ccmeter_core::words::settings::DEFAULT_THRESHOLDS),
        ),
        (
            "DEFAULT_GRPC_ADDR",
            "Where the OTLP/gRPC receiver listens unless set otherwise.",
            json(&defaults.grpc_addr),
        ),
        (
            "DEFAULT_HTTP_ADDR",
            "Where the OTLP/HTTP receiver listens unless set otherwise.",
            json(&defaults.http_addr),
        ),
        (
            "DEFAULT_METRICS_ADDR",
            "Where the Prometheus endpoint listens when turned on without another address.",
            json(ccmeter_core::words::settings::DEFAULT_METRICS_ADDR),
        ),
        (
            "PERIODS",
            "The budget periods with their names: in sentences, in a list of budgets, and while they run.",
            json(
                ccmeter_core::words::period::Period::ALL
                    .map(|p| serde_json::json!({"id": p, "adjective": p.adjective(), "label": p.label(), "current": p.current()})),
            ),
        ),
        (
            "TOKEN_TOTAL_OF",
            "The token types a total adds up, as `TokenCounts` names them.",
            json(ccmeter_core::read::query::TokenCounts::TOTAL_OF),
        ),
        (
            "LIMIT_RISES_UP_TO_DAYS",
            "The longest span (days) whose plan-limit history lists every rise; longer ones have each day's peak.",
            json(ccmeter_core::limits::RISES_UP_TO_DAYS),
        ),
        (
            "CLAUDE_CODE_ENV",
            "The `env` entries that point Claude Code at ccmeter; the endpoint's value is the gRPC receiver's URL.",
            json(&env),
        ),
    ];
    declarations.extend(
        constants.iter().map(|(name, doc, value)| format!("/** {doc} */\nexport const {name} = {value} as const;")),
    );
    declarations.sort();
    let callers: Vec<String> = super::typescript_commands(&cfg).iter().map(Command::typescript).collect();
    let generated = format!(
        "// Generated from the Rust side by ts-rs and `src-tauri/src/windows/ipc/mod.rs`: do not edit. Regenerate with\n\
         // `UPDATE_BINDINGS=1 cargo test -p ccmeter bindings` (CI checks it is current).\n\n\
         import {{ invoke }} from \"@tauri-apps/api/core\";\n\n{}\n\n\
         /** The app's commands, from their one Rust list. Each rejects with an `IpcError`. */\n\
         export const commands = {{\n{}}};\n",
        declarations.join("\n\n"),
        callers.concat()
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/generated.ts");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write the bindings");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/api/generated.ts is out of date: run `UPDATE_BINDINGS=1 cargo test -p ccmeter bindings`"
    );
}
