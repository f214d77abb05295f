//! Acknowledgements: the roster's people against the documents `[acknowledgements] required`
//! names — on time, late, outstanding, of an older version, renewal lapsed, people who left
//! before the period and joined during it — on pages, on the acknowledgements page (published
//! only when asked) and in `evidence`; unknown people, documents and versions are warnings,
//! malformed rows errors with their line.

use crate::support::BookTest;
use crate::support::git::ALICE;

const SITE: &str = "title = \"Acks\"\n[scope]\ngaps = \"allow\"\n[acknowledgements]\nfiles = \"acks/*.csv\"\nroster = \"roster.csv\"\nrequired = [\"policy\"]\nwithin_days = 30\nrenew = \"annual\"\n";

const ROSTER: &str = "\
email,name,start,end,type
ann@example.com,Ann Archer,2023-01-01,,employee
ben@example.com,Ben Baker,2023-01-01,,employee
cat@example.com,Cat Cole,2023-01-01,,contractor
dan@example.com,Dan Dale,2023-01-01,,employee
eve@example.com,Eve Evans,2025-06-20,,employee
fay@example.com,Fay Fox,2023-01-01,2024-12-31,employee
gus@example.com,Gus Gray,2023-01-01,,employee
";

const ACKS: &str = "\
email,document,version,date
ann@example.com,a,2.0,2025-03-15
ben@example.com,a,v2.0,2025-04-20T10:00:00Z
cat@example.com,a,1.0,2024-06-01
eve@example.com,a,2.0,2025-07-10
gus@example.com,c,1.0,2024-02-01
ann@example.com,c,1.0,2024-07-01
zed@example.com,a,2.0,2025-03-15
daan@example.com,a,2.0,2025-03-15
ann@example.com,cc,2.0,2025-03-15
ann@example.com,a,3.0,2025-03-15
";

