//! `policybook import markdown`: the pages of a Markdown site — an mdBook or GitBook book, a
//! Hugo or Docusaurus content folder, or a plain folder of `.md` files — as handbook documents.
//!
//! Pages keep their folders below `policies/` (so relative links and history follow them) and
//! their order (as `weight`s from `SUMMARY.md`, `weight`/`sidebar_position`, or number
//! prefixes). Each gets front matter: its title (from the site's front matter, the navigation,
//! or its first `#` heading), a kind guessed from its folder or title, `owner: TODO` for
//! `check` to report, and what the site's front matter had that the handbook has no field for
//! under `extra`. Links between pages become `.md` paths; the images they show move with them.

pub mod layout;
pub mod links;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::{Converted, Plan, toml_escape};
use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::model::Kind;
use layout::{Generator, Page, is_folder_page, parent};

/// What `import markdown` was asked.
#[derive(Debug, Default)]
pub struct Options<'a> {
    /// The folder of the pages, relative to SRC, when the site's own layout does not say.
    pub content: Option<&'a Path>,
    /// The organisation's name for `site.toml`.
    pub organization: Option<&'a str>,
}

/// One page as read.
struct Source {
    /// Relative to the content folder, `/`-separated.
    path: String,
    /// The site's front matter.
    front: Mapping,
    /// The Markdown after it.
    body: String,
    /// 1-based line of the file where the body starts.
    body_line: usize,
    /// Its title and where it came from.
    title: String,
    /// The body's first heading is the title: it is dropped, the page shows the title.
    drop_heading: Option<std::ops::Range<usize>>,
}

