//! The trace: for every criterion of the catalog, the documents and sections that cover it, and the
//! in-scope criteria nothing covers (the gaps). Only published documents count as coverage;
//! drafts and retired documents that map a criterion are listed separately.
//!
//! With a control register, the chain is criterion ← the organisation's controls (their
//! `criteria`) ← documents and sections (their `controls`). A criterion is then covered only by an
//! implemented control of the organisation's that a published document or section describes;
//! documents that map the criterion directly, with no control, leave it "documented only".
//!
//! The scope of `site.toml` weighs in: an excluded criterion is "not applicable"; one that a
//! subservice's controls (CSOCs) map relies on them, which holds only while the control that
//! monitors that subservice is in operation. Dates count: a document whose `effective` date, or a
//! control whose `since`, is after the as-of date covers nothing yet, nor does a control whose
//! `until` has passed.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::register::{ControlStatus, RegControl, Responsibility};
use crate::model::{ControlIx, DocIx, Document, IxVec, RegIx, Status};

/// Where an in-scope criterion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CriterionStatus {
    /// Met: by an implemented, documented control of the organisation's (or, without a register,
    /// by a published document or section).
    Covered,
    /// Met with the controls of a subservice organisation (CSOCs) whose report the organisation
    /// monitors.
    CoveredWithCsocs,
    /// Controls of the register map it, but none is implemented, the organisation's and
    /// documented: planned, partial, undocumented, or someone else's.
    Incomplete,
    /// Documents map it directly, but no control of the register does.
    DocumentedOnly,
    /// Not met directly, but a criterion of another framework that a crosswalk says covers
    /// all of it (`equal-to`, `equivalent-to`, `superset-of`) is met. Never counted as direct.
    CoveredViaCrosswalk,
    /// Nothing meets it directly, and a crosswalk names only criteria that meet part of it
    /// (`subset-of`, `intersects-with`): still a gap.
    PartialViaCrosswalk,
    /// Nothing meets it, or it relies on a subservice nothing of ours monitors.
    Gap,
    /// Excluded in `[[scope.exclusions]]`, with the reason.
    NotApplicable,
    /// Not in the audit's scope.
    OutOfScope,
}

impl CriterionStatus {
    /// How pages say it.
    pub fn label(self) -> &'static str {
        match self {
            CriterionStatus::Covered => "covered",
            CriterionStatus::CoveredWithCsocs => "covered, relies on CSOCs",
            CriterionStatus::Incomplete => "no control in operation",
            CriterionStatus::DocumentedOnly => "documented only",
            CriterionStatus::CoveredViaCrosswalk => "covered via crosswalk",
            CriterionStatus::PartialViaCrosswalk => "gap, partial via crosswalk",
            CriterionStatus::Gap => "gap",
            CriterionStatus::NotApplicable => "not applicable",
            CriterionStatus::OutOfScope => "out of scope",
        }
    }

    /// As the exports write it (the serialised form): `documented-only`.
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionStatus::Covered => "covered",
            CriterionStatus::CoveredWithCsocs => "covered-with-csocs",
            CriterionStatus::Incomplete => "incomplete",
            CriterionStatus::DocumentedOnly => "documented-only",
            CriterionStatus::CoveredViaCrosswalk => "covered-via-crosswalk",
            CriterionStatus::PartialViaCrosswalk => "partial-via-crosswalk",
            CriterionStatus::Gap => "gap",
            CriterionStatus::NotApplicable => "not-applicable",
            CriterionStatus::OutOfScope => "out-of-scope",
        }
    }

    /// Nothing meets it: a gap, even when a crosswalk meets part of it.
    pub fn is_gap(self) -> bool {
        matches!(
            self,
            CriterionStatus::Gap | CriterionStatus::PartialViaCrosswalk
        )
    }

    /// Met directly, with or without CSOCs (not via a crosswalk).
    pub fn is_covered(self) -> bool {
        matches!(
            self,
            CriterionStatus::Covered | CriterionStatus::CoveredWithCsocs
        )
    }
}

/// A criterion of another framework that a crosswalk maps onto this one, and is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Via {
    /// Index into the catalog's crosswalks.
    pub crosswalk: usize,
    /// The source criterion, met directly.
    pub source: ControlIx,
    /// How it relates to this one.
    pub relationship: crate::catalog::Relationship,
}

/// One piece of evidence: a document as a whole, or one of its sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Per control of the register: the published documents and sections that describe it.
    pub documented_by: IxVec<RegIx, Vec<Coverage>>,
    /// Per control of the register: drafts and retired documents that name it.
    pub documented_unpublished: IxVec<RegIx, Vec<Coverage>>,
    /// Per criterion: the controls of the register that map it, in register order.
    pub controls: IxVec<ControlIx, Vec<RegIx>>,
    /// Per criterion: where it stands.
    pub status: IxVec<ControlIx, CriterionStatus>,
    /// Per criterion: the `[[scope.exclusions]]` entry that excludes it.
    pub excluded: IxVec<ControlIx, Option<usize>>,
    /// Per criterion: the subservices (indices into `[[subservice]]`) whose controls it relies
    /// on, each monitored by a control of ours in operation.
    pub relies_on: IxVec<ControlIx, Vec<usize>>,
    /// Per criterion: the subservices it relies on that nothing of ours in operation monitors.
    pub unsupported: IxVec<ControlIx, Vec<usize>>,
    /// Per criterion: met criteria of other frameworks that enabled crosswalks map onto it
    /// (shown beside, never counted as, direct coverage).
    pub via: IxVec<ControlIx, Vec<Via>>,
    /// Published documents whose `effective` date is after the as-of date: they cover nothing yet
    /// (their mappings are with the unpublished ones).
    pub not_yet_effective: Vec<DocIx>,
    /// Per `[[subservice]]`: its `monitored_by` control meets its criteria (implemented, in
    /// operation, documented), so relying on the subservice's controls holds.
    pub monitored: Vec<bool>,
    /// The date statuses are computed at (`None` outside git without `--as-of`: dates then do
    /// not hold anything back).
    pub as_of: Option<Date>,
}

