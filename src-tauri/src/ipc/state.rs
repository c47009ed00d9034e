//! The one state every IPC command reads: the collector (the store and where the receivers listen), the
//! desktop it may ask things of, and the clock.

use std::sync::Arc;

use ccmeter_core::TimeContext;
use ccmeter_core::collector::Collector;

use crate::window::WindowKind;

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
    pub collector: Collector,
    pub desktop: Arc<dyn Desktop>,
    /// `None`: the system clock and zone, read at each call.
    fixed_time: Option<TimeContext>,
}

impl AppState {
    pub fn new(collector: Collector, desktop: Arc<dyn Desktop>) -> AppState {
        AppState { collector, desktop, fixed_time: None }
    }

    /// A state whose "now" and zone never change, for tests.
    #[cfg(test)]
    pub fn with_fixed_time(collector: Collector, desktop: Arc<dyn Desktop>, time: TimeContext) -> AppState {
        AppState { collector, desktop, fixed_time: Some(time) }
    }

    /// The clock and zone a command reads "today" and local days with.
    pub fn time(&self) -> TimeContext {
        self.fixed_time.clone().unwrap_or_else(TimeContext::system)
    }
}
