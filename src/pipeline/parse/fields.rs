//! Field by field reading of a YAML mapping, shared by the front matter and the control register:
//! each field has its own checks, so one bad field does not hide the others, and every message
//! names its line.

use std::path::Path;

use serde_yaml::Value;

use crate::diagnostics::{Diagnostic, did_you_mean};
use jiff::civil::Date;

use crate::model::{ControlRef, Spanned};

/// Reads the fields of a YAML mapping with the checks every field of policybook's YAML gets,
/// pointing messages at lines of the file. `yaml` is the mapping's text with its keys at column 0
/// (the front matter as it is; a register entry dedented), starting on line `first_line`.
pub(super) struct Reader<'a> {
    pub(super) yaml: &'a str,
    pub(super) first_line: usize,
    pub(super) file: &'a Path,
    pub(super) source: &'a str,
}

impl Reader<'_> {
    pub(super) fn error_at(&self, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).at_line(self.file, self.source, line)
    }

    /// Line in the file of a top-level `key:`.
    pub(super) fn key_line(&self, key: &str) -> Option<usize> {
        self.yaml
            .lines()
            .position(|l| {
                let l = l.trim_start_matches(['"', '\'']);
                l.strip_prefix(key).is_some_and(|rest| {
                    rest.trim_start_matches(['"', '\''])
                        .trim_start()
                        .starts_with(':')
                })
            })
            .map(|i| self.first_line + i)
    }

    /// Line of the first line at or after `from` (a file line) that contains `needle`.
    pub(super) fn value_line(&self, from: usize, needle: &str) -> usize {
        let skip = from.saturating_sub(self.first_line);
        self.yaml
            .lines()
            .enumerate()
            .skip(skip)
            .find(|(_, l)| l.contains(needle))
            .map(|(i, _)| self.first_line + i)
            .unwrap_or(from)
    }

    /// A scalar as text. Numbers and booleans are accepted as written (`version: 1.10` stays
    /// `1.10`, not `1.1`), because policy owners do not think in YAML types.
    pub(super) fn string(
        &self,
        key: &str,
        value: &Value,
        line: usize,
    ) -> Result<String, Diagnostic> {
        let s = match value {
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => {
                self.raw_scalar(line).unwrap_or_else(|| scalar_text(value))
            }
            Value::Null => {
                return Err(self
                    .error_at(line, format!("`{key}` is empty"))
                    .hint(format!("give `{key}` a value or remove the line")));
            }
            _ => {
                return Err(self
                    .error_at(
                        line,
                        format!("`{key}` must be a single value, not a list or map"),
                    )
                    .hint(format!("write it on one line: `{key}: …`")));
            }
        };
        let s = s.trim().to_string();
        if s.is_empty() {
            return Err(self
                .error_at(line, format!("`{key}` is empty"))
                .hint(format!("give `{key}` a value or remove the line")));
        }
        Ok(s)
    }

    /// An unknown field: the error, with the closest known one.
    pub(super) fn unknown_field(
        &self,
        line: usize,
        field: &str,
        fields: &[&str],
        what: &str,
    ) -> Diagnostic {
        let d = self
            .error_at(line, format!("unknown {what}field `{field}`"))
            .pointing_at(field);
        match did_you_mean(field, fields.iter().copied()) {
            Some(s) => d.hint(format!("did you mean `{s}`?")),
            None => d.hint(format!("remove it; fields are: {}", fields.join(", "))),
        }
    }

    /// A `YYYY-MM-DD` date.
    pub(super) fn date(
        &self,
        key: &str,
        value: &Value,
        line: usize,
    ) -> Result<Spanned<Date>, Diagnostic> {
        let s = self.string(key, value, line)?;
        let date = s.parse::<Date>().map_err(|_| {
            self.error_at(line, format!("`{key}` is not a date: `{s}`"))
                .pointing_at(&s)
                .hint(format!(
                    "write the date as YYYY-MM-DD, e.g. `{key}: 2025-03-01`"
                ))
        })?;
        Ok(Spanned::new(date, line))
    }

    /// The text after `key:` on `line`, unquoted, for scalars YAML would otherwise reformat.
    pub(super) fn raw_scalar(&self, line: usize) -> Option<String> {
        let text = self.yaml.lines().nth(line.checked_sub(self.first_line)?)?;
        let (_, rest) = text.split_once(':')?;
        let rest = rest.split(" #").next().unwrap_or(rest).trim();
        (!rest.is_empty()).then(|| rest.to_string())
    }

    pub(super) fn choice<T>(
        &self,
        key: &str,
        value: &Value,
        line: usize,
        names: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, Diagnostic> {
        let s = self.string(key, value, line)?;
        parse(&s).ok_or_else(|| {
            let mut d = self
                .error_at(line, format!("unknown {key} `{s}`"))
                .pointing_at(&s);
            let allowed = names.join(", ");
            d = match did_you_mean(&s, names.iter().copied()) {
                Some(m) => d.hint(format!("did you mean `{m}`? Allowed: {allowed}")),
                None => d.hint(format!("allowed: {allowed}")),
            };
            d
        })
    }

    /// A list of text values. A single value, or a comma-separated one, is accepted as a list.
    pub(super) fn list(
        &self,
        key: &str,
        value: &Value,
        line: usize,
    ) -> Result<Vec<String>, Diagnostic> {
        match value {
            Value::Sequence(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                            let s = scalar_text(item).trim().to_string();
                            if !s.is_empty() {
                                out.push(s);
                            }
                        }
                        _ => {
                            return Err(self
                                .error_at(line, format!("`{key}` must be a list of single values"))
                                .hint(format!("write one value per item: `{key}: [a, b]`")));
                        }
                    }
                }
                Ok(out)
            }
            Value::Null => Ok(Vec::new()),
            Value::String(s) => Ok(s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()),
            Value::Number(_) | Value::Bool(_) => Ok(vec![scalar_text(value)]),
            _ => Err(self
                .error_at(line, format!("`{key}` must be a list"))
                .hint(format!("write `{key}: [a, b]` or one `- item` per line"))),
        }
    }

    /// `controls: [CC6.1, iso27001:A.5.15]` (bare ids are the default framework's) or
    /// `controls: {soc2: [CC6.1], …}`.
    pub(super) fn controls(
        &self,
        value: &Value,
        line: usize,
        default_framework: &str,
    ) -> Result<Vec<ControlRef>, Diagnostic> {
        let mut out = Vec::new();
        match value {
            Value::Mapping(map) => {
                for (fw, ids) in map {
                    let Some(fw) = fw.as_str() else {
                        return Err(self
                            .error_at(line, "framework names under `controls` must be text")
                            .hint("write `controls:\\n  soc2: [CC6.1]`"));
                    };
                    let fw_line = self.value_line(line, fw);
                    for id in self.list("controls", ids, fw_line)? {
                        let l = self.value_line(fw_line, &id);
                        out.push(ControlRef {
                            framework: fw.to_string(),
                            id,
                            line: l,
                            explicit: true,
                        });
                    }
                }
            }
            other => {
                // `iso27001:A.5.15` names its framework, as on headings.
                for id in self.list("controls", other, line)? {
                    let l = self.value_line(line, &id);
                    out.push(ControlRef::parse(&id, default_framework, l));
                }
            }
        }
        Ok(out)
    }
}

