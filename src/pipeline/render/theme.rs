//! The theme: Tera templates and static files, compiled into the binary from `theme/`, with any
//! file of the handbook's own `theme/` (same relative path) taking precedence.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use tera::Tera;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::pipeline::load::display_path;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/theme");

/// A handbook's own theme folder.
pub const THEME_DIR: &str = "theme";

/// Templates and static files the site is rendered with.
pub struct Theme {
    /// The compiled templates.
    pub tera: Tera,
    /// Path below `static/` → contents.
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Templates that come from the handbook's own `theme/` rather than the built-in one.
    pub user_templates: BTreeSet<String>,
    /// How the handbook folder is shown in messages (for errors in its templates).
    pub shown: PathBuf,
}

impl Theme {
    /// The built-in theme overlaid with `root/theme/`. Template errors are reported with the
    /// template's path; `None` when the templates cannot be used.
    /// `display_root` is how `root` is shown in messages.
    pub fn load(root: &Path, display_root: &Path, diags: &mut Diagnostics) -> Outcome<Theme> {
        let mut templates: BTreeMap<String, String> = BTreeMap::new();
        let mut static_files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut user_templates = BTreeSet::new();
        collect_builtin(&BUILTIN, &mut templates, &mut static_files);

        // The same confinement as the documents: a link out of the handbook is never followed.
        if root.join(THEME_DIR).is_dir() {
            for found in crate::pipeline::load::walk_confined(root, THEME_DIR, display_root, diags)
            {
                let rel = found
                    .rel
                    .strip_prefix(&format!("{THEME_DIR}/"))
                    .unwrap_or(&found.rel)
                    .to_string();
                let shown = display_path(display_root, &found.rel);
                let bytes = match std::fs::read(&found.real) {
                    Ok(b) => b,
                    Err(e) => {
                        diags.push(Diagnostic::error(format!("cannot read: {e}")).at(&shown, None));
                        continue;
                    }
                };
                if let Some(name) = rel.strip_prefix("templates/") {
                    match String::from_utf8(bytes) {
                        Ok(text) => {
                            templates.insert(name.to_string(), text);
                            user_templates.insert(name.to_string());
                        }
                        Err(_) => diags.push(
                            Diagnostic::error("the template is not valid UTF-8").at(&shown, None),
                        ),
                    }
                } else if let Some(name) = rel.strip_prefix("static/") {
                    static_files.insert(name.to_string(), bytes);
                }
            }
        }

        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        {
            return diags.fail(template_error(&e, display_root, &user_templates));
        }
        Ok(Theme {
            tera,
            static_files,
            user_templates,
            shown: display_root.to_path_buf(),
        })
    }
}

/// A built-in template without the layout that makes it readable here: indentation, blank lines,
/// and the line breaks after lines that hold only a `{% tag %}` (which would print as empty
/// lines for every loop turn). Browsers render the result the same; it is a tenth smaller. The
/// inside of a `<pre>` or `<textarea>` is kept as written. Themes' own templates are left alone.
fn compact(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut verbatim = false;
    for line in template.lines() {
        if verbatim {
            out.push_str(line);
            out.push('\n');
        } else {
            // The rest of a line that opens a `<pre>` is inside it.
            let t = match line.contains("<pre") || line.contains("<textarea") {
                true => line.trim_start(),
                false => line.trim(),
            };
            if t.is_empty() {
                continue;
            }
            out.push_str(t);
            // One tag alone prints nothing of its own (`{% if %}…{% endif %}` on one line may).
            let lone_tag =
                (t.starts_with("{%") && t.ends_with("%}") && t.matches("%}").count() == 1)
                    || (t.starts_with("{#") && t.ends_with("#}") && t.matches("#}").count() == 1);
            // Line breaks between a row's cells render as nothing, and a table of 5,000 rows
            // paid six of them per row: a row is one line.
            let inside_row = t.ends_with("<tr>") || t.ends_with("</td>") || t.ends_with("</th>");
            if !lone_tag && !inside_row {
                out.push('\n');
            }
        }
        for (open, close) in [("<pre", "</pre>"), ("<textarea", "</textarea>")] {
            if let (Some(o), c) = (line.rfind(open), line.rfind(close)) {
                verbatim = c.is_none_or(|c| c < o);
            } else if line.contains(close) {
                verbatim = false;
            }
        }
    }
    // A partial (a template that is not a whole page) ends where its last tag does: its final
    // line break would print, as a space, inside whatever includes it (`(abc1234 )`).
    if !out.contains("</html>") {
        out.truncate(out.trim_end_matches('\n').len());
    }
    out
}

