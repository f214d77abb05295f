//! What kind of Markdown site a folder holds, where its pages are, and the order its navigation
//! gives them: an mdBook or GitBook `SUMMARY.md`, Hugo `weight` or Docusaurus `sidebar_position`
//! (with `_category_` files), or, for a plain folder, file names with number prefixes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The site generator a folder was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    /// `book.toml` and `src/SUMMARY.md`.
    MdBook,
    /// `SUMMARY.md` at the top (and maybe `.gitbook.yaml`).
    GitBook,
    /// A Hugo config and `content/`.
    Hugo,
    /// `docusaurus.config.*` and `docs/`.
    Docusaurus,
    /// Markdown files and nothing else.
    Folder,
}

impl Generator {
    /// As the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Generator::MdBook => "an mdBook",
            Generator::GitBook => "a GitBook",
            Generator::Hugo => "a Hugo site",
            Generator::Docusaurus => "a Docusaurus site",
            Generator::Folder => "a folder of Markdown",
        }
    }

    /// Page links are written to page URLs (`../other/`), not files: a relative link is
    /// relative to the page's URL, one folder below its file's for pages that are not indexes.
    pub fn links_to_urls(self) -> bool {
        matches!(self, Generator::Hugo | Generator::Docusaurus)
    }
}

/// The site as found.
#[derive(Debug)]
pub struct Site {
    /// Which generator.
    pub generator: Generator,
    /// The folder of its pages, relative to the source ("." for the source itself).
    pub content: PathBuf,
    /// Folders served at the site's root (Hugo's and Docusaurus's `static/`), relative to the source.
    pub statics: Vec<PathBuf>,
    /// Its title, when its configuration has one.
    pub title: Option<String>,
    /// The navigation file (`SUMMARY.md`), relative to the content folder.
    pub summary: Option<PathBuf>,
}

/// Finds the site in `src`; `content` (relative to `src`) overrides where its pages are.
pub fn detect(src: &Path, content: Option<&Path>) -> Site {
    let mut site = if src.join("book.toml").is_file() {
        let book: Option<toml::Table> = std::fs::read_to_string(src.join("book.toml"))
            .ok()
            .and_then(|t| t.parse().ok());
        let book = book.as_ref().and_then(|b| b.get("book"));
        let dir = book
            .and_then(|b| b.get("src"))
            .and_then(|s| s.as_str())
            .unwrap_or("src");
        Site {
            generator: Generator::MdBook,
            content: PathBuf::from(dir),
            statics: Vec::new(),
            title: book
                .and_then(|b| b.get("title"))
                .and_then(|t| t.as_str())
                .map(str::to_string),
            summary: Some(PathBuf::from("SUMMARY.md")),
        }
    } else if src.join("SUMMARY.md").is_file() || src.join(".gitbook.yaml").is_file() {
        let config: Option<serde_yaml::Value> = std::fs::read_to_string(src.join(".gitbook.yaml"))
            .ok()
            .and_then(|t| serde_yaml::from_str(&t).ok());
        let root = config
            .as_ref()
            .and_then(|c| c.get("root"))
            .and_then(|r| r.as_str())
            .map(|r| r.trim_start_matches("./").trim_end_matches('/'))
            .filter(|r| !r.is_empty())
            .unwrap_or(".");
        let summary = config
            .as_ref()
            .and_then(|c| c.get("structure")?.get("summary")?.as_str())
            .unwrap_or("SUMMARY.md");
        Site {
            generator: Generator::GitBook,
            content: PathBuf::from(root),
            statics: Vec::new(),
            title: None,
            summary: Some(PathBuf::from(summary)),
        }
    } else if let Some(config) = HUGO_CONFIGS.iter().find(|c| src.join(c).is_file())
        && src.join("content").is_dir()
    {
        Site {
            generator: Generator::Hugo,
            content: PathBuf::from("content"),
            statics: vec![PathBuf::from("static")],
            title: config_title(&src.join(config)),
            summary: None,
        }
    } else if let Some(config) = DOCUSAURUS_CONFIGS.iter().find(|c| src.join(c).is_file())
        && src.join("docs").is_dir()
    {
        Site {
            generator: Generator::Docusaurus,
            content: PathBuf::from("docs"),
            statics: vec![PathBuf::from("static")],
            title: config_title(&src.join(config)),
            summary: None,
        }
    } else {
        Site {
            generator: Generator::Folder,
            content: PathBuf::from("."),
            statics: Vec::new(),
            title: None,
            summary: None,
        }
    };
    if let Some(c) = content {
        site.content = c.to_path_buf();
    }
    site
}

