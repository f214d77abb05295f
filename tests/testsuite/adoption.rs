//! Adopting an existing policy repository: links written for the site the policies came from.

use crate::support::BookTest;

fn linking_book(site_extra: &str) -> BookTest {
    let book = BookTest::new(&format!(
        "title = \"Adopted\"\n{site_extra}[scope]\ngaps = \"allow\"\n"
    ));
    let front = |t: &str| format!("title: {t}\nowner: CISO\nreview: annual\n");
    book.doc(
        "policies/privacy-policy.md",
        &front("Privacy"),
        "## Scope\n\nAll data.",
    )
    .doc(
        "policies/physical/malware.md",
        &front("Malware"),
        "## Scope\n\nAll hosts.",
    )
    .doc(
        "policies/index-page.md",
        &front("Links"),
        "See [privacy](/privacy-policy/), [malware](/physical/malware.html), \
             [malware scope](/physical/malware.md#scope), [by id](/malware) and \
             [the old blog](/blog/2021/hello/).",
    );
    book
}

#[test]
fn root_absolute_links_resolve_to_documents_or_the_base_url_origin() {
    let book = linking_book("base_url = \"https://handbook.example.com/policies/\"\n");
    let out = book.run(&["build"]).success();
    assert!(
        !out.stderr().contains("root of a web site"),
        "{}",
        out.stderr()
    );
    let page = book.read("public/documents/index-page.html");
    for href in [
        "href=\"../documents/privacy-policy.html\"",
        "href=\"../documents/malware.html\"",
        "href=\"../documents/malware.html#scope\"",
        "href=\"https://handbook.example.com/blog/2021/hello/\"",
    ] {
        assert!(page.contains(href), "missing {href} in\n{page}");
    }
    assert!(
        page.contains("<a href=\"../documents/malware.html\">by id</a>"),
        "by id: {page}"
    );

    // Without base_url the link stays as written, and check says where it is.
    let book = linking_book("");
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains("warning: policies/index-page.md:")
            && err.contains("the link `/blog/2021/hello/` is written from the root of a web site, and names no document of this handbook"),
        "{err}"
    );
    // An anchor that is not there is caught as for any link.
    book.doc(
        "policies/index-page.md",
        "title: Links\nowner: CISO\nreview: annual\n",
        "[gone](/physical/malware.html#nowhere)",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(err.contains("#nowhere"), "{err}");
}

/// Ten lines of policy text: enough that prepended front matter keeps the file recognisably the
/// same (git infers a move from similarity, as `git log --follow` does).
fn text(name: &str, edit: u8) -> String {
    (1..=10)
        .map(|n| {
            format!(
                "Line {n} of the {name} policy, revision {}.\n",
                if n == 1 { edit } else { 0 }
            )
        })
        .collect()
}

/// Moves `from` to `to` in the work tree, prepending front matter: the adoption edit.
fn adopt(book: &BookTest, from: &str, to: &str, title: &str) {
    let body = book.read(from);
    book.remove(from);
    book.write(
        to,
        &format!("---\ntitle: {title}\nowner: CISO\nreview: annual\n---\n{body}"),
    );
}

