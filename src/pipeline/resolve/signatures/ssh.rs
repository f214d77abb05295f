//! SSH signatures (`gpg.format = ssh`): sshsig over the commit object in the `git` namespace,
//! checked against git's allowed-signers file as `ssh-keygen -Y verify` does — a key listed for a
//! principal, or a certificate issued by a `cert-authority` line to a principal that line allows,
//! on the commit's date, for git, and not revoked.

use jiff::civil::Date;
use ssh_encoding::Decode;
use ssh_key::{Certificate, HashAlg, PublicKey, Signature, SshSig, public::KeyData};

use super::{SignatureCheck, SignatureStatus};
use crate::pipeline::history::CommitInfo;

/// One line of an allowed-signers file.
#[derive(Debug, Clone)]
pub(super) struct Allowed {
    /// Who the key signs for: emails, or patterns (`*@example.com`, `!bot@example.com`).
    principals: Vec<String>,
    namespaces: Option<Vec<String>>,
    valid_after: Option<Date>,
    valid_before: Option<Date>,
    /// The key is a certificate authority: it signs for whoever it issued a certificate to.
    cert_authority: bool,
    key: PublicKey,
}

impl Allowed {
    /// Whether the line allows a signature made in the `git` namespace on `day`.
    fn allows_git_on(&self, day: Date) -> bool {
        self.namespaces
            .as_ref()
            .is_none_or(|ns| ns.iter().any(|n| n == "git"))
            && self.valid_after.is_none_or(|d| d <= day)
            && self.valid_before.is_none_or(|d| day <= d)
    }
}

/// The key that made a signature: a plain key, or a certificate and the key it certifies.
enum Signer {
    Key(KeyData),
    Cert(Box<Certificate>),
}

/// Checks the SSH signature `armored` over `data`, made in commit `c`.
pub(super) fn check(
    armored: &str,
    data: &[u8],
    c: &CommitInfo,
    allowed: &[Allowed],
    revoked: &[PublicKey],
) -> SignatureCheck {
    let verdict = |status| SignatureCheck {
        status,
        signer: None,
    };
    let Some((signer, sig)) = decode(armored) else {
        return verdict(SignatureStatus::Bad);
    };
    let key = match &signer {
        Signer::Key(k) => k,
        Signer::Cert(cert) => cert.public_key(),
    };
    let is_revoked = |k: &KeyData| revoked.iter().any(|r| r.key_data() == k);
    if is_revoked(key) || matches!(&signer, Signer::Cert(c) if is_revoked(c.signature_key())) {
        return verdict(SignatureStatus::Revoked);
    }
    // The entries that could vouch for this signer.
    let entries: Vec<&Allowed> = allowed
        .iter()
        .filter(|a| match &signer {
            Signer::Key(k) => !a.cert_authority && a.key.key_data() == k,
            Signer::Cert(cert) => a.cert_authority && a.key.key_data() == cert.signature_key(),
        })
        .collect();
    if entries.is_empty() {
        return verdict(SignatureStatus::UnknownKey);
    }
    let verify = |namespace: &str| PublicKey::from(key.clone()).verify(namespace, data, &sig);
    if sig.namespace() != "git" || verify("git").is_err() {
        return verdict(match verify(sig.namespace()) {
            Err(ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. }) => {
                SignatureStatus::Unsupported
            }
            _ => SignatureStatus::Bad,
        });
    }
    let day = c.committed_date().unwrap_or(c.date);
    let signed_by = match &signer {
        Signer::Key(_) => entries
            .iter()
            .find(|a| a.allows_git_on(day))
            .and_then(|a| a.principals.first().cloned()),
        Signer::Cert(cert) => {
            // A certificate must be a valid user certificate, issued by that authority, valid at
            // the commit's time, naming a principal the line allows.
            let at = u64::try_from(c.commit_time).unwrap_or(0);
            let ca = cert.signature_key().fingerprint(HashAlg::Sha256);
            if cert.cert_type() != ssh_key::certificate::CertType::User
                || cert.verify_signature().is_err()
            {
                return verdict(SignatureStatus::Bad);
            }
            // Which principal each line would vouch for: none means this authority did not
            // certify anyone the line names.
            let named: Vec<(&Allowed, &String)> = entries
                .iter()
                .filter_map(|a| {
                    let p = cert
                        .valid_principals()
                        .iter()
                        .find(|p| principal_allowed(p, &a.principals))?;
                    Some((*a, p))
                })
                .collect();
            if named.is_empty() {
                return verdict(SignatureStatus::UnknownKey);
            }
            let in_time = cert.validate_at(at, [&ca]).is_ok();
            named
                .into_iter()
                .find(|(a, _)| in_time && a.allows_git_on(day))
                .map(|(_, p)| p.clone())
        }
    };
    match signed_by {
        Some(signer) => SignatureCheck {
            status: SignatureStatus::Verified,
            signer: Some(signer),
        },
        None => verdict(SignatureStatus::Expired),
    }
}

