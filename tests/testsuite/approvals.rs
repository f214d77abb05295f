//! Approvals an auditor can re-perform: with `people.yaml`, a review counts only when its approver
//! held an approver role on that day (by `people.yaml` as it was in that commit), did not author
//! the change, and is identified as surely as `[reviews] require` asks; and a document changed
//! after its last approval is never "current".

use crate::support::BookTest;
use crate::support::git::ALICE;

const JANE: (&str, &str) = ("Jane Doe", "jane@example.com");

const PEOPLE: &str = "\
- name: Jane Doe
  emails: [jane@example.com]
  roles:
    - role: CISO
      from: 2023-01-01
      until: 2025-06-30
- name: Raj Patel
  emails: [raj@example.com]
  roles:
    - role: CISO
      from: 2025-07-01
- name: Ana Lima
  emails: [ana@example.com]
  roles: [Head of People]
";

const FRONT: &str = "title: A\nowner: CISO\napprovers: [CISO]\nreview: annual\n";

/// The history every test starts from, approvals noted on each commit.
fn history(site_extra: &str) -> BookTest {
    let book = BookTest::new(&format!(
        "title = \"Approvals\"\n[scope]\ngaps = \"allow\"\n{site_extra}"
    ))
    .git();
    book.write("people.yaml", PEOPLE)
        .doc("policies/a.md", FRONT, "One.");
    // Counts: Jane is CISO on 10 January, and did not write it.
    book.commit(
        ALICE,
        "2025-01-10T09:00:00Z",
        "Add A\n\nReviewed-by: Jane Doe <jane@example.com>\n",
    );
    // Self-approval: Jane approves her own edit.
    book.doc("policies/a.md", FRONT, "One.\n\nTwo.");
    book.commit(
        JANE,
        "2025-03-01T09:00:00Z",
        "Edit A\n\nReviewed-by: Jane Doe <jane@example.com>\n",
    );
    // Not an approver: Ana is Head of People.
    book.commit_empty(
        ALICE,
        "2025-04-01T09:00:00Z",
        "Review A\n\nReviews: a\nReviewed-by: Ana Lima <ana@example.com>\n",
    );
    // No longer an approver: Jane stopped being CISO on 30 June.
    book.commit_empty(
        ALICE,
        "2025-08-01T09:00:00Z",
        "Review A\n\nReviews: a\nReviewed-by: Jane Doe <jane@example.com>\n",
    );
    book
}

/// `PEOPLE` with a hosting-service login for each (email user, login).
fn with_logins(logins: &[(&str, &str)]) -> String {
    logins
        .iter()
        .fold(PEOPLE.to_string(), |people, (user, login)| {
            people.replace(
                &format!("  emails: [{user}@example.com]\n"),
                &format!("  emails: [{user}@example.com]\n  logins: [{login}]\n"),
            )
        })
}

fn reviews_of(book: &BookTest, as_of: &str) -> serde_json::Value {
    let m = book.build(&["--as-of", as_of]);
    m["documents"][0].clone()
}

#[test]
fn only_approvers_entitled_on_the_day_who_did_not_write_the_change_count() {
    let book = history("");
    // On 1 August the last counted approval is January's, and A changed in March.
    let err = book
        .run(&["check", "--as-of", "2025-08-01"])
        .success()
        .stderr();
    assert!(
        err.contains("policies/a.md: changed since approval: last approved 2025-01-10"),
        "{err}"
    );
    assert!(err.contains("changed 2025-03-01 by Jane Doe"), "{err}");
    let a = reviews_of(&book, "2025-08-01");
    assert_eq!(a["review_status"], "changed-since-approval", "{a}");
    assert_eq!(a["last_reviewed"]["date"], "2025-01-10", "{a}");
    let page = book.read("public/documents/a.html");
    for reason in [
        "self-approval: Jane Doe authored",
        "not an approver: Ana Lima did not hold CISO on 2025-04-01",
        "not an approver: Jane Doe did not hold CISO on 2025-08-01",
    ] {
        assert!(page.contains(reason), "missing {reason:?} in\n{page}");
    }
    assert!(page.contains("changed since approval"), "{page}");

    // Raj, CISO since July, approves: current again.
    book.commit_empty(
        ALICE,
        "2025-08-02T09:00:00Z",
        "Review A\n\nReviews: a\nReviewed-by: Raj Patel <raj@example.com>\n",
    );
    let a = reviews_of(&book, "2025-08-02");
    assert_eq!(a["review_status"], "current", "{a}");
    assert_eq!(a["last_reviewed"]["date"], "2025-08-02", "{a}");
    let err = book
        .run(&["check", "--as-of", "2025-08-02"])
        .success()
        .stderr();
    assert!(!err.contains("changed since approval"), "{err}");
}

