//! Command-line interface: the subcommands that need no display.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// See what Claude Code costs you. Without a subcommand, starts the tray app.
#[derive(Debug, Parser)]
#[command(name = "ccmeter", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub receiver: ReceiverArgs,
    /// Open this window at start
    #[arg(long, value_enum, value_name = "WINDOW")]
    pub show: Option<crate::window::WindowKind>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the OTLP collector headless (no tray, no windows) until Ctrl-C or SIGTERM.
    Serve(ReceiverArgs),
    /// Print cost, tokens and activity for a period.
    Report(ReportArgs),
    /// Open a window of the running app (starting the app if it is not running).
    Open(OpenArgs),
    /// Quit the app running on the database (its tray and windows), as its menu's "Quit" does.
    Quit(DbArg),
    /// Set, list or clear the daily, weekly, monthly and per-session budgets.
    Budget(BudgetArgs),
    /// Point Claude Code at ccmeter: merges the telemetry "env" entries and the "statusLine" command into
    /// ~/.claude/settings.json (a backup first; everything else kept, a status line of your own still shown).
    /// Shows the changes and asks before writing; --undo puts everything back.
    Connect(ConnectArgs),
    /// Write a copy of the whole history to a file (an SQLite database), to move it to another machine or
    /// keep it safe.
    Export(ExportArgs),
    /// Add the history in a file made by `ccmeter export` to this database. Sessions it already has are
    /// kept once; its settings and budgets are not touched.
    Import(ImportArgs),
    /// Add the history Claude Code's transcripts hold (every session of the last 30 days, or as long as its
    /// cleanupPeriodDays keeps them) to this database: its tokens exactly, its cost estimated from the rates
    /// your telemetry taught ccmeter, else a bundled price table. A request telemetry already reported is not
    /// added again; running it twice changes nothing.
    ImportTranscripts(ImportTranscriptsArgs),
    /// List the price each model's estimated requests are costed at and where it comes from; set or clear your
    /// own price of a model (for one the bundled table does not know yet).
    Prices(PricesArgs),
    /// Claude Code's statusLine command: reads the JSON Claude Code writes to its stdin, hands it to the app
    /// (plan limits, the session's project) and prints one line: session cost, today, budget, 5-hour and
    /// weekly limits. Always exits 0. `ccmeter connect` sets it up.
    Statusline(StatuslineArgs),
    /// Print what a bug report needs: version, data folder, database size and contents, last data, settings
    /// in brief. No prompt text, e-mail or account ids.
    Diagnostics(DbArg),
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The file to write (replaced if it exists)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// A file written by `ccmeter export`
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct ImportTranscriptsArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The transcripts folders, comma-separated [default: $CLAUDE_CONFIG_DIR/projects, else ~/.claude/projects]
    #[arg(long, value_name = "DIR[,DIR…]")]
    pub dir: Option<String>,
    /// Only responses from this local day on (YYYY-MM-DD) [default: every transcript, whatever its age]
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The gRPC address Claude Code should send to [default: the saved setting, else 127.0.0.1:4317]
    #[arg(long, value_name = "ADDR")]
    pub grpc: Option<SocketAddr>,
    /// Write without asking (scripts; needed when there is no terminal to ask in)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Only show what would change
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    /// Put back what ccmeter changed in Claude Code's settings as it was before (run it before uninstalling)
    #[arg(long, conflicts_with = "grpc")]
    pub undo: bool,
}

#[derive(Debug, Clone, Args)]
pub struct StatuslineArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// A status line command of your own, run with the same input; its output is shown before ccmeter's
    /// (`ccmeter connect` keeps the one you had this way)
    #[arg(long, value_name = "COMMAND")]
    pub then: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// The database file [default: the platform data dir, or $CCMETER_DB]
    #[arg(long, value_name = "PATH", global = true)]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ReceiverArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Address for OTLP/gRPC [default: the saved setting, else 127.0.0.1:4317]
    #[arg(long, value_name = "ADDR")]
    pub grpc: Option<SocketAddr>,
    /// Address for OTLP/HTTP [default: the saved setting, else 127.0.0.1:4318]
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// Serve ccmeter's totals to Prometheus at http://ADDR/metrics, under the names Prometheus gives Claude Code's
    /// metrics, e.g. 127.0.0.1:9466 (9464 is Claude Code's own exporter's) [default: the saved setting, else none]
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<SocketAddr>,
    /// Bearer token every export must carry; required to listen beyond 127.0.0.1. Claude Code sends it with
    /// OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <TOKEN>"
    #[arg(long, value_name = "TOKEN", env = "CCMETER_TOKEN", hide_env_values = true, value_parser = checked_token)]
    pub token: Option<String>,
}

