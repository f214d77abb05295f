//! What changed between two versions of a handbook: documents added, removed, renamed and
//! modified (front matter fields, and a word-level diff of the paragraphs that changed), and the
//! controls whose coverage changed. Used by the "What changed" pages and `policybook diff`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffTag, TextDiff, capture_diff_slices};

use crate::markdown::escape;
use crate::model::{ControlIx, DocIx, Document, Ix, IxVec};
use crate::pipeline::resolve::Handbook;

/// A renamed document's texts must be at least this similar (0–1) when its id changed too.
const RENAME_SIMILARITY: f32 = 0.6;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
/// A document, as a diff names it.
pub struct DocRef {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its file.
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
/// A document that moved.
pub struct Renamed {
    /// Before.
    pub from: DocRef,
    /// After.
    pub to: DocRef,
}

#[derive(Debug, Clone, Serialize)]
/// A front-matter field that changed.
pub struct FieldChange {
    /// Its name.
    pub field: &'static str,
    /// Before, as text.
    pub before: String,
    /// After, as text.
    pub after: String,
}

/// One paragraph-level piece of a document's diff.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    /// A paragraph that changed: word-level HTML with `<del>`/`<ins>`.
    Changed {
        /// The paragraph before.
        before: String,
        /// The paragraph after.
        after: String,
        /// The word diff, as HTML (`<del>`, `<ins>`).
        html: String,
    },
    /// A paragraph that is new.
    Added {
        /// Its text.
        text: String,
    },
    /// A paragraph that went.
    Removed {
        /// Its text.
        text: String,
    },
    /// Unchanged paragraphs between changes, counted.
    Unchanged {
        /// How many.
        count: usize,
    },
}

#[derive(Debug, Clone, Serialize)]
/// A document whose text or front matter changed.
pub struct Modified {
    /// Before.
    pub before: DocRef,
    /// After.
    pub after: DocRef,
    /// Front-matter fields that changed.
    pub fields: Vec<FieldChange>,
    /// The body's changes, paragraph by paragraph.
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, Serialize)]
/// A control whose coverage changed.
pub struct ControlChange {
    /// Its framework.
    pub framework: String,
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Evidence as "document id#section" (or "document id" for the whole document).
    pub before: Vec<String>,
    /// What covers it after (`document` or `document#section`).
    pub after: Vec<String>,
    /// In scope and uncovered before.
    pub gap_before: bool,
    /// In scope and uncovered after.
    pub gap_after: bool,
}

#[derive(Debug, Clone, Serialize)]
/// What changed between two versions.
pub struct VersionDiff {
    /// The older version's label.
    pub from: String,
    /// The newer version's label.
    pub to: String,
    /// Documents added.
    pub added: Vec<DocRef>,
    /// Documents removed.
    pub removed: Vec<DocRef>,
    /// Documents renamed.
    pub renamed: Vec<Renamed>,
    /// Documents changed.
    pub modified: Vec<Modified>,
    /// Controls whose coverage changed.
    pub controls: Vec<ControlChange>,
}

impl VersionDiff {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.modified.is_empty()
            && self.controls.is_empty()
    }
}

fn doc_ref(d: &Document) -> DocRef {
    DocRef {
        id: d.id.clone(),
        title: d.title.to_string(),
        path: d.path.clone(),
    }
}

/// Pairs the documents of two versions: same id, else (for what is left) the most similar text.
/// Returns (document of `a`, document of `b`) pairs.
pub fn pair_documents(
    a: &IxVec<DocIx, Arc<Document>>,
    b: &IxVec<DocIx, Arc<Document>>,
) -> Vec<(DocIx, DocIx)> {
    let (a, b) = (a.as_slice(), b.as_slice());
    let b_by_id: HashMap<&str, usize> = b
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let mut pairs = Vec::new();
    let mut used_b = BTreeSet::new();
    let mut unpaired_a = Vec::new();
    for (i, d) in a.iter().enumerate() {
        match b_by_id.get(d.id.as_str()) {
            Some(&j) if used_b.insert(j) => pairs.push((i, j)),
            _ => unpaired_a.push(i),
        }
    }
    let unpaired_b: Vec<usize> = (0..b.len()).filter(|j| !used_b.contains(j)).collect();
    // Renamed files whose id changed with the name: match by content, best pairs first.
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for &i in &unpaired_a {
        for &j in &unpaired_b {
            let ratio = TextDiff::from_lines(a[i].body(), b[j].body()).ratio();
            if ratio >= RENAME_SIMILARITY {
                candidates.push((ratio, i, j));
            }
        }
    }
    candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut taken_a = BTreeSet::new();
    for (_, i, j) in candidates {
        if !taken_a.contains(&i) && !used_b.contains(&j) {
            taken_a.insert(i);
            used_b.insert(j);
            pairs.push((i, j));
        }
    }
    pairs.sort();
    pairs
        .into_iter()
        .map(|(i, j)| (DocIx::new(i), DocIx::new(j)))
        .collect()
}

