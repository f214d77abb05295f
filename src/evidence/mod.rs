//! `policybook evidence`: the files an auditor asks for, for one audit period, from git.
//!
//! - `changes.csv`: every change to a document during the period;
//! - `reviews.csv`: every review during the period, and every time a document went past its
//!   review cadence during the period (flagged `missed`);
//! - `matrix.csv` / `matrix.json`: the trace as of the period's end, from the documents as they
//!   were in the last commit on or before that date (read from git, not the working tree);
//! - `controls.csv`, `exceptions.csv`: the control register and the policy exceptions, in full;
//! - `requests.csv`: the evidence an auditor will request for each control (see `requests`);
//! - `significant_changes.csv`: controls introduced, retired or replaced in the period;
//! - `soa.csv`: the Statement of Applicability as of the period's end, when a framework has one
//!   (ISO 27001);
//! - `people.csv`: who held which role when (`people.yaml`);
//! - `acknowledgements.csv`: who in the population acknowledged which document when, and who
//!   was late or never did (see `acknowledgements`);
//! - `audit.xlsx`: all of it as one workbook, one sheet per subject, with the SHA-256 of every
//!   input (see `workbook`);
//! - `manifest.json`: the SHA-256 of every file written and the commits they come from.

pub mod acknowledgements;
pub mod people;
pub mod requests;
pub mod significant;
pub mod workbook;

/// How evidence files name the control register.
const REGISTER_TITLE: &str = "Control register";

use std::path::PathBuf;

use jiff::civil::Date;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::pipeline::history;
use crate::pipeline::history::review::missed_reviews;
use crate::pipeline::render::export::{
    controls_csv, exceptions_csv, matrix_csv, matrix_json, neutralize, soa_csv,
};
use crate::pipeline::render::{OutputFile, Site};
use crate::pipeline::resolve::{Handbook, REGISTER_REVIEW_ID};
use crate::pipeline::write::{Guard, write};
use crate::pipeline::{HistoryMode, Source, open};

/// What `policybook evidence` is asked for.
pub struct EvidenceOptions {
    /// The handbook folder.
    pub root: PathBuf,
    /// Where to write; `None` means `root/evidence`.
    pub out: Option<PathBuf>,
    /// First day of the audit period.
    pub since: Date,
    /// Last day of the audit period.
    pub until: Date,
    /// The command line as typed, recorded in `audit.xlsx` so the evidence can be re-performed.
    pub command: String,
}

#[derive(Default)]
/// What `policybook evidence` did.
pub struct EvidenceReport {
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// Set when the files were written.
    pub written_to: Option<PathBuf>,
    /// The commit the period-end documents were read from, and its date.
    pub commit: Option<(String, Date)>,
    /// Document changes in the period.
    pub changes: usize,
    /// Reviews in the period.
    pub reviews: usize,
    /// Missed reviews, and documents without a cadence.
    pub missed: usize,
    /// Rows of `requests.csv`: evidence requests for the organisation's controls.
    pub requests: usize,
    /// Controls introduced, retired or replaced during the period.
    pub significant_changes: usize,
    /// Rows of `acknowledgements.csv`: (person, document) pairs.
    pub acknowledgements: usize,
}

/// Writes the evidence of one audit period.
pub fn evidence(opts: &EvidenceOptions) -> EvidenceReport {
    let mut report = EvidenceReport::default();
    let mut diags = Diagnostics::new();
    // `Err` has nothing to add: the reasons are in `diags`.
    let _ = run(opts, &mut report, &mut diags);
    report.diagnostics = diags;
    report
}

