//! `people.csv`: who held which role, with the dates, as `people.yaml` said at the period's end:
//! what an auditor needs to re-perform "was the approver entitled on that date".

use jiff::civil::Date;

use crate::pipeline::render::export::neutralize;
use crate::pipeline::resolve::Handbook;

/// The columns.
pub const HEADER: [&str; 7] = [
    "person",
    "emails",
    "logins",
    "role",
    "from",
    "until",
    "held_at_period_end",
];

/// One row per (person, role held), people in file order; a person without roles gets one row.
pub fn people_csv(hb: &Handbook, until: Date) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for p in &hb.people.persons {
        let emails = p.emails.join("; ");
        let logins = p.logins.join("; ");
        let spans: Vec<[String; 4]> = if p.roles.is_empty() {
            vec![Default::default()]
        } else {
            p.roles
                .iter()
                .map(|r| {
                    [
                        r.role.clone(),
                        r.from.map(|d| d.to_string()).unwrap_or_default(),
                        r.until.map(|d| d.to_string()).unwrap_or_default(),
                        if r.covers(Some(until)) { "yes" } else { "no" }.to_string(),
                    ]
                })
                .collect()
        };
        for [role, from, to, held] in spans {
            let cells = [&p.name, &emails, &logins, &role, &from, &to, &held];
            w.write_record(cells.iter().map(|c| neutralize(c).into_owned()))?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
