//! Machine-readable exports for auditors: `matrix.json`, `matrix.csv` and `controls.csv`.

use serde::Serialize;

use crate::config::Subservice;
use crate::model::exception::{ExceptionStatus, days_between};
use crate::model::register::{EvidenceItem, RegControl};
use crate::model::{ControlIx, DocIx, RegIx, url};
use crate::pipeline::resolve::{Coverage, CriterionStatus, Handbook, names_register_control};

#[derive(Serialize)]
struct MatrixJson {
    generator: String,
    source: SourceJson,
    title: String,
    organization: Option<String>,
    framework: String,
    scope: Vec<String>,
    summary: Summary,
    /// Every framework with its counts (the overview).
    frameworks: Vec<crate::pipeline::resolve::FrameworkSummary>,
    controls: Vec<ControlJson>,
    /// The organisation's controls (empty without a register).
    register: Vec<RegControlJson>,
    documents: Vec<DocumentJson>,
    gaps: Vec<GapJson>,
    /// `[[scope.exclusions]]`: criteria not applicable, and why.
    exclusions: Vec<ExclusionJson>,
    /// `[[subservice]]`: organisations carved out.
    subservices: Vec<SubserviceJson>,
}

#[derive(Serialize)]
struct ExclusionJson {
    criteria: Vec<String>,
    reason: String,
}

#[derive(Serialize)]
struct SubserviceJson {
    name: String,
    services: Vec<String>,
    method: &'static str,
    report: Option<String>,
    /// `[first, last]` day of the report's period.
    report_period: Option<[String; 2]>,
    opinion: Option<&'static str>,
    bridge_letter: bool,
    reviewed_on: Option<String>,
    monitored_by: Option<String>,
    /// Whether `monitored_by` is in operation, so that relying on it holds.
    monitored: bool,
    /// Its controls the system relies on (`responsibility: subservice:<name>`).
    csocs: Vec<String>,
    user_controls: Vec<UserControlJson>,
}

#[derive(Serialize)]
struct UserControlJson {
    text: String,
    /// The control of ours that meets it.
    control: Option<String>,
}

#[derive(Serialize)]
struct RegControlJson {
    id: String,
    title: String,
    statement: String,
    owner: String,
    frequency: &'static str,
    #[serde(rename = "type")]
    control_type: Option<&'static str>,
    automation: Option<&'static str>,
    status: &'static str,
    since: Option<String>,
    until: Option<String>,
    replaced_by: Option<String>,
    responsibility: String,
    criteria: Vec<CriterionRefJson>,
    /// Names only, unless `[publish] evidence_details`.
    evidence: Vec<EvidenceItem>,
    documented_by: Vec<EvidenceJson>,
}

#[derive(Serialize)]
struct CriterionRefJson {
    framework: String,
    id: String,
}

#[derive(Serialize)]
struct SourceJson {
    /// The commit the sources were read from; `null` outside git or before the first commit.
    commit: Option<String>,
    /// Review statuses are computed as of this date.
    as_of: Option<String>,
    dirty: bool,
    shallow: bool,
}

#[derive(Serialize)]
struct ChangeJson {
    commit: String,
    date: String,
    author: String,
}

#[derive(Serialize)]
struct ReviewJson {
    commit: String,
    date: String,
    reviewers: Vec<String>,
}

#[derive(Serialize)]
struct Summary {
    documents: usize,
    controls_in_scope: usize,
    controls_covered: usize,
    gaps: usize,
    /// In-scope criteria excluded as not applicable (not counted in `controls_in_scope`).
    criteria_not_applicable: usize,
    /// Controls of the register.
    register_controls: usize,
}

#[derive(Serialize)]
struct ControlJson {
    framework: String,
    id: String,
    title: String,
    summary: String,
    series: String,
    series_name: String,
    category: String,
    in_scope: bool,
    /// `covered`, `covered-with-csocs`, `incomplete`, `documented-only`, `gap`,
    /// `not-applicable`, `out-of-scope`.
    status: CriterionStatus,
    /// Why it has that status, in a sentence.
    reason: String,
    /// Ids of the register's controls that map it.
    via_controls: Vec<String>,
    /// Subservices whose controls it relies on (carve-out).
    relies_on: Vec<String>,
    covered_by: Vec<EvidenceJson>,
    /// Met criteria of other frameworks that crosswalks map onto it (never direct coverage).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    crosswalk: Vec<ViaJson>,
}

