//! `serve`'s shortcut for the most common edits: only a document's text changed, or its text
//! and its title, not what the trace or other documents' checks read of it (the rest of the
//! front matter, headings and their lines, anchors, mappings, the files it links to). Then only
//! that document's links and review standing are resolved again, and the last handbook is
//! updated in place; everything else of it stands. A new title also re-sorts the lists of
//! related documents that hold it (they are in title order). Anything more is resolved from
//! scratch by [`super::resolve`].
//! `tests/testsuite/serve_incremental.rs` checks that both ways serve the same site.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{DocIx, Document, Href};
use crate::pipeline::history::WorkingTreeStatus;

use super::reviews::review_message;
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
    /// Its title changed too.
    retitled: bool,
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
            let retitled = match difference(&hb.documents[at], &doc)? {
                Difference::Text => false,
                Difference::TextAndTitle => true,
            };
            found.push((at, doc, retitled));
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
        for (at, doc, retitled) in found {
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
                retitled,
            });
        }
        Some(TextEdit { edits, before })
    }

    /// Whether a warning about another file than the document names a document these edits
    /// retitle by its old title: the hint under a `Reviews:` id that looks like a typo of the
    /// document's id gives the review commit to record, `-m "Review <title>"`. Such a warning is
    /// made again only by resolving again.
    pub fn retitles_one_quoted_in(&self, hb: &Handbook, warnings: &[Diagnostic]) -> bool {
        self.retitled(hb).into_iter().any(|(_, old)| {
            let message = review_message(old);
            warnings.iter().any(|w| {
                w.file.as_deref() != Some(old.display_path.as_path())
                    && w.hint.as_deref().is_some_and(|h| h.contains(&message))
            })
        })
    }

    /// The documents whose title the edits change, with their titles before.
    pub fn retitled<'h>(&self, hb: &'h Handbook) -> Vec<(DocIx, &'h Document)> {
        self.edits
            .iter()
            .filter(|e| e.retitled)
            .map(|e| (e.at, hb.documents[e.at].as_ref()))
            .collect()
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
        let retitled: BTreeSet<DocIx> = self
            .edits
            .iter()
            .filter(|e| e.retitled)
            .map(|e| e.at)
            .collect();
        for edit in self.edits {
            let at = edit.at;
            let uncommitted = hb.history.source.repository
                && hb
                    .history
                    .doc(&edit.doc.path)
                    .is_some_and(|h| h.uncommitted);
            // What the old standing said (kept with its state), to take out of the last build's
            // warnings; then the new standing, with its warnings.
            before.extend(std::mem::take(&mut hb.review_findings[at]));
            let mut findings = Diagnostics::new();
            let review =
                hb.reviews[at].with_uncommitted(&edit.doc, uncommitted, as_of, &mut findings);
            diags.extend(findings.clone());
            hb.reviews[at] = review;
            hb.review_findings[at] = findings;
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
        // Most edits link to what they linked to and keep their title: then no list is sorted
        // again.
        if !backlinks_changed.is_empty() || !retitled.is_empty() {
            let lowered = lowered_titles(&hb.documents);
            for &t in &backlinks_changed {
                sort_by_title(&mut hb.refs[t].referenced_by, &hb.documents, &lowered);
            }
            // A new title shows (and sorts) in every list of related documents that holds it.
            for t in hb.documents.indices() {
                let refs = &mut hb.refs[t];
                for list in [
                    &mut refs.referenced_by,
                    &mut refs.implemented_by,
                    &mut refs.implements,
                ] {
                    if list.iter().any(|j| retitled.contains(j)) {
                        sort_by_title(list, &hb.documents, &lowered);
                        pages.insert(t);
                    }
                }
            }
        }
        pages.extend(backlinks_changed);
        Applied {
            pages,
            warnings_before: before,
        }
    }
}

/// How a document changed, when the change can be applied in place.
#[derive(Debug, PartialEq)]
enum Difference {
    /// Only its text: the body, the links in it, its search text.
    Text,
    /// Its text, and its title, on the same line as before.
    TextAndTitle,
}

