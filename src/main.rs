//! Command line: parse arguments, run the subcommand, exit with its code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use policybook::{Options, cmd};

#[derive(Parser)]
#[command(
    name = "policybook",
    version,
    about = "Security and compliance policies in Markdown → a versioned handbook and a SOC 2 traceability matrix",
    after_help = "Examples:\n  policybook build                 Build ./policies into ./public\n  policybook check --strict        Validate in CI; warnings fail too\n  policybook evidence --since 2025-01-01 --until 2025-12-31\n  policybook diff v1.0 WORKTREE      What changed since the v1.0 release\n  policybook build --root handbook --out site\n\nExit codes: 0 success, 1 errors (or warnings with --strict), 2 usage errors."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the handbook site, matrix.json and matrix.csv
    #[command(
        after_help = "Examples:\n  policybook build\n  policybook build --root path/to/handbook --out /tmp/site\n\nThe site is written to a temporary folder and swapped in only when the whole build succeeds."
    )]
    Build {
        #[command(flatten)]
        root: RootArg,
        /// Output folder [default: ROOT/public]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print how long each stage took
        #[arg(long)]
        timings: bool,
    },
    /// Validate everything `build` validates, write nothing
    #[command(
        after_help = "Examples:\n  policybook check\n  policybook check --strict        # in CI: warnings (gaps, missing review cadence) fail too\n  policybook check --format github # annotations on the pull request's files\n  policybook check --format json   # for other tools\n\nExit codes: 0 clean, 1 errors (or warnings with --strict), 2 usage errors."
    )]
    Check {
        #[command(flatten)]
        root: RootArg,
        /// Treat warnings as errors
        #[arg(long)]
        strict: bool,
        /// How to report problems
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::check::Format,
    },
    /// Write an audit period's evidence: changes, reviews, matrix at the period's end, manifest
    #[command(
        after_help = "Examples:\n  policybook evidence --since 2025-01-01 --until 2025-12-31\n  policybook diff v1.0 WORKTREE      What changed since the v1.0 release\n  policybook evidence --since 2025-07-01 --until 2025-12-31 --out audit/2025-h2\n\nWrites changes.csv, reviews.csv, matrix.csv, matrix.json and manifest.json (SHA-256 of each file).\nThe matrix is built from the documents of the last commit on or before --until, read from git."
    )]
    Evidence {
        /// The handbook folder, holding site.toml and policies/
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// First day of the audit period (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: jiff::civil::Date,
        /// Last day of the audit period (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        until: jiff::civil::Date,
        /// Output folder [default: ROOT/evidence]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Show what changed between two versions of the handbook
    #[command(
        after_help = "FROM and TO are tags (v1.0), commits, branches, or WORKTREE for the files on disk.\n\nExamples:\n  policybook diff v1.0 v1.1\n  policybook diff v1.1 WORKTREE --format json"
    )]
    Diff {
        /// The older version
        from: String,
        /// The newer version
        to: String,
        /// The handbook folder, holding site.toml and policies/
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value = "text")]
        format: cmd::diff::Format,
    },
    /// Benchmark entry point: read the documents' git history and print what was found
    #[command(name = "_history", hide = true)]
    History {
        #[command(flatten)]
        root: RootArg,
    },
}

#[derive(Args)]
struct RootArg {
    /// The handbook folder, holding site.toml and policies/
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Compute review statuses as of this date (YYYY-MM-DD) [default: the HEAD commit's date]
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<jiff::civil::Date>,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not a date; write YYYY-MM-DD"))
}

fn main() -> ExitCode {
    // `policybook check --format json | head` must stop quietly when the reader goes away, as
    // other command-line tools do, rather than panic on the broken pipe.
    #[cfg(unix)]
    // SAFETY: called first thing, before any thread exists; restores the default disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Build { root, out, timings } => cmd::build::run(
            &Options {
                root: root.root,
                out,
                write: true,
                as_of: root.as_of,
            },
            timings,
        ),
        Command::Check {
            root,
            strict,
            format,
        } => cmd::check::run(
            &Options {
                root: root.root,
                out: None,
                write: false,
                as_of: root.as_of,
            },
            strict,
            format,
        ),
        Command::Evidence {
            root,
            since,
            until,
            out,
        } => cmd::evidence::run(&policybook::evidence::EvidenceOptions {
            root,
            out,
            since,
            until,
        }),
        Command::Diff {
            from,
            to,
            root,
            format,
        } => cmd::diff::run(&root, &from, &to, format),
        Command::History { root } => cmd::history::run(&root.root, root.as_of),
    };
    ExitCode::from(code)
}