impl ReceiverArgs {
    /// The token, checked when the arguments were parsed.
    pub fn token(&self) -> Option<ccmeter_proto::Token> {
        self.token.as_deref().and_then(|text| ccmeter_proto::Token::new(text).ok())
    }
}

/// Kept as text, refused here if unusable.
fn checked_token(text: &str) -> Result<String, ccmeter_proto::TokenError> {
    ccmeter_proto::Token::new(text).map(|_| text.to_owned())
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum By {
    Day,
    Model,
    Session,
    /// The sessions' projects: the repository, else the project folder (README, "Projects").
    Project,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// First local day included (YYYY-MM-DD) [default: all history]
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// First local day excluded (YYYY-MM-DD) [default: no end]
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Add rows grouped by day, model or session
    #[arg(long, value_enum)]
    pub by: Option<By>,
    /// Print JSON instead of a table (indented at a terminal, one line into a pipe or a file)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct OpenArgs {
    /// The window to open
    #[arg(value_enum)]
    pub window: crate::window::WindowKind,
    #[command(flatten)]
    pub receiver: ReceiverArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PricesArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(subcommand)]
    pub action: Option<PricesAction>,
    /// Print the list as JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Subcommand)]
pub enum PricesAction {
    /// Set your price of a model, in US dollars per million tokens. Used after the rates learned from your own
    /// telemetry and before the bundled table; every estimate of the model is costed again.
    Set(PriceSetArgs),
    /// Remove your price of a model.
    Clear(PriceClearArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PriceSetArgs {
    /// The model as Claude Code names it, e.g. claude-opus-5-5
    pub model: String,
    /// Input tokens, USD per million
    // Text, checked by ccmeter: a malformed price is an input error (exit 1), not a usage error.
    #[arg(long, value_name = "USD", allow_hyphen_values = true)]
    pub input: String,
    /// Output tokens, USD per million
    #[arg(long, value_name = "USD", allow_hyphen_values = true)]
    pub output: String,
    /// Cache reads, USD per million [default: a tenth of the input price]
    #[arg(long, value_name = "USD", allow_hyphen_values = true)]
    pub cache_read: Option<String>,
    /// Cache writes kept 5 minutes, USD per million [default: 1.25 times the input price]
    #[arg(long = "cache-write-5m", value_name = "USD", allow_hyphen_values = true)]
    pub cache_write_5m: Option<String>,
    /// Cache writes kept an hour, USD per million [default: twice the input price]
    #[arg(long = "cache-write-1h", value_name = "USD", allow_hyphen_values = true)]
    pub cache_write_1h: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct PriceClearArgs {
    /// The model whose price to remove
    pub model: String,
}

#[derive(Debug, Clone, Args)]
pub struct BudgetArgs {
    #[command(flatten)]
    pub db: DbArg,
    #[command(subcommand)]
    pub action: BudgetAction,
}

#[derive(Debug, Clone, Subcommand)]
pub enum BudgetAction {
    /// Set a budget's limit (and alert thresholds), of all projects or of one (--project). Replaces the
    /// period's budget.
    Set(BudgetSetArgs),
    /// Show the budgets and what is spent in the current period.
    List(BudgetListArgs),
    /// Remove a budget.
    Clear(BudgetClearArgs),
}

/// A budget period: local day, week (from the configured first day), month, or each session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
    Session,
}

#[derive(Debug, Clone, Args)]
pub struct BudgetSetArgs {
    #[arg(long, value_enum)]
    pub period: PeriodArg,
    /// The limit in US dollars, e.g. 10 or 12.50
    // Text, checked by ccmeter: a negative or malformed amount is an input error (exit 1), not a usage error.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub usd: String,
    /// Alert thresholds in percent of the limit, comma-separated [default: the budget's current ones, or 50,80,100]
    #[arg(long, value_name = "LIST", allow_hyphen_values = true)]
    pub thresholds: Option<String>,
    /// Limit one project's spend (as `ccmeter report --by project` names it, e.g. acme/api) in a day, week or month
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct BudgetListArgs {
    /// Print JSON (the budgets and where each stands) instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Args)]
pub struct BudgetClearArgs {
    #[arg(long, value_enum)]
    pub period: PeriodArg,
    /// Remove this project's budget of the period, not the one of all projects
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    pub project: Option<String>,
}
