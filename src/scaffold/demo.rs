//! `policybook init --demo DIR`: the sample handbook in a new git repository with a year (2025)
//! of plausible history, so that `evidence --since 2025-01-01 --until 2025-12-31` shows every
//! feature working: adoption approved by the roles each document names, changes merged through
//! reviewed pull requests (with the export `gh pr list` writes), one self-approval that does not
//! count, a role change recorded in `people.yaml` (and a review by the former holder refused), SSH
//! signed commits verified against `allowed_signers`, a policy exception, acknowledgements with
//! one late and one outstanding, and the annual review.
//!
//! The repository's own history stays real: the demo writes a new repository. Its people, keys
//! and dates are fictional and fixed, so the same binary writes the same commits. The sample's
//! dates are moved back a year (its documents take effect on the day the demo adopts them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{Oid, Repository, Signature, Time};
use include_dir::{Dir, include_dir};
use ssh_key::private::Ed25519Keypair;
use ssh_key::{HashAlg, LineEnding, PrivateKey};

use crate::diagnostics::Diagnostic;

static POLICIES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/policies");
const SITE: &str = include_str!("../../site.toml");
const REGISTER: &str = include_str!("../../controls.yaml");
const PEOPLE: &str = include_str!("../../people.yaml");

/// The day the demo adopts the handbook, and the day its documents take effect.
const ADOPTED: &str = "2025-01-10T09:00:00Z";
const EFFECTIVE: &str = "2025-01-15";

/// Someone of the demo company: name, email, hosting-service login.
#[derive(Clone, Copy)]
struct Person {
    name: &'static str,
    email: &'static str,
    login: &'static str,
}

const fn person(name: &'static str, email: &'static str, login: &'static str) -> Person {
    Person { name, email, login }
}

const MAYA: Person = person("Maya Okafor", "maya.okafor@example.com", "mokafor");
const HELEN: Person = person("Helen Park", "helen.park@example.com", "hpark");
const DANIEL: Person = person("Daniel Reyes", "daniel.reyes@example.com", "dreyes");
const SARA: Person = person("Sara Lindqvist", "sara.lindqvist@example.com", "slindqvist");
const TOM: Person = person("Tom Becker", "tom.becker@example.com", "tbecker");
const LENA: Person = person("Lena Fischer", "lena.fischer@example.com", "lfischer");
const OMAR: Person = person("Omar Haddad", "omar.haddad@example.com", "ohaddad");
const ANA: Person = person("Ana Lima", "ana.lima@example.com", "alima");
const CLAIRE: Person = person("Claire Dubois", "claire.dubois@example.com", "cdubois");
const JONAS: Person = person("Jonas Berg", "jonas.berg@example.com", "jberg");
const LUCA: Person = person("Luca Romano", "luca.romano@example.com", "lromano");

/// The HR population: (email, name, start, end, type).
const ROSTER: &[(&str, &str, &str, &str, &str)] = &[
    (
        "maya.okafor@example.com",
        "Maya Okafor",
        "2019-03-01",
        "",
        "employee",
    ),
    (
        "daniel.reyes@example.com",
        "Daniel Reyes",
        "2022-09-01",
        "",
        "employee",
    ),
    (
        "sara.lindqvist@example.com",
        "Sara Lindqvist",
        "2022-04-01",
        "2025-06-30",
        "employee",
    ),
    (
        "tom.becker@example.com",
        "Tom Becker",
        "2021-05-03",
        "",
        "employee",
    ),
    (
        "lena.fischer@example.com",
        "Lena Fischer",
        "2022-01-10",
        "",
        "employee",
    ),
    (
        "omar.haddad@example.com",
        "Omar Haddad",
        "2020-11-02",
        "",
        "employee",
    ),
    (
        "ana.lima@example.com",
        "Ana Lima",
        "2020-02-03",
        "",
        "employee",
    ),
    (
        "claire.dubois@example.com",
        "Claire Dubois",
        "2021-09-01",
        "",
        "employee",
    ),
    (
        "ravi.menon@example.com",
        "Ravi Menon",
        "2021-01-11",
        "",
        "employee",
    ),
    (
        "jonas.berg@example.com",
        "Jonas Berg",
        "2022-06-01",
        "",
        "employee",
    ),
    (
        "mei.chen@example.com",
        "Mei Chen",
        "2023-02-06",
        "",
        "employee",
    ),
    (
        "luca.romano@example.com",
        "Luca Romano",
        "2024-03-04",
        "",
        "employee",
    ),
    (
        "nora.quist@example.com",
        "Nora Quist",
        "2025-10-06",
        "",
        "employee",
    ),
    (
        "piet.vos@contractors.example.net",
        "Piet Vos",
        "2024-10-01",
        "",
        "contractor",
    ),
];

