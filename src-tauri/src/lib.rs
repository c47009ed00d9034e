//! What the `ccmeter` binary (the tray app and the CLI) and the `ccmeter-windows` binary (the windows) share:
//! the names of the windows, errors as a window receives them, the writes a window asks the app for, what the
//! tray shows (its figures, menu lines and icon), and the local socket beside the database through which a second launch, a CLI
//! command or a window process talks to the one app running on that database.

pub mod error;
pub mod icon;
pub mod instance;
pub mod tray;
pub mod window;
pub mod writes;