/// What changed from `a` to `b`.
pub fn diff(from_label: &str, a: &Handbook, to_label: &str, b: &Handbook) -> VersionDiff {
    let pairs = pair_documents(&a.documents, &b.documents);
    let paired_a: BTreeSet<DocIx> = pairs.iter().map(|p| p.0).collect();
    let paired_b: BTreeSet<DocIx> = pairs.iter().map(|p| p.1).collect();
    let mut out = VersionDiff {
        from: from_label.to_string(),
        to: to_label.to_string(),
        added: b
            .documents
            .indices()
            .filter(|j| !paired_b.contains(j))
            .map(|j| doc_ref(&b.documents[j]))
            .collect(),
        removed: a
            .documents
            .indices()
            .filter(|i| !paired_a.contains(i))
            .map(|i| doc_ref(&a.documents[i]))
            .collect(),
        renamed: Vec::new(),
        modified: Vec::new(),
        controls: Vec::new(),
    };
    for &(i, j) in &pairs {
        let (da, db) = (&a.documents[i], &b.documents[j]);
        if da.path != db.path || da.id != db.id {
            out.renamed.push(Renamed {
                from: doc_ref(da),
                to: doc_ref(db),
            });
        }
        let fields = field_changes(da, db);
        let blocks = if da.body() == db.body() {
            Vec::new()
        } else {
            body_diff(da.body(), db.body())
        };
        if !fields.is_empty() || !blocks.is_empty() {
            out.modified.push(Modified {
                before: doc_ref(da),
                after: doc_ref(db),
                fields,
                blocks,
            });
        }
    }
    out.added.sort_by(|x, y| x.id.cmp(&y.id));
    out.removed.sort_by(|x, y| x.id.cmp(&y.id));
    out.renamed.sort_by(|x, y| x.to.id.cmp(&y.to.id));
    out.modified.sort_by(|x, y| x.after.id.cmp(&y.after.id));
    // Old ids are shown under their new names, so that a rename alone is no coverage change.
    let rename: HashMap<&str, &str> = pairs
        .iter()
        .map(|&(i, j)| (a.documents[i].id.as_str(), b.documents[j].id.as_str()))
        .collect();
    out.controls = control_changes(a, b, &rename);
    out
}

fn field_changes(a: &Document, b: &Document) -> Vec<FieldChange> {
    let list = |v: &[String]| v.join(", ");
    let controls = |d: &Document| {
        d.controls
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let implements = |d: &Document| {
        d.implements
            .iter()
            .map(|id| id.value.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let opt = |o: Option<&str>| o.unwrap_or_default().to_string();
    let fields: [(&'static str, String, String); 10] = [
        ("title", a.title.to_string(), b.title.to_string()),
        ("kind", a.kind.as_str().into(), b.kind.as_str().into()),
        ("owner", opt(a.owner_name()), opt(b.owner_name())),
        (
            "approvers",
            list(&a.approver_names()),
            list(&b.approver_names()),
        ),
        (
            "version",
            opt(a.version.as_deref()),
            opt(b.version.as_deref()),
        ),
        (
            "effective",
            a.effective.map(|d| d.to_string()).unwrap_or_default(),
            b.effective.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "review",
            a.review.map(|r| r.to_string()).unwrap_or_default(),
            b.review.map(|r| r.to_string()).unwrap_or_default(),
        ),
        ("status", a.status.as_str().into(), b.status.as_str().into()),
        ("controls", controls(a), controls(b)),
        ("implements", implements(a), implements(b)),
    ];
    fields
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(field, before, after)| FieldChange {
            field,
            before,
            after,
        })
        .collect()
}

/// Paragraphs: blocks of text separated by blank lines.
fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line.trim_end());
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Paragraphs compared as units; a paragraph replaced by another is shown word by word.
pub fn body_diff(before: &str, after: &str) -> Vec<Block> {
    let a = paragraphs(before);
    let b = paragraphs(after);
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (tag, ra, rb) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => out.push(Block::Unchanged { count: ra.len() }),
            DiffTag::Delete => out.extend(ra.map(|i| Block::Removed { text: a[i].clone() })),
            DiffTag::Insert => out.extend(rb.map(|j| Block::Added { text: b[j].clone() })),
            DiffTag::Replace => {
                let (mut ia, mut ib) = (ra.clone(), rb.clone());
                loop {
                    match (ia.next(), ib.next()) {
                        (Some(i), Some(j)) => out.push(Block::Changed {
                            html: word_diff(&a[i], &b[j]),
                            before: a[i].clone(),
                            after: b[j].clone(),
                        }),
                        (Some(i), None) => out.push(Block::Removed { text: a[i].clone() }),
                        (None, Some(j)) => out.push(Block::Added { text: b[j].clone() }),
                        (None, None) => break,
                    }
                }
            }
        }
    }
    out
}

