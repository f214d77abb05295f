//! `policybook docx`: the handbook as a Word document — a cover, a table of contents, then every
//! document in reading order with its document-control table, text and revisions — or one
//! `.docx` per document. Built from the model and each document's Markdown (not from HTML), with
//! Word's own heading styles (so the navigation pane and the contents work), tables as tables,
//! code in a monospaced font, links kept (between documents, to bookmarks), and PNG and JPEG
//! images embedded. Dates in the file are the commit's, so the same commit gives the same bytes.

use std::collections::HashMap;
use std::path::PathBuf;

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, Header, Hyperlink, HyperlinkType, PageNum, Paragraph,
    Pic, Run, RunFonts, Style, StyleType, Table, TableCell, TableOfContents, TableRow,
};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::model::{DocIx, Href};
use crate::pipeline::render::views::{Views, print::uncontrolled_note, reading_order};
use crate::pipeline::resolve::Handbook;
use crate::pipeline::{HistoryMode, Source, open};

/// What `policybook docx` is asked for.
pub struct DocxOptions {
    /// The handbook folder.
    pub root: PathBuf,
    /// The folder to write to (default `root/docx`).
    pub out: Option<PathBuf>,
    /// Also one `.docx` per document.
    pub each: bool,
    /// Review statuses as of this date.
    pub as_of: Option<jiff::civil::Date>,
    /// No progress on stderr.
    pub quiet: bool,
}

/// What `docx` wrote.
#[derive(Debug, Default)]
pub struct DocxReport {
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// The files written.
    pub written: Vec<PathBuf>,
}

/// Writes `handbook.docx` (and, with `each`, `<id>.docx` for every document).
pub fn docx(opts: &DocxOptions) -> DocxReport {
    let mut report = DocxReport::default();
    let mut diags = Diagnostics::new();
    let _ = run(opts, &mut report, &mut diags);
    report.diagnostics = diags;
    report
}

fn run(opts: &DocxOptions, report: &mut DocxReport, diags: &mut Diagnostics) -> Outcome<()> {
    let source = Source::worktree(&opts.root);
    let hb = open(
        &source,
        HistoryMode::Read { as_of: opts.as_of },
        None,
        diags,
    )?;
    diags.no_errors()?;
    let dir = opts.out.clone().unwrap_or_else(|| opts.root.join("docx"));
    diags.take(
        std::fs::create_dir_all(&dir)
            .map_err(|e| Diagnostic::error(format!("cannot create {}: {e}", dir.display()))),
    )?;
    let order = reading_order(&hb);
    let mut jobs: Vec<(PathBuf, Vec<DocIx>, bool)> =
        vec![(dir.join("handbook.docx"), order.clone(), true)];
    if opts.each {
        for &i in &order {
            jobs.push((
                dir.join(format!("{}.docx", hb.documents[i].id)),
                vec![i],
                false,
            ));
        }
    }
    let mut progress = crate::progress::Progress::for_export("docx", jobs.len(), opts.quiet);
    for (path, docs, whole) in jobs {
        progress.step(
            &path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let bytes = diags.take(word_document(&hb, &docs, whole).map_err(Diagnostic::error))?;
        diags.take(
            std::fs::write(&path, bytes)
                .map_err(|e| Diagnostic::error(format!("cannot write {}: {e}", path.display()))),
        )?;
        report.written.push(path);
    }
    progress.finish();
    Ok(())
}

/// The styles the document uses, Word's own names so that Word treats them as its headings.
fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize, level: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .size(size)
            .bold()
            .outline_lvl(level)
    };
    docx.add_style(
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .size(21),
    )
    .add_style(
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .size(56)
            .bold(),
    )
    .add_style(heading("Heading1", "heading 1", 36, 0))
    .add_style(heading("Heading2", "heading 2", 28, 1))
    .add_style(heading("Heading3", "heading 3", 24, 2))
    .add_style(heading("Heading4", "heading 4", 22, 3))
    .add_style(
        Style::new("Code", StyleType::Paragraph)
            .name("Code")
            .based_on("Normal")
            .size(18)
            .fonts(mono()),
    )
}

fn mono() -> RunFonts {
    RunFonts::new()
        .ascii("Courier New")
        .hi_ansi("Courier New")
        .cs("Courier New")
}

