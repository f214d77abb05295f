//! ISO/IEC 27001:2022: the management-system clauses (4–10) that policies map to, and Annex A's
//! 93 controls in its four themes. Identifiers as published; titles and summaries are this
//! project's own words. The standard's text is ISO copyright and is not reproduced here.

use super::{Control, Framework, IdStyle, Series};

/// The key of the built-in catalog in `site.toml` (`catalog = "iso27001-2022"`).
pub(crate) const CATALOG_KEY: &str = "iso27001-2022";

/// (series id, name, category)
const SERIES: &[(&str, &str, &str)] = &[
    ("4", "Clause 4: Context", "management-system"),
    ("5", "Clause 5: Leadership", "management-system"),
    ("6", "Clause 6: Planning", "management-system"),
    ("7", "Clause 7: Support", "management-system"),
    ("8", "Clause 8: Operation", "management-system"),
    ("9", "Clause 9: Performance evaluation", "management-system"),
    ("10", "Clause 10: Improvement", "management-system"),
    ("A.5", "Annex A: Organisational controls", "annex-a"),
    ("A.6", "Annex A: People controls", "annex-a"),
    ("A.7", "Annex A: Physical controls", "annex-a"),
    ("A.8", "Annex A: Technological controls", "annex-a"),
];

/// (series, id, title, summary). Our words, not ISO's.
const CONTROLS: &[(&str, &str, &str, &str)] = &[
    (
        "4",
        "4.1",
        "Organisation and its context",
        "Work out the internal and external issues that bear on what the security programme must achieve.",
    ),
    (
        "4",
        "4.2",
        "Interested parties",
        "Identify who has a stake in information security and which of their requirements the programme takes on.",
    ),
    (
        "4",
        "4.3",
        "Scope of the management system",
        "Decide and write down which parts of the organisation, its locations and its systems the programme covers.",
    ),
    (
        "4",
        "4.4",
        "Running the management system",
        "Set up, run, maintain and keep improving the programme and the processes it needs.",
    ),
    (
        "5",
        "5.1",
        "Leadership commitment",
        "Top management visibly backs the programme, gives it resources and ties it to the business.",
    ),
    (
        "5",
        "5.2",
        "Security policy",
        "Top management issues a security policy with objectives and commitments, and makes it known.",
    ),
    (
        "5",
        "5.3",
        "Roles and authority",
        "Security responsibilities and the authority that goes with them are assigned and communicated.",
    ),
    (
        "6",
        "6.1.1",
        "Risks and opportunities",
        "Plan how the programme deals with the risks and opportunities that could affect its results.",
    ),
    (
        "6",
        "6.1.2",
        "Risk assessment process",
        "Define and follow a repeatable way to find, analyse and rate information security risks.",
    ),
    (
        "6",
        "6.1.3",
        "Risk treatment",
        "Choose how each risk is treated, compare the chosen controls with Annex A, and keep a Statement of Applicability.",
    ),
    (
        "6",
        "6.2",
        "Security objectives",
        "Set measurable security objectives and plan who achieves them, with what, and by when.",
    ),
    (
        "6",
        "6.3",
        "Planned changes",
        "Changes to the programme are made in a planned way.",
    ),
    (
        "7",
        "7.1",
        "Resources",
        "Provide the people, money and tools the programme needs.",
    ),
    (
        "7",
        "7.2",
        "Competence",
        "People doing security work have the skills it needs, and there is a record of them.",
    ),
    (
        "7",
        "7.3",
        "Awareness",
        "Staff know the policy, how they contribute, and what happens when it is not followed.",
    ),
    (
        "7",
        "7.4",
        "Communication",
        "Decide what is communicated about security, when, to whom and by whom.",
    ),
    (
        "7",
        "7.5",
        "Documented information",
        "Write down what the programme needs, keep it controlled, reviewed, approved and available.",
    ),
    (
        "8",
        "8.1",
        "Operating the processes",
        "Plan and control the work that meets the security requirements, including outsourced work.",
    ),
    (
        "8",
        "8.2",
        "Performing risk assessments",
        "Assess risks at planned intervals and when things change significantly, and keep the results.",
    ),
    (
        "8",
        "8.3",
        "Carrying out risk treatment",
        "Put the risk treatment plan into effect and keep the results.",
    ),
    (
        "9",
        "9.1",
        "Measurement and evaluation",
        "Decide what is measured, how and when, and evaluate how well security performs.",
    ),
    (
        "9",
        "9.2",
        "Internal audit",
        "Audit the programme at planned intervals against its own rules and the standard, and report the findings.",
    ),
    (
        "9",
        "9.3",
        "Management review",
        "Top management reviews the programme at planned intervals and decides on changes.",
    ),
    (
        "10",
        "10.1",
        "Continual improvement",
        "Keep making the programme more suitable, adequate and effective.",
    ),
    (
        "10",
        "10.2",
        "Nonconformity and corrective action",
        "When something does not conform, fix it, find the cause and prevent it from happening again.",
    ),
    (
        "A.5",
        "A.5.1",
        "Security policy set",
        "A policy and topic-specific policies are approved, published, acknowledged and reviewed.",
    ),
    (
        "A.5",
        "A.5.2",
        "Security roles defined",
        "Security roles and responsibilities are defined and given to people.",
    ),
    (
        "A.5",
        "A.5.3",
        "Separating conflicting duties",
        "Duties that conflict are split between different people.",
    ),
    (
        "A.5",
        "A.5.4",
        "Management's security duties",
        "Managers require their staff to follow the security policies and procedures.",
    ),
    (
        "A.5",
        "A.5.5",
        "Relations with authorities",
        "The organisation knows and keeps in touch with the authorities relevant to it.",
    ),
    (
        "A.5",
        "A.5.6",
        "Relations with professional groups",
        "The organisation keeps in touch with security forums and professional associations.",
    ),
    (
        "A.5",
        "A.5.7",
        "Threat information",
        "Information about threats is gathered and analysed to produce usable intelligence.",
    ),
    (
        "A.5",
        "A.5.8",
        "Security in projects",
        "Security is part of how every project is run.",
    ),
    (
        "A.5",
        "A.5.9",
        "Asset inventory",
        "An inventory of information and related assets, with their owners, is kept up to date.",
    ),
    (
        "A.5",
        "A.5.10",
        "Permitted use of assets",
        "Rules for using information and related assets are written down and followed.",
    ),
    (
        "A.5",
        "A.5.11",
        "Handing assets back",
        "People return the organisation's assets when their role or contract ends.",
    ),
    (
        "A.5",
        "A.5.12",
        "Classifying information",
        "Information is classified by its confidentiality, integrity, availability and stakeholder needs.",
    ),
    (
        "A.5",
        "A.5.13",
        "Marking classified information",
        "Information is labelled according to its classification.",
    ),
    (
        "A.5",
        "A.5.14",
        "Moving information safely",
        "Rules and agreements protect information sent inside the organisation and to others.",
    ),
    (
        "A.5",
        "A.5.15",
        "Access rules",
        "Access to information and assets follows rules set by business and security needs.",
    ),
    (
        "A.5",
        "A.5.16",
        "Managing identities",
        "Identities are managed over their whole life.",
    ),
    (
        "A.5",
        "A.5.17",
        "Handling credentials",
        "Passwords and other secrets are issued and managed under a process, with guidance for users.",
    ),
    (
        "A.5",
        "A.5.18",
        "Granting and revoking access",
        "Access rights are given, reviewed, changed and removed under a policy.",
    ),
    (
        "A.5",
        "A.5.19",
        "Supplier security",
        "Risks from using suppliers' products and services are managed.",
    ),
    (
        "A.5",
        "A.5.20",
        "Security terms in supplier contracts",
        "Agreements with each supplier set out the security requirements that apply.",
    ),
    (
        "A.5",
        "A.5.21",
        "ICT supply chain",
        "Security risks in the supply chain of technology products and services are managed.",
    ),
    (
        "A.5",
        "A.5.22",
        "Watching supplier services",
        "Suppliers' security practices and service delivery are monitored, reviewed and changes managed.",
    ),
    (
        "A.5",
        "A.5.23",
        "Cloud service use",
        "Buying, using, managing and leaving cloud services follows security requirements.",
    ),
    (
        "A.5",
        "A.5.24",
        "Incident readiness",
        "Roles, processes and plans for handling incidents are prepared in advance.",
    ),
    (
        "A.5",
        "A.5.25",
        "Triage of security events",
        "Security events are assessed and it is decided whether they are incidents.",
    ),
    (
        "A.5",
        "A.5.26",
        "Incident response",
        "Incidents are handled following documented procedures.",
    ),
    (
        "A.5",
        "A.5.27",
        "Lessons from incidents",
        "What is learnt from incidents strengthens the controls.",
    ),
    (
        "A.5",
        "A.5.28",
        "Preserving evidence",
        "Evidence about security events is identified, collected and kept so it can be relied on.",
    ),
    (
        "A.5",
        "A.5.29",
        "Security while disrupted",
        "Security is kept at the right level during a disruption.",
    ),
    (
        "A.5",
        "A.5.30",
        "ICT continuity readiness",
        "Technology is planned, tested and ready to meet continuity objectives.",
    ),
    (
        "A.5",
        "A.5.31",
        "Legal and contractual obligations",
        "Legal, regulatory and contractual security requirements are identified and kept current.",
    ),
    (
        "A.5",
        "A.5.32",
        "Intellectual property",
        "Procedures protect intellectual property rights.",
    ),
    (
        "A.5",
        "A.5.33",
        "Keeping records safe",
        "Records are protected from loss, destruction, falsification and unauthorised access.",
    ),
    (
        "A.5",
        "A.5.34",
        "Personal data protection",
        "Privacy and personal data are protected as laws, regulations and contracts require.",
    ),
    (
        "A.5",
        "A.5.35",
        "Independent security review",
        "The approach to security is reviewed independently at planned intervals or after major change.",
    ),
    (
        "A.5",
        "A.5.36",
        "Following the security rules",
        "Compliance with the security policy and standards is checked regularly.",
    ),
    (
        "A.5",
        "A.5.37",
        "Written operating procedures",
        "Procedures for operating information systems are written down and available to those who need them.",
    ),
    (
        "A.6",
        "A.6.1",
        "Background checks",
        "Candidates are checked before joining, in proportion to the role and the law.",
    ),
    (
        "A.6",
        "A.6.2",
        "Security in employment terms",
        "Employment contracts state the employee's and the organisation's security duties.",
    ),
    (
        "A.6",
        "A.6.3",
        "Security awareness and training",
        "Staff get security awareness, education and training suited to their work, and updates.",
    ),
    (
        "A.6",
        "A.6.4",
        "Consequences for breaches",
        "A formal, communicated process acts on breaches of the security policy.",
    ),
    (
        "A.6",
        "A.6.5",
        "Duties after leaving or changing role",
        "Security duties that continue after someone leaves or changes role are defined and enforced.",
    ),
    (
        "A.6",
        "A.6.6",
        "Non-disclosure agreements",
        "Confidentiality agreements reflect the organisation's needs and are signed and reviewed.",
    ),
    (
        "A.6",
        "A.6.7",
        "Working remotely",
        "Security measures protect information accessed or handled away from the premises.",
    ),
    (
        "A.6",
        "A.6.8",
        "Reporting security events",
        "Staff have a way to report observed or suspected security events promptly.",
    ),
    (
        "A.7",
        "A.7.1",
        "Secure perimeters",
        "Perimeters are defined and used to protect areas holding information and assets.",
    ),
    (
        "A.7",
        "A.7.2",
        "Entry controls",
        "Secure areas are protected by entry controls and access points.",
    ),
    (
        "A.7",
        "A.7.3",
        "Securing rooms and facilities",
        "Offices, rooms and facilities are designed and built with physical security.",
    ),
    (
        "A.7",
        "A.7.4",
        "Watching premises",
        "Premises are monitored continuously for unauthorised physical access.",
    ),
    (
        "A.7",
        "A.7.5",
        "Environmental threats",
        "Protection against natural disasters and other physical threats is designed and in place.",
    ),
    (
        "A.7",
        "A.7.6",
        "Rules in secure areas",
        "Measures for working in secure areas are designed and applied.",
    ),
    (
        "A.7",
        "A.7.7",
        "Clear desk and screen",
        "Papers, removable media and screens are kept clear of information when unattended.",
    ),
    (
        "A.7",
        "A.7.8",
        "Placing and protecting equipment",
        "Equipment is sited securely and protected.",
    ),
    (
        "A.7",
        "A.7.9",
        "Assets away from premises",
        "Assets used outside the premises are protected.",
    ),
    (
        "A.7",
        "A.7.10",
        "Storage media",
        "Storage media are managed from acquisition through use, transport and disposal.",
    ),
    (
        "A.7",
        "A.7.11",
        "Power and utilities",
        "Facilities are protected from failures of power and other supporting utilities.",
    ),
    (
        "A.7",
        "A.7.12",
        "Cabling",
        "Power and data cables are protected from interception, interference and damage.",
    ),
    (
        "A.7",
        "A.7.13",
        "Maintaining equipment",
        "Equipment is maintained so that information stays available, intact and confidential.",
    ),
    (
        "A.7",
        "A.7.14",
        "Disposal and re-use of equipment",
        "Equipment with storage is checked so sensitive data and licensed software are removed before disposal or re-use.",
    ),
    (
        "A.8",
        "A.8.1",
        "End-user devices",
        "Information on, processed by or reachable from user devices is protected.",
    ),
    (
        "A.8",
        "A.8.2",
        "Privileged access",
        "Privileged access rights are restricted and managed.",
    ),
    (
        "A.8",
        "A.8.3",
        "Restricting access to information",
        "Access to information and assets is restricted according to the access policy.",
    ),
    (
        "A.8",
        "A.8.4",
        "Source code access",
        "Read and write access to source code and development tools is managed.",
    ),
    (
        "A.8",
        "A.8.5",
        "Strong authentication",
        "Authentication technology and procedures fit the access restrictions and policy.",
    ),
    (
        "A.8",
        "A.8.6",
        "Capacity",
        "Use of resources is monitored and adjusted to current and expected capacity needs.",
    ),
    (
        "A.8",
        "A.8.7",
        "Malware defence",
        "Protection against malware is in place, backed by user awareness.",
    ),
    (
        "A.8",
        "A.8.8",
        "Vulnerability management",
        "Information about technical weaknesses is obtained, exposure assessed and action taken.",
    ),
    (
        "A.8",
        "A.8.9",
        "Configuration baselines",
        "Configurations, including security settings, are set, documented, monitored and reviewed.",
    ),
    (
        "A.8",
        "A.8.10",
        "Deleting information",
        "Information is deleted when it is no longer needed.",
    ),
    (
        "A.8",
        "A.8.11",
        "Masking data",
        "Data is masked where policy, business needs and law call for it.",
    ),
    (
        "A.8",
        "A.8.12",
        "Preventing data leaks",
        "Measures against data leakage apply to systems, networks and devices holding sensitive data.",
    ),
    (
        "A.8",
        "A.8.13",
        "Backups",
        "Backups of information, software and systems are kept and tested under an agreed policy.",
    ),
    (
        "A.8",
        "A.8.14",
        "Redundant facilities",
        "Processing facilities have enough redundancy to meet availability needs.",
    ),
    (
        "A.8",
        "A.8.15",
        "Logs",
        "Logs of activities, exceptions, faults and events are produced, kept, protected and analysed.",
    ),
    (
        "A.8",
        "A.8.16",
        "Watching for anomalies",
        "Networks, systems and applications are monitored for anomalous behaviour and acted on.",
    ),
    (
        "A.8",
        "A.8.17",
        "Synchronised clocks",
        "System clocks are synchronised to approved time sources.",
    ),
    (
        "A.8",
        "A.8.18",
        "Powerful utility programs",
        "Utilities that can override system and application controls are restricted and controlled.",
    ),
    (
        "A.8",
        "A.8.19",
        "Installing software in production",
        "Software installation on operational systems is managed securely.",
    ),
    (
        "A.8",
        "A.8.20",
        "Network protection",
        "Networks and network devices are secured, managed and controlled.",
    ),
    (
        "A.8",
        "A.8.21",
        "Network services",
        "Security mechanisms and service levels of network services are defined and monitored.",
    ),
    (
        "A.8",
        "A.8.22",
        "Network segmentation",
        "Groups of services, users and systems are separated on the network.",
    ),
    (
        "A.8",
        "A.8.23",
        "Filtering web access",
        "Access to external websites is managed to reduce exposure to malicious content.",
    ),
    (
        "A.8",
        "A.8.24",
        "Cryptography",
        "Rules for using cryptography, including key management, are defined and followed.",
    ),
    (
        "A.8",
        "A.8.25",
        "Secure development lifecycle",
        "Rules for developing software and systems securely are set and applied.",
    ),
    (
        "A.8",
        "A.8.26",
        "Application security requirements",
        "Security requirements are identified and approved when applications are built or bought.",
    ),
    (
        "A.8",
        "A.8.27",
        "Secure engineering principles",
        "Principles for engineering secure systems are set, documented and applied.",
    ),
    (
        "A.8",
        "A.8.28",
        "Secure coding",
        "Secure coding principles are applied to software development.",
    ),
    (
        "A.8",
        "A.8.29",
        "Security testing before release",
        "Security testing is defined and done during development and acceptance.",
    ),
    (
        "A.8",
        "A.8.30",
        "Outsourced development",
        "Outsourced system development is directed, monitored and reviewed.",
    ),
    (
        "A.8",
        "A.8.31",
        "Separate environments",
        "Development, test and production environments are kept apart and secured.",
    ),
    (
        "A.8",
        "A.8.32",
        "Controlled changes",
        "Changes to systems and facilities go through change management.",
    ),
    (
        "A.8",
        "A.8.33",
        "Test data",
        "Test information is chosen, protected and managed.",
    ),
    (
        "A.8",
        "A.8.34",
        "Protecting systems during audits",
        "Audit tests on operational systems are planned and agreed to limit their impact.",
    ),
];