/// Reads the site at `src` and plans the handbook.
pub fn plan(src: &Path, options: &Options<'_>, diags: &mut Diagnostics) -> Outcome<Plan> {
    if !src.is_dir() {
        return diags.fail(
            Diagnostic::error(format!("{} is not a folder", src.display()))
                .hint("give the folder of the site (holding book.toml, SUMMARY.md, a Hugo or Docusaurus config, or the .md files)"),
        );
    }
    let site = layout::detect(src, options.content);
    let content = slash(&site.content);
    let content_dir = if content.is_empty() {
        src.to_path_buf()
    } else {
        src.join(&content)
    };
    if !content_dir.is_dir() {
        return diags.fail(
            Diagnostic::error(format!(
                "{} has no folder {} for the pages of {}",
                src.display(),
                site.content.display(),
                site.generator.label()
            ))
            .hint("point --content at the folder that holds the .md files (relative to SRC)"),
        );
    }
    let mut plan = Plan::default();
    let mut sources = Vec::new();
    let mut others = 0usize;
    for file in files(&content_dir, site.generator) {
        let rel = slash(file.strip_prefix(&content_dir).unwrap_or(&file));
        let lower = rel.to_ascii_lowercase();
        if site.summary.as_deref().is_some_and(|s| slash(s) == rel) {
            continue;
        }
        if lower.ends_with(".mdx") {
            plan.notes.push(format!(
                "{}: MDX (components in Markdown) is not converted; left where it is",
                in_src(&content, &rel)
            ));
            continue;
        }
        if !(lower.ends_with(".md") || lower.ends_with(".markdown")) {
            others += 1;
            continue;
        }
        if site.generator == Generator::Folder
            && !rel.contains('/')
            && REPOSITORY_FILES.contains(&lower.as_str())
        {
            plan.notes.push(format!(
                "{rel}: describes the repository, not a policy; left where it is"
            ));
            continue;
        }
        match read_page(&file, &rel) {
            Ok(page) => sources.push(page),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        return diags.fail(
            Diagnostic::error(format!(
                "{} of the pages cannot be read, so nothing was converted",
                diags.error_count()
            ))
            .hint("fix the files named (or move them out of the folder) and run it again"),
        );
    }
    if sources.is_empty() {
        return diags.fail(
            Diagnostic::error(format!(
                "{} has no Markdown pages in {}",
                src.display(),
                site.content.display()
            ))
            .hint("point SRC at the site's folder, or --content at the folder that holds the .md files"),
        );
    }
    let weights = order(src, &site, &content, &mut sources, &mut plan.notes);
    let ids = ids(&sources);
    let pages: HashMap<String, String> = sources
        .iter()
        .map(|s| (s.path.clone(), format!("policies/{}", s.path)))
        .collect();
    let statics: Vec<String> = site.statics.iter().map(|s| slash(s)).collect();
    let index = links::Index {
        generator: site.generator,
        src,
        content: &content,
        statics: &statics,
        pages: &pages,
    };
    let mut assets: Vec<(String, String)> = Vec::new();
    for s in &sources {
        let new_path = &pages[&s.path];
        let mut rewritten = index.rewrite(&s.body, &s.path, new_path);
        for (offset, note) in rewritten.notes.drain(..) {
            let line = s.body_line + s.body[..offset.min(s.body.len())].matches('\n').count();
            plan.notes
                .push(format!("{}:{line}: {note}", in_src(&content, &s.path)));
        }
        assets.append(&mut rewritten.assets);
        let body = match &s.drop_heading {
            // The heading is found in the original body; links never sit before it.
            Some(range) if rewritten.text.get(range.clone()) == s.body.get(range.clone()) => {
                format!(
                    "{}{}",
                    &rewritten.text[..range.start],
                    rewritten.text[range.end..].trim_start_matches(['\n', '\r'])
                )
            }
            _ => rewritten.text,
        };
        let front = front_matter(s, &ids[&s.path], weights.get(&s.path).copied());
        plan.moves.push(Converted {
            from: PathBuf::from(in_src(&content, &s.path)),
            to: PathBuf::from(new_path),
            text: Some(format!("---\n{front}---\n{body}")),
        });
    }
    assets.sort();
    assets.dedup();
    let mut placed: HashMap<String, String> = HashMap::new();
    for (from, to) in assets {
        if let Some(first) = placed.get(&to) {
            plan.notes.push(format!(
                "{from}: {to} already comes from {first}; not moved, so its links stay broken"
            ));
            continue;
        }
        placed.insert(to.clone(), from.clone());
        plan.moves.push(Converted {
            from: PathBuf::from(from),
            to: PathBuf::from(to),
            text: None,
        });
    }
    let unlinked = others.saturating_sub(placed.len());
    if unlinked > 0 {
        plan.notes.push(format!(
            "files beside the pages that none of them links to were left where they are: {unlinked}"
        ));
    }
    if let Some(summary) = &site.summary {
        plan.notes.push(format!(
            "{}: its order is kept as each document's `weight`; the file itself is no longer read",
            in_src(&content, &slash(summary))
        ));
    }
    let org = options.organization.map(str::to_string);
    let title = site
        .title
        .clone()
        .or_else(|| org.as_ref().map(|o| format!("{o} Handbook")))
        .unwrap_or_else(|| "Policies and Procedures".into());
    plan.organization = org.clone().unwrap_or_else(|| title.clone());
    plan.site_toml = format!(
        "# Imported from {} by `policybook import markdown`.\ntitle = \"{}\"\n{}",
        site.generator.label(),
        toml_escape(&title),
        org.map(|o| format!("organization = \"{}\"\n", toml_escape(&o)))
            .unwrap_or_default()
    );
    Ok(plan)
}

/// Files at the top of a plain folder that describe the repository rather than policies.
const REPOSITORY_FILES: [&str; 7] = [
    "readme.md",
    "changelog.md",
    "changes.md",
    "contributing.md",
    "license.md",
    "licence.md",
    "code_of_conduct.md",
];

/// Every file below `dir`, in name order, without hidden files, dependencies, or — in a plain
/// folder, which may be a whole repository — build output and an existing `policies/`.
fn files(dir: &Path, generator: Generator) -> Vec<PathBuf> {
    let skip = |name: &str, depth: usize| {
        name.starts_with('.')
            || name == "node_modules"
            || (generator == Generator::Folder
                && depth == 1
                && [
                    "target", "public", "book", "_site", "build", "vendor", "policies",
                ]
                .contains(&name))
    };
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skip(&e.file_name().to_string_lossy(), e.depth()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// `path` with `/` separators ("" for ".").
fn slash(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.trim_start_matches("./").trim_end_matches('/');
    if s == "." {
        String::new()
    } else {
        s.to_string()
    }
}

/// A content-relative path as a path relative to the source.
fn in_src(content: &str, path: &str) -> String {
    if content.is_empty() {
        path.to_string()
    } else {
        format!("{content}/{path}")
    }
}

/// Reads one page: its front matter (YAML between `---`, TOML between `+++`), body and title.
fn read_page(file: &Path, rel: &str) -> Result<Source, Diagnostic> {
    let bytes = std::fs::read(file)
        .map_err(|e| Diagnostic::error(format!("cannot read it: {e}")).at(file, None))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Diagnostic::error("it is not UTF-8 text")
            .at(file, None)
            .hint("save it as UTF-8, or move it out of the folder")
    })?;
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let (front, body, body_line) = split_front(&text).map_err(|(line, why)| {
        Diagnostic::error(format!("its front matter cannot be read: {why}"))
            .at(file, Some(line))
            .hint("fix the front matter, or remove it: the import adds its own")
    })?;
    let heading = first_heading(&body);
    let title = front
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|t| !t.trim().is_empty());
    let drop_heading = heading
        .as_ref()
        .filter(|(h, _)| {
            title
                .as_ref()
                .is_none_or(|t| t.trim().eq_ignore_ascii_case(h.trim()))
        })
        .map(|(_, r)| r.clone());
    let title = title
        .or_else(|| heading.map(|(h, _)| h))
        .unwrap_or_else(|| humanize(rel));
    Ok(Source {
        path: rel.to_string(),
        front,
        body,
        body_line,
        title,
        drop_heading,
    })
}

