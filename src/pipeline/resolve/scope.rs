//! The scope of `site.toml` against the catalog and the register: excluded criteria exist and are
//! excluded once; a subservice's `monitored_by` and user controls name controls of the
//! organisation's register; every `responsibility: subservice:<name>` names a declared subservice.

use std::collections::HashMap;

use crate::catalog::Catalog;
use jiff::civil::Date;

use crate::config::{Config, Subservice};
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::register::{RegControl, Responsibility};
use crate::model::{ControlIx, ControlRef, IxVec, RegIx};

/// How long after a subservice report's period ends it is still relied on without a bridge
/// letter. Auditors commonly accept a gap of up to three months.
const BRIDGE_AFTER_MONTHS: i8 = 3;

/// A warning when a subservice's report ended so long before the as-of date that reliance on it
/// needs a bridge letter, and none is recorded.
fn stale_report(config: &Config, s: &Subservice, as_of: Option<Date>) -> Option<Diagnostic> {
    let (_, end) = s.period?;
    let as_of = as_of?;
    let limit = end
        .checked_add(jiff::Span::new().months(BRIDGE_AFTER_MONTHS))
        .ok()?;
    if s.bridge_letter || as_of <= limit {
        return None;
    }
    let d = Diagnostic::warning(format!(
        "the report of subservice `{}` covers up to {end}, more than {BRIDGE_AFTER_MONTHS} months before the as-of date {as_of}, and no bridge letter is recorded",
        s.name
    ));
    Some(
        config
            .at_line(d, config.line_in(&s.lines, "report_period"))
            .hint("obtain its newer report, or a bridge letter for the time since (then `bridge_letter = true`)"),
    )
}

/// Per criterion of the catalog: the index of the `[[scope.exclusions]]` entry that excludes it.
pub(crate) fn check_scope(
    config: &Config,
    catalog: &Catalog,
    register: &IxVec<RegIx, RegControl>,
    register_ids: &HashMap<String, RegIx>,
    as_of: Option<Date>,
    diags: &mut Diagnostics,
) -> IxVec<ControlIx, Option<usize>> {
    let mut excluded: IxVec<ControlIx, Option<usize>> = IxVec::filled(catalog.len(), None);
    for (n, e) in config.scope.exclusions.iter().enumerate() {
        for text in &e.criteria {
            let line = config.line_with(&e.lines, text);
            let r = ControlRef::parse(text, e.framework_or(&config.scope.framework), line);
            if super::reported_in_site_toml(&r, catalog, &config.scope.framework) {
                continue;
            }
            if register_ids.contains_key(&r.id) && !r.explicit {
                let d = Diagnostic::error(format!(
                    "`{text}` is a control of the register, not a criterion: only criteria can be excluded"
                ));
                diags.push(config.at_line(d, line).pointing_at(text).hint(
                    "retire the control in controls.yaml (`status: retired`) if it no longer operates",
                ));
                continue;
            }
            if let Some(d) = super::check_control(&r, catalog) {
                diags.push(config.at_line(d, line).pointing_at(text));
                continue;
            }
            let Some(p) = catalog.position(&r.framework, &r.id) else {
                continue;
            };
            match excluded[p] {
                Some(first) => {
                    let earlier = &config.scope.exclusions[first];
                    let same = earlier.criteria.iter().find(|t| {
                        let r =
                            ControlRef::parse(t, earlier.framework_or(&config.scope.framework), 0);
                        catalog.position(&r.framework, &r.id) == Some(p)
                    });
                    let d = Diagnostic::error(format!(
                        "`{text}` is already excluded on line {}",
                        config.line_with(&earlier.lines, same.map_or(text, String::as_str))
                    ));
                    diags.push(
                        config
                            .at_line(d, line)
                            .pointing_at(text)
                            .hint("a criterion is excluded once, with one reason: remove one"),
                    );
                }
                None => excluded[p] = Some(n),
            }
        }
    }

    let org_ids = || {
        register_ids
            .iter()
            .filter(|(_, k)| register[**k].responsibility == Responsibility::Organization)
            .map(|(id, _)| id.as_str())
    };
    // A control of ours named in the scope: it must exist and be the organisation's.
    let check_ours =
        |id: &str, line: usize, what: &str, diags: &mut Diagnostics| match register_ids.get(id) {
            None => {
                let d = Diagnostic::error(format!(
                    "{what} names `{id}`, but the register has no such control"
                ));
                let d = config.at_line(d, line).pointing_at(id);
                diags.push(match did_you_mean(id, org_ids()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None if register.is_empty() => d.hint(
                        "add the control to controls.yaml (policybook init writes a starting one)",
                    ),
                    None => d.hint("name the id of a control of controls.yaml"),
                });
            }
            Some(&k) if register[k].responsibility != Responsibility::Organization => {
                let d = Diagnostic::error(format!(
                    "{what} names `{id}`, which is a control of {}, not of the organisation",
                    register[k].responsibility
                ));
                diags.push(
                    config
                        .at_line(d, line)
                        .pointing_at(id)
                        .hint("name a control the organisation itself performs"),
                );
            }
            Some(_) => {}
        };
    for s in &config.subservice {
        match &s.monitored_by {
            Some(id) => check_ours(
                id,
                config.line_in(&s.lines, "monitored_by"),
                "`monitored_by`",
                diags,
            ),
            None if !s.name.is_empty() => {
                let d = Diagnostic::warning(format!(
                    "subservice `{}` has no `monitored_by` control: nothing of ours reviews its report, so no criterion can rely on its controls",
                    s.name
                ));
                diags.push(config.at_line(d, s.lines.start).hint(
                    "name the control that reviews its SOC report (e.g. the vendor review): `monitored_by = \"VND-01\"`",
                ));
            }
            None => {}
        }
        if let Some(d) = stale_report(config, s, as_of) {
            diags.push(d);
        }
        for u in &s.user_controls {
            let line = config.line_with(&s.lines, &u.text);
            match &u.control {
                Some(id) => check_ours(id, config.line_with(&s.lines, id), "a user control", diags),
                None if !u.text.trim().is_empty() => {
                    let d = Diagnostic::warning(format!(
                        "the user control of {} \"{}\" is met by no control of ours",
                        s.name,
                        short(&u.text)
                    ));
                    diags.push(config.at_line(d, line).hint(
                        "its report assumes customers perform it: name the control of controls.yaml that does, `control = \"ACC-01\"`",
                    ));
                }
                None => {}
            }
        }
    }
    let declared = || config.subservice.iter().map(|s| s.name.as_str());
    for c in register {
        if let Responsibility::Subservice(name) = &c.responsibility
            && config.subservice(name).is_none()
        {
            let d = Diagnostic::error(format!(
                "control `{}` is the responsibility of subservice `{name}`, which site.toml does not declare",
                c.id.value
            ))
            .at_line(&c.file, &c.source, c.responsibility_line)
            .pointing_at(name);
            diags.push(match did_you_mean(name, declared()) {
                Some(s) => d.hint(format!("did you mean `subservice:{s}`?")),
                None => d.hint(format!(
                    "declare it in site.toml with its report and the control that monitors it: `[[subservice]]` `name = \"{name}\"`, `monitored_by = \"…\"`"
                )),
            });
        }
    }
    excluded
}

