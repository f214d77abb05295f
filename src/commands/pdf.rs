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
    super::print_written(&report.written, "PDFs");
    EXIT_OK
}