/// (front matter, body, the body's first line). An error is (line, why).
fn split_front(text: &str) -> Result<(Mapping, String, usize), (usize, String)> {
    for (fence, toml) in [("---", false), ("+++", true)] {
        let Some(rest) = text.strip_prefix(fence).and_then(|r| r.strip_prefix('\n')) else {
            continue;
        };
        let close = format!("\n{fence}");
        let end = if rest.starts_with(fence) {
            Some(0)
        } else {
            rest.find(&close).map(|i| i + 1)
        };
        let Some(end) = end else {
            return Err((1, format!("no closing `{fence}` line")));
        };
        let inner = &rest[..end];
        let after = &rest[end + fence.len()..];
        let body = after.strip_prefix('\n').unwrap_or(after);
        let body_line = 3 + inner.matches('\n').count();
        let front = if toml {
            let table: toml::Table = inner
                .parse()
                .map_err(|e: toml::de::Error| (2, e.message().to_string()))?;
            match toml_to_yaml(toml::Value::Table(table)) {
                Value::Mapping(m) => m,
                _ => Mapping::new(),
            }
        } else {
            match serde_yaml::from_str::<Value>(inner) {
                Ok(Value::Mapping(m)) => m,
                Ok(Value::Null) => Mapping::new(),
                Ok(_) => return Err((2, "it is not a set of `field: value` lines".into())),
                Err(e) => {
                    let line = e.location().map_or(2, |l| 1 + l.line());
                    return Err((line, e.to_string()));
                }
            }
        };
        return Ok((front, body.to_string(), body_line));
    }
    Ok((Mapping::new(), text.to_string(), 1))
}

/// TOML as YAML values; dates become `YYYY-MM-DD…` text.
fn toml_to_yaml(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Sequence(a.into_iter().map(toml_to_yaml).collect()),
        toml::Value::Table(t) => Value::Mapping(
            t.into_iter()
                .map(|(k, v)| (Value::String(k), toml_to_yaml(v)))
                .collect(),
        ),
    }
}

/// The body's first heading when it is a level-1 heading that comes before anything else:
/// (its text, its bytes with the line end).
fn first_heading(body: &str) -> Option<(String, std::ops::Range<usize>)> {
    use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
    let mut parser = Parser::new_ext(body, crate::markdown::options()).into_offset_iter();
    let (first, range) = parser.next()?;
    if !matches!(
        first,
        Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        })
    ) {
        return None;
    }
    let mut text = String::new();
    for (event, _) in parser {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::End(TagEnd::Heading(_)) => break,
            _ => {}
        }
    }
    let text = text.trim().to_string();
    (!text.is_empty()).then_some((text, range))
}

/// `security/access-control.md` → "Access control".
fn humanize(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let stem = if is_folder_page(name) {
        parent(path).rsplit('/').next().unwrap_or("Home")
    } else {
        stem
    };
    let words = stem.replace(['-', '_'], " ");
    let words = words
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ')
        .trim();
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Home".into(),
    }
}

