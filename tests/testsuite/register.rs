//! The organisation's control register (`controls.yaml`, `controls/*.yaml`): validation with
//! file and line, the trace through controls, control and criterion pages, and releases read from
//! git with their register.

use crate::support::git::{ALICE, BOB};
use crate::support::{BookTest, broken_links};

fn register_book() -> BookTest {
    let book = BookTest::fixture("register").git();
    book.commit(ALICE, "2025-04-01T09:00:00Z", "Start the register");
    book
}

#[test]
fn check_traces_criteria_through_controls_and_says_what_is_missing() {
    let book = register_book();
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains("warning: site.toml:5: documented only: 1 in-scope criterion is mapped by documents but by no control of the register: CC7.2 (Monitoring for anomalies)"),
        "{err}"
    );
    assert!(
        err.contains("no control in operation: 1 in-scope criterion is met by no implemented, documented control of the organisation's: CC6.4 (ACC-05 planned)"),
        "{err}"
    );
    assert!(
        err.contains(
            "gap: 30 in-scope criteria are met by no control and mapped by no published document"
        ),
        "{err}"
    );
    // Every control is described somewhere, so none is reported undocumented.
    assert!(!err.contains("described by no published document"), "{err}");
    let out = book.run(&["check", "--format", "json"]).success().stdout();
    assert!(out.contains("\"controls_covered\": 4"), "{out}");
    assert_eq!(book.run(&["check", "--strict"]).code(), Some(1));
}

#[test]
fn control_pages_show_the_statement_the_policy_words_and_the_criteria() {
    let book = register_book();
    book.run(&["build"]).success();
    let page = book.read("public/controls/ACC-02.html");
    assert!(
        page.contains("<strong>system owners</strong>"),
        "the statement is Markdown: {page}"
    );
    assert!(!page.contains("javascript:"), "statements are sanitised");
    assert!(page.contains(
        "Each quarter, system owners export the list of accounts with production access"
    ));
    assert!(
        page.contains("href=\"../documents/access-control.html#access-review\""),
        "{page}"
    );
    assert!(page.contains("Access review ticket with reviewer sign-off"));
    assert!(page.contains(">CC6.2</a>") && page.contains(">CC6.3</a>"));
    assert!(page.contains("<code>controls.yaml:2</code>"), "{page}");
    let bck = book.read("public/controls/BCK-01.html");
    assert!(
        bck.contains("<code>controls/operations.yaml:1</code>"),
        "{bck}"
    );
    assert!(bck.contains("Backups run nightly."), "{bck}");

    // Criterion pages list the controls that map them, with the status.
    let cc64 = book.read("public/controls/soc2/CC6.4.html");
    assert!(cc64.contains("no control in operation"), "{cc64}");
    assert!(
        cc64.contains("href=\"../../controls/ACC-05.html\""),
        "{cc64}"
    );
    // The list of controls opens with the register.
    let index = book.read("public/controls/index.html");
    assert!(index.contains("Controls of Fixture Corp"), "{index}");
    assert!(index.find("ACC-02").unwrap() < index.find("CC1.1").unwrap());
    // Documents list the controls they describe; section badges and control: links go to them.
    let doc = book.read("public/documents/access-control.html");
    assert!(doc.contains("id=\"pb-register-title\""), "{doc}");
    assert!(
        doc.contains("href=\"../controls/ACC-02.html\">ACC-02</a>"),
        "{doc}"
    );
    assert!(
        doc.contains("<a href=\"../controls/BCK-01.html\">the backup control</a>"),
        "{doc}"
    );
    assert!(
        doc.contains("<a href=\"../controls/soc2/CC6.2.html\">CC6.2</a>"),
        "{doc}"
    );
    let broken = broken_links(&book.join("public"));
    assert!(broken.is_empty(), "{:?}", &broken[..broken.len().min(5)]);
}

