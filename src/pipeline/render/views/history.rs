//! Views of the git history: revision tables, review state, the reviews page and the change log.

use serde::Serialize;

use crate::model::register::ControlChange;

use super::{DocLink, Views};
use crate::model::{DocIx, Status, url};
use crate::pipeline::history::{Change, ChangeSet, CommitInfo, Review, Revision};

#[derive(Serialize, Clone)]
/// Where the site's sources come from, for the footer.
pub struct SourceView {
    /// The handbook is in a git repository.
    pub repository: bool,
    /// The commit built.
    pub commit: Option<String>,
    /// Its short id.
    pub short: Option<String>,
    /// Its page on the hosting service.
    pub commit_url: Option<String>,
    /// The date statuses are computed at.
    pub as_of: Option<String>,
    /// Uncommitted changes were built.
    pub dirty: bool,
    /// A shallow clone: history is truncated.
    pub shallow: bool,
}

#[derive(Serialize, Clone)]
/// A commit, as pages show it.
pub struct CommitView {
    /// Full id.
    pub id: String,
    /// Short id.
    pub short: String,
    /// Link to the commit on the hosting service, when `repository_url` is set.
    pub url: Option<String>,
    /// Author's name.
    pub author: String,
    /// Author date, YYYY-MM-DD ("invalid date" when git's is not one).
    pub date: String,
    /// Author date and time, RFC 3339.
    pub timestamp: String,
    /// First line of the message.
    pub subject: String,
    /// Carries a signature.
    pub signed: bool,
    /// The signature checked: `verified`, `bad`, `unknown-key`, `revoked`, `expired`,
    /// `platform`, `unsupported`, `unsigned`.
    pub signature: &'static str,
    /// For a verified signature: who signed (an email of the trusted keys).
    pub signer: Option<String>,
    /// The pull request that brought it in, from its subject.
    pub pr: Option<u32>,
    /// That pull request's page, when `repository_url` is set.
    pub pr_url: Option<String>,
    /// `Reviewed-by:`/`Approved-by:` values.
    pub reviewers: Vec<String>,
    /// Every trailer.
    pub trailers: Vec<(String, String)>,
    /// Why the commit's date cannot be trusted, when it cannot (dated after a commit built on
    /// it, or not a calendar date).
    pub warning: Option<String>,
}

#[derive(Serialize)]
/// A row of a revision table.
pub struct RevisionView {
    /// The commit.
    pub commit: CommitView,
    /// How it changed the file.
    pub change: Change,
    /// The file's path then.
    pub path: String,
    /// For renames: the path before.
    pub old_path: Option<String>,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// The moves it was traced through, when it predates one (`old → new (87%)`).
    pub via_rename: Option<String>,
}

#[derive(Serialize, Clone)]
/// A review, as pages show it.
pub struct ReviewView {
    /// The reviewing commit.
    pub commit: CommitView,
    /// When the approval happened (the commit's committer date).
    pub date: String,
    /// Who reviewed.
    pub reviewers: Vec<String>,
    /// Why the review does not count towards the status, when it does not.
    pub not_counted: Option<String>,
}

#[derive(Serialize)]
/// A document's history, on its page.
pub struct DocHistoryView {
    /// The handbook is in a git repository.
    pub available: bool,
    /// The working-tree file differs from HEAD.
    pub uncommitted: bool,
    /// The newest revision.
    pub last_changed: Option<RevisionView>,
    /// The newest counted review.
    pub last_reviewed: Option<ReviewView>,
    /// When the next review is due.
    pub next_due: Option<String>,
    /// `overdue`, `uncommitted`, `due-soon`, `current`, `unknown`.
    pub status: &'static str,
    /// The status in words.
    pub status_label: &'static str,
    /// Newest first.
    pub revisions: Vec<RevisionView>,
    /// Counted reviews, then those that do not count (with the reason), newest first in each.
    pub reviews: Vec<ReviewView>,
}

#[derive(Serialize)]
/// The control register's history, on the controls page.
pub struct RegisterHistoryView {
    /// Its files.
    pub files: Vec<String>,
    /// Revisions and reviews, as a document's.
    pub history: DocHistoryView,
    /// Controls introduced, retired or replaced up to the as-of date, newest first.
    pub changes: Vec<ControlChangeRow>,
}

#[derive(Serialize)]
/// A significant change to the controls.
pub struct ControlChangeRow {
    /// The control.
    pub control: super::register::RegControlLink,
    /// `introduced`, `retired`, `replaced`.
    pub change: &'static str,
    /// When.
    pub date: String,
    /// For `replaced`: the control that took over.
    pub replaced_by: Option<super::register::RegControlLink>,
}

#[derive(Serialize)]
/// A row of the reviews page.
pub struct ReviewRow {
    /// The document.
    pub document: DocLink,
    /// Its newest counted review.
    pub last_reviewed: Option<ReviewView>,
    /// When the next review is due.
    pub next_due: Option<String>,
    /// `overdue`, `due-soon`…
    pub status: &'static str,
    /// The status in words.
    pub status_label: &'static str,
}