/// The Word document of `docs`; `whole` adds the cover and the table of contents.
pub fn word_document(hb: &Handbook, docs: &[DocIx], whole: bool) -> Result<Vec<u8>, String> {
    let views = Views::new(hb);
    let note = uncontrolled_note(&views);
    let date = hb
        .history
        .source
        .as_of
        .map(|d| format!("{d}T00:00:00Z"))
        .unwrap_or_else(|| "2000-01-01T00:00:00Z".into());
    let mut docx = styles(Docx::new())
        .created_at(&date)
        .updated_at(&date)
        .header(
            Header::new().add_paragraph(
                Paragraph::new().align(AlignmentType::Center).add_run(
                    Run::new()
                        .add_text("Uncontrolled when printed")
                        .size(16)
                        .color("666666"),
                ),
            ),
        )
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Right)
                    .add_run(
                        Run::new()
                            .add_text(format!("{} — page ", hb.config.title))
                            .size(16),
                    )
                    .add_page_num(PageNum::new()),
            ),
        );
    // Bookmarks for links between documents: `doc_<id>`, and `<id>__<anchor>` for sections.
    let in_packet: HashMap<&str, ()> = docs
        .iter()
        .map(|&i| (hb.documents[i].id.as_str(), ()))
        .collect();
    if whole {
        docx = docx
            .add_paragraph(
                Paragraph::new().add_run(
                    Run::new()
                        .add_text(hb.config.organization.clone().unwrap_or_default())
                        .size(28),
                ),
            )
            .add_paragraph(
                Paragraph::new()
                    .style("Title")
                    .add_run(Run::new().add_text(hb.config.title.clone())),
            )
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(format!(
                        "{} documents{}{}{}",
                        docs.len(),
                        hb.history
                            .source
                            .tag
                            .as_deref()
                            .map(|t| format!(" · version {t}"))
                            .unwrap_or_default(),
                        hb.history
                            .source
                            .as_of
                            .map(|d| format!(" · as of {d}"))
                            .unwrap_or_default(),
                        hb.history
                            .source
                            .commit
                            .as_deref()
                            .map(|c| format!(" · commit {}", &c[..c.len().min(7)]))
                            .unwrap_or_default()
                    ))))
            .add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(note.clone()).size(18).color("555555")),
            )
            .add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
            .add_paragraph(
                Paragraph::new()
                    .style("Heading1")
                    .add_run(Run::new().add_text("Contents")),
            )
            .add_table_of_contents(contents(hb, docs));
    }
    let mut bookmark = 0usize;
    for (n, &i) in docs.iter().enumerate() {
        let d = &hb.documents[i];
        let page = views.document(i, "");
        bookmark += 1;
        docx = docx.add_paragraph(
            Paragraph::new()
                .style("Heading1")
                .page_break_before(whole || n > 0)
                .add_bookmark_start(bookmark, format!("doc_{}", bookmark_name(&d.id)))
                .add_run(Run::new().add_text(d.title.to_string()))
                .add_bookmark_end(bookmark),
        );
        docx = docx
            .add_paragraph(
                Paragraph::new().add_run(Run::new().add_text("Document control").bold().size(18)),
            )
            .add_table(control_table(&page));
        let body = Body {
            hb,
            doc: i,
            in_packet: &in_packet,
            bookmark: &mut bookmark,
        };
        for block in body.blocks() {
            docx = match block {
                Block::Paragraph(p) => docx.add_paragraph(*p),
                Block::Table(t) => docx.add_table(*t),
            };
        }
        docx = docx.add_paragraph(
            Paragraph::new()
                .style("Heading2")
                .add_run(Run::new().add_text("Revision history")),
        );
        docx = docx.add_table(revision_table(&page));
        if !page.history.reviews.is_empty() {
            docx = docx
                .add_paragraph(
                    Paragraph::new()
                        .style("Heading2")
                        .add_run(Run::new().add_text("Approvals")),
                )
                .add_table(approval_table(&page));
        }
        docx = docx.add_paragraph(
            Paragraph::new().add_run(Run::new().add_text(note.clone()).size(16).color("555555")),
        );
    }
    let mut out = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| format!("cannot write the Word document: {e}"))?;
    Ok(out.into_inner())
}

