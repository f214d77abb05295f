//! The HTTP side of `serve`: files from memory (linked files streamed from disk), the
//! live-reload script and event stream, and refusal of anything a preview server on a
//! developer's machine should not do.
//!
//! Only what a browser previewing the handbook needs is implemented: HTTP/1.0 and 1.1, `GET` and
//! `HEAD`, keep-alive, server-sent events. Every request is bounded: its head must arrive within
//! `HEAD_TIMEOUT` and fit in `MAX_HEAD` bytes (431 otherwise), connections and event streams are
//! capped (503 beyond), other methods get 405, and the `Host` header must name this machine
//! (a loopback name or the bound address) unless `--bind` exposes the server on purpose: a web
//! page cannot use DNS rebinding to read the handbook through the reader's browser.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::session::FileBody;
use super::{Clients, Event, Served, Session};

const EVENTS: &str = "/__policybook/events";
const SCRIPT: &str = "/__policybook/live.js";

/// Largest request head (request line and headers) accepted.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Connections open at once, event streams included.
pub(crate) const MAX_CONNECTIONS: usize = 128;
/// Live-reload event streams open at once (one per open tab).
pub(crate) const MAX_EVENT_STREAMS: usize = 32;
/// Time allowed for a request's head to arrive, and for an idle keep-alive connection to send
/// its next request.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for a client to take a response.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The script every served page loads: it reloads the page after a rebuild and shows the errors
/// of a failed one in an overlay, until a rebuild succeeds.
const LIVE_JS: &str = r#"(function () {
  "use strict";
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "pb-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:99999;overflow:auto;padding:2rem;" +
        "background:rgba(20,0,0,.92);color:#fff;font:14px/1.5 ui-monospace,monospace";
      var title = document.createElement("h2");
      title.textContent = "The last change did not build — still showing the previous version";
      title.style.cssText = "font:bold 18px system-ui,sans-serif;margin:0 0 1rem;color:#ffb4a8";
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      overlay.appendChild(title);
      overlay.appendChild(pre);
      document.body.appendChild(overlay);
    }
    overlay.lastChild.textContent = text;
  }
  var source = new EventSource("/__policybook/events");
  var seen = null;
  source.addEventListener("hello", function (e) { seen = e.data; });
  source.addEventListener("reload", function (e) {
    if (seen !== null && e.data !== seen) location.reload();
    seen = e.data;
  });
  source.addEventListener("build-error", function (e) { show(JSON.parse(e.data)); });
})();
"#;

/// Which `Host` headers are accepted.
#[derive(Debug, Clone)]
pub(crate) enum Hosts {
    /// Loopback names and these addresses (the bound one).
    Local(Vec<String>),
    /// Any: the server was bound to a non-loopback address on purpose.
    Any,
}

impl Hosts {
    pub(crate) fn for_bind(bind: IpAddr) -> Hosts {
        if !bind.is_loopback() {
            return Hosts::Any;
        }
        let shown = match bind {
            IpAddr::V6(v6) => format!("[{v6}]"),
            IpAddr::V4(v4) => v4.to_string(),
        };
        Hosts::Local(vec![
            "localhost".into(),
            "127.0.0.1".into(),
            "[::1]".into(),
            shown,
        ])
    }

    fn allows(&self, host: &str) -> bool {
        let Hosts::Local(names) = self else {
            return true;
        };
        let host = host.trim().to_ascii_lowercase();
        // Strip the port: `localhost:3000`, `[::1]:3000`.
        let name = match host.rfind(':') {
            Some(i) if !host[i..].contains(']') => &host[..i],
            _ => host.as_str(),
        };
        names.iter().any(|n| n == name) || name.ends_with(".localhost")
    }
}

/// What every connection's thread shares.
pub(crate) struct Shared {
    pub served: Arc<RwLock<Served>>,
    pub clients: Arc<Clients>,
    pub session: Arc<Mutex<Session>>,
    pub hosts: Hosts,
    connections: AtomicUsize,
    streams: AtomicUsize,
}

