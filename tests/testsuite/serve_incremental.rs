//! `serve`'s incremental rebuild (only documents changed) must serve exactly what a full build of
//! the same files serves: every page, export and copied file, byte for byte. Each step below
//! edits the handbook one way, rebuilds the long-lived session, and compares it with a session
//! that builds everything afresh.

use std::collections::BTreeMap;
use std::path::PathBuf;

use policybook::diagnostics::Diagnostics;
use policybook::serve::session::{Built, FileBody, Session};

use crate::support::BookTest;
use crate::support::git::ALICE;

/// The as-of date of every build: the tests do not depend on the clock.
fn as_of() -> Option<jiff::civil::Date> {
    Some(jiff::civil::date(2025, 6, 1))
}

/// Every file the session serves, stale pages rendered, as comparable text.
fn served(session: &mut Session, built: Built) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (path, body) in built.files {
        let shown = match body {
            FileBody::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
            FileBody::Copy(from) => format!("copied from {from:?}"),
        };
        out.insert(path, shown);
    }
    for path in built.stale {
        let mut diags = Diagnostics::new();
        match session.render_now(&path, &mut diags) {
            Some(Ok(bytes)) => {
                out.insert(path, String::from_utf8_lossy(&bytes).into_owned());
            }
            other => panic!("stale {path} could not be rendered: {:?}", other.is_some()),
        }
    }
    out
}

fn shown(diags: &Diagnostics) -> String {
    diags
        .sorted()
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a full build serves, and its warnings.
fn full_build(book: &BookTest) -> (BTreeMap<String, String>, Diagnostics) {
    let mut fresh = Session::new(book.path(), as_of());
    let mut diags = Diagnostics::new();
    let Ok(built) = fresh.rebuild(&[], &mut diags) else {
        panic!("the full build failed:\n{}", shown(&diags));
    };
    (served(&mut fresh, built), diags)
}

/// How `check` expects a rebuild to go.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Way {
    /// Only text changed: the last handbook updated in place.
    TextOnly,
    /// Resolved again.
    Resolved,
    /// Either (back to the committed text: text only when only the text had changed).
    Either,
}

/// Rebuilds `session` after `changed`, asserts that it was incremental, went `way`, and that it
/// serves what a full build does and reports the same warnings about the edited files. Returns
/// what it serves.
fn check(
    step: &str,
    book: &BookTest,
    session: &mut Session,
    changed: &[&str],
    way: Way,
) -> BTreeMap<String, String> {
    let paths: Vec<PathBuf> = changed.iter().map(|p| book.join(p)).collect();
    let mut diags = Diagnostics::new();
    let Ok(built) = session.rebuild(&paths, &mut diags) else {
        panic!("{step}: the rebuild failed:\n{}", shown(&diags));
    };
    assert!(built.incremental, "{step}: not an incremental rebuild");
    match way {
        Way::TextOnly => assert!(built.text_only, "{step}: resolved again"),
        Way::Resolved => assert!(!built.text_only, "{step}: taken as a text-only edit"),
        Way::Either => {}
    }
    let about_edited = |w: &policybook::diagnostics::Diagnostic| {
        w.file
            .as_ref()
            .is_some_and(|f| changed.iter().any(|c| f.ends_with(c)))
    };
    let mut warnings: Vec<String> = built.warnings.iter().map(|w| w.to_string()).collect();
    let incremental = served(session, built);
    let (full, full_diags) = full_build(book);
    let mut expected: Vec<String> = full_diags
        .iter()
        .filter(|w| !w.is_error() && about_edited(w))
        .map(|w| w.to_string())
        .collect();
    warnings.sort();
    expected.sort();
    assert_eq!(
        warnings, expected,
        "{step}: the warnings about the edited files"
    );
    let only_one: Vec<&String> = incremental
        .keys()
        .filter(|p| !full.contains_key(*p))
        .chain(full.keys().filter(|p| !incremental.contains_key(*p)))
        .collect();
    assert!(
        only_one.is_empty(),
        "{step}: served by one build only: {only_one:?}"
    );
    for (path, text) in &full {
        if incremental[path] != *text {
            let (a, b) = (&incremental[path], text);
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let from = at.saturating_sub(120);
            panic!(
                "{step}: {path} differs from a full build's at byte {at}\nincremental: …{}…\nfull:        …{}…",
                a.get(from..(at + 120).min(a.len())).unwrap_or(""),
                b.get(from..(at + 120).min(b.len())).unwrap_or(""),
            );
        }
    }
    incremental
}

