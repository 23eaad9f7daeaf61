//! Evidence over HTTP: uploads streamed to the store and typed by content, the same file stored
//! once, downloads only in scope, links and document references, retraction, verification
//! marks, integrity checks that catch a tampered or missing file, and refused uploads that leave
//! nothing behind.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::builders::*;
use crate::common::*;

/// An issued 2022 task of the Department of Natural Resources and Environment, with one
/// milestone.
async fn issued_task(app: &TestApp) -> String {
    let built = Round::of(app, "VP")
        .decision("41-QĐ/TU")
        .task_with(
            "VP-SO-TNMT",
            json!({"milestones": [{"title": "Phê duyệt phương án bồi thường", "due_date": "2022-06-30"}]}),
        )
        .issue()
        .await;
    built.tasks[0].to_string()
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.7\n%âãÏÓ\n1 0 obj << /Title ({text}) >> endobj\ntrailer\n%%EOF\n").into_bytes()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn evidence_count(app: &TestApp, task: &str, token: &str) -> usize {
    let res = app
        .get(&format!("/api/v1/assignments/{task}/evidence"), token)
        .await;
    assert_eq!(res.status, 200, "{res:?}");
    res.body["items"].as_array().unwrap().len()
}

/// An issued task, its callers and the PDF its evidence is made of.
struct Task {
    task: String,
    files: String,
    staff: String,
    head: String,
    sc: String,
    ob: String,
    bytes: Vec<u8>,
}

/// An issued task with no evidence yet.
async fn task_without_evidence(app: &TestApp) -> Task {
    let task = issued_task(app).await;
    Task {
        files: format!("/api/v1/assignments/{task}/evidence/files"),
        task,
        staff: app.token("staff.so-tnmt.1").await,
        head: app.token("head.so-tnmt").await,
        sc: app.token("thuongvu.1").await,
        ob: app.token("bantochuc.1").await,
        bytes: pdf("Biên bản bàn giao mặt bằng"),
    }
}

/// Staff upload the PDF under a Windows path, for the first milestone.
async fn upload_first(app: &TestApp, t: &Task) -> Res {
    let first = app
        .upload(
            &t.files,
            &t.staff,
            ("C:\\Tai lieu\\Biên bản bàn giao.pdf", t.bytes.clone()),
            &[
                ("title", "Biên bản bàn giao mặt bằng đợt 1"),
                ("milestone_index", "0"),
            ],
            &[],
        )
        .await;
    assert_eq!(first.status, 201, "{first:?}");
    first
}

/// The head uploads the same bytes under another (relative) name.
async fn upload_second(app: &TestApp, t: &Task) -> Res {
    let second = app
        .upload(
            &t.files,
            &t.head,
            ("../../ban-sao.pdf", t.bytes.clone()),
            &[("title", "Bản sao biên bản")],
            &[],
        )
        .await;
    assert_eq!(second.status, 201, "{second:?}");
    second
}

/// Staff add a link and an official document: both records.
async fn link_and_document(app: &TestApp, t: &Task) -> (Res, Res) {
    let link = app
        .post(&format!("/api/v1/assignments/{}/evidence", t.task), &t.staff,
            json!({"kind": "link", "title": "Tin bài trên cổng thông tin", "url": "https://vinhphuc.gov.vn/tin-tuc/gpmb"}))
        .await;
    assert_eq!(link.status, 201, "{link:?}");
    let document = app
        .post(&format!("/api/v1/assignments/{}/evidence", t.task), &t.staff,
            json!({"kind": "document", "title": "Quyết định phê duyệt phương án bồi thường",
                "document": {"number": "1234/QĐ-UBND", "date": "2022-06-20", "issuer": "UBND tỉnh Vĩnh Phúc"}}))
        .await;
    assert_eq!(document.status, 201, "{document:?}");
    (link, document)
}

/// An issued task with the PDF uploaded twice (one stored file): the first and second records.
async fn uploaded(app: &TestApp) -> (Task, Res, Res) {
    let t = task_without_evidence(app).await;
    let first = upload_first(app, &t).await;
    let second = upload_second(app, &t).await;
    (t, first, second)
}

