//! Git history as review evidence: every revision of every document (renames followed), the
//! reviews recorded in commit trailers, and where the sources stand (commit, dirty, shallow).
//!
//! Extracted in one revision walk over the repository (`walk`), never one log per file. Review
//! due dates and statuses are computed from it in `review`.

mod lines;
mod pack;
pub mod review;
mod rope;
mod starts;
pub mod store;
mod tree_diff;
mod walk;

pub use walk::HistoryCache;
pub(crate) use walk::uncommitted_files;

use std::collections::HashMap;
use std::path::Path;

pub use crate::git::{commit_date, git_date, in_repo, open_repository};
use std::sync::Arc;

use serde::Serialize;

/// How a commit changed a document's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The file appeared.
    Added,
    /// The file changed.
    Modified,
    /// The file moved (`git mv`), possibly changed too.
    Renamed,
}

/// A commit, as shown to readers and auditors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct CommitInfo {
    /// Full commit id.
    pub id: String,
    /// First seven characters of the id.
    pub short: String,
    /// Author's name.
    pub author: String,
    /// Author's email.
    pub email: String,
    /// Author date in the author's own time zone.
    pub date: jiff::civil::Date,
    /// Author date and time, RFC 3339 with the author's offset.
    pub timestamp: String,
    /// First line of the message.
    pub subject: String,
    /// `Key: value` trailers of the message, in order.
    pub trailers: Vec<(String, String)>,
    /// The commit carries a signature (`gpgsig` header); `signature` has it to verify.
    pub signed: bool,
    /// The signature and the bytes it signs (the commit object without its signature header),
    /// for commits that carry one.
    #[serde(skip)]
    pub signature: Option<Arc<SignedPayload>>,
    /// Author and committer times, seconds since the epoch as git stores them: for ordering and
    /// for spotting dates that cannot be right.
    pub author_time: i64,
    /// When it was committed (seconds since the epoch).
    pub commit_time: i64,
    /// Committer date and time, RFC 3339 with the committer's offset (author and committer
    /// differ for rebased, cherry-picked and merged-by-a-service commits).
    pub committed: String,
    /// The committer, `Name <email>`: who put the commit into the history (a web merge's
    /// service, a rebase's author).
    pub committer: String,
    /// False when git's author date is outside the years 1 to 9999 and cannot be shown; `date`
    /// is then 1970-01-01 and means nothing, and the commit counts as no one's review.
    pub date_valid: bool,
}

impl CommitInfo {
    /// Values of the `Reviewed-by:` and `Approved-by:` trailers.
    pub fn reviewers(&self) -> Vec<String> {
        self.trailers
            .iter()
            .filter(|(k, _)| is_review_trailer(k))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The committer date, in the committer's time zone: when the commit entered the history
    /// (an author date can be set to anything by `git commit --date`).
    pub fn committed_date(&self) -> Option<jiff::civil::Date> {
        // `YYYY-MM-DD`, read by hand: review states ask this of every revision, and jiff's
        // general parser made it a fifth of a document's standing (perf, 80 title edits).
        let b = self.committed.as_bytes().get(..10)?;
        let number = |digits: &[u8]| {
            digits.iter().try_fold(0i16, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + i16::from(c - b'0'))
            })
        };
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let (year, month, day) = (number(&b[..4])?, number(&b[5..7])?, number(&b[8..10])?);
        jiff::civil::Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
    }

    /// The pull request that brought the commit in, from the subject git hosting services write:
    /// `Merge pull request #123 from …` (merge) or `… (#123)` (squash).
    pub fn pull_request(&self) -> Option<u32> {
        let s = self.subject.trim();
        if let Some(rest) = s.strip_prefix("Merge pull request #") {
            return rest
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok();
        }
        let inner = s.strip_suffix(')')?;
        let (_, number) = inner.rsplit_once("(#")?;
        number.parse().ok()
    }

    /// `Co-authored-by:` trailers: people who wrote the change with its author.
    pub fn co_authors(&self) -> Vec<String> {
        self.trailers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("co-authored-by"))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Document ids named by `Reviews:` trailers (comma-separated, any number of trailers).
    pub fn reviews_trailer_ids(&self) -> Vec<String> {
        self.trailers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("reviews"))
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// A commit's signature and what it signs.
#[derive(Debug, PartialEq, Eq)]
pub struct SignedPayload {
    /// The armored signature (`-----BEGIN SSH SIGNATURE-----` or PGP).
    pub signature: String,
    /// The signed bytes.
    pub data: Vec<u8>,
}

