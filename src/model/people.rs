//! People and the roles they hold over time (`people.yaml`). Documents and controls name roles
//! ("CISO") because roles survive people changing jobs; this register says who held each role
//! when, so that an approval can be checked against the role its approver held on that day.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;

/// The people file beside `site.toml`.
pub const PEOPLE_FILE: &str = "people.yaml";

/// A role held between two dates (both inclusive; open ends mean "always" and "still").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpan {
    /// "CISO".
    pub role: String,
    /// First day held.
    pub from: Option<Date>,
    /// Last day held; `None` while still held.
    pub until: Option<Date>,
    /// Line in `people.yaml`.
    pub line: usize,
}

impl RoleSpan {
    /// Held on `day` (`None`: at any time).
    pub fn covers(&self, day: Option<Date>) -> bool {
        day.is_none_or(|d| self.from.is_none_or(|f| f <= d) && self.until.is_none_or(|u| d <= u))
    }
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Their name, as trailers and front matter write it.
    pub name: String,
    /// Addresses their git identities and trailers use.
    pub emails: Vec<String>,
    /// User names on the hosting service (for pull-request reviews).
    pub logins: Vec<String>,
    /// The roles they held, with dates.
    pub roles: Vec<RoleSpan>,
    /// The line of their entry.
    pub line: usize,
}

impl Person {
    /// Whether they held `role` on `day`.
    pub fn holds(&self, role: &str, day: Option<Date>) -> bool {
        self.roles
            .iter()
            .any(|r| r.role.eq_ignore_ascii_case(role) && r.covers(day))
    }
}

/// Everyone in `people.yaml`.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// In file order.
    pub persons: Vec<Person>,
    /// The file, as messages show it (`None` without one).
    pub file: Option<PathBuf>,
    /// Its text, to show lines in messages.
    pub source: Arc<str>,
}

impl People {
    /// Whether the handbook has a people file: without one, approvers are not checked.
    pub fn exists(&self) -> bool {
        self.file.is_some()
    }

    /// The person with this email address (case-insensitive).
    pub fn by_email(&self, email: &str) -> Option<&Person> {
        self.persons
            .iter()
            .find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
    }

    /// The person with this login on the hosting service (case-insensitive).
    pub fn by_login(&self, login: &str) -> Option<&Person> {
        self.persons
            .iter()
            .find(|p| p.logins.iter().any(|l| l.eq_ignore_ascii_case(login)))
    }

    /// The person with this name (case-insensitive, spaces normalised).
    pub fn by_name(&self, name: &str) -> Option<&Person> {
        let norm = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let want = norm(name);
        self.persons.iter().find(|p| norm(&p.name) == want)
    }

    /// The person a `Name <email>` identity (or a bare name or email) belongs to: by email first.
    pub fn identify(&self, identity: &str) -> Option<&Person> {
        let (name, email) = split_identity(identity);
        email
            .and_then(|e| self.by_email(e))
            .or_else(|| self.by_email(name))
            .or_else(|| self.by_name(name))
    }

    /// Everyone who held `role` on `day`.
    pub fn holders(&self, role: &str, day: Option<Date>) -> Vec<&Person> {
        self.persons.iter().filter(|p| p.holds(role, day)).collect()
    }

    /// Every role named, each once, in first-mention order.
    pub fn roles(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in self.persons.iter().flat_map(|p| &p.roles) {
            if !out.iter().any(|x| x.eq_ignore_ascii_case(&r.role)) {
                out.push(&r.role);
            }
        }
        out
    }

    /// Whether `name` is a role someone holds (at any time).
    pub fn is_role(&self, name: &str) -> bool {
        self.roles().iter().any(|r| r.eq_ignore_ascii_case(name))
    }
}

/// `Jane Doe <jane@example.com>` → (`Jane Doe`, `Some("jane@example.com")`).
pub fn split_identity(identity: &str) -> (&str, Option<&str>) {
    match identity.trim().split_once('<') {
        Some((name, rest)) => (name.trim(), rest.split('>').next().map(str::trim)),
        None => (identity.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn people() -> People {
        let span = |role: &str, from, until| RoleSpan {
            role: role.into(),
            from,
            until,
            line: 0,
        };
        People {
            persons: vec![
                Person {
                    name: "Jane Doe".into(),
                    emails: vec!["jane@example.com".into()],
                    logins: vec!["jdoe".into()],
                    roles: vec![span(
                        "CISO",
                        Some(date(2023, 1, 1)),
                        Some(date(2025, 6, 30)),
                    )],
                    line: 1,
                },
                Person {
                    name: "Raj Patel".into(),
                    emails: vec!["raj@example.com".into()],
                    logins: vec![],
                    roles: vec![span("CISO", Some(date(2025, 7, 1)), None)],
                    line: 8,
                },
            ],
            file: Some("people.yaml".into()),
            source: Arc::from(""),
        }
    }

    #[test]
    fn roles_are_held_between_their_dates() {
        let p = people();
        let names = |d| {
            p.holders("ciso", Some(d))
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(date(2025, 6, 30)), ["Jane Doe"]);
        assert_eq!(names(date(2025, 7, 1)), ["Raj Patel"]);
        assert!(names(date(2022, 12, 31)).is_empty());
        assert_eq!(p.roles(), ["CISO"]);
        assert_eq!(
            p.identify("JANE DOE <Jane@Example.com>").map(|x| x.line),
            Some(1)
        );
        assert_eq!(p.identify("Raj  Patel").map(|x| x.line), Some(8));
        assert!(p.identify("Someone <x@y>").is_none());
        assert_eq!(split_identity("A B <a@b>"), ("A B", Some("a@b")));
    }
}
