//! Every error and warning a run produces: where (file, line), what is wrong, how to fix it.
//!
//! Stages never stop at the first problem: they push into a `Diagnostics` list and carry on, so a
//! policy owner sees every mistake of a run at once. One convention for failing, everywhere: a
//! function that can fail returns [`Outcome<T>`]; its `Err(Reported)` carries nothing because the
//! errors are already in the `Diagnostics` the caller passed in, so `?` stops the caller without
//! losing or repeating a message.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
/// Whether a diagnostic fails the run.
pub enum Severity {
    /// Fails the run.
    Error,
    /// Does not fail it, unless `check --strict`.
    Warning,
}

/// A problem found by a run. Boxed: it is returned through many `Result`s and pushed by the
/// thousand on a broken handbook, and one pointer is cheaper to move than its ten fields.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic(Box<Problem>);

impl std::ops::Deref for Diagnostic {
    type Target = Problem;

    fn deref(&self) -> &Problem {
        &self.0
    }
}

impl std::ops::DerefMut for Diagnostic {
    fn deref_mut(&mut self) -> &mut Problem {
        &mut self.0
    }
}

/// What a [`Diagnostic`] says.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// Whether it fails the run.
    pub severity: Severity,
    /// Path as the user would type it (relative to the handbook root where possible).
    pub file: Option<PathBuf>,
    /// 1-based line in `file`; `None` when the problem is about the file as a whole.
    pub line: Option<usize>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it, in words a policy owner can act on.
    pub hint: Option<String>,
    /// The offending source line, shown under the message.
    pub source_line: Option<String>,
    /// 1-based column and length of the offending part of `source_line`, for the caret.
    pub column: Option<usize>,
    /// Number of characters the caret spans.
    pub length: Option<usize>,
}

impl Diagnostic {
    /// A problem that fails the run.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    /// A problem that does not fail the run (unless `check --strict`).
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic(Box::new(Problem {
            severity,
            file: None,
            line: None,
            message: message.into(),
            hint: None,
            source_line: None,
            column: None,
            length: None,
        }))
    }

    /// Placed at `file`, on `line` when there is one.
    pub fn at(mut self, file: &Path, line: Option<usize>) -> Self {
        self.file = Some(file.to_path_buf());
        self.line = line;
        self
    }

    /// Like `at`, and also keeps the text of that line of `source` for display.
    pub fn at_line(mut self, file: &Path, source: &str, line: usize) -> Self {
        self.file = Some(file.to_path_buf());
        self.line = Some(line);
        self.source_line = source
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end().to_string());
        self
    }

    /// Points the caret at the first occurrence of `needle` in the source line, if it is there.
    pub fn pointing_at(mut self, needle: &str) -> Self {
        if let Some(line) = &self.source_line
            && !needle.is_empty()
            && let Some(byte) = line.find(needle)
        {
            self.column = Some(line[..byte].chars().count() + 1);
            self.length = Some(needle.chars().count());
        }
        self
    }

    /// How to fix it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether it fails the run.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl Diagnostic {
    /// The human format: `error: file:line: message`, the source line with a caret under the
    /// offending part, and the hint. With `color`, ANSI styles (callers strip them when the
    /// output is not a terminal or NO_COLOR is set).
    pub fn human(&self, color: bool) -> String {
        use anstyle::{AnsiColor, Style};
        let paint = |style: Style, text: &str| {
            if color {
                format!("{}{text}{}", style.render(), style.render_reset())
            } else {
                text.to_string()
            }
        };
        let (label, label_style) = match self.severity {
            Severity::Error => ("error", AnsiColor::Red.on_default().bold()),
            Severity::Warning => ("warning", AnsiColor::Yellow.on_default().bold()),
        };
        let mut out = paint(label_style, label);
        out.push_str(": ");
        let location = match (&self.file, self.line) {
            (Some(file), Some(line)) => format!("{}:{line}: ", file.display()),
            (Some(file), None) => format!("{}: ", file.display()),
            _ => String::new(),
        };
        out.push_str(&paint(
            Style::new().bold(),
            &format!("{location}{}", self.message),
        ));
        if let (Some(src), Some(line)) = (&self.source_line, self.line) {
            let gutter = line.to_string();
            let blank = " ".repeat(gutter.len());
            let bar = paint(AnsiColor::Blue.on_default(), "|");
            out.push_str(&format!("\n {gutter} {bar} {src}"));
            // Under the part the message is about, or else the whole line's text.
            let (start, len) = match (self.column, self.length) {
                (Some(c), Some(l)) => (c - 1, l.max(1)),
                _ => {
                    let indent = src.chars().take_while(|c| c.is_whitespace()).count();
                    (indent, src.chars().count().saturating_sub(indent).max(1))
                }
            };
            let carets = paint(label_style, &"^".repeat(len));
            out.push_str(&format!("\n {blank} {bar} {}{carets}", " ".repeat(start)));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!(
                "\n  {}: {hint}",
                paint(AnsiColor::Cyan.on_default().bold(), "help")
            ));
        }
        out
    }

    /// A GitHub Actions workflow command: shows as an annotation on the file and line.
    pub fn github(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (prop, data) = (github_property, github_data);
        let mut props = Vec::new();
        if let Some(file) = &self.file {
            props.push(format!("file={}", prop(&file.to_string_lossy())));
        }
        if let Some(line) = self.line {
            props.push(format!("line={line}"));
        }
        if let Some(col) = self.column {
            props.push(format!("col={col}"));
        }
        props.push("title=policybook".to_string());
        let mut message = self.message.clone();
        if let Some(hint) = &self.hint {
            message.push_str(&format!("\nhelp: {hint}"));
        }
        format!("::{kind} {}::{}", props.join(","), data(&message))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.human(false))
    }
}

