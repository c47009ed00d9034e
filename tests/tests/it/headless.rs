//! `ccmeter serve` runs as `ccmeter-serve`, which links none of the GUI's libraries: a collector left running
//! for days holds only what it uses (BENCHMARKS.md, "Footprint").

#[cfg(target_os = "linux")]
#[test]
fn serve_runs_the_headless_binary_without_gtk_or_webkit() {
    use ccmeter_tests::Server;
    let server = Server::start();
    let pid = server.child.id();
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).expect("the running binary");
    assert!(exe.ends_with("ccmeter-serve"), "serve handed over to the headless binary, same pid: {}", exe.display());
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("its mappings");
    for library in ["libwebkit2gtk", "libgtk-3", "libjavascriptcoregtk", "libayatana"] {
        assert!(!maps.contains(library), "{library} is loaded by the headless collector");
    }
    let report = server.report(&[]);
    assert!(report["total"].is_object(), "and it serves the same database");
    assert!(server.stop().success(), "SIGTERM reaches it as it reached `ccmeter serve`");
}

/// A `ccmeter-serve` from another build beside `ccmeter` (a stale file after a rebuild) is never run: serve
/// checks the build's fingerprint and serves in-process instead.
#[cfg(target_os = "linux")]
#[test]
fn serve_never_hands_over_to_a_headless_binary_of_another_build() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let ccmeter = dir.path().join("ccmeter");
    std::fs::copy(ccmeter_tests::ccmeter_bin(), &ccmeter).expect("copy ccmeter");
    let stale = dir.path().join("ccmeter-serve");
    std::fs::write(&stale, "#!/bin/sh\n[ \"$1\" = --build-id ] && echo 0000000000000000 && exit 0\nsleep 600\n")
        .expect("stale");
    std::fs::set_permissions(&stale, std::fs::Permissions::from_mode(0o755)).expect("executable");
    let db = dir.path().join("ccmeter.db");
    let server =
        ccmeter_tests::Server::start_with_binary(&ccmeter, &db, &["--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .expect("serves");
    let exe = std::fs::read_link(format!("/proc/{}/exe", server.child.id())).expect("the running binary");
    assert_eq!(exe, ccmeter, "served in-process, not by the stale binary");
    assert!(server.report(&[])["total"].is_object());
    assert!(server.stop().success());
}