/// The table of contents, filled in with the documents (linked to their bookmarks) so that it
/// reads right before Word updates it (it is marked for updating, which adds page numbers and
/// the sections).
fn contents(hb: &Handbook, docs: &[DocIx]) -> TableOfContents {
    docs.iter().fold(
        TableOfContents::new()
            .heading_styles_range(1, 2)
            .alias("Table of contents")
            .hyperlink()
            .dirty(),
        |toc, &i| {
            let d = &hb.documents[i];
            toc.add_item(
                docx_rs::TableOfContentsItem::new()
                    .text(d.title.to_string())
                    .toc_key(format!("doc_{}", bookmark_name(&d.id)))
                    .level(1),
            )
        },
    )
}

/// Bookmark names: letters, digits and `_` only.
fn bookmark_name(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A section's bookmark: Word allows 40 characters, starting with a letter; a short hash keeps
/// long names apart.
fn section_bookmark(id: &str, anchor: &str) -> String {
    let full = bookmark_name(&format!("{id}__{anchor}"));
    if full.len() <= 38 {
        return format!("s_{full}");
    }
    let hash = crate::manifest::sha256_hex(full.as_bytes());
    format!("s_{}_{}", &full[..27], &hash[..8])
}

fn cell(text: &str, bold: bool) -> TableCell {
    let mut run = Run::new().add_text(text).size(18);
    if bold {
        run = run.bold();
    }
    TableCell::new().add_paragraph(Paragraph::new().add_run(run))
}

/// The document-control table: what an auditor sampling the document checks first.
fn control_table(page: &crate::pipeline::render::views::documents::DocumentView<'_>) -> Table {
    let h = &page.history;
    let or_dash = |s: Option<String>| s.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into());
    let approved = h
        .last_reviewed
        .as_ref()
        .map(|r| format!("{} by {}", r.date, r.reviewers.join(", ")))
        .unwrap_or_else(|| "not approved in git".into());
    let rows = [
        (
            "Id",
            page.doc.id.clone(),
            "Kind",
            page.doc.kind_label.to_string(),
        ),
        (
            "Version",
            or_dash(page.doc.version.clone()),
            "Status",
            page.doc.status.to_string(),
        ),
        (
            "Owner",
            or_dash(page.doc.owner.clone()),
            "Approvers",
            or_dash(Some(page.approvers.join(", "))),
        ),
        (
            "Approved",
            approved,
            "Effective",
            or_dash(page.effective.clone()),
        ),
        (
            "Review",
            or_dash(page.doc.review.clone()),
            "Next review",
            format!(
                "{}({})",
                h.next_due
                    .as_ref()
                    .map(|d| format!("{d} "))
                    .unwrap_or_default(),
                h.status_label
            ),
        ),
        ("Source", page.doc.path.clone(), "", String::new()),
    ];
    Table::new(
        rows.into_iter()
            .map(|(a, b, c, d)| {
                TableRow::new(vec![
                    cell(a, true),
                    cell(&b, false),
                    cell(c, true),
                    cell(&d, false),
                ])
            })
            .collect(),
    )
}

/// The revisions and approvals, as on the document's page.
fn revision_table(page: &crate::pipeline::render::views::documents::DocumentView<'_>) -> Table {
    let mut rows = vec![TableRow::new(
        ["Date", "Commit", "Author", "Change", "Reviewed by"]
            .iter()
            .map(|h| cell(h, true))
            .collect(),
    )];
    for r in &page.history.revisions {
        rows.push(TableRow::new(vec![
            cell(&r.commit.date, false),
            cell(&r.commit.short, false),
            cell(&r.commit.author, false),
            cell(&r.commit.subject, false),
            cell(&r.commit.reviewers.join(", "), false),
        ]));
    }
    if rows.len() == 1 {
        rows.push(TableRow::new(vec![
            cell("—", false),
            cell("", false),
            cell("", false),
            cell("no revisions in git", false),
            cell("", false),
        ]));
    }
    Table::new(rows)
}

