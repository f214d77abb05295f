//! `policybook verify`: a built site and an evidence folder checked against their
//! `manifest.json` — a clean copy passes; a changed byte, a removed file, an added file and a
//! bad signature each fail with what is wrong.

use crate::signatures::{have_ssh_keygen, keygen, ssh_keygen};
use crate::support::{BookTest, committed_fixture, run, stderr, stdout};

fn args(a: &[String; 4]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

/// `policybook ARGS` succeeds and says `expected`.
fn passes_saying(book: &BookTest, args: &[&str], expected: &str) {
    let out = book.run(args).success();
    assert!(
        out.stdout().contains(expected),
        "missing {expected:?} in\n{}",
        out.stdout()
    );
}

/// `policybook ARGS` fails (exit 1) and says `expected`.
fn fails_saying(book: &BookTest, args: &[&str], expected: &str) {
    let out = book.run(args).fails_with(1);
    assert!(
        out.stdout().contains(expected),
        "missing {expected:?} in\n{}",
        out.stdout()
    );
}

#[test]
fn a_built_site_verifies_until_a_file_changes() {
    let book = BookTest::fixture("good");
    book.run(&["build"]).success();
    let manifest = book.json("public/manifest.json");
    assert_eq!(manifest["command"], "policybook build");
    let files = manifest["files"].as_array().expect("files");
    // Pages and the exports beside them, which are written as soon as each is made.
    for listed in [
        "index.html",
        "matrix.json",
        "matrix.csv",
        "reviews.ics",
        "navigation.js",
        "search-index.js",
    ] {
        assert!(files.iter().any(|f| f["path"] == listed), "{listed}");
    }
    assert!(!files.iter().any(|f| f["path"] == "manifest.json"));
    let inputs = manifest["inputs"].as_array().expect("inputs");
    assert!(inputs.iter().any(|f| f["path"] == "site.toml"));
    assert!(
        inputs
            .iter()
            .any(|f| f["path"] == "policies/access-control.md")
    );
    let verify = ["verify", "public"];
    passes_saying(&book, &verify, " files match public/manifest.json.");

    // One changed byte.
    let page = book.read("public/index.html");
    book.write("public/index.html", &page.replacen('<', "[", 1));
    fails_saying(&book, &verify, "changed: index.html\n");
    book.write("public/index.html", &page);
    book.run(&verify).success();
    // One removed file.
    let css = book.read("public/static/style.css");
    book.remove("public/static/style.css");
    fails_saying(&book, &verify, "missing: static/style.css\n");
    book.write("public/static/style.css", &css);
    // One added file.
    book.write("public/documents/extra.html", "<p>not built</p>");
    fails_saying(&book, &verify, "added: documents/extra.html\n");
    fails_saying(
        &book,
        &verify,
        "1 file differ from public/manifest.json: 0 changed, 0 missing, 1 added.",
    );
    book.remove("public/documents/extra.html");

    // Not a manifest folder at all.
    let err = book.run(&["verify", "policies"]).fails_with(1).stderr();
    assert!(err.contains("cannot read policies/manifest.json"), "{err}");
}

#[test]
fn an_evidence_folder_verifies() {
    let dir = committed_fixture("good", "2025-04-01T09:00:00Z");
    let out = run(
        dir.path(),
        &["evidence", "--since", "2025-01-01", "--until", "2025-12-31"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(dir.path(), &["verify", "evidence"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    std::fs::write(dir.path().join("evidence/changes.csv"), "edited\n").expect("edit");
    let out = run(dir.path(), &["verify", "evidence"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("changed: changes.csv"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_signed_manifest_is_checked_against_the_key() {
    if !have_ssh_keygen() {
        return;
    }
    let book = BookTest::fixture("good");
    let keys = tempfile::tempdir().expect("keys");
    let jane = keygen(keys.path(), "jane");
    let _mallory = keygen(keys.path(), "mallory");
    book.run(&["build"]).success();
    let sign = |key: &str, namespace: &str| {
        let _ = std::fs::remove_file(book.join("public/manifest.json.sig"));
        let key = keys.path().join(key).to_string_lossy().into_owned();
        ssh_keygen(
            book.path(),
            &[
                "-Y",
                "sign",
                "-q",
                "-n",
                namespace,
                "-f",
                &key,
                "public/manifest.json",
            ],
        );
    };
    let key = |name: &str| {
        keys.path()
            .join(format!("{name}.pub"))
            .to_string_lossy()
            .into_owned()
    };
    let with = |name: &str| {
        [
            "verify".to_string(),
            "public".into(),
            "--key".into(),
            key(name),
        ]
    };

    sign("jane", "policybook");
    passes_saying(
        &book,
        &args(&with("jane")),
        "The manifest is signed by jane.",
    );
    // Another key: unknown.
    fails_saying(&book, &args(&with("mallory")), "signature is unknown-key");
    // Without a key the files still verify, and the signature is said to be unchecked.
    passes_saying(&book, &["verify", "public"], "no key was given to check it");
    // Signed for another purpose (git's namespace): bad.
    sign("jane", "git");
    fails_saying(&book, &args(&with("jane")), "signature is bad");
    // The manifest changed after signing: bad, though every file matches the new manifest.
    sign("jane", "policybook");
    let manifest = book.read("public/manifest.json");
    book.write(
        "public/manifest.json",
        &manifest.replace("policybook build", "policybook  build"),
    );
    fails_saying(&book, &args(&with("jane")), "signature is bad");
    book.write("public/manifest.json", &manifest);
    // Keys given but no signature: fails.
    book.remove("public/manifest.json.sig");
    fails_saying(&book, &args(&with("jane")), "is not signed");

    // The handbook's allowed signers, when no --key is given.
    sign("jane", "policybook");
    book.write(
        "allowed_signers",
        &format!("jane@example.com namespaces=\"git,policybook\" {jane}"),
    );
    let site = book.read("site.toml");
    book.write(
        "site.toml",
        &format!("{site}\n[signatures]\nallowed_signers = \"allowed_signers\"\n"),
    );
    passes_saying(&book, &["verify", "public"], "signed by jane@example.com");
}
