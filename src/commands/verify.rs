//! `policybook verify DIR`: re-hashes a published site or an evidence folder against its
//! `manifest.json`, and checks the manifest's SSH signature against `--key` or the handbook's
//! `[signatures] allowed_signers`.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::manifest::{self, SignatureVerdict};
use crate::pipeline::Source;
use crate::pipeline::load::SourceFile;
use crate::pipeline::resolve::signatures::{SignatureStatus, Signers};

use super::{EXIT_OK, EXIT_PROBLEMS};

/// `policybook verify DIR [--key FILE] [--root DIR]`.
pub fn run(dir: &Path, key: Option<&Path>, root: &Path) -> u8 {
    let mut diags = Diagnostics::new();
    let signers = match key {
        Some(key) => key_signers(key, &mut diags),
        None => handbook_signers(root),
    };
    if diags.has_errors() {
        super::print_human(&diags);
        return EXIT_PROBLEMS;
    }
    let today = jiff::ZonedDateTime::now().date();
    let v = match manifest::verify(dir, signers.as_ref(), today) {
        Ok(v) => v,
        Err(why) => {
            diags.push(Diagnostic::error(why).hint(
                "verify the folder that `policybook build` or `policybook evidence` wrote: it holds manifest.json",
            ));
            super::print_human(&diags);
            return EXIT_PROBLEMS;
        }
    };
    for (what, list) in [
        ("changed", &v.changed),
        ("missing", &v.missing),
        ("added", &v.added),
    ] {
        for path in list {
            println!("{what}: {path}");
        }
    }
    let files = v.changed.len() + v.missing.len() + v.added.len();
    if files == 0 {
        println!(
            "{} files match {}.",
            v.checked,
            dir.join(manifest::FILE).display()
        );
    } else {
        println!(
            "{files} file{} differ from {}: {} changed, {} missing, {} added.",
            if files == 1 { "" } else { "s" },
            dir.join(manifest::FILE).display(),
            v.changed.len(),
            v.missing.len(),
            v.added.len()
        );
    }
    match &v.signature {
        Some(SignatureVerdict::Checked(c)) if c.status == SignatureStatus::Verified => println!(
            "The manifest is signed by {}.",
            c.signer.as_deref().unwrap_or("a trusted key")
        ),
        Some(SignatureVerdict::Checked(c)) => println!(
            "The manifest's signature is {}: {}.",
            c.status.as_str(),
            match c.status {
                SignatureStatus::Bad =>
                    "it does not match the manifest, or was not made for policybook (ssh-keygen -Y sign -n policybook)",
                SignatureStatus::UnknownKey => "the key that made it is not among the trusted keys",
                SignatureStatus::Revoked => "the key that made it is revoked",
                SignatureStatus::Expired =>
                    "the key is not trusted for policybook today (namespaces, valid-after, valid-before)",
                _ => "it cannot be checked",
            }
        ),
        Some(SignatureVerdict::Missing) => println!(
            "The manifest is not signed ({} is missing), and keys to check a signature were given.",
            manifest::SIGNATURE
        ),
        Some(SignatureVerdict::NoKeys) => println!(
            "The manifest is signed, but no key was given to check it: pass --key FILE, or run it in a handbook with [signatures] allowed_signers."
        ),
        None => {}
    }
    if v.passed() { EXIT_OK } else { EXIT_PROBLEMS }
}

/// `--key FILE`: an allowed-signers file, or public keys one per line (`ssh-ed25519 AAAA…`).
fn key_signers(path: &Path, diags: &mut Diagnostics) -> Option<Signers> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read {}: {e}", path.display())).hint(
                    "give an OpenSSH public key (`ssh-ed25519 AAAA…`) or an allowed-signers file",
                ),
            );
            return None;
        }
    };
    let is_key = |l: &str| l.starts_with("ssh-") || l.starts_with("ecdsa-") || l.starts_with("sk-");
    let (keys, lines): (Vec<&str>, Vec<&str>) = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .partition(|l| is_key(l));
    let file = SourceFile {
        path: path.to_string_lossy().into_owned(),
        display: path.to_path_buf(),
        text: lines.join("\n").into(),
    };
    let mut signers = Signers::parse(Some(&file), None, None, diags);
    for k in keys {
        // A bare key speaks for whoever holds it: named by its comment, if it has one.
        let name = k
            .split_whitespace()
            .nth(2)
            .unwrap_or("the key given with --key");
        if let Err(why) = signers.trust_key(k, name) {
            diags.push(
                Diagnostic::error(format!("invalid public key: {why}"))
                    .at(path, None)
                    .hint("give an OpenSSH public key (`ssh-ed25519 AAAA…`) or an allowed-signers file"),
            );
        }
    }
    Some(signers)
}

/// The handbook's `[signatures] allowed_signers` and `revoked_signers`, if `root` is a handbook
/// that has them.
fn handbook_signers(root: &Path) -> Option<Signers> {
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return None;
    }
    let mut quiet = Diagnostics::new();
    let (_, sources) = Source::worktree(root).read_settings(&mut quiet).ok()?;
    sources.signers.as_ref()?;
    let signers = Signers::parse(
        sources.signers.as_ref(),
        sources.revoked.as_ref(),
        None,
        &mut quiet,
    );
    Some(signers)
}