/// Every approval and review of the document, and whether it counts or why not.
fn approval_table(page: &crate::pipeline::render::views::documents::DocumentView<'_>) -> Table {
    let mut rows = vec![TableRow::new(
        ["Date", "By", "Commit", "Counted"]
            .iter()
            .map(|h| cell(h, true))
            .collect(),
    )];
    for r in &page.history.reviews {
        let counted = match &r.not_counted {
            Some(why) => format!("no: {why}"),
            None => "yes".to_string(),
        };
        rows.push(TableRow::new(vec![
            cell(&r.date, false),
            cell(&r.reviewers.join(", "), false),
            cell(&r.commit.short, false),
            cell(&counted, false),
        ]));
    }
    Table::new(rows)
}

/// A block of the Word document.
enum Block {
    Paragraph(Box<Paragraph>),
    Table(Box<Table>),
}

/// A document's Markdown body, turned into Word blocks.
struct Body<'a> {
    hb: &'a Handbook,
    doc: DocIx,
    in_packet: &'a HashMap<&'a str, ()>,
    bookmark: &'a mut usize,
}

/// Inline formatting in effect.
#[derive(Default, Clone)]
struct Inline {
    bold: bool,
    italic: bool,
    strike: bool,
    /// A link being written: (target, is internal).
    link: Option<(String, bool)>,
}

