//! `ccmeter import-transcripts`: the history from before telemetry, read from Claude Code's transcripts (the
//! rules are in `ccmeter_core::history`).

use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};

use ccmeter_core::history::{Imported, import};
use ccmeter_core::pricing::table::PriceTable;
use ccmeter_core::words::money::money;
use ccmeter_core::words::range::parse_date;
use ccmeter_core::{Store, StoreError, TimeContext};

use crate::cli::ImportTranscriptsArgs;
use crate::report::plural;

pub fn run(db: &Path, args: &ImportTranscriptsArgs) -> Result<String, StoreError> {
    // Checked before the database is opened: a wrong folder or day changes nothing, not even creates the file.
    let dirs = folders(args.dir.as_deref())?;
    let ctx = TimeContext::system();
    let since = args.since.as_deref().map(parse_date).transpose()?.map(|day| ctx.start_of_day(day));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| StoreError::Write(format!("cannot start the async runtime: {error}")))?;
    let progress = Progress::new();
    // Claude Code's own folder, whole: the user means to have the history, and ccmeter keeps it up to date from
    // then on (as accepting the app's offer does). A `--dir` or `--since` import is a one-off.
    let follow = args.dir.is_none() && since.is_none();
    let (imported, started_following) = runtime.block_on(async {
        let store = Store::open(db)?;
        let imported = import(&store, &dirs, since, |read, all| progress.show(read, all)).await?;
        let started = follow
            && store
                .exec(|tx| {
                    let mut settings = ccmeter_core::store::settings::load(tx)?;
                    let was = settings.follow_transcripts;
                    if was.is_none() {
                        settings.follow_transcripts = Some(true);
                        ccmeter_core::store::settings::save(tx, &settings)?;
                    }
                    Ok(was.is_none())
                })
                .await?;
        Ok::<_, StoreError>((imported, started))
    })?;
    progress.done();
    let reached = match crate::instance::send(db, crate::instance::Request::HistoryChanged) {
        Ok(true) if imported.added > 0 => " The running app shows it.",
        Ok(_) => "",
        Err(error) => {
            tracing::warn!(%error, "could not reach the running app; it shows the import after its next data");
            ""
        }
    };
    let mut said = summary(&imported, reached);
    if started_following {
        said.push_str(
            "From now on ccmeter imports what Claude Code adds to its transcripts while it runs (Settings → History \
             turns it off).\n",
        );
    }
    Ok(said)
}

/// `--dir a,b`, or Claude Code's own folder; each must be a folder.
fn folders(dir: Option<&str>) -> Result<Vec<PathBuf>, StoreError> {
    let dirs: Vec<PathBuf> = match dir {
        Some(list) => list.split(',').map(str::trim).filter(|d| !d.is_empty()).map(PathBuf::from).collect(),
        None => ccmeter_core::transcripts::projects_dir().into_iter().collect(),
    };
    if dirs.is_empty() {
        return Err(StoreError::NoTranscripts { dir: PathBuf::from(dir.unwrap_or("~/.claude/projects")) });
    }
    match dirs.iter().find(|d| !d.is_dir()) {
        Some(missing) => Err(StoreError::NoTranscripts { dir: missing.clone() }),
        None => Ok(dirs),
    }
}

fn summary(imported: &Imported, reached: &str) -> String {
    let read = imported.files - imported.unchanged_files;
    if read == 0 && imported.files > 0 && imported.held_back == 0 {
        return format!(
            "Nothing new: {}, unchanged since the last import.\n",
            plural(imported.files as i64, "transcript file")
        );
    }
    let mut out = match imported.unchanged_files {
        0 => format!(
            "Read {} ({}, {}).\n",
            plural(imported.files as i64, "transcript file"),
            plural(imported.sessions as i64, "session"),
            plural(imported.responses as i64, "API response"),
        ),
        unchanged => format!(
            "Read {} new or grown since the last import ({unchanged} unchanged; {}, {}).\n",
            plural(read as i64, "transcript file"),
            plural(imported.sessions as i64, "session"),
            plural(imported.responses as i64, "API response"),
        ),
    };
    if imported.held_back > 0 {
        out.push_str(&format!(
            "{} still being written: imported once {} ended.\n",
            plural(imported.held_back as i64, "response"),
            if imported.held_back == 1 { "it has" } else { "they have" }
        ));
    }
    if imported.before_since > 0 {
        out.push_str(&format!("{} before --since left out.\n", plural(imported.before_since as i64, "response")));
    }
    let known = match imported.known {
        0 => String::new(),
        n => format!("; {} already in the history (from telemetry or an earlier import)", plural(n as i64, "request")),
    };
    if imported.added == 0 {
        out.push_str(&format!("Nothing new{known}.\n"));
    } else {
        out.push_str(&format!(
            "Added {}, estimated at {}{known}.{reached}\n",
            plural(imported.added as i64, "request"),
            money(imported.estimated_nanos)
        ));
    }
    if imported.added > 0 {
        let table = PriceTable::bundled();
        let yours = match imported.priced_override {
            0 => String::new(),
            n => format!(", {n} from your own prices"),
        };
        out.push_str(&format!(
            "Prices: {} from rates learned from your telemetry{yours}, {} from the bundled table ({}, {}).\n",
            imported.priced_learned, imported.priced_table, table.source, table.refreshed
        ));
    }
    if imported.no_price > 0 {
        out.push_str(&format!(
            "{} of a model with no known price: their tokens are counted, their cost is not.\n",
            plural(imported.no_price as i64, "request")
        ));
    }
    let skipped = imported.skipped;
    if skipped.total() > 0 || imported.unreadable_files > 0 {
        out.push_str(&format!(
            "Passed over: {} that could not be opened, {} too long to hold usage, {} unreadable, {} still being \
             written.\n",
            plural(imported.unreadable_files as i64, "file"),
            plural(skipped.too_long as i64, "line"),
            skipped.unreadable,
            skipped.unfinished
        ));
    }
    out
}

/// "Reading transcripts 120/3400" on stderr, redrawn in place, when stderr is a terminal.
struct Progress {
    shown: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress { shown: std::io::stderr().is_terminal() }
    }

    fn show(&self, read: usize, all: usize) {
        if self.shown && (read.is_multiple_of(50) || read == all) {
            let _ = write!(std::io::stderr(), "\rReading transcripts {read}/{all}");
        }
    }

    fn done(&self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}
