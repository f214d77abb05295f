//! The nouns of a handbook: documents, their sections and the links and control mappings they
//! carry. Built by `parse`, read by `resolve` and `render`.

pub mod acknowledgements;
pub mod exception;
mod ix;
pub mod people;
pub mod register;
mod spanned;

pub use ix::{ControlIx, DocIx, Ix, IxVec, RegIx};
pub use spanned::Spanned;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

/// What a document is. The order here is the order of the home page and the sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// States rules: what must be done, and by whom.
    Policy,
    /// Says how a policy is carried out, step by step.
    Procedure,
    /// Sets the technical requirements a policy refers to.
    Standard,
    /// Prepares for an event (business continuity, incident response).
    Plan,
    /// Describes how the organisation and its system work (a SOC 2 system description's parts).
    Narrative,
    /// Records an approved departure from a policy (see `exception`): kept apart from the
    /// handbook's documents once resolved, published only when `[publish] exceptions`.
    Exception,
}

impl Kind {
    /// Every kind, in display order.
    pub const ALL: [Kind; 6] = [
        Kind::Policy,
        Kind::Procedure,
        Kind::Standard,
        Kind::Plan,
        Kind::Narrative,
        Kind::Exception,
    ];
    /// How front matter names them.
    pub const NAMES: [&'static str; 6] = [
        "policy",
        "procedure",
        "standard",
        "plan",
        "narrative",
        "exception",
    ];

    /// The kind front matter names `s`.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How front matter names it.
    pub fn as_str(self) -> &'static str {
        Kind::NAMES[self as usize]
    }

    /// "Policies", for headings.
    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Policy => "Policies",
            Kind::Procedure => "Procedures",
            Kind::Standard => "Standards",
            Kind::Plan => "Plans",
            Kind::Narrative => "Narratives",
            Kind::Exception => "Exceptions",
        }
    }
}

/// Only published documents count as evidence for a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Being written: not in force, no evidence.
    Draft,
    /// In force.
    Published,
    /// No longer in force.
    Retired,
}

impl Status {
    /// How front matter names them.
    pub const NAMES: [&'static str; 3] = ["draft", "published", "retired"];

    /// The status front matter names `s`.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "retired" => Some(Status::Retired),
            _ => None,
        }
    }

    /// How front matter names it.
    pub fn as_str(self) -> &'static str {
        Status::NAMES[self as usize]
    }
}

/// How often a document must be reviewed, in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Cadence {
    /// Months between reviews.
    pub months: u32,
}

impl Cadence {
    /// The cadences with a name.
    pub const NAMES: [&'static str; 4] = ["annual", "semiannual", "quarterly", "monthly"];

    /// `annual` | `semiannual` | `quarterly` | `monthly` | `N months` (also `1 month`).
    pub fn parse(s: &str) -> Option<Cadence> {
        let months = match s.trim() {
            "annual" => 12,
            "semiannual" => 6,
            "quarterly" => 3,
            "monthly" => 1,
            other => {
                let (n, unit) = other.split_once(char::is_whitespace)?;
                let n: u32 = n.parse().ok()?;
                if !matches!(unit.trim(), "months" | "month") || n == 0 || n > 120 {
                    return None;
                }
                n
            }
        };
        Some(Cadence { months })
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.months {
            12 => f.write_str("annual"),
            6 => f.write_str("semiannual"),
            3 => f.write_str("quarterly"),
            1 => f.write_str("monthly"),
            n => write!(f, "every {n} months"),
        }
    }
}

impl From<Cadence> for String {
    fn from(c: Cadence) -> String {
        c.to_string()
    }
}

/// A control named by a document or a section, with where it was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRef {
    /// The framework (`soc2`).
    pub framework: String,
    /// The control's id (`CC6.1`).
    pub id: String,
    /// Line of the file that names it.
    pub line: usize,
    /// The framework was written (`soc2: [CC6.1]`, `soc2:CC6.1`) rather than taken as the
    /// default: such an id is never one of the organisation's controls.
    pub explicit: bool,
}

impl ControlRef {
    /// `soc2:CC6.1` names its framework; a bare `CC6.1` (or `ACC-02`) takes the default one.
    pub fn parse(text: &str, default_framework: &str, line: usize) -> ControlRef {
        let (framework, id, explicit) = match text.split_once(':') {
            Some((fw, id)) => (fw, id, true),
            None => (default_framework, text, false),
        };
        ControlRef {
            framework: framework.to_string(),
            id: id.to_string(),
            line,
            explicit,
        }
    }
}