impl Body<'_> {
    fn blocks(self) -> Vec<Block> {
        let d = &self.hb.documents[self.doc];
        let hrefs = &self.hb.refs[self.doc].links;
        let mut link_n = 0usize;
        let mut out = Vec::new();
        let mut para: Option<Paragraph> = None;
        let mut style = Inline::default();
        let mut list: Vec<Option<u64>> = Vec::new();
        let mut code: Option<String> = None;
        let mut table: Option<(Vec<TableRow>, Vec<TableCell>, Option<Paragraph>)> = None;
        let mut quote = 0usize;
        let mut image: Option<(String, String)> = None;
        let mut in_heading = false;
        let mut heading_n = 0usize;
        let runs = |p: Paragraph, text: &str, s: &Inline, mono_font: bool| -> Paragraph {
            let mut r = Run::new().add_text(text);
            if s.bold {
                r = r.bold();
            }
            if s.italic {
                r = r.italic();
            }
            if s.strike {
                r = r.strike();
            }
            if mono_font {
                r = r.fonts(mono());
            }
            match &s.link {
                Some((target, internal)) => {
                    let r = r.color("1F4E9E").underline("single");
                    let kind = if *internal {
                        HyperlinkType::Anchor
                    } else {
                        HyperlinkType::External
                    };
                    p.add_hyperlink(Hyperlink::new(target.clone(), kind).add_run(r))
                }
                None => p.add_run(r),
            }
        };
        for event in Parser::new_ext(d.body(), crate::markdown::options()) {
            match event {
                // A table cell's paragraph is the cell's own.
                Event::Start(Tag::Paragraph) if table.is_none() => {
                    let indent = 360 * (list.len() + quote) as i32;
                    para = Some(Paragraph::new().indent(Some(indent), None, None, None));
                }
                Event::End(TagEnd::Paragraph) => {
                    if let Some(p) = para.take() {
                        out.push(Block::Paragraph(Box::new(p)));
                    }
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let lvl = match level {
                        HeadingLevel::H1 | HeadingLevel::H2 => 2,
                        HeadingLevel::H3 => 3,
                        _ => 4,
                    };
                    in_heading = true;
                    para = Some(Paragraph::new().style(&format!("Heading{lvl}")));
                }
                Event::End(TagEnd::Heading(_)) => {
                    let was_heading = std::mem::take(&mut in_heading);
                    if let Some(mut p) = para.take()
                        && was_heading
                    {
                        // The n-th heading is the n-th section: bookmarked by its anchor, for
                        // links to it from this document or another.
                        if let Some(section) = d.sections.get(heading_n) {
                            *self.bookmark += 1;
                            p = p
                                .add_bookmark_start(
                                    *self.bookmark,
                                    section_bookmark(&d.id, &section.anchor),
                                )
                                .add_bookmark_end(*self.bookmark);
                        }
                        heading_n += 1;
                        out.push(Block::Paragraph(Box::new(p)));
                    }
                }
                Event::Start(Tag::List(start)) => list.push(start),
                Event::End(TagEnd::List(_)) => {
                    list.pop();
                }
                Event::Start(Tag::Item) => {
                    let indent = 360 * (list.len() + quote) as i32;
                    let marker = match list.last_mut() {
                        Some(Some(n)) => {
                            let m = format!("{n}. ");
                            *n += 1;
                            m
                        }
                        _ => "• ".to_string(),
                    };
                    para = Some(
                        Paragraph::new()
                            .indent(Some(indent), None, None, None)
                            .add_run(Run::new().add_text(marker)),
                    );
                }
                Event::End(TagEnd::Item) => {
                    if let Some(p) = para.take() {
                        out.push(Block::Paragraph(Box::new(p)));
                    }
                }
                Event::Start(Tag::BlockQuote(_)) => quote += 1,
                Event::End(TagEnd::BlockQuote(_)) => quote = quote.saturating_sub(1),
                Event::Start(Tag::CodeBlock(_)) => code = Some(String::new()),
                Event::End(TagEnd::CodeBlock) => {
                    for line in code
                        .take()
                        .unwrap_or_default()
                        .trim_end_matches('\n')
                        .split('\n')
                    {
                        out.push(Block::Paragraph(Box::new(
                            Paragraph::new()
                                .style("Code")
                                .add_run(Run::new().add_text(line).fonts(mono())),
                        )));
                    }
                }
                Event::Start(Tag::Table(_)) => table = Some((Vec::new(), Vec::new(), None)),
                Event::End(TagEnd::Table) => {
                    if let Some((rows, _, _)) = table.take() {
                        out.push(Block::Table(Box::new(Table::new(rows))));
                    }
                }
                Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                    if let Some(t) = table.as_mut() {
                        t.1.clear();
                    }
                    style.bold = matches!(event, Event::Start(Tag::TableHead));
                }
                Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                    style.bold = false;
                    if let Some(t) = table.as_mut() {
                        let cells = std::mem::take(&mut t.1);
                        t.0.push(TableRow::new(cells));
                    }
                }
                Event::Start(Tag::TableCell) => {
                    if let Some(t) = table.as_mut() {
                        t.2 = Some(Paragraph::new());
                    }
                }
                Event::End(TagEnd::TableCell) => {
                    if let Some(t) = table.as_mut() {
                        let p = t.2.take().unwrap_or_default();
                        t.1.push(TableCell::new().add_paragraph(p));
                    }
                }
                Event::Start(Tag::Strong) => style.bold = true,
                Event::End(TagEnd::Strong) => style.bold = false,
                Event::Start(Tag::Emphasis) => style.italic = true,
                Event::End(TagEnd::Emphasis) => style.italic = false,
                Event::Start(Tag::Strikethrough) => style.strike = true,
                Event::End(TagEnd::Strikethrough) => style.strike = false,
                Event::Start(Tag::Link { dest_url, .. }) => {
                    let href = hrefs.get(link_n).cloned();
                    link_n += 1;
                    style.link = self.target(href, &dest_url);
                }
                Event::End(TagEnd::Link) => style.link = None,
                Event::Start(Tag::Image { dest_url, .. }) => {
                    let href = hrefs.get(link_n).cloned();
                    link_n += 1;
                    image = Some((self.image_source(href, &dest_url), String::new()));
                }
                Event::End(TagEnd::Image) => {
                    if let Some((src, alt)) = image.take() {
                        let pic = self.picture(&src);
                        let target = current(&mut para, &mut table);
                        *target = Some(match pic {
                            Some(pic) => target
                                .take()
                                .unwrap_or_default()
                                .add_run(Run::new().add_image(pic)),
                            None => runs(
                                target.take().unwrap_or_default(),
                                &format!("[image: {alt}]"),
                                &Inline::default(),
                                false,
                            ),
                        });
                    }
                }
                Event::Text(t) => {
                    if let Some(c) = code.as_mut() {
                        c.push_str(&t);
                    } else if let Some((_, alt)) = image.as_mut() {
                        alt.push_str(&t);
                    } else {
                        let target = current(&mut para, &mut table);
                        let p = target.take().unwrap_or_default();
                        *target = Some(runs(p, &t, &style, false));
                    }
                }
                Event::Code(t) => {
                    let target = current(&mut para, &mut table);
                    let p = target.take().unwrap_or_default();
                    *target = Some(runs(p, &t, &style, true));
                }
                Event::SoftBreak => {
                    let target = current(&mut para, &mut table);
                    let p = target.take().unwrap_or_default();
                    *target = Some(runs(p, " ", &style, false));
                }
                Event::HardBreak => {
                    let target = current(&mut para, &mut table);
                    let p = target.take().unwrap_or_default();
                    *target = Some(p.add_run(Run::new().add_break(BreakType::TextWrapping)));
                }
                Event::Rule => out.push(Block::Paragraph(Box::new(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_text("* * *")),
                ))),
                Event::TaskListMarker(done) => {
                    let target = current(&mut para, &mut table);
                    let p = target.take().unwrap_or_default();
                    *target =
                        Some(p.add_run(Run::new().add_text(if done { "☑ " } else { "☐ " })));
                }
                _ => {}
            }
        }
        out
    }

    /// Where a link goes in Word: a bookmark for a document in this file, else an absolute
    /// address (the site's with `base_url`); `None` keeps the text only.
    fn target(&self, href: Option<Href>, written: &str) -> Option<(String, bool)> {
        match href {
            Some(Href::Site(url)) => {
                let (page, anchor) = url.split_once('#').unwrap_or((&url, ""));
                if let Some(id) = page
                    .strip_prefix("documents/")
                    .and_then(|p| p.strip_suffix(".html"))
                    && self.in_packet.contains_key(id)
                {
                    return Some(match anchor {
                        "" => (format!("doc_{}", bookmark_name(id)), true),
                        a => (section_bookmark(id, a), true),
                    });
                }
                self.hb.config.absolute_url(&url).map(|u| (u, false))
            }
            Some(Href::External(url)) => Some((url, false)),
            Some(Href::Removed) => None,
            Some(Href::AsWritten) | None => (written.starts_with("http://")
                || written.starts_with("https://")
                || written.starts_with("mailto:"))
            .then(|| (written.to_string(), false)),
        }
    }

    fn image_source(&self, href: Option<Href>, written: &str) -> String {
        match href {
            Some(Href::Site(url)) => url,
            _ => written.to_string(),
        }
    }

    /// An image of the handbook (`files/…`) as a picture, when it is a PNG or a JPEG.
    fn picture(&self, url: &str) -> Option<Pic> {
        let below = url.strip_prefix("files/")?;
        let bytes = self.hb.assets.get(below)?.read().ok()?;
        let (w, h) = image_size(&bytes)?;
        // At most 15 cm wide (96 px per inch).
        let max = 567u32;
        let (w2, h2) = if w > max {
            (max, h * max / w.max(1))
        } else {
            (w, h)
        };
        Some(Pic::new_with_dimensions(bytes, w2, h2))
    }
}

