//! The `ccmeter` binary: the tray app when run without a subcommand (the receivers and the store's writer,
//! the tray item, budgets and notifications, the login item: `app`), and the CLI's subcommands with one. It
//! links no web view: the windows are `ccmeter-windows` (`windows/`), which the tray app starts when one is
//! opened. `serve` runs the collector alone, in this process.

mod app;
mod budget_cli;
mod cli;
mod connect_cli;
mod history_cli;
#[cfg(target_os = "linux")]
mod icon_files;
mod login;
mod notify;
mod prices_cli;
mod report;
#[cfg(target_os = "linux")]
mod status_item;
mod statusline_cli;
mod transfer_cli;
#[cfg(target_os = "linux")]
mod tray_view;

use std::io::Write as _;
use std::process::ExitCode;

use ccmeter_app::{instance, window};

use crate::window::WindowKind;

use clap::Parser;

use crate::cli::{Cli, Command};
use ccmeter_core::collector::headless;
use ccmeter_core::logging::{fail, init_app_logging, init_logging};

/// The receiver runs in this process: see mimalloc's line in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The app (no subcommand, or `open` when it has to start) logs to a file as well: it may have no terminal.
    if matches!(cli.command, None | Some(Command::Open(_))) {
        init_app_logging();
    } else {
        init_logging();
    }
    match cli.command {
        Some(Command::Serve(args)) => serve_headless(args),
        Some(Command::Report(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            // Indented for a person at a terminal, one line for a program.
            let layout = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                report::JsonLayout::Indented
            } else {
                report::JsonLayout::Compact
            };
            match report::run(&db, &args, layout, &mut std::io::BufWriter::new(std::io::stdout().lock())) {
                Ok(()) => ExitCode::SUCCESS,
                // The reader went away (`| head`): it had what it wanted.
                Err(report::ReportError::Write(error)) if error.kind() == std::io::ErrorKind::BrokenPipe => {
                    ExitCode::SUCCESS
                }
                Err(error) => fail(&error),
            }
        }
        Some(Command::Connect(args)) => {
            // A database other than the default one is named in the status line command.
            let explicit = args.db.db.is_some() || std::env::var_os("CCMETER_DB").is_some_and(|v| !v.is_empty());
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(connect_cli::run(&db, explicit, &args))
        }
        Some(Command::Budget(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(budget_cli::run(&db, &args))
        }
        Some(Command::Export(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(transfer_cli::export(&db, &args.out))
        }
        Some(Command::Import(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(transfer_cli::import(&db, &args.file))
        }
        Some(Command::ImportTranscripts(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(history_cli::run(&db, &args))
        }
        Some(Command::Prices(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db.clone());
            print_or_fail(prices_cli::run(&db, &args))
        }
        Some(Command::Statusline(args)) => {
            let db = ccmeter_core::paths::database_path(args.db.db);
            // https://no-color.org: any non-empty NO_COLOR turns the colours off.
            let colour = std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
            let line = statusline_cli::run(&db, &mut std::io::stdin().lock(), args.then.as_deref(), colour);
            // Claude Code may have cancelled the run and closed the pipe: nothing is left to tell it.
            let _ = writeln!(std::io::stdout(), "{line}");
            ExitCode::SUCCESS
        }
        Some(Command::Diagnostics(args)) => {
            let db = ccmeter_core::paths::database_path(args.db);
            print_or_fail(ccmeter_core::read::diagnostics::of_file(&db, env!("CARGO_PKG_VERSION")))
        }
        Some(Command::Quit(args)) => {
            let db = ccmeter_core::paths::database_path(args.db);
            match instance::send(&db, instance::Request::Quit) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => {
                    println!("ccmeter is not running on {}.", db.display());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("ccmeter: cannot reach the app on {}: {error}", db.display());
                    ExitCode::FAILURE
                }
            }
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

/// `ccmeter serve`: the collector alone, in this process (this binary links no GTK or WebKit: the windows are
/// `ccmeter-windows`).
fn serve_headless(args: cli::ReceiverArgs) -> ExitCode {
    let db = ccmeter_core::paths::database_path(args.db.db.clone());
    match headless::run(&db, args.grpc, args.http, args.metrics, args.token()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn run_gui(receiver: cli::ReceiverArgs, show: Option<WindowKind>) -> ExitCode {
    let options = app::AppOptions {
        token: receiver.token(),
        db: ccmeter_core::paths::database_path(receiver.db.db),
        grpc: receiver.grpc,
        http: receiver.http,
        metrics: receiver.metrics,
        show,
    };
    match app::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            notify::startup_failure(&error);
            fail(&error)
        }
    }
}
