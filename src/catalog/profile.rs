//! Which controls of a framework are in scope: an OSCAL profile's imports (`include-all`, or
//! `include-controls` by id with `with-child-controls`, minus `exclude-controls`), or a plain
//! list of ids in site.toml. Every id must be a control of the catalog: a baseline that names
//! controls the catalog lacks is a mistake to fix, not something to skip quietly.

use std::collections::HashSet;

use serde::Deserialize;

use super::{Framework, oscal};

#[derive(Deserialize)]
struct Document {
    profile: Profile,
}

#[derive(Deserialize)]
struct Profile {
    imports: Vec<Import>,
}

#[derive(Deserialize)]
struct Import {
    #[serde(default, rename = "include-all")]
    include_all: Option<serde_json::Value>,
    #[serde(default, rename = "include-controls")]
    include_controls: Vec<Selection>,
    #[serde(default, rename = "exclude-controls")]
    exclude_controls: Vec<Selection>,
}

#[derive(Deserialize)]
struct Selection {
    #[serde(default, rename = "with-ids")]
    with_ids: Vec<String>,
    #[serde(default, rename = "with-child-controls")]
    with_child_controls: Option<String>,
    #[serde(default)]
    matching: Vec<serde_json::Value>,
}

/// Marks the controls of `framework` an OSCAL profile selects; the others are out of scope.
/// Errors name the JSON path of the mistake.
pub(crate) fn apply_oscal(framework: &mut Framework, json: &str) -> Result<(), Vec<String>> {
    let doc: Document = oscal::from_json(
        json,
        "an OSCAL profile",
        "profile.imports[] with include-all or include-controls",
    )
    .map_err(|e| vec![e])?;
    let mut chosen: HashSet<usize> = HashSet::new();
    let mut errors = Vec::new();
    for (i, import) in doc.profile.imports.iter().enumerate() {
        let mut included: HashSet<usize> = HashSet::new();
        if import.include_all.is_some() {
            included.extend(0..framework.controls.len());
        }
        for (kind, list, target) in [
            ("include-controls", &import.include_controls, true),
            ("exclude-controls", &import.exclude_controls, false),
        ] {
            for (s, sel) in list.iter().enumerate() {
                let at = format!("profile.imports[{i}].{kind}[{s}]");
                if !sel.matching.is_empty() {
                    errors.push(format!(
                        "at {at}.matching: selecting controls by pattern is not supported; list them in `with-ids`"
                    ));
                }
                let children = sel.with_child_controls.as_deref() == Some("yes");
                for (n, id) in sel.with_ids.iter().enumerate() {
                    match find(framework, id) {
                        Some(c) => {
                            let mut these = vec![c];
                            if children {
                                these.extend(descendants(framework, c));
                            }
                            for c in these {
                                if target {
                                    included.insert(c);
                                } else {
                                    included.remove(&c);
                                }
                            }
                        }
                        None => errors.push(format!(
                            "at {at}.with-ids[{n}]: `{id}` is not a control of {}",
                            framework.name
                        )),
                    }
                }
            }
        }
        if import.include_all.is_none() && import.include_controls.is_empty() {
            errors.push(format!(
                "at profile.imports[{i}]: it includes nothing; add `include-all: {{}}` or `include-controls`"
            ));
        }
        chosen.extend(included);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (n, c) in framework.controls.iter_mut().enumerate() {
        c.selected = chosen.contains(&n);
    }
    Ok(())
}

/// Marks the controls of `framework` a list of ids names (enhancements not included).
pub(crate) fn apply_list(framework: &mut Framework, ids: &[String]) -> Result<(), Vec<String>> {
    let mut chosen = HashSet::new();
    let mut errors = Vec::new();
    for id in ids {
        match find(framework, id) {
            Some(c) => {
                chosen.insert(c);
            }
            None => errors.push(format!("`{id}` is not a control of {}", framework.name)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (n, c) in framework.controls.iter_mut().enumerate() {
        c.selected = chosen.contains(&n);
    }
    Ok(())
}

/// The position of control `id` in `framework`, in any spelling it accepts.
fn find(framework: &Framework, id: &str) -> Option<usize> {
    let wanted = match framework.id_style {
        super::IdStyle::AsWritten => id.to_string(),
        super::IdStyle::Nist => oscal::id_form(id),
    };
    framework.controls.iter().position(|c| c.id == wanted)
}

/// Every control below `c` (its enhancements, theirs…).
fn descendants(framework: &Framework, c: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut parents = vec![framework.controls[c].id.clone()];
    while let Some(p) = parents.pop() {
        for (n, x) in framework.controls.iter().enumerate() {
            if x.parent.as_deref() == Some(p.as_str()) {
                out.push(n);
                parents.push(x.id.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nist() -> Framework {
        oscal::read(
            include_str!("../../data/nist-800-53-rev5-low-catalog.json"),
            "nist",
            "",
        )
        .expect("reads")
    }

    fn selected(f: &Framework) -> Vec<&str> {
        f.controls
            .iter()
            .filter(|c| c.selected)
            .map(|c| c.id.as_str())
            .collect()
    }

    #[test]
    fn a_profile_includes_with_children_and_excludes() {
        let mut f = nist();
        apply_oscal(
            &mut f,
            r##"{"profile": {"uuid": "u", "imports": [{"href": "#cat",
              "include-controls": [{"with-child-controls": "yes", "with-ids": ["ac-2"]},
                                   {"with-ids": ["ia-2", "au-2"]}],
              "exclude-controls": [{"with-ids": ["au-2"]}]}]}}"##,
        )
        .expect("applies");
        let sel = selected(&f);
        assert!(sel.contains(&"AC-2") && sel.contains(&"IA-2"), "{sel:?}");
        assert!(
            !sel.contains(&"AU-2") && !sel.contains(&"IA-2(1)"),
            "{sel:?}"
        );
        assert!(
            sel.iter().all(|id| id.starts_with("AC-2") || *id == "IA-2"),
            "{sel:?}"
        );
        let mut f = nist();
        apply_oscal(
            &mut f,
            r##"{"profile": {"imports": [{"href": "#c", "include-controls": [{"with-child-controls": "yes", "with-ids": ["ia-2"]}]}]}}"##,
        )
        .expect("applies");
        assert!(selected(&f).len() > 1 && selected(&f).iter().all(|id| id.starts_with("IA-2")));
        let mut f = nist();
        apply_oscal(
            &mut f,
            r##"{"profile": {"imports": [{"href": "#c", "include-all": {}}]}}"##,
        )
        .expect("applies");
        assert_eq!(selected(&f).len(), f.controls.len());
    }

    #[test]
    fn unknown_ids_and_malformed_profiles_name_the_json_path() {
        let mut f = nist();
        let errors = apply_oscal(
            &mut f,
            r##"{"profile": {"imports": [{"href": "#c", "include-controls": [{"with-ids": ["ac-2", "zz-9"]}]}]}}"##,
        )
        .expect_err("unknown id");
        assert!(
            errors[0].starts_with("at profile.imports[0].include-controls[0].with-ids[1]: `zz-9`"),
            "{errors:?}"
        );
        let errors = apply_oscal(
            &mut f,
            r##"{"profile": {"imports": [{"include-controls": [{"with-ids": "ac-2"}]}]}}"##,
        )
        .expect_err("not a list");
        assert!(
            errors[0].contains("at profile.imports[0].include-controls[0].with-ids: invalid type"),
            "{errors:?}"
        );
        assert!(apply_list(&mut f, &["AC-2".into(), "ac-3".into()]).is_ok());
        assert_eq!(selected(&f), ["AC-2", "AC-3"]);
        assert!(apply_list(&mut f, &["AC-99".into()]).is_err());
    }
}
