//! Sessions end at once: logging out, a password change (one's own or by an administrator),
//! disabling and enabling again and role changes refuse the access tokens issued before from
//! the next request on; forged tokens and ended sessions get the same 401, which names no
//! check; an idempotent replay is no way around it.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// Asserts the one answer to every refused bearer token: 401, "invalid token", nothing more.
#[track_caller]
fn assert_invalid_token(res: &Res) {
    assert_problem(res, 401);
    assert_eq!(res.body["detail"], "invalid token", "{res:?}");
    assert_eq!(res.body["title"], "Authentication required", "{res:?}");
    let text = res.text.to_lowercase();
    for word in [
        "signature",
        "expired",
        "epoch",
        "disabled",
        "crit",
        "iat",
        "issued",
        "lifetime",
        "session",
    ] {
        assert!(!text.contains(word), "the 401 names {word}: {res:?}");
    }
}

/// A password sign-in of `username`: its access and refresh tokens.
async fn sign_in(app: &TestApp, username: &str) -> (String, String) {
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    (
        res.body["access_token"].as_str().unwrap().to_owned(),
        res.body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn refresh(app: &TestApp, token: &str) -> Res {
    app.post(
        "/api/v1/auth/token",
        "",
        json!({"grant_type": "refresh_token", "refresh_token": token}),
    )
    .await
}

/// The id and ETag of account `username`, as the administrator reads it.
async fn account(app: &TestApp, admin: &str, username: &str) -> (String, String) {
    use cadre_api::db::schema::accounts;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let id: uuid::Uuid = accounts::table
        .filter(accounts::username.eq(username))
        .select(accounts::id)
        .first(&mut app.db().await)
        .await
        .unwrap();
    let res = app.get(&format!("/api/v1/accounts/{id}"), admin).await;
    assert_eq!(res.status, 200, "{res:?}");
    (id.to_string(), res.etag())
}

#[actix_web::test]
async fn logout_ends_every_session_of_the_account_at_once() {
    let app = TestApp::spawn().await;
    let (access, refresh_token) = sign_in(&app, "head.so-tnmt").await;
    let (other_access, other_refresh) = sign_in(&app, "head.so-tnmt").await;
    let bystander = app.token("bantochuc.1").await;
    assert_eq!(app.get("/api/v1/me", &access).await.status, 200);

    let res = app.post("/api/v1/auth/logout", &access, json!({})).await;
    assert_eq!(res.status, 204, "{res:?}");
    assert_eq!(res.headers.get("cache-control").unwrap(), "no-store");

    // Every device: the access tokens at once, the refresh tokens too.
    assert_invalid_token(&app.get("/api/v1/me", &access).await);
    assert_invalid_token(&app.get("/api/v1/me", &other_access).await);
    assert_invalid_token(&app.post("/api/v1/auth/logout", &access, json!({})).await);
    for token in [&refresh_token, &other_refresh] {
        let res = refresh(&app, token).await;
        assert_problem(&res, 400);
        assert_eq!(res.body["error"], "invalid_grant", "{res:?}");
    }
    // Other accounts are untouched; signing in again works.
    assert_eq!(app.get("/api/v1/me", &bystander).await.status, 200);
    let (fresh, _) = sign_in(&app, "head.so-tnmt").await;
    assert_eq!(app.get("/api/v1/me", &fresh).await.status, 200);

    let audit = app
        .get(
            "/api/v1/audit-events?action=account.end_sessions",
            &app.token("admin").await,
        )
        .await;
    assert_eq!(audit.status, 200, "{audit:?}");
    let items = audit.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{audit:?}");
    assert_eq!(items[0]["after"]["reason"], "logout");
    assert_eq!(items[0]["after"]["families"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_password_change_ends_the_sessions_whoever_makes_it() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    // By an administrator.
    let (user, user_refresh) = sign_in(&app, "staff.so-tnmt.1").await;
    let (id, etag) = account(&app, &admin, "staff.so-tnmt.1").await;
    let res = app
        .post_if(
            &format!("/api/v1/accounts/{id}/secret"),
            &admin,
            &etag,
            json!({"secret": "Mat-khau-moi-2026-dai"}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_invalid_token(&app.get("/api/v1/me", &user).await);
    assert_problem(&refresh(&app, &user_refresh).await, 400);

    // One's own: the token that made the change stops working too.
    let (id, etag) = account(&app, &admin, "admin").await;
    let res = app
        .post_if(
            &format!("/api/v1/accounts/{id}/secret"),
            &admin,
            &etag,
            json!({"secret": "Mat-khau-moi-2026-dai"}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_invalid_token(&app.get("/api/v1/me", &admin).await);
    assert_eq!(
        app.get("/api/v1/me", &app.token("admin").await)
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn disabling_and_enabling_again_do_not_revive_old_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let old = app.token("head.so-tnmt").await;
    let (id, etag) = account(&app, &admin, "head.so-tnmt").await;
    let path = format!("/api/v1/accounts/{id}");
    let res = app
        .patch(&path, &admin, &etag, json!({"disabled": true}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_invalid_token(&app.get("/api/v1/me", &old).await);
    // A token minted while disabled is refused as well.
    assert_invalid_token(
        &app.get("/api/v1/me", &app.token("head.so-tnmt").await)
            .await,
    );

    let res = app
        .patch(&path, &admin, &res.etag(), json!({"disabled": false}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_invalid_token(&app.get("/api/v1/me", &old).await);
    let fresh = app.token("head.so-tnmt").await;
    assert_eq!(app.get("/api/v1/me", &fresh).await.status, 200);

    // A rename changes nothing.
    let res = app
        .patch(
            &path,
            &admin,
            &res.etag(),
            json!({"display_name": "Lê Văn Tâm"}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(app.get("/api/v1/me", &fresh).await.status, 200);
}

#[actix_web::test]
async fn role_changes_end_the_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let old = app.token("staff.so-tnmt.1").await;
    let (id, _) = account(&app, &admin, "staff.so-tnmt.1").await;
    let granted = app
        .post(
            "/api/v1/role-bindings",
            &admin,
            json!({"account_id": id, "role": "unit_staff", "unit_id": app.unit("VP-SO-TNMT").await}),
        )
        .await;
    assert_eq!(granted.status, 201, "{granted:?}");
    assert_invalid_token(&app.get("/api/v1/me", &old).await);
    let fresh = app.token("staff.so-tnmt.1").await;
    assert_eq!(app.get("/api/v1/me", &fresh).await.status, 200);
    let res = app
        .delete(
            &format!("/api/v1/role-bindings/{}", granted.id()),
            &admin,
            &granted.etag(),
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    assert_invalid_token(&app.get("/api/v1/me", &fresh).await);
}

/// An HS256 token signed with the test's secret, from `claims` and extra header members.
fn forged(header: Value, claims: Value) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut h = json!({"alg": "HS256", "typ": "JWT"});
    h.as_object_mut()
        .unwrap()
        .extend(header.as_object().unwrap().clone());
    let input = format!(
        "{}.{}",
        b64.encode(h.to_string()),
        b64.encode(claims.to_string())
    );
    let signature = jsonwebtoken::crypto::sign(
        input.as_bytes(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap();
    format!("{input}.{signature}")
}

#[actix_web::test]
async fn forged_and_ended_tokens_get_one_generic_answer() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let (sub, _) = account(&app, &admin, "admin").await;
    let now = chrono::Utc::now().timestamp();
    let claims = |iat: i64, exp: i64| {
        json!({"sub": sub, "iss": "cadre-api", "aud": "cadre-api", "iat": iat,
               "nbf": now - 5, "exp": exp, "jti": "t", "epoch": 0})
    };
    // Signed right, and accepted: the forgeries below differ in one thing each.
    let fair = forged(json!({}), claims(now, now + 600));
    assert_eq!(app.get("/api/v1/me", &fair).await.status, 200);
    let with_epoch = |epoch: i64| {
        let mut c = claims(now, now + 600);
        c["epoch"] = json!(epoch);
        forged(json!({}), c)
    };
    let without_iat = {
        let mut c = claims(now, now + 600);
        c.as_object_mut().unwrap().remove("iat");
        forged(json!({}), c)
    };
    let cases = [
        (
            "unknown crit",
            forged(
                json!({"crit": ["urn:example:x"], "urn:example:x": 1}),
                claims(now, now + 600),
            ),
        ),
        (
            "crit naming a registered claim",
            forged(json!({"crit": ["exp"]}), claims(now, now + 600)),
        ),
        (
            "iat in the future",
            forged(json!({}), claims(now + 3600, now + 3600 + 600)),
        ),
        (
            "exp too far after iat",
            forged(json!({}), claims(now, now + 901)),
        ),
        (
            "a day-long token",
            forged(json!({}), claims(now - 5, now + 86_400)),
        ),
        ("no iat", without_iat),
        ("expired", forged(json!({}), claims(now - 1000, now - 400))),
        ("a later epoch", with_epoch(1)),
        (
            "wrong key",
            encode(
                &Header::new(Algorithm::HS256),
                &claims(now, now + 600),
                &EncodingKey::from_secret(b"another-secret-another-secret-0000"),
            )
            .unwrap(),
        ),
    ];
    for (name, token) in &cases {
        let res = app.get("/api/v1/me", token).await;
        assert_eq!(res.status, 401, "{name}: {res:?}");
        assert_invalid_token(&res);
    }
    // Within the clock-skew leeway an iat is accepted.
    assert_eq!(
        app.get(
            "/api/v1/me",
            &forged(json!({}), claims(now + 30, now + 600))
        )
        .await
        .status,
        200
    );
    // Once the sessions end, the fair token is refused alike.
    assert_eq!(
        app.post("/api/v1/auth/logout", &fair, json!({}))
            .await
            .status,
        204
    );
    assert_invalid_token(&app.get("/api/v1/me", &fair).await);
    assert_invalid_token(&app.get("/api/v1/me", &admin).await);
}

#[actix_web::test]
async fn an_idempotent_replay_checks_the_account_again() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let ob = app.token("bantochuc.1").await;
    let unit = app.unit("VP-SO-TNMT").await;
    let body = json!({"full_name": "Hoàng Thị Mai", "managing_unit_id": unit});
    let key = [("Idempotency-Key", "replay-after-disable")];
    let send = |token: String| {
        let body = body.clone();
        let app = &app;
        async move {
            app.send(Method::POST, "/api/v1/cadres", &token, Some(body), &key)
                .await
        }
    };
    let first = send(ob.clone()).await;
    assert_eq!(first.status, 201, "{first:?}");
    let again = send(ob.clone()).await;
    assert_eq!(again.status, 201, "{again:?}");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");

    // Disabled: the key was seen, the answer is still 401.
    let (id, etag) = account(&app, &admin, "bantochuc.1").await;
    let path = format!("/api/v1/accounts/{id}");
    let res = app
        .patch(&path, &admin, &etag, json!({"disabled": true}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let replay = send(ob.clone()).await;
    assert_invalid_token(&replay);
    assert!(replay.headers.get("idempotent-replayed").is_none());

    // Enabled again: the old token stays refused, a new one gets the replay.
    let res = app
        .patch(&path, &admin, &res.etag(), json!({"disabled": false}))
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_invalid_token(&send(ob).await);
    let fresh = app.token("bantochuc.1").await;
    let replay = send(fresh.clone()).await;
    assert_eq!(replay.status, 201, "{replay:?}");
    assert_eq!(replay.headers.get("idempotent-replayed").unwrap(), "true");

    // After a logout, too.
    assert_eq!(
        app.post("/api/v1/auth/logout", &fresh, json!({}))
            .await
            .status,
        204
    );
    assert_invalid_token(&send(fresh).await);
}