fn run(
    opts: &EvidenceOptions,
    report: &mut EvidenceReport,
    diags: &mut Diagnostics,
) -> Outcome<()> {
    let worktree = Source::worktree(&opts.root);
    let Some((repo, prefix)) = history::open_repository(&opts.root) else {
        return diags.fail(
            Diagnostic::error(
                "evidence is read from git history, and this handbook is not in a git repository",
            )
            .at(&worktree.shown(), None)
            .hint("run it inside the repository that holds the handbook, with its full history"),
        );
    };
    if repo.is_shallow() {
        diags.push(
            Diagnostic::warning("the repository is a shallow clone: changes and reviews before the cut-off are missing")
                .hint("fetch the full history first: `git fetch --unshallow` (GitHub Actions: `fetch-depth: 0`)"),
        );
    }
    let (commit, date) = diags.take(commit_at(&repo, opts.until))?;
    report.commit = Some((commit.to_string(), date));
    // Before the handbook adopted policybook there was no site.toml: the documents of HEAD, with
    // their history followed back through the moves that brought them in, say what changed then;
    // mappings and cadences did not exist, so nothing is claimed about them.
    let adopted = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .is_ok_and(|t| {
            t.get_path(std::path::Path::new(&history::in_repo(
                &prefix,
                crate::config::CONFIG_FILE,
            )))
            .is_ok()
        });
    let read_from = if adopted {
        commit
    } else {
        let head = repo.head().and_then(|h| h.peel_to_commit()).map(|c| c.id());
        diags.take(
            head.map_err(|e| Diagnostic::error(format!("cannot read HEAD: {}", e.message()))),
        )?
    };
    let source = Source::Commit {
        root: opts.root.clone(),
        commit: read_from,
        label: read_from.to_string()[..7].to_string(),
    };
    let hb = open(
        &source,
        HistoryMode::Read {
            as_of: Some(opts.until),
        },
        None,
        diags,
    )?;
    diags.no_errors()?;

    let (changes, n_changes) =
        diags.take(changes_csv(&hb, opts.since, opts.until).map_err(csv_error))?;
    let (reviews, n_reviews, n_missed) =
        diags.take(reviews_csv(&hb, opts.since, opts.until, adopted).map_err(csv_error))?;
    let (requests, n_requests) =
        diags.take(requests::requests_csv(&hb, opts.since, opts.until).map_err(csv_error))?;
    report.requests = n_requests;
    let (significant, n_significant) = diags.take(
        significant::significant_changes_csv(&hb, opts.since, opts.until).map_err(csv_error),
    )?;
    report.significant_changes = n_significant;
    let acks = match adopted {
        true => acknowledgements::assess_period(&opts.root, &hb, opts.since, opts.until, diags)?,
        false => None,
    };
    let (acks_csv, n_acks) = diags
        .take(acknowledgements::acknowledgements_csv(&hb, acks.as_ref()).map_err(csv_error))?;
    report.acknowledgements = n_acks;
    report.changes = n_changes;
    report.reviews = n_reviews;
    report.missed = n_missed;
    let mut files = vec![
        file("changes.csv", changes),
        file("reviews.csv", reviews),
        file(
            "matrix.csv",
            diags.take(matrix_csv(&hb).map_err(csv_error))?,
        ),
        // The audit's own copy: evidence details always, whatever the site publishes.
        file(
            "controls.csv",
            diags.take(controls_csv(&hb, true).map_err(csv_error))?,
        ),
        // Exceptions are always the auditor's, whatever the site publishes.
        file(
            "exceptions.csv",
            diags.take(exceptions_csv(&hb).map_err(csv_error))?,
        ),
        file("requests.csv", requests),
        file(
            "people.csv",
            diags.take(people::people_csv(&hb, opts.until).map_err(csv_error))?,
        ),
        file("significant_changes.csv", significant),
        file("acknowledgements.csv", acks_csv),
        file(
            "matrix.json",
            diags.take(
                matrix_json(&hb, true)
                    .map_err(|e| Diagnostic::error(format!("cannot write matrix.json: {e}"))),
            )?,
        ),
    ];
    // The Statements of Applicability as of the period's end.
    for (n, soa) in hb.soas.iter().enumerate() {
        files.push(file(
            &crate::model::url::soa(&soa.framework, n == 0, "csv"),
            diags.take(soa_csv(&hb, n).map_err(csv_error))?,
        ));
    }
    let mut notes = Vec::new();
    let inputs = inputs(&repo, commit, &prefix, &opts.root);
    let dirty = dirty(&repo);
    if adopted {
        let csvs: workbook::Csvs<'_> = files
            .iter()
            .map(|f| (f.path.as_str(), f.contents.as_slice()))
            .collect();
        let xlsx = workbook::audit_xlsx(
            &hb,
            &csvs,
            &workbook::About {
                since: opts.since,
                until: opts.until,
                commit: &commit.to_string(),
                commit_date: date,
                dirty,
                command: opts.command.clone(),
                notes: &[],
                inputs: &inputs,
            },
        );
        files.push(file(
            "audit.xlsx",
            diags.take(xlsx.map_err(Diagnostic::error))?,
        ));
    }
    if !adopted {
        // Only what git shows about that time: what changed and who reviewed it.
        files.retain(|f| f.path == "changes.csv" || f.path == "reviews.csv");
        notes.push(format!(
            "site.toml did not exist on {} (commit {}): mappings, cadences, controls and roles were not defined then, so no matrix, controls, exceptions, requests, people or acknowledgements are written",
            opts.until,
            &commit.to_string()[..7]
        ));
        notes.push(format!(
            "documents are those of HEAD ({}), their history followed back through the moves that brought them into policies/; documents deleted before HEAD are absent",
            &read_from.to_string()[..7]
        ));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let head = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .map(|o| o.to_string());
    let manifest = crate::manifest::Manifest {
        generator: format!("policybook {}", env!("CARGO_PKG_VERSION")),
        command: opts.command.clone(),
        commit: Some(commit.to_string()),
        dirty,
        as_of: Some(opts.until.to_string()),
        period: Some(crate::manifest::Period {
            since: opts.since.to_string(),
            until: opts.until.to_string(),
            commit_date: date.to_string(),
            head,
            matrix: adopted,
            notes,
        }),
        inputs: inputs
            .iter()
            .map(|i| crate::manifest::Entry {
                path: i.path.clone(),
                bytes: i.bytes,
                sha256: i.sha256.clone(),
            })
            .collect(),
        files: files
            .iter()
            .map(|f| crate::manifest::Entry::of(&f.path, &f.contents))
            .collect(),
    };
    let json = manifest.to_bytes();
    files.push(file("manifest.json", json));
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| opts.root.join("evidence"));
    let site = Site {
        files,
        copies: Vec::new(),
    };
    write(&site, &out, &Guard::for_handbook(&opts.root), diags)?;
    report.written_to = Some(out);
    Ok(())
}

