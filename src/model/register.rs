//! The organisation's controls: what it actually does, by whom, how often, with what evidence,
//! each mapped to the criteria it meets. An auditor tests these, not policies; documents and
//! sections say which of them they describe. Read from `controls.yaml` (or `controls/*.yaml`).

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::{ControlRef, Spanned};

/// The register file beside `site.toml`.
pub const REGISTER_FILE: &str = "controls.yaml";
/// Or a folder of register files, merged.
pub const REGISTER_DIR: &str = "controls";

/// Declares an enum read from a fixed set of YAML words, with those words in one place.
macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $word)] $variant),+
        }

        impl $name {
            /// How the register writes each, in order.
            pub const NAMES: &'static [&'static str] = &[$($word),+];

            /// The value the register names `s`.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($word => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// How the register writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use words;

words! {
    /// How often a control operates.
    Frequency {
        /// All the time (an automated block, a configuration).
        Continuous = "continuous",
        /// Each time something happens (each hire, each change).
        PerEvent = "per-event",
        /// Every day.
        Daily = "daily",
        /// Every week.
        Weekly = "weekly",
        /// Every month.
        Monthly = "monthly",
        /// Every three months.
        Quarterly = "quarterly",
        /// Every six months.
        Semiannual = "semiannual",
        /// Every year.
        Annual = "annual",
    }
}

impl Frequency {
    /// Months between occurrences, for periodic controls of a month or more.
    pub fn months(self) -> Option<u32> {
        match self {
            Frequency::Monthly => Some(1),
            Frequency::Quarterly => Some(3),
            Frequency::Semiannual => Some(6),
            Frequency::Annual => Some(12),
            _ => None,
        }
    }
}

words! {
    /// What a control does about a risk.
    ControlType {
        /// Stops it happening.
        Preventive = "preventive",
        /// Finds it when it happens.
        Detective = "detective",
        /// Puts it right afterwards.
        Corrective = "corrective",
    }
}

words! {
    /// Who or what performs a control.
    Automation {
        /// A person.
        Manual = "manual",
        /// A system, without a person.
        Automated = "automated",
        /// A person, using what a system produces (a report, a ticket queue).
        ItDependent = "it-dependent",
    }
}

words! {
    /// Where a control stands.
    ControlStatus {
        /// Designed and operating.
        Implemented = "implemented",
        /// Operating in part.
        Partial = "partial",
        /// Not operating yet.
        Planned = "planned",
        /// No longer operating.
        Retired = "retired",
    }
}

/// Whose control it is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum Responsibility {
    /// The organisation's own.
    Organization,
    /// The customer's: a complementary user entity control (CUEC).
    Customer,
    /// A subservice organisation's: a complementary subservice organisation control (CSOC).
    Subservice(String),
}

impl Responsibility {
    /// `organization`, `customer`, `subservice:<name>`.
    pub fn parse(s: &str) -> Option<Responsibility> {
        match s {
            "organization" => Some(Responsibility::Organization),
            "customer" => Some(Responsibility::Customer),
            other => other
                .strip_prefix("subservice:")
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| Responsibility::Subservice(n.to_string())),
        }
    }
}

impl fmt::Display for Responsibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Responsibility::Organization => f.write_str("organization"),
            Responsibility::Customer => f.write_str("customer"),
            Responsibility::Subservice(name) => write!(f, "subservice:{name}"),
        }
    }
}

impl From<Responsibility> for String {
    fn from(r: Responsibility) -> String {
        r.to_string()
    }
}

/// What an auditor will ask for to test a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceItem {
    /// "Access review ticket with reviewer sign-off".
    pub name: String,
    /// Where it lives: "Jira".
    pub system: Option<String>,
    /// What the auditor samples from: "each quarterly review".
    pub population: Option<String>,
}

