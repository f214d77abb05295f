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
    // The titles, in the order the site's contents give them (the fixture publishes the packet
    // with `[publish] print = true`; without it the site has none, and pdf makes its own).
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

/// `policybook ARGS` in `dir` with no browser to be found (an empty PATH).
fn without_a_browser(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let empty = tempfile::tempdir().expect("temp");
    assert_cmd::Command::cargo_bin("policybook")
        .expect("binary")
        .current_dir(dir)
        .env("PATH", empty.path())
        .env_remove("POLICYBOOK_CHROMIUM")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn without_a_browser_the_error_names_the_package() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let out = without_a_browser(dir.path(), &["pdf"]);
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

/// The entries of a zip: name → bytes.
fn unzip(path: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read");
            (f.name().expect("a name").to_string(), bytes)
        })
        .collect()
}

#[test]
fn the_audit_bundle_holds_the_evidence_the_pdf_and_a_manifest_of_them() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let period = ["evidence", "--since", "2025-01-01", "--until", "2025-12-31"];
    // Without the PDF: no browser needed.
    let mut args = period.to_vec();
    args.extend(["--bundle", "bundle.zip", "--no-pdf"]);
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = unzip(&dir.path().join("bundle.zip"));
    assert!(
        files.contains_key("evidence/audit.xlsx") && files.contains_key("evidence/changes.csv")
    );
    assert!(!files.contains_key("handbook.pdf"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    let listed = manifest["files"].as_array().expect("files");
    assert_eq!(listed.len(), files.len() - 1, "every file but the manifest");
    for f in listed {
        let bytes = &files[f["path"].as_str().expect("path")];
        assert_eq!(f["sha256"], crate::support::sha256(bytes));
    }
    assert_eq!(manifest["until"], "2025-12-31");

    if !have("chromium", "package chromium") {
        return;
    }
    let mut args = period.to_vec();
    args.extend(["--bundle", "full.zip"]);
    let out = run(dir.path(), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bundle [2/3] printing handbook.pdf\n"),
        "{}",
        stderr(&out)
    );
    let first = std::fs::read(dir.path().join("full.zip")).expect("zip");
    let files = unzip(&dir.path().join("full.zip"));
    assert!(files["handbook.pdf"].starts_with(b"%PDF"));
    // The same period of the same repository: the same bytes.
    assert!(run(dir.path(), &args).status.success());
    let again = unzip(&dir.path().join("full.zip"));
    let differ: Vec<&String> = files
        .iter()
        .filter(|(name, bytes)| again.get(*name) != Some(*bytes))
        .map(|(name, _)| name)
        .collect();
    assert!(
        differ.is_empty(),
        "files that differ between two runs: {differ:?}"
    );
    assert!(
        std::fs::read(dir.path().join("full.zip")).expect("zip") == first,
        "the archives differ, though every file is the same"
    );
}

#[test]
fn a_bundle_without_a_browser_names_the_package_and_writes_nothing() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let out = without_a_browser(
        dir.path(),
        &[
            "evidence",
            "--since",
            "2025-01-01",
            "--until",
            "2025-12-31",
            "--bundle",
            "b.zip",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("apt-get install chromium") && err.contains("--no-pdf"),
        "{err}"
    );
    assert!(!dir.path().join("evidence").exists() && !dir.path().join("b.zip").exists());
}

#[test]
fn the_packet_and_the_word_cover_name_the_release_at_the_commit() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let packet =
        std::fs::read_to_string(dir.path().join("public/print/index.html")).expect("packet");
    assert!(
        packet.contains("<dt>Version</dt><dd>not a release"),
        "{packet}"
    );
    let repo = git2::Repository::open(dir.path()).expect("repo");
    let head = repo
        .head()
        .expect("head")
        .peel(git2::ObjectType::Commit)
        .expect("commit");
    repo.tag_lightweight("v1.0", &head, false).expect("tag");
    assert!(run(dir.path(), &["build"]).status.success());
    let packet =
        std::fs::read_to_string(dir.path().join("public/print/index.html")).expect("packet");
    assert!(packet.contains("<dt>Version</dt><dd>v1.0</dd>"), "{packet}");
    assert!(run(dir.path(), &["docx"]).status.success());
    let mut archive = zip::ZipArchive::new(
        std::fs::File::open(dir.path().join("docx/handbook.docx")).expect("docx"),
    )
    .expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("word/document.xml").expect("xml"),
        &mut xml,
    )
    .expect("read");
    assert!(
        xml.contains(" · version v1.0"),
        "the cover names the release"
    );
}

#[test]
fn the_site_publishes_the_packet_only_when_asked_to() {
    let dir = committed_fixture("scope", "2025-12-01T09:00:00Z");
    assert!(run(dir.path(), &["build"]).status.success());
    assert!(!dir.path().join("public/print").exists());
    let site = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&site).expect("site.toml");
    let (top, rest) = text.split_once("[scope]").expect("[scope]");
    std::fs::write(
        &site,
        format!("{top}[publish]\nprint = true\n\n[scope]{rest}"),
    )
    .expect("write");
    assert!(run(dir.path(), &["build"]).status.success());
    assert!(dir.path().join("public/print/index.html").is_file());
}
