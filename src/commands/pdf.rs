//! `policybook pdf [--out FILE] [--each]`: the handbook, or each document, as PDF.

use crate::pdf::{PdfOptions, pdf};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// Prints the packet (or each document's) through a headless Chromium.
pub fn run(opts: &PdfOptions) -> u8 {
    let report = pdf(opts);
    super::print_human(&report.diagnostics);
    if report.diagnostics.has_errors() {
        eprintln!("No PDF was written.");
        return EXIT_PROBLEMS;
    }
    match report.written.as_slice() {
        [one] => println!("Wrote {}", one.display()),
        many => println!(
            "Wrote {} PDFs to {}",
            many.len(),
            many.first()
                .and_then(|p| p.parent())
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
    }
    EXIT_OK
}
