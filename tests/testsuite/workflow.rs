//! The policy owner's commands: init, new, schema.

use crate::support::git::{self, ALICE};
use crate::support::*;

fn front_matter(text: &str) -> serde_json::Value {
    let rest = text.strip_prefix("---\n").expect("front matter");
    let yaml = &rest[..rest.find("\n---\n").expect("closing line")];
    serde_yaml::from_str(yaml).expect("yaml")
}

#[test]
fn init_makes_a_handbook_that_checks_and_builds() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("handbook");
    let out = run(parent.path(), &["init", "handbook"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in [
        "site.toml",
        "controls.yaml",
        "policies/access-control.md",
        "policies/access-review.md",
        "policies/password-standard.md",
        ".gitignore",
        ".github/workflows/policybook.yml",
        ".gitlab-ci.yml",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    assert!(stdout(&out).contains("git add . && git commit"));
    let site = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    assert!(
        site.contains("# ") && site.contains("[defaults]"),
        "site.toml is commented"
    );
    let github = std::fs::read_to_string(dir.join(".github/workflows/policybook.yml")).unwrap();
    assert!(github.contains("fetch-depth: 0") && github.contains("policybook check --strict"));
    assert!(github.contains("deploy-pages"));
    let gitlab = std::fs::read_to_string(dir.join(".gitlab-ci.yml")).unwrap();
    assert!(
        gitlab.contains("GIT_DEPTH: 0")
            && gitlab.contains("policybook check --strict")
            && gitlab.contains("pages:")
    );
    assert!(
        std::fs::read_to_string(dir.join(".gitignore"))
            .unwrap()
            .contains("/public/")
    );

    // init made it a git repository; the owner commits, and it passes CI's check.
    let repo = git2::Repository::open(&dir).expect("a git repository");
    git::commit_all(&repo, ALICE, "2026-11-20T10:00:00Z", "Start the handbook");
    let out = run(&dir, &["check", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&dir, &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(dir.join("public/documents/access-review.html")).unwrap();
    assert!(page.contains(
        "Implements <a href=\"../documents/access-control.html\">Access Control Policy</a>"
    ));
    assert!(broken_links(&dir.join("public")).is_empty());
    // The starter register's control is described by the procedure's steps.
    let control = std::fs::read_to_string(dir.join("public/controls/ACC-01.html")).unwrap();
    assert!(
        control.contains("In the first week of the quarter, export the list of accounts"),
        "{control}"
    );
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let out = run(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not empty (notes.txt)"),
        "{}",
        stderr(&out)
    );
    // Redirected, with NO_COLOR: no terminal colour codes.
    assert!(!stderr(&out).contains('\u{1b}'), "{:?}", stderr(&out));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"], "nothing was written");
}

#[test]
fn new_creates_documents_that_pass_check() {
    let parent = tempfile::tempdir().unwrap();
    assert!(run(parent.path(), &["init", "hb"]).status.success());
    let dir = parent.path().join("hb");
    let out = run(
        &dir,
        &[
            "new",
            "policy",
            "Incident Response Policy",
            "--controls",
            "CC7.3,CC7.4",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "policies/incident-response-policy.md");
    let text = std::fs::read_to_string(dir.join("policies/incident-response-policy.md")).unwrap();
    let fm = front_matter(&text);
    assert_eq!(fm["title"], "Incident Response Policy");
    assert_eq!(
        fm["owner"], "Chief Information Security Officer",
        "from [defaults]"
    );
    assert_eq!(fm["review"], "annual");
    assert_eq!(fm["status"], "draft");
    assert_eq!(fm["controls"], serde_json::json!(["CC7.3", "CC7.4"]));
    assert!(text.contains("## Scope"));

    let out = run(
        &dir,
        &[
            "new",
            "procedure",
            "Incident Handling: Runbook",
            "--implements",
            "incident-response-policy",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.join("policies/incident-handling-runbook.md")).unwrap();
    let fm = front_matter(&text);
    assert_eq!(
        fm["title"], "Incident Handling: Runbook",
        "quoted where YAML needs it"
    );
    assert_eq!(fm["kind"], "procedure");
    assert_eq!(
        fm["implements"],
        serde_json::json!(["incident-response-policy"])
    );
    assert!(text.contains("## Steps\n\n1. "));

    let out = run(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Checked 5 documents"));

    // Mistakes are errors with hints, and nothing is written.
    let out = run(&dir, &["new", "polcy", "X"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did you mean `policy`?"));
    let out = run(
        &dir,
        &[
            "new",
            "standard",
            "Y",
            "--implements",
            "acess-control",
            "--controls",
            "CC6.9",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("did you mean `access-control`?") && err.contains("unknown control `CC6.9`"),
        "{err}"
    );
    assert!(!dir.join("policies/y.md").exists());
    let out = run(&dir, &["new", "policy", "Incident Response Policy"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"));
}

#[test]
fn the_schema_accepts_the_sample_and_rejects_mistakes() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(repo, &["schema"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let schema: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");

    let mut checked = 0;
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let mut folders = vec![repo.join("policies")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    for path in files {
        let fm = front_matter(&std::fs::read_to_string(&path).unwrap());
        let errors: Vec<String> = validator.iter_errors(&fm).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        checked += 1;
    }
    assert_eq!(checked, 33, "32 documents and the example exception");
    // So are the documents `init` and the fixtures use.
    for text in [
        "---\ntitle: A\nowner: B\ncontrols:\n  soc2: [CC6.1]\nversion: 1.10\napprovers: CEO\n---\n",
        "---\ntitle: A\nkind: procedure\nreview: 18 months\n---\n",
    ] {
        assert!(validator.is_valid(&front_matter(text)), "{text}");
    }
    for broken in [
        "---\nownr: B\ntitle: A\n---\n",                      // unknown field
        "---\ntitle: A\nowner: B\nkind: polcy\n---\n",        // unknown kind
        "---\ntitle: A\n---\n",                               // a policy without owner
        "---\ntitle: A\nowner: B\nreview: yearly\n---\n",     // unknown cadence
        "---\ntitle: A\nowner: B\ncontrols: [CC6.9]\n---\n",  // unknown control
        "---\ntitle: A\nowner: B\neffective: 1 March\n---\n", // not a date
        "---\ntitle: A\nowner: B\nid: Bad Id\n---\n",         // invalid id
        "---\nowner: B\n---\n",                               // no title
    ] {
        assert!(
            !validator.is_valid(&front_matter(broken)),
            "accepted: {broken}"
        );
    }
}
