//! The scope page: what the audit covers, read like the scope part of a SOC 2 system
//! description — categories, criteria excluded and why, subservice organisations carved out
//! with the controls of theirs the system relies on, and the complementary controls expected of
//! customers.

use serde::Serialize;

use crate::config::Subservice;
use crate::model::register::Responsibility;
use crate::model::{ControlRef, RegIx, url};

use super::register::RegControlLink;
use super::{ControlLink, DocLink, Views, category_label};

#[derive(Serialize, Clone)]
/// A link to a subservice on the scope page.
pub struct SubserviceLink {
    /// Its name.
    pub name: String,
    /// Its entry on the scope page, relative to the site root.
    pub url: String,
}

#[derive(Serialize)]
/// A category of the framework, in scope or not.
pub struct CategoryView {
    /// "Availability".
    pub label: String,
    /// Whether the audit covers it.
    pub in_scope: bool,
    /// Number of its criteria.
    pub criteria: usize,
}

#[derive(Serialize)]
/// An exclusion: criteria that do not apply, and why.
pub struct ExclusionView {
    /// The criteria.
    pub criteria: Vec<ControlLink>,
    /// Why.
    pub reason: String,
}

#[derive(Serialize)]
/// A control of the register with the criteria it maps.
pub struct ControlWithCriteria {
    /// The control.
    pub control: RegControlLink,
    /// Its criteria.
    pub criteria: Vec<ControlLink>,
}

#[derive(Serialize)]
/// A complementary user entity control from a subservice's report.
pub struct UserControlView {
    /// As its report words it.
    pub text: String,
    /// Our control that meets it.
    pub control: Option<RegControlLink>,
}

#[derive(Serialize)]
/// A subservice organisation.
pub struct SubserviceView {
    /// Its name.
    pub name: String,
    /// The anchor of its entry.
    pub anchor: String,
    /// What it does for the organisation.
    pub services: Vec<String>,
    /// Always `carve-out`.
    pub method: &'static str,
    /// "SOC 2 Type II".
    pub report: Option<String>,
    /// First day of the report's period.
    pub report_from: Option<String>,
    /// Last day of the report's period.
    pub report_to: Option<String>,
    /// `unqualified`…
    pub opinion: Option<&'static str>,
    /// Whether a bridge letter covers the time since the report's period.
    pub bridge_letter: bool,
    /// When the organisation last reviewed the report.
    pub reviewed_on: Option<String>,
    /// The control of ours that reviews its report.
    pub monitored_by: Option<RegControlLink>,
    /// Whether that control is in operation, so that relying on the subservice holds.
    pub monitored: bool,
    /// Its controls the system relies on (CSOCs), with their criteria.
    pub csocs: Vec<ControlWithCriteria>,
    /// In-scope criteria that rely on it.
    pub criteria: Vec<ControlLink>,
    /// The complementary user entity controls its report lists, with ours that meet them.
    pub user_controls: Vec<UserControlView>,
}

#[derive(Serialize)]
/// The scope page.
pub struct ScopeView {
    /// The framework's name.
    pub framework_name: String,
    /// Its categories, in scope or not.
    pub categories: Vec<CategoryView>,
    /// Criteria excluded as not applicable.
    pub exclusions: Vec<ExclusionView>,
    /// Subservice organisations (carve-out).
    pub subservices: Vec<SubserviceView>,
    /// Complementary user entity controls: controls of the register customers perform.
    pub customer_controls: Vec<ControlWithCriteria>,
    /// The date statuses are computed at.
    pub as_of: Option<String>,
    /// Published documents that take effect after the as-of date.
    pub pending_documents: Vec<DocLink>,
    /// Controls that start operating after the as-of date.
    pub pending_controls: Vec<RegControlLink>,
    /// Whether the handbook has a control register.
    pub has_register: bool,
}

