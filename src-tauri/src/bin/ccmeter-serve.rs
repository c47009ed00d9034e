//! `ccmeter-serve`: the headless collector that `ccmeter serve` hands over to. It is built from
//! `ccmeter_core::collector` alone, so it links no GTK or WebKit and a collector left running holds only
//! what it uses. `ccmeter serve` is the command people type (its flags are documented there); this binary
//! takes the same receiver flags, which `ccmeter serve` passes on.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ccmeter_core::collector::headless;
use ccmeter_core::logging::{fail, init_logging};
use clap::Parser;

/// Receives Claude Code's OTLP telemetry into the ccmeter database, headless (what `ccmeter serve` runs).
#[derive(Debug, Parser)]
#[command(name = "ccmeter-serve", version)]
struct Args {
    /// The database file [default: the platform data dir, or $CCMETER_DB]
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Address for OTLP/gRPC [default: the saved setting, else 127.0.0.1:4317]
    #[arg(long, value_name = "ADDR")]
    grpc: Option<SocketAddr>,
    /// Address for OTLP/HTTP [default: the saved setting, else 127.0.0.1:4318]
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Bearer token every export must carry (from the environment, never the command line other users read)
    #[arg(long, value_name = "TOKEN", env = "CCMETER_TOKEN", hide_env_values = true, value_parser = ccmeter_proto::Token::new)]
    token: Option<ccmeter_proto::Token>,
    /// Prints the build's fingerprint: `ccmeter serve` runs this binary only when it is of its own build.
    #[arg(long, hide = true)]
    build_id: bool,
}

/// The receiver runs in this process: see mimalloc's line in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Args::parse();
    if args.build_id {
        println!("{}", env!("CCMETER_BUILD_ID"));
        return ExitCode::SUCCESS;
    }
    init_logging();
    let db = ccmeter_core::paths::database_path(args.db);
    match headless::run(&db, args.grpc, args.http, args.token) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}
