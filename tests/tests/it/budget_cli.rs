//! `ccmeter budget set|list|clear`, run as the real binary on a temp database: budgets round-trip,
//! bad input is refused with exit code 1 and changes nothing, and `CCMETER_DB` picks the database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ccmeter_tests::ccmeter_bin;
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A temp dir with a database path in it, and the binary run against that database.
struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        Cli { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("ccmeter.db")
    }

    /// `ccmeter budget <args> --db <db>`.
    fn budget(&self, args: &[&str]) -> Output {
        let output = command().arg("budget").args(args).arg("--db").arg(self.db()).output().expect("run ccmeter");
        println!("ccmeter budget {}: {}{}", args.join(" "), stdout(&output), stderr(&output));
        output
    }

    /// `ccmeter budget list --json`, parsed.
    fn list(&self) -> Value {
        let output = self.budget(&["list", "--json"]);
        assert!(output.status.success(), "list failed: {}", stderr(&output));
        serde_json::from_slice(&output.stdout).expect("list --json prints JSON")
    }
}

/// The binary with a fixed zone and no database from the environment.
fn command() -> Command {
    let mut command = Command::new(ccmeter_bin());
    command.env("CCMETER_TZ", "Europe/Berlin").env("CCMETER_LOG", "warn").env_remove("CCMETER_DB");
    command
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeded(output: Output) -> String {
    assert!(output.status.success(), "failed: {}", stderr(&output));
    stdout(&output)
}

/// `ccmeter budget <args>` exits 1, says `reason` on stderr and leaves the budgets as `before`.
fn refused(cli: &Cli, args: &[&str], reason: &str, before: &Value) {
    let output = cli.budget(args);
    assert_eq!(output.status.code(), Some(1), "{args:?}");
    let said = stderr(&output);
    assert!(said.starts_with("error: ") && said.contains(reason), "{args:?}: {said:?} should say {reason:?}");
    assert_eq!(&cli.list(), before, "{args:?} changed the budgets");
}

fn statuses_of<'a>(list: &'a Value, period: &str) -> Vec<&'a Value> {
    list["statuses"].as_array().expect("statuses").iter().filter(|s| s["period"] == period).collect()
}

#[test]
fn budgets_set_list_and_clear_round_trip_through_the_database() -> TestResult {
    let cli = Cli::new();
    assert_eq!(
        cli.list(),
        json!({"budgets": {"day": null, "week": null, "month": null, "session": null, "projects": []}, "statuses": []})
    );

    let said = succeeded(cli.budget(&["set", "--period", "day", "--usd", "10"]));
    assert_eq!(said, "Daily budget set to $10.00; alerts at 50 %, 80 % and 100 % of it.\n");
    succeeded(cli.budget(&["set", "--period", "session", "--usd", "2.50", "--thresholds", "100,80"]));
    succeeded(cli.budget(&["set", "--period", "week", "--usd", "$50", "--thresholds", "25,50,75,100"]));
    succeeded(cli.budget(&["set", "--period", "month", "--usd", "200"]));

    let list = cli.list();
    assert_eq!(
        list["budgets"],
        json!({
            "day": {"limit_usd": 10.0, "thresholds": [50, 80, 100]},
            "week": {"limit_usd": 50.0, "thresholds": [25, 50, 75, 100]},
            "month": {"limit_usd": 200.0, "thresholds": [50, 80, 100]},
            "session": {"limit_usd": 2.5, "thresholds": [80, 100]},
            "projects": [],
        })
    );
    let day = statuses_of(&list, "day");
    assert_eq!(day.len(), 1);
    assert_eq!(
        (&day[0]["spent_nanos"], &day[0]["limit_nanos"], &day[0]["used"], &day[0]["reached"], &day[0]["state"]),
        (&json!(0), &json!(10_000_000_000_i64), &json!(0.0), &Value::Null, &json!("ok"))
    );
    assert_eq!(statuses_of(&list, "week").len(), 1);
    assert_eq!(statuses_of(&list, "month").len(), 1);
    assert!(statuses_of(&list, "session").is_empty(), "no session has been active today");

    // A new limit keeps the thresholds already chosen.
    succeeded(cli.budget(&["set", "--period", "week", "--usd", "60"]));
    assert_eq!(cli.list()["budgets"]["week"], json!({"limit_usd": 60.0, "thresholds": [25, 50, 75, 100]}));

    let table = succeeded(cli.budget(&["list"]));
    assert!(table.contains("local time Europe/Berlin; weeks start on Monday"), "{table}");
    for figure in ["$10.00", "$60.00", "$200.00", "$2.50", "25, 50, 75, 100 %", "no session active today"] {
        assert!(table.contains(figure), "{figure} missing from\n{table}");
    }

    assert_eq!(succeeded(cli.budget(&["clear", "--period", "week"])), "Weekly budget removed.\n");
    assert_eq!(succeeded(cli.budget(&["clear", "--period", "week"])), "There was no weekly budget; nothing changed.\n");
    let list = cli.list();
    assert_eq!(list["budgets"]["week"], Value::Null);
    assert!(statuses_of(&list, "week").is_empty());
    assert_eq!(list["budgets"]["day"]["limit_usd"], 10.0, "the others stay");
    Ok(())
}

