//! Evidence of results ("sản phẩm"): files uploaded by the assignee unit (streamed to the
//! evidence store, typed by content, stored once per SHA-256), links, and references to
//! official documents. Evidence is never edited or deleted: it is retracted with a reason,
//! marked verified or disputed by the Organisation Board or a supervisor, and its file can be
//! re-hashed against the recorded hash at any time.

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::body::SizedStream;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::http::StatusCode;
use actix_web::{get, post};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::{StreamExt, TryStreamExt};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::assignments::{load_visible, lock};
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, EvidenceMarkRow, EvidenceRow, IntegrityCheckRow};
use crate::db::schema::{
    evidence, evidence_blobs, evidence_integrity_checks, evidence_marks, progress_reports,
};
use crate::domain::evidence::{
    is_web_link, sanitize_file_name, EvidenceKind, IntegrityState, VerificationMark,
};
use crate::domain::roles::Permission;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult, Msg};
use crate::http::extract::{created, ok_tagged, IfMatch, Page, PageParams, ValidJson};
use crate::http::idempotency;
use crate::http::openapi::{ReadErrors, UpdateErrors, WriteErrors};
use crate::http::AppState;
use crate::storage::{Staged, UploadError};

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(add)
        .service(upload)
        .service(get)
        .service(content)
        .service(retract)
        .service(list_marks)
        .service(mark)
        .service(verify_integrity);
}

/// A stored file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceFile {
    /// SHA-256 of the content (lower-case hex); also the storage key.
    pub sha256: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Media type recognised from the content.
    pub media_type: String,
    /// Original file name, sanitised.
    pub file_name: String,
    /// Where to download it.
    pub content_url: String,
}

/// A reference to an official document (NĐ 30/2020).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    /// Number and symbol, e.g. "15-QĐ/TU".
    #[validate(length(min = 1, max = 100), custom(function = "super::plain_text"))]
    pub number: String,
    /// Date of issue.
    pub date: NaiveDate,
    /// Issuing body, e.g. "Tỉnh ủy Phú Thọ".
    #[validate(length(min = 1, max = 300), custom(function = "super::plain_text"))]
    pub issuer: String,
}

/// A piece of evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    /// Id.
    pub id: Uuid,
    /// The assignment it proves.
    pub assignment_id: Uuid,
    /// The progress report it goes with, if any.
    pub report_id: Option<Uuid>,
    /// The roadmap milestone it goes with (index into the assignment's milestones), if any.
    pub milestone_index: Option<i32>,
    /// `file`, `link` or `document`.
    pub kind: EvidenceKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// The file, for `file`.
    pub file: Option<EvidenceFile>,
    /// The link, for `link` (and optionally `document`).
    pub url: Option<String>,
    /// The document, for `document`.
    pub document: Option<DocumentRef>,
    /// Who submitted it.
    pub submitted_by: Uuid,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// The latest verification mark.
    pub verification: VerificationMark,
    /// Who marked it.
    pub verified_by: Option<Uuid>,
    /// When.
    pub verified_at: Option<DateTime<Utc>>,
    /// The marker's comment.
    pub verification_comment: Option<String>,
    /// Outcome of the latest re-hash of the file.
    pub integrity: IntegrityState,
    /// When it was re-hashed.
    pub integrity_checked_at: Option<DateTime<Utc>>,
    /// Whether it was retracted (it then no longer counts as evidence, but stays on record).
    pub retracted: bool,
    /// Who retracted it.
    pub retracted_by: Option<Uuid>,
    /// When.
    pub retracted_at: Option<DateTime<Utc>>,
    /// Why.
    pub retraction_reason: Option<String>,
    /// Version, also the ETag.
    pub version: i32,
}

impl From<EvidenceRow> for Evidence {
    fn from(r: EvidenceRow) -> Self {
        let file = match (r.sha256, r.file_name, r.media_type, r.size_bytes) {
            (Some(sha256), Some(file_name), Some(media_type), Some(size_bytes)) => {
                Some(EvidenceFile {
                    sha256,
                    size_bytes,
                    media_type,
                    file_name,
                    content_url: format!("/api/v1/evidence/{}/content", r.id),
                })
            }
            _ => None,
        };
        let document = match (r.document_number, r.document_date, r.document_issuer) {
            (Some(number), Some(date), Some(issuer)) => Some(DocumentRef {
                number,
                date,
                issuer,
            }),
            _ => None,
        };
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            report_id: r.report_id,
            milestone_index: r.milestone_index,
            kind: EvidenceKind::parse(&r.kind).unwrap_or(EvidenceKind::File),
            title: r.title,
            description: r.description,
            file,
            url: r.url,
            document,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
            verification: VerificationMark::parse(&r.verification)
                .unwrap_or(VerificationMark::Unverified),
            verified_by: r.verified_by,
            verified_at: r.verified_at,
            verification_comment: r.verification_comment,
            integrity: IntegrityState::parse(&r.integrity).unwrap_or(IntegrityState::Unchecked),
            integrity_checked_at: r.integrity_checked_at,
            retracted: r.retracted_at.is_some(),
            retracted_by: r.retracted_by,
            retracted_at: r.retracted_at,
            retraction_reason: r.retraction_reason,
            version: r.version,
        }
    }
}

