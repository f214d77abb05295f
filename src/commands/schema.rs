use std::path::Path;

use crate::catalog::Catalog;
use crate::diagnostics::Diagnostics;
use crate::pipeline::Source;
use crate::schema::front_matter_schema;

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook schema`: the front matter's JSON Schema on stdout. Uses the handbook's default
/// framework when there is a site.toml, SOC 2 otherwise.
pub fn run(root: &Path) -> u8 {
    let mut diags = Diagnostics::new();
    let framework = if root.join(crate::config::CONFIG_FILE).is_file() {
        Source::worktree(root)
            .config(&mut diags)
            .ok()
            .map(|c| c.scope.framework)
    } else {
        None
    };
    if diags.has_errors() {
        super::print_human(&diags);
        return EXIT_PROBLEMS;
    }
    let schema = front_matter_schema(&Catalog::builtin(), framework.as_deref().unwrap_or("soc2"));
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => {
            println!("{text}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: cannot write the schema: {e}");
            EXIT_PROBLEMS
        }
    }
}
