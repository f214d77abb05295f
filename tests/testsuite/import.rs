//! `policybook import comply` on the real comply SOC 2 project in `../shared/data/comply-soc2`
//! (test input only: its text is not copied into the repository, so the tests read it from beside
//! the project, and say they skipped when it is not there): converted in place in a git
//! repository and into a new folder; `check` and `build` succeed; the matrix covers exactly what
//! comply's `satisfies` claimed, criterion for criterion.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::git::{self, ALICE};
use crate::support::{copy_dir, json, run, stderr, stdout};

/// A copy of the comply project in `dir/compliance`, or `None` (said) when it is not beside the
/// project.
fn comply_project(dir: &Path) -> Option<std::path::PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Beside the project, or where POLICYBOOK_SHARED points (a clone elsewhere, as CI's).
    let source = std::env::var_os("POLICYBOOK_SHARED")
        .map(|s| Path::new(&s).join("data/comply-soc2"))
        .into_iter()
        .chain([
            here.join("../shared/data/comply-soc2"),
            Path::new("/work/shared/data/comply-soc2").to_path_buf(),
        ])
        .find(|p| p.join("standards/TSC-2017.yml").is_file());
    let Some(source) = source else {
        eprintln!(
            "skipped: ../shared/data/comply-soc2 (the comply test project) is not beside the project"
        );
        return None;
    };
    let project = dir.join("compliance");
    copy_dir(&source, &project);
    Some(project)
}

/// comply's claims: document file stem → criteria, from each header's `satisfies: TSC:` list.
fn satisfies(project: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for folder in ["policies", "procedures", "narratives"] {
        let Ok(rd) = std::fs::read_dir(project.join(folder)) else {
            continue;
        };
        for e in rd.map(Result::unwrap) {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".md") || name == "README.md" {
                continue;
            }
            let text = std::fs::read_to_string(e.path()).unwrap();
            let header = text.split("\n---\n").next().unwrap();
            let mut ids = BTreeSet::new();
            let mut inside = false;
            for line in header.lines() {
                let t = line.trim();
                if t == "TSC:" {
                    inside = true;
                } else if inside && t.starts_with("- ") {
                    ids.insert(t[2..].trim().to_string());
                } else if inside {
                    inside = false;
                }
            }
            out.insert(format!("{folder}/{name}"), ids);
        }
    }
    out
}

