//! `policybook init` and `policybook new`: files a policy owner starts from. The templates are in
//! `files/`, compiled in; `init --demo` (`demo`) writes the sample handbook with a year of history.

mod demo;

pub use demo::init_demo;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome, did_you_mean};
use crate::model::{Cadence, Kind};
use crate::pipeline::HistoryMode;

/// (path in the new handbook, contents)
const INIT_FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("files/site.toml")),
    ("controls.yaml", include_str!("files/controls.yaml")),
    (
        "policies/access-control.md",
        include_str!("files/policies/access-control.md"),
    ),
    (
        "policies/access-review.md",
        include_str!("files/policies/access-review.md"),
    ),
    (
        "policies/password-standard.md",
        include_str!("files/policies/password-standard.md"),
    ),
    (".gitignore", include_str!("files/gitignore")),
    (
        ".github/workflows/policybook.yml",
        include_str!("files/github/policybook.yml"),
    ),
    (".gitlab-ci.yml", include_str!("files/gitlab-ci.yml")),
];

/// Creates a new handbook in `dir`: nothing is written unless every file can be (the folder must
/// be empty, or hold only a git repository). Returns the files written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    ensure_empty(dir)?;
    let mut written = Vec::new();
    for (rel, contents) in INIT_FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Diagnostic::error(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        std::fs::write(&path, contents)
            .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", path.display())))?;
        written.push(path);
    }
    // A handbook lives in git: its history is the review evidence.
    if git2::Repository::discover(dir).is_err() {
        git2::Repository::init(dir).map_err(|e| {
            Diagnostic::error(format!("cannot create a git repository: {}", e.message()))
        })?;
    }
    Ok(written)
}

/// `dir` does not exist, or holds nothing but a git repository: init never mixes files in.
fn ensure_empty(dir: &Path) -> Result<(), Diagnostic> {
    if !dir.exists() {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", dir.display())))?;
    let mut present: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".git")
        .collect();
    if present.is_empty() {
        return Ok(());
    }
    present.sort();
    present.truncate(5);
    Err(Diagnostic::error(format!(
        "{} is not empty ({}), and init does not overwrite or mix in files",
        dir.display(),
        present.join(", ")
    ))
    .hint("run `policybook init NEW-FOLDER`, or init in an empty folder"))
}

/// What `policybook new` is asked to create.
pub struct NewDocument<'a> {
    /// `policy`, `procedure`, `standard` or `plan`.
    pub kind: &'a str,
    /// The document's title.
    pub title: &'a str,
    /// Ids of the documents it implements.
    pub implements: Vec<String>,
    /// Controls it maps.
    pub controls: Vec<String>,
    /// Owner, instead of `[defaults] owner`.
    pub owner: Option<String>,
}

/// Writes `policies/<slug of title>.md` with its front matter filled in and a skeleton body for
/// its kind. Owner and review cadence come from `[defaults]` in site.toml unless given.
pub fn new_document(
    root: &Path,
    req: &NewDocument<'_>,
    diags: &mut Diagnostics,
) -> Outcome<PathBuf> {
    let source = crate::pipeline::Source::worktree(root);
    // site.toml and the catalogs its [frameworks] name: ids are checked against them all.
    let (config, sources) = source.read_settings(diags)?;
    let catalog =
        crate::catalog::assemble(&config, &crate::pipeline::catalog_files(&sources), diags);
    config.validate(&catalog, diags);
    let Some(kind) = Kind::parse(req.kind) else {
        let d = Diagnostic::error(format!("unknown kind `{}`", req.kind));
        return diags.fail(match did_you_mean(req.kind, Kind::NAMES) {
            Some(s) => d.hint(format!(
                "did you mean `{s}`? Kinds: {}",
                Kind::NAMES.join(", ")
            )),
            None => d.hint(format!("kinds: {}", Kind::NAMES.join(", "))),
        });
    };
    let id = crate::markdown::slug(req.title)
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        .collect::<String>();
    let id = id.trim_matches('-').to_string();
    if id.is_empty() {
        return diags.fail(
            Diagnostic::error(format!(
                "cannot make a file name from the title `{}`",
                req.title
            ))
            .hint("use a title with letters or digits"),
        );
    }
    let owner = req.owner.clone().or_else(|| config.defaults.owner.clone());
    if kind == Kind::Policy && owner.is_none() {
        return diags.fail(
            Diagnostic::error("a policy needs an owner")
                .hint("pass --owner ROLE, or set `owner` under [defaults] in site.toml"),
        );
    }
    let review = config
        .defaults
        .review
        .clone()
        .unwrap_or_else(|| "annual".into());
    if Cadence::parse(&review).is_none() {
        return diags.fail(Diagnostic::error(format!(
            "invalid defaults.review `{review}` in site.toml"
        )));
    }
    for c in &req.controls {
        // `CC6.1`, or `iso27001:A.5.15` for a framework of [frameworks].
        let r = crate::model::ControlRef::parse(c, &config.scope.framework, 0);
        if let Some(d) = crate::pipeline::resolve::check_control(&r, &catalog) {
            diags.push(d);
        }
    }
    // Implemented documents must exist: read the handbook to know its ids.
    if !req.implements.is_empty() {
        // The handbook's own problems are `check`'s business, not this command's.
        let mut quiet = Diagnostics::new();
        let opened = crate::pipeline::open(&source, HistoryMode::Skip, None, &mut quiet);
        let ids: Vec<&str> = opened
            .iter()
            .flat_map(|hb| hb.documents.iter().map(|d| d.id.as_str()))
            .collect();
        for i in &req.implements {
            if !ids.contains(&i.as_str()) {
                let d = Diagnostic::error(format!(
                    "--implements names `{i}`, but no document has that id"
                ));
                diags.push(match did_you_mean(i, ids.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint("use the id of a document under policies/"),
                });
            }
        }
    }
    diags.no_errors()?;
    let path = root
        .join(crate::pipeline::load::POLICIES_DIR)
        .join(format!("{id}.md"));
    if path.exists() {
        return diags.fail(
            Diagnostic::error(format!("{} already exists", path.display()))
                .hint("choose another title, or edit that document"),
        );
    }
    let mut fm = format!("---\ntitle: {}\n", yaml_string(req.title));
    if kind != Kind::Policy {
        fm.push_str(&format!("kind: {}\n", kind.as_str()));
    }
    if let Some(o) = &owner {
        fm.push_str(&format!("owner: {}\n", yaml_string(o)));
    }
    if kind == Kind::Exception {
        fm.push_str(&exception_fields(
            owner.as_deref(),
            jiff::ZonedDateTime::now().date(),
        ));
    } else {
        fm.push_str("approvers: []\nversion: \"0.1\"\n");
        fm.push_str(&format!("review: {review}\nstatus: draft\n"));
    }
    if !req.controls.is_empty() {
        fm.push_str(&format!("controls: [{}]\n", req.controls.join(", ")));
    }
    if !req.implements.is_empty() {
        fm.push_str(&format!("implements: [{}]\n", req.implements.join(", ")));
    }
    fm.push_str("---\n");
    fm.push_str(skeleton(kind));
    if let Err(e) = std::fs::create_dir_all(path.parent().unwrap_or(root))
        .and_then(|_| std::fs::write(&path, fm))
    {
        return diags.fail(Diagnostic::error(format!(
            "cannot write {}: {e}",
            path.display()
        )));
    }
    Ok(path)
}

