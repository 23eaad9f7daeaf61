//! What the unit endpoints answer: units as of a date, subtrees and histories.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::units::{History, UnitAt};
use crate::db::models::ParentLinkRow;
use crate::db::repo::restructurings::SuccessionRow;
use crate::domain::vocab::UnitType;

/// An organisation unit as of a date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrgUnit {
    /// Id.
    pub id: Uuid,
    /// Master-data code, unique among units valid at the same time.
    pub code: String,
    /// Vietnamese name, e.g. "Sở Tài nguyên và Môi trường".
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Kind of unit.
    pub unit_type: UnitType,
    /// Level id.
    pub level_id: Uuid,
    /// Level code.
    pub level_code: String,
    /// Parent on the date read (absent for a top unit or when no parent link is valid then).
    pub parent_id: Option<Uuid>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day; absent while the unit exists.
    pub valid_to: Option<NaiveDate>,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<UnitAt> for OrgUnit {
    fn from(u: UnitAt) -> Self {
        let r = u.row;
        Self {
            id: r.id,
            code: r.code,
            name: r.name,
            short_name: r.short_name,
            unit_type: r.unit_type,
            level_id: r.level_id,
            level_code: u.level_code,
            parent_id: u.parent_id,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A unit in a subtree, with its depth below the subtree's root.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SubtreeEntry {
    /// Depth: 0 for the root.
    pub depth: i32,
    /// The unit.
    pub unit: OrgUnit,
}

/// A subtree as of a date.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Subtree {
    /// The date read.
    pub as_of: NaiveDate,
    /// Units in depth-first order (each parent before its children, siblings by code).
    pub items: Vec<SubtreeEntry>,
}

/// A dated parent link.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ParentLink {
    /// Parent unit.
    pub parent_id: Uuid,
    /// First day of the link.
    pub valid_from: NaiveDate,
    /// Last day of the link.
    pub valid_to: Option<NaiveDate>,
}

impl From<ParentLinkRow> for ParentLink {
    fn from(l: ParentLinkRow) -> Self {
        Self {
            parent_id: l.parent_id,
            valid_from: l.valid_from,
            valid_to: l.valid_to,
        }
    }
}

/// A predecessor→successor link made by a restructuring.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Succession {
    /// The other unit (predecessor or successor).
    pub unit_id: Uuid,
    /// The restructuring.
    pub restructuring_id: Uuid,
    /// Whether units were merged or one was split.
    pub kind: crate::domain::vocab::RestructuringKind,
    /// The day the successor took over.
    pub effective_date: NaiveDate,
}

impl From<SuccessionRow> for Succession {
    fn from((unit_id, restructuring_id, kind, effective_date): SuccessionRow) -> Self {
        Self {
            unit_id,
            restructuring_id,
            kind,
            effective_date,
        }
    }
}

/// Where a unit came from and went to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitHistory {
    /// The unit.
    pub unit: OrgUnit,
    /// Its parent links, oldest first.
    pub parents: Vec<ParentLink>,
    /// Units it succeeded.
    pub predecessors: Vec<Succession>,
    /// Units that succeeded it.
    pub successors: Vec<Succession>,
}

impl From<History> for UnitHistory {
    fn from(h: History) -> Self {
        Self {
            unit: h.unit.into(),
            parents: h.parents.into_iter().map(ParentLink::from).collect(),
            predecessors: h.predecessors.into_iter().map(Succession::from).collect(),
            successors: h.successors.into_iter().map(Succession::from).collect(),
        }
    }
}
