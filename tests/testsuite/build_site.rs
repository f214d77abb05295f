//! `policybook build` over the good fixture: pages, links, exports, determinism, atomic output.

use crate::support::*;

#[test]
fn builds_the_good_fixture_with_working_links() {
    let dir = copy_fixture("good");
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    assert!(
        summary.contains("Built 6 documents, 10/36 in-scope controls covered, 26 gaps"),
        "{summary}"
    );

    let site = dir.path().join("public");
    for page in [
        "index.html",
        "matrix.html",
        "gaps.html",
        "controls/index.html",
        "controls/soc2/CC6.1.html",
        "controls/soc2/P8.1.html",
        "documents/access-control.html",
        "documents/continuity.html",
        "files/img/review-flow.svg",
        "static/style.css",
        "navigation.js",
    ] {
        assert!(site.join(page).is_file(), "missing {page}");
    }
    let broken = broken_links(&site);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));

    // The search index: documents with owners, control ids and section text; every control.
    let js = std::fs::read_to_string(site.join("search-index.js")).unwrap();
    let json = unpack_search_index(&js);
    let ac = json["docs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d[0] == "Access Control Policy")
        .unwrap();
    assert_eq!(ac[1], "documents/access-control.html");
    assert_eq!(ac[3], "Head of IT");
    assert_eq!(ac[4], "CC6.1 CC6.2 CC6.3");
    let review = ac[5]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s[1] == "access-review")
        .unwrap();
    assert_eq!(review[0], "Quarterly access review");
    assert!(
        review[2]
            .as_str()
            .unwrap()
            .starts_with("Managers confirm every account")
    );
    assert_eq!(json["controls"].as_array().unwrap().len(), 61);
}

#[test]
fn document_pages_show_metadata_controls_toc_and_backlinks() {
    let dir = copy_fixture("good");
    assert!(run(dir.path(), &["build"]).status.success());
    let page =
        std::fs::read_to_string(dir.path().join("public/documents/access-control.html")).unwrap();
    // Metadata block.
    for text in [
        "<h1>Access Control Policy</h1>",
        "<dd>Head of IT</dd>",
        "<dd>Chief Information Security Officer</dd>",
        "<dd>1.0</dd>",
        "2025-03-01",
        "<dd>semiannual</dd>",
        "pb-status-published",
    ] {
        assert!(page.contains(text), "missing {text:?}");
    }
    // Controls (linked), table of contents, body anchors, rewritten links, highlighting.
    assert!(page.contains("href=\"../controls/soc2/CC6.2.html\""));
    assert!(page.contains("<a href=\"#access-review\">Quarterly access review</a>"));
    assert!(page.contains("<h2 id=\"access-review\">"));
    assert!(page.contains("href=\"../documents/information-security.html\""));
    assert!(page.contains("href=\"../documents/access-review.html#steps\""));
    assert!(page.contains("src=\"../files/img/review-flow.svg\""));
    assert!(page.contains("href=\"../files/img/review-flow.svg\""));
    assert!(page.contains("<pre class=\"hl\"><code class=\"language-yaml\">"));
    assert!(!page.contains("style=\""), "highlighting must use classes");
    // Backlinks: the procedure implements it; the umbrella policy and the procedure link to it.
    let implemented = page.split("<h3>Implemented by</h3>").nth(1).unwrap();
    assert!(implemented.contains("Quarterly Access Review"));
    let referenced = page.split("<h3>Referenced by</h3>").nth(1).unwrap();
    assert!(referenced.contains("Information Security Policy"));
    assert!(referenced.contains("Quarterly Access Review"));

    // Duplicate headings get -1.
    let umbrella = std::fs::read_to_string(
        dir.path()
            .join("public/documents/information-security.html"),
    )
    .unwrap();
    assert!(umbrella.contains("<h2 id=\"roles\">") && umbrella.contains("<h2 id=\"roles-1\">"));
}

