//! Git history as review evidence, on throwaway repositories built with git2: revisions, renames,
//! trailers, empty review commits, as-of dates, dirty trees, shallow clones, subdirectories,
//! merges, detached HEAD, empty repositories and odd commit messages.

use crate::support::git::{self, ALICE, BOB};
use crate::support::*;
use git2::{Oid, Repository};
use serde_json::Value;

const SITE: &str =
    "title = \"History Test\"\nrepository_url = \"https://github.com/example/handbook\"\n";

fn access(body: &str) -> String {
    format!(
        "---\nid: access-control\ntitle: Access Control\nowner: CISO\nreview: annual\ncontrols: [CC6.1]\n---\n{body}\n"
    )
}

fn other(body: &str) -> String {
    format!("---\ntitle: Other\nowner: CTO\nreview: quarterly\n---\n{body}\n")
}

/// c1 add · c2 change with Reviewed-by · c3 rename · c4 empty review commit · c5 change other.md
fn standard_repo() -> (BookTest, Vec<Oid>) {
    let book = BookTest::new(SITE).git();
    book.write("policies/access.md", &access("Line one.\nLine two."))
        .write("policies/other.md", &other("First."));
    let c1 = book.commit(ALICE, "2025-01-10T09:00:00+01:00", "Add the handbook");
    book.write(
        "policies/access.md",
        &access("Line one.\nLine two, changed.\nLine three."),
    );
    let c2 = book.commit(
        BOB,
        "2025-02-01T10:00:00Z",
        "Tighten access rules\n\nReviewed-by: Carol Checker <carol@example.com>\n",
    );
    book.git_mv("policies/access.md", "policies/access-control.md");
    let c3 = book.commit_index(ALICE, "2025-03-01T10:00:00Z", "Rename the access policy");
    let c4 = book.commit_empty(
        ALICE,
        "2025-04-01T10:00:00Z",
        "Annual review\n\nReviews: access-control, other\nReviewed-by: Dan Director <dan@example.com>\n",
    );
    book.write("policies/other.md", &other("First.\nSecond."));
    let c5 = book.commit(BOB, "2025-05-01T10:00:00Z", "Extend other");
    (book, vec![c1, c2, c3, c4, c5])
}