/// Filters of the evidence list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceFilter {
    /// Only this kind.
    pub kind: Option<EvidenceKind>,
    /// Only evidence attached to this progress report.
    pub report_id: Option<Uuid>,
    /// `false`: only standing evidence; `true`: only retracted; absent: both.
    pub retracted: Option<bool>,
}

/// List an assignment's evidence
///
/// The assignment's evidence, oldest first, retracted pieces included unless filtered out.
/// Readable by whoever can read the assignment.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Assignment id"), EvidenceFilter, PageParams),
    responses((status = 200, description = "A page of evidence", body = Page<Evidence>), ReadErrors))]
#[get("/assignments/{id}/evidence")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    filter: web::Query<EvidenceFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let a = load_visible(&mut conn, &caller, *id).await?;
    let mut q = evidence::table
        .filter(evidence::assignment_id.eq(a.id))
        .select(EvidenceRow::as_select())
        .order(evidence::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(kind) = filter.kind {
        q = q.filter(evidence::kind.eq(kind.as_str()));
    }
    if let Some(report) = filter.report_id {
        q = q.filter(evidence::report_id.eq(report));
    }
    match filter.retracted {
        Some(true) => q = q.filter(evidence::retracted_at.is_not_null()),
        Some(false) => q = q.filter(evidence::retracted_at.is_null()),
        None => {}
    }
    if let Some(after) = after {
        q = q.filter(evidence::id.gt(after));
    }
    let rows: Vec<EvidenceRow> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Evidence::from)))
}

/// What goes with any new piece of evidence.
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EvidenceAttachment {
    /// Title.
    #[validate(length(min = 1, max = 500), custom(function = "super::plain_text"))]
    pub title: String,
    /// Description.
    #[validate(length(max = 10000), custom(function = "super::plain_text"))]
    pub description: Option<String>,
    /// The progress report it goes with (of the same assignment).
    pub report_id: Option<Uuid>,
    /// The milestone it goes with (index into the assignment's milestones).
    #[validate(range(min = 0, max = 1000))]
    pub milestone_index: Option<i32>,
}

/// A link or a reference to an official document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    /// `link` or `document` (files go to `/evidence/files`).
    pub kind: EvidenceKind,
    /// Title.
    #[validate(length(min = 1, max = 500), custom(function = "super::plain_text"))]
    pub title: String,
    /// Description.
    #[validate(length(max = 10000), custom(function = "super::plain_text"))]
    pub description: Option<String>,
    /// The progress report it goes with (of the same assignment).
    pub report_id: Option<Uuid>,
    /// The milestone it goes with (index into the assignment's milestones).
    #[validate(range(min = 0, max = 1000))]
    pub milestone_index: Option<i32>,
    /// An `http(s)` link: required for `link`, optional for `document`.
    #[validate(length(max = 2000))]
    pub url: Option<String>,
    /// The document, for `document`.
    #[validate(nested)]
    pub document: Option<DocumentRef>,
}

/// Checks the assignment takes evidence from the caller, before anything is read or stored.
async fn check_assignee(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
) -> Result<(), ApiError> {
    caller
        .require_on(conn, Permission::AssignmentPrepare, a.assignee_unit_id)
        .await?;
    if !a.is_under_way() {
        return Err(ApiError::conflict(
            format!(
                "evidence is attached to issued assignments; this one is {}",
                a.state
            ),
            format!(
                "chỉ nộp sản phẩm cho nhiệm vụ đã ban hành; nhiệm vụ đang {}",
                a.state
            ),
        ));
    }
    Ok(())
}

