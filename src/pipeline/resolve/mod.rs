//! Stage 3: everything that needs the whole handbook at once — unique ids, links between
//! documents, `implements`, control ids against the catalog, and the trace (which document and
//! section covers which control). The result, `Handbook`, is all the renderer reads.

pub mod acknowledgements;
mod exceptions;
mod links;
mod people;
pub mod pull_requests;
mod register;
mod reviews;
mod scope;
pub mod signatures;
pub mod soa;
mod text_edit;
mod trace;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::people::People;
use crate::model::register::RegControl;
use crate::model::{ControlRef, DocIx, Document, Href, IxVec, RegIx, Spanned};
use crate::pipeline::history::History;
use crate::pipeline::load::AssetSource;

pub use exceptions::ExceptionRecord;
pub use reviews::{REGISTER_REVIEW_ID, RegisterHistory, ReviewState, source_warnings};
pub use text_edit::{Applied, TextEdit};
pub use trace::{
    Coverage, CriterionStatus, FrameworkSummary, Trace, Via, control_state, in_effect,
};

/// Cross-references of one document, parallel to `Handbook::documents`.
#[derive(Debug, Default, Clone)]
pub struct DocRefs {
    /// For each link of the body, in order, what it becomes.
    pub links: Vec<Href>,
    /// Documents whose body links here, sorted by title.
    pub referenced_by: Vec<DocIx>,
    /// Documents that say they implement this one, sorted by title.
    pub implemented_by: Vec<DocIx>,
    /// Documents this one implements (resolved `implements:`), sorted by title.
    pub implements: Vec<DocIx>,
}

/// The resolved handbook: what `render` turns into pages.
#[derive(Debug)]
pub struct Handbook {
    /// `site.toml`.
    pub config: Config,
    /// The control catalog ids were checked against.
    pub catalog: Catalog,
    /// The organisation's controls, from `controls.yaml` (empty without a register).
    pub register: IxVec<RegIx, RegControl>,
    /// Register control id → control.
    pub register_ids: HashMap<String, RegIx>,
    /// Sorted by path.
    pub documents: IxVec<DocIx, Arc<Document>>,
    /// Cross-references of each document.
    pub refs: IxVec<DocIx, DocRefs>,
    /// Which document and section covers which control.
    pub trace: Trace,
    /// Files linked from documents, to copy: path below `policies/` → where to read it.
    pub assets: BTreeMap<String, AssetSource>,
    /// Every non-Markdown file under `policies/`, linked or not: what links may point at (kept
    /// for `serve`, which resolves the handbook again after an edit).
    pub available: BTreeMap<String, AssetSource>,
    /// Git history of the sources.
    pub history: History,
    /// Review state of each document.
    pub reviews: IxVec<DocIx, ReviewState>,
    /// What working out each document's review state reported (its standing's warnings), kept
    /// so that `serve`'s next resolve can reuse a state with its warnings.
    pub review_findings: IxVec<DocIx, Diagnostics>,
    /// Policy exceptions (`kind: exception`), by id: not among `documents`, published only with
    /// `[publish] exceptions`.
    pub exceptions: Vec<ExceptionRecord>,
    /// The control register's own revisions and reviews.
    pub register_history: RegisterHistory,
    /// People and the roles they held (empty without `people.yaml`).
    pub people: People,
    /// The signature of every signed commit that records a change or a review, checked.
    pub signatures: HashMap<String, signatures::SignatureCheck>,
    /// `[signatures]`: the keys they were checked against.
    pub signers: signatures::Signers,
    /// `[reviews] pull_requests`: the files read (kept for `serve`'s rebuilds).
    pub pull_requests: Vec<crate::pipeline::load::SourceFile>,
    /// `[acknowledgements]` assessed on the as-of date (empty when not configured).
    pub acknowledgements: acknowledgements::AckReport,
    /// Statements of Applicability, one per framework that has one.
    pub soas: Vec<soa::Soa>,
    /// `site.toml`'s own revisions and reviews, when an SoA comes from it (empty otherwise).
    pub settings_history: RegisterHistory,
}

