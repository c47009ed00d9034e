//! The app's window kinds: named by the CLI (`ccmeter open history`), the tray menu and the IPC. Kept apart
//! from the windows so that `ccmeter` parses the same command line without linking a web view.

/// The app's windows. Each has one label; opening an open one focuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    Dashboard,
    History,
    Settings,
    /// Opens once, on the first start: what ccmeter does, where it listens, connecting Claude Code.
    Welcome,
    /// Version, data folder, database, receivers and last data; "copy diagnostics" for bug reports.
    About,
}

impl WindowKind {
    pub fn label(self) -> &'static str {
        match self {
            WindowKind::Dashboard => "dashboard",
            WindowKind::History => "history",
            WindowKind::Settings => "settings",
            WindowKind::Welcome => "welcome",
            WindowKind::About => "about",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            WindowKind::Dashboard => "ccmeter — Dashboard",
            WindowKind::History => "ccmeter — History",
            WindowKind::Settings => "ccmeter — Settings",
            WindowKind::Welcome => "Welcome to ccmeter",
            WindowKind::About => "About ccmeter",
        }
    }

    /// The window's first size, in logical pixels: the small ones fit their content.
    pub fn size(self) -> (f64, f64) {
        match self {
            WindowKind::Dashboard | WindowKind::History | WindowKind::Settings => (1100.0, 750.0),
            WindowKind::Welcome => (760.0, 720.0),
            WindowKind::About => (640.0, 560.0),
        }
    }
}