/// Violations of where the evidence is attached: the report must be the assignment's and the
/// milestone one of its milestones.
async fn attachment_violations(
    conn: &mut AsyncPgConnection,
    a: &AssignmentRow,
    at: &EvidenceAttachment,
) -> Result<Vec<Violation>, ApiError> {
    let mut out = Vec::new();
    if let Some(report) = at.report_id {
        let found: i64 = progress_reports::table
            .filter(progress_reports::id.eq(report))
            .filter(progress_reports::assignment_id.eq(a.id))
            .count()
            .get_result(conn)
            .await?;
        if found == 0 {
            out.push(Violation::new(
                "report_id",
                "unknown_report",
                "not a progress report of this assignment",
                "không phải báo cáo tiến độ của nhiệm vụ này",
            ));
        }
    }
    if let Some(i) = at.milestone_index {
        let count = a.milestones.as_array().map_or(0, Vec::len);
        if usize::try_from(i).map_or(true, |i| i >= count) {
            out.push(Violation::new(
                "milestone_index",
                "unknown_milestone",
                format!("the assignment has {count} milestone(s)"),
                format!("nhiệm vụ có {count} mốc"),
            ));
        }
    }
    Ok(out)
}

/// Inserts a piece of evidence and its audit record; the caller holds the assignment's lock.
async fn insert(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    a: &AssignmentRow,
    row: EvidenceRow,
) -> Result<Evidence, ApiError> {
    diesel::insert_into(evidence::table)
        .values(&row)
        .execute(conn)
        .await?;
    let view = Evidence::from(row);
    audit::record(
        conn,
        Some(caller),
        Change {
            action: "evidence.create",
            resource_type: "evidence",
            resource_id: Some(view.id),
            unit_id: Some(a.assignee_unit_id),
            before: None::<&()>,
            after: Some(&view),
        },
    )
    .await?;
    Ok(view)
}

fn blank_row(
    caller: &Caller,
    a: &AssignmentRow,
    kind: EvidenceKind,
    at: EvidenceAttachment,
) -> EvidenceRow {
    EvidenceRow {
        id: Uuid::now_v7(),
        assignment_id: a.id,
        report_id: at.report_id,
        milestone_index: at.milestone_index,
        kind: kind.as_str().to_owned(),
        title: at.title,
        description: at.description,
        sha256: None,
        file_name: None,
        media_type: None,
        size_bytes: None,
        url: None,
        document_number: None,
        document_date: None,
        document_issuer: None,
        submitted_by: caller.account_id,
        submitted_at: Utc::now(),
        verification: VerificationMark::Unverified.as_str().to_owned(),
        verified_by: None,
        verified_at: None,
        verification_comment: None,
        integrity: IntegrityState::Unchecked.as_str().to_owned(),
        integrity_checked_at: None,
        retracted_by: None,
        retracted_at: None,
        retraction_reason: None,
        version: 1,
        idempotency_key: None,
    }
}

/// Add a link or a document reference
///
/// The assignee unit's head or staff attaches a link or a reference to an official document
/// (number and symbol, date, issuer) to an issued assignment, optionally to one of its
/// progress reports or milestones. Needs `assignment_prepare` on the assignee unit.
#[utoipa::path(tag = "evidence", request_body = NewEvidence,
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Recorded", body = Evidence, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/evidence")]
pub async fn add(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewEvidence>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, &caller, id, None).await?;
                check_assignee(conn, &caller, &a).await?;
                let at = EvidenceAttachment {
                    title: new.title,
                    description: new.description,
                    report_id: new.report_id,
                    milestone_index: new.milestone_index,
                };
                let mut violations = attachment_violations(conn, &a, &at).await?;
                if new.url.as_deref().is_some_and(|u| !is_web_link(u)) {
                    violations.push(Violation::new(
                        "url",
                        "not_web_link",
                        "must be an absolute http or https link",
                        "phải là đường liên kết http hoặc https đầy đủ",
                    ));
                }
                match (new.kind, &new.url, &new.document) {
                    (EvidenceKind::File, _, _) => violations.push(Violation::new(
                        "kind",
                        "use_upload",
                        "files are uploaded to /evidence/files",
                        "tệp được tải lên qua /evidence/files",
                    )),
                    (EvidenceKind::Link, None, _) => violations.push(Violation::new(
                        "url",
                        "required",
                        "a link needs its url",
                        "cần có đường liên kết",
                    )),
                    (EvidenceKind::Link, _, Some(_)) => violations.push(Violation::new(
                        "document",
                        "not_allowed",
                        "a link has no document reference; use kind document",
                        "đường liên kết không kèm văn bản; hãy dùng loại văn bản",
                    )),
                    (EvidenceKind::Document, _, None) => violations.push(Violation::new(
                        "document",
                        "required",
                        "a document reference needs its number, date and issuer",
                        "cần số, ký hiệu, ngày và cơ quan ban hành văn bản",
                    )),
                    _ => {}
                }
                if !violations.is_empty() {
                    return Err(ApiError::violations(violations));
                }
                let mut row = blank_row(&caller, &a, new.kind, at);
                row.url = new.url;
                if let Some(d) = new.document {
                    row.document_number = Some(d.number);
                    row.document_date = Some(d.date);
                    row.document_issuer = Some(d.issuer);
                }
                insert(conn, &caller, &a, row).await
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/evidence/{}", view.id),
        view.version,
        &view,
    ))
}

