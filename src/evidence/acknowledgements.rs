//! `acknowledgements.csv`: for the audit period, everyone who was in the population at some
//! time during it (the roster: people who left before it are not counted, people who joined
//! during it are, from their start), each document that had to be acknowledged at the period's
//! end, and where they stood — on the period's last day, or on their own last day if they left
//! during it. The records and the roster are read from the working tree, since HR and e-sign
//! exports are usually committed after the period ends; only rows dated by then count.

use jiff::civil::Date;

use crate::diagnostics::{Diagnostic, Diagnostics, Outcome};
use crate::pipeline::parse::acknowledgements::parse_acknowledgements;
use crate::pipeline::render::export::neutralize;
use crate::pipeline::resolve::Handbook;
use crate::pipeline::resolve::acknowledgements::{AckReport, ack_documents, assess, check_rows};
use crate::pipeline::{Source, history};

/// The columns.
pub const HEADER: [&str; 16] = [
    "email",
    "name",
    "type",
    "start",
    "end",
    "document",
    "title",
    "version",
    "version_since",
    "assessed_on",
    "status",
    "due",
    "acknowledged_version",
    "acknowledged_on",
    "renew_by",
    "acknowledgements",
];

/// The period's acknowledgements, assessed against the period-end documents `hb`.
pub fn assess_period(
    root: &std::path::Path,
    hb: &Handbook,
    since: Date,
    until: Date,
    diags: &mut Diagnostics,
) -> Outcome<Option<AckReport>> {
    // The latest exports: only site.toml and the files it names, not the documents again.
    let (config, sources) = Source::worktree(root).read_settings(diags)?;
    let settings = &config.acknowledgements;
    if settings.files.is_none() {
        return Ok(None);
    }
    let acks = parse_acknowledgements(
        true,
        sources.roster.as_ref(),
        &sources.acknowledgements,
        diags,
    );
    let mut h = hb.history.clone();
    if h.docs.values().all(|d| d.versions.is_empty()) {
        diags.take(history::read_versions(root, &mut h).map_err(Diagnostic::error))?;
    }
    let docs = ack_documents(&hb.documents, &h, settings);
    check_rows(&acks, &hb.documents, &docs, h.source.repository, diags);
    Ok(Some(assess(
        acks,
        docs,
        settings,
        |m| m.present_during(since, until),
        |m| m.end.map_or(until, |e| e.min(until)),
    )))
}

/// One row per (person, document), by document then roster order; header only without
/// `[acknowledgements]`.
pub fn acknowledgements_csv(
    hb: &Handbook,
    report: Option<&AckReport>,
) -> Result<(Vec<u8>, usize), csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    let Some(report) = report else {
        let bytes = w
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        return Ok((bytes, 0));
    };
    let acks = &report.sources.acks;
    for r in &report.rows {
        let m = &report.sources.roster[r.member];
        let doc = &report.documents[r.document];
        let d = &hb.documents[doc.doc];
        let shown = r.counted.or(r.older).map(|n| &acks[n]);
        let all = r
            .all
            .iter()
            .map(|&n| {
                format!(
                    "{} on {} ({})",
                    acks[n].version,
                    acks[n].date,
                    acks[n].source()
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let opt = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        let cells = [
            m.email.clone(),
            m.name.clone(),
            m.kind.as_str().to_string(),
            m.start.to_string(),
            opt(m.end),
            d.id.clone(),
            d.title.value.clone(),
            doc.version.clone().unwrap_or_default(),
            opt(doc.since),
            r.day.to_string(),
            r.status.as_str().to_string(),
            r.due.to_string(),
            shown.map(|a| a.version.clone()).unwrap_or_default(),
            opt(shown.map(|a| a.date)),
            opt(r.renew_by),
            all,
        ];
        w.write_record(cells.iter().map(|c| neutralize(c).into_owned()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok((bytes, report.rows.len()))
}
