//! Putting the catalog together from site.toml: the built-in SOC 2 criteria, then each
//! `[frameworks.<key>]` (a built-in catalog, a YAML file or an OSCAL catalog, narrowed by its
//! profile), then the `[[crosswalks]]` between them. Problems are errors on the site.toml line
//! or in the file at fault; a framework that cannot be read is left out, so that every id
//! mapped to it is reported too.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::{Config, FrameworkSettings, ProfileSetting, is_file_name};
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};

use super::{Catalog, Crosswalk, Framework, crosswalk, iso27001, oscal, profile, soc2, yaml};

/// The built-in catalogs: (key, what it is).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        soc2::FRAMEWORK_ID,
        "SOC 2 Trust Services Criteria (2017), our summaries",
    ),
    (
        iso27001::CATALOG_KEY,
        "ISO/IEC 27001:2022 clauses 4-10 and Annex A, our summaries",
    ),
    (
        NIST_LOW,
        "NIST SP 800-53 Rev. 5 Low baseline (OSCAL, public domain)",
    ),
];

const NIST_LOW: &str = "nist-800-53-low";

/// A file site.toml names, as read from the handbook (worktree or commit).
#[derive(Debug, Clone)]
pub struct CatalogFile {
    /// Its path as messages show it.
    pub shown: PathBuf,
    /// Its text.
    pub text: String,
}

/// The catalog site.toml asks for. `files` holds the files `Config::framework_files` lists
/// that could be read (a missing one is reported where it is read).
pub fn assemble(
    config: &Config,
    files: &BTreeMap<String, CatalogFile>,
    diags: &mut Diagnostics,
) -> Catalog {
    // The default framework first, then SOC 2, then the others by key: a stable order.
    let mut keys: Vec<&str> = vec![config.scope.framework.as_str()];
    if !keys.contains(&soc2::FRAMEWORK_ID) {
        keys.push(soc2::FRAMEWORK_ID);
    }
    for k in config.frameworks.keys() {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    let mut frameworks = Vec::new();
    for key in keys {
        let settings = config.framework_settings(key);
        if settings.is_none() && key != soc2::FRAMEWORK_ID {
            // An undeclared default framework: Config::validate reports it.
            continue;
        }
        let default = FrameworkSettings::default();
        if let Some(f) = framework(config, key, settings.unwrap_or(&default), files, diags) {
            frameworks.push(f);
        }
    }
    let crosswalks = crosswalks(config, &frameworks, files, diags);
    Catalog::new(frameworks, crosswalks)
}

/// Framework `key` as its settings describe it.
fn framework(
    config: &Config,
    key: &str,
    settings: &FrameworkSettings,
    files: &BTreeMap<String, CatalogFile>,
    diags: &mut Diagnostics,
) -> Option<Framework> {
    let source = settings.catalog.as_deref().unwrap_or(key);
    let line = config.line_in(&settings.lines, "catalog");
    let mut f = if is_file_name(source) {
        let file = files.get(source)?;
        let read = if source.to_ascii_lowercase().ends_with(".json") {
            oscal::read(&file.text, key, settings.name.as_deref().unwrap_or(""))
        } else {
            yaml::read(&file.text, key, settings.name.as_deref())
        };
        match read {
            Ok(mut f) => {
                f.catalog = source.to_string();
                f
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(e.clone())
                        .at(&file.shown, None)
                        .hint(format!("[frameworks.{key}] reads it as its catalog: fix the file, or point `catalog` at another")),
                );
                return None;
            }
        }
    } else {
        match builtin(source, key) {
            Some(f) => f,
            None => {
                let names: Vec<&str> = BUILTIN.iter().map(|(k, _)| *k).collect();
                let d = Diagnostic::error(format!(
                    "framework `{key}`: `{source}` is neither a built-in catalog nor a file"
                ));
                let d = config.at_line(d, line);
                diags.push(match did_you_mean(source, names.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint(format!(
                        "built in: {}; or a catalog file ending in .yaml or .json (OSCAL)",
                        names.join(", ")
                    )),
                });
                return None;
            }
        }
    };
    if let Some(name) = &settings.name {
        f.name = name.clone();
    }
    let selected = match &settings.profile {
        None => Ok(()),
        Some(ProfileSetting::Ids(ids)) => profile::apply_list(&mut f, ids).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let at = config.line_in(&settings.lines, "profile");
                    config
                        .at_line(Diagnostic::error(format!("profile of `{key}`: {e}")), at)
                        .hint("list ids of the catalog's controls")
                })
                .collect::<Vec<_>>()
        }),
        Some(ProfileSetting::File(path)) => match files.get(path) {
            None => Ok(()),
            Some(file) => profile::apply_oscal(&mut f, &file.text).map_err(|errors| {
                errors
                    .into_iter()
                    .map(|e| {
                        Diagnostic::error(e.clone())
                            .at(&file.shown, None)
                            .hint(format!(
                                "[frameworks.{key}] profile selects the controls in scope from its catalog"
                            ))
                    })
                    .collect()
            }),
        },
    };
    if let Err(errors) = selected {
        for d in errors {
            diags.push(d);
        }
    }
    Some(f)
}

