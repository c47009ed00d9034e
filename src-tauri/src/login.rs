//! "Start at login": the XDG autostart entry (`~/.config/autostart/ccmeter.desktop`) that starts this binary on
//! the database the user turned it on with. Written by `auto-launch`, the library Tauri's autostart plugin
//! wrapped, with the same name, program and arguments, so an entry written by an older ccmeter is this one.

use std::path::Path;

/// Writes (`wanted`) or removes the entry.
pub fn set(db: &Path, wanted: bool) -> Result<(), auto_launch::Error> {
    // The XDG autostart writer creates `autostart/` but not a missing `~/.config` above it.
    if wanted && let Some(home) = std::env::home_dir() {
        let _ = std::fs::create_dir_all(home.join(".config/autostart"));
    }
    let program = std::env::var("APPIMAGE")
        .ok()
        .or_else(|| std::env::current_exe().ok().map(|exe| exe.display().to_string()))
        .unwrap_or_else(|| "ccmeter".to_owned());
    let entry = auto_launch::AutoLaunchBuilder::new()
        .set_app_name("ccmeter")
        .set_app_path(&program)
        .set_args(&[login_db_arg(db)])
        .build()?;
    if wanted { entry.enable() } else { entry.disable() }
}

/// `--db=<path>` for the login item's command line. XDG `Exec=` lines split on spaces, so a path that
/// needs it is quoted as the Desktop Entry spec says (its string escapes apply before its quoting, hence
/// `\\$` for `$` and four backslashes for one).
pub fn login_db_arg(db: &Path) -> String {
    let db = std::path::absolute(db).unwrap_or_else(|_| db.to_owned());
    let arg = format!("--db={}", db.display());
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=+,:@".contains(c);
    if arg.chars().all(plain) {
        return arg;
    }
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '\\' => quoted.push_str("\\\\\\"),
            '"' | '`' | '$' => quoted.push_str("\\\\"),
            // `%` starts a field code, quoted or not.
            '%' => quoted.push('%'),
            _ => {}
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_item_names_the_database_quoted_as_desktop_entries_need() {
        assert_eq!(
            login_db_arg(Path::new("/home/ada/.local/share/ccmeter.db")),
            "--db=/home/ada/.local/share/ccmeter.db"
        );
        assert_eq!(login_db_arg(Path::new("/home/ada/My Data/c.db")), r#""--db=/home/ada/My Data/c.db""#);
        assert_eq!(login_db_arg(Path::new("/tmp/a$b\\c%d\"e.db")), r#""--db=/tmp/a\\$b\\\\c%%d\\"e.db""#);
        assert!(login_db_arg(Path::new("relative.db")).starts_with("--db=/"), "made absolute");
    }
}
