//! Review state of each document from its git history: last change, reviews (from trailers on
//! changes and from `Reviews: <id>` trailers), next due date and status as of the build's date.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::signatures::{SignatureCheck, SignatureStatus};
use crate::config::{IdentityLevel, ReviewSettings};
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::people::{People, Person};
use crate::model::{DocIx, Document, Ix, IxVec, Status};
use crate::pipeline::history::review::{ReviewStatus, next_due, status};
use crate::pipeline::history::{CommitInfo, DocHistory, History, NamedReview, Review, Revision};

#[derive(Debug, Clone)]
/// A document's reviews and where it stands, as of the as-of date.
pub struct ReviewState {
    /// Newest first: the document's history's, shared.
    pub revisions: Arc<Vec<Revision>>,
    /// Newest first; one per commit.
    pub reviews: Vec<Review>,
    /// Date of its first commit (on or before the as-of date).
    pub first_commit: Option<jiff::civil::Date>,
    /// When the next review is due.
    pub next_due: Option<jiff::civil::Date>,
    /// Where it stands.
    pub status: ReviewStatus,
    /// The working-tree file differs from HEAD.
    pub uncommitted: bool,
    /// Reviews that do not count towards the status, each with the reason (dated after the as-of
    /// date, or a date that is not a date), newest first.
    pub not_counted: Vec<(Review, String)>,
}

impl ReviewState {
    /// Its newest revision.
    pub fn last_changed(&self) -> Option<&Revision> {
        self.revisions.first()
    }

    /// Its newest counted review.
    pub fn last_reviewed(&self) -> Option<&Review> {
        self.reviews.first()
    }
}

/// The id `Reviews:` trailers use for the control register.
pub const REGISTER_REVIEW_ID: &str = "controls";

/// The control register's own history: every revision of its files, and its reviews (trailers on
/// commits that changed it, and `Reviews: controls`), as review evidence like a document's.
#[derive(Debug, Clone, Default)]
pub struct RegisterHistory {
    /// Its files, relative to the handbook root (`controls.yaml`, `controls/*.yaml`).
    pub files: Vec<String>,
    /// Every revision of any of its files, newest first.
    pub revisions: Vec<Revision>,
    /// Counted reviews, newest first; one per commit.
    pub reviews: Vec<Review>,
    /// Reviews that do not count, with the reason.
    pub not_counted: Vec<(Review, String)>,
    /// A file of it differs from HEAD.
    pub uncommitted: bool,
}

/// The register's history, from the histories of its files and `Reviews: controls`.
pub(crate) fn register_history(files: Vec<String>, history: &History) -> RegisterHistory {
    gathered_history(files, history, Some(REGISTER_REVIEW_ID))
}

/// The history of other files read as one (`site.toml`): their revisions and the reviews on
/// commits that changed them.
pub(crate) fn file_history(files: Vec<String>, history: &History) -> RegisterHistory {
    gathered_history(files, history, None)
}

fn gathered_history(
    files: Vec<String>,
    history: &History,
    review_id: Option<&str>,
) -> RegisterHistory {
    let as_of = history.source.as_of;
    let mut revisions: Vec<Revision> = Vec::new();
    let mut all: Vec<Review> = Vec::new();
    let mut uncommitted = false;
    for f in &files {
        let Some(h) = history.doc(f) else { continue };
        revisions.extend(h.revisions.iter().cloned());
        all.extend(h.reviews.iter().cloned());
        uncommitted |= history.source.repository && h.uncommitted;
    }
    all.extend(
        history
            .named_reviews
            .iter()
            .filter(|n| Some(n.id.as_str()) == review_id)
            .map(|n| n.review.clone()),
    );
    revisions.sort_by_key(|r| std::cmp::Reverse(r.commit.author_time));
    // One revision per commit: a commit that changed several of its files changed the register
    // once.
    let mut merged: Vec<Revision> = Vec::with_capacity(revisions.len());
    for r in revisions {
        match merged.last_mut() {
            Some(last) if last.commit.id == r.commit.id => {
                last.path = format!("{}, {}", last.path, r.path);
                last.added += r.added;
                last.removed += r.removed;
            }
            _ => merged.push(r),
        }
    }
    let revisions = merged;
    all.sort_by_key(|r| std::cmp::Reverse(r.commit.commit_time));
    all.dedup_by(|a, b| a.commit.id == b.commit.id);
    let (mut reviews, mut not_counted) = (Vec::new(), Vec::new());
    for r in all {
        match not_counted_because(&r.commit, as_of) {
            Some(why) => not_counted.push((r, why)),
            None => reviews.push(r),
        }
    }
    RegisterHistory {
        files,
        revisions,
        reviews,
        not_counted,
        uncommitted,
    }
}