/// Whether the sources were committed, as `matrix.json` says.
fn dirty(served: &BTreeMap<String, String>) -> bool {
    let matrix: serde_json::Value = serde_json::from_str(&served["matrix.json"]).expect("json");
    matrix["source"]["dirty"] == true
}

/// A fixture handbook, committed, and a session that has built it.
fn committed_and_built(fixture: &str) -> (BookTest, Session) {
    let book = BookTest::fixture(fixture).git();
    book.commit(ALICE, "2025-03-01T10:00:00Z", "Initial handbook");
    let mut session = Session::new(book.path(), as_of());
    let mut diags = Diagnostics::new();
    let first = session.rebuild(&[], &mut diags);
    assert!(first.is_ok(), "{fixture}: first build:\n{}", shown(&diags));
    (book, session)
}

/// `rel` as the `good` fixture has it (as committed).
fn restore(book: &BookTest, rel: &str) {
    let committed =
        std::fs::read_to_string(crate::support::fixture("good").join(rel)).expect("fixture");
    book.write(rel, &committed);
}

fn edit(book: &BookTest, rel: &str, from: &str, to: &str) {
    let text = book.read(rel);
    assert!(text.contains(from), "{rel} has no `{from}`");
    book.write(rel, &text.replacen(from, to, 1));
}