fn collect_builtin(
    dir: &Dir<'_>,
    templates: &mut BTreeMap<String, String>,
    statics: &mut BTreeMap<String, Vec<u8>>,
) {
    for file in dir.files() {
        let rel = file.path().to_string_lossy().replace('\\', "/");
        if let Some(name) = rel.strip_prefix("templates/") {
            templates.insert(
                name.to_string(),
                compact(&String::from_utf8_lossy(file.contents())),
            );
        } else if let Some(name) = rel.strip_prefix("static/") {
            statics.insert(name.to_string(), file.contents().to_vec());
        }
    }
    for sub in dir.dirs() {
        collect_builtin(sub, templates, statics);
    }
}

impl Theme {
    /// A rendering error of one of this theme's templates, as a diagnostic.
    pub fn error(&self, e: &tera::Error) -> Diagnostic {
        template_error(e, &self.shown, &self.user_templates)
    }
}

/// A Tera error as a diagnostic pointing at the template file and line when Tera knows them.
/// An error in a built-in template is policybook's bug, and says so.
fn template_error(
    e: &tera::Error,
    display_root: &Path,
    user_templates: &BTreeSet<String>,
) -> Diagnostic {
    let fix = "fix the template, or delete it from your theme/ to use the built-in one";
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r)
            if !user_templates.contains(r.filename()) =>
        {
            Diagnostic::error(format!(
                "built-in template {} (line {}): {}",
                r.filename(),
                r.span().start_line,
                r.message()
            ))
            .hint("this is a bug in policybook, please report it; a template of the same name in theme/templates/ replaces it")
        }
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let file = display_path(display_root, &format!("{THEME_DIR}/templates/{}", r.filename()));
            Diagnostic::error(format!("template error: {}", r.message()))
                .at(&file, Some(r.span().start_line))
                .hint(fix)
        }
        other => Diagnostic::error(format!("template error: {other}"))
            .at(&display_root.join(THEME_DIR), None)
            .hint(fix),
    }
}

#[cfg(test)]
mod compact_tests {
    use super::compact;

    #[test]
    fn layout_goes_and_pre_stays() {
        let t = "<ul>\n  {% for x in xs %}\n    <li>{{ x }}</li>\n\n  {% endfor %}\n</ul>\n<pre>\n  kept\n\n   as is\n</pre>\n  <p>\n    a\n  </p>\n  {% if a %}<b>x</b>{% endif %}\n<i>y</i>\n  <pre>one  \n</pre>\n";
        assert_eq!(
            compact(t),
            "<ul>\n{% for x in xs %}<li>{{ x }}</li>\n{% endfor %}</ul>\n<pre>\n  kept\n\n   as is\n</pre>\n<p>\na\n</p>\n{% if a %}<b>x</b>{% endif %}\n<i>y</i>\n<pre>one  \n</pre>"
        );
    }

    #[test]
    fn a_table_row_is_one_line() {
        let t = "<table>\n  <tr>\n    <th>A</th>\n  </tr>\n  {% for r in rs %}\n  <tr>\n    <td>{{ r.a }}</td>\n    <td>{{ r.b }}</td>\n  </tr>\n  {% endfor %}\n</table>\n";
        assert_eq!(
            compact(t),
            "<table>\n<tr><th>A</th></tr>\n{% for r in rs %}<tr><td>{{ r.a }}</td><td>{{ r.b }}</td></tr>\n{% endfor %}</table>"
        );
    }

    #[test]
    fn a_page_keeps_its_last_line_break_and_a_partial_does_not() {
        assert_eq!(
            compact("<html>\n<p>x</p>\n</html>\n"),
            "<html>\n<p>x</p>\n</html>\n"
        );
        // Included inside "(…)", a trailing break would print "(<code>abc</code> )".
        assert_eq!(compact("<code>{{ c }}</code>\n"), "<code>{{ c }}</code>");
    }
}
