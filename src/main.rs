//! Command line: parse arguments, run the subcommand, exit with its code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use policybook::build::Options;
use policybook::commands as cmd;

// glibc's allocator spent a fifth of a large build's user time in malloc/free and in
// consolidating its heap (perf, 20,000 documents); mimalloc's per-thread pages do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        /// Neither read nor write the history cache (ROOT/.policybook-cache/)
        #[arg(long)]
        no_cache: bool,
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
        /// Also list documents whose review falls due within this many days of the as-of date
        /// (`30d`, `4w`, `30`), overdue ones included
        #[arg(long, value_name = "DAYS", value_parser = parse_days)]
        due_within: Option<i64>,
        /// Neither read nor write the history cache (ROOT/.policybook-cache/)
        #[arg(long)]
        no_cache: bool,
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
        /// Also write everything for the auditor in one zip: the evidence, audit.xlsx, the handbook as PDF, the manifest
        #[arg(long, value_name = "FILE.zip")]
        bundle: Option<PathBuf>,
        /// Leave the PDF out of the bundle (no browser needed)
        #[arg(long, requires = "bundle")]
        no_pdf: bool,
        /// No progress on stderr while making the bundle
        #[arg(long, short)]
        quiet: bool,
    },
    /// Convert what a team has today into a handbook
    #[command(subcommand)]
    Import(ImportFrom),
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
    /// Build, serve on 127.0.0.1 and rebuild on every change, reloading the open pages
    #[command(
        after_help = "Examples:\n  policybook serve\n  policybook serve --port 8080 --open\n  policybook serve --bind 0.0.0.0   # reachable from other machines: be careful\n\nThe site is served from memory: public/ is not touched. A change that does not build keeps\nthe last good version on screen, with the errors in an overlay until they are fixed."
    )]
    Serve {
        #[command(flatten)]
        root: RootArg,
        /// Port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Address to listen on; only this machine by default
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the browser
        #[arg(long)]
        open: bool,
    },
    /// Create a new handbook: site.toml, three example documents, .gitignore, CI examples
    #[command(
        after_help = "Examples:\n  policybook init handbook\n  policybook init              # in the current (empty) folder\n\nRefuses to write into a folder that is not empty."
    )]
    Init {
        /// Folder to create the handbook in
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The sample handbook (Example Corp) in a new git repository with a year (2025) of
        /// history: approvals, pull requests, signed commits, a role change, acknowledgements
        #[arg(long)]
        demo: bool,
    },
    /// Create a document with its front matter filled in; prints its path
    #[command(
        after_help = "Examples:\n  policybook new policy \"Incident Response Policy\" --controls CC7.3,CC7.4\n  policybook new procedure \"Incident Handling Runbook\" --implements incident-response-policy\n\nKinds: policy, procedure, standard, plan. Owner and review cadence come from [defaults] in site.toml."
    )]
    New {
        /// policy, procedure, standard or plan
        kind: String,
        /// The document's title (its file name is made from it)
        title: String,
        /// Ids of documents this one implements (comma-separated)
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        implements: Vec<String>,
        /// Controls the document maps (comma-separated)
        #[arg(long, value_delimiter = ',', value_name = "IDS")]
        controls: Vec<String>,
        /// Owner, instead of [defaults] owner
        #[arg(long)]
        owner: Option<String>,
        /// The handbook folder, holding site.toml and policies/
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
    },
    /// Print a JSON Schema of the front matter, or with --controls of the control register
    #[command(
        after_help = "Examples:\n  policybook schema > .vscode/policybook.schema.json\n\nThe README shows how to use it for completion and validation in VS Code."
    )]
    Schema {
        /// The handbook folder: its site.toml decides which framework bare control ids belong to
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// The schema of the control register (controls.yaml) instead of the front matter
        #[arg(long)]
        controls: bool,
    },
    /// Write the handbook (and with --each, every document) as Word .docx files
    #[command(
        after_help = "handbook.docx has a cover, a table of contents (Word fills it in on opening: References → Update Table), and every document in handbook order with its document-control table, text and revisions. Headings use Word's heading styles, so the navigation pane works.\n\nExamples:\n  policybook docx\n  policybook docx --each --out audit/word"
    )]
    Docx {
        #[command(flatten)]
        root: RootArg,
        /// The folder to write to [default: DIR/docx]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Also one .docx per document, named after its id
        #[arg(long)]
        each: bool,
        /// No progress on stderr
        #[arg(long, short)]
        quiet: bool,
    },
    /// Write the handbook as an OSCAL 1.2.1 component definition
    #[command(
        after_help = "Writes component-definition.json (one component of type policy per published document, with the criteria it implements per framework and the SHA-256 of its published page) and, for frameworks that publish no OSCAL catalog (SOC 2, ISO 27001, YAML catalogs), catalogs/<key>.json in policybook's own words for the components to point at. The same commit gives the same bytes.\n\nExamples:\n  policybook oscal\n  policybook oscal --out audit/oscal"
    )]
    Oscal {
        #[command(flatten)]
        root: RootArg,
        /// The folder to write to (replaced) [default: DIR/oscal]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Print the handbook (or each document) to PDF through a headless Chromium or Chrome
    #[command(
        after_help = "Builds the site into a temporary folder and prints its printable packet (print/index.html: a cover, the contents, every document with its document-control table and revisions) with page numbers and each document's title in the footer.\n\nThe browser is POLICYBOOK_CHROMIUM, else the first of chromium, chromium-browser, google-chrome that runs (Debian: apt-get install chromium).\n\nExamples:\n  policybook pdf\n  policybook pdf --out audit/handbook.pdf\n  policybook pdf --each --out pdf/"
    )]
    Pdf {
        #[command(flatten)]
        root: RootArg,
        /// The PDF to write [default: DIR/handbook.pdf]; with --each, the folder [default: DIR/pdf]
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
        /// One PDF per document, named after its id
        #[arg(long)]
        each: bool,
        /// No progress on stderr
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check a published site or an evidence folder against its manifest.json (and signature)
    #[command(
        after_help = "Re-hashes every file manifest.json lists and reports each one changed, missing or added; exit 1 on any.\n\nA manifest signed with `ssh-keygen -Y sign -n policybook -f KEY DIR/manifest.json` (which writes manifest.json.sig) is checked against --key, or else the [signatures] allowed_signers of the handbook at --root.\n\nExamples:\n  policybook verify public\n  policybook verify evidence --key publisher.pub"
    )]
    Verify {
        /// The folder: a built site, or an evidence folder
        dir: PathBuf,
        /// An OpenSSH public key or an allowed-signers file to check manifest.json.sig against
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// The handbook whose [signatures] allowed_signers to use when --key is not given
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
    },
    /// Benchmark entry point: read an OSCAL catalog and print how many controls it has
    #[command(name = "_oscal-catalog", hide = true)]
    OscalCatalog {
        /// The catalog's JSON file
        file: PathBuf,
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

/// `30d`, `4w` or `30` → days.
fn parse_days(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (n, unit) = match t.strip_suffix('w') {
        Some(n) => (n, 7),
        None => (t.strip_suffix('d').unwrap_or(t), 1),
    };
    n.parse::<i64>()
        .ok()
        .filter(|n| (0..=36_500).contains(n))
        .map(|n| n * unit)
        .ok_or_else(|| format!("`{s}` is not a number of days; write e.g. 30d or 4w"))
}

#[derive(Subcommand)]
enum ImportFrom {
    /// A strongdm/comply project (policies/, procedures/, narratives/, standards/TSC-2017.yml)
    #[command(
        after_help = "Without DEST the project is converted in place, in its git repository: files move with git (history follows them) and the change is staged for one commit.\n\nExamples:\n  policybook import comply . \n  policybook import comply ~/src/compliance handbook --organization \"Example Corp\""
    )]
    Comply {
        /// The comply project's folder
        src: PathBuf,
        /// A new folder for the handbook [default: convert SRC in place]
        dest: Option<PathBuf>,
        /// The organisation's name, when the project has no comply.yml
        #[arg(long, value_name = "NAME")]
        organization: Option<String>,
        /// Also write controls.yaml: a control for each procedure comply runs on a schedule (`cron`), at that frequency
        #[arg(long)]
        register: bool,
    },
    /// An mdBook or GitBook book, a Hugo or Docusaurus site, or a folder of .md files
    #[command(
        after_help = "The pages keep their folders below policies/ and their order (SUMMARY.md, weight or sidebar_position, number prefixes) as `weight`; each gets front matter with `owner: TODO` for `policybook check` to report. Links between pages become .md paths and the images they show move with them. What could not be converted is listed at the end.\n\nWithout DEST the site is converted in place, in its git repository: files move with git (history follows them) and the change is staged for one commit.\n\nExamples:\n  policybook import markdown .                      # an mdBook (book.toml) or a Hugo site, in place\n  policybook import markdown . --content docs       # the .md files under docs/\n  policybook import markdown ~/src/handbook new-handbook --organization \"Example Corp\""
    )]
    Markdown {
        /// The site's folder (holding book.toml, SUMMARY.md, a Hugo or Docusaurus config, or the .md files)
        src: PathBuf,
        /// A new folder for the handbook [default: convert SRC in place]
        dest: Option<PathBuf>,
        /// The folder of the pages, relative to SRC [default: from the site's layout, else SRC]
        #[arg(long, value_name = "DIR")]
        content: Option<PathBuf>,
        /// The organisation's name, for site.toml
        #[arg(long, value_name = "NAME")]
        organization: Option<String>,
    },
}

