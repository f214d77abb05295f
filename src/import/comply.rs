//! `policybook import comply`: a strongdm/comply project (`policies/`, `procedures/`,
//! `narratives/`, `standards/TSC-2017.yml`, `comply.yml`) as a policybook handbook.
//!
//! comply documents start with a YAML header ended by `---` (no opening line): `name` becomes
//! `title`, `acronym` is kept under `extra`, `satisfies: {TSC: [...]}` becomes `controls`, and
//! `majorRevisions` a revision table in the body marked as not evidenced by git. comply's
//! `{{.Name}}` placeholders become the organisation's name. A procedure's `cron` says how often it
//! is *performed*: it is reported as a control frequency to record, never made a review cadence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::{Converted, Plan, toml_escape};
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::model::Kind;

/// comply's folders, the kind of their documents and where they go below `policies/`.
const FOLDERS: [(&str, Kind, &str); 3] = [
    ("policies", Kind::Policy, ""),
    ("procedures", Kind::Procedure, "procedures/"),
    ("narratives", Kind::Narrative, "narratives/"),
];

/// The standard comply projects must use: the 2017 Trust Services Criteria, whose ids
/// policybook's SOC 2 catalog has (the older TSP ids look alike but mean other things).
const STANDARD: &str = "TSC-2017.yml";

/// Reads the project at `src` and plans the handbook.
pub fn plan(src: &Path, organization: Option<&str>, diags: &mut Diagnostics) -> Outcome<Plan> {
    let standards = src.join("standards");
    let mut found: Vec<String> = std::fs::read_dir(&standards)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    if !found.iter().any(|n| n == STANDARD) {
        return diags.fail(
            Diagnostic::error(format!(
                "{} is not a comply project on the 2017 Trust Services Criteria: standards/{STANDARD} is missing{}",
                src.display(),
                if found.is_empty() {
                    String::new()
                } else {
                    format!(" (it has {})", found.join(", "))
                }
            ))
            .hint("policybook maps the 2017 TSC; the older TSP ids look alike but mean different things, so they are not converted — move the project to TSC-2017 in comply first"),
        );
    }
    let mut plan = Plan::default();
    for other in found.iter().filter(|n| *n != STANDARD) {
        plan.notes.push(format!(
            "standards/{other}: only {STANDARD} is converted; ignored"
        ));
    }
    let org = match read_organization(src) {
        Some(name) => name,
        None => match organization {
            Some(o) => o.to_string(),
            None => {
                plan.notes.push(
                    "no comply.yml with a name and no --organization: `{{.Name}}` becomes \"the organization\""
                        .into(),
                );
                "the organization".into()
            }
        },
    };
    plan.organization = org.clone();
    let catalog = Catalog::builtin();
    // Ids in use: a procedure may share its name with a policy (comply names both `workstation`).
    let mut taken = std::collections::HashSet::new();
    for (folder, kind, below) in FOLDERS {
        let dir = src.join(folder);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<String> = rd
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .collect();
        names.sort();
        for name in names {
            let from = PathBuf::from(folder).join(&name);
            if name.eq_ignore_ascii_case("README.md") {
                // comply's own description of the folder: kept, out of the handbook.
                plan.moves.push(Converted {
                    from: from.clone(),
                    to: PathBuf::from("comply").join(format!("{folder}-README.md")),
                    text: None,
                });
                continue;
            }
            let text = match std::fs::read_to_string(src.join(&from)) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(
                        Diagnostic::error(format!("cannot read it: {e}"))
                            .at(&src.join(&from), None),
                    );
                    continue;
                }
            };
            let stem = name.trim_end_matches(".md");
            match convert(&text, kind, stem, &org, &catalog, &mut taken) {
                Ok((converted, notes)) => {
                    plan.notes
                        .extend(notes.into_iter().map(|n| format!("{}: {n}", from.display())));
                    plan.moves.push(Converted {
                        from,
                        to: PathBuf::from(format!("policies/{below}{name}")),
                        text: Some(converted),
                    });
                }
                Err(why) => diags.push(
                    Diagnostic::error(why)
                        .at(&src.join(&from), None)
                        .hint("a comply document starts with `name:` and friends, then a `---` line, then the body"),
                ),
            }
        }
    }
    if !plan.moves.iter().any(|m| m.text.is_some()) {
        return diags.fail(
            Diagnostic::error(format!(
                "{} has no comply documents (policies/, procedures/ or narratives/ with .md files)",
                src.display()
            ))
            .hint("point at the folder that holds comply's policies/, procedures/ and standards/"),
        );
    }
    plan.site_toml = format!(
        "# Imported from a comply project by `policybook import comply`.\ntitle = \"{} Compliance Handbook\"\norganization = \"{}\"\n",
        toml_escape(&org),
        toml_escape(&org)
    );
    Ok(plan)
}

