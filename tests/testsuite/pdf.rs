//! `policybook pdf`: the printable packet printed by Debian's Chromium, read back with
//! `pdftotext` — every document's title in reading order, page numbers, the same bytes twice —
//! and a clear error when there is no browser.

use std::process::Command;

use crate::support::{committed_fixture, have, run, stderr, stdout};

#[test]
fn the_handbook_prints_in_order_with_page_numbers() {
    if !have("chromium", "package chromium") || !have("pdftotext", "package poppler-utils") {
        return;
    }
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let out = run(dir.path(), &["pdf"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let pdf = dir.path().join("handbook.pdf");
    let bytes = std::fs::read(&pdf).expect("handbook.pdf");
    assert!(bytes.starts_with(b"%PDF"));
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    // The titles, in the order the site's contents give them.
    run(dir.path(), &["build"]);
    let html = std::fs::read_to_string(dir.path().join("public/print/index.html")).expect("packet");
    let titles = crate::support::packet_titles(&html);
    assert_eq!(titles.len(), 6, "{titles:?}");
    // Each page's footer names its document and its number: pages after the cover and the
    // contents belong to the documents in order.
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let n = pages.len();
    let footers: Vec<String> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let line = p
                .lines()
                .rev()
                .find(|l| l.contains(&format!("Page {} of {n}", i + 1)))
                .unwrap_or_else(|| panic!("page {} has no number:\n{p}", i + 1));
            line.split("Page ").next().unwrap_or("").trim().to_string()
        })
        .collect();
    let mut order: Vec<String> = Vec::new();
    for f in &footers[2..] {
        if order.last() != Some(f) {
            order.push(f.clone());
        }
    }
    assert_eq!(order, titles, "footers: {footers:?}");
    assert!(
        pages[0].contains("Uncontrolled when printed or saved"),
        "{}",
        pages[0]
    );
    assert!(text.contains("Document control"), "{text}");

    // The same commit prints the same bytes.
    let out = run(dir.path(), &["pdf", "--out", "again.pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.path().join("again.pdf")).expect("again"),
        bytes
    );

    // One per document.
    let out = run(dir.path(), &["pdf", "--each"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Wrote 6 PDFs"), "{}", stdout(&out));
    assert!(dir.path().join("pdf/access-control.pdf").is_file());
}

#[test]
fn without_a_browser_the_error_names_the_package() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let empty = tempfile::tempdir().expect("temp");
    let out = assert_cmd::Command::cargo_bin("policybook")
        .expect("binary")
        .current_dir(dir.path())
        .env("PATH", empty.path())
        .env_remove("POLICYBOOK_CHROMIUM")
        .env("NO_COLOR", "1")
        .arg("pdf")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no Chromium or Chrome found") && err.contains("apt-get install chromium"),
        "{err}"
    );
    assert!(!dir.path().join("handbook.pdf").exists());
    let out = assert_cmd::Command::cargo_bin("policybook")
        .expect("binary")
        .current_dir(dir.path())
        .env("POLICYBOOK_CHROMIUM", "/nonexistent/chromium")
        .env("NO_COLOR", "1")
        .arg("pdf")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("which does not run"),
        "{}",
        stderr(&out)
    );
}
