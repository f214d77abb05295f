//! The output of the sample handbook and the fixtures, file by file (SHA-256), and the messages
//! of the broken fixture: a refactoring that changes any byte of any output fails here. When an
//! output changes on purpose, review the new snapshot with `cargo insta review` (or run with
//! `INSTA_UPDATE=always`) and commit it with the change.

use crate::support::*;
use sha2::{Digest, Sha256};
use std::path::Path;

/// `sha256  path` for every file under `dir`, sorted by path.
fn digests(dir: &Path) -> String {
    read_tree(dir)
        .iter()
        .map(|(path, bytes)| {
            let hex: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            format!("{hex}  {path}\n")
        })
        .collect()
}

/// The summary line's duration (`… in 0.06s`) is the one thing that differs between runs.
fn without_time(text: &str) -> String {
    text.lines()
        .map(|l| match (l.starts_with("Checked "), l.rfind(" in ")) {
            (true, Some(i)) => format!("{} in <time>\n", &l[..i]),
            _ => format!("{l}\n"),
        })
        .collect()
}

fn build(dir: &Path) {
    let out = run(dir, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_sample_handbook_builds_the_same_bytes() {
    let dir = sample_handbook(
        "2026-11-30T12:00:00Z",
        "Adopt the starter policy set\n\nReviewed-by: Carol Checker <carol@example.com>\n",
    );
    build(dir.path());
    insta::assert_snapshot!("sample", digests(&dir.path().join("public")));
}

#[test]
fn the_good_fixture_with_releases_builds_the_same_bytes() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    build(dir.path());
    insta::assert_snapshot!("good", digests(&dir.path().join("public")));

    let repo = git2::Repository::open(dir.path()).unwrap();
    let tag = |name: &str, when: &str| {
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        repo.tag(
            name,
            head.as_object(),
            &git::signature(git::ALICE, when),
            "Release",
            false,
        )
        .unwrap();
    };
    tag("v1.0", "2025-04-02T09:00:00Z");
    let doc = dir.path().join("policies/access-control.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(
        &doc,
        text.replace("## Purpose", "## Purpose\n\nA new first sentence."),
    )
    .unwrap();
    let site = dir.path().join("site.toml");
    let cfg = std::fs::read_to_string(&site).unwrap();
    std::fs::write(&site, format!("{cfg}\n[versions]\ntags = \"v*\"\n")).unwrap();
    git::commit_all(
        &repo,
        git::BOB,
        "2025-05-01T09:00:00Z",
        "Sharpen the purpose\n\nReviewed-by: Carol Checker <carol@example.com>\n",
    );
    tag("v1.1", "2025-05-02T09:00:00Z");
    build(dir.path());
    insta::assert_snapshot!("good-versions", digests(&dir.path().join("public")));

    let out = run(
        dir.path(),
        &["evidence", "--since", "2025-01-01", "--until", "2025-12-31"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("good-evidence", digests(&dir.path().join("evidence")));

    let out = run(dir.path(), &["check", "--format", "json"]);
    insta::assert_snapshot!("good-check-json", stdout(&out));
    let out = run(dir.path(), &["diff", "v1.0", "v1.1", "--format", "json"]);
    insta::assert_snapshot!("good-diff", stdout(&out));
}

#[test]
fn the_broken_fixture_reports_the_same_messages() {
    let dir = copy_fixture("broken");
    let out = run(dir.path(), &["check"]);
    insta::assert_snapshot!("broken-check", without_time(&stderr(&out)));
    let out = run(dir.path(), &["check", "--format", "github"]);
    insta::assert_snapshot!("broken-github", without_time(&stdout(&out)));
}
