//! What the store tests share.

use ccmeter_core::Store;

/// A store on a fresh database in a temporary folder (kept while the `TempDir` lives).
pub fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path().join("ccmeter.db")).expect("store opens");
    (dir, store)
}
