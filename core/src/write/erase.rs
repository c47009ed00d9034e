//! Erasing stored content when the user turns keeping it off: prompt text, responses, tool input and
//! parameters, error text (and the bodies of log records that are not Claude Code's) are replaced by their
//! length, exactly as if they had arrived with the setting off. Names, sizes, counts and costs stay.

use rusqlite::Transaction;

use crate::error::Result;
use crate::write::ingest::CONTENT_KEYS;

/// What an erasure changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Erased {
    pub events: usize,
    pub spans: usize,
}

/// Replaces every stored content attribute (and foreign log bodies) with `[not stored: N characters]`.
/// Run on the writer, whose connection keeps `secure_delete` on, so the old text is zeroed in the pages
/// rewritten; [`crate::Store::checkpoint`] then clears it from the WAL.
pub fn erase_content(tx: &Transaction) -> Result<Erased> {
    let mut erased = Erased::default();
    for table in ["events", "spans"] {
        for key in CONTENT_KEYS {
            // The key as a quoted JSON path: keys are fixed names, never user input.
            let path = format!("'$.\"{key}\"'");
            let sql = format!(
                "UPDATE {table} SET attributes = json_set(attributes, {path},
                     '[not stored: ' || length(json_extract(attributes, {path})) || ' characters]')
                 WHERE json_type(attributes, {path}) = 'text'
                   AND json_extract(attributes, {path}) NOT LIKE '[not stored: % characters]'"
            );
            let changed = tx.execute(&sql, [])?;
            match table {
                "events" => erased.events += changed,
                _ => erased.spans += changed,
            }
        }
    }
    // Bodies: Claude Code's are its event names (kept); anything else's is content.
    erased.events += tx.execute(
        "UPDATE events SET body = '[not stored: ' || length(body) || ' characters]'
         WHERE is_claude_code = 0 AND body IS NOT NULL AND body NOT LIKE '[not stored: % characters]'",
        [],
    )?;
    Ok(erased)
}
