//! Reading the terms to sign, and signing them.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::views::{Commitment, TermsToSign};
use crate::app::commitments::{self as app, NewCommitment};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::http::extract::ValidJson;
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

/// Query naming the unit whose terms are asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitParam {
    /// The assignee unit.
    pub assignee_unit_id: Uuid,
}

/// Get the terms to sign
///
/// The canonical document of the round's current terms for one assignee unit, with its
/// SHA-256: what the head signs (and, for a digital signature, the exact bytes to sign).
#[utoipa::path(tag = "commitments",
    params(("id" = Uuid, Path, description = "Round id"), UnitParam),
    responses((status = 200, description = "The terms", body = TermsToSign), ReadErrors))]
#[get("/rounds/{id}/commitment-terms")]
pub async fn terms_to_sign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    unit: web::Query<UnitParam>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let terms = app::terms(&mut conn, &caller, *id, unit.assignee_unit_id).await?;
    Ok(HttpResponse::Ok().json(TermsToSign::from(terms)))
}

/// Sign a commitment
///
/// The head of the unit (or a cadre holding a signing delegation) commits to the current terms
/// of every assignment of the round addressed to the unit. The commitment records the signer,
/// the time and the SHA-256 of the canonical terms (`terms_hash` must match what was read: 409
/// otherwise), and optionally a detached Ed25519 or ECDSA P-256 signature, verified over the
/// same bytes (422 unless it verifies). The assignments become `committed`; a previous
/// commitment of the unit in the round is superseded. Staff cannot sign (403).
#[utoipa::path(tag = "commitments", request_body = NewCommitment,
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 201, description = "Signed", body = Commitment, headers(("Location" = String))), WriteErrors))]
#[post("/rounds/{id}/commitments")]
pub async fn sign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewCommitment>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = Commitment::from(app::sign(&mut conn, &caller, *id, body.0).await?);
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/commitments/{}", view.id),
        ))
        .json(&view))
}
