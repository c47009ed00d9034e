//! Tauri's build step (the app's context: its configuration and the windows' assets).

fn main() {
    tauri_build::build()
}
