//! Policy exceptions (`kind: exception`): taken out of the handbook's documents (they cover no
//! control and are not policy text), checked against the documents they except, and dated against
//! the as-of date: `check` warns 30 days before one expires and once it has.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;

use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::exception::{ExceptionFields, ExceptionState, days_between};
use crate::model::{DocIx, Document, Href, IxVec, Kind, RegIx};

use super::unknown_document;

/// An exception to a policy, resolved.
#[derive(Debug, Clone)]
pub struct ExceptionRecord {
    /// Its document: id, title, body, path.
    pub doc: Arc<Document>,
    /// What its front matter records.
    pub fields: std::sync::Arc<ExceptionFields>,
    /// The excepted document and, for `doc#section`, the section's index.
    pub target: Option<(DocIx, Option<usize>)>,
    /// Where it stands on the as-of date.
    pub state: ExceptionState,
    /// What each link of its body becomes, as for documents.
    pub links: Vec<Href>,
}

/// Splits `kind: exception` documents from the others.
pub(crate) fn split_off(documents: Vec<Arc<Document>>) -> (Vec<Arc<Document>>, Vec<Arc<Document>>) {
    documents
        .into_iter()
        .partition(|d| d.kind != Kind::Exception)
}

/// What resolving exceptions needs from the rest of the handbook.
pub(crate) struct ExceptionInputs<'a> {
    pub documents: &'a IxVec<DocIx, Arc<Document>>,
    pub by_id: &'a HashMap<String, DocIx>,
    pub catalog: &'a Catalog,
    pub register_ids: &'a HashMap<String, RegIx>,
    pub default_framework: &'a str,
    pub as_of: Option<Date>,
}

/// Checks each exception (its id, what it excepts, its compensating controls, its dates) and
/// returns those whose front matter is complete, sorted by id. `links` resolves a body's links.
pub(crate) fn resolve_exceptions(
    docs: Vec<Arc<Document>>,
    inputs: &ExceptionInputs<'_>,
    mut links: impl FnMut(&Document, &mut Diagnostics) -> Vec<Href>,
    diags: &mut Diagnostics,
) -> Vec<ExceptionRecord> {
    let mut docs = docs;
    docs.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.path.cmp(&b.path)));
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<ExceptionRecord> = Vec::new();
    for doc in docs {
        let first = inputs
            .by_id
            .get(&doc.id)
            .map(|&i| inputs.documents[i].display_path.clone())
            .or_else(|| seen.get(&doc.id).map(|&k| out[k].doc.display_path.clone()));
        if let Some(first) = first {
            diags.push(
                Diagnostic::error(format!(
                    "the id `{}` is already used by {}",
                    doc.id,
                    first.display()
                ))
                .at(&doc.display_path, Some(doc.title.line))
                .hint("ids must be unique: set a different `id:` here or rename one of the files"),
            );
            continue;
        }
        let hrefs = links(&doc, diags);
        let Some(fields) = doc.exception.clone() else {
            // Incomplete front matter: its errors are reported already.
            continue;
        };
        let target = excepted(&doc, &fields, inputs, diags);
        super::check_refs(
            &doc,
            &fields.compensating,
            inputs.catalog,
            inputs.register_ids,
            inputs.default_framework,
            diags,
        );
        let state = ExceptionState::of(&fields, inputs.as_of);
        if let Some(d) = expiry_warning(&doc, &fields, state, inputs.as_of) {
            diags.push(d);
        }
        seen.insert(doc.id.clone(), out.len());
        out.push(ExceptionRecord {
            doc,
            fields,
            target,
            state,
            links: hrefs,
        });
    }
    out
}

/// The document and section `exception_to` names; an error when either does not exist.
fn excepted(
    doc: &Document,
    e: &ExceptionFields,
    inputs: &ExceptionInputs<'_>,
    diags: &mut Diagnostics,
) -> Option<(DocIx, Option<usize>)> {
    let (id, section) = e.target();
    let at = |d: Diagnostic| d.at_line(&doc.display_path, &doc.source, e.to.line);
    let Some(&i) = inputs.by_id.get(id) else {
        diags.push(at(unknown_document(id, inputs.by_id, "`exception_to`")).pointing_at(id));
        return None;
    };
    let Some(anchor) = section else {
        return Some((i, None));
    };
    let target = &inputs.documents[i];
    match target.anchors.get(anchor) {
        Some(&s) => Some((i, Some(s))),
        None => {
            let d = at(Diagnostic::error(format!(
                "`exception_to` names section `#{anchor}`, but {id} has no such section"
            )))
            .pointing_at(anchor);
            diags.push(
                match did_you_mean(anchor, target.sections.iter().map(|s| s.anchor.as_str())) {
                    Some(s) => d.hint(format!("did you mean `{id}#{s}`?")),
                    None => d.hint(format!(
                        "use the anchor of one of its headings (its id on the page), or `{id}` for the whole document"
                    )),
                },
            );
            None
        }
    }
}

/// An open exception past its `expires` date, or within 30 days of it, on the as-of date.
fn expiry_warning(
    doc: &Document,
    e: &ExceptionFields,
    state: ExceptionState,
    as_of: Option<Date>,
) -> Option<Diagnostic> {
    let today = as_of?;
    let days = days_between(today, e.expires.value);
    let (message, hint) = match state {
        ExceptionState::Expired => (
            format!(
                "exception expired on {} ({} day{} before the as-of date {today}) and is still open",
                e.expires.value,
                -days,
                if days == -1 { "" } else { "s" }
            ),
            "close it (`status: closed`) once the policy is met again, or renew it with a new approval and `expires` date",
        ),
        ExceptionState::ExpiringSoon => (
            format!(
                "exception expires on {}, in {days} day{} (as of {today})",
                e.expires.value,
                if days == 1 { "" } else { "s" }
            ),
            "remediate before then and close it, or renew it with a new approval and `expires` date",
        ),
        _ => return None,
    };
    Some(
        Diagnostic::warning(message)
            .at_line(&doc.display_path, &doc.source, e.expires.line)
            .hint(hint),
    )
}
