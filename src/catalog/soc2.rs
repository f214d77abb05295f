//! The SOC 2 Trust Services Criteria (2017, revised points of focus 2022): identifiers and series
//! names as published, titles and one-sentence summaries written by this project in its own words.
//! The AICPA's criteria text is copyrighted and is not reproduced here.

use super::{Control, Framework, IdStyle, Series};

pub(crate) const FRAMEWORK_ID: &str = "soc2";

/// (series id, series name, category)
const SERIES: &[(&str, &str, &str)] = &[
    ("CC1", "Control Environment", "security"),
    ("CC2", "Communication and Information", "security"),
    ("CC3", "Risk Assessment", "security"),
    ("CC4", "Monitoring Activities", "security"),
    ("CC5", "Control Activities", "security"),
    ("CC6", "Logical and Physical Access Controls", "security"),
    ("CC7", "System Operations", "security"),
    ("CC8", "Change Management", "security"),
    ("CC9", "Risk Mitigation", "security"),
    ("A1", "Additional Criteria for Availability", "availability"),
    (
        "C1",
        "Additional Criteria for Confidentiality",
        "confidentiality",
    ),
    (
        "PI1",
        "Additional Criteria for Processing Integrity",
        "processing-integrity",
    ),
    ("P1", "Privacy: Notice", "privacy"),
    ("P2", "Privacy: Choice and Consent", "privacy"),
    ("P3", "Privacy: Collection", "privacy"),
    ("P4", "Privacy: Use, Retention and Disposal", "privacy"),
    ("P5", "Privacy: Access", "privacy"),
    ("P6", "Privacy: Disclosure and Notification", "privacy"),
    ("P7", "Privacy: Quality", "privacy"),
    ("P8", "Privacy: Monitoring and Enforcement", "privacy"),
];

