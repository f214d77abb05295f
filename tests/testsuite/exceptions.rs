//! Policy exceptions (`kind: exception`): validation, expiry warnings, the register and section
//! notices only under `[publish] exceptions`, and always in `evidence`.

use crate::support::BookTest;
use crate::support::git::{ALICE, BOB};

/// The exceptions fixture committed on 2025-11-01; HEAD (the as-of date) on 2025-12-01.
fn exceptions_book() -> BookTest {
    let book = BookTest::fixture("exceptions").git();
    book.commit(ALICE, "2025-11-01T09:00:00Z", "Record the exceptions");
    // HEAD, and so the as-of date, is 1 December.
    book.commit_empty(ALICE, "2025-12-01T09:00:00Z", "Nothing new");
    book
}

fn publish(book: &BookTest) {
    book.write(
        "site.toml",
        &(book.read("site.toml") + "\n[publish]\nexceptions = true\n"),
    );
}

fn front_matter(text: &str) -> serde_json::Value {
    let rest = text.strip_prefix("---\n").unwrap_or(text);
    let yaml = &rest[..rest.find("\n---\n").unwrap_or(rest.len())];
    serde_yaml::from_str(yaml).unwrap_or(serde_json::Value::Null)
}

#[test]
fn check_warns_thirty_days_before_expiry_and_once_expired() {
    let book = exceptions_book();
    let run = book.run(&["check"]).success();
    let err = run.stderr();
    assert!(
        err.contains("warning: policies/exceptions/legacy-vpn.md:8: exception expires on 2025-12-20, in 19 days (as of 2025-12-01)"),
        "{err}"
    );
    assert!(
        err.contains("warning: policies/exceptions/shared-admin.md:8: exception expired on 2025-11-01 (30 days before the as-of date 2025-12-01) and is still open"),
        "{err}"
    );
    // Closed exceptions are history: no warning, however long ago they expired.
    assert!(!err.contains("old-laptops"), "{err}");
    assert!(
        run.stdout()
            .contains("1 document, 3 exceptions, 2/33 in-scope controls covered"),
        "{}",
        run.stdout()
    );
    assert_eq!(book.run(&["check", "--strict"]).code(), Some(1));
    let gh = book
        .run(&["check", "--format", "github"])
        .success()
        .stdout();
    assert!(
        gh.lines().any(|l| l
            .starts_with("::warning file=policies/exceptions/shared-admin.md,line=8,")
            && l.contains("exception expired on 2025-11-01")),
        "{gh}"
    );
    // 31 days before the end of the window the warning has not started; on the last day it has.
    let err = book
        .run(&["check", "--as-of", "2025-11-19"])
        .success()
        .stderr();
    assert!(!err.contains("legacy-vpn.md:8"), "{err}");
    let err = book
        .run(&["check", "--as-of", "2025-11-20"])
        .success()
        .stderr();
    assert!(err.contains("expires on 2025-12-20, in 30 days"), "{err}");
    let err = book
        .run(&["check", "--as-of", "2025-12-21"])
        .success()
        .stderr();
    assert!(
        err.contains("exception expired on 2025-12-20 (1 day before"),
        "{err}"
    );
}

