//! The history cache (`.policybook-cache/history.json`): a build that reads it writes the same
//! bytes as one that does not, and a rewritten history (amend, rebase, reset, a shallow clone
//! fetched in full) never shows revisions that are no longer there.

use std::collections::BTreeMap;

use crate::support::git::{self, ALICE, BOB};
use crate::support::*;
use git2::{Oid, Repository, ResetType};

const SITE: &str = "title = \"Cache Test\"\n";
const CACHE: &str = ".policybook-cache/history.json";

fn doc(body: &str) -> String {
    format!(
        "---\nid: access-control\ntitle: Access Control\nowner: CISO\nreview: annual\ncontrols: [CC6.1]\n---\n{body}\n"
    )
}

/// Three commits on `policies/access.md`, the second reviewed, then a move.
fn book() -> (BookTest, Vec<Oid>) {
    let book = BookTest::new(SITE).git();
    book.write("policies/access.md", &doc("One."));
    let c1 = book.commit(ALICE, "2025-01-10T09:00:00Z", "Add the access policy");
    book.write("policies/access.md", &doc("One.\nTwo."));
    let c2 = book.commit(
        BOB,
        "2025-02-01T10:00:00Z",
        "Second rule\n\nReviewed-by: Carol Checker <carol@example.com>\n",
    );
    book.git_mv("policies/access.md", "policies/access-control.md");
    let c3 = book.commit_index(ALICE, "2025-03-01T10:00:00Z", "Move the access policy");
    (book, vec![c1, c2, c3])
}

