//! The first administrator of a fresh install.

use cadre_api::app::bootstrap::{create_admin, FirstAdmin, Outcome};
use serde_json::json;

use crate::common::*;

fn first(username: &str, password: &str) -> FirstAdmin {
    FirstAdmin {
        username: username.into(),
        display_name: "Quản trị hệ thống".into(),
        password: password.into(),
        root_code: "TU".into(),
        root_name: "Tỉnh ủy".into(),
    }
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> Res {
    app.post(
        "/api/v1/auth/token",
        "",
        json!({"grant_type": "password", "username": username, "password": password}),
    )
    .await
}

#[actix_web::test]
async fn a_fresh_install_gets_one_administrator_who_can_build_the_tree() {
    let app = TestApp::spawn_empty().await;
    let mut conn = app.db().await;

    // Refused input changes nothing.
    let weak = create_admin(&mut conn, first("root", "short")).await;
    assert!(weak.unwrap_err().to_string().contains("password"));
    assert_eq!(sign_in(&app, "root", "short").await.status, 401);

    let password = "Quan-tri-2026!";
    let Outcome::Created {
        root, root_created, ..
    } = create_admin(&mut conn, first("root", password))
        .await
        .unwrap()
    else {
        panic!("not created")
    };
    assert!(root_created, "the empty tree gets its top unit");

    // Once an administrator exists, the bootstrap does nothing (a leaked password opens nothing).
    assert_eq!(
        create_admin(&mut conn, first("intruder", "another-password-1"))
            .await
            .unwrap(),
        Outcome::AdministratorExists
    );
    assert_eq!(
        sign_in(&app, "intruder", "another-password-1").await.status,
        401
    );

    // The administrator signs in and builds the tree under the top unit.
    let token = sign_in(&app, "root", password).await;
    assert_eq!(token.status, 200, "{token:?}");
    let token = token.body["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.body["bindings"][0]["role"], "admin", "{me:?}");
    let level = app
        .post(
            "/api/v1/levels",
            &token,
            json!({"code": "huyen", "name_vi": "Cấp huyện", "name_en": "District", "rank": 2}),
        )
        .await;
    assert_eq!(level.status, 201, "{level:?}");
    let unit = app
        .post(
            "/api/v1/org-units",
            &token,
            json!({
                "code": "SO-NV", "name": "Sở Nội vụ", "unit_type": "department",
                "level_id": level.body["id"], "parent_id": root,
            }),
        )
        .await;
    assert_eq!(unit.status, 201, "{unit:?}");
    let account = app
        .post(
            "/api/v1/accounts",
            &token,
            json!({
                "username": "head.so-nv", "display_name": "Giám đốc Sở Nội vụ", "kind": "user",
                "secret": "Giam-doc-2026!", "home_unit_id": unit.body["id"],
            }),
        )
        .await;
    assert_eq!(account.status, 201, "{account:?}");

    // The bootstrap is on the record, as the administrator's own acts.
    let trail = app
        .get("/api/v1/audit-events?resource_type=account", &token)
        .await;
    assert_eq!(trail.status, 200, "{trail:?}");
    assert!(trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "account.create" && e["resource_id"] == me.body["account"]["id"]));
}

#[actix_web::test]
async fn a_demo_install_ignores_the_bootstrap() {
    let app = TestApp::spawn().await;
    let mut conn = app.db().await;
    assert_eq!(
        create_admin(&mut conn, first("second-admin", "another-password-1"))
            .await
            .unwrap(),
        Outcome::AdministratorExists
    );
}