/// `comply.yml`'s `name`.
fn read_organization(src: &Path) -> Option<String> {
    let text = std::fs::read_to_string(src.join("comply.yml")).ok()?;
    let v: Value = serde_yaml::from_str(&text).ok()?;
    v.get("name")?.as_str().map(str::to_string)
}

/// One comply document as policybook Markdown, and what the conversion could not carry over.
fn convert(
    text: &str,
    kind: Kind,
    stem: &str,
    org: &str,
    catalog: &Catalog,
    taken: &mut std::collections::HashSet<String>,
) -> Result<(String, Vec<String>), String> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    // The header ends at the first `---` line; a file that opens with one has it around.
    let body_start = text.strip_prefix("---\n").unwrap_or(&text);
    let (header, body) = body_start
        .split_once("\n---\n")
        .or_else(|| body_start.strip_suffix("\n---").map(|h| (h, "")))
        .ok_or("no `---` line ends the comply header")?;
    let map: Mapping = serde_yaml::from_str(header).map_err(|e| format!("the header: {e}"))?;
    let get = |k: &str| map.get(Value::from(k));
    let mut notes = Vec::new();
    let title = get("name")
        .and_then(Value::as_str)
        .map(|t| placeholders(t, org))
        .unwrap_or_else(|| stem.replace('-', " "));
    let mut front = BTreeMap::new();
    let mut lines = vec![format!("title: {}", yaml_string(&title))];
    if kind != Kind::Policy {
        lines.push(format!("kind: {}", kind.as_str()));
    }
    let id = match kind {
        // comply names procedures by `id`, which may be a policy's name too.
        Kind::Procedure => get("id")
            .and_then(Value::as_str)
            .filter(|i| is_id(i) && !taken.contains(*i))
            .map_or_else(|| format!("{stem}-procedure"), str::to_string),
        Kind::Narrative => format!("{stem}-narrative"),
        _ => stem.to_string(),
    };
    if id != stem {
        lines.insert(0, format!("id: {id}"));
    }
    taken.insert(id);
    lines.push("owner: TODO".into());
    lines.push("review: annual".into());
    let mut controls = Vec::new();
    if let Some(sat) = get("satisfies").and_then(Value::as_mapping) {
        for (standard, ids) in sat {
            let standard = standard.as_str().unwrap_or_default();
            if standard != "TSC" {
                notes.push(format!(
                    "satisfies `{standard}`: not the 2017 TSC, left out"
                ));
                continue;
            }
            for id in ids
                .as_sequence()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if catalog.position("soc2", id).is_some() {
                    if !controls.contains(&id.to_string()) {
                        controls.push(id.to_string());
                    }
                } else {
                    notes.push(format!(
                        "{id} is not a 2017 Trust Services Criterion (comply ignored it silently): left out"
                    ));
                }
            }
        }
    }
    if !controls.is_empty() {
        lines.push(format!("controls: [{}]", controls.join(", ")));
    }
    if let Some(acronym) = get("acronym").and_then(Value::as_str) {
        front.insert("acronym", acronym.to_string());
    }
    if let Some(cron) = get("cron").and_then(Value::as_str) {
        notes.push(format!(
            "comply runs this procedure on the schedule `{cron}` ({}): that is how often it is performed — record it as the `frequency` of a control in controls.yaml, not as a review cadence",
            cron_frequency(cron)
        ));
    }
    if !front.is_empty() {
        lines.push("extra:".into());
        for (k, v) in front {
            lines.push(format!("  {k}: {}", yaml_string(&v)));
        }
    }
    let mut out = format!("---\n{}\n---\n", lines.join("\n"));
    out.push_str(placeholders(body, org).trim_start_matches('\n'));
    if let Some(revs) = get("majorRevisions").and_then(Value::as_sequence)
        && !revs.is_empty()
    {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str("\n## Revision history (imported)\n\nImported from comply's `majorRevisions`: *not evidenced by git*. The revisions policybook shows below come from the repository.\n\n| Date | Change |\n|---|---|\n");
        for r in revs {
            let cell = |k: &str| {
                r.get(k)
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => serde_yaml::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    })
                    .unwrap_or_default()
                    .replace('|', "\\|")
            };
            out.push_str(&format!("| {} | {} |\n", cell("date"), cell("comment")));
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok((out, notes))
}

