//! `ccmeter connect`: "Connect Claude Code" from a terminal — the same merge the empty dashboard offers —
//! and `ccmeter connect --undo`, which puts back what was there before.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use ccmeter_core::StoreError;
use ccmeter_core::connect::{self, ConnectPlan, Connected, Wanted};

use crate::cli::ConnectArgs;

pub fn run(db: &Path, explicit_db: bool, args: &ConnectArgs) -> Result<String, StoreError> {
    let path = connect::settings_path()?;
    if args.undo {
        return undo(&path, args);
    }
    let grpc = match args.grpc {
        Some(addr) => addr.to_string(),
        None if db.exists() => {
            ccmeter_core::store::settings::load(&ccmeter_core::store::open_connection(db)?)?.grpc_addr
        }
        None => ccmeter_core::Settings::default().grpc_addr,
    };
    let endpoint = format!("http://{grpc}");
    // This very binary, wherever it is installed: Claude Code may run the command without the user's PATH.
    let ccmeter =
        std::env::current_exe().and_then(std::fs::canonicalize).unwrap_or_else(|_| std::path::PathBuf::from("ccmeter"));
    let named_db = explicit_db.then(|| std::path::absolute(db).unwrap_or_else(|_| db.to_owned()));
    let wanted = Wanted {
        grpc_endpoint: endpoint.clone(),
        statusline: connect::statusline_command(&ccmeter, named_db.as_deref()),
    };
    let plan = connect::plan(&path, &wanted)?;
    if plan.changes.is_empty() {
        return Ok(format!(
            "Claude Code is already set up to send to ccmeter at {endpoint} and show its status line ({}). \
             Restart it if it is running.\n",
            plan.path
        ));
    }
    let mut out = match confirmed(shown(&plan, "keep everything else in it"), args) {
        Decision::Write(out) => out,
        Decision::Stop(out) => return Ok(out),
    };
    let done = connect::apply(&path, &wanted, chrono::Utc::now())?;
    written(&mut out, &done);
    out.push_str(
        " Restart Claude Code and its sessions appear in ccmeter; `ccmeter connect --undo` takes it all out.\n",
    );
    Ok(out)
}

fn undo(path: &Path, args: &ConnectArgs) -> Result<String, StoreError> {
    let Some(plan) = connect::undo_plan(path)? else {
        return Ok(format!("ccmeter has not changed {}: nothing to undo.\n", path.display()));
    };
    let out = if plan.changes.is_empty() {
        format!("{} already has the entries it had before ccmeter.\n", plan.path)
    } else {
        shown(&plan, "put back what was there before ccmeter")
    };
    let mut out = match confirmed(out, args) {
        Decision::Write(out) => out,
        Decision::Stop(out) => return Ok(out),
    };
    match connect::undo(path, chrono::Utc::now())? {
        Some(done) if done.changed > 0 => {
            written(&mut out, &done);
            out.push_str(" Restart Claude Code for it to take effect.\n");
        }
        _ => out.push_str("ccmeter's record of them is removed.\n"),
    }
    Ok(out)
}

/// The plan as the user reads it before anything is written.
fn shown(plan: &ConnectPlan, doing: &str) -> String {
    let mut out =
        format!("ccmeter will {} {} and {doing}:\n\n", if plan.exists { "change" } else { "create" }, plan.path);
    for change in &plan.changes {
        out.push_str(&format!(
            "  {:<36} {} -> {}\n",
            change.key,
            change.before.as_deref().unwrap_or("(not set)"),
            change.after.as_deref().unwrap_or("(removed)")
        ));
    }
    out
}

/// Whether to write, and what to print.
enum Decision {
    /// Write, after printing this (the plan, unless the user read it at the prompt).
    Write(String),
    /// Write nothing and print this: a dry run, a "no", or no terminal to ask in.
    Stop(String),
}

/// Asks before writing the plan `out` describes, unless `--yes` (or `--dry-run`) answered already.
fn confirmed(mut out: String, args: &ConnectArgs) -> Decision {
    if args.dry_run {
        out.push_str("\nNothing was written (--dry-run).\n");
        return Decision::Stop(out);
    }
    if args.yes {
        return Decision::Write(out);
    }
    if !std::io::stdin().is_terminal() {
        let again = if args.undo { "ccmeter connect --undo --yes" } else { "ccmeter connect --yes" };
        out.push_str(&format!("\nNothing was written: run `{again}` to write these changes.\n"));
        return Decision::Stop(out);
    }
    print!("{out}\nWrite these changes? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Decision::Write(String::new())
    } else {
        Decision::Stop("Nothing was written.\n".into())
    }
}

fn written(out: &mut String, done: &Connected) {
    out.push_str(&format!("\nWrote {} settings to {}.", done.changed, done.path));
    if let Some(backup) = &done.backup {
        out.push_str(&format!(" The previous file is saved as {backup}."));
    }
}
