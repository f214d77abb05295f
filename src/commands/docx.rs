//! `policybook docx [--out DIR] [--each]`: the handbook, and each document, as Word files.

use crate::docx::{DocxOptions, docx};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// Writes the Word documents.
pub fn run(opts: &DocxOptions) -> u8 {
    let report = docx(opts);
    super::print_human(&report.diagnostics);
    if report.diagnostics.has_errors() {
        eprintln!("No Word document was written.");
        return EXIT_PROBLEMS;
    }
    super::print_written(&report.written, "Word documents");
    EXIT_OK
}