#[derive(Serialize)]
struct ViaJson {
    framework: String,
    id: String,
    relationship: crate::catalog::Relationship,
    file: String,
}

/// Where a control is described. The document's title, link and the rest are in `documents[]`
/// under its id, not repeated here: a control mapped by 300 sections named them 300 times, and
/// `covered_by` was most of the file.
#[derive(Serialize)]
struct EvidenceJson {
    document: String,
    /// Section anchor, `null` when the document as a whole maps the control.
    section: Option<String>,
    section_title: Option<String>,
}

#[derive(Serialize)]
struct DocumentJson {
    id: String,
    title: String,
    kind: &'static str,
    owner: Option<String>,
    approvers: Vec<String>,
    version: Option<String>,
    effective: Option<String>,
    review: Option<String>,
    status: &'static str,
    path: String,
    url: String,
    controls: Vec<MappingJson>,
    implements: Vec<String>,
    tags: Vec<String>,
    last_changed: Option<ChangeJson>,
    last_reviewed: Option<ReviewJson>,
    next_review_due: Option<String>,
    /// `current`, `due-soon`, `overdue`, `uncommitted` or `unknown`.
    review_status: &'static str,
    uncommitted: bool,
}

#[derive(Serialize)]
struct MappingJson {
    /// `null` for a control of the register.
    framework: Option<String>,
    id: String,
    section: Option<String>,
}

#[derive(Serialize)]
struct GapJson {
    framework: String,
    id: String,
    title: String,
    category: String,
}

fn evidence(hb: &Handbook, c: &Coverage) -> EvidenceJson {
    let d = &hb.documents[c.document];
    let section = c.section.and_then(|s| d.sections.get(s));
    EvidenceJson {
        document: d.id.clone(),
        section: section.map(|s| s.anchor.clone()),
        section_title: section.map(|s| s.title.clone()),
    }
}

/// The link to a place: its document's page, at the section's anchor.
fn place_url(e: &EvidenceJson) -> String {
    let mut url = url::document(&e.document);
    if let Some(anchor) = &e.section {
        url.push('#');
        url.push_str(anchor);
    }
    url
}

