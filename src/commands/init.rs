use std::path::Path;

use crate::scaffold;

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook init [DIR]`: a new handbook, ready to check and build.
pub fn run(dir: &Path) -> u8 {
    match scaffold::init(dir) {
        Ok(files) => {
            println!("Created a handbook in {}:", dir.display());
            for f in &files {
                println!("  {}", f.strip_prefix(dir).unwrap_or(f).display());
            }
            let cd = cd_prefix(dir);
            println!(
                "\nNext:\n  {cd}git add . && git commit -m \"Start the handbook\"\n  policybook serve            # preview with live reload\n  policybook new policy \"Incident Response Policy\" --controls CC7.3,CC7.4\n  policybook check --strict   # what CI runs"
            );
            EXIT_OK
        }
        Err(d) => failed(d),
    }
}

/// `policybook init --demo DIR`: the sample handbook with a year of history, to try every
/// feature on.
pub fn demo(dir: &Path) -> u8 {
    match scaffold::init_demo(dir) {
        Ok(files) => {
            println!(
                "Created the demo handbook in {} ({} files, a year of history in git).",
                dir.display(),
                files.len()
            );
            let cd = cd_prefix(dir);
            println!(
                "\nNext:\n  {cd}policybook serve\n  policybook check\n  policybook evidence --since 2025-01-01 --until 2025-12-31"
            );
            EXIT_OK
        }
        Err(d) => failed(d),
    }
}

/// `cd DIR && ` before the next commands, unless DIR is where the user is.
fn cd_prefix(dir: &Path) -> String {
    if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    }
}

/// Prints why init failed, through the same colour-aware stream as every other command's
/// messages.
fn failed(d: crate::diagnostics::Diagnostic) -> u8 {
    let mut diags = crate::diagnostics::Diagnostics::new();
    diags.push(d);
    super::print_human(&diags);
    EXIT_PROBLEMS
}
