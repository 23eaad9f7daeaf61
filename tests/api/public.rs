//! Published results open to everyone: read without a token (and with any valid one), frozen
//! at publication, corrected by new versions that keep the old ones readable, withdrawn on the
//! record; conditional reads (304), CSV, and the limit of anonymous readers per address.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// An issued round of this year with one task to the Department of Natural Resources and
/// Environment and one whose title a spreadsheet would read as a formula: round id, round
/// ETag, the first task.
async fn issued(app: &TestApp) -> (Uuid, String, Uuid) {
    let year = this_year();
    let built = Round::of(app, "VP")
        .in_year(year)
        .override_reason("Đợt giao thử nghiệm")
        .task_with("VP-SO-TNMT", spanning(year))
        .task_with(
            "VP-SO-TNMT",
            merged(
                spanning(year),
                json!({"title": "=HYPERLINK(\"http://x\") Số hoá hồ sơ"}),
            ),
        )
        .issue()
        .await;
    (built.round, built.etag, built.tasks[0])
}

async fn publish(app: &TestApp, round: Uuid, etag: &str) -> Res {
    let res = app
        .post_if(
            &format!("/api/v1/rounds/{round}/publish"),
            &app.token("thuongvu.1").await,
            etag,
            json!({}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    res
}

fn header(res: &Res, name: &str) -> String {
    res.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in {res:?}"))
        .to_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn anonymous_readers_read_published_results_with_304_and_csv() {
    let app = TestApp::spawn().await;
    let (round, etag, _) = issued(&app).await;
    let results = format!("/api/v1/public/rounds/{round}/results");

    // Nothing is public before publication.
    assert_problem(&app.get(&results, "").await, 404);
    let listed = app.get("/api/v1/public/rounds", "").await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert!(!listed.text.contains(&round.to_string()));

    let published = publish(&app, round, &etag).await;
    assert_eq!(published.etag(), "\"1\"");
    assert_eq!(published.body["version"], 1);
    assert!(published.body["reason"].is_null());

    // Without a token: the frozen figures, cacheable, with the reader's quota.
    let seen = app.get(&results, "").await;
    assert_eq!(seen.status, 200, "{seen:?}");
    assert_eq!(seen.etag(), "\"1\"");
    assert_eq!(header(&seen, "cache-control"), "public, max-age=60");
    assert!(header(&seen, "ratelimit").starts_with("\"anon\";r="));
    assert!(header(&seen, "ratelimit-policy").starts_with("\"anon\";q="));
    assert_eq!(seen.body["publication"]["version"], 1);
    assert_eq!(seen.body["round"]["id"], json!(round));
    assert_eq!(seen.body["total"]["assigned"], 2);
    assert_eq!(seen.body["assignments"].as_array().unwrap().len(), 2);
    for private in ["narrative", "remarks", "evidence", "cadre", "comment"] {
        assert!(
            !seen.text.contains(private),
            "{private} leaked: {}",
            seen.text
        );
    }

    // The same ETag again: 304 without a body, still cacheable.
    let again = app
        .send(
            reqwest::Method::GET,
            &results,
            "",
            None,
            &[("If-None-Match", "\"1\"")],
        )
        .await;
    assert_eq!(again.status, 304, "{again:?}");
    assert!(again.text.is_empty());
    assert_eq!(again.etag(), "\"1\"");
    assert_eq!(header(&again, "cache-control"), "public, max-age=60");
    let stale = app
        .send(
            reqwest::Method::GET,
            &results,
            "",
            None,
            &[("If-None-Match", "\"0\"")],
        )
        .await;
    assert_eq!(stale.status, 200);

    // The list, paginated, with its own ETag and 304.
    let listed = app.get("/api/v1/public/rounds?limit=1", "").await;
    assert_eq!(listed.status, 200, "{listed:?}");
    assert_eq!(listed.body["items"][0]["id"], json!(round));
    assert_eq!(listed.body["items"][0]["current"]["version"], 1);
    assert!(listed.body["items"][0]["current"]["withdrawal"].is_null());
    let again = app
        .send(
            reqwest::Method::GET,
            "/api/v1/public/rounds?limit=1",
            "",
            None,
            &[("If-None-Match", &listed.etag())],
        )
        .await;
    assert_eq!(again.status, 304, "{again:?}");
    assert_problem(&app.get("/api/v1/public/rounds?limit=0", "").await, 422);

    // Portals keep reading with their token; a bad token is still refused.
    let portal = app.get(&results, &app.token("portal").await).await;
    assert_eq!(portal.status, 200, "{portal:?}");
    assert_eq!(portal.text, seen.text);
    assert!(portal.headers.get("ratelimit").is_none());
    assert_problem(&app.get(&results, "not-a-token").await, 401);

    // CSV: one table, one header row, UTF-8 with a BOM, formulas neutralised.
    for (path, headers) in [
        (format!("{results}?format=csv"), vec![]),
        (results.clone(), vec![("Accept", "text/csv")]),
    ] {
        let csv = app
            .send(reqwest::Method::GET, &path, "", None, &headers)
            .await;
        assert_eq!(csv.status, 200, "{csv:?}");
        assert!(csv.content_type().starts_with("text/csv"), "{csv:?}");
        assert_eq!(csv.etag(), "\"1-csv\"");
        let text = csv
            .text
            .strip_prefix('\u{feff}')
            .expect("a byte-order mark");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(headers.len(), 6);
        assert_eq!(&headers[0], "Đơn vị được giao");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2, "{text}");
        assert!(rows.iter().all(|r| r.len() == 6));
        assert!(
            rows.iter().any(|r| r[1].starts_with("'=HYPERLINK")),
            "{text}"
        );
        assert!(
            rows.iter().all(|r| &r[4] == "Đang thực hiện trong hạn"),
            "{text}"
        );
    }
}

#[actix_web::test]
async fn a_correction_publishes_a_new_version_and_keeps_the_old_one() {
    let app = TestApp::spawn().await;
    let (round, etag, task) = issued(&app).await;
    publish(&app, round, &etag).await;
    let results = format!("/api/v1/public/rounds/{round}/results");
    let first = app.get(&results, "").await;
    assert_eq!(first.body["total"]["completed"], 0, "{first:?}");

    // The record changes after publication: the published figures do not.
    let year = this_year();
    delivered(&app, task, "head.so-tnmt", &format!("{year}-Q1"), 100.0).await;
    let later = app.get(&results, "").await;
    assert_eq!(later.text, first.text);
    let report = app
        .get(
            &format!("/api/v1/reports/results?round_id={round}"),
            &app.token("bantochuc.1").await,
        )
        .await;
    assert_eq!(report.body["total"]["completed"], 1, "{report:?}");

    // A correction needs its reason, the current version, and the Standing Committee.
    let corrections = format!("/api/v1/rounds/{round}/publication/corrections");
    let sc = app.token("thuongvu.1").await;
    let audited = app.audit_count().await;
    for body in [json!({}), json!({"reason": "   "})] {
        let res = app.post_if(&corrections, &sc, "\"1\"", body).await;
        assert_problem(&res, 422);
        assert_eq!(res.body["errors"][0]["field"], "reason", "{res:?}");
    }
    assert_problem(
        &app.post(&corrections, &sc, json!({"reason": "Số liệu quý I"}))
            .await,
        428,
    );
    assert_problem(
        &app.post_if(
            &corrections,
            &sc,
            "\"2\"",
            json!({"reason": "Số liệu quý I"}),
        )
        .await,
        412,
    );
    assert_problem(
        &app.post_if(
            &corrections,
            &app.token("bantochuc.1").await,
            "\"1\"",
            json!({"reason": "Số liệu quý I"}),
        )
        .await,
        403,
    );
    assert_eq!(app.audit_count().await, audited, "refusals change nothing");

    let reason = "Bổ sung báo cáo quý I đã được duyệt";
    let corrected = app
        .post_if(&corrections, &sc, "\"1\"", json!({"reason": reason}))
        .await;
    assert_eq!(corrected.status, 201, "{corrected:?}");
    assert_eq!(corrected.etag(), "\"2\"");
    assert_eq!(
        header(&corrected, "location"),
        format!("/api/v1/public/rounds/{round}/versions/2")
    );

    // Version 2 is current; version 1 stays readable, byte for byte.
    let current = app.get(&results, "").await;
    assert_eq!(current.etag(), "\"2\"");
    assert_eq!(current.body["publication"]["version"], 2);
    assert_eq!(current.body["publication"]["reason"], reason);
    assert_eq!(current.body["total"]["completed"], 1);
    let old = app
        .get(&format!("/api/v1/public/rounds/{round}/versions/1"), "")
        .await;
    assert_eq!(old.status, 200, "{old:?}");
    assert_eq!(old.etag(), "\"1\"");
    assert_eq!(old.text, first.text);
    assert_problem(
        &app.get(&format!("/api/v1/public/rounds/{round}/versions/3"), "")
            .await,
        404,
    );
    let versions = app
        .get(&format!("/api/v1/public/rounds/{round}/versions"), "")
        .await;
    let items = versions.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{versions:?}");
    assert_eq!(
        (items[0]["version"].clone(), items[0]["reason"].clone()),
        (json!(1), Value::Null)
    );
    assert_eq!(items[1]["reason"], reason);
    let listed = app.get("/api/v1/public/rounds", "").await;
    assert_eq!(listed.body["items"][0]["current"]["version"], 2);

    // Each step is on the audit trail and the event feed.
    let events = app.get("/api/v1/events?after=&limit=1000", &sc).await;
    for kind in [
        "vn.gov.cadre.round.published",
        "vn.gov.cadre.round.publication_corrected",
    ] {
        assert!(events.text.contains(kind), "{kind} missing");
    }
}

#[actix_web::test]
async fn a_withdrawal_is_recorded_and_shown() {
    let app = TestApp::spawn().await;
    let (round, etag, _) = issued(&app).await;
    publish(&app, round, &etag).await;
    let withdraw = format!("/api/v1/rounds/{round}/publication/withdraw");
    let sc = app.token("thuongvu.1").await;
    assert_problem(&app.post_if(&withdraw, &sc, "\"1\"", json!({})).await, 422);
    assert_problem(
        &app.post_if(
            &withdraw,
            &app.token("head.so-tnmt").await,
            "\"1\"",
            json!({"reason": "x"}),
        )
        .await,
        404,
    );
    let reason = "Công bố nhầm đợt giao";
    let withdrawn = app
        .post_if(&withdraw, &sc, "\"1\"", json!({"reason": reason}))
        .await;
    assert_eq!(withdrawn.status, 200, "{withdrawn:?}");
    assert_eq!(withdrawn.body["withdrawal"]["reason"], reason);
    assert_problem(
        &app.post_if(&withdraw, &sc, "\"1\"", json!({"reason": reason}))
            .await,
        409,
    );

    // Readers see that and why the results were withdrawn.
    for path in [
        format!("/api/v1/public/rounds/{round}/results"),
        format!("/api/v1/public/rounds/{round}/versions/1"),
    ] {
        let gone = app.get(&path, "").await;
        assert_problem(&gone, 410);
        assert!(
            gone.body["detail"].as_str().unwrap().contains(reason),
            "{gone:?}"
        );
        assert_eq!(header(&gone, "cache-control"), "public, max-age=60");
    }
    let listed = app.get("/api/v1/public/rounds", "").await;
    assert_eq!(
        listed.body["items"][0]["current"]["withdrawal"]["reason"],
        reason
    );
    let versions = app
        .get(&format!("/api/v1/public/rounds/{round}/versions"), "")
        .await;
    assert!(versions.body["items"][0]["withdrawal"]["withdrawn_at"].is_string());
    let events = app.get("/api/v1/events?after=&limit=1000", &sc).await;
    assert!(events
        .text
        .contains("vn.gov.cadre.round.publication_withdrawn"));

    // Publishing again is a correction, with its reason; `publish` stays refused.
    assert_problem(&publish_as_sc(&app, round).await, 409);
    let again = app
        .post_if(
            &format!("/api/v1/rounds/{round}/publication/corrections"),
            &sc,
            "\"1\"",
            json!({"reason": "Công bố lại sau khi rà soát"}),
        )
        .await;
    assert_eq!(again.status, 201, "{again:?}");
    let current = app
        .get(&format!("/api/v1/public/rounds/{round}/results"), "")
        .await;
    assert_eq!(current.body["publication"]["version"], 2, "{current:?}");
}

async fn publish_as_sc(app: &TestApp, round: Uuid) -> Res {
    let sc = app.token("thuongvu.1").await;
    let etag = app
        .get(&format!("/api/v1/rounds/{round}"), &sc)
        .await
        .etag();
    app.post_if(
        &format!("/api/v1/rounds/{round}/publish"),
        &sc,
        &etag,
        json!({}),
    )
    .await
}

#[actix_web::test]
async fn anonymous_readers_are_limited_per_address() {
    let app = TestApp::spawn_with(|c| {
        c.public_rate_limit = 3;
        c.public_rate_window_secs = 3600;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let from = |addr: &'static str| [("X-Forwarded-For", addr)];
    let mut left = Vec::new();
    for _ in 0..3 {
        let res = app
            .send(
                reqwest::Method::GET,
                "/api/v1/public/rounds",
                "",
                None,
                &from("198.51.100.7"),
            )
            .await;
        assert_eq!(res.status, 200, "{res:?}");
        left.push(header(&res, "ratelimit"));
    }
    assert!(left[0].starts_with("\"anon\";r=2;t="), "{left:?}");
    assert!(left[2].starts_with("\"anon\";r=0;t="), "{left:?}");

    let limited = app
        .send(
            reqwest::Method::GET,
            "/api/v1/public/rounds",
            "",
            None,
            &from("198.51.100.7"),
        )
        .await;
    assert_problem(&limited, 429);
    let retry: u32 = header(&limited, "retry-after").parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_eq!(
        header(&limited, "ratelimit"),
        format!("\"anon\";r=0;t={retry}")
    );
    assert_eq!(header(&limited, "ratelimit-policy"), "\"anon\";q=3;w=3600");

    // Another address has its own quota; a caller with a token is not counted.
    let other = app
        .send(
            reqwest::Method::GET,
            "/api/v1/public/rounds",
            "",
            None,
            &from("203.0.113.9"),
        )
        .await;
    assert_eq!(other.status, 200, "{other:?}");
    let portal = app
        .get("/api/v1/public/rounds", &app.token("portal").await)
        .await;
    assert_eq!(portal.status, 200, "{portal:?}");
    assert!(portal.headers.get("ratelimit").is_none());
}