impl Handbook {
    /// The page of what `r` names: a control of the register, or a criterion (relative to the
    /// site root).
    pub fn control_url(&self, r: &ControlRef) -> String {
        if names_register_control(r, &self.register_ids) {
            crate::model::url::register_control(&r.id)
        } else {
            crate::model::url::control(&r.framework, &r.id)
        }
    }

    /// How sure review `r` is of who approved: verified when its commit's signature is verified
    /// and its signer is one of the review's approvers (by `people.yaml`).
    pub fn review_identity(
        &self,
        r: &crate::pipeline::history::Review,
    ) -> crate::config::IdentityLevel {
        use crate::config::IdentityLevel;
        let verified = r.reviewers.iter().any(|who| {
            self.people.identify(who).is_some_and(|person| {
                reviews::verified_identity(&self.signatures, r, person, &self.people)
                    == IdentityLevel::Verified
            })
        });
        if verified {
            IdentityLevel::Verified
        } else {
            IdentityLevel::Asserted
        }
    }

    /// The register's controls performed by subservice `name` (CSOCs), in register order.
    pub fn csocs<'a>(&'a self, name: &'a str) -> impl Iterator<Item = RegIx> + 'a {
        self.register.iter_enumerated().filter_map(move |(k, c)| {
            matches!(&c.responsibility, crate::model::register::Responsibility::Subservice(n) if n == name)
                .then_some(k)
        })
    }

    /// The signature status of commit `id` (`unsigned` when it has none).
    pub fn signature(&self, id: &str) -> signatures::SignatureCheck {
        self.signatures
            .get(id)
            .cloned()
            .unwrap_or(signatures::SignatureCheck {
                status: signatures::SignatureStatus::Unsigned,
                signer: None,
            })
    }

    /// The document with this id.
    pub fn document_index(&self, id: &str) -> Option<DocIx> {
        self.documents
            .iter_enumerated()
            .find(|(_, d)| d.id == id)
            .map(|(i, _)| i)
    }
}

/// Everything the earlier stages produced, for `resolve`.
pub struct Parsed<'e> {
    /// `site.toml`.
    pub config: Config,
    /// The catalog ids are checked against.
    pub catalog: Catalog,
    /// Every document parsed (shared, so that `serve` reuses the unchanged ones for nothing).
    pub documents: Vec<Arc<Document>>,
    /// How many of `documents`, from the first, come as they were from an earlier resolve of
    /// the same site.toml, catalog and register that found no errors (`serve`'s rebuilds): their
    /// control ids are already in the catalog's spelling and known to exist, so they are not
    /// looked up again. 0 for a build.
    pub reused: usize,
    /// Every control of the register parsed.
    pub register: Vec<RegControl>,
    /// The register's files, relative to the handbook root, for its history.
    pub register_files: Vec<String>,
    /// `people.yaml`.
    pub people: People,
    /// `[signatures]`: the keys signatures are verified against.
    pub signers: signatures::Signers,
    /// `[reviews] pull_requests`: the pull-request files.
    pub pull_requests: Vec<crate::pipeline::load::SourceFile>,
    /// `[acknowledgements]`: the roster and the acknowledgement records.
    pub acknowledgements: crate::model::acknowledgements::AckSources,
    /// Every non-Markdown file under `policies/`.
    pub available: BTreeMap<String, AssetSource>,
    /// The git history of the sources.
    pub history: History,
    /// The last resolve of the same handbook (`serve`'s rebuilds: the same site.toml, catalog,
    /// register, people, keys and pull requests, and the same history but for which files
    /// differ from HEAD), whose review states are reused for the documents whose text and
    /// history are the same. `None` for a build.
    pub earlier: Option<&'e Handbook>,
}

