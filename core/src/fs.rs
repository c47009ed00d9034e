//! Files written whole or not at all: next to their destination, then renamed into place, so a failed write
//! never leaves half a file where the user asked for one (the exports, Claude Code's settings).

use std::io::Write;
use std::path::Path;

use crate::error::{Result, WriteProblem};

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(WriteProblem::NoFolder { folder: folder.to_owned() }.into());
    }
    if path.is_dir() {
        return Err(WriteProblem::IsFolder { path: path.to_owned() }.into());
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = folder.join(format!(".{name}.ccmeter-{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temporary);
        WriteProblem::Io { path: path.to_owned(), source }.into()
    })
}
