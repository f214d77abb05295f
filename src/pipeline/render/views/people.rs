//! The "People and roles" page: who holds each role now, who held it before, and what the
//! handbook asks of it (documents it owns or approves).

use serde::Serialize;

use super::Views;

#[derive(Serialize)]
/// Someone holding a role, with the dates.
pub struct HolderView {
    /// Their name.
    pub name: String,
    /// First day, when recorded.
    pub from: Option<String>,
    /// Last day, when it ended.
    pub until: Option<String>,
}

#[derive(Serialize)]
/// A role.
pub struct RoleView {
    /// "CISO".
    pub role: String,
    /// Its anchor on the page.
    pub anchor: String,
    /// Who holds it on the as-of date.
    pub current: Vec<HolderView>,
    /// Who held it before (or will, from a later date).
    pub others: Vec<HolderView>,
    /// Documents it owns.
    pub owns: usize,
    /// Documents it approves.
    pub approves: usize,
}

#[derive(Serialize)]
/// The page.
pub struct PeopleView {
    /// Every role, in first-mention order.
    pub roles: Vec<RoleView>,
    /// The date "now" means.
    pub as_of: Option<String>,
    /// How many people.
    pub people: usize,
}

impl Views<'_> {
    /// The people and roles page.
    pub fn people(&self) -> PeopleView {
        let hb = self.hb;
        let p = &hb.people;
        let as_of = hb.trace.as_of;
        let roles = p
            .roles()
            .into_iter()
            .map(|role| {
                let mut current = Vec::new();
                let mut others = Vec::new();
                for person in &p.persons {
                    for span in person
                        .roles
                        .iter()
                        .filter(|s| s.role.eq_ignore_ascii_case(role))
                    {
                        let h = HolderView {
                            name: person.name.clone(),
                            from: span.from.map(|d| d.to_string()),
                            until: span.until.map(|d| d.to_string()),
                        };
                        if span.covers(as_of) {
                            current.push(h);
                        } else {
                            others.push(h);
                        }
                    }
                }
                others.sort_by(|a, b| b.from.cmp(&a.from));
                let named = |f: &dyn Fn(&crate::model::Document) -> bool| {
                    hb.documents.iter().filter(|d| f(d)).count()
                };
                RoleView {
                    anchor: format!("role-{}", crate::markdown::slug(role)),
                    role: role.to_string(),
                    current,
                    others,
                    owns: named(&|d| d.owner_name().is_some_and(|o| o.eq_ignore_ascii_case(role))),
                    approves: named(&|d| {
                        d.approvers
                            .iter()
                            .any(|a| a.value.eq_ignore_ascii_case(role))
                    }),
                }
            })
            .collect();
        PeopleView {
            roles,
            as_of: as_of.map(|d| d.to_string()),
            people: p.persons.len(),
        }
    }
}