/// What the trace is built from.
pub(crate) struct TraceInputs<'a> {
    pub(crate) config: &'a Config,
    pub(crate) catalog: &'a Catalog,
    pub(crate) documents: &'a IxVec<DocIx, Arc<Document>>,
    pub(crate) register: &'a IxVec<RegIx, RegControl>,
    pub(crate) register_ids: &'a HashMap<String, RegIx>,
    /// Per criterion: the exclusion that makes it not applicable.
    pub(crate) excluded: IxVec<ControlIx, Option<usize>>,
    /// The date statuses are computed at.
    pub(crate) as_of: Option<Date>,
}

/// Whether a criterion is in the audit: its framework is the default one or declared in
/// `[frameworks]`, its profile selects it, it is not withdrawn, and (SOC 2) its category is in
/// `[scope] categories`.
fn in_audit(config: &Config, catalog: &Catalog, c: &crate::catalog::Control) -> bool {
    let Some(f) = catalog.framework(&c.framework) else {
        return false;
    };
    let audited = c.framework == config.scope.framework || config.frameworks.contains_key(&f.id);
    audited
        && c.selected
        && !c.withdrawn
        && (!f.scoped_by_category || config.category_in_scope(&c.category))
}

/// Crosswalks carry coverage onto criteria nothing meets directly: a met source that covers
/// all of the target makes it "covered via crosswalk"; one that covers part of a gap makes it
/// "partial via crosswalk", still a gap. Sources count only when met directly, so coverage
/// never travels two crosswalks.
fn apply_crosswalks(
    catalog: &Catalog,
    in_scope: &IxVec<ControlIx, bool>,
    status: &mut IxVec<ControlIx, CriterionStatus>,
) -> IxVec<ControlIx, Vec<Via>> {
    let mut via: IxVec<ControlIx, Vec<Via>> = IxVec::filled(catalog.len(), Vec::new());
    for (n, x) in catalog.crosswalks.iter().enumerate() {
        if !x.enabled {
            continue;
        }
        for m in &x.maps {
            let (Some(source), Some(target)) = (
                catalog.position(&x.from, &m.source),
                catalog.position(&x.to, &m.target),
            ) else {
                continue;
            };
            if in_scope[target] && status[source].is_covered() {
                let v = Via {
                    crosswalk: n,
                    source,
                    relationship: m.relationship,
                };
                if !via[target].contains(&v) {
                    via[target].push(v);
                }
            }
        }
    }
    for p in catalog.positions() {
        let full = via[p].iter().any(|v| v.relationship.carries_coverage());
        let partial = via[p].iter().any(|v| v.relationship.is_partial());
        status[p] = match status[p] {
            CriterionStatus::Gap
            | CriterionStatus::Incomplete
            | CriterionStatus::DocumentedOnly
                if full =>
            {
                CriterionStatus::CoveredViaCrosswalk
            }
            CriterionStatus::Gap if partial => CriterionStatus::PartialViaCrosswalk,
            s => s,
        };
    }
    via
}

/// Whether `date` has come by `as_of` (always, when there is no as-of date).
fn has_come(date: Date, as_of: Option<Date>) -> bool {
    as_of.is_none_or(|a| date <= a)
}

/// A control meets its criteria: the organisation's, implemented, in effect and described by a
/// published document or section.
fn meets(c: &RegControl, documented_by: &[Coverage], as_of: Option<Date>) -> bool {
    c.responsibility == Responsibility::Organization
        && c.status == ControlStatus::Implemented
        && in_effect(c, as_of)
        && !documented_by.is_empty()
}

/// A control operates on the as-of date: started (`since`) and not ended (`until`).
pub fn in_effect(c: &RegControl, as_of: Option<Date>) -> bool {
    c.since.is_none_or(|s| has_come(s.value, as_of))
        && c.until.is_none_or(|u| as_of.is_none_or(|a| a <= u.value))
}

