//! Accounts: people (`user`) and machine clients (`client`) who call the API. An account is
//! managed within the scope of its home unit; outside it, the account does not exist (404).
//! Password hashes and client secrets never leave the database, not even into the audit trail.

use actix_web::{get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::units::unknown;
use crate::auth::{password, Caller};
use crate::db::audit::{self, Change};
use crate::db::models::AccountRow;
use crate::db::schema::{accounts, cadres};
use crate::domain::roles::Permission;
use crate::domain::vocab::AccountKind;
use crate::error::{ApiError, ApiResult, Msg};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(set_secret);
}

/// An account (never with its password or secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// Id.
    pub id: Uuid,
    /// Sign-in name (the client id of a machine client), unique.
    pub username: String,
    /// Name shown to people, e.g. "Nguyễn Văn An".
    pub display_name: String,
    /// A person or a machine client.
    pub kind: AccountKind,
    /// The cadre this account belongs to, if any.
    pub cadre_id: Option<Uuid>,
    /// The unit that manages the account; it decides who may administer it.
    pub home_unit_id: Uuid,
    /// Subject of the account at the provincial identity provider, unique.
    pub external_subject: Option<String>,
    /// Whether sign-in and every token of the account are refused.
    pub disabled: bool,
    /// Version, also the ETag.
    pub version: i32,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Self {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            kind: AccountKind::parse(&r.kind).unwrap_or(AccountKind::User),
            cadre_id: r.cadre_id,
            home_unit_id: r.home_unit_id,
            external_subject: r.external_subject,
            disabled: r.disabled,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Loads one account row.
pub(crate) async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<AccountRow, ApiError> {
    Ok(accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .await?)
}

/// Requires `account_manage` on a unit named in the body: 422 when unknown or out of scope.
async fn require_home_unit(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(), ApiError> {
    caller
        .require(
            conn,
            Permission::AccountManage,
            Permission::AccountManage,
            unit,
        )
        .await
        .map_err(|e| {
            if e.status() == 404 {
                unknown("home_unit_id", "home unit")
            } else {
                e
            }
        })
}

/// Requires a cadre named in the body to exist and be visible to the caller: 422 otherwise.
async fn require_cadre(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    cadre: Uuid,
) -> Result<(), ApiError> {
    let managing_unit: Option<Uuid> = cadres::table
        .find(cadre)
        .select(cadres::managing_unit_id)
        .first(conn)
        .await
        .optional()?;
    match managing_unit {
        Some(unit) if caller.can(conn, Permission::PersonnelRead, unit).await? => Ok(()),
        _ => Err(unknown("cadre_id", "cadre")),
    }
}

/// Turns a unique violation on the username or external subject into a 409 naming the field.
fn unique_conflict(e: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    if let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &e {
        match info.constraint_name() {
            Some("accounts_username_key") => {
                return ApiError::conflict(
                    "the username is already taken",
                    "tên đăng nhập đã được sử dụng",
                )
                .field(
                    "username",
                    "taken",
                    Msg::new("already taken", "đã được sử dụng"),
                )
            }
            Some("accounts_external_subject_key") => {
                return ApiError::conflict(
                    "another account already has this external subject",
                    "định danh bên ngoài đã gắn với tài khoản khác",
                )
                .field(
                    "external_subject",
                    "taken",
                    Msg::new("already taken", "đã được sử dụng"),
                )
            }
            _ => {}
        }
    }
    e.into()
}

/// Hashes a password or client secret on a blocking thread.
async fn hash_secret(secret: String) -> Result<String, ApiError> {
    let hashed = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| ApiError::internal(format!("hashing task failed: {e}")))??;
    Ok(hashed)
}

/// Usernames are 3–100 lower-case ASCII letters, digits, `.`, `_` and `-`.
fn username_format(name: &str) -> Result<(), validator::ValidationError> {
    if name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("username_format")
            .with_message("use lower-case ASCII letters, digits, '.', '_' or '-'".into()))
    }
}

/// External subjects are printable, without spaces or control characters.
fn subject_format(subject: &str) -> Result<(), validator::ValidationError> {
    if subject
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace())
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("subject_format")
            .with_message("spaces and control characters are not allowed".into()))
    }
}

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountFilter {
    /// Only accounts of this home unit.
    pub home_unit_id: Option<Uuid>,
    /// Only people or only machine clients.
    pub kind: Option<AccountKind>,
    /// Username or display name contains this text (case-insensitive).
    pub q: Option<String>,
    /// Only disabled (`true`) or only enabled (`false`) accounts.
    pub disabled: Option<bool>,
}

/// List accounts
///
/// Accounts whose home unit is in the caller's `account_manage` scope, ordered by id (creation
/// order), with cursor pagination. 403 for a caller who manages accounts nowhere.
#[utoipa::path(tag = "access", params(AccountFilter, PageParams),
    responses((status = 200, description = "A page of accounts", body = Page<Account>), ReadErrors))]
