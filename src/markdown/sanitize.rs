//! Raw HTML in a document is cleaned before any reader sees it: an allow-list of what Markdown
//! and the theme produce (headings with ids and classes, tables with alignment, details/summary,
//! footnotes, task-list checkboxes, highlighted code), nothing that runs script. Scripts and
//! styles go with their content; frames, forms, event handlers and `style` attributes (but
//! `text-align`) go; URLs keep only the schemes links may use, and `data:` only for images.

use std::collections::HashSet;
use std::sync::OnceLock;

/// URL schemes a link may use when raw HTML is not trusted. Everything else with a scheme is
/// removed: a list of what is safe cannot miss a new way to run script the way a list of what is
/// dangerous can.
pub const SAFE_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "ftps", "sftp", "ssh", "irc", "ircs", "xmpp", "sip",
    "sms", "webcal", "news", "slack", "msteams", "zoommtg",
];

/// The scheme of `dest` when it is not a safe one, as a browser would read it (tabs and newlines
/// removed, case ignored). `data:image/…` is allowed for images, whose SVG cannot run script.
pub fn unsafe_scheme(dest: &str, is_image: bool) -> Option<String> {
    let cleaned: String = dest
        .trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control())
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if !has_scheme(&cleaned) {
        return None;
    }
    let (scheme, rest) = cleaned.split_once(':')?;
    let scheme = scheme.to_ascii_lowercase();
    if SAFE_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    if scheme == "data" && is_image && rest.trim_start().to_ascii_lowercase().starts_with("image/")
    {
        return None;
    }
    Some(scheme)
}

/// `https:`, `mailto:`, `tel:` …: a scheme is letters, digits, `+`, `-`, `.` before the first `:`,
/// and comes before any `/`.
pub fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn cleaner() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["input"])
            .add_generic_attributes(["id", "class", "aria-label", "aria-hidden", "dir"])
            .add_tag_attributes("input", ["checked", "disabled"])
            .add_tag_attribute_values("input", "type", ["checkbox"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("td", ["style"])
            .add_tag_attributes("img", ["title", "loading"])
            .add_tag_attributes("ol", ["type"])
            .filter_style_properties(HashSet::from(["text-align"]))
            .url_schemes(SAFE_SCHEMES.iter().copied().chain(["data"]).collect())
            // Our own links carry no `rel`, and a reader's links do not need one added.
            .link_rel(None)
            .attribute_filter(|element, attribute, value| {
                let is_data = value
                    .trim_start()
                    .get(..5)
                    .is_some_and(|s| s.eq_ignore_ascii_case("data:"));
                let image = element == "img"
                    && attribute == "src"
                    && value
                        .trim_start()
                        .get(5..11)
                        .is_some_and(|s| s.eq_ignore_ascii_case("image/"));
                if is_data && !image {
                    None
                } else {
                    Some(value.into())
                }
            });
        b
    })
}

/// `html` with everything that could run script or restyle the page removed.
pub fn clean(html: &str) -> String {
    cleaner().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_schemes() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:x",
            "java\tscript:x",
            "java\nscript:x",
            "vbscript:x",
            "data:text/html,<script>x</script>",
            "file:///etc/passwd",
        ] {
            assert!(unsafe_scheme(bad, false).is_some(), "{bad:?}");
        }
        assert_eq!(
            unsafe_scheme("data:image/png;base64,AAAA", false).as_deref(),
            Some("data")
        );
        for good in [
            "https://x.org",
            "mailto:a@b.org",
            "a.md",
            "sub/a:b.md",
            "#x",
            "/abs",
            "java%73cript:x",
        ] {
            assert_eq!(unsafe_scheme(good, false), None, "{good:?}");
        }
        assert_eq!(unsafe_scheme("data:image/png;base64,AAAA", true), None);
    }

    #[test]
    fn schemes_come_before_any_slash() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("a.md"));
        assert!(!has_scheme("sub/a:b.md"));
    }

    #[test]
    fn scripts_handlers_frames_and_bad_urls_go() {
        for (dirty, must_not) in [
            ("<script>alert(1)</script>", "alert"),
            ("<img src=x onerror=alert(1)>", "onerror"),
            ("<iframe src=\"https://evil.example\"></iframe>", "iframe"),
            ("<style>body{display:none}</style>", "display"),
            ("<a href=\"javascript:alert(1)\">x</a>", "javascript"),
            ("<a href=\"JAVASCRIPT:alert(1)\">x</a>", "JAVASCRIPT"),
            ("<a href=\"vbscript:x\">x</a>", "vbscript"),
            ("<a href=\"data:text/html,x\">x</a>", "data:"),
            ("<p style=\"position:fixed\">x</p>", "position"),
            (
                "<form action=\"https://evil.example\"><input name=p></form>",
                "form",
            ),
            ("<svg><script>alert(1)</script></svg>", "script"),
            (
                "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
                "javascript",
            ),
            ("<object data=\"x.swf\"></object>", "object"),
            (
                "<meta http-equiv=\"refresh\" content=\"0;url=https://evil\">",
                "refresh",
            ),
        ] {
            let clean = clean(dirty);
            assert!(!clean.contains(must_not), "{dirty} → {clean}");
        }
    }

    #[test]
    fn what_markdown_and_the_theme_need_stays() {
        for html in [
            "<details><summary>More</summary><p>Text</p></details>",
            "<h2 id=\"scope\" class=\"x\">Scope <a class=\"pb-anchor\" href=\"#scope\" aria-label=\"Link to this section\">#</a></h2>",
            "<table><thead><tr><th style=\"text-align:center\">A</th></tr></thead><tbody><tr><td style=\"text-align:right\">1</td></tr></tbody></table>",
            "<ul><li><input disabled=\"\" type=\"checkbox\" checked=\"\">done</li></ul>",
            "<img src=\"data:image/png;base64,AAAA\" alt=\"dot\">",
            "<a href=\"../documents/a.html#x\">a</a>",
            "<pre class=\"hl\"><code class=\"language-yaml\"><span class=\"k\">k</span></code></pre>",
            "<sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup>",
            "<kbd>Ctrl</kbd> <mark>m</mark> <abbr title=\"x\">x</abbr>",
        ] {
            assert_eq!(clean(html), html);
        }
    }
}