#[test]
fn a_role_granted_after_the_fact_does_not_validate_an_old_approval() {
    let book = history("");
    // Ana is made CISO from 1 January, after the fact.
    book.write(
        "people.yaml",
        &PEOPLE.replace(
            "  roles: [Head of People]\n",
            "  roles:\n    - Head of People\n    - role: CISO\n      from: 2025-01-01\n",
        ),
    );
    book.commit(ALICE, "2025-09-01T09:00:00Z", "Ana is CISO too");
    let page = {
        book.run(&["build"]).success();
        book.read("public/documents/a.html")
    };
    assert!(
        page.contains("not an approver: Ana Lima did not hold CISO on 2025-04-01"),
        "judged by people.yaml as it was in April: {page}"
    );
    // Her approval from now on counts.
    book.commit_empty(
        ALICE,
        "2025-09-02T09:00:00Z",
        "Review A\n\nReviews: a\nReviewed-by: Ana Lima <ana@example.com>\n",
    );
    let a = book.build(&[]);
    assert_eq!(a["documents"][0]["last_reviewed"]["date"], "2025-09-02");
}

#[test]
fn self_approval_and_identity_are_settings() {
    let book = history("[reviews]\nallow_self_approval = true\n");
    let a = reviews_of(&book, "2025-08-01");
    assert_eq!(
        a["last_reviewed"]["date"], "2025-03-01",
        "Jane's own approval counts: {a}"
    );
    assert_eq!(a["review_status"], "current", "{a}");

    let book = history("[reviews]\nrequire = \"verified\"\n");
    let a = reviews_of(&book, "2025-08-01");
    assert_eq!(a["last_reviewed"], serde_json::Value::Null, "{a}");
    assert!(
        book.read("public/documents/a.html")
            .contains("unverified: Jane Doe&#39;s approval rests on a trailer")
            || book
                .read("public/documents/a.html")
                .contains("unverified: Jane Doe's approval rests on a trailer"),
    );
    let err = book.run(&["check"]).success().stderr();
    assert!(!err.contains("unknown key"), "{err}");
    let book = history("[reviews]\nrequire = \"signed\"\n");
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(err.contains("site.toml:5"), "{err}");
}

#[test]
fn without_people_yaml_approvals_are_not_checked() {
    let book = history("");
    book.remove("people.yaml");
    book.commit(ALICE, "2025-08-01T10:00:00Z", "No people file");
    let a = reviews_of(&book, "2025-08-01");
    // Jane's 1 August review counts as before.
    assert_eq!(a["last_reviewed"]["date"], "2025-08-01", "{a}");
}

#[test]
fn reviews_csv_says_which_approvals_count_and_why() {
    let book = history("");
    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let csv = book.read("evidence/reviews.csv");
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(str::to_string).collect())
                .unwrap_or_default()
        })
        .collect();
    // event, date, committer, identity, counts, reason
    let got: Vec<[&str; 6]> = rows
        .iter()
        .map(|r| [&r[4], &r[5], &r[10], &r[12], &r[13], &r[14]].map(String::as_str))
        .collect();
    assert_eq!(
        got[0],
        [
            "review",
            "2025-01-10",
            "Alice Owner <alice@example.com>",
            "asserted",
            "yes",
            ""
        ]
    );
    assert_eq!(
        got[1][..5],
        [
            "not-counted",
            "2025-03-01",
            "Jane Doe <jane@example.com>",
            "asserted",
            "no"
        ]
    );
    assert!(
        got[1][5].starts_with("self-approval: Jane Doe authored"),
        "{got:?}"
    );
    assert!(
        got[2][5].starts_with("not an approver: Ana Lima"),
        "{got:?}"
    );
    assert!(
        got[3][5].starts_with("not an approver: Jane Doe did not hold CISO on 2025-08-01"),
        "{got:?}"
    );
    assert!(csv.starts_with("document,title,owner,cadence,event,date,due,commit,reviewed_by,subject,committer,committed,identity,counts,reason,pr,signature\n"), "{csv}");
    let changes = book.read("evidence/changes.csv");
    assert!(
        changes
            .lines()
            .next()
            .is_some_and(|h| h.ends_with(",signature,committer,committed,pr,via_rename")),
        "{changes}"
    );
    assert!(
        changes.contains(",unsigned,Jane Doe <jane@example.com>,2025-03-01T09:00:00+00:00"),
        "{changes}"
    );
}