#[test]
fn register_mistakes_are_errors_with_file_line_and_hint() {
    let book = BookTest::fixture("register");
    book.write(
        "controls/more.yaml",
        "- id: ACC-02\n  title: Again\n  statement: S\n  owner: O\n  frequency: annual\n  ownr: X\n- id: ACC-10\n  title: T\n  statement: S\n  owner: O\n  frequency: annualy\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    for (place, message, hint) in [
        (
            "controls/more.yaml:1:",
            "the control id `ACC-02` is already defined in controls.yaml:2",
            "ids must be unique",
        ),
        (
            "controls/more.yaml:6:",
            "unknown field `ownr`",
            "did you mean `owner`?",
        ),
        (
            "controls/more.yaml:11:",
            "unknown frequency `annualy`",
            "did you mean `annual`?",
        ),
    ] {
        assert!(
            err.contains(&format!("error: {place} {message}")),
            "{place} {message}\n{err}"
        );
        assert!(err.contains(hint), "{hint}\n{err}");
    }
    // An unknown criterion is an error on its line.
    book.write(
        "controls/more.yaml",
        "- id: ACC-09\n  title: T\n  statement: S\n  owner: O\n  frequency: annual\n  criteria: [CC6.9]\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("error: controls/more.yaml:6: unknown control `CC6.9`"),
        "{err}"
    );
    // A document naming a control that is neither in the register nor a criterion.
    book.write("controls/more.yaml", "");
    book.doc(
        "policies/extra.md",
        "title: X\nowner: O\nreview: annual\ncontrols: [ACC-99]\n",
        "",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("error: policies/extra.md:5: unknown control `ACC-99`"),
        "{err}"
    );
}

#[test]
fn a_release_is_built_with_the_register_of_its_commit() {
    let book = register_book();
    book.tag("v1.0", "2025-04-02T09:00:00Z", "First release");
    let site = book.read("site.toml");
    book.write("site.toml", &format!("{site}\n[versions]\ntags = \"v*\"\n"));
    // After the release, ACC-05 goes from planned to implemented.
    let register = book.read("controls.yaml");
    book.write(
        "controls.yaml",
        &register.replace("  status: planned\n", ""),
    );
    book.commit(ALICE, "2025-05-01T09:00:00Z", "ACC-05 in operation");
    book.run(&["build"]).success();
    assert!(
        book.read("public/v/v1.0/controls/ACC-05.html")
            .contains(">planned</span>")
    );
    assert!(
        book.read("public/controls/ACC-05.html")
            .contains(">implemented</span>")
    );
    let broken = broken_links(&book.join("public"));
    assert!(broken.is_empty(), "{:?}", &broken[..broken.len().min(5)]);
}

