//! `policybook oscal`: the handbook as an OSCAL 1.2.1 component definition, for tools that read
//! OSCAL (GRC platforms, `compliance-trestle`, FedRAMP tooling).
//!
//! One component of type `policy` per published document: its title and opening text, the owner
//! as a responsible role, its version and effective date as properties, and one
//! control-implementation per framework it maps, with an implemented-requirement for every
//! criterion it covers (directly, or through the register's controls it describes) whose
//! description is the text of the sections that map it. Back-matter resources link each
//! document's published page with the SHA-256 of that page as `build` writes it, so a reader can
//! check the page is the one described. Frameworks with no OSCAL catalog of their own (SOC 2,
//! ISO 27001, YAML catalogs) get one written beside it in our words (`catalog`); NIST's points
//! at NIST's published catalog. UUIDs are version 5, from the handbook's base URL (or title) and
//! the item's id, and dates are the commit's: the same commit gives the same bytes.

mod catalog;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::diagnostics::{Diagnostics, Outcome};
use crate::model::{DocIx, Status, url};
use crate::pipeline::render::{OutputFile, Site};
use crate::pipeline::resolve::{Coverage, Handbook};
use crate::pipeline::write::{Guard, write};

/// The OSCAL version written.
pub const OSCAL_VERSION: &str = "1.2.1";

/// The namespace of policybook's own properties.
pub const NS: &str = "https://policybook.dev/ns/oscal";

/// Where NIST publishes the SP 800-53 Rev. 5 Low baseline catalog the built-in one comes from.
const NIST_LOW_URI: &str = "https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json";

/// What to export and where.
pub struct OscalOptions {
    /// The handbook folder.
    pub root: PathBuf,
    /// Output folder; `None` means `root/oscal`.
    pub out: Option<PathBuf>,
    /// Statuses and dates as of this day.
    pub as_of: Option<jiff::civil::Date>,
}

/// What was written, and the problems.
#[derive(Debug, Default)]
pub struct OscalReport {
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// The files written.
    pub written: Vec<PathBuf>,
}

/// Writes the component definition and the catalogs it points at. Nothing is written when the
/// handbook has errors.
pub fn export(opts: &OscalOptions) -> OscalReport {
    let mut report = OscalReport::default();
    let mut diags = Diagnostics::new();
    let _ = run(opts, &mut report, &mut diags);
    report.diagnostics = diags;
    report
}

fn run(opts: &OscalOptions, report: &mut OscalReport, diags: &mut Diagnostics) -> Outcome<()> {
    // The pages as `build` writes them (from the commit of --as-of, if any), for their hashes.
    let rendered = crate::build::render(&opts.root, opts.as_of, true, diags)?;
    let site = rendered.site?;
    diags.no_errors()?;
    let hb = &rendered.handbook;
    let pages: BTreeMap<&str, &[u8]> = site
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_slice()))
        .collect();
    let files = documents(hb, &pages);
    let out = opts.out.clone().unwrap_or_else(|| opts.root.join("oscal"));
    let site = Site {
        files,
        copies: Vec::new(),
    };
    write(&site, &out, &Guard::for_handbook(&opts.root), diags)?;
    // The component definition first: it is what the command is for, and where it is.
    report.written = site.files.iter().map(|f| out.join(&f.path)).collect();
    report
        .written
        .sort_by_key(|p| !p.ends_with("component-definition.json"));
    Ok(())
}

/// `component-definition.json` and `catalogs/<key>.json`, from the handbook and its rendered
/// pages (path → bytes).
pub fn documents(hb: &Handbook, pages: &BTreeMap<&str, &[u8]>) -> Vec<OutputFile> {
    let ids = Ids::new(hb);
    let modified = last_modified(hb);
    let version = version(hb);
    let mut files = Vec::new();
    // Each framework's `source`: its own OSCAL catalog, or ours written beside.
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    for f in &hb.catalog.frameworks {
        match catalog::published_source(f) {
            Some(uri) => {
                sources.insert(f.id.clone(), uri);
            }
            None => {
                let path = format!("catalogs/{}.json", f.id);
                files.push(OutputFile {
                    path: path.clone(),
                    contents: pretty(&catalog::catalog_json(f, &ids, &modified, &version)),
                });
                sources.insert(f.id.clone(), path);
            }
        }
    }
    files.insert(
        0,
        OutputFile {
            path: "component-definition.json".into(),
            contents: pretty(&component_definition(
                hb, &ids, &sources, pages, &modified, &version,
            )),
        },
    );
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Deterministic UUIDs: version 5 in the URL namespace, from the handbook and the item.
pub(crate) struct Ids {
    base: String,
}

impl Ids {
    fn new(hb: &Handbook) -> Ids {
        let base = hb
            .config
            .base_url
            .clone()
            .unwrap_or_else(|| format!("policybook:{}", hb.config.title));
        Ids { base }
    }

    /// The UUID of `item` (`document/access-control`, `catalog/soc2`…).
    pub(crate) fn of(&self, item: &str) -> String {
        uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("{}#{item}", self.base).as_bytes(),
        )
        .to_string()
    }
}

