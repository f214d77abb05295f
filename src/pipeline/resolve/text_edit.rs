//! `serve`'s shortcut for the most common edit: only a document's text changed, not what other
//! documents, listings or the trace read of it (front matter, headings and their lines, anchors,
//! mappings, the files it links to). Then only that document's links and review standing are
//! resolved again, and the last handbook is updated in place; everything else of it stands.
//! Anything more is resolved from scratch by [`super::resolve`].
//! `tests/testsuite/serve_incremental.rs` checks that both ways serve the same site.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::diagnostics::Diagnostics;
use crate::model::{DocIx, Document, Href};
use crate::pipeline::history::WorkingTreeStatus;

use super::reviews::standing;
use super::{Handbook, canonical_ids, links, links_context, lowered_titles, sort_by_title};

/// Edits found to change only text, resolved but not yet applied.
pub struct TextEdit {
    edits: Vec<Edit>,
    /// What the same checks (links, review standing) said of the documents before the edit.
    before: Diagnostics,
}

struct Edit {
    at: DocIx,
    doc: Arc<Document>,
    links: Vec<Href>,
    /// The documents it links to now, and before.
    targets: BTreeSet<DocIx>,
    old_targets: BTreeSet<DocIx>,
}

/// What applying a [`TextEdit`] changed.
pub struct Applied {
    /// The documents whose pages show something new: the edited ones, and those whose
    /// backlinks changed.
    pub pages: BTreeSet<DocIx>,
    /// What the checks run again said of the edited documents before the edit (what they say
    /// now is in the `diags` given to `prepare` and `apply`).
    pub warnings_before: Diagnostics,
}

impl TextEdit {
    /// `fresh`: the edited documents as parsed now. `None` when some edit changed more than
    /// text (or is not a document of `hb`). The edited documents' link warnings and errors go
    /// to `diags`; nothing of `hb` is changed yet.
    pub fn prepare(
        hb: &Handbook,
        fresh: Vec<Document>,
        diags: &mut Diagnostics,
    ) -> Option<TextEdit> {
        // Acknowledgements are assessed against the text's commit state document by document:
        // left to the full resolve.
        if hb.acknowledgements.sources.configured || fresh.is_empty() {
            return None;
        }
        let by_path: HashMap<&str, DocIx> = hb
            .documents
            .iter_enumerated()
            .map(|(i, d)| (d.path.as_str(), i))
            .collect();
        let mut found = Vec::with_capacity(fresh.len());
        for doc in fresh {
            let &at = by_path.get(doc.path.as_str())?;
            let mut doc = Arc::new(doc);
            canonical_ids(std::slice::from_mut(&mut doc), &mut [], &hb.catalog);
            if !same_but_text(&hb.documents[at], &doc) {
                return None;
            }
            found.push((at, doc));
        }
        let by_id: HashMap<String, DocIx> = hb
            .documents
            .iter_enumerated()
            .map(|(i, d)| (d.id.clone(), i))
            .collect();
        let ctx = links_context(
            &hb.config,
            &hb.catalog,
            &hb.documents,
            &by_id,
            &by_path,
            &hb.register_ids,
            &hb.available,
        );
        let mut before = Diagnostics::new();
        let mut edits = Vec::with_capacity(found.len());
        for (at, doc) in found {
            let old = links::resolve_links(&ctx, &hb.documents[at], &mut before);
            let mut now = Diagnostics::new();
            let new = links::resolve_links(&ctx, &doc, &mut now);
            // A file linked for the first time, or no longer, changes what the site copies.
            if !new.assets.keys().eq(old.assets.keys()) {
                return None;
            }
            diags.extend(now);
            edits.push(Edit {
                at,
                doc,
                links: new.hrefs,
                targets: new.documents,
                old_targets: old.documents,
            });
        }
        Some(TextEdit { edits, before })
    }

    /// Applies the edits to `hb`, with whether each file now differs from HEAD; the review
    /// standing of the edited documents is worked out again (its warnings go to `diags`).
    pub fn apply(
        self,
        hb: &mut Handbook,
        status: WorkingTreeStatus,
        diags: &mut Diagnostics,
    ) -> Applied {
        hb.history.apply_working_tree_status(status);
        let as_of = hb.history.source.as_of;
        let mut before = self.before;
        let mut pages = BTreeSet::new();
        let mut backlinks_changed = BTreeSet::new();
        for edit in self.edits {
            let at = edit.at;
            let uncommitted = hb.history.source.repository
                && hb
                    .history
                    .doc(&edit.doc.path)
                    .is_some_and(|h| h.uncommitted);
            // What the old standing said, to take out of the last build's warnings; then the
            // new standing, with its warnings.
            standing(&hb.documents[at], &hb.reviews[at], as_of, &mut before);
            let review = hb.reviews[at].with_uncommitted(&edit.doc, uncommitted, as_of, diags);
            hb.reviews[at] = review;
            hb.documents[at] = edit.doc;
            hb.refs[at].links = edit.links;
            for &t in edit.old_targets.symmetric_difference(&edit.targets) {
                if t == at {
                    continue;
                }
                let list = &mut hb.refs[t].referenced_by;
                list.retain(|&j| j != at);
                if edit.targets.contains(&t) {
                    list.push(at);
                }
                backlinks_changed.insert(t);
            }
            pages.insert(at);
        }
        // Most edits link to what they linked to: then no list is sorted again.
        if !backlinks_changed.is_empty() {
            let lowered = lowered_titles(&hb.documents);
            for &t in &backlinks_changed {
                sort_by_title(&mut hb.refs[t].referenced_by, &hb.documents, &lowered);
            }
        }
        pages.extend(backlinks_changed);
        Applied {
            pages,
            warnings_before: before,
        }
    }
}

/// Whether `a` and `b` differ at most in their text: the body, the links in it, its search text.
/// Every other field is compared, headings with their lines, so that every message about the
/// document still points at the right line. (Written out field by field: a field added to
/// `Document` must be placed on one side or the other here.)
fn same_but_text(a: &Document, b: &Document) -> bool {
    let Document {
        id,
        path,
        display_path,
        title,
        kind,
        owner,
        approvers,
        version,
        effective,
        review,
        status,
        controls,
        implements,
        tags,
        weight,
        extra,
        sections,
        anchors,
        // The text, and what is read from it alone.
        links: _,
        texts: _,
        source,
        body_start,
        exception,
    } = a;
    exception.is_none()
        && b.exception.is_none()
        && *id == b.id
        && *path == b.path
        && *display_path == b.display_path
        && *title == b.title
        && *kind == b.kind
        && *owner == b.owner
        && *approvers == b.approvers
        && *version == b.version
        && *effective == b.effective
        && *review == b.review
        && *status == b.status
        && *controls == b.controls
        && *implements == b.implements
        && *tags == b.tags
        && *weight == b.weight
        && *extra == b.extra
        && **sections == *b.sections
        && **anchors == *b.anchors
        // The front matter itself, as written: messages quote its lines.
        && *body_start == b.body_start
        && source[..*body_start] == b.source[..b.body_start]
}
