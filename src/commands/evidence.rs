use crate::evidence::{EvidenceOptions, evidence, period_label};

use super::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE};

/// `policybook evidence`: exit 0 when the files were written, 1 otherwise, 2 for a bad period.
pub fn run(
    opts: &EvidenceOptions,
    bundle: Option<&std::path::Path>,
    no_pdf: bool,
    quiet: bool,
) -> u8 {
    if opts.since > opts.until {
        eprintln!(
            "error: --since {} is after --until {}\n  help: the period runs from --since to --until, e.g. --since 2025-01-01 --until 2025-12-31",
            opts.since, opts.until
        );
        return EXIT_USAGE;
    }
    // Without a browser the bundle cannot have its PDF: said before anything is written.
    if bundle.is_some()
        && let Err(d) = crate::bundle::preflight(no_pdf)
    {
        let mut diags = crate::diagnostics::Diagnostics::new();
        diags.push(d);
        super::print_human(&diags);
        eprintln!("No evidence written.");
        return EXIT_PROBLEMS;
    }
    let report = evidence(opts);
    super::print_human(&report.diagnostics);
    match (&report.written_to, &report.commit) {
        (Some(out), Some((commit, date))) => {
            println!(
                "Wrote evidence for {}: {} change{}, {} review{}, {} missed or unchecked review{}, {} evidence request{}, {} significant change{} to the controls; documents as of commit {} ({date}) → {}",
                period_label(opts.since, opts.until),
                report.changes,
                if report.changes == 1 { "" } else { "s" },
                report.reviews,
                if report.reviews == 1 { "" } else { "s" },
                report.missed,
                if report.missed == 1 { "" } else { "s" },
                report.requests,
                if report.requests == 1 { "" } else { "s" },
                report.significant_changes,
                if report.significant_changes == 1 {
                    ""
                } else {
                    "s"
                },
                &commit[..7],
                out.display()
            );
            if let Some(zip) = bundle {
                let mut diags = crate::diagnostics::Diagnostics::new();
                let made = crate::bundle::bundle(
                    &crate::bundle::BundleOptions {
                        root: &opts.root,
                        evidence: out,
                        until: opts.until,
                        out: zip,
                        no_pdf,
                        quiet,
                    },
                    &mut diags,
                );
                super::print_human(&diags);
                match made {
                    Ok(n) => println!("Wrote the bundle ({n} files) → {}", zip.display()),
                    Err(_) => {
                        eprintln!("No bundle written.");
                        return EXIT_PROBLEMS;
                    }
                }
            }
            EXIT_OK
        }
        _ => {
            eprintln!("No evidence written.");
            EXIT_PROBLEMS
        }
    }
}