impl Trace {
    /// The trace of `documents` against `catalog`; a warning for the gaps unless `[scope] gaps = "allow"`.
    pub(crate) fn build(inputs: TraceInputs<'_>, diags: &mut Diagnostics) -> Trace {
        let TraceInputs {
            config,
            catalog,
            documents,
            register,
            register_ids,
            excluded,
            as_of,
        } = inputs;
        let n = catalog.len();
        let mut not_yet_effective = Vec::new();
        let mut covered_by = IxVec::filled(n, Vec::new());
        let mut not_published = IxVec::filled(n, Vec::new());
        let mut documented_by = IxVec::filled(register.len(), Vec::new());
        let mut documented_unpublished = IxVec::filled(register.len(), Vec::new());
        let mut order: Vec<DocIx> = documents.indices().collect();
        order.sort_by(|&a, &b| documents[a].id.cmp(&documents[b].id).then(a.cmp(&b)));
        for &di in &order {
            let doc = &documents[di];
            let mut published = doc.status == Status::Published;
            if published
                && let Some(e) = doc.effective
                && !has_come(e.value, as_of)
            {
                published = false;
                not_yet_effective.push(di);
                if let Some(a) = as_of {
                    diags.push(
                        Diagnostic::warning(format!(
                            "not yet effective: `effective` is {}, after the as-of date {a}, so this document covers nothing yet",
                            e.value
                        ))
                        .at_line(&doc.display_path, &doc.source, e.line)
                        .hint("it counts from that date on; if it is already in force, correct the date"),
                    );
                }
            }
            let whole = doc.controls.iter().map(|r| (r, None));
            let sections = doc
                .sections
                .iter()
                .enumerate()
                .flat_map(|(si, s)| s.controls.iter().map(move |r| (r, Some(si))));
            for (r, section) in whole.chain(sections) {
                let c = Coverage {
                    document: di,
                    section,
                };
                if super::names_register_control(r, register_ids) {
                    let k = register_ids[&r.id];
                    let target = if published {
                        &mut documented_by
                    } else {
                        &mut documented_unpublished
                    };
                    push_once(&mut target[k], c);
                } else if let Some(p) = catalog.position(&r.framework, &r.id) {
                    let target = if published {
                        &mut covered_by
                    } else {
                        &mut not_published
                    };
                    push_once(&mut target[p], c);
                }
            }
        }
        let mut controls: IxVec<ControlIx, Vec<RegIx>> = IxVec::filled(n, Vec::new());
        for (k, c) in register.iter_enumerated() {
            for r in &c.criteria {
                if let Some(p) = catalog.position(&r.framework, &r.id)
                    && !controls[p].contains(&k)
                {
                    controls[p].push(k);
                }
            }
        }
        let in_scope: IxVec<ControlIx, bool> = catalog
            .positions()
            .map(|p| in_audit(config, catalog, catalog.at(p)))
            .collect();
        let meets = |k: RegIx| meets(&register[k], &documented_by[k], as_of);
        // Relying on a subservice's controls holds while the control that reviews its report does.
        let monitored: Vec<bool> = config
            .subservice
            .iter()
            .map(|s| {
                s.monitored_by
                    .as_ref()
                    .and_then(|id| register_ids.get(id))
                    .is_some_and(|&k| meets(k))
            })
            .collect();
        let mut relies_on: IxVec<ControlIx, Vec<usize>> = IxVec::filled(n, Vec::new());
        let mut unsupported: IxVec<ControlIx, Vec<usize>> = IxVec::filled(n, Vec::new());
        for p in catalog.positions() {
            for &k in &controls[p] {
                let c = &register[k];
                let Responsibility::Subservice(name) = &c.responsibility else {
                    continue;
                };
                let Some(si) = config.subservice.iter().position(|s| &s.name == name) else {
                    continue;
                };
                if c.status != ControlStatus::Implemented || !in_effect(c, as_of) {
                    continue;
                }
                let list = if monitored[si] {
                    &mut relies_on[p]
                } else {
                    &mut unsupported[p]
                };
                if !list.contains(&si) {
                    list.push(si);
                }
            }
        }
        let mut status: IxVec<ControlIx, CriterionStatus> = catalog
            .positions()
            .map(|p| {
                if !in_scope[p] {
                    CriterionStatus::OutOfScope
                } else if excluded[p].is_some() {
                    CriterionStatus::NotApplicable
                } else if register.is_empty() {
                    if covered_by[p].is_empty() {
                        CriterionStatus::Gap
                    } else {
                        CriterionStatus::Covered
                    }
                } else if !unsupported[p].is_empty() {
                    CriterionStatus::Gap
                } else if !relies_on[p].is_empty() {
                    CriterionStatus::CoveredWithCsocs
                } else if controls[p].iter().any(|&k| meets(k)) {
                    CriterionStatus::Covered
                } else if !controls[p].is_empty() {
                    CriterionStatus::Incomplete
                } else if !covered_by[p].is_empty() {
                    CriterionStatus::DocumentedOnly
                } else {
                    CriterionStatus::Gap
                }
            })
            .collect();
        let via = apply_crosswalks(catalog, &in_scope, &mut status);
        let gaps: Vec<ControlIx> = catalog
            .positions()
            .filter(|&p| status[p].is_gap())
            .collect();
        if config.scope.gaps == crate::config::GapPolicy::Warn {
            // Gaps from an unmonitored subservice get their own warning, below, at its entry.
            let unmet: Vec<ControlIx> = gaps
                .iter()
                .copied()
                .filter(|&p| unsupported[p].is_empty())
                .collect();
            if !unmet.is_empty() {
                diags.push(gap_warning(
                    config,
                    catalog,
                    documents,
                    &unmet,
                    &not_published,
                    !register.is_empty(),
                ));
            }
            let with = |s: CriterionStatus| -> Vec<ControlIx> {
                catalog.positions().filter(|&p| status[p] == s).collect()
            };
            let documented_only = with(CriterionStatus::DocumentedOnly);
            if !documented_only.is_empty() {
                diags.push(documented_only_warning(config, catalog, &documented_only));
            }
            let incomplete = with(CriterionStatus::Incomplete);
            if !incomplete.is_empty() {
                diags.push(incomplete_warning(
                    config,
                    catalog,
                    register,
                    &documented_by,
                    &controls,
                    &incomplete,
                    as_of,
                ));
            }
        }
        for (si, s) in config.subservice.iter().enumerate() {
            let needing: Vec<&str> = catalog
                .positions()
                .filter(|&p| unsupported[p].contains(&si) && in_scope[p])
                .map(|p| catalog.at(p).id.as_str())
                .collect();
            if needing.is_empty() {
                continue;
            }
            let why = match s.monitored_by.as_ref() {
                None => "it has no `monitored_by` control".to_string(),
                Some(id) => match register_ids.get(id) {
                    None => format!("`monitored_by` names `{id}`, which is not in the register"),
                    Some(&k) => format!(
                        "its monitoring control {id} is not in operation ({})",
                        control_state(&register[k], &documented_by[k], as_of)
                    ),
                },
            };
            diags.push(
                config
                    .at_line(
                        Diagnostic::warning(format!(
                            "gap: {} rel{} on the controls of subservice `{}`, but {why}",
                            needing.join(", "),
                            if needing.len() == 1 { "ies" } else { "y" },
                            s.name
                        )),
                        config.line_in(&s.lines, "monitored_by"),
                    )
                    .hint("a carve-out holds only while a control of ours reviews the subservice's report: implement and document that control (e.g. the vendor review)"),
            );
        }
        for p in catalog.positions() {
            let Some(e) = excluded[p] else { continue };
            let by: Vec<String> = controls[p]
                .iter()
                .map(|&k| register[k].id.value.clone())
                .chain(
                    covered_by[p]
                        .iter()
                        .map(|c| documents[c.document].id.clone()),
                )
                .collect();
            if by.is_empty() {
                continue;
            }
            let id = &catalog.at(p).id;
            let lines = &config.scope.exclusions[e].lines;
            diags.push(
                config
                    .at_line(
                        Diagnostic::warning(format!(
                            "`{id}` is excluded as not applicable, but {} map{} it",
                            by.join(", "),
                            if by.len() == 1 { "s" } else { "" }
                        )),
                        config.line_with(lines, id),
                    )
                    .hint("an auditor asks why a criterion that does not apply has controls: remove the exclusion, or the mappings"),
            );
        }
        for (k, c) in register.iter_enumerated() {
            if let Some(since) = c.since
                && !has_come(since.value, as_of)
                && let Some(a) = as_of
            {
                diags.push(
                    Diagnostic::warning(format!(
                        "control `{}` operates from {}, after the as-of date {a}: it meets no criterion yet",
                        c.id.value, since.value
                    ))
                    .at_line(&c.file, &c.source, since.line)
                    .hint("it counts from that date on; if it already operates, correct `since`"),
                );
            }
            if c.status != ControlStatus::Retired
                && c.responsibility == Responsibility::Organization
                && documented_by[k].is_empty()
            {
                diags.push(
                    Diagnostic::warning(format!(
                        "control `{}` is described by no published document or section",
                        c.id.value
                    ))
                    .at_line(&c.file, &c.source, c.id.line)
                    .pointing_at(&c.id.value)
                    .hint(format!(
                        "name it where the policy or procedure says how it is done: `controls: [{id}]` in the front matter, or `{{controls={id}}}` on the section's heading",
                        id = c.id.value
                    )),
                );
            }
        }
        Trace {
            covered_by,
            not_published,
            in_scope,
            gaps,
            documented_by,
            documented_unpublished,
            controls,
            status,
            excluded,
            relies_on,
            unsupported,
            via,
            not_yet_effective,
            monitored,
            as_of,
        }
    }

