//! Statements of Applicability (ISO 27001 clause 6.1.3 d): for a framework that has one, every
//! control of its SoA category (Annex A), whether it is included and why, why any is excluded,
//! and — from the trace — whether and where it is implemented; plus the controls of ours that
//! map none of its controls. Justifications come from `[[frameworks.<key>.justifications]]`,
//! then `default_justification`; exclusions from `[[frameworks.<key>.exclusions]]` (which the
//! trace shows as not applicable).

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::register::RegControl;
use crate::model::{ControlIx, ControlRef, IxVec, RegIx};

use super::trace::{CriterionStatus, Trace};

/// The file the SoA's version and approvals come from besides the register.
pub const SETTINGS_FILE: &str = crate::config::CONFIG_FILE;

/// One framework's Statement of Applicability.
#[derive(Debug, Clone)]
pub struct Soa {
    /// The framework's key.
    pub framework: String,
    /// Its controls, in catalog order.
    pub rows: Vec<SoaRow>,
    /// Controls of the register that map none of the framework's controls: necessary controls
    /// of ours beyond it.
    pub additional: Vec<RegIx>,
}

/// A control of the SoA.
#[derive(Debug, Clone)]
pub struct SoaRow {
    /// The control.
    pub position: ControlIx,
    /// Included: in the audit and not excluded.
    pub included: bool,
    /// Why it is included, or why not.
    pub justification: String,
}

impl SoaRow {
    /// Implemented, in a word: `yes`, `partly`, `no`, or `n/a` for an excluded control.
    pub fn implemented(&self, trace: &Trace) -> &'static str {
        match trace.status[self.position] {
            _ if !self.included => "n/a",
            s if s.is_covered() || s == CriterionStatus::CoveredViaCrosswalk => "yes",
            CriterionStatus::Incomplete
            | CriterionStatus::DocumentedOnly
            | CriterionStatus::PartialViaCrosswalk => "partly",
            _ => "no",
        }
    }
}

/// Whether framework `key` gets an SoA: `soa = true`, or by default when its catalog has an
/// SoA category (ISO 27001's Annex A), once it is declared.
pub fn has_soa(config: &Config, catalog: &Catalog, key: &str) -> bool {
    let Some(settings) = config.framework_settings(key) else {
        return false;
    };
    let has_category = catalog
        .framework(key)
        .is_some_and(|f| f.soa_category.is_some());
    settings.soa.unwrap_or(has_category)
}

/// The SoAs of the handbook, with an error for a justification naming an unknown control and a
/// warning for included controls nothing justifies.
pub(crate) fn build(
    config: &Config,
    catalog: &Catalog,
    register: &IxVec<RegIx, RegControl>,
    trace: &Trace,
    diags: &mut Diagnostics,
) -> Vec<Soa> {
    let mut out = Vec::new();
    for f in &catalog.frameworks {
        let Some(settings) = config.framework_settings(&f.id) else {
            continue;
        };
        // Justifications: criterion → reason, the first entry that names it.
        let mut justified: IxVec<ControlIx, Option<String>> = IxVec::filled(catalog.len(), None);
        for j in &settings.justifications {
            for text in &j.criteria {
                let line = config.line_with(&j.lines, text);
                let r = ControlRef::parse(text, &f.id, line);
                if let Some(d) = super::check_control(&r, catalog) {
                    diags.push(config.at_line(d, line).pointing_at(text));
                    continue;
                }
                if let Some(p) = catalog.position(&r.framework, &r.id)
                    && justified[p].is_none()
                {
                    justified[p] = Some(j.reason.trim().to_string());
                }
            }
        }
        if !has_soa(config, catalog, &f.id) {
            continue;
        }
        let mut rows = Vec::new();
        let mut unjustified = Vec::new();
        for p in catalog.positions() {
            let c = catalog.at(p);
            let in_soa = c.framework == f.id
                && !c.withdrawn
                && f.soa_category.as_ref().is_none_or(|cat| &c.category == cat);
            if !in_soa {
                continue;
            }
            let excluded = trace.status[p] == CriterionStatus::NotApplicable;
            let included = trace.in_scope[p] && !excluded;
            let justification = if excluded {
                trace.excluded[p]
                    .map(|e| config.scope.exclusions[e].reason.trim().to_string())
                    .unwrap_or_default()
            } else if !included {
                "Not selected by the framework's profile.".to_string()
            } else {
                match justified[p]
                    .clone()
                    .or_else(|| settings.default_justification.clone())
                {
                    Some(j) => j,
                    None => {
                        unjustified.push(c.id.clone());
                        String::new()
                    }
                }
            };
            rows.push(SoaRow {
                position: p,
                included,
                justification,
            });
        }
        if !unjustified.is_empty() {
            let n = unjustified.len();
            let shown: Vec<&str> = unjustified.iter().take(5).map(String::as_str).collect();
            diags.push(
                config
                    .at_line(
                        Diagnostic::warning(format!(
                            "the Statement of Applicability of `{}` gives no reason for including {n} control{}: {}{}",
                            f.id,
                            if n == 1 { "" } else { "s" },
                            shown.join(", "),
                            if n > shown.len() { ", …" } else { "" }
                        )),
                        settings.lines.start,
                    )
                    .hint("add `default_justification = \"Risk treatment: …\"`, or [[frameworks.<key>.justifications]] entries with `criteria` and `reason`"),
            );
        }
        let additional = register
            .iter_enumerated()
            .filter(|(_, rc)| {
                !rc.criteria
                    .iter()
                    .any(|r| catalog.position(&r.framework, &r.id).is_some() && r.framework == f.id)
            })
            .map(|(k, _)| k)
            .collect();
        out.push(Soa {
            framework: f.id.clone(),
            rows,
            additional,
        });
    }
    out
}
