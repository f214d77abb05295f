//! Commit signatures, verified rather than merely detected: each signed commit that records a
//! change or a review is checked against `[signatures] allowed_signers` (git's SSH
//! allowed-signers format: principals, options, key) — the sshsig signature over the commit
//! object without its signature header, in the `git` namespace, by a key allowed for a principal
//! on the commit's date and not revoked. The principal (an email) then leads to a person in
//! `people.yaml`, whose approvals it signs count as **verified**.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;
use ssh_key::{PublicKey, SshSig};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::pipeline::history::{CommitInfo, History};
use crate::pipeline::load::SourceFile;

/// What a commit's signature says about who made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// Valid, by a key the allowed signers give to `signer`, on that date.
    Verified,
    /// The signature does not match the commit: it was altered after signing.
    Bad,
    /// Valid or not, the key is not among the allowed signers.
    UnknownKey,
    /// The key is in `revoked_signers`.
    Revoked,
    /// The key was allowed, but not on the commit's date (`valid-after`/`valid-before`), or not
    /// for git (`namespaces`).
    Expired,
    /// Signed by the hosting service's own key (a merge made on the web): by the platform,
    /// not by a person.
    Platform,
    /// A signature policybook cannot check (OpenPGP, an RSA key, a certificate).
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
    /// For `verified`: the principal the key belongs to (an email, as allowed signers write it).
    pub signer: Option<String>,
}

/// One line of an allowed-signers file.
#[derive(Debug, Clone)]
struct Allowed {
    principals: Vec<String>,
    namespaces: Option<Vec<String>>,
    valid_after: Option<Date>,
    valid_before: Option<Date>,
    cert_authority: bool,
    key: PublicKey,
}

/// The keys to check signatures against.
#[derive(Debug, Clone, Default)]
pub struct Signers {
    allowed: Vec<Allowed>,
    revoked: Vec<PublicKey>,
    /// `[signatures] allowed_signers` is set: signatures are verified.
    pub configured: bool,
}

impl Signers {
    /// Reads the allowed and revoked signers; mistakes are errors with their line.
    pub fn parse(
        allowed: Option<&SourceFile>,
        revoked: Option<&SourceFile>,
        diags: &mut Diagnostics,
    ) -> Signers {
        let mut out = Signers {
            configured: allowed.is_some(),
            ..Signers::default()
        };
        if let Some(f) = allowed {
            for (n, line) in f.text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                match parse_allowed(line) {
                    Ok(a) => out.allowed.push(a),
                    Err(why) => diags.push(
                        Diagnostic::error(format!("invalid allowed signer: {why}"))
                            .at_line(&f.display, &f.text, n + 1)
                            .hint("write `email [namespaces=\"git\"] ssh-ed25519 AAAA…`, as git's gpg.ssh.allowedSignersFile"),
                    ),
                }
            }
        }
        if let Some(f) = revoked {
            for (n, line) in f.text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                match PublicKey::from_openssh(line) {
                    Ok(k) => out.revoked.push(k),
                    Err(e) => diags.push(
                        Diagnostic::error(format!("invalid revoked key: {e}"))
                            .at_line(&f.display, &f.text, n + 1)
                            .hint("one public key per line, as `ssh-ed25519 AAAA… comment`"),
                    ),
                }
            }
        }
        out
    }

    /// Checks the signature of `c`.
    pub fn check(&self, c: &CommitInfo) -> SignatureCheck {
        let unsigned = SignatureCheck {
            status: SignatureStatus::Unsigned,
            signer: None,
        };
        let verdict = |status| SignatureCheck {
            status,
            signer: None,
        };
        let Some(payload) = c.signature.as_ref() else {
            return if c.signed {
                verdict(SignatureStatus::Unsupported)
            } else {
                unsigned
            };
        };
        if !payload.signature.contains("BEGIN SSH SIGNATURE") {
            // OpenPGP: a web merge signed by the hosting service, or a person's GPG key.
            return verdict(if is_platform(&c.committer) {
                SignatureStatus::Platform
            } else {
                SignatureStatus::Unsupported
            });
        }
        let Ok(sig) = SshSig::from_pem(payload.signature.as_bytes()) else {
            return verdict(SignatureStatus::Bad);
        };
        let key = PublicKey::from(sig.public_key().clone());
        if self.revoked.iter().any(|r| r.key_data() == key.key_data()) {
            return verdict(SignatureStatus::Revoked);
        }
        let entries: Vec<&Allowed> = self
            .allowed
            .iter()
            .filter(|a| a.key.key_data() == key.key_data())
            .collect();
        if entries.is_empty() {
            return verdict(if self.allowed.iter().any(|a| a.cert_authority) {
                SignatureStatus::Unsupported
            } else {
                SignatureStatus::UnknownKey
            });
        }
        if sig.namespace() != "git" || key.verify("git", &payload.data, &sig).is_err() {
            return verdict(match key.verify(sig.namespace(), &payload.data, &sig) {
                Err(
                    ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. },
                ) => SignatureStatus::Unsupported,
                _ => SignatureStatus::Bad,
            });
        }
        let day = c.committed_date().unwrap_or(c.date);
        let valid = entries.iter().find(|a| {
            a.namespaces
                .as_ref()
                .is_none_or(|ns| ns.iter().any(|n| n == "git"))
                && a.valid_after.is_none_or(|d| d <= day)
                && a.valid_before.is_none_or(|d| day <= d)
        });
        match valid {
            Some(a) => SignatureCheck {
                status: SignatureStatus::Verified,
                signer: a.principals.first().cloned(),
            },
            None => verdict(SignatureStatus::Expired),
        }
    }

    /// The check of every signed commit of `history` that records a change or a review.
    pub fn check_history(&self, history: &History) -> HashMap<String, SignatureCheck> {
        let mut out = HashMap::new();
        let commits = history
            .docs
            .values()
            .flat_map(|d| {
                d.revisions
                    .iter()
                    .map(|r| &r.commit)
                    .chain(d.reviews.iter().map(|r| &r.commit))
            })
            .chain(history.named_reviews.iter().map(|n| &n.review.commit));
        for c in commits {
            if !out.contains_key(&c.id) {
                out.insert(c.id.clone(), self.check(c));
            }
        }
        out
    }
}

