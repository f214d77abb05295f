//! `requests.csv`: the list of evidence requests an auditor sends in the first week of an audit
//! (the "provided by client" list), ready before they ask. One row per (control, evidence item) of
//! the organisation's own controls, with what to provide for the period:
//!
//! - periodic controls (daily … annual): each occurrence, counted as the calendar periods (days,
//!   ISO weeks, months, quarters, half-years, years) that end within the control's operating
//!   dates intersected with the audit period — quarterly over a calendar year is 4, monthly from
//!   1 July is 6;
//! - per-event controls: the complete population for the period, to sample from;
//! - automated and continuous controls: the configuration and its change history.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::model::register::{Automation, ControlStatus, Frequency, RegControl, Responsibility};
use crate::pipeline::resolve::Handbook;

/// The columns of `requests.csv`.
pub const HEADER: [&str; 13] = [
    "control",
    "title",
    "statement",
    "owner",
    "frequency",
    "evidence",
    "system",
    "population",
    "request_type",
    "expected",
    "from",
    "to",
    "status",
];

/// What an auditor asks for about one control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Every occurrence in the window, this many.
    Occurrences(u32),
    /// The complete population of events, to sample from.
    Population,
    /// The configuration and its change history.
    Configuration,
}

impl Request {
    /// The `request_type` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Request::Occurrences(_) => "occurrences",
            Request::Population => "population",
            Request::Configuration => "configuration",
        }
    }

    /// The `expected` column.
    pub fn expected(&self) -> String {
        match self {
            Request::Occurrences(n) => n.to_string(),
            Request::Population => "complete population for the period".into(),
            Request::Configuration => "configuration and its change history".into(),
        }
    }
}

/// The request for control `c` over `window` (first and last day, inclusive).
pub fn request(c: &RegControl, window: (Date, Date)) -> Request {
    if c.automation == Some(Automation::Automated) || c.frequency == Frequency::Continuous {
        return Request::Configuration;
    }
    match c.frequency {
        Frequency::PerEvent => Request::Population,
        f => Request::Occurrences(occurrences(f, window.0, window.1)),
    }
}

/// The days a control operated within the audit period `[since, until]`: its `since`/`until`
/// intersected with the period; `None` when it did not operate in it at all.
pub fn operating_window(c: &RegControl, since: Date, until: Date) -> Option<(Date, Date)> {
    let from = c.since.map_or(since, |s| s.value.max(since));
    let to = c.until.map_or(until, |u| u.value.min(until));
    (from <= to).then_some((from, to))
}

/// How many calendar periods of `frequency` end within `[from, to]` (both inclusive). Periods
/// are days, ISO weeks (ending on Sunday), months, quarters, half-years and years.
pub fn occurrences(frequency: Frequency, from: Date, to: Date) -> u32 {
    if from > to {
        return 0;
    }
    match frequency {
        Frequency::Daily => {
            u32::try_from(crate::model::exception::days_between(from, to) + 1).unwrap_or(0)
        }
        Frequency::Weekly => {
            // Sundays in [from, to].
            let to_sunday = (7 - from.weekday().to_monday_one_offset()) % 7;
            let Ok(first) = from.checked_add(i64::from(to_sunday).days()) else {
                return 0;
            };
            if first > to {
                0
            } else {
                u32::try_from(crate::model::exception::days_between(first, to) / 7 + 1).unwrap_or(0)
            }
        }
        f => {
            let Some(months) = f.months() else {
                return 0;
            };
            // Period ends: the last day of every `months`-th month of the year (Jan, Mar, Jun…).
            let months = months as i32;
            let index = |d: Date| i32::from(d.year()) * 12 + i32::from(d.month()) - 1;
            // The period containing `from` ends in or after `from`'s month; count period-end
            // months m (with (m + 1) % months == 0) from there to `to`, and keep the last only
            // when `to` reaches its last day.
            let mut count = 0u32;
            let mut m = index(from);
            while m <= index(to) {
                if (m % 12 + 1) % months == 0 {
                    let end = last_day(m);
                    if end.is_some_and(|e| e >= from && e <= to) {
                        count += 1;
                    }
                }
                m += 1;
            }
            count
        }
    }
}

/// The last day of month index `m` (years × 12 + month − 1).
fn last_day(m: i32) -> Option<Date> {
    let year = i16::try_from(m.div_euclid(12)).ok()?;
    let month = i8::try_from(m.rem_euclid(12) + 1).ok()?;
    Some(Date::new(year, month, 1).ok()?.last_of_month())
}

