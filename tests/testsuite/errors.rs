//! Broken handbooks: every error names the file and line, says how to fix it, all errors of a
//! run are reported, nothing panics and nothing is written.

use crate::support::*;

/// (location, message fragment, hint fragment) for each file of tests/fixtures/broken.
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "policies/bad-values.md:3:",
        "unknown kind `polcy`",
        "did you mean `policy`?",
    ),
    (
        "policies/bad-values.md:5:",
        "unknown review cadence `yearly`",
        "`N months`",
    ),
    (
        "policies/bad-values.md:6:",
        "`effective` is not a date",
        "YYYY-MM-DD",
    ),
    (
        "policies/bad-yaml.md:4:",
        "invalid YAML in front matter",
        "not closed with `]`",
    ),
    (
        "policies/control-link.md:6:",
        "unknown control `CC6.10`",
        "did you mean `CC6.1`?",
    ),
    (
        "policies/dup-b.md:3:",
        "the id `same` is already used by policies/dup-a.md",
        "ids must be unique",
    ),
    (
        "policies/empty.md:1:",
        "the file is empty",
        "add front matter",
    ),
    (
        "policies/missing-anchor.md:6:",
        "points to `#scop`, but policies/target.md has no such section",
        "did you mean `#scope`?",
    ),
    (
        "policies/missing-link.md:8:",
        "the link `nope.md` points to policies/nope.md, which is not a document",
        "relative to this file",
    ),
    (
        "policies/no-front-matter.md:1:",
        "the document has no front matter",
        "start the file with a `---` line",
    ),
    (
        "policies/no-owner.md:2:",
        "a policy needs an `owner`",
        "owner: ",
    ),
    (
        "policies/section-control.md:8:",
        "unknown control `CC99.1`",
        "did you mean `CC9.1`?",
    ),
    (
        "policies/unknown-control.md:7:",
        "unknown control `CC6.9`",
        "did you mean `CC6.1`?",
    ),
    (
        "policies/unknown-field.md:3:",
        "unknown front matter field `ownr`",
        "did you mean `owner`?",
    ),
    (
        "policies/unknown-implements.md:6:",
        "`implements` names `targte`, but no document has that id",
        "did you mean `target`?",
    ),
];

fn assert_reports(err: &str, location: &str, message: &str, hint: &str) {
    let line = err
        .lines()
        .position(|l| l.starts_with("error: ") && l.contains(location) && l.contains(message))
        .unwrap_or_else(|| panic!("no error `{location} {message}` in:\n{err}"));
    let block: Vec<&str> = err
        .lines()
        .skip(line)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        block
            .iter()
            .any(|l| l.contains("help:") && l.contains(hint)),
        "error `{location} {message}` has no hint containing `{hint}`:\n{}",
        block.join("\n")
    );
}

#[test]
fn check_reports_every_error_with_file_line_and_hint() {
    let dir = copy_fixture("broken");
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for (location, message, hint) in EXPECTED {
        assert_reports(&err, location, message, hint);
    }
    let errors = err.lines().filter(|l| l.starts_with("error: ")).count();
    assert_eq!(errors, EXPECTED.len(), "unexpected extra errors:\n{err}");
    assert!(
        err.contains(&format!("({} errors, ", EXPECTED.len())),
        "{err}"
    );
}

#[test]
fn build_reports_the_same_errors_and_writes_nothing() {
    let dir = copy_fixture("broken");
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    for (location, message, hint) in EXPECTED {
        assert_reports(&stderr(&out), location, message, hint);
    }
    assert!(!dir.path().join("public").exists());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn the_source_line_is_shown_under_the_message() {
    let dir = copy_fixture("broken");
    let err = stderr(&run(dir.path(), &["check"]));
    assert!(err.contains(" 7 |   - CC6.9"), "{err}");
    assert!(
        err.contains(" 8 | ## Access {controls=CC6.1,CC99.1}"),
        "{err}"
    );
}

/// A minimal valid handbook in a temp dir, for cases built file by file.
fn handbook(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
    for (path, contents) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }
    dir
}

const OK_DOC: &[u8] =
    b"---\ntitle: Fine\nowner: Jane\nreview: annual\ncontrols: [CC1.1]\n---\nBody.\n";

#[test]
fn non_utf8_files_are_an_error_with_the_line() {
    let dir = handbook(&[
        ("policies/a.md", OK_DOC),
        ("policies/latin1.md", b"---\ntitle: Caf\xe9\n---\n"),
    ]);
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: policies/latin1.md:2: the file is not valid UTF-8"),
        "{err}"
    );
    assert!(err.contains("save it as UTF-8"), "{err}");
}

#[test]
fn a_directory_named_like_a_document_is_not_read_as_one() {
    let dir = handbook(&[
        ("policies/a.md", OK_DOC),
        ("policies/folder.md/inner.md", OK_DOC),
    ]);
    let out = run(dir.path(), &["check"]);
    // `inner.md` is a document in a folder that happens to end in .md.
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Checked 2 documents"),
        "{}",
        stdout(&out)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_an_error_not_a_hang() {
    let dir = handbook(&[("policies/a.md", OK_DOC)]);
    std::os::unix::fs::symlink(
        dir.path().join("policies"),
        dir.path().join("policies/loop"),
    )
    .unwrap();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: policies/loop: symbolic link loop"),
        "{err}"
    );
    assert!(err.contains("remove the link"), "{err}");
}

