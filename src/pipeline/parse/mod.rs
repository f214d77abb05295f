//! Stage 2: each source file → a `Document` (front matter fields + sections + links).
//! Files are independent here, so this runs in parallel; cross-file checks belong to `resolve`.

pub mod acknowledgements;
mod fields;
pub mod frontmatter;
pub mod people;
pub mod register;

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome, Reported};
use crate::markdown;
use crate::model::exception::{ExceptionFields, ExceptionStatus};
use crate::model::{Document, Kind, Spanned, Status};
use crate::pipeline::load::SourceFile;

/// Documents already parsed, shared by the builds of several versions of a handbook: a file
/// whose path, text and default framework did not change between versions is parsed once.
/// Only documents without any diagnostic are kept (messages name version-specific paths).
#[derive(Default)]
pub struct ParseCache {
    docs: Mutex<HashMap<(String, String, u64), Document>>,
}

impl ParseCache {
    fn key(source: &SourceFile, framework: &str) -> (String, String, u64) {
        // foldhash rather than SipHash: the key hashes each document's whole text, and a
        // collision is caught in `get` (the texts are compared) anyway.
        let h = foldhash::quality::FixedState::default().hash_one(&source.text);
        (source.path.clone(), framework.to_string(), h)
    }

    fn get(&self, source: &SourceFile, framework: &str) -> Option<Document> {
        let docs = self.docs.lock().ok()?;
        let doc = docs.get(&Self::key(source, framework))?;
        // A hash collision must not swap documents.
        (*doc.source == *source.text).then(|| Document {
            display_path: source.display.clone(),
            ..doc.clone()
        })
    }

    fn put(&self, source: &SourceFile, framework: &str, doc: &Document) {
        if let Ok(mut docs) = self.docs.lock() {
            docs.insert(Self::key(source, framework), doc.clone());
        }
    }
}

/// Parses every source; files with errors that leave no usable document are left out (their
/// errors are in `diags`, so the run fails anyway).
pub fn parse_all(
    sources: &[SourceFile],
    default_framework: &str,
    cache: Option<&ParseCache>,
    diags: &mut Diagnostics,
) -> Vec<Document> {
    let results: Vec<(Option<Document>, Diagnostics)> = sources
        .par_iter()
        .with_max_len(crate::parallel::LEAF)
        .map(|s| {
            if let Some(doc) = cache.and_then(|c| c.get(s, default_framework)) {
                return (Some(doc), Diagnostics::new());
            }
            let mut d = Diagnostics::new();
            let doc = parse(s, default_framework, &mut d).ok();
            if let (Some(c), Some(doc)) = (cache, &doc)
                && d.is_empty()
            {
                c.put(s, default_framework, doc);
            }
            (doc, d)
        })
        .collect();
    let mut docs = Vec::with_capacity(results.len());
    for (doc, d) in results {
        diags.extend(d);
        docs.extend(doc);
    }
    docs
}

