//! The command line itself: help, version, exit codes, --strict.

use crate::support::*;

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
    let repo = crate::support::git::init(dir.path());
    crate::support::git::commit_all(
        &repo,
        crate::support::git::ALICE,
        "2025-04-01T09:00:00Z",
        "Add the policy",
    );
    let out = run(dir.path(), &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("33/33 in-scope controls covered, 0 gaps (0 errors, 0 warnings)")
    );
}

#[test]
fn check_formats_github_json_and_colour() {
    let dir = copy_fixture("broken");
    let out = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l
            == "::error file=policies/unknown-control.md,line=7,col=5,title=policybook::unknown control `CC6.9` (framework soc2)%0Ahelp: did you mean `CC6.1`?"),
        "{text}"
    );
    assert!(
        text.lines()
            .all(|l| l.starts_with("::") || l.starts_with("Checked ")),
        "{text}"
    );

    let out = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["passed"], false);
    assert_eq!(json["summary"]["errors"], 15);
    let first = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "policies/bad-values.md")
        .unwrap();
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "policies/bad-values.md");
    assert_eq!(first["line"], 3);
    assert_eq!(first["column"], 7);
    assert_eq!(first["message"], "unknown kind `polcy`");
    assert!(
        first["hint"]
            .as_str()
            .unwrap()
            .contains("did you mean `policy`?")
    );

    // Human format: caret under the offending text; colour only when asked for.
    let plain = stderr(&run(dir.path(), &["check"]));
    assert!(
        plain.contains(" 7 |   - CC6.9\n   |     ^^^^^\n"),
        "{plain}"
    );
    assert!(!plain.contains('\u{1b}'));
    let coloured = assert_cmd::Command::cargo_bin("policybook")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .arg("check")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&coloured.stderr).contains("\u{1b}["));
    let no_color = assert_cmd::Command::cargo_bin("policybook")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .arg("check")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&no_color.stderr).contains('\u{1b}'),
        "NO_COLOR wins"
    );

    // A clean handbook passes in every format.
    let good = committed_fixture("good", "2025-04-01T09:00:00Z");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(good.path(), &["check", "--format", "json"]))).unwrap();
    assert_eq!(json["passed"], true);
    assert_eq!(json["summary"]["warnings"], 1);
}

#[test]
fn the_catalog_benchmark_entry_point_reads_the_nist_catalog() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = crate::support::run(
        here,
        &["_oscal-catalog", "data/nist-800-53-rev5-low-catalog.json"],
    );
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    assert_eq!(
        crate::support::stdout(&out),
        "149 controls (18 enhancements) in 18 series\n"
    );
    let out = crate::support::run(here, &["_oscal-catalog", "Cargo.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(crate::support::stderr(&out).contains("not an OSCAL catalog"));
}

#[test]
fn build_folds_frequent_warnings_and_check_lists_every_one() {
    let book = crate::support::BookTest::new("title = \"Many\"\n[scope]\ngaps = \"allow\"\n").git();
    for n in 1..=12 {
        book.doc(
            &format!("policies/doc-{n:02}.md"),
            &format!("title: Doc {n}\nowner: IT\n"),
            "Text.",
        );
    }
    book.commit(
        crate::support::git::ALICE,
        "2025-04-01T09:00:00Z",
        "Twelve documents",
    );
    let build = book.run(&["build"]).success().stderr();
    assert!(
        build.contains("warning: no `review` cadence, so its reviews cannot be tracked (12 times)\n  in policies/doc-01.md:2, policies/doc-02.md:2, policies/doc-03.md:2, … and 9 more: run `policybook check` to see every one\n  help: add `review: annual`"),
        "{build}"
    );
    assert_eq!(build.matches("no `review` cadence").count(), 1, "{build}");
    let check = book.run(&["check"]).success().stderr();
    assert_eq!(check.matches("no `review` cadence").count(), 12, "{check}");
    let json = book.run(&["check", "--format", "json"]).success().stdout();
    assert_eq!(json.matches("no `review` cadence").count(), 12);
}
