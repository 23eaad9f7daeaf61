//! Evaluation of people by their products: a district's Party secretary and the chair of its
//! People's Committee each get their own evaluation of the year from the same tasks, through
//! the same steps as an assignment's; the quota of excellent grades counts people, not tasks;
//! the collective (the district's Standing Committee) gets its own; only the people concerned
//! and those who run the evaluation read them.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::builders::*;
use crate::common::*;

struct District {
    year: i32,
    vp: Uuid,
    district: Uuid,
    committee: Uuid,
    secretary: Value,
    chair: Uuid,
    tasks: Vec<Uuid>,
}

/// Bình Xuyên with its People's Committee and chair (who has an account), two district tasks
/// of this year answered for by the secretary and the chair, both delivered, and a quota group
/// of the year holding the district (its committee's chair counts in it through the tasks).
async fn district(app: &TestApp) -> District {
    let (admin, ob) = (app.token("admin").await, app.token("bantochuc.1").await);
    let (vp, district) = (app.unit("VP").await, app.unit("VP-HU-BX").await);
    let committee = app
        .post("/api/v1/org-units", &admin, json!({"code": "VP-UBND-BX", "name": "Ủy ban nhân dân huyện Bình Xuyên",
            "unit_type": "peoples_committee", "level_id": app.level("district").await, "parent_id": vp,
            "valid_from": "2021-01-01"}))
        .await;
    assert_eq!(committee.status, 201, "{committee:?}");
    let chair = app
        .post(
            "/api/v1/cadres",
            &ob,
            json!({"full_name": "Nguyễn Văn Chủ", "managing_unit_id": vp}),
        )
        .await;
    assert_eq!(chair.status, 201, "{chair:?}");
    let post = app
        .post(
            "/api/v1/posts",
            &ob,
            json!({"cadre_id": chair.id(), "unit_id": committee.id(),
            "kind": "head", "title": "Chủ tịch UBND huyện Bình Xuyên", "valid_from": "2021-01-01"}),
        )
        .await;
    assert_eq!(post.status, 201, "{post:?}");
    let account = app
        .post("/api/v1/accounts", &admin, json!({"username": "chutich.bx", "display_name": "Nguyễn Văn Chủ",
            "kind": "user", "secret": "Mat-khau-dai-2026", "cadre_id": chair.id(), "home_unit_id": committee.id()}))
        .await;
    assert_eq!(account.status, 201, "{account:?}");
    let year = this_year();
    let group = app
        .post(
            "/api/v1/groups",
            &ob,
            json!({"owner_unit_id": vp, "year": year, "code": "HUYEN",
            "label_vi": "Các huyện, thành phố", "member_ids": [district]}),
        )
        .await;
    assert_eq!(group.status, 201, "{group:?}");

    let tasks = Round::of(app, "VP")
        .in_year(year)
        .override_reason("Giao nhiệm vụ cho Bí thư, Chủ tịch huyện")
        .task_with(
            "VP-HU-BX",
            merged(spanning(year), json!({"code": "NV-BX-1"})),
        )
        .task_with(
            "VP-HU-BX",
            merged(spanning(year), json!({"code": "NV-BX-2"})),
        )
        .issue()
        .await
        .tasks;
    let both = json!({"positions": [
        {"unit_id": district, "post_kind": "head", "role": "secretary"},
        {"unit_id": committee.id(), "post_kind": "head", "role": "chair"}]});
    for task in &tasks {
        let url = format!("/api/v1/assignments/{task}/accountables");
        let named = app
            .send(reqwest::Method::PUT, &url, &ob, Some(both.clone()), &[])
            .await;
        assert_eq!(named.status, 200, "{named:?}");
        delivered(
            app,
            *task,
            "head.hu-binhxuyen",
            &format!("{year}-Q1"),
            100.0,
        )
        .await;
    }
    let posts = app
        .get(&format!("/api/v1/posts?unit_id={district}&kind=head"), &ob)
        .await;
    District {
        year,
        vp,
        district,
        committee: committee.id(),
        secretary: posts.body["items"][0]["cadre_id"].clone(),
        chair: chair.id(),
        tasks,
    }
}