/// The multipart form of a file upload (no other fields).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file. Its media type is recognised from its content (see the
    /// `CADRE_EVIDENCE_MEDIA_TYPES` setting), never from its name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Title.
    #[schema(min_length = 1, max_length = 500)]
    title: String,
    /// Description.
    #[schema(max_length = 10000)]
    description: Option<String>,
    /// The progress report it goes with (of the same assignment).
    report_id: Option<Uuid>,
    /// The milestone it goes with (index into the assignment's milestones).
    #[schema(minimum = 0, maximum = 1000)]
    milestone_index: Option<i32>,
}

fn multipart_error(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            Msg::new("Unsupported media type", "Kiểu dữ liệu không được hỗ trợ"),
        )
        .detail(
            "send Content-Type: multipart/form-data",
            "hãy gửi Content-Type: multipart/form-data",
        ),
        e => ApiError::bad_request(
            format!("malformed multipart body: {e}"),
            format!("dữ liệu multipart không hợp lệ: {e}"),
        ),
    }
}

fn upload_error(e: UploadError, max_bytes: u64) -> ApiError {
    match e {
        UploadError::TooLarge => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            Msg::new("File too large", "Tệp quá lớn"),
        )
        .detail(
            format!("evidence files may be at most {max_bytes} bytes"),
            format!("tệp minh chứng tối đa {max_bytes} byte"),
        ),
        UploadError::MediaType(found) => {
            let found = found.unwrap_or("unrecognised content");
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_file_type",
                Msg::new("File type not accepted", "Loại tệp không được chấp nhận"),
            )
            .detail(
                format!("the file's content is {found}, which is not accepted as evidence"),
                format!("nội dung tệp là {found}, không được chấp nhận làm minh chứng"),
            )
        }
        UploadError::Empty => ApiError::violations(vec![Violation::new(
            "file",
            "empty",
            "the file is empty",
            "tệp rỗng",
        )]),
        UploadError::Body(e) => ApiError::bad_request(
            format!("the upload was interrupted: {e}"),
            format!("quá trình tải lên bị gián đoạn: {e}"),
        ),
        UploadError::Store(e) => store_error(e),
    }
}

fn store_error(e: object_store::Error) -> ApiError {
    tracing::error!(error = %e, "evidence store");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "store_unavailable",
        Msg::new(
            "Evidence store unavailable",
            "Kho lưu trữ minh chứng không sẵn sàng",
        ),
    )
}

/// Reads a small text field of the form.
async fn text_field(field: &mut Field, name: &str) -> Result<String, ApiError> {
    const MAX: usize = 16 * 1024;
    let mut bytes = Vec::new();
    while let Some(chunk) = field.try_next().await.map_err(multipart_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX {
            return Err(ApiError::violations(vec![Violation::new(
                name,
                "too_long",
                "the field is too long",
                "trường quá dài",
            )]));
        }
    }
    String::from_utf8(bytes).map_err(|_| {
        ApiError::violations(vec![Violation::new(
            name,
            "not_utf8",
            "must be UTF-8 text",
            "phải là văn bản UTF-8",
        )])
    })
}

/// The form's fields other than the file, as read.
#[derive(Default)]
struct FormFields {
    title: Option<String>,
    description: Option<String>,
    report_id: Option<String>,
    milestone_index: Option<String>,
}

impl FormFields {
    fn set(&mut self, name: &str, value: String) -> Result<(), ApiError> {
        let slot = match name {
            "title" => &mut self.title,
            "description" => &mut self.description,
            "report_id" => &mut self.report_id,
            "milestone_index" => &mut self.milestone_index,
            other => {
                return Err(ApiError::violations(vec![Violation::new(
                    other,
                    "unknown_field",
                    "not a field of the upload form",
                    "không phải trường của biểu mẫu tải lên",
                )]))
            }
        };
        if slot.replace(value).is_some() {
            return Err(ApiError::violations(vec![Violation::new(
                name,
                "repeated",
                "the field is given twice",
                "trường bị gửi hai lần",
            )]));
        }
        Ok(())
    }

