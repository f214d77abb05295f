//! `people.yaml` → people and the roles they held. Each entry is read field by field like the
//! register, so every mistake names its line; an email or login claimed by two people is an
//! error naming both (an identity must lead to one person).

use std::collections::HashMap;
use std::sync::Arc;

use serde_yaml::{Mapping, Value};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::people::{People, Person, RoleSpan};
use crate::pipeline::load::SourceFile;

use super::fields::{ListKind, Reader, read_list, scalar_text};

/// Every field of a person, in the order the README documents them.
pub const FIELDS: &[&str] = &["name", "emails", "logins", "roles"];
const ROLE_FIELDS: &[&str] = &["role", "from", "until"];

/// The people of `people.yaml` (an empty `People` without one).
pub fn parse_people(source: Option<&SourceFile>, diags: &mut Diagnostics) -> People {
    let Some(source) = source else {
        return People::default();
    };
    let persons = read_list(
        source,
        &ListKind {
            what: "the people file",
            items: "people",
            example: "`- name: Jane Doe`",
        },
        diags,
        read_person,
    );
    let people = People {
        persons,
        file: Some(source.display.clone()),
        source: Arc::clone(&source.text),
    };
    check_identities(&people, source, diags);
    people
}

/// The people of a `people.yaml` text read from history: its mistakes were reported when it was
/// current, and are not reported again.
pub fn people_from_text(text: &str) -> People {
    let source = SourceFile {
        path: crate::model::people::PEOPLE_FILE.into(),
        display: crate::model::people::PEOPLE_FILE.into(),
        text: text.into(),
    };
    parse_people(Some(&source), &mut Diagnostics::new())
}

fn read_person(r: &Reader<'_>, map: Mapping, diags: &mut Diagnostics) -> Option<Person> {
    let mut person = Person {
        name: String::new(),
        emails: Vec::new(),
        logins: Vec::new(),
        roles: Vec::new(),
        line: r.first_line,
    };
    let mut ok = true;
    for (key, value) in map {
        let key = key.as_str().unwrap_or_default().to_string();
        let line = r.key_line(&key).unwrap_or(r.first_line);
        let result = match key.as_str() {
            "name" => r.string(&key, &value, line).map(|s| person.name = s),
            "emails" => r.list(&key, &value, line).map(|v| person.emails = v),
            "logins" => r.list(&key, &value, line).map(|v| person.logins = v),
            "roles" => read_roles(r, &value, line).map(|v| person.roles = v),
            other => Err(r.unknown_field(line, other, FIELDS, "")),
        };
        if let Err(d) = result {
            ok = false;
            diags.push(d);
        }
    }
    if person.name.is_empty() {
        diags.push(
            r.error_at(r.first_line, "a person has no `name`")
                .hint("write `- name: Jane Doe`, then `emails`, `logins` and `roles` under it"),
        );
        return None;
    }
    ok.then_some(person)
}

