//! Review cadence arithmetic: when a document was last reviewed, when the next review is due,
//! and whether it is current, due soon or overdue as of a date.

use jiff::civil::Date;
use serde::Serialize;

use crate::model::Cadence;

/// "Due soon" window before the due date.
pub const DUE_SOON_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
/// Where a document stands with its reviews, as of a date.
pub enum ReviewStatus {
    /// Past its due date. Sorted first.
    Overdue,
    /// Changed in the working tree: this text has not been reviewed.
    Uncommitted,
    /// Committed changes after its last counted approval: this text has not been approved.
    ChangedSinceApproval,
    /// Due within `DUE_SOON_DAYS`.
    DueSoon,
    /// Reviewed within its cadence.
    Current,
    /// No cadence, or no date to count from.
    Unknown,
}

impl ReviewStatus {
    /// How pages say it.
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Overdue => "overdue",
            ReviewStatus::Uncommitted => "uncommitted changes, not reviewed",
            ReviewStatus::ChangedSinceApproval => "changed since approval",
            ReviewStatus::DueSoon => "due within 30 days",
            ReviewStatus::Current => "current",
            ReviewStatus::Unknown => "unknown",
        }
    }

    /// How exports and CSS classes name it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Overdue => "overdue",
            ReviewStatus::Uncommitted => "uncommitted",
            ReviewStatus::ChangedSinceApproval => "changed-since-approval",
            ReviewStatus::DueSoon => "due-soon",
            ReviewStatus::Current => "current",
            ReviewStatus::Unknown => "unknown",
        }
    }
}

/// `base + cadence`, where base is the last review, else the effective date, else the first commit.
pub fn next_due(
    last_review: Option<Date>,
    effective: Option<Date>,
    first_commit: Option<Date>,
    cadence: Option<Cadence>,
) -> Option<Date> {
    let base = last_review.or(effective).or(first_commit)?;
    add_months(base, cadence?.months)
}

/// `date` plus `months`, clamped to the end of a shorter month; `None` past 9999-12-31.
pub fn add_months(date: Date, months: u32) -> Option<Date> {
    date.checked_add(jiff::Span::new().months(i64::from(months)))
        .ok()
}

/// The status of a document due on `next_due`, as of `as_of`.
pub fn status(next_due: Option<Date>, as_of: Option<Date>, uncommitted: bool) -> ReviewStatus {
    if uncommitted {
        return ReviewStatus::Uncommitted;
    }
    let (Some(due), Some(as_of)) = (next_due, as_of) else {
        return ReviewStatus::Unknown;
    };
    if due < as_of {
        ReviewStatus::Overdue
    } else if due
        <= as_of
            .checked_add(jiff::Span::new().days(DUE_SOON_DAYS))
            .unwrap_or(as_of)
    {
        ReviewStatus::DueSoon
    } else {
        ReviewStatus::Current
    }
}

/// Periods within `[since, until]` during which a document was past due: between consecutive
/// reviews (or from its baseline to the first review, or from the last review to `until`) more
/// than one cadence passed. Returns (due date, reviewed on or `None` if still not reviewed by
/// `until`).
pub fn missed_reviews(
    baseline: Option<Date>,
    reviews: &[Date],
    cadence: Cadence,
    since: Date,
    until: Date,
) -> Vec<(Date, Option<Date>)> {
    let mut points: Vec<Date> = baseline
        .into_iter()
        .chain(reviews.iter().copied().filter(|d| *d <= until))
        .collect();
    points.sort();
    points.dedup();
    let mut out = Vec::new();
    for (i, &from) in points.iter().enumerate() {
        let Some(due) = add_months(from, cadence.months) else {
            continue;
        };
        let next = points.get(i + 1).copied();
        let late = match next {
            Some(n) => n > due,
            None => until > due,
        };
        // Only count lateness that falls inside the period.
        let end = next.unwrap_or(until);
        if late && end >= since && due <= until {
            out.push((due, next));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const ANNUAL: Cadence = Cadence { months: 12 };

    #[test]
    fn due_dates_count_from_the_best_base() {
        let eff = date(2024, 1, 31);
        assert_eq!(
            next_due(None, Some(eff), None, Some(ANNUAL)),
            Some(date(2025, 1, 31))
        );
        assert_eq!(
            next_due(Some(date(2024, 6, 1)), Some(eff), None, Some(ANNUAL)),
            Some(date(2025, 6, 1))
        );
        assert_eq!(
            next_due(None, None, Some(date(2024, 2, 1)), Some(ANNUAL)),
            Some(date(2025, 2, 1))
        );
        assert_eq!(next_due(None, None, None, Some(ANNUAL)), None);
        assert_eq!(next_due(Some(eff), None, None, None), None);
        // Month arithmetic clamps to the end of the month.
        assert_eq!(add_months(date(2024, 1, 31), 1), Some(date(2024, 2, 29)));
    }

    #[test]
    fn statuses() {
        let due = Some(date(2025, 3, 1));
        assert_eq!(
            status(due, Some(date(2025, 3, 2)), false),
            ReviewStatus::Overdue
        );
        assert_eq!(
            status(due, Some(date(2025, 3, 1)), false),
            ReviewStatus::DueSoon
        );
        assert_eq!(
            status(due, Some(date(2025, 1, 30)), false),
            ReviewStatus::DueSoon
        );
        assert_eq!(
            status(due, Some(date(2025, 1, 29)), false),
            ReviewStatus::Current
        );
        assert_eq!(
            status(due, Some(date(2025, 1, 1)), true),
            ReviewStatus::Uncommitted
        );
        assert_eq!(
            status(None, Some(date(2025, 1, 1)), false),
            ReviewStatus::Unknown
        );
        assert!(ReviewStatus::Overdue < ReviewStatus::Current);
    }

    #[test]
    fn missed_reviews_in_a_period() {
        let since = date(2025, 1, 1);
        let until = date(2025, 12, 31);
        // Reviewed 2024-03-01 and 2025-02-15: due 2025-03-01 was met; next due 2026-02-15.
        assert!(
            missed_reviews(
                Some(date(2023, 6, 1)),
                &[date(2024, 3, 1), date(2025, 2, 15)],
                ANNUAL,
                since,
                until
            )
            .is_empty()
        );
        // Reviewed 2024-01-10, then 2025-04-01: late from 2025-01-10.
        assert_eq!(
            missed_reviews(
                None,
                &[date(2024, 1, 10), date(2025, 4, 1)],
                ANNUAL,
                since,
                until
            ),
            [(date(2025, 1, 10), Some(date(2025, 4, 1)))]
        );
        // Last review 2024-05-01 and none since: overdue from 2025-05-01, still open.
        assert_eq!(
            missed_reviews(None, &[date(2024, 5, 1)], ANNUAL, since, until),
            [(date(2025, 5, 1), None)]
        );
        // Lateness entirely before the period does not count.
        assert!(
            missed_reviews(
                None,
                &[date(2022, 1, 1), date(2024, 6, 1), date(2025, 5, 1)],
                ANNUAL,
                since,
                until
            )
            .is_empty()
        );
    }
}
