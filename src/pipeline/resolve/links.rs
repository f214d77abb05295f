//! Links in document bodies: rewrite the forms policybook understands to page URLs and check
//! that what they point at exists.
//!
//! Forms: `other.md`, `../sub/other.md#anchor` (relative to the linking file), `policy:ID`,
//! `policy:ID#anchor`, `control:CC6.1`, `control:soc2:CC6.1`, `#anchor` (same page), and links to
//! other files under `policies/` (copied to the site), and root-absolute links from the site a
//! handbook was adopted from (`/x/y/`, see `root_absolute`). Anything with a scheme is left alone.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::config::RawHtml;
use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::markdown::sanitize::{has_scheme, unsafe_scheme};
use crate::model::{ControlRef, DocIx, Document, Href, IxVec, LinkRef, url};
use crate::pipeline::load::AssetSource;

pub(crate) struct Context<'a> {
    pub documents: &'a IxVec<DocIx, Arc<Document>>,
    pub by_id: &'a HashMap<String, DocIx>,
    pub by_path: &'a HashMap<&'a str, DocIx>,
    pub catalog: &'a Catalog,
    pub register: &'a HashMap<String, crate::model::RegIx>,
    pub assets: &'a BTreeMap<String, AssetSource>,
    pub default_framework: &'a str,
    /// Unless raw HTML is trusted, links that could run script are removed.
    pub raw_html: RawHtml,
    /// Linked files larger than this are a warning.
    pub warn_size_mb: u64,
    /// `scheme://host` of `base_url`, for root-absolute links that name no document.
    pub origin: Option<String>,
}

pub(crate) struct Resolved {
    /// One per link of the document, in order.
    pub hrefs: Vec<Href>,
    /// Documents linked to.
    pub documents: BTreeSet<DocIx>,
    /// Files linked to.
    pub assets: BTreeMap<String, AssetSource>,
}

enum Target {
    /// Leave the link as written.
    Keep,
    /// Drop it, with this warning.
    Remove(Diagnostic),
    Document(DocIx, Option<String>),
    Control(String),
    Asset(String),
    /// An absolute address.
    External(String),
}

pub(crate) fn resolve_links(
    ctx: &Context<'_>,
    doc: &Document,
    diags: &mut Diagnostics,
) -> Resolved {
    let mut out = Resolved {
        hrefs: Vec::with_capacity(doc.links.len()),
        documents: BTreeSet::new(),
        assets: BTreeMap::new(),
    };
    for link in doc.links.iter() {
        let href = match target(ctx, doc, link) {
            Ok(Target::Keep) => Href::AsWritten,
            Ok(Target::Remove(d)) => {
                diags.push(
                    d.at_line(&doc.display_path, &doc.source, link.line)
                        .pointing_at(link.dest.trim()),
                );
                Href::Removed
            }
            Ok(Target::Document(i, anchor)) => {
                out.documents.insert(i);
                let mut href = url::document(&ctx.documents[i].id);
                if let Some(a) = anchor {
                    href.push('#');
                    href.push_str(&a);
                }
                Href::Site(href)
            }
            Ok(Target::Control(href)) => Href::Site(href),
            Ok(Target::External(href)) => Href::External(href),
            Ok(Target::Asset(below)) => {
                if let Some(source) = ctx.assets.get(&below) {
                    if let Some(d) = too_large(source, ctx.warn_size_mb) {
                        diags.push(
                            d.at_line(&doc.display_path, &doc.source, link.line)
                                .pointing_at(&link.dest),
                        );
                    }
                    out.assets.insert(below.clone(), source.clone());
                }
                Href::Site(url::asset(&below))
            }
            Err(d) => {
                diags.push(
                    d.at_line(&doc.display_path, &doc.source, link.line)
                        .pointing_at(&link.dest),
                );
                Href::AsWritten
            }
        };
        out.hrefs.push(href);
    }
    out
}

