//! Who acknowledged what, and who is late: the roster's people against the documents that
//! `[acknowledgements] required` names (by kind or tag, published ones). Each person must
//! acknowledge the document's current `version` within `within_days` of starting, or of that
//! version taking effect (its `effective` date, else the first commit that carried it), whichever
//! is later; with `renew`, again within each renewal period of their last acknowledgement.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::civil::Date;

use crate::config::AcknowledgementSettings;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::acknowledgements::{Ack, AckSources, AckStatus, Member, same_version};
use crate::model::{Cadence, DocIx, Document, IxVec, Status};
use crate::pipeline::history::History;
use crate::pipeline::history::review::add_months;

/// A document people must acknowledge, and which version.
#[derive(Debug, Clone)]
pub struct AckDocument {
    /// The document.
    pub doc: DocIx,
    /// Its id, as acknowledgement rows name it.
    pub id: String,
    /// Its current front-matter `version` (`None`: any acknowledgement of it counts).
    pub version: Option<String>,
    /// When the current version took effect, when known.
    pub since: Option<Date>,
    /// Every version it had in the history, newest first (to recognise old ones).
    pub known_versions: Vec<String>,
}

/// One person and one document on the day assessed.
#[derive(Debug, Clone)]
pub struct AckRow {
    /// Index into the roster.
    pub member: usize,
    /// Index into `AckReport::documents`.
    pub document: usize,
    /// The day the status is for (the as-of date, or the day the person left).
    pub day: Date,
    /// Where they stand.
    pub status: AckStatus,
    /// The deadline the status is measured against: to acknowledge this version (pending,
    /// outstanding), the one the counted acknowledgement met or missed, or the renewal missed
    /// (lapsed).
    pub due: Date,
    /// With `renew`: when the counted acknowledgement must be renewed.
    pub renew_by: Option<Date>,
    /// The acknowledgement of the current version the status rests on (index into the acks).
    pub counted: Option<usize>,
    /// The latest acknowledgement of an earlier version, when the current one is missing.
    pub older: Option<usize>,
    /// Every acknowledgement of the document by this person up to `day`, oldest first.
    pub all: Vec<usize>,
}

/// Acknowledgements assessed for a population on a day (the site) or over a period (evidence).
#[derive(Debug, Clone, Default)]
pub struct AckReport {
    /// The roster and records, as read.
    pub sources: AckSources,
    /// The documents that must be acknowledged, in document order.
    pub documents: Vec<AckDocument>,
    /// By document, then roster order.
    pub rows: Vec<AckRow>,
}

impl AckReport {
    /// The rows of the document at index `k` of `documents`: a run of `rows`, which are in
    /// document order (every document page asks, so no scan of every row).
    pub fn rows_of(&self, k: usize) -> &[AckRow] {
        let start = self.rows.partition_point(|r| r.document < k);
        let end = start + self.rows[start..].partition_point(|r| r.document == k);
        &self.rows[start..end]
    }

    /// Where document `i` is in `documents`, when it must be acknowledged.
    pub fn position_of(&self, i: DocIx) -> Option<usize> {
        self.documents.binary_search_by_key(&i, |d| d.doc).ok()
    }
}

/// Whether `doc` must be acknowledged: published, and its kind or one of its tags is required.
fn required(doc: &Document, settings: &AcknowledgementSettings) -> bool {
    doc.status == Status::Published
        && settings
            .required
            .iter()
            .any(|r| r == doc.kind.as_str() || doc.tags.iter().any(|t| t == r))
}

/// The documents to acknowledge, with the version in force and since when.
pub(crate) fn ack_documents(
    documents: &IxVec<DocIx, Arc<Document>>,
    history: &History,
    settings: &AcknowledgementSettings,
) -> Vec<AckDocument> {
    documents
        .iter_enumerated()
        .filter(|(_, d)| required(d, settings))
        .map(|(i, d)| {
            let h = history.doc(&d.path);
            let revisions = h.map(|h| h.revisions.as_slice()).unwrap_or_default();
            let versions = h.map(|h| h.versions.as_slice()).unwrap_or_default();
            // The oldest revision of the newest run that carries the current version.
            let first_with_current = revisions
                .iter()
                .zip(versions)
                .take_while(|(_, v)| match (&d.version, v) {
                    (Some(cur), Some(v)) => same_version(cur, v),
                    (None, None) => true,
                    _ => false,
                })
                .last()
                .map(|(r, _)| r.commit.committed_date().unwrap_or(r.commit.date));
            let mut known: Vec<String> = d.version.iter().cloned().collect();
            for v in versions.iter().flatten() {
                if !known.iter().any(|k| same_version(k, v)) {
                    known.push(v.clone());
                }
            }
            AckDocument {
                doc: i,
                id: d.id.clone(),
                version: d.version.clone(),
                since: d.effective.map(|e| e.value).or(first_with_current),
                known_versions: known,
            }
        })
        .collect()
}