#[test]
fn exceptions_stay_off_the_published_site_unless_asked() {
    let book = exceptions_book();
    book.write(
        "policies/exceptions/legacy-vpn.md",
        &book
            .read("policies/exceptions/legacy-vpn.md")
            .replace("replaced in December", "replaced in January"),
    );
    book.commit(
        BOB,
        "2025-12-01T10:00:00Z",
        "Extend the secret VPN exception",
    );
    book.run(&["build"]).success();
    assert!(!book.join("public/exceptions.html").exists());
    assert!(!book.join("public/exceptions").exists());
    assert!(!book.join("public/exceptions.csv").exists());
    let mut leaks = Vec::new();
    let files = walk(&book.join("public"));
    assert!(files.len() > 40, "the whole site is searched: {files:?}");
    for entry in files {
        let text = std::fs::read_to_string(&entry).unwrap_or_default();
        for secret in [
            "Legacy VPN without MFA",
            "legacy-vpn",
            "Extend the secret VPN exception",
            "warehouse scanners",
        ] {
            if text.contains(secret) {
                leaks.push(format!("{} contains {secret:?}", entry.display()));
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
    let home = book.read("public/index.html");
    assert!(!home.contains("exceptions.html"), "no Exceptions link");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn published_exceptions_have_a_register_pages_and_section_notices() {
    let book = exceptions_book();
    publish(&book);
    book.run(&["build"]).success();
    let register = book.read("public/exceptions.html");
    // What needs action first: expired, then expiring, then closed.
    let order: Vec<usize> = ["shared-admin", "legacy-vpn", "old-laptops"]
        .iter()
        .map(|id| {
            register
                .find(&format!("exceptions/{id}.html"))
                .unwrap_or_else(|| panic!("{id} listed"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(
        register.contains("<strong>1 expired and still open</strong>"),
        "{register}"
    );
    assert!(
        register.contains("<a href=\"documents/access-control.html#mfa\">Access Control Policy › Multi-factor authentication</a>"),
        "{register}"
    );
    assert!(register.contains("<a class=\"pb-control\" href=\"controls/MON-03.html\">MON-03</a>"));

    let page = book.read("public/exceptions/legacy-vpn.html");
    assert!(page.contains("<dt>Approved by</dt><dd>CISO</dd>"), "{page}");
    assert!(page.contains("warehouse scanners"), "{page}");
    assert!(
        page.contains("<a href=\"../documents/access-control.html#mfa\">policy</a>"),
        "links in the body resolve: {page}"
    );
    assert!(
        page.contains("Expires on <strong>2025-12-20</strong>"),
        "{page}"
    );

    let doc = book.read("public/documents/access-control.html");
    assert!(
        doc.contains("<p class=\"pb-notice pb-notice-exception\">Exception <a href=\"../exceptions/legacy-vpn.html\">legacy-vpn</a> applies to this section (expiring soon, expires 2025-12-20).</p>"),
        "{doc}"
    );
    assert!(doc.contains("exceptions/shared-admin.html"));
    assert!(
        !doc.contains("exceptions/old-laptops.html"),
        "closed exceptions are not announced on the policy"
    );
    assert!(
        book.read("public/index.html")
            .contains("href=\"exceptions.html\">Exceptions</a>")
    );

    let csv = book.read("public/exceptions.csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("id,title,exception_to,document_title,section_title,requested_by,approved_by,granted,expires,status,state,days_to_expiry,risk,compensating,path"));
    assert!(lines[1].starts_with("legacy-vpn,Legacy VPN without MFA,access-control#mfa,Access Control Policy,Multi-factor authentication,Head of Operations,CISO,2025-06-01,2025-12-20,open,expiring-soon,19,high,MON-03,"), "{csv}");
    assert!(lines[2].contains(",closed,closed,,low,"), "{csv}");
    assert!(lines[3].contains(",open,expired,-30,medium,"), "{csv}");
}

#[test]
fn evidence_always_has_the_exceptions() {
    let book = exceptions_book();
    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let csv = book.read("evidence/exceptions.csv");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains("shared-admin,"), "{csv}");
    let changes = book.read("evidence/changes.csv");
    assert!(
        changes
            .contains("legacy-vpn,Legacy VPN without MFA,policies/exceptions/legacy-vpn.md,added"),
        "{changes}"
    );
    let manifest = book.read("evidence/manifest.json");
    assert!(manifest.contains("exceptions.csv"), "{manifest}");
}

#[test]
fn exception_mistakes_are_errors_with_the_line_and_the_fix() {
    let book = exceptions_book();
    book.write(
        "policies/exceptions/bad.md",
        "---\ntitle: Bad\nkind: exception\nexception_to: acess-control#mfaa\nrequested_by: Jane Doe\napproved_by: jane  doe\ngranted: 2025-06-01\nexpires: 2025-05-01\nstatus: pending\ncompensating: [ACC-1]\ncontrols: [CC6.1]\n---\nBody.\n",
    )
    .write(
        "policies/exceptions/incomplete.md",
        "---\ntitle: Incomplete\nkind: exception\nexception_to: access-control#mfaa\nrisk: severe\n---\nBody.\n",
    )
    .write(
        "policies/exceptions/dup.md",
        "---\nid: access-control\ntitle: Dup\nkind: exception\nexception_to: access-control\nrequested_by: A\napproved_by: B\ngranted: 2025-06-01\nexpires: 2026-06-01\n---\n",
    )
    .write(
        "policies/notes.md",
        "---\ntitle: Notes\nkind: standard\nexpires: 2026-01-01\n---\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    for (expected, hint) in [
        (
            "error: policies/exceptions/bad.md:6: `approved_by` is the requester, jane  doe: an exception is approved by someone else",
            "name the person or role who granted it",
        ),
        (
            "error: policies/exceptions/bad.md:8: the exception expires (2025-05-01) before it is granted (2025-06-01)",
            "correct `granted` or `expires`",
        ),
        (
            "error: policies/exceptions/bad.md:9: unknown status `pending`",
            "allowed: open, closed, revoked",
        ),
        (
            "error: policies/exceptions/bad.md:11: `controls` is not used by an exception",
            "`compensating`",
        ),
        (
            "error: policies/exceptions/incomplete.md:2: the exception has no `requested_by`, `approved_by`, `granted`, `expires`",
            "who approved (`approved_by`)",
        ),
        (
            "error: policies/exceptions/incomplete.md:5: unknown risk `severe`",
            "allowed: low, medium, high",
        ),
        (
            "error: policies/exceptions/dup.md:3: the id `access-control` is already used by policies/access-control.md",
            "ids must be unique",
        ),
        (
            "error: policies/notes.md:4: `expires` is only for documents of `kind: exception`",
            "add `kind: exception`",
        ),
    ] {
        let at = err
            .find(expected)
            .unwrap_or_else(|| panic!("missing {expected:?} in\n{err}"));
        let block = err[at..].split("\n\n").next().unwrap_or_default();
        assert!(block.contains(hint), "{block}");
    }
    // Target and compensating controls are checked once the front matter is complete.
    book.write(
        "policies/exceptions/bad.md",
        "---\ntitle: Bad\nkind: exception\nexception_to: acess-control\nrequested_by: Jane Doe\napproved_by: CISO\ngranted: 2025-06-01\nexpires: 2026-05-01\ncompensating: [CC6.9]\n---\n",
    )
    .write(
        "policies/exceptions/incomplete.md",
        "---\ntitle: Incomplete\nkind: exception\nexception_to: access-control#mfaa\nrequested_by: A\napproved_by: B\ngranted: 2025-06-01\nexpires: 2026-06-01\n---\n",
    )
    .remove("policies/exceptions/dup.md")
    .remove("policies/notes.md");
    let err = book.run(&["check"]).fails_with(1).stderr();
    for (expected, hint) in [
        (
            "error: policies/exceptions/bad.md:4: `exception_to` names `acess-control`, but no document has that id",
            "did you mean `access-control`?",
        ),
        (
            "error: policies/exceptions/bad.md:9: unknown control `CC6.9` (framework soc2)",
            "did you mean `CC6.1`?",
        ),
        (
            "error: policies/exceptions/incomplete.md:4: `exception_to` names section `#mfaa`, but access-control has no such section",
            "did you mean `access-control#mfa`?",
        ),
    ] {
        let at = err
            .find(expected)
            .unwrap_or_else(|| panic!("missing {expected:?} in\n{err}"));
        let block = err[at..].split("\n\n").next().unwrap_or_default();
        assert!(block.contains(hint), "{block}");
    }
}

#[test]
fn the_schema_knows_exceptions() {
    let book = exceptions_book();
    let schema: serde_json::Value =
        serde_json::from_str(&book.run(&["schema"]).success().stdout()).unwrap_or_default();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    for id in ["legacy-vpn", "shared-admin", "old-laptops"] {
        let fm = front_matter(&book.read(&format!("policies/exceptions/{id}.md")));
        let errors: Vec<String> = validator.iter_errors(&fm).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{id}: {errors:?}");
    }
    for broken in [
        "---\ntitle: A\nkind: exception\nexception_to: a\nrequested_by: B\ngranted: 2025-01-01\nexpires: 2025-02-01\n---\n", // no approver
        "---\ntitle: A\nkind: exception\nexception_to: a\nrequested_by: B\napproved_by: C\ngranted: 2025-01-01\nexpires: 2025-02-01\nstatus: published\n---\n", // a document status
        "---\ntitle: A\nowner: B\nexpires: 2025-02-01\n---\n", // exception field on a policy
        "---\ntitle: A\nowner: B\nstatus: open\n---\n",        // an exception status on a policy
    ] {
        assert!(
            !validator.is_valid(&front_matter(broken)),
            "accepted: {broken}"
        );
    }
}

#[test]
fn new_exception_writes_a_record_to_fill_in() {
    let book = exceptions_book();
    book.run(&["new", "exception", "Legacy printer", "--owner", "IT lead"])
        .success();
    let text = book.read("policies/legacy-printer.md");
    assert!(text.contains("kind: exception\n"), "{text}");
    assert!(text.contains("requested_by: IT lead\n"), "{text}");
    assert!(text.contains("status: open\n"), "{text}");
    // Until someone says what it excepts and who approved it, it is not an exception.
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains(
            "policies/legacy-printer.md:2: the exception has no `exception_to`, `approved_by`"
        ),
        "{err}"
    );
}