/// The `Key: value` trailers at the end of a commit message, trimmed, in order (git's own
/// parser, through libgit2).
pub fn parse_trailers(message: &str) -> Vec<(String, String)> {
    match git2::message_trailers_strs(message) {
        Ok(t) => t
            .iter()
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod pull_request_tests {
    use super::CommitInfo;

    #[test]
    fn pull_request_numbers_from_merge_and_squash_subjects() {
        let pr = |subject: &str| CommitInfo::example(1, 0, subject).pull_request();
        assert_eq!(pr("Merge pull request #123 from org/branch"), Some(123));
        assert_eq!(pr("Tighten MFA wording (#45)"), Some(45));
        assert_eq!(pr("Fix (see #45) wording"), None);
        assert_eq!(pr("Update (#x)"), None);
        assert_eq!(pr("Plain commit"), None);
    }
}

#[cfg(test)]
impl CommitInfo {
    /// A commit for tests: number `n` (its id is `n` repeated), authored and committed at noon
    /// UTC `day` days after 2025-01-01.
    pub(crate) fn example(n: u8, day: i64, message: &str) -> CommitInfo {
        let t = 1_735_732_800 + day * 86_400;
        let (date, timestamp) = crate::git::civil(git2::Time::new(t, 0))
            .unwrap_or((crate::git::EPOCH_DATE, String::new()));
        CommitInfo {
            id: format!("{n:040}"),
            short: format!("{n:07}"),
            author: "Alice Owner".into(),
            email: "alice@example.com".into(),
            date,
            timestamp: timestamp.clone(),
            subject: message.lines().next().unwrap_or("").into(),
            trailers: parse_trailers(message),
            signed: false,
            author_time: t,
            commit_time: t,
            committed: timestamp,
            committer: "Alice Owner <alice@example.com>".into(),
            signature: None,
            date_valid: true,
        }
    }
}

/// `Reviewed-by` or `Approved-by`, in any case.
pub fn is_review_trailer(key: &str) -> bool {
    key.eq_ignore_ascii_case("reviewed-by") || key.eq_ignore_ascii_case("approved-by")
}

/// One commit's change to one document.
#[derive(Debug, Clone)]
pub struct Revision {
    /// The commit.
    pub commit: Arc<CommitInfo>,
    /// How it changed the file.
    pub change: Change,
    /// The file's blob as the commit left it, where its `version` is read (`None` only for
    /// revisions made up without a repository, as in tests).
    pub blob: Option<git2::Oid>,
    /// The file's path in that commit, relative to the handbook root.
    pub path: String,
    /// For renames: the path before.
    pub old_path: Option<String>,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// The moves this revision was traced through (see `ChangedDoc::via_rename`).
    pub via_rename: Option<Arc<str>>,
}

/// Evidence that someone reviewed a document.
#[derive(Debug, Clone)]
pub struct Review {
    /// The reviewing commit (for a pull request review: its merge commit).
    pub commit: Arc<CommitInfo>,
    /// Who reviewed: the trailers' values, or the commit's author.
    pub reviewers: Vec<String>,
    /// For an approval imported from a pull request: its number and when the review was
    /// submitted (the hosting service's timestamp). The reviewer is then the service's user.
    pub pull_request: Option<(u32, jiff::civil::Date)>,
}

impl Review {
    /// When the approval happened: the committer date (when the commit entered the history),
    /// not the author date, which `git commit --date` sets to anything.
    pub fn date(&self) -> jiff::civil::Date {
        match self.pull_request {
            Some((_, submitted)) => submitted,
            None => self.commit.committed_date().unwrap_or(self.commit.date),
        }
    }
}

/// A review recorded by a `Reviews: <id>` trailer.
#[derive(Debug, Clone)]
pub struct NamedReview {
    /// The id the trailer names.
    pub id: String,
    /// The review it records.
    pub review: Review,
    /// The commit's own tree has a document file named `<id>.md`: the id was real then, even if
    /// no document has it now (deleted or renamed since).
    pub existed_then: bool,
}

/// Everything git says about one document.
#[derive(Debug, Clone, Default)]
pub struct DocHistory {
    /// Newest first. Shared with the document's review state.
    pub revisions: Arc<Vec<Revision>>,
    /// Reviews from `Reviewed-by:`/`Approved-by:` trailers on commits that changed the file
    /// (newest first). `Reviews: <id>` trailers are matched to ids later, in `resolve`.
    pub reviews: Vec<Review>,
    /// The working tree differs from HEAD for this file (or it is not committed at all).
    pub uncommitted: bool,
    /// With `Request::versions`: the front-matter `version` in each revision, parallel to
    /// `revisions` (`None`: the file had none). Empty otherwise.
    pub versions: Vec<Option<String>>,
}

/// The `version:` of a document's front matter, read without parsing the YAML: history reads it
/// from every revision, most of which are never parsed otherwise.
pub fn version_in(text: &str) -> Option<String> {
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    lines
        .take_while(|l| !matches!(l.trim_end(), "---" | "..."))
        .find_map(|l| l.strip_prefix("version:"))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        .filter(|v| !v.is_empty())
}

/// Where the sources come from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SourceInfo {
    /// The handbook is inside a git repository.
    pub repository: bool,
    /// HEAD (or the commit the sources were read from).
    pub commit: Option<String>,
    /// The date statuses are computed at: `--as-of`, else HEAD's commit date.
    pub as_of: Option<jiff::civil::Date>,
    /// Some document or site.toml has uncommitted changes.
    pub dirty: bool,
    /// The repository is a shallow clone: history is truncated.
    pub shallow: bool,
    /// A tag that points at `commit` (the first by name), when there is one: the version a
    /// printed copy names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// HEAD's committer date when it is later than today by the system clock (statuses are then
    /// computed as of a date that has not come yet). Only looked at when no `--as-of` is given.
    #[serde(skip)]
    pub head_in_future: Option<(jiff::civil::Date, jiff::civil::Date)>,
}

/// One commit of the change log: a commit that touched at least one document.
#[derive(Debug, Clone)]
pub struct ChangeSet {
    /// The commit that made a descendant-dated mistake (see `Skew`).
    pub commit: Arc<CommitInfo>,
    /// The documents it changed.
    pub documents: Vec<ChangedDoc>,
}

/// A document a commit changed.
#[derive(Debug, Clone)]
pub struct ChangedDoc {
    /// The document's current path.
    pub path: String,
    /// How.
    pub change: Change,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// The moves (renames git inferred from similarity) this change was traced through to reach
    /// the current document, newest first: `old → new (87%)`, `; `-separated.
    pub via_rename: Option<Arc<str>>,
}

/// A commit dated after a commit built on top of it: its date is wrong (a skewed clock) or
/// forged, and whatever it records happened no later than its descendant.
#[derive(Debug, Clone)]
pub struct Skew {
    /// The commit.
    pub commit: Arc<CommitInfo>,
    /// The descendant with the earliest committer date.
    pub descendant: Arc<CommitInfo>,
}

/// A commit committed more than this long before its parent is out of order (small differences
/// are machines' clocks).
pub const OUT_OF_ORDER_SECONDS: i64 = 60 * 60;

/// More than this much later than a descendant is flagged: ordinary clock differences between
/// machines are minutes, and review dates are days.
pub const SKEW_TOLERANCE_SECONDS: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, Default)]
/// Everything git says about a handbook's documents.
pub struct History {
    /// Where the sources come from.
    pub source: SourceInfo,
    /// Commits of the handbook's history (changes or reviews) dated after one of their own
    /// descendants, by commit id.
    pub skewed: HashMap<String, Skew>,
    /// Commits of the handbook's history committed more than `OUT_OF_ORDER_SECONDS` before their
    /// first parent, by commit id, with that parent: the visible trace of a backdated commit.
    pub out_of_order: HashMap<String, Skew>,
    /// Commits of the handbook's history whose date git cannot express as a date.
    pub invalid_dates: Vec<Arc<CommitInfo>>,
    /// Keyed by the document's current path relative to the handbook root.
    /// Shared, so that `serve` copies a history for each rebuild cheaply.
    pub docs: HashMap<String, Arc<DocHistory>>,
    /// The handbook's files (relative to its root) whose working-tree text is not HEAD's: what
    /// makes `source.dirty`. Kept so that `serve` can tell when the sources are clean again.
    pub uncommitted: std::collections::BTreeSet<String>,
    /// Every id named by a `Reviews:` trailer, newest first.
    pub named_reviews: Vec<NamedReview>,
    /// Commits that touched documents, newest first.
    pub changes: Arc<Vec<ChangeSet>>,
    /// Why there is no history, when there is none (not a repository, unreadable…).
    pub unavailable: Option<String>,
    /// `people.yaml` as it was in each commit that records a review (by commit id; `None` when
    /// that commit had none): approvals are checked against the roles on record then, so that a
    /// role granted after the fact cannot validate an old approval.
    pub people_at: HashMap<String, Option<Arc<str>>>,
    /// The merges on the first-parent line, by commit id: a pull request merged with a merge
    /// commit is the commits it brought in (whose authors cannot approve it).
    pub merges: HashMap<String, Merge>,
}