/// Resolves parsed documents into a handbook: ids, links, `implements`, controls, the trace and review states. Problems go to `diags`; the handbook is returned whatever they are, so that `check` sees all of them.
pub fn resolve(parsed: Parsed<'_>, diags: &mut Diagnostics) -> Handbook {
    let Parsed {
        config,
        catalog,
        documents,
        reused,
        register,
        register_files,
        people,
        signers,
        pull_requests,
        acknowledgements,
        available,
        history,
        earlier,
    } = parsed;
    let (mut documents, mut register) = (documents, register);
    let reused = reused.min(documents.len());
    canonical_ids(&mut documents[reused..], &mut register, &catalog);
    // The documents whose mappings are checked below: all of them, but in `serve`'s rebuilds.
    let new: Option<HashSet<String>> =
        (reused > 0).then(|| documents[reused..].iter().map(|d| d.path.clone()).collect());
    let (mut documents, exception_docs) = exceptions::split_off(documents);
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    let documents: IxVec<DocIx, Arc<Document>> = IxVec::from_vec(documents);
    let by_id = index_ids(&documents, diags);
    let register: IxVec<RegIx, RegControl> = IxVec::from_vec(register);
    let register_ids =
        register::check_register(&register, &catalog, &config.scope.framework, diags);
    check_controls(
        documents
            .iter()
            .filter(|d| new.as_ref().is_none_or(|new| new.contains(&d.path)))
            .map(Arc::as_ref),
        &catalog,
        &register_ids,
        &config.scope.framework,
        diags,
    );

    let mut refs: IxVec<DocIx, DocRefs> = IxVec::filled(documents.len(), DocRefs::default());
    let mut linked_assets = BTreeMap::new();
    let by_path: HashMap<&str, DocIx> = documents
        .iter_enumerated()
        .map(|(i, d)| (d.path.as_str(), i))
        .collect();
    let ctx = links_context(
        &config,
        &catalog,
        &documents,
        &by_id,
        &by_path,
        &register_ids,
        &available,
    );
    // Each document's links and `implements` are resolved on their own, side by side (this loop
    // was a third of resolving, which is most of a `serve` rebuild); what they find is reported
    // in document order, as one after the other would.
    let per_document: Vec<(links::Resolved, Vec<DocIx>, Diagnostics)> = documents
        .as_slice()
        .par_iter()
        .with_max_len(crate::parallel::LEAF)
        .map(|doc| {
            let mut found = Diagnostics::new();
            let resolved = links::resolve_links(&ctx, doc, &mut found);
            let implements = resolve_implements(doc, &by_id, &mut found);
            (resolved, implements, found)
        })
        .collect();
    for (i, (resolved, implements, found)) in documents.indices().zip(per_document) {
        diags.extend(found);
        for target in resolved.documents {
            if target != i {
                refs[target].referenced_by.push(i);
            }
        }
        linked_assets.extend(resolved.assets);
        refs[i].links = resolved.hrefs;
        refs[i].implements = implements;
    }
    let exceptions = exceptions::resolve_exceptions(
        exception_docs,
        &exceptions::ExceptionInputs {
            documents: &documents,
            by_id: &by_id,
            catalog: &catalog,
            register_ids: &register_ids,
            default_framework: &config.scope.framework,
            as_of: history.source.as_of,
        },
        |doc, diags| {
            let resolved = links::resolve_links(&ctx, doc, diags);
            // A file only an unpublished exception links to stays off the site.
            if config.publish.exceptions {
                linked_assets.extend(resolved.assets);
            }
            resolved.hrefs
        },
        diags,
    );
    for i in documents.indices() {
        for target in refs[i].implements.clone() {
            refs[target].implemented_by.push(i);
        }
    }
    let lowered = lowered_titles(&documents);
    for r in &mut refs {
        for list in [
            &mut r.referenced_by,
            &mut r.implemented_by,
            &mut r.implements,
        ] {
            sort_by_title(list, &documents, &lowered);
        }
    }

    let excluded = scope::check_scope(
        &config,
        &catalog,
        &register,
        &register_ids,
        history.source.as_of,
        diags,
    );
    // The trace, and the chain from pull requests to review states, need nothing of each other:
    // they run side by side, each reporting into its own list, kept in this order.
    let (mut trace_found, mut review_found) = (Diagnostics::new(), Diagnostics::new());
    let (trace, (signatures, (reviews, review_findings))) = rayon::join(
        || {
            Trace::build(
                trace::TraceInputs {
                    config: &config,
                    catalog: &catalog,
                    documents: &documents,
                    register: &register,
                    register_ids: &register_ids,
                    excluded,
                    as_of: history.source.as_of,
                },
                &mut trace_found,
            )
        },
        || {
            let diags = &mut review_found;
            people::check_people(&people, &documents, &register, history.source.as_of, diags);
            let pr_approvals = pull_requests::read(&pull_requests, &history, &people, diags);
            let signatures = signers.check_history(
                &history,
                pr_approvals
                    .approvals
                    .iter()
                    .map(|(_, r)| r)
                    .chain(pr_approvals.refused.iter().map(|(_, r, _)| r))
                    .map(|r| r.commit.as_ref()),
            );
            people::check_signers(&people, &history, &signatures, diags);
            let approvals =
                reviews::ApprovalRules::new(&people, &config.reviews, &history, &signatures);
            let reviews = reviews::review_states(
                &documents,
                &by_id,
                &history,
                !register_files.is_empty(),
                &approvals,
                &pr_approvals,
                earlier,
                diags,
            );
            (signatures, reviews)
        },
    );
    diags.extend(trace_found);
    diags.extend(review_found);
    let register_history = reviews::register_history(register_files, &history);
    let soas = soa::build(&config, &catalog, &register, &trace, diags);
    let settings_history = if soas.is_empty() {
        RegisterHistory::default()
    } else {
        reviews::file_history(vec![soa::SETTINGS_FILE.to_string()], &history)
    };
    let acknowledgements = if acknowledgements.configured {
        let settings = &config.acknowledgements;
        let ack_docs = acknowledgements::ack_documents(&documents, &history, settings);
        acknowledgements::check_rows(
            &acknowledgements,
            &documents,
            &ack_docs,
            history.source.repository,
            diags,
        );
        match history.source.as_of {
            Some(day) => acknowledgements::assess(
                acknowledgements,
                ack_docs,
                settings,
                |m| m.present_on(day),
                |_| day,
            ),
            // Without a date there is no "late": nothing is assessed.
            None => acknowledgements::AckReport {
                sources: acknowledgements,
                documents: ack_docs,
                rows: Vec::new(),
            },
        }
    } else {
        acknowledgements::AckReport::default()
    };
    Handbook {
        config,
        catalog,
        register,
        register_ids,
        documents,
        refs,
        trace,
        assets: linked_assets,
        available,
        history,
        reviews,
        review_findings,
        exceptions,
        register_history,
        people,
        signatures,
        signers,
        pull_requests,
        acknowledgements,
        soas,
        settings_history,
    }
}

