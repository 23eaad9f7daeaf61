//! `GET /me`: who the caller is and what it may do today.

use actix_web::get;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::accounts::Account;
use super::bindings::RoleBinding;
use crate::app::{accounts, bindings};
use crate::auth::Caller;
use crate::domain::roles::{Permission, Role};
use crate::error::ApiResult;
use crate::http::openapi::ReadErrors;
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_me);
}

/// A permission the caller holds through one of its bindings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Grant {
    /// The permission.
    pub permission: Permission,
    /// The role that grants it.
    pub role: Role,
    /// The unit it is exercised on.
    pub unit_id: Uuid,
    /// Whether it also covers every unit below `unit_id`.
    pub include_subtree: bool,
}

/// The caller, its bindings in force today and the permissions they grant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// The caller's account.
    pub account: Account,
    /// Role bindings valid today, ordered by id.
    pub bindings: Vec<RoleBinding>,
    /// One entry per permission per binding, sorted by permission, role, unit and subtree flag.
    pub permissions: Vec<Grant>,
}

/// The current caller
///
/// The account behind the bearer token, its role bindings valid today and the permissions they
/// grant, one entry per permission per binding. Any authenticated caller may read it.
#[utoipa::path(tag = "auth",
    responses((status = 200, description = "The caller", body = Me), ReadErrors))]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let account = Account::from(accounts::me(&mut conn, &caller).await?);
    let bindings = bindings::of_caller(&mut conn, &caller)
        .await?
        .into_iter()
        .map(RoleBinding::from)
        .collect();
    let mut permissions: Vec<Grant> = caller
        .bindings
        .iter()
        .flat_map(|b| {
            b.role.permissions().iter().map(|p| Grant {
                permission: *p,
                role: b.role,
                unit_id: b.unit_id,
                include_subtree: b.include_subtree,
            })
        })
        .collect();
    permissions.sort_by_key(|g| {
        (
            g.permission.as_str(),
            g.role.as_str(),
            g.unit_id,
            g.include_subtree,
        )
    });
    Ok(HttpResponse::Ok().json(Me {
        account,
        bindings,
        permissions,
    }))
}