/// The commit's date (statuses' as-of date), as OSCAL's timestamps want it.
fn last_modified(hb: &Handbook) -> String {
    match hb.history.source.as_of {
        Some(d) => format!("{d}T00:00:00Z"),
        None => "1970-01-01T00:00:00Z".to_string(),
    }
}

/// The tag at the commit, else the commit, else "uncommitted".
fn version(hb: &Handbook) -> String {
    let s = &hb.history.source;
    match (&s.tag, &s.commit) {
        (Some(tag), _) => tag.clone(),
        (None, Some(c)) => c[..12.min(c.len())].to_string(),
        (None, None) => "uncommitted".to_string(),
    }
}

/// An OSCAL token from free text: `Head of IT` → `head-of-it`.
fn token(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            out.extend(ch.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    match out.chars().next() {
        Some(c) if c.is_alphabetic() => out,
        _ => format!("role-{out}"),
    }
}

fn component_definition(
    hb: &Handbook,
    ids: &Ids,
    sources: &BTreeMap<String, String>,
    pages: &BTreeMap<&str, &[u8]>,
    modified: &str,
    version: &str,
) -> Value {
    let published: Vec<DocIx> = hb
        .documents
        .indices()
        .filter(|&i| hb.documents[i].status == Status::Published)
        .collect();
    let mut roles: BTreeMap<String, String> = BTreeMap::new();
    for &i in &published {
        if let Some(o) = hb.documents[i].owner_name() {
            roles.insert(token(o), o.to_string());
        }
    }
    let covered = covered_by_document(hb);
    let components: Vec<Value> = published
        .iter()
        .map(|&i| {
            component(
                hb,
                ids,
                sources,
                i,
                covered.get(&i).unwrap_or(&Covered::new()),
            )
        })
        .collect();
    let resources: Vec<Value> = published
        .iter()
        .map(|&i| resource(hb, ids, pages, i))
        .collect();
    let mut metadata = json!({
        "title": format!("{}: policies and procedures", hb.config.title),
        "last-modified": modified,
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": [{"name": "generator", "ns": NS, "value": format!("policybook {}", env!("CARGO_PKG_VERSION"))}],
    });
    if !roles.is_empty() {
        metadata["roles"] = roles
            .iter()
            .map(|(id, title)| json!({"id": id, "title": title}))
            .collect();
    }
    if let Some(org) = &hb.config.organization {
        metadata["parties"] = json!([{
            "uuid": ids.of("party/organization"),
            "type": "organization",
            "name": org,
        }]);
    }
    let mut cd = json!({
        "uuid": ids.of("component-definition"),
        "metadata": metadata,
    });
    if !components.is_empty() {
        cd["components"] = Value::Array(components);
        cd["back-matter"] = json!({ "resources": resources });
    }
    json!({ "component-definition": cd })
}

/// A document as a component of type `policy`.
fn component(
    hb: &Handbook,
    ids: &Ids,
    sources: &BTreeMap<String, String>,
    i: DocIx,
    covered: &Covered,
) -> Value {
    let d = &hb.documents[i];
    let mut props = vec![json!({"name": "document-id", "ns": NS, "value": d.id})];
    if let Some(v) = &d.version {
        props.push(json!({"name": "version", "ns": NS, "value": v}));
    }
    if let Some(e) = &d.effective {
        props.push(json!({"name": "effective-date", "ns": NS, "value": e.value.to_string()}));
    }
    props.push(json!({"name": "kind", "ns": NS, "value": d.kind.as_str()}));
    let mut c = json!({
        "uuid": ids.of(&format!("document/{}", d.id)),
        "type": "policy",
        "title": d.title.value,
        "description": description(hb, i, None),
        "props": props,
        "links": [{"href": format!("#{}", ids.of(&format!("resource/{}", d.id))), "rel": "reference"}],
    });
    if let Some(o) = d.owner_name() {
        c["responsible-roles"] = json!([{"role-id": token(o)}]);
    }
    let implementations = implementations(hb, ids, sources, i, covered);
    if !implementations.is_empty() {
        c["control-implementations"] = Value::Array(implementations);
    }
    c
}

/// The document's opening text (or a section's), as plain text.
fn description(hb: &Handbook, i: DocIx, section: Option<usize>) -> String {
    let d = &hb.documents[i];
    let text = match section {
        Some(s) => d.texts.get(s + 1).map(String::as_str).unwrap_or_default(),
        None => d
            .texts
            .iter()
            .map(String::as_str)
            .find(|t| !t.trim().is_empty())
            .unwrap_or_default(),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if !text.is_empty() {
        return text;
    }
    match section.and_then(|s| d.sections.get(s)) {
        Some(s) => format!("{} › {}", d.title.value, s.title),
        None => d.title.value.clone(),
    }
}

/// What a document covers: criterion → (the places in it that cover the criterion, the
/// register's controls through which they do).
type Covered = BTreeMap<crate::model::ControlIx, (Vec<Coverage>, Vec<String>)>;

/// Per document, the criteria it covers (directly, or through the register's controls it
/// describes): one pass over the trace for all documents.
fn covered_by_document(hb: &Handbook) -> HashMap<DocIx, Covered> {
    let t = &hb.trace;
    let mut out: HashMap<DocIx, Covered> = HashMap::new();
    for p in hb.catalog.positions() {
        for c in &t.covered_by[p] {
            out.entry(c.document)
                .or_default()
                .entry(p)
                .or_default()
                .0
                .push(*c);
        }
        for &k in &t.controls[p] {
            let id = &hb.register[k].id.value;
            for c in &t.documented_by[k] {
                let e = out.entry(c.document).or_default().entry(p).or_default();
                e.0.push(*c);
                if !e.1.contains(id) {
                    e.1.push(id.clone());
                }
            }
        }
    }
    out
}

/// Per framework, the criteria document `i` covers, each with the places that cover it.
fn implementations(
    hb: &Handbook,
    ids: &Ids,
    sources: &BTreeMap<String, String>,
    i: DocIx,
    covered: &Covered,
) -> Vec<Value> {
    let t = &hb.trace;
    let d = &hb.documents[i];
    let mut out = Vec::new();
    for f in &hb.catalog.frameworks {
        let requirements: Vec<Value> = covered
            .iter()
            .filter(|(p, _)| hb.catalog.at(**p).framework == f.id)
            .map(|(&p, (places, controls))| {
                let c = hb.catalog.at(p);
                let mut texts: Vec<String> = Vec::new();
                let mut sections: Vec<usize> = places.iter().filter_map(|c| c.section).collect();
                sections.sort_unstable();
                sections.dedup();
                if sections.is_empty() || places.iter().any(|c| c.section.is_none()) {
                    texts.push(description(hb, i, None));
                }
                for s in sections {
                    texts.push(description(hb, i, Some(s)));
                }
                let mut text = texts.join("\n\n");
                for k in controls {
                    if let Some(&rk) = hb.register_ids.get(k) {
                        let rc = &hb.register[rk];
                        text.push_str(&format!(
                            "\n\nControl {}: {}",
                            rc.id.value,
                            rc.statement
                                .split_whitespace()
                                .collect::<Vec<_>>()
                                .join(" ")
                        ));
                    }
                }
                let mut props =
                    vec![json!({"name": "status", "ns": NS, "value": t.status[p].as_str()})];
                props.extend(
                    controls
                        .iter()
                        .map(|k| json!({"name": "register-control", "ns": NS, "value": k})),
                );
                json!({
                    "uuid": ids.of(&format!("document/{}/{}/{}", d.id, f.id, c.id)),
                    "control-id": catalog::control_id(c),
                    "description": text,
                    "props": props,
                })
            })
            .collect();
        if requirements.is_empty() {
            continue;
        }
        out.push(json!({
            "uuid": ids.of(&format!("document/{}/{}", d.id, f.id)),
            "source": sources.get(&f.id).cloned().unwrap_or_default(),
            "description": format!("How {} meets {}.", d.title.value, f.name),
            "implemented-requirements": requirements,
        }));
    }
    out
}

/// The back-matter resource for document `i`: its published page and that page's SHA-256.
fn resource(hb: &Handbook, ids: &Ids, pages: &BTreeMap<&str, &[u8]>, i: DocIx) -> Value {
    let d = &hb.documents[i];
    let path = url::document(&d.id);
    let href = match &hb.config.base_url {
        Some(base) => format!("{}/{path}", base.trim_end_matches('/')),
        None => path.clone(),
    };
    let mut rlink = json!({"href": href, "media-type": "text/html"});
    if let Some(bytes) = pages.get(path.as_str()) {
        let hash = crate::manifest::sha256_hex(bytes);
        rlink["hashes"] = json!([{"algorithm": "SHA-256", "value": hash}]);
    }
    json!({
        "uuid": ids.of(&format!("resource/{}", d.id)),
        "title": d.title.value,
        "rlinks": [rlink],
    })
}