#[actix_web::test]
async fn the_same_file_uploaded_twice_is_two_records_and_one_stored_file() {
    let app = TestApp::spawn().await;
    let t = task_without_evidence(&app).await;
    let bytes = &t.bytes;
    // Staff upload a PDF; the name loses its path, the type comes from the content.
    let first = upload_first(&app, &t).await;
    let file = &first.body["file"];
    assert_eq!(file["sha256"], sha256(bytes));
    assert_eq!(file["size_bytes"], bytes.len());
    assert_eq!(file["media_type"], "application/pdf");
    assert_eq!(file["file_name"], "Biên bản bàn giao.pdf");
    assert_eq!(first.body["milestone_index"], 0);
    assert_eq!(first.body["verification"], "unverified");
    assert_eq!(app.stored_files().len(), 1);

    // The head uploads the same bytes under another name: a second record, one stored file.
    let second = upload_second(&app, &t).await;
    assert_ne!(second.id(), first.id());
    assert_eq!(second.body["file"]["sha256"], file["sha256"]);
    assert_eq!(second.body["file"]["file_name"], "ban-sao.pdf");
    assert_eq!(app.stored_files().len(), 1, "{:?}", app.stored_files());
}

#[actix_web::test]
async fn a_download_is_the_same_bytes_typed_named_and_only_in_scope() {
    let app = TestApp::spawn().await;
    let (t, first, _) = uploaded(&app).await;
    let bytes = &t.bytes;
    // Download: the same bytes, typed, named, tagged with the hash; only in scope.
    let content = format!("/api/v1/evidence/{}/content", first.id());
    let (status, headers, got) = app.get_bytes(&content, &t.sc).await;
    assert_eq!(status, 200);
    assert_eq!(&got, bytes);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["content-length"], bytes.len().to_string().as_str());
    assert_eq!(
        headers["etag"].to_str().unwrap(),
        format!("\"{}\"", sha256(bytes))
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n"),
        "{disposition}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    for outsider in ["head.so-khdt", "giamsat.1", "portal", "admin"] {
        let token = app.token(outsider).await;
        assert_eq!(
            app.get_bytes(&content, &token).await.0,
            404,
            "{outsider} downloads"
        );
        let read = app
            .get(&format!("/api/v1/evidence/{}", first.id()), &token)
            .await;
        assert_problem(&read, 404);
    }
    let watcher = app.token("giamsat.2").await;
    assert_eq!(app.get_bytes(&content, &watcher).await.0, 200);
}

#[actix_web::test]
async fn links_and_official_documents_are_evidence_without_content() {
    let app = TestApp::spawn().await;
    let t = task_without_evidence(&app).await;
    // Links and official documents.
    let (link, document) = link_and_document(&app, &t).await;
    assert_eq!(document.body["document"]["number"], "1234/QĐ-UBND");
    let link_content = format!("/api/v1/evidence/{}/content", link.id());
    assert_problem(&app.get(&link_content, &t.sc).await, 404);
}

#[actix_web::test]
async fn the_board_and_the_watching_supervisor_mark_evidence_never_the_unit_itself() {
    let app = TestApp::spawn().await;
    let (t, first, _) = uploaded(&app).await;
    let watcher = app.token("giamsat.2").await;
    // Verification marks: the Board and the watching supervisor; never the unit itself.
    let url = format!("/api/v1/evidence/{}", first.id());
    let current = app.get(&url, &t.sc).await;
    assert_problem(
        &app.post_if(
            &format!("{url}/marks"),
            &t.staff,
            &current.etag(),
            json!({"mark": "verified", "comment": "Tự xác nhận"}),
        )
        .await,
        403,
    );
    let verified = app
        .post_if(
            &format!("{url}/marks"),
            &t.ob,
            &current.etag(),
            json!({"mark": "verified", "comment": "Đã đối chiếu thực địa ngày 05/7/2022"}),
        )
        .await;
    assert_eq!(verified.status, 200, "{verified:?}");
    assert_eq!(verified.body["verification"], "verified");
    let disputed = app
        .post_if(
            &format!("{url}/marks"),
            &watcher,
            &verified.etag(),
            json!({"mark": "disputed", "comment": "Biên bản thiếu chữ ký của hộ dân"}),
        )
        .await;
    assert_eq!(disputed.status, 200, "{disputed:?}");
    let marks = app.get(&format!("{url}/marks"), &t.staff).await;
    let marks: Vec<&str> = marks.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mark"].as_str().unwrap())
        .collect();
    assert_eq!(marks, ["verified", "disputed"]);
}

