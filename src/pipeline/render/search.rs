//! The search index: one script, `search-index.js`, loaded by the search box on first use. It
//! works from `file://` (no fetch), and holds, per document, its title, URL, kind, owner, control
//! ids and the plain text of each section; and every control's id, title and summary.
//!
//! Size matters: the index must stay a fraction of the site it indexes. Arrays instead of objects
//! (field names would be repeated 10,000 times); per section, only the opening text is kept
//! word for word (to quote in results), the rest as the list of distinct words it adds, which is
//! all matching needs; and the JSON is deflated (zlib) and written as one base64 string, which
//! the browser inflates with `DecompressionStream`. Text deflates to a third or less, so the
//! index takes a third of the room on disk, and of the transfer from hosts that send files as
//! they are (a file share, a bucket); a server that gzips what it sends gains nothing more on it.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::SameText;
use crate::model::{Document, url};
use crate::pipeline::resolve::Handbook;

/// Characters of each section's text kept verbatim, for the result snippet.
const SNIPPET_SOURCE: usize = 400;

/// `[title, url, kind, owner, "CC6.1 CC6.2", [[heading, anchor, opening text, "more words"], …]]`
type SearchDoc<'a> = (
    &'a str,
    String,
    &'static str,
    &'a str,
    String,
    Vec<(&'a str, &'a str, &'a str, String)>,
);

/// `[id, title, url, summary]`
type SearchControl<'a> = (&'a str, &'a str, String, &'a str);

/// Each document's entry of the index, as JSON, for documents shared by several versions.
#[derive(Default)]
pub struct SearchCache {
    entries: Mutex<HashMap<(SameText, String, String), Arc<String>>>,
}

/// `search-index.js`: every section's text, for the search box, deflated (see the module's
/// comment): `window.policybookSearchIndex="<base64 of the zlib stream of the JSON>";`.
pub fn search_index_js(hb: &Handbook, cache: Option<&SearchCache>) -> Vec<u8> {
    pack(&index_json(hb, cache))
}

/// The script that sets `window.policybookSearchIndex` to `json`, deflated and base64-encoded.
fn pack(json: &str) -> Vec<u8> {
    use base64::Engine as _;
    // Level 1, the fastest that compresses (libdeflate's level 0, its `fastest`, stores): on
    // the 6 MB index of the 2,000-document benchmark corpus it gave 24.7% of the JSON in 25 ms,
    // the default (6) 22.4% in 103 ms, level 9 21.1% in 298 ms.
    let level = libdeflater::CompressionLvl::new(1).unwrap_or_default();
    let mut z = libdeflater::Compressor::new(level);
    let mut deflated = vec![0; z.zlib_compress_bound(json.len())];
    // The buffer is the bound libdeflate itself gives, so this cannot run out of room; were it
    // to, the index is written as it is, which the page reads just the same.
    let Ok(n) = z.zlib_compress(json.as_bytes(), &mut deflated) else {
        return format!("window.policybookSearchIndex={json};\n").into_bytes();
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(&deflated[..n]);
    let mut out = String::with_capacity(encoded.len() + 40);
    out.push_str("window.policybookSearchIndex=\"");
    out.push_str(&encoded);
    out.push_str("\";\n");
    out.into_bytes()
}

/// The index as JSON: `{"docs":[…],"controls":[…]}`.
fn index_json(hb: &Handbook, cache: Option<&SearchCache>) -> String {
    let docs: Vec<Arc<String>> = hb
        .documents
        .as_slice()
        .par_iter()
        .with_max_len(crate::parallel::LEAF)
        .map(|d| {
            let controls = mapped_ids(hb, d);
            let key = (SameText(d.source.clone()), d.id.clone(), controls.clone());
            if let Some(hit) = cache.and_then(|c| c.entries.lock().ok()?.get(&key).cloned()) {
                return hit;
            }
            let entry = Arc::new(
                serde_json::to_string(&doc_entry(d, controls)).unwrap_or_else(|_| "null".into()),
            );
            if let Some(c) = cache
                && let Ok(mut map) = c.entries.lock()
            {
                map.insert(key, entry.clone());
            }
            entry
        })
        .collect();
    let controls: Vec<SearchControl<'_>> = hb
        .catalog
        .controls()
        .map(|c| {
            (
                c.id.as_str(),
                c.title.as_str(),
                url::control(&c.framework, &c.id),
                c.summary.as_str(),
            )
        })
        .collect();
    let controls = serde_json::to_string(&controls).unwrap_or_else(|_| "[]".into());
    let mut out = String::with_capacity(
        docs.iter().map(|d| d.len() + 1).sum::<usize>() + controls.len() + 64,
    );
    out.push_str("{\"docs\":[");
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(d);
    }
    out.push_str("],\"controls\":");
    out.push_str(&controls);
    out.push('}');
    out
}