/// mimalloc's `mi_option_purge_delay` (its place in mimalloc 3's option enum, which the Rust
/// binding does not name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory for reuse, in both allocators.
///
/// mimalloc (the Rust side) hands freed memory back to the system a second later by default,
/// and a build that frees and allocates megabyte-sized folders all the time then pays for fresh
/// zeroed pages again and again: kept until the process exits, a 20,000-document build took a
/// fifth of the page faults and two seconds less system time (10.4 s user either way).
///
/// libgit2 allocates with mimalloc too (`libgit2_allocates_with_mimalloc`); glibc's allocator still
/// serves the C code under it (zlib's inflate state for each object libgit2 reads), and it gives
/// memory back as soon as the top of a heap is free. Keeping 64 MB spare at the top of each heap,
/// and serving blocks up to 32 MB from the heap rather than from their own mappings (setting that
/// limit turns off glibc's own adjustment of it), saved about 4% of a cold build's CPU time for
/// 2,000 documents when glibc served every allocation (eight alternating pairs with GLIBC_TUNABLES:
/// 1.78 s against 1.86 s) for about 20 MB more at the peak.
fn tune_allocator() {
    // SAFETY: sets one of mimalloc's options, before any thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
    }
    libgit2_allocates_with_mimalloc();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets two of the allocator's parameters, before any thread exists.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
    }
}