/// A warning when a linked file is above `[files] warn_size_mb`: every reader of the page
/// downloads it, and the site grows by its size with every version built.
fn too_large(source: &AssetSource, limit_mb: u64) -> Option<Diagnostic> {
    let size = source.size().ok()?;
    (size > limit_mb.saturating_mul(1024 * 1024)).then(|| {
        Diagnostic::warning(format!(
            "this link points to a {:.1} MB file, above the {limit_mb} MB warning size",
            size as f64 / (1024.0 * 1024.0)
        ))
        .hint("make the file smaller, link to where it is stored instead, or raise `[files] warn_size_mb` in site.toml")
    })
}

fn target<'a>(ctx: &Context<'a>, doc: &Document, link: &LinkRef) -> Result<Target, Diagnostic> {
    let dest = link.dest.trim();
    if dest.is_empty() {
        return Ok(Target::Keep);
    }
    if let Some(rest) = dest.strip_prefix("policy:") {
        let (id, anchor) = split_anchor(rest);
        let Some(&i) = ctx.by_id.get(id) else {
            return Err(super::unknown_document(
                id,
                ctx.by_id,
                &format!("the link `{dest}`"),
            ));
        };
        check_anchor(&ctx.documents[i], anchor, dest)?;
        return Ok(Target::Document(i, anchor.map(str::to_string)));
    }
    if let Some(rest) = dest.strip_prefix("control:") {
        let r = ControlRef::parse(rest, ctx.default_framework, link.line);
        if super::names_register_control(&r, ctx.register) {
            return Ok(Target::Control(url::register_control(&r.id)));
        }
        if super::reported_in_site_toml(&r, ctx.catalog, ctx.default_framework) {
            return Ok(Target::Keep);
        }
        if let Some(d) = super::check_control(&r, ctx.catalog) {
            return Err(d);
        }
        // The catalog's spelling: `control:ac-2.1` and `control:AC-2(1)` are one page.
        let id = ctx
            .catalog
            .control(&r.framework, &r.id)
            .map_or(r.id.as_str(), |c| c.id.as_str());
        return Ok(Target::Control(url::control(&r.framework, id)));
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        check_anchor(doc, Some(anchor), dest)?;
        return Ok(Target::Keep);
    }
    if ctx.raw_html != RawHtml::Trusted
        && let Some(scheme) = unsafe_scheme(dest, link.is_image)
    {
        let what = if link.is_image { "image" } else { "link" };
        return Ok(Target::Remove(
            Diagnostic::warning(format!(
                "the {what} `{dest}` uses the `{scheme}:` scheme, which can run code in a reader's browser; it is removed"
            ))
            .hint("link to an http(s) address or a file under policies/ instead (`[markdown] raw_html = \"trusted\"` in site.toml keeps such links, for handbooks whose every author is trusted)"),
        ));
    }
    if has_scheme(dest) || dest.starts_with("//") {
        return Ok(Target::Keep);
    }
    if let Some(rest) = dest.strip_prefix('/') {
        return root_absolute(ctx, dest, rest);
    }

    let (path, anchor) = split_anchor(dest);
    let path = crate::markdown::percent_decode(path.split('?').next().unwrap_or(path));
    let base = doc.path.rsplit_once('/').map(|(dir, _)| dir).unwrap_or("");
    let Some(joined) = crate::markdown::normalize(base, &path) else {
        return Err(
            Diagnostic::error(format!("the link `{dest}` points outside the handbook"))
                .hint("link only to files under policies/, or use a full https:// address"),
        );
    };
    let is_markdown = path.to_ascii_lowercase().ends_with(".md");
    if is_markdown {
        let Some(&i) = ctx.by_path.get(joined.as_str()) else {
            let d = Diagnostic::error(format!(
                "the link `{dest}` points to {joined}, which is not a document"
            ));
            let near = did_you_mean(&joined, ctx.by_path.keys().copied());
            return Err(match near {
                Some(p) => d.hint(format!(
                    "did you mean {p}? (paths are relative to this file)"
                )),
                None => d.hint(
                    "check the path (it is relative to this file), or link by id: `policy:ID`",
                ),
            });
        };
        check_anchor(&ctx.documents[i], anchor, dest)?;
        return Ok(Target::Document(i, anchor.map(str::to_string)));
    }
    let below = joined.strip_prefix("policies/").map(str::to_string);
    match below {
        Some(below) if ctx.assets.contains_key(&below) => Ok(Target::Asset(below)),
        _ => Err(Diagnostic::error(format!("the link `{dest}` points to {joined}, which does not exist"))
            .hint("put linked files (images, PDFs) under policies/ and link to them relative to this file")),
    }
}

