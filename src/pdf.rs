//! `policybook pdf`: the printable packet (`print/index.html`) printed by an installed Chromium
//! or Chrome in headless mode — no LaTeX, no pandoc. The site is built into a temporary folder
//! (the packet links the site's static files and images), then printed; page numbers and each
//! document's title are in the margins (CSS paged media, `static/print.css`). The PDF's dates
//! are set to the commit's, so the same commit prints the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::build;
use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::model::url;

/// What `policybook pdf` is asked for.
pub struct PdfOptions {
    /// The handbook folder.
    pub root: PathBuf,
    /// The PDF to write (default `root/handbook.pdf`); with `each`, the folder for one PDF per
    /// document (default `root/pdf`).
    pub out: Option<PathBuf>,
    /// One PDF per document instead of one for the handbook.
    pub each: bool,
    /// Review statuses as of this date.
    pub as_of: Option<jiff::civil::Date>,
    /// No progress on stderr.
    pub quiet: bool,
}

/// The browsers tried, in order, when `POLICYBOOK_CHROMIUM` does not name one.
const BROWSERS: [&str; 6] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/// The headless browser to print with: `POLICYBOOK_CHROMIUM`, else the first of `BROWSERS`
/// that runs.
pub fn find_browser() -> Result<PathBuf, Diagnostic> {
    if let Some(p) = std::env::var_os("POLICYBOOK_CHROMIUM") {
        let p = PathBuf::from(p);
        return match Command::new(&p).arg("--version").output() {
            Ok(o) if o.status.success() => Ok(p),
            _ => Err(Diagnostic::error(format!(
                "POLICYBOOK_CHROMIUM names {}, which does not run",
                p.display()
            ))
            .hint("point it at a Chromium or Chrome executable, or unset it")),
        };
    }
    BROWSERS
        .iter()
        .map(PathBuf::from)
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or_else(|| {
            Diagnostic::error("no Chromium or Chrome found to print the PDF with").hint(
                "install Debian's `chromium` package (apt-get install chromium), or Google Chrome; or set POLICYBOOK_CHROMIUM to the browser's path",
            )
        })
}

/// Prints the page `html` to `pdf` with `browser`, then fixes the PDF's creation and
/// modification dates to `date` (midnight UTC) so that the bytes repeat.
pub fn print(
    browser: &Path,
    html: &Path,
    pdf: &Path,
    date: Option<jiff::civil::Date>,
) -> Result<(), Diagnostic> {
    let profile = tempfile::tempdir()
        .map_err(|e| Diagnostic::error(format!("cannot make a temporary folder: {e}")))?;
    let url = format!("file://{}", html.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&url)
        .output()
        .map_err(|e| Diagnostic::error(format!("cannot run {}: {e}", browser.display())))?;
    let mut bytes = std::fs::read(pdf).unwrap_or_default();
    if !out.status.success() || !bytes.starts_with(b"%PDF") {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(Diagnostic::error(format!(
            "{} did not print {}: {last}",
            browser.display(),
            html.display()
        ))
        .hint("check that the browser runs headless here (`chromium --headless --print-to-pdf=x.pdf about:blank`)"));
    }
    if let Some(d) = date {
        fix_dates(&mut bytes, d);
    }
    renumber_node_ids(&mut bytes);
    std::fs::write(pdf, &bytes)
        .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", pdf.display())))?;
    Ok(())
}

/// The tagged PDF's structure elements carry the browser's ids of the page's elements,
/// `/ID (node00000063)`, which are counted across everything the browser created before them
/// and so differ between two prints of the same page now and then. Each is replaced by its rank
/// among them, written with the same number of digits: the order is kept (the id tree's keys stay
/// sorted), and so is every length (the cross-reference offsets stay right).
fn renumber_node_ids(bytes: &mut [u8]) {
    const KEY: &[u8] = b"/ID (node";
    const DIGITS: usize = 8;
    let number_at = |bytes: &[u8], at: usize| -> Option<u64> {
        let digits = bytes.get(at..at + DIGITS)?;
        if !digits.iter().all(u8::is_ascii_digit) || bytes.get(at + DIGITS) != Some(&b')') {
            return None;
        }
        std::str::from_utf8(digits).ok()?.parse().ok()
    };
    let mut ids = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], KEY) {
        let start = from + at + KEY.len();
        ids.extend(number_at(bytes, start));
        from = start;
    }
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return;
    }
    // Every `(node…)` string with one of those numbers: in the elements and in the id tree.
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], b"(node") {
        let start = from + at + b"(node".len();
        if let Some(n) = number_at(bytes, start)
            && let Ok(rank) = ids.binary_search(&n)
        {
            let new = format!("{:0width$}", rank + 1, width = DIGITS);
            bytes[start..start + DIGITS].copy_from_slice(new.as_bytes());
        }
        from = start;
    }
}

