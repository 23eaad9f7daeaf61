//! Who may see and act on the evaluations of people and collectives: they are run by the
//! evaluating unit's Organisation Board (`evaluation_appraise`) and Standing Committee
//! (`evaluation_decide`), who read them all; a cadre reads their own, and holders of
//! `cadre_record_read` over the cadre's managing unit read it as part of the cadre's record;
//! a collective's is read by its head (`commitment_sign`) and by `cadre_record_read` over
//! the collective's unit. An override needs a committee above the evaluating unit.

use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::PersonEvaluationRow;
use crate::db::repo;
use crate::db::repo::person_evaluations::Scope;
use crate::db::schema::{cadres, person_evaluations};
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Whether the caller runs evaluations of `unit` (appraises or decides there).
async fn runs(conn: &mut AsyncPgConnection, caller: &Caller, unit: Uuid) -> Result<bool, ApiError> {
    Ok(caller
        .can(conn, Permission::EvaluationAppraise, unit)
        .await?
        || caller.can(conn, Permission::EvaluationDecide, unit).await?)
}

/// Whether the caller may read `e`.
pub async fn can_read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    e: &PersonEvaluationRow,
) -> Result<bool, ApiError> {
    if runs(conn, caller, e.evaluating_unit_id).await? {
        return Ok(true);
    }
    if let Some(cadre) = e.cadre_id {
        if repo::accounts::cadre_of(conn, caller.account_id).await? == Some(cadre) {
            return Ok(true);
        }
        return match repo::cadres::managing_unit(conn, cadre).await? {
            Some(unit) => caller.can(conn, Permission::CadreRecordRead, unit).await,
            None => Ok(false),
        };
    }
    match e.collective_unit_id {
        Some(unit) => Ok(caller.can(conn, Permission::CommitmentSign, unit).await?
            || caller.can(conn, Permission::CadreRecordRead, unit).await?),
        None => Ok(false),
    }
}

/// The filter of every list of person evaluations: those [`can_read`] allows, and no others.
pub async fn readable(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<Scope, ApiError> {
    let mut running = caller
        .units_with(conn, Permission::EvaluationAppraise)
        .await?;
    running.extend(
        caller
            .units_with(conn, Permission::EvaluationDecide)
            .await?,
    );
    let records = caller.units_with(conn, Permission::CadreRecordRead).await?;
    let heads = caller.units_with(conn, Permission::CommitmentSign).await?;
    let own = repo::accounts::cadre_of(conn, caller.account_id)
        .await?
        .unwrap_or_else(Uuid::nil);
    let managed = cadres::table
        .filter(cadres::managing_unit_id.eq_any(records.clone()))
        .select(cadres::id);
    let collectives: Vec<Uuid> = records.into_iter().chain(heads).collect();
    let cadre = person_evaluations::cadre_id.assume_not_null();
    Ok(Box::new(
        person_evaluations::evaluating_unit_id
            .eq_any(running)
            .or(cadre.eq(own))
            .or(cadre.eq_any(managed))
            .or(person_evaluations::collective_unit_id
                .assume_not_null()
                .eq_any(collectives)),
    ))
}

/// Evaluation `id`, locked for a change when `lock`, if the caller may read it; 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    lock: bool,
) -> Result<PersonEvaluationRow, ApiError> {
    let e = repo::person_evaluations::find(conn, id, lock)
        .await?
        .ok_or_else(ApiError::not_found)?;
    super::shown(can_read(conn, caller, &e).await?, e)
}

/// Requires a committee above the evaluating unit of `e`: `evaluation_decide` bound over the
/// subtree of one of its ancestors (403 otherwise).
pub async fn may_override(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    e: &PersonEvaluationRow,
) -> Result<(), ApiError> {
    super::evaluations::committee_above(conn, caller, e.evaluating_unit_id).await
}
