//! Commit signatures verified against `[signatures] allowed_signers`: real SSH keys made with
//! `ssh-keygen`, real signed commits, a tampered one; statuses on pages and in evidence, and
//! verified approvals under `[reviews] require = "verified"`.

use std::path::Path;
use std::process::Command;

use crate::support::BookTest;
use crate::support::git::{ALICE, signature};

const JANE: (&str, &str) = ("Jane Doe", "jane@example.com");

pub(crate) fn have_ssh_keygen() -> bool {
    crate::support::have("ssh-keygen", "package openssh-client")
}

fn have_gpg() -> bool {
    crate::support::have("gpg", "packages gpg and gpg-agent")
}

/// A new ed25519 key in `dir/name`; its public key line.
pub(crate) fn keygen(dir: &Path, name: &str) -> String {
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
    commit_signed_by(book, who, when, message, tamper, |payload| {
        // ssh-keygen will not overwrite an earlier signature.
        let sig = payload.with_extension("payload.sig");
        let _ = std::fs::remove_file(&sig);
        let status = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "git", "-f"])
            .arg(key)
            .arg(payload)
            .status()
            .expect("ssh-keygen");
        assert!(status.success());
        std::fs::read_to_string(sig).expect("signature")
    })
}

/// An empty commit on HEAD whose object `sign` signs (given the file holding it; it returns the
/// armored signature); `tamper` alters the commit after signing.
fn commit_signed_by(
    book: &BookTest,
    who: (&str, &str),
    when: &str,
    message: &str,
    tamper: bool,
    sign: impl FnOnce(&Path) -> String,
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
    let dir = tempfile::tempdir().expect("temp");
    let file = dir.path().join("commit.payload");
    std::fs::write(&file, &text).expect("payload");
    let armored = sign(&file);
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
    let line = |oid: git2::Oid| page_line(&book, oid);
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

/// The line of `public/documents/a.html` that shows commit `oid`.
fn page_line(book: &BookTest, oid: git2::Oid) -> String {
    book.read("public/documents/a.html")
        .lines()
        .find(|l| l.contains(&oid.to_string()))
        .unwrap_or_default()
        .to_string()
}

/// Runs `ssh-keygen` with `args`, which must succeed.
pub(crate) fn ssh_keygen(dir: &Path, args: &[&str]) {
    let status = Command::new("ssh-keygen")
        .current_dir(dir)
        .args(args)
        .status()
        .expect("ssh-keygen");
    assert!(status.success(), "ssh-keygen {args:?}");
}

#[test]
fn certificates_from_an_authority_and_rsa_keys_are_verified() {
    if !have_ssh_keygen() {
        return;
    }
    let keys = tempfile::tempdir().expect("temp");
    let (book, _) = book(keys.path());
    let dir = keys.path();
    let ca = keygen(dir, "ca");
    keygen(dir, "mallory");
    // Jane's key certified for 2025 only; Mallory's for a principal the authority's line does
    // not allow.
    ssh_keygen(
        dir,
        &[
            "-q",
            "-s",
            "ca",
            "-I",
            "jane",
            "-n",
            "jane@example.com",
            "-V",
            "20250101:20260101",
            "jane.pub",
        ],
    );
    ssh_keygen(
        dir,
        &[
            "-q",
            "-s",
            "ca",
            "-I",
            "m",
            "-n",
            "mallory@example.org",
            "-V",
            "20250101:20260101",
            "mallory.pub",
        ],
    );
    ssh_keygen(
        dir,
        &[
            "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "bob", "-f", "bob",
        ],
    );
    let bob = std::fs::read_to_string(dir.join("bob.pub")).expect("rsa key");
    book.write(
        "allowed_signers",
        &format!("*@example.com,!bot@example.com cert-authority {ca}bob@example.com {bob}"),
    );
    let cert = dir.join("jane-cert.pub");
    let in_period = signed_commit(
        &book,
        &cert,
        JANE,
        "2025-02-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        false,
    );
    let after = signed_commit(
        &book,
        &cert,
        JANE,
        "2026-02-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        false,
    );
    let other = signed_commit(
        &book,
        &dir.join("mallory-cert.pub"),
        JANE,
        "2025-03-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        false,
    );
    let tampered = signed_commit(
        &book,
        &cert,
        JANE,
        "2025-04-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        true,
    );
    let rsa = signed_commit(
        &book,
        &dir.join("bob"),
        ("Bob Builder", "bob@example.com"),
        "2025-05-01T09:00:00Z",
        "Review A\n\nReviews: a\n",
        false,
    );
    book.run(&["build"]).success();
    let l = page_line(&book, in_period);
    assert!(
        l.contains("signed: jane@example.com"),
        "certificate in its period: {l}"
    );
    let l = page_line(&book, after);
    assert!(
        l.contains("signature expired"),
        "certificate past valid-before: {l}"
    );
    let l = page_line(&book, other);
    assert!(
        l.contains("signature unknown key"),
        "principal the authority line refuses: {l}"
    );
    let l = page_line(&book, tampered);
    assert!(l.contains("signature bad"), "{l}");
    let l = page_line(&book, rsa);
    assert!(l.contains("signed: bob@example.com"), "RSA key: {l}");
    // Bob's key is trusted, but people.yaml does not know him: his signature verifies no one.
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains(&format!(
            "people.yaml: commits are signed by bob@example.com (verified, latest {}), but no one in people.yaml has that email",
            &rsa.to_string()[..7]
        )),
        "{err}"
    );

    // Revoking the authority revokes what it certified.
    book.write("revoked", &ca);
    book.run(&["build"]).success();
    let l = page_line(&book, in_period);
    assert!(l.contains("signature revoked"), "{l}");
}