/// `matrix.json`: the trace, machine-readable.
pub fn matrix_json(hb: &Handbook, pretty: bool) -> Result<Vec<u8>, serde_json::Error> {
    let t = &hb.trace;
    let c = &hb.config;
    let framework = hb.catalog.framework(&c.scope.framework);
    let controls = hb
        .catalog
        .positions()
        .map(|p| {
            let control = hb.catalog.at(p);
            ControlJson {
                framework: control.framework.clone(),
                id: control.id.clone(),
                title: control.title.clone(),
                summary: control.summary.clone(),
                series: control.series.clone(),
                series_name: hb
                    .catalog
                    .framework(&control.framework)
                    .and_then(|f| f.series(&control.series))
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                category: control.category.clone(),
                in_scope: t.in_scope[p],
                status: t.status[p],
                reason: hb.status_reason(p),
                via_controls: t.controls[p]
                    .iter()
                    .map(|&k| hb.register[k].id.value.clone())
                    .collect(),
                relies_on: t.relies_on[p]
                    .iter()
                    .chain(&t.unsupported[p])
                    .map(|&s| c.subservice[s].name.clone())
                    .collect(),
                covered_by: t.covered_by[p].iter().map(|c| evidence(hb, c)).collect(),
                crosswalk: t.via[p]
                    .iter()
                    .map(|v| {
                        let s = hb.catalog.at(v.source);
                        ViaJson {
                            framework: s.framework.clone(),
                            id: s.id.clone(),
                            relationship: v.relationship,
                            file: hb.catalog.crosswalks[v.crosswalk].file.clone(),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let mut order: Vec<DocIx> = hb.documents.indices().collect();
    order.sort_by(|&a, &b| hb.documents[a].id.cmp(&hb.documents[b].id));
    let documents = order
        .into_iter()
        .map(|i| {
            let d = &hb.documents[i];
            let mut controls: Vec<(Option<ControlIx>, usize, MappingJson)> = Vec::new();
            let framework = |r: &crate::model::ControlRef| {
                (!names_register_control(r, &hb.register_ids)).then(|| r.framework.clone())
            };
            for r in &d.controls {
                controls.push((
                    hb.catalog.position(&r.framework, &r.id),
                    0,
                    MappingJson {
                        framework: framework(r),
                        id: r.id.clone(),
                        section: None,
                    },
                ));
            }
            for (si, s) in d.sections.iter().enumerate() {
                for r in &s.controls {
                    controls.push((
                        hb.catalog.position(&r.framework, &r.id),
                        si + 1,
                        MappingJson {
                            framework: framework(r),
                            id: r.id.clone(),
                            section: Some(s.anchor.clone()),
                        },
                    ));
                }
            }
            // Each mapping once: a criterion by its position, a control of the register (which
            // has none) by its id, so that a section naming three controls lists all three.
            controls.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
            controls.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2.id == b.2.id);
            DocumentJson {
                id: d.id.clone(),
                title: d.title.to_string(),
                kind: d.kind.as_str(),
                owner: d.owner_name().map(str::to_string),
                approvers: d.approver_names(),
                version: d.version.clone(),
                effective: d.effective.map(|e| e.to_string()),
                review: d.review.map(|r| r.to_string()),
                status: d.status.as_str(),
                path: d.path.clone(),
                url: url::document(&d.id),
                controls: controls.into_iter().map(|(_, _, m)| m).collect(),
                implements: hb.refs[i]
                    .implements
                    .iter()
                    .map(|&j| hb.documents[j].id.clone())
                    .collect(),
                tags: d.tags.clone(),
                last_changed: hb.reviews[i].last_changed().map(|r| ChangeJson {
                    commit: r.commit.id.clone(),
                    date: r.commit.date.to_string(),
                    author: r.commit.author.clone(),
                }),
                last_reviewed: hb.reviews[i].last_reviewed().map(|r| ReviewJson {
                    commit: r.commit.id.clone(),
                    date: r.date().to_string(),
                    reviewers: r.reviewers.clone(),
                }),
                next_review_due: hb.reviews[i].next_due.map(|d| d.to_string()),
                review_status: hb.reviews[i].status.as_str(),
                uncommitted: hb.reviews[i].uncommitted,
            }
        })
        .collect();
    let gaps = t
        .gaps
        .iter()
        .map(|&p| {
            let c = hb.catalog.at(p);
            GapJson {
                framework: c.framework.clone(),
                id: c.id.clone(),
                title: c.title.clone(),
                category: c.category.clone(),
            }
        })
        .collect();
    let src = &hb.history.source;
    let json = MatrixJson {
        generator: format!("policybook {}", env!("CARGO_PKG_VERSION")),
        source: SourceJson {
            commit: src.commit.clone(),
            as_of: src.as_of.map(|d| d.to_string()),
            dirty: src.dirty,
            shallow: src.shallow,
        },
        title: c.title.clone(),
        organization: c.organization.clone(),
        framework: c.scope.framework.clone(),
        scope: framework
            .map(|f| {
                f.categories
                    .iter()
                    .filter(|cat| c.category_in_scope(cat))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
        frameworks: hb.framework_summaries(),
        summary: Summary {
            documents: hb.documents.len(),
            controls_in_scope: t.in_scope_count(),
            controls_covered: t.covered_in_scope_count(),
            gaps: t.gaps.len(),
            criteria_not_applicable: t.not_applicable_count(),
            register_controls: hb.register.len(),
        },
        controls,
        register: hb
            .register
            .iter_enumerated()
            .map(|(k, c)| reg_control_json(hb, k, c))
            .collect(),
        documents,
        gaps,
        exclusions: scope_exclusions(hb),
        subservices: c
            .subservice
            .iter()
            .enumerate()
            .map(|(si, s)| subservice_json(hb, si, s))
            .collect(),
    };
    // Compact on the site (it is the largest file after the pages), indented when asked for
    // and in the evidence, where people read it.
    let mut out = if pretty {
        serde_json::to_vec_pretty(&json)?
    } else {
        serde_json::to_vec(&json)?
    };
    out.push(b'\n');
    Ok(out)
}

/// `[[scope.exclusions]]` with the criteria each one excludes (as the trace resolved them).
fn scope_exclusions(hb: &Handbook) -> Vec<ExclusionJson> {
    let t = &hb.trace;
    hb.config
        .scope
        .exclusions
        .iter()
        .enumerate()
        .map(|(n, e)| ExclusionJson {
            criteria: t
                .excluded_by(n)
                .map(|p| hb.catalog.at(p).id.clone())
                .collect(),
            reason: e.reason.trim().to_string(),
        })
        .collect()
}

/// A subservice, for `matrix.json`.
fn subservice_json(hb: &Handbook, si: usize, s: &Subservice) -> SubserviceJson {
    SubserviceJson {
        name: s.name.clone(),
        services: s.service_list.clone(),
        method: "carve-out",
        report: s.report.clone(),
        report_period: s.period.map(|(a, b)| [a.to_string(), b.to_string()]),
        opinion: s.opinion_kind.map(|o| o.as_str()),
        bridge_letter: s.bridge_letter,
        reviewed_on: s.reviewed.map(|d| d.to_string()),
        monitored_by: s.monitored_by.clone(),
        monitored: hb.trace.monitored[si],
        csocs: hb
            .csocs(&s.name)
            .map(|k| hb.register[k].id.value.clone())
            .collect(),
        user_controls: s
            .user_controls
            .iter()
            .map(|u| UserControlJson {
                text: u.text.clone(),
                control: u.control.clone(),
            })
            .collect(),
    }
}

/// A control of the register, for `matrix.json`.
fn reg_control_json(hb: &Handbook, k: RegIx, c: &RegControl) -> RegControlJson {
    RegControlJson {
        id: c.id.value.clone(),
        title: c.title.clone(),
        statement: c.statement.trim_end().to_string(),
        owner: c.owner.clone(),
        frequency: c.frequency.as_str(),
        control_type: c.control_type.map(|t| t.as_str()),
        automation: c.automation.map(|a| a.as_str()),
        status: c.status.as_str(),
        since: c.since.map(|d| d.to_string()),
        until: c.until.map(|d| d.to_string()),
        replaced_by: c.replaced_by.as_ref().map(|r| r.value.clone()),
        responsibility: c.responsibility.to_string(),
        criteria: c
            .criteria
            .iter()
            .map(|r| CriterionRefJson {
                framework: r.framework.clone(),
                id: r.id.clone(),
            })
            .collect(),
        evidence: c.evidence_shown(hb.config.publish.evidence_details),
        documented_by: hb.trace.documented_by[k]
            .iter()
            .map(|cov| evidence(hb, cov))
            .collect(),
    }
}

/// The columns of `matrix.csv`.
pub const CSV_HEADER: [&str; 14] = [
    "framework",
    "control",
    "control_title",
    "category",
    "in_scope",
    "status",
    "document",
    "document_title",
    "document_kind",
    "owner",
    "section",
    "section_title",
    "url",
    "register_control",
];

/// One row per (criterion, control of the register, describing document or section), per
/// (criterion, document or section mapping it directly), then one row per gap. `status` is the
/// criterion's.
pub fn matrix_csv(hb: &Handbook) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    let t = &hb.trace;
    let row = |w: &mut csv::Writer<Vec<u8>>,
               p: ControlIx,
               cov: Option<&Coverage>,
               control: &str|
     -> Result<(), csv::Error> {
        let c = hb.catalog.at(p);
        let in_scope = if t.in_scope[p] { "yes" } else { "no" };
        let status = match t.status[p] {
            // Without a register every mapped criterion is "covered", in scope or not, as before.
            CriterionStatus::OutOfScope => "covered",
            s => s.as_str(),
        };
        let (e, d) = match cov {
            Some(cov) => (Some(evidence(hb, cov)), Some(&hb.documents[cov.document])),
            None => (None, None),
        };
        let cells = [
            c.framework.as_str(),
            &c.id,
            &c.title,
            &c.category,
            in_scope,
            status,
            d.map(|d| d.id.as_str()).unwrap_or(""),
            &d.map(|d| d.title.to_string()).unwrap_or_default(),
            d.map(|d| d.kind.as_str()).unwrap_or(""),
            d.and_then(|d| d.owner_name()).unwrap_or(""),
            e.as_ref().and_then(|e| e.section.as_deref()).unwrap_or(""),
            e.as_ref()
                .and_then(|e| e.section_title.as_deref())
                .unwrap_or(""),
            &e.as_ref().map(place_url).unwrap_or_default(),
            control,
        ];
        w.write_record(cells.iter().map(|cell| neutralize(cell).into_owned()))
    };
    for p in hb.catalog.positions() {
        for &k in &t.controls[p] {
            let id = &hb.register[k].id.value;
            if t.documented_by[k].is_empty() {
                row(&mut w, p, None, id)?;
            }
            for cov in &t.documented_by[k] {
                row(&mut w, p, Some(cov), id)?;
            }
        }
        for cov in &t.covered_by[p] {
            row(&mut w, p, Some(cov), "")?;
        }
    }
    for &p in &t.gaps {
        row(&mut w, p, None, "")?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The columns of `soa.csv`.
pub const SOA_CSV_HEADER: [&str; 12] = [
    "framework",
    "control",
    "title",
    "theme",
    "included",
    "justification",
    "status",
    "implemented",
    "controls",
    "documents",
    "version",
    "as_of",
];

/// `soa.csv`: the Statement of Applicability of the `n`th framework that has one, a row per
/// control, then a row per control of ours beyond the framework (`included` = `additional`).
/// Every row carries the commit and date the statement is as of.
pub fn soa_csv(hb: &Handbook, n: usize) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SOA_CSV_HEADER)?;
    let Some(soa) = super::views::Views::new(hb).soa(n) else {
        return w.into_inner().map_err(|e| csv::Error::from(e.into_error()));
    };
    let version = soa.source.commit.clone().unwrap_or_default();
    let as_of = soa.source.as_of.clone().unwrap_or_default();
    for r in &soa.rows {
        let controls: Vec<&str> = r.controls.iter().map(|c| c.id.as_str()).collect();
        let documents: Vec<&str> = r.documents.iter().map(|d| d.label.as_str()).collect();
        let cells = [
            soa.framework.as_str(),
            &r.control.id,
            &r.control.title,
            &r.theme,
            if r.included { "yes" } else { "no" },
            &r.justification,
            r.status.as_str(),
            r.implemented,
            &controls.join("; "),
            &documents.join("; "),
            &version,
            &as_of,
        ];
        w.write_record(cells.iter().map(|cell| neutralize(cell).into_owned()))?;
    }
    for a in &soa.additional {
        let criteria: Vec<String> = a
            .criteria
            .iter()
            .map(|c| format!("{}:{}", c.framework, c.id))
            .collect();
        let cells = [
            "",
            &a.control.id,
            &a.control.title,
            "",
            "additional",
            "A control of ours beyond the framework",
            "",
            "",
            &criteria.join("; "),
            "",
            &version,
            &as_of,
        ];
        w.write_record(cells.iter().map(|cell| neutralize(cell).into_owned()))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The columns of `controls.csv`.
pub const CONTROLS_CSV_HEADER: [&str; 15] = [
    "id",
    "title",
    "statement",
    "owner",
    "frequency",
    "type",
    "automation",
    "status",
    "since",
    "until",
    "replaced_by",
    "responsibility",
    "criteria",
    "evidence",
    "documented_by",
];

/// `controls.csv`: one row per control of the register. Evidence items are `name (system;
/// population)` with `details` (the audit's own copy), names only otherwise (the published site,
/// unless `[publish] evidence_details`).
pub fn controls_csv(hb: &Handbook, details: bool) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CONTROLS_CSV_HEADER)?;
    for (k, c) in hb.register.iter_enumerated() {
        let criteria: Vec<String> = c.criteria.iter().map(|r| r.id.clone()).collect();
        let evidence_items: Vec<String> = c
            .evidence_shown(details)
            .iter()
            .map(|e| {
                let more: Vec<&str> = [e.system.as_deref(), e.population.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                if more.is_empty() {
                    e.name.clone()
                } else {
                    format!("{} ({})", e.name, more.join("; "))
                }
            })
            .collect();
        let documented: Vec<String> = hb.trace.documented_by[k]
            .iter()
            .map(|cov| {
                let e = evidence(hb, cov);
                match e.section {
                    Some(s) => format!("{}#{s}", e.document),
                    None => e.document,
                }
            })
            .collect();
        let cells = [
            c.id.value.clone(),
            c.title.clone(),
            c.statement.trim_end().to_string(),
            c.owner.clone(),
            c.frequency.as_str().to_string(),
            c.control_type.map(|t| t.as_str()).unwrap_or("").to_string(),
            c.automation.map(|a| a.as_str()).unwrap_or("").to_string(),
            c.status.as_str().to_string(),
            c.since.map(|d| d.to_string()).unwrap_or_default(),
            c.until.map(|d| d.to_string()).unwrap_or_default(),
            c.replaced_by
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_default(),
            c.responsibility.to_string(),
            criteria.join("; "),
            evidence_items.join(" | "),
            documented.join("; "),
        ];
        w.write_record(cells.iter().map(|cell| neutralize(cell).into_owned()))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The columns of `exceptions.csv`.
pub const EXCEPTIONS_CSV_HEADER: [&str; 15] = [
    "id",
    "title",
    "exception_to",
    "document_title",
    "section_title",
    "requested_by",
    "approved_by",
    "granted",
    "expires",
    "status",
    "state",
    "days_to_expiry",
    "risk",
    "compensating",
    "path",
];

/// `exceptions.csv`: the exception register, one row per exception, by id. `state` and
/// `days_to_expiry` are as of the as-of date (empty without one).
pub fn exceptions_csv(hb: &Handbook) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(EXCEPTIONS_CSV_HEADER)?;
    for e in &hb.exceptions {
        let f = &e.fields;
        let target = e.target.map(|(d, s)| {
            let doc = &hb.documents[d];
            (
                doc.title.to_string(),
                s.and_then(|s| doc.sections.get(s))
                    .map(|s| s.title.clone())
                    .unwrap_or_default(),
            )
        });
        let (doc_title, section_title) = target.unwrap_or_default();
        let cells = [
            e.doc.id.clone(),
            e.doc.title.to_string(),
            f.to.value.clone(),
            doc_title,
            section_title,
            f.requested_by.value.clone(),
            f.approved_by.value.clone(),
            f.granted.value.to_string(),
            f.expires.value.to_string(),
            f.status.as_str().to_string(),
            e.state.as_str().to_string(),
            hb.trace
                .as_of
                .filter(|_| f.status == ExceptionStatus::Open)
                .map(|a| days_between(a, f.expires.value).to_string())
                .unwrap_or_default(),
            f.risk.map(|r| r.as_str()).unwrap_or("").to_string(),
            f.compensating
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            e.doc.path.clone(),
        ];
        // `days_to_expiry` is a number of ours (negative once expired), not text to neutralise.
        w.write_record(cells.iter().enumerate().map(|(i, cell)| {
            if i == 11 {
                cell.clone()
            } else {
                neutralize(cell).into_owned()
            }
        }))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Spreadsheets run cells that start with `=`, `+`, `-`, `@`, tab or CR as formulas (CSV
/// injection). Such cells get a leading `'`, which spreadsheets show as text and hide.
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralized() {
        for bad in ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralize(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralize("Access Control"), "Access Control");
        assert_eq!(neutralize(""), "");
    }
}
