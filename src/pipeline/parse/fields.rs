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

    /// `controls: [CC6.1, CC6.2]` (default framework) or `controls: {soc2: [CC6.1], …}`.
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
                for id in self.list("controls", other, line)? {
                    let l = self.value_line(line, &id);
                    out.push(ControlRef {
                        framework: default_framework.to_string(),
                        id,
                        line: l,
                        explicit: false,
                    });
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