/// A merge commit on the first-parent line and what it brought in.
#[derive(Debug, Clone)]
pub struct Merge {
    /// The merge commit.
    pub commit: Arc<CommitInfo>,
    /// The commits it brought into the line: reachable from its other parents, and neither on
    /// the line nor brought in by an earlier merge. Newest first.
    pub brought_in: Vec<Arc<CommitInfo>>,
}

impl History {
    /// The history of the document at `path`.
    pub fn doc(&self, path: &str) -> Option<&DocHistory> {
        self.docs.get(path).map(Arc::as_ref)
    }

    /// After files changed on disk (and HEAD did not move): whether each of `paths` now differs
    /// from HEAD, one status lookup per path, in `repo` (opened with [`open_repository`] at the
    /// handbook's `root`, and kept: a repository kept open reads git's index again only when it
    /// changed). Read apart from applying it ([`History::apply_working_tree_status`]), so that
    /// `serve` asks git beside other work.
    pub fn working_tree_status(
        &self,
        repo: Option<&(git2::Repository, String)>,
        root: &Path,
        paths: &[String],
    ) -> WorkingTreeStatus {
        let Some((repo, prefix)) = repo.filter(|_| self.source.repository) else {
            return WorkingTreeStatus(Vec::new());
        };
        WorkingTreeStatus(
            paths
                .iter()
                .map(|path| {
                    let changed = match repo.status_file(Path::new(&in_repo(prefix, path))) {
                        Ok(status) => !status.is_empty() && !status.is_ignored(),
                        // Not known to git: not committed, unless it is gone too (a new file
                        // deleted again leaves nothing to commit).
                        Err(_) => root.join(path).exists(),
                    };
                    (path.clone(), changed)
                })
                .collect(),
        )
    }

