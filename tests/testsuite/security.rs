//! Regression tests for the hardening issue: each reproduces a probe that once succeeded.

use crate::support::{copy_fixture, run, stderr};

#[test]
fn build_never_deletes_the_handbook_it_reads() {
    // `touch .policybook-output; policybook build --root $PWD --out $PWD`
    let dir = copy_fixture("good");
    let root = dir.path();
    let repo = crate::support::git::init(root);
    crate::support::git::commit_all(
        &repo,
        crate::support::git::ALICE,
        "2025-01-01T10:00:00Z",
        "Import",
    );
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
    crate::support::copy_dir(
        &crate::support::fixture("good"),
        &root.join("site/handbook"),
    );
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
        std::fs::read_to_string(crate::support::fixture("good/policies/access-control.md"))
            .unwrap(),
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

#[test]
fn reviews_dated_after_the_as_of_date_do_not_count_and_skew_is_flagged() {
    use crate::support::git::{self, ALICE, seconds};
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
    // Author and committer dates forged to 2099 (`GIT_COMMITTER_DATE` too).
    let forged = git::commit_all_at_times(
        &repo,
        ALICE,
        (seconds("2099-01-01T00:00:00Z"), 0),
        (seconds("2099-01-01T00:00:00Z"), 0),
        "Review\n\nReviews: base\nReviewed-by: Mallory <m@example.com>\n",
    );
    // A later commit built on it, dated as it should be.
    git::write(&repo, "policies/base.md", &policy("base", "Text, edited."));
    git::commit_all(&repo, ALICE, "2025-07-01T10:00:00Z", "Edit");

    let out = run(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let m = crate::support::json(&root.join("public/matrix.json"));
    let base = crate::support::matrix_document(&m, "base");
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
    // The edit built on it was committed "before" its parent: out of order, flagged too.
    assert!(
        err.contains("date out of order: commit") && err.contains("before its parent"),
        "{err}"
    );
    assert!(
        page.contains("date out of order: committed before its parent"),
        "{page}"
    );
    assert_eq!(run(root, &["check", "--strict"]).status.code(), Some(1));

    // As of mid-2021 the 2024 review had not happened: the document was due from its effective date.
    let out = run(root, &["build", "--as-of", "2023-06-01"]);
    assert!(out.status.success());
    let m = crate::support::json(&root.join("public/matrix.json"));
    let base = crate::support::matrix_document(&m, "base");
    assert_eq!(base["last_reviewed"], serde_json::Value::Null);
    assert_eq!(base["next_review_due"], "2024-01-01");
}

#[test]
fn impossible_and_future_dates_are_reported() {
    use crate::support::git::{self, ALICE, seconds};
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
    let m = crate::support::json(&root.join("public/matrix.json"));
    assert_eq!(
        crate::support::matrix_document(&m, "base")["last_reviewed"],
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
    use crate::support::git::{self, ALICE};
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

const HOSTILE: &str = "---\ntitle: Hostile\nowner: CISO\n---\n## Section\n\n<script>alert('xss')</script>\n\n<iframe src=\"https://evil.example/\"></iframe>\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n\n<style>body { display: none }</style>\n\n[click me](javascript:alert(document.cookie)) and [vb](vbscript:msgbox) and ![pixel](data:text/html,x)\n\n<details><summary>Kept</summary>\n\nDetails stay.\n\n</details>\n";

fn hostile_handbook(settings: &str) -> tempfile::TempDir {
    let dir = copy_fixture("good");
    let site = dir.path().join("site.toml");
    let mut text = std::fs::read_to_string(&site).unwrap();
    text.push_str(settings);
    std::fs::write(&site, text).unwrap();
    std::fs::write(dir.path().join("policies/hostile.md"), HOSTILE).unwrap();
    dir
}

#[test]
fn raw_html_and_script_urls_never_reach_readers() {
    let dir = hostile_handbook("");
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("policies/hostile.md:15: the link `javascript:alert(document.cookie)` uses the `javascript:` scheme"),
        "{err}"
    );
    assert!(
        err.contains("the image `data:text/html,x` uses the `data:` scheme"),
        "{err}"
    );
    let page = std::fs::read_to_string(dir.path().join("public/documents/hostile.html")).unwrap();
    let body = &page[page.find("pb-body").unwrap()..page.find("pb-history").unwrap()];
    for bad in [
        "<script",
        "<iframe",
        "onerror",
        "<style",
        "javascript:",
        "vbscript:",
        "data:text",
    ] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }
    assert!(body.contains("<a>click me</a>"), "{body}");
    assert!(body.contains("<details><summary>Kept</summary>"), "{body}");
    // The warnings fail a strict check.
    assert_eq!(
        run(dir.path(), &["check", "--strict"]).status.code(),
        Some(1)
    );
}

#[test]
fn raw_html_can_be_escaped_or_trusted() {
    let dir = hostile_handbook("\n[markdown]\nraw_html = \"escape\"\n");
    assert!(run(dir.path(), &["build"]).status.success());
    let page = std::fs::read_to_string(dir.path().join("public/documents/hostile.html")).unwrap();
    assert!(
        page.contains("&lt;script&gt;alert('xss')&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"));

    let dir = hostile_handbook("\n[markdown]\nraw_html = \"trusted\"\n");
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success());
    assert!(!stderr(&out).contains("javascript:"), "trusted: no warning");
    let page = std::fs::read_to_string(dir.path().join("public/documents/hostile.html")).unwrap();
    assert!(page.contains("<script>alert('xss')</script>"));
    assert!(page.contains("href=\"javascript:alert(document.cookie)\""));
}

#[test]
fn site_addresses_must_be_web_addresses() {
    let dir = copy_fixture("good");
    let site = dir.path().join("site.toml");
    let mut text = std::fs::read_to_string(&site).unwrap();
    text = format!("repository_url = \"javascript:alert(1)//\"\n{text}");
    std::fs::write(&site, text).unwrap();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("site.toml:1: `repository_url` must be an http:// or https:// address"),
        "{}",
        stderr(&out)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn large_linked_files_are_streamed_warned_about_and_reused() {
    use std::os::unix::fs::MetadataExt;
    let dir = copy_fixture("good");
    let root = dir.path();
    let site = root.join("site.toml");
    let text = std::fs::read_to_string(&site).unwrap();
    std::fs::write(&site, format!("{text}\n[files]\nwarn_size_mb = 50\n")).unwrap();
    // A 100 MB file (sparse: cheap to make), linked from a document.
    let big = std::fs::File::create(root.join("policies/recording.bin")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    let doc = root.join("policies/access-control.md");
    let mut body = std::fs::read_to_string(&doc).unwrap();
    body.push_str("\nThe [training recording](recording.bin).\n");
    std::fs::write(&doc, body).unwrap();

    // The build's own peak memory, as `--timings` reports it (VmHWM, read by the build itself:
    // the rusage of a spawned child also counts the test process it was spawned from).
    let out = run(root, &["build", "--timings"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("this link points to a 100.0 MB file, above the 50 MB warning size"),
        "{err}"
    );
    let copy = root.join("public/files/recording.bin");
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), 100 * 1024 * 1024);
    // Far below the file's size: it is streamed, never held in memory.
    let peak: f64 = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("peak memory:"))
        .and_then(|v| v.trim().trim_end_matches("MB").trim().parse().ok())
        .unwrap_or_else(|| panic!("--timings reports peak memory: {err}"));
    assert!(peak < 80.0, "peak RSS of the build: {peak} MB");

    // Unchanged: the next build links the previous copy instead of copying 100 MB again.
    let inode = std::fs::metadata(&copy).unwrap().ino();
    assert!(run(root, &["build"]).status.success());
    assert_eq!(std::fs::metadata(&copy).unwrap().ino(), inode);
}

#[test]
fn tag_names_are_encoded_in_links_and_cannot_pose_as_the_current_version() {
    use crate::support::git::{self, ALICE};
    let dir = copy_fixture("good");
    let root = dir.path();
    let site = root.join("site.toml");
    let text = std::fs::read_to_string(&site).unwrap();
    std::fs::write(&site, format!("{text}\n[versions]\ntags = \"*\"\n")).unwrap();
    let repo = git::init(root);
    git::commit_all(&repo, ALICE, "2025-01-01T10:00:00Z", "Import");
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    for tag in ["%2e%2e", "latest", "v1.0"] {
        repo.tag_lightweight(tag, head.as_object(), false).unwrap();
    }
    let out = run(root, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the tag `latest` has the name of the current version's label"),
        "{}",
        stderr(&out)
    );
    // On disk the tag's own name; in links, encoded, so the browser does not read `..`.
    assert!(root.join("public/v/%2e%2e/index.html").is_file());
    assert!(!root.join("public/v/latest").exists());
    let home = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    assert!(home.contains("href=\"v/%252e%252e/index.html\""), "{home}");
    assert!(!home.contains("href=\"v/%2e%2e/"), "{home}");
    let broken = crate::support::broken_links(&root.join("public"));
    assert!(broken.is_empty(), "{:?}", &broken[..broken.len().min(5)]);
}

#[test]
fn a_placeholder_effective_date_is_warned_about() {
    let dir = crate::support::committed_fixture("good", "2025-04-01T09:00:00Z");
    let doc = dir.path().join("policies/operations/continuity.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    let text = text.replacen("---\n", "---\neffective: 9999-12-31\n", 1);
    std::fs::write(&doc, text).unwrap();
    let repo = git2::Repository::open(dir.path()).unwrap();
    crate::support::git::commit_all(
        &repo,
        crate::support::git::ALICE,
        "2025-04-02T09:00:00Z",
        "Placeholder",
    );
    let out = run(dir.path(), &["check"]);
    assert!(
        stderr(&out)
            .contains("policies/operations/continuity.md: no review due date: 9999-12-31 plus"),
        "{}",
        stderr(&out)
    );
}

/// A theme may quote attributes with apostrophes: every value is escaped for both quotes, so a
/// title cannot close the attribute and add its own.
#[test]
fn a_title_cannot_break_out_of_a_single_quoted_attribute_in_a_theme() {
    let dir = copy_fixture("good");
    std::fs::create_dir_all(dir.path().join("theme/templates")).unwrap();
    std::fs::write(
        dir.path().join("theme/templates/document.html"),
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>t</title></head><body><a title='{{ page.doc.title }}' href='#'>x</a></body></html>\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("policies/quoted.md"),
        "---\ntitle: \"Owner's <b>policy</b> ' onmouseover='alert(1)\"\nowner: CISO\n---\nText.\n",
    )
    .unwrap();
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(dir.path().join("public/documents/quoted.html")).unwrap();
    assert!(
        page.contains(
            "<a title='Owner&#39;s &lt;b&gt;policy&lt;/b&gt; &#39; onmouseover=&#39;alert(1)' href='#'>"
        ),
        "{page}"
    );
    assert!(!page.contains("onmouseover='"), "{page}");
}
