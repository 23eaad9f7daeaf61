//! Cadres: the people who hold posts. A person's file is visible only within the scope of its
//! managing unit; outside it, the person does not exist (404).

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::crud::{change, Audited};
use super::posts::{history_of, Held};
use super::{in_tx, IfMatch, Tx};
use crate::auth::policy::cadres as policy;
use crate::auth::Caller;
use crate::db::models::CadreRow;
use crate::db::repo;
use crate::domain::org_rules::birth_violation;
use crate::domain::text::code_format;
use crate::domain::text::plain_text;
use crate::domain::vocab::Gender;
use crate::error::ApiError;

/// New cadre.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCadre {
    /// Personnel file code, unique.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub personnel_code: Option<String>,
    /// Full name.
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub full_name: String,
    /// Gender.
    pub gender: Option<Gender>,
    /// Date of birth; not in the future.
    pub date_of_birth: Option<NaiveDate>,
    /// E-mail address.
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    /// The managing unit (the caller needs `personnel_manage` on it).
    pub managing_unit_id: Uuid,
}

/// Changes to a cadre; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadrePatch {
    /// Personnel file code, unique.
    #[validate(length(min = 1, max = 50), custom(function = "code_format"))]
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = "^[A-Za-z0-9][A-Za-z0-9_.\\-]*$"
    )]
    pub personnel_code: Option<String>,
    /// Full name.
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub full_name: Option<String>,
    /// Gender.
    pub gender: Option<Gender>,
    /// Date of birth; not in the future.
    pub date_of_birth: Option<NaiveDate>,
    /// E-mail address.
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
    /// Move the file to another managing unit (needs `personnel_manage` on both units).
    pub managing_unit_id: Option<Uuid>,
}

/// Cadres in the caller's personnel scope that match `filter`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &repo::cadres::ListFilter,
) -> Result<Vec<CadreRow>, ApiError> {
    let scope = policy::readable(conn, caller).await?;
    Ok(repo::cadres::list(conn, scope, filter).await?)
}

/// One cadre the caller can read, with every post they have held (oldest first).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<(CadreRow, Vec<Held>), ApiError> {
    let row = repo::cadres::get(conn, id).await?;
    policy::visible(conn, caller, &row).await?;
    let posts = history_of(conn, row.id).await?;
    Ok((row, posts))
}

/// Adds a person's file under a managing unit.
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewCadre,
) -> Result<CadreRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        if let Some(v) = birth_violation(new.date_of_birth, tx.now.date_naive()) {
            return Err(ApiError::violations(vec![v]));
        }
        policy::may_manage_ref(tx.conn, caller, new.managing_unit_id).await?;
        let row = CadreRow {
            id: Uuid::now_v7(),
            personnel_code: new.personnel_code,
            full_name: new.full_name,
            gender: new.gender,
            date_of_birth: new.date_of_birth,
            email: new.email,
            managing_unit_id: new.managing_unit_id,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
        };
        let row = repo::cadres::insert(tx.conn, &row).await?;
        tx.created("cadre.create", row.id, Some(row.managing_unit_id), &row);
        Ok(row)
    })
    .await
}

impl Audited for CadreRow {
    fn audit_unit(&self) -> Option<Uuid> {
        Some(self.managing_unit_id)
    }
}

/// Corrects a cadre's file or moves it to another managing unit.
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: CadrePatch,
) -> Result<CadreRow, ApiError> {
    let lock = async |tx: &mut Tx<'_>| {
        if let Some(v) = birth_violation(patch.date_of_birth, tx.now.date_naive()) {
            return Err(ApiError::violations(vec![v]));
        }
        let row = repo::cadres::lock(tx.conn, id).await?;
        policy::may_manage(tx.conn, caller, row.managing_unit_id).await?;
        if_match.check(row.version)?;
        Ok(row)
    };
    change(
        conn,
        caller,
        "cadre.update",
        id,
        lock,
        async |tx, before| {
            if let Some(unit) = patch
                .managing_unit_id
                .filter(|u| *u != before.managing_unit_id)
            {
                policy::may_manage_ref(tx.conn, caller, unit).await?;
            }
            let changes = repo::cadres::Changes {
                personnel_code: patch.personnel_code,
                full_name: patch.full_name,
                gender: patch.gender,
                date_of_birth: patch.date_of_birth,
                email: patch.email,
                managing_unit_id: patch.managing_unit_id,
            };
            Ok(repo::cadres::update(tx.conn, before, &changes, tx.now).await?)
        },
    )
    .await
}
