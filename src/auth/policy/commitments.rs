//! Who may see commitments and signing delegations, and who may sign for a unit.
//!
//! A commitment is read by those who read the assignments of its unit or of the round's
//! assigning unit; a delegation by those who read the personnel of its unit. Signing is the
//! domain's decision ([`crate::domain::commitment::signer`]) over facts loaded here.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::{CommitmentRow, DelegationRow, RoundRow};
use crate::db::repo;
use crate::db::schema::{commitments, rounds, signing_delegations};
use crate::domain::commitment::{self, Signer, SigningFacts};
use crate::domain::roles::Permission;
use crate::error::ApiError;

/// Round `round_id` if the caller may read it and the commitments of `unit` in it (it reads
/// the assignments of `unit` or of the round's assigning unit); 404 otherwise.
pub async fn round_for_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round_id: Uuid,
    unit: Uuid,
) -> Result<RoundRow, ApiError> {
    let round = super::rounds::visible(conn, caller, round_id).await?;
    if caller.can(conn, Permission::AssignmentRead, unit).await?
        || caller
            .can(conn, Permission::AssignmentRead, round.assigning_unit_id)
            .await?
    {
        Ok(round)
    } else {
        Err(ApiError::not_found())
    }
}

/// Commitment `id` if the caller may read it (see [`round_for_unit`]); 404 otherwise.
pub async fn visible(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<CommitmentRow, ApiError> {
    let row = repo::commitments::get(conn, id).await?;
    round_for_unit(conn, caller, row.round_id, row.assignee_unit_id).await?;
    Ok(row)
}

/// The filter of every list of commitments: those of units the caller reads, or given in
/// rounds of units it reads.
pub async fn readable(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<repo::commitments::CommitmentFilter, ApiError> {
    let units = caller.units_with(conn, Permission::AssignmentRead).await?;
    let rounds_of_units = rounds::table
        .filter(rounds::assigning_unit_id.eq_any(units.clone()))
        .select(rounds::id);
    Ok(Box::new(
        commitments::assignee_unit_id
            .eq_any(units)
            .or(commitments::round_id.eq_any(rounds_of_units)),
    ))
}

/// Whether the caller may read delegation `d`.
pub async fn can_read_delegation(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    d: &DelegationRow,
) -> Result<bool, ApiError> {
    caller.can(conn, Permission::PersonnelRead, d.unit_id).await
}

/// The filter of every list of delegations: the rows [`can_read_delegation`] allows.
pub async fn readable_delegations(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<repo::commitments::DelegationFilter, ApiError> {
    super::in_units_with(
        conn,
        caller,
        Permission::PersonnelRead,
        signing_delegations::unit_id,
    )
    .await
}

/// Delegation `id` if the caller may read it; 404 otherwise.
pub async fn visible_delegation(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<DelegationRow, ApiError> {
    let d = repo::commitments::get_delegation(conn, id).await?;
    super::shown(can_read_delegation(conn, caller, &d).await?, d)
}

/// Who signs for `unit` on `today` on behalf of the caller: its head, or a cadre with a
/// signing delegation; 403 for anyone else.
pub async fn signer(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
    today: NaiveDate,
) -> Result<Signer, ApiError> {
    let mut facts = SigningFacts {
        may_sign: caller.can(conn, Permission::CommitmentSign, unit).await?,
        ..SigningFacts::default()
    };
    if facts.may_sign {
        facts.cadre = repo::accounts::cadre_of(conn, caller.account_id).await?;
        if let Some(cadre) = facts.cadre {
            facts.posts = repo::commitments::posts_in_unit(conn, cadre, unit).await?;
            facts.delegations = repo::commitments::grants(conn, cadre, unit).await?;
        }
    }
    commitment::signer(&facts, today).ok_or_else(|| {
        ApiError::forbidden().detail(
            "only the head of the unit, or a cadre with a signing delegation, may sign",
            "chỉ người đứng đầu đơn vị hoặc người được ủy quyền mới được ký cam kết",
        )
    })
}
