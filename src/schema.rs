//! `policybook schema`: JSON Schemas (2020-12) of the front matter and of the control register,
//! for editors and other tools. They say what `parse::frontmatter` and `parse::register` accept;
//! the tests validate the sample documents and the register fixture with them.

use serde_json::{Value, json};

use crate::catalog::Catalog;
use crate::model::exception::{ExceptionStatus, Risk};
use crate::model::register::{Automation, ControlStatus, ControlType, Frequency};
use crate::model::{Cadence, Kind, Status};
use crate::pipeline::parse::frontmatter::FIELDS;
use crate::pipeline::parse::register::FIELDS as REGISTER_FIELDS;

/// A JSON Schema of the front matter, with the control ids of `default_framework` (and of the
/// register, `register_ids`) for completion.
pub fn front_matter_schema(
    catalog: &Catalog,
    default_framework: &str,
    register_ids: &[&str],
) -> Value {
    let mut ids = criteria_ids(catalog, default_framework);
    ids.extend_from_slice(register_ids);
    let frameworks: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
    let list_of = |item: Value, what: &str| {
        json!({
            "description": format!("{what}: a list, or one value (comma-separated values are split)."),
            "oneOf": [
                { "type": "array", "items": item },
                { "type": "string" }
            ]
        })
    };
    let text = json!({ "type": ["string", "number", "boolean"] });
    let control_id = json!({ "type": "string", "enum": ids });
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://policybook.dev/schema/front-matter.json",
        "title": "policybook document front matter",
        "description": "The YAML block between `---` lines at the top of every document under policies/.",
        "type": "object",
        "additionalProperties": false,
        "required": ["title"],
        "properties": {
            "id": {
                "description": "Unique id used in URLs and `policy:` links. Default: the file name without .md.",
                "type": "string",
                "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
            },
            "title": { "description": "The document's title.", "type": "string", "minLength": 1 },
            "kind": {
                "description": "What the document is. Default: policy.",
                "enum": Kind::NAMES
            },
            "owner": {
                "description": "The role accountable for the document. Required for policies.",
                "type": "string",
                "minLength": 1
            },
            "approvers": list_of(text.clone(), "Roles or people who approve the document"),
            "version": { "description": "Free text shown to readers.", "type": ["string", "number"] },
            "effective": date_field("Date the document takes effect, YYYY-MM-DD."),
            "review": {
                "description": "Review cadence: annual, semiannual, quarterly, monthly or `N months` (1 to 120).",
                "anyOf": [
                    { "enum": Cadence::NAMES },
                    { "type": "string", "pattern": "^([1-9]|[1-9][0-9]|1[01][0-9]|120) months?$" }
                ]
            },
            "status": {
                "description": "Only published documents count as evidence. Default: published. For an exception: open (default), closed or revoked.",
                "enum": Status::NAMES.iter().chain(ExceptionStatus::NAMES).collect::<Vec<_>>()
            },
            "controls": {
                "description": format!(
                    "Controls the whole document addresses: ids of the default framework ({default_framework}), or a map framework → ids."
                ),
                "oneOf": [
                    { "type": "array", "items": control_id },
                    { "type": "string" },
                    {
                        "type": "object",
                        "propertyNames": { "enum": frameworks },
                        "additionalProperties": {
                            "oneOf": [
                                { "type": "array", "items": { "type": "string" } },
                                { "type": "string" }
                            ]
                        }
                    }
                ]
            },
            "implements": list_of(json!({ "type": "string" }), "Ids of the documents this one puts into practice"),
            "tags": list_of(text, "Free labels"),
            "weight": { "description": "Place in the sidebar and reading order: lower first; documents without one follow, by title.", "type": "integer" },
            "extra": { "description": "Free data for templates (`page.extra`).", "type": ["object", "null"] },
            "exception_to": {
                "description": "Exceptions: the excepted document's id, or `id#section`.",
                "type": "string",
                "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(#.+)?$"
            },
            "requested_by": { "description": "Exceptions: who asked for it.", "type": "string", "minLength": 1 },
            "approved_by": { "description": "Exceptions: who granted it; not the requester.", "type": "string", "minLength": 1 },
            "granted": date_field("Exceptions: the date it was granted, YYYY-MM-DD."),
            "expires": date_field("Exceptions: the date it ends at the latest, YYYY-MM-DD."),
            "risk": { "description": "Exceptions: the risk accepted.", "enum": Risk::NAMES },
            "compensating": {
                "description": "Exceptions: controls that reduce the risk meanwhile.",
                "oneOf": [
                    { "type": "array", "items": control_id },
                    { "type": "string" }
                ]
            }
        },
        "allOf": [
            // A policy needs an owner; `kind` missing means policy.
            {
                "if": { "properties": { "kind": { "const": "policy" } } },
                "then": { "required": ["owner"] }
            },
            // An exception records what, who and when; other documents have none of that.
            {
                "if": { "properties": { "kind": { "const": "exception" } }, "required": ["kind"] },
                "then": {
                    "required": ["exception_to", "requested_by", "approved_by", "granted", "expires"],
                    "properties": {
                        "status": { "enum": ExceptionStatus::NAMES },
                        "controls": false,
                        "implements": false,
                        "review": false
                    }
                },
                "else": {
                    "properties": {
                        "status": { "enum": Status::NAMES },
                        "exception_to": false,
                        "requested_by": false,
                        "approved_by": false,
                        "granted": false,
                        "expires": false,
                        "risk": false,
                        "compensating": false
                    }
                }
            }
        ]
    });
    debug_assert_eq!(
        schema["properties"].as_object().map(|p| p.len()),
        Some(FIELDS.len())
    );
    schema
}