/// Each page's `weight` from the site's navigation, when it has an order; titles from
/// `SUMMARY.md` where the page has none of its own.
fn order(
    src: &Path,
    site: &layout::Site,
    content: &str,
    sources: &mut [Source],
    notes: &mut Vec<String>,
) -> HashMap<String, i64> {
    let paths: Vec<String> = match site.generator {
        Generator::MdBook | Generator::GitBook => {
            let Some(summary) = &site.summary else {
                return HashMap::new();
            };
            let file = src.join(&site.content).join(summary);
            let Ok(text) = std::fs::read_to_string(&file) else {
                notes.push(format!(
                    "{}: not found, so the pages are in title order",
                    in_src(content, &slash(summary))
                ));
                return HashMap::new();
            };
            let read = layout::read_summary(&text);
            notes.extend(read.notes);
            let known: HashSet<&str> = sources.iter().map(|s| s.path.as_str()).collect();
            for e in &read.entries {
                if !known.contains(e.path.as_str()) {
                    notes.push(format!("SUMMARY.md lists {}, which does not exist", e.path));
                }
            }
            for s in sources.iter_mut() {
                let listed = read.entries.iter().find(|e| e.path == s.path);
                match listed {
                    // A page without front matter takes the navigation's title, as the book showed it.
                    Some(e) if !s.front.contains_key("title") && !e.title.trim().is_empty() => {
                        if s.drop_heading.is_some() && !e.title.trim().eq_ignore_ascii_case(s.title.trim()) {
                            s.drop_heading = None;
                        }
                        s.title = e.title.trim().to_string();
                    }
                    Some(_) => {}
                    None => notes.push(format!(
                        "{}: not in SUMMARY.md (the book did not show it); imported after the others",
                        in_src(content, &s.path)
                    )),
                }
            }
            read.entries.into_iter().map(|e| e.path).collect()
        }
        Generator::Hugo | Generator::Docusaurus => {
            let pages: Vec<Page> = sources
                .iter()
                .map(|s| Page {
                    path: s.path.clone(),
                    title: s.title.clone(),
                    weight: ["weight", "sidebar_position"]
                        .iter()
                        .find_map(|k| s.front.get(*k).and_then(Value::as_f64)),
                })
                .collect();
            let positions = category_positions(&src.join(&site.content), &pages);
            if pages.iter().all(|p| p.weight.is_none()) && positions.is_empty() {
                return HashMap::new();
            }
            layout::tree_order(&pages, &positions)
        }
        Generator::Folder => {
            // Number prefixes (`01-scope.md`) are an order; names alone are not.
            let numbered = sources.iter().any(|s| {
                s.path
                    .split('/')
                    .any(|part| part.starts_with(|c: char| c.is_ascii_digit()))
            });
            if !numbered {
                return HashMap::new();
            }
            // By file name, each folder's page first.
            let pages: Vec<Page> = sources
                .iter()
                .map(|s| Page {
                    path: s.path.clone(),
                    title: s.path.rsplit('/').next().unwrap_or(&s.path).to_string(),
                    weight: None,
                })
                .collect();
            layout::tree_order(&pages, &HashMap::new())
        }
    };
    let present: HashSet<&str> = sources.iter().map(|s| s.path.as_str()).collect();
    paths
        .iter()
        .filter(|p| present.contains(p.as_str()))
        .enumerate()
        .map(|(i, p)| (p.clone(), (i as i64 + 1) * 10))
        .collect()
}

/// Docusaurus's `_category_.json`/`.yml` `position` for each folder that has pages.
fn category_positions(content: &Path, pages: &[Page]) -> HashMap<String, f64> {
    let mut folders: HashSet<&str> = HashSet::new();
    for p in pages {
        let mut d = parent(&p.path);
        while !d.is_empty() {
            folders.insert(d);
            d = parent(d);
        }
    }
    let mut out = HashMap::new();
    for folder in folders {
        for name in ["_category_.json", "_category_.yml", "_category_.yaml"] {
            let Ok(text) = std::fs::read_to_string(content.join(folder).join(name)) else {
                continue;
            };
            let value: Option<Value> = serde_yaml::from_str(&text).ok();
            if let Some(pos) = value
                .as_ref()
                .and_then(|v| v.get("position"))
                .and_then(Value::as_f64)
            {
                out.insert(folder.to_string(), pos);
            }
        }
    }
    out
}

