use crate::build::{Options, build_then_exit};

use super::{EXIT_OK, EXIT_PROBLEMS, coverage_summary, print_diagnostics, problems_summary};

/// `policybook build`: exit 0 when the site was written, 1 otherwise.
pub fn run(opts: &Options, timings: bool) -> u8 {
    let report = build_then_exit(opts);
    print_diagnostics(&report);
    if timings {
        for (stage, d) in &report.timings {
            eprintln!("{stage:>24}: {:>7.3}s", d.as_secs_f64());
        }
        if !report.steps.is_empty() {
            eprintln!(
                "{:>24}",
                "steps (parse and history, and pages and exports, run side by side):"
            );
            for (step, d) in &report.steps {
                eprintln!("{step:>40}: {:>7.3}s", d.as_secs_f64());
            }
        }
        if let Some(kb) = peak_memory_kb() {
            eprintln!("{:>24}: {:>7.1} MB", "peak memory", kb as f64 / 1024.0);
        }
    }
    let secs = report.elapsed.as_secs_f64();
    match &report.written_to {
        Some(out) if report.up_to_date => {
            println!(
                "Up to date: {} ({}) in {secs:.2}s → {}: nothing it is built from changed since the last build, which wrote it",
                coverage_summary(&report),
                problems_summary(&report),
                out.display()
            );
            EXIT_OK
        }
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

/// This process's peak resident memory (Linux `VmHWM`), in kB. Read from inside: the rusage a
/// parent gets from `wait4` also counts the memory of the process it was spawned from.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