/// `YYYY-MM-DD`, as every date of the front matter and the register is written.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// A date field with its description.
fn date_field(description: &str) -> Value {
    json!({ "description": description, "type": "string", "pattern": DATE_PATTERN })
}

fn criteria_ids<'a>(catalog: &'a Catalog, framework: &str) -> Vec<&'a str> {
    catalog
        .framework(framework)
        .map(|f| f.controls.iter().map(|c| c.id.as_str()).collect())
        .unwrap_or_default()
}

/// A JSON Schema of `controls.yaml` (and of each file of `controls/`): a list of controls.
pub fn register_schema(catalog: &Catalog, default_framework: &str) -> Value {
    let frameworks: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
    let date = json!({ "type": "string", "pattern": DATE_PATTERN });
    let text = json!({ "type": "string", "minLength": 1 });
    let control = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "title", "statement", "owner", "frequency"],
        "properties": {
            "id": {
                "description": "Unique id, distinct from every criterion id: `ACC-02`.",
                "type": "string",
                "pattern": "^[A-Za-z][A-Za-z0-9._-]*$"
            },
            "title": { "description": "A short name.", "type": "string", "minLength": 1 },
            "statement": { "description": "What is done, by whom, how often (Markdown).", "type": "string", "minLength": 1 },
            "owner": { "description": "The role that performs it.", "type": "string", "minLength": 1 },
            "frequency": { "description": "How often it operates.", "enum": Frequency::NAMES },
            "type": { "description": "What it does about a risk.", "enum": ControlType::NAMES },
            "automation": { "description": "Who or what performs it.", "enum": Automation::NAMES },
            "status": { "description": "Where it stands. Default: implemented.", "enum": ControlStatus::NAMES },
            "since": { "description": "When it started operating, YYYY-MM-DD.", "allOf": [date] },
            "until": { "description": "When it stopped, YYYY-MM-DD.", "allOf": [date] },
            "replaced_by": { "description": "For a retired control: the id of the one that took over.", "type": "string" },
            "criteria": {
                "description": format!("The criteria it meets: ids of the default framework ({default_framework}), or a map framework → ids."),
                "oneOf": [
                    { "type": "array", "items": { "enum": criteria_ids(catalog, default_framework) } },
                    { "type": "string" },
                    {
                        "type": "object",
                        "propertyNames": { "enum": frameworks },
                        "additionalProperties": {
                            "oneOf": [
                                { "type": "array", "items": { "type": "string" } },
                                { "type": "string" }
                            ]
                        }
                    }
                ]
            },
            "evidence": {
                "description": "What an auditor will ask for.",
                "type": "array",
                "items": {
                    "oneOf": [
                        text.clone(),
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["name"],
                            "properties": {
                                "name": { "description": "The evidence: `access review ticket with reviewer sign-off`.", "type": "string", "minLength": 1 },
                                "system": { "description": "Where it lives: `Jira`.", "type": "string" },
                                "population": { "description": "What is sampled: `each quarterly review`.", "type": "string" }
                            }
                        }
                    ]
                }
            },
            "responsibility": {
                "description": "Whose control: the organisation's (default), the customer's (a CUEC) or a subservice organisation's (a CSOC).",
                "type": "string",
                "pattern": "^(organization|customer|subservice:.+)$"
            }
        }
    });
    debug_assert_eq!(
        control["properties"].as_object().map(|p| p.len()),
        Some(REGISTER_FIELDS.len())
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://policybook.dev/schema/controls.json",
        "title": "policybook control register",
        "description": "controls.yaml beside site.toml, or each *.yaml under controls/: the organisation's controls.",
        "type": ["array", "null"],
        "items": control
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_every_field_and_control() {
        let s = front_matter_schema(&Catalog::builtin(), "soc2", &[]);
        let props = s["properties"].as_object().unwrap();
        let mut names: Vec<&str> = props.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut fields = FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(names, fields);
        assert_eq!(
            s["properties"]["controls"]["oneOf"][0]["items"]["enum"]
                .as_array()
                .unwrap()
                .len(),
            61
        );
    }

    #[test]
    fn the_register_schema_names_every_field() {
        let s = register_schema(&Catalog::builtin(), "soc2");
        let props = s["items"]["properties"].as_object().unwrap();
        let mut names: Vec<&str> = props.keys().map(String::as_str).collect();
        names.sort_unstable();
        let mut fields = REGISTER_FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(names, fields);
    }
}
