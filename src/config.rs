//! `site.toml` → typed `Config`.
//!
//! Unknown keys are collected (not rejected by serde) so that every one of them is reported with
//! its line and a "did you mean" hint, alongside any other problem of the run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod frameworks;
mod scope;

pub use frameworks::{CrosswalkSettings, FrameworkSettings, ProfileSetting, is_file_name};
pub use scope::{Exclusion, Opinion, Subservice, UserControl};

use crate::catalog::Catalog;
use crate::diagnostics::{
    Diagnostic, Diagnostics, Outcome, Reported, did_you_mean, find_key_line, line_of,
};

/// The handbook's settings file, at its root.
pub const CONFIG_FILE: &str = "site.toml";

#[derive(Debug, Clone, Deserialize)]
/// The settings of a handbook, from `site.toml`.
pub struct Config {
    /// The handbook's name, shown in the header and the page titles. Required; defaulted here
    /// only so that a missing title is reported together with misspelt keys (`titel`).
    #[serde(default)]
    pub title: String,
    /// The organisation the policies belong to ("Example Corp").
    #[serde(default)]
    pub organization: Option<String>,
    /// One sentence shown on the home page and in `<meta name="description">`.
    #[serde(default)]
    pub description: Option<String>,
    /// `lang` attribute of every page.
    #[serde(default = "default_language")]
    pub language: String,
    /// Where the site is published (`https://handbook.example.com/`). Pages link to each other
    /// relatively whatever this says; an absolute address adds canonical links.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Web address of the repository (`https://github.com/org/repo`): commit ids link to
    /// `<repository_url>/commit/<id>`.
    #[serde(default)]
    pub repository_url: Option<String>,
    #[serde(default)]
    /// `[scope]`: the framework and the categories of the audit.
    pub scope: Scope,
    /// Released versions to publish beside the current one.
    #[serde(default)]
    pub versions: Option<Versions>,
    #[serde(default)]
    /// `[defaults]`: for documents created by `policybook new`.
    pub defaults: Defaults,
    #[serde(default)]
    /// `[markdown]`: how bodies become HTML.
    pub markdown: MarkdownSettings,
    #[serde(default)]
    /// `[files]`: linked files.
    pub files: FileSettings,
    /// `[publish]`: what the published site shows beyond the policies.
    #[serde(default)]
    pub publish: PublishSettings,
    /// `[reviews]`: what counts as an approval.
    #[serde(default)]
    pub reviews: ReviewSettings,
    /// `[signatures]`: whose commit signatures to trust.
    #[serde(default)]
    pub signatures: SignatureSettings,
    /// `[acknowledgements]`: who must acknowledge which documents, and the records that they did.
    #[serde(default)]
    pub acknowledgements: AcknowledgementSettings,
    /// `[[subservice]]`: vendors whose controls the system relies on (carve-out).
    #[serde(default)]
    pub subservice: Vec<Subservice>,
    /// `[frameworks.<key>]`: frameworks beyond the default one, by key.
    #[serde(default)]
    pub frameworks: BTreeMap<String, FrameworkSettings>,
    /// `[[crosswalks]]`: mappings between frameworks.
    #[serde(default)]
    pub crosswalks: Vec<CrosswalkSettings>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,