/// Someone who signs their commits with SSH: a fixed key made from a seed, so the demo repeats.
struct Signer {
    person: Person,
    key: PrivateKey,
}

impl Signer {
    fn new(person: Person) -> Result<Signer, String> {
        use sha2::{Digest, Sha256};
        let seed: [u8; 32] =
            Sha256::digest(format!("policybook demo key: {}", person.email)).into();
        let key = PrivateKey::new(
            Ed25519Keypair::from_seed(&seed).into(),
            person.email.to_string(),
        )
        .map_err(|e| e.to_string())?;
        Ok(Signer { person, key })
    }

    /// Its line of git's allowed-signers file.
    fn allowed_signer(&self) -> Result<String, String> {
        let public = self
            .key
            .public_key()
            .to_openssh()
            .map_err(|e| e.to_string())?;
        Ok(format!("{} {public}\n", self.person.email))
    }
}

/// A pull request of the export: number, title, author, merge commit, files, reviews.
struct PullRequest {
    number: u32,
    title: String,
    author: Person,
    merged_at: String,
    merge: Oid,
    files: Vec<String>,
    /// (reviewer, state, submitted at)
    reviews: Vec<(Person, &'static str, String)>,
}

/// The repository being written, and the files of its working tree.
struct Demo {
    dir: PathBuf,
    repo: Repository,
    files: BTreeMap<String, String>,
    prs: Vec<PullRequest>,
}

/// Creates the demo handbook in `dir` (empty or new). Returns the files of its last commit.
pub fn init_demo(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    super::ensure_empty(dir)?;
    if git2::Repository::discover(dir).is_ok_and(|r| r.workdir().is_some_and(|w| !same(w, dir))) {
        return Err(Diagnostic::error(format!(
            "{} is inside another git repository",
            dir.display()
        ))
        .hint("the demo makes a repository of its own, with its own history: pick a folder outside any repository"));
    }
    write_demo(dir).map_err(|e| {
        Diagnostic::error(format!("cannot write the demo: {e}"))
            .hint("remove the folder's contents and try again")
    })
}

fn same(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn write_demo(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(dir, &opts).map_err(|e| e.message().to_string())?;
    let mut demo = Demo {
        dir: dir.to_path_buf(),
        repo,
        files: BTreeMap::new(),
        prs: Vec::new(),
    };
    let daniel = Signer::new(DANIEL)?;
    let tom = Signer::new(TOM)?;
    demo.adopt(&daniel, &tom)?;
    demo.year(&daniel, &tom)?;
    Ok(demo.files.keys().map(|k| dir.join(k)).collect())
}

impl Demo {
    /// January: the handbook, its register, people, keys, roster and settings, approved by the
    /// roles its documents name; then the first acknowledgements.
    fn adopt(&mut self, daniel: &Signer, tom: &Signer) -> Result<(), String> {
        // Tom Becker signs from January on; his key is in allowed_signers from the start.
        let site = format!(
            "{}\n{}",
            back_a_year(SITE),
            "# The demo's evidence sources (see the README's \"People and roles\" and \"Acknowledgements\").\n\
             [reviews]\npull_requests = \"reviews/*.json\"\n\n\
             [signatures]\nallowed_signers = \"allowed_signers\"\n\n\
             [acknowledgements]\nfiles = \"acknowledgements/*.csv\"\nroster = \"roster.csv\"\n\
             required = [\"policy\"]\nwithin_days = 30\nrenew = \"annual\"\n"
        );
        self.put("site.toml", &site);
        self.put("controls.yaml", &back_a_year(REGISTER));
        self.put("people.yaml", &people_before_july()?);
        self.put(
            "allowed_signers",
            &format!("{}{}", daniel.allowed_signer()?, tom.allowed_signer()?),
        );
        self.put("roster.csv", &roster());
        self.put(".gitignore", "/public/\n/evidence/\n");
        for f in markdown_files(&POLICIES) {
            let rel = format!("policies/{}", f.path().display());
            if rel.starts_with("policies/exceptions/") {
                continue; // granted in November
            }
            let text = f.contents_utf8().ok_or("a document is not UTF-8")?;
            let text = set_effective(&back_a_year(text), EFFECTIVE);
            self.put(&rel, &text);
        }
        self.commit(
            LUCA,
            ADOPTED,
            &format!(
                "Adopt the security handbook\n\n{}",
                reviewed_by(&[MAYA, HELEN, DANIEL, SARA, ANA, CLAIRE, OMAR])
            ),
            None,
        )?;
        let acks = self.acknowledgements(&[], "2025-01-2", ("", ""), false);
        self.put("acknowledgements/2025-q1.csv", &acks);
        self.commit(
            ANA,
            "2025-02-03T10:00:00Z",
            "Acknowledgements, January",
            None,
        )?;
        Ok(())
    }

    /// February to December.
    fn year(&mut self, daniel: &Signer, tom: &Signer) -> Result<(), String> {
        // March: a change through a pull request, approved by the CTO.
        self.edit(
            "policies/access-control.md",
            &[
                ("version: \"2.3\"", "version: \"2.4\""),
                ("effective: 2025-01-15", "effective: 2025-03-17"),
                (
                    "4. When someone changes role, access they no longer need is removed within five working days.",
                    "4. When someone changes role, access they no longer need is removed within five working days,\n   triggered by the role change in the HR system.",
                ),
            ],
        )?;
        self.pull_request(
            12,
            "Access control 2.4: role changes trigger removal",
            JONAS,
            "2025-03-14T15:00:00Z",
            &[(SARA, "APPROVED", "2025-03-14T11:20:00Z")],
            None,
        )?;
        // May: the CISO's change, approved by the Head of People in the pull request.
        self.edit(
            "policies/acceptable-use.md",
            &[
                ("version: \"2.2\"", "version: \"2.3\""),
                ("effective: 2025-01-15", "effective: 2025-05-26"),
                (
                    "Browser extensions and AI tools that can read company\ndata need approval from the security team first.",
                    "Browser extensions and AI assistants that can read company\ndata need approval from the security team first; the approved ones are listed in the software\ncatalogue.",
                ),
            ],
        )?;
        self.pull_request(
            15,
            "Acceptable use: approved AI assistants",
            DANIEL,
            "2025-05-22T09:30:00Z",
            &[(ANA, "APPROVED", "2025-05-22T09:00:00Z")],
            None,
        )?;
        // July: Sara Lindqvist leaves; Tom Becker becomes CTO, Lena Fischer heads platform
        // engineering.
        self.put("people.yaml", &back_a_year(PEOPLE));
        self.commit(
            ANA,
            "2025-07-01T08:30:00Z",
            &format!(
                "People: Tom Becker becomes CTO, Lena Fischer heads platform engineering\n\n{}",
                reviewed_by(&[MAYA])
            ),
            None,
        )?;
        // August: a change approved by the new CTO; the former CTO's review no longer counts.
        self.edit(
            "policies/vulnerability-management.md",
            &[
                ("effective: 2025-01-15", "effective: 2025-08-25"),
                (
                    "| Critical, or known to be exploited | 7 days |",
                    "| Critical, or known to be exploited | 7 days (48 hours when exposed to the internet) |",
                ),
            ],
        )?;
        self.bump_version("policies/vulnerability-management.md")?;
        self.pull_request(
            21,
            "Vulnerability management: internet-facing criticals within 48 hours",
            LENA,
            "2025-08-20T16:00:00Z",
            &[
                (SARA, "APPROVED", "2025-08-19T10:00:00Z"),
                (TOM, "APPROVED", "2025-08-20T14:00:00Z"),
            ],
            None,
        )?;
        // September: the CISO approves his own change by trailer (refused: he wrote it); the
        // CEO's review of the pull request counts.
        self.edit(
            "policies/personnel-security.md",
            &[("effective: 2025-01-15", "effective: 2025-09-15")],
        )?;
        self.bump_version("policies/personnel-security.md")?;
        self.edit(
            "policies/personnel-security.md",
            &[(
                "- Engineers also complete secure development training each year",
                "- People with administrative access also complete a yearly session on social engineering.\n- Engineers also complete secure development training each year",
            )],
        )?;
        self.pull_request(
            18,
            "Personnel security: social engineering training for administrators",
            DANIEL,
            "2025-09-10T12:00:00Z",
            &[(MAYA, "APPROVED", "2025-09-10T11:00:00Z")],
            Some((&reviewed_by(&[DANIEL]), daniel)),
        )?;
        // September: acknowledgements of the new versions, one late, one missing.
        let acks = self.acknowledgements(
            &[
                ("acceptable-use", "2025-06-1"),
                ("access-control", "2025-03-2"),
                ("vulnerability-management", "2025-09-0"),
                ("personnel-security", "2025-09-2"),
            ],
            "",
            (
                "piet.vos@contractors.example.net",
                "vulnerability-management",
            ),
            false,
        );
        self.put("acknowledgements/2025-q3.csv", &acks);
        self.commit(
            ANA,
            "2025-09-30T10:00:00Z",
            "Acknowledgements, second and third quarters",
            None,
        )?;
        // November: the autumn joiner's acknowledgements.
        let acks = self.acknowledgements(&[], "", ("", ""), true);
        self.put("acknowledgements/2025-q4.csv", &acks);
        self.commit(
            ANA,
            "2025-11-03T10:00:00Z",
            "Acknowledgements, October joiners",
            None,
        )?;
        // November: an exception, approved by the CISO.
        let exception = POLICIES
            .get_file("exceptions/legacy-billing-sso.md")
            .and_then(|f| f.contents_utf8())
            .ok_or("the sample's example exception is missing")?;
        self.put(
            "policies/exceptions/legacy-billing-sso.md",
            &back_a_year(exception),
        );
        self.commit(
            OMAR,
            "2025-11-30T11:00:00Z",
            &format!(
                "Exception: billing tool without single sign-on until May\n\n{}",
                reviewed_by(&[DANIEL])
            ),
            None,
        )?;
        // December: the annual review of every document, signed by the CISO; then the export of
        // the year's pull requests.
        let ids: Vec<String> = self.documents().map(|(id, _)| id).collect();
        self.commit(
            DANIEL,
            "2025-12-01T09:00:00Z",
            &format!(
                "Annual review of the handbook\n\nReviews: {}\n{}",
                ids.join(", "),
                reviewed_by(&[DANIEL, MAYA, HELEN, TOM, ANA, CLAIRE, OMAR])
            ),
            Some(daniel),
        )?;
        let export = self.pr_export();
        self.put("reviews/2025.json", &export);
        self.commit(
            TOM,
            "2025-12-15T17:00:00Z",
            "Reviews: the year's pull requests (gh pr list)",
            Some(tom),
        )?;
        Ok(())
    }

    /// The handbook's documents (not the exceptions), as (id, text), in path order.
    fn documents(&self) -> impl Iterator<Item = (String, &String)> {
        self.files.iter().filter_map(|(p, t)| {
            let below = p.strip_prefix("policies/")?;
            if below.starts_with("exceptions/") {
                return None;
            }
            let id = below.rsplit('/').next()?.strip_suffix(".md")?;
            Some((id.to_string(), t))
        })
    }

    fn put(&mut self, rel: &str, text: &str) {
        self.files.insert(rel.to_string(), text.to_string());
    }

    /// Replaces each `(old, new)` in the file once; every one must be there.
    fn edit(&mut self, rel: &str, changes: &[(&str, &str)]) -> Result<(), String> {
        let text = self.files.get(rel).ok_or(format!("{rel} is missing"))?;
        let mut text = text.clone();
        for (old, new) in changes {
            if !text.contains(old) {
                return Err(format!("{rel} no longer says {old:?}"));
            }
            text = text.replacen(old, new, 1);
        }
        self.put(rel, &text);
        Ok(())
    }

    /// `version: "1.3"` → `"1.4"`.
    fn bump_version(&mut self, rel: &str) -> Result<(), String> {
        let text = self.files.get(rel).ok_or(format!("{rel} is missing"))?;
        let old = front_value(text, "version").ok_or(format!("{rel} has no version"))?;
        let new = match old.rsplit_once('.') {
            Some((major, minor)) => format!(
                "{major}.{}",
                minor.parse::<u32>().map_err(|e| e.to_string())? + 1
            ),
            None => format!("{old}.1"),
        };
        self.edit(
            rel,
            &[(
                &format!("version: \"{old}\""),
                &format!("version: \"{new}\""),
            )],
        )
    }

    /// Commits the working files as a squash-merged pull request `#number` and records it for
    /// the export. `trailer` adds a trailer approval, signed by the given signer.
    fn pull_request(
        &mut self,
        number: u32,
        title: &str,
        author: Person,
        merged_at: &str,
        reviews: &[(Person, &'static str, &str)],
        trailer: Option<(&str, &Signer)>,
    ) -> Result<(), String> {
        let changed = self.changed_files()?;
        let message = match trailer {
            Some((lines, _)) => format!("{title} (#{number})\n\n{lines}"),
            None => format!("{title} (#{number})"),
        };
        let merge = self.commit(author, merged_at, &message, trailer.map(|(_, s)| s))?;
        self.prs.push(PullRequest {
            number,
            title: title.to_string(),
            author,
            merged_at: merged_at.to_string(),
            merge,
            files: changed,
            reviews: reviews
                .iter()
                .map(|(p, state, at)| (*p, *state, at.to_string()))
                .collect(),
        });
        Ok(())
    }

    /// The files whose text differs from HEAD's.
    fn changed_files(&self) -> Result<Vec<String>, String> {
        let head = self
            .repo
            .head()
            .and_then(|h| h.peel_to_tree())
            .map_err(|e| e.message().to_string())?;
        let mut out = Vec::new();
        for (rel, text) in &self.files {
            let same = head
                .get_path(Path::new(rel))
                .ok()
                .and_then(|e| self.repo.find_blob(e.id()).ok())
                .is_some_and(|b| b.content() == text.as_bytes());
            if !same {
                out.push(rel.clone());
            }
        }
        Ok(out)
    }

    /// Writes the files and commits them all as `who` at `when`, signed with `signer` if given.
    fn commit(
        &mut self,
        who: Person,
        when: &str,
        message: &str,
        signer: Option<&Signer>,
    ) -> Result<Oid, String> {
        for (rel, text) in &self.files {
            let path = self.dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, text).map_err(|e| e.to_string())?;
        }
        let git = |e: git2::Error| e.message().to_string();
        let mut index = self.repo.index().map_err(git)?;
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .map_err(git)?;
        index.write().map_err(git)?;
        let tree = self
            .repo
            .find_tree(index.write_tree().map_err(git)?)
            .map_err(git)?;
        let at: jiff::Timestamp = when.parse().map_err(|e: jiff::Error| e.to_string())?;
        let sig =
            Signature::new(who.name, who.email, &Time::new(at.as_second(), 0)).map_err(git)?;
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let message = if message.ends_with('\n') {
            message.to_string()
        } else {
            format!("{message}\n")
        };
        let oid = match signer {
            None => self
                .repo
                .commit(Some("HEAD"), &sig, &sig, &message, &tree, &parents)
                .map_err(git)?,
            Some(s) => {
                let buf = self
                    .repo
                    .commit_create_buffer(&sig, &sig, &message, &tree, &parents)
                    .map_err(git)?;
                let text = std::str::from_utf8(&buf).map_err(|e| e.to_string())?;
                let armored = s
                    .key
                    .sign("git", HashAlg::Sha512, text.as_bytes())
                    .and_then(|sig| sig.to_pem(LineEnding::LF))
                    .map_err(|e| e.to_string())?;
                let oid = self.repo.commit_signed(text, &armored, None).map_err(git)?;
                self.repo
                    .reference("refs/heads/main", oid, true, "signed commit")
                    .map_err(git)?;
                oid
            }
        };
        Ok(oid)
    }

    /// An acknowledgement export: everyone in the roster since January acknowledges every policy
    /// at its current version on a day starting with `day` (`"2025-01-2"` → the 21st to 29th);
    /// with `only`, just those documents, each on its own day; `missing` (person, document) is
    /// never acknowledged. With
    /// `joiners`, only those who started later, each in their first weeks.
    fn acknowledgements(
        &self,
        only: &[(&str, &str)],
        day: &str,
        missing: (&str, &str),
        joiners: bool,
    ) -> String {
        let mut out = String::from("email,document,version,date\n");
        let policies: Vec<(String, String)> = self
            .documents()
            .filter(|(_, t)| front_value(t, "kind").is_none_or(|k| k == "policy"))
            .filter_map(|(id, t)| Some((id, front_value(t, "version")?)))
            .collect();
        for (n, (email, _, start, end, _)) in ROSTER.iter().enumerate() {
            let joined_later = *start > "2025-02-01";
            if joined_later != joiners {
                continue;
            }
            for (id, version) in &policies {
                if (*email, id.as_str()) == missing {
                    continue;
                }
                let date = if joiners {
                    add_days(start, 14 + (n % 5) as i64)
                } else {
                    let day = match only.iter().find(|(d, _)| d == id) {
                        Some((_, d)) => *d,
                        None if only.is_empty() => day,
                        None => continue,
                    };
                    format!("{day}{}", 1 + n % 9)
                };
                if !end.is_empty() && date.as_str() > *end {
                    continue;
                }
                // The contractor acknowledges acceptable use late.
                let date = if *email == "piet.vos@contractors.example.net" && id == "acceptable-use"
                {
                    "2025-07-14".to_string()
                } else {
                    date
                };
                out.push_str(&format!("{email},{id},{version},{date}\n"));
            }
        }
        out
    }

    /// The pull requests as `gh pr list --json number,title,author,mergedAt,mergeCommit,
    /// headRefOid,files,reviews` writes them.
    fn pr_export(&self) -> String {
        let prs: Vec<serde_json::Value> = self
            .prs
            .iter()
            .map(|pr| {
                let head = format!("{:040x}", pr.number);
                serde_json::json!({
                    "number": pr.number,
                    "title": pr.title,
                    "author": {"login": pr.author.login},
                    "mergedAt": pr.merged_at,
                    "mergeCommit": {"oid": pr.merge.to_string()},
                    "headRefOid": head,
                    "files": pr.files.iter().map(|f| serde_json::json!({"path": f, "additions": 1, "deletions": 1})).collect::<Vec<_>>(),
                    "reviews": pr.reviews.iter().map(|(p, state, at)| serde_json::json!({
                        "author": {"login": p.login},
                        "state": state,
                        "submittedAt": at,
                        "commit": {"oid": head},
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&prs).unwrap_or_else(|_| "[]".into());
        text.push('\n');
        text
    }
}

/// `people.yaml` as it stood before July: Sara Lindqvist still CTO, Tom Becker still head of
/// platform engineering, Lena Fischer not yet in a role.
fn people_before_july() -> Result<String, String> {
    let mut text = back_a_year(PEOPLE);
    for (old, new) in [
        (
            "      until: 2025-06-30             # left the company\n",
            "",
        ),
        (
            "      until: 2025-06-30\n    - role: Chief Technology Officer # the role change of the year\n      from: 2025-07-01\n",
            "",
        ),
    ] {
        if !text.contains(old) {
            return Err(
                "the sample's people.yaml no longer has the role change the demo replays".into(),
            );
        }
        text = text.replacen(old, new, 1);
    }
    let start = text
        .find("- name: Lena Fischer")
        .ok_or("the sample's people.yaml has no Lena Fischer")?;
    let end = text[start + 1..]
        .find("\n- name:")
        .map_or(text.len(), |e| start + 1 + e + 1);
    text.replace_range(start..end, "");
    Ok(text)
}

/// Every Markdown file below `dir`, in path order.
fn markdown_files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in d.entries() {
            match e {
                include_dir::DirEntry::Dir(sub) => stack.push(sub),
                include_dir::DirEntry::File(f) => {
                    if f.path().extension().is_some_and(|x| x == "md") {
                        out.push(f);
                    }
                }
            }
        }
    }
    out.sort_by_key(|f| f.path());
    out
}

/// `Reviewed-by:` trailers for `people`, one line each.
fn reviewed_by(people: &[Person]) -> String {
    people
        .iter()
        .map(|p| format!("Reviewed-by: {} <{}>\n", p.name, p.email))
        .collect()
}

/// The roster CSV.
fn roster() -> String {
    let mut out = String::from("email,name,start,end,type\n");
    for (email, name, start, end, kind) in ROSTER {
        out.push_str(&format!("{email},{name},{start},{end},{kind}\n"));
    }
    out
}

/// Every `YYYY-MM-DD` date in `text` one year earlier (the sample is dated for its own release;
/// the demo replays the year before).
fn back_a_year(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let is_date = i + 10 <= bytes.len()
            && bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && bytes[i + 4] == b'-'
            && bytes[i + 5..i + 7].iter().all(u8::is_ascii_digit)
            && bytes[i + 7] == b'-'
            && bytes[i + 8..i + 10].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit());
        if is_date && let Ok(year) = text[i..i + 4].parse::<u32>() {
            out.push_str(&format!("{:04}", year.saturating_sub(1)));
            i += 4;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The document with its `effective:` set to `date`.
fn set_effective(text: &str, date: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with("effective:") {
                format!("effective: {date}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// A front-matter value, unquoted (`version: "2.3"` → `2.3`).
fn front_value(text: &str, key: &str) -> Option<String> {
    let front = text.strip_prefix("---\n")?;
    let front = &front[..front.find("\n---")?];
    front.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?.trim();
        Some(v.trim_matches('"').to_string())
    })
}

fn add_days(date: &str, days: i64) -> String {
    date.parse::<jiff::civil::Date>()
        .ok()
        .and_then(|d| d.checked_add(jiff::Span::new().days(days)).ok())
        .map_or_else(|| date.to_string(), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_move_back_a_year_and_nothing_else_changes() {
        assert_eq!(
            back_a_year("effective: 2026-11-30, v2.3, 12026-01-01x, 2024-02-28"),
            "effective: 2025-11-30, v2.3, 12026-01-01x, 2023-02-28"
        );
        assert_eq!(back_a_year("ünïcode 2026-01-01"), "ünïcode 2025-01-01");
    }

    #[test]
    fn people_before_july_has_no_role_change_yet() {
        let text = people_before_july().expect("the sample has the role change");
        assert!(!text.contains("Lena Fischer"));
        assert!(!text.contains("until: 2025-06-30"));
        assert!(text.contains("Tom Becker") && text.contains("Sara Lindqvist"));
    }
}