/// How `b` differs from `a`, when at most in its text and title (`None`: more than that).
/// Every other field is compared, headings with their lines, so that every message about the
/// document still points at the right line; the front matter as written must be the same but
/// for the title's line, since messages quote its lines. (Written out field by field: a field
/// added to `Document` must be placed on one side or the other here.)
fn difference(a: &Document, b: &Document) -> Option<Difference> {
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
    let same = exception.is_none()
        && b.exception.is_none()
        && *id == b.id
        && *path == b.path
        && *display_path == b.display_path
        && title.line == b.title.line
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
        && **anchors == *b.anchors;
    if !same {
        return None;
    }
    let (front, new_front) = (&source[..*body_start], &b.source[..b.body_start]);
    if title.value == b.title.value {
        return (front == new_front).then_some(Difference::Text);
    }
    // Line by line, the same lines but the title's (lines count from 1).
    let (mut old_lines, mut new_lines) = (front.split('\n'), new_front.split('\n'));
    let mut line = 0;
    loop {
        line += 1;
        match (old_lines.next(), new_lines.next()) {
            (None, None) => return Some(Difference::TextAndTitle),
            (Some(x), Some(y)) if x == y || line == title.line => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::load::SourceFile;
    use crate::pipeline::resolve::tests::handbook;

    const SITE: &str = "title = \"T\"\n[scope]\ngaps = \"allow\"\n";

    fn parsed(path: &str, text: &str) -> Document {
        let source = SourceFile {
            path: path.into(),
            display: path.into(),
            text: text.into(),
        };
        let mut diags = Diagnostics::new();
        let mut docs = crate::pipeline::parse::parse_all(&[source], "soc2", None, &mut diags);
        assert_eq!(docs.len(), 1, "{:?}", diags.sorted());
        docs.remove(0)
    }

    const A: &str =
        "---\ntitle: Alpha\nowner: O\nreview: annual\n---\n## Scope\n\nSee [zeta](z.md).\n";

    #[test]
    fn a_new_title_on_its_line_is_the_only_front_matter_change_applied_in_place() {
        let before = parsed("policies/a.md", A);
        let kind = |text: &str| difference(&before, &parsed("policies/a.md", text));
        assert_eq!(
            kind(&A.replace("Scope\n", "Scope\n\nMore.\n")),
            Some(Difference::Text)
        );
        assert_eq!(
            kind(&A.replace("title: Alpha", "title: Aleph")),
            Some(Difference::TextAndTitle)
        );
        // The same title, quoted: its line as written changed (messages quote it as written),
        // and the title did not.
        assert_eq!(
            kind(&A.replace("title: Alpha", "title: \"Alpha\"")),
            None,
            "a quoted title is a new line of front matter, but the same title"
        );
        // The title with another field, or over more lines.
        assert_eq!(
            kind(
                &A.replace("title: Alpha", "title: Aleph")
                    .replace("annual", "quarterly")
            ),
            None
        );
        assert_eq!(kind(&A.replace("title: Alpha", "title: >-\n  Aleph")), None);
        assert_eq!(
            kind(&A.replace("review: annual", "review: annual\n# a comment")),
            None
        );
    }

    #[test]
    fn a_new_title_renders_and_resorts_every_list_that_holds_it() {
        // a and b link to z, and y implements a: z's backlinks and y's "implements" show a's
        // title, whatever their place in the reading order.
        let docs = [
            ("policies/a.md", A),
            (
                "policies/b.md",
                "---\ntitle: Beta\nowner: O\nreview: annual\n---\nSee [zeta](z.md).\n",
            ),
            (
                "policies/m.md",
                "---\ntitle: Mu\nowner: O\nreview: annual\n---\nAlone.\n",
            ),
            (
                "policies/y.md",
                "---\ntitle: Ypsilon\nowner: O\nreview: annual\nimplements: [a]\n---\nText.\n",
            ),
            (
                "policies/z.md",
                "---\ntitle: Zeta\nowner: O\nreview: annual\n---\nText.\n",
            ),
        ];
        let (mut hb, diags) = handbook(&docs, SITE);
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        let ix = |hb: &Handbook, id: &str| {
            hb.documents
                .iter_enumerated()
                .find(|(_, d)| d.id == id)
                .map(|(i, _)| i)
                .expect("a document")
        };
        let titles = |hb: &Handbook, list: &[DocIx]| -> Vec<String> {
            list.iter()
                .map(|&i| hb.documents[i].title.value.clone())
                .collect()
        };
        let z = ix(&hb, "z");
        assert_eq!(titles(&hb, &hb.refs[z].referenced_by), ["Alpha", "Beta"]);

        let mut found = Diagnostics::new();
        let fresh = parsed("policies/a.md", &A.replace("title: Alpha", "title: Omega"));
        let edit = TextEdit::prepare(&hb, vec![fresh], &mut found).expect("applied in place");
        let a = ix(&hb, "a");
        assert_eq!(
            edit.retitled(&hb)
                .iter()
                .map(|(i, d)| (*i, d.title.value.as_str()))
                .collect::<Vec<_>>(),
            [(a, "Alpha")]
        );
        // No repository: nothing to ask git.
        let status = hb
            .history
            .working_tree_status(None, std::path::Path::new("."), &[]);
        let applied = edit.apply(&mut hb, status, &mut found);
        assert_eq!(titles(&hb, &hb.refs[z].referenced_by), ["Beta", "Omega"]);
        let y = ix(&hb, "y");
        let shown: Vec<&str> = applied
            .pages
            .iter()
            .map(|&i| hb.documents[i].id.as_str())
            .collect();
        assert_eq!(shown, ["a", "y", "z"], "{:?}", (a, y, z));
    }
}
