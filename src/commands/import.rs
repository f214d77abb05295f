//! `policybook import`: plans the conversion, applies it, and reports what was not carried over.

use std::path::Path;

use crate::diagnostics::{Diagnostics, Outcome};
use crate::import::{self, Plan};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook import comply SRC [DEST]`: a comply project as a handbook, in `DEST` or in place.
pub fn comply(src: &Path, dest: Option<&Path>, organization: Option<&str>, register: bool) -> u8 {
    let mut diags = Diagnostics::new();
    let plan = import::comply::plan(src, organization, register, &mut diags);
    finish(plan, src, dest, diags)
}

/// `policybook import markdown SRC [DEST]`: a Markdown site as a handbook.
pub fn markdown(src: &Path, dest: Option<&Path>, options: &import::markdown::Options<'_>) -> u8 {
    let mut diags = Diagnostics::new();
    let plan = import::markdown::plan(src, options, &mut diags);
    finish(plan, src, dest, diags)
}

/// Applies `plan` and prints what became of it: the documents, what to check, what to do next.
fn finish(plan: Outcome<Plan>, src: &Path, dest: Option<&Path>, mut diags: Diagnostics) -> u8 {
    let result = plan.and_then(|plan| Ok((import::apply(&plan, src, dest, &mut diags)?, plan)));
    super::print_human(&diags);
    let Ok((applied, plan)) = result else {
        eprintln!("Nothing was imported.");
        return EXIT_PROBLEMS;
    };
    let documents = plan.moves.iter().filter(|m| m.text.is_some()).count();
    let files = plan.moves.len() - documents;
    let files = if files > 0 {
        format!(
            " and {files} file{} they link to",
            if files == 1 { "" } else { "s" }
        )
    } else {
        String::new()
    };
    println!(
        "Imported {documents} documents{files} of {} into {}.",
        plan.organization,
        applied.root.display()
    );
    if !plan.notes.is_empty() {
        println!("\nNot carried over as such — check each:");
        for n in &plan.notes {
            println!("  - {n}");
        }
    }
    let next = if applied.staged {
        "git commit -m \"Adopt policybook\"   # the moves are staged: history follows the documents\n  "
    } else {
        ""
    };
    println!(
        "\nNext:\n  {next}policybook check   # every `owner: TODO` is a warning: name the owners\n  policybook serve"
    );
    EXIT_OK
}
