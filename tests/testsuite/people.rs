//! `people.yaml`: people and the roles they held, checked against the owners and approvers
//! documents and controls name; the people and roles page; `people.csv` in evidence.

use crate::support::BookTest;
use crate::support::git::ALICE;

const PEOPLE: &str = "\
# Who held which role, when.
- name: Jane Doe
  emails: [jane@example.com]
  logins: [jdoe]
  roles:
    - role: CISO
      from: 2023-01-01
      until: 2025-06-30
- name: Raj Patel
  emails: [raj@example.com]
  roles:
    - role: CISO
      from: 2025-07-01
    - role: CFO
      from: 2024-01-01
      until: 2024-12-31
- name: Ana Lima
  emails: [ana@example.com]
  roles: [Head of People]
";

fn people_book() -> BookTest {
    let book = BookTest::new("title = \"People\"\n[scope]\ngaps = \"allow\"\n").git();
    book.write("people.yaml", PEOPLE)
        .doc(
            "policies/a.md",
            "title: A\nowner: CISO\nreview: annual\napprovers: [CFO, Ana Lima, Chief Info Sec]\n",
            "Body.",
        )
        .doc(
            "policies/b.md",
            "title: B\nowner: head of people\nreview: annual\n",
            "Body.",
        )
        .write(
            "controls.yaml",
            "- id: ACC-01\n  title: T\n  statement: S.\n  owner: CIS0\n  frequency: annual\n",
        );
    book.commit(ALICE, "2024-01-01T09:00:00Z", "People");
    // HEAD, and so the as-of date, is 1 September 2025.
    book.commit_empty(ALICE, "2025-09-01T09:00:00Z", "Nothing new");
    book
}

#[test]
fn owners_and_approvers_name_roles_someone_holds_or_people() {
    let book = people_book();
    let err = book.run(&["check"]).success().stderr();
    for expected in [
        // The CFO role existed, but no one holds it on the as-of date.
        "warning: policies/a.md:5: approver `CFO`: no one holds this role on 2025-09-01",
        "warning: policies/a.md:5: approver `Chief Info Sec` is neither a role nor a person in people.yaml",
        "warning: controls.yaml:1: owner `CIS0` is neither a role nor a person in people.yaml",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert!(err.contains("did you mean `CISO`?"), "{err}");
    // A role held (any case) and a person are fine.
    assert!(!err.contains("`CISO`: no one"), "{err}");
    assert!(!err.contains("`Ana Lima`"), "{err}");
    assert!(!err.contains("head of people"), "{err}");
    // Before 1 July 2025 the CISO was Jane; in 2023 there was no CISO yet... and no CFO either.
    let err = book
        .run(&["check", "--as-of", "2024-06-01"])
        .success()
        .stderr();
    assert!(
        !err.contains("approver `CFO`: no one"),
        "Raj was CFO in 2024: {err}"
    );
}

#[test]
fn the_people_page_and_people_csv_say_who_held_which_role_when() {
    let book = people_book();
    book.run(&["build"]).success();
    let page = book.read("public/people.html");
    let row = |role: &str| {
        page.split(&format!("<th scope=\"row\">{role}</th>"))
            .nth(1)
            .and_then(|s| s.split("</tr>").next())
            .unwrap_or_default()
            .to_string()
    };
    let ciso = row("CISO");
    assert!(
        ciso.contains("Raj Patel <span class=\"pb-muted\">since 2025-07-01</span>"),
        "{ciso}"
    );
    assert!(
        ciso.contains("Jane Doe <span class=\"pb-muted\">2023-01-01 to 2025-06-30</span>"),
        "{ciso}"
    );
    assert!(ciso.contains("<td>1</td>"), "CISO owns A: {ciso}");
    let cfo = row("CFO");
    assert!(cfo.contains("no one"), "{cfo}");
    assert!(
        !page.contains("jane@example.com"),
        "emails are not published"
    );
    assert!(
        book.read("public/index.html")
            .contains("href=\"people.html\">People and roles</a>")
    );

    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    assert_eq!(
        book.read("evidence/people.csv"),
        "person,emails,logins,role,from,until,held_at_period_end\n\
         Jane Doe,jane@example.com,jdoe,CISO,2023-01-01,2025-06-30,no\n\
         Raj Patel,raj@example.com,,CISO,2025-07-01,,yes\n\
         Raj Patel,raj@example.com,,CFO,2024-01-01,2024-12-31,no\n\
         Ana Lima,ana@example.com,,Head of People,,,yes\n"
    );
}

#[test]
fn people_yaml_mistakes_are_errors_with_the_line() {
    let book = BookTest::new("title = \"People\"\n[scope]\ngaps = \"allow\"\n");
    book.write(
        "people.yaml",
        "- name: Jane Doe\n  email: [jane@example.com]\n  roles:\n    - role: CISO\n      from: 2025-13-01\n- name: Raj\n  emails: [raj@example.com, JANE@example.com]\n  emails2: x\n- emails: [x@y]\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    for expected in [
        "error: people.yaml:2: unknown field `email`",
        "error: people.yaml:5: `from` is not a date: `2025-13-01`",
        "error: people.yaml:8: unknown field `emails2`",
        "error: people.yaml:9: a person has no `name`",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert!(err.contains("did you mean `emails`?"), "{err}");
    // Two people claiming one address.
    book.write(
        "people.yaml",
        "- name: Jane Doe\n  emails: [jane@example.com]\n- name: Raj\n  emails: [raj@example.com, JANE@example.com]\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains(
            "error: people.yaml:4: the email `JANE@example.com` is Jane Doe's too (line 1)"
        ),
        "{err}"
    );
}
