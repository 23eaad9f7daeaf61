//! Assignments: tasks and quantified targets given to the head of a unit.

use serde_json::{json, Value};

use crate::db::models::AssignmentRow;

/// The terms of an assignment: what the head commits to. Their canonical JSON is hashed and
/// signed; any change makes a new version.
pub fn terms_of(a: &AssignmentRow) -> Value {
    json!({
        "assignment_id": a.id,
        "round_id": a.round_id,
        "assigning_unit_id": a.assigning_unit_id,
        "assignee_unit_id": a.assignee_unit_id,
        "code": a.code,
        "title": a.title,
        "description": a.description,
        "content_area": a.content_area.as_str(),
        "kind": a.kind.as_str(),
        "product_description": a.product_description,
        "flags": a.flags,
        "growth_target": a.growth_target,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "target": a.target,
        "rollup": a.rollup.as_str(),
        "weight": a.weight,
        "milestones": a.milestones,
        "parent_id": a.parent_id,
        "indicator_code": a.indicator_code,
    })
}
