//! Saving a settings patch and applying what takes effect at once: the one use case that spans the write
//! modules (settings, retention's pruning, content erasure), so it sits above all of them.

use crate::error::Result;
use crate::store::settings::{load, save};
use crate::words::settings::{Settings, SettingsPatch};

/// Applies a writer's patch to the settings as stored now and saves them, in the caller's transaction, then
/// applies what takes effect at once, for the fields the patch changes: a retention it sets prunes, and
/// turning content off erases what was stored. Returns the settings saved and whether
/// content was erased (the caller then checkpoints, see [`crate::Store::checkpoint`]).
pub fn patch_and_apply(
    tx: &crate::store::Transaction,
    ctx: &crate::TimeContext,
    patch: &SettingsPatch,
) -> Result<(Settings, bool)> {
    let before = load(tx)?;
    let mut settings = before.clone();
    patch.apply_to(&mut settings);
    save(tx, &settings)?;
    if let (Some(_), Some(days)) = (patch.retention_days, settings.retention_days) {
        crate::write::delete::prune_details_older_than(tx, ctx, days)?;
    }
    let erase = before.store_prompt_text && !settings.store_prompt_text;
    if erase {
        let erased = crate::write::erase::erase_content(tx)?;
        tracing::info!(?erased, "content no longer kept: erased what was stored");
    }
    Ok((settings, erase))
}
