//! Webhooks: deliveries signed as Standard Webhooks 1.0 (checked with the `standardwebhooks`
//! crate, not our code), retried with back-off, dead-lettered, re-sent, failing endpoints
//! disabled, never delivered twice by two replicas, queued deliveries surviving a restart,
//! and private targets refused.

use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::common::*;

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Hit {
    id: String,
    timestamp: String,
    signature: String,
    content_type: String,
    body: Vec<u8>,
}

impl Hit {
    /// Verifies the hit with the Standard Webhooks reference library for Rust.
    fn verify(&self, secret: &str) -> Result<(), standardwebhooks::WebhookError> {
        use reqwest::header::{HeaderMap, HeaderValue};
        let mut headers = HeaderMap::new();
        headers.insert("webhook-id", HeaderValue::from_str(&self.id).unwrap());
        headers.insert(
            "webhook-timestamp",
            HeaderValue::from_str(&self.timestamp).unwrap(),
        );
        headers.insert(
            "webhook-signature",
            HeaderValue::from_str(&self.signature).unwrap(),
        );
        standardwebhooks::Webhook::new(secret)?.verify(&self.body, &headers)
    }

    fn event(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A local webhook receiver: records every request and answers `status` (after failing the
/// first `fail_first` requests with 500), after `delay_ms`.
#[derive(Clone, Default)]
struct Receiver {
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    status: Arc<AtomicU16>,
    fail_first: Arc<AtomicUsize>,
    delay_ms: Arc<AtomicU64>,
}

async fn receive(req: HttpRequest, body: web::Bytes, rx: web::Data<Receiver>) -> HttpResponse {
    let header = |n: &str| {
        req.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let n = {
        let mut hits = rx.hits.lock().unwrap();
        hits.push(Hit {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            content_type: header("content-type"),
            body: body.to_vec(),
        });
        hits.len()
    };
    let delay = rx.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let status = if n <= rx.fail_first.load(Ordering::SeqCst) {
        500
    } else {
        rx.status.load(Ordering::SeqCst)
    };
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).finish()
}

impl Receiver {
    async fn start(status: u16) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut rx = Receiver {
            url: format!("http://{}/hooks/cadre", listener.local_addr().unwrap()),
            ..Default::default()
        };
        rx.status = Arc::new(AtomicU16::new(status));
        let shared = rx.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .default_service(web::to(receive))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        rx
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests came (at most 30 s).
    async fn wait_for(&self, n: usize) -> Vec<Hit> {
        for _ in 0..600 {
            if self.hits().len() >= n {
                return self.hits();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} deliveries, got {:?}", self.hits().len());
    }
}

fn allow_local(c: &mut cadre_api::config::Config) {
    c.webhook_allowed_hosts = vec!["127.0.0.1".into()];
    c.webhook_poll_ms = 20;
}

/// Another replica's webhook workers on the same database.
async fn replica(app: &TestApp, workers: usize) -> Vec<tokio::task::JoinHandle<()>> {
    let mut config = cadre_api::config::Config::for_tests(app.db_url.clone());
    allow_local(&mut config);
    config.webhook_workers = workers;
    let state = cadre_api::state(config, &app.db_url).await.unwrap();
    cadre_api::start_webhook_workers(&state)
}

async fn subscribe(app: &TestApp, token: &str, url: &str) -> Res {
    app.post(
        "/api/v1/webhook-subscriptions",
        token,
        json!({"url": url, "description": "Cổng thông tin tỉnh",
               "event_types": ["vn.gov.cadre.org_group.created"]}),
    )
    .await
}

/// A change that makes one `org_group.created` event on VP; the group's id.
async fn change(app: &TestApp, ob: &str, code: &str) -> Uuid {
    let vp = app.unit("VP").await;
    let res = app
        .post(
            "/api/v1/groups",
            ob,
            json!({"owner_unit_id": vp, "year": 2031, "code": code,
                   "label_vi": "Nhóm thử webhook", "member_ids": []}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.id()
}

/// Waits until the subscription has `n` deliveries in `status`.
async fn wait_deliveries(
    app: &TestApp,
    token: &str,
    sub: Uuid,
    status: &str,
    n: usize,
) -> Vec<Value> {
    for _ in 0..600 {
        let res = app
            .get(
                &format!(
                    "/api/v1/webhook-subscriptions/{sub}/deliveries?status={status}&limit=200"
                ),
                token,
            )
            .await;
        assert_eq!(res.status, 200, "{res:?}");
        let items = res.body["items"].as_array().unwrap().clone();
        if items.len() >= n {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} {status} deliveries");
}

#[actix_web::test]
async fn deliveries_verify_with_an_independent_library_and_survive_a_restart() {
    // This replica delivers nothing: deliveries only queue, as while the service is down.
    let app = TestApp::spawn_with(allow_local).await;
    let rx = Receiver::start(204).await;
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let sub = subscribe(&app, &sc, &rx.url).await;
    assert_eq!(sub.status, 201, "{sub:?}");
    let secret = sub.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(sub.body["status"], "active");
    let sub_id = sub.id();
    let shown = app
        .get(&format!("/api/v1/webhook-subscriptions/{sub_id}"), &sc)
        .await;
    assert_eq!(shown.status, 200);
    assert!(
        shown.body.get("secret").is_none(),
        "the secret is shown once"
    );

    let mut groups = Vec::new();
    for code in ["WH-1", "WH-2", "WH-3"] {
        groups.push(change(&app, &ob, code).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(rx.hits().is_empty());
    // The dispatcher alone queues them; a pending delivery is on its way and cannot be re-sent.
    let pool = cadre_api::db::pool(&app.db_url, 1).unwrap();
    assert_eq!(
        cadre_api::app::webhooks::worker::dispatch(&pool)
            .await
            .unwrap(),
        3
    );
    let queued = wait_deliveries(&app, &sc, sub_id, "pending", 3).await;
    let on_its_way = app
        .post(
            &format!(
                "/api/v1/webhook-deliveries/{}/resend",
                queued[0]["id"].as_str().unwrap()
            ),
            &sc,
            json!(null),
        )
        .await;
    assert_problem(&on_its_way, 409);

    // A (re)started replica picks the queued deliveries up.
    let _workers = replica(&app, 2).await;
    let hits = rx.wait_for(3).await;
    let mut delivered: Vec<(i64, Uuid)> = Vec::new();
    for hit in &hits {
        hit.verify(&secret)
            .expect("a valid Standard Webhooks signature");
        assert!(hit
            .verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .is_err());
        assert_eq!(hit.content_type, "application/cloudevents+json");
        let event = hit.event();
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["type"], "vn.gov.cadre.org_group.created");
        let sequence: i64 = event["sequence"].as_str().unwrap().parse().unwrap();
        delivered.push((
            sequence,
            event["data"]["id"].as_str().unwrap().parse().unwrap(),
        ));
    }
    // Workers send concurrently, so arrival order is not promised; the `sequence` attribute
    // restores the feed's order, and each event arrives once.
    delivered.sort();
    let delivered: Vec<Uuid> = delivered.into_iter().map(|(_, id)| id).collect();
    assert_eq!(delivered, groups, "each event once");

    // The log: delivered at the first attempt, the webhook-id is the delivery's id.
    let log = wait_deliveries(&app, &sc, sub_id, "delivered", 3).await;
    assert_eq!(log.len(), 3);
    let first = &log[0];
    assert_eq!(first["attempts"], 1);
    let first_hit = hits
        .iter()
        .find(|h| h.id == first["id"].as_str().unwrap())
        .expect("the webhook-id is the delivery's id");
    let one = app
        .get(
            &format!(
                "/api/v1/webhook-deliveries/{}",
                first["id"].as_str().unwrap()
            ),
            &sc,
        )
        .await;
    assert_eq!(one.status, 200, "{one:?}");
    assert_eq!(one.body["attempt_log"][0]["response_status"], 204);
    assert_eq!(one.body["payload"], first_hit.event());

    // Others cannot see it.
    let tnmt = app.token("head.so-tnmt").await;
    let hidden = app
        .get(&format!("/api/v1/webhook-subscriptions/{sub_id}"), &tnmt)
        .await;
    assert_problem(&hidden, 404);
    let theirs = app.get("/api/v1/webhook-subscriptions", &tnmt).await;
    assert_eq!(theirs.body["items"], json!([]));

    // Rotation: both secrets sign during the overlap.
    let rotated = app
        .post_if(
            &format!("/api/v1/webhook-subscriptions/{sub_id}/rotate-secret"),
            &sc,
            &shown.etag(),
            json!(null),
        )
        .await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    change(&app, &ob, "WH-4").await;
    let hits = rx.wait_for(4).await;
    let last = &hits[3];
    assert_eq!(last.signature.split(' ').count(), 2, "{}", last.signature);
    last.verify(&secret).expect("the old secret still verifies");
    last.verify(&new_secret).expect("the new secret verifies");
}

#[actix_web::test]
async fn a_failing_endpoint_is_retried_dead_lettered_disabled_and_resent() {
    let app = TestApp::spawn_with(|c| {
        allow_local(c);
        c.webhook_workers = 2;
        // The whole schedule (31 h 35 min) in about two seconds.
        c.webhook_retry_scale = 0.00002;
    })
    .await;
    let rx = Receiver::start(500).await;
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let sub = subscribe(&app, &sc, &rx.url).await;
    assert_eq!(sub.status, 201, "{sub:?}");
    let sub_id = sub.id();
    change(&app, &ob, "WH-DEAD").await;

    let dead = wait_deliveries(&app, &sc, sub_id, "dead", 1).await;
    let schedule = cadre_api::domain::webhooks::RETRY_SCHEDULE.len() + 1;
    assert_eq!(dead[0]["attempts"], schedule as i64);
    assert_eq!(dead[0]["last_status"], 500);
    let hits = rx.hits();
    assert_eq!(hits.len(), schedule, "every attempt once");
    assert!(
        hits.iter().all(|h| h.id == hits[0].id),
        "one webhook-id across retries"
    );

    // The endpoint failed at every attempt of the schedule: disabled, and the owner sees why.
    let shown = app
        .get(&format!("/api/v1/webhook-subscriptions/{sub_id}"), &sc)
        .await;
    assert_eq!(shown.body["status"], "disabled", "{shown:?}");
    let reason = shown.body["disabled_reason"].as_str().unwrap();
    assert!(reason.contains("HTTP 500"), "{reason}");
    assert!(shown.body["failing_since"].is_string());

    // While disabled, new events wait.
    rx.status.store(204, Ordering::SeqCst);
    change(&app, &ob, "WH-LATER").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(rx.hits().len(), schedule);

    // Enabled again: the waiting event comes; the dead letter is re-sent on demand.
    let before = app
        .get(
            &format!(
                "/api/v1/webhook-deliveries/{}",
                dead[0]["id"].as_str().unwrap()
            ),
            &sc,
        )
        .await;
    let resent_early = app
        .post(
            &format!(
                "/api/v1/webhook-deliveries/{}/resend",
                dead[0]["id"].as_str().unwrap()
            ),
            &sc,
            json!(null),
        )
        .await;
    assert_eq!(resent_early.status, 200, "{resent_early:?}");
    assert_eq!(before.body["status"], "dead");
    let enabled = app
        .post_if(
            &format!("/api/v1/webhook-subscriptions/{sub_id}/enable"),
            &sc,
            &shown.etag(),
            json!(null),
        )
        .await;
    assert_eq!(enabled.status, 200, "{enabled:?}");
    assert_eq!(enabled.body["failing_since"], Value::Null);
    let delivered = wait_deliveries(&app, &sc, sub_id, "delivered", 2).await;
    assert_eq!(delivered.len(), 2);
    let hits = rx.hits();
    assert_eq!(hits.len(), schedule + 2);
    assert_eq!(
        hits.iter()
            .filter(|h| h.id == dead[0]["id"].as_str().unwrap())
            .count(),
        schedule + 1
    );
    // A delivered one may be sent again too.
    let again = app
        .post(
            &format!(
                "/api/v1/webhook-deliveries/{}/resend",
                dead[0]["id"].as_str().unwrap()
            ),
            &sc,
            json!(null),
        )
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.body["status"], "pending");
    // Only the owner re-sends.
    let tnmt = app.token("head.so-tnmt").await;
    let refused = app
        .post(
            &format!(
                "/api/v1/webhook-deliveries/{}/resend",
                dead[0]["id"].as_str().unwrap()
            ),
            &tnmt,
            json!(null),
        )
        .await;
    assert_problem(&refused, 404);
}

#[actix_web::test]
async fn a_retry_after_failures_delivers_and_ends_the_failure_streak() {
    let app = TestApp::spawn_with(|c| {
        allow_local(c);
        c.webhook_workers = 1;
        c.webhook_retry_scale = 0.00002;
    })
    .await;
    let rx = Receiver::start(200).await;
    rx.fail_first.store(2, Ordering::SeqCst);
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let sub = subscribe(&app, &sc, &rx.url).await;
    change(&app, &ob, "WH-RETRY").await;
    let delivered = wait_deliveries(&app, &sc, sub.id(), "delivered", 1).await;
    assert_eq!(delivered[0]["attempts"], 3);
    let log = app
        .get(
            &format!(
                "/api/v1/webhook-deliveries/{}",
                delivered[0]["id"].as_str().unwrap()
            ),
            &sc,
        )
        .await;
    let statuses: Vec<&Value> = log.body["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["response_status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
    let shown = app
        .get(&format!("/api/v1/webhook-subscriptions/{}", sub.id()), &sc)
        .await;
    assert_eq!(shown.body["status"], "active");
    assert_eq!(shown.body["failing_since"], Value::Null);
    assert!(shown.body["last_success_at"].is_string());
}

#[actix_web::test]
async fn two_replicas_never_make_the_same_attempt() {
    let app = TestApp::spawn_with(|c| {
        allow_local(c);
        c.webhook_workers = 3;
    })
    .await;
    let _other = replica(&app, 3).await;
    let rx = Receiver::start(204).await;
    rx.delay_ms.store(20, Ordering::SeqCst);
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let sub = subscribe(&app, &sc, &rx.url).await;
    let n = 30;
    for i in 0..n {
        change(&app, &ob, &format!("WH-R{i}")).await;
    }
    rx.wait_for(n).await;
    wait_deliveries(&app, &sc, sub.id(), "delivered", n).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits = rx.hits();
    let mut ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (hits.len(), ids.len()),
        (n, n),
        "each delivery exactly once"
    );
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut conn = app.db().await;
    let attempts: i64 = cadre_api::db::schema::webhook_attempts::table
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(attempts, n as i64);
}

#[actix_web::test]
async fn private_targets_and_unknown_types_are_refused() {
    let app = TestApp::spawn().await;
    let sc = app.token("thuongvu.1").await;
    for url in [
        "https://10.0.0.7/hook",
        "https://192.168.1.20/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "http://127.0.0.1:9/hook",
        "http://portal.example.gov.vn/hook",
        "ftp://portal.example.gov.vn/hook",
        "https://user:pw@portal.example.gov.vn/hook",
        "not a url",
    ] {
        let res = subscribe(&app, &sc, url).await;
        assert_problem(&res, 422);
        assert_eq!(res.body["errors"][0]["field"], "url", "{url}: {res:?}");
    }
    let res = app
        .post(
            "/api/v1/webhook-subscriptions",
            &sc,
            json!({"url": "https://10.0.0.7/hook", "event_types": ["round.issued"]}),
        )
        .await;
    assert_problem(&res, 422);
    let listed = app.get("/api/v1/webhook-subscriptions", &sc).await;
    assert_eq!(listed.body["items"], json!([]), "nothing was stored");
}

#[actix_web::test]
async fn the_unit_scope_must_be_within_the_callers_bindings() {
    let app = TestApp::spawn_with(allow_local).await;
    let rx = Receiver::start(204).await;
    let tnmt = app.token("head.so-tnmt").await;
    let (own, other) = (app.unit("VP-SO-TNMT").await, app.unit("VP-HU-BX").await);
    let outside = app
        .post(
            "/api/v1/webhook-subscriptions",
            &tnmt,
            json!({"url": rx.url, "unit_id": other}),
        )
        .await;
    assert_problem(&outside, 422);
    assert_eq!(outside.body["errors"][0]["field"], "unit_id");
    let inside = app
        .post(
            "/api/v1/webhook-subscriptions",
            &tnmt,
            json!({"url": rx.url, "unit_id": own}),
        )
        .await;
    assert_eq!(inside.status, 201, "{inside:?}");
    // Administrators of the owner's account see it and may disable it, not redirect it.
    let admin = app.token("admin").await;
    let seen = app
        .get(
            &format!("/api/v1/webhook-subscriptions/{}", inside.id()),
            &admin,
        )
        .await;
    assert_eq!(seen.status, 200, "{seen:?}");
    let redirected = app
        .patch(
            &format!("/api/v1/webhook-subscriptions/{}", inside.id()),
            &admin,
            &seen.etag(),
            json!({"description": "Chuyển hướng"}),
        )
        .await;
    assert_problem(&redirected, 403);
    let disabled = app
        .post_if(
            &format!("/api/v1/webhook-subscriptions/{}/disable", inside.id()),
            &admin,
            &seen.etag(),
            json!(null),
        )
        .await;
    assert_eq!(disabled.status, 200, "{disabled:?}");
    assert!(disabled.body["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("admin"));
}