/// A unique, valid id for every page: the file name (a folder page: its folder's name), its
/// folder's name in front when two pages would share one.
fn ids(sources: &[Source]) -> HashMap<String, String> {
    let base = |s: &Source| -> String {
        // Docusaurus names pages by `id`.
        if let Some(id) = s.front.get("id").and_then(Value::as_str)
            && crate::pipeline::parse::frontmatter::check_id(id).is_ok()
        {
            return id.to_string();
        }
        let name = s.path.rsplit('/').next().unwrap_or(&s.path);
        let stem = if is_folder_page(name) {
            match parent(&s.path).rsplit('/').next() {
                Some(f) if !f.is_empty() => f,
                _ => "home",
            }
        } else {
            name.rsplit_once('.').map_or(name, |(stem, _)| stem)
        };
        id_from(stem)
    };
    let wanted: Vec<String> = sources.iter().map(base).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for w in &wanted {
        *count.entry(w).or_default() += 1;
    }
    let mut taken = HashSet::new();
    let mut out = HashMap::new();
    for (s, w) in sources.iter().zip(&wanted) {
        let mut id = if count[w.as_str()] > 1 && !parent(&s.path).is_empty() {
            let folder = if is_folder_page(&s.path) {
                parent(parent(&s.path))
            } else {
                parent(&s.path)
            };
            let prefix = id_from(&folder.replace('/', "-"));
            if prefix.is_empty() {
                w.clone()
            } else {
                format!("{prefix}-{w}")
            }
        } else {
            w.clone()
        };
        if taken.contains(&id) {
            let mut n = 2;
            while taken.contains(&format!("{id}-{n}")) {
                n += 1;
            }
            id = format!("{id}-{n}");
        }
        taken.insert(id.clone());
        out.insert(s.path.clone(), id);
    }
    out
}

/// An id from a name: lowercase ASCII letters, digits and `-`.
fn id_from(name: &str) -> String {
    let slug = crate::markdown::slug(name);
    let ascii: String = slug
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = ascii.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "page".into()
    } else {
        parts.join("-")
    }
}

/// What a page is, from words in its title, then its folders and name.
fn guess_kind(path: &str, title: &str) -> Kind {
    let words = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    let from = |words: &[String]| -> Option<Kind> {
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        if has(&["policy", "policies"]) {
            Some(Kind::Policy)
        } else if has(&[
            "procedure",
            "procedures",
            "runbook",
            "runbooks",
            "playbook",
            "playbooks",
            "sop",
            "howto",
        ]) {
            Some(Kind::Procedure)
        } else if has(&["standard", "standards", "baseline", "baselines"]) {
            Some(Kind::Standard)
        } else if has(&["plan", "plans"]) {
            Some(Kind::Plan)
        } else if has(&["narrative", "narratives"]) {
            Some(Kind::Narrative)
        } else {
            None
        }
    };
    from(&words(title))
        .or_else(|| from(&words(path)))
        .unwrap_or(Kind::Policy)
}

/// Fields the handbook reads as they are when the site's pages already have them.
const CARRIED: [&str; 8] = [
    "owner",
    "approvers",
    "version",
    "effective",
    "review",
    "controls",
    "implements",
    "tags",
];

/// Front matter fields of the site the import itself uses, not kept under `extra`.
const USED: [&str; 5] = ["title", "weight", "sidebar_position", "id", "draft"];