/// Word-level diff of two paragraphs as HTML: removed words in `<del>`, added ones in `<ins>`.
pub fn word_diff(before: &str, after: &str) -> String {
    let diff = TextDiff::from_words(before, after);
    let mut html = String::new();
    for change in diff.iter_all_changes() {
        let text = escape(change.value());
        match change.tag() {
            ChangeTag::Equal => html.push_str(&text),
            ChangeTag::Delete => html.push_str(&format!("<del>{text}</del>")),
            ChangeTag::Insert => html.push_str(&format!("<ins>{text}</ins>")),
        }
    }
    html.replace("</del><del>", "").replace("</ins><ins>", "")
}

fn evidence(
    hb: &Handbook,
    position: ControlIx,
    rename: Option<&HashMap<&str, &str>>,
) -> Vec<String> {
    let mut out: Vec<String> = hb.trace.covered_by[position]
        .iter()
        .map(|c| {
            let d = &hb.documents[c.document];
            let id = rename
                .and_then(|r| r.get(d.id.as_str()).copied())
                .unwrap_or(&d.id);
            match c.section.and_then(|s| d.sections.get(s)) {
                Some(s) => format!("{id}#{}", s.anchor),
                None => id.to_string(),
            }
        })
        .collect();
    out.sort();
    out
}

fn control_changes(a: &Handbook, b: &Handbook, rename: &HashMap<&str, &str>) -> Vec<ControlChange> {
    let mut out = BTreeMap::new();
    for p in b.catalog.positions() {
        let c = b.catalog.at(p);
        let Some(pa) = a.catalog.position(&c.framework, &c.id) else {
            continue;
        };
        let before = evidence(a, pa, Some(rename));
        let after = evidence(b, p, None);
        let gap_before = a.trace.in_scope[pa] && before.is_empty();
        let gap_after = b.trace.in_scope[p] && after.is_empty();
        if before != after || gap_before != gap_after {
            out.insert(
                p,
                ControlChange {
                    framework: c.framework.clone(),
                    id: c.id.clone(),
                    title: c.title.clone(),
                    before,
                    after,
                    gap_before,
                    gap_after,
                },
            );
        }
    }
    out.into_values().collect()
}

/// The summary printed by `policybook diff --format text`.
pub fn to_text(d: &VersionDiff) -> String {
    let mut s = format!("{} → {}\n", d.from, d.to);
    if d.is_empty() {
        s.push_str("  no changes\n");
        return s;
    }
    for x in &d.added {
        s.push_str(&format!("  added     {} ({})\n", x.id, x.path));
    }
    for x in &d.removed {
        s.push_str(&format!("  removed   {} ({})\n", x.id, x.path));
    }
    for r in &d.renamed {
        s.push_str(&format!(
            "  renamed   {} → {} ({} → {})\n",
            r.from.id, r.to.id, r.from.path, r.to.path
        ));
    }
    for m in &d.modified {
        let paragraphs = m
            .blocks
            .iter()
            .filter(|b| !matches!(b, Block::Unchanged { .. }))
            .count();
        let mut what = Vec::new();
        if paragraphs > 0 {
            what.push(format!(
                "{paragraphs} paragraph{} changed",
                if paragraphs == 1 { "" } else { "s" }
            ));
        }
        for f in &m.fields {
            what.push(format!(
                "{}: {} → {}",
                f.field,
                or_none(&f.before),
                or_none(&f.after)
            ));
        }
        s.push_str(&format!(
            "  modified  {}: {}\n",
            m.after.id,
            what.join("; ")
        ));
    }
    for c in &d.controls {
        let gained: Vec<&String> = c.after.iter().filter(|e| !c.before.contains(e)).collect();
        let lost: Vec<&String> = c.before.iter().filter(|e| !c.after.contains(e)).collect();
        let mut what: Vec<String> = gained.iter().map(|e| format!("+{e}")).collect();
        what.extend(lost.iter().map(|e| format!("-{e}")));
        if c.gap_after && !c.gap_before {
            what.push("now a gap".into());
        } else if c.gap_before && !c.gap_after {
            what.push("gap closed".into());
        }
        s.push_str(&format!(
            "  control   {} {}: {}\n",
            c.id,
            c.title,
            what.join(", ")
        ));
    }
    s
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "(none)" } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_diffed_as_units_and_words_within() {
        let before = "Intro stays.\n\nKeys rotate every year.\n\nOld paragraph.\n";
        let after = "Intro stays.\n\nKeys rotate every 90 days.\n\nOld paragraph.\n\nA new one.\n";
        let blocks = body_diff(before, after);
        let kinds: Vec<&str> = blocks
            .iter()
            .map(|b| match b {
                Block::Changed { .. } => "changed",
                Block::Added { .. } => "added",
                Block::Removed { .. } => "removed",
                Block::Unchanged { .. } => "same",
            })
            .collect();
        assert_eq!(kinds, ["same", "changed", "same", "added"]);
        let Block::Changed { html, .. } = &blocks[1] else {
            unreachable!()
        };
        assert_eq!(
            html,
            "Keys rotate every <del>year.</del><ins>90 days.</ins>"
        );
    }

    #[test]
    fn word_diff_escapes_html() {
        assert_eq!(
            word_diff("a <b>", "a <i>"),
            "a <del>&lt;b&gt;</del><ins>&lt;i&gt;</ins>"
        );
    }
}
