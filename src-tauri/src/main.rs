//! The `ccmeter` binary: the desktop app when run without a subcommand; a headless collector
//! (`serve`) and a reporter (`report`) with one.

mod budget_cli;
mod cli;
mod collector;
mod commands;
mod connect_cli;
mod gui;
mod icon;
mod instance;
mod notify;
mod report;
mod serve;
mod tray;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command};

fn init_logging() {
    // The HTTP/2 and gRPC stacks are chatty at debug; our own logs are what a user reads.
    let filter = EnvFilter::try_from_env("CCMETER_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,h2=warn,hyper=warn,tonic=warn,tower=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

/// Prints an error with its chain of causes, the way a person can act on it.
fn fail(error: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        Some(Command::Serve(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db);
            match serve::run(&db, args.grpc, args.http, args.token) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => fail(&error),
            }
        }
        Some(Command::Report(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(report::run(&db, &args).map(|text| text + "\n"))
        }
        Some(Command::Connect(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(connect_cli::run(&db, &args))
        }
        Some(Command::Budget(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(budget_cli::run(&db, &args))
        }
        // `open` hands the request to the app running on that database, or starts it with the window.
        Some(Command::Open(args)) => run_gui(args.receiver, Some(args.window)),
        None => run_gui(cli.receiver, cli.show),
    }
}

/// Prints a command's output, or its error the way `fail` does.
fn print_or_fail(result: Result<String, ccmeter_core::StoreError>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => fail(&error),
    }
}

fn run_gui(receiver: cli::ReceiverArgs, show: Option<gui::WindowKind>) -> ExitCode {
    let options = gui::GuiOptions {
        db: ccmeter_core::paths::database_path(receiver.db.db),
        grpc: receiver.grpc,
        http: receiver.http,
        token: receiver.token,
        show,
    };
    match gui::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}
