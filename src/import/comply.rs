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
pub fn plan(
    src: &Path,
    organization: Option<&str>,
    register: bool,
    diags: &mut Diagnostics,
) -> Outcome<Plan> {
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
    let mut scheduled = Vec::new();
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
            let doc = Doc {
                kind,
                stem,
                org: &org,
                register,
            };
            match convert(&text, &doc, &catalog, &mut taken) {
                Ok((converted, notes, schedule)) => {
                    scheduled.extend(schedule);
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
    if register {
        if scheduled.is_empty() {
            plan.notes.push(
                "--register: no procedure has a `cron` schedule, so there is no control to generate"
                    .into(),
            );
        } else {
            plan.files
                .push((PathBuf::from("controls.yaml"), register_yaml(&scheduled)));
        }
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
    doc: &Doc<'_>,
    catalog: &Catalog,
    taken: &mut std::collections::HashSet<String>,
) -> Result<(String, Vec<String>, Option<Scheduled>), String> {
    let Doc {
        kind,
        stem,
        org,
        register,
    } = *doc;
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
    taken.insert(id.clone());
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
    // A scheduled procedure is a control performed at that frequency: with --register it
    // becomes one, which the procedure describes; without, the report says how often.
    let mut schedule = None;
    if let Some(cron) = get("cron").and_then(Value::as_str) {
        match cron_frequency(cron) {
            Some(frequency) if register && kind == Kind::Procedure => {
                // Named after comply's own id for it, which the procedure's id may not be.
                let name = get("id").and_then(Value::as_str).filter(|i| is_id(i)).unwrap_or(&id);
                let control = format!("PROC-{}", name.to_uppercase());
                notes.push(format!(
                    "comply runs this procedure on the schedule `{cron}`: it becomes control {control} ({frequency}) in controls.yaml, which this procedure describes — name its owner and its evidence there"
                ));
                schedule = Some(Scheduled {
                    control: control.clone(),
                    title: title.clone(),
                    cron: cron.to_string(),
                    frequency,
                    criteria: controls.clone(),
                });
                controls.push(control);
            }
            frequency => notes.push(format!(
                "comply runs this procedure on the schedule `{cron}` ({}): that is how often it is performed — record it as the `frequency` of a control in controls.yaml (or import with --register), not as a review cadence",
                frequency.unwrap_or("see the schedule")
            )),
        }
    }
    if !controls.is_empty() {
        lines.push(format!("controls: [{}]", controls.join(", ")));
    }
    if let Some(acronym) = get("acronym").and_then(Value::as_str) {
        front.insert("acronym", acronym.to_string());
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
    Ok((out, notes, schedule))
}

/// comply's Go-template placeholders for the organisation's name.
fn placeholders(text: &str, org: &str) -> String {
    text.replace("{{.Name}}", org).replace("{{ .Name }}", org)
}

/// How often a cron schedule (comply's six fields, seconds first) runs, as a control's
/// `frequency`; `None` when it is not one of them.
fn cron_frequency(cron: &str) -> Option<&'static str> {
    let f: Vec<&str> = cron.split_whitespace().collect();
    // seconds minutes hours day-of-month month day-of-week
    let [_, _, _, dom, month, dow] = f.as_slice() else {
        return None;
    };
    // How many months of the year it runs in.
    let months = match *month {
        "*" => 12,
        m if m.starts_with("*/") => 12 / m[2..].parse::<usize>().ok().filter(|n| *n > 0)?,
        m => m.split(',').count(),
    };
    match (*dom, months, *dow) {
        ("*", 12, "*") => Some("daily"),
        ("*", 12, _) => Some("weekly"),
        (_, 12, _) => Some("monthly"),
        (_, 4, _) => Some("quarterly"),
        (_, 2, _) => Some("semiannual"),
        (_, 1, _) => Some("annual"),
        _ => None,
    }
}

/// A comply document being converted.
#[derive(Clone, Copy)]
struct Doc<'a> {
    kind: Kind,
    /// The file name without `.md`.
    stem: &'a str,
    /// The organisation's name, for placeholders.
    org: &'a str,
    /// Generate a register from the scheduled procedures.
    register: bool,
}

/// A procedure comply runs on a schedule: a control of the generated register.
#[derive(Debug)]
struct Scheduled {
    control: String,
    title: String,
    cron: String,
    frequency: &'static str,
    /// The criteria the procedure satisfies.
    criteria: Vec<String>,
}

/// `controls.yaml` for the scheduled procedures, with what is left to fill in said.
fn register_yaml(scheduled: &[Scheduled]) -> String {
    let mut out = String::from(
        "# Generated by `policybook import comply --register`: one control for each procedure comply ran\n\
         # on a schedule. Name each owner (the role that performs it), list the evidence it leaves, and\n\
         # add the other controls the organisation operates. See the README's \"The control register\".\n",
    );
    for s in scheduled {
        out.push_str(&format!(
            "\n- id: {}\n  title: {}\n  statement: {}\n  owner: TODO\n  frequency: {}\n",
            s.control,
            yaml_string(&s.title),
            yaml_string(&format!(
                "{} is performed {}, as its procedure describes (comply scheduled it as `{}`).",
                s.title,
                FREQUENCY_WORDS
                    .iter()
                    .find(|(f, _)| *f == s.frequency)
                    .map_or(s.frequency, |(_, w)| w),
                s.cron
            )),
            s.frequency,
        ));
        if !s.criteria.is_empty() {
            out.push_str(&format!("  criteria: [{}]\n", s.criteria.join(", ")));
        }
    }
    out
}

/// Frequencies as a sentence says them.
const FREQUENCY_WORDS: [(&str, &str); 6] = [
    ("daily", "every day"),
    ("weekly", "every week"),
    ("monthly", "every month"),
    ("quarterly", "every quarter"),
    ("semiannual", "twice a year"),
    ("annual", "every year"),
];

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

    fn doc<'a>(kind: Kind, stem: &'a str, register: bool) -> Doc<'a> {
        Doc {
            kind,
            stem,
            org: "Acme",
            register,
        }
    }

    #[test]
    fn a_comply_document_becomes_front_matter_and_body() {
        let text = "name: Access Policy for {{.Name}}\nacronym: AP\nsatisfies:\n  TSC:\n    - CC6.1\n    - CC9.9\nmajorRevisions:\n  - date: Jun 1 2018\n    comment: Initial document\n---\n# Purpose\n\n{{.Name}} grants access.\n";
        let mut taken = std::collections::HashSet::new();
        let catalog = Catalog::builtin();
        let (out, notes, _) = convert(
            text,
            &doc(Kind::Policy, "access", false),
            &catalog,
            &mut taken,
        )
        .expect("converts");
        assert!(out.starts_with("---\ntitle: \"Access Policy for Acme\"\nowner: TODO\nreview: annual\ncontrols: [CC6.1]\nextra:\n  acronym: \"AP\"\n---\n# Purpose\n\nAcme grants access.\n"), "{out}");
        assert!(out.contains("| Jun 1 2018 | Initial document |"), "{out}");
        assert!(out.contains("*not evidenced by git*"));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].starts_with("CC9.9 is not a 2017 Trust Services Criterion"));
        let procedure = "id: \"onboard\"\nname: \"Onboard\"\ncron: \"0 0 0 * * *\"\n---\nSteps.\n";
        let (out, notes, scheduled) = convert(
            procedure,
            &doc(Kind::Procedure, "onboarding", false),
            &catalog,
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
        assert!(scheduled.is_none());
        let again = "id: \"access\"\nname: X\n---\nSteps.\n";
        let (out, _, _) = convert(
            again,
            &doc(Kind::Procedure, "access", false),
            &catalog,
            &mut taken,
        )
        .expect("procedure named like a policy");
        assert!(out.starts_with("---\nid: access-procedure\n"), "{out}");
        assert!(
            convert(
                "no header here",
                &doc(Kind::Policy, "x", false),
                &catalog,
                &mut taken
            )
            .is_err()
        );
    }

    #[test]
    fn with_a_register_a_scheduled_procedure_is_a_control_it_describes() {
        let mut taken = std::collections::HashSet::new();
        let text = "id: \"patch\"\nname: \"Apply OS patches\"\ncron: \"0 0 0 15 * *\"\nsatisfies:\n  TSC:\n    - CC7.1\n---\nSteps.\n";
        let (out, notes, scheduled) = convert(
            text,
            &doc(Kind::Procedure, "patch", true),
            &Catalog::builtin(),
            &mut taken,
        )
        .expect("procedure");
        assert!(out.contains("\ncontrols: [CC7.1, PROC-PATCH]\n"), "{out}");
        assert!(
            notes[0].contains("becomes control PROC-PATCH (monthly)"),
            "{notes:?}"
        );
        let yaml = register_yaml(&[scheduled.expect("scheduled")]);
        assert!(
            yaml.contains("\n- id: PROC-PATCH\n  title: \"Apply OS patches\"\n  statement: \"Apply OS patches is performed every month, as its procedure describes (comply scheduled it as `0 0 0 15 * *`).\"\n  owner: TODO\n  frequency: monthly\n  criteria: [CC7.1]\n"),
            "{yaml}"
        );
    }

    #[test]
    fn cron_schedules_become_frequencies() {
        for (cron, want) in [
            ("0 0 0 * * *", Some("daily")),
            ("0 0 9 * * 1", Some("weekly")),
            ("0 0 0 15 * *", Some("monthly")),
            ("0 0 0 1 */3 *", Some("quarterly")),
            ("0 0 0 1 1,4,7,10 *", Some("quarterly")),
            ("0 0 0 1 1,7 *", Some("semiannual")),
            ("0 0 0 15 4 *", Some("annual")),
            ("0 0 0 1 1,2,3 *", None),
            ("@daily", None),
        ] {
            assert_eq!(cron_frequency(cron), want, "{cron}");
        }
    }
}