#[test]
#[ignore = "a 50 MB document takes about a minute in a debug build; CI runs it (`cargo test -- --ignored`)"]
fn a_50_mb_document_builds() {
    let mut big =
        b"---\ntitle: Big\nowner: Jane\nreview: annual\ncontrols: [CC1.1]\n---\n".to_vec();
    let paragraph = b"## Section\n\nA paragraph of policy text with a [link](#section) and `code`.\n\n```yaml\nkey: value\n```\n\n";
    while big.len() < 50 * 1024 * 1024 {
        big.extend_from_slice(paragraph);
    }
    let dir = handbook(&[("policies/big.md", &big)]);
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::metadata(dir.path().join("public/documents/big.html")).unwrap();
    assert!(page.len() > 50 * 1024 * 1024);
}

#[test]
fn garbage_front_matter_never_panics() {
    let cases: &[&[u8]] = &[
        b"---\n---\n",
        b"---\n- a\n- b\n---\n",
        b"---\n: :\n---\n",
        b"---\ntitle: [a, b]\n---\n",
        b"---\ntitle: x\ncontrols: {soc2: {nested: map}}\n---\n",
        b"---\ntitle: x\ncontrols: {nist: [AC-1]}\n---\n",
        b"---\ntitle: x\nextra: [1, 2]\n---\n",
        b"---\ntitle: x\nextra: {1: a}\n---\n",
        b"---\ntitle: x\nid: \"\"\n---\n",
        b"---\ntitle: x\ntitle: y\n---\n",
        b"---\n\xef\xbb\xbftitle: x\n---\n",
        b"---\ntitle: x\n---\n## {#}\n[a](policy:)\n[b](control:)\n[c](#)\n![d]()\n",
        b"---\ntitle: x\n---\n[a](../../../etc/passwd)\n[b](%zz.md)\n[c](sub/%E2%82.md)\n",
        b"\xef\xbb\xbf---\r\ntitle: x\r\nowner: y\r\n---\r\n## A {controls=}\r\n",
        b"---\ntitle: &a x\nowner: *a\n---\n",
        b"---\ntitle: !!binary aGVsbG8=\n---\n",
    ];
    for (i, case) in cases.iter().enumerate() {
        let dir = handbook(&[("policies/case.md", case)]);
        let out = run(dir.path(), &["check"]);
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "case {i} panicked:\n{err}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "case {i}: {:?}\n{err}",
            out.status
        );
        if out.status.code() == Some(1) {
            assert!(
                err.contains("error: policies/case.md"),
                "case {i} error without file:\n{err}"
            );
        }
    }
}

#[test]
fn unknown_framework_in_front_matter() {
    let dir = handbook(&[(
        "policies/a.md",
        b"---\ntitle: A\nowner: J\nreview: annual\ncontrols:\n  soc: [CC1.1]\n---\n",
    )]);
    let err = stderr(&run(dir.path(), &["check"]));
    assert!(
        err.contains("error: policies/a.md:6: unknown control framework `soc`"),
        "{err}"
    );
    assert!(err.contains("did you mean `soc2`?"), "{err}");
}

#[test]
fn a_wrong_framework_in_site_toml_is_reported_there_only() {
    let dir = handbook(&[(
        "policies/a.md",
        b"---
title: A
owner: J
review: annual
controls: [CC1.1]
---
## S {controls=CC1.2}

See [CC1.1](control:CC1.1).
",
    )]);
    let site = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&site).unwrap();
    std::fs::write(&site, format!("{text}\n[scope]\nframework = \"soc3\"\n")).unwrap();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("site.toml:") && err.contains("unknown framework `soc3` in [scope]"),
        "{err}"
    );
    assert!(!err.contains("policies/a.md"), "{err}");
}

#[test]
fn site_toml_problems() {
    let dir = handbook(&[("policies/a.md", OK_DOC)]);
    std::fs::write(dir.path().join("site.toml"), "titel = \"T\"\n").unwrap();
    let err = stderr(&run(dir.path(), &["check"]));
    assert!(
        err.contains("error: site.toml:1: unknown setting `titel`"),
        "{err}"
    );
    assert!(err.contains("did you mean `title`?"), "{err}");
    assert!(
        err.contains("error: site.toml: site.toml has no `title`"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\ndescripton = \"x\"\n[scope]\ncategories = [\"privcy\"]\n",
    )
    .unwrap();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: site.toml:2: unknown setting `descripton`"),
        "{err}"
    );
    assert!(err.contains("did you mean `description`?"), "{err}");
    assert!(
        err.contains("error: site.toml:4: unknown category `privcy`"),
        "{err}"
    );
    assert!(err.contains("did you mean `privacy`?"), "{err}");

    std::fs::remove_file(dir.path().join("site.toml")).unwrap();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no site.toml in ."),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_policies_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), "title = \"T\"\n").unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no policies/ folder"),
        "{}",
        stderr(&out)
    );
}