pub(super) fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// What a YAML list file holds, for its messages.
pub(super) struct ListKind {
    /// "the control register".
    pub(super) what: &'static str,
    /// "controls".
    pub(super) items: &'static str,
    /// "`- id: ACC-01`".
    pub(super) example: &'static str,
}

/// Reads a YAML file that is a list of mappings (the control register, `people.yaml`): each entry
/// is handed to `read_entry` with a `Reader` over its own lines, so that every message names the
/// line it is about. Entries `read_entry` rejects are left out (their errors are in `diags`).
pub(super) fn read_list<T>(
    source: &crate::pipeline::load::SourceFile,
    kind: &ListKind,
    diags: &mut crate::diagnostics::Diagnostics,
    mut read_entry: impl FnMut(
        &Reader<'_>,
        serde_yaml::Mapping,
        &mut crate::diagnostics::Diagnostics,
    ) -> Option<T>,
) -> Vec<T> {
    let file = &source.display;
    let text = &source.text;
    let value: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let line = e.location().map(|l| l.line()).unwrap_or(1);
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            diags.push(
                Diagnostic::error(format!("invalid YAML in {}: {message}", kind.what))
                    .at_line(file, text, line)
                    .hint("check the indentation, and quote values that contain `: `"),
            );
            return Vec::new();
        }
    };
    let items = match value {
        Value::Sequence(items) => items,
        Value::Null => return Vec::new(),
        _ => {
            diags.push(
                Diagnostic::error(format!("{} must be a list of {}", kind.what, kind.items))
                    .at_line(file, text, 1)
                    .hint(format!("start each entry with {}", kind.example)),
            );
            return Vec::new();
        }
    };
    let blocks = entry_blocks(text);
    let mut out = Vec::new();
    for (k, item) in items.into_iter().enumerate() {
        // The entry's lines, dedented so its keys start at column 0; the whole file if the list is
        // not written one `- ` per entry (flow style).
        let (first_line, yaml) = blocks.get(k).cloned().unwrap_or_else(|| (1, String::new()));
        let r = Reader {
            yaml: &yaml,
            first_line,
            file,
            source: text,
        };
        let Value::Mapping(map) = item else {
            diags.push(
                r.error_at(
                    first_line,
                    format!(
                        "each entry of {} must be a set of `field: value` lines",
                        kind.what
                    ),
                )
                .hint(format!(
                    "write {} and the other fields indented under it",
                    kind.example
                )),
            );
            continue;
        };
        if let Some(t) = read_entry(&r, map, diags) {
            out.push(t);
        }
    }
    out
}

/// For each top-level `- ` entry: its first line and its text with the keys at column 0.
fn entry_blocks(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let is_entry = |l: &str| {
        let t = l.trim_start();
        t == "-" || t.starts_with("- ")
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(top) = lines
        .iter()
        .filter(|l| is_entry(l) && !l.trim_start().starts_with('#'))
        .map(|l| indent(l))
        .min()
    else {
        return Vec::new();
    };
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| is_entry(l) && indent(l) == top)
        .map(|(i, _)| i)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| {
            let end = starts.get(n + 1).copied().unwrap_or(lines.len());
            // `- id: X`: the key column is where the text after the dash starts.
            let first = lines[start];
            let after_dash = &first[top + 1..];
            let key_col = top + 1 + (after_dash.len() - after_dash.trim_start().len());
            let block: Vec<String> = lines[start..end]
                .iter()
                .enumerate()
                .map(|(j, l)| {
                    if j == 0 {
                        first[key_col.min(first.len())..].to_string()
                    } else if l.len() >= key_col && l[..key_col].trim().is_empty() {
                        l[key_col..].to_string()
                    } else {
                        // Less indented than the keys: a comment or a blank line.
                        l.trim_start().to_string()
                    }
                })
                .collect();
            (start + 1, block.join("\n"))
        })
        .collect()
}