#[get("/accounts")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<AccountFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    if !caller.has(Permission::AccountManage) {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::AccountManage)
        .await?;
    let mut q = accounts::table
        .filter(accounts::home_unit_id.eq_any(visible))
        .select(AccountRow::as_select())
        .order(accounts::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(accounts::id.gt(after));
    }
    if let Some(unit) = filter.home_unit_id {
        q = q.filter(accounts::home_unit_id.eq(unit));
    }
    if let Some(kind) = filter.kind {
        q = q.filter(accounts::kind.eq(kind.as_str()));
    }
    if let Some(disabled) = filter.disabled {
        q = q.filter(accounts::disabled.eq(disabled));
    }
    if let Some(text) = filter.q.as_deref().filter(|t| !t.is_empty()) {
        let pattern = super::contains_pattern(text);
        q = q.filter(
            accounts::username
                .ilike(pattern.clone())
                .or(accounts::display_name.ilike(pattern)),
        );
    }
    let rows: Vec<AccountRow> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Account::from)))
}

/// Get an account
///
/// One account, with its ETag. Needs `account_manage` on the account's home unit; outside that
/// scope the account is reported as not found.
#[utoipa::path(tag = "access",
    params(("id" = Uuid, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = Account, headers(("ETag" = String))), ReadErrors))]
#[get("/accounts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = load(&mut conn, *id).await?;
    caller
        .require(
            &mut conn,
            Permission::AccountManage,
            Permission::AccountManage,
            row.home_unit_id,
        )
        .await?;
    let account = Account::from(row);
    Ok(ok_tagged(account.version, &account))
}

/// New account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Sign-in name (the client id of a machine client): lower-case ASCII letters, digits, `.`,
    /// `_`, `-`; unique.
    #[validate(length(min = 3, max = 100), custom(function = "username_format"))]
    pub username: String,
    /// Name shown to people.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub display_name: String,
    /// A person or a machine client.
    pub kind: AccountKind,
    /// Password of a person, or secret of a machine client. Stored only as a salted hash.
    #[validate(length(min = 12, max = 200))]
    #[schema(write_only, format = Password)]
    pub secret: String,
    /// The cadre this account belongs to (must exist and be visible to the caller).
    pub cadre_id: Option<Uuid>,
    /// The unit that manages the account (the caller needs `account_manage` on it).
    pub home_unit_id: Uuid,
    /// Subject of the account at the provincial identity provider; unique.
    #[validate(length(min = 1, max = 255), custom(function = "subject_format"))]
    pub external_subject: Option<String>,
}

/// Create an account
///
/// Adds a person's account or a machine client. Needs `account_manage` on the home unit (422
/// when that unit is unknown or outside the caller's scope). The username and the external
/// subject are unique (409 otherwise). The secret is stored only as an Argon2id hash and is
/// never returned.
#[utoipa::path(tag = "access", request_body = NewAccount,
    responses((status = 201, description = "Created", body = Account, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/accounts")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewAccount>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    if !caller.has(Permission::AccountManage) {
        return Err(ApiError::forbidden());
    }
    let mut conn = state.pool.get().await?;
    require_home_unit(&mut conn, &caller, new.home_unit_id).await?;
    if let Some(cadre) = new.cadre_id {
        require_cadre(&mut conn, &caller, cadre).await?;
    }
    let secret_hash = hash_secret(new.secret).await?;
    let account = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let now = Utc::now();
                let row = AccountRow {
                    id: Uuid::now_v7(),
                    username: new.username,
                    display_name: new.display_name,
                    kind: new.kind.as_str().to_owned(),
                    secret_hash: Some(secret_hash),
                    cadre_id: new.cadre_id,
                    home_unit_id: new.home_unit_id,
                    external_subject: new.external_subject,
                    disabled: false,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                let row: AccountRow = diesel::insert_into(accounts::table)
                    .values(&row)
                    .returning(AccountRow::as_returning())
                    .get_result(conn)
                    .await
                    .map_err(unique_conflict)?;
                let account = Account::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "account.create",
                        resource_type: "account",
                        resource_id: Some(account.id),
                        unit_id: Some(account.home_unit_id),
                        before: None::<&()>,
                        after: Some(&account),
                    },
                )
                .await?;
                Ok(account)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/accounts/{}", account.id),
        account.version,
        &account,
    ))
}

/// Reads a present field as `Some(value)`, so that an explicit `null` becomes `Some(None)`
/// (clear) while an absent field stays `None` (unchanged).
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to an account; absent fields stay as they are, `null` clears `cadre_id` and
/// `external_subject`. The username and kind never change; the secret changes through
/// `POST /accounts/{id}/secret`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// Name shown to people.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub display_name: Option<String>,
    /// Refuse (`true`) or allow again (`false`) sign-in and every token of the account. An
    /// administrator cannot disable their own account.
    pub disabled: Option<bool>,
    /// The cadre this account belongs to; `null` unlinks it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub cadre_id: Option<Option<Uuid>>,
    /// Move the account to another home unit (needs `account_manage` on both units).
    pub home_unit_id: Option<Uuid>,
    /// Subject at the provincial identity provider, unique; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(min = 1, max = 255), custom(function = "subject_format"))]
    #[schema(value_type = Option<String>)]
    pub external_subject: Option<Option<String>>,
}