    /// The attachment these fields describe, checked like its JSON twin.
    fn attachment(self) -> Result<EvidenceAttachment, ApiError> {
        let report_id = match self.report_id.filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse::<Uuid>().map_err(|_| {
                ApiError::violations(vec![Violation::new(
                    "report_id",
                    "format",
                    "must be a UUID",
                    "phải là UUID",
                )])
            })?),
        };
        let milestone_index = match self.milestone_index.filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(s.parse::<i32>().map_err(|_| {
                ApiError::violations(vec![Violation::new(
                    "milestone_index",
                    "format",
                    "must be a whole number",
                    "phải là số nguyên",
                )])
            })?),
        };
        let at = EvidenceAttachment {
            title: self.title.unwrap_or_default(),
            description: self.description.filter(|s| !s.is_empty()),
            report_id,
            milestone_index,
        };
        at.validate()
            .map_err(crate::http::extract::validation_error)?;
        Ok(at)
    }
}

/// Reads the whole form, streaming the file into the store under a temporary key. On any
/// error nothing is left in the store.
async fn read_form(
    state: &AppState,
    mut form: Multipart,
) -> Result<(Staged, Option<String>, EvidenceAttachment), ApiError> {
    let max = state.config.evidence_max_bytes;
    let accepted = state.config.accepted_media_types();
    let mut staged: Option<(Staged, Option<String>)> = None;
    let mut fields = FormFields::default();
    let outcome: Result<(), ApiError> = async {
        while let Some(mut field) = form.try_next().await.map_err(multipart_error)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                if staged.is_some() {
                    return Err(ApiError::violations(vec![Violation::new(
                        "file",
                        "repeated",
                        "one file per upload",
                        "mỗi lần tải lên một tệp",
                    )]));
                }
                let file_name = field
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(sanitize_file_name);
                let s = state
                    .evidence
                    .stage(&mut field, max, &accepted)
                    .await
                    .map_err(|e| upload_error(e, max))?;
                staged = Some((s, file_name));
            } else {
                let value = text_field(&mut field, &name).await?;
                fields.set(&name, value)?;
            }
        }
        Ok(())
    }
    .await;
    let checked = outcome.and_then(|()| fields.attachment());
    match (checked, staged) {
        (Ok(at), Some((s, name))) => Ok((s, name, at)),
        (Ok(_), None) => Err(ApiError::violations(vec![Violation::new(
            "file",
            "required",
            "the form needs a file",
            "cần có tệp đính kèm",
        )])),
        (Err(e), staged) => {
            if let Some((s, _)) = staged {
                state.evidence.discard(&s).await;
            }
            Err(e)
        }
    }
}

