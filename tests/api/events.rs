//! The event feed: every change as a CloudEvents 1.0 event, in commit order even when
//! transactions commit in another order than they began, resumable from a cursor without a gap
//! or a duplicate, and filtered to what the caller may read.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

/// The events after `cursor` as `sc` reads them, and the next cursor.
async fn after(app: &TestApp, token: &str, cursor: &str) -> (Vec<Value>, String) {
    let res = app
        .get(&format!("/api/v1/events?after={cursor}&limit=1000"), token)
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    (
        res.body["items"].as_array().unwrap().clone(),
        res.body["next_cursor"].as_str().unwrap().to_owned(),
    )
}

#[actix_web::test]
async fn events_come_in_commit_order_and_resume_from_a_cursor() {
    let app = TestApp::spawn().await;
    let (ob, sc) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
    );
    let (_, start) = after(&app, &sc, "").await;

    // A first transaction begins, writes, and waits before committing.
    let account: Uuid = {
        use cadre_api::db::schema::accounts;
        let mut conn = app.db().await;
        accounts::table
            .filter(accounts::username.eq("bantochuc.1"))
            .select(accounts::id)
            .first(&mut conn)
            .await
            .unwrap()
    };
    let vp = app.unit("VP").await;
    let (go, wait) = tokio::sync::oneshot::channel::<()>();
    let (began, has_begun) = tokio::sync::oneshot::channel::<()>();
    let mut conn = app.db().await;
    let first = tokio::spawn(async move {
        let caller = cadre_api::auth::Caller::load(&mut conn, &account.to_string())
            .await
            .unwrap();
        cadre_api::app::in_tx(&mut conn, &caller, async move |tx| {
            diesel::sql_query("SELECT pg_current_xact_id()")
                .execute(&mut *tx.conn)
                .await?;
            tx.created("org_unit.update", vp, Some(vp), &json!({"version": 99}));
            began.send(()).unwrap();
            wait.await.unwrap();
            Ok(())
        })
        .await
        .unwrap();
    });
    has_begun.await.unwrap();

    // A second one begins later and commits first: it comes first in the feed.
    let group = app
        .post(
            "/api/v1/groups",
            &ob,
            json!({"owner_unit_id": vp, "year": 2030, "code": "SU-KIEN",
            "label_vi": "Nhóm thử sự kiện", "member_ids": []}),
        )
        .await;
    assert_eq!(group.status, 201, "{group:?}");
    let (seen, cursor) = after(&app, &sc, &start).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    let created = &seen[0];
    assert_eq!(created["type"], "vn.gov.cadre.org_group.created");
    assert_eq!(created["specversion"], "1.0");
    assert_eq!(created["subject"], format!("org_group/{}", group.id()));
    assert_eq!(created["data"]["id"], json!(group.id()));
    assert_eq!(created["data"]["unit_id"], json!(vp));
    assert_eq!(created["data"]["version"], 1);
    assert_eq!(created["sequence"], cursor);

    // The first commits now: a reader past the second's event still finds it, after it.
    go.send(()).unwrap();
    first.await.unwrap();
    let (seen, resumed) = after(&app, &sc, &cursor).await;
    let types: Vec<&str> = seen.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["vn.gov.cadre.org_unit.updated"], "{seen:?}");
    assert_eq!(seen[0]["data"]["version"], 99);
    assert!(resumed.parse::<i64>().unwrap() > cursor.parse::<i64>().unwrap());
    // Nothing new: an empty page keeps the cursor.
    assert_eq!(
        after(&app, &sc, &resumed).await,
        (Vec::new(), resumed.clone())
    );
    // From the start, both in commit order, each once.
    let (all, _) = after(&app, &sc, &start).await;
    let ids: Vec<&Value> = all.iter().map(|e| &e["id"]).collect();
    assert_eq!(ids, [&created["id"], &seen[0]["id"]]);
}

#[actix_web::test]
async fn the_feed_shows_each_caller_what_they_may_read() {
    let app = TestApp::spawn().await;
    let (sc, tnmt, portal) = (
        app.token("thuongvu.1").await,
        app.token("head.so-tnmt").await,
        app.token("portal").await,
    );
    let built = Round::of(&app, "VP")
        .task("VP-HU-BX")
        .task("VP-SO-TNMT")
        .issue()
        .await;
    let (bx, own) = (built.tasks[0], built.tasks[1]);
    let (all, _) = after(&app, &sc, "").await;
    let about = |events: &[Value], id: Uuid| events.iter().any(|e| e["data"]["id"] == json!(id));
    assert!(about(&all, bx) && about(&all, own) && about(&all, built.round));
    let types: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"vn.gov.cadre.round.issued"), "{types:?}");

    // The head of TNMT sees its own assignment's events, not Bình Xuyên's.
    let (theirs, _) = after(&app, &tnmt, "").await;
    assert!(about(&theirs, own), "{theirs:?}");
    assert!(!about(&theirs, bx), "{theirs:?}");
    let (public, _) = after(&app, &portal, "").await;
    assert!(!about(&public, bx) && !about(&public, own));

    // Types narrow it; a bad cursor or limit is refused.
    let issued = app
        .get("/api/v1/events?types=vn.gov.cadre.round.issued", &sc)
        .await;
    let items = issued.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{issued:?}");
    assert_eq!(items[0]["subject"], format!("round/{}", built.round));
    assert_problem(&app.get("/api/v1/events?after=abc", &sc).await, 422);
    assert_problem(&app.get("/api/v1/events?limit=0", &sc).await, 422);
}