/// Rows naming an unknown person, document or version: warnings with the file and line.
pub(crate) fn check_rows(
    sources: &AckSources,
    documents: &IxVec<DocIx, Arc<Document>>,
    ack_docs: &[AckDocument],
    history_known: bool,
    diags: &mut Diagnostics,
) {
    let by_id: HashMap<&str, DocIx> = documents
        .iter_enumerated()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let emails: Vec<&str> = sources.roster.iter().map(|m| m.email.as_str()).collect();
    // Sets for the lookups: a record per person and document is checked against both.
    let on_roster: HashSet<&str> = emails.iter().copied().collect();
    let to_acknowledge: HashMap<DocIx, &AckDocument> =
        ack_docs.iter().map(|d| (d.doc, d)).collect();
    // An unknown id is usually on many rows (one per person): its suggestion, which compares it
    // with every document's id, is worked out once.
    let mut suggestions: HashMap<&str, Option<&str>> = HashMap::new();
    for a in &sources.acks {
        let at = |d: Diagnostic| d.at(&a.file, Some(a.line));
        if !on_roster.contains(a.email.as_str()) {
            let d = at(Diagnostic::warning(format!(
                "`{}` is not in the roster: this acknowledgement counts for no one",
                a.email
            )));
            diags.push(match suggest_email(&a.email, &emails) {
                Some(s) => d.hint(format!("did you mean `{s}`?")),
                None => d.hint("add the person to the roster, or correct the email"),
            });
        }
        let Some(&i) = by_id.get(a.document.as_str()) else {
            let d = at(Diagnostic::warning(format!(
                "no document has the id `{}`",
                a.document
            )));
            let suggestion = *suggestions.entry(a.document.as_str()).or_insert_with(|| {
                did_you_mean(&a.document, documents.iter().map(|d| d.id.as_str()))
            });
            diags.push(match suggestion {
                Some(s) => d.hint(format!("did you mean `{s}`?")),
                None => {
                    d.hint("the document column holds a document's id (its file name without .md)")
                }
            });
            continue;
        };
        let Some(&doc) = to_acknowledge.get(&i) else {
            continue;
        };
        // Without history only the current version is known: an older one is not a mistake.
        let known = doc
            .known_versions
            .iter()
            .any(|v| same_version(v, &a.version));
        if doc.version.is_some() && history_known && !known {
            diags.push(
                at(Diagnostic::warning(format!(
                    "`{}` never had version `{}` (its versions: {})",
                    a.document,
                    a.version,
                    doc.known_versions.join(", ")
                )))
                .hint("the version column holds the document's front-matter `version` that was acknowledged"),
            );
        }
    }
}

/// A roster email that differs from `email` by a typo in its name or its domain, not both (the
/// domain alone makes every address of a company look alike).
fn suggest_email<'a>(email: &str, emails: &[&'a str]) -> Option<&'a str> {
    let (local, domain) = email.split_once('@')?;
    let parts: Vec<(&str, &str, &'a str)> = emails
        .iter()
        .filter_map(|e| e.split_once('@').map(|(l, d)| (l, d, *e)))
        .collect();
    let back = |pick: Option<&str>, by_local: bool| {
        parts
            .iter()
            .find(|(l, d, _)| {
                Some(if by_local { *l } else { *d }) == pick
                    && if by_local { *d == domain } else { *l == local }
            })
            .map(|p| p.2)
    };
    let same_domain = parts.iter().filter(|p| p.1 == domain).map(|p| p.0);
    back(did_you_mean(local, same_domain), true).or_else(|| {
        let same_local = parts.iter().filter(|p| p.0 == local).map(|p| p.1);
        back(did_you_mean(domain, same_local), false)
    })
}

