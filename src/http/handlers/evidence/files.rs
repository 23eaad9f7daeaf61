//! Uploading a file as evidence: the multipart form is read with no database connection held,
//! the file streamed into the evidence store under a temporary key, then recorded in one
//! transaction.

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use futures_util::TryStreamExt;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::store_error;
use super::views::Evidence;
use crate::app::evidence::{self as app, EvidenceAttachment, Upload};
use crate::auth::Caller;
use crate::db::models::EvidenceRow;
use crate::domain::evidence::sanitize_file_name;
use crate::domain::Violation;
use crate::error::{ApiError, ApiResult, Msg};
use crate::http::extract::created;
use crate::http::idempotency;
use crate::http::openapi::WriteErrors;
use crate::http::AppState;
use crate::storage::{Staged, UploadError};

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
            crate::error::ProblemKind::UnsupportedMediaType,
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
            crate::error::ProblemKind::PayloadTooLarge,
            Msg::new("File too large", "Tệp quá lớn"),
        )
        .detail(
            format!("evidence files may be at most {max_bytes} bytes"),
            format!("tệp minh chứng tối đa {max_bytes} byte"),
        ),
        UploadError::MediaType(found) => {
            let found = found.unwrap_or("unrecognised content");
            ApiError::new(
                crate::error::ProblemKind::UnsupportedFileType,
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
        app::authorise_upload(&mut conn, &caller, id).await?;
    }
    let (staged, file_name, at) = read_form(&state, form).await?;
    let outcome = record(&state, &caller, id, key, &staged, file_name, at).await;
    state.evidence.discard(&staged).await;
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

/// Records a staged file as evidence of assignment `id`, or answers with the record of the
/// first upload under the same Idempotency-Key (`true`) when it was the same file for the same
/// assignment (422 otherwise).
async fn record(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    key: Option<String>,
    staged: &Staged,
    file_name: Option<String>,
    attachment: EvidenceAttachment,
) -> Result<(Evidence, bool), ApiError> {
    let mut conn = state.pool.get().await?;
    if let Some(key) = &key {
        if let Some(e) = app::earlier_upload(&mut conn, caller, key).await? {
            return replay(e, id, staged).map(|e| (e, true));
        }
    }
    let file = Upload {
        staged,
        file_name,
        attachment,
        idempotency_key: key,
    };
    let keep_file = async || state.evidence.commit(staged).await.map_err(store_error);
    let row = app::upload(&mut conn, caller, id, file, keep_file).await?;
    Ok((Evidence::from(row), false))
}

/// The first upload under a reused Idempotency-Key, if it was the same file for the same
/// assignment.
fn replay(earlier: EvidenceRow, id: Uuid, staged: &Staged) -> Result<Evidence, ApiError> {
    if earlier.assignment_id != id || earlier.sha256.as_deref() != Some(&staged.sha256) {
        return Err(idempotency::key_reused());
    }
    Ok(Evidence::from(earlier))
}