/// comply's Go-template placeholders for the organisation's name.
fn placeholders(text: &str, org: &str) -> String {
    text.replace("{{.Name}}", org).replace("{{ .Name }}", org)
}

/// A cron schedule (comply's six fields, seconds first) in words: what matters is how often.
fn cron_frequency(cron: &str) -> &'static str {
    let f: Vec<&str> = cron.split_whitespace().collect();
    // seconds minutes hours day-of-month month day-of-week
    match f.as_slice() {
        [_, _, _, "*", "*", "*"] => "daily",
        [_, _, _, "*", "*", dow] if *dow != "*" => "weekly",
        [_, _, _, dom, "*", _] if *dom != "*" => "monthly",
        [_, _, _, _, month, _] if month.contains(',') || month.contains('/') => "quarterly or so",
        [_, _, _, _, month, _] if *month != "*" => "annual",
        _ => "see the schedule",
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A YAML scalar that reads back as `s`.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comply_document_becomes_front_matter_and_body() {
        let text = "name: Access Policy for {{.Name}}\nacronym: AP\nsatisfies:\n  TSC:\n    - CC6.1\n    - CC9.9\nmajorRevisions:\n  - date: Jun 1 2018\n    comment: Initial document\n---\n# Purpose\n\n{{.Name}} grants access.\n";
        let mut taken = std::collections::HashSet::new();
        let (out, notes) = convert(
            text,
            Kind::Policy,
            "access",
            "Acme",
            &Catalog::builtin(),
            &mut taken,
        )
        .expect("converts");
        assert!(out.starts_with("---\ntitle: \"Access Policy for Acme\"\nowner: TODO\nreview: annual\ncontrols: [CC6.1]\nextra:\n  acronym: \"AP\"\n---\n# Purpose\n\nAcme grants access.\n"), "{out}");
        assert!(out.contains("| Jun 1 2018 | Initial document |"), "{out}");
        assert!(out.contains("*not evidenced by git*"));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].starts_with("CC9.9 is not a 2017 Trust Services Criterion"));
        let (out, notes) = convert(
            "id: \"onboard\"\nname: \"Onboard\"\ncron: \"0 0 0 * * *\"\n---\nSteps.\n",
            Kind::Procedure,
            "onboarding",
            "Acme",
            &Catalog::builtin(),
            &mut taken,
        )
        .expect("procedure");
        assert!(
            out.starts_with("---\nid: onboard\ntitle: \"Onboard\"\nkind: procedure\n"),
            "{out}"
        );
        assert!(
            notes[0].contains("(daily)") && notes[0].contains("not as a review cadence"),
            "{notes:?}"
        );
        let again = "id: \"access\"\nname: X\n---\nSteps.\n";
        let (out, _) = convert(
            again,
            Kind::Procedure,
            "access",
            "A",
            &Catalog::builtin(),
            &mut taken,
        )
        .expect("procedure named like a policy");
        assert!(out.starts_with("---\nid: access-procedure\n"), "{out}");
        assert!(
            convert(
                "no header here",
                Kind::Policy,
                "x",
                "A",
                &Catalog::builtin(),
                &mut taken
            )
            .is_err()
        );
    }
}
