//! The roster (`email, name, start, end, type`) and the acknowledgement files (`email, document,
//! version, date`) of `[acknowledgements]`, as CSV with a header row. Columns are found by name
//! (any order, any case, extra columns ignored: e-sign and HR exports add their own); every
//! malformed row is an error naming its file and line, and is left out.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::acknowledgements::{Ack, AckSources, Member, MemberType};
use crate::pipeline::load::SourceFile;

/// Reads the roster and the acknowledgement files.
pub fn parse_acknowledgements(
    configured: bool,
    roster: Option<&SourceFile>,
    files: &[SourceFile],
    diags: &mut Diagnostics,
) -> AckSources {
    let mut out = AckSources {
        configured,
        ..AckSources::default()
    };
    if let Some(f) = roster {
        for_each_row(
            f,
            &["email", "name", "start", "end", "type"],
            diags,
            |row| {
                let kind = match row.get("type").to_ascii_lowercase().as_str() {
                    "employee" | "" => MemberType::Employee,
                    "contractor" => MemberType::Contractor,
                    other => {
                        return Err(format!("type `{other}` is neither employee nor contractor"));
                    }
                };
                let end = match row.get("end") {
                    "" => None,
                    e => Some(date(e, "end")?),
                };
                out.roster.push(Member {
                    email: email(row.get("email"))?,
                    name: row.get("name").to_string(),
                    start: date(row.get("start"), "start")?,
                    end,
                    kind,
                });
                Ok(())
            },
        );
    }
    for f in files {
        let file = Arc::new(f.display.clone());
        for_each_row(f, &["email", "document", "version", "date"], diags, |row| {
            let document = row.get("document");
            if document.is_empty() {
                return Err("the document is empty".into());
            }
            out.acks.push(Ack {
                email: email(row.get("email"))?,
                document: document.to_string(),
                version: row.get("version").to_string(),
                date: date(row.get("date"), "date")?,
                file: file.clone(),
                line: row.line,
            });
            Ok(())
        });
    }
    out
}

/// A row's cells by column name.
struct Row<'a> {
    cells: &'a csv::StringRecord,
    columns: &'a HashMap<&'static str, usize>,
    line: usize,
}

impl Row<'_> {
    fn get(&self, name: &str) -> &str {
        self.columns
            .get(name)
            .and_then(|&i| self.cells.get(i))
            .map_or("", str::trim)
    }
}

/// Calls `read` for each data row of `f`; its errors, and rows CSV cannot read, are reported at
/// their line. All of `required` must be columns of the header (`end`, `type` may be missing).
fn for_each_row(
    f: &SourceFile,
    required: &[&'static str],
    diags: &mut Diagnostics,
    mut read: impl FnMut(&Row<'_>) -> Result<(), String>,
) {
    let columns_hint = format!("the first row names the columns: {}", required.join(", "));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(f.text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("cannot read the header: {e}"))
                    .at_line(&f.display, &f.text, 1)
                    .hint(columns_hint),
            );
            return;
        }
    };
    let mut columns = HashMap::new();
    for &name in required {
        match header.iter().position(|h| h == name) {
            Some(i) => {
                columns.insert(name, i);
            }
            None if matches!(name, "end" | "type") => {}
            None => {
                diags.push(
                    Diagnostic::error(format!("no `{name}` column"))
                        .at_line(&f.display, &f.text, 1)
                        .hint(columns_hint),
                );
                return;
            }
        }
    }
    for record in reader.records() {
        let (cells, line) = match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                (r, line)
            }
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                diags.push(
                    Diagnostic::error(format!("invalid CSV: {e}"))
                        .at_line(&f.display, &f.text, line)
                        .hint("quote cells that hold commas or quotes: \"Smith, Jane\""),
                );
                continue;
            }
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = Row {
            cells: &cells,
            columns: &columns,
            line,
        };
        if let Err(why) = read(&row) {
            diags.push(
                Diagnostic::error(why)
                    .at_line(&f.display, &f.text, line)
                    .hint(columns_hint.clone()),
            );
        }
    }
}

fn email(s: &str) -> Result<String, String> {
    if s.contains('@') && !s.contains(char::is_whitespace) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(format!("`{s}` is not an email address"))
    }
}

/// `YYYY-MM-DD`, or a timestamp that starts with one (`2025-03-01T10:00:00Z`, as exports write).
fn date(s: &str, what: &str) -> Result<Date, String> {
    s.get(..10)
        .and_then(|d| d.parse().ok())
        .filter(|_| s.len() == 10 || s[10..].starts_with(['T', ' ']))
        .ok_or_else(|| format!("{what} `{s}` is not a date (YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(path: &str, text: &str) -> SourceFile {
        SourceFile {
            path: path.to_string(),
            display: PathBuf::from(path),
            text: text.into(),
        }
    }

    #[test]
    fn rows_are_read_by_column_name_and_mistakes_name_their_line() {
        let roster = source(
            "roster.csv",
            "Name,Email,Start,End,Type,Department\nJane Doe,Jane@Example.com,2024-01-15,,employee,IT\nBob,bob@example.com,2025-13-01,,employee,IT\nCarl,carl@example.com,2024-01-01,2025-06-30,Contractor,\n",
        );
        let acks = source(
            "acks/2025.csv",
            "email,document,version,date,signer ip\njane@example.com,access-control,1.2,2025-02-01T10:00:00Z,10.0.0.1\nnot-an-email,access-control,1.2,2025-02-01,\n",
        );
        let mut diags = Diagnostics::new();
        let got = parse_acknowledgements(true, Some(&roster), &[acks], &mut diags);
        assert_eq!(got.roster.len(), 2);
        assert_eq!(got.roster[0].email, "jane@example.com");
        assert_eq!(got.roster[1].kind, MemberType::Contractor);
        assert_eq!(got.roster[1].end, Some(jiff::civil::date(2025, 6, 30)));
        assert_eq!(got.acks.len(), 1);
        assert_eq!(got.acks[0].line, 2);
        assert_eq!(got.acks[0].date, jiff::civil::date(2025, 2, 1));
        let messages: Vec<String> = diags
            .sorted()
            .iter()
            .map(|d| {
                format!(
                    "{}:{}: {}",
                    d.file
                        .as_ref()
                        .map_or(String::new(), |f| f.display().to_string()),
                    d.line.unwrap_or(0),
                    d.message
                )
            })
            .collect();
        assert_eq!(
            messages,
            [
                "acks/2025.csv:3: `not-an-email` is not an email address",
                "roster.csv:3: start `2025-13-01` is not a date (YYYY-MM-DD)",
            ]
        );
    }

    #[test]
    fn a_missing_column_is_an_error_on_the_header() {
        let mut diags = Diagnostics::new();
        let f = source("a.csv", "email,document,date\nx@y.z,a,2025-01-01\n");
        let got = parse_acknowledgements(true, None, &[f], &mut diags);
        assert!(got.acks.is_empty());
        assert!(diags.sorted()[0].message.contains("no `version` column"));
    }
}