/// Errors were found and are in the run's [`Diagnostics`]: the caller stops here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reported;

/// The result of anything that can fail: on `Err`, the reasons are in the `Diagnostics` the
/// function was given.
pub type Outcome<T> = Result<T, Reported>;

/// The problems found by one run, in the order they were found (then sorted for display).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Pushes an error and fails: `return diags.fail(Diagnostic::error(…))`.
    pub fn fail<T>(&mut self, d: Diagnostic) -> Outcome<T> {
        self.push(d);
        Err(Reported)
    }

    /// Pushes the error of a helper that returns one, and fails.
    pub fn take<T>(&mut self, r: Result<T, Diagnostic>) -> Outcome<T> {
        r.or_else(|d| self.fail(d))
    }

    /// `Err(Reported)` when any error has been pushed: where a caller must not go on with a
    /// handbook that has errors (writing, serving), `diags.no_errors()?`.
    pub fn no_errors(&self) -> Outcome<()> {
        if self.has_errors() {
            Err(Reported)
        } else {
            Ok(())
        }
    }

    /// Adds all of another list's problems.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, line, then severity, so output does not depend on thread scheduling.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort_by(|a, b| {
            (&a.file, a.line, a.severity, &a.message)
                .cmp(&(&b.file, b.line, b.severity, &b.message))
        });
        items.dedup();
        items
    }

    /// The problems, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Prints every diagnostic to stderr, sorted, in colour on a terminal (not with NO_COLOR,
    /// nor when stderr is redirected).
    pub fn print(&self) {
        use std::io::Write;
        let mut err = anstream::stderr().lock();
        for d in self.sorted() {
            let _ = writeln!(err, "{}\n", d.human(true));
        }
    }
}

/// How many warnings of one kind `print_grouped` shows in full before it folds them into one.
pub const SHOWN_IN_FULL: usize = 3;