/// The paragraph being written: a table cell's, or the current one.
fn current<'p>(
    para: &'p mut Option<Paragraph>,
    table: &'p mut Option<(Vec<TableRow>, Vec<TableCell>, Option<Paragraph>)>,
) -> &'p mut Option<Paragraph> {
    match table {
        Some((_, _, cell)) if cell.is_some() => cell,
        _ => para,
    }
}

/// Width and height in pixels of a PNG (IHDR) or a JPEG (its first SOF marker).
fn image_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.len() >= 24 {
        let w = u32::from_be_bytes(b[16..20].try_into().ok()?);
        let h = u32::from_be_bytes(b[20..24].try_into().ok()?);
        return Some((w, h));
    }
    if b.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 9 < b.len() {
            if b[i] != 0xFF {
                return None;
            }
            let marker = b[i + 1];
            let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
            if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                let h = u16::from_be_bytes([b[i + 5], b[i + 6]]) as u32;
                let w = u16::from_be_bytes([b[i + 7], b[i + 8]]) as u32;
                return Some((w, h));
            }
            i += 2 + len;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_sizes_are_read_from_png_and_jpeg_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(640u32.to_be_bytes());
        png.extend(480u32.to_be_bytes());
        assert_eq!(image_size(&png), Some((640, 480)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00,
            0x20, 0x00, 0x40, 0x03,
        ];
        assert_eq!(image_size(&jpeg), Some((64, 32)));
        assert_eq!(image_size(b"<svg/>"), None);
    }
}
