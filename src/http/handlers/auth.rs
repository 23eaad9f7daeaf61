//! `POST /auth/token`: password and refresh-token grants for people, client-credentials grant
//! for machine clients; `POST /auth/revoke`: signing out one sign-in; `POST /auth/logout`:
//! ending every session of the caller's account.

use crate::http::access_log::RequestId;
use actix_web::http::header;
use actix_web::post;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::app::{
    self,
    accounts::{Credentials, Lockout},
};
use crate::auth::Caller;
use crate::domain::vocab::AccountKind;
use crate::error::{ApiError, ApiResult, Msg, Problem};
use crate::http::extract::{json_error, validation_error};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(token).service(revoke).service(logout);
}

/// OAuth 2.0 grant types accepted.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// A person's username and password.
    Password,
    /// A machine client's id and secret.
    ClientCredentials,
    /// A refresh token from an earlier answer.
    RefreshToken,
}

/// Token request sent as JSON (the same fields as [`TokenForm`]). The fields a grant does not
/// use may be absent or empty.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// `password`, `client_credentials` or `refresh_token`.
    pub grant_type: GrantType,
    /// Username (password grant).
    #[validate(length(min = 1, max = 100))]
    pub username: Option<String>,
    /// Password (password grant).
    #[validate(length(min = 1, max = 200))]
    #[schema(format = Password)]
    pub password: Option<String>,
    /// Client id (client-credentials grant); ignored by the other grants.
    #[validate(length(min = 1, max = 100))]
    pub client_id: Option<String>,
    /// Client secret (client-credentials grant).
    #[validate(length(min = 1, max = 200))]
    #[schema(format = Password)]
    pub client_secret: Option<String>,
    /// The refresh token to exchange (refresh-token grant).
    #[validate(length(min = 1, max = 200))]
    pub refresh_token: Option<String>,
    /// Ignored; present for OAuth 2.0 client compatibility.
    #[validate(length(max = 200))]
    pub scope: Option<String>,
}

/// Token request sent as an HTML form (`application/x-www-form-urlencoded`, as OAuth 2.0
/// clients send it): the fields of [`TokenRequest`].
pub struct TokenForm;

impl utoipa::PartialSchema for TokenForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        described(
            <TokenRequest as utoipa::PartialSchema>::schema(),
            "Token request sent as an HTML form (`application/x-www-form-urlencoded`, as OAuth \
             2.0 clients send it). The fields a grant does not use may be absent or empty.",
        )
    }
}

impl ToSchema for TokenForm {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <TokenRequest as ToSchema>::schemas(schemas);
    }
}

/// `schema` with its description replaced.
fn described(
    schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    match schema {
        RefOr::T(Schema::Object(mut object)) => {
            object.description = Some(description.to_owned());
            RefOr::T(Schema::Object(object))
        }
        other => other,
    }
}

/// Tokens issued.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// The bearer token (a JWT).
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// A refresh token (password and refresh-token grants): exchange it with
    /// `grant_type=refresh_token` for new tokens before it expires (30 days unused by
    /// default, 90 days after the password was given at most). Each exchange uses it up;
    /// presenting a used one again revokes every token of the sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Token revocation request sent as JSON (the same fields as [`RevokeForm`]).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The refresh token to revoke.
    #[validate(length(min = 1, max = 4096))]
    pub token: String,
    /// `refresh_token` or `access_token`; a hint only (RFC 7009), which may be left out.
    #[validate(length(max = 100))]
    pub token_type_hint: Option<String>,
    /// Ignored; present for OAuth 2.0 client compatibility.
    #[validate(length(max = 100))]
    pub client_id: Option<String>,
}

/// Token revocation request sent as an HTML form, as OAuth 2.0 clients send it.
pub struct RevokeForm;

impl utoipa::PartialSchema for RevokeForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        described(
            <RevokeRequest as utoipa::PartialSchema>::schema(),
            "Token revocation request sent as an HTML form \
             (`application/x-www-form-urlencoded`, as OAuth 2.0 clients send it).",
        )
    }
}

impl ToSchema for RevokeForm {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <RevokeRequest as ToSchema>::schemas(schemas);
    }
}

