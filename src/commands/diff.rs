use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::versions::{diff, load_version};

use super::{EXIT_OK, EXIT_PROBLEMS};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
/// How `policybook diff` prints the differences.
pub enum Format {
    /// For people.
    Text,
    /// For tools: the `VersionDiff` as JSON.
    Json,
}

/// `policybook diff FROM TO`: what changed between two versions, printed. Exit 0 when both
/// versions could be read (whether or not they differ), 1 otherwise.
pub fn run(root: &Path, from: &str, to: &str, format: Format) -> u8 {
    let mut diags = Diagnostics::new();
    let a = load_version(root, from, &mut diags);
    let b = load_version(root, to, &mut diags);
    let errors = diags.has_errors();
    for d in diags.sorted().iter().filter(|d| d.is_error()) {
        eprintln!("{d}\n");
    }
    let (Ok(a), Ok(b)) = (a, b) else {
        return EXIT_PROBLEMS;
    };
    if errors {
        eprintln!("The versions have errors; fix them (policybook check) before comparing.");
        return EXIT_PROBLEMS;
    }
    let d = diff::diff(from, &a, to, &b);
    match format {
        Format::Text => print!("{}", diff::to_text(&d)),
        Format::Json => match serde_json::to_string_pretty(&d) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return EXIT_PROBLEMS;
            }
        },
    }
    EXIT_OK
}