/// Whether an approval counts, once `people.yaml` says who may approve: the approver must be a
/// person on record in the approving commit's `people.yaml`, hold one of the document's
/// `approvers` roles (else its `owner`) on the commit's date, not have authored the changes it
/// approves (unless allowed), and be identified as surely as `[reviews] require` asks.
pub(crate) struct ApprovalRules<'a> {
    /// Approvers are checked at all (the handbook has `people.yaml`).
    pub check: bool,
    /// `[reviews]`.
    pub settings: &'a ReviewSettings,
    /// `people.yaml` in each reviewing commit, parsed once per text.
    people_at: HashMap<String, Option<People>>,
    /// Checked signatures, by commit id.
    signatures: &'a HashMap<String, SignatureCheck>,
}

impl<'a> ApprovalRules<'a> {
    pub(crate) fn new(
        people: &People,
        settings: &'a ReviewSettings,
        history: &History,
        signatures: &'a HashMap<String, SignatureCheck>,
    ) -> Self {
        let mut parsed: HashMap<*const u8, People> = HashMap::new();
        let people_at = history
            .people_at
            .iter()
            .map(|(id, text)| {
                let p = text.as_ref().map(|t| {
                    parsed
                        .entry(t.as_ptr())
                        .or_insert_with(|| crate::pipeline::parse::people::people_from_text(t))
                        .clone()
                });
                (id.clone(), p)
            })
            .collect();
        ApprovalRules {
            check: people.exists(),
            settings,
            people_at,
            signatures,
        }
    }

    /// How sure review `r` is that `person` approved: verified when its commit carries a
    /// verified signature whose signer is that person.
    fn identity(&self, r: &Review, person: &Person, people: &People) -> IdentityLevel {
        verified_identity(self.signatures, r, person, people)
    }

    /// Why review `r` of `doc` does not count, if it does not: the reasons of each of its
    /// approvers, when none of them counts. `approved_up_to`: time of the last counted approval
    /// before it (the changes after that are the ones it approves).
    fn problem(
        &self,
        doc: &Document,
        r: &Review,
        revisions: &[Revision],
        approved_up_to: i64,
    ) -> Option<String> {
        if !self.check {
            return None;
        }
        let Some(people) = self.people_at.get(&r.commit.id).and_then(Option::as_ref) else {
            return Some(format!(
                "no people.yaml in commit {}, so who could approve then is not on record",
                r.commit.short
            ));
        };
        let day = r.date();
        let entitled: Vec<&str> = if doc.approvers.is_empty() {
            doc.owner_name().into_iter().collect()
        } else {
            doc.approvers.iter().map(|a| a.value.as_str()).collect()
        };
        let changes: Vec<&Revision> = revisions
            .iter()
            .filter(|v| {
                v.commit.commit_time > approved_up_to
                    && (v.commit.commit_time <= r.commit.commit_time || v.commit.id == r.commit.id)
            })
            .collect();
        let mut reasons = Vec::new();
        for who in &r.reviewers {
            let Some(person) = people.identify(who) else {
                reasons.push(format!(
                    "{who} is not in people.yaml (as of commit {})",
                    r.commit.short
                ));
                continue;
            };
            let holds = entitled.is_empty()
                || entitled.iter().any(|e| {
                    (people.is_role(e) && person.holds(e, Some(day)))
                        || people.identify(e).is_some_and(|p| p.name == person.name)
                });
            if !holds {
                reasons.push(format!(
                    "not an approver: {} did not hold {} on {day}",
                    person.name,
                    entitled.join(" or ")
                ));
                continue;
            }
            // The author of a change, or a co-author (`Co-authored-by:`, as squash merges write).
            let own = changes.iter().find(|v| {
                let author = format!("{} <{}>", v.commit.author, v.commit.email);
                std::iter::once(author)
                    .chain(v.commit.co_authors())
                    .any(|a| people.identify(&a).is_some_and(|p| p.name == person.name))
            });
            if let Some(own) = own
                && !self.settings.allow_self_approval
            {
                reasons.push(format!(
                    "self-approval: {} authored {} ({})",
                    person.name, own.commit.short, own.commit.subject
                ));
                continue;
            }
            let signature = self.signatures.get(&r.commit.id);
            if signature.is_some_and(|s| s.status == SignatureStatus::Bad) {
                reasons.push(format!(
                    "bad signature: commit {} was altered after it was signed",
                    r.commit.short
                ));
                continue;
            }
            if self.settings.require == IdentityLevel::Verified
                && self.identity(r, person, people) != IdentityLevel::Verified
            {
                reasons.push(format!(
                    "unverified: {}'s approval rests on a trailer or commit author anyone can type (commit {} is not signed by {} with a trusted key of [signatures]), and [reviews] require = \"verified\"",
                    person.name, r.commit.short, person.name
                ));
                continue;
            }
            return None;
        }
        Some(reasons.join("; "))
    }
}

