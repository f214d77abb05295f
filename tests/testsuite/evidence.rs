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
            "acknowledgements.csv",
            "changes.csv",
            "controls.csv",
            "exceptions.csv",
            "matrix.csv",
            "matrix.json",
            "people.csv",
            "requests.csv",
            "reviews.csv",
            "significant_changes.csv"
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

/// The register for the request list: every kind of control, some starting or ending mid-year.
const REQUEST_REGISTER: &str = "\
- id: ACC-02
  title: Quarterly access review
  statement: System owners review production access every quarter.
  owner: System owners
  frequency: quarterly
  criteria: [CC6.2]
  evidence:
    - name: Access review ticket with reviewer sign-off
      system: Jira
      population: each quarterly review
    - name: List of accounts reviewed
      system: IAM export
- id: LOG-01
  title: Monthly log review
  statement: Security reviews the audit logs every month.
  owner: Security
  frequency: monthly
  since: 2025-07-01
  criteria: [CC7.2]
  evidence: [Signed log review]
- id: CHG-01
  title: Change approval
  statement: A second engineer approves every change.
  owner: Engineering
  frequency: per-event
  criteria: [CC8.1]
  evidence:
    - name: Pull request with approval
      system: GitHub
      population: merged pull requests
- id: MFA-01
  title: MFA enforced
  statement: The identity provider enforces MFA.
  owner: IT
  frequency: continuous
  automation: automated
  criteria: [CC6.1]
- id: BCK-09
  title: Weekly restore test
  statement: A restore is tested every week.
  owner: Platform
  frequency: weekly
  status: retired
  until: 2025-03-31
  criteria: [A1.2]
- id: HR-01
  title: Annual training
  statement: Everyone completes security training every year.
  owner: HR
  frequency: annual
  status: planned
  criteria: [CC2.2]
- id: CUS-01
  title: Customers review their users
  statement: Customers review their users.
  owner: Customers
  frequency: quarterly
  responsibility: customer
  criteria: [CC6.3]
";

#[test]
fn requests_list_what_an_auditor_will_ask_for_each_control() {
    let book = BookTest::new("title = \"Requests\"\n[scope]\ngaps = \"allow\"\n").git();
    book.write("controls.yaml", REQUEST_REGISTER).doc(
        "policies/a.md",
        "title: A\nowner: CISO\nreview: annual\ncontrols: [ACC-02, LOG-01, CHG-01, MFA-01, BCK-09]\n",
        "Body.",
    );
    book.commit(ALICE, "2025-01-05T10:00:00Z", "Register");
    let out = book
        .run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success()
        .stdout();
    assert!(
        out.contains(", 6 evidence requests, 2 significant changes to the controls;"),
        "LOG-01 introduced, BCK-09 retired: {out}"
    );
    let csv = book.read("evidence/requests.csv");
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_string).collect())
                .unwrap_or_default()
        })
        .collect();
    let cols = |r: &Vec<String>| {
        // control, evidence, system, population, request_type, expected, from, to
        [0, 5, 6, 7, 8, 9, 10, 11].map(|i| r[i].clone())
    };
    let got: Vec<[String; 8]> = rows.iter().map(cols).collect();
    let want = [
        [
            "ACC-02",
            "Access review ticket with reviewer sign-off",
            "Jira",
            "each quarterly review",
            "occurrences",
            "4",
            "2025-01-01",
            "2025-12-31",
        ],
        [
            "ACC-02",
            "List of accounts reviewed",
            "IAM export",
            "",
            "occurrences",
            "4",
            "2025-01-01",
            "2025-12-31",
        ],
        // Operating from 1 July: six monthly reviews.
        [
            "LOG-01",
            "Signed log review",
            "",
            "",
            "occurrences",
            "6",
            "2025-07-01",
            "2025-12-31",
        ],
        [
            "CHG-01",
            "Pull request with approval",
            "GitHub",
            "merged pull requests",
            "population",
            "complete population for the period",
            "2025-01-01",
            "2025-12-31",
        ],
        // Automated, and no evidence items listed: still requested.
        [
            "MFA-01",
            "",
            "",
            "",
            "configuration",
            "configuration and its change history",
            "2025-01-01",
            "2025-12-31",
        ],
        // Retired on 31 March: the Sundays of the first quarter.
        [
            "BCK-09",
            "",
            "",
            "",
            "occurrences",
            "13",
            "2025-01-01",
            "2025-03-31",
        ],
    ]
    .map(|r| r.map(str::to_string));
    assert_eq!(got, want.to_vec(), "{csv}");
    // Planned controls, and controls of customers or subservices, are not requested.
    assert!(!csv.contains("HR-01") && !csv.contains("CUS-01"), "{csv}");
    assert!(csv.starts_with("control,title,statement,owner,frequency,evidence,system,population,request_type,expected,from,to,status\n"));

    // A half-year period: two quarters, LOG-01 not yet operating.
    book.run(&[
        "evidence",
        "--since",
        "2025-01-01",
        "--until",
        "2025-06-30",
        "--out",
        "h1",
    ])
    .success();
    let h1 = book.read("h1/requests.csv");
    assert!(h1.contains(",occurrences,2,2025-01-01,2025-06-30,"), "{h1}");
    assert!(!h1.contains("LOG-01"), "{h1}");
}
