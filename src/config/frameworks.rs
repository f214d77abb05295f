//! `[frameworks.<key>]` and `[[crosswalks]]`: the catalogs documents map to beyond the default
//! one, which of their controls are in scope, the Statement of Applicability's exclusions and
//! justifications, and the mappings between frameworks.
//!
//! Parsed and checked on their own here (required fields, duplicates); the files they name are
//! read by the pipeline and the ids in them are checked against the catalogs in `catalog`.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics};

use super::Config;
use super::scope::{Exclusion, table_ranges};

/// `[frameworks.<key>]`: a framework documents and the register map to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FrameworkSettings {
    /// Its name on pages; the catalog's own name when not set.
    #[serde(default)]
    pub name: Option<String>,
    /// A built-in catalog (`iso27001-2022`, `nist-800-53-low`, `soc2`), or a file relative to
    /// the handbook folder: `.yaml`/`.yml` in policybook's simple format, `.json` in OSCAL.
    /// Defaults to the built-in catalog named like the key.
    #[serde(default)]
    pub catalog: Option<String>,
    /// The controls in scope: an OSCAL profile (`.json`), or a list of ids. All when not set.
    #[serde(default)]
    pub profile: Option<ProfileSetting>,
    /// Controls that do not apply, with the reason (the SoA's exclusions).
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    /// Why controls are included (the SoA's justifications).
    #[serde(default)]
    pub justifications: Vec<Exclusion>,
    /// The justification of included controls no `justifications` entry names.
    #[serde(default)]
    pub default_justification: Option<String>,
    /// Whether `soa.html` and `soa.csv` are written for it (on by default for ISO 27001).
    #[serde(default)]
    pub soa: Option<bool>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,

    /// Lines of site.toml the table spans, for messages.
    #[serde(skip)]
    pub lines: Range<usize>,
}

/// `profile =`: a file, or the ids themselves.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ProfileSetting {
    /// An OSCAL profile (JSON), relative to the handbook folder.
    File(String),
    /// Control ids, as the catalog writes them.
    Ids(Vec<String>),
}

/// `[[crosswalks]]`: a mapping from the controls of one framework to another's.
#[derive(Debug, Clone, Deserialize)]
pub struct CrosswalkSettings {
    /// The framework the mapping starts from (its key).
    #[serde(default)]
    pub from: String,
    /// The framework it maps to.
    #[serde(default)]
    pub to: String,
    /// The mapping file (YAML, or an OSCAL mapping-collection in JSON).
    #[serde(default)]
    pub file: String,
    /// Off switch: `enabled = false` keeps the entry but carries no coverage.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,

    /// Lines of site.toml the entry spans, for messages.
    #[serde(skip)]
    pub lines: Range<usize>,
}

fn yes() -> bool {
    true
}

const FRAMEWORK_KEYS: &[&str] = &[
    "name",
    "catalog",
    "profile",
    "exclusions",
    "justifications",
    "default_justification",
    "soa",
];
const CROSSWALK_KEYS: &[&str] = &["from", "to", "file", "enabled"];
const ENTRY_KEYS: &[&str] = &["criteria", "reason"];

impl Config {
    /// Checks `[frameworks.*]` and `[[crosswalks]]` on their own. A framework's exclusions join
    /// `[[scope.exclusions]]` (qualified by the framework), so the matrix shows them as not
    /// applicable with their reason, like any other.
    pub(super) fn parse_frameworks(&mut self, diags: &mut Diagnostics) {
        let mut frameworks = std::mem::take(&mut self.frameworks);
        for (key, f) in frameworks.iter_mut() {
            let header = format!("frameworks.{key}");
            f.lines = table_range(&self.source, &header).unwrap_or(1..2);
            if f.lines.start <= 1 {
                // Written as `[frameworks]` `key = {…}`, or dotted: the key's own line.
                if let Some(line) = crate::diagnostics::find_key_line(&self.source, key, '=') {
                    f.lines = line..line + 1;
                }
            }
            self.unknown_in(
                &f.unknown,
                FRAMEWORK_KEYS,
                &format!("{header}."),
                &f.lines,
                diags,
            );
            if !valid_key(key) {
                let d = Diagnostic::error(format!("framework key `{key}` is not usable in ids"));
                diags.push(self.at_line(d, f.lines.start).hint(
                    "use letters, digits and dashes (`iso27001`): front matter writes `iso27001: [A.5.15]` and `iso27001:A.5.15`",
                ));
            }
            for (list, what) in [
                (&mut f.exclusions, "exclusions"),
                (&mut f.justifications, "justifications"),
            ] {
                let ranges = table_ranges(&self.source, &format!("{header}.{what}"), list.len());
                for (e, lines) in list.iter_mut().zip(ranges) {
                    e.lines = lines;
                    e.framework = Some(key.clone());
                    self.unknown_in(
                        &e.unknown,
                        ENTRY_KEYS,
                        &format!("{header}.{what}."),
                        &e.lines,
                        diags,
                    );
                    self.check_entry(
                        e,
                        what.trim_end_matches('s'),
                        "list the criteria it is about: `criteria = [\"A.7.4\"]`",
                        "say why, as an auditor will ask: `reason = \"No offices: all staff work remotely\"`",
                        diags,
                    );
                }
            }
            self.scope.exclusions.extend(f.exclusions.iter().cloned());
        }
        self.frameworks = frameworks;

        let ranges = table_ranges(&self.source, "crosswalks", self.crosswalks.len());
        let mut crosswalks = std::mem::take(&mut self.crosswalks);
        for (c, lines) in crosswalks.iter_mut().zip(ranges) {
            c.lines = lines;
            self.unknown_in(&c.unknown, CROSSWALK_KEYS, "crosswalks.", &c.lines, diags);
            for (key, value) in [("from", &c.from), ("to", &c.to), ("file", &c.file)] {
                if value.trim().is_empty() {
                    let d = Diagnostic::error(format!("a [[crosswalks]] entry has no `{key}`"));
                    diags.push(self.at_line(d, c.lines.start).hint(
                        "a crosswalk needs `from` and `to` (framework keys) and `file` (the mapping)",
                    ));
                }
            }
            if !c.from.is_empty() && c.from == c.to {
                let d = Diagnostic::error(format!("a crosswalk from `{}` to itself", c.from));
                diags.push(
                    self.at_line(d, self.line_in(&c.lines, "to"))
                        .hint("`from` and `to` name two different frameworks"),
                );
            }
        }
        self.crosswalks = crosswalks;
    }

