//! Token issuance, brute-force lock-out, and attacks on token verification.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::common::*;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn claims(sub: &str, iss: &str, aud: &str, exp_offset: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub, "iss": iss, "aud": aud, "exp": now + exp_offset, "nbf": now - 5, "iat": now - 5, "jti": "t"})
}

async fn admin_id(app: &TestApp) -> String {
    let me = app.get("/api/v1/me", &app.token("admin").await).await;
    me.body["account"]["id"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn password_grant_issues_a_working_token() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "head.so-tnmt", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.body["expires_in"], 900);
    assert_eq!(res.headers.get("cache-control").unwrap(), "no-store");
    let token = res.body["access_token"].as_str().unwrap();
    let me = app.get("/api/v1/me", token).await;
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.body["account"]["username"], "head.so-tnmt");
    assert!(me.body["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["role"] == "unit_head"));
}

/// OAuth 2.0 libraries send the fields a grant does not use as empty: they count as absent.
#[actix_web::test]
async fn empty_fields_a_grant_does_not_use_are_absent() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .form(&[
            ("grant_type", "password"),
            ("username", "bantochuc.1"),
            ("password", PASSWORD),
            ("client_id", ""),
            ("client_secret", ""),
            ("scope", ""),
        ])
        .send()
        .await
        .unwrap();
    let res = read(res).await;
    assert_eq!(res.status, 200, "{res:?}");
    // An empty field the grant needs is still missing.
    let res = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .form(&[
            ("grant_type", "password"),
            ("username", "bantochuc.1"),
            ("password", ""),
        ])
        .send()
        .await
        .unwrap();
    let res = read(res).await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn client_credentials_grant_accepts_form_encoding() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "feed.so-khdt"),
            ("client_secret", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let res = read(res).await;
    assert_eq!(res.status, 200, "{res:?}");
    // OAuth 2.0: no refresh token for the client-credentials grant.
    assert!(res.body.get("refresh_token").is_none(), "{res:?}");
    // A machine client cannot use the password grant, nor a person the client grant.
    let wrong = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "feed.so-khdt", "password": PASSWORD}),
        )
        .await;
    assert_problem(&wrong, 401);
    assert_eq!(wrong.body["error"], "invalid_grant");
}

#[actix_web::test]
async fn wrong_credentials_and_missing_fields() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "admin", "password": "nope"}),
        )
        .await;
    assert_problem(&res, 401);
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "ghost", "password": "x"}),
        )
        .await;
    assert_problem(&res, 401);
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "admin"}),
        )
        .await;
    assert_problem(&res, 422);
    assert_eq!(res.body["error"], "invalid_request");
    assert_eq!(res.body["errors"][0]["field"], "password");
    let res = app
        .post("/api/v1/auth/token", "", json!({"grant_type": "implicit"}))
        .await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let res = app
            .post(
                "/api/v1/auth/token",
                "",
                json!({"grant_type": "password", "username": "bantochuc.1", "password": "guess"}),
            )
            .await;
        assert_problem(&res, 401);
    }
    let locked = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "bantochuc.1", "password": PASSWORD}),
        )
        .await;
    assert_problem(&locked, 429);
    let wait: u64 = locked
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait));
    // Other accounts are not locked by it.
    let other = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "bantochuc.2", "password": PASSWORD}),
        )
        .await;
    assert_eq!(other.status, 200);
}

#[actix_web::test]
async fn repeated_failures_lock_the_client_address() {
    let app = TestApp::spawn_with(|c| c.login_max_failures_per_addr = 3).await;
    for user in ["a1", "a2", "a3"] {
        let res = app
            .post(
                "/api/v1/auth/token",
                "",
                json!({"grant_type": "password", "username": user, "password": "x"}),
            )
            .await;
        assert_problem(&res, 401);
    }
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "admin", "password": PASSWORD}),
        )
        .await;
    assert_problem(&res, 429);
}

