//! Versioned handbooks on a throwaway repository with three tagged releases: added, modified,
//! renamed and removed documents; switcher targets, banners, what-changed pages, `diff`.

use crate::support::git::{ALICE, BOB};
use crate::support::*;
use git2::Repository;

const SITE: &str = "title = \"Versions Test\"\n\n[versions]\ntags = \"v*\"\n";

/// Front matter of an annual document owned by `owner`, with `extra` lines.
fn front(title: &str, owner: &str, extra: &str) -> String {
    format!("title: {title}\nowner: {owner}\nreview: annual\n{extra}")
}

const B_BODY: &str = "## Scope\n\nThis procedure covers every laptop that the company issues to its staff.\n\n## Steps\n\nWipe the disk, record the serial number and ship it to the recycler.";

/// v0.9 (no site.toml) · v1.0 a b c · v1.1 a modified, b renamed, d added · v2.0 c removed,
/// d maps CC6.2 · working tree: d edited.
fn releases() -> BookTest {
    let book = BookTest::empty().git();
    book.write("README.md", "Before the handbook.\n");
    book.commit(ALICE, "2024-12-01T10:00:00Z", "Start");
    book.tag_light("v0.9");

    book.write("site.toml", SITE)
        .doc(
            "policies/a.md",
            &front("Alpha Policy", "CISO", "controls: [CC1.1]\n"),
            "## Keys\n\nKeys rotate every year.\n\nAccess is reviewed.",
        )
        .doc(
            "policies/b.md",
            &front("Laptop Disposal", "IT", "kind: procedure\n"),
            B_BODY,
        )
        .doc(
            "policies/c.md",
            &front("Gamma Policy", "CTO", "id: gamma\n"),
            "Gamma text.",
        );
    book.commit(ALICE, "2025-01-10T10:00:00Z", "First release");
    book.tag_light("v1.0");

    book.doc(
        "policies/a.md",
        &front("Alpha Policy", "CIO", "controls: [CC1.1]\n"),
        "## Keys\n\nKeys rotate every 90 days.\n\nAccess is reviewed.",
    )
    .git_mv("policies/b.md", "policies/laptop-disposal.md")
    .doc(
        "policies/d.md",
        &front("Delta Standard", "CISO", "kind: standard\n"),
        "## Settings {#settings}\n\nTLS 1.2 or later.",
    );
    book.commit(BOB, "2025-02-14T10:00:00Z", "Second release");
    book.tag(
        "v1.1",
        "2025-02-15T09:00:00Z",
        "Second release: key rotation every 90 days",
    );

    book.remove("policies/c.md").doc(
        "policies/d.md",
        &front("Delta Standard", "CISO", "kind: standard\n"),
        "## Settings {#settings controls=CC6.2}\n\nTLS 1.2 or later.",
    );
    book.commit(ALICE, "2025-03-20T10:00:00Z", "Third release");
    book.tag("v2.0", "2025-03-20T11:00:00Z", "Gamma retired");

    book.doc(
        "policies/d.md",
        &front("Delta Standard", "CISO", "kind: standard\n"),
        "## Settings {#settings controls=CC6.2}\n\nTLS 1.3 only.",
    );
    book
}