/// The first words of a long text, for a message.
fn short(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::pipeline::resolve::tests::handbook_with_register;

    #[test]
    fn scope_names_criteria_and_controls_that_exist() {
        let site = "title = \"T\"\n\
            [[scope.exclusions]]\ncriteria = [\"CC2.3\", \"CC9.9\", \"ACC-01\"]\nreason = \"R\"\n\
            [[scope.exclusions]]\ncriteria = [\"soc2:CC2.3\"]\nreason = \"Again\"\n\
            [[subservice]]\nname = \"AWS\"\nmonitored_by = \"ACC-10\"\n\
            user_controls = [\n  { text = \"Customers enable MFA.\", control = \"CUS-01\" },\n  { text = \"Customers rotate keys.\" },\n]\n";
        let register = "- id: ACC-01\n  title: T\n  statement: S\n  owner: O\n  frequency: annual\n\
            - id: CUS-01\n  title: T\n  statement: S\n  owner: O\n  frequency: annual\n  responsibility: customer\n\
            - id: GCP-01\n  title: T\n  statement: S\n  owner: O\n  frequency: annual\n  responsibility: subservice:GCP\n";
        let (_, diags) = handbook_with_register(&[], register, site);
        let got: Vec<(String, Option<usize>, String)> = diags
            .iter()
            .filter(|d| !d.message.starts_with("gap:") && !d.message.contains("described by no"))
            .map(|d| {
                (
                    d.file.as_ref().unwrap().display().to_string(),
                    d.line,
                    d.message.clone(),
                )
            })
            .collect();
        let expected = [
            (
                "controls.yaml",
                17,
                "control `GCP-01` is the responsibility of subservice `GCP`, which site.toml does not declare",
            ),
            (
                "site.toml",
                3,
                "`ACC-01` is a control of the register, not a criterion: only criteria can be excluded",
            ),
            ("site.toml", 3, "unknown control `CC9.9` (framework soc2)"),
            ("site.toml", 6, "`soc2:CC2.3` is already excluded on line 3"),
            (
                "site.toml",
                10,
                "`monitored_by` names `ACC-10`, but the register has no such control",
            ),
            (
                "site.toml",
                12,
                "a user control names `CUS-01`, which is a control of customer, not of the organisation",
            ),
            (
                "site.toml",
                13,
                "the user control of AWS \"Customers rotate keys.\" is met by no control of ours",
            ),
        ];
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for ((file, line, message), (ef, el, em)) in got.iter().zip(expected) {
            assert_eq!((file.as_str(), *line), (ef, Some(el)), "{message}");
            assert!(message.contains(em), "{message} ≠ {em}");
        }
        let hint = diags
            .iter()
            .find(|d| d.message.contains("ACC-10"))
            .and_then(|d| d.hint.clone());
        assert_eq!(hint.as_deref(), Some("did you mean `ACC-01`?"));
    }
}
