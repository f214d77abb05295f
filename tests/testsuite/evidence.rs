//! `policybook evidence` over a throwaway repository with changes before, during and after the
//! audit period.

use crate::support::git::{ALICE, BOB};
use crate::support::*;
use sha2::{Digest, Sha256};

/// A's front matter: annual, effective 2024-01-01, mapping `controls`.
fn a_front(controls: &str) -> String {
    format!(
        "title: A\nowner: CISO\nreview: annual\neffective: 2024-01-01\ncontrols: [{controls}]\n"
    )
}

const B_FRONT: &str = "title: B\nowner: CISO\nreview: quarterly\n";

/// The handbook and its commits, oldest first.
struct Scenario {
    book: BookTest,
    commits: Vec<git2::Oid>,
}

/// Period under audit: 2025-01-01 to 2025-06-30.
fn scenario() -> Scenario {
    let book = BookTest::new("title = \"Evidence\"\n").git();
    book.doc("policies/a.md", &a_front("CC6.1"), "One.")
        .doc("policies/b.md", B_FRONT, "One.")
        .doc("policies/c.md", "title: C\nowner: CISO\n", "No cadence.");
    let c0 = book.commit(ALICE, "2024-06-01T10:00:00Z", "Start the handbook");
    book.doc("policies/a.md", &a_front("CC6.1"), "One.\nTwo.");
    let c1 = book.commit(
        BOB,
        "2025-02-10T10:00:00Z",
        "Update A\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    let c2 = book.commit_empty(ALICE, "2025-03-01T10:00:00Z", "Review B\n\nReviews: b\n");
    book.doc("policies/a.md", &a_front("CC6.1"), "One.\nTwo.\nThree.");
    let c3 = book.commit(
        BOB,
        "2025-05-01T10:00:00Z",
        "=HYPERLINK(\"http://evil.example\")",
    );
    // After the period: a new control mapping and a new document, which the evidence must not see.
    book.doc("policies/a.md", &a_front("CC6.1, CC6.2"), "Later.")
        .doc(
            "policies/d.md",
            "title: D\nowner: CISO\nreview: annual\n",
            "Later.",
        );
    let c4 = book.commit(ALICE, "2025-08-01T10:00:00Z", "After the period");
    // And an uncommitted edit in the working tree, also invisible to evidence.
    book.doc(
        "policies/b.md",
        &format!("{B_FRONT}controls: [CC9.9]\n"),
        "Broken and uncommitted.",
    );
    Scenario {
        book,
        commits: vec![c0, c1, c2, c3, c4],
    }
}

fn rows(path: &std::path::Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records().map(|r| r.unwrap()).collect()
}

#[test]
fn evidence_for_a_period() {
    let s = scenario();
    let out = run(
        s.book.path(),
        &["evidence", "--since", "2025-01-01", "--until", "2025-06-30"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.contains(&format!(
            "documents as of commit {}",
            &s.commits[3].to_string()[..7]
        )),
        "{summary}"
    );
    let ev = s.book.path().join("evidence");

    // changes.csv: the two changes inside the period, oldest first, formula neutralised.
    let changes = rows(&ev.join("changes.csv"));
    let commits: Vec<&str> = changes.iter().map(|r| &r[7]).collect();
    assert_eq!(
        commits,
        [s.commits[1].to_string(), s.commits[3].to_string()]
    );
    assert_eq!(&changes[0][0], "2025-02-10");
    assert_eq!(&changes[0][1], "a");
    assert_eq!(&changes[0][10], "Rita Reviewer <rita@example.com>");
    assert_eq!(&changes[1][9], "'=HYPERLINK(\"http://evil.example\")");

    // reviews.csv: reviews in the period, and every lapse of cadence during it.
    let reviews = rows(&ev.join("reviews.csv"));
    let summary: Vec<(String, String, String, String)> = reviews
        .iter()
        .map(|r| {
            (
                r[0].to_string(),
                r[4].to_string(),
                r[5].to_string(),
                r[6].to_string(),
            )
        })
        .collect();
    let expect = |d: &str, e: &str, date: &str, due: &str| {
        (
            d.to_string(),
            e.to_string(),
            date.to_string(),
            due.to_string(),
        )
    };
    assert_eq!(
        summary,
        [
            // A: due 2025-01-01 (effective + 1 year), reviewed late on 2025-02-10.
            expect("a", "missed", "2025-02-10", "2025-01-01"),
            expect("a", "review", "2025-02-10", ""),
            // B: quarterly from its first commit, overdue since 2024-09-01, reviewed 2025-03-01,
            // then overdue again from 2025-06-01.
            expect("b", "missed", "2025-03-01", "2024-09-01"),
            expect("b", "review", "2025-03-01", ""),
            expect("b", "missed", "", "2025-06-01"),
            expect("c", "no-cadence", "", ""),
        ]
    );

    // The matrix is the one of the period's end, read from git.
    let m = json(&ev.join("matrix.json"));
    assert_eq!(m["source"]["commit"], s.commits[3].to_string());
    assert_eq!(m["source"]["as_of"], "2025-06-30");
    assert_eq!(m["source"]["dirty"], false);
    let ids: Vec<&str> = m["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let a = &m["documents"][0];
    let mapped: Vec<&str> = a["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(mapped, ["CC6.1"]);
    assert_eq!(a["last_changed"]["commit"], s.commits[3].to_string());
    assert_eq!(m["documents"][1]["review_status"], "overdue");
    assert!(ev.join("matrix.csv").is_file());

    // The manifest hashes every file it lists, and names the commits.
    let manifest = json(&ev.join("manifest.json"));
    assert_eq!(manifest["commit"], s.commits[3].to_string());
    assert_eq!(manifest["commit_date"], "2025-05-01");
    assert_eq!(manifest["head"], s.commits[4].to_string());
    let files = manifest["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "changes.csv",
            "controls.csv",
            "exceptions.csv",
            "matrix.csv",
            "matrix.json",
            "reviews.csv"
        ]
    );
    for f in files {
        let bytes = std::fs::read(ev.join(f["path"].as_str().unwrap())).unwrap();
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(f["sha256"], digest);
        assert_eq!(f["bytes"], bytes.len());
    }

    // Same period, same repository: byte-identical files.
    let before = read_tree(&ev);
    assert!(
        run(
            s.book.path(),
            &["evidence", "--since", "2025-01-01", "--until", "2025-06-30"]
        )
        .status
        .success()
    );
    assert_eq!(read_tree(&ev), before);
}

#[test]
fn evidence_errors() {
    let s = scenario();
    let out = run(
        s.book.path(),
        &["evidence", "--since", "2025-07-01", "--until", "2025-01-01"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is after --until"));

    let out = run(
        s.book.path(),
        &["evidence", "--since", "2020-01-01", "--until", "2020-12-31"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no commit on or before 2020-12-31"),
        "{}",
        stderr(&out)
    );

    let out = run(s.book.path(), &["evidence", "--since", "2025-01-01"]);
    assert_eq!(out.status.code(), Some(2), "--until is required");

    let plain = copy_fixture("good");
    let out = run(
        plain.path(),
        &["evidence", "--since", "2025-01-01", "--until", "2025-12-31"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not in a git repository"),
        "{}",
        stderr(&out)
    );
}