#[test]
fn approvals_are_dated_when_committed_and_backdating_shows() {
    use crate::support::git::{commit_all_at_times, seconds};
    let book = BookTest::new("title = \"Dates\"\n[scope]\ngaps = \"allow\"\n").git();
    // Effective on 1 January, but first approved on the 10th.
    book.doc(
        "policies/a.md",
        &format!("{FRONT}effective: 2025-01-01\n"),
        "One.",
    );
    book.commit(
        ALICE,
        "2025-01-10T09:00:00Z",
        "Add A\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains("warning: policies/a.md:6: effective before approval: `effective` is 2025-01-01, but this version was first approved on 2025-01-10"),
        "{err}"
    );
    book.doc(
        "policies/a.md",
        &format!("{FRONT}effective: 2025-06-01\n"),
        "Two.",
    );
    let may = book.commit(ALICE, "2025-05-01T09:00:00Z", "Edit A");
    // `git commit --date 2025-04-01`: the author date claims April, the commit entered the
    // history in June.
    book.write("policies/notes.txt", "x");
    commit_all_at_times(
        book.repo(),
        ALICE,
        (seconds("2025-04-01T09:00:00Z"), 0),
        (seconds("2025-06-01T09:00:00Z"), 0),
        "Review A\n\nReviews: a\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    let m = book.build(&["--as-of", "2025-05-15"]);
    assert_eq!(
        m["source"]["commit"],
        may.to_string(),
        "built from the commit of 1 May"
    );
    let a = &m["documents"][0];
    assert_eq!(
        a["last_reviewed"]["date"], "2025-01-10",
        "April's claim does not count in May: {a}"
    );
    assert_eq!(a["review_status"], "changed-since-approval", "{a}");
    // Before the first commit there was no handbook.
    let err = book
        .run(&["check", "--as-of", "2024-12-31"])
        .fails_with(1)
        .stderr();
    assert!(
        err.contains("--as-of 2024-12-31: the handbook has no commit on or before that day (its history starts on 2025-01-10)"),
        "{err}"
    );
    let a = book.build(&[]);
    assert_eq!(
        a["documents"][0]["last_reviewed"]["date"], "2025-06-01",
        "dated when committed"
    );
    assert_eq!(a["documents"][0]["review_status"], "current");

    // A commit whose committer date goes back before its parent's: backdated.
    book.write("policies/notes.txt", "y");
    commit_all_at_times(
        book.repo(),
        ALICE,
        (seconds("2025-03-01T09:00:00Z"), 0),
        (seconds("2025-03-01T09:00:00Z"), 0),
        "Review A again\n\nReviews: a\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains("date out of order: commit")
            && err.contains("was committed 2025-03-01T09:00:00+00:00, before its parent"),
        "{err}"
    );
}

#[test]
fn as_of_ignores_a_branch_merged_after_that_day() {
    use crate::support::git::signature;
    let book = BookTest::new("title = \"Branches\"\n[scope]\ngaps = \"allow\"\n").git();
    book.doc("policies/a.md", FRONT, "One.");
    let a = book.commit(
        ALICE,
        "2024-01-10T09:00:00Z",
        "Add A\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    let repo = book.repo();
    let tree = repo.find_commit(a).and_then(|c| c.tree()).expect("tree");
    // On a branch: a review committed on 1 February 2025…
    let parent = repo.find_commit(a).expect("commit");
    let at = |when: &str| signature(ALICE, when);
    let b = repo
        .commit(
            None,
            &at("2025-02-01T09:00:00Z"),
            &at("2025-02-01T09:00:00Z"),
            "Review A\n\nReviews: a\nReviewed-by: Rita Reviewer <rita@example.com>\n",
            &tree,
            &[&parent],
        )
        .expect("branch commit");
    // …while main moves on, and merges it only on 1 April.
    let c = book.commit_empty(ALICE, "2025-03-01T09:00:00Z", "Unrelated");
    let (c, b) = (
        repo.find_commit(c).expect("main"),
        repo.find_commit(b).expect("branch"),
    );
    repo.commit(
        Some("HEAD"),
        &at("2025-04-01T09:00:00Z"),
        &at("2025-04-01T09:00:00Z"),
        "Merge the review",
        &tree,
        &[&c, &b],
    )
    .expect("merge");
    // On 15 March the review was on a branch, not in the handbook: A was last reviewed in 2024
    // and is overdue.
    let m = book.build(&["--as-of", "2025-03-15"]);
    assert_eq!(m["documents"][0]["last_reviewed"]["date"], "2024-01-10");
    assert_eq!(m["documents"][0]["review_status"], "overdue");
    // Once merged, it counts, dated when it was committed.
    let m = book.build(&["--as-of", "2025-04-15"]);
    assert_eq!(m["documents"][0]["last_reviewed"]["date"], "2025-02-01");
}

#[test]
fn pull_requests_are_named_and_linked() {
    let book = BookTest::new(
        "title = \"PRs\"\nrepository_url = \"https://github.com/example/handbook\"\n[scope]\ngaps = \"allow\"\n",
    )
    .git();
    book.doc("policies/a.md", FRONT, "One.");
    book.commit(ALICE, "2025-01-10T09:00:00Z", "Add A");
    book.doc("policies/a.md", FRONT, "Two.");
    book.commit(ALICE, "2025-02-10T09:00:00Z", "Tighten A (#45)");
    book.run(&["build"]).success();
    let page = book.read("public/documents/a.html");
    assert!(
        page.contains(
            "<a class=\"pb-pr\" href=\"https://github.com/example/handbook/pull/45\">#45</a>"
        ),
        "{page}"
    );
    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let changes = book.read("evidence/changes.csv");
    assert!(
        changes
            .lines()
            .next()
            .is_some_and(|h| h.ends_with(",pr,via_rename")),
        "{changes}"
    );
    let row = changes
        .lines()
        .find(|l| l.contains("Tighten A"))
        .unwrap_or_default();
    assert!(row.ends_with(",45,"), "{row}");
    let first = changes
        .lines()
        .find(|l| l.contains("Add A"))
        .unwrap_or_default();
    assert!(first.ends_with(",,"), "no pull request: {first}");
}

#[test]
fn pull_request_reviews_are_verified_approvals() {
    let book = BookTest::new(
        "title = \"PR reviews\"\n[scope]\ngaps = \"allow\"\n[reviews]\nrequire = \"verified\"\npull_requests = \"reviews/*.json\"\n",
    )
    .git();
    let people = with_logins(&[("raj", "rpatel"), ("jane", "jdoe")]);
    book.write("people.yaml", &people)
        .doc("policies/a.md", FRONT, "One.");
    book.commit(ALICE, "2025-07-10T09:00:00Z", "Add A");
    book.doc("policies/a.md", FRONT, "Two.");
    let merge = book.commit(ALICE, "2025-08-04T09:00:00Z", "Tighten A (#7)");
    let pr = |reviews: &str| {
        format!(
            r#"[{{"number": 7, "title": "Tighten A", "author": {{"login": "alice"}},
  "mergedAt": "2025-08-04T09:00:00Z", "mergeCommit": {{"oid": "{merge}"}}, "headRefOid": "head2",
  "files": [{{"path": "policies/a.md", "additions": 1, "deletions": 1}}],
  "reviews": [{reviews}]}}]"#
        )
    };
    let review = |login: &str, state: &str, at: &str, commit: &str| {
        format!(
            r#"{{"author": {{"login": "{login}"}}, "state": "{state}", "submittedAt": "{at}", "commit": {{"oid": "{commit}"}}}}"#
        )
    };
    book.write(
        "reviews/2025.json",
        &pr(&[
            review("rpatel", "APPROVED", "2025-08-03T10:00:00Z", "head2"),
            review("jdoe", "APPROVED", "2025-08-01T10:00:00Z", "head2"),
            review("jdoe", "CHANGES_REQUESTED", "2025-08-02T10:00:00Z", "head2"),
            review("ana", "APPROVED", "2025-08-01T10:00:00Z", "head1"),
            review("alice", "APPROVED", "2025-08-03T11:00:00Z", "head2"),
        ]
        .join(",")),
    );
    book.commit(ALICE, "2025-08-05T09:00:00Z", "Record the reviews");
    let m = book.build(&[]);
    let a = &m["documents"][0];
    assert_eq!(
        a["last_reviewed"]["date"], "2025-08-03",
        "Raj's review, dated when submitted: {a}"
    );
    assert_eq!(a["last_reviewed"]["reviewers"][0], "Raj Patel");
    let page = book.read("public/documents/a.html");
    for reason in [
        "pull request #7: the latest review of @jdoe is CHANGES_REQUESTED",
        "pull request #7: @ana approved an earlier revision, not the one merged",
        "self-approval: @alice approved their own pull request #7",
    ] {
        assert!(page.contains(reason), "missing {reason:?} in\n{page}");
    }
    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let reviews = book.read("evidence/reviews.csv");
    assert!(
        reviews.lines().any(|l| l.contains(",review,2025-08-03,")
            && l.contains(",verified,yes,")
            && l.ends_with(",7,unsigned")),
        "{reviews}"
    );

    // A file cut off at gh's default limit, and a malformed one.
    let thirty: Vec<String> = (1..=30)
        .map(|n| format!(r#"{{"number": {n}, "reviews": [], "files": []}}"#))
        .collect();
    book.write("reviews/old.json", &format!("[{}]", thirty.join(",\n")));
    let err = book.run(&["check"]).success().stderr();
    assert!(err.contains("holds exactly 30 pull requests"), "{err}");
    book.write("reviews/bad.json", "[{\"number\": 1,\n  \"reviews\": [}]");
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("error: reviews/bad.json:2: invalid pull-request file"),
        "{err}"
    );
}

