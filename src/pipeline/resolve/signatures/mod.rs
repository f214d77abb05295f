//! Commit signatures, verified rather than merely detected: each signed commit that records a
//! change or a review is checked — SSH signatures against `[signatures] allowed_signers` (git's
//! allowed-signers format, `ssh`), OpenPGP signatures against the armored keys of
//! `openpgp_keys` (`openpgp`). The signer (an email) then leads to a person in `people.yaml`,
//! whose approvals it signs count as **verified**.

mod openpgp;
mod ssh;

use std::collections::HashMap;

use serde::Serialize;
use ssh_key::PublicKey;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::pipeline::history::{CommitInfo, History};
use crate::pipeline::load::SourceFile;

/// What a commit's signature says about who made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// Valid, by a trusted key (or certificate) that speaks for `signer` on that date.
    Verified,
    /// The signature does not match the commit: it was altered after signing.
    Bad,
    /// Valid or not, the key is not among the trusted keys.
    UnknownKey,
    /// The key is in `revoked_signers`.
    Revoked,
    /// The key was allowed, but not on the commit's date (`valid-after`/`valid-before`), or not
    /// for git (`namespaces`).
    Expired,
    /// Signed by the hosting service's own key (a merge made on the web): by the platform,
    /// not by a person.
    Platform,
    /// A signature policybook cannot check (X.509, a key type it does not know).
    Unsupported,
    /// No signature.
    Unsigned,
}

impl SignatureStatus {
    /// As pages and exports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureStatus::Verified => "verified",
            SignatureStatus::Bad => "bad",
            SignatureStatus::UnknownKey => "unknown-key",
            SignatureStatus::Revoked => "revoked",
            SignatureStatus::Expired => "expired",
            SignatureStatus::Platform => "platform",
            SignatureStatus::Unsupported => "unsupported",
            SignatureStatus::Unsigned => "unsigned",
        }
    }
}

/// A commit's signature, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The verdict.
    pub status: SignatureStatus,
    /// For `verified`: who signed — the allowed-signers principal, the certificate principal,
    /// or the email of the OpenPGP user ID.
    pub signer: Option<String>,
}

/// The keys to check signatures against.
#[derive(Debug, Clone, Default)]
pub struct Signers {
    allowed: Vec<ssh::Allowed>,
    revoked: Vec<PublicKey>,
    openpgp: openpgp::Keyring,
    /// `[signatures] allowed_signers` or `openpgp_keys` is set: signatures are verified.
    pub configured: bool,
}

impl Signers {
    /// Reads the allowed and revoked SSH signers and the OpenPGP keys; mistakes are errors with
    /// their line.
    pub fn parse(
        allowed: Option<&SourceFile>,
        revoked: Option<&SourceFile>,
        openpgp_keys: Option<&SourceFile>,
        diags: &mut Diagnostics,
    ) -> Signers {
        let mut out = Signers {
            configured: allowed.is_some() || openpgp_keys.is_some(),
            ..Signers::default()
        };
        if let Some(f) = allowed {
            for_each_line(f, diags, |line| {
                ssh::parse_allowed(line).map(|a| out.allowed.push(a)).map_err(|why| {
                    Diagnostic::error(format!("invalid allowed signer: {why}"))
                        .hint("write `email [namespaces=\"git\"] ssh-ed25519 AAAA…`, as git's gpg.ssh.allowedSignersFile")
                })
            });
        }
        if let Some(f) = revoked {
            for_each_line(f, diags, |line| {
                PublicKey::from_openssh(line)
                    .map(|k| out.revoked.push(k))
                    .map_err(|e| {
                        Diagnostic::error(format!("invalid revoked key: {e}"))
                            .hint("one public key per line, as `ssh-ed25519 AAAA… comment`")
                    })
            });
        }
        if let Some(f) = openpgp_keys {
            out.openpgp = openpgp::Keyring::parse(f, diags);
        }
        out
    }