impl Views<'_> {
    /// A link to subservice `s` (an index into `[[subservice]]`).
    pub fn subservice_link(&self, s: usize) -> SubserviceLink {
        let name = &self.hb.config.subservice[s].name;
        SubserviceLink {
            name: name.clone(),
            url: url::subservice(name),
        }
    }

    fn with_criteria(&self, k: RegIx) -> ControlWithCriteria {
        ControlWithCriteria {
            control: self.reg_control_link(k),
            criteria: self.criteria_of(&self.hb.register[k].criteria),
        }
    }

    fn criteria_of(&self, refs: &[ControlRef]) -> Vec<ControlLink> {
        refs.iter()
            .filter_map(|r| self.hb.catalog.position(&r.framework, &r.id))
            .map(|p| self.control_link(p))
            .collect()
    }

    fn subservice_view(&self, si: usize, s: &Subservice) -> SubserviceView {
        let hb = self.hb;
        let t = &hb.trace;
        let ours = |id: &String| hb.register_ids.get(id).copied();
        let monitor = s.monitored_by.as_ref().and_then(ours);
        SubserviceView {
            name: s.name.clone(),
            anchor: url::subservice_anchor(&s.name),
            services: s.service_list.clone(),
            method: "carve-out",
            report: s.report.clone(),
            report_from: s.period.map(|(a, _)| a.to_string()),
            report_to: s.period.map(|(_, b)| b.to_string()),
            opinion: s.opinion_kind.map(|o| o.as_str()),
            bridge_letter: s.bridge_letter,
            reviewed_on: s.reviewed.map(|d| d.to_string()),
            monitored_by: monitor.map(|k| self.reg_control_link(k)),
            monitored: t.monitored[si],
            csocs: hb.csocs(&s.name).map(|k| self.with_criteria(k)).collect(),
            criteria: hb
                .catalog
                .positions()
                .filter(|&p| {
                    t.in_scope[p]
                        && (t.relies_on[p].contains(&si) || t.unsupported[p].contains(&si))
                })
                .map(|p| self.control_link(p))
                .collect(),
            user_controls: s
                .user_controls
                .iter()
                .map(|u| UserControlView {
                    text: u.text.clone(),
                    control: u
                        .control
                        .as_ref()
                        .and_then(ours)
                        .map(|k| self.reg_control_link(k)),
                })
                .collect(),
        }
    }

    /// The scope page.
    pub fn scope(&self) -> ScopeView {
        let hb = self.hb;
        let t = &hb.trace;
        let framework = hb.catalog.framework(&hb.config.scope.framework);
        let categories = framework
            .map(|f| {
                f.categories()
                    .iter()
                    .map(|c| CategoryView {
                        label: category_label(c),
                        in_scope: hb.config.category_in_scope(c),
                        criteria: f.controls.iter().filter(|k| &k.category == c).count(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let exclusions = hb
            .config
            .scope
            .exclusions
            .iter()
            .enumerate()
            .map(|(n, e)| ExclusionView {
                criteria: t.excluded_by(n).map(|p| self.control_link(p)).collect(),
                reason: e.reason.trim().to_string(),
            })
            .collect();
        ScopeView {
            framework_name: framework.map(|f| f.name.clone()).unwrap_or_default(),
            categories,
            exclusions,
            subservices: hb
                .config
                .subservice
                .iter()
                .enumerate()
                .map(|(si, s)| self.subservice_view(si, s))
                .collect(),
            customer_controls: hb
                .register
                .iter_enumerated()
                .filter(|(_, c)| c.responsibility == Responsibility::Customer)
                .map(|(k, _)| self.with_criteria(k))
                .collect(),
            as_of: t.as_of.map(|d| d.to_string()),
            pending_documents: t
                .not_yet_effective
                .iter()
                .map(|&d| self.doc_link(d))
                .collect(),
            pending_controls: hb
                .register
                .iter_enumerated()
                .filter(|(_, c)| {
                    c.since
                        .is_some_and(|s| t.as_of.is_some_and(|a| s.value > a))
                })
                .map(|(k, _)| self.reg_control_link(k))
                .collect(),
            has_register: !hb.register.is_empty(),
        }
    }
}