#[actix_web::test]
async fn a_retraction_needs_if_match_and_a_reason_and_keeps_the_record_and_the_file() {
    let app = TestApp::spawn().await;
    let (t, _, second) = uploaded(&app).await;
    link_and_document(&app, &t).await;
    let (staff, ob, sc, task) = (&t.staff, &t.ob, &t.sc, &t.task);
    // Retraction: If-Match, a reason, recorded; the record and the file stay.
    let second_url = format!("/api/v1/evidence/{}", second.id());
    assert_problem(
        &app.post(
            &format!("{second_url}/retract"),
            staff,
            json!({"reason": "Trùng lặp"}),
        )
        .await,
        428,
    );
    assert_problem(
        &app.post_if(
            &format!("{second_url}/retract"),
            staff,
            &second.etag(),
            json!({"reason": ""}),
        )
        .await,
        422,
    );
    let retracted = app
        .post_if(
            &format!("{second_url}/retract"),
            staff,
            &second.etag(),
            json!({"reason": "Trùng với biên bản đã nộp"}),
        )
        .await;
    assert_eq!(retracted.status, 200, "{retracted:?}");
    assert_eq!(retracted.body["retracted"], true);
    assert_eq!(
        retracted.body["retraction_reason"],
        "Trùng với biên bản đã nộp"
    );
    assert_problem(
        &app.post_if(
            &format!("{second_url}/retract"),
            staff,
            &retracted.etag(),
            json!({"reason": "Lần nữa"}),
        )
        .await,
        409,
    );
    assert_problem(
        &app.post_if(
            &format!("{second_url}/marks"),
            ob,
            &retracted.etag(),
            json!({"mark": "verified", "comment": "x"}),
        )
        .await,
        409,
    );
    let standing = app
        .get(
            &format!("/api/v1/assignments/{task}/evidence?retracted=false"),
            sc,
        )
        .await;
    assert_eq!(standing.body["items"].as_array().unwrap().len(), 3);
    assert_eq!(evidence_count(&app, task, sc).await, 4);
    assert_eq!(app.stored_files().len(), 1);
}

#[actix_web::test]
async fn integrity_checks_catch_a_tampered_then_a_missing_file() {
    let app = TestApp::spawn().await;
    let (t, first, _) = uploaded(&app).await;
    let (link, _) = link_and_document(&app, &t).await;
    let (ob, sc) = (&t.ob, &t.sc);
    let url = format!("/api/v1/evidence/{}", first.id());
    // Integrity: intact, then a tampered file, then a missing one.
    let check = app
        .post(&format!("{url}/verify-integrity"), ob, json!({}))
        .await;
    assert_eq!(check.status, 200, "{check:?}");
    assert_eq!(check.body["intact"], true);
    assert_eq!(app.get(&url, sc).await.body["integrity"], "intact");
    let stored = app.stored_files().remove(0);
    std::fs::write(&stored, pdf("Biên bản đã bị sửa")).unwrap();
    let tampered = app
        .post(&format!("{url}/verify-integrity"), &t.head, json!({}))
        .await;
    assert_eq!(tampered.status, 200, "{tampered:?}");
    assert_eq!(tampered.body["intact"], false);
    assert_eq!(tampered.body["expected"], sha256(&t.bytes));
    assert_eq!(tampered.body["actual"], sha256(&pdf("Biên bản đã bị sửa")));
    assert_eq!(app.get(&url, sc).await.body["integrity"], "failed");
    std::fs::remove_file(&stored).unwrap();
    let missing = app
        .post(&format!("{url}/verify-integrity"), ob, json!({}))
        .await;
    assert_eq!(missing.body["intact"], false);
    assert_eq!(missing.body["actual"], Value::Null);
    assert_problem(
        &app.post(
            &format!("{url}/verify-integrity"),
            &app.token("portal").await,
            json!({}),
        )
        .await,
        404,
    );
    assert_problem(
        &app.post(
            &format!("/api/v1/evidence/{}/verify-integrity", link.id()),
            ob,
            json!({}),
        )
        .await,
        409,
    );
}