/// Builds with the cache into `public/` and without it into `fresh/`; the two must be the same
/// bytes. Returns the document page.
fn build_both(book: &BookTest) -> String {
    book.run(&["build", "--no-cache", "--out", "fresh"])
        .success();
    book.run(&["build"]).success();
    let (cached, fresh) = (
        read_tree(&book.join("public")),
        read_tree(&book.join("fresh")),
    );
    assert_eq!(
        cached.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &cached {
        assert!(
            fresh.get(path) == Some(bytes),
            "{path} differs with the cache:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
    std::fs::remove_dir_all(book.join("fresh")).expect("remove fresh/");
    book.read("public/documents/access-control.html")
}

/// The commits the cache holds records of.
fn records(text: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(text).expect("cache JSON");
    v["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["info"]["id"].as_str().expect("id").to_string())
        .collect()
}

fn cached_ids(book: &BookTest) -> Vec<String> {
    records(&book.read(CACHE))
}

#[test]
fn the_cache_is_written_ignored_by_git_and_changes_nothing() {
    let (book, c) = book();
    book.run(&["build", "--no-cache"]).success();
    assert!(
        !book.join(".policybook-cache").exists(),
        "--no-cache writes none"
    );
    let first = build_both(&book);
    assert!(first.contains(&c[0].to_string()[..7]), "{first}");
    let stored = cached_ids(&book);
    assert_eq!(stored.len(), 3);
    for oid in &c {
        assert!(stored.contains(&oid.to_string()), "{oid} cached");
    }
    // The folder ignores itself: the working tree stays clean.
    let statuses = book.repo().statuses(None).expect("status");
    assert!(
        statuses.iter().all(|s| s.status().is_ignored()
            || !s
                .path()
                .unwrap_or_default()
                .starts_with(".policybook-cache")),
        "the cache shows in git status"
    );
    // A second build reads it (and leaves it as it was: nothing new to keep).
    let modified = std::fs::metadata(book.join(CACHE))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(build_both(&book), first);
    assert_eq!(
        std::fs::metadata(book.join(CACHE))
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified
    );
    // `check` uses it too, with the same findings.
    let with = book.run(&["check"]).stderr();
    let without = book.run(&["check", "--no-cache"]).stderr();
    let findings = |s: &str| {
        s.lines()
            .filter(|l| !l.contains(" in "))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(findings(&with), findings(&without));
}

#[test]
fn an_amended_commit_replaces_the_old_one() {
    let (book, c) = book();
    let before = build_both(&book);
    assert!(before.contains("Move the access policy"), "{before}");
    let head = book.repo().find_commit(c[2]).expect("head");
    let amended = head
        .amend(
            Some("HEAD"),
            None,
            Some(&git::signature(ALICE, "2025-03-02T10:00:00Z")),
            None,
            Some("Rename the access policy\n\nReviewed-by: Dan Director <dan@example.com>\n"),
            None,
        )
        .expect("amend");
    let after = build_both(&book);
    assert!(after.contains(&amended.to_string()), "{after}");
    assert!(
        !after.contains(&c[2].to_string()),
        "the amended-away commit is gone"
    );
    assert!(!after.contains("Move the access policy"), "{after}");
    assert!(after.contains("Dan Director"), "the amended trailer counts");
    assert!(
        !cached_ids(&book).contains(&c[2].to_string()),
        "dropped from the cache"
    );
}

#[test]
fn a_rebased_history_is_read_again() {
    let (book, c) = book();
    build_both(&book);
    // As `git rebase -i` leaves it: c2 and c3 replayed with other messages and dates on c1, so
    // every id from c2 on is new while the trees are the same.
    let repo = book.repo();
    let replay = |parent: Oid, of: Oid, when: &str, message: &str| -> Oid {
        let tree = repo.find_commit(of).and_then(|x| x.tree()).expect("tree");
        let parent = repo.find_commit(parent).expect("parent");
        let sig = git::signature(BOB, when);
        repo.commit(None, &sig, &sig, message, &tree, &[&parent])
            .expect("commit")
    };
    let r2 = replay(c[0], c[1], "2025-02-05T10:00:00Z", "Second rule, reworded");
    let r3 = replay(r2, c[2], "2025-03-05T10:00:00Z", "Move it, reworded");
    repo.reference("refs/heads/main", r3, true, "rebase")
        .expect("move main");
    let page = build_both(&book);
    for (gone, new) in [(c[1], r2), (c[2], r3)] {
        assert!(
            !page.contains(&gone.to_string()),
            "{gone} is no longer in the history"
        );
        assert!(page.contains(&new.to_string()), "{new} is");
    }
    assert!(
        !page.contains("Carol Checker"),
        "the rebase dropped the review trailer"
    );
    assert!(page.contains("Second rule, reworded"), "{page}");
}

#[test]
fn a_reset_drops_the_commits_after_it() {
    let (book, c) = book();
    book.write("policies/access-control.md", &doc("One.\nTwo.\nThree."));
    let c4 = book.commit(BOB, "2025-04-01T10:00:00Z", "Third rule");
    let before = build_both(&book);
    assert!(before.contains("Third rule"));
    let target = book.repo().find_object(c[2], None).expect("c3");
    book.repo()
        .reset(&target, ResetType::Hard, None)
        .expect("reset --hard");
    let after = build_both(&book);
    assert!(!after.contains("Third rule"), "{after}");
    assert!(!after.contains(&c4.to_string()));
    assert!(!cached_ids(&book).contains(&c4.to_string()));
}

#[test]
fn a_shallow_clone_fetched_in_full_shows_the_whole_history() {
    let (book, c) = book();
    let clone_dir = tempfile::tempdir().expect("tempdir");
    let clone =
        Repository::clone(book.path().to_str().expect("utf-8"), clone_dir.path()).expect("clone");
    // `git clone --depth 1`: git shows c3 as if it had no parent…
    std::fs::write(clone.path().join("shallow"), format!("{}\n", c[2])).expect("shallow");
    let clone_book = Clone(clone_dir.path().to_path_buf());
    let shallow = clone_book.build_both();
    assert!(!shallow.contains(&c[0].to_string()), "{shallow}");
    assert!(
        !records(&clone_book.cache()).contains(&c[2].to_string()),
        "the cut-off commit is never cached"
    );
    // Read again on every build, it does not make the file stale: a second build leaves it.
    let file = clone_dir.path().join(CACHE);
    let modified = || {
        std::fs::metadata(&file)
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    let before = modified();
    assert_eq!(clone_book.build_both(), shallow);
    assert_eq!(
        modified(),
        before,
        "a shallow clone's cache is rewritten on every build"
    );
    // …until `git fetch --unshallow`: then c3 is a move again, and c1 and c2 are read.
    std::fs::remove_file(clone.path().join("shallow")).expect("unshallow");
    let full = clone_book.build_both();
    assert!(full.contains(&c[0].to_string()), "{full}");
    assert!(full.contains("Carol Checker"), "{full}");
}

#[test]
fn a_damaged_or_foreign_cache_is_ignored_and_replaced() {
    let (book, c) = book();
    let good = build_both(&book);
    let text = book.read(CACHE);
    for damage in [
        "{ not json".to_string(),
        text.replace("\"format\":2", "\"format\":999"),
        // A blob id that is not one.
        text.replacen("\"blob\":\"", "\"blob\":\"not-an-id", 1),
        // A record that lies about its commit, under another tool version: never read.
        text.replace("Second rule", "Forged rule")
            .replace(env!("CARGO_PKG_VERSION"), "0.0.0-other"),
        // Records for another folder of the repository.
        text.replace("\"prefix\":\"\"", "\"prefix\":\"handbook\""),
        // A change of a kind git does not have.
        text.replace("\"delta\":\"A\"", "\"delta\":\"X\""),
    ] {
        assert_ne!(damage, text);
        std::fs::write(book.join(CACHE), &damage).expect("damage");
        // Without the record of the last build, which would make this one a build with nothing
        // to do (`tests/testsuite/up_to_date.rs`): the history cache is read only by a real one.
        std::fs::remove_file(book.join(".policybook-cache/build.json")).expect("record");
        assert_eq!(build_both(&book), good);
        assert!(cached_ids(&book).contains(&c[1].to_string()), "rewritten");
    }
}

/// A clone of a handbook, built the way `build_both` builds one.
struct Clone(std::path::PathBuf);

impl Clone {
    fn build_both(&self) -> String {
        let dir = &self.0;
        let ok = |args: &[&str]| {
            let out = run(dir, args);
            assert!(out.status.success(), "{}", stderr(&out));
        };
        ok(&["build", "--no-cache", "--out", "fresh"]);
        ok(&["build"]);
        let (cached, fresh): (BTreeMap<_, _>, BTreeMap<_, _>) = (
            read_tree(&dir.join("public")),
            read_tree(&dir.join("fresh")),
        );
        assert!(cached == fresh, "the cache changed the output");
        std::fs::remove_dir_all(dir.join("fresh")).expect("remove fresh/");
        std::fs::read_to_string(dir.join("public/documents/access-control.html")).expect("page")
    }

    fn cache(&self) -> String {
        std::fs::read_to_string(self.0.join(CACHE)).expect("cache")
    }
}
