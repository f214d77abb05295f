//! `policybook import markdown`: an mdBook and a Hugo site (fixtures under
//! `tests/fixtures/import/`) become handbooks that check and build with no broken links, in
//! their sites' order; a plain folder in a git repository is converted in place and keeps its
//! history.

use std::path::Path;

use crate::support::git::{ALICE, BOB};
use crate::support::{BookTest, fixture, run, stderr, stdout};

/// Imports `tests/fixtures/import/<name>` into a new folder; returns it and the report.
fn import(name: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp");
    let src = fixture(&format!("import/{name}"));
    let out = run(
        dir.path(),
        &[
            "import",
            "markdown",
            &src.to_string_lossy(),
            "handbook",
            "--organization",
            "Example Corp",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    (dir, stdout(&out))
}

/// `check` passes, and no finding is about a link.
fn checks_without_link_findings(root: &Path) {
    let out = run(root, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("link"), "a link finding:\n{err}");
    assert!(err.contains("`owner: TODO`"), "owners to name:\n{err}");
    let out = run(root, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The sidebar, as `navigation.js` gives it: (group, titles in order).
fn sidebar(root: &Path) -> Vec<(String, Vec<String>)> {
    let js = std::fs::read_to_string(root.join("public/navigation.js")).expect("navigation.js");
    let json = js
        .trim()
        .strip_prefix("window.policybookNav = ")
        .and_then(|j| j.strip_suffix(';'))
        .expect("navigation.js shape");
    let groups: serde_json::Value = serde_json::from_str(json).expect("json");
    groups
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["label"].as_str().expect("label").to_string(),
                g["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|i| i["t"].as_str().expect("title").to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn an_mdbook_keeps_its_order_titles_links_and_images() {
    let (dir, report) = import("mdbook");
    let root = dir.path().join("handbook");
    let site = std::fs::read_to_string(root.join("site.toml")).expect("site.toml");
    assert!(
        site.contains("title = \"Acme Security Handbook\"")
            && site.contains("organization = \"Example Corp\""),
        "{site}"
    );
    // The introduction: its title from SUMMARY.md, its `# Introduction` heading dropped.
    let intro = std::fs::read_to_string(root.join("policies/README.md")).expect("README");
    assert!(
        intro.starts_with("---\nid: home\ntitle: Introduction\nowner: TODO\nreview: annual\nweight: 10\n---\nThis book"),
        "{intro}"
    );
    let plan =
        std::fs::read_to_string(root.join("policies/plans/incident-response.md")).expect("plan");
    assert!(plan.contains("\nkind: plan\n"), "{plan}");
    assert!(root.join("policies/images/overview.svg").is_file());
    for expected in [
        "\"Vendor Review\" is a draft chapter",
        "src/notes/length-rationale.md: not in SUMMARY.md",
        "src/policies/passwords.md:5: `{{#include ../notes/length-rationale.md}}` is a mdBook directive",
        "the part title \"Policies\"",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in\n{report}"
        );
    }
    checks_without_link_findings(&root);
    assert_eq!(
        sidebar(&root),
        [
            (
                "Policies".to_string(),
                vec![
                    "Introduction".to_string(),
                    "Information Security Policy".into(),
                    "Access Control".into(),
                    "Passwords".into(),
                    "Glossary".into(),
                    // Not in SUMMARY.md: after the rest.
                    "Why 14 characters".into(),
                ]
            ),
            ("Procedures".into(), vec!["Onboarding a New Hire".into()]),
            ("Plans".into(), vec!["Incident Response Plan".into()]),
        ]
    );
    let page = std::fs::read_to_string(root.join("public/documents/home.html")).expect("page");
    assert!(page.contains("overview.svg\""), "the image: {page}");
    assert!(
        page.contains("href=\"../documents/information-security.html\""),
        "{page}"
    );
}

#[test]
fn a_hugo_site_gets_file_links_for_its_page_urls_and_static_images() {
    let (dir, report) = import("hugo");
    let root = dir.path().join("handbook");
    let access = std::fs::read_to_string(root.join("policies/security/access.md")).expect("access");
    for expected in [
        "title: Access Control Policy\nowner: TODO\ntags:\n- access\n- security\nreview: annual\nweight: 40\nextra:\n  description: Who gets access to what, and how it is removed.\n  date: 2023-04-01\n---\n",
        "[password standard](passwords.md)",
        "[hiring](../people/hiring.md)",
        "[home page](../_index.md)",
        "![The access request flow](../images/access-flow.svg)",
    ] {
        assert!(
            access.contains(expected),
            "missing {expected:?} in\n{access}"
        );
    }
    let passwords =
        std::fs::read_to_string(root.join("policies/security/passwords.md")).expect("passwords");
    assert!(
        passwords.contains("[access control policy](access.md#reviews)")
            && passwords.contains("kind: standard"),
        "{passwords}"
    );
    let home = std::fs::read_to_string(root.join("policies/_index.md")).expect("home");
    assert!(
        home.contains("[security](security/_index.md)")
            && home.contains("[people](people/_index.md)"),
        "{home}"
    );
    assert!(root.join("policies/images/access-flow.svg").is_file());
    assert!(
        report.contains("content/people/hiring.md:6: `{{< notice info >}}` is a Hugo shortcode"),
        "{report}"
    );
    checks_without_link_findings(&root);
    // The section pages first, then pages and sections by weight.
    assert_eq!(
        sidebar(&root),
        [
            (
                "Policies".to_string(),
                vec![
                    "Example Corp Policies".to_string(),
                    "Security".into(),
                    "Access Control Policy".into(),
                    "People".into(),
                ]
            ),
            ("Procedures".into(), vec!["Hiring Procedure".into()]),
            ("Standards".into(), vec!["Password Standard".into()]),
        ]
    );
}

/// Ten lines of policy text under a `# Title` heading, revision `edit` on its first line.
fn page(title: &str, edit: u8) -> String {
    let mut text = format!("# {title}\n\n");
    for n in 1..=10 {
        text.push_str(&format!(
            "Line {n} of the {title} text, revision {}.\n",
            if n == 1 { edit } else { 0 }
        ));
    }
    text
}

#[test]
fn a_folder_in_a_git_repository_is_converted_in_place_and_keeps_its_history() {
    let book = BookTest::empty().git();
    book.write("README.md", "# Our policies\n\nThey live in docs/.\n")
        .write("docs/01-access.md", &page("Access Control", 0))
        .write("docs/ops/02-backup.md", &page("Backups", 0))
        .write("docs/ops/diagram.png", "png")
        .write(
            "docs/index.md",
            &format!(
                "{}\nSee [access](01-access.md) and [backups](ops/02-backup.md).\n",
                page("Overview", 0)
            ),
        );
    let c1 = book.commit(ALICE, "2022-03-01T09:00:00Z", "Write the policies");
    book.write("docs/01-access.md", &page("Access Control", 1));
    let c2 = book.commit(BOB, "2023-03-01T09:00:00Z", "Access: MFA everywhere");

    let out = book
        .run(&["import", "markdown", ".", "--content", "docs"])
        .success();
    let report = out.stdout();
    assert!(report.contains("git commit"), "{report}");
    assert!(
        report.contains(
            "files beside the pages that none of them links to were left where they are: 1"
        ),
        "{report}"
    );
    // Moved with git: the old paths are gone from the index, the new ones staged.
    let mut index = book.repo().index().expect("index");
    index.read(true).expect("the index as the import left it");
    assert!(index.get_path(Path::new("docs/01-access.md"), 0).is_none());
    assert!(
        index
            .get_path(Path::new("policies/01-access.md"), 0)
            .is_some()
    );
    assert!(index.get_path(Path::new("site.toml"), 0).is_some());
    assert!(
        book.join("README.md").is_file(),
        "the repository's README stays"
    );
    let access = book.read("policies/01-access.md");
    assert!(
        access.starts_with(
            "---\ntitle: Access Control\nowner: TODO\nreview: annual\nweight: 20\n---\nLine 1"
        ),
        "{access}"
    );
    let c3 = book.commit_index(ALICE, "2024-01-10T09:00:00Z", "Adopt policybook");
    assert!(stderr_of_check(&book).contains("`owner: TODO`"));

    book.run(&["evidence", "--since", "2022-01-01", "--until", "2024-12-31"])
        .success();
    let csv = book.read("evidence/changes.csv");
    let row = |commit: git2::Oid, doc: &str| crate::support::changes_row(&csv, commit, doc);
    // Every revision before the import, traced through the move the import staged.
    for (commit, doc) in [
        (c1, "01-access"),
        (c2, "01-access"),
        (c1, "02-backup"),
        (c1, "home"),
    ] {
        let r = row(commit, doc);
        assert!(r.contains("docs/"), "not traced through the move: {r}");
    }
    assert!(!row(c3, "01-access").is_empty());
}

fn stderr_of_check(book: &BookTest) -> String {
    book.run(&["check"]).stderr()
}

#[test]
fn docusaurus_and_gitbook_sites_are_recognised_with_their_order() {
    // Docusaurus: docs/ with sidebar_position and a category position; MDX is reported.
    let site = BookTest::empty();
    site.write(
        "docusaurus.config.js",
        "module.exports = {\n  title: 'Acme Trust Center',\n  url: 'https://trust.example.com',\n};\n",
    )
    .write(
        "docs/intro.md",
        "---\nsidebar_position: 1\n---\n# Welcome\n\nRead the [backup standard](/docs/ops/backups) and [restores](ops/restore.md).\n",
    )
    .write(
        "docs/ops/_category_.json",
        "{\"label\": \"Operations\", \"position\": 2}\n",
    )
    .write(
        "docs/ops/backups.md",
        "---\ntitle: Backup Standard\nsidebar_position: 2\n---\nDaily. See [restores](./restore).\n",
    )
    .write(
        "docs/ops/restore.md",
        "---\ntitle: Restore Runbook\nsidebar_position: 1\n---\nSteps.\n",
    )
    .write(
        "docs/aaa-legal.md",
        "---\ntitle: Legal Hold Policy\nsidebar_position: 3\n---\nKept.\n",
    )
    .write("docs/widget.mdx", "import X from './x';\n\n<X />\n");
    let out = site.run(&["import", "markdown", ".", "out"]).success();
    let report = out.stdout();
    assert!(report.contains("docs/widget.mdx: MDX"), "{report}");
    let root = site.join("out");
    let intro = std::fs::read_to_string(root.join("policies/intro.md")).expect("intro");
    assert!(
        intro.contains("title: Welcome\n")
            && intro.contains("weight: 10\n")
            && intro.contains("[backup standard](ops/backups.md)")
            && intro.contains("[restores](ops/restore.md)"),
        "{intro}"
    );
    let backups = std::fs::read_to_string(root.join("policies/ops/backups.md")).expect("backups");
    assert!(
        backups.contains("[restores](restore.md)") && backups.contains("kind: standard"),
        "{backups}"
    );
    assert!(
        std::fs::read_to_string(root.join("site.toml"))
            .expect("site.toml")
            .contains("title = \"Acme Trust Center\"")
    );
    checks_without_link_findings(&root);
    // The category (position 2) comes before the page with position 3.
    let policies = &sidebar(&root)[0];
    assert_eq!(policies.1, ["Welcome", "Legal Hold Policy"], "{policies:?}");
    let weight = |rel: &str| {
        let text = std::fs::read_to_string(root.join(rel)).expect("page");
        text.lines()
            .find_map(|l| {
                l.strip_prefix("weight: ")
                    .map(|w| w.parse::<i64>().expect("weight"))
            })
            .expect("a weight")
    };
    assert!(weight("policies/ops/restore.md") < weight("policies/ops/backups.md"));
    assert!(weight("policies/ops/backups.md") < weight("policies/aaa-legal.md"));

    // GitBook: SUMMARY.md at the top, pages where .gitbook.yaml's root says.
    let book = BookTest::empty();
    book.write(".gitbook.yaml", "root: ./pages/\n")
        .write(
            "pages/SUMMARY.md",
            "# Table of contents\n\n* [Code of Conduct](conduct.md)\n* [Access](access/README.md)\n  * [Reviews](access/reviews.md)\n",
        )
        .write("pages/conduct.md", "# Code of Conduct\n\nBe kind. See [access](access/).\n")
        .write("pages/access/README.md", "# Access\n\nSee [reviews](reviews.md).\n")
        .write("pages/access/reviews.md", "# Access Reviews\n\nQuarterly.\n");
    book.run(&["import", "markdown", ".", "out"]).success();
    let root = book.join("out");
    let conduct = std::fs::read_to_string(root.join("policies/conduct.md")).expect("conduct");
    assert!(
        conduct.contains("weight: 10\n") && conduct.contains("[access](access/README.md)"),
        "{conduct}"
    );
    checks_without_link_findings(&root);
    assert_eq!(
        sidebar(&root)[0].1,
        ["Code of Conduct", "Access", "Reviews"]
    );
}

#[test]
fn unreadable_pages_stop_the_import_with_file_and_line_and_write_nothing() {
    let site = BookTest::empty();
    site.write("s/a.md", "---\ntitle: [unclosed\n---\nText.\n")
        .write("s/ok.md", "# Fine\n");
    std::fs::write(site.join("s/b.md"), b"\xff\xfe not UTF-8").expect("write");
    let err = site
        .run(&["import", "markdown", "s", "out"])
        .fails_with(1)
        .stderr();
    for expected in [
        "error: 2 of the pages cannot be read, so nothing was converted",
        "error: s/a.md:3: its front matter cannot be read",
        "error: s/b.md: it is not UTF-8 text",
        "Nothing was imported.",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert!(!site.join("out").exists(), "nothing written");
    let err = site
        .run(&["import", "markdown", "nowhere", "out"])
        .fails_with(1)
        .stderr();
    assert!(err.contains("error: nowhere is not a folder"), "{err}");
}
