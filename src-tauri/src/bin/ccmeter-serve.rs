//! `ccmeter-serve`: the headless collector that `ccmeter serve` runs. The same collector code as the app's,
//! built into a binary that links no GTK or WebKit, so a collector left running holds only what it uses.

// Shared with `ccmeter`, which uses more of them than this binary: all of the CLI, the collector's handles
// the tray reads, and the window names.
#[allow(dead_code)]
#[path = "../cli.rs"]
mod cli;
#[allow(dead_code)]
#[path = "../collector.rs"]
mod collector;
#[allow(dead_code)]
#[path = "../logging.rs"]
mod logging;
#[path = "../serve.rs"]
mod serve;
#[allow(dead_code)]
#[path = "../window.rs"]
mod window;

use std::process::ExitCode;

use clap::Parser;

/// Receives Claude Code's OTLP telemetry into the ccmeter database, headless (what `ccmeter serve` runs).
#[derive(Debug, Parser)]
#[command(name = "ccmeter-serve", version)]
struct Args {
    #[command(flatten)]
    receiver: cli::ReceiverArgs,
    /// Prints the build's fingerprint: `ccmeter serve` runs this binary only when it is of its own build.
    #[arg(long, hide = true)]
    build_id: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.build_id {
        println!("{}", env!("CCMETER_BUILD_ID"));
        return ExitCode::SUCCESS;
    }
    logging::init_logging();
    let db = ccmeter_core::paths::database_path(args.receiver.db.db.clone());
    match serve::run(&db, args.receiver.grpc, args.receiver.http, args.receiver.token()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => logging::fail(&error),
    }
}
