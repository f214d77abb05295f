//! Control catalogs: the frameworks whose controls documents map to.
//!
//! Built in: SOC 2 (`soc2`), ISO/IEC 27001:2022 (`iso27001-2022`) and the NIST SP 800-53 Rev. 5
//! Low baseline (`nist-800-53-low`); more come from `[frameworks.<key>]` in site.toml as YAML
//! (`yaml`) or OSCAL (`oscal`) catalogs, narrowed by a profile (`profile`), and linked by
//! crosswalks (`crosswalk`). `assemble` puts them together. A framework is a flat, ordered list
//! of controls grouped in series; the order is the catalog's own and is the order of the matrix
//! and the exports. (framework, id) is the key: two frameworks may share an id.

mod assemble;
pub mod crosswalk;
mod iso27001;
pub mod oscal;
mod profile;
mod soc2;
mod yaml;

pub use assemble::{BUILTIN, CatalogFile, assemble};
pub use crosswalk::{Crosswalk, Relationship};

use std::collections::HashMap;

use crate::fnv::Fnv;
use crate::model::{ControlIx, Ix, IxVec};

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
/// A criterion of a framework (`CC6.1`), with the words policybook shows for it.
pub struct Control {
    /// The framework it belongs to (`soc2`).
    pub framework: String,
    /// Its id within the framework (`CC6.1`).
    pub id: String,
    /// A short name of our own ("Logical access security").
    pub title: String,
    /// One sentence in our own words.
    pub summary: String,
    /// Id of the series the control belongs to (`CC6`).
    pub series: String,
    /// Category id (`security`, `availability`, …), what `site.toml` scopes by.
    pub category: String,
    /// Withdrawn from the catalog: it cannot be mapped.
    pub withdrawn: bool,
    /// For a withdrawn control, where its content went, in the catalog's id form.
    pub replaced_by: Vec<String>,
    /// For an enhancement (`AC-2(1)`), the control it enhances (`AC-2`).
    pub parent: Option<String>,
    /// Selected by the framework's profile (all are, without one).
    pub selected: bool,
    /// Its id in the OSCAL catalog it was read from (`ac-2.1`), for OSCAL exports.
    pub oscal_id: Option<String>,
}

impl Control {
    /// A selected, current control.
    pub fn new(
        framework: &str,
        id: &str,
        title: &str,
        summary: &str,
        series: &str,
        category: &str,
    ) -> Control {
        Control {
            framework: framework.to_string(),
            id: id.to_string(),
            title: title.to_string(),
            summary: summary.to_string(),
            series: series.to_string(),
            category: category.to_string(),
            withdrawn: false,
            replaced_by: Vec::new(),
            parent: None,
            selected: true,
            oscal_id: None,
        }
    }
}

/// How a framework's ids are written, and so which spellings of one id are the same control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdStyle {
    /// Exactly as the catalog writes them.
    AsWritten,
    /// NIST's: `AC-2(1)` as the standard writes it, `ac-2.1` as OSCAL does, in either case.
    Nist,
}

#[derive(Debug, Clone, Serialize)]
/// A group of controls (`CC6`, "Logical and Physical Access Controls").
pub struct Series {
    /// `CC6`.
    pub id: String,
    /// "Logical and Physical Access Controls".
    pub name: String,
    /// The category its controls belong to (`security`).
    pub category: String,
}

#[derive(Debug, Clone)]
/// A control framework: SOC 2's Trust Services Criteria, ISO 27001, a NIST baseline, a catalog
/// of the organisation's own.
pub struct Framework {
    /// `soc2`: how front matter and site.toml name it.
    pub id: String,
    /// Its full name, for pages.
    pub name: String,
    /// Its categories, in order (`security`, `availability`…).
    pub categories: Vec<String>,
    /// Its series, in order.
    pub series: Vec<Series>,
    /// Its controls, in catalog order.
    pub controls: Vec<Control>,
    /// How its ids are spelt.
    pub id_style: IdStyle,
    /// Whether `[scope] categories` chooses its controls in scope (SOC 2's categories); other
    /// frameworks' are chosen by their profile.
    pub scoped_by_category: bool,
    /// The category whose controls a Statement of Applicability lists (ISO's Annex A), when
    /// it is a framework that has one.
    pub soa_category: Option<String>,
    /// Where it comes from: a built-in key (`iso27001-2022`) or the catalog file's path.
    pub catalog: String,
}

impl Framework {
    /// The framework's categories, in order.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// The series with this id.
    pub fn series(&self, id: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.id == id)
    }
}