/// libgit2's allocation hooks (`git_allocator`, git2/sys/alloc.h in libgit2 1.9), which the
/// Rust binding does not declare.
#[repr(C)]
struct GitAllocator {
    gmalloc: unsafe extern "C" fn(
        usize,
        *const std::ffi::c_char,
        std::ffi::c_int,
    ) -> *mut std::ffi::c_void,
    grealloc: unsafe extern "C" fn(
        *mut std::ffi::c_void,
        usize,
        *const std::ffi::c_char,
        std::ffi::c_int,
    ) -> *mut std::ffi::c_void,
    gfree: unsafe extern "C" fn(*mut std::ffi::c_void),
}

unsafe extern "C" fn git_malloc(
    size: usize,
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
) -> *mut std::ffi::c_void {
    // SAFETY: mi_malloc takes any size and returns null when it cannot allocate, as malloc does.
    unsafe { libmimalloc_sys::mi_malloc(size) }
}

unsafe extern "C" fn git_realloc(
    ptr: *mut std::ffi::c_void,
    size: usize,
    _file: *const std::ffi::c_char,
    _line: std::ffi::c_int,
) -> *mut std::ffi::c_void {
    // SAFETY: `ptr` is null or came from git_malloc/git_realloc, as libgit2 promises its allocator.
    unsafe { libmimalloc_sys::mi_realloc(ptr, size) }
}

unsafe extern "C" fn git_free(ptr: *mut std::ffi::c_void) {
    // SAFETY: as in git_realloc; mi_free ignores null.
    unsafe { libmimalloc_sys::mi_free(ptr) }
}

static GIT_ALLOCATOR: GitAllocator = GitAllocator {
    gmalloc: git_malloc,
    grealloc: git_realloc,
    gfree: git_free,
};

/// libgit2 allocates with mimalloc too. Its commits, trees and diffs were glibc's busiest heap:
/// at 20,000 documents glibc's malloc and free (mostly `malloc_consolidate` and `_int_malloc`
/// under the commit walk) took 20 times the samples they took at 2,000, where everything else
/// grows tenfold.
fn libgit2_allocates_with_mimalloc() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: called first thing in `main`, before any other call into libgit2 (so before
    // `git_libgit2_init`, which keeps an allocator set before it, and before anything is
    // allocated that the old allocator would have to free). libgit2 copies the struct.
    ONCE.call_once(|| unsafe {
        let status = libgit2_sys::git_libgit2_opts(
            libgit2_sys::GIT_OPT_SET_ALLOCATOR as std::ffi::c_int,
            &raw const GIT_ALLOCATOR,
        );
        debug_assert_eq!(status, 0);
    });
}

