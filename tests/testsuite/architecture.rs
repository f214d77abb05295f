//! The layers of docs/architecture.md hold: no module uses a module of a higher layer, and no
//! stage uses a later stage.

use std::collections::BTreeMap;
use std::path::Path;

/// Layer of each module, from the table in docs/architecture.md.
fn layers(root: &Path) -> BTreeMap<String, f64> {
    let doc = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let mut out = BTreeMap::new();
    for line in doc.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| 2.1 | pipeline::load |`
        if cells.len() == 4
            && let Ok(rank) = cells[1].parse::<f64>()
        {
            for module in cells[2].split(',') {
                out.insert(module.trim().to_string(), rank);
            }
        }
    }
    assert!(
        out.len() > 15,
        "the layer table of docs/architecture.md: {out:?}"
    );
    out
}

/// `src/pipeline/render/views/mod.rs` → `pipeline::render`; `src/serve/http.rs` → `serve`.
fn unit_of(rel: &str, layers: &BTreeMap<String, f64>) -> Option<String> {
    let parts: Vec<&str> = rel.trim_end_matches(".rs").split('/').collect();
    let two = parts.iter().take(2).copied().collect::<Vec<_>>().join("::");
    let one = parts[0].to_string();
    if layers.contains_key(&two) {
        Some(two)
    } else if parts.len() == 2 && parts[0] == "pipeline" && parts[1] == "mod" {
        Some("pipeline".into())
    } else if layers.contains_key(&one) {
        Some(one)
    } else {
        None
    }
}

#[test]
fn modules_only_look_down() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layers = layers(root);
    let mut wrong = Vec::new();
    for entry in walkdir::WalkDir::new(root.join("src")) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(root.join("src"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.ends_with(".rs") || rel == "main.rs" || rel == "lib.rs" {
            continue;
        }
        let unit = unit_of(&rel, &layers)
            .unwrap_or_else(|| panic!("src/{rel} is in no layer of docs/architecture.md"));
        let text = std::fs::read_to_string(entry.path()).unwrap();
        // Tests may reach anywhere.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, _) in code.match_indices("crate::") {
            let path: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let used = match segments.as_slice() {
                ["pipeline", stage, ..] if layers.contains_key(&format!("pipeline::{stage}")) => {
                    format!("pipeline::{stage}")
                }
                [first, ..] => first.to_string(),
                [] => continue,
            };
            let Some(&to) = layers.get(&used) else {
                continue;
            };
            let from = layers[&unit];
            let stage_uses_open = unit.starts_with("pipeline::") && used == "pipeline";
            if used != unit && (to > from || stage_uses_open) {
                wrong.push(format!("src/{rel} ({unit}, {from}) uses {used} ({to})"));
            }
        }
    }
    assert!(wrong.is_empty(), "uses that look up:\n{}", wrong.join("\n"));
}
