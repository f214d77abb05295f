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
            "audit.xlsx",
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

/// A sheet of `audit.xlsx` as text rows (dates as `YYYY-MM-DD`, numbers as written).
fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(path).expect("audit.xlsx opens");
    let range = wb.worksheet_range(name).expect("the sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::DateTime(d) => {
                        let (y, m, day, ..) = d.to_ymd_hms_milli();
                        format!("{y:04}-{m:02}-{day:02}")
                    }
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_workbook_agrees_with_the_csv_files() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let s = scenario();
    let out = run(
        s.book.path(),
        &["evidence", "--since", "2025-01-01", "--until", "2025-06-30"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ev = s.book.join("evidence");
    let xlsx = ev.join("audit.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).expect("opens");
    // No register here: no Controls sheet.
    assert_eq!(
        wb.sheet_names(),
        [
            "Matrix",
            "Scope",
            "Gaps",
            "Documents",
            "Revisions",
            "Approvals",
            "Exceptions",
            "Requests",
            "About"
        ]
    );

    // Matrix: one row per in-scope criterion of matrix.csv, with its status and sections.
    let csv = s.book.read("evidence/matrix.csv");
    let mut expected: std::collections::BTreeMap<String, (String, Vec<String>)> =
        Default::default();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    for row in r.records().map(Result::unwrap) {
        if &row[4] != "yes" {
            continue;
        }
        let e = expected
            .entry(row[1].to_string())
            .or_insert_with(|| (row[5].to_string(), Vec::new()));
        let place = match (&row[6], &row[10]) {
            ("", _) => String::new(),
            (d, "") => d.to_string(),
            (d, sec) => format!("{d}#{sec}"),
        };
        if !place.is_empty() && !e.1.contains(&place) {
            e.1.push(place);
        }
    }
    let matrix = sheet(&xlsx, "Matrix");
    assert_eq!(
        matrix[0],
        [
            "framework",
            "criterion",
            "series",
            "title",
            "summary",
            "status",
            "reason",
            "controls",
            "sections",
            "owners"
        ]
    );
    let got: std::collections::BTreeMap<String, (String, Vec<String>)> = matrix[1..]
        .iter()
        .map(|r| {
            let sections = r[8]
                .split("; ")
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect();
            (r[1].clone(), (r[5].clone(), sections))
        })
        .collect();
    assert_eq!(got, expected);
    assert!(got["CC6.1"].1.contains(&"a".to_string()), "{got:?}");
    let cc61 = matrix.iter().find(|r| r[1] == "CC6.1").unwrap();
    assert!(!cc61[6].is_empty(), "a reason: {cc61:?}");
    // Gaps: every in-scope criterion not covered.
    let gaps = sheet(&xlsx, "Gaps");
    let uncovered = got.values().filter(|(st, _)| st != "covered").count();
    assert_eq!(gaps.len() - 1, uncovered);

    // Revisions: changes.csv, row for row, with dates as dates and the formula-like subject as
    // text (never a formula).
    let changes = s.book.read("evidence/changes.csv");
    let revisions = sheet(&xlsx, "Revisions");
    assert_eq!(revisions.len(), changes.lines().count());
    assert_eq!(revisions[0][0], "date");
    let range = wb.worksheet_range("Revisions").unwrap();
    let subject_col = revisions[0].iter().position(|h| h == "subject").unwrap();
    let evil = range.rows().find_map(|r| match &r[subject_col] {
        Data::String(t) if t.starts_with("=HYPERLINK") => Some(t.clone()),
        _ => None,
    });
    assert!(evil.is_some(), "the subject is text: {revisions:?}");
    assert!(
        matches!(range.get((1, 0)), Some(Data::DateTime(_))),
        "dates are dates"
    );
    let formulas = wb.worksheet_formula("Revisions").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas"
    );

    // Documents: every document of the period's end, with its source's SHA-256.
    let docs = sheet(&xlsx, "Documents");
    assert_eq!(docs.len() - 1, 3);
    let a = docs.iter().find(|r| r[0] == "a").unwrap();
    let sha = docs[0].iter().position(|h| h == "sha256").unwrap();
    assert_eq!(a[sha].len(), 64);
    // About: the commit, the command and the inputs' hashes.
    let about = sheet(&xlsx, "About");
    let value = |k: &str| {
        about
            .iter()
            .find(|r| r[0] == k)
            .map(|r| r[1].clone())
            .unwrap()
    };
    assert_eq!(value("commit"), s.commits[3].to_string());
    assert_eq!(value("period end"), "2025-06-30");
    assert!(
        value("copy").starts_with("Generated 2025-06-30 from commit ")
            && value("copy").contains("Uncontrolled when printed or saved"),
        "{}",
        value("copy")
    );
    assert_eq!(
        value("command"),
        "policybook evidence --since 2025-01-01 --until 2025-06-30"
    );
    let site = about
        .iter()
        .find(|r| r[0] == "site.toml")
        .expect("site.toml hashed");
    let digest: String = Sha256::digest(b"title = \"Evidence\"\n")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(site[3], digest);
    assert!(about.iter().any(|r| r[0] == "policies/a.md"));

    // Two runs: the same bytes.
    let before = std::fs::read(&xlsx).unwrap();
    assert!(
        run(
            s.book.path(),
            &["evidence", "--since", "2025-01-01", "--until", "2025-06-30"]
        )
        .status
        .success()
    );
    assert_eq!(std::fs::read(&xlsx).unwrap(), before);
}

#[test]
fn the_workbook_has_the_register_and_the_scope() {
    let dir = committed_fixture("scope", "2025-03-01T09:00:00Z");
    let out = run(
        dir.path(),
        &["evidence", "--since", "2025-01-01", "--until", "2025-12-31"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let xlsx = dir.path().join("evidence/audit.xlsx");
    let controls = sheet(&xlsx, "Controls");
    let csv = std::fs::read_to_string(dir.path().join("evidence/controls.csv")).unwrap();
    assert_eq!(
        controls.len(),
        csv::Reader::from_reader(csv.as_bytes()).records().count() + 1
    );
    let scope = sheet(&xlsx, "Scope");
    let kinds: Vec<&str> = scope[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(kinds.contains(&"exclusion"), "{kinds:?}");
    assert!(
        kinds.contains(&"subservice organisation (carve-out)"),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("complementary subservice organisation control (CSOC) of AWS")),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"complementary user entity control (CUEC)"),
        "{kinds:?}"
    );
    let exclusion = scope.iter().find(|r| r[0] == "exclusion").unwrap();
    assert_eq!(exclusion[1], "CC6.5, A1.3");

    // The Documents sheet once site.toml starts with `base_url = "<base>"`, committed at `when`.
    let site = std::fs::read_to_string(dir.path().join("site.toml")).unwrap();
    let repo = git2::Repository::open(dir.path()).unwrap();
    let documents_at = |base: &str, when: &str| {
        std::fs::write(
            dir.path().join("site.toml"),
            format!("base_url = \"{base}\"\n{site}"),
        )
        .unwrap();
        crate::support::git::commit_all(&repo, crate::support::git::ALICE, when, "Publish");
        let out = run(
            dir.path(),
            &["evidence", "--since", "2025-01-01", "--until", "2025-12-31"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        sheet(&xlsx, "Documents")
    };

    // With base_url, each document's url is a link to its published page.
    let docs = documents_at("https://handbook.example.com/", "2025-03-02T09:00:00Z");
    let url = docs[0].iter().position(|h| h == "url").unwrap();
    assert_eq!(
        docs[1][url],
        format!("https://handbook.example.com/documents/{}.html", docs[1][0])
    );

    // A site-relative base_url (`/`, which Zola and Hugo sites often have) makes no address a
    // spreadsheet can open: the url stays the page's path, as text, and the workbook is written.
    let docs = documents_at("/", "2025-03-03T09:00:00Z");
    assert_eq!(docs[1][url], format!("documents/{}.html", docs[1][0]));
}