/// (id, title, summary). Our words, not the AICPA's.
const CRITERIA: &[(&str, &str, &str)] = &[
    (
        "CC1.1",
        "Integrity and ethical values",
        "Leadership shows through its own conduct and written standards that honest, ethical behaviour is expected, and acts when that expectation is not met.",
    ),
    (
        "CC1.2",
        "Independent oversight",
        "A governing body independent of management oversees how internal control is designed and how it performs.",
    ),
    (
        "CC1.3",
        "Structure, reporting lines and authority",
        "Management, under the board's oversight, sets up the structure, reporting lines, authority and responsibilities needed to reach the objectives.",
    ),
    (
        "CC1.4",
        "Commitment to competence",
        "The organisation attracts, develops and keeps people with the skills its objectives call for.",
    ),
    (
        "CC1.5",
        "Accountability",
        "People are held answerable for the internal-control duties assigned to them.",
    ),
    (
        "CC2.1",
        "Quality information",
        "The organisation gets or produces relevant, reliable information so that its controls can work.",
    ),
    (
        "CC2.2",
        "Internal communication",
        "Objectives and responsibilities for internal control are communicated inside the organisation, so staff know their part in it.",
    ),
    (
        "CC2.3",
        "External communication",
        "The organisation talks with customers, suppliers, regulators and other outside parties about matters that affect internal control.",
    ),
    (
        "CC3.1",
        "Clear objectives",
        "Objectives are stated clearly enough that the risks to them can be identified and judged.",
    ),
    (
        "CC3.2",
        "Risk identification and analysis",
        "Risks to the objectives are identified across the organisation and analysed to decide how each should be managed.",
    ),
    (
        "CC3.3",
        "Fraud risk",
        "The possibility of fraud is considered whenever risks are assessed.",
    ),
    (
        "CC3.4",
        "Changes that affect controls",
        "Changes that could significantly affect the system of internal control are spotted and assessed.",
    ),
    (
        "CC4.1",
        "Evaluating controls",
        "Ongoing or periodic evaluations confirm that each part of internal control is in place and working.",
    ),
    (
        "CC4.2",
        "Reporting deficiencies",
        "Control weaknesses are evaluated and reported in time to those who must fix them, up to senior management and the board when warranted.",
    ),
    (
        "CC5.1",
        "Selecting control activities",
        "Control activities are chosen and developed to bring risks down to acceptable levels.",
    ),
    (
        "CC5.2",
        "General controls over technology",
        "General control activities over technology are chosen and developed to support the objectives.",
    ),
    (
        "CC5.3",
        "Policies and procedures",
        "Controls are put in place through policies that state what is expected and procedures that put those policies into action.",
    ),
    (
        "CC6.1",
        "Logical access security",
        "Software, infrastructure and architecture for logical access protect information assets against security events.",
    ),
    (
        "CC6.2",
        "Registering and authorising users",
        "Users are registered and authorised before credentials are issued, and their access is removed when it is no longer needed.",
    ),
    (
        "CC6.3",
        "Role-based access and least privilege",
        "Access to data, software and other assets is granted, changed and removed according to roles, least privilege and separation of duties.",
    ),
    (
        "CC6.4",
        "Physical access",
        "Physical access to facilities and protected information assets is limited to authorised people.",
    ),
    (
        "CC6.5",
        "Disposal of assets",
        "Assets stay protected until the data on them can no longer be recovered, including when they are retired or disposed of.",
    ),
    (
        "CC6.6",
        "Threats from outside the boundary",
        "Logical access measures defend against threats that come from outside the system's boundaries.",
    ),
    (
        "CC6.7",
        "Data in transit and removal",
        "Moving, transmitting and removing information is limited to authorised users and processes, and the information is protected while it moves.",
    ),
    (
        "CC6.8",
        "Malicious and unauthorised software",
        "Controls prevent or detect the introduction of unauthorised or malicious software.",
    ),
    (
        "CC7.1",
        "Detecting configuration changes and vulnerabilities",
        "Detection and monitoring find configuration changes that introduce weaknesses, and newly discovered vulnerabilities.",
    ),
    (
        "CC7.2",
        "Monitoring for anomalies",
        "System components are watched for anomalies that may signal attacks, disasters or errors, and those anomalies are analysed.",
    ),
    (
        "CC7.3",
        "Evaluating security events",
        "Security events are evaluated to decide whether they are incidents that could stop objectives from being met.",
    ),
    (
        "CC7.4",
        "Responding to incidents",
        "Confirmed security incidents are handled by a defined response programme that understands, contains, remedies and communicates them.",
    ),
    (
        "CC7.5",
        "Recovering from incidents",
        "Activities to recover from identified security incidents are planned and carried out.",
    ),
    (
        "CC8.1",
        "Change management",
        "Changes to infrastructure, data, software and procedures are authorised, designed, built, tested, approved and deployed in a controlled way.",
    ),
    (
        "CC9.1",
        "Business disruption",
        "Risk mitigation activities are defined for risks that arise from possible business disruptions.",
    ),
    (
        "CC9.2",
        "Vendors and business partners",
        "Risks that come from vendors and business partners are assessed and managed.",
    ),
    (
        "A1.1",
        "Capacity",
        "Processing capacity and its use are maintained, monitored and evaluated so demand can be met and more capacity added in time.",
    ),
    (
        "A1.2",
        "Environmental protection, backup and recovery",
        "Environmental protections, software, data backups and recovery infrastructure are authorised, designed, built, operated and monitored.",
    ),
    (
        "A1.3",
        "Testing recovery",
        "Recovery plan procedures are tested so that the system can actually be recovered.",
    ),
    (
        "C1.1",
        "Identifying and protecting confidential information",
        "Confidential information is identified and kept protected as the confidentiality commitments require.",
    ),
    (
        "C1.2",
        "Disposing of confidential information",
        "Confidential information is disposed of when it is no longer needed, as commitments require.",
    ),
    (
        "PI1.1",
        "Processing specifications",
        "Relevant, reliable information about processing objectives, including definitions of the data processed and the product specifications, is obtained and used.",
    ),
    (
        "PI1.2",
        "Input controls",
        "System inputs are controlled so that they are complete and accurate.",
    ),
    (
        "PI1.3",
        "Processing controls",
        "Processing is controlled so that products, services and reports meet their specifications.",
    ),
    (
        "PI1.4",
        "Output controls",
        "Output is delivered completely, accurately and on time, to the intended recipients only.",
    ),
    (
        "PI1.5",
        "Stored data",
        "Stored inputs, items in process and outputs are kept complete, accurate and current.",
    ),
    (
        "P1.1",
        "Privacy notice",
        "Data subjects are told how the organisation handles their personal information.",
    ),
    (
        "P2.1",
        "Choice and consent",
        "Data subjects are told their choices about how personal information is collected, used, kept, disclosed and disposed of, and consent is obtained where needed.",
    ),
    (
        "P3.1",
        "Collection limited to purpose",
        "Personal information is collected only as far as the stated privacy objectives need it.",
    ),
    (
        "P3.2",
        "Explicit consent",
        "Where explicit consent is required it is obtained, and the need for it and the effect of refusing are explained.",
    ),
    (
        "P4.1",
        "Limited use",
        "Personal information is used only for the purposes the privacy objectives allow.",
    ),
    (
        "P4.2",
        "Retention",
        "Personal information is kept only as long as the objectives require.",
    ),
    (
        "P4.3",
        "Secure disposal",
        "Personal information is disposed of securely once it is no longer needed.",
    ),
    (
        "P5.1",
        "Subject access",
        "Identified and authenticated data subjects can see the personal information held about them.",
    ),
    (
        "P5.2",
        "Correction",
        "Data subjects can have their personal information corrected, and corrections reach third parties as committed.",
    ),
    (
        "P6.1",
        "Disclosure to third parties",
        "Personal information goes to third parties only for identified purposes and with consent where required.",
    ),
    (
        "P6.2",
        "Record of authorised disclosures",
        "Complete and accurate records of authorised disclosures of personal information are kept.",
    ),
    (
        "P6.3",
        "Record of unauthorised disclosures",
        "Complete and accurate records of detected or reported unauthorised disclosures, breaches included, are kept.",
    ),
    (
        "P6.4",
        "Third-party commitments",
        "Third parties that receive personal information commit to protecting it, and their compliance is checked.",
    ),
    (
        "P6.5",
        "Third-party breach notice",
        "Third parties holding personal information must report actual or suspected unauthorised disclosures.",
    ),
    (
        "P6.6",
        "Breach notification",
        "Affected data subjects and others are told about breaches and incidents as committed or required.",
    ),
    (
        "P6.7",
        "Accounting of disclosures",
        "On request, data subjects get an account of the personal information held about them and of its disclosures.",
    ),
    (
        "P7.1",
        "Data quality",
        "Personal information is kept accurate, current, complete and relevant.",
    ),
    (
        "P8.1",
        "Inquiries, complaints and disputes",
        "Privacy inquiries, complaints and disputes are received, handled and resolved, and compliance is monitored.",
    ),
];

