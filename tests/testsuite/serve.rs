//! `policybook serve` as a user runs it: start it on a free port, fetch pages, edit, break and fix
//! a document while listening to the live-reload events.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path) -> Server {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("policybook"))
        .current_dir(dir)
        .args(["serve", "--port", "0"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().expect("a line").expect("utf-8");
    // "Serving . on http://127.0.0.1:PORT/ (Ctrl-C to stop)"
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    Server { child, port }
}

/// A raw HTTP/1.0 request; returns (status, body).
fn get(port: u16, path: &str) -> (u16, String) {
    try_get(port, path).unwrap()
}

/// [`get`], or why the connection failed (a server at its connection limit may reset it).
fn try_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = Vec::new();
    s.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// GETs `path` every 100 ms until `done(status, body)` holds, for at most `secs` seconds;
/// the last answer. Panics with `what` when it never does. A connection the server resets (it
/// was at its connection limit) counts as status 0 and is tried again.
fn get_until(
    port: u16,
    path: &str,
    secs: u64,
    what: &str,
    done: impl Fn(u16, &str) -> bool,
) -> (u16, String) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (status, body) = try_get(port, path).unwrap_or_else(|e| (0, e.to_string()));
        if done(status, &body) {
            return (status, body);
        }
        assert!(Instant::now() < deadline, "{what}: {status} {body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The live-reload event stream, read line by line.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(s, "GET /__policybook/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        Events {
            reader: BufReader::new(s),
        }
    }

    /// The next event's (name, data).
    fn next(&mut self) -> (String, String) {
        let (mut name, mut data) = (String::new(), String::new());
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("event stream");
            assert!(n > 0, "event stream closed");
            let line = line.trim_end();
            if let Some(v) = line.strip_prefix("event: ") {
                name = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            } else if line.is_empty() && !name.is_empty() {
                return (name, data);
            }
        }
    }

    fn wait_for(&mut self, wanted: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let (name, data) = self.next();
            if name == wanted {
                return data;
            }
        }
        panic!("no {wanted} event");
    }
}

#[test]
fn serve_rebuilds_reloads_shows_errors_and_refuses_traversal() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let server = start(dir.path());
    let port = server.port;

    let (status, page) = get(port, "/documents/access-control.html");
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Access Control Policy</h1>"));
    assert!(
        page.contains("<script src=\"/__policybook/live.js\"></script>\n</body>"),
        "live reload injected"
    );
    assert_eq!(get(port, "/").0, 200);
    let (status, script) = get(port, "/__policybook/live.js");
    assert_eq!(status, 200);
    assert!(script.contains("EventSource"));
    assert!(
        !dir.path().join("public").exists(),
        "serve does not write the output folder"
    );

    let mut events = Events::open(port);
    let hello = events.wait_for("hello");

    // An edit is rebuilt, served, and the pages are told to reload.
    let doc = dir.path().join("policies/access-control.md");
    let original = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        original.replace(
            "Managers confirm every account",
            "Team leads confirm every account",
        ),
    )
    .unwrap();
    let generation = events.wait_for("reload");
    assert_ne!(generation, hello);
    let (_, page) = get(port, "/documents/access-control.html");
    assert!(
        page.contains("Team leads confirm every account"),
        "the edit is served"
    );
    // Pages that depend on it are rendered again when requested.
    let (status, reviews) = get(port, "/reviews.html");
    assert_eq!(status, 200);
    assert!(
        reviews.contains("uncommitted changes, not reviewed"),
        "the edited document is uncommitted now"
    );
    let (status, index) = get(port, "/search-index.js");
    assert_eq!(status, 200);
    assert!(
        unpack_search_index(&index)
            .to_string()
            .contains("Team leads confirm every account")
    );

    // A broken document: an error event naming the file and line; the last good site stays.
    std::fs::write(
        &doc,
        original.replace("review: semiannual", "review: yearly"),
    )
    .unwrap();
    let error = events.wait_for("build-error");
    let error: String = serde_json::from_str(&error).unwrap();
    assert!(
        error.contains("policies/access-control.md:9: unknown review cadence `yearly`"),
        "{error}"
    );
    let (status, page) = get(port, "/documents/access-control.html");
    assert_eq!(status, 200);
    assert!(
        page.contains("Team leads confirm every account"),
        "still the last good version"
    );
    // A page opened now learns about the error at once.
    let mut late = Events::open(port);
    late.wait_for("hello");
    assert!(
        late.wait_for("build-error")
            .contains("unknown review cadence")
    );

    // Fixing it clears the error and reloads.
    std::fs::write(&doc, &original).unwrap();
    events.wait_for("reload");
    let (_, page) = get(port, "/documents/access-control.html");
    assert!(page.contains("Managers confirm every account"));

    // A new document appears; a deleted one goes.
    std::fs::write(
        dir.path().join("policies/new-one.md"),
        "---\ntitle: New One\nowner: X\nreview: annual\n---\nHello.\n",
    )
    .unwrap();
    events.wait_for("reload");
    assert_eq!(get(port, "/documents/new-one.html").0, 200);
    std::fs::remove_file(dir.path().join("policies/new-one.md")).unwrap();
    events.wait_for("reload");
    assert_eq!(get(port, "/documents/new-one.html").0, 404);

    // Nothing outside the site, however the path is spelt.
    for path in [
        "/../site.toml",
        "/documents/../../site.toml",
        "/%2e%2e/site.toml",
        "/..%2Fsite.toml",
        "/%2E%2E%5Csite.toml",
    ] {
        let (status, body) = get(port, path);
        assert_eq!(status, 403, "{path}: {body}");
    }
    assert_eq!(get(port, "/nope.html").0, 404);
}

