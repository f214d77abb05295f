//! `BookTest`: a handbook in a temporary folder, built up step by step (files, documents, commits,
//! tags) and checked by running the real binary on it. Every scenario starts from one.

use std::path::{Path, PathBuf};
use std::process::Output;

use git2::{Oid, Repository};

use super::git;

/// A handbook under test.
pub struct BookTest {
    dir: tempfile::TempDir,
    repo: Option<Repository>,
}

impl BookTest {
    /// An empty handbook: `site.toml` with these settings and an empty `policies/`.
    pub fn new(site_toml: &str) -> BookTest {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("policies")).expect("policies/");
        std::fs::write(dir.path().join("site.toml"), site_toml).expect("site.toml");
        BookTest { dir, repo: None }
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> BookTest {
        BookTest {
            dir: super::copy_fixture(name),
            repo: None,
        }
    }

    /// Nothing at all: a folder to make a handbook in step by step (or with `init`).
    pub fn empty() -> BookTest {
        BookTest {
            dir: tempfile::tempdir().expect("temp dir"),
            repo: None,
        }
    }

    /// Makes the folder a git repository on branch `main` (nothing committed).
    pub fn git(mut self) -> BookTest {
        self.repo = Some(git::init(self.dir.path()));
        self
    }

    /// The repository (after `git()`).
    pub fn repo(&self) -> &Repository {
        self.repo.as_ref().expect("call .git() first")
    }

    /// The handbook folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the handbook folder.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (folders made as needed).
    pub fn write(&self, rel: &str, text: &str) -> &BookTest {
        let p = self.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
        self
    }

    /// Writes a document: `front` (YAML lines, each ending in a newline) between the `---`
    /// lines, then `body`.
    pub fn doc(&self, rel: &str, front: &str, body: &str) -> &BookTest {
        self.write(rel, &format!("---\n{front}---\n{body}\n"))
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) -> &BookTest {
        std::fs::remove_file(self.join(rel)).expect("remove");
        self
    }

    /// Reads a file as text.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Reads a JSON file.
    pub fn json(&self, rel: &str) -> serde_json::Value {
        super::json(&self.join(rel))
    }

    /// Commits everything in the folder, by `who` at `when` (RFC 3339).
    pub fn commit(&self, who: (&str, &str), when: &str, message: &str) -> Oid {
        git::commit_all(self.repo(), who, when, message)
    }

    /// A commit that changes nothing: a review recorded by its trailers only.
    pub fn commit_empty(&self, who: (&str, &str), when: &str, message: &str) -> Oid {
        git::commit_empty(self.repo(), who, when, message)
    }

    /// `git mv`, staged (commit it with `commit_index`).
    pub fn git_mv(&self, from: &str, to: &str) -> &BookTest {
        git::git_mv(self.repo(), from, to);
        self
    }

    /// Commits what is staged.
    pub fn commit_index(&self, who: (&str, &str), when: &str, message: &str) -> Oid {
        git::commit_index(self.repo(), who, when, message)
    }

    /// An annotated tag on HEAD, by Alice at `when`.
    pub fn tag(&self, name: &str, when: &str, message: &str) -> &BookTest {
        let repo = self.repo();
        let head = repo.head().expect("HEAD").peel_to_commit().expect("commit");
        repo.tag(
            name,
            head.as_object(),
            &git::signature(git::ALICE, when),
            message,
            false,
        )
        .expect("tag");
        self
    }

    /// A lightweight tag on HEAD.
    pub fn tag_light(&self, name: &str) -> &BookTest {
        let repo = self.repo();
        let head = repo.head().expect("HEAD").peel_to_commit().expect("commit");
        repo.tag_lightweight(name, head.as_object(), false)
            .expect("tag");
        self
    }

    /// Runs `policybook ARGS` in the handbook folder.
    pub fn run(&self, args: &[&str]) -> Run {
        Run(super::run(self.path(), args))
    }

    /// `policybook build ARGS`, which must succeed; returns `public/matrix.json`.
    pub fn build(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["build"];
        all.extend_from_slice(args);
        self.run(&all).success();
        self.json("public/matrix.json")
    }
}

/// What a run of the binary did.
pub struct Run(pub Output);

impl Run {
    /// Its exit code.
    pub fn code(&self) -> Option<i32> {
        self.0.status.code()
    }

    /// Its standard output.
    pub fn stdout(&self) -> String {
        super::stdout(&self.0)
    }

    /// Its standard error.
    pub fn stderr(&self) -> String {
        super::stderr(&self.0)
    }

    /// Asserts it exited 0 (showing stderr otherwise).
    pub fn success(self) -> Run {
        assert!(self.0.status.success(), "{}", self.stderr());
        self
    }

    /// Asserts it exited `code`.
    pub fn fails_with(self, code: i32) -> Run {
        assert_eq!(self.code(), Some(code), "{}", self.stderr());
        self
    }
}
