//! Views of the organisation's controls: each control's page with the policy language that
//! describes it, and the rows of the register listing.

use serde::Serialize;

use crate::markdown::first_paragraph;
use crate::model::register::{EvidenceItem, RegControl, Responsibility};
use crate::model::{DocIx, RegIx, url};
use crate::pipeline::resolve::{Coverage, control_state};

use super::{ControlLink, DocLink, SectionLink, Views};

/// How long a quoted paragraph may be.
const EXCERPT_CHARS: usize = 400;

#[derive(Serialize, Clone)]
/// A link to a control of the register, with what listings show of it.
pub struct RegControlLink {
    /// `ACC-02`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its page, relative to the site root.
    pub url: String,
    /// The role that performs it.
    pub owner: String,
    /// How often.
    pub frequency: &'static str,
    /// `implemented`, `partial`, `planned`, `retired`.
    pub status: &'static str,
    /// `organization`, `customer`, `subservice:<name>`.
    pub responsibility: String,
    /// The subservice's entry on the scope page, for `subservice:<name>`.
    pub subservice_url: Option<String>,
    /// Where it stands on the as-of date, in a few words: `implemented` (in operation),
    /// `planned`, `undocumented`, `from 2026-01-01`, `customer`…
    pub state: String,
    /// `state` as a filter value and CSS class: `implemented`, `planned`, `partial`, `retired`,
    /// `undocumented`, `not-yet-operating`, `ended`, `customer`, `subservice`.
    pub state_class: String,
    /// Published documents and sections that describe it.
    pub documented: usize,
}

#[derive(Serialize)]
/// A document or section that describes a control, with its words.
pub struct Implementation {
    /// The document.
    pub document: DocLink,
    /// The section, when the mapping is on a heading.
    pub section: Option<SectionLink>,
    /// Link to the section, or to the document.
    pub url: String,
    /// Its first paragraph, as plain text.
    pub excerpt: String,
}

#[derive(Serialize)]
/// A control of the register as a criterion's page lists it: what it says and the policy
/// language that describes it, quoted.
pub struct RegControlDetail {
    /// The control.
    pub control: RegControlLink,
    /// The first paragraph of its statement, as plain text.
    pub statement: String,
    /// The published sections and documents that describe it, with their first paragraphs.
    pub described_by: Vec<Implementation>,
}

#[derive(Serialize)]
/// A control's page.
pub struct RegControlView {
    /// The control.
    pub control: RegControlLink,
    /// What is done, by whom, how often: the register's Markdown as HTML, sanitised.
    pub statement_html: String,
    /// `preventive`, `detective`, `corrective`.
    pub control_type: Option<&'static str>,
    /// `manual`, `automated`, `it-dependent`.
    pub automation: Option<&'static str>,
    /// When it started operating.
    pub since: Option<String>,
    /// When it stopped.
    pub until: Option<String>,
    /// The control that took over, for a retired one.
    pub replaced_by: Option<RegControlLink>,
    /// The criteria it meets.
    pub criteria: Vec<ControlLink>,
    /// What an auditor will ask for.
    pub evidence: Vec<EvidenceItem>,
    /// The published documents and sections that describe it, with their words.
    pub implemented_by: Vec<Implementation>,
    /// Drafts and retired documents that name it.
    pub not_published: Vec<Implementation>,
    /// Its file and line, for whoever maintains the register.
    pub source: String,
}

