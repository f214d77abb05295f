//! The YAML block at the top of every document: split it off, then read each field with its own
//! checks, so one bad field does not hide the others and every message names its line.

use std::path::Path;

use serde_yaml::{Mapping, Value};

use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};

use super::fields::Reader;
use crate::model::exception::{ExceptionStatus, Risk};
use crate::model::{Cadence, ControlRef, Kind, Spanned, Status};

/// Every field the front matter accepts, in the order the README documents them; those of
/// exceptions last.
pub const FIELDS: &[&str] = &[
    "id",
    "title",
    "kind",
    "owner",
    "approvers",
    "version",
    "effective",
    "review",
    "status",
    "controls",
    "implements",
    "tags",
    "weight",
    "extra",
    "exception_to",
    "requested_by",
    "approved_by",
    "granted",
    "expires",
    "risk",
    "compensating",
];

/// The fields only a `kind: exception` document has: the last seven of `FIELDS`.
pub const EXCEPTION_FIELDS: &[&str] = FIELDS.split_at(FIELDS.len() - 7).1;

/// Where the front matter is in a file.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the `---` lines.
    pub yaml: &'a str,
    /// 1-based line of the file on which the YAML starts (the line after `---`).
    pub first_line: usize,
    /// Byte offset in the file where the Markdown body starts.
    pub body_start: usize,
}

#[derive(Debug, PartialEq, Eq)]
/// Why a file has no usable front matter.
pub enum SplitError {
    /// The file does not start with `---`.
    Missing,
    /// An opening `---` without a closing one.
    Unclosed,
}

/// Splits `---\n<yaml>\n---\n<body>`. A UTF-8 byte-order mark before the first `---` is allowed.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = LineIter { text, pos: start };
    let Some((first, _)) = lines.next() else {
        return Err(SplitError::Missing);
    };
    if first.trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = lines.pos;
    while let Some((line, line_start)) = lines.next() {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..line_start],
                first_line: 2,
                body_start: lines.pos,
            });
        }
    }
    Err(SplitError::Unclosed)
}

/// Lines with the byte offset where each starts; `pos` is the offset after the last one read.
struct LineIter<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (&'a str, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let (line, advance) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        Some((line.strip_suffix('\r').unwrap_or(line), start))
    }
}

/// The front matter, read and checked field by field.
/// Each field keeps the line it was written on, so that later stages never search the text again.
#[derive(Debug, Default)]
pub struct FrontMatter {
    /// `id:`, when set.
    pub id: Option<Spanned<String>>,
    /// `title:`.
    pub title: Option<Spanned<String>>,
    /// `kind:`.
    pub kind: Option<Kind>,
    /// `owner:`.
    pub owner: Option<Spanned<String>>,
    /// `approvers:`, one per item, each on its line.
    pub approvers: Vec<Spanned<String>>,
    /// `version:`, as written.
    pub version: Option<String>,
    /// `effective:`.
    pub effective: Option<Spanned<jiff::civil::Date>>,
    /// `review:`.
    pub review: Option<Spanned<Cadence>>,
    /// A `review:` line is there, valid or not (an invalid one is already an error, and is not
    /// also reported as missing).
    pub review_written: bool,
    /// `status:`.
    pub status: Option<Status>,
    /// `controls:`, each with its line.
    pub controls: Vec<ControlRef>,
    /// `implements:`, each id on its line.
    pub implements: Vec<Spanned<String>>,
    /// `tags:`.
    pub tags: Vec<String>,
    /// `weight:`: its place in the sidebar and reading order (lower first).
    pub weight: Option<i64>,
    /// `extra:`, for templates.
    pub extra: serde_json::Value,
    /// The fields of a `kind: exception` document, as far as they are given.
    pub exception: ExceptionDraft,
    /// 1-based line of the `title:` key (or of the front matter), for document-level messages.
    pub title_line: usize,
    /// False when the YAML could not be read at all: the document is then left out, rather than
    /// reported again for every field it seems to lack.
    pub readable: bool,
}