/// Every file of the handbook folder at `commit` (what the evidence was read from), and the
/// acknowledgement exports and roster of the working tree (which the evidence reads there), with
/// their SHA-256: the inputs an auditor needs to re-perform the evidence.
fn inputs(
    repo: &git2::Repository,
    commit: git2::Oid,
    prefix: &str,
    root: &std::path::Path,
) -> Vec<workbook::Input> {
    let mut out = Vec::new();
    let short = format!("commit {}", &commit.to_string()[..7]);
    let tree = repo.find_commit(commit).and_then(|c| c.tree());
    let handbook = tree.and_then(|t| match prefix {
        "" => Ok(t),
        p => t
            .get_path(std::path::Path::new(p))
            .and_then(|e| e.to_object(repo))
            .and_then(|o| o.peel_to_tree()),
    });
    if let Ok(tree) = handbook {
        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob)
                && let Ok(blob) = repo.find_blob(entry.id())
            {
                out.push(workbook::Input {
                    path: format!("{dir}{}", entry.name().unwrap_or_default()),
                    read_from: short.clone(),
                    bytes: blob.content().len(),
                    sha256: crate::manifest::sha256_hex(blob.content()),
                });
            }
            git2::TreeWalkResult::Ok
        });
    }
    let mut quiet = Diagnostics::new();
    if let Ok((_, sources)) = Source::worktree(root).read_settings(&mut quiet) {
        for f in sources.acknowledgements.iter().chain(sources.roster.iter()) {
            out.push(workbook::Input {
                path: f.path.clone(),
                read_from: "working tree".into(),
                bytes: f.text.len(),
                sha256: crate::manifest::sha256_hex(f.text.as_bytes()),
            });
        }
    }
    out.sort_by(|a, b| (&a.path, &a.read_from).cmp(&(&b.path, &b.read_from)));
    out
}

/// Whether the working tree has uncommitted changes to tracked files.
fn dirty(repo: &git2::Repository) -> bool {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(false).include_ignored(false);
    repo.statuses(Some(&mut opts))
        .map(|s| s.iter().any(|e| e.status() != git2::Status::CURRENT))
        .unwrap_or(false)
}

/// The last commit on HEAD's first-parent line committed on or before `until`.
fn commit_at(repo: &git2::Repository, until: Date) -> Result<(git2::Oid, Date), Diagnostic> {
    crate::git::commit_on_or_before(repo, until).map_err(|first| match first {
        None => {
            Diagnostic::error("the repository has no commits yet").hint("commit the handbook first")
        }
        Some(date) => Diagnostic::error(format!(
            "no commit on or before {until}: the history starts on {date}"
        ))
        .hint("choose a period that ends after the handbook's first commit"),
    })
}

fn file(path: &str, contents: Vec<u8>) -> OutputFile {
    OutputFile {
        path: path.to_string(),
        contents,
    }
}