/// Upload a file as evidence
///
/// `multipart/form-data` with a `file` part and the fields `title`, `description`,
/// `report_id` and `milestone_index`. The file is streamed to the evidence store; its media
/// type is recognised from its content and must be one of the accepted types (415 otherwise),
/// and it may not exceed the configured size (413). The SHA-256 of the content is its storage
/// key, so the same file uploaded twice is stored once. Nothing is stored when the upload is
/// refused. An `Idempotency-Key` makes a retry return the first upload's record. Needs
/// `assignment_prepare` on the assignee unit.
#[utoipa::path(tag = "evidence",
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    params(("id" = Uuid, Path, description = "Assignment id")),
    responses((status = 201, description = "Stored", body = Evidence, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/assignments/{id}/evidence/files")]
pub async fn upload(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let key = idempotency::key_of(&req)?;
    // Refuse before reading the body, and hold no connection while it streams in.
    {
        let mut conn = state.pool.get().await?;
        let a = load_visible(&mut conn, &caller, id).await?;
        check_assignee(&mut conn, &caller, &a).await?;
    }
    let (staged, file_name, at) = read_form(&state, form).await?;
    let mut conn = state.pool.get().await?;
    let (caller, staged, store) = (&caller, &staged, &state.evidence);
    let outcome = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let a = lock(conn, caller, id, None).await?;
                check_assignee(conn, caller, &a).await?;
                if let Some(key) = &key {
                    let earlier: Option<EvidenceRow> = evidence::table
                        .filter(evidence::submitted_by.eq(caller.account_id))
                        .filter(evidence::idempotency_key.eq(key))
                        .select(EvidenceRow::as_select())
                        .first(conn)
                        .await
                        .optional()?;
                    if let Some(e) = earlier {
                        if e.assignment_id != id || e.sha256.as_deref() != Some(&staged.sha256) {
                            return Err(idempotency::key_reused());
                        }
                        return Ok((Evidence::from(e), true));
                    }
                }
                let violations = attachment_violations(conn, &a, &at).await?;
                if !violations.is_empty() {
                    return Err(ApiError::violations(violations));
                }
                diesel::insert_into(evidence_blobs::table)
                    .values((
                        evidence_blobs::sha256.eq(&staged.sha256),
                        evidence_blobs::size_bytes.eq(staged.size as i64),
                        evidence_blobs::media_type.eq(staged.media_type),
                        evidence_blobs::first_stored_at.eq(Utc::now()),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                let mut row = blank_row(caller, &a, EvidenceKind::File, at.clone());
                row.sha256 = Some(staged.sha256.clone());
                row.size_bytes = Some(staged.size as i64);
                row.media_type = Some(staged.media_type.to_owned());
                row.file_name = Some(file_name.unwrap_or_else(|| sanitize_file_name("")));
                row.idempotency_key = key;
                let view = insert(conn, caller, &a, row).await?;
                // Last, so a refusal above leaves the store as it was; should the commit of
                // the row fail after this, the file stays under its hash, unreferenced.
                store.commit(staged).await.map_err(store_error)?;
                Ok((view, false))
            }
            .scope_boxed()
        })
        .await;
    store.discard(staged).await;
    let (view, replayed) = outcome?;
    let mut res = created(format!("/api/v1/evidence/{}", view.id), view.version, &view);
    if replayed {
        res.headers_mut().insert(
            header::HeaderName::from_static("idempotent-replayed"),
            header::HeaderValue::from_static("true"),
        );
    }
    Ok(res)
}

/// Loads a piece of evidence the caller may read, with its assignment.
async fn load(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    for_update: bool,
) -> Result<(EvidenceRow, AssignmentRow), ApiError> {
    let q = evidence::table.find(id).select(EvidenceRow::as_select());
    let e: EvidenceRow = if for_update {
        q.for_update().first(conn).await?
    } else {
        q.first(conn).await?
    };
    let a = load_visible(conn, caller, e.assignment_id).await?;
    Ok((e, a))
}

/// Get a piece of evidence
///
/// Its record with its ETag; readable by whoever can read the assignment.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "The evidence", body = Evidence, headers(("ETag" = String))), ReadErrors))]
#[get("/evidence/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (e, _) = load(&mut conn, &caller, *id, false).await?;
    let view = Evidence::from(e);
    Ok(ok_tagged(view.version, &view))
}

/// Download an evidence file
///
/// Streams the stored file with its recognised media type, its size, its SHA-256 as the
/// ETag and its sanitised name as an attachment. Only to callers who can read the
/// assignment; 404 for links and document references.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "The file", content_type = "*/*", body = String,
        headers(("ETag" = String), ("Content-Disposition" = String))), ReadErrors))]
#[get("/evidence/{id}/content")]
pub async fn content(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let e = {
        let mut conn = state.pool.get().await?;
        load(&mut conn, &caller, *id, false).await?.0
    };
    let (Some(sha256), Some(size), Some(media_type), Some(name)) =
        (e.sha256, e.size_bytes, e.media_type, e.file_name)
    else {
        return Err(ApiError::not_found().detail(
            "this evidence is not a file",
            "minh chứng này không phải là tệp",
        ));
    };
    let stream = match state.evidence.read(&sha256).await {
        Ok(s) => s,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(ApiError::not_found().detail(
                "the stored file is missing; run verify-integrity",
                "tệp lưu trữ bị mất; hãy kiểm tra tính toàn vẹn",
            ))
        }
        Err(e) => return Err(store_error(e)),
    };
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(name.chars().filter(char::is_ascii).collect()),
            DispositionParam::FilenameExt(header::ExtendedValue {
                charset: header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .content_type(media_type)
        .insert_header(disposition)
        .insert_header((header::ETAG, format!("\"{sha256}\"")))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(SizedStream::new(
            size as u64,
            stream
                .map(|c| c.map_err(|e| Box::new(e) as Box<dyn std::error::Error>))
                .boxed(),
        )))
}

/// A retraction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    /// Why the evidence is withdrawn.
    #[validate(length(min = 1, max = 2000), custom(function = "super::plain_text"))]
    pub reason: String,
}

