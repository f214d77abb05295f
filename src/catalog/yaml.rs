//! Catalogs in policybook's simple YAML format, for frameworks that publish no OSCAL (a
//! customer's questionnaire, an internal baseline):
//!
//! ```yaml
//! name: Example Baseline          # optional; the framework's name on pages
//! controls:
//!   - id: EB-1
//!     title: Access reviews
//!     summary: Access is reviewed every quarter.
//!     group: Access               # the series the matrix groups it under
//!     controls:                   # optional: enhancements, listed after it
//!       - id: EB-1.1
//!         title: Privileged access reviews
//!   - id: EB-0
//!     withdrawn: true             # optional: cannot be mapped
//!     replaced_by: [EB-1]
//! ```

use std::collections::HashSet;

use serde::Deserialize;

use super::{Control, Framework, IdStyle, Series};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    name: Option<String>,
    controls: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    withdrawn: bool,
    #[serde(default)]
    replaced_by: Vec<String>,
    #[serde(default)]
    controls: Vec<Entry>,
}

/// Reads a YAML catalog as framework `key`. Errors give the path in the file and its line.
pub(crate) fn read(text: &str, key: &str, name: Option<&str>) -> Result<Framework, String> {
    let de = serde_yaml::Deserializer::from_str(text);
    let file: File = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        let line = inner
            .location()
            .map(|l| format!(" (line {})", l.line()))
            .unwrap_or_default();
        let at = if path == "." {
            String::new()
        } else {
            format!("at {path}: ")
        };
        let message = inner.to_string();
        let message = message
            .split_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_string();
        format!(
            "not a policybook catalog: {at}{message}{line}; expected `controls:` with an `id` each"
        )
    })?;
    let mut series: Vec<Series> = Vec::new();
    let mut controls = Vec::new();
    let mut seen = HashSet::new();
    for (n, e) in file.controls.iter().enumerate() {
        add(
            key,
            e,
            None,
            &format!("controls[{n}]"),
            &mut series,
            &mut controls,
            &mut seen,
        )?;
    }
    let name = name
        .map(str::to_string)
        .or(file.name)
        .unwrap_or_else(|| key.to_string());
    Ok(Framework {
        id: key.to_string(),
        name,
        categories: vec![key.to_string()],
        series,
        controls,
        id_style: IdStyle::AsWritten,
        scoped_by_category: false,
        soa_category: None,
        catalog: String::new(),
    })
}

fn add(
    key: &str,
    e: &Entry,
    parent: Option<&Control>,
    path: &str,
    series: &mut Vec<Series>,
    out: &mut Vec<Control>,
    seen: &mut HashSet<String>,
) -> Result<(), String> {
    let id = e.id.trim();
    if id.is_empty() || id.contains(char::is_whitespace) || id.contains(':') {
        return Err(format!(
            "at {path}.id: `{}` is not usable as an id (no spaces or `:`)",
            e.id
        ));
    }
    if !seen.insert(id.to_string()) {
        return Err(format!("at {path}.id: `{id}` is listed twice"));
    }
    let group = e
        .group
        .clone()
        .or_else(|| parent.map(|p| p.series.clone()))
        .unwrap_or_else(|| "Controls".to_string());
    if !series.iter().any(|s| s.id == group) {
        series.push(Series {
            id: group.clone(),
            name: group.clone(),
            category: key.to_string(),
        });
    }
    let control = Control {
        withdrawn: e.withdrawn,
        replaced_by: e.replaced_by.clone(),
        parent: parent.map(|p| p.id.clone()),
        ..Control::new(key, id, &e.title, e.summary.trim(), &group, key)
    };
    out.push(control.clone());
    for (n, sub) in e.controls.iter().enumerate() {
        add(
            key,
            sub,
            Some(&control),
            &format!("{path}.controls[{n}]"),
            series,
            out,
            seen,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_catalog_reads_with_groups_and_nested_controls() {
        let f = read(
            "name: Example Baseline\ncontrols:\n  - id: EB-1\n    title: Access reviews\n    summary: Reviewed quarterly.\n    group: Access\n    controls:\n      - id: EB-1.1\n        title: Privileged\n  - id: EB-2\n    group: Change\n    withdrawn: true\n    replaced_by: [EB-1]\n",
            "eb",
            None,
        )
        .expect("reads");
        assert_eq!(f.name, "Example Baseline");
        let ids: Vec<&str> = f.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["EB-1", "EB-1.1", "EB-2"]);
        assert_eq!(f.controls[1].parent.as_deref(), Some("EB-1"));
        assert_eq!(f.controls[1].series, "Access");
        assert!(f.controls[2].withdrawn);
        assert_eq!(f.series.len(), 2);
    }

    #[test]
    fn mistakes_name_their_place() {
        let err = read("controls:\n  - id: A\n  - title: no id\n", "x", None).expect_err("no id");
        assert!(
            err.contains("controls[1]") && err.contains("missing field `id`"),
            "{err}"
        );
        assert!(err.contains("line 3"), "{err}");
        let err = read("controls:\n  - id: A\n  - id: A\n", "x", None).expect_err("twice");
        assert!(
            err.contains("at controls[1].id: `A` is listed twice"),
            "{err}"
        );
        let err =
            read("controls:\n  - id: A\n    titel: x\n", "x", None).expect_err("unknown field");
        assert!(err.contains("unknown field `titel`"), "{err}");
    }
}