/// The fields of an exception as read, before `parse` checks that the required ones are there.
#[derive(Debug, Default)]
pub struct ExceptionDraft {
    /// `exception_to:`.
    pub to: Option<Spanned<String>>,
    /// `requested_by:`.
    pub requested_by: Option<Spanned<String>>,
    /// `approved_by:`.
    pub approved_by: Option<Spanned<String>>,
    /// `granted:`.
    pub granted: Option<Spanned<jiff::civil::Date>>,
    /// `expires:`.
    pub expires: Option<Spanned<jiff::civil::Date>>,
    /// `status:` of an exception.
    pub status: Option<ExceptionStatus>,
    /// `risk:`.
    pub risk: Option<Risk>,
    /// `compensating:`.
    pub compensating: Vec<ControlRef>,
}

/// Reads the fields of `split.yaml`. Problems go to `diags`, pointing at lines of `file`.
pub fn read(
    split: &Split<'_>,
    file: &Path,
    source: &str,
    default_framework: &str,
    diags: &mut Diagnostics,
) -> FrontMatter {
    let r = Reader {
        yaml: split.yaml,
        first_line: split.first_line,
        file,
        source,
    };
    let mut fm = FrontMatter {
        title_line: split.first_line.saturating_sub(1).max(1),
        readable: true,
        extra: serde_json::Value::Object(Default::default()),
        ..Default::default()
    };
    let value: Value = match serde_yaml::from_str(split.yaml) {
        Ok(v) => v,
        Err(e) => {
            let line = e
                .location()
                .map(|l| split.first_line + l.line().saturating_sub(1))
                .unwrap_or(split.first_line);
            let message = yaml_message(&e);
            // YAML notices an unclosed `[`/`{` only where the next line starts: say so.
            let hint = if message.contains("expected ',' or ']'") {
                "a list opened with `[` on this line or an earlier one is not closed with `]`"
            } else if message.contains("expected ',' or '}'") {
                "a map opened with `{` on this line or an earlier one is not closed with `}`"
            } else {
                "check the indentation, and quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`, `%` or `@`"
            };
            diags.push(
                Diagnostic::error(format!("invalid YAML in front matter: {message}"))
                    .at_line(file, source, line)
                    .hint(hint),
            );
            fm.readable = false;
            return fm;
        }
    };
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => {
            diags.push(
                Diagnostic::error("the front matter is empty")
                    .at_line(file, source, fm.title_line)
                    .hint("add at least `title: …` between the `---` lines"),
            );
            fm.readable = false;
            return fm;
        }
        _ => {
            diags.push(
                Diagnostic::error("the front matter must be a set of `field: value` lines")
                    .at_line(file, source, split.first_line)
                    .hint("write one field per line, e.g. `title: Access Control Policy`"),
            );
            fm.readable = false;
            return fm;
        }
    };
    if let Some(line) = r.key_line("title") {
        fm.title_line = line;
    }
    read_fields(&r, map, default_framework, &mut fm, diags);
    fm
}