/// A heading of a document's body. Every heading is a section with a stable anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// 1 for `#`, 2 for `##`…
    pub level: u8,
    /// Plain text of the heading, for the table of contents and the matrix.
    pub title: String,
    /// The anchor: `{#id}` when given, otherwise a slug of the title, made unique in the page.
    pub anchor: String,
    /// Controls this section is the evidence for (`{controls=CC6.2,CC6.3}`).
    pub controls: Vec<ControlRef>,
    /// `{.class}` attributes, kept on the heading.
    pub classes: Vec<String>,
    /// Line of the heading in the file.
    pub line: usize,
}

/// What a link or image of a body becomes in the HTML, decided by `resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Href {
    /// Left as written: external links, in-page anchors.
    AsWritten,
    /// Rewritten to a page or file of the site: a URL relative to the site root (the renderer
    /// makes it relative to the page).
    Site(String),
    /// Rewritten to an absolute address: a root-absolute link (`/x/y/`) that names no document,
    /// on the origin of `base_url`.
    External(String),
    /// Dropped: a URL scheme that could run code in the reader's browser (`javascript:`), with
    /// raw HTML not trusted. A link keeps its text; an image is left out.
    Removed,
}

/// A link or image destination found in a body, in document order.
#[derive(Debug, Clone)]
pub struct LinkRef {
    /// As written.
    pub dest: String,
    /// Line of the file it is on.
    pub line: usize,
    /// An image rather than a link.
    pub is_image: bool,
}

/// One Markdown file of `policies/`, parsed. The bulky parts are shared (`Arc`): documents are
/// cloned between the builds of several versions and between `serve`'s rebuilds.
#[derive(Debug, Clone)]
pub struct Document {
    /// `id:`, or the file name without `.md`.
    pub id: String,
    /// Path relative to the handbook root with `/` separators (`policies/access-control.md`).
    pub path: String,
    /// Path as shown in messages.
    pub display_path: PathBuf,
    /// `title:`, with its line (document-level messages point there).
    pub title: Spanned<String>,
    /// `kind:`, default `policy`.
    pub kind: Kind,
    /// `owner:`: the role accountable for it.
    pub owner: Option<Spanned<String>>,
    /// `approvers:`.
    pub approvers: Vec<Spanned<String>>,
    /// `version:`, as written.
    pub version: Option<String>,
    /// `effective:`: when it took effect.
    pub effective: Option<Spanned<jiff::civil::Date>>,
    /// `review:`: how often it must be reviewed.
    pub review: Option<Spanned<Cadence>>,
    /// `status:`, default `published`.
    pub status: Status,
    /// Controls the document as a whole maps to.
    pub controls: Vec<ControlRef>,
    /// Ids of documents this one implements, with the line that names each.
    pub implements: Vec<Spanned<String>>,
    /// `tags:`.
    pub tags: Vec<String>,
    /// `weight:`: lower comes first in the sidebar and reading order; without one, after
    /// those with one, by title.
    pub weight: Option<i64>,
    /// Free-form data for templates (`extra:` in the front matter).
    pub extra: serde_json::Value,
    /// Every heading, in order.
    pub sections: Arc<Vec<Section>>,
    /// anchor → index in `sections`, for link checks (documents can have many thousands).
    pub anchors: Arc<HashMap<String, usize>>,
    /// Every link and image of the body, in order.
    pub links: Arc<Vec<LinkRef>>,
    /// Plain text for search: `[0]` before the first heading, `[i + 1]` under `sections[i]`.
    pub texts: Arc<Vec<String>>,
    /// The whole file; the body is `source[body_start..]`.
    pub source: Arc<str>,
    /// Byte offset of the body in `source`.
    pub body_start: usize,
    /// For `kind: exception`: what it excepts, who asked and approved, its dates.
    pub exception: Option<Arc<exception::ExceptionFields>>,
}

impl Document {
    /// The owner's role, if there is one.
    pub fn owner_name(&self) -> Option<&str> {
        self.owner.as_ref().map(|o| o.value.as_str())
    }

    /// The approvers, as written.
    pub fn approver_names(&self) -> Vec<String> {
        self.approvers.iter().map(|a| a.value.clone()).collect()
    }

    /// The markdown after the front matter.
    pub fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    /// The section with this anchor.
    pub fn section(&self, anchor: &str) -> Option<&Section> {
        self.anchors.get(anchor).map(|&i| &self.sections[i])
    }

    /// Folder of the document below `policies/` ("" at the top), for grouping in navigation.
    pub fn folder(&self) -> &str {
        let inner = self.path.strip_prefix("policies/").unwrap_or(&self.path);
        inner.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("")
    }
}

/// Where every page lives, relative to the site root. One place, so links and files agree.
pub mod url {
    /// A document's page.
    pub fn document(id: &str) -> String {
        format!("documents/{id}.html")
    }