/// An edit saved the moment the server is up, or while its first build runs, is rebuilt: the
/// sources are watched before the first build starts. (Watched only after "Serving", an edit
/// made at once was lost until the next one.)
#[test]
fn an_edit_saved_while_serve_starts_is_not_lost() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let server = start(dir.path());
    let doc = dir.path().join("policies/access-control.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&doc, format!("{text}\nSaved while serve was starting.\n")).unwrap();
    get_until(
        server.port,
        "/documents/access-control.html",
        30,
        "the edit was never rebuilt",
        |status, page| {
            assert_eq!(status, 200);
            page.contains("Saved while serve was starting.")
        },
    );
}

/// A theme folder created while serving is watched from then on: a stylesheet added to it later
/// is served without a restart. (Only the folders there at the start used to be watched.)
#[test]
fn a_theme_folder_created_while_serving_is_watched() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    assert!(!dir.path().join("theme").exists());
    let server = start(dir.path());
    assert_eq!(get(server.port, "/static/extra.css").0, 404);
    std::fs::create_dir_all(dir.path().join("theme/static")).unwrap();
    // The folder's own rebuild first, then a file written into it.
    std::thread::sleep(Duration::from_millis(700));
    std::fs::write(
        dir.path().join("theme/static/extra.css"),
        "body { color: teal }\n",
    )
    .unwrap();
    let (_, css) = get_until(
        server.port,
        "/static/extra.css",
        30,
        "theme/static/extra.css was never served",
        |status, _| status == 200,
    );
    assert!(css.contains("color: teal"), "{css}");
}