#[actix_web::test]
async fn token_attacks_are_refused() {
    let app = TestApp::spawn().await;
    let sub = admin_id(&app).await;
    let hs = |c: &serde_json::Value, secret: &[u8]| {
        encode(
            &Header::new(Algorithm::HS256),
            c,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    };
    let good = hs(
        &claims(&sub, "cadre-api", "cadre-api", 600),
        SECRET.as_bytes(),
    );
    assert_eq!(app.get("/api/v1/me", &good).await.status, 200);

    let attacks = vec![
        (
            "expired",
            hs(
                &claims(&sub, "cadre-api", "cadre-api", -3600),
                SECRET.as_bytes(),
            ),
        ),
        (
            "wrong issuer",
            hs(
                &claims(&sub, "someone-else", "cadre-api", 600),
                SECRET.as_bytes(),
            ),
        ),
        (
            "wrong audience",
            hs(
                &claims(&sub, "cadre-api", "other-api", 600),
                SECRET.as_bytes(),
            ),
        ),
        (
            "wrong key",
            hs(
                &claims(&sub, "cadre-api", "cadre-api", 600),
                b"another-secret-another-secret-0000",
            ),
        ),
        (
            "unknown subject",
            hs(
                &claims(
                    &uuid::Uuid::now_v7().to_string(),
                    "cadre-api",
                    "cadre-api",
                    600,
                ),
                SECRET.as_bytes(),
            ),
        ),
        ("not yet valid", {
            let mut c = claims(&sub, "cadre-api", "cadre-api", 7200);
            c["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
            hs(&c, SECRET.as_bytes())
        }),
        ("alg none", {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            format!(
                "{}.{}.",
                b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
                b64.encode(claims(&sub, "cadre-api", "cadre-api", 600).to_string())
            )
        }),
        ("HS256 signed with the IdP public key", {
            let public = std::fs::read(fixture("idp-rsa.pub.pem")).unwrap();
            hs(&claims(&sub, "cadre-api", "cadre-api", 600), &public)
        }),
        ("tampered payload", {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let parts: Vec<&str> = good.split('.').collect();
            let forged = claims(&sub, "cadre-api", "cadre-api", 999_999);
            format!(
                "{}.{}.{}",
                parts[0],
                b64.encode(forged.to_string()),
                parts[2]
            )
        }),
        ("garbage", "not-a-jwt".to_string()),
    ];
    for (name, token) in attacks {
        let res = app.get("/api/v1/me", &token).await;
        assert_eq!(res.status, 401, "{name}: {res:?}");
        assert!(res.headers.contains_key("www-authenticate"), "{name}");
    }
    let res = app
        .send(
            reqwest::Method::GET,
            "/api/v1/me",
            "",
            None,
            &[("Authorization", "Basic YWRtaW46eA==")],
        )
        .await;
    assert_problem(&res, 401);
}

#[actix_web::test]
async fn identity_provider_tokens_via_jwks() {
    let app = TestApp::spawn_with(|c| {
        c.jwks_file = Some(fixture("idp-jwks.json").into());
        c.jwks_issuer = Some("https://idp.example.gov.vn".into());
    })
    .await;
    {
        use cadre_api::db::schema::accounts;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        diesel::update(accounts::table.filter(accounts::username.eq("thuongvu.1")))
            .set(accounts::external_subject.eq("vneid:012345678901"))
            .execute(&mut app.db().await)
            .await
            .unwrap();
    }
    let c = claims(
        "vneid:012345678901",
        "https://idp.example.gov.vn",
        "cadre-api",
        600,
    );
    let rsa = EncodingKey::from_rsa_pem(&std::fs::read(fixture("idp-rsa.pem")).unwrap()).unwrap();
    let ec = EncodingKey::from_ec_pem(&std::fs::read(fixture("idp-ec.pem")).unwrap()).unwrap();
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("idp-rsa-1".into());
    let rs_token = encode(&h, &c, &rsa).unwrap();
    let me = app.get("/api/v1/me", &rs_token).await;
    assert_eq!(me.status, 200, "{me:?}");
    assert_eq!(me.body["account"]["username"], "thuongvu.1");
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("idp-ec-1".into());
    assert_eq!(
        app.get("/api/v1/me", &encode(&h, &c, &ec).unwrap())
            .await
            .status,
        200
    );

    // The IdP's keys do not vouch for tokens claiming this service as issuer, and vice versa.
    let forged = claims("vneid:012345678901", "cadre-api", "cadre-api", 600);
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("idp-rsa-1".into());
    assert_eq!(
        app.get("/api/v1/me", &encode(&h, &forged, &rsa).unwrap())
            .await
            .status,
        401
    );
    // A kid naming the RSA key on an ES256 token finds no key.
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("idp-rsa-1".into());
    assert_eq!(
        app.get("/api/v1/me", &encode(&h, &c, &ec).unwrap())
            .await
            .status,
        401
    );
    // RS384 is not on the whitelist.
    let mut h = Header::new(Algorithm::RS384);
    h.kid = Some("idp-rsa-1".into());
    assert_eq!(
        app.get("/api/v1/me", &encode(&h, &c, &rsa).unwrap())
            .await
            .status,
        401
    );
}

#[actix_web::test]
async fn disabled_accounts_lose_access_at_once() {
    let app = TestApp::spawn().await;
    let token = app.token("head.so-tnmt").await;
    assert_eq!(app.get("/api/v1/me", &token).await.status, 200);
    {
        use cadre_api::db::schema::accounts;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        diesel::update(accounts::table.filter(accounts::username.eq("head.so-tnmt")))
            .set(accounts::disabled.eq(true))
            .execute(&mut app.db().await)
            .await
            .unwrap();
    }
    assert_problem(&app.get("/api/v1/me", &token).await, 401);
}

/// Signs `username` in with the password grant (JSON); the whole answer.
async fn sign_in(app: &TestApp, username: &str) -> Res {
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    res
}

/// The refresh token of a fresh password sign-in of `username`.
async fn refresh_token_of(app: &TestApp, username: &str) -> String {
    let res = sign_in(app, username).await;
    let token = res.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 43, "{res:?}");
    token
}

/// Exchanges `token` with the refresh-token grant, sent as a form (as OAuth 2.0 clients do).
async fn refresh(app: &TestApp, token: &str) -> Res {
    let res = app
        .client
        .post(format!("{}/api/v1/auth/token", app.base))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", ""),
        ])
        .send()
        .await
        .unwrap();
    read(res).await
}

