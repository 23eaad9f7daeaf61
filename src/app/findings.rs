//! Spot-check findings: what the field check found for each drawn assignment (confirmed, or a
//! discrepancy with a note and evidence). A discrepancy counts as a quality defect in the
//! facts of the assignment's evaluations.

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::in_tx;
use crate::auth::policy::rounds::visible as round;
use crate::auth::Caller;
use crate::db::models::{FindingRow, SpotCheckRow};
use crate::db::repo;
use crate::domain::record::FindingOutcome;
use crate::domain::roles::Permission;
use crate::domain::text::plain_text;
use crate::domain::Violation;
use crate::error::ApiError;

/// A finding to record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    /// The drawn assignment checked.
    pub assignment_id: Uuid,
    /// What the check found.
    pub outcome: FindingOutcome,
    /// What was checked and found.
    #[validate(length(min = 1, max = 10000), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: String,
    /// Evidence of the finding (standing evidence of the assignment; required for a
    /// discrepancy).
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub evidence_ids: Vec<Uuid>,
}

/// Spot check `id`, if the caller may read its round; 404 otherwise.
async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(SpotCheckRow, Uuid), ApiError> {
    let check = repo::record::spot_check(conn, id).await?;
    let r = round(conn, caller, check.round_id).await?;
    Ok((check, r.assigning_unit_id))
}

/// Records what the field check found for one drawn assignment (`evidence_verify` on the
/// assigning unit; one finding per assignment and check).
pub async fn record(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    spot_check: Uuid,
    new: NewFinding,
) -> Result<FindingRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let (check, unit) = visible(tx.conn, caller, spot_check).await?;
        caller
            .require_on(tx.conn, Permission::EvidenceVerify, unit)
            .await?;
        let mut violations = Vec::new();
        if !check.drawn_ids.contains(&new.assignment_id) {
            violations.push(Violation::new(
                "assignment_id",
                "not_drawn",
                "the assignment was not drawn by this spot check",
                "nhiệm vụ không thuộc danh sách được chọn kiểm tra",
            ));
        }
        if new.outcome == FindingOutcome::Discrepancy && new.evidence_ids.is_empty() {
            violations.push(Violation::new(
                "evidence_ids",
                "required",
                "a discrepancy needs evidence",
                "sai lệch phải có minh chứng",
            ));
        }
        let mut ids = new.evidence_ids.clone();
        ids.sort();
        ids.dedup();
        let standing =
            repo::evaluations::standing_evidence(tx.conn, new.assignment_id, &ids).await?;
        if usize::try_from(standing).ok() != Some(ids.len()) {
            violations.push(Violation::new(
                "evidence_ids",
                "unknown_evidence",
                "every cited piece must be standing evidence of the assignment",
                "minh chứng viện dẫn phải là minh chứng còn hiệu lực của nhiệm vụ",
            ));
        }
        if !violations.is_empty() {
            return Err(ApiError::violations(violations));
        }
        let row = FindingRow {
            id: Uuid::now_v7(),
            spot_check_id: check.id,
            assignment_id: new.assignment_id,
            outcome: new.outcome,
            note: new.note,
            evidence_ids: new.evidence_ids,
            recorded_by: tx.caller.account_id,
            recorded_at: tx.now,
        };
        repo::record::insert_finding(tx.conn, &row)
            .await
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => ApiError::conflict(
                    "this assignment already has a finding in this spot check",
                    "nhiệm vụ này đã có kết quả kiểm tra trong lần kiểm tra này",
                ),
                other => other.into(),
            })?;
        tx.created("spot_check.finding", row.id, Some(unit), &row);
        Ok(row)
    })
    .await
}

/// The findings of spot check `id`, oldest first (`assignment_read` on the assigning unit, as
/// for the list of its spot checks).
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    spot_check: Uuid,
) -> Result<Vec<FindingRow>, ApiError> {
    let (check, unit) = visible(conn, caller, spot_check).await?;
    caller
        .require_on(conn, Permission::AssignmentRead, unit)
        .await?;
    Ok(repo::record::findings_of_check(conn, check.id).await?)
}
