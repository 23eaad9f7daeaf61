//! Request extractors and response helpers shared by the handlers.

use crate::http::access_log::RequestId;
use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use base64::Engine;
use futures_util::future::{ready, LocalBoxFuture, Ready};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationErrors};

use crate::auth::Caller;
use crate::error::{ApiError, Msg};
use crate::http::AppState;

/// A JSON body that passed its `validator` rules.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<super::AppState>>()
            .map(|s| s.config.max_body_bytes)
            .unwrap_or(1 << 20);
        let json = web::JsonBody::<serde_json::Value>::new(req, payload, None, true).limit(limit);
        Box::pin(async move {
            let value = json.await.map_err(|e| json_error(&e))?;
            // Every body is an object: serde would also read a struct from an array.
            if !value.is_object() {
                return Err(ApiError::unprocessable(
                    "the body must be a JSON object",
                    "dữ liệu gửi lên phải là một đối tượng JSON",
                ));
            }
            let body: T = serde_json::from_value(value)
                .map_err(|e| json_error(&actix_web::error::JsonPayloadError::Deserialize(e)))?;
            body.validate().map_err(validation_error)?;
            Ok(ValidJson(body))
        })
    }
}

/// Maps `validator` failures to a 422 with one entry per field and rule.
pub fn validation_error(errors: ValidationErrors) -> ApiError {
    ApiError::violations(crate::app::validation::violations(&errors))
}

/// Maps JSON body errors: syntax → 400, wrong shape → 422, size → 413, media type → 415.
pub fn json_error(e: &actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match e {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => ApiError::new(
            crate::error::ProblemKind::PayloadTooLarge,
            Msg::new("Request body too large", "Dữ liệu gửi lên quá lớn"),
        ),
        E::ContentType => ApiError::new(
            crate::error::ProblemKind::UnsupportedMediaType,
            Msg::new("Unsupported media type", "Kiểu dữ liệu không được hỗ trợ"),
        )
        .detail(
            "send Content-Type: application/json",
            "hãy gửi Content-Type: application/json",
        ),
        E::Deserialize(d) if d.is_data() => {
            ApiError::unprocessable(d.to_string(), format!("dữ liệu không đúng cấu trúc: {d}"))
        }
        E::Deserialize(d) => {
            ApiError::bad_request(d.to_string(), format!("JSON không hợp lệ: {d}"))
        }
        other => ApiError::bad_request(other.to_string(), "không đọc được nội dung yêu cầu"),
    }
}

pub use crate::app::{etag, IfMatch};

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = req
            .headers()
            .get(header::IF_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        ready(Ok(IfMatch(value)))
    }
}

/// 200 with an `ETag`.
pub fn ok_tagged<T: Serialize>(version: i32, body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// 201 with `Location` and `ETag`.
pub fn created<T: Serialize>(location: String, version: i32, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header((header::ETAG, etag(version)))
        .json(body)
}

/// Cursor pagination parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Largest page.
pub const MAX_LIMIT: i64 = 200;

impl PageParams {
    /// The page size, checked.
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(50),
            Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
            Some(_) => Err(ApiError::unprocessable(
                "limit must be between 1 and 200",
                "limit phải từ 1 đến 200",
            )
            .field(
                "limit",
                "range",
                Msg::new("must be between 1 and 200", "phải từ 1 đến 200"),
            )),
        }
    }

    /// The id after which the page starts.
    pub fn after(&self) -> Result<Option<Uuid>, ApiError> {
        let Some(c) = &self.cursor else {
            return Ok(None);
        };
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse().ok())
            .map(Some)
            .ok_or_else(invalid_cursor)
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::unprocessable("invalid cursor", "con trỏ phân trang không hợp lệ").field(
        "cursor",
        "invalid",
        Msg::new("not a cursor from this API", "không phải con trỏ hợp lệ"),
    )
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// The items, in stable order.
    pub items: Vec<T>,
    /// Cursor of the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> Page<T> {
    /// Builds a page from `limit + 1` fetched rows ordered by `id`.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: i64,
        id: impl Fn(&R) -> Uuid,
        view: impl Fn(R) -> T,
    ) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| cursor_after(id(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        }
    }
}

impl<T: ToSchema> Page<T> {
    /// A page of a list read whole (a list bounded by its parent, such as an assignment's
    /// amendments, or a report computed in memory), in the order of `key`, which is unique per
    /// item: the items whose key follows the cursor's, at most `limit` of them. The cursor
    /// carries the last key, so a page is not shifted by items added or removed before it.
    pub fn of_list<R, K>(
        mut rows: Vec<R>,
        page: &PageParams,
        key: impl Fn(&R) -> K,
        view: impl Fn(R) -> T,
    ) -> Result<Self, ApiError>
    where
        K: Ord + Serialize + DeserializeOwned,
    {
        let limit = page.limit()?;
        let after: Option<K> = match &page.cursor {
            None => None,
            Some(c) => Some(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .ok_or_else(invalid_cursor)?,
            ),
        };
        rows.sort_by_key(|r| key(r));
        if let Some(after) = &after {
            rows.retain(|r| key(r) > *after);
        }
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = match rows.last() {
            Some(last) if more => Some(
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(serde_json::to_vec(&key(last)).map_err(ApiError::internal)?),
            ),
            _ => None,
        };
        Ok(Page {
            items: rows.into_iter().map(view).collect(),
            next_cursor,
        })
    }
}

/// The cursor of the page that starts after `id`.
pub fn cursor_after(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.to_string())
}

/// A date parameter: `as_of=YYYY-MM-DD`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfParams {
    /// The date at which to read (default: today).
    pub as_of: Option<chrono::NaiveDate>,
}

impl AsOfParams {
    /// The date asked for, or today.
    pub fn date(&self) -> chrono::NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
}

/// The claims of bearer token `token`, verified; the generic 401 otherwise, the reason logged.
pub fn verified(state: &AppState, token: &str) -> Result<crate::auth::jwt::Claims, ApiError> {
    state.keys.verify(token).map_err(|e| {
        tracing::info!(reason = %e, "bearer token refused");
        ApiError::invalid_token()
    })
}

/// The caller behind the request's bearer token (401 without a valid one, or when its session
/// ended or its account is disabled: one query reads the account, its token epoch and its
/// bindings).
impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let auth = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let request_id = req.extensions().get::<RequestId>().map(|r| r.to_string());
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = auth
                .as_deref()
                .and_then(|h| {
                    h.strip_prefix("Bearer ")
                        .or_else(|| h.strip_prefix("bearer "))
                })
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "a bearer token is required",
                        "cần có mã truy cập (bearer token)",
                    )
                })?;
            let claims = verified(&state, token)?;
            let mut conn = state.pool.get().await?;
            let mut caller = Caller::authenticate(&mut conn, &claims).await?;
            caller.request_id = request_id;
            req.extensions_mut()
                .insert(crate::http::access_log::AccountId(caller.account_id));
            Ok(caller)
        })
    }
}