/// Where each person of the population stands with each document. `population` says who
/// counts; `day_of` the day to assess each of them on.
pub(crate) fn assess(
    sources: AckSources,
    documents: Vec<AckDocument>,
    settings: &AcknowledgementSettings,
    population: impl Fn(&Member) -> bool,
    day_of: impl Fn(&Member) -> Date,
) -> AckReport {
    let renew = settings.renewal();
    // (email, document id) → acks, oldest first.
    let mut by_key: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (n, a) in sources.acks.iter().enumerate() {
        by_key
            .entry((a.email.as_str(), a.document.as_str()))
            .or_default()
            .push(n);
    }
    for v in by_key.values_mut() {
        v.sort_by_key(|&n| (sources.acks[n].date, n));
    }
    let mut rows = Vec::new();
    for (k, doc) in documents.iter().enumerate() {
        for (m, member) in sources.roster.iter().enumerate() {
            if !population(member) {
                continue;
            }
            // Someone who left before this version took effect never had to acknowledge it.
            if member
                .end
                .is_some_and(|end| doc.since.is_some_and(|since| end < since))
            {
                continue;
            }
            let day = day_of(member);
            let all: Vec<usize> = by_key
                .get(&(member.email.as_str(), doc.id.as_str()))
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|&n| sources.acks[n].date <= day)
                        .collect()
                })
                .unwrap_or_default();
            rows.push(status(
                &sources.acks,
                doc,
                member,
                day,
                all,
                settings.within_days,
                renew,
                (m, k),
            ));
        }
    }
    AckReport {
        sources,
        documents,
        rows,
    }
}

