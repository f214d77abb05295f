//! The audit's scope beyond categories: criteria excluded as not applicable
//! (`[[scope.exclusions]]`) and the subservice organisations whose controls the handbook relies on
//! under the carve-out method (`[[subservice]]`).
//!
//! Parsed and checked on their own here (required fields, dates, choices); whether criteria and
//! controls they name exist is checked in resolve, against the catalog and the register.

use std::collections::BTreeMap;
use std::ops::Range;

use jiff::civil::Date;
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};

use super::Config;

/// `[[scope.exclusions]]`: criteria that do not apply to the system, with the reason.
#[derive(Debug, Clone, Deserialize)]
pub struct Exclusion {
    /// Criterion ids: of the default framework (`P1.1`) or qualified (`soc2:P1.1`).
    #[serde(default)]
    pub criteria: Vec<String>,
    /// Why they do not apply (required: an auditor asks).
    #[serde(default)]
    pub reason: String,
    /// Lines of site.toml this entry spans (1-based, end exclusive), for messages.
    #[serde(skip)]
    pub lines: Range<usize>,
    /// The framework of bare ids, for an entry of `[frameworks.<key>]`; the default otherwise.
    #[serde(skip)]
    pub framework: Option<String>,
    #[serde(flatten)]
    pub(super) unknown: BTreeMap<String, toml::Value>,
}

impl Exclusion {
    /// The framework its bare ids belong to.
    pub fn framework_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.framework.as_deref().unwrap_or(default)
    }
}

/// A subservice organisation: a vendor that performs part of the system's work, whose own
/// controls (CSOCs) the handbook relies on instead of describing them.
#[derive(Debug, Clone, Deserialize)]
pub struct Subservice {
    /// How register entries name it (`responsibility: subservice:<name>`).
    #[serde(default)]
    pub name: String,
    /// What it does for the organisation.
    #[serde(default)]
    services: Services,
    /// Only `carve-out`: the inclusive method needs the subservice's own assertion.
    #[serde(default)]
    method: Option<String>,
    /// The report relied on ("SOC 2 Type II").
    #[serde(default)]
    pub report: Option<String>,
    /// The period the report covers, `YYYY-MM-DD/YYYY-MM-DD`.
    #[serde(default)]
    report_period: Option<String>,
    /// The service auditor's opinion.
    #[serde(default)]
    opinion: Option<String>,
    /// Whether a bridge letter covers the time from the report's end to now.
    #[serde(default)]
    pub bridge_letter: bool,
    /// When the organisation last reviewed the report.
    #[serde(default)]
    reviewed_on: Option<toml::Value>,
    /// The organisation's control that reviews the subservice's report (a register id).
    #[serde(default)]
    pub monitored_by: Option<String>,
    /// The complementary user entity controls its report lists, each met by a control of ours.
    #[serde(default)]
    pub user_controls: Vec<UserControl>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,

    /// `services`, as a list.
    #[serde(skip)]
    pub service_list: Vec<String>,
    /// `report_period`, parsed.
    #[serde(skip)]
    pub period: Option<(Date, Date)>,
    /// `opinion`, parsed.
    #[serde(skip)]
    pub opinion_kind: Option<Opinion>,
    /// `reviewed_on`, parsed.
    #[serde(skip)]
    pub reviewed: Option<Date>,
    /// Lines of site.toml this entry spans, for messages.
    #[serde(skip)]
    pub lines: Range<usize>,
}

/// A complementary user entity control listed in a subservice's report.
#[derive(Debug, Clone, Deserialize)]
pub struct UserControl {
    /// The control as the subservice's report words it.
    #[serde(default)]
    pub text: String,
    /// The control of the organisation's register that meets it.
    #[serde(default)]
    pub control: Option<String>,
    #[serde(flatten)]
    unknown: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
enum Services {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

/// A service auditor's opinion on a subservice's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Opinion {
    /// Clean: controls were suitably designed and operated effectively.
    Unqualified,
    /// Except for the matters described.
    Qualified,
    /// Controls were not suitably designed or did not operate.
    Adverse,
    /// The auditor could not form an opinion.
    Disclaimer,
}

impl Opinion {
    const NAMES: &[&str] = &["unqualified", "qualified", "adverse", "disclaimer"];

    fn parse(s: &str) -> Option<Opinion> {
        Some(match s {
            "unqualified" => Opinion::Unqualified,
            "qualified" => Opinion::Qualified,
            "adverse" => Opinion::Adverse,
            "disclaimer" => Opinion::Disclaimer,
            _ => return None,
        })
    }