    /// Number of in-scope criteria that apply: excluded ones (not applicable) are not counted,
    /// so "covered of in scope" reads as a proportion of what the audit tests.
    pub fn in_scope_count(&self) -> usize {
        self.in_scope.iter().filter(|&&b| b).count() - self.not_applicable_count()
    }

    /// The criteria `[[scope.exclusions]]` entry `n` excludes, in catalog order.
    pub fn excluded_by(&self, n: usize) -> impl Iterator<Item = ControlIx> + '_ {
        self.excluded
            .iter_enumerated()
            .filter(move |(_, e)| **e == Some(n))
            .map(|(p, _)| p)
    }

    /// Number of in-scope criteria excluded as not applicable.
    pub fn not_applicable_count(&self) -> usize {
        self.status
            .iter()
            .filter(|&&s| s == CriterionStatus::NotApplicable)
            .count()
    }

    /// Number of in-scope criteria covered (see `CriterionStatus::Covered`).
    pub fn covered_in_scope_count(&self) -> usize {
        self.status.iter().filter(|s| s.is_covered()).count()
    }
}

/// Adds `c` unless the list has it. Documents are visited one after another, so a repeat can
/// only be among the entries of `c`'s own document at the end of the list: looking only there
/// keeps a criterion that thousands of documents map from costing the square of their number.
fn push_once(list: &mut Vec<Coverage>, c: Coverage) {
    let seen = list
        .iter()
        .rev()
        .take_while(|x| x.document == c.document)
        .any(|x| *x == c);
    if !seen {
        list.push(c);
    }
}

