//! Views of documents: the home page's groups and each document's page.

use serde::Serialize;

use crate::model::{ControlRef, DocIx, Document, Kind, Section};
use crate::pipeline::resolve::names_register_control;

use super::history::DocHistoryView;
use super::register::RegControlLink;
use super::{ControlLink, DocLink, SectionLink, Stats, Views};

#[derive(Serialize)]
/// The documents of one kind, for the home page and the sidebar.
pub struct KindGroup {
    /// The kind.
    pub kind: Kind,
    /// "Policies".
    pub label: &'static str,
    /// In reading order.
    pub documents: Vec<DocLink>,
}

#[derive(Serialize)]
/// The home page.
pub struct HomeView {
    /// Documents by kind.
    pub groups: Vec<KindGroup>,
    /// The headline figures.
    pub stats: Stats,
}

#[derive(Serialize)]
/// A control a document maps, on its page.
pub struct ControlMapping {
    /// The control.
    pub control: ControlLink,
    /// Mapped in the front matter (the document as a whole).
    pub whole: bool,
    /// The sections mapped to it.
    pub sections: Vec<SectionLink>,
}

#[derive(Serialize)]
/// A control of the register a document describes, on its page.
pub struct RegControlMapping {
    /// The control.
    pub control: RegControlLink,
    /// Named in the front matter (the document as a whole).
    pub whole: bool,
    /// The sections that describe it.
    pub sections: Vec<SectionLink>,
}

#[derive(Serialize)]
/// An entry of a page's table of contents.
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// The heading's text.
    pub title: String,
    /// Its anchor.
    pub anchor: String,
}

#[derive(Serialize)]
/// A document's page.
pub struct DocumentView<'b> {
    /// The document.
    pub doc: DocLink,
    /// `approvers:`.
    pub approvers: Vec<String>,
    /// `effective:`, as YYYY-MM-DD.
    pub effective: Option<String>,
    /// `tags:`.
    pub tags: Vec<String>,
    /// `extra:`, for templates.
    pub extra: serde_json::Value,
    /// Every criterion it maps, in catalog order.
    pub controls: Vec<ControlMapping>,
    /// Published exceptions to it or its sections (empty unless `[publish] exceptions`).
    pub exceptions: Vec<super::exceptions::ExceptionLink>,
    /// Every control of the register it describes, in register order.
    pub register_controls: Vec<RegControlMapping>,
    /// Its level 2 and 3 headings.
    pub toc: Vec<TocEntry>,
    /// The body's HTML.
    pub body: &'b str,
    /// Documents it implements.
    pub implements: Vec<DocLink>,
    /// Documents that implement it.
    pub implemented_by: Vec<DocLink>,
    /// Documents that link to it.
    pub referenced_by: Vec<DocLink>,
    /// Its revisions and reviews.
    pub history: DocHistoryView,
    /// How many acknowledged it, when it must be acknowledged.
    pub acknowledged: Option<super::acknowledgements::AckSummary>,
    /// "Policies", for breadcrumbs.
    pub kind_plural: &'static str,
    /// Neighbours in reading order (the home page's order).
    pub previous: Option<DocLink>,
    /// The next document in reading order.
    pub next: Option<DocLink>,
}

impl Views<'_> {
    /// Documents by kind, in reading order.
    pub fn kind_groups(&self) -> Vec<KindGroup> {
        let order = self.order();
        Kind::ALL
            .into_iter()
            .map(|kind| KindGroup {
                kind,
                label: kind.plural_label(),
                documents: order
                    .iter()
                    .filter(|&&i| self.hb.documents[i].kind == kind)
                    .map(|&i| self.doc_link(i))
                    .collect(),
            })
            .filter(|g| !g.documents.is_empty())
            .collect()
    }

    /// The home page.
    pub fn home(&self) -> HomeView {
        HomeView {
            groups: self.kind_groups(),
            stats: self.stats(),
        }
    }

    /// Document `i`'s page, with its body's HTML.
    pub fn document<'b>(&self, i: DocIx, body: &'b str) -> DocumentView<'b> {
        let hb = self.hb;
        let d = &hb.documents[i];
        let refs = &hb.refs[i];
        // Every criterion the document maps, whole or by section, in catalog order; and every
        // control of the register, in register order.
        let mapped = mappings(d, |r| {
            (!names_register_control(r, &hb.register_ids))
                .then(|| hb.catalog.position(&r.framework, &r.id))
                .flatten()
        });
        let register = mappings(d, |r| {
            names_register_control(r, &hb.register_ids).then(|| hb.register_ids[&r.id])
        });
        DocumentView {
            acknowledged: self.ack_summary(i),
            doc: self.doc_link(i),
            approvers: d.approver_names(),
            effective: d.effective.map(|e| e.to_string()),
            tags: d.tags.clone(),
            extra: d.extra.clone(),
            controls: mapped
                .into_iter()
                .map(|(p, whole, sections)| ControlMapping {
                    control: self.control_link(p),
                    whole,
                    sections,
                })
                .collect(),
            exceptions: if hb.config.publish.exceptions {
                self.exceptions_of(i)
                    .iter()
                    .map(|&(_, n)| self.exception_link(n))
                    .collect()
            } else {
                Vec::new()
            },
            register_controls: register
                .into_iter()
                .map(|(k, whole, sections)| RegControlMapping {
                    control: self.reg_control_link(k),
                    whole,
                    sections,
                })
                .collect(),
            toc: d
                .sections
                .iter()
                .filter(|s| (2..=3).contains(&s.level))
                .map(|s| TocEntry {
                    level: s.level,
                    title: s.title.clone(),
                    anchor: s.anchor.clone(),
                })
                .collect(),
            body,
            implements: refs.implements.iter().map(|&j| self.doc_link(j)).collect(),
            implemented_by: refs
                .implemented_by
                .iter()
                .map(|&j| self.doc_link(j))
                .collect(),
            referenced_by: refs
                .referenced_by
                .iter()
                .map(|&j| self.doc_link(j))
                .collect(),
            history: self.doc_history(i),
            kind_plural: d.kind.plural_label(),
            previous: self.neighbour(i, -1),
            next: self.neighbour(i, 1),
        }
    }
}

/// What `key` gives for each control a document names (front matter: the whole document; a
/// heading: that section), merged per key, sorted by key.
fn mappings<K: Copy + Ord>(
    d: &Document,
    key: impl Fn(&ControlRef) -> Option<K>,
) -> Vec<(K, bool, Vec<SectionLink>)> {
    let mut out: Vec<(K, bool, Vec<SectionLink>)> = Vec::new();
    let mut add = |k: K, whole: bool, section: Option<&Section>| {
        let pos = match out.iter().position(|m| m.0 == k) {
            Some(pos) => pos,
            None => {
                out.push((k, false, Vec::new()));
                out.len() - 1
            }
        };
        out[pos].1 |= whole;
        if let Some(s) = section
            && !out[pos].2.iter().any(|l| l.anchor == s.anchor)
        {
            out[pos].2.push(Views::section_link(d, s));
        }
    };
    for r in &d.controls {
        if let Some(k) = key(r) {
            add(k, true, None);
        }
    }
    for s in d.sections.iter() {
        for r in &s.controls {
            if let Some(k) = key(r) {
                add(k, false, Some(s));
            }
        }
    }
    out.sort_by_key(|m| m.0);
    out
}
