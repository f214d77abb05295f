//! The control register against the rest: ids unique across its files and distinct from every
//! criterion id, criteria that exist, `replaced_by` that names a control of the register.

use std::collections::HashMap;

use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::register::{ControlStatus, RegControl};
use crate::model::{IxVec, RegIx};

/// id → control; every problem of the register as a whole pushed to `diags`.
pub(crate) fn check_register(
    register: &IxVec<RegIx, RegControl>,
    catalog: &Catalog,
    default_framework: &str,
    diags: &mut Diagnostics,
) -> HashMap<String, RegIx> {
    let mut by_id: HashMap<String, RegIx> = HashMap::new();
    for (i, c) in register.iter_enumerated() {
        let here = |d: Diagnostic| d.at_line(&c.file, &c.source, c.id.line).pointing_at(&c.id);
        if let Some(&first) = by_id.get(&c.id.value) {
            let f = &register[first];
            diags.push(
                here(Diagnostic::error(format!(
                    "the control id `{}` is already defined in {}:{}",
                    c.id.value,
                    f.file.display(),
                    f.id.line
                )))
                .hint("ids must be unique across controls.yaml and controls/: rename one of them"),
            );
            continue;
        }
        if let Some(f) = catalog
            .frameworks
            .iter()
            .find(|f| f.controls.iter().any(|k| k.id == c.id.value))
        {
            diags.push(
                here(Diagnostic::error(format!(
                    "the control id `{}` is also a criterion of {}, so documents that name it could not be told apart",
                    c.id.value, f.id
                )))
                .hint("give the organisation's control its own id, e.g. a short prefix and a number (`ACC-01`)"),
            );
        }
        by_id.insert(c.id.value.clone(), i);
        for r in &c.criteria {
            if super::reported_in_site_toml(r, catalog, default_framework) {
                continue;
            }
            if let Some(d) = super::check_control(r, catalog) {
                diags.push(d.at_line(&c.file, &c.source, r.line).pointing_at(&r.id));
            }
        }
    }
    for c in register {
        if c.status == ControlStatus::Retired && c.until.is_none() {
            diags.push(
                Diagnostic::warning(format!(
                    "control `{}` is retired but has no `until` date",
                    c.id.value
                ))
                .at_line(&c.file, &c.source, c.id.line)
                .pointing_at(&c.id.value)
                .hint("a control retired during an audit period is a significant change the system description discloses, with its date: add `until: YYYY-MM-DD`"),
            );
        }
    }
    for c in register {
        let Some(to) = &c.replaced_by else { continue };
        if !by_id.contains_key(&to.value) {
            let d = Diagnostic::error(format!(
                "`replaced_by` names `{}`, but the register has no such control",
                to.value
            ))
            .at_line(&c.file, &c.source, to.line)
            .pointing_at(&to.value);
            diags.push(
                match did_you_mean(&to.value, by_id.keys().map(String::as_str)) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint("name the id of the control that took over"),
                },
            );
        } else if c.status != ControlStatus::Retired {
            diags.push(
                Diagnostic::warning(format!(
                    "control `{}` is {} but says it was replaced by `{}`",
                    c.id.value, c.status, to.value
                ))
                .at_line(&c.file, &c.source, to.line)
                .hint("set `status: retired` (and `until:`), or remove `replaced_by`"),
            );
        }
    }
    by_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;
    use crate::pipeline::load::SourceFile;
    use crate::pipeline::parse::register::parse_register;

    fn check(files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let mut diags = Diagnostics::new();
        let mut all = Vec::new();
        for (path, text) in files {
            let src = SourceFile {
                path: path.to_string(),
                display: path.into(),
                text: (*text).into(),
            };
            all.extend(parse_register(&src, "soc2", &mut diags));
        }
        let register = IxVec::from_vec(all);
        check_register(&register, &Catalog::builtin(), "soc2", &mut diags);
        diags.sorted()
    }

    const ENTRY: &str = "  title: T\n  statement: S\n  owner: O\n  frequency: annual\n";

    #[test]
    fn ids_unique_across_files_and_distinct_from_criteria() {
        let a = format!("- id: ACC-01\n{ENTRY}  criteria: [CC6.1, CC6.9]\n- id: CC6.1\n{ENTRY}");
        let b = format!("- id: ACC-01\n{ENTRY}");
        let d = check(&[("controls.yaml", &a), ("controls/more.yaml", &b)]);
        let got: Vec<(String, Option<usize>, String)> = d
            .iter()
            .map(|d| {
                (
                    d.file.as_ref().unwrap().display().to_string(),
                    d.line,
                    d.message.clone(),
                )
            })
            .collect();
        assert_eq!(got.len(), 3, "{got:#?}");
        // Paths sort by component: `controls/more.yaml` before `controls.yaml`.
        assert_eq!(got[0].0, "controls/more.yaml");
        assert!(
            got[0].2.contains("already defined in controls.yaml:1"),
            "{}",
            got[0].2
        );
        assert!(got[1].2.contains("unknown control `CC6.9`") && got[1].1 == Some(6));
        assert!(got[2].2.contains("`CC6.1` is also a criterion of soc2") && got[2].1 == Some(7));
    }

    #[test]
    fn replaced_by_names_a_control_and_goes_with_retired() {
        let text = format!(
            "- id: OLD-1\n{ENTRY}  status: retired\n  until: 2025-01-01\n  replaced_by: NEW-2\n- id: NEW-1\n{ENTRY}  replaced_by: OLD-1\n"
        );
        let d = check(&[("controls.yaml", &text)]);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(
            d[0].message.contains("`replaced_by` names `NEW-2`")
                && d[0].hint.as_deref() == Some("did you mean `NEW-1`?")
        );
        assert!(
            !d[1].is_error()
                && d[1]
                    .message
                    .contains("is implemented but says it was replaced")
        );
    }
}