/// Parses one file; `Err` when it leaves no usable document (its errors are in `diags`).
pub fn parse(
    source: &SourceFile,
    default_framework: &str,
    diags: &mut Diagnostics,
) -> Outcome<Document> {
    let file = &source.display;
    let text = &source.text;
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(frontmatter::SplitError::Missing) => {
            let (message, hint) = if text.trim().is_empty() {
                (
                    "the file is empty",
                    "add front matter and a body, or delete the file",
                )
            } else {
                (
                    "the document has no front matter",
                    "start the file with a `---` line, then `title: …` and the other fields, then another `---` line",
                )
            };
            return diags.fail(Diagnostic::error(message).at(file, Some(1)).hint(hint));
        }
        Err(frontmatter::SplitError::Unclosed) => {
            return diags.fail(
                Diagnostic::error("the front matter is not closed")
                    .at_line(file, text, 1)
                    .hint("end the front matter with a line containing only `---`"),
            );
        }
    };
    let mut fm = frontmatter::read(&split, file, text, default_framework, diags);
    if !fm.readable {
        return Err(Reported);
    }
    let scan = markdown::scan::scan(text, split.body_start, file, default_framework, diags);
    let kind = fm.kind.unwrap_or(Kind::Policy);
    let exception = if kind == Kind::Exception {
        exception_fields(&mut fm, file, text, diags).map(Arc::new)
    } else {
        not_an_exception(&split, file, text, diags);
        None
    };

    let id = match fm.id {
        Some(id) => id.value,
        None => {
            let stem = source
                .path
                .rsplit('/')
                .next()
                .unwrap_or(&source.path)
                .trim_end_matches(".md")
                .trim_end_matches(".MD")
                .to_string();
            if let Err(hint) = frontmatter::check_id(&stem) {
                diags.push(
                    Diagnostic::error(format!("the file name `{stem}` is not a valid document id"))
                        .at(file, Some(fm.title_line))
                        .hint(format!(
                            "{hint}; rename the file or set `id:` in the front matter"
                        )),
                );
            }
            stem
        }
    };
    let title = match fm.title {
        Some(t) => t,
        None => {
            diags.push(
                Diagnostic::error("the document has no `title`")
                    .at_line(file, text, fm.title_line)
                    .hint("add `title: …` to the front matter"),
            );
            Spanned::new(id.clone(), fm.title_line)
        }
    };
    let status = fm.status.unwrap_or(Status::Published);
    // An invalid `review:` line is already an error; it is not also reported as missing.
    // Exceptions end on their `expires` date instead of being reviewed.
    if kind != Kind::Exception
        && status == Status::Published
        && fm.review.is_none()
        && !fm.review_written
    {
        diags.push(
            Diagnostic::warning("no `review` cadence, so its reviews cannot be tracked")
                .at(file, Some(title.line))
                .hint("add `review: annual` (or semiannual, quarterly, monthly, `N months`) to the front matter"),
        );
    }
    if kind == Kind::Policy && fm.owner.is_none() {
        diags.push(
            Diagnostic::error("a policy needs an `owner`")
                .at_line(file, text, fm.title_line)
                .hint("add `owner: …` with the role accountable for it, e.g. `owner: Chief Information Security Officer`"),
        );
    }
    Ok(Document {
        id,
        path: source.path.clone(),
        display_path: source.display.clone(),
        title,
        kind,
        owner: fm.owner,
        approvers: fm.approvers,
        version: fm.version,
        effective: fm.effective,
        review: fm.review,
        status,
        controls: fm.controls,
        implements: fm.implements,
        tags: fm.tags,
        weight: fm.weight,
        extra: fm.extra,
        anchors: Arc::new(
            scan.sections
                .iter()
                .enumerate()
                .map(|(i, s)| (s.anchor.clone(), i))
                .collect(),
        ),
        sections: Arc::new(scan.sections),
        texts: Arc::new(scan.texts),
        links: Arc::new(scan.links),
        body_start: split.body_start,
        source: Arc::clone(text),
        exception,
    })
}