#[test]
fn home_control_and_matrix_pages() {
    let dir = copy_fixture("good");
    assert!(run(dir.path(), &["build"]).status.success());
    let site = dir.path().join("public");
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    for text in [
        "Policies",
        "Procedures",
        "Plans",
        "Head of Operations",
        "pb-status-draft",
    ] {
        assert!(home.contains(text), "home is missing {text:?}");
    }
    assert!(home.find("Policies").unwrap() < home.find("Procedures").unwrap());

    let control = std::fs::read_to_string(site.join("controls/soc2/CC6.2.html")).unwrap();
    assert!(control.contains("Users are registered and authorised"));
    assert!(control.contains("../../documents/access-control.html#access-review"));
    assert!(control.contains("../../documents/access-review.html#steps"));

    let vendor = std::fs::read_to_string(site.join("controls/soc2/CC9.2.html")).unwrap();
    assert!(
        vendor.contains("pb-notice-gap"),
        "CC9.2 only has a draft: it is a gap"
    );
    assert!(vendor.contains("Mapped by documents not in force"));

    let matrix = std::fs::read_to_string(site.join("matrix.html")).unwrap();
    assert!(matrix.contains("CC6 Logical and Physical Access Controls"));
    assert!(matrix.contains("A1 Additional Criteria for Availability"));
    assert!(
        !matrix.contains("C1 Additional Criteria for Confidentiality"),
        "confidentiality is out of scope"
    );
    assert!(matrix.contains("<tr class=\"pb-matrix-row pb-gap\" data-series=\"CC9\" data-category=\"security\" data-status=\"gap\" data-gap=\"1\">"));
    assert!(matrix.contains(
        "href=\"documents/access-control.html#access-review\">Access Control Policy › Quarterly access review</a>"
    ));
    assert!(
        !matrix.contains("Vendor Management Policy"),
        "drafts are not evidence in the matrix"
    );
    // One row per criterion, whatever the number of documents: no column per document.
    assert_eq!(matrix.matches("<tr class=\"pb-matrix-row").count(), 36);
    assert!(!matrix.contains("class=\"pb-matrix-doc\""));

    let gaps = std::fs::read_to_string(site.join("gaps.html")).unwrap();
    assert!(gaps.contains("CC9.2") && gaps.contains("Vendor Management Policy"));
    assert!(!gaps.contains(">CC6.1<"));
}

