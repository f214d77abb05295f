//! Regression tests for the hardening issue: each reproduces a probe that once succeeded.

mod common;

use common::{copy_fixture, run, stderr};

#[test]
fn build_never_deletes_the_handbook_it_reads() {
    // `touch .policybook-output; policybook build --root $PWD --out $PWD`
    let dir = copy_fixture("good");
    let root = dir.path();
    let repo = common::git::init(root);
    common::git::commit_all(&repo, common::git::ALICE, "2025-01-01T10:00:00Z", "Import");
    std::fs::write(root.join(".policybook-output"), "").unwrap();
    let here = root.to_str().unwrap();
    let out = run(root, &["build", "--root", here, "--out", here]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is the handbook folder"),
        "{}",
        stderr(&out)
    );
    assert!(root.join("policies/access-control.md").is_file());
    assert!(root.join("site.toml").is_file());
    assert!(root.join(".git/HEAD").is_file());

    // A handbook copied inside its own previous output: `--root site/handbook --out site`.
    assert!(run(root, &["build", "--out", "site"]).status.success());
    common::copy_dir(&common::fixture("good"), &root.join("site/handbook"));
    let out = run(root, &["build", "--root", "site/handbook", "--out", "site"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("contains the handbook folder"),
        "{}",
        stderr(&out)
    );
    assert!(
        root.join("site/handbook/policies/access-control.md")
            .is_file()
    );

    // A file added to a built site: the folder is no longer policybook's alone.
    std::fs::write(root.join("site/CNAME"), "handbook.example.com").unwrap();
    std::fs::remove_dir_all(root.join("site/handbook")).unwrap();
    let out = run(root, &["build", "--out", "site"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("CNAME"), "{}", stderr(&out));
    assert!(root.join("site/CNAME").is_file());
}

#[cfg(unix)]
#[test]
fn symlinks_never_publish_files_from_outside_the_handbook() {
    use std::os::unix::fs::symlink;
    let dir = copy_fixture("good");
    let root = dir.path();
    symlink("/proc/self/environ", root.join("policies/env.txt")).unwrap();
    let doc = root.join("policies/access-control.md");
    let mut text = std::fs::read_to_string(&doc).unwrap();
    text.push_str("\nThe [build environment](env.txt).\n");
    std::fs::write(&doc, text).unwrap();
    let out = run(root, &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "policies/env.txt: symbolic link to /proc/self/environ points outside the handbook"
        ),
        "{err}"
    );
    assert!(!root.join("public").exists());

    // A link to the whole file system is refused at once, not walked.
    std::fs::remove_file(root.join("policies/env.txt")).unwrap();
    std::fs::write(
        &doc,
        std::fs::read_to_string(common::fixture("good/policies/access-control.md")).unwrap(),
    )
    .unwrap();
    symlink("/", root.join("policies/root")).unwrap();
    let started = std::time::Instant::now();
    let out = run(root, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("policies/root: symbolic link to / points outside"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));

    // A link to a file inside the handbook is fine; a broken one only warns.
    std::fs::remove_file(root.join("policies/root")).unwrap();
    std::fs::write(
        root.join("diagram.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    symlink(root.join("diagram.svg"), root.join("policies/diagram.svg")).unwrap();
    symlink("nowhere.png", root.join("policies/dangling.png")).unwrap();
    let out = run(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("broken symbolic link"));
}