impl Shared {
    pub(crate) fn new(
        served: Arc<RwLock<Served>>,
        clients: Arc<Clients>,
        session: Arc<Mutex<Session>>,
        hosts: Hosts,
    ) -> Shared {
        Shared {
            served,
            clients,
            session,
            hosts,
            connections: AtomicUsize::new(0),
            streams: AtomicUsize::new(0),
        }
    }
}

/// Holds one unit of a counter while alive.
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    fn take(counter: &'a AtomicUsize, max: usize) -> Option<Slot<'a>> {
        let previous = counter.fetch_add(1, Ordering::SeqCst);
        if previous >= max {
            counter.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(counter))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Accepts connections until the process ends (Ctrl-C exits it).
pub(crate) fn run(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
        // Counted here, before a thread exists for it: a flood of connections costs a refusal
        // each, not a thread each.
        if shared.connections.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = stream.write_all(&simple(503, "too many connections", false, &[]));
            continue;
        }
        let shared = shared.clone();
        std::thread::spawn(move || {
            let Some(_slot) = Slot::take(&shared.connections, MAX_CONNECTIONS) else {
                let _ = stream.write_all(&simple(503, "too many connections", false, &[]));
                return;
            };
            connection(stream, &shared);
        });
    }
}

/// A parsed request head.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Head {
    pub method: String,
    pub target: String,
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    pub headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn keep_alive(&self) -> bool {
        let connection = self.header("connection").unwrap_or("").to_ascii_lowercase();
        if self.minor == 0 {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        }
    }

    /// A body we do not read leaves the connection unusable for another request.
    fn has_body(&self) -> bool {
        self.header("transfer-encoding").is_some()
            || self
                .header("content-length")
                .is_some_and(|v| v.trim() != "0")
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeadError {
    /// Nothing arrived: the client went away or stayed idle.
    Closed,
    /// Part of a head arrived, not all of it, in time.
    Timeout,
    TooLarge,
    Malformed,
}

fn connection(mut stream: TcpStream, shared: &Shared) {
    let mut buffer: Vec<u8> = Vec::new();
    loop {
        let head = match read_head(&mut stream, &mut buffer, MAX_HEAD, HEAD_TIMEOUT) {
            Ok(h) => h,
            Err(HeadError::Closed) => return,
            Err(HeadError::Timeout) => {
                let _ = stream.write_all(&simple(408, "the request took too long", false, &[]));
                return;
            }
            Err(HeadError::TooLarge) => {
                let _ = stream.write_all(&simple(431, "request headers too large", false, &[]));
                return;
            }
            Err(HeadError::Malformed) => {
                let _ = stream.write_all(&simple(400, "malformed request", false, &[]));
                return;
            }
        };
        let keep_alive = head.keep_alive() && !head.has_body();
        if let Err(response) = admissible(&head, &shared.hosts) {
            let _ = stream.write_all(&response);
            return;
        }
        let path = head
            .target
            .split(['?', '#'])
            .next()
            .unwrap_or("/")
            .to_string();
        if path == EVENTS && head.method == "GET" {
            let Some(_slot) = Slot::take(&shared.streams, MAX_EVENT_STREAMS) else {
                let _ = stream.write_all(&simple(503, "too many open pages", false, &[]));
                return;
            };
            stream_events(stream, &shared.served, &shared.clients);
            return;
        }
        if let Some(p) = site_path(&path) {
            refresh_if_stale(&p, &shared.served, &shared.session);
        }
        let sent = respond(
            &mut stream,
            &path,
            &shared.served,
            head.method == "HEAD",
            keep_alive,
        );
        if sent.is_err() || !keep_alive {
            return;
        }
    }
}

/// Reads one request head from `stream` into a `Head`, keeping any bytes after it in `buffer`
/// (a pipelined next request). The whole head must arrive within `timeout`.
pub(crate) fn read_head(
    stream: &mut impl ReadTimeout,
    buffer: &mut Vec<u8>,
    max: usize,
    timeout: Duration,
) -> Result<Head, HeadError> {
    let deadline = Instant::now() + timeout;
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(buffer) {
            let head: Vec<u8> = buffer.drain(..end).collect();
            return parse_head(&head);
        }
        if buffer.len() > max {
            return Err(HeadError::TooLarge);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(if buffer.is_empty() {
                HeadError::Closed
            } else {
                HeadError::Timeout
            });
        }
        stream.set_timeout(left);
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Err(if buffer.is_empty() {
                    HeadError::Closed
                } else {
                    HeadError::Malformed
                });
            }
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(HeadError::Closed),
        }
    }
}

