//! The trace: for every control of the catalog, the documents and sections that cover it, and the
//! in-scope controls nothing covers (the gaps). Only published documents count as coverage;
//! drafts and retired documents that map a control are listed separately.

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{ControlIx, DocIx, Document, IxVec, Status};

/// One piece of evidence: a document as a whole, or one of its sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// The covering document.
    pub document: DocIx,
    /// Index into the document's `sections`; `None` for a mapping in the front matter.
    pub section: Option<usize>,
}

#[derive(Debug, Default)]
/// Which document and section covers which control, and the gaps.
pub struct Trace {
    /// Per control of the catalog: published coverage.
    pub covered_by: IxVec<ControlIx, Vec<Coverage>>,
    /// Per control: mappings by draft or retired documents, which do not count.
    pub not_published: IxVec<ControlIx, Vec<Coverage>>,
    /// Per control: whether it is in scope of the audit.
    pub in_scope: IxVec<ControlIx, bool>,
    /// In-scope controls with no published coverage, in catalog order.
    pub gaps: Vec<ControlIx>,
}

impl Trace {
    /// The trace of `documents` against `catalog`; a warning for the gaps unless `[scope] gaps = "allow"`.
    pub fn build(
        config: &Config,
        catalog: &Catalog,
        documents: &IxVec<DocIx, Document>,
        diags: &mut Diagnostics,
    ) -> Trace {
        let n = catalog.len();
        let mut covered_by = IxVec::filled(n, Vec::new());
        let mut not_published = IxVec::filled(n, Vec::new());
        let mut order: Vec<DocIx> = documents.indices().collect();
        order.sort_by(|&a, &b| documents[a].id.cmp(&documents[b].id).then(a.cmp(&b)));
        for &di in &order {
            let doc = &documents[di];
            let target = if doc.status == Status::Published {
                &mut covered_by
            } else {
                &mut not_published
            };
            let whole = doc.controls.iter().map(|r| (r, None));
            let sections = doc
                .sections
                .iter()
                .enumerate()
                .flat_map(|(si, s)| s.controls.iter().map(move |r| (r, Some(si))));
            for (r, section) in whole.chain(sections) {
                if let Some(p) = catalog.position(&r.framework, &r.id) {
                    let c = Coverage {
                        document: di,
                        section,
                    };
                    if !target[p].contains(&c) {
                        target[p].push(c);
                    }
                }
            }
        }
        let in_scope: IxVec<ControlIx, bool> = catalog
            .positions()
            .map(|p| {
                let c = catalog.at(p);
                c.framework == config.scope.framework && config.category_in_scope(&c.category)
            })
            .collect();
        let gaps: Vec<ControlIx> = catalog
            .positions()
            .filter(|&p| in_scope[p] && covered_by[p].is_empty())
            .collect();
        if !gaps.is_empty() && config.scope.gaps == crate::config::GapPolicy::Warn {
            diags.push(gap_warning(
                config,
                catalog,
                documents,
                &gaps,
                &not_published,
            ));
        }
        Trace {
            covered_by,
            not_published,
            in_scope,
            gaps,
        }
    }

    /// Number of in-scope controls.
    pub fn in_scope_count(&self) -> usize {
        self.in_scope.iter().filter(|&&b| b).count()
    }

    /// Number of in-scope controls covered by a published document or section.
    pub fn covered_in_scope_count(&self) -> usize {
        self.in_scope_count() - self.gaps.len()
    }
}

/// One warning for all gaps (a list of 30 identical warnings helps nobody), naming each control
/// and the unpublished documents that would close it.
fn gap_warning(
    config: &Config,
    catalog: &Catalog,
    documents: &IxVec<DocIx, Document>,
    gaps: &[ControlIx],
    not_published: &IxVec<ControlIx, Vec<Coverage>>,
) -> Diagnostic {
    let list: Vec<String> = gaps
        .iter()
        .map(|&p| {
            let c = catalog.at(p);
            let drafts: Vec<&str> = not_published[p]
                .iter()
                .map(|c| documents[c.document].id.as_str())
                .collect();
            if drafts.is_empty() {
                format!("{} ({})", c.id, c.title)
            } else {
                format!(
                    "{} ({}; mapped only by unpublished {})",
                    c.id,
                    c.title,
                    drafts.join(", ")
                )
            }
        })
        .collect();
    let noun = if gaps.len() == 1 {
        "control is"
    } else {
        "controls are"
    };
    let mut d = Diagnostic::warning(format!(
        "gap: {} in-scope {noun} covered by no published document: {}",
        gaps.len(),
        list.join(", ")
    ));
    d = d.at(&config.path, config.key_line("categories"));
    d.hint(
        "map each one in the front matter (`controls: [ID]`) of the document that addresses it, or on the \
         heading of the section that does (`## Title {controls=ID}`); publish drafts once approved \
         (`status: published`); or take the category out of [scope] categories in site.toml",
    )
}

#[cfg(test)]
mod tests {
    use crate::pipeline::resolve::tests::handbook;

    const SITE: &str = "title = \"T\"\n[scope]\ncategories = [\"availability\"]\n";

    #[test]
    fn coverage_by_documents_and_sections_drafts_apart_and_gaps_in_scope() {
        let (hb, diags) = handbook(
            &[
                (
                    "policies/a.md",
                    "---\ntitle: A\nowner: O\nreview: annual\ncontrols: [CC6.1]\n---\n## Review {controls=CC6.2,A1.1}\n",
                ),
                (
                    "policies/d.md",
                    "---\ntitle: D\nowner: O\nstatus: draft\ncontrols: [CC6.3]\n---\n",
                ),
            ],
            SITE,
        );
        let t = &hb.trace;
        let at = |id: &str| hb.catalog.position("soc2", id).unwrap();
        let a = hb.document_index("a").unwrap();
        assert_eq!(t.covered_by[at("CC6.1")].len(), 1);
        assert_eq!(t.covered_by[at("CC6.1")][0].section, None);
        assert_eq!(t.covered_by[at("CC6.2")][0].document, a);
        assert_eq!(t.covered_by[at("CC6.2")][0].section, Some(0));
        assert!(t.covered_by[at("CC6.3")].is_empty());
        assert_eq!(t.not_published[at("CC6.3")].len(), 1);
        // Security and availability in scope, nothing else.
        assert!(t.in_scope[at("A1.1")] && !t.in_scope[at("C1.1")]);
        assert_eq!(t.in_scope_count(), 33 + 3);
        assert_eq!(t.covered_in_scope_count(), 3);
        assert!(t.gaps.contains(&at("CC6.3")) && !t.gaps.contains(&at("A1.1")));
        // One warning for all gaps, naming the draft that would close CC6.3, on site.toml's line.
        let gap = diags
            .iter()
            .find(|d| d.message.starts_with("gap:"))
            .unwrap();
        assert!(
            gap.message.contains(
                "CC6.3 (Role-based access and least privilege; mapped only by unpublished d)"
            ),
            "{}",
            gap.message
        );
        assert_eq!(gap.line, Some(3));
    }

    #[test]
    fn allowed_gaps_are_not_warnings() {
        let (hb, diags) = handbook(&[], "title = \"T\"\n[scope]\ngaps = \"allow\"\n");
        assert_eq!(hb.trace.gaps.len(), 33);
        assert!(diags.is_empty(), "{diags:?}");
    }
}