/// The catalog as framework `key`.
pub(crate) fn framework(key: &str) -> Framework {
    let series: Vec<Series> = SERIES
        .iter()
        .map(|&(id, name, category)| Series {
            id: id.to_string(),
            name: name.to_string(),
            category: category.to_string(),
        })
        .collect();
    let controls = CONTROLS
        .iter()
        .map(|&(s, id, title, summary)| {
            let category = series
                .iter()
                .find(|x| x.id == s)
                .map(|x| x.category.clone())
                .unwrap_or_default();
            Control::new(key, id, title, summary, s, &category)
        })
        .collect();
    Framework {
        id: key.to_string(),
        name: "ISO/IEC 27001:2022".to_string(),
        categories: vec!["management-system".into(), "annex-a".into()],
        series,
        controls,
        id_style: IdStyle::AsWritten,
        scoped_by_category: false,
        soa_category: Some("annex-a".to_string()),
        catalog: CATALOG_KEY.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_a_has_its_93_controls_in_four_themes() {
        let f = framework("iso27001");
        let annex: Vec<&Control> = f
            .controls
            .iter()
            .filter(|c| c.category == "annex-a")
            .collect();
        assert_eq!(annex.len(), 93);
        for (theme, n) in [("A.5", 37), ("A.6", 8), ("A.7", 14), ("A.8", 34)] {
            assert_eq!(
                annex.iter().filter(|c| c.series == theme).count(),
                n,
                "{theme}"
            );
        }
        for c in &f.controls {
            assert!(c.summary.ends_with('.'), "{}", c.id);
            assert!(f.series(&c.series).is_some(), "{}", c.id);
        }
        for id in ["4.3", "5.2", "6.1.2", "6.1.3", "7.5", "9.2", "9.3", "10.2"] {
            assert!(f.controls.iter().any(|c| c.id == id), "{id}");
        }
    }
}
