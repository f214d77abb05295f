use crate::build::{Options, build};

use super::{EXIT_OK, EXIT_PROBLEMS, coverage_summary, print_diagnostics, problems_summary};

/// `policybook build`: exit 0 when the site was written, 1 otherwise.
pub fn run(opts: &Options, timings: bool) -> u8 {
    let report = build(opts);
    print_diagnostics(&report);
    if timings {
        for (stage, d) in &report.timings {
            eprintln!("{stage:>24}: {:>7.3}s", d.as_secs_f64());
        }
    }
    let secs = report.elapsed.as_secs_f64();
    match &report.written_to {
        Some(out) => {
            println!(
                "Built {} ({}) in {secs:.2}s → {}",
                coverage_summary(&report),
                problems_summary(&report),
                out.display()
            );
            EXIT_OK
        }
        None => {
            eprintln!(
                "Build failed: {}. Nothing was written; the previous output is untouched.",
                problems_summary(&report)
            );
            EXIT_PROBLEMS
        }
    }
}
