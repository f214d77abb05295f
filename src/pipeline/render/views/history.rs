//! Views of the git history: revision tables, review state, the reviews page and the change log.

use serde::Serialize;

use super::{DocLink, Views};
use crate::model::{DocIx, Status};
use crate::pipeline::history::{Change, CommitInfo, Review, Revision};

#[derive(Serialize, Clone)]
pub struct SourceView {
    pub repository: bool,
    pub commit: Option<String>,
    pub short: Option<String>,
    pub commit_url: Option<String>,
    pub as_of: Option<String>,
    pub dirty: bool,
    pub shallow: bool,
}

#[derive(Serialize, Clone)]
pub struct CommitView {
    pub id: String,
    pub short: String,
    /// Link to the commit on the hosting service, when `repository_url` is set.
    pub url: Option<String>,
    pub author: String,
    pub date: String,
    pub timestamp: String,
    pub subject: String,
    pub signed: bool,
    pub reviewers: Vec<String>,
    pub trailers: Vec<(String, String)>,
    /// Why the commit's date cannot be trusted, when it cannot (dated after a commit built on
    /// it, or not a calendar date).
    pub warning: Option<String>,
}

#[derive(Serialize)]
pub struct RevisionView {
    pub commit: CommitView,
    pub change: Change,
    pub path: String,
    pub old_path: Option<String>,
    pub added: usize,
    pub removed: usize,
}

#[derive(Serialize, Clone)]
pub struct ReviewView {
    pub commit: CommitView,
    pub reviewers: Vec<String>,
    /// Why the review does not count towards the status, when it does not.
    pub not_counted: Option<String>,
}

#[derive(Serialize)]
pub struct DocHistoryView {
    /// The handbook is in a git repository.
    pub available: bool,
    pub uncommitted: bool,
    pub last_changed: Option<RevisionView>,
    pub last_reviewed: Option<ReviewView>,
    pub next_due: Option<String>,
    /// `overdue`, `uncommitted`, `due-soon`, `current`, `unknown`.
    pub status: &'static str,
    pub status_label: &'static str,
    pub revisions: Vec<RevisionView>,
    /// Counted reviews, then those that do not count (with the reason), newest first in each.
    pub reviews: Vec<ReviewView>,
}

#[derive(Serialize)]
pub struct ReviewRow {
    pub document: DocLink,
    pub last_reviewed: Option<ReviewView>,
    pub next_due: Option<String>,
    pub status: &'static str,
    pub status_label: &'static str,
}

#[derive(Serialize)]
pub struct ReviewsView {
    pub rows: Vec<ReviewRow>,
    pub overdue: usize,
    pub due_soon: usize,
}

#[derive(Serialize)]
pub struct ChangedDocument {
    pub document: DocLink,
    pub change: Change,
    pub added: usize,
    pub removed: usize,
}

#[derive(Serialize)]
pub struct ChangeRow {
    pub commit: CommitView,
    pub documents: Vec<ChangedDocument>,
}

#[derive(Serialize)]
pub struct ChangesView {
    pub rows: Vec<ChangeRow>,
}

impl Views<'_> {
    pub fn source(&self) -> SourceView {
        let s = &self.hb.history.source;
        SourceView {
            repository: s.repository,
            short: s.commit.as_ref().map(|c| c[..7.min(c.len())].to_string()),
            commit_url: s.commit.as_ref().and_then(|c| self.hb.config.commit_url(c)),
            commit: s.commit.clone(),
            as_of: s.as_of.map(|d| d.to_string()),
            dirty: s.dirty,
            shallow: s.shallow,
        }
    }

    pub fn commit(&self, c: &CommitInfo) -> CommitView {
        let warning = if !c.date_valid {
            Some("its date is not a calendar date".to_string())
        } else {
            self.hb.history.skewed.get(&c.id).map(|s| {
                format!(
                    "dated after {}, a later commit built on it (committed {}): a wrong clock or a forged date",
                    s.descendant.short, s.descendant.committed
                )
            })
        };
        CommitView {
            warning,
            id: c.id.clone(),
            short: c.short.clone(),
            url: self.hb.config.commit_url(&c.id),
            author: c.author.clone(),
            date: if c.date_valid {
                c.date.to_string()
            } else {
                "invalid date".to_string()
            },
            timestamp: c.timestamp.clone(),
            subject: c.subject.clone(),
            signed: c.signed,
            reviewers: c.reviewers(),
            trailers: c.trailers.clone(),
        }
    }

    fn revision(&self, r: &Revision) -> RevisionView {
        RevisionView {
            commit: self.commit(&r.commit),
            change: r.change,
            path: r.path.clone(),
            old_path: r.old_path.clone(),
            added: r.added,
            removed: r.removed,
        }
    }

    fn review(&self, r: &Review) -> ReviewView {
        ReviewView {
            commit: self.commit(&r.commit),
            reviewers: r.reviewers.clone(),
            not_counted: None,
        }
    }

    pub fn doc_history(&self, i: DocIx) -> DocHistoryView {
        let st = &self.hb.reviews[i];
        DocHistoryView {
            available: self.hb.history.source.repository,
            uncommitted: st.uncommitted,
            last_changed: st.last_changed().map(|r| self.revision(r)),
            last_reviewed: st.last_reviewed().map(|r| self.review(r)),
            next_due: st.next_due.map(|d| d.to_string()),
            status: st.status.as_str(),
            status_label: st.status.label(),
            revisions: st.revisions.iter().map(|r| self.revision(r)).collect(),
            reviews: st
                .reviews
                .iter()
                .map(|r| self.review(r))
                .chain(st.not_counted.iter().map(|(r, why)| ReviewView {
                    not_counted: Some(why.clone()),
                    ..self.review(r)
                }))
                .collect(),
        }
    }

    /// Every document that is not retired, overdue first, then by due date.
    pub fn reviews(&self) -> ReviewsView {
        let hb = self.hb;
        let mut order: Vec<DocIx> = hb
            .documents
            .indices()
            .filter(|&i| hb.documents[i].status != Status::Retired)
            .collect();
        order.sort_by(|&a, &b| {
            let (ra, rb) = (&hb.reviews[a], &hb.reviews[b]);
            (ra.status, ra.next_due, &hb.documents[a].title).cmp(&(
                rb.status,
                rb.next_due,
                &hb.documents[b].title,
            ))
        });
        let count = |s| order.iter().filter(|&&i| hb.reviews[i].status == s).count();
        use crate::pipeline::history::review::ReviewStatus;
        ReviewsView {
            overdue: count(ReviewStatus::Overdue),
            due_soon: count(ReviewStatus::DueSoon),
            rows: order
                .iter()
                .map(|&i| {
                    let st = &hb.reviews[i];
                    ReviewRow {
                        document: self.doc_link(i),
                        last_reviewed: st.last_reviewed().map(|r| self.review(r)),
                        next_due: st.next_due.map(|d| d.to_string()),
                        status: st.status.as_str(),
                        status_label: st.status.label(),
                    }
                })
                .collect(),
        }
    }

    pub fn changes(&self) -> ChangesView {
        let hb = self.hb;
        ChangesView {
            rows: hb
                .history
                .changes
                .iter()
                .map(|c| ChangeRow {
                    commit: self.commit(&c.commit),
                    documents: c
                        .documents
                        .iter()
                        .filter_map(|(path, change, added, removed)| {
                            let (i, _) = hb
                                .documents
                                .iter_enumerated()
                                .find(|(_, d)| &d.path == path)?;
                            Some(ChangedDocument {
                                document: self.doc_link(i),
                                change: *change,
                                added: *added,
                                removed: *removed,
                            })
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