#[test]
fn an_incremental_rebuild_serves_what_a_full_build_does() {
    let (book, mut session) = committed_and_built("good");

    // Prose only: the page, its search text and its "not committed" state change.
    edit(
        &book,
        "policies/access-control.md",
        "Managers confirm every account each quarter;",
        "Managers confirm every account, and every service account, each quarter;",
    );
    check(
        "a sentence",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::TextOnly,
    );

    // More prose in the same document: its review state stays as it is.
    edit(
        &book,
        "policies/access-control.md",
        "each quarter;",
        "each quarter, and when someone leaves;",
    );
    check(
        "another sentence",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::TextOnly,
    );

    // Saved as `sed -i` and some editors save: a temporary copy, renamed over the document. The
    // copy came and went; the document is what changed.
    let text = book.read("policies/access-control.md");
    book.write(
        "policies/sedT3mp9",
        &text.replacen(
            "when someone leaves;",
            "when someone leaves the company;",
            1,
        ),
    );
    std::fs::rename(
        book.join("policies/sedT3mp9"),
        book.join("policies/access-control.md"),
    )
    .expect("rename");
    check(
        "renamed over",
        &book,
        &mut session,
        &["policies/sedT3mp9", "policies/access-control.md"],
        Way::TextOnly,
    );

    // As committed again, in place: the review state is as committed, and the sources are clean.
    restore(&book, "policies/access-control.md");
    check(
        "as committed, in place",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::TextOnly,
    );

    // A paragraph added above a heading: every later line moves.
    edit(
        &book,
        "policies/access-control.md",
        "## Quarterly access review",
        "A new paragraph.\n\nAnd another.\n\n## Quarterly access review",
    );
    check(
        "lines moved",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::Resolved,
    );

    // A link to another document: that one's backlinks change.
    edit(
        &book,
        "policies/formula.md",
        "A title crafted",
        "See the [continuity plan](operations/continuity.md). A title crafted",
    );
    check(
        "a new link",
        &book,
        &mut session,
        &["policies/formula.md"],
        Way::TextOnly,
    );

    // A heading renamed: its anchor, the table of contents, the section's mapping.
    edit(
        &book,
        "policies/operations/continuity.md",
        "Restore within four hours.",
        "Restore within four hours.\n\n## Testing {controls=A1.3}\n\nTested every year.",
    );
    check(
        "a new section",
        &book,
        &mut session,
        &["policies/operations/continuity.md"],
        Way::Resolved,
    );

    // A new title: it shows on listings, the matrix and other pages' backlinks, and moves the
    // document in the reading order (other pages' previous and next), all applied in place.
    edit(
        &book,
        "policies/operations/continuity.md",
        "title: Business Continuity Plan",
        "title: Continuity and Recovery Plan",
    );
    check(
        "a new title",
        &book,
        &mut session,
        &["policies/operations/continuity.md"],
        Way::TextOnly,
    );

    // A title written over two lines moves every later line: resolved again.
    edit(
        &book,
        "policies/operations/continuity.md",
        "title: Continuity and Recovery Plan",
        "title: >-\n  Continuity and Recovery",
    );
    check(
        "a title on two lines",
        &book,
        &mut session,
        &["policies/operations/continuity.md"],
        Way::Resolved,
    );

    // A title and another field of the front matter: resolved again.
    edit(
        &book,
        "policies/operations/continuity.md",
        "title: >-\n  Continuity and Recovery",
        "title: >-\n  Continuity Plan",
    );
    edit(
        &book,
        "policies/operations/continuity.md",
        "review: annual",
        "review: quarterly",
    );
    check(
        "a title and the review cadence",
        &book,
        &mut session,
        &["policies/operations/continuity.md"],
        Way::Resolved,
    );

    // Two documents at once, one of them new.
    book.doc(
        "policies/backup.md",
        "title: Backup Standard\nowner: Head of IT\nreview: annual\ncontrols: [A1.2]\n",
        "Backups are [tested](operations/continuity.md#testing).",
    );
    edit(
        &book,
        "policies/formula.md",
        "See the [continuity plan](operations/continuity.md). ",
        "",
    );
    check(
        "a new document",
        &book,
        &mut session,
        &["policies/backup.md", "policies/formula.md"],
        Way::Resolved,
    );

    // Back to the committed text: the page no longer says it is not committed.
    restore(&book, "policies/access-control.md");
    check(
        "the committed text",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::Resolved,
    );

    // A document deleted.
    book.remove("policies/backup.md");
    check(
        "a deleted document",
        &book,
        &mut session,
        &["policies/backup.md"],
        Way::Resolved,
    );

    // Everything as committed again: the working tree is clean.
    restore(&book, "policies/operations/continuity.md");
    check(
        "a clean working tree",
        &book,
        &mut session,
        &["policies/operations/continuity.md"],
        Way::Resolved,
    );

    // A second document links to the umbrella policy, then the first one is retitled: the
    // umbrella's backlinks show the new title, in their new order, and the procedure that
    // implements it shows it too.
    edit(
        &book,
        "policies/access-review.md",
        "as the [policy](access-control.md#access-review) requires.",
        "as the [policy](access-control.md#access-review) requires. See the [umbrella policy](information-security.md).",
    );
    check(
        "a second backlink",
        &book,
        &mut session,
        &["policies/access-review.md"],
        Way::TextOnly,
    );
    edit(
        &book,
        "policies/access-control.md",
        "title: Access Control Policy",
        "title: Zero Trust Access Policy",
    );
    let retitled = check(
        "a title in other pages' lists",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::TextOnly,
    );
    let umbrella = &retitled["documents/information-security.html"];
    let (review, zero_trust) = (
        umbrella.find("Quarterly Access Review"),
        umbrella.find("Zero Trust Access Policy"),
    );
    assert!(
        review.is_some() && review < zero_trust,
        "the umbrella's backlinks, in title order"
    );
    restore(&book, "policies/access-review.md");
    restore(&book, "policies/access-control.md");
    check(
        "both as committed",
        &book,
        &mut session,
        &["policies/access-review.md", "policies/access-control.md"],
        Way::Either,
    );

    // git's index changes between rebuilds (the session keeps the repository open): an edit
    // staged, the working tree put back while the index still holds the edit, then the index
    // put back too.
    edit(
        &book,
        "policies/access-control.md",
        "Managers confirm every account each quarter;",
        "Managers confirm every account each month;",
    );
    stage(&book, "policies/access-control.md");
    let staged = check(
        "staged",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::Either,
    );
    assert!(dirty(&staged), "staged: the sources are not committed");
    restore(&book, "policies/access-control.md");
    let edit_staged = check(
        "as committed, but an edit staged",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::Either,
    );
    assert!(dirty(&edit_staged), "the index still differs from HEAD");
    stage(&book, "policies/access-control.md");
    let clean = check(
        "as committed, staged",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::Either,
    );
    assert!(!dirty(&clean), "index and working tree are HEAD's again");
}

