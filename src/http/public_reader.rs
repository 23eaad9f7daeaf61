//! Readers of published results: any caller with a valid bearer token (portals included), or
//! an anonymous reader counted per client address in fixed windows kept in PostgreSQL (shared
//! by every replica). Over the limit: 429 with `Retry-After` and the IETF `RateLimit` and
//! `RateLimit-Policy` headers (draft-ietf-httpapi-ratelimit-headers), which every answer to an
//! anonymous reader also carries.

use std::net::IpAddr;

use actix_web::http::header::{self, HeaderName};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest, HttpResponseBuilder};
use futures_util::future::LocalBoxFuture;

use crate::app::publications::{self as app, ReadLimit};
use crate::auth::Caller;
use crate::domain::publication::Quota;
use crate::error::{ApiError, Msg};
use crate::http::AppState;

/// The name of the quota policy in the `RateLimit` headers.
pub const POLICY: &str = "anon";

/// Who reads published results.
#[derive(Debug)]
pub enum Reader {
    /// An authenticated caller (not counted).
    Caller(Box<Caller>),
    /// An anonymous reader, with what is left of its quota.
    Anonymous(Quota),
}

/// `RateLimit-Policy: "anon";q=<limit>;w=<window>`.
pub fn policy_header(q: &Quota) -> String {
    format!("\"{POLICY}\";q={};w={}", q.limit, q.window_secs)
}

/// `RateLimit: "anon";r=<remaining>;t=<seconds to reset>`.
pub fn limit_header(q: &Quota) -> String {
    format!("\"{POLICY}\";r={};t={}", q.remaining, q.reset_secs)
}

fn ratelimit() -> HeaderName {
    HeaderName::from_static("ratelimit")
}

fn ratelimit_policy() -> HeaderName {
    HeaderName::from_static("ratelimit-policy")
}

impl Reader {
    /// Adds the quota headers of an anonymous reader to a response.
    pub fn headers(&self, res: &mut HttpResponseBuilder) {
        if let Reader::Anonymous(q) = self {
            res.insert_header((ratelimit(), limit_header(q)))
                .insert_header((ratelimit_policy(), policy_header(q)));
        }
    }

    /// Adds the quota headers of an anonymous reader to an error.
    pub fn on_error(&self, e: ApiError) -> ApiError {
        match self {
            Reader::Anonymous(q) => e
                .header(ratelimit(), limit_header(q))
                .header(ratelimit_policy(), policy_header(q)),
            Reader::Caller(_) => e,
        }
    }
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the last address of
/// `X-Forwarded-For` that is not a trusted proxy.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    forwarded_for
        .into_iter()
        .flat_map(|v| v.rsplit(','))
        .map(|a| a.trim().parse::<IpAddr>())
        .take_while(Result::is_ok)
        .flatten()
        .find(|a| !trusted.contains(a))
        .unwrap_or(peer)
        .to_string()
}

fn too_many(q: &Quota) -> ApiError {
    ApiError::new(
        crate::error::ProblemKind::RateLimited,
        Msg::new("Too many requests", "Quá nhiều yêu cầu"),
    )
    .detail(
        format!(
            "at most {} reads every {} seconds without a token; retry in {} seconds",
            q.limit, q.window_secs, q.reset_secs
        ),
        format!(
            "tối đa {} lượt đọc mỗi {} giây khi không có mã truy cập; hãy thử lại sau {} giây",
            q.limit, q.window_secs, q.reset_secs
        ),
    )
    .header(header::RETRY_AFTER, q.reset_secs.to_string())
    .header(ratelimit(), limit_header(q))
    .header(ratelimit_policy(), policy_header(q))
}

/// A request with `Authorization` is an authenticated caller (401 when the token is not
/// valid); one without is anonymous and counted (429 over the limit).
impl FromRequest for Reader {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().contains_key(header::AUTHORIZATION) {
            let caller = Caller::from_request(req, payload);
            return Box::pin(async move { Ok(Reader::Caller(Box::new(caller.await?))) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let peer = req.peer_addr().map(|a| a.ip());
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let address = client_address(peer, forwarded.as_deref(), &state.config.trusted_proxies);
            let limit = ReadLimit {
                limit: state.config.public_rate_limit,
                window_secs: state.config.public_rate_window_secs,
            };
            let mut conn = state.pool.get().await?;
            let quota = app::count_anonymous_read(&mut conn, &address, limit).await?;
            if quota.exceeded {
                return Err(too_many(&quota));
            }
            Ok(Reader::Anonymous(quota))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let proxy = ip("10.0.0.1");
        let trusted = [proxy];
        let xff = Some("203.0.113.9, 198.51.100.7");
        assert_eq!(
            client_address(Some(ip("192.0.2.1")), xff, &trusted),
            "192.0.2.1"
        );
        assert_eq!(client_address(Some(proxy), xff, &trusted), "198.51.100.7");
        assert_eq!(
            client_address(Some(proxy), Some("203.0.113.9, 10.0.0.1"), &trusted),
            "203.0.113.9"
        );
        assert_eq!(client_address(Some(proxy), None, &trusted), "10.0.0.1");
        // A forged, unparsable hop stops the walk: the proxy itself is counted.
        assert_eq!(
            client_address(Some(proxy), Some("198.51.100.7, junk"), &trusted),
            "10.0.0.1"
        );
        assert_eq!(client_address(None, xff, &trusted), "unknown");
    }

    #[test]
    fn quota_headers_follow_the_ietf_draft() {
        let q = crate::domain::publication::quota(61, 60, 60, 22.3);
        assert_eq!(policy_header(&q), "\"anon\";q=60;w=60");
        assert_eq!(limit_header(&q), "\"anon\";r=0;t=23");
    }
}
