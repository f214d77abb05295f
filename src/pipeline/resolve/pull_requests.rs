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
            approvals_of(pr, &commits, people, &mut out);
        }
        merge_dates(&prs, history, f, diags);
    }
    out
}

/// A trailer approval in a pull request's merge commit dated more than a day from the merge the
/// service recorded: the commit was rewritten, or its dates set by hand.
fn merge_dates(prs: &[PullRequest], history: &History, f: &SourceFile, diags: &mut Diagnostics) {
    let merged: HashMap<&str, (u32, jiff::civil::Date)> = prs
        .iter()
        .filter_map(|pr| {
            let oid = pr.merge_commit.as_ref()?.oid.as_str();
            Some((oid, (pr.number, day(pr.merged_at.as_deref()?)?)))
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let reviews = history
        .docs
        .values()
        .flat_map(|d| d.reviews.iter())
        .chain(history.named_reviews.iter().map(|n| &n.review));
    for r in reviews {
        let Some(&(number, at)) = merged.get(r.commit.id.as_str()) else {
            continue;
        };
        let dated = r.date();
        let apart = crate::model::exception::days_between(dated, at).abs();
        if apart > 1 && seen.insert(r.commit.id.clone()) {
            diags.push(
                Diagnostic::warning(format!(
                    "the approval in commit {} is dated {dated}, but pull request #{number} merged it on {at} ({apart} days apart)",
                    r.commit.short
                ))
                .at(&f.display, None)
                .hint("a merge commit is dated when it is merged: it was rewritten or its dates were set by hand; record the approval again"),
            );
        }
    }
}

fn approvals_of(
    pr: &PullRequest,
    commits: &HashMap<&str, &Arc<CommitInfo>>,
    people: &People,
    out: &mut PrApprovals,
) {
    let Some(commit) = pr
        .merge_commit
        .as_ref()
        .and_then(|m| commits.get(m.oid.as_str()))
    else {
        // Not merged into the handbook's history (or it changed no document).
        return;
    };
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
            .persons
            .iter()
            .find(|p| p.logins.iter().any(|l| l.eq_ignore_ascii_case(login)))
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
        } else if author.as_deref() == Some(login.as_str()) || co_authored(commit, people, login) {
            Some(format!(
                "self-approval: @{login} approved their own pull request #{} (its author or a co-author)",
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

/// Whether the person with `login` co-authored the merged change (`Co-authored-by:` on the merge
/// or squash commit).
fn co_authored(commit: &CommitInfo, people: &People, login: &str) -> bool {
    let Some(person) = people
        .persons
        .iter()
        .find(|p| p.logins.iter().any(|l| l.eq_ignore_ascii_case(login)))
    else {
        return false;
    };
    commit
        .co_authors()
        .iter()
        .any(|a| people.identify(a).is_some_and(|p| p.name == person.name))
}

/// The day of an RFC 3339 timestamp, as written (`2025-03-01T10:00:00Z` → 2025-03-01).
fn day(ts: &str) -> Option<jiff::civil::Date> {
    ts.get(..10)?.parse().ok()
}
