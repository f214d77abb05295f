//! OSCAL catalogs (`catalog.groups[].controls[]`, enhancements as nested `controls`) read into a
//! `Framework` (`[frameworks.<key>] catalog = "file.json"`, and the built-in NIST baseline). Ids
//! are kept as the standard writes them (`AC-2(1)`, from the control's
//! `label`), and `id_form` turns OSCAL's (`ac-2.1`) into that form. A control's summary is its
//! statement with parameters rendered readably (`[Assignment: organization-defined …]`,
//! `[Selection (one or more): a; b]`). Withdrawn controls are kept, marked, with the control
//! that replaced them. Errors name the JSON path of what is wrong.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Control, Framework, IdStyle, Series};

#[derive(Deserialize)]
struct Document {
    catalog: Catalog,
}

#[derive(Deserialize)]
struct Catalog {
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    groups: Vec<Group>,
    #[serde(default)]
    controls: Vec<RawControl>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    title: String,
}

#[derive(Deserialize)]
struct Group {
    id: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    controls: Vec<RawControl>,
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct RawControl {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    params: Vec<Value>,
    #[serde(default)]
    props: Vec<Prop>,
    #[serde(default)]
    links: Vec<Link>,
    #[serde(default)]
    parts: Vec<Value>,
    #[serde(default)]
    controls: Vec<RawControl>,
}

#[derive(Deserialize)]
struct Prop {
    name: String,
    value: String,
    #[serde(default)]
    class: Option<String>,
}

#[derive(Deserialize)]
struct Link {
    href: String,
    #[serde(default)]
    rel: Option<String>,
}

/// `ac-2.1` → `AC-2(1)`; `AC-2(1)` and `ac-2` stay in the standard's form (`AC-2`).
pub fn id_form(id: &str) -> String {
    let id = id.trim();
    match id.split_once('.') {
        Some((base, enhancement)) if !id.contains('(') => {
            format!("{}({})", base.to_uppercase(), enhancement)
        }
        _ => id.to_uppercase(),
    }
}

/// Reads the OSCAL catalog `json` as framework `key` named `name` (the catalog's own title when
/// empty). Errors give the JSON path of the mistake.
pub fn read(json: &str, key: &str, name: &str) -> Result<Framework, String> {
    let doc: Document = from_json(
        json,
        "an OSCAL catalog",
        "catalog.groups[].controls[] with an id each",
    )?;
    let name = if name.is_empty() {
        doc.catalog.metadata.title.as_str()
    } else {
        name
    };
    let mut series = Vec::new();
    let mut controls: Vec<Control> = Vec::new();
    let mut walk = |group_id: &str, group_title: &str, list: &[RawControl]| {
        if !list.is_empty() && !series.iter().any(|s: &Series| s.id == group_id) {
            series.push(Series {
                id: group_id.to_string(),
                name: group_title.to_string(),
                category: key.to_string(),
            });
        }
        for c in list {
            add(key, group_id, c, None, &mut controls);
        }
    };
    walk(&key.to_uppercase(), name, &doc.catalog.controls);
    let mut stack: Vec<&Group> = doc.catalog.groups.iter().rev().collect();
    while let Some(g) = stack.pop() {
        let gid = g.id.as_deref().map(str::to_uppercase).unwrap_or_default();
        walk(&gid, &g.title, &g.controls);
        stack.extend(g.groups.iter().rev());
    }
    Ok(Framework {
        id: key.to_string(),
        name: name.to_string(),
        categories: vec![key.to_string()],
        series,
        controls,
        id_style: IdStyle::Nist,
        scoped_by_category: false,
        soa_category: None,
        catalog: String::new(),
    })
}

/// Deserializes `json` as `T`; a mistake is reported with its JSON path (`catalog.groups[0]
/// .controls[2]: missing field `id``), its line and what was expected.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    json: &str,
    what: &str,
    expected: &str,
) -> Result<T, String> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        let at = if path == "." || path.is_empty() {
            String::new()
        } else {
            format!("at {path}: ")
        };
        format!(
            "not {what}: {at}{} (line {}, column {}; expected {expected})",
            strip_position(&inner.to_string()),
            inner.line(),
            inner.column()
        )
    })
}

