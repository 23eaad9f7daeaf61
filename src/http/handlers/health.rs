//! Liveness and readiness probes.

use actix_web::get;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::AppState;

/// Probe answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Liveness
///
/// Answers 200 while the process serves requests; does not touch the database.
#[utoipa::path(tag = "operations", security(()),
    responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness
///
/// Answers 200 when the database is reachable and every migration is applied, 503 otherwise.
#[utoipa::path(tag = "operations", security(()),
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Database unreachable or migrations pending", body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let status = match state.pool.get().await {
        Err(_) => "database unreachable",
        Ok(mut conn) => match crate::db::migrations_current(&mut conn).await {
            Ok(true) => "ok",
            Ok(false) => "migrations pending",
            Err(_) => "database unreachable",
        },
    };
    let body = Health {
        status: status.into(),
    };
    if status == "ok" {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
