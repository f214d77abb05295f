use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::scaffold::{NewDocument, new_document};

use super::{EXIT_OK, EXIT_PROBLEMS, print_human};

/// `policybook new KIND TITLE`: prints the path of the document it created.
pub fn run(root: &Path, req: &NewDocument<'_>) -> u8 {
    let mut diags = Diagnostics::new();
    match new_document(root, req, &mut diags) {
        Ok(path) => {
            println!("{}", path.strip_prefix(".").unwrap_or(&path).display());
            EXIT_OK
        }
        _ => {
            print_human(&diags);
            EXIT_PROBLEMS
        }
    }
}