/// With a register: criteria that documents map but no control does.
fn documented_only_warning(config: &Config, catalog: &Catalog, list: &[ControlIx]) -> Diagnostic {
    let ids: Vec<String> = list
        .iter()
        .map(|&p| {
            let c = catalog.at(p);
            format!("{} ({})", shown_id(config, c), c.title)
        })
        .collect();
    Diagnostic::warning(format!(
        "documented only: {} in-scope criteri{} mapped by documents but by no control of the register: {}",
        list.len(),
        if list.len() == 1 { "on is" } else { "a are" },
        ids.join(", ")
    ))
    .at(&config.path, config.key_line("categories"))
    .hint("an auditor tests controls, not documents: add `criteria: [ID]` to the control of controls.yaml that meets each one (or a new control)")
}

/// With a register: criteria whose controls are not all there yet.
fn incomplete_warning(
    config: &Config,
    catalog: &Catalog,
    register: &IxVec<RegIx, RegControl>,
    documented_by: &IxVec<RegIx, Vec<Coverage>>,
    controls: &IxVec<ControlIx, Vec<RegIx>>,
    list: &[ControlIx],
    as_of: Option<Date>,
) -> Diagnostic {
    let items: Vec<String> = list
        .iter()
        .map(|&p| {
            let why: Vec<String> = controls[p]
                .iter()
                .map(|&k| {
                    let c = &register[k];
                    format!(
                        "{} {}",
                        c.id.value,
                        control_state(c, &documented_by[k], as_of)
                    )
                })
                .collect();
            format!("{} ({})", shown_id(config, catalog.at(p)), why.join(", "))
        })
        .collect();
    Diagnostic::warning(format!(
        "no control in operation: {} in-scope criteri{} met by no implemented, documented control of the organisation's: {}",
        list.len(),
        if list.len() == 1 { "on is" } else { "a are" },
        items.join(", ")
    ))
    .at(&config.path, config.key_line("categories"))
    .hint("a criterion is met once one of its controls is `status: implemented` and a published document or section names it")
}

/// How one framework stands: the counts of its criteria in the audit, by status.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkSummary {
    /// Its key (`iso27001`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its catalog: a built-in key or a file.
    pub catalog: String,
    /// Criteria in the audit (not applicable ones included).
    pub in_scope: usize,
    /// Met directly, by our controls or with CSOCs.
    pub covered: usize,
    /// Met only via a crosswalk.
    pub covered_via_crosswalk: usize,
    /// Mapped, but by no control in operation, or by documents only.
    pub incomplete: usize,
    /// Gaps, partial-via-crosswalk ones included.
    pub gaps: usize,
    /// Excluded as not applicable.
    pub not_applicable: usize,
}

impl super::Handbook {
    /// Each framework of the catalog with its counts, in catalog order.
    pub fn framework_summaries(&self) -> Vec<FrameworkSummary> {
        let mut out: Vec<FrameworkSummary> = self
            .catalog
            .frameworks
            .iter()
            .map(|f| FrameworkSummary {
                id: f.id.clone(),
                name: f.name.clone(),
                catalog: f.catalog.clone(),
                in_scope: 0,
                covered: 0,
                covered_via_crosswalk: 0,
                incomplete: 0,
                gaps: 0,
                not_applicable: 0,
            })
            .collect();
        for p in self.catalog.positions() {
            let c = self.catalog.at(p);
            let Some(s) = out.iter_mut().find(|s| s.id == c.framework) else {
                continue;
            };
            if !self.trace.in_scope[p] {
                continue;
            }
            s.in_scope += 1;
            match self.trace.status[p] {
                x if x.is_covered() => s.covered += 1,
                x if x.is_gap() => s.gaps += 1,
                CriterionStatus::CoveredViaCrosswalk => s.covered_via_crosswalk += 1,
                CriterionStatus::NotApplicable => s.not_applicable += 1,
                _ => s.incomplete += 1,
            }
        }
        out
    }

    /// Why criterion `p` has its status, in one sentence an auditor can check against the
    /// register, the documents and site.toml.
    pub fn status_reason(&self, p: ControlIx) -> String {
        self.reason(p)
    }

    /// `soc2:CC6.1 is equivalent-to it (crosswalks/soc2-iso.yaml)`, for the met criteria that
    /// carry coverage (`full`) or only part of it.
    fn via_listing(&self, p: ControlIx, full: bool) -> String {
        let items: Vec<String> = self.trace.via[p]
            .iter()
            .filter(|v| {
                if full {
                    v.relationship.carries_coverage()
                } else {
                    v.relationship.is_partial()
                }
            })
            .map(|v| {
                let s = self.catalog.at(v.source);
                let x = &self.catalog.crosswalks[v.crosswalk];
                format!(
                    "{}:{} ({}) is {} it in {}",
                    s.framework,
                    s.id,
                    self.trace.status[v.source].label(),
                    v.relationship.as_str(),
                    x.file
                )
            })
            .collect();
        listing(items)
    }

