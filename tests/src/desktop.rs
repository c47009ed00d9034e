//! The one display, session bus and notification daemon the desktop tests share (scripts/test.sh starts them).

use std::sync::{Mutex, MutexGuard};

static DESKTOP: Mutex<()> = Mutex::new(());

/// Held by every test that starts the desktop app (the tray, the windows, the installed .deb): they run one at
/// a time, so each test's timing, tray item and notifications are its own, though they are threads of one
/// test binary.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    DESKTOP.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
