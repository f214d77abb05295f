//! `controls.yaml` (and `controls/*.yaml`) → the organisation's controls. Each file is a YAML list;
//! each entry is read field by field like front matter, so that every mistake is reported with
//! its line and a did-you-mean. Checks that need the catalog or the other controls (criteria ids,
//! duplicate ids, `replaced_by`) belong to `resolve`.

use std::path::Path;
use std::sync::Arc;

use serde_yaml::{Mapping, Value};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Spanned;
use crate::model::register::{
    Automation, ControlStatus, ControlType, EvidenceItem, Frequency, RegControl, Responsibility,
};
use crate::pipeline::load::SourceFile;

use super::fields::{ListKind, Reader, read_list, scalar_text};

/// Every field of a register entry, in the order the README documents them.
pub const FIELDS: &[&str] = &[
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
    "criteria",
    "evidence",
    "responsibility",
];

const EVIDENCE_FIELDS: &[&str] = &["name", "system", "population"];

/// The controls of every register file, in file order.
pub fn parse_registers(
    sources: &[SourceFile],
    default_framework: &str,
    diags: &mut Diagnostics,
) -> Vec<RegControl> {
    sources
        .iter()
        .flat_map(|s| parse_register(s, default_framework, diags))
        .collect()
}

/// The controls of one register file. Entries with errors that leave no usable control are left
/// out (their errors are in `diags`).
pub fn parse_register(
    source: &SourceFile,
    default_framework: &str,
    diags: &mut Diagnostics,
) -> Vec<RegControl> {
    let shared: Arc<str> = Arc::clone(&source.text);
    read_list(
        source,
        &ListKind {
            what: "the control register",
            items: "controls",
            example: "`- id: ACC-01`",
        },
        diags,
        |r, map, diags| read_control(r, map, default_framework, &source.display, &shared, diags),
    )
}

