//! The one state every IPC command reads: the app the windows work with (where the database is, how to read
//! it, where its receivers listen, and its one writer), the desktop they may ask things of, and the clock.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

use ccmeter_app::error::IpcError;
use ccmeter_app::instance::Receivers;
use ccmeter_app::writes::{Write, Written};
#[cfg(test)]
use ccmeter_core::collector::Collector;
use ccmeter_core::store::Connection;
use ccmeter_core::{StoreError, TimeContext};

use crate::window::WindowKind;

/// A write on its way to the app's writer.
pub type Pending<'a> = Pin<Box<dyn Future<Output = Result<Written, IpcError>> + Send + 'a>>;

/// The app behind the windows: in this process (it owns the collector), or the tray process the window
/// process talks to over the instance socket.
pub trait Backend: Send + Sync {
    /// The database file.
    fn db(&self) -> &Path;
    /// A connection to read the database with (blocking: call it off the async threads).
    fn reader(&self) -> Result<Connection, StoreError>;
    /// Where the receivers listen, or why not (blocking).
    fn receivers(&self) -> Receivers;
    /// Makes `write` through the database's one writer (`time`: the clock a window reads days with; the tray
    /// process uses its own).
    fn write(&self, write: Write, time: TimeContext) -> Pending<'_>;
}

/// The app in this process: its collector's store and receivers (the commands' tests run on it).
#[cfg(test)]
pub struct InProcess(pub Collector);

#[cfg(test)]
impl Backend for InProcess {
    fn db(&self) -> &Path {
        &self.0.db
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        self.0.store.reader()
    }

    fn receivers(&self) -> Receivers {
        Receivers::of(&self.0)
    }

    fn write(&self, write: Write, time: TimeContext) -> Pending<'_> {
        let store = self.0.store.clone();
        Box::pin(async move { write.apply(&store, &time).await })
    }
}

/// What a command may ask of the desktop around it. The app implements it with Tauri; tests record the calls.
pub trait Desktop: Send + Sync {
    /// Opens (or focuses) one of the app's windows.
    fn open_window(&self, kind: WindowKind);
    /// The settings were saved: the tray, budgets and login item follow them.
    fn settings_changed(&self);
    /// History was deleted: the tray and every open window show the new figures.
    fn history_changed(&self);
}

pub struct AppState {
    pub backend: Arc<dyn Backend>,
    pub desktop: Arc<dyn Desktop>,
    /// `None`: the system clock and zone, read at each call.
    fixed_time: Option<TimeContext>,
}

impl AppState {
    pub fn new(backend: Arc<dyn Backend>, desktop: Arc<dyn Desktop>) -> AppState {
        AppState { backend, desktop, fixed_time: None }
    }

    /// A state whose "now" and zone never change, for tests.
    #[cfg(test)]
    pub fn with_fixed_time(backend: Arc<dyn Backend>, desktop: Arc<dyn Desktop>, time: TimeContext) -> AppState {
        AppState { backend, desktop, fixed_time: Some(time) }
    }

    /// The clock and zone a command reads "today" and local days with.
    pub fn time(&self) -> TimeContext {
        self.fixed_time.clone().unwrap_or_else(TimeContext::system)
    }
}