    /// Marks the documents of `status` committed or not; new paths get an empty history.
    pub fn apply_working_tree_status(&mut self, status: WorkingTreeStatus) {
        for (path, changed) in status.0 {
            if changed {
                self.uncommitted.insert(path.clone());
            } else {
                self.uncommitted.remove(&path);
            }
            let entry = self.docs.entry(path).or_default();
            let uncommitted = changed || entry.revisions.is_empty();
            if entry.uncommitted != uncommitted {
                Arc::make_mut(entry).uncommitted = uncommitted;
            }
        }
        self.source.dirty = !self.uncommitted.is_empty();
    }

    /// Forgets documents that are gone.
    pub fn retain_documents(&mut self, paths: &std::collections::HashSet<String>) {
        self.docs.retain(|p, _| paths.contains(p));
    }
}

/// Paths with whether the working tree changed them: see [`History::working_tree_status`].
pub struct WorkingTreeStatus(Vec<(String, bool)>);

/// What to read history for.
pub struct Request<'a> {
    /// The handbook root on disk.
    pub root: &'a Path,
    /// Document paths relative to the root (`policies/a.md`), as found by `load`.
    pub documents: &'a [String],
    /// `--as-of`, overriding HEAD's date.
    pub as_of: Option<jiff::civil::Date>,
    /// Read history from this commit instead of HEAD, and ignore the working tree.
    pub at_commit: Option<git2::Oid>,
    /// Commits read by an earlier extraction (other versions of the same handbook).
    pub cache: Option<&'a HistoryCache>,
    /// Also read `people.yaml` in every commit that changed a document and every merge:
    /// pull-request approvals are checked at their squash or merge commit.
    pub people_at_changes: bool,
    /// Also read each revision's front-matter `version` (acknowledgements are of versions).
    pub versions: bool,
}

