//! The printable packet, `print/index.html`: a cover, the contents, and every document in
//! reading order with its document-control table and revisions, one after the other with page
//! breaks, its links turned into links within the packet. `policybook pdf` prints it.

use serde::Serialize;

use super::Views;
use super::documents::DocumentView;
use crate::model::DocIx;

/// The packet.
#[derive(Serialize)]
pub struct PrintView<'b> {
    /// "Generated … from commit …. Uncontrolled when printed or saved; …".
    pub generated: String,
    /// The as-of date.
    pub as_of: Option<String>,
    /// The commit, short.
    pub commit: Option<String>,
    /// The release tag at that commit, when there is one.
    pub version: Option<String>,
    /// The handbook's title as a CSS string (for the footer).
    pub css_site_title: String,
    /// The line at the top of every page, as a CSS string.
    pub css_header: String,
    /// The documents, in reading order.
    pub documents: Vec<PrintDocument<'b>>,
}

/// One document of the packet.
#[derive(Serialize)]
pub struct PrintDocument<'b> {
    /// Its page's view, with the body's links and anchors rewritten for the packet.
    pub page: DocumentView<'b>,
    /// The anchor of its first page in the packet (`doc-<id>`).
    pub anchor: String,
    /// Its CSS page name, for its own footer.
    pub page_name: String,
    /// Its title as a CSS string (for the footer).
    pub css_title: String,
}

/// The line every exported copy carries.
pub fn uncontrolled_note(views: &Views<'_>) -> String {
    let hb = views.hb;
    let source = &hb.history.source;
    let when = source
        .as_of
        .map(|d| d.to_string())
        .unwrap_or_else(|| "from the working tree".into());
    let commit = source
        .commit
        .as_deref()
        .map(|c| format!(" from commit {}", &c[..c.len().min(7)]))
        .unwrap_or_default();
    let current = hb
        .config
        .absolute_url("index.html")
        .unwrap_or_else(|| "the published handbook".into());
    format!(
        "Generated {when}{commit}. Uncontrolled when printed or saved; the current version is at {current}."
    )
}

impl Views<'_> {
    /// The packet; `bodies[i]` is document `i`'s body already rewritten by `packet_body`.
    pub fn print<'b>(&self, bodies: &'b [(DocIx, String)]) -> PrintView<'b> {
        let source = &self.hb.history.source;
        let commit = source
            .commit
            .as_deref()
            .map(|c| c[..c.len().min(7)].to_string());
        let as_of = source.as_of.map(|d| d.to_string());
        let mut header = "Uncontrolled when printed".to_string();
        if let Some(c) = &commit {
            header.push_str(&format!(" · commit {c}"));
        }
        if let Some(d) = &as_of {
            header.push_str(&format!(" · as of {d}"));
        }
        PrintView {
            generated: uncontrolled_note(self),
            css_site_title: css_string(&self.hb.config.title),
            version: source.tag.clone(),
            css_header: css_string(&header),
            as_of,
            commit,
            documents: bodies
                .iter()
                .enumerate()
                .map(|(n, (i, body))| {
                    let page = self.document(*i, body);
                    PrintDocument {
                        anchor: format!("doc-{}", page.doc.id),
                        page_name: format!("pbdoc{n}"),
                        css_title: css_string(&page.doc.title),
                        page,
                    }
                })
                .collect(),
        }
    }
}

/// A CSS string literal for `text`: quotes and backslashes escaped, and `<` too (it sits in a
/// `<style>` element).
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("\\3C "),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A document's body HTML for the packet, where every document shares one page: its ids get
/// the document's id in front (`access--scope`), links within it follow, and links to other
/// documents point at their place in the packet. Images stay (the packet sits one folder deep,
/// like the document pages, so `../files/…` resolves and the image is printed). Links to other
/// pages of the site point at the published site (`base`, from `base_url`), or, without one,
/// are kept as text: a printed or saved copy has no site beside it.
pub fn packet_body(body: &str, id: &str, base: Option<&str>) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(at) = rest.find(['i', 'h']) {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        if let Some(anchor) = tail.strip_prefix("id=\"") {
            out.push_str(&format!("id=\"{id}--"));
            rest = anchor;
        } else if let Some(anchor) = tail.strip_prefix("href=\"#") {
            out.push_str(&format!("href=\"#{id}--"));
            rest = anchor;
        } else if let Some(target) = tail
            .strip_prefix("href=\"../")
            .filter(|t| !t.starts_with("documents/"))
        {
            match base {
                Some(b) => out.push_str(&format!("href=\"{}/", b.trim_end_matches('/'))),
                None => out.push_str("data-href=\"../"),
            }
            rest = target;
        } else if let Some(target) = tail.strip_prefix("href=\"../documents/") {
            let end = target.find('"').unwrap_or(target.len());
            let (link, after) = target.split_at(end);
            let (page, anchor) = link.split_once('#').unwrap_or((link, ""));
            match page.strip_suffix(".html") {
                Some(other) if anchor.is_empty() => out.push_str(&format!("href=\"#doc-{other}")),
                Some(other) => out.push_str(&format!("href=\"#{other}--{anchor}")),
                None => out.push_str(&format!("href=\"../documents/{link}")),
            }
            rest = after;
        } else {
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_rewritten_for_the_packet() {
        let body = r##"<h2 id="scope">Scope</h2><p>See <a href="#scope">above</a>, <a href="../documents/backup.html#restore">restores</a>, <a href="../documents/backup.html">backups</a>, <img src="../files/a.png">, <a href="../controls/soc2/CC6.1.html">CC6.1</a> and <a href="https://x.example/">x</a>. The id=&quot;x&quot; text.</p>"##;
        let out = packet_body(body, "access", None);
        assert_eq!(
            out,
            r##"<h2 id="access--scope">Scope</h2><p>See <a href="#access--scope">above</a>, <a href="#backup--restore">restores</a>, <a href="#doc-backup">backups</a>, <img src="../files/a.png">, <a data-href="../controls/soc2/CC6.1.html">CC6.1</a> and <a href="https://x.example/">x</a>. The id=&quot;x&quot; text.</p>"##
        );
        let published = packet_body(
            r#"<a href="../controls/x.html">x</a>"#,
            "a",
            Some("https://h.example/"),
        );
        assert_eq!(
            published,
            r#"<a href="https://h.example/controls/x.html">x</a>"#
        );
        assert_eq!(css_string("A \"B\" </style>"), r#""A \"B\" \3C /style>""#);
    }
}