/// The criteria as framework `key` (`soc2` unless site.toml names it otherwise).
pub(crate) fn framework(key: &str) -> Framework {
    let series = SERIES
        .iter()
        .map(|&(id, name, category)| Series {
            id: id.to_string(),
            name: name.to_string(),
            category: category.to_string(),
        })
        .collect::<Vec<_>>();
    let controls = CRITERIA
        .iter()
        .map(|&(id, title, summary)| {
            // The series is the part before the dot: CC6.1 → CC6, PI1.3 → PI1.
            let series_id = id.split('.').next().unwrap_or(id);
            let category = SERIES
                .iter()
                .find(|s| s.0 == series_id)
                .map(|s| s.2)
                .unwrap_or("security");
            Control::new(key, id, title, summary, series_id, category)
        })
        .collect();
    Framework {
        id: key.to_string(),
        name: "SOC 2 Trust Services Criteria (2017, revised points of focus 2022)".to_string(),
        categories: vec![
            "security".into(),
            "availability".into(),
            "confidentiality".into(),
            "processing-integrity".into(),
            "privacy".into(),
        ],
        series,
        controls,
        id_style: IdStyle::AsWritten,
        scoped_by_category: true,
        soa_category: None,
        catalog: FRAMEWORK_ID.to_string(),
    }
}