/// Whether a control is the organisation's and operated during the period: CUECs and CSOCs are
/// tested by others, planned controls not at all.
fn requested(c: &RegControl) -> bool {
    c.responsibility == Responsibility::Organization
        && match c.status {
            ControlStatus::Implemented | ControlStatus::Partial => true,
            // A control retired during the period still operated until then.
            ControlStatus::Retired => c.until.is_some(),
            ControlStatus::Planned => false,
        }
}

/// `requests.csv` for the period `[since, until]`, with every evidence item's details.
pub fn requests_csv(
    hb: &Handbook,
    since: Date,
    until: Date,
) -> Result<(Vec<u8>, usize), csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    let mut rows = 0;
    for c in hb.register.iter().filter(|c| requested(c)) {
        let Some(window) = operating_window(c, since, until) else {
            continue;
        };
        let request = request(c, window);
        let items = c.evidence_shown(true);
        // A control without evidence items is still requested: the auditor asks what there is.
        let items: Vec<(String, String, String)> = if items.is_empty() {
            vec![Default::default()]
        } else {
            items
                .into_iter()
                .map(|e| {
                    (
                        e.name,
                        e.system.unwrap_or_default(),
                        e.population.unwrap_or_default(),
                    )
                })
                .collect()
        };
        for (name, system, population) in items {
            let cells = [
                c.id.value.clone(),
                c.title.clone(),
                c.statement.trim_end().to_string(),
                c.owner.clone(),
                c.frequency.as_str().to_string(),
                name,
                system,
                population,
                request.kind().to_string(),
                request.expected(),
                window.0.to_string(),
                window.1.to_string(),
                c.status.as_str().to_string(),
            ];
            w.write_record(
                cells
                    .iter()
                    .map(|cell| crate::pipeline::render::export::neutralize(cell).into_owned()),
            )?;
            rows += 1;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok((bytes, rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn occurrences_are_the_calendar_periods_ending_in_the_window() {
        let year = (date(2025, 1, 1), date(2025, 12, 31));
        let count = |f, (a, b): (Date, Date)| occurrences(f, a, b);
        assert_eq!(count(Frequency::Quarterly, year), 4);
        assert_eq!(count(Frequency::Monthly, year), 12);
        assert_eq!(count(Frequency::Semiannual, year), 2);
        assert_eq!(count(Frequency::Annual, year), 1);
        assert_eq!(count(Frequency::Daily, year), 365);
        // 2025 has 52 Sundays (the year starts on a Wednesday).
        assert_eq!(count(Frequency::Weekly, year), 52);
        // Monthly from 1 July: July to December.
        assert_eq!(count(Frequency::Monthly, (date(2025, 7, 1), year.1)), 6);
        // From mid-July: July still ends in the window.
        assert_eq!(count(Frequency::Monthly, (date(2025, 7, 15), year.1)), 6);
        // A period that is not the calendar year: February to January still holds 4 quarter
        // ends and one year end.
        let fiscal = (date(2025, 2, 1), date(2026, 1, 31));
        assert_eq!(count(Frequency::Quarterly, fiscal), 4);
        assert_eq!(count(Frequency::Annual, fiscal), 1);
        assert_eq!(count(Frequency::Monthly, fiscal), 12);
        // Ending before a quarter's last day: that quarter is not over.
        assert_eq!(
            count(Frequency::Quarterly, (date(2025, 1, 1), date(2025, 9, 29))),
            2
        );
        // Leap years, and a window of one day.
        assert_eq!(
            count(Frequency::Daily, (date(2024, 1, 1), date(2024, 12, 31))),
            366
        );
        assert_eq!(
            count(Frequency::Monthly, (date(2024, 2, 29), date(2024, 2, 29))),
            1
        );
        assert_eq!(
            count(Frequency::Weekly, (date(2025, 11, 24), date(2025, 11, 29))),
            0
        );
        assert_eq!(
            count(Frequency::Weekly, (date(2025, 11, 24), date(2025, 11, 30))),
            1
        );
        assert_eq!(
            count(Frequency::Annual, (date(2025, 3, 1), date(2025, 12, 30))),
            0
        );
        assert_eq!(
            count(Frequency::Monthly, (date(2025, 6, 1), date(2025, 5, 1))),
            0
        );
    }
}
