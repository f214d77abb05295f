//! `policybook evidence --bundle FILE.zip`: everything an auditor receives for the period in one
//! zip — the evidence files and `audit.xlsx` as `evidence` wrote them, the handbook as of the
//! period's end printed to PDF (`handbook.pdf`, unless `--no-pdf`), and a `manifest.json` that
//! lists them all. Entries are sorted and carry fixed dates and permissions, and every part is
//! itself reproducible, so the same period of the same repository gives the same bytes.

use std::io::Write;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::manifest::{self, Entry, Manifest};

/// What goes into a bundle.
pub struct BundleOptions<'a> {
    /// The handbook folder.
    pub root: &'a Path,
    /// The evidence folder `evidence` wrote.
    pub evidence: &'a Path,
    /// The period's last day: the PDF shows the handbook as of then.
    pub until: jiff::civil::Date,
    /// The zip to write.
    pub out: &'a Path,
    /// Leave the PDF out (no browser needed).
    pub no_pdf: bool,
    /// No progress on stderr.
    pub quiet: bool,
}

/// Checks before anything is written that the PDF can be made: no browser is an error naming
/// the package, unless `--no-pdf`.
pub fn preflight(no_pdf: bool) -> Result<(), Diagnostic> {
    if no_pdf {
        return Ok(());
    }
    crate::pdf::find_browser()
        .map(|_| ())
        .map_err(|d| d.hint("install Debian's `chromium` package (apt-get install chromium), or leave the PDF out with --no-pdf"))
}

/// Writes the bundle.
pub fn bundle(opts: &BundleOptions<'_>, diags: &mut Diagnostics) -> Outcome<usize> {
    let steps = if opts.no_pdf { 2 } else { 3 };
    let mut progress = crate::progress::Progress::for_export("bundle", steps, opts.quiet);
    progress.step("reading the evidence");
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in walkdir::WalkDir::new(opts.evidence)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let rel = entry
            .path()
            .strip_prefix(opts.evidence)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if rel.starts_with('.') || rel == manifest::FILE || rel == manifest::SIGNATURE {
            continue;
        }
        let bytes = diags.take(std::fs::read(entry.path()).map_err(|e| {
            Diagnostic::error(format!("cannot read {}: {e}", entry.path().display()))
        }))?;
        files.push((format!("evidence/{rel}"), bytes));
    }
    if !opts.no_pdf {
        progress.step("printing handbook.pdf");
        let temp =
            diags
                .take(tempfile::tempdir().map_err(|e| {
                    Diagnostic::error(format!("cannot make a temporary folder: {e}"))
                }))?;
        let pdf = temp.path().join("handbook.pdf");
        let report = crate::pdf::pdf(&crate::pdf::PdfOptions {
            root: opts.root.to_path_buf(),
            out: Some(pdf.clone()),
            each: false,
            as_of: Some(opts.until),
            quiet: true,
        });
        let failed = report.diagnostics.has_errors();
        diags.extend(report.diagnostics);
        if failed {
            return Err(crate::diagnostics::Reported);
        }
        let bytes = diags.take(
            std::fs::read(&pdf).map_err(|e| Diagnostic::error(format!("cannot read the PDF: {e}"))),
        )?;
        files.push(("handbook.pdf".into(), bytes));
    }
    // The evidence's manifest, now listing what the bundle holds.
    let evidence_manifest = std::fs::read(opts.evidence.join(manifest::FILE)).ok();
    let mut m: Manifest = diags.take(
        evidence_manifest
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .ok_or_else(|| Diagnostic::error("the evidence folder has no readable manifest.json")),
    )?;
    m.files = files.iter().map(|(p, b)| Entry::of(p, b)).collect();
    files.push((manifest::FILE.into(), m.to_bytes()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    progress.step(&format!("writing {}", opts.out.display()));
    let zip = diags.take(
        zip_bytes(&files).map_err(|e| Diagnostic::error(format!("cannot write the bundle: {e}"))),
    )?;
    // Written beside the target and renamed into place: never a half-written bundle.
    let partial = opts.out.with_extension("zip.partial");
    let written = std::fs::write(&partial, &zip).and_then(|()| std::fs::rename(&partial, opts.out));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return diags.fail(
            Diagnostic::error(format!("cannot write {}: {e}", opts.out.display()))
                .hint("check that its folder exists and can be written"),
        );
    }
    progress.finish();
    Ok(files.len())
}

/// A zip of `files` with fixed dates (1980-01-01) and permissions: the same files give the same
/// bytes.
fn zip_bytes(files: &[(String, Vec<u8>)]) -> zip::result::ZipResult<Vec<u8>> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (path, bytes) in files {
        w.start_file(path.as_str(), options)?;
        w.write_all(bytes)?;
    }
    Ok(w.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_zip_to_the_same_bytes() {
        let files = vec![
            ("a.csv".to_string(), b"x,y\n".to_vec()),
            ("b/c.txt".to_string(), b"hello".to_vec()),
        ];
        let one = zip_bytes(&files).expect("zip");
        let two = zip_bytes(&files).expect("zip");
        assert_eq!(one, two);
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(one)).expect("reads");
        assert_eq!(archive.len(), 2);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name("b/c.txt").expect("entry"), &mut text)
            .expect("read");
        assert_eq!(text, "hello");
    }
}
