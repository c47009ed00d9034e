//! The writes a window asks for, made by the app that owns the database's one writer (the store's writer
//! thread): a window process never writes the database itself, it sends these over the instance socket.

use ccmeter_core::history::Imported;
use ccmeter_core::words::range::Range;
use ccmeter_core::words::settings::SettingsPatch;
use ccmeter_core::write::delete::{self, Deleted};
use ccmeter_core::{Settings, Store, TimeContext};
use serde::{Deserialize, Serialize};

use crate::error::IpcError;

/// A write, as a window asks for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "write")]
pub enum Write {
    /// The fields a window changed, applied to the settings as stored now.
    /// (Boxed: a patch of every field is much larger than the other writes.)
    SaveSettings { patch: Box<SettingsPatch> },
    /// One session and everything it recorded (`""`: the data without a session).
    DeleteSession { id: String },
    /// Every record in `[from_ns, to_ns)` (UTC nanoseconds; a window's local days).
    DeleteRange { from_ns: Option<i64>, to_ns: Option<i64> },
    /// Whether this is the first start, to show the welcome window (true once per database).
    TakeWelcome,
    /// Claude Code's transcripts imported into the history, and followed from then on (the windows' offer).
    ImportTranscripts,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "written", content = "value")]
pub enum Written {
    /// Boxed: the settings are ten times the size of the other answers.
    Settings(Box<Settings>),
    Deleted(Deleted),
    Welcome(bool),
    Imported(Box<Imported>),
}

impl Write {
    /// Makes the write through `store`'s writer (`time` dates what the settings rules need, e.g. a pause).
    pub async fn apply(self, store: &Store, time: &TimeContext) -> Result<Written, IpcError> {
        match self {
            Write::SaveSettings { patch } => {
                let time = time.clone();
                let prices_changed = patch.price_overrides.is_some();
                let (saved, erased) =
                    store.exec(move |tx| ccmeter_core::apply_settings::patch_and_apply(tx, &time, &patch)).await?;
                // Erased content must leave the write-ahead log too, not only the tables.
                if erased {
                    store.checkpoint().await?;
                }
                if prices_changed {
                    ccmeter_core::history::reprice_now(store).await?;
                }
                Ok(Written::Settings(Box::new(saved)))
            }
            Write::DeleteSession { id } => Ok(Written::Deleted(store.exec(move |tx| delete::session(tx, &id)).await?)),
            Write::DeleteRange { from_ns, to_ns } => {
                let range = Range { from_ns, to_ns };
                Ok(Written::Deleted(store.exec(move |tx| delete::range(tx, range)).await?))
            }
            Write::TakeWelcome => Ok(Written::Welcome(store.exec(ccmeter_core::store::settings::take_welcome).await?)),
            Write::ImportTranscripts => import_transcripts(store, |_, _| {}).await,
        }
    }

    /// Whether the tray and the windows must read the history again (rather than only the settings).
    pub fn changes_history(&self) -> bool {
        match self {
            Write::SaveSettings { patch } => patch.price_overrides.is_some(),
            Write::DeleteSession { .. } | Write::DeleteRange { .. } | Write::ImportTranscripts => true,
            Write::TakeWelcome => false,
        }
    }
}

/// Imports Claude Code's transcripts folder whole (`progress` hears files read of files found), then keeps
/// following it (`Settings::follow_transcripts`): the user accepted the offer.
pub async fn import_transcripts(store: &Store, progress: impl FnMut(usize, usize)) -> Result<Written, IpcError> {
    let Some(dir) = ccmeter_core::transcripts::projects_dir().filter(|dir| dir.is_dir()) else {
        let shown = ccmeter_core::transcripts::projects_dir().unwrap_or_else(|| "~/.claude/projects".into());
        return Err(ccmeter_core::StoreError::NoTranscripts { dir: shown }.into());
    };
    let imported = ccmeter_core::history::import(store, &[dir], None, progress).await?;
    store
        .exec(|tx| {
            let mut settings = ccmeter_core::store::settings::load(tx)?;
            settings.follow_transcripts = Some(true);
            ccmeter_core::store::settings::save(tx, &settings)
        })
        .await?;
    Ok(Written::Imported(Box::new(imported)))
}