#[test]
fn a_co_author_cannot_approve_the_change() {
    let book = BookTest::new("title = \"Co\"\n[scope]\ngaps = \"allow\"\n").git();
    book.write("people.yaml", PEOPLE)
        .doc("policies/a.md", FRONT, "One.");
    book.commit(
        ALICE,
        "2025-08-10T09:00:00Z",
        "Add A\n\nCo-authored-by: Raj Patel <raj@example.com>\nReviewed-by: Raj Patel <raj@example.com>\n",
    );
    book.run(&["build"]).success();
    let page = book.read("public/documents/a.html");
    assert!(page.contains("self-approval: Raj Patel authored"), "{page}");
    // Approving a later edit approves the co-written text too, which Raj cannot do either;
    // without his co-authorship the same approval counts.
    book.doc("policies/a.md", FRONT, "Two.");
    book.commit(
        ALICE,
        "2025-08-11T09:00:00Z",
        "Edit A\n\nReviewed-by: Raj Patel <raj@example.com>\n",
    );
    let m = book.build(&[]);
    assert_eq!(m["documents"][0]["last_reviewed"], serde_json::Value::Null);
    let solo = BookTest::new("title = \"Solo\"\n[scope]\ngaps = \"allow\"\n").git();
    solo.write("people.yaml", PEOPLE)
        .doc("policies/a.md", FRONT, "One.");
    solo.commit(
        ALICE,
        "2025-08-10T09:00:00Z",
        "Add A\n\nReviewed-by: Raj Patel <raj@example.com>\n",
    );
    let m = solo.build(&[]);
    assert_eq!(m["documents"][0]["last_reviewed"]["date"], "2025-08-10");
}