fn csv_error(e: csv::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write CSV: {e}"))
}

fn write_row<const N: usize>(
    w: &mut csv::Writer<Vec<u8>>,
    row: [&str; N],
) -> Result<(), csv::Error> {
    w.write_record(row.iter().map(|c| neutralize(c).into_owned()))
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Every change to a document whose author date is in the period, oldest first.
fn changes_csv(hb: &Handbook, since: Date, until: Date) -> Result<(Vec<u8>, usize), csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        [
            "date",
            "document",
            "title",
            "path",
            "change",
            "added",
            "removed",
            "commit",
            "author",
            "subject",
            "reviewed_by",
            "signature",
            "committer",
            "committed",
            "pr",
            "via_rename",
        ],
    )?;
    let mut n = 0;
    for set in hb.history.changes.iter().rev() {
        let c = &set.commit;
        if c.date < since || c.date > until {
            continue;
        }
        let reviewers = c.reviewers().join("; ");
        for ch in &set.documents {
            let (path, change, added, removed) = (&ch.path, &ch.change, &ch.added, &ch.removed);
            // Exceptions and the control register are evidence too: their changes record when
            // exceptions were granted and closed, and when controls changed.
            let (id, title, doc_path) = match hb
                .documents
                .iter()
                .chain(hb.exceptions.iter().map(|e| &e.doc))
                .find(|d| &d.path == path)
            {
                Some(d) => (d.id.clone(), d.title.to_string(), d.path.clone()),
                None if hb.register_history.files.contains(path) => (
                    REGISTER_REVIEW_ID.to_string(),
                    REGISTER_TITLE.to_string(),
                    path.clone(),
                ),
                None => continue,
            };
            let change = serde_json::to_value(change)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            write_row(
                &mut w,
                [
                    &c.date.to_string(),
                    &id,
                    &title,
                    &doc_path,
                    &change,
                    &added.to_string(),
                    &removed.to_string(),
                    &c.id,
                    &format!("{} <{}>", c.author, c.email),
                    &c.subject,
                    &reviewers,
                    hb.signature(&c.id).status.as_str(),
                    &c.committer,
                    &c.committed,
                    &c.pull_request().map(|n| n.to_string()).unwrap_or_default(),
                    ch.via_rename.as_deref().unwrap_or_default(),
                ],
            )?;
            n += 1;
        }
    }
    Ok((finish(w)?, n))
}