/// A warning about another file can name a document by its title: the hint under a `Reviews:`
/// id that is a typo of the document's gives the commit to record, `-m "Review <title>"`. A new
/// title of that document is then resolved again, which makes that warning again; other
/// documents' titles are still applied in place.
#[test]
fn a_title_another_warning_quotes_is_resolved_again() {
    let book = BookTest::fixture("good").git();
    book.commit(ALICE, "2025-03-01T10:00:00Z", "Initial handbook");
    book.commit_empty(
        ALICE,
        "2025-04-01T10:00:00Z",
        "Quarterly review\n\nReviews: acess-control\nReviewed-by: Alice Owner <alice@example.com>\n",
    );
    let mut session = Session::new(book.path(), as_of());
    let mut diags = Diagnostics::new();
    assert!(
        session.rebuild(&[], &mut diags).is_ok(),
        "{}",
        shown(&diags)
    );
    let hint = "-m \"Review Access Control Policy\" --trailer \"Reviews: access-control\"";
    assert!(
        diags
            .iter()
            .any(|d| d.hint.as_deref().is_some_and(|h| h.contains(hint))),
        "no warning gives the review command:\n{}",
        shown(&diags)
    );
    edit(
        &book,
        "policies/access-control.md",
        "title: Access Control Policy",
        "title: Access Management Policy",
    );
    check(
        "the title a hint quotes",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::Resolved,
    );
    edit(
        &book,
        "policies/operations/continuity.md",
        "title: Business Continuity Plan",
        "title: Continuity Plan",
    );
    check(
        "another title",
        &book,
        &mut session,
        &["policies/operations/continuity.md"],
        Way::TextOnly,
    );
}

/// `git add rel`.
fn stage(book: &BookTest, rel: &str) {
    let mut index = book.repo().index().expect("index");
    index.add_path(std::path::Path::new(rel)).expect("add");
    index.write().expect("write the index");
}

/// Every document of the fixtures with registers, exceptions, a scope and acknowledgements: its
/// prose edited, its title changed, then both undone, one rebuild after each.
#[test]
fn an_incremental_rebuild_of_each_document_matches_a_full_build() {
    for fixture in ["exceptions", "register", "scope", "acknowledgements"] {
        let (book, mut session) = committed_and_built(fixture);
        let documents: Vec<String> = walk_markdown(&book.join("policies"))
            .into_iter()
            .map(|p| {
                let rel = p.strip_prefix(book.path()).expect("inside the handbook");
                rel.to_string_lossy().replace('\\', "/")
            })
            .collect();
        assert!(!documents.is_empty(), "{fixture} has no documents");
        for rel in &documents {
            let committed = book.read(rel);
            let step = |what: &str| format!("{fixture}: {rel}: {what}");
            // Text only, unless acknowledgements are assessed (left to the full resolve) or the
            // document is an exception (resolved apart from the documents).
            let prose = if fixture == "acknowledgements" || committed.contains("\nkind: exception")
            {
                Way::Resolved
            } else {
                Way::TextOnly
            };
            book.write(rel, &format!("{committed}\nOne more sentence.\n"));
            check(&step("prose"), &book, &mut session, &[rel.as_str()], prose);
            if committed.contains("\ntitle: ") {
                book.write(
                    rel,
                    &committed.replacen("\ntitle: ", "\ntitle: Renamed ", 1),
                );
                // A new title on the same line is applied in place too.
                check(&step("title"), &book, &mut session, &[rel.as_str()], prose);
            }
            book.write(rel, &committed);
            check(
                &step("as committed"),
                &book,
                &mut session,
                &[rel.as_str()],
                Way::Either,
            );
        }
    }
}

