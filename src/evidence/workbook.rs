//! `audit.xlsx`: the period's evidence as one workbook, for auditors who work in spreadsheets.
//!
//! Its sheets are built from the same data as the CSV files beside it — most of them from the
//! CSV bytes themselves, so the workbook and the CSVs cannot disagree — with what a spreadsheet
//! adds: one row per in-scope criterion on *Matrix* (the CSV has one per mapping), real dates,
//! numbers as numbers, frozen headers, filters, widths, links to the published pages, and an
//! *About* sheet with the SHA-256 of every input so the workbook can be re-performed. Text is
//! always written as text: a cell starting with `=` is never a formula here. The bytes repeat
//! for the same commit: the document properties carry the commit's date, not the clock's.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::config::{Config, Subservice};
use crate::model::register::Responsibility;
use crate::pipeline::resolve::Handbook;

/// One input of the evidence and its hash.
#[derive(Debug, Clone)]
pub struct Input {
    /// Relative to the handbook folder.
    pub path: String,
    /// "commit 1a2b3c4" or "working tree".
    pub read_from: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// SHA-256, hex.
    pub sha256: String,
}

/// What the *About* sheet says.
pub struct About<'a> {
    /// The audit period.
    pub since: jiff::civil::Date,
    /// Its last day.
    pub until: jiff::civil::Date,
    /// The commit the period-end state was read from, and its date.
    pub commit: &'a str,
    /// Its date: also the workbook's creation date, so that the bytes repeat.
    pub commit_date: jiff::civil::Date,
    /// Uncommitted changes in the working tree when the evidence was made.
    pub dirty: bool,
    /// The command line, as typed.
    pub command: String,
    /// What the evidence cannot show (before site.toml existed), in words.
    pub notes: &'a [String],
    /// Every input read.
    pub inputs: &'a [Input],
}

/// The CSV files of the evidence a sheet is made from, by file name.
pub type Csvs<'a> = BTreeMap<&'a str, &'a [u8]>;

/// The sheets, in order, and the CSV each is made from ("" for those built here).
pub const SHEETS: [(&str, &str); 11] = [
    ("Matrix", ""),
    ("Controls", "controls.csv"),
    ("SoA", "soa.csv"),
    ("Scope", ""),
    ("Gaps", ""),
    ("Documents", ""),
    ("Revisions", "changes.csv"),
    ("Approvals", "reviews.csv"),
    ("Exceptions", "exceptions.csv"),
    ("Requests", "requests.csv"),
    ("About", ""),
];

/// `audit.xlsx` for the handbook as of the period's end.
pub fn audit_xlsx(hb: &Handbook, csvs: &Csvs<'_>, about: &About<'_>) -> Result<Vec<u8>, String> {
    build(hb, csvs, about).map_err(|e| format!("cannot write audit.xlsx: {e}"))
}

fn build(hb: &Handbook, csvs: &Csvs<'_>, about: &About<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        about.commit_date.year() as u16,
        about.commit_date.month() as u8,
        about.commit_date.day() as u8,
    )?;
    let title = format!(
        "{} — audit evidence {} to {}",
        hb.config.title, about.since, about.until
    );
    wb.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_author(format!("policybook {}", env!("CARGO_PKG_VERSION")))
            .set_company(hb.config.organization.clone().unwrap_or_default())
            .set_creation_datetime(&created),
    );
    let styles = Styles::new();
    let matrix = csvs.get("matrix.csv").map(|b| read_csv(b)).transpose()?;
    for (name, csv) in SHEETS {
        let table = match name {
            "Matrix" => matrix.as_ref().map(|m| matrix_table(hb, m)),
            "Scope" => Some(scope_table(hb)),
            "Gaps" => matrix.as_ref().map(|m| gaps_table(hb, m)),
            "Documents" => Some(documents_table(hb)),
            "About" => Some(about_table(hb, about)),
            // The register's sheet only when there is a register.
            "Controls" if hb.register.is_empty() => None,
            _ => csvs.get(csv).map(|b| read_csv(b)).transpose()?,
        };
        let Some(table) = table else {
            continue;
        };
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        write_table(ws, &table, &styles, &hb.config, name == "About")?;
    }
    wb.save_to_buffer()
}