    /// The word site.toml uses.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

const EXCLUSION_KEYS: &[&str] = &["criteria", "reason"];
const SUBSERVICE_KEYS: &[&str] = &[
    "name",
    "services",
    "method",
    "report",
    "report_period",
    "opinion",
    "bridge_letter",
    "reviewed_on",
    "monitored_by",
    "user_controls",
];
const USER_CONTROL_KEYS: &[&str] = &["text", "control"];

/// The lines of site.toml where each `[[header]]` table starts and ends (the end is the next
/// header that is not one of its own sub-tables). Entries written inline (`exclusions = [{…}]`)
/// have no header: they get the line of the key that holds them.
pub(super) fn table_ranges(text: &str, header: &str, count: usize) -> Vec<Range<usize>> {
    let lines: Vec<&str> = text.lines().collect();
    let header_of = |line: &str| -> Option<String> {
        let t = line.trim();
        let inner = t
            .strip_prefix("[[")
            .and_then(|r| r.split("]]").next())
            .or_else(|| t.strip_prefix('[').and_then(|r| r.split(']').next()))?;
        Some(inner.trim().to_string())
    };
    let mut starts = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().starts_with("[[") && header_of(line).as_deref() == Some(header) {
            starts.push(i);
        }
    }
    let fallback = {
        let key = header.rsplit('.').next().unwrap_or(header);
        crate::diagnostics::find_key_line(text, key, '=').unwrap_or(1)
    };
    (0..count)
        .map(|n| match starts.get(n) {
            Some(&s) => {
                let end = lines
                    .iter()
                    .enumerate()
                    .skip(s + 1)
                    .find(|(_, l)| {
                        header_of(l).is_some_and(|h| {
                            l.trim().starts_with('[') && !h.starts_with(&format!("{header}."))
                        })
                    })
                    .map(|(i, _)| i)
                    .unwrap_or(lines.len());
                s + 1..end + 1
            }
            None => fallback..fallback + 1,
        })
        .collect()
}

impl Config {
    /// The first line within `lines` that sets `key`, before any sub-table starts; else the
    /// entry's first line.
    pub fn line_in(&self, lines: &Range<usize>, key: &str) -> usize {
        let all: Vec<&str> = self.source.lines().collect();
        for n in lines.clone() {
            let Some(line) = all.get(n.wrapping_sub(1)) else {
                break;
            };
            let t = line.trim_start();
            if n > lines.start && t.starts_with('[') {
                break;
            }
            if t.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
            {
                return n;
            }
        }
        lines.start
    }

    /// The first line within `lines` that contains `needle` (a value, quoted as written).
    pub fn line_with(&self, lines: &Range<usize>, needle: &str) -> usize {
        let quoted = [format!("\"{needle}\""), format!("'{needle}'")];
        self.source
            .lines()
            .enumerate()
            .skip(lines.start.saturating_sub(1))
            .take(lines.len())
            .find(|(_, l)| quoted.iter().any(|q| l.contains(q.as_str())))
            .map(|(i, _)| i + 1)
            .unwrap_or(lines.start)
    }

    /// `d` placed on line `line` of site.toml.
    pub fn at_line(&self, d: Diagnostic, line: usize) -> Diagnostic {
        d.at_line(&self.path, &self.source, line)
    }

    /// An exclusion or a justification (`what`) names criteria and gives a reason.
    pub(super) fn check_entry(
        &self,
        e: &Exclusion,
        what: &str,
        criteria_hint: &str,
        reason_hint: &str,
        diags: &mut Diagnostics,
    ) {
        if e.criteria.is_empty() {
            let d = Diagnostic::error(format!("an {what} names no criteria"));
            diags.push(self.at_line(d, e.lines.start).hint(criteria_hint));
        }
        if e.reason.trim().is_empty() {
            let d = Diagnostic::error(format!(
                "the {what} of {} gives no reason",
                e.criteria.join(", ")
            ));
            diags.push(self.at_line(d, e.lines.start).hint(reason_hint));
        }
    }

    /// Checks exclusions and subservices on their own and parses their dates and choices.
    pub(super) fn parse_scope(&mut self, diags: &mut Diagnostics) {
        let ranges = table_ranges(
            &self.source,
            "scope.exclusions",
            self.scope.exclusions.len(),
        );
        let mut exclusions = std::mem::take(&mut self.scope.exclusions);
        for (e, lines) in exclusions.iter_mut().zip(ranges) {
            e.lines = lines;
            self.unknown_in(
                &e.unknown,
                EXCLUSION_KEYS,
                "scope.exclusions.",
                &e.lines,
                diags,
            );
            self.check_entry(
                e,
                "exclusion",
                "list the criteria that do not apply: `criteria = [\"P1.1\"]`",
                "say why they do not apply, as the system description will: `reason = \"No personal information of customers' end users is processed\"`",
                diags,
            );
        }
        self.scope.exclusions = exclusions;

        let ranges = table_ranges(&self.source, "subservice", self.subservice.len());
        let mut subservices = std::mem::take(&mut self.subservice);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (s, lines) in subservices.iter_mut().zip(ranges) {
            s.lines = lines;
            self.parse_subservice(s, diags);
            if !s.name.is_empty() {
                let line = self.line_in(&s.lines, "name");
                if let Some(first) = seen.insert(s.name.clone(), line) {
                    let d = Diagnostic::error(format!(
                        "subservice `{}` is declared twice (first on line {first})",
                        s.name
                    ));
                    diags.push(
                        self.at_line(d, line)
                            .hint("merge the two [[subservice]] entries"),
                    );
                }
            }
        }
        self.subservice = subservices;
    }