/// What resolving a document's links needs, from the parts of a handbook.
fn links_context<'a>(
    config: &'a Config,
    catalog: &'a Catalog,
    documents: &'a IxVec<DocIx, Arc<Document>>,
    by_id: &'a HashMap<String, DocIx>,
    by_path: &'a HashMap<&'a str, DocIx>,
    register_ids: &'a HashMap<String, RegIx>,
    available: &'a BTreeMap<String, AssetSource>,
) -> links::Context<'a> {
    links::Context {
        documents,
        by_id,
        by_path,
        catalog,
        register: register_ids,
        assets: available,
        default_framework: &config.scope.framework,
        raw_html: config.markdown.raw_html,
        warn_size_mb: config.files.warn_size_mb,
        origin: config.absolute_url("").and_then(|u| {
            let (scheme, rest) = u.split_once("://")?;
            let host = rest.split('/').next()?;
            Some(format!("{scheme}://{host}"))
        }),
    }
}

/// Each document's title in lower case: lists of documents are sorted by it (lowered once, not
/// in every comparison of every list).
fn lowered_titles(documents: &IxVec<DocIx, Arc<Document>>) -> IxVec<DocIx, String> {
    IxVec::from_vec(documents.iter().map(|d| d.title.to_lowercase()).collect())
}

/// Sorts a list of documents (backlinks, `implements`) by title, then id, without repeats.
fn sort_by_title(
    list: &mut Vec<DocIx>,
    documents: &IxVec<DocIx, Arc<Document>>,
    lowered: &IxVec<DocIx, String>,
) {
    list.sort_by(|a, b| {
        lowered[*a]
            .cmp(&lowered[*b])
            .then_with(|| documents[*a].id.cmp(&documents[*b].id))
    });
    list.dedup();
}

