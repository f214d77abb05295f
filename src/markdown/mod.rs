//! Markdown, read twice: `scan` (parse stage) finds sections and links so they can be resolved;
//! `html` (render stage) turns the body into HTML with the resolved links, section anchors and
//! highlighted code. Both passes use the same options, so the n-th link seen by one is the n-th
//! link seen by the other.

pub mod highlight;
pub mod html;
pub mod sanitize;
pub mod scan;

use pulldown_cmark::Options;

/// The Markdown extensions policybook reads: tables, footnotes, strikethrough, task lists, heading attributes, definition lists.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
}

/// `base` ("policies/sub", a folder) joined with a relative `path`, `.` and `..` resolved; `None` if it
/// climbs above the handbook root.
pub fn normalize(base: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Decodes `%XX` escapes (links to "Incident%20Response.md"); invalid escapes stay as written.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A URL fragment for a heading: lowercase, words joined by `-`, punctuation dropped.
/// "Quarterly access review (CC6.2)" → "quarterly-access-review-cc62".
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            dash = true;
        }
    }
    out
}

/// The first paragraph of `markdown` as plain text, at most `max` characters (cut at a word, with
/// `…`): what a page quotes of a section it links to.
pub fn first_paragraph(markdown: &str, max: usize) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph) if !text.trim().is_empty() => break,
            Event::Start(pulldown_cmark::Tag::Heading { .. }) if !text.trim().is_empty() => break,
            Event::End(TagEnd::Heading(_)) => text.clear(),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    // Drop a word cut in half, unless the cut falls between words.
    let between_words = text.chars().nth(max).is_some_and(char::is_whitespace);
    let cut = match cut.rsplit_once(' ') {
        Some((head, _)) if !between_words => head,
        _ => &cut,
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_ascii_punctuation())
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_paths_are_joined_and_decoded() {
        assert_eq!(
            normalize("policies/sub", "../a.md").as_deref(),
            Some("policies/a.md")
        );
        assert_eq!(
            normalize("policies", "./sub/b.md").as_deref(),
            Some("policies/sub/b.md")
        );
        assert_eq!(normalize("policies", "../../x.md"), None);
        assert_eq!(
            percent_decode("Incident%20Response.md"),
            "Incident Response.md"
        );
        assert_eq!(percent_decode("100%.md"), "100%.md");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%é%"), "%é%");
    }

    #[test]
    fn first_paragraphs_are_plain_and_short() {
        let md = "Each **quarter**, system owners review [access](a.md).\nThen they record it.\n\nSecond.";
        assert_eq!(
            first_paragraph(md, 200),
            "Each quarter, system owners review access. Then they record it."
        );
        assert_eq!(first_paragraph(md, 20), "Each quarter, system…");
        assert_eq!(
            first_paragraph("## Heading\n\nBody text.", 50),
            "Body text."
        );
        assert_eq!(first_paragraph("", 10), "");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Quarterly access review"), "quarterly-access-review");
        assert_eq!(
            slug("  Roles & Responsibilities  "),
            "roles-responsibilities"
        );
        assert_eq!(slug("CC6.1 — Logical access"), "cc61-logical-access");
        assert_eq!(slug("Données personnelles"), "données-personnelles");
        assert_eq!(slug("!!!"), "");
    }
}
