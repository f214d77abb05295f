//! The Statement of Applicability page (`soa.html`) and its CSV: every control of the SoA with
//! whether it is included and why, its status from the register, and where it is implemented;
//! the controls of ours beyond the framework; and the SoA's own version and approvals (the
//! commit, and the history of `site.toml` and the register it comes from).

use serde::Serialize;

use crate::model::url;
use crate::pipeline::resolve::CriterionStatus;
use crate::pipeline::resolve::soa::Soa;

use super::controls::MatrixEvidence;
use super::history::{DocHistoryView, SourceView};
use super::register::RegControlLink;
use super::{ControlLink, Views};

#[derive(Serialize)]
/// A control of the SoA.
pub struct SoaRowView {
    /// The control.
    pub control: ControlLink,
    /// Its theme or group ("Annex A: Organisational controls").
    pub theme: String,
    /// Included in the management system.
    pub included: bool,
    /// Why it is included, or why not.
    pub justification: String,
    /// Its status in the trace.
    pub status: CriterionStatus,
    /// The status in words.
    pub status_label: &'static str,
    /// Why it has that status.
    pub reason: String,
    /// `yes`, `partly`, `no`, `n/a`.
    pub implemented: &'static str,
    /// The register's controls that map it.
    pub controls: Vec<RegControlLink>,
    /// Where it is implemented: the published documents and sections.
    pub documents: Vec<MatrixEvidence>,
}

#[derive(Serialize)]
/// A control of ours that maps none of the framework's controls.
pub struct AdditionalRow {
    /// The control.
    pub control: RegControlLink,
    /// The criteria of other frameworks it maps.
    pub criteria: Vec<ControlLink>,
}

#[derive(Serialize)]
/// A Statement of Applicability.
pub struct SoaView {
    /// The framework's key.
    pub framework: String,
    /// Its name.
    pub framework_name: String,
    /// The commit and date it is as of.
    pub source: SourceView,
    /// Its controls, in catalog order.
    pub rows: Vec<SoaRowView>,
    /// Our controls beyond the framework.
    pub additional: Vec<AdditionalRow>,
    /// How many are included.
    pub included: usize,
    /// How many are excluded.
    pub excluded: usize,
    /// How many included ones are implemented.
    pub implemented: usize,
    /// The history of site.toml (inclusions, exclusions, justifications).
    pub settings_history: DocHistoryView,
    /// The register's history (statuses).
    pub register_history: DocHistoryView,
    /// The CSV beside it, relative to the site root.
    pub csv: String,
}

impl Views<'_> {
    /// The SoA of `soa`, the `n`th of the handbook.
    pub fn soa(&self, n: usize) -> Option<SoaView> {
        let hb = self.hb;
        let soa: &Soa = hb.soas.get(n)?;
        let t = &hb.trace;
        let framework = hb.catalog.framework(&soa.framework)?;
        let rows: Vec<SoaRowView> = soa
            .rows
            .iter()
            .map(|r| {
                let c = hb.catalog.at(r.position);
                SoaRowView {
                    control: self.control_link(r.position),
                    theme: framework
                        .series(&c.series)
                        .map(|s| s.name.clone())
                        .unwrap_or_default(),
                    included: r.included,
                    justification: r.justification.clone(),
                    status: t.status[r.position],
                    status_label: t.status[r.position].label(),
                    reason: hb.status_reason(r.position),
                    implemented: r.implemented(t),
                    controls: t.controls[r.position]
                        .iter()
                        .map(|&k| self.reg_control_link(k))
                        .collect(),
                    documents: self
                        .criterion_places(r.position)
                        .into_iter()
                        .map(|c| self.matrix_evidence(c))
                        .collect(),
                }
            })
            .collect();
        let additional = soa
            .additional
            .iter()
            .map(|&k| AdditionalRow {
                control: self.reg_control_link(k),
                criteria: hb.register[k]
                    .criteria
                    .iter()
                    .filter_map(|r| hb.catalog.position(&r.framework, &r.id))
                    .map(|p| self.control_link(p))
                    .collect(),
            })
            .collect();
        Some(SoaView {
            framework: soa.framework.clone(),
            framework_name: framework.name.clone(),
            source: self.source(),
            included: rows.iter().filter(|r| r.included).count(),
            excluded: rows.iter().filter(|r| !r.included).count(),
            implemented: rows.iter().filter(|r| r.implemented == "yes").count(),
            rows,
            additional,
            settings_history: self.gathered_history(&hb.settings_history),
            register_history: self.gathered_history(&hb.register_history),
            csv: url::soa(&soa.framework, n == 0, "csv"),
        })
    }
}
