//! Stage 2: each source file → a `Document` (front matter fields + sections + links).
//! Files are independent here, so this runs in parallel; cross-file checks belong to `resolve`.

mod fields;
pub mod frontmatter;
pub mod register;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome, Reported};
use crate::markdown;
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
        let mut h = std::hash::DefaultHasher::new();
        source.text.hash(&mut h);
        (source.path.clone(), framework.to_string(), h.finish())
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
    let fm = frontmatter::read(&split, file, text, default_framework, diags);
    if !fm.readable {
        return Err(Reported);
    }
    let scan = markdown::scan::scan(text, split.body_start, file, default_framework, diags);

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
    if status == Status::Published && fm.review.is_none() && !fm.review_written {
        diags.push(
            Diagnostic::warning("no `review` cadence, so its reviews cannot be tracked")
                .at(file, Some(title.line))
                .hint("add `review: annual` (or semiannual, quarterly, monthly, `N months`) to the front matter"),
        );
    }
    let kind = fm.kind.unwrap_or(Kind::Policy);
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
        source: Arc::from(text.as_str()),
    })
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