fn read_fields(
    r: &Reader<'_>,
    map: Mapping,
    default_framework: &str,
    fm: &mut FrontMatter,
    diags: &mut Diagnostics,
) {
    let mut status = None;
    for (key, value) in map {
        let Some(key) = key.as_str().map(str::to_string) else {
            diags.push(r.error_at(r.first_line, "front matter field names must be text"));
            continue;
        };
        let line = r.key_line(&key).unwrap_or(r.first_line);
        fm.review_written |= key == "review";
        let result = match key.as_str() {
            "id" => r.string(&key, &value, line).and_then(|s| {
                check_id(&s)
                    .map_err(|hint| r.error_at(line, format!("invalid id `{s}`")).hint(hint))?;
                fm.id = Some(Spanned::new(s, line));
                Ok(())
            }),
            "title" => r
                .string(&key, &value, line)
                .map(|s| fm.title = Some(Spanned::new(s, line))),
            "kind" => r
                .choice(&key, &value, line, &Kind::NAMES, Kind::parse)
                .map(|k| fm.kind = Some(k)),
            "owner" => r.string(&key, &value, line).map(|s| {
                // Importers write `owner: TODO` where the source named no one.
                if s.trim().eq_ignore_ascii_case("todo") {
                    diags.push(
                        Diagnostic::warning("`owner: TODO`: no one owns this document yet")
                            .at_line(r.file, r.source, line)
                            .hint("name the role accountable for it, e.g. `owner: Chief Information Security Officer`"),
                    );
                }
                fm.owner = Some(Spanned::new(s, line))
            }),
            "approvers" => r.list(&key, &value, line).map(|v| {
                fm.approvers = v
                    .into_iter()
                    .map(|a| {
                        let l = r.value_line(line, &a);
                        Spanned::new(a, l)
                    })
                    .collect()
            }),
            "version" => r.string(&key, &value, line).map(|s| fm.version = Some(s)),
            "effective" => r.date(&key, &value, line).map(|d| fm.effective = Some(d)),
            "granted" => r
                .date(&key, &value, line)
                .map(|d| fm.exception.granted = Some(d)),
            "expires" => r
                .date(&key, &value, line)
                .map(|d| fm.exception.expires = Some(d)),
            "exception_to" => r
                .string(&key, &value, line)
                .map(|s| fm.exception.to = Some(Spanned::new(s, line))),
            "requested_by" => r
                .string(&key, &value, line)
                .map(|s| fm.exception.requested_by = Some(Spanned::new(s, line))),
            "approved_by" => r
                .string(&key, &value, line)
                .map(|s| fm.exception.approved_by = Some(Spanned::new(s, line))),
            "risk" => r
                .choice(&key, &value, line, Risk::NAMES, Risk::parse)
                .map(|k| fm.exception.risk = Some(k)),
            "compensating" => r
                .controls(&value, line, default_framework)
                .map(|c| fm.exception.compensating = c),
            "review" => r.string(&key, &value, line).and_then(|s| {
                let cadence = Cadence::parse(&s).ok_or_else(|| {
                    let mut d = r
                        .error_at(line, format!("unknown review cadence `{s}`"))
                        .pointing_at(&s);
                    let hint =
                        "use annual, semiannual, quarterly, monthly or `N months` (1 to 120)";
                    d = match did_you_mean(&s, Cadence::NAMES) {
                        Some(m) => d.hint(format!("did you mean `{m}`? {hint}")),
                        None => d.hint(hint),
                    };
                    d
                })?;
                fm.review = Some(Spanned::new(cadence, line));
                Ok(())
            }),
            // Read once the kind is known: an exception's status has other values.
            "status" => {
                status = Some((value, line));
                Ok(())
            }
            "controls" => r
                .controls(&value, line, default_framework)
                .map(|c| fm.controls = c),
            "implements" => r.list(&key, &value, line).map(|ids| {
                fm.implements = ids
                    .into_iter()
                    .map(|id| {
                        let l = r.value_line(line, &id);
                        Spanned::new(id, l)
                    })
                    .collect();
            }),
            "tags" => r.list(&key, &value, line).map(|v| fm.tags = v),
            "weight" => match value.as_i64() {
                Some(w) => {
                    fm.weight = Some(w);
                    Ok(())
                }
                None => Err(r
                    .error_at(line, "`weight` must be a whole number")
                    .hint("e.g. `weight: 10`; documents with a lower weight come first in the sidebar")),
            },
            "extra" => match value {
                Value::Mapping(_) | Value::Null => serde_json::to_value(&value)
                    .map(|v| {
                        fm.extra = if v.is_null() {
                            serde_json::Value::Object(Default::default())
                        } else {
                            v
                        }
                    })
                    .map_err(|e| {
                        r.error_at(line, format!("`extra` cannot be used by templates: {e}"))
                            .hint("use text keys in `extra`")
                    }),
                _ => Err(r
                    .error_at(line, "`extra` must be a map of `key: value` lines")
                    .hint(
                        "indent the entries under `extra:`, e.g. `extra:\\n  audience: all staff`",
                    )),
            },
            other => {
                let mut d = r
                    .error_at(line, format!("unknown front matter field `{other}`"))
                    .pointing_at(other);
                d = match did_you_mean(other, FIELDS.iter().copied()) {
                    Some(s) => d.hint(format!("did you mean `{s}`?")),
                    None => d.hint(format!(
                        "remove it, or put it under `extra:` for templates to use; fields are: {}",
                        FIELDS.join(", ")
                    )),
                };
                Err(d)
            }
        };
        if let Err(d) = result {
            diags.push(d);
        }
    }
    if let Some((value, line)) = status {
        let result = if fm.kind == Some(Kind::Exception) {
            r.choice(
                "status",
                &value,
                line,
                ExceptionStatus::NAMES,
                ExceptionStatus::parse,
            )
            .map(|s| fm.exception.status = Some(s))
        } else {
            r.choice("status", &value, line, &Status::NAMES, Status::parse)
                .map(|s| fm.status = Some(s))
        };
        if let Err(d) = result {
            diags.push(d);
        }
    }
}