#[test]
fn a_trailer_approval_dated_far_from_its_merge_is_flagged() {
    let book = BookTest::new(
        "title = \"Merge dates\"\n[scope]\ngaps = \"allow\"\n[reviews]\npull_requests = \"prs.json\"\n",
    )
    .git();
    book.doc("policies/a.md", FRONT, "One.");
    let merge = book.commit(
        ALICE,
        "2025-08-04T09:00:00Z",
        "Add A (#7)\n\nReviewed-by: Raj Patel <raj@example.com>\n",
    );
    let pr = |merged: &str| {
        format!(
            r#"[{{"number": 7, "author": {{"login": "alice"}}, "mergedAt": "{merged}", "mergeCommit": {{"oid": "{merge}"}}, "headRefOid": "h", "files": [], "reviews": []}}]"#
        )
    };
    book.write("prs.json", &pr("2025-08-04T09:00:00Z"));
    let err = book.run(&["check"]).success().stderr();
    assert!(!err.contains("days apart"), "{err}");
    book.write("prs.json", &pr("2025-06-01T09:00:00Z"));
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains("but pull request #7 merged it on 2025-06-01 (64 days apart)"),
        "{err}"
    );
}

#[test]
fn a_merge_commit_pull_request_is_approved_by_reviewers_who_wrote_none_of_it() {
    use crate::support::git::signature;
    let book = BookTest::new(
        "title = \"Merges\"\n[scope]\ngaps = \"allow\"\n[reviews]\npull_requests = \"prs.json\"\n",
    )
    .git();
    let people = with_logins(&[("raj", "rpatel"), ("ana", "alima")])
        .replace(
            "      from: 2025-07-01\n",
            "      from: 2025-07-01\n    - role: Deputy CISO\n      from: 2025-01-01\n",
        )
        .replace(
            "  roles: [Head of People]\n",
            "  roles: [Head of People, Deputy CISO]\n",
        );
    let front = "title: A\nowner: CISO\napprovers: [CISO, Deputy CISO]\nreview: annual\n";
    book.write("people.yaml", &people)
        .doc("policies/a.md", front, "One.");
    let base = book.commit(ALICE, "2025-05-01T09:00:00Z", "Add A");
    // The pull request's branch: a trailer approval written long before the merge, Bob's edit,
    // and a fix by Raj, who then reviews the pull request.
    let early = book.commit_empty(
        ("Bob Builder", "bob@example.com"),
        "2025-06-01T09:00:00Z",
        "Start the rewrite\n\nReviews: a\nReviewed-by: Ana Lima <ana@example.com>\n",
    );
    book.doc("policies/a.md", front, "Two.");
    book.commit(
        ("Bob Builder", "bob@example.com"),
        "2025-08-01T09:00:00Z",
        "Rewrite A",
    );
    book.write("notes.txt", "typo fixed");
    let tip = book.commit(
        ("Raj Patel", "raj@example.com"),
        "2025-08-02T09:00:00Z",
        "Fix a typo",
    );
    let repo = book.repo();
    let branch = repo.head().expect("head").name().expect("name").to_string();
    repo.reference(&branch, base, true, "back to main")
        .expect("reset");
    let (base_c, tip_c) = (
        repo.find_commit(base).expect("base"),
        repo.find_commit(tip).expect("tip"),
    );
    let at = signature(ALICE, "2025-08-04T09:00:00Z");
    let merge = repo
        .commit(
            Some("HEAD"),
            &at,
            &at,
            "Merge pull request #9 from bob/rewrite\n\nRewrite A",
            &tip_c.tree().expect("tree"),
            &[&base_c, &tip_c],
        )
        .expect("merge");
    let review = |login: &str, at: &str| {
        format!(
            r#"{{"author": {{"login": "{login}"}}, "state": "APPROVED", "submittedAt": "{at}", "commit": {{"oid": "{tip}"}}}}"#
        )
    };
    book.write(
        "prs.json",
        &format!(
            r#"[{{"number": 9, "author": {{"login": "bob"}}, "mergedAt": "2025-08-04T09:00:00Z",
  "mergeCommit": {{"oid": "{merge}"}}, "headRefOid": "{tip}",
  "files": [{{"path": "policies/a.md"}}, {{"path": "notes.txt"}}],
  "reviews": [{}, {}]}}]"#,
            review("rpatel", "2025-08-03T10:00:00Z"),
            review("alima", "2025-08-03T11:00:00Z"),
        ),
    );
    let out = book.run(&["build"]).success();
    let err = out.stderr();
    let m = book.json("public/matrix.json");
    let a = &m["documents"][0];
    assert_eq!(
        a["last_reviewed"]["date"], "2025-08-03",
        "Ana's review of the merged pull request counts: {a}"
    );
    assert_eq!(a["last_reviewed"]["reviewers"][0], "Ana Lima");
    let page = book.read("public/documents/a.html");
    assert!(
        page.contains("self-approval: @rpatel approved their own pull request #9 (its author, or an author or co-author of its commits)"),
        "Raj wrote a commit of the pull request: {page}"
    );
    let early = &early.to_string()[..7];
    assert!(
        err.contains(&format!(
            "the approval in commit {early} is dated 2025-06-01, but pull request #9 merged it on 2025-08-04 (64 days apart)"
        )),
        "{err}"
    );
    assert!(err.contains("brought in by the merge"), "{err}");
}