/// Revokes `token` at the revocation endpoint (form).
async fn revoke(app: &TestApp, token: &str) -> Res {
    let res = app
        .client
        .post(format!("{}/api/v1/auth/revoke", app.base))
        .form(&[("token", token), ("token_type_hint", "refresh_token")])
        .send()
        .await
        .unwrap();
    read(res).await
}

#[track_caller]
fn assert_invalid_grant(res: &Res) {
    assert_problem(res, 400);
    assert_eq!(res.body["error"], "invalid_grant", "{res:?}");
}

/// Revocation records in the audit trail, with their reasons.
async fn revocations(app: &TestApp) -> Vec<String> {
    use cadre_api::db::schema::audit_events;
    let mut conn = app.db().await;
    let afters: Vec<Option<serde_json::Value>> = audit_events::table
        .filter(audit_events::action.eq("refresh_token.revoke"))
        .order(audit_events::id)
        .select(audit_events::after)
        .load(&mut conn)
        .await
        .unwrap();
    afters
        .into_iter()
        .map(|a| a.unwrap()["reason"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_sign_in() {
    let app = TestApp::spawn().await;
    let first = refresh_token_of(&app, "head.so-tnmt").await;
    // Another sign-in of the same person, on another device.
    let other_device = refresh_token_of(&app, "head.so-tnmt").await;
    let audits = app.audit_count().await;

    let rotated = refresh(&app, &first).await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    assert_eq!(rotated.headers.get("cache-control").unwrap(), "no-store");
    let second = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    let me = app
        .get("/api/v1/me", rotated.body["access_token"].as_str().unwrap())
        .await;
    assert_eq!(me.body["account"]["username"], "head.so-tnmt", "{me:?}");
    // Rotation is not audited (the token rows are its record).
    assert_eq!(app.audit_count().await, audits);

    let third = refresh(&app, &second).await;
    assert_eq!(third.status, 200, "{third:?}");
    let third = third.body["refresh_token"].as_str().unwrap().to_owned();

    // The first token again: a reuse. Refused, and the newest token of its family with it.
    let reused = refresh(&app, &first).await;
    assert_invalid_grant(&reused);
    assert!(reused.body["detail"]
        .as_str()
        .unwrap()
        .contains("already used"));
    assert_invalid_grant(&refresh(&app, &third).await);
    assert_invalid_grant(&refresh(&app, &second).await);
    assert_eq!(revocations(&app).await, ["reuse"]);
    // A further reuse changes nothing more.
    assert_invalid_grant(&refresh(&app, &first).await);
    assert_eq!(revocations(&app).await, ["reuse"]);

    // The other sign-in is untouched.
    assert_eq!(refresh(&app, &other_device).await.status, 200);
    // Unknown tokens are refused alike.
    assert_invalid_grant(&refresh(&app, "no-such-token").await);
}

#[actix_web::test]
async fn refresh_grant_takes_json_or_a_form_and_needs_its_token() {
    let app = TestApp::spawn().await;
    let token = refresh_token_of(&app, "bantochuc.1").await;
    let json = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "refresh_token", "refresh_token": token, "client_id": "", "scope": ""}),
        )
        .await;
    assert_eq!(json.status, 200, "{json:?}");
    assert_eq!(json.body["token_type"], "Bearer");
    assert_eq!(json.body["expires_in"], 900);
    let next = json.body["refresh_token"].as_str().unwrap();
    // The form, with the empty client_id OAuth 2.0 libraries send.
    let form = refresh(&app, next).await;
    assert_eq!(form.status, 200, "{form:?}");
    assert!(form.body["access_token"].is_string());

    for body in [
        json!({"grant_type": "refresh_token"}),
        json!({"grant_type": "refresh_token", "refresh_token": ""}),
    ] {
        let res = app.post("/api/v1/auth/token", "", body).await;
        assert_problem(&res, 422);
        assert_eq!(res.body["error"], "invalid_request", "{res:?}");
        assert_eq!(res.body["errors"][0]["field"], "refresh_token", "{res:?}");
    }
    let long = "x".repeat(201);
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "refresh_token", "refresh_token": long}),
        )
        .await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn expired_refresh_tokens_are_refused() {
    let app = TestApp::spawn_with(|c| {
        c.refresh_token_ttl_secs = 3600;
        c.refresh_token_max_age_secs = 7200;
    })
    .await;
    let token = refresh_token_of(&app, "bantochuc.1").await;
    let mut conn = app.db().await;
    // The configured lifetimes: one hour unused, the family two hours.
    let (sliding, cap): (f64, f64) = diesel::sql_query(
        "SELECT extract(epoch FROM t.expires_at - t.issued_at)::float8 AS sliding, \
                extract(epoch FROM f.expires_at - f.started_at)::float8 AS cap \
         FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id",
    )
    .get_result::<Lifetimes>(&mut conn)
    .await
    .map(|l| (l.sliding, l.cap))
    .unwrap();
    assert_eq!((sliding, cap), (3600.0, 7200.0));
    diesel::sql_query(
        "UPDATE refresh_tokens SET issued_at = now() - interval '2 hours', \
                                   expires_at = now() - interval '1 hour'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let res = refresh(&app, &token).await;
    assert_invalid_grant(&res);
    assert!(res.body["detail"].as_str().unwrap().contains("expired"));
}

#[derive(diesel::QueryableByName)]
struct Lifetimes {
    #[diesel(sql_type = diesel::sql_types::Double)]
    sliding: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    cap: f64,
}

/// The id and ETag of account `username`, as the administrator reads it.
async fn account(app: &TestApp, admin: &str, username: &str) -> (String, String) {
    let me = app.get("/api/v1/me", &app.token(username).await).await;
    let id = me.body["account"]["id"].as_str().unwrap().to_owned();
    let res = app.get(&format!("/api/v1/accounts/{id}"), admin).await;
    assert_eq!(res.status, 200, "{res:?}");
    (id, res.etag())
}

#[actix_web::test]
async fn password_change_disabling_and_role_changes_revoke_refresh_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let bystander = refresh_token_of(&app, "bantochuc.2").await;

    // A new password.
    let token = refresh_token_of(&app, "bantochuc.1").await;
    let (id, etag) = account(&app, &admin, "bantochuc.1").await;
    let res = app
        .post_if(
            &format!("/api/v1/accounts/{id}/secret"),
            &admin,
            &etag,
            json!({"secret": "Mat-khau-moi-2026-dai"}),
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    assert_invalid_grant(&refresh(&app, &token).await);

    // Disabled: refused, and still refused once enabled again.
    let token = refresh_token_of(&app, "staff.so-tnmt.1").await;
    let (id, etag) = account(&app, &admin, "staff.so-tnmt.1").await;
    let res = app
        .patch(
            &format!("/api/v1/accounts/{id}"),
            &admin,
            &etag,
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let refused = refresh(&app, &token).await;
    assert_invalid_grant(&refused);
    let res = app
        .patch(
            &format!("/api/v1/accounts/{id}"),
            &admin,
            &res.etag(),
            json!({"disabled": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_invalid_grant(&refresh(&app, &token).await);
    // A rename does not revoke anything.
    let token = refresh_token_of(&app, "staff.so-tnmt.1").await;
    let res = app
        .patch(
            &format!("/api/v1/accounts/{id}"),
            &admin,
            &res.etag(),
            json!({"display_name": "Nguyễn Văn Bình"}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    let token = refresh(&app, &token).await;
    assert_eq!(token.status, 200, "{token:?}");
    let token = token.body["refresh_token"].as_str().unwrap().to_owned();

    // A role granted, then taken away: each revokes.
    let tnmt = app.unit("VP-SO-TNMT").await;
    let granted = app
        .post(
            "/api/v1/role-bindings",
            &admin,
            json!({"account_id": id, "role": "unit_staff", "unit_id": tnmt}),
        )
        .await;
    assert_eq!(granted.status, 201, "{granted:?}");
    assert_invalid_grant(&refresh(&app, &token).await);
    let token = refresh_token_of(&app, "staff.so-tnmt.1").await;
    let res = app
        .delete(
            &format!("/api/v1/role-bindings/{}", granted.id()),
            &admin,
            &granted.etag(),
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    assert_invalid_grant(&refresh(&app, &token).await);

    assert_eq!(
        revocations(&app).await,
        [
            "secret_changed",
            "account_disabled",
            "bindings_changed",
            "bindings_changed"
        ]
    );
    // Someone else's sign-in is untouched.
    assert_eq!(refresh(&app, &bystander).await.status, 200);
}

#[actix_web::test]
async fn signing_out_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let token = refresh_token_of(&app, "bantochuc.1").await;
    let kept = refresh_token_of(&app, "bantochuc.1").await;
    let res = revoke(&app, &token).await;
    assert_eq!(res.status, 200, "{res:?}");
    assert!(res.text.is_empty(), "{res:?}");
    assert_invalid_grant(&refresh(&app, &token).await);
    assert_eq!(revocations(&app).await, ["logout"]);
    // Again, or with a token nobody issued: 200, and nothing recorded.
    assert_eq!(revoke(&app, &token).await.status, 200);
    assert_eq!(revoke(&app, "no-such-token").await.status, 200);
    assert_eq!(revocations(&app).await, ["logout"]);
    // The other sign-in goes on; signing it out with JSON works as well.
    let next = refresh(&app, &kept).await;
    assert_eq!(next.status, 200, "{next:?}");
    let next = next.body["refresh_token"].as_str().unwrap();
    let res = app
        .post(
            "/api/v1/auth/revoke",
            "",
            json!({"token": next, "client_id": ""}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    assert_invalid_grant(&refresh(&app, next).await);
    assert_eq!(revocations(&app).await, ["logout", "logout"]);

    // Bad requests.
    let res = app.post("/api/v1/auth/revoke", "", json!({})).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["error"], "invalid_request");
    let res = app
        .post("/api/v1/auth/revoke", "", json!({"token": ""}))
        .await;
    assert_problem(&res, 422);
    assert_eq!(res.body["error"], "invalid_request");
    let res = app
        .post(
            "/api/v1/auth/revoke",
            "",
            json!({"token": "x", "password": "y"}),
        )
        .await;
    assert!(res.status.is_client_error(), "{res:?}");
}