/// serde_json's message without its own " at line L column C" (said once, after).
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

fn add(key: &str, series: &str, c: &RawControl, parent: Option<&str>, out: &mut Vec<Control>) {
    let label = c
        .props
        .iter()
        .find(|p| p.name == "label" && p.class.is_none())
        .or_else(|| c.props.iter().find(|p| p.name == "label"))
        .map(|p| p.value.clone())
        .unwrap_or_else(|| id_form(&c.id));
    let id = id_form(&label);
    let withdrawn = c
        .props
        .iter()
        .any(|p| p.name == "status" && p.value == "withdrawn");
    let replaced_by = c
        .links
        .iter()
        .filter(|l| matches!(l.rel.as_deref(), Some("incorporated-into" | "moved-to")))
        .map(|l| id_form(l.href.trim_start_matches('#')))
        .collect();
    let params = params(&c.params);
    let summary = c
        .parts
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some("statement"))
        .map(|p| statement_text(p, &params))
        .unwrap_or_default();
    out.push(Control {
        withdrawn,
        replaced_by,
        parent: parent.map(str::to_string),
        oscal_id: Some(c.id.clone()),
        ..Control::new(key, &id, &c.title, &summary, series, key)
    });
    for e in &c.controls {
        add(key, series, e, Some(&id), out);
    }
}

/// Each parameter's readable text, by its id and by its alternative identifiers.
fn params(list: &[Value]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for p in list {
        let text = if let Some(sel) = p.get("select") {
            let how = match sel.get("how-many").and_then(Value::as_str) {
                Some("one-or-more") => "Selection (one or more)",
                _ => "Selection",
            };
            let choices: Vec<&str> = sel
                .get("choice")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::trim).collect())
                .unwrap_or_default();
            format!("[{how}: {}]", choices.join("; "))
        } else if let Some(label) = p.get("label").and_then(Value::as_str) {
            format!("[Assignment: {label}]")
        } else {
            "[Assignment]".to_string()
        };
        let mut ids: Vec<String> = p
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .into_iter()
            .collect();
        for prop in p
            .get("props")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if prop.get("name").and_then(Value::as_str) == Some("alt-identifier")
                && let Some(v) = prop.get("value").and_then(Value::as_str)
            {
                ids.push(v.to_string());
            }
        }
        for id in ids {
            out.insert(id, text.clone());
        }
    }
    out
}

