//! `policybook init --demo`: the sample handbook with a year of history, in which `evidence`
//! shows every feature working (approvals by role, pull requests, a self-approval caught, a role
//! change, SSH-signed commits, acknowledgements, an exception), the same commits every time.

use crate::support::*;

fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["init", "--demo", "book"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("a year of history in git"),
        "{}",
        stdout(&out)
    );
    dir
}

fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn the_demo_year_shows_every_feature_in_the_evidence() {
    let dir = demo();
    let book = dir.path().join("book");
    let out = run(&book, &["check", "--strict"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("38/38 in-scope controls covered, 0 gaps (0 errors, 0 warnings)"),
        "{}",
        stdout(&out)
    );
    let out = run(
        &book,
        &["evidence", "--since", "2025-01-01", "--until", "2025-12-31"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let read = |f: &str| std::fs::read_to_string(book.join("evidence").join(f)).expect(f);

    let reviews = csv_rows(&read("reviews.csv"));
    let find = |doc: &str, pred: &dyn Fn(&std::collections::HashMap<String, String>) -> bool| {
        reviews
            .iter()
            .find(|r| r["document"] == doc && pred(r))
            .unwrap_or_else(|| panic!("no such review of {doc}: {reviews:#?}"))
            .clone()
    };
    // The CISO approving his own change does not count; the CEO's pull-request review does.
    let own = find("personnel-security", &|r| r["counts"] == "no");
    assert!(
        own["reason"].starts_with("self-approval: Daniel Reyes authored"),
        "{own:?}"
    );
    let ceo = find("personnel-security", &|r| {
        r["pr"] == "18" && r["counts"] == "yes"
    });
    assert_eq!(ceo["identity"], "verified");
    // After the role change the former CTO's review is refused and the new CTO's counts.
    let former = find("vulnerability-management", &|r| r["counts"] == "no");
    assert_eq!(
        former["reason"],
        "not an approver: Sara Lindqvist did not hold Chief Technology Officer on 2025-08-19"
    );
    find("vulnerability-management", &|r| {
        r["pr"] == "21" && r["counts"] == "yes" && r["reviewed_by"] == "Tom Becker"
    });
    // The annual review, in a commit signed with SSH: verified against allowed_signers.
    let annual = find("access-control", &|r| {
        r["subject"] == "Annual review of the handbook"
    });
    assert_eq!(annual["signature"], "verified");
    assert_eq!(annual["counts"], "yes");

    let people = read("people.csv");
    assert!(
        people.contains(
            "Tom Becker,tom.becker@example.com,tbecker,Chief Technology Officer,2025-07-01,,yes"
        ),
        "{people}"
    );
    assert!(people.contains("Sara Lindqvist,sara.lindqvist@example.com,slindqvist,Chief Technology Officer,2022-04-01,2025-06-30,no"), "{people}");

    let acks = csv_rows(&read("acknowledgements.csv"));
    let status = |email: &str, doc: &str| {
        acks.iter()
            .find(|r| r["email"] == email && r["document"] == doc)
            .map(|r| r["status"].clone())
    };
    assert_eq!(
        status("piet.vos@contractors.example.net", "acceptable-use").as_deref(),
        Some("late")
    );
    assert_eq!(
        status(
            "piet.vos@contractors.example.net",
            "vulnerability-management"
        )
        .as_deref(),
        Some("outstanding")
    );
    assert_eq!(
        status("nora.quist@example.com", "code-of-conduct").as_deref(),
        Some("acknowledged")
    );
    // Someone who left before a version took effect never had to acknowledge it.
    assert_eq!(
        status("sara.lindqvist@example.com", "vulnerability-management"),
        None
    );
    assert_eq!(
        status("sara.lindqvist@example.com", "acceptable-use").as_deref(),
        Some("acknowledged")
    );

    let changes = csv_rows(&read("changes.csv"));
    for pr in ["12", "15", "18", "21"] {
        assert!(
            changes.iter().any(|c| c["pr"] == pr),
            "pull request #{pr} in changes.csv"
        );
    }
    assert!(read("exceptions.csv").contains("legacy-billing-sso"));
    assert!(book.join("evidence/audit.xlsx").is_file());
}

#[test]
fn the_demo_is_the_same_every_time_and_never_mixes_into_a_folder() {
    let a = demo();
    let b = demo();
    let head = |d: &std::path::Path| {
        git2::Repository::open(d.join("book"))
            .and_then(|r| r.head()?.peel_to_commit().map(|c| c.id()))
            .expect("HEAD")
    };
    assert_eq!(head(a.path()), head(b.path()));
    let out = run(a.path(), &["init", "--demo", "book"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
}
