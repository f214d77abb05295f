//! Links between the pages of an imported site, rewritten to the files they become: `.md` paths
//! relative to the page, so that `check` verifies them. A site's links name pages in its own
//! way — files (mdBook, GitBook), page URLs relative to the page's URL (`../other/` in Hugo and
//! Docusaurus), URLs from the site's root (`/security/access/`), or Hugo's `ref`/`relref`
//! shortcodes — and images that may live outside the pages (`static/`). Whatever names nothing
//! imported is left as written and reported.

use std::collections::HashMap;
use std::path::Path;

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use super::layout::{Generator, is_folder_page, parent};
use crate::markdown::sanitize::has_scheme;
use crate::markdown::{normalize, percent_decode};

/// What the rewriting needs to know about the import.
pub struct Index<'a> {
    /// The generator the site was written for.
    pub generator: Generator,
    /// The source folder.
    pub src: &'a Path,
    /// The content folder relative to `src`, `/`-separated, "" for `src` itself.
    pub content: &'a str,
    /// Folders served at the site's root, relative to `src`.
    pub statics: &'a [String],
    /// Every imported page: path relative to the content folder → its path in the handbook.
    pub pages: &'a HashMap<String, String>,
}

/// A link target, found.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Left alone: another site, an anchor on the same page, an email address.
    Keep,
    /// An imported page (relative to the content folder), and the anchor.
    Page(String, Option<String>),
    /// A file that is not Markdown, relative to `src`.
    Asset(String),
    /// Nothing imported.
    Missing,
}

/// A page's body with its links rewritten.
#[derive(Debug, Default)]
pub struct Rewritten {
    /// The new body.
    pub text: String,
    /// Files that are not Markdown it links to: (relative to `src`, path in the handbook).
    pub assets: Vec<(String, String)>,
    /// (byte offset in the body, what was left as written).
    pub notes: Vec<(usize, String)>,
}