/// A statement part and its items as one text: `a. … b. 1. …`, parameters rendered.
fn statement_text(part: &Value, params: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let label = part
        .get("props")
        .and_then(Value::as_array)
        .and_then(|ps| {
            ps.iter()
                .find(|p| p.get("name").and_then(Value::as_str) == Some("label"))
        })
        .and_then(|p| p.get("value").and_then(Value::as_str));
    if let Some(l) = label {
        out.push_str(l);
        out.push(' ');
    }
    if let Some(prose) = part.get("prose").and_then(Value::as_str) {
        out.push_str(&insert_params(prose.trim(), params));
    }
    for sub in part
        .get("parts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = statement_text(sub, params);
        if !text.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&text);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `{{ insert: param, ac-1_prm_1 }}` → the parameter's text (its own inserts too, once).
fn insert_params(prose: &str, params: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(prose.len());
    let mut rest = prose;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = after[..end].trim();
        let id = inner
            .strip_prefix("insert:")
            .map(str::trim)
            .and_then(|s| s.strip_prefix("param,"))
            .map(str::trim);
        match id.and_then(|id| params.get(id)) {
            Some(text) => out.push_str(&insert_params_once(text, params)),
            None => out.push_str("[Assignment]"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A parameter's text with the parameters it names filled in, one level deep.
fn insert_params_once(text: &str, params: &HashMap<String, String>) -> String {
    if !text.contains("{{") {
        return text.to_string();
    }
    let shallow: HashMap<String, String> = params
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if v.contains("{{") {
                    "[Assignment]".into()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    insert_params(text, &shallow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r##"{"catalog": {"uuid": "x", "metadata": {}, "groups": [
      {"id": "ac", "class": "family", "title": "Access Control", "controls": [
        {"id": "ac-2", "title": "Account Management",
         "params": [
           {"id": "ac-02_odp.01", "props": [{"name": "alt-identifier", "value": "ac-2_prm_1"}], "label": "prerequisites and criteria"},
           {"id": "ac-02_odp.02", "select": {"how-many": "one-or-more", "choice": ["disable", "notify {{ insert: param, ac-02_odp.01 }}"]}}],
         "props": [{"name": "label", "value": "AC-02", "class": "zero-padded"}, {"name": "label", "value": "AC-2"}],
         "parts": [{"id": "ac-2_smt", "name": "statement", "parts": [
           {"id": "ac-2_smt.a", "name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Define {{ insert: param, ac-2_prm_1 }};"},
           {"id": "ac-2_smt.b", "name": "item", "props": [{"name": "label", "value": "b."}], "prose": "Then {{ insert: param, ac-02_odp.02 }}."}]}],
         "controls": [
           {"id": "ac-2.1", "title": "Automated System Account Management",
            "props": [{"name": "label", "value": "AC-2(1)"}]}]},
        {"id": "ac-13", "title": "Supervision and Review",
         "props": [{"name": "label", "value": "AC-13"}, {"name": "status", "value": "withdrawn"}],
         "links": [{"href": "#ac-2", "rel": "incorporated-into"}]}]}]}}"##;

    #[test]
    fn a_catalog_reads_with_enhancements_parameters_and_withdrawn_controls() {
        let fw = read(SMALL, "nist-800-53-low", "NIST SP 800-53 Low").expect("reads");
        let controls = &fw.controls;
        let ids: Vec<&str> = fw.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["AC-2", "AC-2(1)", "AC-13"]);
        assert_eq!(fw.series[0].id, "AC");
        assert_eq!(fw.series[0].name, "Access Control");
        assert_eq!(
            fw.controls[0].summary,
            "a. Define [Assignment: prerequisites and criteria]; b. Then [Selection (one or more): disable; notify [Assignment: prerequisites and criteria]]."
        );
        assert_eq!(controls[1].parent.as_deref(), Some("AC-2"));
        assert!(controls[2].withdrawn && controls[2].replaced_by == ["AC-2"]);
        assert_eq!(id_form("ac-2.1"), "AC-2(1)");
        assert_eq!(id_form("AC-2(1)"), "AC-2(1)");
        assert_eq!(id_form("ac-2"), "AC-2");
    }

    #[test]
    fn malformed_catalogs_say_where() {
        let err = read(
            r#"{"catalog": {"groups": [{"id": "ac", "controls": [{"title": "no id"}]}]}}"#,
            "x",
            "X",
        )
        .expect_err("no id");
        assert!(
            err.contains("at catalog.groups[0].controls[0]: missing field `id`")
                && err.contains("line 1"),
            "{err}"
        );
        let err = read(r#"{"catalog": {"groups": [{"controls": {}}]}}"#, "x", "X")
            .expect_err("not a list");
        assert!(
            err.contains("at catalog.groups[0].controls: invalid type"),
            "{err}"
        );
        assert!(read("[]", "x", "X").is_err());
    }

    #[test]
    fn the_nist_low_baseline_reads() {
        let json = include_str!("../../data/nist-800-53-rev5-low-catalog.json");
        let fw = read(json, "nist-800-53-low", "NIST SP 800-53 Rev. 5 Low").expect("reads");
        let controls = &fw.controls;
        assert_eq!(controls.iter().filter(|c| c.parent.is_none()).count(), 131);
        assert_eq!(controls.iter().filter(|c| c.parent.is_some()).count(), 18);
        assert!(fw.controls.iter().any(|c| c.id == "AC-2"));
        let ac1 = &fw.controls[0];
        assert!(
            ac1.summary
                .starts_with("a. Develop, document, and disseminate to [Assignment:"),
            "{}",
            ac1.summary
        );
        assert!(!fw.controls.iter().any(|c| c.summary.contains("{{")));
    }
}