    fn reason(&self, p: ControlIx) -> String {
        let t = &self.trace;
        let c = self.catalog.at(p);
        let ids = |list: &[RegIx]| -> String {
            listing(
                list.iter()
                    .map(|&k| self.register[k].id.value.clone())
                    .collect(),
            )
        };
        let names = |list: &[usize]| -> String {
            list.iter()
                .map(|&s| self.config.subservice[s].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let meeting: Vec<RegIx> = t.controls[p]
            .iter()
            .copied()
            .filter(|&k| meets(&self.register[k], &t.documented_by[k], t.as_of))
            .collect();
        let places = |n: usize| {
            if n == 1 {
                "1 published document or section".to_string()
            } else {
                format!("{n} published documents or sections")
            }
        };
        match t.status[p] {
            CriterionStatus::OutOfScope
                if c.framework != self.config.scope.framework
                    && !self.config.frameworks.contains_key(&c.framework) =>
            {
                format!(
                    "{} is not in the audit: only {} and the frameworks of [frameworks] are.",
                    c.framework, self.config.scope.framework
                )
            }
            CriterionStatus::OutOfScope if c.withdrawn => format!(
                "Withdrawn from the catalog{}.",
                if c.replaced_by.is_empty() {
                    String::new()
                } else {
                    format!(" (now {})", c.replaced_by.join(", "))
                }
            ),
            CriterionStatus::OutOfScope if !c.selected => format!(
                "Not selected by the profile of [frameworks.{}].",
                c.framework
            ),
            CriterionStatus::OutOfScope => format!(
                "The {} category is not in the audit's scope ([scope] categories).",
                c.category
            ),
            CriterionStatus::NotApplicable => {
                let e = t.excluded[p].map(|e| &self.config.scope.exclusions[e]);
                format!(
                    "Excluded as not applicable: {}",
                    e.map(|e| e.reason.trim()).unwrap_or_default()
                )
            }
            CriterionStatus::Covered if self.register.is_empty() => {
                format!("Covered by {}.", places(t.covered_by[p].len()))
            }
            CriterionStatus::Covered => format!(
                "Met by {}: implemented, in operation and described by a published document.",
                ids(&meeting)
            ),
            CriterionStatus::CoveredWithCsocs => {
                let monitors: Vec<String> = t.relies_on[p]
                    .iter()
                    .filter_map(|&s| self.config.subservice[s].monitored_by.clone())
                    .collect();
                let theirs = format!(
                    "the controls of subservice {} (carve-out), whose report {} reviews",
                    names(&t.relies_on[p]),
                    monitors.join(", ")
                );
                if meeting.is_empty() {
                    format!("Met by {theirs}.")
                } else {
                    format!("Met by {} together with {theirs}.", ids(&meeting))
                }
            }
            CriterionStatus::Incomplete => {
                let states: Vec<String> = t.controls[p]
                    .iter()
                    .map(|&k| {
                        let r = &self.register[k];
                        format!(
                            "{} ({})",
                            r.id.value,
                            control_state(r, &t.documented_by[k], t.as_of)
                        )
                    })
                    .collect();
                format!(
                    "Mapped by {}: none is an implemented, documented control of the organisation's in operation.",
                    listing(states)
                )
            }
            CriterionStatus::DocumentedOnly => {
                let n = t.covered_by[p].len();
                format!(
                    "{} map{} it, but no control of the register does.",
                    places(n),
                    if n == 1 { "s" } else { "" }
                )
            }
            CriterionStatus::CoveredViaCrosswalk => format!(
                "Not met directly; covered via crosswalk: {}.",
                self.via_listing(p, true)
            ),
            CriterionStatus::PartialViaCrosswalk => format!(
                "A gap: nothing meets it directly, and the crosswalk only meets part of it: {}.",
                self.via_listing(p, false)
            ),
            CriterionStatus::Gap if !t.unsupported[p].is_empty() => format!(
                "Relies on the controls of subservice {}, but no control of ours in operation reviews its report.",
                names(&t.unsupported[p])
            ),
            CriterionStatus::Gap if self.register.is_empty() => {
                "In scope, and no published document or section covers it.".to_string()
            }
            CriterionStatus::Gap => {
                "In scope, and no control meets it and no published document maps it.".to_string()
            }
        }
    }
}

/// How many items a reason names before it says "and N more": a criterion that 40 controls
/// meet gets a sentence, not a paragraph (every id is on the criterion's page).
const NAMED: usize = 6;

/// `a, b, c and 4 more`.
fn listing(items: Vec<String>) -> String {
    if items.len() <= NAMED {
        items.join(", ")
    } else {
        format!(
            "{} and {} more",
            items[..NAMED].join(", "),
            items.len() - NAMED
        )
    }
}

/// Why a control does or does not meet its criteria, in a few words: `planned`, `undocumented`,
/// `from 2026-01-01`, `customer`…
pub fn control_state(c: &RegControl, documented_by: &[Coverage], as_of: Option<Date>) -> String {
    if c.responsibility != Responsibility::Organization {
        c.responsibility.to_string()
    } else if c.status != ControlStatus::Implemented {
        c.status.to_string()
    } else if let Some(s) = c.since.filter(|s| !has_come(s.value, as_of)) {
        format!("from {}", s.value)
    } else if let Some(u) = c.until.filter(|_| !in_effect(c, as_of)) {
        format!("ended {}", u.value)
    } else if documented_by.is_empty() {
        "undocumented".to_string()
    } else {
        c.status.to_string()
    }
}

/// One warning for all gaps (a list of 30 identical warnings helps nobody), naming each control
/// and the unpublished documents that would close it.
/// A criterion's id as messages show it: bare for the default framework, `iso27001:A.5.1` for
/// another.
fn shown_id(config: &Config, c: &crate::catalog::Control) -> String {
    if c.framework == config.scope.framework {
        c.id.clone()
    } else {
        format!("{}:{}", c.framework, c.id)
    }
}

fn gap_warning(
    config: &Config,
    catalog: &Catalog,
    documents: &IxVec<DocIx, Arc<Document>>,
    gaps: &[ControlIx],
    not_published: &IxVec<ControlIx, Vec<Coverage>>,
    with_register: bool,
) -> Diagnostic {
    let list: Vec<String> = gaps
        .iter()
        .map(|&p| {
            let c = catalog.at(p);
            let id = shown_id(config, c);
            let drafts: Vec<&str> = not_published[p]
                .iter()
                .map(|c| documents[c.document].id.as_str())
                .collect();
            if drafts.is_empty() {
                format!("{id} ({})", c.title)
            } else {
                format!(
                    "{id} ({}; mapped only by unpublished {})",
                    c.title,
                    drafts.join(", ")
                )
            }
        })
        .collect();
    let d = if with_register {
        Diagnostic::warning(format!(
            "gap: {} in-scope criteri{} met by no control and mapped by no published document: {}",
            gaps.len(),
            if gaps.len() == 1 { "on is" } else { "a are" },
            list.join(", ")
        ))
        .hint(
            "add the control that meets each one to controls.yaml (`criteria: [ID]`) and name it in the document \
             that describes it; or take the category out of [scope] categories in site.toml",
        )
    } else {
        let noun = if gaps.len() == 1 {
            "control is"
        } else {
            "controls are"
        };
        Diagnostic::warning(format!(
            "gap: {} in-scope {noun} covered by no published document: {}",
            gaps.len(),
            list.join(", ")
        ))
        .hint(
            "map each one in the front matter (`controls: [ID]`) of the document that addresses it, or on the \
             heading of the section that does (`## Title {controls=ID}`); publish drafts once approved \
             (`status: published`); or take the category out of [scope] categories in site.toml",
        )
    };
    d.at(&config.path, config.key_line("categories"))
}

#[cfg(test)]
mod tests {
    use super::CriterionStatus;
    use crate::pipeline::resolve::tests::{handbook, handbook_as_of, handbook_with_register};

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
    fn a_document_that_maps_a_control_twice_covers_it_once() {
        let doc = |t: &str| {
            format!(
                "---\ntitle: {t}\nowner: O\nreview: annual\ncontrols: [CC6.1, CC6.1]\n---\n\
                 ## One {{controls=CC6.2,CC6.2}}\n## Two {{controls=CC6.2}}\n"
            )
        };
        let (a_text, b_text) = (doc("A"), doc("B"));
        let (hb, _) = handbook(
            &[("policies/b.md", &b_text), ("policies/a.md", &a_text)],
            SITE,
        );
        let t = &hb.trace;
        let at = |id: &str| hb.catalog.position("soc2", id).unwrap();
        let (a, b) = (
            hb.document_index("a").unwrap(),
            hb.document_index("b").unwrap(),
        );
        let places = |id| {
            t.covered_by[at(id)]
                .iter()
                .map(|c| (c.document, c.section))
                .collect::<Vec<_>>()
        };
        assert_eq!(places("CC6.1"), [(a, None), (b, None)]);
        assert_eq!(
            places("CC6.2"),
            [(a, Some(0)), (a, Some(1)), (b, Some(0)), (b, Some(1))]
        );
    }

    #[test]
    fn allowed_gaps_are_not_warnings() {
        let (hb, diags) = handbook(&[], "title = \"T\"\n[scope]\ngaps = \"allow\"\n");
        assert_eq!(hb.trace.gaps.len(), 33);
        assert!(diags.is_empty(), "{diags:?}");
    }

    const REGISTER: &str = "\
- id: ACC-02
  title: Access review
  statement: Quarterly review of access.
  owner: System owners
  frequency: quarterly
  criteria: [CC6.2, CC6.3]
- id: ACC-09
  title: Access recertification
  statement: Planned.
  owner: HR
  frequency: annual
  status: planned
  criteria: [CC6.3, CC6.4]
- id: LOG-01
  title: Log review
  statement: Weekly.
  owner: SecOps
  frequency: weekly
  criteria: [CC7.2]
";

    #[test]
    fn with_a_register_criteria_are_met_by_documented_implemented_controls() {
        let (hb, diags) = handbook_with_register(
            &[
                (
                    "policies/a.md",
                    "---\ntitle: A\nowner: O\nreview: annual\ncontrols: [CC6.1]\n---\n## Review {controls=ACC-02}\n\nEach quarter.\n",
                ),
                (
                    "policies/d.md",
                    "---\ntitle: D\nowner: O\nstatus: draft\ncontrols: [LOG-01]\n---\n",
                ),
            ],
            REGISTER,
            "title = \"T\"\n",
        );
        let t = &hb.trace;
        let at = |id: &str| hb.catalog.position("soc2", id).unwrap();
        let acc02 = hb.register_ids["ACC-02"];
        assert_eq!(t.documented_by[acc02].len(), 1);
        assert_eq!(t.documented_by[acc02][0].section, Some(0));
        assert_eq!(t.status[at("CC6.2")], CriterionStatus::Covered);
        // ACC-02 covers CC6.3 even though ACC-09, also mapping it, is only planned.
        assert_eq!(t.status[at("CC6.3")], CriterionStatus::Covered);
        assert_eq!(t.status[at("CC6.4")], CriterionStatus::Incomplete);
        // LOG-01 is described only by a draft.
        assert_eq!(t.status[at("CC7.2")], CriterionStatus::Incomplete);
        assert_eq!(t.documented_unpublished[hb.register_ids["LOG-01"]].len(), 1);
        // A document maps CC6.1 directly, and no control does.
        assert_eq!(t.status[at("CC6.1")], CriterionStatus::DocumentedOnly);
        assert_eq!(t.status[at("CC1.1")], CriterionStatus::Gap);
        assert_eq!(t.status[at("A1.1")], CriterionStatus::OutOfScope);
        assert_eq!(t.covered_in_scope_count(), 2);
        assert_eq!(t.controls[at("CC6.3")].len(), 2);

        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("documented only: 1 in-scope criterion")
                    && m.contains("CC6.1")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("no control in operation: 2")
                    && m.contains("CC6.4 (ACC-09 planned)")
                    && m.contains("CC7.2 (LOG-01 undocumented)")),
            "{messages:#?}"
        );
        let undocumented: Vec<(Option<usize>, &str)> = diags
            .iter()
            .filter(|d| d.message.contains("described by no published document"))
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(undocumented.len(), 2, "{undocumented:?}");
        assert_eq!(undocumented[0].0, Some(7));
    }

