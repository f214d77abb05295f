use crate::diagnostics::Diagnostics;
use crate::serve::{ServeOptions, serve};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook serve`: runs until Ctrl-C (which exits 0); exit 1 when it cannot start.
pub fn run(opts: &ServeOptions) -> u8 {
    let mut diags = Diagnostics::new();
    match serve(opts, &mut diags) {
        Ok(()) => EXIT_OK,
        Err(_) => {
            diags.print();
            EXIT_PROBLEMS
        }
    }
}
