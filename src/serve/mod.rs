//! `policybook serve`: build, serve the site from memory over HTTP on 127.0.0.1 (see `http` for
//! the limits every request is held to), watch the
//! sources, rebuild on change (incrementally when only documents changed, see `session`) and
//! reload the open pages through server-sent events. A failed rebuild keeps serving the last
//! good site; its errors show in an overlay on every open page until the file is fixed.

mod http;
pub mod session;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use session::{Files, Session};

/// What `policybook serve` is asked for.
pub struct ServeOptions {
    /// The handbook folder.
    pub root: PathBuf,
    /// The address to listen on.
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the browser.
    pub open: bool,
    /// `--as-of`.
    pub as_of: Option<jiff::civil::Date>,
}

/// What the HTTP side serves: the last good site and, when the last build failed, its errors.
#[derive(Default)]
pub struct Served {
    /// The last good site.
    pub files: Files,
    /// Plain-text diagnostics of the last failed build.
    pub error: Option<String>,
    /// Pages the last rebuild made out of date, rendered on their next request.
    pub stale: std::collections::HashSet<String>,
    /// Bumped on every successful build.
    pub generation: u64,
}

/// A message to the open pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A build succeeded: this is its generation.
    Reload(u64),
    /// A build failed: these are its errors.
    Error(String),
}

/// The open pages' event streams.
#[derive(Default)]
pub struct Clients {
    senders: Mutex<Vec<std::sync::mpsc::Sender<Event>>>,
}

impl Clients {
    /// A new page's event stream.
    pub fn subscribe(&self) -> std::sync::mpsc::Receiver<Event> {
        let (tx, rx) = std::sync::mpsc::channel();
        if let Ok(mut s) = self.senders.lock() {
            s.push(tx);
        }
        rx
    }

    /// Sends to every page still listening, forgetting the others.
    pub fn broadcast(&self, event: &Event) {
        if let Ok(mut s) = self.senders.lock() {
            s.retain(|tx| tx.send(event.clone()).is_ok());
        }
    }
}

/// Serves until Ctrl-C. `Err` when the server cannot start (the reason is in `diags`).
pub fn serve(opts: &ServeOptions, diags: &mut Diagnostics) -> Outcome<()> {
    let served = Arc::new(RwLock::new(Served::default()));
    let clients = Arc::new(Clients::default());
    let session = Arc::new(Mutex::new(Session::new(&opts.root, opts.as_of)));

    // Watching starts before the first build: an edit saved while it runs (seconds, for a
    // large handbook) or before the server is up would otherwise never be rebuilt. Its rebuild
    // waits for the first build, which holds the session.
    let watcher = {
        let (served, clients, session) = (served.clone(), clients.clone(), session.clone());
        watch::watch(&opts.root, move |changed| {
            apply(&session, &changed, &served, &clients)
        })
    };
    let _watcher = match watcher {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("warning: cannot watch the sources ({e}); changes will not be rebuilt");
            None
        }
    };
    eprintln!("Building {}…", opts.root.display());
    apply(&session, &[], &served, &clients);

    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = match std::net::TcpListener::bind(addr) {
        Ok(s) => s,
        Err(e) => {
            return diags.fail(
                Diagnostic::error(format!("cannot listen on {addr}: {e}")).hint(format!(
                    "another program may use port {}; pass --port with another number",
                    opts.port
                )),
            );
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(opts.port);
    let url = format!(
        "http://{}:{port}/",
        if opts.bind.is_unspecified() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            opts.bind
        }
    );
    if !opts.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} — every machine that can reach it can read the handbook, under any host name",
            opts.bind
        );
    }
    println!("Serving {} on {url} (Ctrl-C to stop)", opts.root.display());

    let _ = ctrlc::set_handler(move || {
        eprintln!("\nStopped.");
        std::process::exit(0);
    });

    if opts.open {
        open_browser(&url);
    }
    let shared = Arc::new(http::Shared::new(
        served,
        clients,
        session,
        http::Hosts::for_bind(opts.bind),
    ));
    http::run(&listener, &shared);
    Ok(())
}

/// One build; its result becomes what is served, and the pages are told.
fn apply(
    session: &Mutex<Session>,
    changed: &[PathBuf],
    served: &RwLock<Served>,
    clients: &Clients,
) {
    let Ok(mut session) = session.lock() else {
        return;
    };
    let mut diags = crate::diagnostics::Diagnostics::new();
    match session.rebuild(changed, &mut diags) {
        Ok(built) => {
            // A full build prints its warnings as `build` does (each kind once, with a count);
            // after an edit, the warnings about the edited files, in full: what the author can
            // act on now (`policybook check` lists every warning).
            if built.incremental {
                built.warnings.print();
            } else {
                diags.print_grouped();
            }
            let line = built_line(&built);
            let generation = {
                let Ok(mut s) = served.write() else { return };
                s.files = built.files;
                s.stale = built.stale;
                s.error = None;
                s.generation += 1;
                s.generation
            };
            eprintln!("{line}");
            clients.broadcast(&Event::Reload(generation));
        }
        Err(_) => {
            diags.print();
            let text = diags
                .sorted()
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n\n");
            eprintln!("Build failed; still serving the last good version.");
            if let Ok(mut s) = served.write() {
                s.error = Some(text.clone());
            }
            clients.broadcast(&Event::Error(text));
        }
    }
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(program)
        .arg(url)
        .spawn()
        .is_err()
    {
        eprintln!("Open {url} in your browser.");
    }
}

/// What `serve` prints after a build: `Rebuilt in 12 ms (1 file rendered, 40 more when
/// requested)`. Pages that depend on an edit but are not open are rendered when requested: they
/// are counted apart, or an edit every listing shows would read as one file rendered.
fn built_line(built: &session::Built) -> String {
    let later = match built.stale.len() {
        0 => String::new(),
        n => format!(", {n} more when requested"),
    };
    format!(
        "{} in {} ms ({} file{} rendered{later})",
        if built.incremental {
            "Rebuilt"
        } else {
            "Built"
        },
        built.elapsed.as_millis(),
        built.rendered,
        if built.rendered == 1 { "" } else { "s" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(rendered: usize, stale: &[&str], incremental: bool) -> session::Built {
        session::Built {
            files: Files::new(),
            stale: stale.iter().map(|s| s.to_string()).collect(),
            rendered,
            warnings: Diagnostics::new(),
            elapsed: std::time::Duration::from_millis(12),
            incremental,
            text_only: false,
        }
    }

    #[test]
    fn the_build_line_counts_the_pages_left_for_later() {
        assert_eq!(
            built_line(&built(1, &["index.html", "matrix.html"], true)),
            "Rebuilt in 12 ms (1 file rendered, 2 more when requested)"
        );
        assert_eq!(
            built_line(&built(2087, &[], false)),
            "Built in 12 ms (2087 files rendered)"
        );
    }
}
