//! The site of a handbook: its one version, or with `[versions]` every release beside the
//! current one. The one function `build` and `serve` call to render.

use crate::diagnostics::{Diagnostics, Outcome};
use crate::pipeline::render::theme::Theme;
use crate::pipeline::render::{BodyCache, PageSink, RenderContext, Selection, Site, render_into};
use crate::pipeline::resolve::Handbook;
use crate::pipeline::{Caches, Source};

/// What rendering a whole site needs.
pub struct SiteInputs<'a> {
    /// Where the handbook was read from (releases are read from its repository).
    pub source: &'a Source,
    /// The current version, opened.
    pub handbook: &'a Handbook,
    /// The theme every version is rendered with.
    pub theme: &'a Theme,
    /// Shared with the opening of `handbook`, so releases reuse its work.
    pub caches: &'a Caches,
    /// Bodies rendered before (`serve` keeps them across rebuilds).
    pub bodies: Option<&'a BodyCache>,
    /// Where the pages go as they are rendered, instead of the site (one version only: with
    /// `[versions]`, every page stays in the site).
    pub pages_to: Option<&'a PageSink<'a>>,
    /// Which outputs to render, of every version.
    pub selection: &'a Selection,
}

/// Every file of the site, in memory.
pub fn render_site(inputs: &SiteInputs<'_>, diags: &mut Diagnostics) -> Outcome<Site> {
    match &inputs.handbook.config.versions {
        Some(settings) => crate::versions::render_versions(
            &crate::versions::Inputs {
                source: inputs.source,
                current: inputs.handbook,
                settings,
                theme: inputs.theme,
                caches: inputs.caches,
                selection: inputs.selection,
            },
            diags,
        ),
        None => render_into(
            &RenderContext {
                handbook: inputs.handbook,
                theme: inputs.theme,
                version: None,
                bodies: inputs.bodies,
                selection: inputs.selection,
            },
            inputs.pages_to,
            diags,
        ),
    }
}