/// A sheet's contents: a header row and text rows (dates and numbers are recognised on
/// writing).
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A CSV file as a table, with the `'` that protected formula-like cells in the CSV removed:
/// the workbook writes every text cell as text, which needs no such mark.
fn read_csv(bytes: &[u8]) -> Result<Table, XlsxError> {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let header = r
        .headers()
        .map_err(|e| XlsxError::ParameterError(e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in r.records() {
        let record = record.map_err(|e| XlsxError::ParameterError(e.to_string()))?;
        rows.push(record.iter().map(unprotect).collect());
    }
    Ok(Table { header, rows })
}

fn unprotect(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// Column index by name.
fn col(t: &Table, name: &str) -> usize {
    t.header
        .iter()
        .position(|h| h == name)
        .unwrap_or(usize::MAX)
}

fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map_or("", String::as_str)
}

/// A criterion's status, and the controls, sections and owners that map it.
type Criterion = (String, Vec<String>, Vec<String>, Vec<String>);

/// One row per in-scope criterion, from `matrix.csv`'s rows (one per mapping): its status and
/// why, and every control, section and owner that maps it.
fn matrix_table(hb: &Handbook, m: &Table) -> Table {
    let (fw, id, status) = (col(m, "framework"), col(m, "control"), col(m, "status"));
    let (doc, section, owner, reg) = (
        col(m, "document"),
        col(m, "section"),
        col(m, "owner"),
        col(m, "register_control"),
    );
    let in_scope = col(m, "in_scope");
    // (framework, id) → its status, controls, sections and owners, in the CSV's order.
    let mut by: BTreeMap<(String, String), Criterion> = BTreeMap::new();
    for row in &m.rows {
        if cell(row, in_scope) != "yes" {
            continue;
        }
        let e = by
            .entry((cell(row, fw).to_string(), cell(row, id).to_string()))
            .or_insert_with(|| (cell(row, status).to_string(), vec![], vec![], vec![]));
        let push = |list: &mut Vec<String>, v: String| {
            if !v.is_empty() && !list.contains(&v) {
                list.push(v);
            }
        };
        push(&mut e.1, cell(row, reg).to_string());
        let place = match (cell(row, doc), cell(row, section)) {
            ("", _) => String::new(),
            (d, "") => d.to_string(),
            (d, s) => format!("{d}#{s}"),
        };
        push(&mut e.2, place);
        push(&mut e.3, cell(row, owner).to_string());
    }
    let mut rows = Vec::new();
    for p in hb.catalog.positions() {
        let c = hb.catalog.at(p);
        let Some((status, controls, sections, owners)) =
            by.get(&(c.framework.clone(), c.id.clone()))
        else {
            continue;
        };
        rows.push(vec![
            c.framework.clone(),
            c.id.clone(),
            c.series.clone(),
            c.title.clone(),
            c.summary.clone(),
            status.clone(),
            hb.status_reason(p),
            controls.join("; "),
            sections.join("; "),
            owners.join("; "),
        ]);
    }
    Table {
        header: [
            "framework",
            "criterion",
            "series",
            "title",
            "summary",
            "status",
            "reason",
            "controls",
            "sections",
            "owners",
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
    }
}

/// The in-scope criteria not covered, with why.
fn gaps_table(hb: &Handbook, m: &Table) -> Table {
    let all = matrix_table(hb, m);
    let status = col(&all, "status");
    let keep = [
        "framework",
        "criterion",
        "title",
        "status",
        "reason",
        "controls",
    ];
    let idx: Vec<usize> = keep.iter().map(|k| col(&all, k)).collect();
    Table {
        header: keep.map(str::to_string).to_vec(),
        rows: all
            .rows
            .iter()
            .filter(|r| {
                !matches!(
                    cell(r, status),
                    "covered" | "covered, relies on CSOCs" | "not applicable"
                )
            })
            .map(|r| idx.iter().map(|&i| cell(r, i).to_string()).collect())
            .collect(),
    }
}

/// Exclusions, carved-out subservices, the CSOCs relied on, and the CUECs customers operate.
fn scope_table(hb: &Handbook) -> Table {
    let mut rows = Vec::new();
    for e in &hb.config.scope.exclusions {
        rows.push(vec![
            "exclusion".into(),
            e.criteria.join(", "),
            e.reason.clone(),
            String::new(),
            String::new(),
        ]);
    }
    for s in &hb.config.subservice {
        rows.push(vec![
            "subservice organisation (carve-out)".into(),
            s.name.clone(),
            subservice_text(s),
            s.monitored_by.clone().unwrap_or_default(),
            String::new(),
        ]);
        for u in &s.user_controls {
            rows.push(vec![
                format!("complementary user entity control in {}'s report", s.name),
                String::new(),
                u.text.clone(),
                u.control.clone().unwrap_or_default(),
                String::new(),
            ]);
        }
    }
    for c in hb.register.iter() {
        let kind = match &c.responsibility {
            Responsibility::Organization => continue,
            Responsibility::Customer => "complementary user entity control (CUEC)".to_string(),
            Responsibility::Subservice(name) => {
                format!("complementary subservice organisation control (CSOC) of {name}")
            }
        };
        rows.push(vec![
            kind,
            c.id.value.clone(),
            c.statement.trim().to_string(),
            String::new(),
            c.criteria
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    Table {
        header: [
            "kind",
            "name",
            "description",
            "monitored or met by",
            "criteria",
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
    }
}

fn subservice_text(s: &Subservice) -> String {
    let mut parts = Vec::new();
    if !s.service_list.is_empty() {
        parts.push(format!("services: {}", s.service_list.join(", ")));
    }
    if let Some(r) = &s.report {
        parts.push(format!("report: {r}"));
    }
    if let Some((from, to)) = s.period {
        parts.push(format!("report period: {from} to {to}"));
    }
    if let Some(d) = s.reviewed {
        parts.push(format!("report reviewed on {d}"));
    }
    if s.bridge_letter {
        parts.push("bridge letter".into());
    }
    parts.join("; ")
}

/// Every document with its document-control data as of the period's end, and the SHA-256 of
/// its source.
fn documents_table(hb: &Handbook) -> Table {
    let mut rows = Vec::new();
    for i in crate::pipeline::render::views::reading_order(hb) {
        let d = &hb.documents[i];
        let state = &hb.reviews[i];
        let approved = state.last_reviewed();
        rows.push(vec![
            d.id.clone(),
            d.title.to_string(),
            d.kind.as_str().to_string(),
            d.version.clone().unwrap_or_default(),
            d.owner_name().unwrap_or_default().to_string(),
            d.approver_names().join(", "),
            approved.map(|r| r.date().to_string()).unwrap_or_default(),
            approved.map(|r| r.reviewers.join(", ")).unwrap_or_default(),
            d.effective.map(|e| e.value.to_string()).unwrap_or_default(),
            d.status.as_str().to_string(),
            d.review.map(|r| r.value.to_string()).unwrap_or_default(),
            state.next_due.map(|n| n.to_string()).unwrap_or_default(),
            state.status.label().to_string(),
            d.path.clone(),
            crate::manifest::sha256_hex(d.source.as_bytes()),
            crate::model::url::document(&d.id),
        ]);
    }
    Table {
        header: [
            "id",
            "title",
            "kind",
            "version",
            "owner",
            "approvers",
            "approved_on",
            "approved_by",
            "effective",
            "status",
            "review",
            "next_review",
            "review_status",
            "path",
            "sha256",
            "url",
        ]
        .map(str::to_string)
        .to_vec(),
        rows,
    }
}

/// What the workbook is, where it comes from, and the hash of every input.
fn about_table(hb: &Handbook, a: &About<'_>) -> Table {
    let mut rows = vec![
        vec!["title".into(), hb.config.title.clone()],
        vec![
            "organization".into(),
            hb.config.organization.clone().unwrap_or_default(),
        ],
        vec!["period start".into(), a.since.to_string()],
        vec!["period end".into(), a.until.to_string()],
        vec!["commit".into(), a.commit.to_string()],
        vec!["commit date".into(), a.commit_date.to_string()],
        vec![
            "working tree".into(),
            if a.dirty {
                "had uncommitted changes (the evidence is read from the commit; acknowledgement exports from the working tree)".into()
            } else {
                "clean".into()
            },
        ],
        vec![
            "generator".into(),
            format!("policybook {}", env!("CARGO_PKG_VERSION")),
        ],
        vec!["command".into(), a.command.clone()],
        vec![
            "copy".into(),
            crate::pipeline::render::views::print::uncontrolled_note(
                &crate::pipeline::render::views::Views::new(hb),
            ),
        ],
    ];
    for n in a.notes {
        rows.push(vec!["note".into(), n.clone()]);
    }
    rows.push(Vec::new());
    rows.push(
        ["input", "read from", "bytes", "sha256"]
            .map(str::to_string)
            .to_vec(),
    );
    for i in a.inputs {
        rows.push(vec![
            i.path.clone(),
            i.read_from.clone(),
            i.bytes.to_string(),
            i.sha256.clone(),
        ]);
    }
    Table {
        header: vec!["field".into(), "value".into()],
        rows,
    }
}

/// Cell formats.
struct Styles {
    header: Format,
    date: Format,
    text: Format,
    link: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Top),
            text: Format::new().set_align(FormatAlign::Top),
            link: Format::new()
                .set_font_color(rust_xlsxwriter::Color::Blue)
                .set_underline(rust_xlsxwriter::FormatUnderline::Single)
                .set_align(FormatAlign::Top),
        }
    }
}

/// Columns whose whole-number values are counts: written as numbers.
const NUMERIC: [&str; 4] = ["added", "removed", "bytes", "days"];

/// Writes a table: bold frozen header with a filter, dates as dates, counts as numbers,
/// `url` columns as links (made absolute with an http(s) `base_url`: a site-relative one, `/`,
/// gives no address a spreadsheet opens, and the cell keeps the path), widths from the contents.
fn write_table(
    ws: &mut Worksheet,
    t: &Table,
    s: &Styles,
    config: &Config,
    free_form: bool,
) -> Result<(), XlsxError> {
    let mut widths: Vec<usize> = t.header.iter().map(|h| h.chars().count()).collect();
    for (c, h) in t.header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &s.header)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            let name = t.header.get(c).map_or("", String::as_str);
            let col = c as u16;
            if widths.len() <= c {
                widths.push(0);
            }
            widths[c] = widths[c].max(value.chars().count().min(80));
            if value.is_empty() {
                continue;
            }
            if let Some(date) = as_date(value) {
                ws.write_datetime_with_format(r, col, &date, &s.date)?;
            } else if (NUMERIC.iter().any(|n| name.ends_with(n)) || (free_form && c == 2))
                && let Ok(n) = value.parse::<u32>()
            {
                ws.write_number_with_format(r, col, f64::from(n), &s.text)?;
            } else if name == "url" {
                let url = match value.contains("://") {
                    true => Some(value.clone()),
                    false => config.absolute_url(value),
                };
                match url {
                    Some(url) => ws.write_url_with_format(r, col, url.as_str(), &s.link)?,
                    None => ws.write_string_with_format(r, col, value, &s.text)?,
                };
            } else {
                ws.write_string_with_format(r, col, value, &s.text)?;
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        // At most 40 characters wide: long text is cut at the next cell on screen and in print
        // (the whole text is in the cell), so a sheet stays about a page wide.
        ws.set_column_width(c as u16, (*w as f64 + 2.0).clamp(8.0, 40.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Printed: A4 landscape, as wide as one page, the header row on every page, the sheet and
    // page number in the footer.
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_footer("&L&A&RPage &P of &N");
    ws.set_repeat_rows(0, 0)?;
    if !free_form && !t.header.is_empty() {
        ws.autofilter(0, 0, t.rows.len() as u32, (t.header.len() - 1) as u16)?;
    }
    Ok(())
}

/// `YYYY-MM-DD` as a date cell.
fn as_date(value: &str) -> Option<ExcelDateTime> {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let d: jiff::civil::Date = value.parse().ok()?;
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_cells_lose_their_mark_and_dates_are_recognised() {
        assert_eq!(unprotect("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unprotect("'quoted"), "'quoted");
        assert!(as_date("2025-03-01").is_some());
        assert!(as_date("2025-3-1").is_none() && as_date("v2025-03-01").is_none());
        assert!(as_date("2025-02-30").is_none());
    }
}