/// A stream whose reads can be given a time limit (a socket; a test double).
pub(crate) trait ReadTimeout: Read {
    fn set_timeout(&mut self, timeout: Duration);
}

impl ReadTimeout for TcpStream {
    fn set_timeout(&mut self, timeout: Duration) {
        let _ = self.set_read_timeout(Some(timeout.max(Duration::from_millis(1))));
    }
}

/// Offset just past the blank line that ends a head (`\r\n\r\n`, or bare `\n\n`).
fn head_end(buffer: &[u8]) -> Option<usize> {
    let crlf = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = buffer.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(crate) fn parse_head(bytes: &[u8]) -> Result<Head, HeadError> {
    let text = std::str::from_utf8(bytes).map_err(|_| HeadError::Malformed)?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request = lines.next().ok_or(HeadError::Malformed)?;
    let mut parts = request.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Malformed);
    };
    let minor = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        _ => return Err(HeadError::Malformed),
    };
    if method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !target.starts_with('/')
    {
        return Err(HeadError::Malformed);
    }
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(HeadError::Malformed)?;
        if name.is_empty()
            || name
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(HeadError::Malformed);
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Head {
        method: method.to_string(),
        target: target.to_string(),
        minor,
        headers,
    })
}

/// `Err(response)` for a request that is not served: another method than GET or HEAD, or a
/// `Host` that does not name this machine.
fn admissible(head: &Head, hosts: &Hosts) -> Result<(), Vec<u8>> {
    if head.method != "GET" && head.method != "HEAD" {
        return Err(simple(
            405,
            "only GET and HEAD are served",
            false,
            &[("Allow", "GET, HEAD")],
        ));
    }
    match head.header("host") {
        Some(host) if hosts.allows(host) => Ok(()),
        None if head.minor == 0 => Ok(()),
        Some(_) => Err(simple(
            403,
            "this server answers only to localhost (pass --bind to serve other names)",
            false,
            &[],
        )),
        None => Err(simple(400, "no Host header", false, &[])),
    }
}

/// A short plain-text response.
fn simple(status: u16, text: &str, keep_alive: bool, extra: &[(&str, &str)]) -> Vec<u8> {
    let body = format!("{status} {}: {text}\n", reason(status));
    let mut out = head_bytes(
        status,
        "text/plain; charset=utf-8",
        body.len() as u64,
        keep_alive,
        extra,
    );
    out.extend_from_slice(body.as_bytes());
    out
}