#[test]
fn bad_input_exits_with_code_1_says_why_and_changes_nothing() -> TestResult {
    let cli = Cli::new();
    succeeded(cli.budget(&["set", "--period", "day", "--usd", "10", "--thresholds", "60,90"]));
    let before = cli.list();
    let cases: &[(&[&str], &str)] = &[
        (&["--usd", "-5"], "from 0.01 to 1000000"),
        (&["--usd", "0"], "from 0.01 to 1000000"),
        (&["--usd", "NaN"], "got NaN"),
        (&["--usd", "inf"], "got inf"),
        (&["--usd", "ten"], "--usd takes an amount in US dollars"),
        (&["--usd", "5", "--thresholds", "abc"], "--thresholds takes whole percentages"),
        (&["--usd", "5", "--thresholds", "0"], "percentages from 1 to 1000"),
        (&["--usd", "5", "--thresholds", "50,5000"], "has 5000"),
        (&["--usd", "5", "--thresholds", ""], "--thresholds takes whole percentages"),
    ];
    for (args, reason) in cases {
        refused(&cli, &[&["set", "--period", "day"], *args].concat(), reason, &before);
    }

    // Refused before the database is touched: no file appears for a bad first command.
    let fresh = Cli::new();
    let output = fresh.budget(&["set", "--period", "week", "--usd", "-1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!fresh.db().exists(), "a refused command created {}", fresh.db().display());
    Ok(())
}

#[test]
fn a_project_budget_is_set_listed_and_cleared_beside_the_others_and_bad_ones_are_refused() -> TestResult {
    let cli = Cli::new();
    let said = succeeded(cli.budget(&["set", "--project", "acme/api", "--period", "week", "--usd", "20"]));
    assert_eq!(
        said,
        "Weekly budget of acme/api set to $20.00; alerts at 50 %, 80 % and 100 % of it.\n\
         No session of acme/api is recorded yet (no session has a project yet); its spend counts from its first one.\n"
    );
    succeeded(cli.budget(&["set", "--project", "acme/api", "--period", "day", "--usd", "4", "--thresholds", "100"]));
    succeeded(cli.budget(&["set", "--project", "~/scratch", "--period", "month", "--usd", "9.99"]));
    // A new limit keeps the project budget's thresholds; the budget of all projects is another one.
    succeeded(cli.budget(&["set", "--project", "acme/api", "--period", "day", "--usd", "5"]));
    succeeded(cli.budget(&["set", "--period", "day", "--usd", "10"]));
    let list = cli.list();
    assert_eq!(
        list["budgets"]["projects"],
        json!([
            {"project": "acme/api", "period": "week", "budget": {"limit_usd": 20.0, "thresholds": [50, 80, 100]}},
            {"project": "acme/api", "period": "day", "budget": {"limit_usd": 5.0, "thresholds": [100]}},
            {"project": "~/scratch", "period": "month", "budget": {"limit_usd": 9.99, "thresholds": [50, 80, 100]}},
        ])
    );
    assert_eq!(list["budgets"]["day"]["limit_usd"], 10.0);
    let day = statuses_of(&list, "day");
    let projects: Vec<&Value> = day.iter().map(|s| &s["project"]).collect();
    assert_eq!(projects, [&Value::Null, &json!("acme/api")], "all projects' first, then the project's");

    let table = succeeded(cli.budget(&["list"]));
    println!("{table}");
    for line in [
        "  PROJECT    PERIOD                    LIMIT  ALERTS AT               SPENT     USED  STATE",
        "  acme/api   week of ",
        "  ~/scratch  month ",
    ] {
        assert!(table.contains(line), "{line:?} missing from\n{table}");
    }
    assert!(table.lines().any(|l| l.starts_with("  acme/api   day ") && l.ends_with("$0.00    0.0 %  ok")), "{table}");

    assert_eq!(
        succeeded(cli.budget(&["clear", "--project", "acme/api", "--period", "week"])),
        "Weekly budget of acme/api removed.\n"
    );
    assert_eq!(
        succeeded(cli.budget(&["clear", "--project", "acme/api", "--period", "week"])),
        "There was no weekly budget of acme/api; nothing changed.\n"
    );
    let list = cli.list();
    assert_eq!(list["budgets"]["projects"].as_array().map(Vec::len), Some(2));
    assert_eq!(list["budgets"]["day"]["limit_usd"], 10.0, "clearing a project's budget leaves all projects' one");

    let before = cli.list();
    let cases: &[(&[&str], &str)] = &[
        (&["--project", "", "--period", "day", "--usd", "5"], "needs the project's name"),
        (&["--project", " acme/api", "--period", "day", "--usd", "5"], "needs the project's name"),
        (&["--project", "acme/\u{7}api", "--period", "day", "--usd", "5"], "needs the project's name"),
        (&["--project", "acme/api", "--period", "session", "--usd", "5"], "a day, a week or a month"),
        (&["--project", "acme/api", "--period", "day", "--usd", "-5"], "the daily budget of acme/api must be"),
        (&["--project", "acme/api", "--period", "day", "--usd", "5", "--thresholds", "0"], "percentages from 1"),
    ];
    for (args, reason) in cases {
        refused(&cli, &[&["set"], *args].concat(), reason, &before);
    }
    Ok(())
}

fn with_env_db(db: &Path, args: &[&str]) -> Output {
    command().env("CCMETER_DB", db).arg("budget").args(args).output().expect("run ccmeter")
}

#[test]
fn ccmeter_db_picks_the_database_when_no_db_flag_is_given_and_the_flag_wins_over_it() -> TestResult {
    let cli = Cli::new();
    let other = cli.dir.path().join("other.db");
    succeeded(with_env_db(&cli.db(), &["set", "--period", "month", "--usd", "100"]));
    assert_eq!(cli.list()["budgets"]["month"]["limit_usd"], 100.0, "written where CCMETER_DB points");
    let listed: Value = serde_json::from_str(&succeeded(with_env_db(&cli.db(), &["list", "--json"])))?;
    assert_eq!(listed["budgets"]["month"]["limit_usd"], 100.0, "read where CCMETER_DB points");

    succeeded(with_env_db(
        &other,
        &["set", "--period", "day", "--usd", "3", "--db", cli.db().to_str().expect("utf-8")],
    ));
    assert!(!other.exists(), "--db wins over CCMETER_DB");
    assert_eq!(cli.list()["budgets"]["day"]["limit_usd"], 3.0);

    // --db is accepted before the subcommand too.
    let early = command().arg("--db").arg(cli.db()).args(["budget", "list", "--json"]).output()?;
    let early: Value = serde_json::from_str(&succeeded(early))?;
    assert_eq!(early["budgets"]["day"]["limit_usd"], 3.0);
    Ok(())
}
