//! OSCAL catalogs for the frameworks that publish none (SOC 2, ISO 27001, YAML catalogs),
//! written in our own words beside the component definition, so that every
//! control-implementation's `source` resolves. Ids become OSCAL tokens (`CC6.1` → `cc6.1`, ISO's
//! clause `6.1.3` → `clause-6.1.3`); the id as the standard writes it is the control's `label`.

use serde_json::{Value, json};

use crate::catalog::{Control, Framework};

use super::{Ids, NIST_LOW_URI, NS, OSCAL_VERSION};

/// The published OSCAL catalog a framework comes from, when it has one: NIST's, or the OSCAL
/// file site.toml names (as written there, relative to the handbook).
pub(super) fn published_source(f: &Framework) -> Option<String> {
    if f.catalog == "nist-800-53-low" {
        Some(NIST_LOW_URI.to_string())
    } else if f.catalog.to_ascii_lowercase().ends_with(".json") {
        Some(f.catalog.clone())
    } else {
        None
    }
}

/// The control's id in its OSCAL catalog: as read, or made a token from ours.
pub(super) fn control_id(c: &Control) -> String {
    c.oscal_id.clone().unwrap_or_else(|| token(&c.id))
}

/// `CC6.1` → `cc6.1`; an id that does not start with a letter gets `clause-` before it; any
/// character OSCAL's tokens do not allow becomes `-`.
fn token(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out = format!("clause-{out}");
    }
    out
}

/// Framework `f` as an OSCAL catalog: its series as groups, controls with their label and our
/// summary as the statement, enhancements nested under their control.
pub(super) fn catalog_json(f: &Framework, ids: &Ids, modified: &str, version: &str) -> Value {
    let groups: Vec<Value> = f
        .series
        .iter()
        .filter_map(|s| {
            let controls: Vec<Value> = f
                .controls
                .iter()
                .filter(|c| c.series == s.id && c.parent.is_none())
                .map(|c| control_json(f, c))
                .collect();
            (!controls.is_empty()).then(|| {
                json!({
                    "id": token(&s.id),
                    "class": "series",
                    "title": s.name,
                    "controls": controls,
                })
            })
        })
        .collect();
    json!({
        "catalog": {
            "uuid": ids.of(&format!("catalog/{}", f.id)),
            "metadata": {
                "title": f.name,
                "last-modified": modified,
                "version": version,
                "oscal-version": OSCAL_VERSION,
                "props": [{"name": "framework", "ns": NS, "value": f.id}],
                "remarks": "Identifiers as the standard publishes them; titles and statements are policybook's own summaries, not the standard's text.",
            },
            "groups": groups,
        }
    })
}

fn control_json(f: &Framework, c: &Control) -> Value {
    let id = control_id(c);
    let mut props = vec![json!({"name": "label", "value": c.id})];
    if c.withdrawn {
        props.push(json!({"name": "status", "value": "withdrawn"}));
    }
    let mut v = json!({
        "id": id,
        "class": f.id,
        "title": if c.title.is_empty() { c.id.clone() } else { c.title.clone() },
        "props": props,
    });
    if !c.summary.is_empty() {
        v["parts"] = json!([{"id": format!("{id}_smt"), "name": "statement", "prose": c.summary}]);
    }
    let children: Vec<Value> = f
        .controls
        .iter()
        .filter(|x| x.parent.as_deref() == Some(c.id.as_str()))
        .map(|x| control_json(f, x))
        .collect();
    if !children.is_empty() {
        v["controls"] = Value::Array(children);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_oscal_tokens() {
        assert_eq!(token("CC6.1"), "cc6.1");
        assert_eq!(token("6.1.3"), "clause-6.1.3");
        assert_eq!(token("A.5.15"), "a.5.15");
        assert_eq!(token("EB 1/2"), "eb-1-2");
    }
}