/// `roles: [CISO]` or `roles: [{role: CISO, from: 2024-01-01, until: 2025-06-30}]`.
fn read_roles(r: &Reader<'_>, value: &Value, line: usize) -> Result<Vec<RoleSpan>, Diagnostic> {
    let Value::Sequence(items) = value else {
        return match value {
            Value::Null => Ok(Vec::new()),
            Value::String(_) => Ok(r
                .list("roles", value, line)?
                .into_iter()
                .map(|role| RoleSpan {
                    role,
                    from: None,
                    until: None,
                    line,
                })
                .collect()),
            _ => Err(r.error_at(line, "`roles` must be a list").hint(
                "write one `- role: CISO` per role, with `from:` and `until:` dates under it",
            )),
        };
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::String(_) => out.push(RoleSpan {
                role: scalar_text(item).trim().to_string(),
                from: None,
                until: None,
                line: r.value_line(line, &scalar_text(item)),
            }),
            Value::Mapping(m) => {
                let mut span = RoleSpan {
                    role: String::new(),
                    from: None,
                    until: None,
                    line,
                };
                for (k, v) in m {
                    let k = k.as_str().unwrap_or_default().to_string();
                    let at = r.value_line(line, &format!("{k}:"));
                    match k.as_str() {
                        "role" => {
                            span.role = r.string(&k, v, at)?;
                            span.line = at;
                        }
                        "from" => span.from = Some(r.date(&k, v, at)?.value),
                        "until" => span.until = Some(r.date(&k, v, at)?.value),
                        other => return Err(r.unknown_field(at, other, ROLE_FIELDS, "role ")),
                    }
                }
                if span.role.is_empty() {
                    return Err(r
                        .error_at(line, "a role has no `role`")
                        .hint("name it: `- role: CISO`"));
                }
                if let (Some(f), Some(u)) = (span.from, span.until)
                    && u < f
                {
                    return Err(r
                        .error_at(
                            span.line,
                            format!("`{}` ends ({u}) before it starts ({f})", span.role),
                        )
                        .hint("correct `from` or `until`"));
                }
                out.push(span);
            }
            _ => {
                return Err(r
                    .error_at(
                        line,
                        "each role must be a name or a `role:` / `from:` / `until:` map",
                    )
                    .hint("e.g. `- role: CISO`"));
            }
        }
    }
    Ok(out)
}

/// An email or login that two people claim would make approvals ambiguous.
fn check_identities(people: &People, source: &SourceFile, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, (&str, usize)> = HashMap::new();
    for p in &people.persons {
        let ids = p
            .emails
            .iter()
            .map(|e| ("email", e))
            .chain(p.logins.iter().map(|l| ("login", l)));
        for (kind, id) in ids {
            let key = format!("{kind}:{}", id.to_lowercase());
            match seen.get(&key) {
                Some((other, line)) if *other != p.name => {
                    let at = source
                        .text
                        .lines()
                        .enumerate()
                        .skip(p.line.saturating_sub(1))
                        .find(|(_, l)| l.contains(id.as_str()))
                        .map_or(p.line, |(i, _)| i + 1);
                    diags.push(
                        Diagnostic::error(format!(
                            "the {kind} `{id}` is {other}'s too (line {line})"
                        ))
                        .at_line(&source.display, &source.text, at)
                        .pointing_at(id)
                        .hint("an identity must lead to one person: remove it from one of them"),
                    );
                }
                Some(_) => {}
                None => {
                    seen.insert(key, (&p.name, p.line));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (People, Vec<Diagnostic>) {
        let mut diags = Diagnostics::new();
        let src = SourceFile {
            path: "people.yaml".into(),
            display: "people.yaml".into(),
            text: text.into(),
        };
        let p = parse_people(Some(&src), &mut diags);
        (p, diags.sorted())
    }

    #[test]
    fn people_roles_and_mistakes() {
        let (p, d) = parse(
            "- name: Jane Doe\n  emails: [jane@example.com]\n  logins: [jdoe]\n  roles:\n    - role: CISO\n      from: 2023-01-01\n      until: 2025-06-30\n    - Security committee\n- name: Raj Patel\n  emails: jane@example.com\n  roles: [{role: CISO, from: 2025-07-01}]\n- name: Bad\n  role: CTO\n  roles:\n    - role: CTO\n      from: 2025-02-01\n      until: 2025-01-01\n",
        );
        assert_eq!(p.persons.len(), 2, "{d:#?}");
        assert_eq!(p.persons[0].roles.len(), 2);
        assert_eq!(p.persons[0].roles[0].line, 5);
        assert_eq!(p.roles(), ["CISO", "Security committee"]);
        let messages: Vec<String> = d
            .iter()
            .map(|d| format!("{}: {}", d.line.unwrap_or(0), d.message))
            .collect();
        assert_eq!(
            messages,
            [
                "10: the email `jane@example.com` is Jane Doe's too (line 1)",
                "13: unknown field `role`",
                "15: `CTO` ends (2025-01-01) before it starts (2025-02-01)",
            ],
            "{d:#?}"
        );
    }
}