fn walk_markdown(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_markdown(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Rebuilds after `changed` and asserts that it fails with a message naming `culprit`.
fn assert_fails(session: &mut Session, book: &BookTest, changed: &str, culprit: &str, why: &str) {
    let mut diags = Diagnostics::new();
    let built = session.rebuild(&[book.join(changed)], &mut diags);
    let said = shown(&diags);
    assert!(built.is_err() && said.contains(culprit), "{why}: {said}");
}

/// A file that failed to build fails every rebuild until it is fixed, also when the file just
/// saved is another one: building from the last good handbook would hide the error that is still
/// on disk (and clear the overlay that shows it).
#[test]
fn a_rebuild_after_a_failed_one_builds_what_failed_again() {
    let (book, mut session) = committed_and_built("good");

    edit(
        &book,
        "policies/formula.md",
        "A title crafted",
        "A [broken link](nowhere.md). A title crafted",
    );
    assert_fails(
        &mut session,
        &book,
        "policies/formula.md",
        "nowhere.md",
        "a broken link fails",
    );
    edit(
        &book,
        "policies/access-control.md",
        "each quarter;",
        "each quarter, always;",
    );
    assert_fails(
        &mut session,
        &book,
        "policies/access-control.md",
        "nowhere.md",
        "the broken link still fails the next rebuild",
    );
    edit(
        &book,
        "policies/formula.md",
        "A [broken link](nowhere.md). ",
        "",
    );
    check(
        "fixed",
        &book,
        &mut session,
        &["policies/formula.md", "policies/access-control.md"],
        Way::Either,
    );

    // A broken site.toml fails a full rebuild; an edit to a document after it must not build
    // from the last good settings.
    let settings = book.read("site.toml");
    book.write("site.toml", "title = [\n");
    assert_fails(
        &mut session,
        &book,
        "site.toml",
        "site.toml",
        "a broken site.toml fails",
    );
    edit(
        &book,
        "policies/access-control.md",
        "each quarter, always;",
        "each quarter;",
    );
    assert_fails(
        &mut session,
        &book,
        "policies/access-control.md",
        "site.toml",
        "the broken site.toml still fails the next rebuild",
    );
    book.write("site.toml", &settings);
    let mut diags = Diagnostics::new();
    let fixed = session.rebuild(&[book.join("site.toml")], &mut diags);
    assert!(fixed.is_ok(), "fixed: {}", shown(&diags));
    edit(
        &book,
        "policies/access-control.md",
        "each quarter;",
        "each quarter, without fail;",
    );
    check(
        "after a full rebuild",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::TextOnly,
    );
    // An unknown control: the documents that did not change are not checked again, the edited
    // one is.
    edit(
        &book,
        "policies/access-control.md",
        "[CC6.1]",
        "[CC6.1, CC6.99]",
    );
    assert_fails(
        &mut session,
        &book,
        "policies/access-control.md",
        "unknown control `CC6.99`",
        "an unknown control fails",
    );
    edit(
        &book,
        "policies/access-control.md",
        "[CC6.1, CC6.99]",
        "[CC6.1, CC6.2]",
    );
    check(
        "a known control",
        &book,
        &mut session,
        &["policies/access-control.md"],
        Way::Resolved,
    );
}