/// Updates a piece of evidence under its lock and records the change.
async fn change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    before: EvidenceRow,
    unit: Uuid,
    action: &'static str,
    apply: impl FnOnce(&mut EvidenceRow),
) -> Result<Evidence, ApiError> {
    let mut row = before.clone();
    apply(&mut row);
    row.version += 1;
    diesel::update(evidence::table.find(row.id))
        .set((
            evidence::verification.eq(&row.verification),
            evidence::verified_by.eq(row.verified_by),
            evidence::verified_at.eq(row.verified_at),
            evidence::verification_comment.eq(&row.verification_comment),
            evidence::integrity.eq(&row.integrity),
            evidence::integrity_checked_at.eq(row.integrity_checked_at),
            evidence::retracted_by.eq(row.retracted_by),
            evidence::retracted_at.eq(row.retracted_at),
            evidence::retraction_reason.eq(&row.retraction_reason),
            evidence::version.eq(row.version),
        ))
        .execute(conn)
        .await?;
    let (before, after) = (Evidence::from(before), Evidence::from(row));
    audit::record(
        conn,
        Some(caller),
        Change {
            action,
            resource_type: "evidence",
            resource_id: Some(after.id),
            unit_id: Some(unit),
            before: Some(&before),
            after: Some(&after),
        },
    )
    .await?;
    Ok(after)
}

fn retracted_conflict() -> ApiError {
    ApiError::conflict(
        "the evidence has been retracted",
        "minh chứng đã bị rút lại",
    )
}

/// Retract a piece of evidence
///
/// The assignee unit withdraws evidence with a reason. The record, its file and its marks
/// stay; it no longer counts as evidence. Needs `assignment_prepare` on the assignee unit
/// and `If-Match`.
#[utoipa::path(tag = "evidence", request_body = Retraction,
    params(("id" = Uuid, Path, description = "Evidence id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Retracted", body = Evidence, headers(("ETag" = String))), UpdateErrors))]
#[post("/evidence/{id}/retract")]
pub async fn retract(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<Retraction>,
) -> ApiResult<HttpResponse> {
    let (id, reason) = (*id, body.0.reason);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                caller
                    .require_on(conn, Permission::AssignmentPrepare, a.assignee_unit_id)
                    .await?;
                if_match.check(e.version)?;
                if e.retracted_at.is_some() {
                    return Err(retracted_conflict());
                }
                let by = caller.account_id;
                change(
                    conn,
                    &caller,
                    e,
                    a.assignee_unit_id,
                    "evidence.retract",
                    |r| {
                        r.retracted_by = Some(by);
                        r.retracted_at = Some(Utc::now());
                        r.retraction_reason = Some(reason);
                    },
                )
                .await
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// A verification mark.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewMark {
    /// `verified` or `disputed`.
    pub mark: VerificationMark,
    /// What was checked, or what is disputed.
    #[validate(length(min = 1, max = 10000), custom(function = "super::plain_text"))]
    pub comment: String,
}

/// One recorded verification mark.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceMark {
    /// Id.
    pub id: Uuid,
    /// `verified` or `disputed`.
    pub mark: VerificationMark,
    /// Comment.
    pub comment: String,
    /// Who.
    pub marked_by: Uuid,
    /// When.
    pub marked_at: DateTime<Utc>,
}

impl From<EvidenceMarkRow> for EvidenceMark {
    fn from(r: EvidenceMarkRow) -> Self {
        Self {
            id: r.id,
            mark: VerificationMark::parse(&r.mark).unwrap_or(VerificationMark::Unverified),
            comment: r.comment,
            marked_by: r.marked_by,
            marked_at: r.marked_at,
        }
    }
}

/// List a piece of evidence's verification marks
///
/// Every mark given, oldest first; the evidence shows the latest.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "The marks", body = Vec<EvidenceMark>), ReadErrors))]
#[get("/evidence/{id}/marks")]
pub async fn list_marks(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (e, _) = load(&mut conn, &caller, *id, false).await?;
    let rows: Vec<EvidenceMarkRow> = evidence_marks::table
        .filter(evidence_marks::evidence_id.eq(e.id))
        .order(evidence_marks::id)
        .select(EvidenceMarkRow::as_select())
        .load(&mut conn)
        .await?;
    let out: Vec<EvidenceMark> = rows.into_iter().map(EvidenceMark::from).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Mark a piece of evidence verified or disputed
///
/// The Organisation Board or a supervisor watching the unit records its verdict with a
/// comment; every mark is kept and the latest shows on the evidence. Needs `evidence_verify`
/// on the assignee unit and `If-Match`.
#[utoipa::path(tag = "evidence", request_body = NewMark,
    params(("id" = Uuid, Path, description = "Evidence id"),
        ("If-Match" = String, Header, description = "ETag last read")),
    responses((status = 200, description = "Marked", body = Evidence, headers(("ETag" = String))), UpdateErrors))]