#[derive(Serialize)]
/// The reviews page.
pub struct ReviewsView {
    /// Every document that is not retired, overdue first.
    pub rows: Vec<ReviewRow>,
    /// How many are overdue.
    pub overdue: usize,
    /// How many are due within 30 days.
    pub due_soon: usize,
}

#[derive(Serialize)]
/// A document a commit changed, in the change log.
pub struct ChangedDocument {
    /// The document.
    pub document: DocLink,
    /// How.
    pub change: Change,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
}

#[derive(Serialize)]
/// A commit of the change log.
pub struct ChangeRow {
    /// The commit.
    pub commit: CommitView,
    /// The documents it changed.
    pub documents: Vec<ChangedDocument>,
    /// Lines added to and removed from the control register, when it changed it.
    pub register: Option<DiffStat>,
}

#[derive(Serialize)]
/// Lines added and removed.
pub struct DiffStat {
    /// Added.
    pub added: usize,
    /// Removed.
    pub removed: usize,
}

#[derive(Serialize)]
/// A page of the change log.
pub struct ChangesView {
    /// Newest first.
    pub rows: Vec<ChangeRow>,
    /// Where this page lies among the others.
    pub pager: Pager,
}

/// Commits per page of the change log: a history of 50,000 commits made one page of 30 MB,
/// which a browser opens slowly and a build rendered on one core, its context alone a quarter
/// of a gigabyte.
pub const CHANGES_PER_PAGE: usize = 500;

#[derive(Serialize)]
/// The pages of the change log, for moving between them.
pub struct Pager {
    /// This page, from 1.
    pub number: usize,
    /// How many pages there are.
    pub count: usize,
    /// The first and last commit of this page among all commits, from 1.
    pub first: usize,
    /// See `first`.
    pub last: usize,
    /// Every commit of the change log.
    pub total: usize,
    /// The page of the next newer commits.
    pub newer: Option<String>,
    /// The page of the next older commits.
    pub older: Option<String>,
    /// Every page, newest first.
    pub pages: Vec<PagerLink>,
}

#[derive(Serialize)]
/// A page of the change log, named by the dates it spans.
pub struct PagerLink {
    /// Its number, from 1.
    pub number: usize,
    /// Its path, relative to the site root.
    pub url: String,
    /// The date of its newest commit.
    pub newest: String,
    /// The date of its oldest commit.
    pub oldest: String,
    /// It is the page shown.
    pub current: bool,
}

