//! Tauri's build step, and the build's fingerprint: `ccmeter serve` hands over to the `ccmeter-serve` beside it
//! only when that binary says the same `CCMETER_BUILD_ID`, so a stale one from another build is never run.

use std::hash::{Hash, Hasher};
use std::path::Path;

/// Everything both binaries are built from, outside the dependencies' own (locked) sources.
const SOURCES: &[&str] = &["src", "../core/src", "../core/migrations", "../proto/src", "../Cargo.lock", "Cargo.toml"];

fn hash_tree(path: &Path, hasher: &mut std::collections::hash_map::DefaultHasher) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            hash_tree(&entry, hasher);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        path.to_string_lossy().hash(hasher);
        bytes.hash(hasher);
    }
}

fn main() {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for source in SOURCES {
        println!("cargo:rerun-if-changed={source}");
        hash_tree(Path::new(source), &mut hasher);
    }
    std::env::var("PROFILE").unwrap_or_default().hash(&mut hasher);
    std::env::var("CARGO_CFG_FEATURE").unwrap_or_default().hash(&mut hasher);
    println!("cargo:rustc-env=CCMETER_BUILD_ID={:016x}", hasher.finish());
    tauri_build::build()
}
