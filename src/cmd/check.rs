use crate::{Options, build};

use super::{EXIT_OK, EXIT_PROBLEMS, coverage_summary, print_diagnostics, problems_summary};

/// `policybook check`: every validation of `build`, nothing written. Exit 0 when clean, 1 on
/// errors, and with `strict` also on warnings.
pub fn run(opts: &Options, strict: bool) -> u8 {
    let opts = Options {
        write: false,
        ..opts.clone()
    };
    let report = build(&opts);
    print_diagnostics(&report);
    let d = &report.diagnostics;
    let failed = d.has_errors() || (strict && d.warning_count() > 0);
    let secs = report.elapsed.as_secs_f64();
    let line = format!(
        "Checked {} ({}) in {secs:.2}s",
        coverage_summary(&report),
        problems_summary(&report)
    );
    if failed {
        eprintln!("{line}");
        if !d.has_errors() {
            eprintln!("Warnings fail the check because of --strict.");
        }
        EXIT_PROBLEMS
    } else {
        println!("{line}");
        EXIT_OK
    }
}