impl Views<'_> {
    /// A link to control `k` of the register.
    pub fn reg_control_link(&self, k: RegIx) -> RegControlLink {
        let c = &self.hb.register[k];
        let state = control_state(c, &self.hb.trace.documented_by[k], self.hb.trace.as_of);
        RegControlLink {
            id: c.id.value.clone(),
            title: c.title.clone(),
            url: url::register_control(&c.id.value),
            owner: c.owner.clone(),
            frequency: c.frequency.as_str(),
            status: c.status.as_str(),
            responsibility: c.responsibility.to_string(),
            subservice_url: match &c.responsibility {
                Responsibility::Subservice(name) => Some(url::subservice(name)),
                _ => None,
            },
            state_class: match state.split_once([' ', ':']) {
                Some(("from", _)) => "not-yet-operating".to_string(),
                Some((first, _)) => first.to_string(),
                None => state.clone(),
            },
            state,
            documented: self.hb.trace.documented_by[k].len(),
        }
    }

    /// Every control of the register, in register order.
    pub fn register(&self) -> Vec<RegControlLink> {
        self.hb
            .register
            .indices()
            .map(|k| self.reg_control_link(k))
            .collect()
    }

    pub(super) fn implementation(&self, c: &Coverage) -> Implementation {
        let d = &self.hb.documents[c.document];
        let section = c.section.and_then(|s| d.sections.get(s));
        let link = section.map(|s| Self::section_link(d, s));
        Implementation {
            document: self.doc_link(c.document),
            url: link
                .as_ref()
                .map(|s| s.url.clone())
                .unwrap_or_else(|| url::document(&d.id)),
            section: link,
            excerpt: self.excerpt(c.document, c.section),
        }
    }

    /// The first paragraph of a section (or of a document's body, for a whole document).
    fn excerpt(&self, doc: DocIx, section: Option<usize>) -> String {
        let d = &self.hb.documents[doc];
        let body = d.body();
        let from = match section.and_then(|s| d.sections.get(s)) {
            // The heading's line, counted in the whole file; the body starts at `body_start`.
            Some(s) => {
                let body_first_line = d.source[..d.body_start].lines().count() + 1;
                let skip = s.line.saturating_sub(body_first_line) + 1;
                body.split_inclusive('\n').skip(skip).collect::<String>()
            }
            None => body.to_string(),
        };
        first_paragraph(&from, EXCERPT_CHARS)
    }

    /// Control `k` with its statement and describing sections, for a criterion's page.
    pub fn reg_control_detail(&self, k: RegIx) -> RegControlDetail {
        RegControlDetail {
            control: self.reg_control_link(k),
            statement: first_paragraph(&self.hb.register[k].statement, EXCERPT_CHARS),
            described_by: self.hb.trace.documented_by[k]
                .iter()
                .map(|cov| self.implementation(cov))
                .collect(),
        }
    }

    /// Control `k`'s page.
    pub fn reg_control(&self, k: RegIx) -> RegControlView {
        let hb = self.hb;
        let c: &RegControl = &hb.register[k];
        RegControlView {
            control: self.reg_control_link(k),
            // Always sanitised, whatever `[markdown] raw_html` says: the register is not a
            // document, and a statement has no business running script.
            statement_html: crate::markdown::sanitize::clean(&crate::markdown::html::render(
                &c.statement,
                &[],
                &[],
                crate::config::RawHtml::Sanitize,
            )),
            control_type: c.control_type.map(|t| t.as_str()),
            automation: c.automation.map(|a| a.as_str()),
            since: c.since.map(|d| d.to_string()),
            until: c.until.map(|d| d.to_string()),
            replaced_by: c
                .replaced_by
                .as_ref()
                .and_then(|r| hb.register_ids.get(&r.value))
                .map(|&r| self.reg_control_link(r)),
            criteria: c
                .criteria
                .iter()
                .filter_map(|r| hb.catalog.position(&r.framework, &r.id))
                .map(|p| self.control_link(p))
                .collect(),
            evidence: c.evidence_shown(hb.config.publish.evidence_details),
            implemented_by: hb.trace.documented_by[k]
                .iter()
                .map(|cov| self.implementation(cov))
                .collect(),
            not_published: hb.trace.documented_unpublished[k]
                .iter()
                .map(|cov| self.implementation(cov))
                .collect(),
            source: format!("{}:{}", c.file.display(), c.id.line),
        }
    }
}
