//! Link resolution: a document whose body is the fuzzer's text, beside a second document and a
//! file, resolved; a rewritten link never leaves the site.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policybook::diagnostics::Diagnostics;
use policybook::pipeline::load::{AssetSource, SourceFile};
use policybook::model::Href;

fuzz_target!(|body: &str| {
    let text = format!("---\ntitle: A\nowner: O\n---\n{body}");
    let sources = [
        SourceFile {
            path: "policies/sub/a.md".into(),
            display: "policies/sub/a.md".into(),
            text,
        },
        SourceFile {
            path: "policies/b.md".into(),
            display: "policies/b.md".into(),
            text: "---\ntitle: B\nowner: O\n---\n## Part\n".into(),
        },
    ];
    let mut diags = Diagnostics::new();
    let docs = policybook::pipeline::parse::parse_all(&sources, "soc2", None, &mut diags);
    let Ok(config) = policybook::config::Config::parse(
        "title = \"T\"\n",
        std::path::Path::new("site.toml"),
        &mut diags,
    ) else {
        return;
    };
    let assets = std::collections::BTreeMap::from([(
        "sub/img.png".to_string(),
        AssetSource::File("img.png".into()),
    )]);
    let hb = policybook::pipeline::resolve::resolve(
        policybook::pipeline::resolve::Parsed {
            config,
            catalog: policybook::catalog::Catalog::builtin(),
            documents: docs,
            register: Vec::new(),
            available: assets,
            history: Default::default(),
        },
        &mut diags,
    );
    for refs in &hb.refs {
        for h in &refs.links {
            if let Href::Site(u) = h {
                assert!(!u.split(['/', '#']).any(|seg| seg == ".."), "{u}");
            }
        }
    }
});
