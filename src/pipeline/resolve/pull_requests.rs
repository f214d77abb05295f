//! Approvals given as pull-request reviews on the hosting service, read from files in the shape
//! `gh pr list --state merged --json number,title,author,mergedAt,mergeCommit,headRefOid,files,reviews`
//! writes (`[reviews] pull_requests`). A pull request approves the documents it changed when an
//! approver's latest review is `APPROVED`, on the final head, before the merge, and the approver is
//! not the pull request's author. The reviewer's identity comes from the service (their login,
//! through `people.yaml`): such approvals are **verified**.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::people::People;
use crate::pipeline::history::{CommitInfo, History, Review};
use crate::pipeline::load::SourceFile;

/// `gh`'s `--limit`s: a file with exactly this many rows was probably cut off.
const LIMITS: [usize; 2] = [30, 1000];

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct ObjectId {
    oid: String,
}

#[derive(Deserialize)]
struct ChangedFile {
    path: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PrReview {
    author: Option<Login>,
    state: String,
    submitted_at: Option<String>,
    commit: Option<ObjectId>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PullRequest {
    number: u32,
    author: Option<Login>,
    merged_at: Option<String>,
    merge_commit: Option<ObjectId>,
    head_ref_oid: Option<String>,
    #[serde(default)]
    files: Vec<ChangedFile>,
    #[serde(default)]
    reviews: Vec<PrReview>,
}

/// Approvals from pull requests, by the path of the document they approve (as `gh` writes it,
/// relative to the repository).
#[derive(Debug, Default, Clone)]
pub struct PrApprovals {
    /// Approvals that stand as far as the pull request goes (roles are checked later).
    pub approvals: Vec<(String, Review)>,
    /// Reviews that approve nothing, with the reason.
    pub refused: Vec<(String, Review, String)>,
}

impl PrApprovals {
    /// The approvals and refusals of the document at `path` (relative to the handbook): `gh`'s
    /// paths are relative to the repository, which may hold the handbook in a folder.
    pub fn of<'a>(&'a self, path: &'a str) -> (Vec<&'a Review>, Vec<(&'a Review, &'a str)>) {
        let same = |p: &str| p == path || p.ends_with(&format!("/{path}"));
        (
            self.approvals
                .iter()
                .filter(|(p, _)| same(p))
                .map(|(_, r)| r)
                .collect(),
            self.refused
                .iter()
                .filter(|(p, ..)| same(p))
                .map(|(_, r, why)| (r, why.as_str()))
                .collect(),
        )
    }
}

/// Reads the pull-request files; mistakes are errors naming the file and position.
pub fn read(
    files: &[SourceFile],
    history: &History,
    people: &People,
    diags: &mut Diagnostics,
) -> PrApprovals {
    // Most handbooks record no pull requests: the map below is then not worth building.
    if files.is_empty() {
        return PrApprovals::default();
    }
    let commits: HashMap<&str, &Arc<CommitInfo>> = history
        .changes
        .iter()
        .map(|c| (c.commit.id.as_str(), &c.commit))
        .chain(
            history
                .docs
                .values()
                .flat_map(|d| d.reviews.iter().map(|r| (r.commit.id.as_str(), &r.commit))),
        )
        .collect();
    let mut out = PrApprovals::default();
    for f in files {
        let prs: Vec<PullRequest> = match serde_json::from_str(&f.text) {
            Ok(p) => p,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("invalid pull-request file: {e}"))
                        .at_line(&f.display, &f.text, e.line().max(1))
                        .hint("write it with `gh pr list --state merged --json number,title,author,mergedAt,mergeCommit,headRefOid,files,reviews --limit 1000`"),
                );
                continue;
            }
        };
        if LIMITS.contains(&prs.len()) {
            diags.push(
                Diagnostic::warning(format!(
                    "{} holds exactly {} pull requests: `gh pr list` probably stopped at its --limit, and older ones are missing",
                    f.display.display(),
                    prs.len()
                ))
                .at(&f.display, None)
                .hint("raise --limit (or page by date) until a file holds fewer rows than the limit"),
            );
        }
        for pr in &prs {
            approvals_of(pr, &commits, history, people, &mut out);
        }
        merge_dates(&prs, history, f, diags);
    }
    out
}

/// How many days before its pull request's merge a trailer approval in one of the pull
/// request's own commits may be dated: older than this, it predates the review the service
/// recorded by more than any review takes.
const BRANCH_APPROVAL_DAYS: i64 = 30;