/// A link from the site the handbook came from, written from its root (`/privacy-policy/`,
/// `/physical/malware.html`, `/x/y.md`): the document at that path below `policies/` (as a
/// page, a folder's index, or a Markdown file), or whose id it is; else a file under
/// `policies/`; else, with `base_url`, the same path on its origin; else a warning — never a
/// silently broken link.
fn root_absolute(ctx: &Context<'_>, dest: &str, rest: &str) -> Result<Target, Diagnostic> {
    let (path, anchor) = split_anchor(rest);
    let path = crate::markdown::percent_decode(path.split('?').next().unwrap_or(path));
    let trimmed = path.trim_end_matches('/');
    let stem = [".html", ".htm", ".md"]
        .iter()
        .find_map(|ext| trimmed.strip_suffix(ext))
        .unwrap_or(trimmed);
    let stem = stem
        .strip_suffix("/index")
        .or_else(|| stem.strip_suffix("/_index"))
        .unwrap_or(stem);
    let stem = if stem == "index" { "" } else { stem };
    let candidates = [
        format!("policies/{stem}.md"),
        format!("policies/{stem}/index.md"),
        format!("policies/{stem}/_index.md"),
        format!("policies/{stem}/README.md"),
    ];
    let by_path = candidates
        .iter()
        .find_map(|p| ctx.by_path.get(p.as_str()).copied());
    let last = stem.rsplit('/').next().unwrap_or(stem);
    let by_id = || ctx.by_id.get(stem).or_else(|| ctx.by_id.get(last)).copied();
    if !stem.is_empty()
        && let Some(i) = by_path.or_else(by_id)
    {
        check_anchor(&ctx.documents[i], anchor, dest)?;
        return Ok(Target::Document(i, anchor.map(str::to_string)));
    }
    if let Some(below) = path.strip_prefix("policies/").or(Some(path.as_str()))
        && ctx.assets.contains_key(below)
    {
        return Ok(Target::Asset(below.to_string()));
    }
    match &ctx.origin {
        Some(origin) => Ok(Target::External(format!("{origin}{dest}"))),
        // Kept as written (it works if the handbook is served from that site's root), but said.
        None => Err(Diagnostic::warning(format!(
            "the link `{dest}` is written from the root of a web site, and names no document of this handbook"
        ))
        .hint("link to the document's file (`../x/y.md`) or `policy:ID`, or set `base_url` in site.toml so that root links point at that site")),
    }
}

