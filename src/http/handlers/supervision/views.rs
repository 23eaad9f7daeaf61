//! What the supervision endpoints answer: obstacles and opinions.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::models::{ObstacleRow, OpinionRow};
use crate::domain::progress::ObstacleState;

/// An obstacle and the support given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Obstacle {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// The progress report it was raised with, if any.
    pub report_id: Option<Uuid>,
    /// What stands in the way.
    pub description: String,
    /// The support asked for.
    pub support_requested: Option<String>,
    /// `open`, `answered` or `resolved`.
    pub state: ObstacleState,
    /// Who raised it.
    pub raised_by: Uuid,
    /// When.
    pub raised_at: DateTime<Utc>,
    /// The answer.
    pub response: Option<String>,
    /// Who answered.
    pub responded_by: Option<Uuid>,
    /// When.
    pub responded_at: Option<DateTime<Utc>>,
    /// How it was resolved.
    pub resolution_note: Option<String>,
    /// When.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Whether it was certified as an objective cause.
    pub objective_cause: bool,
    /// The certification's note.
    pub certification_note: Option<String>,
    /// Who certified it.
    pub certified_by: Option<Uuid>,
    /// When.
    pub certified_at: Option<DateTime<Utc>>,
    /// Version, also the ETag.
    pub version: i32,
}

impl From<ObstacleRow> for Obstacle {
    fn from(r: ObstacleRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            report_id: r.report_id,
            description: r.description,
            support_requested: r.support_requested,
            state: r.state,
            raised_by: r.raised_by,
            raised_at: r.raised_at,
            response: r.response,
            responded_by: r.responded_by,
            responded_at: r.responded_at,
            resolution_note: r.resolution_note,
            resolved_at: r.resolved_at,
            objective_cause: r.objective_cause,
            certification_note: r.certification_note,
            certified_by: r.certified_by,
            certified_at: r.certified_at,
            version: r.version,
        }
    }
}

/// An opinion recorded on an assignment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Opinion {
    /// Id.
    pub id: Uuid,
    /// The assignment.
    pub assignment_id: Uuid,
    /// Its author's account.
    pub author_id: Uuid,
    /// The opinion.
    pub body: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<OpinionRow> for Opinion {
    fn from(r: OpinionRow) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            author_id: r.author_id,
            body: r.body,
            created_at: r.created_at,
        }
    }
}