#[derive(Debug, Clone)]
/// Every control policybook knows, by framework: what ids in front matter are checked against.
pub struct Catalog {
    /// The frameworks, in order.
    pub frameworks: Vec<Framework>,
    /// framework → control id → position in `controls()` order. Nested rather than keyed by a
    /// pair so that a lookup by `&str` allocates nothing, and hashed with FNV-1a: it runs for
    /// every mapping of every document on every build and every `serve` rebuild.
    index: HashMap<String, HashMap<String, ControlIx, Fnv>, Fnv>,
    /// position → (framework index, control index)
    positions: IxVec<ControlIx, (usize, usize)>,
    /// `[[crosswalks]]`, read and checked, in site.toml order.
    pub crosswalks: Vec<Crosswalk>,
}

impl Catalog {
    /// The built-in catalog with no settings: SOC 2 alone.
    pub fn builtin() -> Catalog {
        Catalog::new(vec![soc2::framework(soc2::FRAMEWORK_ID)], Vec::new())
    }

    /// A catalog of these frameworks and crosswalks, indexed.
    pub fn new(frameworks: Vec<Framework>, crosswalks: Vec<Crosswalk>) -> Catalog {
        let mut index: HashMap<String, HashMap<String, ControlIx, Fnv>, Fnv> = HashMap::default();
        let mut positions = Vec::new();
        for (fi, f) in frameworks.iter().enumerate() {
            for (ci, c) in f.controls.iter().enumerate() {
                index
                    .entry(f.id.clone())
                    .or_default()
                    .insert(c.id.clone(), ControlIx::new(positions.len()));
                positions.push((fi, ci));
            }
        }
        Catalog {
            frameworks,
            index,
            positions: IxVec::from_vec(positions),
            crosswalks,
        }
    }

    /// The framework with this id.
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id == id)
    }

    /// The control `id` of `framework`.
    pub fn control(&self, framework: &str, id: &str) -> Option<&Control> {
        self.position(framework, id).map(|p| self.at(p))
    }

    /// Position of a control in `controls()` order: the key the trace is indexed by. Any
    /// spelling the framework accepts finds it (`ac-2.1` and `AC-2(1)` for NIST).
    pub fn position(&self, framework: &str, id: &str) -> Option<ControlIx> {
        let ids = self.index.get(framework)?;
        if let Some(&p) = ids.get(id) {
            return Some(p);
        }
        let f = self.framework(framework)?;
        match f.id_style {
            IdStyle::AsWritten => None,
            IdStyle::Nist => ids.get(&oscal::id_form(id)).copied(),
        }
    }

    /// The control at a position returned by `position`.
    pub fn at(&self, position: ControlIx) -> &Control {
        let (fi, ci) = self.positions[position];
        &self.frameworks[fi].controls[ci]
    }

    /// Number of controls, all frameworks together.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether there are no controls.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Every position, in catalog order.
    pub fn positions(&self) -> impl DoubleEndedIterator<Item = ControlIx> + use<> {
        self.positions.indices()
    }

    /// Every control of every framework, in catalog order.
    pub fn controls(&self) -> impl Iterator<Item = &Control> {
        self.frameworks.iter().flat_map(|f| f.controls.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soc2_has_all_61_criteria_in_order() {
        let catalog = Catalog::builtin();
        let soc2 = catalog.framework("soc2").unwrap();
        assert!(soc2.scoped_by_category);
        assert_eq!(soc2.controls.len(), 61);
        assert_eq!(soc2.controls[0].id, "CC1.1");
        assert_eq!(soc2.controls[60].id, "P8.1");
        for c in &soc2.controls {
            assert!(soc2.series(&c.series).is_some(), "{} has no series", c.id);
            assert!(soc2.categories.contains(&c.category), "{}", c.id);
            assert!(
                c.summary.ends_with('.'),
                "{} summary is not a sentence",
                c.id
            );
        }
    }

    #[test]
    fn identifiers_match_the_published_list() {
        // The reference list in shared/data (identifiers only) as of the 2017 criteria.
        let expected = "CC1.1 CC1.2 CC1.3 CC1.4 CC1.5 CC2.1 CC2.2 CC2.3 CC3.1 CC3.2 CC3.3 CC3.4 CC4.1 \
            CC4.2 CC5.1 CC5.2 CC5.3 CC6.1 CC6.2 CC6.3 CC6.4 CC6.5 CC6.6 CC6.7 CC6.8 CC7.1 CC7.2 \
            CC7.3 CC7.4 CC7.5 CC8.1 CC9.1 CC9.2 A1.1 A1.2 A1.3 C1.1 C1.2 PI1.1 PI1.2 PI1.3 PI1.4 \
            PI1.5 P1.1 P2.1 P3.1 P3.2 P4.1 P4.2 P4.3 P5.1 P5.2 P6.1 P6.2 P6.3 P6.4 P6.5 P6.6 P6.7 \
            P7.1 P8.1";
        let catalog = Catalog::builtin();
        let ids: Vec<&str> = catalog.controls().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, expected.split_whitespace().collect::<Vec<_>>());
        let control = catalog.control("soc2", "PI1.3").unwrap();
        assert_eq!(control.category, "processing-integrity");
        assert_eq!(control.series, "PI1");
    }
}