#[test]
fn history_before_adoption_is_followed_through_moves_from_anywhere() {
    use crate::support::git::{ALICE, BOB};
    let book = BookTest::empty().git();
    let rita = "\n\nReviewed-by: Rita Reviewer <rita@example.com>\n";
    book.write("README-access.md", &text("access", 0))
        .write("docs/backup.md", &text("backup", 0))
        .write("docs/incident.md", &text("incident", 0));
    let c1 = book.commit(
        ALICE,
        "2022-01-10T09:00:00Z",
        &format!("Write the policies{rita}"),
    );
    book.write("docs/backup.md", &text("backup", 1));
    let c2 = book.commit(BOB, "2022-06-01T09:00:00Z", "Backups: daily");
    book.git_mv("README-access.md", "docs/access.md");
    let c3 = book.commit_index(ALICE, "2023-01-15T09:00:00Z", "Move access into docs");
    book.write("docs/access.md", &text("access", 1));
    let c4 = book.commit(BOB, "2023-05-01T09:00:00Z", &format!("Access: MFA{rita}"));

    // On a side branch from there: the incident policy moves in on its own, merged later.
    let repo = book.repo();
    let branch = repo.head().expect("head").name().expect("name").to_string();
    let force = || {
        let mut co = git2::build::CheckoutBuilder::new();
        co.force().remove_untracked(true);
        co
    };
    adopt(
        &book,
        "docs/incident.md",
        "policies/incident.md",
        "Incident response",
    );
    book.write(
        "site.toml",
        "title = \"Adopted\"\n[scope]\ngaps = \"allow\"\n",
    );
    let b1 = book.commit(ALICE, "2024-01-20T09:00:00Z", "Adopt the incident policy");
    repo.reference(&branch, c4, true, "back to main")
        .expect("reset");
    repo.checkout_head(Some(&mut force())).expect("checkout");

    // Main adopts policybook: a folder moved with front matter prepended, in one commit.
    adopt(
        &book,
        "docs/access.md",
        "policies/access.md",
        "Access control",
    );
    adopt(&book, "docs/backup.md", "policies/ops/backup.md", "Backups");
    book.write(
        "site.toml",
        "title = \"Adopted\"\n[scope]\ngaps = \"allow\"\n",
    );
    let c5 = book.commit(ALICE, "2024-02-01T09:00:00Z", "Adopt policybook");
    adopt(
        &book,
        "docs/incident.md",
        "policies/incident.md",
        "Incident response",
    );
    let sig = crate::support::git::signature(ALICE, "2024-02-10T09:00:00Z");
    let mut index = repo.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.update_all(["*"], None).expect("update");
    index.write().expect("index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let (p1, p2) = (
        repo.find_commit(c5).expect("c5"),
        repo.find_commit(b1).expect("b1"),
    );
    let m = repo
        .commit(
            Some("HEAD"),
            &sig,
            &sig,
            "Merge the incident policy",
            &tree,
            &[&p1, &p2],
        )
        .expect("merge");
    book.write(
        "policies/access.md",
        &book
            .read("policies/access.md")
            .replace("revision 1", "revision 2"),
    );
    let c6 = book.commit(BOB, "2024-03-01T09:00:00Z", "Access: quarterly reviews");
    let _ = m;

    book.run(&["evidence", "--since", "2022-01-01", "--until", "2024-12-31"])
        .success();
    let csv = book.read("evidence/changes.csv");
    let row = |commit: git2::Oid, doc: &str| crate::support::changes_row(&csv, commit, doc);
    // Access: its own edits, the adoption, and before it the edits and moves outside policies/.
    assert!(row(c6, "access").ends_with(","), "{}", row(c6, "access"));
    assert!(
        row(c5, "access").contains(",renamed,"),
        "{}",
        row(c5, "access")
    );
    let via = row(c4, "access");
    assert!(via.contains(",modified,"), "{via}");
    assert!(
        via.contains("docs/access.md → policies/access.md ("),
        "{via}"
    );
    let via = row(c1, "access");
    assert!(via.contains(",added,"), "{via}");
    assert!(
        via.contains("docs/access.md → policies/access.md (")
            && via.contains("; README-access.md → docs/access.md (100%)"),
        "{via}"
    );
    assert!(
        row(c3, "access").contains(",renamed,"),
        "{}",
        row(c3, "access")
    );
    // Backup: moved into a subfolder in the same commit.
    assert!(
        row(c2, "backup").contains("docs/backup.md → policies/ops/backup.md ("),
        "{}",
        row(c2, "backup")
    );
    assert!(
        row(c1, "backup").contains(",added,"),
        "{}",
        row(c1, "backup")
    );
    // Incident: moved on the side branch, merged later.
    assert!(
        row(b1, "incident").contains(",renamed,"),
        "{}",
        row(b1, "incident")
    );
    assert!(
        row(c1, "incident").contains("docs/incident.md → policies/incident.md ("),
        "{}",
        row(c1, "incident")
    );

    // Every (commit, document) pair `git log --follow` lists is in changes.csv.
    for (doc, path) in [
        ("access", "policies/access.md"),
        ("backup", "policies/ops/backup.md"),
        ("incident", "policies/incident.md"),
    ] {
        let out = std::process::Command::new("git")
            .current_dir(book.path())
            .args(["log", "--follow", "--no-merges", "--format=%H", "--", path])
            .output()
            .expect("git");
        let commits = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(commits.lines().count() >= 2, "{doc}: {commits}");
        for c in commits.lines() {
            assert!(
                csv.lines()
                    .any(|l| l.contains(c) && l.contains(&format!(",{doc},"))),
                "{doc}: git log --follow lists {c}, changes.csv does not:\n{csv}"
            );
        }
    }

    // Evidence for a period before site.toml existed: what changed and who reviewed it, and
    // nothing that did not exist then.
    let out = book.join("evidence-2022");
    book.run(&[
        "evidence",
        "--since",
        "2022-01-01",
        "--until",
        "2022-12-31",
        "--out",
        out.to_str().expect("path"),
    ])
    .success();
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .expect("evidence")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files.retain(|f| !f.starts_with('.'));
    assert_eq!(files, ["changes.csv", "manifest.json", "reviews.csv"]);
    let manifest = book.json("evidence-2022/manifest.json");
    assert_eq!(manifest["matrix"], false);
    let notes = manifest["notes"].to_string();
    assert!(
        notes.contains("site.toml did not exist on 2022-12-31"),
        "{notes}"
    );
    assert!(
        notes.contains("documents deleted before HEAD are absent"),
        "{notes}"
    );
    let changes = book.read("evidence-2022/changes.csv");
    assert_eq!(
        changes.lines().count(),
        1 + 4,
        "c1 (three documents) and c2:\n{changes}"
    );
    assert!(changes.contains(&c2.to_string()));
    let reviews = book.read("evidence-2022/reviews.csv");
    assert!(
        reviews
            .lines()
            .any(|l| l.starts_with("access,") && l.contains(",review,2022-01-10,")),
        "{reviews}"
    );
    assert!(
        reviews.contains("no cadence defined then: site.toml did not exist on 2022-12-31"),
        "{reviews}"
    );
    assert!(!reviews.contains(",missed,"), "{reviews}");

    // The reviews before the adoption count, and the pages show where each revision was.
    book.run(&["build"]).success();
    let page = book.read("public/documents/access.html");
    assert!(
        page.contains("(as README-access.md; traced through"),
        "{page}"
    );
    let m = book.json("public/matrix.json");
    let access = m["documents"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["id"] == "access"))
        .expect("access");
    assert_eq!(access["last_reviewed"]["date"], "2023-05-01", "{access}");
}