/// id → document; a repeated id is an error on the second file.
fn index_ids(
    documents: &IxVec<DocIx, Arc<Document>>,
    diags: &mut Diagnostics,
) -> HashMap<String, DocIx> {
    let mut by_id: HashMap<String, DocIx> = HashMap::new();
    for (i, doc) in documents.iter_enumerated() {
        if let Some(&first) = by_id.get(&doc.id) {
            diags.push(
                Diagnostic::error(format!(
                    "the id `{}` is already used by {}",
                    doc.id,
                    documents[first].display_path.display()
                ))
                .at(&doc.display_path, Some(doc.title.line))
                .hint("ids must be unique: set a different `id:` here or rename one of the files"),
            );
        } else {
            by_id.insert(doc.id.clone(), i);
        }
    }
    by_id
}

fn resolve_implements(
    doc: &Document,
    by_id: &HashMap<String, DocIx>,
    diags: &mut Diagnostics,
) -> Vec<DocIx> {
    let mut out = Vec::new();
    for Spanned { value: id, line } in &doc.implements {
        if id == &doc.id {
            diags.push(
                Diagnostic::error("a document cannot implement itself")
                    .at_line(&doc.display_path, &doc.source, *line)
                    .hint("name the policy this document puts into practice"),
            );
            continue;
        }
        match by_id.get(id) {
            Some(&i) => out.push(i),
            None => diags.push(
                unknown_document(id, by_id, "`implements`")
                    .at_line(&doc.display_path, &doc.source, *line)
                    .pointing_at(id),
            ),
        }
    }
    out
}

/// `what` is the phrase that names the id: "`implements`", "the link `policy:x`".
pub(crate) fn unknown_document(id: &str, by_id: &HashMap<String, DocIx>, what: &str) -> Diagnostic {
    let d = Diagnostic::error(format!("{what} names `{id}`, but no document has that id"));
    match did_you_mean(id, by_id.keys().map(String::as_str)) {
        Some(s) => d.hint(format!("did you mean `{s}`?")),
        None => d.hint("use the `id` of a document under policies/ (its file name without .md, unless it sets `id:`)"),
    }
}

/// Every control id named in front matter or on a heading must exist in its framework. Ids of
/// the default framework are not checked when that framework itself is unknown: site.toml's
/// error says so once, rather than every document repeating it as its own mistake.
fn check_controls<'d>(
    documents: impl Iterator<Item = &'d Document>,
    catalog: &Catalog,
    register: &HashMap<String, RegIx>,
    default_framework: &str,
    diags: &mut Diagnostics,
) {
    for doc in documents {
        let refs = doc
            .controls
            .iter()
            .chain(doc.sections.iter().flat_map(|s| s.controls.iter()));
        check_refs(doc, refs, catalog, register, default_framework, diags);
    }
}

/// Each of `refs`, named in `doc`, must be a control of the register or a criterion of the
/// catalog: an error at its line otherwise.
pub(crate) fn check_refs<'r>(
    doc: &Document,
    refs: impl IntoIterator<Item = &'r ControlRef>,
    catalog: &Catalog,
    register: &HashMap<String, RegIx>,
    default_framework: &str,
    diags: &mut Diagnostics,
) {
    for r in refs {
        if names_register_control(r, register)
            || reported_in_site_toml(r, catalog, default_framework)
        {
            continue;
        }
        if let Some(d) = check_control(r, catalog) {
            diags.push(
                d.at_line(&doc.display_path, &doc.source, r.line)
                    .pointing_at(&r.id),
            );
        }
    }
}

/// Whether `r` is a bare id (no framework written) of a control of the organisation's register.
pub fn names_register_control(r: &ControlRef, register: &HashMap<String, RegIx>) -> bool {
    !r.explicit && register.contains_key(&r.id)
}

/// Ids written in another spelling the framework accepts (`ac-2.1` for `AC-2(1)`) stored in the
/// catalog's, so that pages, exports and the trace see one control.
fn canonical_ids(documents: &mut [Arc<Document>], register: &mut [RegControl], catalog: &Catalog) {
    let respelt = |r: &ControlRef| {
        catalog
            .control(&r.framework, &r.id)
            .filter(|c| c.id != r.id)
            .map(|c| c.id.clone())
    };
    let fix = |r: &mut ControlRef| {
        if let Some(id) = respelt(r) {
            r.id = id;
        }
    };
    for d in documents.iter_mut() {
        // Documents and sections are shared (a document with serve's last build, sections with
        // the parse cache): copied only when an id changes.
        if d.controls.iter().any(|r| respelt(r).is_some()) {
            Arc::make_mut(d).controls.iter_mut().for_each(fix);
        }
        if d.sections
            .iter()
            .any(|s| s.controls.iter().any(|r| respelt(r).is_some()))
        {
            for s in Arc::make_mut(&mut Arc::make_mut(d).sections) {
                s.controls.iter_mut().for_each(fix);
            }
        }
    }
    for c in register.iter_mut() {
        c.criteria.iter_mut().for_each(fix);
    }
}

