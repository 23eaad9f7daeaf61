//! One line per request, and the request id every line names.
//!
//! [`RequestSpan`] opens each request's span with its id: the caller's `X-Request-Id` when it is
//! well formed (so a request can be followed across systems), a new UUID otherwise. The
//! [`middleware`] writes the access-log line when the answer is known: method, route template,
//! status, latency, request id and account, at `info` (`error` for a 5xx, with its cause).
//! Client errors are ordinary traffic and are not logged a second time.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::RootSpanBuilder;
use uuid::Uuid;

/// The request's id (the `X-Request-Id` answered and logged).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The account a request was made by, once its token was read.
#[derive(Debug, Clone, Copy)]
pub struct AccountId(pub Uuid);

/// Whether a caller's `X-Request-Id` is kept: 1 to 128 visible ASCII letters, digits and
/// `-_.:/+=`, so it cannot forge log lines or headers.
pub fn well_formed(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(&b))
}

/// Opens each request's span, named by its request id.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| well_formed(v))
            .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
        let span = tracing::info_span!("request", request_id = %id);
        request.extensions_mut().insert(RequestId(id));
        span
    }

    fn on_request_end<B: MessageBody>(_: Span, _: &Result<ServiceResponse<B>, Error>) {}
}

/// Writes the request's access-log line.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let outcome = next.call(req).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let (status, route, account, cause) = match &outcome {
        Ok(res) => {
            let http = res.request();
            (
                res.status(),
                http.match_pattern().unwrap_or(path),
                http.extensions()
                    .get::<AccountId>()
                    .map(|a| a.0.to_string()),
                res.response().error().map(ToString::to_string),
            )
        }
        Err(e) => (
            e.as_response_error().status_code(),
            path,
            None,
            Some(e.to_string()),
        ),
    };
    let account = account.as_deref().unwrap_or("-");
    let status = status.as_u16();
    if status >= 500 {
        tracing::error!(
            method,
            route,
            status,
            latency_ms,
            account,
            cause = cause.as_deref().unwrap_or("-"),
            "{method} {route} {status}"
        );
    } else {
        tracing::info!(
            method,
            route,
            status,
            latency_ms,
            account,
            "{method} {route} {status}"
        );
    }
    outcome
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_ids_kept_only_when_harmless() {
        assert!(super::well_formed("01a252b1-04fe-7480-a6e9-1a061ecab756"));
        assert!(super::well_formed("portal:req/42"));
        for bad in ["", "a b", "x\r\nSet-Cookie: y", "é", &"a".repeat(129)] {
            assert!(!super::well_formed(bad), "{bad:?}");
        }
    }
}
