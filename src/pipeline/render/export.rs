//! Machine-readable exports for auditors: `matrix.json` and `matrix.csv`.

use serde::Serialize;

use crate::model::{ControlIx, DocIx, url};
use crate::pipeline::resolve::{Coverage, Handbook};

#[derive(Serialize)]
struct MatrixJson {
    generator: String,
    source: SourceJson,
    title: String,
    organization: Option<String>,
    framework: String,
    scope: Vec<String>,
    summary: Summary,
    controls: Vec<ControlJson>,
    documents: Vec<DocumentJson>,
    gaps: Vec<GapJson>,
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
    covered_by: Vec<EvidenceJson>,
}

#[derive(Serialize)]
struct EvidenceJson {
    document: String,
    document_title: String,
    /// Section anchor, `null` when the document as a whole maps the control.
    section: Option<String>,
    section_title: Option<String>,
    url: String,
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
    framework: String,
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
    let mut url = url::document(&d.id);
    if let Some(s) = section {
        url.push('#');
        url.push_str(&s.anchor);
    }
    EvidenceJson {
        document: d.id.clone(),
        document_title: d.title.to_string(),
        section: section.map(|s| s.anchor.clone()),
        section_title: section.map(|s| s.title.clone()),
        url,
    }
}

/// `matrix.json`: the trace, machine-readable.
pub fn matrix_json(hb: &Handbook) -> Result<Vec<u8>, serde_json::Error> {
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
                covered_by: t.covered_by[p].iter().map(|c| evidence(hb, c)).collect(),
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
            for r in &d.controls {
                controls.push((
                    hb.catalog.position(&r.framework, &r.id),
                    0,
                    MappingJson {
                        framework: r.framework.clone(),
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
                            framework: r.framework.clone(),
                            id: r.id.clone(),
                            section: Some(s.anchor.clone()),
                        },
                    ));
                }
            }
            controls.sort_by_key(|(p, s, _)| (*p, *s));
            controls.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
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
                    date: r.commit.date.to_string(),
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
        summary: Summary {
            documents: hb.documents.len(),
            controls_in_scope: t.in_scope_count(),
            controls_covered: t.covered_in_scope_count(),
            gaps: t.gaps.len(),
        },
        controls,
        documents,
        gaps,
    };
    let mut out = serde_json::to_vec_pretty(&json)?;
    out.push(b'\n');
    Ok(out)
}

/// The columns of `matrix.csv`.
pub const CSV_HEADER: [&str; 13] = [
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
];

/// One row per (control, covering document or section), then one row per gap.
pub fn matrix_csv(hb: &Handbook) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER)?;
    let t = &hb.trace;
    for p in hb.catalog.positions() {
        let c = hb.catalog.at(p);
        let in_scope = if t.in_scope[p] { "yes" } else { "no" };
        for cov in &t.covered_by[p] {
            let e = evidence(hb, cov);
            let d = &hb.documents[cov.document];
            let row = [
                c.framework.as_str(),
                &c.id,
                &c.title,
                &c.category,
                in_scope,
                "covered",
                &d.id,
                &d.title,
                d.kind.as_str(),
                d.owner_name().unwrap_or(""),
                e.section.as_deref().unwrap_or(""),
                e.section_title.as_deref().unwrap_or(""),
                &e.url,
            ];
            w.write_record(row.iter().map(|cell| neutralize(cell).into_owned()))?;
        }
    }
    for &p in &t.gaps {
        let c = hb.catalog.at(p);
        let row = [
            c.framework.as_str(),
            &c.id,
            &c.title,
            &c.category,
            "yes",
            "gap",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ];
        w.write_record(row.iter().map(|cell| neutralize(cell).into_owned()))?;
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