    fn parse_subservice(&self, s: &mut Subservice, diags: &mut Diagnostics) {
        let lines = s.lines.clone();
        self.unknown_in(&s.unknown, SUBSERVICE_KEYS, "subservice.", &lines, diags);
        let at = |key: &str| self.line_in(&lines, key);
        if s.name.trim().is_empty() {
            let d = Diagnostic::error("a [[subservice]] has no `name`");
            diags.push(self.at_line(d, lines.start).hint(
                "name it as register entries will: `name = \"AWS\"` for `responsibility: subservice:AWS`",
            ));
        }
        s.name = s.name.trim().to_string();
        s.service_list = match &s.services {
            Services::None => Vec::new(),
            Services::One(one) => vec![one.clone()],
            Services::Many(many) => many.clone(),
        };
        match s.method.as_deref() {
            None | Some("carve-out") => {}
            Some("inclusive") => {
                let d = Diagnostic::error(format!(
                    "subservice `{}`: the inclusive method is not supported",
                    s.name
                ));
                diags.push(self.at_line(d, at("method")).hint(
                    "the inclusive method presents the subservice's controls as part of the system and needs its own written assertion; policybook supports `method = \"carve-out\"`, where its controls are named (CSOCs) and its report is monitored",
                ));
            }
            Some(other) => {
                let d = Diagnostic::error(format!("unknown method `{other}`"));
                let d = self.at_line(d, at("method")).pointing_at(other);
                diags.push(match did_you_mean(other, ["carve-out"]) {
                    Some(m) => d.hint(format!("did you mean `{m}`?")),
                    None => d.hint("use `method = \"carve-out\"`"),
                });
            }
        }
        if let Some(period) = &s.report_period {
            s.period = parse_period(period);
            if s.period.is_none() {
                let d = Diagnostic::error(format!("invalid report_period `{period}`"));
                diags.push(
                    self.at_line(d, at("report_period"))
                        .pointing_at(period)
                        .hint("give the first and last day the report covers, as an ISO 8601 interval: `report_period = \"2024-10-01/2025-09-30\"`"),
                );
            }
        }
        if let Some(o) = &s.opinion {
            s.opinion_kind = Opinion::parse(o);
            if s.opinion_kind.is_none() {
                let d = Diagnostic::error(format!("unknown opinion `{o}`"));
                let d = self.at_line(d, at("opinion")).pointing_at(o);
                let list = Opinion::NAMES.join(", ");
                diags.push(match did_you_mean(o, Opinion::NAMES.iter().copied()) {
                    Some(m) => d.hint(format!("did you mean `{m}`? One of {list}")),
                    None => d.hint(format!("one of {list}")),
                });
            }
        }
        if let Some(v) = &s.reviewed_on {
            s.reviewed = match v {
                toml::Value::String(t) => t.parse().ok(),
                toml::Value::Datetime(d) if d.time.is_none() => d.to_string().parse().ok(),
                _ => None,
            };
            if s.reviewed.is_none() {
                let d = Diagnostic::error(format!("invalid reviewed_on `{v}`"));
                diags.push(
                    self.at_line(d, at("reviewed_on"))
                        .hint("a date: `reviewed_on = 2025-10-15`"),
                );
            }
        }
        for u in &s.user_controls {
            let line = if u.text.is_empty() {
                at("user_controls")
            } else {
                self.line_with(&lines, &u.text)
            };
            self.unknown_in(
                &u.unknown,
                USER_CONTROL_KEYS,
                "subservice.user_controls.",
                &(line..line + 1),
                diags,
            );
            if u.text.trim().is_empty() {
                let d = Diagnostic::error(format!(
                    "a user control of subservice `{}` has no `text`",
                    s.name
                ));
                diags.push(self.at_line(d, line).hint(
                    "quote the complementary user entity control as its report words it: `{ text = \"…\", control = \"ACC-01\" }`",
                ));
            }
        }
    }

