//! The HTTP side of `serve`: files from memory, the live-reload script and event stream, and
//! refusal of any path that tries to leave the site.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tiny_http::{Header, Request, Response, Server, StatusCode};

use super::{Clients, Event, Served};

const EVENTS: &str = "/__policybook/events";
const SCRIPT: &str = "/__policybook/live.js";

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

pub fn run(
    server: &Server,
    served: &Arc<RwLock<Served>>,
    clients: &Arc<Clients>,
    session: &Arc<std::sync::Mutex<super::Session>>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::SeqCst) {
        let request = match server.recv_timeout(Duration::from_millis(500)) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(_) => break,
        };
        let path = request
            .url()
            .split(['?', '#'])
            .next()
            .unwrap_or("/")
            .to_string();
        if path == EVENTS {
            let (served, clients) = (served.clone(), clients.clone());
            std::thread::spawn(move || stream_events(request, &served, &clients));
            continue;
        }
        if let Some(p) = site_path(&path) {
            refresh_if_stale(&p, served, session);
        }
        let response = respond(&path, served);
        let _ = request.respond(response);
    }
}

/// Renders a page the last rebuild left out of date, before it is served.
fn refresh_if_stale(
    path: &str,
    served: &RwLock<Served>,
    session: &std::sync::Mutex<super::Session>,
) {
    let stale = served.read().is_ok_and(|s| s.stale.contains(path));
    if !stale {
        return;
    }
    let Ok(mut session) = session.lock() else {
        return;
    };
    let rendered = session.render_now(path);
    let Ok(mut s) = served.write() else { return };
    s.stale.remove(path);
    match rendered {
        Some(Ok(bytes)) => {
            s.files.insert(path.to_string(), Arc::new(bytes));
        }
        Some(Err(diags)) => {
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

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|_| {
        // Only fixed, valid header names and values are used here.
        Header::from_bytes(&b"X-Policybook"[..], &b"1"[..]).expect("static header")
    })
}

fn respond(raw: &str, served: &RwLock<Served>) -> Response<std::io::Cursor<Vec<u8>>> {
    if raw == SCRIPT {
        return Response::from_data(LIVE_JS.as_bytes().to_vec())
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"));
    }
    let Some(path) = site_path(raw) else {
        return Response::from_string("403 Forbidden: that path is outside the site\n")
            .with_status_code(StatusCode(403));
    };
    let Ok(state) = served.read() else {
        return Response::from_string("500").with_status_code(StatusCode(500));
    };
    let file = state.files.get(&path).or_else(|| {
        // `documents/` → `documents/index.html`
        state.files.get(&format!(
            "{}index.html",
            if path.is_empty() || path.ends_with('/') {
                path.clone()
            } else {
                format!("{path}/")
            }
        ))
    });
    match file {
        Some(bytes) => {
            let mime = mime_type(&path);
            let body = if mime.starts_with("text/html") {
                inject_script(bytes)
            } else {
                bytes.as_ref().clone()
            };
            Response::from_data(body)
                .with_header(header("Content-Type", mime))
                .with_header(header("Cache-Control", "no-store"))
        }
        None if state.files.is_empty() => {
            // The first build failed: there is no site yet, only its errors.
            let text = state
                .error
                .clone()
                .unwrap_or_else(|| "The site is being built.".into());
            let html = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head><body><pre>{}</pre></body></html>",
                crate::markdown::escape(&text)
            );
            Response::from_data(inject_script(html.as_bytes()))
                .with_status_code(StatusCode(503))
                .with_header(header("Content-Type", "text/html; charset=utf-8"))
        }
        None => Response::from_string(format!("404 Not Found: /{path}\n"))
            .with_status_code(StatusCode(404)),
    }
}

/// The URL path as a path inside the site, or `None` when it would leave it: `..` segments
/// (plain or percent-encoded), backslashes, NUL bytes or invalid encodings are refused.
pub fn site_path(raw: &str) -> Option<String> {
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

/// A server-sent event stream: `hello` with the current generation (and `build-error` when the last
/// build failed), then `reload` after each build and `build-error` after each failed one.
fn stream_events(request: Request, served: &RwLock<Served>, clients: &Clients) {
    let events = clients.subscribe();
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
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
}