fn head_bytes(
    status: u16,
    mime: &str,
    length: u64,
    keep_alive: bool,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {mime}\r\nContent-Length: {length}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
        reason(status),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Renders a page the last rebuild left out of date, before it is served.
fn refresh_if_stale(path: &str, served: &RwLock<Served>, session: &Mutex<Session>) {
    let stale = served.read().is_ok_and(|s| s.stale.contains(path));
    if !stale {
        return;
    }
    let Ok(mut session) = session.lock() else {
        return;
    };
    let mut diags = crate::diagnostics::Diagnostics::new();
    let rendered = session.render_now(path, &mut diags);
    let Ok(mut s) = served.write() else { return };
    s.stale.remove(path);
    match rendered {
        Some(Ok(bytes)) => {
            s.files
                .insert(path.to_string(), FileBody::Bytes(Arc::new(bytes)));
        }
        Some(Err(_)) => {
            s.error = Some(
                diags
                    .sorted()
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
            );
        }
        None => {}
    }
}

/// Writes the response for `raw` (the URL path).
fn respond(
    out: &mut TcpStream,
    raw: &str,
    served: &RwLock<Served>,
    head_only: bool,
    keep_alive: bool,
) -> std::io::Result<()> {
    let send = |out: &mut TcpStream, status: u16, mime: &str, body: &[u8]| {
        out.write_all(&head_bytes(
            status,
            mime,
            body.len() as u64,
            keep_alive,
            &[],
        ))?;
        if !head_only {
            out.write_all(body)?;
        }
        Ok(())
    };
    if raw == SCRIPT {
        return send(
            out,
            200,
            "text/javascript; charset=utf-8",
            LIVE_JS.as_bytes(),
        );
    }
    let Some(path) = site_path(raw) else {
        return send(
            out,
            403,
            "text/plain; charset=utf-8",
            b"403 Forbidden: that path is outside the site\n",
        );
    };
    let found = {
        let Ok(state) = served.read() else {
            return send(out, 500, "text/plain; charset=utf-8", b"500\n");
        };
        let file = state.files.get(&path).or_else(|| {
            // `documents` → `documents/index.html`
            state.files.get(&format!("{path}/index.html"))
        });
        match file {
            Some(f) => Ok(f.clone()),
            None if state.files.is_empty() => Err(Some(state.error.clone())),
            None => Err(None),
        }
    };
    match found {
        Ok(FileBody::Bytes(bytes)) => {
            let mime = mime_type(&path);
            if mime.starts_with("text/html") {
                send(out, 200, mime, &inject_script(&bytes))
            } else {
                send(out, 200, mime, &bytes)
            }
        }
        Ok(FileBody::Copy(crate::pipeline::load::AssetSource::File(file))) => {
            // Streamed from disk: a large linked file is never held in memory.
            let mut f = match std::fs::File::open(&file) {
                Ok(f) => f,
                Err(_) => return send(out, 404, "text/plain; charset=utf-8", b"404 Not Found\n"),
            };
            let len = f.metadata()?.len();
            out.write_all(&head_bytes(200, mime_type(&path), len, keep_alive, &[]))?;
            if !head_only {
                std::io::copy(&mut (&mut f).take(len), out)?;
            }
            Ok(())
        }
        Ok(FileBody::Copy(blob)) => match blob.read() {
            Ok(bytes) => send(out, 200, mime_type(&path), &bytes),
            Err(_) => send(out, 404, "text/plain; charset=utf-8", b"404 Not Found\n"),
        },
        Err(Some(error)) => {
            // The first build failed: there is no site yet, only its errors.
            let text = error.unwrap_or_else(|| "The site is being built.".into());
            let html = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body><pre>{}</pre></body></html>",
                crate::markdown::escape(&text)
            );
            send(
                out,
                503,
                "text/html; charset=utf-8",
                &inject_script(html.as_bytes()),
            )
        }
        Err(None) => send(
            out,
            404,
            "text/plain; charset=utf-8",
            format!("404 Not Found: /{path}\n").as_bytes(),
        ),
    }
}

