//! A build with nothing to do (`src/up_to_date.rs`): the second build of the same inputs into the
//! folder the first one wrote says so and writes nothing; any change to what a site is built
//! from, or to the folder, makes the next build a full one, whose output is byte for byte that
//! of a build without any cache.

use crate::support::booktest::Run;
use crate::support::git::{ALICE, BOB};
use crate::support::*;
use git2::ResetType;

const SITE: &str = "title = \"Up To Date\"\n";

fn doc(body: &str) -> String {
    format!(
        "---\nid: access-control\ntitle: Access Control\nowner: CISO\nreview: annual\ncontrols: [CC6.1]\n---\n{body}\n"
    )
}

/// Two commits and a document without a review cadence (one warning on every build).
fn book() -> BookTest {
    let book = BookTest::new(SITE).git();
    book.write("policies/access.md", &doc("One."));
    book.write(
        "policies/backup.md",
        "---\nid: backup\ntitle: Backup\nowner: CTO\ncontrols: [A1.2]\n---\nCopies.\n",
    );
    book.commit(ALICE, "2025-01-10T09:00:00Z", "Add the policies");
    book.write("policies/access.md", &doc("One.\nTwo."));
    book.commit(BOB, "2025-02-01T10:00:00Z", "Second rule");
    book
}

fn is_up_to_date(run: &Run) -> bool {
    run.stdout().starts_with("Up to date: ")
}

/// Builds into `public/` (with the caches) and, without any cache, into `fresh/`: the build must
/// be a full one, and the two folders the same bytes.
fn rebuilds(book: &BookTest, why: &str) {
    let run = book.run(&["build"]).success();
    assert!(
        run.stdout().starts_with("Built "),
        "{why}: {}",
        run.stdout()
    );
    same_as_without_cache(book, why);
}

fn same_as_without_cache(book: &BookTest, why: &str) {
    book.run(&["build", "--no-cache", "--out", "fresh"])
        .success();
    let (cached, fresh) = (
        read_tree(&book.join("public")),
        read_tree(&book.join("fresh")),
    );
    assert_eq!(
        cached.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>(),
        "{why}"
    );
    for (path, bytes) in &cached {
        assert!(fresh.get(path) == Some(bytes), "{why}: {path} differs");
    }
    std::fs::remove_dir_all(book.join("fresh")).expect("remove fresh/");
}

fn inode(path: &std::path::Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).expect("stat"))
}

#[test]
fn a_second_build_of_the_same_inputs_has_nothing_to_do() {
    let book = book();
    let first = book.run(&["build"]).success();
    assert!(first.stdout().starts_with("Built "), "{}", first.stdout());
    let page = book.join("public/documents/access-control.html");
    let before = inode(&page);
    let second = book.run(&["build"]).success();
    assert!(is_up_to_date(&second), "{}", second.stdout());
    // The same findings and figures as the build that wrote the folder.
    assert_eq!(second.stderr(), first.stderr());
    assert!(first.stderr().contains("backup"), "{}", first.stderr());
    let figures = |s: &str| s.split(" in ").next().unwrap_or_default().to_string();
    assert_eq!(
        figures(&second.stdout()).trim_start_matches("Up to date: "),
        figures(&first.stdout()).trim_start_matches("Built ")
    );
    // Nothing was written: the page is the same file, not a copy.
    assert_eq!(inode(&page), before);
    same_as_without_cache(&book, "nothing changed");
    // `--no-cache` always builds; `check` always checks.
    let forced = book.run(&["build", "--no-cache"]).success();
    assert!(forced.stdout().starts_with("Built "), "{}", forced.stdout());
    assert!(book.run(&["check"]).stderr().contains("backup"));
}

#[test]
fn a_change_to_any_source_rebuilds() {
    let book = book();
    book.run(&["build"]).success();
    assert!(is_up_to_date(&book.run(&["build"]).success()));

    book.write(
        "policies/access.md",
        &doc("One.\nTwo.\nThree (not committed)."),
    );
    rebuilds(&book, "an edited document");
    assert!(
        book.read("public/documents/access-control.html")
            .contains("Three")
    );
    assert!(is_up_to_date(&book.run(&["build"]).success()));

    book.write("policies/diagram.txt", "a file documents may link to");
    rebuilds(&book, "a new file under policies/");

    book.write("site.toml", "title = \"Up To Date, Renamed\"\n");
    rebuilds(&book, "site.toml");
    assert!(
        book.read("public/index.html")
            .contains("Up To Date, Renamed")
    );

    book.write(
        "theme/templates/document.html",
        "{% extends \"base.html\" %}{% block content %}<p>theme v2</p>{% endblock content %}",
    );
    rebuilds(&book, "a template of the theme");
    assert!(
        book.read("public/documents/access-control.html")
            .contains("theme v2")
    );
    assert!(is_up_to_date(&book.run(&["build"]).success()));
}

