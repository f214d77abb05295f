//! One function per subcommand; `main.rs` only parses arguments and exits with the code returned.

/// `policybook build`.
pub mod build;
/// `policybook check`.
pub mod check;
/// `policybook diff`.
pub mod diff;
/// `policybook docx`.
pub mod docx;
/// `policybook evidence`.
pub mod evidence;
pub mod history;
/// `policybook import`.
pub mod import;
/// `policybook init`.
pub mod init;
/// `policybook new`.
pub mod new;
/// `policybook oscal`.
pub mod oscal;
/// `policybook pdf`.
pub mod pdf;
/// `policybook schema`.
pub mod schema;
/// `policybook serve`.
pub mod serve;
/// `policybook verify`.
pub mod verify;

use crate::build::Report;

/// Process exit codes, as documented in the README.
pub const EXIT_OK: u8 = 0;
/// Errors found (or warnings with `--strict`).
pub const EXIT_PROBLEMS: u8 = 1;
/// The command line was wrong.
pub const EXIT_USAGE: u8 = 2;

/// Prints `build`'s diagnostics to stderr, sorted, in colour on a terminal (not with NO_COLOR,
/// nor when stderr is redirected): each kind of warning once when it is frequent (see
/// `Diagnostics::grouped`); `check` prints every one with `print_human`.
pub fn print_diagnostics(report: &Report) {
    report.diagnostics.print_grouped();
}

/// Prints diagnostics as people read them (see `Diagnostics::print`).
pub fn print_human(diags: &crate::diagnostics::Diagnostics) {
    diags.print();
}

/// "24 documents, 52/52 in-scope controls covered, 0 gaps"
pub fn coverage_summary(report: &Report) -> String {
    let exceptions = match report.exceptions {
        0 => String::new(),
        n => format!(", {n} exception{}", plural(n)),
    };
    format!(
        "{} document{}{exceptions}, {}/{} in-scope controls covered, {} gap{}",
        report.documents,
        plural(report.documents),
        report.controls_covered,
        report.controls_in_scope,
        report.gaps,
        plural(report.gaps),
    )
}

/// "0 errors, 2 warnings"
pub fn problems_summary(report: &Report) -> String {
    let e = report.diagnostics.error_count();
    let w = report.diagnostics.warning_count();
    format!("{e} error{}, {w} warning{}", plural(e), plural(w))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Prints what an export wrote: the file, or how many and where.
pub fn print_written(written: &[std::path::PathBuf], what: &str) {
    match written {
        [one] => println!("Wrote {}", one.display()),
        many => println!(
            "Wrote {} {what} to {}",
            many.len(),
            many.first()
                .and_then(|p| p.parent())
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
    }
}
