//! Second pass over a body: Markdown → HTML, with links rewritten to their resolved URLs, headings
//! given their anchors (and the controls they are evidence for), and code highlighted.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

use super::{escape, highlight};

/// What the renderer knows about a section by the time it writes HTML.
pub struct SectionHtml {
    pub anchor: String,
    pub classes: Vec<String>,
    /// (label, href) of each control this section is evidence for.
    pub controls: Vec<(String, String)>,
}

/// `sections` and `hrefs` are in document order, as `scan` found them; `hrefs[i]` replaces the
/// destination of the i-th link or image (`None` keeps it as written).
pub fn render(body: &str, sections: &[SectionHtml], hrefs: &[Option<String>]) -> String {
    let mut out = String::with_capacity(body.len() * 3 / 2);
    let mut heading_index = 0usize;
    let mut link_index = 0usize;
    let mut code: Option<(String, String)> = None;

    let events = Parser::new_ext(body, super::options()).filter_map(|event| match event {
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
            Some(Event::Html(CowStr::from(html)))
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = replacement(hrefs, link_index).unwrap_or(dest_url);
            link_index += 1;
            Some(Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = replacement(hrefs, link_index).unwrap_or(dest_url);
            link_index += 1;
            Some(Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }))
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
    out
}

fn replacement(hrefs: &[Option<String>], index: usize) -> Option<CowStr<'static>> {
    hrefs
        .get(index)
        .and_then(|h| h.as_ref())
        .map(|h| CowStr::from(h.clone()))
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
        }];
        let hrefs = [Some("a-policy.html".to_string()), None];
        let html = render(body, &sections, &hrefs);
        assert!(
            html.contains("<h2 id=\"rev\">Review <a class=\"pb-anchor\" href=\"#rev\""),
            "{html}"
        );
        assert!(html.contains("Evidence for <a class=\"pb-control\" href=\"../controls/soc2/CC6.2.html\">CC6.2</a>"), "{html}");
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
        let html = render("```\n<script>x</script>\n```\n", &[], &[]);
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
