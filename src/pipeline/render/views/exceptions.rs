//! The exception register and a page per exception, shown only with `[publish] exceptions`: known
//! weaknesses are for auditors and the people who manage them, not for every reader.

use serde::Serialize;

use crate::config::RawHtml;
use crate::markdown::html::{SectionHtml, render as render_markdown};
use crate::model::url;
use crate::pipeline::resolve::ExceptionRecord;

use super::{DocLink, SectionLink, Views};

#[derive(Serialize, Clone)]
/// An exception, with what the register lists of it.
pub struct ExceptionLink {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its page, relative to the site root.
    pub url: String,
    /// `active`, `expiring-soon`, `expired`, `not-yet-granted`, `closed`, `revoked`.
    pub state: &'static str,
    /// The state in words.
    pub state_label: &'static str,
    /// `open`, `closed`, `revoked`, as recorded.
    pub status: &'static str,
    /// `low`, `medium`, `high`.
    pub risk: Option<&'static str>,
    /// Who asked for it.
    pub requested_by: String,
    /// Who granted it.
    pub approved_by: String,
    /// When it was granted.
    pub granted: String,
    /// When it ends.
    pub expires: String,
    /// The excepted document.
    pub document: Option<DocLink>,
    /// The excepted section, for `doc#section`.
    pub section: Option<SectionLink>,
    /// `exception_to` as written.
    pub exception_to: String,
    /// Controls that reduce the risk meanwhile: (label, page).
    pub compensating: Vec<CompensatingLink>,
}

#[derive(Serialize, Clone)]
/// A compensating control.
pub struct CompensatingLink {
    /// Its id.
    pub id: String,
    /// Its page, relative to the site root.
    pub url: String,
}

#[derive(Serialize)]
/// The exception register.
pub struct ExceptionsView {
    /// Every exception: open ones first (expired, expiring, active, not yet granted), then closed
    /// and revoked, each by expiry.
    pub exceptions: Vec<ExceptionLink>,
    /// Open exceptions in force.
    pub in_force: usize,
    /// Open exceptions past their expiry.
    pub expired: usize,
    /// Open exceptions expiring within 30 days.
    pub expiring: usize,
    /// The date states are computed at.
    pub as_of: Option<String>,
}

#[derive(Serialize)]
/// An exception's page.
pub struct ExceptionView {
    /// What the register lists.
    pub exception: ExceptionLink,
    /// Its body, as HTML.
    pub body_html: String,
    /// Its file, relative to the handbook root.
    pub path: String,
}

/// Where an exception stands, for ordering the register: what needs action first.
fn urgency(e: &ExceptionRecord) -> u8 {
    use crate::model::exception::ExceptionState as S;
    match e.state {
        S::Expired => 0,
        S::ExpiringSoon => 1,
        S::Active => 2,
        S::NotYetGranted => 3,
        S::Closed => 4,
        S::Revoked => 5,
    }
}

impl Views<'_> {
    /// Exception `n` (an index into `Handbook::exceptions`), as the register lists it.
    pub fn exception_link(&self, n: usize) -> ExceptionLink {
        let hb = self.hb;
        let e = &hb.exceptions[n];
        let f = &e.fields;
        ExceptionLink {
            id: e.doc.id.clone(),
            title: e.doc.title.value.clone(),
            url: url::exception(&e.doc.id),
            state: e.state.as_str(),
            state_label: e.state.label(),
            status: f.status.as_str(),
            risk: f.risk.map(|r| r.as_str()),
            requested_by: f.requested_by.value.clone(),
            approved_by: f.approved_by.value.clone(),
            granted: f.granted.value.to_string(),
            expires: f.expires.value.to_string(),
            document: e.target.map(|(d, _)| self.doc_link(d)),
            section: e.target.and_then(|(d, s)| {
                let doc = &hb.documents[d];
                s.and_then(|s| doc.sections.get(s))
                    .map(|s| Self::section_link(doc, s))
            }),
            exception_to: f.to.value.clone(),
            compensating: f
                .compensating
                .iter()
                .map(|r| CompensatingLink {
                    id: r.id.clone(),
                    url: hb.control_url(r),
                })
                .collect(),
        }
    }

    /// The open exceptions that except document `doc`: (section index or `None` for the whole
    /// document, exception index), in register order.
    pub fn exceptions_of(&self, doc: crate::model::DocIx) -> &[(Option<usize>, usize)] {
        self.open_exceptions.get(doc).map_or(&[], Vec::as_slice)
    }

    /// The exception register.
    pub fn exceptions(&self) -> ExceptionsView {
        let hb = self.hb;
        let mut order: Vec<usize> = (0..hb.exceptions.len()).collect();
        order.sort_by(|&a, &b| {
            let (ea, eb) = (&hb.exceptions[a], &hb.exceptions[b]);
            urgency(ea)
                .cmp(&urgency(eb))
                .then(ea.fields.expires.value.cmp(&eb.fields.expires.value))
                .then(ea.doc.id.cmp(&eb.doc.id))
        });
        let count = |f: fn(&ExceptionRecord) -> bool| hb.exceptions.iter().filter(|e| f(e)).count();
        use crate::model::exception::ExceptionState as S;
        ExceptionsView {
            exceptions: order.into_iter().map(|n| self.exception_link(n)).collect(),
            in_force: count(|e| e.state.in_force()),
            expired: count(|e| e.state == S::Expired),
            expiring: count(|e| e.state == S::ExpiringSoon),
            as_of: hb.trace.as_of.map(|d| d.to_string()),
        }
    }

    /// Exception `n`'s page.
    pub fn exception(&self, n: usize) -> ExceptionView {
        const ROOT: &str = "../";
        let hb = self.hb;
        let e = &hb.exceptions[n];
        let sections: Vec<SectionHtml> = e
            .doc
            .sections
            .iter()
            .map(|s| SectionHtml {
                anchor: s.anchor.clone(),
                classes: s.classes.clone(),
                controls: Vec::new(),
                exceptions: Vec::new(),
            })
            .collect();
        let hrefs = crate::pipeline::render::bodies::below(ROOT, &e.links);
        let raw_html: RawHtml = hb.config.markdown.raw_html;
        ExceptionView {
            exception: self.exception_link(n),
            body_html: render_markdown(e.doc.body(), &sections, &hrefs, raw_html),
            path: e.doc.path.clone(),
        }
    }
}