impl Views<'_> {
    /// Where the sources come from.
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

    /// A commit, with the warning its date deserves, if any.
    pub fn commit(&self, c: &CommitInfo) -> CommitView {
        let warning = if !c.date_valid {
            Some("its date is not a calendar date".to_string())
        } else if let Some(o) = self.hb.history.out_of_order.get(&c.id) {
            Some(format!(
                "date out of order: committed before its parent {} (committed {}): backdated, or a wrong clock",
                o.descendant.short, o.descendant.committed
            ))
        } else {
            self.hb.history.skewed.get(&c.id).map(|s| {
                format!(
                    "dated after {}, a later commit built on it (committed {}): a wrong clock or a forged date",
                    s.descendant.short, s.descendant.committed
                )
            })
        };
        let check = self.hb.signature(&c.id);
        CommitView {
            warning,
            id: c.id.clone(),
            short: c.short.clone(),
            url: self.hb.config.commit_url(&c.id),
            author: c.author.clone(),
            date: day(c),
            timestamp: c.timestamp.clone(),
            subject: c.subject.clone(),
            signed: c.signed,
            signature: check.status.as_str(),
            signer: check.signer,
            pr: c.pull_request(),
            pr_url: c
                .pull_request()
                .and_then(|n| self.hb.config.pull_request_url(n)),
            reviewers: c.reviewers(),
            trailers: c.trailers.clone(),
        }
    }

    fn revision(&self, r: &Revision) -> RevisionView {
        RevisionView {
            commit: self.commit(&r.commit),
            change: r.change,
            path: r.path.trim_start_matches('/').to_string(),
            old_path: r
                .old_path
                .as_ref()
                .map(|p| p.trim_start_matches('/').to_string()),
            added: r.added,
            removed: r.removed,
            via_rename: r.via_rename.as_deref().map(str::to_string),
        }
    }

    fn review(&self, r: &Review) -> ReviewView {
        ReviewView {
            date: r.date().to_string(),
            commit: self.commit(&r.commit),
            reviewers: r.reviewers.clone(),
            not_counted: None,
        }
    }

    /// Document `i`'s history.
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

    /// The control register's history: its revisions and reviews, as a document's, and the
    /// controls it introduced, retired or replaced (newest first).
    pub fn register_history(&self) -> RegisterHistoryView {
        let hb = self.hb;
        let h = &hb.register_history;
        let mut changes: Vec<ControlChangeRow> = hb
            .register
            .iter_enumerated()
            .flat_map(|(k, c)| {
                c.changes_within(None, hb.trace.as_of)
                    .into_iter()
                    .map(move |(change, date)| (k, change, date))
            })
            .map(|(k, change, date)| ControlChangeRow {
                control: self.reg_control_link(k),
                change: change.as_str(),
                date: date.to_string(),
                replaced_by: hb.register[k]
                    .replaced_by
                    .as_ref()
                    .filter(|_| change == ControlChange::Replaced)
                    .and_then(|r| hb.register_ids.get(&r.value))
                    .map(|&r| self.reg_control_link(r)),
            })
            .collect();
        changes.sort_by(|a, b| b.date.cmp(&a.date).then(a.control.id.cmp(&b.control.id)));
        RegisterHistoryView {
            files: h.files.clone(),
            history: self.gathered_history(h),
            changes,
        }
    }

    /// The revisions and reviews of files read as one (the register, site.toml).
    pub fn gathered_history(
        &self,
        h: &crate::pipeline::resolve::RegisterHistory,
    ) -> DocHistoryView {
        DocHistoryView {
            available: self.hb.history.source.repository,
            uncommitted: h.uncommitted,
            last_changed: h.revisions.first().map(|r| self.revision(r)),
            last_reviewed: h.reviews.first().map(|r| self.review(r)),
            next_due: None,
            status: "unknown",
            status_label: "",
            revisions: h.revisions.iter().map(|r| self.revision(r)).collect(),
            reviews: h
                .reviews
                .iter()
                .map(|r| self.review(r))
                .chain(h.not_counted.iter().map(|(r, why)| ReviewView {
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

    /// The commits the change log lists (indices into the history's changes, newest first):
    /// commits that only touched unpublished exceptions are not the reader's business.
    pub fn change_log(hb: &crate::pipeline::resolve::Handbook) -> Vec<usize> {
        let hidden: std::collections::HashSet<&str> = if hb.config.publish.exceptions {
            Default::default()
        } else {
            hb.exceptions.iter().map(|e| e.doc.path.as_str()).collect()
        };
        hb.history
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                hidden.is_empty() || !c.documents.iter().all(|d| hidden.contains(d.path.as_str()))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Page `number` (from 1) of the change log, whose commits are `log` (from
    /// [`Views::change_log`]), [`CHANGES_PER_PAGE`] to a page.
    pub fn changes(&self, log: &[usize], number: usize) -> ChangesView {
        let hb = self.hb;
        let changes = &hb.history.changes;
        let pages: Vec<&[usize]> = log.chunks(CHANGES_PER_PAGE).collect();
        let count = pages.len().max(1);
        let mine = pages.get(number - 1).copied().unwrap_or_default();
        let first = (number - 1) * CHANGES_PER_PAGE;
        let date = |i: Option<&usize>| i.map(|&i| day(&changes[i].commit)).unwrap_or_default();
        let pager = Pager {
            number,
            count,
            first: first + 1,
            last: first + mine.len(),
            total: log.len(),
            newer: (number > 1).then(|| url::changes_page(number - 1)),
            older: (number < count).then(|| url::changes_page(number + 1)),
            pages: pages
                .iter()
                .enumerate()
                .map(|(k, p)| PagerLink {
                    number: k + 1,
                    url: url::changes_page(k + 1),
                    newest: date(p.first()),
                    oldest: date(p.last()),
                    current: k + 1 == number,
                })
                .collect(),
        };
        // A page's 500 rows are built on every core, beside the other pages.
        use rayon::prelude::*;
        ChangesView {
            rows: mine
                .par_iter()
                .map(|&i| self.change_row(&changes[i]))
                .collect(),
            pager,
        }
    }

    /// A commit of the change log: the documents it changed, and the register when it did.
    fn change_row(&self, c: &ChangeSet) -> ChangeRow {
        let register: Vec<_> = c
            .documents
            .iter()
            .filter(|d| self.hb.register_history.files.contains(&d.path))
            .collect();
        ChangeRow {
            commit: self.commit(&c.commit),
            register: (!register.is_empty()).then(|| DiffStat {
                added: register.iter().map(|m| m.added).sum(),
                removed: register.iter().map(|m| m.removed).sum(),
            }),
            documents: c
                .documents
                .iter()
                .filter_map(|ch| {
                    let &i = self.by_path.get(ch.path.as_str())?;
                    Some(ChangedDocument {
                        document: self.doc_link(i),
                        change: ch.change,
                        added: ch.added,
                        removed: ch.removed,
                    })
                })
                .collect(),
        }
    }
}

/// A commit's author date, YYYY-MM-DD, or "invalid date" when git's is not one.
fn day(c: &CommitInfo) -> String {
    if c.date_valid {
        c.date.to_string()
    } else {
        "invalid date".to_string()
    }
}