/// One control of the register.
#[derive(Debug, Clone)]
pub struct RegControl {
    /// `ACC-02`, with its line.
    pub id: Spanned<String>,
    /// A short name.
    pub title: String,
    /// What is done, by whom, how often (Markdown).
    pub statement: String,
    /// The role that performs it.
    pub owner: String,
    /// How often it operates.
    pub frequency: Frequency,
    /// Preventive, detective or corrective.
    pub control_type: Option<ControlType>,
    /// Manual, automated or IT-dependent.
    pub automation: Option<Automation>,
    /// Implemented, partial, planned or retired (default implemented).
    pub status: ControlStatus,
    /// When it started operating.
    pub since: Option<Spanned<jiff::civil::Date>>,
    /// When it stopped.
    pub until: Option<Spanned<jiff::civil::Date>>,
    /// For a retired control: the one that took over.
    pub replaced_by: Option<Spanned<String>>,
    /// The criteria it meets, each with its line.
    pub criteria: Vec<ControlRef>,
    /// What an auditor will ask for.
    pub evidence: Vec<EvidenceItem>,
    /// Whose control it is (default the organisation's).
    pub responsibility: Responsibility,
    /// The line that sets it (the id's line by default), for messages.
    pub responsibility_line: usize,
    /// The register file it is in, as messages show it.
    pub file: PathBuf,
    /// That file's text, to show lines in messages.
    pub source: std::sync::Arc<str>,
}

words! {
    /// A change to the set of controls that a SOC 2 system description discloses.
    ControlChange {
        /// Started operating (`since`).
        Introduced = "introduced",
        /// Stopped operating (`status: retired`, `until`), with nothing named to take over.
        Retired = "retired",
        /// Stopped operating and `replaced_by` another control.
        Replaced = "replaced",
    }
}

impl RegControl {
    /// How the control changed within `[from, to]` (both inclusive): introduced when its `since`
    /// falls after `from` (a control operating since before the period is no change), retired or
    /// replaced when it is retired and its `until` falls within. Either bound may be open.
    pub fn changes_within(
        &self,
        from: Option<jiff::civil::Date>,
        to: Option<jiff::civil::Date>,
    ) -> Vec<(ControlChange, jiff::civil::Date)> {
        let inside = |d: jiff::civil::Date, strict_start: bool| {
            from.is_none_or(|f| if strict_start { d > f } else { d >= f })
                && to.is_none_or(|t| d <= t)
        };
        let mut out = Vec::new();
        if let Some(s) = self.since
            && inside(s.value, true)
        {
            out.push((ControlChange::Introduced, s.value));
        }
        if self.status == ControlStatus::Retired
            && let Some(u) = self.until
            && inside(u.value, false)
        {
            let kind = if self.replaced_by.is_some() {
                ControlChange::Replaced
            } else {
                ControlChange::Retired
            };
            out.push((kind, u.value));
        }
        out
    }

    /// Its evidence items as a published page shows them: with systems and populations only
    /// when `details` (`[publish] evidence_details`, or the audit's own `evidence` copy).
    pub fn evidence_shown(&self, details: bool) -> Vec<EvidenceItem> {
        self.evidence
            .iter()
            .map(|e| EvidenceItem {
                name: e.name.clone(),
                system: e.system.clone().filter(|_| details),
                population: e.population.clone().filter(|_| details),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_responsibilities_parse() {
        for w in Frequency::NAMES {
            assert_eq!(Frequency::parse(w).map(Frequency::as_str), Some(*w));
        }
        assert_eq!(Frequency::parse("yearly"), None);
        assert_eq!(Frequency::Quarterly.months(), Some(3));
        assert_eq!(Frequency::PerEvent.months(), None);
        assert_eq!(
            Responsibility::parse("subservice: AWS"),
            Some(Responsibility::Subservice("AWS".into()))
        );
        assert_eq!(Responsibility::parse("subservice:"), None);
        assert_eq!(Responsibility::Customer.to_string(), "customer");
    }
}
