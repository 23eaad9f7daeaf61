//! The REST layer: routes, middleware, extractors, errors and the OpenAPI contract.

pub mod access_log;
mod conditional;
#[cfg(test)]
mod contract_limits;
mod examples;
pub mod extract;
pub mod handlers;
pub mod headers;
pub mod idempotency;
pub mod openapi;
mod operation_ids;
pub mod public_reader;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpMessage, HttpServer};
use actix_web_prom::PrometheusMetricsBuilder;
use prometheus::{IntGaugeVec, Opts, Registry};
use tracing_actix_web::TracingLogger;

use access_log::RequestId;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::db::DbPool;
use crate::error::{self, ApiError, Msg};

/// What every request handler shares; holds no request state, so replicas are interchangeable.
pub struct AppState {
    /// Database pool.
    pub pool: DbPool,
    /// Token keys.
    pub keys: Arc<TokenKeys>,
    /// Where evidence files are kept.
    pub evidence: crate::storage::EvidenceStore,
    /// Settings.
    pub config: Arc<Config>,
    /// The key that signs audit checkpoints.
    pub audit_signer: Arc<crate::auth::audit_key::AuditSigner>,
}

/// Registers every route; each handler's `#[utoipa::path]` and route macro are its one
/// declaration, collected into the OpenAPI document by `utoipa_actix_web`.
pub fn routes(cfg: &mut ServiceConfig) {
    handlers::health::routes(cfg);
    cfg.service(
        scope("/api/v1")
            .route("/openapi.json", web::get().to(openapi_json))
            .configure(handlers::auth::routes)
            .configure(handlers::me::routes)
            .configure(handlers::vocabularies::routes)
            .configure(handlers::levels::routes)
            .configure(handlers::units::routes)
            .configure(handlers::restructurings::routes)
            .configure(handlers::groups::routes)
            .configure(handlers::cadres::routes)
            .configure(handlers::posts::routes)
            .configure(handlers::accounts::routes)
            .configure(handlers::bindings::routes)
            .configure(handlers::audit::routes)
            .configure(handlers::rounds::routes)
            .configure(handlers::assignments::routes)
            .configure(handlers::accountables::routes)
            .configure(handlers::commitments::routes)
            .configure(handlers::plans::routes)
            .configure(handlers::amendments::routes)
            .configure(handlers::reports::routes)
            .configure(handlers::supervision::routes)
            .configure(handlers::feeds::routes)
            .configure(handlers::evidence::routes)
            .configure(handlers::evaluations::routes)
            .configure(handlers::consequences::routes)
            .configure(handlers::person_evaluations::routes)
            .configure(handlers::events::routes)
            .configure(handlers::webhooks::routes)
            .configure(handlers::results::routes),
    );
}

async fn openapi_json() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(openapi::document())
}

async fn no_route(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(unrouted(&req))
}

/// The answer to a request no handler takes: 405 with `Allow` when the contract has the path
/// with other methods (`GET /restructurings/merge`), else 404.
fn unrouted(req: &actix_web::HttpRequest) -> ApiError {
    match openapi::allowed_methods(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => ApiError::new(
            crate::error::ProblemKind::MethodNotAllowed,
            Msg::new("Method not allowed", "Phương thức không được hỗ trợ"),
        )
        .header(header::ALLOW, methods.join(", ")),
        _ => ApiError::not_found(),
    }
}

/// Per-request context: language of messages, time limit, and the `X-Request-Id` header.
async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let vietnamese = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(prefers_vietnamese);
    let timeout = req
        .app_data::<web::Data<AppState>>()
        .map(|s| Duration::from_secs(s.config.request_timeout_secs))
        .unwrap_or(Duration::from_secs(30));
    let request_id = req.extensions().get::<RequestId>().map(|r| r.to_string());
    // No text column can hold NUL, so a query parameter carrying one is refused up front.
    if req.query_string().to_ascii_lowercase().contains("%00") {
        return Err(error::VIETNAMESE
            .sync_scope(vietnamese, || {
                ApiError::unprocessable(
                    "query parameters must not contain NUL characters",
                    "tham số truy vấn không được chứa ký tự NUL",
                )
            })
            .into());
    }
    let outcome = error::VIETNAMESE
        .scope(vietnamese, tokio::time::timeout(timeout, next.call(req)))
        .await;
    let mut res = match outcome {
        Ok(res) => res?,
        Err(_) => {
            return Err(error::VIETNAMESE
                .sync_scope(vietnamese, || {
                    ApiError::new(
                        crate::error::ProblemKind::Timeout,
                        Msg::new("Request timed out", "Yêu cầu xử lý quá thời gian"),
                    )
                })
                .into())
        }
    };
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        res.headers_mut()
            .insert(header::HeaderName::from_static("x-request-id"), id);
    }
    Ok(res)
}

