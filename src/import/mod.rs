//! `policybook import`: a handbook from what a team has today. Each source format plans the
//! conversion (which file goes where, with what text); applying the plan is shared: into a new
//! folder, written whole or not at all, or in place in the source's git repository as staged
//! moves (`git mv`), so that the history follows the documents and one commit adopts them.

pub mod comply;
pub mod markdown;

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};

/// A file of the source and what becomes of it.
#[derive(Debug, Clone)]
pub struct Converted {
    /// Relative to the source folder.
    pub from: PathBuf,
    /// Relative to the handbook folder.
    pub to: PathBuf,
    /// The new text; `None` moves the file as it is.
    pub text: Option<String>,
}

/// What an import will do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The organisation's name, as found or given.
    pub organization: String,
    /// The handbook's `site.toml`.
    pub site_toml: String,
    /// Other new files (path relative to the handbook folder, text): a generated register.
    pub files: Vec<(PathBuf, String)>,
    /// Every file converted or moved.
    pub moves: Vec<Converted>,
    /// What could not be carried over, one line each.
    pub notes: Vec<String>,
}

/// Where the handbook was written.
#[derive(Debug)]
pub struct Applied {
    /// The handbook folder.
    pub root: PathBuf,
    /// In place: the changes are staged in the source's repository, for one commit.
    pub staged: bool,
}

/// Writes the plan: into `dest` (which must not exist, or be empty), or — without `dest` — in
/// place in `src`, which must be a git repository with nothing uncommitted.
pub fn apply(
    plan: &Plan,
    src: &Path,
    dest: Option<&Path>,
    diags: &mut Diagnostics,
) -> Outcome<Applied> {
    match dest {
        Some(dest) => into_folder(plan, src, dest, diags),
        None => in_place(plan, src, diags),
    }
}

fn into_folder(plan: &Plan, src: &Path, dest: &Path, diags: &mut Diagnostics) -> Outcome<Applied> {
    let occupied = std::fs::read_dir(dest).is_ok_and(|mut rd| rd.next().is_some());
    if occupied || dest.is_file() {
        return diags.fail(
            Diagnostic::error(format!(
                "{} already exists and is not empty",
                dest.display()
            ))
            .hint("import into a new folder, or omit DEST to convert the project in place"),
        );
    }
    // Written next to the destination and renamed into place: never a half-written handbook.
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "handbook".into());
    let staging = dest.with_file_name(format!(".{name}.importing"));
    let _ = std::fs::remove_dir_all(&staging);
    let written = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(&staging)?;
        std::fs::write(staging.join("site.toml"), &plan.site_toml)?;
        for (path, text) in &plan.files {
            std::fs::write(staging.join(path), text)?;
        }
        for m in &plan.moves {
            let to = staging.join(&m.to);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            match &m.text {
                Some(text) => std::fs::write(&to, text)?,
                None => {
                    std::fs::copy(src.join(&m.from), &to)?;
                }
            }
        }
        if dest.exists() {
            std::fs::remove_dir(dest)?;
        }
        std::fs::rename(&staging, dest)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return diags.fail(
            Diagnostic::error(format!("cannot write {}: {e}", dest.display()))
                .hint("check the folder's permissions and free space; nothing was written"),
        );
    }
    Ok(Applied {
        root: dest.to_path_buf(),
        staged: false,
    })
}

fn in_place(plan: &Plan, src: &Path, diags: &mut Diagnostics) -> Outcome<Applied> {
    let Some((repo, prefix)) = crate::git::open_repository(src) else {
        return diags.fail(
            Diagnostic::error(format!("{} is not in a git repository", src.display()))
                .hint("give a destination folder (policybook import comply SRC DEST), or `git init` and commit the project first so that the import keeps its history"),
        );
    };
    if src.join("site.toml").exists() {
        return diags.fail(
            Diagnostic::error(format!("{} already has a site.toml", src.display()))
                .hint("it looks imported already; import into a new folder instead"),
        );
    }
    if let Some((path, _)) = plan.files.iter().find(|(p, _)| src.join(p).exists()) {
        return diags.fail(
            Diagnostic::error(format!("{} already exists", src.join(path).display()))
                .hint("move it away first, or import into a new folder"),
        );
    }
    let dirty = repo
        .statuses(Some(
            git2::StatusOptions::new()
                .include_untracked(false)
                .include_ignored(false),
        ))
        .map(|s| s.iter().any(|e| e.status() != git2::Status::CURRENT))
        .unwrap_or(true);
    if dirty {
        return diags.fail(
            Diagnostic::error(format!("{} has uncommitted changes", src.display()))
                .hint("commit or stash them first: the import is staged as one change to review and commit"),
        );
    }
    let rel = |p: &Path| crate::git::in_repo(&prefix, &p.to_string_lossy().replace('\\', "/"));
    let result = (|| -> Result<(), String> {
        let mut index = repo.index().map_err(|e| e.message().to_string())?;
        let write = |path: &Path, text: &[u8]| -> Result<(), String> {
            let full = src.join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(full, text).map_err(|e| e.to_string())
        };
        let new_files = std::iter::once((Path::new("site.toml"), plan.site_toml.as_str()))
            .chain(plan.files.iter().map(|(p, t)| (p.as_path(), t.as_str())));
        for (path, text) in new_files {
            write(path, text.as_bytes())?;
            index
                .add_path(Path::new(&rel(path)))
                .map_err(|e| e.message().to_string())?;
        }
        for m in &plan.moves {
            let bytes = match &m.text {
                Some(t) => t.as_bytes().to_vec(),
                None => std::fs::read(src.join(&m.from)).map_err(|e| e.to_string())?,
            };
            if m.from != m.to {
                std::fs::remove_file(src.join(&m.from)).map_err(|e| e.to_string())?;
                index
                    .remove_path(Path::new(&rel(&m.from)))
                    .map_err(|e| e.message().to_string())?;
            }
            write(&m.to, &bytes)?;
            index
                .add_path(Path::new(&rel(&m.to)))
                .map_err(|e| e.message().to_string())?;
        }
        index.write().map_err(|e| e.message().to_string())
    })();
    if let Err(why) = result {
        return diags.fail(
            Diagnostic::error(format!("the import stopped half-way: {why}"))
                .hint("nothing is committed: `git reset --hard` (and `git clean -fd policies`) restores the project"),
        );
    }
    Ok(Applied {
        root: src.to_path_buf(),
        staged: true,
    })
}

/// `s` inside a TOML basic string.
fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