    #[test]
    fn statuses_follow_the_scope_and_the_as_of_date() {
        let site = "title = \"T\"\n\
            [[scope.exclusions]]\ncriteria = [\"CC2.3\"]\nreason = \"No external parties to inform\"\n\
            [[subservice]]\nname = \"AWS\"\nmonitored_by = \"VND-01\"\n\
            [[subservice]]\nname = \"Colo\"\nmonitored_by = \"VND-02\"\n";
        let entry = |id: &str, extra: &str, criteria: &str| {
            format!(
                "- id: {id}\n  title: T\n  statement: S\n  owner: O\n  frequency: annual\n{extra}  criteria: [{criteria}]\n"
            )
        };
        let register = [
            entry("ACC-02", "", "CC6.2"),
            entry("AWS-PHY", "  responsibility: subservice:AWS\n", "CC6.4"),
            entry("COLO-ENV", "  responsibility: subservice:Colo\n", "CC6.5"),
            entry("VND-01", "", "CC9.2"),
            entry("VND-02", "  status: planned\n", "CC9.2"),
            entry("NEW-01", "  since: 2026-01-01\n", "CC7.1"),
        ]
        .concat();
        let (hb, diags) = handbook_as_of(
            &[
                (
                    "policies/a.md",
                    "---\ntitle: A\nowner: O\nreview: annual\ncontrols: [ACC-02, VND-01, VND-02, NEW-01, CC2.3]\n---\n",
                ),
                (
                    "policies/b.md",
                    "---\ntitle: B\nowner: O\nreview: annual\neffective: 2026-02-01\ncontrols: [CC8.1]\n---\n",
                ),
            ],
            &register,
            site,
            Some("2025-06-01"),
        );
        let t = &hb.trace;
        let at = |id: &str| hb.catalog.position("soc2", id).unwrap();
        assert_eq!(t.status[at("CC6.2")], CriterionStatus::Covered);
        assert_eq!(t.status[at("CC6.4")], CriterionStatus::CoveredWithCsocs);
        assert_eq!(t.relies_on[at("CC6.4")], [0]);
        // Colo's monitoring control is only planned: relying on it is a gap.
        assert_eq!(t.status[at("CC6.5")], CriterionStatus::Gap);
        assert_eq!(t.unsupported[at("CC6.5")], [1]);
        assert_eq!(t.status[at("CC2.3")], CriterionStatus::NotApplicable);
        assert!(!t.gaps.contains(&at("CC2.3")));
        // NEW-01 starts after the as-of date; B takes effect after it.
        assert_eq!(t.status[at("CC7.1")], CriterionStatus::Incomplete);
        assert_eq!(t.status[at("CC8.1")], CriterionStatus::Gap);
        let b = hb.document_index("b").unwrap();
        assert_eq!(t.not_yet_effective, [b]);
        assert_eq!(t.not_published[at("CC8.1")][0].document, b);
        assert_eq!(
            CriterionStatus::CoveredWithCsocs.as_str(),
            "covered-with-csocs"
        );
        assert_eq!(
            serde_json::to_value(CriterionStatus::NotApplicable).unwrap(),
            CriterionStatus::NotApplicable.as_str()
        );

        let says = |needle: &str| {
            diags
                .iter()
                .find(|d| d.message.contains(needle))
                .unwrap_or_else(|| panic!("no `{needle}` in {diags:#?}"))
        };
        let colo = says("gap: CC6.5 relies on the controls of subservice `Colo`");
        assert!(
            colo.message
                .contains("VND-02 is not in operation (planned)")
        );
        assert_eq!(colo.line, Some(10));
        assert_eq!(
            says("`CC2.3` is excluded as not applicable, but a maps it").line,
            Some(3)
        );
        let b_warning = says("not yet effective: `effective` is 2026-02-01");
        assert_eq!(b_warning.line, Some(5));
        assert!(
            says("no control in operation")
                .message
                .contains("NEW-01 from 2026-01-01")
        );
        says("control `NEW-01` operates from 2026-01-01, after the as-of date 2025-06-01");
        // Without an as-of date (outside git), dates hold nothing back.
        let (hb, _) = handbook_as_of(
            &[(
                "policies/b.md",
                "---\ntitle: B\nowner: O\neffective: 2026-02-01\ncontrols: [CC8.1]\n---\n",
            )],
            "",
            "title = \"T\"\n",
            None,
        );
        assert_eq!(hb.trace.status[at("CC8.1")], CriterionStatus::Covered);
    }
}
