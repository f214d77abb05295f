//! Fenced code blocks → HTML with syntect, as CSS classes (`hl-keyword`, …) rather than inline
//! styles, so the theme's stylesheet decides the colours (and dark mode can change them).

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::escape;

/// Blocks larger than this are shown without colours: highlighting is roughly linear but slow per
/// byte, and a multi-megabyte paste is not worth seconds of build time.
const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;

/// Prefix of the CSS classes of highlighted code (`hl-keyword`), so that theme styles do not clash with them.
pub const CLASS_PREFIX: &str = "hl-";

/// Loading the syntax definitions takes tens of milliseconds: do it once, share across threads.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// `<pre><code>` for a block in `lang` (the first word of the fence info string).
pub fn code_block(lang: &str, code: &str) -> String {
    let lang_class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(lang))
    };
    let highlighted = if lang.is_empty() || code.len() > MAX_HIGHLIGHT_BYTES {
        None
    } else {
        highlight(lang, code)
    };
    match highlighted {
        Some(html) => format!("<pre class=\"hl\"><code{lang_class}>{html}</code></pre>\n"),
        None => format!("<pre><code{lang_class}>{}</code></pre>\n", escape(code)),
    }
}

fn highlight(lang: &str, code: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed {
            prefix: CLASS_PREFIX,
        },
    );
    for line in LinesWithEndings::from(code) {
        // A syntax definition that fails on some input: fall back to plain text.
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_with_classes_not_styles() {
        let html = code_block("yaml", "key: value # note\n");
        assert!(
            html.starts_with("<pre class=\"hl\"><code class=\"language-yaml\">"),
            "{html}"
        );
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn unknown_languages_are_escaped_plain_text() {
        let html = code_block("nosuchlang", "<b>&</b>\n");
        assert_eq!(
            html,
            "<pre><code class=\"language-nosuchlang\">&lt;b&gt;&amp;&lt;/b&gt;\n</code></pre>\n"
        );
    }
}