/// The fields of a `kind: exception` document, once the required ones are there and consistent;
/// `None` (with errors) otherwise.
fn exception_fields(
    fm: &mut frontmatter::FrontMatter,
    file: &Path,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<ExceptionFields> {
    // Fields that say how a document covers controls or is reviewed do not apply to a record of
    // a departure from one.
    for (key, present, hint) in [
        (
            "controls",
            fm.controls.first().map(|c| c.line),
            "an exception covers no control; name the controls that reduce the risk meanwhile in `compensating`",
        ),
        (
            "implements",
            fm.implements.first().map(|i| i.line),
            "name the excepted document in `exception_to`",
        ),
        (
            "review",
            fm.review.as_ref().map(|r| r.line),
            "an exception ends on its `expires` date; remove `review`",
        ),
    ] {
        if let Some(line) = present {
            diags.push(
                Diagnostic::error(format!("`{key}` is not used by an exception"))
                    .at_line(file, text, line)
                    .hint(hint),
            );
        }
    }
    let e = std::mem::take(&mut fm.exception);
    let mut missing = Vec::new();
    for (key, there) in [
        ("exception_to", e.to.is_some()),
        ("requested_by", e.requested_by.is_some()),
        ("approved_by", e.approved_by.is_some()),
        ("granted", e.granted.is_some()),
        ("expires", e.expires.is_some()),
    ] {
        if !there {
            missing.push(format!("`{key}`"));
        }
    }
    if !missing.is_empty() {
        diags.push(
            Diagnostic::error(format!("the exception has no {}", missing.join(", ")))
                .at_line(file, text, fm.title_line)
                .hint("an exception records what it excepts (`exception_to: policy-id` or `policy-id#section`), who asked (`requested_by`), who approved (`approved_by`), and when it was granted and expires (`granted`, `expires`: YYYY-MM-DD)"),
        );
    }
    let (to, requested_by, approved_by, granted, expires) = (
        e.to?,
        e.requested_by?,
        e.approved_by?,
        e.granted?,
        e.expires?,
    );
    let mut ok = true;
    if same_person(&requested_by.value, &approved_by.value) {
        ok = false;
        diags.push(
            Diagnostic::error(format!(
                "`approved_by` is the requester, {}: an exception is approved by someone else",
                approved_by.value
            ))
            .at_line(file, text, approved_by.line)
            .pointing_at(&approved_by.value)
            .hint("name the person or role who granted it, as the approval record shows"),
        );
    }
    if expires.value < granted.value {
        ok = false;
        diags.push(
            Diagnostic::error(format!(
                "the exception expires ({}) before it is granted ({})",
                expires.value, granted.value
            ))
            .at_line(file, text, expires.line)
            .hint("correct `granted` or `expires`"),
        );
    }
    ok.then_some(ExceptionFields {
        to,
        requested_by,
        approved_by,
        granted,
        expires,
        status: e.status.unwrap_or(ExceptionStatus::Open),
        risk: e.risk,
        compensating: e.compensating,
    })
}

/// The requester and the approver are the same person: compared without case, spaces or an
/// email address's angle brackets, so `Jane Doe` and `jane doe ` match.
fn same_person(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// Exception fields on a document that is not an exception are mistakes: say so once per field.
fn not_an_exception(
    split: &frontmatter::Split<'_>,
    file: &Path,
    text: &str,
    diags: &mut Diagnostics,
) {
    for (i, line) in split.yaml.lines().enumerate() {
        let Some((key, _)) = line.split_once(':') else {
            continue;
        };
        if frontmatter::EXCEPTION_FIELDS.contains(&key.trim()) && !line.starts_with(' ') {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` is only for documents of `kind: exception`",
                    key.trim()
                ))
                .at_line(file, text, split.first_line + i)
                .hint("add `kind: exception` if this document records an exception to a policy, or remove the field"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn src(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            display: PathBuf::from(path),
            text: text.into(),
        }
    }

    #[test]
    fn a_document_shares_its_source_text_instead_of_copying_it() {
        let source = src("policies/a.md", "---\ntitle: A\nowner: CISO\n---\nBody.\n");
        let doc = parse(&source, "soc2", &mut Diagnostics::new()).unwrap();
        assert!(Arc::ptr_eq(&doc.source, &source.text));
    }

    #[test]
    fn id_defaults_to_file_stem() {
        let mut diags = Diagnostics::new();
        let d = parse(
            &src(
                "policies/sub/access-control.md",
                "---\ntitle: A\nowner: CISO\nreview: annual\n---\n## One\n",
            ),
            "soc2",
            &mut diags,
        )
        .unwrap();
        assert!(diags.is_empty(), "{:?}", diags.sorted());
        assert_eq!(d.id, "access-control");
        assert_eq!(d.folder(), "sub");
        assert_eq!(d.status, Status::Published);
        assert_eq!(d.sections[0].line, 6);
        assert_eq!((d.title.line, d.review.unwrap().line), (2, 4));
    }

    #[test]
    fn missing_title_owner_and_bad_stem_are_all_reported() {
        let mut diags = Diagnostics::new();
        let _ = parse(
            &src("policies/Access Control.md", "---\nkind: policy\n---\n"),
            "soc2",
            &mut diags,
        );
        let messages: Vec<String> = diags.sorted().iter().map(|d| d.message.clone()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("no `review` cadence")));
        assert!(messages.iter().any(|m| m.contains("no `title`")));
        assert!(messages.iter().any(|m| m.contains("needs an `owner`")));
        assert!(
            messages
                .iter()
                .any(|m| m.contains("not a valid document id"))
        );
    }

    #[test]
    fn empty_and_unclosed_files() {
        for text in ["", "   \n", "---\ntitle: x\n", "# Just markdown\n"] {
            let mut diags = Diagnostics::new();
            assert!(parse(&src("policies/a.md", text), "soc2", &mut diags).is_err());
            assert_eq!(diags.error_count(), 1, "{text:?}");
        }
    }
}
