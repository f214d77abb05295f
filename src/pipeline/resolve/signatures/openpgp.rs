//! OpenPGP signatures (`gpg.format = openpgp`, git's default): a detached signature over the
//! commit object, checked against the armored public keys of `[signatures] openpgp_keys`. The
//! keys file is the trust decision, as an allowed-signers file is for SSH: a key in it speaks for
//! the emails of its user IDs that carry a valid self-signature.

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::packet::Signature;
use pgp::types::{KeyDetails, Tag};

use super::{SignatureCheck, SignatureStatus};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::pipeline::history::CommitInfo;
use crate::pipeline::load::SourceFile;

/// One usable key: the primary key or a subkey bound to it, with what limits it.
#[derive(Debug, Clone)]
struct SigningKey {
    key: Key,
    /// Seconds since the epoch after which the key no longer signs (its self-signature's
    /// expiration), if any.
    expires: Option<i64>,
    /// A valid revocation signature covers it.
    revoked: bool,
    /// The emails of the certificate's self-signed user IDs.
    emails: Vec<String>,
}

#[derive(Debug, Clone)]
enum Key {
    Primary(pgp::packet::PublicKey),
    Sub(pgp::packet::PublicSubkey),
}

impl Key {
    fn verify(&self, sig: &DetachedSignature, data: &[u8]) -> bool {
        match self {
            Key::Primary(k) => sig.verify(k, data).is_ok(),
            Key::Sub(k) => sig.verify(k, data).is_ok(),
        }
    }

    /// Whether `sig` names this key as its issuer (by fingerprint, or by the older key id).
    fn issued(&self, sig: &Signature) -> bool {
        let (fp, id) = match self {
            Key::Primary(k) => (k.fingerprint(), k.legacy_key_id()),
            Key::Sub(k) => (k.fingerprint(), k.legacy_key_id()),
        };
        sig.issuer_fingerprint().contains(&&fp) || sig.issuer_key_id().contains(&&id)
    }
}

/// The OpenPGP keys signatures are checked against.
#[derive(Debug, Clone, Default)]
pub(super) struct Keyring {
    keys: Vec<SigningKey>,
}