fn read_control(
    r: &Reader<'_>,
    map: Mapping,
    default_framework: &str,
    file: &Path,
    source: &Arc<str>,
    diags: &mut Diagnostics,
) -> Option<RegControl> {
    let mut id = None;
    let (mut title, mut statement, mut owner) = (None, None, None);
    let mut frequency = None;
    let (mut control_type, mut automation) = (None, None);
    let mut status = ControlStatus::Implemented;
    let (mut since, mut until, mut replaced_by) = (None, None, None);
    let mut criteria = Vec::new();
    let mut evidence = Vec::new();
    let mut responsibility = Responsibility::Organization;
    let mut responsibility_line = None;
    for (key, value) in map {
        let Some(key) = key.as_str().map(str::to_string) else {
            diags.push(r.error_at(r.first_line, "field names of a control must be text"));
            continue;
        };
        let line = r.key_line(&key).unwrap_or(r.first_line);
        let result: Result<(), Diagnostic> = match key.as_str() {
            "id" => r.string(&key, &value, line).and_then(|s| {
                check_control_id(&s).map_err(|hint| {
                    r.error_at(line, format!("invalid control id `{s}`"))
                        .pointing_at(&s)
                        .hint(hint)
                })?;
                id = Some(Spanned::new(s, line));
                Ok(())
            }),
            "title" => r.string(&key, &value, line).map(|s| title = Some(s)),
            "statement" => r.string(&key, &value, line).map(|s| statement = Some(s)),
            "owner" => r.string(&key, &value, line).map(|s| {
                // Importers write `owner: TODO` where the source named no one.
                if s.trim().eq_ignore_ascii_case("todo") {
                    diags.push(
                        Diagnostic::warning("`owner: TODO`: no one performs this control yet")
                            .at_line(file, source, line)
                            .hint("name the role that performs it, e.g. `owner: IT Operations`"),
                    );
                }
                owner = Some(s)
            }),
            "frequency" => r
                .choice(&key, &value, line, Frequency::NAMES, Frequency::parse)
                .map(|f| frequency = Some(f)),
            "type" => r
                .choice(&key, &value, line, ControlType::NAMES, ControlType::parse)
                .map(|t| control_type = Some(t)),
            "automation" => r
                .choice(&key, &value, line, Automation::NAMES, Automation::parse)
                .map(|a| automation = Some(a)),
            "status" => r
                .choice(&key, &value, line, ControlStatus::NAMES, ControlStatus::parse)
                .map(|s| status = s),
            "since" | "until" => r.date(&key, &value, line).map(|d| {
                if key == "since" {
                    since = Some(d)
                } else {
                    until = Some(d)
                }
            }),
            "replaced_by" => r
                .string(&key, &value, line)
                .map(|s| replaced_by = Some(Spanned::new(s, line))),
            "criteria" => r
                .controls(&value, line, default_framework)
                .map(|c| criteria = c),
            "evidence" => read_evidence(r, &value, line).map(|e| evidence = e),
            "responsibility" => r.string(&key, &value, line).and_then(|s| {
                responsibility = Responsibility::parse(&s).ok_or_else(|| {
                    r.error_at(line, format!("unknown responsibility `{s}`"))
                        .pointing_at(&s)
                        .hint("use `organization` (the default), `customer` (a complementary user entity control) or `subservice:<name>` (a complementary subservice organisation control)")
                })?;
                responsibility_line = Some(line);
                Ok(())
            }),
            other => Err(r.unknown_field(line, other, FIELDS, "")),
        };
        if let Err(d) = result {
            diags.push(d);
        }
    }
    let place = r.first_line;
    let Some(id) = id else {
        diags.push(
            r.error_at(place, "this control has no `id`")
                .hint("give it a short unique id, e.g. `id: ACC-01`"),
        );
        return None;
    };
    let mut missing = |what: &str, value: &Option<String>, example: &str| {
        if value.is_none() {
            diags.push(
                r.error_at(place, format!("control `{}` has no `{what}`", id.value))
                    .hint(format!("add `{what}: {example}`")),
            );
        }
    };
    missing("title", &title, "Quarterly access review");
    missing("statement", &statement, "what is done, by whom, how often");
    missing("owner", &owner, "the role that performs it");
    if frequency.is_none() {
        diags.push(
            r.error_at(place, format!("control `{}` has no `frequency`", id.value))
                .hint(format!(
                    "add `frequency:` with one of {}",
                    Frequency::NAMES.join(", ")
                )),
        );
    }
    if let (Some(s), Some(u)) = (&since, &until)
        && u.value < s.value
    {
        diags.push(
            r.error_at(
                u.line,
                format!("`until` {} is before `since` {}", u.value, s.value),
            )
            .hint("a control stops operating after it starts"),
        );
    }
    let responsibility_line = responsibility_line.unwrap_or(id.line);
    Some(RegControl {
        title: title?,
        statement: statement?,
        owner: owner?,
        frequency: frequency?,
        id,
        control_type,
        automation,
        status,
        since,
        until,
        replaced_by,
        criteria,
        evidence,
        responsibility,
        responsibility_line,
        file: file.to_path_buf(),
        source: source.clone(),
    })
}

/// `evidence:` is a list of `{name, system, population}` (or of plain names).
fn read_evidence(
    r: &Reader<'_>,
    value: &Value,
    line: usize,
) -> Result<Vec<EvidenceItem>, Diagnostic> {
    let Value::Sequence(items) = value else {
        return match value {
            Value::Null => Ok(Vec::new()),
            _ => Err(r
                .error_at(line, "`evidence` must be a list")
                .hint("write one `- name: …` per item, with `system:` and `population:` under it")),
        };
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::String(_) | Value::Number(_) => out.push(EvidenceItem {
                name: scalar_text(item),
                system: None,
                population: None,
            }),
            Value::Mapping(m) => {
                let mut e = EvidenceItem {
                    name: String::new(),
                    system: None,
                    population: None,
                };
                for (k, v) in m {
                    let k = k.as_str().unwrap_or_default();
                    let text = scalar_text(v).trim().to_string();
                    let at = r.value_line(line, &format!("{k}:"));
                    match k {
                        "name" => e.name = text,
                        "system" => e.system = Some(text).filter(|t| !t.is_empty()),
                        "population" => e.population = Some(text).filter(|t| !t.is_empty()),
                        other => {
                            return Err(r.unknown_field(at, other, EVIDENCE_FIELDS, "evidence "));
                        }
                    }
                }
                if e.name.is_empty() {
                    return Err(r
                        .error_at(line, "an evidence item has no `name`")
                        .hint("say what the auditor will ask for, e.g. `name: access review ticket with reviewer sign-off`"));
                }
                out.push(e);
            }
            _ => {
                return Err(r
                    .error_at(line, "each evidence item must be a name or a `name:` / `system:` / `population:` map")
                    .hint("e.g. `- name: access review ticket`"));
            }
        }
    }
    Ok(out)
}