#[post("/evidence/{id}/marks")]
pub async fn mark(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidJson<NewMark>,
) -> ApiResult<HttpResponse> {
    let (id, new) = (*id, body.0);
    if new.mark == VerificationMark::Unverified {
        return Err(ApiError::violations(vec![Violation::new(
            "mark",
            "not_a_verdict",
            "the mark is verified or disputed",
            "chỉ ghi nhận đã xác minh hoặc có ý kiến khác",
        )]));
    }
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                caller
                    .require_on(conn, Permission::EvidenceVerify, a.assignee_unit_id)
                    .await?;
                if_match.check(e.version)?;
                if e.retracted_at.is_some() {
                    return Err(retracted_conflict());
                }
                let now = Utc::now();
                let row = EvidenceMarkRow {
                    id: Uuid::now_v7(),
                    evidence_id: e.id,
                    mark: new.mark.as_str().to_owned(),
                    comment: new.comment.clone(),
                    marked_by: caller.account_id,
                    marked_at: now,
                };
                diesel::insert_into(evidence_marks::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                change(conn, &caller, e, a.assignee_unit_id, "evidence.mark", |r| {
                    r.verification = row.mark;
                    r.verified_by = Some(row.marked_by);
                    r.verified_at = Some(now);
                    r.verification_comment = Some(row.comment);
                })
                .await
            }
            .scope_boxed()
        })
        .await?;
    Ok(ok_tagged(view.version, &view))
}

/// The outcome of re-hashing a stored file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntegrityCheck {
    /// Id.
    pub id: Uuid,
    /// The evidence.
    pub evidence_id: Uuid,
    /// Whether the stored bytes still hash to the recorded SHA-256.
    pub intact: bool,
    /// The recorded SHA-256.
    pub expected: String,
    /// The SHA-256 of what is stored now; absent when the file is missing.
    pub actual: Option<String>,
    /// The size of what is stored now.
    pub actual_size: Option<i64>,
    /// Who asked.
    pub checked_by: Uuid,
    /// When.
    pub checked_at: DateTime<Utc>,
}

impl From<IntegrityCheckRow> for IntegrityCheck {
    fn from(r: IntegrityCheckRow) -> Self {
        Self {
            id: r.id,
            evidence_id: r.evidence_id,
            intact: r.intact,
            expected: r.expected,
            actual: r.actual,
            actual_size: r.actual_size,
            checked_by: r.checked_by,
            checked_at: r.checked_at,
        }
    }
}

/// Re-verify a file's integrity
///
/// Reads the stored file again, hashes it and compares with the SHA-256 recorded at upload;
/// the outcome is recorded and shown on the evidence (`intact` or `failed`). Allowed to the
/// assignee unit (`assignment_prepare`) and to verifiers (`evidence_verify`); 409 for links
/// and document references.
#[utoipa::path(tag = "evidence",
    params(("id" = Uuid, Path, description = "Evidence id")),
    responses((status = 200, description = "Checked", body = IntegrityCheck), WriteErrors))]
#[post("/evidence/{id}/verify-integrity")]
pub async fn verify_integrity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = *id;
    let expected = {
        let mut conn = state.pool.get().await?;
        let (e, a) = load(&mut conn, &caller, id, false).await?;
        let unit = a.assignee_unit_id;
        if !caller
            .can(&mut conn, Permission::EvidenceVerify, unit)
            .await?
            && !caller
                .can(&mut conn, Permission::AssignmentPrepare, unit)
                .await?
        {
            return Err(ApiError::forbidden());
        }
        e.sha256.ok_or_else(|| {
            ApiError::conflict(
                "only files have content to verify",
                "chỉ tệp mới có nội dung để kiểm tra",
            )
        })?
    };
    let now = state
        .evidence
        .rehash(&expected)
        .await
        .map_err(store_error)?;
    let mut conn = state.pool.get().await?;
    let check = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let (e, a) = load(conn, &caller, id, true).await?;
                let row = IntegrityCheckRow {
                    id: Uuid::now_v7(),
                    evidence_id: e.id,
                    intact: now.sha256.as_deref() == Some(expected.as_str()),
                    expected,
                    actual: now.sha256,
                    actual_size: now.size.map(|s| s as i64),
                    checked_by: caller.account_id,
                    checked_at: Utc::now(),
                };
                diesel::insert_into(evidence_integrity_checks::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let outcome = if row.intact {
                    IntegrityState::Intact
                } else {
                    IntegrityState::Failed
                };
                if !row.intact {
                    tracing::error!(evidence = %e.id, expected = %row.expected, actual = ?row.actual, "evidence file altered or missing");
                }
                change(
                    conn,
                    &caller,
                    e,
                    a.assignee_unit_id,
                    "evidence.verify_integrity",
                    |r| {
                        r.integrity = outcome.as_str().to_owned();
                        r.integrity_checked_at = Some(row.checked_at);
                    },
                )
                .await?;
                Ok(IntegrityCheck::from(row))
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Ok().json(check))
}
