//! `policybook _history` (hidden): only the history stage, so that benchmarks can time it on its
//! own against `git log` (see bench/); and `_oscal-catalog`, the catalog reader on its own.

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::pipeline::Source;
use crate::pipeline::history::{Request, extract};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook _history`: extracts the history and prints what it found.
pub fn run(root: &Path, as_of: Option<jiff::civil::Date>) -> u8 {
    let mut diags = Diagnostics::new();
    let Ok((_, sources)) = Source::worktree(root).read(&mut diags) else {
        super::print_human(&diags);
        return EXIT_PROBLEMS;
    };
    let paths: Vec<String> = sources.documents.iter().map(|s| s.path.clone()).collect();
    let h = extract(&Request {
        people_at_changes: false,
        versions: false,
        root,
        documents: &paths,
        as_of,
        at_commit: None,
        cache: None,
    });
    if let Some(why) = &h.unavailable {
        eprintln!("no history: {why}");
        return EXIT_PROBLEMS;
    }
    let revisions: usize = h.docs.values().map(|d| d.revisions.len()).sum();
    let reviews: usize =
        h.docs.values().map(|d| d.reviews.len()).sum::<usize>() + h.named_reviews.len();
    println!(
        "{} documents, {} revisions, {} reviews, {} commits changing documents",
        h.docs.len(),
        revisions,
        reviews,
        h.changes.len()
    );
    EXIT_OK
}

/// `policybook _oscal-catalog FILE`: reads an OSCAL catalog, prints its counts (bench/catalog.sh).
pub fn oscal_catalog(file: &Path) -> u8 {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return EXIT_PROBLEMS;
        }
    };
    match crate::catalog::oscal::read(&text, "catalog", "catalog") {
        Ok(framework) => {
            let enhancements = framework
                .controls
                .iter()
                .filter(|c| c.parent.is_some())
                .count();
            println!(
                "{} controls ({} enhancements) in {} series",
                framework.controls.len(),
                enhancements,
                framework.series.len()
            );
            EXIT_OK
        }
        Err(why) => {
            eprintln!("error: {}: {why}", file.display());
            EXIT_PROBLEMS
        }
    }
}
