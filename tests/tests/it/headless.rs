//! `ccmeter serve` runs in the `ccmeter` binary, which links none of the windows' libraries: a collector left
//! running for days holds only what it uses (BENCHMARKS.md, "Footprint").

#[cfg(target_os = "linux")]
#[test]
fn serve_runs_without_gtk_or_webkit() {
    use ccmeter_tests::Server;
    let server = Server::start();
    let pid = server.child.id();
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).expect("the running binary");
    assert!(exe.ends_with("ccmeter"), "serve runs in ccmeter itself: {}", exe.display());
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("its mappings");
    for library in ["libwebkit2gtk", "libgtk-3", "libjavascriptcoregtk", "libayatana"] {
        assert!(!maps.contains(library), "{library} is loaded by the headless collector");
    }
    let report = server.report(&[]);
    assert!(report["total"].is_object(), "and it serves the same database");
    assert!(server.stop().success(), "SIGTERM stops it cleanly");
}
