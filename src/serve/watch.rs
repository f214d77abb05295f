//! Watching the sources: policies/, theme/, site.toml, and the git HEAD (a commit changes the
//! history). Events are gathered until the files have been quiet for a moment, so that an
//! editor's save (often several writes) causes one rebuild.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

/// Quiet time after the last event before rebuilding.
const SETTLE: Duration = Duration::from_millis(60);

/// The watcher, kept alive by whoever holds it; the thread that gathers events reaches it too,
/// to watch folders created later.
pub(crate) type Watching = Arc<Mutex<notify::RecommendedWatcher>>;

/// The folders watched recursively, when they exist: created while serving, they are watched
/// from then on.
const FOLDERS: [&str; 3] = ["policies", "theme", crate::model::register::REGISTER_DIR];

pub(crate) fn watch(
    root: &Path,
    mut on_change: impl FnMut(Vec<PathBuf>) + Send + 'static,
) -> notify::Result<Watching> {
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let filter_root = root.clone();
    let git_dir = git2::Repository::discover(&root)
        .ok()
        .map(|r| r.path().to_path_buf());
    let filter_git = git_dir.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if event.kind.is_access() {
            return;
        }
        for path in event.paths {
            if relevant(&filter_root, filter_git.as_deref(), &path) {
                let _ = tx.send(path);
            }
        }
    })?;
    for sub in FOLDERS {
        let p = root.join(sub);
        if p.exists() {
            watcher.watch(&p, RecursiveMode::Recursive)?;
        }
    }
    // site.toml is watched through its folder (editors replace files rather than write them).
    watcher.watch(&root, RecursiveMode::NonRecursive)?;
    if let Some(git) = &git_dir {
        let _ = watcher.watch(git, RecursiveMode::NonRecursive);
        let refs = git.join("refs");
        if refs.exists() {
            let _ = watcher.watch(&refs, RecursiveMode::Recursive);
        }
    }
    let watcher = Arc::new(Mutex::new(watcher));
    // Weak: dropping the caller's handle stops the watcher, which ends this thread.
    let kept = Arc::downgrade(&watcher);
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let mut changed = vec![first];
            while let Ok(more) = rx.recv_timeout(SETTLE) {
                changed.push(more);
            }
            changed.sort();
            changed.dedup();
            // A folder created (or deleted and made again, as a checkout does) is watched
            // before the rebuild, which reads whatever it already holds; what is written into
            // it afterwards is then seen.
            for sub in FOLDERS {
                let p = root.join(sub);
                if changed.contains(&p)
                    && p.is_dir()
                    && let Some(watcher) = kept.upgrade()
                    && let Ok(mut w) = watcher.lock()
                {
                    let _ = w.watch(&p, RecursiveMode::Recursive);
                }
            }
            on_change(changed);
        }
    });
    Ok(watcher)
}

/// Sources and git references, not editors' temporary files or the output.
fn relevant(root: &Path, git_dir: Option<&Path>, path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(git) = git_dir
        && let Ok(rel) = path.strip_prefix(git)
    {
        let rel = rel.to_string_lossy();
        return rel == "HEAD" || rel == "packed-refs" || rel.starts_with("refs");
    }
    // Hidden files (Emacs's `.#a.md` locks, gedit's `.goutputstream-…`, Kate's `.a.md.kate-swp`),
    // backups (`a.md~`), swap and temporary files, Vim's probe of whether it may write in a folder
    // (`4913`), Emacs's auto-saves (`#a.md#`) and JetBrains' safe-write copies: saving a document
    // in any of these editors is one change to the document, not a change to the handbook's
    // other files, which would rebuild everything.
    let temporary = name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___");
    if temporary {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let rel = rel.to_string_lossy();
    rel == crate::config::CONFIG_FILE
        || rel == crate::model::register::REGISTER_FILE
        || rel == crate::model::people::PEOPLE_FILE
        || rel.starts_with("policies")
        || rel.starts_with("theme")
        || rel.starts_with(crate::model::register::REGISTER_DIR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editors_temporary_files_are_not_changes_to_the_handbook() {
        let root = Path::new("/book");
        let git = Path::new("/book/.git");
        let seen = |rel: &str| relevant(root, Some(git), &root.join(rel));
        for source in [
            "policies/access.md",
            "policies/img/flow.svg",
            "site.toml",
            "controls.yaml",
            "people.yaml",
            "theme/templates/page.html",
        ] {
            assert!(seen(source), "{source}");
        }
        assert!(seen(".git/HEAD") && seen(".git/refs/heads/main"));
        for temporary in [
            "policies/.access.md.swp",
            "policies/.#access.md",
            "policies/#access.md#",
            "policies/access.md~",
            "policies/4913",
            "policies/access.md___jb_tmp___",
            "policies/access.md___jb_old___",
            "policies/.goutputstream-ABC123",
            "policies/access.md.tmp",
            ".git/index",
            "public/index.html",
        ] {
            assert!(!seen(temporary), "{temporary}");
        }
    }
}
