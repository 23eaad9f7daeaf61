//! Token issuance, brute-force lock-out, and attacks on token verification.

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
    // A machine client cannot use the password grant, nor a person the client grant.
    let wrong = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": "feed.so-khdt", "password": PASSWORD}),
        )
        .await;
    assert_problem(&wrong, 401);
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
    assert_eq!(res.body["errors"][0]["field"], "username");
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