    /// The file's text, kept to point at lines in later validation.
    #[serde(skip)]
    pub source: String,
    /// Path of the file as shown in messages.
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
/// `[scope]`.
pub struct Scope {
    /// The framework bare control ids (`CC6.1`) belong to.
    #[serde(default = "default_framework")]
    pub framework: String,
    /// Categories of that framework in scope of the audit. Security is always in scope.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Whether in-scope controls nothing covers are warnings (`warn`) or only reported (`allow`).
    #[serde(default)]
    pub gaps: GapPolicy,
    /// `[[scope.exclusions]]`: criteria that do not apply, with the reason.
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
/// What a gap (an in-scope control nothing covers) is.
pub enum GapPolicy {
    /// Gaps are warnings, so `check --strict` fails on them.
    #[default]
    Warn,
    /// Gaps are shown on the gap report and in the exports, without a warning.
    Allow,
}

/// Defaults for documents created by `policybook new`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Defaults {
    /// Owner of new documents.
    pub owner: Option<String>,
    /// Review cadence of new documents.
    pub review: Option<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// How document bodies are turned into HTML.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MarkdownSettings {
    /// What happens to HTML written inside Markdown.
    #[serde(default)]
    pub raw_html: RawHtml,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// Raw HTML in documents: any contributor's text is shown to every employee and auditor, so by
/// default nothing in it can run script.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtml {
    /// Kept, cleaned by an allow-list sanitiser: tables, details, ids and classes stay;
    /// scripts, styles, frames, event handlers and `javascript:` URLs go.
    #[default]
    Sanitize,
    /// Shown as text, the way it was written.
    Escape,
    /// Emitted as written, scripts included. Only for handbooks whose every author is trusted.
    Trusted,
}

/// What the published site may show. Known weaknesses and the details auditors sample from are
/// not for every reader: they are left out unless asked for, and always written by `evidence`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PublishSettings {
    /// Show the systems and populations of the register's evidence items (not only their names).
    #[serde(default)]
    pub evidence_details: bool,
    /// Publish policy exceptions: the exception register, a page per exception, and a notice on
    /// each excepted section.
    #[serde(default)]
    pub exceptions: bool,
    /// Publish the acknowledgements page (who is late is not for every reader).
    #[serde(default)]
    pub acknowledgements: bool,
    /// Publish the printable packet `print/index.html` with the site (`policybook pdf` makes its
    /// own either way). Off by default: it repeats every document in one page.
    #[serde(default)]
    pub print: bool,
    /// Write the site's `matrix.json` indented, for reading it by eye (compact by default).
    #[serde(default)]
    pub pretty_json: bool,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// `[acknowledgements]`: the population (the HR roster), the acknowledgement records e-sign and
/// HR tools export, and what must be acknowledged by when.
#[derive(Debug, Clone, Deserialize)]
pub struct AcknowledgementSettings {
    /// Acknowledgement records: a CSV path, or `folder/*.csv`, relative to the handbook.
    #[serde(default)]
    pub files: Option<String>,
    /// The population: a CSV of `email, name, start, end, type`.
    #[serde(default)]
    pub roster: Option<String>,
    /// Which documents must be acknowledged: kinds (`policy`) or tags.
    #[serde(default = "default_required")]
    pub required: Vec<String>,
    /// Days after someone starts, or after a new version takes effect, to acknowledge it.
    #[serde(default = "default_within_days")]
    pub within_days: u32,
    /// How often everyone acknowledges again (`annual`, …, as `review`); none by default.
    #[serde(default)]
    pub renew: Option<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

impl Default for AcknowledgementSettings {
    fn default() -> Self {
        AcknowledgementSettings {
            files: None,
            roster: None,
            required: default_required(),
            within_days: default_within_days(),
            renew: None,
            unknown: BTreeMap::new(),
        }
    }
}

impl AcknowledgementSettings {
    /// `renew` as a cadence (checked when the configuration is read).
    pub fn renewal(&self) -> Option<crate::model::Cadence> {
        self.renew.as_deref().and_then(crate::model::Cadence::parse)
    }
}

fn default_required() -> Vec<String> {
    vec!["policy".to_string()]
}

fn default_within_days() -> u32 {
    30
}

/// How sure an approval is of who approved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityLevel {
    /// Rests on text anyone can type: a `Reviewed-by:` trailer, an unsigned commit's author.
    #[default]
    Asserted,
    /// Rests on a verified signature or a review on the hosting service.
    Verified,
}

impl IdentityLevel {
    /// As pages and exports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityLevel::Asserted => "asserted",
            IdentityLevel::Verified => "verified",
        }
    }
}

