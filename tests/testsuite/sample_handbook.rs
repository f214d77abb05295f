//! The sample handbook at the repository root (the starter policy set) must stay complete:
//! no gaps in scope, every document owned and reviewed, and `check --strict` clean.

use crate::support::*;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The sample (site.toml and policies/) in a repository of its own, committed on a fixed date,
/// so that the test does not depend on this repository's clone (CI may clone shallowly).
fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(repo().join("site.toml"), dir.path().join("site.toml")).unwrap();
    copy_dir(&repo().join("policies"), &dir.path().join("policies"));
    let git = crate::support::git::init(dir.path());
    crate::support::git::commit_all(
        &git,
        crate::support::git::ALICE,
        "2026-11-20T10:00:00Z",
        "Adopt the starter policy set",
    );
    dir
}

#[test]
fn check_strict_passes_on_the_sample() {
    let dir = sample();
    let out = run(dir.path(), &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("(0 errors, 0 warnings)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_sample_covers_every_in_scope_criterion() {
    let dir = sample();
    let site = dir.path().join("public");
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let m = json(&site.join("matrix.json"));

    assert_eq!(
        m["scope"],
        serde_json::json!(["security", "availability", "confidentiality"])
    );
    assert_eq!(
        m["gaps"].as_array().unwrap().len(),
        0,
        "gaps: {}",
        m["gaps"]
    );
    let in_scope: Vec<&serde_json::Value> = m["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["in_scope"] == true)
        .collect();
    assert_eq!(in_scope.len(), 38);
    // "Most of them at section level": every in-scope criterion has section-level evidence.
    for c in &in_scope {
        let by_section = c["covered_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| !e["section"].is_null());
        assert!(by_section, "{} is covered only by whole documents", c["id"]);
    }

    let docs = m["documents"].as_array().unwrap();
    for d in docs {
        assert!(d["owner"].is_string(), "{} has no owner", d["id"]);
        assert!(d["review"].is_string(), "{} has no review cadence", d["id"]);
        assert!(
            d["approvers"].as_array().is_some_and(|a| !a.is_empty()),
            "{} has no approvers",
            d["id"]
        );
        assert!(
            d["version"].is_string() && d["effective"].is_string(),
            "{}",
            d["id"]
        );
        assert_eq!(d["status"], "published", "{}", d["id"]);
        assert_eq!(d["review_status"], "current", "{}", d["id"]);
    }
    let of_kind = |k: &str| docs.iter().filter(|d| d["kind"] == k).count();
    assert!(of_kind("policy") >= 20);
    assert!(of_kind("standard") >= 2);
    let procedures: Vec<_> = docs.iter().filter(|d| d["kind"] == "procedure").collect();
    assert!(procedures.len() >= 6);
    assert!(
        procedures
            .iter()
            .all(|p| !p["implements"].as_array().unwrap().is_empty())
    );
    for id in [
        "information-security",
        "acceptable-use",
        "access-control",
        "asset-management",
        "business-continuity",
        "change-management",
        "cryptography",
        "data-classification",
        "data-retention",
        "incident-response",
        "logging-monitoring",
        "network-security",
        "personnel-security",
        "physical-security",
        "privacy",
        "risk-management",
        "secure-development",
        "vendor-management",
        "vulnerability-management",
        "code-of-conduct",
    ] {
        assert!(
            docs.iter().any(|d| d["id"] == id && d["kind"] == "policy"),
            "missing policy {id}"
        );
    }
    let broken = broken_links(&site);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
