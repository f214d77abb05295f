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

const SITE: &str = "title = \"Dates\"\n";

fn policy(id: &str, body: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {id}\nowner: CISO\nreview: annual\neffective: 2023-01-01\ncontrols: [CC6.1]\n---\n{body}\n"
    )
}

fn doc_json<'a>(m: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    m["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap()
}

#[test]
fn reviews_dated_after_the_as_of_date_do_not_count_and_skew_is_flagged() {
    use common::git::{self, ALICE, seconds};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let repo = git::init(root);
    git::write(&repo, "site.toml", SITE);
    git::write(&repo, "policies/base.md", &policy("base", "Text."));
    git::commit_all(&repo, ALICE, "2023-01-05T10:00:00Z", "Add");
    git::commit_empty(
        &repo,
        ALICE,
        "2024-03-01T10:00:00Z",
        "Review\n\nReviews: base\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    // `git commit --date 2099-…`: author date forged, committed in 2025.
    let forged = git::commit_all_at_times(
        &repo,
        ALICE,
        (seconds("2099-01-01T00:00:00Z"), 0),
        (seconds("2025-06-01T10:00:00Z"), 0),
        "Review\n\nReviews: base\nReviewed-by: Mallory <m@example.com>\n",
    );
    // A later commit built on it, dated as it should be.
    git::write(&repo, "policies/base.md", &policy("base", "Text, edited."));
    git::commit_all(&repo, ALICE, "2025-07-01T10:00:00Z", "Edit");

    let out = run(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let m = common::json(&root.join("public/matrix.json"));
    let base = doc_json(&m, "base");
    // Without the 2099 "review", the last one is 2024-03-01: due 2025-03-01, overdue by July 2025.
    assert_eq!(base["last_reviewed"]["date"], "2024-03-01");
    assert_eq!(base["review_status"], "overdue");
    let err = stderr(&out);
    let short = &forged.to_string()[..7];
    assert!(
        err.contains(&format!("commit {short} is dated 2099-01-01, after")),
        "{err}"
    );
    let page = std::fs::read_to_string(root.join("public/documents/base.html")).unwrap();
    assert!(
        page.contains("not counted: dated 2099-01-01, after the as-of date 2025-07-01"),
        "{page}"
    );
    assert!(page.contains("date doubtful"), "{page}");
    assert_eq!(run(root, &["check", "--strict"]).status.code(), Some(1));

    // As of mid-2021 the 2024 review had not happened: the document was due from its effective date.
    let out = run(root, &["build", "--as-of", "2023-06-01"]);
    assert!(out.status.success());
    let m = common::json(&root.join("public/matrix.json"));
    let base = doc_json(&m, "base");
    assert_eq!(base["last_reviewed"], serde_json::Value::Null);
    assert_eq!(base["next_review_due"], "2024-01-01");
}

#[test]
fn impossible_and_future_dates_are_reported() {
    use common::git::{self, ALICE, seconds};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let repo = git::init(root);
    git::write(&repo, "site.toml", SITE);
    git::write(&repo, "policies/base.md", &policy("base", "Text."));
    git::commit_all(&repo, ALICE, "2024-01-05T10:00:00Z", "Add");
    // An author time no calendar can hold: once shown as 1970-01-01 and counted.
    let odd = git::commit_all_raw_time(
        &repo,
        "99999999999999",
        seconds("2024-02-01T10:00:00Z"),
        "Review\n\nReviews: base\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    let out = run(root, &["check"]);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "commit {} has an author date git stores as",
            &odd.to_string()[..7]
        )),
        "{err}"
    );
    let out = run(root, &["build"]);
    let m = common::json(&root.join("public/matrix.json"));
    assert_eq!(
        doc_json(&m, "base")["last_reviewed"],
        serde_json::Value::Null,
        "{}",
        stderr(&out)
    );

    // HEAD committed "in 2099" (both dates): statuses as of a day that has not come.
    git::write(&repo, "policies/base.md", &policy("base", "Later."));
    git::commit_all(&repo, ALICE, "2099-05-01T10:00:00Z", "From the future");
    let out = run(root, &["check"]);
    assert!(
        stderr(&out).contains("the HEAD commit is dated 2099-05-01, after today"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_reviews_ids_are_warned_with_the_closest_id() {
    use common::git::{self, ALICE};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let repo = git::init(root);
    git::write(&repo, "site.toml", SITE);
    git::write(&repo, "policies/base.md", &policy("base", "Text."));
    git::write(&repo, "policies/gone.md", &policy("gone", "Text."));
    git::commit_all(&repo, ALICE, "2025-01-05T10:00:00Z", "Add");
    git::commit_empty(
        &repo,
        ALICE,
        "2025-02-01T10:00:00Z",
        "Review\n\nReviews: gone\n",
    );
    std::fs::remove_file(root.join("policies/gone.md")).unwrap();
    git::commit_all(&repo, ALICE, "2025-02-02T10:00:00Z", "Retire gone");
    let typo = git::commit_empty(
        &repo,
        ALICE,
        "2025-03-01T10:00:00Z",
        "Review\n\nReviews: bsae\n",
    );
    let out = run(root, &["check"]);
    let err = stderr(&out);
    let short = &typo.to_string()[..7];
    assert!(
        err.contains(&format!(
            "commit {short} (2025-03-01) has `Reviews: bsae`, but no document has that id"
        )),
        "{err}"
    );
    assert!(err.contains("did you mean `base`?"), "{err}");
    // A document that existed when it was reviewed is history, not a mistake.
    assert!(!err.contains("`Reviews: gone`"), "{err}");
    // Once the review is recorded again, the old typo is no longer worth a warning.
    git::commit_empty(
        &repo,
        ALICE,
        "2025-03-02T10:00:00Z",
        "Review\n\nReviews: base\n",
    );
    let err = stderr(&run(root, &["check"]));
    assert!(!err.contains("bsae"), "{err}");
}
