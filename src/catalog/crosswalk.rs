//! Crosswalks: mappings from the controls of one framework to another's (`[[crosswalks]]`), in
//! policybook's YAML format or as an OSCAL mapping-collection. The trace uses them to show a
//! criterion nothing meets directly as met *via* the crosswalk, never as covered directly:
//!
//! ```yaml
//! mappings:
//!   - source: CC6.1              # a control of `from`
//!     target: A.5.15             # a control of `to`
//!     relationship: equivalent-to
//! ```
//!
//! Relationships are NIST IR 8477's set-theory ones, as OSCAL writes them: `equal-to`,
//! `equivalent-to` and `superset-of` (the source covers all of the target) carry coverage;
//! `subset-of` and `intersects-with` are partial and leave a gap a gap.

use serde::{Deserialize, Serialize};

use super::{Framework, oscal};

/// How a source control relates to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// The same text.
    EqualTo,
    /// The same requirement in other words.
    EquivalentTo,
    /// The source asks for all the target does, and more.
    SupersetOf,
    /// The source asks for part of what the target does.
    SubsetOf,
    /// They overlap.
    IntersectsWith,
    /// Recorded as unrelated.
    NoRelationship,
}

impl Relationship {
    const NAMES: &[&str] = &[
        "equal-to",
        "equivalent-to",
        "superset-of",
        "subset-of",
        "intersects-with",
        "no-relationship",
    ];

    fn parse(s: &str) -> Option<Relationship> {
        Some(match s {
            "equal-to" => Relationship::EqualTo,
            "equivalent-to" => Relationship::EquivalentTo,
            "superset-of" => Relationship::SupersetOf,
            "subset-of" => Relationship::SubsetOf,
            "intersects-with" => Relationship::IntersectsWith,
            "no-relationship" => Relationship::NoRelationship,
            _ => return None,
        })
    }

    /// As OSCAL writes it.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// A source met meets the whole target.
    pub fn carries_coverage(self) -> bool {
        matches!(
            self,
            Relationship::EqualTo | Relationship::EquivalentTo | Relationship::SupersetOf
        )
    }

    /// A source met meets part of the target.
    pub fn is_partial(self) -> bool {
        matches!(self, Relationship::SubsetOf | Relationship::IntersectsWith)
    }
}

/// One source → target pair of a crosswalk.
#[derive(Debug, Clone)]
pub struct Map {
    /// A control of the `from` framework, in its canonical form.
    pub source: String,
    /// A control of the `to` framework.
    pub target: String,
    /// How they relate.
    pub relationship: Relationship,
}

/// A `[[crosswalks]]` entry, read and checked.
#[derive(Debug, Clone)]
pub struct Crosswalk {
    /// Framework key it maps from.
    pub from: String,
    /// Framework key it maps to.
    pub to: String,
    /// The mapping file, as site.toml names it.
    pub file: String,
    /// `enabled = false`: listed, but carries nothing.
    pub enabled: bool,
    /// Its pairs, in file order.
    pub maps: Vec<Map>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlFile {
    mappings: Vec<YamlMap>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlMap {
    source: String,
    target: String,
    relationship: String,
    #[serde(default)]
    #[allow(dead_code)]
    remarks: Option<String>,
}

#[derive(Deserialize)]
struct OscalFile {
    #[serde(rename = "mapping-collection")]
    collection: OscalCollection,
}

#[derive(Deserialize)]
struct OscalCollection {
    mappings: OneOrMany<OscalMapping>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

#[derive(Deserialize)]
struct OscalMapping {
    maps: Vec<OscalMap>,
}

#[derive(Deserialize)]
struct OscalMap {
    relationship: String,
    sources: Vec<OscalItem>,
    targets: Vec<OscalItem>,
}

#[derive(Deserialize)]
struct OscalItem {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "id-ref")]
    id_ref: String,
}

/// One pair as the file has it, with where it is for messages.
struct Raw {
    at: String,
    source: String,
    target: String,
    relationship: String,
}

/// Reads the mapping `text` (`file`, JSON when it ends in `.json`) from framework `from` to
/// `to`. Every id must be a current control of its framework and every relationship known:
/// errors name the file's entry (`mappings[3].target`).
pub fn read(
    text: &str,
    file: &str,
    from: &Framework,
    to: &Framework,
) -> Result<Vec<Map>, Vec<String>> {
    let raw = if file.to_ascii_lowercase().ends_with(".json") {
        read_oscal(text).map_err(|e| vec![e])?
    } else {
        read_yaml(text).map_err(|e| vec![e])?
    };
    let mut maps = Vec::new();
    let mut errors = Vec::new();
    for r in raw {
        let source = canonical(from, &r.source);
        let target = canonical(to, &r.target);
        let relationship = Relationship::parse(&r.relationship);
        if source.is_none() {
            errors.push(format!(
                "at {}.source: `{}` is not a control of {} ({})",
                r.at, r.source, from.id, from.name
            ));
        }
        if target.is_none() {
            errors.push(format!(
                "at {}.target: `{}` is not a control of {} ({})",
                r.at, r.target, to.id, to.name
            ));
        }
        if relationship.is_none() {
            errors.push(format!(
                "at {}.relationship: unknown relationship `{}`; one of {}",
                r.at,
                r.relationship,
                Relationship::NAMES.join(", ")
            ));
        }
        if let (Some(source), Some(target), Some(relationship)) = (source, target, relationship) {
            maps.push(Map {
                source,
                target,
                relationship,
            });
        }
    }
    if errors.is_empty() {
        Ok(maps)
    } else {
        Err(errors)
    }
}

/// The id as `framework` stores it, when it is a current control of it.
fn canonical(framework: &Framework, id: &str) -> Option<String> {
    let wanted = match framework.id_style {
        super::IdStyle::AsWritten => id.trim().to_string(),
        super::IdStyle::Nist => oscal::id_form(id),
    };
    framework
        .controls
        .iter()
        .find(|c| c.id == wanted && !c.withdrawn)
        .map(|c| c.id.clone())
}

fn read_yaml(text: &str) -> Result<Vec<Raw>, String> {
    let de = serde_yaml::Deserializer::from_str(text);
    let file: YamlFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let line = e
            .inner()
            .location()
            .map(|l| format!(" (line {})", l.line()))
            .unwrap_or_default();
        let message = e.inner().to_string();
        let message = message
            .split_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_string();
        format!(
            "not a crosswalk: at {}: {message}{line}; expected `mappings:` with source, target and relationship each",
            e.path()
        )
    })?;
    Ok(file
        .mappings
        .into_iter()
        .enumerate()
        .map(|(n, m)| Raw {
            at: format!("mappings[{n}]"),
            source: m.source,
            target: m.target,
            relationship: m.relationship,
        })
        .collect())
}

