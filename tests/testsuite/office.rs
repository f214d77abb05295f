//! The Office exports: `policybook docx` (read back from its XML, and opened by LibreOffice),
//! and `audit.xlsx` opened by LibreOffice — both must open, say what the handbook says, and
//! repeat their bytes.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use crate::support::{committed_fixture, have, packet_titles, run, stderr, stdout};

/// A file inside a zip (a .docx or .xlsx).
fn zipped(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut text = String::new();
    archive
        .by_name(name)
        .expect(name)
        .read_to_string(&mut text)
        .expect("read");
    text
}

/// LibreOffice's conversion of `file` to `format` (`txt:Text`, `csv`), as text.
fn libreoffice(file: &Path, format: &str, ext: &str) -> String {
    let out = tempfile::tempdir().expect("temp");
    let profile = tempfile::tempdir().expect("profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args(["--headless", "--convert-to", format, "--outdir"])
        .arg(out.path())
        .arg(file)
        .output()
        .expect("soffice");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stem = file
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    std::fs::read_to_string(out.path().join(format!("{stem}.{ext}")))
        .unwrap_or_else(|e| panic!("LibreOffice did not convert {}: {e}", file.display()))
}

#[test]
fn the_word_document_has_every_document_in_order_with_word_styles() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    // One approval of the access control policy, for the approvals table.
    let repo = git2::Repository::open(dir.path()).expect("repo");
    crate::support::git::commit_empty(
        &repo,
        crate::support::git::BOB,
        "2025-04-02T09:00:00Z",
        "Review access control\n\nReviews: access-control\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    let out = run(dir.path(), &["docx", "--each"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Wrote 7 Word documents"),
        "{}",
        stdout(&out)
    );
    // Not on a terminal: one line per file, as a CI log shows it; none with --quiet.
    assert!(
        stderr(&out).contains("docx [1/7] handbook.docx\n") && stderr(&out).contains("docx [7/7] "),
        "{}",
        stderr(&out)
    );
    let quiet = run(dir.path(), &["docx", "--each", "--quiet"]);
    assert!(quiet.status.success());
    assert!(!stderr(&quiet).contains("docx ["), "{}", stderr(&quiet));
    let docx = dir.path().join("docx/handbook.docx");
    let xml = zipped(&docx, "word/document.xml");
    let styles = zipped(&docx, "word/styles.xml");
    assert!(styles.contains("w:styleId=\"Heading1\"") && styles.contains("heading 1"));
    // The documents in the site's reading order, each a Heading 1 with its control table.
    run(dir.path(), &["build"]);
    let html = std::fs::read_to_string(dir.path().join("public/print/index.html")).expect("packet");
    let titles = packet_titles(&html);
    let escaped = |t: &str| {
        t.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    let body = xml.split("Contents").nth(1).expect("after the contents");
    let mut at = 0;
    for t in &titles {
        let found = body[at..]
            .find(&format!("<w:t xml:space=\"preserve\">{}</w:t>", escaped(t)))
            .unwrap_or_else(|| panic!("{t} not in order"));
        at += found + 1;
    }
    assert_eq!(xml.matches(">Document control<").count(), titles.len());
    assert!(
        xml.matches("<w:tbl>").count() >= 2 * titles.len(),
        "control and revision tables"
    );
    assert!(xml.contains("Uncontrolled when printed or saved"));
    // Approvals, and whether each counts.
    let access = zipped(
        &dir.path().join("docx/access-control.docx"),
        "word/document.xml",
    );
    assert!(
        access.contains(">Approvals<")
            && access.contains(">Counted<")
            && access.contains("Rita Reviewer"),
        "{access}"
    );
    assert!(dir.path().join("docx/access-control.docx").is_file());
    // The same commit gives the same bytes.
    let before = std::fs::read(&docx).expect("docx");
    assert!(run(dir.path(), &["docx"]).status.success());
    assert_eq!(std::fs::read(&docx).expect("again"), before);

    if !have(
        "soffice",
        "packages libreoffice-writer-nogui and libreoffice-calc-nogui",
    ) {
        return;
    }
    let text = libreoffice(&docx, "txt:Text", "txt");
    for t in &titles {
        assert!(
            text.contains(t.as_str()),
            "LibreOffice's text lacks {t}:\n{text}"
        );
    }
    assert!(
        text.contains("Approvers") && text.contains("Next review"),
        "{text}"
    );
}

#[test]
fn libreoffice_opens_the_workbook_and_its_matrix_matches() {
    if !have(
        "soffice",
        "packages libreoffice-writer-nogui and libreoffice-calc-nogui",
    ) {
        return;
    }
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let out = run(
        dir.path(),
        &["evidence", "--since", "2025-01-01", "--until", "2025-12-31"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // LibreOffice's CSV of the first sheet (Matrix): the in-scope criteria of matrix.csv.
    let csv = libreoffice(&dir.path().join("evidence/audit.xlsx"), "csv", "csv");
    let mut sheet = csv::Reader::from_reader(csv.as_bytes());
    let got: std::collections::BTreeSet<(String, String)> = sheet
        .records()
        .map(|r| r.expect("row"))
        .map(|r| (r[1].to_string(), r[5].to_string()))
        .collect();
    let matrix = std::fs::read_to_string(dir.path().join("evidence/matrix.csv")).expect("matrix");
    let mut m = csv::Reader::from_reader(matrix.as_bytes());
    let expected: std::collections::BTreeSet<(String, String)> = m
        .records()
        .map(|r| r.expect("row"))
        .filter(|r| &r[4] == "yes")
        .map(|r| (r[1].to_string(), r[5].to_string()))
        .collect();
    assert_eq!(got, expected);
}
