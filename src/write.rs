//! Stage 5: put the rendered site on disk, all or nothing.
//!
//! Files go to a temporary folder beside the output folder; only when every file is written is
//! the old output moved aside and the new one renamed into place. A failed build therefore leaves
//! the previous site untouched, and a reader never sees half a site.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::render::{OUTPUT_MARKER, Site};

pub fn write(site: &Site, out: &Path, policies_dir: &Path) -> Result<(), Diagnostic> {
    check_target(out, policies_dir)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "create", &e))?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));

    // Files identical to the previous output are hard-linked from it rather than written again:
    // most of a rebuild is unchanged, and creating and later deleting thousands of files is what
    // costs (the old folder is removed after the swap either way).
    let previous = out
        .join(crate::render::OUTPUT_MARKER)
        .is_file()
        .then_some(out);
    let result = write_all(site, &tmp, previous);
    if let Err(d) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(d);
    }
    let had_old = out.exists();
    if had_old && let Err(e) = fs::rename(out, &old) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(io_error(out, "replace", &e));
    }
    if let Err(e) = fs::rename(&tmp, out) {
        // Put the previous site back rather than leave nothing.
        if had_old {
            let _ = fs::rename(&old, out);
        }
        let _ = fs::remove_dir_all(&tmp);
        return Err(io_error(out, "replace", &e));
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Refuses to replace a folder policybook did not write (a typo in `--out` must not delete
/// someone's files) and output inside `policies/`.
fn check_target(out: &Path, policies_dir: &Path) -> Result<(), Diagnostic> {
    if let (Ok(o), Ok(p)) = (absolute(out), absolute(policies_dir))
        && o.starts_with(&p)
    {
        return Err(Diagnostic::error(format!(
            "the output folder {} is inside policies/",
            out.display()
        ))
        .hint("choose an output folder outside policies/, e.g. the default `public`"));
    }
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(
            Diagnostic::error(format!("{} exists and is not a folder", out.display()))
                .hint("choose another --out, or remove that file"),
        );
    }
    let mut entries = fs::read_dir(out).map_err(|e| io_error(out, "read", &e))?;
    let empty = entries.next().is_none();
    if !empty && !out.join(OUTPUT_MARKER).is_file() {
        return Err(Diagnostic::error(format!(
            "{} is not empty and was not written by policybook; refusing to replace it",
            out.display()
        ))
        .hint("choose another --out, or empty that folder first"));
    }
    Ok(())
}

fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    // The output folder may not exist yet: resolve its closest existing ancestor.
    let abs = std::path::absolute(p)?;
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for part in rest.into_iter().rev() {
        out.push(part);
    }
    Ok(out)
}

fn write_all(site: &Site, dir: &Path, previous: Option<&Path>) -> Result<(), Diagnostic> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| io_error(dir, "clean up", &e))?;
    }
    fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", &e))?;
    let folders: BTreeSet<PathBuf> = site
        .files
        .iter()
        .map(|f| f.path.as_str())
        .chain(site.copies.iter().map(|(p, _)| p.as_str()))
        .filter_map(|p| Path::new(p).parent().map(|d| dir.join(d)))
        .collect();
    for f in &folders {
        fs::create_dir_all(f).map_err(|e| io_error(f, "create", &e))?;
    }
    site.files.par_iter().try_for_each(|f| {
        let path = dir.join(&f.path);
        if let Some(prev) = previous {
            let old = prev.join(&f.path);
            if same_contents(&old, &f.contents) && fs::hard_link(&old, &path).is_ok() {
                return Ok(());
            }
        }
        fs::write(&path, &f.contents).map_err(|e| io_error(&path, "write", &e))
    })?;
    site.copies.par_iter().try_for_each(|(to, from)| {
        let path = dir.join(to);
        from.read()
            .and_then(|bytes| fs::write(&path, bytes))
            .map_err(|e| io_error(&path, "copy", &e))
    })?;
    Ok(())
}

/// Whether the file at `path` holds exactly `contents` (size first, then bytes).
fn same_contents(path: &Path, contents: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == contents.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == contents)
        }
        _ => false,
    }
}

fn io_error(path: &Path, action: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot {action} {}: {e}", path.display()))
        .hint("check that the folder is writable and the disk is not full")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::OutputFile;

    fn site(text: &str) -> Site {
        Site {
            files: vec![
                OutputFile {
                    path: "index.html".into(),
                    contents: text.as_bytes().to_vec(),
                },
                OutputFile {
                    path: "a/b/c.html".into(),
                    contents: b"c".to_vec(),
                },
                OutputFile {
                    path: OUTPUT_MARKER.into(),
                    contents: b"m".to_vec(),
                },
            ],
            copies: vec![],
        }
    }

    #[test]
    fn replaces_previous_output_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let policies = dir.path().join("policies");
        write(&site("one"), &out, &policies).unwrap();
        fs::write(out.join("stale.html"), "old").unwrap();
        write(&site("two"), &out, &policies).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        // An unchanged file is linked from the previous output, a changed one is written.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let before = fs::metadata(out.join("a/b/c.html")).unwrap().ino();
            write(&site("three"), &out, &policies).unwrap();
            assert_eq!(fs::metadata(out.join("a/b/c.html")).unwrap().ino(), before);
            assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        }
        assert!(!out.join("stale.html").exists());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn refuses_foreign_folders_and_policies() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mine");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "precious").unwrap();
        let policies = dir.path().join("policies");
        let err = write(&site("x"), &out, &policies).unwrap_err();
        assert!(err.message.contains("not written by policybook"), "{err}");
        assert_eq!(
            fs::read_to_string(out.join("notes.txt")).unwrap(),
            "precious"
        );
        fs::create_dir_all(&policies).unwrap();
        let err = write(&site("x"), &policies.join("public"), &policies).unwrap_err();
        assert!(err.message.contains("inside policies/"), "{err}");
    }
}