    /// The settings of framework `key`, when site.toml declares it.
    pub fn framework_settings(&self, key: &str) -> Option<&FrameworkSettings> {
        self.frameworks.get(key)
    }

    /// Files `[frameworks]` and `[[crosswalks]]` name, for the pipeline to read: catalogs,
    /// profiles and mappings, relative to the handbook folder, each once, sorted.
    pub fn framework_files(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in self.frameworks.values() {
            if let Some(c) = &f.catalog
                && is_file_name(c)
            {
                out.push(c.clone());
            }
            if let Some(ProfileSetting::File(p)) = &f.profile {
                out.push(p.clone());
            }
        }
        for c in &self.crosswalks {
            if !c.file.trim().is_empty() {
                out.push(c.file.clone());
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The lines of `[header]` (a plain table): from its header to the next header that is not
/// one of its own sub-tables.
fn table_range(text: &str, header: &str) -> Option<Range<usize>> {
    let name = |line: &str| -> Option<String> {
        let t = line.trim();
        let inner = t.strip_prefix('[')?.trim_start_matches('[');
        Some(inner.split(']').next()?.trim().to_string())
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| !l.trim().starts_with("[[") && name(l).as_deref() == Some(header))?;
    let end = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, l)| name(l).is_some_and(|h| !h.starts_with(&format!("{header}."))))
        .map_or(lines.len(), |(i, _)| i);
    Some(start + 1..end + 1)
}

/// A catalog setting that names a file rather than a built-in catalog.
pub fn is_file_name(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Letters, digits, `-` and `_`: what a framework key may be, so `key:ID` parses.
fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> (Option<Config>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let c = Config::parse(text, Path::new("site.toml"), &mut diags).ok();
        (c, diags)
    }

    #[test]
    fn frameworks_and_crosswalks_parse_with_their_lines() {
        let (c, diags) = parse(
            "title = \"T\"\n\
             [frameworks.iso27001]\ncatalog = \"iso27001-2022\"\ndefault_justification = \"Risk treatment\"\n\
             [[frameworks.iso27001.exclusions]]\ncriteria = [\"A.7.4\"]\nreason = \"No offices\"\n\
             [frameworks.nist]\ncatalog = \"nist-800-53-low\"\nprofile = [\"ac-1\", \"AC-2\"]\n\
             [[crosswalks]]\nfrom = \"soc2\"\nto = \"iso27001\"\nfile = \"crosswalks/soc2-iso.yaml\"\n",
        );
        assert!(!diags.has_errors(), "{diags:?}");
        let c = c.expect("parses");
        let iso = c.framework_settings("iso27001").expect("declared");
        assert_eq!(iso.lines.start, 2);
        assert_eq!(iso.exclusions[0].lines.start, 5);
        let excluded = c.scope.exclusions.last().expect("joined the scope's");
        assert_eq!(excluded.framework.as_deref(), Some("iso27001"));
        assert!(matches!(
            &c.framework_settings("nist").expect("declared").profile,
            Some(ProfileSetting::Ids(ids)) if ids.len() == 2
        ));
        assert!(c.crosswalks[0].enabled);
        assert_eq!(c.crosswalks[0].lines.start, 11);
        assert_eq!(c.framework_files(), ["crosswalks/soc2-iso.yaml"]);
    }

    #[test]
    fn mistakes_are_errors_on_their_line() {
        let (_, diags) = parse(
            "title = \"T\"\n\
             [frameworks.iso27001]\ncatalg = \"x\"\n\
             [[frameworks.iso27001.justifications]]\ncriteria = [\"A.5.1\"]\n\
             [[crosswalks]]\nfrom = \"soc2\"\nto = \"soc2\"\n",
        );
        let text: String = diags.sorted().iter().map(|d| format!("{d}\n")).collect();
        assert!(
            text.contains("unknown setting `frameworks.iso27001.catalg`"),
            "{text}"
        );
        assert!(text.contains("did you mean `frameworks.iso27001.catalog`"));
        assert!(text.contains("the justification of A.5.1 gives no reason"));
        assert!(text.contains("has no `file`"));
        assert!(text.contains("a crosswalk from `soc2` to itself"));
    }
}