#[allow(clippy::too_many_arguments)]
fn status(
    acks: &[Ack],
    doc: &AckDocument,
    member: &Member,
    day: Date,
    all: Vec<usize>,
    within_days: u32,
    renew: Option<Cadence>,
    (member_ix, doc_ix): (usize, usize),
) -> AckRow {
    let current = |a: &Ack| {
        doc.version
            .as_deref()
            .is_none_or(|v| same_version(v, &a.version))
    };
    let start = match doc.since {
        Some(s) if s > member.start => s,
        _ => member.start,
    };
    let first_due = start
        .checked_add(jiff::Span::new().days(i64::from(within_days)))
        .unwrap_or(start);
    // Each acknowledgement of the current version sets the next deadline (with renewal).
    let mut deadline = first_due;
    let mut counted: Option<(usize, Date)> = None;
    for &n in &all {
        let a = &acks[n];
        if !current(a) {
            continue;
        }
        counted = Some((n, deadline));
        deadline = match renew {
            Some(c) => add_months(a.date, c.months).unwrap_or(a.date),
            None => a.date,
        };
    }
    let renew_by =
        counted.and_then(|(n, _)| renew.and_then(|c| add_months(acks[n].date, c.months)));
    let (status, due) = match (counted, renew_by) {
        (Some(_), Some(r)) if r < day => (AckStatus::Lapsed, r),
        (Some((n, met)), _) if acks[n].date <= met => (AckStatus::Acknowledged, met),
        (Some((_, missed)), _) => (AckStatus::Late, missed),
        (None, _) if day <= first_due => (AckStatus::Pending, first_due),
        (None, _) => (AckStatus::Outstanding, first_due),
    };
    let counted = counted.map(|(n, _)| n);
    let older = if counted.is_none() {
        all.iter().rev().copied().find(|&n| !current(&acks[n]))
    } else {
        None
    };
    AckRow {
        member: member_ix,
        document: doc_ix,
        day,
        status,
        due,
        renew_by,
        counted,
        older,
        all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ix;
    use crate::model::acknowledgements::MemberType;
    use jiff::civil::date;
    use std::sync::Arc;

    fn ack(version: &str, day: Date) -> Ack {
        Ack {
            email: "a@x.com".into(),
            document: "p".into(),
            version: version.into(),
            date: day,
            file: Arc::new("acks.csv".into()),
            line: 2,
        }
    }

    fn row(
        acks: &[Ack],
        since: Option<Date>,
        start: Date,
        day: Date,
        renew: Option<u32>,
    ) -> AckRow {
        let doc = AckDocument {
            doc: DocIx::new(0),
            id: "p".into(),
            version: Some("2".into()),
            since,
            known_versions: vec!["2".into(), "1".into()],
        };
        let member = Member {
            email: "a@x.com".into(),
            name: "A".into(),
            start,
            end: None,
            kind: MemberType::Employee,
        };
        let all = (0..acks.len()).filter(|&n| acks[n].date <= day).collect();
        status(
            acks,
            &doc,
            &member,
            day,
            all,
            30,
            renew.map(|months| Cadence { months }),
            (0, 0),
        )
    }

    #[test]
    fn deadlines_follow_start_version_and_renewal() {
        let since = Some(date(2025, 3, 1));
        let old = date(2020, 1, 1);
        // Due 30 days after the version took effect; a new hire 30 days after starting.
        let r = row(&[], since, old, date(2025, 3, 20), None);
        assert_eq!((r.status, r.due), (AckStatus::Pending, date(2025, 3, 31)));
        let r = row(&[], since, date(2025, 5, 1), date(2025, 6, 30), None);
        assert_eq!(
            (r.status, r.due),
            (AckStatus::Outstanding, date(2025, 5, 31))
        );
        // An older version does not count, but is shown.
        let acks = [ack("1", date(2024, 6, 1))];
        let r = row(&acks, since, old, date(2025, 6, 30), None);
        assert_eq!((r.status, r.older), (AckStatus::Outstanding, Some(0)));
        // Late, then renewed on time: the renewal is measured against a year after the first.
        let acks = [ack("2", date(2025, 4, 15)), ack("v2", date(2026, 4, 1))];
        let r = row(&acks, since, old, date(2025, 6, 30), Some(12));
        assert_eq!(
            (r.status, r.renew_by),
            (AckStatus::Late, Some(date(2026, 4, 15)))
        );
        let r = row(&acks, since, old, date(2026, 6, 30), Some(12));
        assert_eq!(
            (r.status, r.due),
            (AckStatus::Acknowledged, date(2026, 4, 15))
        );
        // Not renewed: lapsed a year after.
        let r = row(&acks[..1], since, old, date(2026, 6, 30), Some(12));
        assert_eq!((r.status, r.due), (AckStatus::Lapsed, date(2026, 4, 15)));
    }

    #[test]
    fn a_documents_rows_and_place_are_found_without_a_scan() {
        let settings: AcknowledgementSettings =
            toml::from_str("required = [\"policy\"]\nwithin_days = 30").unwrap();
        let doc = |i: usize, id: &str, since: Date| AckDocument {
            doc: DocIx::new(i),
            id: id.into(),
            version: None,
            since: Some(since),
            known_versions: Vec::new(),
        };
        let member = |email: &str, end: Option<Date>| Member {
            email: email.into(),
            name: email.into(),
            start: date(2024, 1, 1),
            end,
            kind: MemberType::Employee,
        };
        let sources = AckSources {
            configured: true,
            // b left before p and r took effect, so has a row for q only.
            roster: vec![
                member("a@x.com", None),
                member("b@x.com", Some(date(2025, 1, 1))),
                member("c@x.com", None),
            ],
            acks: Vec::new(),
        };
        let documents = vec![
            doc(1, "p", date(2025, 3, 1)),
            doc(4, "q", date(2024, 6, 1)),
            doc(7, "r", date(2025, 3, 1)),
        ];
        let report = assess(
            sources,
            documents,
            &settings,
            |_| true,
            |_| date(2025, 6, 30),
        );
        let members = |rows: &[AckRow]| rows.iter().map(|r| r.member).collect::<Vec<_>>();
        assert_eq!(members(report.rows_of(0)), [0, 2]);
        assert_eq!(members(report.rows_of(1)), [0, 1, 2]);
        assert_eq!(members(report.rows_of(2)), [0, 2]);
        assert!(report.rows_of(3).is_empty());
        for (k, d) in report.documents.iter().enumerate() {
            assert!(report.rows_of(k).iter().all(|r| r.document == k));
            assert_eq!(report.position_of(d.doc), Some(k));
        }
        assert_eq!(report.position_of(DocIx::new(5)), None);
    }

    #[test]
    fn versions_are_read_from_front_matter_text() {
        use crate::pipeline::history::version_in;
        assert_eq!(
            version_in("---\ntitle: A\nversion: \"1.2\"\n---\nBody").as_deref(),
            Some("1.2")
        );
        assert_eq!(version_in("---\ntitle: A\n---\nversion: 3\n"), None);
        assert_eq!(version_in("No front matter"), None);
    }
}
