//! `policybook oscal [--out DIR]`: the handbook as an OSCAL component definition.

use crate::oscal_export::{OscalOptions, export};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// Writes the component definition and the catalogs it points at.
pub fn run(opts: &OscalOptions) -> u8 {
    let report = export(opts);
    super::print_human(&report.diagnostics);
    if report.diagnostics.has_errors() {
        eprintln!("No OSCAL was written.");
        return EXIT_PROBLEMS;
    }
    super::print_written(&report.written, "OSCAL files");
    EXIT_OK
}