/// Checks an SSH signature `armored` over a file's `data`, made in `namespace` (`ssh-keygen -Y
/// sign -n NAMESPACE`) with a plain key that an allowed line trusts for that namespace (lines
/// with dates are checked against `today`).
pub(super) fn check_file(
    armored: &str,
    data: &[u8],
    namespace: &str,
    allowed: &[Allowed],
    revoked: &[PublicKey],
    today: Date,
) -> SignatureCheck {
    let verdict = |status| SignatureCheck {
        status,
        signer: None,
    };
    let Some((Signer::Key(key), sig)) = decode(armored) else {
        return verdict(SignatureStatus::Bad);
    };
    if revoked.iter().any(|r| r.key_data() == &key) {
        return verdict(SignatureStatus::Revoked);
    }
    let entries: Vec<&Allowed> = allowed
        .iter()
        .filter(|a| !a.cert_authority && a.key.key_data() == &key)
        .collect();
    if entries.is_empty() {
        return verdict(SignatureStatus::UnknownKey);
    }
    if sig.namespace() != namespace || PublicKey::from(key).verify(namespace, data, &sig).is_err() {
        return verdict(SignatureStatus::Bad);
    }
    let allows = |a: &Allowed| {
        a.namespaces
            .as_ref()
            .is_none_or(|ns| ns.iter().any(|n| n == namespace))
            && a.valid_after.is_none_or(|d| d <= today)
            && a.valid_before.is_none_or(|d| today <= d)
    };
    match entries.iter().find(|a| allows(a)) {
        Some(a) => SignatureCheck {
            status: SignatureStatus::Verified,
            signer: a.principals.first().cloned(),
        },
        None => verdict(SignatureStatus::Expired),
    }
}

/// The signer and the signature of an armored sshsig. `SshSig` reads plain keys only: a
/// certificate (`*-cert-v01@openssh.com`, what `ssh-keygen -Y sign` writes when signing with a
/// certificate) is read here and the signature rebuilt around the key it certifies — the key is
/// not part of what is signed.
fn decode(armored: &str) -> Option<(Signer, SshSig)> {
    if let Ok(sig) = SshSig::from_pem(armored.as_bytes()) {
        return Some((Signer::Key(sig.public_key().clone()), sig));
    }
    // OpenSSH wraps the base64 at 70 columns, not PEM's 64.
    let mut pem = ssh_encoding::pem::Decoder::new_wrapped(armored.trim().as_bytes(), 70).ok()?;
    let mut blob = Vec::new();
    pem.decode_to_end(&mut blob).ok()?;
    let mut r: &[u8] = blob.strip_prefix(b"SSHSIG".as_slice())?.get(4..)?;
    if pem.type_label() != "SSH SIGNATURE" || blob.get(6..10)? != [0, 0, 0, 1] {
        return None;
    }
    let key_blob = Vec::<u8>::decode(&mut r).ok()?;
    let cert = Certificate::from_bytes(&key_blob).ok()?;
    let namespace = String::decode(&mut r).ok()?;
    let _reserved = Vec::<u8>::decode(&mut r).ok()?;
    let hash = HashAlg::decode(&mut r).ok()?;
    let sig_blob = Vec::<u8>::decode(&mut r).ok()?;
    let signature = Signature::decode(&mut sig_blob.as_slice()).ok()?;
    let sig = SshSig::new(cert.public_key().clone(), namespace, hash, signature).ok()?;
    Some((Signer::Cert(Box::new(cert)), sig))
}

/// Whether `principal` matches the line's patterns as OpenSSH matches them: `*` and `?`
/// wildcards, and a `!pattern` that matches refuses it.
fn principal_allowed(principal: &str, patterns: &[String]) -> bool {
    let mut allowed = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(neg) if wildcard(neg, principal) => return false,
            Some(_) => {}
            None => allowed |= wildcard(p, principal),
        }
    }
    allowed
}

/// Glob match with `*` (any run) and `?` (one character), case-insensitively.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // Classic two-pointer match with backtracking to the last star.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// `principals [options] keytype base64 [comment]`.
pub(super) fn parse_allowed(line: &str) -> Result<Allowed, String> {
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
        let a = parse_allowed(&format!("*@example.com cert-authority {KEY}")).expect("ca");
        assert!(a.cert_authority);
        assert!(parse_allowed("jane@example.com").is_err());
        assert!(parse_allowed(&format!("jane@example.com bogus=1 {KEY}")).is_err());
        assert!(parse_allowed("jane@example.com ssh-ed25519 notbase64").is_err());
    }

    #[test]
    fn principal_patterns_as_openssh_matches_them() {
        let pats = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(principal_allowed(
            "jane@example.com",
            &pats(&["*@example.com"])
        ));
        assert!(principal_allowed("Jane@Example.com", &pats(&["jane@*"])));
        assert!(principal_allowed("ab@x", &pats(&["a?@x"])));
        assert!(!principal_allowed(
            "jane@example.org",
            &pats(&["*@example.com"])
        ));
        assert!(!principal_allowed(
            "bot@example.com",
            &pats(&["*@example.com", "!bot@*"])
        ));
        assert!(principal_allowed("a*b", &pats(&["a**b"])));
        assert!(!principal_allowed("", &pats(&["?"])));
    }
}
