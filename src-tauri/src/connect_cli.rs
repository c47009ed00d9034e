//! `ccmeter connect`: "Connect Claude Code" from a terminal — the same merge the empty dashboard offers.

use std::io::{BufRead, IsTerminal, Write};

use ccmeter_core::StoreError;
use ccmeter_core::connect;

use crate::cli::ConnectArgs;

pub fn run(db: &std::path::Path, args: &ConnectArgs) -> Result<String, StoreError> {
    let path = connect::settings_path()?;
    let grpc = match args.grpc {
        Some(addr) => addr.to_string(),
        None if db.exists() => {
            ccmeter_core::store::settings::load(&ccmeter_core::store::open_connection(db)?)?.grpc_addr
        }
        None => ccmeter_core::Settings::default().grpc_addr,
    };
    let endpoint = format!("http://{grpc}");
    let plan = connect::plan(&path, &endpoint)?;
    if plan.changes.is_empty() {
        return Ok(format!(
            "Claude Code is already set up to send to ccmeter at {endpoint} ({}). Restart it if it is running.\n",
            plan.path
        ));
    }
    let mut out = format!(
        "ccmeter will {} {} and keep everything else in it:\n\n",
        if plan.exists { "change" } else { "create" },
        plan.path
    );
    for change in &plan.changes {
        out.push_str(&format!(
            "  env.{:<30} {} -> {}\n",
            change.key,
            change.before.as_deref().unwrap_or("(not set)"),
            change.after
        ));
    }
    if args.dry_run {
        out.push_str("\nNothing was written (--dry-run).\n");
        return Ok(out);
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            out.push_str("\nNothing was written: run `ccmeter connect --yes` to write these changes.\n");
            return Ok(out);
        }
        print!("{out}\nWrite these changes? [y/N] ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            return Ok("Nothing was written.\n".into());
        }
        out.clear();
    }
    let done = connect::apply(&path, &endpoint, chrono::Utc::now())?;
    out.push_str(&format!("\nWrote {} settings to {}.", done.changed, done.path));
    if let Some(backup) = done.backup {
        out.push_str(&format!(" The previous file is saved as {backup}."));
    }
    out.push_str(" Restart Claude Code and its sessions appear in ccmeter.\n");
    Ok(out)
}
