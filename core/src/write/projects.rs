//! Settling each session's project (`session_projects`) from its evidence whenever the evidence changes:
//! telemetry's repository (`sessions.vcs_repository`), the status line's workspace (`session_workspaces`) and
//! the transcript's folder (`session_transcripts`). The rule itself is `words::project`; this finds the git root
//! of a folder on disk, which is why it runs here and not at read time.

use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::Result;
use crate::transcripts::TranscriptSeen;
use crate::words::project::{self, Evidence};

/// The transcripts recorded, by path, with the modification time they were read at: a scan skips them.
pub fn transcripts_known(conn: &rusqlite::Connection) -> Result<std::collections::HashMap<String, i64>> {
    let known = conn
        .prepare("SELECT path, modified_ns FROM session_transcripts")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(known)
}

/// Records transcripts' folders and settles their sessions' projects; returns how many were new or changed.
pub fn record_transcripts(tx: &Transaction, seen: &[TranscriptSeen]) -> Result<usize> {
    let mut changed = 0;
    for transcript in seen {
        changed += tx
            .prepare_cached(
                "INSERT INTO session_transcripts (session_id, cwd, path, modified_ns) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (session_id) DO UPDATE SET cwd = excluded.cwd, path = excluded.path,
                     modified_ns = excluded.modified_ns
                 WHERE cwd <> excluded.cwd OR path <> excluded.path OR modified_ns <> excluded.modified_ns",
            )?
            .execute(params![transcript.session_id, transcript.cwd, transcript.path, transcript.modified_ns])?;
        settle(tx, &transcript.session_id)?;
    }
    Ok(changed)
}

/// Settles the project of `session` from what is recorded of it now.
pub fn settle(tx: &Transaction, session: &str) -> Result<()> {
    if session.is_empty() {
        return Ok(());
    }
    let repository_url: Option<String> = tx
        .prepare_cached("SELECT vcs_repository FROM sessions WHERE id = ?1")?
        .query_row([session], |r| r.get(0))
        .optional()?
        .flatten();
    let workspace: Option<(Option<String>, Option<String>, Option<String>)> = tx
        .prepare_cached("SELECT repo, project_dir, cwd FROM session_workspaces WHERE session_id = ?1")?
        .query_row([session], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let transcript_cwd: Option<String> = tx
        .prepare_cached("SELECT cwd FROM session_transcripts WHERE session_id = ?1")?
        .query_row([session], |r| r.get(0))
        .optional()?;
    let (repository, project_dir, cwd) = workspace.unwrap_or_default();
    let evidence = Evidence { repository_url, repository, project_dir, cwd: cwd.or(transcript_cwd) };
    let home = dirs::home_dir().map(|h| h.to_string_lossy().into_owned());
    match project::project_of(&evidence, home.as_deref(), git_root) {
        Some((name, source)) => {
            tx.prepare_cached(
                "INSERT INTO session_projects (session_id, project, source) VALUES (?1, ?2, ?3)
                 ON CONFLICT (session_id) DO UPDATE SET project = excluded.project, source = excluded.source",
            )?
            .execute(params![session, name, source.key()])?;
        }
        None => {
            tx.prepare_cached("DELETE FROM session_projects WHERE session_id = ?1")?.execute([session])?;
        }
    }
    Ok(())
}

/// Settles every session whose project the recorded evidence names without looking at this machine's disk: a
/// repository, or the status line's project folder (after an import brought another database's evidence).
pub fn settle_portable(tx: &Transaction) -> Result<()> {
    let sessions: Vec<String> = tx
        .prepare(
            "SELECT id FROM sessions WHERE vcs_repository IS NOT NULL AND id <> ''
             UNION SELECT session_id FROM session_workspaces WHERE repo IS NOT NULL OR project_dir IS NOT NULL",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for session in sessions {
        settle(tx, &session)?;
    }
    Ok(())
}

/// The repository folder `cwd` lies in: the nearest folder up from it holding `.git` (a folder, or a file in a
/// worktree); none when `cwd` is gone or in no repository.
fn git_root(cwd: &str) -> Option<String> {
    let mut dir = Path::new(cwd);
    if !dir.is_absolute() {
        return None;
    }
    loop {
        if dir.join(".git").exists() {
            return Some(dir.to_string_lossy().into_owned());
        }
        dir = dir.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_git_root_is_the_nearest_folder_up_with_a_git_entry() {
        let dir = tempfile::tempdir().expect("dir");
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("repo");
        std::fs::create_dir_all(repo.join("src/deep")).expect("src");
        let deep = repo.join("src/deep");
        assert_eq!(git_root(&deep.to_string_lossy()).as_deref(), Some(&*repo.to_string_lossy()));
        assert_eq!(git_root("relative/path"), None);
    }

    #[test]
    fn each_new_piece_of_evidence_settles_the_project_again() {
        let dir = tempfile::tempdir().expect("dir");
        let mut conn = crate::store::open_connection(&dir.path().join("p.db")).expect("db");
        let project = |conn: &rusqlite::Connection| -> Option<(String, String)> {
            conn.query_row("SELECT project, source FROM session_projects WHERE session_id = 's1'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .expect("read")
        };
        let tx = conn.transaction().expect("tx");
        let seen = TranscriptSeen {
            session_id: "s1".into(),
            cwd: "/nowhere/work/app".into(),
            path: "/nowhere/.claude/projects/-nowhere-work-app/s1.jsonl".into(),
            modified_ns: 1,
        };
        assert_eq!(record_transcripts(&tx, std::slice::from_ref(&seen)).expect("recorded"), 1);
        assert_eq!(record_transcripts(&tx, std::slice::from_ref(&seen)).expect("recorded"), 0, "unchanged");
        tx.commit().expect("commit");
        assert_eq!(project(&conn), Some(("/nowhere/work/app".into(), "cwd".into())));

        let tx = conn.transaction().expect("tx");
        tx.execute(
            "INSERT INTO session_workspaces (session_id, cwd, project_dir, first_ns, last_ns)
             VALUES ('s1', '/nowhere/work/app/src', '/nowhere/work/app', 1, 1)",
            [],
        )
        .expect("workspace");
        settle(&tx, "s1").expect("settled");
        assert_eq!(project(&tx), Some(("/nowhere/work/app".into(), "project_dir".into())));
        tx.execute(
            "INSERT INTO sessions (id, first_ns, last_ns, vcs_repository) VALUES ('s1', 1, 1, 'https://github.com/o/app')",
            [],
        )
        .expect("session");
        settle(&tx, "s1").expect("settled");
        assert_eq!(project(&tx), Some(("o/app".into(), "repository".into())));
    }
}