impl Keyring {
    /// Reads every armored public-key block of `f`; a block that does not parse is an error with
    /// its line.
    pub(super) fn parse(f: &SourceFile, diags: &mut Diagnostics) -> Keyring {
        const BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
        let mut ring = Keyring::default();
        let starts: Vec<usize> = f.text.match_indices(BEGIN).map(|(i, _)| i).collect();
        if starts.is_empty() {
            diags.push(
                Diagnostic::error("no OpenPGP public key in the file")
                    .at_line(&f.display, &f.text, 1)
                    .hint("export the keys with `gpg --armor --export EMAIL… > FILE`"),
            );
        }
        for (n, &start) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(f.text.len());
            let line = f.text[..start].lines().count() + 1;
            let block = &f.text[start..end];
            let parsed = SignedPublicKey::from_armor_many(block.as_bytes())
                .and_then(|(keys, _)| keys.collect::<Result<Vec<_>, _>>());
            match parsed {
                Ok(keys) => keys.iter().for_each(|k| ring.add(k)),
                Err(e) => diags.push(
                    Diagnostic::error(format!("invalid OpenPGP public key: {e}"))
                        .at_line(&f.display, &f.text, line)
                        .hint("export the keys with `gpg --armor --export EMAIL… > FILE`"),
                ),
            }
        }
        ring
    }

    /// The certificate's primary key and each subkey validly bound to it.
    fn add(&mut self, cert: &SignedPublicKey) {
        let primary = &cert.primary_key;
        let self_signed = |s: &&Signature| Key::Primary(primary.clone()).issued(s);
        // User IDs count only with a self-signature that verifies: anyone can append a user ID.
        let mut emails = Vec::new();
        let mut latest: Option<&Signature> = None;
        for user in &cert.details.users {
            let valid: Vec<&Signature> = user
                .signatures
                .iter()
                .filter(self_signed)
                .filter(|s| {
                    s.verify_certification(primary, Tag::UserId, &user.id)
                        .is_ok()
                })
                .collect();
            if valid.is_empty() {
                continue;
            }
            if let Some(email) = user.id.as_str().and_then(email_of) {
                emails.push(email);
            }
            for s in valid {
                if latest.is_none_or(|l| created(l) < created(s)) {
                    latest = Some(s);
                }
            }
        }
        let Some(latest) = latest else {
            return;
        };
        let primary_created = i64::from(primary.created_at().as_secs());
        let revoked = cert
            .details
            .revocation_signatures
            .iter()
            .any(|s| s.verify_key(primary).is_ok());
        let expires = |created: i64, sig: &Signature| {
            sig.key_expiration_time()
                .filter(|d| d.as_secs() > 0)
                .map(|d| created + i64::from(d.as_secs()))
        };
        let primary_expires = expires(primary_created, latest);
        self.keys.push(SigningKey {
            key: Key::Primary(primary.clone()),
            expires: primary_expires,
            revoked,
            emails: emails.clone(),
        });
        for sub in &cert.public_subkeys {
            let valid = |typ| {
                sub.signatures
                    .iter()
                    .filter(|s| s.typ() == Some(typ))
                    .filter(|s| s.verify_subkey_binding(primary, &sub.key).is_ok())
                    .max_by_key(|s| created(s))
            };
            let Some(binding) = valid(pgp::packet::SignatureType::SubkeyBinding) else {
                continue;
            };
            let sub_created = i64::from(sub.key.created_at().as_secs());
            let own = expires(sub_created, binding);
            self.keys.push(SigningKey {
                key: Key::Sub(sub.key.clone()),
                // A subkey stops when it or its primary key does.
                expires: match (own, primary_expires) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
                revoked: revoked || valid(pgp::packet::SignatureType::SubkeyRevocation).is_some(),
                emails: emails.clone(),
            });
        }
    }

    /// Checks the OpenPGP signature `armored` over `data`, made in commit `c`.
    pub(super) fn check(&self, armored: &str, data: &[u8], c: &CommitInfo) -> SignatureCheck {
        let verdict = |status| SignatureCheck {
            status,
            signer: None,
        };
        let Ok((sig, _)) = DetachedSignature::from_armor_single(armored.as_bytes()) else {
            return verdict(SignatureStatus::Bad);
        };
        let Some(key) = self.keys.iter().find(|k| k.key.issued(&sig.signature)) else {
            return verdict(SignatureStatus::UnknownKey);
        };
        if !key.key.verify(&sig, data) {
            return verdict(SignatureStatus::Bad);
        }
        if key.revoked {
            return verdict(SignatureStatus::Revoked);
        }
        if key.expires.is_some_and(|e| c.commit_time >= e) {
            return verdict(SignatureStatus::Expired);
        }
        // The user ID that names the committer or author, as `git log --show-signature` shows it.
        let committer = email_of(&c.committer);
        let signer = key
            .emails
            .iter()
            .find(|e| committer.as_deref() == Some(e.as_str()) || e.eq_ignore_ascii_case(&c.email))
            .or(key.emails.first())
            .cloned();
        SignatureCheck {
            status: SignatureStatus::Verified,
            signer,
        }
    }
}

fn created(s: &Signature) -> u32 {
    s.created().map_or(0, |t| t.as_secs())
}

/// `Name <email>` → `email` (lower-cased); a bare address is itself.
fn email_of(user_id: &str) -> Option<String> {
    let e = match (user_id.rfind('<'), user_id.rfind('>')) {
        (Some(a), Some(b)) if a < b => &user_id[a + 1..b],
        _ => user_id.trim(),
    };
    e.contains('@').then(|| e.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_of_user_ids() {
        assert_eq!(
            email_of("Jane Doe <Jane@Example.com>").as_deref(),
            Some("jane@example.com")
        );
        assert_eq!(
            email_of("jane@example.com").as_deref(),
            Some("jane@example.com")
        );
        assert_eq!(email_of("Jane Doe"), None);
    }
}