#[test]
fn serve_shows_the_errors_when_the_first_build_fails_and_recovers() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let doc = dir.path().join("policies/access-control.md");
    let original = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        original.replace("## Purpose", "## Purpose\n\n[broken](missing.md)"),
    )
    .unwrap();
    let server = start(dir.path());
    let (status, page) = get(server.port, "/");
    assert_eq!(status, 503);
    assert!(
        page.contains("points to policies/missing.md, which is not a document"),
        "{page}"
    );
    assert!(page.contains("/__policybook/live.js"));
    let mut events = Events::open(server.port);
    events.wait_for("hello");
    std::fs::write(&doc, &original).unwrap();
    events.wait_for("reload");
    assert_eq!(get(server.port, "/").0, 200);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_serve_cleanly() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let mut server = start(dir.path());
    assert_eq!(get(server.port, "/").0, 200);
    // SAFETY: sending SIGINT to our own child process.
    let sent = unsafe { libc::kill(server.child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    assert!(!dir.path().join("public").exists());
}

/// Sends `request` as is and returns the whole response (the server closes the connection).
fn raw(port: u16, request: &[u8]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let _ = s.write_all(request);
    // Until the server closes, or 20 s: an event stream never closes, and must not hang the test.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut response = Vec::new();
    let mut chunk = [0u8; 8192];
    while Instant::now() < deadline {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn serve_answers_only_bounded_local_get_and_head_requests() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let server = start(dir.path());
    let port = server.port;

    // Oversized headers: 431, not unbounded memory.
    let mut big = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70 * 1024));
    big.extend_from_slice(b"\r\n\r\n");
    assert!(raw(port, &big).starts_with("HTTP/1.1 431 "));
    // Other methods: 405 with Allow.
    let r = raw(
        port,
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
    );
    assert!(
        r.starts_with("HTTP/1.1 405 ") && r.contains("Allow: GET, HEAD"),
        "{r}"
    );
    // DNS rebinding: a page on another site that resolves its name to 127.0.0.1.
    let r = raw(
        port,
        b"GET / HTTP/1.1\r\nHost: rebind.evil.example:3000\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 403 "), "{r}");
    let r = raw(
        port,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 200 "), "{r}");
    // HEAD: the headers only.
    let r = raw(port, b"HEAD /index.html HTTP/1.0\r\n\r\n");
    assert!(
        r.starts_with("HTTP/1.1 200 ") && r.ends_with("\r\n\r\n"),
        "{r}"
    );
    // Keep-alive: two requests on one connection.
    let r = raw(
        port,
        b"GET /static/style.css HTTP/1.1\r\nHost: localhost\r\n\r\nGET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(r.matches("HTTP/1.1 200 OK").count(), 2, "{r}");

    // Event streams are capped (one per open tab is plenty); so are connections.
    let mut streams: Vec<Events> = (0..32).map(|_| Events::open(port)).collect();
    for s in &mut streams {
        s.wait_for("hello");
    }
    let r = raw(
        port,
        b"GET /__policybook/events HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 503 "), "{r}");
    drop(streams);
    let idle: Vec<TcpStream> = (0..140)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let r = raw(port, b"GET / HTTP/1.0\r\n\r\n");
    assert!(r.starts_with("HTTP/1.1 503 "), "{r}");
    drop(idle);
    // Once they are gone, the server answers again.
    get_until(port, "/", 15, "serve did not recover", |status, _| {
        status == 200
    });
}

#[test]
fn serve_times_out_a_request_that_never_finishes() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let server = start(dir.path());
    // A head that never ends (a slow-loris client) is answered 408 and closed, not kept for ever.
    let started = Instant::now();
    let r = raw(server.port, b"GET / HTTP/1.1\r\nHost: localhost\r\n");
    assert!(r.starts_with("HTTP/1.1 408 "), "{r}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn serve_shows_an_edited_exception_on_its_page_the_register_and_the_policy() {
    let dir = committed_fixture("exceptions", "2025-12-01T09:00:00Z");
    let site = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&site).unwrap();
    std::fs::write(&site, format!("{text}\n[publish]\nexceptions = true\n")).unwrap();
    let server = start(dir.path());
    let port = server.port;
    let (status, register) = get(port, "/exceptions.html");
    assert_eq!(status, 200);
    assert!(register.contains("expiring soon"), "{register}");
    let mut events = Events::open(port);
    events.wait_for("hello");

    // Renewed: no longer expiring soon, everywhere it shows.
    let ex = dir.path().join("policies/exceptions/legacy-vpn.md");
    let original = std::fs::read_to_string(&ex).unwrap();
    std::fs::write(
        &ex,
        original.replace("expires: 2025-12-20", "expires: 2026-06-30"),
    )
    .unwrap();
    events.wait_for("reload");
    let (_, page) = get(port, "/exceptions/legacy-vpn.html");
    assert!(
        page.contains("<time datetime=\"2026-06-30\">2026-06-30</time>"),
        "{page}"
    );
    let (_, register) = get(port, "/exceptions.html");
    assert!(!register.contains("expiring soon"), "{register}");
    assert!(
        register.contains("exceptions/shared-admin.html"),
        "the exceptions not edited are still there: {register}"
    );
    let (_, policy) = get(port, "/documents/access-control.html");
    assert!(policy.contains("(active, expires 2026-06-30)"), "{policy}");
    let (_, csv) = get(port, "/exceptions.csv");
    assert!(csv.contains(",2026-06-30,open,active,"), "{csv}");
}
