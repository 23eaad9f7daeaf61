//! Accounts: people (`user`) and machine clients (`client`) who call the API. An account is
//! managed within the scope of its home unit; outside it, the account does not exist (404).
//! Password hashes and client secrets never leave the database, not even into the audit trail.

use actix_web::{get, patch, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::app::accounts::{self as app, AccountFilter, AccountPatch, NewAccount, NewSecret};
use crate::auth::Caller;
use crate::db::models::AccountRow;
use crate::domain::vocab::AccountKind;
use crate::error::ApiResult;
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
            kind: r.kind,
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
    let mut conn = state.pool.get().await?;
    let rows = app::list(&mut conn, &caller, &filter, after, limit).await?;
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
    let account = Account::from(app::get(&mut conn, &caller, *id).await?);
    Ok(ok_tagged(account.version, &account))
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
    let mut conn = state.pool.get().await?;
    let account = Account::from(app::create(&mut conn, &caller, body.0).await?);
    Ok(created(
        format!("/api/v1/accounts/{}", account.id),
        account.version,
        &account,
    ))
}

/// Update an account
///
/// Renames, disables or re-enables an account, links it to a cadre, moves it to another home
/// unit or sets its external subject. Needs `If-Match` and `account_manage` on the home unit
/// (and on the new one when moving). An administrator cannot disable their own account (422).
/// Disabling, and enabling again, end every session of the account at once: its access tokens
/// are refused (401) from the next request on and its refresh tokens are revoked, so enabling
/// it again brings none of them back.
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
    let mut conn = state.pool.get().await?;
    let row = app::update(&mut conn, &caller, *id, &if_match, body.0).await?;
    let account = Account::from(row);
    Ok(ok_tagged(account.version, &account))
}

/// Set an account's secret
///
/// An administrator sets a new password (person) or secret (machine client); the old one stops
/// working at once, and so does every session of the account (its access tokens are refused
/// from the next request on, its refresh tokens revoked), even when administrators change
/// their own. Needs `If-Match` and `account_manage` on the account's home unit. Answers
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
    let mut conn = state.pool.get().await?;
    let row = app::set_secret(&mut conn, &caller, *id, &if_match, body.0.secret).await?;
    let account = Account::from(row);
    Ok(ok_tagged(account.version, &account))
}
