//! The budget periods: a day, a week, a month, a session. A word the settings, the budgets, the tray and
//! the CLI share, so it sits below all of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Result, SettingsField, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
    Session,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Day, Period::Week, Period::Month, Period::Session];

    /// The name stored in the database and used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Session => "session",
        }
    }

    /// "daily", "weekly", "monthly", "session": how a sentence names the budget.
    pub fn adjective(self) -> &'static str {
        match self {
            Period::Day => "daily",
            Period::Week => "weekly",
            Period::Month => "monthly",
            Period::Session => "session",
        }
    }

    /// "Daily", "Weekly", "Monthly", "Per session": the budget's name in a list of budgets.
    pub fn label(self) -> &'static str {
        match self {
            Period::Day => "Daily",
            Period::Week => "Weekly",
            Period::Month => "Monthly",
            Period::Session => "Per session",
        }
    }

    /// "Today", "This week", "This month", "Session": the period that is running now, as the tray and the
    /// dashboard head its spend.
    pub fn current(self) -> &'static str {
        match self {
            Period::Day => "Today",
            Period::Week => "This week",
            Period::Month => "This month",
            Period::Session => "Session",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Period {
    type Err = StoreError;

    fn from_str(text: &str) -> Result<Period> {
        Period::ALL.into_iter().find(|p| p.as_str() == text).ok_or_else(|| {
            StoreError::settings(
                SettingsField::BudgetPeriod,
                format!("{text:?} is not a budget period: use day, week, month or session"),
            )
        })
    }
}