/// A throwaway GnuPG home; its agent is stopped when it is dropped.
struct GnuPg {
    home: tempfile::TempDir,
}

impl GnuPg {
    fn new() -> GnuPg {
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in(std::env::temp_dir())
            .expect("temp");
        GnuPg { home }
    }

    /// Runs gpg at the faked time `at` (`YYYYMMDDTHHMMSS`: keys and signatures are dated then).
    fn run(&self, at: &str, args: &[&str]) -> Vec<u8> {
        let out = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args([
                "--batch",
                "--quiet",
                "--yes",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(["--faked-system-time", at])
            .args(args)
            .output()
            .expect("gpg");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// A signing key for `uid` created at `at`, expiring after `expire` (`1y`, `never`).
    fn key(&self, at: &str, uid: &str, expire: &str) {
        self.run(at, &["--quick-gen-key", uid, "ed25519", "sign", expire]);
    }

    fn export(&self, who: &str) -> String {
        String::from_utf8(self.run("20250101T000000", &["--armor", "--export", who]))
            .expect("armor")
    }

    /// Signs the file at `payload` as `git commit -S` does (`gpg -bsau KEY`).
    fn sign(&self, at: &str, who: &str, payload: &Path) -> String {
        let path = payload.to_str().expect("path");
        String::from_utf8(self.run(
            at,
            &["--armor", "--detach-sign", "-u", who, "-o", "-", path],
        ))
        .expect("armor")
    }
}

impl Drop for GnuPg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .status();
    }
}

#[test]
fn openpgp_signatures_are_verified() {
    if !have_gpg() {
        return;
    }
    let gpg = GnuPg::new();
    gpg.key("20250101T000000", "Jane Doe <jane@example.com>", "1y");
    gpg.key("20250101T000000", "Mallory <mallory@example.com>", "never");
    let book = BookTest::new(
        "title = \"Signed\"\n[scope]\ngaps = \"allow\"\n[signatures]\nopenpgp_keys = \"keys.asc\"\n",
    )
    .git();
    book.write(
        "people.yaml",
        "- name: Jane Doe\n  emails: [jane@example.com]\n  roles: [CISO]\n",
    )
    .write("keys.asc", &gpg.export("jane@example.com"))
    .doc(
        "policies/a.md",
        "title: A\nowner: CISO\napprovers: [CISO]\nreview: annual\n",
        "One.",
    );
    book.commit(ALICE, "2025-01-10T09:00:00Z", "Add A\n");
    let review = "Review A\n\nReviews: a\n";
    let jane = "jane@example.com";
    let good = commit_signed_by(&book, JANE, "2025-02-01T09:00:00Z", review, false, |p| {
        gpg.sign("20250201T090000", jane, p)
    });
    let bad = commit_signed_by(&book, JANE, "2025-03-01T09:00:00Z", review, true, |p| {
        gpg.sign("20250301T090000", jane, p)
    });
    let unknown = commit_signed_by(&book, JANE, "2025-04-01T09:00:00Z", review, false, |p| {
        gpg.sign("20250401T090000", "mallory@example.com", p)
    });
    // Signed while the key was valid, but committed after it expired (2026-01-01).
    let late = commit_signed_by(&book, JANE, "2026-02-01T09:00:00Z", review, false, |p| {
        gpg.sign("20251201T090000", jane, p)
    });
    book.run(&["build"]).success();
    let l = page_line(&book, good);
    assert!(l.contains("signed: jane@example.com"), "{l}");
    assert!(
        page_line(&book, bad).contains("signature bad"),
        "{}",
        page_line(&book, bad)
    );
    let l = page_line(&book, unknown);
    assert!(l.contains("signature unknown key"), "{l}");
    let l = page_line(&book, late);
    assert!(l.contains("signature expired"), "{l}");

    book.run(&["evidence", "--since", "2025-01-01", "--until", "2025-12-31"])
        .success();
    let reviews = book.read("evidence/reviews.csv");
    let row = reviews
        .lines()
        .find(|l| l.contains(&good.to_string()))
        .unwrap_or_default();
    assert!(
        row.contains(",verified,yes,"),
        "a PGP-signed approval is verified: {row}"
    );

    // Revoked: the revocation certificate gpg made with the key, imported and exported again.
    let revs = gpg.home.path().join("openpgp-revocs.d");
    let rev = std::fs::read_dir(&revs)
        .expect("revocation certificates")
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).expect("rev"))
        .find(|_| true)
        .expect("one");
    let fingerprint = gpg.run("20250101T000000", &["--with-colons", "--fingerprint", jane]);
    let fingerprint = String::from_utf8(fingerprint).expect("utf-8");
    let fpr = fingerprint
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .expect("fingerprint");
    let rev = std::fs::read_to_string(revs.join(format!("{fpr}.rev"))).unwrap_or(rev);
    let rev_file = gpg.home.path().join("jane.rev");
    std::fs::write(&rev_file, rev.replace(":-----BEGIN", "-----BEGIN")).expect("write");
    gpg.run(
        "20250601T000000",
        &["--import", rev_file.to_str().expect("path")],
    );
    book.write("keys.asc", &gpg.export(jane));
    book.run(&["build"]).success();
    let l = page_line(&book, good);
    assert!(l.contains("signature revoked"), "{l}");

    // A keys file that is not one is an error with its line.
    book.write("keys.asc", "not a key\n");
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(err.contains("keys.asc:1: no OpenPGP public key"), "{err}");
}
