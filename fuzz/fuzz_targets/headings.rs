//! The body scan (headings with `{#id controls=…}` attributes, links, images) on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policybook::diagnostics::Diagnostics;
use policybook::markdown::scan::scan;

fuzz_target!(|text: &str| {
    let mut diags = Diagnostics::new();
    let s = scan(text, 0, std::path::Path::new("d.md"), "soc2", &mut diags);
    let lines = text.lines().count().max(1);
    for sec in &s.sections {
        assert!((1..=lines).contains(&sec.line));
    }
    for l in &s.links {
        assert!((1..=lines).contains(&l.line));
    }
});
