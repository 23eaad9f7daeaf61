//! `Idempotency-Key` on POST (IETF draft): the first response to a key is stored in PostgreSQL
//! and replayed to retries with the same body; reusing the key with another body is 422, and a
//! retry while the first request still runs is 409. Keys live 24 hours, per account. A replay
//! is given only to a caller whose token its account still accepts (the same check as
//! [`crate::auth::Caller`]'s).

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::error::{ApiError, Msg};
use super::AppState;
use crate::auth::caller::session_account;
use crate::db::repo::idempotency as repo;

/// Header naming a retry-safe request.
pub const HEADER: &str = "idempotency-key";
/// A request still "in flight" after this long is taken as abandoned (its process died).
const ABANDONED_AFTER_SECS: i64 = 120;
/// Headers kept with a stored response.
const KEPT: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// The request's `Idempotency-Key`, checked; for handlers that honour it themselves.
pub fn key_of(req: &actix_web::HttpRequest) -> Result<Option<String>, ApiError> {
    match req.headers().get(HEADER) {
        None => Ok(None),
        Some(v) => match v.to_str() {
            Ok(k) if valid(k) => Ok(Some(k.to_owned())),
            _ => Err(invalid_key()),
        },
    }
}

/// The answer to a key reused with another request.
pub fn key_reused() -> ApiError {
    ApiError::unprocessable(
        "this Idempotency-Key was used for a different request",
        "Idempotency-Key này đã được dùng cho một yêu cầu khác",
    )
    .field(
        "Idempotency-Key",
        "reused",
        Msg::new(
            "key reused with another body",
            "khóa đã dùng với nội dung khác",
        ),
    )
}

fn valid(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

fn invalid_key() -> ApiError {
    ApiError::bad_request(
        "Idempotency-Key must be 1 to 255 visible ASCII characters",
        "Idempotency-Key phải gồm 1 đến 255 ký tự ASCII hiển thị được",
    )
}

/// The middleware.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(HEADER).cloned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let (Some(key), Some(state), true) = (key, state, req.method() == Method::POST) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key.to_str() {
        Ok(k) if valid(k) => k.to_owned(),
        _ => return Err(invalid_key().into()),
    };
    // File uploads are streamed, never buffered here; their handler honours the key itself.
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("multipart/"));
    if multipart {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    // Only authenticated callers get replay; the handler answers 401 to the others.
    let claims = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .and_then(|t| state.keys.verify(t.trim()).ok());
    let Some(claims) = claims else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let body = req.extract::<web::Bytes>().await?;
    let path = req.uri().to_string();
    let mut hasher = Sha256::new();
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(&body);
    let hash = hex::encode(hasher.finalize());

    let mut conn = state.pool.get().await.map_err(ApiError::from)?;
    // The account is checked before anything is replayed: a key seen before does not outlive
    // the session that sent it (a disabled account, a password change, a logout → 401).
    let account = session_account(&mut conn, &claims).await?.id;
    let abandoned = chrono::Utc::now() - chrono::Duration::seconds(ABANDONED_AFTER_SECS);
    repo::purge_created_before(&mut conn, chrono::Utc::now() - chrono::Duration::hours(24))
        .await
        .map_err(ApiError::from)?;
    repo::release_abandoned(&mut conn, account, &key, abandoned)
        .await
        .map_err(ApiError::from)?;
    let claimed = repo::claim(&mut conn, account, &key, &path, &hash)
        .await
        .map_err(ApiError::from)?;
    if !claimed {
        let stored = repo::get(&mut conn, account, &key)
            .await
            .map_err(ApiError::from)?;
        let (status, body, headers) =
            (stored.status, stored.response_body, stored.response_headers);
        if stored.request_hash != hash {
            return Err(key_reused().into());
        }
        let Some(status) = status else {
            return Err(ApiError::conflict(
                "a request with this Idempotency-Key is still being processed",
                "yêu cầu với Idempotency-Key này đang được xử lý",
            )
            .into());
        };
        let mut res =
            HttpResponse::build(StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK));
        for (name, value) in headers
            .as_ref()
            .and_then(|h| h.as_object())
            .into_iter()
            .flatten()
        {
            if let (Ok(n), Some(v)) = (HeaderName::try_from(name.as_str()), value.as_str()) {
                res.insert_header((n, v));
            }
        }
        res.insert_header(("idempotent-replayed", "true"));
        let res = res.body(body.unwrap_or_default());
        return Ok(req.into_response(res));
    }
    drop(conn);

    req.set_payload(actix_web::dev::Payload::from(body));
    let res = next.call(req).await;
    let res = match res {
        Ok(res) => res,
        Err(e) => {
            forget(&state, account, &key).await;
            return Err(e);
        }
    };
    let status = res.status();
    let (http_req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| ApiError::internal("reading the response body"))?;
    if status.is_server_error() {
        forget(&state, account, &key).await;
    } else {
        let kept: serde_json::Map<String, serde_json::Value> = KEPT
            .iter()
            .filter_map(|h| {
                Some((
                    h.as_str().to_owned(),
                    head.headers().get(h)?.to_str().ok()?.into(),
                ))
            })
            .collect();
        let mut conn = state.pool.get().await.map_err(ApiError::from)?;
        repo::store_response(
            &mut conn,
            account,
            &key,
            status.as_u16() as i32,
            bytes.to_vec(),
            serde_json::Value::Object(kept),
        )
        .await
        .map_err(ApiError::from)?;
    }
    let res = head.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(http_req, res))
}

/// Releases a key whose request failed on our side, so a retry runs again.
async fn forget(state: &AppState, account: Uuid, key: &str) {
    if let Ok(mut conn) = state.pool.get().await {
        let _ = repo::forget(&mut conn, account, key).await;
    }
}
