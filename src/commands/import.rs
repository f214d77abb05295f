use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::import;

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook import comply SRC [DEST]`: a comply project as a handbook, in `DEST` or in place.
pub fn comply(src: &Path, dest: Option<&Path>, organization: Option<&str>) -> u8 {
    let mut diags = Diagnostics::new();
    let result = import::comply::plan(src, organization, &mut diags)
        .and_then(|plan| Ok((import::apply(&plan, src, dest, &mut diags)?, plan)));
    super::print_human(&diags);
    let Ok((applied, plan)) = result else {
        eprintln!("Nothing was imported.");
        return EXIT_PROBLEMS;
    };
    let documents = plan.moves.iter().filter(|m| m.text.is_some()).count();
    println!(
        "Imported {documents} documents of {} into {}.",
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
