use std::path::Path;

use crate::catalog::Catalog;
use crate::diagnostics::Diagnostics;
use crate::pipeline::Source;
use crate::schema::{front_matter_schema, register_schema};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook schema [--controls]`: the front matter's (or the control register's) JSON Schema
/// on stdout. Uses the handbook's default framework and register ids when there is a site.toml,
/// SOC 2 otherwise.
pub fn run(root: &Path, controls: bool) -> u8 {
    let mut diags = Diagnostics::new();
    let source = Source::worktree(root);
    let (framework, register_ids, catalog) = if root.join(crate::config::CONFIG_FILE).is_file() {
        // The register's problems are `check`'s business; its ids and the frameworks of
        // site.toml help completion anyway.
        let mut quiet = Diagnostics::new();
        let opened = crate::pipeline::open(
            &source,
            crate::pipeline::HistoryMode::Skip,
            None,
            &mut quiet,
        )
        .ok();
        let ids: Vec<String> = opened
            .as_ref()
            .map(|hb| hb.register.iter().map(|c| c.id.value.clone()).collect())
            .unwrap_or_default();
        (
            source.config(&mut diags).ok().map(|c| c.scope.framework),
            ids,
            opened.map(|hb| hb.catalog),
        )
    } else {
        (None, Vec::new(), None)
    };
    if diags.has_errors() {
        super::print_human(&diags);
        return EXIT_PROBLEMS;
    }
    let framework = framework.as_deref().unwrap_or("soc2");
    let catalog = catalog.unwrap_or_else(Catalog::builtin);
    let schema = if controls {
        register_schema(&catalog, framework)
    } else {
        let ids: Vec<&str> = register_ids.iter().map(String::as_str).collect();
        front_matter_schema(&catalog, framework, &ids)
    };
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