#[test]
fn a_change_to_the_history_rebuilds() {
    let book = book();
    book.run(&["build"]).success();

    book.write("policies/access.md", &doc("One.\nTwo.\nThree."));
    let third = book.commit(ALICE, "2025-03-02T10:00:00Z", "Third rule");
    rebuilds(&book, "a new commit");
    assert!(is_up_to_date(&book.run(&["build"]).success()));

    // A rewritten history: amend, then a reset to an earlier commit.
    let head = book.repo().find_commit(third).expect("head");
    head.amend(
        Some("HEAD"),
        None,
        None,
        None,
        Some("Third rule, reworded"),
        None,
    )
    .expect("amend");
    rebuilds(&book, "an amended commit");
    assert!(
        book.read("public/documents/access-control.html")
            .contains("Third rule, reworded")
    );
    let first = book.repo().revparse_single("HEAD~2").expect("first commit");
    book.repo()
        .reset(&first, ResetType::Hard, None)
        .expect("reset");
    rebuilds(&book, "a reset");
    assert!(
        !book
            .read("public/documents/access-control.html")
            .contains("Third rule")
    );

    // A tag (releases are made of tags), and the index (a staged change is uncommitted too).
    book.tag("v1.0", "2025-04-01T10:00:00Z", "First release");
    rebuilds(&book, "a new tag");
    // A change staged and then undone in the working tree: the text is HEAD's again, but git
    // still has a change to commit.
    book.write("policies/access.md", &doc("Staged."));
    let mut index = book.repo().index().expect("index");
    index
        .add_path(std::path::Path::new("policies/access.md"))
        .expect("stage");
    index.write().expect("write index");
    book.write("policies/access.md", &doc("One."));
    rebuilds(&book, "a staged change");
    assert!(is_up_to_date(&book.run(&["build"]).success()));
}

#[test]
fn a_changed_output_folder_or_command_rebuilds() {
    let book = book();
    book.run(&["build"]).success();

    // A page edited by hand is put back.
    let page = book.join("public/documents/access-control.html");
    std::fs::write(&page, "defaced").expect("deface");
    rebuilds(&book, "an edited page");
    assert!(
        book.read("public/documents/access-control.html")
            .contains("Access Control")
    );

    // A page deleted by hand is written again.
    std::fs::remove_file(&page).expect("delete");
    rebuilds(&book, "a deleted page");
    assert!(page.exists());

    // A file added by hand makes the folder someone else's, as for any build.
    std::fs::write(book.join("public/notes.txt"), "mine").expect("add");
    let refused = book.run(&["build"]).fails_with(1);
    assert!(
        refused.stderr().contains("notes.txt"),
        "{}",
        refused.stderr()
    );
    std::fs::remove_file(book.join("public/notes.txt")).expect("remove");

    // Another folder, another date: not the build that was recorded.
    let elsewhere = book.run(&["build", "--out", "elsewhere"]).success();
    assert!(
        elsewhere.stdout().starts_with("Built "),
        "{}",
        elsewhere.stdout()
    );
    let dated = book.run(&["build", "--as-of", "2025-01-20"]).success();
    assert!(dated.stdout().starts_with("Built "), "{}", dated.stdout());
    assert!(is_up_to_date(
        &book.run(&["build", "--as-of", "2025-01-20"]).success()
    ));
    rebuilds(&book, "no --as-of after --as-of");
}

#[test]
fn a_failed_build_leaves_the_record_of_the_last_good_one() {
    let book = book();
    book.run(&["build"]).success();
    book.write("policies/broken.md", "---\nid: [not, an, id]\n---\n");
    book.run(&["build"]).fails_with(1);
    // Back to the inputs of the build that wrote public/: nothing to do.
    book.remove("policies/broken.md");
    assert!(is_up_to_date(&book.run(&["build"]).success()));
}

#[test]
fn a_recovered_interrupted_build_is_reported_once() {
    let book = book();
    book.run(&["build"]).success();
    // A build killed between its two renames (its process id cannot be running): its complete
    // new folder is beside the output folder, which is gone.
    let dead = i32::MAX as u32;
    std::fs::rename(
        book.join("public"),
        book.join(&format!(".public.tmp-{dead}")),
    )
    .expect("move public/ aside");
    let recovering = book.run(&["build"]).success();
    assert!(
        recovering.stderr().contains("interrupted build"),
        "{}",
        recovering.stderr()
    );
    // What the next build has nothing to do for is the sources, and they did not change: it
    // repeats their findings, not the recovery, which happened once.
    let next = book.run(&["build"]).success();
    assert!(is_up_to_date(&next), "{}", next.stdout());
    assert!(next.stderr().contains("backup"), "{}", next.stderr());
    assert!(!next.stderr().contains("interrupted"), "{}", next.stderr());
}