#[test]
fn matrix_json_holds_controls_documents_and_gaps() {
    let dir = copy_fixture("good");
    assert!(run(dir.path(), &["build"]).status.success());
    let m = json(&dir.path().join("public/matrix.json"));

    let controls = m["controls"].as_array().unwrap();
    assert_eq!(controls.len(), 61);
    let cc62 = controls.iter().find(|c| c["id"] == "CC6.2").unwrap();
    assert_eq!(cc62["framework"], "soc2");
    assert_eq!(cc62["category"], "security");
    assert_eq!(cc62["in_scope"], true);
    assert_eq!(cc62["title"], "Registering and authorising users");
    let covered: Vec<(String, String)> = cc62["covered_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["document"].as_str().unwrap().into(),
                e["section"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        covered,
        [
            ("access-control".into(), "access-review".into()),
            ("access-review".into(), "steps".into())
        ]
    );
    // A place names its document by id; the title and link are in documents[], once.
    assert_eq!(
        cc62["covered_by"][0],
        serde_json::json!({
            "document": "access-control",
            "section": "access-review",
            "section_title": "Quarterly access review"
        })
    );
    let access_control = m["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "access-control")
        .unwrap();
    assert_eq!(access_control["url"], "documents/access-control.html");
    let cc61 = controls.iter().find(|c| c["id"] == "CC6.1").unwrap();
    assert_eq!(
        cc61["covered_by"][0]["section"],
        serde_json::Value::Null,
        "front-matter mapping"
    );
    assert_eq!(cc61["covered_by"][1]["section"], "passwords");
    let p81 = controls.iter().find(|c| c["id"] == "P8.1").unwrap();
    assert_eq!(p81["in_scope"], false);

    let docs = m["documents"].as_array().unwrap();
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "access-control",
            "access-review",
            "continuity",
            "draft-vendor",
            "formula",
            "information-security"
        ]
    );
    let ac = &docs[0];
    assert_eq!(ac["title"], "Access Control Policy");
    assert_eq!(ac["kind"], "policy");
    assert_eq!(ac["owner"], "Head of IT");
    assert_eq!(ac["path"], "policies/access-control.md");
    assert_eq!(ac["url"], "documents/access-control.html");
    assert_eq!(ac["review"], "semiannual");
    let mapped: Vec<&str> = ac["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(mapped, ["CC6.1", "CC6.1", "CC6.2", "CC6.3"]);
    assert_eq!(docs[1]["implements"][0], "access-control");
    assert_eq!(docs[5]["version"], "2.1");

    let gaps: Vec<&str> = m["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(gaps.len(), 26);
    assert!(gaps.contains(&"CC9.2") && !gaps.contains(&"CC6.1") && !gaps.contains(&"C1.1"));
    assert_eq!(m["summary"]["controls_in_scope"], 36);
    assert_eq!(m["summary"]["gaps"], 26);
}

#[test]
fn matrix_csv_rows_and_formula_neutralization() {
    let dir = copy_fixture("good");
    assert!(run(dir.path(), &["build"]).status.success());
    let text = std::fs::read_to_string(dir.path().join("public/matrix.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[..2], ["framework", "control"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let covered = rows.iter().filter(|r| &r[5] == "covered").count();
    let gaps = rows.iter().filter(|r| &r[5] == "gap").count();
    // One row per (control, document or section): CC1.1 CC2.2 CC5.3 (umbrella), CC6.1 ×2,
    // CC6.2 ×2, CC6.3, A1.2 ×2, A1.3, CC9.1, CC3.1.
    assert_eq!(covered, 13, "{text}");
    assert_eq!(gaps, 26);
    let formula = rows.iter().find(|r| &r[6] == "formula").unwrap();
    assert_eq!(&formula[7], "'=HYPERLINK(\"http://evil.example\")");
    assert_eq!(&formula[9], "'+Attacker");
    assert!(rows.iter().all(|r| {
        r.iter()
            .all(|cell| !cell.starts_with(['=', '+', '-', '@', '\t', '\r']))
    }));
}

#[test]
fn builds_are_byte_identical() {
    let dir = copy_fixture("good");
    assert!(run(dir.path(), &["build", "--out", "one"]).status.success());
    assert!(run(dir.path(), &["build", "--out", "two"]).status.success());
    let one = read_tree(&dir.path().join("one"));
    let two = read_tree(&dir.path().join("two"));
    assert!(one.len() > 70);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &one {
        assert!(two[path] == *bytes, "{path} differs between builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let dir = copy_fixture("good");
    assert!(run(dir.path(), &["build"]).status.success());
    let before = read_tree(&dir.path().join("public"));
    std::fs::write(
        dir.path().join("policies/broken.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("previous output is untouched"));
    assert_eq!(read_tree(&dir.path().join("public")), before);
    assert_no_temporaries(dir.path());
}

/// Nothing a build leaves beside its output folder but the cache (the record of the last good
/// build): no temporary folder.
fn assert_no_temporaries(handbook: &std::path::Path) {
    let leftovers: Vec<_> = std::fs::read_dir(handbook)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".policybook-cache")
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left: {leftovers:?}"
    );
}

#[test]
fn a_page_that_fails_to_render_leaves_the_previous_output_untouched() {
    // Pages are written as they are rendered: a template that fails at rendering time, for the
    // document pages only, fails the build after other pages were written, and none of them
    // may reach the output folder.
    let book = BookTest::fixture("good");
    book.run(&["build"]).success();
    let before = read_tree(&book.join("public"));
    book.write(
        "theme/templates/document.html",
        "{% extends \"base.html\" %}{% block content %}{{ no_such_value.field }}{% endblock content %}",
    );
    let out = book.run(&["build"]).fails_with(1);
    assert!(out.stderr().contains("document.html"), "{}", out.stderr());
    assert_eq!(read_tree(&book.join("public")), before);
    assert_no_temporaries(book.path());
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_write() {
    let dir = copy_fixture("good");
    std::fs::create_dir_all(dir.path().join("mine")).unwrap();
    std::fs::write(dir.path().join("mine/keep.txt"), "data").unwrap();
    let out = run(dir.path(), &["build", "--out", "mine"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not written by policybook"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mine/keep.txt")).unwrap(),
        "data"
    );
}

#[test]
fn base_url_adds_canonical_links() {
    let dir = copy_fixture("good");
    let site = dir.path().join("site.toml");
    let text = std::fs::read_to_string(&site).unwrap();
    std::fs::write(
        &site,
        format!("base_url = \"https://handbook.example.com/\"\n{text}"),
    )
    .unwrap();
    assert!(run(dir.path(), &["build"]).status.success());
    let page =
        std::fs::read_to_string(dir.path().join("public/documents/access-control.html")).unwrap();
    assert!(page.contains("<link rel=\"canonical\" href=\"https://handbook.example.com/documents/access-control.html\">"));
    // A relative base_url (as Zola and Hugo sites often have) is accepted and adds nothing.
    std::fs::write(&site, format!("base_url = \"/\"\n{text}")).unwrap();
    assert!(run(dir.path(), &["build"]).status.success());
    let page = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(!page.contains("rel=\"canonical\""));
}

#[test]
fn root_and_out_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        dir.path(),
        &[
            "build",
            "--no-cache",
            "--root",
            crate::support::fixture("good").to_str().unwrap(),
            "--out",
            "site",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("site/index.html").is_file());
    // Nothing written into the handbook: no `public/`, and with --no-cache no cache either.
    assert!(!crate::support::fixture("good").join("public").exists());
    assert!(
        !crate::support::fixture("good")
            .join(".policybook-cache")
            .exists()
    );
}

#[test]
fn theme_overrides_replace_templates_and_static_files() {
    let dir = copy_fixture("good");
    std::fs::create_dir_all(dir.path().join("theme/templates")).unwrap();
    std::fs::create_dir_all(dir.path().join("theme/static")).unwrap();
    std::fs::write(
        dir.path().join("theme/templates/control.html"),
        "{% extends \"base.html\" %}{% block content %}CUSTOM {{ page.control.id }}{% endblock content %}",
    )
    .unwrap();
    std::fs::write(dir.path().join("theme/static/style.css"), "body{}").unwrap();
    std::fs::write(dir.path().join("theme/static/logo.txt"), "logo").unwrap();
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = dir.path().join("public");
    assert!(
        std::fs::read_to_string(site.join("controls/soc2/CC6.1.html"))
            .unwrap()
            .contains("CUSTOM CC6.1")
    );
    assert_eq!(
        std::fs::read_to_string(site.join("static/style.css")).unwrap(),
        "body{}"
    );
    assert!(site.join("static/logo.txt").is_file());
    // Templates not overridden still come from the built-in theme.
    assert!(
        std::fs::read_to_string(site.join("index.html"))
            .unwrap()
            .contains("Policies")
    );
}

#[test]
fn template_errors_name_the_template_file() {
    let dir = copy_fixture("good");
    std::fs::create_dir_all(dir.path().join("theme/templates")).unwrap();
    std::fs::write(
        dir.path().join("theme/templates/gaps.html"),
        "line one\n{% if %}\n",
    )
    .unwrap();
    let out = run(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("theme/templates/gaps.html:2"), "{err}");
}

/// `check` renders every page only to find the problems rendering finds, dropping each page as
/// it is made: a template that fails on the document pages alone still fails the check, once
/// per document.
#[test]
fn check_finds_errors_that_only_rendering_a_page_finds() {
    let dir = copy_fixture("good");
    let clean = stdout(&run(dir.path(), &["check"]));
    let documents: usize = clean
        .split("Checked ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no document count in {clean}"));
    std::fs::create_dir_all(dir.path().join("theme/templates")).unwrap();
    std::fs::write(
        dir.path().join("theme/templates/document.html"),
        "line one\n{{ missing.field }}\n",
    )
    .unwrap();
    let out = run(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("document.html:2: template error: Variable `missing` is not defined"),
        "{err}"
    );
    assert!(err.contains(&format!("({documents} errors")), "{err}");
    assert!(!dir.path().join("public").exists(), "check wrote the site");
}