/// `[reviews]`: what counts as an approval, once `people.yaml` says who may approve.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReviewSettings {
    /// The identity an approval needs to count: `asserted` (default) counts both.
    #[serde(default)]
    pub require: IdentityLevel,
    /// Let an author approve their own change.
    #[serde(default)]
    pub allow_self_approval: bool,
    /// Files of merged pull requests with their reviews, as `gh pr list --json` writes them:
    /// a path, or `folder/*.json`, relative to the handbook.
    #[serde(default)]
    pub pull_requests: Option<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// `[signatures]`: the keys commit signatures are verified against.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SignatureSettings {
    /// git's SSH allowed-signers file (`gpg.ssh.allowedSignersFile`), relative to the handbook.
    #[serde(default)]
    pub allowed_signers: Option<String>,
    /// Public keys no longer trusted, one per line (`gpg.ssh.revocationFile`).
    #[serde(default)]
    pub revoked_signers: Option<String>,
    /// Armored OpenPGP public keys whose signatures count (`gpg --armor --export`).
    #[serde(default)]
    pub openpgp_keys: Option<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

/// Files under `policies/` that documents link to, copied to the site.
#[derive(Debug, Clone, Deserialize)]
pub struct FileSettings {
    /// A linked file larger than this many megabytes is a warning: every reader downloads it.
    #[serde(default = "default_warn_size_mb")]
    pub warn_size_mb: u64,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings {
            warn_size_mb: default_warn_size_mb(),
            unknown: BTreeMap::new(),
        }
    }
}

fn default_warn_size_mb() -> u64 {
    25
}

#[derive(Debug, Clone, Deserialize)]
/// `[versions]`: which releases to publish beside the current version.
pub struct Versions {
    /// Which git tags are releases: a glob (`"v*"`) or a list of tag names.
    pub tags: TagSelection,
    /// Label of the current working version, built at the site root.
    #[serde(default = "default_current_label")]
    pub current: String,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
/// Which tags are releases.
pub enum TagSelection {
    /// A glob: `"v*"`.
    Glob(String),
    /// Tag names.
    List(Vec<String>),
}

fn default_current_label() -> String {
    "latest".to_string()
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            framework: default_framework(),
            categories: Vec::new(),
            gaps: GapPolicy::Warn,
            exclusions: Vec::new(),
            unknown: BTreeMap::new(),
        }
    }
}

fn default_language() -> String {
    "en".to_string()
}

fn default_framework() -> String {
    "soc2".to_string()
}

const TOP_KEYS: &[&str] = &[
    "title",
    "organization",
    "description",
    "language",
    "base_url",
    "repository_url",
    "scope",
    "versions",
    "defaults",
    "markdown",
    "files",
    "publish",
    "reviews",
    "signatures",
    "acknowledgements",
    "subservice",
    "frameworks",
    "crosswalks",
];
const ACKNOWLEDGEMENTS_KEYS: &[&str] = &["files", "roster", "required", "within_days", "renew"];
const SIGNATURES_KEYS: &[&str] = &["allowed_signers", "revoked_signers", "openpgp_keys"];
const REVIEWS_KEYS: &[&str] = &["require", "allow_self_approval", "pull_requests"];
const PUBLISH_KEYS: &[&str] = &[
    "evidence_details",
    "exceptions",
    "acknowledgements",
    "print",
    "pretty_json",
];
const MARKDOWN_KEYS: &[&str] = &["raw_html"];
const FILES_KEYS: &[&str] = &["warn_size_mb"];
const SCOPE_KEYS: &[&str] = &["framework", "categories", "gaps", "exclusions"];
const DEFAULTS_KEYS: &[&str] = &["owner", "review"];
const VERSIONS_KEYS: &[&str] = &["tags", "current"];