/// A built-in catalog as framework `key`.
fn builtin(name: &str, key: &str) -> Option<Framework> {
    Some(match name {
        soc2::FRAMEWORK_ID => soc2::framework(key),
        iso27001::CATALOG_KEY => iso27001::framework(key),
        NIST_LOW => {
            let json = include_str!("../../data/nist-800-53-rev5-low-catalog.json");
            // The file is part of the program and tested: it reads.
            let mut f = oscal::read(json, key, "NIST SP 800-53 Rev. 5 Low baseline").ok()?;
            f.catalog = NIST_LOW.to_string();
            f
        }
        _ => return None,
    })
}

/// `[[crosswalks]]`, each read and checked against its two frameworks.
fn crosswalks(
    config: &Config,
    frameworks: &[Framework],
    files: &BTreeMap<String, CatalogFile>,
    diags: &mut Diagnostics,
) -> Vec<Crosswalk> {
    let mut out = Vec::new();
    for c in &config.crosswalks {
        let find = |key: &str, what: &str, diags: &mut Diagnostics| {
            let f = frameworks.iter().find(|f| f.id == key);
            if f.is_none() && !key.is_empty() {
                let ids: Vec<&str> = frameworks.iter().map(|f| f.id.as_str()).collect();
                let d = Diagnostic::error(format!(
                    "crosswalk `{what}` names unknown framework `{key}`"
                ));
                let d = config.at_line(d, config.line_in(&c.lines, what));
                diags.push(d.hint(format!(
                    "declare it in [frameworks.{key}], or use one of: {}",
                    ids.join(", ")
                )));
            }
            f
        };
        let (Some(from), Some(to)) = (find(&c.from, "from", diags), find(&c.to, "to", diags))
        else {
            continue;
        };
        let Some(file) = files.get(&c.file) else {
            continue;
        };
        match crosswalk::read(&file.text, &c.file, from, to) {
            Ok(maps) => out.push(Crosswalk {
                from: c.from.clone(),
                to: c.to.clone(),
                file: c.file.clone(),
                enabled: c.enabled,
                maps,
            }),
            Err(errors) => {
                for e in errors {
                    diags.push(
                        Diagnostic::error(e.clone())
                            .at(&file.shown, None)
                            .hint(format!(
                                "a crosswalk from {} to {} maps ids of those two catalogs; correct or remove the entry",
                                c.from, c.to
                            )),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> Config {
        let mut diags = Diagnostics::new();
        Config::parse(text, Path::new("site.toml"), &mut diags).expect("parses")
    }

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, CatalogFile> {
        list.iter()
            .map(|(p, t)| {
                (
                    p.to_string(),
                    CatalogFile {
                        shown: PathBuf::from(p),
                        text: t.to_string(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn frameworks_come_from_built_ins_and_files_in_a_stable_order() {
        let c = config(
            "title = \"T\"\n[frameworks.nist]\ncatalog = \"nist-800-53-low\"\nprofile = [\"ac-2\"]\n\
             [frameworks.iso27001]\ncatalog = \"iso27001-2022\"\n\
             [frameworks.eb]\ncatalog = \"eb.yaml\"\n",
        );
        let mut diags = Diagnostics::new();
        let cat = assemble(
            &c,
            &files(&[("eb.yaml", "controls:\n  - id: EB-1\n")]),
            &mut diags,
        );
        assert!(!diags.has_errors(), "{diags:?}");
        let keys: Vec<&str> = cat.frameworks.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(keys, ["soc2", "eb", "iso27001", "nist"]);
        assert_eq!(cat.position("nist", "ac-2"), cat.position("nist", "AC-2"));
        assert!(cat.position("nist", "ac-2").is_some());
        assert!(cat.control("nist", "AC-2").is_some_and(|c| c.selected));
        assert!(cat.control("nist", "AC-3").is_some_and(|c| !c.selected));
        assert!(cat.position("iso27001", "A.5.15").is_some());
        assert!(cat.position("eb", "EB-1").is_some());
    }

    #[test]
    fn unknown_catalogs_and_crosswalk_frameworks_are_errors_on_their_line() {
        let c = config(
            "title = \"T\"\n[frameworks.iso]\ncatalog = \"iso27001-2013\"\n\
             [[crosswalks]]\nfrom = \"soc2\"\nto = \"hipaa\"\nfile = \"x.yaml\"\n",
        );
        let mut diags = Diagnostics::new();
        assemble(&c, &files(&[("x.yaml", "mappings: []\n")]), &mut diags);
        let d = diags.sorted();
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].line, Some(3));
        assert!(d[0].hint.as_deref().unwrap_or("").contains("iso27001-2022"));
        assert_eq!(d[1].line, Some(6));
        assert!(d[1].message.contains("unknown framework `hipaa`"));
    }
}