    /// Unknown keys of an entry of an array of tables, each on its line within `lines`.
    pub(super) fn unknown_in(
        &self,
        unknown: &BTreeMap<String, toml::Value>,
        allowed: &[&str],
        prefix: &str,
        lines: &Range<usize>,
        diags: &mut Diagnostics,
    ) {
        for key in unknown.keys() {
            let d = Diagnostic::error(format!(
                "unknown setting `{prefix}{key}` in {}",
                super::CONFIG_FILE
            ));
            let d = self.at_line(d, self.line_in(lines, key));
            let list = allowed.join(", ");
            diags.push(match did_you_mean(key, allowed.iter().copied()) {
                Some(s) => d.hint(format!("did you mean `{prefix}{s}`? Allowed here: {list}")),
                None => d.hint(format!("remove it; allowed here: {list}")),
            });
        }
    }

    /// The subservice named `name`.
    pub fn subservice(&self, name: &str) -> Option<&Subservice> {
        self.subservice.iter().find(|s| s.name == name)
    }
}

/// `2024-10-01/2025-09-30`: both dates, the first not after the second.
fn parse_period(text: &str) -> Option<(Date, Date)> {
    let (a, b) = text.split_once('/')?;
    let (a, b): (Date, Date) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
        let mut diags = Diagnostics::new();
        let c = Config::parse(text, Path::new("site.toml"), &mut diags).ok();
        (c, diags.sorted())
    }

    #[test]
    fn exclusions_and_subservices_parse_with_their_dates() {
        let (c, d) = parse(
            "title = \"H\"\n\
             [[scope.exclusions]]\ncriteria = [\"P1.1\", \"soc2:P2.1\"]\nreason = \"No end-user data\"\n\
             [[subservice]]\nname = \"AWS\"\nservices = \"Hosting\"\nreport = \"SOC 2 Type II\"\n\
             report_period = \"2024-10-01/2025-09-30\"\nopinion = \"unqualified\"\n\
             reviewed_on = 2025-10-15\nmonitored_by = \"VND-01\"\n\
             [[subservice.user_controls]]\ntext = \"Customers enable MFA.\"\ncontrol = \"ACC-01\"\n\
             [[subservice]]\nname = \"Stripe\"\nservices = [\"Payments\", \"Billing\"]\nreviewed_on = \"2025-11-01\"\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let c = c.unwrap();
        assert_eq!(c.scope.exclusions[0].criteria.len(), 2);
        assert_eq!(c.scope.exclusions[0].lines, 2..5);
        let aws = c.subservice("AWS").unwrap();
        assert_eq!(aws.service_list, ["Hosting"]);
        assert_eq!(
            aws.period.map(|(a, b)| (a.to_string(), b.to_string())),
            Some(("2024-10-01".into(), "2025-09-30".into()))
        );
        assert_eq!(aws.opinion_kind, Some(Opinion::Unqualified));
        assert_eq!(
            aws.reviewed.map(|d| d.to_string()).as_deref(),
            Some("2025-10-15")
        );
        assert_eq!(aws.user_controls[0].control.as_deref(), Some("ACC-01"));
        assert_eq!(aws.lines, 5..16, "the user controls belong to it");
        assert_eq!(c.line_in(&aws.lines, "monitored_by"), 12);
        let stripe = c.subservice("Stripe").unwrap();
        assert_eq!(stripe.service_list.len(), 2);
        assert_eq!(
            stripe.reviewed.map(|d| d.to_string()).as_deref(),
            Some("2025-11-01")
        );
    }

    #[test]
    fn mistakes_name_their_line() {
        let (_, d) = parse(
            "title = \"H\"\n\
             [[scope.exclusions]]\ncriteria = [\"P1.1\"]\n\
             [[subservice]]\nname = \"AWS\"\nmethod = \"inclusive\"\nreport_period = \"2025-09-30/2024-10-01\"\n\
             opinion = \"clean\"\nmonitored_bye = \"X\"\n\
             [[subservice]]\nname = \"AWS\"\nmethod = \"carveout\"\n",
        );
        let got: Vec<(Option<usize>, &str)> =
            d.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (Some(2), "the exclusion of P1.1 gives no reason"),
                (
                    Some(6),
                    "subservice `AWS`: the inclusive method is not supported"
                ),
                (Some(7), "invalid report_period `2025-09-30/2024-10-01`"),
                (Some(8), "unknown opinion `clean`"),
                (
                    Some(9),
                    "unknown setting `subservice.monitored_bye` in site.toml"
                ),
                (
                    Some(11),
                    "subservice `AWS` is declared twice (first on line 5)"
                ),
                (Some(12), "unknown method `carveout`"),
            ]
        );
        assert!(
            d[4].hint
                .as_deref()
                .unwrap()
                .contains("subservice.monitored_by")
        );
        assert!(d[6].hint.as_deref().unwrap().contains("`carve-out`"));
    }
}
