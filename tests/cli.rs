//! The command line itself: help, version, exit codes, --strict.

mod common;

use common::*;

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--help"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for word in ["build", "check", "Examples:", "Exit codes"] {
        assert!(text.contains(word), "--help lacks {word:?}:\n{text}");
    }
    let version = stdout(&run(dir.path(), &["--version"]));
    assert_eq!(
        version.trim(),
        format!("policybook {}", env!("CARGO_PKG_VERSION"))
    );
    for sub in ["build", "check"] {
        let out = run(dir.path(), &["help", sub]);
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(
            text.contains("Examples:") && text.contains("--root"),
            "help {sub}:\n{text}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["bild"][..],
        &["build", "--nope"],
        &["check", "--strict=maybe"],
        &[],
    ] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn check_writes_nothing_and_strict_fails_on_warnings() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains(
        "Checked 6 documents, 10/36 in-scope controls covered, 26 gaps (0 errors, 1 warning)"
    ));
    assert!(
        stderr(&out).contains("warning: site.toml:7: gap: 26 in-scope controls"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains(
        "CC9.2 (Vendors and business partners; mapped only by unpublished draft-vendor)"
    ));
    assert!(!dir.path().join("public").exists());

    // Without git there is no history: a warning of its own.
    let plain = copy_fixture("good");
    let err = stderr(&run(plain.path(), &["check"]));
    assert!(
        err.contains("warning: .: no history: not a git repository"),
        "{err}"
    );

    let out = run(dir.path(), &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Warnings fail the check because of --strict."));
}

#[test]
fn check_is_clean_on_a_complete_handbook() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
    let all: Vec<String> = policybook::catalog::Catalog::builtin()
        .framework("soc2")
        .unwrap()
        .controls
        .iter()
        .filter(|c| c.category == "security")
        .map(|c| c.id.clone())
        .collect();
    std::fs::write(
        dir.path().join("policies/all.md"),
        format!(
            "---\ntitle: All\nowner: CISO\nreview: annual\ncontrols: [{}]\n---\nBody.\n",
            all.join(", ")
        ),
    )
    .unwrap();
    let repo = common::git::init(dir.path());
    common::git::commit_all(
        &repo,
        common::git::ALICE,
        "2025-04-01T09:00:00Z",
        "Add the policy",
    );
    let out = run(dir.path(), &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("33/33 in-scope controls covered, 0 gaps (0 errors, 0 warnings)")
    );
}