impl Index<'_> {
    /// Rewrites the links of `body`, the page at `page` (relative to the content folder) that
    /// becomes `new_path` in the handbook.
    pub fn rewrite(&self, body: &str, page: &str, new_path: &str) -> Rewritten {
        let mut out = Rewritten::default();
        let body = self.shortcodes(body, page, new_path, &mut out);
        let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        let parser = Parser::new_ext(&body, crate::markdown::options());
        // Reference definitions hold the destinations of `[text][label]` links.
        let mut definitions: Vec<std::ops::Range<usize>> = parser
            .reference_definitions()
            .iter()
            .map(|(_, def)| def.span.clone())
            .collect();
        definitions.sort_by_key(|r| r.start);
        for span in definitions {
            let slice = &body[span.clone()];
            if let Some(at) = slice.find("]:") {
                let from = span.start + at + 2;
                self.edit(&body, from, page, new_path, &mut edits, &mut out);
            }
        }
        for (event, range) in parser.into_offset_iter() {
            let (Event::Start(Tag::Link { link_type, .. })
            | Event::Start(Tag::Image { link_type, .. })) = event
            else {
                continue;
            };
            if link_type != LinkType::Inline {
                continue;
            }
            let slice = &body[range.clone()];
            // The destination follows the last `](` (an image inside a link has its own event).
            if let Some(at) = slice.rfind("](") {
                let from = range.start + at + 2;
                self.edit(&body, from, page, new_path, &mut edits, &mut out);
            }
        }
        edits.sort_by_key(|(r, _)| r.start);
        let mut text = String::with_capacity(body.len());
        let mut last = 0;
        for (range, new) in edits {
            if range.start < last {
                continue;
            }
            text.push_str(&body[last..range.start]);
            text.push_str(&new);
            last = range.end;
        }
        text.push_str(&body[last..]);
        out.text = text;
        out.assets.sort();
        out.assets.dedup();
        out
    }

    /// The destination written at `from` (after `](` or `]:`), rewritten when it names an
    /// imported page or a file.
    fn edit(
        &self,
        body: &str,
        from: usize,
        page: &str,
        new_path: &str,
        edits: &mut Vec<(std::ops::Range<usize>, String)>,
        out: &mut Rewritten,
    ) {
        let rest = &body[from..];
        let skipped = rest.len() - rest.trim_start().len();
        let start = from + skipped;
        let rest = &body[start..];
        let (start, end) = match rest.strip_prefix('<') {
            Some(inner) => (
                start + 1,
                start + 1 + inner.find('>').unwrap_or(inner.len()),
            ),
            None => (
                start,
                start
                    + rest
                        .find(|c: char| c.is_whitespace() || c == ')')
                        .unwrap_or(rest.len()),
            ),
        };
        let written = &body[start..end];
        if let Some(new) = self.rewritten(written, page, new_path, start, out) {
            edits.push((start..end, new));
        }
    }

    /// The new destination for `written`, or `None` to leave it (reported when it names
    /// nothing).
    fn rewritten(
        &self,
        written: &str,
        page: &str,
        new_path: &str,
        offset: usize,
        out: &mut Rewritten,
    ) -> Option<String> {
        let target = self.resolve(written, page);
        let new = match target {
            Target::Keep => return None,
            Target::Missing => {
                out.notes.push((
                    offset,
                    format!("the link `{written}` names nothing imported: left as written"),
                ));
                return None;
            }
            Target::Page(p, anchor) => {
                let to = self.pages.get(&p)?;
                let mut rel = relative(parent(new_path), to);
                if let Some(a) = anchor {
                    rel.push('#');
                    rel.push_str(&a);
                }
                rel
            }
            Target::Asset(file) => {
                let to = self.asset_path(&file);
                let rel = relative(parent(new_path), &to);
                out.assets.push((file, to));
                rel
            }
        };
        (new != written).then(|| encode_spaces(&new))
    }

    /// Where a file that is not Markdown goes: below `policies/` where it was below the content
    /// folder or a static folder (served at the site's root), else where it was in the source.
    pub fn asset_path(&self, file: &str) -> String {
        let below = |dir: &str| -> Option<String> {
            if dir.is_empty() {
                Some(file.to_string())
            } else {
                file.strip_prefix(dir)?
                    .strip_prefix('/')
                    .map(str::to_string)
            }
        };
        let inner = below(self.content)
            .or_else(|| self.statics.iter().find_map(|s| below(s)))
            .unwrap_or_else(|| file.to_string());
        format!("policies/{inner}")
    }

    fn resolve(&self, written: &str, page: &str) -> Target {
        if written.is_empty()
            || written.starts_with('#')
            || written.starts_with("//")
            || has_scheme(written)
        {
            return Target::Keep;
        }
        let (path, anchor) = match written.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string()).filter(|a| !a.is_empty())),
            None => (written, None),
        };
        let path = percent_decode(path.split('?').next().unwrap_or(path));
        // Folders the path may be relative to, inside the content folder, most likely first.
        let mut bases: Vec<String> = Vec::new();
        let url_dir = page_url(page);
        let is_file_link = is_markdown(&path) || path.contains('.') && !path.ends_with(".html");
        if let Some(rest) = path.strip_prefix('/') {
            bases.push(String::new());
            let path = rest.to_string();
            let mut tries = vec![path.clone()];
            // Docusaurus serves docs/ under /docs/.
            if let Some(inner) = path.strip_prefix("docs/") {
                tries.push(inner.to_string());
            }
            for t in &tries {
                if let Some(p) = self.page_at(t) {
                    return Target::Page(p, anchor);
                }
            }
            for dir in std::iter::once(self.content).chain(self.statics.iter().map(String::as_str))
            {
                let file = join(dir, &path);
                if self.is_asset(&file) {
                    return Target::Asset(file);
                }
            }
            return Target::Missing;
        }
        let file_dir = parent(page).to_string();
        if self.generator.links_to_urls() && !is_file_link {
            bases.push(url_dir.clone());
            bases.push(file_dir);
        } else {
            bases.push(file_dir);
            if self.generator.links_to_urls() {
                bases.push(url_dir);
            }
        }
        for base in &bases {
            if let Some(p) = normalize(base, &path).and_then(|p| self.page_at(&p)) {
                return Target::Page(p, anchor);
            }
        }
        for base in &bases {
            // An image may sit beside the content folder (`../images/x.png` from mdBook's src/).
            if let Some(file) = normalize(&join(self.content, base), &path)
                && self.is_asset(&file)
            {
                return Target::Asset(file);
            }
        }
        Target::Missing
    }

    /// The imported page at `path` (relative to the content folder), written as a file or as
    /// a page URL.
    fn page_at(&self, path: &str) -> Option<String> {
        let path = path.trim_end_matches('/');
        if self.pages.contains_key(path) {
            return Some(path.to_string());
        }
        let stem = [".html", ".htm"]
            .iter()
            .find_map(|e| path.strip_suffix(e))
            .unwrap_or(path);
        let stem = stem
            .strip_suffix("/index")
            .or_else(|| (stem == "index").then_some(""))
            .unwrap_or(stem);
        let candidates: Vec<String> = if stem.is_empty() {
            ["_index.md", "index.md", "README.md"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            vec![
                format!("{stem}.md"),
                format!("{stem}.markdown"),
                format!("{stem}/_index.md"),
                format!("{stem}/index.md"),
                format!("{stem}/README.md"),
            ]
        };
        candidates.into_iter().find(|c| self.pages.contains_key(c))
    }

    fn is_asset(&self, file: &str) -> bool {
        !is_markdown(file) && !file.is_empty() && self.src.join(file).is_file()
    }

    /// Replaces Hugo's `ref`/`relref` shortcodes by the page's path; reports every other
    /// shortcode and mdBook's `{{#…}}` directives, which have no meaning here.
    fn shortcodes(&self, body: &str, page: &str, new_path: &str, out: &mut Rewritten) -> String {
        let mut text = String::with_capacity(body.len());
        let mut rest = body;
        let mut offset = 0;
        while let Some(at) = rest.find("{{") {
            text.push_str(&rest[..at]);
            let after = &rest[at..];
            let close = match after.as_bytes().get(2) {
                Some(b'<') => Some(">}}"),
                Some(b'%') => Some("%}}"),
                Some(b'#') => Some("}}"),
                _ => None,
            };
            // The closing mark is searched after the opening one: `{{%}}` is not a shortcode.
            let found =
                close.and_then(|c| after.get(3..)?.find(c).map(|i| (i + 3 + c.len(), c.len())));
            let Some((end, close_len)) = found else {
                text.push_str("{{");
                rest = &after[2..];
                offset += at + 2;
                continue;
            };
            let code = &after[..end];
            let inner = code[3..end - close_len].trim();
            let words: Vec<&str> = inner.split_whitespace().collect();
            let replaced = match words.as_slice() {
                [name, arg, ..] if *name == "ref" || *name == "relref" => {
                    let arg = arg.trim_matches('"');
                    self.hugo_ref(arg, page)
                        .and_then(|p| self.pages.get(&p).map(|to| (p, to)))
                        .map(|(_, to)| {
                            let (_, anchor) = arg.split_once('#').unwrap_or((arg, ""));
                            let mut rel = relative(parent(new_path), to);
                            if !anchor.is_empty() {
                                rel.push('#');
                                rel.push_str(anchor);
                            }
                            encode_spaces(&rel)
                        })
                }
                _ => None,
            };
            match replaced {
                Some(r) => text.push_str(&r),
                None => {
                    out.notes.push((
                        offset + at,
                        format!(
                            "`{}` is a {} directive: left as written",
                            code.lines().next().unwrap_or(code),
                            if code.starts_with("{{#") {
                                "mdBook"
                            } else {
                                "Hugo shortcode"
                            }
                        ),
                    ));
                    text.push_str(code);
                }
            }
            rest = &after[end..];
            offset += at + end;
        }
        text.push_str(rest);
        text
    }

    /// Hugo's `ref "x"`: from the content root when it starts with `/`, else relative to the
    /// page, else any page with that file name when only one has it.
    fn hugo_ref(&self, arg: &str, page: &str) -> Option<String> {
        let path = arg.split('#').next().unwrap_or(arg);
        if path.is_empty() {
            return Some(page.to_string());
        }
        if let Some(rest) = path.strip_prefix('/') {
            return self.page_at(rest);
        }
        if let Some(p) = normalize(parent(page), path).and_then(|p| self.page_at(&p)) {
            return Some(p);
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let name = if is_markdown(name) {
            name.to_string()
        } else {
            format!("{name}.md")
        };
        let mut found = self
            .pages
            .keys()
            .filter(|k| k.rsplit('/').next() == Some(name.as_str()));
        match (found.next(), found.next()) {
            (Some(only), None) => Some(only.clone()),
            _ => None,
        }
    }
}

/// The folder a page's URL is, for links relative to it: `security/access.md` is served at
/// `security/access/`; a folder page at its folder.
fn page_url(page: &str) -> String {
    if is_folder_page(page) {
        return parent(page).to_string();
    }
    page.rsplit_once('.')
        .map_or(page, |(stem, _)| stem)
        .to_string()
}

fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

fn join(dir: &str, path: &str) -> String {
    match (dir, path) {
        ("", p) => p.to_string(),
        (d, "") => d.to_string(),
        (d, p) => format!("{d}/{p}"),
    }
}

/// The path from folder `from_dir` to `to`, both from the same root.
pub fn relative(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// A destination with spaces, written so Markdown reads it as one (`Incident%20Response.md`).
fn encode_spaces(path: &str) -> String {
    path.replace(' ', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index<'a>(
        generator: Generator,
        src: &'a Path,
        pages: &'a HashMap<String, String>,
        statics: &'a [String],
    ) -> Index<'a> {
        Index {
            generator,
            src,
            content: "content",
            statics,
            pages,
        }
    }

    fn pages(list: &[&str]) -> HashMap<String, String> {
        list.iter()
            .map(|p| (p.to_string(), format!("policies/{p}")))
            .collect()
    }

    #[test]
    fn file_links_stay_relative_and_page_urls_become_files() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::create_dir_all(dir.path().join("static/img")).expect("mkdir");
        std::fs::write(dir.path().join("static/img/flow.png"), b"png").expect("write");
        let p = pages(&[
            "security/access.md",
            "security/_index.md",
            "people/hiring.md",
            "_index.md",
        ]);
        let statics = ["static".to_string()];
        let ix = index(Generator::Hugo, dir.path(), &p, &statics);
        let body = "See [hiring](../../people/hiring/) and [the section](/security/#scope), \
                    [home](/), [ext](https://example.com/x), [same](#top), [gone](/nowhere/).\n\n\
                    ![flow](/img/flow.png)\n\n[ref]: {{< relref \"hiring.md#steps\" >}}\n\n\
                    [r]({{< ref \"/security/access.md\" >}}) {{< notice >}}\n";
        let out = ix.rewrite(body, "security/access.md", "policies/security/access.md");
        for expected in [
            "[hiring](../people/hiring.md)",
            "[the section](_index.md#scope)",
            "[home](../_index.md)",
            "(https://example.com/x)",
            "(#top)",
            "![flow](../img/flow.png)",
            "[ref]: ../people/hiring.md#steps",
            "[r](access.md)",
        ] {
            assert!(
                out.text.contains(expected),
                "missing {expected} in\n{}",
                out.text
            );
        }
        assert_eq!(
            out.assets,
            [(
                "static/img/flow.png".to_string(),
                "policies/img/flow.png".to_string()
            )]
        );
        let notes: Vec<&str> = out.notes.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes.iter().any(|n| n.contains("{{< notice >}}")),
            "{notes:?}"
        );
        assert!(notes.iter().any(|n| n.contains("`/nowhere/`")), "{notes:?}");
    }

    #[test]
    fn paths_are_joined_and_made_relative() {
        assert_eq!(relative("policies/a/b", "policies/c.md"), "../../c.md");
        assert_eq!(relative("policies", "policies/a/c.md"), "a/c.md");
        assert_eq!(normalize("a/b", "../c"), Some("a/c".into()));
        assert_eq!(normalize("a", "../../c"), None);
        assert_eq!(
            percent_decode("Incident%20Response.md"),
            "Incident Response.md"
        );
        assert_eq!(percent_decode("100%"), "100%");
        assert!(has_scheme("mailto:x@y") && !has_scheme("a/b:c") && !has_scheme("x.md"));
    }
}
