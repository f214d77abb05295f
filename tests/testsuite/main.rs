//! policybook's integration tests: the real binary run over fixture handbooks and throwaway git
//! repositories, one module per feature. `support` holds the helpers and `BookTest`, the builder
//! every scenario starts from. Fixture handbooks are in `tests/fixtures/` (`good`: a complete
//! handbook; `broken`: one with every kind of mistake).

mod support;

mod acknowledgements;
mod adoption;
mod approvals;
mod architecture;
mod build_site;
mod cache;
mod cli;
mod demo;
mod errors;
mod evidence;
mod exceptions;
mod frameworks;
mod history;
mod import;
mod import_markdown;
mod office;
mod output_identity;
mod pdf;
mod people;
mod register;
mod reminders;
mod sample_handbook;
mod scope;
mod security;
mod serve;
mod serve_incremental;
mod signatures;
mod up_to_date;
mod verify;
mod versions;
mod workflow;