impl Config {
    /// Reads `root/site.toml`. Problems are pushed to `diags`; `Err` means the file cannot be used.
    /// `display_root` is how the handbook folder is shown in messages.
    pub fn load(root: &Path, display_root: &Path, diags: &mut Diagnostics) -> Outcome<Config> {
        let path = root.join(CONFIG_FILE);
        let shown = display_root.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    let line = line_of(
                        &String::from_utf8_lossy(e.as_bytes()),
                        e.utf8_error().valid_up_to(),
                    );
                    diags.push(
                        Diagnostic::error("site.toml is not valid UTF-8")
                            .at(&shown, Some(line))
                            .hint("save the file as UTF-8"),
                    );
                    return Err(Reported);
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                diags.push(
                    Diagnostic::error(format!(
                        "no {CONFIG_FILE} in {}",
                        if display_root.as_os_str().is_empty() {
                            ".".to_string()
                        } else {
                            display_root.display().to_string()
                        }
                    ))
                    .at(&shown, None)
                    .hint(
                        "run policybook from the handbook's folder, pass --root DIR, \
                             or create site.toml with at least `title = \"…\"`",
                    ),
                );
                return Err(Reported);
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read {CONFIG_FILE}: {e}")).at(&shown, None),
                );
                return Err(Reported);
            }
        };
        Self::parse(&text, &shown, diags)
    }

    /// Parses and checks the text of a `site.toml` shown as `shown` in messages.
    pub fn parse(text: &str, shown: &Path, diags: &mut Diagnostics) -> Outcome<Config> {
        let mut config: Config = match toml::from_str(text) {
            Ok(c) => c,
            Err(e) => {
                let line = e.span().map(|s| line_of(text, s.start));
                let mut d =
                    Diagnostic::error(format!("invalid {CONFIG_FILE}: {}", e.message().trim()));
                d = match line {
                    Some(line) => d.at_line(shown, text, line),
                    None => d.at(shown, None),
                };
                diags.push(d.hint("see the site.toml reference in the README"));
                return Err(Reported);
            }
        };
        config.source = text.to_string();
        config.path = shown.to_path_buf();
        report_unknown(&config.unknown, TOP_KEYS, "", &config, diags);
        report_unknown(&config.scope.unknown, SCOPE_KEYS, "scope.", &config, diags);
        report_unknown(
            &config.defaults.unknown,
            DEFAULTS_KEYS,
            "defaults.",
            &config,
            diags,
        );
        report_unknown(
            &config.markdown.unknown,
            MARKDOWN_KEYS,
            "markdown.",
            &config,
            diags,
        );
        report_unknown(&config.files.unknown, FILES_KEYS, "files.", &config, diags);
        report_unknown(
            &config.publish.unknown,
            PUBLISH_KEYS,
            "publish.",
            &config,
            diags,
        );
        report_unknown(
            &config.reviews.unknown,
            REVIEWS_KEYS,
            "reviews.",
            &config,
            diags,
        );
        report_unknown(
            &config.signatures.unknown,
            SIGNATURES_KEYS,
            "signatures.",
            &config,
            diags,
        );
        report_unknown(
            &config.acknowledgements.unknown,
            ACKNOWLEDGEMENTS_KEYS,
            "acknowledgements.",
            &config,
            diags,
        );
        config.check_acknowledgements(diags);
        config.parse_scope(diags);
        config.parse_frameworks(diags);
        for (key, value) in [
            ("base_url", &config.base_url),
            ("repository_url", &config.repository_url),
        ] {
            // A site-relative base (`/`, as Zola and Hugo sites often have) adds nothing, but
            // is harmless; any other scheme than http(s) is refused.
            let relative = key == "base_url"
                && value
                    .as_deref()
                    .is_some_and(|v| v.starts_with('/') && !v.starts_with("//"));
            if let Some(v) = value
                && !is_web_address(v)
                && !relative
            {
                let d = Diagnostic::error(format!(
                    "`{key}` must be an http:// or https:// address, not `{v}`"
                ));
                diags.push(
                    config
                        .place(d, key)
                        .pointing_at(v)
                        .hint("pages link to it, so only a web address is accepted, e.g. `https://handbook.example.com/`"),
                );
            }
        }
        if let Some(r) = &config.defaults.review
            && crate::model::Cadence::parse(r).is_none()
        {
            let d = Diagnostic::error(format!("invalid defaults.review `{r}`"));
            diags.push(
                config
                    .place(d, "review")
                    .hint("use annual, semiannual, quarterly, monthly or `N months`"),
            );
        }
        if let Some(v) = &config.versions {
            report_unknown(&v.unknown, VERSIONS_KEYS, "versions.", &config, diags);
            if v.current.trim().is_empty() || v.current.contains('/') {
                let d =
                    Diagnostic::error(format!("invalid versions.current label `{}`", v.current));
                diags.push(
                    config
                        .place(d, "current")
                        .hint("use a short label without `/`, e.g. `current = \"latest\"`"),
                );
            }
        }
        if config.title.trim().is_empty() {
            let d = match config.key_line("title") {
                Some(line) => Diagnostic::error("`title` is empty").at_line(shown, text, line),
                None => Diagnostic::error(format!("{CONFIG_FILE} has no `title`")).at(shown, None),
            };
            diags.push(d.hint(
                "give the handbook a name, e.g. `title = \"Example Corp Security Handbook\"`",
            ));
        }
        Ok(config)
    }

    /// The absolute address of a page (`url` relative to the site root), when `base_url` is an
    /// absolute http(s) address.
    pub fn absolute_url(&self, url: &str) -> Option<String> {
        let base = self.base_url.as_deref()?;
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return None;
        }
        Some(format!("{}/{url}", base.trim_end_matches('/')))
    }

    /// Link to a commit on the hosting service, when `repository_url` is set (an http(s) address:
    /// anything else is an error, so a `javascript:` URL never reaches a page).
    pub fn commit_url(&self, id: &str) -> Option<String> {
        self.repository_url
            .as_ref()
            .map(|u| format!("{}/commit/{id}", u.trim_end_matches('/')))
    }

    /// The page of pull request `n` on the hosting service, when `repository_url` is set
    /// (GitHub's `/pull/`; GitLab redirects it to its merge request).
    pub fn pull_request_url(&self, n: u32) -> Option<String> {
        self.repository_url
            .as_ref()
            .map(|u| format!("{}/pull/{n}", u.trim_end_matches('/')))
    }

    /// Checks the parts that depend on the control catalog: the framework and the categories.
    pub fn validate(&self, catalog: &Catalog, diags: &mut Diagnostics) {
        let Some(framework) = catalog.framework(&self.scope.framework) else {
            let ids: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
            let mut d = Diagnostic::error(format!(
                "unknown framework `{}` in [scope]",
                self.scope.framework
            ));
            d = self.place(d, "framework");
            d = match did_you_mean(&self.scope.framework, ids.iter().copied()) {
                Some(s) => d.hint(format!(
                    "did you mean `{s}`? Known frameworks: {}",
                    ids.join(", ")
                )),
                None => d.hint(format!("known frameworks: {}", ids.join(", "))),
            };
            diags.push(d);
            return;
        };
        let known = framework.categories();
        for category in &self.scope.categories {
            if !known.iter().any(|k| k == category) {
                let mut d = Diagnostic::error(format!(
                    "unknown category `{category}` in [scope] categories"
                ));
                d = self.place(d, "categories");
                let list = known.join(", ");
                d = match did_you_mean(category, known.iter().map(String::as_str)) {
                    Some(s) => d.hint(format!(
                        "did you mean `{s}`? Categories of {}: {list}",
                        framework.id
                    )),
                    None => d.hint(format!("categories of {}: {list}", framework.id)),
                };
                diags.push(d);
            }
        }
    }

    /// Whether controls of `category` (in the scope framework) are in scope. Security always is.
    pub fn category_in_scope(&self, category: &str) -> bool {
        category == "security" || self.scope.categories.iter().any(|c| c == category)
    }

    /// `d` placed on the line of site.toml that sets `key`, with that line shown.
    pub fn place(&self, d: Diagnostic, key: &str) -> Diagnostic {
        match self.key_line(key) {
            Some(line) => d.at_line(&self.path, &self.source, line),
            None => d.at(&self.path, None),
        }
    }

    /// The line of site.toml that sets `key` (or opens the `[key]` table), for messages.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        find_key_line(&self.source, key, '=')
    }
}