/// Reviews in the period, and the periods each document spent past its due date.
/// `cadences`: the handbook had its cadences at the period's end (it had adopted policybook).
fn reviews_csv(
    hb: &Handbook,
    since: Date,
    until: Date,
    cadences: bool,
) -> Result<(Vec<u8>, usize, usize), csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write_row(
        &mut w,
        [
            "document",
            "title",
            "owner",
            "cadence",
            "event",
            "date",
            "due",
            "commit",
            "reviewed_by",
            "subject",
            "committer",
            "committed",
            "identity",
            "counts",
            "reason",
            "pr",
            "signature",
        ],
    )?;
    let (mut reviews, mut missed) = (0, 0);
    // The register's reviews first: `Reviews: controls`, or reviewers on commits that changed it.
    for r in hb
        .register_history
        .reviews
        .iter()
        .rev()
        .filter(|r| r.date() >= since && r.date() <= until)
    {
        reviews += 1;
        write_row(
            &mut w,
            [
                REGISTER_REVIEW_ID,
                REGISTER_TITLE,
                "",
                "",
                "review",
                &r.date().to_string(),
                "",
                &r.commit.id,
                &r.reviewers.join("; "),
                &r.commit.subject,
                &r.commit.committer,
                &r.commit.committed,
                hb.review_identity(r).as_str(),
                "yes",
                "",
                &review_pr(r),
                hb.signature(&r.commit.id).status.as_str(),
            ],
        )?;
    }
    let mut order: Vec<crate::model::DocIx> = hb.documents.indices().collect();
    order.sort_by(|&a, &b| hb.documents[a].id.cmp(&hb.documents[b].id));
    for i in order {
        let d = &hb.documents[i];
        let st = &hb.reviews[i];
        let owner = d.owner.as_ref().map(|o| o.to_string()).unwrap_or_default();
        let review = d.review.filter(|_| cadences);
        let cadence = review.map(|c| c.to_string()).unwrap_or_default();
        let mut rows: Vec<(Date, [String; 17])> = Vec::new();
        // Counted approvals, and those that do not count (the auditor sees why).
        let in_period =
            |r: &&crate::pipeline::history::Review| r.date() >= since && r.date() <= until;
        let counted = st.reviews.iter().filter(in_period).map(|r| (r, None));
        let refused = st
            .not_counted
            .iter()
            .map(|(r, why)| (r, Some(why)))
            .filter(|(r, _)| in_period(r));
        for (r, why) in counted.chain(refused) {
            if why.is_none() {
                reviews += 1;
            }
            rows.push((
                r.date(),
                [
                    d.id.clone(),
                    d.title.to_string(),
                    owner.clone(),
                    cadence.clone(),
                    if why.is_none() {
                        "review"
                    } else {
                        "not-counted"
                    }
                    .into(),
                    r.date().to_string(),
                    String::new(),
                    r.commit.id.clone(),
                    r.reviewers.join("; "),
                    r.commit.subject.clone(),
                    r.commit.committer.clone(),
                    r.commit.committed.clone(),
                    hb.review_identity(r).as_str().into(),
                    if why.is_none() { "yes" } else { "no" }.into(),
                    why.cloned().unwrap_or_default(),
                    review_pr(r),
                    hb.signature(&r.commit.id).status.as_str().into(),
                ],
            ));
        }
        // A lapse of the cadence (or no cadence): the document's columns, the event, its dates
        // and what happened; no commit.
        let lapse = |cadence: &str, event: &str, date: String, due: String, subject: String| {
            let mut row: [String; 17] = Default::default();
            row[..10].clone_from_slice(&[
                d.id.clone(),
                d.title.to_string(),
                owner.clone(),
                cadence.to_string(),
                event.to_string(),
                date,
                due,
                String::new(),
                String::new(),
                subject,
            ]);
            row
        };
        match review.map(|c| c.value) {
            Some(c) => {
                let dates: Vec<Date> = st.reviews.iter().map(|r| r.date()).collect();
                let baseline = d.effective.map(|e| e.value).or(st.first_commit);
                for (due, reviewed) in missed_reviews(baseline, &dates, c, since, until) {
                    missed += 1;
                    let what = match reviewed {
                        Some(r) => format!("reviewed late, on {r}"),
                        None => format!("not reviewed by {until}"),
                    };
                    let on = reviewed.map(|r| r.to_string()).unwrap_or_default();
                    rows.push((due, lapse(&cadence, "missed", on, due.to_string(), what)));
                }
            }
            None => {
                missed += 1;
                let what = if cadences {
                    "no review cadence: reviews cannot be checked".to_string()
                } else {
                    format!(
                        "no cadence defined then: site.toml did not exist on {until}, so reviews cannot be checked against one"
                    )
                };
                rows.push((
                    since,
                    lapse("", "no-cadence", String::new(), String::new(), what),
                ));
            }
        }
        rows.sort_by_key(|r| r.0);
        for (_, row) in rows {
            w.write_record(row.iter().map(|c| neutralize(c).into_owned()))?;
        }
    }
    Ok((finish(w)?, reviews, missed))
}

