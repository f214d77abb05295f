//! `significant_changes.csv`: controls introduced, retired or replaced during the audit period.
//! A SOC 2 system description discloses such changes for its period; this is the list to start
//! from, taken from the register's `since`, `until`, `status` and `replaced_by`.

use jiff::civil::Date;

use crate::pipeline::render::export::neutralize;
use crate::pipeline::resolve::Handbook;

/// The columns.
pub const HEADER: [&str; 8] = [
    "date",
    "control",
    "title",
    "change",
    "replaced_by",
    "replaced_by_title",
    "criteria",
    "responsibility",
];

/// Every change to the controls within `[since, until]`, oldest first; and how many.
pub fn significant_changes_csv(
    hb: &Handbook,
    since: Date,
    until: Date,
) -> Result<(Vec<u8>, usize), csv::Error> {
    let mut rows: Vec<(Date, &str, [String; 8])> = Vec::new();
    for c in hb.register.iter() {
        for (change, date) in c.changes_within(Some(since), Some(until)) {
            let successor = c
                .replaced_by
                .as_ref()
                .filter(|_| change == crate::model::register::ControlChange::Replaced);
            let successor_title = successor
                .and_then(|r| hb.register_ids.get(&r.value))
                .map(|&k| hb.register[k].title.clone())
                .unwrap_or_default();
            rows.push((
                date,
                &c.id.value,
                [
                    date.to_string(),
                    c.id.value.clone(),
                    c.title.clone(),
                    change.as_str().to_string(),
                    successor.map(|r| r.value.clone()).unwrap_or_default(),
                    successor_title,
                    c.criteria
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    c.responsibility.to_string(),
                ],
            ));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for (_, _, cells) in &rows {
        w.write_record(cells.iter().map(|c| neutralize(c).into_owned()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok((bytes, rows.len()))
}
