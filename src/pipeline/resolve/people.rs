//! Owners and approvers against `people.yaml`: once it exists, every `owner` and `approvers`
//! entry (of documents, and `owner` of the register's controls) must name a role someone holds on
//! the as-of date, or a person. Without it nothing is checked, as before.

use jiff::civil::Date;
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::people::People;
use crate::model::register::RegControl;
use crate::model::{DocIx, Document, IxVec, RegIx};

/// Where a role or person is named, for messages.
struct Named<'a> {
    text: &'a str,
    what: &'static str,
    file: &'a std::path::Path,
    source: &'a str,
    line: usize,
}

pub(crate) fn check_people(
    people: &People,
    documents: &IxVec<DocIx, Arc<Document>>,
    register: &IxVec<RegIx, RegControl>,
    as_of: Option<Date>,
    diags: &mut Diagnostics,
) {
    if !people.exists() {
        return;
    }
    let mut named: Vec<Named<'_>> = Vec::new();
    for d in documents {
        if let Some(o) = &d.owner {
            named.push(Named {
                text: &o.value,
                what: "owner",
                file: &d.display_path,
                source: &d.source,
                line: o.line,
            });
        }
        for a in &d.approvers {
            named.push(Named {
                text: &a.value,
                what: "approver",
                file: &d.display_path,
                source: &d.source,
                line: a.line,
            });
        }
    }
    // A subservice's or a customer's control is owned outside the organisation: people.yaml
    // does not list their people.
    for c in register
        .iter()
        .filter(|c| c.responsibility == crate::model::register::Responsibility::Organization)
    {
        named.push(Named {
            text: &c.owner,
            what: "owner",
            file: &c.file,
            source: &c.source,
            line: c.id.line,
        });
    }
    let roles = people.roles();
    for n in named {
        if people.is_role(n.text) {
            if people.holders(n.text, as_of).is_empty() {
                let when = as_of.map(|d| format!(" on {d}")).unwrap_or_default();
                diags.push(
                    Diagnostic::warning(format!(
                        "{} `{}`: no one holds this role{when}",
                        n.what, n.text
                    ))
                    .at_line(n.file, n.source, n.line)
                    .pointing_at(n.text)
                    .hint("add who holds it now to people.yaml (`roles: [{role: …, from: YYYY-MM-DD}]`)"),
                );
            }
        } else if people.identify(n.text).is_none() {
            let d = Diagnostic::warning(format!(
                "{} `{}` is neither a role nor a person in people.yaml",
                n.what, n.text
            ))
            .at_line(n.file, n.source, n.line)
            .pointing_at(n.text);
            let candidates = roles
                .iter()
                .copied()
                .chain(people.persons.iter().map(|p| p.name.as_str()));
            diags.push(match did_you_mean(n.text, candidates) {
                Some(s) => d.hint(format!("did you mean `{s}`?")),
                None => d.hint("name a role of people.yaml (or a person), or add it there"),
            });
        }
    }
}

/// A verified signature whose signer is no one in `people.yaml` verifies nobody's approval: say
/// so once per signer, naming the newest commit.
pub(crate) fn check_signers(
    people: &People,
    history: &crate::pipeline::history::History,
    signatures: &std::collections::HashMap<String, super::signatures::SignatureCheck>,
    diags: &mut Diagnostics,
) {
    let Some(file) = people.file.as_ref().filter(|_| people.exists()) else {
        return;
    };
    let mut unknown: std::collections::BTreeMap<&str, (i64, &str)> = Default::default();
    let commits = history
        .changes
        .iter()
        .map(|c| c.commit.as_ref())
        .chain(
            history
                .docs
                .values()
                .flat_map(|d| d.reviews.iter().map(|r| r.commit.as_ref())),
        )
        .chain(
            history
                .named_reviews
                .iter()
                .map(|n| n.review.commit.as_ref()),
        );
    for c in commits {
        let Some(signer) = signatures
            .get(&c.id)
            .filter(|s| s.status == super::signatures::SignatureStatus::Verified)
            .and_then(|s| s.signer.as_deref())
        else {
            continue;
        };
        if people.by_email(signer).is_none() {
            let e = unknown.entry(signer).or_insert((c.commit_time, &c.short));
            if c.commit_time > e.0 {
                *e = (c.commit_time, &c.short);
            }
        }
    }
    for (signer, (_, short)) in unknown {
        diags.push(
            Diagnostic::warning(format!(
                "commits are signed by {signer} (verified, latest {short}), but no one in people.yaml has that email: their approvals stay asserted"
            ))
            .at(file, None)
            .hint(format!("add {signer} to the signer's `emails` in people.yaml")),
        );
    }
}
