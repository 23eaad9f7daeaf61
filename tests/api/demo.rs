//! The demo (`--demo`, `seed-demo`) loaded into an empty database holds the province's practice
//! as it happened: over HTTP, signed in as the demo accounts, the 2022 results are the published
//! figures, they stood then as the record stood (nothing counts done before it was reported),
//! the 2023 round addresses 48 people at 3 tasks each, and cadres' records carry decided
//! grades. Loading it again changes nothing.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{json, Value};

use crate::common::*;

/// A token for the demo account `username`, signed in with the demo password.
async fn sign_in(app: &TestApp, username: &str) -> String {
    let res = app
        .post(
            "/api/v1/auth/token",
            "",
            json!({"grant_type": "password", "username": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    res.body["access_token"].as_str().unwrap().to_string()
}

/// The Vietnamese label of the demo's group `code` of `year`.
fn label(year: i32, code: &str) -> String {
    let demo: Value = serde_json::from_str(include_str!("../../src/demo/demo.json")).unwrap();
    demo["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["year"] == year && g["code"] == code)
        .unwrap_or_else(|| panic!("no group {code} of {year}"))["label_vi"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The tally of the row labelled `label`.
fn tally<'a>(report: &'a Value, label: &str) -> &'a Value {
    &report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("no row {label} in {report}"))["tally"]
}

/// The indicator row of `code`.
fn indicator<'a>(report: &'a Value, code: &str) -> &'a Value {
    &report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator_code"] == code)
        .unwrap_or_else(|| panic!("no indicator {code} in {report}"))["tally"]
}

#[actix_web::test]
async fn the_demo_holds_the_practice_of_2021_to_2023() {
    let app = TestApp::spawn_empty().await;
    let started = Instant::now();
    assert!(cadre_api::demo::load(&mut app.db().await).await.unwrap());
    println!(
        "TIMING demo load (tree and practice): {:?}",
        started.elapsed()
    );
    let audit = app.audit_count().await;
    assert!(
        !cadre_api::demo::load(&mut app.db().await).await.unwrap(),
        "a second load does nothing"
    );
    assert_eq!(app.audit_count().await, audit);
    let (sc, ob) = (
        sign_in(&app, "thuongvu.1").await,
        sign_in(&app, "bantochuc.1").await,
    );
    let (party_front, directors, districts) = (
        label(2022, "DANG-MTTQ-DOAN-THE"),
        label(2022, "SO-NGANH"),
        label(2022, "HUYEN-THANH-DANG-UY"),
    );

    // 2022 as published: the Party and Front bodies 20 of 23 tasks (about 87%); the 12
    // directors 28 of 60 completed and 22 at 80% or more; every task graded.
    let results = "/api/v1/reports/results?year=2022&group_by=group";
    let now = app.get(results, &sc).await;
    assert_eq!(now.status, 200, "{now:?}");
    let bodies = tally(&now.body, &party_front);
    assert_eq!(
        (&bodies["assigned"], &bodies["completed"]),
        (&json!(23), &json!(20)),
        "{bodies}"
    );
    assert_eq!(bodies["completion_rate"], 87.0);
    let heads = tally(&now.body, &directors);
    assert_eq!(
        (
            &heads["assigned"],
            &heads["completed"],
            &heads["at_least_80"]
        ),
        (&json!(60), &json!(28), &json!(22)),
        "{heads}"
    );
    assert_eq!(now.body["total"]["assigned"], 134);
    assert_eq!(now.body["total"]["grades"]["ungraded"], 0, "{now:?}");
    assert_eq!(now.body["total"]["completed_late"], 0, "{now:?}");

    // As of 30 June 2022 the record held the first half-year's reports only: what was reported
    // done by then, nothing delivered later, and no grade.
    let mid = app.get(&format!("{results}&as_of=2022-06-30"), &sc).await;
    assert_eq!(mid.status, 200, "{mid:?}");
    for (label, assigned, completed) in [
        (&party_front, 23, 6),
        (&directors, 60, 9),
        (&districts, 51, 0),
    ] {
        let t = tally(&mid.body, label);
        assert_eq!(t["assigned"], assigned, "{label}: {t}");
        assert_eq!(t["completed"], completed, "{label}: {t}");
        assert_eq!(t["in_progress"], assigned - completed, "{label}: {t}");
        assert_eq!(t["grades"]["ungraded"], assigned, "{label}: {t}");
    }

    // The districts' indicators as published: 8 of 9 met the growth target, 7 of 9 resolved
    // over 90% of complaints, 5 met the land target; in 2021 the 9 districts admitted 1,804 new
    // Party members, 64 over their targets.
    let indicators = app.get("/api/v1/reports/indicators?year=2022", &ob).await;
    assert_eq!(indicators.status, 200, "{indicators:?}");
    for (code, met) in [
        ("TANG-TRUONG-GTSX", 8),
        ("GIAI-QUYET-KNTC", 7),
        ("XU-LY-TON-TAI-DAT-DAI", 5),
    ] {
        let t = indicator(&indicators.body, code);
        assert_eq!((&t["met"], &t["assigned"]), (&json!(met), &json!(9)), "{t}");
    }
    let pilot = app.get("/api/v1/reports/indicators?year=2021", &ob).await;
    let admitted = indicator(&pilot.body, "KET-NAP-DANG-VIEN");
    assert_eq!(
        (
            &admitted["met"],
            &admitted["actual_sum"],
            &admitted["difference"]
        ),
        (&json!(9), &json!(1804.0), &json!(64.0)),
        "{admitted}"
    );

    // 2023: 48 people in 4 groups, 3 tasks each; 35 tasks left unfinished in 2022 carried over.
    let rounds = app.get("/api/v1/rounds?year=2023", &sc).await;
    let round = rounds.body["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(rounds.body["items"][0]["state"], "issued", "{rounds:?}");
    let listed = app
        .get(
            &format!("/api/v1/assignments?round_id={round}&limit=200"),
            &ob,
        )
        .await;
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 117, "{listed:?}");
    assert!(listed.body["next_cursor"].is_null());
    let mut per_unit: HashMap<&str, Vec<&str>> = HashMap::new();
    for a in items {
        per_unit
            .entry(a["assignee_unit_id"].as_str().unwrap())
            .or_default()
            .push(a["id"].as_str().unwrap());
    }
    assert_eq!(per_unit.len(), 39, "28 provincial bodies and 11 localities");
    assert!(
        per_unit.values().all(|tasks| tasks.len() == 3),
        "{per_unit:?}"
    );
    let mut people = 0;
    for tasks in per_unit.values() {
        let answer = app
            .get(
                &format!("/api/v1/assignments/{}/accountables", tasks[0]),
                &ob,
            )
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        people += answer.body["items"].as_array().unwrap().len();
    }
    assert_eq!(people, 48, "a district's secretary and chair both answer");
    let carried = items
        .iter()
        .filter(|a| {
            a["flags"]
                .as_array()
                .unwrap()
                .contains(&json!("carried_over"))
        })
        .count();
    assert_eq!(carried, 35);

    // A chair's record: the decided grades of the district's tasks of 2021 and 2022, each with
    // the day it was decided and its derivation.
    let committee = app.unit("VP-HU-BX-UBND").await;
    let posts = app
        .get(&format!("/api/v1/posts?unit_id={committee}&kind=head"), &sc)
        .await;
    let chair = posts.body["items"][0]["cadre_id"]
        .as_str()
        .unwrap()
        .to_string();
    let record = app
        .get(&format!("/api/v1/cadres/{chair}/record"), &sc)
        .await;
    assert_eq!(record.status, 200, "{record:?}");
    let entries = record.body["entries"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        10,
        "5 tasks in 2021 and 5 in 2022: {record:?}"
    );
    for e in entries {
        let (year, grade) = (e["round_year"].as_i64().unwrap(), &e["grade"]);
        assert!(
            ["excellent", "good", "complete"].contains(&grade.as_str().unwrap()),
            "{e}"
        );
        assert_eq!(
            e["suggestion"]["grade"], *grade,
            "graded as the record suggests: {e}"
        );
        let decided = if year == 2021 {
            "2022-01-07"
        } else {
            "2023-01-16"
        };
        assert!(
            e["decided_at"].as_str().unwrap().starts_with(decided),
            "{e}"
        );
    }
    let people_2022 = app.get("/api/v1/reports/people?year=2022", &sc).await;
    assert_eq!(
        people_2022.body["items"].as_array().unwrap().len(),
        44,
        "43 positions; the department of natural resources changed director on 1 July"
    );
}
