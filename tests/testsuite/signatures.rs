//! Commit signatures verified against `[signatures] allowed_signers`: real SSH keys made with
//! `ssh-keygen`, real signed commits, a tampered one; statuses on pages and in evidence, and
//! verified approvals under `[reviews] require = "verified"`.

use std::path::Path;
use std::process::Command;

use crate::support::BookTest;
use crate::support::git::{ALICE, signature};

const JANE: (&str, &str) = ("Jane Doe", "jane@example.com");

/// Whether `ssh-keygen` can run. CI installs it (`openssh-client`) and requires it; on a
/// developer's machine without it the signature tests say so and stop, rather than fail.
fn have_ssh_keygen() -> bool {
    let found = Command::new("ssh-keygen").arg("-?").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ssh-keygen (Debian package openssh-client)"
        );
        eprintln!("skipped: ssh-keygen is not installed (Debian package openssh-client)");
    }
    found
}

/// A new ed25519 key in `dir/name`; its public key line.
fn keygen(dir: &Path, name: &str) -> String {
    let key = dir.join(name);
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .status()
        .expect("ssh-keygen (Debian package openssh-client) is needed");
    assert!(status.success());
    std::fs::read_to_string(key.with_extension("pub")).expect("public key")
}

/// An empty commit on HEAD signed with `key` (as `git commit -S` with `gpg.format = ssh` does);
/// `tamper` alters the commit after signing.
fn signed_commit(
    book: &BookTest,
    key: &Path,
    who: (&str, &str),
    when: &str,
    message: &str,
    tamper: bool,
) -> git2::Oid {
    let repo = book.repo();
    let head = repo.head().expect("head");
    let name = head.name().expect("branch").to_string();
    let parent = head.peel_to_commit().expect("commit");
    let tree = parent.tree().expect("tree");
    let sig = signature(who, when);
    let buf = repo
        .commit_create_buffer(&sig, &sig, message, &tree, &[&parent])
        .expect("buffer");
    let text = std::str::from_utf8(&buf).expect("utf-8").to_string();
    let file = key.with_extension("payload");
    std::fs::write(&file, &text).expect("payload");
    // ssh-keygen will not overwrite an earlier signature.
    let _ = std::fs::remove_file(file.with_extension("payload.sig"));
    let status = Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "git", "-f"])
        .arg(key)
        .arg(&file)
        .status()
        .expect("ssh-keygen");
    assert!(status.success());
    let armored = std::fs::read_to_string(file.with_extension("payload.sig")).expect("signature");
    let text = if tamper {
        text.replacen("Review A\n", "Review A (edited after signing)\n", 1)
    } else {
        text
    };
    let oid = repo
        .commit_signed(&text, &armored, None)
        .expect("signed commit");
    repo.reference(&name, oid, true, "signed")
        .expect("move the branch");
    oid
}

fn book(keys: &Path) -> (BookTest, String) {
    let jane = keygen(keys, "jane");
    let book = BookTest::new(
        "title = \"Signed\"\n[scope]\ngaps = \"allow\"\n[signatures]\nallowed_signers = \"allowed_signers\"\nrevoked_signers = \"revoked\"\n",
    )
    .git();
    book.write(
        "people.yaml",
        "- name: Jane Doe\n  emails: [jane@example.com]\n  roles: [CISO]\n",
    )
    .write(
        "allowed_signers",
        &format!("jane@example.com namespaces=\"git\" {jane}"),
    )
    .write("revoked", "")
    .doc(
        "policies/a.md",
        "title: A\nowner: CISO\napprovers: [CISO]\nreview: annual\n",
        "One.",
    );
    book.commit(
        ALICE,
        "2025-01-10T09:00:00Z",
        "Add A\n\nReviewed-by: Jane Doe <jane@example.com>\n",
    );
    (book, jane)
}

#[test]
fn signatures_are_verified_not_just_detected() {
    if !have_ssh_keygen() {
        return;
    }
    let keys = tempfile::tempdir().expect("temp");
    let (book, jane) = book(keys.path());
    let _mallory = keygen(keys.path(), "mallory");
    let good = signed_commit(
        &book,
        &keys.path().join("jane"),
        JANE,
        "2025-02-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        false,
    );
    let unknown = signed_commit(
        &book,
        &keys.path().join("mallory"),
        JANE,
        "2025-03-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        false,
    );
    let bad = signed_commit(
        &book,
        &keys.path().join("jane"),
        JANE,
        "2025-04-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        true,
    );
    book.run(&["build"]).success();
    let page = book.read("public/documents/a.html");
    let line = |oid: git2::Oid| {
        page.lines()
            .find(|l| l.contains(&oid.to_string()))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line(good).contains("signed: jane@example.com"),
        "{}",
        line(good)
    );
    assert!(
        line(unknown).contains("signature unknown key"),
        "{}",
        line(unknown)
    );
    assert!(line(bad).contains("signature bad"), "{}", line(bad));
    assert!(
        page.contains("bad signature: commit"),
        "a tampered review does not count: {page}"
    );

    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let reviews = book.read("evidence/reviews.csv");
    let row = |oid: git2::Oid| {
        reviews
            .lines()
            .find(|l| l.contains(&oid.to_string()))
            .unwrap_or_default()
            .to_string()
    };
    assert!(row(good).contains(",verified,yes,"), "{}", row(good));
    assert!(
        row(good).ends_with(",verified"),
        "the signature column: {}",
        row(good)
    );
    assert!(row(unknown).contains(",asserted,yes,"), "{}", row(unknown));
    assert!(row(bad).contains(",no,bad signature"), "{}", row(bad));

    // Under require = "verified" only Jane's own signed review counts.
    let site = book.read("site.toml") + "[reviews]\nrequire = \"verified\"\n";
    book.write("site.toml", &site);
    let m = book.build(&[]);
    assert_eq!(m["documents"][0]["last_reviewed"]["date"], "2025-02-01");

    // Revoked: the same key, now distrusted.
    book.write("revoked", &jane);
    book.run(&["build"]).success();
    let page = book.read("public/documents/a.html");
    assert!(
        page.lines()
            .any(|l| l.contains(&good.to_string()) && l.contains("signature revoked")),
        "{page}"
    );
    let m = book.json("public/matrix.json");
    assert_eq!(m["documents"][0]["last_reviewed"], serde_json::Value::Null);

    // Expired: allowed only before 2025.
    book.write("revoked", "");
    book.write(
        "allowed_signers",
        &format!("jane@example.com valid-before=\"20241231\" {jane}"),
    );
    book.run(&["build"]).success();
    let page = book.read("public/documents/a.html");
    assert!(
        page.lines()
            .any(|l| l.contains(&good.to_string()) && l.contains("signature expired")),
        "{page}"
    );
}

#[test]
fn signer_files_are_checked() {
    if !have_ssh_keygen() {
        return;
    }
    let keys = tempfile::tempdir().expect("temp");
    let (book, _) = book(keys.path());
    book.write("allowed_signers", "jane@example.com ssh-ed25519 notakey\n");
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(
        err.contains("error: allowed_signers:1: invalid allowed signer: the key"),
        "{err}"
    );
    book.remove("revoked");
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(err.contains("`revoked` does not exist"), "{err}");
}