/// The pull request of a review: the one it was given in, else the one its commit came from.
fn review_pr(r: &crate::pipeline::history::Review) -> String {
    r.pull_request
        .map(|(n, _)| n)
        .or_else(|| r.commit.pull_request())
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// Exposed for the command's summary line.
pub fn period_label(since: Date, until: Date) -> String {
    format!("{since} to {until}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::catalog::Catalog;
    use crate::config::Config;
    use crate::pipeline::history::{
        Change, ChangeSet, ChangedDoc, CommitInfo, DocHistory, History, Review, Revision,
        SourceInfo,
    };
    use crate::pipeline::load::SourceFile;

    fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    /// `a` (annual, effective 2024-12-01): added on day 0, edited with a reviewer on day 100;
    /// `b` (no cadence): added on day 0.
    fn handbook(until: Date) -> Handbook {
        let add = Arc::new(CommitInfo::example(1, 0, "Add"));
        let edit = Arc::new(CommitInfo::example(
            2,
            100,
            "=cmd|' /C calc'!A0\n\nReviewed-by: Rita <rita@example.com>\n",
        ));
        let revision = |c: &Arc<CommitInfo>, change| Revision {
            commit: c.clone(),
            change,
            blob: None,
            path: "policies/a.md".into(),
            old_path: None,
            added: 1,
            removed: 0,
            via_rename: None,
        };
        let changed = |path: &str, change, added| ChangedDoc {
            path: path.into(),
            change,
            added,
            removed: 0,
            via_rename: None,
        };
        let history = History {
            source: SourceInfo {
                repository: true,
                as_of: Some(until),
                ..Default::default()
            },
            docs: [
                (
                    "policies/a.md".to_string(),
                    DocHistory {
                        revisions: Arc::new(vec![
                            revision(&edit, Change::Modified),
                            revision(&add, Change::Added),
                        ]),
                        reviews: vec![Review {
                            commit: edit.clone(),
                            reviewers: edit.reviewers(),
                            pull_request: None,
                        }],
                        uncommitted: false,
                        versions: Vec::new(),
                    },
                ),
                ("policies/b.md".to_string(), DocHistory::default()),
            ]
            .map(|(path, doc)| (path, Arc::new(doc)))
            .into(),
            changes: Arc::new(vec![
                ChangeSet {
                    commit: edit.clone(),
                    documents: vec![changed("policies/a.md", Change::Modified, 1)],
                },
                ChangeSet {
                    commit: add.clone(),
                    documents: vec![
                        changed("policies/a.md", Change::Added, 3),
                        changed("policies/b.md", Change::Added, 2),
                    ],
                },
            ]),
            ..Default::default()
        };
        let mut diags = Diagnostics::new();
        let sources = [
            (
                "policies/a.md",
                "---\ntitle: A\nowner: CISO\nreview: annual\neffective: 2024-12-01\n---\n",
            ),
            ("policies/b.md", "---\ntitle: B\nowner: CISO\n---\n"),
        ]
        .map(|(path, text)| SourceFile {
            path: path.into(),
            display: path.into(),
            text: text.into(),
        });
        let config = Config::parse(
            "title = \"T\"\n",
            std::path::Path::new("site.toml"),
            &mut diags,
        )
        .unwrap();
        let docs = crate::pipeline::parse::parse_all(&sources, "soc2", None, &mut diags);
        crate::pipeline::resolve::resolve(
            crate::pipeline::resolve::Parsed {
                config,
                catalog: Catalog::builtin(),
                documents: docs.into_iter().map(std::sync::Arc::new).collect(),
                reused: 0,
                register: Vec::new(),
                register_files: Vec::new(),
                people: Default::default(),
                signers: Default::default(),
                pull_requests: Vec::new(),
                acknowledgements: Default::default(),
                available: BTreeMap::new(),
                history,
                earlier: None,
            },
            &mut diags,
        )
    }

    #[test]
    fn changes_in_the_period_oldest_first_with_formulas_neutralised() {
        let since = jiff::civil::date(2025, 1, 1);
        let until = jiff::civil::date(2025, 12, 31);
        let (csv, n) = changes_csv(&handbook(until), since, until).unwrap();
        assert_eq!(n, 3);
        let r = rows(&csv);
        let summary: Vec<(&str, &str, &str)> = r
            .iter()
            .map(|x| (x[0].as_str(), x[1].as_str(), x[4].as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("2025-01-01", "a", "added"),
                ("2025-01-01", "b", "added"),
                ("2025-04-11", "a", "modified")
            ]
        );
        assert_eq!(r[2][9], "'=cmd|' /C calc'!A0");
        assert_eq!(r[2][10], "Rita <rita@example.com>");
        // A period that ends before the edit leaves it out.
        let (_, n) = changes_csv(&handbook(until), since, jiff::civil::date(2025, 3, 1)).unwrap();
        assert_eq!(n, 2);
    }

    #[test]
    fn reviews_missed_reviews_and_documents_without_a_cadence() {
        let since = jiff::civil::date(2025, 1, 1);
        let until = jiff::civil::date(2025, 12, 31);
        let (csv, reviews, missed) = reviews_csv(&handbook(until), since, until, true).unwrap();
        let r = rows(&csv);
        let events: Vec<(&str, &str, &str, &str)> = r
            .iter()
            .map(|x| (x[0].as_str(), x[4].as_str(), x[5].as_str(), x[6].as_str()))
            .collect();
        // a: due 2025-12-01 (effective + 1 year) but reviewed on 2025-04-11, so on time.
        assert_eq!(
            events,
            [
                ("a", "review", "2025-04-11", ""),
                ("b", "no-cadence", "", "")
            ]
        );
        assert_eq!((reviews, missed), (1, 1));
    }
}