#[test]
fn a_folder_of_many_documents_moved_at_once_keeps_every_history() {
    many_documents_moved_at_once(false);
}

#[test]
fn a_folder_of_many_documents_moved_at_once_keeps_every_history_when_packed() {
    many_documents_moved_at_once(true);
}

/// `packed`: the repository packed first, so that the blobs are read from the pack directly.
fn many_documents_moved_at_once(packed: bool) {
    use crate::support::git::{ALICE, BOB};
    // 80 documents: enough that their likenesses are worked out side by side (64 or more).
    const N: usize = 80;
    let book = BookTest::empty().git();
    for i in 0..N {
        book.write(&format!("docs/p{i:02}.md"), &text(&format!("p{i:02}"), 0));
    }
    let c1 = book.commit(ALICE, "2022-01-10T09:00:00Z", "Write the policies");
    // Every third one edited before the move, so that histories differ.
    for i in (0..N).step_by(3) {
        book.write(&format!("docs/p{i:02}.md"), &text(&format!("p{i:02}"), 1));
    }
    let c2 = book.commit(BOB, "2022-06-01T09:00:00Z", "Edit a third of them");
    // One document moved in under another name: paired by likeness, not by name.
    book.write("docs/extra.md", &text("extra", 0));
    let c3 = book.commit(ALICE, "2022-07-01T09:00:00Z", "Write the extra policy");
    for i in 0..N {
        let to = format!("policies/p{i:02}.md");
        adopt(
            &book,
            &format!("docs/p{i:02}.md"),
            &to,
            &format!("Policy {i:02}"),
        );
        // A different number of lines added to each, so that every move's counts are its own.
        let more: String = (0..i % 7).map(|n| format!("Added line {n}.\n")).collect();
        book.write(&to, &format!("{}{more}", book.read(&to)));
    }
    adopt(&book, "docs/extra.md", "policies/renamed-extra.md", "Extra");
    book.write(
        "site.toml",
        "title = \"Adopted\"\n[scope]\ngaps = \"allow\"\n",
    );
    let c4 = book.commit(ALICE, "2024-02-01T09:00:00Z", "Adopt policybook");
    if packed {
        crate::support::git::pack(book.repo());
    }

    book.run(&["evidence", "--since", "2022-01-01", "--until", "2024-12-31"])
        .success();
    let csv = book.read("evidence/changes.csv");
    let row = |commit: git2::Oid, doc: &str| crate::support::changes_row(&csv, commit, doc);
    for i in 0..N {
        let doc = format!("p{i:02}");
        // The move: renamed, with the five lines of front matter and its own added, nothing
        // removed.
        let moved = row(c4, &doc);
        assert!(
            moved.contains(&format!(",renamed,{},0,", 5 + i % 7)),
            "{moved}"
        );
        // Before it, from docs/.
        let added = row(c1, &doc);
        assert!(added.contains(",added,10,0,"), "{added}");
        assert!(
            added.contains(&format!("docs/{doc}.md → policies/{doc}.md (")),
            "{added}"
        );
        let edited = csv
            .lines()
            .any(|l| l.contains(&c2.to_string()) && l.contains(&format!(",{doc},")));
        assert_eq!(edited, i % 3 == 0, "{doc} in the edit commit");
    }
    assert!(row(c4, "renamed-extra").contains(",renamed,5,0,"));
    assert!(
        row(c3, "renamed-extra").contains("docs/extra.md → policies/renamed-extra.md ("),
        "{}",
        row(c3, "renamed-extra")
    );
}
