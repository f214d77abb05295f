//! Second pass over a body: Markdown → HTML, with links rewritten to their resolved URLs, headings
//! given their anchors (and the controls they are evidence for), code highlighted, and raw HTML
//! treated as `[markdown] raw_html` says (sanitised by default).

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

use super::{escape, highlight, sanitize};
use crate::config::RawHtml;
use crate::model::Href;

/// What the renderer knows about a section by the time it writes HTML.
pub struct SectionHtml {
    /// Its `id`.
    pub anchor: String,
    /// Its `{.class}` attributes.
    pub classes: Vec<String>,
    /// (label, href) of each control this section is evidence for.
    pub controls: Vec<(String, String)>,
    /// (id, href, state in words) of each published exception to this section.
    pub exceptions: Vec<(String, String, String)>,
}

/// `sections` and `hrefs` are in document order, as `scan` found them; `hrefs[i]` says what
/// becomes of the i-th link or image (a `Site` URL is used as given, relative to the page).
pub fn render(body: &str, sections: &[SectionHtml], hrefs: &[Href], raw_html: RawHtml) -> String {
    let mut out = String::with_capacity(body.len() * 3 / 2);
    let mut heading_index = 0usize;
    let mut link_index = 0usize;
    let mut code: Option<(String, String)> = None;
    // Inside a removed image: its alt text goes with it.
    let mut skipping_image = 0usize;
    let mut saw_raw_html = false;

    let events = Parser::new_ext(body, super::options()).filter_map(|event| match event {
        Event::Start(Tag::Image { .. }) if skipping_image > 0 => {
            skipping_image += 1;
            None
        }
        Event::End(TagEnd::Image) if skipping_image > 0 => {
            skipping_image -= 1;
            None
        }
        _ if skipping_image > 0 => None,
        Event::Html(html) | Event::InlineHtml(html) if raw_html == RawHtml::Escape => {
            Some(Event::Text(html))
        }
        Event::Start(Tag::HtmlBlock) if raw_html == RawHtml::Escape => Some(Event::Html(
            CowStr::from("<pre class=\"pb-raw-html\"><code>"),
        )),
        Event::End(TagEnd::HtmlBlock) if raw_html == RawHtml::Escape => {
            Some(Event::Html(CowStr::from("</code></pre>\n")))
        }
        e @ (Event::Html(_) | Event::InlineHtml(_)) => {
            saw_raw_html = true;
            Some(e)
        }
        Event::Start(Tag::Heading { level, .. }) => {
            let Some(section) = sections.get(heading_index) else {
                return Some(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            };
            let class = if section.classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", escape(&section.classes.join(" ")))
            };
            Some(Event::Html(CowStr::from(format!(
                "<{level} id=\"{}\"{class}>",
                escape(&section.anchor)
            ))))
        }
        Event::End(TagEnd::Heading(level)) => {
            let Some(section) = sections.get(heading_index) else {
                heading_index += 1;
                return Some(Event::End(TagEnd::Heading(level)));
            };
            heading_index += 1;
            let anchor = escape(&section.anchor);
            let mut html = format!(
                " <a class=\"pb-anchor\" href=\"#{anchor}\" aria-label=\"Link to this section\">#</a></{level}>\n"
            );
            if !section.controls.is_empty() {
                html.push_str("<p class=\"pb-section-controls\">Evidence for ");
                for (i, (label, href)) in section.controls.iter().enumerate() {
                    if i > 0 {
                        html.push_str(", ");
                    }
                    html.push_str(&format!(
                        "<a class=\"pb-control\" href=\"{}\">{}</a>",
                        escape(href),
                        escape(label)
                    ));
                }
                html.push_str("</p>\n");
            }
            for (id, href, state) in &section.exceptions {
                html.push_str(&format!(
                    "<p class=\"pb-notice pb-notice-exception\">Exception <a href=\"{}\">{}</a> applies to this section ({}).</p>\n",
                    escape(href),
                    escape(id),
                    escape(state)
                ));
            }
            Some(Event::Html(CowStr::from(html)))
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let href = hrefs.get(link_index);
            link_index += 1;
            match href {
                // The text stays, the address goes.
                Some(Href::Removed) => Some(Event::InlineHtml(CowStr::from("<a>"))),
                Some(Href::Site(url) | Href::External(url)) => Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(url.clone()),
                    title,
                    id,
                })),
                _ => Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })),
            }
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let href = hrefs.get(link_index);
            link_index += 1;
            match href {
                Some(Href::Removed) => {
                    skipping_image = 1;
                    None
                }
                Some(Href::Site(url) | Href::External(url)) => Some(Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(url.clone()),
                    title,
                    id,
                })),
                _ => Some(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })),
            }
        }
        Event::Start(Tag::CodeBlock(kind)) => {
            let lang = match kind {
                CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                CodeBlockKind::Indented => String::new(),
            };
            code = Some((lang, String::new()));
            None
        }
        Event::Text(text) if code.is_some() => {
            if let Some((_, buf)) = code.as_mut() {
                buf.push_str(&text);
            }
            None
        }
        Event::End(TagEnd::CodeBlock) => {
            let (lang, text) = code.take().unwrap_or_default();
            Some(Event::Html(CowStr::from(highlight::code_block(&lang, &text))))
        }
        other => Some(other),
    });
    pulldown_cmark::html::push_html(&mut out, events);
    // Everything else was escaped on the way out; only a body with raw HTML needs the (slower)
    // sanitiser, and it cleans the whole body because a tag can open in one block and close in
    // another.
    if saw_raw_html && raw_html == RawHtml::Sanitize {
        return sanitize::clean(&out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_links_and_code() {
        let body = "## Review {#rev controls=CC6.2}\n\nSee [the policy](a.md) and [web](https://x.org).\n\n```yaml\nk: v\n```\n";
        let sections = [SectionHtml {
            anchor: "rev".into(),
            classes: vec![],
            controls: vec![("CC6.2".into(), "../controls/soc2/CC6.2.html".into())],
            exceptions: vec![(
                "legacy-vpn".into(),
                "../exceptions/legacy-vpn.html".into(),
                "active, expires 2026-01-31".into(),
            )],
        }];
        let hrefs = [Href::Site("a-policy.html".to_string()), Href::AsWritten];
        let html = render(body, &sections, &hrefs, RawHtml::Sanitize);
        assert!(
            html.contains("<h2 id=\"rev\">Review <a class=\"pb-anchor\" href=\"#rev\""),
            "{html}"
        );
        assert!(html.contains("Evidence for <a class=\"pb-control\" href=\"../controls/soc2/CC6.2.html\">CC6.2</a>"), "{html}");
        assert!(html.contains("<p class=\"pb-notice pb-notice-exception\">Exception <a href=\"../exceptions/legacy-vpn.html\">legacy-vpn</a> applies to this section (active, expires 2026-01-31).</p>"), "{html}");
        assert!(
            html.contains("<a href=\"a-policy.html\">the policy</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"https://x.org\">web</a>"), "{html}");
        assert!(
            html.contains("<pre class=\"hl\"><code class=\"language-yaml\">"),
            "{html}"
        );
        assert!(!html.contains("controls="), "{html}");
    }

    #[test]
    fn raw_html_in_code_is_escaped() {
        let html = render("```\n<script>x</script>\n```\n", &[], &[], RawHtml::Trusted);
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn raw_html_is_sanitised_escaped_or_trusted() {
        let body = "<script>alert(1)</script>\n\nText <b onclick=\"x()\">bold</b>.\n\n<details><summary>More</summary>\n\nInside.\n\n</details>\n";
        let clean = render(body, &[], &[], RawHtml::Sanitize);
        assert!(
            !clean.contains("script") && !clean.contains("onclick"),
            "{clean}"
        );
        assert!(clean.contains("<b>bold</b>"), "{clean}");
        assert!(
            clean.contains("<details><summary>More</summary>"),
            "{clean}"
        );
        let escaped = render(body, &[], &[], RawHtml::Escape);
        assert!(
            escaped.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{escaped}"
        );
        assert!(escaped.contains("&lt;b onclick=\"x()\"&gt;"), "{escaped}");
        assert!(!escaped.contains("<script"), "{escaped}");
        let trusted = render(body, &[], &[], RawHtml::Trusted);
        assert!(trusted.contains("<script>alert(1)</script>"), "{trusted}");
    }

    #[test]
    fn removed_links_keep_their_text_and_removed_images_go() {
        let body = "[click](javascript:alert(1)) and ![alt *text*](data:text/html,x) end\n";
        let html = render(
            body,
            &[],
            &[Href::Removed, Href::Removed],
            RawHtml::Sanitize,
        );
        assert_eq!(html, "<p><a>click</a> and  end</p>\n");
    }
}