/// A (policy) at version 1.0 from 10 January 2024 and 2.0 from 1 March 2025; C (policy) at 1.0
/// throughout; B is a procedure, which no one must acknowledge.
fn book(site: &str) -> BookTest {
    let book = BookTest::new(site).git();
    let front = |v: &str, kind: &str| {
        format!("title: {kind} doc\nowner: CISO\nkind: {kind}\nversion: \"{v}\"\nreview: annual\n")
    };
    book.doc("policies/a.md", &front("1.0", "policy"), "One.")
        .doc("policies/b.md", &front("1.0", "procedure"), "One.")
        .doc("policies/c.md", &front("1.0", "policy"), "One.")
        .write("roster.csv", ROSTER)
        .write("acks/2025.csv", ACKS);
    book.commit(
        ALICE,
        "2024-01-10T09:00:00Z",
        "Add the policies\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    book.doc("policies/a.md", &front("2.0", "policy"), "Two.");
    book.commit(
        ALICE,
        "2025-03-01T09:00:00Z",
        "A, version 2\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    book
}

#[test]
fn each_person_and_document_has_a_status_and_pages_count_them() {
    let book = book(SITE);
    let out = book.run(&["build", "--as-of", "2025-06-30"]).success();
    let err = out.stderr();
    for warning in [
        "acks/2025.csv:8: `zed@example.com` is not in the roster",
        "acks/2025.csv:9: `daan@example.com` is not in the roster",
        "acks/2025.csv:10: no document has the id `cc`",
        "acks/2025.csv:11: `a` never had version `3.0` (its versions: 2.0, 1.0)",
    ] {
        assert!(err.contains(warning), "missing {warning:?} in\n{err}");
    }
    assert!(err.contains("did you mean `dan@example.com`?"), "{err}");
    assert!(
        err.contains("the document column holds a document's id"),
        "{err}"
    );
    assert!(!err.contains("did you mean `ben@example.com`?"), "{err}");
    // Ann and Ben acknowledged 2.0 (Ben late); Cat only 1.0, Dan nothing, Gus nothing: overdue;
    // Eve started on 20 June and is not due yet; Fay left in 2024 and does not count.
    let page = book.read("public/documents/a.html");
    assert!(
        page.contains(
            "by 2 of 6 (version 2.0); 1 not yet due; <span class=\"pb-flag\">3 overdue</span>"
        ),
        "{page}"
    );
    assert!(
        !page.contains("acknowledgements.html"),
        "not published: no link"
    );
    assert!(!book.join("public/acknowledgements.html").exists());
    assert!(
        !book
            .read("public/documents/b.html")
            .contains("<dt>Acknowledged</dt>"),
        "a procedure needs no acknowledgement"
    );
    // C: Gus's acknowledgement of February 2024 lapsed in February 2025; Ann's of July 2024
    // (late: due 9 February) still holds.
    let c = book.read("public/documents/c.html");
    assert!(c.contains("by 1 of 6"), "{c}");

    // Published on request, with who is late.
    book.write(
        "site.toml",
        &format!("{SITE}[publish]\nacknowledgements = true\n"),
    );
    book.run(&["build", "--as-of", "2025-06-30"]).success();
    let acks = book.read("public/acknowledgements.html");
    let row = |name: &str| {
        acks.split("<tr")
            .find(|r| r.contains(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        row("Ann Archer").contains("data-status=\"late\""),
        "{}",
        row("Ann Archer")
    );
    assert!(
        row("Cat Cole").contains("data-status=\"outstanding\""),
        "{}",
        row("Cat Cole")
    );
    assert!(
        row("Gus Gray").contains("pb-ack-lapsed"),
        "{}",
        row("Gus Gray")
    );
    assert!(
        row("Eve Evans").contains("pb-ack-pending"),
        "{}",
        row("Eve Evans")
    );
    assert!(
        row("Eve Evans").contains("due 2025-07-20"),
        "{}",
        row("Eve Evans")
    );
    assert!(!acks.contains("Fay Fox"), "left before the as-of date");
    assert!(
        book.read("public/documents/a.html")
            .contains("acknowledgements.html#ack-a")
    );
}

#[test]
fn a_misspelt_document_id_gets_its_suggestion_on_every_row() {
    let book = book(SITE);
    book.doc(
        "policies/access-control.md",
        "title: Access control\nowner: CISO\nkind: procedure\nreview: annual\n",
        "Body.",
    )
    .write(
        "acks/typos.csv",
        "email,document,version,date\nann@example.com,acess-control,1.0,2025-03-15\nben@example.com,acess-control,1.0,2025-03-16\n",
    );
    book.commit(ALICE, "2025-03-20T09:00:00Z", "Access control");
    let err = book.run(&["check", "--as-of", "2025-06-30"]).stderr();
    for line in [2, 3] {
        let warning = format!("acks/typos.csv:{line}: no document has the id `acess-control`");
        assert!(err.contains(&warning), "missing {warning:?} in\n{err}");
    }
    // Worked out once, shown on both rows.
    assert_eq!(
        err.matches("did you mean `access-control`?").count(),
        2,
        "{err}"
    );
}

#[test]
fn evidence_lists_the_period_population_and_their_acknowledgements() {
    let book = book(SITE);
    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let csv = book.read("evidence/acknowledgements.csv");
    let row = |email: &str, doc: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("{email},")) && l.contains(&format!(",{doc},")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(csv.starts_with("email,name,type,start,end,document,title,version,version_since,assessed_on,status,due,acknowledged_version,acknowledged_on,renew_by,acknowledgements\n"), "{csv}");
    assert!(
        row("ann@example.com", "a").contains(
            ",2.0,2025-03-01,2025-12-31,acknowledged,2025-03-31,2.0,2025-03-15,2026-03-15,"
        ),
        "{}",
        row("ann@example.com", "a")
    );
    assert!(
        row("ben@example.com", "a").contains(",late,2025-03-31,v2.0,2025-04-20,"),
        "{}",
        row("ben@example.com", "a")
    );
    let cat = row("cat@example.com", "a");
    assert!(
        cat.contains(",outstanding,2025-03-31,1.0,2024-06-01,,"),
        "older version shown: {cat}"
    );
    assert!(cat.contains("1.0 on 2024-06-01 (acks/2025.csv:4)"), "{cat}");
    assert!(
        row("dan@example.com", "a").contains(",outstanding,2025-03-31,,,,"),
        "{}",
        row("dan@example.com", "a")
    );
    // Joined during the period: counted from start + 30 days.
    assert!(
        row("eve@example.com", "a").contains(",acknowledged,2025-07-20,2.0,2025-07-10,"),
        "{}",
        row("eve@example.com", "a")
    );
    assert!(
        row("gus@example.com", "c").contains(",lapsed,2025-02-01,1.0,2024-02-01,2025-02-01,"),
        "{}",
        row("gus@example.com", "c")
    );
    assert!(
        !csv.contains("fay@example.com"),
        "left before the period: {csv}"
    );
    assert!(!csv.contains(",b,"), "procedures are not required");
    let manifest = book.json("evidence/manifest.json");
    assert!(
        manifest["files"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["path"] == "acknowledgements.csv"))
    );
}

#[test]
fn malformed_files_are_errors_with_their_line() {
    let book = book(SITE);
    book.write(
        "acks/bad.csv",
        "email,document,version,date\nann@example.com,a,2.0,2025-03-15\nann@example.com,a,2.0,2025-02-30\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("error: acks/bad.csv:3: date `2025-02-30` is not a date (YYYY-MM-DD)"),
        "{err}"
    );
    book.remove("acks/bad.csv");
    book.write(
        "roster.csv",
        "email,name,type\nann@example.com,Ann,employee\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("error: roster.csv:1: no `start` column"),
        "{err}"
    );
    book.write("roster.csv", ROSTER);
    book.write(
        "site.toml",
        &SITE.replace("renew = \"annual\"", "renew = \"yearly\""),
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("acknowledgements.renew `yearly` is not a cadence"),
        "{err}"
    );
}