/// Reads each revision's front-matter `version` into `history` (as `Request::versions` does),
/// for a history extracted without it.
pub fn read_versions(root: &Path, history: &mut History) -> Result<(), String> {
    let Some((repo, _)) = open_repository(root) else {
        return Ok(());
    };
    walk::read_versions(&repo, history)
        .map_err(|e| format!("cannot read the history: {}", e.message()))
}

/// Reads the history of `documents`. Never fails: problems leave `unavailable` set and the build
/// goes on without history.
pub fn extract(req: &Request<'_>) -> History {
    match walk::extract(req) {
        Ok(h) => h,
        Err(e) => History {
            source: SourceInfo {
                as_of: req.as_of,
                ..Default::default()
            },
            unavailable: Some(e),
            ..Default::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn info(message: &str) -> CommitInfo {
        CommitInfo::example(0, 0, message)
    }

    #[test]
    fn trailers_and_review_ids() {
        let c = info("Review\n\nReviews: a, b ,,c\nReviewed-by: Rita <r@x.org>\nApproved-by: Al\n");
        assert_eq!(c.reviews_trailer_ids(), ["a", "b", "c"]);
        assert_eq!(c.reviewers(), ["Rita <r@x.org>", "Al"]);
        assert!(info("No trailers here").trailers.is_empty());
    }

    #[test]
    fn the_committed_date_is_the_committers_own_day() {
        let at = |committed: &str| CommitInfo {
            committed: committed.into(),
            ..info("x")
        };
        let day = |s: &str| Some(s.parse::<jiff::civil::Date>().unwrap());
        assert_eq!(
            at("2024-10-27T23:50:24-05:00").committed_date(),
            day("2024-10-27")
        );
        assert_eq!(
            at("0001-01-01T00:00:00+00:00").committed_date(),
            day("0001-01-01")
        );
        assert_eq!(at("2024-02-29").committed_date(), day("2024-02-29"));
        for not_a_day in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-1-01T0",
            "",
            "2024/10/27",
            "+02024-10-2",
        ] {
            assert_eq!(at(not_a_day).committed_date(), None, "{not_a_day}");
        }
        // The same answer as a general date parser, for every day the calendar has.
        let mut d = jiff::civil::date(1999, 12, 25);
        while d.year() < 2001 {
            assert_eq!(at(&format!("{d}T12:00:00+01:00")).committed_date(), Some(d));
            d = d.tomorrow().unwrap();
        }
    }

    /// Messages made of the pieces trailers are made of, and anything else.
    fn message() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("\n".to_string()),
            Just("\n\n".to_string()),
            Just("Reviews: ".to_string()),
            Just("Reviewed-by: ".to_string()),
            Just(": ".to_string()),
            Just(",".to_string()),
            Just("---".to_string()),
            "[a-zA-Z -]{0,12}",
            any::<String>(),
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn trailer_parsing_never_panics_and_takes_only_what_is_there(m in message()) {
            let c = info(&m);
            for (k, v) in &c.trailers {
                prop_assert!(m.contains(k.as_str()), "key {k:?} not in {m:?}");
                prop_assert!(v.is_empty() || m.contains(v.split('\n').next().unwrap_or("")));
            }
            for id in c.reviews_trailer_ids() {
                prop_assert!(!id.is_empty());
                prop_assert!(m.contains(id.as_str()), "id {id:?} not in {m:?}");
            }
        }
    }
}