/// `lowercase letters, digits and -`, not starting or ending with `-`.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok_chars = id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if id.is_empty() || !ok_chars || id.starts_with('-') || id.ends_with('-') {
        let suggestion = crate::markdown::slug(id);
        let mut hint = "ids use lowercase letters, digits and `-` only".to_string();
        if !suggestion.is_empty() && suggestion != id && check_id_chars(&suggestion) {
            hint.push_str(&format!(", e.g. `{suggestion}`"));
        }
        return Err(hint);
    }
    Ok(())
}

fn check_id_chars(id: &str) -> bool {
    id.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// serde_yaml's message without its trailing " at line N column M" (we print our own line).
fn yaml_message(e: &serde_yaml::Error) -> String {
    let msg = e.to_string();
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> (FrontMatter, Vec<Diagnostic>) {
        let split = split(text).unwrap();
        let mut diags = Diagnostics::new();
        let fm = read(&split, Path::new("p.md"), text, "soc2", &mut diags);
        (fm, diags.sorted())
    }

    #[test]
    fn split_finds_body() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let s = split(text).unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(&text[s.body_start..], "# Body\n");
        assert_eq!(split("no front matter"), Err(SplitError::Missing));
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("---\ntitle: A\n"), Err(SplitError::Unclosed));
        let crlf = "\u{feff}---\r\ntitle: A\r\n---\r\nBody";
        let s = split(crlf).unwrap();
        assert_eq!(&crlf[s.body_start..], "Body");
    }

    #[test]
    fn reads_every_field() {
        let (fm, diags) = read_text(
            "---\nid: access-control\ntitle: Access Control\nkind: procedure\nowner: CISO\n\
             approvers: [CEO, CTO]\nversion: 1.10\neffective: 2025-03-01\nreview: 18 months\n\
             status: draft\ncontrols:\n  - CC6.1\n  - CC6.2\nimplements: info-sec\ntags: [a]\n\
             extra:\n  audience: all\n---\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(fm.id.unwrap().value, "access-control");
        assert_eq!(fm.kind, Some(Kind::Procedure));
        let approvers: Vec<(&str, usize)> =
            fm.approvers.iter().map(|a| (a.as_str(), a.line)).collect();
        assert_eq!(approvers, [("CEO", 6), ("CTO", 6)]);
        assert_eq!(fm.version.as_deref(), Some("1.10"));
        assert_eq!(fm.effective.unwrap().to_string(), "2025-03-01");
        assert_eq!(fm.review.unwrap().months, 18);
        assert_eq!(fm.status, Some(Status::Draft));
        assert_eq!(fm.controls.len(), 2);
        assert_eq!(fm.controls[1].line, 13);
        assert_eq!(fm.implements, [Spanned::new("info-sec".to_string(), 14)]);
        assert_eq!((fm.title.unwrap().line, fm.review.unwrap().line), (3, 9));
        assert_eq!(fm.extra["audience"], "all");
    }

    #[test]
    fn framework_map_form() {
        let (fm, diags) =
            read_text("---\ntitle: A\ncontrols:\n  soc2: [CC6.1]\n  iso: [A.5.1]\n---\n");
        assert!(diags.is_empty());
        let got: Vec<_> = fm
            .controls
            .iter()
            .map(|c| (c.framework.as_str(), c.id.as_str(), c.line))
            .collect();
        assert_eq!(got, [("soc2", "CC6.1", 4), ("iso", "A.5.1", 5)]);
    }

    #[test]
    fn every_bad_field_is_reported_on_its_line() {
        let (_, diags) = read_text(
            "---\ntitle: A\nownr: x\nkind: polcy\nreview: yearly\neffective: 1 March\nid: Bad Id\n---\n",
        );
        let lines: Vec<_> = diags.iter().map(|d| d.line.unwrap()).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7], "{diags:#?}");
        assert!(diags[0].hint.as_deref().unwrap().contains("`owner`"));
        assert!(diags[1].hint.as_deref().unwrap().contains("`policy`"));
        assert!(diags[3].hint.as_deref().unwrap().contains("YYYY-MM-DD"));
        assert!(
            diags[4].hint.as_deref().unwrap().contains("`bad-id`"),
            "{}",
            diags[4]
        );
    }

    #[test]
    fn yaml_syntax_errors_use_file_lines() {
        let (_, diags) = read_text("---\ntitle: A\nowner: [unclosed\nkind: policy\n---\n");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].line.unwrap() >= 3, "{}", diags[0]);
        assert!(diags[0].message.starts_with("invalid YAML"));
    }

    #[test]
    fn ids() {
        assert!(check_id("access-control-2").is_ok());
        assert!(check_id("Access").is_err());
        assert!(check_id("-x").is_err());
        assert!(check_id("").is_err());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Text built from front matter's own pieces, and anything else.
        fn document() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("---".to_string()),
                Just("...".to_string()),
                Just("\n".to_string()),
                Just("\r\n".to_string()),
                Just("\u{feff}".to_string()),
                Just("title: ".to_string()),
                Just("controls: [".to_string()),
                Just("  - ".to_string()),
                Just("review: ".to_string()),
                "[a-z:#{}\\[\\] -]{0,10}",
                any::<String>(),
            ];
            prop::collection::vec(piece, 0..30).prop_map(|v| v.concat())
        }

        proptest! {
            #[test]
            fn split_never_panics_and_stays_inside_the_text(text in document()) {
                if let Ok(s) = split(&text) {
                    prop_assert!(s.body_start <= text.len());
                    prop_assert!(text.is_char_boundary(s.body_start));
                    let offset = s.yaml.as_ptr() as usize - text.as_ptr() as usize;
                    prop_assert!(offset + s.yaml.len() <= s.body_start);
                    prop_assert_eq!(s.first_line, 2);
                }
            }

            #[test]
            fn every_message_points_at_a_line_of_the_file(text in document()) {
                if let Ok(s) = split(&text) {
                    let mut diags = Diagnostics::new();
                    read(&s, Path::new("p.md"), &text, "soc2", &mut diags);
                    let lines = text.lines().count().max(1);
                    for d in diags.iter() {
                        let line = d.line.unwrap_or(1);
                        prop_assert!((1..=lines).contains(&line), "{d} ({lines} lines)");
                    }
                }
            }
        }
    }
}