/// `http://host…` or `https://host…`, case-insensitively, with no spaces or control characters.
fn is_web_address(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn report_unknown(
    unknown: &BTreeMap<String, toml::Value>,
    allowed: &[&str],
    prefix: &str,
    config: &Config,
    diags: &mut Diagnostics,
) {
    for key in unknown.keys() {
        let mut d = Diagnostic::error(format!("unknown setting `{prefix}{key}` in {CONFIG_FILE}"));
        d = config.place(d, key);
        let list = allowed.join(", ");
        d = match did_you_mean(key, allowed.iter().copied()) {
            Some(s) => d.hint(format!("did you mean `{prefix}{s}`? Allowed here: {list}")),
            None => d.hint(format!("remove it; allowed here: {list}")),
        };
        diags.push(d);
    }
}

impl Config {
    /// `renew` must be a cadence; `roster` and `files` go together.
    fn check_acknowledgements(&self, diags: &mut Diagnostics) {
        let a = &self.acknowledgements;
        let all = 1..self.source.lines().count() + 1;
        if let Some(renew) = &a.renew
            && renew != "none"
            && crate::model::Cadence::parse(renew).is_none()
        {
            diags.push(
                self.at_line(
                    Diagnostic::error(format!("acknowledgements.renew `{renew}` is not a cadence")),
                    self.line_with(&all, renew),
                )
                .hint("write annual, semiannual, quarterly, monthly, `N months` or none"),
            );
        }
        if a.files.is_some() != a.roster.is_some() {
            let (set, missing) = if a.files.is_some() {
                ("files", "roster")
            } else {
                ("roster", "files")
            };
            diags.push(
                self.at_line(
                    Diagnostic::error(format!(
                        "[acknowledgements] sets `{set}` but not `{missing}`"
                    )),
                    self.source
                        .lines()
                        .position(|l| l.trim() == "[acknowledgements]")
                        .map_or(1, |i| i + 1),
                )
                .hint("acknowledgements need both the records (`files`) and the population they are counted against (`roster`)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Config>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let c = Config::parse(text, Path::new("site.toml"), &mut diags).ok();
        (c, diags)
    }

    #[test]
    fn minimal_config_has_defaults() {
        let (c, diags) = parse("title = \"H\"\n");
        let c = c.unwrap();
        assert!(diags.is_empty());
        assert_eq!(c.scope.framework, "soc2");
        assert!(c.category_in_scope("security"));
        assert!(!c.category_in_scope("privacy"));
    }

    #[test]
    fn unknown_keys_are_reported_with_line_and_suggestion() {
        let (_, diags) = parse("title = \"H\"\n[scope]\ncategorys = [\"privacy\"]\n");
        let d = diags.sorted();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(3));
        assert!(d[0].message.contains("scope.categorys"));
        assert!(d[0].hint.as_deref().unwrap().contains("scope.categories"));
    }

    #[test]
    fn type_errors_name_the_line() {
        let (c, diags) = parse("title = \"H\"\n\n[scope]\ncategories = \"privacy\"\n");
        assert!(c.is_none());
        let d = diags.sorted();
        assert_eq!(d[0].line, Some(4), "{}", d[0]);
    }

    #[test]
    fn addresses_must_be_web_addresses_and_raw_html_is_a_choice() {
        let (c, diags) = parse(
            "title = \"H\"\nbase_url = \"javascript:alert(1)//\"\nrepository_url = \"https://github.com/o/r\"\n",
        );
        assert!(c.is_some());
        let d = diags.sorted();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, Some(2));
        assert!(
            d[0].message.contains("`base_url` must be an http"),
            "{}",
            d[0]
        );
        let (c, diags) = parse("title = \"H\"\n[markdown]\nraw_html = \"escape\"\n");
        assert!(diags.is_empty());
        assert_eq!(c.unwrap().markdown.raw_html, RawHtml::Escape);
        let (c, _) = parse("title = \"H\"\n");
        assert_eq!(c.unwrap().markdown.raw_html, RawHtml::Sanitize);
        let (c, diags) = parse("title = \"H\"\n[markdown]\nraw_html = \"yes\"\n");
        assert!(c.is_none());
        assert_eq!(diags.sorted()[0].line, Some(3));
        assert!(is_web_address("HTTPS://x.org"));
        assert!(!is_web_address("https://"));
        assert!(!is_web_address("https:///x"));
        assert!(!is_web_address("https://x.org/a b"));
    }

    #[test]
    fn unknown_category_is_an_error() {
        let (c, mut diags) = parse("title = \"H\"\n[scope]\ncategories = [\"availabilty\"]\n");
        c.unwrap().validate(&Catalog::builtin(), &mut diags);
        let d = diags.sorted();
        assert_eq!(d.len(), 1);
        assert!(
            d[0].hint.as_deref().unwrap().contains("`availability`"),
            "{}",
            d[0]
        );
        assert_eq!(d[0].line, Some(3));
    }
}