/// Letters, digits, `-`, `_` and `.`, starting with a letter: `ACC-02`, `IR.1`.
fn check_control_id(id: &str) -> Result<(), String> {
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err("control ids start with a letter and use letters, digits, `-`, `_` and `.`, e.g. `ACC-02`".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<RegControl>, Vec<Diagnostic>) {
        let mut diags = Diagnostics::new();
        let src = SourceFile {
            path: "controls.yaml".into(),
            display: "controls.yaml".into(),
            text: text.into(),
        };
        let c = parse_register(&src, "soc2", &mut diags);
        (c, diags.sorted())
    }

    const GOOD: &str = "\
# The register.
- id: ACC-02
  title: Quarterly access review
  statement: |
    Every quarter, system owners review production access.
  owner: System owners
  frequency: quarterly
  type: detective
  automation: it-dependent
  since: 2024-01-01
  criteria: [CC6.2, CC6.3]
  evidence:
    - name: Access review ticket with reviewer sign-off
      system: Jira
      population: each quarterly review
    - Access list export

- id: BCK-01
  title: Backups
  statement: Nightly backups.
  owner: Platform team
  frequency: daily
  automation: automated
  criteria:
    soc2: [A1.2]
  responsibility: subservice:AWS
";

    #[test]
    fn reads_every_field_with_its_line() {
        let (c, diags) = parse(GOOD);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(c.len(), 2);
        let a = &c[0];
        assert_eq!((a.id.value.as_str(), a.id.line), ("ACC-02", 2));
        assert_eq!(
            a.statement.trim(),
            "Every quarter, system owners review production access."
        );
        assert_eq!(a.frequency, Frequency::Quarterly);
        assert_eq!(a.control_type, Some(ControlType::Detective));
        assert_eq!(a.status, ControlStatus::Implemented);
        assert_eq!(a.since.unwrap().line, 10);
        let criteria: Vec<(&str, usize)> =
            a.criteria.iter().map(|r| (r.id.as_str(), r.line)).collect();
        assert_eq!(criteria, [("CC6.2", 11), ("CC6.3", 11)]);
        assert_eq!(a.evidence[0].system.as_deref(), Some("Jira"));
        assert_eq!(a.evidence[1].name, "Access list export");
        let b = &c[1];
        assert_eq!(b.id.line, 18);
        assert_eq!(
            (b.criteria[0].id.as_str(), b.criteria[0].line),
            ("A1.2", 25)
        );
        assert_eq!(b.responsibility, Responsibility::Subservice("AWS".into()));
    }

    #[test]
    fn every_mistake_is_reported_on_its_line() {
        let (c, diags) = parse(
            "- id: ACC-01\n  title: T\n  statment: S\n  owner: O\n  frequency: yearly\n  status: live\n  since: 1 Jan\n\n- title: No id\n\n- id: 9x\n",
        );
        assert!(c.is_empty());
        let got: Vec<(Option<usize>, &str)> =
            diags.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert!(
            got.contains(&(Some(3), "unknown field `statment`")),
            "{got:#?}"
        );
        assert!(
            diags.iter().any(
                |d| d.line == Some(3) && d.hint.as_deref() == Some("did you mean `statement`?")
            )
        );
        assert!(
            got.iter()
                .any(|(l, m)| *l == Some(5) && m.contains("unknown frequency `yearly`")),
            "{got:#?}"
        );
        assert!(
            got.iter()
                .any(|(l, m)| *l == Some(6) && m.contains("unknown status `live`"))
        );
        assert!(
            got.iter()
                .any(|(l, m)| *l == Some(7) && m.contains("`since` is not a date"))
        );
        assert!(
            got.iter()
                .any(|(l, m)| *l == Some(9) && m.contains("has no `id`"))
        );
        assert!(
            got.iter()
                .any(|(l, m)| *l == Some(11) && m.contains("invalid control id `9x`"))
        );
    }

    #[test]
    fn a_register_that_is_not_a_list_is_one_error() {
        let (_, diags) = parse("id: ACC-01\n");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("must be a list"));
        let (_, diags) = parse("- id: [unclosed\n");
        assert!(diags[0].message.starts_with("invalid YAML"), "{}", diags[0]);
    }
}