fn read(dir: &std::path::Path, page: &str) -> String {
    std::fs::read_to_string(dir.join("public").join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

/// The switcher's links of a page: (label, href).
fn switcher(html: &str) -> Vec<(String, String)> {
    let block = html
        .split("<details class=\"pb-versions\"")
        .nth(1)
        .unwrap()
        .split("</details>")
        .next()
        .unwrap();
    block
        .split("<li><a href=\"")
        .skip(1)
        .map(|s| {
            let href = s.split('"').next().unwrap().to_string();
            let label = s
                .split('>')
                .nth(1)
                .unwrap()
                .split(['<', ' '])
                .next()
                .unwrap()
                .to_string();
            (label, href)
        })
        .collect()
}

#[test]
fn every_release_is_built_from_git_with_switcher_and_banners() {
    let dir = releases();
    let before = read_tree(&dir.path().join("policies"));
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: site.toml:4: release `v0.9`") || err.contains("release `v0.9`"),
        "{err}"
    );
    assert!(
        err.contains("its commit has no readable site.toml"),
        "{err}"
    );
    assert_eq!(
        read_tree(&dir.path().join("policies")),
        before,
        "the working tree is untouched"
    );

    let public = dir.path().join("public");
    for v in ["v1.0", "v1.1", "v2.0"] {
        assert!(public.join("v").join(v).join("index.html").is_file(), "{v}");
    }
    assert!(!public.join("v/v0.9").exists());
    // Releases have the documents of their tag, not of the working tree.
    assert!(public.join("v/v1.0/documents/b.html").is_file());
    assert!(public.join("v/v1.0/documents/gamma.html").is_file());
    assert!(!public.join("v/v1.0/documents/d.html").exists());
    assert!(!public.join("v/v2.0/documents/gamma.html").exists());
    assert!(read(dir.path(), "v/v2.0/documents/d.html").contains("TLS 1.2 or later"));
    assert!(read(dir.path(), "documents/d.html").contains("TLS 1.3 only"));

    // The switcher follows the renamed document and falls back to home where it does not exist.
    let b = read(dir.path(), "v/v1.0/documents/b.html");
    assert_eq!(
        switcher(&b),
        [
            (
                "latest".to_string(),
                "../../../documents/laptop-disposal.html".to_string()
            ),
            (
                "v2.0".into(),
                "../../../v/v2.0/documents/laptop-disposal.html".into()
            ),
            (
                "v1.1".into(),
                "../../../v/v1.1/documents/laptop-disposal.html".into()
            ),
            ("v1.0".into(), "../../../v/v1.0/documents/b.html".into()),
            ("All".into(), "../../../versions.html".into()),
        ]
    );
    let gamma = read(dir.path(), "v/v1.1/documents/gamma.html");
    let links = switcher(&gamma);
    assert_eq!(
        links[0].1, "../../../index.html",
        "gamma is gone from the current version"
    );
    assert_eq!(links[1].1, "../../../v/v2.0/index.html");
    let control = read(dir.path(), "controls/soc2/CC6.2.html");
    assert_eq!(
        switcher(&control)[3].1,
        "../../v/v1.0/controls/soc2/CC6.2.html"
    );
    assert!(b.contains("aria-current=\"true\">v1.0"));

    // Superseded releases carry the banner; the newest release and the current version do not.
    assert!(b.contains("Version v1.0, superseded by v1.1 on 2025-02-15 — <a href=\"../../../documents/laptop-disposal.html\">see the current version</a>"));
    assert!(read(dir.path(), "v/v1.1/index.html").contains("superseded by v2.0 on 2025-03-20"));
    assert!(!read(dir.path(), "v/v2.0/index.html").contains("pb-banner"));
    assert!(!read(dir.path(), "index.html").contains("pb-banner"));

    // Each release's history and reviews are as of its own commit.
    let m = json(&public.join("v/v1.1/matrix.json"));
    assert_eq!(m["source"]["as_of"], "2025-02-14");
    let a = m["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "a")
        .unwrap();
    assert_eq!(a["owner"], "CIO");
    assert_eq!(a["last_changed"]["date"], "2025-02-14");

    let broken = broken_links(&public);
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn what_changed_pages_and_the_versions_index() {
    let dir = releases();
    assert!(run(dir.path(), &["build"]).status.success());
    let v11 = read(dir.path(), "v/v1.1/what-changed.html");
    assert!(
        v11.contains("Since v1.0: 1 added, 0 removed, 1 renamed, 1 modified"),
        "{v11}"
    );
    assert!(v11.contains("<a href=\"documents/d.html\">Delta Standard</a>"));
    assert!(v11.contains("<code>policies/b.md</code> → <a href=\"documents/laptop-disposal.html\"><code>policies/laptop-disposal.md</code></a>"));
    assert!(
        v11.contains("Keys rotate every <del>year.</del><ins>90 days.</ins>"),
        "word-level diff"
    );
    assert!(v11.contains("<td>owner</td><td><del>CISO</del></td><td><ins>CIO</ins></td>"));
    assert!(
        !v11.contains("diff-laptop-disposal"),
        "a pure rename is not a modification"
    );

    let v20 = read(dir.path(), "v/v2.0/what-changed.html");
    assert!(
        v20.contains("Since v1.1: 0 added, 1 removed, 0 renamed, 1 modified"),
        "{v20}"
    );
    assert!(v20.contains("Gamma Policy"));
    assert!(v20.contains("Controls whose coverage changed") && v20.contains(">CC6.2</a>"));
    assert!(v20.contains("<td>gap</td><td>d#settings</td>"), "{v20}");

    assert!(read(dir.path(), "v/v1.0/what-changed.html").contains("The first published version"));
    assert!(
        read(dir.path(), "what-changed.html")
            .contains("TLS <del>1.2</del><ins>1.3</ins> <del>or later.</del><ins>only.</ins>")
    );

    let index = read(dir.path(), "versions.html");
    let order: Vec<usize> = ["latest", "v2.0", "v1.1", "v1.0"]
        .iter()
        .map(|v| index.find(&format!(">{v}</a>")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first");
    assert!(index.contains("Second release: key rotation every 90 days"));
    assert!(
        index.contains("<time datetime=\"2025-02-15\">"),
        "annotated tags are dated by the tagger"
    );
    assert!(
        index.contains("<time datetime=\"2025-01-10\">"),
        "lightweight tags by their commit"
    );
    assert!(index.contains("+1 added, −0 removed, 1 renamed, 1 modified"));
}

#[test]
fn diff_between_tags_commits_and_the_working_tree() {
    let dir = releases();
    let out = run(dir.path(), &["diff", "v1.0", "v1.1", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let d: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(d["from"], "v1.0");
    assert_eq!(d["added"][0]["id"], "d");
    assert_eq!(d["removed"], serde_json::json!([]));
    assert_eq!(d["renamed"][0]["from"]["path"], "policies/b.md");
    assert_eq!(d["renamed"][0]["to"]["id"], "laptop-disposal");
    assert_eq!(d["modified"][0]["after"]["id"], "a");
    assert_eq!(
        d["modified"][0]["fields"][0],
        serde_json::json!({"field": "owner", "before": "CISO", "after": "CIO"})
    );
    let changed = d["modified"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "changed")
        .unwrap();
    assert_eq!(
        changed["html"],
        "Keys rotate every <del>year.</del><ins>90 days.</ins>"
    );

    let out = run(dir.path(), &["diff", "v2.0", "WORKTREE"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "v2.0 → WORKTREE\n  modified  d: 1 paragraph changed\n"
    );
    let out = run(dir.path(), &["diff", "v1.1", "HEAD"]);
    assert!(
        stdout(&out).contains("  removed   gamma (policies/c.md)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(
            "  control   CC6.2 Registering and authorising users: +d#settings, gap closed"
        ),
        "{}",
        stdout(&out)
    );

    let out = run(dir.path(), &["diff", "v9", "WORKTREE"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown version `v9`"));
    assert_eq!(run(dir.path(), &["diff", "v1.0"]).status.code(), Some(2));
}

#[test]
fn tag_patterns_that_match_nothing_and_shallow_clones_without_tags() {
    let dir = releases();
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\n\n[versions]\ntags = \"release-*\"\n",
    )
    .unwrap();
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: site.toml:4: no git tag matches `release-*`"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("public/v").exists());

    // A list of tags, one of them missing.
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\n\n[versions]\ntags = [\"v1.0\", \"v3.0\"]\ncurrent = \"next\"\n",
    )
    .unwrap();
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("the tag `v3.0` named in [versions] tags does not exist"));
    assert!(dir.path().join("public/v/v1.0/index.html").is_file());
    assert!(!dir.path().join("public/v/v1.1").exists());
    assert!(read(dir.path(), "index.html").contains("Version: <strong>next</strong>"));

    // A shallow clone of the default branch, without tags, as CI checkouts often are.
    let clone_dir = tempfile::tempdir().unwrap();
    let clone = Repository::clone(dir.path().to_str().unwrap(), clone_dir.path()).unwrap();
    let tags: Vec<String> = clone
        .tag_names(None)
        .unwrap()
        .iter_bytes()
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect();
    for t in tags {
        clone.tag_delete(&t).unwrap();
    }
    let head = clone.head().unwrap().target().unwrap();
    std::fs::write(clone.path().join("shallow"), format!("{head}\n")).unwrap();
    std::fs::write(clone_dir.path().join("site.toml"), SITE).unwrap();
    let out = run(clone_dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("no tag matches `v*`: this is a shallow clone"),
        "{err}"
    );
    assert!(err.contains("git fetch --tags --unshallow"), "{err}");
}

#[test]
fn an_invalid_site_toml_at_a_tag_skips_that_release_only() {
    let dir = releases();
    // v2.1: a broken site.toml in the release commit.
    dir.write("site.toml", "title = [broken\n");
    dir.commit(ALICE, "2025-04-01T10:00:00Z", "Oops");
    dir.tag_light("v2.1");
    dir.write("site.toml", SITE);
    let out = run(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("release `v2.1`") && err.contains("its site.toml is invalid"),
        "{err}"
    );
    assert!(
        err.contains("v2.1:site.toml:1"),
        "the message points into the tag: {err}"
    );
    assert!(!dir.path().join("public/v/v2.1").exists());
    assert!(dir.path().join("public/v/v2.0/index.html").is_file());
}

#[test]
fn progress_shows_on_a_terminal_and_not_in_ci() {
    let dir = releases();
    let bin = assert_cmd::cargo::cargo_bin("policybook");
    // Not a terminal (as in CI logs): no progress line.
    let out = run(dir.path(), &["build"]);
    assert!(
        !stderr(&out).contains("rendering version"),
        "{}",
        stderr(&out)
    );
    // On a terminal (a pseudo-terminal from `script`, where available): the progress line.
    if std::path::Path::new("/usr/bin/script").exists() {
        let cmd = format!("{} build --out ../pty-out", bin.display());
        let tty = std::process::Command::new("/usr/bin/script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(dir.path())
            .env_remove("CI")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&tty.stdout);
        assert!(text.contains("[1/4] rendering version v1.0"), "{text}");
        let ci = std::process::Command::new("/usr/bin/script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(dir.path())
            .env("CI", "true")
            .output()
            .unwrap();
        assert!(!String::from_utf8_lossy(&ci.stdout).contains("rendering version"));
        let _ = std::fs::remove_dir_all(dir.path().join("../pty-out"));
    }
}
