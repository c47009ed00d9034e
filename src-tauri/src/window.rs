//! The app's window kinds: named by the CLI (`ccmeter open history`), the tray menu and the IPC. Kept apart
//! from the GUI so the headless binary can parse the same command line without linking a web view.

/// The app's windows. Each has one label; opening an open one focuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    Dashboard,
    History,
    Settings,
}

impl WindowKind {
    pub fn label(self) -> &'static str {
        match self {
            WindowKind::Dashboard => "dashboard",
            WindowKind::History => "history",
            WindowKind::Settings => "settings",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            WindowKind::Dashboard => "ccmeter — Dashboard",
            WindowKind::History => "ccmeter — History",
            WindowKind::Settings => "ccmeter — Settings",
        }
    }
}