#[derive(AsChangeset)]
#[diesel(table_name = accounts)]
struct AccountChanges {
    display_name: Option<String>,
    disabled: Option<bool>,
    cadre_id: Option<Option<Uuid>>,
    home_unit_id: Option<Uuid>,
    external_subject: Option<Option<String>>,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// Loads an account locked for change, checking the caller's scope on its home unit and
/// `If-Match`.
async fn lock_for_change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
) -> Result<AccountRow, ApiError> {
    let row: AccountRow = accounts::table
        .find(id)
        .for_update()
        .select(AccountRow::as_select())
        .first(conn)
        .await?;
    caller
        .require(
            conn,
            Permission::AccountManage,
            Permission::AccountManage,
            row.home_unit_id,
        )
        .await?;
    if_match.check(row.version)?;
    Ok(row)
}

/// Update an account
///
/// Renames, disables or re-enables an account, links it to a cadre, moves it to another home
/// unit or sets its external subject. Needs `If-Match` and `account_manage` on the home unit
/// (and on the new one when moving). An administrator cannot disable their own account (422).
#[utoipa::path(tag = "access", request_body = AccountPatch,
    params(("id" = Uuid, Path, description = "Account id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Updated", body = Account, headers(("ETag" = String))), UpdateErrors))]
#[patch("/accounts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<AccountPatch>,
) -> ApiResult<HttpResponse> {
    let (id, patch) = (*id, body.0);
    if patch.disabled == Some(true) && id == caller.account_id {
        return Err(ApiError::unprocessable(
            "you cannot disable your own account",
            "không thể tự khóa tài khoản của mình",
        )
        .field(
            "disabled",
            "own_account",
            Msg::new(
                "cannot disable your own account",
                "không thể tự khóa tài khoản của mình",
            ),
        ));
    }
    let mut conn = state.pool.get().await?;
    let account = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                if let Some(unit) = patch.home_unit_id.filter(|u| *u != before.home_unit_id) {
                    require_home_unit(conn, &caller, unit).await?;
                }
                if let Some(Some(cadre)) = patch.cadre_id.filter(|c| *c != before.cadre_id) {
                    require_cadre(conn, &caller, cadre).await?;
                }
                let changes = AccountChanges {
                    display_name: patch.display_name,
                    disabled: patch.disabled,
                    cadre_id: patch.cadre_id,
                    home_unit_id: patch.home_unit_id,
                    external_subject: patch.external_subject,
                    version: before.version + 1,
                    updated_at: Utc::now(),
                };
                let row: AccountRow = diesel::update(accounts::table.find(id))
                    .set(&changes)
                    .returning(AccountRow::as_returning())
                    .get_result(conn)
                    .await
                    .map_err(unique_conflict)?;
                let (before, after) = (Account::from(before), Account::from(row));
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "account.update",
                        resource_type: "account",
                        resource_id: Some(id),
                        unit_id: Some(after.home_unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(account.version, &account))
}

/// A new password or client secret.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSecret {
    /// The new password of a person or secret of a machine client, 12–200 characters. Stored
    /// only as a salted hash.
    #[validate(length(min = 12, max = 200))]
    #[schema(write_only, format = Password)]
    pub secret: String,
}

/// Set an account's secret
///
/// An administrator sets a new password (person) or secret (machine client); the old one stops
/// working at once. Needs `If-Match` and `account_manage` on the account's home unit. Answers
/// with the account and its new ETag; the secret is never returned nor recorded in the audit
/// trail.
#[utoipa::path(tag = "access", request_body = NewSecret,
    params(("id" = Uuid, Path, description = "Account id"), ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Secret replaced", body = Account, headers(("ETag" = String))), UpdateErrors))]
#[post("/accounts/{id}/secret")]
pub async fn set_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<NewSecret>,
) -> ApiResult<HttpResponse> {
    let (id, secret) = (*id, body.0.secret);
    let mut conn = state.pool.get().await?;
    // Check scope before spending CPU on hashing; it is checked again under the row lock.
    let current = load(&mut conn, id).await?;
    caller
        .require(
            &mut conn,
            Permission::AccountManage,
            Permission::AccountManage,
            current.home_unit_id,
        )
        .await?;
    if_match.check(current.version)?;
    let secret_hash = hash_secret(secret).await?;
    let account = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let before = lock_for_change(conn, &caller, id, &if_match).await?;
                let row: AccountRow = diesel::update(accounts::table.find(id))
                    .set((
                        accounts::secret_hash.eq(Some(secret_hash)),
                        accounts::version.eq(before.version + 1),
                        accounts::updated_at.eq(Utc::now()),
                    ))
                    .returning(AccountRow::as_returning())
                    .get_result(conn)
                    .await?;
                let (before, after) = (Account::from(before), Account::from(row));
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "account.set_secret",
                        resource_type: "account",
                        resource_id: Some(id),
                        unit_id: Some(after.home_unit_id),
                        before: Some(&before),
                        after: Some(&after),
                    },
                )
                .await?;
                Ok(after)
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(account.version, &account))
}
