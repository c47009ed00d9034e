//! Command-line interface: the subcommands that need no display.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const DEFAULT_GRPC: &str = "127.0.0.1:4317";
pub const DEFAULT_HTTP: &str = "127.0.0.1:4318";

/// See what Claude Code costs you. Without a subcommand, starts the tray app.
#[derive(Debug, Parser)]
#[command(name = "ccmeter", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub receiver: ReceiverArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the OTLP collector headless (no tray, no windows) until Ctrl-C or SIGTERM.
    Serve(ReceiverArgs),
    /// Print cost, tokens and activity for a period.
    Report(ReportArgs),
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
    /// Address for OTLP/gRPC
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_GRPC)]
    pub grpc: SocketAddr,
    /// Address for OTLP/HTTP
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_HTTP)]
    pub http: SocketAddr,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum By {
    Day,
    Model,
    Session,
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
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}