/// The page's new front matter, as YAML lines.
fn front_matter(s: &Source, id: &str, weight: Option<i64>) -> String {
    let mut m = Mapping::new();
    let name = s.path.rsplit('/').next().unwrap_or(&s.path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    if id != stem {
        m.insert("id".into(), id.into());
    }
    m.insert("title".into(), s.title.clone().into());
    let kind = s
        .front
        .get("kind")
        .and_then(Value::as_str)
        .and_then(Kind::parse)
        .unwrap_or_else(|| guess_kind(&s.path, &s.title));
    if kind != Kind::Policy {
        m.insert("kind".into(), kind.as_str().into());
    }
    let get = |k: &str| s.front.get(k).filter(|v| !v.is_null()).cloned();
    m.insert(
        "owner".into(),
        get("owner").unwrap_or_else(|| "TODO".into()),
    );
    for key in CARRIED.iter().skip(1) {
        if let Some(v) = get(key) {
            m.insert((*key).into(), v);
        }
    }
    if !m.contains_key("review") {
        m.insert("review".into(), "annual".into());
    }
    if let Some(w) = weight {
        m.insert("weight".into(), w.into());
    }
    if s.front.get("draft").and_then(Value::as_bool) == Some(true) {
        m.insert("status".into(), "draft".into());
    }
    let mut extra = match s.front.get("extra") {
        Some(Value::Mapping(e)) => e.clone(),
        _ => Mapping::new(),
    };
    for (k, v) in &s.front {
        let key = k.as_str().unwrap_or_default();
        if key == "extra" || key == "kind" || CARRIED.contains(&key) || USED.contains(&key) {
            continue;
        }
        extra.insert(k.clone(), v.clone());
    }
    if !extra.is_empty() {
        m.insert("extra".into(), Value::Mapping(extra));
    }
    serde_yaml::to_string(&m).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> Source {
        let dir = tempfile::tempdir().expect("temp");
        let file = dir.path().join("page.md");
        std::fs::write(&file, text).expect("write");
        read_page(&file, path).expect("reads")
    }

    #[test]
    fn titles_come_from_front_matter_then_the_first_heading_then_the_name() {
        let s = source("a/access.md", "# Access Control\n\nText.\n");
        assert_eq!(s.title, "Access Control");
        assert!(s.drop_heading.is_some());
        let s = source(
            "a/access.md",
            "+++\ntitle = \"Access\"\nweight = 3\ndate = 2024-01-02\n+++\n# Other\n",
        );
        assert_eq!(s.title, "Access");
        assert!(s.drop_heading.is_none());
        assert_eq!(s.front.get("weight").and_then(Value::as_i64), Some(3));
        assert_eq!(
            s.front.get("date").and_then(Value::as_str),
            Some("2024-01-02")
        );
        assert_eq!(s.body_line, 6);
        let s = source("ops/02-incident_response.md", "Text only.\n");
        assert_eq!(s.title, "Incident response");
    }

    #[test]
    fn front_matter_keeps_what_it_can_and_asks_for_an_owner() {
        let s = source(
            "procedures/onboarding.md",
            "---\ntitle: Onboarding\ndescription: How we start\ndraft: true\ntags: [hr]\nreview: quarterly\n---\nSteps.\n",
        );
        let fm = front_matter(&s, "onboarding", Some(20));
        assert_eq!(
            fm,
            "title: Onboarding\nkind: procedure\nowner: TODO\nreview: quarterly\ntags:\n- hr\nweight: 20\nstatus: draft\nextra:\n  description: How we start\n"
        );
    }

    #[test]
    fn kinds_are_guessed_from_titles_then_folders() {
        assert_eq!(
            guess_kind("runbooks/x.md", "Restore a backup"),
            Kind::Procedure
        );
        assert_eq!(guess_kind("x.md", "Incident Response Plan"), Kind::Plan);
        assert_eq!(
            guess_kind("procedures/x.md", "Acceptable Use Policy"),
            Kind::Policy
        );
        assert_eq!(
            guess_kind("standards/crypto.md", "Cryptography"),
            Kind::Standard
        );
        assert_eq!(guess_kind("misc/x.md", "Data retention"), Kind::Policy);
    }

    #[test]
    fn ids_are_unique_and_valid() {
        let page = |p: &str| Source {
            path: p.into(),
            front: Mapping::new(),
            body: String::new(),
            body_line: 1,
            title: String::new(),
            drop_heading: None,
        };
        let sources = [
            page("README.md"),
            page("security/README.md"),
            page("security/Overview.md"),
            page("people/overview.md"),
            page("Incident Response.md"),
        ];
        let ids = ids(&sources);
        assert_eq!(ids["README.md"], "home");
        assert_eq!(ids["security/README.md"], "security");
        assert_eq!(ids["security/Overview.md"], "security-overview");
        assert_eq!(ids["people/overview.md"], "people-overview");
        assert_eq!(ids["Incident Response.md"], "incident-response");
    }
}
