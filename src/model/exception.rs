//! Policy exceptions: documents of `kind: exception` that record a departure from a policy or one
//! of its sections, who asked, who approved, when it was granted and when it ends. Auditors sample
//! them as the evidence that exceptions are tracked and approved.

use std::fmt;

use jiff::civil::Date;
use serde::Serialize;

use super::register::words;
use super::{ControlRef, Spanned};

words! {
    /// Where an exception stands, as its front matter records it.
    ExceptionStatus {
        /// Granted and in force until it expires.
        Open = "open",
        /// Ended: the departure was remediated.
        Closed = "closed",
        /// Withdrawn before it expired.
        Revoked = "revoked",
    }
}

words! {
    /// The risk the exception accepts.
    Risk {
        /// Low.
        Low = "low",
        /// Medium.
        Medium = "medium",
        /// High.
        High = "high",
    }
}

/// The front matter of a `kind: exception` document, beyond what every document has.
#[derive(Debug, Clone, PartialEq)]
pub struct ExceptionFields {
    /// `exception_to`: the document excepted, `policy-id` or `policy-id#section`.
    pub to: Spanned<String>,
    /// `requested_by`: who asked for it.
    pub requested_by: Spanned<String>,
    /// `approved_by`: who granted it; never the requester.
    pub approved_by: Spanned<String>,
    /// `granted`: when it was approved.
    pub granted: Spanned<Date>,
    /// `expires`: when it ends at the latest.
    pub expires: Spanned<Date>,
    /// `status`, default `open`.
    pub status: ExceptionStatus,
    /// `risk`.
    pub risk: Option<Risk>,
    /// `compensating`: controls (of the register, or criteria) that reduce the risk meanwhile.
    pub compensating: Vec<ControlRef>,
}

impl ExceptionFields {
    /// The excepted document's id and, for `doc#section`, the section's anchor.
    pub fn target(&self) -> (&str, Option<&str>) {
        match self.to.value.split_once('#') {
            Some((doc, section)) => (doc, Some(section)),
            None => (&self.to.value, None),
        }
    }
}

/// Where an open exception stands on the as-of date, computed from its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExceptionState {
    /// Open and not expiring within the warning window.
    Active,
    /// Open and expiring within the warning window.
    ExpiringSoon,
    /// Open past its `expires` date.
    Expired,
    /// Granted after the as-of date: not in force yet.
    NotYetGranted,
    /// `status: closed`.
    Closed,
    /// `status: revoked`.
    Revoked,
}

impl ExceptionState {
    /// Days before `expires` at which an open exception is reported.
    pub const WARN_DAYS: i32 = 30;

    /// The state of `e` on `as_of` (`None`: dates are not compared).
    pub fn of(e: &ExceptionFields, as_of: Option<Date>) -> ExceptionState {
        match e.status {
            ExceptionStatus::Closed => return ExceptionState::Closed,
            ExceptionStatus::Revoked => return ExceptionState::Revoked,
            ExceptionStatus::Open => {}
        }
        let Some(today) = as_of else {
            return ExceptionState::Active;
        };
        if e.granted.value > today {
            ExceptionState::NotYetGranted
        } else if e.expires.value < today {
            ExceptionState::Expired
        } else if days_between(today, e.expires.value) <= i64::from(Self::WARN_DAYS) {
            ExceptionState::ExpiringSoon
        } else {
            ExceptionState::Active
        }
    }

    /// As pages and exports write it.
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionState::Active => "active",
            ExceptionState::ExpiringSoon => "expiring-soon",
            ExceptionState::Expired => "expired",
            ExceptionState::NotYetGranted => "not-yet-granted",
            ExceptionState::Closed => "closed",
            ExceptionState::Revoked => "revoked",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            ExceptionState::Active => "active",
            ExceptionState::ExpiringSoon => "expiring soon",
            ExceptionState::Expired => "expired",
            ExceptionState::NotYetGranted => "not yet granted",
            ExceptionState::Closed => "closed",
            ExceptionState::Revoked => "revoked",
        }
    }

    /// In force on the as-of date: the excepted text does not apply as written.
    pub fn in_force(self) -> bool {
        matches!(self, ExceptionState::Active | ExceptionState::ExpiringSoon)
    }
}

/// Whole days from `a` to `b` (negative when `b` is before `a`).
pub fn days_between(a: Date, b: Date) -> i64 {
    // Civil dates measure in days by default; the span always fits.
    a.until(b).map(|s| i64::from(s.get_days())).unwrap_or(0)
}