/// The front matter of a new exception, granted today for 90 days. `exception_to` and
/// `approved_by` are left for the author: `check` fails until they are filled in, which is the
/// point (an exception nobody approved is not one).
fn exception_fields(owner: Option<&str>, today: jiff::civil::Date) -> String {
    let expires = today
        .checked_add(jiff::Span::new().days(90))
        .unwrap_or(today);
    format!(
        "exception_to:            # the policy excepted: its id, or id#section\n\
         requested_by: {}\n\
         approved_by:             # who grants it: not the requester\n\
         granted: {today}\n\
         expires: {expires}\n\
         status: open\n\
         risk: medium\n\
         compensating: []         # controls that reduce the risk meanwhile\n",
        owner.map(yaml_string).unwrap_or_default()
    )
}

/// A YAML scalar for a title: quoted when plain YAML would misread it.
fn yaml_string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.starts_with(|c: char| "[]{}&*!|>'\"%@`#,-?:".contains(c))
        && s.trim() == s;
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn skeleton(kind: Kind) -> &'static str {
    match kind {
        Kind::Policy => {
            "What this policy is for, in one or two sentences.\n\n## Scope\n\nWho and what it applies to.\n\n## Policy\n\nThe rules. Map a section to the controls it is evidence for: `## Heading {controls=CC6.1}`.\n\n## Roles and responsibilities\n\n## Exceptions\n"
        }
        Kind::Procedure => {
            "What this procedure achieves and when it is followed.\n\n## When\n\n## Steps\n\n1. First step.\n2. Second step.\n\n## Records\n\nWhat evidence each run leaves, and where it is kept.\n"
        }
        Kind::Standard => {
            "The settings that put a policy into effect.\n\n## Scope\n\n## Requirements\n\n| Setting | Value |\n|---|---|\n| | |\n"
        }
        Kind::Plan => {
            "What this plan is for and when it is used.\n\n## Objectives\n\n## Roles\n\n## Actions\n"
        }
        Kind::Narrative => {
            "How this part of the organisation or its system works, for readers and auditors.\n\n## Overview\n\n## How it works\n\n## Controls\n"
        }
        Kind::Exception => {
            "What departs from the policy, for which systems or people, and why it cannot comply yet.\n\n## Risk\n\nWhat could go wrong meanwhile, and how likely it is.\n\n## Compensating measures\n\nWhat reduces the risk until the exception ends.\n\n## Remediation\n\nWhat will end the exception, and by when.\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_quoted_only_when_needed() {
        assert_eq!(
            yaml_string("Access Control Policy"),
            "Access Control Policy"
        );
        assert_eq!(yaml_string("Policy: Access"), "\"Policy: Access\"");
        assert_eq!(yaml_string("- dash"), "\"- dash\"");
        assert_eq!(yaml_string("say \"hi\""), "say \"hi\"");
        assert_eq!(yaml_string("#1 rule"), "\"#1 rule\"");
    }
}