const HUGO_CONFIGS: [&str; 6] = [
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.json",
];

const DOCUSAURUS_CONFIGS: [&str; 4] = [
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "docusaurus.config.mjs",
    "docusaurus.config.cjs",
];

/// `title` of a Hugo or Docusaurus configuration: a TOML or YAML key, or `title: '…'` in
/// JavaScript (read as text: the file is code, not data).
fn config_title(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let name = path.to_string_lossy();
    if name.ends_with(".toml") {
        let t: toml::Table = text.parse().ok()?;
        return t.get("title")?.as_str().map(str::to_string);
    }
    if name.ends_with(".yaml") {
        let v: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
        return v.get("title")?.as_str().map(str::to_string);
    }
    if name.ends_with(".json") {
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        return v.get("title")?.as_str().map(str::to_string);
    }
    // The first `title:` of the config object, quoted with ' " or `.
    let at = text.find("title:")? + "title:".len();
    let rest = text[at..].trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let inner = &rest[1..];
    inner.find(quote).map(|end| inner[..end].to_string())
}

/// A page `SUMMARY.md` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file, relative to the content folder, `/`-separated.
    pub path: String,
    /// Its title in the navigation.
    pub title: String,
}

/// What `SUMMARY.md` gives: its pages in order, and what it has that has no place here.
#[derive(Debug, Default)]
pub struct Summary {
    /// Pages in reading order.
    pub entries: Vec<Entry>,
    /// Draft chapters (`[Title]()`) and part titles, one note each.
    pub notes: Vec<String>,
}

/// Reads an mdBook or GitBook `SUMMARY.md`: every link in order (prefix chapters, numbered
/// chapters at any depth, suffix chapters), relative to the folder `SUMMARY.md` is in.
pub fn read_summary(text: &str) -> Summary {
    let mut out = Summary::default();
    let mut link: Option<(String, String)> = None;
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(text, crate::markdown::options()) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), String::new()))
            }
            Event::End(TagEnd::Link) => {
                if let Some((dest, title)) = link.take() {
                    let path =
                        crate::markdown::percent_decode(dest.split('#').next().unwrap_or(""));
                    let path = path.trim_start_matches("./").to_string();
                    if path.is_empty() {
                        out.notes.push(format!(
                            "SUMMARY.md: \"{title}\" is a draft chapter with no file: nothing to import"
                        ));
                    } else if !out.entries.iter().any(|e| e.path == path) {
                        out.entries.push(Entry { path, title });
                    }
                }
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            // The first heading, before any chapter, is the summary's own title ("Summary");
            // later ones are part titles.
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take()
                    && !out.entries.is_empty()
                {
                    out.notes.push(format!(
                        "SUMMARY.md: the part title \"{h}\" has no place in the handbook: its chapters keep their order"
                    ));
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title)) = link.as_mut() {
                    title.push_str(&t);
                } else if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

/// A page as the ordering needs it.
#[derive(Debug, Clone)]
pub struct Page {
    /// Relative to the content folder, `/`-separated.
    pub path: String,
    /// Its title.
    pub title: String,
    /// Hugo's `weight` or Docusaurus's `sidebar_position`, when it has one.
    pub weight: Option<f64>,
}

/// Is this file its folder's page (`_index.md`, `index.md`, `README.md`)?
pub fn is_folder_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "_index.md" | "index.md" | "readme.md" | "_index.markdown" | "index.markdown"
    )
}