/// Whether an `Accept-Language` value ranks Vietnamese above English.
pub fn prefers_vietnamese(accept: &str) -> bool {
    let mut best: Option<(f32, bool)> = None;
    for part in accept.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let is_vi = tag == "vi" || tag.starts_with("vi-");
        if (is_vi || tag == "en" || tag.starts_with("en-")) && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, is_vi));
        }
    }
    best.is_some_and(|(q, vi)| vi && q > 0.0)
}

fn cors(origins: &[String]) -> Cors {
    let base = Cors::default()
        .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotent-replayed"),
            header::HeaderName::from_static("ratelimit"),
            header::HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        base.allow_any_origin()
    } else {
        origins
            .iter()
            .filter(|o| !o.is_empty())
            .fold(base, |c, o| c.allowed_origin(o))
    }
}

/// Starts the HTTP server on `listener`; it stops gracefully on SIGINT/SIGTERM.
pub fn serve(
    state: AppState,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
) -> anyhow::Result<Server> {
    let registry = Registry::new();
    let pool_gauge = IntGaugeVec::new(
        Opts::new(
            "cadre_api_db_pool_connections",
            "Database pool connections by state",
        ),
        &["state"],
    )?;
    registry.register(Box::new(pool_gauge.clone()))?;
    // Counted here, published only on the internal listener (never beside the API).
    let metrics = PrometheusMetricsBuilder::new("cadre_api")
        .registry(registry.clone())
        .mask_unmatched_patterns("UNMATCHED")
        .build()
        .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
    if let Some(listener) = metrics_listener {
        actix_web::rt::spawn(metrics_server(registry, listener)?);
    }
    let workers = state.config.workers;
    let origins = state.config.cors_allowed_origins.clone();
    let max_body = state.config.max_body_bytes;
    let state = web::Data::new(state);
    let pool = state.pool.clone();
    let mut server = HttpServer::new(move || {
        let pool = pool.clone();
        let gauge = pool_gauge.clone();
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(
                web::JsonConfig::default()
                    .limit(max_body)
                    .error_handler(|e, _| extract::json_error(&e).into()),
            )
            .app_data(web::PathConfig::default().error_handler(|_, req| unrouted(req).into()))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::bad_request(e.to_string(), format!("tham số truy vấn không hợp lệ: {e}"))
                    .into()
            }))
            .wrap(from_fn(conditional::middleware))
            .wrap(from_fn(idempotency::middleware))
            .wrap(from_fn(request_context))
            .wrap(cors(&origins))
            .wrap(metrics.clone())
            .wrap(from_fn(move |req: ServiceRequest, next: Next<_>| {
                let status = pool.status();
                gauge.with_label_values(&["size"]).set(status.size as i64);
                gauge
                    .with_label_values(&["available"])
                    .set(status.available as i64);
                gauge
                    .with_label_values(&["max"])
                    .set(status.max_size as i64);
                next.call(req)
            }))
            .wrap(from_fn(headers::middleware))
            .wrap(from_fn(access_log::middleware))
            .wrap(TracingLogger::<access_log::RequestSpan>::new())
            .into_utoipa_app()
            .configure(routes)
            .into_app()
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .url("/api/v1/openapi.json", openapi::document())
                    // The UI must not send the contract to an outside validator.
                    .config(utoipa_swagger_ui::Config::default().validator_url("none")),
            )
            .service(web::redirect("/docs", "/docs/"))
            .default_service(web::to(no_route))
    })
    .listen(listener)?
    .client_request_timeout(Duration::from_secs(10))
    .keep_alive(Duration::from_secs(75))
    .shutdown_timeout(30);
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.run())
}

/// The internal listener (`CADRE_METRICS_BIND`): `GET /metrics` in the Prometheus text format,
/// on an address operators keep off the public network.
fn metrics_server(registry: Registry, listener: TcpListener) -> anyhow::Result<Server> {
    let registry = web::Data::new(registry);
    Ok(HttpServer::new(move || {
        App::new().app_data(registry.clone()).route(
            "/metrics",
            web::get().to(|registry: web::Data<Registry>| async move {
                let mut body = String::new();
                match prometheus::TextEncoder::new().encode_utf8(&registry.gather(), &mut body) {
                    Ok(()) => actix_web::HttpResponse::Ok()
                        .content_type(prometheus::TEXT_FORMAT)
                        .body(body),
                    Err(e) => actix_web::HttpResponse::InternalServerError().body(e.to_string()),
                }
            }),
        )
    })
    .workers(1)
    .listen(listener)?
    .disable_signals()
    .run())
}

#[cfg(test)]
mod tests {
    #[test]
    fn language_negotiation() {
        assert!(super::prefers_vietnamese("vi"));
        assert!(super::prefers_vietnamese("vi-VN,vi;q=0.9,en;q=0.8"));
        assert!(!super::prefers_vietnamese("en-US,en;q=0.9,vi;q=0.5"));
        assert!(!super::prefers_vietnamese("fr"));
        assert!(super::prefers_vietnamese("en;q=0.3, vi;q=0.7"));
    }
}
