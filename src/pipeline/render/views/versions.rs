//! What templates see of the versions: the switcher, the "superseded" banner, the "What changed"
//! page and the versions index.

use serde::Serialize;

use crate::model::{DocIx, IxVec, url};

/// Each version's "What changed" page.
pub const WHAT_CHANGED: &str = "what-changed.html";
/// The list of every version, at the site root.
pub const VERSIONS_INDEX: &str = "versions.html";

/// One version as listed in every switcher.
#[derive(Debug, Clone, Serialize)]
pub struct VersionMeta {
    /// The tag, or the current version's label.
    pub label: String,
    /// Where its pages are, relative to the site root (`""`, `v/v1.0/`).
    pub prefix: String,
    /// The release's date.
    pub date: Option<String>,
    /// An annotated tag's message.
    pub message: Option<String>,
    /// A release (not the current version).
    pub release: bool,
}

#[derive(Debug, Clone, Serialize)]
/// "This version is superseded", on a release's pages.
pub struct Banner {
    /// This version.
    pub label: String,
    /// The release that superseded it.
    pub superseded_by: String,
    /// When.
    pub date: String,
}

/// A row of the versions index.
#[derive(Debug, Clone, Serialize)]
pub struct VersionSummary {
    /// The version.
    pub label: String,
    /// Relative to the site root.
    pub home: String,
    /// Its "What changed" page, relative to the site root.
    pub what_changed: String,
    /// Its date.
    pub date: Option<String>,
    /// Its tag's message.
    pub message: Option<String>,
    /// A release.
    pub release: bool,
    /// The version before it.
    pub previous: Option<String>,
    /// Documents added since.
    pub added: usize,
    /// Documents removed since.
    pub removed: usize,
    /// Documents renamed since.
    pub renamed: usize,
    /// Documents changed since.
    pub modified: usize,
    /// Controls whose coverage changed since.
    pub controls: usize,
}

/// Everything the renderer needs to put one version among the others.
pub struct VersionPages {
    /// This version's position in `all` (oldest release first, current version last).
    pub index: usize,
    /// Every version.
    pub all: Vec<VersionMeta>,
    /// For each document of this version, the id of the same document in each version.
    pub doc_targets: IxVec<DocIx, Vec<Option<String>>>,
    /// "Superseded by", for an old release.
    pub banner: Option<Banner>,
    /// Changes since the previous version (`versions::diff::VersionDiff`, as the template sees
    /// it); `None` for the first release.
    pub diff: Option<serde_json::Value>,
    /// Rows of `versions.html`, rendered with the current version only.
    pub index_page: Option<Vec<VersionSummary>>,
}

#[derive(Serialize)]
/// An entry of the version switcher.
pub struct SwitchOption {
    /// The version.
    pub label: String,
    /// The same page in it.
    pub url: String,
    /// It is the version shown.
    pub current: bool,
    /// Its date.
    pub date: Option<String>,
}

#[derive(Serialize)]
/// The version switcher and banner of a page.
pub struct VersionNav {
    /// The version shown.
    pub label: String,
    /// Every version.
    pub options: Vec<SwitchOption>,
    /// "Superseded by", for an old release.
    pub banner: Option<Banner>,
    /// The same page in the current version (for the banner's link).
    pub current_url: String,
    /// The versions page.
    pub index_url: String,
    /// This version's "What changed" page.
    pub what_changed_url: String,
}

#[derive(Serialize)]
/// A version's "What changed" page.
pub struct WhatChangedView<'a> {
    /// The version.
    pub label: String,
    /// The version before it.
    pub previous: Option<String>,
    /// What changed.
    pub diff: Option<&'a serde_json::Value>,
}

impl VersionPages {
    /// `../` for each folder of this version's prefix: from its root up to the site's root.
    fn up(&self) -> String {
        "../".repeat(self.all[self.index].prefix.matches('/').count())
    }

    /// The switcher and banner of the page at `path` (relative to this version's root), for a
    /// page whose root is `root`; `doc` is the document the page shows, if any.
    pub fn nav(&self, path: &str, root: &str, doc: Option<DocIx>) -> VersionNav {
        let up = self.up();
        let target = |w: usize| -> String {
            match doc {
                Some(d) => match self
                    .doc_targets
                    .get(d)
                    .and_then(|t| t.get(w))
                    .and_then(|t| t.as_ref())
                {
                    Some(id) => url::document(id),
                    None => url::HOME.to_string(),
                },
                None if path == VERSIONS_INDEX => url::HOME.to_string(),
                None => path.to_string(),
            }
        };
        let link = |w: usize| format!("{root}{up}{}{}", self.all[w].prefix, target(w));
        let current = self.all.len() - 1;
        VersionNav {
            label: self.all[self.index].label.clone(),
            options: (0..self.all.len())
                .rev()
                .map(|w| SwitchOption {
                    label: self.all[w].label.clone(),
                    url: link(w),
                    current: w == self.index,
                    date: self.all[w].date.clone(),
                })
                .collect(),
            banner: self.banner.clone(),
            current_url: link(current),
            index_url: format!("{root}{up}{VERSIONS_INDEX}"),
            what_changed_url: format!("{root}{WHAT_CHANGED}"),
        }
    }

    /// This version's "What changed" page.
    pub fn what_changed(&self) -> WhatChangedView<'_> {
        WhatChangedView {
            label: self.all[self.index].label.clone(),
            previous: self.index.checked_sub(1).map(|p| self.all[p].label.clone()),
            diff: self.diff.as_ref(),
        }
    }
}