    /// Checks an SSH signature over a file (a manifest), made in `namespace`, against the
    /// allowed signers as of `today`.
    pub fn check_file(
        &self,
        armored: &str,
        data: &[u8],
        namespace: &str,
        today: jiff::civil::Date,
    ) -> SignatureCheck {
        ssh::check_file(
            armored,
            data,
            namespace,
            &self.allowed,
            &self.revoked,
            today,
        )
    }

    /// Trusts `key` (an OpenSSH public key line) for every namespace, as `principal`: a key
    /// given on the command line.
    pub fn trust_key(&mut self, key: &str, principal: &str) -> Result<(), String> {
        let line = format!("{principal} {}", key.trim());
        self.allowed.push(ssh::parse_allowed(&line)?);
        self.configured = true;
        Ok(())
    }

    /// Checks the signature of `c`.
    pub fn check(&self, c: &CommitInfo) -> SignatureCheck {
        let Some(payload) = c.signature.as_ref() else {
            return SignatureCheck {
                status: match (c.signed, is_platform(&c.committer)) {
                    (false, _) => SignatureStatus::Unsigned,
                    (true, true) => SignatureStatus::Platform,
                    (true, false) => SignatureStatus::Unsupported,
                },
                signer: None,
            };
        };
        let (sig, data) = (payload.signature.as_str(), payload.data.as_slice());
        let checked = if sig.contains("BEGIN SSH SIGNATURE") {
            ssh::check(sig, data, c, &self.allowed, &self.revoked)
        } else if sig.contains("BEGIN PGP SIGNATURE") {
            self.openpgp.check(sig, data, c)
        } else {
            // X.509 (gpgsm) and anything newer.
            SignatureCheck {
                status: SignatureStatus::Unsupported,
                signer: None,
            }
        };
        // A web merge is signed by the hosting service's key: by the platform, not a person.
        let by_platform = matches!(
            checked.status,
            SignatureStatus::Verified | SignatureStatus::UnknownKey
        );
        if by_platform && is_platform(&c.committer) {
            return SignatureCheck {
                status: SignatureStatus::Platform,
                signer: None,
            };
        }
        checked
    }

    /// The check of every commit of `history` that records a change or a review, and of the
    /// `more` commits that approve (pull requests' merges).
    pub fn check_history<'a>(
        &self,
        history: &'a History,
        more: impl Iterator<Item = &'a CommitInfo>,
    ) -> HashMap<String, SignatureCheck> {
        let mut out = HashMap::new();
        let commits = history
            .docs
            .values()
            .flat_map(|d| {
                d.revisions
                    .iter()
                    .map(|r| r.commit.as_ref())
                    .chain(d.reviews.iter().map(|r| r.commit.as_ref()))
            })
            .chain(
                history
                    .named_reviews
                    .iter()
                    .map(|n| n.review.commit.as_ref()),
            )
            .chain(more);
        // Unsigned commits are left out: a commit the map does not hold is unsigned
        // (`Handbook::signature`), and a handbook's history is mostly unsigned commits, whose
        // lookups in a map of every commit were most of the cost of showing their status.
        for c in commits {
            if !c.signed || out.contains_key(&c.id) {
                continue;
            }
            out.insert(c.id.clone(), self.check(c));
        }
        out
    }
}

/// Calls `read` with each line of `f` that is not blank or a `#` comment; its errors are reported
/// at that line.
fn for_each_line(
    f: &SourceFile,
    diags: &mut Diagnostics,
    mut read: impl FnMut(&str) -> Result<(), Diagnostic>,
) {
    for (n, line) in f.text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Err(d) = read(line) {
            diags.push(d.at_line(&f.display, &f.text, n + 1));
        }
    }
}

/// The hosting services' web-flow committers.
fn is_platform(committer: &str) -> bool {
    let c = committer.to_ascii_lowercase();
    c.contains("<noreply@github.com>") || c.contains("noreply@gitlab.com")
}