/// The kind of a message: its lead-in when it has one ("changed since approval: …"), else its
/// text with the parts that name one thing (`` `quoted` `` values, numbers) blanked, so that
/// "`a` … 2026-06-01" and "`b` … 2026-07-01" are one kind.
fn kind_of(message: &str) -> String {
    if let Some((lead, _)) = message.split_once(": ")
        && lead.len() <= 40
        && !lead.contains('`')
    {
        return format!("{lead}:");
    }
    let mut out = String::with_capacity(message.len());
    let mut in_code = false;
    let mut last_digit = false;
    for ch in message.chars() {
        if ch == '`' {
            in_code = !in_code;
            if in_code {
                out.push_str("`…`");
            }
            continue;
        }
        if in_code {
            continue;
        }
        if ch.is_ascii_digit() {
            if !last_digit {
                out.push('0');
            }
            last_digit = true;
            continue;
        }
        last_digit = false;
        out.push(ch);
    }
    out
}

impl Diagnostics {
    /// The warnings and errors as `build` prints them: errors in full; warnings of a kind that
    /// occurs more than `SHOWN_IN_FULL` times once, with the count and the first few places, so
    /// that a build with hundreds of findings stays readable (`check` lists every one).
    pub fn grouped(&self, color: bool) -> Vec<String> {
        let sorted = self.sorted();
        let mut kinds: Vec<(String, Vec<&Diagnostic>)> = Vec::new();
        for d in &sorted {
            if d.severity == Severity::Error {
                kinds.push((String::new(), vec![d]));
                continue;
            }
            let kind = kind_of(&d.message);
            match kinds.iter_mut().find(|(k, _)| !k.is_empty() && *k == kind) {
                Some((_, list)) => list.push(d),
                None => kinds.push((kind, vec![d])),
            }
        }
        let mut out = Vec::new();
        for (_, list) in kinds {
            if list.len() <= SHOWN_IN_FULL {
                out.extend(list.iter().map(|d| d.human(color)));
                continue;
            }
            let first = list[0];
            let places: Vec<String> = list
                .iter()
                .filter_map(|d| {
                    let file = d.file.as_ref()?;
                    Some(match d.line {
                        Some(l) => format!("{}:{l}", file.display()),
                        None => file.display().to_string(),
                    })
                })
                .collect();
            let same = list.iter().all(|d| d.message == first.message);
            let mut folded = Diagnostic::warning(format!(
                "{} ({} times{})",
                first.message,
                list.len(),
                if same { "" } else { ", with other values" }
            ));
            if let Some(h) = &first.hint {
                folded = folded.hint(h.clone());
            }
            let shown: Vec<&str> = places
                .iter()
                .take(SHOWN_IN_FULL)
                .map(String::as_str)
                .collect();
            let mut text = folded.human(color);
            let more = places.len().saturating_sub(shown.len());
            let at = if more > 0 {
                format!(
                    "\n  in {}, … and {more} more: run `policybook check` to see every one",
                    shown.join(", ")
                )
            } else {
                format!("\n  in {}", shown.join(", "))
            };
            // The places go right under the message, before the help line.
            match text.find("\n  ") {
                Some(i) => text.insert_str(i, &at),
                None => text.push_str(&at),
            }
            out.push(text);
        }
        out
    }

    /// Prints `grouped` to stderr, in colour on a terminal.
    pub fn print_grouped(&self) {
        use std::io::Write;
        let mut err = anstream::stderr().lock();
        for block in self.grouped(true) {
            let _ = writeln!(err, "{block}\n");
        }
    }
}