#[actix_web::test]
async fn refused_uploads_store_nothing() {
    let app = TestApp::spawn_with(|c| c.evidence_max_bytes = 100_000).await;
    let task = issued_task(&app).await;
    let files = format!("/api/v1/assignments/{task}/evidence/files");
    let staff = app.token("staff.so-tnmt.1").await;

    // Too large, though it starts like a PDF.
    let mut big = pdf("Ảnh chụp hiện trường");
    big.resize(150_000, b' ');
    let res = app
        .upload(
            &files,
            &staff,
            ("hien-truong.pdf", big),
            &[("title", "Ảnh hiện trường")],
            &[],
        )
        .await;
    assert_problem(&res, 413);
    // An executable named like a PDF, and HTML.
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
    elf.extend_from_slice(&[0u8; 64]);
    let res = app
        .upload(
            &files,
            &staff,
            ("bao-cao.pdf", elf),
            &[("title", "Báo cáo")],
            &[],
        )
        .await;
    assert_problem(&res, 415);
    assert!(res.text.contains("application/x-executable"), "{res:?}");
    // Bad fields after the file has streamed in: unknown milestone, missing title, a stray field.
    let cases: [&[(&str, &str)]; 3] = [
        &[("title", "Báo cáo"), ("milestone_index", "3")],
        &[("description", "Thiếu tiêu đề")],
        &[("title", "Báo cáo"), ("status", "verified")],
    ];
    for fields in cases {
        let res = app
            .upload(&files, &staff, ("bao-cao.pdf", pdf("x")), fields, &[])
            .await;
        assert_problem(&res, 422);
    }
    // Not multipart at all.
    let res = app.post(&files, &staff, json!({"title": "Báo cáo"})).await;
    assert_problem(&res, 415);
    // Out of role or scope: refused before the body is read.
    for (user, status) in [
        ("giamsat.2", 403),
        ("head.so-khdt", 404),
        ("bantochuc.1", 403),
    ] {
        let res = app
            .upload(
                &files,
                &app.token(user).await,
                ("bao-cao.pdf", pdf("y")),
                &[("title", "Báo cáo")],
                &[],
            )
            .await;
        assert_problem(&res, status);
    }
    assert_eq!(evidence_count(&app, &task, &staff).await, 0);
    assert!(app.stored_files().is_empty(), "{:?}", app.stored_files());

    // A retried upload with the same Idempotency-Key returns the first record.
    let first = app
        .upload(
            &files,
            &staff,
            ("bao-cao.pdf", pdf("z")),
            &[("title", "Báo cáo")],
            &[("Idempotency-Key", "upload-1")],
        )
        .await;
    assert_eq!(first.status, 201, "{first:?}");
    let retry = app
        .upload(
            &files,
            &staff,
            ("bao-cao.pdf", pdf("z")),
            &[("title", "Báo cáo")],
            &[("Idempotency-Key", "upload-1")],
        )
        .await;
    assert_eq!(retry.status, 201, "{retry:?}");
    assert_eq!(retry.id(), first.id());
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    let other = app
        .upload(
            &files,
            &staff,
            ("bao-cao.pdf", pdf("khác")),
            &[("title", "Báo cáo")],
            &[("Idempotency-Key", "upload-1")],
        )
        .await;
    assert_problem(&other, 422);
    assert_eq!(evidence_count(&app, &task, &staff).await, 1);
    assert_eq!(app.stored_files().len(), 1, "{:?}", app.stored_files());

    // Links must be web links; documents need their reference.
    let add = format!("/api/v1/assignments/{task}/evidence");
    for body in [
        json!({"kind": "link", "title": "x", "url": "javascript:alert(1)"}),
        json!({"kind": "link", "title": "x"}),
        json!({"kind": "document", "title": "x"}),
        json!({"kind": "file", "title": "x"}),
        json!({"kind": "document", "title": "x", "document": {"number": "", "date": "2022-01-01", "issuer": "UBND"}}),
    ] {
        assert_problem(&app.post(&add, &staff, body).await, 422);
    }
    assert_eq!(evidence_count(&app, &task, &staff).await, 1);
}

/// A name that shows as `bao-cao-exe.pdf` but is an `.exe` (U+202E turns the text around): the
/// control is dropped from the stored name, the answer and the download's `Content-Disposition`.
#[actix_web::test]
async fn bidi_controls_are_dropped_from_file_names() {
    let app = TestApp::spawn().await;
    let t = task_without_evidence(&app).await;
    let res = app
        .upload(
            &t.files,
            &t.staff,
            ("bao-cao-\u{202E}fdp.exe", t.bytes.clone()),
            &[("title", "Báo cáo"), ("milestone_index", "0")],
            &[],
        )
        .await;
    assert_eq!(res.status, 201, "{res:?}");
    assert_eq!(res.body["file"]["file_name"], "bao-cao-fdp.exe", "{res:?}");
    let read = app
        .get(&format!("/api/v1/evidence/{}", res.id()), &t.sc)
        .await;
    assert_eq!(
        read.body["file"]["file_name"], "bao-cao-fdp.exe",
        "{read:?}"
    );
    let (status, headers, _) = app
        .get_bytes(&format!("/api/v1/evidence/{}/content", res.id()), &t.sc)
        .await;
    assert_eq!(status, 200);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("bao-cao-fdp.exe"), "{disposition}");
    assert!(!disposition.contains("%E2%80%AE"), "{disposition}");
    // Nothing with the control was stored either.
    use cadre_api::db::schema::evidence;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let names: Vec<Option<String>> = evidence::table
        .select(evidence::file_name)
        .load(&mut app.db().await)
        .await
        .unwrap();
    assert!(
        names.iter().flatten().all(|n| !n.contains('\u{202E}')),
        "{names:?}"
    );
}