/// Every control the document maps, whole or by section, and the criteria the register's
/// controls it names meet (so that searching `CC6.1` finds the documents describing its
/// controls), once each, space-separated.
fn mapped_ids(hb: &Handbook, d: &Document) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for r in d
        .controls
        .iter()
        .chain(d.sections.iter().flat_map(|s| s.controls.iter()))
    {
        ids.push(r.id.as_str());
        if crate::pipeline::resolve::names_register_control(r, &hb.register_ids) {
            let k = hb.register_ids[&r.id];
            ids.extend(hb.register[k].criteria.iter().map(|c| c.id.as_str()));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids.join(" ")
}

fn doc_entry(d: &Document, controls: String) -> SearchDoc<'_> {
    // One set of seen words for all of the document's sections, emptied between them.
    let mut seen = Words::default();
    let intro = d.texts.first().map(String::as_str).unwrap_or("");
    let (head, more) = split_text("", intro, &mut seen);
    let mut sections = Vec::with_capacity(d.sections.len() + 1);
    sections.push(("", "", head, more));
    for (i, s) in d.sections.iter().enumerate() {
        let text = d.texts.get(i + 1).map(String::as_str).unwrap_or("");
        let (head, more) = split_text(&s.title, text, &mut seen);
        sections.push((s.title.as_str(), s.anchor.as_str(), head, more));
    }
    (
        d.title.as_str(),
        url::document(&d.id),
        d.kind.as_str(),
        d.owner_name().unwrap_or(""),
        controls,
        sections,
    )
}

/// The distinct words of a section, seen so far. Hashed with FNV-1a: this runs for every word of
/// the handbook, and SipHash was a third of it.
type Words<'a> = HashSet<Cow<'a, str>, crate::fnv::Fnv>;

/// The opening of `text` (cut at a word boundary) and the distinct lowercase words of the rest
/// that the opening and the heading do not already contain, in order of appearance. `seen` is
/// scratch space, emptied first.
fn split_text<'a>(heading: &'a str, text: &'a str, seen: &mut Words<'a>) -> (&'a str, String) {
    let mut cut = text.len();
    if cut > SNIPPET_SOURCE {
        cut = SNIPPET_SOURCE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(space) = text[..cut].rfind(' ') {
            cut = space;
        }
    }
    let (head, rest) = text.split_at(cut);
    // Words are borrowed from the text unless they have capitals to lower: most do not, and this
    // runs over every word of the handbook.
    seen.clear();
    seen.extend(words(heading).chain(words(head)));
    let mut more = String::new();
    for w in words(rest) {
        if !seen.contains(&w) {
            if !more.is_empty() {
                more.push(' ');
            }
            more.push_str(&w);
            seen.insert(w);
        }
    }
    (head, more)
}

fn words(text: &str) -> impl Iterator<Item = Cow<'_, str>> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '.' && c != '-')
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(|w| match w.chars().any(char::is_uppercase) {
            true => Cow::Owned(w.to_lowercase()),
            false => Cow::Borrowed(w),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the page does with the script: base64-decode, inflate, parse.
    fn unpacked(js: &[u8]) -> String {
        use base64::Engine as _;
        use std::io::Read as _;
        let js = std::str::from_utf8(js).unwrap();
        let b64 = js
            .strip_prefix("window.policybookSearchIndex=\"")
            .and_then(|s| s.strip_suffix("\";\n"))
            .unwrap();
        let z = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let mut json = String::new();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_string(&mut json)
            .unwrap();
        json
    }

    #[test]
    fn the_script_holds_the_json_deflated_and_is_smaller() {
        let json = format!(
            "{{\"docs\":[{}],\"controls\":[]}}",
            vec!["[\"Access Control Policy \u{e9}\",\"documents/a.html\"]"; 200].join(",")
        );
        let js = pack(&json);
        assert_eq!(unpacked(&js), json);
        assert!(
            js.len() * 4 < json.len(),
            "{} bytes for {}",
            js.len(),
            json.len()
        );
        // The same index, the same bytes: output is deterministic.
        assert_eq!(pack(&json), js);
        assert_eq!(unpacked(&pack("{}")), "{}");
    }

    #[test]
    fn keeps_the_opening_and_the_new_words_of_the_rest() {
        let text = format!(
            "{} Encryption keys rotate. Keys rotate yearly; CC6.1 applies.",
            "word ".repeat(100)
        );
        let (head, more) = split_text("Keys", &text, &mut Words::default());
        assert!(head.len() <= SNIPPET_SOURCE && head.ends_with("word"));
        assert_eq!(more, "encryption rotate yearly cc6.1 applies");
        assert_eq!(
            split_text("", "short text", &mut Words::default()),
            ("short text", String::new())
        );
    }

    #[test]
    fn each_section_starts_with_no_words_seen() {
        let filler = "word ".repeat(100);
        let mut seen = Words::default();
        let first = format!("{filler} rotate keys");
        let second = format!("{filler} rotate logs");
        assert_eq!(split_text("", &first, &mut seen).1, "rotate keys");
        // The scratch set of the first section must not hide the second one's words.
        assert_eq!(split_text("", &second, &mut seen).1, "rotate logs");
    }
}
