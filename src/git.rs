//! The few things every part of policybook asks of git: the repository that holds a handbook,
//! paths inside it, and commit times as calendar dates.

use std::path::{Path, PathBuf};

/// What a commit date that no calendar can hold is shown as (with a flag saying it is invalid).
pub const EPOCH_DATE: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

/// The repository holding `root`, and `root`'s path inside its work tree ("" at the top).
pub fn open_repository(root: &Path) -> Option<(git2::Repository, String)> {
    let repo = git2::Repository::discover(root).ok()?;
    let prefix = repo_prefix(&repo, root)?;
    Some((repo, prefix))
}

fn repo_prefix(repo: &git2::Repository, root: &Path) -> Option<String> {
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let root: PathBuf = root.canonicalize().ok()?;
    let rel = root.strip_prefix(&workdir).ok()?;
    Some(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// A git time's date, in its own time zone (1970-01-01 for a time no date can express).
pub fn git_date(t: git2::Time) -> jiff::civil::Date {
    civil(t).map(|c| c.0).unwrap_or(EPOCH_DATE)
}

/// A commit's committer date (when it landed), in the committer's time zone.
pub fn commit_date(commit: &git2::Commit<'_>) -> jiff::civil::Date {
    git_date(commit.committer().when())
}

/// Joins the handbook prefix and a path relative to the handbook root.
pub fn in_repo(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        path.to_string()
    } else {
        format!("{prefix}/{path}")
    }
}

/// A git time as (date, RFC 3339 timestamp), both in the time's own offset; `None` when the
/// time is outside what a calendar date can express (git accepts any 64-bit number).
pub fn civil(t: git2::Time) -> Option<(jiff::civil::Date, String)> {
    let offset =
        jiff::tz::Offset::from_seconds(t.offset_minutes() * 60).unwrap_or(jiff::tz::Offset::UTC);
    let ts = jiff::Timestamp::from_second(t.seconds()).ok()?;
    let zoned = ts.to_zoned_datetime(jiff::tz::TimeZone::fixed(offset));
    Some((
        zoned.date(),
        zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    ))
}

/// The newest commit on HEAD's first-parent line committed on or before `day`, with its date:
/// the handbook as it stood that day (a branch merged later was not in it yet). `Err` when HEAD
/// has no commit, or the history starts after `day` (with the first commit's date).
pub fn commit_on_or_before(
    repo: &git2::Repository,
    day: jiff::civil::Date,
) -> Result<(git2::Oid, jiff::civil::Date), Option<jiff::civil::Date>> {
    let mut commit = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|_| None)?;
    loop {
        let date = commit_date(&commit);
        if date <= day {
            return Ok((commit.id(), date));
        }
        match commit.parent(0) {
            Ok(p) => commit = p,
            Err(_) => return Err(Some(date)),
        }
    }
}
