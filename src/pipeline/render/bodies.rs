//! Document bodies, Markdown → HTML, rendered once: a body whose text, resolved links and
//! section controls did not change (between versions, or between `serve`'s rebuilds) is taken
//! from the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::config::RawHtml;
use crate::markdown::html::{SectionHtml, render as render_markdown};
use crate::model::exception::ExceptionStatus;
use crate::model::{DocIx, Href, url};
use crate::pipeline::resolve::Handbook;

use super::search;

/// Document bodies already rendered, shared by the builds of several versions: a document whose
/// text and resolved links did not change is rendered once.
#[derive(Default)]
pub struct BodyCache {
    bodies: Mutex<HashMap<BodyKey, Arc<String>>>,
    /// Search-index entries of documents already indexed.
    pub(super) search: search::SearchCache,
}

#[derive(PartialEq, Eq, Hash)]
struct BodyKey {
    source: SameText,
    hrefs: Vec<Href>,
    controls: Vec<Vec<(String, String)>>,
    exceptions: Vec<Vec<(String, String, String)>>,
    raw_html: RawHtml,
}

/// A document's text, compared by identity: versions that share a parsed document share its
/// `Arc` (see `parse::ParseCache`), so the pointer says "same text" without hashing megabytes.
/// Holding the `Arc` keeps the pointer from being reused for another text.
#[derive(Clone)]
pub struct SameText(pub Arc<str>);

impl PartialEq for SameText {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SameText {}

impl std::hash::Hash for SameText {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as *const u8 as usize).hash(state);
    }
}

/// The HTML of a document's body, from the cache when an identical body was rendered before.
pub(super) fn cached_body(hb: &Handbook, i: DocIx, cache: Option<&BodyCache>) -> Arc<String> {
    let Some(cache) = cache else {
        return Arc::new(document_body(hb, i));
    };
    let (sections, hrefs) = body_inputs(hb, i);
    let key = BodyKey {
        source: SameText(hb.documents[i].source.clone()),
        hrefs,
        controls: sections.iter().map(|s| s.controls.clone()).collect(),
        exceptions: sections.iter().map(|s| s.exceptions.clone()).collect(),
        raw_html: hb.config.markdown.raw_html,
    };
    if let Some(html) = cache.bodies.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return html;
    }
    let html = Arc::new(render_markdown(
        hb.documents[i].body(),
        &sections,
        &key.hrefs,
        key.raw_html,
    ));
    if let Ok(mut map) = cache.bodies.lock() {
        map.insert(key, html.clone());
    }
    html
}

/// The HTML of a document's body, with links made relative to `documents/`.
fn document_body(hb: &Handbook, i: DocIx) -> String {
    let (sections, hrefs) = body_inputs(hb, i);
    render_markdown(
        hb.documents[i].body(),
        &sections,
        &hrefs,
        hb.config.markdown.raw_html,
    )
}

/// What a body's HTML depends on besides its text: its sections and its resolved links.
fn body_inputs(hb: &Handbook, i: DocIx) -> (Vec<SectionHtml>, Vec<Href>) {
    const ROOT: &str = "../";
    let doc = &hb.documents[i];
    let mut sections: Vec<SectionHtml> = doc
        .sections
        .iter()
        .map(|s| SectionHtml {
            anchor: s.anchor.clone(),
            classes: s.classes.clone(),
            controls: s
                .controls
                .iter()
                .map(|r| (r.id.clone(), format!("{ROOT}{}", hb.control_url(r))))
                .collect(),
            exceptions: Vec::new(),
        })
        .collect();
    if hb.config.publish.exceptions {
        for e in &hb.exceptions {
            if let Some((d, Some(s))) = e.target
                && d == i
                && e.fields.status == ExceptionStatus::Open
                && let Some(section) = sections.get_mut(s)
            {
                section.exceptions.push((
                    e.doc.id.clone(),
                    format!("{ROOT}{}", url::exception(&e.doc.id)),
                    format!("{}, expires {}", e.state.label(), e.fields.expires.value),
                ));
            }
        }
    }
    (sections, below(ROOT, &hb.refs[i].links))
}

/// Resolved links made relative to a page `root` below the site root (`"../"`).
pub(super) fn below(root: &str, links: &[Href]) -> Vec<Href> {
    links
        .iter()
        .map(|h| match h {
            Href::Site(u) => Href::Site(format!("{root}{u}")),
            other => other.clone(),
        })
        .collect()
}
