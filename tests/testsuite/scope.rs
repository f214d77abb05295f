//! The audit's scope (`[[scope.exclusions]]`, `[[subservice]]`) and dates: criteria excluded as
//! not applicable, carve-outs relied on only while a control of ours monitors them, controls
//! customers perform, and documents and controls that take effect after the as-of date.

use crate::support::BookTest;
use crate::support::git::ALICE;

/// The scope fixture committed on 2025-12-01, which is then the as-of date.
fn scope_book() -> BookTest {
    let book = BookTest::fixture("scope").git();
    book.commit(ALICE, "2025-12-01T09:00:00Z", "Scope the audit");
    book
}

fn status_of(m: &serde_json::Value, id: &str) -> (String, String) {
    let c = m["controls"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("{id} is in matrix.json"));
    (
        c["status"].as_str().unwrap_or_default().to_string(),
        c["reason"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn check_reports_exclusions_carve_outs_user_controls_and_dates() {
    let book = scope_book();
    let run = book.run(&["check"]).success();
    let err = run.stderr();
    for expected in [
        "warning: site.toml:8: `CC6.5` is excluded as not applicable, but security maps it",
        "warning: site.toml:22: the user control of AWS \"Customers enable encryption at rest\" is met by no control of ours",
        "warning: site.toml:29: the report of subservice `Okta` covers up to 2025-03-31, more than 3 months before the as-of date 2025-12-01, and no bridge letter is recorded",
        "warning: site.toml:30: gap: CC6.2 relies on the controls of subservice `Okta`, but its monitoring control VND-02 is not in operation (planned)",
        "warning: controls.yaml:54: control `CHG-01` operates from 2026-01-01, after the as-of date 2025-12-01: it meets no criterion yet",
        "warning: policies/monitoring.md:6: not yet effective: `effective` is 2026-02-01, after the as-of date 2025-12-01, so this document covers nothing yet",
        "CC6.3 (CUS-01 customer), CC7.2 (MON-01 undocumented), CC8.1 (CHG-01 from 2026-01-01)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    // The AWS report is recent enough, and CC6.2's gap is told once, at the subservice.
    assert!(!err.contains("subservice `AWS` covers up to"), "{err}");
    let generic = err
        .lines()
        .find(|l| l.contains("mapped by no published document:"))
        .unwrap_or_default();
    assert!(!generic.contains("CC6.2"), "{generic}");
    // 36 criteria in scope, 2 not applicable: 34 apply; CC6.1, CC9.2 and CC6.4 (with AWS) met.
    let out = run.stdout();
    assert!(
        out.contains("3/34 in-scope controls covered, 28 gaps (0 errors, 10 warnings)"),
        "{out}"
    );

    let gh = book
        .run(&["check", "--format", "github"])
        .success()
        .stdout();
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::warning file=site.toml,line=30,")
                && l.contains("gap: CC6.2 relies on the controls of subservice `Okta`")),
        "{gh}"
    );
    assert!(
        gh.lines().any(
            |l| l.starts_with("::warning file=policies/monitoring.md,line=6,")
                && l.contains("not yet effective")
        ),
        "{gh}"
    );
}

#[test]
fn statuses_say_why_in_pages_and_exports() {
    let book = scope_book();
    book.run(&["build"]).success();
    let m = book.json("public/matrix.json");
    let (s, why) = status_of(&m, "CC6.5");
    assert_eq!(s, "not-applicable");
    assert!(why.contains("no physical media"), "{why}");
    assert_eq!(status_of(&m, "A1.3").0, "not-applicable");
    let (s, why) = status_of(&m, "CC6.4");
    assert_eq!(s, "covered-with-csocs");
    assert!(
        why.contains("subservice AWS") && why.contains("VND-01"),
        "{why}"
    );
    let (s, why) = status_of(&m, "CC6.2");
    assert_eq!(s, "gap");
    assert!(why.contains("Okta"), "{why}");
    assert_eq!(status_of(&m, "CC6.3").0, "incomplete");
    let (s, why) = status_of(&m, "CC8.1");
    assert_eq!(s, "incomplete");
    assert!(why.contains("CHG-01 (from 2026-01-01)"), "{why}");
    assert_eq!(status_of(&m, "CC7.2").0, "incomplete");
    assert_eq!(status_of(&m, "CC6.1").0, "covered");
    assert_eq!(m["summary"]["controls_in_scope"], 34);
    assert_eq!(m["summary"]["criteria_not_applicable"], 2);
    assert_eq!(
        m["exclusions"][0]["criteria"],
        serde_json::json!(["CC6.5", "A1.3"])
    );
    let aws = &m["subservices"][0];
    assert_eq!(aws["name"], "AWS");
    assert_eq!(aws["monitored"], true);
    assert_eq!(aws["csocs"], serde_json::json!(["PHY-01"]));
    assert_eq!(
        aws["report_period"],
        serde_json::json!(["2024-10-01", "2025-09-30"])
    );
    assert_eq!(aws["user_controls"][1]["control"], serde_json::Value::Null);
    assert_eq!(m["subservices"][1]["monitored"], false);
    let gaps: Vec<&str> = m["gaps"]
        .as_array()
        .map(|g| g.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(gaps.contains(&"CC6.2") && !gaps.contains(&"CC6.5"));

    let csv = book.read("public/matrix.csv");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("soc2,CC6.5,") && l.contains("not-applicable")),
        "{csv}"
    );

    let page = book.read("public/controls/soc2/CC6.4.html");
    assert!(page.contains("pb-criterion-covered-with-csocs"), "{page}");
    assert!(
        page.contains("href=\"../../scope.html#subservice-aws\">AWS</a>"),
        "{page}"
    );
    let page = book.read("public/controls/soc2/CC8.1.html");
    assert!(page.contains("CHG-01 (from 2026-01-01)"), "{page}");
    let doc = book.read("public/documents/monitoring.html");
    assert!(doc.contains("effective from 2026-02-01"), "{doc}");
    let ctl = book.read("public/controls/PHY-01.html");
    assert!(
        ctl.contains("href=\"../scope.html#subservice-aws\">subservice:AWS</a>"),
        "{ctl}"
    );
}

#[test]
fn the_scope_page_reads_like_a_system_description() {
    let book = scope_book();
    book.run(&["build"]).success();
    let page = book.read("public/scope.html");
    for expected in [
        "Availability <span class=\"pb-muted\">(3 criteria)</span> — in scope",
        "The system has no physical media to dispose of",
        "<h3 id=\"subservice-aws-title\">AWS</h3>",
        "<time datetime=\"2024-10-01\">2024-10-01</time> to <time datetime=\"2025-09-30\">2025-09-30</time>",
        "Customers restrict IAM access to their accounts — met by <a class=\"pb-control\" href=\"controls/ACC-01.html\">ACC-01</a>",
        "Customers enable encryption at rest — <span class=\"pb-badge pb-badge-gap\">no control of ours</span>",
        "<a class=\"pb-control\" href=\"controls/PHY-01.html\">PHY-01</a> Data centre physical access",
        "<a class=\"pb-control\" href=\"controls/CUS-01.html\">CUS-01</a> Customers review their users",
        "Monitoring Standard</a> <span class=\"pb-muted\">effective from 2026-02-01</span>",
        "CHG-01</a> Change approval <span class=\"pb-muted\">from 2026-01-01</span>",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in\n{page}");
    }
    // Okta is relied on without a control of ours in operation: the page says it is a gap.
    let okta = page
        .split("<h3 id=\"subservice-okta-title\">")
        .nth(1)
        .unwrap_or_default();
    assert!(okta.contains("<strong>Gap:</strong>"), "{okta}");
    assert!(page.contains("href=\"scope.html\">Scope</a>"));
}

#[test]
fn once_the_dates_have_come_documents_and_controls_count() {
    let book = scope_book();
    let json = book.build(&["--as-of", "2026-03-01"]);
    // CHG-01 operates from 2026-01-01 and the monitoring standard is effective from 2026-02-01.
    assert_eq!(status_of(&json, "CC8.1").0, "covered");
    assert_eq!(status_of(&json, "CC7.2").0, "covered");
    let err = book
        .run(&["check", "--as-of", "2026-03-01"])
        .success()
        .stderr();
    assert!(!err.contains("not yet effective"), "{err}");
    assert!(!err.contains("after the as-of date"), "{err}");
    // The Okta report is now further out of date; the AWS one too, without a bridge letter.
    assert!(
        err.contains("subservice `AWS` covers up to 2025-09-30"),
        "{err}"
    );
    book.write(
        "site.toml",
        &book.read("site.toml").replace(
            "opinion = \"unqualified\"",
            "opinion = \"unqualified\"\nbridge_letter = true",
        ),
    );
    let err = book
        .run(&["check", "--as-of", "2026-03-01"])
        .success()
        .stderr();
    assert!(!err.contains("subservice `AWS` covers up to"), "{err}");
}

#[test]
fn a_monitoring_control_in_operation_turns_the_carve_out_gap_into_coverage() {
    let book = scope_book();
    book.write(
        "controls.yaml",
        &book.read("controls.yaml").replace(
            "  status: planned\n  criteria: [CC9.2]",
            "  criteria: [CC9.2]",
        ),
    );
    book.write(
        "policies/security.md",
        &book
            .read("policies/security.md")
            .replace("controls: [ACC-01, CC6.5]", "controls: [ACC-01, VND-02]"),
    );
    book.run(&["build"]).success();
    let m = book.json("public/matrix.json");
    assert_eq!(status_of(&m, "CC6.2").0, "covered-with-csocs");
    assert_eq!(m["subservices"][1]["monitored"], true);
}

#[test]
fn scope_mistakes_are_errors_with_the_line_and_the_fix() {
    let book = scope_book();
    let site = book.read("site.toml")
        + "\n[[scope.exclusions]]\ncriteria = [\"CC6.9\", \"ACC-01\", \"A1.3\"]\n\n\
           [[subservice]]\nname = \"Stripe\"\nmethod = \"inclusive\"\n\
           report_period = \"2025-13-01/2025-12-31\"\nopinion = \"great\"\nmonitored_by = \"VND-1\"\n\
           user_controls = [{ text = \"Customers keep keys secret\", control = \"CUS-01\" }]\n";
    book.write("site.toml", &site);
    book.write(
        "controls.yaml",
        &book
            .read("controls.yaml")
            .replace("subservice:Okta", "subservice:Octa"),
    );
    let run = book.run(&["build"]).fails_with(1);
    let err = run.stderr();
    for (expected, hint) in [
        (
            "error: site.toml:32: the exclusion of CC6.9, ACC-01, A1.3 gives no reason",
            "say why they do not apply",
        ),
        (
            "error: site.toml:33: `A1.3` is already excluded on line 8",
            "remove one",
        ),
        (
            "error: site.toml:33: `ACC-01` is a control of the register, not a criterion",
            "status: retired",
        ),
        (
            "error: site.toml:33: unknown control `CC6.9` (framework soc2)",
            "did you mean `CC6.1`?",
        ),
        (
            "error: site.toml:37: subservice `Stripe`: the inclusive method is not supported",
            "method = \"carve-out\"",
        ),
        (
            "error: site.toml:38: invalid report_period `2025-13-01/2025-12-31`",
            "ISO 8601 interval",
        ),
        (
            "error: site.toml:39: unknown opinion `great`",
            "one of unqualified",
        ),
        (
            "error: site.toml:40: `monitored_by` names `VND-1`, but the register has no such control",
            "did you mean `VND-01`?",
        ),
        (
            "error: site.toml:41: a user control names `CUS-01`, which is a control of customer, not of the organisation",
            "name a control the organisation itself performs",
        ),
        (
            "error: controls.yaml:38: control `IDP-01` is the responsibility of subservice `Octa`, which site.toml does not declare",
            "did you mean `subservice:Okta`?",
        ),
    ] {
        let at = err
            .find(expected)
            .unwrap_or_else(|| panic!("missing {expected:?} in\n{err}"));
        let block = err[at..].split("\n\n").next().unwrap_or_default();
        assert!(block.contains(hint), "{block}");
    }
    assert!(
        !book.join("public").exists(),
        "a failed build writes nothing"
    );
}