/// A trailer approval that a pull request merged, dated far from the merge the service recorded:
/// in the merge (or squash) commit more than a day from it either way; in a commit the merge
/// brought in, more than a day after it (it cannot postdate its own merge) or more than
/// `BRANCH_APPROVAL_DAYS` before. The commit was rewritten, or its dates set by hand.
fn merge_dates(prs: &[PullRequest], history: &History, f: &SourceFile, diags: &mut Diagnostics) {
    // Commit id → (pull request, merged on, brought in by its merge rather than the merge itself).
    let mut merged: HashMap<&str, (u32, jiff::civil::Date, bool)> = HashMap::new();
    for pr in prs {
        let (Some(m), Some(at)) = (&pr.merge_commit, pr.merged_at.as_deref().and_then(day)) else {
            continue;
        };
        merged.insert(m.oid.as_str(), (pr.number, at, false));
        for c in history
            .merges
            .get(&m.oid)
            .map_or(&[][..], |m| &m.brought_in)
        {
            merged.insert(c.id.as_str(), (pr.number, at, true));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let reviews = history
        .docs
        .values()
        .flat_map(|d| d.reviews.iter())
        .chain(history.named_reviews.iter().map(|n| &n.review));
    for r in reviews {
        let Some(&(number, at, branch)) = merged.get(r.commit.id.as_str()) else {
            continue;
        };
        let dated = r.date();
        // Positive: the approval is older than the merge.
        let before = crate::model::exception::days_between(dated, at);
        let far = if branch {
            !(-1..=BRANCH_APPROVAL_DAYS).contains(&before)
        } else {
            before.abs() > 1
        };
        if far && seen.insert(r.commit.id.clone()) {
            let what = if branch { "brought in by" } else { "merged by" };
            diags.push(
                Diagnostic::warning(format!(
                    "the approval in commit {} is dated {dated}, but pull request #{number} merged it on {at} ({} days apart)",
                    r.commit.short,
                    before.abs()
                ))
                .at(&f.display, None)
                .hint(format!("the approval's commit was {what} the merge: it was rewritten or its dates were set by hand; record the approval again")),
            );
        }
    }
}

fn approvals_of(
    pr: &PullRequest,
    commits: &HashMap<&str, &Arc<CommitInfo>>,
    history: &History,
    people: &People,
    out: &mut PrApprovals,
) {
    let Some(oid) = pr.merge_commit.as_ref().map(|m| m.oid.as_str()) else {
        return;
    };
    // A squash or rebase merge changed documents itself; a merge commit brought in commits that
    // did.
    let merge = history.merges.get(oid);
    let Some(commit) = commits
        .get(oid)
        .copied()
        .or_else(|| merge.map(|m| &m.commit))
    else {
        // Not merged into the handbook's history (or it changed no document).
        return;
    };
    let writers = writers(commit, merge.map(|m| m.brought_in.as_slice()));
    let merged = pr.merged_at.as_deref().and_then(day);
    let author = pr.author.as_ref().map(|a| a.login.to_lowercase());
    // Each reviewer's latest review decides.
    let mut latest: HashMap<String, &PrReview> = HashMap::new();
    for r in &pr.reviews {
        let Some(login) = r.author.as_ref().map(|a| a.login.to_lowercase()) else {
            continue;
        };
        let later = latest
            .get(&login)
            .is_none_or(|prev| prev.submitted_at <= r.submitted_at);
        if later && r.state != "COMMENTED" {
            latest.insert(login, r);
        }
    }
    let mut logins: Vec<&String> = latest.keys().collect();
    logins.sort();
    for login in logins {
        let r = latest[login];
        let Some(submitted) = r.submitted_at.as_deref().and_then(day) else {
            continue;
        };
        let who = people
            .by_login(login)
            .map_or_else(|| format!("@{login}"), |p| p.name.clone());
        let review = Review {
            commit: (*commit).clone(),
            reviewers: vec![who],
            pull_request: Some((pr.number, submitted)),
        };
        let why = if r.state != "APPROVED" {
            Some(format!(
                "pull request #{}: the latest review of @{login} is {}",
                pr.number, r.state
            ))
        } else if author.as_deref() == Some(login.as_str()) || wrote(&writers, people, login) {
            Some(format!(
                "self-approval: @{login} approved their own pull request #{} (its author, or an author or co-author of its commits)",
                pr.number
            ))
        } else if r.commit.as_ref().map(|c| &c.oid) != pr.head_ref_oid.as_ref() {
            Some(format!(
                "pull request #{}: @{login} approved an earlier revision, not the one merged",
                pr.number
            ))
        } else if merged.is_some_and(|m| submitted > m) {
            Some(format!(
                "pull request #{}: @{login} approved after the merge",
                pr.number
            ))
        } else {
            None
        };
        for f in &pr.files {
            match &why {
                None => out.approvals.push((f.path.clone(), review.clone())),
                Some(w) => out
                    .refused
                    .push((f.path.clone(), review.clone(), w.clone())),
            }
        }
    }
}

/// Everyone who wrote the change a pull request merged, as `Name <email>`: for a merge commit,
/// the authors and co-authors of the commits it brought in (not the merge's author, who only
/// pressed the button) and the merge's co-authors; for a squash or rebase, the commit's author and
/// co-authors.
fn writers(commit: &CommitInfo, brought_in: Option<&[Arc<CommitInfo>]>) -> Vec<String> {
    let own = |c: &CommitInfo| {
        std::iter::once(format!("{} <{}>", c.author, c.email)).chain(c.co_authors())
    };
    match brought_in {
        Some(commits) => commits
            .iter()
            .flat_map(|c| own(c))
            .chain(commit.co_authors())
            .collect(),
        None => own(commit).collect(),
    }
}

/// Whether the person with `login` is among `writers`.
fn wrote(writers: &[String], people: &People, login: &str) -> bool {
    let Some(person) = people.by_login(login) else {
        return false;
    };
    writers
        .iter()
        .any(|a| people.identify(a).is_some_and(|p| p.name == person.name))
}

/// The day of an RFC 3339 timestamp, as written (`2025-03-01T10:00:00Z` → 2025-03-01).
fn day(ts: &str) -> Option<jiff::civil::Date> {
    ts.get(..10)?.parse().ok()
}
