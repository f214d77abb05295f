use serde::Serialize;

use crate::build::{Options, build};

use super::{EXIT_OK, EXIT_PROBLEMS, coverage_summary, print_diagnostics, problems_summary};

/// How `check` reports problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Messages with the source line, a caret and a hint (coloured on a terminal)
    Human,
    /// One JSON document on stdout, for tools
    Json,
    /// GitHub Actions annotations (`::error file=…,line=…::…`) on stdout
    Github,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    /// Bumped if the shape of this document changes.
    format_version: u32,
    passed: bool,
    strict: bool,
    summary: JsonSummary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    documents: usize,
    exceptions: usize,
    controls_in_scope: usize,
    controls_covered: usize,
    gaps: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: crate::diagnostics::Severity,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    hint: Option<&'a str>,
}

/// `policybook check`: every validation of `build`, nothing written. Exit 0 when clean, 1 on
/// errors, and with `strict` also on warnings.
pub fn run(opts: &Options, strict: bool, format: Format) -> u8 {
    let opts = Options {
        write: false,
        ..opts.clone()
    };
    let report = build(&opts);
    let d = &report.diagnostics;
    let failed = d.has_errors() || (strict && d.warning_count() > 0);
    let secs = report.elapsed.as_secs_f64();
    let line = format!(
        "Checked {} ({}) in {secs:.2}s",
        coverage_summary(&report),
        problems_summary(&report)
    );
    match format {
        Format::Human => {
            print_diagnostics(&report);
            if failed {
                eprintln!("{line}");
                if !d.has_errors() {
                    eprintln!("Warnings fail the check because of --strict.");
                }
            } else {
                println!("{line}");
            }
        }
        Format::Github => {
            for diag in d.sorted() {
                println!("{}", diag.github());
            }
            println!("{line}");
        }
        Format::Json => {
            let sorted = d.sorted();
            let json = JsonReport {
                format_version: 1,
                passed: !failed,
                strict,
                summary: JsonSummary {
                    documents: report.documents,
                    exceptions: report.exceptions,
                    controls_in_scope: report.controls_in_scope,
                    controls_covered: report.controls_covered,
                    gaps: report.gaps,
                    errors: d.error_count(),
                    warnings: d.warning_count(),
                },
                diagnostics: sorted
                    .iter()
                    .map(|x| JsonDiagnostic {
                        severity: x.severity,
                        file: x
                            .file
                            .as_ref()
                            .map(|f| f.to_string_lossy().replace('\\', "/")),
                        line: x.line,
                        column: x.column,
                        message: &x.message,
                        hint: x.hint.as_deref(),
                    })
                    .collect(),
            };
            match serde_json::to_string_pretty(&json) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("error: cannot write JSON: {e}");
                    return EXIT_PROBLEMS;
                }
            }
        }
    }
    if failed { EXIT_PROBLEMS } else { EXIT_OK }
}