/// Sets every `/CreationDate (D:…)` and `/ModDate (D:…)` to `date`, keeping each value's length
/// (the PDF's cross-reference offsets stay right).
fn fix_dates(bytes: &mut [u8], date: jiff::civil::Date) {
    let stamp = format!(
        "{:04}{:02}{:02}000000",
        date.year(),
        date.month(),
        date.day()
    );
    for key in [&b"/CreationDate (D:"[..], b"/ModDate (D:"] {
        let mut from = 0;
        while let Some(at) = find(&bytes[from..], key) {
            let start = from + at + key.len();
            // `YYYYMMDDHHmmSS`: fourteen digits, then the zone.
            let digits = bytes[start..]
                .iter()
                .take(14)
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 14 {
                bytes[start..start + 14].copy_from_slice(stamp.as_bytes());
            }
            from = start;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What `pdf` wrote.
#[derive(Debug, Default)]
pub struct PdfReport {
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// The PDFs written.
    pub written: Vec<PathBuf>,
}

/// Builds the site into a temporary folder and prints the packet (or each document's).
pub fn pdf(opts: &PdfOptions) -> PdfReport {
    let mut report = PdfReport::default();
    let mut diags = Diagnostics::new();
    let _ = run(opts, &mut report, &mut diags);
    report.diagnostics = diags;
    report
}

fn run(opts: &PdfOptions, report: &mut PdfReport, diags: &mut Diagnostics) -> Outcome<()> {
    // Found first: without a browser there is nothing to build for.
    let browser = diags.take(find_browser())?;
    let temp = diags.take(
        tempfile::tempdir()
            .map_err(|e| Diagnostic::error(format!("cannot make a temporary folder: {e}"))),
    )?;
    let site = temp.path().join("site");
    let mut progress = crate::progress::Progress::for_export("pdf", 1, opts.quiet);
    progress.step("building the site");
    // Opened once, as `build` opens it (the commit of --as-of, if any): the site and the packets
    // come from the same handbook.
    let rendered = build::render(&opts.root, opts.as_of, true, diags)?;
    let files = rendered.site?;
    diags.no_errors()?;
    let (hb, Some(theme)) = (&rendered.handbook, &rendered.theme) else {
        return Err(crate::diagnostics::Reported);
    };
    crate::pipeline::write::write(
        &files,
        &site,
        &crate::pipeline::write::Guard::for_handbook(&opts.root),
        diags,
    )?;
    progress.finish();
    let date = hb.history.source.as_of;
    // The packets are rendered beside the site (whether or not it publishes its own), so that
    // their links to its pages and files resolve.
    let packet = |docs: &[crate::model::DocIx], page: &Path, diags: &mut Diagnostics| {
        let html = diags.take(crate::pipeline::render::render_packet(hb, theme, docs))?;
        diags.take(
            page.parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(page, html))
                .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", page.display()))),
        )
    };
    if !opts.each {
        let out = opts
            .out
            .clone()
            .unwrap_or_else(|| opts.root.join("handbook.pdf"));
        let mut progress = crate::progress::Progress::for_export("pdf", 1, opts.quiet);
        progress.step(&format!("printing {}", out.display()));
        let page = site.join(url::PRINT);
        packet(
            &crate::pipeline::render::views::reading_order(hb),
            &page,
            diags,
        )?;
        diags.take(print(&browser, &page, &out, date))?;
        progress.finish();
        report.written.push(out);
        return Ok(());
    }
    let dir = opts.out.clone().unwrap_or_else(|| opts.root.join("pdf"));
    diags.take(
        std::fs::create_dir_all(&dir)
            .map_err(|e| Diagnostic::error(format!("cannot create {}: {e}", dir.display()))),
    )?;
    let order = crate::pipeline::render::views::reading_order(hb);
    let mut progress = crate::progress::Progress::for_export("pdf", order.len(), opts.quiet);
    for i in order {
        let id = &hb.documents[i].id;
        progress.step(id);
        let page = site.join(format!("print/{id}.html"));
        packet(&[i], &page, diags)?;
        let out = dir.join(format!("{id}.pdf"));
        diags.take(print(&browser, &page, &out, date))?;
        report.written.push(out);
    }
    progress.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn node_ids_become_their_ranks_with_every_length_kept() {
        let pdf = |a: u32, b: u32| {
            format!(
                "<</S /TH /ID (node{a:08})>>\n<</S /TD /ID (node{b:08})>>\n<</Names [(node{a:08}) 5 0 R (node{b:08}) 6 0 R]>>\n(node12345678) (nodes)"
            )
            .into_bytes()
        };
        // Two prints whose browser counted from elsewhere: the same bytes once renumbered.
        let (mut first, mut second) = (pdf(63, 70), pdf(62, 69));
        renumber_node_ids(&mut first);
        renumber_node_ids(&mut second);
        assert_eq!(first, second);
        assert_eq!(first.len(), pdf(63, 70).len());
        let text = String::from_utf8_lossy(&first);
        assert!(text.contains("/ID (node00000001)") && text.contains("(node00000002) 6 0 R"));
        // A string that is no element's id is left alone.
        assert!(text.contains("(node12345678) (nodes)"));
    }
    use super::*;

    #[test]
    fn pdf_dates_are_fixed_in_place() {
        let mut pdf =
            b"<</CreationDate (D:20261130162327+00'00')\n/ModDate (D:20261130162327+00'00')>>"
                .to_vec();
        let len = pdf.len();
        fix_dates(&mut pdf, jiff::civil::date(2025, 5, 1));
        assert_eq!(pdf.len(), len);
        assert_eq!(
            String::from_utf8(pdf).expect("text"),
            "<</CreationDate (D:20250501000000+00'00')\n/ModDate (D:20250501000000+00'00')>>"
        );
    }
}