#[test]
fn a_comply_project_imports_in_place_and_keeps_its_claims() {
    let dir = tempfile::tempdir().unwrap();
    let Some(project) = comply_project(dir.path()) else {
        return;
    };
    let claims = satisfies(&project);
    assert!(claims.len() > 30, "{claims:?}");
    let repo = git::init(&project);
    git::commit_all(&repo, ALICE, "2018-06-01T09:00:00Z", "The comply project");

    let out = run(&project, &["import", "comply", "."]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(said.contains("Imported"), "{said}");
    assert!(said.contains("git commit"), "in place: {said}");
    // The moves are staged, as git mv leaves them.
    let statuses = repo.statuses(None).unwrap();
    let staged: Vec<String> = statuses
        .iter()
        .filter(|e| {
            e.status().is_index_renamed()
                || e.status().is_index_new()
                || e.status().is_index_modified()
                || e.status().is_index_deleted()
        })
        .map(|e| e.path().unwrap_or_default().to_string())
        .collect();
    assert!(staged.iter().any(|p| p == "site.toml"), "{staged:?}");
    assert!(project.join("policies/procedures/onboarding.md").is_file());
    assert!(!project.join("procedures/onboarding.md").exists());
    git::commit_index(&repo, ALICE, "2018-07-01T09:00:00Z", "Adopt policybook");

    let out = run(&project, &["check"]);
    assert!(out.status.success(), "check: {}", stderr(&out));
    assert!(
        stderr(&out).contains("`owner: TODO`"),
        "owners are to be named"
    );
    let out = run(&project, &["build"]);
    assert!(out.status.success(), "build: {}", stderr(&out));

    // Criterion for criterion, what comply claimed is what the matrix covers.
    let m = json(&project.join("public/matrix.json"));
    let mut covered: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in m["documents"].as_array().unwrap() {
        let path = d["path"].as_str().unwrap();
        let from = path
            .strip_prefix("policies/")
            .map(|p| {
                if p.starts_with("procedures/") || p.starts_with("narratives/") {
                    p.to_string()
                } else {
                    format!("policies/{p}")
                }
            })
            .unwrap();
        let ids: BTreeSet<String> = d["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        covered.insert(from, ids);
    }
    // comply claimed CC9.9 — not a criterion — in five policies and ignored it; the import says
    // so for each and leaves it out. Everything else is claimed and covered alike.
    let mut expected = claims.clone();
    for (doc, ids) in expected.iter_mut() {
        if ids.remove("CC9.9") {
            assert!(
                said.contains(&format!(
                    "{doc}: CC9.9 is not a 2017 Trust Services Criterion"
                )),
                "{doc}: {said}"
            );
        }
    }
    assert_ne!(expected, claims, "the project does claim CC9.9");
    assert_eq!(covered, expected);
    // The history before the import is the documents' history.
    let page = std::fs::read_to_string(project.join("public/documents/onboard.html")).unwrap();
    assert!(page.contains("The comply project"), "{page}");
    // Placeholders became the organisation ("the organization": the project has no comply.yml).
    let narrative =
        std::fs::read_to_string(project.join("policies/narratives/control.md")).unwrap();
    assert!(!narrative.contains("{{.Name}}"), "{narrative}");
    assert!(narrative.contains("not evidenced by git"), "{narrative}");
}

#[test]
fn into_a_new_folder_and_what_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let Some(project) = comply_project(dir.path()) else {
        return;
    };
    // A criterion comply ignored silently, and the organisation's name.
    let access = project.join("policies/access.md");
    let text = std::fs::read_to_string(&access).unwrap();
    std::fs::write(
        &access,
        text.replacen("    - CC6.1\n", "    - CC6.1\n    - CC9.9\n", 1),
    )
    .unwrap();
    std::fs::write(project.join("comply.yml"), "name: Acme Corp\n").unwrap();
    let dest = dir.path().join("handbook");
    let out = run(dir.path(), &["import", "comply", "compliance", "handbook"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("CC9.9 is not a 2017 Trust Services Criterion"),
        "{said}"
    );
    assert!(said.contains("Acme Corp"), "{said}");
    let site = std::fs::read_to_string(dest.join("site.toml")).unwrap();
    assert!(site.contains("organization = \"Acme Corp\""), "{site}");
    let narrative = std::fs::read_to_string(dest.join("policies/narratives/control.md")).unwrap();
    assert!(narrative.contains("Acme Corp"), "{narrative}");
    let out = run(&dest, &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Not again into a folder that holds something.
    let out = run(dir.path(), &["import", "comply", "compliance", "handbook"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already exists and is not empty"),
        "{}",
        stderr(&out)
    );

    // With --register, the procedures comply schedules become controls at their frequency,
    // described by their procedures.
    let out = run(
        dir.path(),
        &["import", "comply", "compliance", "registered", "--register"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let registered = dir.path().join("registered");
    let register = std::fs::read_to_string(registered.join("controls.yaml")).unwrap();
    assert!(
        register.contains("- id: PROC-PATCH\n")
            && register.contains("  frequency: monthly\n")
            && register.contains("- id: PROC-WORKSTATION\n")
            && register.contains("  frequency: annual\n"),
        "{register}"
    );
    assert_eq!(register.matches("\n- id: ").count(), 2, "{register}");
    let patch = std::fs::read_to_string(registered.join("policies/procedures/patch.md")).unwrap();
    assert!(patch.contains("PROC-PATCH]"), "{patch}");
    let out = run(&registered, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`owner: TODO`: no one performs this control yet"),
        "{}",
        stderr(&out)
    );
    let page = std::fs::read_to_string(registered.join("public/controls/PROC-PATCH.html")).unwrap();
    assert!(page.contains("Apply OS patches"), "{page}");

    // Another standard than the 2017 TSC is refused.
    std::fs::rename(
        project.join("standards/TSC-2017.yml"),
        project.join("standards/TSP-2016.yml"),
    )
    .unwrap();
    let out = run(dir.path(), &["import", "comply", "compliance", "other"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("standards/TSC-2017.yml is missing (it has TSP-2016.yml)"),
        "{err}"
    );
    assert!(!dir.path().join("other").exists(), "nothing written");
}
