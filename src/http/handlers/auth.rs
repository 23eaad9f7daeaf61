//! `POST /auth/token`: password grant for people, client-credentials grant for machine clients.

use actix_web::http::header;
use actix_web::post;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use diesel::dsl::{self, count_star};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::password;
use crate::db::models::AccountRow;
use crate::db::schema::{accounts, login_attempts};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{json_error, validation_error};
use crate::http::AppState;

/// Lock-out window for failed sign-ins.
const WINDOW_MINUTES: i64 = 15;

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
        GrantType::Password => (request.username, request.password, "user"),
        GrantType::ClientCredentials => (request.client_id, request.client_secret, "client"),
    };
    let (Some(username), Some(secret)) = (username, secret) else {
        let (field, other) = match kind {
            "user" => ("username", "password"),
            _ => ("client_id", "client_secret"),
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
    let since = Utc::now() - Duration::minutes(WINDOW_MINUTES);

    let last_success: Option<chrono::DateTime<Utc>> = login_attempts::table
        .filter(
            login_attempts::username
                .eq(&username)
                .and(login_attempts::success),
        )
        .select(dsl::max(login_attempts::at))
        .first(&mut conn)
        .await?;
    let floor = last_success.map_or(since, |s| s.max(since));
    let (user_failures, user_oldest): (i64, Option<chrono::DateTime<Utc>>) = login_attempts::table
        .filter(login_attempts::username.eq(&username))
        .filter(
            login_attempts::success
                .eq(false)
                .and(login_attempts::at.gt(floor)),
        )
        .select((count_star(), dsl::min(login_attempts::at)))
        .first(&mut conn)
        .await?;
    let (addr_failures, addr_oldest): (i64, Option<chrono::DateTime<Utc>>) = login_attempts::table
        .filter(login_attempts::client_addr.eq(&addr))
        .filter(
            login_attempts::success
                .eq(false)
                .and(login_attempts::at.gt(since)),
        )
        .select((count_star(), dsl::min(login_attempts::at)))
        .first(&mut conn)
        .await?;
    let locked_since = if user_failures >= state.config.login_max_failures_per_account {
        user_oldest
    } else if addr_failures >= state.config.login_max_failures_per_addr {
        addr_oldest
    } else {
        None
    };
    if let Some(oldest) = locked_since {
        let wait = (oldest + Duration::minutes(WINDOW_MINUTES) - Utc::now())
            .num_seconds()
            .max(1);
        tracing::warn!(username, addr, "sign-in locked after repeated failures");
        return Err(ApiError::too_many_requests(wait as u64));
    }

    let account: Option<AccountRow> = accounts::table
        .filter(
            accounts::username
                .eq(&username)
                .and(accounts::kind.eq(kind)),
        )
        .select(AccountRow::as_select())
        .first(&mut conn)
        .await
        .optional()?;
    let hash = account.as_ref().and_then(|a| a.secret_hash.clone());
    let verified = tokio::task::spawn_blocking(move || password::verify(&secret, hash.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let ok = verified && account.as_ref().is_some_and(|a| !a.disabled);
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::username.eq(&username),
            login_attempts::client_addr.eq(&addr),
            login_attempts::success.eq(ok),
        ))
        .execute(&mut conn)
        .await?;
    let Some(account) = account.filter(|_| ok) else {
        return Err(ApiError::unauthorized(
            "invalid credentials",
            "thông tin đăng nhập không đúng",
        ));
    };
    let access_token = state.keys.issue(account.id)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl().as_secs(),
        }))
}
