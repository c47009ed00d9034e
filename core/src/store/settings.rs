//! The settings row: the one `Settings` record, stored as JSON in the `settings` table (row id 1), read,
//! saved and changed read-modify-write in one transaction.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde_json::Value;

use crate::error::{Result, SettingsField, StoreError};
use crate::words::settings::Settings;

/// The saved settings, or the defaults when none were saved. Fields missing from the row take their
/// default; fields this version does not know are ignored.
pub fn load(conn: &Connection) -> Result<Settings> {
    let Some(json) = stored_json(conn)? else { return Ok(Settings::default()) };
    serde_json::from_str(&json).map_err(|error| {
        StoreError::settings(
            SettingsField::Stored,
            format!(
                "the saved settings cannot be read ({error}); remove them with \
             `sqlite3 <database> \"DELETE FROM settings\"` to go back to the defaults, then set your budgets again"
            ),
        )
    })
}

/// Validates and saves the settings (call it in a transaction; the writer thread's `Store::exec` does).
/// Keys in the saved row that this version does not know are kept, so a newer ccmeter's settings
/// survive an older one saving.
pub fn save(conn: &Connection, settings: &Settings) -> Result<()> {
    settings.validate()?;
    let mut record = match serde_json::to_value(settings) {
        Ok(Value::Object(record)) => record,
        _ => return Err(StoreError::settings(SettingsField::Stored, "the settings could not be encoded as JSON")),
    };
    if let Some(Value::Object(previous)) = stored_json(conn)?.and_then(|json| serde_json::from_str(&json).ok()) {
        for (key, value) in previous {
            record.entry(key).or_insert(value);
        }
    }
    let json = Value::Object(record).to_string();
    conn.prepare_cached(
        "INSERT INTO settings (id, json) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
    )?
    .execute([json])?;
    Ok(())
}

/// Whether this start should open the welcome window: the first start on a database with no history (an
/// upgrade from a version without the welcome, already in use, skips it). Either way it is not due again.
pub fn take_welcome(tx: &rusqlite::Transaction) -> Result<bool> {
    let mut settings = load(tx)?;
    if settings.welcomed {
        return Ok(false);
    }
    let has_history: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM sessions)", [], |r| r.get(0))?;
    settings.welcomed = true;
    save(tx, &settings)?;
    Ok(!has_history)
}

/// Loads the settings, lets `change` edit them, and saves them if they changed — in one immediate
/// transaction, so a concurrent writer (the running app) cannot slip in between. For a connection of
/// its own (the CLI); the app's writer thread uses [`load`] and [`save`] inside `Store::exec`.
/// Nothing is written when `change` or the validation fails.
pub fn update<T>(conn: &mut Connection, change: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = load(&tx)?;
    let mut settings = before.clone();
    let value = change(&mut settings)?;
    if settings != before {
        save(&tx, &settings)?;
    }
    tx.commit()?;
    Ok(value)
}

fn stored_json(conn: &Connection) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT json FROM settings WHERE id = 1", [], |row| row.get(0)).optional()?)
}