/// The URL path as a path inside the site, or `None` when it would leave it: `..` segments
/// (plain or percent-encoded), backslashes, NUL bytes or invalid encodings are refused.
pub(crate) fn site_path(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if decoded.ends_with('/') && !path.is_empty() {
        path.push('/');
    }
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    Some(path)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn inject_script(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT}\"></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(i) => format!("{}{tag}\n{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

fn mime_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A server-sent event stream: `hello` with the current generation (and `build-error` when the
/// last build failed), then `reload` after each build and `build-error` after each failed one.
fn stream_events(mut out: TcpStream, served: &RwLock<Served>, clients: &Clients) {
    let events = clients.subscribe();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    let (generation, error) = match served.read() {
        Ok(s) => (s.generation, s.error.clone()),
        Err(_) => return,
    };
    let mut first = format!("event: hello\ndata: {generation}\n\n");
    if let Some(e) = error {
        first.push_str(&error_event(&e));
    }
    if out
        .write_all(first.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return;
    }
    loop {
        let message = match events.recv_timeout(Duration::from_secs(15)) {
            Ok(Event::Reload(g)) => format!("event: reload\ndata: {g}\n\n"),
            Ok(Event::Error(e)) => error_event(&e),
            // A comment keeps the connection alive and finds closed ones.
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(_) => return,
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}

fn error_event(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    format!("event: build-error\ndata: {json}\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(
            site_path("/documents/a.html").as_deref(),
            Some("documents/a.html")
        );
        assert_eq!(
            site_path("/controls/").as_deref(),
            Some("controls/index.html")
        );
        assert_eq!(
            site_path("/files/My%20Diagram.png").as_deref(),
            Some("files/My Diagram.png")
        );
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/etc/passwd",
            "/..%2fetc",
            "/a%5c..%5cb",
            "/%00",
            "/%zz",
            "/%2",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_script_goes_before_the_end_of_body() {
        let html = inject_script(b"<html><body><p>x</p></body></html>");
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "<html><body><p>x</p><script src=\"/__policybook/live.js\"></script>\n</body></html>"
        );
    }

    /// Bytes arriving in pieces, then silence.
    struct Trickle(Vec<Vec<u8>>);

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                std::thread::sleep(Duration::from_millis(5));
                return Err(std::io::ErrorKind::WouldBlock.into());
            }
            let piece = self.0.remove(0);
            buf[..piece.len()].copy_from_slice(&piece);
            Ok(piece.len())
        }
    }

    impl ReadTimeout for Trickle {
        fn set_timeout(&mut self, _: Duration) {}
    }

    fn read(pieces: &[&[u8]], max: usize) -> (Result<Head, HeadError>, Vec<u8>) {
        let mut t = Trickle(pieces.iter().map(|p| p.to_vec()).collect());
        let mut buffer = Vec::new();
        let r = read_head(&mut t, &mut buffer, max, Duration::from_millis(50));
        (r, buffer)
    }

    #[test]
    fn heads_are_read_whole_bounded_and_in_time() {
        let (head, rest) = read(
            &[
                b"GET /a HTTP/1.1\r\nHo",
                b"st: localhost\r\n\r\nGET /b HTTP/1.1\r\n",
            ],
            1024,
        );
        let head = head.unwrap();
        assert_eq!(
            (head.method.as_str(), head.target.as_str(), head.minor),
            ("GET", "/a", 1)
        );
        assert_eq!(head.header("HOST"), Some("localhost"));
        assert_eq!(rest, b"GET /b HTTP/1.1\r\n");
        // A head that never ends in time, one that is too large, and silence.
        assert_eq!(
            read(&[b"GET / HTTP/1.1\r\nX: y"], 1024).0,
            Err(HeadError::Timeout)
        );
        assert_eq!(read(&[&[b'a'; 2000]], 1024).0, Err(HeadError::TooLarge));
        assert_eq!(read(&[], 1024).0, Err(HeadError::Closed));
    }

    #[test]
    fn malformed_heads_are_refused() {
        for bad in [
            &b"GET /\r\n\r\n"[..],
            b"GET / HTTP/2.0\r\n\r\n",
            b"get / HTTP/1.1\r\n\r\n",
            b"GET http://x/ HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nNo colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"\xff / HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(parse_head(bad), Err(HeadError::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn only_local_host_names_unless_bound_elsewhere() {
        let local = Hosts::for_bind(IpAddr::from([127, 0, 0, 1]));
        for ok in [
            "localhost",
            "localhost:3000",
            "127.0.0.1:3000",
            "[::1]:3000",
            "LOCALHOST",
            "docs.localhost:1",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
        ] {
            assert!(!local.allows(bad), "{bad}");
        }
        assert!(Hosts::for_bind(IpAddr::from([0, 0, 0, 0])).allows("handbook.lan"));
    }

    #[test]
    fn methods_other_than_get_and_head_get_405() {
        let hosts = Hosts::for_bind(IpAddr::from([127, 0, 0, 1]));
        let head = parse_head(b"POST / HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let r = String::from_utf8(admissible(&head, &hosts).unwrap_err()).unwrap();
        assert!(
            r.starts_with("HTTP/1.1 405") && r.contains("Allow: GET, HEAD"),
            "{r}"
        );
        let head = parse_head(b"GET / HTTP/1.1\r\nHost: rebind.evil.example\r\n\r\n").unwrap();
        let r = String::from_utf8(admissible(&head, &hosts).unwrap_err()).unwrap();
        assert!(r.starts_with("HTTP/1.1 403"), "{r}");
        let head = parse_head(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        assert!(admissible(&head, &hosts).is_err());
        let head = parse_head(b"HEAD / HTTP/1.0\r\n\r\n").unwrap();
        assert!(admissible(&head, &hosts).is_ok());
    }
}