/// "did you mean" for a misspelt name: the closest candidate, if it is close enough to be a typo
/// (at most about one edit in three characters), ignoring case.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lowered = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&lowered, &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// 1-based line of the first line that sets `key` (`key = …` in TOML, `key: …` in YAML), or of a
/// `[key]` table header. Good enough for pointing a user at a setting: it never has to be exact to
/// be helpful, and falls back to `None`.
pub fn find_key_line(text: &str, key: &str, separator: char) -> Option<usize> {
    text.lines()
        .position(|line| {
            let t = line.trim_start();
            let unquoted = t.trim_start_matches(['"', '\'']);
            if let Some(rest) = unquoted.strip_prefix(key) {
                let rest = rest.trim_start_matches(['"', '\'']).trim_start();
                return rest.starts_with(separator);
            }
            t.strip_prefix('[')
                .and_then(|r| r.strip_prefix(key))
                .is_some_and(|r| r.trim_start().starts_with(']'))
        })
        .map(|i| i + 1)
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A GitHub Actions workflow command's message, escaped as the runner expects (a command ends at
/// a newline, and `%` starts an escape).
pub fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (`file=…`): `github_data`, and `:` and `,` too, which end a
/// property.
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod grouping_tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn frequent_warnings_fold_into_one_with_their_places_and_errors_never_do() {
        let mut diags = Diagnostics::new();
        for n in 1..=5 {
            diags.push(
                Diagnostic::warning(format!("review overdue: due 2026-0{n}-01"))
                    .at(Path::new(&format!("policies/d{n}.md")), Some(2))
                    .hint("review it"),
            );
            diags.push(
                Diagnostic::error("broken link `x`")
                    .at(Path::new(&format!("policies/d{n}.md")), Some(9)),
            );
        }
        diags.push(Diagnostic::warning("only once").at(Path::new("site.toml"), None));
        let blocks = diags.grouped(false);
        assert_eq!(blocks.len(), 5 + 1 + 1, "{blocks:#?}");
        let folded = blocks
            .iter()
            .find(|b| b.contains("5 times"))
            .expect("one block for the five");
        assert_eq!(
            folded,
            "warning: review overdue: due 2026-01-01 (5 times, with other values)\n  in policies/d1.md:2, policies/d2.md:2, policies/d3.md:2, … and 2 more: run `policybook check` to see every one\n  help: review it"
        );
        assert_eq!(
            kind_of("owner `a` on 2026-01-01"),
            kind_of("owner `bb` on 2025-12-31")
        );
        assert_ne!(kind_of("owner `a`"), kind_of("approver `a`"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("ownr", ["owner", "title", "kind"]),
            Some("owner")
        );
        assert_eq!(did_you_mean("Titel", ["owner", "title"]), Some("title"));
        assert_eq!(did_you_mean("zzzz", ["owner", "title"]), None);
        assert_eq!(
            did_you_mean("CC6.9", ["CC6.1", "CC6.8", "CC7.1"]),
            Some("CC6.1")
        );
        assert_eq!(did_you_mean("nope.md", ["no-owner.md", "target.md"]), None);
        assert_eq!(did_you_mean("targte", ["target", "tags"]), Some("target"));
    }

    #[test]
    fn line_numbers_are_one_based() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 100), 3);
    }

    #[test]
    fn display_names_file_line_and_hint() {
        let d = Diagnostic::error("unknown field `ownr`")
            .at_line(Path::new("policies/a.md"), "---\nownr: x\n---\n", 2)
            .hint("did you mean `owner`?");
        let text = d.to_string();
        assert!(
            text.starts_with("error: policies/a.md:2: unknown field `ownr`"),
            "{text}"
        );
        assert!(text.contains("2 | ownr: x"), "{text}");
        assert!(
            text.contains("\n   | ^^^^^^^\n"),
            "caret under the line's text: {text}"
        );
        assert!(text.contains("help: did you mean `owner`?"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour unless asked");
        assert!(d.human(true).contains("\u{1b}["));
    }

    #[test]
    fn carets_point_at_the_needle() {
        let d = Diagnostic::error("unknown control `CC6.9`")
            .at_line(Path::new("a.md"), "---\ncontrols:\n  - CC6.9\n", 3)
            .pointing_at("CC6.9");
        assert!(
            d.to_string().contains(" 3 |   - CC6.9\n   |     ^^^^^"),
            "{d}"
        );
    }

    #[test]
    fn github_annotations_are_escaped() {
        let d = Diagnostic::warning("gap: 2 controls, 50% covered")
            .at(Path::new("site.toml"), Some(4))
            .hint("map them");
        assert_eq!(
            d.github(),
            "::warning file=site.toml,line=4,title=policybook::gap: 2 controls, 50%25 covered%0Ahelp: map them"
        );
    }
}