fn check_anchor(target: &Document, anchor: Option<&str>, dest: &str) -> Result<(), Diagnostic> {
    let Some(anchor) = anchor.filter(|a| !a.is_empty()) else {
        return Ok(());
    };
    if target.section(anchor).is_some() {
        return Ok(());
    }
    let d = Diagnostic::error(format!(
        "the link `{dest}` points to `#{anchor}`, but {} has no such section",
        target.path
    ));
    Err(
        match did_you_mean(anchor, target.sections.iter().map(|s| s.anchor.as_str())) {
            Some(s) => d.hint(format!("did you mean `#{s}`?")),
            None if target.sections.is_empty() => {
                d.hint("that document has no headings; link to the document itself")
            }
            None => d.hint(format!(
                "its sections are: {}",
                target
                    .sections
                    .iter()
                    .map(|s| format!("#{}", s.anchor))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
    )
}

fn split_anchor(s: &str) -> (&str, Option<&str>) {
    match s.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (s, None),
    }
}

#[cfg(test)]
mod tests {
    mod properties {
        use crate::diagnostics::Diagnostics;
        use crate::model::Href;
        use crate::pipeline::load::{AssetSource, SourceFile};
        use proptest::prelude::*;
        use std::collections::BTreeMap;

        /// Link destinations built from the forms policybook understands, and anything else.
        fn destination() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("policy:".to_string()),
                Just("control:".to_string()),
                Just("soc2:".to_string()),
                Just("CC6.1".to_string()),
                Just("a".to_string()),
                Just("a.md".to_string()),
                Just("../".to_string()),
                Just("./".to_string()),
                Just("sub/".to_string()),
                Just("#".to_string()),
                Just("img.png".to_string()),
                Just("%2e%2e/".to_string()),
                Just("javascript:".to_string()),
                Just("https://".to_string()),
                Just("data:image/".to_string()),
                "[a-zA-Z0-9:/#%.-]{0,6}",
            ];
            prop::collection::vec(piece, 0..6).prop_map(|v| v.concat())
        }

        proptest! {
            #[test]
            fn resolution_never_panics_and_never_leaves_the_site(dests in prop::collection::vec(destination(), 0..8)) {
                let body: String = dests
                    .iter()
                    .map(|d| format!("[x](<{d}>) ![y](<{d}>)\n\n"))
                    .collect();
                let text = format!("---\ntitle: A\nowner: O\n---\n## Scope\n\n{body}");
                let sources = [
                    SourceFile { path: "policies/sub/a.md".into(), display: "policies/sub/a.md".into(), text: text.as_str().into() },
                    SourceFile { path: "policies/b.md".into(), display: "policies/b.md".into(), text: "---\ntitle: B\nowner: O\n---\n## Part\n".into() },
                ];
                let mut diags = Diagnostics::new();
                let docs = crate::pipeline::parse::parse_all(&sources, "soc2", None, &mut diags);
                let config = crate::config::Config::parse("title = \"T\"\n", std::path::Path::new("site.toml"), &mut diags).unwrap();
                let assets = BTreeMap::from([("sub/img.png".to_string(), AssetSource::File("img.png".into()))]);
                let hb = crate::pipeline::resolve::resolve(
                    crate::pipeline::resolve::Parsed {
                        config,
                        catalog: crate::catalog::Catalog::builtin(),
                        documents: docs.into_iter().map(std::sync::Arc::new).collect(),
                        reused: 0,
                        register: Vec::new(),
                        register_files: Vec::new(),
                        people: Default::default(),
                signers: Default::default(),
                pull_requests: Vec::new(),
                acknowledgements: Default::default(),
                        available: assets,
                        history: Default::default(),
                        earlier: None,
                    },
                    &mut diags,
                );
                let lines = text.lines().count();
                for (doc, refs) in hb.documents.iter().zip(&hb.refs) {
                    prop_assert_eq!(doc.links.len(), refs.links.len());
                    for h in &refs.links {
                        if let Href::Site(u) = h {
                            prop_assert!(!u.split(['/', '#']).any(|seg| seg == ".."), "{u}");
                            prop_assert!(u.starts_with("documents/") || u.starts_with("controls/") || u.starts_with("files/"), "{u}");
                        }
                    }
                }
                for d in diags.iter() {
                    if d.file.as_deref() == Some(std::path::Path::new("policies/sub/a.md")) {
                        prop_assert!((1..=lines).contains(&d.line.unwrap_or(1)), "{d}");
                    }
                }
            }
        }
    }
}
