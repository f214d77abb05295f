//! Renders every version of the handbook into one site: the current version at the root, each
//! release under `v/<tag>/`, all with the version switcher, the releases superseded by a newer
//! one with a banner, each with its "What changed" page, and the versions index at the root.

use crate::config::Versions;
use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::pipeline::render::theme::Theme;
use crate::pipeline::render::views::versions::{
    Banner, VERSIONS_INDEX, VersionMeta, VersionPages, VersionSummary, WHAT_CHANGED,
};
use crate::pipeline::render::{BodyCache, RenderContext, Selection, Site, render};
use crate::pipeline::resolve::Handbook;
use crate::pipeline::{Caches, Source};

use super::diff::{VersionDiff, diff};
use super::{Version, analyze_releases, lineage, list_releases};

/// What rendering every version needs.
pub struct Inputs<'a> {
    /// The current version's source: releases are read from its repository.
    pub source: &'a Source,
    /// The current version, opened.
    pub current: &'a Handbook,
    /// `[versions]` of the current site.toml.
    pub settings: &'a Versions,
    /// Every version is rendered with the current theme.
    pub theme: &'a Theme,
    /// Shared with the current version's opening.
    pub caches: &'a Caches,
    /// Which outputs to render, of every version.
    pub selection: &'a Selection,
}

/// Builds the releases of `[versions]` and renders them with the current version.
pub fn render_versions(inputs: &Inputs<'_>, diags: &mut Diagnostics) -> Outcome<Site> {
    let (current, settings, theme) = (inputs.current, inputs.settings, inputs.theme);
    let Some((repo, _)) = crate::pipeline::history::open_repository(inputs.source.root()) else {
        return diags.fail(
            Diagnostic::error("[versions] is set, but the handbook is not in a git repository, where releases are tags")
                .at(&current.config.path, None)
                .hint("keep the handbook in git and tag releases, or remove [versions] from site.toml"),
        );
    };
    let releases = list_releases(&repo, &settings.tags, &current.config, diags);
    let built: Vec<Version> =
        analyze_releases(inputs.source.root(), releases, inputs.caches, diags);

    // All versions, oldest release first, the current one last.
    let mut handbooks: Vec<&Handbook> = built.iter().map(|v| &v.handbook).collect();
    handbooks.push(current);
    let mut metas: Vec<VersionMeta> = built
        .iter()
        .map(|v| VersionMeta {
            label: v.label.clone(),
            prefix: v.prefix.clone(),
            date: v.release.as_ref().map(|r| r.date.to_string()),
            message: v.release.as_ref().and_then(|r| r.message.clone()),
            release: true,
        })
        .collect();
    metas.push(VersionMeta {
        label: settings.current.clone(),
        prefix: String::new(),
        date: None,
        message: None,
        release: false,
    });
    let n = handbooks.len();
    let targets = lineage(&handbooks);
    let diffs: Vec<Option<VersionDiff>> = (0..n)
        .map(|v| {
            (v > 0).then(|| {
                diff(
                    &metas[v - 1].label,
                    handbooks[v - 1],
                    &metas[v].label,
                    handbooks[v],
                )
            })
        })
        .collect();
    let summaries: Vec<VersionSummary> = (0..n)
        .rev()
        .map(|v| {
            let d = diffs[v].as_ref();
            let count = |f: fn(&VersionDiff) -> usize| d.map(f).unwrap_or(0);
            VersionSummary {
                label: metas[v].label.clone(),
                home: format!("{}index.html", metas[v].prefix),
                what_changed: format!("{}{WHAT_CHANGED}", metas[v].prefix),
                date: metas[v].date.clone(),
                message: metas[v].message.clone(),
                release: metas[v].release,
                previous: v.checked_sub(1).map(|p| metas[p].label.clone()),
                // The first release adds every document it has.
                added: d
                    .map(|d| d.added.len())
                    .unwrap_or(handbooks[v].documents.len()),
                removed: count(|d| d.removed.len()),
                renamed: count(|d| d.renamed.len()),
                modified: count(|d| d.modified.len()),
                controls: count(|d| d.controls.len()),
            }
        })
        .collect();
    let newest_release = built.len().checked_sub(1);

    let bodies = BodyCache::default();
    let mut site = Site::default();
    let mut diffs = diffs;
    let mut progress = crate::progress::Progress::new(n);
    for v in 0..n {
        progress.step(&format!("rendering version {}", metas[v].label));
        let pages = VersionPages {
            index: v,
            all: metas.clone(),
            doc_targets: targets[v]
                .iter()
                .map(|per| {
                    per.iter()
                        .enumerate()
                        .map(|(w, t)| t.map(|d| handbooks[w].documents[d].id.clone()))
                        .collect()
                })
                .collect(),
            // A release is superseded by the next release; the newest release and the current
            // version are not.
            banner: match newest_release {
                Some(last) if v < last => Some(Banner {
                    label: metas[v].label.clone(),
                    superseded_by: metas[v + 1].label.clone(),
                    date: metas[v + 1].date.clone().unwrap_or_default(),
                }),
                _ => None,
            },
            diff: match diffs[v].take().map(|d| serde_json::to_value(&d)) {
                Some(Ok(value)) => Some(value),
                Some(Err(e)) => {
                    return diags.fail(Diagnostic::error(format!(
                        "cannot prepare the what-changed page of {}: {e}",
                        metas[v].label
                    )));
                }
                None => None,
            },
            index_page: (v == n - 1).then(|| summaries.clone()),
        };
        let part = render(
            &RenderContext {
                handbook: handbooks[v],
                theme,
                version: Some(&pages),
                bodies: Some(&bodies),
                selection: inputs.selection,
            },
            diags,
        )?;
        // On disk the tag as it is; in links, `metas[v].prefix`, encoded.
        let prefix = built.get(v).map(|b| b.dir.as_str()).unwrap_or("");
        for mut f in part.files {
            f.path = format!("{prefix}{}", f.path);
            site.files.push(f);
        }
        for (path, from) in part.copies {
            site.copies.push((format!("{prefix}{path}"), from));
        }
    }
    progress.finish();
    site.files.sort_by(|a, b| a.path.cmp(&b.path));
    site.copies.sort_by(|a, b| a.0.cmp(&b.0));
    debug_assert!(site.files.iter().any(|f| f.path == VERSIONS_INDEX));
    Ok(site)
}
