//! First pass over a body: the sections (headings with their anchors and control attributes) and
//! every link and image destination, with the line each appears on.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean, line_of};
use crate::model::{ControlRef, LinkRef, Section};

/// Heading attributes (`{key=value}`) policybook understands.
const HEADING_ATTRIBUTES: &[&str] = &["controls"];

/// What a body holds, for the later stages.
pub struct Scan {
    /// Every heading, in order.
    pub sections: Vec<Section>,
    /// Every link and image, in order.
    pub links: Vec<LinkRef>,
    /// Plain text for search: `[0]` before the first heading, `[i + 1]` under section `i`.
    pub texts: Vec<String>,
}

/// Text kept per section for the search index: enough to find and quote a passage, bounded so
/// that a huge document does not make a huge index.
const MAX_SECTION_TEXT: usize = 4000;

struct RawHeading {
    level: u8,
    title: String,
    explicit_id: Option<String>,
    controls: Vec<ControlRef>,
    classes: Vec<String>,
    line: usize,
}

/// Scans `source[body_start..]`; lines in messages are lines of the whole file.
pub fn scan(
    source: &str,
    body_start: usize,
    file: &Path,
    default_framework: &str,
    diags: &mut Diagnostics,
) -> Scan {
    let body = &source[body_start..];
    let mut headings: Vec<RawHeading> = Vec::new();
    let mut links = Vec::new();
    let mut current: Option<RawHeading> = None;
    let mut texts: Vec<String> = vec![String::new()];
    // Line counting is incremental: offsets only grow, so count newlines since the last event.
    let mut counted_to = 0usize;
    let mut line = line_of(source, body_start);

    for (event, range) in Parser::new_ext(body, super::options()).into_offset_iter() {
        if range.start > counted_to {
            line += body.as_bytes()[counted_to..range.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted_to = range.start;
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let mut controls = Vec::new();
                for (key, value) in attrs {
                    if &*key != "controls" {
                        let mut d = Diagnostic::error(format!("unknown heading attribute `{key}`"))
                            .at_line(file, source, line)
                            .pointing_at(&key);
                        d = match did_you_mean(&key, HEADING_ATTRIBUTES.iter().copied()) {
                            Some(s) => d.hint(format!("did you mean `{s}`? e.g. `{{#anchor controls=CC6.2,CC6.3}}`")),
                            None => d.hint("the only attribute is `controls`, e.g. `{#anchor controls=CC6.2,CC6.3}`"),
                        };
                        diags.push(d);
                        continue;
                    }
                    let ids = value.as_deref().unwrap_or("");
                    let before = controls.len();
                    for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        controls.push(ControlRef::parse(id, default_framework, line));
                    }
                    if controls.len() == before {
                        diags.push(
                            Diagnostic::error("`controls` on a heading needs at least one control id")
                                .at_line(file, source, line)
                                .hint("write the ids comma-separated without spaces: `{controls=CC6.2,CC6.3}`"),
                        );
                    }
                }
                current = Some(RawHeading {
                    level: level as u8,
                    title: String::new(),
                    explicit_id: id.map(|s| s.to_string()),
                    controls,
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                    line,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut h) = current.take() {
                    h.title = h.title.trim().to_string();
                    headings.push(h);
                    texts.push(String::new());
                }
            }
            Event::Text(t) | Event::Code(t) => match current.as_mut() {
                Some(h) => h.title.push_str(&t),
                None => push_text(&mut texts, &t),
            },
            Event::SoftBreak | Event::HardBreak => match current.as_mut() {
                Some(h) => h.title.push(' '),
                None => push_text(&mut texts, " "),
            },
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock,
            ) => push_text(&mut texts, " "),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(LinkRef {
                dest: dest_url.to_string(),
                line,
                is_image: false,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => links.push(LinkRef {
                dest: dest_url.to_string(),
                line,
                is_image: true,
            }),
            _ => {}
        }
    }

    for t in &mut texts {
        let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
        *t = collapsed;
    }
    Scan {
        sections: assign_anchors(headings, file, source, diags),
        links,
        texts,
    }
}

fn push_text(texts: &mut [String], t: &str) {
    if let Some(last) = texts.last_mut()
        && last.len() < MAX_SECTION_TEXT
    {
        let room = MAX_SECTION_TEXT - last.len();
        let mut end = t.len().min(room);
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        last.push_str(&t[..end]);
    }
}

/// Explicit `{#id}`s are kept (a repeated one is an error); other headings get a slug of their
/// title, with `-1`, `-2`… appended when it is already taken.
fn assign_anchors(
    headings: Vec<RawHeading>,
    file: &Path,
    source: &str,
    diags: &mut Diagnostics,
) -> Vec<Section> {
    let mut taken: HashSet<String> = HashSet::new();
    for h in &headings {
        if let Some(id) = &h.explicit_id
            && !taken.insert(id.clone())
        {
            diags.push(
                Diagnostic::error(format!("the anchor `#{id}` is used by two headings"))
                    .at_line(file, source, h.line)
                    .hint("give each heading its own `{#anchor}`"),
            );
        }
    }
    // Next suffix to try per slug, so a thousand "Scope" headings cost a thousand steps, not a
    // million.
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    headings
        .into_iter()
        .map(|h| {
            let anchor = match h.explicit_id {
                Some(id) => id,
                None => {
                    let mut base = super::slug(&h.title);
                    if base.is_empty() {
                        base = "section".to_string();
                    }
                    let n = next_suffix.entry(base.clone()).or_insert(0);
                    let mut candidate = if *n == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    };
                    while taken.contains(&candidate) {
                        *n += 1;
                        candidate = format!("{base}-{n}");
                    }
                    *n += 1;
                    taken.insert(candidate.clone());
                    candidate
                }
            };
            Section {
                level: h.level,
                title: h.title,
                anchor,
                controls: h.controls,
                classes: h.classes,
                line: h.line,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (Scan, Vec<Diagnostic>) {
        let mut diags = Diagnostics::new();
        let s = scan(text, 0, Path::new("d.md"), "soc2", &mut diags);
        (s, diags.sorted())
    }

    #[test]
    fn anchors_are_stable_and_unique() {
        let (s, diags) = run("## Scope\n\n## Scope\n\n## Scope {#scope-1}\n\n## Scope\n\n## ???\n");
        assert!(diags.is_empty());
        let anchors: Vec<_> = s.sections.iter().map(|s| s.anchor.as_str()).collect();
        assert_eq!(
            anchors,
            ["scope", "scope-2", "scope-1", "scope-3", "section"]
        );
    }

    #[test]
    fn section_controls_and_lines() {
        let text = "intro\n\n## Quarterly access review {#access-review controls=CC6.2,CC6.3}\n\ntext [a](other.md#x)\n\n![d](img/d.png)\n";
        let (s, diags) = run(text);
        assert!(diags.is_empty(), "{diags:?}");
        let sec = &s.sections[0];
        assert_eq!(sec.anchor, "access-review");
        assert_eq!(sec.title, "Quarterly access review");
        assert_eq!(sec.line, 3);
        let ids: Vec<_> = sec.controls.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["CC6.2", "CC6.3"]);
        assert_eq!(s.links.len(), 2);
        assert_eq!(
            (s.links[0].dest.as_str(), s.links[0].line),
            ("other.md#x", 5)
        );
        assert!(s.links[1].is_image);
        assert_eq!(s.links[1].line, 7);
        assert_eq!(s.texts, ["intro", "text a d"]);
    }

    #[test]
    fn bad_attributes_and_duplicate_ids() {
        let (_, diags) = run("## A {#x control=CC6.1}\n\n## B {#x}\n");
        assert_eq!(diags.len(), 2);
        assert!(diags[0].hint.as_deref().unwrap().contains("`controls`"));
        assert_eq!(diags[1].line, Some(3));
    }

    #[test]
    fn framework_prefixed_section_controls() {
        let (s, _) = run("## A {controls=soc2:CC6.1,CC6.2}\n");
        let c = &s.sections[0].controls;
        assert_eq!(
            (c[0].framework.as_str(), c[0].id.as_str()),
            ("soc2", "CC6.1")
        );
        assert_eq!(
            (c[1].framework.as_str(), c[1].id.as_str()),
            ("soc2", "CC6.2")
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Markdown built from headings with attributes, links and anything else.
        fn markdown() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("\n".to_string()),
                Just("## ".to_string()),
                Just(" {#".to_string()),
                Just(" {".to_string()),
                Just("controls=".to_string()),
                Just("CC6.1,".to_string()),
                Just("soc2:".to_string()),
                Just(".cls ".to_string()),
                Just("}".to_string()),
                Just("[".to_string()),
                Just("](".to_string()),
                Just(")".to_string()),
                Just("![".to_string()),
                Just("```".to_string()),
                "[a-zA-Z0-9 =.#{}-]{0,8}",
                any::<String>(),
            ];
            prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
        }

        proptest! {
            #[test]
            fn scanning_never_panics_and_lines_are_inside_the_file(text in markdown()) {
                let mut diags = Diagnostics::new();
                let s = scan(&text, 0, Path::new("d.md"), "soc2", &mut diags);
                let lines = text.lines().count().max(1);
                for sec in &s.sections {
                    prop_assert!((1..=lines).contains(&sec.line), "section at {}", sec.line);
                    prop_assert!(!sec.anchor.is_empty());
                    for c in &sec.controls {
                        prop_assert!(!c.id.is_empty());
                        prop_assert!(text.contains(c.id.as_str()));
                    }
                }
                for l in &s.links {
                    prop_assert!((1..=lines).contains(&l.line), "link at {}", l.line);
                }
                for d in diags.iter() {
                    prop_assert!((1..=lines).contains(&d.line.unwrap_or(1)), "{d}");
                }
                // Anchors are unique, as links to them require.
                let mut anchors: Vec<&str> = s.sections.iter().map(|x| x.anchor.as_str()).collect();
                let n = anchors.len();
                anchors.sort();
                anchors.dedup();
                prop_assert!(anchors.len() == n || !diags.is_empty());
            }
        }
    }
}
