//! Review state of each document from its git history: last change, reviews (from trailers on
//! changes and from `Reviews: <id>` trailers), next due date and status as of the build's date.

use std::collections::HashMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::history::review::{ReviewStatus, next_due, status};
use crate::history::{History, Review, Revision};
use crate::model::{Document, Status};

#[derive(Debug, Clone)]
pub struct ReviewState {
    /// Newest first.
    pub revisions: Vec<Revision>,
    /// Newest first; one per commit.
    pub reviews: Vec<Review>,
    pub first_commit: Option<jiff::civil::Date>,
    pub next_due: Option<jiff::civil::Date>,
    pub status: ReviewStatus,
    pub uncommitted: bool,
}

impl ReviewState {
    pub fn last_changed(&self) -> Option<&Revision> {
        self.revisions.first()
    }

    pub fn last_reviewed(&self) -> Option<&Review> {
        self.reviews.first()
    }
}

pub fn review_states(
    documents: &[Document],
    by_id: &HashMap<String, usize>,
    history: &History,
    diags: &mut Diagnostics,
) -> Vec<ReviewState> {
    let mut named: Vec<Vec<&Review>> = vec![Vec::new(); documents.len()];
    // Reviews naming ids that no longer exist (documents deleted or renamed since) stay in the
    // history and are not an error: history cannot be changed.
    for (id, review) in &history.named_reviews {
        if let Some(&i) = by_id.get(id) {
            named[i].push(review);
        }
    }
    let as_of = history.source.as_of;
    documents
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let h = history.doc(&doc.path);
            let revisions = h.map(|h| h.revisions.clone()).unwrap_or_default();
            let mut reviews: Vec<Review> = h.map(|h| h.reviews.clone()).unwrap_or_default();
            for r in &named[i] {
                if !reviews.iter().any(|x| x.commit.id == r.commit.id) {
                    reviews.push((*r).clone());
                }
            }
            // Newest first by date; the walk order breaks ties.
            reviews.sort_by(|a, b| b.commit.timestamp.cmp(&a.commit.timestamp));
            let uncommitted = history.source.repository && h.is_some_and(|h| h.uncommitted);
            let first_commit = revisions.last().map(|r| r.commit.date);
            let next = next_due(reviews.first().map(|r| r.commit.date), doc.effective, first_commit, doc.review);
            let st = status(next, as_of, uncommitted);
            if uncommitted {
                diags.push(
                    Diagnostic::warning("uncommitted changes: this text is not in git, so it has not been reviewed")
                        .at(&doc.display_path, None)
                        .hint("commit the change; once reviewed, record it with a `Reviewed-by: Name <email>` trailer"),
                );
            } else if st == ReviewStatus::Overdue && doc.status == Status::Published {
                let last = match reviews.first() {
                    Some(r) => format!("last reviewed {}", r.commit.date),
                    None => "never reviewed".to_string(),
                };
                let cadence = doc.review.map(|c| c.to_string()).unwrap_or_default();
                let due = next.map(|d| d.to_string()).unwrap_or_default();
                diags.push(
                    Diagnostic::warning(format!("review overdue: {last}, {cadence} review was due {due}"))
                        .at(&doc.display_path, None)
                        .hint(format!(
                            "review it, then record the review: git commit --allow-empty -m \"Review {}\" \
                             --trailer \"Reviews: {}\" --trailer \"Reviewed-by: Name <email>\"",
                            doc.title, doc.id
                        )),
                );
            }
            ReviewState {
                revisions,
                reviews,
                first_commit,
                next_due: next,
                status: st,
                uncommitted,
            }
        })
        .collect()
}

/// Warnings about the history as a whole: none at all, or truncated.
pub fn source_warnings(history: &History, display_root: &std::path::Path, diags: &mut Diagnostics) {
    let root = if display_root.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        display_root.to_path_buf()
    };
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
