//! Acknowledgements: completion per document (on its page and on the acknowledgements page) and,
//! on that page only — published with `[publish] acknowledgements` — who is late per person.

use serde::Serialize;

use super::{DocLink, Views};
use crate::model::DocIx;
use crate::model::acknowledgements::AckStatus;
use crate::pipeline::resolve::acknowledgements::AckRow;

#[derive(Serialize)]
/// How far a document's acknowledgement has got.
pub struct AckSummary {
    /// People who acknowledged the current version (and whose acknowledgement has not lapsed).
    pub done: usize,
    /// The population.
    pub total: usize,
    /// Not yet due.
    pub pending: usize,
    /// Outstanding or lapsed.
    pub overdue: usize,
    /// Acknowledged after their deadline.
    pub late: usize,
    /// The version to acknowledge.
    pub version: Option<String>,
    /// The acknowledgements page, when published.
    pub url: Option<String>,
}

#[derive(Serialize)]
/// A document on the acknowledgements page.
pub struct AckDocView {
    /// The document.
    pub doc: DocLink,
    /// Its completion.
    pub summary: AckSummary,
    /// Since when the current version is in force.
    pub since: Option<String>,
}

#[derive(Serialize)]
/// One document a person must still act on, or acted on late.
pub struct AckItem {
    /// The document.
    pub title: String,
    /// Its page.
    pub url: String,
    /// `outstanding`, `lapsed`, `late`, `pending`.
    pub status: &'static str,
    /// The deadline.
    pub due: String,
}

#[derive(Serialize)]
/// A person on the acknowledgements page.
pub struct AckPersonView {
    /// As the roster names them.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Employee or contractor.
    pub kind: &'static str,
    /// First day.
    pub start: String,
    /// Documents acknowledged on time.
    pub done: usize,
    /// The worst status of their documents, for filtering.
    pub status: &'static str,
    /// What is outstanding, lapsed, late or pending.
    pub items: Vec<AckItem>,
}

#[derive(Serialize)]
/// The acknowledgements page.
pub struct AcknowledgementsView {
    /// The day statuses are for.
    pub as_of: Option<String>,
    /// Days to acknowledge.
    pub within_days: u32,
    /// The renewal cadence in words.
    pub renew: Option<String>,
    /// Each document to acknowledge.
    pub documents: Vec<AckDocView>,
    /// Each person of the population, in roster order.
    pub people: Vec<AckPersonView>,
    /// The statuses, for the filter.
    pub statuses: Vec<&'static str>,
}

impl Views<'_> {
    /// The completion of document `i`, when it must be acknowledged.
    pub fn ack_summary(&self, i: DocIx) -> Option<AckSummary> {
        let report = &self.hb.acknowledgements;
        let k = report.position_of(i)?;
        let mut s = AckSummary {
            done: 0,
            total: 0,
            pending: 0,
            overdue: 0,
            late: 0,
            version: report.documents[k].version.clone(),
            url: self
                .hb
                .config
                .publish
                .acknowledgements
                .then(|| crate::model::url::ACKNOWLEDGEMENTS.to_string()),
        };
        for r in report.rows_of(k) {
            s.total += 1;
            match r.status {
                AckStatus::Acknowledged => s.done += 1,
                AckStatus::Late => {
                    s.done += 1;
                    s.late += 1;
                }
                AckStatus::Pending => s.pending += 1,
                AckStatus::Outstanding | AckStatus::Lapsed => s.overdue += 1,
            }
        }
        Some(s)
    }

    /// The acknowledgements page.
    pub fn acknowledgements(&self) -> AcknowledgementsView {
        let hb = self.hb;
        let report = &hb.acknowledgements;
        let documents = report
            .documents
            .iter()
            .filter_map(|d| {
                Some(AckDocView {
                    doc: self.doc_link(d.doc),
                    summary: self.ack_summary(d.doc)?,
                    since: d.since.map(|s| s.to_string()),
                })
            })
            .collect();
        // Each person's rows, gathered in one pass over them all.
        let mut by_member: Vec<Vec<&AckRow>> = vec![Vec::new(); report.sources.roster.len()];
        for r in &report.rows {
            if let Some(rows) = by_member.get_mut(r.member) {
                rows.push(r);
            }
        }
        let mut people = Vec::new();
        for (member, rows) in report.sources.roster.iter().zip(by_member) {
            if rows.is_empty() {
                continue;
            }
            let worst = rows
                .iter()
                .map(|r| r.status)
                .min()
                .unwrap_or(AckStatus::Acknowledged);
            let items = rows
                .iter()
                .filter(|r| r.status != AckStatus::Acknowledged)
                .map(|r| {
                    let d = &hb.documents[report.documents[r.document].doc];
                    AckItem {
                        title: d.title.value.clone(),
                        url: crate::model::url::document(&d.id),
                        status: r.status.as_str(),
                        due: r.due.to_string(),
                    }
                })
                .collect();
            people.push(AckPersonView {
                name: member.name.clone(),
                email: member.email.clone(),
                kind: member.kind.as_str(),
                start: member.start.to_string(),
                done: rows.iter().filter(|r| r.status.done()).count(),
                status: worst.as_str(),
                items,
            });
        }
        AcknowledgementsView {
            as_of: hb.history.source.as_of.map(|d| d.to_string()),
            within_days: hb.config.acknowledgements.within_days,
            renew: hb.config.acknowledgements.renewal().map(|c| c.to_string()),
            documents,
            people,
            statuses: [
                AckStatus::Outstanding,
                AckStatus::Lapsed,
                AckStatus::Late,
                AckStatus::Pending,
                AckStatus::Acknowledged,
            ]
            .iter()
            .map(|s| s.as_str())
            .collect(),
        }
    }
}
