//! The end-to-end tests, one binary: the real `ccmeter` binary over real sockets, the tray app under Xvfb and
//! D-Bus, the windows through WebDriver, the real Claude Code CLI, the installed .deb. Tests that share the
//! display, the session bus or the notifications take `ccmeter_tests::desktop::one_at_a_time()`.

mod auth;
mod budget_cli;
mod claude_code_cli;
mod connect_cli;
mod crash_safety;
mod deb_install;
mod fixtures_replay;
mod headless;
mod history_cli;
mod hostile_http;
mod hostile_input;
mod listen_settings;
mod otlp_clients;
mod projects;
mod prometheus;
mod sessions_and_processes;
mod statusline;
mod transfer_cli;
mod tray_app;
mod windows_e2e;
