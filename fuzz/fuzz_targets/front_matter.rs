//! The front-matter splitter and field reader on any text: never a panic, and every message on a
//! line of the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policybook::diagnostics::Diagnostics;
use policybook::pipeline::parse::frontmatter::{read, split};

fuzz_target!(|text: &str| {
    if let Ok(s) = split(text) {
        assert!(s.body_start <= text.len() && text.is_char_boundary(s.body_start));
        let mut diags = Diagnostics::new();
        read(&s, std::path::Path::new("p.md"), text, "soc2", &mut diags);
        let lines = text.lines().count().max(1);
        for d in diags.iter() {
            assert!((1..=lines).contains(&d.line.unwrap_or(1)), "{d}");
        }
    }
});