/// The body as JSON or as a form, by its content type; refused as OAuth 2.0 `invalid_request`.
fn decode<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> ApiResult<T> {
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
    let parsed = match mime.as_str() {
        "application/json" => serde_json::from_slice(body)
            .map_err(|e| json_error(&actix_web::error::JsonPayloadError::Deserialize(e))),
        "application/x-www-form-urlencoded" => serde_urlencoded::from_bytes(body).map_err(|e| {
            ApiError::unprocessable(e.to_string(), format!("dữ liệu biểu mẫu không hợp lệ: {e}"))
        }),
        _ => Err(json_error(&actix_web::error::JsonPayloadError::ContentType)),
    };
    parsed.map_err(|e| e.oauth("invalid_request"))
}

/// OAuth 2.0 libraries send fields a request does not use as empty (`client_id=`): absent.
fn given(v: Option<String>) -> Option<String> {
    v.filter(|v| !v.is_empty())
}

fn checked<T: Validate>(request: T) -> ApiResult<T> {
    request
        .validate()
        .map_err(|e| validation_error(e).oauth("invalid_request"))?;
    Ok(request)
}

fn parse(req: &HttpRequest, body: &[u8]) -> ApiResult<TokenRequest> {
    let parsed: TokenRequest = decode(req, body)?;
    checked(TokenRequest {
        username: given(parsed.username),
        password: given(parsed.password),
        client_id: given(parsed.client_id),
        client_secret: given(parsed.client_secret),
        refresh_token: given(parsed.refresh_token),
        scope: given(parsed.scope),
        ..parsed
    })
}

/// 422 `invalid_request`: `fields`, which the grant needs, are missing.
fn missing(fields: &[&str]) -> ApiError {
    let list = fields.join(" and ");
    let danh_sach = fields.join(" và ");
    let verb = if fields.len() > 1 { "are" } else { "is" };
    fields
        .iter()
        .fold(
            ApiError::unprocessable(
                format!("{list} {verb} required for this grant"),
                format!("cần có {danh_sach} cho kiểu cấp quyền này"),
            ),
            |e, field| e.field(*field, "required", Msg::new("required", "bắt buộc")),
        )
        .oauth("invalid_request")
}

fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|r| r.to_string())
}

/// Issue an access token
///
/// OAuth 2.0 token endpoint (RFC 6749). Exchanges a username and password
/// (`grant_type=password`), a machine client's id and secret (`grant_type=client_credentials`)
/// or a refresh token (`grant_type=refresh_token`) for a short-lived bearer token. The password
/// and refresh-token grants also return a new refresh token; each refresh token works once, and
/// presenting a used one again revokes every token of that sign-in. Refresh tokens stop working
/// when the account's password changes, when it is disabled and when its role bindings change.
/// Errors carry the OAuth 2.0 error code in `error` (`invalid_request`, `invalid_client`,
/// `invalid_grant`). After repeated failures an account, or a client address, is locked for 15
/// minutes (429 with `Retry-After`). The contract declares the form encoding RFC 6749 requires
/// (one body per operation, which every client generator handles); a JSON object with the same
/// fields is accepted too.
#[utoipa::path(tag = "auth", security(()),
    request_body(content((TokenForm = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "Token issued", body = TokenResponse),
        (status = 400, description = "Malformed request; or `invalid_grant`: the refresh token is unknown, expired, revoked or already used, or its account is disabled", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong credentials, or the account is disabled", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Unsupported content type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field values, or fields the grant needs are missing", body = Problem, content_type = "application/problem+json"),
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
    let mut conn = state.pool.get().await?;
    let lifetimes = state.config.refresh_lifetimes();
    let (account, refresh_token) = match request.grant_type {
        GrantType::RefreshToken => {
            let presented = request
                .refresh_token
                .ok_or_else(|| missing(&["refresh_token"]))?;
            let (account, next) =
                app::refresh_tokens::refresh(&mut conn, &presented, lifetimes, request_id(&req))
                    .await?;
            (account, Some(next))
        }
        GrantType::Password => {
            let credentials =
                credentials(&req, request.username, request.password, AccountKind::User)?;
            let account = sign_in(&state, &mut conn, credentials)
                .await
                .map_err(|e| on_401(e, "invalid_grant"))?;
            let first = app::refresh_tokens::start(&mut conn, &account, lifetimes).await?;
            (account, Some(first))
        }
        GrantType::ClientCredentials => {
            let credentials = credentials(
                &req,
                request.client_id,
                request.client_secret,
                AccountKind::Client,
            )?;
            let account = sign_in(&state, &mut conn, credentials)
                .await
                .map_err(|e| on_401(e, "invalid_client"))?;
            (account, None)
        }
    };
    let access_token = state.keys.issue(account.id, account.token_epoch)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl().as_secs(),
            refresh_token,
        }))
}

