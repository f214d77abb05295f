//! The nouns of a handbook: documents, their sections and the links and control mappings they
//! carry. Built by `parse`, read by `resolve` and `render`.

mod ix;
mod spanned;

pub use ix::{ControlIx, DocIx, Ix, IxVec};
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
    Policy,
    Procedure,
    Standard,
    Plan,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Policy, Kind::Procedure, Kind::Standard, Kind::Plan];
    pub const NAMES: [&'static str; 4] = ["policy", "procedure", "standard", "plan"];

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        Kind::NAMES[self as usize]
    }

    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Policy => "Policies",
            Kind::Procedure => "Procedures",
            Kind::Standard => "Standards",
            Kind::Plan => "Plans",
        }
    }
}

/// Only published documents count as evidence for a control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
    Retired,
}

impl Status {
    pub const NAMES: [&'static str; 3] = ["draft", "published", "retired"];

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            "retired" => Some(Status::Retired),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Status::NAMES[self as usize]
    }
}

/// How often a document must be reviewed, in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Cadence {
    pub months: u32,
}

impl Cadence {
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
    pub framework: String,
    pub id: String,
    pub line: usize,
}

/// A heading of a document's body. Every heading is a section with a stable anchor.
#[derive(Debug, Clone)]
pub struct Section {
    pub level: u8,
    /// Plain text of the heading, for the table of contents and the matrix.
    pub title: String,
    /// The anchor: `{#id}` when given, otherwise a slug of the title, made unique in the page.
    pub anchor: String,
    /// Controls this section is the evidence for (`{controls=CC6.2,CC6.3}`).
    pub controls: Vec<ControlRef>,
    pub classes: Vec<String>,
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
    /// Dropped: a URL scheme that could run code in the reader's browser (`javascript:`), with
    /// raw HTML not trusted. A link keeps its text; an image is left out.
    Removed,
}

/// A link or image destination found in a body, in document order.
#[derive(Debug, Clone)]
pub struct LinkRef {
    pub dest: String,
    pub line: usize,
    pub is_image: bool,
}

/// One Markdown file of `policies/`, parsed. The bulky parts are shared (`Arc`): documents are
/// cloned between the builds of several versions and between `serve`'s rebuilds.
#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    /// Path relative to the handbook root with `/` separators (`policies/access-control.md`).
    pub path: String,
    /// Path as shown in messages.
    pub display_path: PathBuf,
    /// `title:`, with its line (document-level messages point there).
    pub title: Spanned<String>,
    pub kind: Kind,
    pub owner: Option<Spanned<String>>,
    pub approvers: Vec<Spanned<String>>,
    pub version: Option<String>,
    pub effective: Option<Spanned<jiff::civil::Date>>,
    pub review: Option<Spanned<Cadence>>,
    pub status: Status,
    /// Controls the document as a whole maps to.
    pub controls: Vec<ControlRef>,
    /// Ids of documents this one implements, with the line that names each.
    pub implements: Vec<Spanned<String>>,
    pub tags: Vec<String>,
    /// Free-form data for templates (`extra:` in the front matter).
    pub extra: serde_json::Value,
    pub sections: Arc<Vec<Section>>,
    /// anchor → index in `sections`, for link checks (documents can have many thousands).
    pub anchors: Arc<HashMap<String, usize>>,
    pub links: Arc<Vec<LinkRef>>,
    /// Plain text for search: `[0]` before the first heading, `[i + 1]` under `sections[i]`.
    pub texts: Arc<Vec<String>>,
    /// The whole file; the body is `source[body_start..]`.
    pub source: Arc<str>,
    pub body_start: usize,
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
    pub fn document(id: &str) -> String {
        format!("documents/{id}.html")
    }

    pub fn control(framework: &str, id: &str) -> String {
        format!("controls/{framework}/{id}.html")
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

    pub const HOME: &str = "index.html";
    pub const CONTROLS: &str = "controls/index.html";
    pub const MATRIX: &str = "matrix.html";
    pub const GAPS: &str = "gaps.html";
    pub const REVIEWS: &str = "reviews.html";
    pub const CHANGES: &str = "changes.html";
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