fn self_assessment(d: &District, cadre: Value, grade: &str) -> Value {
    json!({"cadre_id": cadre, "evaluating_unit_id": d.vp, "period": d.year.to_string(),
        "grade": grade, "narrative": "Hoàn thành các nhiệm vụ được giao"})
}

#[actix_web::test]
async fn a_districts_secretary_and_chair_are_each_evaluated_from_the_same_tasks() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let (ob, sc, secretary, chair, tnmt) = (
        app.token("bantochuc.1").await,
        app.token("thuongvu.1").await,
        app.token("head.hu-binhxuyen").await,
        app.token("chutich.bx").await,
        app.token("head.so-tnmt").await,
    );

    // The first task's own evaluation is decided; the second is read from the record.
    let first = d.tasks[0];
    let evidence = app
        .get(&format!("/api/v1/assignments/{first}/evidence"), &ob)
        .await;
    let evidence_id = evidence.body["items"][0]["id"].clone();
    let assessed = app
        .post(
            &format!("/api/v1/assignments/{first}/evaluations"),
            &secretary,
            json!({"period": d.year.to_string(), "grade": "good", "narrative": "Hoàn thành",
                "evidence_ids": [evidence_id]}),
        )
        .await;
    assert_eq!(assessed.status, 201, "{assessed:?}");
    let e = format!("/api/v1/evaluations/{}", assessed.id());
    let appraised = app
        .post_if(
            &format!("{e}/appraise"),
            &ob,
            &assessed.etag(),
            json!({"grade": "good", "remarks": "Đúng thực tế"}),
        )
        .await;
    let decided = app
        .post_if(
            &format!("{e}/decide"),
            &sc,
            &appraised.etag(),
            json!({"grade": "good"}),
        )
        .await;
    assert_eq!(decided.status, 200, "{decided:?}");

    // The preview shows both tasks, the roles, the shares and where the facts come from.
    let preview = app
        .get(
            &format!(
                "/api/v1/person-evaluations/preview?cadre_id={}&evaluating_unit_id={}&period={}",
                d.secretary.as_str().unwrap(),
                d.vp,
                d.year
            ),
            &secretary,
        )
        .await;
    assert_eq!(preview.status, 200, "{preview:?}");
    let contributions = preview.body["basis"]["contributions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(contributions.len(), 2, "{preview:?}");
    let by_key = |key: &str| {
        contributions
            .iter()
            .find(|c| c["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(by_key("NV-BX-1")["source"], "decided_evaluation");
    assert_eq!(by_key("NV-BX-1")["grade"], "good");
    assert_eq!(by_key("NV-BX-2")["source"], "record");
    assert_eq!(by_key("NV-BX-2")["roles"], json!(["secretary"]));
    assert!(by_key("NV-BX-2")["share"].as_f64().unwrap() > 0.99);
    let items = preview.body["basis"]["facts"]["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["key"].as_str().unwrap().starts_with("NV-BX-2/")),
        "{preview:?}"
    );
    assert_eq!(preview.body["suggestion"]["grade"], "good", "{preview:?}");
    // Someone else's preview is not theirs to read.
    let others = format!(
        "/api/v1/person-evaluations/preview?cadre_id={}&evaluating_unit_id={}&period={}",
        d.secretary.as_str().unwrap(),
        d.vp,
        d.year
    );
    assert_problem(&app.get(&others, &tnmt).await, 403);

    // Each answers for themself only; a bad period or subject changes nothing.
    let url = "/api/v1/person-evaluations";
    assert_problem(
        &app.post(
            url,
            &chair,
            self_assessment(&d, d.secretary.clone(), "good"),
        )
        .await,
        403,
    );
    assert_problem(
        &app.post(url, &ob, self_assessment(&d, d.secretary.clone(), "good"))
            .await,
        403,
    );
    let mut bad = self_assessment(&d, d.secretary.clone(), "good");
    bad["period"] = json!("2022-Q1");
    assert_problem(&app.post(url, &secretary, bad).await, 422);
    let mut both = self_assessment(&d, d.secretary.clone(), "good");
    both["collective_unit_id"] = json!(d.district);
    assert_problem(&app.post(url, &secretary, both).await, 422);
    let tnmt_cadre = app.get("/api/v1/me", &tnmt).await.body["account"]["cadre_id"].clone();
    let nothing = app
        .post(url, &tnmt, self_assessment(&d, tnmt_cadre, "good"))
        .await;
    assert_problem(&nothing, 422);
    assert_eq!(
        nothing.body["errors"][0]["code"], "no_assignments",
        "{nothing:?}"
    );

    let mine = app
        .post(
            url,
            &secretary,
            self_assessment(&d, d.secretary.clone(), "excellent"),
        )
        .await;
    assert_eq!(mine.status, 201, "{mine:?}");
    assert_eq!(
        mine.body["basis"]["contributions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_problem(
        &app.post(
            url,
            &secretary,
            self_assessment(&d, d.secretary.clone(), "good"),
        )
        .await,
        409,
    );
    let theirs = app
        .post(url, &chair, self_assessment(&d, json!(d.chair), "good"))
        .await;
    assert_eq!(theirs.status, 201, "{theirs:?}");
    assert_eq!(
        theirs.body["basis"]["contributions"][0]["roles"],
        json!(["chair"]),
        "{theirs:?}"
    );
    assert!(mine.body["group_id"].is_string(), "{mine:?}");
    assert_eq!(theirs.body["group_id"], mine.body["group_id"]);

    // The Board appraises, the Standing Committee decides; the quota counts two people (one
    // excellent, one good), not four task grades.
    let step = |path: String, token: String, etag: String, body: Value| {
        let app = &app;
        async move { app.post_if(&path, &token, &etag, body).await }
    };
    let p = |r: &Res, action: &str| format!("/api/v1/person-evaluations/{}/{action}", r.id());
    let chair_appraised = step(
        p(&theirs, "appraise"),
        ob.clone(),
        theirs.etag(),
        json!({"grade": "good", "remarks": "Đúng thực tế"}),
    )
    .await;
    assert_eq!(chair_appraised.status, 200, "{chair_appraised:?}");
    assert_problem(
        &step(
            p(&theirs, "decide"),
            ob.clone(),
            chair_appraised.etag(),
            json!({"grade": "good"}),
        )
        .await,
        403,
    );
    let chair_decided = step(
        p(&theirs, "decide"),
        sc.clone(),
        chair_appraised.etag(),
        json!({"grade": "good"}),
    )
    .await;
    assert_eq!(chair_decided.status, 200, "{chair_decided:?}");
    assert_eq!(chair_decided.body["evaluation"]["state"], "decided");

    let appraised = step(
        p(&mine, "appraise"),
        ob.clone(),
        mine.etag(),
        json!({"grade": "excellent", "remarks": "Nhiều sản phẩm nổi bật"}),
    )
    .await;
    assert_eq!(appraised.status, 200, "{appraised:?}");
    assert_eq!(appraised.body["quota"]["excellent"], 1, "{appraised:?}");
    assert_eq!(appraised.body["quota"]["good"], 1, "{appraised:?}");
    assert_eq!(appraised.body["quota"]["exceeded"], true);
    let etag = appraised.etag();
    let refused = step(
        p(&mine, "decide"),
        sc.clone(),
        etag.clone(),
        json!({"grade": "excellent",
        "quota_exception_reason": "Thành tích đặc biệt xuất sắc"}),
    )
    .await;
    assert_problem(&refused, 422);
    assert_eq!(
        refused.body["errors"][0]["field"], "departure_reason",
        "{refused:?}"
    );
    let refused = step(
        p(&mine, "decide"),
        sc.clone(),
        etag.clone(),
        json!({"grade": "excellent",
        "departure_reason": "Sản phẩm vượt yêu cầu về chất lượng"}),
    )
    .await;
    assert_eq!(
        refused.body["errors"][0]["field"], "quota_exception_reason",
        "{refused:?}"
    );
    let decided = step(
        p(&mine, "decide"),
        sc.clone(),
        etag,
        json!({"grade": "excellent",
        "departure_reason": "Sản phẩm vượt yêu cầu về chất lượng",
        "quota_exception_reason": "Thành tích đặc biệt xuất sắc"}),
    )
    .await;
    assert_eq!(decided.status, 200, "{decided:?}");
    assert_eq!(decided.body["evaluation"]["decided_grade"], "excellent");
    assert_eq!(
        decided.body["evaluation"]["quota_exception_reason"],
        "Thành tích đặc biệt xuất sắc"
    );
    // No committee stands above the province's: an override is refused.
    assert_problem(
        &step(
            p(&mine, "override"),
            sc.clone(),
            decided.etag(),
            json!({"grade": "good", "reason": "Xem xét lại"}),
        )
        .await,
        403,
    );

    // Each reads their own; others outside see nothing; the Board lists both.
    let own = app
        .get(
            &format!("/api/v1/person-evaluations/{}", mine.id()),
            &secretary,
        )
        .await;
    assert_eq!(own.status, 200, "{own:?}");
    assert_problem(
        &app.get(&format!("/api/v1/person-evaluations/{}", mine.id()), &chair)
            .await,
        404,
    );
    assert_problem(
        &app.get(&format!("/api/v1/person-evaluations/{}", mine.id()), &tnmt)
            .await,
        404,
    );
    let listed = |token: String| {
        let app = &app;
        let year = d.year;
        async move {
            let res = app
                .get(&format!("/api/v1/person-evaluations?period={year}"), &token)
                .await;
            assert_eq!(res.status, 200, "{res:?}");
            res.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(ob.clone()).await,
        [json!(mine.id()), json!(theirs.id())]
    );
    assert_eq!(listed(chair.clone()).await, [json!(theirs.id())]);
    assert!(listed(tnmt.clone()).await.is_empty());
}

#[actix_web::test]
async fn the_collective_gets_its_own_evaluation() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let (head, ob, tnmt) = (
        app.token("head.hu-binhxuyen").await,
        app.token("bantochuc.1").await,
        app.token("head.so-tnmt").await,
    );
    let body = json!({"collective_unit_id": d.district, "evaluating_unit_id": d.vp,
        "period": d.year.to_string(), "grade": "good", "narrative": "Tập thể Ban Thường vụ hoàn thành"});
    let url = "/api/v1/person-evaluations";
    assert_problem(&app.post(url, &tnmt, body.clone()).await, 403);
    let collective = app.post(url, &head, body).await;
    assert_eq!(collective.status, 201, "{collective:?}");
    assert_eq!(collective.body["cadre_id"], Value::Null);
    let contributions = collective.body["basis"]["contributions"]
        .as_array()
        .unwrap();
    assert_eq!(contributions.len(), 2, "{collective:?}");
    assert_eq!(contributions[0]["roles"], json!([]));
    assert_eq!(collective.body["suggestion"]["grade"], "good");
    // The Board does not speak for a collective: its head does.
    let committee = json!({"collective_unit_id": d.committee, "evaluating_unit_id": d.vp,
        "period": d.year.to_string(), "grade": "good", "narrative": "Tập thể"});
    assert_problem(&app.post(url, &ob, committee).await, 403);
    let returned = app
        .post_if(
            &format!("{url}/{}/return", collective.id()),
            &ob,
            &collective.etag(),
            json!({"comment": "Bổ sung số liệu"}),
        )
        .await;
    assert_eq!(returned.status, 200, "{returned:?}");
    let again = app
        .post_if(
            &format!("{url}/{}/self-assess", collective.id()),
            &head,
            &returned.etag(),
            json!({"grade": "good", "narrative": "Đã bổ sung số liệu"}),
        )
        .await;
    assert_eq!(again.status, 200, "{again:?}");
    assert_eq!(again.body["state"], "self_assessed");
    assert_eq!(again.body["self_narrative"], "Đã bổ sung số liệu");
}