fn read_oscal(text: &str) -> Result<Vec<Raw>, String> {
    let file: OscalFile = oscal::from_json(
        text,
        "an OSCAL mapping-collection",
        "mapping-collection.mappings[].maps[] with relationship, sources and targets",
    )?;
    let mappings = match file.collection.mappings {
        OneOrMany::One(m) => vec![m],
        OneOrMany::Many(list) => list,
    };
    let mut out = Vec::new();
    for (i, mapping) in mappings.iter().enumerate() {
        for (j, map) in mapping.maps.iter().enumerate() {
            let at = format!("mapping-collection.mappings[{i}].maps[{j}]");
            // Statement-level items map a part of a control: count them as the control.
            let ids = |items: &[OscalItem]| -> Vec<String> {
                items
                    .iter()
                    .map(|x| match x.kind.as_str() {
                        "statement" => x
                            .id_ref
                            .split_once("_smt")
                            .map_or(x.id_ref.clone(), |(c, _)| c.to_string()),
                        _ => x.id_ref.clone(),
                    })
                    .collect()
            };
            for (s, source) in ids(&map.sources).into_iter().enumerate() {
                for (t, target) in ids(&map.targets).into_iter().enumerate() {
                    out.push(Raw {
                        at: format!("{at} (sources[{s}] → targets[{t}])"),
                        source: source.clone(),
                        target,
                        relationship: map.relationship.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{iso27001, soc2};

    #[test]
    fn yaml_and_oscal_mappings_read_and_unknown_ids_are_named() {
        let soc2 = soc2::framework("soc2");
        let iso = iso27001::framework("iso27001");
        let maps = read(
            "mappings:\n  - source: CC6.1\n    target: A.5.15\n    relationship: equivalent-to\n",
            "x.yaml",
            &soc2,
            &iso,
        )
        .expect("reads");
        assert_eq!(maps[0].target, "A.5.15");
        assert!(maps[0].relationship.carries_coverage());
        let errors = read(
            "mappings:\n  - source: CC6.1\n    target: A.5.15\n    relationship: equal-to\n  - source: CC6.9\n    target: A.9.9\n    relationship: kinda\n",
            "x.yaml",
            &soc2,
            &iso,
        )
        .expect_err("unknown ids");
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("at mappings[1].source: `CC6.9` is not a control of soc2"));
        assert!(errors[1].starts_with("at mappings[1].target: `A.9.9`"));
        assert!(errors[2].contains("unknown relationship `kinda`"));
        let json = r#"{"mapping-collection": {"uuid": "u", "mappings": [{"maps": [
            {"uuid": "m", "relationship": "subset-of",
             "sources": [{"type": "control", "id-ref": "CC6.2"}],
             "targets": [{"type": "control", "id-ref": "A.5.16"}, {"type": "control", "id-ref": "A.5.99"}]}]}]}}"#;
        let errors = read(json, "m.json", &soc2, &iso).expect_err("A.5.99");
        assert_eq!(
            errors,
            [
                "at mapping-collection.mappings[0].maps[0] (sources[0] → targets[1]).target: `A.5.99` is not a control of iso27001 (ISO/IEC 27001:2022)"
            ]
        );
        let errors = read(
            r#"{"mapping-collection": {"mappings": [{"maps": [{"sources": []}]}]}}"#,
            "m.json",
            &soc2,
            &iso,
        )
        .expect_err("malformed");
        assert!(
            errors[0].contains("at mapping-collection.mappings"),
            "{errors:?}"
        );
    }
}