fn main() -> ExitCode {
    // `policybook check --format json | head` must stop quietly when the reader goes away, as
    // other command-line tools do, rather than panic on the broken pipe.
    #[cfg(unix)]
    // SAFETY: called first thing, before any thread exists; restores the default disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tune_allocator();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Build {
            root,
            out,
            timings,
            no_cache,
        } => cmd::build::run(
            &Options {
                root: root.root,
                out,
                write: true,
                as_of: root.as_of,
                cache: !no_cache,
            },
            timings,
        ),
        Command::Check {
            root,
            strict,
            format,
            due_within,
            no_cache,
        } => cmd::check::run(
            &Options {
                root: root.root,
                out: None,
                write: false,
                as_of: root.as_of,
                cache: !no_cache,
            },
            strict,
            format,
            due_within,
        ),
        Command::Evidence {
            root,
            since,
            until,
            out,
            bundle,
            no_pdf,
            quiet,
        } => cmd::evidence::run(
            &policybook::evidence::EvidenceOptions {
                root,
                out,
                since,
                until,
                command: policybook::manifest::command_line(),
            },
            bundle.as_deref(),
            no_pdf,
            quiet,
        ),
        Command::Diff {
            from,
            to,
            root,
            format,
        } => cmd::diff::run(&root, &from, &to, format),
        Command::Schema { root, controls } => cmd::schema::run(&root, controls),
        Command::Serve {
            root,
            port,
            bind,
            open,
        } => cmd::serve::run(&policybook::serve::ServeOptions {
            root: root.root,
            bind,
            port,
            open,
            as_of: root.as_of,
        }),
        Command::Init { dir, demo: false } => cmd::init::run(&dir),
        Command::Init { dir, demo: true } => cmd::init::demo(&dir),
        Command::Import(ImportFrom::Comply {
            src,
            dest,
            organization,
            register,
        }) => cmd::import::comply(&src, dest.as_deref(), organization.as_deref(), register),
        Command::Import(ImportFrom::Markdown {
            src,
            dest,
            content,
            organization,
        }) => cmd::import::markdown(
            &src,
            dest.as_deref(),
            &policybook::import::markdown::Options {
                content: content.as_deref(),
                organization: organization.as_deref(),
            },
        ),
        Command::New {
            kind,
            title,
            implements,
            controls,
            owner,
            root,
        } => cmd::new::run(
            &root,
            &policybook::scaffold::NewDocument {
                kind: &kind,
                title: &title,
                implements,
                controls,
                owner,
            },
        ),
        Command::Docx {
            root,
            out,
            each,
            quiet,
        } => cmd::docx::run(&policybook::docx::DocxOptions {
            root: root.root,
            out,
            each,
            as_of: root.as_of,
            quiet,
        }),
        Command::Oscal { root, out } => cmd::oscal::run(&policybook::oscal_export::OscalOptions {
            root: root.root,
            out,
            as_of: root.as_of,
        }),
        Command::Pdf {
            root,
            out,
            each,
            quiet,
        } => cmd::pdf::run(&policybook::pdf::PdfOptions {
            root: root.root,
            out,
            each,
            as_of: root.as_of,
            quiet,
        }),
        Command::Verify { dir, key, root } => cmd::verify::run(&dir, key.as_deref(), &root),
        Command::OscalCatalog { file } => cmd::history::oscal_catalog(&file),
        Command::History { root } => cmd::history::run(&root.root, root.as_of),
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purge_delay_option_is_the_one_tuned() {
        // 1000 ms is the default of `purge_delay` and of no other option of mimalloc 3.
        // SAFETY: reads and sets an option of the allocator.
        let (before, after) = unsafe {
            let before = libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY);
            super::tune_allocator();
            (
                before,
                libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY),
            )
        };
        assert_eq!((before, after), (1000, -1));
    }

    /// Bytes glibc's allocator has handed out and not had back.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_in_use() -> usize {
        // SAFETY: only reads the allocator's statistics.
        let info = unsafe { libc::mallinfo2() };
        info.uordblks + info.hblkhd
    }

    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn libgit2_allocates_from_mimalloc() -> Result<(), Box<dyn std::error::Error>> {
        // No other test of this binary calls libgit2, so nothing was allocated before this.
        super::libgit2_allocates_with_mimalloc();
        let dir = tempfile::tempdir()?;
        let repo = git2::Repository::init(dir.path())?;
        let id = repo.blob(&vec![b'x'; 16 << 20])?;
        let before = glibc_in_use();
        // libgit2 inflates the 16 MB blob into a buffer of its own, held while `blob` lives.
        let blob = repo.find_blob(id)?;
        let grown = glibc_in_use().saturating_sub(before);
        assert_eq!(blob.content().len(), 16 << 20);
        assert!(
            grown < 4 << 20,
            "glibc handed out {grown} bytes for libgit2's blob"
        );
        Ok(())
    }
}