/// What a password or client-credentials grant presents; 422 when part of it is missing.
fn credentials(
    req: &HttpRequest,
    username: Option<String>,
    secret: Option<String>,
    kind: AccountKind,
) -> ApiResult<Credentials> {
    let (name_field, secret_field) = match kind {
        AccountKind::User => ("username", "password"),
        AccountKind::Client => ("client_id", "client_secret"),
    };
    let (username, secret) = match (username, secret) {
        (Some(username), Some(secret)) => (username, secret),
        (username, secret) => {
            let absent: Vec<&str> = [
                (name_field, username.is_none()),
                (secret_field, secret.is_none()),
            ]
            .into_iter()
            .filter_map(|(field, absent)| absent.then_some(field))
            .collect();
            return Err(missing(&absent));
        }
    };
    let addr = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    Ok(Credentials {
        username,
        secret,
        kind,
        addr,
    })
}

/// Wrong credentials carry the OAuth 2.0 error `code`; a lock-out (429) carries none.
fn on_401(e: ApiError, code: &'static str) -> ApiError {
    if e.status() == actix_web::http::StatusCode::UNAUTHORIZED {
        e.oauth(code)
    } else {
        e
    }
}

async fn sign_in(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    credentials: Credentials,
) -> ApiResult<crate::db::models::AccountRow> {
    let lockout = Lockout {
        max_per_account: state.config.login_max_failures_per_account,
        max_per_addr: state.config.login_max_failures_per_addr,
    };
    app::accounts::sign_in(conn, credentials, &lockout).await
}

/// Revoke a refresh token (sign out)
///
/// OAuth 2.0 token revocation (RFC 7009), what a front end calls to sign out: revokes the
/// refresh token and every other token of the same sign-in. Access tokens already issued stay
/// valid until they expire (15 minutes by default); `POST /api/v1/auth/logout` ends them too,
/// on every device. An unknown, expired or already revoked token is answered 200 as well, so
/// the answer tells nothing about the token. Declared as the form RFC 7009 requires; a JSON
/// object with the same field is accepted too.
#[utoipa::path(tag = "auth", security(()),
    request_body(content((RevokeForm = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The token is revoked, or was never valid"),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Unsupported content type", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`token` missing or too long", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json")))]
#[post("/auth/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let parsed: RevokeRequest = decode(&req, &body)?;
    let request = checked(RevokeRequest {
        token_type_hint: given(parsed.token_type_hint),
        client_id: given(parsed.client_id),
        ..parsed
    })?;
    let mut conn = state.pool.get().await?;
    app::refresh_tokens::revoke(&mut conn, &request.token, request_id(&req)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// Log out everywhere
///
/// Ends every session of the caller's account at once, on every device: every access token
/// issued to the account so far (this one included) is refused from the next request on (401),
/// and every refresh token is revoked. A session cannot be ended alone: signing out one device
/// is `POST /api/v1/auth/revoke` with its refresh token (its access token then lives out its
/// few minutes). Changing the password, disabling or enabling the account again and changing
/// its roles end its sessions the same way. Tokens of the provincial identity provider issued
/// until now are refused as well. Audited as `account.end_sessions`.
#[utoipa::path(tag = "auth",
    responses(
        (status = 204, description = "Every session of the account has ended"),
        (status = 401, description = "Missing or invalid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json")))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    app::refresh_tokens::logout(&mut conn, &caller).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