/// Verified when `r`'s commit carries a verified signature whose signer (an email of the allowed
/// signers) is `person`.
pub(crate) fn verified_identity(
    signatures: &HashMap<String, SignatureCheck>,
    r: &Review,
    person: &Person,
    people: &People,
) -> IdentityLevel {
    // A review on the hosting service: its reviewer is the service's user, mapped by login.
    if r.pull_request.is_some() && r.reviewers.iter().any(|w| w == &person.name) {
        return IdentityLevel::Verified;
    }
    let signed_by = signatures
        .get(&r.commit.id)
        .filter(|s| s.status == SignatureStatus::Verified)
        .and_then(|s| s.signer.as_deref())
        .and_then(|email| people.by_email(email));
    if signed_by.is_some_and(|p| p.name == person.name) {
        IdentityLevel::Verified
    } else {
        IdentityLevel::Asserted
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn review_states(
    documents: &IxVec<DocIx, Arc<Document>>,
    by_id: &HashMap<String, DocIx>,
    history: &History,
    has_register: bool,
    approvals: &ApprovalRules<'_>,
    pull_requests: &super::pull_requests::PrApprovals,
    earlier: Option<&super::Handbook>,
    diags: &mut Diagnostics,
) -> (IxVec<DocIx, ReviewState>, IxVec<DocIx, Diagnostics>) {
    let as_of = history.source.as_of;
    // An earlier resolve of the same handbook (`serve`), when every document has the id and
    // path it had: which reviews name which document is then as it was, so a document with the
    // same text and the same history has the same state (its other inputs, the people, the
    // keys and the pull requests, are the same by the caller's word: see `Parsed::earlier`).
    let earlier = earlier.filter(|e| {
        e.history.source.as_of == as_of
            && e.history.source.repository == history.source.repository
            && e.register_history.files.is_empty() != has_register
            && e.review_findings.len() == documents.len()
            && e.documents.len() == documents.len()
            && e.documents
                .iter()
                .zip(documents.iter())
                .all(|(a, b)| a.id == b.id && a.path == b.path)
    });
    let mut named: IxVec<DocIx, Vec<&Review>> = IxVec::filled(documents.len(), Vec::new());
    let mut unknown: Vec<&NamedReview> = Vec::new();
    for n in &history.named_reviews {
        match by_id.get(&n.id) {
            Some(&i) => named[i].push(&n.review),
            // A document deleted or renamed since is history, not a mistake.
            None if n.existed_then => {}
            None if has_register && n.id == REGISTER_REVIEW_ID => {}
            None => unknown.push(n),
        }
    }
    // Each document's state on its own, side by side; what they find is reported in document
    // order, as one after the other would.
    let found: Vec<(ReviewState, Diagnostics)> = documents
        .as_slice()
        .par_iter()
        .enumerate()
        .with_max_len(crate::parallel::LEAF)
        .map(|(i, doc)| {
            let i = DocIx::new(i);
            if let Some(e) = earlier
                && Arc::ptr_eq(&e.documents[i], doc)
                && same_history(e.history.docs.get(&doc.path), history.docs.get(&doc.path))
            {
                return (e.reviews[i].clone(), e.review_findings[i].clone());
            }
            let mut found = Diagnostics::new();
            let diags = &mut found;
            let h = history.doc(&doc.path);
            let revisions = h.map(|h| h.revisions.clone()).unwrap_or_default();
            let mut all: Vec<Review> = h.map(|h| h.reviews.clone()).unwrap_or_default();
            for r in &named[i] {
                if !all.iter().any(|x| x.commit.id == r.commit.id) {
                    all.push((*r).clone());
                }
            }
            let (pr_approved, pr_refused) = pull_requests.of(&doc.path);
            all.extend(pr_approved.into_iter().cloned());
            // Oldest first by committer time (approvals are dated when committed), to know which
            // changes each approval covers; newest first after.
            all.sort_by_key(|r| r.commit.commit_time);
            let (mut reviews, mut not_counted) = (Vec::new(), Vec::new());
            let mut approved_up_to = i64::MIN;
            for r in all {
                let why = not_counted_because(&r.commit, as_of)
                    .or_else(|| approvals.problem(doc, &r, &revisions, approved_up_to));
                match why {
                    Some(why) => not_counted.push((r, why)),
                    None => {
                        approved_up_to = r.commit.commit_time;
                        reviews.push(r);
                    }
                }
            }
            not_counted.extend(
                pr_refused
                    .into_iter()
                    .map(|(r, why)| (r.clone(), why.to_string())),
            );
            reviews.reverse();
            not_counted.reverse();
            let uncommitted = history.source.repository && h.is_some_and(|h| h.uncommitted);
            // Oldest revision that existed by the as-of date: what a first review is due from.
            let first_commit = revisions
                .iter()
                .rev()
                .find(|r| not_counted_because(&r.commit, as_of).is_none())
                .map(|r| r.commit.date);
            let next = next_due(
                reviews.first().map(Review::date),
                doc.effective.map(|e| e.value),
                first_commit,
                doc.review.map(|r| r.value),
            );
            let mut state = ReviewState {
                revisions,
                reviews,
                first_commit,
                next_due: next,
                status: ReviewStatus::Current,
                uncommitted,
                not_counted,
            };
            state.status = standing(doc, &state, as_of, diags);
            (state, found)
        })
        .collect();
    let mut states = Vec::with_capacity(found.len());
    let mut findings = Vec::with_capacity(found.len());
    for (state, found) in found {
        states.push(state);
        diags.extend(found.clone());
        findings.push(found);
    }
    let states: IxVec<DocIx, ReviewState> = IxVec::from_vec(states);
    unknown_review_ids(&unknown, documents, by_id, &states, diags);
    (states, IxVec::from_vec(findings))
}

/// Whether two histories of a document are one (shared since it was read).
fn same_history(a: Option<&Arc<DocHistory>>, b: Option<&Arc<DocHistory>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        _ => false,
    }
}

/// Why a commit cannot count as a review as of `as_of`, if it cannot.
fn not_counted_because(commit: &CommitInfo, as_of: Option<jiff::civil::Date>) -> Option<String> {
    if !commit.date_valid {
        return Some("its date is outside the calendar, so it cannot be placed in time".into());
    }
    // The committer date: when the commit entered the history, whatever its author date says.
    let day = commit.committed_date().unwrap_or(commit.date);
    match as_of {
        Some(a) if day > a => Some(format!("dated {day}, after the as-of date {a}")),
        _ => None,
    }
}

fn review_command(doc: &Document) -> String {
    format!(
        "review it, then record the review: git commit --allow-empty {} \
         --trailer \"Reviewed-by: Name <email>\"",
        review_message(doc)
    )
}

/// What a review commit of `doc` says, in the hints that give the command to record one:
/// `-m "Review <title>" --trailer "Reviews: <id>"`.
pub(super) fn review_message(doc: &Document) -> String {
    format!(
        "-m \"Review {}\" --trailer \"Reviews: {}\"",
        doc.title, doc.id
    )
}

/// Where a document stands given its reviews, revisions, due date and whether its text is
/// committed, with the warnings that follow: computed once per build, and again by `serve` when
/// an edit only changed whether the text is committed.
pub(super) fn standing(
    doc: &Document,
    state: &ReviewState,
    as_of: Option<jiff::civil::Date>,
    diags: &mut Diagnostics,
) -> ReviewStatus {
    // A committed change after the last counted approval: that text is not approved.
    let changed_after = state.reviews.first().and_then(|last| {
        state
            .revisions
            .iter()
            .filter(|r| not_counted_because(&r.commit, as_of).is_none())
            .find(|r| {
                r.commit.id != last.commit.id && r.commit.commit_time > last.commit.commit_time
            })
            .map(|r| (last, r))
    });
    // The version in force must have been approved by its `effective` date.
    if let Some(effective) = doc.effective
        && changed_after.is_none()
        && let Some(latest) = state
            .revisions
            .iter()
            .find(|r| not_counted_because(&r.commit, as_of).is_none())
        && let Some(first) = state.reviews.iter().rev().find(|r| {
            r.commit.id == latest.commit.id || r.commit.commit_time >= latest.commit.commit_time
        })
        && effective.value < first.date()
    {
        diags.push(
            Diagnostic::warning(format!(
                "effective before approval: `effective` is {}, but this version was first approved on {} ({})",
                effective.value,
                first.date(),
                first.commit.short
            ))
            .at_line(&doc.display_path, &doc.source, effective.line)
            .hint("a policy takes effect once approved: set `effective` to the approval date or later"),
        );
    }
    let mut st = status(state.next_due, as_of, state.uncommitted);
    if changed_after.is_some() && matches!(st, ReviewStatus::Current | ReviewStatus::DueSoon) {
        st = ReviewStatus::ChangedSinceApproval;
    }
    if let Some((last, change)) = changed_after
        && !state.uncommitted
        && doc.status == Status::Published
    {
        diags.push(
            Diagnostic::warning(format!(
                "changed since approval: last approved {} ({}), changed {} by {} in {}",
                last.date(),
                last.commit.short,
                change.commit.date,
                change.commit.author,
                change.commit.short
            ))
            .at(&doc.display_path, None)
            .hint(review_command(doc)),
        );
    }
    if state.uncommitted {
        diags.push(
            Diagnostic::warning("uncommitted changes: this text is not in git, so it has not been reviewed")
                .at(&doc.display_path, None)
                .hint("commit the change; once reviewed, record it with a `Reviewed-by: Name <email>` trailer"),
        );
    } else if st == ReviewStatus::Overdue && doc.status == Status::Published {
        let last = match state.reviews.first() {
            Some(r) => format!("last reviewed {}", r.date()),
            None => "never reviewed".to_string(),
        };
        let cadence = doc.review.map(|c| c.to_string()).unwrap_or_default();
        let due = state.next_due.map(|d| d.to_string()).unwrap_or_default();
        diags.push(
            Diagnostic::warning(format!(
                "review overdue: {last}, {cadence} review was due {due}"
            ))
            .at(&doc.display_path, None)
            .hint(review_command(doc)),
        );
    } else if state.next_due.is_none()
        && let (Some(cadence), Some(base)) = (
            doc.review,
            state
                .reviews
                .first()
                .map(Review::date)
                .or(doc.effective.map(|e| e.value))
                .or(state.first_commit),
        )
    {
        // The arithmetic overflowed: a date near the end of the calendar.
        diags.push(
            Diagnostic::warning(format!(
                "no review due date: {base} plus a {cadence} cadence is past the last date policybook can compute (9999-12-31), so the status is unknown"
            ))
            .at(&doc.display_path, None)
            .hint("check the `effective` date; it is probably a placeholder"),
        );
    }
    st
}

impl ReviewState {
    /// The same reviews of `doc` once its text is (or is no longer) committed: `serve` after an
    /// edit that changed nothing else. The warnings go to `diags`, as `review_states` gives them.
    pub(crate) fn with_uncommitted(
        &self,
        doc: &Document,
        uncommitted: bool,
        as_of: Option<jiff::civil::Date>,
        diags: &mut Diagnostics,
    ) -> ReviewState {
        let mut state = self.clone();
        state.uncommitted = uncommitted;
        state.status = standing(doc, &state, as_of, diags);
        state
    }
}

/// `Reviews: bsae`: a warning naming the commit and the closest id, unless the mistake has been
/// put right since (the document it most likely meant has a counted review after that commit).
fn unknown_review_ids(
    unknown: &[&NamedReview],
    documents: &IxVec<DocIx, Arc<Document>>,
    by_id: &HashMap<String, DocIx>,
    states: &IxVec<DocIx, ReviewState>,
    diags: &mut Diagnostics,
) {
    for n in unknown {
        let c = &n.review.commit;
        let near = did_you_mean(&n.id, by_id.keys().map(String::as_str));
        if let Some(&i) = near.and_then(|id| by_id.get(id))
            && states[i]
                .reviews
                .iter()
                .any(|r| r.commit.author_time > c.author_time)
        {
            continue;
        }
        let d = Diagnostic::warning(format!(
            "commit {} ({}) has `Reviews: {}`, but no document has that id, so the review counts for nothing",
            c.short, c.date, n.id
        ));
        diags.push(match near.and_then(|id| by_id.get(id)) {
            Some(&i) => d.hint(format!(
                "did you mean `{}`? History cannot be changed: {}",
                documents[i].id,
                review_command(&documents[i]).replacen("review it, then record", "record", 1)
            )),
            None => d.hint("name a document's `id` (its file name without .md, unless it sets `id:`) in the next review commit"),
        });
    }
}

/// Warnings about the history as a whole: none at all, or truncated.
pub fn source_warnings(history: &History, display_root: &std::path::Path, diags: &mut Diagnostics) {
    let root = if display_root.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        display_root.to_path_buf()
    };
    for skew in by_commit(&history.skewed) {
        let (commit, d) = (&skew.commit, &skew.descendant);
        diags.push(
            Diagnostic::warning(format!(
                "commit {} is dated {}, after {} (committed {}), a later commit built on it: its date cannot be trusted (a wrong clock or a forged date)",
                commit.short, commit.date, d.short, d.committed
            ))
            .at(&root, None)
            .hint("its changes and reviews are flagged on the pages; a review it records counts only up to the as-of date, so record a doubtful review again in a new commit"),
        );
    }
    for o in by_commit(&history.out_of_order) {
        let (commit, parent) = (&o.commit, &o.descendant);
        diags.push(
            Diagnostic::warning(format!(
                "date out of order: commit {} was committed {}, before its parent {} (committed {}): it was backdated, or made on a machine with a wrong clock",
                commit.short, commit.committed, parent.short, parent.committed
            ))
            .at(&root, None)
            .hint("a review it records is dated by that date; if it is wrong, record the review again in a new commit"),
        );
    }
    for c in &history.invalid_dates {
        diags.push(
            Diagnostic::warning(format!(
                "commit {} has an author date git stores as {} seconds, which is no calendar date: its changes are listed without a date and it counts as no review",
                c.short, c.author_time
            ))
            .at(&root, None)
            .hint("record any review it was meant to be in a new commit"),
        );
    }
    if let Some((head, today)) = history.source.head_in_future {
        diags.push(
            Diagnostic::warning(format!(
                "the HEAD commit is dated {head}, after today ({today}): review statuses are computed as of that future date"
            ))
            .at(&root, None)
            .hint("fix the committer's clock and commit again, or pass --as-of YYYY-MM-DD"),
        );
    }
    if let Some(why) = &history.unavailable {
        diags.push(
            Diagnostic::warning(format!("no history: {why}, so documents show no revisions and reviews cannot be checked"))
                .at(&root, None)
                .hint("keep the handbook in a git repository and commit it (git init && git add . && git commit)"),
        );
    } else if history.source.shallow {
        diags.push(
            Diagnostic::warning("the repository is a shallow clone: history is truncated, so revision and review dates may be wrong")
                .at(&root, None)
                .hint("fetch the full history: `git fetch --unshallow`, or in GitHub Actions set `fetch-depth: 0` on actions/checkout"),
        );
    }
}

/// Flagged commits in a stable order (by commit id).
fn by_commit(
    flagged: &HashMap<String, crate::pipeline::history::Skew>,
) -> Vec<&crate::pipeline::history::Skew> {
    let mut v: Vec<(&String, &crate::pipeline::history::Skew)> = flagged.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v.into_iter().map(|(_, s)| s).collect()
}
