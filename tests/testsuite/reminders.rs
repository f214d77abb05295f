//! Review reminders: `reviews.ics` (parsed by an iCalendar library, stable across builds) and
//! `check --due-within` in each of its formats.

use icalendar::Component;

use crate::support::BookTest;
use crate::support::git::ALICE;

/// A: annual, reviewed 1 February 2025; B: quarterly, added 10 January; C: no cadence.
fn book() -> BookTest {
    let book = BookTest::new(
        "title = \"Reminders, Inc.\"\nbase_url = \"https://handbook.example.com/\"\n[scope]\ngaps = \"allow\"\n",
    )
    .git();
    book.doc(
        "policies/a.md",
        "title: Access, Control; Policy\nowner: CISO\nreview: annual\n",
        "One.",
    )
    .doc(
        "policies/b.md",
        "title: Backups\nowner: Head of IT\nreview: quarterly\n",
        "One.",
    )
    .doc(
        "policies/c.md",
        "title: Charter\nowner: CEO\nkind: plan\n",
        "One.",
    );
    book.commit(
        ALICE,
        "2025-01-10T09:00:00Z",
        "Add policies\n\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    book.commit_empty(
        ALICE,
        "2025-02-01T09:00:00Z",
        "Review A\n\nReviews: a\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    book
}

/// The events of `public/reviews.ics`: (UID, start date, summary, description, URL).
fn events(book: &BookTest) -> Vec<(String, String, String, String, String)> {
    let text = book.read("public/reviews.ics");
    assert!(text.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    assert!(text.contains("\r\n"), "CRLF line endings");
    let unfolded = icalendar::parser::unfold(&text);
    let parsed = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar file");
    let cal: icalendar::Calendar = parsed.into();
    cal.components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => Some((
                e.get_uid().unwrap_or_default().to_string(),
                match e.get_start() {
                    Some(icalendar::DatePerhapsTime::Date(d)) => d.to_string(),
                    other => panic!("an all-day event: {other:?}"),
                },
                e.get_summary().unwrap_or_default().to_string(),
                e.get_description().unwrap_or_default().to_string(),
                e.get_url().unwrap_or_default().to_string(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn reviews_ics_has_one_stable_event_per_document_with_a_cadence() {
    let book = book();
    book.run(&["build"]).success();
    let first = book.read("public/reviews.ics");
    let ev = events(&book);
    assert_eq!(ev.len(), 2, "A and B have a cadence, C has none: {ev:?}");
    let (uid, start, summary, description, url) = &ev[0];
    assert_eq!(uid, "review-b@handbook.example.com");
    assert_eq!(start, "2025-04-10", "quarterly from 10 January");
    assert_eq!(summary, "Review due: Backups");
    assert!(description.contains("Owner: Head of IT"), "{description}");
    assert_eq!(url, "https://handbook.example.com/documents/b.html");
    let (uid, start, summary, ..) = &ev[1];
    assert_eq!(uid, "review-a@handbook.example.com");
    assert_eq!(start, "2026-02-01");
    assert_eq!(
        summary, "Review due: Access, Control; Policy",
        "escaped and read back"
    );

    // The same commit, the same bytes; a new review moves the event, with the same UID.
    book.run(&["build"]).success();
    assert_eq!(book.read("public/reviews.ics"), first);
    book.commit_empty(
        ALICE,
        "2025-03-01T09:00:00Z",
        "Review B\n\nReviews: b\nReviewed-by: Rita Reviewer <rita@example.com>\n",
    );
    book.run(&["build"]).success();
    let ev = events(&book);
    let b = ev.iter().find(|e| e.0 == "review-b@handbook.example.com");
    assert_eq!(b.map(|e| e.1.as_str()), Some("2025-06-01"), "{ev:?}");
}

#[test]
fn check_due_within_lists_reviews_for_ci() {
    let book = book();
    // As of 1 March: B is due on 10 April (40 days), A next February.
    let out = book
        .run(&["check", "--as-of", "2025-03-01", "--due-within", "30d"])
        .success()
        .stdout();
    assert!(
        out.contains("No review falls due within 30 days of 2025-03-01."),
        "{out}"
    );
    let out = book
        .run(&["check", "--as-of", "2025-03-15", "--due-within", "4w"])
        .success()
        .stdout();
    assert!(
        out.contains("policies/b.md: Backups (owner: Head of IT) is due for review on 2025-04-10 (26 days left): https://handbook.example.com/documents/b.html"),
        "{out}"
    );
    assert!(!out.contains("policies/a.md"), "{out}");

    // Overdue reviews are listed too, and GitHub gets a warning for them.
    let out = book
        .run(&[
            "check",
            "--as-of",
            "2025-05-01",
            "--due-within",
            "30",
            "--format",
            "github",
        ])
        .success()
        .stdout();
    assert!(
        out.contains("::warning file=policies/b.md,title=Review due::Backups (owner: Head of IT) is due for review on 2025-04-10 (21 days overdue)"),
        "{out}"
    );
    let out = book
        .run(&[
            "check",
            "--as-of",
            "2025-03-15",
            "--due-within",
            "30d",
            "--format",
            "json",
        ])
        .success()
        .stdout();
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    let due = &json["due"];
    assert_eq!(due["within_days"], 30);
    assert_eq!(due["as_of"], "2025-03-15");
    let r = &due["reviews"][0];
    assert_eq!(r["id"], "b");
    assert_eq!(r["owner"], "Head of IT");
    assert_eq!(r["due"], "2025-04-10");
    assert_eq!(r["days_left"], 26);
    assert_eq!(r["url"], "https://handbook.example.com/documents/b.html");
    assert_eq!(due["reviews"].as_array().map(Vec::len), Some(1));
    // Without the option, the JSON has no `due`.
    let out = book.run(&["check", "--format", "json"]).success().stdout();
    assert!(!out.contains("\"due\""), "{out}");

    let err = book
        .run(&["check", "--due-within", "soon"])
        .fails_with(2)
        .stderr();
    assert!(err.contains("`soon` is not a number of days"), "{err}");
}
