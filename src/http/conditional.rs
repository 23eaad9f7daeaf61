//! Conditional reads: a successful GET carries an `ETag` (the object's version where the
//! handler gives one, else a weak tag of the JSON body, as for lists and reports), and a GET
//! whose `If-None-Match` names it is answered `304 Not Modified` without a body.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use sha2::{Digest, Sha256};

/// Whether `if_none_match` (a list of tags, or `*`) names `tag`, by weak comparison.
pub fn names(if_none_match: &str, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|t| opaque(t) == opaque(tag) && !opaque(t).is_empty())
}

/// The weak tag of a body.
fn weak_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("W/\"{}\"", hex::encode(&digest[..12]))
}

/// The headers a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5), with the quota
/// of an anonymous reader.
const KEPT: [&str; 5] = [
    "cache-control",
    "vary",
    "expires",
    "ratelimit",
    "ratelimit-policy",
];

fn not_modified(tag: &HeaderValue, of: &header::HeaderMap) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::NOT_MODIFIED);
    res.insert_header((header::ETAG, tag.clone()));
    for name in KEPT {
        if let Some(v) = of.get(name) {
            res.insert_header((name, v.clone()));
        }
    }
    res.finish()
}

/// The middleware.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let get = req.method() == Method::GET;
    let wanted = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?;
    if !get || res.status() != StatusCode::OK {
        return Ok(res.map_into_boxed_body());
    }
    if let Some(tag) = res.headers().get(header::ETAG).cloned() {
        let matched = wanted
            .as_deref()
            .zip(tag.to_str().ok())
            .is_some_and(|(w, t)| names(w, t));
        return Ok(if matched {
            let answer = not_modified(&tag, res.headers());
            res.into_response(answer)
        } else {
            res.map_into_boxed_body()
        });
    }
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/json"));
    if !json {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("response body"))?;
    let tag = HeaderValue::from_str(&weak_tag(&bytes))
        .map_err(actix_web::error::ErrorInternalServerError)?;
    if wanted
        .as_deref()
        .is_some_and(|w| names(w, tag.to_str().unwrap_or_default()))
    {
        return Ok(ServiceResponse::new(
            req,
            not_modified(&tag, head.headers()),
        ));
    }
    let mut res = head.set_body(BoxBody::new(bytes));
    res.headers_mut().insert(header::ETAG, tag);
    Ok(ServiceResponse::new(req, res))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_weakly_in_lists_and_by_star() {
        assert!(names("\"3\"", "\"3\""));
        assert!(names("W/\"3\"", "\"3\""));
        assert!(names("\"1\", W/\"abc\"", "W/\"abc\""));
        assert!(names("*", "\"9\""));
        assert!(!names("\"4\"", "\"3\""));
        assert!(!names("", "\"3\""));
    }

    #[test]
    fn a_body_has_one_weak_tag() {
        assert_eq!(weak_tag(b"{}"), weak_tag(b"{}"));
        assert_ne!(weak_tag(b"{}"), weak_tag(b"[]"));
        assert!(weak_tag(b"{}").starts_with("W/\""));
    }
}
