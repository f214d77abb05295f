//! Acknowledgements: the population that must acknowledge policies (the HR roster) and who
//! acknowledged which document's version when (rows exported by e-sign and HR tools).

use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

/// Employee or contractor, as the roster's `type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberType {
    /// On the payroll.
    Employee,
    /// Engaged through a contract.
    Contractor,
}

impl MemberType {
    /// As the roster and exports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberType::Employee => "employee",
            MemberType::Contractor => "contractor",
        }
    }
}

/// A person of the roster: in the population from `start` to `end` (inclusive).
#[derive(Debug, Clone)]
pub struct Member {
    /// Lower-cased.
    pub email: String,
    /// As the roster writes it.
    pub name: String,
    /// First day.
    pub start: Date,
    /// Last day, for people who left.
    pub end: Option<Date>,
    /// Employee or contractor.
    pub kind: MemberType,
}

impl Member {
    /// Whether they were in the population on `day`.
    pub fn present_on(&self, day: Date) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    /// Whether they were in the population at some time from `since` to `until`.
    pub fn present_during(&self, since: Date, until: Date) -> bool {
        self.start <= until && self.end.is_none_or(|e| since <= e)
    }
}

/// One acknowledgement: `email` acknowledged version `version` of document `document` on `date`.
#[derive(Debug, Clone)]
pub struct Ack {
    /// Lower-cased.
    pub email: String,
    /// The document's id.
    pub document: String,
    /// The version acknowledged, as written (compared with `same_version`).
    pub version: String,
    /// When.
    pub date: Date,
    /// Where the row is, for messages and evidence.
    pub file: Arc<PathBuf>,
    /// Its line.
    pub line: usize,
}

impl Ack {
    /// `file:line`.
    pub fn source(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// Whether two version strings name the same version: `1.2`, `v1.2` and ` V1.2 ` do.
pub fn same_version(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let s = s.trim();
        s.strip_prefix(['v', 'V']).unwrap_or(s).to_string()
    };
    norm(a) == norm(b)
}

/// The roster and the acknowledgement rows, as read.
#[derive(Debug, Clone, Default)]
pub struct AckSources {
    /// `[acknowledgements] files` is set.
    pub configured: bool,
    /// The roster, in file order.
    pub roster: Vec<Member>,
    /// Every row of every acknowledgement file, in file and line order.
    pub acks: Vec<Ack>,
}

/// Where one person stands with one document on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AckStatus {
    /// Not acknowledged, and past the due date.
    Outstanding,
    /// Acknowledged, but the renewal period has passed since.
    Lapsed,
    /// Acknowledged, after the due date.
    Late,
    /// Not acknowledged yet, and not due yet.
    Pending,
    /// Acknowledged by the due date.
    Acknowledged,
}

impl AckStatus {
    /// As pages and exports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            AckStatus::Outstanding => "outstanding",
            AckStatus::Lapsed => "lapsed",
            AckStatus::Late => "late",
            AckStatus::Pending => "pending",
            AckStatus::Acknowledged => "acknowledged",
        }
    }

    /// The current version is acknowledged and the acknowledgement has not lapsed.
    pub fn done(self) -> bool {
        matches!(self, AckStatus::Acknowledged | AckStatus::Late)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_without_a_leading_v() {
        assert!(same_version("1.2", "v1.2"));
        assert!(same_version(" V1.2 ", "1.2"));
        assert!(!same_version("1.2", "1.3"));
    }
}