/// `r` names the default framework, which site.toml names wrongly (an error there already).
pub(crate) fn reported_in_site_toml(r: &ControlRef, catalog: &Catalog, default: &str) -> bool {
    r.framework == default && catalog.framework(default).is_none()
}

/// `None` when the control exists; otherwise the error (without a position).
pub(crate) fn check_control(r: &ControlRef, catalog: &Catalog) -> Option<Diagnostic> {
    let Some(framework) = catalog.framework(&r.framework) else {
        let ids: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
        let d = Diagnostic::error(format!("unknown control framework `{}`", r.framework));
        // A built-in catalog's name, or its stem (`iso27001`), needs declaring first.
        if let Some((builtin, _)) = crate::catalog::BUILTIN.iter().find(|(k, _)| {
            *k == r.framework || k.split('-').next() == r.framework.split('-').next()
        }) {
            return Some(d.hint(format!(
                "declare it in site.toml: `[frameworks.{}]` with `catalog = \"{builtin}\"`",
                r.framework
            )));
        }
        return Some(match did_you_mean(&r.framework, ids.iter().copied()) {
            Some(s) => d.hint(format!(
                "did you mean `{s}`? Known frameworks: {}",
                ids.join(", ")
            )),
            None => d.hint(format!("known frameworks: {}", ids.join(", "))),
        });
    };
    if let Some(c) = catalog.control(&r.framework, &r.id) {
        if !c.withdrawn {
            return None;
        }
        let d = Diagnostic::error(format!(
            "`{}` is withdrawn from {}: it cannot be mapped",
            c.id, framework.name
        ));
        return Some(if c.replaced_by.is_empty() {
            d.hint("remove the mapping; the catalog names no successor")
        } else {
            d.hint(format!(
                "map what replaced it instead: {}",
                c.replaced_by
                    .iter()
                    .map(|x| format!("`{}:{x}`", framework.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        });
    }
    let d = Diagnostic::error(format!(
        "unknown control `{}` (framework {})",
        r.id, framework.id
    ));
    Some(
        match did_you_mean(&r.id, framework.controls.iter().map(|c| c.id.as_str())) {
            Some(s) => d.hint(format!("did you mean `{s}`?")),
            None => d.hint(format!(
                "{} ids look like {}; the control pages of the built site list them all",
                framework.id,
                framework
                    .controls
                    .iter()
                    .take(3)
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pipeline::load::SourceFile;

    /// A handbook of these (path, text) documents, resolved without history.
    pub(crate) fn handbook(docs: &[(&str, &str)], site: &str) -> (Handbook, Vec<Diagnostic>) {
        handbook_with_register(docs, "", site)
    }

    /// The same, with this `controls.yaml`.
    pub(crate) fn handbook_with_register(
        docs: &[(&str, &str)],
        register: &str,
        site: &str,
    ) -> (Handbook, Vec<Diagnostic>) {
        handbook_as_of(docs, register, site, None)
    }

    /// The same, with statuses as of `as_of` (YYYY-MM-DD).
    pub(crate) fn handbook_as_of(
        docs: &[(&str, &str)],
        register: &str,
        site: &str,
        as_of: Option<&str>,
    ) -> (Handbook, Vec<Diagnostic>) {
        let mut history = History::default();
        history.source.as_of = as_of.map(|d| d.parse().expect("a date"));
        let mut diags = Diagnostics::new();
        let register_file = SourceFile {
            path: "controls.yaml".into(),
            display: "controls.yaml".into(),
            text: register.into(),
        };
        let sources: Vec<SourceFile> = docs
            .iter()
            .map(|(path, text)| SourceFile {
                path: path.to_string(),
                display: path.into(),
                text: (*text).into(),
            })
            .collect();
        let documents: Vec<Arc<Document>> =
            crate::pipeline::parse::parse_all(&sources, "soc2", None, &mut diags)
                .into_iter()
                .map(Arc::new)
                .collect();
        let register =
            crate::pipeline::parse::register::parse_register(&register_file, "soc2", &mut diags);
        let hb = resolve_with(site, &documents, register, &history, None, &mut diags);
        (hb, diags.sorted())
    }

    /// `documents` and `register` resolved with `site` and `history`, reusing `earlier`'s review
    /// states where it can.
    fn resolve_with(
        site: &str,
        documents: &[Arc<Document>],
        register: Vec<RegControl>,
        history: &History,
        earlier: Option<&Handbook>,
        diags: &mut Diagnostics,
    ) -> Handbook {
        let config =
            Config::parse(site, std::path::Path::new("site.toml"), diags).expect("site.toml");
        resolve(
            Parsed {
                config,
                catalog: Catalog::builtin(),
                documents: documents.to_vec(),
                reused: 0,
                register,
                register_files: Vec::new(),
                people: People::default(),
                signers: Default::default(),
                pull_requests: Vec::new(),
                acknowledgements: Default::default(),
                available: BTreeMap::new(),
                history: history.clone(),
                earlier,
            },
            diags,
        )
    }

    const SITE: &str = "title = \"T\"\n[scope]\ngaps = \"allow\"\n";

    #[test]
    fn an_earlier_review_state_is_reused_only_for_the_same_text_and_history() {
        let text = |t: &str| {
            format!("---\ntitle: {t}\nowner: O\nreview: annual\n---\n## Scope\n\nText.\n")
        };
        let sources: Vec<SourceFile> = ["a", "b"]
            .iter()
            .map(|n| SourceFile {
                path: format!("policies/{n}.md"),
                display: format!("policies/{n}.md").into(),
                text: text(n).into(),
            })
            .collect();
        let mut diags = Diagnostics::new();
        let documents: Vec<Arc<Document>> =
            crate::pipeline::parse::parse_all(&sources, "soc2", None, &mut diags)
                .into_iter()
                .map(Arc::new)
                .collect();
        let mut history = History::default();
        history.source.repository = true;
        history.source.as_of = Some(jiff::civil::date(2025, 6, 1));
        for d in &documents {
            history.docs.insert(d.path.clone(), Arc::default());
        }
        // An earlier resolve whose states are marked, to see which are taken as they were.
        let mut earlier = resolve_with(SITE, &documents, Vec::new(), &history, None, &mut diags);
        let marked = Some(jiff::civil::date(2000, 1, 1));
        for i in earlier.documents.indices() {
            earlier.reviews[i].next_due = marked;
            earlier.review_findings[i] = Diagnostics::new();
            earlier.review_findings[i].push(Diagnostic::warning("marked"));
        }
        let due = |hb: &Handbook| -> Vec<bool> {
            hb.reviews.iter().map(|r| r.next_due == marked).collect()
        };
        let reused = resolve_with(
            SITE,
            &documents,
            Vec::new(),
            &history,
            Some(&earlier),
            &mut diags,
        );
        assert_eq!(due(&reused), [true, true]);
        assert!(
            reused
                .review_findings
                .iter()
                .all(|f| f.iter().any(|d| d.message == "marked")),
            "the findings come with the state"
        );
        // `a` no longer as committed (its history is another one now): worked out again.
        let mut edited = history.clone();
        if let Some(h) = edited.docs.get_mut("policies/a.md") {
            Arc::make_mut(h).uncommitted = true;
        }
        let again = resolve_with(
            SITE,
            &documents,
            Vec::new(),
            &edited,
            Some(&earlier),
            &mut diags,
        );
        assert_eq!(due(&again), [false, true]);
        assert!(again.reviews.iter().next().is_some_and(|r| r.uncommitted));
        // `b` read again (another document, though with the same text): worked out again.
        let mut reread = documents.clone();
        reread[1] = Arc::new((*documents[1]).clone());
        assert_eq!(
            due(&resolve_with(
                SITE,
                &reread,
                Vec::new(),
                &history,
                Some(&earlier),
                &mut diags
            )),
            [true, false]
        );
        // Another as-of date: nothing is taken as it was.
        let mut later = history.clone();
        later.source.as_of = Some(jiff::civil::date(2025, 7, 1));
        assert_eq!(
            due(&resolve_with(
                SITE,
                &documents,
                Vec::new(),
                &later,
                Some(&earlier),
                &mut diags
            )),
            [false, false]
        );
    }

    fn titles(hb: &Handbook, list: &[DocIx]) -> Vec<String> {
        list.iter()
            .map(|&i| hb.documents[i].title.to_string())
            .collect()
    }

    #[test]
    fn implements_and_links_become_both_directions_sorted_by_title() {
        let (hb, diags) = handbook(
            &[
                (
                    "policies/p.md",
                    "---\ntitle: Policy\nowner: O\nreview: annual\n---\n## Scope\n",
                ),
                (
                    "policies/z.md",
                    "---\ntitle: Zulu Procedure\nkind: procedure\nreview: annual\nimplements: p\n---\nSee [the policy](p.md#scope).\n",
                ),
                (
                    "policies/a.md",
                    "---\ntitle: Alpha Standard\nkind: standard\nreview: annual\nimplements: [p]\n---\nSee policy:p and [it](policy:p).\n",
                ),
            ],
            SITE,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let p = hb.document_index("p").unwrap();
        assert_eq!(
            titles(&hb, &hb.refs[p].implemented_by),
            ["Alpha Standard", "Zulu Procedure"]
        );
        assert_eq!(
            titles(&hb, &hb.refs[p].referenced_by),
            ["Alpha Standard", "Zulu Procedure"]
        );
        let z = hb.document_index("z").unwrap();
        assert_eq!(
            hb.refs[z].links,
            [Href::Site("documents/p.html#scope".into())]
        );
        assert_eq!(titles(&hb, &hb.refs[z].implements), ["Policy"]);
    }

    #[test]
    fn duplicate_ids_self_implementation_and_unknown_ids_are_errors() {
        let (_, diags) = handbook(
            &[
                (
                    "policies/a.md",
                    "---\nid: same\ntitle: A\nowner: O\nreview: annual\nimplements: [same, tagret]\n---\n",
                ),
                (
                    "policies/b.md",
                    "---\nid: same\ntitle: B\nowner: O\nreview: annual\n---\n",
                ),
                (
                    "policies/target.md",
                    "---\ntitle: T\nowner: O\nreview: annual\ncontrols: [CC6.9]\n---\n",
                ),
            ],
            SITE,
        );
        let got: Vec<(String, Option<usize>, &str)> = diags
            .iter()
            .map(|d| {
                (
                    d.file.as_ref().unwrap().display().to_string(),
                    d.line,
                    d.message.as_str(),
                )
            })
            .collect();
        assert_eq!(got.len(), 4, "{got:#?}");
        // Both on the `implements` line of a.md (sorted by message there).
        assert_eq!((got[0].0.as_str(), got[0].1), ("policies/a.md", Some(6)));
        assert_eq!((got[1].0.as_str(), got[1].1), ("policies/a.md", Some(6)));
        assert!(got[0].2.contains("names `tagret`"));
        assert!(diags[0].hint.as_deref().unwrap().contains("`target`"));
        assert!(got[1].2.contains("cannot implement itself"));
        assert_eq!((got[2].0.as_str(), got[2].1), ("policies/b.md", Some(3)));
        assert!(got[2].2.contains("already used by policies/a.md"));
        assert!(got[3].2.contains("unknown control `CC6.9`"));
    }

    #[test]
    fn a_wrong_default_framework_is_not_blamed_on_documents() {
        let (_, diags) = handbook(
            &[(
                "policies/a.md",
                "---\ntitle: A\nowner: O\nreview: annual\ncontrols: [CC6.1]\n---\n",
            )],
            "title = \"T\"\n[scope]\nframework = \"soc3\"\n",
        );
        assert!(
            diags
                .iter()
                .all(|d| d.file.as_deref() != Some(std::path::Path::new("policies/a.md"))),
            "{diags:?}"
        );
    }
}
