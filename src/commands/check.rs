use serde::Serialize;

use crate::build::{Options, build_then_exit};
use crate::pipeline::render::calendar::DueReview;

use super::{EXIT_OK, EXIT_PROBLEMS, coverage_summary, problems_summary};

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
    /// With `--due-within`: the reviews due by then, overdue ones first.
    #[serde(skip_serializing_if = "Option::is_none")]
    due: Option<JsonDue<'a>>,
}

#[derive(Serialize)]
struct JsonDue<'a> {
    as_of: Option<jiff::civil::Date>,
    within_days: i64,
    reviews: &'a [DueReview],
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
pub fn run(opts: &Options, strict: bool, format: Format, due_within: Option<i64>) -> u8 {
    let opts = Options {
        write: false,
        ..opts.clone()
    };
    let report = build_then_exit(&opts);
    let d = &report.diagnostics;
    let failed = d.has_errors() || (strict && d.warning_count() > 0);
    let due: Option<&[DueReview]> = due_within.map(|days| {
        let n = report.due.partition_point(|r| r.days_left <= days);
        &report.due[..n]
    });
    let secs = report.elapsed.as_secs_f64();
    let line = format!(
        "Checked {} ({}) in {secs:.2}s",
        coverage_summary(&report),
        problems_summary(&report)
    );
    match format {
        Format::Human => {
            super::print_human(&report.diagnostics);
            if let (Some(due), Some(days)) = (due, due_within) {
                print_due(due, days, report.as_of);
            }
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
            for r in due.unwrap_or_default() {
                println!("{}", github_due(r));
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
                due: due.zip(due_within).map(|(reviews, within_days)| JsonDue {
                    as_of: report.as_of,
                    within_days,
                    reviews,
                }),
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

/// What a review reminder says: title, owner, due date and days left.
fn due_message(r: &DueReview) -> String {
    let when = match r.days_left {
        d if d < 0 => format!("{} days overdue", -d),
        0 => "due today".to_string(),
        1 => "1 day left".to_string(),
        d => format!("{d} days left"),
    };
    format!(
        "{} (owner: {}) is due for review on {} ({when}): {}",
        r.title,
        r.owner.as_deref().unwrap_or("none named"),
        r.due,
        r.url
    )
}

fn print_due(due: &[DueReview], days: i64, as_of: Option<jiff::civil::Date>) {
    let on = as_of.map(|d| format!(" of {d}")).unwrap_or_default();
    if due.is_empty() {
        println!("No review falls due within {days} days{on}.");
        return;
    }
    println!("Reviews due within {days} days{on}:");
    for r in due {
        println!("  {}: {}", r.path, due_message(r));
    }
}

/// A GitHub Actions annotation: a warning when overdue, a notice before.
fn github_due(r: &DueReview) -> String {
    let level = if r.days_left < 0 { "warning" } else { "notice" };
    use crate::diagnostics::{github_data as esc, github_property as prop};
    format!(
        "::{level} file={},title={}::{}",
        prop(&r.path),
        prop("Review due"),
        esc(&due_message(r))
    )
}