    /// The page of a policy exception.
    pub fn exception(id: &str) -> String {
        format!("exceptions/{}.html", encode_segment(id))
    }

    /// The exception register.
    pub const EXCEPTIONS: &str = "exceptions.html";

    /// People and the roles they hold.
    pub const PEOPLE: &str = "people.html";

    /// Who acknowledged which document (with `[publish] acknowledgements`).
    pub const ACKNOWLEDGEMENTS: &str = "acknowledgements.html";

    /// The page of a control of the organisation's register.
    pub fn register_control(id: &str) -> String {
        format!("controls/{}.html", encode_segment(id))
    }

    /// A control's page.
    pub fn control(framework: &str, id: &str) -> String {
        format!("controls/{framework}/{id}.html")
    }

    /// The Statement of Applicability of a framework: `soa.html` for the first (the usual one),
    /// `soa-<key>.html` for any other; `ext` is `html` or `csv`.
    pub fn soa(framework: &str, first: bool, ext: &str) -> String {
        if first {
            format!("soa.{ext}")
        } else {
            format!("soa-{framework}.{ext}")
        }
    }

    /// One framework's matrix page (when the audit has more than one framework).
    pub fn framework_matrix(framework: &str) -> String {
        format!("matrix/{framework}.html")
    }

    /// A non-Markdown file linked from a document, copied from `policies/<path>`.
    pub fn asset(path_below_policies: &str) -> String {
        format!("files/{path_below_policies}")
    }

    /// Where a release's pages are on disk, below the site root: `v/<tag>/`.
    pub fn release_dir(tag: &str) -> String {
        format!("v/{tag}/")
    }

    /// The same place as a URL: each segment of the tag percent-encoded, so that a tag named
    /// `%2e%2e` or `a#b` cannot point a link anywhere else.
    pub fn release_prefix(tag: &str) -> String {
        let encoded: Vec<String> = tag.split('/').map(encode_segment).collect();
        format!("v/{}/", encoded.join("/"))
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    pub fn encode_segment(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    /// The home page.
    pub const HOME: &str = "index.html";
    /// The printable packet of every document (`policybook pdf` prints it).
    pub const PRINT: &str = "print/index.html";
    /// The list of controls.
    pub const CONTROLS: &str = "controls/index.html";
    /// The traceability matrix.
    pub const MATRIX: &str = "matrix.html";
    /// The gap report.
    pub const GAPS: &str = "gaps.html";
    /// The review status of every document.
    pub const REVIEWS: &str = "reviews.html";
    /// The change log (its first page: the newest commits).
    pub const CHANGES: &str = "changes.html";

    /// Page `n` (from 1) of the change log: `changes.html`, then `changes-2.html`, …
    pub fn changes_page(n: usize) -> String {
        if n <= 1 {
            CHANGES.to_string()
        } else {
            format!("changes-{n}.html")
        }
    }
    /// The audit's scope: categories, exclusions, subservices and complementary controls.
    pub const SCOPE: &str = "scope.html";

    /// A subservice's entry on the scope page.
    pub fn subservice(name: &str) -> String {
        format!("{SCOPE}#{}", subservice_anchor(name))
    }

    /// The anchor of a subservice on the scope page: its name in lower case, other characters
    /// than letters and digits as `-`.
    pub fn subservice_anchor(name: &str) -> String {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        format!("subservice-{slug}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadences() {
        assert_eq!(Cadence::parse("annual").unwrap().months, 12);
        assert_eq!(Cadence::parse("18 months").unwrap().months, 18);
        assert_eq!(Cadence::parse("1 month").unwrap().months, 1);
        assert_eq!(Cadence::parse("18 month").unwrap().months, 18);
        assert!(Cadence::parse("0 months").is_none());
        assert!(Cadence::parse("yearly").is_none());
        assert!(Cadence::parse("x months").is_none());
        assert_eq!(
            Cadence::parse("6 months").unwrap().to_string(),
            "semiannual"
        );
        assert_eq!(
            Cadence::parse("18 months").unwrap().to_string(),
            "every 18 months"
        );
    }

    #[test]
    fn release_urls_are_encoded_and_folders_are_not() {
        assert_eq!(url::release_prefix("v1.0"), "v/v1.0/");
        assert_eq!(url::release_prefix("%2e%2e"), "v/%252e%252e/");
        assert_eq!(
            url::release_prefix("release/2025 #1"),
            "v/release/2025%20%231/"
        );
        assert_eq!(url::release_dir("%2e%2e"), "v/%2e%2e/");
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("Policy"), None);
    }
}
