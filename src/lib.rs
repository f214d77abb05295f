//! policybook: security and compliance policies in Markdown → a static handbook and a
//! control-to-policy traceability matrix.
//!
//! Modules are layered; each uses only the layers below it (docs/architecture.md has the
//! diagram):
//!
//! 1. foundations: `diagnostics`, `model`, `config`, `catalog`, `markdown`, `git`, `progress`;
//! 2. the pipeline's stages: `pipeline::{load, parse, history, resolve, render, write}`;
//! 3. opening a handbook: `pipeline::open` (every command opens a handbook through it);
//! 4. features built on it: `versions`, `evidence`, `scaffold`, `schema`, `import`;
//! 5. the site: `site::render_site` (one version or all), `build`;
//! 6. `serve`;
//! 7. `commands`: one per subcommand, called by `main.rs`.

pub mod build;
pub mod bundle;
pub mod catalog;
pub mod commands;
pub mod config;
pub mod diagnostics;
pub mod docx;
pub mod evidence;
mod fnv;
pub mod git;
pub mod import;
pub mod manifest;
pub mod markdown;
pub mod model;
pub mod oscal_export;
pub mod parallel;
pub mod pdf;
pub mod pipeline;
pub mod progress;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod site;
pub mod timings;
pub mod up_to_date;
pub mod versions;
