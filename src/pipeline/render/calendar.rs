//! `reviews.ics`: an iCalendar feed (RFC 5545) with one all-day event per document on its next
//! review date, so owners who subscribe see reviews coming. Each event's UID is the document's id
//! and the site, so a moved due date updates the event instead of adding one; DTSTAMP is the
//! as-of date, so the same commit gives the same bytes.

use jiff::civil::Date;

use crate::pipeline::resolve::Handbook;

/// The documents with a next review date, as the feed and `check --due-within` list them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueReview {
    /// The document's id.
    pub id: String,
    /// Its path, relative to the handbook.
    pub path: String,
    /// Its title.
    pub title: String,
    /// Its owner (a role or a person), if it has one.
    pub owner: Option<String>,
    /// When the next review is due.
    pub due: Date,
    /// Days from the as-of date to `due` (negative: overdue).
    pub days_left: i64,
    /// Its page: absolute with `base_url`, else relative to the site root.
    pub url: String,
    /// The review status, as exports write it.
    pub status: &'static str,
}

/// Every document with a next review date, soonest first (then by id).
pub fn due_reviews(hb: &Handbook) -> Vec<DueReview> {
    let as_of = hb.history.source.as_of;
    let mut out: Vec<DueReview> = hb
        .documents
        .iter_enumerated()
        .filter_map(|(i, d)| {
            let state = &hb.reviews[i];
            let due = state.next_due?;
            let page = crate::model::url::document(&d.id);
            Some(DueReview {
                id: d.id.clone(),
                path: d.path.clone(),
                title: d.title.value.clone(),
                owner: d.owner_name().map(str::to_string),
                due,
                days_left: as_of.map_or(0, |a| crate::model::exception::days_between(a, due)),
                url: hb.config.absolute_url(&page).unwrap_or(page),
                status: state.status.as_str(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The feed's text, CRLF line endings and lines folded at 75 octets as RFC 5545 requires.
pub fn reviews_ics(hb: &Handbook) -> Vec<u8> {
    let site = site_id(hb);
    let stamp = hb
        .history
        .source
        .as_of
        .unwrap_or(jiff::civil::date(1970, 1, 1));
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//policybook//review calendar//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!(
            "X-WR-CALNAME:{}",
            text(&format!("{} reviews", hb.config.title))
        ),
    ];
    for r in due_reviews(hb) {
        let mut description = vec![format!(
            "Owner: {}",
            r.owner.as_deref().unwrap_or("none named")
        )];
        description.push(format!("Status on {stamp}: {}", r.status.replace('-', " ")));
        description.push(r.url.clone());
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:review-{}@{site}", text(&r.id)),
            format!("DTSTAMP:{}T000000Z", compact(stamp)),
            format!("DTSTART;VALUE=DATE:{}", compact(r.due)),
            format!(
                "DTEND;VALUE=DATE:{}",
                compact(r.due.tomorrow().unwrap_or(r.due))
            ),
            format!("SUMMARY:{}", text(&format!("Review due: {}", r.title))),
            format!("DESCRIPTION:{}", text(&description.join("\n"))),
            "TRANSP:TRANSPARENT".into(),
        ]);
        if r.url.starts_with("http") {
            lines.push(format!("URL:{}", r.url));
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        fold(&l, &mut out);
    }
    out.into_bytes()
}

/// What identifies the site in UIDs: `base_url`'s host, else the title's slug.
fn site_id(hb: &Handbook) -> String {
    let host = hb.config.base_url.as_deref().and_then(|u| {
        let rest = u.split_once("://")?.1;
        let host = rest.split('/').next()?;
        (!host.is_empty()).then(|| host.to_ascii_lowercase())
    });
    host.unwrap_or_else(|| format!("{}.policybook", crate::markdown::slug(&hb.config.title)))
}

/// `YYYYMMDD`.
fn compact(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// A TEXT value: backslash, semicolon, comma and newline escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded into chunks of at most 75 octets (continuations start with a space),
/// never splitting a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "é".repeat(60));
        fold(&line, &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