/// The pages in the order a Hugo or Docusaurus sidebar shows them: each folder's page first,
/// then its pages and subfolders by weight (a subfolder by its folder page's weight or its
/// `_category_` position), then title; those without a weight after those with one.
/// `positions` are folder → position from `_category_.json`/`.yml`.
pub fn tree_order(pages: &[Page], positions: &HashMap<String, f64>) -> Vec<String> {
    let mut folders: BTreeMap<String, Folder<'_>> = BTreeMap::new();
    folders.entry(String::new()).or_default();
    for page in pages {
        let dir = parent(&page.path).to_string();
        // Every folder up to the top exists, so that a folder holding only folders is walked.
        let mut d = dir.clone();
        while !d.is_empty() {
            let f = folders.entry(d.clone()).or_default();
            if f.listed {
                break;
            }
            f.listed = true;
            let up = parent(&d).to_string();
            folders
                .entry(up.clone())
                .or_default()
                .subfolders
                .push(d.clone());
            d = up;
        }
        let f = folders.entry(dir).or_default();
        if is_folder_page(&page.path) && f.index.is_none() {
            f.index = Some(page);
        } else {
            f.pages.push(page);
        }
    }
    let mut out = Vec::with_capacity(pages.len());
    walk_folder("", &folders, positions, &mut out);
    out
}

/// A folder of pages, for `tree_order`.
#[derive(Default)]
struct Folder<'a> {
    index: Option<&'a Page>,
    pages: Vec<&'a Page>,
    subfolders: Vec<String>,
    /// Listed among its parent's subfolders.
    listed: bool,
}

/// How the sidebar sorts: weighted first, by weight, then by title.
type SortKey = (bool, f64, String);

fn sort_key(weight: Option<f64>, title: &str) -> SortKey {
    (
        weight.is_none(),
        weight.unwrap_or(0.0),
        title.to_lowercase(),
    )
}

fn walk_folder(
    name: &str,
    folders: &BTreeMap<String, Folder<'_>>,
    positions: &HashMap<String, f64>,
    out: &mut Vec<String>,
) {
    let Some(f) = folders.get(name) else {
        return;
    };
    if let Some(index) = f.index {
        out.push(index.path.clone());
    }
    // Pages and subfolders in one list: a subfolder's place among the pages is its weight's.
    let mut items: Vec<(SortKey, Result<&str, &str>)> = f
        .pages
        .iter()
        .map(|p| (sort_key(p.weight, &p.title), Ok(p.path.as_str())))
        .collect();
    for sub in &f.subfolders {
        let index = folders.get(sub).and_then(|s| s.index);
        let weight = positions
            .get(sub)
            .copied()
            .or_else(|| index.and_then(|p| p.weight));
        let title = index.map_or_else(
            || sub.rsplit('/').next().unwrap_or(sub),
            |p| p.title.as_str(),
        );
        items.push((sort_key(weight, title), Err(sub.as_str())));
    }
    items.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    for (_, item) in items {
        match item {
            Ok(page) => out.push(page.to_string()),
            Err(sub) => walk_folder(sub, folders, positions, out),
        }
    }
}

/// The folder part of a `/`-separated path ("" at the top).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_gives_pages_in_order_at_every_depth() {
        let s = read_summary(
            "# Summary\n\n[Introduction](README.md)\n\n# Policies\n\n- [Access](security/access.md)\n  - [Passwords](security/pass%20words.md#rules)\n- [Draft]()\n\n---\n\n[Glossary](./glossary.md)\n",
        );
        let paths: Vec<_> = s.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "README.md",
                "security/access.md",
                "security/pass words.md",
                "glossary.md"
            ]
        );
        assert_eq!(s.entries[2].title, "Passwords");
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("\"Draft\" is a draft chapter")),
            "{:?}",
            s.notes
        );
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("part title \"Policies\"")),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn tree_order_puts_folder_pages_first_then_weights_then_titles() {
        let page = |path: &str, title: &str, weight: Option<f64>| Page {
            path: path.into(),
            title: title.into(),
            weight,
        };
        let pages = [
            page("_index.md", "Home", None),
            page("zeta.md", "Zeta", Some(1.0)),
            page("alpha.md", "Alpha", None),
            page("security/_index.md", "Security", Some(2.0)),
            page("security/b.md", "B", Some(2.0)),
            page("security/a.md", "A", Some(1.0)),
            page("people/x.md", "X", None),
            page("ops/deep/y.md", "Y", None),
        ];
        let positions = HashMap::from([("people".to_string(), 0.5)]);
        assert_eq!(
            tree_order(&pages, &positions),
            [
                "_index.md",
                "people/x.md",
                "zeta.md",
                "security/_index.md",
                "security/a.md",
                "security/b.md",
                "alpha.md",
                "ops/deep/y.md",
            ]
        );
    }
}
