//! Frameworks beyond SOC 2 (`[frameworks.<key>]`): the built-in ISO 27001 and NIST Low
//! catalogs, a YAML catalog of the organisation's own, an OSCAL profile narrowing NIST,
//! crosswalks (direct and via-crosswalk coverage never mixed, the off switch), and the errors
//! for withdrawn controls, unknown ids and malformed files.

use crate::support::BookTest;
use crate::support::git::ALICE;

/// The `frameworks` fixture, built; returns matrix.json.
fn built() -> (BookTest, serde_json::Value) {
    let book = BookTest::fixture("frameworks");
    let m = book.build(&[]);
    (book, m)
}

fn control<'a>(m: &'a serde_json::Value, framework: &str, id: &str) -> &'a serde_json::Value {
    m["controls"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["framework"] == framework && c["id"] == id)
        })
        .unwrap_or_else(|| panic!("{framework}:{id} is in matrix.json"))
}

fn status(m: &serde_json::Value, framework: &str, id: &str) -> String {
    control(m, framework, id)["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn nist_iso_and_a_yaml_catalog_map_side_by_side() {
    let (book, m) = built();
    // (framework, id) is the key: every framework of site.toml with its counts.
    let keys: Vec<&str> = m["frameworks"]
        .as_array()
        .expect("frameworks")
        .iter()
        .map(|f| f["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(keys, ["soc2", "baseline", "iso27001", "nist"]);
    // NIST ids as the standard writes them or as OSCAL does are one control, stored one way.
    assert_eq!(status(&m, "nist", "AC-1"), "covered");
    assert_eq!(status(&m, "nist", "IA-2(1)"), "covered");
    let doc = crate::support::matrix_document(&m, "access-control");
    let ids: Vec<&str> = doc["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .filter(|c| c["framework"] == "nist")
        .map(|c| c["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["AC-1", "AC-2", "IA-2", "IA-2(1)"]);
    // The profile narrows the baseline: with-child-controls brings IA-2's enhancements, the
    // exclusion takes IA-2(12) out, and controls it does not name are out of scope.
    assert_eq!(status(&m, "nist", "IA-2(2)"), "gap");
    let ia12 = control(&m, "nist", "IA-2(12)");
    assert_eq!(ia12["status"], "out-of-scope");
    assert!(
        ia12["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("Not selected by the profile of [frameworks.nist]")
    );
    assert_eq!(status(&m, "nist", "AC-3"), "out-of-scope");
    // ISO: clauses and Annex A, an exclusion from site.toml, a number-like id.
    assert_eq!(status(&m, "iso27001", "6.1.3"), "covered");
    assert_eq!(status(&m, "iso27001", "A.7.4"), "not-applicable");
    // The YAML catalog: nested controls, and a withdrawn one out of the audit.
    assert_eq!(status(&m, "baseline", "EB-1"), "covered");
    assert_eq!(status(&m, "baseline", "EB-1.1"), "gap");
    assert_eq!(status(&m, "baseline", "EB-0"), "out-of-scope");

    // One page per control and enhancement, with its statement, parameters rendered.
    let ac2 = book.read("public/controls/nist/AC-2.html");
    assert!(
        ac2.contains("a. Define and document the types of accounts")
            && ac2.contains("[Assignment: prerequisites and criteria]"),
        "AC-2's statement"
    );
    assert!(!ac2.contains("{{"));
    assert!(book.join("public/controls/nist/IA-2(1).html").is_file());
    // `control:nist:ia-2.1` links to the one page.
    let page = book.read("public/documents/access-control.html");
    assert!(page.contains("href=\"../controls/nist/IA-2(1).html\""));
    // A matrix per framework, and an overview of their counts on the combined one.
    let overview = book.read("public/matrix.html");
    assert!(overview.contains("Frameworks in the audit"));
    assert!(overview.contains("href=\"matrix/nist.html\""));
    let iso = book.read("public/matrix/iso27001.html");
    assert!(iso.contains("Traceability matrix: ISO/IEC 27001:2022"));
    assert!(iso.contains("A.5.15") && !iso.contains(">CC6.1<"));
    // matrix.csv rows carry their framework.
    let csv = book.read("public/matrix.csv");
    assert!(csv.lines().any(|l| l.starts_with("nist,IA-2(1),")), "{csv}");
}

#[test]
fn crosswalk_coverage_is_marked_never_direct_and_can_be_switched_off() {
    let (book, m) = built();
    let a515 = control(&m, "iso27001", "A.5.15");
    assert_eq!(a515["status"], "covered-via-crosswalk");
    assert_eq!(a515["covered_by"].as_array().map(Vec::len), Some(0));
    assert_eq!(a515["crosswalk"][0]["id"], "CC6.1");
    assert_eq!(a515["crosswalk"][0]["relationship"], "equivalent-to");
    assert!(
        a515["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("covered via crosswalk: soc2:CC6.1 (covered) is equivalent-to it in crosswalks/soc2-iso.yaml")
    );
    // Directly covered stays direct, even when a crosswalk maps onto it too.
    assert_eq!(status(&m, "iso27001", "A.5.16"), "covered");
    // A subset-of source leaves the gap a gap, marked partial.
    assert_eq!(status(&m, "iso27001", "A.8.5"), "partial-via-crosswalk");
    assert!(
        m["gaps"]
            .as_array()
            .expect("gaps")
            .iter()
            .any(|g| g["framework"] == "iso27001" && g["id"] == "A.8.5")
    );
    // A source that is not met carries nothing.
    assert_eq!(status(&m, "iso27001", "A.5.18"), "gap");
    let iso = &m["frameworks"][2];
    assert_eq!(iso["covered_via_crosswalk"], 1);
    assert_eq!(iso["covered"], 4);

    let site = book.read("site.toml");
    book.write(
        "site.toml",
        &site.replace(
            "file = \"crosswalks/soc2-iso.yaml\"",
            "file = \"crosswalks/soc2-iso.yaml\"\nenabled = false",
        ),
    );
    let m = book.build(&[]);
    assert_eq!(status(&m, "iso27001", "A.5.15"), "gap");
    assert_eq!(status(&m, "iso27001", "A.8.5"), "gap");
    assert_eq!(m["frameworks"][2]["covered_via_crosswalk"], 0);
}

#[test]
fn withdrawn_and_unknown_ids_and_malformed_files_are_errors_that_say_where() {
    let book = BookTest::fixture("frameworks");
    book.write(
        "policies/legacy.md",
        "---\nid: legacy\ntitle: Legacy\nowner: IT\ncontrols:\n  baseline: [EB-0]\n  iso: [A.5.1]\n---\nOld text.\n",
    );
    book.write(
        "crosswalks/soc2-iso.yaml",
        "mappings:\n  - source: CC6.1\n    target: A.5.15\n    relationship: equivalent-to\n  - source: CC6.1\n    target: A.5.99\n    relationship: equal-to\n",
    );
    book.write(
        "catalogs/nist-access.json",
        "{\"profile\": {\"imports\": [{\"href\": \"#x\", \"include-controls\": [{\"with-ids\": [\"ac-2\", \"zz-1\"]}]}]}}",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    for expected in [
        "error: policies/legacy.md:6: `EB-0` is withdrawn from Fixture Corp Engineering Baseline: it cannot be mapped",
        "help: map what replaced it instead: `baseline:EB-1`",
        "error: policies/legacy.md:7: unknown control framework `iso`",
        "error: crosswalks/soc2-iso.yaml: at mappings[1].target: `A.5.99` is not a control of iso27001",
        "error: catalogs/nist-access.json: at profile.imports[0].include-controls[0].with-ids[1]: `zz-1` is not a control of NIST SP 800-53 Rev. 5 Low baseline",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }

    // A malformed OSCAL catalog names the JSON path; a framework not declared is explained.
    book.write(
        "catalogs/mine.json",
        "{\"catalog\": {\"groups\": [{\"id\": \"ac\", \"controls\": [{\"title\": \"no id\"}]}]}}",
    );
    book.write(
        "site.toml",
        "title = \"T\"\n[frameworks.mine]\ncatalog = \"catalogs/mine.json\"\n",
    );
    book.write(
        "policies/legacy.md",
        "---\nid: legacy\ntitle: Legacy\nowner: IT\ncontrols:\n  iso27001: [A.5.1]\n---\nOld text.\n",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("at catalog.groups[0].controls[0]: missing field `id`"),
        "{err}"
    );
    assert!(
        err.contains(
            "help: declare it in site.toml: `[frameworks.iso27001]` with `catalog = \"iso27001-2022\"`"
        ),
        "{err}"
    );
}

#[test]
fn an_iso_handbook_has_a_statement_of_applicability_with_its_version_and_approvals() {
    let book = BookTest::fixture("frameworks").git();
    book.write(
        "controls.yaml",
        "- id: ACC-01\n  title: Named accounts\n  statement: Every person has an account of their own.\n  owner: IT\n  frequency: continuous\n  criteria:\n    soc2: [CC6.1]\n    iso27001: [A.5.16]\n\
         - id: HR-01\n  title: Background checks\n  statement: New staff are checked before they start.\n  owner: HR\n  frequency: per-event\n  criteria: [CC1.4]\n",
    );
    book.doc(
        "policies/people.md",
        "id: people\ntitle: People Security\nowner: HR\ncontrols: [ACC-01, HR-01]\n",
        "New staff are checked; accounts are named.\n",
    );
    book.commit(
        ALICE,
        "2025-06-02T09:00:00Z",
        "Statement of Applicability\n\nReviewed-by: Bob Builder <bob@example.com>",
    );
    let run = book.run(&["check"]).success();
    // Nothing justifies A.5.1 but the default: no warning.
    assert!(!run.stderr().contains("gives no reason for including"));
    book.run(&["build"]).success();
    let csv = book.read("public/soa.csv");
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "framework,control,title,theme,included,justification,status,implemented,controls,documents,version,as_of"
    );
    // Every Annex A control, and the control of ours that maps no ISO control.
    assert_eq!(
        rows.iter().filter(|r| r.starts_with("iso27001,A.")).count(),
        93
    );
    assert!(
        !csv.contains("iso27001,6.1.3,"),
        "clauses are not in the SoA"
    );
    let row = |id: &str| {
        rows.iter()
            .find(|r| r.starts_with(&format!("iso27001,{id},")))
            .copied()
            .unwrap_or_else(|| panic!("{id} in {csv}"))
    };
    assert!(row("A.5.15").contains(",yes,Contractual: customer agreements require access control and multi-factor authentication,covered-via-crosswalk,yes,"), "{}", row("A.5.15"));
    assert!(
        row("A.7.4").contains(",no,No offices: all staff work remotely"),
        "{}",
        row("A.7.4")
    );
    assert!(
        row("A.5.16")
            .contains(",covered,yes,ACC-01,People Security; Access Control Policy › Provisioning,"),
        "{}",
        row("A.5.16")
    );
    assert!(
        row("A.5.1").contains(",yes,Risk treatment: selected in the 2025 risk assessment,gap,no,")
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with(",HR-01,Background checks,,additional,")
                && r.contains("soc2:CC1.4")),
        "{csv}"
    );
    let head = book
        .repo()
        .head()
        .expect("HEAD")
        .peel_to_commit()
        .expect("commit")
        .id()
        .to_string();
    assert!(row("A.5.1").ends_with(&format!(",{head},2025-06-02")));
    // The page: version, the controls of ours beyond ISO, and site.toml's approvals.
    let page = book.read("public/soa.html");
    assert!(page.contains(&head[..7]));
    assert!(page.contains("Our controls beyond ISO/IEC 27001:2022"));
    let approvals = &page[page.find("<h2>Approvals</h2>").expect("approvals")..];
    assert!(approvals.contains("by Bob Builder"), "{approvals}");
    assert!(
        book.read("public/index.html")
            .contains("href=\"soa.html\">SoA</a>")
    );

    // Without a default, unjustified inclusions are a warning on the framework's line.
    let site = book.read("site.toml");
    book.write(
        "site.toml",
        &site.replace(
            "default_justification = \"Risk treatment: selected in the 2025 risk assessment\"\n",
            "",
        ),
    );
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains("warning: site.toml:8: the Statement of Applicability of `iso27001` gives no reason for including 90 controls: A.5.1, A.5.2,"),
        "{err}"
    );
}

/// `data/oscal-1.2.1/<name>`, the OSCAL 1.2.1 JSON Schema, as a validator with formats checked.
fn oscal_schema(name: &str) -> jsonschema::Validator {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/oscal-1.2.1")
        .join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid JSON Schema")
}

fn schema_errors(v: &jsonschema::Validator, value: &serde_json::Value) -> Vec<String> {
    v.iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_oscal_component_definition_validates_and_repeats_byte_for_byte() {
    let book = BookTest::fixture("frameworks").git();
    // base_url is a top-level key: it goes before the first table.
    let site = book.read("site.toml");
    let (top, rest) = site.split_once("[scope]").expect("a [scope] table");
    book.write(
        "site.toml",
        &format!("{top}base_url = \"https://policies.example.com/\"\n\n[scope]{rest}"),
    );
    book.commit(ALICE, "2025-06-02T09:00:00Z", "Frameworks");
    book.tag("v1.0", "2025-06-03T09:00:00Z", "First release");
    let out = book.run(&["oscal"]).success();
    assert!(
        out.stdout().contains("Wrote 4 OSCAL files to ./oscal"),
        "{}",
        out.stdout()
    );
    let text = book.read("oscal/component-definition.json");
    let cd: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let component_schema = oscal_schema("oscal_component_schema.json");
    let errors = schema_errors(&component_schema, &cd);
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema does catch mistakes: a component without its uuid, a control-id that is not a
    // token.
    let mut broken = cd.clone();
    broken["component-definition"]["components"][0]
        .as_object_mut()
        .map(|c| c.remove("uuid"));
    assert!(!component_schema.is_valid(&broken));
    let mut broken = cd.clone();
    broken["component-definition"]["components"][0]["control-implementations"][0]["implemented-requirements"]
        [0]["control-id"] = "6.1 3".into();
    assert!(!component_schema.is_valid(&broken));
    let catalog_schema = oscal_schema("oscal_catalog_schema.json");
    for key in ["soc2", "iso27001", "baseline"] {
        let cat: serde_json::Value =
            serde_json::from_str(&book.read(&format!("oscal/catalogs/{key}.json"))).expect("JSON");
        let errors = schema_errors(&catalog_schema, &cat);
        assert!(errors.is_empty(), "{key}: {errors:#?}");
    }
    let iso: serde_json::Value =
        serde_json::from_str(&book.read("oscal/catalogs/iso27001.json")).expect("JSON");
    assert!(
        iso.to_string().contains("\"id\":\"clause-6.1.3\""),
        "clause ids become tokens"
    );

    let d = &cd["component-definition"];
    assert_eq!(d["metadata"]["version"], "v1.0");
    assert_eq!(d["metadata"]["last-modified"], "2025-06-02T00:00:00Z");
    let components = d["components"].as_array().expect("components");
    assert_eq!(components.len(), 2);
    let access = &components[0];
    assert_eq!(access["type"], "policy");
    assert_eq!(access["title"], "Access Control Policy");
    assert_eq!(access["responsible-roles"][0]["role-id"], "head-of-it");
    let sources: Vec<&str> = access["control-implementations"]
        .as_array()
        .expect("implementations")
        .iter()
        .map(|c| c["source"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(sources[0], "catalogs/soc2.json");
    assert!(
        sources
            .iter()
            .any(|s| s.starts_with("https://raw.githubusercontent.com/usnistgov/oscal-content/"))
    );
    let nist = access["control-implementations"]
        .as_array()
        .and_then(|a| {
            a.iter().find(|c| {
                c["source"]
                    .as_str()
                    .is_some_and(|s| s.contains("usnistgov"))
            })
        })
        .expect("NIST's");
    let reqs = nist["implemented-requirements"]
        .as_array()
        .expect("requirements");
    let ia21 = reqs
        .iter()
        .find(|r| r["control-id"] == "ia-2.1")
        .expect("IA-2(1) as OSCAL writes it");
    assert_eq!(
        ia21["description"],
        "Every person signs in with a hardware key or an authenticator app as the second factor."
    );
    // The page the resource links is the page `build` writes, by its hash.
    book.run(&["build"]).success();
    let page = std::fs::read(book.join("public/documents/access-control.html")).expect("page");
    let resource = &d["back-matter"]["resources"][0];
    assert_eq!(
        resource["rlinks"][0]["href"],
        "https://policies.example.com/documents/access-control.html"
    );
    assert_eq!(
        resource["rlinks"][0]["hashes"][0]["value"],
        crate::support::sha256(&page)
    );
    assert_eq!(
        access["links"][0]["href"],
        format!("#{}", resource["uuid"].as_str().unwrap_or_default())
    );
    // Same commit, same bytes: UUIDs come from the base URL and the ids, dates from the commit.
    book.run(&["oscal", "--out", "again"]).success();
    assert_eq!(book.read("again/component-definition.json"), text);
    assert_eq!(
        book.read("again/catalogs/iso27001.json"),
        book.read("oscal/catalogs/iso27001.json")
    );
}

#[test]
fn new_and_schema_know_the_frameworks_of_site_toml() {
    let book = BookTest::fixture("frameworks");
    let path = book
        .run(&[
            "new",
            "policy",
            "Cryptography",
            "--owner",
            "Head of IT",
            "--controls",
            "CC6.1,iso27001:A.8.24,nist:ac-2",
        ])
        .success()
        .stdout();
    let written = book.read(path.trim());
    assert!(
        written.contains("controls: [CC6.1, iso27001:A.8.24, nist:ac-2]"),
        "{written}"
    );
    let m = book.build(&[]);
    let doc = crate::support::matrix_document(&m, "cryptography");
    let mapped: Vec<String> = doc["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| {
            format!(
                "{}:{}",
                c["framework"].as_str().unwrap_or_default(),
                c["id"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(mapped, ["soc2:CC6.1", "iso27001:A.8.24", "nist:AC-2"]);
    let err = book
        .run(&[
            "new",
            "policy",
            "Other",
            "--owner",
            "IT",
            "--controls",
            "iso27001:A.9.9",
        ])
        .fails_with(1)
        .stderr();
    assert!(
        err.contains("unknown control `A.9.9` (framework iso27001)"),
        "{err}"
    );
    let schema = book.run(&["schema", "--controls"]).success().stdout();
    assert!(
        schema.contains("\"baseline\"") && schema.contains("\"iso27001\""),
        "{schema}"
    );
}