fn build(dir: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    let out = run(dir, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    json(&dir.join("public/matrix.json"))
}

#[test]
fn revisions_follow_renames_and_reviews_come_from_trailers() {
    let (book, c) = standard_repo();
    let m = build(book.path(), &[]);

    assert_eq!(m["source"]["commit"], c[4].to_string());
    assert_eq!(m["source"]["as_of"], "2025-05-01");
    assert_eq!(m["source"]["dirty"], false);
    assert_eq!(m["source"]["shallow"], false);

    let ac = matrix_document(&m, "access-control");
    assert_eq!(ac["path"], "policies/access-control.md");
    assert_eq!(ac["last_changed"]["commit"], c[2].to_string());
    assert_eq!(ac["last_changed"]["date"], "2025-03-01");
    assert_eq!(ac["last_changed"]["author"], "Alice Owner");
    // The empty commit's `Reviews:` trailer is the latest review.
    assert_eq!(ac["last_reviewed"]["commit"], c[3].to_string());
    assert_eq!(
        ac["last_reviewed"]["reviewers"],
        serde_json::json!(["Dan Director <dan@example.com>"])
    );
    assert_eq!(ac["next_review_due"], "2026-04-01");
    assert_eq!(ac["review_status"], "current");
    assert_eq!(ac["uncommitted"], false);

    let o = matrix_document(&m, "other");
    assert_eq!(o["last_changed"]["commit"], c[4].to_string());
    assert_eq!(o["last_reviewed"]["date"], "2025-04-01");
    assert_eq!(
        o["next_review_due"], "2025-07-01",
        "quarterly from the review"
    );

    let page =
        std::fs::read_to_string(book.path().join("public/documents/access-control.html")).unwrap();
    let history = page.split("Revision history").nth(1).unwrap();
    // Three revisions, newest first, the first one from before the rename.
    let short = |i: usize| c[i].to_string()[..7].to_string();
    let rows: Vec<usize> = [2, 1, 0]
        .iter()
        .map(|&i| history.find(&short(i)).unwrap())
        .collect();
    assert!(
        rows.windows(2).all(|w| w[0] < w[1]),
        "revisions not newest first"
    );
    assert!(
        !history
            .split("<h3>Reviews</h3>")
            .next()
            .unwrap()
            .contains(&short(4)),
        "other.md's change is not access-control's"
    );
    assert!(history.contains("renamed from policies/access.md"));
    assert!(history.contains("Carol Checker &lt;carol@example.com&gt;"));
    assert!(
        history.contains("<li>Reviewed-by: Carol Checker &lt;carol@example.com&gt;</li>"),
        "trailers are listed"
    );
    assert!(
        history.contains("<span class=\"pb-diffstat\"><ins>+2</ins> <del>−1</del></span>"),
        "line counts of c2"
    );
    assert!(history.contains(&format!(
        "href=\"https://github.com/example/handbook/commit/{}\"",
        c[2]
    )));
    // Metadata block: last changed, last reviewed, next due with its badge.
    assert!(page.contains(
        "<dt>Last changed</dt><dd><time datetime=\"2025-03-01\">2025-03-01</time> by Alice Owner"
    ));
    assert!(page.contains(
        "<dt>Last reviewed</dt><dd><time datetime=\"2025-04-01\">2025-04-01</time> by Dan Director"
    ));
    assert!(
        page.contains(
            "2026-04-01</time> <span class=\"pb-review pb-review-current\">current</span>"
        )
    );
}

/// Lines added and removed, per revision, for two documents edited in turn and together: each
/// count is what `git log --numstat` gives for that commit and file on the same repository,
/// whether the versions are loose objects (read through libgit2) or packed (read from the pack
/// file, and diffed as a hash per line).
#[test]
fn line_counts_follow_each_file_through_interleaved_edits() {
    let book = BookTest::new(SITE).git();
    book.write("policies/a.md", &other("1\n2\n3"))
        .write("policies/b.md", &other("x\ny"));
    let c1 = book.commit(ALICE, "2025-01-01T10:00:00Z", "Add a and b");
    book.write("policies/a.md", &other("1\n2 changed\n3\n4"));
    let c2 = book.commit(ALICE, "2025-01-02T10:00:00Z", "Change a");
    book.write("policies/b.md", &other("x\ny\nz\nw"));
    let c3 = book.commit(BOB, "2025-01-03T10:00:00Z", "Extend b");
    book.write("policies/a.md", &other("1\n3\n4"));
    let c4 = book.commit(ALICE, "2025-01-04T10:00:00Z", "Shorten a");
    book.write("policies/a.md", &other("0\n1\n3\n4"))
        .write("policies/b.md", &other("x"));
    let c5 = book.commit(BOB, "2025-01-05T10:00:00Z", "Change both");
    for packed in [false, true] {
        if packed {
            git::pack(book.repo());
        }
        build(book.path(), &["--no-cache"]);
        assert_line_counts(&book, &[c1, c2, c3, c4, c5]);
    }
}

fn assert_line_counts(book: &BookTest, c: &[Oid]) {
    let [c1, c2, c3, c4, c5] = c else {
        panic!("five commits")
    };
    let (c1, c2, c3, c4, c5) = (*c1, *c2, *c3, *c4, *c5);
    let row = |doc: &str, c: Oid| -> String {
        let page =
            std::fs::read_to_string(book.path().join(format!("public/documents/{doc}.html")))
                .unwrap();
        let short = c.to_string()[..7].to_string();
        page.split("Revision history")
            .nth(1)
            .unwrap()
            .lines()
            .find(|l| l.starts_with("<tr>") && l.contains(&short))
            .unwrap_or_else(|| panic!("no row for {short} in {doc}"))
            .to_string()
    };
    let stat = |a: usize, r: usize| format!("<ins>+{a}</ins> <del>−{r}</del>");
    for (doc, c, added, removed) in [
        ("a", c5, 1, 0),
        ("a", c4, 0, 1),
        ("a", c2, 2, 1),
        // Five lines of front matter, three of body.
        ("a", c1, 8, 0),
        ("b", c5, 0, 3),
        ("b", c3, 2, 0),
        ("b", c1, 7, 0),
    ] {
        assert!(
            row(doc, c).contains(&stat(added, removed)),
            "{doc} at {c}: {}",
            row(doc, c)
        );
    }
}

#[test]
fn change_log_and_reviews_pages() {
    let (book, c) = standard_repo();
    build(book.path(), &[]);
    let log = std::fs::read_to_string(book.path().join("public/changes.html")).unwrap();
    let pos = |i: usize| log.find(&c[i].to_string()[..7]);
    // Every commit that changed a document, newest first; the empty review commit is not one.
    let found: Vec<usize> = [4, 2, 1, 0]
        .iter()
        .map(|&i| pos(i).expect("commit listed"))
        .collect();
    assert!(found.windows(2).all(|w| w[0] < w[1]));
    assert!(pos(3).is_none());
    assert!(log.contains("(renamed)"));

    let reviews = std::fs::read_to_string(book.path().join("public/reviews.html")).unwrap();
    assert!(reviews.contains("data-sortable"));
    // Sorted by status then due date: other (due 2025-07-01) before access-control (2026-04-01).
    assert!(reviews.find(">Other<").unwrap() < reviews.find(">Access Control<").unwrap());
}

#[test]
fn the_change_log_is_paged_five_hundred_commits_a_page() {
    let book = BookTest::new(SITE).git();
    let mut commits = Vec::new();
    // 1,001 commits, an hour apart from 2025-01-01: two full pages and one commit over.
    for i in 0..1001i64 {
        book.write("policies/access.md", &access(&format!("Version {i}.")));
        let when = jiff::Timestamp::from_second(1_735_689_600 + i * 3600)
            .unwrap()
            .to_string();
        commits.push(book.commit(ALICE, &when, &format!("Edit {i}")));
    }
    build(book.path(), &[]);
    let page = |name: &str| std::fs::read_to_string(book.path().join("public").join(name));
    let (first, second, third) = (
        page("changes.html").unwrap(),
        page("changes-2.html").unwrap(),
        page("changes-3.html").unwrap(),
    );
    assert!(page("changes-4.html").is_err());
    let rows = |html: &str| html.matches("<td><time").count();
    assert_eq!((rows(&first), rows(&second), rows(&third)), (500, 500, 1));
    // Newest first: the last commit opens the first page, the first commit is the third page.
    let short = |i: usize| commits[i].to_string()[..7].to_string();
    assert!(first.contains(&short(1000)) && first.contains(&short(501)));
    assert!(!first.contains(&short(500)) && second.contains(&short(500)));
    assert!(third.contains(&short(0)) && !third.contains(&short(1)));
    // Each page says where it is and links its neighbours, and every page by its dates.
    assert!(first.contains("Commits 1–500 of 1001, page 1 of 3."));
    assert!(first.contains(r#"<a rel="next" href="changes-2.html">"#));
    assert!(!first.contains(r#"rel="prev""#));
    assert!(second.contains(r#"<a rel="prev" href="changes.html">"#));
    assert!(second.contains(r#"<a rel="next" href="changes-3.html">"#));
    assert!(third.contains("Commits 1001–1001 of 1001, page 3 of 3."));
    assert!(!third.contains(r#"rel="next""#));
    assert!(
        third.contains(r#"<span aria-current="page">2025-01-01 to 2025-01-01</span>"#),
        "{third}"
    );
    assert!(third.contains(r#"<a href="changes.html">2025-02-11 to 2025-01-21</a>"#));
    // A short history is one page, without page links.
    let (book, _) = standard_repo();
    build(book.path(), &[]);
    let log = std::fs::read_to_string(book.path().join("public/changes.html")).unwrap();
    assert!(!log.contains("pb-pager") && !book.path().join("public/changes-2.html").exists());
}

#[test]
fn as_of_decides_the_status() {
    let (book, _) = standard_repo();
    let m = build(book.path(), &["--as-of", "2026-03-15"]);
    assert_eq!(
        matrix_document(&m, "access-control")["review_status"],
        "due-soon"
    );
    assert_eq!(matrix_document(&m, "other")["review_status"], "overdue");
    assert_eq!(m["source"]["as_of"], "2026-03-15");

    let out = run(book.path(), &["check", "--as-of", "2026-04-02"]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: policies/access-control.md: review overdue: last reviewed 2025-04-01, annual review was due 2026-04-01"),
        "{err}"
    );
    assert!(
        err.contains("--trailer \"Reviews: access-control\""),
        "{err}"
    );
    assert_eq!(
        run(book.path(), &["check", "--strict", "--as-of", "2026-04-02"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(book.path(), &["check", "--as-of", "2025-03-40"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn builds_of_the_same_commit_are_identical() {
    let (book, _) = standard_repo();
    assert!(
        run(book.path(), &["build", "--out", "../one"])
            .status
            .success()
    );
    assert!(
        run(book.path(), &["build", "--out", "../two"])
            .status
            .success()
    );
    let parent = book.path().parent().unwrap();
    let (one, two) = (
        read_tree(&parent.join("one")),
        read_tree(&parent.join("two")),
    );
    std::fs::remove_dir_all(parent.join("one")).unwrap();
    std::fs::remove_dir_all(parent.join("two")).unwrap();
    assert!(one == two);
}

#[test]
fn uncommitted_changes_are_marked_and_warned() {
    let (book, _) = standard_repo();
    git::write(
        book.repo(),
        "policies/other.md",
        &other("Edited but not committed."),
    );
    git::write(book.repo(), "policies/new.md", &other("Brand new."));
    let m = build(book.path(), &[]);
    assert_eq!(m["source"]["dirty"], true);
    for id in ["other", "new"] {
        let d = matrix_document(&m, id);
        assert_eq!(d["uncommitted"], true, "{id}");
        assert_eq!(d["review_status"], "uncommitted", "{id}");
    }
    assert_eq!(matrix_document(&m, "access-control")["uncommitted"], false);
    let page = std::fs::read_to_string(book.path().join("public/documents/other.html")).unwrap();
    assert!(page.contains("uncommitted changes, not reviewed"));
    let err = stderr(&run(book.path(), &["check"]));
    assert!(
        err.contains("warning: policies/other.md: uncommitted changes"),
        "{err}"
    );
    assert!(
        err.contains("warning: policies/new.md: uncommitted changes"),
        "{err}"
    );
    assert!(!err.contains("access-control.md: uncommitted"), "{err}");
}

#[test]
fn shallow_clones_are_flagged() {
    let (book, c) = standard_repo();
    let clone_dir = tempfile::tempdir().unwrap();
    let clone = Repository::clone(book.path().to_str().unwrap(), clone_dir.path()).unwrap();
    // What `git clone --depth 2` leaves: a shallow file naming the cut-off commit.
    std::fs::write(clone.path().join("shallow"), format!("{}\n", c[3])).unwrap();
    let m = build(clone_dir.path(), &[]);
    assert_eq!(m["source"]["shallow"], true);
    // History stops at the cut-off commit, which then looks as if it added every file: the
    // rename and the earlier commits are not seen (hence the warning).
    let ac = matrix_document(&m, "access-control");
    assert_eq!(ac["last_changed"]["commit"], c[3].to_string(), "{ac}");
    let page = std::fs::read_to_string(
        clone_dir
            .path()
            .join("public/documents/access-control.html"),
    )
    .unwrap();
    assert!(
        !page.contains(&c[2].to_string()),
        "commits before the cut-off are not read"
    );
    let out = run(clone_dir.path(), &["check"]);
    let err = stderr(&out);
    assert!(err.contains("shallow clone: history is truncated"), "{err}");
    assert!(
        err.contains("git fetch --unshallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
    assert_eq!(
        run(clone_dir.path(), &["check", "--strict"]).status.code(),
        Some(1)
    );
}

#[test]
fn a_handbook_in_a_subdirectory_of_a_larger_repository() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git::init(dir.path());
    git::write(&repo, "src/main.c", "int main(void) { return 0; }\n");
    git::write(&repo, "docs/handbook/site.toml", SITE);
    git::write(&repo, "docs/handbook/policies/other.md", &other("One."));
    let c1 = git::commit_all(&repo, ALICE, "2025-01-10T09:00:00Z", "Start");
    git::write(&repo, "src/main.c", "int main(void) { return 1; }\n");
    git::commit_all(&repo, BOB, "2025-01-11T09:00:00Z", "Code only");
    git::write(
        &repo,
        "docs/handbook/policies/other.md",
        &other("One.\nTwo."),
    );
    let c3 = git::commit_all(&repo, BOB, "2025-01-12T09:00:00Z", "Policy change");
    let out = run(dir.path(), &["build", "--root", "docs/handbook"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let m = json(&dir.path().join("docs/handbook/public/matrix.json"));
    let o = matrix_document(&m, "other");
    assert_eq!(o["last_changed"]["commit"], c3.to_string());
    let log =
        std::fs::read_to_string(dir.path().join("docs/handbook/public/changes.html")).unwrap();
    assert!(log.contains(&c1.to_string()[..7]) && log.contains(&c3.to_string()[..7]));
    assert!(!log.contains("Code only"));
    assert_eq!(
        m["source"]["dirty"], false,
        "the output folder is not a change to the handbook"
    );
}

#[test]
fn detached_head_reads_history_up_to_that_commit() {
    let (book, c) = standard_repo();
    book.repo().set_head_detached(c[1]).unwrap();
    book.repo()
        .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    let m = build(book.path(), &[]);
    assert_eq!(m["source"]["commit"], c[1].to_string());
    assert_eq!(m["source"]["as_of"], "2025-02-01");
    let ac = matrix_document(&m, "access-control");
    assert_eq!(ac["path"], "policies/access.md");
    assert_eq!(ac["last_changed"]["commit"], c[1].to_string());
    assert_eq!(
        ac["last_reviewed"]["reviewers"],
        serde_json::json!(["Carol Checker <carol@example.com>"])
    );
}

#[test]
fn an_empty_repository_builds_with_everything_uncommitted() {
    let dir = copy_fixture("good");
    git::init(dir.path());
    let m = build(dir.path(), &[]);
    assert!(m["source"]["commit"].is_null());
    assert!(
        m["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["uncommitted"] == true)
    );
    let home = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(home.contains("No commits yet"));
}

#[test]
fn a_document_added_in_the_newest_commit() {
    let (book, _) = standard_repo();
    git::write(book.repo(), "policies/fresh.md", &other("New."));
    let c6 = git::commit_all(book.repo(), ALICE, "2025-06-01T10:00:00Z", "Add fresh");
    let m = build(book.path(), &[]);
    let f = matrix_document(&m, "fresh");
    assert_eq!(f["last_changed"]["commit"], c6.to_string());
    assert!(f["last_reviewed"].is_null());
    assert_eq!(
        f["next_review_due"], "2025-09-01",
        "first commit + quarterly"
    );
    assert_eq!(f["review_status"], "current");
}

#[test]
fn merge_commits_add_no_revisions_but_reviewed_merges_review() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git::init(dir.path());
    git::write(&repo, "site.toml", SITE);
    git::write(&repo, "policies/a.md", &other("A1."));
    git::write(&repo, "policies/b.md", &other("B1."));
    let c1 = git::commit_all(&repo, ALICE, "2025-01-01T10:00:00Z", "Start");
    // Side branch: change a.md.
    git::write(&repo, "policies/a.md", &other("A1.\nA2."));
    let mut index = repo.index().unwrap();
    index
        .add_path(std::path::Path::new("policies/a.md"))
        .unwrap();
    let side_tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let base = repo.find_commit(c1).unwrap();
    let sig = git::signature(BOB, "2025-01-02T10:00:00Z");
    let c2 = repo
        .commit(
            Some("refs/heads/side"),
            &sig,
            &sig,
            "Change a on a branch",
            &side_tree,
            &[&base],
        )
        .unwrap();
    // Main: change b.md (a.md back to its main version).
    git::write(&repo, "policies/a.md", &other("A1."));
    git::write(&repo, "policies/b.md", &other("B1.\nB2."));
    let c3 = git::commit_all(&repo, ALICE, "2025-01-03T10:00:00Z", "Change b on main");
    // Merge with both changes, approved in the merge message.
    git::write(&repo, "policies/a.md", &other("A1.\nA2."));
    let mut index = repo.index().unwrap();
    index
        .add_path(std::path::Path::new("policies/a.md"))
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git::signature(ALICE, "2025-01-04T10:00:00Z");
    let (p1, p2) = (repo.find_commit(c3).unwrap(), repo.find_commit(c2).unwrap());
    let c4 = repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "Merge side\n\nApproved-by: Erin Exec <erin@example.com>\n",
            &tree,
            &[&p1, &p2],
        )
        .unwrap();
    let m = build(dir.path(), &[]);
    let a = matrix_document(&m, "a");
    assert_eq!(
        a["last_changed"]["commit"],
        c2.to_string(),
        "the merge is not a revision"
    );
    assert_eq!(
        a["last_reviewed"]["commit"],
        c4.to_string(),
        "the approved merge reviews what it brings in"
    );
    let b = matrix_document(&m, "b");
    assert_eq!(b["last_changed"]["commit"], c3.to_string());
    assert!(b["last_reviewed"].is_null(), "b was already on main");
    let log = std::fs::read_to_string(dir.path().join("public/changes.html")).unwrap();
    let table = log
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    assert!(table.contains(&c2.to_string()[..7]) && table.contains(&c3.to_string()[..7]));
    assert!(!table.contains(&c4.to_string()[..7]));
}

#[test]
fn non_utf8_messages_and_signed_commits() {
    let (book, _) = standard_repo();
    git::write(book.repo(), "policies/other.md", &other("Latin-1 subject."));
    let mut index = book.repo().index().unwrap();
    index
        .add_path(std::path::Path::new("policies/other.md"))
        .unwrap();
    index.write().unwrap();
    let tree = book.repo().find_tree(index.write_tree().unwrap()).unwrap();
    let head = book.repo().head().unwrap().peel_to_commit().unwrap();
    let sig = git::signature(BOB, "2025-06-01T10:00:00Z");
    let buf = book
        .repo()
        .commit_create_buffer(&sig, &sig, "Caf\u{e9} rules\n", &tree, &[&head])
        .unwrap();
    // Re-encode the message as Latin-1 (é = 0xE9), as old tools did.
    let bytes: Vec<u8> = String::from_utf8(buf.to_vec())
        .unwrap()
        .replace("Caf\u{e9}", "Caf\u{1}")
        .into_bytes();
    let bytes: Vec<u8> = bytes
        .into_iter()
        .map(|b| if b == 1 { 0xE9 } else { b })
        .collect();
    let odd = book
        .repo()
        .odb()
        .unwrap()
        .write(git2::ObjectType::Commit, &bytes)
        .unwrap();
    book.repo()
        .reference("refs/heads/main", odd, true, "latin-1")
        .unwrap();

    git::write(book.repo(), "policies/other.md", &other("Signed change."));
    let mut index = book.repo().index().unwrap();
    index
        .add_path(std::path::Path::new("policies/other.md"))
        .unwrap();
    index.write().unwrap();
    let tree = book.repo().find_tree(index.write_tree().unwrap()).unwrap();
    let parent = book.repo().find_commit(odd).unwrap();
    let sig = git::signature(ALICE, "2025-06-02T10:00:00Z");
    let buf = book
        .repo()
        .commit_create_buffer(&sig, &sig, "Signed change\n", &tree, &[&parent])
        .unwrap();
    let fake_signature =
        "-----BEGIN PGP SIGNATURE-----\n\nnot a real signature\n-----END PGP SIGNATURE-----";
    let signed = book
        .repo()
        .commit_signed(std::str::from_utf8(&buf).unwrap(), fake_signature, None)
        .unwrap();
    book.repo()
        .reference("refs/heads/main", signed, true, "signed")
        .unwrap();

    let m = build(book.path(), &[]);
    assert_eq!(
        matrix_document(&m, "other")["last_changed"]["commit"],
        signed.to_string()
    );
    let page = std::fs::read_to_string(book.path().join("public/documents/other.html")).unwrap();
    assert!(
        page.contains("Caf\u{fffd} rules"),
        "non-UTF-8 bytes shown as replacement characters"
    );
    let table = page.split("<tbody>").nth(1).unwrap();
    let rows: Vec<&str> = table.split("<tr>").collect();
    let signed_row = rows
        .iter()
        .find(|r| r.contains(&signed.to_string()))
        .unwrap();
    // An OpenPGP signature block that is not one: bad, never "signed".
    assert!(signed_row.contains(">signature bad</span>"), "{signed_row}");
    let odd_row = rows.iter().find(|r| r.contains(&odd.to_string())).unwrap();
    assert!(!odd_row.contains(">signed"), "{odd_row}");
    assert!(!page.contains("signed: "), "never called verified");
}