#[test]
fn the_register_schema_accepts_the_fixture_and_rejects_mistakes() {
    let book = BookTest::fixture("register");
    let out = book.run(&["schema", "--controls"]).success().stdout();
    let schema: serde_json::Value = serde_json::from_str(&out).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    for file in ["controls.yaml", "controls/operations.yaml"] {
        let value: serde_json::Value = serde_yaml::from_str(&book.read(file)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
    for bad in [
        "- id: ACC-1\n  title: T\n  statement: S\n  owner: O\n  frequency: yearly\n",
        "- id: ACC-1\n  title: T\n  statement: S\n  owner: O\n  frequency: annual\n  ownr: X\n",
        "- id: ACC-1\n  title: T\n  statement: S\n  owner: O\n  frequency: annual\n  criteria: [CC6.9]\n",
        "- title: T\n  statement: S\n  owner: O\n  frequency: annual\n",
    ] {
        let value: serde_json::Value = serde_yaml::from_str(bad).unwrap();
        assert!(!validator.is_valid(&value), "accepted: {bad}");
    }
    // The front matter schema knows the register's ids, for completion.
    let out = book.run(&["schema"]).success().stdout();
    assert!(out.contains("\"ACC-02\""), "{out}");
}

/// The rows of a CSV file, header first.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn exports_carry_the_register_and_publish_evidence_details_only_when_asked() {
    let book = register_book();
    book.run(&["build"]).success();

    let m = book.json("public/matrix.json");
    assert_eq!(m["summary"]["register_controls"], 4);
    let acc02 = &m["register"].as_array().unwrap()[0];
    assert_eq!(acc02["id"], "ACC-02");
    assert_eq!(acc02["frequency"], "quarterly");
    assert_eq!(acc02["criteria"][1]["id"], "CC6.3");
    assert_eq!(
        acc02["documented_by"][0]["section"], "access-review",
        "{acc02}"
    );
    // The published site names the evidence but not where it lives.
    assert_eq!(
        acc02["evidence"][0]["name"],
        "Access review ticket with reviewer sign-off"
    );
    assert!(acc02["evidence"][0]["system"].is_null(), "{acc02}");
    let criterion = |id: &str| {
        m["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(criterion("CC6.2")["status"], "covered");
    assert_eq!(criterion("CC6.2")["via_controls"][0], "ACC-02");
    assert_eq!(criterion("CC6.4")["status"], "incomplete");
    assert_eq!(criterion("CC7.2")["status"], "documented-only");
    assert_eq!(criterion("CC1.1")["status"], "gap");
    assert_eq!(criterion("P1.1")["status"], "out-of-scope");
    // A document's mapping to a register control has no framework.
    let doc = crate::support::matrix_document(&m, "access-control");
    assert!(
        doc["controls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "ACC-02" && c["framework"].is_null()),
        "{doc}"
    );

    let rows = csv_rows(&book.read("public/matrix.csv"));
    let cc62: Vec<_> = rows.iter().filter(|r| r[1] == "CC6.2").collect();
    assert!(
        cc62.iter()
            .any(|r| r[5] == "covered" && r[6] == "access-control" && r[13] == "ACC-02"),
        "{cc62:?}"
    );
    // A planned control nothing describes still has its row, with the criterion's status.
    assert!(
        rows.iter()
            .any(|r| r[1] == "CC6.4" && r[5] == "incomplete" && r[13] == "ACC-05"),
        "{rows:?}"
    );

    let controls = csv_rows(&book.read("public/controls.csv"));
    assert_eq!(controls.len(), 4);
    assert_eq!(controls[0][0], "ACC-02");
    assert_eq!(controls[0][12], "CC6.2; CC6.3");
    assert_eq!(
        controls[0][13],
        "Access review ticket with reviewer sign-off"
    );
    assert!(!book.read("public/controls/ACC-02.html").contains("Jira"));

    // Asked for, the site shows where the evidence lives and what is sampled.
    let site = book.read("site.toml");
    book.write(
        "site.toml",
        &format!("{site}\n[publish]\nevidence_details = true\n"),
    );
    book.run(&["build"]).success();
    let controls = csv_rows(&book.read("public/controls.csv"));
    assert_eq!(
        controls[0][13],
        "Access review ticket with reviewer sign-off (Jira; each quarterly review)"
    );
    assert!(book.read("public/controls/ACC-02.html").contains("Jira"));
    let m = book.json("public/matrix.json");
    assert_eq!(m["register"][0]["evidence"][0]["system"], "Jira");

    // A misspelt key is an error with a hint.
    book.write(
        "site.toml",
        &format!("{site}\n[publish]\nevidence_detail = true\n"),
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(err.contains("publish.evidence_detail"), "{err}");
    assert!(err.contains("evidence_details"), "{err}");
}

/// A register changed over time: OLD-01 replaced by NEW-01 on 1 April 2025, reviewed twice.
fn register_with_history() -> BookTest {
    let control = |id: &str, extra: &str| {
        format!(
            "- id: {id}\n  title: Control {id}\n  statement: Does {id}.\n  owner: IT\n  frequency: weekly\n  criteria: [CC6.1]\n{extra}"
        )
    };
    let book = BookTest::new("title = \"History\"\n[scope]\ngaps = \"allow\"\n").git();
    book.write(
        "controls.yaml",
        &(control("ACC-01", "  since: 2024-01-01\n") + &control("OLD-01", "")),
    )
    .doc(
        "policies/a.md",
        "title: A\nowner: CISO\nreview: annual\ncontrols: [ACC-01, OLD-01]\n",
        "Body.",
    );
    book.commit(ALICE, "2025-01-10T09:00:00Z", "Start the register");
    book.write(
        "controls.yaml",
        &(control("ACC-01", "  since: 2024-01-01\n")
            + &control(
                "OLD-01",
                "  status: retired\n  until: 2025-03-31\n  replaced_by: NEW-01\n",
            )
            + &control("NEW-01", "  since: 2025-04-01\n")),
    );
    book.commit(
        BOB,
        "2025-04-02T09:00:00Z",
        "Replace the weekly control\n\nReviewed-by: Carol Checker <carol@example.com>\n",
    );
    book.commit_empty(
        BOB,
        "2025-05-01T09:00:00Z",
        "Review the controls\n\nReviews: controls\nReviewed-by: Dana Auditor <dana@example.com>\n",
    );
    book
}

#[test]
fn the_register_has_a_history_and_its_significant_changes_are_listed() {
    let book = register_with_history();
    let err = book.run(&["check"]).success().stderr();
    assert!(!err.contains("Reviews: controls"), "a known id: {err}");
    book.run(&["build"]).success();
    let page = book.read("public/controls/index.html");
    let section = &page[page
        .find("id=\"register-history\"")
        .expect("a history section")..];
    let changes: Vec<&str> = section
        .lines()
        .filter(|l| l.contains("<time datetime=\"2025-0"))
        .collect();
    assert!(
        changes[0].contains("2025-04-01")
            && changes[0].contains(">NEW-01</a>")
            && changes[0].contains("introduced"),
        "{changes:#?}"
    );
    assert!(
        changes[1].contains("2025-03-31")
            && changes[1].contains(">OLD-01</a>")
            && changes[1].contains("replaced by")
            && changes[1].contains(">NEW-01</a>"),
        "{changes:#?}"
    );
    assert!(
        section.contains("last reviewed <time datetime=\"2025-05-01\">2025-05-01</time> by Dana Auditor <dana@example.com>")
            || section.contains("last reviewed <time datetime=\"2025-05-01\">2025-05-01</time> by Dana Auditor &lt;dana@example.com&gt;"),
        "{section}"
    );
    // Two revisions (the empty review commit changed nothing), both reviews listed.
    let revisions = section
        .split("pb-revisions")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_default();
    assert_eq!(
        revisions.matches("<tr>").count(),
        3,
        "a header and two rows: {revisions}"
    );
    assert!(revisions.contains("Replace the weekly control"));
    assert!(section.contains("by Carol Checker"), "{section}");
    let log = book.read("public/changes.html");
    assert!(
        log.contains("href=\"controls/index.html#register-history\">Control register</a>"),
        "{log}"
    );

    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let changes = book.read("evidence/changes.csv");
    assert!(
        changes.contains("2025-04-02,controls,Control register,controls.yaml,modified,"),
        "{changes}"
    );
    let reviews = book.read("evidence/reviews.csv");
    assert!(
        reviews.contains("controls,Control register,,,review,2025-05-01,,")
            && reviews.contains("Dana Auditor <dana@example.com>,Review the controls"),
        "{reviews}"
    );
    let significant = book.read("evidence/significant_changes.csv");
    assert_eq!(
        significant,
        "date,control,title,change,replaced_by,replaced_by_title,criteria,responsibility\n\
         2025-03-31,OLD-01,Control OLD-01,replaced,NEW-01,Control NEW-01,CC6.1,organization\n\
         2025-04-01,NEW-01,Control NEW-01,introduced,,,CC6.1,organization\n"
    );
    // A period before the change lists none; ACC-01 has operated since before it.
    book.run(&[
        "evidence",
        "--since",
        "2025-01-01",
        "--until",
        "2025-03-30",
        "--out",
        "q1",
    ])
    .success();
    assert_eq!(book.read("q1/significant_changes.csv").lines().count(), 1);

    // An uncommitted edit is not reviewed, and says so.
    book.write(
        "controls.yaml",
        &(book.read("controls.yaml") + "# edited\n"),
    );
    book.run(&["build"]).success();
    assert!(
        book.read("public/controls/index.html")
            .contains("uncommitted changes, not reviewed")
    );
}

#[test]
fn a_retired_control_without_an_end_date_is_a_warning() {
    let book = BookTest::new("title = \"T\"\n[scope]\ngaps = \"allow\"\n");
    book.write(
        "controls.yaml",
        "- id: OLD-01\n  title: Old\n  statement: Did.\n  owner: IT\n  frequency: weekly\n  status: retired\n",
    );
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains(
            "warning: controls.yaml:1: control `OLD-01` is retired but has no `until` date"
        ),
        "{err}"
    );
    assert!(err.contains("add `until: YYYY-MM-DD`"), "{err}");
}

#[test]
fn the_matrix_has_a_row_per_criterion_and_a_controls_view() {
    let book = register_book();
    book.run(&["build"]).success();
    let m = book.read("public/matrix.html");
    let row = |id: &str| {
        m.split("<tr class=\"pb-matrix-row")
            .find(|r| r.contains(&format!(">{id}</a>")))
            .unwrap_or_default()
            .split("</tr>")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let cc62 = row("CC6.2");
    assert!(cc62.contains("data-status=\"covered\""), "{cc62}");
    assert!(cc62.contains(">ACC-02</a>"), "{cc62}");
    assert!(
        cc62.contains("Access Control Policy › Quarterly access review"),
        "{cc62}"
    );
    assert!(
        cc62.contains("System owners") && cc62.contains("CISO"),
        "owners of the control and the document: {cc62}"
    );
    let cc64 = row("CC6.4");
    assert!(
        cc64.contains("data-status=\"incomplete\"") && cc64.contains("(planned)"),
        "{cc64}"
    );
    let cc72 = row("CC7.2");
    assert!(cc72.contains("data-status=\"documented-only\""), "{cc72}");
    // The controls view: one row per control, filterable by state, series and category.
    assert_eq!(m.matches("<tr class=\"pb-control-row").count(), 4);
    assert!(
        m.contains("data-series=\"CC6\" data-category=\"security\" data-state=\"planned\""),
        "{m}"
    );
    assert!(
        m.contains("<option value=\"planned\">planned (1)</option>"),
        "{m}"
    );
    assert!(
        m.contains("<option value=\"documented-only\">documented only (1)</option>"),
        "{m}"
    );
}

#[test]
fn criterion_pages_quote_their_controls_and_the_policy_language() {
    let book = register_book();
    book.run(&["build"]).success();
    let page = book.read("public/controls/soc2/CC6.2.html");
    let detail = page
        .split("<section class=\"pb-control-detail\" aria-labelledby=\"ctl-ACC-02\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap_or_default();
    assert!(
        detail.contains("implemented, quarterly, System owners"),
        "{detail}"
    );
    assert!(
        detail.contains("Every quarter, system owners review production access"),
        "the statement: {detail}"
    );
    assert!(
        detail.contains(
            "Each quarter, system owners export the list of accounts with production access"
        ),
        "the section's words, quoted: {detail}"
    );
    assert!(
        detail.contains("href=\"../../documents/access-control.html#access-review\">Access Control Policy › Quarterly access review</a>"),
        "{detail}"
    );
    let planned = book.read("public/controls/soc2/CC6.4.html");
    assert!(
        planned.contains("ACC-05") && planned.contains("planned, annual, HR"),
        "{planned}"
    );
}
