//! The sidebar's contents, `navigation.js`: one script shared by every page.

use serde::Serialize;

use super::views::Views;

#[derive(Serialize)]
struct NavGroup {
    label: &'static str,
    items: Vec<NavItem>,
}

#[derive(Serialize)]
struct NavItem {
    /// Title.
    t: String,
    /// URL relative to the site root.
    u: String,
    /// Folder below policies/ ("" at the top).
    f: String,
}

/// The sidebar's contents as a script shared by every page: one copy of the whole handbook's
/// navigation instead of one per page, which keeps large handbooks small.
pub(super) fn navigation_js(views: &Views<'_>) -> Vec<u8> {
    let groups: Vec<NavGroup> = views
        .kind_groups()
        .into_iter()
        .map(|g| NavGroup {
            label: g.label,
            // In reading order, where the documents of a folder are next to each other: the
            // script shows each run of one folder as a group under its name.
            items: g
                .documents
                .into_iter()
                .map(|d| NavItem {
                    t: d.title,
                    u: d.url,
                    f: d.folder,
                })
                .collect(),
        })
        .collect();
    let json = serde_json::to_string(&groups).unwrap_or_else(|_| "[]".into());
    format!("window.policybookNav = {json};\n").into_bytes()
}
