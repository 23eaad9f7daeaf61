//! The audit trail: records shown only to those who may read their resource, the hash chain
//! that finds an edited or deleted record, and signed checkpoints that find a rewritten chain.

use base64::Engine;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};
use uuid::Uuid;

use cadre_api::db::models::ChainedAuditRow;
use cadre_api::db::schema::audit_events;
use cadre_api::domain::audit_chain;

use crate::builders::*;
use crate::common::*;

/// The records of `resource_type` that `token` is shown (every page).
async fn records(app: &TestApp, token: &str, resource_type: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let res = app
            .get(
                &format!("/api/v1/audit-events?resource_type={resource_type}&limit=2{cursor}"),
                token,
            )
            .await;
        assert_eq!(res.status, 200, "{res:?}");
        out.extend(res.body["items"].as_array().unwrap().iter().cloned());
        match res.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return out,
        }
    }
}

/// A self-assessed evaluation of a fresh 2022 task of the Department of Natural Resources.
async fn self_assessed(app: &TestApp) -> Uuid {
    let task = Round::of(app, "VP").task("VP-SO-TNMT").issue().await.tasks[0];
    let link = delivered(app, task, "head.so-tnmt", "2022-Q1", 100.0).await;
    let res = app
        .post(
            &format!("/api/v1/assignments/{task}/evaluations"),
            &app.token("head.so-tnmt").await,
            json!({"period": "2022", "grade": "good", "narrative": "Tự đánh giá: hoàn thành tốt",
                "evidence_ids": [link]}),
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    res.id()
}

#[actix_web::test]
async fn a_record_is_shown_only_to_those_who_may_read_its_resource() {
    let app = TestApp::spawn().await;
    let (admin, sc, ob) = (
        app.token("admin").await,
        app.token("thuongvu.1").await,
        app.token("bantochuc.1").await,
    );
    let account = app
        .post(
            "/api/v1/accounts",
            &admin,
            json!({"username": "nguoidung.moi", "display_name": "Người dùng mới", "kind": "user",
                "secret": "Mat-khau-du-dai-2026", "home_unit_id": app.unit("VP-SO-TNMT").await}),
        )
        .await;
    assert_eq!(account.status, 201, "{account:?}");
    let evaluation = self_assessed(&app).await;

    // Accounts: the administrator reads them, the committees do not.
    let by_admin = records(&app, &admin, "account").await;
    assert!(by_admin
        .iter()
        .any(|r| r["resource_id"] == account.id().to_string()));
    for token in [&sc, &ob] {
        assert_eq!(records(&app, token, "account").await, Vec::<Value>::new());
    }

    // Evaluations: the committees read the self-assessment, the administrator does not.
    for token in [&sc, &ob] {
        let seen = records(&app, token, "evaluation").await;
        let own: Vec<&Value> = seen
            .iter()
            .filter(|r| r["resource_id"] == evaluation.to_string())
            .collect();
        assert_eq!(own.len(), 1, "{seen:?}");
        assert!(own[0]["after"]
            .to_string()
            .contains("Tự đánh giá: hoàn thành tốt"));
    }
    assert_eq!(
        records(&app, &admin, "evaluation").await,
        Vec::<Value>::new()
    );
    // Unfiltered, the administrator still sees no evaluation and no round, page after page.
    let everything = app.get("/api/v1/audit-events?limit=200", &admin).await;
    let kinds: Vec<&str> = everything.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource_type"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"account"), "{kinds:?}");
    assert!(!kinds
        .iter()
        .any(|k| ["evaluation", "round", "assignment"].contains(k)));
    // The committees still see the rounds they issued.
    assert!(!records(&app, &sc, "round").await.is_empty());
}

/// Runs `sql` on the test database.
async fn sql(conn: &mut AsyncPgConnection, sql: &str) {
    conn.batch_execute(sql).await.unwrap();
}

async fn verify(app: &TestApp, token: &str) -> Value {
    let res = app.post("/api/v1/audit/verify", token, json!({})).await;
    assert_eq!(res.status, 200, "{res:?}");
    res.body
}

/// The id of the record at chain position `p`.
async fn id_at(conn: &mut AsyncPgConnection, p: i64) -> String {
    use diesel::{ExpressionMethods, QueryDsl};
    let id: Uuid = audit_events::table
        .filter(audit_events::chain_position.eq(p))
        .select(audit_events::id)
        .first(conn)
        .await
        .unwrap();
    id.to_string()
}

/// `cadre-api audit-verify` on the test database: (exit success, printed report).
fn cli_verify(app: &TestApp) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cadre-api"))
        .arg("audit-verify")
        .env("DATABASE_URL", &app.db_url)
        .env("CADRE_LOG_FORMAT", "text")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[actix_web::test]
async fn verification_finds_an_edited_and_a_deleted_record() {
    let app = TestApp::spawn().await;
    let sc = app.token("thuongvu.1").await;
    Round::of(&app, "VP")
        .task("VP-SO-TNMT")
        .task("VP-SO-KHDT")
        .issue()
        .await;
    let ok = verify(&app, &sc).await;
    assert_eq!(ok["ok"], true, "{ok}");
    assert!(ok["first_break"].is_null());
    let n = ok["checked"].as_i64().unwrap();
    assert!(n > 5, "{ok}");
    assert_eq!(ok["head_position"], n);
    assert!(cli_verify(&app).0);

    // An edit of one record's content, straight in the database.
    let mut conn = app.db().await;
    let p = n / 2;
    let edited = id_at(&mut conn, p).await;
    sql(
        &mut conn,
        &format!(
        "CREATE TABLE saved AS SELECT * FROM audit_events WHERE chain_position = {p};
         UPDATE audit_events SET after = '{{\"grade\": \"excellent\"}}' WHERE chain_position = {p};"
    ),
    )
    .await;
    let broken = verify(&app, &sc).await;
    assert_eq!(broken["ok"], false);
    assert_eq!(broken["checked"], p - 1);
    assert_eq!(
        broken["first_break"],
        json!({"failure": "content_hash", "record_id": edited, "position": p, "checkpoint_id": null})
    );
    let (cli_ok, printed) = cli_verify(&app);
    assert!(!cli_ok && printed.contains("content_hash"), "{printed}");

    // Put back, the chain holds again; then one record deleted.
    sql(
        &mut conn,
        "UPDATE audit_events a SET after = s.after FROM saved s WHERE a.id = s.id",
    )
    .await;
    assert_eq!(verify(&app, &sc).await["ok"], true);
    let next = id_at(&mut conn, p + 1).await;
    sql(
        &mut conn,
        &format!("DELETE FROM audit_events WHERE chain_position = {p}"),
    )
    .await;
    let broken = verify(&app, &sc).await;
    assert_eq!(
        broken["first_break"],
        json!({"failure": "link", "record_id": next, "position": p + 1, "checkpoint_id": null})
    );
}

#[actix_web::test]
async fn records_written_before_the_chain_are_linked_at_migration() {
    let app = TestApp::spawn().await;
    let sc = app.token("thuongvu.1").await;
    Round::of(&app, "VP").task("VP-SO-TNMT").issue().await;
    let before = verify(&app, &sc).await;
    let mut conn = app.db().await;
    sql(
        &mut conn,
        "UPDATE audit_events SET chain_position = NULL, prev_hash = NULL, hash = NULL",
    )
    .await;
    let unchained = verify(&app, &sc).await;
    assert_eq!(unchained["first_break"]["failure"], "unchained");
    cadre_api::db::migrate(&app.db_url).await.unwrap();
    let after = verify(&app, &sc).await;
    assert_eq!(after["ok"], true, "{after}");
    assert_eq!(after["checked"], before["checked"]);
    // New records link after them.
    Round::of(&app, "VP").task("VP-SO-KHDT").issue().await;
    assert_eq!(verify(&app, &sc).await["ok"], true);
}

#[actix_web::test]
async fn a_checkpoint_verifies_with_the_published_key_and_finds_a_rewritten_chain() {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};
    let app = TestApp::spawn().await;
    let sc = app.token("thuongvu.1").await;
    Round::of(&app, "VP").task("VP-SO-TNMT").issue().await;

    let made = app.post("/api/v1/audit/checkpoints", &sc, json!({})).await;
    assert_eq!(made.status, 201, "{made:?}");
    let c = made.body.clone();
    let key = app
        .get("/api/v1/audit/checkpoints/public-key", &sc)
        .await
        .body;
    assert_eq!(key["algorithm"], "Ed25519");
    assert_eq!(key["public_key"], c["public_key"]);

    // The signed bytes, rebuilt from the fields, verify with the published key.
    let at: chrono::DateTime<chrono::Utc> = c["at"].as_str().unwrap().parse().unwrap();
    let payload = format!(
        r#"{{"at":"{}","head_hash":"{}","position":{}}}"#,
        at.format("%Y-%m-%dT%H:%M:%S%.6fZ"),
        c["head_hash"].as_str().unwrap(),
        c["position"]
    );
    assert_eq!(c["signed_payload"], payload);
    let b64 = base64::engine::general_purpose::STANDARD;
    let public: [u8; 32] = b64
        .decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let signature: [u8; 64] = b64
        .decode(c["signature"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    VerifyingKey::from_bytes(&public)
        .unwrap()
        .verify(payload.as_bytes(), &Signature::from_bytes(&signature))
        .expect("the checkpoint's signature verifies");

    let listed = app.get("/api/v1/audit/checkpoints", &sc).await;
    assert_eq!(listed.body["items"], json!([c]));
    assert!(listed.body["next_cursor"].is_null());
    let ok = verify(&app, &sc).await;
    assert_eq!(ok["ok"], true, "{ok}");
    assert_eq!(ok["checkpoints_checked"], 1);
    assert_eq!(ok["head_hash"], c["head_hash"]);

    // The periodic task makes none while the head stays, one once it moves.
    let signer = cadre_api::auth::audit_key::AuditSigner::new(
        None,
        b"test-secret-test-secret-test-secret-0123",
    )
    .unwrap();
    assert_eq!(signer.public_key(), c["public_key"]);
    let mut conn = app.db().await;
    let none = cadre_api::app::audit::make_checkpoint(&mut conn, &signer, false)
        .await
        .unwrap();
    assert!(none.is_none());
    Round::of(&app, "VP").task("VP-SO-KHDT").issue().await;
    let periodic = cadre_api::app::audit::make_checkpoint(&mut conn, &signer, false)
        .await
        .unwrap()
        .expect("a checkpoint of the moved head");
    assert!(periodic.position > c["position"].as_i64().unwrap());

    // Someone rewrites the record at the first checkpoint and re-links everything after it,
    // so that every hash and link is consistent again: only the checkpoint contradicts it.
    let p = c["position"].as_i64().unwrap();
    let rows: Vec<ChainedAuditRow> = {
        use diesel::{ExpressionMethods, QueryDsl, SelectableHelper};
        audit_events::table
            .filter(audit_events::chain_position.ge(p))
            .order(audit_events::chain_position)
            .select(ChainedAuditRow::as_select())
            .load(&mut conn)
            .await
            .unwrap()
    };
    let mut rewritten: Vec<_> = rows.iter().map(|r| r.record.clone()).collect();
    rewritten[0].after = Some(json!({"rewritten": true}));
    let entries: Vec<_> = rewritten.iter().map(|r| r.entry()).collect();
    let head = (p - 1, rows[0].prev_hash.clone().unwrap());
    let links = audit_chain::link(Some(head), &entries);
    for (r, l) in rewritten.iter().zip(&links) {
        diesel::sql_query(
            "UPDATE audit_events SET after = $1, prev_hash = $2, hash = $3 WHERE chain_position = $4",
        )
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Jsonb>, _>(&r.after)
        .bind::<diesel::sql_types::Text, _>(&l.prev_hash)
        .bind::<diesel::sql_types::Text, _>(&l.hash)
        .bind::<BigInt, _>(l.position)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let broken = verify(&app, &sc).await;
    assert_eq!(broken["ok"], false, "{broken}");
    assert_eq!(broken["checked"], broken["head_position"]);
    assert_eq!(broken["first_break"]["failure"], "checkpoint");
    assert_eq!(broken["first_break"]["checkpoint_id"], c["id"]);
    assert_eq!(broken["first_break"]["position"], p);
}
