//! `POST /auth/token`: password grant for people, client-credentials grant for machine clients.

use actix_web::http::header;
use actix_web::post;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::app::accounts::{self as app, Credentials, Lockout};
use crate::domain::vocab::AccountKind;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{json_error, validation_error};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(token);
}

/// OAuth 2.0 grant types accepted.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// A person's username and password.
    Password,
    /// A machine client's id and secret.
    ClientCredentials,
}

/// Token request (JSON or `application/x-www-form-urlencoded`).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// `password` or `client_credentials`.
    pub grant_type: GrantType,
    /// Username (password grant).
    #[validate(length(min = 1, max = 100))]
    pub username: Option<String>,
    /// Password (password grant).
    #[validate(length(min = 1, max = 200))]
    pub password: Option<String>,
    /// Client id (client-credentials grant).
    #[validate(length(min = 1, max = 100))]
    pub client_id: Option<String>,
    /// Client secret (client-credentials grant).
    #[validate(length(min = 1, max = 200))]
    pub client_secret: Option<String>,
    /// Ignored; present for OAuth 2.0 client compatibility.
    #[validate(length(max = 200))]
    pub scope: Option<String>,
}

/// An access token.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// The bearer token (a JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
}

fn parse(req: &HttpRequest, body: &[u8]) -> ApiResult<TokenRequest> {
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = ctype
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let parsed: TokenRequest = match mime.as_str() {
        "application/json" => serde_json::from_slice(body)
            .map_err(|e| json_error(&actix_web::error::JsonPayloadError::Deserialize(e)))?,
        "application/x-www-form-urlencoded" => serde_urlencoded::from_bytes(body).map_err(|e| {
            ApiError::unprocessable(e.to_string(), format!("dữ liệu biểu mẫu không hợp lệ: {e}"))
        })?,
        _ => return Err(json_error(&actix_web::error::JsonPayloadError::ContentType)),
    };
    // OAuth 2.0 libraries send fields a grant does not use as empty (`client_id=`): absent.
    let given = |v: Option<String>| v.filter(|v| !v.is_empty());
    let parsed = TokenRequest {
        username: given(parsed.username),
        password: given(parsed.password),
        client_id: given(parsed.client_id),
        client_secret: given(parsed.client_secret),
        scope: given(parsed.scope),
        ..parsed
    };
    parsed.validate().map_err(validation_error)?;
    Ok(parsed)
}

/// Issue an access token
///
/// Exchanges a username and password (`grant_type=password`) or a machine client's id and
/// secret (`grant_type=client_credentials`) for a short-lived bearer token. After repeated
/// failures an account, or a client address, is locked for 15 minutes (429 with `Retry-After`).
#[utoipa::path(tag = "auth", security(()),
    request_body(content(
        (TokenRequest = "application/json"),
        (TokenRequest = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Token issued", body = TokenResponse),
        (status = 400, description = "Malformed request or missing credentials", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong credentials, or the account is disabled", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Unsupported content type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field values", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Locked after repeated failures", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json")))]
#[post("/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let request = parse(&req, &body)?;
    let (username, secret, kind) = match request.grant_type {
        GrantType::Password => (request.username, request.password, AccountKind::User),
        GrantType::ClientCredentials => (
            request.client_id,
            request.client_secret,
            AccountKind::Client,
        ),
    };
    let (Some(username), Some(secret)) = (username, secret) else {
        let (field, other) = match kind {
            AccountKind::User => ("username", "password"),
            AccountKind::Client => ("client_id", "client_secret"),
        };
        return Err(ApiError::unprocessable(
            format!("{field} and {other} are required for this grant"),
            format!("cần có {field} và {other} cho kiểu cấp quyền này"),
        )
        .field(
            field,
            "required",
            crate::error::Msg::new("required", "bắt buộc"),
        ));
    };
    let addr = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let mut conn = state.pool.get().await?;
    let credentials = Credentials {
        username,
        secret,
        kind,
        addr,
    };
    let lockout = Lockout {
        max_per_account: state.config.login_max_failures_per_account,
        max_per_addr: state.config.login_max_failures_per_addr,
    };
    let account = app::sign_in(&mut conn, credentials, &lockout).await?;
    let access_token = state.keys.issue(account.id)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl().as_secs(),
        }))
}