/// The hosting services' web-flow committers.
fn is_platform(committer: &str) -> bool {
    let c = committer.to_ascii_lowercase();
    c.contains("<noreply@github.com>") || c.contains("noreply@gitlab.com")
}

/// `principals [options] keytype base64 [comment]`.
fn parse_allowed(line: &str) -> Result<Allowed, String> {
    let (principals, rest) = line
        .split_once(char::is_whitespace)
        .ok_or("a principal and a key are needed")?;
    let rest = rest.trim_start();
    let looks_like_key =
        |s: &str| s.starts_with("ssh-") || s.starts_with("ecdsa-") || s.starts_with("sk-");
    let (options, key_text) = if looks_like_key(rest) {
        ("", rest)
    } else {
        // Options end at the first whitespace outside quotes.
        let mut quoted = false;
        let end = rest
            .char_indices()
            .find(|&(_, ch)| {
                if ch == '"' {
                    quoted = !quoted;
                }
                ch.is_whitespace() && !quoted
            })
            .map(|(i, _)| i)
            .ok_or("a key is needed after the options")?;
        (&rest[..end], rest[end..].trim_start())
    };
    let key = PublicKey::from_openssh(key_text).map_err(|e| format!("the key: {e}"))?;
    let mut a = Allowed {
        principals: principals.split(',').map(str::to_string).collect(),
        namespaces: None,
        valid_after: None,
        valid_before: None,
        cert_authority: false,
        key,
    };
    for opt in split_options(options) {
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (
                n.to_ascii_lowercase(),
                Some(v.trim_matches('"').to_string()),
            ),
            None => (opt.to_ascii_lowercase(), None),
        };
        match (name.as_str(), value) {
            ("cert-authority", _) => a.cert_authority = true,
            ("namespaces", Some(v)) => {
                a.namespaces = Some(v.split(',').map(|s| s.trim().to_string()).collect())
            }
            ("valid-after", Some(v)) => a.valid_after = Some(timestamp_date(&v)?),
            ("valid-before", Some(v)) => a.valid_before = Some(timestamp_date(&v)?),
            (other, _) => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(a)
}

/// Options are comma-separated; commas inside quotes belong to the value.
fn split_options(options: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, ch) in options.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&options[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < options.len() {
        out.push(&options[start..]);
    }
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// `YYYYMMDD[HHMM[SS]]` (ssh-keygen's form; time of day and zone are not used: commit dates are
/// compared by day).
fn timestamp_date(v: &str) -> Result<Date, String> {
    let digits = v.trim_end_matches('Z');
    let (y, m, d) = (
        digits.get(0..4).and_then(|s| s.parse().ok()),
        digits.get(4..6).and_then(|s| s.parse().ok()),
        digits.get(6..8).and_then(|s| s.parse().ok()),
    );
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) => Date::new(y, m, d).map_err(|e| e.to_string()),
        _ => Err(format!("`{v}` is not a YYYYMMDD date")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMbkQhWjkfL45Rdrcgf70HCA31heBissVBWzPqiujd6N";

    #[test]
    fn allowed_signer_lines_and_their_options() {
        let a = parse_allowed(&format!("jane@example.com {KEY} jane")).expect("plain");
        assert_eq!(a.principals, ["jane@example.com"]);
        let a = parse_allowed(&format!(
            "jane@example.com,j@x namespaces=\"git,file\",valid-after=\"20250101\",valid-before=20251231 {KEY}"
        ))
        .expect("options");
        assert_eq!(a.principals.len(), 2);
        assert_eq!(
            a.namespaces.as_deref(),
            Some(&["git".to_string(), "file".to_string()][..])
        );
        assert_eq!(a.valid_after, Some(jiff::civil::date(2025, 1, 1)));
        assert_eq!(a.valid_before, Some(jiff::civil::date(2025, 12, 31)));
        assert!(parse_allowed("jane@example.com").is_err());
        assert!(parse_allowed(&format!("jane@example.com bogus=1 {KEY}")).is_err());
        assert!(parse_allowed("jane@example.com ssh-ed25519 notbase64").is_err());
    }
}
