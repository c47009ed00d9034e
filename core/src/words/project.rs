//! A session's project, by one rule: the repository (`owner/name`) when telemetry (`vcs.repository.*`) or the
//! status line (`workspace.repo`) names one; else the project folder (the status line's `project_dir`, or the
//! git root of the folder the session ran in); else that folder. Folders are written with the home folder as
//! `~`, so the same project has the same name in every export.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a session's project name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProjectSource {
    Repository,
    ProjectDir,
    GitRoot,
    Cwd,
}

impl ProjectSource {
    pub fn key(self) -> &'static str {
        match self {
            ProjectSource::Repository => "repository",
            ProjectSource::ProjectDir => "project_dir",
            ProjectSource::GitRoot => "git_root",
            ProjectSource::Cwd => "cwd",
        }
    }
}

/// What is known of where a session worked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// `vcs.repository.url.full` from telemetry: `https://github.com/fixture-org/demo-repo`.
    pub repository_url: Option<String>,
    /// `workspace.repo` from the status line, as `owner/name`.
    pub repository: Option<String>,
    pub project_dir: Option<String>,
    /// The folder it ran in: the status line's `cwd`, else its transcript's.
    pub cwd: Option<String>,
}

/// The project `evidence` names, if any; `git_root` finds the repository a folder lies in (none when the folder
/// is gone or in none).
pub fn project_of(
    evidence: &Evidence,
    home: Option<&str>,
    git_root: impl Fn(&str) -> Option<String>,
) -> Option<(String, ProjectSource)> {
    let folder = |path: &str| home_relative(path, home);
    if let Some(slug) = evidence.repository_url.as_deref().and_then(repository_slug) {
        return Some((slug, ProjectSource::Repository));
    }
    if let Some(slug) = evidence.repository.as_deref().filter(|s| s.contains('/') && !s.starts_with('/')) {
        return Some((slug.to_owned(), ProjectSource::Repository));
    }
    if let Some(dir) = evidence.project_dir.as_deref().filter(|d| !d.is_empty()) {
        return Some((folder(dir), ProjectSource::ProjectDir));
    }
    let cwd = evidence.cwd.as_deref().filter(|d| !d.is_empty())?;
    match git_root(cwd) {
        Some(root) => Some((folder(&root), ProjectSource::GitRoot)),
        None => Some((folder(cwd), ProjectSource::Cwd)),
    }
}

/// `owner/name` of a repository URL: `https://github.com/Org/Repo.git`, `git@github.com:org/repo`,
/// `ssh://git@host/group/sub/repo` (the last two parts); none for a URL without both.
pub fn repository_slug(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, path)| path)?,
        None => url.split_once(':').map(|(_, path)| path)?,
    };
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut parts = path.rsplit('/').filter(|p| !p.is_empty());
    let name = parts.next()?;
    let owner = parts.next()?;
    Some(format!("{owner}/{name}"))
}

/// `project` in at most `max_chars` characters: a longer one keeps its end, the part that tells projects apart,
/// after "…", from a `/` where one falls in what is kept (`…/services/billing-api`).
pub fn shortened(project: &str, max_chars: usize) -> String {
    let chars = project.chars().count();
    if chars <= max_chars || max_chars < 2 {
        return project.to_owned();
    }
    let tail: String = project.chars().skip(chars - (max_chars - 1)).collect();
    let tail = match tail.find('/') {
        Some(at) if at > 0 && tail.len() - at > 1 => &tail[at..],
        _ => tail.as_str(),
    };
    format!("…{tail}")
}

/// `path` with the home folder written `~`.
fn home_relative(path: &str, home: Option<&str>) -> String {
    let path = path.trim_end_matches('/');
    match home.map(|h| h.trim_end_matches('/')).filter(|h| !h.is_empty()) {
        Some(home) if path == home => "~".to_owned(),
        Some(home) => match path.strip_prefix(home).filter(|rest| rest.starts_with('/')) {
            Some(rest) => format!("~{rest}"),
            None => path.to_owned(),
        },
        None => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(url: Option<&str>, repo: Option<&str>, dir: Option<&str>, cwd: Option<&str>) -> Evidence {
        Evidence {
            repository_url: url.map(str::to_owned),
            repository: repo.map(str::to_owned),
            project_dir: dir.map(str::to_owned),
            cwd: cwd.map(str::to_owned),
        }
    }

    #[test]
    fn a_long_project_keeps_its_end_from_a_folder_boundary() {
        assert_eq!(shortened("acme/api", 8), "acme/api");
        assert_eq!(shortened("~/work/clients/northwind/services/billing-api", 24), "…/services/billing-api");
        assert_eq!(shortened("~/work/an-exceptionally-long-folder-name", 12), "…folder-name");
        assert_eq!(shortened("~/é/ü/ö/ä/ß", 6), "…/ä/ß");
        assert!(shortened(&"x/".repeat(100), 40).chars().count() <= 40);
    }

    #[test]
    fn a_repository_comes_first_then_the_project_folder_then_the_folder() {
        let home = Some("/home/dev1");
        let root = |cwd: &str| cwd.starts_with("/home/dev1/work/repo").then(|| "/home/dev1/work/repo".to_owned());
        let cases = [
            (
                evidence(Some("https://github.com/fixture-org/demo-repo"), Some("other/x"), Some("/p"), None),
                ("fixture-org/demo-repo", ProjectSource::Repository),
            ),
            (
                evidence(None, Some("fixture-org/demo-repo"), Some("/p"), Some("/c")),
                ("fixture-org/demo-repo", ProjectSource::Repository),
            ),
            (
                evidence(Some("not a url"), None, Some("/home/dev1/work/app"), None),
                ("~/work/app", ProjectSource::ProjectDir),
            ),
            (evidence(None, None, None, Some("/home/dev1/work/repo/src")), ("~/work/repo", ProjectSource::GitRoot)),
            (evidence(None, None, None, Some("/srv/scratch/")), ("/srv/scratch", ProjectSource::Cwd)),
            (evidence(None, None, None, Some("/home/dev1")), ("~", ProjectSource::Cwd)),
            (evidence(None, None, None, Some("/home/dev10/x")), ("/home/dev10/x", ProjectSource::Cwd)),
        ];
        for (evidence, (name, source)) in cases {
            assert_eq!(project_of(&evidence, home, root), Some((name.to_owned(), source)), "{evidence:?}");
        }
        assert_eq!(project_of(&evidence(None, None, Some(""), Some("")), home, root), None);
    }

    #[test]
    fn repository_urls_give_owner_and_name() {
        for (url, slug) in [
            ("https://github.com/fixture-org/demo-repo", Some("fixture-org/demo-repo")),
            ("https://github.com/Org/Repo.git/", Some("Org/Repo")),
            ("git@github.com:org/repo.git", Some("org/repo")),
            ("ssh://git@gitlab.example/group/sub/repo", Some("sub/repo")),
            ("https://github.com/justowner", None),
            ("", None),
        ] {
            assert_eq!(repository_slug(url).as_deref(), slug, "{url}");
        }
    }
}
